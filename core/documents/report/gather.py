"""A case gathered once into a :class:`Report`: plain values, filtered by date range, private
notes left out if asked, and redacted if asked. Reads only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select, text

from core.documents.html_text import html_to_text
from core.documents.letters.draft import meaning_of
from core.documents.report.labels import direction_label, format_duration, value_label
from core.documents.report.redact import Redactor, own_details
from core.documents.wording import format_date
from core.domain import clock
from core.domain.dates_text import long_date
from core.domain.errors import ValidationError
from core.domain.models import MONEY_MEANINGS, Case, Direction, EventKind, Letter, LetterStatus
from core.domain.money import Money
from core.i18n import N_, _, current_language, ngettext
from core.journal import settings
from core.journal.queries import load_case
from core.store.files import Cancelled
from core.store.store import Store

FORMATS = ("pdf", "md", "csv")


PAPERS = ("A4", "Letter")


# progress(done, total) -> False to cancel
Progress = Callable[[int, int], bool | None]


_STEPS = 1000  # progress is reported on this scale: gathering, images, then pages


@dataclass(slots=True)
class ChronologyRow:
    number: int  # the event's place in the whole case timeline (stable across filtered copies)
    at: str  # ISO text as logged
    day: date
    time: str  # "14:30" or "" for a date alone
    offset: str  # "+01:00" or ""
    kind: str
    direction: str
    who: str
    summary: str
    details: str
    duration_minutes: int | None
    waiting_minutes: int | None
    reference: str
    promised_by: date | None
    evidence: list[str]
    meaning: str = ""  # the EventMeaning value ("" for a plain contact or a note)
    amount: str = ""  # money moved or offered, formatted ("GBP 34.99")


@dataclass(slots=True)
class EvidenceRow:
    number: str  # "E3": its place among the case's evidence, oldest first
    name: str
    media_type: str
    size: int
    sha256: str
    added: str
    captured: date | None
    description: str
    supports: list[str]
    path: Path
    # May its image appear in a redacted copy? (Always True in a copy that is not redacted.)
    shareable: bool = True
    # The full text of a text item (.txt, a saved email's body, a chat transcript), masked
    # in a redacted copy; "" for other files.
    text: str = ""
    text_note: str = ""  # e.g. "first 200,000 characters shown"
    # The data key when the file at ``path`` is sealed (a protected store): it is then read
    # from its seal in memory, never copied out in clear.
    key: bytes | None = field(default=None, repr=False)

    def read_bytes(self) -> bytes:
        """The file's clear content."""
        if self.key is None:
            return self.path.read_bytes()
        from core.store.crypto import open_sealed

        with open_sealed(self.path, self.key) as fh:
            return fh.read()


@dataclass(slots=True)
class LetterRow:
    subject: str
    sent_on: date | None
    sent_via: str
    tracking: str
    to: str
    body: str  # the letter as plain text (masked in a redacted copy), never its HTML


@dataclass(slots=True)
class PersonRow:
    name: str
    role: str
    organisation: str
    email: str
    phone: str
    address: str
    notes: str


@dataclass(slots=True)
class ClockRow:
    """One rule clock running on the case, as the ladder gives it, in words."""

    label: str
    when: str  # "closes on 10 March 2027", "open since 10 November 2026"
    sentence: str  # the rule's full wording
    rule_id: str
    source: str  # the URL of the text the rule is taken from
    provenance: str  # "checked 1 December 2026" or "not yet confirmed at the source"


@dataclass(slots=True)
class Deadlines:
    """The case's next step and the rule clocks behind it, worked out on ``as_of``."""

    as_of: str  # "1 December 2026"
    closed: bool  # resolved or closed: no clock is running
    step: str  # "Chaser, due 4 December 2026"
    reason: str
    clocks: list[ClockRow]
    disclaimer: str


@dataclass(slots=True)
class Report:
    """Everything the document shows, filtered and (if asked) redacted."""

    case_id: int
    title: str
    company: str
    company_address: str
    user_name: str
    user_address: str
    category: str
    status: str
    outcome: str
    amount: str
    recovered: str
    opened_on: date
    references: list[str]
    first_event: date | None
    last_event: date | None
    made_at: datetime
    fingerprint: str
    summary: list[str]
    chronology: list[ChronologyRow]
    letters: list[LetterRow]
    people: list[PersonRow]
    evidence: list[EvidenceRow]
    redacted: bool
    date_from: date | None
    date_to: date | None
    private_notes: bool
    notes: str = ""
    time_spent: str = ""
    fingerprint_note: str = ""
    deadlines: Deadlines | None = None

    @property
    def reference(self) -> str:
        """How the running header names the case."""
        return _("Case {number} · {title}").format(number=self.case_id, title=self.title)


def _money(value: Decimal | None, currency: str) -> str:
    return _("not recorded") if value is None else str(Money(value, currency))


def _day_words(day: date, region: str) -> str:
    """A date in a sentence of the history: English as before (``November 23, 2026`` in the
    United States), else as the window's language writes it (``23. November 2026``)."""
    return format_date(day, "en", region) if current_language() in ("en", "pseudo") else long_date(day)


# How the case was paid, in the summary's "paid by ..." (PaymentMethod values).
_PAID_BY = {"credit_card": N_("paid by credit card"), "debit_card": N_("paid by debit card"),
            "paypal": N_("paid by PayPal"), "bank_transfer": N_("paid by bank transfer"),
            "cash": N_("paid by cash"), "other": N_("paid by other means")}


_HTML_TAG = re.compile(r"<(?:html|body|p|br|div|table|ul|ol|li|h[1-6])\b", re.IGNORECASE)


def letter_text(body: str) -> str:
    """A kept letter's text as a reader sees it: letters are kept as HTML (what was laid out
    and sent); a body typed as plain text (imported) is kept as it is."""
    return html_to_text(body).rstrip("\n") if _HTML_TAG.search(body or "") else (body or "")


def _fingerprint(store: Store, case_id: int) -> str:
    """The hash of the newest entry of this case's change history: each entry's hash covers
    the one before it, so the value pins the case's whole recorded history at this moment."""
    with store.read() as session:
        value = session.execute(
            text("SELECT hash FROM revisions WHERE case_id = :case ORDER BY id DESC LIMIT 1"), {"case": case_id}
        ).scalar()
    return str(value or "")


FINGERPRINT_NOTE = N_(
    "The fingerprint is the SHA-256 hash of the newest entry in case {case}'s change history when this "
    "document was made. Each entry's hash covers the one before it, so the value fixes the whole recorded "
    "history of the case. To check it, run `docket verify` on the data folder that holds the case (it "
    "replays every hash) and find this value as the hash of the last revision listed by "
    "`docket history {case} --json`."
)

TEXT_TYPES = ("text/", "message/rfc822", "application/json")
TEXT_SUFFIXES = (".txt", ".eml", ".log", ".csv", ".md", ".json", ".html", ".htm")
TEXT_LIMIT = 200_000  # characters of one text item printed in the appendix


def _is_text(name: str, media_type: str) -> bool:
    return media_type.startswith(TEXT_TYPES) or name.lower().endswith(TEXT_SUFFIXES)


def read_text_evidence(path: Path, name: str, media_type: str, key: bytes | None = None) -> tuple[str, str]:
    """The readable text of a text item and a note on what was left out: a saved email gives
    its main headers and body; HTML is reduced to its text. ("", reason) if unreadable.
    ``key`` opens a sealed file (a protected store)."""
    try:
        if key is None:
            raw = path.read_bytes()
        else:
            from core.store.crypto import open_sealed

            with open_sealed(path, key) as fh:
                raw = fh.read()
    except OSError:
        return "", _("the file could not be read")
    lower = name.lower()
    if media_type == "message/rfc822" or lower.endswith(".eml"):
        import email
        from email import policy

        message = email.message_from_bytes(raw, policy=policy.default)
        head = [f"{key}: {message[key]}" for key in ("From", "To", "Date", "Subject") if message[key]]
        part = message.get_body(preferencelist=("plain", "html"))
        body = ""
        if part is not None:
            body = part.get_content()
            if part.get_content_type() == "text/html":
                body = html_to_text(body)
        content = "\n".join(head) + "\n\n" + body
    else:
        content = raw.decode("utf-8", errors="replace")
        if media_type == "text/html" or lower.endswith((".html", ".htm")):
            content = html_to_text(content)
    content = content.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(content) > TEXT_LIMIT:
        return content[:TEXT_LIMIT], _("first {shown:,} of {n:,} characters shown").format(
            shown=TEXT_LIMIT, n=len(content))
    return content, ""


def _check_options(fmt: str, paper: str, date_from: date | None, date_to: date | None) -> None:
    if fmt not in FORMATS:
        raise ValidationError("format", _("expected one of {formats}, got {fmt!r}").format(formats=', '.join(FORMATS), fmt=fmt))
    if paper not in PAPERS:
        raise ValidationError("paper", _("expected A4 or Letter, got {paper!r}").format(paper=paper))
    _check_dates(date_from, date_to)


def _check_dates(date_from: date | None, date_to: date | None) -> None:
    for where, value in (("from", date_from), ("to", date_to)):
        if value is not None and not isinstance(value, date):
            raise ValidationError(where, _("expected a date, got {value!r}").format(value=value))
    if date_from and date_to and date_from > date_to:
        raise ValidationError("from", _("the start {date_from} is after the end {date_to}").format(date_from=date_from, date_to=date_to))


def gather_report(store: Store, *, case_id: int, redact: bool = False, redact_names: Iterable[str] = (),
                  date_from: date | None = None, date_to: date | None = None,
                  include_private_notes: bool = True) -> Report:
    """Read a case into a :class:`Report`, applying the date range, the private-notes choice
    and redaction. Reads only."""
    _check_dates(date_from, date_to)
    case: Case = load_case(store, case_id)
    prefs = settings.get_all(store)
    names = list(redact_names)
    if redact and prefs["your_name"].strip():
        # A copy for sharing in public does not name its author either.
        names.append(prefs["your_name"])
    # The sender's own address, email and phone are masked wherever they appear: in letters
    # (the sender block), in notes, in contacts, in text evidence.
    mask = Redactor(names, enabled=redact, phrases=own_details(
        prefs["your_name"], prefs["your_address"], prefs["your_email"], prefs["your_phone"]))
    with store.read() as session:
        letters = list(session.scalars(
            select(Letter).where(Letter.case_id == case_id, Letter.status == LetterStatus.SENT.value)
            .order_by(Letter.sent_on, Letter.id)
        ))
        session.expunge_all()
    contacts = {c.id: c for c in case.contacts}
    company = case.company.name if case.company else ""

    def in_range(day: date | None) -> bool:
        if day is None:
            return date_from is None and date_to is None
        return (date_from is None or day >= date_from) and (date_to is None or day <= date_to)

    evidence_numbers = {item.id: f"E{i}" for i, item in enumerate(case.evidence, start=1)}
    # Events logged for the same moment keep the order they were logged in.
    timeline = sorted(case.events, key=lambda e: (e.sort_key, e.id))
    event_numbers = {event.id: i for i, event in enumerate(timeline, start=1)}
    chronology: list[ChronologyRow] = []
    for event in timeline:
        when = event.when
        if not in_range(when.day):
            continue
        if not include_private_notes and event.kind == EventKind.NOTE.value:
            continue
        contact = contacts.get(event.contact_id) if event.contact_id else None
        chronology.append(ChronologyRow(
            number=event_numbers[event.id], at=event.at, day=when.day,
            time=when.moment.strftime("%H:%M") if when.moment else "",
            offset=when.moment.strftime("%z")[:3] + ":" + when.moment.strftime("%z")[3:] if when.moment else "",
            kind=value_label(event.kind), direction=direction_label(event.direction),
            who=mask(contact.name if contact else ""), summary=mask(event.summary), details=mask(event.details),
            duration_minutes=event.duration_minutes, waiting_minutes=event.waiting_minutes,
            reference=mask(event.reference), promised_by=event.promised_by,
            evidence=[evidence_numbers[e.id] for e in event.evidence if e.id in evidence_numbers],
            meaning=meaning_of(event) or "",
            amount=str(Money(event.amount, case.currency)) if event.amount is not None else "",
        ))
    shown_events = {row.number for row in chronology}

    evidence: list[EvidenceRow] = []
    for item in case.evidence:
        supports = [f"#{event_numbers[e.id]} ({e.when.day.isoformat()})" for e in item.events if e.id in event_numbers]
        linked_shown = any(event_numbers[e.id] in shown_events for e in item.events if e.id in event_numbers)
        own_day = item.captured_on or item.added_at.date()
        if (date_from or date_to) and not linked_shown and not (not item.events and in_range(own_day)):
            continue
        evidence.append(EvidenceRow(
            number=evidence_numbers[item.id], name=mask(item.original_name), media_type=item.media_type,
            size=item.size, sha256=item.sha256, added=item.added_at.date().isoformat(),
            captured=item.captured_on, description=mask(item.description), supports=supports,
            path=store.evidence.path_for(item.sha256), shareable=not redact or bool(item.shareable),
            key=store.evidence.key,
        ))
        row = evidence[-1]
        if _is_text(item.original_name, item.media_type):
            content, note = read_text_evidence(row.path, item.original_name, item.media_type, row.key)
            row.text, row.text_note = mask(content), note

    letter_rows = [
        LetterRow(subject=mask(letter.subject), sent_on=letter.sent_on, sent_via=value_label(letter.sent_via),
                  tracking=mask(letter.tracking),
                  to=mask(contacts[letter.contact_id].name) if letter.contact_id in contacts else mask(company),
                  body=mask(letter_text(letter.body)))
        for letter in letters if in_range(letter.sent_on) or (letter.sent_on is None and not (date_from or date_to))
    ]
    people = [
        PersonRow(name=mask(c.name), role=mask(c.role), organisation=mask(c.organisation), email=mask(c.email),
                  phone=mask(c.phone), address=mask(c.address),
                  notes=mask(c.notes) if include_private_notes else "")
        for c in case.contacts
    ]

    total = sum(max(r.duration_minutes or 0, r.waiting_minutes or 0) for r in chronology)
    waiting = sum(r.waiting_minutes or 0 for r in chronology)
    spent = ""
    if total:
        spent = (_("{total}, {waiting} of it on hold").format(total=format_duration(total),
                                                              waiting=format_duration(waiting))
                 if waiting else format_duration(total))
    amount = _money(case.amount, case.currency)
    recovered = _money(case.recovered, case.currency)
    report = Report(
        case_id=case.id, title=mask(case.title), company=mask(company),
        company_address=mask(case.company.address) if case.company else "",
        user_name=mask(prefs["your_name"]), user_address="" if redact else prefs["your_address"],
        category=value_label(case.category), status=value_label(case.status), outcome=value_label(case.outcome),
        amount=amount, recovered=recovered, opened_on=case.opened_on,
        references=[mask(r) for r in case.references],
        first_event=chronology[0].day if chronology else None,
        last_event=chronology[-1].day if chronology else None,
        made_at=clock.now(), fingerprint=_fingerprint(store, case.id), summary=[],
        chronology=chronology, letters=letter_rows, people=people, evidence=evidence,
        redacted=redact, date_from=date_from, date_to=date_to, private_notes=include_private_notes,
        notes=mask(case.notes) if include_private_notes else "", time_spent=spent,
        fingerprint_note=_(FINGERPRINT_NOTE).format(case=case.id),
    )
    report.summary = _summary(case, report, mask)
    report.deadlines = _deadlines(store, case, mask)
    return report


def _deadlines(store: Store, case: Case, mask: Redactor) -> Deadlines:
    """The next step as the ladder gives it today (the banner and ``docket next`` show the
    same), with each rule clock's full wording, source and date checked. A resolved or closed
    case lists no clock: its windows are history."""
    from core.escalation import reminders
    from core.escalation.ladder import StepKind
    from core.escalation.rules import DISCLAIMER, NOT_CONFIRMED

    region = case.jurisdiction or ""
    today = clock.today()

    def day(value: date) -> str:
        return _day_words(value, region)

    step = reminders.next_step(store, case_id=case.id)
    closed = step.kind in (StepKind.RESOLVED, StepKind.CLOSED)
    title = "" if closed or step.step is None else step.title
    if title and step.due is not None:
        # A date already passed is not "due": say so, as `docket next` and the banner do.
        title += ", " + (_("overdue since {day}").format(day=day(step.due)) if step.due < today
                         else _("due {day}").format(day=day(step.due)))
    rows: list[ClockRow] = []
    for c in [] if closed else step.clocks:
        if c.opens:
            when = (_("open since {day}") if c.date <= today else _("opens on {day}")).format(day=day(c.date))
        else:
            when = (_("closes on {day}") if c.date >= today else _("closed on {day}")).format(day=day(c.date))
        sentence = c.sentence or c.text
        if sentence.startswith(c.label + ": "):
            # The label is printed just above it: the sentence goes on from there.
            rest = sentence[len(c.label) + 2:]
            sentence = rest[:1].upper() + rest[1:]
        provenance = _("checked {day}").format(day=day(c.checked)) if c.checked is not None else _(NOT_CONFIRMED)
        rows.append(ClockRow(label=mask(c.label), when=when, sentence=mask(sentence),
                             rule_id=c.rule_id, source=mask(c.source), provenance=provenance))
    return Deadlines(as_of=day(today), closed=closed, step=mask(title), reason=mask(step.reason), clocks=rows,
                     disclaimer=_(DISCLAIMER))


def _summary(case: Case, report: Report, mask: Redactor) -> list[str]:
    """The case in a few lines: what was bought, what went wrong, what is asked."""
    lines = []
    region = case.jurisdiction or ""
    opened = _day_words(case.opened_on, region)
    title = report.title.rstrip(".")
    if report.company:
        lines.append(_("{category} dispute with {company}, opened on {day}: {title}.").format(
            category=report.category, company=report.company, day=opened, title=title))
    else:
        lines.append(_("{category} dispute, opened on {day}: {title}.").format(
            category=report.category, day=opened, title=title))
    if case.amount is not None:
        paid = _("Amount in dispute: {amount}").format(amount=report.amount)
        method = _PAID_BY.get(case.payment_method or "")
        if case.payment_method == "direct_debit":
            paid += ", " + _("taken by direct debit")
        elif method:
            paid += ", " + _(method)
        if case.payment_date:
            paid += " " + _("on {day}").format(day=_day_words(case.payment_date, region))
        lines.append(paid + ".")
    if case.impact.strip():
        lines.append(_("Impact: {text}").format(text=mask(case.impact.strip())))
    if case.desired_outcome.strip():
        lines.append(_("Asked for: {text}").format(text=mask(case.desired_outcome.strip())))
    # Money moving (a purchase, a charge, a direct debit, a refund, a bill) and deliveries are
    # not contacts: a direct debit is not the company answering.
    payment, delivery = value_label(EventKind.PAYMENT.value), value_label(EventKind.DELIVERY.value)
    money = [r for r in report.chronology if r.meaning in MONEY_VALUES or r.kind == payment]
    contacts = [r for r in report.chronology if r not in money and r.kind != delivery]
    sent = sum(1 for r in contacts if r.direction == direction_label(Direction.TO_COMPANY.value))
    received = sum(1 for r in contacts if r.direction == direction_label(Direction.FROM_COMPANY.value))
    promises = [r for r in report.chronology if r.promised_by]
    events = len(report.chronology)
    record = _("{events} recorded: {sent} with the company, {received} from it, {money}").format(
        events=ngettext("{n} event", "{n} events", events).format(n=events),
        sent=ngettext("{n} contact", "{n} contacts", sent).format(n=sent), received=received,
        money=ngettext("{n} payment, charge or refund", "{n} payments, charges or refunds",
                       len(money)).format(n=len(money)))
    if promises:
        broken = sum(1 for r in promises if r.promised_by and r.promised_by < clock.today())
        record += "; " + _("{promises} with a date, {broken} of those dates now passed").format(
            promises=ngettext("{n} promise", "{n} promises", len(promises)).format(n=len(promises)), broken=broken)
    lines.append(record + ".")
    if report.time_spent:
        lines.append(_("Time spent on calls, chats and visits: {time}.").format(time=report.time_spent))
    if case.recovered is not None:
        lines.append(_("Recovered so far: {amount}.").format(amount=report.recovered))
    status = report.status + (f" ({report.outcome.lower()})" if report.outcome else "")
    lines.append(_("Status: {status}.").format(status=status))
    return lines



MONEY_VALUES = frozenset(m.value for m in MONEY_MEANINGS)


def _tick(progress: Progress | None, done: int) -> None:
    if progress is not None and progress(done, _STEPS) is False:
        raise Cancelled(_("Export cancelled; no file was written."))


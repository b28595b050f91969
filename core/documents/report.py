"""The case history: one document a bank, an ombudsman or a court can read.

A case is gathered once into a :class:`Report` (plain values, already filtered by date range,
private notes left out if asked, and redacted if asked), then written out as PDF (through the
one renderer, :mod:`core.render`), Markdown or CSV. The window's print preview uses
:func:`build_report_layout`, so preview, paper and PDF are the same layout.

Nothing in the store changes: exporting only reads. Output files appear only when complete.
"""

from __future__ import annotations

import contextlib
import csv
import html
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.domain import clock
from core.domain.errors import DocketError, ValidationError
from core.domain.models import Case, Direction, EventKind, Letter, LetterStatus
from core.domain.money import Money
from core.journal import settings
from core.journal.queries import load_case
from core.store.files import Cancelled
from core.store.store import Store

FORMATS = ("pdf", "md", "csv")
PAPERS = ("A4", "Letter")

# progress(done, total) -> False to cancel
Progress = Callable[[int, int], bool | None]
_STEPS = 1000  # progress is reported on this scale: gathering, images, then pages

THUMB_MM = (34.0, 26.0)  # the box a thumbnail fits in
APPENDIX_MM = (170.0, 215.0)  # the box a full-size image fits in (fits A4 and Letter)
APPENDIX_DPI = 150  # enough to read a photographed receipt; bounds memory per image


# -- redaction --------------------------------------------------------------------------------
_EMAIL = r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"
# Dates and times are kept: they are the backbone of the chronology, not personal data.
_DATE = r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b"
_IBAN = r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"
# A run of digits, possibly grouped by spaces, hyphens or brackets (card numbers, accounts,
# phone numbers, sort codes), not part of a longer word (file names, hashes).
_DIGITS = r"(?<![\w.,])\+?(?:\(\d{1,5}\)[ \u00a0-]?)?\d(?:[ \u00a0-]?\d)+(?![\w])"
_PATTERN = re.compile(f"(?P<email>{_EMAIL})|(?P<date>{_DATE})|(?P<iban>{_IBAN})|(?P<digits>{_DIGITS})")
MIN_MASKED_DIGITS = 6


class Redactor:
    """Masks email addresses, phone numbers, account and card numbers, and chosen names.

    A name is masked as a whole and also word by word (a surname alone, "Ms Smith", must not
    slip through); matching ignores case. When not enabled, text passes through unchanged.
    """

    def __init__(self, names: Iterable[str] = (), *, enabled: bool = True) -> None:
        self.enabled = enabled
        words: set[str] = set()
        for name in names:
            name = " ".join(str(name).split())
            if not name:
                continue
            words.add(name)
            words.update(part for part in re.split(r"[\s,]+", name) if len(part) >= 2)
        # Longest first so "Jane Smith" goes as one mask, not two.
        ordered = sorted(words, key=len, reverse=True)
        self._names = (
            re.compile("|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in ordered), re.IGNORECASE)
            if ordered else None
        )

    def __call__(self, text: str | None) -> str:
        if not text:
            return ""
        if not self.enabled:
            return text
        text = _PATTERN.sub(self._mask, text)
        if self._names is not None:
            text = self._names.sub("[name]", text)
        return text

    @staticmethod
    def _mask(match: re.Match[str]) -> str:
        if match.group("email"):
            return "[email]"
        if match.group("date"):
            return match.group(0)
        if match.group("iban"):
            return "[account]"
        raw = match.group("digits")
        digits = sum(ch.isdigit() for ch in raw)
        if digits < MIN_MASKED_DIGITS:
            return raw
        if raw[0] in "+(" or (raw[0] == "0" and 9 <= digits <= 13):
            return "[phone]"
        return "[number]"


# -- the gathered report ----------------------------------------------------------------------
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


@dataclass(slots=True)
class LetterRow:
    subject: str
    sent_on: date | None
    sent_via: str
    tracking: str
    to: str
    body: str


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

    @property
    def reference(self) -> str:
        """How the running header names the case."""
        return f"Case {self.case_id} · {self.title}"


def label(value: str | None) -> str:
    """An enum value as people read it: ``web_form`` -> ``Web form``."""
    return (value or "").replace("_", " ").capitalize()


DIRECTION_LABELS = {
    Direction.TO_COMPANY.value: "to company",
    Direction.FROM_COMPANY.value: "from company",
    Direction.INTERNAL.value: "own note",
}


def _minutes(m: int | None) -> str:
    if not m:
        return ""
    return f"{m // 60} h {m % 60:02d} min" if m >= 60 else f"{m} min"


def time_text(duration: int | None, waiting: int | None) -> str:
    """"25 min, 18 min on hold" for the chronology's time column."""
    parts = []
    if duration:
        parts.append(_minutes(duration))
    if waiting:
        parts.append(f"{_minutes(waiting)} on hold")
    return ", ".join(parts)


def _money(value: Decimal | None, currency: str) -> str:
    return "not recorded" if value is None else str(Money(value, currency))


def _fingerprint(store: Store) -> str:
    """The revision history's head hash, once the store keeps one."""
    from core.store import revisions as history

    head_hash = getattr(history, "head_hash", None)
    if head_hash is None:
        return ""
    value = head_hash(store)
    return str(value or "")


def _check_options(fmt: str, paper: str, date_from: date | None, date_to: date | None) -> None:
    if fmt not in FORMATS:
        raise ValidationError("format", f"expected one of {', '.join(FORMATS)}, got {fmt!r}")
    if paper not in PAPERS:
        raise ValidationError("paper", f"expected A4 or Letter, got {paper!r}")
    _check_dates(date_from, date_to)


def _check_dates(date_from: date | None, date_to: date | None) -> None:
    for where, value in (("from", date_from), ("to", date_to)):
        if value is not None and not isinstance(value, date):
            raise ValidationError(where, f"expected a date, got {value!r}")
    if date_from and date_to and date_from > date_to:
        raise ValidationError("from", f"the start {date_from} is after the end {date_to}")


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
    mask = Redactor(names, enabled=redact)
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
            kind=label(event.kind), direction=DIRECTION_LABELS.get(event.direction, label(event.direction)),
            who=mask(contact.name if contact else ""), summary=mask(event.summary), details=mask(event.details),
            duration_minutes=event.duration_minutes, waiting_minutes=event.waiting_minutes,
            reference=mask(event.reference), promised_by=event.promised_by,
            evidence=[evidence_numbers[e.id] for e in event.evidence if e.id in evidence_numbers],
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
            path=store.evidence.path_for(item.sha256),
        ))

    letter_rows = [
        LetterRow(subject=mask(letter.subject), sent_on=letter.sent_on, sent_via=label(letter.sent_via),
                  tracking=mask(letter.tracking),
                  to=mask(contacts[letter.contact_id].name) if letter.contact_id in contacts else mask(company),
                  body=mask(letter.body))
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
    spent = _minutes(total) + (f", {_minutes(waiting)} of it on hold" if waiting else "") if total else ""
    amount = _money(case.amount, case.currency)
    recovered = _money(case.recovered, case.currency)
    report = Report(
        case_id=case.id, title=mask(case.title), company=mask(company),
        company_address=mask(case.company.address) if case.company else "",
        user_name=mask(prefs["your_name"]), user_address="" if redact else prefs["your_address"],
        category=label(case.category), status=label(case.status), outcome=label(case.outcome),
        amount=amount, recovered=recovered, opened_on=case.opened_on,
        references=[mask(r) for r in case.references],
        first_event=chronology[0].day if chronology else None,
        last_event=chronology[-1].day if chronology else None,
        made_at=clock.now(), fingerprint=_fingerprint(store), summary=[],
        chronology=chronology, letters=letter_rows, people=people, evidence=evidence,
        redacted=redact, date_from=date_from, date_to=date_to, private_notes=include_private_notes,
        notes=mask(case.notes) if include_private_notes else "", time_spent=spent,
    )
    report.summary = _summary(case, report, mask)
    return report


def _summary(case: Case, report: Report, mask: Redactor) -> list[str]:
    """The case in a few lines: what was bought, what went wrong, what is asked."""
    lines = []
    with_whom = f" with {report.company}" if report.company else ""
    lines.append(f"{report.category} dispute{with_whom}, opened on {case.opened_on.isoformat()}: {report.title}.")
    if case.amount is not None:
        paid = f"Amount in dispute: {report.amount}"
        if case.payment_method:
            paid += f", paid by {label(case.payment_method).lower()}"
        if case.payment_date:
            paid += f" on {case.payment_date.isoformat()}"
        lines.append(paid + ".")
    if case.impact.strip():
        lines.append(f"Impact: {mask(case.impact.strip())}")
    if case.desired_outcome.strip():
        lines.append(f"Asked for: {mask(case.desired_outcome.strip())}")
    sent = sum(1 for r in report.chronology if r.direction == DIRECTION_LABELS[Direction.TO_COMPANY.value])
    received = sum(1 for r in report.chronology if r.direction == DIRECTION_LABELS[Direction.FROM_COMPANY.value])
    promises = [r for r in report.chronology if r.promised_by]
    record = f"{len(report.chronology)} events recorded: {sent} contacts with the company, {received} from it"
    if promises:
        broken = sum(1 for r in promises if r.promised_by and r.promised_by < clock.today())
        record += (f"; {len(promises)} {'promise' if len(promises) == 1 else 'promises'} with a date, "
                   f"{broken} of those dates now passed")
    lines.append(record + ".")
    if report.time_spent:
        lines.append(f"Time spent on calls, chats and visits: {report.time_spent}.")
    if case.recovered is not None:
        lines.append(f"Recovered so far: {report.recovered}.")
    status = report.status + (f" ({report.outcome.lower()})" if report.outcome else "")
    lines.append(f"Status: {status}.")
    return lines


# -- HTML (the PDF and the printed copy) ------------------------------------------------------
STYLE = """
body { color: #1a1a1a; }
h1 { font-size: 14pt; font-weight: 600; margin-top: 22px; margin-bottom: 8px; color: #111; }
h2 { font-size: 11pt; font-weight: 600; margin-top: 14px; margin-bottom: 5px; color: #222; }
p { margin-top: 0; margin-bottom: 5px; }
.cover-title { font-size: 20pt; font-weight: 600; }
.muted { color: #5a5a5a; }
.small { font-size: 8pt; }
.mono { font-family: "Noto Sans Mono", "DejaVu Sans Mono", "Consolas", "Menlo", monospace; font-size: 7.5pt; }
th { font-weight: 600; text-align: left; color: #333; background-color: #ececec; }
td { vertical-align: top; }
.mark { color: #8a1c1c; font-weight: 600; }
"""


def _period(r: Report) -> str:
    return " in this period" if r.date_from or r.date_to else ""


def _e(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def _lines(text: str) -> str:
    return "<br/>".join(_e(line) for line in (text or "").splitlines())


def _mm_px(mm: float) -> int:
    # <img> sizes are CSS pixels (1/96 inch); Qt scales them to the device.
    return round(mm / 25.4 * 96)


def _human_size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def _fit(size: tuple[int, int], box_mm: tuple[float, float]) -> tuple[int, int]:
    """Width and height in CSS pixels that fit ``size`` in the box, keeping its proportions."""
    w, h = size
    bw, bh = _mm_px(box_mm[0]), _mm_px(box_mm[1])
    if w <= 0 or h <= 0:
        return bw, bh
    scale = min(bw / w, bh / h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def _kv(rows: list[tuple[str, str]]) -> str:
    cells = "".join(
        f'<tr><td width="30%" class="muted">{_e(k)}</td><td>{v}</td></tr>' for k, v in rows if v
    )
    return f'<table width="100%" cellspacing="0" cellpadding="3">{cells}</table>'


def _cover_html(r: Report) -> str:
    period = ""
    if r.date_from or r.date_to:
        period = f"{r.date_from.isoformat() if r.date_from else 'the start'} to {r.date_to.isoformat() if r.date_to else 'today'}"
    rows = [
        ("Company", _e(r.company) + (f"<br/><span class='muted'>{_lines(r.company_address)}</span>" if r.company_address else "")),
        ("Prepared by", _e(r.user_name) + (f"<br/><span class='muted'>{_lines(r.user_address)}</span>" if r.user_address else "")),
        ("Category", _e(r.category)),
        ("Status", _e(r.status + (f" ({r.outcome.lower()})" if r.outcome else ""))),
        ("Amount in dispute", _e(r.amount)),
        ("Recovered", _e(r.recovered)),
        ("Opened on", _e(r.opened_on.isoformat())),
        ("References", _e(", ".join(r.references))),
        ("First event", _e(r.first_event.isoformat() if r.first_event else "none")),
        ("Last event", _e(r.last_event.isoformat() if r.last_event else "none")),
        ("Period covered", _e(period)),
        ("Events / evidence", _e(f"{len(r.chronology)} events, {len(r.evidence)} evidence files")),
        ("Document made", _e(r.made_at.strftime("%Y-%m-%d %H:%M UTC"))),
        ("Integrity fingerprint", f"<span class='mono'>{_e(r.fingerprint)}</span>" if r.fingerprint else ""),
    ]
    notes = []
    if r.redacted:
        notes.append("Redacted copy: email addresses, phone numbers, account and card numbers and "
                     "chosen names are masked.")
    if not r.private_notes:
        notes.append("Private notes are left out of this copy.")
    notice = "".join(f"<p class='mark'>{_e(n)}</p>" for n in notes)
    return (f"<p class='muted small'>CASE HISTORY · CASE {r.case_id}</p>"
            f"<h1><span class='cover-title'>{_e(r.title)}</span></h1>"
            f"{notice}{_kv(rows)}"
            "<p class='muted small' style='margin-top: 14px'>Made with Docket from the user's own record of this case. "
            "Every evidence file is identified by its SHA-256 hash; a copy of a file with the same "
            "hash is byte for byte the original.</p>")


def _chronology_html(r: Report) -> str:
    if not r.chronology:
        return f"<p class='muted'>No events{_period(r)}.</p>"
    head = ("<thead><tr><th width='4%'>#</th><th width='12%'>Date</th><th width='8%'>Kind</th>"
            "<th width='10%'>Direction</th><th width='10%'>Who</th><th width='28%'>What happened</th>"
            "<th width='12%'>Time</th><th width='10%'>Reference</th><th width='6%'>Files</th></tr></thead>")
    out: list[str] = []
    month = None
    body: list[str] = []

    def flush() -> None:
        if body:
            out.append("<table width='100%' cellspacing='0' cellpadding='3' class='small'>"
                       f"{head}{''.join(body)}</table>")
            body.clear()

    for i, row in enumerate(r.chronology):
        key = row.day.strftime("%B %Y")
        if key != month:
            flush()
            out.append(f"<h2>{_e(key)}</h2>")
            month = key
        shade = " bgcolor='#f6f6f6'" if i % 2 else ""
        when = row.day.isoformat() + (f"<br/>{row.time} <span class='muted'>{row.offset}</span>" if row.time else "")
        what = f"<b>{_e(row.summary)}</b>"
        if row.details:
            what += f"<br/>{_lines(row.details)}"
        if row.promised_by:
            what += f"<br/><span class='muted'>Promised by {row.promised_by.isoformat()}</span>"
        body.append(
            f"<tr{shade}><td class='muted'>{row.number}</td><td>{when}</td><td>{_e(row.kind)}</td>"
            f"<td>{_e(row.direction)}</td><td>{_e(row.who)}</td><td>{what}</td>"
            f"<td>{_time_cell(row.duration_minutes, row.waiting_minutes)}</td>"
            f"<td>{_e(row.reference)}</td><td>{_e(', '.join(row.evidence))}</td></tr>"
        )
    flush()
    return "".join(out)


def _time_cell(duration: int | None, waiting: int | None) -> str:
    lines = [_e(_minutes(duration))] if duration else []
    if waiting:
        lines.append(f"<span class='muted'>{_e(_minutes(waiting))} on hold</span>")
    return "<br/>".join(lines)


def _letters_html(r: Report) -> str:
    out = []
    for letter in r.letters:
        sent = letter.sent_on.isoformat() if letter.sent_on else "date not recorded"
        meta = ", ".join(x for x in (f"sent {sent}", f"to {letter.to}" if letter.to else "",
                                      f"via {letter.sent_via.lower()}" if letter.sent_via else "",
                                      f"tracking {letter.tracking}" if letter.tracking else "") if x)
        out.append(f"<h2>{_e(letter.subject or 'Letter')}</h2><p class='muted small'>{_e(meta)}</p>"
                   f"<p>{_lines(letter.body)}</p>")
    return "".join(out) or f"<p class='muted'>No letters sent{_period(r)}.</p>"


def _people_html(r: Report) -> str:
    if not r.people:
        return "<p class='muted'>No contacts recorded.</p>"
    rows = "".join(
        f"<tr><td><b>{_e(p.name)}</b></td><td>{_e(p.role)}</td><td>{_e(p.organisation)}</td>"
        f"<td>{'<br/>'.join(_e(x) for x in (p.email, p.phone) if x)}</td><td>{_lines(p.address)}"
        f"{'<br/><span class=muted>' + _lines(p.notes) + '</span>' if p.notes else ''}</td></tr>"
        for p in r.people
    )
    return ("<table width='100%' cellspacing='0' cellpadding='3' class='small'><thead><tr><th>Name</th><th>Role</th>"
            f"<th>Organisation</th><th>Email / phone</th><th>Address, notes</th></tr></thead>{rows}</table>")


@dataclass(slots=True)
class _Images:
    """Thumbnails kept in memory, and what the appendix loads lazily."""

    thumbs: dict[str, Any] = field(default_factory=dict)  # name -> QImage
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)  # evidence number -> pixels
    full: dict[str, tuple[Path, tuple[int, int]]] = field(default_factory=dict)  # url -> (file, px)
    notes: dict[str, str] = field(default_factory=dict)  # evidence number -> why no preview


def _pdf_first_page(path: Path, box_px: tuple[int, int]) -> Any:
    """The first page of a PDF as an image, drawn by poppler's pdftoppm where installed
    (Qt's PDF module is not part of PySide6-Essentials)."""
    from PySide6.QtGui import QImage

    tool = shutil.which("pdftoppm")
    if tool is None:
        return None
    with tempfile.TemporaryDirectory(prefix="docket-thumb-") as tmp:
        target = Path(tmp) / "page"
        try:
            subprocess.run(
                [tool, "-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to", str(max(box_px) * 2),
                 str(path), str(target)],
                check=True, capture_output=True, timeout=20,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        image = QImage(str(target) + ".png")
        return None if image.isNull() else image


def _open_image(path: Path, box_px: tuple[int, int]) -> tuple[Any, tuple[int, int]] | None:
    """A reader for an image, set to decode it no larger than ``box_px``, and the image's
    upright size; None if Qt cannot read the format.

    Run this on one thread (it touches Qt enums, which PySide does not make thread-safe);
    ``reader.read()`` may then run on any thread, one reader per thread.
    """
    from PySide6.QtCore import QSize, Qt
    from PySide6.QtGui import QImageIOHandler, QImageReader

    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    raw = reader.size()
    if not raw.isValid():
        return None
    # The reader scales before it turns the image upright (EXIF orientation); JPEGs are
    # decoded straight at a fraction of their size, which is what makes this fast.
    turned = bool(reader.transformation() & QImageIOHandler.Transformation.TransformationRotate90)
    upright = QSize(raw.height(), raw.width()) if turned else raw
    target = upright.scaled(QSize(*box_px), Qt.AspectRatioMode.KeepAspectRatio)
    if target.width() < upright.width():
        reader.setScaledSize(QSize(target.height(), target.width()) if turned else target)
    return reader, (upright.width(), upright.height())


def _read_image(reader: Any) -> Any:
    image = reader.read()
    return None if image.isNull() else image


def _load_images(r: Report, appendix: bool, progress: Callable[[int, int], None]) -> _Images:
    found = _Images()
    box = (_mm_px(THUMB_MM[0]) * 2, _mm_px(THUMB_MM[1]) * 2)  # twice over: sharp on paper
    jobs: list[tuple[EvidenceRow, Callable[[], Any]]] = []
    for item in r.evidence:
        if item.media_type == "application/pdf":
            jobs.append((item, lambda item=item: _pdf_first_page(item.path, box)))
        elif item.media_type.startswith("image/"):
            opened = _open_image(item.path, box)
            if opened is None:
                found.notes[item.number] = "no preview: image format not readable here"
                continue
            reader, size = opened
            found.sizes[item.number] = size
            jobs.append((item, lambda reader=reader: _read_image(reader)))
    # Decoding photos is most of the work, and Qt releases the GIL while it decodes.
    with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 2))) as pool:
        results = pool.map(lambda job: job[1](), jobs)
        for i, ((item, _job), image) in enumerate(zip(jobs, results, strict=True)):
            progress(i, len(jobs))
            if image is None:
                found.notes[item.number] = ("no preview of PDF pages on this system"
                                            if item.media_type == "application/pdf" else "no preview: unreadable image")
                found.sizes.pop(item.number, None)
                continue
            found.thumbs[f"docket-thumb:{item.number}"] = image
            if item.media_type == "application/pdf":
                found.sizes[item.number] = (image.width(), image.height())
            elif appendix:
                found.full[f"docket-full:{item.number}"] = (item.path, found.sizes[item.number])
    return found


def _full_image(path: Path) -> Callable[[], Any]:
    """Prepare an appendix image for reading at print resolution, when its page is near."""

    def prepare() -> Any:
        limit = (round(APPENDIX_MM[0] / 25.4 * APPENDIX_DPI), round(APPENDIX_MM[1] / 25.4 * APPENDIX_DPI))
        opened = _open_image(path, limit)
        return None if opened is None else opened[0]

    return prepare


def _evidence_html(r: Report, images: _Images) -> str:
    if not r.evidence:
        return f"<p class='muted'>No evidence files{_period(r)}.</p>"
    rows = []
    for item in r.evidence:
        name = f"docket-thumb:{item.number}"
        if name in images.thumbs:
            w, h = _fit(images.sizes[item.number], THUMB_MM)
            thumb = f"<img src='{name}' width='{w}' height='{h}'/>"
        else:
            thumb = f"<span class='muted small'>{_e(images.notes.get(item.number, ''))}</span>"
        facts = [
            f"<b>{_e(item.number)} · {_e(item.name)}</b>",
            _e(f"{item.media_type}, {_human_size(item.size)}"),
            _e(f"added {item.added}" + (f", captured {item.captured.isoformat()}" if item.captured else "")),
            f"<span class='mono'>SHA-256 {_e(item.sha256)}</span>",
        ]
        if item.description:
            facts.append(_e(item.description))
        if item.supports:
            facts.append(_e("supports events " + ", ".join(item.supports)))
        # A grey mat around the thumbnail keeps a white page visible on white paper.
        mat = " bgcolor='#eeeeee' align='center'" if name in images.thumbs else ""
        rows.append(f"<tr><td width='28%'{mat}>{thumb}</td><td width='2%'></td><td>{'<br/>'.join(facts)}</td></tr>")
    return f"<table width='100%' cellspacing='4' cellpadding='4' class='small'>{''.join(rows)}</table>"


def _appendix_html(r: Report, images: _Images) -> str:
    out: list[str] = []
    for item in r.evidence:
        url = f"docket-full:{item.number}"
        if url not in images.full:
            continue
        w, h = _fit(images.full[url][1], APPENDIX_MM)
        # One image per page; the first shares its page with the appendix's title.
        brk = " style='page-break-before: always'" if out else ""
        out.append(f"<h2{brk}>{_e(item.number)} · {_e(item.name)}</h2>"
                   f"<p class='mono'>SHA-256 {_e(item.sha256)}</p><p><img src='{url}' width='{w}' height='{h}'/></p>")
    if not out:
        return ""
    return "<h1 style='page-break-before: always'>Appendix: images</h1>" + "".join(out)


def report_html(r: Report, images: _Images) -> str:
    """The whole document as the HTML subset Qt's text engine lays out."""
    summary = "".join(f"<p>{_e(line)}</p>" for line in r.summary)
    if r.notes:
        summary += f"<h2>Notes</h2><p>{_lines(r.notes)}</p>"
    parts = [
        f"<html><head><style>{STYLE}</style></head><body>",
        _cover_html(r),
        "<h1 style='page-break-before: always'>Summary</h1>", summary,
        "<h1>Chronology</h1>", _chronology_html(r),
        "<h1 style='page-break-before: always'>Correspondence</h1>", _letters_html(r),
        "<h1>People</h1>", _people_html(r),
        "<h1>Evidence index</h1>", _evidence_html(r, images),
        _appendix_html(r, images),
        "</body></html>",
    ]
    return "".join(parts)


@dataclass(slots=True)
class ReportLayout:
    """What the renderer needs: the HTML, its images, the running header and footer, and the
    PDF's metadata. :meth:`document` builds the QTextDocument for a print preview."""

    report: Report
    html: str
    images: dict[str, Any]
    lazy_images: dict[str, Callable[[], Any]]
    running: Any  # core.render.Running
    info: Any  # core.render.PdfInfo

    def document(self) -> Any:
        from core.documents.render import make_document

        return make_document(self.html, images=self.images, lazy_images=self.lazy_images)


def build_report_html(store: Store, *, case_id: int, redact: bool = False, redact_names: Iterable[str] = (),
                      date_from: date | None = None, date_to: date | None = None,
                      include_private_notes: bool = True, appendix: bool = True) -> str:
    """The case history as HTML for Qt's text engine. Images are named ``docket-thumb:E1`` and
    ``docket-full:E1``; to render them, use :func:`build_report_layout`. Reads only."""
    return build_report_layout(store, case_id=case_id, redact=redact, redact_names=redact_names,
                               date_from=date_from, date_to=date_to,
                               include_private_notes=include_private_notes, appendix=appendix).html


def build_report_layout(store: Store, *, case_id: int, redact: bool = False, redact_names: Iterable[str] = (),
                        date_from: date | None = None, date_to: date | None = None,
                        include_private_notes: bool = True, appendix: bool = True,
                        progress: Progress | None = None) -> ReportLayout:
    """Gather a case and lay its history out for the renderer: the HTML with its images, the
    running header and footer and the PDF metadata. The print preview, the printer and the
    PDF all draw ``layout.document()``. Reads only. Raises :class:`~core.evidence.Cancelled`
    if ``progress`` returns False."""
    from core.documents.render import PdfInfo, Running, ensure_gui_app

    ensure_gui_app()
    report = gather_report(store, case_id=case_id, redact=redact, redact_names=redact_names,
                           date_from=date_from, date_to=date_to, include_private_notes=include_private_notes)
    _tick(progress, 50)

    def image_progress(done: int, total: int) -> None:
        _tick(progress, 50 + 250 * done // max(total, 1))

    images = _load_images(report, appendix, image_progress)
    made = report.made_at.strftime("%Y-%m-%d")
    running = Running(
        header_left=report.reference,
        header_right="Redacted copy" if report.redacted else (report.company or "Case history"),
        footer_left=f"Case history made {made} with Docket",
    )
    info = PdfInfo(
        title=f"Case history: {report.title}",
        author=report.user_name,
        subject=f"Dispute with {report.company}" if report.company else "Dispute",
        keywords="case history" + (", redacted" if report.redacted else ""),
        created=report.made_at,
    )
    lazy = {url: _full_image(path) for url, (path, _size) in images.full.items()}
    return ReportLayout(report, report_html(report, images), images.thumbs, lazy, running, info)


def _tick(progress: Progress | None, done: int) -> None:
    if progress is not None and progress(done, _STEPS) is False:
        raise Cancelled("Export cancelled; no file was written.")


# -- Markdown and CSV ---------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str | None) -> str:
    """Inline Markdown text: special characters escaped, line breaks kept inside table cells."""
    return _MD_SPECIAL.sub(r"\\\1", text or "").replace("\r", "").replace("\n", "<br>")


def report_markdown(r: Report) -> str:
    """The case history as readable Markdown (same sections as the PDF, without images)."""
    out = [f"# Case history: {_md(r.title)}", ""]
    if r.redacted:
        out += ["*Redacted copy: email addresses, phone numbers, account and card numbers and chosen names are masked.*", ""]
    if not r.private_notes:
        out += ["*Private notes are left out of this copy.*", ""]
    facts = [
        ("Case", str(r.case_id)), ("Company", r.company), ("Prepared by", r.user_name),
        ("Category", r.category), ("Status", r.status + (f" ({r.outcome.lower()})" if r.outcome else "")),
        ("Amount in dispute", r.amount), ("Recovered", r.recovered), ("Opened on", r.opened_on.isoformat()),
        ("References", ", ".join(r.references)),
        ("First event", r.first_event.isoformat() if r.first_event else "none"),
        ("Last event", r.last_event.isoformat() if r.last_event else "none"),
        ("Document made", r.made_at.strftime("%Y-%m-%d %H:%M UTC")),
        ("Integrity fingerprint", f"`{r.fingerprint}`" if r.fingerprint else ""),
    ]
    out += ["| | |", "|---|---|"] + [f"| {k} | {v if k == 'Integrity fingerprint' else _md(v)} |" for k, v in facts if v]
    out += ["", "## Summary", ""] + [_md(line) + "  " for line in r.summary]
    if r.notes:
        out += ["", "### Notes", "", _md(r.notes)]
    out += ["", "## Chronology", ""]
    if r.chronology:
        out += ["| # | Date | Kind | Direction | Who | What happened | Time | Reference | Evidence |",
                "|---:|---|---|---|---|---|---|---|---|"]
        for row in r.chronology:
            when = row.day.isoformat() + (f" {row.time} {row.offset}" if row.time else "")
            what = f"**{_md(row.summary)}**" + (f"<br>{_md(row.details)}" if row.details else "")
            if row.promised_by:
                what += f"<br>Promised by {row.promised_by.isoformat()}"
            out.append(f"| {row.number} | {when} | {_md(row.kind)} | {_md(row.direction)} | {_md(row.who)} | {what} | "
                       f"{time_text(row.duration_minutes, row.waiting_minutes)} | {_md(row.reference)} | "
                       f"{', '.join(row.evidence)} |")
    else:
        out.append(f"No events{_period(r)}.")
    out += ["", "## Correspondence", ""]
    for letter in r.letters:
        sent = letter.sent_on.isoformat() if letter.sent_on else "date not recorded"
        out += [f"### {_md(letter.subject or 'Letter')}", "", f"*Sent {sent}" + (f", to {_md(letter.to)}" if letter.to else "")
                + (f", via {_md(letter.sent_via.lower())}" if letter.sent_via else "") + "*", ""]
        out += [("> " + _MD_SPECIAL.sub(r"\\\1", line)) if line.strip() else ">" for line in letter.body.splitlines()]
        out.append("")
    if not r.letters:
        out.append(f"No letters sent{_period(r)}.")
    out += ["", "## People", ""]
    if r.people:
        out += ["| Name | Role | Organisation | Email | Phone | Address | Notes |", "|---|---|---|---|---|---|---|"]
        out += [f"| {_md(p.name)} | {_md(p.role)} | {_md(p.organisation)} | {_md(p.email)} | {_md(p.phone)} | "
                f"{_md(p.address)} | {_md(p.notes)} |" for p in r.people]
    else:
        out.append("No contacts recorded.")
    out += ["", "## Evidence index", ""]
    if r.evidence:
        out += ["| No. | File | Type | Size | SHA-256 | Added | Captured | Supports |", "|---|---|---|---:|---|---|---|---|"]
        out += [f"| {e.number} | {_md(e.name)} | {_md(e.media_type)} | {e.size:,} | `{e.sha256}` | {e.added} | "
                f"{e.captured.isoformat() if e.captured else ''} | {', '.join(e.supports)} |" for e in r.evidence]
    else:
        out.append(f"No evidence files{_period(r)}.")
    out.append("")
    return "\n".join(out)


CSV_COLUMNS = ["number", "date", "time", "utc_offset", "kind", "direction", "who", "summary", "details",
               "duration_minutes", "waiting_minutes", "reference", "promised_by", "evidence"]


def _cell(text: str) -> str:
    # A spreadsheet would run a cell starting with these as a formula (text pasted from a
    # company's email could do anything); a leading apostrophe keeps it as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_chronology_csv(r: Report, fh: Any) -> None:
    """The chronology, one row per event, with a header row."""
    writer = csv.writer(fh)
    writer.writerow(CSV_COLUMNS)
    for row in r.chronology:
        writer.writerow([
            row.number, row.day.isoformat(), row.time, row.offset, row.kind, row.direction, _cell(row.who),
            _cell(row.summary), _cell(row.details), row.duration_minutes if row.duration_minutes is not None else "",
            row.waiting_minutes if row.waiting_minutes is not None else "", _cell(row.reference),
            row.promised_by.isoformat() if row.promised_by else "", " ".join(row.evidence),
        ])


# -- the one entry point ------------------------------------------------------------------------
def export_case_report(store: Store, *, case_id: int, fmt: str, out: Path, redact: bool = False,
                       redact_names: Iterable[str] = (), date_from: date | None = None,
                       date_to: date | None = None, include_private_notes: bool = True, paper: str = "A4",
                       appendix: bool = True, progress: Progress | None = None) -> Path:
    """Write a case's history to ``out`` as ``pdf``, ``md`` (Markdown) or ``csv`` (the
    chronology). Returns ``out``.

    Reads only: the store is not changed. The file appears only when complete; on an error or
    a cancel (``progress(done, total)`` returning False raises
    :class:`~core.evidence.Cancelled`) nothing is left behind. ``appendix`` adds full-size
    images at the end of a PDF.
    """
    _check_options(fmt, paper, date_from, date_to)
    out = Path(out)
    if not out.parent.is_dir():
        raise DocketError(f"Cannot write {out}: the folder {out.parent} does not exist.")
    if out.is_dir():
        raise DocketError(f"Cannot write {out}: it is a folder.")
    if fmt == "pdf":
        from core.documents.render import RenderCancelled, document_to_pdf

        layout = build_report_layout(store, case_id=case_id, redact=redact, redact_names=redact_names,
                                   date_from=date_from, date_to=date_to,
                                   include_private_notes=include_private_notes, appendix=appendix,
                                   progress=progress)
        doc = layout.document()
        _tick(progress, 320)

        def page_progress(done: int, total: int) -> bool:
            return not (progress is not None and progress(320 + 680 * done // max(total, 1), _STEPS) is False)

        try:
            document_to_pdf(doc, out, paper=paper, running=layout.running, info=layout.info, progress=page_progress)
        except RenderCancelled:
            raise Cancelled("Export cancelled; no file was written.") from None
        except OSError as exc:
            raise DocketError(f"Cannot write {out}: {exc.strerror or exc}") from None
        return out

    report = gather_report(store, case_id=case_id, redact=redact, redact_names=redact_names,
                           date_from=date_from, date_to=date_to, include_private_notes=include_private_notes)
    _tick(progress, 500)
    fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=".docket-", suffix="." + fmt)
    tmp = Path(tmp_name)
    try:
        if fmt == "md":
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(report_markdown(report))
        else:
            # utf-8-sig: spreadsheets on Windows read the file as UTF-8 only with the mark.
            with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
                write_chronology_csv(report, fh)
        os.replace(tmp, out)
    except OSError as exc:
        raise DocketError(f"Cannot write {out}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    _tick(progress, _STEPS)
    return out

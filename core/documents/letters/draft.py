"""Drafting a letter: the facts of a case turned into what a template sees, and the render.

A fact the letter needs but the case lacks is written as ``[missing: ...]`` and listed in
:attr:`Draft.missing`; the letter never shows a silent blank or ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from jinja2.exceptions import SecurityError, TemplateError
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from core.documents.html_text import html_to_text
from core.documents.letters.templates import (
    EU_MEMBERS,
    LetterTemplate,
    _environment,
    _read_sources,
    _template_error,
    country_of,
    find_template,
    list_templates,
    render_limited,
)
from core.documents.wording import (
    HOW,
    KIND_WORDS,
    LANGUAGES,
    NBSP,
    PAYMENT_WORDS,
    STORY,
    STORY_WORDS,
    THE_COMPANY,
    WORDS,
    format_date,
    format_minutes,
    format_money,
    format_when,
    greeting_and_sign_off,
    is_us,
    missing_marker,
    missing_prefixes,
    phrase,
)
from core.domain import clock
from core.domain.errors import DocketError, NotFoundError, ValidationError
from core.domain.meaning import MESSAGE_KINDS, plain_reading
from core.domain.models import (
    COMPLAINT_MEANINGS,
    REPLY_MEANINGS,
    Case,
    Contact,
    Direction,
    Event,
    EventKind,
    EventMeaning,
    Evidence,
    Letter,
    PaymentMethod,
    Status,
)
from core.journal import settings as settings_mod
from core.journal.cases import text
from core.store.store import Store

# Facts a letter may need that the case does not hold (card digits, issuer, ...): kept in the
# letter's options and offered in the editor. Key -> label used in the [missing: ...] marker.
EXTRA_FACTS = {
    "card_last4": "last four digits of the card",
    "card_issuer": "card issuer's name",
    "card_issuer_address": "card issuer's postal address",
    "cardholder": "cardholder's name",
    "purchase": "what you bought",
    "statement_date": "date of the statement showing the charge",
    "platform": "platform name (e.g. PayPal)",
    "platform_case": "platform dispute or case number",
    "regulator": "regulator or ombudsman",
    "regulator_address": "regulator or ombudsman postal address",
    "regulator_reference": "your reference with the regulator",
    "court": "court you would file in",
}


def off_weekend(day: date) -> date:
    """Move a deadline that falls on a Saturday or Sunday to the Monday after."""
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def reply_deadline(start: date, days: int) -> date:
    """The reply-by date: ``days`` after ``start``, never on a weekend."""
    return off_weekend(start + timedelta(days=days))


@dataclass(frozen=True, slots=True)
class Draft:
    """A rendered letter: the HTML for layout and PDF, its plain text, and what is missing."""

    subject: str
    html: str
    text: str
    missing: list[str]
    reply_by: date
    template: LetterTemplate
    language: str = "en"
    contact_id: int | None = None
    event_ids: tuple[int, ...] = ()
    evidence_ids: tuple[int, ...] = ()
    facts: dict[str, str] = field(default_factory=dict)


class _Missing:
    """Collects the facts a render needed and did not have, in order of first use. The
    marker in the letter is in the letter's language; :attr:`labels` stay in English."""

    def __init__(self, language: str = "en") -> None:
        self.labels: list[str] = []
        self.language = language

    def marker(self, label: str) -> Markup:
        if label not in self.labels:
            self.labels.append(label)
        return Markup('<span style="background-color:#ffe08a;">{}</span>').format(
            missing_marker(label, self.language))

    def need(self, value: Any, label: str) -> Any:
        """``value`` when it holds something, else a visible marker (and the fact is listed)."""
        if value is None or (isinstance(value, (str, list, tuple, dict)) and not value):
            return self.marker(str(label))
        return value


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _sentence_of(text: str) -> str:
    """The user's own words as one sentence: capitalised, ending with a full stop."""
    out = " ".join(text.split())
    if not out:
        return ""
    out = out[:1].upper() + out[1:]
    return out if out.endswith((".", "!", "?", "…")) else out + "."


def event_sentence(event: Event, language: str, *, company: str = "", direct_debit: bool = False,
                   currency: str = "EUR", sent_to: str = "") -> str:
    """The sentence a person writes for an event, chosen by what the event means.

    ``company`` is the company's name when the reader is someone else (a card issuer, an
    ombudsman); otherwise the company is "you". A charge says the company took the money (a
    direct debit says so), a purchase that the writer paid, a refund that money came back.
    Empty for a private note, which has no lead sentence.
    """
    phrases = STORY.get(language, STORY["en"])
    if sent_to:
        # A letter Docket sent to a card issuer, a platform or a regulator.
        return phrases[f"letter_to_{sent_to}"][0]
    how = HOW.get(language, HOW["en"]).get(event.kind, "")
    meaning = event.meaning or plain_reading(event.kind, event.direction)
    key: str
    if meaning is not None:
        key = str(meaning)
        if key == EventMeaning.CHARGE and direct_debit:
            key = "debit"
    elif event.kind == EventKind.DELIVERY:
        key = {"from_company": "delivery_from", "to_company": "delivery_to"}.get(event.direction, "delivery")
    elif event.direction in ("to_company", "from_company"):
        key = event.direction
    else:
        return ""
    amount = ""
    if event.amount is not None and f"{key}_amount" in phrases:
        key, amount = f"{key}_amount", format_money(event.amount, currency, language)
    if key not in phrases:
        key = {"to_company": "to_company", "from_company": "from_company"}.get(event.direction, "to_company")
    pattern = phrases[key][1 if company else 0]
    out = pattern.format(co=company, how=how, amount=amount)
    # Collapse the space an empty {how} leaves; plain spaces only (amounts hold no-break ones).
    return re.sub(r" {2,}", " ", out.replace(" .", ".")).strip()


def _chronology(events: Sequence[Event], language: str, company: str = "", *, direct_debit: bool = False,
                currency: str = "EUR", jurisdiction: str = "", sent_to: dict[int, str] | None = None,
                ) -> list[dict[str, Any]]:
    """Each event as a few sentences: what it was (by its meaning, in the letter's language),
    then the user's own words, then the facts kept with it (waiting, duration, promise,
    reference). ``company`` is named when the reader is not the company itself."""
    words = STORY_WORDS.get(language, STORY_WORDS["en"])
    out = []
    for event in events:
        lead = event_sentence(event, language, company=company, direct_debit=direct_debit, currency=currency,
                              sent_to=(sent_to or {}).get(event.id, ""))
        sentences = [lead] if lead else []
        summary = _sentence_of(event.summary)
        if summary:
            sentences.append(summary)
        if event.details.strip():
            sentences.append(_sentence_of(event.details))
        if event.contact is not None:
            who = event.contact.name + (f", {event.contact.role}" if event.contact.role else "")
            sentences.append(words["contact_from" if event.direction == "from_company" else "contact"].format(who=who))
        if event.waiting_minutes:
            waited = "waited_visit" if event.kind == EventKind.VISIT else "waited"
            sentences.append(words[waited].format(m=format_minutes(event.waiting_minutes, language)))
        if event.duration_minutes and event.kind in (EventKind.CALL, EventKind.VISIT, EventKind.CHAT):
            sentences.append(words["lasted"].format(m=format_minutes(event.duration_minutes, language)))
        if event.promised_by:
            sentences.append(words["promised"].format(d=format_date(event.promised_by, language, jurisdiction)))
        if event.reference:
            sentences.append(words["reference"].format(r=event.reference))
        when = event.when
        out.append({
            "id": event.id, "date": format_when(when, language, jurisdiction), "day": when.day,
            "kind": event.kind, "direction": event.direction, "meaning": event.meaning or "",
            "lead": lead, "text": " ".join(sentences),
            "summary": event.summary, "who": event.contact.name if event.contact else "",
            "promised_by": format_date(event.promised_by, language, jurisdiction) if event.promised_by else "",
        })
    return out


def _load(session: Session, case_id: int) -> Case:
    """The case with its company, contacts and evidence; its events are read apart (a case
    may have thousands, and a letter cites a few)."""
    case = session.scalars(
        select(Case).where(Case.id == case_id).options(
            selectinload(Case.company), selectinload(Case.contacts), selectinload(Case.evidence),
        )
    ).first()
    if case is None:
        raise NotFoundError(f"There is no case {case_id}.")
    return case


_CITED = (Event.direction != Direction.INTERNAL) | Event.kind.in_(
    [EventKind.PAYMENT.value, EventKind.DELIVERY.value, EventKind.PROMISE.value])


def _events(session: Session, case_id: int, event_ids: Iterable[int] | None) -> list[Event]:
    """The events to cite, in date order: those chosen, or every exchange with the company."""
    stmt = select(Event).where(Event.case_id == case_id).options(selectinload(Event.contact))
    if event_ids is None:
        stmt = stmt.where(_CITED)
    else:
        wanted = list(dict.fromkeys(event_ids))
        stmt = stmt.where(Event.id.in_(wanted))
    events = list(session.scalars(stmt.order_by(Event.sort_key, Event.id)))
    if event_ids is not None and len(events) != len(wanted):
        unknown = sorted(set(wanted) - {e.id for e in events})
        raise ValidationError("events", f"{unknown[0]} is not one of case {case_id}'s events")
    return events


_CONTACT_MEANINGS = (EventMeaning.COMPLAINT.value, EventMeaning.FORMAL_COMPLAINT.value,
                     EventMeaning.CANCELLATION.value)


@dataclass(frozen=True, slots=True)
class Story:
    """The moments a letter refers to, read from the whole timeline by meaning (never by
    direction alone: a purchase is not a complaint, a direct debit is not a reply)."""

    first_complaint: Event | None
    formal_complaint: Event | None
    last_reply: Event | None
    last_offer: Event | None  # the company's latest partial offer (a refusal is not an offer)
    final_response: Event | None
    last_contact: Event | None  # the writer's latest message to the company (not a payment)
    problem: Event | None
    resolved: Event | None


def meaning_of(event: Event) -> str | None:
    """What an event means: as recorded, else what its kind and direction say without doubt
    (:func:`core.domain.meaning.plain_reading`); a letter never calls a plain contact a
    complaint. Older stores and version 1 case files had their meanings read when they were
    upgraded or imported."""
    if event.meaning:
        return event.meaning
    plain = plain_reading(event.kind, event.direction)
    return plain.value if plain is not None else None


_GUESSABLE = [k.value for k in MESSAGE_KINDS] + [EventKind.PAYMENT.value, EventKind.PROMISE.value]


def letters_to_others(session: Session, case_id: int) -> dict[int, str]:
    """Timeline events that record a letter sent to someone other than the company (a card
    issuer, a platform, a regulator), by event id: ``card_issuer``, ``platform`` or
    ``regulator``. Such a letter is not a complaint to the company."""
    rows = session.execute(
        select(Letter.event_id, Letter.template_id, func.json_extract(Letter.options, "$.step"))
        .where(Letter.case_id == case_id, Letter.event_id.is_not(None))
    ).all()
    out: dict[int, str] = {}
    for event_id, template_id, step in rows:
        if step == "regulator":
            out[event_id] = "regulator"
        elif step == "payment_dispute":
            out[event_id] = "platform" if template_id == "platform_dispute" else "card_issuer"
    return out


def _edge(session: Session, case_id: int, others: dict[int, str], wanted: Iterable[str], last: bool,
          where: Any = None, plain: bool = False) -> Event | None:
    """The first or last event whose meaning is one of ``wanted``, found through the
    timeline's index; events without a recorded meaning count by their plain reading, and
    with ``plain`` an event that has none (a plain contact) counts too. ``others``: the
    case's :func:`letters_to_others`, which never count."""
    wanted = frozenset(wanted)
    order = (Event.sort_key.desc(), Event.id.desc()) if last else (Event.sort_key, Event.id)
    unmarked = Event.meaning.is_(None) if plain else (Event.meaning.is_(None) & Event.kind.in_(_GUESSABLE))
    stmt = select(Event).where(Event.case_id == case_id, Event.meaning.in_(wanted) | unmarked)
    if where is not None:
        stmt = stmt.where(where)
    for event in session.scalars(stmt.order_by(*order).execution_options(yield_per=100)):
        if event.id in others:
            continue
        meaning = meaning_of(event)
        if meaning in wanted or (plain and meaning is None):
            return event
    return None


def read_story(session: Session, case_id: int) -> Story:
    """The case's :class:`Story`, read by meaning from the whole timeline."""
    replies = [m.value for m in REPLY_MEANINGS]
    complaints = [m.value for m in COMPLAINT_MEANINGS]
    message = Event.kind.in_([k.value for k in MESSAGE_KINDS]) & (Event.direction == Direction.TO_COMPANY.value)
    others = letters_to_others(session, case_id)
    return Story(
        first_complaint=_edge(session, case_id, others, complaints, last=False),
        formal_complaint=_edge(session, case_id, others, [EventMeaning.FORMAL_COMPLAINT.value], last=False),
        last_reply=_edge(session, case_id, others, replies, last=True),
        last_offer=_edge(session, case_id, others, [EventMeaning.PARTIAL_OFFER.value], last=True),
        final_response=_edge(session, case_id, others, [EventMeaning.FINAL_RESPONSE.value], last=True),
        last_contact=_edge(session, case_id, others, _CONTACT_MEANINGS, last=True, where=message, plain=True),
        problem=_edge(session, case_id, others, [EventMeaning.PROBLEM.value], last=False),
        resolved=_edge(session, case_id, others, [EventMeaning.RESOLVED.value], last=True),
    )


def _pick(items: Sequence[Any], ids: Iterable[int] | None, what: str, case_id: int) -> list[Any]:
    by_id = {item.id: item for item in items}
    chosen = []
    for item_id in ids or ():
        if item_id not in by_id:
            raise ValidationError(what, f"{item_id} is not one of case {case_id}'s {what}")
        chosen.append(by_id[item_id])
    return chosen


def default_event_ids(case: Case) -> list[int]:
    """The events a letter lists unless the user chooses: every exchange with the company."""
    return [e.id for e in case.events if e.direction != Direction.INTERNAL or e.kind in
            (EventKind.PAYMENT, EventKind.DELIVERY, EventKind.PROMISE)]


class LetterRefused(DocketError):
    """A letter the facts do not support. ``needs_confirmation`` is True when the user may
    still ask for it knowingly (a letter before action on a case marked resolved)."""

    def __init__(self, message: str, *, needs_confirmation: bool = False) -> None:
        super().__init__(message)
        self.needs_confirmation = needs_confirmation


# Steps that threaten or start proceedings, or ask a third party to take money back: a case
# marked resolved gets them only when the user confirms.
ESCALATING_STEPS = frozenset({"final_notice", "small_claims", "regulator", "payment_dispute"})
EIGHT_WEEKS = timedelta(weeks=8)


def _refusal(case: Case, tpl: LetterTemplate, story: Story, confirm_resolved: bool) -> None:
    """Refuse a letter whose central claim the case's facts contradict. The reason is in the
    window's language (the letter's may differ)."""
    from core.i18n import _, current_language

    ui = current_language() if current_language() in LANGUAGES else "en"
    money = case.currency
    title = repr(tpl.title)
    if tpl.demand and case.amount is not None:
        outstanding = case.amount - (case.recovered or Decimal(0))
        if outstanding <= 0:
            raise LetterRefused(_(
                "Nothing is outstanding on case {case}: {amount} in dispute and {recovered} recovered. "
                "The letter {title} asks for money, and would claim a debt the record does not show. "
                "If money is still owed, correct the amount or the amount recovered in the case first."
            ).format(case=case.id, amount=format_money(case.amount, money, ui), title=title,
                     recovered=format_money(case.recovered or Decimal(0), money, ui)))
    resolved = case.status == Status.RESOLVED.value or story.resolved is not None
    if resolved and tpl.step in ESCALATING_STEPS and not confirm_resolved:
        if story.resolved is not None:
            message = _("Case {case} is recorded as resolved on {date}. The letter {title} says the matter "
                        "is not; draft it only if the company went back on the resolution (confirm to go ahead).")
        else:
            message = _("Case {case} is recorded as resolved. The letter {title} says the matter is not; "
                        "draft it only if the company went back on the resolution (confirm to go ahead).")
        day = format_date(story.resolved.when.day, ui) if story.resolved is not None else ""
        raise LetterRefused(message.format(case=case.id, date=day, title=title), needs_confirmation=True)


def law_for(session: Session, case_id: int, today: date) -> frozenset[str]:
    """The ids of the statute sections the rule packs say a letter on this case may cite
    (:func:`core.escalation.rules.legal_basis`): a template cites a section only when its id
    is here, so a French letter names article L216-1 only on a French non-delivery case."""
    from core.escalation.reminders import case_facts_for
    from core.escalation.rules import legal_basis

    return frozenset(b.id for b in legal_basis(case_facts_for(session, case_id, as_of=today)))


def _context(case: Case, tpl: LetterTemplate, *, language: str, you: dict[str, Any],
             events: list[Event], evidence: list[Evidence], contact: Contact | None,
             facts: dict[str, str], missing: _Missing, today: date, story: Story,
             sent_to: dict[int, str] | None = None, law: frozenset[str] = frozenset()) -> dict[str, Any]:
    """What a template sees. ``story`` holds the moments read from the whole timeline;
    ``law`` the ids of the legal bases that apply to the case (see :func:`law_for`)."""
    need = missing.need
    company = case.company
    company_name = company.name if company else ""
    region = (case.jurisdiction or you.get("default_jurisdiction", "") or "").upper()
    jurisdiction = country_of(region)

    def money(value: Decimal | None) -> str:
        return format_money(value, case.currency, language) if value is not None else ""

    def fmt(day: date | None) -> str:
        return format_date(day, language, region) if day else ""

    outstanding = None
    if case.amount is not None:
        outstanding = case.amount - (case.recovered or Decimal(0))
    references = list(case.references)
    accounts = list(company.account_numbers) if company else []
    reply_by = reply_deadline(today, tpl.response_days)

    sender_lines = [need(you["your_name"].strip(), "your name")]
    sender_lines += _lines(you["your_address"]) or [need("", "your postal address")]
    if you["your_email"].strip():
        sender_lines.append(you["your_email"].strip())
    if you["your_phone"].strip():
        sender_lines.append(you["your_phone"].strip())

    # The reader: the chosen contact, else the organisation the template writes to.
    organisation = company_name
    address = company.address if company else ""
    address_label = "company postal address"
    name_label = "company name"
    if tpl.recipient == "card_issuer":
        organisation, address = facts.get("card_issuer", ""), facts.get("card_issuer_address", "")
        name_label, address_label = EXTRA_FACTS["card_issuer"], EXTRA_FACTS["card_issuer_address"]
    elif tpl.recipient == "regulator":
        organisation, address = facts.get("regulator", ""), facts.get("regulator_address", "")
        name_label, address_label = EXTRA_FACTS["regulator"], EXTRA_FACTS["regulator_address"]
    elif tpl.recipient == "platform":
        default_platform = "PayPal" if case.payment_method == PaymentMethod.PAYPAL else ""
        organisation, address = facts.get("platform", default_platform), ""
        name_label = EXTRA_FACTS["platform"]
    person = ""
    if contact is not None:
        person = contact.name + (f", {contact.role}" if contact.role else "")
        organisation = contact.organisation or organisation
        address = contact.address or address
    greeting, sign_off = greeting_and_sign_off(contact.name if contact else "", language, region)
    recipient_lines: list[Any] = []
    if person:
        recipient_lines.append(f"{WORDS[language]['attention']} {person}")
    recipient_lines.append(need(organisation, name_label))
    if tpl.recipient != "platform":
        recipient_lines += _lines(address) or [need("", address_label)]

    platform = facts.get("platform") or ("PayPal" if case.payment_method == PaymentMethod.PAYPAL else "")
    promises = [e for e in events if e.promised_by]  # only what the user chose to cite
    third_party = "" if tpl.recipient == "company" else (
        company_name or phrase(language, "company", THE_COMPANY))
    first = story.first_complaint
    first_day = first.when.day if first is not None else None
    eight_weeks_from = first_day + EIGHT_WEEKS if first_day is not None else None
    last_contact = story.last_contact
    direct_debit = case.payment_method == PaymentMethod.DIRECT_DEBIT

    return {
        "lang": language,
        # The subject line's lead ("Objet : " in French) comes before the template's subject block.
        "words": {**WORDS[language], "subject": WORDS[language]["subject"].partition("{subject}")[0]},
        "template": {"id": tpl.id, "title": tpl.title, "step": tpl.step, "response_days": tpl.response_days},
        "today": fmt(today),
        "reply_by": fmt(reply_by),
        "response_days": tpl.response_days,
        "jurisdiction": jurisdiction,
        "region": region,
        "us": is_us(region),
        "in_eu": jurisdiction in EU_MEMBERS,
        "law": law,
        "sender": {"name": you["your_name"].strip(), "lines": sender_lines,
                   "email": you["your_email"].strip(), "phone": you["your_phone"].strip()},
        "recipient": {"organisation": organisation, "person": person, "lines": recipient_lines,
                      "named": greeting != greeting_and_sign_off("", language, region)[0]},
        "greeting": greeting,
        "sign_off": sign_off,
        "company": {"name": company_name, "email": company.email if company else "",
                    "website": company.website if company else "", "accounts": accounts},
        "case": {
            "id": case.id, "title": case.title, "category": case.category,
            "references": references, "refs": ", ".join(references + [a for a in accounts if a not in references]),
            "amount": money(case.amount), "recovered": money(case.recovered) if case.recovered else "",
            "outstanding": money(outstanding), "currency": case.currency,
            "amount_value": case.amount,
            "payment_method": PAYMENT_WORDS[language].get(case.payment_method or "", ""),
            "payment_method_code": case.payment_method or "",
            "payment_date": fmt(case.payment_date), "opened_on": fmt(case.opened_on),
            "remedy": case.desired_outcome.strip(), "impact": case.impact.strip(),
            "resolved": case.status == Status.RESOLVED.value or story.resolved is not None,
        },
        "facts": {key: facts.get(key, "") for key in EXTRA_FACTS},
        "cardholder": facts.get("cardholder") or you["your_name"].strip(),
        "platform": platform,
        "chronology": _chronology(events, language, third_party, direct_debit=direct_debit,
                                  currency=case.currency, jurisdiction=region, sent_to=sent_to),
        # The first complaint: the earliest complaint or formal complaint, never the purchase.
        "first_contact": fmt(first_day),
        "first_complaint": fmt(first_day),
        "formal_complaint": fmt(story.formal_complaint.when.day) if story.formal_complaint else "",
        "eight_weeks_passed": eight_weeks_from is not None and today >= eight_weeks_from,
        "eight_weeks_on": fmt(eight_weeks_from),
        "final_response": fmt(story.final_response.when.day) if story.final_response else "",
        "problem_began": fmt(story.problem.when.day) if story.problem else "",
        "last_sent": fmt(last_contact.when.day) if last_contact else "",
        "last_sent_kind": KIND_WORDS[language].get(last_contact.kind, "") if last_contact else "",
        "days_since_last_sent": (today - last_contact.when.day).days if last_contact else 0,
        # The last reply: the latest answer from the company; a charge or a bill is not one.
        "last_reply": fmt(story.last_reply.when.day) if story.last_reply else "",
        # The offer a counter-proposal answers: only a partial offer the case records.
        "last_offer": fmt(story.last_offer.when.day) if story.last_offer else "",
        "promises": [{"summary": e.summary, "by": fmt(e.promised_by), "made": fmt(e.when.day)} for e in promises],
        "enclosures": [
            {"name": x.original_name, "description": x.description.strip(),
             "date": fmt(x.captured_on)} for x in evidence
        ],
        "need": need,
        "missing": missing.marker,
    }


_MISSING_MARK = re.compile("(?:" + "|".join(re.escape(p) for p in missing_prefixes()) + r") ?([^\]]+)\]")


def missing_facts(text_or_html: str) -> list[str]:
    """The facts still marked missing in a letter's text or HTML, in any letter language
    (``[missing: ...]``, ``[manque : ...]``, ``[fehlt: ...]``, ``[falta: ...]``), each once, in order. Empty when
    the letter is complete; the window asks before printing or saving a letter that is not."""
    return list(dict.fromkeys(m.strip() for m in _MISSING_MARK.findall(text_or_html.replace(NBSP, " "))))


# The languages a company of a country is written to, most usual first. Belgium, Switzerland
# and Luxembourg have several: the window's language wins when it is one of them.
COUNTRY_LANGUAGES: dict[str, tuple[str, ...]] = {
    "FR": ("fr",), "MC": ("fr",), "DE": ("de",), "AT": ("de",), "LI": ("de",), "ES": ("es",),
    "BE": ("fr", "de"), "CH": ("de", "fr"), "LU": ("fr", "de"),
}


def letter_language(store: Store, *, case_id: int, template_id: str) -> str:
    """The language a new letter on case ``case_id`` is drafted in unless the user picks
    another: the language of the company's country (the case's jurisdiction, else the default
    one in Settings: FR → French, DE/AT → German, ES → Spanish; in Belgium, Switzerland and
    Luxembourg the window's language when it is one of the country's), else a letter language
    the user saved in Settings (``letter_language``), else the window's language, else English;
    always one the template exists in. Reads only."""
    from core.domain.models import Setting
    from core.i18n import current_language

    available = [t.language for t in list_templates(store) if t.id == template_id]
    if not available:
        find_template(store, template_id)  # the clear error naming the templates there are
    with store.read() as session:
        case = _load(session, case_id)
        region = case.jurisdiction or settings_mod.get_all(session)["default_jurisdiction"] or ""
        saved = session.get(Setting, "letter_language")
    ui = current_language()
    country = COUNTRY_LANGUAGES.get(country_of(region), ())
    if ui in country:
        country = (ui, *country)
    wanted = [*country, *([str(saved.value)] if saved is not None else []), ui, "en"]
    return next((code for code in wanted if code in available), available[0])


def draft_letter(
    store: Store,
    *,
    case_id: int,
    template_id: str,
    language: str = "en",
    event_ids: Iterable[int] | None = None,
    evidence_ids: Iterable[int] | None = None,
    contact_id: int | None = None,
    facts: dict[str, str] | None = None,
    confirm_resolved: bool = False,
) -> Draft:
    """Render a letter for a case. Nothing in the store changes.

    ``event_ids`` are the events for the chronology (default: every exchange with the company),
    ``evidence_ids`` the enclosures (default none), ``contact_id`` the reader (default the
    company's complaints department), ``facts`` extra facts such as the card's last digits
    (see :data:`EXTRA_FACTS`).

    Raises :class:`LetterRefused` for a letter the facts contradict: one asking for money when
    nothing is outstanding, or one escalating a case marked resolved unless
    ``confirm_resolved`` is True.
    """
    if not re.fullmatch(r"[a-z]{2}", language or ""):
        raise ValidationError("language", f"expected a two-letter language code such as en, fr or de, got {language!r}")
    facts = {k: text(v, f"facts.{k}", limit=2000) for k, v in (facts or {}).items() if k in EXTRA_FACTS}
    sources = _read_sources(store)
    tpl = find_template(store, template_id, language)
    today = clock.today()
    # A user's template in another language gets English dates and phrases until Docket
    # knows that language.
    words_language = language if language in LANGUAGES else "en"
    with store.read() as session:
        case = _load(session, case_id)
        story = read_story(session, case_id)
        _refusal(case, tpl, story, confirm_resolved)
        you = settings_mod.get_all(session)
        events = _events(session, case_id, event_ids)
        evidence = _pick(case.evidence, evidence_ids, "evidence", case_id)
        contact = _pick(case.contacts, [contact_id], "contacts", case_id)[0] if contact_id else None
        missing = _Missing(words_language)
        ctx = _context(case, tpl, language=words_language, you=you, events=events, evidence=evidence,
                       contact=contact, facts=facts, missing=missing, today=today, story=story,
                       sent_to=letters_to_others(session, case_id), law=law_for(session, case_id, today))
        env = _environment(sources)
        try:
            template = env.get_template(tpl.name)
            # Off this thread and within limits: a template is a small program, and a user's
            # file must not hang the window or exhaust memory.
            html = render_limited(lambda: template.generate(ctx))
            subject_block = template.blocks.get("subject")
            subject_html = (render_limited(lambda: subject_block(template.new_context(ctx)))
                            if subject_block else tpl.title)
        except (TemplateError, SecurityError, ArithmeticError, TypeError, ValueError,
                AttributeError, KeyError, IndexError, RecursionError) as exc:
            raise _template_error(exc, tpl, sources) from None
    subject = " ".join(html_to_text(subject_html).split())
    return Draft(
        subject=subject, html=html, text=html_to_text(html), missing=list(missing.labels),
        reply_by=reply_deadline(today, tpl.response_days), template=tpl, language=language,
        contact_id=contact_id, event_ids=tuple(e.id for e in events),
        evidence_ids=tuple(x.id for x in evidence), facts=dict(facts),
    )

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
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.documents.html_text import html_to_text
from core.documents.letters.templates import (
    EU_MEMBERS,
    LetterTemplate,
    _environment,
    _read_sources,
    _template_error,
    find_template,
)
from core.documents.wording import (
    KIND_WORDS,
    LANGUAGES,
    NBSP,
    PAYMENT_WORDS,
    WORDS,
    format_date,
    format_minutes,
    format_money,
    format_when,
    greeting_and_sign_off,
)
from core.domain import clock
from core.domain.errors import NotFoundError, ValidationError
from core.domain.models import (
    Case,
    Contact,
    Direction,
    Event,
    EventKind,
    Evidence,
    PaymentMethod,
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
    """Collects the facts a render needed and did not have, in order of first use."""

    def __init__(self) -> None:
        self.labels: list[str] = []

    def marker(self, label: str) -> Markup:
        if label not in self.labels:
            self.labels.append(label)
        return Markup('<span style="background-color:#ffe08a;">[missing: {}]</span>').format(label)

    def need(self, value: Any, label: str) -> Any:
        """``value`` when it holds something, else a visible marker (and the fact is listed)."""
        if value is None or (isinstance(value, (str, list, tuple, dict)) and not value):
            return self.marker(str(label))
        return value


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _chronology(events: Sequence[Event], language: str, company: str = "") -> list[dict[str, Any]]:
    """Each event as one sentence group. ``company`` is named when the reader is not the
    company itself (a card issuer, an ombudsman), where "my letter to you" would be wrong."""
    words = WORDS[language]
    kinds = KIND_WORDS[language]
    to, back = (words["to_them"], words["from_them"]) if company else (words["to"], words["from"])
    out = []
    for event in events:
        kind = kinds.get(event.kind, event.kind)
        pattern = {"to_company": to, "from_company": back}.get(event.direction, words["internal"])
        what = pattern.format(kind=kind, company=company)
        what = what[:1].upper() + what[1:]
        if event.contact is not None:
            who = event.contact.name + (f", {event.contact.role}" if event.contact.role else "")
            what += f" ({who})"
        colon = NBSP + ":" if language == "fr" else ":"  # French sets a space before a colon
        sentences = [what + colon, event.summary.rstrip(".") + "."]
        if event.details.strip():
            detail = " ".join(event.details.split())
            sentences.append(detail if detail.endswith((".", "!", "?")) else detail + ".")
        if event.waiting_minutes:
            sentences.append(words["waited"].format(m=format_minutes(event.waiting_minutes, language)))
        if event.duration_minutes and event.kind in (EventKind.CALL, EventKind.VISIT, EventKind.CHAT):
            sentences.append(words["lasted"].format(m=format_minutes(event.duration_minutes, language)))
        if event.promised_by:
            sentences.append(words["promised"].format(d=format_date(event.promised_by, language)))
        if event.reference:
            sentences.append(words["reference"].format(r=event.reference))
        when = event.when
        out.append({
            "id": event.id, "date": format_when(when, language), "day": when.day,
            "kind": event.kind, "direction": event.direction, "text": " ".join(sentences),
            "summary": event.summary, "who": event.contact.name if event.contact else "",
            "promised_by": format_date(event.promised_by, language) if event.promised_by else "",
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


def _edge(session: Session, case_id: int, direction: Direction, last: bool) -> Event | None:
    """The first or last message in one direction, found through the timeline's index."""
    order = (Event.sort_key.desc(), Event.id.desc()) if last else (Event.sort_key, Event.id)
    return session.scalars(select(Event).where(Event.case_id == case_id, Event.direction == direction.value)
                           .order_by(*order).limit(1)).first()


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


def _context(case: Case, tpl: LetterTemplate, *, language: str, you: dict[str, Any],
             events: list[Event], evidence: list[Evidence], contact: Contact | None,
             facts: dict[str, str], missing: _Missing, today: date,
             exchange: tuple[Event | None, Event | None, Event | None]) -> dict[str, Any]:
    """What a template sees. ``exchange`` is the first and last message to the company and
    its last message back."""
    need = missing.need
    company = case.company
    company_name = company.name if company else ""

    def money(value: Decimal | None) -> str:
        return format_money(value, case.currency, language) if value is not None else ""

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
    greeting, sign_off = greeting_and_sign_off(contact.name if contact else "", language)
    recipient_lines: list[Any] = []
    if person:
        recipient_lines.append(f"{WORDS[language]['attention']} {person}")
    recipient_lines.append(need(organisation, name_label))
    if tpl.recipient != "platform":
        recipient_lines += _lines(address) or [need("", address_label)]

    platform = facts.get("platform") or ("PayPal" if case.payment_method == PaymentMethod.PAYPAL else "")
    first_to, last_to, last_from = exchange
    promises = [e for e in events if e.promised_by]  # only what the user chose to cite
    jurisdiction = (case.jurisdiction or you.get("default_jurisdiction", "") or "").upper()

    def fmt(day: date | None) -> str:
        return format_date(day, language) if day else ""

    return {
        "lang": language,
        "words": WORDS[language],
        "template": {"id": tpl.id, "title": tpl.title, "step": tpl.step, "response_days": tpl.response_days},
        "today": fmt(today),
        "reply_by": fmt(reply_by),
        "response_days": tpl.response_days,
        "jurisdiction": jurisdiction,
        "in_eu": jurisdiction in EU_MEMBERS,
        "sender": {"name": you["your_name"].strip(), "lines": sender_lines,
                   "email": you["your_email"].strip(), "phone": you["your_phone"].strip()},
        "recipient": {"organisation": organisation, "person": person, "lines": recipient_lines,
                      "named": greeting not in ("Dear Sir or Madam,", "Madame, Monsieur,",
                                                "Sehr geehrte Damen und Herren,")},
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
        },
        "facts": {key: facts.get(key, "") for key in EXTRA_FACTS},
        "cardholder": facts.get("cardholder") or you["your_name"].strip(),
        "platform": platform,
        "chronology": _chronology(events, language, "" if tpl.recipient == "company" else
                                  company_name or {"fr": "la société", "de": "der Firma"}.get(language, "the company")),
        "first_contact": fmt(first_to.when.day) if first_to else "",
        "last_sent": fmt(last_to.when.day) if last_to else "",
        "last_sent_kind": KIND_WORDS[language].get(last_to.kind, "") if last_to else "",
        "days_since_last_sent": (today - last_to.when.day).days if last_to else 0,
        "last_reply": fmt(last_from.when.day) if last_from else "",
        "promises": [{"summary": e.summary, "by": fmt(e.promised_by), "made": fmt(e.when.day)} for e in promises],
        "enclosures": [
            {"name": x.original_name, "description": x.description.strip(),
             "date": fmt(x.captured_on)} for x in evidence
        ],
        "need": need,
        "missing": missing.marker,
    }


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
) -> Draft:
    """Render a letter for a case. Nothing in the store changes.

    ``event_ids`` are the events for the chronology (default: every exchange with the company),
    ``evidence_ids`` the enclosures (default none), ``contact_id`` the reader (default the
    company's complaints department), ``facts`` extra facts such as the card's last digits
    (see :data:`EXTRA_FACTS`).
    """
    if not re.fullmatch(r"[a-z]{2}", language or ""):
        raise ValidationError("language", f"expected a two-letter language code such as en, fr or de, got {language!r}")
    facts = {k: text(v, f"facts.{k}", limit=2000) for k, v in (facts or {}).items() if k in EXTRA_FACTS}
    sources = _read_sources(store)
    tpl = find_template(store, template_id, language)
    today = clock.today()
    with store.read() as session:
        case = _load(session, case_id)
        you = settings_mod.get_all(session)
        events = _events(session, case_id, event_ids)
        exchange = (_edge(session, case_id, Direction.TO_COMPANY, last=False),
                    _edge(session, case_id, Direction.TO_COMPANY, last=True),
                    _edge(session, case_id, Direction.FROM_COMPANY, last=True))
        evidence = _pick(case.evidence, evidence_ids, "evidence", case_id)
        contact = _pick(case.contacts, [contact_id], "contacts", case_id)[0] if contact_id else None
        missing = _Missing()
        # A user's template in another language gets English dates and phrases until Docket
        # knows that language.
        ctx = _context(case, tpl, language=language if language in LANGUAGES else "en", you=you, events=events, evidence=evidence,
                       contact=contact, facts=facts, missing=missing, today=today, exchange=exchange)
        env = _environment(sources)
        try:
            template = env.get_template(tpl.name)
            html = template.render(ctx)
            subject_block = template.blocks.get("subject")
            subject_html = "".join(subject_block(template.new_context(ctx))) if subject_block else tpl.title
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


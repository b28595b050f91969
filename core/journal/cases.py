"""Use cases that change the case journal: one function each, keyword-only arguments.

Each takes the :class:`~core.store.Store` (a unit of work of its own) or an open write
:class:`~sqlalchemy.orm.Session` (to join a larger transaction, as an import does) and says in
its docstring what it changes. Invalid input raises :class:`~core.errors.ValidationError`
naming the field; nothing is written then.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.domain import clock
from core.domain.errors import DocketError, NotFoundError, ValidationError
from core.domain.models import (
    CardScheme,
    Case,
    Category,
    Company,
    CompanyKind,
    Contact,
    Direction,
    Event,
    EventKind,
    EventMeaning,
    Evidence,
    Outcome,
    PaymentMethod,
    Purchase,
    Status,
)
from core.domain.money import check_currency, parse_amount
from core.domain.when import When, check_day
from core.i18n import _
from core.journal import evidence_text
from core.store.files import Progress, StoredFile, clean_name, guess_media_type
from core.store.store import Store
from core.store.unit_of_work import unit_of

Target = Store | Session

MAX_TEXT = 100_000  # characters in a free-text field
MAX_LINE = 1_000  # characters in a one-line field such as a title
MAX_LIST_ITEMS = 1_000  # references or tags of one case


@contextmanager
def unit_of_work(target: Target) -> Iterator[Session]:
    """A write session: the caller's, or a new transaction on the store."""
    if isinstance(target, Session):
        yield target
    else:
        with target.write() as session:
            yield session


# -- validation -------------------------------------------------------------------------------
E = TypeVar("E", bound=StrEnum)


def enum_member(enum: type[E], value: Any, where: str) -> E:
    """``value`` as a member of ``enum``; a value it does not have is refused, naming ``where``."""
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise ValidationError(where, _("unknown value {value!r}; expected one of: {allowed}").format(value=value, allowed=allowed)) from None


def enum_value(enum: type[StrEnum], value: Any, where: str) -> str:
    """``value`` checked against ``enum``, as the text the store keeps."""
    return enum_member(enum, value, where).value


def text(value: Any, where: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(where, _("expected text, got {kind}").format(kind=type(value).__name__))
    value = value.replace("\x00", "")
    if required and not value.strip():
        raise ValidationError(where, _("is required"))
    if len(value) > limit:
        raise ValidationError(where, _("is {length:,} characters long; the limit is {limit:,}").format(length=len(value), limit=limit))
    checked: str = value
    return checked.strip() if limit <= MAX_LINE else checked


def optional_date(value: Any, where: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return check_day(value.date(), where)
    if isinstance(value, date):
        return check_day(value, where)
    if isinstance(value, str):
        return check_day(clock.parse_date(value, where), where)
    raise ValidationError(where, _("expected a date as YYYY-MM-DD, got {kind}").format(kind=type(value).__name__))


def minutes(value: Any, where: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(where, _("expected a whole number of minutes, got {value!r}").format(value=value))
    if not 0 <= value <= 100_000:
        raise ValidationError(where, _("expected 0 to 100000 minutes, got {value}").format(value=value))
    return value


def string_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    # A list, not any iterable: an object's keys or a text's letters are not a list of texts.
    if not isinstance(value, (list, tuple)):
        raise ValidationError(where, _("expected a list of texts"))
    if len(value) > MAX_LIST_ITEMS:
        raise ValidationError(where, _("at most {limit:,} items, got {length:,}").format(limit=MAX_LIST_ITEMS, length=len(value)))
    out = []
    for i, item in enumerate(value):
        item = text(item, f"{where}[{i}]", limit=MAX_LINE)
        if item:
            out.append(item)
    return out


def jurisdiction_code(value: Any, where: str = "jurisdiction") -> str:
    """A country (GB, US, FR) or a region of one (GB-SCT, US-CA, CA-QC, AU-NSW), upper case."""
    code = text(value, where, limit=8).upper()
    country, dash, region = code.partition("-")
    if code and not (country.isalpha() and 2 <= len(country) <= 3
                     and (not dash or (region.isalnum() and 1 <= len(region) <= 3))):
        raise ValidationError(where, _("expected a country code such as GB, US or FR, got {code!r}").format(code=code))
    if region:
        # A region Docket does not know would silently lose that region's rules: refuse it,
        # naming the ones it knows.
        from core.escalation.rules import check_jurisdiction

        check_jurisdiction(code, where)
    return code


# -- lookups ----------------------------------------------------------------------------------
_Row = TypeVar("_Row")



def _get(session: Session, model: type[_Row], row_id: int, missing: str) -> _Row:
    """The row ``row_id`` of ``model``; ``missing`` is the message when there is none."""
    row = session.get(model, row_id)
    if row is None:
        raise NotFoundError(missing.format(id=row_id))
    return row


def get_case(session: Session, case_id: int) -> Case:
    return _get(session, Case, case_id, _("There is no case {id}."))


def get_event(session: Session, event_id: int) -> Event:
    return _get(session, Event, event_id, _("There is no event {id}."))


def get_contact(session: Session, contact_id: int) -> Contact:
    return _get(session, Contact, contact_id, _("There is no contact {id}."))


def get_evidence(session: Session, evidence_id: int) -> Evidence:
    return _get(session, Evidence, evidence_id, _("There is no evidence item {id}."))


# -- companies --------------------------------------------------------------------------------
COMPANY_FIELDS = ("name", "kind", "address", "email", "phone", "website", "account_numbers", "notes")


def _company_values(fields: dict[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key not in COMPANY_FIELDS:
            raise ValidationError(f"{where}.{key}", _("is not a company field"))
        if key == "account_numbers":
            out[key] = string_list(value, f"{where}.{key}")
        elif key == "kind":
            out[key] = None if value in (None, "") else enum_value(CompanyKind, value, f"{where}.kind")
        elif key == "name":
            out[key] = text(value, f"{where}.name", required=True, limit=300)
        else:
            out[key] = text(value, f"{where}.{key}", limit=MAX_TEXT if key in ("address", "notes") else 300)
    return out


def find_or_create_company(target: Target, *, name: str, **details: Any) -> int:
    """Return the id of the company called ``name`` (ignoring case), creating it if new.

    Details given for a new company are stored; an existing company's blank details are
    filled in from them, and nothing already recorded is overwritten.
    """
    values = _company_values({"name": name, **details}, "company")
    with unit_of_work(target) as session:
        company = session.scalars(
            select(Company).where(func.lower(Company.name) == values["name"].lower()).limit(1)
        ).first()
        if company is None:
            defaults: dict[str, Any] = {"account_numbers": [], "kind": None}
            company = Company(created_at=clock.now(),
                              **{k: values.get(k, defaults.get(k, "")) for k in COMPANY_FIELDS})
            session.add(company)
        else:
            for key, value in values.items():
                if value and not getattr(company, key):
                    setattr(company, key, value)
        session.flush()
        return company.id


def update_company(target: Target, *, company_id: int, **changes: Any) -> None:
    """Change a company's details (name, kind, address, email, phone, website, account numbers,
    notes)."""
    values = _company_values(changes, "company")
    with unit_of_work(target) as session:
        company = session.get(Company, company_id)
        if company is None:
            raise NotFoundError(_("There is no company {company_id}.").format(company_id=company_id))
        for key, value in values.items():
            setattr(company, key, value)


# -- cases ------------------------------------------------------------------------------------
def _case_values(fields: dict[str, Any], where: str = "case") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        path = f"{where}.{key}"
        if key == "title":
            out[key] = text(value, path, required=True, limit=500)
        elif key == "category":
            out[key] = enum_value(Category, value, path)
        elif key == "status":
            out[key] = enum_value(Status, value, path)
        elif key == "outcome":
            out[key] = None if value in (None, "") else enum_value(Outcome, value, path)
        elif key == "payment_method":
            out[key] = None if value in (None, "") else enum_value(PaymentMethod, value, path)
        elif key == "card_scheme":
            out[key] = None if value in (None, "") else enum_value(CardScheme, value, path)
        elif key == "purchase":
            out[key] = None if value in (None, "") else enum_value(Purchase, value, path)
        elif key in ("resolved_on", "payment_date", "expected_by"):
            out[key] = optional_date(value, path)
        elif key == "opened_on":
            out[key] = optional_date(value, path) or clock.today()
        elif key == "currency":
            out[key] = check_currency(value, path)
        elif key in ("amount", "recovered"):
            out[key] = None if value in (None, "") else parse_amount(value, path)
        elif key in ("references", "tags"):
            out[key] = string_list(value, path)
        elif key in ("desired_outcome", "impact", "notes"):
            out[key] = text(value, path)
        elif key == "jurisdiction":
            out[key] = jurisdiction_code(value, path)
        elif key == "silence_days":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 365:
                raise ValidationError(path, _("expected a number of days from 1 to 365, got {value!r}").format(value=value))
            out[key] = value
        elif key == "company_id":
            out[key] = value
        else:
            raise ValidationError(path, _("is not a case field"))
    for key in ("amount", "recovered"):  # the currency's minor units (no 0.001 JPY)
        if out.get(key) is not None and "currency" in out:
            out[key] = parse_amount(out[key], f"{where}.{key}", out["currency"])
    if out.get("outcome") and out.get("status") not in (None, Status.RESOLVED, Status.CLOSED):
        raise ValidationError(f"{where}.outcome", _("an outcome is only recorded for a resolved or closed case"))
    return out


def open_case(
    target: Target,
    *,
    title: str,
    company: str | None = None,
    company_id: int | None = None,
    category: str = Category.OTHER.value,
    status: str = Status.OPEN.value,
    opened_on: date | str | None = None,
    currency: str = "EUR",
    amount: Decimal | str | None = None,
    **fields: Any,
) -> int:
    """Create a case (and its company, if named and new). Returns the new case's id.

    Other keyword arguments are case fields: references, desired_outcome, impact,
    jurisdiction, notes, tags, payment_method, card_scheme, payment_date, purchase,
    expected_by, silence_days, outcome, resolved_on, recovered.
    """
    values = _case_values(
        {"title": title, "category": category, "status": status, "opened_on": opened_on,
         "currency": currency, "amount": amount, **fields}
    )
    with unit_of_work(target) as session:
        if company_id is None and company is not None and str(company).strip():
            company_id = find_or_create_company(session, name=company)
        elif company_id is not None and session.get(Company, company_id) is None:
            raise NotFoundError(_("There is no company {company_id}.").format(company_id=company_id))
        now = clock.now()
        case = Case(
            company_id=company_id,
            created_at=now,
            updated_at=now,
            references=values.pop("references", []),
            tags=values.pop("tags", []),
            desired_outcome=values.pop("desired_outcome", ""),
            impact=values.pop("impact", ""),
            notes=values.pop("notes", ""),
            jurisdiction=values.pop("jurisdiction", ""),
            silence_days=values.pop("silence_days", 14),
            **values,
        )
        session.add(case)
        session.flush()
        return case.id


def update_case(target: Target, *, case_id: int, company: str | None = None, **changes: Any) -> None:
    """Change a case's fields; ``company`` (a name) moves it to that company, created if new."""
    values = _case_values(changes)
    with unit_of_work(target) as session:
        case = get_case(session, case_id)
        _in_currency(values, ("amount", "recovered"), case.currency, "case")
        if company is not None:
            values["company_id"] = find_or_create_company(session, name=company) if company.strip() else None
        for key, value in values.items():
            setattr(case, key, value)
        if case.outcome and case.status not in (Status.RESOLVED, Status.CLOSED):
            raise ValidationError("case.outcome", _("an outcome is only recorded for a resolved or closed case"))
        case.updated_at = clock.now()


def change_status(
    target: Target,
    *,
    case_id: int,
    status: str,
    outcome: str | None = None,
    resolved_on: date | str | None = None,
    recovered: Decimal | str | None = None,
) -> None:
    """Move a case to ``status``. Resolving or closing records the outcome and the date
    (today unless given); reopening clears them."""
    new_status = enum_member(Status, status, "status")
    with unit_of_work(target) as session:
        case = get_case(session, case_id)
        case.status = new_status
        if new_status in (Status.RESOLVED, Status.CLOSED):
            case.outcome = None if outcome in (None, "") else enum_member(Outcome, outcome, "outcome")
            case.resolved_on = optional_date(resolved_on, "resolved_on") or clock.today()
        else:
            case.outcome = None
            case.resolved_on = None
        if recovered not in (None, ""):
            case.recovered = parse_amount(recovered, "recovered")
        case.updated_at = clock.now()


def delete_case(target: Target, *, case_id: int) -> None:
    """Delete a case with its timeline, contacts, evidence records and letters.

    Evidence files stay in the store (other cases may share them; backups refer to them).
    """
    with unit_of_work(target) as session:
        session.delete(get_case(session, case_id))


# -- contacts ---------------------------------------------------------------------------------
CONTACT_FIELDS = ("name", "role", "organisation", "email", "phone", "address", "notes")


def _contact_values(fields: dict[str, Any], where: str = "contact") -> dict[str, Any]:
    out = {}
    for key, value in fields.items():
        if key not in CONTACT_FIELDS:
            raise ValidationError(f"{where}.{key}", _("is not a contact field"))
        long = key in ("address", "notes")
        out[key] = text(value, f"{where}.{key}", required=key == "name", limit=MAX_TEXT if long else 300)
    return out


def add_contact(target: Target, *, case_id: int, name: str, contact_id: int | None = None, **fields: Any) -> int:
    """Add a person or department to a case. Returns the contact's id.

    ``contact_id`` restores a deleted contact under its old id (undo).
    """
    values = _contact_values({"name": name, **fields})
    with unit_of_work(target) as session:
        get_case(session, case_id)
        contact = Contact(case_id=case_id, id=contact_id, **{k: values.get(k, "") for k in CONTACT_FIELDS})
        session.add(contact)
        session.flush()
        return contact.id


def update_contact(target: Target, *, contact_id: int, **changes: Any) -> None:
    """Change a contact's details."""
    values = _contact_values(changes)
    with unit_of_work(target) as session:
        contact = get_contact(session, contact_id)
        for key, value in values.items():
            setattr(contact, key, value)


def delete_contact(target: Target, *, contact_id: int) -> dict[str, Any]:
    """Remove a contact; events that named them keep their text but lose the link.

    Returns what :func:`restore_contact` needs to put them back (undo): their details, id and
    case, and the events that named them (in timeline order).
    """
    with unit_of_work(target) as session:
        contact = get_contact(session, contact_id)
        snapshot: dict[str, Any] = {key: getattr(contact, key) for key in CONTACT_FIELDS}
        linked = session.scalars(
            select(Event.id).where(Event.contact_id == contact_id).order_by(Event.sort_key, Event.id)
        )
        snapshot.update(contact_id=contact.id, case_id=contact.case_id, event_ids=list(linked))
        session.delete(contact)
        return snapshot


def restore_contact(target: Target, *, snapshot: dict[str, Any]) -> int:
    """Put back a contact removed by :func:`delete_contact`, under their old id, and link the
    events that named them again: all in one transaction, or nothing. Returns the id."""
    values = dict(snapshot)
    event_ids = values.pop("event_ids")
    with unit_of_work(target) as session:
        contact_id = add_contact(session, **values)
        for event_id in event_ids:
            update_event(session, event_id=event_id, contact_id=contact_id)
        return contact_id


# -- events -----------------------------------------------------------------------------------
EVENT_FIELDS = (
    "at", "kind", "direction", "contact_id", "summary", "details", "duration_minutes",
    "waiting_minutes", "reference", "promised_by", "meaning", "amount",
)


def _event_values(fields: dict[str, Any], where: str = "event") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        path = f"{where}.{key}"
        if key == "at":
            when = When.of(value, path)
            out["at"] = when.iso()
            out["sort_key"] = when.sort_key()
        elif key == "kind":
            out[key] = enum_value(EventKind, value, path)
        elif key == "direction":
            out[key] = enum_value(Direction, value, path)
        elif key == "summary":
            out[key] = text(value, path, required=True, limit=MAX_LINE)
        elif key == "details":
            out[key] = text(value, path)
        elif key == "reference":
            out[key] = text(value, path, limit=300)
        elif key in ("duration_minutes", "waiting_minutes"):
            out[key] = minutes(value, path)
        elif key == "promised_by":
            out[key] = optional_date(value, path)
        elif key == "meaning":
            out[key] = None if value in (None, "") else enum_value(EventMeaning, value, path)
        elif key == "amount":
            out[key] = None if value in (None, "") else parse_amount(value, path)
        elif key == "contact_id":
            out[key] = value
        else:
            raise ValidationError(path, _("is not an event field"))
    return out


def _check_contact(session: Session, case_id: int, contact_id: int | None, where: str) -> None:
    if contact_id is None:
        return
    contact = session.get(Contact, contact_id)
    if contact is None or contact.case_id != case_id:
        raise ValidationError(where, _("contact {contact_id} is not a contact of this case").format(contact_id=contact_id))


def _in_currency(values: dict[str, Any], keys: tuple[str, ...], currency: str, where: str) -> None:
    """Amounts of a case are in its currency: no more decimals than it has."""
    code = values.get("currency") or currency
    for key in keys:
        if values.get(key) is not None and code:
            values[key] = parse_amount(values[key], f"{where}.{key}", code)


def log_event(
    target: Target,
    *,
    case_id: int,
    at: When | datetime | date | str,
    kind: str,
    summary: str,
    direction: str = Direction.INTERNAL.value,
    evidence_ids: Iterable[int] = (),
    event_id: int | None = None,
    **fields: Any,
) -> int:
    """Add an event to a case's timeline. Returns the event's id.

    Other keyword arguments: contact_id, details, duration_minutes, waiting_minutes,
    reference, promised_by, meaning (an :class:`EventMeaning`), amount. ``event_id`` restores a deleted event under its old id (undo).
    """
    with unit_of_work(target) as session:
        case = get_case(session, case_id)
        event = new_event(session, case=case, at=at, kind=kind, summary=summary, direction=direction,
                          event_id=event_id, **fields)
        for evidence_id in evidence_ids:
            item = get_evidence(session, evidence_id)
            if item.case_id != case_id:
                raise ValidationError("event.evidence", _("evidence {evidence_id} belongs to another case").format(evidence_id=evidence_id))
            event.evidence.append(item)
        session.flush()
        return event.id


def new_event(session: Session, *, case: Case, at: When | datetime | date | str, kind: str, summary: str,
              direction: str = Direction.INTERNAL.value, event_id: int | None = None, **fields: Any) -> Event:
    """Check an event of ``case`` and add it to ``session`` without flushing: what
    :func:`log_event` does for one event, and a case file's import for thousands, flushed in
    batches (the caller flushes; the event has its id after that)."""
    values = _event_values({"at": at, "kind": kind, "summary": summary, "direction": direction, **fields})
    _in_currency(values, ("amount",), case.currency, "event")
    _check_contact(session, case.id, values.get("contact_id"), "event.contact_id")
    now = clock.now()
    event = Event(
        id=event_id, case_id=case.id, created_at=now, updated_at=now,
        details=values.pop("details", ""), reference=values.pop("reference", ""), **values,
    )
    session.add(event)
    case.updated_at = now
    return event


def update_event(target: Target, *, event_id: int, **changes: Any) -> None:
    """Change an event's fields (when, kind, direction, contact, summary, details, minutes,
    reference, promised-by date)."""
    values = _event_values(changes)
    with unit_of_work(target) as session:
        event = get_event(session, event_id)
        _in_currency(values, ("amount",), event.case.currency, "event")
        if "contact_id" in values:
            _check_contact(session, event.case_id, values["contact_id"], "event.contact_id")
        for key, value in values.items():
            setattr(event, key, value)
        event.updated_at = clock.now()


def delete_event(target: Target, *, event_id: int) -> dict[str, Any]:
    """Delete an event. Returns what :func:`restore_event` needs to put it back (undo)."""
    with unit_of_work(target) as session:
        event = get_event(session, event_id)
        snapshot = event_snapshot(event)
        session.delete(event)
        return snapshot


def event_snapshot(event: Event) -> dict[str, Any]:
    """An event's fields, its id and its evidence links, as plain data."""
    data = {key: getattr(event, key) for key in EVENT_FIELDS}
    data.update(event_id=event.id, case_id=event.case_id, evidence_ids=[e.id for e in event.evidence])
    return data


def restore_event(target: Target, *, snapshot: dict[str, Any]) -> int:
    """Put back an event deleted by :func:`delete_event`, with its id and evidence links."""
    return log_event(target, **snapshot)


# -- evidence ---------------------------------------------------------------------------------
def attach_evidence(
    target: Target,
    *,
    case_id: int,
    path: Path | str,
    original_name: str | None = None,
    description: str = "",
    captured_on: date | str | None = None,
    event_ids: Iterable[int] = (),
    media_type: str | None = None,
    progress: Progress | None = None,
) -> int:
    """Copy a file into the evidence store and record it on a case. Returns the evidence id.

    The file is hashed while it is copied (``progress(done, total)`` may return False to
    cancel). ``event_ids`` links it to those events of the same case.
    """
    source = Path(path)
    name = clean_name(original_name or source.name)
    description = text(description, "evidence.description")
    captured = optional_date(captured_on, "evidence.captured_on")
    if isinstance(target, Session):
        unit = unit_of(target)
        stored = unit.evidence.add_file(source, progress)
        unit.keep_new_file(stored)
        return record_evidence(target, case_id=case_id, stored=stored, original_name=name,
                               description=description, captured_on=captured, event_ids=event_ids,
                               media_type=media_type)
    # Copy and read its text outside the write lock: a large file must not hold up other writes.
    stored = target.evidence.add_file(source, progress)
    extracted = evidence_text.extract_text(stored.path, name=name, media_type=media_type or guess_media_type(name),
                                           key=target.evidence.key)
    with target.write() as session:
        unit_of(session).keep_new_file(stored)
        return record_evidence(session, case_id=case_id, stored=stored, original_name=name,
                               description=description, captured_on=captured, event_ids=event_ids,
                               media_type=media_type, extracted=extracted)


def record_evidence(
    session: Session,
    *,
    case_id: int,
    stored: StoredFile,
    original_name: str,
    description: str = "",
    captured_on: date | None = None,
    event_ids: Iterable[int] = (),
    media_type: str | None = None,
    added_at: datetime | None = None,
    extracted: evidence_text.ExtractedText | None = None,
) -> int:
    """Record a file already in the evidence store on a case. Returns the evidence id.

    ``added_at`` keeps the moment it was first added when a case file is imported. The file's
    text is stored for search (``extracted`` if it was read already, else it is read now).
    """
    get_case(session, case_id)
    if not unit_of(session).evidence.has(stored.sha256):
        # Only possible if an overlapping attachment of the same new content failed and
        # removed the copy; recording it would point at nothing.
        raise DocketError(_("{original_name}: the copy in the evidence store is gone; please add the file again.").format(original_name=original_name))
    item = Evidence(
        case_id=case_id,
        sha256=stored.sha256,
        original_name=clean_name(original_name),
        media_type=media_type or guess_media_type(original_name),
        size=stored.size,
        added_at=added_at or clock.now(),
        captured_on=captured_on,
        description=description,
    )
    session.add(item)
    session.flush()
    evidence_text.record_text(session, sha256=stored.sha256, path=stored.path, name=item.original_name,
                              media_type=item.media_type, extracted=extracted, key=unit_of(session).evidence.key)
    for event_id in event_ids:
        link_evidence(session, event_id=event_id, evidence_id=item.id)
    return item.id


def new_evidence(session: Session, *, case: Case, stored: StoredFile, original_name: str,
                 description: str = "", captured_on: date | None = None, events: Iterable[Event] = (),
                 media_type: str | None = None) -> Evidence:
    """Record a file already in the evidence store on ``case``, linked to ``events`` (of
    that case), and add it to ``session`` without flushing: what :func:`record_evidence` does
    for one file, and an import for a thousand (the caller flushes, then stores each file's
    text with :func:`core.journal.evidence_text.record_text`)."""
    if not unit_of(session).evidence.has(stored.sha256):
        raise DocketError(_("{original_name}: the copy in the evidence store is gone; please add the file again.")
                          .format(original_name=original_name))
    item = Evidence(
        case_id=case.id,
        sha256=stored.sha256,
        original_name=clean_name(original_name),
        media_type=media_type or guess_media_type(original_name),
        size=stored.size,
        added_at=clock.now(),
        captured_on=captured_on,
        description=description,
    )
    session.add(item)
    for event in events:
        if event.case_id != case.id:
            raise ValidationError("evidence", _("event {event_id} belongs to another case").format(event_id=event.id))
        item.events.append(event)  # from the new row's side: no event's list is loaded
    return item


def update_evidence(target: Target, *, evidence_id: int, description: str | None = None,
                    captured_on: date | str | None = None, shareable: bool | None = None) -> None:
    """Change an evidence item's description, capture date or whether it is safe to share
    (its image may then appear in a redacted case history). The file itself never changes."""
    with unit_of_work(target) as session:
        item = get_evidence(session, evidence_id)
        if shareable is not None:
            if not isinstance(shareable, bool):
                raise ValidationError("evidence.shareable", _("expected true or false, got {shareable!r}").format(shareable=shareable))
            item.shareable = shareable
        if description is not None:
            item.description = text(description, "evidence.description")
        if captured_on is not None:
            item.captured_on = optional_date(captured_on, "evidence.captured_on")


def link_evidence(target: Target, *, event_id: int, evidence_id: int) -> None:
    """Link an evidence item to an event of the same case (no change if already linked)."""
    with unit_of_work(target) as session:
        event = get_event(session, event_id)
        item = get_evidence(session, evidence_id)
        if item.case_id != event.case_id:
            raise ValidationError("evidence", _("evidence {evidence_id} belongs to another case").format(evidence_id=evidence_id))
        if item not in event.evidence:
            event.evidence.append(item)


def unlink_evidence(target: Target, *, event_id: int, evidence_id: int) -> None:
    """Remove the link between an event and an evidence item (both are kept)."""
    with unit_of_work(target) as session:
        event = get_event(session, event_id)
        item = get_evidence(session, evidence_id)
        if item in event.evidence:
            event.evidence.remove(item)

"""A case as ``docket show`` prints it, read in plain SQL.

Only the standard library: it runs over any DB-API connection to the store (``sqlite3`` opened
by :mod:`core.store.quick`, or the store's own), so showing a case does not load SQLAlchemy or
the models. The rows come in the order the models' relationships give them (events by
``sort_key``, contacts and evidence by id, each event's evidence by id).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.domain.errors import NotFoundError
from core.i18n import _
from core.journal.case_list import Run


@dataclass(frozen=True, slots=True)
class ContactView:
    id: int
    name: str
    role: str
    organisation: str


@dataclass(frozen=True, slots=True)
class EvidenceView:
    id: int
    original_name: str
    sha256: str
    size: int
    media_type: str
    description: str


@dataclass(frozen=True, slots=True)
class EventView:
    id: int
    at: str
    kind: str  # an EventKind value
    direction: str  # a Direction value
    summary: str
    details: str
    contact: ContactView | None
    duration_minutes: int | None
    waiting_minutes: int | None
    promised_by: date | None
    evidence: tuple[EvidenceView, ...]


@dataclass(frozen=True, slots=True)
class CaseView:
    """A case with its company's name, contacts, timeline and evidence."""

    id: int
    title: str
    company: str | None  # the company's name
    category: str
    status: str
    outcome: str | None
    opened_on: date
    amount: Decimal | None
    recovered: Decimal | None
    currency: str
    references: list[str] | None
    jurisdiction: str
    contacts: tuple[ContactView, ...]
    events: tuple[EventView, ...]
    evidence: tuple[EvidenceView, ...]


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def load_case_view(run: Run, case_id: int) -> CaseView:
    """The case ``case_id`` read with ``run`` (run it inside one read transaction, so that
    every statement sees the same snapshot). Raises :class:`NotFoundError`."""
    found = run(
        "SELECT c.id, c.title, co.name, c.category, c.status, c.outcome, c.opened_on, c.amount, c.recovered, "
        'c.currency, c."references", c.jurisdiction FROM cases c LEFT JOIN companies co ON co.id = c.company_id '
        "WHERE c.id = ?", (case_id,))
    if not found:
        raise NotFoundError(_("There is no case {case_id}.").format(case_id=case_id))
    (id_, title, company, category, status, outcome, opened_on, amount, recovered, currency, references,
     jurisdiction), = found
    contacts = {row[0]: ContactView(*row) for row in run(
        "SELECT id, name, role, organisation FROM contacts WHERE case_id = ? ORDER BY id", (case_id,))}
    evidence = {row[0]: EvidenceView(*row) for row in run(
        "SELECT id, original_name, sha256, size, media_type, description FROM evidence WHERE case_id = ? "
        "ORDER BY id", (case_id,))}
    # An event's evidence may in principle belong to another case: read what it links to.
    linked: dict[int, list[EvidenceView]] = {}
    for event_id, *item in run(
            "SELECT ee.event_id, x.id, x.original_name, x.sha256, x.size, x.media_type, x.description "
            "FROM events e JOIN event_evidence ee ON ee.event_id = e.id JOIN evidence x ON x.id = ee.evidence_id "
            "WHERE e.case_id = ? ORDER BY x.id", (case_id,)):
        linked.setdefault(event_id, []).append(evidence.get(item[0]) or EvidenceView(*item))
    # The same statement as the Case.events relationship's, so that events with the same
    # sort_key come in the same order.
    events = tuple(
        EventView(eid, at, kind, direction, summary, details,
                  None if contact_id is None else contacts.get(contact_id) or _contact(run, contact_id),
                  duration, waiting, _date(promised_by), tuple(linked.get(eid, ())))
        for eid, at, kind, direction, summary, details, contact_id, duration, waiting, promised_by in run(
            "SELECT id, at, kind, direction, summary, details, contact_id, duration_minutes, waiting_minutes, "
            "promised_by FROM events WHERE events.case_id IN (?) ORDER BY events.sort_key", (case_id,))
    )
    return CaseView(
        id_, title, company, category, status, outcome, date.fromisoformat(opened_on), _decimal(amount),
        _decimal(recovered), currency, None if references is None else json.loads(references), jurisdiction,
        tuple(contacts.values()), events, tuple(evidence.values()),
    )


def _contact(run: Run, contact_id: int) -> ContactView | None:
    """A contact of another case (an event can name one only if it was moved)."""
    rows = run("SELECT id, name, role, organisation FROM contacts WHERE id = ?", (contact_id,))
    return ContactView(*rows[0]) if rows else None


@dataclass(frozen=True, slots=True)
class TimeSpent:
    """What a dispute has cost in time: calls, visits and chats, and how much was waiting."""

    total_minutes: int
    waiting_minutes: int

    def describe(self) -> str:
        def hm(m: int) -> str:
            return f"{m // 60} h {m % 60:02d} min" if m >= 60 else f"{m} min"

        if not self.total_minutes and not self.waiting_minutes:
            return _("no time logged")
        if self.waiting_minutes:
            return _("{total}, {waiting} of it on hold").format(total=hm(self.total_minutes),
                                                                waiting=hm(self.waiting_minutes))

        return hm(self.total_minutes)


# Duration counts the whole call or visit; where only waiting was logged, the wait counts.
TIME_SPENT_SQL = (
    "SELECT coalesce(sum(max(coalesce(duration_minutes, 0), coalesce(waiting_minutes, 0))), 0), "
    "coalesce(sum(waiting_minutes), 0) FROM events WHERE case_id = ?"
)


def time_spent_on(run: Run, case_id: int) -> TimeSpent:
    """Total duration (waiting included) and waiting time across a case's events, read with ``run``."""
    (total, waiting), = run(TIME_SPENT_SQL, (case_id,))
    return TimeSpent(int(total or 0), int(waiting or 0))

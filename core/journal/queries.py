"""Read-only questions about the journal, answered in SQL.

The case list, its counts per view, full-text search (FTS5) and a case's details. The case
list is paged by the last row seen (keyset paging) so the window fetches rows lazily and every
page costs the same.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, select, text
from sqlalchemy.orm import Session, selectinload

from core.domain import clock
from core.domain.errors import NotFoundError, ValidationError
from core.domain.models import (
    CLOSED_STATUSES,
    Case,
    Company,
    Contact,
    Direction,
    Event,
    EventKind,
    Evidence,
    Status,
    sql_in,
)
from core.i18n import _
from core.journal import evidence_text

# The case list's own module; its names stay importable from here.
from core.journal.case_list import (
    MATCHING_CASES_SQL,
    SORTS,
    VIEWS,
    CasePage,
    CaseRow,
    ListPosition,
    case_list_sql,
    page_on,
    view_counts_on,
)
from core.journal.case_view import TimeSpent
from core.journal.search_text import fts_query
from core.store.store import Store

__all__ = ["SORTS", "VIEWS", "CasePage", "CaseRow", "ListPosition", "TimeSpent", "case_list_sql", "fts_query"]


def matching_case_ids(user_text: str) -> Select[Any] | None:
    """A select of ``case_id`` for cases whose text, events, contacts or company match."""
    query = fts_query(user_text)
    if query is None:
        return None
    hits = text(MATCHING_CASES_SQL.format(q=":q")).bindparams(q=query).columns(case_id=Case.id.type)
    return select(hits.subquery().c.case_id)


def _view_filter(view: str) -> Any:
    if view == "open":
        return Case.status == Status.OPEN
    if view == "awaiting_reply":
        return Case.status == Status.AWAITING_REPLY
    if view == "escalated":
        return Case.status == Status.ESCALATED
    if view == "closed":
        return Case.status.in_(CLOSED_STATUSES)
    if view == "attention":
        return and_(Case.status.notin_(CLOSED_STATUSES), _within_week())
    if view == "all":
        return None
    raise ValidationError("view", _("unknown view {view!r}; expected one of: {join}").format(view=view, join=', '.join(VIEWS)))


def _within_week() -> Any:
    """Due by a week from today (overdue included); the reminders keep ``next_due`` fresh."""
    return Case.next_due <= clock.today() + timedelta(days=7)


def _case_select(view: str, search: str | None, company_id: int | None) -> Select[*tuple[Any, ...]]:
    stmt = select(
        Case.id, Case.title, func.coalesce(Company.name, "").label("company"), Case.status,
        Case.last_activity, Case.next_due, Case.amount, Case.currency, Case.opened_on, Case.company_id,
    ).outerjoin(Company, Company.id == Case.company_id)
    condition = _view_filter(view)
    if condition is not None:
        stmt = stmt.where(condition)
    if company_id is not None:
        stmt = stmt.where(Case.company_id == company_id)
    if search and search.strip():
        ids = matching_case_ids(search)
        if ids is not None:
            stmt = stmt.where(Case.id.in_(ids))
    return stmt


def case_page(
    store: Store,
    *,
    view: str = "all",
    search: str | None = None,
    company_id: int | None = None,
    sort: str = "last_activity",
    descending: bool = True,
    limit: int = 100,
    after: ListPosition | None = None,
) -> CasePage:
    """The page of the case list that follows ``after`` (the first page without it).

    Cases without a value to sort by (no company, no activity yet...) come last in both
    directions; ties are broken by case id. Each page is read from an index, so the last page of
    100,000 cases comes as quickly as the first (see :mod:`core.journal.case_list`).
    """
    with store.read() as session:
        conn = session.connection()

        def run(sql: str, params: Sequence[Any]) -> list[Any]:
            result = conn.exec_driver_sql(sql, tuple(params))
            return list(result) if result.returns_rows else []  # a search may create a temp table

        return page_on(run, view=view, search=search, company_id=company_id, sort=sort, descending=descending,
                       limit=limit, after=after)


def list_cases(
    store: Store,
    *,
    view: str = "all",
    search: str | None = None,
    company_id: int | None = None,
    sort: str = "last_activity",
    descending: bool = True,
    limit: int = 100,
    offset: int = 0,
) -> list[CaseRow]:
    """A page of the case list for a sidebar view, optionally narrowed by a search.

    ``offset`` skips rows by reading them; to walk a long list use :func:`case_page`."""
    page = case_page(store, view=view, search=search, company_id=company_id, sort=sort,
                     descending=descending, limit=offset + limit)
    return page.rows[offset:]


def iter_cases(
    store: Store, *, view: str = "all", sort: str = "last_activity", descending: bool = True, page_size: int = 1000,
) -> Iterator[CaseRow]:
    """Every case of a view, one page (read from an index) at a time, so memory stays flat."""
    after: ListPosition | None = None
    while True:
        page = case_page(store, view=view, sort=sort, descending=descending, limit=page_size, after=after)
        yield from page.rows
        if page.complete:
            return
        after = page.end


def count_cases(store: Store, *, view: str = "all", search: str | None = None, company_id: int | None = None) -> int:
    """How many cases the list would show."""
    stmt = select(func.count()).select_from(_case_select(view, search, company_id).subquery())
    with store.read() as session:
        return int(session.execute(stmt).scalar_one())


def view_counts(store: Store) -> dict[str, int]:
    """The number of cases in each sidebar view, and of companies, in two queries."""
    with store.read() as session:
        conn = session.connection()
        return view_counts_on(lambda sql, params: list(conn.exec_driver_sql(sql, tuple(params))))


@dataclass(frozen=True, slots=True)
class SearchHit:
    case_id: int
    title: str
    company: str
    snippet: str
    where: str = ""  # where the words were found when not in the case's own text
    evidence_id: int | None = None  # the evidence item they were found in


def search(store: Store, user_text: str, *, limit: int = 50, offset: int = 0) -> list[SearchHit]:
    """Cases matching ``user_text`` anywhere (title, notes, events, contacts, company), the
    most recently recorded match first, each with a snippet of that matching text; then cases
    matched only by the text inside their evidence files, saying where (``SearchHit.where``).

    Hits are read newest first and the scan stops once enough distinct cases are found:
    a common word ("refund") matches most of a large journal, and ranking every hit would
    take as long as a person's typing pause. Snippets are made for the returned rows only.
    """
    query = fts_query(user_text)
    if query is None:
        return []
    wanted = offset + limit
    found: dict[int, str] = {}  # case id -> snippet of its newest matching text
    with store.read() as session:
        conn = session.connection()
        hits = conn.exec_driver_sql(
            "SELECT rowid, case_id, snippet(search_index, 0, '[', ']', '…', 12) FROM search_index "
            "WHERE search_index MATCH ? ORDER BY rowid DESC",
            (query,),
        )
        for rowid, case_id, snip in hits:
            if case_id is None:  # a company: every case against it matches
                for (cid,) in conn.exec_driver_sql(
                    "SELECT id FROM cases WHERE company_id = ? ORDER BY id DESC", ((rowid - 3) // 4,)
                ):
                    found.setdefault(cid, snip)
            else:
                found.setdefault(case_id, snip)
            if len(found) >= wanted:
                break
        hits.close()
        # Then words inside evidence files, for cases their own text did not match.
        inside = {m.case_id: m for m in evidence_text.matches(conn, query, limit=wanted - len(found), exclude=found)}
        found.update((cid, m.snippet) for cid, m in inside.items())
        page = list(found.items())[offset:wanted]
        if not page:
            return []
        marks = ",".join("?" * len(page))
        titles = {
            row[0]: (row[1], row[2])
            for row in conn.exec_driver_sql(
                "SELECT cases.id, cases.title, coalesce(companies.name, '') FROM cases "
                f"LEFT JOIN companies ON companies.id = cases.company_id WHERE cases.id IN ({marks})",
                tuple(cid for cid, _ in page),
            )
        }
        return [SearchHit(cid, *titles[cid], snip or "", inside[cid].where if cid in inside else "",
                          inside[cid].evidence_id if cid in inside else None)
                for cid, snip in page if cid in titles]


def load_case(store: Store, case_id: int) -> Case:
    """A case with its company, timeline (with contacts and evidence), contacts and evidence
    loaded, detached from the session so it can be read anywhere."""
    with store.read() as session:
        case = session.scalars(
            select(Case)
            .where(Case.id == case_id)
            .options(
                selectinload(Case.company),
                selectinload(Case.contacts),
                selectinload(Case.evidence).selectinload(Evidence.events),
                selectinload(Case.events).selectinload(Event.evidence),
                selectinload(Case.events).selectinload(Event.contact),
            )
        ).first()
        if case is None:
            raise NotFoundError(_("There is no case {case_id}.").format(case_id=case_id))
        session.expunge_all()
        return case


def case_events(store: Store, case_id: int, *, kinds: list[str] | None = None) -> list[Event]:
    """A case's timeline in date order, optionally only some kinds, with links loaded."""
    stmt = (
        select(Event)
        .where(Event.case_id == case_id)
        .options(selectinload(Event.evidence), selectinload(Event.contact))
        .order_by(Event.sort_key, Event.id)
    )
    if kinds:
        stmt = stmt.where(Event.kind.in_(kinds))
    with store.read() as session:
        events = list(session.scalars(stmt))
        session.expunge_all()
        return events


def time_spent(store_or_session: Store | Session, case_id: int) -> TimeSpent:
    """Total duration (waiting included) and waiting time across a case's events.

    Duration counts the whole call or visit; where only waiting was logged, the wait counts.
    """
    stmt = select(
        func.coalesce(func.sum(func.max(func.coalesce(Event.duration_minutes, 0), func.coalesce(Event.waiting_minutes, 0))), 0),
        func.coalesce(func.sum(Event.waiting_minutes), 0),
    ).where(Event.case_id == case_id)
    if isinstance(store_or_session, Session):
        total, waiting = store_or_session.execute(stmt).one()
    else:
        with store_or_session.read() as session:
            total, waiting = session.execute(stmt).one()
    return TimeSpent(int(total or 0), int(waiting or 0))  # coalesce: never NULL


@dataclass(frozen=True, slots=True)
class CompanyRecord:
    """A company with a simple track record."""

    id: int
    name: str
    cases: int
    open_cases: int
    avg_days_to_reply: float | None


_MESSAGE_KINDS = (EventKind.EMAIL, EventKind.LETTER, EventKind.WEB_FORM, EventKind.CALL, EventKind.CHAT)
_COMPANY_RECORDS = text(
    f"""
    WITH ordered AS (
        -- Walking each timeline backwards, the earliest reply seen so far is the first
        -- reply after the row: a running aggregate, one pass over the covering index.
        SELECT case_id, kind, direction, sort_key,
               MIN(CASE WHEN direction = '{Direction.FROM_COMPANY}' THEN sort_key END) OVER (
                   PARTITION BY case_id ORDER BY sort_key DESC
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS next_reply
        FROM events
    ), gaps AS (
        SELECT case_id, julianday(next_reply) - julianday(sort_key) AS days FROM ordered
        WHERE direction = '{Direction.TO_COMPANY}' AND next_reply IS NOT NULL
          AND kind IN {sql_in(_MESSAGE_KINDS)}
    ), per_company AS (
        SELECT cases.company_id, avg(gaps.days) AS avg_days
        FROM gaps JOIN cases ON cases.id = gaps.case_id GROUP BY cases.company_id
    )
    SELECT companies.id, companies.name, count(cases.id),
           coalesce(sum(CASE WHEN cases.status NOT IN {sql_in(CLOSED_STATUSES)} THEN 1 ELSE 0 END), 0),
           per_company.avg_days
    FROM companies
    LEFT JOIN cases ON cases.company_id = companies.id
    LEFT JOIN per_company ON per_company.company_id = companies.id
    GROUP BY companies.id ORDER BY lower(companies.name), companies.id
    """
)


def company_records(store: Store) -> list[CompanyRecord]:
    """Every company with its number of cases, open cases and average days to reply.

    Days to reply: for each message sent to the company (email, letter, web form, call,
    chat), the days until its next message or response, averaged over the company's cases.
    """
    with store.read() as session:
        return [
            CompanyRecord(id_, name, int(n), int(open_), None if avg is None else round(float(avg), 1))
            for id_, name, n, open_, avg in session.execute(_COMPANY_RECORDS)
        ]


def list_contacts(store: Store, case_id: int) -> list[Contact]:
    with store.read() as session:
        rows = list(session.scalars(select(Contact).where(Contact.case_id == case_id).order_by(Contact.id)))
        session.expunge_all()
        return rows



@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One line of a case's timeline as the window shows it; ``evidence`` is (id, name) pairs."""

    id: int
    at: str
    kind: str
    direction: str
    summary: str
    details: str
    duration_minutes: int | None
    waiting_minutes: int | None
    reference: str
    promised_by: date | None
    contact_id: int | None
    contact_name: str
    evidence: tuple[tuple[int, str], ...]
    meaning: str | None = None  # an EventMeaning value
    amount: Decimal | None = None


_TIMELINE_SQL = """
SELECT e.id, e.at, e.kind, e.direction, e.summary, e.details, e.duration_minutes,
       e.waiting_minutes, e.reference, e.promised_by, e.contact_id, coalesce(c.name, ''),
       e.meaning, e.amount,
       (SELECT group_concat(v.id || char(31) || v.original_name, char(30))
          FROM event_evidence l JOIN evidence v ON v.id = l.evidence_id WHERE l.event_id = e.id)
FROM events e LEFT JOIN contacts c ON c.id = e.contact_id
WHERE e.case_id = ? {kinds}
ORDER BY e.sort_key, e.id
"""


def timeline_rows(store: Store, case_id: int, *, kinds: list[str] | None = None) -> list[TimelineRow]:
    """A case's timeline in date order, with contact names and linked evidence, in one query.

    Plain driver SQL: a case with thousands of events must open at once, and building ORM
    rows costs more than the query itself.
    """
    params: list[Any] = [case_id]
    where_kinds = ""
    if kinds:
        where_kinds = f"AND e.kind IN ({','.join('?' * len(kinds))})"
        params.extend(kinds)
    rows = []
    with store.read() as session:
        result = session.connection().exec_driver_sql(_TIMELINE_SQL.format(kinds=where_kinds), tuple(params))
        for (event_id, at, kind, direction, summary, details, duration, waiting, reference, promised_by,
             contact_id, contact_name, meaning, amount, packed) in result:
            items: list[tuple[int, str]] = []
            for part in (packed or "").split("\x1e"):
                if part:
                    ident, _unused, name = part.partition("\x1f")
                    items.append((int(ident), name))
            items.sort()
            rows.append(TimelineRow(
                id=event_id, at=at, kind=kind, direction=direction, summary=summary, details=details,
                duration_minutes=duration, waiting_minutes=waiting, reference=reference,
                promised_by=None if promised_by is None else date.fromisoformat(promised_by),
                contact_id=contact_id, contact_name=contact_name, evidence=tuple(items),
                meaning=meaning, amount=None if amount is None else Decimal(amount),
            ))
    return rows


def case_with_company(store: Store, case_id: int) -> Case:
    """A case's own fields and its company, detached, without its timeline (for a header
    that must show at once even when the case has thousands of events)."""
    with store.read() as session:
        case = session.scalars(
            select(Case).where(Case.id == case_id).options(selectinload(Case.company))
        ).first()
        if case is None:
            raise NotFoundError(_("There is no case {case_id}.").format(case_id=case_id))
        session.expunge_all()
        return case


def case_evidence(store: Store, case_id: int) -> list[Evidence]:
    """A case's evidence files, oldest first, each with the events it is linked to, detached."""
    with store.read() as session:
        items = list(session.scalars(
            select(Evidence).where(Evidence.case_id == case_id)
            .options(selectinload(Evidence.events)).order_by(Evidence.id)
        ))
        session.expunge_all()
        return items


def company(store: Store, company_id: int) -> Company:
    """One company's details, detached."""
    with store.read() as session:
        row = session.get(Company, company_id)
        if row is None:
            raise NotFoundError(_("There is no company {company_id}.").format(company_id=company_id))
        session.expunge_all()
        return row

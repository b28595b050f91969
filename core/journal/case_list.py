"""The case list in plain SQL: one page at a time from where the last one ended.

Every order the list offers walks an index (schema revisions 0001, 0002 and 0006), and a page
starts right after the last row seen (keyset paging), so the last page of 100,000 cases comes
as quickly as the first. Cases with no value to sort by come last, by a second range scan.

This module needs only the standard library: it runs over any DB-API connection to the store
(``sqlite3`` before SQLAlchemy is loaded, or the store's own through
:func:`core.journal.queries.case_page`), so a window can show its first page and counts
before the rest of Docket is imported.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from core.domain import clock
from core.domain.errors import ValidationError
from core.i18n import _
from core.journal.search_text import fts_query

VIEWS = ("attention", "open", "awaiting_reply", "escalated", "closed", "all")
SORTS = ("title", "company", "status", "last_activity", "next_due", "amount", "opened_on", "id")

# Runs one statement and returns its rows: ``lambda sql, params: conn.execute(sql, params).fetchall()``.
Run = Callable[[str, Sequence[Any]], Sequence[Sequence[Any]]]


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One line of the case list."""

    id: int
    title: str
    company: str
    status: str
    last_activity: str | None
    next_due: date | None
    amount: Decimal | None
    currency: str
    opened_on: date
    company_id: int | None = None


@dataclass(frozen=True, slots=True)
class ListPosition:
    """Where a page of the case list ends: the last row's sort key, so the next page starts
    right after it (keyset paging) whatever was added or removed before it meanwhile.

    ``empty`` is True once the list has reached the cases with no value to sort by, which come
    last in both directions; ``company_id`` breaks ties between companies whose names differ
    only in case."""

    empty: bool
    key: Any
    company_id: int | None
    id: int


@dataclass(frozen=True, slots=True)
class CasePage:
    """One page of the case list and the position to ask for the next one."""

    rows: list[CaseRow]
    end: ListPosition | None  # None when the page is empty
    complete: bool  # True when nothing follows this page


# The key of each order, written as the indexes of revision 0006 (and 0001/0002) are, so that
# SQLite walks the index in order; the flag says whether cases can lack a value to sort by.
_SORT_KEYS: dict[str, tuple[str, bool]] = {
    "title": ("lower(c.title)", False),
    "company": ("lower(co.name)", True),
    "status": ("c.status", False),
    "last_activity": ("c.last_activity", True),
    "next_due": ("c.next_due", True),
    "amount": ("CAST(c.amount AS REAL)", True),
    "opened_on": ("c.opened_on", False),
    "id": ("c.id", False),
}

_LIST_COLUMNS = (
    "c.id, c.title, coalesce(co.name, ''), c.status, c.last_activity, c.next_due, c.amount, "
    "c.currency, c.opened_on, c.company_id"
)


# The cases a search matches: their own text, their events', their contacts', their
# company's, and the text of their evidence files ({q} is the FTS5 query's parameter). Each
# source is told apart by its rowid (rowid = id * 4 + source, schema revision 0002) and joined
# to its row by primary key: reading the index's own case_id column instead looks up every
# match in the FTS content table, which for a prefix matching most of the timeline ("re")
# took most of the query (407 against 198 ms for 122,474 matches at 10,000 cases).
MATCHING_CASES_SQL = (
    "SELECT s.rowid / 4 AS case_id FROM search_index AS s WHERE s.search_index MATCH {q} AND s.rowid % 4 = 0 "
    "UNION SELECT e.case_id FROM search_index AS s JOIN events AS e ON e.id = s.rowid / 4 "
    "WHERE s.search_index MATCH {q} AND s.rowid % 4 = 1 "
    "UNION SELECT ct.case_id FROM search_index AS s JOIN contacts AS ct ON ct.id = s.rowid / 4 "
    "WHERE s.search_index MATCH {q} AND s.rowid % 4 = 2 "
    "UNION SELECT cases.id FROM search_index AS s JOIN cases ON cases.company_id = (s.rowid - 3) / 4 "
    "WHERE s.search_index MATCH {q} AND s.rowid % 4 = 3 "
    "UNION SELECT evidence.case_id FROM evidence_text_search "
    "JOIN evidence_text_pages AS etp ON etp.id = evidence_text_search.rowid "
    "JOIN evidence ON evidence.sha256 = etp.sha256 WHERE evidence_text_search MATCH {q}"
)


def _list_filters(view: str, search: str | None, company_id: int | None, sort: str) -> tuple[list[str], list[Any]]:
    """SQL conditions (on ``c``, the cases) for a view, a search and a company."""
    if view not in VIEWS:
        raise ValidationError("view", _("unknown view {view!r}; expected one of: {join}").format(view=view, join=', '.join(VIEWS)))
    where: list[str] = []
    params: list[Any] = []
    # The unary + keeps SQLite from choosing the status index and sorting what it finds: a
    # status view can hold most of the cases, and walking the order's index reads a page only.
    status = "c.status" if sort == "status" else "+c.status"
    closed = f"{status} IN ('resolved', 'closed')"
    if view in ("open", "awaiting_reply", "escalated"):
        where.append(f"{status} = ?")
        params.append(view)
    elif view == "closed":
        where.append(closed)
    elif view == "attention":
        # Few cases are due within a week: the next-due index finds them, then they are sorted.
        where.append(f"NOT {closed} AND c.next_due <= ?")
        params.append((clock.today() + timedelta(days=7)).isoformat())
    if company_id is not None:
        where.append("c.company_id = ?")
        params.append(company_id)
    if search and search.strip():
        query = fts_query(search)
        if query is not None:
            # The cases, their companies, and the text of their evidence files (the same as
            # core.journal.queries.matching_case_ids, with evidence_text.CASE_IDS_SQL).
            where.append(f"c.id IN ({MATCHING_CASES_SQL.format(q='?')})")
            params += [query] * MATCHING_CASES_SQL.count("{q}")
    return where, params


def _case_row(raw: Any) -> CaseRow:
    id_, title, company, status, last, due, amount, currency, opened, company_id = raw[:10]
    # A window scrolled to the end holds every row: company names, statuses and currencies
    # repeat across cases, so one string each (interned) rather than one per row.
    return CaseRow(
        id_, title, sys.intern(company), sys.intern(status), last,
        None if due is None else date.fromisoformat(due),
        None if amount is None else Decimal(amount),
        sys.intern(currency), date.fromisoformat(opened), company_id,
    )


def case_list_sql(
    sort: str, descending: bool, *, view: str = "all", search: str | None = None,
    company_id: int | None = None, after: ListPosition | None = None, empty: bool = False,
) -> tuple[str, list[Any]]:
    """The SQL of one run of the case list: the cases with a value to sort by (``empty`` False)
    or those without (True), from just after ``after``. Exposed so a test can read its plan."""
    if sort not in _SORT_KEYS:
        raise ValidationError("sort", _("unknown sort {sort!r}; expected one of: {join}").format(sort=sort, join=', '.join(SORTS)))
    key, _nullable = _SORT_KEYS[sort]
    where, params = _list_filters(view, search, company_id, sort)
    direction = "DESC" if descending else "ASC"
    past = "<" if descending else ">"
    source = "cases c LEFT JOIN companies co ON co.id = c.company_id"
    if empty:
        where.append(f"{key} IS NULL" if sort != "company" else "c.company_id IS NULL")
        if after is not None and after.empty:
            where.append(f"c.id {past} ?")
            params.append(after.id)
        order = f"c.id {direction}"
    elif sort == "company":
        # Companies in name order, each one's cases by id: both loops walk an index. CROSS JOIN
        # keeps SQLite from putting the cases in the outer loop.
        source = "companies co CROSS JOIN cases c ON c.company_id = co.id"
        if after is not None:
            # Spelled out rather than as a row value: SQLite seeks an expression index only on
            # a plain comparison of the expression.
            where.append(f"lower(co.name) {past}= ? AND (lower(co.name) {past} ? OR co.id {past} ? "
                         f"OR (co.id = ? AND c.id {past} ?))")
            params += [after.key, after.key, after.company_id, after.company_id, after.id]
        order = f"lower(co.name) {direction}, co.id {direction}, c.id {direction}"
    else:
        if sort != "id":
            where.append(f"{key} IS NOT NULL")
        if after is not None:
            if sort == "id":
                where.append(f"c.id {past} ?")
                params.append(after.id)
            else:
                where.append(f"{key} {past}= ? AND ({key} {past} ? OR c.id {past} ?)")
                params += [after.key, after.key, after.id]
        order = f"{key} {direction}, c.id {direction}" if sort != "id" else f"c.id {direction}"
    sql = (f"SELECT {_LIST_COLUMNS}, {key}, co.id FROM {source}"
           + (f" WHERE {' AND '.join(where)}" if where else "") + f" ORDER BY {order} LIMIT ?")
    return sql, params


def page_on(
    run: Run,
    *,
    view: str = "all",
    search: str | None = None,
    company_id: int | None = None,
    sort: str = "last_activity",
    descending: bool = True,
    limit: int = 100,
    after: ListPosition | None = None,
) -> CasePage:
    """The page of the case list that follows ``after`` (the first page without it), read with
    ``run``. Cases without a value to sort by (no company, no activity yet...) come last in both
    directions; ties are broken by case id."""
    if sort not in _SORT_KEYS:
        raise ValidationError("sort", _("unknown sort {sort!r}; expected one of: {join}").format(sort=sort, join=', '.join(SORTS)))
    nullable = _SORT_KEYS[sort][1]
    raw: list[Any] = []
    empty = after is not None and after.empty
    if not empty:
        sql, params = case_list_sql(sort, descending, view=view, search=search, company_id=company_id, after=after)
        raw = list(run(sql, (*params, limit)))
    if nullable and len(raw) < limit:
        sql, params = case_list_sql(sort, descending, view=view, search=search, company_id=company_id,
                                    after=after if empty else None, empty=True)
        nulls = list(run(sql, (*params, limit - len(raw))))
        if nulls:
            empty = True
        raw += nulls
    if not raw:
        return CasePage([], after, True)
    last = raw[-1]
    end = ListPosition(empty, last[10], last[11], last[0])
    return CasePage([_case_row(r) for r in raw], end, len(raw) < limit)


OPEN_STATUSES = ("open", "awaiting_reply", "escalated")  # Status less CLOSED_STATUSES (no models here)


def view_counts_on(run: Run) -> dict[str, int]:
    """The number of cases in each sidebar view and the number of companies, read with ``run``.

    The numbers per status and of companies are kept by triggers in ``row_counts`` (schema
    revision 0008): a few rows, however large the store. *Needs attention* (open cases due
    within a week) is counted from the (status, next_due) index alone."""
    week = (clock.today() + timedelta(days=7)).isoformat()
    kept: dict[str, int] = {str(key): int(n) for key, n in run("SELECT key, n FROM row_counts", ())}
    statuses = {key[6:]: n for key, n in kept.items() if key.startswith("cases:")}
    marks = ", ".join("?" * len(OPEN_STATUSES))
    (attention,), = run(f"SELECT count(*) FROM cases WHERE status IN ({marks}) AND next_due <= ?",
                        (*OPEN_STATUSES, week))
    return {
        "all": sum(statuses.values()), "attention": attention or 0, "open": statuses.get("open", 0),
        "awaiting_reply": statuses.get("awaiting_reply", 0), "escalated": statuses.get("escalated", 0),
        "closed": statuses.get("resolved", 0) + statuses.get("closed", 0),
        "companies": kept.get("companies", 0),
    }

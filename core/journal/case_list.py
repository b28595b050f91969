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

import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from core.domain import clock
from core.domain.errors import ValidationError
from core.i18n import _
from core.journal.search_text import fts_query, fts_term, fts_words

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
    directions; ties are broken by case id.

    A search is answered by walking the list in its order and checking each case until the
    page is full (see :class:`_Walk`), or, when few cases match, by the set of every matching
    case. Both give the same rows."""
    if sort not in _SORT_KEYS:
        raise ValidationError("sort", _("unknown sort {sort!r}; expected one of: {join}").format(sort=sort, join=', '.join(SORTS)))
    if search and search.strip() and limit > 0:
        walk = _Walk.chosen(run, search, company_id=company_id)
        if walk is not None:
            return _page(walk.rows(run, view=view, search=search, company_id=company_id, sort=sort,
                                   descending=descending, limit=limit, after=after), after, limit)
    return _page(_rows(run, view=view, search=search, company_id=company_id, sort=sort, descending=descending,
                       limit=limit, after=after), after, limit)


# A list row as read (the columns of case_list_sql) and whether it came from the run of cases
# with no value to sort by.
_Raw = tuple[Sequence[Any], bool]


def _rows(
    run: Run, *, view: str, search: str | None, company_id: int | None, sort: str, descending: bool,
    limit: int, after: ListPosition | None,
) -> list[_Raw]:
    """Up to ``limit`` list rows after ``after``: those with a value to sort by, then the others."""
    nullable = _SORT_KEYS[sort][1]
    raw: list[_Raw] = []
    empty = after is not None and after.empty
    if not empty:
        sql, params = case_list_sql(sort, descending, view=view, search=search, company_id=company_id, after=after)
        raw = [(r, False) for r in run(sql, (*params, limit))]
    if nullable and len(raw) < limit:
        sql, params = case_list_sql(sort, descending, view=view, search=search, company_id=company_id,
                                    after=after if empty else None, empty=True)
        raw += [(r, True) for r in run(sql, (*params, limit - len(raw)))]
    return raw


def _position(raw: _Raw) -> ListPosition:
    row, empty = raw
    return ListPosition(empty, row[10], row[11], row[0])


def _page(raw: list[_Raw], after: ListPosition | None, limit: int) -> CasePage:
    if not raw:
        return CasePage([], after, True)
    return CasePage([_case_row(r) for r, _empty in raw], _position(raw[-1]), len(raw) < limit)


# Whether a case matches a search, for a batch of cases (their ids replace {ids}): its own text,
# its company's, its contacts', its events' and its evidence files' text, each source told
# apart by its rowid in the index (rowid = id * 4 + source, schema revision 0002). The first
# source that matches ends a case's checks.
#
# Looked up in the index itself: one look-up per row of the case, whatever the size of the
# store. ?1 is the query for search_index, ?2 for evidence_text_search.
_LOOKUP_SQL = (
    "SELECT c.id FROM cases c WHERE c.id IN ({ids}) AND ("
    "EXISTS (SELECT 1 FROM search_index s WHERE s.search_index MATCH ?1 AND s.rowid = c.id * 4) "
    "OR (c.company_id IS NOT NULL AND EXISTS (SELECT 1 FROM search_index s "
    "WHERE s.search_index MATCH ?1 AND s.rowid = c.company_id * 4 + 3)) "
    "OR EXISTS (SELECT 1 FROM contacts ct CROSS JOIN search_index s ON s.rowid = ct.id * 4 + 2 "
    "WHERE ct.case_id = c.id AND s.search_index MATCH ?1) "
    "OR EXISTS (SELECT 1 FROM events e CROSS JOIN search_index s ON s.rowid = e.id * 4 + 1 "
    "WHERE e.case_id = c.id AND s.search_index MATCH ?1) "
    "OR EXISTS (SELECT 1 FROM evidence ev JOIN evidence_text_pages etp ON etp.sha256 = ev.sha256 "
    "CROSS JOIN evidence_text_search ets ON ets.rowid = etp.id "
    "WHERE ev.case_id = c.id AND ets.evidence_text_search MATCH ?2))"
)
# Looked up among the rowids of every match, gathered once into temporary tables (_MATCHES).
_SET_SQL = (
    "SELECT c.id FROM cases c WHERE c.id IN ({ids}) AND ("
    "c.id * 4 IN temp.docket_matches OR c.company_id * 4 + 3 IN temp.docket_matches "
    "OR EXISTS (SELECT 1 FROM contacts ct WHERE ct.case_id = c.id AND ct.id * 4 + 2 IN temp.docket_matches) "
    "OR EXISTS (SELECT 1 FROM events e WHERE e.case_id = c.id AND e.id * 4 + 1 IN temp.docket_matches) "
    "OR EXISTS (SELECT 1 FROM evidence ev JOIN evidence_text_pages etp ON etp.sha256 = ev.sha256 "
    "WHERE ev.case_id = c.id AND etp.id IN temp.docket_evidence_matches))"
)
_MATCHES = {"search_index": "docket_matches", "evidence_text_search": "docket_evidence_matches"}

# The vocabulary of each full-text index (fts5vocab, in the connection's temporary schema).
_VOCABULARIES = {"search_index": "docket_search_terms", "evidence_text_search": "docket_evidence_terms"}
_PLAIN = re.compile(r"[a-z0-9]+")
_MAX_TERMS = 24  # a prefix with more words than this is left a prefix (not looked up row by row)
_MATCHES_PER_CASE = 2  # a search with at least this many matches per case is looked up row by row
_FEW_MATCHES = 0.125  # a search with fewer matches per case than this is not walked
_FIRST_BATCH = 64
_MIN_SHARE = 4  # the walk gives up when fewer than one case in this many matches


class _Walk:
    """A search answered by walking the list in its order and checking each case.

    Gathering every matching case costs as much as the search has matches: a prefix of two or
    three letters matching most of the timeline ("re") took about 1.7 s at 100,000 cases, and
    each match of an event is looked up in the events to find its case. The first page of the
    list, when many cases match, is found by checking a few hundred cases in the list's order.

    A search matching at least two rows per case is checked row by row in the index (each
    look-up costs the same whatever the store's size); a prefix longer than the index's prefix
    indexes (2 and 3 characters) would be expanded again on every look-up (milliseconds each),
    so it is replaced by the words of the index's vocabulary it stands for, which match the
    same rows. Any other search gathers the rowids of its matches once (no look-up of their
    events) and checks the cases against them. When too few of the walked cases match, the rest
    of the page comes from the set of every matching case, as the list is read without a walk.
    """

    def __init__(self, check_sql: str, params: tuple[str, ...], *, gathered: tuple[str, str] | None = None,
                 matches: int = 0) -> None:
        self.check_sql = check_sql
        self.params = params
        # The queries (search_index, evidence_text_search) whose matches _SET_SQL reads, gathered
        # first, and how many matches of the first there are: a walk against them gives up when
        # it would check more cases than a sixteenth of that, about what gathering every
        # matching case costs (each match's case is looked up).
        self.gathered = gathered
        self.visits = matches // 16

    @classmethod
    def chosen(cls, run: Run, search: str, *, company_id: int | None) -> _Walk | None:
        """How ``search`` is walked, or None when the set of matching cases is read instead: a
        word in no row of the index, or few matches for the number of cases."""
        words = fts_words(search)
        query = fts_query(search)
        if not words or query is None:
            return None
        # The words a long prefix stands for are read once (their rows are read to count them),
        # then counting, gathering and looking up use them rather than expanding it again.
        in_cases = _expanded(run, "search_index", words)
        if in_cases == "":
            return None  # in no row of the index: the set of matching cases is the evidence's
        counted = query if in_cases is None else in_cases
        found = 0
        if company_id is None:
            # Counting stops at the threshold: a few milliseconds however common the word.
            cases = run("SELECT coalesce(sum(n), 0) FROM row_counts WHERE key LIKE 'cases:%'", ())[0][0]
            dense = _MATCHES_PER_CASE * max(int(cases), 1)
            found = run("SELECT count(*) FROM (SELECT 1 FROM search_index WHERE search_index MATCH ? LIMIT ?)",
                        (counted, max(dense, 1)))[0][0]
            if found < int(cases) * _FEW_MATCHES:
                return None  # few cases match: their set is quicker to gather than a walk to find
            if found < dense:
                return cls(_SET_SQL, (), gathered=(counted, query), matches=found)
        in_evidence = _expanded(run, "evidence_text_search", words)
        if in_cases is None or in_evidence is None:
            # A prefix of many words: each look-up would expand it again.
            return cls(_SET_SQL, (), gathered=(counted, query), matches=found)
        return cls(_LOOKUP_SQL, (in_cases, in_evidence or '""'))

    def rows(
        self, run: Run, *, view: str, search: str, company_id: int | None, sort: str, descending: bool,
        limit: int, after: ListPosition | None,
    ) -> list[_Raw]:
        """The matching list rows after ``after``, up to ``limit``: the list's own rows, in its
        order, checked a batch at a time."""
        if self.gathered is not None:
            for (index, table), query in zip(_MATCHES.items(), self.gathered, strict=True):
                run(f"CREATE TEMP TABLE IF NOT EXISTS {table} (r INTEGER PRIMARY KEY)", ())
                run(f"DELETE FROM temp.{table}", ())
                run(f"INSERT INTO temp.{table} SELECT rowid FROM {index} WHERE {index} MATCH ?", (query,))
            try:
                return self._walk(run, view=view, search=search, company_id=company_id, sort=sort,
                                  descending=descending, limit=limit, after=after)
            finally:
                for table in _MATCHES.values():
                    run(f"DELETE FROM temp.{table}", ())
        return self._walk(run, view=view, search=search, company_id=company_id, sort=sort,
                          descending=descending, limit=limit, after=after)

    def _walk(
        self, run: Run, *, view: str, search: str, company_id: int | None, sort: str, descending: bool,
        limit: int, after: ListPosition | None,
    ) -> list[_Raw]:
        found: list[_Raw] = []
        position = after
        visited = 0
        batch = min(limit, _FIRST_BATCH)
        while len(found) < limit:
            rows = _rows(run, view=view, search=None, company_id=company_id, sort=sort, descending=descending,
                         limit=batch, after=position)
            if not rows:
                break
            ids = ",".join(str(int(r[0][0])) for r in rows)
            matching = {i for (i,) in run(self.check_sql.format(ids=ids), self.params)}
            for raw in rows:
                if raw[0][0] in matching:
                    found.append(raw)
                    if len(found) == limit:
                        return found
            visited += len(rows)
            position = _position(rows[-1])
            if len(rows) < batch:
                break  # the end of the list
            # Enough cases to fill the page at the share found so far, with some to spare.
            needed = (limit - len(found)) * visited // max(len(found), 1)
            if (len(found) * _MIN_SHARE < visited if self.gathered is None
                    else not found or visited + needed > max(self.visits, _MIN_SHARE * _FIRST_BATCH)):
                # Few of the cases match: the set of every matching case costs less than
                # walking on (and is what the list reads when the search is not walked).
                found += _rows(run, view=view, search=search, company_id=company_id, sort=sort,
                               descending=descending, limit=limit - len(found), after=position)
                break
            batch = max(_FIRST_BATCH, min(needed + needed // 4, 1000))
        return found


def _expanded(run: Run, index: str, words: list[list[str]]) -> str | None:
    """The FTS5 query of ``words`` for ``index`` (as :func:`fts_query`) with each prefix longer
    than the index's prefix indexes replaced by the words of the index it stands for. Empty
    when a word is in no row of the index; None when a prefix stands for too many words."""
    vocabulary = _VOCABULARIES[index]
    run(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{vocabulary} USING fts5vocab(main, {index}, row)", ())
    terms: list[str] = []
    for forms in words:
        alternatives: list[str] = []
        for form in forms:
            if len(form) <= 3 or not _PLAIN.fullmatch(form):
                # The prefix indexes answer these; other letters are left to the tokenizer.
                alternatives.append(fts_term(form))
                continue
            # Every word of the index that starts with the prefix ("refund" -> refund, refunded).
            upper = form[:-1] + chr(ord(form[-1]) + 1)
            words_of = run(f"SELECT term FROM temp.{vocabulary} WHERE term >= ? AND term < ? LIMIT ?",
                           (form, upper, _MAX_TERMS + 1))
            if len(words_of) > _MAX_TERMS:
                return None
            alternatives += ['"' + str(w).replace('"', '""') + '"' for (w,) in words_of]
        if not alternatives:
            return ""
        terms.append(alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")")
    return " AND ".join(terms)


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

"""Where a person stands across all their disputes: the figures behind the Overview.

Each function answers one chart's question in SQL and returns plain data (dataclasses of
strings, numbers, dates and Decimals), so the window, ``docket stats --json`` and the year
summary read the same figures. Money is never added across currencies: every money figure
carries its currency. Reads only.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from core.domain import clock
from core.domain.meaning import MESSAGE_KINDS as ANSWER_KINDS
from core.domain.models import REPLY_MEANINGS, Category, Outcome
from core.escalation import reminders
from core.store.store import Store

FAVOURABLE = (Outcome.WON.value, Outcome.PARTLY_WON.value)
ENDED = ("resolved", "closed")
# Time spent: what a call (or a chat, a call by keyboard) and a visit cost, waiting apart.
CALL_KINDS = ("call", "chat")
VISIT_KINDS = ("visit",)
MESSAGE_KINDS = ("email", "letter", "web_form", "call", "chat")


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _months(first: date, last: date) -> list[str]:
    months = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _from_millis(value: Any) -> Decimal:
    millis = int(value or 0)
    amount = Decimal(millis) / 1000
    return amount.quantize(Decimal("0.01")) if millis % 10 == 0 else amount


# -- money -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MoneyMonth:
    """One month of one currency: money put in dispute (cases opened that month), money
    recovered (cases ended that month) and money still in dispute at the month's end."""

    month: str
    currency: str
    disputed: Decimal
    recovered: Decimal
    outstanding: Decimal


def money_over_time(store: Store, *, year: int | None = None) -> list[MoneyMonth]:
    """Per currency and month, from the first case opened to this month (or within ``year``).

    A case is in dispute from ``opened_on`` until it is resolved or closed (``resolved_on``);
    its amount is what was claimed, its ``recovered`` what came back.
    """
    # Summed in SQL as whole thousandths, exact for every currency's minor unit.
    millis = "sum(CAST(round(CAST({0} AS REAL) * 1000) AS INTEGER))"
    ended_on = "coalesce(resolved_on, date(updated_at))"
    with store.read() as session:
        conn = session.connection()
        opened_rows = conn.exec_driver_sql(
            f"SELECT currency, substr(opened_on, 1, 7), {millis.format('amount')} FROM cases GROUP BY 1, 2").all()
        ended_rows = conn.exec_driver_sql(
            f"SELECT currency, substr({ended_on}, 1, 7), {millis.format('amount')}, {millis.format('recovered')} "
            "FROM cases WHERE status IN ('resolved', 'closed') GROUP BY 1, 2").all()
    if not opened_rows:
        return []
    today = clock.today()
    first = min(str(r[1]) for r in opened_rows)
    months = _months(date(int(first[:4]), int(first[5:7]), 1), today)
    opened = {(r[0], r[1]): _from_millis(r[2]) for r in opened_rows}
    ended = {(r[0], r[1]): _from_millis(r[2]) for r in ended_rows}
    back = {(r[0], r[1]): _from_millis(r[3]) for r in ended_rows}
    zero = Decimal("0.00")
    result = []
    for currency in sorted({r[0] for r in opened_rows}):
        level = zero
        for month in months:
            key = (currency, month)
            level += opened.get(key, zero) - ended.get(key, zero)
            if year is None or month.startswith(f"{year:04d}-"):
                result.append(MoneyMonth(month, currency, opened.get(key, zero), back.get(key, zero), level))
    return result


# -- outcomes ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class OutcomeCounts:
    """How the ended cases of one category turned out."""

    category: str
    won: int = 0
    partly_won: int = 0
    lost: int = 0
    abandoned: int = 0

    @property
    def total(self) -> int:
        return self.won + self.partly_won + self.lost + self.abandoned


def outcomes_by_category(store: Store, *, year: int | None = None) -> list[OutcomeCounts]:
    """Per category (in the order of :class:`Category`), the cases won, partly won, lost and
    abandoned; categories without an outcome are left out. ``year``: ended that year."""
    sql = "SELECT category, outcome, count(*) FROM cases WHERE outcome IS NOT NULL"
    params: tuple[Any, ...] = ()
    if year is not None:
        sql += " AND resolved_on BETWEEN ? AND ?"
        params = (f"{year:04d}-01-01", f"{year:04d}-12-31")
    with store.read() as session:
        rows = session.connection().exec_driver_sql(sql + " GROUP BY category, outcome", params).all()
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for category, outcome, n in rows:
        if outcome in {o.value for o in Outcome}:
            counts[category][outcome] = n
    order = [c.value for c in Category] + sorted(set(counts) - {c.value for c in Category})
    return [OutcomeCounts(c, **counts[c]) for c in order if c in counts]


# -- time --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TimeRow:
    """Minutes spent, by one company or in one month: talking on calls and chats, at visits
    (waiting apart), and waiting (on hold, in a queue, at a counter)."""

    label: str
    calls: int
    visits: int
    waiting: int

    @property
    def total(self) -> int:
        return self.calls + self.visits + self.waiting


# The condition on duration and wait is written as ix_events_time_spent's (revision 0004), so
# that SQLite reads that small partial index instead of every event.
_TIME_SQL = (
    "SELECT {label}, "
    "sum(CASE WHEN e.kind IN ('call', 'chat') THEN max(coalesce(e.duration_minutes, 0), "
    "coalesce(e.waiting_minutes, 0)) - coalesce(e.waiting_minutes, 0) ELSE 0 END), "
    "sum(CASE WHEN e.kind = 'visit' THEN max(coalesce(e.duration_minutes, 0), "
    "coalesce(e.waiting_minutes, 0)) - coalesce(e.waiting_minutes, 0) ELSE 0 END), "
    "sum(coalesce(e.waiting_minutes, 0)) "
    "FROM events AS e JOIN cases ON cases.id = e.case_id LEFT JOIN companies ON companies.id = cases.company_id "
    "WHERE e.kind IN ('call', 'chat', 'visit') AND (e.duration_minutes > 0 OR e.waiting_minutes > 0) {where}"
    "GROUP BY 1 ORDER BY {order}"
)


def _time_rows(store: Store, label: str, order: str, year: int | None) -> list[TimeRow]:
    where = ""
    params_: tuple[str, ...] = ()
    if year is not None:
        where, params_ = "AND substr(e.sort_key, 1, 4) = ? ", (f"{year:04d}",)
    with store.read() as session:
        rows = session.connection().exec_driver_sql(
            _TIME_SQL.format(label=label, where=where, order=order), params_).all()
    return [TimeRow(str(r[0]), int(r[1] or 0), int(r[2] or 0), int(r[3] or 0)) for r in rows]


def time_by_company(store: Store, *, year: int | None = None) -> list[TimeRow]:
    """Minutes spent per company, the most time-consuming first."""
    return _time_rows(store, "coalesce(companies.name, '')",
                      "sum(max(coalesce(e.duration_minutes, 0), coalesce(e.waiting_minutes, 0))) DESC, 1", year)


def time_by_month(store: Store, *, year: int | None = None) -> list[TimeRow]:
    """Minutes spent per month ("2026-03"), in order."""
    return _time_rows(store, "substr(e.sort_key, 1, 7)", "1", year)


# -- companies ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CompanyStanding:
    """A company's record: cases, still open, median days to reply, share won."""

    company_id: int
    name: str
    cases: int
    open_cases: int
    median_days_to_reply: float | None
    ended_with_outcome: int
    favourable: int

    @property
    def share_favourable(self) -> float | None:
        """Share of cases with an outcome that were won or partly won (None: none ended)."""
        return self.favourable / self.ended_with_outcome if self.ended_with_outcome else None


_REPLY_GAPS = """
    WITH ordered AS (
        SELECT id, case_id, kind, direction, meaning, sort_key,
               -- An event without a meaning is read as core.domain.meaning reads it.
               MIN(CASE WHEN meaning IN ({replies}) OR (meaning IS NULL AND (kind = 'promise'
                   OR (direction = 'from_company' AND kind IN ({answers})))) THEN sort_key END) OVER (
                   -- A promise logged after the call it was made in answers that call.
                   PARTITION BY case_id ORDER BY sort_key DESC, id DESC
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS next_reply
        FROM events
    )
    SELECT cases.company_id, julianday(substr(next_reply, 1, 10)) - julianday(substr(sort_key, 1, 10))
    FROM ordered JOIN cases ON cases.id = ordered.case_id
    WHERE direction = 'to_company' AND next_reply IS NOT NULL AND kind IN ({kinds})
"""


def company_standings(store: Store) -> list[CompanyStanding]:
    """Every company with cases: how many, how many open, the median days it took to reply
    (from each message sent to it to its next answer; a charge or an invoice is not an
    answer) and how many ended in your favour. The most cases first."""
    replies = ", ".join(f"'{m.value}'" for m in sorted(REPLY_MEANINGS))
    kinds = ", ".join(f"'{k}'" for k in MESSAGE_KINDS)
    with store.read() as session:
        conn = session.connection()
        gaps: dict[int, list[float]] = defaultdict(list)
        answers = ", ".join(f"'{k.value}'" for k in sorted(ANSWER_KINDS))
        for company_id, days in conn.exec_driver_sql(_REPLY_GAPS.format(replies=replies, kinds=kinds, answers=answers)):
            if company_id is not None and days is not None:
                gaps[company_id].append(float(days))
        rows = conn.exec_driver_sql(
            "SELECT companies.id, companies.name, count(*), "
            "sum(CASE WHEN cases.status NOT IN ('resolved', 'closed') THEN 1 ELSE 0 END), "
            "sum(CASE WHEN cases.outcome IS NOT NULL THEN 1 ELSE 0 END), "
            f"sum(CASE WHEN cases.outcome IN {FAVOURABLE!r} THEN 1 ELSE 0 END) "
            "FROM cases JOIN companies ON companies.id = cases.company_id "
            "GROUP BY companies.id ORDER BY count(*) DESC, lower(companies.name)"
        ).all()
    return [
        CompanyStanding(cid, name, n, int(open_ or 0),
                        round(statistics.median(gaps[cid]), 1) if gaps.get(cid) else None,
                        int(ended or 0), int(won or 0))
        for cid, name, n, open_, ended, won in rows
    ]


# -- deadlines ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Deadline:
    """One open reminder due within the coming days (or already overdue)."""

    due: date
    case_id: int
    case_title: str
    company: str
    reason: str
    overdue: bool


def upcoming_deadlines(store: Store, *, days: int = 30) -> list[Deadline]:
    """Open reminders due from now to ``days`` ahead, overdue ones included, by date; read
    from the due list (:func:`core.escalation.reminders.due_items`)."""
    until = clock.today() + timedelta(days=days)
    return sorted(
        (Deadline(i.due, i.case_id, i.case_title, i.company, i.reason, i.overdue)
         for i in reminders.due_items(store) if i.due <= until),
        key=lambda d: (d.due, d.case_id),
    )


# -- everything --------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def overview(store: Store, *, year: int | None = None) -> dict[str, Any]:
    """Every Overview figure as JSON-ready data (Decimals and dates as strings)."""
    standings = company_standings(store)
    figures: dict[str, Any] = _plain({
        "today": clock.today(),
        "money_over_time": [asdict(m) for m in money_over_time(store, year=year)],
        "outcomes_by_category": [asdict(o) | {"total": o.total} for o in outcomes_by_category(store, year=year)],
        "time_by_company": [asdict(t) | {"total": t.total} for t in time_by_company(store, year=year)],
        "time_by_month": [asdict(t) | {"total": t.total} for t in time_by_month(store, year=year)],
        "companies": [asdict(s) | {"share_favourable": s.share_favourable} for s in standings],
        "deadlines": [asdict(d) for d in upcoming_deadlines(store)],
    })
    return figures

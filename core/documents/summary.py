"""A year in disputes: one page that sums up a person's year, drawn by the case-history
renderer (:mod:`core.documents.render`) from the Overview's figures (:mod:`core.journal.stats`).

Every sentence follows from the records: cases opened and ended that year, money claimed and
recovered per currency (never added across currencies), time spent, and each company's record.
Reads only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from html import escape
from pathlib import Path

from core.domain import clock
from core.domain.errors import ValidationError
from core.journal import stats
from core.store.store import Store

MAX_COMPANIES = 8  # the companies table stays within the one page


@dataclass(slots=True)
class YearSummary:
    """The figures of one year."""

    year: int
    made_on: date
    opened: int = 0
    ended: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    claimed: dict[str, Decimal] = field(default_factory=dict)  # currency -> amount of cases opened
    recovered: dict[str, Decimal] = field(default_factory=dict)  # currency -> recovered in cases ended
    outstanding: dict[str, Decimal] = field(default_factory=dict)  # at the year's end (or today)
    calls: int = 0
    visits: int = 0
    waiting: int = 0
    by_company: list[stats.TimeRow] = field(default_factory=list)
    companies: list[stats.CompanyStanding] = field(default_factory=list)


def gather_year(store: Store, *, year: int) -> YearSummary:
    """The figures of ``year`` (a year after this one has none to show)."""
    today = clock.today()
    if not 1900 <= year <= today.year:
        raise ValidationError("year", f"{year} is not a year with records (up to {today.year})")
    summary = YearSummary(year, today)
    first, last = f"{year:04d}-01-01", f"{year:04d}-12-31"
    with store.read() as session:
        conn = session.connection()
        summary.opened = conn.exec_driver_sql(
            "SELECT count(*) FROM cases WHERE opened_on BETWEEN ? AND ?", (first, last)).scalar_one()
        summary.ended = conn.exec_driver_sql(
            "SELECT count(*) FROM cases WHERE status IN ('resolved', 'closed') "
            "AND coalesce(resolved_on, date(updated_at)) BETWEEN ? AND ?", (first, last)).scalar_one()
        company_ids = {r[0] for r in conn.exec_driver_sql(
            "SELECT DISTINCT company_id FROM cases WHERE opened_on <= ? AND (status NOT IN ('resolved', 'closed') "
            "OR coalesce(resolved_on, date(updated_at)) >= ?)", (last, first))}
    for row in stats.outcomes_by_category(store, year=year):
        for key in ("won", "partly_won", "lost", "abandoned"):
            summary.outcomes[key] = summary.outcomes.get(key, 0) + getattr(row, key)
    claimed: dict[str, Decimal] = defaultdict(Decimal)
    recovered: dict[str, Decimal] = defaultdict(Decimal)
    for month in stats.money_over_time(store, year=year):
        claimed[month.currency] += month.disputed
        recovered[month.currency] += month.recovered
        summary.outstanding[month.currency] = month.outstanding  # months come in order
    summary.claimed = {c: v for c, v in claimed.items() if v}
    summary.recovered = {c: v for c, v in recovered.items() if v}
    summary.outstanding = {c: v for c, v in summary.outstanding.items() if v}
    summary.by_company = stats.time_by_company(store, year=year)
    summary.calls = sum(r.calls for r in summary.by_company)
    summary.visits = sum(r.visits for r in summary.by_company)
    summary.waiting = sum(r.waiting for r in summary.by_company)
    summary.companies = [c for c in stats.company_standings(store) if c.company_id in company_ids]
    return summary


def _hm(minutes: int) -> str:
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def _money(values: dict[str, Decimal]) -> str:
    return ", ".join(f"{c} {v:,.2f}" for c, v in sorted(values.items())) or "none"


def summary_html(s: YearSummary) -> str:
    """The page as HTML for the renderer."""
    as_of = "the end of the year" if s.year < s.made_on.year else s.made_on.strftime("%d %B %Y").lstrip("0")
    outcome_words = [f"{n} {label}" for key, label in (("won", "won"), ("partly_won", "partly won"),
                                                      ("lost", "lost"), ("abandoned", "abandoned"))
                     if (n := s.outcomes.get(key, 0))]
    parts = [
        f"<h1>Your year in disputes: {s.year}</h1>",
        f"<p>Cases opened in {s.year}: <b>{s.opened}</b>. Cases resolved or closed in {s.year}: <b>{s.ended}</b>"
        + (f" ({', '.join(outcome_words)})." if outcome_words else "."),
        "</p><h2>Money</h2><table cellpadding='3'>",
        f"<tr><td>Claimed in cases opened in {s.year}</td><td><b>{escape(_money(s.claimed))}</b></td></tr>",
        f"<tr><td>Recovered in cases ended in {s.year}</td><td><b>{escape(_money(s.recovered))}</b></td></tr>",
        f"<tr><td>Still in dispute at {as_of}</td><td><b>{escape(_money(s.outstanding))}</b></td></tr>",
        "</table>",
        "<h2>Time</h2>",
        f"<p>Logged in {s.year}: <b>{_hm(s.calls + s.visits + s.waiting)}</b> on calls, chats and visits, "
        f"of which <b>{_hm(s.waiting)}</b> waiting.</p>" if s.calls + s.visits + s.waiting
        else f"<p>No call, chat or visit with a duration was logged in {s.year}.</p>",
    ]
    if s.by_company:
        top = s.by_company[0]
        parts.append(f"<p>Most time went to {escape(top.label)}: {_hm(top.total)}.</p>")
    if s.companies:
        parts.append("<h2>Companies</h2><table border='1' cellspacing='0' cellpadding='3' width='100%'>"
                     "<tr><th align='left'>Company</th><th>Cases</th><th>Open</th>"
                     "<th>Median days to reply</th><th>Resolved in your favour</th></tr>")
        for c in s.companies[:MAX_COMPANIES]:
            median = "no reply recorded" if c.median_days_to_reply is None else f"{c.median_days_to_reply:g}"
            share = "none ended" if c.share_favourable is None else f"{c.share_favourable:.0%} of {c.ended_with_outcome}"
            parts.append(f"<tr><td>{escape(c.name)}</td><td align='right'>{c.cases}</td>"
                         f"<td align='right'>{c.open_cases}</td><td align='right'>{median}</td>"
                         f"<td align='right'>{share}</td></tr>")
        parts.append("</table>")
        more = len(s.companies) - MAX_COMPANIES
        parts.append("<p><small>Companies with a case open during the year; days to reply and outcomes count "
                     "all your cases with them" + (f"; {more} more not shown" if more > 0 else "") + ".</small></p>")
    parts.append(f"<p><small>Made on {s.made_on.isoformat()} with Docket from your own records. "
                 "This summary is not legal advice.</small></p>")
    return "\n".join(parts)


def export_year_summary(store: Store, *, year: int, out: Path, paper: str = "A4") -> Path:
    """Write the one-page summary of ``year`` to ``out`` (PDF). Reads only."""
    from core.documents.render import PdfInfo, ensure_gui_app, html_to_pdf

    ensure_gui_app()
    summary = gather_year(store, year=year)
    html_to_pdf(summary_html(summary), Path(out), paper=paper,
                info=PdfInfo(title=f"Your year in disputes: {year}", subject="Year in disputes",
                             keywords="summary"))
    return Path(out)

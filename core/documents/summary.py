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

from core.documents.report.labels import format_duration
from core.domain import clock
from core.domain.dates_text import long_date
from core.domain.errors import ValidationError
from core.i18n import N_, _, ngettext
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
        raise ValidationError("year", _("{year} is not a year with records (up to {last})").format(year=year, last=today.year))
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
    return format_duration(minutes) or _("{m} min").format(m=0)


def _money(values: dict[str, Decimal]) -> str:
    return ", ".join(f"{c} {v:,.2f}" for c, v in sorted(values.items())) or _("none")


def _t(message: str, **values: object) -> str:
    """``message`` (already translated) escaped as HTML, with ``values`` (HTML) put in."""
    return escape(message).format(**values)


def _b(value: object) -> str:
    return f"<b>{escape(str(value))}</b>"


# The outcomes' words in the year's count ("2 won, 1 partly won").
_OUTCOME_WORDS = (("won", N_("{n} won")), ("partly_won", N_("{n} partly won")), ("lost", N_("{n} lost")),
                  ("abandoned", N_("{n} abandoned")))


def summary_html(s: YearSummary) -> str:
    """The page as HTML for the renderer, in the current language."""
    as_of = _("the end of the year") if s.year < s.made_on.year else long_date(s.made_on)
    outcome_words = [_(words).format(n=n) for key, words in _OUTCOME_WORDS if (n := s.outcomes.get(key, 0))]
    logged = s.calls + s.visits + s.waiting
    counts = _t(_("Cases opened in {year}: {opened}. Cases resolved or closed in {year}: {ended}"),
                year=s.year, opened=_b(s.opened), ended=_b(s.ended))
    parts = [
        "<h1>" + _t(_("Your year in disputes: {year}"), year=s.year) + "</h1>",
        "<p>" + counts + (f" ({escape(', '.join(outcome_words))})." if outcome_words else "."),
        "</p><h2>" + escape(_("Money")) + "</h2><table cellpadding='3'>",
        "<tr><td>" + _t(_("Claimed in cases opened in {year}"), year=s.year)
        + f"</td><td>{_b(_money(s.claimed))}</td></tr>",
        "<tr><td>" + _t(_("Recovered in cases ended in {year}"), year=s.year)
        + f"</td><td>{_b(_money(s.recovered))}</td></tr>",
        "<tr><td>" + _t(_("Still in dispute at {day}"), day=escape(as_of))
        + f"</td><td>{_b(_money(s.outstanding))}</td></tr>",
        "</table>",
        "<h2>" + escape(_("Time")) + "</h2>",
        "<p>" + _t(_("Logged in {year}: {total} on calls, chats and visits, of which {waiting} waiting."),
                   year=s.year, total=_b(_hm(logged)), waiting=_b(_hm(s.waiting))) + "</p>" if logged
        else "<p>" + _t(_("No call, chat or visit with a duration was logged in {year}."), year=s.year) + "</p>",
    ]
    if s.by_company:
        top = s.by_company[0]
        parts.append("<p>" + _t(_("Most time went to {company}: {time}."), company=escape(top.label),
                                time=escape(_hm(top.total))) + "</p>")
    if s.companies:
        head = "".join(f"<th{align}>{escape(t)}</th>" for align, t in (
            (" align='left'", _("Company")), ("", _("Cases")), ("", _("Open")), ("", _("Median days to reply")),
            ("", _("Resolved in your favour"))))
        parts.append("<h2>" + escape(_("Companies")) + "</h2><table border='1' cellspacing='0' cellpadding='3' "
                     f"width='100%'><tr>{head}</tr>")
        for c in s.companies[:MAX_COMPANIES]:
            median = _("no reply recorded") if c.median_days_to_reply is None else f"{c.median_days_to_reply:g}"
            share = _("none ended") if c.share_favourable is None else _("{share} of {n}").format(
                share=f"{c.share_favourable:.0%}", n=c.ended_with_outcome)
            parts.append(f"<tr><td>{escape(c.name)}</td><td align='right'>{c.cases}</td>"
                         f"<td align='right'>{c.open_cases}</td><td align='right'>{escape(median)}</td>"
                         f"<td align='right'>{escape(share)}</td></tr>")
        parts.append("</table>")
        more = len(s.companies) - MAX_COMPANIES
        note = _("Companies with a case open during the year; days to reply and outcomes count all your cases "
                 "with them")
        if more > 0:
            note += "; " + ngettext("{n} more not shown", "{n} more not shown", more).format(n=more)
        parts.append(f"<p><small>{escape(note)}.</small></p>")
    made = _("Made on {day} with Docket from your own records. This summary is not legal advice.").format(
        day=s.made_on.isoformat())
    parts.append(f"<p><small>{escape(made)}</small></p>")
    return "\n".join(parts)


def export_year_summary(store: Store, *, year: int, out: Path, paper: str = "A4") -> Path:
    """Write the one-page summary of ``year`` to ``out`` (PDF). Reads only."""
    from core.documents.render import PdfInfo, ensure_gui_app, html_to_pdf

    ensure_gui_app()
    summary = gather_year(store, year=year)
    html_to_pdf(summary_html(summary), Path(out), paper=paper,
                info=PdfInfo(title=_("Your year in disputes: {year}").format(year=year),
                             subject=_("Year in disputes"), keywords=_("summary")))

    return Path(out)

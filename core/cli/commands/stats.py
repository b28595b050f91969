"""``docket stats``: the figures of the Overview (money, outcomes, time, companies, deadlines)."""

from __future__ import annotations

import argparse

from core.cli.output import print_json
from core.i18n import _, ngettext
from core.journal import stats
from core.store.store import Store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("stats", help=_("where you stand: money in dispute and recovered, outcomes, time spent, companies' records, deadlines of the next 30 days"))
    p.add_argument("--json", action="store_true", help=_("print every figure as JSON"))
    p.add_argument("--year", type=int, metavar="YYYY", help=_("only this year's money, outcomes and time"))
    p.set_defaults(func=run_stats)


def _hm(minutes: int) -> str:
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def run_stats(store: Store, args: argparse.Namespace) -> int:
    figures = stats.overview(store, year=args.year)
    if args.json:
        print_json(figures)
        return 0
    last: dict[str, dict[str, str]] = {}
    for row in figures["money_over_time"]:
        last[row["currency"]] = row
    outstanding = ", ".join(f"{c} {r['outstanding']}" for c, r in last.items()) or _("none")
    print(_("Money still in dispute: {amounts}").format(amounts=outstanding))
    for row in figures["companies"]:
        median = row["median_days_to_reply"]
        share = row["share_favourable"]
        counts = ngettext("{n} case", "{n} cases", row["cases"]).format(n=row["cases"])
        print(f"  {row['name']}: " + _("{cases}, {open} open, median reply {median}, in your favour {share}").format(
            cases=counts, open=row["open_cases"],
            median="-" if median is None else _("{n:g} days").format(n=median),
            share="-" if share is None else f"{share:.0%}"))
    for row in figures["time_by_company"]:
        print("  " + _("time with {company}: {total} ({waiting} waiting)").format(
            company=row["label"], total=_hm(row["total"]), waiting=_hm(row["waiting"])))
    print(_("Deadlines in the next 30 days: {n}").format(n=len(figures["deadlines"])))
    for d in figures["deadlines"]:
        overdue = " " + _("(overdue)") if d["overdue"] else ""
        print(f"  {d['due']}{overdue}  {d['case_title']}")

    return 0

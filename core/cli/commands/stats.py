"""``docket stats``: the figures of the Overview (money, outcomes, time, companies, deadlines)."""

from __future__ import annotations

import argparse

from core.cli.output import print_json
from core.journal import stats
from core.store.store import Store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("stats", help="where you stand: money in dispute and recovered, outcomes, time spent, "
                                     "companies' records, deadlines of the next 30 days")
    p.add_argument("--json", action="store_true", help="print every figure as JSON")
    p.add_argument("--year", type=int, metavar="YYYY", help="only this year's money, outcomes and time")
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
    print("Money still in dispute:", ", ".join(f"{c} {r['outstanding']}" for c, r in last.items()) or "none")
    for row in figures["companies"]:
        median = row["median_days_to_reply"]
        share = row["share_favourable"]
        print(f"  {row['name']}: {row['cases']} case(s), {row['open_cases']} open, "
              f"median reply {'-' if median is None else f'{median:g} days'}, "
              f"in your favour {'-' if share is None else f'{share:.0%}'}")
    for row in figures["time_by_company"]:
        print(f"  time with {row['label']}: {_hm(row['total'])} ({_hm(row['waiting'])} waiting)")
    print(f"Deadlines in the next 30 days: {len(figures['deadlines'])}")
    for d in figures["deadlines"]:
        print(f"  {d['due']}{' (overdue)' if d['overdue'] else ''}  {d['case_title']}")
    return 0

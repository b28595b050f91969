"""The Overview's figures on the example cases, checked against sums done by hand from
core/exchange/demo.py with today fixed at 15 June 2026."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from core.cli.main import main
from core.domain import clock
from core.exchange.demo import load_examples
from core.journal import cases, stats
from core.store.store import Store


@pytest.fixture
def examples(store: Store) -> Store:
    clock.set_today("2026-06-15")
    load_examples(store)
    return store


def test_money_is_followed_per_currency_never_added_across_currencies(examples: Store) -> None:
    # GBP: the course (149.00, opened 6 Apr) was won on 15 Jun with 149.00 back; the gym
    # (104.97, 11 May) and the glasses (245.00, 15 May) are still open.
    gbp = {m.month: m for m in stats.money_over_time(examples) if m.currency == "GBP"}
    assert list(gbp) == ["2026-04", "2026-05", "2026-06"]
    assert (gbp["2026-04"].disputed, gbp["2026-04"].outstanding) == (Decimal("149.00"), Decimal("149.00"))
    assert (gbp["2026-05"].disputed, gbp["2026-05"].outstanding) == (Decimal("349.97"), Decimal("498.97"))
    assert (gbp["2026-06"].recovered, gbp["2026-06"].outstanding) == (Decimal("149.00"), Decimal("349.97"))
    usd = {m.month: m.outstanding for m in stats.money_over_time(examples) if m.currency == "USD"}
    assert usd["2026-06"] == Decimal("59.98")  # 39.98 trial + 20.00 overcharge
    assert {m.currency for m in stats.money_over_time(examples)} == {"CAD", "EUR", "GBP", "USD"}


def test_outcomes_count_only_ended_cases_by_category(examples: Store) -> None:
    assert stats.outcomes_by_category(examples) == [stats.OutcomeCounts("non_delivery", won=1)]
    lost = cases.open_case(examples, title="Lost one", company="FitLife Gyms Ltd", category="subscription")
    cases.change_status(examples, case_id=lost, status="closed", outcome="lost")
    assert [(o.category, o.won, o.lost) for o in stats.outcomes_by_category(examples)] == [
        ("non_delivery", 1, 0), ("subscription", 0, 1)]


def test_time_spent_splits_talking_visits_and_waiting(examples: Store) -> None:
    # ClearSight: visit 55 min (40 waiting), call 12, visit 50 (40 waiting).
    by_company = {t.label: t for t in stats.time_by_company(examples)}
    assert by_company["ClearSight Opticians"] == stats.TimeRow("ClearSight Opticians", calls=12, visits=25, waiting=80)
    assert by_company["FitLife Gyms Ltd"] == stats.TimeRow("FitLife Gyms Ltd", calls=15, visits=0, waiting=31)
    assert by_company["StreamNest Inc."].total == 28  # a chat counts as a call
    assert list(by_company)[0] == "ClearSight Opticians"  # the most time first
    by_month = {t.label: (t.calls, t.visits, t.waiting) for t in stats.time_by_month(examples)}
    assert by_month == {"2026-05": (43, 15, 83), "2026-06": (13, 10, 49)}


def test_each_company_record_has_its_median_days_to_reply_and_share_won(examples: Store) -> None:
    record = {s.name: s for s in stats.company_standings(examples)}
    # Maison Lefèvre: emails of 21 and 23 Apr answered by the promise of 6 May: 15 and 13 days.
    assert record["Maison Lefèvre Paris"].median_days_to_reply == 14.0
    # FitLife: the letter of 11 Mar answered on 16 May (66 days; the debits taken meanwhile
    # are charges, not answers), the call answered by the promise made in it (0 days).
    assert record["FitLife Gyms Ltd"].median_days_to_reply == 33.0
    assert record["StreamNest Inc."].median_days_to_reply == 19.0  # 39, 32, 6, 6
    assert record["Clay & Kiln Studio"].median_days_to_reply == 2.0
    assert record["Corner Hardware Co."].median_days_to_reply is None  # never answered
    pixel = record["PixelPath Academy"]
    assert (pixel.cases, pixel.open_cases, pixel.share_favourable) == (1, 0, 1.0)
    assert record["FitLife Gyms Ltd"].share_favourable is None  # nothing ended yet


def test_deadlines_of_the_next_30_days_come_from_the_due_list(examples: Store) -> None:
    deadlines = stats.upcoming_deadlines(examples)
    assert [d.due for d in deadlines] == sorted(d.due for d in deadlines)
    assert all(d.due <= date(2026, 7, 15) for d in deadlines)
    assert [d.overdue for d in deadlines] == [d.due < date(2026, 6, 15) for d in deadlines]
    assert deadlines[0].case_title == "Refund for a returned winter coat never paid"


def test_docket_stats_json_prints_the_same_figures(examples: Store, capsys: pytest.CaptureFixture[str]) -> None:
    examples.close()
    assert main(["--data-dir", str(examples.data_dir), "--today", "2026-06-15", "stats", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["today"] == "2026-06-15"
    clear = next(r for r in figures["time_by_company"] if r["label"] == "ClearSight Opticians")
    assert clear["total"] == 117
    assert next(c for c in figures["companies"] if c["name"] == "PixelPath Academy")["share_favourable"] == 1.0
    assert {"money_over_time", "outcomes_by_category", "time_by_month", "deadlines"} <= set(figures)


def test_an_empty_journal_has_empty_figures(store: Store) -> None:
    figures = stats.overview(store)
    assert figures["money_over_time"] == [] and figures["companies"] == [] and figures["deadlines"] == []

"""One order everywhere: the timeline, a letter, the CSV and the PDF of a case history list
events by the calendar day where each happened, then by the time there."""

from __future__ import annotations

import csv
import re
import subprocess
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.documents import letters
from core.documents.report import export_case_report
from core.domain.when import When
from core.journal import cases, queries
from core.store.store import Store

BASE = date(2026, 10, 14)

# One event: a day (0..6 after BASE), and either no time (a date alone) or a time of day
# and a UTC offset from -11:00 to +13:00 in quarter hours.
event_strategy = st.tuples(
    st.integers(min_value=0, max_value=6),
    st.one_of(st.none(), st.tuples(st.integers(0, 23), st.integers(0, 59),
                                   st.integers(-44, 52).map(lambda q: q * 15))),
)


def _at(day: int, clock_time: tuple[int, int, int] | None) -> str:
    on = BASE + timedelta(days=day)
    if clock_time is None:
        return on.isoformat()
    hour, minute, offset = clock_time
    return datetime(on.year, on.month, on.day, hour, minute,
                    tzinfo=timezone(timedelta(minutes=offset))).isoformat()


def _expected(ats: list[str]) -> list[int]:
    """Local day, then a date alone before timed events, then local time; ties as logged."""
    def key(i: int) -> tuple[date, int, str, int]:
        when = When.parse(ats[i])
        return (when.day, 1 if when.moment else 0, when.moment.strftime("%H:%M:%S") if when.moment else "", i)
    return sorted(range(len(ats)), key=key)


def _order_in(text: str, count: int) -> list[int]:
    found = sorted((m.start(), int(m.group(1))) for m in re.finditer(r"Event-(\d\d)-x", text))
    seen: list[int] = []
    for _, n in found:
        if n not in seen:
            seen.append(n)
    assert len(seen) == count, (seen, count)
    return seen


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(event_strategy, min_size=2, max_size=7))
def test_timeline_letter_csv_and_pdf_list_events_in_the_same_local_order(
        store: Store, tmp_path: Path, events: list) -> None:
    case_id = cases.open_case(store, title="Order check", company="Acme", jurisdiction="GB",
                              amount="10.00", currency="GBP")
    ats = [_at(day, t) for day, t in events]
    for i, at in enumerate(ats):
        cases.log_event(store, case_id=case_id, at=at, kind="email", direction="to_company",
                        summary=f"Event-{i:02d}-x", meaning="complaint")
    expected = _expected(ats)

    timeline = [int(e.summary[6:8]) for e in queries.case_events(store, case_id)]
    assert timeline == expected
    # A date alone never comes before a timed event of an earlier local day.
    days = [When.parse(ats[i]).day for i in timeline]
    assert days == sorted(days)

    draft = letters.draft_letter(store, case_id=case_id, template_id="first_complaint")
    assert _order_in(draft.text, len(ats)) == expected

    out_csv = tmp_path / f"order-{case_id}.csv"
    export_case_report(store, case_id=case_id, fmt="csv", out=out_csv)
    with out_csv.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [int(r["summary"][6:8]) for r in rows] == expected
    assert [r["date"] for r in rows] == [When.parse(ats[i]).day.isoformat() for i in expected]
    assert {r["meaning"] for r in rows} == {"complaint"}

    out_pdf = tmp_path / f"order-{case_id}.pdf"
    export_case_report(store, case_id=case_id, fmt="pdf", out=out_pdf)
    text = subprocess.run(["pdftotext", str(out_pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert _order_in(text, len(ats)) == expected


def test_the_trial_cancelled_in_california_comes_before_the_charge_of_the_next_day(store: Store) -> None:
    """The example from the report: cancelled at 19:00 on 17 October in California (03:00 on
    the 18th in UTC), charged on 18 October. The cancellation is told first."""
    case_id = cases.open_case(store, title="Trial", company="StreamNest Inc.", jurisdiction="US", currency="USD")
    cases.log_event(store, case_id=case_id, at="2026-10-18", kind="payment", direction="from_company",
                    summary="Charged $19.99", meaning="charge", amount="19.99")
    cases.log_event(store, case_id=case_id, at="2026-10-17T19:00:00-08:00", kind="web_form",
                    direction="to_company", summary="Tried to cancel", meaning="cancellation")
    text = letters.draft_letter(store, case_id=case_id, template_id="first_complaint").text
    assert text.index("October 17, 2026, 19:00 – I cancelled my contract with you") \
        < text.index("October 18, 2026 – You took USD 19.99 from me")


@pytest.mark.parametrize(("first", "second"), [
    ("2026-10-17", "2026-10-17T00:00:00+14:00"),  # a date alone comes first on its day
    ("2026-10-16T23:59:00-11:00", "2026-10-17"),  # an earlier local day comes first
])
def test_sort_keys_order_local_days(first: str, second: str) -> None:
    assert When.parse(first).sort_key() < When.parse(second).sort_key()

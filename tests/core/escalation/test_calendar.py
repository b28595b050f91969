"""The .ics export parses back with the same dates and alarms; the commands a scheduler uses."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from core.cli.main import main
from core.domain import clock
from core.domain.errors import DocketError
from core.escalation import reminders
from core.escalation.calendar import export_reminders
from core.store.store import Store
from tests.ladder_helpers import TODAY, ago, from_company, make_case, to_company


@pytest.fixture(autouse=True)
def _today() -> None:
    clock.set_today(TODAY)


def _fill(store: Store) -> dict[str, int]:
    ids = {
        "silent": make_case(store, title="Silent shop", events=[to_company(20)]),
        "promise": make_case(store, title="Broken promise", company="Globex",
                             events=[from_company(3, "call", summary="Refund Friday", promised_by=ago(-4))]),
        "card": make_case(store, title="Card case", category="non_delivery", payment_method="debit_card",
                          payment_date=ago(100), events=[to_company(2)]),
        "mine": make_case(store, title="My own"),
    }
    reminders.add_user_reminder(store, case_id=ids["mine"], due=ago(-7), reason="Call back on Monday")
    return ids


def _read(path: Path) -> list:
    cal = Calendar.from_ical(path.read_bytes())
    return list(cal.walk("VEVENT"))


def test_ics_parses_back_with_the_same_dates_and_alarms(store: Store, tmp_path: Path) -> None:
    _fill(store)
    out = tmp_path / "docket.ics"
    count = export_reminders(store, out)
    items = reminders.due_items(store)
    events = _read(out)
    # Silence, promise, the card's silence and chargeback window, and the user's own.
    assert count == len(items) == len(events) == 5
    by_uid = {str(e["uid"]): e for e in events}
    assert len(by_uid) == 5
    for item in items:
        ev = by_uid[f"docket-case-{item.case_id}-{item.key}@docket.invalid"]
        start = ev.decoded("dtstart")
        # All-day events; an overdue reminder is placed on today so that its alarm can sound.
        assert start == max(item.due, TODAY) and not hasattr(start, "hour")
        assert ev.decoded("dtend") == start + timedelta(days=1)
        assert item.reason in str(ev["description"])
        assert item.case_title in str(ev["summary"])
        alarms = list(ev.walk("VALARM"))
        assert [a.decoded("trigger") for a in alarms] == [timedelta(hours=-15), timedelta(hours=9)]
        assert all(str(a["action"]) == "DISPLAY" for a in alarms)
    silent = next(e for e in events if "Silent shop" in str(e["summary"]))
    assert "overdue since 17 Nov" in str(silent["summary"])
    card = next(e for e in events if "Card case" in str(e["summary"]) and "Deadline" in str(e["summary"]))
    assert "General information, not legal advice." in str(card["description"])


def test_export_again_keeps_the_same_uids_and_leaves_out_done_reminders(store: Store, tmp_path: Path) -> None:
    ids = _fill(store)
    out = tmp_path / "docket.ics"
    export_reminders(store, out)
    first = {str(e["uid"]) for e in _read(out)}
    [silent] = reminders.due_items(store, case_id=ids["silent"])
    reminders.mark_done(store, case_id=ids["silent"], key=silent.key)
    [promise] = reminders.due_items(store, case_id=ids["promise"])
    reminders.snooze(store, case_id=ids["promise"], key=promise.key, until=ago(-10))
    assert export_reminders(store, out) == 4
    events = _read(out)
    second = {str(e["uid"]) for e in events}
    assert second < first
    snoozed = next(e for e in events if "Broken promise" in str(e["summary"]))
    assert snoozed.decoded("dtstart") == TODAY + timedelta(days=10)


def test_an_unwritable_target_says_so_and_leaves_nothing(store: Store, tmp_path: Path) -> None:
    _fill(store)
    with pytest.raises(DocketError, match="does not exist"):
        export_reminders(store, tmp_path / "missing" / "docket.ics")
    with pytest.raises(DocketError, match="is a folder"):
        export_reminders(store, tmp_path)
    assert list(tmp_path.iterdir()) == [tmp_path / "docket-data"]


def test_commands_due_next_and_export(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Store.open(data_dir) as store:
        ids = _fill(store)
    args = ["--data-dir", str(data_dir), "--today", TODAY.isoformat()]
    assert main([*args, "due", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["kind"] for d in data][:1] == ["silence"] and data[0]["overdue"] is True
    assert data[0]["due"] == "2026-11-17" and data[0]["case_id"] == ids["silent"]
    assert main([*args, "due"]) == 0
    text = capsys.readouterr().out
    # Dates in words; ">" marks the reminder that is the case's next step.
    assert text.splitlines()[0].startswith("OVERDUE   17 Nov      > case")
    assert main([*args, "next", str(ids["card"]), "--json"]) == 0
    step = json.loads(capsys.readouterr().out)
    assert (step["current_step"], step["step"], step["template_id"]) == ("complaint", "payment_dispute", "chargeback_request")
    assert step["disclaimer"] == "General information, not legal advice."
    out = tmp_path / "cal.ics"
    assert main([*args, "export-reminders", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"Wrote 5 reminders to {out}"
    assert len(_read(out)) == 5
    assert main([*args, "next", "999"]) == 2
    assert "There is no case 999." in capsys.readouterr().err


def test_an_empty_store_has_nothing_due(store: Store, tmp_path: Path) -> None:
    assert reminders.due_items(store) == []
    assert export_reminders(store, tmp_path / "empty.ics") == 0
    assert _read(tmp_path / "empty.ics") == []
    assert date.fromisoformat(ago(0)) == TODAY


def test_the_calendar_carries_the_next_step_the_banner_shows(store: Store, tmp_path: Path) -> None:
    """A charge after a cancellation: the .ics event is the stop-billing step, with its reason."""
    case_id = make_case(store, title="Gym still billing", category="subscription", events=[
        to_company(60, "letter", meaning="cancellation"), from_company(6, "payment", meaning="charge", amount="34.99")])
    step = reminders.next_step(store, case_id=case_id)
    assert export_reminders(store, tmp_path / "gym.ics", case_id=case_id) >= 1
    [event] = [e for e in _read(tmp_path / "gym.ics") if str(e.get("summary")).startswith("Charged after cancelling")]
    assert str(event.get("summary")) == "Charged after cancelling: Gym still billing (overdue since 17 Nov)"
    assert step.reason in str(event.get("description"))

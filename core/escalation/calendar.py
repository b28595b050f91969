"""Reminders as an iCalendar file (RFC 5545), so the user's own calendar reminds them while
Docket is closed.

Each open or snoozed reminder becomes an all-day event with two alarms: 09:00 the day
before and 09:00 on the day. A reminder already overdue is put on the day of the export
(an alarm in the past would never sound) and says since when it is overdue. Each event's
UID is stable (case and reminder key), so importing a newer export updates the same events
instead of doubling them.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date, timedelta
from pathlib import Path

from icalendar import Alarm, Calendar, Event

from core.domain import clock
from core.domain.errors import DocketError
from core.escalation.ladder import day_text
from core.escalation.reminders import DueItem, due_items
from core.escalation.rules import DISCLAIMER
from core.store.store import Store

PRODID = "-//Docket//Docket reminders//EN"
# Alarm offsets from the start (midnight) of an all-day event.
ALARMS = (timedelta(hours=-15), timedelta(hours=9))
_TITLES = {
    "silence": "No reply",
    "promise": "Promise due",
    "clock_opens": "Window opens",
    "clock_closes": "Deadline",
    "user": "Reminder",
    # The case's next step, when what the company answered decided it (core.escalation.ladder).
    "billing": "Charged after cancelling",
    "refusal": "Refused",
    "offer": "Answer their offer",
}


def event_date(item: DueItem, today: date) -> date:
    """The day an item goes in the calendar: its due date, or today when already overdue."""
    return max(item.due, today)


def build_calendar(items: list[DueItem], today: date) -> Calendar:
    """An iCalendar with one all-day event and its alarms per reminder."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Docket reminders")
    stamp = clock.now()
    for item in items:
        day = event_date(item, today)
        title = f"{_TITLES.get(item.kind, 'Reminder')}: {item.case_title}"
        lines = [item.reason]
        if item.due < today:
            title += f" (overdue since {day_text(item.due, today)})"
        if item.company:
            lines.append(f"Company: {item.company}")
        lines.append(f"Docket case {item.case_id}.")
        if item.kind.startswith("clock_") or item.kind in ("billing", "refusal"):
            lines.append(DISCLAIMER)
        ev = Event()
        ev.add("uid", f"docket-case-{item.case_id}-{item.key}@docket.invalid")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", day)
        ev.add("dtend", day + timedelta(days=1))
        ev.add("summary", title)
        ev.add("description", "\n".join(lines))
        ev.add("categories", [item.kind])
        ev.add("transp", "TRANSPARENT")
        for offset in ALARMS:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", title)
            alarm.add("trigger", offset)
            ev.add_component(alarm)
        cal.add_component(ev)
    return cal


def export_reminders(store: Store, out: Path | str, *, case_id: int | None = None) -> int:
    """Write the open and snoozed reminders (of one case, or all) to ``out`` as an .ics file.
    Returns how many were written. The file is replaced whole or not at all; the store is
    only read."""
    today = clock.today()
    items = [i for i in due_items(store, case_id=case_id, include_history=True)
             if i.state in ("open", "snoozed")]
    data = build_calendar(items, today).to_ical()
    out = Path(out)
    if out.is_dir():
        raise DocketError(f"{out} is a folder; give a file name such as {out / 'docket.ics'}")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise DocketError(f"Cannot write {out}: the folder {folder} does not exist.")
    fd, tmp = tempfile.mkstemp(prefix=".docket-", suffix=".ics", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise DocketError(f"Cannot write {out}: {exc.strerror or exc}") from None
    return len(items)

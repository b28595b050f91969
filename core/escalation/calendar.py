"""Reminders as an iCalendar file (RFC 5545), so the user's own calendar reminds them while
Docket is closed.

Each open or snoozed reminder becomes an all-day event with two alarms: 09:00 the day
before and 09:00 on the day. A deadline (a window that closes) sits on the deadline day
itself, with an alarm on the day Docket reminds of it and one the day before. A reminder
already overdue is put on the day of the export (an alarm in the past would never sound)
and says since when it is overdue. Descriptions give dates, never "in N days": a calendar
entry is read on other days than the one it was written. Each event's UID is stable (case
and reminder key), so importing a newer export updates the same events instead of doubling
them.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import date, timedelta
from pathlib import Path

from icalendar import Alarm, Calendar, Event

from core.domain import clock
from core.domain.dates_text import long_date
from core.domain.errors import DocketError
from core.escalation.ladder import day_text
from core.escalation.reminders import DueItem, due_items
from core.escalation.rules import DISCLAIMER
from core.i18n import N_, _, ngettext
from core.store.store import Store

PRODID = "-//Docket//Docket reminders//EN"
# Alarm offsets from the start (midnight) of an all-day event.
ALARMS = (timedelta(hours=-15), timedelta(hours=9))
_TITLES = {
    "silence": N_("No reply"),
    "promise": N_("Promise due"),
    "clock_opens": N_("Window opens"),
    "clock_closes": N_("Deadline"),
    "user": N_("Reminder"),
    # The case's next step, when what the company answered decided it (core.escalation.ladder).
    "billing": N_("Charged after cancelling"),
    "refusal": N_("Refused"),
    "offer": N_("Answer their offer"),
}


def deadline_of(item: DueItem) -> date | None:
    """The deadline a "window closes" reminder warns of (its key ends with the date)."""
    if item.kind != "clock_closes":
        return None
    try:
        return date.fromisoformat(item.key.rsplit(":", 1)[-1])
    except ValueError:
        return None


def event_date(item: DueItem, today: date) -> date:
    """The day an item goes in the calendar: a deadline's own day; otherwise its due date, or
    today when already overdue."""
    deadline = deadline_of(item)
    if deadline is not None and deadline >= today:
        return deadline
    return max(item.due, today)


# Counts that between them call up every plural form of "in {n} days" in Docket's languages.
_PLURAL_SAMPLES = (1, 2, 3, 5, 11, 21, 22, 25, 101)


def _in_days_forms() -> list[str]:
    """The current language's forms of "in {n} days", longest first."""
    forms = {ngettext("in {n} day", "in {n} days", n) for n in _PLURAL_SAMPLES}
    return sorted(forms, key=len, reverse=True)


def _as_pattern(template: str, **groups: str) -> str:
    """A translated template as a regular expression, each placeholder replaced by its group."""
    pattern = re.escape(template)
    for name, group in groups.items():
        pattern = pattern.replace(re.escape("{" + name + "}"), group)
    return pattern


def absolute(text: str, today: date) -> str:
    """``text`` with relative days ("closes in 47 days (17 Jan)", "in 3 days") written as dates,
    in the current language: the patterns are made from the same catalog entries that wrote
    the text (core.escalation.ladder.clock_text)."""
    forms = _in_days_forms()
    relative = "|".join([re.escape(_("today")), re.escape(_("tomorrow")),
                         *(_as_pattern(form, n=r"\d+") for form in forms)])
    closes = _as_pattern(_("{label} closes {in_days} ({day})"), label="(?P<label>.*?)",
                         in_days=f"(?:{relative})", day=r"(?P<day>[^)]*)")
    text = re.sub(closes, lambda m: _("{label} closes on {day}").format(label=m["label"], day=m["day"]), text)
    for form in forms:
        pattern = r"(?<!\w)" + _as_pattern(form, n=r"(?P<n>\d+)") + r"(?!\w)"
        text = re.sub(pattern, lambda m: _("on {day}").format(
            day=day_text(today + timedelta(days=int(m["n"])), today)), text)
    return text



def build_calendar(items: list[DueItem], today: date) -> Calendar:
    """An iCalendar with one all-day event and its alarms per reminder."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("Docket reminders"))
    stamp = clock.now()
    for item in items:
        day = event_date(item, today)
        deadline = deadline_of(item)
        title = _("{what}: {case}").format(what=_(_TITLES.get(item.kind, N_("Reminder"))), case=item.case_title)
        lines = [absolute(item.reason, today)]
        if deadline is not None and deadline >= today:
            lines.append(_("Deadline: {deadline}; Docket reminds you from {day}.").format(
                deadline=long_date(deadline), day=long_date(item.due)))
        elif item.due < today:
            title += " " + _("(overdue since {day})").format(day=day_text(item.due, today))
        if item.company:
            lines.append(_("Company: {company}").format(company=item.company))
        lines.append(_("Docket case {id}.").format(id=item.case_id))
        if item.kind.startswith("clock_") or item.kind in ("billing", "refusal"):
            lines.append(_(DISCLAIMER))
        ev = Event()
        ev.add("uid", f"docket-case-{item.case_id}-{item.key}@docket.invalid")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", day)
        ev.add("dtend", day + timedelta(days=1))
        ev.add("summary", title)
        ev.add("description", "\n".join(lines))
        ev.add("categories", [item.kind])
        ev.add("transp", "TRANSPARENT")
        offsets = list(ALARMS)
        if deadline is not None and deadline >= today and item.due < deadline:
            # Also on the day Docket starts reminding, so there is time to act.
            offsets.insert(0, timedelta(days=(max(item.due, today) - deadline).days, hours=9))
        for offset in offsets:
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
        raise DocketError(_("{path} is a folder; give a file name such as {example}").format(
            path=out, example=out / "docket.ics"))
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise DocketError(_("Cannot write {path}: the folder {folder} does not exist.").format(
            path=out, folder=folder))
    fd, tmp = tempfile.mkstemp(prefix=".docket-", suffix=".ics", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise DocketError(_("Cannot write {path}: {reason}").format(path=out, reason=exc.strerror or exc)) from None

    return len(items)

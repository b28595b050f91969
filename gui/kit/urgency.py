"""What is late on a case, and when it is due: the one place the window asks.

The case list's *Next due* (``Case.next_due``), the case's next-step banner, *Needs attention*
and the timeline's late mark all come from here, so they cannot disagree. The date is the
earliest reminder still open or snoozed (exactly what ``Case.next_due`` holds); a lapsed
promise, the most urgent fact of a case, is said first.

Every call into the escalation rooms is in this module, so that when they offer one function
for a case's next step (reason, due date, lapsed promise) only this file changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from core.domain import clock
from core.domain.errors import DocketError
from core.domain.models import ReminderState
from core.escalation import reminders
from core.escalation.ladder import STEP_NAMES, NextStep, Step
from core.escalation.reminders import DueItem
from core.i18n import _
from core.store.store import Store
from gui.kit.formatting import count_text, format_date

_COUNTING = (ReminderState.OPEN.value, ReminderState.SNOOZED.value)



@dataclass(frozen=True, slots=True)
class LatePromise:
    """A promise whose date has passed with nothing from the company since."""

    event_id: int
    promised_by: date
    summary: str
    days_late: int

    def lateness(self) -> str:
        """"3 days late", "3 weeks late"."""
        if self.days_late < 14:
            return count_text("%n day late", "%n days late", self.days_late)
        return count_text("%n week late", "%n weeks late", self.days_late // 7)


@dataclass(frozen=True, slots=True)
class Urgency:
    """A case's most urgent facts: ``due`` is the date the case list shows as *Next due*."""

    due: date | None
    reason: str
    late_promises: tuple[LatePromise, ...]
    step: NextStep | None

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < clock.today()

    def step_name(self) -> str:
        if self.step is None or not self.step.step:
            return ""
        title = getattr(self.step, "title", "")  # the ladder's own words for the step
        if title:
            return str(title)
        step = Step(self.step.step)
        return _(STEP_NAMES[step]) if step in STEP_NAMES else str(step)

    def headline(self) -> str:
        """One sentence: the broken promise first, then the next step and its date."""
        parts: list[str] = []
        if self.late_promises:
            promise = self.late_promises[0]
            parts.append(_("Promised by %2, now %3: “%1”.").replace("%1", promise.summary)
                         .replace("%2", format_date(promise.promised_by)).replace("%3", promise.lateness()))
        name = self.step_name()
        if name:
            parts.append(_("Next step: %1").replace("%1", name))
        if self.due is not None:
            when = _("overdue since %1") if self.overdue else _("due %1")
            parts[-1:] = [((parts[-1] + ", ") if parts else "") + when.replace("%1", format_date(self.due))]
        return " ".join(parts)


def _promise_id(item: DueItem) -> int | None:
    kind, _ignored, ident = item.key.partition(":")
    return int(ident) if kind == "promise" and ident.isdigit() else None


def _late(items: Iterable[DueItem], today: date, summaries: dict[int, str]) -> tuple[LatePromise, ...]:
    out = []
    for item in items:
        event_id = _promise_id(item)
        if event_id is not None and item.state == ReminderState.OPEN.value and item.due < today:
            out.append(LatePromise(event_id, item.due, summaries.get(event_id, ""), (today - item.due).days))
    return tuple(sorted(out, key=lambda p: p.promised_by))


def _summary_of(reason: str) -> str:
    # The promise reminder quotes the promise between curly quotes.
    start, end = reason.find("\u201c"), reason.rfind("\u201d")
    return reason[start + 1:end] if 0 <= start < end else ""


def case_urgency(store: Store, case_id: int) -> Urgency:
    """The case's due date, reason, lapsed promises and next step. Reads only."""
    today = clock.today()
    try:
        items = [i for i in reminders.due_items(store, case_id=case_id, include_history=True) if i.state in _COUNTING]
        step: NextStep | None = reminders.next_step(store, case_id=case_id)
    except DocketError:
        return Urgency(None, "", (), None)
    first = _dating(items)
    summaries = {pid: _summary_of(i.reason) for i in items if (pid := _promise_id(i)) is not None}
    return Urgency(first.due if first else None, first.reason if first else "", _late(items, today, summaries), step)


def _dating(items: Iterable[DueItem]) -> DueItem | None:
    """The reminder that dates a case, as ``Case.next_due`` is set: the case's next step when
    it is a reminder, otherwise the earliest one still open or snoozed."""
    counting = [i for i in items if i.state in _COUNTING]
    stepped = [i for i in counting if getattr(i, "step", False)]
    if stepped:
        return stepped[0]
    return min(counting, key=lambda i: i.due, default=None)


def attention(store: Store) -> dict[int, DueItem]:
    """For every case with an open reminder: the one that sets its *Next due*."""
    per_case: dict[int, list[DueItem]] = {}
    for item in reminders.due_items(store, include_history=True):
        per_case.setdefault(item.case_id, []).append(item)
    out = {case_id: _dating(items) for case_id, items in per_case.items()}
    return {case_id: item for case_id, item in out.items() if item is not None}


def late_promises(store: Store, case_id: int) -> dict[int, LatePromise]:
    """The case's lapsed promises by event id (for the timeline's late mark). Reads only."""
    try:
        items = reminders.due_items(store, case_id=case_id)
    except DocketError:
        return {}
    summaries = {pid: _summary_of(i.reason) for i in items if (pid := _promise_id(i)) is not None}
    return {p.event_id: p for p in _late(items, clock.today(), summaries)}

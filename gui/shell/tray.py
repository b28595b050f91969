"""Reminders while Docket runs: a tray icon that notifies when something falls due.

The due list comes from :func:`core.reminders.due_items`. Each reminder is announced once per
run; a reminder that falls due later in the day is announced at the next check.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from core.domain import clock
from core.domain.models import ReminderState
from core.escalation import reminders
from core.i18n import _
from core.store.store import Store
from gui.kit.icons import app_icon
from gui.kit.workers import Task, run_in_background

CHECK_EVERY_MS = 10 * 60 * 1000  # reminders are by the day; ten minutes is prompt enough


def due_now(store: Store) -> list[Any]:
    """Reminders due today or overdue, still open."""
    today = clock.today()
    return [item for item in reminders.due_items(store)
            if item.due <= today and item.state == ReminderState.OPEN]


def describe(items: list[Any]) -> str:
    """One line per reminder, for a notification."""
    lines = [f"{item.case_title}: {item.reason}" for item in items[:5]]
    if len(items) > 5:
        lines.append(_("and %1 more").replace("%1", str(len(items) - 5)))
    return "\n".join(lines)


class DueNotifier(QObject):
    """Checks for due reminders now and then; shows them from the tray when there is one.

    ``attention_requested`` asks the window to come forward on its *Needs attention* view.
    """

    attention_requested = Signal()
    checked = Signal(list)  # the reminders newly due at this check

    def __init__(self, store: Store, window: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._announced: set[tuple[int, str]] = set()
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(app_icon(), self)
            self.tray.setToolTip(_("Docket"))
            menu = QMenu(window)
            menu.addAction(_("Show what needs attention"), self.attention_requested.emit)
            self.tray.setContextMenu(menu)
            self.tray.activated.connect(lambda _reason: self.attention_requested.emit())
            self.tray.messageClicked.connect(self.attention_requested.emit)
            self.tray.show()
        self.timer = QTimer(self, interval=CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check_in_background)
        self.timer.start()

    def check(self) -> list[Any]:
        """Announce reminders that fell due since the last check. Returns them."""
        return self._announce(due_now(self._store))

    def check_in_background(self) -> Task:
        """Like :meth:`check`, with the reminders computed off the window's thread.

        Used at start-up and by the timer: with thousands of cases the computation must not
        hold up the first paint or a scroll.
        """
        return run_in_background(lambda _progress: due_now(self._store), self, succeeded=self._announce)

    def _announce(self, due: list[Any]) -> list[Any]:
        fresh = [item for item in due if (item.case_id, item.key) not in self._announced]
        self._announced.update((item.case_id, item.key) for item in fresh)
        if fresh and self.tray is not None:
            title = _("1 reminder is due") if len(fresh) == 1 else \
                _("%1 reminders are due").replace("%1", str(len(fresh)))
            self.tray.showMessage(title, describe(fresh), app_icon(), 15_000)
        self.checked.emit(fresh)
        return fresh

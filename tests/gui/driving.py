"""Driving modal dialogs in window tests as a user would: wait for the dialog, then act on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog


def answer_dialog(kind: type[QDialog], fill: Callable[[Any], None]) -> list[Any]:
    """When a modal dialog of ``kind`` opens, let ``fill`` act on it (type, then OK or Cancel).

    Returns a list that receives the dialog (keep it: it also keeps the polling timer alive).
    """
    seen: list[Any] = []
    poll = QTimer()
    poll.setInterval(10)

    def check() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind) and dialog not in seen:
            seen.append(dialog)
            poll.stop()
            try:
                fill(dialog)
            except BaseException:
                # A failed check must fail the test, not leave a modal dialog waiting forever.
                if dialog.isVisible():
                    dialog.reject()
                raise

    poll.timeout.connect(check)
    poll.start()
    seen.append(poll)
    return seen

"""What an evidence file shows and when it was taken: the file itself never changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from core.domain.errors import DocketError, ValidationError
from core.domain.models import Evidence
from core.i18n import _
from gui.kit.fields import OptionalDate


def evidence_values(item: Evidence) -> dict[str, Any]:
    return {"description": item.description, "captured_on": item.captured_on}


class EvidenceDetailsDialog(QDialog):
    """Describe an evidence file. ``submit(values)`` may raise; the message shows in the form."""

    def __init__(self, item: Evidence, submit: Callable[[dict[str, Any]], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._submit = submit
        self.setWindowTitle(_("Describe %1").replace("%1", item.original_name))
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.hide()
        self.description = QPlainTextEdit(item.description, self)
        self.description.setAccessibleName(_("Description"))
        self.description.setPlaceholderText(_("What it shows, e.g. “Order confirmation with the delivery date”"))
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(self.description.fontMetrics().lineSpacing() * 4)
        self.captured_on = OptionalDate(_("Taken or received on"), self)
        self.captured_on.set_value(item.captured_on)
        form = QFormLayout()
        form.addRow(_("&What it shows:"), self.description)
        form.addRow(_("&Taken or received on:"), self.captured_on)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.error)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def values(self) -> dict[str, Any]:
        return {"description": self.description.toPlainText().strip(), "captured_on": self.captured_on.value()}

    def accept(self) -> None:
        try:
            self._submit(self.values())
        except (ValidationError, DocketError) as exc:
            self.error.setText("⚠ " + (exc.message if isinstance(exc, ValidationError) else str(exc)))
            self.error.show()
            return
        super().accept()

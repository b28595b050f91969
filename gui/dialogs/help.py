"""The Help menu's two windows: a short guide, and the keyboard shortcuts."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from core.i18n import _


class GuideDialog(QDialog):
    """What a case is, how to keep one, the ladder, and how to escalate: a page to read."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Docket guide"))
        self.text = QTextBrowser(self)
        self.text.setAccessibleName(_("Guide"))
        self.text.setOpenExternalLinks(False)
        self.text.setHtml(_(
            "<h2>Keeping a case</h2>"
            "<p>A <b>case</b> is one dispute with one company: a refund promised and never paid, a "
            "subscription that will not stop, goods that never came. Start one with <b>New case</b> "
            "(Ctrl+N): who it is with, what went wrong, how much is at stake. <b>Edit case</b> "
            "(Ctrl+Shift+E) holds everything else: how and when you paid (the card network matters: "
            "it sets the chargeback deadline), when delivery was due, what you want.</p>"
            "<p>Then log every contact as it happens: calls (with a timer for the time on hold), "
            "emails, letters, visits, and what each was: your order, a charge they took, a refund, a "
            "promise with its date. Drop receipts, screenshots and emails on the case: they are kept "
            "unaltered, with a fingerprint (SHA-256) that shows they were never changed.</p>"
            "<h2>The ladder</h2>"
            "<p>Docket suggests the next step, one rung at a time: a complaint, a chaser, a formal "
            "complaint to management, a final notice (letter before action), then outside help: a "
            "payment dispute with your card issuer or PayPal, a regulator or ombudsman, a small "
            "claim in court. The banner above the timeline says what is next and by when; a broken "
            "promise comes first. The clocks under it (chargeback window, ombudsman referral) come "
            "from the rules of your jurisdiction, with their sources.</p>"
            "<h2>Escalating</h2>"
            "<p><b>Draft the letter</b> writes the letter for the next step from the facts you logged; "
            "read it, complete anything marked <i>[missing: …]</i>, then send it and log it. "
            "<b>Export</b> (Ctrl+E) makes the case history a bank, an ombudsman or a court can read: "
            "a PDF with the timeline and the evidence list.</p>"
            "<p><i>Docket gives general information, not legal advice.</i></p>"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(560, 520)


class ShortcutsDialog(QDialog):
    """Every action with a keyboard shortcut, read from the window's own actions."""

    def __init__(self, actions: Iterable[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Keyboard shortcuts"))
        rows = [(a.text().replace("&", "").rstrip("…"), a.shortcut().toString(QKeySequence.SequenceFormat.NativeText))
                for a in actions if not a.shortcut().isEmpty()]
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setAccessibleName(_("Keyboard shortcuts"))
        self.table.setHorizontalHeaderLabels([_("Action"), _("Keys")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (name, keys) in enumerate(sorted(rows)):
            self.table.setItem(row, 0, QTableWidgetItem(name))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(420, 460)

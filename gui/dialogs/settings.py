"""Settings: who you are (the sender block of letters), defaults, and where the data is kept."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.domain.errors import DocketError
from core.domain.money import COMMON_CURRENCIES
from core.journal import evidence_text, settings
from core.store.store import Store


def open_folder(path: Path) -> bool:
    """Show ``path`` in the system's file manager, creating it first if needed."""
    path.mkdir(parents=True, exist_ok=True)
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class SettingsDialog(QDialog):
    """Edits the settings kept in the store; OK saves them all in one transaction."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self._store = store
        values = settings.get_all(store)

        self.your_name = QLineEdit(values["your_name"])
        self.your_address = self._text_box(values["your_address"], 3)
        self.your_email = QLineEdit(values["your_email"])
        self.your_phone = QLineEdit(values["your_phone"])
        self.your_other_emails = self._text_box(values["your_other_emails"], 2)
        self.your_other_emails.setToolTip(self.tr("One per line; emails from these count as sent by you"))
        you = QGroupBox(self.tr("You (the sender of your letters)"))
        you_form = QFormLayout(you)
        for label, widget in ((self.tr("&Name"), self.your_name), (self.tr("Postal &address"), self.your_address),
                              (self.tr("&Email"), self.your_email), (self.tr("&Phone"), self.your_phone),
                              (self.tr("&Other emails"), self.your_other_emails)):
            widget.setAccessibleName(label.replace("&", ""))
            you_form.addRow(label, widget)

        self.default_jurisdiction = QLineEdit(values["default_jurisdiction"])
        self.default_jurisdiction.setMaxLength(3)
        self.default_currency = QComboBox()
        self.default_currency.setEditable(True)
        self.default_currency.addItems(COMMON_CURRENCIES)
        self.default_currency.setCurrentText(values["default_currency"])
        self.paper_size = QComboBox()
        self.paper_size.addItem(self.tr("A4"), "A4")
        self.paper_size.addItem(self.tr("US Letter"), "Letter")
        self.paper_size.setCurrentIndex(max(0, self.paper_size.findData(values["paper_size"])))
        self.silence_days = QSpinBox()
        self.silence_days.setRange(1, 365)
        self.silence_days.setValue(values["silence_days"])
        self.silence_days.setSuffix(self.tr(" days"))
        defaults = QGroupBox(self.tr("Defaults for new cases"))
        defaults_form = QFormLayout(defaults)
        for label, widget in ((self.tr("&Jurisdiction"), self.default_jurisdiction),
                              (self.tr("&Currency"), self.default_currency),
                              (self.tr("Pape&r size"), self.paper_size),
                              (self.tr("Remind after &silence of"), self.silence_days)):
            widget.setAccessibleName(label.replace("&", ""))
            defaults_form.addRow(label, widget)

        data = QGroupBox(self.tr("Where your data is kept"))
        data_form = QFormLayout(data)
        data_form.addRow(self.tr("Data folder"), self._folder_row(store.data_dir, self.tr("Open the data folder")))
        data_form.addRow(self.tr("Your letter templates"),
                         self._folder_row(store.templates_dir, self.tr("Open the letter templates folder")))
        self.ocr_note = QLabel(self.tr("Text in pictures is searched.") if evidence_text.ocr_available()
                               else self.tr('Text in pictures is not searched. To search it, install the OCR extra: '
                                            'pip install "docket[ocr]"'))
        self.ocr_note.setWordWrap(True)
        self.ocr_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        data_form.addRow(self.tr("Search in evidence"), self.ocr_note)

        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (you, defaults, data, self.error, buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(520)

    def _text_box(self, value: str, lines: int) -> QPlainTextEdit:
        box = QPlainTextEdit(value)
        box.setTabChangesFocus(True)
        box.setFixedHeight(self.fontMetrics().lineSpacing() * (lines + 1))
        return box

    def _folder_row(self, path: Path, button_text: str) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        shown = QLineEdit(str(path))
        shown.setReadOnly(True)
        shown.setAccessibleName(button_text)
        button = QPushButton(self.tr("Open"))
        button.setAccessibleName(button_text)
        button.clicked.connect(lambda: open_folder(path))
        layout.addWidget(shown, 1)
        layout.addWidget(button)
        return row

    def values(self) -> dict[str, object]:
        return {
            "your_name": self.your_name.text().strip(),
            "your_address": self.your_address.toPlainText().strip(),
            "your_email": self.your_email.text().strip(),
            "your_phone": self.your_phone.text().strip(),
            "your_other_emails": self.your_other_emails.toPlainText().strip(),
            "default_jurisdiction": self.default_jurisdiction.text().strip().upper(),
            "default_currency": self.default_currency.currentText().strip().upper(),
            "paper_size": self.paper_size.currentData(),
            "silence_days": self.silence_days.value(),
        }

    def accept(self) -> None:
        """Save every setting at once; a bad value is named and nothing is saved."""
        values = self.values()
        currency = str(values["default_currency"])
        if len(currency) != 3 or not currency.isalpha():
            self._show_error(self.tr("The default currency must be a three-letter code such as EUR, GBP or USD."))
            return
        try:
            settings.update(self._store, **values)
        except DocketError as exc:
            self._show_error(str(exc))
            return
        super().accept()

    def _show_error(self, message: str) -> None:
        self.error.setText("⚠ " + message)
        self.error.show()

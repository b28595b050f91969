"""Settings: who you are (the sender block of letters), defaults, the language Docket speaks,
and where the data is kept."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QLocale, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core import i18n
from core.domain.errors import DocketError
from core.i18n import N_, _
from core.journal import evidence_text, settings
from core.store import keyring_store, protection
from core.store.store import Store
from gui.dialogs.protection import PassphraseDialog, protect, protects_text, unprotect
from gui.kit.fields import CurrencyPicker, JurisdictionPicker
from gui.kit.workers import Task


class ProtectionBox(QWidget):
    """Whether the data is protected with a passphrase, and the buttons to change that (a row
    of the data group; what it protects against is said in the dialog the button opens)."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.protect_button = QPushButton(_("Protect with a passphrase…"))
        self.change_button = QPushButton(_("Change the passphrase…"))
        self.remove_button = QPushButton(_("Remove the passphrase…"))
        self.protect_button.clicked.connect(self.ask_protect)
        self.change_button.clicked.connect(self.ask_change)
        self.remove_button.clicked.connect(self.ask_remove)
        # Off by default: with it on, logging in as the user is enough to open the data.
        self.remember = QCheckBox(_("Remember the passphrase in this computer's keyring"))
        self.remember.clicked.connect(self._remember_clicked)
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.hide()
        self.task: Task | None = None
        row = QHBoxLayout()
        row.addWidget(self.state, 1)
        for button in (self.protect_button, self.change_button, self.remove_button):
            row.addWidget(button)
        # In the same row: a row of its own would make Settings too tall for a small laptop.
        row.addWidget(self.remember)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.outcome)
        self.refresh()

    def refresh(self) -> None:
        protected = self._store.key is not None
        self.state.setText(_("Protected") if protected else _("Not protected"))
        self.state.setToolTip(
            _("Your data is protected with a passphrase: the database, evidence files, automatic backups and "
              "archives cannot be read without it. Files you export are written in clear.") if protected else
            _("Your data is not protected with a passphrase: anyone with this computer's disk or a copy of "
              "your backups can read it."))
        self.protect_button.setVisible(not protected)
        self.change_button.setVisible(protected)
        self.remove_button.setVisible(protected)
        busy = self.task is not None
        for button in (self.protect_button, self.change_button, self.remove_button):
            button.setEnabled(not busy)
        self._refresh_remember(protected, busy)

    def _refresh_remember(self, protected: bool, busy: bool) -> None:
        available = keyring_store.keyring_available()
        self.remember.setChecked(protected and keyring_store.is_remembered(data_dir=self._store.data_dir))
        self.remember.setEnabled(available and protected and not busy)
        if not available:
            self.remember.setToolTip(_("Not available: this computer has no keyring Docket can use. It needs the "
                                       "optional keyring package (pip install \"docket[keyring]\") and a working "
                                       "system keyring."))
        elif not protected:
            self.remember.setToolTip(_("Protect the data with a passphrase first."))
        else:
            self.remember.setToolTip(remember_warning())

    def _remember_clicked(self, checked: bool) -> None:
        data_dir = self._store.data_dir
        if not checked:
            keyring_store.forget_passphrase(data_dir=data_dir)
            self._finished(None, _("The passphrase is no longer remembered on this computer."))
            return
        dialog = PassphraseDialog(title=_("Remember the passphrase"), ask_current=True, ask_new=False,
                                  confirm_written_down=False, explanation=remember_warning(), parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            self.refresh()
            return
        try:
            keyring_store.remember_passphrase(data_dir=data_dir, passphrase=dialog.current.text())
        except DocketError as exc:
            self._finished(str(exc), "")
            return
        self._finished(None, _("The passphrase is remembered: Docket opens on this computer without asking."))

    def _finished(self, message: str | None, success: str) -> None:
        self.task = None
        self.outcome.setText(success if message is None else "⚠ " + message)
        self.outcome.show()
        self.refresh()

    def ask_protect(self) -> None:
        dialog = PassphraseDialog(title=_("Protect with a passphrase"), ask_current=False, ask_new=True,
                                  confirm_written_down=True, explanation=protects_text(), parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.task = protect(self._store, dialog.new.text(), self,
                            lambda message: self._finished(message, _("Your data is now protected with your passphrase.")))
        self.refresh()

    def ask_change(self) -> None:
        dialog = PassphraseDialog(title=_("Change the passphrase"), ask_current=True, ask_new=True,
                                  confirm_written_down=True, parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            protection.change_passphrase(data_dir=self._store.data_dir, old_passphrase=dialog.current.text(),
                                         new_passphrase=dialog.new.text())
        except DocketError as exc:
            self._finished(str(exc), "")
            return
        self._finished(None, _("The passphrase is changed."))

    def ask_remove(self) -> None:
        dialog = PassphraseDialog(
            title=_("Remove the passphrase"), ask_current=True, ask_new=False, confirm_written_down=False,
            explanation=_("Your data will be kept in clear again: anyone with this computer's disk or a copy of "
                          "your backups will be able to read it."), parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.task = unprotect(self._store, dialog.current.text(), self,
                              lambda message: self._finished(message, _("Your data is no longer protected.")))
        self.refresh()


def remember_warning() -> str:
    """What remembering the passphrase in the keyring gives away, in the user's words."""
    return _("With the passphrase remembered, anyone who can log in to this computer as you can open "
             "Docket's data without it. The passphrase then only protects a copied disk or backup.")


def open_folder(path: Path) -> bool:
    """Show ``path`` in the system's file manager, creating it first if needed."""
    path.mkdir(parents=True, exist_ok=True)
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class SettingsDialog(QDialog):
    """Edits the settings kept in the store; OK saves them all in one transaction."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Settings"))
        self._store = store
        values = settings.get_all(store)

        self.your_name = QLineEdit(values["your_name"])
        self.your_address = self._text_box(values["your_address"], 3)
        self.your_email = QLineEdit(values["your_email"])
        self.your_phone = QLineEdit(values["your_phone"])
        self.your_other_emails = self._text_box(values["your_other_emails"], 2)
        self.your_other_emails.setPlaceholderText(_("One address per line"))
        other_hint = QLabel(_("When you import emails, those sent from any of these addresses count as "
                                    "written by you (to the company)."))
        other_hint.setWordWrap(True)
        other_hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.default_jurisdiction = JurisdictionPicker()
        self.default_jurisdiction.set_code(values["default_jurisdiction"])
        self.default_currency = CurrencyPicker()
        self.default_currency.set_code(values["default_currency"])
        self.paper_size = QComboBox()
        self.paper_size.addItem(_("A4"), "A4")
        self.paper_size.addItem(_("US Letter"), "Letter")
        self.paper_size.setCurrentIndex(max(0, self.paper_size.findData(values["paper_size"])))
        self.silence_days = QSpinBox()
        self.silence_days.setRange(1, 365)
        self.silence_days.setValue(values["silence_days"])
        self.silence_days.setSuffix(_(" days"))
        self.language = QComboBox()
        system = i18n.LANGUAGES[i18n.system_language()]
        self.language.addItem(_("System default (%1)").replace("%1", system), None)
        for code, name in i18n.LANGUAGES.items():  # each in its own words: a reader finds theirs
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(i18n.saved_language())))
        self._language_was = i18n.saved_language()
        self.restart_wanted = False
        self.ocr_note = QLabel(_("Text in pictures is searched.") if evidence_text.ocr_available()
                               else _('Text in pictures is not searched. To search it, install the OCR extra: '
                                            'pip install "docket[ocr]"'))
        self.ocr_note.setWordWrap(True)
        self.ocr_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # One label column for the three groups, so every field starts at the same place.
        # The passphrase sits beside the data folder it protects (a row of its own would make
        # the dialog too tall for a small laptop screen).
        self.protection = ProtectionBox(store)
        data_row = self._folder_row(store.data_dir, _("Open the data folder"))
        data_layout = data_row.layout()
        assert data_layout is not None
        data_layout.addWidget(self.protection)
        groups: list[tuple[QGroupBox, list[tuple[str, QWidget]]]] = [
            (QGroupBox(_("You (the sender of your letters)")), [
                (_("&Name:"), self.your_name), (_("Postal &address:"), self.your_address),
                (_("&Email:"), self.your_email), (_("&Phone:"), self.your_phone),
                (_("&Other addresses:"), self.your_other_emails), ("", other_hint)]),
            (QGroupBox(_("Language and defaults for new cases")), [
                (_("&Language of Docket:"), self.language),
                (_("&Jurisdiction:"), self.default_jurisdiction), (_("&Currency:"), self.default_currency),
                (_("Pape&r size:"), self.paper_size), (_("Remind after &silence of:"), self.silence_days)]),
            (QGroupBox(_("Where your data is kept")), [
                (_("Data folder:"), data_row),
                (_("Your letter templates:"),
                 self._folder_row(store.templates_dir, _("Open the letter templates folder"))),
                (_("Search in evidence:"), self.ocr_note)]),
        ]
        labels: list[QLabel] = []
        for group, rows in groups:
            form = QFormLayout(group)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            # A little tighter than the style's rows: the whole dialog fits a 720-pixel screen.
            form.setVerticalSpacing(4)
            for text, widget in rows:
                label = QLabel(text)
                label.setBuddy(widget)
                labels.append(label)
                if text:
                    widget.setAccessibleName(text.replace("&", "").rstrip(":"))
                form.addRow(label, widget)
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(width)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        you, defaults, data = (group for group, _rows in groups)

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
        button = QPushButton(_("&Open"))
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
            "default_jurisdiction": self.default_jurisdiction.code(),
            "default_currency": self.default_currency.code(),
            "paper_size": self.paper_size.currentData(),
            "silence_days": self.silence_days.value(),
        }

    def accept(self) -> None:
        """Save every setting at once; a bad value is named and nothing is saved."""
        values = self.values()
        currency = str(values["default_currency"])
        if len(currency) != 3 or not currency.isalpha():
            self._show_error(_("The default currency must be a three-letter code such as EUR, GBP or USD."))
            return
        try:
            settings.update(self._store, **values)
        except DocketError as exc:
            self._show_error(str(exc))
            return
        chosen = self.language.currentData()
        if chosen != self._language_was:
            i18n.save_language(chosen)
            self._language_was = chosen
            self.restart_wanted = self._announce_language()
        super().accept()

    def _announce_language(self) -> bool:
        """Say, in the language just chosen, that it applies from the next start (the window's
        strings are set once, when each part of it is made); True if the user restarts now."""
        if os.environ.get("DOCKET_LANGUAGE"):
            QMessageBox.information(self, _("Language"), _(
                "The DOCKET_LANGUAGE environment variable chooses Docket's language here: your "
                "choice applies once it is removed."))
            return False
        new = i18n.wanted_language()
        if new == i18n.current_language():
            return False
        speak = i18n.translator_for(new).gettext
        box = QMessageBox(QMessageBox.Icon.Information, speak(N_("Language")),
                          speak(N_("Docket will speak the language you chose the next time it starts.")),
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("language-notice")
        restart = box.addButton(speak(N_("Restart now")), QMessageBox.ButtonRole.AcceptRole)
        later: QAbstractButton = box.addButton(speak(N_("Later")), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(restart)
        box.setEscapeButton(later)
        if new in i18n.LANGUAGES:
            # Right to left or not, the notice reads as the chosen language is written.
            box.setLayoutDirection(QLocale(new).textDirection())
        box.exec()
        return box.clickedButton() is restart

    def _show_error(self, message: str) -> None:
        self.error.setText("⚠ " + message)
        self.error.show()

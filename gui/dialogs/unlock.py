"""The passphrase dialog shown at start for a protected store: three tries, then a wait.

Nothing is read from the data folder until the passphrase opens its key (the first paint
skips a protected store). A wrong passphrase changes nothing; after three in a row the field
waits, longer after each further three, so guessing at the keyboard is slow.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from core.domain.errors import DocketError
from core.i18n import _
from core.store import crypto, keyring_store

TRIES = 3
FIRST_WAIT_S = 30


class UnlockDialog(QDialog):
    """Asks for the passphrase of the protected store in ``data_dir``; :attr:`key` holds the
    data key once it opened."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Unlock Docket"))
        self._data_dir = data_dir
        self.key: bytes | None = None
        self._failures = 0
        self._wait_left = 0
        intro = QLabel(_("Your data is protected with a passphrase. Type it to open Docket."))
        intro.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(_("Passphrase"))
        self.passphrase.setPlaceholderText(_("Passphrase"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(_("Unlock message"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(_("Unlock"))
        self.buttons.accepted.connect(self.try_unlock)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, self.passphrase, self.message, self.buttons):
            layout.addWidget(widget)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self.setMinimumWidth(420)

    @property
    def waiting(self) -> bool:
        """Whether the dialog makes the user wait before the next try."""
        return self._wait_left > 0

    def try_unlock(self) -> None:
        """Try the passphrase typed; on success the dialog is accepted with :attr:`key` set."""
        if self.waiting:
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.key = crypto.unlock(self._data_dir, self.passphrase.text())
        except crypto.WrongPassphrase:
            self._wrong()
            return
        except DocketError as exc:
            self.message.setText(str(exc))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.passphrase.clear()
        self.accept()

    def _wrong(self) -> None:
        self._failures += 1
        self.passphrase.selectAll()
        left = TRIES - self._failures % TRIES
        if self._failures % TRIES:
            self.message.setText(_("Wrong passphrase. Nothing was changed. Tries left before a wait: {n}").format(n=left))
            return
        self._wait_left = FIRST_WAIT_S * 2 ** (self._failures // TRIES - 1)
        self._set_enabled(False)
        self._show_wait()
        self._timer.start()

    def _tick(self) -> None:
        self._wait_left -= 1
        if self._wait_left <= 0:
            self._timer.stop()
            self._set_enabled(True)
            self.message.setText(_("Wrong passphrase three times. You can try again now."))
            self.passphrase.setFocus()
            return
        self._show_wait()

    def _show_wait(self) -> None:
        self.message.setText(_("Wrong passphrase three times. Wait {seconds} seconds before trying again.")
                             .format(seconds=self._wait_left))

    def _set_enabled(self, enabled: bool) -> None:
        self.passphrase.setEnabled(enabled)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(enabled)


def ask_to_unlock(data_dir: Path, parent: QWidget | None = None) -> bytes | None:
    """The data key of the protected store in ``data_dir``, or None if the user gave up. A
    passphrase remembered in the keyring opens it without the dialog."""
    remembered = keyring_store.remembered_passphrase(data_dir=data_dir)
    if remembered is not None:
        return crypto.unlock(data_dir, remembered)
    dialog = UnlockDialog(data_dir, parent)
    return dialog.key if dialog.exec() == QDialog.DialogCode.Accepted else None

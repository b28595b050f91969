"""Protect with a passphrase, change it, remove it: the dialogs Settings opens.

The text says plainly what a passphrase protects against and what it does not
(docs/encryption.md), and protecting needs the confirmation that the passphrase is written
down: there is no recovery. Converting the data runs in a worker with a progress dialog.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from core.i18n import _
from core.store import protection
from core.store.store import Store
from gui.kit.workers import Task, run_in_background

MIN_LENGTH = 8


def protects_text() -> str:
    """What a passphrase protects against and what it does not, in the user's words."""
    return _(
        "A passphrase protects your cases, evidence files, automatic backups and archives if this "
        "computer or a copy of your backups is lost or stolen: without the passphrase they cannot be read.\n\n"
        "It does not protect against harmful software on this computer while Docket is open, and it does "
        "not protect files you export yourself (PDF, case files, letters): those are written in clear.\n\n"
        "There is no recovery. If you forget the passphrase, nobody (not Docket, not its makers) can open "
        "your data again. Write it down and keep it somewhere safe."
    )


def _password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    return field


class PassphraseDialog(QDialog):
    """Asks for a new passphrase twice (and the current one when changing it); with
    ``confirm_written_down`` also the box saying it is written down."""

    def __init__(self, *, title: str, ask_current: bool, ask_new: bool, confirm_written_down: bool,
                 explanation: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        if explanation:
            text = QLabel(explanation)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(text)
        form = QFormLayout()
        self.current = _password_field(_("Current passphrase"))
        self.new = _password_field(_("New passphrase"))
        self.again = _password_field(_("New passphrase again"))
        if ask_current:
            form.addRow(_("&Current passphrase:"), self.current)
        if ask_new:
            form.addRow(_("&New passphrase:"), self.new)
            form.addRow(_("New passphrase &again:"), self.again)
        layout.addLayout(form)
        self.written_down = QCheckBox(_("I have written the passphrase down. I understand that without it "
                                        "nothing can open my data."))
        self.written_down.setVisible(confirm_written_down)
        layout.addWidget(self.written_down)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._ask_current, self._ask_new, self._confirm = ask_current, ask_new, confirm_written_down
        for field in (self.current, self.new, self.again):
            field.textChanged.connect(self._check)
        self.written_down.toggled.connect(self._check)
        self.setMinimumWidth(480)
        self._check()

    def _check(self) -> None:
        problem = ""
        if self._ask_current and not self.current.text():
            problem = _("Type the current passphrase.")
        elif self._ask_new and len(self.new.text()) < MIN_LENGTH:
            problem = _("Use at least {n} characters; a few words are best.").format(n=MIN_LENGTH)
        elif self._ask_new and self.new.text() != self.again.text():
            problem = _("The two new passphrases differ.")
        elif self._confirm and not self.written_down.isChecked():
            problem = _("Confirm that the passphrase is written down.")
        self.problem.setText(problem)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)


def convert_in_background(parent: QWidget, title: str, work: Callable[[Callable[[int, int, str], bool]], None],
                          done: Callable[[str | None], None]) -> Task:
    """Run a conversion in a worker behind a progress dialog; ``done(None)`` on success,
    ``done(message)`` when it failed or was cancelled (the data is then as it was)."""
    dialog = QProgressDialog(title, _("Cancel"), 0, 1000, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)

    def body(progress: Callable[[int, int], bool]) -> None:
        work(lambda done_, total, _what: progress(done_, total))

    def setup(task: Task) -> None:
        task.progressed.connect(lambda d, t: dialog.setValue(int(1000 * d / max(t, 1))))
        task.cancelled.connect(lambda: done(_("Cancelled; your data is as it was.")))
        task.finished.connect(dialog.close)
        dialog.canceled.connect(task.cancel)

    return run_in_background(body, parent, succeeded=lambda _r: done(None), failed=done, setup=setup)


def protect(store: Store, passphrase: str, parent: QWidget, done: Callable[[str | None], None]) -> Task:
    """Protect ``store`` with ``passphrase`` in the background (the user confirmed it is
    written down)."""
    return convert_in_background(
        parent, _("Protecting your data…"),
        lambda progress: protection.protect_store(store, passphrase=passphrase, confirmed_written_down=True,
                                                  progress=progress),
        done)


def unprotect(store: Store, passphrase: str, parent: QWidget, done: Callable[[str | None], None]) -> Task:
    """Remove the passphrase from ``store`` in the background."""
    return convert_in_background(
        parent, _("Removing the passphrase…"),
        lambda progress: protection.unprotect_store(store, passphrase=passphrase, progress=progress),
        done)

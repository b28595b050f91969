"""Protecting the data from Settings, and unlocking it when Docket starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from core.journal import cases
from core.journal.opening import open_store
from core.store import crypto, protection
from core.store.store import Store
from gui.dialogs import unlock
from gui.dialogs.protection import PassphraseDialog
from gui.dialogs.settings import ProtectionBox
from gui.shell.first_paint import read_first_page

PASSPHRASE = "moss on the north wall"


def _ok(dialog: PassphraseDialog) -> bool:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_protecting_from_settings_needs_the_passphrase_twice_and_the_written_down_box(
        qtbot, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    cases.open_case(store, title="Sofa delivered broken", company="Couchly")
    box = ProtectionBox(store)
    qtbot.addWidget(box)
    assert box.protect_button.isVisibleTo(box) and not box.remove_button.isVisibleTo(box)
    assert box.state.text() == "Not protected" and "can read it" in box.state.toolTip()

    def fill_in(dialog: PassphraseDialog) -> QDialog.DialogCode:
        assert "no recovery" in dialog.findChildren(type(box.state))[0].text().lower()
        dialog.new.setText(PASSPHRASE)
        assert not _ok(dialog)
        dialog.again.setText(PASSPHRASE)
        assert not _ok(dialog)  # not yet confirmed as written down
        dialog.written_down.setChecked(True)
        assert _ok(dialog)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(PassphraseDialog, "exec", fill_in)
    box.ask_protect()
    qtbot.waitUntil(lambda: box.task is None, timeout=120_000)
    assert box.outcome.text() == "Your data is now protected with your passphrase."
    assert store.key is not None and crypto.is_protected(store.data_dir)
    assert box.remove_button.isVisibleTo(box) and not box.protect_button.isVisibleTo(box)
    assert b"Couchly" not in store.db_path.read_bytes()
    cases.open_case(store, title="Still works after", company="Couchly")


def test_removing_with_a_wrong_passphrase_says_so_and_keeps_the_protection(
        qtbot, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    protection.protect_store(store, passphrase=PASSPHRASE, confirmed_written_down=True,
                             kdf=crypto.KdfParams(n=2**12))
    box = ProtectionBox(store)
    qtbot.addWidget(box)

    def wrong(dialog: PassphraseDialog) -> QDialog.DialogCode:
        dialog.current.setText("moss on the south wall")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(PassphraseDialog, "exec", wrong)
    box.ask_remove()
    qtbot.waitUntil(lambda: box.task is None, timeout=60_000)
    assert box.outcome.text().startswith("⚠ Wrong passphrase")
    assert store.key is not None and crypto.is_protected(store.data_dir)


@pytest.fixture
def protected_dir(data_dir: Path) -> Path:
    with open_store(data_dir) as opened:
        cases.open_case(opened, title="Phone contract", company="Teleco")
        protection.protect_store(opened, passphrase=PASSPHRASE, confirmed_written_down=True,
                                 kdf=crypto.KdfParams(n=2**12))
    return data_dir


def test_the_unlock_dialog_gives_three_tries_then_a_wait(qtbot, protected_dir: Path) -> None:
    dialog = unlock.UnlockDialog(protected_dir)
    qtbot.addWidget(dialog)
    for left in (2, 1):
        dialog.passphrase.setText("moss")
        dialog.try_unlock()
        assert f"Tries left before a wait: {left}" in dialog.message.text()
    dialog.passphrase.setText("moss")
    dialog.try_unlock()
    assert dialog.waiting and not dialog.passphrase.isEnabled()
    assert "Wait 30 seconds" in dialog.message.text()
    dialog.passphrase.setText(PASSPHRASE)
    dialog.try_unlock()  # ignored while waiting
    assert dialog.key is None
    dialog._wait_left = 1
    dialog._tick()
    assert not dialog.waiting and dialog.passphrase.isEnabled()
    dialog.try_unlock()
    assert dialog.key == crypto.unlock(protected_dir, PASSPHRASE)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_the_first_paint_does_not_read_a_protected_store(protected_dir: Path) -> None:
    assert read_first_page(protected_dir) is None


def test_the_export_dialog_says_the_saved_file_is_not_protected(qtbot, protected_dir: Path) -> None:
    from gui.dialogs.export import ExportDialog

    with open_store(protected_dir, key=crypto.unlock(protected_dir, PASSPHRASE)) as opened:
        dialog = ExportDialog(opened, 1)
        qtbot.addWidget(dialog)
        assert "the file you save here is not" in dialog.clear_note.text()
        dialog.close()


def test_docket_starts_on_a_protected_store_after_the_unlock_dialog(qtbot, protected_dir: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """No first paint (nothing is read before the passphrase), then the window on the data."""
    from PySide6.QtWidgets import QApplication

    from gui.shell import app
    from gui.shell.main_window import MainWindow

    asked: list[Path] = []
    painted: list[object] = []

    def type_passphrase(data_dir: Path, parent: object = None) -> bytes:
        asked.append(data_dir)
        return crypto.unlock(data_dir, PASSPHRASE)

    def exec_until_shown(self: QApplication) -> int:
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        painted.append(window.store.key is not None)
        window.hide()
        return 0

    monkeypatch.setattr(unlock, "ask_to_unlock", type_passphrase)
    monkeypatch.setattr(app, "START_CHECK_DELAY_MS", 10**9)
    monkeypatch.setattr(app, "first_painted", lambda window: painted.append("first paint"))
    monkeypatch.setattr(QApplication, "exec", exec_until_shown)
    assert app.run(data_dir=protected_dir) == 0
    assert asked == [protected_dir]
    assert painted == [True]


def test_giving_up_at_the_unlock_dialog_closes_docket_and_changes_nothing(protected_dir: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from gui.shell import app

    before = {p: p.read_bytes() for p in protected_dir.rglob("*") if p.is_file() and p.name != "docket.lock"}
    monkeypatch.setattr(unlock, "ask_to_unlock", lambda data_dir, parent=None: None)
    assert app.run(data_dir=protected_dir) == 0
    after = {p: p.read_bytes() for p in protected_dir.rglob("*") if p.is_file() and p.name != "docket.lock"}
    assert after == before

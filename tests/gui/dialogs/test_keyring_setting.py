"""Settings' "remember the passphrase" box: unchecked by default, disabled where there is no
keyring, and when checked the window opens without asking."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from core.journal import cases
from core.journal.opening import open_store
from core.store import crypto, keyring_store, protection
from gui.dialogs import unlock
from gui.dialogs.protection import PassphraseDialog
from gui.dialogs.settings import ProtectionBox
from tests.conftest import MemoryKeyring

PASSPHRASE = "moss on the north wall"


@pytest.fixture
def protected_dir(data_dir: Path) -> Path:
    with open_store(data_dir) as opened:
        cases.open_case(opened, title="Phone contract", company="Teleco")
        protection.protect_store(opened, passphrase=PASSPHRASE, confirmed_written_down=True,
                                 kdf=crypto.KdfParams(n=2**12))
    return data_dir


def _box(qtbot, data_dir: Path) -> ProtectionBox:  # type: ignore[no-untyped-def]
    """Settings' protection row for the protected store (closed with the test)."""
    with open_store(data_dir, key=crypto.unlock(data_dir, PASSPHRASE)) as store:
        box = ProtectionBox(store)
    qtbot.addWidget(box)
    return box


def test_without_a_keyring_the_box_is_disabled_and_says_why(qtbot, protected_dir: Path) -> None:
    box = _box(qtbot, protected_dir)
    assert not box.remember.isChecked() and not box.remember.isEnabled()
    assert "no keyring" in box.remember.toolTip()


def test_checking_the_box_asks_for_the_passphrase_then_docket_opens_without_asking(
        qtbot, protected_dir: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    box = _box(qtbot, protected_dir)
    assert box.remember.isEnabled() and not box.remember.isChecked()  # off by default
    assert "log in" in box.remember.toolTip()

    def wrong(dialog: PassphraseDialog) -> QDialog.DialogCode:
        dialog.current.setText("moss on the south wall")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(PassphraseDialog, "exec", wrong)
    box.remember.click()
    assert box.outcome.text().startswith("⚠ Wrong passphrase")
    assert not box.remember.isChecked() and memory_keyring.secrets == {}

    def right(dialog: PassphraseDialog) -> QDialog.DialogCode:
        dialog.current.setText(PASSPHRASE)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(PassphraseDialog, "exec", right)
    box.remember.click()
    assert box.remember.isChecked()
    assert keyring_store.remembered_passphrase(data_dir=protected_dir) == PASSPHRASE

    def no_dialog(self: unlock.UnlockDialog) -> int:
        raise AssertionError("the unlock dialog was shown")

    monkeypatch.setattr(unlock.UnlockDialog, "exec", no_dialog)
    assert unlock.ask_to_unlock(protected_dir) == crypto.unlock(protected_dir, PASSPHRASE)


def test_unchecking_the_box_forgets_the_passphrase(qtbot, protected_dir: Path,
                                                   memory_keyring: MemoryKeyring) -> None:
    keyring_store.remember_passphrase(data_dir=protected_dir, passphrase=PASSPHRASE)
    box = _box(qtbot, protected_dir)
    assert box.remember.isChecked()
    box.remember.click()
    assert not box.remember.isChecked() and memory_keyring.secrets == {}

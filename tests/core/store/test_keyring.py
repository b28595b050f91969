"""Remembering the passphrase in the computer's keyring: off by default, only a convenience,
and a remembered passphrase that no longer opens the data is never used."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from core.cli.main import main
from core.journal import cases
from core.journal.opening import open_store
from core.store import crypto, keyring_store, protection
from tests.conftest import MemoryKeyring

PASSPHRASE = "lantern by the old mill"
FAST = crypto.KdfParams(n=2**12)


@pytest.fixture
def protected_dir(data_dir: Path) -> Path:
    with open_store(data_dir) as opened:
        cases.open_case(opened, title="Gym membership never cancelled", company="FitCo")
        protection.protect_store(opened, passphrase=PASSPHRASE, confirmed_written_down=True, kdf=FAST)
    return data_dir


@pytest.fixture
def no_other_passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    """No passphrase file and no terminal: only the keyring can unlock."""
    monkeypatch.delenv("DOCKET_PASSPHRASE_FILE", raising=False)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)


def test_a_freshly_protected_store_remembers_nothing(protected_dir: Path, memory_keyring: MemoryKeyring) -> None:
    assert memory_keyring.secrets == {}
    assert keyring_store.remembered_passphrase(data_dir=protected_dir) is None


def test_the_remembered_passphrase_unlocks_the_command_line_without_a_prompt_or_file(
        protected_dir: Path, memory_keyring: MemoryKeyring, no_other_passphrase: None,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(protected_dir), "cases", "--json"]) == 2
    assert "DOCKET_PASSPHRASE_FILE" in capsys.readouterr().err

    keyring_store.remember_passphrase(data_dir=protected_dir, passphrase=PASSPHRASE)
    assert memory_keyring.secrets == {("Docket", str(protected_dir.resolve())): PASSPHRASE}

    assert main(["--data-dir", str(protected_dir), "cases", "--json"]) == 0
    assert [c["title"] for c in json.loads(capsys.readouterr().out)] == ["Gym membership never cancelled"]


def test_a_wrong_passphrase_is_not_remembered(protected_dir: Path, memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(crypto.WrongPassphrase):
        keyring_store.remember_passphrase(data_dir=protected_dir, passphrase="lantern by the new mill")
    assert memory_keyring.secrets == {}


def test_a_remembered_passphrase_that_no_longer_opens_the_data_is_ignored_and_forgotten(
        protected_dir: Path, memory_keyring: MemoryKeyring, no_other_passphrase: None,
        capsys: pytest.CaptureFixture[str]) -> None:
    memory_keyring.secrets[("Docket", str(protected_dir.resolve()))] = "an old passphrase"
    assert keyring_store.remembered_passphrase(data_dir=protected_dir) is None
    assert memory_keyring.secrets == {}

    memory_keyring.secrets[("Docket", str(protected_dir.resolve()))] = "an old passphrase"
    assert main(["--data-dir", str(protected_dir), "cases", "--json"]) == 2
    assert "DOCKET_PASSPHRASE_FILE" in capsys.readouterr().err  # asked the usual way instead
    assert memory_keyring.secrets == {}


def test_changing_the_passphrase_updates_the_remembered_one(protected_dir: Path,
                                                            memory_keyring: MemoryKeyring) -> None:
    keyring_store.remember_passphrase(data_dir=protected_dir, passphrase=PASSPHRASE)
    protection.change_passphrase(data_dir=protected_dir, old_passphrase=PASSPHRASE,
                                 new_passphrase="candle in the east tower", kdf=FAST)
    assert keyring_store.remembered_passphrase(data_dir=protected_dir) == "candle in the east tower"


def test_changing_the_passphrase_does_not_start_remembering_it(protected_dir: Path,
                                                               memory_keyring: MemoryKeyring) -> None:
    protection.change_passphrase(data_dir=protected_dir, old_passphrase=PASSPHRASE,
                                 new_passphrase="candle in the east tower", kdf=FAST)
    assert memory_keyring.secrets == {}


def test_removing_the_protection_forgets_the_passphrase(protected_dir: Path,
                                                        memory_keyring: MemoryKeyring) -> None:
    keyring_store.remember_passphrase(data_dir=protected_dir, passphrase=PASSPHRASE)
    with open_store(protected_dir, key=crypto.unlock(protected_dir, PASSPHRASE)) as opened:
        protection.unprotect_store(opened, passphrase=PASSPHRASE)
    assert memory_keyring.secrets == {}


def test_each_data_folder_has_its_own_remembered_passphrase(protected_dir: Path, tmp_path: Path,
                                                            memory_keyring: MemoryKeyring) -> None:
    keyring_store.remember_passphrase(data_dir=protected_dir, passphrase=PASSPHRASE)
    other = tmp_path / "other"
    other.mkdir()
    assert keyring_store.remembered_passphrase(data_dir=other) is None
    keyring_store.forget_passphrase(data_dir=other)
    assert keyring_store.remembered_passphrase(data_dir=protected_dir) == PASSPHRASE


def test_without_a_usable_keyring_nothing_is_remembered(protected_dir: Path) -> None:
    # The test session's default is the failing backend: what a computer without a keyring has.
    assert not keyring_store.keyring_available()
    assert keyring_store.remembered_passphrase(data_dir=protected_dir) is None
    keyring_store.forget_passphrase(data_dir=protected_dir)  # harmless
    with pytest.raises(Exception, match="no keyring"):
        keyring_store.remember_passphrase(data_dir=protected_dir, passphrase=PASSPHRASE)


def test_without_the_keyring_package_nothing_is_remembered(protected_dir: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # as if not installed: import fails
    assert not keyring_store.keyring_available()
    assert keyring_store.remembered_passphrase(data_dir=protected_dir) is None

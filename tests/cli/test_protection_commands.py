"""Protecting the data from the command line: the passphrase comes from a file or a prompt,
never an argument, and a wrong one changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.journal import cases
from core.journal.opening import open_store
from core.store import crypto, protection
from core.store.store import Store

# The key file keeps the scrypt parameters it was made with, so a store protected here with
# cheap ones unlocks in a few milliseconds in every command below. The first test protects
# through `docket encrypt` with the real parameters, end to end.
CHEAP_KDF = crypto.KdfParams(n=2**12)

pytestmark = pytest.mark.slow  # a command-line process for every step


def docket(data_dir: Path, *args: str, passphrase: Path | None = None, new: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKET_") or k == "DOCKET_NO_OCR"}
    if passphrase is not None:
        env["DOCKET_PASSPHRASE_FILE"] = str(passphrase)
    if new is not None:
        env["DOCKET_NEW_PASSPHRASE_FILE"] = str(new)
    return subprocess.run([sys.executable, "-m", "core.cli.main", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL)


@pytest.fixture
def filled(data_dir: Path) -> Path:
    with Store.open(data_dir) as store:
        cases.open_case(store, title="Boiler repair never refunded", company="Heatwise")
    return data_dir


def _secret(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text + "\n")
    return path


def _protect(data_dir: Path, passphrase: Path) -> None:
    """Protect the store as `docket encrypt --written-down` does, with cheap key parameters."""
    with open_store(data_dir) as store:
        protection.protect_store(store, passphrase=passphrase.read_text().splitlines()[0],
                                 confirmed_written_down=True, kdf=CHEAP_KDF)
    assert crypto.is_protected(data_dir)


def test_encrypt_then_every_command_asks_for_the_passphrase(filled: Path, tmp_path: Path) -> None:
    first = _secret(tmp_path, "first", "red kettle on the hill")
    refused = docket(filled, "encrypt", new=first)
    assert refused.returncode == 2 and "written down" in refused.stderr
    assert not crypto.is_protected(filled)

    done = docket(filled, "encrypt", "--written-down", new=first)
    assert done.returncode == 0, done.stderr
    assert "no recovery" in done.stderr and crypto.is_protected(filled)

    locked = docket(filled, "cases", "--json")
    assert locked.returncode == 2
    assert "DOCKET_PASSPHRASE_FILE" in locked.stderr and len(locked.stderr.strip().splitlines()) == 1

    listed = docket(filled, "cases", "--json", passphrase=first)
    assert listed.returncode == 0, listed.stderr
    assert [c["title"] for c in json.loads(listed.stdout)] == ["Boiler repair never refunded"]


def test_a_wrong_passphrase_is_one_message_and_changes_nothing(filled: Path, tmp_path: Path) -> None:
    first = _secret(tmp_path, "first", "red kettle on the hill")
    _protect(filled, first)
    before = {p: p.read_bytes() for p in filled.rglob("*") if p.is_file() and p.name != "docket.lock"}
    wrong = _secret(tmp_path, "wrong", "red kettle on the hills")
    for command in (["cases"], ["passphrase"], ["decrypt"]):
        result = docket(filled, *command, passphrase=wrong, new=first)
        assert result.returncode == 2
        assert result.stderr.strip() == "docket: Wrong passphrase: the store stays locked and nothing was changed."
    after = {p: p.read_bytes() for p in filled.rglob("*") if p.is_file() and p.name != "docket.lock"}
    assert after == before


def test_change_the_passphrase_then_decrypt(filled: Path, tmp_path: Path) -> None:
    first = _secret(tmp_path, "first", "red kettle on the hill")
    second = _secret(tmp_path, "second", "blue kettle in the valley")
    _protect(filled, first)
    changed = docket(filled, "passphrase", passphrase=first, new=second)
    assert changed.returncode == 0, changed.stderr
    assert docket(filled, "cases", passphrase=first).returncode == 2
    assert docket(filled, "cases", passphrase=second).returncode == 0
    cleared = docket(filled, "decrypt", passphrase=second)
    assert cleared.returncode == 0, cleared.stderr
    assert not crypto.is_protected(filled)
    listed = docket(filled, "cases", "--json")
    assert listed.returncode == 0 and "Boiler repair" in listed.stdout
    assert b"Boiler repair" in (filled / "docket.sqlite3").read_bytes()

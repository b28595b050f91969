"""Protecting a store with a passphrase: a lost laptop or a copied backup shows nothing of the
cases, and the store works the same once unlocked."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from core.documents import letters
from core.domain.models import Evidence
from core.journal import cases
from core.journal.opening import open_store
from core.store import crypto, protection
from core.store.backup import auto_backup, backup_archive
from core.store.store import Store, StoreLocked
from core.store.verify import verify

FAST = crypto.KdfParams(n=2**12)
PASSPHRASE = "plum orchard lantern"
SUMMARY = "Qwerty Refunds promised 412.50 by Friday"
EMAIL = "ann.private@example.org"
EVIDENCE = b"Receipt 77-ZX-9931 for a pair of glasses\n" * 5000


def _fill(store: Store, tmp_path: Path) -> int:
    case_id = cases.open_case(store, title="Glasses never delivered", company="Qwerty Optics")
    cases.log_event(store, case_id=case_id, at="2026-03-02", kind="call", summary=SUMMARY)
    cases.add_contact(store, case_id=case_id, name="Ann Lee", email=EMAIL)
    receipt = tmp_path / "receipt.txt"
    receipt.write_bytes(EVIDENCE)
    cases.attach_evidence(store, case_id=case_id, path=receipt)
    return case_id


def _files_holding(paths: list[Path], needles: list[bytes]) -> list[str]:
    """Every file (and every entry of a zip) holding one of ``needles``."""
    found = []
    for path in paths:
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.name}: {n!r}" for n in needles if n in data]
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as zf:
                    for name in zf.namelist():
                        entry = zf.read(name)
                        found += [f"{path.name}/{name}: {n!r}" for n in needles if n in entry]
    return found


def test_a_protected_store_holds_no_clear_text_anywhere(store: Store, tmp_path: Path) -> None:
    """Given a store with a case, a contact and a receipt, protected with a passphrase, backed
    up and archived, no file in the data folder or the archive holds their words."""
    case_id = _fill(store, tmp_path)
    auto_backup(store)  # a clear backup from before: it must be converted too
    protection.protect_store(store, passphrase=PASSPHRASE, confirmed_written_down=True, kdf=FAST)
    cases.log_event(store, case_id=case_id, at="2026-03-09", kind="note", summary="Second call " + SUMMARY)
    # A letter kept as sent goes into the evidence store as a PDF, sealed there.
    draft = letters.draft_letter(store, case_id=case_id, template_id="chaser")
    letter_id = letters.save_draft(store, case_id=case_id, draft=draft)
    letters.mark_as_sent(store, letter_id=letter_id, via="email", sent_on="2026-03-10")
    with store.read() as session:
        sent = session.query(Evidence).filter(Evidence.media_type == "application/pdf").one()
    assert store.evidence.read_bytes(sent.sha256).startswith(b"%PDF")
    auto_backup(store, reason="after")
    archive = tmp_path / "archive.zip"
    backup_archive(store, archive)
    store.close()
    needles = [SUMMARY.encode(), EMAIL.encode(), EVIDENCE[:40], b"Glasses never delivered", b"Qwerty Optics"]
    every_file = sorted(store.data_dir.rglob("*")) + [archive]
    assert len(list((store.data_dir / "backups").glob("*.sqlite3"))) == 2
    assert _files_holding(every_file, needles) == []
    # The test can fail: the same scan finds the words in a clear store.
    assert _files_holding([tmp_path / "receipt.txt"], needles) != []


def test_the_data_opens_with_its_passphrase_and_evidence_keeps_its_hash(store: Store, tmp_path: Path) -> None:
    case_id = _fill(store, tmp_path)
    protection.protect_store(store, passphrase=PASSPHRASE, confirmed_written_down=True, kdf=FAST)
    store.close()
    with pytest.raises(StoreLocked, match="protected with a passphrase"):
        open_store(store.data_dir)
    with open_store(store.data_dir, key=crypto.unlock(store.data_dir, PASSPHRASE)) as opened:
        with opened.read() as session:
            evidence = session.query(Evidence).filter_by(case_id=case_id).one()
        assert evidence.sha256 == hashlib.sha256(EVIDENCE).hexdigest()
        assert opened.evidence.read_bytes(evidence.sha256) == EVIDENCE
        assert verify(opened).ok


def test_a_wrong_passphrase_changes_nothing(store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    protection.protect_store(store, passphrase=PASSPHRASE, confirmed_written_down=True, kdf=FAST)
    store.close()
    before = {p: p.read_bytes() for p in store.data_dir.rglob("*") if p.is_file()}
    with pytest.raises(crypto.WrongPassphrase, match="Wrong passphrase"):
        crypto.unlock(store.data_dir, "plum orchard lanterns")
    with pytest.raises(crypto.WrongPassphrase):
        protection.change_passphrase(data_dir=store.data_dir, old_passphrase="nope nope nope",
                                     new_passphrase="another long one", kdf=FAST)
    after = {p: p.read_bytes() for p in store.data_dir.rglob("*") if p.is_file()}
    assert after == before


def test_protecting_needs_the_promise_that_the_passphrase_is_written_down(store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    with pytest.raises(Exception, match="Write the passphrase down"):
        protection.protect_store(store, passphrase=PASSPHRASE, confirmed_written_down=False, kdf=FAST)
    assert not crypto.is_protected(store.data_dir)
    assert store.key is None

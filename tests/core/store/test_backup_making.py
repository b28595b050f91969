"""Making backups: a damaged copy never counts as a backup, and an archive holds each
evidence file once with the database compressed."""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from core.domain.errors import StoreError
from core.journal import cases
from core.store import backup
from core.store.store import DB_NAME, Store


def _fill(store: Store, tmp_path: Path, n: int = 30) -> None:
    for i in range(n):
        case_id = cases.open_case(store, title=f"Refund {i} never paid", company=f"Shop {i % 4}", amount="40.00")
        receipt = tmp_path / f"receipt-{i}.txt"
        receipt.write_text(f"Receipt {i % 10}\n")  # ten distinct files among thirty attachments
        cases.attach_evidence(store, case_id=case_id, path=receipt)


def _damage(db: Path) -> None:
    """Overwrite the middle of a table's page, as a failing disk would."""
    with sqlite3.connect(db) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'cases'").fetchone()[0]
    with open(db, "r+b") as fh:
        fh.seek((root - 1) * page_size + 8)
        fh.write(b"\xff" * 64)


def test_the_quick_check_finds_a_damaged_database(store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path, 5)
    copy = tmp_path / "copy.sqlite3"
    backup._copy_database(store, copy)
    assert backup.quick_check_of(copy) == "ok"

    _damage(copy)

    assert backup.quick_check_of(copy) != "ok"


def test_a_damaged_database_makes_no_backup(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fill(store, tmp_path, 5)
    real_copy = backup._copy_database

    def copy_from_a_failing_disk(source: Store, dest: Path) -> None:
        real_copy(source, dest)
        _damage(dest)

    monkeypatch.setattr(backup, "_copy_database", copy_from_a_failing_disk)
    with pytest.raises(StoreError, match="integrity check"):
        backup.auto_backup(store, reason="timer")
    assert backup.list_backups(store) == []
    assert not list(store.backups_dir.glob(".*.part"))


def test_an_archive_holds_each_evidence_file_once_and_the_database_compressed(store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    summary = backup.backup_archive(store, tmp_path / "all.zip")

    with zipfile.ZipFile(summary.path) as zf:
        names = zf.namelist()
        evidence = [n for n in names if n.startswith("evidence/")]
        database = zf.getinfo(DB_NAME)
    assert len(evidence) == len(set(evidence)) == summary.evidence_files == 10
    assert database.compress_type == zipfile.ZIP_DEFLATED and database.compress_size < database.file_size / 2

    restored = tmp_path / "restored"
    shutil.copytree(store.data_dir, restored, ignore=shutil.ignore_patterns("*.lock"))
    with Store.open(restored) as other:
        backup.restore_archive(other, summary.path)
        assert len(list(other.evidence.all_hashes())) == 10

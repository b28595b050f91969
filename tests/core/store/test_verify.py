"""`docket verify`: the database, the references, every evidence file, the history."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from core.cli.main import main
from core.journal import cases
from core.store.store import Store
from core.store.verify import sqlite_version_warning, verify


def _store_with_evidence(store: Store, tmp_path: Path) -> tuple[int, str]:
    case_id = cases.open_case(store, title="Phone never delivered", company="Parcels Ltd", amount="350")
    event_id = cases.log_event(store, case_id=case_id, at="2026-04-02", kind="email", summary="Asked again")
    photo = tmp_path / "label.jpg"
    photo.write_bytes(b"\xff\xd8 label photo" * 100)
    evidence_id = cases.attach_evidence(store, case_id=case_id, path=photo, event_ids=[event_id])
    with store.read() as session:
        from core.domain.models import Evidence

        return evidence_id, session.get(Evidence, evidence_id).sha256


def test_a_healthy_store_passes_and_the_report_names_the_sqlite_version(store: Store, tmp_path: Path) -> None:
    _store_with_evidence(store, tmp_path)
    report = verify(store)
    assert report.ok, report.text()
    assert report.sqlite_version == sqlite3.sqlite_version
    assert sqlite3.sqlite_version in report.text()
    assert report.counts["cases"] == 1 and report.counts["evidence_files"] == 1
    assert len(report.head_hash) == 64
    assert "Everything checked is in order." in report.text()


def test_a_changed_evidence_file_is_reported(store: Store, tmp_path: Path) -> None:
    _, sha = _store_with_evidence(store, tmp_path)
    path = store.evidence.path_for(sha)
    os.chmod(path, 0o600)
    path.write_bytes(b"doctored")
    report = verify(store)
    assert not report.ok
    assert any(f"file {sha} has changed" in f.message for f in report.errors)


def test_a_missing_evidence_file_is_reported(store: Store, tmp_path: Path) -> None:
    _, sha = _store_with_evidence(store, tmp_path)
    path = store.evidence.path_for(sha)
    os.chmod(path, 0o600)
    path.unlink()
    report = verify(store)
    assert [f.message for f in report.errors] == [f"file {sha} is missing from the evidence store"]


def test_an_unknown_file_is_listed_but_is_not_an_error(store: Store, tmp_path: Path) -> None:
    _store_with_evidence(store, tmp_path)
    stray = tmp_path / "stray.bin"
    stray.write_bytes(b"nobody asked for me")
    stored = store.evidence.add_file(stray)
    report = verify(store)
    assert report.ok
    assert any(stored.sha256 in f.message and "no record" in f.message for f in report.notices)


def test_files_of_deleted_evidence_are_kept_quietly(store: Store, tmp_path: Path) -> None:
    _store_with_evidence(store, tmp_path)
    cases.delete_case(store, case_id=1)
    report = verify(store)
    assert report.ok
    assert any("deleted evidence records are kept" in f.message for f in report.notices)


def test_a_broken_reference_is_reported(store: Store) -> None:
    case_id = cases.open_case(store, title="Refund", company="Acme")
    conn = sqlite3.connect(store.db_path)  # foreign keys are off on a plain connection
    with conn:
        conn.execute("UPDATE cases SET company_id = 999 WHERE id = ?", (case_id,))
    conn.close()
    report = verify(store)
    assert any(f.area == "references" and "cases row 1 points to a missing companies row" in f.message
               for f in report.errors)


def test_a_damaged_database_file_is_reported(data_dir: Path) -> None:
    with Store.open(data_dir) as store:
        with store.write() as session:
            for i in range(30):
                cases.open_case(session, title=f"Case number {i} " + "x" * 200, company=f"Company {i}")
        store.writer.dispose()
        store.reader.dispose()
        conn = sqlite3.connect(store.db_path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        # the root page of an index: damage it without touching the schema
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'ix_companies_name'").fetchone()[0]
        conn.close()
    with open(data_dir / "docket.sqlite3", "r+b") as fh:
        fh.seek((root - 1) * page)
        fh.write(b"\x0a\xff\xff\x00\x07" * 4)
    with Store.open(data_dir) as store:
        report = verify(store)
    assert not report.ok
    assert any(f.area == "database" and "integrity_check" in f.message for f in report.errors)


def test_docket_verify_exits_1_when_something_is_wrong(data_dir: Path, tmp_path: Path, capsys) -> None:
    with Store.open(data_dir) as store:
        _, sha = _store_with_evidence(store, tmp_path)
    assert main(["--data-dir", str(data_dir), "verify"]) == 0
    assert "Everything checked is in order." in capsys.readouterr().out
    path = data_dir / "evidence" / sha[:2] / sha
    os.chmod(path, 0o600)
    path.write_bytes(b"changed")
    assert main(["--data-dir", str(data_dir), "verify"]) == 1
    out = capsys.readouterr().out
    assert "1 problem found" in out and sha in out


def test_old_sqlite_versions_get_a_note() -> None:
    assert "3.51.3" in (sqlite_version_warning("3.40.1") or "")
    assert sqlite_version_warning("3.51.3") is None

"""Backups: automatic copies, whole archives, restore, and where the data folder lives."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.cli.main import main
from core.journal import cases, queries
from core.store import backup
from core.store import revisions as history
from core.store.backup import ArchiveError
from core.store.paths import risky_location
from core.store.store import Store
from core.store.verify import verify


def store_dump(data_dir: Path) -> dict[str, object]:
    """Everything in a data directory: every row of the database and every file's hash."""
    conn = sqlite3.connect(f"file:{data_dir / 'docket.sqlite3'}?mode=ro", uri=True)
    rows = list(conn.iterdump())
    conn.close()
    files = {}
    for path in sorted(data_dir.rglob("*")):
        if path.is_file() and path.name not in ("docket.sqlite3", "docket.sqlite3-wal", "docket.sqlite3-shm", "docket.lock"):
            files[path.relative_to(data_dir).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"rows": rows, "files": files}


def _fill(store: Store, tmp_path: Path, title: str = "Washing machine refund") -> int:
    case_id = cases.open_case(store, title=title, company="Northwind Electronics", amount="649.99",
                              currency="GBP", references=["ORD-1182"])
    event_id = cases.log_event(store, case_id=case_id, at="2026-02-10T09:30:00+00:00", kind="call",
                               direction="to_company", summary="Promised refund within 5 days")
    invoice = tmp_path / f"invoice-{case_id}.pdf"
    invoice.write_bytes(b"%PDF-1.4 invoice " + title.encode() * 50)
    cases.attach_evidence(store, case_id=case_id, path=invoice, event_ids=[event_id])
    return case_id


# -- automatic backups ------------------------------------------------------------------------
def test_auto_backup_only_when_something_changed(store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    first = backup.auto_backup(store, reason="timer")
    assert first is not None and first.parent == store.backups_dir
    assert backup.auto_backup(store, reason="timer") is None  # nothing changed since

    cases.update_case(store, case_id=1, notes="Chased by phone")
    second = backup.auto_backup(store, reason="exit")
    assert second is not None and second != first
    assert [b.reason for b in backup.list_backups(store)] == ["timer", "exit"]


def test_a_backup_is_a_checked_copy_holding_the_data(store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    path = backup.auto_backup(store, reason="timer")
    assert path is not None
    assert backup.integrity_of(path) == "ok"
    note = json.loads(path.with_suffix(".json").read_text())
    assert note["integrity_check"] == "ok" and note["reason"] == "timer"
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT title FROM cases").fetchall() == [("Washing machine refund",)]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    conn.close()
    if os.name == "posix":
        assert path.stat().st_mode & 0o077 == 0


def test_settings_changes_count_as_changes(store: Store) -> None:
    from core.journal import settings

    assert backup.auto_backup(store) is not None
    settings.update(store, your_name="Ada Lovelace")
    assert backup.auto_backup(store) is not None


def test_backup_before_makes_sure_the_current_data_is_backed_up(store: Store) -> None:
    path = backup.backup_before(store, "before-import")
    assert path.name.endswith("-before-import.sqlite3")
    # nothing changed: the same copy stands for the data before the next import too
    assert backup.backup_before(store, "before-import") == path
    cases.open_case(store, title="Changed since", company="Acme")
    # the upgrade path of Store.open goes through the same code
    upgrade = store.snapshot("before-upgrade-0001-to-0002")
    assert upgrade.name.endswith("before-upgrade-0001-to-0002.sqlite3")
    assert [b.path for b in backup.list_backups(store)] == [path, upgrade]


def test_importing_a_case_file_backs_up_first(store: Store, tmp_path: Path) -> None:
    from core.exchange import casefile

    case_id = _fill(store, tmp_path)
    exported = casefile.write_json(store, case_id=case_id, out=tmp_path / "case.json")
    assert backup.list_backups(store) == []
    casefile.import_case(store, path=exported)
    (made,) = backup.list_backups(store)
    assert made.reason == "before-import"
    conn = sqlite3.connect(made.path)
    assert conn.execute("SELECT count(*) FROM cases").fetchone() == (1,)  # the data before the import
    conn.close()


def test_thinning_keeps_7_daily_8_weekly_12_monthly() -> None:
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    made = [now - timedelta(hours=12 * i) for i in range(2 * 800)]  # two a day for 800 days
    keep = backup.backups_to_keep(made)
    days = {t.date() for t in keep}
    assert {(now - timedelta(days=d)).date() for d in range(7)} <= days
    assert len({t.isocalendar()[:2] for t in keep}) >= 8
    months = {(t.year, t.month) for t in keep}
    assert len(months) == 12
    assert min(keep) > now - timedelta(days=366)
    assert max(made) in keep and len(keep) <= 7 + 8 + 12


def test_thin_backups_removes_old_files_and_their_notes(store: Store) -> None:
    source = backup.auto_backup(store)
    assert source is not None
    now = datetime.now(UTC)
    copies = []
    for days in range(1, 500, 3):
        when = now - timedelta(days=days)
        stem = f"docket-{when:%Y%m%dT%H%M%S%f}Z-auto"
        shutil.copy(source, store.backups_dir / f"{stem}.sqlite3")
        shutil.copy(source.with_suffix(".json"), store.backups_dir / f"{stem}.json")
        copies.append(store.backups_dir / f"{stem}.sqlite3")
    cases.open_case(store, title="New since the last backup", company="Acme")
    recent = backup.backup_before(store, "before-import")  # thins as it goes
    removed = [p for p in copies if not p.exists()]
    left = backup.list_backups(store)
    assert len(removed) > 100 and len(left) <= 2 + 7 + 8 + 12
    assert backup.thin_backups(store) == []
    assert recent in [b.path for b in left]
    assert left[-2].path == source
    assert all(not p.exists() and not p.with_suffix(".json").exists() for p in removed)
    assert min(b.made_at for b in left) > now - timedelta(days=370)


# -- whole archives ---------------------------------------------------------------------------
def test_archive_and_restore_bring_back_exactly_what_was_saved(store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    archive = tmp_path / "docket-backup.zip"
    summary = backup.backup_archive(store, archive)
    assert summary.evidence_files == 1
    saved = store_dump(store.data_dir)["rows"]

    # life goes on: a case deleted, another one added
    cases.delete_case(store, case_id=1)
    _fill(store, tmp_path, title="Gym keeps charging")
    changed = store_dump(store.data_dir)["rows"]

    result = backup.restore_archive(store, archive)
    assert store_dump(store.data_dir)["rows"] == saved
    assert [r.title for r in queries.list_cases(store)] == ["Washing machine refund"]
    assert verify(store).ok
    # the data as it was before the restore is kept
    conn = sqlite3.connect(result.previous_backup)
    assert [r[0] for r in conn.execute("SELECT title FROM cases")] == ["Gym keeps charging"]
    conn.close()
    assert changed != saved
    # and the store still takes new work
    cases.update_case(store, case_id=1, notes="after the restore")
    assert history.history_for(store, entity="case", entity_id=1)[-1].fields["notes"][1] == "after the restore"


def test_archive_holds_a_manifest_of_hashes(store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    archive = tmp_path / "a.zip"
    backup.backup_archive(store, archive)
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["format"] == "docket-archive" and manifest["version"] == 1
        for entry in manifest["files"]:
            assert hashlib.sha256(zf.read(entry["path"])).hexdigest() == entry["sha256"]
        names = {e["path"] for e in manifest["files"]}
        assert {"docket.sqlite3", "settings.json"} <= names
        assert any(n.startswith("evidence/") for n in names)


def test_restore_into_a_fresh_folder_from_the_command_line(tmp_path: Path, capsys) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    with Store.open(old) as store:
        _fill(store, tmp_path)
    archive = tmp_path / "docket.zip"
    assert main(["--data-dir", str(old), "backup", str(archive)]) == 0
    assert main(["--data-dir", str(new), "restore", str(archive)]) == 0
    assert "kept in" in capsys.readouterr().out
    with Store.open(new) as store:
        assert [r.title for r in queries.list_cases(store)] == ["Washing machine refund"]
        assert verify(store).ok


def test_a_damaged_archive_is_refused_and_nothing_changes(store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    archive = tmp_path / "a.zip"
    backup.backup_archive(store, archive)
    cases.update_case(store, case_id=1, notes="newer than the archive")
    before = store_dump(store.data_dir)

    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(damaged, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("evidence/"):
                data = data[:-1] + b"!"
            dst.writestr(info.filename, data)
    with pytest.raises(ArchiveError, match="does not match its manifest entry"):
        backup.restore_archive(store, damaged)
    assert store_dump(store.data_dir) == before


def test_an_archive_missing_evidence_the_database_needs_is_refused(store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    archive = tmp_path / "a.zip"
    backup.backup_archive(store, archive)
    with Store.open(tmp_path / "other") as other:
        before = store_dump(other.data_dir)
        stripped = tmp_path / "stripped.zip"
        with zipfile.ZipFile(archive) as src, zipfile.ZipFile(stripped, "w") as dst:
            manifest = json.loads(src.read("manifest.json"))
            manifest["files"] = [f for f in manifest["files"] if not f["path"].startswith("evidence/")]
            for f in manifest["files"]:
                dst.writestr(f["path"], src.read(f["path"]))
            dst.writestr("manifest.json", json.dumps(manifest))
        with pytest.raises(ArchiveError, match="incomplete: evidence file"):
            backup.restore_archive(other, stripped)
        assert store_dump(other.data_dir) == before


def test_backup_refuses_a_name_without_zip(store: Store, tmp_path: Path) -> None:
    from core.domain.errors import DocketError

    with pytest.raises(DocketError, match="should end in .zip"):
        backup.backup_archive(store, tmp_path / "backup.tar")


# -- where the data lives ---------------------------------------------------------------------
@pytest.mark.parametrize("folder, service", [
    ("Dropbox/Docket", "Dropbox"),
    ("OneDrive - Contoso/Docket", "OneDrive"),
    ("Library/Mobile Documents/com~apple~CloudDocs/Docket", "iCloud Drive"),
    ("Google Drive/My Drive/Docket", "Google Drive"),
    ("Library/CloudStorage/GoogleDrive-ada@example.org/My Drive/Docket", "Google Drive"),
    ("iCloudDrive/Docket", "iCloud Drive"),
])
def test_cloud_synced_folders_get_a_warning(tmp_path: Path, folder: str, service: str) -> None:
    warning = risky_location(tmp_path / folder)
    assert warning is not None and service in warning


def test_a_local_folder_gets_no_warning(tmp_path: Path) -> None:
    empty_mounts = tmp_path / "mounts"
    empty_mounts.write_text("/dev/sda1 / ext4 rw 0 0\n")
    assert risky_location(tmp_path / "Documents" / "Docket", mounts_file=empty_mounts) is None


def test_a_network_file_system_gets_a_warning(tmp_path: Path) -> None:
    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/sda1 / ext4 rw 0 0\n"
                      "server:/export/home /net/my\\040home nfs4 rw,relatime 0 0\n")
    warning = risky_location("/net/my home/docket", mounts_file=mounts)
    assert warning is not None and "nfs4" in warning
    assert risky_location("/net/my homework", mounts_file=mounts) is None


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_everything_in_the_data_folder_stays_private(store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    (store.templates_dir).mkdir(exist_ok=True)
    (store.templates_dir / "my_letter.en.html.j2").write_text("Dear {{ company }}")
    backup.auto_backup(store)
    archive = tmp_path / "a.zip"
    backup.backup_archive(store, archive)
    backup.restore_archive(store, archive)
    backup.restore_archive(store, archive)  # twice: the templates kept aside do not collide
    assert (store.templates_dir / "my_letter.en.html.j2").read_text() == "Dear {{ company }}"
    assert len(list(store.backups_dir.glob("templates-before-restore-*"))) == 2
    for path in [store.data_dir, *store.data_dir.rglob("*")]:
        assert path.stat().st_mode & 0o077 == 0, f"{path} is readable by others"


def test_restore_reports_progress_and_can_be_cancelled(store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    archive = tmp_path / "a.zip"
    backup.backup_archive(store, archive)
    cases.update_case(store, case_id=1, notes="kept, because the restore is cancelled")
    before = store_dump(store.data_dir)
    seen: list[tuple[int, int]] = []

    def cancel_midway(done: int, total: int) -> bool:
        seen.append((done, total))
        return len(seen) < 2

    with pytest.raises(ArchiveError, match="cancelled"):
        backup.restore_archive(store, archive, progress=cancel_midway)
    assert store_dump(store.data_dir) == before
    assert seen[0][0] <= seen[0][1]


def test_a_store_with_a_lost_evidence_file_is_still_backed_up_and_restores(store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    with store.read() as session:
        from core.domain.models import Evidence

        sha = session.query(Evidence).one().sha256
    lost = store.evidence.path_for(sha)
    os.chmod(lost, 0o600)
    lost.unlink()
    summary = backup.backup_archive(store, tmp_path / "a.zip")
    assert summary.missing_evidence == (sha,)
    with Store.open(tmp_path / "elsewhere") as other:
        backup.restore_archive(other, tmp_path / "a.zip")
        report = verify(other)
        assert [f.message for f in report.errors] == [f"file {sha} is missing from the evidence store"]


def test_an_archive_that_cannot_be_written_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    from core.domain.errors import DocketError

    in_the_way = tmp_path / "docket.zip"
    in_the_way.mkdir()  # a folder where the archive should go
    with pytest.raises(DocketError, match="Cannot write"):
        backup.backup_archive(store, in_the_way)
    assert list(tmp_path.glob("*.part")) == []


def test_restore_waits_for_a_read_in_progress(store: Store, tmp_path: Path) -> None:
    import threading
    import time

    _fill(store, tmp_path)
    archive = tmp_path / "a.zip"
    backup.backup_archive(store, archive)
    cases.delete_case(store, case_id=1)
    reading = threading.Event()
    titles: list[str] = []

    def slow_reader() -> None:
        with store.read() as session:
            from core.domain.models import Case

            reading.set()
            time.sleep(0.5)  # a long query in the window while the restore starts
            titles.extend(c.title for c in session.query(Case))

    reader = threading.Thread(target=slow_reader)
    reader.start()
    reading.wait(5)
    backup.restore_archive(store, archive)
    reader.join(5)
    assert titles == []  # the reader finished on the data as it was
    assert [r.title for r in queries.list_cases(store)] == ["Washing machine refund"]
    assert verify(store).ok


def test_pausing_gives_up_when_a_read_does_not_end(store: Store) -> None:
    import threading

    from core.domain.errors import StoreError

    release = threading.Event()
    started = threading.Event()

    def stuck_reader() -> None:
        with store.read():
            started.set()
            release.wait(5)

    reader = threading.Thread(target=stuck_reader)
    reader.start()
    started.wait(5)
    with pytest.raises(StoreError, match="busy reading"), store.paused(timeout=0.2):
        pass
    release.set()
    reader.join(5)
    with store.paused(timeout=1), store.read():
        pass  # the pausing thread itself may still read


def test_docket_backups_lists_them(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(data_dir), "backups"]) == 0
    assert "No automatic backups yet" in capsys.readouterr().out
    with Store.open(data_dir) as store:
        backup.backup_before(store, "before-import")
    assert main(["--data-dir", str(data_dir), "backups"]) == 0
    assert "before-import" in capsys.readouterr().out


def test_leftovers_of_an_interrupted_restore_are_cleaned_at_the_next_start(data_dir: Path) -> None:
    with Store.open(data_dir) as store:
        backup.auto_backup(store)
    staging = data_dir / ".restore-abc123"
    (staging / "evidence" / "ab").mkdir(parents=True)
    (staging / "docket.sqlite3").write_bytes(b"half a database")
    (data_dir / ".archive-xyz").mkdir()
    part = data_dir / "backups" / ".docket-20260101T000000000000Z-auto.part"
    part.write_bytes(b"half a copy")
    with Store.open(data_dir):
        assert not staging.exists() and not (data_dir / ".archive-xyz").exists() and not part.exists()
        assert len(list((data_dir / "backups").glob("*.sqlite3"))) == 1

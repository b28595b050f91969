"""A store that knows it is itself: a lost, emptied, replaced or older database is noticed at
start and by verify, with the ways back named."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from core.cli.main import main
from core.journal import cases, queries, settings
from core.store import backup
from core.store.store import DB_NAME, Store
from core.store.verify import verify
from tests.core.store.test_backup import _fill


def _remove_database(data_dir: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(data_dir / DB_NAME) + suffix).unlink(missing_ok=True)


def test_an_emptied_database_is_noticed_and_the_latest_backup_offered(
        data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Store.open(data_dir) as store:
        _fill(store, tmp_path)
        latest = backup.backup_before(store, "before-import")
    (data_dir / DB_NAME).write_bytes(b"")
    for suffix in ("-wal", "-shm"):
        Path(str(data_dir / DB_NAME) + suffix).unlink(missing_ok=True)

    with Store.open(data_dir) as store:
        assert store.notices and "emptied, deleted or replaced" in store.notices[0]
        assert str(latest) in store.notices[0] and "docket restore FILE.zip" in store.notices[0]
        report = verify(store)
        assert not report.ok and any(f.area == "identity" for f in report.errors)

    assert main(["--data-dir", str(data_dir), "verify"]) == 1
    err = capsys.readouterr().err
    assert "warning" in err and "emptied" in err
    # The way back the message names works.
    assert main(["--data-dir", str(data_dir), "restore", str(latest)]) == 0
    capsys.readouterr()
    with Store.open(data_dir) as store:
        assert store.notices == []
        assert queries.load_case(store, 1).title == "Washing machine refund"
        assert verify(store).ok


def test_a_deleted_database_with_evidence_left_and_no_backup_is_not_silently_replaced(
        data_dir: Path, tmp_path: Path) -> None:
    with Store.open(data_dir) as store:
        _fill(store, tmp_path)
    shutil.rmtree(data_dir / "backups", ignore_errors=True)
    (data_dir / "docket.identity").unlink()  # as a store made before the identity existed
    _remove_database(data_dir)
    with Store.open(data_dir) as store:
        assert store.notices and "holds 1 evidence file" in store.notices[0]
        assert "no automatic backup is kept" in store.notices[0]
        assert not verify(store).ok


def test_another_stores_database_is_noticed(data_dir: Path, tmp_path: Path) -> None:
    with Store.open(data_dir) as store:
        _fill(store, tmp_path)
    with Store.open(tmp_path / "other") as other:
        cases.open_case(other, title="Someone else's case")
    _remove_database(data_dir)
    shutil.copyfile(tmp_path / "other" / DB_NAME, data_dir / DB_NAME)
    with Store.open(data_dir) as store:
        assert store.notices and "belongs to another Docket store" in store.notices[0]


def test_an_older_copy_of_the_database_is_noticed(data_dir: Path, tmp_path: Path) -> None:
    with Store.open(data_dir) as store:
        _fill(store, tmp_path)
    old = tmp_path / "old.sqlite3"
    shutil.copyfile(data_dir / DB_NAME, old)
    with Store.open(data_dir) as store:
        cases.update_case(store, case_id=1, notes="written after the copy")
    _remove_database(data_dir)
    shutil.copyfile(old, data_dir / DB_NAME)
    with Store.open(data_dir) as store:
        assert store.notices and "older copy" in store.notices[0]
    # The user keeps it as it is: the warning goes.
    assert main(["--data-dir", str(data_dir), "verify", "--accept"]) == 0
    with Store.open(data_dir) as store:
        assert store.notices == []


def test_a_store_that_is_merely_reopened_gives_no_warning(data_dir: Path, tmp_path: Path) -> None:
    with Store.open(data_dir) as store:
        _fill(store, tmp_path)
    for _ in range(2):
        with Store.open(data_dir) as store:
            assert store.notices == []
            cases.update_case(store, case_id=1, notes="another day")


@pytest.mark.parametrize("tamper", [
    "UPDATE companies SET name = 'Someone Else Ltd'",
    "UPDATE settings SET value = '\"Mallory\"' WHERE key = 'your_name'",
    "DELETE FROM companies WHERE id NOT IN (SELECT company_id FROM cases WHERE company_id IS NOT NULL)",
])
def test_companies_and_settings_changed_outside_docket_are_reported(store: Store, tmp_path: Path, tamper: str) -> None:
    _fill(store, tmp_path)
    cases.update_company(store, company_id=1, address="1 High Street")
    settings.update(store, your_name="Alex Doe")
    cases.open_case(store, title="Second", company="Unused Co")
    cases.delete_case(store, case_id=2)
    assert verify(store).ok
    conn = sqlite3.connect(store.db_path)
    conn.execute(tamper)
    conn.commit()
    conn.close()
    report = verify(store)
    assert any("changed outside Docket" in f.message for f in report.errors), report.text()


def test_the_command_line_makes_automatic_backups_too(data_dir: Path, tmp_path: Path) -> None:
    with Store.open(data_dir) as store:
        _fill(store, tmp_path)
    assert not list((data_dir / "backups").glob("*-auto.sqlite3"))
    assert main(["--data-dir", str(data_dir), "cases"]) == 0
    assert len(list((data_dir / "backups").glob("*-auto.sqlite3"))) == 1
    # A second command a moment later does not add another copy.
    assert main(["--data-dir", str(data_dir), "cases"]) == 0
    assert len(list((data_dir / "backups").glob("*-auto.sqlite3"))) == 1


def test_an_empty_store_gets_no_backup(data_dir: Path) -> None:
    assert main(["--data-dir", str(data_dir), "cases"]) == 0
    assert not (data_dir / "backups").exists() or not list((data_dir / "backups").glob("*.sqlite3"))


def test_each_import_in_a_row_makes_its_own_backup_as_the_guide_says(store: Store, tmp_path: Path) -> None:
    from core.exchange import casefile

    _fill(store, tmp_path)
    path = tmp_path / "case.json"
    path.write_text('{"format": "docket-case", "version": 2, "case": {"title": "Imported"}}', "utf-8")
    for _ in range(4):
        casefile.import_case(store, path=path)
    assert len([b for b in backup.list_backups(store) if b.reason == "before-import"]) == 4
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "docket-case", "version": 2, "case": {"title": ""}}', "utf-8")
    with pytest.raises(Exception, match="title"):
        casefile.import_case(store, path=bad)
    casefile.import_case(store, path=path)  # nothing changed since the refused one's backup
    assert len([b for b in backup.list_backups(store) if b.reason == "before-import"]) == 5

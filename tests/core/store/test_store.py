"""The store: a private data folder, a safely configured SQLite file, one Docket at a time."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from core.cli import main as cli
from core.domain.errors import StoreError, StoreLockedError
from core.journal import cases
from core.store.store import DB_NAME, Store


def docket_command() -> list[str]:
    """The installed console script, as a user runs it."""
    script = shutil.which("docket")
    return [script] if script else [sys.executable, "-m", "core.cli.main"]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_data_folder_and_its_files_are_private(store: Store, tmp_path: Path) -> None:
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4 receipt")
    case_id = cases.open_case(store, title="Refund never paid", company="Shop")
    cases.attach_evidence(store, case_id=case_id, path=receipt)
    backup = store.snapshot("test")

    assert mode(store.data_dir) == 0o700
    assert mode(store.evidence.root) == 0o700
    assert mode(store.backups_dir) == 0o700
    for path in [store.db_path, Path(f"{store.db_path}-wal"), backup]:
        assert path.exists()
        assert mode(path) & 0o077 == 0, f"{path.name} is readable by others"
    stored = next(p for p in store.evidence.root.rglob("*") if p.is_file() and p.parent != store.evidence.incoming)
    assert mode(stored) == 0o400  # evidence is never modified


def test_every_connection_is_configured_for_safety(store: Store) -> None:
    for engine in (store.writer, store.reader):
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(Exception, match="FOREIGN KEY"), store.write() as session:
        session.execute(text(
            "INSERT INTO events (case_id, at, sort_key, kind, direction, summary, details, reference,"
            " created_at, updated_at) VALUES (999, '2024-01-01', '2024-01-01T00:00:00', 'call',"
            " 'internal', 'x', '', '', '2024-01-01', '2024-01-01')"))


def test_a_second_docket_on_the_same_folder_is_refused(store: Store) -> None:
    with pytest.raises(StoreLockedError, match=r"Docket is already open on .*docket-data\. Close the other Docket"):
        Store.open(store.data_dir)
    # The first one keeps working.
    assert cases.open_case(store, title="Still mine") > 0


def test_the_folder_can_be_opened_again_once_closed(data_dir: Path) -> None:
    with Store.open(data_dir) as first:
        case_id = cases.open_case(first, title="Broken kettle", company="Kettles Inc")
    with Store.open(data_dir) as second, second.read() as session:
        assert cases.get_case(session, case_id).title == "Broken kettle"


def test_a_second_docket_process_is_refused_with_a_clear_message(store: Store) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DOCKET_DATA_DIR"}
    env["DOCKET_DATA_DIR"] = str(store.data_dir)
    result = subprocess.run([*docket_command(), "cases"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2
    assert result.stderr == (f"docket: Docket is already open on {store.data_dir}. "
                             "Close the other Docket window first.\n")
    assert "Traceback" not in result.stderr


def test_docket_with_data_dir_is_refused_while_the_folder_is_open(store: Store, capsys) -> None:
    assert cli.main(["--data-dir", str(store.data_dir), "cases"]) == 2
    assert capsys.readouterr().err == (f"docket: Docket is already open on {store.data_dir}. "
                                       "Close the other Docket window first.\n")


def test_a_failed_unit_of_work_leaves_the_store_as_it_was(store: Store) -> None:
    case_id = cases.open_case(store, title="Parcel lost", company="Couriers")
    with pytest.raises(RuntimeError), store.write() as session:
        cases.update_case(session, case_id=case_id, title="Changed")
        cases.log_event(session, case_id=case_id, at="2024-05-01", kind="call", summary="Called")
        raise RuntimeError("power cut")
    with store.read() as session:
        assert cases.get_case(session, case_id).title == "Parcel lost"
        assert session.execute(text("SELECT count(*) FROM events")).scalar() == 0


def test_a_file_that_is_not_a_docket_store_is_not_touched(data_dir: Path) -> None:
    data_dir.mkdir()
    other = sqlite3.connect(data_dir / DB_NAME)
    other.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
    other.commit()
    other.close()
    before = (data_dir / DB_NAME).read_bytes()
    with pytest.raises(StoreError, match="is not a Docket store"):
        Store.open(data_dir)
    assert (data_dir / DB_NAME).read_bytes() == before
    # The refused open released its lock.
    (data_dir / DB_NAME).unlink()
    Store.open(data_dir).close()


def test_a_snapshot_is_a_complete_database_copy(store: Store) -> None:
    cases.open_case(store, title="Double charged", company="Telco")
    copy = store.snapshot("manual")
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT title FROM cases").fetchall() == [("Double charged",)]
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)

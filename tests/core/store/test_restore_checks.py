"""Restore cannot break a store: a crafted, damaged or unknown archive is refused whole, and a
restore cut short is finished at the next start."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from core.cli.main import main
from core.journal import cases, queries
from core.store import backup
from core.store.backup import ArchiveError
from core.store.migrations import HEAD
from core.store.store import DB_NAME, Store
from core.store.verify import verify
from tests.core.store.test_backup import _fill, store_dump

ROOT = Path(__file__).resolve().parents[3]


def rebuild(archive: Path, out: Path, *, change_db: Callable[[sqlite3.Connection], None] | None = None,
            extra: dict[str, bytes] | None = None) -> Path:
    """A copy of ``archive`` whose database was altered by ``change_db`` and whose manifest
    was rewritten to match, as a crafted archive would be."""
    work = out.with_suffix(".sqlite3")
    with zipfile.ZipFile(archive) as src:
        manifest = json.loads(src.read("manifest.json"))
        contents = {f["path"]: src.read(f["path"]) for f in manifest["files"]}
    if change_db is not None:
        work.write_bytes(contents[DB_NAME])
        conn = sqlite3.connect(work, isolation_level=None)
        conn.execute("PRAGMA foreign_keys = OFF")
        change_db(conn)
        conn.close()
        contents[DB_NAME] = work.read_bytes()
    contents.update(extra or {})
    manifest["files"] = [{"path": p, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
                         for p, d in contents.items()]
    with zipfile.ZipFile(out, "w") as dst:
        for path, data in contents.items():
            dst.writestr(path, data)
        dst.writestr("manifest.json", json.dumps(manifest))
    return out


@pytest.fixture
def archive(store: Store, tmp_path: Path) -> Path:
    _fill(store, tmp_path)
    path = tmp_path / "good.zip"
    backup.backup_archive(store, path)
    cases.update_case(store, case_id=1, notes="newer than the archive")
    return path


def _claims_0001(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE alembic_version SET version_num = '0001'")


def _no_cases_table(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TABLE cases")


def _no_event_column(conn: sqlite3.Connection) -> None:
    # A column no index or trigger names, so that SQLite lets the crafted archive drop it.
    conn.execute("ALTER TABLE events DROP COLUMN updated_at")


def _only_version_and_evidence(conn: sqlite3.Connection) -> None:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT IN ('alembic_version', 'evidence') AND name NOT LIKE 'sqlite_%' "
                                        "AND name NOT LIKE 'search_index_%'")]
    for name in names:
        conn.execute(f'DROP TABLE IF EXISTS "{name}"')


def _extra_trigger(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TRIGGER sneaky AFTER INSERT ON cases BEGIN DELETE FROM events; END")


def _broken_reference(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE events SET case_id = 999")


@pytest.mark.parametrize("craft, why", [
    (_claims_0001, "not one Docket made"),
    (_no_cases_table, "not one Docket made"),
    (_no_event_column, "not one Docket made"),
    (_only_version_and_evidence, "not one Docket made"),
    (_extra_trigger, "not one Docket made"),
    (_broken_reference, "broken reference"),
])
def test_a_crafted_archive_is_refused_and_the_store_stays_usable(
        store: Store, archive: Path, tmp_path: Path, craft: Callable[[sqlite3.Connection], None], why: str) -> None:
    before = store_dump(store.data_dir)
    crafted = rebuild(archive, tmp_path / "crafted.zip", change_db=craft)
    with pytest.raises(ArchiveError, match=why):
        backup.restore_archive(store, crafted)
    assert store_dump(store.data_dir) == before
    assert not list(store.data_dir.glob(".restore-*"))
    # The store still works, and a good archive still restores.
    backup.restore_archive(store, archive)
    assert queries.load_case(store, 1).notes == ""
    assert verify(store).ok


def test_the_command_line_says_one_line_and_exits_2(store: Store, archive: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    crafted = rebuild(archive, tmp_path / "crafted.zip", change_db=_claims_0001)
    data_dir = store.data_dir
    store.close()
    assert main(["--data-dir", str(data_dir), "restore", str(crafted)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Nothing was changed" in err
    assert main(["--data-dir", str(data_dir), "restore", str(archive)]) == 0


def test_an_archive_from_an_older_docket_is_upgraded_before_the_swap(store: Store, tmp_path: Path) -> None:
    # A database made by the migrations up to 0001, as the first Docket made it.
    old = tmp_path / "old" / DB_NAME
    old.parent.mkdir()
    backup._upgrade_file(old, "0001")
    data = old.read_bytes()
    path = tmp_path / "old.zip"
    manifest = {"format": "docket-archive", "version": 1, "schema_revision": "0001",
                "files": [{"path": DB_NAME, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}]}
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(DB_NAME, data)
        zf.writestr("manifest.json", json.dumps(manifest))
    result = backup.restore_archive(store, path)
    assert result.schema_revision == "0001"
    assert store.revision() == HEAD
    assert queries.list_cases(store) == []
    assert verify(store).ok


def test_evidence_files_nothing_refers_to_are_not_copied(store: Store, archive: Path, tmp_path: Path) -> None:
    junk = b"junk that no evidence row names"
    sha = hashlib.sha256(junk).hexdigest()
    crafted = rebuild(archive, tmp_path / "junk.zip", extra={f"evidence/{sha[:2]}/{sha}": junk})
    backup.restore_archive(store, crafted)
    assert not store.evidence.path_for(sha).exists()
    assert verify(store).ok


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_restoring_a_device_is_refused_at_once(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir = store.data_dir
    store.close()
    assert main(["--data-dir", str(data_dir), "restore", "/dev/zero"]) == 2
    assert "not a regular file" in capsys.readouterr().err


def test_restoring_a_folder_is_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="not a regular file"):
        backup.restore_archive(store, tmp_path)


# -- a restore cut short --------------------------------------------------------------------
KILLER = r"""
import os, signal, sys
from pathlib import Path
from core.store import backup
from core.store.store import Store

point = sys.argv[3]
real_replace, real_finish, real_journal = os.replace, backup._finish_swap, backup._write_journal

def kill():
    os.kill(os.getpid(), signal.SIGKILL)

def replace(src, dst):
    if point == "db-replaced" and Path(dst).name == "docket.sqlite3":
        real_replace(src, dst)
        kill()
    if point == "templates" and Path(dst).name == "templates":
        kill()
    return real_replace(src, dst)

def journal(data_dir, entry):
    real_journal(data_dir, entry)
    if point == "journal-written":
        kill()

def reconnect(self):
    if point == "wal-switch":
        kill()
    return real_reconnect(self)

real_reconnect = Store.reconnect
backup.os.replace = replace
backup._write_journal = journal
Store.reconnect = reconnect
store = Store.open(sys.argv[1])
backup.restore_archive(store, sys.argv[2])
print("finished")
"""


def _run_killed(data_dir: Path, archive: Path, point: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", KILLER, str(data_dir), str(archive), point],
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("point", ["journal-written", "templates", "db-replaced", "wal-switch"])
def test_a_restore_killed_during_the_swap_is_finished_at_the_next_start(
        store: Store, archive: Path, point: str) -> None:
    data_dir = store.data_dir
    (data_dir / "templates").mkdir(exist_ok=True)
    (data_dir / "templates" / "mine.txt.j2").write_text("Dear {{ company }}")
    store.close()
    done = _run_killed(data_dir, archive, point)
    assert done.returncode == -9, done.stderr
    with Store.open(data_dir) as reopened:
        assert any("interrupted; it has now been finished" in n for n in reopened.notices)
        assert queries.load_case(reopened, 1).notes == ""  # the archive's data, whole
        assert verify(reopened).ok
        assert not list(data_dir.glob(".restore-*"))
        assert list((data_dir / "backups").glob("templates-before-restore-*/mine.txt.j2"))
    with Store.open(data_dir) as again:
        assert again.notices == []


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
@pytest.mark.slow
def test_a_restore_killed_at_random_moments_leaves_old_or_new_data_never_a_locked_store(
        store: Store, archive: Path) -> None:
    data_dir = store.data_dir
    store.close()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    script = ("import sys\nfrom core.journal.opening import open_store\nfrom core.store import backup\n"
              "with open_store(sys.argv[1]) as store:\n    backup.restore_archive(store, sys.argv[2])\n")
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", script, str(data_dir), str(archive)], env=env, check=True, timeout=120)
    whole = time.monotonic() - started
    with Store.open(data_dir) as reopened:
        cases.update_case(reopened, case_id=1, notes="newer than the archive")
    for i in range(8):
        child = subprocess.Popen([sys.executable, "-c", script, str(data_dir), str(archive)], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(whole * (0.3 + 0.7 * i / 8))
        child.kill()
        child.wait()
        with Store.open(data_dir) as reopened:
            assert queries.load_case(reopened, 1).notes in ("", "newer than the archive")
            assert verify(reopened, quick=True).ok
            cases.update_case(reopened, case_id=1, notes="newer than the archive")


# -- an archive cut short ---------------------------------------------------------------------
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_a_killed_backup_leaves_no_half_archive_after_the_next_start(store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    data_dir = store.data_dir
    store.close()
    out = tmp_path / "elsewhere" / "all.zip"
    out.parent.mkdir()
    script = ("import os, signal, sys\nfrom core.store import backup\nfrom core.store.store import Store\n"
              "real = backup._write_file_entry\n"
              "def write(zf, name, src, method):\n"
              "    real(zf, name, src, method)\n"
              "    os.kill(os.getpid(), signal.SIGKILL)\n"
              "backup._write_file_entry = write\n"
              "backup.backup_archive(Store.open(sys.argv[1]), sys.argv[2])\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", script, str(data_dir), str(out)], env=env, timeout=120,
                          capture_output=True, text=True)
    assert done.returncode == -9, done.stderr
    assert (out.parent / "all.zip.part").exists()  # what the kill left
    with Store.open(data_dir):
        assert list(out.parent.iterdir()) == []

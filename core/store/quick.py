"""A store opened for reading only, through the database driver alone (no SQLAlchemy).

Read-only commands (``docket show``, ``docket cases``) spend most of their time importing
SQLAlchemy and the models when they open the store the full way (:meth:`Store.open`).
:func:`open_for_reading` opens it the quick way when nothing but reading is needed: it takes the
lock and asks for the passphrase of a protected store with the same words, and reads through one
``sqlite3`` (or SQLCipher) connection that cannot write (``PRAGMA query_only``).

It does so only when opening the full way would change nothing: the schema at :data:`HEAD`, the
database in WAL mode, the database's identity the one its folder remembers, and nothing in the
folder but what a store at rest holds (no journal of a restore or of a change of protection,
no leftover of a copy cut short). Otherwise it returns None, and the caller opens the store the
full way, which finishes, upgrades, refuses or warns exactly as it always has.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from filelock import FileLock

from core.store import connect
from core.store.lock import LOCK_NAME, data_folder, locked_store, take_lock
from core.store.migrations import HEAD
from core.store.paths import (
    BACKUP_INTERVAL,
    DB_NAME,
    IDENTITY_KEY,
    KEY_NAME,
    SIDECAR,
    automatic_backups,
    backup_fingerprint,
    is_protected,
    make_private_file,
)

# Runs one statement and returns its rows, as core.journal.case_list.Run.
Run = Callable[[str, Sequence[Any]], Sequence[Sequence[Any]]]

BUSY_TIMEOUT_MS = 10_000  # as core.store.store waits for another program's write

# What the folder of a store at rest holds. Anything else (a restore's or a conversion's
# journal, a working folder, a half-written sidecar...) is for the full opening to deal with.
_AT_REST = {DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", LOCK_NAME, SIDECAR, KEY_NAME,
            "evidence", "backups", "templates"}


class QuickStore:
    """An open store that reads only. Use :func:`open_for_reading`; close with :meth:`close`."""

    def __init__(self, data_dir: Path, lock: FileLock, conn: Any, key: bytes | None, backup_due: bool) -> None:
        self.data_dir = data_dir
        self.db_path = data_dir / DB_NAME
        self.key = key
        self.notices: list[str] = []  # none: a store with something to say opens the full way
        # True when no automatic backup was made in the last 30 minutes: then the command line
        # asks backup_check_needed() after the command.
        self.backup_due = backup_due
        self._lock = lock
        self._conn = conn
        self.closed = False

    @contextmanager
    def reading(self) -> Iterator[Run]:
        """Run statements in one read transaction: they all see the same snapshot."""
        self._conn.execute("BEGIN")
        try:
            yield lambda sql, params: self._conn.execute(sql, tuple(params)).fetchall()
        finally:
            self._conn.execute("ROLLBACK")

    def backup_check_needed(self) -> bool:
        """Whether the command line's automatic backup (``core.cli.main._automatic_backup``)
        could make a backup now, which needs the store opened the full way. Not when a backup
        was made in the last 30 minutes, nor when the store holds nothing and has no backup,
        nor when the data is what the newest backup holds (the same fingerprint): what
        :func:`core.store.backup.auto_backup` would find, without loading SQLAlchemy."""
        if not self.backup_due:
            return False
        backups = automatic_backups(self.data_dir / "backups")
        with self.reading() as run:
            if not backups:
                return any(run(f"SELECT 1 FROM {table} LIMIT 1", ()) for table in ("cases", "companies", "evidence"))
            return fingerprint_on(run) != backup_fingerprint(backups[-1][2])

    def close(self) -> None:
        """Close the connection and release the lock; nothing was written."""
        if self.closed:
            return
        self.closed = True
        try:
            self._conn.close()
        finally:
            self._lock.release()

    def __enter__(self) -> QuickStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_for_reading(data_dir: Path | str | None = None, *, key: bytes | None = None) -> QuickStore | None:
    """Open the store in ``data_dir`` for reading without SQLAlchemy, or return None when the
    full :meth:`core.store.store.Store.open` must open it (see the module's docstring).

    Raises :class:`core.domain.errors.StoreLockedError` if another Docket has it open, and
    :class:`core.store.lock.StoreLocked` if it is protected and ``key`` is None, as the full
    opening does. Nothing is written to the database (its connection is query_only).
    """
    folder = data_folder(data_dir)
    db_path = folder / DB_NAME
    if not _at_rest(folder) or not db_path.is_file() or db_path.stat().st_size == 0:
        return None
    lock: FileLock | None = take_lock(folder)
    conn: Any = None
    try:
        if not _at_rest(folder):  # looked at again under the lock
            return None
        if is_protected(folder) and key is None:
            raise locked_store(folder)
        if key is not None and not is_protected(folder):
            return None
        try:
            conn = connect.connect(db_path, key=key, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
            ready = _ready(conn, folder)
        except connect.DB_ERRORS:
            ready = False  # the full opening says what is wrong, in its words
        if not ready:
            return None
        for suffix in ("", "-wal", "-shm"):
            make_private_file(Path(str(db_path) + suffix))
        assert lock is not None
        store = QuickStore(folder, lock, conn, key, backup_due=not _recent_backup(folder / "backups"))
        conn = lock = None  # the store owns them now
        return store
    finally:
        if conn is not None:
            conn.close()
        if lock is not None:
            lock.release()


def _at_rest(folder: Path) -> bool:
    if any(entry.name not in _AT_REST for entry in folder.iterdir()):
        return False
    # A copy into the store or a backup cut short leaves a file the full opening removes.
    incoming = folder / "evidence" / ".incoming"
    if incoming.is_dir() and any(incoming.iterdir()):
        return False
    backups = folder / "backups"
    return not (backups.is_dir() and any(entry.name.startswith(".") for entry in backups.iterdir()))


def _ready(conn: Any, folder: Path) -> bool:
    """Whether the database can be read as it is: Docket's schema at HEAD, in WAL mode, and
    the database the folder remembers (its identity and write count, core.store.identity)."""
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA query_only = ON")
    if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
        return False
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"alembic_version", "settings"} <= tables:
        return False
    revision = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    if revision != [(HEAD,)]:
        return False
    found = conn.execute("SELECT value FROM settings WHERE key = ?", (IDENTITY_KEY,)).fetchone()
    commits = int(conn.execute("PRAGMA user_version").fetchone()[0])
    try:
        row = json.loads(found[0]) if found is not None and isinstance(found[0], str) else None
        remembered = json.loads((folder / SIDECAR).read_text("utf-8"))
        return (isinstance(row, dict) and isinstance(row.get("id"), str) and isinstance(remembered, dict)
                and str(remembered["id"]) == row["id"] and int(remembered["commits"]) == commits)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _recent_backup(backups: Path) -> bool:
    """Whether an automatic backup was made in the last 30 minutes."""
    found = automatic_backups(backups)
    return bool(found) and datetime.now(UTC) - found[-1][0] < BACKUP_INTERVAL


def fingerprint_on(run: Run) -> str:
    """What the data looks like now, in 64 hex digits, read with ``run``: equal fingerprints
    mean nothing changed (what :func:`core.store.backup.auto_backup` compares with the newest
    backup's).

    Covers the history head (every recorded change), the size and highest row id of every
    table (writes that make no revision) and the full content of settings, companies and
    reminders (which have no history).
    """
    digest = hashlib.sha256()
    tables = [row[0] for row in run(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name NOT LIKE 'search_index%' ORDER BY name", ())]
    for table in tables:
        try:
            size = run(f'SELECT count(*), max(rowid) FROM "{table}"', ())
        except connect.OPERATIONAL_ERRORS:  # a WITHOUT ROWID table has no rowid
            size = run(f'SELECT count(*) FROM "{table}"', ())
        digest.update(repr(tuple(size[0])).encode())
    if "revisions" in tables:
        head = run("SELECT hash FROM revisions ORDER BY id DESC LIMIT 1", ())
        digest.update(repr(tuple(head[0]) if head else None).encode())
    for table in ("settings", "companies", "reminders", "alembic_version"):
        if table in tables:
            for row in run(f'SELECT * FROM "{table}" ORDER BY 1', ()):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


class _FullStore(Protocol):
    def read(self) -> AbstractContextManager[Any]: ...


@contextmanager
def reading(store: QuickStore | _FullStore) -> Iterator[Run]:
    """Plain SQL statements on either kind of open store, in one read transaction."""
    if isinstance(store, QuickStore):
        with store.reading() as run:
            yield run
        return
    with store.read() as session:
        conn = session.connection()
        yield lambda sql, params: conn.exec_driver_sql(sql, tuple(params)).all()

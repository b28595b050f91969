"""The store: one SQLite file and the evidence files beside it, in a data directory.

Opening a store takes an exclusive lock file (a second Docket on the same data is refused),
sets every connection's pragmas, and migrates the schema to the newest revision with Alembic,
after taking a backup copy when an existing store is upgraded.

All writes go through :meth:`Store.write`: one writing connection for the process, a
``BEGIN IMMEDIATE`` transaction that commits on success and rolls back on any error, so a
failed operation leaves the store exactly as it was. Reads use :meth:`Store.read`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

from filelock import FileLock
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from core.domain.errors import StoreError
from core.i18n import _
from core.store import connect, crypto
from core.store.files import EvidenceStore
from core.store.identity import StoreIdentity
from core.store.lock import LOCK_NAME, StoreLocked, data_folder, locked_store, take_lock
from core.store.migrations import HEAD, alembic_config
from core.store.paths import DB_NAME, make_private_file
from core.store.revisions import RevisionChain
from core.store.unit_of_work import Reactions, UnitOfWork, WriteSession

__all__ = ["LOCK_NAME", "BUSY_TIMEOUT_MS", "Store", "StoreLocked"]
BUSY_TIMEOUT_MS = 10_000


def _set_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # Docket emits BEGIN itself (see _begin); the driver's implicit transactions would get in
    # the way of SAVEPOINTs and of BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.close()


def _make_engine(db_path: Path, *, writer: bool, key: bytes | None) -> Engine:
    # Every connection goes through core.store.connect, which keys it when the store is
    # protected (SQLCipher) before any other statement.
    engine = connect.engine(
        db_path,
        key=key,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        # The writer is a single connection: SQLite's WAL allows one writer at a time, and
        # older SQLite builds have a bug when two connections of one process write or
        # checkpoint together.
        poolclass=QueuePool,
        pool_size=1 if writer else 4,
        max_overflow=0 if writer else 4,
    )
    event.listen(engine, "connect", _set_pragmas)
    begin_sql = "BEGIN IMMEDIATE" if writer else "BEGIN"

    @event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql(begin_sql)

    return engine


def _refuse_foreign_database(db_path: Path, key: bytes | None = None) -> None:
    """Refuse a database that is not Docket's before any pragma (WAL) changes its file."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return
    try:
        conn = connect.connect(db_path, key=key, readonly=True)
        try:
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.close()
    except connect.OPERATIONAL_ERRORS as exc:
        # Cannot read it (a full disk, permissions, a lock): not the same as a foreign file.
        raise StoreError(_("Cannot read {db_path} ({exc}).").format(db_path=db_path, exc=exc)) from None
    except connect.DATABASE_ERRORS as exc:
        if key is not None:
            raise StoreError(_("{db_path} does not open with this folder's key ({exc}).").format(
                db_path=db_path, exc=exc)) from None
        raise StoreError(_("{db_path} is not a Docket store ({exc}).").format(db_path=db_path, exc=exc)) from None
    if names and "alembic_version" not in names:
        raise StoreError(_("{db_path} is not a Docket store (no schema revision).").format(db_path=db_path))


class Store:
    """An open Docket data directory. Use :meth:`open`; close with :meth:`close`."""

    def __init__(self, data_dir: Path, lock: FileLock, key: bytes | None = None) -> None:
        self.data_dir = data_dir
        # The data key of a protected store (None for a clear one): the database, evidence
        # and backups are sealed with it (core.store.crypto).
        self.key = key
        self.db_path = data_dir / DB_NAME
        self.backups_dir = data_dir / "backups"
        self.templates_dir = data_dir / "templates"
        self._lock = lock
        self._write_lock = threading.RLock()
        # Reads in progress, so that a restore can wait for them before it swaps the file.
        self._readers = 0
        self._reads_paused = False
        self._pause_owner: int | None = None
        self._readers_changed = threading.Condition()
        self.writer = _make_engine(self.db_path, writer=True, key=key)
        self.reader = _make_engine(self.db_path, writer=False, key=key)
        self._write_sessions = sessionmaker(self.writer, class_=WriteSession, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.reader, expire_on_commit=False)
        self.evidence = EvidenceStore(data_dir / "evidence", key=key)
        # What every write sets off (core.store.unit_of_work): the store's own history chain
        # here; core.journal.opening.open_store adds the reactions of the rooms above.
        self.reactions = Reactions(self._write_sessions)
        self.reactions.add(RevisionChain())
        # Counts the commits and keeps the digest of companies and settings (core.store.identity).
        self.reactions.add(StoreIdentity())
        self.closed = False
        # What the user should be told about this store (a restore finished at start, a
        # database that is not the one this folder held); the CLI and the window show them.
        self.notices: list[str] = []
        self.identity_problem: str | None = None

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, data_dir: Path | str | None = None, *, key: bytes | None = None) -> Store:
        """Open (creating if needed) the store in ``data_dir`` and bring its schema up to date.

        A protected store needs its data key (:func:`core.store.crypto.unlock`). Raises
        :class:`StoreLockedError` if another Docket has it open, :class:`StoreLocked` if it is
        protected and no key was given.
        """
        data_dir = data_folder(data_dir)
        lock = take_lock(data_dir)
        try:
            # A restore cut short is finished first, before anything reads the database.
            from core.store.backup import finish_interrupted_restore
            from core.store.protection import finish_interrupted_conversion

            converted = finish_interrupted_conversion(data_dir)
            finished = finish_interrupted_restore(data_dir)
            if crypto.is_protected(data_dir) and key is None:
                raise locked_store(data_dir)
            if key is not None and not crypto.is_protected(data_dir):
                raise StoreError(_("The data in {data_dir} is not protected with a passphrase.").format(data_dir=data_dir))
            _refuse_foreign_database(data_dir / DB_NAME, key)
        except BaseException:
            lock.release()
            raise
        store = cls(data_dir, lock, key)
        if converted:
            store.notices.append(converted)
        if finished:
            store.notices.append(finished)
        try:
            store.evidence.clean_incoming()
            from core.store.backup import (
                clean_leftovers,  # a backup or restore cut short by a crash
            )

            clean_leftovers(store)
            store._migrate()
            for suffix in ("", "-wal", "-shm"):
                make_private_file(Path(str(store.db_path) + suffix))
            if finished:
                from core.store.backup import after_restore, close_restore_journal

                after_restore(store)
                close_restore_journal(data_dir)
            store._check_identity()
        except BaseException:
            store.close()
            raise
        return store

    def _migrate(self) -> None:
        existed = self.db_path.exists() and self.db_path.stat().st_size > 0
        current = self.revision() if existed else None
        if current == HEAD:
            return  # the usual case: no need to load Alembic at all
        from alembic import command
        from alembic.script import ScriptDirectory

        cfg, ctx = alembic_config()
        try:
            head = ScriptDirectory.from_config(cfg).get_current_head()
            if current == head:
                return
            if existed and current is not None:
                self.snapshot(f"before-upgrade-{current}-to-{head}")
            elif existed and current is None:
                with self.writer.connect() as conn:
                    tables = conn.exec_driver_sql(
                        "SELECT count(*) FROM sqlite_master WHERE type='table'"
                    ).scalar()
                if tables:
                    raise StoreError(_("{db_path} is not a Docket store (no schema revision).").format(db_path=self.db_path))
            with self._write_lock, self.writer.connect() as conn:
                # Table rebuilds in migrations must not fire ON DELETE CASCADE: foreign keys
                # are off while migrating and checked afterwards, as SQLite recommends. The
                # pragma only works outside a transaction, hence the raw driver connection.
                raw = cast(sqlite3.Connection, conn.connection.driver_connection)
                raw.execute("PRAGMA foreign_keys = OFF")
                try:
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
                    bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if bad:
                        conn.rollback()
                        raise StoreError(_("The upgrade left broken references: {bad}").format(bad=bad[:5]))
                    conn.commit()
                finally:
                    raw.execute("PRAGMA foreign_keys = ON")
        finally:
            ctx.__exit__(None, None, None)

    def revision(self) -> str | None:
        """The schema revision the database is at."""
        with self.writer.connect() as conn:
            has_table = conn.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).first()
            if not has_table:
                return None
            row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
            return None if row is None else str(row[0])

    def _check_identity(self) -> None:
        from core.store import identity

        self.identity_problem = identity.check(self)
        if self.identity_problem:
            self.notices.append(self.identity_problem)

    # -- units of work -------------------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session for one unit of work: committed on success, rolled back on any error.

        The store's :attr:`reactions` run on it (the revision chain, ``Case.next_due``...: see
        :mod:`core.store.unit_of_work`); :func:`core.store.unit_of_work.unit_of` gives the
        session's :class:`UnitOfWork`.
        """
        with self._write_lock, self._write_sessions() as session:
            unit = session.unit = UnitOfWork(session, self.evidence)
            try:
                with session.begin():
                    yield session
            except BaseException:
                # Files copied in for this unit of work belong to no committed record, unless
                # another attachment of the same content committed meanwhile (copies are made
                # outside the write lock).
                for sha in unit.new_evidence_files:
                    with self.writer.connect() as conn:
                        kept = conn.exec_driver_sql("SELECT 1 FROM evidence WHERE sha256 = ? LIMIT 1", (sha,)).first()
                    if kept is None:
                        self.evidence.discard(sha)
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; sees a consistent snapshot for its lifetime."""
        with self._readers_changed:
            # The thread that paused the store may still read (a restore backs up before it
            # upgrades an older archive's schema).
            while self._reads_paused and self._pause_owner != threading.get_ident():
                self._readers_changed.wait()
            self._readers += 1
        try:
            with self._read_sessions() as session:
                yield session
        finally:
            with self._readers_changed:
                self._readers -= 1
                self._readers_changed.notify_all()

    @contextmanager
    def paused(self, timeout: float = 30.0) -> Iterator[None]:
        """No read or write runs inside this block (a restore swaps the database file in it).

        Waits for reads in progress to end; raises :class:`StoreError` if they do not end
        within ``timeout`` seconds.
        """
        with self._write_lock:
            with self._readers_changed:
                self._reads_paused = True
                self._pause_owner = threading.get_ident()
                if not self._readers_changed.wait_for(lambda: self._readers == 0, timeout):
                    self._reads_paused = False
                    self._pause_owner = None
                    self._readers_changed.notify_all()
                    raise StoreError(_("Docket is still busy reading the data; wait a moment and try again."))
            try:
                yield
            finally:
                with self._readers_changed:
                    self._reads_paused = False
                    self._pause_owner = None
                    self._readers_changed.notify_all()

    # -- copies --------------------------------------------------------------------------
    def snapshot(self, label: str) -> Path:
        """Back the database up into ``backups/`` (checked, see :mod:`core.backup`); return its path."""
        from core.store.backup import backup_before

        return backup_before(self, label)

    def reconnect(self) -> None:
        """Drop every connection and open new ones: used after a restore replaced the file."""
        with self._write_lock:
            self.writer.dispose()
            self.reader.dispose()
            self.writer = _make_engine(self.db_path, writer=True, key=self.key)
            self.reader = _make_engine(self.db_path, writer=False, key=self.key)
            self._write_sessions.configure(bind=self.writer)
            self._read_sessions.configure(bind=self.reader)
            self._migrate()
            for suffix in ("", "-wal", "-shm"):
                make_private_file(Path(str(self.db_path) + suffix))

    def adopt_database(self) -> None:
        """Make the database as it is now this folder's own (its identity, the digest of its
        companies and settings, the sidecar file): after a restore, or when the user accepts it."""
        from core.store import identity

        identity.adopt(self)

    def close(self) -> None:
        """Release the database connections and the lock file."""
        if self.closed:
            return
        self.closed = True
        if self.identity_problem is None:
            from core.store import identity

            identity.close(self)
        self.writer.dispose()
        self.reader.dispose()
        self._lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""A store that knows it is itself: an identity kept in the database and beside it.

Each store gets a random id when it first holds data. The database keeps it (a row of
``settings`` under a key no setting uses) together with a digest of the companies and the
settings, which have no revision history; SQLite's ``user_version`` counts the write
transactions. A small sidecar file, ``docket.identity``, keeps the id and the count as they
were when the store was last opened or closed.

At start, :func:`check` compares the two. A database that was emptied, deleted, replaced by
another store's or by an older copy of this one no longer matches its sidecar: the store opens
with a warning (``Store.notices``) naming the ways back (the latest automatic backup, an
archive), and the sidecar is left as it was until the user restores or accepts the database
(``docket verify --accept``). :mod:`core.store.verify` reports the same, and a companies or
settings row changed behind Docket's back.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import secrets
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from core.domain.models import Company, Setting
from core.i18n import _, ngettext
from core.store import backup
from core.store.backup import has_data, list_backups
from core.store.paths import IDENTITY_KEY, SIDECAR  # the sidecar file; the identity's settings key
from core.store.unit_of_work import Reaction, UnitOfWork


class Store(backup.Store, Protocol):
    """What the identity uses of an open :class:`core.store.store.Store` (a protocol: the store
    registers :class:`StoreIdentity`, so this module must not import it back)."""

    identity_problem: str | None

    def write(self) -> AbstractContextManager[Session]: ...


@dataclass(frozen=True, slots=True)
class Identity:
    store_id: str
    commits: int


def guarded_digest(conn: Connection) -> str:
    """SHA-256 over every company and every user setting, as SQLite stores them."""
    digest = hashlib.sha256()
    for row in conn.exec_driver_sql("SELECT * FROM companies ORDER BY id"):
        digest.update(repr(tuple(row)).encode())
    for row in conn.exec_driver_sql("SELECT key, value FROM settings WHERE key <> ? ORDER BY key", (IDENTITY_KEY,)):
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def stored_row(conn: Connection) -> dict[str, Any] | None:
    found = conn.exec_driver_sql("SELECT value FROM settings WHERE key = ?", (IDENTITY_KEY,)).first()
    if found is None:
        return None
    try:
        value = json.loads(found[0]) if isinstance(found[0], str) else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _commits(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def count_commit(session: Session, *, guarded_changed: bool) -> None:
    """Called by :class:`StoreIdentity` just before a unit of work commits: one more write transaction, and a
    new digest of companies and settings when the unit of work may have changed them."""
    conn = session.connection()
    conn.exec_driver_sql(f"PRAGMA user_version = {(_commits(conn) + 1) % 2**31}")
    if guarded_changed:
        session.flush()
        row = stored_row(conn)
        if row is not None:
            row["guarded"] = guarded_digest(conn)
            _store_row(conn, row)


class _GuardedChange:
    """What :class:`StoreIdentity` notes during one unit: did it touch a company or a setting?"""

    changed = False


def _touches_guarded(session: Session) -> bool:
    return any(isinstance(o, (Company, Setting))
               for o in itertools.chain(session.new, session.dirty, session.deleted))


class StoreIdentity(Reaction):
    """Every unit of work counts one more commit (SQLite's ``user_version``), and one that
    changed a company or a setting refreshes their digest: companies and settings have no
    revision history, so the digest is what shows an edit made behind Docket's back."""

    def before_flush(self, unit: UnitOfWork) -> None:
        if _touches_guarded(unit.session):
            unit.notes(_GuardedChange).changed = True

    def before_commit(self, unit: UnitOfWork) -> None:
        # Changes still pending at the commit have not been through a flush yet.
        changed = unit.notes(_GuardedChange).changed or _touches_guarded(unit.session)
        unit.forget(_GuardedChange)
        count_commit(unit.session, guarded_changed=changed)

    def after_rollback(self, unit: UnitOfWork) -> None:
        unit.forget(_GuardedChange)


def _store_row(conn: Connection, row: dict[str, Any]) -> None:
    conn.exec_driver_sql("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                         (IDENTITY_KEY, json.dumps(row)))


def database_identity(store: Store) -> tuple[Identity | None, str]:
    """The identity the database holds (None when it has none) and its companies/settings digest."""
    with store.read() as session:
        conn = session.connection()
        row = stored_row(conn)
        commits = _commits(conn)
    if row is None or not isinstance(row.get("id"), str):
        return None, ""
    return Identity(row["id"], commits), str(row.get("guarded", ""))


def sidecar_identity(data_dir: Path) -> Identity | None:
    """The identity the sidecar file remembers, or None when there is none (or it is unreadable)."""
    try:
        data = json.loads((data_dir / SIDECAR).read_text("utf-8"))
        return Identity(str(data["id"]), int(data["commits"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_sidecar(store: Store) -> None:
    """Remember the database's identity beside it (atomically)."""
    found, _unused = database_identity(store)
    if found is None:
        return
    path = store.data_dir / SIDECAR
    tmp = store.data_dir / (SIDECAR + ".part")
    tmp.write_text(json.dumps({"id": found.store_id, "commits": found.commits}), "utf-8")
    os.replace(tmp, path)


def _ways_back(store: Store) -> str:
    backups = list_backups(store)
    if backups:
        return _("To get your data back: restore the latest automatic backup with 'docket restore {path}', "
                 "or restore an archive with 'docket restore FILE.zip'. To keep this database as it is, run "
                 "'docket verify --accept'.").format(path=backups[-1].path)
    return _("To get your data back: no automatic backup is kept in this folder, or restore an archive with "
             "'docket restore FILE.zip'. To keep this database as it is, run 'docket verify --accept'.")


def check(store: Store) -> str | None:
    """Compare the database with what this data folder remembers; return a warning, or None.

    When everything matches (or the store is new), the identity is created or brought up to
    date; after a warning nothing is written, so the warning stays until the user acts.
    """
    found, _valid = database_identity(store)
    remembered = sidecar_identity(store.data_dir)
    problem: str | None = None
    name = store.db_path.name
    if found is None:
        if remembered is not None:
            problem = _("{name} is not the database this data folder held: it was emptied, deleted or "
                        "replaced.").format(name=name)
        elif not has_data(store):
            evidence = sum(1 for _hash in store.evidence.all_hashes())
            if evidence:
                problem = ngettext(
                    "{name} is empty, yet the data folder holds {n:,} evidence file: the database was "
                    "probably emptied or deleted.",
                    "{name} is empty, yet the data folder holds {n:,} evidence files: the database was "
                    "probably emptied or deleted.", evidence).format(name=name, n=evidence)
        if problem is None:
            adopt(store)
            return None
    elif remembered is not None and remembered.store_id != found.store_id:
        problem = _("{name} belongs to another Docket store: it was replaced.").format(name=name)
    elif remembered is not None and found.commits < remembered.commits:
        problem = _("{name} is older than the data this folder last held ({found:,} changes recorded, "
                    "{expected:,} expected): it was replaced by an older copy.").format(
                        name=name, found=found.commits, expected=remembered.commits)

    if problem is not None:
        return f"{problem} {_ways_back(store)}"
    write_sidecar(store)
    return None


def adopt(store: Store) -> None:
    """Make the database this folder's own: give it an identity if it has none, record the
    digest of companies and settings, and write the sidecar (after a restore, or when the user
    accepts the database as it is)."""
    with store.write() as session:
        conn = session.connection()
        row = stored_row(conn) or {}
        if not isinstance(row.get("id"), str):
            row["id"] = secrets.token_hex(16)
        row["guarded"] = guarded_digest(conn)
        _store_row(conn, row)
    with contextlib.suppress(OSError):
        write_sidecar(store)


def close(store: Store) -> None:
    """Bring the sidecar up to date as the store closes (nothing when a warning is pending)."""
    if store.identity_problem:
        return
    with contextlib.suppress(OSError, Exception):
        write_sidecar(store)

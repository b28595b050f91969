"""The one place that opens a connection to a Docket database, clear or protected.

A clear store is opened with Python's own ``sqlite3``. A protected store is opened with
SQLCipher (the ``sqlcipher3`` binding, SQLite with page encryption and FTS5), given the raw
256-bit data key (``PRAGMA key = "x'…'"``), so no key derivation runs per connection: the
passphrase is stretched once, when the store is unlocked (:mod:`core.store.crypto`).

Both drivers raise their own exception classes; :data:`DB_ERRORS` and friends name both, for
the places that catch a database error around a plain connection.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.store.crypto import sqlcipher_key_pragma

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.pool import Pool

# SQLCipher and SQLAlchemy are loaded when they are needed (a protected store; an engine), so
# that a command reading a clear store through sqlite3 pays for neither.
_SQLCIPHER = "sqlcipher3.dbapi2"


_ERROR_CLASSES = {"DB_ERRORS": "Error", "OPERATIONAL_ERRORS": "OperationalError", "DATABASE_ERRORS": "DatabaseError"}


def _errors(base: str) -> tuple[type[Exception], ...]:
    found: tuple[type[Exception], ...] = (getattr(sqlite3, base),)
    sqlcipher = sys.modules.get(_SQLCIPHER)
    return found if sqlcipher is None else (*found, getattr(sqlcipher, base))


def __getattr__(name: str) -> tuple[type[Exception], ...]:
    """``DB_ERRORS``, ``OPERATIONAL_ERRORS`` and ``DATABASE_ERRORS``: the error classes of
    ``sqlite3`` and, once a protected store has loaded it, of SQLCipher (before that no
    SQLCipher error can be raised)."""
    if name not in _ERROR_CLASSES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _errors(_ERROR_CLASSES[name])


_quiet = False


def _quiet_sqlcipher() -> None:
    # SQLCipher logs a failed page decryption (a wrong key) to stderr; Docket says it once,
    # in its own words.
    global _quiet
    if not _quiet:
        conn = driver(b"").connect(":memory:")
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.close()
        _quiet = True


def driver(key: bytes | None) -> Any:
    """The DB-API module for a clear (None) or a protected store."""
    if key is None:
        return sqlite3
    import sqlcipher3.dbapi2 as sqlcipher

    return sqlcipher


def sqlite_version(key: bytes | None) -> str:
    """The SQLite version of the driver a clear (None) or a protected store uses."""
    return str(driver(key).sqlite_version)


def apply_key(conn: Any, key: bytes | None) -> None:
    """Give a new SQLCipher connection the data key; it must be the first statement."""
    if key is not None:
        conn.execute(sqlcipher_key_pragma(key))


def connect(path: Path | str, *, key: bytes | None, readonly: bool = False, **kwargs: Any) -> Any:
    """A DB-API connection to the database at ``path`` (read-only if asked), keyed if the
    store is protected. ``kwargs`` go to the driver (``isolation_level``, ``timeout``...)."""
    module = driver(key)
    if key is not None:
        _quiet_sqlcipher()
    if readonly:
        conn = module.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, **kwargs)
    else:
        conn = module.connect(str(path), **kwargs)
    try:
        apply_key(conn, key)
    except BaseException:
        conn.close()
        raise
    return conn


def engine(path: Path, *, key: bytes | None, poolclass: type[Pool] | None = None, **kwargs: Any) -> Engine:
    """An SQLAlchemy engine on the database at ``path`` whose every connection is keyed.

    The engine's dialect uses the same driver module as :func:`connect`, so SQLAlchemy
    recognises its errors.
    """
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    connect_args = dict(kwargs.pop("connect_args", {}))

    def creator() -> Any:
        return connect(path, key=key, **connect_args)

    return create_engine(
        f"sqlite:///{path}", module=driver(key), creator=creator, poolclass=poolclass or NullPool, **kwargs
    )


def is_locked_database(exc: BaseException) -> bool:
    """Whether ``exc`` says the file could not be read as a database (wrong key, no key for
    a protected file, or not a database at all)."""
    return isinstance(exc, _errors("DatabaseError")) and "not a database" in str(exc)

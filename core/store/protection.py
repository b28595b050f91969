"""Protecting a store with a passphrase, removing the protection, changing the passphrase.

Converting is all or nothing. The converted database, evidence files and automatic backups are
written into a working folder inside the data folder (``.convert-…``), synced, and checked:
``integrity_check`` of the database with its new key, every evidence file opened and hashed
to its SHA-256, every backup readable. Only then is a journal written (``convert-journal.json``,
synced) and the parts swapped in one by one; a kill before the journal leaves the old store
(the working folder is removed at the next start), a kill after it is finished at the next
start from the journal, before anything reads the database. Either way the next start finds
the old store or the new one, whole, never a mix.

Changing the passphrase rewraps the data key in ``docket.key`` and rewrites nothing else.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from core.domain.errors import DocketError, StoreError
from core.i18n import _
from core.store import connect, crypto, keyring_store
from core.store.files import CHUNK, Cancelled, EvidenceStore
from core.store.paths import CONVERT_JOURNAL, DB_NAME, fsync_dir, fsync_file, make_private_dir

JOURNAL = CONVERT_JOURNAL
_WORK = re.compile(r"^\.convert-[A-Za-z0-9_]+$")
PROTECTED, CLEAR = "protected", "clear"

# progress(done, total, what) -> False to cancel (only before the swap begins)
Progress = Callable[[int, int, str], bool | None]


class Convertible(Protocol):
    """What a conversion uses of an open :class:`core.store.store.Store` (a protocol: the
    store finishes an interrupted conversion when it opens, so it imports this module)."""

    data_dir: Path
    db_path: Path
    key: bytes | None
    evidence: EvidenceStore

    def paused(self, timeout: float = 30.0) -> contextlib.AbstractContextManager[None]: ...

    def reconnect(self) -> None: ...

    @property
    def writer(self) -> Any: ...

    @property
    def reader(self) -> Any: ...


class ConversionCancelled(Cancelled):
    """The user cancelled a conversion before the swap; the store is as it was."""


def protect_store(store: Convertible, *, passphrase: str, confirmed_written_down: bool,
                  kdf: crypto.KdfParams = crypto.DEFAULT_KDF, progress: Progress | None = None) -> None:
    """Protect the open, clear ``store`` with ``passphrase``.

    Afterwards the database is SQLCipher-encrypted, every evidence file and automatic backup is
    sealed with a new random data key, and ``docket.key`` holds that key wrapped by the
    passphrase; the old clear files are removed. ``store`` is reconnected with the key. There is
    no way back in without the passphrase, hence ``confirmed_written_down`` must be True.
    Nothing changes if anything fails before the swap (including a wrong confirmation).
    """
    if store.key is not None or crypto.is_protected(store.data_dir):
        raise DocketError(_("This data is already protected with a passphrase."))
    if not confirmed_written_down:
        raise DocketError(_("Write the passphrase down first: if it is forgotten, nothing can open this data again."))
    if len(passphrase) < 8:
        raise DocketError(_("The passphrase is too short: use at least 8 characters (a few words are best)."))
    key = crypto.new_data_key()
    key_content = crypto.wrap_key(key, passphrase, kdf)
    _convert(store, new_key=key, key_content=key_content, progress=progress)


def unprotect_store(store: Convertible, *, passphrase: str, progress: Progress | None = None) -> None:
    """Remove the passphrase from the open, protected ``store``: the database, evidence files
    and automatic backups are written back in clear and ``docket.key`` is removed. The
    passphrase is asked again (a wrong one raises :class:`core.store.crypto.WrongPassphrase`
    and changes nothing)."""
    if store.key is None:
        raise DocketError(_("This data is not protected with a passphrase."))
    if crypto.unlock(store.data_dir, passphrase) != store.key:
        raise StoreError(_("The key file does not belong to this database."))
    _convert(store, new_key=None, key_content=None, progress=progress)
    # No passphrase any more: nothing to remember.
    keyring_store.forget_passphrase(data_dir=store.data_dir)


def change_passphrase(*, data_dir: Path, old_passphrase: str, new_passphrase: str,
                      kdf: crypto.KdfParams = crypto.DEFAULT_KDF) -> None:
    """Wrap the store's data key with ``new_passphrase`` in ``docket.key`` (written whole or
    not at all). Nothing else is rewritten. A wrong ``old_passphrase`` raises
    :class:`core.store.crypto.WrongPassphrase` and changes nothing."""
    if len(new_passphrase) < 8:
        raise DocketError(_("The new passphrase is too short: use at least 8 characters (a few words are best)."))
    if not crypto.is_protected(data_dir):
        raise DocketError(_("This data is not protected with a passphrase."))
    key = crypto.unlock(data_dir, old_passphrase)
    crypto.write_key_file(crypto.key_file(data_dir), crypto.wrap_key(key, new_passphrase, kdf))
    # A remembered passphrase follows the change: the old one no longer opens anything.
    if keyring_store.is_remembered(data_dir=data_dir):
        keyring_store.forget_passphrase(data_dir=data_dir)
        with contextlib.suppress(DocketError):
            keyring_store.remember_passphrase(data_dir=data_dir, passphrase=new_passphrase)


# -- converting -------------------------------------------------------------------------


def _convert(store: Convertible, *, new_key: bytes | None, key_content: dict[str, object] | None,
             progress: Progress | None) -> None:
    data_dir = store.data_dir
    old_key = store.key
    work = Path(tempfile.mkdtemp(dir=data_dir, prefix=".convert-"))
    journal_written = False
    try:
        # No write runs meanwhile: the copy must be the store as it is at the swap.
        with store.paused(timeout=600):
            _checkpoint(store)
            total = _evidence_bytes(data_dir) + _backup_count(data_dir) + 1
            done = 0

            def step(amount: int, what: str) -> None:
                nonlocal done
                done += amount
                if progress is not None and progress(min(done, total), total, what) is False:
                    raise ConversionCancelled("Cancelled; the data is as it was.")

            step(0, "database")
            export_database(store.db_path, work / DB_NAME, old_key=old_key, new_key=new_key, wal=True)
            step(1, "database")
            _convert_evidence(data_dir / "evidence", work / "evidence", old_key, new_key, step)
            _convert_backups(data_dir / "backups", work / "backups", old_key, new_key, step)
            if key_content is not None:
                crypto.write_key_file(work / crypto.KEY_FILE, key_content)
            step(0, "checking")
            _check_copy(work, new_key, store)
            _sync_tree(work)
            store.writer.dispose()
            store.reader.dispose()
            _write_journal(data_dir, {"work": work.name, "to": CLEAR if new_key is None else PROTECTED})
            journal_written = True
            try:
                _swap(data_dir, work, to_clear=new_key is None)
            except OSError as exc:
                raise StoreError(_("The change could not be finished ({reason}); Docket finishes it the next time it starts. Close Docket now.").format(reason=exc.strerror or exc)) from None
            store.key = new_key
            store.evidence.key = new_key
            store.reconnect()
        _close_journal(data_dir, work)
    finally:
        if not journal_written:
            _remove_tree(work)


def _checkpoint(store: Convertible) -> None:
    with store.writer.connect() as conn:
        conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def export_database(source: Path, target: Path, *, old_key: bytes | None, new_key: bytes | None,
                    wal: bool = False) -> None:
    """Copy the database at ``source`` (opened with ``old_key``) to ``target`` (keyed with
    ``new_key``, or clear when None) with SQLCipher's export, page contents re-encrypted on the
    way: nothing clear is written for a protected target. The write counter
    (``user_version``, the store's identity) comes along. ``wal``: the copy is in WAL mode
    already, as the live store is."""
    import sqlcipher3.dbapi2 as sqlcipher

    conn = sqlcipher.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        connect.apply_key(conn, old_key)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        target_key = "''" if new_key is None else f"\"x'{new_key.hex()}'\""
        conn.execute(f"ATTACH DATABASE ? AS converted KEY {target_key}", (str(target),))
        if wal:
            # Swapped in as the store, a copy in rollback mode would be switched to WAL by its
            # first connection, writing a rollback journal beside it: killed then, it left a
            # hot journal that the read-only check at the next start cannot roll back.
            conn.execute("PRAGMA converted.journal_mode = WAL")
        # One transaction for the whole copy: left in autocommit, the export commits (and
        # syncs to disk) once per table and index, which takes seconds on a busy disk for
        # each database (the store's and every backup's).
        conn.execute("BEGIN")
        conn.execute("SELECT sqlcipher_export('converted')")
        conn.execute(f"PRAGMA converted.user_version = {int(version)}")
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE converted")
    finally:
        conn.close()
    fsync_file(target)


def _evidence_bytes(data_dir: Path) -> int:
    root = data_dir / "evidence"
    return sum(f.stat().st_size for sub in root.iterdir() if sub.is_dir() and len(sub.name) == 2
               for f in sub.iterdir()) if root.is_dir() else 0


def _backup_count(data_dir: Path) -> int:
    folder = data_dir / "backups"
    return len(list(folder.glob("*.sqlite3"))) if folder.is_dir() else 0


def _convert_evidence(source: Path, target: Path, old_key: bytes | None, new_key: bytes | None,
                      step: Callable[[int, str], None]) -> None:
    make_private_dir(target)
    if not source.is_dir():
        return
    old = EvidenceStore(source, key=old_key)
    for sha in old.all_hashes():
        final = target / sha[:2] / sha
        make_private_dir(final.parent)
        with old.open(sha) as src, open(final, "xb") as out:
            sealer = crypto.Sealer(new_key) if new_key is not None else None
            while chunk := src.read(CHUNK):
                out.write(chunk if sealer is None else sealer.update(chunk))
                step(len(chunk), "evidence")
            if sealer is not None:
                out.write(sealer.finish())
            out.flush()
            os.fsync(out.fileno())
        os.chmod(final, 0o400)


def _convert_backups(source: Path, target: Path, old_key: bytes | None, new_key: bytes | None,
                     step: Callable[[int, str], None]) -> None:
    make_private_dir(target)
    if not source.is_dir():
        return
    for item in sorted(source.iterdir()):
        dest = target / item.name
        if item.is_file() and item.name.endswith(".sqlite3"):
            try:
                export_database(item, dest, old_key=old_key, new_key=new_key)
            except connect.DB_ERRORS:
                # A damaged backup cannot be converted; it is not carried over in clear either.
                dest.unlink(missing_ok=True)
            step(1, "backups")
        elif item.is_dir():
            shutil.copytree(item, dest)
        elif item.is_file():
            shutil.copy2(item, dest)


def _check_copy(work: Path, key: bytes | None, store: Convertible) -> None:
    """The converted copy opens with its key, passes integrity_check, and holds every evidence
    file the database names, opening and hashing to its SHA-256."""
    from core.store.backup import integrity_of

    verdict = integrity_of(work / DB_NAME, key)
    if verdict != "ok":
        raise StoreError(_("The converted database failed its check ({verdict}); nothing was changed.").format(verdict=verdict))
    with contextlib.closing(connect.connect(work / DB_NAME, key=key, readonly=True)) as conn:
        needed = sorted({r[0] for r in conn.execute("SELECT DISTINCT sha256 FROM evidence")})
    converted = EvidenceStore(work / "evidence", key=key)
    before = set(store.evidence.all_hashes())
    for sha in needed:
        if sha not in before:
            continue  # already missing before (docket verify reports it); not made worse
        try:
            actual, _unused = converted.hash_of(sha)
        except (OSError, crypto.DamagedFile):
            actual = ""
        if actual != sha:
            raise StoreError(_("The converted evidence file {sha} did not check out; nothing was changed.").format(sha=sha))
    for backup in sorted((work / "backups").glob("*.sqlite3")):
        with contextlib.closing(connect.connect(backup, key=key, readonly=True)) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()


# -- the swap and its journal -----------------------------------------------------------


def _write_journal(data_dir: Path, journal: dict[str, str]) -> None:
    tmp = data_dir / (JOURNAL + ".part")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(journal, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, data_dir / JOURNAL)
    fsync_dir(data_dir)


def _swap(data_dir: Path, work: Path, *, to_clear: bool) -> None:
    """Every step can run again after a kill: each moves a finished part into place."""
    for folder in ("evidence", "backups"):
        new, live, old = work / folder, data_dir / folder, work / f"old-{folder}"
        # Two renames: the live folder aside, the new one in. A kill between them leaves no
        # live folder, and the next run does the second rename.
        if new.is_dir():
            if live.exists():
                os.replace(live, old)
            os.replace(new, live)
            fsync_dir(data_dir)
    new_db, db = work / DB_NAME, data_dir / DB_NAME
    if new_db.exists():
        for suffix in ("-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        os.replace(new_db, db)
        fsync_dir(data_dir)
    new_key = work / crypto.KEY_FILE
    if new_key.exists():
        os.replace(new_key, crypto.key_file(data_dir))
        fsync_dir(data_dir)
    if to_clear:
        crypto.key_file(data_dir).unlink(missing_ok=True)
        fsync_dir(data_dir)


def _close_journal(data_dir: Path, work: Path) -> None:
    # The journal goes first: a kill while the old parts are removed leaves a folder the next
    # start removes, not a journal pointing at half of it.
    (data_dir / JOURNAL).unlink(missing_ok=True)
    fsync_dir(data_dir)
    _remove_tree(work)


def finish_interrupted_conversion(data_dir: Path) -> str | None:
    """Finish a conversion that was cut short after its journal, or remove the working folder
    of one cut short before it. Called while opening a store, before anything reads the
    database. Returns a message for the user, or None."""
    (data_dir / (JOURNAL + ".part")).unlink(missing_ok=True)
    path = data_dir / JOURNAL
    if not path.exists():
        if data_dir.is_dir():
            for leftover in data_dir.iterdir():
                if _WORK.match(leftover.name) and leftover.is_dir():
                    _remove_tree(leftover)
        return None
    try:
        journal = json.loads(path.read_text("utf-8"))
        ok = (isinstance(journal, dict) and isinstance(journal.get("work"), str)
              and _WORK.match(journal["work"]) is not None and journal.get("to") in (PROTECTED, CLEAR))
    except (OSError, UnicodeDecodeError, ValueError):
        ok = False
    if not ok:
        raise StoreError(_("{path} is damaged; Docket cannot tell whether the data was being protected or unprotected. Keep the folder as it is and restore from an archive.").format(path=path))
    work = data_dir / journal["work"]
    try:
        _swap(data_dir, work, to_clear=journal["to"] == CLEAR)
    except OSError as exc:
        raise StoreError(_("A change of protection was interrupted and cannot be finished ({reason}).").format(reason=exc.strerror or exc)) from None
    _close_journal(data_dir, work)
    if journal["to"] == PROTECTED:
        return "Protecting the data with a passphrase was interrupted; it has now been finished."
    return "Removing the passphrase was interrupted; it has now been finished."


# -- files ------------------------------------------------------------------------------


def _sync_tree(root: Path) -> None:
    """Every directory of ``root`` synced (files were synced as they were written)."""
    if os.name != "posix":
        return
    for folder, _dirs, files in os.walk(root):
        for name in files:
            if name.endswith((".json", ".sqlite3")) or name == crypto.KEY_FILE:
                fsync_file(Path(folder) / name)
        fsync_dir(Path(folder))


def _remove_tree(path: Path) -> None:
    def writable(func: Callable[..., Any], target: str, _exc: object) -> None:
        with contextlib.suppress(OSError):
            os.chmod(target, stat.S_IWRITE | stat.S_IREAD | stat.S_IEXEC)
            func(target)

    if path.exists():
        shutil.rmtree(path, onerror=writable)

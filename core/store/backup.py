"""Backups: automatic copies of the database, and whole archives to keep elsewhere.

Automatic backups are copies of the database made with SQLite's online backup API into
``backups/`` in the data directory. :func:`auto_backup` makes one only when something changed
since the last one (the window calls it every 30 minutes and at exit); :func:`backup_before`
always makes one (before a schema upgrade, a restore, an import). Each copy is checked with
``PRAGMA quick_check`` before it counts, and old copies are thinned to the newest of each of
the last 7 days, 8 weeks and 12 months.

A whole archive (:func:`backup_archive`) is a zip of the database, every evidence file, the
letter templates and a readable copy of the settings, with a manifest of SHA-256 hashes.
:func:`restore_archive` checks the whole archive before it changes anything (names, sizes,
hashes, the database's integrity and schema, the evidence it needs), keeps the current data as
a backup, then swaps the database in. A damaged or foreign archive is refused and the data
directory stays exactly as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sqlite3
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, cast

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core import __version__
from core.domain.errors import DocketError, StoreError
from core.i18n import _, ngettext
from core.store import connect, crypto, quick, zipwriter
from core.store.files import EvidenceStore
from core.store.migrations import alembic_config
from core.store.paths import (
    DB_NAME,
    automatic_backups,
    backup_fingerprint,
    fsync_dir,
    make_private_dir,
    make_private_file,
)
from core.store.zipwriter import StreamingZipWriter

ARCHIVE_FORMAT = "docket-archive"
ARCHIVE_VERSION = 1
MANIFEST = "manifest.json"
SETTINGS = "settings.json"
# Caps on what an archive may hold, checked before anything is unpacked; the unpacked size is
# also counted while unpacking, so a zip whose headers lie cannot fill the disk.
MAX_ENTRIES = 2_000_000
MAX_UNPACKED = 64 * 1024**3
MAX_MANIFEST = 256 * 1024**2
MAX_SETTINGS = 16 * 1024**2
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 7, 8, 12

_EVIDENCE_ENTRY = re.compile(r"^evidence/([0-9a-f]{2})/([0-9a-f]{64})$")
_TEMPLATE_ENTRY = re.compile(r"^templates/(?:[A-Za-z0-9_][A-Za-z0-9._-]{0,120}/){0,4}[A-Za-z0-9_][A-Za-z0-9._-]{0,120}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1024 * 1024

# progress(done, total) -> False to cancel
Progress = Callable[[int, int], bool | None]


class Store(Protocol):
    """What backups use of an open :class:`core.store.store.Store`.

    A protocol rather than an import: the store backs itself up before an upgrade, so it
    imports this module, and this module must not import it back.
    """

    data_dir: Path
    db_path: Path
    key: bytes | None  # the data key of a protected store: backups and archives are sealed
    backups_dir: Path
    templates_dir: Path
    evidence: EvidenceStore
    writer: Engine
    reader: Engine

    @property
    def _write_lock(self) -> AbstractContextManager[Any]: ...

    def read(self) -> AbstractContextManager[Session]: ...

    def paused(self, timeout: float = 30.0) -> AbstractContextManager[None]: ...

    def reconnect(self) -> None: ...

    def adopt_database(self) -> None: ...


class ArchiveError(DocketError):
    """An archive is damaged, incomplete, too large or not a Docket archive; nothing changed."""


# -- automatic backups ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Backup:
    """One automatic backup in ``backups/``."""

    path: Path
    made_at: datetime  # UTC
    reason: str
    fingerprint: str


def clean_leftovers(store: Store) -> list[Path]:
    """Remove what a backup, an archive or a restore cut short (crash, kill) left behind:
    ``backups/.*.part`` copies and ``.archive-*`` / ``.restore-*`` working folders. Only
    called while opening the store, when no such operation can be running. Returns them."""
    found = [p for p in store.data_dir.glob(".archive-*") if p.is_dir()]
    found += _archive_part_left(store)
    found += [p for p in store.data_dir.glob(".restore-*") if p.is_dir()]
    if store.backups_dir.is_dir():
        found += [p for p in store.backups_dir.glob(".docket-*.part") if p.is_file()]
    for path in found:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return found


# Names the half-written archive (``OUT.zip.part``, beside the archive the user chose) while
# 'docket backup' writes it, so that the next start removes it if the writer was killed.
ARCHIVE_PART_NOTE = "archive-writing.json"


def _note_archive_part(store: Store, part: Path) -> None:
    (store.data_dir / ARCHIVE_PART_NOTE).write_text(json.dumps({"part": str(part.absolute())}), "utf-8")


def _archive_part_left(store: Store) -> list[Path]:
    note = store.data_dir / ARCHIVE_PART_NOTE
    found: list[Path] = []
    with contextlib.suppress(OSError, ValueError, AttributeError, TypeError):
        part = Path(json.loads(note.read_text("utf-8")).get("part", ""))
        if part.name.endswith(".zip.part") and part.is_file():
            found.append(part)
    note.unlink(missing_ok=True)
    return found


def _label(reason: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", reason).strip("-")[:80] or "backup"


def list_backups(store: Store) -> list[Backup]:
    """The automatic backups, oldest first."""
    return [Backup(path, made, reason, backup_fingerprint(path))
            for made, reason, path in automatic_backups(store.backups_dir)]


def fingerprint(store: Store) -> str:
    """What the data looks like now, in 64 hex digits: equal fingerprints mean nothing changed
    (:func:`core.store.quick.fingerprint_on`, read through one of the store's connections)."""
    with store.read() as session:
        raw = session.connection().connection.driver_connection
        assert raw is not None
        return quick.fingerprint_on(lambda sql, params: raw.execute(sql, params).fetchall())


def _copy_database(store: Store, dest: Path) -> None:
    """Copy the live database to ``dest`` with the online backup API, as one plain file."""
    # The copy is read through the store's one writing connection, under the write lock:
    # a second connection that closes last could checkpoint the WAL at the same moment as the
    # writer, which older SQLite builds get wrong.
    with store._write_lock, store.writer.connect() as conn:
        source = cast(sqlite3.Connection, conn.connection.driver_connection)
        # A protected store's copy is keyed with the same data key (SQLCipher copies pages
        # between two databases of one key): it is never clear on disk.
        out = connect.connect(dest, key=store.key)
        try:
            source.backup(out)
            out.execute("PRAGMA journal_mode = DELETE")
        finally:
            out.close()
    make_private_file(dest)


def _check_of(db_file: Path, pragma: str, key: bytes | None) -> str:
    """``ok``, or what SQLite's ``pragma`` (integrity_check or quick_check) says is wrong."""
    try:
        conn = connect.connect(db_file, key=key, readonly=True)
    except connect.DB_ERRORS as exc:
        return str(exc)
    try:
        lines = [r[0] for r in conn.execute(f"PRAGMA {pragma}")]
        return "ok" if lines == ["ok"] else "; ".join(lines[:5])
    except connect.DB_ERRORS as exc:
        return str(exc)
    finally:
        conn.close()


def integrity_of(db_file: Path, key: bytes | None = None) -> str:
    """``ok``, or what SQLite's integrity_check says is wrong with a database file (opened
    with ``key`` when it belongs to a protected store)."""
    return _check_of(db_file, "integrity_check", key)


def quick_check_of(db_file: Path, key: bytes | None = None) -> str:
    """``ok``, or what SQLite's quick_check says is wrong with a database file.

    The copies a backup makes are checked this way: it reads every page and the structure of
    every table and index (what a damaged disk or an interrupted copy breaks) in a tenth of
    the time of integrity_check, which also cross-checks each index against its table and is
    left to 'docket verify'."""
    return _check_of(db_file, "quick_check", key)


def backup_before(store: Store, reason: str) -> Path:
    """Make sure a checked backup of the data as it is now exists, before an upgrade, a
    restore or an import; return its path.

    When nothing changed since the newest backup, that backup is the one (an import that was
    refused changed nothing, so the next one makes no second copy). Otherwise adds a backup file and its note to
    ``backups/`` and thins old ones. Raises :class:`StoreError` if the copy fails its
    integrity check (the bad copy is removed).
    """
    current = fingerprint(store)
    backups = list_backups(store)
    if backups and backups[-1].fingerprint == current:
        return backups[-1].path
    path = _make_backup(store, reason, current)
    thin_backups(store)
    return path


def has_data(store: Store) -> bool:
    """True when the store holds a case, a company or an evidence record."""
    with store.read() as session:
        conn = session.connection()
        return any(conn.exec_driver_sql(f"SELECT 1 FROM {t} LIMIT 1").first()
                   for t in ("cases", "companies", "evidence"))


def auto_backup(store: Store, *, reason: str = "auto") -> Path | None:
    """Back the database up if anything changed since the newest backup; return its path.

    Returns None when nothing changed. The window calls this every 30 minutes and at exit.
    """
    current = fingerprint(store)
    backups = list_backups(store)
    if backups and backups[-1].fingerprint == current:
        return None
    path = _make_backup(store, reason, current)
    thin_backups(store)
    return path


def _make_backup(store: Store, reason: str, print_: str, *, when: datetime | None = None) -> Path:
    make_private_dir(store.backups_dir)
    when = when or datetime.now(UTC)
    stem = f"docket-{when:%Y%m%dT%H%M%S%f}Z-{_label(reason)}"
    dest = store.backups_dir / f"{stem}.sqlite3"
    tmp = store.backups_dir / f".{stem}.part"
    try:
        _copy_database(store, tmp)
        verdict = quick_check_of(tmp, store.key)
        if verdict != "ok":
            raise StoreError(_("The backup copy failed its integrity check ({verdict}); the database may be damaged. Run 'docket verify'.").format(verdict=verdict))
        note = {"reason": reason, "made_at": when.isoformat(), "fingerprint": print_, "integrity_check": "ok",
                "check": "quick_check",
                "size": tmp.stat().st_size, "docket_version": __version__, "sqlite_version": sqlite3.sqlite_version}
        note_path = dest.with_suffix(".json")
        note_path.write_text(json.dumps(note, indent=2), "utf-8")
        make_private_file(note_path)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def backups_to_keep(made: list[datetime]) -> set[datetime]:
    """Which backup times survive thinning: the newest of each of the last 7 days with a
    backup, 8 ISO weeks and 12 months, and always the newest one."""
    keep: set[datetime] = set()
    if not made:
        return keep
    ordered = sorted(made, reverse=True)
    keep.add(ordered[0])
    for limit, bucket in ((KEEP_DAILY, lambda t: t.date()),
                          (KEEP_WEEKLY, lambda t: t.isocalendar()[:2]),
                          (KEEP_MONTHLY, lambda t: (t.year, t.month))):
        seen: list[Any] = []
        for t in ordered:
            b = bucket(t)
            if b not in seen:
                if len(seen) == limit:
                    break
                seen.append(b)
                keep.add(t)
    return keep


def thin_backups(store: Store, *, now: datetime | None = None) -> list[Path]:
    """Delete automatic backups that thinning does not keep. Returns the removed paths.

    Besides the newest of each of the last 7 days, 8 weeks and 12 months, every backup of the
    last 24 hours is kept, and those made before an upgrade, a restore or an import are kept
    for 30 days: they are the way back from a change that went wrong.
    """
    now = now or datetime.now(UTC)
    backups = list_backups(store)
    keep = backups_to_keep([b.made_at for b in backups])
    for b in backups:
        age = now - b.made_at
        if age < timedelta(hours=24) or (b.reason.startswith("before-") and age < timedelta(days=30)):
            keep.add(b.made_at)
    removed = []
    for b in backups:
        if b.made_at not in keep:
            b.path.unlink(missing_ok=True)
            b.path.with_suffix(".json").unlink(missing_ok=True)
            removed.append(b.path)
    return removed


# -- whole archives ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ArchiveSummary:
    path: Path
    files: int
    evidence_files: int
    bytes: int
    schema_revision: str | None
    missing_evidence: tuple[str, ...] = ()  # recorded but already missing from the store



def _template_files(store: Store) -> Iterator[tuple[str, Path]]:
    root = store.templates_dir
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file():
            name = "templates/" + path.relative_to(root).as_posix()
            if _TEMPLATE_ENTRY.match(name):
                yield name, path


def backup_archive(store: Store, out_zip: Path | str, *, progress: Progress | None = None) -> ArchiveSummary:
    """Write the whole store (database, evidence files, templates, settings) to ``out_zip``.

    The database is copied with the online backup API and checked first; the zip is written
    under a temporary name and renamed when complete. Nothing in the store changes.

    Memory stays flat in the store's size: the evidence folder is listed once, as the files are
    written, the manifest's list of files goes through a temporary file, and so does the zip's
    central directory (:class:`core.store.zipwriter.StreamingZipWriter`): nothing is kept per
    file.
    """
    from core.journal import settings

    out = Path(out_zip)
    if out.suffix.lower() != ".zip":
        raise DocketError(_("{out}: an archive's name should end in .zip").format(out=out))
    if not out.parent.is_dir():
        raise DocketError(_("{parent}: no such folder").format(parent=out.parent))
    with tempfile.TemporaryDirectory(dir=store.data_dir, prefix=".archive-") as tmp_dir:
        db_copy = Path(tmp_dir) / DB_NAME
        _copy_database(store, db_copy)
        verdict = quick_check_of(db_copy, store.key)
        if verdict != "ok":
            raise StoreError(_("The database failed its integrity check ({verdict}); run 'docket verify'.").format(verdict=verdict))
        settings_bytes = json.dumps(settings.get_all(store), indent=2, ensure_ascii=False, default=str).encode()
        if store.key is not None:
            # Settings hold the user's name and address: sealed like everything else.
            settings_bytes = crypto.seal_bytes(settings_bytes, store.key)
        templates = list(_template_files(store))
        with contextlib.closing(connect.connect(db_copy, key=store.key, readonly=True)) as conn:
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            schema_revision: str | None = revision[0] if revision else None
            evidence_bytes = conn.execute(
                "SELECT coalesce(sum(size), 0) FROM (SELECT max(size) AS size FROM evidence GROUP BY sha256)").fetchone()[0]
        # The progress total counts the evidence the database names (its recorded sizes), so that
        # the folder need not be listed twice; ``done`` is capped by it.
        total = db_copy.stat().st_size + len(settings_bytes) + int(evidence_bytes) + sum(p.stat().st_size for _, p in templates)
        listing = Path(tmp_dir) / "files.jsonl"
        part = out.with_name(out.name + ".part")
        files = evidence_files = done = 0
        missing: list[str] = []
        _note_archive_part(store, part)  # removed at the next start if this process is killed
        try:
            with StreamingZipWriter(part, directory=tmp_dir) as zf, open(listing, "w", encoding="utf-8") as listed, \
                    contextlib.closing(connect.connect(db_copy, key=store.key, readonly=True)) as conn:

                def add(name: str, src: Path | bytes) -> None:
                    nonlocal files, done
                    # Evidence is mostly photos and PDFs, already compressed. The database is
                    # compressed at zlib's fastest level: a quarter of level 6's time for an
                    # archive about a fifth larger.
                    method = zipwriter.STORED if name.startswith("evidence/") else zipwriter.DEFLATED
                    if isinstance(src, bytes):
                        zf.write_bytes(name, src, method=method, level=_LEVEL)
                        sha, size = hashlib.sha256(src).hexdigest(), len(src)
                    else:
                        sha, size = _write_file_entry(zf, name, src, method)
                    listed.write(("," if files else "") + "\n  " + json.dumps({"path": name, "sha256": sha, "size": size}))
                    files += 1
                    done += size
                    if progress is not None and progress(min(done, total), total) is False:
                        raise DocketError(_("Cancelled; no archive was written."))

                add(DB_NAME, db_copy)
                add(SETTINGS, settings_bytes)
                # A damaged store is still backed up: what is already lost is named in the
                # manifest, so that the archive restores and 'docket verify' then lists it. Both
                # the folder's listing and the database's hashes come sorted: one merge finds it.
                needed = (row[0] for row in conn.execute("SELECT DISTINCT sha256 FROM evidence ORDER BY sha256"))
                wanted = next(needed, None)
                for sha in store.evidence.all_hashes():
                    while wanted is not None and wanted < sha:
                        missing.append(wanted)
                        wanted = next(needed, None)
                    if wanted == sha:
                        wanted = next(needed, None)
                    add(f"evidence/{sha[:2]}/{sha}", store.evidence.path_for(sha))
                    evidence_files += 1
                while wanted is not None:
                    missing.append(wanted)
                    wanted = next(needed, None)
                for name, path in templates:
                    add(name, path)
                listed.close()
                head = {
                    "format": ARCHIVE_FORMAT, "version": ARCHIVE_VERSION,
                    "created": datetime.now(UTC).isoformat(), "docket_version": __version__,
                    "sqlite_version": sqlite3.sqlite_version,
                    "schema_revision": schema_revision,
                    "missing_evidence": missing,
                }
                if store.key is not None:
                    # Which key sealed the database, the evidence and the settings (a name
                    # that reveals nothing of the key), so a restore can tell before it reads.
                    head["protected"] = {"key_id": crypto.key_id(store.key)}
                with zf.open_member(MANIFEST, method=zipwriter.DEFLATED, level=_LEVEL) as manifest, \
                        open(listing, "rb") as entries:
                    # The same JSON as json.dumps(..., indent=1) of the whole manifest would give.
                    manifest.write(json.dumps(head, indent=1)[:-2].encode() + b',\n "files": [')
                    shutil.copyfileobj(entries, manifest, _CHUNK)
                    manifest.write(b"\n ]\n}")
            os.replace(part, out)
        except OSError as exc:
            raise DocketError(_("Cannot write {out}: {reason}").format(out=out, reason=exc.strerror or exc)) from None
        finally:
            part.unlink(missing_ok=True)
            (store.data_dir / ARCHIVE_PART_NOTE).unlink(missing_ok=True)
    return ArchiveSummary(out, files, evidence_files, out.stat().st_size, schema_revision, tuple(missing))


_LEVEL = 1  # zlib's fastest level, for the database, the settings and the manifest


def _write_file_entry(zf: StreamingZipWriter, name: str, src: Path, method: int) -> tuple[str, int]:
    """Add one file to the archive; its SHA-256 (hex) and size, computed as it is copied."""
    digest = hashlib.sha256()
    size = zf.write_file(name, src, method=method, level=_LEVEL, sink=digest.update)
    return digest.hexdigest(), size


# -- checking an archive ----------------------------------------------------------------------
@dataclass
class CheckedArchive:
    """An archive whose every entry was checked and unpacked into ``staging``."""

    staging: Path
    manifest: dict[str, Any]
    evidence: list[str]
    templates: list[str]
    schema_revision: str


def _refuse(source: Path, message: str) -> ArchiveError:
    return ArchiveError(_("{name}: {message}. Nothing was changed.").format(name=source.name, message=message))


def _check_manifest(source: Path, raw: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _refuse(source, _("manifest.json is not valid JSON ({exc})").format(exc=exc)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
        raise _refuse(source, _("not a Docket archive (manifest.json has no \"format\": \"docket-archive\")"))
    version = manifest.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise _refuse(source, _("manifest.json: version should be a whole number, got {version!r}").format(version=version))
    if version > ARCHIVE_VERSION:
        raise _refuse(source, _("made by a newer Docket (archive version {version}); update Docket to restore it").format(version=version))
    if version < 1:
        raise _refuse(source, _("manifest.json: unknown archive version {version}").format(version=version))
    files = manifest.get("files")
    if not isinstance(files, list):
        raise _refuse(source, _("manifest.json: files should be a list"))
    seen: set[str] = set()
    for i, item in enumerate(files):
        where = f"manifest.json: files[{i}]"
        if not isinstance(item, dict):
            raise _refuse(source, _("{where} should be an object").format(where=where))
        path, sha, size = item.get("path"), item.get("sha256"), item.get("size")
        if not isinstance(path, str) or not _entry_allowed(path) or path == MANIFEST:
            raise _refuse(source, _("{where}.path is not a file a Docket archive holds: {path!r}").format(where=where, path=str(path)[:200]))
        if path in seen:
            raise _refuse(source, _("{where}.path lists {path!r} twice").format(where=where, path=path))
        seen.add(path)
        if not isinstance(sha, str) or not _HEX64.match(sha):
            raise _refuse(source, _("{where}.sha256 is not a SHA-256 hex digest").format(where=where))
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise _refuse(source, _("{where}.size should be a whole number of bytes").format(where=where))
    if DB_NAME not in seen:
        raise _refuse(source, _("manifest.json does not list {name}").format(name=DB_NAME))
    missing = manifest.get("missing_evidence", [])
    if not isinstance(missing, list) or not all(isinstance(m, str) and _HEX64.match(m) for m in missing):
        raise _refuse(source, _("manifest.json: missing_evidence should be a list of SHA-256 hex digests"))
    return manifest


def _entry_allowed(name: str) -> bool:
    """Only the names Docket writes: anything else (``../x``, ``/etc``, ``C:``...) is refused."""
    if name in (DB_NAME, SETTINGS, MANIFEST):
        return True
    m = _EVIDENCE_ENTRY.match(name)
    if m:
        return m.group(1) == m.group(2)[:2]
    return bool(_TEMPLATE_ENTRY.match(name)) and ".." not in name.split("/")


def check_archive(source: Path | str, staging: Path, *, progress: Progress | None = None,
                  key: bytes | None = None) -> CheckedArchive:
    """Check every entry of an archive and unpack it into ``staging`` (an empty folder).

    ``key`` is the data key of the protected store it is restored into: an archive of a
    protected store restores only with the key that sealed it, and a clear archive only into
    a clear store.

    ``progress(done, total)`` in bytes may return False to cancel (nothing changes).

    Raises :class:`ArchiveError` naming what is wrong; ``staging`` may then hold partial
    files, which the caller removes.
    """
    from alembic.script import ScriptDirectory

    source = Path(source)
    try:
        zf = zipfile.ZipFile(source)
    except FileNotFoundError:
        raise ArchiveError(_("{source}: no such file").format(source=source)) from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _refuse(source, _("not a readable zip archive ({exc})").format(exc=exc)) from None
    try:
        with zf:
            infos = zf.infolist()
            if len(infos) > MAX_ENTRIES:
                raise _refuse(source, _("holds {n:,} entries; the limit is {limit:,}").format(n=len(infos), limit=MAX_ENTRIES))
            names: set[str] = set()
            for info in infos:
                if info.filename in names:
                    raise _refuse(source, _("holds {filename!r} twice").format(filename=info.filename[:200]))
                names.add(info.filename)
                if info.is_dir() or not _entry_allowed(info.filename):
                    raise _refuse(source, _("holds {filename!r}, which is not a file a Docket archive holds").format(filename=info.filename[:200]))
            if MANIFEST not in names:
                raise _refuse(source, _("not a Docket archive (no manifest.json)"))
            declared = sum(i.file_size for i in infos)
            room = _free_space(staging)
            cap = min(MAX_UNPACKED, room)
            if declared > cap:
                raise _refuse(source, _("would unpack to {declared:,} bytes; the limit here is {cap:,}").format(declared=declared, cap=cap))
            manifest_info = zf.getinfo(MANIFEST)
            if manifest_info.file_size > MAX_MANIFEST:
                raise _refuse(source, _("manifest.json is too large"))
            manifest = _check_manifest(source, _read_capped(zf, manifest_info, MAX_MANIFEST, source))
            _check_protection(source, manifest, key)
            sealed = key is not None
            listed = {f["path"]: f for f in manifest["files"]}
            unlisted = names - set(listed) - {MANIFEST}
            if unlisted:
                raise _refuse(source, _("holds {name!r}, which the manifest does not list").format(name=sorted(unlisted)[0][:200]))
            absent = set(listed) - names
            if absent:
                raise _refuse(source, _("the manifest lists {name!r}, which is not in the archive").format(name=sorted(absent)[0]))
            unpacked = 0
            for info in infos:
                if info.filename == MANIFEST:
                    continue
                entry = listed[info.filename]
                if info.filename == SETTINGS and entry["size"] > MAX_SETTINGS:
                    raise _refuse(source, _("settings.json is too large"))
                target = staging / info.filename
                make_private_dir(target.parent)
                sha, size = _unpack(zf, info, target, entry["size"], source)
                unpacked += size
                if unpacked > cap:
                    raise _refuse(source, _("unpacks to more than {cap:,} bytes").format(cap=cap))
                if progress is not None and progress(unpacked, declared) is False:
                    raise ArchiveError(_("Restore cancelled. Nothing was changed."))
                if size != entry["size"] or sha != entry["sha256"]:
                    raise _refuse(source, _("{filename} does not match its manifest entry (damaged or altered)").format(filename=info.filename))
                m = _EVIDENCE_ENTRY.match(info.filename)
                if m and sealed and key is not None:
                    # A sealed file is named after its clear content: it must open and hash so.
                    try:
                        opened_sha, _size = EvidenceStore.hash_sealed(target, key)
                    except crypto.DamagedFile:
                        raise _refuse(source, _("{filename} does not open with this store's key").format(
                            filename=info.filename)) from None
                    if opened_sha != m.group(2):
                        raise _refuse(source, _("{filename} does not hash to its name").format(filename=info.filename))
                elif m and sha != m.group(2):
                    raise _refuse(source, _("{filename} does not hash to its name").format(filename=info.filename))
    except zipfile.BadZipFile as exc:
        raise _refuse(source, _("damaged zip archive ({exc})").format(exc=exc)) from None
    except (zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise _refuse(source, _("damaged or unsupported zip archive ({exc})").format(exc=exc)) from None
    except OSError as exc:
        raise ArchiveError(_("{name}: cannot unpack ({reason}). Nothing was changed.").format(name=source.name, reason=exc.strerror or exc)) from None

    db_file = staging / DB_NAME
    verdict = integrity_of(db_file, key)
    if verdict != "ok":
        raise _refuse(source, _("its database is damaged ({verdict})").format(verdict=verdict))
    try:
        with contextlib.closing(connect.connect(db_file, key=key, readonly=True)) as conn:
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            conn.execute("SELECT sha256 FROM evidence LIMIT 1").fetchall()
    except connect.DB_ERRORS:
        raise _refuse(source, _("its database is not a Docket database")) from None
    if not revision:
        raise _refuse(source, _("its database is not a Docket database (no schema revision)"))
    cfg, ctx = alembic_config()
    try:
        known = {s.revision for s in ScriptDirectory.from_config(cfg).walk_revisions()}
    finally:
        ctx.__exit__(None, None, None)
    if revision[0] not in known:
        raise _refuse(source, _("its database was made by a newer Docket (schema {revision!r}); update Docket to restore it").format(revision=revision[0]))
    evidence = sorted(m.group(2) for n in listed if (m := _EVIDENCE_ENTRY.match(n)))
    templates = sorted(n for n in listed if n.startswith("templates/"))
    return CheckedArchive(staging, manifest, evidence, templates, revision[0])




def _check_protection(source: Path, manifest: dict[str, Any], key: bytes | None) -> None:
    """An archive restores into a store protected with the same key, or a clear archive into
    a clear store; anything else is refused before a byte is unpacked."""
    protected = manifest.get("protected")
    if protected is None:
        if key is not None:
            raise _refuse(source, "it was made while this data was not protected with a passphrase; remove the "
                                  "protection (docket decrypt), restore it, then protect the data again")
        return
    if not isinstance(protected, dict) or not isinstance(protected.get("key_id"), str):
        raise _refuse(source, "manifest.json: protected should name the key that sealed the archive")
    if key is None:
        raise _refuse(source, "it is protected with a passphrase and this data is not; restore it into the "
                              "protected data folder it came from")
    if protected["key_id"] != crypto.key_id(key):
        raise _refuse(source, "it was sealed with another store's key (another data folder, or one protected "
                              "again since); it cannot be opened here")


def _free_space(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return MAX_UNPACKED


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, source: Path) -> bytes:
    with zf.open(info) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise _refuse(source, _("{filename} is too large").format(filename=info.filename))
    return data


def _unpack(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, expected: int, source: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    # The manifest's size, not the zip header's, bounds what is read: a lying header stops here.
    with zf.open(info) as src, open(target, "xb") as dst:
        while chunk := src.read(_CHUNK):
            size += len(chunk)
            if size > expected:
                raise _refuse(source, _("{filename} is larger than its manifest entry says").format(filename=info.filename))
            digest.update(chunk)
            dst.write(chunk)
    return digest.hexdigest(), size


# -- restoring --------------------------------------------------------------------------------
# A restore writes this journal (fsynced) before it touches the data folder, and removes it when
# the swap is complete. A restore cut short (kill, power loss) is finished at the next start from
# the journal, before the store is opened: every step of the swap can be run again.
RESTORE_JOURNAL = "restore-journal.json"
# An archive bigger than this is not read at all (a device such as /dev/zero never ends).
MAX_ARCHIVE = MAX_UNPACKED


@dataclass(frozen=True, slots=True)
class RestoreResult:
    previous_backup: Path  # the data as it was before the restore
    evidence_added: int
    schema_revision: str | None


def restore_archive(store: Store, source: Path | str, *,
                    progress: Progress | None = None) -> RestoreResult:
    """Replace the store's data with an archive made by :func:`backup_archive`.

    ``store`` is the open store (the window's or the command line's). Everything is checked on a scratch copy first: the archive's
    entries and hashes, its database's schema (exactly the one Docket's migrations make at its
    revision), the upgrade to today's schema, ``integrity_check`` and ``foreign_key_check``,
    and the evidence the database needs (files nothing refers to are not copied). Only then is
    the current database backed up into ``backups/``, the evidence files added (none is
    removed: the kept backup may need them), templates swapped (the current ones are kept
    beside the backup) and the database replaced, under a journal that finishes the swap at the
    next start if it is cut short. A damaged, foreign or unknown archive raises
    :class:`ArchiveError` and the data directory is left exactly as it was.
    ``progress(done, total)`` reports the checking, which is most of the time; returning
    False cancels before anything changed.
    """
    source = Path(source)
    _check_source_file(source)
    staging = Path(tempfile.mkdtemp(dir=store.data_dir, prefix=".restore-"))
    journal: dict[str, Any] | None = None
    try:
        if _is_database_file(source) or (store.key is not None and not zipfile.is_zipfile(source)):
            checked = _stage_database_file(source, staging, store.key)
        else:
            checked = check_archive(source, staging, progress=progress, key=store.key)
        needed = _needed_evidence(staging / DB_NAME, source, store.key)
        known_lost = set(checked.manifest.get("missing_evidence", []))
        missing = sorted(needed - set(checked.evidence) - set(store.evidence.all_hashes()) - known_lost)
        if missing:
            raise _refuse(source, _("incomplete: evidence file {missing} is not in it").format(missing=missing[0]))
        # Files in the archive that its database does not refer to are not copied in.
        wanted = [sha for sha in checked.evidence if sha in needed]
        prepare_database(staging / DB_NAME, checked.schema_revision, source, store.key)
        if checked.manifest:  # an archive brings its templates; an automatic backup has none
            (staging / "templates").mkdir(exist_ok=True)
        # Every read and write waits while the file is swapped: a connection left open on the
        # old file could otherwise remove the new file's WAL when it closes.
        with store.paused():
            previous = backup_before(store, "before-restore")
            _release_database(store)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            journal = {"staging": staging.name, "source": str(source), "previous_backup": str(previous),
                       "evidence": wanted,
                       "templates_aside": str(previous.with_name(f"templates-before-restore-{stamp}"))}
            _write_journal(store.data_dir, journal)
            try:
                added = _finish_swap(store.data_dir, journal)
            except OSError as exc:
                raise StoreError(_("The restore could not be finished ({reason}); Docket finishes it the next time it starts.").format(reason=exc.strerror or exc)) from None
            finally:
                store.reconnect()  # whatever happened, the store is usable again
    finally:
        if journal is None:
            shutil.rmtree(staging, ignore_errors=True)
    after_restore(store)
    close_restore_journal(store.data_dir)
    return RestoreResult(previous, added, checked.schema_revision)


def after_restore(store: Store) -> None:
    """What follows a restore's swap (also when it is finished at the next start)."""
    # The restored data's first backup: the history starts again from here (core.verify
    # compares today's chain only with backups made from this point on).
    _make_backup(store, "after-restore", fingerprint(store))
    # The restored database is now this folder's: its identity is the one to expect.
    store.adopt_database()


def _check_source_file(source: Path) -> None:
    """Refuse, before reading a byte, what cannot be an archive: a device, a pipe, a folder,
    or a file larger than any archive Docket would restore."""
    try:
        info = source.stat()
    except FileNotFoundError:
        raise ArchiveError(_("{source}: no such file").format(source=source)) from None
    except OSError as exc:
        raise ArchiveError(_("{source}: cannot read it ({reason}). Nothing was changed.").format(source=source, reason=exc.strerror or exc)) from None
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(source, _("not a regular file"))
    if info.st_size > MAX_ARCHIVE:
        raise _refuse(source, _("{size:,} bytes; the largest archive Docket restores is {limit:,} bytes").format(size=info.st_size, limit=MAX_ARCHIVE))


def _is_database_file(source: Path) -> bool:
    with open(source, "rb") as fh:
        return fh.read(16) == b"SQLite format 3\x00"


def _stage_database_file(source: Path, staging: Path, key: bytes | None = None) -> CheckedArchive:
    """An automatic backup (a bare database file) copied into the scratch folder, ready for the
    same checks as an archive's database; the evidence it needs must be in the store."""
    from alembic.script import ScriptDirectory

    db_file = staging / DB_NAME
    try:
        shutil.copyfile(source, db_file)
    except OSError as exc:
        raise ArchiveError(_("{name}: cannot copy it ({reason}). Nothing was changed.").format(name=source.name, reason=exc.strerror or exc)) from None
    verdict = integrity_of(db_file, key)
    if verdict != "ok":
        if key is not None and "not a database" in verdict:
            raise _refuse(source, _("not a database of this protected store (it does not open with its key)"))
        raise _refuse(source, _("the database is damaged ({verdict})").format(verdict=verdict))
    try:
        with contextlib.closing(connect.connect(db_file, key=key, readonly=True)) as conn:
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except connect.DB_ERRORS:
        raise _refuse(source, _("not a Docket database")) from None
    cfg, ctx = alembic_config()
    try:
        known = {s.revision for s in ScriptDirectory.from_config(cfg).walk_revisions()}
    finally:
        ctx.__exit__(None, None, None)
    if not revision or revision[0] not in known:
        raise _refuse(source, _("not a Docket database Docket knows (schema revision)"))
    return CheckedArchive(staging, {}, [], [], revision[0])


def _needed_evidence(db_file: Path, source: Path, key: bytes | None = None) -> set[str]:
    with contextlib.closing(connect.connect(db_file, key=key, readonly=True)) as conn:
        needed = {r[0] for r in conn.execute("SELECT DISTINCT sha256 FROM evidence")}
    bad = sorted(str(n)[:80] for n in needed if not isinstance(n, str) or not _HEX64.match(n))
    if bad:
        raise _refuse(source, _("its database names an evidence file {bad!r} that is not a SHA-256 digest").format(bad=bad[0]))
    return needed


# -- the schema an archive's database must have -----------------------------------------------
_REFERENCE_SCHEMAS: dict[str, dict[str, Any]] = {}


def schema_signature(conn: Any) -> dict[str, Any]:
    """Every table (columns, foreign keys), index, trigger and view of a database, in a form
    that compares equal for two databases made by the same migrations."""
    signature: dict[str, Any] = {}
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"
                        " WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name").fetchall()
    for kind, name, table, sql in rows:
        key = f"{kind} {name}"
        quoted = '"' + str(name).replace('"', '""') + '"'
        if kind == "table" and not str(sql or "").upper().startswith("CREATE VIRTUAL"):
            columns = [tuple(r[1:]) for r in conn.execute(f"PRAGMA table_xinfo({quoted})")]
            keys = sorted(tuple(r[2:]) for r in conn.execute(f"PRAGMA foreign_key_list({quoted})"))
            signature[key] = (columns, keys)
        elif kind == "index":
            columns = [tuple(r[1:]) for r in conn.execute(f"PRAGMA index_xinfo({quoted})")]
            signature[key] = (table, columns, " ".join(str(sql or "").split()))
        else:  # triggers, views and virtual tables are their SQL
            signature[key] = (table, " ".join(str(sql or "").split()))
    return signature


def reference_schema(revision: str) -> dict[str, Any]:
    """The schema Docket's migrations make at ``revision``, built once per run on a scratch
    database."""
    if revision not in _REFERENCE_SCHEMAS:
        with tempfile.TemporaryDirectory(prefix="docket-schema-") as scratch:
            db_file = Path(scratch) / DB_NAME
            _upgrade_file(db_file, revision)
            with contextlib.closing(sqlite3.connect(db_file)) as conn:
                _REFERENCE_SCHEMAS[revision] = schema_signature(conn)
    return _REFERENCE_SCHEMAS[revision]


def _upgrade_file(db_file: Path, revision: str, key: bytes | None = None) -> None:
    """Run the migrations on a database file that no store has open, up to ``revision``."""
    from alembic import command

    engine = connect.engine(db_file, key=key)
    cfg, ctx = alembic_config()
    try:
        with engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.isolation_level = None
            # As Store._migrate: table rebuilds must not cascade; references are checked after.
            raw.execute("PRAGMA foreign_keys = OFF")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            conn.commit()
    finally:
        ctx.__exit__(None, None, None)
        engine.dispose()


def _schema_difference(found: dict[str, Any], expected: dict[str, Any]) -> str | None:
    for key in sorted(expected):
        if key not in found:
            return f"it has no {key}"
    for key in sorted(found):
        if key not in expected:
            return f"it has an unknown {key}"
    for key in sorted(expected):
        if found[key] != expected[key]:
            return f"its {key} differs from Docket's"
    return None


def prepare_database(db_file: Path, revision: str, source: Path, key: bytes | None = None) -> None:
    """Make an archive's database (unpacked in a scratch folder) ready to be swapped in, or
    refuse it: its schema must be exactly what Docket's migrations make at its revision; it is
    then upgraded to today's schema, checked with ``integrity_check`` and
    ``foreign_key_check``, and put in WAL mode (so that opening it later changes nothing)."""
    try:
        with contextlib.closing(connect.connect(db_file, key=key, readonly=True)) as conn:
            found = schema_signature(conn)
            versions = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except connect.DB_ERRORS as exc:
        raise _refuse(source, _("its database cannot be read ({exc})").format(exc=exc)) from None
    if len(versions) != 1:
        raise _refuse(source, _("its database is not a Docket database (not one schema revision)"))
    difference = _schema_difference(found, reference_schema(revision))
    if difference:
        raise _refuse(source, _("its database is not one Docket made ({difference})").format(difference=difference))
    try:
        _upgrade_file(db_file, "head", key)
    except Exception as exc:  # any failure of the upgrade means the archive cannot be used
        first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise _refuse(source, _("its database cannot be brought up to date ({first})").format(first=first)) from None
    verdict = integrity_of(db_file, key)
    if verdict != "ok":
        raise _refuse(source, _("its database is damaged ({verdict})").format(verdict=verdict))
    try:
        with contextlib.closing(connect.connect(db_file, key=key, isolation_level=None)) as conn:
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                table, rowid, parent, _key = broken[0]
                raise _refuse(source, ngettext("its database has {n:,} broken reference, the first in {table} row {rowid} to {parent}", "its database has {n:,} broken references, the first in {table} row {rowid} to {parent}", len(broken)).format(n=len(broken), table=table, rowid=rowid, parent=parent))
            conn.execute("PRAGMA journal_mode = WAL")
    except connect.DB_ERRORS as exc:
        raise _refuse(source, _("its database cannot be read ({exc})").format(exc=exc)) from None
    make_private_file(db_file)


# -- the swap and its journal -----------------------------------------------------------------
def _write_journal(data_dir: Path, journal: dict[str, Any]) -> None:
    path = data_dir / RESTORE_JOURNAL
    tmp = data_dir / (RESTORE_JOURNAL + ".part")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(journal, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(data_dir)


def _release_database(store: Store) -> None:
    # Empty the WAL into the database and let go of every connection first: a WAL file left
    # beside the new database would be replayed into it.
    with store.writer.connect() as conn:
        # On the raw connection, outside any transaction, or SQLite refuses.
        cast(sqlite3.Connection, conn.connection.driver_connection).execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.writer.dispose()
    store.reader.dispose()


def _finish_swap(data_dir: Path, journal: dict[str, Any]) -> int:
    """Do (or finish) every step of a restore's swap; each step can run again after a kill.
    Returns how many evidence files were added."""
    staging = data_dir / journal["staging"]
    evidence_root = data_dir / "evidence"
    added = 0
    for sha in journal["evidence"]:
        final = evidence_root / sha[:2] / sha
        src = staging / "evidence" / sha[:2] / sha
        if final.exists() or not src.exists():
            continue
        make_private_dir(final.parent)
        os.chmod(src, 0o400)
        os.replace(src, final)
        added += 1
    new_templates, templates = staging / "templates", data_dir / "templates"
    if new_templates.is_dir():
        if templates.is_dir() and any(templates.iterdir()):
            aside = Path(journal["templates_aside"])
            make_private_dir(aside.parent)
            templates.rename(aside)
        else:
            shutil.rmtree(templates, ignore_errors=True)
        os.replace(new_templates, templates)
    new_db, db = staging / DB_NAME, data_dir / DB_NAME
    if new_db.exists():
        for suffix in ("-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        os.replace(new_db, db)  # atomic: the old database or the new one, never half
        fsync_dir(data_dir)
    return added


def close_restore_journal(data_dir: Path) -> None:
    """The restore is complete (swap, backup, identity): forget its journal and scratch folder."""
    path = data_dir / RESTORE_JOURNAL
    with contextlib.suppress(OSError, ValueError, AttributeError):
        staging = json.loads(path.read_text("utf-8")).get("staging", "")
        if re.fullmatch(r"\.restore-[A-Za-z0-9_]+", staging):
            shutil.rmtree(data_dir / staging, ignore_errors=True)
    path.unlink(missing_ok=True)
    fsync_dir(data_dir)


def finish_interrupted_restore(data_dir: Path) -> str | None:
    """Finish a restore's swap that was cut short, from its journal; called while opening a
    store, before anything reads the database. Returns a message saying what happened, or None.
    The opened store then runs :func:`after_restore` and :func:`close_restore_journal`."""
    path = data_dir / RESTORE_JOURNAL
    (data_dir / (RESTORE_JOURNAL + ".part")).unlink(missing_ok=True)  # the swap had not begun
    if not path.exists():
        return None
    try:
        journal = json.loads(path.read_text("utf-8"))
        ok = (isinstance(journal, dict) and isinstance(journal.get("staging"), str)
              and re.fullmatch(r"\.restore-[A-Za-z0-9_]+", journal["staging"]) is not None
              and isinstance(journal.get("evidence"), list)
              and all(isinstance(s, str) and _HEX64.match(s) for s in journal["evidence"])
              and isinstance(journal.get("templates_aside"), str))
    except (OSError, UnicodeDecodeError, ValueError):
        ok = False
    if not ok:
        path.unlink(missing_ok=True)
        return _("A restore was interrupted before it changed anything; the data is as it was before it. "
                 "Run the restore again if you still want it.")
    try:
        _finish_swap(data_dir, journal)
    except OSError as exc:
        raise StoreError(_("A restore was interrupted and cannot be finished ({reason}); the data as it was before is kept in {previous}.").format(reason=exc.strerror or exc, previous=journal.get('previous_backup'))) from None
    return _("A restore of {source} was interrupted; it has now been finished. The data as it was before is "
             "kept in {previous}.").format(source=journal.get("source"), previous=journal.get("previous_backup"))


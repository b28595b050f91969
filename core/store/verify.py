"""Check that nothing in the store is damaged or was changed behind Docket's back.

:func:`verify` reads everything and changes nothing. It checks

* the database file itself (``PRAGMA integrity_check``, or ``quick_check`` when asked);
* references between rows (``PRAGMA foreign_key_check``);
* every evidence file: present, its content still hashing to its name, its size as recorded;
  files nothing refers to are listed;
* the history chain (:mod:`core.history`): every revision's hash, every link to the previous
  one, and that each case, event, contact, evidence item, evidence link and letter is exactly
  as its last revision left it.

The result is a :class:`Report`; ``docket verify`` prints it and exits 1 when it has errors.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import DatabaseError, SQLAlchemyError

from core.i18n import _, ngettext
from core.store import connect
from core.store import revisions as history
from core.store.crypto import DamagedFile
from core.store.files import Cancelled
from core.store.store import Store

# SQLite before this version can corrupt a WAL database when two connections of one process
# write or checkpoint at the same moment (see docs/data-safety.md).
WAL_FIX_VERSION = (3, 51, 3)
MAX_LISTED = 20  # problems of one kind listed one by one; the rest are counted

# progress(step text, done, total) -> False to cancel
VerifyProgress = Callable[[str, int, int], bool | None]


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing found. ``severity`` is ``error`` (something is wrong) or ``notice``."""

    area: str  # database, references, evidence, history
    message: str
    severity: str = "error"


@dataclass
class Report:
    """What :func:`verify` found."""

    sqlite_version: str
    checked_at: datetime
    data_dir: str
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    head_hash: str = ""
    quick: bool = False

    @property
    def ok(self) -> bool:
        """True when nothing is wrong (notices do not count)."""
        return not self.errors

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def notices(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "notice"]

    def add(self, area: str, message: str, severity: str = "error") -> None:
        self.findings.append(Finding(area, message, severity))

    def text(self) -> str:
        """The report as a person reads it."""
        checked = _("Checked at {time} UTC with SQLite {version}").format(
            time=f"{self.checked_at:%Y-%m-%d %H:%M}", version=self.sqlite_version)
        lines = [
            _("Docket data check of {folder}").format(folder=self.data_dir),
            checked + (" " + _("(quick check)") if self.quick else ""),
            "",
        ]
        for name, value in self.counts.items():
            lines.append(f"  {name.replace('_', ' ')}: {value:,}")
        if self.head_hash:
            lines.append(f"  history head: {self.head_hash}")
        lines.append("")
        if self.ok:
            lines.append(_("Everything checked is in order."))
        else:
            n = len(self.errors)
            lines.append(ngettext("{n} problem found:", "{n} problems found:", n).format(n=n))
            lines += [f"  [{f.area}] {f.message}" for f in self.errors]
        if self.notices:
            lines.append("")
            lines.append(_("Notes:"))
            lines += [f"  [{f.area}] {f.message}" for f in self.notices]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "sqlite_version": self.sqlite_version,
            "checked_at": self.checked_at.isoformat(),
            "data_dir": self.data_dir,
            "quick": self.quick,
            "counts": self.counts,
            "head_hash": self.head_hash,
            "findings": [{"area": f.area, "severity": f.severity, "message": f.message} for f in self.findings],
        }


class _Limited:
    """Adds findings of one kind, listing the first few and counting the rest."""

    def __init__(self, report: Report, area: str, what: str, severity: str = "error") -> None:
        self.report, self.area, self.what, self.severity = report, area, what, severity
        self.count = 0

    def add(self, message: str) -> None:
        self.count += 1
        if self.count <= MAX_LISTED:
            self.report.add(self.area, message, self.severity)

    def close(self) -> None:
        if self.count > MAX_LISTED:
            self.report.add(self.area, f"... and {self.count - MAX_LISTED:,} more {self.what}", self.severity)


def sqlite_version_warning(version: str = sqlite3.sqlite_version) -> str | None:
    """A note when this SQLite has the WAL bug Docket works around, else None."""
    try:
        parts = tuple(int(p) for p in version.split(".")[:3])
    except ValueError:
        return None
    if parts >= WAL_FIX_VERSION:
        return None
    return (f"SQLite {version} predates 3.51.3 and its fix for a WAL bug; Docket keeps one writing "
            "connection and a lock file so the bug cannot be reached.")


def verify(store: Store, *, quick: bool = False, progress: VerifyProgress | None = None) -> Report:
    """Check the whole store and return what was found. Nothing in the store changes.

    ``quick`` uses ``PRAGMA quick_check`` instead of the full ``integrity_check``.
    ``progress(step, done, total)`` may return False to cancel (raises :class:`Cancelled`).
    """
    report = Report(sqlite_version=connect.sqlite_version(store.key), checked_at=datetime.now(UTC),
                    data_dir=str(store.data_dir), quick=quick)
    note = sqlite_version_warning(report.sqlite_version)
    if note:
        report.add("database", note, "notice")

    def step(name: str, done: int, total: int) -> None:
        if progress is not None and progress(name, done, total) is False:
            raise Cancelled(_("Check cancelled."))

    with store.read() as session:
        conn = session.connection()
        step("database", 0, 4)
        _guarded(report, "database", lambda: _check_database(conn, report, quick))
        _guarded(report, "references", lambda: _check_references(conn, report))
        step("evidence", 1, 4)
        _guarded(report, "evidence", lambda: _check_evidence(store, conn, report, step))
        _guarded(report, "evidence", lambda: _check_evidence_text(conn, report))
        step("history", 2, 4)
        _guarded(report, "history", lambda: _check_history(conn, report))
        step("backups", 3, 4)
        _guarded(report, "history", lambda: _check_against_backups(store, conn, report))
        _guarded(report, "identity", lambda: _check_identity(store, conn, report))
        step("done", 4, 4)
    return report


def _guarded(report: Report, area: str, check: Callable[[], None]) -> None:
    # A damaged file can make any read fail; the report says so instead of stopping.
    try:
        check()
    except DatabaseError as exc:
        report.add(area, f"the database cannot be read: {exc.orig or exc}")
    except SQLAlchemyError as exc:  # e.g. the connection gave up after an earlier failure
        report.add(area, f"the database cannot be read: {exc}")


def _check_database(conn: Any, report: Report, quick: bool) -> None:
    pragma = "quick_check" if quick else "integrity_check"
    try:
        results = [r[0] for r in conn.exec_driver_sql(f"PRAGMA {pragma}")]
    except DatabaseError as exc:
        results = [str(exc.orig or exc)]
    if results != ["ok"]:
        for line in results[:MAX_LISTED]:
            report.add("database", f"{pragma}: {line}")
    for name, table in (("cases", "cases"), ("events", "events"), ("evidence_items", "evidence"),
                        ("letters", "letters"), ("revisions", "revisions")):
        report.counts[name] = conn.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar_one()


def _check_references(conn: Any, report: Report) -> None:
    refs = _Limited(report, "references", "broken references")
    for table, rowid, parent, _fk in conn.exec_driver_sql("PRAGMA foreign_key_check").all():
        refs.add(f"{table} row {rowid} points to a missing {parent} row")
    refs.close()


def _check_evidence(store: Store, conn: Any, report: Report, step: Callable[[str, int, int], None]) -> None:
    recorded: dict[str, set[int]] = {}
    for sha, size in conn.exec_driver_sql("SELECT sha256, size FROM evidence"):
        recorded.setdefault(sha, set()).add(size)
    on_disk = set(store.evidence.all_hashes())
    missing = _Limited(report, "evidence", "missing files")
    damaged = _Limited(report, "evidence", "damaged files")
    total = len(recorded)
    for i, (sha, sizes) in enumerate(sorted(recorded.items())):
        step(f"evidence file {i + 1} of {total}", i, total)
        if sha not in on_disk:
            missing.add(f"file {sha} is missing from the evidence store")
            continue
        try:
            actual, size = store.evidence.hash_of(sha)
        except OSError as exc:
            damaged.add(f"file {sha} cannot be read: {exc.strerror or exc}")
            continue
        except DamagedFile:
            damaged.add(f"file {sha} has changed: its seal no longer opens")
            continue
        if actual != sha:
            damaged.add(f"file {sha} has changed: its content now hashes to {actual}")
        elif size not in sizes:
            damaged.add(f"file {sha} is {size:,} bytes; the record says {min(sizes):,}")
    missing.close()
    damaged.close()
    # Files of deleted records stay in the store on purpose (backups and history refer to them).
    in_history = {
        r[0] for r in conn.exec_driver_sql(
            "SELECT json_extract(changes, '$.row.sha256') FROM revisions"
            " WHERE entity = 'evidence' AND action IN ('insert', 'delete')")
    }
    unknown = _Limited(report, "evidence", "unknown files", "notice")
    kept = 0
    for sha in sorted(on_disk - set(recorded)):
        if sha in in_history:
            kept += 1
        else:
            unknown.add(f"file {sha} is in the evidence store but no record or history mentions it")
    unknown.close()
    report.counts["evidence_files"] = len(on_disk)
    if kept:
        report.add("evidence", f"{kept:,} file(s) of deleted evidence records are kept", "notice")


def _check_evidence_text(conn: Any, report: Report) -> None:
    """The text kept for search must be the text read from a file still recorded, unaltered."""
    from core.journal.evidence_text import text_digest

    changed = _Limited(report, "evidence", "changed evidence text")
    orphans = _Limited(report, "evidence", "evidence text of no evidence", "notice")
    recorded = {r[0] for r in conn.exec_driver_sql("SELECT DISTINCT sha256 FROM evidence")}
    pages: dict[str, list[str]] = {}
    for sha, body in conn.exec_driver_sql("SELECT sha256, body FROM evidence_text_pages ORDER BY sha256, page, id"):
        pages.setdefault(sha, []).append(body)
    read = 0
    for sha, digest in conn.exec_driver_sql("SELECT sha256, text_sha256 FROM evidence_texts"):
        read += 1
        if sha not in recorded:
            orphans.add(f"text of file {sha} is kept but no evidence item uses that file")
        if text_digest(pages.pop(sha, [])) != digest:
            changed.add(f"the text kept for file {sha} was changed outside Docket")
    for sha in pages:
        changed.add(f"text pages of file {sha} have no record of where they came from")
    changed.close()
    orphans.close()
    report.counts["evidence_texts"] = read
    if len(recorded) > read:
        report.add("evidence", f"{len(recorded) - read:,} file(s) not yet read for search", "notice")


def _check_history(conn: Any, report: Report) -> None:
    chain = _Limited(report, "history", "breaks in the history chain")
    state = _Limited(report, "history", "items that differ from their history")
    last_sha: dict[tuple[str, int], str] = {}
    links_of_event: dict[int, set[int]] = {}
    links_of_item: dict[int, set[int]] = {}
    prev_hash, prev_id = history.GENESIS, 0
    rows = conn.exec_driver_sql(
        "SELECT id, at, case_id, entity, entity_id, action, changes, prev_hash, hash FROM revisions ORDER BY id")
    for id_, at, case_id, entity, entity_id, action, changes, stored_prev, stored_hash in rows:
        if stored_prev != prev_hash:
            chain.add(f"revision {id_} does not follow revision {prev_id}: a revision was removed, "
                      "inserted or altered")
        expected = history.revision_hash(id=id_, at=at, case_id=case_id, entity=entity, entity_id=entity_id,
                                         action=action, changes=changes, prev_hash=stored_prev)
        if expected != stored_hash:
            chain.add(f"revision {id_} ({entity} {entity_id}, {at}) was altered after it was written")
        prev_hash, prev_id = stored_hash, id_
        try:
            data = json.loads(changes)
            if entity == history.LINK:
                ev, item = int(data["event_id"]), int(data["evidence_id"])
                if action == "link":
                    links_of_event.setdefault(ev, set()).add(item)
                    links_of_item.setdefault(item, set()).add(ev)
                else:
                    links_of_event.get(ev, set()).discard(item)
                    links_of_item.get(item, set()).discard(ev)
            elif action == "delete":
                last_sha.pop((entity, entity_id), None)
                if entity == "event":
                    for item in links_of_event.pop(entity_id, set()):
                        links_of_item.get(item, set()).discard(entity_id)
                elif entity == "evidence":
                    for ev in links_of_item.pop(entity_id, set()):
                        links_of_event.get(ev, set()).discard(entity_id)
            else:
                last_sha[(entity, entity_id)] = data["row_sha"]
        except (ValueError, KeyError, TypeError):
            chain.add(f"revision {id_} cannot be read")
    chain.close()
    report.head_hash = prev_hash

    # The tables are read row by row and nothing is kept per row (a store of 2,000,000 events
    # whose rows have no history would otherwise hold every id, some 150 MB, in the window's
    # start-up check): what the history recorded is bounded by the revisions, not the tables.
    for entity, table in history.TABLES.items():
        result = conn.exec_driver_sql(f'SELECT * FROM "{table}" ORDER BY id')
        names = list(result.keys())
        # The ids the history recorded for this table, ascending like the rows: those the
        # walk through the table passes without meeting are gone from it.
        recorded_ids = iter(sorted(id_ for kind, id_ in last_sha if kind == entity))
        pending = next(recorded_ids, None)
        gone: list[int] = []
        unrecorded = 0
        first_unrecorded: list[int] = []
        at_id = names.index("id")
        for values in result:
            id_ = values[at_id]
            while pending is not None and pending < id_:
                gone.append(pending)
                pending = next(recorded_ids, None)
            if pending == id_:
                pending = next(recorded_ids, None)
            recorded = last_sha.get((entity, id_))
            if recorded is None:
                unrecorded += 1
                if len(first_unrecorded) < 10:
                    first_unrecorded.append(id_)
            elif recorded != history.row_digest(entity, dict(zip(names, values, strict=True))):
                state.add(f"{entity} {id_} differs from its last recorded revision: it was changed outside Docket")
        while pending is not None:
            gone.append(pending)
            pending = next(recorded_ids, None)
        if unrecorded:
            # Often many at once (rows written by bulk SQL): one line per kind of item.
            shown = ", ".join(map(str, first_unrecorded)) + (", ..." if unrecorded > 10 else "")
            report.add("history", f"{entity} rows without history, so added outside Docket: "
                                  f"{unrecorded:,} ({shown})")
        for id_ in gone:
            state.add(f"{entity} {id_} is in the history but no longer in the database: it was removed outside Docket")
    expected_links = {(ev, item) for ev, items in links_of_event.items() for item in items}
    unrecorded_links = 0
    first_links: list[tuple[int, int]] = []
    for ev, item in conn.exec_driver_sql("SELECT event_id, evidence_id FROM event_evidence ORDER BY event_id, evidence_id"):
        if (ev, item) in expected_links:
            expected_links.discard((ev, item))  # what is left afterwards was removed
        else:
            unrecorded_links += 1
            if len(first_links) < 10:
                first_links.append((ev, item))
    if unrecorded_links:
        shown = ", ".join(f"{item}→{ev}" for ev, item in first_links)
        report.add("history", f"evidence links without history, so added outside Docket: "
                              f"{unrecorded_links:,} ({shown}{', ...' if unrecorded_links > 10 else ''})")
    for ev, item in sorted(expected_links):
        state.add(f"the link of evidence {item} to event {ev} was removed outside Docket")
    state.close()


def _check_against_backups(store: Store, conn: Any, report: Report) -> None:
    """Each automatic backup is an independent witness: the newest revision it holds must
    still be in today's chain, with the same hash. This catches what the chain alone cannot:
    the newest revisions removed together with the changes they recorded."""
    from core.store.backup import list_backups

    backups = list_backups(store)
    # A restore legitimately replaces the history; only backups made since then are witnesses.
    restores = [i for i, b in enumerate(backups) if b.reason == "after-restore"]
    witnesses = backups[restores[-1]:] if restores else backups
    compared = 0
    for b in witnesses:
        try:
            with contextlib.closing(connect.connect(b.path, key=store.key, readonly=True)) as old:
                newest = old.execute("SELECT id, hash FROM revisions ORDER BY id DESC LIMIT 1").fetchone()
        except connect.DB_ERRORS:
            continue  # a backup from before the history existed
        if newest is None:
            continue
        compared += 1
        now = conn.exec_driver_sql("SELECT hash FROM revisions WHERE id = ?", (newest[0],)).scalar()
        if now != newest[1]:
            report.add("history", f"the backup of {b.made_at:%Y-%m-%d %H:%M} UTC holds revision {newest[0]}, "
                                  "which is no longer in the history as it was: the history was rewritten since")
    report.counts["backups_compared"] = compared


def _check_identity(store: Store, conn: Any, report: Report) -> None:
    """The database is the one this folder held (see core.store.identity), and its companies and
    settings, which have no history, are as Docket last wrote them."""
    from core.store import identity

    if store.identity_problem:
        report.add("identity", store.identity_problem)
    row = identity.stored_row(conn)
    report.counts["companies"] = conn.exec_driver_sql("SELECT count(*) FROM companies").scalar_one()
    if row is not None and row.get("guarded") and row["guarded"] != identity.guarded_digest(conn):
        report.add("identity", "a company or a setting was changed outside Docket (names and addresses on letters "
                               "and reports may differ from what you entered)")


# -- the check at start ----------------------------------------------------------------------
FULL_HISTORY_AT_START = 20_000  # revisions: up to this many, the start check replays them all
RECENT_AT_START = 1_000


def start_check(store: Store) -> list[str]:
    """What the window checks each time it starts, in well under a second for a usual store:
    ``quick_check``, the history chain (whole up to 20,000 revisions, else its newest 1,000
    and the rows they recorded), every evidence record's file present with its size, the
    store identity, and companies and settings as Docket last wrote them.

    Returns one plain sentence per kind of problem (empty when all is in order), each ending
    with what to do. Nothing in the store changes.
    """
    problems: list[str] = []
    if store.identity_problem:
        problems.append(store.identity_problem)
    report = Report(sqlite_version=connect.sqlite_version(store.key), checked_at=datetime.now(UTC), data_dir=str(store.data_dir))
    try:
        with store.read() as session:
            conn = session.connection()
            _guarded(report, "database", lambda: _check_database(conn, report, quick=True))
            _guarded(report, "evidence", lambda: _evidence_present(store, conn, report))
            revisions = conn.exec_driver_sql("SELECT count(*) FROM revisions").scalar_one()
            if revisions <= FULL_HISTORY_AT_START:
                _guarded(report, "history", lambda: _check_history(conn, report))
            else:
                _guarded(report, "history", lambda: _check_recent_history(conn, report))
            _guarded(report, "identity", lambda: _check_identity(store, conn, report))
    except (DatabaseError, SQLAlchemyError) as exc:
        report.add("database", f"the database cannot be read: {exc}")
    except connect.DB_ERRORS as exc:
        report.add("database", f"the database cannot be read: {exc}")
    areas = {f.area for f in report.errors if f.message != store.identity_problem}
    advice = _("Run 'Check data' (docket verify) for the details; your automatic backups are in the backups folder.")
    names = {"database": _("The database is damaged"),
             "references": _("Some records point to records that are gone"),
             "evidence": _("Evidence files are missing or changed"),
             "history": _("Records were changed outside Docket"),
             "identity": _("Companies or settings were changed outside Docket")}
    for area in ("database", "references", "evidence", "history", "identity"):
        if area in areas:
            first = next(f.message for f in report.errors if f.area == area and f.message != store.identity_problem)
            # The finding itself stays English: it is also the JSON of ``docket verify --json``.
            problems.append(_("{problem} ({finding}). {advice}").format(problem=names[area], finding=first,
                                                                        advice=advice))

    return problems


def _evidence_present(store: Store, conn: Any, report: Report) -> None:
    """Each evidence record's file is there with its recorded size (content is hashed by verify)."""
    missing = _Limited(report, "evidence", "missing or changed files")
    for sha, size in conn.exec_driver_sql("SELECT DISTINCT sha256, size FROM evidence"):
        try:
            actual = store.evidence.size_of(sha)
        except (OSError, ValueError, DamagedFile):
            missing.add(f"file {sha} is missing from the evidence store")
            continue
        if actual != size:
            missing.add(f"file {sha} is {actual:,} bytes; the record says {size:,}")
    missing.close()


def _check_recent_history(conn: Any, report: Report) -> None:
    """The newest revisions link up and hash right, and the rows they recorded last are unchanged."""
    rows = conn.exec_driver_sql(
        "SELECT id, at, case_id, entity, entity_id, action, changes, prev_hash, hash FROM revisions "
        f"ORDER BY id DESC LIMIT {RECENT_AT_START + 1}").all()[::-1]
    latest: dict[tuple[str, int], str | None] = {}
    for i, (id_, at, case_id, entity, entity_id, action, changes, prev, digest) in enumerate(rows):
        if i and prev != rows[i - 1][8]:
            report.add("history", f"revision {id_} does not follow revision {rows[i - 1][0]}")
        if history.revision_hash(id=id_, at=at, case_id=case_id, entity=entity, entity_id=entity_id,
                                 action=action, changes=changes, prev_hash=prev) != digest:
            report.add("history", f"revision {id_} was altered after it was written")
        if entity in history.TABLES:
            try:
                latest[(entity, entity_id)] = None if action == "delete" else json.loads(changes)["row_sha"]
            except (ValueError, KeyError, TypeError):
                report.add("history", f"revision {id_} cannot be read")
    report.head_hash = rows[-1][8] if rows else history.GENESIS
    for (entity, entity_id), sha in latest.items():
        row = history.raw_rows(conn, entity, [entity_id]).get(entity_id)
        if sha is not None and (row is None or history.row_digest(entity, row) != sha):
            report.add("history", f"{entity} {entity_id} differs from its last recorded revision")

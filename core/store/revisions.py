"""The history of every change, chained with SHA-256 so that it cannot be quietly rewritten.

Each change to a case, an event, a contact, an evidence item, a link between an event and an
evidence item, or a letter becomes one row of ``revisions``, written in the same transaction as
the change itself. The rows are made by :class:`RevisionChain`, a reaction the store runs on
every unit of work (:mod:`core.store.unit_of_work`), so every use-case function gets them
without doing anything:

* ``before_flush`` reads the rows about to change (and the rows the database itself will change
  through ``ON DELETE CASCADE`` / ``SET NULL``) as SQLite stores them;
* ``after_flush`` reads them again and writes one revision per row that differs.

A revision holds what changed (``changes``), the SHA-256 of the whole row afterwards
(``changes.row_sha``), the previous revision's hash (``prev_hash``) and its own ``hash`` over the
canonical JSON of all of that. :mod:`core.verify` replays the chain: altering, removing or
reordering a past revision breaks a hash, and a row changed behind Docket's back no longer
matches the ``row_sha`` of its last revision.

Values are kept as SQLite stores them (text, integers, NULL), so the record does not depend on
how Python happens to convert dates or decimals.

Writes that bypass the ORM unit of work (``session.execute(insert(...))``, raw SQL) make no
revision; verification reports such rows as changed outside Docket.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.orm import PassiveFlag, attributes

from core.domain.models import Case, Contact, Event, Evidence, Letter
from core.i18n import N_, _
from core.store.unit_of_work import Reaction, UnitOfWork

# entity name -> model. The entity name is what revisions and history_for() use.
TRACKED: dict[str, type] = {
    "case": Case,
    "event": Event,
    "contact": Contact,
    "evidence": Evidence,
    "letter": Letter,
}
LINK = "event_evidence"
TABLES = {name: model.__tablename__ for name, model in TRACKED.items()}  # type: ignore[attr-defined]
ENTITY_OF_MODEL = {model: name for name, model in TRACKED.items()}
# Columns SQLite keeps in step itself (triggers) or that are caches recomputed from other rows:
# they are not part of what the user recorded.
EXCLUDED_COLUMNS = {"case": frozenset({"last_activity", "next_due"})}
# Rows the database changes itself when a row is deleted: entity -> [(entity, column, action)].
DB_SIDE_EFFECTS: dict[str, list[tuple[str, str, str]]] = {
    "case": [("event", "case_id", "cascade"), ("contact", "case_id", "cascade"),
             ("evidence", "case_id", "cascade"), ("letter", "case_id", "cascade")],
    "contact": [("event", "contact_id", "set_null"), ("letter", "contact_id", "set_null")],
    "event": [("letter", "event_id", "set_null")],
    "evidence": [("letter", "evidence_id", "set_null")],
}
GENESIS = ""
_CHUNK = 500


# -- canonical form and hashes ------------------------------------------------------------------
def canonical(data: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text kept as is."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def row_digest(entity: str, row: dict[str, Any]) -> str:
    """SHA-256 of a row as stored, without the columns SQLite maintains itself."""
    skip = EXCLUDED_COLUMNS.get(entity, frozenset())
    kept = {k: v for k, v in row.items() if k not in skip}
    return hashlib.sha256(canonical(kept).encode()).hexdigest()


def revision_hash(
    *, id: int, at: str, case_id: int | None, entity: str, entity_id: int, action: str,
    changes: str, prev_hash: str,
) -> str:
    """The hash of one revision: covers the previous hash and every stored column."""
    body = canonical([id, at, case_id, entity, entity_id, action, changes, prev_hash])
    return hashlib.sha256(body.encode()).hexdigest()


# -- reading rows as stored -----------------------------------------------------------------------
def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ids = sorted(set(ids))
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def raw_rows(conn: Connection, entity: str, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Rows of a tracked table by id, as SQLite stores them."""
    out: dict[int, dict[str, Any]] = {}
    table = TABLES[entity]
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        result = conn.exec_driver_sql(f'SELECT * FROM "{table}" WHERE id IN ({marks})', tuple(chunk))
        names = list(result.keys())
        for values in result:
            row = dict(zip(names, values, strict=True))
            out[row["id"]] = row
    return out


def _ids_where(conn: Connection, entity: str, column: str, ids: Iterable[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        found.update(
            r[0] for r in conn.exec_driver_sql(
                f'SELECT id FROM "{TABLES[entity]}" WHERE "{column}" IN ({marks})', tuple(chunk)
            )
        )
    return found


def _links(conn: Connection, event_ids: Iterable[int]) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for chunk in _chunks(event_ids):
        marks = ",".join("?" * len(chunk))
        pairs.update(
            (r[0], r[1]) for r in conn.exec_driver_sql(
                f"SELECT event_id, evidence_id FROM event_evidence WHERE event_id IN ({marks})", tuple(chunk)
            )
        )
    return pairs


# -- the reaction to each flush --------------------------------------------------------------
@dataclass
class _Pending:
    before: dict[tuple[str, int], dict[str, Any] | None]
    link_events: set[int]
    links_before: set[tuple[int, int]]
    deleted: dict[str, set[int]]


def _key(obj: object) -> tuple[str, int | None] | None:
    entity = ENTITY_OF_MODEL.get(type(obj))
    return None if entity is None else (entity, obj.id)  # type: ignore[attr-defined]


def _history_ids(obj: object, attr: str) -> set[int]:
    hist = attributes.get_history(obj, attr, passive=PassiveFlag.PASSIVE_NO_INITIALIZE)
    return {o.id for o in (*hist.added, *hist.deleted) if getattr(o, "id", None) is not None}


@dataclass
class _FlushNotes:
    pending: _Pending | None = None


class RevisionChain(Reaction):
    """Writes one revision per changed row in the unit's own transaction: the rows about to
    change are read before each flush and compared after it (see the module's docstring).
    :class:`core.store.store.Store` adds it to every store it opens."""

    def before_flush(self, unit: UnitOfWork) -> None:
        _before_flush(unit)

    def after_flush(self, unit: UnitOfWork) -> None:
        _after_flush(unit)


def _before_flush(unit: UnitOfWork) -> None:
    session = unit.session
    conn = session.connection()
    wanted: dict[str, set[int]] = {name: set() for name in TRACKED}
    deleted: dict[str, set[int]] = {name: set() for name in TRACKED}
    link_events: set[int] = set()
    for obj in (*session.dirty, *session.deleted):
        key = _key(obj)
        if key is None or key[1] is None:
            continue
        wanted[key[0]].add(key[1])
        if obj in session.deleted:
            deleted[key[0]].add(key[1])
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Event) and obj.id is not None:
            link_events.add(obj.id)
        elif isinstance(obj, Evidence):
            link_events |= _history_ids(obj, "events")
    # Deleting a row makes SQLite delete or clear other rows (ON DELETE CASCADE / SET NULL);
    # those changes are the user's too and get revisions.
    frontier = {name: set(ids) for name, ids in deleted.items()}
    while any(frontier.values()):
        nxt: dict[str, set[int]] = {name: set() for name in TRACKED}
        for parent, ids in frontier.items():
            if not ids:
                continue
            for child, column, action in DB_SIDE_EFFECTS.get(parent, []):
                found = _ids_where(conn, child, column, ids) - wanted[child]
                wanted[child] |= found
                if action == "cascade":
                    deleted[child] |= found
                    nxt[child] |= found
        frontier = nxt
    before: dict[tuple[str, int], dict[str, Any] | None] = {}
    for entity, ids in wanted.items():
        rows = raw_rows(conn, entity, ids)
        for id_ in ids:
            before[(entity, id_)] = rows.get(id_)
    link_events -= deleted["event"]
    unit.notes(_FlushNotes).pending = _Pending(before, link_events, _links(conn, link_events), deleted)


def _after_flush(unit: UnitOfWork) -> None:
    session = unit.session
    notes = unit.notes(_FlushNotes)
    pending, notes.pending = notes.pending, None
    if pending is None:
        return
    conn = session.connection()
    before = pending.before
    for obj in session.new:
        key = _key(obj)
        if key is not None and key[1] is not None:
            before.setdefault((key[0], key[1]), None)
            if isinstance(obj, Event):
                pending.link_events.add(key[1])
            if isinstance(obj, Evidence):
                pending.link_events |= _history_ids(obj, "events")
    by_entity: dict[str, set[int]] = {}
    for entity, id_ in before:
        by_entity.setdefault(entity, set()).add(id_)
    after = {e: raw_rows(conn, e, ids) for e, ids in by_entity.items()}

    records: list[tuple[int | None, str, int, str, dict[str, Any]]] = []
    for (entity, id_), old in sorted(before.items(), key=lambda kv: (list(TRACKED).index(kv[0][0]), kv[0][1])):
        new = after[entity].get(id_)
        if old is None and new is None:
            continue
        if old is None:
            assert new is not None
            records.append((_case_of(entity, new), entity, id_, "insert",
                            {"row": new, "row_sha": row_digest(entity, new)}))
        elif new is None:
            records.append((_case_of(entity, old), entity, id_, "delete", {"row": old}))
        else:
            skip = EXCLUDED_COLUMNS.get(entity, frozenset())
            fields = {k: [old.get(k), v] for k, v in new.items() if k not in skip and old.get(k) != v}
            if fields:
                records.append((_case_of(entity, new), entity, id_, "update",
                                {"fields": fields, "row_sha": row_digest(entity, new)}))
    links_after = _links(conn, pending.link_events - pending.deleted["event"])
    gone_events, gone_evidence = pending.deleted["event"], pending.deleted["evidence"]
    case_of_event = _case_ids(conn, {e for e, _ in pending.links_before ^ links_after})
    for ev, item in sorted(links_after - pending.links_before):
        records.append((case_of_event.get(ev), LINK, ev, "link", {"event_id": ev, "evidence_id": item}))
    for ev, item in sorted(pending.links_before - links_after):
        if ev in gone_events or item in gone_evidence:
            continue  # the link went with the event or the file record; that revision says so
        records.append((case_of_event.get(ev), LINK, ev, "unlink", {"event_id": ev, "evidence_id": item}))
    if records:
        _append(conn, records)


def _case_of(entity: str, row: dict[str, Any]) -> int | None:
    return row["id"] if entity == "case" else row.get("case_id")


def _case_ids(conn: Connection, event_ids: set[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for chunk in _chunks(event_ids):
        marks = ",".join("?" * len(chunk))
        out.update(conn.exec_driver_sql(f"SELECT id, case_id FROM events WHERE id IN ({marks})", tuple(chunk)).all())
    return out


def _append(conn: Connection, records: list[tuple[int | None, str, int, str, dict[str, Any]]]) -> None:
    last = conn.exec_driver_sql("SELECT id, hash FROM revisions ORDER BY id DESC LIMIT 1").first()
    last_id, prev = (last[0], last[1]) if last else (0, GENESIS)
    # SQLAlchemy's own text form for DateTime on SQLite, so the model reads it back.
    at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    rows = []
    for case_id, entity, entity_id, action, changes in records:
        last_id += 1
        text = canonical(changes)
        digest = revision_hash(id=last_id, at=at, case_id=case_id, entity=entity, entity_id=entity_id,
                               action=action, changes=text, prev_hash=prev)
        rows.append((last_id, at, case_id, entity, entity_id, action, text, prev, digest))
        prev = digest
    conn.exec_driver_sql(
        "INSERT INTO revisions (id, at, case_id, entity, entity_id, action, changes, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


# -- reading the history --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RevisionView:
    """One change, for the window's history view."""

    id: int
    at: datetime  # UTC
    case_id: int | None
    entity: str
    entity_id: int
    action: str  # insert, update, delete, link, unlink
    fields: dict[str, tuple[Any, Any]]  # column -> (before, after); all columns for insert/delete
    hash: str

    @property
    def bookkeeping(self) -> bool:
        """True for an update that only moved ``updated_at`` (a case touched by a new event):
        kept so that verification can match every row, but not worth showing as a change."""
        return self.action == "update" and set(self.fields) <= {"updated_at"}

    def describe(self) -> str:
        """One line a person can read: what happened to which item."""
        # The item's name and number, in the current language ("event 12", "Ereignis 12").
        what = {"case": N_("case {id}"), "event": N_("event {id}"), "contact": N_("contact {id}"),
                "evidence": N_("evidence item {id}"), "letter": N_("letter {id}"),
                LINK: N_("event {id}")}[self.entity]
        item = _(what).format(id=self.entity_id)
        if self.action == "link":
            return _("evidence {evidence} linked to event {event}").format(
                evidence=self.fields["evidence_id"][1], event=self.entity_id)
        if self.action == "unlink":
            return _("evidence {evidence} unlinked from event {event}").format(
                evidence=self.fields["evidence_id"][0], event=self.entity_id)
        label_field = {"case": "title", "event": "summary", "contact": "name", "evidence": "original_name",
                       "letter": "subject"}.get(self.entity, "")
        before, after = self.fields.get(label_field, (None, None))
        label = f" ({after or before})" if (after or before) else ""
        if self.action == "insert":
            return _("{item} created").format(item=item) + label
        if self.action == "delete":
            return _("{item} deleted").format(item=item) + label
        # The field names are the data's own (title, amount...): they stay as stored.
        return _("{item}: {fields} changed").format(item=item, fields=", ".join(sorted(self.fields)))



def _view(row: Any) -> RevisionView:
    changes = json.loads(row.changes)
    action = row.action
    if action == "insert":
        fields = {k: (None, v) for k, v in changes["row"].items()}
    elif action == "delete":
        fields = {k: (v, None) for k, v in changes["row"].items()}
    elif action == "update":
        fields = {k: (v[0], v[1]) for k, v in changes["fields"].items()}
    elif action == "link":
        fields = {k: (None, v) for k, v in changes.items()}
    else:
        fields = {k: (v, None) for k, v in changes.items()}
    at = datetime.fromisoformat(row.at).replace(tzinfo=UTC)
    return RevisionView(row.id, at, row.case_id, row.entity, row.entity_id, action, fields, row.hash)


_SELECT = "SELECT id, at, case_id, entity, entity_id, action, changes, hash FROM revisions"


def history_for(store: Any, *, entity: str, entity_id: int) -> list[RevisionView]:
    """Every change to one item, oldest first.

    ``entity`` is ``case``, ``event``, ``contact``, ``evidence`` or ``letter``. An event's and an
    evidence item's history include their links to each other.
    """
    if entity not in TRACKED:
        from core.domain.errors import ValidationError

        raise ValidationError("entity", _("unknown kind of item {entity!r}; expected one of: {join}").format(entity=entity, join=', '.join(TRACKED)))
    sql = f"{_SELECT} WHERE entity = ? AND entity_id = ?"
    params: tuple[Any, ...] = (entity, entity_id)
    if entity == "event":
        sql += " OR (entity = ? AND entity_id = ?)"
        params += (LINK, entity_id)
    elif entity == "evidence":
        sql += " OR (entity = ? AND json_extract(changes, '$.evidence_id') = ?)"
        params += (LINK, entity_id)
    with store.read() as session:
        rows = session.connection().exec_driver_sql(sql + " ORDER BY id", params).all()
    return [_view(r) for r in rows]


def case_history(store: Any, *, case_id: int) -> list[RevisionView]:
    """Every change to a case and to everything in it (events, contacts, evidence, letters), oldest first."""
    with store.read() as session:
        rows = session.connection().exec_driver_sql(f"{_SELECT} WHERE case_id = ? ORDER BY id", (case_id,)).all()
    return [_view(r) for r in rows]


def head_hash(store: Any) -> str:
    """The hash of the newest revision: it stands for the whole history up to now ("" when empty)."""
    with store.read() as session:
        row = session.connection().exec_driver_sql("SELECT hash FROM revisions ORDER BY id DESC LIMIT 1").first()
    return row[0] if row else GENESIS

"""One order everywhere: events sort by the local day and time where they happened; evidence
can be marked safe to share in a redacted copy.

The sort key used to be UTC, which put an evening call west of UTC after a charge dated the
next day. Each event's key is computed again from the text the user gave (``at``), in
batches. Evidence gets ``shareable`` (0: an image of it is withheld from a redacted copy).

Both changes alter rows the history chain records, so each changed row that has a history
gets one "update" revision here, written the way Docket writes every other change; without it
``docket verify`` would report the rows as changed outside Docket.

Revision ID: 0006
Revises: 0005
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BATCH = 5000


def _new_key(at: str) -> str | None:
    from core.domain.errors import ValidationError
    from core.domain.when import When

    try:
        return When.parse(at).sort_key()
    except ValidationError:
        return None  # a value Docket never wrote: left as it is


def _with_history(conn: Any, entity: str) -> set[int]:
    return {r[0] for r in conn.exec_driver_sql(
        "SELECT DISTINCT entity_id FROM revisions WHERE entity = ?", (entity,))}


def _record(conn: Any, entity: str, fields_by_id: dict[int, dict[str, list[Any]]]) -> None:
    """Append one "update" revision per row, with the row's new hash."""
    from core.store import revisions as history

    if not fields_by_id:
        return
    rows = history.raw_rows(conn, entity, fields_by_id)
    records = [
        (row.get("case_id"), entity, id_, "update",
         {"fields": fields_by_id[id_], "row_sha": history.row_digest(entity, row)})
        for id_, row in sorted(rows.items())
    ]
    history._append(conn, records)


def upgrade() -> None:
    conn = op.get_bind()
    op.add_column("evidence", sa.Column("shareable", sa.Boolean, nullable=False, server_default="0"))
    tracked_events = _with_history(conn, "event")
    last = 0
    while True:
        batch = conn.exec_driver_sql(
            "SELECT id, at, sort_key FROM events WHERE id > ? ORDER BY id LIMIT ?", (last, BATCH)).all()
        if not batch:
            break
        last = batch[-1][0]
        changed = [(key, id_, old) for id_, at, old in batch
                   if (key := _new_key(at)) is not None and key != old]
        if changed:
            conn.exec_driver_sql("UPDATE events SET sort_key = ? WHERE id = ?", [(k, i) for k, i, _ in changed])
            _record(conn, "event", {i: {"sort_key": [old, k]} for k, i, old in changed if i in tracked_events})
    tracked_items = sorted(_with_history(conn, "evidence"))
    for start in range(0, len(tracked_items), BATCH):
        _record(conn, "evidence", {i: {"shareable": [None, 0]} for i in tracked_items[start:start + BATCH]})


def downgrade() -> None:
    conn = op.get_bind()
    last = 0
    while True:
        batch = conn.exec_driver_sql(
            "SELECT id, at FROM events WHERE id > ? ORDER BY id LIMIT ?", (last, BATCH)).all()
        if not batch:
            break
        last = batch[-1][0]
        conn.exec_driver_sql("UPDATE events SET sort_key = ? WHERE id = ?",
                             [(_utc_key(at), id_) for id_, at in batch if _utc_key(at)])
    op.drop_column("evidence", "shareable")


def _utc_key(at: str) -> str | None:
    from datetime import UTC, datetime

    if len(at) == 10:
        return f"{at}T00:00:00"
    try:
        return datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return None

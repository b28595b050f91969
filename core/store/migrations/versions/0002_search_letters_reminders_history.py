"""Full-text search, letters, reminders, revision history and settings.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)

# One FTS5 table indexes every searchable row. Its rowid encodes the source row so that a
# trigger can replace an entry by rowid instead of scanning: rowid = id * 4 + source, where
# source is 0 case, 1 event, 2 contact, 3 company. Companies have no case_id; a search joins
# them to their cases. Prefix indexes of 2 and 3 characters keep search-as-you-type quick.
SOURCES = {
    "cases": (0, "new.id", "new.title || ' ' || new.notes || ' ' || new.\"references\" || ' ' || new.desired_outcome || ' ' || new.impact",
              'title, notes, "references", desired_outcome, impact'),
    "events": (1, "new.case_id", "new.summary || ' ' || new.details || ' ' || new.reference",
               "summary, details, reference"),
    "contacts": (2, "new.case_id", "new.name || ' ' || new.role || ' ' || new.organisation || ' ' || new.email",
                 "name, role, organisation, email"),
    "companies": (3, "NULL", "new.name || ' ' || new.email || ' ' || new.website", "name, email, website"),
}


def _triggers(table: str) -> list[str]:
    code, case_expr, body, columns = SOURCES[table]
    insert = f"INSERT INTO search_index(rowid, body, case_id) VALUES (new.id * 4 + {code}, {body}, {case_expr});"
    delete = f"DELETE FROM search_index WHERE rowid = old.id * 4 + {code};"
    return [
        f"CREATE TRIGGER {table}_ai_search AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {table}_ad_search AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {table}_au_search AFTER UPDATE OF {columns} ON {table} BEGIN {delete} {insert} END",
    ]


def upgrade() -> None:
    # Plain ADD COLUMN: a batch (copy and drop) of "cases" would cascade-delete the timeline.
    op.add_column("cases", sa.Column("next_due", sa.Date))
    op.create_index("ix_cases_next_due", "cases", ["next_due"])
    # Covers every column the reminders read, so the all-cases GROUP BY never visits the table.
    op.create_index("ix_events_reminder_facts", "events",
                    ["case_id", "direction", "kind", "sort_key", "at", "promised_by"])

    op.create_table(
        "letters",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("template_id", sa.String(100), nullable=False),
        sa.Column("language", sa.String(10), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("contact_id", sa.Integer, sa.ForeignKey("contacts.id", ondelete="SET NULL")),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reply_by", sa.Date),
        sa.Column("sent_on", sa.Date),
        sa.Column("sent_via", sa.String(40), nullable=False),
        sa.Column("tracking", sa.String(200), nullable=False),
        sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id", ondelete="SET NULL")),
        sa.Column("evidence_id", sa.Integer, sa.ForeignKey("evidence.id", ondelete="SET NULL")),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("key", sa.String(200), nullable=False, index=True),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("due", sa.Date, nullable=False, index=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("snoozed_until", sa.Date),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("case_id", sa.Integer, index=True),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("entity_id", sa.Integer, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("changes", sa.JSON, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_revisions_entity", "revisions", ["entity", "entity_id"])
    op.create_table(
        "settings",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.JSON),
    )

    op.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "body, case_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
    )
    for table in SOURCES:
        for trigger in _triggers(table):
            op.execute(trigger)
        code, case_expr, body, _ = SOURCES[table]
        op.execute(
            f"INSERT INTO search_index(rowid, body, case_id) SELECT new.id * 4 + {code}, {body}, "
            f"{case_expr} FROM {table} AS new"
        )


def downgrade() -> None:
    for table in SOURCES:
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix}_search")
    op.execute("DROP TABLE IF EXISTS search_index")
    for table in ("settings", "revisions", "reminders", "letters"):
        op.drop_table(table)
    op.drop_index("ix_events_reminder_facts", "events")
    op.drop_index("ix_cases_next_due", "cases")
    op.drop_column("cases", "next_due")

"""The case journal: companies, cases, contacts, events, evidence.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "companies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(300), nullable=False, index=True),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("email", sa.String(300), nullable=False),
        sa.Column("phone", sa.String(100), nullable=False),
        sa.Column("website", sa.String(300), nullable=False),
        sa.Column("account_numbers", sa.JSON, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("company_id", sa.Integer, sa.ForeignKey("companies.id", ondelete="RESTRICT"), index=True),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("status", sa.String(30), nullable=False, index=True),
        sa.Column("outcome", sa.String(30)),
        sa.Column("resolved_on", sa.Date),
        sa.Column("opened_on", sa.Date, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", sa.String(40)),
        sa.Column("recovered", sa.String(40)),
        sa.Column("payment_method", sa.String(30)),
        sa.Column("payment_date", sa.Date),
        sa.Column("references", sa.JSON, nullable=False),
        sa.Column("desired_outcome", sa.Text, nullable=False),
        sa.Column("impact", sa.Text, nullable=False),
        sa.Column("jurisdiction", sa.String(8), nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("silence_days", sa.Integer, nullable=False),
        sa.Column("last_activity", sa.String(30), index=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("role", sa.String(300), nullable=False),
        sa.Column("organisation", sa.String(300), nullable=False),
        sa.Column("email", sa.String(300), nullable=False),
        sa.Column("phone", sa.String(100), nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("sort_key", sa.String(30), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("direction", sa.String(20), nullable=False),
        sa.Column("contact_id", sa.Integer, sa.ForeignKey("contacts.id", ondelete="SET NULL"), index=True),
        sa.Column("summary", sa.String(1000), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("duration_minutes", sa.Integer),
        sa.Column("waiting_minutes", sa.Integer),
        sa.Column("reference", sa.String(300), nullable=False),
        sa.Column("promised_by", sa.Date),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_index("ix_events_case_sort", "events", ["case_id", "sort_key", "direction", "kind"])
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("original_name", sa.String(300), nullable=False),
        sa.Column("media_type", sa.String(200), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("added_at", TZ, nullable=False),
        sa.Column("captured_on", sa.Date),
        sa.Column("description", sa.Text, nullable=False),
    )
    op.create_table(
        "event_evidence",
        sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("evidence_id", sa.Integer, sa.ForeignKey("evidence.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_event_evidence_evidence", "event_evidence", ["evidence_id"])
    # The case list sorts by last activity; triggers keep it in step with the timeline.
    for trigger in _LAST_ACTIVITY_TRIGGERS:
        op.execute(trigger)


_REFRESH = (
    "UPDATE cases SET last_activity = (SELECT max(sort_key) FROM events WHERE case_id = {ref}.case_id)"
    " WHERE id = {ref}.case_id;"
)
_LAST_ACTIVITY_TRIGGERS = [
    f"CREATE TRIGGER events_ai_activity AFTER INSERT ON events BEGIN {_REFRESH.format(ref='new')} END",
    f"CREATE TRIGGER events_ad_activity AFTER DELETE ON events BEGIN {_REFRESH.format(ref='old')} END",
    "CREATE TRIGGER events_au_activity AFTER UPDATE OF sort_key, case_id ON events BEGIN "
    f"{_REFRESH.format(ref='old')} {_REFRESH.format(ref='new')} END",
]


def downgrade() -> None:
    for name in ("events_ai_activity", "events_ad_activity", "events_au_activity"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in ("event_evidence", "evidence", "events", "contacts", "cases", "companies"):
        op.drop_table(table)

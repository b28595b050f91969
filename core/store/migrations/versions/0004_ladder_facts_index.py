"""The ladder reads what the company answered: the index the due list's single pass over
all events reads from now covers each event's meaning and amount too, so that the pass
still never touches the events table itself.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OLD = ["case_id", "direction", "kind", "sort_key", "at", "promised_by"]
NEW = [*OLD, "meaning", "amount"]


def upgrade() -> None:
    op.drop_index("ix_events_reminder_facts", "events")
    op.create_index("ix_events_reminder_facts", "events", NEW)


def downgrade() -> None:
    op.drop_index("ix_events_reminder_facts", "events")
    op.create_index("ix_events_reminder_facts", "events", OLD)

"""What events mean and the facts the rules need: event meaning and amount; company kind;
what was bought, the card scheme and the expected delivery date of a case.

Existing events get a meaning where their kind and direction say it without doubt (a
payment to the company is a purchase, a promise is a promise); messages from the company
become replies and messages to it complaints, and a summary that names a formal complaint,
a cancellation or a refund says so. Everything else stays a plain contact.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MESSAGES = "('call', 'email', 'letter', 'chat', 'visit', 'web_form', 'social', 'response')"


def upgrade() -> None:
    # Plain ADD COLUMN: a batch (copy and drop) of "cases" would cascade-delete the timeline.
    op.add_column("events", sa.Column("meaning", sa.String(30)))
    op.add_column("events", sa.Column("amount", sa.String(40)))
    op.add_column("companies", sa.Column("kind", sa.String(30)))
    op.add_column("cases", sa.Column("card_scheme", sa.String(20)))
    op.add_column("cases", sa.Column("purchase", sa.String(20)))
    op.add_column("cases", sa.Column("expected_by", sa.Date))
    op.create_index("ix_events_case_meaning", "events", ["case_id", "meaning", "sort_key"])

    run = op.execute
    run("UPDATE events SET meaning = 'promise' WHERE kind = 'promise'")
    run("UPDATE events SET meaning = 'purchase' WHERE kind = 'payment' AND direction = 'to_company'")
    run("UPDATE events SET meaning = CASE WHEN lower(summary) LIKE '%refund%' THEN 'refund' "
        "ELSE 'charge' END WHERE kind = 'payment' AND direction = 'from_company'")
    run(f"UPDATE events SET meaning = 'reply' WHERE meaning IS NULL AND direction = 'from_company' "
        f"AND kind IN {MESSAGES}")
    run(f"UPDATE events SET meaning = CASE "
        f"WHEN lower(summary) LIKE '%formal complaint%' THEN 'formal_complaint' "
        f"WHEN lower(summary) LIKE '%cancel%' THEN 'cancellation' "
        f"ELSE 'complaint' END "
        f"WHERE meaning IS NULL AND direction = 'to_company' AND kind IN {MESSAGES}")


def downgrade() -> None:
    op.drop_index("ix_events_case_meaning", "events")
    for table, column in (("events", "meaning"), ("events", "amount"), ("companies", "kind"),
                          ("cases", "card_scheme"), ("cases", "purchase"), ("cases", "expected_by")):
        op.drop_column(table, column)

"""The due list's facts about each case's timeline, kept in a table of their own.

The first due list in a process used to aggregate every open case's events (one GROUP BY
pass over the whole timeline table, most of a second at 10,000 cases). ``case_facts`` keeps
that pass's result, one row per case, so the list reads one row per case instead. Triggers
drop a case's row whenever its events or letters change (whoever writes them); Docket's unit
of work writes it again before it commits (``core.escalation.reminders.NextDue``), and a case
without a row is read from its events as before. This revision fills the table for every
case, a few thousand cases per statement. No other rows change.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The columns have no type: each value is kept exactly as the aggregate gave it.
COLUMNS = (
    "first_to", "last_to", "n_to", "last_from", "final_response", "first_delivery",
    "first_payment_to", "letter_events", "kept_until", "promises", "last_ack", "formal_complaint",
    "cancelled", "last_billed", "last_refund", "refunds", "purchased", "problem", "first_ack",
    "refusal", "first_refund", "resolved_on", "charges",
)
_DROP = "DELETE FROM case_facts WHERE case_id = {ref}.case_id;"
TRIGGERS = {
    "events_ai_case_facts": f"AFTER INSERT ON events BEGIN {_DROP.format(ref='new')} END",
    "events_ad_case_facts": f"AFTER DELETE ON events BEGIN {_DROP.format(ref='old')} END",
    "events_au_case_facts": f"AFTER UPDATE ON events BEGIN {_DROP.format(ref='old')} {_DROP.format(ref='new')} END",
    "letters_ai_case_facts": f"AFTER INSERT ON letters BEGIN {_DROP.format(ref='new')} END",
    "letters_ad_case_facts": f"AFTER DELETE ON letters BEGIN {_DROP.format(ref='old')} END",
    "letters_au_case_facts": f"AFTER UPDATE ON letters BEGIN {_DROP.format(ref='old')} {_DROP.format(ref='new')} END",
    "cases_ad_case_facts": "AFTER DELETE ON cases BEGIN DELETE FROM case_facts WHERE case_id = old.id; END",
}


def upgrade() -> None:
    op.execute(f"CREATE TABLE IF NOT EXISTS case_facts (case_id INTEGER PRIMARY KEY NOT NULL, {', '.join(COLUMNS)})")
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    # The aggregate is the due list's own (one definition, so the kept rows are what the
    # list would compute); imported here only, as upgrades import the models anyway.
    from core.escalation.reminders import KEPT_COLUMNS, keep_facts

    assert KEPT_COLUMNS == COLUMNS, "the kept facts changed: a new revision must refill them"
    keep_facts(op.get_bind())


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS case_facts")

"""The due list's facts about each case's timeline, and the sidebar's counts, kept in tables
of their own.

The first due list in a process used to aggregate every open case's events (one GROUP BY
pass over the whole timeline table, most of a second at 10,000 cases). ``case_facts`` keeps
that pass's result, one row per case, so the list reads one row per case instead. Triggers
drop a case's row whenever its events or letters change (whoever writes them); Docket's unit
of work writes it again before it commits (``core.escalation.reminders.NextDue``), and a case
without a row is read from its events as before. This revision fills the table for every
case, a few thousand cases per statement.

``row_counts`` holds the number of cases in each status and the number of companies, kept by
triggers on every insert, delete and change of status, so the window's first paint reads six
rows instead of counting 100,000 cases. An index on (status, next_due) counts *Needs
attention* (open cases due within a week) from the index alone. A later revision that
rebuilds the cases or companies table must create these triggers again. No other rows change.

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
_UP = "INSERT INTO row_counts (key, n) VALUES ({key}, 1) ON CONFLICT (key) DO UPDATE SET n = n + 1;"
_DOWN = "UPDATE row_counts SET n = n - 1 WHERE key = {key};"
_NEW, _OLD, _COMPANIES = "'cases:' || new.status", "'cases:' || old.status", "'companies'"
COUNT_TRIGGERS = {
    "cases_ai_row_counts": f"AFTER INSERT ON cases BEGIN {_UP.format(key=_NEW)} END",
    "cases_ad_row_counts": f"AFTER DELETE ON cases BEGIN {_DOWN.format(key=_OLD)} END",
    "cases_au_row_counts": "AFTER UPDATE OF status ON cases WHEN old.status IS NOT new.status BEGIN "
                           f"{_DOWN.format(key=_OLD)} {_UP.format(key=_NEW)} END",
    "companies_ai_row_counts": f"AFTER INSERT ON companies BEGIN {_UP.format(key=_COMPANIES)} END",
    "companies_ad_row_counts": f"AFTER DELETE ON companies BEGIN {_DOWN.format(key=_COMPANIES)} END",
}


def upgrade() -> None:
    op.execute(f"CREATE TABLE IF NOT EXISTS case_facts (case_id INTEGER PRIMARY KEY NOT NULL, {', '.join(COLUMNS)})")
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    op.execute("CREATE TABLE IF NOT EXISTS row_counts (key TEXT PRIMARY KEY NOT NULL, n INTEGER NOT NULL)")
    op.execute("DELETE FROM row_counts")
    op.execute("INSERT INTO row_counts (key, n) SELECT 'cases:' || status, count(*) FROM cases GROUP BY status")
    op.execute("INSERT INTO row_counts (key, n) SELECT 'companies', count(*) FROM companies")
    for name, body in COUNT_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    op.execute("CREATE INDEX IF NOT EXISTS ix_cases_status_next_due ON cases (status, next_due)")
    # The aggregate is the due list's own (one definition, so the kept rows are what the
    # list would compute); imported here only, as upgrades import the models anyway.
    from core.escalation.reminders import KEPT_COLUMNS, keep_facts

    assert KEPT_COLUMNS == COLUMNS, "the kept facts changed: a new revision must refill them"
    keep_facts(op.get_bind())


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_cases_status_next_due")
    for name in COUNT_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS row_counts")
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS case_facts")

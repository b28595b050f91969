"""Indexes for every order the case list offers, so that a page is read from an index.

The list pages by the last row seen (keyset paging). That is only quick when SQLite can walk
an index in the list's order: the title and company name compared without case, the amount as
a number, and the date a case was opened. Status, last activity and next due already have
theirs. No rows change.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Expression indexes: the list's queries (core.journal.queries) use these exact expressions.
INDEXES = {
    "ix_cases_title_nocase": "cases (lower(title))",
    "ix_cases_amount_value": "cases (CAST(amount AS REAL))",
    "ix_cases_opened_on": "cases (opened_on)",
    "ix_companies_name_nocase": "companies (lower(name))",
}


def upgrade() -> None:
    for name, target in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def downgrade() -> None:
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")

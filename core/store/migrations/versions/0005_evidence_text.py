"""The text of evidence files, kept beside them and searchable.

``evidence_texts`` says, per stored file (by SHA-256), whether its text was extracted, how,
and the SHA-256 of that text (verification recomputes it). ``evidence_text_pages`` holds the
text itself, one row per page of a PDF (page 0 for files without pages), and
``evidence_text_search`` is its FTS5 index, an external-content table kept in step by
triggers. It is separate from ``search_index`` so that the case search keeps its own rules;
a search reads both. The files themselves never change.

When the last evidence item of a file is deleted, its text goes too.

Also a partial index of the calls, chats and visits with a duration or a wait, which the
Overview's "time spent" charts read without scanning the whole timeline table.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_texts",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("chars", sa.Integer, nullable=False),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("extracted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "evidence_text_pages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("evidence_texts.sha256", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("page", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.execute(
        "CREATE VIRTUAL TABLE evidence_text_search USING fts5("
        "body, content = 'evidence_text_pages', content_rowid = 'id', "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
    )
    op.execute(
        "CREATE TRIGGER evidence_text_pages_ai AFTER INSERT ON evidence_text_pages BEGIN "
        "INSERT INTO evidence_text_search(rowid, body) VALUES (new.id, new.body); END"
    )
    op.execute(
        "CREATE TRIGGER evidence_text_pages_ad AFTER DELETE ON evidence_text_pages BEGIN "
        "INSERT INTO evidence_text_search(evidence_text_search, rowid, body) VALUES ('delete', old.id, old.body); END"
    )
    op.execute(
        "CREATE TRIGGER evidence_ad_text AFTER DELETE ON evidence BEGIN "
        "DELETE FROM evidence_texts WHERE sha256 = old.sha256 "
        "AND NOT EXISTS (SELECT 1 FROM evidence WHERE sha256 = old.sha256); END"
    )


    op.execute(
        "CREATE INDEX ix_events_time_spent ON events(kind, case_id, sort_key, duration_minutes, waiting_minutes) "
        "WHERE duration_minutes > 0 OR waiting_minutes > 0"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_events_time_spent")
    op.execute("DROP TRIGGER IF EXISTS evidence_ad_text")
    op.execute("DROP TRIGGER IF EXISTS evidence_text_pages_ad")
    op.execute("DROP TRIGGER IF EXISTS evidence_text_pages_ai")
    op.execute("DROP TABLE IF EXISTS evidence_text_search")
    op.drop_table("evidence_text_pages")
    op.drop_table("evidence_texts")

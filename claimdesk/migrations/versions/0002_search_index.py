"""search index: the text of every case's records, for global search (FTS5 on SQLite)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# An external-content FTS5 index over search_entries, kept in step by triggers, so the rows
# stay ordinary (the ORM writes them) and the index never holds a second copy of the text.
# remove_diacritics 2: "Muller" finds "Müller"; unicode61 splits "REF-4471" into ref, 4471,
# which a quoted phrase query matches again.
FTS_STATEMENTS = (
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body, extracted,
        content='search_entries', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER search_entries_after_insert AFTER INSERT ON search_entries BEGIN
        INSERT INTO search_fts(rowid, title, body, extracted)
        VALUES (new.id, new.title, new.body, new.extracted);
    END""",
    """CREATE TRIGGER search_entries_after_delete AFTER DELETE ON search_entries BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, extracted)
        VALUES ('delete', old.id, old.title, old.body, old.extracted);
    END""",
    """CREATE TRIGGER search_entries_after_update AFTER UPDATE ON search_entries BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, extracted)
        VALUES ('delete', old.id, old.title, old.body, old.extracted);
        INSERT INTO search_fts(rowid, title, body, extracted)
        VALUES (new.id, new.title, new.body, new.extracted);
    END""",
)


def upgrade() -> None:
    op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("extracted", sa.Text(), nullable=False),
        sa.Column("extracted_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_search_entries_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entries")),
    )
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_entries_claim_id"), ["claim_id"], unique=False)
    op.create_table(
        "search_pending",
        sa.Column("claim_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_search_pending")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and _has_fts5(bind):
        for statement in FTS_STATEMENTS:
            op.execute(statement)
    # Every existing case is indexed at the first search (documents' text takes a while).
    op.execute("INSERT INTO search_pending (claim_id) SELECT id FROM claims")


def _has_fts5(bind: sa.Connection) -> bool:
    """A Python built without FTS5 still gets search, by the slower LIKE path."""
    options = {row[0] for row in bind.exec_driver_sql("PRAGMA compile_options")}
    return "ENABLE_FTS5" in options


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("after_update", "after_delete", "after_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS search_entries_{name}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_pending")
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_entries_claim_id"))
    op.drop_table("search_entries")

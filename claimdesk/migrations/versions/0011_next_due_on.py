"""claims.next_due_on kept by triggers; indexes for the agenda's and the reminders' windows

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 07:00:00

The case list sorted or filtered by the next deadline grouped every case's open deadlines for
each page (issue 16). Each case now carries its earliest open deadline's day, indexed, kept by
triggers on the deadlines: whatever inserts, moves, completes or removes a deadline (the
services, a cascade, a bulk import) updates it in the same transaction. Existing cases are
filled in here. The agenda and the hourly reminders check get indexes on what they filter.

A later migration that rebuilds the deadlines table in batch mode drops these triggers with
the old table, and must create them again (a rebuild of claims keeps them: storage/migrate.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The earliest open deadline of one case (the triggers fill in which).
NEXT_DUE = "(SELECT min(d.due_on) FROM deadlines d WHERE d.claim_id = {id} AND d.status = 'open')"
SQLITE_TRIGGERS = {
    "deadlines_next_due_insert": (
        "AFTER INSERT ON deadlines",
        f"UPDATE claims SET next_due_on = {NEXT_DUE.format(id='NEW.claim_id')} "
        "WHERE id = NEW.claim_id;",
    ),
    "deadlines_next_due_update": (
        "AFTER UPDATE OF claim_id, due_on, status ON deadlines",
        f"UPDATE claims SET next_due_on = {NEXT_DUE.format(id='claims.id')} "
        "WHERE id IN (NEW.claim_id, OLD.claim_id);",
    ),
    "deadlines_next_due_delete": (
        "AFTER DELETE ON deadlines",
        f"UPDATE claims SET next_due_on = {NEXT_DUE.format(id='OLD.claim_id')} "
        "WHERE id = OLD.claim_id;",
    ),
}


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE INDEX on both backends: a batch rebuild of claims on SQLite
    # would drop the table every case hangs from.
    op.add_column("claims", sa.Column("next_due_on", sa.Date(), nullable=True))
    op.create_index("ix_claims_next_due_on", "claims", ["next_due_on"], unique=False)
    op.create_index("ix_deadlines_status_due_on", "deadlines", ["status", "due_on"], unique=False)
    # The triggers' lookup: one case's open deadlines, earliest first, in one index seek.
    op.create_index(
        "ix_deadlines_claim_status_due_on",
        "deadlines",
        ["claim_id", "status", "due_on"],
        unique=False,
    )
    # Only the reminders not yet shown nor dismissed: the hourly check reads these alone.
    op.create_index(
        "ix_reminders_unseen",
        "reminders",
        ["remind_on"],
        unique=False,
        sqlite_where=sa.text("shown_at IS NULL AND dismissed = 0"),
        postgresql_where=sa.text("shown_at IS NULL AND NOT dismissed"),
    )
    op.execute(f"UPDATE claims SET next_due_on = {NEXT_DUE.format(id='claims.id')}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""CREATE FUNCTION deadlines_next_due() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN
                    UPDATE claims SET next_due_on = {NEXT_DUE.format(id="OLD.claim_id")}
                    WHERE id = OLD.claim_id;
                END IF;
                IF TG_OP <> 'DELETE' THEN
                    UPDATE claims SET next_due_on = {NEXT_DUE.format(id="NEW.claim_id")}
                    WHERE id = NEW.claim_id;
                END IF;
                RETURN NULL;
            END $$"""
        )
        op.execute(
            "CREATE TRIGGER deadlines_next_due AFTER INSERT OR DELETE OR UPDATE OF claim_id, "
            "due_on, status ON deadlines FOR EACH ROW EXECUTE FUNCTION deadlines_next_due()"
        )
    else:
        for name, (when, body) in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER deadlines_next_due ON deadlines")
        op.execute("DROP FUNCTION deadlines_next_due()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    # Plain ALTER TABLE, not a batch: a batch rebuilds claims on SQLite, and dropping the old
    # copy fails while its children's foreign keys are on (SQLite drops a column itself since
    # 3.35, once no index names it).
    op.drop_index("ix_reminders_unseen", table_name="reminders")
    op.drop_index("ix_deadlines_claim_status_due_on", table_name="deadlines")
    op.drop_index("ix_deadlines_status_due_on", table_name="deadlines")
    op.drop_index("ix_claims_next_due_on", table_name="claims")
    op.drop_column("claims", "next_due_on")

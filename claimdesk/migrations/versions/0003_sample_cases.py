"""sample cases: claims.is_sample marks the cases 'claimdesk demo' added, so they can go again

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Cases added before this revision are the office's own as far as anyone can tell: a
    # sample loaded earlier cannot be told from a real case, so none is marked.
    # Rebuilt with AUTOINCREMENT: removing the samples must not free their ids for new cases,
    # or a new case would inherit a removed sample's audit events (they keep the case's id).
    # PostgreSQL's sequences never hand an id out twice: there the column is simply added.
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table(
        "claims",
        schema=None,
        recreate="always" if sqlite else "auto",
        table_kwargs={"sqlite_autoincrement": True},
    ) as batch_op:
        batch_op.add_column(
            sa.Column("is_sample", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(batch_op.f("ix_claims_is_sample"), ["is_sample"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_is_sample"))
        batch_op.drop_column("is_sample")

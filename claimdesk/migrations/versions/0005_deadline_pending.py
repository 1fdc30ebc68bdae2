"""deadline pending: cases whose computed deadlines must be recomputed, kept across restarts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deadline_pending",
        sa.Column("claim_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_deadline_pending")),
    )


def downgrade() -> None:
    op.drop_table("deadline_pending")

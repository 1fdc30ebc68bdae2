"""organisation addresses: the department letters go to and the upload portal

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain added columns with an empty default: no table rebuild on SQLite, none needed.
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("department", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("portal", sa.String(length=300), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("portal")
        batch_op.drop_column("department")

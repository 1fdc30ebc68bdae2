"""claim version: a counter raised on every save of a case's details, for optimistic concurrency

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 06:40:00

Two workstations saving the same case's details: the second save names the version it was
read at, and is refused when the case has moved on since. Existing cases start at version 1.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both backends: a batch rebuild of claims on SQLite would drop the
    # table every case hangs from.
    op.add_column("claims", sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE claims DROP COLUMN version")  # SQLite 3.35+, no rebuild
    else:
        op.drop_column("claims", "version")

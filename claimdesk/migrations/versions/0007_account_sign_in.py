"""account sign-in: password hashes, display names, disabled dates, and the database's settings

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 17:40:00

Accounts made before this have no password: the database reports itself as needing set-up
(services/accounts.py ``database_mode``) and set-up adopts those rows, so nothing attributed to
them is lost. No account is ever deleted; one is disabled (``disabled_at``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        # argon2id, in the PHC string form argon2-cffi writes ($argon2id$v=19$m=...).
        batch_op.add_column(sa.Column("password_hash", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("display_name", sa.String(length=120), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
    # A few named settings of the whole database: whether it is a personal or an office one,
    # and the office's policies ("caseworkers see only their assigned cases").
    op.create_table(
        "settings",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_settings")),
    )


def downgrade() -> None:
    op.drop_table("settings")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("disabled_at")
        batch_op.drop_column("display_name")
        batch_op.drop_column("password_hash")

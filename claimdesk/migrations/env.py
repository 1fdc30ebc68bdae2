"""Alembic environment: always run through claimdesk.storage.migrate with a live connection."""

from __future__ import annotations

from alembic import context

from claimdesk.models import Base
from claimdesk.storage.audit_chain import keep_trail_unchangeable
from claimdesk.storage.migrate import include_name

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "Run migrations through ClaimDesk (claimdesk.storage.migrate), not the alembic command."
    )


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things: batch mode copies the table instead.
    render_as_batch=True,
    compare_type=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
    # Tables made again by their owner get its default privileges: the trail's are taken back.
    keep_trail_unchangeable(connection)

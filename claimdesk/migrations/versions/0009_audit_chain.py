"""audit chain: every audit event carries its SHA-256 and the previous event's; attached files'
SHA-256 enter the chain

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 17:30:00

The events already written are chained in id order, so `claimdesk audit verify` passes on an
upgraded database: the chain vouches for the trail from the upgrade on (what was edited before
it cannot be told). A document's SHA-256 goes on the event that attached it; a document with no
such event (one imported from a case file) gets a `chain_file` event at the end of the chain.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from claimdesk.storage import audit_chain
from claimdesk.storage.types import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_BATCH = 2000

events = sa.table(
    "audit_events",
    sa.column("id", sa.Integer),
    sa.column("occurred_at", UTCDateTime),
    sa.column("user_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("entity", sa.String),
    sa.column("entity_id", sa.Integer),
    sa.column("claim_id", sa.Integer),
    sa.column("detail", sa.Text),
    sa.column("content_sha256", sa.String),
    sa.column("prev_hash", sa.String),
    sa.column("event_hash", sa.String),
)
documents = sa.table(
    "documents",
    sa.column("id", sa.Integer),
    sa.column("claim_id", sa.Integer),
    sa.column("sha256", sa.String),
)


def _drop_triggers() -> list[str]:
    """Take the append-only triggers of 0001 off while the rows are filled in; return those
    that were there (one found missing stays missing: a restore's checks must still see a copy
    that lost it). On PostgreSQL the trigger is disabled, not dropped."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
        return ["postgresql"]
    if bind.dialect.name != "sqlite":
        return []
    present = {
        row[0]
        for row in bind.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'"
        )
    }
    verbs = [v for v in ("UPDATE", "DELETE") if f"audit_events_no_{v.lower()}" in present]
    for verb in verbs:
        op.execute(f"DROP TRIGGER audit_events_no_{verb.lower()}")
    return verbs


def _create_triggers(verbs: list[str]) -> None:
    if verbs == ["postgresql"]:
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")
        return
    for verb in verbs:
        op.execute(
            f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
        )


def upgrade() -> None:
    verbs = _drop_triggers()
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("prev_hash", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("event_hash", sa.String(length=64), server_default="", nullable=False)
        )
    bind = op.get_bind()
    unchained = _record_attached_files(bind)
    prev_hash = _chain_rows(bind)
    _append_file_events(bind, unchained, prev_hash)
    _create_triggers(verbs)


def _record_attached_files(bind: sa.Connection) -> list[tuple[int, int, str]]:
    """Put each document's SHA-256 on the event that attached it; return the documents (id,
    case, SHA-256) that have none."""
    latest = (
        sa.select(events.c.entity_id, sa.func.max(events.c.id).label("event_id"))
        .where(events.c.entity == "document", events.c.action == "create")
        .group_by(events.c.entity_id)
        .subquery()
    )
    rows = bind.execute(
        sa.select(documents.c.id, documents.c.claim_id, documents.c.sha256, latest.c.event_id)
        .select_from(documents.outerjoin(latest, latest.c.entity_id == documents.c.id))
        .order_by(documents.c.id)
    ).all()
    updates = [
        {"target": row.event_id, "digest": row.sha256} for row in rows if row.event_id is not None
    ]
    if updates:
        bind.execute(
            events.update()
            .where(events.c.id == sa.bindparam("target"))
            .values(content_sha256=sa.bindparam("digest")),
            updates,
        )
    return [(row.id, row.claim_id, row.sha256) for row in rows if row.event_id is None]


def _chain_rows(bind: sa.Connection) -> str:
    """Link every event in id order, a batch at a time; return the head's hash."""
    prev_hash, last_id = audit_chain.GENESIS, 0
    while True:
        rows = bind.execute(
            sa.select(events).where(events.c.id > last_id).order_by(events.c.id).limit(_BATCH)
        ).all()
        if not rows:
            return prev_hash
        links = []
        for row in rows:
            fields = audit_chain.EventFields(
                row.id,
                row.occurred_at,
                row.user_id,
                row.action,
                row.entity,
                row.entity_id,
                row.claim_id,
                row.detail,
                row.content_sha256,
            )
            own = audit_chain.event_hash(fields, prev_hash)
            links.append({"target": row.id, "prev": prev_hash, "own": own})
            prev_hash = own
        bind.execute(
            events.update()
            .where(events.c.id == sa.bindparam("target"))
            .values(prev_hash=sa.bindparam("prev"), event_hash=sa.bindparam("own")),
            links,
        )
        last_id = rows[-1].id


def _append_file_events(
    bind: sa.Connection, unchained: list[tuple[int, int, str]], prev_hash: str
) -> None:
    last_id = bind.execute(sa.select(sa.func.max(events.c.id))).scalar() or 0
    now = datetime.now(UTC)
    for document_id, claim_id, digest in unchained:
        last_id += 1
        fields = audit_chain.EventFields(
            last_id, now, None, "chain_file", "document", document_id, claim_id, "", digest
        )
        own = audit_chain.event_hash(fields, prev_hash)
        bind.execute(
            events.insert().values(
                id=last_id,
                occurred_at=now,
                user_id=None,
                action="chain_file",
                entity="document",
                entity_id=document_id,
                claim_id=claim_id,
                detail="",
                content_sha256=digest,
                prev_hash=prev_hash,
                event_hash=own,
            )
        )
        prev_hash = own


def downgrade() -> None:
    verbs = _drop_triggers()
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("event_hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("content_sha256")
    _create_triggers(verbs)

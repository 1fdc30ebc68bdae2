"""The audit trail on PostgreSQL: append-only at the server, a role that cannot drop the
refusal, and a hash chain several workstations extend at once without forking it."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, exc, text
from sqlalchemy.engine import make_url

from claimdesk.errors import StorageError
from claimdesk.storage import Database, open_database
from tests import postgres
from tests.conftest import REPO_ROOT
from tests.gui_support import open_case
from tests.pinned import pinned_clock
from tests.signin import as_user
from tests.workers.harness import Worker, start_together, stopped_after

TAMPERING = (
    "UPDATE audit_events SET detail = 'nothing' WHERE id = 1",
    "DELETE FROM audit_events WHERE id = 1",
    "TRUNCATE audit_events",
)


@pytest.mark.parametrize("statement", TAMPERING)
def test_the_server_refuses_to_change_or_remove_audit_events(
    db: Database, backend: str, statement: str
) -> None:
    if backend == "sqlite" and statement.startswith("TRUNCATE"):
        pytest.skip("SQLite has no TRUNCATE (DELETE is refused)")
    open_case(as_user(db, clock=pinned_clock()))
    with pytest.raises(exc.IntegrityError, match="append-only"), db.engine.begin() as connection:
        connection.execute(text(statement))
    with db.read_connection() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_events")).scalar_one() > 0


# --- the role the workstations sign in as ---------------------------------------------------


def _sql_blocks() -> dict[str, list[str]]:
    """The two SQL blocks of docs/architecture.md ("The app's database role"), statement by
    statement: the test runs what an office is told to run."""
    doc = (REPO_ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    blocks = {}
    for name in ("server", "database"):
        found = re.search(rf"<!-- roles: {name} -->\n```sql\n(.*?)```", doc, re.S)
        assert found, f"docs/architecture.md lost its '{name}' block"
        blocks[name] = [s.strip() for s in found.group(1).split(";") if s.strip()]
    return blocks


@pytest.fixture
def office_roles(postgres_server: str) -> Iterator[tuple[str, str]]:
    """A database set up as the docs say, under role names of this test's own (roles are the
    whole cluster's): the owner's URL and the workstations' URL."""
    tag = f"{os.getpid()}_{time.monotonic_ns()}"
    names = {
        "claimdesk_owner": f"cd_owner_{tag}",
        "claimdesk_app": f"cd_app_{tag}",
        "claimdesk": f"cd_db_{tag}",
    }

    def named(statement: str) -> str:
        for generic, own in names.items():
            statement = re.sub(rf"\b{generic}\b", own, statement)
        return statement

    blocks = _sql_blocks()
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    url = make_url(postgres_server).set(database=names["claimdesk"])
    owner_url = url.set(username=names["claimdesk_owner"]).render_as_string(False)
    app_url = url.set(username=names["claimdesk_app"]).render_as_string(False)
    try:
        with admin.connect() as connection:
            for statement in blocks["server"]:
                connection.execute(text(named(statement)))
        open_database(owner_url).dispose()  # the schema, made by its owner
        owner = create_engine(owner_url, isolation_level="AUTOCOMMIT")
        with owner.connect() as connection:
            for statement in blocks["database"]:
                connection.execute(text(named(statement)))
        owner.dispose()
        yield owner_url, app_url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {names['claimdesk']} WITH (FORCE)"))
            for role in ("claimdesk_app", "claimdesk_owner"):
                connection.execute(text(f"DROP ROLE IF EXISTS {names[role]}"))
        admin.dispose()


def test_the_workstation_role_works_but_cannot_drop_the_audit_refusal(
    office_roles: tuple[str, str],
) -> None:
    _owner_url, app_url = office_roles
    db = open_database(app_url)
    try:
        services = as_user(db, clock=pinned_clock())  # sets the office up, as the app role
        claim = services.claims.get(open_case(services))
        services.claims.update_case(claim.id, claim.version, claimant_phone="555-0100")
        services.claims.add_note(claim.id, "Called the insurer")
        assert services.audit.verify().ok
        for statement in (
            "DROP TRIGGER audit_events_append_only ON audit_events",
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
            "DROP FUNCTION audit_events_append_only() CASCADE",
            "DROP TABLE audit_events",
            *TAMPERING,
        ):
            with (
                pytest.raises(exc.DBAPIError) as refused,
                db.engine.begin() as connection,
            ):
                connection.execute(text(statement))
            assert refused.value.orig.sqlstate in ("42501", "23000"), statement  # type: ignore[union-attr]
        assert services.audit.verify().ok
    finally:
        db.dispose()


def test_a_schema_the_workstation_role_cannot_upgrade_is_said_plainly(
    office_roles: tuple[str, str],
) -> None:
    owner_url, app_url = office_roles
    owner = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with owner.connect() as connection:  # as if this ClaimDesk were newer than the schema
        connection.execute(text("UPDATE alembic_version SET version_num = '0009'"))
        connection.execute(text("ALTER TABLE claims DROP COLUMN version"))
    owner.dispose()
    with pytest.raises(StorageError, match=r"lacks the right.*schema's owner"):
        open_database(app_url, backup_dir=None)


# --- several workstations extending the chain at once ---------------------------------------

WRITERS = 4
SECONDS = 4.0


@pytest.mark.slow
def test_workstations_writing_at_once_never_fork_the_chain(
    postgres_server: str, tmp_path: Path
) -> None:
    with postgres.fresh_database(postgres_server) as url:
        db = open_database(url)
        try:
            services = as_user(db, "Test Caseworker", clock=pinned_clock())
            shared_id = open_case(services)
            go = tmp_path / "go"
            writers = [
                Worker(
                    "write_mix.py",
                    [url, name, str(shared_id), str(go), str(SECONDS)],
                    tmp_path / f"{name}.err",
                    name=name,
                )
                for name in ("A", "B", "C", "D")[:WRITERS]
            ]
            with stopped_after(writers):
                start_together(writers, go)
                for w in writers:
                    w.finish(SECONDS + 120)
            for w in writers:
                assert w.proc.returncode == 0, w.report()
            written = sum(
                1 for w in writers for line in w.lines if line.startswith(("call ", "case "))
            )
            with db.read_connection() as connection:
                ids = (
                    connection.execute(text("SELECT id FROM audit_events ORDER BY id"))
                    .scalars()
                    .all()
                )
                heads = connection.execute(
                    text("SELECT count(*) FROM audit_events GROUP BY prev_hash HAVING count(*) > 1")
                ).all()
            assert written > WRITERS  # they all wrote, at the same time
            assert ids == list(range(1, len(ids) + 1))  # no gap
            assert heads == []  # no two events after the same one: no fork
            chain = services.audit.verify()
            assert chain.ok, chain.problem
        finally:
            db.dispose()


def _workstation_rights(owner_url: str, app_url: str) -> dict[str, bool]:
    app_role = make_url(app_url).username
    engine = create_engine(owner_url)
    try:
        with engine.connect() as connection:
            return {
                f"{table} {right}": bool(
                    connection.execute(
                        text("SELECT has_table_privilege(:role, :table, :right)"),
                        {"role": app_role, "table": table, "right": right},
                    ).scalar_one()
                )
                for table in ("audit_events", "claims")
                for right in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
            }
    finally:
        engine.dispose()


# What the documented set-up gives the workstations' role.
DOCUMENTED_RIGHTS = {
    "audit_events SELECT": True,
    "audit_events INSERT": True,
    "audit_events UPDATE": False,
    "audit_events DELETE": False,
    "audit_events TRUNCATE": False,
    "claims SELECT": True,
    "claims INSERT": True,
    "claims UPDATE": True,
    "claims DELETE": True,
    "claims TRUNCATE": False,
}


@pytest.mark.parametrize("kind", ["pg_dump", "portable"])
def test_a_restore_by_the_owner_keeps_the_workstations_rights_as_documented(
    office_roles: tuple[str, str], tmp_path: Path, kind: str
) -> None:
    """A restore makes the tables again, as the owner: its default privileges hand the
    workstations' role every right on them, UPDATE and DELETE on audit_events included. The
    restore takes those two back, as the documented set-up did."""
    from claimdesk.storage import server_backup
    from claimdesk.storage.backup import restore

    owner_url, app_url = office_roles
    assert _workstation_rights(owner_url, app_url) == DOCUMENTED_RIGHTS
    app = open_database(app_url)
    try:
        open_case(as_user(app, clock=pinned_clock()))
    finally:
        app.dispose()
    owner = open_database(owner_url)
    try:
        saved = tmp_path / "office.backup"
        if kind == "pg_dump":
            made = server_backup.backup_server(owner, saved)
            assert made.format == "pg_dump"
        else:
            server_backup.export_sqlite(owner, saved)
        restored = restore(owner, saved, tmp_path / "backups")
        assert restored.claims == 1
    finally:
        owner.dispose()
    assert _workstation_rights(owner_url, app_url) == DOCUMENTED_RIGHTS
    app = open_database(app_url)
    try:
        assert as_user(app, clock=pinned_clock()).audit.verify().ok
    finally:
        app.dispose()

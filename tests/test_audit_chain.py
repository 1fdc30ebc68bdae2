"""The tamper-evident audit trail: every event chained to the one before, files included.

The tampering is done as someone with sqlite3 and the file would do it: the append-only
triggers dropped, then rows updated, deleted or rewritten with fresh hashes.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from claimdesk.errors import DocumentAlteredError
from claimdesk.models.enums import Role
from claimdesk.services import Services
from claimdesk.services.demo import load_demo
from claimdesk.storage import Database, audit_chain, open_database
from claimdesk.storage.audit_chain import GENESIS, EventFields, event_hash
from tests.builders import full_case
from tests.pinned import pinned_clock
from tests.signin import as_user, signed_in

SCHEMA = Path(__file__).parent / "resources" / "schema"
# The sample of the schema that brought the chain: demo data written by the chaining code.
CHAINED_SAMPLE = SCHEMA / "0009.sqlite"
UNCHAINED_SAMPLES = sorted(p for p in SCHEMA.glob("*.sqlite") if p.stem < "0009")


def rows(path: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql, args).fetchall()
    finally:
        connection.close()


def tamper(path: Path, *statements: str) -> None:
    """Edit the file as an outsider would: triggers off, the statements, committed."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        connection.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


@pytest.fixture
def sample(tmp_path: Path) -> Iterator[tuple[Path, Services]]:
    """A copy of the demo database; its services on the pinned clock."""
    path = tmp_path / "claimdesk.sqlite"
    shutil.copy(CHAINED_SAMPLE, path)
    db = open_database(f"sqlite:///{path}", backup_dir=tmp_path / "backups")
    yield path, as_user(db, "Auditor", clock=pinned_clock())
    db.dispose()


def recompute(path: Path) -> list[tuple[int, str, str, str]]:
    """(id, stored prev, stored hash, recomputed hash) for every event, read independently."""
    db = open_database(f"sqlite:///{path}")
    try:
        with db.engine.connect() as connection:
            found = connection.execute(
                text(
                    "SELECT id, occurred_at, user_id, action, entity, entity_id, claim_id, "
                    "detail, content_sha256, prev_hash, event_hash FROM audit_events ORDER BY id"
                ).columns(occurred_at=audit_chain.UTCDateTime())
            ).all()
    finally:
        db.dispose()
    return [
        (r.id, r.prev_hash, r.event_hash, event_hash(EventFields(*r[:9]), r.prev_hash))
        for r in found
    ]


def test_every_change_links_to_the_one_before_in_its_own_transaction(
    services: Services, db_path: Path
) -> None:
    claim_id = full_case(services)
    events = recompute(db_path)
    assert len(events) > 10
    prev = GENESIS
    for event_id, stored_prev, stored, computed in events:
        assert stored_prev == prev, f"event {event_id} does not point at the one before"
        assert stored == computed, f"event {event_id}'s hash is not its fields' hash"
        prev = stored
    assert [e[0] for e in events] == list(range(1, len(events) + 1))
    assert services.audit.head() == prev
    # A change that fails writes neither its row nor its event: the chain has no gap.
    with pytest.raises(Exception, match="no case"):
        services.claims.add_note(claim_id + 99, "note on a missing case")
    services.claims.add_note(claim_id, "after the failed one")
    after = recompute(db_path)
    assert after[-1][1] == prev and len(after) == len(events) + 1
    assert services.audit.verify().ok


def test_an_attached_file_sha256_is_in_its_event(services: Services, db_path: Path) -> None:
    claim_id = full_case(services)
    data = b"%PDF-1.4 not really, but bytes"
    document = services.documents.attach(claim_id, "report.txt", data)
    (digest,) = rows(
        db_path,
        "SELECT content_sha256 FROM audit_events WHERE entity = 'document' AND entity_id = ?",
        document.id,
    )[0]
    assert digest == hashlib.sha256(data).hexdigest()


def test_verify_passes_on_freshly_loaded_demo_data(services: Services) -> None:
    load_demo(services)
    check = services.audit.verify()
    assert check.ok, check.problem
    assert check.events > 100 and check.documents > 10
    assert check.head == services.audit.head() and len(check.short_head) == 16


def test_an_altered_row_is_reported_with_its_id_and_time(sample: tuple[Path, Services]) -> None:
    path, services = sample
    assert services.audit.verify().ok
    (when,) = rows(path, "SELECT occurred_at FROM audit_events WHERE id = 57")[0]
    tamper(path, "UPDATE audit_events SET detail = 'nothing' WHERE id = 57")
    check = services.audit.verify()
    assert not check.ok and check.event_id == 57
    assert check.problem is not None
    assert check.problem.startswith(f"event 57 ({str(when)[:19]} UTC): it was altered")


def test_a_deleted_row_is_reported(sample: tuple[Path, Services]) -> None:
    path, services = sample
    tamper(path, "DELETE FROM audit_events WHERE id = 80")
    check = services.audit.verify()
    assert check.event_id == 81
    assert check.problem is not None and "event 80 is missing" in check.problem


def test_a_row_rewritten_with_a_fresh_hash_breaks_the_next_link(
    sample: tuple[Path, Services],
) -> None:
    path, services = sample
    (prev,) = rows(path, "SELECT prev_hash FROM audit_events WHERE id = 30")[0]
    tamper(path, "UPDATE audit_events SET user_id = NULL WHERE id = 30")
    (event,) = [e for e in recompute(path) if e[0] == 30]
    tamper(path, f"UPDATE audit_events SET event_hash = '{event[3]}' WHERE id = 30")
    assert event[1] == prev
    check = services.audit.verify()
    assert check.event_id == 31
    assert check.problem is not None and "does not follow event 30" in check.problem


def rechain(path: Path) -> None:
    """Recompute every link from the first, as someone covering an edit would."""
    db = open_database(f"sqlite:///{path}")
    try:
        with db.engine.connect() as connection:
            found = connection.execute(
                text(
                    "SELECT id, occurred_at, user_id, action, entity, entity_id, claim_id, "
                    "detail, content_sha256 FROM audit_events ORDER BY id"
                ).columns(occurred_at=audit_chain.UTCDateTime())
            ).all()
    finally:
        db.dispose()
    links = list(audit_chain.chain_existing(EventFields(*r) for r in found))
    connection = sqlite3.connect(path)
    try:
        connection.executemany(
            "UPDATE audit_events SET prev_hash = ?, event_hash = ? WHERE id = ?",
            [(link.prev_hash, link.event_hash, link.id) for link in links],
        )
        connection.commit()
    finally:
        connection.close()


def test_a_trail_rewritten_to_its_end_is_caught_by_a_printed_head(
    sample: tuple[Path, Services],
) -> None:
    """Whoever rewrites every later hash too gets a chain that verifies on its own, but the
    code printed on an earlier backup or packet is no longer in it."""
    path, services = sample
    printed = services.audit.short_head()
    assert services.audit.contains(printed)
    tamper(path, "UPDATE audit_events SET detail = 'forged' WHERE id = 12")
    assert services.audit.verify().event_id == 12
    rechain(path)
    assert services.audit.verify().ok  # the chain alone cannot tell
    assert not services.audit.contains(printed)


def test_a_swapped_file_and_its_stored_hash_are_caught(sample: tuple[Path, Services]) -> None:
    path, services = sample
    (document_id, claim_id) = rows(path, "SELECT id, claim_id FROM documents ORDER BY id")[3]
    forged = b"%PDF-1.4 a different report"
    digest = hashlib.sha256(forged).hexdigest()
    connection = sqlite3.connect(path)
    try:
        connection.execute(
            "UPDATE document_contents SET data = ? WHERE document_id = ?", (forged, document_id)
        )
        connection.execute("UPDATE documents SET sha256 = ? WHERE id = ?", (digest, document_id))
        connection.commit()
    finally:
        connection.close()
    (attached_at,) = rows(
        path,
        "SELECT id FROM audit_events WHERE entity = 'document' AND entity_id = ? "
        "AND content_sha256 IS NOT NULL ORDER BY id DESC",
        document_id,
    )[0]
    check = services.audit.verify()
    assert check.event_id == attached_at
    assert check.problem is not None and f"document {document_id}" in check.problem
    assert "is not the file attached then" in check.problem
    # Serving it is refused with a message that says what happened and what to do.
    with pytest.raises(DocumentAlteredError, match=r"not the file attached on .*restore a backup"):
        services.documents.content(document_id)
    # The other documents of the case are served as before.
    others = [d for d in services.documents.documents(int(str(claim_id))) if d.id != document_id]
    assert others and services.documents.content(others[0].id)


def test_a_document_added_outside_claimdesk_is_reported(sample: tuple[Path, Services]) -> None:
    path, services = sample
    data = b"planted"
    connection = sqlite3.connect(path)
    try:
        template = connection.execute("SELECT * FROM documents ORDER BY id LIMIT 1").fetchone()
        names = [d[0] for d in connection.execute("SELECT * FROM documents").description]
        values = dict(zip(names, template, strict=True))
        values.update(id=999, sha256=hashlib.sha256(data).hexdigest(), original_name="x.pdf")
        connection.execute(
            f"INSERT INTO documents ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
            list(values.values()),
        )
        connection.execute(
            "INSERT INTO document_contents (document_id, data) VALUES (999, ?)", (data,)
        )
        connection.commit()
    finally:
        connection.close()
    check = services.audit.verify()
    assert check.problem == (
        "The file of document 999 ('x.pdf') was never recorded in the audit trail "
        "(it was added outside ClaimDesk)"
    )
    with pytest.raises(DocumentAlteredError, match="never recorded in the audit trail"):
        services.documents.content(999)


def test_an_imported_case_files_enter_the_chain(services: Services, tmp_path: Path) -> None:
    claim_id = full_case(services)
    exported = services.exchange.export_case(claim_id)
    new_id = services.exchange.import_case(exported)
    for document in services.documents.documents(new_id):
        assert services.documents.content(document.id)
    assert services.audit.verify().ok


@pytest.mark.parametrize("old", UNCHAINED_SAMPLES, ids=lambda p: p.stem)
def test_an_upgraded_database_verifies(old: Path, tmp_path: Path) -> None:
    path = tmp_path / "claimdesk.sqlite"
    shutil.copy(old, path)
    (events_before,) = rows(path, "SELECT count(*) FROM audit_events")[0]
    db = open_database(f"sqlite:///{path}", backup_dir=tmp_path / "backups")
    try:
        services = as_user(db, "Upgrader", clock=pinned_clock())
        check = services.audit.verify()
        assert check.ok, check.problem
        (documents,) = rows(path, "SELECT count(*) FROM documents")[0]
        assert check.documents == documents > 0
        # The old rows were chained in id order, none added but for files with no event.
        assert check.events >= events_before
        for document in services.documents.documents(services.claims.list_claims()[0].id):
            assert services.documents.content(document.id)
        # Still append-only, and a new change links after the old rows.
        triggers = {r[0] for r in rows(path, "SELECT name FROM sqlite_master WHERE type='trigger'")}
        assert {"audit_events_no_update", "audit_events_no_delete"} <= triggers
        head = services.audit.head()
        services.claims.add_note(services.claims.list_claims()[0].id, "after the upgrade")
        (prev,) = rows(path, "SELECT prev_hash FROM audit_events ORDER BY id DESC LIMIT 1")[0]
        assert prev == head and services.audit.verify().ok
    finally:
        db.dispose()


def test_on_an_encrypted_database_an_altered_row_is_reported(tmp_path: Path) -> None:
    """The tampering done with the data key, as someone holding a password could; the backup
    of the encrypted file carries the same head."""
    from claimdesk.paths import sqlite_url
    from claimdesk.storage import keys, sqlfile

    path = tmp_path / "office" / "claimdesk.sqlite"
    data_key, _ = keys.create_key_file(path, "ana", "pw")
    services = Services.open(sqlite_url(path), signed_in("ana"), key=data_key, clock=pinned_clock())
    try:
        full_case(services)
        assert services.audit.verify().ok
        result = services.backups.backup(tmp_path / "backup.sqlite")
        assert result.chain_head == services.audit.head()
        connection = sqlfile.connect(path, data_key)
        try:
            connection.execute("DROP TRIGGER audit_events_no_update")
            connection.execute("UPDATE audit_events SET user_id = NULL WHERE id = 5")
            connection.commit()
        finally:
            connection.close()
        check = services.audit.verify()
        assert check.event_id == 5
        assert check.problem is not None and check.problem.startswith("event 5 (")
    finally:
        services.close()


def test_two_writers_at_once_never_fork_or_refuse(db: Database) -> None:
    """Two sessions appending together: each links after the head it read under the chain's
    lock (SQLite's IMMEDIATE transaction, PostgreSQL's advisory lock). Without the lock both
    would read one head and the second insert would fail on the event's id."""
    import threading

    first = as_user(db, "One", clock=pinned_clock())
    claim_id = full_case(first)
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def write(name: str) -> None:
        services = as_user(db, name, clock=pinned_clock(), role=Role.CASEWORKER)
        services.context.principal  # noqa: B018 - made before the race, not inside it
        start.wait()
        try:
            for n in range(25):
                services.claims.add_note(claim_id, f"{name} {n}")
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=write, args=(name,)) for name in ("Ana", "Ben")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    check = first.audit.verify()
    assert check.ok, check.problem
    notes = [e for e in first.audit.events(claim_id, limit=1000) if e.entity == "note"]
    assert {e.user for e in notes} >= {"Ana", "Ben"} and len(notes) >= 50


@pytest.mark.parametrize(
    ("statements", "message"),
    [
        (
            ("UPDATE audit_events SET detail = 'forged' WHERE id = 57",),
            r"audit trail was changed outside ClaimDesk \(event 57 \(2026-.* UTC\): it was altered",
        ),
        (
            (
                "UPDATE document_contents SET data = x'00' WHERE document_id = 3",
                "UPDATE documents SET sha256 = "
                "'6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d' WHERE id = 3",
            ),
            r"the file of document 3 \('.*'\) was recorded with SHA-256 [0-9a-f]{16}…",
        ),
    ],
    ids=["row altered", "file and hash swapped"],
)
def test_restore_refuses_a_backup_whose_chain_is_broken(
    services: Services, db_path: Path, tmp_path: Path, statements: tuple[str, ...], message: str
) -> None:
    from claimdesk.errors import StorageError
    from claimdesk.storage.backup import restore

    full_case(services, "Still Here")
    copy = tmp_path / "backup.sqlite"
    shutil.copy(CHAINED_SAMPLE, copy)
    # A careful forger puts the append-only triggers back, so the schema checks pass.
    triggers = rows(copy, "SELECT sql FROM sqlite_master WHERE name LIKE 'audit_events_no_%'")
    tamper(copy, *statements, *(str(sql) for (sql,) in triggers))
    head = services.audit.head()
    with pytest.raises(StorageError, match=message) as raised:
        restore(services.db, copy, tmp_path / "backups")
    assert str(raised.value).endswith("The current database was left untouched.")
    assert [c.claimant_name for c in services.claims.list_claims()] == ["Still Here"]
    assert services.audit.head() == head and services.audit.verify().ok


def test_the_upgrade_chains_existing_rows_on_either_backend(db: Database) -> None:
    """Down to 0008 (the chain's columns gone, rows written since kept) and up again: the
    rows are chained in id order, with each file's SHA-256, on SQLite and on PostgreSQL
    (whose append-only trigger is disabled for the fill and enabled again)."""
    from alembic import command

    from claimdesk.storage.migrate import alembic_config, code_head, ensure_schema

    services = as_user(db, "Before", clock=pinned_clock())
    claim_id = full_case(services)
    events = services.audit.events(claim_id, limit=1000)
    config = alembic_config()
    with db.write_connection() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008")
        connection.commit()
    assert ensure_schema(db, back_up=False).after == code_head()
    check = services.audit.verify()
    assert check.ok, check.problem
    assert [e.id for e in services.audit.events(claim_id, limit=1000)] == [e.id for e in events]
    for document in services.documents.documents(claim_id):
        assert services.documents.content(document.id)
    # Still append-only on both backends.
    with pytest.raises(Exception, match="append-only"), db.write() as session:
        session.execute(text("UPDATE audit_events SET action = 'x'"))

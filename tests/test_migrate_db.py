"""Moving a whole office between SQLite and a PostgreSQL server (``claimdesk migrate-db``):
every table, the audit chain intact, documents' bytes, ids that do not collide afterwards."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from claimdesk.cli import main
from claimdesk.errors import StorageError
from claimdesk.services import Services
from claimdesk.storage import keys, open_database, transfer
from tests import postgres
from tests.builders import full_case
from tests.signin import as_user

ADMIN = "Test Caseworker"


@pytest.fixture
def empty_server_db(postgres_server: str) -> Iterator[str]:
    """A database just created on the server, with nothing in it (as 'createdb' makes)."""
    with postgres.fresh_database(postgres_server, empty=True) as url:
        yield url


def office(url: str) -> Services:
    services = as_user(open_database(url), ADMIN)
    full_case(services, "Maria Lopez")
    full_case(services, "Ana Ruiz")
    return services


def rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every ClaimDesk table, documents' bytes as their SHA-256."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            names = transfer._copied_names(connection)
            found = {}
            for name in names:
                order = "document_id" if name == "document_contents" else "1"
                listed = connection.execute(text(f'SELECT * FROM "{name}" ORDER BY {order}'))
                found[name] = [
                    tuple(
                        hashlib.sha256(bytes(v)).hexdigest()
                        if isinstance(v, (bytes, memoryview))
                        else v
                        for v in row
                    )
                    for row in listed
                ]
            return found
    finally:
        engine.dispose()


def counts(url: str) -> dict[str, int]:
    return {name: len(listed) for name, listed in rows(url).items()}


def test_an_office_moves_from_sqlite_to_the_server_and_back(
    db_path: Path, empty_server_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source_url = f"sqlite:///{db_path}"
    source = office(source_url)
    source.db.dispose()
    before = counts(source_url)
    assert before["documents"] >= 2 and before["audit_events"] > 10 and before["users"] >= 2

    code = main(["--user", ADMIN, "migrate-db", "--from", source_url, "--to", empty_server_db])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Copied 2 cases, 4 documents" in out and "audit trail verifies" in out
    assert counts(empty_server_db) == before

    # The server's copy is ClaimDesk's own: the audit trail verifies, every case opens, and a
    # new case gets an id past the copied ones (the sequences were moved on).
    assert main(["--db", empty_server_db, "--user", ADMIN, "audit", "verify"]) == 0
    server = as_user(open_database(empty_server_db), ADMIN)
    try:
        names = sorted(c.claimant_name for c in server.claims.list_claims())
        assert names == ["Ana Ruiz", "Maria Lopez"]
        case = server.claims.list_claims()[0]
        for document in server.documents.documents(case.id):
            assert len(server.documents.content(document.id)) == document.size_bytes
        new_id = full_case(server, "After The Move")
        assert new_id > max(c.id for c in server.claims.list_claims() if c.id != new_id)
    finally:
        server.db.dispose()
    capsys.readouterr()

    # And back, into a new SQLite file: the same rows again (the new case included).
    back = tmp_path / "back" / "claimdesk.sqlite"
    back_url = f"sqlite:///{back}"
    code = main(["--user", ADMIN, "migrate-db", "--from", empty_server_db, "--to", back_url])
    assert code == 0, capsys.readouterr().err
    assert counts(back_url) == counts(empty_server_db)
    assert main(["--db", back_url, "--user", ADMIN, "audit", "verify"]) == 0
    with sqlite3.connect(back) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_copy_holds_the_same_values(db_path: Path, empty_server_db: str) -> None:
    """Row for row, value for value: times as the same instants, bytes as the same files."""
    source_url = f"sqlite:///{db_path}"
    source = office(source_url)
    try:
        result = source.backups.move_office(empty_server_db)
    finally:
        source.db.dispose()
    assert result.chain_ok is True and result.claims == 2
    copied, original = rows(empty_server_db), rows(source_url)
    for name in ("claims", "documents", "document_contents", "users", "call_log_entries"):
        assert len(copied[name]) == len(original[name])
    assert copied["document_contents"] == original["document_contents"]
    server = as_user(open_database(empty_server_db), ADMIN)
    local = as_user(open_database(source_url), ADMIN)
    try:
        for case in local.claims.list_claims():
            assert server.exchange.export_case(case.id) == local.exchange.export_case(case.id)
    finally:
        server.db.dispose()
        local.db.dispose()


def test_a_target_that_is_not_empty_is_refused_untouched(
    db_path: Path, postgres_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source_url = f"sqlite:///{db_path}"
    office(source_url).db.dispose()
    with postgres.fresh_database(postgres_server) as busy:
        other = as_user(open_database(busy), "Someone Else")
        full_case(other, "Already There")
        other.db.dispose()
        before = counts(busy)
        code = main(["--user", ADMIN, "migrate-db", "--from", source_url, "--to", busy])
        err = capsys.readouterr().err
        assert code == 1
        assert "target database is not empty" in err and "new, empty database" in err
        assert counts(busy) == before
        code = main(["--user", "Someone Else", "migrate-db", "--from", busy, "--to", busy])
        assert code == 1 and "same database" in capsys.readouterr().err
        assert counts(busy) == before


def test_a_sqlite_target_that_is_not_empty_is_refused(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source_url = f"sqlite:///{db_path}"
    office(source_url).db.dispose()
    other = tmp_path / "other.sqlite"
    full_case(as_user(open_database(f"sqlite:///{other}"), ADMIN), "Already There")
    before = counts(f"sqlite:///{other}")
    code = main(["--user", ADMIN, "migrate-db", "--from", source_url, "--to", str(other)])
    assert code == 1 and "not empty" in capsys.readouterr().err
    assert counts(f"sqlite:///{other}") == before
    code = main(["--user", ADMIN, "migrate-db", "--from", source_url, "--to", source_url])
    assert code == 1 and "same database" in capsys.readouterr().err


def test_an_unreachable_server_or_a_wrong_password_is_said_plainly(
    db_path: Path, empty_server_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source_url = f"sqlite:///{db_path}"
    office(source_url).db.dispose()
    nowhere = f"postgresql+psycopg://claimdesk@/office?host={tmp_path}/no-server"
    code = main(["--user", ADMIN, "migrate-db", "--from", source_url, "--to", nowhere])
    assert code == 1 and "server cannot be reached" in capsys.readouterr().err
    missing = postgres.database_url(postgres.need_server(), "no_such_office")
    code = main(["--user", ADMIN, "migrate-db", "--from", source_url, "--to", missing])
    # (The wording of branch pgsetup's connection refusals is accepted too: they merge.)
    assert code == 1
    assert re.search("no such database|no database of that name", capsys.readouterr().err)


def test_a_failed_copy_leaves_the_target_empty(
    db_path: Path, empty_server_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source_url = f"sqlite:///{db_path}"
    source = office(source_url)
    real = transfer._table_check

    def damaged(connection: object, table: object) -> transfer.TableCheck:
        found = real(connection, table)  # type: ignore[arg-type]
        if table.name == "document_contents":  # type: ignore[attr-defined]
            return transfer.TableCheck(found.rows, "0" * 64)
        return found

    monkeypatch.setattr(transfer, "_table_check", damaged)
    file = tmp_path / "new" / "claimdesk.sqlite"
    try:
        with pytest.raises(StorageError, match="copy of table document_contents differs"):
            source.backups.move_office(empty_server_db)
        with pytest.raises(StorageError, match="copy of table document_contents differs"):
            source.backups.move_office(f"sqlite:///{file}")
        assert not file.exists()  # the file made for the copy went with it
    finally:
        source.db.dispose()
    engine = create_engine(empty_server_db)
    try:
        with engine.connect() as connection:
            assert transfer._copied_names(connection) == []  # not even the schema stayed
    finally:
        engine.dispose()


@pytest.mark.manual_setup
def test_an_encrypted_office_moves_with_its_password(
    tmp_path: Path, empty_server_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data-dir", str(tmp_path / "data")]
    assert main([*data, "--user", ADMIN, "setup", "--office"]) == 0
    capsys.readouterr()
    path = tmp_path / "data" / "claimdesk.sqlite"
    assert keys.is_encrypted(path)
    assert main([*data, "--user", ADMIN, "demo", "--yes"]) == 0
    capsys.readouterr()
    # Without an account's password the file cannot be read: said, and nothing is copied.
    code = main(["--user", "Nobody", "migrate-db", "--from", str(path), "--to", empty_server_db])
    assert code == 1 and "Nobody" in capsys.readouterr().err
    assert counts(empty_server_db) == {}
    code = main(["--user", ADMIN, "migrate-db", "--from", str(path), "--to", empty_server_db])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Copied 6 cases" in out
    assert b"Quintero" not in path.read_bytes()  # the source stays encrypted
    assert main(["--db", empty_server_db, "--user", ADMIN, "audit", "verify"]) == 0


def test_an_account_without_the_right_to_build_tables_is_told_whose_it_is(
    db_path: Path, postgres_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    from sqlalchemy.engine import make_url

    role = f"claimdesk_clerk_{os.getpid()}"  # roles are the whole server's: one per process
    source_url = f"sqlite:///{db_path}"
    office(source_url).db.dispose()
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP ROLE IF EXISTS {role}"))
        connection.execute(text(f"CREATE ROLE {role} LOGIN"))
    try:
        with postgres.fresh_database(postgres_server, empty=True) as url:
            clerk = make_url(url).set(username=role)
            target = clerk.render_as_string(hide_password=False)
            code = main(["--user", ADMIN, "migrate-db", "--from", source_url, "--to", target])
            err = capsys.readouterr().err
            assert code == 1 and "account that owns the database" in err
            assert counts(url) == {}
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP ROLE IF EXISTS {role}"))
        admin.dispose()


def test_only_an_administrator_moves_the_office(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from claimdesk.models.enums import Role
    from tests.signin import principal

    source_url = f"sqlite:///{db_path}"
    services = office(source_url)
    principal(services.db, "Casey Worker", Role.CASEWORKER)
    services.db.dispose()
    target = tmp_path / "copy.sqlite"
    code = main(["--user", "Casey Worker", "migrate-db", "--from", source_url, "--to", str(target)])
    err = capsys.readouterr().err
    assert code == 1 and "move the office to another database" in err
    assert not target.exists()

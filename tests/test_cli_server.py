"""`claimdesk --db URL server init` on the test PostgreSQL server, and `server connect` /
`status` / `forget`: a workstation pointed at the server works there until it forgets it."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from claimdesk.cli import main
from claimdesk.services.office_server import SERVER_FILE, saved_connection
from tests import postgres

pytestmark = pytest.mark.manual_setup  # server init sets the database up itself

_roles = itertools.count(1)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@contextmanager
def role(server: str, *, login: bool = True) -> Iterator[str]:
    """A database role of the test's own (roles belong to the whole cluster), dropped after."""
    name = f"r{os.getpid()}_{next(_roles)}"
    with postgres._admin(server) as connection:
        connection.execute(text(f"CREATE ROLE {name} {'LOGIN' if login else 'NOLOGIN'}"))  # type: ignore[attr-defined]
    try:
        yield name
    finally:
        with postgres._admin(server) as connection:
            connection.execute(text(f"DROP OWNED BY {name}"))  # type: ignore[attr-defined]
            connection.execute(text(f"DROP ROLE {name}"))  # type: ignore[attr-defined]


def as_role(url: str, name: str) -> str:
    return make_url(url).set(username=name).render_as_string(hide_password=False)


def tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(
                connection.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                ).scalars()
            )
    finally:
        engine.dispose()


@pytest.fixture
def server() -> str:
    return postgres.need_server()


@pytest.fixture
def empty_db(server: str) -> Iterator[str]:
    with postgres.fresh_database(server, empty=True) as url:
        yield url


@pytest.fixture
def data(tmp_path: Path) -> list[str]:
    return ["--data-dir", str(tmp_path / "data")]


def test_init_makes_the_schema_and_the_first_administrator_then_refuses_a_second_time(
    capsys: pytest.CaptureFixture[str], data: list[str], empty_db: str
) -> None:
    assert tables(empty_db) == []
    code, out, err = run(capsys, *data, "--db", empty_db, "server", "init", "--user", "Ana")
    assert code == 0, err
    assert "Ana is its administrator" in out and "Settings… ▸ Office server" in out
    assert "alembic_version" in tables(empty_db) and "claims" in tables(empty_db)

    # The administrator signs in to it (the password is the one init read).
    code, out, err = run(capsys, *data, "--db", empty_db, "--user", "Ana", "users", "list")
    assert code == 0, err
    assert "Ana" in out and "Administrator" in out

    code, out, err = run(capsys, *data, "--db", empty_db, "server", "init", "--user", "Bo")
    assert code == 1 and "already set up" in err
    code, out, _ = run(capsys, *data, "--db", empty_db, "--user", "Ana", "users", "list")
    assert "Bo" not in out


def test_init_wants_a_server_and_an_administrator(
    capsys: pytest.CaptureFixture[str], data: list[str], tmp_path: Path, empty_db: str
) -> None:
    sqlite = f"sqlite:///{tmp_path / 'local.sqlite'}"
    code, _, err = run(capsys, *data, "--db", sqlite, "server", "init", "--user", "Ana")
    assert code == 1 and "sets up a PostgreSQL database" in err and "claimdesk setup" in err
    assert not (tmp_path / "local.sqlite").exists()
    code, _, err = run(capsys, *data, "--db", empty_db, "server", "init")
    assert code == 1 and "--user" in err
    assert tables(empty_db) == []


def test_init_says_when_the_server_cannot_be_reached(
    capsys: pytest.CaptureFixture[str], data: list[str], tmp_path: Path
) -> None:
    nowhere = f"postgresql+psycopg://claimdesk@/claimdesk?host={tmp_path}"  # no server there
    code, out, err = run(capsys, *data, "--db", nowhere, "server", "init", "--user", "Ana")
    assert code == 1 and out == ""
    assert "cannot be reached" in err and err.count("\n") == 1


def test_init_says_what_to_grant_when_the_user_may_not_create_tables(
    capsys: pytest.CaptureFixture[str], data: list[str], server: str, empty_db: str
) -> None:
    with role(server) as weak:  # the database (and its public schema) belong to postgres
        url = as_role(empty_db, weak)
        code, out, err = run(capsys, *data, "--db", url, "server", "init", "--user", "Ana")
        assert code == 1 and out == ""
        assert f"{weak} may not create tables" in err and f"OWNER TO {weak}" in err
    assert tables(empty_db) == []


def test_init_says_when_the_user_may_not_sign_in_or_the_database_is_missing(
    capsys: pytest.CaptureFixture[str], data: list[str], server: str, empty_db: str
) -> None:
    with role(server, login=False) as locked_out:
        url = as_role(empty_db, locked_out)
        code, _, err = run(capsys, *data, "--db", url, "server", "init", "--user", "Ana")
        assert code == 1 and "no database user of that name that may sign in" in err
    missing = make_url(empty_db).set(database="no_such_office").render_as_string(False)
    code, _, err = run(capsys, *data, "--db", missing, "server", "init", "--user", "Ana")
    assert code == 1 and "no database of that name" in err and "CREATE DATABASE" in err


def test_init_refuses_a_database_holding_other_tables(
    capsys: pytest.CaptureFixture[str], data: list[str], server: str, empty_db: str
) -> None:
    engine = create_engine(empty_db)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id integer)"))
    engine.dispose()
    code, _, err = run(capsys, *data, "--db", empty_db, "server", "init", "--user", "Ana")
    assert code == 1 and "not ClaimDesk's" in err
    assert tables(empty_db) == ["invoices"]


def test_a_workstation_connects_works_on_the_server_then_forgets_it(
    capsys: pytest.CaptureFixture[str],
    data: list[str],
    tmp_path: Path,
    empty_db: str,
) -> None:
    code, _, err = run(capsys, *data, "--db", empty_db, "server", "init", "--user", "Ana")
    assert code == 0, err
    parsed = make_url(empty_db)
    host = parsed.query["host"]
    assert isinstance(host, str)
    where = ["--host", host, "--database", str(parsed.database), "--db-user", "postgres"]

    # The test server trusts its socket: no password to save.
    code, out, err = run(capsys, *data, "server", "connect", *where, "--no-password")
    assert code == 0, err
    assert "ready for ClaimDesk" in out and "now works on" in out
    saved = json.loads((tmp_path / "data" / SERVER_FILE).read_text(encoding="utf-8"))
    assert saved["host"] == host and saved["password"] == "none"

    # Every command without --db now works on the server: a case made here is there.
    code, out, err = run(capsys, *data, "--user", "Ana", "demo", "--yes", "--json")
    assert code == 0, err
    made = {case["case_number"] for case in json.loads(out)}
    code, out, err = run(capsys, "--db", empty_db, "--user", "Ana", "claims", "--json")
    assert {case["case_number"] for case in json.loads(out)} == made
    code, out, err = run(capsys, *data, "server", "status")
    assert code == 0 and "works on the office server" in out and "ready for ClaimDesk" in out

    code, out, err = run(capsys, *data, "server", "forget")
    assert code == 0 and "own database again" in out
    assert saved_connection(tmp_path / "data") is None
    code, out, err = run(capsys, *data, "--user", "Ana", "setup", "--office")
    assert code == 0, err  # this computer's own database: new, so set up afresh
    code, out, err = run(capsys, *data, "--user", "Ana", "claims", "--json")
    assert code == 0 and json.loads(out) == []


def test_connect_saves_nothing_when_the_server_is_not_ready(
    capsys: pytest.CaptureFixture[str], data: list[str], tmp_path: Path, empty_db: str
) -> None:
    parsed = make_url(empty_db)
    host = str(parsed.query["host"])
    where = ["--host", host, "--database", str(parsed.database), "--db-user", "postgres"]
    code, out, err = run(capsys, *data, "server", "connect", *where, "--no-password")
    assert code == 1 and out == ""
    assert "not set up for ClaimDesk yet" in err and "server init" in err
    assert "Nothing was saved" in err
    assert not (tmp_path / "data" / SERVER_FILE).exists()

    code, _, err = run(capsys, *data, "server", "connect", "--host", host, "--port", "99999")
    assert code == 1 and "port must be a number" in err


def test_the_database_password_comes_from_its_file_never_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimdesk.cli import with_server_password

    url = "postgresql+psycopg://claimdesk@office-server/claimdesk"
    assert with_server_password(url) == url  # no file named: libpq looks in pgpass
    secret = tmp_path / "db.txt"
    secret.write_text("pa:ss@word/\n", encoding="utf-8")
    monkeypatch.setenv("CLAIMDESK_SERVER_PASSWORD_FILE", str(secret))
    assert make_url(with_server_password(url)).password == "pa:ss@word/"
    kept = "postgresql+psycopg://claimdesk:typed@office-server/claimdesk"
    assert with_server_password(kept) == kept  # a URL with its own password keeps it
    assert with_server_password("sqlite:///x.sqlite") == "sqlite:///x.sqlite"


@pytest.mark.parametrize(
    ("said", "advice"),
    [
        # What libpq says (psycopg gives these no SQLSTATE), as seen against a real server.
        ("connection to server at \"192.0.2.2\", port 5432 failed: fe_sendauth: no password "
         "supplied", "none was given"),
        ("connection to server at \"192.0.2.2\", port 5432 failed: FATAL:  no pg_hba.conf "
         "entry for host \"192.0.2.2\", user \"claimdesk\", database \"postgres\", no "
         "encryption", "pg_hba.conf"),
        ("connection to server on socket \"/tmp/pg/.s.PGSQL.5432\" failed: FATAL:  role "
         "\"ghost\" does not exist", "no database user of that name"),
        ("connection to server on socket \"/tmp/pg/.s.PGSQL.5432\" failed: FATAL:  database "
         "\"nodb\" does not exist", "no database of that name"),
        ("connection to server at \"192.0.2.2\", port 5432 failed: FATAL:  password "
         "authentication failed for user \"claimdesk\"", "refused the database user or password"),
    ],
)  # fmt: skip
def test_a_refused_connection_is_said_with_what_to_do(said: str, advice: str) -> None:
    import psycopg

    from claimdesk.storage.db import storage_error_for

    message = str(storage_error_for(psycopg.OperationalError(said)))
    assert advice in message and "fe_sendauth" not in message and "FATAL" not in message

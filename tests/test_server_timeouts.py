"""A server that stops answering is given up on, with the usual message, instead of leaving a
connection attempt, a read or a save waiting for ever (storage/db.py SERVER_CONNECTION_OPTIONS).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from claimdesk.errors import ServerUnavailableError
from claimdesk.services import connect
from claimdesk.storage import db as storage_db
from claimdesk.storage.db import server_connection_options
from claimdesk.storage.server_backup import libpq_target
from tests import postgres


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port whose listener takes connections and never says a word: the system completes
    the TCP handshake, so only a time-out of ClaimDesk's own ends the wait for the server."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def test_a_server_that_never_answers_is_given_up_on_and_said_so(
    silent_server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(storage_db.SERVER_CONNECTION_OPTIONS, "connect_timeout", 2)
    url = f"postgresql+psycopg://claimdesk@127.0.0.1:{silent_server}/office"
    outcome: list[BaseException | None] = []

    def open_it() -> None:
        try:
            connect(url).dispose()
            outcome.append(None)
        except BaseException as error:
            outcome.append(error)

    opening = threading.Thread(target=open_it, daemon=True)
    opening.start()
    opening.join(60)  # without the time-out libpq would still be waiting
    assert outcome, "the connection attempt was still waiting for the silent server"
    error = outcome[0]
    assert isinstance(error, ServerUnavailableError), repr(error)
    assert "cannot be reached" in str(error) and "Nothing saved was lost" in str(error)


def test_the_options_are_added_to_a_server_url_unless_it_sets_them() -> None:
    plain = server_connection_options(make_url("postgresql+psycopg://u@office/claims"))
    assert plain == storage_db.SERVER_CONNECTION_OPTIONS
    assert plain["keepalives"] == 1 and plain["tcp_user_timeout"] == 30_000
    own = server_connection_options(
        make_url("postgresql+psycopg://u@office/claims?connect_timeout=30&keepalives_idle=60")
    )
    assert "connect_timeout" not in own and "keepalives_idle" not in own
    assert own["keepalives_count"] == 3
    assert server_connection_options(make_url("sqlite:////tmp/claims.sqlite")) == {}


def test_postgresqls_own_programs_get_the_same_time_outs() -> None:
    """pg_dump and pg_restore (backups, restores, migrate-db) connect with the window's
    time-outs too, and a URL's own setting still wins."""
    conninfo, _ = libpq_target(make_url("postgresql+psycopg://u@office/claims?connect_timeout=4"))
    options = dict(part.split("=", 1) for part in conninfo.split())
    assert options["connect_timeout"] == "4"
    assert options["keepalives_idle"] == "15" and options["tcp_user_timeout"] == "30000"


def test_the_windows_connection_to_the_server_carries_them(postgres_server: str) -> None:
    with postgres.fresh_database(postgres_server) as url:
        db = connect(url)
        try:
            with db.engine.connect() as link:
                driver = link.connection.driver_connection
                assert driver is not None
                dsn = dict(part.split("=", 1) for part in driver.info.dsn.split())
        finally:
            db.dispose()
    assert dsn["connect_timeout"] == "10"
    assert dsn["keepalives"] == "1" and dsn["keepalives_idle"] == "15"
    assert dsn["keepalives_interval"] == "5" and dsn["keepalives_count"] == "3"
    assert dsn["tcp_user_timeout"] == "30000"

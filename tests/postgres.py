"""The PostgreSQL server the tests run against: scripts/test starts a throwaway cluster
(scripts/pg-server) and names it in CLAIMDESK_TEST_POSTGRES; each test gets a database of its
own, copied from a template migrated once per run."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SERVER_ENV = "CLAIMDESK_TEST_POSTGRES"
TEMPLATE = "claimdesk_template"
_numbers = itertools.count(1)


def server_url() -> str | None:
    """The server's maintenance database (``postgres``), when the test command started one."""
    return os.environ.get(SERVER_ENV) or None


def need_server() -> str:
    url = server_url()
    if url is None:
        pytest.skip(f"no PostgreSQL server: run the tests with scripts/test (it sets {SERVER_ENV})")
    return url


def database_url(server: str, name: str) -> str:
    return make_url(server).set(database=name).render_as_string(hide_password=False)


@contextmanager
def _admin(server: str) -> Iterator[object]:
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def make_template(server: str) -> None:
    """A database at the schema head, which every test's database is copied from."""
    from claimdesk.storage import open_database

    with _admin(server) as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)"))  # type: ignore[attr-defined]
        connection.execute(text(f"CREATE DATABASE {TEMPLATE}"))  # type: ignore[attr-defined]
    open_database(database_url(server, TEMPLATE)).dispose()


@contextmanager
def fresh_database(server: str, *, empty: bool = False) -> Iterator[str]:
    """A new database of the test's own (a copy of the template, or ``empty``), dropped after."""
    name = f"t{os.getpid()}_{next(_numbers)}"
    with _admin(server) as connection:
        template = "template0" if empty else TEMPLATE
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))  # type: ignore[attr-defined]
    try:
        yield database_url(server, name)
    finally:
        with _admin(server) as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))  # type: ignore[attr-defined]


SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "pg-server"


class Cluster:
    """A PostgreSQL cluster of the test's own (scripts/pg-server), which it may stop and start
    again under a window; never the suite's shared server."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.server = _pg_server("start", folder).strip()

    def pause(self) -> None:
        """Stop the server (fast shutdown: every connection is cut), keeping its data."""
        _pg_server("pause", self.folder)

    def resume(self) -> None:
        _pg_server("resume", self.folder)

    def remove(self) -> None:
        _pg_server("stop", self.folder)


def _pg_server(command: str, folder: Path) -> str:
    done = subprocess.run(
        [str(SCRIPT), command, str(folder)], capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(f"scripts/pg-server {command} failed: {done.stderr.strip()}")
    return done.stdout


@contextmanager
def own_cluster() -> Iterator[Cluster]:
    """A throwaway cluster in a short temp folder (its unix socket's path must stay under
    about 100 characters), removed afterwards; skipped when the suite has no PostgreSQL."""
    need_server()
    parent = Path(tempfile.mkdtemp(prefix="cdpg-", dir="/tmp"))
    parent.chmod(0o711)  # run as root, the cluster belongs to `postgres`, who must get in
    folder = parent / "cluster"
    cluster = Cluster(folder)
    try:
        yield cluster
    finally:
        cluster.remove()
        parent.rmdir()


def hold_reconnecting(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """A gate the change listeners (storage/notify.py) pass before each connection: set, they
    connect as usual; cleared, they wait, so a test can commit while nobody listens."""
    from claimdesk.storage import notify

    gate = threading.Event()
    gate.set()
    real = notify.ServerListener._connect

    def gated(listener: notify.ServerListener) -> Any:
        if not gate.wait(120):
            raise TimeoutError("the test never let the listener reconnect")
        return real(listener)

    monkeypatch.setattr(notify.ServerListener, "_connect", gated)
    return gate


def load_sample(url: str, sample: Path, work: Path) -> None:
    """Build the empty server database ``url`` at the revision of the sample SQLite database
    ``sample`` (tests/resources/schema/REV.sqlite) and copy its rows in, as 'migrate-db' does.
    The sample is read from a copy in ``work``: opening it would change the committed file."""
    from claimdesk.paths import sqlite_url
    from claimdesk.storage import Database, transfer
    from claimdesk.storage.db import create_database_engine

    copy = work / f"sample-{sample.stem}.sqlite"
    shutil.copy(sample, copy)
    source = create_database_engine(sqlite_url(copy))
    target = Database(create_database_engine(url))
    try:
        with source.connect() as reading, target.write_connection() as writing:
            transfer.create_schema(writing, sample.stem)
            transfer.copy_database(reading, writing)
            writing.commit()
    finally:
        source.dispose()
        target.dispose()

"""The PostgreSQL server the tests run against: scripts/test starts a throwaway cluster
(scripts/pg-server) and names it in CLAIMDESK_TEST_POSTGRES; each test gets a database of its
own, copied from a template migrated once per run."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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

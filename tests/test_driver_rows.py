"""Reads run on the driver's own connection (storage/db.py ``driver_rows``, the search's hot
path) return what SQLAlchemy would, and their errors come out as SQLAlchemy's, so the
storage layer words them for the user as it words every other."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import exc

from claimdesk.errors import StorageError
from claimdesk.paths import sqlite_url
from claimdesk.storage import Database, open_database
from claimdesk.storage.db import driver_rows


def test_rows_come_back_as_sqlalchemy_returns_them(db: Database) -> None:
    with db.read_connection() as connection:
        expected = connection.exec_driver_sql("SELECT id, case_number FROM claims").all()
        assert driver_rows(connection, "SELECT id, case_number FROM claims") == [
            tuple(row) for row in expected
        ]


def test_a_driver_error_is_raised_as_sqlalchemy_wraps_it(db: Database) -> None:
    with db.engine.connect() as connection, pytest.raises(exc.DBAPIError) as caught:
        driver_rows(connection, "SELECT nothing FROM no_such_table")
    assert isinstance(caught.value.orig, connection.dialect.loaded_dbapi.Error)
    assert "no_such_table" in str(caught.value)


def test_operational_trouble_on_the_driver_reaches_the_user_as_storage_trouble(
    tmp_path: Path,
) -> None:
    db = open_database(sqlite_url(tmp_path / "office.sqlite"), backup_dir=tmp_path)
    try:
        # FTS5 refuses the statement when it runs (sqlite3.OperationalError), as it would
        # refuse a damaged index
        with pytest.raises(StorageError), db.read_connection() as connection:
            driver_rows(connection, "SELECT rowid FROM search_fts WHERE search_fts MATCH '\"'")
    finally:
        db.dispose()

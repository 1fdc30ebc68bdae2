"""Shared fixtures: a fresh database in a temp folder, and services acting as a test user."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# GUI tests draw off screen; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from claimdesk.services import Services
from claimdesk.storage import Database, open_database

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "claimdesk.sqlite"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = open_database(f"sqlite:///{db_path}")
    yield database
    database.dispose()


@pytest.fixture
def services(db: Database) -> Services:
    return Services(db, "Test Caseworker")

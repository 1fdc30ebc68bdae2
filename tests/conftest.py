"""Shared fixtures: a fresh database in a temp folder, a pinned clock, and services acting as a
test user on that clock."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale

# GUI tests draw off screen; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from claimdesk.clock import FixedClock
from claimdesk.services import Services
from claimdesk.services.accounts import (
    DatabaseMode,
    database_mode,
    set_up_office,
    set_up_personal,
    use_hasher,
)
from claimdesk.storage import Database, open_database
from claimdesk.storage.keys import KdfParameters, new_data_key
from tests import postgres
from tests.pinned import pinned_clock
from tests.signin import FAST_HASHER, TEST_PASSWORD, as_user

# Screens write days in the system locale (claimdesk/gui/dates.py); tests pin Qt's "C" locale,
# where they write ClaimDesk's own "Wed 21 Oct 2026", whatever the machine's LANG says. A test
# of another locale sets it with QLocale.setDefault and puts this one back.
QLocale.setDefault(QLocale.c())

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """argon2id at its cheapest parameters, so signing in costs the suite nothing (tests of
    the parameters themselves install the hasher they need)."""
    previous = use_hasher(FAST_HASHER)
    yield
    use_hasher(previous)


@pytest.fixture(autouse=True)
def cli_signs_in(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every command signs in (claimdesk/cli.py): the CLI run in-process finds the test
    password in $CLAIMDESK_PASSWORD_FILE, and a database not set up yet is set up first (as
    'claimdesk setup' would: an office whose administrator is --user, else a personal one).
    Tests of set-up and sign-in themselves are marked ``manual_setup``."""
    folder = tmp_path_factory.mktemp("password")
    secret = folder / "password.txt"
    secret.write_text(TEST_PASSWORD + "\n", encoding="utf-8")
    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", str(secret))
    monkeypatch.setenv("CLAIMDESK_NEW_PASSWORD_FILE", str(secret))
    monkeypatch.delenv("CLAIMDESK_USER", raising=False)
    if request.node.get_closest_marker("manual_setup"):
        return
    import claimdesk.cli

    opened = claimdesk.cli.open_database_for

    def set_up_if_new(args: Any, paths: Any, key: bytes | None = None) -> Any:
        db = opened(args, paths, key)
        if database_mode(db) is DatabaseMode.NEW:
            name = claimdesk.cli.account_typed(args)
            if name:
                set_up_office(db, name, TEST_PASSWORD, pinned_clock())
            else:
                set_up_personal(db, "CLI Tester", TEST_PASSWORD, pinned_clock())
        return db

    monkeypatch.setattr(claimdesk.cli, "open_database_for", set_up_if_new)


@pytest.fixture(scope="session", autouse=True)
def collect_on_the_main_thread() -> Iterator[None]:
    """As the window does (claimdesk/gui/collector.py): no automatic collection, which could
    run in a worker thread and free the GUI thread's Qt objects there (a segfault)."""
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def collect_between_tests() -> Iterator[None]:
    """The garbage a test left is collected here, on the main thread, as the thresholds say."""
    yield
    young, middle, old = gc.get_count()
    threshold = gc.get_threshold()
    if young > threshold[0]:
        gc.collect(2 if old > threshold[2] else 1 if middle > threshold[1] else 0)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The services and the CLI are tested on both backends: every test that uses ``db`` (or
    ``services``) runs on SQLite and on PostgreSQL, except the GUI's and those that work on
    the SQLite file itself (they ask for ``db_path``) or are marked ``sqlite_only``."""
    if "backend" not in metafunc.fixturenames:
        return
    sqlite_only = (
        "db_path" in metafunc.fixturenames
        or metafunc.module.__name__.rpartition(".")[2].startswith("test_gui")
        or metafunc.definition.get_closest_marker("sqlite_only") is not None
    )
    backends = ["sqlite"] if sqlite_only else ["sqlite", "postgresql"]
    metafunc.parametrize("backend", backends, indirect=True, scope="function")


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The test server, its template database made (migrated) once per run."""
    server = postgres.need_server()
    postgres.make_template(server)
    return server


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A new, empty ClaimDesk database of the test's own, on the backend it runs on."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'claimdesk.sqlite'}"
        return
    server = request.getfixturevalue("postgres_server")
    with postgres.fresh_database(server) as url:
        yield url


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "claimdesk.sqlite"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture(autouse=True)
def pinned_default_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Services built without a clock (the CLI, run in-process) get a pinned one too, so no
    test reads the wall clock: `claimdesk demo` in a test numbers its cases CD-2026-...
    whatever year the machine says it is."""
    monkeypatch.setattr("claimdesk.services.context.SystemClock", pinned_clock)


@pytest.fixture(autouse=True)
def cheap_key_wrapping(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wrapping a data key costs argon2id's 64 MiB and 0.3 s by design; tests wrap with the
    cheapest parameters (each wrapped copy records its own, so unwrapping is unchanged)."""
    monkeypatch.setattr("claimdesk.storage.keys.KDF", KdfParameters(1, 1024, 1))


@pytest.fixture(params=["plain", "encrypted"])
def storage_key(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bytes | None:
    """Run a test on a plain and on an encrypted (SQLCipher) database: the data key, or None.

    Worker processes (tests/workers) get it through the environment."""
    from tests.workers.common import KEY_ENV

    if request.param == "plain":
        monkeypatch.delenv(KEY_ENV, raising=False)
        return None
    key = new_data_key()
    monkeypatch.setenv(KEY_ENV, key.hex())
    return key


@pytest.fixture
def clock() -> FixedClock:
    """The test's clock: 2026-11-04 10:00 at UTC-5 (tests/pinned.py) until the test moves it."""
    return pinned_clock()


@pytest.fixture
def services(db: Database, clock: FixedClock) -> Services:
    return as_user(db, "Test Caseworker", clock=clock)

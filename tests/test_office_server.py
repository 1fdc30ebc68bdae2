"""A workstation's saved office server: the connection file holds no password; the password
goes to the system keyring where there is one, else to the pgpass file libpq reads."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from keyring.backend import KeyringBackend
from sqlalchemy.engine import make_url

from claimdesk.errors import StorageError, ValidationError
from claimdesk.services import office_server
from claimdesk.services.office_server import (
    SERVER_FILE,
    PasswordPlace,
    ServerConnection,
    checked_connection,
    forget_connection,
    pgpass_line,
    save_connection,
    saved_connection,
    saved_database_url,
    try_connection,
    write_pgpass,
)
from tests import postgres


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps its secrets in a dict (what a desktop's keyring does, in memory)."""

    priority = 5  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@pytest.fixture
def pgpass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The pgpass file libpq reads in this test (never the user's own)."""
    path = tmp_path / "home" / ".pgpass"
    monkeypatch.setenv("PGPASSFILE", str(path))
    return path


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring() -> Any:
    import keyring

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


OFFICE = ServerConnection("office-server", 5432, "claimdesk", "claimdesk")


def test_without_a_keyring_the_password_goes_to_pgpass_readable_by_the_user_alone(
    tmp_path: Path, pgpass: Path, no_keyring: None
) -> None:
    saved = save_connection(tmp_path / "data", OFFICE, "s3cret")
    assert saved.password_place is PasswordPlace.PGPASS
    assert pgpass.read_text(encoding="utf-8") == "office-server:5432:claimdesk:claimdesk:s3cret\n"
    assert stat.S_IMODE(pgpass.stat().st_mode) == 0o600
    record = (tmp_path / "data" / SERVER_FILE).read_text(encoding="utf-8")
    assert "s3cret" not in record and json.loads(record)["password"] == "pgpass"
    assert stat.S_IMODE((tmp_path / "data" / SERVER_FILE).stat().st_mode) == 0o600
    # libpq finds the password itself: the URL carries none.
    url = saved_database_url(tmp_path / "data")
    assert url is not None and make_url(url).password is None
    assert saved_connection(tmp_path / "data") == saved


def test_pgpass_escapes_colons_and_backslashes_and_replaces_only_its_own_line(
    pgpass: Path, no_keyring: None
) -> None:
    pgpass.parent.mkdir()
    pgpass.write_text(
        "other:5432:*:someone:keep me\n"
        "office-server:5432:claimdesk:claimdesk:old password\n"
        "office-server:5432:claimdesk:claimdesk2:not ours either\n",
        encoding="utf-8",
    )
    pgpass.chmod(0o644)
    write_pgpass(OFFICE, r"a:b\c")
    assert pgpass.read_text(encoding="utf-8").splitlines() == [
        "other:5432:*:someone:keep me",
        "office-server:5432:claimdesk:claimdesk2:not ours either",
        r"office-server:5432:claimdesk:claimdesk:a\:b\\c",
    ]
    assert stat.S_IMODE(pgpass.stat().st_mode) == 0o600
    odd = ServerConnection(r"C:\srv", 5433, "case:files", "ana")
    assert pgpass_line(odd, "pw") == r"C\:\\srv:5433:case\:files:ana:pw"
    with pytest.raises(ValidationError, match="line break"):
        write_pgpass(OFFICE, "two\nlines")


def test_libpq_reads_the_pgpass_line_written_for_the_test_server(
    tmp_path: Path, pgpass: Path, no_keyring: None
) -> None:
    server = make_url(postgres.need_server())
    host = str(server.query["host"])
    connection = ServerConnection(host, 5432, str(server.database), str(server.username))
    save_connection(tmp_path / "data", connection, r"pa:ss\word")
    url = saved_database_url(tmp_path / "data")
    assert url is not None
    with psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(False)) as c:
        # PQpass: the password libpq found in the pgpass file for this host, database and user.
        assert c.info.password == r"pa:ss\word"


def test_with_a_keyring_the_password_goes_there_and_nowhere_else(
    tmp_path: Path, pgpass: Path, memory_keyring: MemoryKeyring
) -> None:
    saved = save_connection(tmp_path / "data", OFFICE, "s3cret")
    assert saved.password_place is PasswordPlace.KEYRING
    assert memory_keyring.secrets == {(office_server.KEYRING_SERVICE, OFFICE.key): "s3cret"}
    assert not pgpass.exists()
    assert "s3cret" not in (tmp_path / "data" / SERVER_FILE).read_text(encoding="utf-8")
    url = saved_database_url(tmp_path / "data")
    assert url is not None and make_url(url).password == "s3cret"

    memory_keyring.secrets.clear()  # gone from the keyring: said, not a refused connection
    with pytest.raises(StorageError, match="no longer in the system keyring"):
        saved_database_url(tmp_path / "data")

    save_connection(tmp_path / "data", OFFICE, "again")
    assert forget_connection(tmp_path / "data") is not None
    assert memory_keyring.secrets == {} and saved_connection(tmp_path / "data") is None


def test_a_plain_text_keyring_is_not_used() -> None:
    import keyring

    class PlaintextKeyring(MemoryKeyring):  # as keyrings.alt.file's, which writes a file
        pass

    PlaintextKeyring.__module__ = "keyrings.alt.file"
    previous = keyring.get_keyring()
    keyring.set_keyring(PlaintextKeyring())
    try:
        assert office_server.usable_keyring() is None
    finally:
        keyring.set_keyring(previous)


def test_a_headless_linux_without_a_keyring_backend_falls_back_to_pgpass(tmp_path: Path) -> None:
    # A fresh interpreter with no D-Bus session (no Secret Service): what keyring detects.
    script = (
        "from claimdesk.services.office_server import usable_keyring, store_password, "
        "ServerConnection; print(usable_keyring()); "
        "print(store_password(ServerConnection('h'), 'pw').value)"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PGPASSFILE": str(tmp_path / "pgpass"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "share"),
    }
    if not sys.platform.startswith("linux"):
        pytest.skip("the headless case is Linux's")
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["None", "pgpass"]
    assert (tmp_path / "pgpass").read_text(encoding="utf-8") == "h:5432:claimdesk:claimdesk:pw\n"


def test_what_is_typed_is_checked() -> None:
    assert checked_connection(" srv ", "", "claimdesk", "ana") == ServerConnection(
        "srv", 5432, "claimdesk", "ana"
    )
    for fields, problem in [
        (("", "5432", "db", "u"), "server's name"),
        (("srv", "x", "db", "u"), "port must be"),
        (("srv", "70000", "db", "u"), "port must be"),
        (("srv", "5432", "", "u"), "database's name"),
        (("srv", "5432", "db", " "), "database user"),
    ]:
        with pytest.raises(ValidationError, match=problem):
            checked_connection(*fields)


def test_a_damaged_connection_file_says_how_to_go_on(tmp_path: Path) -> None:
    (tmp_path / SERVER_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(StorageError, match="claimdesk server forget"):
        saved_connection(tmp_path)


def test_the_test_button_says_what_it_found(tmp_path: Path) -> None:
    server = make_url(postgres.need_server())
    host = str(server.query["host"])
    with postgres.fresh_database(str(server.render_as_string(False)), empty=True) as empty:
        name = str(make_url(empty).database)
        check = try_connection(ServerConnection(host, 5432, name, "postgres"), None)
        assert not check.ok and "not set up for ClaimDesk yet" in check.message
    check = try_connection(ServerConnection(str(tmp_path), 5432, "claimdesk", "x"), None)
    assert not check.ok and "cannot be reached" in check.message

"""Settings ▸ Office server: test the connection, save it (the password in pgpass here, no
keyring), start on the saved server the next time, and go back to this computer's database."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from claimdesk.gui.app import saved_or_local
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.gui.session import GuiSession
from claimdesk.gui.settings_dialog import SettingsDialog
from claimdesk.paths import resolve_paths
from claimdesk.services import Services
from claimdesk.services.office_server import SERVER_FILE, saved_connection
from claimdesk.storage import open_database
from tests import postgres
from tests.builders import full_case
from tests.gui_support import make_env
from tests.signin import TEST_PASSWORD, as_user

pytestmark = pytest.mark.manual_setup


@pytest.fixture
def no_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No system keyring (a headless Linux): the password goes to this test's pgpass file."""
    import keyring
    from keyring.backends import fail

    pgpass = tmp_path / "home" / ".pgpass"
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield pgpass
    keyring.set_keyring(previous)


@pytest.fixture
def office_server(postgres_server: str) -> Iterator[str]:
    """An office on the test server: Jordan Reyes its administrator, one case."""
    with postgres.fresh_database(postgres_server) as url:
        db = open_database(url)
        full_case(as_user(db, "Jordan Reyes"), "Maria Lopez")
        db.dispose()
        yield url


def dialog_for(qtbot: QtBot, services: Services, tmp_path: Path, data: Path) -> SettingsDialog:
    dialog = SettingsDialog(make_env(services, tmp_path), "/data/claimdesk.sqlite", data_dir=data)
    qtbot.addWidget(dialog)
    return dialog


def type_server(dialog: SettingsDialog, url: str, password: str = "") -> None:
    box = dialog.server
    assert box is not None
    parsed = make_url(url)
    box.server.setChecked(True)
    box.host.setText(str(parsed.query["host"]))
    box.database.setText(str(parsed.database))
    box.user.setText(str(parsed.username))
    box.password.setText(password)


def outcome_of_test(qtbot: QtBot, dialog: SettingsDialog) -> str:
    box = dialog.server
    assert box is not None
    with qtbot.waitSignal(box.tested, timeout=20_000):
        box.test_button.click()
    return box.outcome.text()


def test_the_office_server_is_tested_saved_and_forgotten(
    qtbot: QtBot, services: Services, tmp_path: Path, office_server: str, no_keyring: Path
) -> None:
    data = tmp_path / "data"
    dialog = dialog_for(qtbot, services, tmp_path, data)
    box = dialog.server
    assert box is not None and box.title() == "Office server"
    assert box.local.isChecked() and not box.host.isEnabled()
    assert "pgpass" in box.password.placeholderText()  # says where the password will go

    type_server(dialog, office_server, "pa:ss\\word")
    assert box.host.isEnabled() and box.test_button.isEnabled()
    assert "✓" in outcome_of_test(qtbot, dialog) and "ready for ClaimDesk" in box.outcome.text()

    assert dialog.apply() is None
    prompts = dialog.env.prompts
    assert isinstance(prompts, RecordingPrompts)
    assert prompts.shown[-1][0] == "info" and "From its next start" in prompts.shown[-1][2]
    saved = saved_connection(data)
    assert saved is not None and saved.database == make_url(office_server).database
    assert "pa:ss" not in (data / SERVER_FILE).read_text(encoding="utf-8")
    assert no_keyring.read_text(encoding="utf-8").endswith(":pa\\:ss\\\\word\n")
    assert stat.S_IMODE(no_keyring.stat().st_mode) == 0o600

    # Opened again: the saved server is shown, and going back to this computer forgets it.
    dialog = dialog_for(qtbot, services, tmp_path, data)
    box = dialog.server
    assert box is not None and box.server.isChecked()
    assert box.host.text() == saved.host and "pgpass" in box.password.placeholderText()
    box.local.setChecked(True)
    assert not box.test_button.isEnabled()
    assert dialog.apply() is None
    prompts = dialog.env.prompts
    assert isinstance(prompts, RecordingPrompts)
    assert "own database again" in prompts.shown[-1][2]
    assert saved_connection(data) is None


def test_the_test_says_what_is_wrong_and_nothing_is_saved_from_a_wrong_field(
    qtbot: QtBot, services: Services, tmp_path: Path, no_keyring: Path
) -> None:
    data = tmp_path / "data"
    dialog = dialog_for(qtbot, services, tmp_path, data)
    box = dialog.server
    assert box is not None
    box.server.setChecked(True)
    box.host.setText(str(tmp_path))  # a socket folder with no server in it
    assert "✗" in outcome_of_test(qtbot, dialog) and "cannot be reached" in box.outcome.text()
    box.host.setText("")
    box.test_button.click()  # said at once, no connection tried
    assert "server's name or address" in box.outcome.text()
    problem = dialog.apply()
    assert problem is not None and "server's name or address" in problem
    assert not (data / SERVER_FILE).exists()


def test_the_window_starts_on_the_saved_server(
    qtbot: QtBot, tmp_path: Path, office_server: str, no_keyring: Path
) -> None:
    paths = resolve_paths(tmp_path / "data")
    parsed = make_url(office_server)
    from claimdesk.services.office_server import ServerConnection, save_connection

    connection = ServerConnection(
        str(parsed.query["host"]), 5432, str(parsed.database), str(parsed.username)
    )
    save_connection(paths.data_dir, connection, None)
    prompts = RecordingPrompts()
    url, local = saved_or_local(paths, prompts)
    assert url is not None and make_url(url).database == parsed.database
    assert local == paths.database_url

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    session = GuiSession(
        url, prompts, data_dir=paths.data_dir, settings=settings, watch_screen=False,
        local_url=local,
    )  # fmt: skip
    try:
        assert session.start()
        window = session.sign_in_window
        assert window is not None and window.isVisible() and session.office
        window.card.name.setText("Jordan Reyes")
        window.card.password.setText(TEST_PASSWORD)
        window.card.button.click()
        main = session.window
        assert main is not None and main.isVisible()
        assert str(parsed.database) in session.location and "postgresql" in session.location
        names = [row.claimant_name for row in main.services.claims.list_claims()]
        assert names == ["Maria Lopez"]  # the server's case, not an empty local file
        assert not paths.database_file.exists()
        dialog = SettingsDialog(main.env, main.location, main, data_dir=main.data_dir)
        qtbot.addWidget(dialog)
        assert dialog.server is not None and dialog.server.server.isChecked()
        assert dialog.findChild(QLabel, "dataValue").text() == session.location  # type: ignore[union-attr]
    finally:
        for shown in (session.window, session.sign_in_window):
            if shown is not None:
                shown.hide()
        session.close()


def test_a_saved_server_that_is_down_offers_this_computers_database(
    qtbot: QtBot, tmp_path: Path, no_keyring: Path
) -> None:
    from claimdesk.services.office_server import ServerConnection, save_connection

    paths = resolve_paths(tmp_path / "data")
    save_connection(paths.data_dir, ServerConnection(str(tmp_path)), None)  # nobody there
    prompts = RecordingPrompts()
    url, local = saved_or_local(paths, prompts)
    assert url is not None and local is not None
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)

    # Declined: nothing opens, the problem is said.
    session = GuiSession(url, prompts, settings=settings, watch_screen=False, local_url=local)
    assert not session.start()
    kinds = [(kind, title) for kind, title, _ in prompts.shown]
    assert kinds == [
        ("confirm", "The office server cannot be opened"),
        ("error", "ClaimDesk cannot start"),
    ]
    assert "cannot be reached" in prompts.shown[0][2]

    # Accepted: this computer's own (new) database, this time only.
    prompts.answers.append(True)
    session = GuiSession(url, prompts, settings=settings, watch_screen=False, local_url=local)
    try:
        assert session.start()
        assert session.first_start is not None and session.database_url == local
        assert saved_connection(paths.data_dir) is not None  # the next start tries again
    finally:
        if session.first_start is not None:
            session.first_start.hide()
        session.close()

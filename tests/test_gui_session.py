"""The GUI session: first start, sign-in, switch user, sign out, and a lock taken over by
someone else, driven through the windows a person would see."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from claimdesk.gui.main_window import MainWindow
from claimdesk.gui.panels.calls import CallsPanel
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.gui.session import GuiSession
from claimdesk.models.enums import Role
from claimdesk.services import connect
from claimdesk.services.accounts import DatabaseMode, database_mode
from claimdesk.storage import Database
from tests.builders import full_case
from tests.signin import TEST_PASSWORD, as_user, personal, principal

pytestmark = pytest.mark.manual_setup


@pytest.fixture
def url(db_path: Path) -> str:
    return f"sqlite:///{db_path}"


@pytest.fixture
def office(db: Database) -> Database:
    """An office: Jordan Reyes its administrator, Sam Ortiz a caseworker, one case."""
    full_case(as_user(db, "Jordan Reyes"), "Maria Lopez")
    principal(db, "Sam Ortiz", Role.CASEWORKER)
    return db


def make_session(qtbot: QtBot, url: str, tmp_path: Path) -> Iterator[GuiSession]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    session = GuiSession(url, RecordingPrompts(), settings=settings, watch_screen=False)
    yield session
    for window in (session.window, session.sign_in_window, session.first_start):
        if window is not None:
            window.hide()
    session.close()


@pytest.fixture
def session(qtbot: QtBot, url: str, tmp_path: Path) -> Iterator[GuiSession]:
    yield from make_session(qtbot, url, tmp_path)


def sign_in(session: GuiSession, name: str, password: str = TEST_PASSWORD) -> None:
    window = session.sign_in_window
    assert window is not None and window.isVisible()
    window.card.name.setText(name)
    window.card.password.setText(password)
    window.card.button.click()


def main_window(session: GuiSession) -> MainWindow:
    assert session.window is not None and session.window.isVisible()
    return session.window


# ---- the first start -------------------------------------------------------------------------


def test_the_first_start_makes_a_personal_database(session: GuiSession, url: str) -> None:
    assert session.start()
    chooser = session.first_start
    assert chooser is not None and chooser.isVisible()
    assert chooser.personal.radio.isChecked()  # the simple case is the default
    assert not chooser.name.isVisible()  # a personal database asks for no name
    chooser.password.setText("correct horse")
    chooser.again.setText("correct horse")
    chooser.create_button.click()
    window = main_window(session)
    assert session.first_start is None
    db = connect(url)
    assert database_mode(db) is DatabaseMode.PERSONAL
    db.dispose()
    assert window.services.principal.role is Role.ADMIN
    assert window.env.office is False


def test_the_first_start_of_an_office_makes_its_administrator(
    session: GuiSession, url: str
) -> None:
    assert session.start()
    chooser = session.first_start
    assert chooser is not None
    chooser.office.radio.setChecked(True)
    assert chooser.name.isVisible()
    chooser.password.setText("correct horse")
    chooser.again.setText("correct horse")
    chooser.create_button.click()
    assert chooser.problem.text() == "Type your name: you will be the office's administrator."
    chooser.name.setText("Jordan Reyes")
    chooser.again.setText("correct hose")
    chooser.create_button.click()
    assert chooser.problem.text() == "The two passwords differ. Type the same password twice."
    assert session.window is None
    chooser.again.setText("correct horse")
    chooser.create_button.click()
    window = main_window(session)
    assert window.services.principal.name == "Jordan Reyes"
    assert window.services.principal.role is Role.ADMIN
    assert window.env.office is True
    db = connect(url)
    assert database_mode(db) is DatabaseMode.OFFICE
    db.dispose()


def test_a_short_password_is_refused_with_the_rule(session: GuiSession) -> None:
    assert session.start()
    chooser = session.first_start
    assert chooser is not None
    chooser.password.setText("short")
    chooser.again.setText("short")
    chooser.create_button.click()
    assert session.window is None
    assert "at least 8" in chooser.problem.text()


# ---- signing in ------------------------------------------------------------------------------


def test_a_personal_database_asks_for_the_password_only(db: Database, session: GuiSession) -> None:
    personal(db, "Maria Lopez")
    assert session.start()
    window = session.sign_in_window
    assert window is not None
    assert not window.card.name.isVisible()
    window.card.password.setText("not it")
    window.card.button.click()
    assert session.window is None
    assert window.card.problem.isVisible()
    assert window.card.problem.text() == (
        "Wrong password for 'Maria Lopez'. Try again (passwords are case-sensitive)."
    )
    assert window.card.password.text() == ""
    window.card.password.setText(TEST_PASSWORD)
    window.card.button.click()
    assert main_window(session).services.principal.name == "Maria Lopez"


def test_an_office_sign_in_names_a_disabled_account(office: Database, session: GuiSession) -> None:
    admin = as_user(office, "Jordan Reyes")
    admin.accounts.disable("Sam Ortiz")
    assert session.start()
    sign_in(session, "Sam Ortiz")
    assert session.window is None
    window = session.sign_in_window
    assert window is not None
    assert window.card.problem.text() == (
        "The account 'Sam Ortiz' is disabled. Ask an administrator to add an account for you."
    )
    sign_in(session, "Nobody Here")
    assert "There is no account 'Nobody Here'" in window.card.problem.text()


def test_forgot_password_on_a_plain_database_says_what_to_do(
    office: Database, session: GuiSession, qtbot: QtBot
) -> None:
    assert session.start()
    from claimdesk.gui.sign_in import RecoveryDialog

    assert session.sign_in_window is not None
    dialog = RecoveryDialog(session._reset_with_recovery, office=True)
    qtbot.addWidget(dialog)
    dialog.key.setPlainText("ABCD-EFGH")
    dialog.name.setText("Jordan Reyes")
    dialog.password.setText("a new password")
    dialog.again.setText("a new password")
    dialog.show()
    dialog.accept()
    assert dialog.isVisible()  # stays open, saying why
    assert "not encrypted, so it has no recovery key" in dialog.problem.text()


# ---- switching user and signing out ----------------------------------------------------------


def test_switch_user_closes_the_cases_and_signs_in_someone_else(
    office: Database, session: GuiSession, qtbot: QtBot
) -> None:
    assert session.start()
    sign_in(session, "Jordan Reyes")
    window = main_window(session)
    claim_id = window.services.claims.list_claims()[0].id
    window.open_case(claim_id)
    window.action("actionSwitchUser").trigger()
    assert session.window is None
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)
    assert session.sign_in_window is not None
    assert session.sign_in_window.card.name.text() == ""  # for someone else
    sign_in(session, "Sam Ortiz")
    new = main_window(session)
    assert new is not window
    assert new.services.principal.name == "Sam Ortiz"
    assert new.current_workspace() is None  # no case of the person before is open


def test_signing_out_with_unsaved_typing_asks_first(
    office: Database, session: GuiSession, qtbot: QtBot
) -> None:
    assert session.start()
    sign_in(session, "Jordan Reyes")
    window = main_window(session)
    window.open_case(window.services.claims.list_claims()[0].id)
    window.log_call()
    workspace = window.current_workspace()
    assert workspace is not None
    panel = workspace.panels["calls"]
    assert isinstance(panel, CallsPanel)
    panel.form.summary.setPlainText("They will call back on Friday")
    prompts = session.prompts
    assert isinstance(prompts, RecordingPrompts)
    prompts.answers = [False]  # Cancel
    window.action("actionSignOut").trigger()
    assert session.window is window and window.isVisible()
    assert panel.form.summary.toPlainText() == "They will call back on Friday"
    prompts.answers = [True]
    window.action("actionSignOut").trigger()
    assert session.window is None
    assert session.sign_in_window is not None and session.sign_in_window.isVisible()


def test_closing_the_sign_in_window_ends_the_program(
    office: Database, session: GuiSession, qtbot: QtBot
) -> None:
    assert session.start()
    assert session.sign_in_window is not None
    with qtbot.waitSignal(session.finished, timeout=3000):
        session.sign_in_window.close()


# ---- the lock, and someone else unlocking ----------------------------------------------------


def test_someone_else_unlocking_gets_a_fresh_window_and_a_note(
    office: Database, session: GuiSession, qtbot: QtBot
) -> None:
    assert session.start()
    sign_in(session, "Jordan Reyes")
    window = main_window(session)
    window.open_case(window.services.claims.list_claims()[0].id)
    window.log_call()
    workspace = window.current_workspace()
    assert workspace is not None
    panel = workspace.panels["calls"]
    assert isinstance(panel, CallsPanel)
    panel.form.summary.setPlainText("Maria's reviewer is Dr Patel")
    lock = session.lock
    assert lock is not None
    lock.watch.timer.timeout.emit()
    assert lock.is_locked and lock.screen is not None
    assert lock.screen.card.name.text() == "Jordan Reyes"
    lock.screen.card.name.setText("Sam Ortiz")
    lock.screen.card.password.setText(TEST_PASSWORD)
    lock.screen.card.button.click()
    qtbot.waitUntil(lambda: session.window is not None and session.window is not window)
    new = main_window(session)
    assert new.services.principal.name == "Sam Ortiz"
    assert new.current_workspace() is None
    prompts = session.prompts
    assert isinstance(prompts, RecordingPrompts)
    assert prompts.shown[-1] == (
        "info",
        "Signed in",
        "Jordan Reyes had typing that was not saved; it was discarded when you signed in. "
        "Their saved work is all there.",
    )
    assert "Dr Patel" not in prompts.shown[-1][2]


def test_the_same_person_unlocking_carries_on(
    office: Database, session: GuiSession, qtbot: QtBot
) -> None:
    assert session.start()
    sign_in(session, "Jordan Reyes")
    window = main_window(session)
    lock = session.lock
    assert lock is not None
    window.action("actionLockNow").trigger()
    assert lock.is_locked and lock.screen is not None
    lock.screen.card.password.setText(TEST_PASSWORD)
    lock.screen.card.button.click()
    assert not lock.is_locked
    assert session.window is window

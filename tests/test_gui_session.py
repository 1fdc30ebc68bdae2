"""The GUI session: first start, sign-in, switch user, sign out, and a lock taken over by
someone else, driven through the windows a person would see."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QLabel
from pytestqt.qtbot import QtBot

from claimdesk.gui.main_window import MainWindow
from claimdesk.gui.panels.calls import CallsPanel
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.gui.recovery_key import RecoveryKeyDialog
from claimdesk.gui.session import GuiSession
from claimdesk.models.enums import Role
from claimdesk.services.accounts import DatabaseMode, database_mode
from claimdesk.storage import Database
from tests.builders import full_case
from tests.gui_support import settled
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
    shown: list[QDialog] = []

    def look(dialog: QDialog) -> bool:  # the recovery key: kept for the test to read
        shown.append(dialog)
        return True

    session.show_recovery = look
    session.recovery_shown = shown  # type: ignore[attr-defined]
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


def test_the_first_start_makes_an_encrypted_personal_database(
    session: GuiSession, db_path: Path
) -> None:
    assert session.start()
    chooser = session.first_start
    assert chooser is not None and chooser.isVisible()
    assert chooser.personal.radio.isChecked()  # the simple case is the default
    assert not chooser.name.isVisible()  # a personal database asks for no name
    assert "recovery key is shown next" in chooser.hint.text()
    chooser.password.setText("correct horse")
    chooser.again.setText("correct horse")
    chooser.create_button.click()
    window = main_window(session)
    assert session.first_start is None
    assert session.db is not None and database_mode(session.db) is DatabaseMode.PERSONAL
    assert window.services.principal.role is Role.ADMIN
    assert window.env.office is False
    # Encrypted from the first byte: no SQLite header, a key file beside it.
    assert not db_path.read_bytes().startswith(b"SQLite format 3")
    assert db_path.with_name(db_path.name + ".keys").exists()
    # The recovery key, shown once, with the plain words, and Continue only once kept.
    (dialog,) = session.recovery_shown  # type: ignore[attr-defined]
    assert isinstance(dialog, RecoveryKeyDialog)
    assert len(dialog.key.replace("-", "").replace(" ", "")) >= 20
    text = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "nobody can recover the data" in text
    assert not dialog.go.isEnabled()
    dialog.kept.setChecked(True)
    assert dialog.go.isEnabled()


def test_the_recovery_key_is_saved_where_the_user_chose(
    session: GuiSession, tmp_path: Path
) -> None:
    assert session.start()
    chooser = session.first_start
    assert chooser is not None
    chooser.password.setText("correct horse")
    chooser.again.setText("correct horse")
    chooser.create_button.click()
    (dialog,) = session.recovery_shown  # type: ignore[attr-defined]
    prompts = session.prompts
    assert isinstance(prompts, RecordingPrompts)
    prompts.answers = [tmp_path / "key.txt", True]
    dialog.save_sheet()
    assert dialog.key in (tmp_path / "key.txt").read_text(encoding="utf-8")
    dialog.print_sheet()
    assert prompts.shown[-1][0] == "print" and dialog.key in prompts.shown[-1][2]


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
    assert session.db is not None and database_mode(session.db) is DatabaseMode.OFFICE


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
    window = main_window(session)
    assert window.services.principal.name == "Maria Lopez"
    assert not window.action("actionSwitchUser").isVisible()  # nobody to switch to
    assert window.action("actionSignOut").isVisible()


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
    settled(workspace)
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
    settled(workspace)
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


# ---- an encrypted database ---------------------------------------------------------------------


@pytest.fixture
def encrypted(url: str) -> str:
    """An encrypted office database: Jordan Reyes its administrator; the recovery key."""
    from claimdesk.services import signin
    from tests.pinned import pinned_clock

    db, _admin, recovery = signin.create(
        url, office=True, name="Jordan Reyes", password=TEST_PASSWORD, clock=pinned_clock()
    )
    db.dispose()
    assert recovery is not None
    return recovery


def test_an_encrypted_database_opens_with_the_password_only(
    encrypted: str, session: GuiSession
) -> None:
    assert session.start()
    assert session.db is None  # nothing can be read before the password
    window = session.sign_in_window
    assert window is not None
    window.card.password.setText("not the password")
    window.card.button.click()
    assert session.window is None
    assert "not right" in window.card.problem.text()
    window.card.password.setText(TEST_PASSWORD)
    window.card.button.click()
    assert main_window(session).services.principal.name == "Jordan Reyes"


def test_the_lock_puts_the_key_away_and_the_password_brings_it_back(
    encrypted: str, session: GuiSession, qtbot: QtBot
) -> None:
    from claimdesk.errors import StorageError

    assert session.start()
    sign_in(session, "")
    window = main_window(session)
    full_case(window.services, "Maria Lopez")
    lock = session.lock
    assert lock is not None and session.db is not None
    lock.lock_now()
    # Once the window's start-up reads and the case just opened have settled.
    qtbot.waitUntil(lambda: lock.key_dropped, timeout=10_000)
    assert session.db.data_key is None
    with pytest.raises(StorageError, match="ClaimDesk is locked"):
        window.services.claims.list_claims()
    assert lock.screen is not None
    lock.screen.card.password.setText(TEST_PASSWORD)
    lock.screen.card.button.click()
    assert not lock.is_locked and session.db.data_key is not None
    assert [c.claimant_name for c in window.services.claims.list_claims()] == ["Maria Lopez"]
    prompts = session.prompts
    assert isinstance(prompts, RecordingPrompts)
    assert not [shown for shown in prompts.shown if shown[0] == "error"]


def test_a_forgotten_password_is_reset_with_the_recovery_key(
    encrypted: str, session: GuiSession, qtbot: QtBot
) -> None:
    from claimdesk.gui.sign_in import RecoveryDialog

    assert session.start()
    dialog = RecoveryDialog(session._reset_with_recovery, office=False)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.key.setPlainText("AAAA-BBBB-CCCC-DDDD")
    dialog.password.setText("a brand new one")
    dialog.again.setText("a brand new one")
    dialog.accept()
    assert dialog.isVisible() and "recovery key is not right" in dialog.problem.text()
    dialog.key.setPlainText(encrypted.lower())  # as typed from the printout
    dialog.accept()
    assert not dialog.isVisible(), dialog.problem.text()
    sign_in(session, "", TEST_PASSWORD)
    assert session.window is None  # the old password opens nothing any more
    sign_in(session, "", "a brand new one")
    assert main_window(session).services.principal.name == "Jordan Reyes"


def test_signing_out_puts_the_key_away_until_the_next_sign_in(
    encrypted: str, session: GuiSession, qtbot: QtBot
) -> None:
    assert session.start()
    sign_in(session, "")
    window = main_window(session)
    qtbot.waitUntil(lambda: window.warmed_up, timeout=10_000)
    window.action("actionSignOut").trigger()
    assert session.db is not None and session.db.data_key is None
    sign_in(session, "", "wrong password")
    assert session.window is None
    sign_in(session, "")
    assert main_window(session).services.claims.list_claims() == []
    assert session.db.data_key is not None


def test_the_lock_minutes_are_a_setting(
    office: Database, session: GuiSession, qtbot: QtBot
) -> None:
    from claimdesk.gui.settings_dialog import SettingsDialog

    assert session.start()
    sign_in(session, "Jordan Reyes")
    window = main_window(session)
    lock = session.lock
    assert lock is not None and lock.minutes == 5  # an office's default

    dialog = SettingsDialog(window.env, window.location, window)
    assert dialog.lock_minutes.value() == 5
    dialog.lock_minutes.setValue(12)
    assert dialog.apply() is None
    window.settings_changed.emit()  # as Settings' OK does
    assert lock.minutes == 12
    assert lock.watch.timer.interval() == 12 * 60_000

"""The window on an encrypted database: nothing is opened before a password unwraps the key;
the sign-in window opens it; the recovery key resets the administrator's password."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from claimdesk.gui.session import GuiSession
from claimdesk.gui.sign_in import RecoveryDialog
from claimdesk.models.enums import Role
from claimdesk.paths import sqlite_url
from claimdesk.services import ClaimInput, connect
from claimdesk.storage import keys
from tests.builders import full_case
from tests.signin import TEST_PASSWORD, as_user, personal, principal
from tests.test_gui_session import make_session

pytestmark = [pytest.mark.manual_setup, pytest.mark.sqlite_only]


def encrypted_database(path: Path, *, office: bool) -> str:
    """A database of one case, encrypted with Jordan Reyes's key (and Sam Ortiz's in an
    office); returns the recovery key."""
    data_key, recovery = keys.create_key_file(path, "Jordan Reyes", TEST_PASSWORD)
    db = connect(sqlite_url(path), key=data_key)
    try:
        if office:
            full_case(as_user(db, "Jordan Reyes"), "Gwendolyn Quarterman")
            principal(db, "Sam Ortiz", Role.CASEWORKER)
            keys.add_account(path, data_key, "Sam Ortiz", TEST_PASSWORD)
        else:
            personal(db, "Jordan Reyes")
            as_user(db, "Jordan Reyes").claims.open_case(
                ClaimInput(
                    claimant_name="Gwendolyn Quarterman",
                    plan_type="erisa_group_health",
                    claim_type="health",
                    country="US",
                    insurer_name="Acme",
                )
            )
    finally:
        db.dispose()
    return recovery


@pytest.fixture
def session(qtbot: QtBot, db_path: Path, tmp_path: Path) -> Iterator[GuiSession]:
    yield from make_session(qtbot, sqlite_url(db_path), tmp_path)


def test_a_personal_encrypted_database_opens_with_the_password_only(
    db_path: Path, session: GuiSession
) -> None:
    encrypted_database(db_path, office=False)
    assert session.start()
    assert session.db is None  # nothing opened before the password
    window = session.sign_in_window
    assert window is not None and not window.card.name.isVisible()
    assert str(db_path) in session.location

    window.card.password.setText("not it")
    window.card.button.click()
    assert session.window is None and session.db is None
    assert "The password for Jordan Reyes is not right" in window.card.problem.text()

    window.card.password.setText(TEST_PASSWORD)
    window.card.button.click()
    assert session.window is not None
    services = session.window.services
    assert services.principal.name == "Jordan Reyes"
    assert services.db.data_key is not None
    assert [c.claimant_name for c in services.claims.list_claims()] == ["Gwendolyn Quarterman"]


def test_an_office_encrypted_database_asks_for_the_name_and_opens_with_any_accounts_password(
    db_path: Path, session: GuiSession
) -> None:
    encrypted_database(db_path, office=True)
    assert session.start()
    window = session.sign_in_window
    assert window is not None and window.card.name.isVisible()
    window.card.name.setText("sam ortiz")  # found whatever the capitals, as sign-in finds it
    window.card.password.setText(TEST_PASSWORD)
    window.card.button.click()
    assert session.window is not None
    assert session.window.services.principal.name == "Sam Ortiz"


def test_the_recovery_key_resets_the_administrators_password_and_rewraps_the_key(
    db_path: Path, session: GuiSession, qtbot: QtBot
) -> None:
    recovery = encrypted_database(db_path, office=True)
    assert session.start()
    dialog = RecoveryDialog(session._reset_with_recovery, office=True)
    qtbot.addWidget(dialog)
    dialog.name.setText("Jordan Reyes")
    dialog.password.setText("a brand new password")
    dialog.again.setText("a brand new password")
    dialog.key.setPlainText("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH")
    dialog.show()
    dialog.accept()
    assert dialog.isVisible() and "recovery key is not right" in dialog.problem.text()

    dialog.key.setPlainText(recovery.lower().replace("-", " "))
    dialog.accept()
    assert not dialog.isVisible()
    # The new password opens the file (its key re-wrapped) and signs in.
    data_key = keys.unlock(db_path, "Jordan Reyes", "a brand new password")
    assert keys.unlock_with_recovery(db_path, recovery) == data_key
    window = session.sign_in_window
    assert window is not None
    window.card.name.setText("Jordan Reyes")
    window.card.password.setText("a brand new password")
    window.card.button.click()
    assert session.window is not None


def test_the_recovery_key_resets_only_an_administrators_password(
    db_path: Path, session: GuiSession, qtbot: QtBot
) -> None:
    recovery = encrypted_database(db_path, office=True)
    assert session.start()
    dialog = RecoveryDialog(session._reset_with_recovery, office=True)
    qtbot.addWidget(dialog)
    dialog.key.setPlainText(recovery)
    dialog.name.setText("Sam Ortiz")
    dialog.password.setText("a brand new password")
    dialog.again.setText("a brand new password")
    dialog.show()
    dialog.accept()
    assert dialog.isVisible() and "resets an administrator's password" in dialog.problem.text()
    assert keys.unlock(db_path, "Sam Ortiz", TEST_PASSWORD)  # unchanged

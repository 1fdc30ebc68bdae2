"""File ▸ Encrypt this database: the password checked in the dialog, the conversion off the GUI
thread, the recovery key shown once, and the window closing so ClaimDesk starts again."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from claimdesk.gui.encryption import EncryptDialog
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.gui.recovery_key import RecoveryKeyDialog
from claimdesk.paths import sqlite_url
from claimdesk.services import Services
from claimdesk.storage import encrypt, keys
from claimdesk.storage.keys import SQLITE_MAGIC
from tests.builders import full_case
from tests.gui_support import threads_calling
from tests.signin import TEST_PASSWORD, signed_in
from tests.test_gui import make_window

pytestmark = pytest.mark.sqlite_only


def test_the_dialog_says_what_is_missing_before_it_lets_the_conversion_start(
    qtbot: QtBot,
) -> None:
    dialog = EncryptDialog("Ana")
    qtbot.addWidget(dialog)
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "Type your password" in dialog.problem.text()
    dialog.password.setText("a long password")
    dialog.accept()
    assert "Tick “I understand”" in dialog.problem.text()
    dialog.understood.setChecked(True)
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_encrypting_from_the_window_shows_the_recovery_key_once_and_closes(
    qtbot: QtBot, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full_case(services, "Gwendolyn Quarterman")
    path = services.sqlite_path
    assert path is not None
    window = make_window(qtbot, services, tmp_path)
    qtbot.waitUntil(lambda: window.warmed_up, timeout=20_000)  # as a person's click would
    window.form.menuFile.aboutToShow.emit()  # type: ignore[attr-defined]
    assert window.action("actionEncrypt").isVisible()
    seen = threads_calling(monkeypatch, encrypt, "encrypt_database")

    def run_dialog(dialog: QDialog) -> bool:
        assert isinstance(dialog, EncryptDialog)
        dialog.password.setText(TEST_PASSWORD)  # the signed-in account's
        dialog.understood.setChecked(True)
        return True

    window.run_dialog = run_dialog
    window.action("actionEncrypt").trigger()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30_000)

    assert seen and seen[0] is not threading.main_thread()
    # Nothing went wrong meanwhile (no reader hit the file mid-way): the recovery key, then
    # the one message.
    (key_shown, (kind, title, message)) = window.prompts.shown  # type: ignore[attr-defined]
    assert key_shown[0] == "recovery key"
    recovery = key_shown[2]
    assert (kind, title) == ("info", "Encrypted") and "start it again" in message
    assert path.read_bytes()[:16] != SQLITE_MAGIC
    assert b"Quarterman" not in path.read_bytes()
    data_key = keys.unlock(path, services.user_name, TEST_PASSWORD)
    assert keys.unlock_with_recovery(path, recovery) == data_key
    reopened = Services.open(sqlite_url(path), signed_in(services.user_name), key=data_key)
    assert [c.claimant_name for c in reopened.claims.list_claims()] == ["Gwendolyn Quarterman"]
    reopened.close()


def test_the_recovery_key_dialog_closes_only_once_the_key_is_kept(qtbot: QtBot) -> None:
    dialog = RecoveryKeyDialog(
        "6S04-7DB2-DVYJ-1SWP-QCYB-7PY3-R42M-NT9V", "claimdesk.sqlite", RecordingPrompts()
    )
    qtbot.addWidget(dialog)
    assert dialog.shown.text() == "6S04-7DB2-DVYJ-1SWP\nQCYB-7PY3-R42M-NT9V"
    assert not dialog.go.isEnabled()
    dialog.reject()  # Esc does not skip it
    dialog.kept.setChecked(True)
    assert dialog.go.isEnabled()


def test_an_encrypted_database_is_not_offered_encryption_again(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "enc" / "claimdesk.sqlite"
    data_key, _ = keys.create_key_file(path, "ana", TEST_PASSWORD)
    services = Services.open(sqlite_url(path), signed_in("ana"), key=data_key)
    try:
        window = make_window(qtbot, services, tmp_path)
        window.form.menuFile.aboutToShow.emit()  # type: ignore[attr-defined]
        assert not window.action("actionEncrypt").isVisible()
        window.close()
    finally:
        services.close()

"""Tools ▸ Accounts: an administrator manages the office's accounts; anyone changes their own
password."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox, QDialog
from pytestqt.qtbot import QtBot

from claimdesk.errors import SignInError
from claimdesk.gui.accounts_dialog import AccountsDialog, AddAccountDialog, PasswordDialog
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.models.enums import Role
from claimdesk.services import Services
from claimdesk.services.accounts import sign_in
from tests.gui_support import make_env
from tests.signin import TEST_PASSWORD, as_user


def open_dialog(qtbot: QtBot, services: Services, tmp_path: Path) -> AccountsDialog:
    dialog = AccountsDialog(make_env(services, tmp_path))
    qtbot.addWidget(dialog)
    return dialog


def answering(dialog: AccountsDialog, fill: Callable[[QDialog], None]) -> list[QDialog]:
    """Let ``fill`` type into the next dialogs and accept them (then stop answering)."""
    seen: list[QDialog] = []

    def run(inner: QDialog) -> bool:
        seen.append(inner)
        if len(seen) > 3:
            return False  # refused again and again: give up, as Cancel would
        fill(inner)
        return True

    dialog.run_dialog = run
    return seen


def rows(dialog: AccountsDialog) -> list[tuple[str, ...]]:
    table = dialog.table
    return [
        tuple(table.item(r, c).text() for c in range(table.columnCount()))  # type: ignore[union-attr]
        for r in range(table.rowCount())
    ]


def select(dialog: AccountsDialog, name: str) -> None:
    for row in range(dialog.table.rowCount()):
        if dialog.table.item(row, 0).text() == name:  # type: ignore[union-attr]
            dialog.table.selectRow(row)
            return
    raise AssertionError(name)


def test_an_administrator_adds_an_account(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, services, tmp_path)
    assert rows(dialog) == [(services.user_name, "", "Administrator", "Enabled")]
    assert not dialog.add_button.isHidden() and not dialog.only_assigned.isHidden()

    def fill(inner: QDialog) -> None:
        assert isinstance(inner, AddAccountDialog)
        inner.name.setText("Ana  Ruiz")
        inner.role.setCurrentIndex(inner.role.findData(Role.VOLUNTEER))
        inner.new.setText("ana pass phrase")
        inner.again.setText("ana pass phrase")

    answering(dialog, fill)
    dialog.add_button.click()
    assert ("Ana Ruiz", "", "Volunteer (read only)", "Enabled") in rows(dialog)
    assert dialog.current is not None and dialog.current.name == "Ana Ruiz"
    assert sign_in(services.db, "Ana Ruiz", "ana pass phrase").role is Role.VOLUNTEER


def test_a_refused_account_keeps_the_form_with_the_typing(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, services, tmp_path)
    prompts = dialog.env.prompts
    assert isinstance(prompts, RecordingPrompts)

    def fill(inner: QDialog) -> None:
        assert isinstance(inner, AddAccountDialog)
        if not inner.name.text():
            inner.name.setText("Ana Ruiz")
            inner.new.setText("short")
            inner.again.setText("short")
        elif inner.new.text() == "short":
            inner.new.setText("long enough now")
            inner.again.setText("long enough but different")
        else:
            inner.again.setText("long enough now")

    seen = answering(dialog, fill)
    dialog.add_button.click()
    assert len(seen) == 3 and len({id(d) for d in seen}) == 1  # the same form each time
    assert [m[0] for m in prompts.shown] == ["error", "error"]
    assert "at least 8 characters" in prompts.shown[0][2]
    assert "differ" in prompts.shown[1][2]
    assert sign_in(services.db, "Ana Ruiz", "long enough now").name == "Ana Ruiz"


def test_an_administrator_resets_a_password_changes_a_role_and_disables(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    as_user(services.db, "Ana Ruiz", role=Role.CASEWORKER)
    dialog = open_dialog(qtbot, services, tmp_path)
    prompts = dialog.env.prompts
    assert isinstance(prompts, RecordingPrompts)
    select(dialog, "Ana Ruiz")
    assert dialog.password_button.text() == "Reset &password…"

    def reset(inner: QDialog) -> None:
        assert isinstance(inner, PasswordDialog) and inner.current is None
        inner.new.setText("reset by admin")
        inner.again.setText("reset by admin")

    answering(dialog, reset)
    dialog.password_button.click()
    assert sign_in(services.db, "Ana Ruiz", "reset by admin").name == "Ana Ruiz"

    def to_admin(inner: QDialog) -> None:
        role = inner.findChild(QComboBox)
        assert role is not None
        role.setCurrentIndex(role.findData(Role.ADMIN))

    answering(dialog, to_admin)
    dialog.role_button.click()
    assert ("Ana Ruiz", "", "Administrator", "Enabled") in rows(dialog)

    prompts.answers = [True]  # yes, disable
    dialog.disable_button.click()
    assert ("Ana Ruiz", "", "Administrator", "Disabled") in rows(dialog)
    assert not dialog.password_button.isEnabled() and not dialog.disable_button.isEnabled()
    with pytest.raises(SignInError, match="disabled"):
        sign_in(services.db, "Ana Ruiz", "reset by admin")


def test_ones_own_row_cannot_be_disabled_or_demoted(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, services, tmp_path)
    select(dialog, services.user_name)
    assert not dialog.disable_button.isEnabled() and not dialog.role_button.isEnabled()
    assert dialog.password_button.text() == "Change my &password…"


def test_a_caseworker_sees_only_their_own_account_and_changes_its_password(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    ana = as_user(services.db, "Ana Ruiz", role=Role.CASEWORKER)
    dialog = open_dialog(qtbot, ana, tmp_path)
    assert [r[0] for r in rows(dialog)] == ["Ana Ruiz"]
    assert dialog.add_button.isHidden() and dialog.disable_button.isHidden()
    assert not dialog.only_assigned.isEnabled()

    def change(inner: QDialog) -> None:
        assert isinstance(inner, PasswordDialog) and inner.current is not None
        inner.current.setText(TEST_PASSWORD)
        inner.new.setText("my own new words")
        inner.again.setText("my own new words")

    answering(dialog, change)
    dialog.password_button.click()
    assert sign_in(services.db, "Ana Ruiz", "my own new words").name == "Ana Ruiz"


def test_the_office_setting_is_a_checkbox(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, services, tmp_path)
    assert dialog.only_assigned.isEnabled() and not dialog.only_assigned.isChecked()
    dialog.only_assigned.setChecked(True)
    assert services.accounts.only_assigned()
    dialog.only_assigned.setChecked(False)
    assert not services.accounts.only_assigned()


@pytest.mark.parametrize(
    ("role", "greyed"),
    [
        (Role.ADMIN, set()),
        (Role.CASEWORKER, {"actionBackup", "actionRestore", "actionEncrypt"}),
        (
            Role.VOLUNTEER,
            {
                *("actionNewCase", "actionNewCaseFromLetter", "actionLogCall"),
                *("actionWriteLetter", "actionImportCase", "actionLoadDemo"),
                *("actionRemoveSamples", "actionExportCase", "actionExportPacket"),
                *("actionExportCalendar", "actionBackup", "actionRestore", "actionEncrypt"),
            },
        ),
    ],
)
def test_the_window_greys_out_what_the_role_may_not_do(
    qtbot: QtBot, services: Services, tmp_path: Path, role: Role, greyed: set[str]
) -> None:
    from claimdesk.gui.main_window import ROLE_ACTIONS
    from claimdesk.services.demo import load_demo
    from tests.test_gui import make_window

    load_demo(services)  # sample cases: Remove sample cases is offered to those who may
    person = services if role is Role.ADMIN else as_user(services.db, "Someone", role=role)
    window = make_window(qtbot, person, tmp_path)
    window.database.update_sample_action()
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=5000)  # counted off the GUI thread
    every = {name for names, _ in ROLE_ACTIONS.values() for name in names}
    assert {name for name in every if not window.action(name).isEnabled()} == greyed
    if greyed:
        tip = window.action(sorted(greyed)[0]).toolTip()
        assert tip.startswith(f"A {role.label.lower()} account cannot")

"""Tools ▸ Accounts: the office's accounts, their roles and passwords, and its one policy.

Administrators add accounts, change roles, reset passwords and disable accounts here; anyone
changes their own password. The services decide what is allowed (services/accounts.py): a
refusal comes back as their message, shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.dialogs import FormDialog, run_modal
from claimdesk.gui.env import GuiEnv
from claimdesk.models.enums import Role
from claimdesk.services.accounts import AccountRecord, DatabaseMode, Right

HEADERS = ("Account", "Name shown", "Role", "State")


def state_text(account: AccountRecord) -> str:
    if account.active:
        return "Enabled"
    return "Disabled" if account.disabled_at is not None else "No password yet"


class PasswordDialog(FormDialog):
    """A new password typed twice (and, for one's own, the current one first)."""

    def __init__(self, title: str, *, current: bool = False, parent: QWidget | None = None):
        super().__init__(title, parent)
        self.rows_before()
        self.current = self._password("Current password") if current else None
        self.new = self._password("New password")
        self.again = self._password("Type it again")
        hint = QLabel("At least 8 characters; a few words make a password easy to remember.")
        hint.setWordWrap(True)
        self.form.addRow(hint)
        self.finish()

    def rows_before(self) -> None:
        """Rows above the passwords (none here)."""

    def _password(self, label: str) -> QLineEdit:
        edit = self.line(label)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        return edit

    def problem(self) -> str:
        """What stops the password being used, or ''."""
        if self.new.text() != self.again.text():
            return "The two new passwords differ; type them again."
        return ""


class AddAccountDialog(PasswordDialog):
    """The new account's name, role and first password (they change it later)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Add an account", parent=parent)

    def rows_before(self) -> None:
        self.name = self.line("Account name")
        self.shown = self.line("Name shown")
        self.shown.setPlaceholderText("optional: how the name is shown, if not as typed above")
        self.role = self.choice("Role", [(r.label, r) for r in Role])
        self.role.setCurrentIndex(self.role.findData(Role.CASEWORKER))


class AccountsDialog(QDialog):
    """The accounts in a table, what may be done to the chosen one in buttons beside it."""

    def __init__(self, env: GuiEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.accounts = env.services.accounts
        self.principal = env.services.principal
        self.admin = self.principal.may(Right.ADMINISTER)
        self.office = self.accounts.mode() is DatabaseMode.OFFICE
        self.setWindowTitle("Accounts")
        self.resize(760, 440)
        # Tests replace this to fill a dialog instead of showing it.
        self.run_dialog: Callable[[QDialog], bool] = run_modal
        self._records: list[AccountRecord] = []

        intro = QLabel(
            "Everyone signs in with their own account, and what they record is attributed to "
            "them. Accounts are never deleted: a disabled account keeps its history."
            if self.office
            else "This is a personal database: one account, signed in with its password."
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setAccessibleName("Accounts")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.add_button = self._button("&Add account…", self.add)
        self.role_button = self._button("Change &role…", self.change_role)
        self.password_button = self._button("&Password…", self.change_password)
        self.disable_button = self._button("&Disable…", self.disable)
        buttons = QVBoxLayout()
        for button in (self.add_button, self.role_button, self.password_button):
            buttons.addWidget(button)
        buttons.addWidget(self.disable_button)
        buttons.addStretch(1)
        for button in (self.add_button, self.role_button, self.disable_button):
            button.setVisible(self.admin and self.office)

        self.only_assigned = QCheckBox("Caseworkers see and change only the cases assigned to them")
        self.only_assigned.setToolTip("Applies to each caseworker from their next sign-in")
        self.only_assigned.setVisible(self.office)
        self.only_assigned.setEnabled(self.admin)
        self.only_assigned.setChecked(self.office and self.accounts.only_assigned())
        self.only_assigned.toggled.connect(self._set_only_assigned)

        middle = QHBoxLayout()
        middle.addWidget(self.table, 1)
        middle.addLayout(buttons)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(middle, 1)
        layout.addWidget(self.only_assigned)
        layout.addWidget(close)
        self.reload()

    def _button(self, text: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(slot)
        return button

    # ---- the table -----------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        chosen = select or (self.current.name if self.current else self.principal.name)
        records = self.accounts.accounts()
        if not self.admin:
            records = [r for r in records if r.id == self.principal.user_id]
        self._records = records
        self.table.setRowCount(len(records))
        for row, record in enumerate(records):
            cells = (record.name, record.display_name, record.role.label, state_text(record))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if not record.active:
                    item.setForeground(self.palette().placeholderText())
                self.table.setItem(row, column, item)
            if record.name == chosen:
                self.table.selectRow(row)
        self.table.resizeColumnToContents(0)
        self._update_buttons()

    @property
    def current(self) -> AccountRecord | None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        if len(rows) != 1:
            return None
        row = rows.pop()
        return self._records[row] if 0 <= row < len(self._records) else None

    def _update_buttons(self) -> None:
        record = self.current
        usable = record is not None and record.disabled_at is None
        own = record is not None and record.id == self.principal.user_id
        self.role_button.setEnabled(usable and not own)
        self.disable_button.setEnabled(usable and not own)
        self.password_button.setEnabled(usable and (own or self.admin))
        self.password_button.setText(
            "Change my &password…" if own else "Reset &password…" if self.admin else "&Password…"
        )

    # ---- actions -------------------------------------------------------------------------

    def _try(self, title: str, action: Callable[[], object]) -> bool:
        try:
            action()
        except ClaimDeskError as error:
            self.env.prompts.error(self, title, str(error))
            return False
        return True

    def add(self) -> None:
        dialog = AddAccountDialog(self)
        while self.run_dialog(dialog):
            problem = dialog.problem()
            if problem:
                self.env.prompts.error(self, "Cannot add the account", problem)
                continue
            if self._try(
                "Cannot add the account",
                lambda: self.accounts.add(
                    dialog.name.text(),
                    dialog.role.currentData(),
                    dialog.new.text(),
                    dialog.shown.text() or None,
                ),
            ):
                self.reload(" ".join(dialog.name.text().split()))
                break
        dialog.deleteLater()

    def change_role(self) -> None:
        record = self.current
        if record is None:
            return
        dialog = FormDialog(f"Role of {record.name}", self)
        role = dialog.choice("Role", [(r.label, r) for r in Role])
        role.setCurrentIndex(role.findData(record.role))
        note = QLabel("The new role applies from the account's next sign-in.")
        note.setWordWrap(True)
        dialog.form.addRow(note)
        dialog.finish()
        if self.run_dialog(dialog) and self._try(
            "Cannot change the role",
            lambda: self.accounts.set_role(record.name, role.currentData()),
        ):
            self.reload(record.name)
        dialog.deleteLater()

    def change_password(self) -> None:
        record = self.current
        if record is None:
            return
        own = record.id == self.principal.user_id
        title = "Change my password" if own else f"New password for {record.name}"
        dialog = PasswordDialog(title, current=own, parent=self)
        while self.run_dialog(dialog):
            problem = dialog.problem()
            if problem:
                self.env.prompts.error(self, "The password was not changed", problem)
                continue
            old = dialog.current.text() if dialog.current is not None else None
            if self._try(
                "The password was not changed",
                lambda old=old: self.accounts.change_password(  # type: ignore[misc]
                    record.name, dialog.new.text(), old
                ),
            ):
                self.env.prompts.info(
                    self, "Password changed", f"The password of {record.name} is changed."
                )
                break
        dialog.deleteLater()

    def disable(self) -> None:
        record = self.current
        if record is None:
            return
        if not self.env.prompts.confirm(
            self,
            f"Disable {record.name}?",
            f"{record.name} will no longer be able to sign in. What they recorded stays "
            "attributed to them. A disabled account cannot be enabled again; add a new "
            "account if they come back.",
            "Disable",
        ):
            return
        if self._try("Cannot disable the account", lambda: self.accounts.disable(record.name)):
            self.reload(record.name)

    def _set_only_assigned(self, on: bool) -> None:
        if not self._try("Cannot change the setting", lambda: self.accounts.set_only_assigned(on)):
            self.only_assigned.blockSignals(True)
            self.only_assigned.setChecked(not on)
            self.only_assigned.blockSignals(False)

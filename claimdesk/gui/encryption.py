"""File ▸ Encrypt this database: the password, the conversion off the GUI thread, and the
recovery key shown once.

The conversion (storage/encrypt.py) needs the file to itself, so the window's services close
for it; afterwards the window closes and ClaimDesk starts again, asking for the password.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QWidget,
)

from claimdesk.gui.dialogs import FormDialog, check

if TYPE_CHECKING:
    from claimdesk.gui.main_window import MainWindow
    from claimdesk.services.backups import EncryptResult

NO_RECOVERY = (
    "Without a password or the recovery key, nobody can open the database again: not "
    "ClaimDesk, not its makers."
)


class EncryptDialog(FormDialog):
    """The signed-in person's password (it will open the file), and the warning acknowledged."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__("Encrypt this database", parent)
        intro = QLabel(
            "The database file, its backups and the search index are encrypted, so nobody "
            "can read them without a password. A checked copy is made first; nothing is lost "
            f"if the computer stops half-way.\n\nYour password ({name}'s, the one you sign in "
            "with) will open it. ClaimDesk then shows a recovery key once: print it or write "
            "it down.",
            self,
        )
        intro.setWordWrap(True)
        self.form.insertRow(0, intro)
        self.password = self.line("Your password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        warning = QLabel(NO_RECOVERY, self)
        warning.setWordWrap(True)
        self.form.addRow(warning)
        self.understood = check(self, "I understand")
        self.problem = QLabel("", self)
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.form.addRow(self.problem)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Encrypt")
        self.finish()
        self.setFixedWidth(560)

    def check_input(self) -> str | None:
        """What is wrong with the input, in words; None when it may go ahead (the password
        itself is checked by the service)."""
        if not self.password.text():
            return "Type your password: it is the one that will open the database."
        if not self.understood.isChecked():
            return "Tick “I understand”: there is no other way in."
        return None

    def accept(self) -> None:
        problem = self.check_input()
        if problem is not None:
            self.problem.setText(problem)
            return
        super().accept()


class EncryptAction:
    """File ▸ Encrypt this database, for one main window."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.services = window.services
        self.prompts = window.prompts

    def run(self) -> None:
        from claimdesk.gui.database_actions import is_workspace

        if not self.services.backups.can_encrypt:
            return
        if any(is_workspace(w) and w.has_unsaved_edits() for w in self.window.open_tabs()):
            self.prompts.error(
                self.window,
                "Encrypt this database",
                "An open case has typing that is not saved yet. Save it or close its tab, "
                "then encrypt.",
            )
            return
        dialog = EncryptDialog(self.services.user_name, self.window)
        accepted = self.window.run_dialog(dialog)
        password = dialog.password.text()
        dialog.deleteLater()
        if not accepted:
            return
        for index in reversed(range(self.window.tabs.count())):
            widget = self.window.tabs.widget(index)
            if is_workspace(widget):
                self.window.tabs.removeTab(index)
                widget.deleteLater()
        self._set_enabled(False)
        self.window.statusBar().showMessage("Encrypting the database…")
        self.window.tasks.run(
            lambda: self.services.backups.encrypt(password),
            on_done=self._encrypted,
            on_error=self._failed,
        )

    def _encrypted(self, result: EncryptResult) -> None:
        self.window.statusBar().clearMessage()
        self.prompts.recovery_key(self.window, result.recovery_key, self.window.location)
        others = ""
        if result.accounts_without_key:
            others = (
                "\n\nThe other accounts cannot open it until you set their passwords again "
                "(Tools ▸ Accounts, or 'claimdesk users passwd NAME'): "
                + ", ".join(result.accounts_without_key)
                + "."
            )
        self.prompts.info(
            self.window,
            "Encrypted",
            "The database is encrypted. ClaimDesk closes now: start it again and sign in "
            "with your password. Back up the key file (the database's name with .keys added) "
            "together with the database; 'Back up the database' does that for you." + others,
        )
        self.window.close()

    def _failed(self, error: BaseException) -> None:
        self._set_enabled(True)
        self.window.statusBar().clearMessage()
        self.window.show_error("The database was not encrypted", error)

    def _set_enabled(self, enabled: bool) -> None:
        central = self.window.centralWidget()
        if central is not None:
            central.setEnabled(enabled)
        self.window.menuBar().setEnabled(enabled)

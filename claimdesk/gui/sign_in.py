"""The sign-in window at start, and "Forgot password?": the recovery key sets a new password.

A personal database asks for its password only; an office database for a name and password.
The window only collects what is typed: gui/session.py checks it through the services and
says what went wrong (``show_problem``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QFontDatabase, QIcon, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.credentials import (
    CredentialsCard,
    Desk,
    centred,
    heading_label,
    link_button,
    muted_label,
    problem_label,
)
from claimdesk.paths import resources_dir

# Sets a new password from the recovery key: (recovery key, account name, new password);
# raises a ClaimDeskError saying what is wrong.
Reset = Callable[[str, str, str], None]


class SignInWindow(Desk):
    """The first window on an existing database: who you are, then the case list."""

    submitted = Signal(str, str)  # name, password
    forgot_password = Signal()
    closed = Signal()

    def __init__(
        self, *, office: bool, location: str, name: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.office = office
        self.setWindowTitle("ClaimDesk: sign in")
        self.setWindowIcon(QIcon(str(resources_dir() / "icons" / "claimdesk.svg")))
        self.setObjectName("signInWindow")
        if office:
            subtitle = "Sign in with your own name and password: what you do is recorded as yours."
        else:
            subtitle = "Enter your password to open your cases."
        self.card = CredentialsCard(
            "Sign in to ClaimDesk", subtitle, "Sign in", office=office, name=name
        )
        self.card.submitted.connect(self.submitted)
        self.forgot = link_button("Forgot password?")
        self.forgot.clicked.connect(self.forgot_password)
        self.card.add_link(self.forgot)
        self.where = muted_label(f"Database: {location}")
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.where.setAccessibleName("Database")
        self.card.column.addSpacing(4)
        self.card.column.addWidget(self.where)
        centred(self.card, self)
        self.resize(620, 560)
        self._signed_in = False

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.card.focus_first()

    def show_problem(self, message: str) -> None:
        self.card.set_busy(False)
        self.card.show_problem(message)

    def set_busy(self, busy: bool) -> None:
        self.card.set_busy(busy)

    def signed_in(self) -> None:
        """Close without telling the session the person gave up."""
        self._signed_in = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        if not self._signed_in:
            self.closed.emit()


class RecoveryDialog(QDialog):
    """The recovery key printed at setup, and a new password for the administrator."""

    def __init__(self, reset: Reset, *, office: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._reset = reset
        self.setWindowTitle("Reset the password with the recovery key")
        self.setMinimumWidth(520)
        column = QVBoxLayout(self)
        column.setSpacing(10)
        column.addWidget(heading_label("Forgot your password?", 1.3))
        who = "an administrator's" if office else "your"
        explain = QLabel(
            f"The recovery key shown when this database was set up resets {who} password. "
            "Type it as it was printed (the dashes and spaces do not matter)."
        )
        explain.setWordWrap(True)
        column.addWidget(explain)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.key = QPlainTextEdit()
        self.key.setAccessibleName("Recovery key")
        self.key.setTabChangesFocus(True)
        self.key.setFixedHeight(64)
        self.key.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.name = QLineEdit()
        self.name.setAccessibleName("Administrator's name")
        self.password = _password_field("New password")
        self.again = _password_field("New password again")
        form.addRow("Recovery &key:", self.key)
        if office:
            form.addRow("&Administrator:", self.name)
        else:
            self.name.hide()
        form.addRow("&New password:", self.password)
        form.addRow("&Again:", self.again)
        column.addLayout(form)
        self.problem = problem_label()
        column.addWidget(self.problem)
        note = muted_label(
            "Without the password or the recovery key the cases cannot be opened by anyone."
        )
        note.setAlignment(Qt.AlignmentFlag.AlignLeft)
        column.addWidget(note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Set the new password")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        column.addWidget(self.buttons)

    def accept(self) -> None:
        """Reset the password; the dialog stays open, saying why, when that fails."""
        values = self.values()
        if values is None:
            return
        try:
            self._reset(*values)
        except ClaimDeskError as error:
            self.show_problem(str(error))
            return
        super().accept()

    def values(self) -> tuple[str, str, str] | None:
        """(recovery key, name, new password), or None after saying what is missing."""
        key = " ".join(self.key.toPlainText().split())
        if not key:
            self.show_problem("Type the recovery key.")
            return None
        if self.name.isVisible() and not self.name.text().strip():
            self.show_problem("Type the administrator's name.")
            return None
        if not self.password.text():
            self.show_problem("Choose a new password.")
            return None
        if self.password.text() != self.again.text():
            self.show_problem("The two new passwords differ. Type the same password twice.")
            return None
        return key, self.name.text().strip(), self.password.text()

    def show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.setVisible(bool(message))


def _password_field(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit

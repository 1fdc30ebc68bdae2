"""Settings ▸ Office server: which database this computer works on, the office's server or its
own file, with a "Test connection" button. What is chosen is opened at the next start."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.tasks import TaskRunner
from claimdesk.services import office_server
from claimdesk.services.office_server import (
    ConnectionCheck,
    PasswordPlace,
    ServerConnection,
)


class OfficeServerBox(QGroupBox):
    """The "Office server" part of Settings, over ``services/office_server.py``."""

    tested = Signal(bool)  # a test ended: whether ClaimDesk can work there

    def __init__(self, data_dir: Path, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__("Office server", parent)
        self.setObjectName("officeServerBox")
        self.data_dir = data_dir
        self.tasks = tasks
        try:
            self.saved: ServerConnection | None = office_server.saved_connection(data_dir)
            problem = ""
        except ClaimDeskError as error:
            self.saved, problem = None, str(error)
        layout = QVBoxLayout(self)
        self.local = QRadioButton("This computer's own database")
        self.server = QRadioButton("The office's server (PostgreSQL)")
        self.local.setAccessibleName("Work on this computer's own database")
        self.server.setAccessibleName("Work on the office's server")
        layout.addWidget(self.local)
        layout.addWidget(self.server)
        fields = QFormLayout()
        fields.setObjectName("serverFields")
        saved = self.saved or ServerConnection("")
        self.host = self._line(fields, "Ser&ver:", saved.host, "office-server or 192.168.1.20")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(saved.port)
        self.port.setAccessibleName("Port")
        fields.addRow(_buddy("P&ort:", self.port), self.port)
        self.database = self._line(fields, "&Database:", saved.database, "claimdesk")
        self.user = self._line(fields, "U&ser:", saved.user, "claimdesk")
        self.password = self._line(fields, "Pass&word:", "", self._password_hint())
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        layout.addLayout(fields)
        row = QHBoxLayout()
        self.test_button = QPushButton("&Test connection")
        self.test_button.clicked.connect(self.test)
        row.addWidget(self.test_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.outcome = QLabel(problem)
        self.outcome.setObjectName("serverOutcome")
        self.outcome.setWordWrap(True)
        self.outcome.setAccessibleName("Connection test result")
        layout.addWidget(self.outcome)
        note = QLabel(
            "<small>ClaimDesk opens the database chosen here at its next start. The password "
            "is kept in the system keyring, or where there is none in your pgpass file "
            "(readable by you alone), never in the settings.</small>"
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self._fields = (self.host, self.port, self.database, self.user, self.password)
        self.server.toggled.connect(self._enable)
        (self.server if self.saved is not None else self.local).setChecked(True)
        self._enable(self.saved is not None)

    def _line(self, form: QFormLayout, label: str, value: str, hint: str) -> QLineEdit:
        edit = QLineEdit(value)
        edit.setPlaceholderText(hint)
        edit.setAccessibleName(label.replace("&", "").rstrip(":"))
        form.addRow(_buddy(label, edit), edit)
        return edit

    def _password_hint(self) -> str:
        if self.saved is not None and self.saved.password_place is not PasswordPlace.NONE:
            return f"kept in {self.saved.password_place.label}; type to change it"
        if office_server.usable_keyring() is not None:
            return "kept in the system keyring"
        return "kept in your pgpass file (no system keyring here)"

    def _enable(self, on: bool) -> None:
        for field in self._fields:
            field.setEnabled(on)
        self.test_button.setEnabled(on)

    def typed(self) -> ServerConnection:
        """The connection as typed; a ValidationError naming the field to fix."""
        return office_server.checked_connection(
            self.host.text(), self.port.value(), self.database.text(), self.user.text()
        )

    def test(self) -> None:
        """Try the connection as typed, off the GUI thread (a server that does not answer
        takes seconds); the outcome is shown under the button."""
        try:
            connection = self.typed()
        except ClaimDeskError as error:
            self._show(ConnectionCheck(False, str(error)))
            return
        password = self.password.text() or self._kept_password(connection)
        self.test_button.setEnabled(False)
        self.outcome.setText("Connecting…")
        self.tasks.run(
            lambda: office_server.try_connection(connection, password),
            self._show,
            lambda error: self._show(ConnectionCheck(False, str(error))),
        )

    def _kept_password(self, connection: ServerConnection) -> str | None:
        """The keyring's password for the saved connection, when that is what is tested."""
        if self.saved is None or self.saved.key != connection.key:
            return None
        try:
            return office_server.stored_password(self.saved)
        except ClaimDeskError:
            return None

    def _show(self, check: ConnectionCheck) -> None:
        if not shiboken6.isValid(self):  # Settings was closed while the test ran
            return
        self.test_button.setEnabled(self.server.isChecked())
        mark, colour = ("✓", "#1b7f3b") if check.ok else ("✗", "#b3261e")
        said = _escaped(check.message)
        self.outcome.setText(f"<span style='color:{colour}'>{mark}</span> {said}")
        self.tested.emit(check.ok)

    def apply(self) -> str | None:
        """Save the choice; a sentence saying what changes at the next start, or None when
        nothing did. A ValidationError when what was typed cannot be saved."""
        if self.local.isChecked():
            if self.saved is None:
                return None
            office_server.forget_connection(self.data_dir)
            self.saved = None
            return (
                "From its next start, ClaimDesk on this computer works on its own database "
                "again. The office server's cases stay on the server."
            )
        connection = self.typed()
        password = self.password.text() or None
        if password is None and self.saved is not None and self.saved.key == connection.key:
            return None  # the same server, its password where it was
        self.saved = office_server.save_connection(self.data_dir, connection, password)
        self.password.clear()
        return (
            f"From its next start, ClaimDesk on this computer works on the office server "
            f"({self.saved.label}); the password is in {self.saved.password_place.label}. "
            "Close ClaimDesk and open it again to sign in there."
        )


def _buddy(text: str, field: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(field)
    return label


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

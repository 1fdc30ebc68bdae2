"""The first start of a new database: one person's, or an office's; the first account."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QIcon, QMouseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from claimdesk.gui.credentials import (
    Card,
    Desk,
    app_icon_label,
    centred,
    heading_label,
    muted_label,
    problem_label,
)
from claimdesk.paths import resources_dir


class ChoiceTile(QFrame):
    """A framed choice: a radio button with its name and a sentence; a click anywhere picks it."""

    def __init__(self, title: str, description: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.radio = QRadioButton(title)
        font = self.radio.font()
        font.setBold(True)
        self.radio.setFont(font)
        self.radio.setAccessibleName(title)
        about = QLabel(description)
        about.setWordWrap(True)
        about.setContentsMargins(24, 0, 0, 0)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 10, 12, 10)
        column.setSpacing(4)
        column.addWidget(self.radio)
        column.addWidget(about)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.radio.setChecked(True)
        self.radio.setFocus()
        super().mousePressEvent(event)


class FirstStartWindow(Desk):
    """Asks who will use the new database and makes its first account (the session does)."""

    chosen = Signal(bool, str, str)  # office?, name (office only), password
    closed = Signal()

    def __init__(
        self, location: str, *, encrypted: bool = False, parent: QWidget | None = None
    ) -> None:
        """``encrypted``: the database will be encrypted (a recovery key follows)."""
        super().__init__(parent)
        self.encrypted = encrypted
        self.setWindowTitle("ClaimDesk: set up")
        self.setWindowIcon(QIcon(str(resources_dir() / "icons" / "claimdesk.svg")))
        card = Card(width=500)
        self.personal = ChoiceTile(
            "Just me (personal)",
            "For your own claim or a family member's. One password opens your cases; "
            "nobody else signs in.",
        )
        self.office = ChoiceTile(
            "An office (several people)",
            "For a patient-advocacy office. Each caseworker signs in with their own name and "
            "password, and everything is recorded under their name. You become the "
            "administrator, who adds the others.",
        )
        group = QButtonGroup(self)
        group.addButton(self.personal.radio)
        group.addButton(self.office.radio)
        self.personal.radio.setChecked(True)
        self.name = QLineEdit()
        self.name.setAccessibleName("Your name")
        self.name.setPlaceholderText("As the others will see it, e.g. Jordan Reyes")
        self.password = _password("Password")
        self.again = _password("Password again")
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.addRow("Your &name:", self.name)
        self.form.addRow("&Password:", self.password)
        self.form.addRow("&Again:", self.again)
        self.problem = problem_label()
        self.create_button = QPushButton("Create the database")
        self.create_button.setDefault(True)
        self.create_button.setMinimumHeight(32)
        self.create_button.clicked.connect(self._submit)
        self.again.returnPressed.connect(self._submit)
        self.personal.radio.toggled.connect(self._show_fields)

        column = card.column
        column.addWidget(app_icon_label(48))
        column.addWidget(heading_label("Set up ClaimDesk"))
        column.addWidget(muted_label("Who will use this database?"))
        column.addSpacing(4)
        column.addWidget(self.personal)
        column.addWidget(self.office)
        column.addSpacing(6)
        column.addLayout(self.form)
        self.hint = muted_label()
        self.hint.setAlignment(Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.hint)
        column.addWidget(self.problem)
        column.addWidget(self.create_button)
        where = muted_label(f"Database: {location}")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(where)
        centred(card, self)
        self.resize(700, 720)
        self._done = False
        self._show_fields()

    @property
    def is_office(self) -> bool:
        return self.office.radio.isChecked()

    def _show_fields(self) -> None:
        office = self.is_office
        self.form.setRowVisible(self.name, office)
        if self.encrypted:
            hint = (
                "The password protects everything in the database. A recovery key is shown "
                "next: keep it safe, it is the only way back in without the password."
            )
        else:
            hint = "The password is asked each time ClaimDesk opens, and after it locks itself."
        self.hint.setText(hint)
        self.create_button.setText("Create the office database" if office else "Create my database")

    def _submit(self) -> None:
        office = self.is_office
        name = " ".join(self.name.text().split())
        if office and not name:
            self.show_problem("Type your name: you will be the office's administrator.")
            self.name.setFocus()
            return
        if not self.password.text():
            self.show_problem("Choose a password.")
            self.password.setFocus()
            return
        if self.password.text() != self.again.text():
            self.show_problem("The two passwords differ. Type the same password twice.")
            self.again.clear()
            self.again.setFocus()
            return
        self.show_problem("")
        self.chosen.emit(office, name if office else "", self.password.text())

    def show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.setVisible(bool(message))

    def done(self) -> None:
        """Close without telling the session the person gave up."""
        self._done = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        if not self._done:
            self.closed.emit()


def _password(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit

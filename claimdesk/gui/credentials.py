"""The card that asks for a name and password: the sign-in window and the lock screen share it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from claimdesk.gui import theme
from claimdesk.paths import resources_dir

CARD_WIDTH = 400


@contextmanager
def busy_cursor() -> Iterator[None]:
    """A wait cursor while a password is checked: argon2id is slow on purpose (a second, on
    an old computer), and the window cannot repaint meanwhile."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


def app_icon_label(size: int = 56) -> QLabel:
    icon = QLabel()
    icon.setPixmap(
        QIcon(str(resources_dir() / "icons" / "claimdesk.svg")).pixmap(QSize(size, size))
    )
    icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
    icon.setAccessibleName("ClaimDesk")
    return icon


def heading_label(text: str, scale: float = 1.5) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


def muted_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    theme.follow(label, lambda: label.setStyleSheet(f"color: {theme.MUTED.hex(label.palette())}"))
    return label


def problem_label() -> QLabel:
    """Where a wrong password is explained: the danger colour, hidden while empty."""
    label = QLabel()
    label.setWordWrap(True)
    label.setAccessibleName("Problem")
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.hide()
    theme.follow(
        label,
        lambda: label.setStyleSheet(
            f"QLabel {{ color: {theme.DANGER.hex(label.palette())};"
            f" background: {theme.DANGER_BACKGROUND.hex(label.palette())};"
            f" border: 1px solid {theme.DANGER_BORDER.hex(label.palette())};"
            " border-radius: 4px; padding: 6px 8px; }"
        ),
    )
    return label


def link_button(text: str) -> QPushButton:
    button = QPushButton(text)
    button.setFlat(True)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setAccessibleName(text.rstrip("?…"))
    theme.follow(
        button,
        lambda: button.setStyleSheet(
            f"QPushButton {{ color: {theme.ACCENT.hex(button.palette())}; border: none;"
            " padding: 2px 4px; text-decoration: underline; }"
        ),
    )
    return button


def _buddy(text: str, field: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(field)  # Alt+N, Alt+P
    return label


class Desk(QWidget):
    """The ground a card lies on: a shade darker than a window, in light and dark schemes."""

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), theme.DESK.color(self.palette()))
        painter.end()


class Card(QFrame):
    """A panel of fixed width, the colour of a window, with a rounded border, on a Desk."""

    def __init__(self, parent: QWidget | None = None, width: int = CARD_WIDTH) -> None:
        super().__init__(parent)
        self.setObjectName("credentialsCard")
        self.setFixedWidth(width)
        theme.follow(self, self._colour)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(28, 24, 28, 20)
        self.column.setSpacing(10)

    def _colour(self) -> None:
        palette = self.palette()
        ground = palette.color(QPalette.ColorRole.Window).name()
        edge = palette.color(QPalette.ColorRole.Mid).name()
        # By name, so the rule stays on the card and its children keep their own look.
        self.setStyleSheet(
            f"QFrame#credentialsCard {{ background: {ground}; border: 1px solid {edge};"
            " border-radius: 8px; }"
        )


def centred(card: QWidget, parent: QWidget) -> None:
    """Lay ``card`` out in the middle of ``parent``."""
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(card)
    row.addStretch(1)
    outer = QVBoxLayout(parent)
    outer.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)


class CredentialsCard(Card):
    """Heading, a sentence, the name (office databases only) and password, one button."""

    submitted = Signal(str, str)  # name, password

    def __init__(
        self,
        heading: str,
        subtitle: str,
        button: str,
        *,
        office: bool,
        name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.office = office
        self.heading = heading_label(heading)
        self.subtitle = muted_label(subtitle)
        self.name = QLineEdit(name)
        self.name.setAccessibleName("Name")
        self.name.setPlaceholderText("Your user name")
        self.password = QLineEdit()
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Password")
        self.problem = problem_label()
        self.button = QPushButton(button)
        self.button.setDefault(True)
        self.button.setAutoDefault(True)
        self.button.setMinimumHeight(32)
        self.button.clicked.connect(self._submit)
        self.name.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self._submit)
        self.links = QHBoxLayout()
        self.links.addStretch(1)
        self.links.addStretch(1)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if office:
            form.addRow(_buddy("&Name:", self.name), self.name)
        else:
            self.name.hide()
        form.addRow(_buddy("&Password:", self.password), self.password)
        self.column.addWidget(app_icon_label())
        self.column.addWidget(self.heading)
        self.column.addWidget(self.subtitle)
        self.column.addSpacing(6)
        self.column.addLayout(form)
        self.column.addWidget(self.problem)
        self.column.addWidget(self.button)
        self.column.addLayout(self.links)

    def _submit(self) -> None:
        if not self.button.isEnabled():
            return
        self.submitted.emit(self.name.text().strip(), self.password.text())

    def add_link(self, button: QPushButton) -> None:
        self.links.insertWidget(self.links.count() - 1, button)

    def focus_first(self) -> None:
        if self.office and not self.name.text():
            self.name.setFocus()
        else:
            self.password.setFocus()

    def show_problem(self, message: str) -> None:
        """Say what went wrong; the password is cleared for another try, the name kept."""
        self.problem.setText(message)
        self.problem.setVisible(bool(message))
        self.password.clear()
        self.password.setFocus()

    def set_busy(self, busy: bool) -> None:
        self.button.setEnabled(not busy)
        if busy:
            self.problem.hide()

"""Tools ▸ Letter templates ▸ Letterhead: who the letters come from."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from claimdesk.gui import theme
from claimdesk.letters.letterhead import Letterhead


class LetterheadForm(QWidget):
    """Who the letters come from when an office writes for a claimant."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        note = QLabel(
            "Leave the organisation empty when the claimant writes their own letters: they "
            "are then signed by the claimant, from the claimant's address."
        )
        note.setWordWrap(True)
        self.organisation = self._line("Organisation", "e.g. Riverside Patient Advocacy")
        self.address = QPlainTextEdit()
        self.address.setAccessibleName("Address")
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(96)
        self.address.setPlaceholderText("One line of the address on each line")
        self.phone = self._line("Phone")
        self.email = self._line("Email")
        self.signatory = self._line("Signatory", "Who signs the letters")
        self.role = self._line("Role", "e.g. Patient advocate")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        theme.follow(
            self.problem,
            lambda: self.problem.setStyleSheet(f"color: {theme.DANGER.hex(self.palette())};"),
        )
        self.problem.hide()
        self.save_button = QPushButton("Save letterhead")
        self.save_button.setAccessibleName("Save the letterhead")
        self.status = QLabel()
        self.status.setAccessibleName("Letterhead status")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Organisation:", self.organisation)
        form.addRow("Address:", self.address)
        form.addRow("Phone:", self.phone)
        form.addRow("Email:", self.email)
        form.addRow("Signatory:", self.signatory)
        form.addRow("Role:", self.role)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.save_button)
        column = QVBoxLayout()
        column.addWidget(note)
        column.addSpacing(8)
        column.addLayout(form)
        column.addWidget(self.problem)
        column.addLayout(buttons)
        column.addStretch(1)
        # A form stretched across a wide dialog is hard to read: keep it to a column's width.
        outer = QHBoxLayout(self)
        outer.addLayout(column, 3)
        outer.addStretch(2)
        self._loaded = Letterhead()
        for edit in (
            self.organisation,
            self.address,
            self.phone,
            self.email,
            self.signatory,
            self.role,
        ):
            edit.textChanged.connect(lambda *_: self.status.setText(""))

    def _line(self, label: str, hint: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(label)
        edit.setPlaceholderText(hint)
        return edit

    def set_value(self, letterhead: Letterhead) -> None:
        self._loaded = letterhead
        self.organisation.setText(letterhead.organisation)
        self.address.setPlainText(letterhead.address)
        self.phone.setText(letterhead.phone)
        self.email.setText(letterhead.email)
        self.signatory.setText(letterhead.signatory)
        self.role.setText(letterhead.role)

    def value(self) -> Letterhead:
        return Letterhead(
            organisation=self.organisation.text().strip(),
            address=self.address.toPlainText().strip(),
            phone=self.phone.text().strip(),
            email=self.email.text().strip(),
            signatory=self.signatory.text().strip(),
            role=self.role.text().strip(),
        )

    def is_dirty(self) -> bool:
        return self.value() != self._loaded

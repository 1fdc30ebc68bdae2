"""Small dialogs shared by panels, built so tests can fill and accept them without a modal loop."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)


def date_edit(value: date | None = None, name: str = "") -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd MMM yyyy")
    edit.setAccessibleName(name)
    day = value or date.today()
    edit.setDate(QDate(day.year, day.month, day.day))
    return edit


def picked(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


class FormDialog(QDialog):
    """A titled form with OK / Cancel; ``form`` holds the rows."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def finish(self) -> None:
        """Add the buttons last (call after the rows)."""
        self.form.addRow(self.buttons)

    def line(self, label: str, text: str = "") -> QLineEdit:
        edit = QLineEdit(text)
        edit.setAccessibleName(label)
        self.form.addRow(f"{label}:", edit)
        return edit

    def text(self, label: str, text: str = "") -> QPlainTextEdit:
        edit = QPlainTextEdit(text)
        edit.setAccessibleName(label)
        edit.setTabChangesFocus(True)
        edit.setMinimumHeight(70)
        self.form.addRow(f"{label}:", edit)
        return edit

    def day(self, label: str, value: date | None = None) -> QDateEdit:
        edit = date_edit(value, label)
        self.form.addRow(f"{label}:", edit)
        return edit

    def choice(self, label: str, items: list[tuple[str, object]]) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(label)
        for text, value in items:
            combo.addItem(text, value)
        self.form.addRow(f"{label}:", combo)
        return combo

"""Small dialogs shared by panels, built so tests can fill and accept them without a modal loop."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from claimdesk.gui.forms import child, fit_height, load_form
from claimdesk.gui.modal import run_modal as run_modal  # the panels' run_dialog


def date_edit(value: date | None = None, name: str = "", *, today: date | None = None) -> QDateEdit:
    """A date field showing ``value``, else ``today`` (the services' clock's, given by the
    caller; the computer's only for a caller without one)."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd MMM yyyy")
    edit.setAccessibleName(name)
    day = value or today or date.today()
    edit.setDate(QDate(day.year, day.month, day.day))
    return edit


def picked(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


class FormDialog(QDialog):
    """A titled form with OK / Cancel; ``form`` holds the rows.

    The frame comes from ``ui/form_dialog.ui``; a dialog with fixed rows of its own (Settings)
    passes its own form, which must also lay out a ``formLayout`` and a ``buttonBox``. Rows
    added in code go below the form's own. ``today`` is what an empty date row shows: the
    panel passes its clock's (GuiEnv.clock).
    """

    def __init__(
        self,
        title: str | None = None,
        parent: QWidget | None = None,
        form: str = "form_dialog.ui",
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.today = today
        load_form(form, base=self)
        if title:
            self.setWindowTitle(title)
        self.form = child(self, QFormLayout, "formLayout")
        self.buttons = child(self, QDialogButtonBox, "buttonBox")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def finish(self) -> None:
        """Put OK / Cancel last in the tab order (call after adding the rows)."""
        # The buttons come with the form, so rows added in code join the focus chain after
        # them. QWidget.setTabOrder will not move the box's first button, but a widget
        # given a parent joins the end of its focus chain: take the box out and put it back.
        layout = self.layout()
        if isinstance(layout, QBoxLayout):
            index = layout.indexOf(self.buttons)
            stretch = layout.stretch(index)
            layout.removeWidget(self.buttons)
            self.buttons.setParent(None)
            layout.insertWidget(index, self.buttons, stretch)
        fit_height(self)

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
        edit = date_edit(value, label, today=self.today)
        self.form.addRow(f"{label}:", edit)
        return edit

    def choice(self, label: str, items: list[tuple[str, object]]) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(label)
        for text, value in items:
            combo.addItem(text, value)
        self.form.addRow(f"{label}:", combo)
        return combo


class OptionalDate(QWidget):
    """A date that may be unknown: a checkbox turns the date edit on."""

    def __init__(self, label: str, value: date | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.known = QCheckBox()
        self.known.setAccessibleName(f"{label} is known")
        self.known.setToolTip("Tick when the date is known")
        self.edit: QDateEdit = date_edit(value, label)
        self.known.toggled.connect(self.edit.setEnabled)
        self.known.setChecked(value is not None)
        self.edit.setEnabled(value is not None)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.known)
        row.addWidget(self.edit, 1)

    def set_value(self, value: date | None) -> None:
        self.known.setChecked(value is not None)
        if value is not None:
            self.edit.setDate(QDate(value.year, value.month, value.day))

    def value(self) -> date | None:
        return picked(self.edit) if self.known.isChecked() else None


def optional_day(dialog: FormDialog, label: str, value: date | None = None) -> OptionalDate:
    widget = OptionalDate(label, value)
    dialog.form.addRow(f"{label}:", widget)
    return widget


def check(dialog: FormDialog, label: str, checked: bool = False) -> QCheckBox:
    box = QCheckBox(label)
    box.setAccessibleName(label)
    box.setChecked(checked)
    dialog.form.addRow("", box)
    return box


def section(dialog: FormDialog, title: str) -> None:
    heading = QLabel(f"<b>{title}</b>")
    heading.setContentsMargins(0, 8, 0, 0)
    dialog.form.addRow(heading)

"""Fields read from a denial letter, for the person to accept or correct.

``LetterIntake`` is File ▸ New case from a denial letter… (and a file dropped on the Cases tab):
the letter is read off the GUI thread behind a progress bar with Stop, then the new-case wizard
opens filled in, each field marked "read from the letter" with the picture of the line it came
from. ``ReadFieldsDialog`` is the Documents panel's "Read fields from this document…": what the
letter says that the case holds differently, each to take or leave. Nothing is saved before
the person finishes the wizard or applies the dialog.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from claimdesk.errors import ClaimDeskError
from claimdesk.gui import theme
from claimdesk.gui.dates import day_text
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.modal import run_modal
from claimdesk.gui.progress import run_with_progress
from claimdesk.gui.tasks import TaskControl
from claimdesk.models.enums import DenialCategory, PlanType

if TYPE_CHECKING:
    from claimdesk.gui.new_case_wizard import NewCaseWizard
    from claimdesk.services.intake import Difference, FieldReading, LetterReading

LETTER_FILES = "Letters (*.pdf *.png *.jpg *.jpeg *.tif *.tiff);;All files (*)"
SNIPPET_WIDTH = 600  # wider lines are shown smaller, never cut
WIZARD_LINE = 26  # a line of the letter at most this high under a wizard's field
UNSURE = 0.6  # below this, the mark says to look closely


def snippet_label(reading: FieldReading, line_height: int = 0) -> QLabel:
    """The picture of the line a field was read from; ``line_height`` caps each line's height
    (a letterhead in large print shown no taller than the form's rows)."""
    label = QLabel()
    label.setAccessibleName(f"Where {reading.label.lower()} was read")
    if reading.snippet:
        pixmap = QPixmap()
        pixmap.loadFromData(reading.snippet, "PNG")
        smooth = Qt.TransformationMode.SmoothTransformation
        if line_height and pixmap.height() > line_height * reading.lines:
            pixmap = pixmap.scaledToHeight(line_height * reading.lines, smooth)
        if pixmap.width() > SNIPPET_WIDTH:
            pixmap = pixmap.scaledToWidth(SNIPPET_WIDTH, smooth)
        label.setPixmap(pixmap)
        label.setFrameShape(QLabel.Shape.Box)
        label.setFixedSize(pixmap.size() + QSize(2, 2))  # the frame hugs the picture
        label.setToolTip(f"Page {reading.page} of the letter")
    return label


def mark_text(reading: FieldReading) -> str:
    page = f", page {reading.page}" if reading.page else ""
    if reading.name == "denial_category":
        return "Chosen from the words of the reason above: check it"
    if reading.confidence < UNSURE:
        return f"Read from the letter{page}: unsure, check it against the letter"
    return f"Read from the letter{page}: check it"


def _mark(reading: FieldReading, picture: bool = True) -> QWidget:
    holder = QWidget()
    holder.setAccessibleName(f"{reading.label}: read from the letter")
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 4)
    note = QLabel(mark_text(reading))
    tone = theme.WARNING if reading.confidence < UNSURE else theme.ACCENT
    theme.follow(note, lambda: note.setStyleSheet(f"color: {tone.hex(note.palette())}"))
    if picture:
        shown = snippet_label(reading, WIZARD_LINE)
        row.addWidget(shown)
        holder.setMinimumHeight(shown.height() + 4)  # a full page squeezes text, not pictures
    row.addWidget(note, 1)
    return holder


def _place_mark(
    wizard: NewCaseWizard, widget: QWidget, reading: FieldReading, *, picture: bool = True
) -> None:
    holder = widget.parentWidget()
    form = holder.layout() if holder is not None else None
    if not isinstance(form, QFormLayout):
        return
    position: tuple[int, object] = form.getWidgetPosition(widget)  # type: ignore[assignment]
    mark = _mark(reading, picture)
    form.insertRow(position[0] + 1, "", mark)
    wizard.read_marks[reading.name] = mark


def fill_wizard(wizard: NewCaseWizard, reading: LetterReading) -> None:
    """Put each field read into its place in the wizard, with its mark beneath it."""
    from claimdesk.gui.new_case_wizard import set_day

    fields = reading.fields
    lines: dict[str, QLineEdit] = {
        "patient_name": wizard.claimant,
        "insurer": wizard.insurer,
        "claim_number": wizard.claim_number,
        "member_id": wizard.member_id,
        "policy_number": wizard.policy_number,
        "group_number": wizard.group_number,
        "service": wizard.service,
        "criteria": wizard.criteria,
    }
    for name, edit in lines.items():
        if name in fields:
            edit.setText(fields[name].text)
            _place_mark(wizard, edit, fields[name])
    if "reviewer" in fields:
        credentials = fields.get("reviewer_credentials")
        who = fields["reviewer"].text + (f", {credentials.text}" if credentials else "")
        wizard.reviewer.setText(who)
        _place_mark(wizard, wizard.reviewer, fields["reviewer"])
    if "reason" in fields:
        wizard.reason.setPlainText(fields["reason"].text)
        _place_mark(wizard, wizard.reason, fields["reason"])
    if "denial_category" in fields:
        _choose(wizard.category, _category(fields["denial_category"].value))
        _place_mark(wizard, wizard.category, fields["denial_category"], picture=False)
    day = fields["letter_date"].value if "letter_date" in fields else None
    if isinstance(day, date) and day <= wizard.today:
        set_day(wizard.letter_date, day)
        _place_mark(wizard, wizard.letter_date, fields["letter_date"])
    if "plan_type" in fields:
        _choose(wizard.plan_type, _plan(fields["plan_type"].value))
        _place_mark(wizard, wizard.plan_type, fields["plan_type"])
    if "jurisdiction" in fields:
        country, _, region = str(fields["jurisdiction"].value).partition("-")
        index = wizard.country.findData(country)
        if index >= 0:
            wizard.country.setCurrentIndex(index)
            wizard.region.setText(region)
            _place_mark(wizard, wizard.country, fields["jurisdiction"])
    window = fields.get("appeal_window")
    if window is not None:
        stated = QLabel(
            f"The letter says you may appeal within {escape(window.text)}. ClaimDesk computes "
            "the deadlines from the rules for this plan and jurisdiction; they may differ."
        )
        stated.setWordWrap(True)
        stated.setAccessibleName("Appeal window stated in the letter")
        form = wizard.reason.parentWidget().layout()  # type: ignore[union-attr]
        if isinstance(form, QFormLayout):
            form.addRow("", stated)
    for check in wizard.checks:
        check.run()


def _category(value: object) -> DenialCategory | None:
    try:
        return DenialCategory(str(value))
    except ValueError:
        return None


def _plan(value: object) -> PlanType | None:
    try:
        return PlanType(str(value))
    except ValueError:
        return None


def _choose(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    if index >= 0:
        combo.setCurrentIndex(index)


class LetterIntake:
    """File ▸ New case from a denial letter…: choose, read (with Stop), confirm in the wizard."""

    def __init__(
        self,
        parent: QWidget,
        env: GuiEnv,
        opened: Callable[[int], object],
        run_dialog: Callable[[QDialog], bool] | None = None,
    ) -> None:
        self.parent = parent
        self.env = env
        self.opened = opened
        self.run_dialog = run_dialog or run_modal  # the idle lock gives the wizard back
        self.wizard: NewCaseWizard | None = None  # the last one opened (tests look at it)
        self.progress: QProgressDialog | None = None
        self.control: TaskControl | None = None

    def start(self, path: Path | None = None) -> None:
        if path is None:
            path = self.env.prompts.open_path(
                self.parent, "New case from a denial letter", LETTER_FILES
            )
            if path is None:
                return
        chosen = Path(path)
        intake = self.env.services.intake

        def work(control: TaskControl) -> LetterReading:
            self.control = control
            return intake.read_file(chosen, control.progress, control.cancelled)

        self.control = None
        self.progress = run_with_progress(
            self.parent,
            self.env,
            f"Reading {chosen.name}…",
            work,
            self._read,
            lambda error: self._failed(chosen, error),
        )

    @property
    def stopped(self) -> bool:
        """Whether the user pressed Stop while the letter was read."""
        return self.control is not None and self.control.cancelled()

    def _failed(self, path: Path, error: BaseException) -> None:
        if type(error).__name__ == "ReadingCancelled":
            return
        if isinstance(error, ClaimDeskError):
            self.env.prompts.error(self.parent, f"Cannot read {path.name}", str(error))
            return
        raise error

    def _read(self, reading: LetterReading) -> None:
        from claimdesk.gui.new_case_wizard import NewCaseWizard

        if self.stopped:
            return  # Stop means stop, even when the last page was read meanwhile
        if not reading.fields:
            notes = " ".join(reading.notes)
            self.env.prompts.info(
                self.parent,
                "Nothing found in the letter",
                f"No field of a denial letter was found in {reading.file_name}"
                + (f" ({notes})" if notes else "")
                + ". The new-case form opens empty; the letter is still attached to the case.",
            )
        wizard = NewCaseWizard(self.env, self.parent)
        wizard.fill_from(reading)
        self.wizard = wizard
        if self.run_dialog(wizard) and wizard.created is not None:
            self.opened(wizard.created.id)


# Where each field goes on the case (ClaimInput's names), and its value there.
def case_changes(differences: list[Difference]) -> dict[str, Any]:
    from claimdesk.services.intake import CASE_FIELDS

    changes: dict[str, Any] = {}
    for difference in differences:
        reading = difference.reading
        attribute = CASE_FIELDS[reading.name][0]
        if attribute == "jurisdiction":
            country, _, region = str(reading.value).partition("-")
            changes["country"], changes["region"] = country, region
        elif attribute:
            changes[attribute] = reading.value
    return changes


class ReadFieldsDialog(QDialog):
    """What a document says that the case holds differently; ticked rows are taken."""

    def __init__(
        self, reading: LetterReading, differences: list[Difference], parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Fields read from {reading.file_name}")
        self.differences = differences
        self.boxes: list[QCheckBox] = []
        layout = QVBoxLayout(self)
        intro = QLabel()
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setText(
            f"{len(differences)} field{'s' if len(differences) != 1 else ''} of "
            f"{reading.file_name} differ from what the case holds. Tick those to take "
            "from the letter; the others stay as they are."
            if differences
            else f"Everything read from {reading.file_name} matches what the case holds."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid_holder = QWidget()
        grid = QGridLayout(grid_holder)
        for column, title in enumerate(("Take", "Field", "On the case", "In the letter")):
            heading = QLabel(f"<b>{title}</b>")
            grid.addWidget(heading, 0, column)
        for row, difference in enumerate(differences, start=1):
            box = QCheckBox()
            box.setAccessibleName(f"Take {difference.label.lower()} from the letter")
            box.setChecked(not difference.on_case)  # a blank on the case: take it
            self.boxes.append(box)
            grid.addWidget(box, row * 2 - 1, 0)
            held, letter = _shown(difference)
            for column, text in ((1, difference.label), (2, held or "nothing"), (3, letter)):
                cell = QLabel(text)
                cell.setTextFormat(Qt.TextFormat.PlainText)
                cell.setWordWrap(True)
                cell.setEnabled(column != 2 or bool(held))  # "nothing" in grey
                grid.addWidget(cell, row * 2 - 1, column)
            grid.addWidget(snippet_label(difference.reading), row * 2, 3)
        grid.setColumnStretch(3, 1)
        grid.setColumnMinimumWidth(1, 180)
        grid.setColumnMinimumWidth(2, 180)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_holder)
        layout.addWidget(scroll, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Take the ticked fields" if differences else "Close")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(900, 520)

    def chosen(self) -> list[Difference]:
        return [d for d, box in zip(self.differences, self.boxes, strict=True) if box.isChecked()]


def _shown(difference: Difference) -> tuple[str, str]:
    """The case's value and the letter's as a person reads them (days in the app's format)."""
    value = difference.reading.value
    if isinstance(value, date):
        held = difference.on_case
        with contextlib.suppress(ValueError):  # a day the case holds is ISO text here
            held = day_text(date.fromisoformat(held)) if held else ""
        return held, day_text(value)
    return difference.on_case, difference.in_letter


def read_fields_from_document(
    parent: QWidget,
    env: GuiEnv,
    claim_id: int,
    document_id: int,
    run_dialog: Callable[[QDialog], bool],
    done: Callable[[], None],
) -> None:
    """Read a document of the case and offer what differs from the case (Documents panel)."""
    intake = env.services.intake

    def work(control: TaskControl) -> tuple[LetterReading, list[Difference]]:
        controls.append(control)
        reading = intake.read_document(document_id, control.progress, control.cancelled)
        return reading, intake.differences(claim_id, reading)

    controls: list[TaskControl] = []

    def read(result: tuple[LetterReading, list[Difference]]) -> None:
        if controls and controls[0].cancelled():
            return  # Stop means stop, even when the last page was read meanwhile
        reading, differences = result
        dialog = ReadFieldsDialog(reading, differences, parent)
        if run_dialog(dialog) and dialog.chosen():
            try:
                env.services.claims.update_case(claim_id, **case_changes(dialog.chosen()))
            except ClaimDeskError as error:
                env.prompts.error(parent, "The case was not changed", str(error))
                return
        done()

    def failed(error: BaseException) -> None:
        if type(error).__name__ == "ReadingCancelled":
            return
        if isinstance(error, ClaimDeskError):
            env.prompts.error(parent, "Cannot read the document", str(error))
            return
        raise error

    run_with_progress(parent, env, "Reading the document…", work, read, failed)


__all__ = [
    "LETTER_FILES",
    "LetterIntake",
    "ReadFieldsDialog",
    "case_changes",
    "fill_wizard",
    "read_fields_from_document",
]

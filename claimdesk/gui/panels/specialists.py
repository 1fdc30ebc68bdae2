"""Specialists: who fits this claim, the shared directory, and this case's second opinions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from claimdesk.gui import theme
from claimdesk.gui.case_source import CaseRecords
from claimdesk.gui.dates import day_text as locale_day_text
from claimdesk.gui.dialogs import FormDialog, check, optional_day, section
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.panels.record_list import RecordPanel
from claimdesk.gui.table_model import RecordTableModel, record_table, selected_record
from claimdesk.models.enums import OpinionStatus, ReviewMode
from claimdesk.services.dto import ClaimDetail, OpinionRecord, SpecialistRecord
from claimdesk.services.matching import suggest

Index = QModelIndex | QPersistentModelIndex
CONFLICT_TEXT = "⚠ Conflict of interest"


def day_text(value: date | None) -> str:
    return locale_day_text(value) if value else ""


def money_text(minor: int | None, currency: str = "") -> str:
    if minor is None:
        return ""
    return f"{currency} {minor / 100:,.2f}".strip()


def money_input(minor: int | None) -> str:
    """The amount as typed in a form ("450.00"), which the services read back."""
    return "" if minor is None else f"{minor / 100:.2f}"


NAME, SPECIALTY, INSTITUTION, CERTIFICATION, CONFLICT = range(5)


class SpecialistModel(RecordTableModel):
    headers = ("Name", "Specialty", "Institution", "Certification", "Conflict")

    def cell(self, row: SpecialistRecord, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            specialty = row.specialty + (f" / {row.subspecialty}" if row.subspecialty else "")
            if row.is_general_practitioner:
                specialty += " (GP)"
            certified = row.board_certification or "Not recorded"
            if row.certification_verified_on:
                certified += f" ✔ {day_text(row.certification_verified_on)}"
            return {
                NAME: ", ".join(p for p in (row.name, row.credentials) if p),
                SPECIALTY: specialty,
                INSTITUTION: row.institution + (" (academic)" if row.academic else ""),
                CERTIFICATION: certified,
                CONFLICT: CONFLICT_TEXT if row.conflict_of_interest else "",
            }.get(column)
        if not row.conflict_of_interest:
            if role == Qt.ItemDataRole.ToolTipRole and column == CERTIFICATION:
                return row.certification_body or None
            return None
        # A specialist tied to the insurer must be impossible to miss: the whole row says so.
        if role == Qt.ItemDataRole.ForegroundRole:
            return theme.DANGER.brush()
        if role == Qt.ItemDataRole.BackgroundRole:
            return theme.DANGER_BACKGROUND.brush()
        if role == Qt.ItemDataRole.FontRole and column in (NAME, CONFLICT):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Conflict of interest: {row.conflict_notes or 'no details recorded'}"
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return "conflict of interest"
        return None


(
    O_SPECIALIST,
    O_STATUS,
    O_MODE,
    O_BRIEFED,
    O_REPORT,
    O_FULL,
    O_BILLED,
    O_ALLOWED,
    O_PAID,
    O_OWED,
) = range(10)


class OpinionModel(RecordTableModel):
    headers = (
        "Specialist",
        "Status",
        "Exam or records",
        "Briefed",
        "Report received",
        "Full report",
        "Billed",
        "Allowed",
        "Paid",
        "Owed",
    )

    def cell(self, row: OpinionRecord, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            briefed = day_text(row.briefed_on)
            if row.briefed_on and not row.briefing_included_denial:
                briefed += " (no denial reasoning)"
            return {
                O_SPECIALIST: f"{row.specialist_name} ({row.specialty})",
                O_STATUS: row.status.label,
                O_MODE: row.review_mode.label,
                O_BRIEFED: briefed,
                O_REPORT: day_text(row.report_received_on),
                O_FULL: ("Yes" if row.report_is_full else "Brief note")
                if row.report_received_on or row.status == OpinionStatus.REPORT_RECEIVED
                else "",
                O_BILLED: money_text(row.billed_minor, row.currency),
                O_ALLOWED: money_text(row.allowed_minor, row.currency),
                O_PAID: money_text(row.paid_minor, row.currency),
                O_OWED: money_text(row.owed_minor, row.currency),
            }.get(column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= O_BILLED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == O_SPECIALIST and row.conclusion:
            return row.conclusion
        return None


# What the panel reads: the case (for the suggestion), the directory as searched, the opinions.
Specialists = tuple[ClaimDetail, list[SpecialistRecord], list[OpinionRecord]]


class SpecialistsPanel(RecordPanel):
    key = "specialists"
    title = "Specialists"
    watches = frozenset({"second_opinion", "specialist", "document"})
    failure = "Cannot read the specialists"

    def __init__(self, env: GuiEnv, claim_id: int, parent: QWidget | None = None) -> None:
        super().__init__(env, claim_id, parent)

        self.suggestion = QLabel()
        self.suggestion.setWordWrap(True)
        self.suggestion.setTextFormat(Qt.TextFormat.RichText)
        self.suggestion.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.suggestion.setAccessibleName("Suggested specialty")
        suggested = QGroupBox("Who to look for")
        inner = QVBoxLayout(suggested)
        inner.addWidget(self.suggestion)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search by name, specialty or institution")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the specialist directory")
        # A dark desktop's palette can leave the placeholder near the Base colour: use the
        # app's muted tone, redone on a light/dark flip.
        theme.follow(self.search, lambda: _hint_colour(self.search))
        self.search.textChanged.connect(lambda _text: self.search_directory())
        self.directory = SpecialistModel(self)
        self.directory_view = record_table(
            self.directory,
            "Specialist directory",
            stretch=(NAME, SPECIALTY, INSTITUTION, CERTIFICATION),
        )
        self.add_button = QPushButton("Add specialist…")
        self.add_button.clicked.connect(self.add_specialist)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setToolTip("Correct the selected specialist's details or conflict notes")
        self.edit_button.clicked.connect(self.edit_specialist)
        self.start_button = QPushButton("Start a second opinion")
        self.start_button.clicked.connect(self.start_opinion)
        self.directory_view.selectionModel().currentRowChanged.connect(
            lambda *_: self._update_buttons()
        )
        self.directory_view.doubleClicked.connect(lambda _index: self.start_opinion())

        left = QGroupBox("Directory")
        directory_box = QVBoxLayout(left)
        directory_box.addWidget(self.search)
        directory_box.addWidget(self.directory_view, 1)
        directory_buttons = QHBoxLayout()
        directory_buttons.addWidget(self.add_button)
        directory_buttons.addWidget(self.edit_button)
        directory_buttons.addStretch(1)
        directory_buttons.addWidget(self.start_button)
        directory_box.addLayout(directory_buttons)

        self.opinions = OpinionModel(self)
        self.opinions_view = record_table(
            self.opinions, "Second opinions on this case", stretch=(O_SPECIALIST,)
        )
        self.update_button = QPushButton("Update…")
        self.update_button.clicked.connect(self.update_opinion)
        self.opinions_view.selectionModel().currentRowChanged.connect(
            lambda *_: self._update_buttons()
        )
        self.opinions_view.doubleClicked.connect(lambda _index: self.update_opinion())
        right = QGroupBox("Second opinions on this case")
        opinions_box = QVBoxLayout(right)
        opinions_box.addWidget(self.opinions_view, 1)
        opinion_buttons = QHBoxLayout()
        opinion_buttons.addStretch(1)
        opinion_buttons.addWidget(self.update_button)
        opinions_box.addLayout(opinion_buttons)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([420, 180])
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(suggested)
        layout.addWidget(split, 1)
        self._update_buttons()

    # Reading

    def reads(self) -> Callable[[CaseRecords], Specialists]:
        services, claim_id, search = self.services, self.claim_id, self.search.text()

        def read(records: CaseRecords) -> Specialists:
            return (
                records.claim(),
                services.specialists.search(search),
                services.opinions.opinions(claim_id),
            )

        return read

    def paint(self, data: Specialists) -> None:
        claim, directory, opinions = data
        self._show_suggestion(claim)
        self.fill(self.directory_view, directory)
        self.fill(self.opinions_view, opinions)
        self._update_buttons()

    def _show_suggestion(self, claim: ClaimDetail) -> None:
        s = suggest(claim.clinical_area, claim.country)
        lines = [f"<b>{claim.clinical_area.label}:</b> {s.specialty_text}"]
        if s.subspecialist:
            lines.append(f"Better still: {s.subspecialist}.")
        if s.note:
            lines.append(s.note)
        lines.append(f"<i>{s.general}</i>")
        lines.append(f"<b>Verify certification:</b> {s.verify_text}")
        self.suggestion.setText("<br>".join(lines))

    def search_directory(self) -> None:
        """Search the directory for what is typed (off the GUI thread, as every read)."""
        specialists, search = self.services.specialists, self.search.text()

        def paint(rows: list[SpecialistRecord]) -> None:
            self.fill(self.directory_view, rows)
            self._update_buttons()

        self.read_async(
            "directory", lambda _: specialists.search(search), paint, "Cannot search the directory"
        )

    def selected_specialist(self) -> SpecialistRecord | None:
        return selected_record(self.directory_view)  # type: ignore[no-any-return]

    def selected_opinion(self) -> OpinionRecord | None:
        return selected_record(self.opinions_view)  # type: ignore[no-any-return]

    def _update_buttons(self) -> None:
        self.start_button.setEnabled(self.selected_specialist() is not None)
        self.edit_button.setEnabled(self.selected_specialist() is not None)
        self.update_button.setEnabled(self.selected_opinion() is not None)

    # Acting

    def start_opinion(self) -> None:
        specialist = self.selected_specialist()
        if specialist is None:
            return
        prompts = self.env.prompts
        if specialist.conflict_of_interest and not prompts.choose(
            self,
            "Conflict of interest",
            f"{specialist.name} is flagged with a conflict of interest:\n\n"
            f"{specialist.conflict_notes or 'no details recorded'}\n\n"
            "An opinion from a specialist with ties to the insurer carries little weight on "
            "appeal. Start a second opinion with them anyway?",
            "Start anyway",
            "Don't start",
        ):
            return
        if specialist.is_general_practitioner and not prompts.choose(
            self,
            "A general practitioner",
            f"{specialist.name} is a general practitioner. An appeal needs a specialist's "
            "opinion. Start a second opinion with them anyway?",
            "Start anyway",
            "Don't start",
        ):
            return
        self.act(
            "Cannot start the second opinion",
            lambda: self.services.opinions.start(self.claim_id, specialist.id),
        )

    def add_specialist(self) -> None:
        try:
            claim = self.services.claims.get(self.claim_id)
        except Exception as error:
            self.report("Cannot read the case", error)
            return
        self._specialist_dialog(None, claim.country, claim.currency)

    def edit_specialist(self) -> None:
        record = self.selected_specialist()
        if record is not None:
            self._specialist_dialog(record, record.country, record.fee_currency)

    def _specialist_dialog(
        self, record: SpecialistRecord | None, country: str, currency: str
    ) -> None:
        """Add a specialist to the directory, or correct one (``record``)."""
        r = record
        dialog = FormDialog(f"Edit specialist: {r.name}" if r else "Add specialist", self)
        name = dialog.line("Name", r.name if r else "")
        credentials = dialog.line("Credentials", r.credentials if r else "")
        specialty = dialog.line("Specialty", r.specialty if r else "")
        subspecialty = dialog.line("Subspecialty", r.subspecialty if r else "")
        gp = check(
            dialog, "General practitioner (not a specialist)", bool(r and r.is_general_practitioner)
        )
        section(dialog, "Certification")
        board = dialog.line("Board certification", r.board_certification if r else "")
        body = dialog.line("Certifying body", r.certification_body if r else "")
        verified = optional_day(dialog, "Verified on", r.certification_verified_on if r else None)
        section(dialog, "Practice")
        institution = dialog.line("Institution", r.institution if r else "")
        academic = check(dialog, "Academic medical centre", bool(r and r.academic))
        phone = dialog.line("Phone", r.phone if r else "")
        email = dialog.line("Email", r.email if r else "")
        where = dialog.line("Country", country)
        fee = dialog.line("Fee", money_input(r.fee_minor) if r else "")
        fee.setPlaceholderText("e.g. 450.00")
        fee_currency = dialog.line("Fee currency", currency)
        section(dialog, "Conflict of interest")
        conflict = check(
            dialog,
            "Ties to the insurer (e.g. does IMEs for it)",
            bool(r and r.conflict_of_interest),
        )
        conflict_notes = dialog.text("Conflict notes", r.conflict_notes if r else "")
        dialog.finish()
        while self.run_dialog(dialog):
            values: dict[str, Any] = {
                "name": name.text(),
                "credentials": credentials.text(),
                "specialty": specialty.text(),
                "subspecialty": subspecialty.text(),
                "is_general_practitioner": gp.isChecked(),
                "board_certification": board.text(),
                "certification_body": body.text(),
                "certification_verified_on": verified.value(),
                "institution": institution.text(),
                "academic": academic.isChecked(),
                "phone": phone.text(),
                "email": email.text(),
                "country": where.text(),
                "fee_minor": fee.text(),
                "conflict_of_interest": conflict.isChecked(),
                "conflict_notes": conflict_notes.toPlainText(),
            }
            if fee_currency.text().strip():
                values["fee_currency"] = fee_currency.text()
            try:
                if r is None:
                    self.services.specialists.add(**values)
                else:
                    self.services.specialists.update(r.id, **values)
            except Exception as error:
                what = "add" if r is None else "change"
                self.report(f"Cannot {what} the specialist", error)
                continue  # the dialog comes back with everything as typed
            return

    def update_opinion(self) -> None:
        record = self.selected_opinion()
        if record is None:
            return
        dialog = FormDialog(f"Second opinion: {record.specialist_name}", self)
        dialog.setMinimumWidth(560)
        status = dialog.choice("Status", [(s.label, s) for s in OpinionStatus])
        status.setCurrentIndex(status.findData(record.status))
        mode = dialog.choice("Examination or records only", [(m.label, m) for m in ReviewMode])
        mode.setCurrentIndex(mode.findData(record.review_mode))
        section(dialog, "Briefing")
        briefed = optional_day(dialog, "Briefed on", record.briefed_on)
        denial = check(
            dialog, "Briefing included the denial reasoning", record.briefing_included_denial
        )
        criteria = check(
            dialog, "Briefing included the criteria", record.briefing_included_criteria
        )
        section(dialog, "Examination and report")
        examined = optional_day(dialog, "Examined on", record.examined_on)
        received = optional_day(dialog, "Report received on", record.report_received_on)
        full = check(dialog, "A full written report (not a brief note)", record.report_is_full)
        conclusion = dialog.text("Conclusion", record.conclusion)
        guidelines = dialog.text("Guidelines cited", record.guidelines_cited)
        section(dialog, "Costs")
        cpt = dialog.line("CPT code", record.cpt_code)
        currency = dialog.line("Currency", record.currency)
        money = {
            field: dialog.line(label, money_input(getattr(record, field)))
            for field, label in (
                ("billed_minor", "Billed"),
                ("allowed_minor", "Allowed by the plan"),
                ("paid_minor", "Paid by the plan"),
                ("owed_minor", "Owed by the claimant"),
            )
        }
        dialog.finish()
        if not self.run_dialog(dialog):
            return
        values: dict[str, Any] = {
            "status": status.currentData(),
            "review_mode": mode.currentData(),
            "briefed_on": briefed.value(),
            "briefing_included_denial": denial.isChecked(),
            "briefing_included_criteria": criteria.isChecked(),
            "examined_on": examined.value(),
            "report_received_on": received.value(),
            "report_is_full": full.isChecked(),
            "conclusion": conclusion.toPlainText(),
            "guidelines_cited": guidelines.toPlainText(),
            "cpt_code": cpt.text(),
            "currency": currency.text(),
        }
        values.update({field: edit.text() for field, edit in money.items()})
        self.act(
            "Cannot update the second opinion",
            lambda: self.services.opinions.update(record.id, **values),
        )


def _hint_colour(edit: QLineEdit) -> None:
    """Draw the placeholder in the muted tone of the edit's current scheme.

    One palette role, not a style sheet, so a later light/dark switch still reaches the rest.
    """
    palette = edit.palette()
    palette.setColor(QPalette.ColorRole.PlaceholderText, theme.MUTED.color(palette))
    edit.setPalette(palette)

"""IME and appeals: the review levels, the insurer's examinations and the clock events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from claimdesk.gui import theme
from claimdesk.gui.case_source import CaseRecords
from claimdesk.gui.dialogs import FormDialog, check, optional_day, picked, section
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.panels.record_list import RecordPanel, button_row
from claimdesk.gui.panels.specialists import day_text
from claimdesk.gui.table_model import RecordTableModel, record_table, selected_record
from claimdesk.models.enums import AppealLevel, ContactMethod, EventKind, Outcome
from claimdesk.services.dto import AppealRecord, EventRecord, ImeRecord

LEVEL, BODY, FILED, RECEIVED, DECISION, OUTCOME, REFERENCE, EXPEDITED = range(8)
OUTCOME_COLOURS = {
    Outcome.OVERTURNED: theme.SUCCESS,
    Outcome.PARTIALLY_OVERTURNED: theme.SUCCESS,
    Outcome.UPHELD: theme.DANGER,
}


class AppealModel(RecordTableModel):
    headers = (
        "Level",
        "Reviewing body",
        "Filed",
        "Received",
        "Decision",
        "Outcome",
        "Reference",
        "Expedited",
    )

    def cell(self, row: AppealRecord, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                LEVEL: row.level.label,
                BODY: row.reviewing_body,
                FILED: day_text(row.filed_on)
                + (f" ({row.filed_method.label})" if row.filed_method else ""),
                RECEIVED: day_text(row.received_on),
                DECISION: day_text(row.decided_on),
                OUTCOME: row.outcome.label,
                REFERENCE: row.reference,
                EXPEDITED: "Expedited" if row.expedited else "",
            }.get(column)
        if role == Qt.ItemDataRole.ForegroundRole and column == OUTCOME:
            colour = OUTCOME_COLOURS.get(row.outcome)
            return colour.brush() if colour else None
        if role == Qt.ItemDataRole.ToolTipRole and column == OUTCOME and row.decision_summary:
            return row.decision_summary
        return None


I_DATE, I_EXAMINER, I_SPECIALTY, I_PAID_BY, I_REPRESENTATIVE, I_REQUESTED, I_RECEIVED = range(7)


class ImeModel(RecordTableModel):
    headers = (
        "Date",
        "Examiner",
        "Specialty",
        "Paid by",
        "Representative",
        "Report requested",
        "Report received",
    )

    def cell(self, row: ImeRecord, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            representative = ""
            if row.representative_attending:
                representative = row.representative_name or "Yes"
            return {
                I_DATE: day_text(row.exam_date),
                I_EXAMINER: row.examiner_name,
                I_SPECIALTY: row.examiner_specialty,
                I_PAID_BY: row.paid_by,
                I_REPRESENTATIVE: representative,
                I_REQUESTED: day_text(row.report_requested_on),
                I_RECEIVED: day_text(row.report_received_on)
                or ("Not yet" if row.report_requested_on else ""),
            }.get(column)
        # A report asked for and never received is a gap the appeal must not have.
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column == I_RECEIVED
            and row.report_requested_on
            and not row.report_received_on
        ):
            return theme.WARNING.brush()
        if role == Qt.ItemDataRole.ToolTipRole and row.findings:
            return row.findings
        return None


E_DATE, E_KIND, E_DETAIL = range(3)


class EventModel(RecordTableModel):
    headers = ("Date", "Event", "Detail")

    def cell(self, row: EventRecord, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                E_DATE: day_text(row.occurred_on),
                E_KIND: row.kind.label,
                E_DETAIL: row.detail,
            }.get(column)
        return None


# What the panel reads: the case's appeals, its IMEs and its clock events.
Appeals = tuple[list[AppealRecord], list[ImeRecord], list[EventRecord]]


class AppealsPanel(RecordPanel):
    key = "appeals"
    title = "IME and appeals"
    watches = frozenset({"appeal", "ime", "event"})
    failure = "Cannot read the appeals"

    def __init__(self, env: GuiEnv, claim_id: int, parent: QWidget | None = None) -> None:
        super().__init__(env, claim_id, parent)

        self.appeals = AppealModel(self)
        self.appeals_view = record_table(self.appeals, "Review levels", stretch=(BODY,))
        self.record_button = QPushButton("Record a review level…")
        self.record_button.clicked.connect(self.record_appeal)
        self.decision_button = QPushButton("Record decision…")
        self.decision_button.clicked.connect(self.record_decision)
        self.appeals_view.selectionModel().currentRowChanged.connect(
            lambda *_: self._update_buttons()
        )
        appeals_box = self._box(
            "Review levels (appeals, peer-to-peer, external review)",
            self.appeals_view,
            [self.record_button, self.decision_button],
        )

        self.imes = ImeModel(self)
        self.imes_view = record_table(
            self.imes, "Insurer's examinations", stretch=(I_EXAMINER, I_SPECIALTY, I_PAID_BY)
        )
        self.ime_button = QPushButton("Record an IME…")
        self.ime_button.clicked.connect(self.record_ime)
        imes_box = self._box(
            "Examinations arranged by the insurer (IME)", self.imes_view, [self.ime_button]
        )

        self.events = EventModel(self)
        self.events_view = record_table(self.events, "Clock events", stretch=(E_DETAIL,))
        self.event_button = QPushButton("Add event…")
        self.event_button.clicked.connect(self.add_event)
        events_box = self._box(
            "Clock events (extension notices, clock stopped or resumed)",
            self.events_view,
            [self.event_button],
        )

        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        for box in (appeals_box, imes_box, events_box):
            split.addWidget(box)
        split.setSizes([220, 170, 210])
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        self._update_buttons()

    @staticmethod
    def _box(title: str, view: QTableView, buttons: list[QPushButton]) -> QGroupBox:
        box = QGroupBox(title)
        inner = QVBoxLayout(box)
        inner.addWidget(view, 1)
        inner.addLayout(button_row(*buttons))
        return box

    # Reading

    def reads(self) -> Callable[[CaseRecords], Appeals]:
        services, claim_id = self.services, self.claim_id

        def read(records: CaseRecords) -> Appeals:
            return (
                records.appeals(),
                services.imes.imes(claim_id),
                services.appeals.events(claim_id),
            )

        return read

    def paint(self, data: Appeals) -> None:
        appeals, imes, events = data
        self.fill(self.appeals_view, appeals)
        self.fill(self.imes_view, imes)
        self.fill(self.events_view, events)
        self._update_buttons()

    def selected_appeal(self) -> AppealRecord | None:
        return selected_record(self.appeals_view)  # type: ignore[no-any-return]

    def _update_buttons(self) -> None:
        self.decision_button.setEnabled(self.selected_appeal() is not None)

    # Acting

    def record_appeal(self) -> None:
        dialog = FormDialog("Record a review level", self, today=self.env.clock.today())
        level = dialog.choice("Level", [(a.label, a) for a in AppealLevel])
        body = dialog.line("Reviewing body")
        body.setPlaceholderText("e.g. the plan's appeals unit, the IRO")
        expedited = check(dialog, "Expedited (urgent)")
        section(dialog, "Filing")
        filed = dialog.day("Filed on")
        method = dialog.choice(
            "How it was filed", [("Not recorded", None)] + [(m.label, m) for m in ContactMethod]
        )
        received = optional_day(dialog, "Received by the reviewer on")
        proof = dialog.line("Proof of receipt")
        reference = dialog.line("Reference")
        notes = dialog.text("Notes")
        dialog.finish()
        if not self.run_dialog(dialog):
            return
        self.act(
            "Cannot record the review level",
            lambda: self.services.appeals.record(
                self.claim_id,
                level.currentData(),
                reviewing_body=body.text(),
                expedited=expedited.isChecked(),
                filed_on=picked(filed),
                filed_method=method.currentData(),
                received_on=received.value(),
                proof_of_receipt=proof.text(),
                reference=reference.text(),
                notes=notes.toPlainText(),
            ),
        )

    def record_decision(self) -> None:
        record = self.selected_appeal()
        if record is None:
            return
        dialog = FormDialog("Record the decision", self, today=self.env.clock.today())
        filed = f", filed {day_text(record.filed_on)}" if record.filed_on else ""
        dialog.form.addRow(QLabel(f"<b>{record.level.label}</b>{filed}"))
        decided = dialog.day("Decided on", record.decided_on)
        received = optional_day(
            dialog, "Decision received on", record.decision_received_on or self.env.clock.today()
        )
        outcome = dialog.choice("Outcome", [(o.label, o) for o in Outcome if o != Outcome.PENDING])
        if record.outcome != Outcome.PENDING:
            outcome.setCurrentIndex(outcome.findData(record.outcome))
        summary = dialog.text("What the decision says", record.decision_summary)
        dialog.finish()
        if not self.run_dialog(dialog):
            return
        self.act(
            "Cannot record the decision",
            lambda: self.services.appeals.record_decision(
                record.id,
                decided_on=picked(decided),
                outcome=outcome.currentData(),
                summary=summary.toPlainText(),
                received_on=received.value(),
            ),
        )

    def record_ime(self) -> None:
        dialog = FormDialog("Record an IME", self, today=self.env.clock.today())
        exam_date = dialog.day("Examination date")
        examiner = dialog.line("Examiner")
        specialty = dialog.line("Examiner's specialty")
        paid_by = dialog.line("Paid by")
        paid_by.setPlaceholderText("usually the insurer")
        minutes = QSpinBox()
        minutes.setRange(0, 24 * 60)
        minutes.setSuffix(" min")
        minutes.setSpecialValueText("Not recorded")
        minutes.setAccessibleName("Length of the examination")
        dialog.form.addRow("Length:", minutes)
        section(dialog, "Representative")
        attending = check(dialog, "A representative attended with the claimant")
        representative = dialog.line("Representative")
        section(dialog, "Report")
        requested = optional_day(dialog, "Report requested on")
        received = optional_day(dialog, "Report received on")
        findings = dialog.text("Findings")
        dialog.finish()
        if not self.run_dialog(dialog):
            return
        self.act(
            "Cannot record the IME",
            lambda: self.services.imes.record(
                self.claim_id,
                exam_date=picked(exam_date),
                examiner_name=examiner.text(),
                examiner_specialty=specialty.text(),
                paid_by=paid_by.text(),
                duration_minutes=minutes.value() or None,
                representative_attending=attending.isChecked(),
                representative_name=representative.text(),
                report_requested_on=requested.value(),
                report_received_on=received.value(),
                findings=findings.toPlainText(),
            ),
        )

    def add_event(self) -> None:
        dialog = FormDialog("Add a clock event", self, today=self.env.clock.today())
        kind = dialog.choice("Event", [(k.label, k) for k in EventKind])
        kind.setCurrentIndex(kind.findData(EventKind.EXTENSION_NOTICE))
        occurred = dialog.day("Date")
        appeal = dialog.choice(
            "Review level",
            [("The whole case", None)]
            + [
                (
                    f"{a.level.label}, filed {day_text(a.filed_on)}"
                    if a.filed_on
                    else a.level.label,
                    a.id,
                )
                for a in self.appeals.rows
            ],
        )
        current = self.selected_appeal()
        if current is not None:
            appeal.setCurrentIndex(appeal.findData(current.id))
        detail = dialog.text("Detail")
        dialog.finish()
        if not self.run_dialog(dialog):
            return
        self.act(
            "Cannot add the event",
            lambda: self.services.appeals.add_event(
                self.claim_id,
                kind.currentData(),
                picked(occurred),
                detail=detail.toPlainText(),
                appeal_id=appeal.currentData(),
            ),
        )

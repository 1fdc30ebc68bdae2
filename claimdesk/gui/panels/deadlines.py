"""Deadlines: each date with its rule, citation and confidence; move one by hand with a reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from claimdesk.clock import Clock
from claimdesk.gui import theme
from claimdesk.gui.case_source import CaseRecords
from claimdesk.gui.dates import day_text, day_width
from claimdesk.gui.dialogs import FormDialog, picked
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.panels.record_list import RecordPanel, button_row
from claimdesk.gui.table_model import RecordTableModel, record_table, selected_record
from claimdesk.models.enums import Confidence, DeadlineSource, DeadlineStatus, Party
from claimdesk.services.dto import DeadlineRecord

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Due", "When", "What", "Who must act", "Computed", "Outer limit", "Confidence", "Status")
DUE, WHEN, WHAT, PARTY, COMPUTED, OUTER, CONFIDENCE, STATUS = range(8)


# The Confidence column in words a claimant reads without the legend (DOMAIN.md: V, S, M).
CONFIDENCE_TEXT = {
    Confidence.VERIFIED: "Verified in the rule's text",
    Confidence.SECONDARY: "Secondary source",
    Confidence.UNCHECKED: "Believed, not re-checked",
}


def _day(value: date | None) -> str:
    return day_text(value) if value else ""


def computed_text(row: DeadlineRecord) -> str:
    """The date the rule gives (beside a date moved by hand it shows what was moved)."""
    if row.source != DeadlineSource.COMPUTED:
        return "by hand"
    return _day(row.computed_due_on or row.due_on)


def confidence_text(row: DeadlineRecord) -> str:
    if row.confidence is None:
        return "Entered by hand"
    return CONFIDENCE_TEXT[row.confidence]


class DeadlineModel(RecordTableModel):
    headers = HEADERS

    def __init__(self, clock: Clock, parent: Any = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.rows: list[DeadlineRecord] = []
        self.today = clock.today()

    def set_rows(self, rows: list[DeadlineRecord]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.today = self.clock.today()
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        is_open = row.status == DeadlineStatus.OPEN
        if role == Qt.ItemDataRole.DisplayRole:
            from claimdesk.gui.today_page import when_text

            return {
                DUE: _day(row.due_on) + (" ✎" if row.overridden else ""),
                WHEN: when_text(row.due_on, self.today) if is_open else "",
                WHAT: row.title,
                PARTY: row.party.label,
                COMPUTED: computed_text(row),
                OUTER: _day(row.outer_limit_on) if row.outer_limit_on != row.due_on else "",
                CONFIDENCE: confidence_text(row),
                STATUS: row.status.label,
            }[column]
        if role == Qt.ItemDataRole.ForegroundRole:
            if not is_open:
                return theme.MUTED.brush()
            if row.due_on < self.today:
                return theme.DANGER.brush()
            if column == CONFIDENCE and row.confidence == Confidence.UNCHECKED:
                return theme.WARNING.brush()
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == CONFIDENCE and row.confidence:
                source = f"\nSource: {row.citation}" if row.citation else ""
                return f"{row.confidence.label}.{source}\nSelect the row for how it was worked out."
            if column == DUE and row.overridden:
                return f"Moved by hand: {row.override_reason}"
            return row.derivation or None
        return None


class DeadlinesPanel(RecordPanel):
    key = "deadlines"
    title = "Deadlines"
    watches = frozenset({"deadline", "claim", "appeal", "event", "request"})
    failure = "Cannot read the deadlines"

    def __init__(self, env: GuiEnv, claim_id: int, parent: QWidget | None = None) -> None:
        super().__init__(env, claim_id, parent)
        self.model = DeadlineModel(self.env.clock, self)
        self.table = record_table(
            self.model,
            "Deadlines of this case",
            stretch=(WHAT,),
            widths={
                DUE: day_width(self),
                WHEN: 120,
                PARTY: 120,
                COMPUTED: day_width(self),
                OUTER: day_width(self),
                CONFIDENCE: 185,
                STATUS: 110,
            },
        )
        self.detail = QLabel("Select a deadline to see how it was worked out.")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setAccessibleName("How the deadline was worked out")
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_detail())

        self.add_button = QPushButton("Add a deadline…")
        self.move_button = QPushButton("Move the date…")
        self.undo_button = QPushButton("Back to the computed date")
        self.met_button = QPushButton("Mark met")
        self.dismiss_button = QPushButton("No longer applies")
        self.reopen_button = QPushButton("Reopen")
        self.add_button.clicked.connect(self.add_deadline)
        self.move_button.clicked.connect(self.move_deadline)
        self.undo_button.clicked.connect(lambda: self._act(self._undo))
        self.met_button.clicked.connect(lambda: self._status(DeadlineStatus.MET))
        self.dismiss_button.clicked.connect(lambda: self._status(DeadlineStatus.DISMISSED))
        self.reopen_button.clicked.connect(lambda: self._status(DeadlineStatus.OPEN))
        buttons = button_row(
            self.add_button,
            self.move_button,
            self.undo_button,
            self.met_button,
            self.dismiss_button,
            self.reopen_button,
        )

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        holder = QWidget()
        inner = QVBoxLayout(holder)
        inner.setContentsMargins(4, 4, 4, 4)
        inner.addWidget(self.detail)
        split.addWidget(holder)
        split.setSizes([400, 140])
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(split, 1)
        self._update_buttons()

    def reads(self) -> Callable[[CaseRecords], list[DeadlineRecord]]:
        return lambda records: records.deadlines()

    def paint(self, data: list[DeadlineRecord]) -> None:
        self.fill(self.table, data)
        self._show_detail()

    def selected(self) -> DeadlineRecord | None:
        return selected_record(self.table)  # type: ignore[no-any-return]

    def _show_detail(self) -> None:
        record = self.selected()
        self._update_buttons()
        if record is None:
            self.detail.setText("Select a deadline to see how it was worked out.")
            return
        lines = [f"<b>{record.title}</b>"]
        if record.source == DeadlineSource.COMPUTED:
            lines.append(record.derivation)
            lines.append(f"<i>{record.citation}</i> — {record.rule_id}")
            if record.confidence:
                lines.append(f"How sure this rule is: {record.confidence.label.lower()}.")
        else:
            lines.append("Entered by hand.")
        if record.overridden:
            lines.append(
                f"Moved by hand to {_day(record.due_on)} (computed: "
                f"{_day(record.computed_due_on)}). Reason: {record.override_reason}"
            )
        if record.notes:
            lines.append(record.notes)
        self.detail.setText("<br>".join(line for line in lines if line))

    def _update_buttons(self) -> None:
        record = self.selected()
        is_open = record is not None and record.status == DeadlineStatus.OPEN
        movable_back = (
            record is not None and record.overridden and record.source == DeadlineSource.COMPUTED
        )
        self.move_button.setEnabled(is_open)
        self.undo_button.setEnabled(movable_back)
        self.met_button.setEnabled(is_open)
        self.dismiss_button.setEnabled(is_open)
        self.reopen_button.setEnabled(record is not None and not is_open)

    def add_deadline(self) -> None:
        dialog = FormDialog("Add a deadline", self, today=self.env.clock.today())
        title = dialog.line("What is due")
        due = dialog.day("Due on")
        party = dialog.choice("Who must act", [(p.label, p) for p in Party])
        notes = dialog.text("Notes")
        dialog.finish()
        if self.run_dialog(dialog):
            self._act(
                lambda: self.services.deadlines.add_manual(
                    self.claim_id,
                    title.text(),
                    picked(due),
                    party=party.currentData(),
                    notes=notes.toPlainText(),
                    lead_days=self.services.schedule.lead_days,
                )
            )

    def move_deadline(self) -> None:
        record = self.selected()
        if record is None:
            return
        dialog = FormDialog("Move the date", self, today=self.env.clock.today())
        dialog.form.addRow(QLabel(f"<b>{record.title}</b>, due {_day(record.due_on)}"))
        due = dialog.day("New date", record.due_on)
        reason = dialog.text("Why (kept in the record)")
        dialog.finish()
        if self.run_dialog(dialog):
            self._act(
                lambda: self.services.deadlines.override(
                    record.id,
                    picked(due),
                    reason.toPlainText(),
                    lead_days=self.services.schedule.lead_days,
                )
            )

    def _undo(self) -> None:
        record = self.selected()
        if record is not None:
            self.services.deadlines.clear_override(
                record.id, lead_days=self.services.schedule.lead_days
            )

    def _status(self, status: DeadlineStatus) -> None:
        record = self.selected()
        if record is not None:
            self._act(lambda: self.services.deadlines.set_status(record.id, status))

    def _act(self, work: Callable[[], object]) -> None:
        self.act("Cannot change the deadline", work)

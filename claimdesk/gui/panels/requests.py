"""Requests: what was asked of the insurer, when it is due, and what arrived."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from claimdesk.clock import Clock
from claimdesk.errors import ClaimDeskError
from claimdesk.gui import theme
from claimdesk.gui.case_source import CaseRecords
from claimdesk.gui.dates import day_text, day_width
from claimdesk.gui.dialogs import FormDialog, picked
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.panels.record_list import RecordPanel, button_row
from claimdesk.gui.table_model import RecordTableModel, record_table, reselect, selected_record
from claimdesk.models.enums import ContactMethod, DocumentKind, RequestKind
from claimdesk.services.dto import RequestRecord
from claimdesk.services.requests import DEFAULT_RESPONSE_DAYS, DOCUMENT_KINDS

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("What", "Sent to", "Method", "Sent", "Due", "Status", "Received", "Reference")
WHAT, SENT_TO, METHOD, SENT, DUE, STATUS, RECEIVED, REFERENCE = range(8)
STATUS_COLOURS = {
    "requested": theme.ACCENT,
    "overdue": theme.DANGER,
    "received": theme.SUCCESS,
    "withdrawn": theme.MUTED,
}


def _day(value: date | None) -> str:
    return day_text(value) if value else ""


class RequestModel(RecordTableModel):
    headers = HEADERS

    def __init__(self, clock: Clock, parent: Any = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.rows: list[RequestRecord] = []
        self.organisations: dict[int, str] = {}
        self.documents: dict[int, str] = {}
        self.today = clock.today()

    def set_rows(
        self,
        rows: list[RequestRecord],
        organisations: dict[int, str] | None = None,
        documents: dict[int, str] | None = None,
    ) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.organisations = dict(organisations or {})
        self.documents = dict(documents or {})
        self.today = self.clock.today()
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        status = row.status(self.today)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column, status)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == STATUS or (column == DUE and status == "overdue"):
                return STATUS_COLOURS[status].brush()
            if status == "withdrawn":
                return STATUS_COLOURS["withdrawn"].brush()
        if role == Qt.ItemDataRole.FontRole and column == STATUS:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == DUE and row.follow_ups:
                first = f"First asked for by {_day(row.due_on)}"
                return "\n".join(
                    [first]
                    + [f"Asked again {_day(f.sent_on)} ({f.method.label})" for f in row.follow_ups]
                )
            if column == WHAT and row.description:
                return row.description
            if row.notes:
                return row.notes
        return None

    def _text(self, row: RequestRecord, column: int, status: str) -> str:
        if column == WHAT:
            return f"{row.kind.label} — {row.description}" if row.description else row.kind.label
        if column == SENT_TO:
            organisation = self.organisations.get(row.recipient_id or 0, "")
            return ", ".join(p for p in (row.recipient_name, organisation) if p)
        if column == METHOD:
            return row.method.label
        if column == SENT:
            return _day(row.sent_on)
        if column == DUE:
            again = f" · asked {len(row.follow_ups) + 1}×" if row.follow_ups else ""
            return _day(row.current_due_on) + again
        if column == STATUS:
            return status
        if column == RECEIVED:
            document = self.documents.get(row.document_id or 0, "")
            return _day(row.received_on) + (f" · {document}" if document else "")
        if column == REFERENCE:
            return row.reference
        return ""


# What the panel reads: the requests, organisations' names and the case's documents' titles.
Requests = tuple[list[RequestRecord], dict[int, str], dict[int, str]]


class RequestsPanel(RecordPanel):
    key = "requests"
    title = "Requests"
    watches = frozenset({"request", "document"})
    failure = "Cannot read the requests"

    def __init__(self, env: GuiEnv, claim_id: int, parent: QWidget | None = None) -> None:
        super().__init__(env, claim_id, parent)
        self.model = RequestModel(self.env.clock, self)
        self.table = record_table(
            self.model,
            "Requests of this case",
            stretch=(WHAT,),
            widths={
                SENT_TO: 170,
                METHOD: 115,
                SENT: day_width(self),
                DUE: day_width(self, " · asked 2×"),
                STATUS: 90,
                RECEIVED: 200,
                REFERENCE: 100,
            },
        )
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())

        self.new_button = QPushButton("New request…")
        self.follow_button = QPushButton("Second request…")
        self.received_button = QPushButton("Mark received…")
        self.withdraw_button = QPushButton("Withdraw")
        self.new_button.clicked.connect(self.new_request)
        self.follow_button.clicked.connect(self.second_request)
        self.received_button.clicked.connect(self.mark_received)
        self.withdraw_button.clicked.connect(self.withdraw)
        buttons = button_row(
            self.new_button, self.follow_button, self.received_button, self.withdraw_button
        )
        self.summary = QLabel()
        self.summary.setAccessibleName("Requests summary")
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        self._receiving = False  # a receipt is being saved: no second one meanwhile
        self._update_buttons()

    def reads(self) -> Callable[[CaseRecords], Requests]:
        claims = self.services.claims

        def read(records: CaseRecords) -> Requests:
            organisations = {o.id: o.name for o in claims.organisations()}
            documents = {d.id: d.title for d in records.documents()}
            return records.requests(), organisations, documents

        return read

    def paint(self, data: Requests) -> None:
        rows, organisations, documents = data
        current = self.selected()
        self.model.set_rows(rows, organisations, documents)
        reselect(self.table, current)
        statuses = [r.status(self.model.today) for r in rows]
        waiting = statuses.count("requested") + statuses.count("overdue")
        self.summary.setText(
            f"{waiting} awaited, {statuses.count('overdue')} overdue, "
            f"{statuses.count('received')} received"
            if rows
            else "Nothing requested yet. Use “New request…” to record what you asked for."
        )
        self._update_buttons()

    def selected(self) -> RequestRecord | None:
        return selected_record(self.table)  # type: ignore[no-any-return]

    def _update_buttons(self) -> None:
        record = self.selected()
        awaited = (
            not self._receiving
            and record is not None
            and record.status(self.model.today) in ("requested", "overdue")
        )
        self.follow_button.setEnabled(awaited)
        self.received_button.setEnabled(awaited)
        self.withdraw_button.setEnabled(awaited)

    def new_request(self) -> None:
        dialog = FormDialog("New request", self, today=self.env.clock.today())
        kind = dialog.choice("What was requested", [(k.label, k) for k in RequestKind])
        description = dialog.line("Description")
        description.setPlaceholderText("Optional: exactly what you asked for")
        recipient = dialog.line("Sent to")
        recipient.setPlaceholderText("Name of the person or department")
        method = dialog.choice("How it was sent", [(m.label, m) for m in ContactMethod])
        sent = dialog.day("Date sent")
        reference = dialog.line("Reference")
        due = dialog.day("Due by", self.env.clock.today() + timedelta(days=DEFAULT_RESPONSE_DAYS))
        sent.dateChanged.connect(lambda day: due.setDate(day.addDays(DEFAULT_RESPONSE_DAYS)))
        dialog.finish()
        if self.run_dialog(dialog):
            self.act(
                "Cannot record the request",
                lambda: self.services.requests.request_document(
                    self.claim_id,
                    kind.currentData(),
                    sent_on=picked(sent),
                    method=method.currentData(),
                    recipient_name=recipient.text(),
                    description=description.text(),
                    reference=reference.text(),
                    due_on=picked(due),
                ),
            )

    def second_request(self) -> None:
        record = self.selected()
        if record is None:
            return
        dialog = FormDialog("Second request", self, today=self.env.clock.today())
        dialog.form.addRow(_heading(record))
        sent = dialog.day("Date sent")
        method = dialog.choice("How it was sent", [(m.label, m) for m in ContactMethod])
        method.setCurrentIndex(method.findData(record.method))
        due = dialog.day(
            "New due date", self.env.clock.today() + timedelta(days=DEFAULT_RESPONSE_DAYS)
        )
        notes = dialog.text("Notes")
        dialog.finish()
        if self.run_dialog(dialog):
            self.act(
                "Cannot record the second request",
                lambda: self.services.requests.follow_up(
                    record.id,
                    sent_on=picked(sent),
                    method=method.currentData(),
                    new_due_on=picked(due),
                    notes=notes.toPlainText(),
                ),
            )

    def mark_received(self) -> None:
        record = self.selected()
        if record is None or record.status(self.model.today) not in ("requested", "overdue"):
            return
        dialog = FormDialog("Mark received", self, today=self.env.clock.today())
        dialog.setMinimumWidth(560)
        dialog.form.addRow(_heading(record))
        received = dialog.day("Date received")
        chosen: list[Path] = []
        file_name = QLineEdit()
        file_name.setReadOnly(True)
        file_name.setMinimumWidth(240)
        file_name.setAccessibleName("Document that came")
        file_name.setPlaceholderText("Optional: attach the file you received")
        browse = QPushButton("Choose file…")
        browse.setAccessibleName("Choose the document that came")
        clear = QPushButton("Clear")

        def pick() -> None:
            path = self.env.prompts.open_path(self, "The document that came", "")
            if path is not None:
                chosen[:] = [Path(path)]
                file_name.setText(Path(path).name)

        def forget() -> None:
            chosen.clear()
            file_name.clear()

        browse.clicked.connect(pick)
        clear.clicked.connect(forget)
        row = QHBoxLayout()
        row.addWidget(file_name, 1)
        row.addWidget(browse)
        row.addWidget(clear)
        dialog.form.addRow("Document that came:", row)
        kind = dialog.choice("File it as", [(k.label, k) for k in DocumentKind])
        kind.setCurrentIndex(kind.findData(DOCUMENT_KINDS.get(record.kind, DocumentKind.OTHER)))
        dialog.finish()

        def ask() -> None:
            if not self.run_dialog(dialog):
                return
            # Read on the GUI thread; the worker only gets plain values.
            requests, day = self.services.requests, picked(received)
            file = chosen[0] if chosen else None
            filed_as = kind.currentData() if file else None
            self._receiving = True
            self._update_buttons()
            self.env.tasks.run(
                # The file is read, checked and kept in the same unit as the receipt, so a
                # refused date leaves no document behind.
                lambda: requests.mark_received(record.id, day, file=file, kind=filed_as),
                done,
                refused,
            )

        def done(_: object) -> None:
            if isValid(self):  # the case may have been closed meanwhile
                self._received()

        def refused(error: BaseException) -> None:
            title = "Cannot mark the request received"
            if not isValid(self):
                if not isinstance(error, ClaimDeskError):
                    raise error
                self.env.prompts.error(None, title, str(error))
                return
            self._received()
            self.report(title, error)
            ask()  # the dialog comes back as typed

        ask()

    def _received(self) -> None:
        self._receiving = False
        self._update_buttons()  # at once: the list read afresh follows
        self.refresh()

    def withdraw(self) -> None:
        record = self.selected()
        if record is not None:
            self.act(
                "Cannot withdraw the request", lambda: self.services.requests.withdraw(record.id)
            )


def _heading(record: RequestRecord) -> QLabel:
    label = QLabel(
        f"<b>{record.kind.label}</b>, sent {_day(record.sent_on)}, "
        f"due {_day(record.current_due_on)}"
    )
    label.setWordWrap(True)
    return label

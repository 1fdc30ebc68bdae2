"""The call log: who said what and when, what they promised and refused; corrections amend."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import (
    QDateTime,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimeZone,
)
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from claimdesk.clock import Clock
from claimdesk.gui import theme
from claimdesk.gui.case_source import CaseRecords
from claimdesk.gui.dates import day_text, day_width, moment_text
from claimdesk.gui.dialogs import OptionalDate
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.panels.record_list import RecordPanel, button_row
from claimdesk.gui.table_model import RecordTableModel, record_table, selected_record
from claimdesk.models.enums import CallDirection, PromiseStatus
from claimdesk.services.calls import CallInput, PromiseInput
from claimdesk.services.dto import CallRecord, OrganisationRecord, PromiseRecord

Index = QModelIndex | QPersistentModelIndex
HEADERS = (
    "When",
    "Direction",
    "Who",
    "Organisation",
    "Reference",
    "What was said",
    "Promised",
    "Refused",
)
WHEN, DIRECTION, WHO, ORGANISATION, REFERENCE, SUMMARY, PROMISED, REFUSED = range(8)
CALL_ID_ROLE = Qt.ItemDataRole.UserRole + 1


NO_ORGANISATION = "Not recorded"


def _day(value: date | None) -> str:
    return day_text(value) if value else ""


def local_zone() -> str:
    """The computer's IANA time zone name, as the service wants it; UTC if Qt cannot say."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode() or "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def in_own_zone(call: CallRecord) -> datetime:
    """The moment of the call on the clock of the place it was logged in."""
    try:
        return call.occurred_at.astimezone(ZoneInfo(call.time_zone))
    except (ZoneInfoNotFoundError, ValueError):
        return call.occurred_at


def when_text(call: CallRecord) -> str:
    local = in_own_zone(call)
    return f"{moment_text(local)} {local.strftime('%Z')}".strip()


def promise_text(promise: PromiseRecord) -> str:
    due = f" — by {_day(promise.due_date)}" if promise.due_date else ""
    status = "" if promise.status == PromiseStatus.OPEN else f" ({promise.status.label.lower()})"
    return f"{promise.description}{due}{status}"


class CallModel(RecordTableModel):
    headers = HEADERS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[CallRecord] = []
        self._by_id: dict[int, CallRecord] = {}

    def set_rows(self, rows: list[CallRecord]) -> None:
        # Nothing per row here but an index: a case with 5,000 calls is set at once, and a
        # row's text is made when the view shows it.
        self.beginResetModel()
        self.rows = list(rows)
        self._by_id = {r.id: r for r in self.rows}
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        call = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(call, column)
        if role == Qt.ItemDataRole.ForegroundRole and call.superseded:
            return theme.MUTED.brush()
        if role == Qt.ItemDataRole.FontRole and call.superseded:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if call.superseded:
                return "Corrected by a later entry; kept as it was first logged."
            if call.amends_id is not None:
                return f"Correction: {call.amendment_reason}"
            if column == SUMMARY:
                return call.summary
        if role == CALL_ID_ROLE:
            return call.id
        return None

    def _text(self, call: CallRecord, column: int) -> str:
        if column == WHEN:
            return when_text(call)
        if column == DIRECTION:
            return call.direction.label
        if column == WHO:
            staff = f" ({call.person_staff_id})" if call.person_staff_id else ""
            return call.person_name + staff
        if column == ORGANISATION:
            return call.organisation_name
        if column == REFERENCE:
            return call.call_reference
        if column == SUMMARY:
            first = call.summary.splitlines()[0] if call.summary else ""
            if call.superseded:
                return f"corrected · {first}"
            if call.amends_id is not None:
                amended = self._by_id.get(call.amends_id)
                corrected = _day(in_own_zone(amended).date()) if amended else ""
                return f"corrects the call of {corrected} · {first}"
            return first
        if column == PROMISED:
            return "; ".join(promise_text(p) for p in call.promises)
        if column == REFUSED:
            if call.refusal_detail:
                return call.refusal_detail.splitlines()[0]
            return "Yes" if call.refused else ""
        return ""


class CallForm(QGroupBox):
    """The inline form for a new call or a correction; Enter / Ctrl+Enter saves, Esc cancels."""

    def __init__(self, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__("Log a call", parent)
        self.clock = clock
        self.correcting: CallRecord | None = None
        self.insurer_id: int | None = None
        self.zone = local_zone()
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)

        self.reason = self._line("Reason for the correction")
        self.when = QDateTimeEdit()
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("dd MMM yyyy HH:mm")
        self.when.setAccessibleName("When")
        self.when.setMinimumWidth(170)
        self.zone_label = QLabel()
        self.zone_label.setAccessibleName("Time zone")
        when_row = QHBoxLayout()
        when_row.addWidget(self.when)
        when_row.addWidget(self.zone_label)
        when_row.addStretch(1)
        self.who = self._line("Who", "Name of the person you spoke to")
        self.staff_id = self._line("Their ID", "Staff or employee ID, if they gave one")
        self.reference = self._line("Reference", "Call reference number")
        self.organisation = QComboBox()
        self.organisation.setAccessibleName("Organisation")
        self.organisation.setToolTip("Whom you spoke to: the case's insurer is offered first")
        self.organisation.addItem(NO_ORGANISATION, None)
        self.direction = QComboBox()
        self.direction.setAccessibleName("Direction")
        for member in CallDirection:
            self.direction.addItem(member.label, member)
        self.summary = QPlainTextEdit()
        self.summary.setAccessibleName("What was said")
        self.summary.setPlaceholderText("What was said (Ctrl+Enter saves)")
        self.summary.setTabChangesFocus(True)
        self.summary.setMinimumHeight(70)
        self.summary.setMaximumHeight(130)
        self.promised = self._line("What was promised", "Optional")
        self.promised_by = OptionalDate("Promised by")
        self.refused = self._line("What was refused", "Optional")

        self.reason_label = QLabel("Reason for the correction:")
        form.addRow(self.reason_label, self.reason)
        form.addRow("When:", when_row)
        ids = QHBoxLayout()
        ids.addWidget(self.who, 2)
        ids.addWidget(QLabel("Their ID:"))
        ids.addWidget(self.staff_id, 1)
        form.addRow("Who:", ids)
        form.addRow("Organisation:", self.organisation)
        refs = QHBoxLayout()
        refs.addWidget(self.reference, 2)
        refs.addWidget(QLabel("Direction:"))
        refs.addWidget(self.direction, 1)
        form.addRow("Reference:", refs)
        form.addRow("What was said:", self.summary)
        promise_row = QHBoxLayout()
        promise_row.addWidget(self.promised, 2)
        promise_row.addWidget(QLabel("by:"))
        promise_row.addWidget(self.promised_by, 1)
        form.addRow("What was promised:", promise_row)
        form.addRow("What was refused:", self.refused)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        form.addRow(self.buttons)

        chain = [
            self.reason,
            self.who,
            self.staff_id,
            self.organisation,
            self.reference,
            self.direction,
            self.summary,
            self.promised,
            self.promised_by.known,
            self.promised_by.edit,
            self.refused,
            self.when,
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)
        self.save_keys = [
            QShortcut(
                QKeySequence(key), self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut
            )
            for key in ("Ctrl+Return", "Ctrl+Enter")
        ]
        self.cancel_key = QShortcut(
            QKeySequence("Esc"), self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut
        )
        # A date edit uses Tab to step between day, month and year; here Tab leaves the field
        # (arrow keys still move between the parts), so the form fills in one pass.
        for edit in (self.when, self.promised_by.edit):
            edit.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Tab and not event.modifiers():
                self.focusNextPrevChild(True)
                return True
            if event.key() == Qt.Key.Key_Backtab:
                self.focusNextPrevChild(False)
                return True
        return super().eventFilter(watched, event)

    def _line(self, name: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        edit.setMinimumWidth(160)
        return edit

    def set_organisations(
        self, organisations: list[OrganisationRecord], insurer_id: int | None
    ) -> None:
        """The choices: the case's insurer first, then every other organisation known."""
        self.organisation.clear()
        self.organisation.addItem(NO_ORGANISATION, None)
        ordered = sorted(organisations, key=lambda o: (o.id != insurer_id, o.name.casefold()))
        for org in ordered:
            mark = " (this case's insurer)" if org.id == insurer_id else ""
            self.organisation.addItem(f"{org.name}{mark}", org.id)
        self.insurer_id = insurer_id

    def _choose_organisation(self, organisation_id: int | None) -> None:
        found = self.organisation.findData(organisation_id)
        self.organisation.setCurrentIndex(max(found, 0))

    def lines(self) -> list[QLineEdit]:
        return [self.reason, self.who, self.staff_id, self.reference, self.promised, self.refused]

    def start(self, call: CallRecord | None = None) -> None:
        """Empty for a new call at the current local time, or filled from the call corrected."""
        self.correcting = call
        for edit in self.lines():
            edit.clear()
        self.summary.clear()
        self.promised_by.set_value(None)
        self.reason.setVisible(call is not None)
        self.reason_label.setVisible(call is not None)
        if call is None:
            self.setTitle("Log a call")
            self.zone = local_zone()
            now = self.clock.now().astimezone(ZoneInfo(self.zone))
            self.when.setDateTime(QDateTime(now.year, now.month, now.day, now.hour, now.minute, 0))
            self.direction.setCurrentIndex(self.direction.findData(CallDirection.OUTGOING))
            self._choose_organisation(self.insurer_id)  # most calls are to the insurer
        else:
            self.setTitle(f"Correct the call of {when_text(call)}")
            self.zone = call.time_zone
            moment = in_own_zone(call)
            self.when.setDateTime(
                QDateTime(moment.year, moment.month, moment.day, moment.hour, moment.minute, 0)
            )
            self.who.setText(call.person_name)
            self.staff_id.setText(call.person_staff_id)
            self.reference.setText(call.call_reference)
            self.direction.setCurrentIndex(self.direction.findData(call.direction))
            self._choose_organisation(call.organisation_id)
            self.summary.setPlainText(call.summary)
            if call.promises:
                self.promised.setText(call.promises[0].description)
                self.promised_by.set_value(call.promises[0].due_date)
            self.refused.setText(call.refusal_detail)
        self.zone_label.setText(self.zone)
        self.show()
        (self.who if call is None else self.reason).setFocus()

    def has_text(self) -> bool:
        return any(e.text().strip() for e in self.lines()) or bool(
            self.summary.toPlainText().strip()
        )

    def value(self) -> CallInput:
        moment = self.when.dateTime()
        day, clock = moment.date(), moment.time()
        promises: list[PromiseInput] = []
        if self.promised.text().strip():
            promises.append(PromiseInput(self.promised.text(), self.promised_by.value()))
        if self.correcting is not None:
            # The form edits the first promise; any others are carried over as they were.
            promises.extend(
                PromiseInput(p.description, p.due_date) for p in self.correcting.promises[1:]
            )
        return CallInput(
            occurred_at=datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute()),
            time_zone=self.zone,
            person_name=self.who.text(),
            person_staff_id=self.staff_id.text(),
            call_reference=self.reference.text(),
            direction=self.direction.currentData(),
            summary=self.summary.toPlainText(),
            refusal_detail=self.refused.text(),
            refused=bool(self.refused.text().strip()),
            organisation_id=self.organisation.currentData(),
            number_dialled=self.correcting.number_dialled if self.correcting else "",
            duration_minutes=self.correcting.duration_minutes if self.correcting else None,
            promises=tuple(promises),
        )


class CallsPanel(RecordPanel):
    key = "calls"
    title = "Call log"
    watches = frozenset({"call", "promise"})
    failure = "Cannot read the call log"

    def __init__(self, env: GuiEnv, claim_id: int, parent: QWidget | None = None) -> None:
        super().__init__(env, claim_id, parent)
        self.model = CallModel(self)
        self.table = record_table(
            self.model,
            "Calls of this case",
            stretch=(SUMMARY,),
            widths={
                WHEN: day_width(self, " 12:00 PM EST"),
                DIRECTION: 80,
                WHO: 200,
                ORGANISATION: 160,
                REFERENCE: 110,
                PROMISED: 180,
                REFUSED: 140,
            },
        )
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_detail())

        self.log_button = QPushButton("Log a call")
        self.log_button.setToolTip("Log a call (Ctrl+L)")
        self.correct_button = QPushButton("Correct this call…")
        self.kept_button = QPushButton("Promise kept")
        self.broken_button = QPushButton("Promise broken")
        self.log_button.clicked.connect(self.start_new_call)
        self.correct_button.clicked.connect(self.correct_call)
        self.kept_button.clicked.connect(lambda: self._promise(PromiseStatus.KEPT))
        self.broken_button.clicked.connect(lambda: self._promise(PromiseStatus.BROKEN))
        buttons = button_row(self.log_button, self.correct_button)
        buttons.addWidget(self.kept_button)
        buttons.addWidget(self.broken_button)

        self.detail = QLabel("Select a call to read it in full.")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setAccessibleName("The selected call in full")
        self.promises = QListWidget()
        self.promises.setAccessibleName("Promises made on the selected call")
        self.promises.setFixedWidth(340)
        self.promises.setWordWrap(True)
        self.promises.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.promises.currentRowChanged.connect(lambda *_: self._update_buttons())
        below = QWidget()
        detail_row = QHBoxLayout(below)
        detail_row.setContentsMargins(4, 4, 4, 4)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.detail)
        detail_row.addWidget(scroll, 1)
        promises_column = QVBoxLayout()
        promises_column.setContentsMargins(0, 0, 0, 0)
        promises_label = QLabel("&Promises made on this call:")
        promises_label.setBuddy(self.promises)
        promises_column.addWidget(promises_label)
        promises_column.addWidget(self.promises, 1)
        detail_row.addLayout(promises_column)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(below)
        split.setSizes([400, 140])

        self.form = CallForm(env.clock)
        self.form.hide()
        for edit in self.form.lines():
            edit.returnPressed.connect(self.save_form)
        for shortcut in self.form.save_keys:
            shortcut.activated.connect(self.save_form)
        self.form.cancel_key.activated.connect(self.cancel_form)
        self.form.buttons.accepted.connect(self.save_form)
        self.form.buttons.rejected.connect(self.cancel_form)

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(split, 1)
        layout.addWidget(self.form, 0)
        self._update_buttons()

    def reads(self) -> Callable[[CaseRecords], list[CallRecord]]:
        return lambda records: records.calls()

    def paint(self, data: list[CallRecord]) -> None:
        self.fill(self.table, data)
        self._show_detail()

    def selected(self) -> CallRecord | None:
        return selected_record(self.table)  # type: ignore[no-any-return]

    def has_unsaved_edits(self) -> bool:
        return self.form.isVisibleTo(self) and self.form.has_text()

    def start_new_call(self) -> None:
        """Open the form at the current local time with the cursor in Who (Ctrl+L)."""
        if self.has_unsaved_edits():
            self.form.setFocus()
            return
        self._open_form(None)

    def correct_call(self) -> None:
        call = self.selected()
        if call is None or call.superseded:
            return
        self._open_form(call)

    def _open_form(self, call: CallRecord | None) -> None:
        """Open the form once its organisation choices are read afresh (one may have been
        added meanwhile), off the GUI thread like every read."""
        claims = self.services.claims

        def read(records: CaseRecords) -> tuple[list[OrganisationRecord], int | None]:
            return claims.organisations(), records.claim().insurer_id

        def start(found: tuple[list[OrganisationRecord], int | None]) -> None:
            if call is None and self.has_unsaved_edits():
                return  # typing started in the form meanwhile (a second Ctrl+L)
            self.form.set_organisations(*found)
            self.form.start(call)

        self.read_async("form", read, start, "Cannot read the organisations")

    def save_form(self) -> None:
        correcting = self.form.correcting
        try:
            data = self.form.value()
            if correcting is None:
                saved = self.services.calls.log_call(self.claim_id, data)
            else:
                saved = self.services.calls.amend_call(correcting.id, data, self.form.reason.text())
        except Exception as error:
            self.report("Cannot save the call", error)
            return
        self.form.correcting = None
        self.form.hide()
        self.table.setFocus()
        self.refresh(then=lambda: self._select(saved.id))

    def _select(self, call_id: int) -> None:
        for row, record in enumerate(self.model.rows):
            if record.id == call_id:
                self.table.selectRow(row)

    def cancel_form(self) -> None:
        self.form.correcting = None
        for edit in self.form.lines():
            edit.clear()
        self.form.summary.clear()
        self.form.hide()
        self.table.setFocus()

    def _show_detail(self) -> None:
        call = self.selected()
        self.promises.clear()
        if call is None:
            self.detail.setText("Select a call to read it in full.")
            self._update_buttons()
            return
        lines = [f"{when_text(call)} · {call.direction.label} · {call.person_name}"]
        if call.superseded:
            lines.append("Corrected by a later entry; shown as it was first logged.")
        if call.amends_id is not None:
            lines.append(f"Correction. Reason: {call.amendment_reason}")
        lines.append(call.summary)
        if call.refusal_detail:
            lines.append(f"Refused: {call.refusal_detail}")
        if call.created_by:
            lines.append(f"Logged by {call.created_by}")
        self.detail.setText("\n\n".join(lines))
        for promise in call.promises:
            item = QListWidgetItem(promise_text(promise))
            item.setData(Qt.ItemDataRole.UserRole, promise.id)
            self.promises.addItem(item)
        if call.promises:
            self.promises.setCurrentRow(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        call = self.selected()
        self.correct_button.setEnabled(call is not None and not call.superseded)
        has_promise = self.promises.currentItem() is not None
        self.kept_button.setEnabled(has_promise)
        self.broken_button.setEnabled(has_promise)

    def _promise(self, status: PromiseStatus) -> None:
        item = self.promises.currentItem()
        if item is None:
            return
        try:
            self.services.calls.set_promise_status(item.data(Qt.ItemDataRole.UserRole), status)
        except Exception as error:
            self.report("Cannot change the promise", error)

"""Today: everything overdue or due soon across all cases, each a click away from its case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from claimdesk.errors import ClaimDeskError
from claimdesk.gui import theme
from claimdesk.gui.alerts import alerts_html, case_link
from claimdesk.gui.dates import day_text, long_day_text
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.guide import help_button
from claimdesk.gui.table_model import RecordTableModel
from claimdesk.gui.welcome import WelcomeStack
from claimdesk.services import ChangeSet

if TYPE_CHECKING:
    from claimdesk.deadlines.missed import MissedDeadline
    from claimdesk.services.schedule import AgendaItem

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Due", "When", "Case", "What", "Who must act", "Rule / source")
DUE, WHEN, CASE, WHAT, PARTY, SOURCE = range(6)
# Which workspace panel shows each kind of item.
PANEL_FOR = {"deadline": "deadlines", "promise": "calls", "request": "requests"}
# The midnight timer fires this long after the clock's midnight, so the clock surely reads the
# new day when the agenda is read again.
AFTER_MIDNIGHT = timedelta(seconds=2)
WATCHED = frozenset({"deadline", "call", "promise", "request", "claim", "appeal", "event"})
# Missed insurer deadlines listed above the agenda (the dashboard lists them all).
ALERTS_LISTED = 5


def when_text(due: date, today: date) -> str:
    days = (due - today).days
    if days < 0:
        return f"{-days} day{'s' if days != -1 else ''} overdue"
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


def case_text(item: AgendaItem) -> str:
    """The case as a person knows it: its number and whose it is."""
    if not item.claimant_name:
        return item.case_number
    return f"{item.case_number} · {item.claimant_name}"


class AgendaModel(RecordTableModel):
    headers = HEADERS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[AgendaItem] = []
        self.today = date.min  # set with the rows: the day their "overdue" was worked out on

    @property
    def items(self) -> list[AgendaItem]:
        return self.rows

    def set_items(self, items: list[AgendaItem], today: date) -> None:
        self.beginResetModel()
        self.rows = list(items)
        self.today = today
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        item = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                DUE: day_text(item.due_on),
                WHEN: when_text(item.due_on, self.today),
                CASE: case_text(item),
                WHAT: item.title,
                PARTY: item.party.label,
                SOURCE: item.basis,
            }[column]
        if role == Qt.ItemDataRole.ForegroundRole and item.overdue:
            return theme.DANGER.brush()  # asked at paint time: follows a light/dark flip
        if role == Qt.ItemDataRole.FontRole and item.overdue and column == WHEN:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [item.derivation, item.citation]
            if item.confidence is not None:
                parts.append(f"Confidence: {item.confidence.label}")
            return "\n".join(p for p in parts if p) or None
        return None


@dataclass(frozen=True)
class _Tally:
    """What the summary line counts."""

    today: date
    overdue: int
    due_week: int
    total: int


class TodayPage(QWidget):
    open_item = Signal(int, str)  # claim id, panel key
    loaded = Signal()

    def guide_page(self) -> str:
        """The user guide's page about this screen."""
        return "today"

    def __init__(self, env: GuiEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.model = AgendaModel(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Summary of what is due")
        font = self.summary.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.summary.setFont(font)
        self.horizon = QComboBox()
        self.horizon.setAccessibleName("How far ahead to look")
        for days in (7, 14, 30, 60, 90):
            self.horizon.addItem(f"Next {days} days", days)
        self.horizon.setCurrentIndex(1)
        self.horizon.currentIndexChanged.connect(self.refresh)
        self.mine = QCheckBox("My cases")
        self.mine.setAccessibleName("Show only what is due on the cases assigned to me")
        self.mine.toggled.connect(self.refresh)
        # One person's own database has nobody else to assign cases to.
        self.mine.setVisible(env.office)

        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(QLabel("Show:"))
        top.addWidget(self.horizon)
        top.addWidget(self.mine)
        top.addWidget(help_button(self.guide_page, self))

        # The insurer's deadlines gone by with nothing recorded: what the rule then gives the
        # claimant, in red, with its citation (claimdesk/deadlines/missed.py).
        self.alerts: list[MissedDeadline] = []
        self.alert_count = 0
        self.alerts_label = QLabel()
        self.alerts_label.setWordWrap(True)
        self.alerts_label.setTextFormat(Qt.TextFormat.RichText)
        self.alerts_label.setAccessibleName("Insurer deadlines missed")
        self.alerts_label.linkActivated.connect(self._alert_link)
        self.alerts_label.setVisible(False)
        theme.follow(self.alerts_label, self._write_alerts)

        self.table = QTableView()
        self.table.setAccessibleName("What is due")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(WHAT, QHeaderView.ResizeMode.Stretch)
        for column, width in ((DUE, 125), (WHEN, 125), (CASE, 260), (PARTY, 130), (SOURCE, 230)):
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(self._activated)
        self.table.doubleClicked.connect(self._activated)

        hint = QLabel("Double-click or press Enter to open the case where it is dealt with.")
        # Muted, not disabled: a disabled label's grey is too faint to read on a light theme.
        theme.follow(hint, lambda: _tint(hint, theme.MUTED))
        agenda = QWidget()
        layout = QVBoxLayout(agenda)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.alerts_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)
        # With no case at all the page welcomes instead (claimdesk/gui/welcome.py).
        self.stack = WelcomeStack(env, agenda)
        self.welcome = self.stack.welcome
        QVBoxLayout(self).addWidget(self.stack)

        self._timer = QTimer(self, singleShot=True, interval=300)
        self._timer.timeout.connect(self.refresh)
        self._busy = False
        self._again = False
        env.bus.changed.connect(self._on_change)
        # Deadlines with an hour become overdue during the day: look again every half hour.
        self._half_hourly = QTimer(self, interval=30 * 60 * 1000)
        self._half_hourly.timeout.connect(self.refresh)
        self._half_hourly.start()
        # And the day itself turns at local midnight: "due tomorrow" becomes "due today" then,
        # not up to half an hour later. Precise, because a coarse timer may be 5% out, which
        # over fourteen hours is forty minutes.
        self.midnight = QTimer(self, singleShot=True)
        self.midnight.setTimerType(Qt.TimerType.PreciseTimer)
        self.midnight.timeout.connect(self._new_day)
        self._arm_midnight()
        # The first refresh is the window's to start, once it has painted: on a 2-core machine
        # the worker's Python competes with the GUI thread for the interpreter.
        self._tally: _Tally | None = None  # None while looking
        # The overdue count's red is baked into the summary's HTML: redo it on a theme flip.
        theme.follow(self.summary, self._write_summary)

    def refresh(self) -> None:
        """Work out the agenda off the GUI thread (a second or more for a big office)."""
        if self._busy:
            self._again = True
            return
        self._busy = True
        if not self.model.items:
            self._tally = None
            self._write_summary()
        today = self.env.clock.today()
        days = self.horizon.currentData()
        mine = self.mine.isChecked()
        services = self.env.services
        self.env.tasks.run(
            lambda: (
                services.schedule.agenda(today, days, mine=mine),
                services.alerts.missed(today=today, limit=ALERTS_LISTED),
                services.alerts.count(today),
            ),
            on_done=lambda found: self._show(found, today),
            on_error=self._failed,
        )

    def _arm_midnight(self) -> None:
        wait = self.env.clock.until_tomorrow() + AFTER_MIDNIGHT
        # At most a day (QTimer takes a 32-bit count of milliseconds; a clock moved by hand
        # cannot make it wait longer than that).
        self.midnight.start(int(min(wait, timedelta(days=1)).total_seconds() * 1000))

    def _new_day(self) -> None:
        """Past midnight: read the agenda for the new day, and wait for the next midnight.

        Each wait is measured from the clock again, so a timer that fired early (the clock
        was set back by hand) costs only one more read of the same day."""
        self._arm_midnight()
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        if not isinstance(error, ClaimDeskError):
            raise error
        self.env.prompts.error(self, "Cannot read what is due", str(error))

    def _show(self, found: tuple[list[AgendaItem], list[MissedDeadline], int], today: date) -> None:
        self._busy = False
        if self._again:
            self._again = False
            self.refresh()
            return
        items, self.alerts, self.alert_count = found
        self._write_alerts()
        self.model.set_items(items, today)
        self._tally = _Tally(
            today=today,
            overdue=sum(1 for i in items if i.overdue),
            due_week=sum(1 for i in items if not i.overdue and (i.due_on - today).days <= 7),
            total=len(items),
        )
        self._write_summary()
        self.loaded.emit()

    def _write_summary(self) -> None:
        tally = self._tally
        if tally is None:
            self.summary.setText("Looking through your cases…")
        elif not tally.total:
            self.summary.setText("Nothing is overdue or due soon. ✔")
        else:
            parts = []
            if tally.overdue:
                red = theme.DANGER.hex(self.summary.palette())
                parts.append(f"<b style='color:{red}'>{tally.overdue} overdue</b>")
            parts.append(f"{tally.due_week} due within a week")
            parts.append(f"{tally.total} in all")
            self.summary.setText(f"{long_day_text(tally.today)} — " + " · ".join(parts))

    def _write_alerts(self) -> None:
        self.alerts_label.setVisible(bool(self.alert_count))
        if self.alert_count:
            self.alerts_label.setText(
                alerts_html(
                    self.alerts, self.alert_count, self.alerts_label.palette(), "on the Dashboard"
                )
            )

    def _alert_link(self, link: str) -> None:
        claim_id = case_link(link)
        if claim_id is not None:
            self.open_item.emit(claim_id, "deadlines")

    def overdue_count(self) -> int:
        return sum(1 for i in self.model.items if i.overdue)

    def _on_change(self, changes: ChangeSet) -> None:
        if changes.touches(*WATCHED):
            self._timer.start()

    def _activated(self, index: QModelIndex) -> None:
        if 0 <= index.row() < len(self.model.items):
            item = self.model.items[index.row()]
            self.open_item.emit(item.claim_id, PANEL_FOR.get(item.source, "overview"))


def _tint(label: QLabel, tone: theme.Tone) -> None:
    """Colour the label's text by setting that one palette role.

    Not a style sheet: polishing one fixes the child's whole palette, so a later light/dark
    switch of the application would no longer reach it.
    """
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, tone.color(palette))
    label.setPalette(palette)

"""The Dashboard tab: the office at a glance, read off the GUI thread, every bar a case list."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from claimdesk.errors import ClaimDeskError
from claimdesk.gui import theme
from claimdesk.gui.alerts import alerts_html, case_link
from claimdesk.gui.chart_widget import BarChart, ChartTable
from claimdesk.gui.dates import long_day_text, qt_day_format
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.guide import help_button
from claimdesk.services import ChangeSet

if TYPE_CHECKING:  # the dashboard's service loads the models: not before the first paint
    from claimdesk.services.dashboard import Chart, Dashboard, DashboardFilter

WATCHED = frozenset({"deadline", "call", "request", "claim", "appeal", "event"})
ALERTS_LISTED = 5
_FORMATS = {".pdf": "pdf", ".csv": "csv", ".json": "json"}


class ChartCard(QGroupBox):
    """One chart with its note, and its numbers as a table (shown or hidden, copyable)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart_view = BarChart()
        policy = self.chart_view.sizePolicy()
        policy.setVerticalPolicy(QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(True)
        self.chart_view.setSizePolicy(policy)
        self.table = ChartTable()
        self.table.setVisible(False)
        self.note = QLabel()
        self.note.setWordWrap(True)
        theme.follow(self.note, lambda: _tint(self.note, theme.MUTED))
        self.show_table = QToolButton()
        self.show_table.setText("Show the numbers")
        self.show_table.setCheckable(True)
        self.show_table.setAccessibleName("Show the numbers as a table")
        self.show_table.toggled.connect(self._toggle)
        self.copy = QToolButton()
        self.copy.setText("Copy")
        self.copy.setToolTip("Copy the numbers (tab-separated, for a spreadsheet)")
        self.copy.clicked.connect(self.table.copy)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_table)
        buttons.addWidget(self.copy)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.chart_view)
        layout.addWidget(self.table)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def set_chart(self, chart: Chart) -> None:
        self.setTitle(chart.title)
        self.chart_view.set_chart(chart)
        self.table.set_chart(chart)
        self.note.setText(chart.note)
        self.note.setVisible(bool(chart.note))

    def _toggle(self, shown: bool) -> None:
        self.table.setVisible(shown)
        self.show_table.setText("Hide the numbers" if shown else "Show the numbers")


class DashboardPage(QWidget):
    open_cases = Signal(object)  # Slice: the case list filtered to the cases behind a bar
    open_case = Signal(int, str)  # claim id, panel (an alert opens the case's deadlines)
    loaded = Signal()

    def guide_page(self) -> str:
        return "dashboard"

    def __init__(self, env: GuiEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.board: Dashboard | None = None
        today = env.clock.today()
        self.start = _date_edit("First day of the period", today - timedelta(days=365))
        self.end = _date_edit("Last day of the period", today)
        self.caseworker = QComboBox()
        self.caseworker.setAccessibleName("Caseworker")
        self.caseworker.addItem("Every caseworker", None)
        self.refresh_button = QPushButton("Refresh")
        self.export_button = QPushButton("Export report…")
        self.export_button.setToolTip("The same figures as a PDF for a funder, or CSV or JSON")
        self.summary = QLabel("Reading the office's figures…")
        self.summary.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(QLabel("From"))
        top.addWidget(self.start)
        top.addWidget(QLabel("to"))
        top.addWidget(self.end)
        top.addWidget(QLabel("Caseworker"))
        top.addWidget(self.caseworker, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.export_button)
        top.addWidget(help_button(self.guide_page, self))

        self.alerts = QLabel()
        self.alerts.setWordWrap(True)
        self.alerts.setTextFormat(Qt.TextFormat.RichText)
        self.alerts.setAccessibleName("Insurer deadlines missed")
        self.alerts.linkActivated.connect(self._alert_link)
        self.alerts_box = QFrame()
        self.alerts_box.setObjectName("dashboardAlerts")
        # Scrolls past a few lines: the charts stay in view however many deadlines went by.
        alert_scroll = QScrollArea()
        alert_scroll.setWidgetResizable(True)
        alert_scroll.setFrameShape(QFrame.Shape.NoFrame)
        alert_scroll.setWidget(self.alerts)
        alert_scroll.setMinimumHeight(130)
        alert_scroll.setMaximumHeight(190)
        alert_scroll.viewport().setAutoFillBackground(False)
        self.alerts.setAutoFillBackground(False)
        QVBoxLayout(self.alerts_box).addWidget(alert_scroll)
        theme.follow(self.alerts_box, self._colour_alerts)

        self.cards: dict[str, ChartCard] = {}
        grid_holder = QWidget()
        self.grid = QGridLayout(grid_holder)
        order = ("caseload", "deadlines", "stale", "insurers", "outcome_level",
                 "outcome_category", "outcome_insurer", "money")  # fmt: skip
        for index, key in enumerate(order):
            card = ChartCard()
            card.chart_view.bar_clicked.connect(self.open_cases)
            card.table.open_slice.connect(self.open_cases)
            self.cards[key] = card
            self.grid.addWidget(card, index // 2, index % 2)
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_holder)
        scroll.setFrameShape(QFrame.Shape.NoFrame)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.alerts_box)
        layout.addWidget(scroll, 1)
        self.alerts_box.setVisible(False)

        self._busy = False
        self._again = False
        self._timer = QTimer(self, singleShot=True, interval=500)
        self._timer.timeout.connect(self.refresh)
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(self.export)
        self.start.dateChanged.connect(self._timer.start)
        self.end.dateChanged.connect(self._timer.start)
        self.caseworker.currentIndexChanged.connect(self.refresh)
        env.bus.changed.connect(self._on_change)
        self._started = False

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._started:  # read only once someone looks: a big office takes a second
            self._started = True
            self.refresh()

    def current_filter(self) -> DashboardFilter:
        from claimdesk.services.dashboard import DashboardFilter

        return DashboardFilter(
            start=self.start.date().toPython(),  # type: ignore[arg-type]
            end=self.end.date().toPython(),  # type: ignore[arg-type]
            caseworker=self.caseworker.currentData(),
        )

    def refresh(self) -> None:
        """Read the figures off the GUI thread."""
        if self._busy:
            self._again = True
            return
        wanted = self.current_filter()
        if wanted.start is not None and wanted.end is not None and wanted.end < wanted.start:
            self.summary.setText(
                "The period ends before it starts: change “From” or “to” to read the figures."
            )
            return
        self._busy = True
        self._started = True
        self.refresh_button.setEnabled(False)
        dashboard = self.env.services.dashboard
        self.env.tasks.run(
            lambda: (dashboard.read(wanted), dashboard.caseworkers()),
            on_done=self._show,
            on_error=self._failed,
        )

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.refresh_button.setEnabled(True)
        if not isinstance(error, ClaimDeskError):
            raise error
        self.summary.setText("The figures could not be read.")
        self.env.prompts.error(self, "Cannot read the dashboard", str(error))

    def _show(self, result: tuple[Dashboard, list[str]]) -> None:
        self._busy = False
        self.refresh_button.setEnabled(True)
        if self._again:
            self._again = False
            self.refresh()
            return
        board, workers = result
        self.board = board
        self._fill_workers(workers)
        for chart in board.charts:
            self.cards[chart.key].set_chart(chart)
        who = board.filter.caseworker or "every caseworker"
        self.summary.setText(
            f"{long_day_text(board.today)} · {board.open_cases:,} open cases ({who}). "
            "Click a bar, or double-click a row of its numbers, to list the cases behind it."
        )
        self._write_alerts()
        self.loaded.emit()

    def _fill_workers(self, workers: list[str]) -> None:
        current = self.caseworker.currentData()
        self.caseworker.blockSignals(True)
        self.caseworker.clear()
        self.caseworker.addItem("Every caseworker", None)
        from claimdesk.services.dashboard import UNASSIGNED

        for name in [*workers, UNASSIGNED]:
            self.caseworker.addItem(name, name)
        found = self.caseworker.findData(current) if current is not None else 0
        self.caseworker.setCurrentIndex(max(found, 0))
        self.caseworker.blockSignals(False)

    def _write_alerts(self) -> None:
        board = self.board
        shown = board is not None and board.alert_count > 0
        self.alerts_box.setVisible(shown)
        if board is not None and shown:
            self.alerts.setText(
                alerts_html(
                    board.alerts[:ALERTS_LISTED],
                    board.alert_count,
                    self.alerts.palette(),
                    "(the bars “Overdue: insurer's” list their cases)",
                )
            )

    def _colour_alerts(self) -> None:
        palette = self.alerts_box.palette()
        border, ground = theme.DANGER_BORDER.hex(palette), theme.DANGER_BACKGROUND.hex(palette)
        self.alerts_box.setStyleSheet(
            f"#dashboardAlerts {{ border: 1px solid {border}; border-radius: 4px; "
            f"background: {ground}; }}"
        )
        self._write_alerts()

    def _alert_link(self, link: str) -> None:
        claim_id = case_link(link)
        if claim_id is not None:
            self.open_case.emit(claim_id, "deadlines")

    def _on_change(self, changes: ChangeSet) -> None:
        if self._started and changes.touches(*WATCHED):
            self._timer.start()

    # ---- export ---------------------------------------------------------------------------

    def export(self) -> None:
        wanted = self.current_filter()
        suggested = Path.home() / f"ClaimDesk report {wanted.period_text()}.pdf"
        path = self.env.prompts.save_path(
            self, "Export the report", suggested, "PDF (*.pdf);;CSV (*.csv);;JSON (*.json)"
        )
        if path is None:
            return
        kind = _FORMATS.get(path.suffix.lower())
        if kind is None:
            path, kind = path.with_suffix(path.suffix + ".pdf"), "pdf"
        from claimdesk.services.report import ReportOptions

        report = self.env.services.report
        options = ReportOptions(wanted)
        self.export_button.setEnabled(False)
        self.env.tasks.run(
            lambda: report.write(options, kind, path),
            on_done=lambda _board: self._exported(path),
            on_error=self._export_failed,
        )

    def _exported(self, path: Path) -> None:
        self.export_button.setEnabled(True)
        self.env.prompts.info(self, "Report saved", f"The report is saved as {path}.")

    def _export_failed(self, error: BaseException) -> None:
        self.export_button.setEnabled(True)
        if not isinstance(error, ClaimDeskError):
            raise error
        self.env.prompts.error(self, "The report was not saved", str(error))


def _date_edit(name: str, day: date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(qt_day_format())
    edit.setAccessibleName(name)
    return edit


def _tint(label: QLabel, tone: theme.Tone) -> None:
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, tone.color(palette))
    label.setPalette(palette)

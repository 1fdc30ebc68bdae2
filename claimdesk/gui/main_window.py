"""The main window: the case list for now (the desktop issue adds the case workspace)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QIcon
from PySide6.QtWidgets import QHeaderView, QMainWindow, QWidget

from claimdesk import __version__
from claimdesk.errors import ClaimDeskError
from claimdesk.gui.case_list_model import SORT_ROLE, CaseListModel
from claimdesk.gui.forms import load_form
from claimdesk.gui.prompts import Prompts
from claimdesk.gui.tasks import TaskRunner
from claimdesk.paths import resources_dir
from claimdesk.services import Change, Services

log = logging.getLogger(__name__)


class ChangeBus(QObject):
    """One application-level signal carrying every committed change."""

    changed = Signal(object)

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Services may commit on a worker thread; a queued signal lands on the GUI thread.
        services.subscribe(self.changed.emit)


class MainWindow(QMainWindow):
    def __init__(self, services: Services, prompts: Prompts, location: str) -> None:
        super().__init__()
        self.services = services
        self.prompts = prompts
        self.tasks = TaskRunner(self)
        self.bus = ChangeBus(services, self)
        self.form: QWidget = load_form("main_window.ui")
        central = self.form.findChild(QWidget, "centralWidget")
        assert central is not None, "main_window.ui defines centralWidget"
        self.setCentralWidget(central)
        self.setMenuBar(self.form.menuBar())  # type: ignore[attr-defined]
        self.setStatusBar(self.form.statusBar())  # type: ignore[attr-defined]
        self.setWindowTitle("ClaimDesk")
        self.setWindowIcon(QIcon(str(resources_dir() / "icons" / "claimdesk.svg")))
        self.resize(self.form.size())

        ui = self.form
        self.title_label = ui.titleLabel  # type: ignore[attr-defined]
        self.search_edit = ui.searchEdit  # type: ignore[attr-defined]
        self.case_table = ui.caseTable  # type: ignore[attr-defined]
        self.empty_label = ui.emptyLabel  # type: ignore[attr-defined]
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title_label.setFont(font)

        self.model = CaseListModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.case_table.setModel(self.proxy)
        header = self.case_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.case_table.sortByColumn(7, Qt.SortOrder.DescendingOrder)

        self._search_timer = QTimer(self, singleShot=True, interval=200)
        self._search_timer.timeout.connect(self.refresh)
        self.search_edit.textChanged.connect(self._search_timer.start)
        ui.actionQuit.triggered.connect(self.close)  # type: ignore[attr-defined]
        ui.actionAbout.triggered.connect(self.show_about)  # type: ignore[attr-defined]
        ui.actionLoadDemo.triggered.connect(self.load_demo)  # type: ignore[attr-defined]
        for action in (ui.actionQuit, ui.actionAbout, ui.actionLoadDemo):  # type: ignore[attr-defined]
            self.addAction(action)
        self.bus.changed.connect(self._on_change)
        self.statusBar().showMessage(f"Database: {location}   ·   Working as {services.user_name}")
        self.refresh()

    def refresh(self) -> None:
        try:
            rows = self.services.claims.list_claims(search=self.search_edit.text())
        except ClaimDeskError as error:
            self.prompts.error(self, "Cannot read the cases", str(error))
            return
        self.model.set_rows(rows)
        self.case_table.resizeColumnsToContents()
        searching = bool(self.search_edit.text().strip())
        self.empty_label.setVisible(not rows and not searching)
        self.case_table.setVisible(bool(rows) or searching)
        count = len(rows)
        self.title_label.setText(f"Cases ({count})" if count else "Cases")

    def _on_change(self, change: Change) -> None:
        if change.entity in {"claim", "call", "request", "document", "appeal", "note"}:
            self._search_timer.start()

    def load_demo(self) -> None:
        from claimdesk.services.demo import load_demo

        self.statusBar().showMessage("Adding sample cases…")
        self.tasks.run(
            lambda: load_demo(self.services),
            on_done=lambda ids: self.statusBar().showMessage(f"Added {len(ids)} sample cases."),
            on_error=lambda error: self.show_error("Could not add the sample cases", error),
        )

    def show_error(self, title: str, error: BaseException) -> None:
        if isinstance(error, ClaimDeskError):
            self.prompts.error(self, title, str(error))
        else:
            log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
            self.prompts.error(
                self,
                title,
                "Something went wrong inside ClaimDesk; nothing saved was lost. "
                "The details are in the log file.",
            )

    def show_about(self) -> None:
        self.prompts.info(
            self,
            "About ClaimDesk",
            f"ClaimDesk {__version__}\n\nKeeps the record of an insurance denial and helps you "
            "fight it. Everything stays on this computer.",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.tasks.wait(10_000)
        super().closeEvent(event)

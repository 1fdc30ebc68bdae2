"""The Cases page: filters above the lazy case list."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.case_list_model import COLUMNS, CaseListModel
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.guide import help_button
from claimdesk.models.enums import ClaimStatus, Stage
from claimdesk.services import ChangeSet
from claimdesk.services.caselist import CaseFilter

if TYPE_CHECKING:  # the case list paints before the models are imported
    from claimdesk.services.dashboard import Slice

log = logging.getLogger(__name__)

# Changes that can move a case in the list or change what a row shows.
LIST_ENTITIES = frozenset(
    {"claim", "call", "request", "document", "appeal", "note", "deadline", "second_opinion", "ime"}
)


def count_text(rows: int, filtered: bool) -> str:
    """ "1 case matches the filters", "2 cases match the filters", "1 case"."""
    noun = "case" if rows == 1 else "cases"
    if not filtered:
        return f"{rows:,} {noun}"
    verb = "matches" if rows == 1 else "match"
    return f"{rows:,} {noun} {verb} the filters"


class CasesPage(QWidget):
    open_case = Signal(int)
    # A file dropped on the page: a denial letter to start a case from (gui/letter_fields.py).
    letter_dropped = Signal(Path)

    def guide_page(self) -> str:
        """The user guide's page about this screen."""
        return "cases"

    def __init__(self, env: GuiEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.setAcceptDrops(True)
        self.model = CaseListModel(env.services.caselist, self, env.tasks)

        self.search = QLineEdit(placeholderText="Search claimant, case or claim number, insurer…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search cases")
        self.stage = _combo("Any stage", [(s.label, s) for s in Stage], "Filter by stage")
        self.status = _combo("Any status", [(s.label, s) for s in ClaimStatus], "Filter by status")
        self.status.setCurrentIndex(1)  # open cases first: what a caseworker works on
        self.assignee = _combo("Anyone", [], "Filter by who the case is assigned to")
        self.jurisdiction = _combo("Anywhere", [], "Filter by jurisdiction")
        self.overdue = QCheckBox("Overdue only")
        self.overdue.setAccessibleName("Show only overdue cases")
        self.mine = QCheckBox("My cases")
        self.mine.setAccessibleName("Show only the cases assigned to me")
        self.mine.setToolTip("Only the cases assigned to you")
        # One person's own database has nobody else to assign cases to.
        self.mine.setVisible(env.office)
        self.count = QLabel()
        # The cases behind a dashboard bar, until the user shows all cases again.
        self.subset: Slice | None = None
        self.subset_label = QLabel()
        self.subset_label.setAccessibleName("Cases shown from the dashboard")
        self.clear_subset = QPushButton("Show all cases")
        self.clear_subset.clicked.connect(lambda: self.show_subset(None))
        subset_row = QHBoxLayout()
        subset_row.addWidget(self.subset_label, 1)
        subset_row.addWidget(self.clear_subset)
        self.subset_bar = QWidget()
        self.subset_bar.setLayout(subset_row)
        self.subset_bar.setVisible(False)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        for widget in (self.stage, self.status, self.assignee, self.jurisdiction):
            filters.addWidget(widget, 1)
        filters.addWidget(self.mine)
        filters.addWidget(self.overdue)
        filters.addWidget(help_button(self.guide_page, self))

        self.table = QTableView()
        self.table.setAccessibleName("Case list")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicator(len(COLUMNS) - 1, Qt.SortOrder.DescendingOrder)
        for column, width in enumerate((112, 250, 210, 95, 160, 105, 80, 110, 125)):
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(self._activated)
        self.table.doubleClicked.connect(self._activated)

        self.empty = QLabel(
            "No cases yet. Choose File ▸ New case (Ctrl+N) to open one, or File ▸ Load sample "
            "cases to explore ClaimDesk."
        )
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.subset_bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.count)

        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._timer.start)
        for combo in (self.stage, self.status, self.assignee, self.jurisdiction):
            combo.currentIndexChanged.connect(self.apply_filter)
        self.overdue.toggled.connect(self.apply_filter)
        self.mine.toggled.connect(self.apply_filter)
        self.model.modelReset.connect(self._update_count)
        self.model.counted.connect(self._update_count)
        env.bus.changed.connect(self._on_change)
        self.apply_filter()  # the rest of the ids and the filter lists follow: start()
        self.table.setSortingEnabled(True)  # sorts by the indicator: same order, no new query

    def current_filter(self) -> CaseFilter:
        return CaseFilter(
            search=self.search.text(),
            stage=self.stage.currentData(),
            status=self.status.currentData(),
            assignee=self.assignee.currentData() or "",
            jurisdiction=self.jurisdiction.currentData() or "",
            overdue_only=self.overdue.isChecked(),
            mine=self.mine.isChecked(),
            subset=self.subset,
        )

    def show_subset(self, piece: Slice | None) -> None:
        """List the cases behind a dashboard bar (every status: outcomes are on closed cases
        too), or, with None, go back to the filters alone."""
        self.subset = piece
        self.subset_bar.setVisible(piece is not None)
        if piece is not None:
            self.subset_label.setText(
                f"Cases behind the dashboard's “{piece.label}” (as counted at "
                f"{piece.now.astimezone():%H:%M})."
            )
            for combo in (self.stage, self.status, self.assignee, self.jurisdiction):
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
                combo.blockSignals(False)
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.overdue.blockSignals(True)
            self.overdue.setChecked(False)
            self.overdue.blockSignals(False)
        self.apply_filter()

    def start(self) -> None:
        """Once the window has painted: the rest of the ids and the filter lists, off the GUI
        thread."""
        self.model.start_fetching()
        self.reload_choices()

    def apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())  # the count follows the model's reset

    def reload_choices(self) -> None:
        """Fill the assignee and jurisdiction filters off the GUI thread (each a full scan of
        the cases: 50 ms or more at 50,000, not worth holding up the first paint for)."""
        caselist = self.env.services.caselist
        self.env.tasks.run(
            lambda: (caselist.assignees(), caselist.jurisdictions()),
            on_done=self._fill_choices,
            on_error=self._choices_failed,
        )

    def _fill_choices(self, choices: tuple[list[str], list[str]]) -> None:
        assignees, jurisdictions = choices
        _refill(self.assignee, "Anyone", [(n, n) for n in assignees])
        _refill(self.jurisdiction, "Anywhere", [(j, j) for j in jurisdictions])

    def _choices_failed(self, error: BaseException) -> None:
        if not isinstance(error, ClaimDeskError):
            raise error
        # The lists keep what they had; the next change to a case fills them again.
        log.warning("could not read for the case list: %s", error)

    def _update_count(self) -> None:
        rows = self.model.count()
        if rows is None:
            self.count.setText("Counting the cases…")  # the first page is shown; the rest comes
            return
        filtered = self.current_filter() != CaseFilter()
        self.count.setText(count_text(rows, filtered))
        if rows:
            self._show_empty(False)
        elif self.model.reads_off_thread:
            self.env.tasks.run(
                self.env.services.caselist.any_cases,
                on_done=lambda any_cases: self._show_empty(not any_cases),
                on_error=self._choices_failed,
            )
        else:
            self._show_empty(not self.env.services.caselist.any_cases())

    def _show_empty(self, no_cases_at_all: bool) -> None:
        """The first-use explanation in place of an empty list, when there are no cases."""
        self.empty.setVisible(no_cases_at_all)
        self.table.setVisible(not no_cases_at_all)

    def _activated(self, index: QModelIndex) -> None:
        claim_id = self.model.claim_id(index.row())
        if claim_id is not None:
            self.open_case.emit(claim_id)

    def _on_change(self, changes: ChangeSet) -> None:
        if not changes.touches(*LIST_ENTITIES):
            return
        if any(c.entity == "claim" and c.action in {"create", "import", "update"} for c in changes):
            self.reload_choices()
        self._timer.start()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # ---- a denial letter dropped here starts a case from it ------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if mime.hasUrls() and len(mime.urls()) == 1 and mime.urls()[0].isLocalFile():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: Any) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = [url for url in event.mimeData().urls() if url.isLocalFile()]
        if len(urls) != 1:
            event.ignore()
            return
        event.acceptProposedAction()
        path = Path(urls[0].toLocalFile())
        # Not inside the drop: the reading's dialog must not hold the other program's drag.
        QTimer.singleShot(0, lambda: self.letter_dropped.emit(path))


def _combo(empty: str, items: list[tuple[str, object]], accessible: str) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(accessible)
    _refill(combo, empty, items)
    return combo


def _refill(combo: QComboBox, empty: str, items: list[tuple[str, object]]) -> None:
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(empty, None)
    for text, value in items:
        combo.addItem(text, value)
    position = combo.findData(current) if current is not None else 0
    combo.setCurrentIndex(max(position, 0))
    combo.blockSignals(False)

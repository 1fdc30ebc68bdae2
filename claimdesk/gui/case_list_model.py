"""The case list as a lazy item model: it holds ids and fetches rows a page at a time."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont

from claimdesk.gui import theme
from claimdesk.gui.dates import day_text, moment_text
from claimdesk.gui.tasks import TaskRunner
from claimdesk.services.caselist import CaseFilter, CaseListService, CaseRow, CaseSort

Index = QModelIndex | QPersistentModelIndex

COLUMNS: tuple[tuple[str, CaseSort], ...] = (
    ("Case", CaseSort.CASE_NUMBER),
    ("Claimant", CaseSort.CLAIMANT),
    ("Insurer", CaseSort.INSURER),
    ("Claim type", CaseSort.CLAIM_TYPE),
    ("Stage", CaseSort.STAGE),
    ("Next deadline", CaseSort.NEXT_DEADLINE),
    ("Days left", CaseSort.NEXT_DEADLINE),
    ("Assigned to", CaseSort.ASSIGNED),
    ("Last activity", CaseSort.LAST_ACTIVITY),
)
CASE, CLAIMANT, INSURER, CLAIM_TYPE, STAGE, NEXT_DEADLINE, DAYS_LEFT, ASSIGNED, ACTIVITY = range(9)
CLAIM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
PAGE = 200


class CaseListModel(QAbstractTableModel):
    """Rows are the ids of the matching cases; their text is fetched when first shown.

    Given a task runner, the list reads nothing on the GUI thread once the window has painted
    (``start_fetching``): a reload reads the first page of ids and their rows in a worker and
    shows them, then the rest of the ids (and so the count) arrive from another; a page of rows
    scrolled into view is read the same way, blank until it comes. Before that, the first
    page and the count are read at once, so the first paint shows them (at 50,000 cases a few
    milliseconds), and the rest waits for the paint.
    """

    # The number of matching cases is known (the rest of the ids have come).
    counted = Signal()

    def __init__(
        self, caselist: CaseListService, parent: Any = None, tasks: TaskRunner | None = None
    ) -> None:
        super().__init__(parent)
        self._caselist = caselist
        self._tasks = tasks
        self._ids: list[int] = []
        self._total = 0  # the rows shown
        self._expected = 0  # the matching cases, as far as known
        self._counted = False  # whether _expected is their number
        self._rows: dict[int, CaseRow] = {}
        self._stale: set[int] = set()  # rows shown until their new text arrives
        self._pages: set[int] = set()  # first rows of the pages being read
        self._filter = CaseFilter()
        self._sort = (CaseSort.LAST_ACTIVITY, True)
        self.today = caselist.today()
        self._loaded = False
        self._loading = False  # a reload's first page is on its way
        self._generation = 0  # which reload a worker's ids belong to
        self._fetching = False  # whether reads go off the GUI thread yet (see start_fetching)

    # ---- loading ---------------------------------------------------------------------------

    def set_filter(self, case_filter: CaseFilter) -> None:
        self._filter = case_filter
        self.reload()

    def reload(self) -> None:
        """Query the ids again (after a filter, sort or data change); rows refetch lazily."""
        self.today = self._caselist.today()
        self._generation += 1
        sort, descending = self._sort
        if self.reads_off_thread:
            self._reload_off_thread()
            return
        if self._tasks is None:
            ids = self._caselist.case_ids(self._filter, sort, descending, self.today)
            total = len(ids)
        else:
            ids, total = self._caselist.first_ids(self._filter, PAGE, sort, descending, self.today)
        self._show_first(ids, total, {}, counted=True)
        self._fetch_rest()

    def _reload_off_thread(self) -> None:
        assert self._tasks is not None
        generation, caselist = self._generation, self._caselist
        case_filter, (sort, descending), today = self._filter, self._sort, self.today

        def work() -> tuple[list[int], list[CaseRow]] | None:
            if generation != self._generation:
                return None  # filtered or sorted again meanwhile: that reload reads its own
            ids, _ = caselist.first_ids(case_filter, PAGE, sort, descending, today, count=False)
            return ids, caselist.rows(ids, today)

        self._loading = True
        self._tasks.run(
            work,
            on_done=lambda found: self._first_arrived(generation, found),
            on_error=self._first_failed,
        )

    def _first_arrived(
        self, generation: int, found: tuple[list[int], list[CaseRow]] | None
    ) -> None:
        if found is None or generation != self._generation:
            return
        ids, rows = found
        self._loading = False
        # Fewer than a page: that is all of them. Otherwise the count comes with the rest.
        more = len(ids) >= PAGE
        self._show_first(ids, len(ids) + more, {r.id: r for r in rows}, counted=not more)
        self._fetch_rest()

    def _first_failed(self, error: BaseException) -> None:
        self._loading = False
        self._total = self._expected = len(self._ids)  # what was shown stays; the error explained
        self._counted = True
        self.counted.emit()
        raise error

    def _show_first(
        self, ids: list[int], total: int, rows: dict[int, CaseRow], counted: bool
    ) -> None:
        self.beginResetModel()
        self._counted = counted
        self._ids = ids
        self._total = min(total, len(ids)) if self._fetching else total
        self._expected = total
        self._rows = rows
        self._stale = set()
        self._pages = set()
        self._loaded = True
        self.endResetModel()
        if counted:
            self.counted.emit()

    def start_fetching(self) -> None:
        """Read off the GUI thread from now on, starting with the rest of the ids (the window
        calls this once it has painted, so the worker does not slow the first paint)."""
        self._fetching = True
        self._fetch_rest()

    def count(self) -> int | None:
        """How many cases match, or None while that is still being read."""
        return self._expected if self._counted and not self._loading else None

    @property
    def reads_off_thread(self) -> bool:
        """Whether reads go to the task runner now (the window has painted)."""
        return self._tasks is not None and self._fetching

    def complete(self) -> bool:
        """Whether every matching id is here (not still being fetched)."""
        return not self._loading and len(self._ids) >= self._expected

    def _fetch_rest(self) -> None:
        if self._tasks is None or not self._fetching or self.complete():
            return
        generation = self._generation
        case_filter, (sort, descending), today = self._filter, self._sort, self.today

        def work() -> list[int] | None:
            if generation != self._generation:
                return None  # filtered or sorted again meanwhile: that reload fetches its own
            return self._caselist.case_ids(case_filter, sort, descending, today)

        self._tasks.run(
            work,
            on_done=lambda ids: self._rest_arrived(generation, ids),
            on_error=self._rest_failed,
        )

    def _rest_arrived(self, generation: int, ids: list[int] | None) -> None:
        if ids is None or generation != self._generation:
            return
        first = len(self._ids)
        if ids[:first] == self._ids:
            shown = self._total
            self._ids = self._ids + ids[first:]
            self._expected = len(ids)
            if shown < len(ids):
                self.beginInsertRows(QModelIndex(), shown, len(ids) - 1)
                self._total = len(ids)
                self.endInsertRows()
            elif shown > len(ids):  # fewer than the count said: the rest went meanwhile
                self.beginRemoveRows(QModelIndex(), len(ids), shown - 1)
                self._total = len(ids)
                self.endRemoveRows()
            if first < min(shown, len(ids)):
                self.dataChanged.emit(
                    self.index(first, 0), self.index(min(shown, len(ids)) - 1, len(COLUMNS) - 1)
                )
        else:
            # Another window or process changed the cases between the two reads: show the newer.
            self.beginResetModel()
            self._ids = ids
            self._total = self._expected = len(ids)
            self._rows = {}
            self._stale = set()
            self._pages = set()
            self.endResetModel()
        self._counted = True
        self.counted.emit()

    def _rest_failed(self, error: BaseException) -> None:
        # Show what there is rather than blank rows, and let the error be explained.
        self.beginResetModel()
        self._total = self._expected = len(self._ids)
        self._counted = True
        self.endResetModel()
        self.counted.emit()
        raise error

    def refresh_rows(self, claim_ids: set[int]) -> None:
        """Read the rows of changed cases again; until their new text comes, they show the old."""
        self._stale |= claim_ids & self._rows.keys()
        if self._total:
            self.dataChanged.emit(self.index(0, 0), self.index(self._total - 1, len(COLUMNS) - 1))

    def claim_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, claim_id: int) -> int | None:
        try:
            return self._ids.index(claim_id)
        except ValueError:
            return None

    def _row(self, position: int) -> CaseRow | None:
        if position >= len(self._ids):
            return None  # past the first page, its id not fetched yet
        claim_id = self._ids[position]
        if claim_id not in self._rows or claim_id in self._stale:
            start = position - position % PAGE
            wanted = self._ids[start : start + PAGE]
            page = [i for i in wanted if i not in self._rows or i in self._stale]
            if self.reads_off_thread:
                self._fetch_page(start, page)
            else:
                self._stale -= set(page)
                for row in self._caselist.rows(page, self.today):
                    self._rows[row.id] = row
        return self._rows.get(claim_id)

    def _fetch_page(self, start: int, page: list[int]) -> None:
        """Read a page of rows in a worker; its rows repaint when they come."""
        if start in self._pages or self._tasks is None:
            return
        self._pages.add(start)
        generation, caselist, today = self._generation, self._caselist, self.today
        self._tasks.run(
            lambda: caselist.rows(page, today),
            on_done=lambda rows: self._page_arrived(generation, start, page, rows),
            on_error=lambda error: self._page_failed(generation, start, error),
        )

    def _page_arrived(
        self, generation: int, start: int, page: list[int], rows: list[CaseRow]
    ) -> None:
        if generation != self._generation:
            return
        self._pages.discard(start)
        self._stale -= set(page)
        for row in rows:
            self._rows[row.id] = row
        end = min(start + PAGE, self._total) - 1
        if end >= start:
            self.dataChanged.emit(self.index(start, 0), self.index(end, len(COLUMNS) - 1))

    def _page_failed(self, generation: int, start: int, error: BaseException) -> None:
        if generation == self._generation:
            self._pages.discard(start)
        raise error

    # ---- Qt model interface ----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        wanted = (COLUMNS[column][1], order == Qt.SortOrder.DescendingOrder)
        if wanted != self._sort or not self._loaded:
            self._sort = wanted
            self.reload()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None  # out of range, or past the first page and not fetched yet
        if role == CLAIM_ID_ROLE:
            return self._ids[index.row()]
        if role not in _ROLES:
            return None
        row = self._row(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, column, self.today)
        if role == Qt.ItemDataRole.ForegroundRole and row.overdue:
            return theme.DANGER.brush()  # asked at paint time: follows a light/dark flip
        if role == Qt.ItemDataRole.FontRole:
            days = row.days_left(self.today)
            if days is not None and days < 0 and column in (NEXT_DEADLINE, DAYS_LEFT):
                font = QFont()
                font.setBold(True)
                return font
            if row.is_sample and column == CLAIMANT:
                font = QFont()
                font.setItalic(True)
                return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.overdue:
                return (
                    "Overdue: a deadline, a document request or a promise made on a call "
                    "on this case is past due. Today lists each one."
                )
            if row.is_sample and column == CLAIMANT:
                return "A fictional sample case: File ▸ Remove sample cases takes them all out."
            if column == CLAIM_TYPE:
                return row.plan_type.label
        if role == Qt.ItemDataRole.TextAlignmentRole and column == DAYS_LEFT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


_ROLES = {
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.TextAlignmentRole,
}


def _display(row: CaseRow, column: int, today: date) -> str:
    if column == CASE:
        return row.case_number
    if column == CLAIMANT:
        return f"{row.claimant_name} (sample)" if row.is_sample else row.claimant_name
    if column == INSURER:
        return row.insurer_name
    if column == CLAIM_TYPE:
        return row.claim_type.label
    if column == STAGE:
        return row.stage.label
    if column == NEXT_DEADLINE:
        return day_text(row.next_deadline) if row.next_deadline else ""
    if column == DAYS_LEFT:
        days = row.days_left(today)
        if days is None:
            return ""
        return f"{-days} overdue" if days < 0 else ("today" if days == 0 else str(days))
    if column == ASSIGNED:
        return row.assigned_to
    return moment_text(row.updated_at.astimezone())

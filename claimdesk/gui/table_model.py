"""The base of the workspace's table models: a list of frozen records under fixed headers."""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

Index = QModelIndex | QPersistentModelIndex
# Every record model answers this role with the record's id.
ID_ROLE = Qt.ItemDataRole.UserRole + 1


class RecordTableModel(QAbstractTableModel):
    """Rows of records with a fixed header; subclasses say what each cell shows in ``cell``."""

    headers: ClassVar[tuple[str, ...]] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.headers)
        ):
            return self.headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == ID_ROLE:
            return getattr(row, "id", None)
        return self.cell(row, index.column(), role)

    def cell(self, row: Any, column: int, role: int) -> Any:
        raise NotImplementedError


def record_table(
    model: QAbstractTableModel,
    name: str,
    *,
    stretch: tuple[int, ...],
    widths: dict[int, int] | None = None,
) -> QTableView:
    """A read-only table selecting whole rows; ``stretch`` columns share the spare width and
    the others take ``widths`` (or fit their contents when no widths are given)."""
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    if widths is None:
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    for column, width in (widths or {}).items():
        view.setColumnWidth(column, width)
    for column in stretch:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    return view


def selected_record(view: QTableView) -> Any:
    """The record of the view's current row (its model a RecordTableModel), or None."""
    model = view.model()
    rows = model.rows if isinstance(model, RecordTableModel) else []
    row = view.currentIndex().row()
    return rows[row] if 0 <= row < len(rows) else None


def reselect(view: QTableView, previous: Any) -> None:
    """Select again the row of the record that was selected before the rows were read anew."""
    model = view.model()
    if previous is None or not isinstance(model, RecordTableModel):
        return
    for row, record in enumerate(model.rows):
        if record.id == previous.id:
            view.selectRow(row)
            return

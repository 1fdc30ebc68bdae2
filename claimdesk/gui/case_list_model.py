"""The case list as a Qt item model over ClaimSummary rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from claimdesk.services.dto import ClaimSummary

Index = QModelIndex | QPersistentModelIndex

CASE, CLAIMANT, INSURER, CLAIM_TYPE, JURISDICTION, STAGE, ASSIGNED, ACTIVITY = range(8)
HEADERS = (
    "Case",
    "Claimant",
    "Insurer",
    "Claim type",
    "Jurisdiction",
    "Stage",
    "Assigned to",
    "Last activity",
)
CLAIM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2


class CaseListModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ClaimSummary] = []

    def set_rows(self, rows: list[ClaimSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == CLAIM_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, index.column())
        if role == SORT_ROLE:
            if index.column() == ACTIVITY:
                return row.updated_at.timestamp()
            return _display(row, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == CLAIM_TYPE:
            return row.plan_type.label
        return None


def _display(row: ClaimSummary, column: int) -> str:
    if column == CASE:
        return row.case_number
    if column == CLAIMANT:
        return row.claimant_name
    if column == INSURER:
        return row.insurer_name
    if column == CLAIM_TYPE:
        return row.claim_type.label
    if column == JURISDICTION:
        return "-".join(p for p in (row.country, row.region) if p)
    if column == STAGE:
        return row.stage.label
    if column == ASSIGNED:
        return row.assigned_to
    return _when(row.updated_at)


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%d %b %Y %H:%M")

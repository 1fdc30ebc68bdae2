"""A bar chart painted with QPainter in the theme's colours, and its numbers as a table.

Horizontal bars, one row per group (a caseworker, an insurer), grouped or stacked by series; a
click on a bar says which cases are behind it (``bar_clicked``), and the same numbers are always
available as a table a screen reader reads and a caseworker copies (``ChartTable``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QToolTip, QWidget

from claimdesk.gui import theme

if TYPE_CHECKING:  # the window paints before the models are imported (docs/architecture.md)
    from claimdesk.services.dashboard import Chart, Group, Slice

Index = QModelIndex | QPersistentModelIndex
SLICE_ROLE = Qt.ItemDataRole.UserRole + 1

_PAD = 8
_BAR = 11  # one series' bar, px
_GAP = 2  # between a group's bars
_ROW_GAP = 9  # between groups
_LABEL_MAX = 210
# Rows drawn at most (the first ones: the services sort the worst or biggest first); the table
# has them all.
MAX_GROUPS = 12


@dataclass(frozen=True)
class _Hit:
    rect: QRectF
    piece: Slice | None
    text: str


def _value_text(chart: Chart, value: int) -> str:
    return f"{value / 100:,.0f}" if chart.scale_per_group else f"{value:,}"


class BarChart(QWidget):
    """Paints one ``Chart``; hovering names a bar, clicking it emits the cases behind it."""

    bar_clicked = Signal(object)  # Slice

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart: Chart | None = None
        self.hits: list[_Hit] = []
        self.setMouseTracking(True)
        self.setMinimumHeight(60)
        theme.follow(self, self.update)

    def set_chart(self, chart: Chart) -> None:
        self.chart = chart
        self.setAccessibleName(chart.title)
        self.setAccessibleDescription("A bar chart; its numbers are in the table below it.")
        self.updateGeometry()
        self.update()

    def _row_height(self, chart: Chart) -> int:
        bars = 1 if chart.stacked else max(len(chart.series), 1)
        return max(bars * _BAR + (bars - 1) * _GAP, self.fontMetrics().height() + 2)

    def _legend(self, chart: Chart, width: int) -> list[tuple[float, float, int]]:
        """Where each series' swatch goes (x, y, index), wrapping onto more lines."""
        metrics = self.fontMetrics()
        line = metrics.height() + 6
        x, y, places = float(_PAD), float(_PAD), []
        for index, series in enumerate(chart.series):
            needed = 14 + metrics.horizontalAdvance(series.name) + 16
            if x > _PAD and x + needed > width - _PAD:
                x, y = float(_PAD), y + line
            places.append((x, y, index))
            x += needed
        return places

    def _legend_height(self, chart: Chart, width: int) -> int:
        places = self._legend(chart, width)
        bottom = max((y for _, y, _ in places), default=float(_PAD))
        return int(bottom) + self.fontMetrics().height() + 8

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        chart = self.chart
        if chart is None or not chart.groups:
            return 60
        rows = len(chart.groups)
        return (
            self._legend_height(chart, width) + _PAD + rows * (self._row_height(chart) + _ROW_GAP)
        )

    def sizeHint(self) -> QSize:
        width = max(self.width(), 480)
        return QSize(480, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        return QSize(240, min(self.sizeHint().height(), 120))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        muted = theme.MUTED.color(palette)
        self.hits = []
        chart = self.chart
        if chart is None:
            return
        if not chart.groups:
            painter.setPen(muted)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, chart.empty)
            return
        metrics = self.fontMetrics()
        colours = [theme.chart_tone(s.tone).color(palette) for s in chart.series]
        for x, y_legend, index in self._legend(chart, self.width()):
            swatch = (metrics.height() - 10) / 2
            painter.fillRect(QRectF(x, y_legend + swatch, 10, 10), colours[index])
            painter.setPen(text)
            painter.drawText(
                QRectF(x + 14, y_legend, 1000, metrics.height()),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                chart.series[index].name,
            )
        label_width = min(
            max(metrics.horizontalAdvance(g.label) for g in chart.groups) + _PAD, _LABEL_MAX
        )
        left = _PAD + label_width
        widest = max(
            metrics.horizontalAdvance(_value_text(chart, self._total(chart, g)))
            for g in chart.groups
        )
        right = self.width() - _PAD - widest - 8
        span = max(right - left, 20)
        overall = max((self._total(chart, g) for g in chart.groups), default=0) or 1
        y = float(self._legend_height(chart, self.width()))
        row = self._row_height(chart)
        for group in chart.groups[:MAX_GROUPS]:
            painter.setPen(text)
            label = metrics.elidedText(group.label, Qt.TextElideMode.ElideRight, label_width - 6)
            painter.drawText(
                QRectF(_PAD, y, label_width - 6, row),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                label,
            )
            scale = (self._total(chart, group) or 1) if chart.scale_per_group else overall
            if chart.stacked:
                self._stack(painter, chart, group, colours, left, y, span, scale, text)
            else:
                self._bars(painter, chart, group, colours, left, y, span, scale, text)
            y += row + _ROW_GAP
        hidden = len(chart.groups) - MAX_GROUPS
        if hidden > 0:
            painter.setPen(muted)
            painter.drawText(
                QRectF(_PAD, y, self.width() - 2 * _PAD, metrics.height() + 2),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"…and {hidden} more: Show the numbers lists them all.",
            )
        painter.end()

    @staticmethod
    def _total(chart: Chart, group: Group) -> int:
        return sum(group.values) if chart.stacked else max(group.values, default=0)

    def _bars(
        self,
        painter: QPainter,
        chart: Chart,
        group: Group,
        colours: list[QColor],
        left: float,
        y: float,
        span: float,
        scale: int,
        text: QColor,
    ) -> None:
        block = len(group.values) * _BAR + (len(group.values) - 1) * _GAP
        first = y + (self._row_height(chart) - block) / 2
        for index, (value, piece) in enumerate(zip(group.values, group.slices, strict=True)):
            top = first + index * (_BAR + _GAP)
            width = max(span * value / scale, 1.0 if value else 0.0)
            rect = QRectF(left, top, width, _BAR)
            painter.fillRect(rect, colours[index])
            painter.setPen(text)
            if value:  # a zero is in the table; printed on the chart it only clutters
                painter.drawText(
                    QRectF(left + width + 4, top - 3, 120, _BAR + 6),
                    Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                    _value_text(chart, value),
                )
            hit = QRectF(left, top, max(width, 8.0), _BAR)
            self.hits.append(
                _Hit(hit, piece if value else None, self._tip(chart, group, index, value))
            )

    def _stack(
        self,
        painter: QPainter,
        chart: Chart,
        group: Group,
        colours: list[QColor],
        left: float,
        y: float,
        span: float,
        scale: int,
        text: QColor,
    ) -> None:
        x = left
        y += (self._row_height(chart) - _BAR) / 2
        for index, (value, piece) in enumerate(zip(group.values, group.slices, strict=True)):
            if not value:
                continue
            width = span * value / scale
            rect = QRectF(x, y, width, _BAR)
            painter.fillRect(rect, colours[index])
            self.hits.append(_Hit(rect, piece, self._tip(chart, group, index, value)))
            x += width
        painter.setPen(text)
        painter.drawText(
            QRectF(x + 4, y - 3, 120, _BAR + 6),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            _value_text(chart, sum(group.values)),
        )

    @staticmethod
    def _tip(chart: Chart, group: Group, index: int, value: int) -> str:
        series = chart.series[index].name
        shown = f"{value / 100:,.2f}" if chart.scale_per_group else f"{value:,}"
        return f"{group.label} · {series}: {shown}\nClick to list these cases."

    def hit_at(self, point: QPointF) -> _Hit | None:
        return next((h for h in self.hits if h.rect.contains(point)), None)

    def bar_centre(self, group: int, series: int) -> QPointF:
        """Where a bar is drawn (tests click there)."""
        chart = self.chart
        assert chart is not None
        if not self.hits:
            self.grab()  # painted off screen: the bars' places are known once drawn
        wanted = chart.groups[group].slices[series]
        hit = next(h for h in self.hits if h.piece == wanted)
        return hit.rect.center()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hit = self.hit_at(event.position())
        self.setCursor(
            Qt.CursorShape.PointingHandCursor if hit and hit.piece else Qt.CursorShape.ArrowCursor
        )
        if hit:
            QToolTip.showText(event.globalPosition().toPoint(), hit.text, self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        hit = self.hit_at(event.position())
        if event.button() == Qt.MouseButton.LeftButton and hit and hit.piece is not None:
            self.bar_clicked.emit(hit.piece)
            return
        super().mousePressEvent(event)


class ChartTableModel(QAbstractTableModel):
    """A chart's numbers as rows; SLICE_ROLE gives the cases behind a cell, where there are."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.chart: Chart | None = None

    def set_chart(self, chart: Chart) -> None:
        self.beginResetModel()
        self.chart = chart
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.chart is None else len(self.chart.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.chart is None else len(self.chart.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        chart = self.chart
        if (
            chart is not None
            and orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(chart.columns)
        ):
            return chart.columns[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        chart = self.chart
        if chart is None or not index.isValid() or not 0 <= index.row() < len(chart.rows):
            return None
        if not 0 <= index.column() < len(chart.columns):
            return None
        cell = chart.rows[index.row()][index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return cell
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == SLICE_ROLE:
            return self.slice_at(index.row(), index.column())
        return None

    def slice_at(self, row: int, column: int) -> Slice | None:
        """The cases behind a cell: its column's series, else the row's first bar."""
        chart = self.chart
        if chart is None or not 0 <= row < len(chart.groups):
            return None
        group = chart.groups[row]
        names = [s.name for s in chart.series]
        header = chart.columns[column] if 0 <= column < len(chart.columns) else ""
        if header in names:
            return group.slices[names.index(header)]
        return next((s for s in group.slices if s is not None), None)

    def as_text(self, rows: list[int] | None = None) -> str:
        """Tab-separated, with the header: pastes into a spreadsheet as a table."""
        chart = self.chart
        if chart is None:
            return ""
        chosen = [chart.rows[r] for r in rows] if rows is not None else list(chart.rows)
        return "\n".join("\t".join(line) for line in (chart.columns, *chosen)) + "\n"


class ChartTable(QTableView):
    """The numbers of a chart; Ctrl+C copies the rows selected (or all) with the header."""

    open_slice = Signal(object)  # Slice

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.numbers = ChartTableModel(self)
        self.setModel(self.numbers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.activated.connect(self._open)
        self.doubleClicked.connect(self._open)

    def set_chart(self, chart: Chart) -> None:
        self.numbers.set_chart(chart)
        self.setAccessibleName(f"{chart.title}: the numbers")
        rows = max(len(chart.rows), 1)
        height = self.horizontalHeader().sizeHint().height() + rows * (
            self.fontMetrics().height() + 8
        )
        self.setFixedHeight(min(height + 4, 320))

    def copy(self) -> str:
        rows = sorted({i.row() for i in self.selectionModel().selectedRows()})
        text = self.numbers.as_text(rows or None)
        QGuiApplication.clipboard().setText(text)
        return text

    def keyPressEvent(self, event: Any) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy()
            return
        super().keyPressEvent(event)

    def _open(self, index: QModelIndex) -> None:
        piece = self.numbers.slice_at(index.row(), index.column())
        if piece is not None:
            self.open_slice.emit(piece)

"""Timeline: the case's chronology drawn on one time axis, a lane per kind of record."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPainterPath, QPalette, QPen, QResizeEvent
from PySide6.QtWidgets import QLabel, QScrollArea, QToolTip, QVBoxLayout, QWidget

from claimdesk.gui import theme
from claimdesk.gui.dates import day_text, month_text
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.panels.base import CasePanel
from claimdesk.services.timeline import LANES, TimelineMark

COLOURS = {
    "done": theme.ACCENT,
    "open": theme.MUTED,
    "late": theme.DANGER,
    "bad": theme.AGAINST,
    "good": theme.SUCCESS,
}
LEGEND = (
    ("done", "done"),
    ("open", "waiting"),
    ("late", "late"),
    ("bad", "against you"),
    ("good", "in your favour"),
)
LABEL_WIDTH = 170
LANE_HEIGHT = 64  # the least a lane gets; a taller view spreads the lanes over its height
TOP = 34
BOTTOM = 30  # room for "today" under the lanes
STACK = 4  # marks crowding one spot are nudged down, at most this many rows
STACK_STEP = 10


class TimelineCanvas(QWidget):
    """Paints the marks; hovering a mark shows what it is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.marks: list[TimelineMark] = []
        self.today = date.min  # set with the marks, by the panel from its clock
        self.first = self.last = self.today
        self._hits: list[tuple[QRectF, str]] = []
        self.setMinimumHeight(TOP + LANE_HEIGHT * len(LANES) + BOTTOM)
        self.setMouseTracking(True)
        self.setAccessibleName("Timeline of the case")

    def set_marks(self, marks: list[TimelineMark], today: date) -> None:
        self.marks = marks
        self.today = today
        days = [m.start for m in marks] + [m.end for m in marks if m.end] + [today]
        self.first = min(days) - timedelta(days=7)
        self.last = max(days) + timedelta(days=7)
        self.setAccessibleDescription("; ".join(f"{day_text(m.start)}: {m.label}" for m in marks))
        self.update()

    def right_margin(self) -> int:
        """Room right of the last day for a month's label ("Jan 2027") to be read whole."""
        widest = max(
            self.fontMetrics().horizontalAdvance(month_text(date(2000, m, 1), with_year=True))
            for m in range(1, 13)
        )
        return widest + 12

    def lane_height(self) -> float:
        """Each lane's share of the height: the lanes fill the view, never below LANE_HEIGHT."""
        return max(LANE_HEIGHT, (self.height() - TOP - BOTTOM) / len(LANES))

    def x_of(self, day: date) -> float:
        span = max((self.last - self.first).days, 1)
        width = self.width() - LABEL_WIDTH - self.right_margin()
        return LABEL_WIDTH + width * (day - self.first).days / span

    def month_labels(self) -> list[tuple[float, str, QRectF]]:
        """Each month's tick: where it is, its label, and the rectangle the label takes."""
        metrics = self.fontMetrics()
        labels = []
        day = self.first.replace(day=1)
        labelled_year = False
        while day <= self.last:
            if day >= self.first:
                x = self.x_of(day)
                show_year = day.month == 1 or not labelled_year
                labelled_year = True
                text = month_text(day, with_year=show_year)
                rect = QRectF(
                    x + 3,
                    TOP - 10 - metrics.ascent(),
                    metrics.horizontalAdvance(text),
                    metrics.height(),
                )
                labels.append((x, text, rect))
            day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        return labels

    def mark_y(self, row: int, slot: int, rows: int = 1) -> float:
        """The middle of a mark in lane ``row``, nudged to ``slot`` of a stack of ``rows`` that
        is centred in the lane (a lone mark sits on the lane's middle, beside its name)."""
        lane = self.lane_height()
        rows = min(max(rows, 1), STACK)
        first = TOP + row * lane + lane / 2 - (rows - 1) * STACK_STEP / 2
        return first + (slot % STACK) * STACK_STEP

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.update()

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        # Mid vanishes on a dark Window; the text colour, faint, shows in either scheme.
        grid = QColor(text)
        grid.setAlpha(80)
        self._hits = []
        lane_height = self.lane_height()
        bottom = TOP + lane_height * len(LANES)
        # lanes
        for index, lane in enumerate(LANES):
            y = TOP + index * lane_height
            if index % 2:
                painter.fillRect(
                    QRectF(0, y, self.width(), lane_height),
                    palette.color(QPalette.ColorRole.AlternateBase),
                )
            painter.setPen(text)
            painter.drawText(
                QRectF(8, y, LABEL_WIDTH - 12, lane_height),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                lane,
            )
        # month ticks
        for x, label, _rect in self.month_labels():
            painter.setPen(QPen(grid, 1, Qt.PenStyle.DotLine))
            painter.drawLine(QPointF(x, TOP), QPointF(x, bottom))
            painter.setPen(text)
            painter.drawText(QPointF(x + 3, TOP - 10), label)
        # today
        x_today = self.x_of(self.today)
        painter.setPen(QPen(theme.DANGER.color(palette), 2))
        painter.drawLine(QPointF(x_today, TOP - 4), QPointF(x_today, bottom))
        painter.drawText(QPointF(x_today + 4, bottom + 16), "today")
        # marks, nudged vertically when they crowd the same spot
        taken: dict[tuple[str, int], int] = {}
        stacked: dict[str, int] = {}  # how many rows each lane's crowding needs
        for mark in self.marks:
            spot = (mark.lane, int(self.x_of(mark.start) // 12))
            taken[spot] = taken.get(spot, 0) + 1
            stacked[mark.lane] = max(stacked.get(mark.lane, 1), taken[spot])
        taken.clear()
        for mark in self.marks:
            row = LANES.index(mark.lane)
            x = self.x_of(mark.start)
            slot = taken.get((mark.lane, int(x // 12)), 0)
            taken[(mark.lane, int(x // 12))] = slot + 1
            y = self.mark_y(row, slot, stacked[mark.lane])
            colour = COLOURS.get(mark.state, theme.ACCENT).color(palette)
            # The outline sets a mark off its lane: darker on a light ground, lighter on dark.
            edge = colour.lighter(130) if theme.is_dark(palette) else colour.darker(130)
            painter.setPen(QPen(edge, 1))
            painter.setBrush(colour)
            if mark.end is not None and mark.end > mark.start:
                rect = QRectF(x, y - 3, max(self.x_of(mark.end) - x, 4), 7)
                painter.drawRoundedRect(rect, 3, 3)
            elif mark.lane == LANES[-1]:
                rect = QRectF(x - 6, y - 6, 12, 12)
                path = QPainterPath()
                path.moveTo(x, y - 6)
                path.lineTo(x + 6, y + 6)
                path.lineTo(x - 6, y + 6)
                path.closeSubpath()
                painter.drawPath(path)
            else:
                rect = QRectF(x - 5, y - 5, 10, 10)
                painter.drawEllipse(rect)
            when = day_text(mark.start) + (f" – {day_text(mark.end)}" if mark.end else "")
            self._hits.append((rect.adjusted(-3, -3, 3, 3), f"{when}\n{mark.label}"))
        painter.end()

    def event(self, event: object) -> bool:
        if isinstance(event, QHelpEvent):
            for rect, text in reversed(self._hits):
                if rect.contains(QPointF(event.pos())):
                    QToolTip.showText(event.globalPos(), text, self)
                    return True
            QToolTip.hideText()
            return True
        return super().event(event)  # type: ignore[arg-type]


class TimelinePanel(CasePanel):
    key = "timeline"
    title = "Timeline"
    watches = frozenset({"claim", "call", "request", "appeal", "letter", "document", "deadline"})

    def __init__(self, env: GuiEnv, claim_id: int, parent: QWidget | None = None) -> None:
        super().__init__(env, claim_id, parent)
        self.canvas = TimelineCanvas()
        legend = QLabel()
        legend.setWordWrap(True)

        def paint_legend() -> None:
            palette = legend.palette()
            dots = "".join(
                f"<span style='color:{COLOURS[state].hex(palette)}'>●</span> {name} &nbsp; "
                for state, name in LEGEND
            )
            legend.setText(
                dots + "▲ deadline &nbsp; ▬ request from sent to received. "
                "Hover a mark for its details."
            )

        theme.follow(legend, paint_legend)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.canvas)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(legend)

    def refresh(self) -> None:
        today = self.env.clock.today()
        try:
            marks = self.services.timeline.marks(self.claim_id, today)
        except Exception as error:
            self.report("Cannot draw the timeline", error)
            return
        self.canvas.set_marks(marks, today)

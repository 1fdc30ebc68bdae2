"""Timeline: the case's chronology drawn on one time axis, a lane per kind of record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QLabel, QScrollArea, QToolTip, QVBoxLayout, QWidget

from claimdesk.gui import theme
from claimdesk.gui.case_source import CaseRecords
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
LABEL_GAP = 8  # the least room between two month labels
LANE_HEIGHT = 64  # the least a lane gets; a taller view spreads the lanes over its height
TOP = 34
BOTTOM = 30  # room for "today" under the lanes
STACK = 4  # marks crowding one spot are nudged down, at most this many rows
STACK_STEP = 15
HOVER_LINES = 8  # a group's hover names this many of its marks
DESCRIBED = 300  # up to this many marks, the description names each one
SPOT = 24  # marks closer than this many pixels overlap: drawn as one, with their count


def _no_room(rect: QRectF) -> QRectF:
    """Where a month label left out would have started, taking no width."""
    return QRectF(rect.left(), rect.top(), 0, rect.height())


class TimelineCanvas(QWidget):
    """Paints the marks; hovering a mark shows what it is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.marks: list[TimelineMark] = []
        self.today = date.min  # set with the marks, by the panel from its clock
        self.first = self.last = self.today
        # Where each drawn mark is, and the marks it stands for (its text is made on hover).
        self._drawn: list[tuple[QRectF, list[TimelineMark]]] = []
        self._margin: tuple[int, int] | None = None  # right_margin, for a font's height
        self.setMinimumHeight(TOP + LANE_HEIGHT * len(LANES) + BOTTOM)
        self.setMouseTracking(True)
        self.setAccessibleName("Timeline of the case")

    def set_marks(self, marks: list[TimelineMark], today: date) -> None:
        self.marks = marks
        self.today = today
        days = [m.start for m in marks] + [m.end for m in marks if m.end] + [today]
        self.first = min(days) - timedelta(days=7)
        self.last = max(days) + timedelta(days=7)
        self.setAccessibleDescription(describe(marks))
        self.update()

    def right_margin(self) -> int:
        """Room right of the last day for a month's label ("Jan 2027") to be read whole."""
        metrics = self.fontMetrics()
        if self._margin is None or self._margin[0] != metrics.height():
            widest = max(
                metrics.horizontalAdvance(month_text(date(2000, m, 1), with_year=True))
                for m in range(1, 13)
            )
            self._margin = (metrics.height(), widest + 12)
        return self._margin[1]

    def lane_height(self) -> float:
        """Each lane's share of the height: the lanes fill the view, never below LANE_HEIGHT."""
        return max(LANE_HEIGHT, (self.height() - TOP - BOTTOM) / len(LANES))

    def x_of(self, day: date) -> float:
        span = max((self.last - self.first).days, 1)
        width = self.width() - LABEL_WIDTH - self.right_margin()
        return LABEL_WIDTH + width * (day - self.first).days / span

    def groups(self) -> dict[tuple[str, int], list[list[TimelineMark]]]:
        """The marks as drawn at the current width: per lane and spot (SPOT pixels wide), the
        groups of marks of one state there (a span stays alone), each group drawn as one."""
        spots: dict[tuple[str, int], dict[object, list[TimelineMark]]] = {}
        span = max((self.last - self.first).days, 1)
        scale = (self.width() - LABEL_WIDTH - self.right_margin()) / span
        for mark in self.marks:
            x = LABEL_WIDTH + scale * (mark.start - self.first).days
            by_state = spots.setdefault((mark.lane, int(x // SPOT)), {})
            alone = mark.end is not None and mark.end > mark.start
            by_state.setdefault(mark if alone else mark.state, []).append(mark)
        return {spot: list(by_state.values()) for spot, by_state in spots.items()}

    def month_labels(self) -> list[tuple[float, str, QRectF]]:
        """Each month's tick: where it is, its label, and the rectangle the label takes."""
        metrics = self.fontMetrics()
        labels: list[tuple[float, str, QRectF]] = []
        day = self.first.replace(day=1)
        year_due = True  # the first label shown says its year, and every January's
        while day <= self.last:
            if day >= self.first:
                x = self.x_of(day)
                show_year = day.month == 1 or year_due
                text = month_text(day, with_year=show_year)
                rect = QRectF(
                    x + 3,
                    TOP - 10 - metrics.ascent(),
                    metrics.horizontalAdvance(text),
                    metrics.height(),
                )
                shown = [i for i, (_x, said, _r) in enumerate(labels) if said]
                if shown and rect.left() < labels[shown[-1]][2].right() + LABEL_GAP:
                    # Too close to the label before ("Nov 2024Dec"): one of them goes, its
                    # tick stays. A label with its year wins over one without.
                    before = shown[-1]
                    if show_year and before != shown[0]:
                        labels[before] = (labels[before][0], "", _no_room(labels[before][2]))
                    else:
                        text, rect = "", _no_room(rect)
                year_due = show_year and not text  # a year left out goes on the next label
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

    @property
    def _hits(self) -> list[tuple[QRectF, str]]:
        """The hover rectangles of the last paint, with what hovering each says."""
        return [(rect, hover_text(group)) for rect, group in self._drawn]

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
        self._drawn = []
        small_font = QFont(self.font())
        small_font.setPointSizeF(max(self.font().pointSizeF() * 0.75, 6.0))
        small = QFontMetricsF(small_font)
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
        # marks: those of one lane and state that overlap at this zoom are drawn as one, with
        # their count, and the groups crowding one spot are nudged down
        groups = self.groups()
        stacked: dict[str, int] = {}  # how many rows each lane's crowding needs
        for (lane, _spot), in_spot in groups.items():
            stacked[lane] = max(stacked.get(lane, 1), len(in_spot))
        edges: dict[str, tuple[QColor, QColor]] = {}
        dark = theme.is_dark(palette)
        for (lane, spot), in_spot in groups.items():
            row = LANES.index(lane)
            for slot, group in enumerate(in_spot):
                first = group[0]
                x = self.x_of(first.start)
                y = self.mark_y(row, slot, stacked[lane])
                if first.state not in edges:
                    colour = COLOURS.get(first.state, theme.ACCENT).color(palette)
                    # The outline sets a mark off its lane: darker on a light ground, lighter
                    # on dark.
                    edges[first.state] = (
                        colour,
                        colour.lighter(130) if dark else colour.darker(130),
                    )
                colour, edge = edges[first.state]
                painter.setPen(QPen(edge, 1))
                painter.setBrush(colour)
                if first.end is not None and first.end > first.start:
                    rect = QRectF(x, y - 3, max(self.x_of(first.end) - x, 4), 7)
                    painter.drawRoundedRect(rect, 3, 3)
                elif len(group) > 1:
                    # A pill holding the count, as wide as the count needs.
                    count = str(len(group))
                    width = max(14.0, small.horizontalAdvance(count) + 8.0)
                    # Centred on its spot, so the pills of a crowded lane sit side by side.
                    middle = (spot + 0.5) * SPOT
                    rect = QRectF(middle - width / 2, y - 7, width, 14)
                    painter.drawRoundedRect(rect, 7, 7)
                    painter.setFont(small_font)
                    painter.setPen(
                        Qt.GlobalColor.white if colour.lightness() < 150 else Qt.GlobalColor.black
                    )
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, count)
                    painter.setFont(self.font())
                elif lane == LANES[-1]:
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
                self._drawn.append((rect.adjusted(-3, -3, 3, 3), group))
        painter.end()

    def event(self, event: object) -> bool:
        if isinstance(event, QHelpEvent):
            for rect, group in reversed(self._drawn):
                if rect.contains(QPointF(event.pos())):
                    QToolTip.showText(event.globalPos(), hover_text(group), self)
                    return True
            QToolTip.hideText()
            return True
        return super().event(event)  # type: ignore[arg-type]


def hover_text(group: list[TimelineMark]) -> str:
    """What hovering a drawn mark says: the mark, or the marks it stands for."""
    first, last = group[0], group[-1]
    if len(group) == 1:
        when = day_text(first.start) + (f" – {day_text(first.end)}" if first.end else "")
        return f"{when}\n{first.label}"
    when = f"{day_text(first.start)} – {day_text(last.start)}"
    shown = [f"{day_text(m.start)}: {m.label}" for m in group[:HOVER_LINES]]
    more = len(group) - len(shown)
    return "\n".join(
        [f"{len(group)} marks, {when}", *shown, *([f"and {more} more"] if more else [])]
    )


def describe(marks: list[TimelineMark]) -> str:
    """The picture in words for a screen reader: every mark, or for a long case the lanes'
    counts and their first and last marks."""
    if len(marks) <= DESCRIBED:
        return "; ".join(f"{day_text(m.start)}: {m.label}" for m in marks)
    parts = []
    for lane in LANES:
        in_lane = [m for m in marks if m.lane == lane]
        if in_lane:
            first, last = in_lane[0], in_lane[-1]
            parts.append(
                f"{lane}: {len(in_lane)} marks from {day_text(first.start)} ({first.label}) "
                f"to {day_text(last.start)} ({last.label})"
            )
    return "; ".join(parts)


class TimelinePanel(CasePanel):
    key = "timeline"
    title = "Timeline"
    watches = frozenset({"claim", "call", "request", "appeal", "letter", "document", "deadline"})
    failure = "Cannot draw the timeline"

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

    def reads(self) -> Callable[[CaseRecords], tuple[list[TimelineMark], date]]:
        today = self.env.clock.today()
        return lambda records: (records.timeline(today), today)

    def paint(self, data: tuple[list[TimelineMark], date]) -> None:
        marks, today = data
        self.canvas.set_marks(marks, today)

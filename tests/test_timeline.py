"""The case chronology behind the timeline picture, and the picture itself."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from claimdesk.gui.env import ChangeBus, GuiEnv
from claimdesk.gui.panels.timeline import BOTTOM, LANE_HEIGHT, TOP, TimelineCanvas, TimelinePanel
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.gui.tasks import TaskRunner
from claimdesk.services import Services
from claimdesk.services.timeline import CALLS, DEADLINES, DECISIONS, LANES, REQUESTS, TimelineMark
from tests.builders import full_case
from tests.gui_support import refreshed
from tests.pinned import TODAY


def test_marks_cover_the_case_in_date_order(services: Services) -> None:
    claim_id = full_case(services)
    marks = services.timeline.marks(claim_id)
    lanes = {m.lane for m in marks}
    assert {DECISIONS, CALLS, REQUESTS, DEADLINES} <= lanes
    assert [m.start for m in marks] == sorted(m.start for m in marks)
    # The corrected call appears once (its correction), not twice.
    assert len([m for m in marks if m.lane == CALLS]) == 1
    # A received request is a span from sent to received.
    request = next(m for m in marks if m.lane == REQUESTS)
    assert request.end is not None and request.end > request.start and request.state == "done"


def test_overdue_deadline_is_marked_late(services: Services) -> None:
    claim_id = full_case(services)
    services.deadlines.add_manual(claim_id, "Late thing", TODAY - timedelta(days=2))
    late = [m for m in services.timeline.marks(claim_id) if "Late thing" in m.label]
    assert late and late[0].state == "late"


def test_the_picture_draws_and_explains_itself(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    claim_id = full_case(services)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    env = GuiEnv(services, RecordingPrompts(), TaskRunner(), ChangeBus(services), settings)
    panel = TimelinePanel(env, claim_id)
    qtbot.addWidget(panel)
    panel.resize(1000, 500)
    panel.show()
    refreshed(panel)
    image = panel.canvas.grab().toImage()
    assert image.width() > 0
    assert panel.canvas._hits  # every mark was drawn somewhere it can be hovered
    assert "Denial received" in panel.canvas.accessibleDescription()


def _canvas_with_a_month_at_the_right_edge(qtbot: QtBot, width: int, height: int) -> TimelineCanvas:
    canvas = TimelineCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(width, height)
    # The last day (2 Jan + 7 days' margin) puts January's tick, labelled with its year, a few
    # pixels from the right edge: where "Jan 2027" was cut off.
    marks = [
        TimelineMark(LANES[0], date(2026, 9, 25), None, "Denial received", "bad"),
        *(TimelineMark(LANES[1], date(2026, 10, 5), None, f"Call {n}", "done") for n in range(3)),
        TimelineMark(LANES[2], date(2026, 10, 1), date(2026, 11, 2), "Claim file", "done"),
        TimelineMark(LANES[4], date(2027, 1, 2), None, "Appeal due", "open"),
    ]
    canvas.set_marks(marks, date(2026, 12, 2))
    canvas.grab()  # paints: the hover rectangles are laid out
    return canvas


def test_every_month_label_fits_inside_the_timeline(qtbot: QtBot) -> None:
    for width in (520, 800, 1400):
        canvas = _canvas_with_a_month_at_the_right_edge(qtbot, width, 500)
        labels = canvas.month_labels()
        assert labels[-1][1] == "Jan 2027"
        for _x, text, rect in labels:
            assert rect.left() >= 0 and rect.right() <= width, (width, text, rect)


def test_the_lanes_use_the_whole_height(qtbot: QtBot) -> None:
    short = _canvas_with_a_month_at_the_right_edge(qtbot, 900, 300)
    assert short.lane_height() == LANE_HEIGHT  # scrolls instead
    tall = _canvas_with_a_month_at_the_right_edge(qtbot, 900, 900)
    lane = tall.lane_height()
    assert TOP + lane * len(LANES) == 900 - BOTTOM
    # Marks sit inside their own lanes, spread down the view, not in its top half.
    for rect, text in tall._hits:
        row = 4 if "Appeal" in text else 2 if "Claim file" in text else 1 if "Call" in text else 0
        assert TOP + row * lane < rect.center().y() < TOP + (row + 1) * lane, text
    lowest = max(rect.bottom() for rect, _text in tall._hits)
    assert lowest > 900 * 0.75


def test_month_labels_never_run_into_each_other(qtbot: QtBot) -> None:
    """Two years of marks in a narrow window: some months go unlabelled (their ticks stay),
    none overlaps the next ("Nov 2024Dec"), and each year is said on a label."""
    canvas = TimelineCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(900, 500)
    marks = [
        TimelineMark(
            LANES[1], date(2024, 11, 3) + timedelta(days=20 * n), None, f"Call {n}", "done"
        )
        for n in range(38)
    ]
    canvas.set_marks(marks, date(2026, 12, 2))
    canvas.grab()
    labels = canvas.month_labels()
    shown = [(text, rect) for _x, text, rect in labels if text]
    assert len(shown) < len(labels)  # too narrow for all of them
    for (text, rect), (after, later) in itertools.pairwise(shown):
        assert rect.right() < later.left(), (text, after)
    said = " ".join(text for text, _rect in shown)
    for year in (2024, 2025, 2026):
        assert str(year) in said, said

"""The case chronology behind the timeline picture, and the picture itself."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from claimdesk.gui.env import ChangeBus, GuiEnv
from claimdesk.gui.panels.timeline import TimelinePanel
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.gui.tasks import TaskRunner
from claimdesk.services import Services
from claimdesk.services.timeline import CALLS, DEADLINES, DECISIONS, REQUESTS
from tests.builders import full_case
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
    panel.refresh()
    image = panel.canvas.grab().toImage()
    assert image.width() > 0
    assert panel.canvas._hits  # every mark was drawn somewhere it can be hovered
    assert "Denial received" in panel.canvas.accessibleDescription()

"""An open case reads nothing on the GUI thread, reads a panel only once it is shown, and
reads each list once per change, shared by the panels showing it; the timeline draws marks
that overlap at its width as one."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from claimdesk.gui.env import GuiEnv
from claimdesk.gui.panels.calls import CallsPanel
from claimdesk.gui.panels.timeline import TimelineCanvas, TimelinePanel, hover_text
from claimdesk.gui.workspace import CaseWorkspace
from claimdesk.services import CallInput, Services
from claimdesk.services.timeline import CALLS, TimelineMark
from tests.builders import full_case
from tests.gui_support import make_env, settled, threads_calling
from tests.pinned import TODAY


@pytest.fixture
def queried_on(services: Services) -> Iterator[list[threading.Thread]]:
    """The thread of every statement sent to the database."""
    seen: list[threading.Thread] = []

    def note(*_args: object) -> None:
        seen.append(threading.current_thread())

    engine = services.db.engine
    event.listen(engine, "before_cursor_execute", note)
    yield seen
    event.remove(engine, "before_cursor_execute", note)


def open_workspace(
    qtbot: QtBot, services: Services, tmp_path: Path, claim_id: int, env: GuiEnv | None = None
) -> CaseWorkspace:
    workspace = CaseWorkspace(env or make_env(services, tmp_path), claim_id)
    qtbot.addWidget(workspace)
    workspace.resize(1200, 800)
    workspace.show()
    return workspace


def test_no_panel_reads_on_the_gui_thread(
    qtbot: QtBot, services: Services, tmp_path: Path, queried_on: list[threading.Thread]
) -> None:
    claim_id = full_case(services)
    env = make_env(services, tmp_path)  # the session reads the database's mode at sign-in
    queried_on.clear()
    workspace = open_workspace(qtbot, services, tmp_path, claim_id, env)
    for key in workspace.panels:
        workspace.show_panel(key)
        settled(workspace)
    assert workspace.detail is not None and workspace.detail.claimant_name == "Maria Lopez"
    calls = workspace.panels["calls"]
    assert isinstance(calls, CallsPanel) and calls.model.rows
    timeline = workspace.panels["timeline"]
    assert isinstance(timeline, TimelinePanel) and timeline.canvas.marks
    assert queried_on, "the panels read nothing at all"
    assert threading.main_thread() not in queried_on
    # A change refreshes the panel in front off the GUI thread too.
    workspace.show_panel("calls")
    workspace.env.tasks.hold()  # the read the change asks for waits until the save is done
    services.calls.log_call(
        claim_id, CallInput(occurred_at=services.clock.now(), person_name="Sam", summary="Hi")
    )
    queried_on.clear()  # the save's own statements ran on the GUI thread, as saves may
    workspace.env.tasks.release()
    settled(workspace)
    assert any(c.person_name == "Sam" for c in calls.model.rows)
    assert queried_on and threading.main_thread() not in queried_on


def test_a_case_opens_with_its_front_panel_and_reads_others_when_shown(
    qtbot: QtBot, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    claim_id = full_case(services)
    letters = threads_calling(monkeypatch, services.letters, "letters")
    calls = threads_calling(monkeypatch, services.calls, "calls")
    workspace = open_workspace(qtbot, services, tmp_path, claim_id)
    workspace.show_panel("calls")
    settled(workspace)
    assert len(calls) == 1 and not letters  # the Letters tab was never shown
    assert "letters" in workspace.panels
    assert "letters" not in [p.key for p in workspace.panels.built()]  # nor built
    assert workspace.panels["letters"].stale
    workspace.show_panel("timeline")
    settled(workspace)
    # The timeline drew the calls the Call log had read, and read the letters itself.
    assert len(calls) == 1 and len(letters) == 1
    workspace.show_panel("letters")
    settled(workspace)
    assert len(letters) == 1  # read once, shown on two tabs


def test_a_change_is_read_once_and_a_hidden_panel_waits_until_shown(
    qtbot: QtBot, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    claim_id = full_case(services)
    workspace = open_workspace(qtbot, services, tmp_path, claim_id)
    workspace.show_panel("timeline")
    settled(workspace)
    workspace.show_panel("calls")
    settled(workspace)
    calls = threads_calling(monkeypatch, services.calls, "calls")
    services.calls.log_call(
        claim_id, CallInput(occurred_at=services.clock.now(), person_name="Sam", summary="Hi")
    )
    settled(workspace)
    timeline = workspace.panels["timeline"]
    assert isinstance(timeline, TimelinePanel)
    assert len(calls) == 1 and timeline.stale  # the Call log read; the hidden timeline waits
    assert not any("Sam" in m.label for m in timeline.canvas.marks)
    workspace.show_panel("timeline")
    settled(workspace)
    assert len(calls) == 1  # the timeline took the calls already read after the change
    assert any("Sam" in m.label for m in timeline.canvas.marks)


def test_a_failed_read_is_explained(
    qtbot: QtBot, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimdesk.errors import NotFoundError

    claim_id = full_case(services)

    def gone(_claim_id: int) -> object:
        raise NotFoundError("There is no case number 1; it may have been removed.")

    monkeypatch.setattr(services.calls, "calls", gone)
    workspace = open_workspace(qtbot, services, tmp_path, claim_id)
    workspace.show_panel("calls")
    settled(workspace)
    [(level, title, message)] = workspace.env.prompts.shown  # type: ignore[attr-defined]
    assert level == "error" and title == "Cannot read the call log"
    assert "may have been removed" in message


def calls_on(days: list[date]) -> list[TimelineMark]:
    return [
        TimelineMark(CALLS, day, None, f"Call: Agent {n}", "done") for n, day in enumerate(days)
    ]


def test_marks_that_overlap_are_drawn_as_one_with_their_count(qtbot: QtBot) -> None:
    canvas = TimelineCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(1000, 500)
    start = TODAY - timedelta(days=700)
    # 5,000 calls over two years: far more than the width has room for.
    days = [start + timedelta(days=n * 700 // 5000) for n in range(5000)]
    canvas.set_marks(calls_on(days), TODAY)
    canvas.grab()
    drawn = canvas._drawn
    assert len(drawn) < 120  # one per spot the width has, not 5,000
    assert sum(len(group) for _rect, group in drawn) == 5000  # every call is in one
    # Hovering a group says how many calls it holds, and when.
    _rect, group = max(drawn, key=lambda hit: len(hit[1]))
    text = hover_text(group)
    assert text.startswith(f"{len(group)} marks,") and "Call: Agent" in text
    assert "more" in text
    # Wider, the same calls spread over more marks.
    canvas.resize(3000, 500)
    canvas.grab()
    assert len(canvas._drawn) > len(drawn)


def test_calls_far_apart_are_drawn_one_by_one(qtbot: QtBot) -> None:
    canvas = TimelineCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(1000, 500)
    canvas.set_marks(calls_on([TODAY - timedelta(days=90), TODAY - timedelta(days=10)]), TODAY)
    canvas.grab()
    assert [len(group) for _rect, group in canvas._drawn] == [1, 1]
    texts = [text for _rect, text in canvas._hits]
    assert all("\n" in t and t.endswith(("Call: Agent 0", "Call: Agent 1")) for t in texts)


def test_a_long_case_is_described_lane_by_lane(qtbot: QtBot) -> None:
    canvas = TimelineCanvas()
    qtbot.addWidget(canvas)
    start = datetime(2025, 1, 1).date()
    canvas.set_marks(calls_on(sorted(start + timedelta(days=n % 600) for n in range(1000))), TODAY)
    description = canvas.accessibleDescription()
    assert description.startswith("Calls: 1000 marks from")
    assert len(description) < 500

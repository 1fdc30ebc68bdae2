"""The window on an office's PostgreSQL server: what another workstation saves shows here with
no refresh, typing is never overwritten, and the window lives through a server restart.

"Another workstation" is a second ``Services`` over an engine of its own (its own pool of
connections, as another computer has). Waits poll with a generous limit; nothing asserts
how fast.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from claimdesk.gui.case_details_dialog import CaseDetailsDialog
from claimdesk.gui.live import BACK, UNREACHABLE
from claimdesk.gui.main_window import MainWindow
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.services import CallInput, Services
from claimdesk.storage import open_database
from tests import postgres
from tests.gui_support import open_case, settled
from tests.pinned import pinned_clock
from tests.signin import as_user
from tests.test_gui import visible_claimants

WAIT_MS = 20_000  # generous: a loaded two-core machine, not a target


def workstation(url: str, name: str) -> Services:
    return as_user(open_database(url), name, clock=pinned_clock())


def window_on(qtbot: QtBot, services: Services, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(services, RecordingPrompts(), services.location, settings)
    qtbot.addWidget(window)
    window.show()
    assert window.live.listening
    assert window.live.wait_listening(WAIT_MS / 1000), "the window never reached the server"
    return window


def settle(qtbot: QtBot) -> None:
    """Let the refreshes the last changes started (a list's debounce, Today's read) run
    while the database is still there."""
    qtbot.wait(700)


@pytest.fixture
def office(postgres_server: str) -> Iterator[tuple[Services, Services]]:
    """Ana's workstation (the window's) and Ben's, on one database of the test server."""
    with postgres.fresh_database(postgres_server) as url:
        ana, ben = workstation(url, "Ana Advocate"), workstation(url, "Ben Caseworker")
        try:
            yield ana, ben
        finally:
            ana.close()
            ben.close()


@pytest.fixture
def window(office: tuple[Services, Services], qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    """Ana's window, closed (its listener stopped) before the database goes away."""
    shown = window_on(qtbot, office[0], tmp_path)
    yield shown
    shown.close_cases()  # without asking about typing left in a form
    shown.close()
    assert not shown.live.listening
    settle(qtbot)


def test_a_case_opened_at_another_workstation_appears_in_the_case_list(
    qtbot: QtBot, office: tuple[Services, Services], window: MainWindow
) -> None:
    ana, ben = office
    open_case(ana)
    qtbot.waitUntil(lambda: visible_claimants(window) == ["Maria Lopez"], timeout=WAIT_MS)

    claim_id = open_case(ben)
    ben.claims.update_case(claim_id, claimant_name="Ravi Kumar")

    qtbot.waitUntil(
        lambda: visible_claimants(window) == ["Maria Lopez", "Ravi Kumar"], timeout=WAIT_MS
    )
    assert window.cases_page.count.text() == "2 cases match the filters"
    assert window.prompts.shown == []  # type: ignore[attr-defined]


def test_cases_the_command_line_adds_in_another_process_appear(
    qtbot: QtBot, office: tuple[Services, Services], window: MainWindow, tmp_path: Path
) -> None:
    ana, ben = office
    open_case(ana)
    qtbot.waitUntil(lambda: visible_claimants(window) == ["Maria Lopez"], timeout=WAIT_MS)

    # The password comes from $CLAIMDESK_PASSWORD_FILE, which conftest points at the test's.
    done = subprocess.run(
        [sys.executable, "-m", "claimdesk", "--data-dir", str(tmp_path / "ben"),
         "--db", ana.db.engine.url.render_as_string(hide_password=False),
         "--user", ben.user_name, "demo", "--yes"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr

    samples = {c.claimant_name for c in ben.claims.list_claims()} - {"Maria Lopez"}
    assert samples, "the demo added sample cases"
    qtbot.waitUntil(lambda: len(visible_claimants(window)) == 1 + len(samples), timeout=WAIT_MS)
    assert window.prompts.shown == []  # type: ignore[attr-defined]


def test_today_shows_a_request_gone_overdue_at_another_workstation(
    qtbot: QtBot, office: tuple[Services, Services], window: MainWindow
) -> None:
    ana, ben = office
    claim_id = open_case(ana)
    today = window.today_page
    qtbot.waitUntil(lambda: "Looking" not in today.summary.text(), timeout=WAIT_MS)
    before = today.overdue_count()

    ben.requests.request_document(
        claim_id,
        "claim_file",
        sent_on=ben.clock.today() - timedelta(days=40),
        method="letter",
        due_on=ben.clock.today() - timedelta(days=10),
    )

    qtbot.waitUntil(lambda: today.overdue_count() == before + 1, timeout=WAIT_MS)
    assert any(i.claim_id == claim_id and i.overdue for i in today.model.items)


def test_an_open_case_shows_what_another_workstation_saved(
    qtbot: QtBot, office: tuple[Services, Services], window: MainWindow
) -> None:
    ana, ben = office
    claim_id = open_case(ana)
    workspace = window.open_case(claim_id, "calls")  # (a hidden tab reads when it is shown)
    calls = workspace.panels["calls"]

    ben.calls.log_call(
        claim_id,
        CallInput(
            occurred_at=ben.clock.now() - timedelta(hours=1),
            person_name="Jo at Acme",
            summary="Appeal received",
        ),
    )
    ben.claims.update_case(claim_id, claimant_name="Maria L. Lopez")

    qtbot.waitUntil(lambda: calls.table.model().rowCount() == 1, timeout=WAIT_MS)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "Maria L. Lopez" in workspace.heading.text(), timeout=WAIT_MS)


def test_typing_in_an_open_form_is_never_overwritten(
    qtbot: QtBot, office: tuple[Services, Services], window: MainWindow
) -> None:
    ana, ben = office
    claim_id = open_case(ana)
    workspace = window.open_case(claim_id)
    overview, calls = workspace.panels["overview"], workspace.panels["calls"]
    calls.start_new_call()  # type: ignore[attr-defined]
    settled(calls)  # the form opens once its organisations are read
    calls.form.who.setText("Sam at the plan")  # type: ignore[attr-defined]
    seen: dict[str, str] = {}

    def ben_saves_while_ana_types(dialog: QDialog) -> bool:
        assert isinstance(dialog, CaseDetailsDialog)
        dialog.lines["claimant_name"].setText("Maria Lopez-Garcia")
        ben.claims.update_case(claim_id, insurer_claim_number="CLM-77", region="NY")
        ben.calls.log_call(
            claim_id,
            CallInput(occurred_at=ben.clock.now(), person_name="Jo", summary="Called back"),
        )
        # The case behind the dialog shows Ben's changes...
        qtbot.waitUntil(lambda: "CA" not in workspace.heading.text(), timeout=WAIT_MS)
        # ...and the dialog still holds what Ana typed, over what she opened it with.
        seen["name"] = dialog.lines["claimant_name"].text()
        seen["claim number"] = dialog.lines["insurer_claim_number"].text()
        seen["region"] = dialog.lines["region"].text()
        return False

    overview.run_dialog = ben_saves_while_ana_types  # type: ignore[attr-defined]
    settled(workspace, overview)  # the Overview has painted the case it edits
    overview.edit_details()  # type: ignore[attr-defined]

    assert seen == {"name": "Maria Lopez-Garcia", "claim number": "", "region": "CA"}
    # The Call log, hidden behind the Overview, reads Ben's call when shown, and keeps the
    # call Ana was typing.
    workspace.show_panel("calls")
    qtbot.waitUntil(lambda: calls.table.model().rowCount() == 1, timeout=WAIT_MS)  # type: ignore[attr-defined]
    assert calls.form.who.text() == "Sam at the plan"  # type: ignore[attr-defined]
    assert calls.has_unsaved_edits()


def test_the_window_lives_through_the_server_restarting(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with postgres.own_cluster() as cluster:
        url = postgres.database_url(cluster.server, "postgres")
        open_database(url).dispose()
        ana, ben = workstation(url, "Ana Advocate"), workstation(url, "Ben Caseworker")
        reconnect = postgres.hold_reconnecting(monkeypatch)
        window = window_on(qtbot, ana, tmp_path)
        try:
            open_case(ana)
            qtbot.waitUntil(lambda: visible_claimants(window) == ["Maria Lopez"], timeout=WAIT_MS)
            label = window.live.label

            reconnect.clear()
            cluster.pause()
            qtbot.waitUntil(lambda: window.live.unreachable, timeout=WAIT_MS)
            assert label.text() == UNREACHABLE
            assert "can't be reached" in label.text() and label.isVisibleTo(window)

            cluster.resume()
            missed = open_case(ben)  # saved while this window heard nothing
            ben.claims.update_case(missed, claimant_name="Ravi Kumar")
            qtbot.wait(300)
            assert visible_claimants(window) == ["Maria Lopez"]

            reconnect.set()
            qtbot.waitUntil(lambda: not window.live.unreachable, timeout=WAIT_MS)
            assert window.statusBar().currentMessage() == BACK
            qtbot.waitUntil(
                lambda: visible_claimants(window) == ["Maria Lopez", "Ravi Kumar"],
                timeout=WAIT_MS,
            )
        finally:
            window.close()
            assert not window.live.listening
            settle(qtbot)
            ana.close()
            ben.close()

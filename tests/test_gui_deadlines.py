"""Deadlines in the window: Today, the overdue banner, a case's deadlines, reminders, calendar."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from claimdesk.gui.dialogs import date_edit
from claimdesk.gui.main_window import MainWindow
from claimdesk.gui.panels.deadlines import COMPUTED, CONFIDENCE, DeadlineModel, DeadlinesPanel
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.gui.reminders import lead_days_from
from claimdesk.gui.today_page import AgendaModel, when_text
from claimdesk.services import ClaimInput, Services
from tests.gui_support import make_env, refreshed, settled
from tests.pinned import TODAY


def make_window(qtbot: QtBot, services: Services, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(services, RecordingPrompts(), "test database", settings)
    qtbot.addWidget(win)
    win.show()
    return win


def erisa_case(services: Services, received_days_ago: int = 20) -> int:
    return services.claims.open_case(
        ClaimInput(
            claimant_name="Maria Lopez",
            plan_type="erisa_group_health",
            claim_type="health",
            country="US",
            region="CA",
            insurer_name="Acme Health Plan",
            denial_letter_date=TODAY - timedelta(days=received_days_ago + 3),
            denial_received_date=TODAY - timedelta(days=received_days_ago),
            denial_category="medical_necessity",
        )
    ).id


def test_today_lists_what_is_due_and_opens_the_case(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    claim_id = erisa_case(services)
    services.deadlines.add_manual(
        claim_id, "Send the cardiology records", TODAY - timedelta(days=2)
    )
    win = make_window(qtbot, services, tmp_path)
    assert win.tabs.currentWidget() is win.today_page  # Today is the home view
    qtbot.waitUntil(lambda: win.today_page.model.items != [], timeout=5000)
    titles = [i.title for i in win.today_page.model.items]
    assert "Send the cardiology records" in titles
    model = win.today_page.model
    shown = [model.index(r, 3).data() for r in range(model.rowCount())]
    assert shown == titles  # the table shows every item, in order
    assert win.today_page.overdue_count() == 1
    assert "1 overdue" in win.today_page.summary.text()
    # The banner says so on start.
    assert win.banner.isVisible() and "1 thing is overdue" in win.banner.text()
    row = titles.index("Send the cardiology records")
    win.today_page.table.setCurrentIndex(win.today_page.model.index(row, 0))
    win.today_page._activated(win.today_page.model.index(row, 0))
    workspace = win.current_workspace()
    assert workspace is not None and workspace.claim_id == claim_id
    assert workspace.tabs.currentWidget() is workspace.panels["deadlines"]


def test_no_banner_when_nothing_is_overdue(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    erisa_case(services)
    win = make_window(qtbot, services, tmp_path)
    with qtbot.waitSignal(win.today_page.loaded, timeout=5000):
        pass
    assert not win.banner.isVisible()


def test_today_follows_changes(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    claim_id = erisa_case(services)
    win = make_window(qtbot, services, tmp_path)
    services.deadlines.add_manual(claim_id, "Call the medical director", TODAY + timedelta(days=3))
    qtbot.waitUntil(
        lambda: "Call the medical director" in [i.title for i in win.today_page.model.items],
        timeout=3000,
    )


def test_case_deadlines_show_the_rule_and_can_be_moved_with_a_reason(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    claim_id = erisa_case(services)
    win = make_window(qtbot, services, tmp_path)
    workspace = win.open_case(claim_id, "deadlines")
    settled(workspace)
    panel = workspace.panels["deadlines"]
    assert isinstance(panel, DeadlinesPanel)
    rules = [r.rule_id for r in panel.model.rows]
    assert "US-ERISA-appeal-file" in rules
    row = rules.index("US-ERISA-appeal-file")
    panel.table.selectRow(row)
    assert "29 CFR 2560.503-1" in panel.detail.text()
    computed = panel.model.rows[row].due_on
    new_date = computed - timedelta(days=30)

    def fill(dialog: QDialog) -> bool:
        dialog.findChildren(type(date_edit()))[0].setDate(new_date)
        edits = [w for w in dialog.findChildren(object) if w.__class__.__name__ == "QPlainTextEdit"]
        edits[0].setPlainText("File a month early to leave room for a peer-to-peer")
        return True

    panel.run_dialog = fill
    panel.move_deadline()
    qtbot.waitUntil(lambda: any(r.overridden for r in panel.model.rows), timeout=3000)
    moved = next(r for r in panel.model.rows if r.rule_id == "US-ERISA-appeal-file")
    assert moved.due_on == new_date and moved.computed_due_on == computed
    assert "✎" in panel.model.index(panel.model.rows.index(moved), 0).data()


def test_moving_a_deadline_without_a_reason_is_refused(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    claim_id = erisa_case(services)
    win = make_window(qtbot, services, tmp_path)
    workspace = win.open_case(claim_id, "deadlines")
    settled(workspace)
    panel = workspace.panels["deadlines"]
    assert isinstance(panel, DeadlinesPanel)
    panel.table.selectRow(0)
    panel.run_dialog = lambda dialog: True  # OK pressed with the reason left empty
    panel.move_deadline()
    assert win.prompts.shown and "Reason for the change is required" in win.prompts.shown[-1][2]  # type: ignore[attr-defined]
    assert not any(r.overridden for r in services.deadlines.deadlines(claim_id))


def test_models_are_well_behaved(qtmodeltester, services: Services) -> None:  # type: ignore[no-untyped-def]
    claim_id = erisa_case(services)
    deadlines = DeadlineModel(services.clock)
    deadlines.set_rows(services.deadlines.deadlines(claim_id))
    qtmodeltester.check(deadlines)
    agenda = AgendaModel()
    agenda.set_items(services.schedule.agenda(TODAY, 365), TODAY)
    qtmodeltester.check(agenda)


def test_reminders_are_shown_once_without_health_details(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    claim_id = erisa_case(services)
    services.deadlines.add_manual(
        claim_id, "Mail the cardiology records", TODAY + timedelta(days=3)
    )
    win = make_window(qtbot, services, tmp_path)
    with qtbot.waitSignal(win.reminders.checked):
        win.reminders.check()  # read off the GUI thread, shown, marked shown
    assert win.reminders.shown
    message = win.reminders.shown[-1]
    assert "CD-" in message and "Maria" not in message and "cardiology" not in message
    with qtbot.waitSignal(win.reminders.checked):
        win.reminders.check()
    assert len(win.reminders.shown) == 1  # seen reminders are not shown again


def test_calendar_export_from_the_window(services: Services, tmp_path: Path) -> None:
    import ics

    erisa_case(services)
    out = tmp_path / "deadlines.ics"
    count = services.calendar.write_ics(out, include_details=False)
    calendar = ics.Calendar(out.read_text(encoding="utf-8"))
    assert count == len(calendar.events) > 0
    assert all("Maria" not in (e.name or "") for e in calendar.events)


def test_lead_days_setting() -> None:
    assert lead_days_from("7, 14,3 ,1") == (14, 7, 3, 1)
    for bad in ("", "soon", "-1", "400"):
        try:
            lead_days_from(bad)
        except ValueError as error:
            assert "for example 14, 7, 3, 1" in str(error)
        else:
            raise AssertionError(bad)


def test_when_text() -> None:
    assert when_text(TODAY, TODAY) == "today"
    assert when_text(TODAY - timedelta(days=1), TODAY) == "1 day overdue"
    assert when_text(TODAY + timedelta(days=5), TODAY) == "in 5 days"


def test_the_computed_date_and_the_confidence_read_in_words(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    claim_id = erisa_case(services)
    services.deadlines.add_manual(claim_id, "Send the ECG tracings", TODAY + timedelta(days=3))
    panel = DeadlinesPanel(make_env(services, tmp_path), claim_id)
    qtbot.addWidget(panel)
    refreshed(panel)
    model = panel.model
    rules = [r.rule_id for r in model.rows]
    row = rules.index("US-ERISA-appeal-file")
    record = model.rows[row]
    assert model.index(row, COMPUTED).data() == record.due_on.strftime("%a %d %b %Y")
    assert model.index(row, CONFIDENCE).data() == "Secondary source"
    tip = str(model.index(row, CONFIDENCE).data(Qt.ItemDataRole.ToolTipRole))
    assert "secondary source" in tip and "29 CFR 2560.503-1" in tip
    manual = next(i for i, r in enumerate(model.rows) if r.title == "Send the ECG tracings")
    assert model.index(manual, COMPUTED).data() == "by hand"
    assert model.index(manual, CONFIDENCE).data() == "Entered by hand"
    # Every computed deadline fills the column.
    assert all(model.index(i, COMPUTED).data() for i in range(model.rowCount()))
    panel.table.selectRow(row)
    assert "from a reliable secondary source" in panel.detail.text()
    assert "(S)" not in panel.detail.text()

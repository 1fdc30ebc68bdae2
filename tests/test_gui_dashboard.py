"""The Dashboard tab: its table models under qtmodeltester, a click on a bar filters the case
list to the cases behind it, missed insurer deadlines in red on Today, the dashboard and the
Overview's readiness check, and Export writes the report."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from claimdesk.gui.cases_page import CasesPage
from claimdesk.gui.chart_widget import ChartTableModel
from claimdesk.gui.dashboard_page import DashboardPage
from claimdesk.gui.main_window import MainWindow
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.gui.today_page import TodayPage
from claimdesk.services import ClaimInput, Services
from claimdesk.services.dashboard import DashboardFilter
from claimdesk.services.demo import load_demo
from tests.gui_support import make_env, threads_calling


def missed_case(services: Services) -> int:
    """An ERISA disability appeal the plan received 1 Sep 2026 and never decided: due 16 Oct."""
    claim_id = services.claims.open_case(
        ClaimInput(
            claimant_name="Ada Example",
            plan_type="erisa_disability",
            claim_type="disability",
            country="US",
            insurer_name="Northwind Mutual",
        )
    ).id
    services.appeals.record(
        claim_id, "internal_1", filed_on=date(2026, 8, 27), received_on=date(2026, 9, 1)
    )
    return claim_id


def loaded_page(qtbot: QtBot, services: Services, tmp_path: Path) -> DashboardPage:
    page = DashboardPage(make_env(services, tmp_path))
    qtbot.addWidget(page)
    page.resize(1200, 900)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.show()  # the first show reads the figures
    return page


def test_chart_table_models_pass_the_model_tester(
    qtmodeltester: ModelTester, services: Services
) -> None:
    load_demo(services)
    board = services.dashboard.read(DashboardFilter(date(2026, 1, 1), date(2026, 12, 31)))
    for chart in board.charts:
        model = ChartTableModel()
        model.set_chart(chart)
        qtmodeltester.check(model)
        assert model.rowCount() == len(chart.rows)
        if chart.rows:
            assert model.index(0, 0).data() == chart.rows[0][0]


def test_a_click_on_a_bar_lists_the_cases_behind_it(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    load_demo(services)
    page = loaded_page(qtbot, services, tmp_path)
    cases = CasesPage(page.env)
    qtbot.addWidget(cases)
    page.open_cases.connect(cases.show_subset)
    card = page.cards["caseload"]
    chart = card.chart_view.chart
    assert chart is not None and chart.groups
    # The first caseworker's first stage with cases in it.
    group = chart.groups[0]
    series = next(i for i, v in enumerate(group.values) if v)
    with qtbot.waitSignal(cases.model.modelReset, timeout=5000):
        qtbot.mouseClick(
            card.chart_view,
            Qt.MouseButton.LeftButton,
            pos=card.chart_view.bar_centre(0, series).toPoint(),
        )
    qtbot.waitUntil(lambda: cases.model.rowCount() == group.values[series], timeout=5000)
    shown = {cases.model.claim_id(row) for row in range(cases.model.rowCount())}
    assert shown == set(services.dashboard.case_ids(group.slices[series]))
    assert cases.subset_bar.isVisibleTo(cases)
    assert group.label in cases.subset_label.text()
    # Every case of the bar is that caseworker's, at that stage.
    stage = chart.series[series].name
    for claim_id in shown:
        detail = services.claims.get(claim_id)
        assert detail.assigned_to == group.label and detail.stage.label == stage
    cases.clear_subset.click()
    qtbot.waitUntil(lambda: not cases.subset_bar.isVisibleTo(cases), timeout=5000)
    assert cases.current_filter().subset is None


def test_the_numbers_are_copyable_and_a_row_opens_its_cases(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    load_demo(services)
    page = loaded_page(qtbot, services, tmp_path)
    card = page.cards["caseload"]
    card.show_table.click()
    assert card.table.isVisibleTo(page)
    text = card.table.copy()
    assert text == QApplication.clipboard().text()
    assert text.splitlines()[0].split("\t")[0] == "Caseworker"
    opened = []
    card.table.open_slice.connect(opened.append)
    card.table.doubleClicked.emit(card.table.model().index(0, 0))
    assert opened and opened[0].metric == "caseload"


def test_missed_insurer_deadline_is_red_everywhere(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    claim_id = missed_case(services)
    page = loaded_page(qtbot, services, tmp_path)
    assert page.alerts_box.isVisibleTo(page)
    text = page.alerts.text()
    assert "29 CFR 2560.503-1(i)(3)(i)" in text and "29 CFR 2560.503-1(l)(2)" in text
    assert "not legal advice" in text

    today = TodayPage(make_env(services, tmp_path))
    qtbot.addWidget(today)
    with qtbot.waitSignal(today.loaded, timeout=5000):
        today.refresh()
    assert today.alerts_label.isVisibleTo(today)
    assert "Northwind Mutual's decision on the appeal was due 16 Oct 2026" in (
        today.alerts_label.text()
    )
    opened = []
    today.open_item.connect(lambda claim, panel: opened.append((claim, panel)))
    today.alerts_label.linkActivated.emit(f"case:{claim_id}")
    assert opened == [(claim_id, "deadlines")]

    [first, *_] = services.readiness.check(claim_id)
    assert first.alert and not first.ok
    assert first.title.startswith("Northwind Mutual's decision on the appeal was due 16 Oct 2026")
    assert "(29 CFR 2560.503-1(l)(2); confidence S)" in first.detail


def test_export_writes_the_report_and_a_bad_place_is_explained(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    missed_case(services)
    page = loaded_page(qtbot, services, tmp_path)
    prompts = page.env.prompts
    assert isinstance(prompts, RecordingPrompts)
    target = tmp_path / "report.csv"
    prompts.answers.append(str(target))
    page.export()
    qtbot.waitUntil(lambda: any(kind == "info" for kind, *_ in prompts.shown), timeout=10_000)
    assert "Insurer deadlines missed (1)" in target.read_text(encoding="utf-8")
    prompts.answers.append(str(tmp_path / "missing folder" / "report.pdf"))
    page.export()
    qtbot.waitUntil(lambda: any(kind == "error" for kind, *_ in prompts.shown), timeout=10_000)
    assert page.export_button.isEnabled()


def test_the_figures_are_read_off_the_gui_thread(
    qtbot: QtBot, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_on = threads_calling(monkeypatch, services.dashboard, "read")
    loaded_page(qtbot, services, tmp_path)
    assert read_on and all(t is not threading.main_thread() for t in read_on)


def test_a_period_that_ends_before_it_starts_is_not_read(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    page = loaded_page(qtbot, services, tmp_path)
    page.end.setDate(page.start.date().addDays(-1))
    page.refresh()
    assert "ends before it starts" in page.summary.text()
    assert page.refresh_button.isEnabled()


def test_the_main_window_has_the_dashboard_beside_today_and_a_bar_opens_the_cases(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    load_demo(services)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(services, RecordingPrompts(), "test database", settings)
    qtbot.addWidget(window)
    window.show()
    assert window.tabs.tabText(1) == "Dashboard"
    page = window.dashboard_page
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        window.tabs.setCurrentWidget(page)
    chart = page.cards["caseload"].chart_view.chart
    assert chart is not None
    piece = chart.groups[0].slices[next(i for i, v in enumerate(chart.groups[0].values) if v)]
    page.open_cases.emit(piece)
    assert window.tabs.currentWidget() is window.cases_page
    assert window.cases_page.current_filter().subset == piece

"""Start-up at office scale: the case list shows its first page and its length at once, the
rest of the ids, Today's agenda and the filter lists follow once the window has painted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from claimdesk.gui import case_list_model
from claimdesk.gui.case_list_model import CLAIMANT, DAYS_LEFT, CaseListModel
from claimdesk.gui.main_window import MainWindow
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.gui.tasks import TaskRunner
from claimdesk.models.enums import Role
from claimdesk.services import ClaimInput, Services
from claimdesk.services.caselist import CaseFilter, CaseSort
from tests.pinned import TODAY
from tests.signin import principal

NAMES = ["Ann", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal"]


def open_cases(services: Services, names: list[str]) -> list[int]:
    principal(services.db, "Bea Advocate", Role.CASEWORKER)  # the first case's assignee
    return [
        services.claims.open_case(
            ClaimInput(
                claimant_name=f"{name} Tester",
                plan_type="erisa_group_health",
                claim_type="health",
                country="US",
                region="TX" if n % 2 else "CA",
                insurer_name="Acme Health Plan",
                denial_received_date=TODAY - timedelta(days=10 + n),
                denial_category="medical_necessity",
                assigned_to="Bea Advocate" if n == 0 else "",
            )
        ).id
        for n, name in enumerate(names)
    ]


def claimants(model: CaseListModel) -> list[str | None]:
    return [model.index(row, CLAIMANT).data() for row in range(model.rowCount())]


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of three rows, so eight cases need the worker for the rest."""
    monkeypatch.setattr(case_list_model, "PAGE", 3)


def test_first_ids_give_the_top_of_the_list_and_its_length(services: Services) -> None:
    open_cases(services, NAMES)
    caselist = services.caselist
    every = caselist.case_ids(CaseFilter(), CaseSort.CLAIMANT, descending=False)
    assert caselist.first_ids(CaseFilter(), 3, CaseSort.CLAIMANT, descending=False) == (
        every[:3],
        len(NAMES),
    )
    only = CaseFilter(search="flo")
    assert caselist.first_ids(only, 3) == (caselist.case_ids(only), 1)


def test_a_row_shows_the_earliest_open_deadline(services: Services) -> None:
    claim_id = open_cases(services, ["Ann"])[0]
    services.deadlines.add_manual(claim_id, "Later", TODAY + timedelta(days=40))
    services.deadlines.add_manual(claim_id, "Sooner", TODAY - timedelta(days=2))
    (row,) = services.caselist.rows([claim_id])
    assert row.next_deadline == TODAY - timedelta(days=2) and row.overdue
    assert row.claimant_name == "Ann Tester" and row.insurer_name == "Acme Health Plan"


def test_the_list_shows_its_length_at_once_and_the_rest_follows(
    qtbot: QtBot,
    qtmodeltester,  # type: ignore[no-untyped-def]
    services: Services,
    small_pages: None,
) -> None:
    open_cases(services, NAMES)
    model = CaseListModel(services.caselist, tasks=TaskRunner())
    model.sort(CLAIMANT)
    assert model.rowCount() == len(NAMES)  # the scroll bar is right from the start
    assert claimants(model)[:3] == ["Ann Tester", "Bo Tester", "Cy Tester"]
    assert claimants(model)[3:] == [None] * 5 and not model.complete()
    qtmodeltester.check(model)
    model.start_fetching()
    qtbot.waitUntil(model.complete, timeout=5000)
    assert model.count() == len(NAMES)
    # Rows past the first page are read off the GUI thread when first asked for.
    qtbot.waitUntil(lambda: claimants(model) == [f"{name} Tester" for name in NAMES])
    qtmodeltester.check(model)


def test_a_filter_while_the_rest_is_on_its_way_wins(
    qtbot: QtBot, services: Services, small_pages: None
) -> None:
    open_cases(services, NAMES)
    model = CaseListModel(services.caselist, tasks=TaskRunner())
    model.start_fetching()
    model.set_filter(CaseFilter(jurisdiction="US-TX"))  # the first reload's worker is stale
    qtbot.waitUntil(model.complete, timeout=5000)
    qtbot.wait(50)  # any stale result has been delivered by now
    texas = ["Bo Tester", "Di Tester", "Flo Tester", "Hal Tester"]
    qtbot.waitUntil(lambda: sorted(map(str, claimants(model))) == texas, timeout=5000)
    assert model.count() == len(texas)


def test_cases_opened_between_the_two_reads_are_shown(
    qtbot: QtBot, services: Services, small_pages: None
) -> None:
    open_cases(services, NAMES)
    model = CaseListModel(services.caselist, tasks=TaskRunner())
    model.reload()
    assert model.rowCount() == len(NAMES)
    open_cases(services, ["Ivy"])  # by another window, before the rest was read
    model.start_fetching()
    qtbot.waitUntil(lambda: model.rowCount() == len(NAMES) + 1 and model.complete(), timeout=5000)
    qtbot.waitUntil(lambda: "Ivy Tester" in claimants(model), timeout=5000)


def test_the_window_fills_today_and_the_filters_once_painted(
    qtbot: QtBot, services: Services, tmp_path: Path, small_pages: None
) -> None:
    ids = open_cases(services, NAMES)
    services.deadlines.add_manual(ids[-1], "Send the records", TODAY - timedelta(days=3))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(services, RecordingPrompts(), "test database", settings)
    qtbot.addWidget(win)
    page = win.cases_page
    assert page.count.text() == "8 cases match the filters"  # open cases only
    win.tabs.setCurrentWidget(page)
    win.show()
    qtbot.waitUntil(lambda: page.assignee.findText("Bea Advocate") > 0, timeout=5000)
    assert page.jurisdiction.findText("US-TX") > 0
    qtbot.waitUntil(page.model.complete, timeout=5000)
    qtbot.waitUntil(lambda: win.banner.isVisible(), timeout=5000)
    assert "1 thing is overdue" in win.banner.text()
    page.overdue.setChecked(True)  # read off the GUI thread now the window has painted
    qtbot.waitUntil(lambda: claimants(page.model) == ["Hal Tester"], timeout=5000)
    assert page.model.index(0, DAYS_LEFT).data() == "3 overdue"


def test_pyside_reads_the_source_of_no_module_imported_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import inspect
    import sys

    from claimdesk.gui.feature_scan import mark_every_module_featureless

    feature = sys.modules["PySide6.support.feature"]
    monkeypatch.setattr(feature, "_mod_uses_pyside", feature._mod_uses_pyside)
    mark_every_module_featureless()
    mark_every_module_featureless()  # a second window's start wraps nothing twice
    read: list[str] = []
    real = inspect.getsource
    monkeypatch.setattr(inspect, "getsource", lambda o: read.append(o.__name__) or real(o))
    # a module that names PySide6 (a Qt helper, a test plugin, our own Qt layer) is not read
    (tmp_path / "mentions_qt.py").write_text("import PySide6  # PySide6\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__("mentions_qt")  # through the import hook PySide6 installs, as `import` goes
    assert read == []
    assert feature.pyside_feature_dict["mentions_qt"] == -1
    assert feature._mod_uses_pyside(type(sys)("claimdesk.gui.not_imported_yet")) is False
    assert read == []
    monkeypatch.delitem(sys.modules, "mentions_qt")


def test_no_claimdesk_module_switches_on_a_pyside_feature() -> None:
    """What makes marking every module featureless (gui/feature_scan.py) safe."""
    root = Path(__file__).resolve().parent.parent / "claimdesk"
    users = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "from __feature__" in path.read_text(encoding="utf-8")
    ]
    assert users == []

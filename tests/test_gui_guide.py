"""The user guide: every page there and linked, each screen's "?" and F1 open its page,
finding words works, and the pages travel with the app."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from claimdesk.gui import guide, theme
from claimdesk.gui.guide import PAGES, GuideWindow, guide_dir, page_text, pages_with
from claimdesk.gui.main_window import MainWindow
from claimdesk.gui.panels.registry import PANELS
from claimdesk.gui.workspace import CaseWorkspace
from claimdesk.paths import resources_dir
from claimdesk.services import Services
from tests.conftest import REPO_ROOT
from tests.gui_support import make_env, open_case
from tests.test_gui import make_window

LINK = re.compile(r"\]\(([^)\s]+)\)")


def shown_guide(near: QWidget) -> GuideWindow:
    found = near.window().findChildren(GuideWindow)
    assert len(found) == 1, "one guide window per main window"
    assert found[0].isVisible()
    return found[0]


def test_the_guide_is_found_where_the_app_keeps_its_resources() -> None:
    assert guide_dir() == resources_dir() / "guide"
    on_disk = {path.stem for path in guide_dir().glob("*.md")}
    assert on_disk == set(PAGES), "every page is in the contents, and every entry has a page"
    for page in PAGES:
        assert page_text(page).startswith("# "), f"{page}.md starts with its title"


def test_every_screen_has_its_page() -> None:
    screens = {cls.key for cls in PANELS} | {"today", "cases", "search"}
    assert screens <= set(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_every_link_leads_to_a_guide_page(page: str) -> None:
    links = LINK.findall(page_text(page))
    for link in links:
        target, _, _fragment = link.partition("#")
        assert not re.match(r"[a-z]+:", target), f"{page}: {link} leaves the guide (offline)"
        assert target.endswith(".md") and target[:-3] in PAGES, f"{page}: broken link {link}"


def test_every_page_can_be_reached_from_the_first(qtbot: QtBot) -> None:
    reached, todo = {"index"}, ["index"]
    while todo:
        for link in LINK.findall(page_text(todo.pop())):
            name = link.partition("#")[0][:-3]
            if name not in reached:
                reached.add(name)
                todo.append(name)
    assert reached == set(PAGES)


def test_the_guide_holds_no_health_data() -> None:
    """The guide is generic: none of the sample cases' people or conditions appear in it."""
    text = "\n".join(page_text(page) for page in PAGES)
    for case in (REPO_ROOT / "resources" / "demo" / "cases").glob("*.json"):
        data = json.loads(case.read_text(encoding="utf-8"))
        name = data.get("claim", data).get("claimant_name") or data.get("claimant_name")
        assert name, case
        assert name not in text
        assert name.split()[-1] not in text


def test_a_link_in_a_page_opens_that_page(qtbot: QtBot) -> None:
    window = GuideWindow()
    qtbot.addWidget(window)
    window.open_page("index")
    assert "From the denial to external review" in window.browser.toPlainText()
    window.browser.anchorClicked.emit(QUrl("calls.md"))
    assert window.current_page() == "calls"
    assert "Correct this call" in window.browser.toPlainText()
    assert window.contents.currentItem().data(guide.PAGE_ROLE) == "calls"
    window.browser.backward()
    assert window.current_page() == "index"
    window.open_page("no-such-page")
    assert window.current_page() == "index"


def test_finding_words_narrows_the_contents_and_goes_to_them(qtbot: QtBot) -> None:
    window = GuideWindow()
    qtbot.addWidget(window)
    window.open_page("today")
    qtbot.keyClicks(window.find_field, "ombudsman")
    items = [window.contents.item(row) for row in range(window.contents.count())]
    shown = [i.data(guide.PAGE_ROLE) for i in items if i.data(guide.PAGE_ROLE) and not i.isHidden()]
    assert shown == pages_with("ombudsman") and "escalation" in shown and "calls" not in shown
    qtbot.keyClick(window.find_field, Qt.Key.Key_Return)
    assert window.current_page() in shown
    assert window.browser.textCursor().selectedText().casefold() == "ombudsman"
    window.find_field.setText("zzqx nothing")
    assert "No page" in window.found.text()


def test_each_tabs_question_mark_opens_its_page(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    workspace = CaseWorkspace(make_env(services, tmp_path), open_case(services), host)
    host.show()
    button = workspace.tabs.cornerWidget()
    assert isinstance(button, QToolButton) and button.text() == "?"
    for key, panel in workspace.panels.items():
        workspace.tabs.setCurrentWidget(panel)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert shown_guide(workspace).current_page() == key


def test_the_pages_question_marks_and_f1_open_the_screen_in_front(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    open_case(services)
    window: MainWindow = make_window(qtbot, services, tmp_path)
    for page, key in ((window.today_page, "today"), (window.cases_page, "cases"),
                      (window.search_page, "search")):  # fmt: skip
        window.tabs.setCurrentWidget(page)
        [button] = [b for b in page.findChildren(QToolButton) if b.text() == "?"]
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert shown_guide(window).current_page() == key
        window.action("actionUserGuide").trigger()
        assert shown_guide(window).current_page() == key
    claim_id = services.claims.list_claims()[0].id
    window.open_case(claim_id, "letters")
    assert window.action("actionUserGuide").shortcut().toString() == "F1"
    window.action("actionUserGuide").trigger()
    assert shown_guide(window).current_page() == "letters"


def test_links_read_on_a_dark_page(qtbot: QtBot, qapp: QApplication) -> None:
    from tests.test_gui_theme import dark_palette

    before = qapp.palette()
    qapp.setPalette(dark_palette())
    try:
        window = GuideWindow()
        qtbot.addWidget(window)
        window.open_page("index")
        ground = window.browser.palette().color(QPalette.ColorRole.Base)
        block, colours = window.browser.document().begin(), []
        while block.isValid():
            iterator = block.begin()
            while not iterator.atEnd():
                fragment = iterator.fragment()
                if fragment.charFormat().isAnchor():
                    colours.append(fragment.charFormat().foreground().color())
                iterator += 1
            block = block.next()
        assert colours, "the first page links to the others"
        assert all(theme.contrast(colour, ground) >= 4.5 for colour in colours)
    finally:
        qapp.setPalette(before)

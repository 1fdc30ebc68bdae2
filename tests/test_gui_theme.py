"""The app's own colours read in a light and a dark desktop theme, and follow a switch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from claimdesk.gui import theme
from claimdesk.gui.app import style_for_scheme
from claimdesk.gui.case_list_model import DAYS_LEFT, CaseListModel
from claimdesk.gui.forms import child
from claimdesk.gui.letter_preview import LetterPreviewView
from claimdesk.gui.main_window import MainWindow
from claimdesk.gui.packet_dialog import PacketDialog
from claimdesk.gui.panels.overview import OverviewPanel
from claimdesk.gui.panels.requests import STATUS, RequestsPanel
from claimdesk.gui.panels.timeline import TimelinePanel
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.gui.templates.letterhead_form import LetterheadForm
from claimdesk.gui.today_page import WHEN, AgendaModel, TodayPage
from claimdesk.gui.workspace import CaseWorkspace
from claimdesk.models.enums import ContactMethod, RequestKind
from claimdesk.services import Services
from tests.gui_support import make_env, open_case, refreshed, settled
from tests.pinned import TODAY

Role = QPalette.ColorRole


def light_palette() -> QPalette:
    """Fusion's light palette, as Qt builds it with no desktop theme."""
    window = QColor(239, 239, 239)
    return QPalette(
        QColor("black"),
        window,
        window.lighter(150),
        window.darker(150),
        window.darker(130),
        QColor("black"),
        QColor("white"),
    )


def dark_palette() -> QPalette:
    """Fusion's dark palette (Qt 6.5+), as a dark desktop hands it to the app."""
    window = QColor(50, 50, 50)
    text = QColor(240, 240, 240)
    palette = QPalette(
        text,
        window,
        window.lighter(150),
        window.darker(150),
        window.darker(130),
        text,
        window.darker(140),
    )
    palette.setColor(Role.AlternateBase, QColor("#2b2b2b"))
    return palette


PALETTES = {"light": light_palette, "dark": dark_palette}


@pytest.fixture
def dark_app(qapp: QApplication) -> Iterator[QApplication]:
    """The application switched to a dark palette, switched back afterwards."""
    before = QApplication.palette()
    qapp.setPalette(dark_palette())
    yield qapp
    qapp.setPalette(before)


def test_the_test_palettes_are_one_light_and_one_dark(qapp: QApplication) -> None:
    assert not theme.is_dark(light_palette())
    assert theme.is_dark(dark_palette())


@pytest.mark.parametrize("scheme", PALETTES)
@pytest.mark.parametrize("name", theme.TEXT_TONES)
def test_every_text_colour_reads_on_the_palette(qapp: QApplication, scheme: str, name: str) -> None:
    palette = PALETTES[scheme]()
    colour = theme.TEXT_TONES[name].color(palette)
    for role in (Role.Base, Role.AlternateBase, Role.Window):
        ratio = theme.contrast(colour, palette.color(role))
        assert ratio >= 4.5, f"{name} on {scheme} {role.name}: {ratio:.2f}:1"


@pytest.mark.parametrize("scheme", PALETTES)
def test_the_grounds_keep_their_text_readable(qapp: QApplication, scheme: str) -> None:
    palette = PALETTES[scheme]()
    text = palette.color(Role.Text)
    pairs = {
        "danger on its background": (theme.DANGER, theme.DANGER_BACKGROUND),
        "line numbers on the gutter": (theme.MUTED, theme.EDITOR_GUTTER),
        "error line number on the gutter": (theme.DANGER, theme.EDITOR_GUTTER),
    }
    for what, (ink, ground) in pairs.items():
        ratio = theme.contrast(ink.color(palette), ground.color(palette))
        assert ratio >= 4.5, f"{what} ({scheme}): {ratio:.2f}:1"
    assert theme.contrast(text, theme.ERROR_LINE.color(palette)) >= 4.5
    assert theme.contrast(theme.INK, theme.PAPER) >= 7
    assert theme.contrast(QColor(theme.INK_DANGER), theme.PAPER) >= 4.5


def test_a_switch_to_dark_recolours_the_requests_table(
    services: Services, tmp_path: Path, qtbot: QtBot, qapp: QApplication
) -> None:
    claim_id = open_case(services)
    services.requests.request_document(
        claim_id,
        RequestKind.CLAIM_FILE,
        sent_on=TODAY - timedelta(days=40),
        method=ContactMethod.FAX,
    )
    panel = RequestsPanel(make_env(services, tmp_path), claim_id)
    qtbot.addWidget(panel)
    refreshed(panel)
    index = panel.model.index(0, STATUS)
    assert index.data() == "overdue"
    light = index.data(Qt.ItemDataRole.ForegroundRole).color().name()
    before = QApplication.palette()
    qapp.setPalette(dark_palette())
    try:
        dark = index.data(Qt.ItemDataRole.ForegroundRole).color().name()
    finally:
        qapp.setPalette(before)
    assert (light, dark) == (theme.DANGER.light, theme.DANGER.dark)


def test_a_followed_label_is_redone_when_the_theme_flips(qtbot: QtBot, qapp: QApplication) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    theme.follow(label, lambda: label.setStyleSheet(f"color: {theme.DANGER.hex(label.palette())}"))
    assert theme.DANGER.light in label.styleSheet()
    before = QApplication.palette()
    # Qt posts the palette change to the widgets: the label hears of it from the event loop.
    qapp.setPalette(dark_palette())
    try:
        qtbot.waitUntil(lambda: theme.DANGER.dark in label.styleSheet())
    finally:
        qapp.setPalette(before)
    qtbot.waitUntil(lambda: theme.DANGER.light in label.styleSheet())


@contextmanager
def switched_to_dark(qapp: QApplication) -> Iterator[None]:
    """The application palette turned dark for the block, and light again whatever happens."""
    before = QApplication.palette()
    qapp.setPalette(dark_palette())
    try:
        yield
    finally:
        qapp.setPalette(before)


def test_a_styled_label_inside_a_shown_window_follows_a_flip_both_ways(
    qtbot: QtBot, qapp: QApplication
) -> None:
    # Once the style-sheet style has polished a child, its palette no longer hears of the
    # application's: the label must still be told, and pick the tone for the new scheme.
    window = QWidget()
    qtbot.addWidget(window)
    label = QLabel("✖", window)
    QVBoxLayout(window).addWidget(label)
    theme.follow(label, lambda: label.setStyleSheet(f"color: {theme.DANGER.hex(label.palette())}"))
    window.show()
    qtbot.waitExposed(window)
    assert theme.DANGER.light in label.styleSheet()
    with switched_to_dark(qapp):
        qtbot.waitUntil(lambda: theme.DANGER.dark in label.styleSheet())
    qtbot.waitUntil(lambda: theme.DANGER.light in label.styleSheet())


def readiness_marks(panel: OverviewPanel) -> dict[str, QLabel]:
    """One passed and one failed readiness mark of the overview."""
    marks = {mark.accessibleName(): mark for mark in panel.findChildren(QLabel)}
    return {name: marks[name] for name in ("passed", "needs attention")}


def test_the_readiness_marks_follow_a_flip_in_a_shown_overview(
    services: Services, tmp_path: Path, qtbot: QtBot, qapp: QApplication
) -> None:
    panel = OverviewPanel(make_env(services, tmp_path), open_case(services))
    qtbot.addWidget(panel)
    refreshed(panel)
    panel.show()
    qtbot.waitExposed(panel)
    marks = readiness_marks(panel)
    tones = {"passed": theme.SUCCESS, "needs attention": theme.DANGER}

    def coloured(variant: str) -> bool:
        return all(
            f"color: {getattr(tones[name], variant)};" in mark.styleSheet()
            for name, mark in marks.items()
        )

    assert coloured("light")
    with switched_to_dark(qapp):
        qtbot.waitUntil(lambda: coloured("dark"))
    qtbot.waitUntil(lambda: coloured("light"))


def test_the_packet_dialogs_missing_letter_note_follows_a_flip(
    services: Services, tmp_path: Path, qtbot: QtBot, qapp: QApplication
) -> None:
    dialog = PacketDialog(make_env(services, tmp_path), open_case(services))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    note = child(dialog, QLabel, "noLetterNote")
    assert note.isVisible() and theme.WARNING.light in note.styleSheet()
    with switched_to_dark(qapp):
        qtbot.waitUntil(lambda: theme.WARNING.dark in note.styleSheet())
    qtbot.waitUntil(lambda: theme.WARNING.light in note.styleSheet())


def test_the_letterhead_problem_follows_a_flip(qtbot: QtBot, qapp: QApplication) -> None:
    form = LetterheadForm()
    qtbot.addWidget(form)
    form.problem.setText("The email address is not valid.")
    form.problem.show()
    form.show()
    qtbot.waitExposed(form)
    assert theme.DANGER.light in form.problem.styleSheet()
    with switched_to_dark(qapp):
        qtbot.waitUntil(lambda: theme.DANGER.dark in form.problem.styleSheet())
    qtbot.waitUntil(lambda: theme.DANGER.light in form.problem.styleSheet())


def banner_colours(banner: QLabel) -> tuple[str, str, str]:
    """The banner's text, background and border colours, read from its style sheet."""
    sheet = banner.styleSheet()
    found = [re.search(rf"(?<![-\w]){prop}\s*(#[0-9a-f]{{6}})", sheet) for prop in PROPS]
    assert all(found), sheet
    return tuple(match.group(1) for match in found if match)  # type: ignore[return-value]


PROPS = ("color:", "background:", "border: 1px solid")


def test_the_open_window_follows_a_flip_and_back(
    services: Services, tmp_path: Path, qtbot: QtBot, qapp: QApplication
) -> None:
    claim_id = overdue_case(services)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(services, RecordingPrompts(), "test database", settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(win.banner.isVisible, timeout=5000)
    workspace = win.open_case(claim_id, "overview")
    settled(workspace)
    overview = workspace.panels["overview"]
    assert isinstance(overview, OverviewPanel)
    marks = readiness_marks(overview)
    legend = next(
        label
        for label in workspace.panels["timeline"].findChildren(QLabel)
        if "deadline" in label.text()
    )
    hint = next(
        label for label in win.today_page.findChildren(QLabel) if "Double-click" in label.text()
    )
    qtbot.waitExposed(win)

    def shows(variant: str) -> bool:
        danger = getattr(theme.DANGER, variant)
        return (
            banner_colours(win.banner)
            == (
                danger,
                getattr(theme.DANGER_BACKGROUND, variant),
                getattr(theme.DANGER_BORDER, variant),
            )
            and danger in win.today_page.summary.text()
            and f"color:{getattr(theme.MUTED, variant)}" in workspace.heading.text()
            and danger in marks["needs attention"].styleSheet()
            and danger in legend.text()
            and hint.palette().color(Role.WindowText).name() == getattr(theme.MUTED, variant)
        )

    assert shows("light")
    with switched_to_dark(qapp):
        qtbot.waitUntil(lambda: shows("dark"))
        dark_banner = banner_colours(win.banner)
    qtbot.waitUntil(lambda: shows("light"))
    # The banner's bold text reads on its own ground in either scheme (WCAG AA).
    for text, ground, _ in (banner_colours(win.banner), dark_banner):
        assert theme.contrast(QColor(text), QColor(ground)) >= 4.5


def test_the_letter_stays_on_white_paper_in_dark(qtbot: QtBot, qapp: QApplication) -> None:
    view = LetterPreviewView()
    qtbot.addWidget(view)
    assert view.palette().color(Role.Window).name() == theme.DESK.light
    before = QApplication.palette()
    qapp.setPalette(dark_palette())
    try:
        qtbot.waitUntil(lambda: view.palette().color(Role.Window).name() == theme.DESK.dark)
        assert view.viewport().palette().color(Role.Base) == theme.PAPER
        # The document draws with the view's Text: dark ink, not the dark theme's light text.
        assert view.palette().color(Role.Text) == theme.INK
    finally:
        qapp.setPalette(before)


def test_the_timeline_legend_uses_the_dark_colours(
    services: Services, tmp_path: Path, qtbot: QtBot, dark_app: QApplication
) -> None:
    panel = TimelinePanel(make_env(services, tmp_path), open_case(services))
    qtbot.addWidget(panel)
    legend = next(label for label in panel.findChildren(QLabel) if "deadline" in label.text())
    assert theme.DANGER.dark in legend.text()
    assert theme.DANGER.light not in legend.text()


def overdue_case(services: Services) -> int:
    """A case with a deadline that passed two days ago."""
    claim_id = open_case(services)
    services.deadlines.add_manual(
        claim_id, "Send the cardiology records", TODAY - timedelta(days=2)
    )
    return claim_id


def test_the_case_subtitle_is_muted_but_readable_in_both_schemes(
    services: Services, tmp_path: Path, qtbot: QtBot, qapp: QApplication
) -> None:
    workspace = CaseWorkspace(make_env(services, tmp_path), open_case(services))
    qtbot.addWidget(workspace)
    settled(workspace)
    heading = workspace.heading.text()
    assert "Acme Health Plan" in heading
    assert "palette(mid)" not in heading
    assert f"color:{theme.MUTED.light}" in heading
    before = QApplication.palette()
    qapp.setPalette(dark_palette())
    try:
        qtbot.waitUntil(lambda: f"color:{theme.MUTED.dark}" in workspace.heading.text())
        assert theme.MUTED.light not in workspace.heading.text()
    finally:
        qapp.setPalette(before)
    qtbot.waitUntil(lambda: f"color:{theme.MUTED.light}" in workspace.heading.text())
    for make in PALETTES.values():
        palette = make()
        ratio = theme.contrast(theme.MUTED.color(palette), palette.color(Role.Window))
        assert ratio >= 4.5


@pytest.mark.parametrize("scheme", PALETTES)
def test_overdue_rows_are_red_for_the_palette_in_use(
    services: Services, qapp: QApplication, scheme: str
) -> None:
    overdue_case(services)
    today_model = AgendaModel()
    today_model.set_items(services.schedule.agenda(TODAY, 14), TODAY)
    case_model = CaseListModel(services.caselist)
    case_model.reload()
    palette = PALETTES[scheme]()
    before = QApplication.palette()
    qapp.setPalette(palette)
    try:
        today_index = today_model.index(0, WHEN)
        assert "overdue" in today_index.data()
        case_index = case_model.index(0, DAYS_LEFT)
        assert "overdue" in case_index.data()
        for index in (today_index, case_index):
            colour = index.data(Qt.ItemDataRole.ForegroundRole).color()
            assert colour.name() == theme.DANGER.hex(palette)
            for role in (Role.Base, Role.AlternateBase):
                assert theme.contrast(colour, palette.color(role)) >= 4.5
    finally:
        qapp.setPalette(before)


def test_todays_overdue_count_follows_the_theme(
    services: Services, tmp_path: Path, qtbot: QtBot, qapp: QApplication
) -> None:
    overdue_case(services)
    page = TodayPage(make_env(services, tmp_path))
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.refresh()
    assert "1 overdue" in page.summary.text()
    assert theme.DANGER.light in page.summary.text()
    hint = next(label for label in page.findChildren(QLabel) if "Double-click" in label.text())
    assert hint.isEnabled()  # a disabled label's grey is too faint to read
    assert hint.palette().color(Role.WindowText).name() == theme.MUTED.light
    before = QApplication.palette()
    qapp.setPalette(dark_palette())
    try:
        qtbot.waitUntil(lambda: theme.DANGER.dark in page.summary.text())
        assert "1 overdue" in page.summary.text()
        qtbot.waitUntil(lambda: hint.palette().color(Role.WindowText).name() == theme.MUTED.dark)
    finally:
        qapp.setPalette(before)
    qtbot.waitUntil(lambda: theme.DANGER.light in page.summary.text())
    qtbot.waitUntil(lambda: hint.palette().color(Role.WindowText).name() == theme.MUTED.light)


Scheme = Qt.ColorScheme


@pytest.mark.parametrize(
    ("platform", "scheme", "style", "expected"),
    [
        # Windows' native style ignores dark mode; Fusion takes the dark system palette.
        ("win32", Scheme.Dark, "windowsvista", "Fusion"),
        ("win32", Scheme.Dark, "WindowsVista", "Fusion"),
        # A light or unknown scheme keeps the native look.
        ("win32", Scheme.Light, "windowsvista", None),
        ("win32", Scheme.Unknown, "windowsvista", None),
        # Styles that follow the scheme themselves, or one already switched, are left alone.
        ("win32", Scheme.Dark, "windows11", None),
        ("win32", Scheme.Dark, "fusion", None),
        # Other desktops hand Qt a dark palette their own way.
        ("linux", Scheme.Dark, "fusion", None),
        ("linux", Scheme.Dark, "windowsvista", None),
        ("darwin", Scheme.Dark, "macos", None),
    ],
)
def test_the_style_is_switched_only_for_a_dark_windows_vista_style(
    platform: str, scheme: Qt.ColorScheme, style: str, expected: str | None
) -> None:
    assert style_for_scheme(platform, scheme, style) == expected

"""The Qt Designer forms in ui/: each is valid Designer XML, loads, and has what its dialog uses."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QWidget,
    QWizardPage,
)
from pytestqt.qtbot import QtBot

from claimdesk.gui.dialogs import FormDialog
from claimdesk.gui.forms import child, load_form
from claimdesk.gui.letter_dialog import WriteLetterDialog
from claimdesk.gui.letter_preview import LetterPreviewView
from claimdesk.gui.new_case_wizard import NewCaseWizard
from claimdesk.gui.packet_dialog import PacketDialog
from claimdesk.gui.settings_dialog import SettingsDialog
from claimdesk.paths import ui_dir
from claimdesk.services import Services
from tests.gui_support import make_env, open_case

FORMS = sorted(path.name for path in ui_dir().glob("*.ui"))
# The Python class behind each custom widget a form declares (Designer shows its base class).
CUSTOM = {"LetterPreviewView": LetterPreviewView}


def _tree(name: str) -> ET.Element:
    return ET.parse(ui_dir() / name).getroot()


def _names(root: ET.Element) -> set[str]:
    return {w.get("name", "") for w in root.iter("widget")}


def test_every_dialog_form_is_in_ui() -> None:
    assert {
        "main_window.ui",
        "form_dialog.ui",
        "settings_dialog.ui",
        "new_case_wizard.ui",
        "packet_dialog.ui",
        "letter_dialog.ui",
    } <= set(FORMS)


@pytest.mark.parametrize("name", FORMS)
def test_form_is_designer_xml(name: str) -> None:
    root = _tree(name)
    assert root.tag == "ui" and root.get("version") == "4.0"
    top = root.find("widget")
    assert top is not None and root.findtext("class") == top.get("name")
    # Designer can open only what it knows: Qt's own widgets or declared custom widgets.
    declared = {c.findtext("class") for c in root.iter("customwidget")}
    known = set(QUiLoader().availableWidgets()) | declared
    for widget in root.iter("widget"):
        assert widget.get("class") in known, f"{name}: undeclared class {widget.get('class')}"
    for extends in root.iter("extends"):
        assert extends.text in QUiLoader().availableWidgets()
    names = _names(root)
    for tabstop in root.iter("tabstop"):
        assert tabstop.text in names, f"{name}: tab stop {tabstop.text} is not in the form"
    for prop in root.iter("property"):
        if prop.get("name") == "buddy":
            assert prop.findtext("cstring") in names, f"{name}: buddy is not in the form"


@pytest.mark.parametrize("name", FORMS)
def test_every_mnemonic_label_has_a_buddy(name: str) -> None:
    for widget in _tree(name).iter("widget"):
        if widget.get("class") != "QLabel":
            continue
        props = {p.get("name"): p for p in widget.findall("property")}
        text = props["text"].findtext("string", "") if "text" in props else ""
        if "&" in text.replace("&&", ""):
            assert "buddy" in props, f"{name}: {widget.get('name')} has a shortcut but no buddy"


@pytest.mark.parametrize("name", FORMS)
def test_form_loads_without_warnings(
    qtbot: QtBot, qtlog: pytest.LogCaptureFixture, name: str
) -> None:
    widget = load_form(name, classes=CUSTOM)
    qtbot.addWidget(widget)
    assert widget.objectName() == _tree(name).findtext("class")
    assert not [r.message for r in qtlog.records]  # type: ignore[attr-defined]


def test_forms_load_no_qt_designer_plugin(qtbot: QtBot) -> None:
    """Qt's Designer plugins (QQuickWidget's, QWebEngineView's) would load QtQuick for widgets
    no form uses: the loader looks in no plugin folder, and Qt's own folders are left as
    they were for everything else."""
    from PySide6.QtCore import QCoreApplication

    from claimdesk.gui.forms import _Loader

    folders = QCoreApplication.libraryPaths()
    loader = _Loader(None, {})
    assert loader.pluginPaths() == []
    assert QCoreApplication.libraryPaths() == folders
    assert folders  # the platform and image plugins are still found


@pytest.mark.parametrize("name", FORMS)
def test_form_compiles_with_uic(name: str) -> None:
    """Qt's own form compiler accepts it: what Designer writes, it reads."""
    uic = shutil.which("pyside6-uic", path=str(Path(sys.executable).parent))
    if uic is None:
        pytest.skip("pyside6-uic is not installed here")
    subprocess.run([uic, str(ui_dir() / name)], check=True, capture_output=True, timeout=60)


def _focus_chain(window: QWidget) -> Iterator[QWidget]:
    widget = window.nextInFocusChain()
    while widget is not window:
        yield widget
        widget = widget.nextInFocusChain()


def _tab_order(window: QWidget, widgets: list[QWidget]) -> list[QWidget]:
    """``widgets`` in the order Tab reaches them."""
    chain = list(_focus_chain(window))
    return sorted(widgets, key=chain.index)


def test_form_dialog_rows_come_before_the_buttons(qtbot: QtBot) -> None:
    dialog = FormDialog("Add a deadline")
    qtbot.addWidget(dialog)
    title = dialog.line("What is due")
    notes = dialog.text("Notes")
    dialog.finish()
    assert dialog.windowTitle() == "Add a deadline"
    assert dialog.form is child(dialog, QFormLayout, "formLayout")
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    order = [title, notes, ok, cancel]
    assert _tab_order(dialog, order)[:2] == [title, notes]


def test_settings_dialog_uses_its_form(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    dialog = SettingsDialog(make_env(services, tmp_path), "/data/claimdesk.sqlite")
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Settings"
    assert child(dialog, QLabel, "dataValue").text() == "/data/claimdesk.sqlite"
    assert child(dialog, QLabel, "userValue").text() == services.user_name
    assert dialog.lead_days is child(dialog, QLineEdit, "leadDaysEdit")
    assert child(dialog, QLabel, "leadDaysLabel").buddy() is dialog.lead_days
    dialog.lead_days.setText("10, 2")
    assert dialog.apply() is None and services.schedule.lead_days == (10, 2)


def test_wizard_pages_come_from_the_form(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    wizard = NewCaseWizard(make_env(services, tmp_path))
    qtbot.addWidget(wizard)
    pages = [wizard.page(i) for i in wizard.pageIds()]
    assert [p.objectName() for p in pages] == [
        "whoPage",
        "claimantPage",
        "denialPage",
        "insurerPage",
        "donePage",
    ]
    assert all(isinstance(p, QWizardPage) and p.title() for p in pages)
    assert wizard.claimant is child(wizard, QLineEdit, "claimantEdit")
    assert wizard.country is child(wizard, QComboBox, "countryCombo")
    assert wizard.country.isEditable() and wizard.country.count() > 1
    assert wizard.plan_type.count() > 1 and wizard.area.count() > 1
    assert child(wizard, QLabel, "reasonLabel").buddy() is wizard.reason
    assert wizard.reason.tabChangesFocus()
    assert wizard.letter_date.calendarPopup()
    first_page = [
        wizard.claimant,
        wizard.insurer,
        wizard.plan_type,
        wizard.claim_type,
        wizard.country,
        wizard.region,
        wizard.plan_name,
        wizard.claim_number,
        wizard.urgent,
    ]
    assert _tab_order(wizard, first_page) == first_page


def test_packet_dialog_uses_its_form(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    claim_id = open_case(services)
    dialog = PacketDialog(make_env(services, tmp_path), claim_id)
    qtbot.addWidget(dialog)
    case_number = services.claims.get(claim_id).case_number
    intro = child(dialog, QLabel, "introLabel").text()
    assert case_number in intro and "{" not in intro  # the placeholders were filled in
    assert dialog.letter is child(dialog, QComboBox, "letterCombo")
    assert dialog.split_mb is child(dialog, QSpinBox, "splitSize")
    assert dialog.zip is child(dialog, QRadioButton, "zipRadio")
    # The export button from the form is the button box's accept button.
    box = child(dialog, QDialogButtonBox, "buttonBox")
    assert dialog.export_button is child(dialog, QPushButton, "exportButton")
    assert box.buttonRole(dialog.export_button) == QDialogButtonBox.ButtonRole.AcceptRole
    # No letter yet: the note saying so is shown; the part size follows its radio button.
    dialog.show()
    assert child(dialog, QLabel, "noLetterNote").isVisible()
    assert not dialog.split_mb.isEnabled()
    dialog.split.setChecked(True)
    assert dialog.split_mb.isEnabled()


def test_letter_dialog_uses_its_form(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    claim_id = open_case(services)
    dialog = WriteLetterDialog(make_env(services, tmp_path), claim_id, kind="records_request")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.generate_button.isEnabled(), timeout=10_000)
    assert isinstance(dialog.view, LetterPreviewView)
    assert dialog.view is child(dialog, QObject, "previewView")
    assert dialog.kinds is child(dialog, QListWidget, "kindList")
    assert dialog.kinds.count() > 1 and dialog.kind() == "records_request"
    assert dialog.pdf.isChecked() and not dialog.docx.isChecked()
    box = child(dialog, QDialogButtonBox, "buttonBox")
    assert box.buttonRole(dialog.generate_button) == QDialogButtonBox.ButtonRole.AcceptRole
    assert child(dialog, QLabel, "kindLabel").buddy() is dialog.kinds
    order = [
        dialog.kinds,
        dialog.call,
        dialog.opinion,
        dialog.pdf,
        dialog.docx,
        dialog.view,
        dialog.generate_button,
    ]
    assert _tab_order(dialog, order) == order


def test_a_missing_widget_is_named_in_the_error(qtbot: QtBot) -> None:
    form = load_form("form_dialog.ui")
    qtbot.addWidget(form)
    with pytest.raises(LookupError, match="nowhere"):
        child(form, QLineEdit, "nowhere")

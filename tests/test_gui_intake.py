"""File ▸ New case from a denial letter (and a letter dropped on the Cases tab): the letter is
read off the GUI thread, the wizard opens filled in with each field marked and pictured, nothing
is saved before Finish; a document's fields compared with its case."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QDialog, QLabel
from pytestqt.qtbot import QtBot

from claimdesk.gui.letter_fields import ReadFieldsDialog
from claimdesk.gui.main_window import MainWindow
from claimdesk.gui.new_case_wizard import NewCaseWizard
from claimdesk.gui.panels.documents import DocumentsPanel
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.models.enums import DenialCategory, DocumentKind, PlanType
from claimdesk.ocr import engine as ocr_engine
from claimdesk.services import ClaimInput, Services
from tests.gui_support import follow_changes, make_env, refreshed
from tests.intake_letters import letter_by_key, letter_pdf, scan_pdf
from tests.test_gui import make_window

LETTER = letter_by_key("us_erisa_mri")


@pytest.fixture
def scan(tmp_path: Path) -> Path:
    path = tmp_path / "denial scan.pdf"
    path.write_bytes(scan_pdf(LETTER, 200))
    return path


def prompts(window: MainWindow) -> RecordingPrompts:
    assert isinstance(window.prompts, RecordingPrompts)
    return window.prompts


def errors(window: MainWindow) -> list[tuple[str, ...]]:
    return [shown for shown in prompts(window).shown if shown[0] == "error"]


def test_a_scanned_letter_fills_the_wizard_and_nothing_is_saved_before_finish(
    qtbot: QtBot, services: Services, tmp_path: Path, scan: Path
) -> None:
    window = make_window(qtbot, services, tmp_path)
    prompts(window).answers = [scan]
    seen: dict[str, object] = {}

    def look(dialog: QDialog) -> bool:
        assert isinstance(dialog, NewCaseWizard)
        seen["cases before finish"] = len(services.claims.list_claims())
        seen["claimant"] = dialog.claimant.text()
        seen["claim number"] = dialog.claim_number.text()
        seen["member id"] = dialog.member_id.text()
        seen["group"] = dialog.group_number.text()
        seen["reason"] = dialog.reason.toPlainText()
        seen["reviewer"] = dialog.reviewer.text()
        seen["plan"] = dialog.plan_type.currentData()
        seen["region"] = dialog.region.text()
        seen["marks"] = sorted(dialog.read_marks)
        seen["pictures"] = [
            label.pixmap().height()
            for mark in dialog.read_marks.values()
            for label in mark.findChildren(QLabel)
            if not label.pixmap().isNull()
        ]
        seen["notes"] = [
            label.text()
            for mark in dialog.read_marks.values()
            for label in mark.findChildren(QLabel)
            if label.text()
        ]
        dialog.accept()  # Finish
        return dialog.created is not None

    window.run_dialog = look
    window.action("actionNewCaseFromLetter").trigger()
    qtbot.waitUntil(lambda: "marks" in seen, timeout=60_000)

    assert seen["cases before finish"] == 0
    assert seen["claimant"] == "Maria Gonzalez"
    assert seen["claim number"] == "C2026-0418877"
    assert seen["member id"] == "NWH884512307"
    assert seen["group"] == "GRP-22871"
    assert "not medically necessary" in str(seen["reason"])
    assert seen["reviewer"] == "Alan Brooks, MD"
    assert seen["plan"] == PlanType.ERISA_GROUP_HEALTH
    assert seen["region"] == "CA"
    assert {"claim_number", "patient_name", "reason", "letter_date"} <= set(seen["marks"])  # type: ignore[call-overload]
    # Every field but the kind of denial (chosen from the reason's words) shows its line.
    assert "denial_category" in seen["marks"]  # type: ignore[operator]
    assert len(seen["pictures"]) == len(seen["marks"]) - 1  # type: ignore[arg-type]
    notes = seen["notes"]
    assert sum("Read from the letter, page 1" in note for note in notes) == len(notes) - 1  # type: ignore[attr-defined, arg-type]

    (case,) = services.claims.list_claims()
    detail = services.claims.get(case.id)
    assert detail.insurer_claim_number == "C2026-0418877"
    assert detail.denial_letter_date == LETTER.letter_date
    assert detail.denial_category == DenialCategory.MEDICAL_NECESSITY
    (document,) = services.documents.documents(case.id)
    assert document.kind == DocumentKind.DENIAL_LETTER
    assert document.original_name == "denial scan.pdf"
    # What was read is kept for search: the scan's words find the case at once.
    assert services.scans.unread(case.id) == []
    assert services.search.search("conservative therapy").cases
    # The case opens in its own tab.
    assert window.current_workspace() is not None


def test_cancelling_the_wizard_saves_nothing(
    qtbot: QtBot, services: Services, tmp_path: Path, scan: Path
) -> None:
    window = make_window(qtbot, services, tmp_path)
    prompts(window).answers = [scan]
    opened: list[bool] = []
    window.run_dialog = lambda dialog: opened.append(True) or False
    window.action("actionNewCaseFromLetter").trigger()
    qtbot.waitUntil(lambda: bool(opened), timeout=60_000)
    assert services.claims.list_claims() == []


def test_a_letter_dropped_on_the_cases_tab_starts_a_case(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "letter.pdf"
    path.write_bytes(letter_pdf(letter_by_key("uk_private_surgery")))
    window = make_window(qtbot, services, tmp_path)
    opened: list[NewCaseWizard] = []
    window.run_dialog = lambda dialog: opened.append(dialog) or False  # type: ignore[arg-type, func-returns-value]
    page = window.cases_page
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(
        QPointF(QPoint(10, 10)),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    page.dropEvent(drop)
    qtbot.waitUntil(lambda: bool(opened), timeout=30_000)
    assert opened[0].claimant.text() == "Oliver Bennett"
    assert opened[0].country.currentData() == "GB"


def test_a_file_that_is_not_a_letter_is_refused_in_a_sentence(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "notes.pdf"
    path.write_bytes(b"just some text, not a PDF")
    window = make_window(qtbot, services, tmp_path)
    prompts(window).answers = [path]
    window.run_dialog = lambda dialog: pytest.fail("no wizard for a file that cannot be read")
    window.action("actionNewCaseFromLetter").trigger()
    qtbot.waitUntil(lambda: bool(errors(window)), timeout=30_000)
    _, title, message = errors(window)[-1]
    assert title == "Cannot read notes.pdf"
    assert "not a PDF or a picture" in message


def test_without_an_engine_the_window_says_how_to_add_one(
    qtbot: QtBot,
    services: Services,
    tmp_path: Path,
    scan: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ocr_engine, "DISABLED", True)
    window = make_window(qtbot, services, tmp_path)
    prompts(window).answers = [scan]
    window.action("actionNewCaseFromLetter").trigger()
    qtbot.waitUntil(lambda: bool(errors(window)), timeout=30_000)
    _, _, message = errors(window)[-1]
    assert "No OCR engine is installed" in message
    assert services.claims.list_claims() == []


def test_read_fields_from_a_document_shows_what_differs_and_takes_the_ticked(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    claim_id = services.claims.open_case(
        ClaimInput(
            claimant_name="Maria Gonzalez",
            plan_type="erisa_group_health",
            claim_type="health",
            country="US",
            region="CA",
            insurer_name="Northwind Health Plan",
            insurer_claim_number="C2026-0418877",
        )
    ).id
    services.documents.attach(claim_id, "letter.pdf", letter_pdf(LETTER))
    env = make_env(services, tmp_path)
    panel = DocumentsPanel(env, claim_id)
    follow_changes(panel)
    qtbot.addWidget(panel)
    refreshed(panel)
    panel.show()
    panel.table.selectRow(0)
    shown: list[ReadFieldsDialog] = []

    def take_member_id(dialog: QDialog) -> bool:
        assert isinstance(dialog, ReadFieldsDialog)
        shown.append(dialog)
        for difference, box in zip(dialog.differences, dialog.boxes, strict=True):
            box.setChecked(difference.label == "Member ID")
        return True

    panel.run_dialog = take_member_id
    panel.read_button.click()
    qtbot.waitUntil(lambda: bool(shown), timeout=30_000)
    labels = {d.label for d in shown[0].differences}
    # What the case already holds the same is not offered; what it lacks is.
    assert "Insurer's claim number" not in labels and "Claimant" not in labels
    assert {"Member ID", "Group number", "Reason, word for word"} <= labels
    qtbot.waitUntil(lambda: services.claims.get(claim_id).member_id == "NWH884512307")
    assert services.claims.get(claim_id).group_number == ""  # not ticked: left alone
    env.tasks.wait(5000)


def test_a_scan_attached_is_read_for_search_in_the_background(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    from claimdesk.gui.scan_reader import ScanReader

    claim_id = services.claims.open_case(
        ClaimInput(
            claimant_name="Oliver Bennett",
            plan_type="uk_private",
            claim_type="health",
            country="GB",
            insurer_name="Bluewater Health Insurance Ltd",
        )
    ).id
    document = services.documents.attach(
        claim_id, "scan.pdf", scan_pdf(letter_by_key("uk_private_surgery"), 200)
    )
    env = make_env(services, tmp_path)
    panel = DocumentsPanel(env, claim_id)
    qtbot.addWidget(panel)
    refreshed(panel)
    statuses: list[str] = []
    reader = ScanReader.of(env)
    assert ScanReader.of(env) is reader  # one per window
    reader.status.connect(statuses.append)
    idle: list[bool] = []
    reader.on_idle = lambda: idle.append(True)
    panel.read_scans()
    qtbot.waitUntil(lambda: bool(idle), timeout=60_000)
    assert document.id not in services.scans.unread(claim_id)
    assert any("Reading document 1 of 1: page 1 of 1" in s for s in statuses)
    assert statuses[-1] == "" and panel.reading == ""
    assert services.search.search("arthroscopy").cases


def test_without_an_engine_the_background_reading_says_so_once(
    qtbot: QtBot, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimdesk.gui.scan_reader import ScanReader

    monkeypatch.setattr(ocr_engine, "DISABLED", True)
    claim_id = services.claims.open_case(
        ClaimInput(
            claimant_name="Oliver Bennett",
            plan_type="uk_private",
            claim_type="health",
            country="GB",
            insurer_name="Bluewater Health Insurance Ltd",
        )
    ).id
    services.documents.attach(claim_id, "scan.pdf", scan_pdf(LETTER, 200))
    env = make_env(services, tmp_path)
    panel = DocumentsPanel(env, claim_id)
    qtbot.addWidget(panel)
    refreshed(panel)
    reader = ScanReader.of(env)
    idle: list[bool] = []
    reader.on_idle = lambda: idle.append(True)
    panel.read_scans()
    qtbot.waitUntil(lambda: bool(idle), timeout=30_000)
    assert "Scans are not searchable: No OCR engine is installed" in panel.summary.text()
    panel.read_scans()  # not tried again in this session
    assert reader.control is None


def test_the_welcome_offers_to_start_from_the_letter(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = make_window(qtbot, services, tmp_path)
    welcome = window.today_page.welcome
    qtbot.waitUntil(welcome.isVisible)
    prompts(window).answers = [None]  # the file picker, cancelled
    welcome.from_letter.click()
    assert prompts(window).shown[-1][0] == "open"
    assert services.claims.list_claims() == []


def test_stop_while_reading_opens_nothing_and_says_nothing(
    qtbot: QtBot, services: Services, tmp_path: Path, scan: Path
) -> None:
    window = make_window(qtbot, services, tmp_path)
    prompts(window).answers = [scan]
    window.run_dialog = lambda dialog: pytest.fail("Stop was pressed: no wizard")
    intake = window.letter_intake
    window.action("actionNewCaseFromLetter").trigger()
    assert intake.progress is not None
    intake.progress.canceled.emit()  # what its Cancel (Stop) button sends
    assert window.env.tasks.wait(60_000)
    qtbot.wait(200)  # the end of the reading is delivered, and ignored
    assert intake.stopped and intake.wizard is None
    assert errors(window) == []
    assert services.claims.list_claims() == []

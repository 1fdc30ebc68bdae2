"""The requests panel: asking, chasing, receiving with the document attached, withdrawing."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox, QDateEdit, QDialog, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from claimdesk.gui import theme
from claimdesk.gui.panels.requests import DUE, RECEIVED, STATUS, WHAT, RequestModel, RequestsPanel
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.models.enums import ContactMethod, DocumentKind, RequestKind
from claimdesk.services import ClaimInput, Services
from tests.gui_support import (
    field,
    filler,
    follow_changes,
    make_env,
    qdate,
    refreshed,
    threads_calling,
)
from tests.pinned import TODAY


def messages(panel: RequestsPanel) -> list[tuple[str, str, str]]:
    """What the panel told or asked the user, leaving out the file dialogs it opened."""
    prompts = panel.env.prompts
    assert isinstance(prompts, RecordingPrompts)
    return [shown for shown in prompts.shown if shown[0] != "open"]


def open_case(services: Services) -> int:
    return services.claims.open_case(
        ClaimInput(
            claimant_name="Maria Lopez",
            plan_type="erisa_group_health",
            claim_type="health",
            country="US",
            region="CA",
            insurer_name="Acme Health Plan",
            denial_received_date=TODAY - timedelta(days=60),
            denial_category="medical_necessity",
        )
    ).id


@pytest.fixture
def panel(qtbot: QtBot, services: Services, tmp_path: Path) -> Iterator[RequestsPanel]:
    claim_id = open_case(services)
    env = make_env(services, tmp_path)
    widget = RequestsPanel(env, claim_id)
    follow_changes(widget)
    qtbot.addWidget(widget)
    refreshed(widget)
    widget.show()
    yield widget
    env.tasks.wait(5000)


def ask(services: Services, claim_id: int, days_ago: int = 10, **extra: object) -> int:
    return services.requests.request_document(
        claim_id,
        extra.pop("kind", "claim_file"),  # type: ignore[arg-type]
        sent_on=TODAY - timedelta(days=days_ago),
        method="fax",
        **extra,  # type: ignore[arg-type]
    ).id


def test_new_request_defaults_to_thirty_days(panel: RequestsPanel) -> None:
    def fill(dialog: QDialog) -> None:
        kind = field(dialog, QComboBox, "What was requested")
        assert isinstance(kind, QComboBox)
        kind.setCurrentIndex(kind.findData(RequestKind.MEDICAL_REVIEWER_REPORT))
        method = field(dialog, QComboBox, "How it was sent")
        assert isinstance(method, QComboBox)
        method.setCurrentIndex(method.findData(ContactMethod.CERTIFIED_MAIL))
        field(dialog, QLineEdit, "Sent to").setText("Appeals Unit")  # type: ignore[attr-defined]
        field(dialog, QLineEdit, "Reference").setText("CM-1")  # type: ignore[attr-defined]
        sent = field(dialog, QDateEdit, "Date sent")
        assert isinstance(sent, QDateEdit) and sent.date() == qdate(TODAY)
        sent.setDate(qdate(TODAY - timedelta(days=5)))
        due = field(dialog, QDateEdit, "Due by")
        assert isinstance(due, QDateEdit) and due.date() == qdate(TODAY + timedelta(days=25))

    panel.run_dialog = filler(fill)
    panel.new_button.click()
    assert messages(panel) == []
    [request] = panel.services.requests.requests(panel.claim_id)
    assert request.kind == RequestKind.MEDICAL_REVIEWER_REPORT
    assert request.method == ContactMethod.CERTIFIED_MAIL
    assert request.recipient_name == "Appeals Unit" and request.reference == "CM-1"
    assert request.sent_on == TODAY - timedelta(days=5)
    assert request.due_on == TODAY + timedelta(days=25)
    assert panel.model.index(0, STATUS).data() == "requested"
    assert panel.model.index(0, WHAT).data() == "Medical reviewer's report"


def test_overdue_request_shows_red_and_a_second_request_moves_it(panel: RequestsPanel) -> None:
    ask(panel.services, panel.claim_id, days_ago=40)
    refreshed(panel)
    model = panel.model
    assert model.index(0, STATUS).data() == "overdue"
    colour = model.data(model.index(0, STATUS), Qt.ItemDataRole.ForegroundRole).color()
    assert colour.name() == theme.DANGER.hex()
    assert "1 overdue" in panel.summary.text()

    panel.table.selectRow(0)
    later = TODAY + timedelta(days=14)

    def fill(dialog: QDialog) -> None:
        due = field(dialog, QDateEdit, "New due date")
        assert isinstance(due, QDateEdit)
        due.setDate(qdate(later))

    panel.run_dialog = filler(fill)
    panel.follow_button.click()
    [request] = panel.services.requests.requests(panel.claim_id)
    assert request.current_due_on == later and len(request.follow_ups) == 1
    assert model.index(0, STATUS).data() == "requested"
    assert model.index(0, DUE).data().startswith(later.strftime("%a %d %b %Y"))


def test_mark_received_with_the_document_attached(
    qtbot: QtBot, panel: RequestsPanel, tmp_path: Path
) -> None:
    ask(panel.services, panel.claim_id, kind="medical_reviewer_report")
    refreshed(panel)
    panel.table.selectRow(0)
    report = tmp_path / "reviewer report.pdf"
    report.write_bytes(b"%PDF-1.4\n% reviewer\n%%EOF")
    prompts = panel.env.prompts
    assert isinstance(prompts, RecordingPrompts)
    prompts.answers.append(report)
    arrived = TODAY - timedelta(days=1)

    def fill(dialog: QDialog) -> None:
        field(dialog, QDateEdit, "Date received").setDate(qdate(arrived))  # type: ignore[attr-defined]
        field(dialog, QPushButton, "Choose the document that came").click()  # type: ignore[attr-defined]
        name = field(dialog, QLineEdit, "Document that came")
        assert isinstance(name, QLineEdit) and name.text() == "reviewer report.pdf"

    panel.run_dialog = filler(fill)
    panel.received_button.click()
    qtbot.waitUntil(lambda: panel.model.index(0, STATUS).data() == "received")
    assert messages(panel) == []
    [request] = panel.services.requests.requests(panel.claim_id)
    [document] = panel.services.documents.documents(panel.claim_id)
    assert request.received_on == arrived and request.document_id == document.id
    assert document.original_name == "reviewer report.pdf"
    assert document.kind == DocumentKind.REVIEWER_REPORT
    assert panel.model.index(0, STATUS).data() == "received"
    assert "reviewer report" in panel.model.index(0, RECEIVED).data()
    assert not panel.received_button.isEnabled()


def test_mark_received_without_a_file(qtbot: QtBot, panel: RequestsPanel) -> None:
    ask(panel.services, panel.claim_id)
    refreshed(panel)
    panel.table.selectRow(0)
    panel.run_dialog = lambda dialog: True
    panel.received_button.click()
    qtbot.waitUntil(lambda: panel.model.index(0, STATUS).data() == "received")
    [request] = panel.services.requests.requests(panel.claim_id)
    assert request.received_on == TODAY and request.document_id is None
    assert panel.services.documents.documents(panel.claim_id) == []


def answers(*fills: Callable[[QDialog], None] | None) -> Callable[[QDialog], bool]:
    """A run_dialog stand-in for a dialog shown several times: fill and press OK, in turn; a
    None (or running out) presses Cancel."""
    queue = list(fills)

    def run(dialog: QDialog) -> bool:
        fill = queue.pop(0) if queue else None
        if fill is None:
            return False
        fill(dialog)
        return True

    return run


def received_date(dialog: QDialog) -> QDateEdit:
    edit = field(dialog, QDateEdit, "Date received")
    assert isinstance(edit, QDateEdit)
    return edit


def test_an_impossible_date_is_explained(qtbot: QtBot, panel: RequestsPanel) -> None:
    ask(panel.services, panel.claim_id, days_ago=3)
    refreshed(panel)
    panel.table.selectRow(0)
    panel.run_dialog = answers(
        lambda d: received_date(d).setDate(qdate(TODAY - timedelta(days=10)))
    )
    panel.received_button.click()
    qtbot.waitUntil(lambda: bool(messages(panel)))
    shown = messages(panel)
    assert shown[0][0] == "error" and "before the request was sent" in shown[0][2]
    assert "enter the date it came" in shown[0][2]
    assert panel.services.requests.requests(panel.claim_id)[0].received_on is None


def awaiting_ime_report(panel: RequestsPanel, tmp_path: Path) -> None:
    """An IME report asked for three days ago and selected; the file that came is chosen."""
    ask(panel.services, panel.claim_id, days_ago=3, kind="ime_report")
    refreshed(panel)
    panel.table.selectRow(0)
    report = tmp_path / "ime.pdf"
    report.write_bytes(b"%PDF-1.4\n% IME report\n%%EOF")
    prompts = panel.env.prompts
    assert isinstance(prompts, RecordingPrompts)
    prompts.answers.append(report)


def test_a_refused_date_keeps_no_document_and_the_dialog_comes_back(
    qtbot: QtBot, panel: RequestsPanel, tmp_path: Path
) -> None:
    awaiting_ime_report(panel, tmp_path)
    too_early = TODAY - timedelta(days=10)
    seen: list[tuple[QDate, str, list[tuple[str, str, str]]]] = []

    def first(dialog: QDialog) -> None:
        received_date(dialog).setDate(qdate(too_early))
        field(dialog, QPushButton, "Choose the document that came").click()  # type: ignore[attr-defined]

    def second(dialog: QDialog) -> None:
        # The dialog comes back with what was entered, and nothing was kept meanwhile.
        name = field(dialog, QLineEdit, "Document that came")
        told = list(messages(panel))
        seen.append((received_date(dialog).date(), name.text(), told))  # type: ignore[attr-defined]
        assert panel.services.documents.documents(panel.claim_id) == []
        assert panel.services.requests.requests(panel.claim_id)[0].received_on is None

    panel.run_dialog = answers(first, second)
    panel.received_button.click()
    qtbot.waitUntil(lambda: bool(seen))
    [(day, file_name, [(level, title, message)])] = seen
    assert (day, file_name) == (qdate(too_early), "ime.pdf")
    assert (level, title) == ("error", "Cannot mark the request received")
    assert "before the request was sent" in message
    # The second showing was accepted unchanged: refused again, then cancelled.
    qtbot.waitUntil(lambda: len(messages(panel)) == 2)
    panel.env.tasks.wait(5000)
    assert panel.services.documents.documents(panel.claim_id) == []
    [request] = panel.services.requests.requests(panel.claim_id)
    assert request.received_on is None and request.document_id is None
    assert panel.model.index(0, STATUS).data() == "requested"
    assert panel.received_button.isEnabled()


def test_a_corrected_date_keeps_the_document_and_the_receipt(
    qtbot: QtBot, panel: RequestsPanel, tmp_path: Path
) -> None:
    awaiting_ime_report(panel, tmp_path)
    arrived = TODAY - timedelta(days=1)

    def first(dialog: QDialog) -> None:
        received_date(dialog).setDate(qdate(TODAY + timedelta(days=5)))  # refused: future
        field(dialog, QPushButton, "Choose the document that came").click()  # type: ignore[attr-defined]

    panel.run_dialog = answers(first, lambda d: received_date(d).setDate(qdate(arrived)))
    panel.received_button.click()
    qtbot.waitUntil(lambda: panel.model.index(0, STATUS).data() == "received")
    [(level, _, message)] = messages(panel)
    assert level == "error" and "in the future; check the date" in message
    [document] = panel.services.documents.documents(panel.claim_id)
    [request] = panel.services.requests.requests(panel.claim_id)
    assert request.received_on == arrived and request.document_id == document.id
    assert document.kind == DocumentKind.IME_REPORT and document.document_date == arrived
    assert "ime" in panel.model.index(0, RECEIVED).data()


def test_mark_received_saves_off_the_gui_thread(
    qtbot: QtBot, panel: RequestsPanel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ask(panel.services, panel.claim_id)
    refreshed(panel)
    panel.table.selectRow(0)
    report = tmp_path / "claim file.pdf"
    report.write_bytes(b"%PDF-1.4\n% claim file\n%%EOF")
    prompts = panel.env.prompts
    assert isinstance(prompts, RecordingPrompts)
    prompts.answers.append(report)
    requests = panel.services.requests
    saved_on = threads_calling(monkeypatch, requests, "mark_received")
    panel.run_dialog = answers(
        lambda d: field(d, QPushButton, "Choose the document that came").click()  # type: ignore[attr-defined]
    )
    panel.received_button.click()
    assert not panel.received_button.isEnabled()  # no second receipt while this one is saved
    qtbot.waitUntil(lambda: panel.model.index(0, STATUS).data() == "received")
    assert saved_on and saved_on[0] is not threading.main_thread()
    [document] = panel.services.documents.documents(panel.claim_id)
    assert requests.get(panel.model.rows[0].id).document_id == document.id


def test_withdraw_greys_the_request(panel: RequestsPanel) -> None:
    ask(panel.services, panel.claim_id)
    refreshed(panel)
    panel.table.selectRow(0)
    panel.withdraw_button.click()
    model = panel.model
    assert model.index(0, STATUS).data() == "withdrawn"
    colour = model.data(model.index(0, WHAT), Qt.ItemDataRole.ForegroundRole).color()
    assert colour.name() == theme.MUTED.hex()
    assert not panel.withdraw_button.isEnabled()


def test_request_model_is_a_well_behaved_model(qtmodeltester, services: Services) -> None:  # type: ignore[no-untyped-def]
    claim_id = open_case(services)
    ask(services, claim_id, days_ago=40)
    second = ask(services, claim_id, kind="plan_documents")
    services.requests.follow_up(second, sent_on=TODAY, method="letter")
    model = RequestModel(services.clock)
    model.set_rows(services.requests.requests(claim_id))
    assert model.rowCount() == 2
    qtmodeltester.check(model)

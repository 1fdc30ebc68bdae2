"""The requests panel: asking, chasing, receiving with the document attached, withdrawing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDateEdit, QDialog, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from claimdesk.gui import theme
from claimdesk.gui.panels.requests import DUE, RECEIVED, STATUS, WHAT, RequestModel, RequestsPanel
from claimdesk.models.enums import ContactMethod, DocumentKind, RequestKind
from claimdesk.services import ClaimInput, Services
from tests.gui_support import field, filler, follow_changes, make_env, qdate

TODAY = date.today()


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
def panel(qtbot: QtBot, services: Services, tmp_path: Path) -> RequestsPanel:
    claim_id = open_case(services)
    env = make_env(services, tmp_path)
    widget = RequestsPanel(env, claim_id)
    follow_changes(widget)
    qtbot.addWidget(widget)
    widget.refresh()
    widget.show()
    return widget


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
    assert panel.env.prompts.shown == []  # type: ignore[attr-defined]
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
    panel.refresh()
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
    assert model.index(0, DUE).data().startswith(later.strftime("%d %b %Y"))


def test_mark_received_with_the_document_attached(panel: RequestsPanel, tmp_path: Path) -> None:
    ask(panel.services, panel.claim_id, kind="medical_reviewer_report")
    panel.refresh()
    panel.table.selectRow(0)
    report = tmp_path / "reviewer report.pdf"
    report.write_bytes(b"%PDF-1.4\n% reviewer\n%%EOF")
    panel.choose_file = lambda: report
    arrived = TODAY - timedelta(days=1)

    def fill(dialog: QDialog) -> None:
        field(dialog, QDateEdit, "Date received").setDate(qdate(arrived))  # type: ignore[attr-defined]
        field(dialog, QPushButton, "Choose the document that came").click()  # type: ignore[attr-defined]
        name = field(dialog, QLineEdit, "Document that came")
        assert isinstance(name, QLineEdit) and name.text() == "reviewer report.pdf"

    panel.run_dialog = filler(fill)
    panel.received_button.click()
    assert panel.env.prompts.shown == []  # type: ignore[attr-defined]
    [request] = panel.services.requests.requests(panel.claim_id)
    [document] = panel.services.documents.documents(panel.claim_id)
    assert request.received_on == arrived and request.document_id == document.id
    assert document.original_name == "reviewer report.pdf"
    assert document.kind == DocumentKind.REVIEWER_REPORT
    assert panel.model.index(0, STATUS).data() == "received"
    assert "reviewer report" in panel.model.index(0, RECEIVED).data()
    assert not panel.received_button.isEnabled()


def test_mark_received_without_a_file(panel: RequestsPanel) -> None:
    ask(panel.services, panel.claim_id)
    panel.refresh()
    panel.table.selectRow(0)
    panel.run_dialog = lambda dialog: True
    panel.received_button.click()
    [request] = panel.services.requests.requests(panel.claim_id)
    assert request.received_on == TODAY and request.document_id is None
    assert panel.services.documents.documents(panel.claim_id) == []


def test_an_impossible_date_is_explained(panel: RequestsPanel) -> None:
    ask(panel.services, panel.claim_id, days_ago=3)
    panel.refresh()
    panel.table.selectRow(0)
    panel.run_dialog = filler(
        lambda d: field(d, QDateEdit, "Date received").setDate(  # type: ignore[attr-defined]
            qdate(TODAY - timedelta(days=10))
        )
    )
    panel.received_button.click()
    shown = panel.env.prompts.shown  # type: ignore[attr-defined]
    assert shown and shown[0][0] == "error" and "before the request was sent" in shown[0][2]
    assert panel.services.requests.requests(panel.claim_id)[0].received_on is None


def test_withdraw_greys_the_request(panel: RequestsPanel) -> None:
    ask(panel.services, panel.claim_id)
    panel.refresh()
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
    model = RequestModel()
    model.set_rows(services.requests.requests(claim_id))
    assert model.rowCount() == 2
    qtmodeltester.check(model)

"""The IME and appeals panel: review levels, decisions, IMEs and clock events."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QDialog, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from claimdesk.gui.dialogs import OptionalDate
from claimdesk.gui.panels.appeals import (
    OUTCOME,
    AppealModel,
    AppealsPanel,
    EventModel,
    ImeModel,
)
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.models.enums import AppealLevel, ContactMethod, EventKind, Outcome
from claimdesk.services import ClaimInput, Services
from tests.gui_support import field, filler, follow_changes, make_env, qdate, refreshed
from tests.pinned import TODAY


@pytest.fixture
def panel(qtbot: QtBot, services: Services, tmp_path: Path) -> AppealsPanel:
    claim_id = services.claims.open_case(
        ClaimInput(
            claimant_name="Maria Lopez",
            plan_type="erisa_group_health",
            claim_type="health",
            country="US",
            region="CA",
            insurer_name="Acme Health Plan",
            denial_received_date=TODAY - timedelta(days=40),
            denial_category="medical_necessity",
        )
    ).id
    env = make_env(services, tmp_path)
    widget = AppealsPanel(env, claim_id)
    follow_changes(widget)
    qtbot.addWidget(widget)
    refreshed(widget)
    widget.show()
    return widget


def choose(combo: QWidget, value: object) -> None:
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData(value))


def errors(panel: AppealsPanel) -> list[tuple[str, str, str]]:
    assert isinstance(panel.env.prompts, RecordingPrompts)
    return [s for s in panel.env.prompts.shown if s[0] == "error"]


def file_appeal(panel: AppealsPanel, filed: date) -> None:
    def fill(dialog: QDialog) -> None:
        choose(field(dialog, QComboBox, "Level"), AppealLevel.INTERNAL_1)
        field(dialog, QLineEdit, "Reviewing body").setText("Acme appeals unit")
        field(dialog, QDateEdit, "Filed on").setDate(qdate(filed))
        choose(field(dialog, QComboBox, "How it was filed"), ContactMethod.FAX)
        field(dialog, QLineEdit, "Reference").setText("APL-77")
        field(dialog, QCheckBox, "Expedited (urgent)").setChecked(True)

    panel.run_dialog = filler(fill)
    panel.record_button.click()


def test_recording_an_appeal_and_its_decision(panel: AppealsPanel) -> None:
    file_appeal(panel, TODAY - timedelta(days=20))
    [appeal] = panel.services.appeals.appeals(panel.claim_id)
    assert appeal.level == AppealLevel.INTERNAL_1 and appeal.reference == "APL-77"
    assert appeal.filed_on == TODAY - timedelta(days=20)
    assert appeal.filed_method == ContactMethod.FAX and appeal.expedited
    assert appeal.received_on is None
    assert panel.appeals.index(0, 0).data() == AppealLevel.INTERNAL_1.label
    assert not panel.decision_button.isEnabled()  # nothing selected yet

    panel.appeals_view.selectRow(0)
    assert panel.decision_button.isEnabled()

    def decide(dialog: QDialog) -> None:
        field(dialog, QDateEdit, "Decided on").setDate(qdate(TODAY - timedelta(days=2)))
        choose(field(dialog, QComboBox, "Outcome"), Outcome.OVERTURNED)
        dialog.findChildren(OptionalDate)[0].set_value(TODAY - timedelta(days=1))

    panel.run_dialog = filler(decide)
    panel.decision_button.click()
    [appeal] = panel.services.appeals.appeals(panel.claim_id)
    assert appeal.outcome == Outcome.OVERTURNED
    assert appeal.decided_on == TODAY - timedelta(days=2)
    assert appeal.decision_received_on == TODAY - timedelta(days=1)
    assert panel.appeals.index(0, OUTCOME).data() == Outcome.OVERTURNED.label
    assert errors(panel) == []


def test_decided_before_filed_is_explained_and_not_saved(panel: AppealsPanel) -> None:
    file_appeal(panel, TODAY - timedelta(days=10))
    panel.appeals_view.selectRow(0)
    panel.run_dialog = filler(
        lambda d: field(d, QDateEdit, "Decided on").setDate(qdate(TODAY - timedelta(days=30)))
    )
    panel.decision_button.click()
    [error] = errors(panel)
    assert error[1] == "Cannot record the decision"
    assert "decided before it was filed" in error[2]
    [appeal] = panel.services.appeals.appeals(panel.claim_id)
    assert appeal.decided_on is None and appeal.outcome == Outcome.PENDING


def test_received_before_filed_saves_nothing(panel: AppealsPanel) -> None:
    def fill(dialog: QDialog) -> None:
        field(dialog, QDateEdit, "Filed on").setDate(qdate(TODAY - timedelta(days=5)))
        dialog.findChildren(OptionalDate)[0].set_value(TODAY - timedelta(days=9))

    panel.run_dialog = filler(fill)
    panel.record_button.click()
    assert "received before it was filed" in errors(panel)[0][2]
    assert panel.services.appeals.appeals(panel.claim_id) == []


def test_cancelling_the_dialog_saves_nothing(panel: AppealsPanel) -> None:
    panel.run_dialog = lambda dialog: False
    panel.record_button.click()
    panel.ime_button.click()
    panel.event_button.click()
    assert panel.services.appeals.appeals(panel.claim_id) == []
    assert panel.services.imes.imes(panel.claim_id) == []


def test_recording_an_ime(panel: AppealsPanel) -> None:
    def fill(dialog: QDialog) -> None:
        field(dialog, QDateEdit, "Examination date").setDate(qdate(TODAY - timedelta(days=30)))
        field(dialog, QLineEdit, "Examiner").setText("Dr. X")
        field(dialog, QLineEdit, "Examiner's specialty").setText("Orthopedics")
        field(dialog, QLineEdit, "Paid by").setText("Acme Health Plan")
        field(dialog, QCheckBox, "A representative attended with the claimant").setChecked(True)
        field(dialog, QLineEdit, "Representative").setText("Bea Advocate")
        dialog.findChildren(OptionalDate)[0].set_value(TODAY - timedelta(days=25))

    panel.run_dialog = filler(fill)
    panel.ime_button.click()
    [ime] = panel.services.imes.imes(panel.claim_id)
    assert ime.examiner_name == "Dr. X" and ime.representative_name == "Bea Advocate"
    assert ime.report_requested_on == TODAY - timedelta(days=25)
    assert ime.report_received_on is None
    assert panel.imes.index(0, 6).data() == "Not yet"  # requested, never received
    assert panel.imes.index(0, 4).data() == "Bea Advocate"


def test_adding_a_clock_event_tied_to_a_review_level(panel: AppealsPanel) -> None:
    file_appeal(panel, TODAY - timedelta(days=20))
    panel.appeals_view.selectRow(0)

    def fill(dialog: QDialog) -> None:
        choose(field(dialog, QComboBox, "Event"), EventKind.CLOCK_STOPPED)
        field(dialog, QDateEdit, "Date").setDate(qdate(TODAY - timedelta(days=4)))

    panel.run_dialog = filler(fill)
    panel.event_button.click()
    [event] = panel.services.appeals.events(panel.claim_id)
    assert event.kind == EventKind.CLOCK_STOPPED
    assert event.appeal_id == panel.appeals.rows[0].id  # the selected level is the default
    assert panel.events.index(0, 1).data() == EventKind.CLOCK_STOPPED.label


def test_an_event_in_the_future_is_refused(panel: AppealsPanel) -> None:
    panel.run_dialog = filler(
        lambda d: field(d, QDateEdit, "Date").setDate(qdate(TODAY + timedelta(days=3)))
    )
    panel.event_button.click()
    assert errors(panel) and panel.services.appeals.events(panel.claim_id) == []


def test_models_pass_the_model_tester(qtmodeltester, panel: AppealsPanel) -> None:  # type: ignore[no-untyped-def]
    services = panel.services
    appeal = services.appeals.record(panel.claim_id, "internal_1", filed_on=TODAY)
    services.imes.record(panel.claim_id, exam_date=TODAY, examiner_name="Dr. X")
    services.appeals.add_event(panel.claim_id, "extension_notice", TODAY, appeal_id=appeal.id)
    assert panel.appeals.rowCount() == panel.imes.rowCount() == panel.events.rowCount() == 1
    for model in (panel.appeals, panel.imes, panel.events, AppealModel(), ImeModel(), EventModel()):
        qtmodeltester.check(model)

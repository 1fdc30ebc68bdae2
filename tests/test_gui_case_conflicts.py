"""Edit case details while another workstation saves the same case: the window refuses the
second save with who and when, keeps the typing, and saves over theirs only after a reload."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox, QDialog, QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from claimdesk.gui.case_details_dialog import CaseDetailsDialog
from claimdesk.gui.panels.overview import OverviewPanel
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.models.enums import Stage
from claimdesk.services import Services
from tests.gui_support import open_case, settled
from tests.pinned import pinned_clock
from tests.signin import as_user
from tests.test_gui_overview import make_panel


@pytest.fixture
def panel(qtbot: QtBot, services: Services, tmp_path: Path) -> OverviewPanel:
    """The Overview of a case, answering its questions through recording prompts."""
    return make_panel(qtbot, services, tmp_path)


def _prompts(panel: OverviewPanel) -> RecordingPrompts:
    prompts = panel.env.prompts
    assert isinstance(prompts, RecordingPrompts)
    return prompts


def _bob_saves(services: Services, claim_id: int) -> None:
    """Another caseworker, at another workstation, saves the case 20 minutes later."""
    clock = pinned_clock()
    clock.advance(timedelta(minutes=20))
    bob = as_user(services.db, "Bob Smith", clock=clock)
    form = bob.claims.get(claim_id)
    bob.claims.update_case(
        claim_id, form.version, claimant_phone="555-0100", denial_reason="Bob's reading"
    )


def _type_then_save(
    panel: OverviewPanel, services: Services, *, reload: bool
) -> tuple[CaseDetailsDialog, RecordingPrompts]:
    """Open Edit case details, type two fields, let Bob save meanwhile, press Save once and
    answer the conflict with "Reload the case" (``reload``) or "Keep editing"."""
    prompts = _prompts(panel)
    prompts.answers.append(reload)
    claim_id = panel.claim_id
    seen: list[CaseDetailsDialog] = []

    def run(dialog: QDialog) -> bool:
        assert isinstance(dialog, CaseDetailsDialog)
        seen.append(dialog)
        dialog.texts["denial_reason"].setPlainText("Ana's reading")
        dialog.lines["member_id"].setText("M-42")
        _bob_saves(services, claim_id)
        dialog.accept()
        return dialog.result() == QDialog.DialogCode.Accepted

    panel.run_dialog = run  # type: ignore[method-assign]
    panel.edit_button.click()
    return seen[0], prompts


def test_a_refused_save_keeps_the_typing_and_says_who_and_when(
    panel: OverviewPanel, services: Services
) -> None:
    dialog, prompts = _type_then_save(panel, services, reload=False)

    assert dialog.result() != QDialog.DialogCode.Accepted  # still open
    kind, title, message = prompts.shown[-1]
    assert (kind, title) == ("choose", "Someone else changed this case")
    assert "Bob Smith" in message and "Wed 4 Nov 2026 at 10:20" in message
    assert dialog.texts["denial_reason"].toPlainText() == "Ana's reading"
    assert dialog.lines["member_id"].text() == "M-42"
    kept = services.claims.get(panel.claim_id)
    assert (kept.denial_reason, kept.member_id, kept.claimant_phone) == (
        "Bob's reading",
        "",
        "555-0100",
    )
    # Pressing Save again without reloading is refused again: no silent overwrite.
    prompts.answers.append(False)
    dialog.accept()
    assert services.claims.get(panel.claim_id).denial_reason == "Bob's reading"


def test_after_a_reload_their_changes_show_and_the_typing_saves_over_theirs(
    panel: OverviewPanel, services: Services
) -> None:
    dialog, prompts = _type_then_save(panel, services, reload=True)

    assert dialog.lines["claimant_phone"].text() == "555-0100"  # theirs, shown
    assert dialog.texts["denial_reason"].toPlainText() == "Ana's reading"  # mine, kept
    assert dialog.lines["member_id"].text() == "M-42"
    kind, title, message = prompts.shown[-1]
    assert (kind, title) == ("info", "The case was reloaded")
    assert "now in the form: “Phone”." in message
    assert "both changed “Reason, as written”" in message and "over theirs" in message

    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = services.claims.get(panel.claim_id)
    assert (saved.denial_reason, saved.member_id, saved.claimant_phone, saved.version) == (
        "Ana's reading",
        "M-42",
        "555-0100",
        3,
    )


def test_a_stage_picked_on_a_case_changed_meanwhile_is_refused_and_shown_afresh(
    panel: OverviewPanel, services: Services
) -> None:
    prompts = _prompts(panel)
    _bob_saves(services, panel.claim_id)
    stage: QComboBox = panel.stage

    def pick(value: Stage) -> None:
        stage.setCurrentIndex(stage.findData(value))
        stage.activated.emit(stage.currentIndex())  # as a click on the list does

    pick(Stage.INTERNAL_APPEAL)
    assert any("Bob Smith" in message for _kind, _title, message in prompts.shown)
    assert services.claims.get(panel.claim_id).stage == Stage.DENIAL_RECEIVED
    settled(panel)  # (panels read off the GUI thread)
    assert stage.currentData() == Stage.DENIAL_RECEIVED  # shown afresh
    pick(Stage.INTERNAL_APPEAL)  # now from the version shown: it goes through
    assert services.claims.get(panel.claim_id).stage == Stage.INTERNAL_APPEAL


def test_the_phone_and_reason_fields_exist_under_the_names_used_above(
    qtbot: QtBot, services: Services
) -> None:
    claim = services.claims.get(open_case(services))
    dialog = CaseDetailsDialog(claim, lambda _c, _v: None, RecordingPrompts())
    qtbot.addWidget(dialog)
    assert isinstance(dialog.lines["claimant_phone"], QLineEdit)
    assert isinstance(dialog.texts["denial_reason"], QPlainTextEdit)
    assert dialog.label("claimant_phone") == "Phone"

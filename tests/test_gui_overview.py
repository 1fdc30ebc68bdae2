"""Overview: correcting a case's details and keeping notes, as a caseworker does."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QDialog, QLabel, QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from claimdesk.gui.case_details_dialog import NO_DATE, CaseDetailsDialog
from claimdesk.gui.panels.overview import OverviewPanel
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.models.enums import DenialCategory, Role
from claimdesk.services import Services
from claimdesk.services.calls import CallInput
from tests.gui_support import follow_changes, make_env, open_case, qdate, refreshed
from tests.pinned import NOW, TODAY
from tests.signin import principal


def make_panel(qtbot: QtBot, services: Services, tmp_path: Path) -> OverviewPanel:
    panel = OverviewPanel(make_env(services, tmp_path), open_case(services))
    qtbot.addWidget(panel)
    follow_changes(panel)
    refreshed(panel)
    return panel


def edit_with(panel: OverviewPanel, fill) -> list[CaseDetailsDialog]:  # type: ignore[no-untyped-def]
    """Open Edit case details, let ``fill`` type into it, then press Save."""
    seen: list[CaseDetailsDialog] = []

    def run(dialog: QDialog) -> bool:
        assert isinstance(dialog, CaseDetailsDialog)
        seen.append(dialog)
        fill(dialog)
        dialog.accept()
        return dialog.result() == QDialog.DialogCode.Accepted

    panel.run_dialog = run
    panel.edit_button.click()
    return seen


def test_editing_the_denial_saves_and_shows_it(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    panel = make_panel(qtbot, services, tmp_path)

    def fill(dialog: CaseDetailsDialog) -> None:
        dialog.findChild(QPlainTextEdit, "reasonEdit").setPlainText(  # type: ignore[union-attr]
            "Not medically necessary under MCG A-0489."
        )
        dialog.findChild(QLineEdit, "reviewerEdit").setText("Dr. Hal Pruitt")  # type: ignore[union-attr]
        category = dialog.findChild(QComboBox, "categoryCombo")
        category.setCurrentIndex(category.findData(DenialCategory.EXPERIMENTAL))  # type: ignore[union-attr]
        dialog.findChild(QDateEdit, "letterDateEdit").setDate(qdate(TODAY - timedelta(days=45)))  # type: ignore[union-attr]
        dialog.findChild(QLineEdit, "amountEdit").setText("12,400.50")  # type: ignore[union-attr]

    dialogs = edit_with(panel, fill)
    assert dialogs[0].result() == QDialog.DialogCode.Accepted
    claim = services.claims.get(panel.claim_id)
    assert claim.denial_reason == "Not medically necessary under MCG A-0489."
    assert claim.reviewer_name == "Dr. Hal Pruitt"
    assert claim.denial_category == DenialCategory.EXPERIMENTAL
    assert claim.denial_letter_date == TODAY - timedelta(days=45)
    assert claim.amount_minor == 1_240_050
    assert claim.claimant_name == "Maria Lopez"  # untouched fields stay as they were
    assert "MCG A-0489" in panel.fields["reason"].text()
    assert "Dr. Hal Pruitt" in panel.fields["reviewer"].text()


def test_a_refused_value_keeps_the_dialog_open_with_the_typing(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    panel = make_panel(qtbot, services, tmp_path)
    prompts = panel.env.prompts
    assert isinstance(prompts, RecordingPrompts)

    def fill(dialog: CaseDetailsDialog) -> None:
        dialog.findChild(QLineEdit, "claimantNameEdit").setText("")  # type: ignore[union-attr]
        dialog.findChild(QLineEdit, "phoneEdit").setText("555-0100")  # type: ignore[union-attr]

    dialogs = edit_with(panel, fill)
    assert dialogs[0].result() != QDialog.DialogCode.Accepted
    kind, title, message = prompts.shown[-1]
    assert (kind, title) == ("error", "Cannot save the case details")
    assert "name" in message.casefold()
    assert dialogs[0].findChild(QLineEdit, "phoneEdit").text() == "555-0100"  # type: ignore[union-attr]
    assert services.claims.get(panel.claim_id).claimant_phone == ""  # nothing half-saved


def test_unknown_dates_stay_unknown_and_cancel_asks_before_discarding(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    services_claim = open_case(services)
    claim = services.claims.get(services_claim)
    prompts = RecordingPrompts()
    saved: list[dict[str, object]] = []
    dialog = CaseDetailsDialog(claim, lambda changes, _version: saved.append(changes), prompts)
    qtbot.addWidget(dialog)
    birth = dialog.findChild(QDateEdit, "birthDateEdit")
    assert birth is not None and birth.date() == NO_DATE and birth.text() == "Not known"
    assert dialog.changes() == {}
    dialog.accept()
    assert saved == []  # nothing changed, nothing written

    dialog = CaseDetailsDialog(claim, lambda changes, _version: saved.append(changes), prompts)
    qtbot.addWidget(dialog)
    dialog.show()
    birth = dialog.findChild(QDateEdit, "birthDateEdit")
    birth.setDate(QDate(1971, 3, 9))  # type: ignore[union-attr]
    prompts.answers.append(False)  # "Discard your changes?" No
    dialog.reject()
    assert dialog.isVisible()
    prompts.answers.append(True)
    dialog.reject()
    assert not dialog.isVisible() and saved == []


def test_notes_are_added_and_listed_newest_first(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    panel = make_panel(qtbot, services, tmp_path)

    def note(text: str) -> None:
        def run(dialog: QDialog) -> bool:
            dialog.findChild(QPlainTextEdit).setPlainText(text)  # type: ignore[union-attr]
            return True

        panel.run_dialog = run
        panel.add_note_button.click()

    note("Called the HR office; the SPD is on the intranet.")
    note("Asked Dr. Lee for a letter of medical necessity.")
    texts = [
        panel.notes.itemAt(i).widget().text()  # type: ignore[union-attr]
        for i in range(panel.notes.count())
    ]
    assert len(texts) == 2
    assert "Dr. Lee" in texts[0] and "SPD" in texts[1]
    assert "Test Caseworker" in texts[0]
    assert [n.body for n in services.claims.notes(panel.claim_id)][-1].startswith("Asked Dr. Lee")


def test_a_corrected_call_counts_once_in_the_readiness_check(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    panel = make_panel(qtbot, services, tmp_path)
    first = CallInput(occurred_at=NOW, person_name="Dana", summary="Asked for the file.")
    call = services.calls.log_call(panel.claim_id, first)
    services.calls.amend_call(
        call.id,
        CallInput(occurred_at=NOW, person_name="Dana Ortiz", summary="Asked for the file."),
        "Her surname",
    )
    services.calls.log_call(panel.claim_id, first)
    refreshed(panel)
    texts = [label.text() for label in panel.readiness_box.findChildren(QLabel)]
    assert any("2 calls logged, and 1 correction." in text for text in texts), texts


def test_one_call_is_one_call_not_one_calls(services: Services) -> None:
    claim_id = open_case(services)
    services.calls.log_call(
        claim_id, CallInput(occurred_at=NOW, person_name="Dana", summary="Asked for the file.")
    )
    detail = {i.key: i.detail for i in services.readiness.check(claim_id)}
    assert detail["call_log"] == "1 call logged."


def test_assigned_to_picks_an_account_from_a_list(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    principal(services.db, "Ana Ruiz", Role.CASEWORKER)
    principal(services.db, "Old Hand", Role.CASEWORKER)
    services.accounts.disable("Old Hand")
    panel = make_panel(qtbot, services, tmp_path)
    offered: list[list[str]] = []

    def fill(dialog: CaseDetailsDialog) -> None:
        assert dialog.findChild(QLineEdit, "assignedEdit") is None or not (
            dialog.findChild(QLineEdit, "assignedEdit").isVisible()  # type: ignore[union-attr]
        )
        combo = dialog.findChild(QComboBox, "assignedCombo")
        assert combo is not None
        offered.append([combo.itemText(i) for i in range(combo.count())])
        combo.setCurrentIndex(combo.findData("Ana Ruiz"))

    edit_with(panel, fill)
    # Enabled accounts only (a disabled one cannot be given cases), and nobody.
    assert offered == [["Nobody", "Ana Ruiz", services.user_name]]
    assert services.claims.get(panel.claim_id).assigned_to == "Ana Ruiz"
    assert panel.assigned.text() == "Ana Ruiz"

    def unassign(dialog: CaseDetailsDialog) -> None:
        combo = dialog.findChild(QComboBox, "assignedCombo")
        assert combo is not None and combo.currentData() == "Ana Ruiz"
        combo.setCurrentIndex(combo.findData(""))

    edit_with(panel, unassign)
    assert services.claims.get(panel.claim_id).assigned_to == ""


def test_the_assigned_to_label_leads_to_the_list(services: Services, qtbot: QtBot) -> None:
    claim = services.claims.get(open_case(services))
    dialog = CaseDetailsDialog(
        claim, lambda _changes, _version: None, RecordingPrompts(), accounts=["Ana Ruiz"]
    )
    qtbot.addWidget(dialog)
    combo = dialog.findChild(QComboBox, "assignedCombo")
    assert any(label.buddy() is combo for label in dialog.findChildren(QLabel))

"""The call log panel: logging a call from the keyboard, corrections, promises."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from claimdesk.gui.panels.calls import (
    NO_ORGANISATION,
    ORGANISATION,
    PROMISED,
    SUMMARY,
    WHEN,
    WHO,
    CallModel,
    CallsPanel,
)
from claimdesk.models.enums import CallDirection, PromiseStatus
from claimdesk.services import CallInput, PromiseInput, Services
from tests.gui_support import follow_changes, make_env, open_case, refreshed, settled
from tests.pinned import NOW


@pytest.fixture
def panel(qtbot: QtBot, services: Services, tmp_path: Path) -> CallsPanel:
    claim_id = open_case(services)
    env = make_env(services, tmp_path)
    widget = CallsPanel(env, claim_id)
    follow_changes(widget)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    refreshed(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def log(services: Services, claim_id: int, **extra: object) -> int:
    values: dict[str, object] = {
        "occurred_at": datetime(2026, 3, 2, 22, 30, tzinfo=UTC),
        "time_zone": "America/Los_Angeles",
        "person_name": "Dana",
        "person_staff_id": "E-4471",
        "call_reference": "REF-1",
        "summary": "Asked for the claim file.\nShe said next week.",
        "promises": [PromiseInput("Mail the claim file", date(2026, 3, 9))],
        "refusal_detail": "Would not name the reviewer",
    }
    values.update(extra)
    return services.calls.log_call(claim_id, CallInput(**values)).id  # type: ignore[arg-type]


def test_a_call_is_logged_from_the_keyboard_alone(qtbot: QtBot, panel: CallsPanel) -> None:
    panel.start_new_call()
    settled(panel)
    form = panel.form
    assert form.isVisible() and form.who.hasFocus()
    # The services' clock's now, on the computer's clock face (the form's zone).
    expected = NOW.astimezone(ZoneInfo(form.zone)).replace(tzinfo=None, second=0)
    assert form.when.dateTime().toPython() == expected
    focused = panel.focusWidget
    qtbot.keyClicks(focused(), "Dana Ortiz")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "E-4471")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.organisation
    assert form.organisation.currentText() == "Acme Health Plan (this case's insurer)"
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "REF-99")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.direction
    qtbot.keyClick(focused(), Qt.Key.Key_Down)  # Outgoing -> Incoming
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.summary
    qtbot.keyClicks(focused(), "Asked for the claim file.")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.keyClicks(focused(), "She will post it.")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "Mail the claim file")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.promised_by.known
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.promised_by.edit
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "Would not name the reviewer")
    assert panel.has_unsaved_edits()
    qtbot.keyClick(focused(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    assert panel.env.prompts.shown == []  # type: ignore[attr-defined]
    [call] = panel.services.calls.calls(panel.claim_id)
    assert call.person_name == "Dana Ortiz"
    assert call.person_staff_id == "E-4471"
    assert call.organisation_name == "Acme Health Plan"
    assert call.call_reference == "REF-99"
    assert call.direction == CallDirection.INCOMING
    assert call.summary == "Asked for the claim file.\nShe will post it."
    assert call.refused and call.refusal_detail == "Would not name the reviewer"
    assert [(p.description, p.due_date) for p in call.promises] == [
        ("Mail the claim file", form.promised_by.value())
    ]
    assert call.promises[0].due_date is not None
    assert not form.isVisible() and not panel.has_unsaved_edits()
    assert panel.model.index(0, WHO).data() == "Dana Ortiz (E-4471)"
    assert panel.model.index(0, ORGANISATION).data() == "Acme Health Plan"


def test_enter_in_a_line_saves_and_escape_cancels(qtbot: QtBot, panel: CallsPanel) -> None:
    panel.start_new_call()
    settled(panel)
    qtbot.keyClicks(panel.form.who, "Sam")
    panel.form.summary.setPlainText("Short call.")
    qtbot.keyClick(panel.form.who, Qt.Key.Key_Return)
    assert [c.person_name for c in panel.services.calls.calls(panel.claim_id)] == ["Sam"]
    panel.start_new_call()
    settled(panel)
    qtbot.keyClicks(panel.form.who, "Not saved")
    qtbot.keyClick(panel.form.who, Qt.Key.Key_Escape)
    assert not panel.form.isVisible() and not panel.has_unsaved_edits()
    assert len(panel.services.calls.calls(panel.claim_id)) == 1


def test_an_error_is_shown_and_the_typing_kept(qtbot: QtBot, panel: CallsPanel) -> None:
    panel.start_new_call()
    settled(panel)
    qtbot.keyClick(panel.form.who, Qt.Key.Key_Tab)
    panel.form.summary.setPlainText("They hung up before giving a name.")
    qtbot.keyClick(panel.form.summary, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    shown = panel.env.prompts.shown  # type: ignore[attr-defined]
    assert shown and shown[0][0] == "error" and "Who you spoke to" in shown[0][2]
    assert panel.services.calls.calls(panel.claim_id) == []
    assert panel.form.isVisible()
    assert panel.form.summary.toPlainText() == "They hung up before giving a name."
    assert panel.has_unsaved_edits()


def test_calls_show_in_their_own_time_zone(panel: CallsPanel) -> None:
    log(panel.services, panel.claim_id)
    refreshed(panel)
    # 22:30 UTC on 2 March is 14:30 in Los Angeles.
    assert panel.model.index(0, WHEN).data() == "Mon 02 Mar 2026 14:30 PST"
    assert panel.model.index(0, SUMMARY).data() == "Asked for the claim file."
    assert panel.model.index(0, PROMISED).data() == "Mail the claim file — by Mon 09 Mar 2026"


def test_correcting_a_call_keeps_the_original_greyed(qtbot: QtBot, panel: CallsPanel) -> None:
    original = log(panel.services, panel.claim_id)
    panel.table.selectRow(0)
    panel.correct_button.click()
    settled(panel)
    form = panel.form
    assert form.isVisible() and form.reason.hasFocus()
    assert form.who.text() == "Dana" and form.promised.text() == "Mail the claim file"
    assert form.zone_label.text() == "America/Los_Angeles"
    form.who.setText("Dana Ortiz")
    qtbot.keyClicks(form.reason, "Full name")
    qtbot.keyClick(form.reason, Qt.Key.Key_Return)
    assert panel.env.prompts.shown == []  # type: ignore[attr-defined]
    first, second = panel.services.calls.calls(panel.claim_id)
    assert first.id == original and first.superseded
    assert second.amends_id == original and second.person_name == "Dana Ortiz"
    assert second.amendment_reason == "Full name"
    assert second.occurred_at == first.occurred_at
    model = panel.model
    assert model.index(0, SUMMARY).data().startswith("corrected")
    assert model.data(model.index(0, WHO), Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(1, SUMMARY).data().startswith("corrects the call of Mon 02 Mar 2026")
    panel.table.selectRow(0)
    assert not panel.correct_button.isEnabled()


def test_promises_can_be_marked_kept_or_broken(panel: CallsPanel) -> None:
    log(panel.services, panel.claim_id)
    refreshed(panel)
    panel.table.selectRow(0)
    assert panel.promises.count() == 1
    panel.broken_button.click()
    [call] = panel.services.calls.calls(panel.claim_id)
    assert call.promises[0].status == PromiseStatus.BROKEN
    assert "(broken)" in panel.model.index(0, PROMISED).data()
    panel.table.selectRow(0)
    panel.kept_button.click()
    [call] = panel.services.calls.calls(panel.claim_id)
    assert call.promises[0].status == PromiseStatus.KEPT


def test_call_model_is_a_well_behaved_model(qtmodeltester, services: Services) -> None:  # type: ignore[no-untyped-def]
    claim_id = open_case(services)
    first = log(services, claim_id)
    services.calls.amend_call(
        first,
        CallInput(occurred_at="2026-03-02 14:30", person_name="Dana Ortiz", summary="Asked."),
        "Full name",
    )
    model = CallModel()
    model.set_rows(services.calls.calls(claim_id))
    assert model.rowCount() == 2
    qtmodeltester.check(model)


def test_the_organisation_can_be_another_or_none_and_a_correction_keeps_it(
    qtbot: QtBot, panel: CallsPanel
) -> None:
    panel.start_new_call()
    settled(panel)
    form = panel.form
    names = [form.organisation.itemText(i) for i in range(form.organisation.count())]
    assert names[:2] == [NO_ORGANISATION, "Acme Health Plan (this case's insurer)"]
    form.organisation.setCurrentIndex(0)
    form.who.setText("Sam")
    form.summary.setPlainText("Left a message.")
    panel.save_form()
    [call] = panel.services.calls.calls(panel.claim_id)
    assert call.organisation_id is None and panel.model.index(0, ORGANISATION).data() == ""

    insurer = form.organisation.itemData(1)
    log(panel.services, panel.claim_id, organisation_id=insurer)
    row = next(i for i, c in enumerate(panel.model.rows) if c.organisation_id == insurer)
    panel.table.selectRow(row)
    panel.correct_call()
    settled(panel)
    assert form.organisation.currentData() == insurer  # the corrected call's, not a default
    form.reason.setText("Her name")
    form.who.setText("Dana Ortiz")
    panel.save_form()
    latest = next(c for c in panel.services.calls.calls(panel.claim_id) if c.amends_id)
    assert latest.organisation_name == "Acme Health Plan"


def test_the_promises_list_has_a_label(panel: CallsPanel) -> None:
    labels = [w for w in panel.findChildren(QLabel) if w.buddy() is panel.promises]
    assert labels and "Promises made on this call" in labels[0].text().replace("&", "")

"""Tools ▸ Audit trail: filters, the chain check, CSV export, and who may open it."""

from __future__ import annotations

import csv
import hashlib
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from claimdesk.gui.audit_view import AuditDialog, AuditTableModel
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.models.enums import Role
from claimdesk.services import Services
from claimdesk.storage import Database
from tests.builders import full_case
from tests.gui_support import make_env, qdate, refreshed
from tests.pinned import TODAY, pinned_clock
from tests.signin import as_user


def office(db: Database) -> tuple[Services, int, int]:
    """Ana works on one case today; Ben on another tomorrow, and adds a note to Ana's."""
    clock = pinned_clock()
    ana = as_user(db, "Ana Admin", clock=clock)
    first = full_case(ana, "First Claimant")
    clock.advance(timedelta(days=1))
    ben = as_user(db, "Ben Caseworker", clock=clock, role=Role.CASEWORKER)
    second = full_case(ben, "Second Claimant")
    ben.claims.add_note(first, "a note")
    return as_user(db, "Ana Admin", clock=clock), first, second


def opened(qtbot: QtBot, services: Services, tmp_path: Path) -> AuditDialog:
    dialog = AuditDialog.open_for(make_env(services, tmp_path))
    assert dialog is not None
    qtbot.addWidget(dialog)
    settle(qtbot, dialog)
    return dialog


def settle(qtbot: QtBot, dialog: AuditDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.count.text().startswith("Reading"))


def shown(dialog: AuditDialog, column: int) -> set[str]:
    model = dialog.model
    return {model.index(row, column).data() for row in range(model.rowCount())}


def prompts(dialog: AuditDialog) -> RecordingPrompts:
    assert isinstance(dialog.env.prompts, RecordingPrompts)
    return dialog.env.prompts


def test_the_model_is_well_behaved(
    qtmodeltester, db: Database, tmp_path: Path, qtbot: QtBot
) -> None:  # type: ignore[no-untyped-def]
    services, *_ = office(db)
    dialog = opened(qtbot, services, tmp_path)
    assert dialog.model.rowCount() > 20
    qtmodeltester.check(dialog.model)
    empty = AuditTableModel()
    qtmodeltester.check(empty)


def test_filters_by_person_case_and_days(qtbot: QtBot, db: Database, tmp_path: Path) -> None:
    services, first, _ = office(db)
    dialog = opened(qtbot, services, tmp_path)
    everyone = dialog.model.rowCount()
    assert shown(dialog, AuditTableModel.WHO) == {"Ana Admin", "Ben Caseworker"}
    assert dialog.count.text() == f"{everyone} events."

    dialog.person.setCurrentIndex(dialog.person.findText("Ben Caseworker"))
    settle(qtbot, dialog)
    assert shown(dialog, AuditTableModel.WHO) == {"Ben Caseworker"}
    bens = dialog.model.rowCount()

    number = services.claims.get(first).case_number
    dialog.case.setCurrentIndex(dialog.case.findText(number))
    settle(qtbot, dialog)
    assert shown(dialog, AuditTableModel.CASE) == {number}
    assert [
        dialog.model.index(r, AuditTableModel.RECORD).data() for r in range(dialog.model.rowCount())
    ] == [next(f"Note {n.id}" for n in services.claims.notes(first) if n.body == "a note")]

    dialog.person.setCurrentIndex(0)  # everyone, on that case, the first day only
    dialog.end.edit.setDate(qdate(TODAY))
    dialog.end.known.setChecked(True)
    settle(qtbot, dialog)
    assert shown(dialog, AuditTableModel.WHO) == {"Ana Admin"}
    assert shown(dialog, AuditTableModel.CASE) == {number}

    dialog.case.setCurrentIndex(0)
    dialog.end.known.setChecked(False)
    dialog.start.edit.setDate(qdate(TODAY + timedelta(days=1)))
    dialog.start.known.setChecked(True)
    settle(qtbot, dialog)
    assert dialog.model.rowCount() == bens
    # Days the wrong way round: said in the window, nothing shown.
    dialog.end.edit.setDate(qdate(TODAY))
    dialog.end.known.setChecked(True)
    settle(qtbot, dialog)
    assert dialog.model.rowCount() == 0 and "swap them" in dialog.count.text()
    del everyone


def test_field_names_are_shown_never_values(qtbot: QtBot, db: Database, tmp_path: Path) -> None:
    services, *_ = office(db)
    dialog = opened(qtbot, services, tmp_path)
    texts = " ".join(
        str(dialog.model.index(r, c).data())
        for r in range(dialog.model.rowCount())
        for c in range(dialog.model.columnCount())
    )
    assert "claimant name" in texts
    assert "Claimant" not in texts and "a note" not in texts and "ablation" not in texts


def test_csv_export_of_the_filtered_events(qtbot: QtBot, db: Database, tmp_path: Path) -> None:
    services, first, _ = office(db)
    dialog = opened(qtbot, services, tmp_path)
    dialog.case.setCurrentIndex(dialog.case.findData(first))
    settle(qtbot, dialog)
    out = tmp_path / "trail.csv"
    prompts(dialog).answers.append(out)
    dialog.export_button.click()
    qtbot.waitUntil(lambda: prompts(dialog).shown[-1][0] == "info")
    assert prompts(dialog).shown[-2] == ("save", "Export the audit trail", "audit-trail.csv")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert len(table) - 1 == dialog.model.rowCount()
    assert {row[7] for row in table[1:]} == {str(first)}
    assert f"{len(table) - 1} events written to {out}" in prompts(dialog).shown[-1][2]


def test_cancelling_the_export_writes_nothing(qtbot: QtBot, db: Database, tmp_path: Path) -> None:
    services, *_ = office(db)
    dialog = opened(qtbot, services, tmp_path)
    dialog.export_button.click()
    assert [kind for kind, *_ in prompts(dialog).shown] == ["save"]
    assert list(tmp_path.glob("*.csv")) == []


def test_the_chain_check_reports_intact_then_a_tampered_row(
    qtbot: QtBot, db: Database, db_path: Path, tmp_path: Path
) -> None:
    services, *_ = office(db)
    dialog = opened(qtbot, services, tmp_path)
    dialog.verify_button.click()
    qtbot.waitUntil(lambda: dialog.verify_button.isEnabled())
    assert dialog.chain.text().startswith("The chain is intact: ")
    assert services.audit.short_head() in dialog.chain.text()

    connection = sqlite3.connect(db_path)
    connection.execute("DROP TRIGGER audit_events_no_update")
    connection.execute("UPDATE audit_events SET entity_id = 9 WHERE id = 7")
    connection.commit()
    connection.close()
    dialog.verify_button.click()
    qtbot.waitUntil(lambda: dialog.verify_button.isEnabled())
    assert dialog.chain.text().startswith("The chain is broken at event 7 (")
    kind, title, message = prompts(dialog).shown[-1]
    assert (kind, title) == ("error", "Audit trail")
    assert "event 7 (" in message and "restore a backup" in message


def test_only_an_administrator_may_open_it(qtbot: QtBot, db: Database, tmp_path: Path) -> None:
    office(db)
    env = make_env(as_user(db, "Vera Volunteer", role=Role.VOLUNTEER), tmp_path)
    assert AuditDialog.open_for(env) is None
    assert isinstance(env.prompts, RecordingPrompts)
    ((kind, title, message),) = env.prompts.shown
    assert (kind, title) == ("error", "Audit trail")
    assert message.startswith("A volunteer account can read and search the cases")
    assert "read the audit trail" in message


def test_a_swapped_document_is_not_previewed_and_says_why(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    from claimdesk.gui.panels.documents import DocumentsPanel

    claim_id = full_case(services)
    document = services.documents.attach(claim_id, "visit notes.txt", b"Visit notes: stable")
    forged = b"Visit notes: recovered, fit for work"
    with services.db.write() as session:  # the file and its stored hash, swapped together
        session.execute(
            text("UPDATE document_contents SET data = :data WHERE document_id = :id"),
            {"data": forged, "id": document.id},
        )
        session.execute(
            text("UPDATE documents SET sha256 = :digest WHERE id = :id"),
            {"digest": hashlib.sha256(forged).hexdigest(), "id": document.id},
        )
    env = make_env(services, tmp_path)
    panel = DocumentsPanel(env, claim_id)
    qtbot.addWidget(panel)
    refreshed(panel)
    panel.show()
    panel.select_document(document.id)
    qtbot.waitUntil(lambda: panel.preview_text().startswith("This document cannot be shown"))
    assert "'visit notes.txt' is not the file attached on 2026-11-04" in panel.preview_text()
    assert "fit for work" not in panel.preview_text()
    env.tasks.wait(5000)


def test_tools_menu_opens_the_audit_trail(
    qtbot: QtBot, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimdesk.gui.main_window import MainWindow
    from tests.test_gui import make_window

    full_case(services)
    window: MainWindow = make_window(qtbot, services, tmp_path)
    action = window.action("actionAuditTrail")
    assert action in window.form.menuTools.actions()  # type: ignore[attr-defined]
    assert action.text().replace("&", "") == "Audit trail…"
    shown: list[int] = []

    def answer(dialog: AuditDialog) -> int:
        settle(qtbot, dialog)
        shown.append(dialog.model.rowCount())
        return 0

    monkeypatch.setattr(AuditDialog, "exec", answer)
    action.trigger()
    assert shown == [len(services.audit.trail().events)] and shown[0] > 10


def test_closing_while_reading_touches_no_deleted_widget(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    services, *_ = office(db)
    env = make_env(services, tmp_path)
    dialog = AuditDialog.open_for(env)
    assert dialog is not None
    dialog.verify_button.click()
    dialog.reject()  # before the choices, the events and the check have come back
    dialog.deleteLater()
    assert env.tasks.wait(10_000)
    qtbot.wait(50)  # the finished tasks' answers are delivered: each is dropped
    assert isinstance(env.prompts, RecordingPrompts) and env.prompts.shown == []

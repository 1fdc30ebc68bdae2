"""Tools ▸ Organisations and the case's "Address…" buttons, as an office keeps addresses."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from claimdesk.gui.organisations_dialog import OrganisationsDialog
from claimdesk.gui.panels.overview import OverviewPanel
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.models.enums import OrganisationKind
from claimdesk.services import Services
from tests.gui_support import follow_changes, make_env, open_case, refreshed


def make_dialog(
    qtbot: QtBot, services: Services, tmp_path: Path, select: int | None = None
) -> OrganisationsDialog:
    dialog = OrganisationsDialog(make_env(services, tmp_path), select=select)
    qtbot.addWidget(dialog)
    return dialog


def prompts(dialog: OrganisationsDialog) -> RecordingPrompts:
    assert isinstance(dialog.env.prompts, RecordingPrompts)
    return dialog.env.prompts


def visible_names(dialog: OrganisationsDialog) -> list[str]:
    items = (dialog.list.item(i) for i in range(dialog.list.count()))
    return [item.text().split("\n")[0] for item in items if not item.isHidden()]


def test_search_finds_by_name_kind_and_address(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    services.claims.add_organisation("Acme Health Plan", "insurer", address="PO Box 9, Austin")
    services.claims.add_organisation("Financial Ombudsman Service", "ombudsman")
    services.claims.add_organisation("Benefit Admin Co", "plan_administrator")
    dialog = make_dialog(qtbot, services, tmp_path)
    assert visible_names(dialog) == [
        "Acme Health Plan",
        "Benefit Admin Co",
        "Financial Ombudsman Service",
    ]
    assert "Insurer" in dialog.list.item(0).text()
    qtbot.keyClicks(dialog.search, "ombuds")
    assert visible_names(dialog) == ["Financial Ombudsman Service"]
    assert dialog.count.text() == "1 of 3 organisations match"
    dialog.search.setText("austin")
    assert visible_names(dialog) == ["Acme Health Plan"]


def test_editing_the_address_saves_it(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    org = services.claims.add_organisation("Acme Health Plan", "insurer")
    dialog = make_dialog(qtbot, services, tmp_path)
    assert dialog.edits["name"].text() == "Acme Health Plan"
    dialog.edits["department"].setText("Appeals Department")
    dialog.address.setPlainText("PO Box 1234\nSpringfield, IL 62701")
    dialog.edits["fax"].setText("+1 (312) 555-0144")
    dialog.edits["email"].setText("appeals@acme.example")
    dialog.edits["portal"].setText("https://members.acme.example")
    assert dialog.has_unsaved_edits()
    dialog.save_button.click()
    saved = services.claims.organisation(org.id)
    assert saved.department == "Appeals Department"
    assert saved.address == "PO Box 1234\nSpringfield, IL 62701"
    assert (saved.fax, saved.email) == ("+1 (312) 555-0144", "appeals@acme.example")
    assert not dialog.has_unsaved_edits() and prompts(dialog).shown == []
    assert "(no address)" not in dialog.list.item(0).text()


def test_a_bad_email_is_explained_and_the_typing_kept(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    org = services.claims.add_organisation("Acme Health Plan", "insurer")
    dialog = make_dialog(qtbot, services, tmp_path)
    dialog.address.setPlainText("PO Box 1")
    dialog.edits["email"].setText("appeals at acme")
    dialog.save_button.click()
    kind, title, message = prompts(dialog).shown[-1]
    assert (kind, title) == ("error", "The organisation was not saved")
    assert "not an email address" in message
    assert dialog.edits["email"].text() == "appeals at acme"
    assert dialog.address.toPlainText() == "PO Box 1"
    assert services.claims.organisation(org.id).address == ""


def test_new_organisation(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot, services, tmp_path)
    assert dialog.count.text().startswith("No organisations yet")
    dialog.new_button.click()
    dialog.edits["name"].setText("California DMHC")
    dialog.kind.setCurrentIndex(dialog.kind.findData(OrganisationKind.REGULATOR))
    dialog.edits["phone"].setText("1-888-466-2219")
    dialog.save_button.click()
    [org] = services.claims.organisations()
    assert (org.name, org.kind, org.phone) == (
        "California DMHC",
        OrganisationKind.REGULATOR,
        "1-888-466-2219",
    )
    assert visible_names(dialog) == ["California DMHC"]


def test_delete_in_use_names_the_cases(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    claim_id = open_case(services)
    insurer_id = services.claims.get(claim_id).insurer_id
    spare = services.claims.add_organisation("Zed Old Regulator", "regulator")
    dialog = make_dialog(qtbot, services, tmp_path, select=insurer_id)
    number = services.claims.get(claim_id).case_number
    assert dialog.edits["name"].text() == "Acme Health Plan"
    assert f"Used by {number} (insurer)" in dialog.uses.text()
    prompts(dialog).answers = [True]
    dialog.delete_button.click()
    kind, title, message = prompts(dialog).shown[-1]
    assert (kind, title) == ("error", "The organisation was not deleted")
    assert number in message and "cannot be deleted" in message
    assert len(services.claims.organisations()) == 2

    dialog.list.setCurrentRow(1)
    assert dialog.edits["name"].text() == "Zed Old Regulator"
    assert dialog.uses.text() == "No case uses it yet."
    prompts(dialog).answers = [False]  # cancel: nothing happens
    dialog.delete_button.click()
    assert len(services.claims.organisations()) == 2
    prompts(dialog).answers = [True]
    dialog.delete_button.click()
    assert [o.id for o in services.claims.organisations()] == [insurer_id]
    assert spare.id not in [o.id for o in services.claims.organisations()]


def test_switching_with_unsaved_edits_asks(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    services.claims.add_organisation("Acme", "insurer")
    services.claims.add_organisation("Beta", "insurer")
    dialog = make_dialog(qtbot, services, tmp_path)
    dialog.edits["fax"].setText("555 0100 1")
    prompts(dialog).answers = [False]  # keep editing
    dialog.list.setCurrentRow(1)
    assert dialog.edits["name"].text() == "Acme" and dialog.edits["fax"].text() == "555 0100 1"
    assert dialog.list.currentRow() == 0
    prompts(dialog).answers = [True]  # discard
    dialog.list.setCurrentRow(1)
    assert dialog.edits["name"].text() == "Beta"


def test_overview_address_button_opens_the_insurer(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    claim_id = open_case(services)
    panel = OverviewPanel(make_env(services, tmp_path), claim_id)
    qtbot.addWidget(panel)
    follow_changes(panel)
    refreshed(panel)
    assert panel.insurer_address.isEnabled()
    assert panel.administrator_address.isHidden()  # the case has no administrator
    opened: list[str] = []

    def run(dialog: QDialog) -> bool:
        assert isinstance(dialog, OrganisationsDialog)
        opened.append(dialog.edits["name"].text())
        dialog.edits["department"].setText("Member Appeals")
        dialog.save_button.click()
        return True

    panel.run_dialog = run
    panel.insurer_address.click()
    assert opened == ["Acme Health Plan"]
    insurer_id = services.claims.get(claim_id).insurer_id
    assert insurer_id is not None
    assert services.claims.organisation(insurer_id).department == "Member Appeals"

    services.claims.update_case(claim_id, plan_administrator_name="Benefit Admin Co")
    assert not panel.administrator_address.isHidden()
    panel.administrator_address.click()
    assert opened[-1] == "Benefit Admin Co"


def test_tools_menu_opens_the_organisations(
    qtbot: QtBot, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimdesk.gui.main_window import MainWindow
    from tests.test_gui import make_window

    services.claims.add_organisation("Acme Health Plan", "insurer")
    window: MainWindow = make_window(qtbot, services, tmp_path)
    action = window.action("actionOrganisations")
    assert action in window.form.menuTools.actions()  # type: ignore[attr-defined]
    assert action.text().replace("&", "") == "Organisations…"
    shown: list[list[str]] = []

    def answer(dialog: OrganisationsDialog) -> int:
        shown.append([dialog.list.item(i).text() for i in range(dialog.list.count())])
        return 0

    monkeypatch.setattr(OrganisationsDialog, "exec", answer)
    action.trigger()
    assert shown == [["Acme Health Plan\nInsurer  (no address)"]]

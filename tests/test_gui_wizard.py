"""Opening a case with the new-case wizard."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QDate, QSettings
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from claimdesk.gui.env import ChangeBus, GuiEnv
from claimdesk.gui.new_case_wizard import NewCaseWizard
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.gui.tasks import TaskRunner
from claimdesk.models.enums import ClinicalArea, DenialCategory, PlanType
from claimdesk.services import Services
from tests.pinned import TODAY


def make_wizard(qtbot: QtBot, services: Services, tmp_path: Path) -> NewCaseWizard:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    env = GuiEnv(services, RecordingPrompts(), TaskRunner(), ChangeBus(services), settings)
    wizard = NewCaseWizard(env)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def fill(qtbot: QtBot, wizard: NewCaseWizard) -> None:
    qtbot.keyClicks(wizard.claimant, "Dana Whitfield")
    qtbot.keyClicks(wizard.insurer, "Acme Health Plan")
    wizard.plan_type.setCurrentIndex(wizard.plan_type.findData(PlanType.ERISA_GROUP_HEALTH))
    wizard.region.setText("CA")
    received = TODAY - timedelta(days=10)
    wizard.letter_date.setDate(QDate(received.year, received.month, received.day).addDays(-4))
    wizard.received_date.setDate(QDate(received.year, received.month, received.day))
    wizard.category.setCurrentIndex(wizard.category.findData(DenialCategory.MEDICAL_NECESSITY))
    wizard.reason.setPlainText("Cardiac ablation is not medically necessary.")
    wizard.area.setCurrentIndex(wizard.area.findData(ClinicalArea.CARDIAC))


def test_wizard_creates_the_case_with_its_deadlines(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    wizard = make_wizard(qtbot, services, tmp_path)
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()  # name first
    fill(qtbot, wizard)
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.next()
    wizard.next()
    assert "Cardiology" in wizard.summary.text()  # the specialty that fits is suggested
    wizard.accept()
    created = wizard.created
    assert created is not None and created.claimant_name == "Dana Whitfield"
    assert (created.country, created.region, created.plan_type) == (
        "US",
        "CA",
        PlanType.ERISA_GROUP_HEALTH,
    )
    assert created.denial_reason == "Cardiac ablation is not medically necessary."
    rules = {d.rule_id for d in services.deadlines.deadlines(created.id)}
    assert "US-ERISA-appeal-file" in rules


def test_a_bad_entry_keeps_the_wizard_and_the_typing(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    wizard = make_wizard(qtbot, services, tmp_path)
    fill(qtbot, wizard)
    wizard.country.setEditText("USA")  # not a two-letter code
    shown: list[tuple[str, str]] = []
    wizard.confirm = lambda title, text: shown.append((title, text))
    wizard.accept()
    assert wizard.created is None and wizard.isVisible()
    assert shown and "not a country code" in shown[0][1]
    assert wizard.claimant.text() == "Dana Whitfield"
    assert services.claims.list_claims() == []

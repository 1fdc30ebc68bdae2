"""Opening a case with the new-case wizard: each field checked where it is typed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QDate, QSettings
from PySide6.QtWidgets import QLabel, QWizard
from pytestqt.qtbot import QtBot

from claimdesk.gui import dates
from claimdesk.gui.env import ChangeBus, GuiEnv
from claimdesk.gui.forms import child
from claimdesk.gui.new_case_wizard import NewCaseWizard
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.gui.tasks import TaskRunner
from claimdesk.models.enums import ClinicalArea, DenialCategory, PlanType
from claimdesk.services import Services
from tests.pinned import TODAY

RECEIVED = TODAY - timedelta(days=10)
LETTER = RECEIVED - timedelta(days=4)


def make_wizard(qtbot: QtBot, services: Services, tmp_path: Path) -> NewCaseWizard:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    env = GuiEnv(services, RecordingPrompts(), TaskRunner(), ChangeBus(services), settings)
    wizard = NewCaseWizard(env)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def qdate(day: object) -> QDate:
    return QDate(day.year, day.month, day.day)  # type: ignore[attr-defined]


def fill(qtbot: QtBot, wizard: NewCaseWizard) -> None:
    qtbot.keyClicks(wizard.claimant, "Dana Whitfield")
    qtbot.keyClicks(wizard.insurer, "Acme Health Plan")
    wizard.plan_type.setCurrentIndex(wizard.plan_type.findData(PlanType.ERISA_GROUP_HEALTH))
    wizard.region.setText("CA")
    wizard.birth_date.setDate(QDate(1978, 4, 9))
    wizard.address.setPlainText("12 Elm Street\nSacramento, CA 95814")
    wizard.phone.setText("(916) 555-0123")
    wizard.email.setText("dana@example.org")
    wizard.letter_date.setDate(qdate(LETTER))
    wizard.received_date.setDate(qdate(RECEIVED))
    wizard.category.setCurrentIndex(wizard.category.findData(DenialCategory.MEDICAL_NECESSITY))
    wizard.reason.setPlainText("Cardiac ablation is not medically necessary.")
    wizard.area.setCurrentIndex(wizard.area.findData(ClinicalArea.CARDIAC))
    wizard.department.setText("Appeals and Grievances")
    wizard.insurer_address.setPlainText("PO Box 1234\nSpringfield, IL 62701")
    wizard.fax.setText("+1 (312) 555-0144")
    wizard.insurer_email.setText("appeals@acme.example")


def next_enabled(wizard: NewCaseWizard) -> bool:
    return wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_wizard_creates_the_case_with_every_value(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    wizard = make_wizard(qtbot, services, tmp_path)
    assert not next_enabled(wizard)  # name first
    fill(qtbot, wizard)
    pages = []
    while wizard.currentPage().objectName() != "donePage":
        assert next_enabled(wizard), wizard.problems()
        pages.append(wizard.currentPage().objectName())
        wizard.next()
    assert pages == ["whoPage", "claimantPage", "denialPage", "insurerPage"]
    summary = wizard.summary.text()
    assert "Cardiology" in summary  # the specialty that fits is suggested
    for shown in (
        "Dana Whitfield",
        dates.day_text(LETTER),
        dates.day_text(RECEIVED),
        "Sun 09 Apr 1978",
        "12 Elm Street<br>Sacramento, CA 95814",
        "(916) 555-0123",
        "dana@example.org",
        "California (US-CA)",
        "Appeals and Grievances",
        "PO Box 1234<br>Springfield, IL 62701",
        "+1 (312) 555-0144",
        "appeals@acme.example",
        "Cardiac ablation is not medically necessary.",
    ):
        assert shown in summary, shown
    assert LETTER.isoformat() not in summary  # never ISO on screen
    wizard.accept()
    created = wizard.created
    assert created is not None and created.claimant_name == "Dana Whitfield"
    assert (created.country, created.region, created.plan_type) == (
        "US",
        "CA",
        PlanType.ERISA_GROUP_HEALTH,
    )
    assert created.claimant_birth_date is not None
    assert created.claimant_birth_date.isoformat() == "1978-04-09"
    assert created.claimant_address == "12 Elm Street\nSacramento, CA 95814"
    assert (created.claimant_phone, created.claimant_email) == (
        "(916) 555-0123",
        "dana@example.org",
    )
    assert (created.denial_letter_date, created.denial_received_date) == (LETTER, RECEIVED)
    assert created.denial_reason == "Cardiac ablation is not medically necessary."
    assert created.insurer_id is not None
    insurer = services.claims.organisation(created.insurer_id)
    assert insurer.department == "Appeals and Grievances"
    assert insurer.address == "PO Box 1234\nSpringfield, IL 62701"
    assert (insurer.fax, insurer.email) == ("+1 (312) 555-0144", "appeals@acme.example")
    rules = {d.rule_id for d in services.deadlines.deadlines(created.id)}
    assert "US-ERISA-appeal-file" in rules


def test_required_fields_are_marked_and_explained(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    wizard = make_wizard(qtbot, services, tmp_path)
    assert child(wizard, QLabel, "claimantLabel").text().endswith("*")
    assert child(wizard, QLabel, "insurerLabel").text().endswith("*")
    assert child(wizard, QLabel, "requiredNote").text() == "* required"
    assert wizard.problems() == {}  # nothing shouted before anything is typed
    qtbot.keyClicks(wizard.claimant, "D")
    wizard.claimant.clear()
    assert wizard.problems() == {"Claimant's name": "Required: type the claimant's name."}
    assert wizard.claimant_check.message.isVisible()
    qtbot.keyClicks(wizard.claimant, "Dana")
    assert wizard.problems() == {} and not wizard.claimant_check.message.isVisible()


def test_zz_is_refused_where_it_is_typed(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    wizard = make_wizard(qtbot, services, tmp_path)
    qtbot.keyClicks(wizard.claimant, "Dana")
    qtbot.keyClicks(wizard.insurer, "Acme")
    qtbot.keyClicks(wizard.region, "ZZ")
    message = wizard.problems()["State or province"]
    assert "'ZZ' is not a state or territory of the United States" in message
    assert wizard.region_check.message.isVisible() and not next_enabled(wizard)
    wizard.region.setText("ny")
    assert wizard.problems() == {} and next_enabled(wizard)
    assert wizard.region_name.text() == "New York"
    # The same code is judged again when the country changes: NY is no Canadian province.
    wizard.country.setCurrentIndex(wizard.country.findData("CA"))
    assert "province or territory of Canada" in wizard.problems()["State or province"]
    wizard.region.setText("QC")
    assert wizard.problems() == {} and wizard.region_name.text() == "Quebec"


def test_dates_show_in_the_app_format_and_are_checked_at_once(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    wizard = make_wizard(qtbot, services, tmp_path)
    assert wizard.letter_date.displayFormat() == dates.qt_day_format()
    assert wizard.letter_date.text() == dates.day_text(TODAY)
    assert wizard.birth_date.text() == "Not known"
    wizard.letter_date.setDate(qdate(TODAY + timedelta(days=3)))
    problems = wizard.problems()
    future = dates.day_text(TODAY + timedelta(days=3))
    assert problems["Date on the letter"].startswith(f"The letter cannot be dated {future}")
    # Today's arrival is now before the (future) letter date: said at once too.
    assert "before the letter's date" in problems["Date it arrived"]
    assert not wizard.denialPage.isComplete()  # type: ignore[attr-defined]
    wizard.letter_date.setDate(qdate(LETTER))
    wizard.received_date.setDate(qdate(LETTER - timedelta(days=1)))
    assert list(wizard.problems()) == ["Date it arrived"]
    assert dates.day_text(LETTER) in wizard.problems()["Date it arrived"]
    wizard.received_date.setDate(qdate(RECEIVED))
    assert wizard.problems() == {}


def test_contact_details_are_checked_as_typed(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    wizard = make_wizard(qtbot, services, tmp_path)
    qtbot.keyClicks(wizard.email, "dana@")
    assert "not an email address" in wizard.problems()["Claimant's email"]
    qtbot.keyClicks(wizard.email, "example.org")
    qtbot.keyClicks(wizard.phone, "ask her son")
    assert list(wizard.problems()) == ["Claimant's phone"]
    assert not wizard.claimantPage.isComplete()  # type: ignore[attr-defined]
    wizard.phone.setText("020 7946 0958")
    qtbot.keyClicks(wizard.fax, "fax it")
    assert "not a telephone number" in wizard.problems()["Appeals fax"]
    assert not wizard.insurerPage.isComplete()  # type: ignore[attr-defined]
    wizard.birth_date.setDate(qdate(TODAY + timedelta(days=40)))
    assert "after today" in wizard.problems()["Date of birth"]


def test_a_known_insurer_fills_in_its_address(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    services.claims.add_organisation(
        "Acme Health Plan", "insurer", department="Appeals Unit", address="PO Box 7"
    )
    wizard = make_wizard(qtbot, services, tmp_path)
    qtbot.keyClicks(wizard.claimant, "Dana")
    qtbot.keyClicks(wizard.insurer, "acme health plan")
    for _ in range(3):
        wizard.next()
    assert wizard.currentPage().objectName() == "insurerPage"
    assert wizard.department.text() == "Appeals Unit"
    assert wizard.insurer_address.toPlainText() == "PO Box 7"
    assert "Filled in from what ClaimDesk holds for Acme Health Plan" in (
        wizard.insurer_known.text()
    )


def test_a_bad_entry_keeps_the_wizard_and_the_typing(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    wizard = make_wizard(qtbot, services, tmp_path)
    fill(qtbot, wizard)
    wizard.country.setEditText("USA")  # not a two-letter code
    assert "not a country code" in wizard.problems()["Country"]
    shown: list[tuple[str, str]] = []
    wizard.confirm = lambda title, text: shown.append((title, text))
    wizard.accept()
    assert wizard.created is None and wizard.isVisible()
    assert shown and "not a country code" in shown[0][1]
    assert wizard.claimant.text() == "Dana Whitfield"
    assert services.claims.list_claims() == []


def test_case_details_refuse_zz_and_keep_the_typing(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QLineEdit

    from claimdesk.gui.case_details_dialog import CaseDetailsDialog
    from tests.gui_support import open_case

    claim_id = open_case(services)
    prompts = RecordingPrompts()
    dialog = CaseDetailsDialog(
        services.claims.get(claim_id),
        lambda changes, version: services.claims.update_case(claim_id, version, **changes),
        prompts,
    )
    qtbot.addWidget(dialog)
    region = child(dialog, QLineEdit, "regionEdit")
    region.setText("ZZ")
    dialog.accept()
    assert prompts.shown and prompts.shown[0][1] == "Cannot save the case details"
    assert "'ZZ' is not a state or territory of the United States" in prompts.shown[0][2]
    assert region.text() == "ZZ" and services.claims.get(claim_id).region == "CA"

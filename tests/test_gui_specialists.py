"""The Specialists panel: who fits the claim, the directory, conflicts, second opinions."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QLineEdit,
    QPlainTextEdit,
)
from pytestqt.qtbot import QtBot

from claimdesk.gui import theme
from claimdesk.gui.dialogs import OptionalDate
from claimdesk.gui.panels.specialists import (
    CONFLICT,
    CONFLICT_TEXT,
    NAME,
    OpinionModel,
    SpecialistModel,
    SpecialistsPanel,
)
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.models.enums import OpinionStatus, ReviewMode
from claimdesk.services import ClaimInput, Services
from tests.gui_support import field, filler, follow_changes, make_env, refreshed, settled
from tests.pinned import TODAY
from tests.test_gui_theme import PALETTES


def cardiac_case(services: Services, country: str = "US") -> int:
    return services.claims.open_case(
        ClaimInput(
            claimant_name="Maria Lopez",
            plan_type="erisa_group_health",
            claim_type="health",
            clinical_area="cardiac",
            country=country,
            region="CA" if country == "US" else "",
            insurer_name="Acme Health Plan",
            denial_received_date=TODAY - timedelta(days=20),
            denial_category="medical_necessity",
        )
    ).id


@pytest.fixture
def panel(qtbot: QtBot, services: Services, tmp_path: Path) -> SpecialistsPanel:
    claim_id = cardiac_case(services)
    services.specialists.add(
        name="Dr. Amara Osei",
        specialty="Cardiology",
        subspecialty="Electrophysiology",
        institution="University Hospital",
        academic=True,
        board_certification="Clinical Cardiac Electrophysiology",
    )
    services.specialists.add(
        name="Dr. Quick Review",
        specialty="Cardiology",
        institution="Insurer Medical Group",
        conflict_of_interest=True,
        conflict_notes="Does about 40 IMEs a year for Acme Health Plan.",
    )
    services.specialists.add(name="Dr. Nia Park", specialty="Oncology")
    env = make_env(services, tmp_path)
    widget = SpecialistsPanel(env, claim_id)
    # Stand in for the workspace, which refreshes a panel when its records change.
    follow_changes(widget)
    qtbot.addWidget(widget)
    refreshed(widget)
    widget.show()
    return widget


def names(panel: SpecialistsPanel) -> list[str]:
    return [r.name for r in panel.directory.rows]


def select(panel: SpecialistsPanel, name: str) -> None:
    panel.directory_view.selectRow(names(panel).index(name))


def prompts(panel: SpecialistsPanel) -> RecordingPrompts:
    assert isinstance(panel.env.prompts, RecordingPrompts)
    return panel.env.prompts


def test_the_suggestion_matches_the_claim(panel: SpecialistsPanel) -> None:
    text = panel.suggestion.text()
    assert "Cardiology (interventional or clinical)" in text
    assert "electrophysiologist" in text
    assert "certificationmatters.org" in text


def test_a_british_case_points_to_the_royal_colleges(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    widget = SpecialistsPanel(make_env(services, tmp_path), cardiac_case(services, "GB"))
    qtbot.addWidget(widget)
    refreshed(widget)
    assert "royal college" in widget.suggestion.text().lower()


def test_search_filters_the_directory(qtbot: QtBot, panel: SpecialistsPanel) -> None:
    assert names(panel) == ["Dr. Amara Osei", "Dr. Nia Park", "Dr. Quick Review"]
    qtbot.keyClicks(panel.search, "oncol")
    settled(panel)
    assert names(panel) == ["Dr. Nia Park"]
    panel.search.clear()
    qtbot.keyClicks(panel.search, "university")
    settled(panel)
    assert names(panel) == ["Dr. Amara Osei"]
    model = panel.directory
    assert "academic" in model.index(0, 2).data()


def test_a_conflict_is_impossible_to_miss(panel: SpecialistsPanel) -> None:
    model = panel.directory
    row = names(panel).index("Dr. Quick Review")
    conflict = model.index(row, CONFLICT)
    assert conflict.data() == CONFLICT_TEXT
    assert model.data(conflict, Qt.ItemDataRole.FontRole).bold()
    assert model.data(conflict, Qt.ItemDataRole.ForegroundRole).color().name() == theme.DANGER.hex()
    assert "40 IMEs" in model.data(model.index(row, NAME), Qt.ItemDataRole.ToolTipRole)
    clean = names(panel).index("Dr. Amara Osei")
    assert model.index(clean, CONFLICT).data() == ""
    assert model.data(model.index(clean, NAME), Qt.ItemDataRole.ForegroundRole) is None


def test_starting_with_a_conflicted_specialist_asks_first(panel: SpecialistsPanel) -> None:
    prompts = panel.env.prompts
    assert isinstance(prompts, RecordingPrompts)
    prompts.answers = [False]
    select(panel, "Dr. Quick Review")
    panel.start_button.click()
    asked = [message for kind, _title, message in prompts.shown if kind == "choose"]
    assert len(asked) == 1 and "40 IMEs" in asked[0]
    assert panel.services.opinions.opinions(panel.claim_id) == []
    assert panel.opinions.rowCount() == 0

    prompts.answers = [True]
    panel.start_button.click()
    opinions = panel.services.opinions.opinions(panel.claim_id)
    assert [o.specialist_name for o in opinions] == ["Dr. Quick Review"]
    assert panel.opinions.rowCount() == 1


def test_a_clean_specialist_starts_without_asking(panel: SpecialistsPanel) -> None:
    prompts = panel.env.prompts
    assert isinstance(prompts, RecordingPrompts)
    select(panel, "Dr. Amara Osei")
    panel.start_button.click()
    assert prompts.shown == []
    assert panel.opinions.index(0, 0).data() == "Dr. Amara Osei (Cardiology)"
    assert panel.opinions.index(0, 1).data() == OpinionStatus.IDENTIFIED.label


def test_adding_a_specialist_through_the_dialog(panel: SpecialistsPanel) -> None:
    def fill(dialog: QDialog) -> None:
        field(dialog, QLineEdit, "Name").setText("Dr. Lena Fox")
        field(dialog, QLineEdit, "Specialty").setText("Nephrology")
        field(dialog, QLineEdit, "Institution").setText("City Clinic")
        field(dialog, QLineEdit, "Fee").setText("450.00")
        field(dialog, QCheckBox, "Ties to the insurer (e.g. does IMEs for it)").setChecked(True)
        field(dialog, QPlainTextEdit, "Conflict notes").setPlainText("Paid consultant")
        verified = dialog.findChildren(OptionalDate)[0]
        verified.set_value(TODAY - timedelta(days=3))

    panel.run_dialog = filler(fill)
    panel.add_button.click()
    added = panel.services.specialists.search("Fox")[0]
    assert added.fee_minor == 45000 and added.fee_currency == "USD"
    assert added.conflict_of_interest and added.conflict_notes == "Paid consultant"
    assert added.certification_verified_on == TODAY - timedelta(days=3)
    assert "Dr. Lena Fox" in names(panel)


def test_adding_without_a_specialty_shows_the_error_and_keeps_the_typing(
    panel: SpecialistsPanel,
) -> None:
    seen: list[str] = []

    def run(dialog: QDialog) -> bool:
        name = field(dialog, QLineEdit, "Name")
        seen.append(name.text())  # type: ignore[attr-defined]
        name.setText("Dr. No Specialty")  # type: ignore[attr-defined]
        return len(seen) == 1  # OK the first time; after the error, Cancel

    panel.run_dialog = run
    panel.add_button.click()
    assert prompts(panel).shown and prompts(panel).shown[-1][0] == "error"
    assert seen == ["", "Dr. No Specialty"]  # the dialog came back as typed
    assert panel.services.specialists.search("No Specialty") == []


def test_editing_a_specialist_records_a_conflict(panel: SpecialistsPanel) -> None:
    select(panel, "Dr. Nia Park")
    assert panel.edit_button.isEnabled()

    def fill(dialog: QDialog) -> None:
        assert field(dialog, QLineEdit, "Specialty").text() == "Oncology"  # type: ignore[attr-defined]
        field(dialog, QLineEdit, "Institution").setText("Lakeside Cancer Center")  # type: ignore[attr-defined]
        field(dialog, QCheckBox, "Ties to the insurer (e.g. does IMEs for it)").setChecked(True)  # type: ignore[attr-defined]
        field(dialog, QPlainTextEdit, "Conflict notes").setPlainText("Sits on Acme's panel")  # type: ignore[attr-defined]

    panel.run_dialog = filler(fill)
    panel.edit_button.click()
    [park] = panel.services.specialists.search("Nia Park")
    assert park.institution == "Lakeside Cancer Center" and park.specialty == "Oncology"
    assert park.conflict_of_interest and park.conflict_notes == "Sits on Acme's panel"
    row = names(panel).index("Dr. Nia Park")
    assert panel.directory.index(row, CONFLICT).data() == CONFLICT_TEXT


def test_updating_a_second_opinion(panel: SpecialistsPanel) -> None:
    select(panel, "Dr. Amara Osei")
    panel.start_button.click()
    panel.opinions_view.selectRow(0)

    def fill(dialog: QDialog) -> None:
        status = field(dialog, QComboBox, "Status")
        status.setCurrentIndex(status.findData(OpinionStatus.REPORT_RECEIVED))
        mode = field(dialog, QComboBox, "Examination or records only")
        mode.setCurrentIndex(mode.findData(ReviewMode.EXAMINATION))
        dates = dialog.findChildren(OptionalDate)
        dates[0].set_value(TODAY - timedelta(days=10))  # briefed
        dates[2].set_value(TODAY - timedelta(days=1))  # report received
        field(dialog, QCheckBox, "Briefing included the denial reasoning").setChecked(True)
        field(dialog, QCheckBox, "A full written report (not a brief note)").setChecked(True)
        field(dialog, QPlainTextEdit, "Guidelines cited").setPlainText("ACC/AHA 2023")
        field(dialog, QLineEdit, "CPT code").setText("99205")
        field(dialog, QLineEdit, "Billed").setText("600.00")
        field(dialog, QLineEdit, "Allowed by the plan").setText("450")
        field(dialog, QLineEdit, "Owed by the claimant").setText("150.00")

    panel.run_dialog = filler(fill)
    panel.update_button.click()
    opinion = panel.services.opinions.opinions(panel.claim_id)[0]
    assert opinion.status == OpinionStatus.REPORT_RECEIVED
    assert opinion.review_mode == ReviewMode.EXAMINATION
    assert opinion.briefed_on == TODAY - timedelta(days=10) and opinion.briefing_included_denial
    assert opinion.report_is_full and opinion.cpt_code == "99205"
    assert (opinion.billed_minor, opinion.allowed_minor, opinion.owed_minor) == (
        60000,
        45000,
        15000,
    )
    assert opinion.paid_minor is None
    assert panel.opinions.index(0, 6).data() == "USD 600.00"
    assert panel.opinions.index(0, 5).data() == "Yes"


def test_a_bad_amount_is_explained_and_nothing_changes(panel: SpecialistsPanel) -> None:
    select(panel, "Dr. Amara Osei")
    panel.start_button.click()
    panel.opinions_view.selectRow(0)
    panel.run_dialog = filler(lambda d: field(d, QLineEdit, "Billed").setText("six hundred"))
    panel.update_button.click()
    assert prompts(panel).shown[-1][:2] == ("error", "Cannot update the second opinion")
    assert panel.services.opinions.opinions(panel.claim_id)[0].billed_minor is None


def test_optional_date_is_empty_until_ticked(qtbot: QtBot) -> None:
    widget = OptionalDate("Briefed on")
    qtbot.addWidget(widget)
    assert widget.value() is None and not widget.edit.isEnabled()
    widget.known.setChecked(True)
    widget.edit.setDate(QDate(2026, 3, 2))
    assert widget.value() == date(2026, 3, 2)


def test_models_pass_the_model_tester(qtmodeltester, panel: SpecialistsPanel) -> None:  # type: ignore[no-untyped-def]
    select(panel, "Dr. Amara Osei")
    panel.start_button.click()
    qtmodeltester.check(panel.directory)
    qtmodeltester.check(panel.opinions)
    qtmodeltester.check(SpecialistModel())
    qtmodeltester.check(OpinionModel())


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_search_hint_reads_in_either_scheme(
    qtbot: QtBot, qapp: QApplication, panel: SpecialistsPanel, scheme: str
) -> None:
    before = QApplication.palette()
    qapp.setPalette(PALETTES[scheme]())
    try:
        hint = theme.MUTED.dark if scheme == "dark" else theme.MUTED.light
        qtbot.waitUntil(
            lambda: panel.search.palette().color(QPalette.ColorRole.PlaceholderText).name() == hint
        )
        palette = panel.search.palette()
        shown = palette.color(QPalette.ColorRole.PlaceholderText)
        assert shown.alpha() == 255
        assert theme.contrast(shown, palette.color(QPalette.ColorRole.Base)) >= 4.5
    finally:
        qapp.setPalette(before)

"""The new-case wizard: jurisdiction, plan, claim type and the denial, then the case is opened."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
    QWizard,
    QWizardPage,
)

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.dialogs import date_edit, picked
from claimdesk.gui.env import GuiEnv
from claimdesk.models.enums import ClaimType, ClinicalArea, DenialCategory, LabelledEnum, PlanType
from claimdesk.services import ClaimInput
from claimdesk.services.dto import ClaimDetail

W = TypeVar("W", bound=QWidget)

COUNTRIES = [
    ("United States", "US"),
    ("United Kingdom", "GB"),
    ("Australia", "AU"),
    ("Canada", "CA"),
    ("India", "IN"),
    ("Other (type the code)", ""),
]


def _combo(enum_cls: type[LabelledEnum], name: str) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    for member in enum_cls:
        combo.addItem(member.label, member)
    return combo


class _Page(QWizardPage):
    def __init__(self, title: str, subtitle: str) -> None:
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

    def line(self, label: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(placeholderText=placeholder)
        edit.setAccessibleName(label)
        self.form.addRow(f"{label}:", edit)
        return edit

    def text(self, label: str, placeholder: str = "") -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setPlaceholderText(placeholder)
        edit.setAccessibleName(label)
        edit.setTabChangesFocus(True)
        edit.setMinimumHeight(80)
        self.form.addRow(f"{label}:", edit)
        return edit

    def row(self, label: str, widget: W) -> W:
        self.form.addRow(f"{label}:", widget)
        return widget


class NewCaseWizard(QWizard):
    """Creates the case on Finish; a service error keeps the wizard open with the typing."""

    def __init__(self, env: GuiEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.created: ClaimDetail | None = None
        self.setWindowTitle("New case")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setMinimumSize(640, 560)

        who = _Page(
            "Who and which plan",
            "The claimant, the insurer and the kind of plan decide "
            "which rules and deadlines apply.",
        )
        self.claimant = who.line("Claimant's name")
        self.insurer = who.line("Insurer", "as on the denial letter")
        self.plan_type = who.row("Plan type", _combo(PlanType, "Plan type"))
        self.claim_type = who.row("Claim type", _combo(ClaimType, "Claim type"))
        self.country = QComboBox()
        self.country.setAccessibleName("Country")
        self.country.setEditable(True)
        for label, code in COUNTRIES:
            self.country.addItem(label, code)
        who.row("Country", self.country)
        self.region = who.line("State or province", "e.g. CA, NY, ON (optional)")
        self.plan_name = who.line("Plan name", "optional")
        self.claim_number = who.line("Insurer's claim number", "optional")
        self.urgent = QCheckBox("Urgent (a delay could seriously harm the claimant's health)")
        who.form.addRow("", self.urgent)

        denial = _Page(
            "The denial",
            "Copy the reason word for word: the appeal will quote it. "
            "The letter's date and the date it arrived start different clocks.",
        )
        self.letter_date = denial.row("Date on the letter", date_edit(name="Date on the letter"))
        self.received_date = denial.row("Date it arrived", date_edit(name="Date it arrived"))
        self.proof = denial.line(
            "Proof of receipt", "e.g. postmark, tracking number, portal timestamp"
        )
        self.category = denial.row("Why it was denied", _combo(DenialCategory, "Denial category"))
        self.category.setCurrentIndex(self.category.findData(DenialCategory.OTHER))
        self.reason = denial.text("Reason, word for word")
        self.service = denial.line("Service or treatment denied")
        self.area = denial.row("Medical area", _combo(ClinicalArea, "Medical area"))
        self.area.setCurrentIndex(self.area.findData(ClinicalArea.OTHER))  # never guess
        self.reviewer = denial.line("Insurer's reviewer", "name and credentials, if given")
        self.criteria = denial.line(
            "Criteria or guideline cited", "e.g. InterQual 2025, policy bulletin"
        )

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        done = _Page(
            "Ready to open the case",
            "ClaimDesk will work out the deadlines from these "
            "details; you can change any of them later.",
        )
        done.form.addRow(self.summary)
        done.initializePage = self._summarise  # type: ignore[method-assign]

        for page in (who, denial, done):
            self.addPage(page)
        self.claimant.textChanged.connect(who.completeChanged)
        self.insurer.textChanged.connect(who.completeChanged)
        who.isComplete = lambda: bool(self.claimant.text().strip() and self.insurer.text().strip())  # type: ignore[method-assign]
        self.confirm: Callable[[str, str], None] = lambda title, text: env.prompts.error(
            self, title, text
        )

    def _country(self) -> str:
        code = self.country.currentData()
        if self.country.currentText() != self.country.itemText(self.country.currentIndex()):
            code = None
        return str(code or self.country.currentText()).strip()

    def _summarise(self) -> None:
        from claimdesk.services.matching import suggest

        area = self.area.currentData()
        lines = [
            f"<b>{self.claimant.text().strip()}</b> against <b>{self.insurer.text().strip()}</b>",
            f"{self.plan_type.currentText()} · {self.claim_type.currentText()} · -".join(
                p for p in (self._country(), self.region.text().strip().upper()) if p
            ),
            f"Denied: {self.category.currentText()}",
        ]
        if area != ClinicalArea.OTHER:
            try:
                tip = suggest(area, self._country())
                lines.append(
                    f"Second opinion: look for <b>{', '.join(tip.specialties)}</b>. "
                    f"{tip.subspecialist} Verify certification at {tip.verify_at}."
                )
            except (ClaimDeskError, ValueError, KeyError):
                pass
        self.summary.setText("<br><br>".join(lines))

    def data(self) -> ClaimInput:
        reviewer = self.reviewer.text().strip()
        return ClaimInput(
            claimant_name=self.claimant.text(),
            plan_type=self.plan_type.currentData(),
            claim_type=self.claim_type.currentData(),
            country=self._country(),
            region=self.region.text(),
            insurer_name=self.insurer.text(),
            plan_name=self.plan_name.text(),
            insurer_claim_number=self.claim_number.text(),
            urgent=self.urgent.isChecked(),
            denial_letter_date=picked(self.letter_date),
            denial_received_date=picked(self.received_date),
            proof_of_receipt=self.proof.text(),
            denial_category=self.category.currentData(),
            denial_reason=self.reason.toPlainText(),
            disputed_service=self.service.text(),
            clinical_area=self.area.currentData(),
            reviewer_name=reviewer,
            criteria_cited=self.criteria.text(),
            assigned_to=self.env.services.user_name,
        )

    def accept(self) -> None:
        try:
            self.created = self.env.services.claims.open_case(self.data())
        except ClaimDeskError as error:
            self.confirm("The case was not created", str(error))
            return  # stay open: nothing typed is lost
        super().accept()


def set_day(edit: QDateEdit, year: int, month: int, day: int) -> None:
    edit.setDate(QDate(year, month, day))

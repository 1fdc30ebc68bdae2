"""The new-case wizard: jurisdiction, plan, claim type and the denial, then the case is opened."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
    QWizard,
    QWizardPage,
)

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.dialogs import picked
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.forms import child, load_form
from claimdesk.models.enums import ClaimType, ClinicalArea, DenialCategory, LabelledEnum, PlanType
from claimdesk.services import ClaimInput
from claimdesk.services.dto import ClaimDetail

COUNTRIES = [
    ("United States", "US"),
    ("United Kingdom", "GB"),
    ("Australia", "AU"),
    ("Canada", "CA"),
    ("India", "IN"),
    ("Other (type the code)", ""),
]


def _fill(combo: QComboBox, enum_cls: type[LabelledEnum]) -> QComboBox:
    for member in enum_cls:
        combo.addItem(member.label, member)
    return combo


class _Page(QWizardPage):
    """A page of the form whose completeness and entry the wizard decides."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.complete: Callable[[], bool] | None = None
        self.entered: Callable[[], None] | None = None

    def isComplete(self) -> bool:
        return super().isComplete() if self.complete is None else self.complete()

    def initializePage(self) -> None:
        if self.entered is not None:
            self.entered()


class NewCaseWizard(QWizard):
    """Creates the case on Finish; a service error keeps the wizard open with the typing.

    The pages, their fields and the tab order are ``ui/new_case_wizard.ui``.
    """

    def __init__(self, env: GuiEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.created: ClaimDetail | None = None
        load_form("new_case_wizard.ui", base=self, classes={"QWizardPage": _Page})

        who = child(self, _Page, "whoPage")
        self.claimant = child(self, QLineEdit, "claimantEdit")
        self.insurer = child(self, QLineEdit, "insurerEdit")
        self.plan_type = _fill(child(self, QComboBox, "planTypeCombo"), PlanType)
        self.claim_type = _fill(child(self, QComboBox, "claimTypeCombo"), ClaimType)
        self.country = child(self, QComboBox, "countryCombo")
        for label, code in COUNTRIES:
            self.country.addItem(label, code)
        self.region = child(self, QLineEdit, "regionEdit")
        self.plan_name = child(self, QLineEdit, "planNameEdit")
        self.claim_number = child(self, QLineEdit, "claimNumberEdit")
        self.urgent = child(self, QCheckBox, "urgentCheck")

        self.letter_date = child(self, QDateEdit, "letterDateEdit")
        self.received_date = child(self, QDateEdit, "receivedDateEdit")
        for edit in (self.letter_date, self.received_date):
            set_day(edit, env.clock.today())
        self.proof = child(self, QLineEdit, "proofEdit")
        self.category = _fill(child(self, QComboBox, "categoryCombo"), DenialCategory)
        self.category.setCurrentIndex(self.category.findData(DenialCategory.OTHER))
        self.reason = child(self, QPlainTextEdit, "reasonEdit")
        self.service = child(self, QLineEdit, "serviceEdit")
        self.area = _fill(child(self, QComboBox, "areaCombo"), ClinicalArea)
        self.area.setCurrentIndex(self.area.findData(ClinicalArea.OTHER))  # never guess
        self.reviewer = child(self, QLineEdit, "reviewerEdit")
        self.criteria = child(self, QLineEdit, "criteriaEdit")

        self.summary = child(self, QLabel, "summaryLabel")
        child(self, _Page, "donePage").entered = self._summarise

        self.claimant.textChanged.connect(who.completeChanged)
        self.insurer.textChanged.connect(who.completeChanged)
        who.complete = lambda: bool(self.claimant.text().strip() and self.insurer.text().strip())
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
        where = "-".join(p for p in (self._country(), self.region.text().strip().upper()) if p)
        lines = [
            f"<b>{escape(self.claimant.text().strip())}</b> against "
            f"<b>{escape(self.insurer.text().strip())}</b>",
            escape(
                " · ".join(
                    p
                    for p in (self.plan_type.currentText(), self.claim_type.currentText(), where)
                    if p
                )
            ),
            f"Denied: {escape(self.category.currentText())}",
        ]
        if area != ClinicalArea.OTHER:
            try:
                tip = suggest(area, self._country())
                specialties = escape(", ".join(tip.specialties))
                sentences = [f"Second opinion: look for <b>{specialties}</b>."]
                advice = tip.subspecialist.strip().rstrip(".")
                if advice:
                    sentences.append(f"{escape(advice[0].upper() + advice[1:])}.")
                sentences.append(f"Verify certification at {escape(tip.verify_at)}.")
                lines.append(" ".join(sentences))
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


def set_day(edit: QDateEdit, day: date) -> None:
    edit.setDate(QDate(day.year, day.month, day.day))

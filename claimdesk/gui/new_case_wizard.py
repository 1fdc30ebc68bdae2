"""The new-case wizard: who and which plan, the claimant's contact, the denial, where appeals go,
then a summary of everything; the case is opened on Finish.

Each field is checked as it is typed, with the reason under it, by the same rules the service
applies (claimdesk.services.validate); Next stays grey only while a message says why.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
    QWizard,
    QWizardPage,
)

from claimdesk import jurisdictions
from claimdesk.errors import ClaimDeskError
from claimdesk.gui import dates, theme
from claimdesk.gui.dialogs import picked
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.forms import child, load_form
from claimdesk.models.enums import (
    ClaimType,
    ClinicalArea,
    DenialCategory,
    LabelledEnum,
    OrganisationKind,
    PlanType,
)
from claimdesk.services import ClaimInput, OrganisationDetails
from claimdesk.services import validate as v
from claimdesk.services.dto import ClaimDetail, OrganisationRecord

if TYPE_CHECKING:
    from claimdesk.services.intake import LetterReading

COUNTRIES = [
    *((name, code) for code, name in jurisdictions.COUNTRY_NAMES.items()),
    ("Other (type the code)", ""),
]

# A date edit at its minimum shows "Not known" (its special value text): no date.
NO_DATE = QDate(1900, 1, 1)


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


class _Check:
    """One field's rule and the message under it, shown as soon as the field is typed in."""

    def __init__(self, page: _Page, widget: QWidget, rule: Callable[[], str]) -> None:
        self.page = page
        self.widget = widget
        self.rule = rule
        self.touched = False
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.message.setAccessibleName(f"Problem with {widget.accessibleName()}")
        self.message.hide()
        theme.follow(
            self.message,
            lambda: self.message.setStyleSheet(
                f"color: {theme.DANGER.hex(self.message.palette())}"
            ),
        )
        holder = widget.parentWidget()
        form = holder.layout() if holder is not None else None
        self._form = form if isinstance(form, QFormLayout) else None
        if self._form is not None:
            self._form.insertRow(_row_of(self._form, widget) + 1, "", self.message)
            self._form.setRowVisible(self.message, False)

    def problem(self) -> str:
        """The rule's message now ("" when the field is fine)."""
        try:
            return self.rule()
        except ClaimDeskError as error:
            return str(error)

    def run(self, *_: object) -> None:
        self.touched = True
        self.show()

    def show(self) -> None:
        text = self.problem() if self.touched else ""
        self.message.setText(text)
        if self._form is not None:
            self._form.setRowVisible(self.message, bool(text))  # no gap while all is well
        else:
            self.message.setVisible(bool(text))
        self.page.completeChanged.emit()


class NewCaseWizard(QWizard):
    """Creates the case on Finish; a service error keeps the wizard open with the typing.

    The pages, their fields and the tab order are ``ui/new_case_wizard.ui``.
    """

    def __init__(self, env: GuiEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.created: ClaimDetail | None = None
        load_form("new_case_wizard.ui", base=self, classes={"QWizardPage": _Page})
        self.today = env.clock.today()
        self.checks: list[_Check] = []

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
        self.member_id = child(self, QLineEdit, "memberIdEdit")
        self.policy_number = child(self, QLineEdit, "policyNumberEdit")
        self.group_number = child(self, QLineEdit, "groupNumberEdit")
        self.urgent = child(self, QCheckBox, "urgentCheck")
        self.region_name = QLabel()
        self.region_name.setEnabled(False)  # a quiet hint: "California"
        who_form = who.layout()
        assert isinstance(who_form, QFormLayout)
        who_form.insertRow(_row_of(who_form, self.region) + 1, "", self.region_name)
        self._insurers = self._known_insurers()
        completer = QCompleter(sorted(self._insurers), self.insurer)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.insurer.setCompleter(completer)

        contact = child(self, _Page, "claimantPage")
        self.birth_date = child(self, QDateEdit, "birthDateEdit")
        self.birth_date.setMinimumDate(NO_DATE)
        self.birth_date.setDate(NO_DATE)
        self.address = child(self, QPlainTextEdit, "addressEdit")
        self.phone = child(self, QLineEdit, "phoneEdit")
        self.email = child(self, QLineEdit, "emailEdit")

        denial = child(self, _Page, "denialPage")
        self.letter_date = child(self, QDateEdit, "letterDateEdit")
        self.received_date = child(self, QDateEdit, "receivedDateEdit")
        for edit in (self.letter_date, self.received_date, self.birth_date):
            edit.setDisplayFormat(dates.qt_day_format())
        for edit in (self.letter_date, self.received_date):
            set_day(edit, self.today)
        self.proof = child(self, QLineEdit, "proofEdit")
        self.category = _fill(child(self, QComboBox, "categoryCombo"), DenialCategory)
        self.category.setCurrentIndex(self.category.findData(DenialCategory.OTHER))
        self.reason = child(self, QPlainTextEdit, "reasonEdit")
        self.service = child(self, QLineEdit, "serviceEdit")
        self.area = _fill(child(self, QComboBox, "areaCombo"), ClinicalArea)
        self.area.setCurrentIndex(self.area.findData(ClinicalArea.OTHER))  # never guess
        self.reviewer = child(self, QLineEdit, "reviewerEdit")
        self.criteria = child(self, QLineEdit, "criteriaEdit")

        appeals = child(self, _Page, "insurerPage")
        self.department = child(self, QLineEdit, "departmentEdit")
        self.insurer_address = child(self, QPlainTextEdit, "insurerAddressEdit")
        self.fax = child(self, QLineEdit, "faxEdit")
        self.insurer_email = child(self, QLineEdit, "insurerEmailEdit")
        self.insurer_known = child(self, QLabel, "insurerKnownLabel")
        self._prefilled_for = ""
        appeals.entered = self._prefill_insurer

        self.summary = child(self, QLabel, "summaryLabel")
        child(self, _Page, "donePage").entered = self._summarise

        # ---- the checks, each where its field is --------------------------------------------
        self.claimant_check = self._check(
            who, self.claimant, lambda: _required(self.claimant, "the claimant's name")
        )
        self.insurer_check = self._check(
            who, self.insurer, lambda: _required(self.insurer, "the insurer's name")
        )
        self.country_check = self._check(who, self.country, self._country_problem)
        self.region_check = self._check(who, self.region, self._region_problem)
        self.phone_check = self._check(
            contact, self.phone, lambda: _quiet(v.phone, self.phone.text(), "Phone")
        )
        self.email_check = self._check(
            contact, self.email, lambda: _quiet(v.email, self.email.text(), "Email")
        )
        self.birth_check = self._check(contact, self.birth_date, self._birth_problem)
        self.letter_check = self._check(denial, self.letter_date, self._letter_problem)
        self.received_check = self._check(denial, self.received_date, self._received_problem)
        self.fax_check = self._check(
            appeals, self.fax, lambda: _quiet(v.phone, self.fax.text(), "Fax")
        )
        self.insurer_email_check = self._check(
            appeals,
            self.insurer_email,
            lambda: _quiet(v.email, self.insurer_email.text(), "Email"),
        )
        for line, check in (
            (self.claimant, self.claimant_check),
            (self.insurer, self.insurer_check),
            (self.region, self.region_check),
            (self.phone, self.phone_check),
            (self.email, self.email_check),
            (self.fax, self.fax_check),
            (self.insurer_email, self.insurer_email_check),
        ):
            line.textChanged.connect(check.run)
        self.country.currentTextChanged.connect(self.country_check.run)
        self.country.currentTextChanged.connect(self._recheck_region)
        self.region.textChanged.connect(self._name_region)
        self.birth_date.dateChanged.connect(self.birth_check.run)
        self.letter_date.dateChanged.connect(self.letter_check.run)
        # Either date changing can put the arrival before the letter.
        self.letter_date.dateChanged.connect(self._recheck_received)
        self.received_date.dateChanged.connect(self.received_check.run)
        # The dates hold a value from the start: their messages show at once.
        for check in (self.letter_check, self.received_check):
            check.touched = True
        self._complete_regions()
        self._name_region()
        for page in (who, contact, denial, appeals):
            page.complete = lambda p=page: self._page_ok(p)
        who.complete = lambda: (
            self._page_ok(who)
            and bool(self.claimant.text().strip() and self.insurer.text().strip())
        )
        self.confirm: Callable[[str, str], None] = lambda title, text: env.prompts.error(
            self, title, text
        )
        # The denial letter the case is started from (File ▸ New case from a denial letter).
        self.letter: LetterReading | None = None
        self.read_marks: dict[str, QWidget] = {}

    def fill_from(self, reading: LetterReading) -> None:
        """Fill in what was read from the letter, each field marked with the line it came from;
        the letter is attached to the case as its denial letter on Finish."""
        from claimdesk.gui.letter_fields import fill_wizard

        self.letter = reading
        self.setWindowTitle(f"New case from a denial letter: {reading.file_name}")
        fill_wizard(self, reading)

    # ---- checks ------------------------------------------------------------------------------

    def _check(self, page: _Page, widget: QWidget, rule: Callable[[], str]) -> _Check:
        check = _Check(page, widget, rule)
        self.checks.append(check)
        return check

    def _page_ok(self, page: _Page) -> bool:
        return not any(c.problem() for c in self.checks if c.page is page)

    def problems(self) -> dict[str, str]:
        """Every message now shown, by the field's accessible name (for tests and Finish)."""
        return {
            c.widget.accessibleName(): c.message.text() for c in self.checks if c.message.text()
        }

    def _country_problem(self) -> str:
        return _quiet(v.country, self._country(), "Country")

    def _region_problem(self) -> str:
        if self._country_problem():
            return ""  # the country's own message says what to fix first
        return _quiet(
            lambda value, label: v.region_of(v.country(self._country()), value, label),
            self.region.text(),
            "State or province",
        )

    def _recheck_region(self, *_: object) -> None:
        if self.region.text().strip():
            self.region_check.run()
        self._name_region()
        self._complete_regions()

    def _name_region(self, *_: object) -> None:
        code = self.region.text().strip().upper()
        country = self._country().upper()
        name = jurisdictions.region_name(country, code) if code else ""
        self.region_name.setText(name if name and name != code else "")
        form = self.region_name.parentWidget().layout()  # type: ignore[union-attr]
        if isinstance(form, QFormLayout):
            form.setRowVisible(self.region_name, bool(self.region_name.text()))

    def _complete_regions(self) -> None:
        codes = [code for code, _ in jurisdictions.regions(self._country())]
        completer = QCompleter(codes, self.region)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.region.setCompleter(completer)

    def _birth_problem(self) -> str:
        born = self._birth_day()
        if born is not None and born > self.today:
            return (
                f"The date of birth ({dates.day_text(born)}) is after today; check the year, "
                "or leave it at Not known."
            )
        return ""

    def _letter_problem(self) -> str:
        day = picked(self.letter_date)
        if day > self.today:
            return (
                f"The letter cannot be dated {dates.day_text(day)}: that is after today "
                f"({dates.day_text(self.today)}). Check the date printed on the letter."
            )
        return ""

    def _received_problem(self) -> str:
        day, letter = picked(self.received_date), picked(self.letter_date)
        if day > self.today:
            return (
                f"It cannot have arrived on {dates.day_text(day)}: that is after today "
                f"({dates.day_text(self.today)})."
            )
        if day < letter:
            return (
                f"It arrived on {dates.day_text(day)}, before the letter's date "
                f"({dates.day_text(letter)}): check both dates."
            )
        return ""

    def _recheck_received(self, *_: object) -> None:
        self.received_check.run()

    def _birth_day(self) -> date | None:
        return None if self.birth_date.date() == NO_DATE else picked(self.birth_date)

    def _country(self) -> str:
        code = self.country.currentData()
        if self.country.currentText() != self.country.itemText(self.country.currentIndex()):
            code = None
        return str(code or self.country.currentText()).strip()

    # ---- the insurer -------------------------------------------------------------------------

    def _known_insurers(self) -> dict[str, OrganisationRecord]:
        try:
            found = self.env.services.claims.organisations(OrganisationKind.INSURER)
        except ClaimDeskError:
            return {}
        return {o.name: o for o in found}

    def _prefill_insurer(self) -> None:
        """What ClaimDesk already holds for this insurer, offered once per insurer name."""
        name = " ".join(self.insurer.text().split())
        known = next(
            (o for n, o in self._insurers.items() if n.casefold() == name.casefold()), None
        )
        if known is None:
            self.insurer_known.setText(
                f"{escape(name)} is new to ClaimDesk: what you type here is kept for it."
            )
            return
        if self._prefilled_for.casefold() != name.casefold():
            self._prefilled_for = name
            self.department.setText(known.department)
            self.insurer_address.setPlainText(known.address)
            self.fax.setText(known.fax)
            self.insurer_email.setText(known.email)
        self.insurer_known.setText(
            f"Filled in from what ClaimDesk holds for {escape(known.name)}. "
            "A change here is kept for every case against it."
        )

    # ---- the summary -------------------------------------------------------------------------

    def _summarise(self) -> None:
        self.summary.setText(self.summary_html())

    def summary_html(self) -> str:
        """Every value entered, grouped as the pages ask them, with days in the app's format."""
        dash = "—"

        def day(value: date | None) -> str:
            return dates.day_text(value) if value else "Not known"

        country = self._country().upper()
        region = self.region.text().strip().upper()
        where = jurisdictions.COUNTRY_NAMES.get(country, country)
        if region:
            where += f", {jurisdictions.region_name(country, region)} ({country}-{region})"
        groups = [
            (
                "Who and which plan",
                [
                    ("Claimant", self.claimant.text()),
                    ("Insurer", self.insurer.text()),
                    ("Plan type", self.plan_type.currentText()),
                    ("Claim type", self.claim_type.currentText()),
                    ("Jurisdiction", where),
                    ("Plan name", self.plan_name.text()),
                    ("Insurer's claim number", self.claim_number.text()),
                    ("Member ID", self.member_id.text()),
                    ("Policy number", self.policy_number.text()),
                    ("Group number", self.group_number.text()),
                    ("Urgent", "Yes" if self.urgent.isChecked() else "No"),
                ],
            ),
            (
                "The claimant's contact",
                [
                    ("Date of birth", day(self._birth_day())),
                    ("Postal address", self.address.toPlainText()),
                    ("Phone", self.phone.text()),
                    ("Email", self.email.text()),
                ],
            ),
            (
                "The denial",
                [
                    ("Letter dated", day(picked(self.letter_date))),
                    ("Received", day(picked(self.received_date))),
                    ("Proof of receipt", self.proof.text()),
                    ("Why it was denied", self.category.currentText()),
                    ("Reason, word for word", self.reason.toPlainText()),
                    ("Service or treatment", self.service.text()),
                    ("Medical area", self.area.currentText()),
                    ("Insurer's reviewer", self.reviewer.text()),
                    ("Criteria cited", self.criteria.text()),
                ],
            ),
            (
                "Where the insurer's appeals go",
                [
                    ("Department", self.department.text()),
                    ("Postal address", self.insurer_address.toPlainText()),
                    ("Fax", self.fax.text()),
                    ("Email", self.insurer_email.text()),
                ],
            ),
        ]
        parts = []
        for title, rows in groups:
            cells = "".join(
                f"<tr><td style='padding-right:12px; vertical-align:top'>{escape(label)}:</td>"
                f"<td>{escape(value.strip()).replace(chr(10), '<br>') or dash}</td></tr>"
                for label, value in rows
            )
            parts.append(f"<p><b>{escape(title)}</b></p><table>{cells}</table>")
        tip = self._specialty_tip()
        if tip:
            parts.append(f"<p>{tip}</p>")
        return "".join(parts)

    def _specialty_tip(self) -> str:
        from claimdesk.services.matching import suggest

        area = self.area.currentData()
        if area == ClinicalArea.OTHER:
            return ""
        try:
            tip = suggest(area, self._country())
        except (ClaimDeskError, ValueError, KeyError):
            return ""
        specialties = escape(", ".join(tip.specialties))
        sentences = [f"Second opinion: look for <b>{specialties}</b>."]
        advice = tip.subspecialist.strip().rstrip(".")
        if advice:
            sentences.append(f"{escape(advice[0].upper() + advice[1:])}.")
        sentences.append(f"Verify certification at {escape(tip.verify_at)}.")
        return " ".join(sentences)

    # ---- finishing ---------------------------------------------------------------------------

    def data(self) -> ClaimInput:
        reviewer = self.reviewer.text().strip()
        return ClaimInput(
            claimant_name=self.claimant.text(),
            plan_type=self.plan_type.currentData(),
            claim_type=self.claim_type.currentData(),
            country=self._country(),
            region=self.region.text(),
            insurer_name=self.insurer.text(),
            claimant_birth_date=self._birth_day(),
            claimant_address=self.address.toPlainText(),
            claimant_phone=self.phone.text(),
            claimant_email=self.email.text(),
            plan_name=self.plan_name.text(),
            insurer_claim_number=self.claim_number.text(),
            member_id=self.member_id.text(),
            policy_number=self.policy_number.text(),
            group_number=self.group_number.text(),
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

    def insurer_details(self) -> OrganisationDetails:
        """Where the insurer's appeals go, as typed (blank fields keep what is held)."""
        return OrganisationDetails(
            department=self.department.text(),
            address=self.insurer_address.toPlainText(),
            fax=self.fax.text(),
            email=self.insurer_email.text(),
        )

    def accept(self) -> None:
        letter = (self.letter.file_name, self.letter.data) if self.letter is not None else None
        try:
            self.created = self.env.services.claims.open_case(
                self.data(), self.insurer_details(), denial_letter=letter
            )
        except ClaimDeskError as error:
            self.confirm("The case was not created", str(error))
            return  # stay open: nothing typed is lost
        if self.letter is not None:
            # Derived data: the case and its letter are already safe; if keeping the text
            # fails, search reads the letter again later (ScanService.unread).
            with contextlib.suppress(ClaimDeskError):
                self.env.services.intake.keep_text(self.letter)
        super().accept()


def _row_of(form: QFormLayout, widget: QWidget) -> int:
    """The form row holding ``widget`` (PySide's stub types the position as an object)."""
    position: tuple[int, object] = form.getWidgetPosition(widget)  # type: ignore[assignment]
    return position[0]


def _required(edit: QLineEdit, what: str) -> str:
    return "" if edit.text().strip() else f"Required: type {what}."


def _quiet(rule: Callable[[str, str], object], value: str, label: str) -> str:
    """The service rule's message for ``value`` ("" when it passes)."""
    try:
        rule(value, label)
    except ClaimDeskError as error:
        return str(error)
    return ""


def set_day(edit: QDateEdit, day: date) -> None:
    edit.setDate(QDate(day.year, day.month, day.day))

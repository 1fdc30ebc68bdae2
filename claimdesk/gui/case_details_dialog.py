"""Edit case details: what the new-case wizard asked, correctable later (its form is a .ui)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QWidget,
)

from claimdesk.errors import ClaimDeskError, ConflictError
from claimdesk.gui.forms import child, load_form
from claimdesk.gui.new_case_wizard import COUNTRIES
from claimdesk.gui.prompts import Prompts
from claimdesk.models.enums import ClaimType, ClinicalArea, DenialCategory, LabelledEnum, PlanType
from claimdesk.services.dto import ClaimDetail

# A date edit at its minimum shows "Not known" (its special value text): no date.
NO_DATE = QDate(1900, 1, 1)

# Form widget -> ClaimInput field, for the plain text fields.
LINES = {
    "claimantNameEdit": "claimant_name",
    "phoneEdit": "claimant_phone",
    "emailEdit": "claimant_email",
    "insurerEdit": "insurer_name",
    "administratorEdit": "plan_administrator_name",
    "planNameEdit": "plan_name",
    "policyEdit": "policy_number",
    "groupEdit": "group_number",
    "memberEdit": "member_id",
    "insurerClaimEdit": "insurer_claim_number",
    "regionEdit": "region",
    "serviceEdit": "disputed_service",
    "currencyEdit": "currency",
    "reviewerEdit": "reviewer_name",
    "credentialsEdit": "reviewer_credentials",
}
TEXTS = {
    "addressEdit": "claimant_address",
    "proofEdit": "proof_of_receipt",
    "reasonEdit": "denial_reason",
    "criteriaEdit": "criteria_cited",
}
DATES = {
    "birthDateEdit": "claimant_birth_date",
    "letterDateEdit": "denial_letter_date",
    "receivedDateEdit": "denial_received_date",
}
CHOICES: dict[str, tuple[str, type[LabelledEnum]]] = {
    "planTypeCombo": ("plan_type", PlanType),
    "claimTypeCombo": ("claim_type", ClaimType),
    "clinicalAreaCombo": ("clinical_area", ClinicalArea),
    "categoryCombo": ("denial_category", DenialCategory),
}


def format_amount(minor: int | None) -> str:
    return "" if minor is None else f"{minor / 100:,.2f}"


class CaseDetailsDialog(QDialog):
    """The case's details in three tabs; Save sends only what changed.

    ``save`` is called with the changed fields and the case's version the form was read at; a
    ClaimDeskError from it (a bad date, an unknown country) is shown and the dialog stays open
    with everything typed kept. A ConflictError (someone saved the case since) offers to
    ``reload`` it: their changes come into the form, what was typed stays, and only then can
    the typing be saved over theirs.
    """

    def __init__(
        self,
        claim: ClaimDetail,
        save: Callable[[dict[str, Any], int], object],
        prompts: Prompts,
        parent: QWidget | None = None,
        accounts: list[str] | None = None,
        reload: Callable[[], ClaimDetail] | None = None,
    ) -> None:
        """``accounts``: who a case can be assigned to (the enabled accounts, by name);
        ``reload``: the case as it is now, after a save was refused as a conflict."""
        super().__init__(parent)
        load_form("case_details_dialog.ui", base=self)
        self.setWindowTitle(f"Edit case details: {claim.case_number}")
        self._save = save
        self._reload = reload
        self._prompts = prompts
        self.version = claim.version
        self.tabs = child(self, QTabWidget, "tabs")
        self.lines = {field: child(self, QLineEdit, name) for name, field in LINES.items()}
        self.texts = {field: child(self, QPlainTextEdit, name) for name, field in TEXTS.items()}
        self.dates = {field: child(self, QDateEdit, name) for name, field in DATES.items()}
        self.choices = {}
        for name, (field, enum_cls) in CHOICES.items():
            combo = child(self, QComboBox, name)
            for member in enum_cls:
                combo.addItem(member.label, member)
            self.choices[field] = combo
        self.country = child(self, QComboBox, "countryCombo")
        for label, code in COUNTRIES:
            if code:
                self.country.addItem(f"{label} ({code})", code)
        self.assigned = self._assignee_combo(claim.assigned_to, accounts or [])
        self.amount = child(self, QLineEdit, "amountEdit")
        self.urgent = child(self, QCheckBox, "urgentCheck")
        for edit in self.dates.values():
            edit.setMinimumDate(NO_DATE)
        buttons = child(self, QDialogButtonBox, "buttons")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        self._fill(claim)
        self._original = self.values()

    def _assignee_combo(self, current: str, accounts: list[str]) -> QComboBox:
        """ "Assigned to" picks an account (or nobody), in the place of the form's text field."""
        typed = child(self, QLineEdit, "assignedEdit")
        combo = QComboBox(self)
        combo.setObjectName("assignedCombo")
        combo.setAccessibleName("Assigned to")
        combo.addItem("Nobody", "")
        for name in accounts:
            combo.addItem(name, name)
        if current and combo.findData(current) < 0:
            combo.addItem(f"{current} (disabled)", current)  # kept until changed
        holder = typed.parentWidget()
        layout = holder.layout() if holder is not None else None
        if layout is not None:
            layout.replaceWidget(typed, combo)
        for label in self.findChildren(QLabel):
            if label.buddy() is typed:
                label.setBuddy(combo)  # its Alt+T now opens the list
        typed.hide()
        typed.deleteLater()
        combo.setCurrentIndex(max(0, combo.findData(current)))
        return combo

    # ---- the form ----------------------------------------------------------------------------

    def _fill(self, claim: ClaimDetail) -> None:
        for field, edit in self.lines.items():
            edit.setText(str(getattr(claim, field) or ""))
        for field, text in self.texts.items():
            text.setPlainText(str(getattr(claim, field) or ""))
        for field, date_edit in self.dates.items():
            day: date | None = getattr(claim, field)
            date_edit.setDate(QDate(day.year, day.month, day.day) if day else NO_DATE)
        for field, combo in self.choices.items():
            combo.setCurrentIndex(max(0, combo.findData(getattr(claim, field))))
        index = self.country.findData(claim.country)
        if index >= 0:
            self.country.setCurrentIndex(index)
        else:
            self.country.setEditText(claim.country)
        self.amount.setText(format_amount(claim.amount_minor))
        self.urgent.setChecked(claim.urgent)

    def values(self) -> dict[str, Any]:
        """Every field as the form holds it, named as in ClaimInput."""
        values: dict[str, Any] = {f: e.text().strip() for f, e in self.lines.items()}
        values.update({f: t.toPlainText().strip() for f, t in self.texts.items()})
        for field, edit in self.dates.items():
            picked = edit.date()
            values[field] = (
                None if picked == NO_DATE else date(picked.year(), picked.month(), picked.day())
            )
        values.update({f: c.currentData() for f, c in self.choices.items()})
        country = self.country.currentData()
        if self.country.currentText() != self.country.itemText(self.country.currentIndex()):
            country = None  # typed over: take the text
        values["country"] = str(country or self.country.currentText()).strip().upper()
        values["amount"] = self.amount.text().strip() or None
        values["urgent"] = self.urgent.isChecked()
        values["assigned_to"] = str(self.assigned.currentData() or "")
        return values

    def put(self, field: str, value: Any) -> None:
        """Show ``value`` (as ``values()`` gives it) in the field's widget."""
        if field in self.lines:
            self.lines[field].setText(str(value or ""))
        elif field in self.texts:
            self.texts[field].setPlainText(str(value or ""))
        elif field in self.dates:
            day: date | None = value
            self.dates[field].setDate(QDate(day.year, day.month, day.day) if day else NO_DATE)
        elif field in self.choices:
            combo = self.choices[field]
            combo.setCurrentIndex(max(0, combo.findData(value)))
        elif field == "country":
            index = self.country.findData(value)
            if index >= 0:
                self.country.setCurrentIndex(index)
            else:
                self.country.setEditText(str(value))
        elif field == "amount":
            self.amount.setText(str(value or ""))
        elif field == "urgent":
            self.urgent.setChecked(bool(value))
        elif field == "assigned_to":
            if value and self.assigned.findData(value) < 0:
                self.assigned.addItem(f"{value} (disabled)", value)
            self.assigned.setCurrentIndex(max(0, self.assigned.findData(value)))

    def label(self, field: str) -> str:
        """The field's name as the form shows it (its label), for a message."""
        widget: QWidget | None = (
            self.lines.get(field)
            or self.texts.get(field)
            or self.dates.get(field)
            or self.choices.get(field)
            or {"country": self.country, "amount": self.amount, "assigned_to": self.assigned}.get(
                field
            )
        )
        if field == "urgent":
            return self.urgent.text().replace("&", "")
        for label in self.findChildren(QLabel):
            if widget is not None and label.buddy() is widget:
                return label.text().replace("&", "").rstrip(": ")
        return field.replace("_", " ").capitalize()

    def changes(self) -> dict[str, Any]:
        now = self.values()
        return {k: v for k, v in now.items() if self._original.get(k) != v}

    def has_unsaved_edits(self) -> bool:
        return bool(self.changes())

    # ---- saving and leaving ------------------------------------------------------------------

    def accept(self) -> None:
        changes = self.changes()
        if changes:
            try:
                self._save(changes, self.version)
            except ConflictError as error:
                self._offer_reload(error)
                return  # stay open: nothing typed is lost
            except ClaimDeskError as error:
                self._prompts.error(self, "Cannot save the case details", str(error))
                return  # stay open: nothing typed is lost
        super().accept()

    def _offer_reload(self, error: ConflictError) -> None:
        if self._reload is None:
            self._prompts.error(self, "Someone else changed this case", str(error))
            return
        if not self._prompts.choose(
            self,
            "Someone else changed this case",
            f"{error}\n\nReload the case to bring their changes into this form? What you "
            "typed stays as you typed it.",
            "Reload the case",
            "Keep editing",
        ):
            return
        try:
            fresh = self._reload()
        except ClaimDeskError as failed:
            self._prompts.error(self, "Cannot reload the case", str(failed))
            return
        self.merge(fresh)

    def merge(self, fresh: ClaimDetail) -> None:
        """Take the case as someone else saved it, keeping every field typed here: fields
        only they changed show their values; a field both changed keeps the typing, which a
        save now writes over theirs (it is the version just reloaded)."""
        typed = self.changes()
        before = self._original
        self._fill(fresh)
        self.put("assigned_to", fresh.assigned_to)
        theirs = self.values()
        self._original = theirs
        self.version = fresh.version
        for field, value in typed.items():
            self.put(field, value)
        changed = [f for f in theirs if theirs[f] != before.get(f)]
        both = [f for f in changed if f in typed]
        only_theirs = [f for f in changed if f not in typed]
        lines = []
        if only_theirs:
            lines.append(
                "Their changes are now in the form: "
                + ", ".join(f"“{self.label(f)}”" for f in only_theirs)
                + "."
            )
        if both:
            lines.append(
                "You and they both changed "
                + ", ".join(f"“{self.label(f)}”" for f in both)
                + ": your typing is kept there, and Save writes it over theirs."
            )
        if not lines:
            lines.append("Their changes were to fields you had not changed either way.")
        lines.append("Check the form, then Save, or Cancel to keep the case as they left it.")
        self._prompts.info(self, "The case was reloaded", " ".join(lines))

    def reject(self) -> None:
        if self.has_unsaved_edits() and not self._prompts.confirm(
            self,
            "Discard your changes?",
            "You have changed the case details without saving. Discard the changes?",
            "Discard",
        ):
            return
        super().reject()

"""Overview: who, which plan, the denial as written, where the case stands, what is missing."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from claimdesk import jurisdictions
from claimdesk.errors import ClaimDeskError
from claimdesk.gui import dates, theme
from claimdesk.gui.case_details_dialog import CaseDetailsDialog
from claimdesk.gui.case_source import CaseRecords
from claimdesk.gui.dates import moment_text
from claimdesk.gui.dialogs import FormDialog
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.modal import run_modal
from claimdesk.gui.panels.base import CasePanel
from claimdesk.models.enums import ClaimStatus, LabelledEnum, Outcome, Stage
from claimdesk.services.dto import ClaimDetail, NoteRecord
from claimdesk.services.readiness import ReadinessItem

FIX_PANEL_TITLES = {
    "calls": "Call log",
    "requests": "Requests",
    "specialists": "Specialists",
    "deadlines": "Deadlines",
}


# What the panel reads: the case, its appeal readiness and its notes.
Overview = tuple[ClaimDetail, list[ReadinessItem], list[NoteRecord]]


class OverviewPanel(CasePanel):
    key = "overview"
    title = "Overview"
    failure = "Cannot show the case"
    watches = frozenset(
        {
            "claim",
            "note",
            "call",
            "request",
            "second_opinion",
            "specialist",
            "deadline",
            "document",
            "organisation",
        }
    )

    def __init__(self, env: GuiEnv, claim_id: int, parent: QWidget | None = None) -> None:
        super().__init__(env, claim_id, parent)
        self.fields: dict[str, QLabel] = {}
        # Tests replace this so no modal dialog blocks them.
        self.run_dialog: Callable[[QDialog], bool] = run_dialog
        self._claim: ClaimDetail | None = None
        # Beside the insurer and the administrator: their addresses, kept once for every letter.
        self.insurer_address = self._address_button("insurer", "insurer_id")
        self.administrator_address = self._address_button(
            "plan administrator", "plan_administrator_id"
        )
        body = QWidget()
        columns = QHBoxLayout(body)
        left = QVBoxLayout()
        right = QVBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)

        left.addWidget(
            self._group(
                "Claimant and plan",
                [
                    ("claimant", "Claimant"),
                    ("born", "Date of birth"),
                    ("contact", "Contact"),
                    ("insurer", "Insurer"),
                    ("administrator", "Plan administrator"),
                    ("plan", "Plan"),
                    ("numbers", "Policy / group / member"),
                    ("claim_number", "Insurer's claim number"),
                    ("jurisdiction", "Jurisdiction"),
                ],
            )
        )
        left.addWidget(
            self._group(
                "The denial",
                [
                    ("service", "Disputed service"),
                    ("amount", "Amount"),
                    ("letter_date", "Letter dated"),
                    ("received", "Received"),
                    ("proof", "Proof of receipt"),
                    ("category", "Category"),
                    ("reason", "Reason, as written"),
                    ("reviewer", "Insurer's reviewer"),
                    ("criteria", "Criteria cited"),
                ],
            )
        )
        self.edit_button = QPushButton("&Edit case details…")
        self.edit_button.setToolTip("Correct or complete the claimant, plan and denial details")
        self.edit_button.clicked.connect(self.edit_details)
        edit_row = QHBoxLayout()
        edit_row.addWidget(self.edit_button)
        edit_row.addStretch(1)
        left.addLayout(edit_row)
        left.addStretch(1)

        state = QGroupBox("Where the case stands")
        form = QFormLayout(state)
        self.stage = _enum_combo(Stage, "Stage")
        self.status = _enum_combo(ClaimStatus, "Status")
        self.outcome = _enum_combo(Outcome, "Outcome")
        form.addRow("Stage", self.stage)
        form.addRow("Status", self.status)
        form.addRow("Outcome", self.outcome)
        self.assigned = QLabel()
        form.addRow("Assigned to", self.assigned)
        for combo, field in (
            (self.stage, "stage"),
            (self.status, "status"),
            (self.outcome, "outcome"),
        ):
            combo.activated.connect(lambda _=0, c=combo, f=field: self._set_state(f, c))
        right.addWidget(state)

        self.readiness_box = QGroupBox("Appeal readiness")
        self.readiness = QVBoxLayout(self.readiness_box)
        right.addWidget(self.readiness_box)

        notes_box = QGroupBox("Notes")
        notes_layout = QVBoxLayout(notes_box)
        self.notes = QVBoxLayout()
        notes_layout.addLayout(self.notes)
        self.add_note_button = QPushButton("Add a &note…")
        self.add_note_button.clicked.connect(self.add_note)
        note_row = QHBoxLayout()
        note_row.addWidget(self.add_note_button)
        note_row.addStretch(1)
        notes_layout.addLayout(note_row)
        right.addWidget(notes_box)
        right.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def _group(self, title: str, rows: list[tuple[str, str]]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        beside = {"insurer": self.insurer_address, "administrator": self.administrator_address}
        for key, label in rows:
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(label)
            self.fields[key] = value
            button = beside.get(key)
            if button is None:
                form.addRow(f"{label}:", value)
                continue
            row = QHBoxLayout()
            row.addWidget(value, 1)
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            form.addRow(f"{label}:", row)
        return box

    def _address_button(self, role: str, attribute: str) -> QPushButton:
        button = QPushButton("Address…")
        button.setAccessibleName(f"Address of the {role}")
        button.setToolTip(
            f"The {role}'s department, postal address, fax and email: "
            "entered once, used by every letter"
        )
        button.clicked.connect(lambda _=False: self.edit_organisation(attribute))
        return button

    def reads(self) -> Callable[[CaseRecords], Overview]:
        services, claim_id = self.services, self.claim_id

        def read(records: CaseRecords) -> Overview:
            claim = records.claim()
            return claim, services.readiness.check(claim_id), services.claims.notes(claim_id)

        return read

    def paint(self, data: Overview) -> None:
        claim, items, notes = data
        self._claim = claim
        self._show_claim(claim)
        self._show_readiness(items)
        self._show_notes(notes)

    def _show_claim(self, c: ClaimDetail) -> None:
        dash = "—"
        values = {
            "claimant": c.claimant_name,
            "born": _day(c.claimant_birth_date),
            "contact": " · ".join(p for p in (c.claimant_phone, c.claimant_email) if p) or dash,
            "insurer": c.insurer_name or dash,
            "administrator": c.plan_administrator_name or dash,
            "plan": f"{c.plan_name} ({c.plan_type.label})" if c.plan_name else c.plan_type.label,
            "numbers": " / ".join(
                p or dash for p in (c.policy_number, c.group_number, c.member_id)
            ),
            "claim_number": c.insurer_claim_number or dash,
            "jurisdiction": _jurisdiction(c.country, c.region),
            "service": c.disputed_service or dash,
            "amount": _money(c.amount_minor, c.currency),
            "letter_date": _day(c.denial_letter_date),
            "received": _day(c.denial_received_date),
            "proof": c.proof_of_receipt or dash,
            "category": c.denial_category.label,
            "reason": f"“{c.denial_reason}”" if c.denial_reason else dash,
            "reviewer": ", ".join(p for p in (c.reviewer_name, c.reviewer_credentials) if p)
            or dash,
            "criteria": c.criteria_cited or dash,
        }
        for key, text in values.items():
            self.fields[key].setText(text)
        self.insurer_address.setEnabled(c.insurer_id is not None)
        self.administrator_address.setVisible(c.plan_administrator_id is not None)
        for combo, value in (
            (self.stage, c.stage),
            (self.status, c.status),
            (self.outcome, c.outcome),
        ):
            combo.setCurrentIndex(combo.findData(value))
        self.assigned.setText(c.assigned_to or "Nobody")

    def _show_readiness(self, items: list[ReadinessItem]) -> None:
        _clear(self.readiness)
        problems = [i for i in items if not i.ok]
        self.readiness_box.setTitle(
            "Appeal readiness: ready"
            if not problems
            else f"Appeal readiness: {len(problems)} to fix"
        )
        for item in sorted(items, key=lambda i: i.ok):
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 2, 0, 2)
            mark = QLabel("✔" if item.ok else "✖")
            _colour_mark(mark, theme.SUCCESS if item.ok else theme.DANGER)
            mark.setAccessibleName("passed" if item.ok else "needs attention")
            text = QLabel(
                f"<b>{escape(item.title, quote=False)}</b><br>{escape(item.detail, quote=False)}"
            )
            text.setWordWrap(True)
            if item.alert:  # the insurer's deadline has passed: the claimant's door is open
                _colour_text(text, theme.DANGER)
            line.addWidget(mark, 0, Qt.AlignmentFlag.AlignTop)
            line.addWidget(text, 1)
            if not item.ok:
                fix = QPushButton(f"Open {FIX_PANEL_TITLES.get(item.fix_in, item.fix_in)}")
                fix.setAccessibleName(f"Fix: {item.title}")
                fix.clicked.connect(lambda _=False, key=item.fix_in: self._open(key))
                line.addWidget(fix, 0, Qt.AlignmentFlag.AlignTop)
            self.readiness.addWidget(row)

    def _show_notes(self, notes: list[NoteRecord]) -> None:
        _clear(self.notes)
        if not notes:
            empty = QLabel("No notes yet.")
            empty.setEnabled(False)
            self.notes.addWidget(empty)
        # The id breaks a tie: two notes can share an instant (a coarse clock, a pinned one).
        for note in sorted(notes, key=lambda n: (n.created_at, n.id), reverse=True):
            when = moment_text(note.created_at.astimezone())
            label = QLabel(
                f"<b>{html.escape(when)}</b> · {html.escape(note.created_by)}<br>"
                + html.escape(note.body).replace("\n", "<br>")
            )
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAccessibleName(f"Note of {when}")
            self.notes.addWidget(label)

    def add_note(self) -> None:
        dialog = FormDialog("Add a note", self)
        body = dialog.text("Note")
        body.setMinimumHeight(140)
        dialog.finish()
        while self.run_dialog(dialog):
            try:
                self.services.claims.add_note(self.claim_id, body.toPlainText())
            except ClaimDeskError as error:
                self.report("Cannot add the note", error)
                continue  # the dialog comes back with the text as typed
            return

    def edit_details(self) -> None:
        claim = self._claim
        if claim is None:
            return
        dialog = CaseDetailsDialog(
            claim,
            self._save_details,
            self.env.prompts,
            self,
            accounts=[a.name for a in self.services.accounts.assignable()],
            reload=lambda: self.services.claims.get(self.claim_id),
        )
        self.run_dialog(dialog)

    def _save_details(self, changes: dict[str, Any], version: int) -> None:
        # The saved case is the one a next edit starts from (its version), whenever the
        # change notice comes round to repaint the panel.
        self._claim = self.services.claims.update_case(self.claim_id, version, **changes)

    def edit_organisation(self, attribute: str) -> None:
        """The case's insurer (or administrator) in Tools ▸ Organisations, ready to edit."""
        from claimdesk.gui.organisations_dialog import OrganisationsDialog

        organisation_id = getattr(self._claim, attribute, None)
        if organisation_id is None:
            return
        dialog = OrganisationsDialog(self.env, self, select=organisation_id)
        self.run_dialog(dialog)
        dialog.deleteLater()

    def _open(self, key: str) -> None:
        workspace = self.parent()
        while workspace is not None and not hasattr(workspace, "show_panel"):
            workspace = workspace.parent()
        if workspace is not None:
            workspace.show_panel(key)

    def _set_state(self, field: str, combo: QComboBox) -> None:
        try:
            # From the version shown: a case someone changed meanwhile is refused, then shown
            # afresh, rather than changed behind a panel that showed something else.
            version = self._claim.version if self._claim is not None else None
            self._claim = self.services.claims.update_case(
                self.claim_id, version, **{field: combo.currentData()}
            )
        except Exception as error:
            self.report("Cannot change the case", error)
            # Read the case itself, not the lists kept since the last change heard here: the
            # change that refused this one may have come from another workstation unheard.
            self.source.forget_all()
            self.refresh()


def _colour_text(label: QLabel, tone: theme.Tone) -> None:
    def apply() -> None:
        label.setStyleSheet(f"color: {tone.hex(label.palette())}")

    theme.follow(label, apply)


def _colour_mark(mark: QLabel, tone: theme.Tone) -> None:
    def apply() -> None:
        mark.setStyleSheet(f"color: {tone.hex(mark.palette())}; font-weight: bold")

    theme.follow(mark, apply)


def run_dialog(dialog: QDialog) -> bool:
    # Through run_modal: the idle lock hides the dialog and gives it back with its typing.
    return run_modal(dialog)


def _clear(layout: QVBoxLayout) -> None:
    while layout.count():
        old = layout.takeAt(0)
        widget = old.widget() if old is not None else None
        if widget is not None:
            widget.deleteLater()


def _enum_combo(enum_cls: type[LabelledEnum], name: str) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    for member in enum_cls:
        combo.addItem(member.label, member)
    return combo


def _day(value: date | None) -> str:
    return dates.day_text(value) if value else "—"


def _jurisdiction(country: str, region: str) -> str:
    """ "California, United States (US-CA)": the names, with the code the rules use."""
    code = "-".join(p for p in (country, region) if p)
    names = [jurisdictions.region_name(country, region)] if region else []
    names.append(jurisdictions.COUNTRY_NAMES.get(country, country))
    named = ", ".join(n for n in names if n)
    return code if named == code else f"{named} ({code})"


def _money(minor: int | None, currency: str) -> str:
    if minor is None:
        return "—"
    return f"{currency} {minor / 100:,.2f}"

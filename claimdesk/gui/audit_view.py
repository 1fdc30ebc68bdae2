"""Tools ▸ Audit trail: who did what to which case and when, for administrators.

Field names only, never their values (the trail holds no health data). Filters by person, case
and days; the events the filters match can be exported to CSV; "Check the chain" re-computes
the hash chain (services/audit.py). Reads run on the task runner, so a large office's trail
never stalls the window.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.dates import moment_text
from claimdesk.gui.dialogs import OptionalDate
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.guide import help_button
from claimdesk.gui.table_model import RecordTableModel, record_table
from claimdesk.services.audit import AuditFilter, ChainCheck, Choice, TrailEvent, TrailPage

# What the trail's record kinds are called on screen.
KIND_NAMES = {
    "claim": "Case",
    "second_opinion": "Second opinion",
    "ime": "IME",
}
ACTION_NAMES = {
    "create": "Created",
    "update": "Changed",
    "delete": "Deleted",
    "import": "Imported",
    "send": "Sent",
    "reorder": "Reordered",
    "amend": "Amended",
    "follow_up": "Followed up",
    "override": "Overrode",
    "receive": "Received",
    "withdraw": "Withdrew",
    "mark_sample": "Marked sample",
    "remove_sample": "Removed sample",
    "settle_sample": "Sample settled",
    "chain_file": "File recorded",
    "shown": "Shown",
    "disable": "Disabled",
}


def kind_name(entity: str) -> str:
    return KIND_NAMES.get(entity, entity.replace("_", " ").capitalize())


def action_name(action: str) -> str:
    return ACTION_NAMES.get(action, action.replace("_", " ").capitalize())


class AuditTableModel(RecordTableModel):
    """One row per audit event, newest first."""

    headers: ClassVar[tuple[str, ...]] = ("When", "Who", "Did", "Record", "Case", "Fields")
    WHEN, WHO, DID, RECORD, CASE, FIELDS = range(6)

    def cell(self, row: TrailEvent, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.FIELDS and row.fields:
                return row.fields.replace(",", ", ")
            if column == self.RECORD and row.sha256:
                return f"File SHA-256 {row.sha256}"
            if column == self.WHEN:
                return f"Event {row.id}, {row.occurred_at:%Y-%m-%d %H:%M:%S} UTC"
        return None

    def _text(self, row: TrailEvent, column: int) -> str:
        if column == self.WHEN:
            return moment_text(row.occurred_at.astimezone())
        if column == self.WHO:
            return row.user or "—"
        if column == self.DID:
            return action_name(row.action)
        if column == self.RECORD:
            number = f" {row.entity_id}" if row.entity_id is not None else ""
            return f"{kind_name(row.entity)}{number}"
        if column == self.CASE:
            return row.case_number or "—"
        return row.fields.replace("_", " ").replace(",", ", ")


class AuditDialog(QDialog):
    """The filters above, the events below, and the chain check and CSV export."""

    def __init__(self, env: GuiEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.services = env.services
        self.setWindowTitle("Audit trail")
        self.resize(1100, 640)
        self._asked = 0  # the latest read asked for; older answers are dropped

        self.person = QComboBox()
        self.person.setAccessibleName("Person")
        self.case = QComboBox()
        self.case.setAccessibleName("Case")
        self.case.setMinimumContentsLength(16)
        self.start = OptionalDate("From")
        self.end = OptionalDate("To")
        today = env.clock.today()
        for day in (self.start, self.end):
            day.set_value(today)
            day.set_value(None)
        filters = QHBoxLayout()
        for label, widget in (
            ("&Person:", self.person),
            ("&Case:", self.case),
            ("&From:", self.start),
            ("&To:", self.end),
        ):
            caption = QLabel(label)
            caption.setBuddy(widget.known if isinstance(widget, OptionalDate) else widget)
            filters.addWidget(caption)
            filters.addWidget(widget)
        filters.addStretch(1)

        self.model = AuditTableModel(self)
        self.table = record_table(
            self.model,
            "Audit events",
            stretch=(AuditTableModel.FIELDS,),
            widths={0: 190, 1: 150, 2: 120, 3: 140, 4: 120},
        )
        self.count = QLabel()
        self.count.setWordWrap(True)
        self.chain = QLabel()
        self.chain.setWordWrap(True)
        self.chain.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chain.hide()  # until the chain is checked

        self.verify_button = QPushButton("Check the &chain")
        self.verify_button.setToolTip(
            "Re-compute every event's hash and check every document's file against the "
            "SHA-256 recorded when it was attached"
        )
        self.verify_button.clicked.connect(self.verify)
        self.export_button = QPushButton("&Export CSV…")
        self.export_button.setToolTip("Write every event the filters match to a CSV file")
        self.export_button.clicked.connect(self.export)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        actions = QHBoxLayout()
        actions.addWidget(self.verify_button)
        actions.addWidget(self.export_button)
        actions.addStretch(1)
        actions.addWidget(help_button(self.guide_page, self))
        actions.addWidget(buttons)

        note = QLabel(
            "Who did what to which case, and when. The trail names the fields changed, never "
            "what they held."
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.chain)
        layout.addLayout(actions)

        self.person.addItem("Everyone", None)
        self.case.addItem("Every case", None)
        # The cases the trail names are a scan of it: read on the task runner, before the
        # first page of events (the runner keeps their order).
        audit = self.services.audit
        self.env.tasks.run(
            lambda: (audit.people(), audit.cases()),
            on_done=self._fill_choices,
            on_error=lambda error: self._failed(self._asked, error),
        )
        self.person.currentIndexChanged.connect(self.reload)
        self.case.currentIndexChanged.connect(self.reload)
        for day in (self.start, self.end):
            day.known.toggled.connect(self.reload)
            day.edit.dateChanged.connect(self.reload)
        self.reload()

    def guide_page(self) -> str:
        return "audit"

    def _gone(self) -> bool:
        # Closed and deleted while a read, the check or an export ran: its answer touches no
        # widget. (Closed by the idle lock, the dialog lives on and comes back as it was.)
        return not shiboken6.isValid(self)

    @classmethod
    def open_for(cls, env: GuiEnv, parent: QWidget | None = None) -> AuditDialog | None:
        """The dialog, or None after saying why the signed-in person may not read the trail."""
        try:
            env.services.audit.people()
        except ClaimDeskError as error:
            env.prompts.error(parent, "Audit trail", str(error))
            return None
        return cls(env, parent)

    def _fill_choices(self, found: tuple[list[Choice], list[Choice]]) -> None:
        if self._gone():
            return
        people, cases = found
        for choice in people:
            self.person.addItem(choice.label, choice.id)
        for choice in cases:
            self.case.addItem(choice.label, choice.id)

    def current_filter(self) -> AuditFilter:
        return AuditFilter(
            user_id=self.person.currentData(),
            claim_id=self.case.currentData(),
            start=self.start.value(),
            end=self.end.value(),
        )

    def reload(self) -> None:
        where = self.current_filter()
        self._asked += 1
        asked = self._asked
        self.count.setText("Reading the trail…")
        self.env.tasks.run(
            lambda: self.services.audit.trail(where),
            on_done=lambda page: self._show(asked, page),
            on_error=lambda error: self._failed(asked, error),
        )

    def _show(self, asked: int, page: TrailPage) -> None:
        if asked != self._asked or self._gone():
            return  # a newer filter's read is on its way, or the dialog is gone
        self.model.set_rows(page.events)
        shown = len(page.events)
        if page.truncated:
            self.count.setText(
                f"The newest {shown:,} events are shown. Choose a person, a case or days to "
                "see older ones, or export them all to CSV."
            )
        else:
            self.count.setText(f"{shown:,} event{'s' if shown != 1 else ''}.")

    def _failed(self, asked: int, error: BaseException) -> None:
        if asked != self._asked or self._gone():
            return
        self.model.set_rows([])
        if not isinstance(error, ClaimDeskError):
            raise error
        self.count.setText(str(error))

    def verify(self) -> None:
        self.verify_button.setEnabled(False)
        self.chain.show()
        self.chain.setText("Checking the chain and every document's file…")
        self.env.tasks.run(
            self.services.audit.verify, on_done=self._verified, on_error=self._verify_failed
        )

    def _verified(self, check: ChainCheck) -> None:
        if self._gone():
            return
        self.verify_button.setEnabled(True)
        if check.ok:
            self.chain.setText(
                f"The chain is intact: {check.events:,} events and {check.documents:,} "
                f"document files checked. Record integrity: {check.short_head}"
            )
            return
        self.chain.setText(f"The chain is broken at {check.problem}")
        self.env.prompts.error(
            self,
            "Audit trail",
            f"The audit trail was changed outside ClaimDesk: {check.problem}. Keep this "
            "database as it is for investigation, and restore a backup made before the change "
            "to go on working.",
        )

    def _verify_failed(self, error: BaseException) -> None:
        if self._gone():
            return
        self.verify_button.setEnabled(True)
        self.chain.setText("")
        if not isinstance(error, ClaimDeskError):
            raise error
        self.env.prompts.error(self, "Audit trail", str(error))

    def export(self) -> None:
        where = self.current_filter()
        path = self.env.prompts.save_path(
            self, "Export the audit trail", Path(_file_name(where)), "CSV file (*.csv)"
        )
        if path is None:
            return
        self.export_button.setEnabled(False)
        self.env.tasks.run(
            lambda: self.services.audit.export_csv(path, where),
            on_done=lambda count: self._exported(path, count),
            on_error=self._export_failed,
        )

    def _exported(self, path: Path, count: int) -> None:
        if self._gone():
            return
        self.export_button.setEnabled(True)
        self.env.prompts.info(
            self, "Audit trail", f"{count:,} event{'s' if count != 1 else ''} written to {path}."
        )

    def _export_failed(self, error: BaseException) -> None:
        if self._gone():
            return
        self.export_button.setEnabled(True)
        if not isinstance(error, ClaimDeskError):
            raise error
        self.env.prompts.error(self, "The audit trail was not exported", str(error))


def _file_name(where: AuditFilter) -> str:
    days = [d.isoformat() for d in (where.start, where.end) if isinstance(d, date)]
    return "audit-trail" + "".join(f"-{d}" for d in days) + ".csv"

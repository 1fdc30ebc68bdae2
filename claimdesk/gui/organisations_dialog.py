"""Tools ▸ Organisations: insurers, administrators, regulators and their addresses, kept once.

The letters address whoever the case names; what is typed here is what every letter to that
organisation uses, so it is entered once and corrected in one place.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.env import GuiEnv
from claimdesk.models.enums import OrganisationKind
from claimdesk.services.dto import OrganisationRecord

# The one-line fields of the form, in order: (field, label, hint).
LINES = (
    ("name", "&Name", "as it signs its letters"),
    ("department", "&Department", "the part letters go to, e.g. Appeals Department"),
    ("phone", "&Phone", "e.g. +1 (312) 555-0144"),
    ("fax", "Fa&x", "for appeals sent by fax"),
    ("email", "&Email", "e.g. appeals@insurer.example"),
    ("portal", "P&ortal", "where documents are uploaded online"),
    ("website", "&Website", ""),
)


class OrganisationsDialog(QDialog):
    """A searchable list on the left, the chosen organisation's form on the right."""

    def __init__(
        self, env: GuiEnv, parent: QWidget | None = None, *, select: int | None = None
    ) -> None:
        super().__init__(parent)
        self.env = env
        self.services = env.services
        self.setWindowTitle("Organisations")
        self.resize(980, 620)
        self._records: list[OrganisationRecord] = []
        self._current: OrganisationRecord | None = None
        self._loaded: dict[str, object] = {}

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search by name, kind, department or address")
        self.search.setAccessibleName("Search organisations")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.list = QListWidget()
        self.list.setAccessibleName("Organisations")
        self.list.currentItemChanged.connect(self._picked)
        self.count = QLabel()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.list, 1)
        left_layout.addWidget(self.count)

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        form_widget = QWidget()
        form = QFormLayout(form_widget)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.heading)
        self.edits: dict[str, QLineEdit] = {}
        for name, label, hint in LINES:
            edit = QLineEdit()
            edit.setAccessibleName(label.replace("&", ""))
            edit.setPlaceholderText(hint)
            self.edits[name] = edit
            row_label = QLabel(f"{label}:")
            row_label.setBuddy(edit)
            form.addRow(row_label, edit)
            if name == "name":
                self.kind = QComboBox()
                self.kind.setAccessibleName("Kind")
                for member in OrganisationKind:
                    self.kind.addItem(member.label, member)
                kind_label = QLabel("&Kind:")
                kind_label.setBuddy(self.kind)
                form.addRow(kind_label, self.kind)
            if name == "department":
                self.address = QPlainTextEdit()
                self.address.setAccessibleName("Postal address")
                self.address.setPlaceholderText("Street or PO box, town, postcode: one per line")
                self.address.setTabChangesFocus(True)
                self.address.setFixedHeight(96)
                address_label = QLabel("Postal &address:")
                address_label.setBuddy(self.address)
                form.addRow(address_label, self.address)
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(72)
        notes_label = QLabel("No&tes:")
        notes_label.setBuddy(self.notes)
        form.addRow(notes_label, self.notes)
        self.uses = QLabel()
        self.uses.setWordWrap(True)
        self.uses.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.uses)

        self.new_button = QPushButton("&New organisation")
        self.new_button.clicked.connect(self.new)
        self.save_button = QPushButton("&Save")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.delete_button = QPushButton("De&lete…")
        self.delete_button.clicked.connect(self.delete)
        actions = QHBoxLayout()
        actions.addWidget(self.new_button)
        actions.addStretch(1)
        actions.addWidget(self.delete_button)
        actions.addWidget(self.save_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(form_widget)
        right_layout.addStretch(1)
        right_layout.addLayout(actions)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([360, 600])
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addWidget(splitter, 1)
        outer.addWidget(close)

        self.reload(select)

    # ---- the list ----------------------------------------------------------------------------

    def reload(self, select: int | None = None) -> None:
        """Read the organisations again and show ``select`` (or the first)."""
        try:
            self._records = self.services.claims.organisations()
        except ClaimDeskError as error:
            self.env.prompts.error(self, "Cannot read the organisations", str(error))
            self._records = []
        self._fill_list(select)

    def _fill_list(self, select: int | None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for record in self._records:
            item = QListWidgetItem(_list_text(record))
            item.setData(Qt.ItemDataRole.UserRole, record.id)
            item.setToolTip(record.address or "No postal address yet")
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._filter(self.search.text())
        wanted = select if select is not None else (self._current.id if self._current else None)
        row = next(
            (
                i
                for i in range(self.list.count())
                if self.list.item(i).data(Qt.ItemDataRole.UserRole) == wanted
                and not self.list.item(i).isHidden()
            ),
            next((i for i in range(self.list.count()) if not self.list.item(i).isHidden()), -1),
        )
        self.list.blockSignals(True)
        self.list.setCurrentRow(row)
        self.list.blockSignals(False)
        self._show(self._record(self.list.item(row)) if row >= 0 else None)

    def _filter(self, text: str) -> None:
        words = text.casefold().split()
        shown = 0
        for i in range(self.list.count()):
            item = self.list.item(i)
            record = self._record(item)
            haystack = (
                " ".join(
                    (record.name, record.kind.label, record.department, record.address)
                ).casefold()
                if record
                else ""
            )
            hidden = not all(word in haystack for word in words)
            item.setHidden(hidden)
            shown += not hidden
        total = self.list.count()
        if not total:
            self.count.setText("No organisations yet: New organisation adds one.")
        elif shown == total:
            self.count.setText(f"{total} organisation{'' if total == 1 else 's'}")
        else:
            self.count.setText(f"{shown} of {total} organisations match")

    def _record(self, item: QListWidgetItem | None) -> OrganisationRecord | None:
        if item is None:
            return None
        wanted = item.data(Qt.ItemDataRole.UserRole)
        return next((r for r in self._records if r.id == wanted), None)

    def _picked(self, item: QListWidgetItem | None, previous: QListWidgetItem | None) -> None:
        if self.has_unsaved_edits() and not self._discard():
            self.list.blockSignals(True)
            self.list.setCurrentRow(self.list.row(previous) if previous is not None else -1)
            self.list.blockSignals(False)
            return
        self._show(self._record(item))

    # ---- the form ----------------------------------------------------------------------------

    def _show(self, record: OrganisationRecord | None) -> None:
        self._current = record
        for name, edit in self.edits.items():
            edit.setText(getattr(record, name) if record else "")
        kind = record.kind if record else OrganisationKind.INSURER
        self.kind.setCurrentIndex(self.kind.findData(kind))
        self.address.setPlainText(record.address if record else "")
        self.notes.setPlainText(record.notes if record else "")
        self.delete_button.setEnabled(record is not None)
        self.heading.setText(
            f"<b>{_escape(record.name)}</b>" if record else "<b>A new organisation</b>"
        )
        self.uses.setText(self._uses_text(record))
        self._loaded = self.values()

    def _uses_text(self, record: OrganisationRecord | None) -> str:
        if record is None:
            return ""
        try:
            uses = self.services.claims.cases_using_organisation(record.id)
        except ClaimDeskError:
            return ""
        if not uses:
            return "No case uses it yet."
        named = ", ".join(f"{u.case_number} ({', '.join(u.roles)})" for u in uses[:6])
        more = f" and {len(uses) - 6} more" if len(uses) > 6 else ""
        return f"Used by {named}{more}."

    def values(self) -> dict[str, object]:
        """The form as typed, named as the service names the fields."""
        values: dict[str, object] = {name: edit.text() for name, edit in self.edits.items()}
        values["kind"] = self.kind.currentData()
        values["address"] = self.address.toPlainText()
        values["notes"] = self.notes.toPlainText()
        return values

    def has_unsaved_edits(self) -> bool:
        return self.values() != self._loaded

    def _discard(self) -> bool:
        return self.env.prompts.confirm(
            self,
            "Discard your changes?",
            "You have changed this organisation without saving. Discard the changes?",
            "Discard",
        )

    # ---- actions -----------------------------------------------------------------------------

    def new(self) -> None:
        if self.has_unsaved_edits() and not self._discard():
            return
        self.list.blockSignals(True)
        self.list.setCurrentRow(-1)
        self.list.blockSignals(False)
        self._show(None)
        self.edits["name"].setFocus()

    def save(self) -> bool:
        """Save the form (a new organisation when none is chosen); False when refused."""
        values = self.values()
        try:
            if self._current is None:
                name = str(values.pop("name"))
                kind = values.pop("kind")
                saved = self.services.claims.add_organisation(
                    name,
                    kind,  # type: ignore[arg-type]
                    **{k: str(v) for k, v in values.items()},
                )
            else:
                saved = self.services.claims.update_organisation(self._current.id, **values)
        except ClaimDeskError as error:
            self.env.prompts.error(self, "The organisation was not saved", str(error))
            return False  # the form keeps what was typed
        self._loaded = self.values()
        self._current = saved
        self.reload(saved.id)
        return True

    def delete(self) -> None:
        record = self._current
        if record is None:
            return
        if not self.env.prompts.confirm(
            self,
            "Delete the organisation?",
            f"Delete {record.name} and the people kept for it? This cannot be undone.",
            "Delete",
        ):
            return
        try:
            self.services.claims.delete_organisation(record.id)
        except ClaimDeskError as error:
            self.env.prompts.error(self, "The organisation was not deleted", str(error))
            return
        self._current = None
        self._loaded = {}
        self.reload()

    def reject(self) -> None:
        if self.has_unsaved_edits() and not self._discard():
            return
        super().reject()


def _list_text(record: OrganisationRecord) -> str:
    extra = f" · {record.department}" if record.department else ""
    missing = "" if record.address else "  (no address)"
    return f"{record.name}\n{record.kind.label}{extra}{missing}"


def _escape(text: str) -> str:
    from html import escape

    return escape(text)

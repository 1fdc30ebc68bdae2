"""Letters: what was written on the case, writing a new one, and marking it sent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from claimdesk.gui.case_source import CaseRecords
from claimdesk.gui.dates import day_text, moment_text
from claimdesk.gui.dialogs import FormDialog, picked
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.letter_dialog import WriteLetterDialog
from claimdesk.gui.modal import run_modal
from claimdesk.gui.panels.record_list import RecordPanel, button_row
from claimdesk.gui.table_model import RecordTableModel, record_table, selected_record
from claimdesk.letters.templates import describe_version_label
from claimdesk.models.enums import ContactMethod
from claimdesk.services.dto import LetterRecord

GENERATED, LETTER, RECIPIENT, SENT, METHOD, TEMPLATE = range(6)


class LetterModel(RecordTableModel):
    headers = ("Written", "Letter", "To", "Sent", "How", "Template")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.titles: dict[str, str] = {}

    def cell(self, row: LetterRecord, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and column == TEMPLATE:
            return f"Template {row.template_name}, version {row.template_version}"
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == GENERATED:
            return moment_text(row.generated_at.astimezone())
        if column == LETTER:
            return self.titles.get(row.kind, row.kind.replace("_", " ").capitalize())
        if column == RECIPIENT:
            return row.recipient
        if column == SENT:
            return day_text(row.sent_on) if row.sent_on else "Not yet"
        if column == METHOD:
            return row.sent_method.label if row.sent_method else ""
        if column == TEMPLATE:
            return describe_version_label(row.template_version)
        return None


class LettersPanel(RecordPanel):
    key = "letters"
    title = "Letters"
    watches = frozenset({"letter"})
    failure = "Cannot read the letters"

    def __init__(self, env: GuiEnv, claim_id: int, parent: QWidget | None = None) -> None:
        super().__init__(env, claim_id, parent)
        self.model = LetterModel(self)
        self.view = record_table(
            self.model, "Letters written on this case", stretch=(LETTER, RECIPIENT)
        )
        self.view.doubleClicked.connect(lambda *_: self.open_letter())
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())

        self.write_button = QPushButton("Write a letter…")
        self.write_button.setToolTip("Choose a template, check it on this case, generate it")
        self.write_button.clicked.connect(self.write_letter)
        self.open_button = QPushButton("Open")
        self.open_button.clicked.connect(self.open_letter)
        self.save_button = QPushButton("Save a copy…")
        self.save_button.clicked.connect(self.save_copy)
        self.sent_button = QPushButton("Mark sent…")
        self.sent_button.clicked.connect(self.mark_sent)
        self.packet_button = QPushButton("Export appeal packet…")
        self.packet_button.setToolTip(
            "The appeal letter, an exhibit index, the exhibits chosen in Documents and the "
            "chronology, as one paginated PDF"
        )
        self.packet_button.clicked.connect(self.export_packet)

        hint = QLabel(
            "Every letter written here is kept on the case (Documents) with the template "
            "version used. Mark it sent once it has gone, so the record shows when and how."
        )
        hint.setWordWrap(True)
        hint.setEnabled(False)  # the style's own muted text, readable in light and dark
        buttons = button_row(
            self.write_button, self.open_button, self.save_button, self.sent_button
        )
        buttons.addWidget(self.packet_button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        layout.addWidget(hint)
        self._update_buttons()

    def reads(self) -> Callable[[CaseRecords], tuple[dict[str, str], list[LetterRecord]]]:
        lettering = self.services.lettering

        def read(records: CaseRecords) -> tuple[dict[str, str], list[LetterRecord]]:
            titles = {t.kind: t.title for t in lettering.templates()}
            return titles, list(reversed(records.letters()))

        return read

    def paint(self, data: tuple[dict[str, str], list[LetterRecord]]) -> None:
        self.model.titles, letters = data
        self.fill(self.view, letters)
        self._update_buttons()

    def selected(self) -> LetterRecord | None:
        return selected_record(self.view)  # type: ignore[no-any-return]

    def _update_buttons(self) -> None:
        chosen = self.selected()
        has_file = chosen is not None and chosen.document_id is not None
        self.open_button.setEnabled(has_file)
        self.save_button.setEnabled(has_file)
        self.sent_button.setEnabled(chosen is not None)

    # -- acting -----------------------------------------------------------------------------

    def write_letter(self, kind: str | None = None) -> None:
        dialog = WriteLetterDialog(self.env, self.claim_id, self, kind=kind or None)
        if self.run_dialog(dialog) and dialog.generated is not None:
            self.refresh(then=lambda: self.view.selectRow(0))
            self.env.prompts.info(
                self,
                "Letter kept on the case",
                f"'{dialog.generated.title}' is kept on the case. Open it to print or send it, "
                "then use Mark sent… to record when and how it went.",
            )

    def _content(self, letter: LetterRecord) -> tuple[bytes, str] | None:
        if letter.document_id is None:
            return None
        try:
            info = self.services.documents.get(letter.document_id)
            return self.services.documents.content(letter.document_id), info.original_name
        except Exception as error:
            self.report("Cannot read the letter", error)
            return None

    def open_letter(self) -> None:
        letter = self.selected()
        found = self._content(letter) if letter else None
        if found is None:
            return
        data, name = found
        # A plain copy for the viewer, in this window's private folder (readable by this user
        # only), removed when the window closes (claimdesk/viewing.py).
        try:
            path = self.env.viewing.write(data, name)
        except OSError as error:
            self.env.prompts.error(
                self, "Cannot open the letter", f"A copy to view cannot be written: {error}."
            )
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def save_copy(self) -> None:
        letter = self.selected()
        found = self._content(letter) if letter else None
        if found is None:
            return
        data, name = found
        suffix = Path(name).suffix.lower()
        filters = "PDF (*.pdf)" if suffix == ".pdf" else "Word document (*.docx)"
        path = self.env.prompts.save_path(
            self, "Save a copy of the letter", Path.home() / name, filters
        )
        if path is None:
            return
        try:
            path.write_bytes(data)
        except OSError as error:
            self.env.prompts.error(
                self, "Cannot save the copy", f"'{path}' cannot be written: {error.strerror}."
            )

    def mark_sent(self) -> None:
        letter = self.selected()
        if letter is None:
            return
        dialog = FormDialog("Mark the letter sent", self, today=self.env.clock.today())
        sent = dialog.day("Sent on", letter.sent_on or self.env.clock.today())
        method = dialog.choice(
            "How it was sent", [(m.label, m) for m in ContactMethod if m is not ContactMethod.PHONE]
        )
        if letter.sent_method is not None:
            method.setCurrentIndex(max(0, method.findData(letter.sent_method)))
        dialog.finish()
        if not self.run_dialog(dialog):
            return
        try:
            self.services.letters.mark_sent(letter.id, picked(sent), method.currentData())
        except Exception as error:
            self.report("Cannot mark the letter sent", error)

    def export_packet(self) -> None:
        from claimdesk.gui.packet_dialog import PacketDialog

        run_modal(PacketDialog(self.env, self.claim_id, self))

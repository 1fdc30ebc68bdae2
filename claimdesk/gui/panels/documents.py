"""Documents: the files kept with a case, the appeal packet's order, and a preview."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from claimdesk.gui.case_source import CaseRecords
from claimdesk.gui.dates import day_text
from claimdesk.gui.dialogs import FormDialog, optional_day
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.panels.attach import Attacher
from claimdesk.gui.panels.document_preview import NO_PREVIEW, DocumentPreview
from claimdesk.gui.panels.record_list import RecordPanel, button_row
from claimdesk.gui.table_model import RecordTableModel, record_table, selected_record
from claimdesk.models.enums import DocumentKind
from claimdesk.services.dto import DocumentInfo

__all__ = ["NO_PREVIEW", "DocumentModel", "DocumentsPanel"]

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("In packet", "Date", "Kind", "Title", "Pages", "Size", "File")
IN_PACKET, DATE, KIND, TITLE, PAGES, SIZE, FILE = range(7)


def _day(value: date | None) -> str:
    return day_text(value) if value else ""


def file_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


class DocumentModel(RecordTableModel):
    headers = HEADERS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[DocumentInfo] = []

    def set_rows(self, rows: list[DocumentInfo]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (IN_PACKET, PAGES, SIZE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == IN_PACKET:
                return (
                    f"Item {row.packet_position} of the appeal packet"
                    if row.packet_position
                    else "Not in the appeal packet"
                )
            if row.description:
                return row.description
        return None

    def _text(self, row: DocumentInfo, column: int) -> str:
        if column == IN_PACKET:
            return str(row.packet_position) if row.packet_position else ""
        if column == DATE:
            return _day(row.document_date)
        if column == KIND:
            return row.kind.label
        if column == TITLE:
            return row.title
        if column == PAGES:
            return str(row.pages) if row.pages is not None else ""
        if column == SIZE:
            return file_size(row.size_bytes)
        if column == FILE:
            return row.original_name
        return ""


class DocumentsPanel(RecordPanel):
    key = "documents"
    title = "Documents"
    watches = frozenset({"document", "request", "letter", "second_opinion", "ime"})
    failure = "Cannot read the documents"

    def __init__(self, env: GuiEnv, claim_id: int, parent: QWidget | None = None) -> None:
        super().__init__(env, claim_id, parent)
        self.setAcceptDrops(True)
        self.model = DocumentModel(self)
        self.table = record_table(
            self.model,
            "Documents of this case",
            stretch=(TITLE,),
            widths={IN_PACKET: 70, DATE: 95, KIND: 170, PAGES: 50, SIZE: 70, FILE: 160},
        )
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selection_moved())

        self.add_button = QPushButton("Add files…")
        self.packet_button = QPushButton("Include in packet")
        self.up_button = QPushButton("Move up")
        self.down_button = QPushButton("Move down")
        self.save_button = QPushButton("Save a copy…")
        self.edit_button = QPushButton("Edit details…")
        self.edit_button.setToolTip("Correct the kind, title, date or description")
        self.edit_button.clicked.connect(self.edit_details)
        self.read_button = QPushButton("Read fields from this document…")
        self.read_button.setToolTip(
            "Read the denial letter's fields (dates, numbers, the reason) from this document "
            "and see what differs from the case"
        )
        self.read_button.clicked.connect(self.read_fields)
        self.add_button.clicked.connect(self.add_files)
        self.packet_button.clicked.connect(self.toggle_packet)
        self.up_button.clicked.connect(lambda: self.move_in_packet(-1))
        self.down_button.clicked.connect(lambda: self.move_in_packet(1))
        self.save_button.clicked.connect(self.save_copy)
        self.up_button.setToolTip("Earlier in the appeal packet")
        self.down_button.setToolTip("Later in the appeal packet")
        buttons = button_row(
            self.add_button,
            self.edit_button,
            self.read_button,
            self.packet_button,
            self.up_button,
            self.down_button,
            self.save_button,
        )
        self.summary = QLabel()
        self.summary.setAccessibleName("Documents summary")
        self.summary.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.summary)

        self.preview = DocumentPreview(self.env)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([700, 500])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        # Files are chosen and saved through the prompts (env.prompts.open_paths / save_path).
        self.attacher = Attacher(self)
        self._summary = ""
        self.reading = ""  # what the background reading of scans is doing
        self._listening = False
        self._update_buttons()

    # -- the list ---------------------------------------------------------------------------

    def reads(self) -> Callable[[CaseRecords], list[DocumentInfo]]:
        return lambda records: records.documents()

    def paint(self, data: list[DocumentInfo]) -> None:
        self.fill(self.table, data)
        rows = self.model.rows
        included = sum(1 for r in rows if r.packet_position)
        self._summary = (
            f"{len(rows)} document{'s' if len(rows) != 1 else ''}, {included} in the appeal "
            "packet. Drop files here to attach them."
            if rows
            else "No documents yet. Use “Add files…” or drop files here to keep them with the case."
        )
        self.show_summary()
        self._selection_moved()

    def show_summary(self) -> None:
        reading = f" {self.reading}" if self.reading else ""
        self.summary.setText(self.attacher.busy + self._summary + reading)

    def selected(self) -> DocumentInfo | None:
        return selected_record(self.table)  # type: ignore[no-any-return]

    def select_document(self, document_id: int) -> None:
        for row, document in enumerate(self.model.rows):
            if document.id == document_id:
                self.table.selectRow(row)
                return

    def _selection_moved(self) -> None:
        self._update_buttons()
        document = self.selected()
        if document is None:
            self.preview.clear()
        elif document.id != self.preview.shown_id:
            self.preview.show_document(document)

    def _update_buttons(self) -> None:
        document = self.selected()
        included = self._packet()
        self.packet_button.setEnabled(document is not None)
        self.save_button.setEnabled(document is not None)
        self.edit_button.setEnabled(document is not None)
        self.read_button.setEnabled(document is not None)
        in_packet = document is not None and document.id in included
        self.packet_button.setText("Leave out of packet" if in_packet else "Include in packet")
        self.up_button.setEnabled(in_packet and included.index(document.id) > 0)  # type: ignore[union-attr]
        self.down_button.setEnabled(
            in_packet and included.index(document.id) < len(included) - 1  # type: ignore[union-attr]
        )

    # -- adding -----------------------------------------------------------------------------

    def add_files(self) -> None:
        self.add_paths(self.env.prompts.open_paths(self, "Add documents to the case"))

    def add_paths(self, paths: list[Path]) -> None:
        """Check each file now, name the ones that cannot be kept, then file and attach the rest."""
        self.attacher.start([Path(p) for p in paths])

    def read_fields(self) -> None:
        """Read the selected document's fields and offer those that differ from the case."""
        from claimdesk.gui.letter_fields import read_fields_from_document

        document = self.selected()
        if document is None:
            return
        read_fields_from_document(
            self, self.env, self.claim_id, document.id, self.run_dialog, self.refresh
        )

    def read_scans(self) -> None:
        """Read the case's unread scans for search, off the GUI thread, one at a time."""
        from claimdesk.gui.scan_reader import ScanReader

        reader = ScanReader.of(self.env)
        if not self._listening:
            reader.status.connect(self._scan_status)
            self._listening = True
        reader.read_case(self.claim_id)

    def _scan_status(self, text: str) -> None:
        self.reading = text
        self.show_summary()

    def edit_details(self) -> None:
        document = self.selected()
        if document is None:
            return
        dialog = FormDialog(f"Document details: {document.original_name}", self)
        kind = dialog.choice("Kind of document", [(k.label, k) for k in DocumentKind])
        kind.setCurrentIndex(kind.findData(document.kind))
        title = dialog.line("Title", document.title)
        day = optional_day(dialog, "Date of the document", document.document_date)
        description = dialog.text("Description", document.description)
        dialog.finish()
        while self.run_dialog(dialog):
            try:
                self.services.documents.update(
                    document.id,
                    kind=kind.currentData(),
                    title=title.text(),
                    document_date=day.value(),
                    description=description.toPlainText(),
                )
            except Exception as error:
                self.report("Cannot change the document", error)
                continue  # the dialog comes back as typed
            self.refresh(then=lambda: self.select_document(document.id))
            return

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if mime.hasUrls() and any(url.isLocalFile() for url in mime.urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: Any) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        # Not inside the drop: the dialog must not hold the other application's drag open.
        QTimer.singleShot(0, lambda: self.add_paths(paths))

    # -- the packet -------------------------------------------------------------------------

    def _packet(self) -> list[int]:
        included = [d for d in self.model.rows if d.packet_position]
        return [d.id for d in sorted(included, key=lambda d: d.packet_position or 0)]

    def toggle_packet(self) -> None:
        document = self.selected()
        if document is None:
            return
        included = self._packet()
        if document.id in included:
            included.remove(document.id)
        else:
            included.append(document.id)
        self._set_packet(included, document.id)

    def move_in_packet(self, step: int) -> None:
        document = self.selected()
        included = self._packet()
        if document is None or document.id not in included:
            return
        at = included.index(document.id)
        to = at + step
        if not 0 <= to < len(included):
            return
        included[at], included[to] = included[to], included[at]
        self._set_packet(included, document.id)

    def _set_packet(self, order: list[int], keep: int) -> None:
        try:
            self.services.documents.set_packet_order(self.claim_id, order)
        except Exception as error:
            self.report("Cannot change the appeal packet", error)
        self.refresh(then=lambda: self.select_document(keep))

    # -- saving a copy ----------------------------------------------------------------------

    def save_copy(self) -> None:
        document = self.selected()
        if document is None:
            return
        path = self.env.prompts.save_path(
            self, "Save a copy", Path.home() / document.original_name, ""
        )
        if path is None:
            return
        try:
            Path(path).write_bytes(self.services.documents.content(document.id))
        except OSError as error:
            self.env.prompts.error(
                self, "Cannot save the copy", f"'{path}' cannot be written: {error.strerror}."
            )
        except Exception as error:
            self.report("Cannot save the copy", error)

    def preview_text(self) -> str:
        """What the preview area says (for tests and screen readers)."""
        return self.preview.shown_text()

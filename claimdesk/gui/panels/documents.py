"""Documents: the files kept with a case, the appeal packet's order, and a preview."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.dialogs import FormDialog, optional_day, picked
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.panels.base import CasePanel
from claimdesk.gui.table_model import RecordTableModel, record_table
from claimdesk.models.enums import DocumentKind
from claimdesk.services.dto import DocumentInfo

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("In packet", "Date", "Kind", "Title", "Pages", "Size", "File")
IN_PACKET, DATE, KIND, TITLE, PAGES, SIZE, FILE = range(7)
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/tiff"})
TEXT_TYPES = frozenset({"application/json", "application/xml"})
MAX_TEXT_PREVIEW = 2 * 1024 * 1024
NO_PREVIEW = "No preview for this kind of file; use Save a copy… to open it."
NOTHING_SELECTED = "Choose a document on the left to see it here."


def _day(value: date | None) -> str:
    return value.strftime("%d %b %Y") if value else ""


def file_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def is_text(media_type: str) -> bool:
    return media_type.startswith("text/") or media_type in TEXT_TYPES


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


@dataclass(frozen=True)
class RenderedPage:
    """A PDF page drawn off the GUI thread: raw RGBA bytes, turned into a pixmap on it."""

    index: int
    count: int
    width: int
    height: int
    stride: int
    pixels: bytes


class PreviewError(Exception):
    """The file cannot be shown (the reason is for the user)."""


def render_pdf_page(data: bytes, index: int, width_px: int) -> RenderedPage:
    """Draw one page about ``width_px`` wide. Runs on a worker: no widgets here."""
    from claimdesk.pdf import PDFIUM_LOCK

    # PDFium may not run on two threads at once (an attach may be counting pages through it).
    with PDFIUM_LOCK:
        return _render_pdf_page(data, index, width_px)


def _render_pdf_page(data: bytes, index: int, width_px: int) -> RenderedPage:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        reason = str(error).replace("Failed to load document", "").strip(" .")
        if "password" in reason.lower():
            raise PreviewError(
                "it is protected by a password. Use Save a copy… to open it elsewhere."
            ) from None
        raise PreviewError(f"it could not be opened {reason}.".replace("  ", " ")) from None
    try:
        count = len(pdf)
        if count == 0:
            raise PreviewError("it has no pages.")
        index = max(0, min(index, count - 1))
        page = pdf[index]
        try:
            scale = max(0.25, min(4.0, width_px / max(1.0, page.get_width())))
            bitmap = page.render(
                scale=scale, force_bitmap_format=pdfium_c.FPDFBitmap_BGRA, rev_byteorder=True
            )
            rendered = RenderedPage(
                index,
                count,
                bitmap.width,
                bitmap.height,
                bitmap.stride,
                bytes(bitmap.buffer),
            )
            bitmap.close()
            return rendered
        finally:
            page.close()
    except pdfium.PdfiumError as error:
        raise PreviewError(f"page {index + 1} could not be drawn ({error}).") from None
    finally:
        pdf.close()


class DocumentsPanel(CasePanel):
    key = "documents"
    title = "Documents"
    watches = frozenset({"document", "request", "letter", "second_opinion", "ime"})

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
        self.add_button.clicked.connect(self.add_files)
        self.packet_button.clicked.connect(self.toggle_packet)
        self.up_button.clicked.connect(lambda: self.move_in_packet(-1))
        self.down_button.clicked.connect(lambda: self.move_in_packet(1))
        self.save_button.clicked.connect(self.save_copy)
        self.up_button.setToolTip("Earlier in the appeal packet")
        self.down_button.setToolTip("Later in the appeal packet")
        buttons = QHBoxLayout()
        for button in (
            self.add_button,
            self.edit_button,
            self.packet_button,
            self.up_button,
            self.down_button,
            self.save_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.summary = QLabel()
        self.summary.setAccessibleName("Documents summary")
        self.summary.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.summary)

        # The preview: a message, an image (or PDF page) in a scroll area, or text.
        self.preview_title = QLabel()
        self.preview_title.setAccessibleName("Previewed document")
        self.preview_title.setWordWrap(True)
        self.message = QLabel(NOTHING_SELECTED)
        self.message.setAccessibleName("Preview message")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image = QLabel()
        self.image.setAccessibleName("Preview image")
        self.image.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.image_area = QScrollArea()
        self.image_area.setWidget(self.image)
        self.image_area.setWidgetResizable(True)
        self.image_area.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.image_area.installEventFilter(self)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Preview text")
        self.stack = QStackedWidget()
        for page in (self.message, self.image_area, self.text):
            self.stack.addWidget(page)
        self.previous_button = QPushButton("Previous page")
        self.next_button = QPushButton("Next page")
        self.page_label = QLabel()
        self.page_label.setAccessibleName("Page number")
        self.previous_button.clicked.connect(lambda: self._turn(-1))
        self.next_button.clicked.connect(lambda: self._turn(1))
        pages = QHBoxLayout()
        pages.addWidget(self.previous_button)
        pages.addStretch(1)
        pages.addWidget(self.page_label)
        pages.addStretch(1)
        pages.addWidget(self.next_button)
        self.page_bar = QWidget()
        self.page_bar.setLayout(pages)
        pages.setContentsMargins(0, 0, 0, 0)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.preview_title)
        right_layout.addWidget(self.stack, 1)
        right_layout.addWidget(self.page_bar)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([700, 500])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        # Tests replace these to fill the dialog, or pick files, instead of showing a modal.
        self.run_dialog: Callable[[QDialog], bool] = lambda d: (
            d.exec() == QDialog.DialogCode.Accepted
        )
        self.choose_files: Callable[[], list[Path]] = self._choose_files
        self.choose_save_path: Callable[[DocumentInfo], Path | None] = self._choose_save_path

        self._previewed: int | None = None  # the document id shown on the right
        self._generation = 0  # answers from workers for an older selection are dropped
        self._pdf: bytes | None = None
        self._page = 0
        self._pages = 0
        self._pixmap: QPixmap | None = None
        self._attaching = 0  # batches of files being attached on a worker
        self._summary = ""
        self._show_message(NOTHING_SELECTED)
        self._update_buttons()

    # -- the list ---------------------------------------------------------------------------

    def refresh(self) -> None:
        current = self.selected()
        try:
            rows = self.services.documents.documents(self.claim_id)
        except Exception as error:
            self.report("Cannot read the documents", error)
            return
        self.model.set_rows(rows)
        if current is not None:
            self.select_document(current.id)
        included = sum(1 for r in rows if r.packet_position)
        self._summary = (
            f"{len(rows)} document{'s' if len(rows) != 1 else ''}, {included} in the appeal "
            "packet. Drop files here to attach them."
            if rows
            else "No documents yet. Use “Add files…” or drop files here to keep them with the case."
        )
        self._show_summary()
        self._selection_moved()

    def _show_summary(self) -> None:
        busy = "Attaching files… " if self._attaching else ""
        self.summary.setText(busy + self._summary)

    def selected(self) -> DocumentInfo | None:
        row = self.table.currentIndex().row()
        return self.model.rows[row] if 0 <= row < len(self.model.rows) else None

    def select_document(self, document_id: int) -> None:
        for row, document in enumerate(self.model.rows):
            if document.id == document_id:
                self.table.selectRow(row)
                return

    def _selection_moved(self) -> None:
        self._update_buttons()
        document = self.selected()
        if document is None:
            if self._previewed is not None:
                self._previewed = None
                self._generation += 1
                self.preview_title.clear()
                self._show_message(NOTHING_SELECTED)
            return
        if document.id != self._previewed:
            self.preview(document)

    def _update_buttons(self) -> None:
        document = self.selected()
        included = self._packet()
        self.packet_button.setEnabled(document is not None)
        self.save_button.setEnabled(document is not None)
        self.edit_button.setEnabled(document is not None)
        in_packet = document is not None and document.id in included
        self.packet_button.setText("Leave out of packet" if in_packet else "Include in packet")
        self.up_button.setEnabled(in_packet and included.index(document.id) > 0)  # type: ignore[union-attr]
        self.down_button.setEnabled(
            in_packet and included.index(document.id) < len(included) - 1  # type: ignore[union-attr]
        )

    # -- adding -----------------------------------------------------------------------------

    def add_files(self) -> None:
        paths = self.choose_files()
        if paths:
            self.add_paths([Path(p) for p in paths])

    def add_paths(self, paths: list[Path]) -> None:
        """Ask once how to file them, then attach each; one bad file does not stop the rest."""
        if not paths:
            return
        dialog = FormDialog("Add documents", self)
        names = ", ".join(p.name for p in paths[:3]) + (" …" if len(paths) > 3 else "")
        heading = QLabel(f"<b>{len(paths)} file{'s' if len(paths) != 1 else ''}</b>: {names}")
        heading.setTextFormat(Qt.TextFormat.RichText)
        heading.setWordWrap(True)
        dialog.form.addRow(heading)
        kind = dialog.choice("Kind of document", [(k.label, k) for k in DocumentKind])
        kind.setCurrentIndex(kind.findData(DocumentKind.OTHER))
        title = dialog.line("Title") if len(paths) == 1 else None
        if title is not None:
            title.setPlaceholderText(paths[0].stem)
        day = dialog.day("Date of the document")
        dialog.finish()
        if not self.run_dialog(dialog):
            return
        # Read on the GUI thread; the worker only gets plain values.
        metadata: dict[str, object] = {
            "kind": kind.currentData(),
            "title": title.text().strip() if title is not None else "",
            "document_date": picked(day),
        }
        documents, claim_id = self.services.documents, self.claim_id
        self._attaching += 1
        self._show_summary()

        def work() -> list[tuple[Path, DocumentInfo | Exception]]:
            # Reading, hashing and counting the pages of a big scan takes seconds.
            results: list[tuple[Path, DocumentInfo | Exception]] = []
            for path in paths:
                try:
                    results.append((path, documents.attach_file(claim_id, path, **metadata)))
                except Exception as error:
                    # One bad file does not stop the rest: _attached names it, or raises it.
                    results.append((path, error))
            return results

        self.env.tasks.run(work, self._attached, self._attach_failed)

    def _attached(self, results: list[tuple[Path, DocumentInfo | Exception]]) -> None:
        # The case may have been closed meanwhile: what was refused is still said.
        alive = isValid(self)
        if alive:
            self._attaching -= 1
            kept = [r for _, r in results if isinstance(r, DocumentInfo)]
            self.refresh()
            if kept:
                self.select_document(kept[-1].id)
        unexpected: list[Exception] = []
        for path, result in results:
            if isinstance(result, ClaimDeskError):
                self.env.prompts.error(
                    self if alive else None, f"Cannot attach {path.name}", str(result)
                )
            elif isinstance(result, Exception):
                result.add_note(f"while attaching {path.name}")
                unexpected.append(result)
        if unexpected:
            # A fault of ClaimDesk's own, not the file's: the rest of the batch is kept, and
            # this goes to the exception hook (logged with its traceback, the user told).
            raise unexpected[0]

    def _attach_failed(self, error: BaseException) -> None:
        if not isValid(self):
            if not isinstance(error, ClaimDeskError):
                raise error
            self.env.prompts.error(None, "Cannot attach the files", str(error))
            return
        self._attaching -= 1
        self.refresh()
        self.report("Cannot attach the files", error)

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
            self.refresh()
            self.select_document(document.id)
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
        self.refresh()
        self.select_document(keep)

    # -- saving a copy ----------------------------------------------------------------------

    def save_copy(self) -> None:
        document = self.selected()
        if document is None:
            return
        path = self.choose_save_path(document)
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

    def _choose_files(self) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(self, "Add documents to the case")
        return [Path(n) for n in names]

    def _choose_save_path(self, document: DocumentInfo) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Save a copy", str(Path.home() / document.original_name)
        )
        return Path(name) if name else None

    # -- the preview ------------------------------------------------------------------------

    def preview(self, document: DocumentInfo) -> None:
        self._previewed = document.id
        self._generation += 1
        self._pdf = None
        self._pixmap = None
        self.preview_title.setText(f"<b>{document.title}</b> — {document.original_name}")
        media = document.media_type
        if media != "application/pdf" and media not in IMAGE_TYPES and not is_text(media):
            self._show_message(NO_PREVIEW)
            return
        self._show_message("Loading…")
        generation = self._generation
        document_id = document.id
        width = self._target_width()

        def work() -> object:
            data = self.services.documents.content(document_id)
            if media == "application/pdf":
                return data, render_pdf_page(data, 0, width)
            return data, None

        self.env.tasks.run(
            work,
            lambda result: self._loaded(generation, media, result),
            lambda error: self._failed(generation, media, error),
        )

    def preview_text(self) -> str:
        """What the preview area says (for tests and screen readers)."""
        widget = self.stack.currentWidget()
        if widget is self.message:
            return self.message.text()
        if widget is self.text:
            return self.text.toPlainText()
        return self.page_label.text() if self._pdf is not None else "image"

    def _target_width(self) -> int:
        # Drawn generously, then scaled to the preview's width (so a wider window stays sharp).
        ratio = self.devicePixelRatioF() or 1.0
        return int(max(900, self.image_area.viewport().width()) * ratio)

    def _loaded(self, generation: int, media: str, result: tuple[bytes, Any]) -> None:
        if generation != self._generation:
            return
        data, page = result
        if media == "application/pdf":
            self._pdf = data
            self._show_page(page)
        elif media in IMAGE_TYPES:
            image = QImage.fromData(data)
            if image.isNull():
                self._show_message("This image cannot be shown: its format is not readable.")
                return
            self._show_pixmap(QPixmap.fromImage(image))
        else:
            shown = data[:MAX_TEXT_PREVIEW].decode("utf-8", errors="replace")
            if len(data) > MAX_TEXT_PREVIEW:
                shown += "\n\n[… the rest is not shown; use Save a copy… to read it all]"
            self.text.setPlainText(shown)
            self.page_bar.hide()
            self.stack.setCurrentWidget(self.text)

    def _failed(self, generation: int, media: str, error: BaseException) -> None:
        if generation != self._generation:
            return
        if isinstance(error, PreviewError):
            self._show_message(f"This PDF cannot be shown: {error}")
        elif isinstance(error, ClaimDeskError):
            self._show_message(f"This document cannot be shown: {error}")
        elif media == "application/pdf" and isinstance(error, Exception):
            # pdfium can fail in ways of its own on damaged files: never take the window down.
            self._show_message(f"This PDF cannot be shown: {error}")
        else:
            raise error

    def _show_page(self, page: RenderedPage) -> None:
        self._page, self._pages = page.index, page.count
        image = QImage(
            page.pixels, page.width, page.height, page.stride, QImage.Format.Format_RGBA8888
        ).copy()  # own the pixels: the bytes object may go away
        self._show_pixmap(QPixmap.fromImage(image))
        self.page_label.setText(f"Page {page.index + 1} of {page.count}")
        self.previous_button.setEnabled(page.index > 0)
        self.next_button.setEnabled(page.index < page.count - 1)
        self.page_bar.show()

    def _turn(self, step: int) -> None:
        if self._pdf is None:
            return
        target = self._page + step
        if not 0 <= target < self._pages:
            return
        self._generation += 1
        generation = self._generation
        data = self._pdf
        width = self._target_width()
        self.previous_button.setEnabled(False)
        self.next_button.setEnabled(False)
        self.page_label.setText(f"Page {target + 1} of {self._pages} (drawing…)")
        self.env.tasks.run(
            lambda: (data, render_pdf_page(data, target, width)),
            lambda result: self._loaded(generation, "application/pdf", result),
            lambda error: self._failed(generation, "application/pdf", error),
        )

    def _show_pixmap(self, pixmap: QPixmap) -> None:
        self._pixmap = pixmap
        self._fit()
        if self._pdf is None:
            self.page_bar.hide()
        self.stack.setCurrentWidget(self.image_area)

    def _fit(self) -> None:
        """Scale an image down to the width of the preview (never up)."""
        if self._pixmap is None:
            return
        ratio = self.devicePixelRatioF() or 1.0
        # Leave room for the vertical scroll bar, so a fitted page never needs a horizontal one.
        room = self.image_area.width() - self.image_area.verticalScrollBar().sizeHint().width() - 8
        width = int(room * ratio)
        if 0 < width < self._pixmap.width():
            scaled = self._pixmap.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
            scaled.setDevicePixelRatio(ratio)
            self.image.setPixmap(scaled)
        else:
            self.image.setPixmap(self._pixmap)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self._pixmap = None
        self.image.clear()
        self.page_bar.hide()
        self.stack.setCurrentWidget(self.message)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The preview follows the splitter and the window: fit again when its area resizes.
        if watched is self.image_area and event.type() == QEvent.Type.Resize:
            self._fit()
        return super().eventFilter(watched, event)

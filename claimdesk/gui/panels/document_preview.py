"""The right half of the Documents tab: a document shown as a PDF page, a picture or text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.env import GuiEnv
from claimdesk.services.dto import DocumentInfo

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/tiff"})
TEXT_TYPES = frozenset({"application/json", "application/xml"})
MAX_TEXT_PREVIEW = 2 * 1024 * 1024
NO_PREVIEW = "No preview for this kind of file; use Save a copy… to open it."
NOTHING_SELECTED = "Choose a document on the left to see it here."


def is_text(media_type: str) -> bool:
    return media_type.startswith("text/") or media_type in TEXT_TYPES


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


class DocumentPreview(QWidget):
    """Shows one document: a message, an image (or PDF page) in a scroll area, or text."""

    def __init__(self, env: GuiEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.title = QLabel()
        self.title.setAccessibleName("Previewed document")
        self.title.setWordWrap(True)
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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.page_bar)

        self.shown_id: int | None = None  # the document shown
        self._generation = 0  # answers from workers for an older document are dropped
        self._pdf: bytes | None = None
        self._page = 0
        self._pages = 0
        self._pixmap: QPixmap | None = None
        self._show_message(NOTHING_SELECTED)

    def clear(self) -> None:
        """Show nothing (no document is chosen)."""
        if self.shown_id is None:
            return
        self.shown_id = None
        self._generation += 1
        self.title.clear()
        self._show_message(NOTHING_SELECTED)

    def show_document(self, document: DocumentInfo) -> None:
        self.shown_id = document.id
        self._generation += 1
        self._pdf = None
        self._pixmap = None
        self.title.setText(f"<b>{document.title}</b> — {document.original_name}")
        media = document.media_type
        if media != "application/pdf" and media not in IMAGE_TYPES and not is_text(media):
            self._show_message(NO_PREVIEW)
            return
        self._show_message("Loading…")
        generation = self._generation
        document_id = document.id
        width = self._target_width()
        documents = self.env.services.documents

        def work() -> object:
            data = documents.content(document_id)
            if media == "application/pdf":
                return data, render_pdf_page(data, 0, width)
            return data, None

        self.env.tasks.run(
            work,
            lambda result: self._loaded(generation, media, result),
            lambda error: self._failed(generation, media, error),
        )

    def shown_text(self) -> str:
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

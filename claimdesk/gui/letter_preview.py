"""A letter shown as it will read: its markup blocks as simple HTML on a white page.

Used wherever a letter is previewed (writing a letter, the template editor). The view has two
calls: ``show_letter(preview)`` and ``show_error(text)``; everything else is Qt's QTextBrowser.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QFrame, QTextBrowser, QWidget

from claimdesk.gui import theme
from claimdesk.letters.check import Finding
from claimdesk.letters.markup import Block, Run
from claimdesk.services.lettering import LetterPreview

_TAGS = {"heading": "h3", "subheading": "h4", "paragraph": "p", "quote": "blockquote"}
_LISTS = {"bullet": "ul", "number": "ol"}

PAGE_WIDTH = 700  # pixels: about the measure of a printed A4 or Letter page at reading size
PAGE_MARGIN = 36  # the white margin inside the page
DESK_MARGIN = 10  # the least grey around it


def findings_html(
    findings: Iterable[Finding],
    heading: str,
    colour: str | theme.Tone,
    clean: str,
    palette: QPalette | None = None,
) -> str:
    """What the language check found, as a short list under ``heading``; ``clean`` if nothing.

    Shown beside the page, not on it: a Tone takes the variant for ``palette`` (the
    application's when None).
    """
    items = "".join(f"<li>{escape(f.message)}</li>" for f in findings)
    if not items:
        return f"<span style='color:{theme.SUCCESS.hex(palette)}'>{escape(clean)}</span>"
    if isinstance(colour, theme.Tone):
        colour = colour.hex(palette)
    return f"<b style='color:{colour}'>{escape(heading)}</b><ul style='margin:2px'>{items}</ul>"


def runs_to_html(runs: Iterable[Run]) -> str:
    """One block's text: escaped, bold and italic kept, line breaks as <br>."""
    out = []
    for run in runs:
        if run.text == "\n":
            out.append("<br>")
            continue
        text = escape(run.text, quote=False)
        if run.italic:
            text = f"<i>{text}</i>"
        if run.bold:
            text = f"<b>{text}</b>"
        out.append(text)
    return "".join(out)


def blocks_to_html(blocks: Iterable[Block]) -> str:
    """The blocks as HTML; consecutive bullet or numbered items share one list."""
    out: list[str] = []
    open_list: str | None = None
    for block in blocks:
        wanted = _LISTS.get(block.kind)
        if open_list and wanted != open_list:
            out.append(f"</{open_list}>")
            open_list = None
        if wanted and open_list is None:
            start = f' start="{block.number}"' if wanted == "ol" and block.number > 1 else ""
            out.append(f"<{wanted}{start}>")
            open_list = wanted
        body = runs_to_html(block.runs)
        if wanted:
            out.append(f"<li>{body}</li>")
        else:
            tag = _TAGS.get(block.kind, "p")
            out.append(f"<{tag}>{body}</{tag}>")
    if open_list:
        out.append(f"</{open_list}>")
    return "\n".join(out)


class LetterPreviewView(QTextBrowser):
    """A read-only letter on a white page of a printed page's width, centred on a "desk".

    ``show_letter(preview)`` shows a LetterPreview; ``show_error(text)`` shows why there is no
    letter to show. Links are not followed: a letter has none that should open from here.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        font = QFont("Serif")
        font.setStyleHint(QFont.StyleHint.Serif)
        font.setPointSizeF(11.5)
        self.document().setDefaultFont(font)
        self.document().setDocumentMargin(PAGE_MARGIN)
        self.document().setDefaultStyleSheet(
            "h3 { font-size: large; margin-top: 14px; margin-bottom: 10px; }"
            "h4 { font-size: medium; margin-top: 12px; margin-bottom: 6px; }"
            "p { margin-top: 0; margin-bottom: 10px; line-height: 125%; }"
            "li { margin-bottom: 4px; }"
            "blockquote { margin-left: 24px; margin-right: 24px; font-style: italic; }"
        )
        # The page is the viewport: white paper with dark ink whatever the desktop theme. The
        # document takes its ink from the view's own palette, so Text is set there too; Base
        # stays the theme's on the view, so the desk around the page can tell light from dark.
        page = self.viewport().palette()
        page.setColor(QPalette.ColorRole.Base, theme.PAPER)
        page.setColor(QPalette.ColorRole.Text, theme.INK)
        self.viewport().setPalette(page)
        self.viewport().setAutoFillBackground(True)
        self.setAutoFillBackground(True)
        theme.follow(self, self._lay_desk)
        self._margin = -1

    def _lay_desk(self) -> None:
        """Ink for the page, and the theme's desk in the margins around it."""
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Text, theme.INK)
        palette.setColor(QPalette.ColorRole.Window, theme.DESK.color(palette))
        for role in (QPalette.ColorRole.Link, QPalette.ColorRole.LinkVisited):
            palette.setColor(role, theme.INK)
        self.setPalette(palette)

    def show_letter(self, preview: LetterPreview) -> None:
        """Show the letter, keeping the reader's place when the same letter is shown again."""
        position = self.verticalScrollBar().value()
        self.setHtml(blocks_to_html(preview.blocks))
        self.verticalScrollBar().setValue(position)

    def show_error(self, text: str) -> None:
        """Say, in red on the page, why the letter cannot be shown."""
        self.setHtml(
            f"<p style='color:{theme.INK_DANGER}'><b>The letter cannot be shown.</b></p>"
            f"<p>{escape(text, quote=False)}</p>"
        )

    def resizeEvent(self, event: Any) -> None:
        # Centre a page of PAGE_WIDTH; narrower than that, the page fills the view but for a
        # strip of grey that keeps it looking like a sheet of paper.
        margin = max(DESK_MARGIN, (self.width() - PAGE_WIDTH) // 2)
        if margin != self._margin:
            self._margin = margin
            self.setViewportMargins(margin, DESK_MARGIN, margin, 0)
        super().resizeEvent(event)

"""The preview beside the template: the letter on a chosen case, its error or what the check
found."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from claimdesk.errors import TemplateRenderError
from claimdesk.gui import theme
from claimdesk.gui.letter_preview import LetterPreviewView, findings_html
from claimdesk.services.lettering import LetterPreview


class PreviewPane(QWidget):
    """Shows a rendered letter, or where its template went wrong."""

    def __init__(self, cases: list[tuple[str, int]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shown: LetterPreview | None = None
        self.case = QComboBox()
        self.case.setAccessibleName("Case to preview on")
        for text, claim_id in cases:
            self.case.addItem(text, claim_id)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.view = LetterPreviewView()
        self.view.setAccessibleName("Preview of the letter")
        self.error = QLabel()
        self.error.setAccessibleName("Template error")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.RichText)
        self.error.hide()
        self.findings = QLabel()
        self.findings.setAccessibleName("What the language check found")
        self.findings.setWordWrap(True)
        self.findings.setTextFormat(Qt.TextFormat.RichText)
        theme.follow(self, self._colour_labels)

        chooser = QHBoxLayout()
        case_label = QLabel("Preview on &case:")
        case_label.setBuddy(self.case)
        chooser.addWidget(case_label)
        chooser.addWidget(self.case, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(chooser)
        layout.addWidget(self.note)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.findings)

    def claim_id(self) -> int | None:
        data = self.case.currentData()
        return int(data) if data is not None else None

    def show_preview(self, preview: LetterPreview) -> None:
        self.shown = preview
        self.view.show_letter(preview)
        self.error.hide()
        self.findings.setText(
            findings_html(
                preview.findings,
                "On this case the check found:",
                theme.WARNING,
                "The language check found nothing to fix on this case.",
            )
        )

    def show_error(self, error: TemplateRenderError, where: str, advanced: bool) -> None:
        """Say what is wrong and ``where`` (rich text); the letter stays as last shown."""
        kept = " The preview shows the last version that worked." if self.shown else ""
        detail = error.detail.rstrip(". ")
        hint = "" if advanced else " Open Advanced (template code) to correct it."
        self.error.setText(f"<b>{where}:</b> {escape(detail)}.{kept}{hint}")
        self.error.show()
        if self.shown is None:
            self.view.show_error("Correct the template to see the letter.")
        self.findings.setText("")

    def _colour_labels(self) -> None:
        """The note in the muted tone and the error box in red, for the current theme."""
        palette = self.palette()
        self.note.setStyleSheet(f"color: {theme.MUTED.hex(palette)};")
        self.error.setStyleSheet(
            f"QLabel {{ color: {theme.DANGER.hex(palette)};"
            f" background: {theme.DANGER_BACKGROUND.hex(palette)};"
            f" border: 1px solid {theme.DANGER_BORDER.hex(palette)};"
            " border-radius: 3px; padding: 6px; }"
        )

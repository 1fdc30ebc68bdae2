"""Paragraphs: a letter reworded as text, with fields shown «by name» (letters/plain.py).

Each paragraph a person may reword is a text box; a field is inserted from the list by its
name. A paragraph printed only in some cases says when; one with template logic in it is
shown greyed, to be changed in Advanced (template code). Every accepted edit hands the whole
template's new text on through ``changed``, so saving, the preview and the check work on the
same text as in the advanced view.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from claimdesk.errors import ClaimDeskError
from claimdesk.gui import theme
from claimdesk.letters.plain import CLOSE, OPEN, PlainTemplate, Segment, parse_template

ADVANCED = "Advanced (template code)"
_BLOCKS = {
    "subject": "Subject line",
    "addressee": "Addressee",
    "delivery": "How it is sent",
    "references": "Reference lines",
    "salutation": "Greeting",
    "body": "The letter",
    "closing": "Closing",
    "signature": "Signature",
    "enclosures": "Enclosures",
    "sender": "Under the letterhead",
}


class ParagraphEdit(QTextEdit):
    """One paragraph's words, as tall as its text; remembers that it had the focus last."""

    focused = Signal(object)

    def __init__(self, index: int, segment: Segment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self.setAcceptRichText(False)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(f"Paragraph {index}")
        self.setPlainText(segment.text)
        self.document().documentLayout().documentSizeChanged.connect(lambda *_: self._fit())
        self._fit()

    def _fit(self) -> None:
        height = self.document().size().height()
        margins = self.contentsMargins()
        self.setFixedHeight(max(28, int(height) + margins.top() + margins.bottom() + 4))

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.focused.emit(self)

    def sizeHint(self) -> QSize:
        return QSize(300, self.height())


class PlainView(QWidget):
    """The template as paragraphs; ``changed`` carries the template's new text."""

    changed = Signal(str)
    # A paragraph was refused or corrected (problem() tells which).
    checked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.template: PlainTemplate | None = None
        self.edits: dict[int, ParagraphEdit] = {}
        self._errors: dict[int, QLabel] = {}
        self._problems: dict[int, str] = {}
        self._fixed: list[QLabel] = []
        self._last: ParagraphEdit | None = None
        self._loading = False

        note = QLabel(
            f"Change the wording of any paragraph. Fields from the case are shown {OPEN}like "
            f"this{CLOSE}: add them from the list. Greyed paragraphs contain template logic "
            f"and are changed in {ADVANCED}."
        )
        note.setWordWrap(True)
        self.field_list = QComboBox()
        self.field_list.setAccessibleName("Field to insert")
        self.field_list.setMaxVisibleItems(20)
        self.insert_button = QPushButton("Insert field")
        self.insert_button.setAccessibleName("Insert the field into the paragraph")
        self.insert_button.setToolTip("Put the chosen field where the cursor is in a paragraph")
        self.insert_button.clicked.connect(lambda: self.insert_field(self.field_list.currentText()))
        fields = QHBoxLayout()
        fields.addWidget(QLabel("Field:"))
        fields.addWidget(self.field_list, 1)
        fields.addWidget(self.insert_button)

        self._page = QWidget()
        self._column = QVBoxLayout(self._page)
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setWidget(self._page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(note)
        layout.addLayout(fields)
        layout.addWidget(self._scroll, 1)

    def load(self, source: str) -> None:
        """Show ``source`` as paragraphs (unless it is already what is shown)."""
        if self.template is not None and self.template.source() == source:
            return
        self._loading = True
        try:
            self.template = parse_template(source)
            self._rebuild(self.template)
        finally:
            self._loading = False

    def problem(self) -> str | None:
        """What is wrong with a paragraph that could not be taken, or None."""
        return next(iter(self._problems.values()), None)

    def insert_field(self, label: str) -> None:
        """Type «label» where the cursor is in the paragraph last worked on."""
        target = self._last or next(iter(self.edits.values()), None)
        if target is None or not label:
            return
        target.insertPlainText(f"{OPEN}{label}{CLOSE}")
        target.setFocus()

    def _rebuild(self, template: PlainTemplate) -> None:
        # A new page for each template: the scroll area deletes the old one with its widgets.
        self._page = QWidget()
        self._column = QVBoxLayout(self._page)
        self._column.setContentsMargins(4, 4, 12, 4)
        self._column.setSpacing(4)
        self.edits.clear()
        self._errors.clear()
        self._problems.clear()
        self._fixed.clear()
        self._last = None
        self.field_list.clear()
        self.field_list.addItems(sorted(template.fields, key=str.casefold))
        block = None
        for index, segment in template.paragraphs():
            if segment.block != block and segment.block in _BLOCKS:
                heading = QLabel(f"<b>{escape(_BLOCKS[segment.block])}</b>")
                self._column.addSpacing(6)
                self._column.addWidget(heading)
            block = segment.block
            caption = self._caption(segment)
            if caption is not None:
                self._column.addWidget(caption)
            if segment.editable:
                edit = ParagraphEdit(index, segment)
                edit.textChanged.connect(lambda edit=edit: self._edited(edit))
                edit.focused.connect(self._remember)
                edit.cursorPositionChanged.connect(lambda edit=edit: self._remember(edit))
                self.edits[index] = edit
                self._column.addWidget(edit)
                error = QLabel()
                error.setWordWrap(True)
                error.setAccessibleName("Problem with this paragraph")
                error.setStyleSheet(f"color: {theme.DANGER.hex(self.palette())};")
                error.hide()
                self._errors[index] = error
                self._column.addWidget(error)
            else:
                fixed = QLabel(escape(segment.text or "(template logic)").replace("\n", "<br>"))
                fixed.setWordWrap(True)
                fixed.setTextFormat(Qt.TextFormat.RichText)
                fixed.setEnabled(False)
                fixed.setToolTip(
                    f"This paragraph has template logic in it: change it in {ADVANCED}."
                )
                fixed.setFrameShape(QFrame.Shape.StyledPanel)
                fixed.setContentsMargins(6, 4, 6, 4)
                self._fixed.append(fixed)
                self._column.addWidget(fixed)
        self._column.addStretch(1)
        self._scroll.setWidget(self._page)

    def _caption(self, segment: Segment) -> QLabel | None:
        parts = []
        if segment.condition:
            parts.append(
                f"Optional paragraph: {segment.condition.lower()[0]}{segment.condition[1:]}"
            )
        if not segment.editable:
            parts.append(f"fixed: edited in {ADVANCED}")
        if not parts:
            return None
        caption = QLabel("<small><i>" + escape(" · ".join(parts)) + "</i></small>")
        caption.setWordWrap(True)
        caption.setStyleSheet(f"color: {theme.MUTED.hex(self.palette())};")
        return caption

    def _remember(self, edit: ParagraphEdit) -> None:
        self._last = edit

    def _edited(self, edit: ParagraphEdit) -> None:
        if self._loading or self.template is None:
            return
        error = self._errors[edit.index]
        try:
            self.template = self.template.edit(edit.index, edit.toPlainText())
        except ClaimDeskError as problem:
            self._problems[edit.index] = str(problem)
            error.setText(str(problem))
            error.show()
            self.checked.emit()
            return
        self._problems.pop(edit.index, None)
        error.hide()
        self.changed.emit(self.template.source())
        self.checked.emit()

"""Tools ▸ Letter templates: an office edits its own versions of the letters and its letterhead.

The bundled templates stay as they are; saving writes the office's version, which is used
instead from then on, and "Use ClaimDesk's standard letter" removes it again. A letter opens
as paragraphs to reword (plain_view.py); its template code stays available as Advanced. The
preview renders the text on a real case off the GUI thread (a hostile template may run for
the whole render limit), so typing never waits for it.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from claimdesk.errors import ClaimDeskError, TemplateRenderError
from claimdesk.gui import theme
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.templates.advanced_view import AdvancedView
from claimdesk.gui.templates.letterhead_form import LetterheadForm
from claimdesk.gui.templates.plain_view import ADVANCED, PlainView
from claimdesk.gui.templates.preview import PreviewPane
from claimdesk.letters.templates import SUFFIX, TemplateInfo
from claimdesk.services.letter_context import describe_fields
from claimdesk.services.lettering import LetterPreview

KIND_ROLE = Qt.ItemDataRole.UserRole
LAYOUT_TITLE = "Layout shared by all letters"
OFFICE_MARK = "office's version"
USE_STANDARD = "Use ClaimDesk's standard letter"
PREVIEW_DELAY_MS = 400


class TemplateEditor(QDialog):
    """The office's letter templates and letterhead, with a live preview on a real case."""

    def __init__(self, env: GuiEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.lettering = env.services.lettering
        self.store = self.lettering.store
        self._kind = ""
        self._info: TemplateInfo | None = None
        self._saved_text = ""
        self._generation = 0
        self._switching = False
        self._has_bundled = False
        self.setWindowTitle("Letter templates")
        self.setMinimumSize(1100, 700)

        self.templates = QListWidget()
        self.templates.setAccessibleName("Letter templates")
        self.templates.setWordWrap(True)
        self.templates.setSpacing(2)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.plain = PlainView()
        self.advanced = AdvancedView(self._field_paths)
        # The template code is the one text the views, the preview and saving share.
        self.editor = self.advanced.source
        self.views = QTabWidget()
        self.views.setAccessibleName("How to edit the template")
        self.views.addTab(self.plain, "Paragraphs")
        self.views.addTab(self.advanced, ADVANCED)
        self.cursor_place = QLabel()
        self.cursor_place.setAccessibleName("Cursor position")
        self.save_button = QPushButton("Save")
        self.save_button.setAccessibleName("Save the office's version")
        self.save_button.setToolTip("Keep this text as the office's version (Ctrl+S)")
        self.bundled_button = QPushButton(USE_STANDARD)
        self.bundled_button.setAccessibleName(USE_STANDARD)

        cases = [
            (f"{row.case_number} · {row.claimant_name}", row.id)
            for row in env.services.claims.list_claims()
        ]
        self.preview = PreviewPane(cases)
        self.case = self.preview.case
        self.view = self.preview.view
        self.error = self.preview.error
        self.preview_note = self.preview.note
        self.findings = self.preview.findings
        self.error.linkActivated.connect(self._go_to_line)

        self.letterhead = LetterheadForm()
        self.tabs = QTabWidget()
        self.tabs.addTab(self._templates_page(), "Templates")
        self.tabs.addTab(self.letterhead, "Letterhead")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        theme.follow(self, self._colour_labels)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh_preview)
        self.editor.textChanged.connect(self._text_changed)
        self.editor.cursorPositionChanged.connect(self._show_place)
        self.plain.changed.connect(self._plain_changed)
        self.plain.checked.connect(self._show_place)
        self.views.currentChanged.connect(lambda *_: self._view_changed())
        self.templates.currentRowChanged.connect(self._row_changed)
        self.case.currentIndexChanged.connect(lambda *_: self.refresh_preview())
        self.save_button.clicked.connect(self.save)
        self.bundled_button.clicked.connect(self.use_bundled)
        self.letterhead.save_button.clicked.connect(self.save_letterhead)
        save = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        save.activated.connect(self._save_shortcut)
        for first, second in (
            (self.templates, self.views),
            (self.views, self.save_button),
            (self.save_button, self.bundled_button),
            (self.bundled_button, self.case),
            (self.case, self.view),
        ):
            QWidget.setTabOrder(first, second)

        self._letters = self.lettering.templates()
        self._fill_list()
        self._load_letterhead()
        self.templates.setCurrentRow(0)

    def _templates_page(self) -> QWidget:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("<b>Templates</b>"))
        left_layout.addWidget(self.templates, 1)

        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.title)
        middle_layout.addWidget(self.views, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.cursor_place, 1)
        bottom.addWidget(self.bundled_button)
        bottom.addWidget(self.save_button)
        middle_layout.addLayout(bottom)

        split = QSplitter()
        split.setChildrenCollapsible(False)
        for pane in (left, middle, self.preview):
            split.addWidget(pane)
        split.setStretchFactor(1, 1)
        split.setStretchFactor(2, 1)
        split.setSizes([230, 560, 480])
        return split

    # The template list

    def kind(self) -> str:
        """The template being edited ('records_request', '_letter'...)."""
        return self._kind

    def select(self, kind: str) -> bool:
        """Edit another template (asking first about unsaved changes); False if it stayed."""
        row = self._row_of(kind)
        if row is not None:
            self.templates.setCurrentRow(row)
        return self._kind == kind

    def show_advanced(self, advanced: bool = True) -> None:
        """Edit the template code (True) or the paragraphs (False)."""
        self.views.setCurrentWidget(self.advanced if advanced else self.plain)

    def _fill_list(self) -> None:
        self.templates.clear()
        for info in self.store.templates():
            item = QListWidgetItem()
            item.setData(KIND_ROLE, info.kind)
            self._mark(item, info)
            self.templates.addItem(item)

    def _mark(self, item: QListWidgetItem, info: TemplateInfo) -> None:
        title = LAYOUT_TITLE if info.layout else info.title
        office = info.origin == "office"
        item.setText(f"{title}\n    ✎ {OFFICE_MARK}" if office else title)
        item.setToolTip(f"{info.summary}\n\n{info.version_text}".strip())
        font = item.font()
        font.setItalic(info.layout)
        item.setFont(font)

    def _row_of(self, kind: str) -> int | None:
        for row in range(self.templates.count()):
            if self.templates.item(row).data(KIND_ROLE) == kind:
                return row
        return None

    def _row_changed(self, row: int) -> None:
        if self._switching or row < 0:
            return
        kind = str(self.templates.item(row).data(KIND_ROLE))
        if kind == self._kind:
            return
        if not self._settle_template():
            self._switching = True
            self.templates.setCurrentRow(self._row_of(self._kind) or 0)
            self._switching = False
            return
        self._load(kind)

    def _load(self, kind: str) -> None:
        try:
            text = self.store.source(kind)
        except ClaimDeskError as error:
            self.env.prompts.error(self, "The template cannot be opened", str(error))
            text = ""
        info = self.store.info(kind)
        self._kind = kind
        self._info = info
        self._saved_text = text
        self.preview.shown = None
        title = LAYOUT_TITLE if info.layout else info.title
        summary = f"<br><small style='color:gray'>{escape(info.summary)}</small>"
        self.title.setText(f"<b>{escape(title)}</b>{summary if info.summary else ''}")
        self.editor.mark_error(None)
        self.editor.setPlainText(text)
        self.plain.load(text)
        self._update_item(info)
        self.refresh_preview()

    def _update_item(self, info: TemplateInfo) -> None:
        self._info = info
        self._has_bundled = self.store.bundled_source(info.kind) is not None
        row = self._row_of(info.kind)
        if row is not None:
            self._mark(self.templates.item(row), info)
        self._show_place()

    def _office_version(self) -> bool:
        return self._info is not None and self._info.origin == "office"

    def _title(self) -> str:
        if self._info is None:
            return ""
        return LAYOUT_TITLE if self._info.layout else self._info.title

    # Editing

    @property
    def shown(self) -> LetterPreview | None:
        return self.preview.shown

    def is_dirty(self) -> bool:
        """True when the editor holds changes that are not saved."""
        return self.editor.toPlainText() != self._saved_text

    def _in_plain_view(self) -> bool:
        return self.views.currentWidget() is self.plain

    def _plain_changed(self, source: str) -> None:
        """A reworded paragraph: the template code follows, and the preview with it."""
        cursor = self.editor.textCursor()
        cursor.select(cursor.SelectionType.Document)
        cursor.insertText(source)  # keeps the code view's undo history

    def _view_changed(self) -> None:
        if self._in_plain_view():
            self.plain.load(self.editor.toPlainText())
        self._show_place()

    def _text_changed(self) -> None:
        self._show_place()
        self._timer.start()

    def _show_place(self) -> None:
        dirty = self.is_dirty()
        if self._in_plain_view() and self.plain.problem() is not None:
            state = "a paragraph needs correcting (see the red note)"
        elif dirty:
            state = "unsaved changes"
        elif self._info is not None:
            state = self._info.version_text
        else:
            state = ""
        if self._in_plain_view():
            self.cursor_place.setText(state)
        else:
            cursor = self.editor.textCursor()
            place = f"Line {cursor.blockNumber() + 1}, column {cursor.positionInBlock() + 1}"
            self.cursor_place.setText(f"{place}  ·  {state}")
        self.save_button.setEnabled(dirty)
        self.bundled_button.setEnabled(self._has_bundled and (dirty or self._office_version()))

    def _field_paths(self) -> list[str] | None:
        claim_id = self.preview.claim_id()
        if claim_id is None:
            return None
        return describe_fields(self.lettering.context(claim_id))

    def insert_field(self, path: str) -> None:
        """Type a case field (by its path) where the cursor is in the template code."""
        self.advanced.insert_field(path)

    def _go_to_line(self, link: str) -> None:
        self.show_advanced()
        self.editor.go_to_line(int(link))

    # Saving

    def save(self) -> bool:
        """Keep the editor's text as the office's version; refused if it does not parse."""
        problem = self.plain.problem() if self._in_plain_view() else None
        if problem is not None:
            self.env.prompts.error(
                self,
                "The template was not saved",
                f"A paragraph cannot be kept as it is: {problem} Nothing was written.",
            )
            return False
        text = self.editor.toPlainText()
        try:
            info = self.store.save(self._kind, text)
        except TemplateRenderError as error:
            self._show_error(error)
            where = f" (line {error.line})" if error.line else ""
            self.env.prompts.error(
                self,
                "The template was not saved",
                f"The template has a problem{where}: {error.detail}. Nothing was written; "
                "the saved version is unchanged.",
            )
            return False
        except ClaimDeskError as error:
            self.env.prompts.error(self, "The template was not saved", str(error))
            return False
        self._saved_text = text
        self._update_item(info)
        return True

    def use_bundled(self) -> None:
        """Go back to ClaimDesk's standard template, removing the office's version (after
        asking)."""
        title = self._title()
        if self._office_version():
            question = (
                f"Remove the office's version of “{title}” and use ClaimDesk's standard "
                "letter? Letters already written are not changed."
            )
        else:
            question = f"Discard your changes to “{title}”?"
        if not self.env.prompts.confirm(self, USE_STANDARD, question, USE_STANDARD):
            return
        try:
            self.store.reset(self._kind)
        except ClaimDeskError as error:
            self.env.prompts.error(self, "The office's version was not removed", str(error))
            return
        self._load(self._kind)

    def _settle_template(self) -> bool:
        """Save or discard unsaved edits (asking which); False when the user cancels."""
        if not self._kind or not self.is_dirty():
            return True
        answer = self.env.prompts.ask(
            self,
            "Unsaved changes",
            f"Save your changes to “{self._title()}” as the office's version?",
            ("Save", "Discard"),
        )
        if answer == "Save":
            return self.save()
        return answer == "Discard"

    def _save_shortcut(self) -> None:
        if self.tabs.currentWidget() is self.letterhead:
            self.save_letterhead()
        elif self.is_dirty():
            self.save()

    # The preview

    def refresh_preview(self) -> None:
        """Render the editor's text on the chosen case, off the GUI thread."""
        self._timer.stop()
        claim_id = self.preview.claim_id()
        kind = self._kind
        if not kind:
            return
        self._generation += 1
        generation = self._generation
        if claim_id is None:
            self.view.show_error(
                "There are no cases yet. Add a case (or the sample cases from the Help menu) "
                "to see the letter on it."
            )
            return
        shown_kind = kind
        if self._info is not None and self._info.layout:
            shown_kind = self._letters[0].kind if self._letters else kind
            title = self._letters[0].title if self._letters else kind
            self.preview_note.setText(f"The layout is shown in the letter “{title}”.")
            self.preview_note.show()
        else:
            self.preview_note.hide()
        unsaved = {kind: self.editor.toPlainText()}

        def current() -> bool:
            # The dialog may be gone (closed and deleted) by the time a render finishes.
            return isValid(self) and generation == self._generation

        def done(preview: Any) -> None:
            if current():
                self.preview.show_preview(preview)
                self.editor.mark_error(None)

        def failed(error: BaseException) -> None:
            if not current():
                return
            if isinstance(error, TemplateRenderError):
                self._show_error(error)
            elif isinstance(error, ClaimDeskError):
                self.view.show_error(str(error))
            else:
                raise error

        self.env.tasks.run(
            lambda: self.lettering.preview(claim_id, shown_kind, unsaved=unsaved), done, failed
        )

    def _colour_labels(self) -> None:
        self.cursor_place.setStyleSheet(f"color: {theme.MUTED.hex(self.palette())};")

    def _show_error(self, error: TemplateRenderError) -> None:
        """Say what is wrong and where; highlight the line when it is in this template."""
        here = error.template == self._kind + SUFFIX
        if error.line and here:
            red = theme.DANGER.hex(self.palette())
            where = f"<a href='{error.line}' style='color:{red}'>Line {error.line}</a>"
            self.editor.mark_error(error.line)
        elif error.line:
            where = f"{escape(error.template)}, line {error.line}"
            self.editor.mark_error(None)
        else:
            where = "This template" if here else escape(error.template)
            self.editor.mark_error(None)
        self.preview.show_error(error, where, advanced=not self._in_plain_view())

    # The letterhead

    def _load_letterhead(self) -> None:
        try:
            self.letterhead.set_value(self.lettering.letterhead())
        except ClaimDeskError as error:
            self.letterhead.problem.setText(str(error))
            self.letterhead.problem.show()

    def save_letterhead(self) -> bool:
        try:
            self.lettering.save_letterhead(self.letterhead.value())
        except ClaimDeskError as error:
            self.env.prompts.error(self, "The letterhead was not saved", str(error))
            return False
        self.letterhead.set_value(self.letterhead.value())
        self.letterhead.problem.hide()
        self.letterhead.status.setText("Saved. New letters use this letterhead.")
        self.refresh_preview()
        return True

    def _settle_letterhead(self) -> bool:
        if not self.letterhead.is_dirty():
            return True
        answer = self.env.prompts.ask(
            self, "Unsaved changes", "Save the changes to the letterhead?", ("Save", "Discard")
        )
        if answer == "Save":
            return self.save_letterhead()
        return answer == "Discard"

    def reject(self) -> None:
        """Close, once unsaved edits are saved or discarded."""
        if not (self._settle_template() and self._settle_letterhead()):
            return
        self._generation += 1  # a preview still rendering has no one to show it to
        self._timer.stop()
        super().reject()

"""Tools ▸ Letter templates: an office edits its own versions of the letters and its letterhead.

The bundled templates stay as they are; saving writes the office's version, which is used
instead from then on, and "Use the bundled version" removes it again. The preview renders the
editor's text on a real case off the GUI thread (a hostile template may run for the whole
render limit), so typing never waits for it.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import (
    QFontDatabase,
    QKeySequence,
    QPainter,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
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
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from claimdesk.errors import ClaimDeskError, TemplateRenderError
from claimdesk.gui import theme
from claimdesk.gui.env import GuiEnv
from claimdesk.gui.letter_preview import LetterPreviewView, findings_html
from claimdesk.letters.letterhead import Letterhead
from claimdesk.letters.templates import SUFFIX, TemplateInfo
from claimdesk.services.letter_context import describe_fields
from claimdesk.services.lettering import LetterPreview

KIND_ROLE = Qt.ItemDataRole.UserRole
LAYOUT_TITLE = "Layout shared by all letters"
OFFICE_MARK = "office's version"
PREVIEW_DELAY_MS = 400

# (parent, title, question, answers) -> the answer chosen, or None for Cancel.
Ask = Callable[[QWidget, str, str, tuple[str, ...]], str | None]


def ask_with_buttons(
    parent: QWidget, title: str, question: str, answers: tuple[str, ...]
) -> str | None:
    """A question with a button for each answer and Cancel (the default)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, question, parent=parent)
    buttons: list[tuple[object, str]] = []
    for number, answer in enumerate(answers):
        role = (QMessageBox.ButtonRole.AcceptRole if number == 0
                else QMessageBox.ButtonRole.DestructiveRole)
        buttons.append((box.addButton(answer, role), answer))
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    clicked = box.clickedButton()
    return next((answer for button, answer in buttons if button is clicked), None)


def field_snippet(path: str) -> str:
    """What "Insert field" types for a field path: a value, or a loop over a list's items."""
    pieces = path.split("[]")
    opening = closing = ""
    source = pieces[0]
    for depth, rest in enumerate(pieces[1:], start=1):
        item = "item" if depth == 1 else f"item{depth}"
        opening += f"{{% for {item} in {source} %}}"
        closing = "{% endfor %}" + closing
        source = item + rest
    return f"{opening}{{{{ {source} }}}}{closing}"


def _html(text: str) -> str:
    return escape(text)


class _Gutter(QWidget):
    def __init__(self, editor: SourceEdit) -> None:
        super().__init__(editor)
        self._editor = editor

    def paintEvent(self, event: Any) -> None:
        self._editor.paint_gutter(event)


class SourceEdit(QPlainTextEdit):
    """Template source in a fixed-width font, line numbers in a gutter, an error line in red."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error_line: int | None = None
        self._gutter = _Gutter(self)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        # Tab moves on to the next control, so the editor is no trap for keyboard users;
        # templates need no tab characters.
        self.setTabChangesFocus(True)
        self.blockCountChanged.connect(self._fit_gutter)
        self.updateRequest.connect(self._scroll_gutter)
        self._fit_gutter()
        # The error line's tint is baked into an extra selection: redo it when the theme flips.
        theme.follow(self, lambda: self.mark_error(self.error_line))

    def gutter_width(self) -> int:
        digits = max(3, len(str(self.blockCount())))
        return 14 + self.fontMetrics().horizontalAdvance("9") * digits

    def go_to_line(self, line: int) -> None:
        block = self.document().findBlockByNumber(max(0, line - 1))
        self.setTextCursor(QTextCursor(block))
        self.centerCursor()
        self.setFocus()

    def mark_error(self, line: int | None) -> None:
        """Highlight the line a template error is on (None: no error)."""
        self.error_line = line
        selections = []
        if line is not None and 1 <= line <= self.blockCount():
            selection = QTextEdit.ExtraSelection()
            look = QTextCharFormat()
            look.setBackground(theme.ERROR_LINE.color(self.palette()))
            look.setProperty(QTextFormat.Property.FullWidthSelection, True)
            selection.format = look
            selection.cursor = QTextCursor(self.document().findBlockByNumber(line - 1))
            selections.append(selection)
        self.setExtraSelections(selections)
        self._gutter.update()

    def _fit_gutter(self, *_: Any) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _scroll_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())
        if rect.contains(self.viewport().rect()):
            self._fit_gutter()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        inside = self.contentsRect()
        self._gutter.setGeometry(
            QRect(inside.left(), inside.top(), self.gutter_width(), inside.height())
        )

    def paint_gutter(self, event: Any) -> None:
        painter = QPainter(self._gutter)
        palette = self.palette()
        painter.fillRect(event.rect(), theme.EDITOR_GUTTER.color(palette))
        block = self.firstVisibleBlock()
        number = block.blockNumber() + 1
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        bottom = top + round(self.blockBoundingRect(block).height())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible() and bottom >= event.rect().top():
                error = number == self.error_line
                painter.setPen((theme.DANGER if error else theme.MUTED).color(palette))
                painter.drawText(0, top, self._gutter.width() - 6, height,
                                 Qt.AlignmentFlag.AlignRight, str(number))
            block = block.next()
            top = bottom
            bottom = top + round(self.blockBoundingRect(block).height())
            number += 1
        painter.end()


class LetterheadForm(QWidget):
    """Who the letters come from when an office writes for a claimant."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        note = QLabel(
            "Leave the organisation empty when the claimant writes their own letters: they "
            "are then signed by the claimant, from the claimant's address."
        )
        note.setWordWrap(True)
        self.organisation = self._line("Organisation", "e.g. Riverside Patient Advocacy")
        self.address = QPlainTextEdit()
        self.address.setAccessibleName("Address")
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(96)
        self.address.setPlaceholderText("One line of the address on each line")
        self.phone = self._line("Phone")
        self.email = self._line("Email")
        self.signatory = self._line("Signatory", "Who signs the letters")
        self.role = self._line("Role", "e.g. Patient advocate")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        theme.follow(
            self.problem,
            lambda: self.problem.setStyleSheet(f"color: {theme.DANGER.hex(self.palette())};"),
        )
        self.problem.hide()
        self.save_button = QPushButton("Save letterhead")
        self.save_button.setAccessibleName("Save the letterhead")
        self.status = QLabel()
        self.status.setAccessibleName("Letterhead status")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Organisation:", self.organisation)
        form.addRow("Address:", self.address)
        form.addRow("Phone:", self.phone)
        form.addRow("Email:", self.email)
        form.addRow("Signatory:", self.signatory)
        form.addRow("Role:", self.role)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.save_button)
        column = QVBoxLayout()
        column.addWidget(note)
        column.addSpacing(8)
        column.addLayout(form)
        column.addWidget(self.problem)
        column.addLayout(buttons)
        column.addStretch(1)
        # A form stretched across a wide dialog is hard to read: keep it to a column's width.
        outer = QHBoxLayout(self)
        outer.addLayout(column, 3)
        outer.addStretch(2)
        self._loaded = Letterhead()
        for edit in (self.organisation, self.address, self.phone, self.email, self.signatory,
                     self.role):
            edit.textChanged.connect(lambda *_: self.status.setText(""))

    def _line(self, label: str, hint: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(label)
        edit.setPlaceholderText(hint)
        return edit

    def set_value(self, letterhead: Letterhead) -> None:
        self._loaded = letterhead
        self.organisation.setText(letterhead.organisation)
        self.address.setPlainText(letterhead.address)
        self.phone.setText(letterhead.phone)
        self.email.setText(letterhead.email)
        self.signatory.setText(letterhead.signatory)
        self.role.setText(letterhead.role)

    def value(self) -> Letterhead:
        return Letterhead(
            organisation=self.organisation.text().strip(),
            address=self.address.toPlainText().strip(),
            phone=self.phone.text().strip(),
            email=self.email.text().strip(),
            signatory=self.signatory.text().strip(),
            role=self.role.text().strip(),
        )

    def is_dirty(self) -> bool:
        return self.value() != self._loaded


class TemplateEditor(QDialog):
    """The office's letter templates and letterhead, with a live preview on a real case."""

    def __init__(self, env: GuiEnv, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.lettering = env.services.lettering
        self.store = self.lettering.store
        # Tests replace this so no message box blocks them.
        self.ask: Ask = ask_with_buttons
        self.shown: LetterPreview | None = None
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
        self.insert_button = QPushButton("Insert field")
        self.insert_button.setAccessibleName("Insert a field from the case")
        self.insert_button.setToolTip("Put a field of the case (the claimant's name, the "
                                      "denial date…) where the cursor is")
        self.field_menu = QMenu(self)
        self.field_menu.aboutToShow.connect(self._fill_field_menu)
        # One connection for every field (submenus' choices reach their parent menu too).
        self.field_menu.triggered.connect(lambda action: self._field_chosen(action.data()))
        self.insert_button.setMenu(self.field_menu)
        self.editor = SourceEdit()
        self.editor.setAccessibleName("Template text")
        self.cursor_place = QLabel()
        self.cursor_place.setAccessibleName("Cursor position")
        self.save_button = QPushButton("Save")
        self.save_button.setAccessibleName("Save the office's version")
        self.save_button.setToolTip("Keep this text as the office's version (Ctrl+S)")
        self.bundled_button = QPushButton("Use the bundled version")
        self.bundled_button.setAccessibleName("Use the bundled version")

        self.case = QComboBox()
        self.case.setAccessibleName("Case to preview on")
        for row in env.services.claims.list_claims():
            self.case.addItem(f"{row.case_number} · {row.claimant_name}", row.id)
        self.preview_note = QLabel()
        self.preview_note.setWordWrap(True)
        self.view = LetterPreviewView()
        self.view.setAccessibleName("Preview of the letter")
        self.error = QLabel()
        self.error.setAccessibleName("Template error")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.RichText)
        theme.follow(self, self._colour_labels)
        self.error.linkActivated.connect(lambda link: self.editor.go_to_line(int(link)))
        self.error.hide()
        self.findings = QLabel()
        self.findings.setAccessibleName("What the language check found")
        self.findings.setWordWrap(True)
        self.findings.setTextFormat(Qt.TextFormat.RichText)

        self.letterhead = LetterheadForm()
        self.tabs = QTabWidget()
        self.tabs.addTab(self._templates_page(), "Templates")
        self.tabs.addTab(self.letterhead, "Letterhead")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh_preview)
        self.editor.textChanged.connect(self._text_changed)
        self.editor.cursorPositionChanged.connect(self._show_place)
        self.templates.currentRowChanged.connect(self._row_changed)
        self.case.currentIndexChanged.connect(lambda *_: self.refresh_preview())
        self.save_button.clicked.connect(self.save)
        self.bundled_button.clicked.connect(self.use_bundled)
        self.letterhead.save_button.clicked.connect(self.save_letterhead)
        save = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        save.activated.connect(self._save_shortcut)
        for first, second in ((self.templates, self.insert_button),
                              (self.insert_button, self.editor),
                              (self.editor, self.save_button),
                              (self.save_button, self.bundled_button),
                              (self.bundled_button, self.case),
                              (self.case, self.view)):
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
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.insert_button, 0, Qt.AlignmentFlag.AlignTop)
        middle_layout.addLayout(top)
        middle_layout.addWidget(self.editor, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.cursor_place, 1)
        bottom.addWidget(self.bundled_button)
        bottom.addWidget(self.save_button)
        middle_layout.addLayout(bottom)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        chooser = QHBoxLayout()
        case_label = QLabel("Preview on &case:")
        case_label.setBuddy(self.case)
        chooser.addWidget(case_label)
        chooser.addWidget(self.case, 1)
        right_layout.addLayout(chooser)
        right_layout.addWidget(self.preview_note)
        right_layout.addWidget(self.view, 1)
        right_layout.addWidget(self.error)
        right_layout.addWidget(self.findings)

        split = QSplitter()
        split.setChildrenCollapsible(False)
        for pane in (left, middle, right):
            split.addWidget(pane)
        split.setStretchFactor(1, 1)
        split.setStretchFactor(2, 1)
        split.setSizes([230, 520, 520])
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
        item.setToolTip(info.summary)
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
        self.shown = None
        title = LAYOUT_TITLE if info.layout else info.title
        summary = f"<br><small style='color:gray'>{_html(info.summary)}</small>"
        self.title.setText(f"<b>{_html(title)}</b>{summary if info.summary else ''}")
        self.editor.mark_error(None)
        self.editor.setPlainText(text)
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

    def is_dirty(self) -> bool:
        """True when the editor holds changes that are not saved."""
        return self.editor.toPlainText() != self._saved_text

    def _text_changed(self) -> None:
        self._show_place()
        self._timer.start()

    def _show_place(self) -> None:
        cursor = self.editor.textCursor()
        place = f"Line {cursor.blockNumber() + 1}, column {cursor.positionInBlock() + 1}"
        dirty = self.is_dirty()
        if dirty:
            state = "unsaved changes"
        elif self._office_version():
            state = OFFICE_MARK
        else:
            state = "bundled version"
        self.cursor_place.setText(f"{place}  ·  {state}")
        self.save_button.setEnabled(dirty)
        self.bundled_button.setEnabled(self._has_bundled and (dirty or self._office_version()))

    def insert_field(self, path: str) -> None:
        """Type a case field (or a loop over a list of them) where the cursor is."""
        self.editor.insertPlainText(field_snippet(path))
        self.editor.setFocus()

    def _fill_field_menu(self) -> None:
        for submenu in self.field_menu.findChildren(QMenu):
            submenu.deleteLater()
        self.field_menu.clear()
        claim_id = self.case.currentData()
        if claim_id is None:
            self.field_menu.addAction("Add a case to list its fields").setEnabled(False)
            return
        paths = describe_fields(self.lettering.context(claim_id))
        # A list of records is offered through its items' fields, not as a whole.
        paths = [p for p in paths if not (p.endswith("[]") and any(
            q.startswith(p + ".") for q in paths))]
        groups: dict[str, list[str]] = {}
        for path in paths:
            groups.setdefault(path.split(".")[0].split("[")[0], []).append(path)
        for group, members in groups.items():
            if len(members) == 1 and members[0] == group:
                self._field_action(self.field_menu, group, group)
                continue
            submenu = self.field_menu.addMenu(group)
            for path in members:
                self._field_action(submenu, path[len(group):].lstrip(".") or path, path)

    def _field_action(self, menu: QMenu, text: str, path: str) -> None:
        action = menu.addAction(text)
        action.setData(path)
        action.setToolTip(field_snippet(path))

    def _field_chosen(self, path: object) -> None:
        if isinstance(path, str) and path:
            self.insert_field(path)

    # Saving

    def save(self) -> bool:
        """Keep the editor's text as the office's version; refused if it does not parse."""
        text = self.editor.toPlainText()
        try:
            info = self.store.save(self._kind, text)
        except TemplateRenderError as error:
            self._show_error(error)
            where = f" (line {error.line})" if error.line else ""
            self.env.prompts.error(
                self, "The template was not saved",
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
        """Go back to the bundled template, removing the office's version (after asking)."""
        title = self._title()
        if self._office_version():
            question = (f"Remove the office's version of “{title}” and use the version that "
                        "comes with ClaimDesk? Letters already written are not changed.")
        else:
            question = f"Discard your changes to “{title}”?"
        answer = "Use the bundled version"
        if self.ask(self, "Use the bundled version", question, (answer,)) != answer:
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
        title = self._title()
        answer = self.ask(self, "Unsaved changes",
                          f"Save your changes to “{title}” as the office's version?",
                          ("Save", "Discard"))
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
        claim_id = self.case.currentData()
        kind = self._kind
        if not kind:
            return
        self._generation += 1
        generation = self._generation
        if claim_id is None:
            self.view.show_error("There are no cases yet. Add a case (or the sample cases "
                                 "from the Help menu) to see the letter on it.")
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
                self._show_preview(preview)

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
        """The hint labels in the muted tone and the error box in red, for the current theme."""
        palette = self.palette()
        for label in (self.cursor_place, self.preview_note):
            label.setStyleSheet(f"color: {theme.MUTED.hex(palette)};")
        self.error.setStyleSheet(
            f"QLabel {{ color: {theme.DANGER.hex(palette)};"
            f" background: {theme.DANGER_BACKGROUND.hex(palette)};"
            f" border: 1px solid {theme.DANGER_BORDER.hex(palette)};"
            " border-radius: 3px; padding: 6px; }"
        )

    def _show_preview(self, preview: LetterPreview) -> None:
        self.shown = preview
        self.view.show_letter(preview)
        self.editor.mark_error(None)
        self.error.hide()
        self.findings.setText(findings_html(
            preview.findings, "On this case the check found:", theme.WARNING,
            "The language check found nothing to fix on this case.",
        ))

    def _show_error(self, error: TemplateRenderError) -> None:
        """Say what is wrong and where; highlight the line when it is in this template."""
        here = error.template == self._kind + SUFFIX
        if error.line and here:
            red = theme.DANGER.hex(self.palette())
            where = f"<a href='{error.line}' style='color:{red}'>Line {error.line}</a>"
            self.editor.mark_error(error.line)
        elif error.line:
            where = f"{_html(error.template)}, line {error.line}"
            self.editor.mark_error(None)
        else:
            where = "This template" if here else _html(error.template)
            self.editor.mark_error(None)
        kept = (" The preview shows the last version that worked."
                if self.shown is not None else "")
        detail = error.detail.rstrip(". ")
        self.error.setText(f"<b>{where}:</b> {_html(detail)}.{kept}")
        self.error.show()
        if self.shown is None:
            self.view.show_error("Correct the template to see the letter.")
        self.findings.setText("")

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
        answer = self.ask(self, "Unsaved changes", "Save the changes to the letterhead?",
                          ("Save", "Discard"))
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

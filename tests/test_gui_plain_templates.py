"""Tools ▸ Letter templates ▸ Paragraphs: an office rewords a letter without template code,
previews it and saves it as its own version; the bundled template is untouched."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from claimdesk.gui.env import GuiEnv
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.gui.templates.editor import PREVIEW_DELAY_MS, TemplateEditor
from claimdesk.gui.templates.plain_view import ParagraphEdit
from claimdesk.services.demo import load_demo
from claimdesk.storage import open_database
from tests.gui_support import make_env
from tests.pinned import pinned_clock
from tests.signin import as_user

WAIT = 10_000
KIND = "records_request"


@pytest.fixture
def editor(qtbot: QtBot, tmp_path: Path) -> Iterator[TemplateEditor]:
    database = open_database(f"sqlite:///{tmp_path / 'claimdesk.sqlite'}")
    services = as_user(database, "Template Tester", tmp_path, clock=pinned_clock())
    load_demo(services)
    env = make_env(services, tmp_path)
    dialog = TemplateEditor(env)
    qtbot.addWidget(dialog)
    yield dialog
    qtbot.wait(PREVIEW_DELAY_MS + 100)
    env.tasks.wait(WAIT)
    qtbot.wait(50)
    database.dispose()


def recorded(env: GuiEnv) -> RecordingPrompts:
    assert isinstance(env.prompts, RecordingPrompts)
    return env.prompts


def body_paragraph(editor: TemplateEditor) -> ParagraphEdit:
    """The first paragraph of the letter's body that is always printed."""
    template = editor.plain.template
    assert template is not None
    for index, edit in editor.plain.edits.items():
        segment = template.segments[index]
        if segment.block == "body" and not segment.condition and segment.text[:1] not in "#>":
            return edit
    raise AssertionError("no body paragraph to reword")


def type_at_end(qtbot: QtBot, edit: ParagraphEdit, text: str) -> None:
    edit.setFocus()
    edit.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(edit, text)


def test_a_paragraph_reworded_with_a_field_is_previewed_and_saved(
    qtbot: QtBot, editor: TemplateEditor
) -> None:
    services = editor.env.services
    bundled = services.lettering.store.bundled_dir / f"{KIND}.jinja"
    before = hashlib.sha256(bundled.read_bytes()).hexdigest()
    assert editor.select(KIND)
    assert editor.views.currentWidget() is editor.plain  # the paragraphs come first
    assert editor.plain.edits and editor.plain._fixed  # reworded text and greyed logic

    edit = body_paragraph(editor)
    type_at_end(qtbot, edit, " We thank ")
    editor.plain.field_list.setCurrentText("Insurer's name")
    editor.plain.insert_button.click()
    qtbot.keyClicks(edit, " for its help.")
    assert edit.toPlainText().endswith(" We thank «Insurer's name» for its help.")
    # The template code follows, with the field as a field.
    assert " We thank {{ insurer.name }} for its help." in editor.editor.toPlainText()

    claim_id = editor.preview.claim_id()
    assert claim_id is not None
    insurer = services.claims.get(claim_id).insurer_name
    qtbot.waitUntil(
        lambda: f"We thank {insurer} for its help." in editor.view.toPlainText(), timeout=WAIT
    )
    assert "unsaved changes" in editor.cursor_place.text()
    assert editor.save()
    assert services.lettering.store.info(KIND).origin == "office"
    assert "Office version of" in editor.cursor_place.text()
    preview = services.lettering.preview(claim_id, KIND)
    assert f"We thank {insurer} for its help." in preview.markup
    assert hashlib.sha256(bundled.read_bytes()).hexdigest() == before


def test_an_unknown_field_is_explained_and_nothing_is_saved(
    qtbot: QtBot, editor: TemplateEditor
) -> None:
    assert editor.select(KIND)
    edit = body_paragraph(editor)
    type_at_end(qtbot, edit, " «Claimant's shoe size»")
    problem = editor.plain._errors[edit.index]
    assert problem.isVisibleTo(editor)
    assert "«Claimant's shoe size» is not a field" in problem.text()
    assert "shoe size" not in editor.editor.toPlainText()
    assert "a paragraph needs correcting" in editor.cursor_place.text()
    assert not editor.save()
    kind, _title, message = recorded(editor.env).shown[-1]
    assert kind == "error" and "shoe size" in message
    assert editor.env.services.lettering.store.info(KIND).origin == "bundled"


def test_optional_paragraphs_say_when_and_the_code_view_is_still_there(
    qtbot: QtBot, editor: TemplateEditor
) -> None:
    assert editor.select("internal_appeal")
    template = editor.plain.template
    assert template is not None
    optional = [template.segments[i] for i in editor.plain.edits if template.segments[i].condition]
    assert optional
    captions = [label.text() for label in editor.plain.findChildren(type(editor.title))]
    assert any("Optional paragraph: only when" in text for text in captions)
    editor.show_advanced()
    assert editor.views.tabText(editor.views.currentIndex()) == "Advanced (template code)"
    assert '{% extends "_letter.jinja" %}' in editor.editor.toPlainText()
    # A change in the code shows in the paragraphs when they are opened again.
    segment = next(
        template.segments[i] for i in editor.plain.edits if not template.segments[i].inline
    )
    code = editor.editor.toPlainText()
    assert segment.source in code
    editor.editor.setPlainText(code.replace(segment.source, "Reworded in the code.\n", 1))
    editor.show_advanced(False)
    assert "Reworded in the code." in [e.toPlainText() for e in editor.plain.edits.values()]

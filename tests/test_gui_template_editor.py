"""Tools ▸ Letter templates: edit a template with a live preview, save the office's version,
refuse a broken one, go back to the bundled version, and keep the letterhead."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from claimdesk.gui.env import GuiEnv
from claimdesk.gui.letter_preview import blocks_to_html
from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.gui.templates.advanced_view import field_snippet
from claimdesk.gui.templates.editor import PREVIEW_DELAY_MS, TemplateEditor
from claimdesk.letters.markup import parse
from claimdesk.services import Services
from claimdesk.services.demo import load_demo
from claimdesk.storage import open_database
from tests.gui_support import make_env
from tests.pinned import pinned_clock
from tests.signin import as_user

WAIT = 10_000
KIND = "records_request"
MARKER = "To prepare the appeal"


@dataclass
class Opened:
    services: Services
    env: GuiEnv
    editor: TemplateEditor
    office_file: Path


@pytest.fixture
def opened(qtbot: QtBot, tmp_path: Path) -> Iterator[Opened]:
    database = open_database(f"sqlite:///{tmp_path / 'claimdesk.sqlite'}")
    services = as_user(database, "Template Tester", tmp_path, clock=pinned_clock())
    load_demo(services)
    env = make_env(services, tmp_path)
    editor = TemplateEditor(env)
    qtbot.addWidget(editor)
    # These tests edit the template code; tests/test_gui_plain_templates.py the paragraphs.
    editor.show_advanced()
    office_file = tmp_path / "templates" / "letters" / f"{KIND}.jinja"
    yield Opened(services, env, editor, office_file)
    # Let a pending or running preview finish and be delivered while everything is alive.
    qtbot.wait(PREVIEW_DELAY_MS + 100)
    env.tasks.wait(WAIT)
    qtbot.wait(50)
    database.dispose()


def type_after(qtbot: QtBot, editor: TemplateEditor, anchor: str, text: str) -> None:
    """Put the cursor just after ``anchor`` in the template and type ``text`` there."""
    source = editor.editor.toPlainText()
    cursor = editor.editor.textCursor()
    cursor.setPosition(source.index(anchor) + len(anchor))
    editor.editor.setTextCursor(cursor)
    qtbot.keyClicks(editor.editor, text)


def line_of(text: str, anchor: str) -> int:
    return text[: text.index(anchor)].count("\n") + 1


def prompts(env: GuiEnv) -> RecordingPrompts:
    assert isinstance(env.prompts, RecordingPrompts)
    return env.prompts


def test_lists_the_letters_then_the_layout(opened: Opened) -> None:
    names = [
        opened.editor.templates.item(row).text() for row in range(opened.editor.templates.count())
    ]
    assert names[0] == opened.services.lettering.templates()[0].title
    assert names[-1] == "Layout shared by all letters"
    assert opened.editor.kind() == KIND


def test_a_typed_change_is_previewed_and_saved_as_the_office_version(
    qtbot: QtBot, opened: Opened
) -> None:
    editor = opened.editor
    assert editor.select(KIND)
    type_after(qtbot, editor, MARKER, " without delay")
    qtbot.waitUntil(lambda: "appeal without delay" in editor.view.toPlainText(), timeout=WAIT)
    assert "unsaved changes" in editor.cursor_place.text()
    assert not opened.office_file.exists()

    assert editor.save()
    assert "appeal without delay" in opened.office_file.read_text(encoding="utf-8")
    assert opened.services.lettering.store.info(KIND).origin == "office"
    assert "office's version" in editor.templates.currentItem().text()
    assert not editor.is_dirty()


def test_a_broken_template_shows_its_line_and_is_not_saved(qtbot: QtBot, opened: Opened) -> None:
    editor = opened.editor
    type_after(qtbot, editor, MARKER, " promptly")
    assert editor.save()
    saved = opened.office_file.read_text(encoding="utf-8")
    line = line_of(editor.editor.toPlainText(), MARKER)

    type_after(qtbot, editor, MARKER, " {% if %}")
    qtbot.waitUntil(lambda: not editor.error.isHidden(), timeout=WAIT)
    assert f"line {line}" in editor.error.text().lower()
    assert editor.editor.error_line == line
    assert len(editor.editor.extraSelections()) == 1

    assert not editor.save()
    assert opened.office_file.read_text(encoding="utf-8") == saved
    kind, _title, message = prompts(opened.env).shown[-1]
    assert kind == "error" and f"line {line}" in message
    assert editor.is_dirty()


def test_the_preview_recovers_when_the_error_is_corrected(qtbot: QtBot, opened: Opened) -> None:
    editor = opened.editor
    bundled = editor.editor.toPlainText()
    type_after(qtbot, editor, MARKER, " {% if %}")
    qtbot.waitUntil(lambda: not editor.error.isHidden(), timeout=WAIT)
    editor.editor.setPlainText(bundled.replace(MARKER, MARKER + " at once"))
    qtbot.waitUntil(lambda: "appeal at once" in editor.view.toPlainText(), timeout=WAIT)
    assert editor.error.isHidden()
    assert editor.editor.error_line is None


def test_a_template_that_would_fill_the_memory_is_named_and_the_preview_stays_live(
    qtbot: QtBot, opened: Opened
) -> None:
    editor = opened.editor
    bundled = editor.editor.toPlainText()
    line = line_of(bundled, MARKER)
    type_after(qtbot, editor, MARKER, " {{ ('a' * 100000)|replace('a', 'b' * 100000) }}")
    qtbot.waitUntil(lambda: not editor.error.isHidden(), timeout=WAIT)
    assert f"line {line}" in editor.error.text().lower()
    assert "replace filter" in editor.error.text()
    # The next edit is previewed as usual.
    editor.editor.setPlainText(bundled.replace(MARKER, MARKER + " at once"))
    qtbot.waitUntil(lambda: "appeal at once" in editor.view.toPlainText(), timeout=WAIT)
    assert editor.error.isHidden()


def test_use_the_bundled_version_asks_then_removes_the_office_version(
    qtbot: QtBot, opened: Opened
) -> None:
    editor = opened.editor
    store = opened.services.lettering.store
    type_after(qtbot, editor, MARKER, " promptly")
    assert editor.save()

    asked = prompts(opened.env)
    asked.answers.append(False)  # Cancel
    editor.use_bundled()
    assert opened.office_file.exists()

    asked.answers.append(True)
    editor.use_bundled()
    assert not opened.office_file.exists()
    assert store.info(KIND).origin == "bundled"
    assert editor.editor.toPlainText() == store.bundled_source(KIND)
    assert "office's version" not in editor.templates.currentItem().text()
    assert [title for kind, title, _ in asked.shown if kind == "confirm"] == [
        "Use ClaimDesk's standard letter"
    ] * 2


def test_unsaved_edits_are_not_lost_when_switching_or_closing(qtbot: QtBot, opened: Opened) -> None:
    editor = opened.editor
    type_after(qtbot, editor, MARKER, " promptly")

    asked = prompts(opened.env)
    asked.answers.append(None)  # Cancel: stay on this template
    assert not editor.select("internal_appeal")
    assert editor.kind() == KIND
    assert editor.templates.currentItem().text().startswith("Request for the claim file")
    assert "promptly" in editor.editor.toPlainText()

    asked.answers.append("Discard")
    assert editor.select("internal_appeal")
    assert not opened.office_file.exists()

    assert editor.select(KIND)
    type_after(qtbot, editor, MARKER, " promptly")
    asked.answers.append("Save")
    editor.show()
    editor.reject()
    assert not editor.isVisible()
    assert "appeal promptly" in opened.office_file.read_text(encoding="utf-8")
    assert [title for kind, title, _ in asked.shown if kind == "ask"] == ["Unsaved changes"] * 3


def test_editing_the_layout_previews_a_letter_through_it(qtbot: QtBot, opened: Opened) -> None:
    editor = opened.editor
    assert editor.select("_letter")
    type_after(qtbot, editor, "Dear Sir or Madam", " of the appeals team")
    qtbot.waitUntil(lambda: "Madam of the appeals team" in editor.view.toPlainText(), timeout=WAIT)
    assert editor.preview_note.isVisibleTo(editor)


def test_a_stale_preview_is_never_shown(qtbot: QtBot, opened: Opened) -> None:
    editor = opened.editor
    qtbot.waitUntil(lambda: editor.shown is not None, timeout=WAIT)
    shown: list[str] = []
    editor.view.show_letter = lambda preview: shown.append(preview.markup)  # type: ignore[method-assign]
    source = editor.editor.toPlainText()
    editor.editor.setPlainText(source.replace(MARKER, MARKER + " FIRST"))
    editor.refresh_preview()
    editor.editor.setPlainText(source.replace(MARKER, MARKER + " SECOND"))
    editor.refresh_preview()
    qtbot.waitUntil(lambda: bool(shown), timeout=WAIT)
    opened.env.tasks.wait(WAIT)
    qtbot.wait(50)
    assert len(shown) == 1 and "SECOND" in shown[0]


def test_insert_field_types_the_field_at_the_cursor(qtbot: QtBot, opened: Opened) -> None:
    editor = opened.editor
    type_after(qtbot, editor, MARKER, "")
    editor.insert_field("claimant.name")
    assert f"{MARKER}{{{{ claimant.name }}}}" in editor.editor.toPlainText()
    editor.advanced.fill_field_menu()
    groups = {action.text(): action for action in editor.advanced.field_menu.actions()}
    assert "today" in groups
    claimant = groups["claimant"].menu()
    name = next(a for a in claimant.actions() if a.text() == "first_name")
    name.trigger()
    assert "{{ claimant.first_name }}" in editor.editor.toPlainText()
    assert field_snippet("calls[].summary") == (
        "{% for item in calls %}{{ item.summary }}{% endfor %}"
    )


def test_the_letterhead_is_saved_and_used(qtbot: QtBot, opened: Opened, tmp_path: Path) -> None:
    editor = opened.editor
    qtbot.waitUntil(lambda: editor.shown is not None, timeout=WAIT)
    form = editor.letterhead
    form.organisation.setText("Riverside Patient Advocacy")
    form.address.setPlainText("12 Mill Lane\nRiverside")
    form.signatory.setText("Dana Whitfield")
    form.role.setText("Patient advocate")
    assert editor.save_letterhead()
    saved = opened.services.lettering.letterhead()
    assert saved.organisation == "Riverside Patient Advocacy"
    assert saved.address == "12 Mill Lane\nRiverside"
    qtbot.waitUntil(lambda: "We act for" in editor.view.toPlainText(), timeout=WAIT)

    again = TemplateEditor(opened.env)
    again.show_advanced()
    qtbot.addWidget(again)
    assert again.letterhead.organisation.text() == "Riverside Patient Advocacy"
    assert again.letterhead.signatory.text() == "Dana Whitfield"
    assert not again.letterhead.is_dirty()


def test_blocks_become_escaped_html_with_lists_grouped() -> None:
    blocks = parse(
        "# Subject\n\nDear <Sir>,\nline two\n\n- one\n- **two**\n\n1. first\n"
        "1. *second*\n\n> quoted"
    )
    html = blocks_to_html(blocks)
    assert "<h3>Subject</h3>" in html
    assert "<p>Dear &lt;Sir&gt;,<br>line two</p>" in html
    assert html.count("<ul>") == 1 and "<li><b>two</b></li>" in html
    assert html.count("<ol>") == 1 and "<li><i>second</i></li>" in html
    assert "<blockquote>quoted</blockquote>" in html

"""File ▸ Export and Import a case from the window; a broken case file is named."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from claimdesk.gui.prompts import RecordingPrompts
from claimdesk.gui.workspace import CaseWorkspace
from claimdesk.services import Services
from tests.builders import full_case
from tests.test_gui import make_window


def test_export_then_import_a_case_from_the_window(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    claim_id = full_case(services, "Maria Lopez")
    window = make_window(qtbot, services, tmp_path)
    prompts = window.prompts
    assert isinstance(prompts, RecordingPrompts)
    window.open_case(claim_id)
    out = tmp_path / "maria.json"
    prompts.answers.append(out)
    window.action("actionExportCase").trigger()
    qtbot.waitUntil(out.exists, timeout=10_000)
    assert '"claimant_name": "Maria Lopez"' in out.read_text(encoding="utf-8")

    prompts.answers.append(out)
    window.action("actionImportCase").trigger()
    qtbot.waitUntil(lambda: len(services.claims.list_claims()) == 2, timeout=10_000)
    imported = max(c.id for c in services.claims.list_claims())
    qtbot.waitUntil(
        lambda: (
            isinstance(window.tabs.currentWidget(), CaseWorkspace)
            and window.tabs.currentWidget().claim_id == imported
        )  # type: ignore[attr-defined]
    )


def test_a_broken_case_file_is_named_and_nothing_imported(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = make_window(qtbot, services, tmp_path)
    prompts = window.prompts
    assert isinstance(prompts, RecordingPrompts)
    bad = tmp_path / "broken.json"
    bad.write_text('{"format": "claimdesk-case", "claim": ', encoding="utf-8")
    prompts.answers.append(bad)
    window.action("actionImportCase").trigger()
    qtbot.waitUntil(lambda: any(kind == "error" for kind, *_ in prompts.shown), timeout=10_000)
    _, title, message = next(s for s in prompts.shown if s[0] == "error")
    assert title == "The case was not imported"
    assert "broken.json is not valid JSON" in message
    assert services.claims.list_claims() == []


def test_export_needs_an_open_case(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    window = make_window(qtbot, services, tmp_path)
    window.action("actionExportCase").trigger()
    assert "Open the case" in window.statusBar().currentMessage()

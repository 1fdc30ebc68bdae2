"""File ▸ Restore from a backup: picked and confirmed through the prompts, run off the GUI
thread, a damaged backup refused with the storage layer's own message, and after a restore the
window closes so ClaimDesk starts again on the restored database."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from claimdesk.errors import ClaimDeskError
from claimdesk.gui.main_window import MainWindow
from claimdesk.services import Services
from claimdesk.storage import backup as storage_backup
from tests.builders import full_case
from tests.gui_support import settled, threads_calling
from tests.test_gui import make_window


def shown(window: MainWindow) -> list[tuple[str, str, str]]:
    return window.prompts.shown  # type: ignore[attr-defined,no-any-return]


def answer(window: MainWindow, *answers: object) -> None:
    window.prompts.answers.extend(answers)  # type: ignore[attr-defined]


def names(services: Services) -> list[str]:
    return sorted(c.claimant_name for c in services.claims.list_claims())


def test_a_backup_is_restored_off_the_gui_thread_and_the_window_closes(
    qtbot: QtBot, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full_case(services, "Maria Lopez")
    saved = tmp_path / "saved.sqlite"
    storage_backup.backup(services.db, saved)
    full_case(services, "Ravi Kumar")  # after the backup: the restore takes it away
    window = make_window(qtbot, services, tmp_path)
    seen = threads_calling(monkeypatch, storage_backup, "restore")

    answer(window, saved, False)  # the file, then "Cancel" at the question
    window.action("actionRestore").trigger()
    kinds = [s[0] for s in shown(window)]
    assert kinds == ["open", "confirm"]
    question = shown(window)[-1][2]
    assert "saved.sqlite" in question and "replaced" in question
    assert str(tmp_path / "backups") in question  # where the current one is kept
    window.tasks.wait(5000)
    assert seen == [] and names(services) == ["Maria Lopez", "Ravi Kumar"]

    answer(window, saved, True)
    window.action("actionRestore").trigger()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=20_000)
    assert seen and seen[0] is not threading.main_thread()
    assert names(services) == ["Maria Lopez"]
    kind, title, message = shown(window)[-1]
    assert (kind, title) == ("info", "Restored")
    assert "Restored 1 case from" in message and "start it again" in message
    kept = list((tmp_path / "backups").glob("*-before-restore-*.sqlite"))
    assert len(kept) == 1 and str(kept[0]) in message
    assert storage_backup.inspect_file(kept[0]) == 2  # the database as it was, both cases


def test_a_damaged_backup_is_refused_with_the_storage_layers_message(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    full_case(services, "Maria Lopez")
    saved = tmp_path / "saved.sqlite"
    storage_backup.backup(services.db, saved)
    damaged = tmp_path / "damaged.sqlite"
    data = saved.read_bytes()
    damaged.write_bytes(data[: len(data) // 3])  # a copy cut short
    with pytest.raises(ClaimDeskError) as refused:
        storage_backup.inspect_file(damaged)
    window = make_window(qtbot, services, tmp_path)

    answer(window, damaged, True)
    window.action("actionRestore").trigger()
    qtbot.waitUntil(lambda: shown(window)[-1][0] == "error", timeout=20_000)
    assert shown(window)[-1][1:] == ("The backup was not restored", str(refused.value))
    assert window.isVisible() and window.centralWidget().isEnabled()
    assert window.menuBar().isEnabled()
    assert names(services) == ["Maria Lopez"]
    assert not (tmp_path / "backups").exists() or not list((tmp_path / "backups").iterdir())


def test_unsaved_typing_stops_a_restore_before_anything_is_asked(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    claim_id = full_case(services, "Maria Lopez")
    window = make_window(qtbot, services, tmp_path)
    workspace = window.open_case(claim_id)
    panel = workspace.show_panel("calls")
    panel.start_new_call()  # type: ignore[union-attr]
    settled(panel)  # type: ignore[arg-type]
    qtbot.keyClicks(panel.form.who, "Dana")  # type: ignore[union-attr]

    window.action("actionRestore").trigger()
    [(kind, _, message)] = shown(window)
    assert kind == "error" and "not saved" in message


@pytest.mark.sqlite_only
def test_a_backup_encrypted_elsewhere_asks_for_a_password_it_knew(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    from claimdesk.paths import sqlite_url
    from claimdesk.storage import keys
    from tests.signin import TEST_PASSWORD, signed_in

    office = tmp_path / "office" / "claimdesk.sqlite"
    data_key, recovery = keys.create_key_file(office, "ana", TEST_PASSWORD)
    other = Services.open(sqlite_url(office), signed_in("ana"), key=data_key)
    full_case(other, "Gwendolyn Quarterman")
    carried = tmp_path / "usb" / "carried.sqlite"
    other.backups.backup(carried)
    other.close()
    full_case(services, "Maria Lopez")
    window = make_window(qtbot, services, tmp_path)

    answer(window, carried, None)  # asked for the password: Cancel
    window.action("actionRestore").trigger()
    assert [s[0] for s in shown(window)] == ["open", "password"]
    assert "encrypted on another computer" in shown(window)[-1][2]
    assert names(services) == ["Maria Lopez"]

    answer(window, carried, "not it", recovery.lower(), True)
    window.action("actionRestore").trigger()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=20_000)
    kinds = [s[0] for s in shown(window)]
    assert kinds[2:] == ["open", "password", "error", "password", "confirm", "info"]
    assert "neither the recovery key" in shown(window)[4][2]
    assert "sign in with a password it knew" in shown(window)[-1][2]
    assert names(services) == ["Gwendolyn Quarterman"]
    assert services.db.data_key == data_key  # the backup's keys came with it

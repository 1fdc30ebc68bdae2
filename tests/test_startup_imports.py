"""Start-up's order of work: the window paints its case list before the ORM, the models and
most services are imported, then builds the rest (docs/architecture.md, "Start-up").

These guard the structure, not a time: an import added in the wrong place would quietly bring
start-up back to where it was, and bench/startup.py would be the first to notice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import Enum
from sqlalchemy.sql.sqltypes import TypeEngine

from claimdesk import models
from claimdesk.services import Services
from claimdesk.services.caselist import TABLES
from claimdesk.storage.db import Database
from tests.gui_support import open_case
from tests.signin import as_user

ROOT = Path(__file__).resolve().parent.parent

# Imported only after the first paint.
HEAVY = [
    "sqlalchemy.orm",
    "claimdesk.models.claim",
    "claimdesk.services.schedule",
    "claimdesk.services.lettering",
    "claimdesk.services.search",
    "alembic",
    "jinja2",
    "pypdf",
    # The deadline engine and its holiday calendars (the command line's parser named them),
    # and the services' result classes (the search page's).
    "claimdesk.deadlines",
    "holidays",
    "claimdesk.services.dto",
]

# A child's start, the way the program starts: the session opens the database (sys.argv[1])
# and shows the sign-in window; ``early`` is what of the main window was imported by then.
SIGN_IN_SHOWN = r"""
import json, sys
import claimdesk.gui.app as gui_app
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv[:1])
session = gui_app.GuiSession(
    f"sqlite:///{sys.argv[1]}",
    gui_app.Prompts(),
    settings=QSettings(sys.argv[2], QSettings.Format.IniFormat),
    watch_screen=False,
)
assert session.start()
window_modules = sys.modules["claimdesk.gui.session"].WINDOW_MODULES
early = [name for name in window_modules if name in sys.modules]
"""

FIRST_PAINT = (
    SIGN_IN_SHOWN
    + r"""
from claimdesk.services.accounts import use_hasher
from tests.signin import FAST_HASHER, TEST_PASSWORD

use_hasher(FAST_HASHER)
card = session.sign_in_window.card
card.name.setText("Test Caseworker")
card.password.setText(TEST_PASSWORD)
card.button.click()
window = session.window
window.tabs.setCurrentWidget(window.cases_page)
table = window.cases_page.table
found = {}

class Painted(QObject):
    def eventFilter(self, obj, event):
        if not found and event.type() == QEvent.Type.Paint and table.model().rowCount():
            found["rows"] = table.model().rowCount()
            found["loaded"] = [name for name in sys.argv[3:] if name in sys.modules]
            found["window_before_sign_in"] = early
            QTimer.singleShot(0, app.quit)
        return False

table.viewport().installEventFilter(Painted(app))
window.show()
QTimer.singleShot(20000, app.quit)
app.exec()
print(json.dumps(found))
"""
)


def test_the_case_list_paints_before_the_models_are_built(
    services: Services, db_path: Path, tmp_path: Path
) -> None:
    open_case(services)
    services.db.dispose()
    found, problems = run_child(FIRST_PAINT, db_path, tmp_path / "s.ini", *HEAVY)
    assert found == {"rows": 1, "loaded": [], "window_before_sign_in": []}, problems


def run_child(script: str, *args: object) -> tuple[object, str]:
    """What ``script`` printed last (JSON) in a fresh interpreter, and its standard error."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


WHILE_SIGN_IN_SHOWS = (
    SIGN_IN_SHOWN
    + r"""
seen = {"shown": early}

def look():
    seen["a second later"] = [name for name in window_modules if name in sys.modules]
    seen["still signing in"] = session.window is None and session.sign_in_window.isVisible()
    app.quit()

QTimer.singleShot(1000, look)
app.exec()
print(json.dumps(seen))
"""
)


def test_the_main_windows_modules_are_imported_while_the_sign_in_window_waits(
    services: Services, db_path: Path, tmp_path: Path
) -> None:
    """Imported while the person reads the sign-in window, so that signing in waits only for
    the password check."""
    services.db.dispose()
    seen, problems = run_child(WHILE_SIGN_IN_SHOWS, db_path, tmp_path / "s.ini")
    assert seen == {
        "shown": [],
        "a second later": [
            "claimdesk.gui.main_window",
            "claimdesk.gui.lock",
            "claimdesk.gui.screen_lock",
        ],
        "still signing in": True,
    }, problems


def test_the_case_lists_own_columns_match_the_models() -> None:
    """The case list reads through Core columns of its own; each must be the model's."""
    for table in TABLES:
        mapped = models.Base.metadata.tables[table.name]
        for column in table.columns:
            assert column.name in mapped.columns, f"{table.name}.{column.name}"
            expected = mapped.columns[column.name].type
            assert same_type(column.type, expected), f"{table.name}.{column.name}"


def same_type(ours: TypeEngine[object], theirs: TypeEngine[object]) -> bool:
    if isinstance(theirs, Enum):
        return isinstance(ours, Enum) and ours.enum_class is theirs.enum_class
    # String(200) in the model, String here: the length matters only to DDL.
    return type(ours) is type(theirs) or isinstance(theirs, type(ours))


def test_a_wrong_column_would_be_caught() -> None:
    from sqlalchemy import Date, String

    assert not same_type(String(), Date())
    assert not same_type(
        TABLES[0].c.stage.type, models.Base.metadata.tables["claims"].c.claim_type.type
    )


def test_services_are_built_when_first_asked_for(db: Database) -> None:
    services = as_user(db, "Lazy Tester")
    assert set(services.unbuilt()) == set(Services.names())
    assert set(Services.names()) == {
        *("claims", "caselist", "samples", "readiness", "calls", "requests", "documents"),
        *("specialists", "opinions", "imes", "appeals", "deadlines", "letters", "audit"),
        *("exchange", "schedule", "calendar", "timeline", "lettering", "packets", "search"),
        *("accounts", "backups", "alerts", "dashboard", "report", "scans", "intake"),
    }
    caselist = services.caselist
    assert services.caselist is caselist
    assert "caselist" not in services.unbuilt()


def test_a_change_recomputes_deadlines_though_the_schedule_was_never_asked_for(
    db: Database,
) -> None:
    services = as_user(db, "Lazy Tester")
    claim_id = open_case(services)
    # Opening the case is a change; the forwarder subscribed first built the schedule for it.
    assert "schedule" not in services.unbuilt()
    assert services.deadlines.deadlines(claim_id), "opening a case computes its deadlines"


def test_models_load_together_on_first_use() -> None:
    assert models.Claim.__tablename__ == "claims"
    assert {"claims", "deadlines", "audit_events", "search_entries"} <= set(
        models.Base.metadata.tables
    )
    with pytest.raises(AttributeError):
        _ = models.Nothing  # type: ignore[attr-defined]


def test_the_window_builds_every_service_after_its_first_paint(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    from PySide6.QtCore import QSettings

    from claimdesk.gui.main_window import MainWindow
    from claimdesk.gui.prompts import RecordingPrompts

    fresh = as_user(services.db, "Warm Tester")
    window = MainWindow(
        fresh,
        RecordingPrompts(),
        "test",
        QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
    )
    qtbot.addWidget(window)
    assert not window.warmed_up
    window.show()
    qtbot.waitUntil(lambda: window.warmed_up, timeout=20000)
    assert fresh.unbuilt() == []

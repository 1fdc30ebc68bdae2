"""The agenda, the reminders and the case list read on indexes, not by walking every row.

EXPLAIN QUERY PLAN on an office database of bench/make_office_db.py (smaller than an office's
50,000 cases, with the same shape and ANALYZE statistics): a SCAN of the deadlines, the
reminders or the claims is a walk over every row ever kept, whatever the window asked for.
"""

from __future__ import annotations

import importlib.util
import sqlite3
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy.dialects import sqlite

from claimdesk.services.caselist import CaseFilter, CaseListService, CaseSort
from claimdesk.services.schedule import agenda_deadlines_query, reminders_query
from tests.pinned import NOW, TODAY

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    spec = importlib.util.spec_from_file_location(
        "make_office_db", REPO / "bench" / "make_office_db.py"
    )
    assert spec is not None and spec.loader is not None
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    path = tmp_path_factory.mktemp("plans") / "office.sqlite"
    builder.build(path, 3000, 6000, 500, seed=5, now=NOW.astimezone(UTC).replace(tzinfo=None))
    connection = sqlite3.connect(path)
    yield connection
    connection.close()


def plan(connection: sqlite3.Connection, query: Any) -> list[str]:
    sql = str(query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    return [row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}")]


def scans(steps: list[str], table: str) -> list[str]:
    return [s for s in steps if s.startswith(f"SCAN {table}") and "USING" not in s]


@pytest.mark.parametrize("unseen_only", [True, False])
def test_reminders_read_open_deadlines_on_an_index(
    office: sqlite3.Connection, unseen_only: bool
) -> None:
    steps = plan(office, reminders_query(TODAY, unseen_only))
    assert not scans(steps, "deadlines") and not scans(steps, "reminders"), steps
    assert any("USING INDEX ix_deadlines_status_due_on" in s for s in steps) or any(
        "USING INDEX ix_reminders_unseen" in s for s in steps
    ), steps


def test_the_agenda_reads_its_window_on_the_open_deadlines_index(
    office: sqlite3.Connection,
) -> None:
    steps = plan(office, agenda_deadlines_query(TODAY + timedelta(days=14)))
    assert not scans(steps, "deadlines"), steps
    assert any("ix_deadlines_status_due_on (status=? AND due_on<?)" in s for s in steps), steps


def test_the_case_list_sorts_by_next_deadline_without_grouping_the_deadlines(
    office: sqlite3.Connection,
) -> None:
    # Building the query reads nothing but whether the principal is limited to their cases.
    caselist = CaseListService(SimpleNamespace(visible_to=None))  # type: ignore[arg-type]
    query = caselist._ordered(CaseFilter(), CaseSort.NEXT_DEADLINE, False, TODAY, NOW)
    steps = plan(office, query.limit(200))
    assert not any("deadlines" in s for s in steps), steps


def test_the_next_deadline_triggers_seek_one_cases_deadlines(tmp_path: Path) -> None:
    """Before ANALYZE (a new database, an import): a walk over every open deadline in each
    trigger made a bulk insert of 50,000 deadlines quadratic."""
    from claimdesk.storage import open_database

    path = tmp_path / "fresh.sqlite"
    open_database(f"sqlite:///{path}").dispose()
    with sqlite3.connect(path) as connection:
        (trigger,) = connection.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'deadlines_next_due_insert'"
        ).fetchone()
        lookup = trigger[trigger.index("(SELECT min") + 1 : trigger.index(") WHERE id")]
        steps = [
            row[3]
            for row in connection.execute(
                f"EXPLAIN QUERY PLAN {lookup.replace('NEW.claim_id', '1')}"
            )
        ]
    assert steps == [
        "SEARCH d USING COVERING INDEX ix_deadlines_claim_status_due_on (claim_id=? AND status=?)"
    ], steps

"""Sample cases: marked when 'claimdesk demo' adds them, asked about, removed in one step."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from claimdesk.cli import main
from claimdesk.services import Services
from claimdesk.services.demo import load_demo, sample_case_count
from claimdesk.storage import open_database
from tests.builders import full_case
from tests.signin import as_user

SCHEMA = Path(__file__).parent / "resources" / "schema"
# Tables whose rows belong to one case, directly or through another record.
CASE_TABLES = (
    "notes",
    "call_log_entries",
    "call_promises",
    "documents",
    "document_contents",
    "document_requests",
    "request_follow_ups",
    "second_opinions",
    "imes",
    "appeals",
    "case_events",
    "deadlines",
    "reminders",
    "letters",
    "search_entries",
)


def counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND name NOT LIKE 'search_fts%' AND name != 'alembic_version'"
            )
        ]
        return {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_demo_cases_are_marked_and_removed_with_all_their_records(
    services: Services, db_path: Path
) -> None:
    own = full_case(services, "Maria Lopez")
    own_only = counts(db_path)
    samples = load_demo(services)
    assert len(samples) == sample_case_count() >= 6
    tally = services.samples.tally()
    assert (tally.cases, tally.samples, tally.own_cases) == (1 + len(samples), len(samples), 1)
    rows = {r.id: r for r in services.caselist.rows([own, *samples])}
    assert not rows[own].is_sample and all(rows[i].is_sample for i in samples)
    audit_before = counts(db_path)["audit_events"]

    removed = services.samples.remove()

    assert len(removed) == len(samples)
    after = counts(db_path)
    for table in CASE_TABLES:
        assert after[table] == own_only[table], table  # the real case keeps every record
    assert after["claims"] == 1 and services.samples.tally().samples == 0
    assert services.claims.get(own).claimant_name == "Maria Lopez"
    # The trail keeps the samples' events and says they were removed.
    assert after["audit_events"] == audit_before + len(samples)
    events = services.audit.events(samples[0])
    assert events[0].action == "remove_sample" and len(events) > 1
    assert services.search.search("Maria")  # search still works and finds the real case
    assert services.samples.remove() == []


def test_a_new_case_never_inherits_a_removed_samples_id(services: Services) -> None:
    samples = load_demo(services)
    services.samples.remove()
    new = full_case(services, "Ravi Kumar")
    assert new > max(samples)
    assert all(e.action != "remove_sample" for e in services.audit.events(new))


def rows_of(path: Path, table: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


def test_the_upgrade_keeps_every_row_of_the_last_release(tmp_path: Path) -> None:
    path = tmp_path / "claimdesk.sqlite"
    shutil.copy(SCHEMA / "0002.sqlite", path)
    before = counts(path)
    claims_before = rows_of(path, "claims")
    open_database(f"sqlite:///{path}", backup_dir=tmp_path / "backups").dispose()

    after = counts(path)
    assert {table: after[table] for table in before} == before
    # Tables later schemas added (the deadline queue...) start empty.
    assert all(after[table] == 0 for table in set(after) - set(before))
    # The same rows, each with the new sample flag at the end, unset (cases from before the
    # flag existed cannot be told from the office's own, so none is called a sample), then the
    # version every existing case starts at, then its earliest open deadline's day (0011).
    with sqlite3.connect(path) as connection:
        next_due = dict(
            connection.execute(
                "SELECT claim_id, min(due_on) FROM deadlines WHERE status = 'open' "
                "GROUP BY claim_id"
            ).fetchall()
        )
    assert next_due, "the sample has open deadlines, so the backfill is seen to work"
    assert rows_of(path, "claims") == [(*row, 0, 1, next_due.get(row[0])) for row in claims_before]
    db = open_database(f"sqlite:///{path}")
    try:
        services = as_user(db, "Upgrader")
        assert services.samples.remove() == []
        highest = max(row[0] for row in claims_before)
        assert full_case(services, "After Upgrade") == highest + 1
    finally:
        db.dispose()


# ---- the command line ---------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


class Terminal(io.StringIO):
    """Standard input that is a terminal, with the user's typed answer."""

    def isatty(self) -> bool:
        return True


def test_cli_demo_asks_before_adding_to_cases_and_removes_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = ["--data-dir", str(tmp_path), "--user", "Ana"]
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal
    code, out, err = run(capsys, *data, "demo", "--json")  # an empty database: no question
    assert code == 0, err
    first = json.loads(out)

    code, out, err = run(capsys, *data, "demo")
    assert code == 1 and "already has 6 cases, 6 of them samples" in err and "--yes" in err
    assert err.count("\n") == 1  # one line

    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    code, out, _ = run(capsys, *data, "demo")
    assert code == 0 and "Add 6 fictional sample cases" in out and "No sample cases" in out
    code, out, _ = run(capsys, *data, "claims", "--json")
    assert len(json.loads(out)) == len(first)

    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    assert run(capsys, *data, "demo")[0] == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert run(capsys, *data, "demo", "--yes")[0] == 0
    code, out, _ = run(capsys, *data, "claims")
    assert out.count("(sample)") == 3 * len(first)

    code, out, _ = run(capsys, *data, "demo", "--remove")
    assert code == 0 and f"Removed {3 * len(first)} sample cases" in out
    code, out, _ = run(capsys, *data, "claims", "--json")
    assert json.loads(out) == []
    code, out, _ = run(capsys, *data, "demo", "--remove")
    assert code == 0 and "no sample cases" in out

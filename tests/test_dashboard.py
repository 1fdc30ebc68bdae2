"""The dashboard's counts equal the same counts computed directly in SQL, on the demo cases and
on a generated office database; the cases behind a bar are the case list's filtered rows."""

from __future__ import annotations

import importlib.util
import sqlite3
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest

from claimdesk.services import Services
from claimdesk.services.caselist import CaseFilter
from claimdesk.services.dashboard import (
    STALE_DAYS,
    UNASSIGNED,
    Dashboard,
    DashboardFilter,
    rate_text,
)
from claimdesk.services.demo import load_demo
from claimdesk.storage import open_database
from tests.pinned import NOW, TODAY, pinned_clock
from tests.signin import as_user

REPO = Path(__file__).resolve().parent.parent
PERIOD = DashboardFilter(start=TODAY - timedelta(days=365), end=TODAY)
STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLite holds a UTC instant (storage/types.py)


def _office_builder() -> Any:
    spec = importlib.util.spec_from_file_location(
        "make_office_db", REPO / "bench" / "make_office_db.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", params=["demo", "office"])
def office(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Services, Path]]:
    path = tmp_path_factory.mktemp(request.param) / "claimdesk.sqlite"
    if request.param == "office":
        now = NOW.astimezone(UTC).replace(tzinfo=None)
        _office_builder().build(path, 900, 3000, 0, seed=11, now=now)
    database = open_database(f"sqlite:///{path}")
    services = as_user(database, "Test Caseworker", clock=pinned_clock())
    if request.param == "demo":
        load_demo(services)
    yield services, path
    database.dispose()


def sql(path: Path, query: str, **values: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute(query, values).fetchall()


def bars(board: Dashboard, key: str) -> dict[str, tuple[int, ...]]:
    return {group.label: group.values for group in board.chart(key).groups}


def _now() -> str:
    return NOW.astimezone(UTC).replace(tzinfo=None).strftime(STAMP)


WORKER = f"coalesce(u.name, '{UNASSIGNED}')"
LATE = (
    "d.status = 'open' AND ((d.due_at IS NOT NULL AND d.due_at < :now) OR "
    "(d.due_at IS NULL AND d.due_on < :today))"
)


def test_caseload_deadlines_and_calls_equal_sql(office: tuple[Services, Path]) -> None:
    services, path = office
    board = services.dashboard.read(DashboardFilter())
    expected = sql(
        path,
        f"SELECT {WORKER}, c.stage, count(*) FROM claims c LEFT JOIN users u "
        "ON u.id = c.assigned_user_id WHERE c.status != 'closed' GROUP BY 1, 2",
    )
    caseload = board.chart("caseload")
    stages = [s.name for s in caseload.series]
    found = {
        (g.label, stage): value
        for g in caseload.groups
        for stage, value in zip(stages, g.values, strict=True)
        if value
    }
    from claimdesk.models.enums import Stage

    assert found == {(name, Stage(stage).label): n for name, stage, n in expected}
    assert board.open_cases == sum(n for *_, n in expected) > 0

    week = TODAY + timedelta(days=7)
    soon = "d.status = 'open' AND NOT (" + LATE + ") AND d.due_on <= :week"
    values = {"now": _now(), "today": TODAY.isoformat(), "week": week.isoformat()}
    expected_rows = {}
    for index, (when, party) in enumerate(
        [(LATE, "claimant"), (LATE, "insurer"), (soon, "claimant"), (soon, "insurer")]
    ):
        for name, n in sql(
            path,
            f"SELECT {WORKER}, count(DISTINCT c.id) FROM claims c JOIN deadlines d ON "
            "d.claim_id = c.id LEFT JOIN users u ON u.id = c.assigned_user_id WHERE "
            f"c.status != 'closed' AND d.party = '{party}' AND {when} GROUP BY 1",
            **values,
        ):
            expected_rows.setdefault(name, [0, 0, 0, 0])[index] = n
    assert bars(board, "deadlines") == {k: tuple(v) for k, v in expected_rows.items()}

    cutoff = (NOW - timedelta(days=STALE_DAYS)).astimezone(UTC).replace(tzinfo=None)
    stale = sql(
        path,
        f"SELECT {WORKER}, count(*) FROM claims c LEFT JOIN users u ON u.id = "
        "c.assigned_user_id WHERE c.status != 'closed' AND NOT EXISTS (SELECT 1 FROM "
        "call_log_entries l WHERE l.claim_id = c.id AND l.occurred_at >= :cutoff) GROUP BY 1",
        cutoff=cutoff.strftime(STAMP),
    )
    assert bars(board, "stale") == {name: (n,) for name, n in stale}


def test_outcomes_insurers_and_money_equal_sql(office: tuple[Services, Path]) -> None:
    services, path = office
    board = services.dashboard.read(PERIOD)
    period = {"start": PERIOD.start.isoformat(), "end": PERIOD.end.isoformat()}  # type: ignore[union-attr]
    decided = (
        "a.outcome != 'pending' AND a.decided_on IS NOT NULL AND a.decided_on BETWEEN :start "
        "AND :end"
    )
    counts = (
        "count(*), sum(a.outcome IN ('overturned', 'partially_overturned')), "
        "sum(a.outcome = 'upheld')"
    )
    by_category = sql(
        path,
        f"SELECT c.denial_category, {counts} FROM appeals a JOIN claims c ON c.id = a.claim_id "
        f"WHERE {decided} GROUP BY 1",
        **period,
    )
    from claimdesk.models.enums import DenialCategory

    assert bars(board, "outcome_category") == {
        DenialCategory(k).label: (n, won, upheld) for k, n, won, upheld in by_category
    }
    by_level = dict(
        ((level, (n, won, upheld)) for level, n, won, upheld in sql(
            path,
            f"SELECT a.level, {counts} FROM appeals a WHERE {decided} GROUP BY 1",
            **period,
        ))
    )  # fmt: skip
    internal = [by_level.get(k, (0, 0, 0)) for k in ("internal_1", "internal_2")]
    assert bars(board, "outcome_level")["Internal appeal"] == tuple(
        sum(values) for values in zip(*internal, strict=True)
    )
    by_insurer = sql(
        path,
        f"SELECT coalesce(o.name, '(no insurer)'), {counts} FROM appeals a JOIN claims c ON "
        f"c.id = a.claim_id LEFT JOIN organisations o ON o.id = c.insurer_id WHERE {decided} "
        "GROUP BY c.insurer_id",
        **period,
    )
    assert bars(board, "outcome_insurer") == {n: (a, b, c) for n, a, b, c in by_insurer}

    late = sql(
        path,
        "SELECT coalesce(o.name, '(no insurer)'), count(*) FROM deadlines d JOIN claims c ON "
        "c.id = d.claim_id LEFT JOIN organisations o ON o.id = c.insurer_id WHERE d.party = "
        f"'insurer' AND d.due_on BETWEEN :start AND :end AND d.due_on < :today AND "
        f"(d.status = 'missed' OR ({LATE})) GROUP BY c.insurer_id",
        now=_now(),
        today=TODAY.isoformat(),
        **period,
    )
    insurers = bars(board, "insurers")
    assert {name: values[0] for name, values in insurers.items() if values[0]} == dict(late)
    reports = sql(
        path,
        "SELECT coalesce(o.name, '(no insurer)'), count(*) FROM document_requests r JOIN "
        "claims c ON c.id = r.claim_id LEFT JOIN organisations o ON o.id = c.insurer_id WHERE "
        "NOT r.withdrawn AND r.due_on BETWEEN :start AND :end AND (r.received_on > r.due_on "
        "OR (r.received_on IS NULL AND r.due_on < :today)) GROUP BY c.insurer_id",
        today=TODAY.isoformat(),
        **period,
    )
    assert {name: values[1] for name, values in insurers.items() if values[1]} == dict(reports)

    disputed = sql(
        path,
        "SELECT currency, sum(amount_minor) FROM claims WHERE status != 'closed' AND "
        "amount_minor IS NOT NULL GROUP BY currency",
    )
    money = bars(board, "money")
    assert {cur: values[0] for cur, values in money.items()} == {
        **{cur: 0 for cur in money},
        **dict(disputed),
    }
    assert len({cur for cur, _ in disputed}) >= 2  # never added across currencies


def test_alerts_on_the_dashboard_equal_sql(office: tuple[Services, Path]) -> None:
    services, path = office
    board = services.dashboard.read(DashboardFilter())
    [(count,)] = sql(
        path,
        "SELECT count(*) FROM deadlines d JOIN claims c ON c.id = d.claim_id WHERE "
        f"c.status != 'closed' AND d.party = 'insurer' AND {LATE}",
        now=_now(),
        today=TODAY.isoformat(),
    )
    assert board.alert_count == count
    assert len(board.alerts) == min(count, 200)


def test_one_caseworker_sees_only_their_cases(office: tuple[Services, Path]) -> None:
    services, path = office
    [worker, *_] = services.dashboard.caseworkers()
    board = services.dashboard.read(DashboardFilter(caseworker=worker))
    assert set(bars(board, "caseload")) == {worker}
    [(mine,)] = sql(
        path,
        "SELECT count(*) FROM claims c JOIN users u ON u.id = c.assigned_user_id WHERE "
        "u.name = :name AND c.status != 'closed'",
        name=worker,
    )
    assert board.open_cases == mine


def test_the_cases_behind_a_bar_are_the_case_lists(office: tuple[Services, Path]) -> None:
    services, _ = office
    board = services.dashboard.read(PERIOD)
    checked = 0
    for chart in board.charts:
        for group in chart.groups:
            for value, piece in zip(group.values, group.slices, strict=True):
                if piece is None or chart.key == "money" or not value:
                    continue
                ids = services.dashboard.case_ids(piece)
                listed = services.caselist.case_ids(CaseFilter(subset=piece))
                assert sorted(listed) == ids, piece.label
                if chart.key in ("caseload", "stale", "deadlines"):
                    assert len(ids) == value, piece.label  # counted in cases
                else:
                    assert 0 < len(ids) <= value, piece.label  # counted in decisions / requests
                checked += 1
    assert checked > 5


def test_a_rate_is_never_a_bare_percentage_of_a_few() -> None:
    assert rate_text(2, 3) == "2 of 3"
    assert rate_text(0, 0) == "none decided"
    assert rate_text(5, 12) == "5 of 12 (42%)"


def test_the_quoted_figures_are_labelled_illustrative(office: tuple[Services, Path]) -> None:
    services, _ = office
    chart = services.dashboard.read(PERIOD).chart("outcome_level")
    assert "Quoted figure (illustrative)" in chart.columns
    assert "illustrative" in chart.note

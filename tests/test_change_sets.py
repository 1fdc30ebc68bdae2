"""One change set per unit of work, announced after commit; deadlines follow in the same unit."""

from __future__ import annotations

from typing import Any

import pytest

from claimdesk.services import ChangeSet, Entity, Services
from claimdesk.services import schedule as schedule_module
from claimdesk.storage import Database
from tests.signin import as_user
from tests.test_schedule import computed, open_case


def test_a_unit_of_work_is_announced_once_with_every_change(services: Services) -> None:
    claim_id = open_case(services)
    sets: list[ChangeSet] = []
    services.subscribe(sets.append)
    services.schedule.recompute(claim_id)  # nothing to change: no unit worth announcing
    assert sets == []
    services.claims.add_note(claim_id, "Asked for the plan documents.")
    [changes] = sets
    assert changes.claim_ids == {claim_id}
    assert changes.entities == {Entity.NOTE}
    assert changes.touches("note") and not changes.touches(Entity.CALL)
    assert changes.initiator is None


def test_the_view_that_started_a_change_is_named(services: Services) -> None:
    claim_id = open_case(services)
    sets: list[ChangeSet] = []
    services.subscribe(sets.append)
    view = object()
    with services.context.initiated_by(view):
        services.claims.add_note(claim_id, "Mine.")
    services.claims.add_note(claim_id, "Someone else's.")
    assert [s.initiator for s in sets] == [view, None]


def test_an_unknown_entity_is_a_bug_not_a_silent_notice(services: Services) -> None:
    claim_id = open_case(services)
    with pytest.raises(ValueError, match="'spaceship'"), services.context.unit() as unit:
        unit.record("create", "spaceship", 1, claim_id)


def test_deadlines_are_computed_inside_the_change_s_own_transaction(services: Services) -> None:
    seen: list[bool] = []
    # A listener runs after commit: by then the case's deadlines are saved with it.
    services.subscribe(
        lambda changes: seen.append(bool(computed(services, min(changes.claim_ids))))
    )
    open_case(services)
    assert seen == [True]


def test_a_failed_recompute_is_queued_durably_and_retried_after_a_restart(
    db: Database, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = schedule_module.plan_case

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("rules unavailable")

    monkeypatch.setattr(schedule_module, "plan_case", broken)
    claim_id = open_case(services)
    assert services.claims.get(claim_id).claimant_name == "Maria Lopez"  # the change is kept
    monkeypatch.setattr(schedule_module, "plan_case", real)
    # A new start (new services, same database) still knows the case is behind.
    restarted = as_user(db, "Test Caseworker", clock=services.clock)
    assert restarted.schedule.stale_claims == {claim_id}
    restarted.schedule.agenda()
    assert restarted.schedule.stale_claims == frozenset()
    assert "US-ERISA-appeal-file" in computed(restarted, claim_id)


def test_a_case_removed_while_queued_leaves_the_queue(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schedule_module, "plan_case", _broken)
    claim_id = open_case(services)
    monkeypatch.undo()
    from sqlalchemy import text

    with services.db.write() as session:
        session.execute(text("DELETE FROM claims WHERE id = :id"), {"id": claim_id})
    services.schedule.agenda()
    assert services.schedule.stale_claims == frozenset()


def _broken(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("rules unavailable")

"""Two caseworkers editing one case's details: the second save, made from what the first has
since changed, is refused with who and when, and nothing the first saved is written over.
Call logging only appends, so it never conflicts with anyone. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from claimdesk.errors import ConflictError
from claimdesk.services import CallInput, Services
from claimdesk.storage import Database
from tests.gui_support import open_case
from tests.pinned import pinned_clock
from tests.signin import as_user


def test_a_save_from_an_older_version_is_refused_naming_who_changed_it_and_when(
    db: Database,
) -> None:
    ana = as_user(db, "Ana Ruiz", clock=pinned_clock())
    bob_clock = pinned_clock()
    bob = as_user(db, "Bob Smith", clock=bob_clock)
    claim_id = open_case(ana)
    read_by_ana = ana.claims.get(claim_id)
    read_by_bob = bob.claims.get(claim_id)
    assert read_by_ana.version == read_by_bob.version == 1

    bob_clock.advance(timedelta(minutes=25))  # 10:25 local (UTC-5)
    saved = bob.claims.update_case(
        claim_id, read_by_bob.version, claimant_phone="555-0100", denial_reason="Not covered"
    )
    assert saved.version == 2

    with pytest.raises(ConflictError) as refused:
        ana.claims.update_case(claim_id, read_by_ana.version, claimant_phone="555-0199")
    message = str(refused.value)
    assert "Bob Smith" in message
    assert "Wed 4 Nov 2026 at 10:25" in message  # the local time, not the UTC 15:25
    assert "not saved" in message and "reload" in message
    assert refused.value.changed_by == "Bob Smith"
    assert refused.value.version == 2

    kept = ana.claims.get(claim_id)
    assert (kept.claimant_phone, kept.denial_reason, kept.version) == (
        "555-0100",
        "Not covered",
        2,
    )
    # Reloaded, Ana saves over Bob's phone deliberately: from the version she now holds.
    again = ana.claims.update_case(claim_id, kept.version, claimant_phone="555-0199")
    assert (again.claimant_phone, again.denial_reason, again.version) == (
        "555-0199",
        "Not covered",
        3,
    )
    updates = [e for e in ana.audit.events(claim_id) if e.action == "update"]
    assert [e.user for e in updates] == ["Ana Ruiz", "Bob Smith"]


def test_every_save_that_changes_something_raises_the_version_by_one(
    services: Services,
) -> None:
    claim_id = open_case(services)
    versions = [services.claims.get(claim_id).version]
    for phone in ("555-0101", "555-0102", "555-0103"):
        saved = services.claims.update_case(claim_id, versions[-1], claimant_phone=phone)
        versions.append(saved.version)
    assert versions == [1, 2, 3, 4]
    # Saving what is already there changes nothing, and so claims no new version.
    assert services.claims.update_case(claim_id, 4, claimant_phone="555-0103").version == 4
    # Without a version (one field set from a list), the change goes to the latest.
    assert services.claims.update_case(claim_id, status="closed").version == 5


def test_logging_calls_and_notes_never_conflicts_with_an_open_details_form(
    db: Database,
) -> None:
    ana = as_user(db, "Ana Ruiz", clock=pinned_clock())
    bob = as_user(db, "Bob Smith", clock=pinned_clock())
    claim_id = open_case(ana)
    form = ana.claims.get(claim_id)
    for i in range(3):
        bob.calls.log_call(
            claim_id,
            CallInput(occurred_at="2026-11-03 09:00", person_name="Rep", summary=f"call {i}"),
        )
    bob.claims.add_note(claim_id, "Left a voicemail")
    assert ana.claims.get(claim_id).version == form.version
    saved = ana.claims.update_case(claim_id, form.version, member_id="M-778")
    assert (saved.member_id, saved.version) == ("M-778", 2)
    assert len(ana.calls.calls(claim_id)) == 3


def test_a_removed_case_is_not_found_rather_than_a_conflict(services: Services) -> None:
    from claimdesk.errors import NotFoundError

    with pytest.raises(NotFoundError):
        services.claims.update_case(9999, 1, claimant_phone="555-0100")


SAVERS = 4
ROUNDS = 5


def _save_together(people: list[Services], claim_id: int, version: int, tag: str) -> list[str]:
    """Every person saves the case from ``version`` at the same moment; what each got."""
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []

    def save(person: Services, n: int) -> None:
        barrier.wait()
        try:
            person.claims.update_case(claim_id, version, member_id=f"{tag}-S{n}")
            outcomes.append("saved")
        except ConflictError:
            outcomes.append("refused")
        except BaseException as error:  # reported by the caller's assert, never swallowed
            outcomes.append(repr(error))

    threads = [threading.Thread(target=save, args=(p, n)) for n, p in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def test_simultaneous_saves_from_the_same_version_let_exactly_one_through(
    db: Database,
) -> None:
    """Workstations saving at the same moment from what each read: per round, one save wins
    and the others are refused, so no save is ever lost without its author being told."""
    people = [as_user(db, f"Saver {n}", clock=pinned_clock()) for n in range(SAVERS)]
    claim_id = open_case(people[0])
    for round_ in range(ROUNDS):
        version = people[0].claims.get(claim_id).version
        outcomes = _save_together(people, claim_id, version, f"R{round_}")
        assert sorted(outcomes) == ["refused"] * (SAVERS - 1) + ["saved"], outcomes
    final = people[0].claims.get(claim_id)
    assert final.version == 1 + ROUNDS
    updates = [e for e in people[0].audit.events(claim_id) if e.action == "update"]
    assert len(updates) == ROUNDS

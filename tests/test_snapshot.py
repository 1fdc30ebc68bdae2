"""A letter's facts, a packet's contents and a case's timeline are read in one snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from claimdesk.clock import FixedClock
from claimdesk.services import CallInput, Services
from claimdesk.storage.db import Database, open_database
from tests.builders import full_case
from tests.signin import as_user


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the read transactions opened (one entry per Database.read)."""
    opened: list[int] = []
    original = Database.read

    @contextmanager
    def counted(self: Database) -> Iterator[Session]:
        opened.append(1)
        with original(self) as session:
            yield session

    monkeypatch.setattr(Database, "read", counted)
    return opened


def test_a_letters_context_is_one_read_transaction(services: Services, reads: list[int]) -> None:
    claim_id = full_case(services)
    services.lettering.letterhead()  # the office letterhead file, read before the count
    reads.clear()
    context = services.lettering.context(claim_id, kind="appeal_letter")
    assert context["calls"] and context["deadlines"]
    assert len(reads) == 1


def test_a_timeline_and_a_packet_source_are_one_read_each(
    services: Services, reads: list[int]
) -> None:
    claim_id = full_case(services)
    reads.clear()
    assert services.timeline.marks(claim_id)
    assert len(reads) == 1
    reads.clear()
    source = services.packets.source(claim_id, None)
    assert source.chronology
    assert len(reads) == 1


def test_a_change_committed_during_a_snapshot_is_not_half_seen(
    services: Services, db_path: Path, clock: FixedClock
) -> None:
    claim_id = full_case(services)
    other_db = open_database(f"sqlite:///{db_path}")
    try:
        other = as_user(other_db, "Another Caseworker", clock=clock)
        with services.context.snapshot():
            before = len(services.calls.calls(claim_id))
            marks = len(services.timeline.marks(claim_id))
            other.calls.log_call(
                claim_id,
                CallInput(
                    occurred_at=clock.now(), time_zone="UTC", person_name="Sam", summary="Hi"
                ),
            )
            # Still the state the snapshot began with, whichever service reads it.
            assert len(services.calls.calls(claim_id)) == before
            assert len(services.timeline.marks(claim_id)) == marks
        assert len(services.calls.calls(claim_id)) == before + 1
        assert len(services.timeline.marks(claim_id)) == marks + 1
    finally:
        other_db.dispose()


def test_nested_snapshots_share_the_outer_one(services: Services, reads: list[int]) -> None:
    claim_id = full_case(services)
    reads.clear()
    with services.context.snapshot():
        services.timeline.marks(claim_id)
        services.lettering.context(claim_id)
        services.calls.calls(claim_id)
    assert len(reads) == 1

"""Changes committed at one workstation reach the others through the server (services/live.py).

Two workstations are two ``Services`` over two engines of the same PostgreSQL database: what
one commits, the other's listener hears. Waits poll with a generous limit; no assertion is
about how fast.
"""

from __future__ import annotations

import json
import queue
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from claimdesk.services import ChangeSet, Services, live
from claimdesk.services.context import Change, Entity
from claimdesk.services.live import REMOTE, LiveChanges, decode, encode
from claimdesk.storage import notify, open_database
from tests import postgres
from tests.gui_support import open_case
from tests.pinned import pinned_clock
from tests.signin import as_user

WAIT_S = 20.0  # generous: a loaded two-core machine, not a target


class Heard:
    """What a workstation's listener handed on: change sets and reachability, in order."""

    def __init__(self) -> None:
        self.events: queue.Queue[ChangeSet | bool] = queue.Queue()

    def change(self, changes: ChangeSet) -> None:
        self.events.put(changes)

    def reachable(self, reachable: bool) -> None:
        self.events.put(reachable)

    def next(self) -> ChangeSet | bool:
        return self.events.get(timeout=WAIT_S)

    def next_change(self) -> ChangeSet:
        event = self.next()
        assert isinstance(event, ChangeSet), f"heard {event!r} before a change"
        return event

    def until(self, wanted: Callable[[ChangeSet | bool], bool]) -> list[ChangeSet | bool]:
        """Everything heard up to and including the first event ``wanted`` accepts."""
        seen = []
        while True:
            event = self.next()
            seen.append(event)
            if wanted(event):
                return seen


def workstation(url: str, name: str = "Test Caseworker") -> Services:
    return as_user(open_database(url), name, clock=pinned_clock())


@contextmanager
def listening(services: Services, **options: Any) -> Iterator[tuple[LiveChanges, Heard]]:
    heard = Heard()
    live = (
        LiveChanges(services.context, heard.change, heard.reachable, **options)
        if options
        else services.live_changes(heard.change, heard.reachable)
    )
    assert live is not None, "a workstation on the server listens"
    live.start()
    try:
        assert live.wait_listening(WAIT_S), "the listener never reached the server"
        yield live, heard
    finally:
        live.stop()


@pytest.fixture
def office(postgres_server: str) -> Iterator[tuple[Services, Services]]:
    """Two workstations on one database of the test server, each with its own engine."""
    with postgres.fresh_database(postgres_server) as url:
        first, second = workstation(url), workstation(url)
        try:
            yield first, second
        finally:
            first.close()
            second.close()


def test_a_change_at_one_workstation_reaches_the_other(
    office: tuple[Services, Services],
) -> None:
    ana, ben = office
    with listening(ben) as (_, heard):
        claim_id = open_case(ana)
        changes = heard.next_change()
    assert changes.initiator is REMOTE
    assert claim_id in changes.claim_ids
    assert Change(Entity.CLAIM, "create", claim_id, claim_id) in changes.changes


def test_a_workstation_does_not_hear_its_own_changes(office: tuple[Services, Services]) -> None:
    ana, ben = office
    with listening(ana) as (_, heard_by_ana), listening(ben) as (_, heard_by_ben):
        own = open_case(ana)
        assert own in heard_by_ben.next_change().claim_ids
        other = open_case(ben)
        # Ana's listener is first told of Ben's case: her own came before it, unheard.
        assert heard_by_ana.next_change().claim_ids == {other}
        assert heard_by_ben.events.empty()


def test_a_unit_rolled_back_after_announcing_is_never_heard(
    office: tuple[Services, Services], monkeypatch: pytest.MonkeyPatch
) -> None:
    ana, ben = office
    claim_id = open_case(ana)
    real_announce = live.announce

    def announce_then_fail(*args: Any) -> None:
        real_announce(*args)
        raise RuntimeError("the unit fails after its notice, before it commits")

    with listening(ben) as (_, heard):
        monkeypatch.setattr(live, "announce", announce_then_fail)
        with pytest.raises(RuntimeError):
            ana.claims.update_case(claim_id, claimant_name="Maria L. Lopez")
        monkeypatch.setattr(live, "announce", real_announce)
        ana.claims.add_note(claim_id, "Called the plan")
        changes = heard.next_change()  # the note's, not the unit's that failed before it
    assert Entity.NOTE in changes.entities
    assert Change(Entity.CLAIM, "update", claim_id, claim_id) not in changes.changes
    assert ana.claims.get(claim_id).claimant_name == "Maria Lopez"


def test_a_big_unit_is_announced_with_less_detail(office: tuple[Services, Services]) -> None:
    ana, ben = office
    claims = [open_case(ana) for _ in range(3)]
    with listening(ben) as (_, heard):
        with ana.context.unit() as unit:
            for number in range(3000):  # far more than a notice's 8000 bytes can list
                claim_id = claims[number % 3]
                unit.record("create", Entity.NOTE, 10_000 + number, claim_id)
        changes = heard.next_change()
    assert changes.claim_ids == set(claims)
    assert changes.entities == {Entity.NOTE}


def test_closing_the_services_stops_their_listener(postgres_server: str) -> None:
    with postgres.fresh_database(postgres_server) as url:
        ana = workstation(url)
        live = ana.live_changes(lambda _: None, lambda _: None)
        assert live is not None
        live.start()
        assert live.wait_listening(WAIT_S)
        assert live.running
        ana.close()
        assert not live.running


def test_on_sqlite_there_is_nothing_to_listen_to(services: Services, backend: str) -> None:
    live = services.live_changes(lambda _: None, lambda _: None)
    assert (live is None) == (backend == "sqlite")


# ---- the notice itself --------------------------------------------------------------------------


def test_a_notice_carries_kinds_and_ids_only() -> None:
    changes = [Change(Entity.CALL, "create", 7, 3), Change(Entity.CLAIM, "update", 3, 3)]
    notice = json.loads(encode("ana", changes))
    assert notice == {
        "v": 1,
        "from": "ana",
        "c": [["call", "create", 7, 3], ["claim", "update", 3, 3]],
    }
    heard = decode(encode("ana", changes), "ben")
    assert heard is not None and heard.changes == tuple(changes)


def test_too_many_changes_for_one_notice_become_kinds_per_case_then_kinds() -> None:
    per_case = [Change(Entity.NOTE, "create", n, n % 5) for n in range(1, 3000)]
    heard = decode(encode("ana", per_case), "ben")
    assert heard is not None
    assert heard.claim_ids == {1, 2, 3, 4} and heard.entities == {Entity.NOTE}
    # 0 is no case: those changes concern every case (claim id None).
    assert Change(Entity.NOTE, "refresh", None, None) in heard.changes

    everywhere = [Change(Entity.DOCUMENT, "create", n, n) for n in range(1, 3000)]
    text = encode("ana", everywhere)
    assert len(text.encode()) <= notify.MAX_PAYLOAD_BYTES
    heard = decode(text, "ben")
    assert heard is not None
    assert heard.changes == (Change(Entity.DOCUMENT, "refresh", None, None),)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"v": 1, "from": "x", "c": [["no such kind", "create", 1, 1]]}',
        '{"v": 1, "from": "x", "c": [["claim", "create", "1; DROP", 1]]}',
        '{"v": 2, "from": "x", "something": "else"}',
        '{"v": 1}',
    ],
)
def test_a_notice_it_cannot_read_makes_everything_read_again(text: str) -> None:
    heard = decode(text, "ben")
    assert heard is not None and heard.initiator is REMOTE
    assert heard.entities == set(Entity)
    assert heard.claim_ids == set()


# ---- the server going away ---------------------------------------------------------------------


def test_the_listener_comes_back_after_the_server_restarts_and_reads_everything_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with postgres.own_cluster() as cluster:
        url = postgres.database_url(cluster.server, "postgres")
        open_database(url).dispose()
        ana, ben = workstation(url), workstation(url)
        reconnect = postgres.hold_reconnecting(monkeypatch)
        try:
            with listening(ben, delays=[0.2]) as (ben_live, heard):
                reconnect.clear()
                cluster.pause()
                assert heard.next() is False
                assert not ben_live.reachable
                cluster.resume()
                # Committed while the server was back but nobody listened: never heard.
                missed = open_case(ana)
                reconnect.set()
                assert heard.next() is True
                refresh = heard.next_change()
                assert refresh.entities == set(Entity) and refresh.initiator is REMOTE
                # And it listens again.
                later = open_case(ana)
                assert heard.next_change().claim_ids == {later} != {missed}
        finally:
            ana.close()
            ben.close()

"""Changes committed at other workstations of an office, heard from the PostgreSQL server.

A unit of work on PostgreSQL sends its changes with NOTIFY inside its own transaction
(``announce``, called by ``ServiceContext.unit``), so they are delivered only if it commits.
``LiveChanges`` listens on a connection of its own and turns each notice from another
workstation back into the ``ChangeSet`` the services announce, for the same listeners (the
window's change bus). A notice says what kind of record changed, the action, the record and
case ids, and which workstation sent it: never a name, a note or anything else of a case.

On SQLite there is one computer and nothing to listen to.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from claimdesk.services.context import Change, ChangeListener, ChangeSet, Entity, everything
from claimdesk.storage import notify

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from claimdesk.services.context import ServiceContext

log = logging.getLogger(__name__)

_FORMAT = 1


class _Remote:
    """The initiator of a change made at another workstation."""

    def __repr__(self) -> str:
        return "another workstation"


REMOTE: object = _Remote()


def announce(connection: Connection, origin: str, changes: Sequence[Change]) -> None:
    """Send ``changes`` to the other workstations, delivered when the transaction commits."""
    notify.send(connection, encode(origin, changes))


def encode(origin: str, changes: Sequence[Change]) -> str:
    """The notice: ``{"v": 1, "from": origin, "c": [[entity, action, record, claim], ...]}``.

    A unit that changed more than a notice can carry (a case file imported, the samples
    loaded) is said with less detail, never dropped: first each kind of record per case,
    then each kind for any case (a view then reads again everything of that kind).
    """
    rows = [[c.entity.value, c.action, c.record_id, c.claim_id] for c in changes]
    text = _notice(origin, rows)
    if _fits(text):
        return text
    per_case = sorted({(c.entity.value, c.claim_id or 0) for c in changes})
    text = _notice(origin, [[entity, "refresh", None, claim or None] for entity, claim in per_case])
    if _fits(text):
        return text
    kinds = sorted({c.entity.value for c in changes})
    return _notice(origin, [[entity, "refresh", None, None] for entity in kinds])


def _notice(origin: str, rows: list[list[Any]]) -> str:
    return json.dumps({"v": _FORMAT, "from": origin, "c": rows}, separators=(",", ":"))


def _fits(text: str) -> bool:
    return len(text.encode("utf-8")) <= notify.MAX_PAYLOAD_BYTES


def decode(text: str, own: str) -> ChangeSet | None:
    """The change set a notice carries, or None when it is this workstation's own (already
    announced here at commit) or not one ClaimDesk can read (a newer version's notice reads as
    a change to everything, so nothing shown is left stale)."""
    try:
        notice = json.loads(text)
        if notice["from"] == own:
            return None
        if notice["v"] != _FORMAT:
            return everything(REMOTE)
        return ChangeSet(tuple(_change(row) for row in notice["c"]), REMOTE)
    except (ValueError, KeyError, TypeError, IndexError):
        log.warning("a change notice could not be read; reading everything again")
        return everything(REMOTE)


def _change(row: Sequence[Any]) -> Change:
    entity, action, record_id, claim_id = row
    return Change(Entity(entity), str(action), _id(record_id), _id(claim_id))


def _id(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("an id is a number")
    return value


class LiveChanges:
    """Hears the other workstations' changes and hands them, as change sets, to
    ``on_change``; ``on_reachable`` is told when the server is lost (False) and back (True).

    Both run on the listener's thread. When the server is back, ``on_change`` is given one
    change to everything first: whatever was committed meanwhile was not heard.
    """

    def __init__(
        self,
        context: ServiceContext,
        on_change: ChangeListener,
        on_reachable: Callable[[bool], None],
        *,
        delays: Iterable[float] | None = None,
    ) -> None:
        self._origin = context.origin
        self._on_change = on_change
        self._on_reachable = on_reachable
        self._listener = notify.ServerListener(
            context.db.engine, self._heard, self._reachable, delays=tuple(delays or ())
        )

    def start(self) -> None:
        self._listener.start()

    def stop(self) -> None:
        self._listener.stop()

    def wait_listening(self, timeout: float) -> bool:
        """Whether it was listening within ``timeout`` seconds (tests and benches wait)."""
        return self._listener.wait_listening(timeout)

    @property
    def reachable(self) -> bool:
        return self._listener.reachable

    @property
    def running(self) -> bool:
        return self._listener.running

    def _heard(self, text: str) -> None:
        changes = decode(text, self._origin)
        if changes is not None and changes.changes:
            self._on_change(changes)

    def _reachable(self, reachable: bool) -> None:
        self._on_reachable(reachable)
        if reachable:
            self._on_change(everything(REMOTE))

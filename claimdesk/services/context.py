"""What every service shares: the database, who is acting, the audit trail, change notices.

Every write is a unit of work (``ServiceContext.unit``) and every read goes through
``ServiceContext.reader`` (or ``reader_connection`` for Core queries): the two places where a
read or write policy, the storage dialect and whatever a connection must carry live. A unit
collects its changes and announces them once, after commit, as one ``ChangeSet`` naming the
view that started it (``initiated_by``).
"""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import event, insert, inspect, select

# The package, not its classes: the models are built on first use, so the case list can show
# its first page before they are (docs/architecture.md, "Start-up").
from claimdesk import models
from claimdesk.clock import Clock, SystemClock
from claimdesk.errors import (
    NotFoundError,
    PermissionDenied,
    ServerUnavailableError,
    StorageError,
)
from claimdesk.storage.audit_chain import EventFields, write_chained
from claimdesk.storage.db import Database
from claimdesk.storage.types import UTCDateTime

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    from claimdesk.services.accounts import Principal, Right


class Entity(StrEnum):
    """The kinds of record a change can be to (the audit trail's ``entity`` column)."""

    CLAIM = "claim"
    NOTE = "note"
    ORGANISATION = "organisation"
    CONTACT = "contact"
    CALL = "call"
    PROMISE = "promise"
    REQUEST = "request"
    DOCUMENT = "document"
    SPECIALIST = "specialist"
    SECOND_OPINION = "second_opinion"
    IME = "ime"
    APPEAL = "appeal"
    EVENT = "event"
    DEADLINE = "deadline"
    REMINDER = "reminder"
    LETTER = "letter"
    ACCOUNT = "account"
    SETTING = "setting"


@dataclass(frozen=True)
class Change:
    """One record a unit of work changed (compares equal to the entity's name as text)."""

    entity: Entity
    action: str
    record_id: int | None
    claim_id: int | None


@dataclass(frozen=True)
class ChangeSet:
    """Everything one unit of work changed, announced once after it committed.

    ``initiator`` is whatever the caller named with ``ServiceContext.initiated_by`` (a view,
    so it can tell its own change from another's); None when nobody did.
    """

    changes: tuple[Change, ...]
    initiator: object | None = None

    @property
    def claim_ids(self) -> frozenset[int]:
        return frozenset(c.claim_id for c in self.changes if c.claim_id is not None)

    @property
    def entities(self) -> frozenset[Entity]:
        return frozenset(c.entity for c in self.changes)

    def touches(self, *entities: Entity | str) -> bool:
        return any(c.entity in entities for c in self.changes)

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)


def everything(initiator: object | None = None) -> ChangeSet:
    """A change to every kind of record of every case: each view reads again all it shows
    (after the key came back from the lock; after the server was out of reach)."""
    return ChangeSet(tuple(Change(e, "refresh", None, None) for e in Entity), initiator)


ChangeListener = Callable[[ChangeSet], None]
# Work a unit does in its own transaction just before it commits, seeing what it changed
# (the computed deadlines follow the records they are computed from, atomically).
BeforeCommit = Callable[["Unit"], None]

_initiator: ContextVar[object | None] = ContextVar("claimdesk_initiator", default=None)
# The snapshot open on this thread (ServiceContext.snapshot), if any: its context and session.
_snapshot: ContextVar[tuple[ServiceContext, Session] | None] = ContextVar(
    "claimdesk_snapshot", default=None
)


@dataclass
class Unit:
    """One unit of work in progress: its session, and the changes it will announce."""

    session: Session
    user_id: int | None
    clock: Clock
    changes: list[Change] = field(default_factory=list)
    # Its audit events, chained and written just before it commits (storage/audit_chain.py).
    audit: list[EventFields] = field(default_factory=list)

    def record(
        self,
        action: str,
        entity: Entity | str,
        record_id: int | None,
        claim_id: int | None,
        fields: Iterable[str] = (),
        *,
        sha256: str | None = None,
    ) -> None:
        """Write an audit event (field names only, never values; ``sha256``: the file this
        change attached) and queue a change notice."""
        kind = Entity(entity)  # an unknown entity is a bug: ValueError names it
        self.audit.append(
            EventFields(
                0,  # numbered when the unit links its events into the chain
                self.clock.now(),
                self.user_id,
                action,
                kind.value,
                record_id,
                claim_id,
                ",".join(sorted(fields)),
                sha256,
            )
        )
        self.changes.append(Change(kind, action, record_id, claim_id))

    def get(self, model: type[Any], record_id: int, what: str) -> Any:
        obj = self.session.get(model, record_id)
        if obj is None:
            raise NotFoundError(f"There is no {what} number {record_id}; it may have been removed.")
        return obj


class ServiceContext:
    """Shared by the services of one open database, one signed-in principal and one clock."""

    def __init__(self, db: Database, principal: Principal, clock: Clock | None = None) -> None:
        self.db = db
        # Who is acting, fixed at sign-in (services/accounts.py): every unit of work and every
        # read carries it, and the role decides what they may do.
        self.principal = principal
        # The one source of "now" and "today" for every service (claimdesk/clock.py).
        self.clock: Clock = clock or SystemClock()
        # Names this context's changes in the notices other workstations hear
        # (services/live.py), so the notices of its own are told apart and skipped.
        self.origin = uuid.uuid4().hex
        self._listeners: list[ChangeListener] = []
        self._before_commit: list[BeforeCommit] = []
        self._assigned_only: bool | None = None

    @property
    def user_name(self) -> str:
        return self.principal.name

    @property
    def assigned_only(self) -> bool:
        """Whether this principal sees and changes only the cases assigned to it: a caseworker
        on an office database whose setting says so (read once, at the first use)."""
        if self._assigned_only is None:
            from claimdesk.models.enums import Role
            from claimdesk.services.accounts import ONLY_ASSIGNED_SETTING, setting

            limited = False
            if self.principal.role is Role.CASEWORKER:
                with self.db.read_connection() as connection:
                    limited = setting(connection, ONLY_ASSIGNED_SETTING) == "1"
            self._assigned_only = limited
        return self._assigned_only

    @property
    def visible_to(self) -> int | None:
        """The account whose assigned cases alone may be read, or None for every case (for a
        Core query, which the reader's policy cannot filter by itself)."""
        return self.principal.user_id if self.assigned_only else None

    def require(self, right: Right, doing: str) -> None:
        """Refuse with PermissionDenied, naming ``doing``, unless the principal's role may."""
        self.principal.require(right, doing)

    def before_commit(self, hook: BeforeCommit) -> None:
        """Run ``hook`` inside every unit of work, after its changes and before it commits."""
        self._before_commit.append(hook)

    @contextmanager
    def initiated_by(self, initiator: object) -> Iterator[None]:
        """The change sets of units run inside this block name ``initiator``."""
        token = _initiator.set(initiator)
        try:
            yield
        finally:
            _initiator.reset(token)

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """The one way services read: a session rolled back at the end (inside a snapshot,
        the snapshot's session), seeing only what the principal may (a caseworker limited to
        their cases sees only those)."""
        current = self._snapshot_session()
        if current is not None:
            yield current
            return
        with self.db.read() as session:
            self._apply_read_policy(session)
            yield session

    @contextmanager
    def system_reader(self) -> Iterator[Session]:
        """A read that sees every case whoever is signed in, for derived data kept for the
        whole office (the search index, the deadline queue); never shown to the person as
        it is read."""
        with self.db.read() as session:
            yield session

    def _apply_read_policy(self, session: Session) -> None:
        if self.visible_to is not None:
            from claimdesk.services.policy import only_assigned_cases

            only_assigned_cases(session, self.visible_to)

    @contextmanager
    def reader_connection(self) -> Iterator[Connection]:
        """The same, as a Core connection (the case list's first page reads before the ORM)."""
        current = self._snapshot_session()
        if current is not None:
            yield current.connection()
            return
        with self.db.read_connection() as connection:
            yield connection

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read inside the block, by any service on this thread, shares one read
        transaction: a letter's facts or a case's timeline come from one state of the
        database, never half from before a change another window committed in between.
        Nested snapshots join the outer one."""
        if self._snapshot_session() is not None:
            yield
            return
        with self.db.read() as session:
            self._apply_read_policy(session)
            token = _snapshot.set((self, session))
            try:
                yield
            finally:
                _snapshot.reset(token)

    def _snapshot_session(self) -> Session | None:
        current = _snapshot.get()
        return current[1] if current is not None and current[0] is self else None

    def subscribe(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: ChangeListener) -> None:
        self._listeners.remove(listener)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction whose new records take their timestamps from this clock."""
        with self.db.write() as session:
            event.listen(session, "before_flush", self._stamp_new)
            yield session

    def _stamp_new(self, session: Session, *_: object) -> None:
        # The models' utcnow defaults stay as a fallback for writes outside the services;
        # here a record made "now" (a letter's generated_at, a note's created_at, the audit
        # row's occurred_at) is made at the context clock's now, which a timeline, the notes
        # and the audit trail show beside dates that came from the same clock.
        now = self.clock.now()
        for obj in session.new:
            for key in _clock_stamped(type(obj)):
                if getattr(obj, key) is None:
                    setattr(obj, key, now)

    @contextmanager
    def unit(self, doing: str = "change the cases", right: Right | None = None) -> Iterator[Unit]:
        """A write transaction; its changes are announced only once it has committed.

        The principal's role must have ``right`` (by default, to work cases), or the unit is
        refused with PermissionDenied naming ``doing``; an account disabled since it signed in
        is refused too, and a caseworker limited to their cases cannot change another's.

        A transaction that cannot start (a server restarting, a connection gone stale) is
        begun again a few times, briefly apart, before anything is handed to the caller; a
        failure once the caller wrote is the caller's to repeat (``retried``), and a
        connection lost during the commit itself is never called retry-safe, because the
        server may have committed before it went.
        """
        from claimdesk.services.accounts import Right

        principal = self.principal
        principal.require(right or Right.WORK_CASES, doing)
        attempt = 1
        while True:
            started = committing = False
            try:
                with self.write() as session:
                    _refuse_if_disabled(session, principal)
                    started = True
                    self._apply_read_policy(session)
                    unit = Unit(session=session, user_id=principal.user_id, clock=self.clock)
                    yield unit
                    if unit.changes:
                        for hook in self._before_commit:
                            hook(unit)
                        if self.visible_to is not None:
                            from claimdesk.services.policy import refuse_others_cases

                            refuse_others_cases(session, self.visible_to, unit.changes, doing)
                    mark_for_search(session, {c.claim_id for c in unit.changes if c.claim_id})
                    write_chained(session.connection(), unit.audit)
                    if unit.changes and not self.db.is_sqlite:
                        from claimdesk.services.live import announce

                        # In the transaction: the server delivers it only if the unit commits.
                        announce(session.connection(), self.origin, unit.changes)
                    committing = True
            except StorageError as error:
                if committing and isinstance(error, ServerUnavailableError):
                    raise ServerUnavailableError(
                        "The connection to the ClaimDesk server dropped while the change was "
                        "being saved, so it may or may not have been saved. Check the case once "
                        "the server answers again before saving it a second time."
                    ) from error
                if started or not error.retry_safe or attempt >= RETRIES:
                    raise
                log.info("a unit of work could not start (attempt %d): %s", attempt, error)
                pause(BACKOFF_S * attempt)
                attempt += 1
                continue
            break
        if not unit.changes:
            return
        changes = ChangeSet(tuple(unit.changes), _initiator.get())
        for listener in list(self._listeners):
            listener(changes)


# How many times a unit of work that wrote nothing is tried (deadlocks, serialization
# failures, a connection lost before the commit), and the first pause between tries: short,
# since the other party of a deadlock has already rolled back, and a restarting server is back
# within a second or two.
RETRIES = 4
BACKOFF_S = 0.1
# Set while a retried call runs, so a retried call inside another is tried only by the outer.
_retrying: ContextVar[bool] = ContextVar("claimdesk_retrying", default=False)


def pause(seconds: float) -> None:
    """Wait between two tries (a function of its own, so tests can count the waits)."""
    time.sleep(seconds)


Call = TypeVar("Call", bound=Callable[..., Any])


def retried(method: Call) -> Call:
    """Make a service call again, whole, when its unit of work failed without writing anything
    (StorageError.retry_safe: a deadlock or serialization failure the server rolled back, a
    connection lost before the commit), up to RETRIES times; then the error is the user's,
    worded. Only for calls whose every effect is inside the unit (or undone when it fails)."""

    @functools.wraps(method)
    def again(*args: Any, **kwargs: Any) -> Any:
        if _retrying.get():
            return method(*args, **kwargs)
        token = _retrying.set(True)
        try:
            attempt = 1
            while True:
                try:
                    return method(*args, **kwargs)
                except StorageError as error:
                    if not error.retry_safe or attempt >= RETRIES:
                        raise
                    log.info("%s tried again (attempt %d): %s", method.__name__, attempt, error)
                    pause(BACKOFF_S * attempt)
                    attempt += 1
        finally:
            _retrying.reset(token)

    return cast(Call, again)


def _refuse_if_disabled(session: Session, principal: Principal) -> None:
    row = session.execute(
        select(models.User.disabled_at, models.User.active).where(
            models.User.id == principal.user_id
        )
    ).first()
    if row is None or row.disabled_at is not None or not row.active:
        raise PermissionDenied(
            f"The account '{principal.name}' has been disabled; nothing was changed. Sign in "
            "with an account that is enabled."
        )


_stamped: dict[type, tuple[str, ...]] = {}


def _clock_stamped(model: type) -> tuple[str, ...]:
    """The timestamp attributes a model fills in itself when a record is made."""
    keys = _stamped.get(model)
    if keys is None:
        mapper: Any = inspect(model)
        keys = tuple(
            attr.key
            for attr in mapper.column_attrs
            if any(
                isinstance(c.type, UTCDateTime) and c.default is not None and c.default.is_callable
                for c in attr.columns
            )
        )
        _stamped[model] = keys
    return keys


def mark_for_search(session: Session, claim_ids: set[int]) -> None:
    """Queue changed cases for reindexing, in the transaction that changed them, so the search
    index can lag behind the records but never miss a change (services/search.py)."""
    if not claim_ids:
        return
    queue_claims(session, models.SearchPending, claim_ids)


def queue_claims(session: Session, table: type[Any], claim_ids: Iterable[int]) -> None:
    """Add the cases to a queue table keyed by claim id, ignoring those already in it."""
    rows = [{"claim_id": claim_id} for claim_id in sorted(set(claim_ids))]
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(table).on_conflict_do_nothing(), rows)
    else:
        session.execute(insert(table).prefix_with("OR IGNORE"), rows)


def user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(
        select(models.User.id, models.User.name).where(models.User.id.in_(wanted))
    )
    return {row.id: row.name for row in rows}

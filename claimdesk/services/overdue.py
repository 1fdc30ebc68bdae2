"""What "overdue" means, defined once: the banner, Today and the case list's filter all ask here.

Something on a case not closed is overdue when it is still awaited and its date has passed:

- a deadline still open, past its hour if it has one (72 h rules), otherwise past its day;
- a promise made on a call, still open, past its day, unless a correction superseded the call;
- a document request neither received nor withdrawn, past the due date of its latest
  follow-up that set one (or its own).

Core statements over columns declared here, not the mapped classes: the case list filters by
this before the models are built (docs/architecture.md, "Start-up"); a test checks each column
against the models.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    CompoundSelect,
    Date,
    Integer,
    and_,
    any_,
    bindparam,
    column,
    func,
    literal,
    or_,
    select,
    table,
    union_all,
)

from claimdesk.models.enums import ClaimStatus, DeadlineStatus, PromiseStatus
from claimdesk.storage.types import UTCDateTime, enum_column

DEADLINE, PROMISE, REQUEST = "deadline", "promise", "request"


def among(column: Any, ids: Sequence[int], *, as_array: bool) -> Any:
    """``column IN ids``; ``as_array`` (a server) sends the ids as one array parameter.

    Expanded, a page of 200 ids is 200 parameters, and a query text so long that psycopg
    parses it again on every execution (it caches only short ones) and the server plans it
    anew: on PostgreSQL that was most of the case list's first page (docs/performance.md).
    ``= ANY(%(ids)s)`` is one short text, parsed once and prepared after a few runs.
    """
    if as_array:
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))
    return column.in_(ids)


def overdue_items(
    today: date,
    now: datetime,
    claim_ids: Iterable[int] | None = None,
    *,
    as_array: bool = False,
) -> CompoundSelect[Any]:
    """(source, record_id, claim_id) of everything overdue, optionally on these cases only
    (``as_array``: see ``among``)."""
    claims, deadlines = _CLAIMS.c, _DEADLINES.c
    promises, calls, requests = _PROMISES.c, _CALLS.c, _REQUESTS.c
    open_case = claims.status != ClaimStatus.CLOSED
    wanted = list(claim_ids) if claim_ids is not None else None

    late_deadlines = (
        select(
            literal(DEADLINE).label("source"), deadlines.id.label("record_id"), deadlines.claim_id
        )
        .join_from(_DEADLINES, _CLAIMS, claims.id == deadlines.claim_id)
        .where(
            open_case,
            deadlines.status == DeadlineStatus.OPEN,
            # Implied by what follows, but a range the (status, due_on) index can read: the
            # open deadlines up to today, not every open one. Two days' slack, as an hour's
            # day (due_on) is the rule's local day and today the office's.
            deadlines.due_on <= today + timedelta(days=2),
            or_(
                and_(deadlines.due_at.is_not(None), deadlines.due_at < now),
                and_(deadlines.due_at.is_(None), deadlines.due_on < today),
            ),
        )
    )
    correction = _CALLS.alias("correction")
    late_promises = (
        select(literal(PROMISE).label("source"), promises.id.label("record_id"), calls.claim_id)
        .join_from(_PROMISES, _CALLS, calls.id == promises.call_id)
        .join(_CLAIMS, claims.id == calls.claim_id)
        .where(
            open_case,
            promises.status == PromiseStatus.OPEN,
            promises.due_date < today,
            # The superseded calls as one list, not a NOT EXISTS per call: amends_id has no
            # index, so that scanned every call once per call of the cases asked about (11 s
            # for a page of 200 rows at 50,000 cases and 100,000 calls).
            calls.id.not_in(
                select(correction.c.amends_id).where(correction.c.amends_id.is_not(None))
            ),
        )
    )
    follow_ups = _FOLLOW_UPS.c
    latest_due = (
        select(follow_ups.new_due_on)
        .where(follow_ups.request_id == requests.id, follow_ups.new_due_on.is_not(None))
        .order_by(follow_ups.sent_on.desc(), follow_ups.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    late_requests = (
        select(literal(REQUEST).label("source"), requests.id.label("record_id"), requests.claim_id)
        .join_from(_REQUESTS, _CLAIMS, claims.id == requests.claim_id)
        .where(
            open_case,
            requests.received_on.is_(None),
            requests.withdrawn.is_(False),
            func.coalesce(latest_due, requests.due_on) < today,
        )
    )
    if wanted is not None:
        late_deadlines = late_deadlines.where(among(deadlines.claim_id, wanted, as_array=as_array))
        late_promises = late_promises.where(among(calls.claim_id, wanted, as_array=as_array))
        late_requests = late_requests.where(among(requests.claim_id, wanted, as_array=as_array))
    return union_all(late_deadlines, late_promises, late_requests)


def overdue_claim_ids(today: date, now: datetime) -> Any:
    """The cases with something overdue, as a subquery to filter by."""
    items = overdue_items(today, now).subquery("overdue_items")
    return select(items.c.claim_id).distinct()


_CLAIMS = table("claims", column("id", Integer), column("status", enum_column(ClaimStatus)))
_DEADLINES = table(
    "deadlines",
    column("id", Integer),
    column("claim_id", Integer),
    column("due_on", Date),
    column("due_at", UTCDateTime),
    column("status", enum_column(DeadlineStatus)),
)
_CALLS = table(
    "call_log_entries",
    column("id", Integer),
    column("claim_id", Integer),
    column("amends_id", Integer),
)
_PROMISES = table(
    "call_promises",
    column("id", Integer),
    column("call_id", Integer),
    column("due_date", Date),
    column("status", enum_column(PromiseStatus)),
)
_REQUESTS = table(
    "document_requests",
    column("id", Integer),
    column("claim_id", Integer),
    column("due_on", Date),
    column("received_on", Date),
    column("withdrawn", Boolean),
)
_FOLLOW_UPS = table(
    "request_follow_ups",
    column("id", Integer),
    column("request_id", Integer),
    column("sent_on", Date),
    column("new_due_on", Date),
)
TABLES = (_CLAIMS, _DEADLINES, _CALLS, _PROMISES, _REQUESTS, _FOLLOW_UPS)

"""The read and write policy of a caseworker limited to the cases assigned to them.

An office can say that its caseworkers see only their assigned cases (services/accounts.py,
``set_only_assigned``). The policy lives here, applied by ``ServiceContext.reader`` and
``ServiceContext.unit`` to every ORM query of their sessions, so no service has to remember it:
a case, and every record of a case, assigned to someone else is simply not there. A unit that
changed such a case anyway (a Core statement the ORM filter cannot see) is refused before it
commits. Core reads (the case list's first page) filter on ``ServiceContext.visible_to``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, with_loader_criteria

from claimdesk import models
from claimdesk.errors import PermissionDenied

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from claimdesk.services.context import Change

# Queues of work on cases, not records of them: the search index and the deadline recompute
# must see every queued case, whoever's session drains the queue.
_UNFILTERED = frozenset({"search_pending", "deadline_pending"})


def only_assigned_cases(session: Session, user_id: int) -> None:
    """Make every ORM query of ``session`` see only the cases assigned to ``user_id`` and the
    records of those cases."""
    options = _criteria(user_id)

    @event.listens_for(session, "do_orm_execute")
    def _filter(state: ORMExecuteState) -> None:
        if state.execution_options.get("skip_policy"):
            return
        if state.is_select and not state.is_column_load:
            state.statement = state.statement.options(*options)


def _criteria(user_id: int) -> list[Any]:
    claim = models.Claim
    theirs = select(claim.id).where(claim.assigned_user_id == user_id).scalar_subquery()
    options: list[Any] = [
        with_loader_criteria(claim, claim.assigned_user_id == user_id, include_aliases=True)
    ]
    for mapper in models.Base.registry.mappers:
        cls = mapper.class_
        if cls is claim or getattr(mapper.local_table, "name", "") in _UNFILTERED:
            continue
        if "claim_id" in mapper.columns:
            options.append(
                with_loader_criteria(cls, cls.claim_id.in_(theirs), include_aliases=True)
            )
    return options


def refuse_others_cases(
    session: Session, user_id: int, changes: Iterable[Change], doing: str
) -> None:
    """Refuse (before commit) a unit that changed a case not assigned to ``user_id``."""
    claim_ids = {c.claim_id for c in changes if c.claim_id is not None}
    if not claim_ids:
        return
    claim = models.Claim
    others = session.scalars(
        select(claim.case_number)
        .where(claim.id.in_(claim_ids))
        .where((claim.assigned_user_id != user_id) | claim.assigned_user_id.is_(None))
        .execution_options(skip_policy=True)
    ).all()
    if others:
        raise PermissionDenied(
            f"This office lets caseworkers work only on the cases assigned to them, and "
            f"{', '.join(others)} is not assigned to you, so you cannot {doing} there; nothing "
            "was changed. An administrator can assign it to you."
        )

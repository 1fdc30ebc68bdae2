"""Insurer-deadline alerts: the insurer's own deadlines that have passed with nothing recorded.

"Passed" is services/overdue.py's definition (past its hour, or its day), on cases not closed;
the words and what each opens come from the rule data (claimdesk/deadlines/missed.py). Today,
the Overview's readiness check, the dashboard and the letters all read them here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from claimdesk.deadlines import RuleBook
from claimdesk.deadlines.missed import MissedDeadline, describe
from claimdesk.models import Claim, Deadline, Organisation
from claimdesk.models.enums import ClaimStatus, DeadlineStatus, Party
from claimdesk.services.context import ServiceContext

# Plan documents are the administrator's to send (ERISA 104(b)(4)); everything else the insurer's.
ADMINISTRATOR_RULES = frozenset({"US-ERISA-plan-docs"})


def missed_deadlines_query(today: date, now: datetime) -> Select[Any]:
    """Open insurer deadlines past their hour or day, on cases not closed (Core select)."""
    d, c = Deadline.__table__.c, Claim.__table__.c
    insurer = aliased(Organisation.__table__, name="insurer")
    administrator = aliased(Organisation.__table__, name="administrator")
    return (
        select(
            d.id,
            d.claim_id,
            d.rule_id,
            d.title,
            d.due_on,
            d.citation,
            d.confidence,
            c.case_number,
            c.claimant_name,
            insurer.c.name.label("insurer_name"),
            administrator.c.name.label("administrator_name"),
        )
        .join_from(Deadline.__table__, Claim.__table__, c.id == d.claim_id)
        .outerjoin(insurer, insurer.c.id == c.insurer_id)
        .outerjoin(administrator, administrator.c.id == c.plan_administrator_id)
        .where(
            c.status != ClaimStatus.CLOSED,
            d.party == Party.INSURER,
            d.status == DeadlineStatus.OPEN,
            or_(
                and_(d.due_at.is_not(None), d.due_at < now),
                and_(d.due_at.is_(None), d.due_on < today),
            ),
        )
        .order_by(d.due_on, d.id)
    )


def _among(query: Select[Any], claim_ids: Iterable[int] | Select[Any] | None) -> Select[Any]:
    if claim_ids is None:
        return query
    wanted = claim_ids if isinstance(claim_ids, Select) else list(claim_ids)
    return query.where(Deadline.__table__.c.claim_id.in_(wanted))


class AlertService:
    def __init__(self, ctx: ServiceContext, rules: RuleBook) -> None:
        self._ctx = ctx
        self._rules = rules

    def missed(
        self,
        claim_ids: Iterable[int] | Select[Any] | None = None,
        today: date | None = None,
        now: datetime | None = None,
        limit: int | None = None,
    ) -> list[MissedDeadline]:
        """Every missed insurer deadline (on these cases only, if given), oldest first."""
        today = today or self._ctx.clock.today()
        now = now or self._ctx.clock.now()
        query = self._visible(_among(missed_deadlines_query(today, now), claim_ids)).limit(limit)
        with self._ctx.reader_connection() as connection:
            rows = connection.execute(query).all()
        return [self._describe(row, today) for row in rows]

    def count(
        self,
        today: date | None = None,
        now: datetime | None = None,
        claim_ids: Iterable[int] | Select[Any] | None = None,
    ) -> int:
        today = today or self._ctx.clock.today()
        now = now or self._ctx.clock.now()
        inner = (
            self._visible(_among(missed_deadlines_query(today, now), claim_ids))
            .order_by(None)
            .subquery()
        )
        with self._ctx.reader_connection() as connection:
            return int(connection.scalar(select(func.count()).select_from(inner)) or 0)

    def _visible(self, query: Select[Any]) -> Select[Any]:
        """Only the cases the signed-in person may see (a caseworker an office limits to
        their own cases: services/policy.py); these are Core reads, which the ORM's read
        policy does not reach."""
        if self._ctx.visible_to is None:
            return query
        theirs = select(Claim.id).where(Claim.assigned_user_id == self._ctx.visible_to)
        return query.where(Deadline.__table__.c.claim_id.in_(theirs))

    def _describe(self, row: Any, today: date) -> MissedDeadline:
        who = row.insurer_name or ""
        if row.rule_id in ADMINISTRATOR_RULES and row.administrator_name:
            who = row.administrator_name
        return describe(
            self._rules,
            deadline_id=row.id,
            claim_id=row.claim_id,
            case_number=row.case_number,
            who=who or "The insurer",
            rule_id=row.rule_id,
            title=row.title,
            due_on=row.due_on,
            today=today,
            citation=row.citation,
            confidence=row.confidence.value if row.confidence is not None else "",
            claimant_name=row.claimant_name,
        )

"""The case list at office scale: ordered ids for a filter in one query, rows by the page."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select

from claimdesk.models import Claim, Deadline, Organisation, User
from claimdesk.models.enums import ClaimStatus, ClaimType, DeadlineStatus, PlanType, Stage
from claimdesk.services.context import ServiceContext


class CaseSort(enum.Enum):
    """The columns the case list can be sorted by."""

    CASE_NUMBER = "case_number"
    CLAIMANT = "claimant"
    INSURER = "insurer"
    CLAIM_TYPE = "claim_type"
    STAGE = "stage"
    NEXT_DEADLINE = "next_deadline"
    ASSIGNED = "assigned"
    LAST_ACTIVITY = "last_activity"


@dataclass(frozen=True)
class CaseFilter:
    """What the case list shows; empty fields do not filter."""

    search: str = ""
    stage: Stage | None = None
    status: ClaimStatus | None = None
    assignee: str = ""
    jurisdiction: str = ""  # "US", or "US-CA" for one state
    overdue_only: bool = False


@dataclass(frozen=True)
class CaseRow:
    """One row of the case list."""

    id: int
    case_number: str
    claimant_name: str
    insurer_name: str
    claim_type: ClaimType
    plan_type: PlanType
    country: str
    region: str
    stage: Stage
    status: ClaimStatus
    assigned_to: str
    next_deadline: date | None
    updated_at: datetime

    def days_left(self, today: date) -> int | None:
        return None if self.next_deadline is None else (self.next_deadline - today).days

    def overdue(self, today: date) -> bool:
        return self.next_deadline is not None and self.next_deadline < today

    @property
    def jurisdiction(self) -> str:
        return "-".join(p for p in (self.country, self.region) if p)


class CaseListService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def case_ids(
        self,
        case_filter: CaseFilter,
        sort: CaseSort = CaseSort.LAST_ACTIVITY,
        descending: bool = True,
        today: date | None = None,
    ) -> list[int]:
        """The ids of the matching cases, in display order."""
        query, columns = self._query(
            case_filter, today or date.today(), select(Claim.id), full=False, sort=sort
        )
        key = columns[sort]
        # Cases without a deadline sort after those with one, whichever the direction.
        nulls = [key.is_(None)] if sort == CaseSort.NEXT_DEADLINE else []
        order = key.desc() if descending else key.asc()
        tie = Claim.id.desc() if descending else Claim.id.asc()
        query = query.order_by(*nulls, order, tie)
        with self._ctx.db.read() as session:
            return list(session.scalars(query))

    def rows(self, ids: Sequence[int]) -> list[CaseRow]:
        """The rows for these ids, in the same order (ids no longer present are skipped)."""
        if not ids:
            return []
        query, columns = self._query(CaseFilter(), date.today(), select(Claim))
        query = query.add_columns(
            Organisation.name, User.name, columns[CaseSort.NEXT_DEADLINE]
        ).where(Claim.id.in_(list(ids)))
        with self._ctx.db.read() as session:
            found = {
                claim.id: CaseRow(
                    id=claim.id,
                    case_number=claim.case_number,
                    claimant_name=claim.claimant_name,
                    insurer_name=insurer or "",
                    claim_type=claim.claim_type,
                    plan_type=claim.plan_type,
                    country=claim.country,
                    region=claim.region,
                    stage=claim.stage,
                    status=claim.status,
                    assigned_to=assignee or "",
                    next_deadline=next_due,
                    updated_at=claim.updated_at,
                )
                for claim, insurer, assignee, next_due in session.execute(query)
            }
        return [found[i] for i in ids if i in found]

    def assignees(self) -> list[str]:
        """Names of the people cases are assigned to (for the filter)."""
        query = (
            select(User.name).join(Claim, Claim.assigned_user_id == User.id).distinct()
        ).order_by(User.name)
        with self._ctx.db.read() as session:
            return list(session.scalars(query))

    def jurisdictions(self) -> list[str]:
        query = select(Claim.country, Claim.region).distinct().order_by(Claim.country, Claim.region)
        with self._ctx.db.read() as session:
            pairs = session.execute(query).all()
        countries = sorted({country for country, _ in pairs})
        regions = [f"{country}-{region}" for country, region in pairs if region]
        return sorted({*countries, *regions})

    def any_cases(self) -> bool:
        with self._ctx.db.read() as session:
            return session.scalar(select(Claim.id).limit(1)) is not None

    def _query(
        self,
        case_filter: CaseFilter,
        today: date,
        base: Select[Any],
        full: bool = True,
        sort: CaseSort | None = None,
    ) -> tuple[Select[Any], dict[CaseSort, Any]]:
        """The query with the joins the filter, the sort or the row text need (and no more:
        at 50,000 cases an unneeded join on the deadlines costs most of the time)."""
        next_due = _next_deadlines()
        text = case_filter.search.strip()
        query = base
        if full or case_filter.overdue_only or sort == CaseSort.NEXT_DEADLINE:
            query = query.outerjoin(next_due, next_due.c.claim_id == Claim.id)
        if full or text or sort == CaseSort.INSURER:
            query = query.outerjoin(Organisation, Organisation.id == Claim.insurer_id)
        if full or case_filter.assignee or sort == CaseSort.ASSIGNED:
            query = query.outerjoin(User, User.id == Claim.assigned_user_id)
        if text:
            pattern = f"%{text}%"
            query = query.where(
                or_(
                    Claim.claimant_name.ilike(pattern),
                    Claim.case_number.ilike(pattern),
                    Claim.insurer_claim_number.ilike(pattern),
                    Claim.policy_number.ilike(pattern),
                    Claim.member_id.ilike(pattern),
                    Organisation.name.ilike(pattern),
                )
            )
        if case_filter.stage is not None:
            query = query.where(Claim.stage == case_filter.stage)
        if case_filter.status is not None:
            query = query.where(Claim.status == case_filter.status)
        if case_filter.assignee:
            query = query.where(User.name == case_filter.assignee)
        if case_filter.jurisdiction:
            country, _, region = case_filter.jurisdiction.upper().partition("-")
            query = query.where(Claim.country == country)
            if region:
                query = query.where(Claim.region == region)
        if case_filter.overdue_only:
            query = query.where(next_due.c.next_due < today)
        columns: dict[CaseSort, Any] = {
            CaseSort.CASE_NUMBER: Claim.case_number,
            CaseSort.CLAIMANT: func.lower(Claim.claimant_name),
            CaseSort.INSURER: func.lower(Organisation.name),
            CaseSort.CLAIM_TYPE: Claim.claim_type,
            CaseSort.STAGE: Claim.stage,
            CaseSort.NEXT_DEADLINE: next_due.c.next_due,
            CaseSort.ASSIGNED: func.lower(User.name),
            CaseSort.LAST_ACTIVITY: Claim.updated_at,
        }
        return query, columns


def _next_deadlines() -> Any:
    return (
        select(Deadline.claim_id, func.min(Deadline.due_on).label("next_due"))
        .where(Deadline.status == DeadlineStatus.OPEN)
        .group_by(Deadline.claim_id)
        .subquery("next_deadlines")
    )

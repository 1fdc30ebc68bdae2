"""The case list at office scale: ordered ids for a filter in one query, rows by the page."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    Date,
    Integer,
    Select,
    String,
    column,
    func,
    or_,
    select,
    table,
    true,
)

from claimdesk.models.enums import ClaimStatus, ClaimType, PlanType, Stage
from claimdesk.services import overdue
from claimdesk.services.context import ServiceContext
from claimdesk.services.overdue import among, overdue_claim_ids, overdue_items
from claimdesk.storage.types import UTCDateTime, enum_column

if TYPE_CHECKING:
    from claimdesk.services.dashboard import Slice


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
    mine: bool = False  # only the cases assigned to the signed-in account ("My cases")
    # The cases behind a bar of the dashboard (services/dashboard.py), read when filtering.
    subset: Slice | None = None


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
    # Something on the case is overdue (services/overdue.py: a deadline, request or promise).
    overdue: bool = False
    is_sample: bool = False

    def days_left(self, today: date) -> int | None:
        return None if self.next_deadline is None else (self.next_deadline - today).days

    @property
    def jurisdiction(self) -> str:
        return "-".join(p for p in (self.country, self.region) if p)


class CaseListService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def today(self) -> date:
        """The day "days left" and "overdue" count from: the services' clock's."""
        return self._ctx.clock.today()

    def case_ids(
        self,
        case_filter: CaseFilter,
        sort: CaseSort = CaseSort.LAST_ACTIVITY,
        descending: bool = True,
        today: date | None = None,
        now: datetime | None = None,
    ) -> list[int]:
        """The ids of the matching cases, in display order."""
        query = self._ordered(case_filter, sort, descending, today or self._ctx.clock.today(), now)
        # Core, not the ORM: at 50,000 cases the ORM's per-row loading was most of the
        # query's time, and plain ids need none of it. Read in parts: the list reads this in
        # a worker, and one fetch of every id would hold the interpreter's lock against the
        # GUI thread for its whole length.
        ids: list[int] = []
        with self._ctx.reader_connection() as connection:
            for part in connection.execute(query).scalars().partitions(_IDS_AT_ONCE):
                ids.extend(part)
        return ids

    def first_ids(
        self,
        case_filter: CaseFilter,
        limit: int,
        sort: CaseSort = CaseSort.LAST_ACTIVITY,
        descending: bool = True,
        today: date | None = None,
        now: datetime | None = None,
        *,
        count: bool = True,
    ) -> tuple[list[int], int]:
        """The first ``limit`` ids in display order, and how many cases match in all.

        Both from one snapshot, so the list can show its top rows and its true length at once
        and fetch the rest with ``case_ids``: at 50,000 cases the count and the first page take
        a few milliseconds where every id takes a hundred. Without ``count`` the second number
        is only how many ids came (the list shows its page before the rest tells the count).
        """
        today = today or self._ctx.clock.today()
        query = self._ordered(case_filter, sort, descending, today, now).limit(limit)
        matching, _ = self._query(case_filter, today, now, select(_CLAIMS.c.id), full=False)
        with self._ctx.reader_connection() as connection:
            ids = list(connection.execute(query).scalars())
            if len(ids) < limit or not count:
                return ids, len(ids)
            total = connection.scalar(select(func.count()).select_from(matching.subquery()))
        return ids, int(total or 0)

    def _ordered(
        self,
        case_filter: CaseFilter,
        sort: CaseSort,
        descending: bool,
        today: date,
        now: datetime | None,
    ) -> Select[Any]:
        query, columns = self._query(
            case_filter, today, now, select(_CLAIMS.c.id), full=False, sort=sort
        )
        key = columns[sort]
        # Cases without a deadline sort after those with one, whichever the direction.
        nulls = [key.is_(None)] if sort == CaseSort.NEXT_DEADLINE else []
        order = key.desc() if descending else key.asc()
        tie = _CLAIMS.c.id.desc() if descending else _CLAIMS.c.id.asc()
        return query.order_by(*nulls, order, tie)

    def rows(
        self, ids: Sequence[int], today: date | None = None, now: datetime | None = None
    ) -> list[CaseRow]:
        """The rows for these ids, in the same order (ids no longer present are skipped)."""
        if not ids:
            return []
        today = today or self._ctx.clock.today()
        now = now or self._ctx.clock.now()
        found: dict[int, CaseRow] = {}
        as_array = not self._ctx.db.is_sqlite  # one array parameter on a server (overdue.among)
        with self._ctx.reader_connection() as connection:
            for start in range(0, len(ids), _ROWS_AT_ONCE):
                chunk = list(ids[start : start + _ROWS_AT_ONCE])
                late = overdue_items(today, now, chunk, as_array=as_array).subquery()
                overdue = set(connection.execute(select(late.c.claim_id).distinct()).scalars())
                rows = _row_query().where(among(_CLAIMS.c.id, chunk, as_array=as_array))
                if self._ctx.visible_to is not None:
                    rows = rows.where(_CLAIMS.c.assigned_user_id == self._ctx.visible_to)
                for row in connection.execute(rows):
                    found[row.id] = CaseRow(
                        id=row.id,
                        case_number=row.case_number,
                        claimant_name=row.claimant_name,
                        insurer_name=row.insurer_name or "",
                        claim_type=row.claim_type,
                        plan_type=row.plan_type,
                        country=row.country,
                        region=row.region,
                        stage=row.stage,
                        status=row.status,
                        assigned_to=row.assigned_to or "",
                        next_deadline=row.next_due_on,
                        updated_at=row.updated_at,
                        overdue=row.id in overdue,
                        is_sample=bool(row.is_sample),
                    )
        return [found[i] for i in ids if i in found]

    def assignees(self) -> list[str]:
        """Names of the people cases are assigned to (for the filter)."""
        query = (
            select(_USERS.c.name)
            .join(_CLAIMS, _CLAIMS.c.assigned_user_id == _USERS.c.id)
            .where(_visible(self._ctx))
            .distinct()
            .order_by(_USERS.c.name)
        )
        with self._ctx.reader_connection() as connection:
            return list(connection.execute(query).scalars())

    def jurisdictions(self) -> list[str]:
        query = (
            select(_CLAIMS.c.country, _CLAIMS.c.region)
            .where(_visible(self._ctx))
            .distinct()
            .order_by(_CLAIMS.c.country, _CLAIMS.c.region)
        )
        with self._ctx.reader_connection() as connection:
            pairs = connection.execute(query).all()
        countries = sorted({country for country, _ in pairs})
        regions = [f"{country}-{region}" for country, region in pairs if region]
        return sorted({*countries, *regions})

    def any_cases(self) -> bool:
        with self._ctx.reader_connection() as connection:
            return (
                connection.scalar(select(_CLAIMS.c.id).where(_visible(self._ctx)).limit(1))
                is not None
            )

    def _query(
        self,
        case_filter: CaseFilter,
        today: date,
        now: datetime | None,
        base: Select[Any],
        full: bool = True,
        sort: CaseSort | None = None,
    ) -> tuple[Select[Any], dict[CaseSort, Any]]:
        """The query with the joins the filter, the sort or the row text need (and no more:
        at 50,000 cases an unneeded join on the deadlines costs most of the time)."""
        claims, insurers, users = _CLAIMS.c, _INSURERS.c, _USERS.c
        text = case_filter.search.strip()
        query = base
        if full or text or sort == CaseSort.INSURER:
            query = query.outerjoin(_INSURERS, insurers.id == claims.insurer_id)
        if full or case_filter.assignee or sort == CaseSort.ASSIGNED:
            query = query.outerjoin(_USERS, users.id == claims.assigned_user_id)
        if text:
            pattern = f"%{text}%"
            query = query.where(
                or_(
                    claims.claimant_name.ilike(pattern),
                    claims.case_number.ilike(pattern),
                    claims.insurer_claim_number.ilike(pattern),
                    claims.policy_number.ilike(pattern),
                    claims.member_id.ilike(pattern),
                    insurers.name.ilike(pattern),
                )
            )
        if case_filter.stage is not None:
            query = query.where(claims.stage == case_filter.stage)
        if case_filter.status is not None:
            query = query.where(claims.status == case_filter.status)
        if case_filter.assignee:
            query = query.where(users.name == case_filter.assignee)
        # "My cases", and a caseworker whom the office limits to their cases (the read policy
        # of services/policy.py, which Core queries apply themselves).
        if case_filter.mine or self._ctx.visible_to is not None:
            query = query.where(claims.assigned_user_id == self._ctx.principal.user_id)
        if case_filter.jurisdiction:
            country, _, region = case_filter.jurisdiction.upper().partition("-")
            query = query.where(claims.country == country)
            if region:
                query = query.where(claims.region == region)
        if case_filter.subset is not None:
            from claimdesk.services.dashboard import slice_query

            behind = slice_query(case_filter.subset)
            query = query.where(claims.id.in_(behind.correlate(None)))
        if case_filter.overdue_only:
            late = overdue_claim_ids(today, now or self._ctx.clock.now())
            query = query.where(claims.id.in_(late))
        columns: dict[CaseSort, Any] = {
            CaseSort.CASE_NUMBER: claims.case_number,
            CaseSort.CLAIMANT: func.lower(claims.claimant_name),
            CaseSort.INSURER: func.lower(insurers.name),
            CaseSort.CLAIM_TYPE: claims.claim_type,
            CaseSort.STAGE: claims.stage,
            CaseSort.NEXT_DEADLINE: claims.next_due_on,
            CaseSort.ASSIGNED: func.lower(users.name),
            CaseSort.LAST_ACTIVITY: claims.updated_at,
        }
        return query, columns


# The columns the case list reads, declared for Core alone, not taken from the mapped classes:
# the list paints its first page before the models are built (a fifth of a second at start-up),
# and Core statements skip the ORM's compiling and per-row loading. A test checks each column
# against the models, so the two cannot drift apart.
_CLAIMS = table(
    "claims",
    column("id", Integer),
    column("case_number", String),
    column("claimant_name", String),
    column("insurer_id", Integer),
    column("plan_type", enum_column(PlanType)),
    column("policy_number", String),
    column("member_id", String),
    column("insurer_claim_number", String),
    column("country", String),
    column("region", String),
    column("claim_type", enum_column(ClaimType)),
    column("stage", enum_column(Stage)),
    column("status", enum_column(ClaimStatus)),
    column("assigned_user_id", Integer),
    column("updated_at", UTCDateTime),
    column("is_sample", Boolean),
    # The earliest open deadline's day, kept by the database (models/claim.py).
    column("next_due_on", Date),
)
_USERS = table("users", column("id", Integer), column("name", String))
_INSURERS = table("organisations", column("id", Integer), column("name", String))
TABLES = (_CLAIMS, _USERS, _INSURERS, *overdue.TABLES)
# Ids per IN (...) when fetching rows: the model asks for a page of 200 at a time.
_ROWS_AT_ONCE = 500
# Ids per fetch when reading them all (a few milliseconds each at most).
_IDS_AT_ONCE = 2000


@lru_cache(maxsize=1)
def _visible(ctx: ServiceContext) -> Any:
    """The cases the principal may see, as a Core condition (true for every case but a
    limited caseworker's)."""
    if ctx.visible_to is None:
        return true()
    return _CLAIMS.c.assigned_user_id == ctx.visible_to


def _row_query() -> Select[Any]:
    """The row text of the case list, without its WHERE."""
    claims = _CLAIMS.c
    return (
        select(
            claims.id,
            claims.case_number,
            claims.claimant_name,
            _INSURERS.c.name.label("insurer_name"),
            claims.claim_type,
            claims.plan_type,
            claims.country,
            claims.region,
            claims.stage,
            claims.status,
            _USERS.c.name.label("assigned_to"),
            claims.next_due_on,
            claims.updated_at,
            claims.is_sample,
        )
        .outerjoin(_INSURERS, _INSURERS.c.id == claims.insurer_id)
        .outerjoin(_USERS, _USERS.c.id == claims.assigned_user_id)
    )

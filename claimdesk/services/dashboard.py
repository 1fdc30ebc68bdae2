"""The office's dashboard and report: caseload, deadlines, outcomes, insurer behaviour, money.

Every figure is one aggregate query (Core, GROUP BY) over the whole office, so the dashboard
reads in well under a second at 50,000 cases (bench/dashboard.py). Each bar carries a
``Slice``: the same condition as a query of case ids, which the case list filters by
(``CaseFilter.subset``), so a click on a bar shows exactly the cases behind it.

What the period (``DashboardFilter.start`` / ``end``) applies to:

- caseload, deadlines and calls describe the office *now* (open cases; overdue and due within
  7 days of today; no call logged in the last 30 days), whatever the period;
- outcomes count review levels *decided* in the period;
- insurer behaviour counts insurer deadlines and document requests *due* in the period, and the
  days from receipt (else filing) to decision of internal appeals decided in it;
- money: the amount in dispute on open cases, and on cases overturned whose latest decision
  falls in the period, per currency (never added across currencies).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select

from claimdesk.deadlines.missed import MissedDeadline
from claimdesk.errors import ValidationError
from claimdesk.models import (
    Appeal,
    CallLogEntry,
    Claim,
    Deadline,
    DocumentRequest,
    Organisation,
    User,
)
from claimdesk.models.enums import (
    AppealLevel,
    ClaimStatus,
    DeadlineStatus,
    DenialCategory,
    Outcome,
    Party,
    Stage,
)
from claimdesk.services.context import ServiceContext

UNASSIGNED = "(unassigned)"
NO_INSURER = "(no insurer)"
STALE_DAYS = 30
WEEK_DAYS = 7
# A rate shown as a percentage only from this many decisions: "2 of 3", never "67%".
RATE_FROM = 10
ALERTS_SHOWN = 200

# Review levels as the office reports them; the figure quoted in DOMAIN.md beside each
# (step 8: unsourced, treat as illustrative).
LEVEL_GROUPS: dict[str, tuple[AppealLevel, ...]] = {
    "Internal appeal": (AppealLevel.INTERNAL_1, AppealLevel.INTERNAL_2),
    "Peer-to-peer": (AppealLevel.PEER_TO_PEER,),
    "External review / IMR": (AppealLevel.EXTERNAL_REVIEW,),
    "Ombudsman / regulator": (AppealLevel.OMBUDSMAN, AppealLevel.REGULATOR),
    "Court": (AppealLevel.LITIGATION,),
}
ILLUSTRATIVE = {"Internal appeal": 14, "Peer-to-peer": 31, "External review / IMR": 45}
_WON = (Outcome.OVERTURNED, Outcome.PARTIALLY_OVERTURNED)
_INTERNAL = (AppealLevel.INTERNAL_1, AppealLevel.INTERNAL_2)

C = Claim.__table__.c
A = Appeal.__table__.c
D = Deadline.__table__.c
R = DocumentRequest.__table__.c
L = CallLogEntry.__table__.c
U = User.__table__.c
ORG = Organisation.__table__.c


@dataclass(frozen=True)
class DashboardFilter:
    """The period and the caseworker; ``caseworker`` None is everyone, UNASSIGNED nobody."""

    start: date | None = None
    end: date | None = None
    caseworker: str | None = None

    def period_text(self) -> str:
        if self.start and self.end:
            return f"{self.start.isoformat()} to {self.end.isoformat()}"
        if self.start:
            return f"from {self.start.isoformat()}"
        if self.end:
            return f"up to {self.end.isoformat()}"
        return "all dates"


@dataclass(frozen=True)
class Slice:
    """The cases behind one bar: a metric, its keys, the filter and the moment it was read
    (the list behind a bar is what was counted, even if a deadline has since passed)."""

    metric: str
    keys: tuple[str, ...]
    filter: DashboardFilter
    today: date
    now: datetime
    label: str = field(compare=False, default="")


@dataclass(frozen=True)
class Series:
    name: str
    tone: str  # a theme tone name ("danger") or "series:N" for the Nth chart colour


@dataclass(frozen=True)
class Group:
    """One row of a chart: a label, a value per series and the cases behind each."""

    label: str
    values: tuple[int, ...]
    slices: tuple[Slice | None, ...]


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    series: tuple[Series, ...]
    groups: tuple[Group, ...]
    # The same numbers as a table (accessible, copyable), with what the bars cannot show.
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    stacked: bool = False
    note: str = ""
    # Money: each row has its own scale (amounts in different currencies are not comparable).
    scale_per_group: bool = False
    empty: str = "Nothing in this period."


@dataclass(frozen=True)
class Dashboard:
    filter: DashboardFilter
    today: date
    open_cases: int
    charts: tuple[Chart, ...]
    alerts: tuple[MissedDeadline, ...]  # the oldest ALERTS_SHOWN
    alert_count: int

    def chart(self, key: str) -> Chart:
        return next(c for c in self.charts if c.key == key)


def rate_text(won: int, decided: int) -> str:
    """ "5 of 12 (42%)"; below RATE_FROM decisions only "2 of 3": never a bare percentage."""
    if not decided:
        return "none decided"
    if decided < RATE_FROM:
        return f"{won} of {decided}"
    return f"{won} of {decided} ({round(100 * won / decided)}%)"


def money_text(minor: int, currency: str) -> str:
    return f"{currency} {minor / 100:,.2f}"


class DashboardService:
    def __init__(
        self,
        ctx: ServiceContext,
        alerts: Callable[[date, datetime, Select[Any] | None, int], list[MissedDeadline]],
        alert_count: Callable[[date, datetime, Select[Any] | None], int],
    ) -> None:
        self._ctx = ctx
        self._alerts = alerts
        self._alert_count = alert_count

    def caseworkers(self) -> list[str]:
        """Everyone cases are assigned to, for the filter (a caseworker limited to their own
        cases: only themself)."""
        query = (
            select(U.name)
            .join(Claim.__table__, C.assigned_user_id == U.id)
            .distinct()
            .order_by(U.name)
        )
        if self._ctx.visible_to is not None:
            query = query.where(U.id == self._ctx.visible_to)
        with self._ctx.reader_connection() as connection:
            return list(connection.execute(query).scalars())

    def read(
        self, wanted: DashboardFilter, today: date | None = None, now: datetime | None = None
    ) -> Dashboard:
        if wanted.start is not None and wanted.end is not None and wanted.end < wanted.start:
            raise ValidationError(
                f"The period ends ({wanted.end.isoformat()}) before it starts "
                f"({wanted.start.isoformat()}); swap the dates."
            )
        today = today or self._ctx.clock.today()
        now = now or self._ctx.clock.now()
        if self._ctx.visible_to is not None:
            # A caseworker the office limits to their own cases sees the dashboard of those.
            wanted = replace(wanted, caseworker=self._ctx.principal.name)
        with self._ctx.reader_connection() as connection:
            run = _Reader(connection, wanted, today, now)
            charts = (
                run.caseload(),
                run.deadlines(),
                run.stale(),
                run.outcomes_by_level(),
                run.outcomes_by("category"),
                run.outcomes_by("insurer"),
                run.insurers(),
                run.money(),
            )
            open_cases = run.scalar(select(func.count()).where(_open(), *run.who()))
        mine = select(C.id).where(*run.who()) if wanted.caseworker is not None else None
        alerts = self._alerts(today, now, mine, ALERTS_SHOWN)
        count = self._alert_count(today, now, mine)
        return Dashboard(wanted, today, open_cases, charts, tuple(alerts), count)

    def case_ids(self, piece: Slice) -> list[int]:
        """The ids of the cases behind a bar (what the case list shows for it)."""
        query = slice_query(piece)
        if self._ctx.visible_to is not None:
            query = query.where(C.assigned_user_id == self._ctx.visible_to)
        with self._ctx.reader_connection() as connection:
            return sorted(connection.execute(query).scalars())


# ---- the conditions, shared by the counts and the case lists behind them ----------------------


def _open() -> Any:
    return C.status != ClaimStatus.CLOSED


def _caseworker_condition(name: str | None) -> list[Any]:
    if name is None:
        return []
    if name == UNASSIGNED:
        return [C.assigned_user_id.is_(None)]
    who = select(U.id).where(U.name == name).scalar_subquery()
    return [C.assigned_user_id == who]


def _in_period(column: Any, wanted: DashboardFilter) -> list[Any]:
    conditions = []
    if wanted.start is not None:
        conditions.append(column >= wanted.start)
    if wanted.end is not None:
        conditions.append(column <= wanted.end)
    return conditions


def _late_deadline(today: date, now: datetime) -> Any:
    return and_(
        D.status == DeadlineStatus.OPEN,
        or_(
            and_(D.due_at.is_not(None), D.due_at < now), and_(D.due_at.is_(None), D.due_on < today)
        ),
    )


def _week_deadline(today: date, now: datetime) -> Any:
    return and_(
        D.status == DeadlineStatus.OPEN,
        ~_late_deadline(today, now),
        D.due_on <= today + timedelta(days=WEEK_DAYS),
    )


def _party(key: str) -> Any:
    return D.party == Party.CLAIMANT if key == "claimant" else D.party == Party.INSURER


def _no_recent_call(now: datetime) -> Any:
    # The recent calls come off the calls' time index, a few thousand rows: grouping every
    # call by case (or probing each case's calls) took a third of a second at 50,000 cases.
    cutoff = now - timedelta(days=STALE_DAYS)
    return C.id.not_in(select(L.claim_id).where(L.occurred_at >= cutoff))


def _late_request(today: date) -> Any:
    return or_(
        R.received_on > R.due_on,
        and_(R.received_on.is_(None), R.due_on < today),
    )


def _level_group(name: str) -> tuple[AppealLevel, ...]:
    return LEVEL_GROUPS[name]


def _insurer_is(key: str) -> Any:
    """An insurer's key is its organisation id ("" for cases with none)."""
    return C.insurer_id.is_(None) if not key else C.insurer_id == int(key)


def _insurer_key(insurer_id: int | None) -> str:
    return "" if insurer_id is None else str(insurer_id)


def _decided_in(wanted: DashboardFilter) -> list[Any]:
    return [
        A.outcome != Outcome.PENDING,
        A.decided_on.is_not(None),
        *_in_period(A.decided_on, wanted),
    ]


def _latest_decision() -> Any:
    return (
        select(A.claim_id, func.max(A.decided_on).label("decided_on"))
        .where(A.decided_on.is_not(None))
        .group_by(A.claim_id)
        .subquery("latest_decisions")
    )


def slice_query(piece: Slice) -> Select[Any]:
    """The ids of the cases behind ``piece`` (a Core select the case list filters by)."""
    wanted, today, now = piece.filter, piece.today, piece.now
    who = _caseworker_condition(wanted.caseworker)
    keys = piece.keys
    claims = Claim.__table__
    if piece.metric == "caseload":
        worker, stage = keys
        return select(C.id).where(_open(), C.stage == Stage(stage), *_caseworker_condition(worker))
    if piece.metric in ("overdue", "due_week"):
        worker, party = keys
        when = (
            _late_deadline(today, now) if piece.metric == "overdue" else _week_deadline(today, now)
        )
        return (
            select(C.id)
            .distinct()
            .join_from(claims, Deadline.__table__, D.claim_id == C.id)
            .where(_open(), when, _party(party), *_caseworker_condition(worker))
        )
    if piece.metric == "stale":
        (worker,) = keys
        return select(C.id).where(_open(), _no_recent_call(now), *_caseworker_condition(worker))
    if piece.metric in ("outcome_level", "outcome_category", "outcome_insurer"):
        key, result = keys
        query = (
            select(C.id)
            .distinct()
            .join_from(claims, Appeal.__table__, A.claim_id == C.id)
            .where(*_decided_in(wanted), *who)
        )
        if piece.metric == "outcome_level":
            query = query.where(A.level.in_(_level_group(key)))
        elif piece.metric == "outcome_category":
            query = query.where(C.denial_category == DenialCategory(key))
        else:
            query = query.where(_insurer_is(key))
        if result == "overturned":
            query = query.where(A.outcome.in_(_WON))
        elif result == "upheld":
            query = query.where(A.outcome == Outcome.UPHELD)
        return query
    if piece.metric == "late_decisions":
        (insurer,) = keys
        return (
            select(C.id)
            .distinct()
            .join_from(claims, Deadline.__table__, D.claim_id == C.id)
            .where(
                D.party == Party.INSURER,
                or_(D.status == DeadlineStatus.MISSED, _late_deadline(today, now)),
                *_in_period(D.due_on, wanted),
                _insurer_is(insurer),
                *who,
            )
        )
    if piece.metric == "late_reports":
        (insurer,) = keys
        return (
            select(C.id)
            .distinct()
            .join_from(claims, DocumentRequest.__table__, R.claim_id == C.id)
            .where(
                R.withdrawn.is_(False),
                R.due_on.is_not(None),
                _late_request(today),
                *_in_period(R.due_on, wanted),
                _insurer_is(insurer),
                *who,
            )
        )
    if piece.metric in ("in_dispute", "recovered"):
        (currency,) = keys
        query = select(C.id).where(C.currency == currency, C.amount_minor.is_not(None), *who)
        if piece.metric == "in_dispute":
            return query.where(_open())
        latest = _latest_decision()
        return query.join(latest, latest.c.claim_id == C.id).where(
            C.outcome == Outcome.OVERTURNED, *_in_period(latest.c.decided_on, wanted)
        )
    raise ValueError(f"unknown dashboard metric {piece.metric!r}")


class _Reader:
    """The dashboard's queries over one connection (one snapshot)."""

    def __init__(self, connection: Any, wanted: DashboardFilter, today: date, now: datetime):
        self.connection, self.wanted, self.today, self.now = connection, wanted, today, now

    def who(self) -> list[Any]:
        return _caseworker_condition(self.wanted.caseworker)

    def scalar(self, query: Any) -> int:
        return int(self.connection.scalar(query.select_from(Claim.__table__)) or 0)

    def rows(self, query: Any) -> Sequence[Any]:
        return list(self.connection.execute(query).all())

    def slice(self, metric: str, *keys: str, label: str = "") -> Slice:
        return Slice(metric, keys, self.wanted, self.today, self.now, label)

    def _worker(self) -> Any:
        return func.coalesce(U.name, literal(UNASSIGNED))

    # ---- caseload -------------------------------------------------------------------------

    def caseload(self) -> Chart:
        worker = self._worker()
        rows = self.rows(
            select(worker.label("worker"), C.stage, func.count())
            .select_from(Claim.__table__)
            .outerjoin(User.__table__, U.id == C.assigned_user_id)
            .where(_open(), *self.who())
            .group_by(worker, C.stage)
        )
        stages = [s for s in Stage if s != Stage.CLOSED]
        counts: dict[str, dict[Stage, int]] = defaultdict(dict)
        for name, stage, count in rows:
            counts[name][stage] = count
        used = [s for s in stages if any(s in c for c in counts.values())]
        series = tuple(Series(s.label, f"series:{stages.index(s)}") for s in used)
        groups = tuple(
            Group(
                name,
                tuple(counts[name].get(s, 0) for s in used),
                tuple(
                    self.slice("caseload", name, s.value, label=f"Open · {name} · {s.label}")
                    for s in used
                ),
            )
            for name in _names(counts)
        )
        table = tuple((g.label, *(str(v) for v in g.values), str(sum(g.values))) for g in groups)
        return Chart(
            "caseload",
            "Open cases by caseworker and stage",
            series,
            groups,
            ("Caseworker", *(s.name for s in series), "Open cases"),
            table,
            stacked=True,
        )

    # ---- deadlines ------------------------------------------------------------------------

    def deadlines(self) -> Chart:
        worker = self._worker()
        late, week = _late_deadline(self.today, self.now), _week_deadline(self.today, self.now)
        claimant, insurer = D.party == Party.CLAIMANT, D.party == Party.INSURER
        # Each case's deadlines first, one row per case with a flag per column, then the cases
        # by caseworker: joining every deadline to its case read the claims at random, two
        # and a half times slower at 50,000 cases.
        flags = [
            func.max(case((and_(when, party), 1), else_=0)).label(f"f{index}")
            for index, (when, party) in enumerate(
                [(late, claimant), (late, insurer), (week, claimant), (week, insurer)]
            )
        ]
        per_case = (
            select(D.claim_id, *flags)
            .where(or_(late, week))
            .group_by(D.claim_id)
            .subquery("deadline_flags")
        )
        rows = self.rows(
            select(worker.label("worker"), *(func.sum(per_case.c[f"f{i}"]) for i in range(4)))
            .select_from(per_case)
            .join(Claim.__table__, C.id == per_case.c.claim_id)
            .outerjoin(User.__table__, U.id == C.assigned_user_id)
            .where(_open(), *self.who())
            .group_by(worker)
        )
        series = (
            Series("Overdue: claimant's", "danger"),
            Series("Overdue: insurer's", "series:3"),
            Series("Due within 7 days: claimant's", "warning"),
            Series("Due within 7 days: insurer's", "accent"),
        )
        keys = (("overdue", "claimant"), ("overdue", "insurer"),
                ("due_week", "claimant"), ("due_week", "insurer"))  # fmt: skip
        by_name = {row[0]: tuple(int(v) for v in row[1:]) for row in rows}
        groups = tuple(
            Group(
                name,
                by_name[name],
                tuple(
                    self.slice(metric, name, party, label=f"{s.name} · {name}")
                    for (metric, party), s in zip(keys, series, strict=True)
                ),
            )
            for name in _names(by_name)
        )
        return Chart(
            "deadlines",
            "Cases with deadlines overdue or due within 7 days, by caseworker",
            series,
            groups,
            ("Caseworker", *(s.name for s in series)),
            tuple((g.label, *(str(v) for v in g.values)) for g in groups),
            note="Counted in cases; a case with two overdue deadlines counts once.",
        )

    def stale(self) -> Chart:
        worker = self._worker()
        rows = self.rows(
            select(worker.label("worker"), func.count())
            .select_from(Claim.__table__)
            .outerjoin(User.__table__, U.id == C.assigned_user_id)
            .where(_open(), *self.who(), _no_recent_call(self.now))
            .group_by(worker)
        )
        counts = {name: int(n) for name, n in rows}
        groups = tuple(
            Group(
                name,
                (counts[name],),
                (self.slice("stale", name, label=f"No call in {STALE_DAYS} days · {name}"),),
            )
            for name in _names(counts)
        )
        return Chart(
            "stale",
            f"Open cases without a logged call in {STALE_DAYS} days",
            (Series(f"No call in {STALE_DAYS} days", "warning"),),
            groups,
            ("Caseworker", "Open cases without a call"),
            tuple((g.label, str(g.values[0])) for g in groups),
            empty=f"Every open case has a call logged in the last {STALE_DAYS} days.",
        )

    # ---- outcomes -------------------------------------------------------------------------

    def _outcome_counts(
        self, key: Any, joins: Callable[[Any], Any]
    ) -> dict[Any, tuple[int, int, int]]:
        won = func.count().filter(A.outcome.in_(_WON))
        upheld = func.count().filter(A.outcome == Outcome.UPHELD)
        query = (
            select(key.label("key"), func.count(), won, upheld)
            .select_from(Appeal.__table__)
            .join(Claim.__table__, C.id == A.claim_id)
        )
        query = joins(query).where(*_decided_in(self.wanted), *self.who()).group_by(key)
        return {row[0]: (int(row[1]), int(row[2]), int(row[3])) for row in self.rows(query)}

    def outcomes_by_level(self) -> Chart:
        counts = self._outcome_counts(A.level, lambda q: q)
        by_group: dict[str, tuple[int, int, int]] = {}
        for name, levels in LEVEL_GROUPS.items():
            found = [counts.get(level, (0, 0, 0)) for level in levels]
            total = tuple(sum(values) for values in zip(*found, strict=True))
            if total[0]:
                by_group[name] = (total[0], total[1], total[2])
        return self._outcome_chart(
            "outcome_level",
            "Outcomes by review level",
            "Review level",
            by_group,
            list(by_group),
            illustrative=True,
        )

    def outcomes_by(self, what: str) -> Chart:
        if what == "category":
            counts = self._outcome_counts(C.denial_category, lambda q: q)
            labelled = {
                DenialCategory(k).label: (DenialCategory(k).value, v) for k, v in counts.items()
            }
            title, heading, metric = (
                "Outcomes by denial category",
                "Denial category",
                "outcome_category",
            )
        else:
            names = self.insurer_names()
            counts = self._outcome_counts(C.insurer_id, lambda q: q)
            labelled = {names(k): (_insurer_key(k), v) for k, v in counts.items()}
            title, heading, metric = "Outcomes by insurer", "Insurer", "outcome_insurer"
        order = sorted(labelled, key=lambda k: (-labelled[k][1][0], k))
        return self._outcome_chart(
            metric,
            title,
            heading,
            {k: labelled[k][1] for k in order},
            order,
            keys={k: labelled[k][0] for k in order},
        )

    def _outcome_chart(
        self,
        metric: str,
        title: str,
        heading: str,
        counts: dict[str, tuple[int, int, int]],
        order: list[str],
        *,
        illustrative: bool = False,
        keys: dict[str, str] | None = None,
    ) -> Chart:
        series = (Series("Decided", "muted"), Series("Overturned", "success"),
                  Series("Upheld", "danger"))  # fmt: skip
        results = ("all", "overturned", "upheld")
        groups = []
        rows = []
        for label in order:
            decided, won, upheld = counts[label]
            key = keys[label] if keys else label
            groups.append(
                Group(
                    label,
                    (decided, won, upheld),
                    tuple(
                        self.slice(metric, key, result, label=f"{s.name} · {label}")
                        for result, s in zip(results, series, strict=True)
                    ),
                )
            )
            row = [label, str(decided), str(won), str(upheld), rate_text(won, decided)]
            if illustrative:
                figure = ILLUSTRATIVE.get(label)
                row.append(f"~{figure}%" if figure is not None else "")
            rows.append(tuple(row))
        columns = [heading, "Decided", "Overturned", "Upheld", "Overturned rate"]
        note = (
            "Review levels decided in the period. A rate is a percentage only from "
            f"{RATE_FROM} decisions."
        )
        if illustrative:
            columns.append("Quoted figure (illustrative)")
            note += (
                " The quoted figures are from ClaimDesk's domain notes, unsourced: illustrative "
                "only, not a benchmark."
            )
        return Chart(metric, title, series, tuple(groups), tuple(columns), tuple(rows), note=note)

    # ---- insurer behaviour ----------------------------------------------------------------

    def insurer_names(self) -> Callable[[int | None], str]:
        """Insurers' names by id (grouping by the id, not the name, halves the queries)."""
        if not hasattr(self, "_insurers"):
            query = select(ORG.id, ORG.name)
            self._insurers: dict[int, str] = {
                row.id: row.name for row in self.connection.execute(query)
            }
        found = self._insurers
        return lambda key: NO_INSURER if key is None else found.get(key, NO_INSURER)

    def insurers(self) -> Chart:
        name = C.insurer_id
        names = self.insurer_names()
        late = or_(D.status == DeadlineStatus.MISSED, _late_deadline(self.today, self.now))
        # Counted per case first, then by insurer (as in deadlines(): fewer random reads).
        per_case = (
            select(
                D.claim_id,
                func.count().label("due"),
                func.count().filter(late).label("late"),
            )
            .where(
                D.party == Party.INSURER,
                D.status != DeadlineStatus.DISMISSED,
                D.due_on < self.today,
                *_in_period(D.due_on, self.wanted),
            )
            .group_by(D.claim_id)
            .subquery("insurer_deadlines")
        )
        decisions = self.rows(
            select(name.label("insurer"), func.sum(per_case.c.due), func.sum(per_case.c.late))
            .select_from(per_case)
            .join(Claim.__table__, C.id == per_case.c.claim_id)
            .where(*self.who())
            .group_by(name)
        )
        reports = self.rows(
            select(
                name.label("insurer"), func.count(), func.count().filter(_late_request(self.today))
            )
            .select_from(DocumentRequest.__table__)
            .join(Claim.__table__, C.id == R.claim_id)
            .where(
                R.withdrawn.is_(False),
                R.due_on.is_not(None),
                or_(R.received_on.is_not(None), R.due_on < self.today),
                *_in_period(R.due_on, self.wanted),
                *self.who(),
            )
            .group_by(name)
        )
        started = func.coalesce(A.received_on, A.filed_on)
        spans = self.rows(
            select(name.label("insurer"), started, A.decided_on)
            .select_from(Appeal.__table__)
            .join(Claim.__table__, C.id == A.claim_id)
            .where(
                A.level.in_(_INTERNAL),
                started.is_not(None),
                *_decided_in(self.wanted),
                *self.who(),
            )
        )
        days: dict[int | None, list[int]] = defaultdict(list)
        for insurer_id, began, decided in spans:
            days[insurer_id].append((decided - began).days)
        decided_late = {row[0]: (int(row[1]), int(row[2])) for row in decisions}
        reports_late = {row[0]: (int(row[1]), int(row[2])) for row in reports}
        ids = sorted(set(decided_late) | set(reports_late) | set(days),
                     key=lambda n: (-(decided_late.get(n, (0, 0))[1]
                                      + reports_late.get(n, (0, 0))[1]), names(n)))  # fmt: skip
        groups, rows = [], []
        for insurer_id in ids:
            insurer, key = names(insurer_id), _insurer_key(insurer_id)
            due, late_n = decided_late.get(insurer_id, (0, 0))
            asked, late_r = reports_late.get(insurer_id, (0, 0))
            groups.append(
                Group(
                    insurer,
                    (late_n, late_r),
                    (
                        self.slice("late_decisions", key, label=f"Late decisions · {insurer}"),
                        self.slice("late_reports", key, label=f"Late reports · {insurer}"),
                    ),
                )
            )
            timed = days.get(insurer_id, [])
            median = f"{statistics.median(timed):g}" if timed else "–"
            rows.append(
                (
                    insurer,
                    f"{late_n} of {due}",
                    f"{late_r} of {asked}",
                    median,
                    str(len(timed)),
                )
            )
        return Chart(
            "insurers",
            "Insurer behaviour: deadlines missed, reports late",
            (Series("Decisions late", "danger"), Series("Reports requested, late", "against")),
            tuple(groups),
            (
                "Insurer",
                "Decisions late (of due)",
                "Reports late (of due)",
                "Median days to decision",
                "Decisions timed",
            ),
            tuple(rows),
            note="Insurer deadlines and document requests due in the period (and already past): "
            "late when missed, or still open after their date. Median days from the appeal's "
            "receipt (else filing) to the decision, internal appeals decided in the period.",
        )

    # ---- money ----------------------------------------------------------------------------

    def money(self) -> Chart:
        disputed = self.rows(
            select(C.currency, func.count(), func.sum(C.amount_minor))
            .where(_open(), C.amount_minor.is_not(None), *self.who())
            .group_by(C.currency)
        )
        latest = _latest_decision()
        won = self.rows(
            select(C.currency, func.count(), func.sum(C.amount_minor))
            .join(latest, latest.c.claim_id == C.id)
            .where(
                C.outcome == Outcome.OVERTURNED,
                C.amount_minor.is_not(None),
                *_in_period(latest.c.decided_on, self.wanted),
                *self.who(),
            )
            .group_by(C.currency)
        )
        open_by = {cur: (int(n), int(total or 0)) for cur, n, total in disputed}
        won_by = {cur: (int(n), int(total or 0)) for cur, n, total in won}
        groups, rows = [], []
        for currency in sorted(set(open_by) | set(won_by)):
            n_open, in_dispute = open_by.get(currency, (0, 0))
            n_won, recovered = won_by.get(currency, (0, 0))
            groups.append(
                Group(
                    currency,
                    (in_dispute, recovered),
                    (
                        self.slice("in_dispute", currency, label=f"In dispute · {currency}"),
                        self.slice("recovered", currency, label=f"Recovered · {currency}"),
                    ),
                )
            )
            rows.append(
                (
                    currency,
                    money_text(in_dispute, currency),
                    str(n_open),
                    money_text(recovered, currency),
                    str(n_won),
                )
            )
        return Chart(
            "money",
            "Money in dispute and recovered, by currency",
            (Series("In dispute (open cases)", "accent"), Series("Recovered", "success")),
            tuple(groups),
            ("Currency", "In dispute", "Open cases", "Recovered", "Cases overturned"),
            tuple(rows),
            note="Never added across currencies; each currency has its own scale. Recovered: the "
            "amount in dispute on cases overturned in full whose latest decision is in the "
            "period (ClaimDesk records no separate amount paid).",
            scale_per_group=True,
        )


def _names(counts: dict[str, Any]) -> list[str]:
    """Caseworkers by name, the unassigned last."""
    return sorted(counts, key=lambda n: (n == UNASSIGNED, n.lower()))

"""The appeal-readiness check: the mistakes that sink appeals (DOMAIN.md, "Common mistakes")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from claimdesk.deadlines.missed import MissedDeadline
from claimdesk.errors import NotFoundError
from claimdesk.models import (
    CallLogEntry,
    Claim,
    Deadline,
    DocumentRequest,
    SecondOpinion,
    Specialist,
)
from claimdesk.models.enums import DeadlineStatus, OpinionStatus, Party, ReviewMode
from claimdesk.services.context import ServiceContext

# Where each problem is fixed: the case workspace opens that panel.
CALLS, REQUESTS, SPECIALISTS, DEADLINES = "calls", "requests", "specialists", "deadlines"

_BRIEFED = {
    OpinionStatus.BRIEFED,
    OpinionStatus.APPOINTMENT,
    OpinionStatus.EXAMINED,
    OpinionStatus.RECORDS_REVIEWED,
    OpinionStatus.REPORT_RECEIVED,
}


@dataclass(frozen=True)
class ReadinessItem:
    key: str
    ok: bool
    title: str
    detail: str
    fix_in: str
    # An insurer's deadline gone by with nothing recorded: shown in red, first.
    alert: bool = False


class ReadinessService:
    def __init__(
        self,
        ctx: ServiceContext,
        missed: Callable[[int, date], list[MissedDeadline]] | None = None,
    ) -> None:
        self._ctx = ctx
        self._missed = missed

    def check(self, claim_id: int, today: date | None = None) -> list[ReadinessItem]:
        """Every check, passed or not, in the order a caseworker would fix them."""
        today = today or self._ctx.clock.today()
        alerts = [
            ReadinessItem(
                f"insurer_deadline:{missed.deadline_id}",
                False,
                f"{missed.headline}: nothing is recorded",
                f"{missed.opens()} This is what the rule says, not legal advice.",
                DEADLINES,
                alert=True,
            )
            for missed in (self._missed(claim_id, today) if self._missed else [])
        ]
        with self._ctx.reader() as session:
            claim = session.get(Claim, claim_id)
            if claim is None:
                raise NotFoundError(f"There is no case number {claim_id}.")
            # A correction is a new entry for the same call: count the calls, not the entries.
            calls, corrections = session.execute(
                select(
                    func.count().filter(CallLogEntry.amends_id.is_(None)),
                    func.count(CallLogEntry.amends_id),
                ).where(CallLogEntry.claim_id == claim_id)
            ).one()
            opinions = session.execute(
                select(SecondOpinion, Specialist)
                .join(Specialist, Specialist.id == SecondOpinion.specialist_id)
                .where(
                    SecondOpinion.claim_id == claim_id,
                    SecondOpinion.status != OpinionStatus.DECLINED,
                )
            ).all()
            requests = session.scalars(
                select(DocumentRequest).where(
                    DocumentRequest.claim_id == claim_id,
                    DocumentRequest.received_on.is_(None),
                    DocumentRequest.withdrawn.is_(False),
                )
            ).all()
            urgent = session.scalars(
                select(Deadline)
                .where(
                    Deadline.claim_id == claim_id,
                    Deadline.status == DeadlineStatus.OPEN,
                    Deadline.party == Party.CLAIMANT,
                    Deadline.due_on <= today + timedelta(days=7),
                )
                .order_by(Deadline.due_on)
            ).all()
            late = [r for r in requests if (_current_due(r) or today) < today]
            clinical = claim.denial_category.clinical

            items = [
                _item(
                    "call_log",
                    bool(calls),
                    "A chronological call log",
                    _calls_text(calls, corrections)
                    if calls
                    else "No calls are logged. Every call to the "
                    "insurer belongs in the record a reviewer or court will see.",
                    CALLS,
                ),
                _item(
                    "reports_received",
                    not late,
                    "Every insurer report requested has arrived",
                    "Nothing requested is overdue."
                    if not late
                    else "Overdue: "
                    + "; ".join(_what(r) for r in late)
                    + ". Send a second request and note the delay as evidence.",
                    REQUESTS,
                ),
                _item(
                    "deadline_week",
                    not urgent,
                    "No deadline inside the next week with nothing filed",
                    "No claimant deadline falls in the next 7 days."
                    if not urgent
                    else f"'{urgent[0].title}' is due {urgent[0].due_on:%d %b %Y}. File it, or "
                    "record it as met.",
                    DEADLINES,
                ),
            ]
            if clinical:
                items.append(
                    _item(
                        "second_opinion",
                        bool(opinions),
                        "An independent specialist's second opinion",
                        "A second opinion is under way."
                        if opinions
                        else "This is a clinical dispute: an independent specialist's opinion is "
                        "the strongest evidence. Choose one in Specialists.",
                        SPECIALISTS,
                    )
                )
            for opinion, specialist in opinions:
                items.extend(_opinion_checks(opinion, specialist))
        return [*alerts, *items]


def _opinion_checks(opinion: SecondOpinion, specialist: Specialist) -> list[ReadinessItem]:
    who = specialist.name
    checks = [
        _item(
            f"specialist_not_gp:{opinion.id}",
            not specialist.is_general_practitioner,
            f"{who} is a specialist, not a GP",
            "A general practitioner's opinion carries little weight against a specialist "
            "reviewer; choose a board-certified specialist."
            if specialist.is_general_practitioner
            else f"{specialist.specialty}.",
            SPECIALISTS,
        ),
        _item(
            f"no_conflict:{opinion.id}",
            not specialist.conflict_of_interest,
            f"{who} has no ties to the insurer",
            specialist.conflict_notes or "Flagged as having a conflict of interest."
            if specialist.conflict_of_interest
            else "No conflict of interest recorded.",
            SPECIALISTS,
        ),
    ]
    if opinion.status in _BRIEFED:
        checks.append(
            _item(
                f"briefed_denial:{opinion.id}",
                opinion.briefing_included_denial,
                f"{who} was given the denial reasoning",
                "The briefing included the denial reasoning."
                if opinion.briefing_included_denial
                else "Send the denial letter and the reviewer's reasoning, so the report "
                "answers them point by point.",
                SPECIALISTS,
            )
        )
    if opinion.review_mode == ReviewMode.RECORDS_ONLY:
        checks.append(
            _item(
                f"examined:{opinion.id}",
                False,
                f"{who} examined the claimant",
                "Records-only review: an examination weighs more. Ask for an appointment.",
                SPECIALISTS,
            )
        )
    if opinion.status == OpinionStatus.REPORT_RECEIVED:
        checks.append(
            _item(
                f"full_report:{opinion.id}",
                opinion.report_is_full,
                f"{who}'s report is a full written report",
                "A full report citing guidelines by name and version."
                if opinion.report_is_full
                else "A brief letter is not enough: ask for a full report that cites the "
                "guidelines by name and version and the literature.",
                SPECIALISTS,
            )
        )
    return checks


def _item(key: str, ok: bool, title: str, detail: str, fix_in: str) -> ReadinessItem:
    return ReadinessItem(key=key, ok=ok, title=title, detail=detail, fix_in=fix_in)


def _current_due(request: DocumentRequest) -> date | None:
    due = request.due_on
    for follow_up in request.follow_ups:
        if follow_up.new_due_on is not None:
            due = follow_up.new_due_on
    return due


def _what(request: DocumentRequest) -> str:
    from claimdesk.models.enums import RequestKind

    if request.kind == RequestKind.OTHER and request.description:
        text = request.description
        return text if len(text) <= 80 else text[:80].rsplit(" ", 1)[0] + "…"
    return request.kind.label


def _calls_text(calls: int, corrections: int) -> str:
    """ "6 calls logged, and 1 correction." (a correction is not another call)"""
    text = f"{calls} call{'s' if calls != 1 else ''} logged"
    if corrections:
        text += f", and {corrections} correction{'s' if corrections != 1 else ''}"
    return text + "."

"""Sample cases: the fictional cases ``claimdesk demo`` adds, marked so they can go again."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select

from claimdesk.models import CallLogEntry, Claim
from claimdesk.services.claims import last_activity
from claimdesk.services.context import ServiceContext


@dataclass(frozen=True)
class CaseTally:
    """How many cases the database holds, and how many of them are samples."""

    cases: int
    samples: int

    @property
    def own_cases(self) -> int:
        return self.cases - self.samples


class SampleService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def tally(self) -> CaseTally:
        with self._ctx.reader() as session:
            cases = session.scalar(select(func.count()).select_from(Claim)) or 0
            samples = session.scalar(select(func.count()).where(Claim.is_sample.is_(True))) or 0
        return CaseTally(cases=int(cases), samples=int(samples))

    def ids(self) -> list[int]:
        """The sample cases' ids (the window closes their tabs before removing them)."""
        with self._ctx.reader() as session:
            query = select(Claim.id).where(Claim.is_sample.is_(True)).order_by(Claim.id)
            return list(session.scalars(query))

    def mark(self, claim_id: int) -> None:
        """Mark a case as a sample (the demo loader does, right after opening each case)."""
        with self._ctx.unit("add sample cases") as unit:
            claim = unit.get(Claim, claim_id, "case")
            claim.is_sample = True
            unit.record("mark_sample", "claim", claim_id, claim_id, ["is_sample"])

    def settle(self, claim_id: int) -> None:
        """After a sample case is loaded, its last activity is its latest call, letter or case
        event, as for a real case, not the moment the demo loader wrote it."""
        with self._ctx.unit("add sample cases") as unit:
            claim = unit.get(Claim, claim_id, "case")
            claim.updated_at = last_activity(unit.session, claim_id, unit.clock.now())
            unit.record("settle_sample", "claim", claim_id, claim_id, ["updated_at"])

    def remove(self) -> list[str]:
        """Delete every sample case with all its records, in one unit of work; return their
        case numbers. The audit trail keeps its events (it has no foreign key to the case)."""
        with self._ctx.unit("remove sample cases") as unit:
            session = unit.session
            found = session.execute(
                select(Claim.id, Claim.case_number)
                .where(Claim.is_sample.is_(True))
                .order_by(Claim.id)
            ).all()
            ids = [row.id for row in found]
            if not ids:
                return []
            # A correction points at the call it corrects with ON DELETE RESTRICT (the call
            # log is never edited), so the cascade from the case cannot take a corrected call
            # before its correction: delete the calls nothing points at, until none are left.
            pointed_at = select(CallLogEntry.amends_id).where(CallLogEntry.amends_id.is_not(None))
            while True:
                left = session.scalars(
                    select(CallLogEntry.id).where(
                        CallLogEntry.claim_id.in_(ids), CallLogEntry.id.not_in(pointed_at)
                    )
                ).all()
                if not left:
                    break
                session.execute(
                    delete(CallLogEntry)
                    .where(CallLogEntry.id.in_(left))
                    .execution_options(synchronize_session=False)
                )
            # Everything else hangs off the case with ON DELETE CASCADE: notes, documents and
            # their bytes, requests, deadlines and reminders, appeals, search entries...
            session.execute(
                delete(Claim).where(Claim.id.in_(ids)).execution_options(synchronize_session=False)
            )
            for claim_id in ids:
                unit.record("remove_sample", "claim", claim_id, claim_id)
            return [row.case_number for row in found]

"""The specialist directory, second opinions and the insurer's examinations (IMEs)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from claimdesk.errors import NotFoundError, ValidationError
from claimdesk.models import Claim, IndependentMedicalExam, Organisation, SecondOpinion, Specialist
from claimdesk.models.enums import OpinionStatus, ReviewMode
from claimdesk.services import fields as f
from claimdesk.services.claims import touch
from claimdesk.services.context import ServiceContext, mark_for_search, retried
from claimdesk.services.dto import ImeRecord, OpinionRecord, SpecialistRecord, copy_into

SPECIALIST_FIELDS = {
    "name": f.line("Name", required=True),
    "credentials": f.line("Credentials", 80),
    "specialty": f.line("Specialty", 120, required=True),
    "subspecialty": f.line("Subspecialty", 120),
    "is_general_practitioner": f.flag("General practitioner"),
    "board_certification": f.line("Board certification"),
    "certification_body": f.line("Certifying body"),
    "certification_verified_on": f.day("Certification verified on", past=True),
    "institution": f.line("Institution"),
    "academic": f.flag("Academic medical centre"),
    "address": f.text("Address", 2000),
    "phone": f.line("Phone", 60),
    "fax": f.line("Fax", 60),
    "email": f.line("Email"),
    "country": f.country(),
    "region": f.region(),
    "fee_minor": f.money("Fee"),
    "fee_currency": f.currency("Fee currency"),
    "conflict_of_interest": f.flag("Conflict of interest"),
    "conflict_notes": f.text("Conflict-of-interest notes"),
    "notes": f.text("Notes"),
}

OPINION_FIELDS = {
    "status": f.one_of(OpinionStatus, "Status"),
    "review_mode": f.one_of(ReviewMode, "Examination or records only"),
    "briefed_on": f.day("Briefed on", past=True),
    "briefing_included_denial": f.flag("Briefing included the denial reasoning"),
    "briefing_included_criteria": f.flag("Briefing included the criteria"),
    "appointment_at": f.instant("Appointment"),
    "examined_on": f.day("Examined on", past=True),
    "report_received_on": f.day("Report received on", past=True),
    "report_document_id": lambda value: value,
    "report_is_full": f.flag("Full written report"),
    "conclusion": f.text("Conclusion", 50_000),
    "guidelines_cited": f.text("Guidelines cited"),
    "cpt_code": f.line("CPT code", 20),
    "currency": f.currency(),
    "billed_minor": f.money("Billed"),
    "allowed_minor": f.money("Allowed by the plan"),
    "paid_minor": f.money("Paid by the plan"),
    "owed_minor": f.money("Owed by the claimant"),
    "notes": f.text("Notes"),
}

IME_FIELDS = {
    "exam_date": f.day("Examination date", past=True),
    "examiner_name": f.line("Examiner"),
    "examiner_specialty": f.line("Examiner's specialty", 120),
    "examiner_organisation_id": lambda value: value,
    "paid_by": f.line("Paid by"),
    "representative_attending": f.flag("Representative attending"),
    "representative_name": f.line("Representative"),
    "duration_minutes": f.whole_minutes("Length of the examination"),
    "report_requested_on": f.day("Report requested on", past=True),
    "report_received_on": f.day("Report received on", past=True),
    "report_document_id": lambda value: value,
    "findings": f.text("Findings", 50_000),
    "notes": f.text("Notes"),
}


class SpecialistService:
    """The directory of specialists shared by all cases."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @retried
    def add(self, **values: Any) -> SpecialistRecord:
        converted = f.convert_all(
            SPECIALIST_FIELDS, values, "specialist", today=self._ctx.clock.today()
        )
        for required in ("name", "specialty"):
            if required not in converted:
                raise ValidationError(f"A specialist's {required} is required.", field=required)
        with self._ctx.unit("add specialists") as unit:
            specialist = Specialist(**converted)
            unit.session.add(specialist)
            unit.session.flush()
            unit.record("create", "specialist", specialist.id, None, converted)
            return copy_into(SpecialistRecord, specialist)

    @retried
    def update(self, specialist_id: int, **values: Any) -> SpecialistRecord:
        converted = f.convert_all(
            SPECIALIST_FIELDS, values, "specialist", today=self._ctx.clock.today()
        )
        with self._ctx.unit("change specialists") as unit:
            specialist = unit.get(Specialist, specialist_id, "specialist")
            changed = f.apply(specialist, converted)
            if changed:
                unit.record("update", "specialist", specialist.id, None, changed)
                # The directory belongs to no case, but the cases consulting this specialist
                # show the name in their search entries.
                consulted = select(SecondOpinion.claim_id).where(
                    SecondOpinion.specialist_id == specialist.id
                )
                mark_for_search(unit.session, set(unit.session.scalars(consulted)))
            return copy_into(SpecialistRecord, specialist)

    def get(self, specialist_id: int) -> SpecialistRecord:
        with self._ctx.reader() as session:
            specialist = session.get(Specialist, specialist_id)
            if specialist is None:
                raise NotFoundError(f"There is no specialist number {specialist_id}.")
            return copy_into(SpecialistRecord, specialist)

    def search(self, text: str = "", specialty: str = "") -> list[SpecialistRecord]:
        query = select(Specialist).order_by(Specialist.name)
        if text.strip():
            pattern = f"%{text.strip()}%"
            query = query.where(
                or_(
                    Specialist.name.ilike(pattern),
                    Specialist.institution.ilike(pattern),
                    Specialist.specialty.ilike(pattern),
                    Specialist.subspecialty.ilike(pattern),
                )
            )
        if specialty.strip():
            query = query.where(func.lower(Specialist.specialty) == specialty.strip().lower())
        with self._ctx.reader() as session:
            return [copy_into(SpecialistRecord, s) for s in session.scalars(query)]


class OpinionService:
    """Second opinions: from choosing the specialist to the report and what it cost."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @retried
    def start(self, claim_id: int, specialist_id: int, **values: Any) -> OpinionRecord:
        converted = f.convert_all(
            OPINION_FIELDS, values, "second opinion", today=self._ctx.clock.today()
        )
        with self._ctx.unit("record second opinions") as unit:
            claim: Claim = unit.get(Claim, claim_id, "case")
            unit.get(Specialist, specialist_id, "specialist")
            converted.setdefault("currency", claim.currency)
            opinion = SecondOpinion(claim_id=claim_id, specialist_id=specialist_id, **converted)
            self._check_report(unit.session, opinion)
            unit.session.add(opinion)
            unit.session.flush()
            touch(unit, claim_id)
            unit.record("create", "second_opinion", opinion.id, claim_id, converted)
            opinion_id = opinion.id
        return self.get(opinion_id)

    @retried
    def update(self, opinion_id: int, **values: Any) -> OpinionRecord:
        converted = f.convert_all(
            OPINION_FIELDS, values, "second opinion", today=self._ctx.clock.today()
        )
        with self._ctx.unit("change second opinions") as unit:
            opinion: SecondOpinion = unit.get(SecondOpinion, opinion_id, "second opinion")
            changed = f.apply(opinion, converted)
            self._check_report(unit.session, opinion)
            if changed:
                touch(unit, opinion.claim_id)
                unit.record("update", "second_opinion", opinion.id, opinion.claim_id, changed)
        return self.get(opinion_id)

    def get(self, opinion_id: int) -> OpinionRecord:
        with self._ctx.reader() as session:
            row = session.execute(
                select(SecondOpinion, Specialist.name, Specialist.specialty)
                .join(Specialist, Specialist.id == SecondOpinion.specialist_id)
                .where(SecondOpinion.id == opinion_id)
            ).one_or_none()
            if row is None:
                raise NotFoundError(f"There is no second opinion number {opinion_id}.")
            opinion, name, specialty = row
            return copy_into(OpinionRecord, opinion, specialist_name=name, specialty=specialty)

    def opinions(self, claim_id: int) -> list[OpinionRecord]:
        with self._ctx.reader() as session:
            rows = session.execute(
                select(SecondOpinion, Specialist.name, Specialist.specialty)
                .join(Specialist, Specialist.id == SecondOpinion.specialist_id)
                .where(SecondOpinion.claim_id == claim_id)
                .order_by(SecondOpinion.id)
            )
            return [copy_into(OpinionRecord, o, specialist_name=n, specialty=s) for o, n, s in rows]

    @staticmethod
    def _check_report(session: Any, opinion: SecondOpinion) -> None:
        if opinion.report_document_id is not None:
            from claimdesk.models import Document

            document = session.get(Document, opinion.report_document_id)
            if document is None or document.claim_id != opinion.claim_id:
                raise ValidationError("The report must be a document of the same case.")


class ImeService:
    """Examinations the insurer arranged."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @retried
    def record(self, claim_id: int, **values: Any) -> ImeRecord:
        converted = f.convert_all(IME_FIELDS, values, "IME", today=self._ctx.clock.today())
        with self._ctx.unit("record IMEs") as unit:
            unit.get(Claim, claim_id, "case")
            if converted.get("examiner_organisation_id") is not None:
                unit.get(Organisation, converted["examiner_organisation_id"], "organisation")
            ime = IndependentMedicalExam(claim_id=claim_id, **converted)
            unit.session.add(ime)
            unit.session.flush()
            touch(unit, claim_id)
            unit.record("create", "ime", ime.id, claim_id, converted)
            return copy_into(ImeRecord, ime)

    @retried
    def update(self, ime_id: int, **values: Any) -> ImeRecord:
        converted = f.convert_all(IME_FIELDS, values, "IME", today=self._ctx.clock.today())
        with self._ctx.unit("change IMEs") as unit:
            ime: IndependentMedicalExam = unit.get(IndependentMedicalExam, ime_id, "IME")
            changed = f.apply(ime, converted)
            if changed:
                touch(unit, ime.claim_id)
                unit.record("update", "ime", ime.id, ime.claim_id, changed)
            return copy_into(ImeRecord, ime)

    def imes(self, claim_id: int) -> list[ImeRecord]:
        with self._ctx.reader() as session:
            rows = session.scalars(
                select(IndependentMedicalExam)
                .where(IndependentMedicalExam.claim_id == claim_id)
                .order_by(IndependentMedicalExam.exam_date, IndependentMedicalExam.id)
            )
            return [copy_into(ImeRecord, i) for i in rows]

"""A fully populated case for the tests that need every kind of record."""

from __future__ import annotations

from datetime import timedelta

from claimdesk.models.enums import Role
from claimdesk.services import CallInput, ClaimInput, PromiseInput, Services
from tests.signin import principal


def full_case(services: Services, name: str = "Maria Lopez") -> int:
    """A case with at least one record of every kind the export carries, dated from the
    services' own clock (the tests pin it)."""
    today, now = services.clock.today(), services.clock.now()
    principal(services.db, "Bea Advocate", Role.CASEWORKER)  # the account it is assigned to
    claim = services.claims.open_case(
        ClaimInput(
            claimant_name=name,
            plan_type="erisa_group_health",
            claim_type="health",
            country="US",
            region="CA",
            insurer_name="Acme Health Plan",
            plan_administrator_name="Benefit Admin Co",
            denial_letter_date=today - timedelta(days=60),
            denial_received_date=today - timedelta(days=55),
            denial_reason="The requested ablation is not medically necessary.",
            denial_category="medical_necessity",
            reviewer_name="Dr. R. Reviewer",
            criteria_cited="InterQual 2025 Cardiac",
            amount="48250.00",
            assigned_to="Bea Advocate",
        )
    )
    org = services.claims.add_organisation("Independent Review Org", "review_organisation")
    services.claims.add_contact(org.id, "Pat Reviewer", role="Case manager", staff_id="IRO-7")
    first = services.calls.log_call(
        claim.id,
        CallInput(
            occurred_at=now - timedelta(days=50),
            time_zone="America/Los_Angeles",
            person_name="Dana",
            person_staff_id="E-4471",
            call_reference="REF-1",
            summary="Asked for the claim file. Zoë said “yes” — ok.",
            organisation_id=org.id,
            promises=[PromiseInput("Mail the claim file", today - timedelta(days=20))],
            refusal_detail="Would not name the reviewer",
        ),
    )
    services.calls.amend_call(
        first.id,
        CallInput(
            occurred_at=now - timedelta(days=50),
            person_name="Dana Ortiz",
            summary="Asked for the claim file.",
        ),
        "Full name",
    )
    pdf = services.documents.attach(
        claim.id,
        "denial letter.pdf",
        b"%PDF-1.4\n% fake\n%%EOF",
        kind="denial_letter",
        document_date=today - timedelta(days=60),
    )
    image = services.documents.attach(
        claim.id, "scan.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    )
    request = services.requests.request_document(
        claim.id,
        "claim_file",
        sent_on=today - timedelta(days=45),
        method="fax",
        recipient_id=org.id,
    )
    services.requests.follow_up(request.id, sent_on=today - timedelta(days=10), method="letter")
    services.requests.mark_received(request.id, today - timedelta(days=2), image.id)
    specialist = services.specialists.add(
        name="Dr. Amara Osei",
        specialty="Cardiology",
        institution="University Hospital",
        academic=True,
    )
    services.opinions.start(
        claim.id,
        specialist.id,
        status="report_received",
        report_document_id=pdf.id,
        billed_minor="600.00",
        appointment_at=now - timedelta(days=9),
    )
    services.imes.record(claim.id, exam_date=today - timedelta(days=30), examiner_name="Dr. X")
    appeal = services.appeals.record(claim.id, "internal_1", filed_on=today - timedelta(days=20))
    services.appeals.add_event(
        claim.id, "extension_notice", today - timedelta(days=3), appeal_id=appeal.id
    )
    deadline = services.deadlines.add_manual(claim.id, "Appeal due", today + timedelta(days=30))
    services.deadlines.override(deadline.id, today + timedelta(days=25), "Early")
    services.letters.record(
        claim.id, kind="records_request", template_name="records", document_id=pdf.id
    )
    services.claims.add_note(claim.id, "देवनागरी and accents: café")
    return claim.id

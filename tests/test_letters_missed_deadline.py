"""The letters that use a missed insurer deadline: the notice to the insurer and the external
review request pre-filled from the same facts; refused where the record shows no such deadline."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from claimdesk.services import ClaimInput, Services


def northwind(services: Services, plan_type: str = "erisa_disability") -> int:
    claim_id = services.claims.open_case(
        ClaimInput(
            claimant_name="Dana Whitcombe",
            plan_type=plan_type,
            claim_type="disability" if plan_type == "erisa_disability" else "health",
            country="US",
            insurer_name="Northwind Mutual",
            denial_reason="Not medically necessary.",
        )
    ).id
    org = next(o for o in services.claims.organisations() if o.name == "Northwind Mutual")
    services.claims.update_organisation(org.id, address="200 Harbor Way\nBoston, MA 02110")
    return claim_id


def test_the_notice_states_the_dates_the_rule_and_what_comes_next(
    services: Services, tmp_path: Path
) -> None:
    claim_id = northwind(services)
    services.appeals.record(
        claim_id, "internal_1", filed_on=date(2026, 8, 27), received_on=date(2026, 9, 1)
    )
    services.requests.request_document(
        claim_id, "plan_documents", sent_on=date(2026, 9, 1), method="certified_mail"
    )
    preview = services.lettering.preview(claim_id, "insurer_deadline_notice")
    assert not [f for f in preview.findings if f.blocking], preview.findings
    text = " ".join(preview.markup.split())
    assert (
        "Your decision on the appeal was due on October 16, 2026 (29 CFR 2560.503-1(i)(3)(i))"
        in text
    )
    assert "it is now 19 days late" in text
    assert "(29 CFR 2560.503-1(l)(2))" in text
    assert "Your copy of the plan documents was due on October 1, 2026" in text
    assert "at up to $110 a day, up to $3,740 so far (ERISA 502(c)(1); 29 CFR 2575.502c-1)" in text
    assert "treat the claims procedure as exhausted" in text

    for suffix in ("pdf", "docx"):
        generated = services.lettering.generate(
            claim_id, "insurer_deadline_notice", suffix, record=False
        )
        out = tmp_path / f"notice.{suffix}"
        out.write_bytes(generated.data)
    pdf = " ".join(
        " ".join(p.extract_text() for p in PdfReader(tmp_path / "notice.pdf").pages).split()
    )
    assert "29 CFR 2560.503-1(l)(2)" in pdf
    words = " ".join(p.text for p in docx.Document(str(tmp_path / "notice.docx")).paragraphs)
    assert "What the rules provide" in words and "$3,740" in words


def test_late_plan_documents_alone_do_not_exhaust_the_procedure(services: Services) -> None:
    claim_id = northwind(services)
    services.requests.request_document(
        claim_id, "plan_documents", sent_on=date(2026, 9, 1), method="certified_mail"
    )
    text = " ".join(services.lettering.preview(claim_id, "insurer_deadline_notice").markup.split())
    assert "up to $3,740 so far" in text
    assert "exhausted" not in text
    assert "keep a record of this delay" in text


def test_the_notice_is_refused_when_no_insurer_deadline_has_passed(services: Services) -> None:
    claim_id = northwind(services)
    preview = services.lettering.preview(claim_id, "insurer_deadline_notice")
    [finding] = [f for f in preview.findings if f.blocking]
    assert finding.subject == "missed_deadlines"
    assert "no insurer deadline on this case has passed" in finding.message


def test_the_external_review_request_says_the_internal_process_is_deemed_exhausted(
    services: Services,
) -> None:
    claim_id = northwind(services, "erisa_group_health")
    # A pre-service appeal received 1 Sep: the plan had 30 days (29 CFR 2560.503-1(i)(2)(ii)).
    services.appeals.record(
        claim_id, "internal_1", filed_on=date(2026, 8, 28), received_on=date(2026, 9, 1)
    )
    text = " ".join(services.lettering.preview(claim_id, "external_review_request").markup.split())
    assert (
        "Northwind Mutual's decision on the appeal was due on October 1, 2026 "
        "(29 CFR 2560.503-1(i)(2)(ii)) and has not been made." in text
    )
    assert "may go straight to external review" in text
    assert "(29 CFR 2590.715-2719(b)(2)(ii)(F); 45 CFR 147.136(b)(2)(ii)(F))" in text


@pytest.mark.parametrize("kind", ["insurer_deadline_notice"])
def test_the_new_letter_is_listed(services: Services, kind: str) -> None:
    assert kind in {t.kind for t in services.lettering.templates()}

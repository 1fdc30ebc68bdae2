"""Import's field rules are the services' rules: the same limit, the same message."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from claimdesk.errors import ValidationError
from claimdesk.models import (
    CallLogEntry,
    Claim,
    Contact,
    Document,
    DocumentRequest,
    Note,
    Organisation,
)
from claimdesk.services import CallInput, ClaimInput, Services
from claimdesk.services.exchange import CLAIM, CLAIM_SECTIONS, ORGANISATIONS, SPECIALISTS, Section
from claimdesk.services.import_rules import RULES, rule_for


def sections(items: tuple[Section, ...]) -> Iterator[Section]:
    for section in items:
        yield section
        yield from sections(tuple(section.children))


def test_every_imported_number_has_a_range() -> None:
    for section in sections((ORGANISATIONS, SPECIALISTS, CLAIM, *CLAIM_SECTIONS)):
        for column in section.columns():
            rule_for(section.model, column)  # raises LookupError for a number without a rule


def new_case(services: Services, **fields: Any) -> Any:
    values = dict(
        claimant_name="Ann", plan_type="erisa_group_health", claim_type="health", country="US",
        insurer_name="Acme",
    )  # fmt: skip
    return services.claims.open_case(ClaimInput(**{**values, **fields}))


Call = Callable[[Services, int, str], Any]

CASES: list[tuple[type[Any], str, int, Call]] = [
    (Claim, "claimant_name", 200, lambda s, c, v: new_case(s, claimant_name=v)),
    (Claim, "denial_reason", 50_000, lambda s, c, v: new_case(s, denial_reason=v)),
    (Claim, "policy_number", 80, lambda s, c, v: new_case(s, policy_number=v)),
    (Note, "body", 20_000, lambda s, c, v: s.claims.add_note(c, v)),
    (
        CallLogEntry,
        "summary",
        50_000,
        lambda s, c, v: s.calls.log_call(c, CallInput(datetime(2025, 1, 2, tzinfo=UTC), "D", v)),
    ),
    (
        CallLogEntry,
        "person_name",
        200,
        lambda s, c, v: s.calls.log_call(c, CallInput(datetime(2025, 1, 2, tzinfo=UTC), v, "x")),
    ),
    (Document, "title", 300, lambda s, c, v: s.documents.attach(c, "a.txt", b"x", title=v)),
    (
        DocumentRequest,
        "description",
        5000,
        lambda s, c, v: s.requests.request_document(
            c, "claim_file", sent_on="2025-01-02", method="fax", description=v
        ),
    ),
    (Organisation, "name", 200, lambda s, c, v: s.claims.add_organisation(v, "insurer")),
    (
        Contact,
        "staff_id",
        80,
        lambda s, c, v: s.claims.add_contact(
            s.claims.add_organisation("Org", "insurer").id, "Pat", staff_id=v
        ),
    ),
]


@pytest.mark.parametrize(("model", "field", "limit", "call"), CASES)
def test_the_limit_and_message_are_the_services(
    services: Services, model: type[Any], field: str, limit: int, call: Call
) -> None:
    claim_id = new_case(services).id
    rule = RULES[model][field]
    rule("x" * limit)
    call(services, claim_id, "x" * limit)
    with pytest.raises(ValidationError) as by_service:
        call(services, claim_id, "x" * (limit + 1))
    with pytest.raises(ValidationError) as by_import:
        rule("x" * (limit + 1))
    assert str(by_import.value) == str(by_service.value)

"""Organisations entered once and reused: reading, changing, refusing a delete in use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from claimdesk.errors import NotFoundError, ValidationError
from claimdesk.services import CallInput, Change, ClaimInput, OrganisationDetails, Services
from claimdesk.services import validate as v
from tests.pinned import TODAY


def open_case(services: Services, **overrides: object) -> int:
    values: dict[str, object] = {
        "claimant_name": "Maria Lopez",
        "plan_type": "erisa_group_health",
        "claim_type": "health",
        "country": "US",
        "region": "CA",
        "insurer_name": "Acme Health Plan",
        "denial_letter_date": TODAY - timedelta(days=20),
        "denial_received_date": TODAY - timedelta(days=15),
    }
    values.update(overrides)
    return services.claims.open_case(ClaimInput(**values)).id  # type: ignore[arg-type]


def test_update_organisation_keeps_the_address_and_announces_it(services: Services) -> None:
    org = services.claims.add_organisation("Acme Health Plan", "insurer")
    seen: list[Change] = []
    services.subscribe(seen.extend)
    updated = services.claims.update_organisation(
        org.id,
        department="  Appeals   Department ",
        address="PO Box 1234\nSpringfield, IL 62701",
        fax="+1 (312) 555-0144",
        email="appeals@acme.example",
        portal="https://members.acme.example/appeals",
    )
    assert updated.department == "Appeals Department"
    assert updated.address == "PO Box 1234\nSpringfield, IL 62701"
    again = services.claims.organisation(org.id)
    assert again == updated and again.name == "Acme Health Plan"
    assert [(c.entity, c.action, c.record_id) for c in seen] == [("organisation", "update", org.id)]
    seen.clear()
    services.claims.update_organisation(org.id, fax="+1 (312) 555-0144")  # nothing changed
    assert seen == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "appeals at acme", "not an email address"),
        ("email", "appeals@acme", "not an email address"),
        ("fax", "call Pat", "not a telephone number"),
        ("phone", "12", "not a telephone number"),
        ("name", "   ", "Organisation name is required"),
        ("kind", "bank", "Kind of organisation"),
    ],
)
def test_update_organisation_refuses_bad_values(
    services: Services, field: str, value: str, message: str
) -> None:
    org = services.claims.add_organisation("Acme", "insurer", email="a@acme.example")
    with pytest.raises(ValidationError, match=message):
        services.claims.update_organisation(org.id, **{field: value})
    assert services.claims.organisation(org.id) == org  # nothing half-saved


def test_update_organisation_names_an_unknown_field(services: Services) -> None:
    org = services.claims.add_organisation("Acme", "insurer")
    with pytest.raises(ValidationError, match="no field named colour"):
        services.claims.update_organisation(org.id, colour="red")
    with pytest.raises(NotFoundError):
        services.claims.update_organisation(org.id + 99, name="X")
    with pytest.raises(NotFoundError):
        services.claims.organisation(org.id + 99)


def test_add_organisation_checks_email_and_phone(services: Services) -> None:
    with pytest.raises(ValidationError, match="Email"):
        services.claims.add_organisation("Acme", "insurer", email="nobody")
    assert services.claims.organisations() == []


def test_delete_refused_while_cases_use_it_naming_them(services: Services) -> None:
    first = open_case(services)
    second = open_case(services, plan_administrator_name="Acme Health Plan")
    insurer_id = services.claims.get(first).insurer_id
    assert insurer_id is not None
    uses = services.claims.cases_using_organisation(insurer_id)
    numbers = [u.case_number for u in uses]
    assert numbers == [f"CD-{TODAY.year}-0001", f"CD-{TODAY.year}-0002"]
    assert uses[0].roles == ("insurer",)
    # Same name, other kind: the administrator is its own organisation.
    admin_id = services.claims.get(second).plan_administrator_id
    assert admin_id is not None and admin_id != insurer_id
    assert [u.roles for u in services.claims.cases_using_organisation(admin_id)] == [
        ("plan administrator",)
    ]
    with pytest.raises(ValidationError) as refused:
        services.claims.delete_organisation(insurer_id)
    message = str(refused.value)
    assert "Acme Health Plan cannot be deleted" in message
    assert f"CD-{TODAY.year}-0001 (insurer)" in message and "2 cases use it" in message
    assert services.claims.organisation(insurer_id).name == "Acme Health Plan"


def test_a_call_counts_as_a_use(services: Services) -> None:
    claim_id = open_case(services)
    regulator = services.claims.add_organisation("State DOI", "regulator")
    services.calls.log_call(
        claim_id,
        CallInput(
            datetime(2025, 1, 2, tzinfo=UTC),
            "Pat",
            "Asked about review",
            organisation_id=regulator.id,
        ),
    )
    uses = services.claims.cases_using_organisation(regulator.id)
    assert [u.roles for u in uses] == [("calls",)]
    with pytest.raises(ValidationError, match="calls"):
        services.claims.delete_organisation(regulator.id)


def test_delete_an_unused_organisation(services: Services) -> None:
    org = services.claims.add_organisation("Old Regulator", "regulator")
    services.claims.add_contact(org.id, "Pat")
    seen: list[Change] = []
    services.subscribe(seen.extend)
    services.claims.delete_organisation(org.id)
    assert services.claims.organisations() == []
    assert [(c.entity, c.action) for c in seen] == [("organisation", "delete")]
    with pytest.raises(NotFoundError):
        services.claims.delete_organisation(org.id)


def test_open_case_keeps_the_insurers_appeals_address(services: Services) -> None:
    claim_id = services.claims.open_case(
        ClaimInput(
            claimant_name="Ann",
            plan_type="erisa_group_health",
            claim_type="health",
            country="US",
            insurer_name="Acme Health Plan",
        ),
        OrganisationDetails(
            department="Appeals Unit", address="PO Box 9\nAustin, TX", fax="512 555 0100"
        ),
    ).id
    insurer_id = services.claims.get(claim_id).insurer_id
    assert insurer_id is not None
    insurer = services.claims.organisation(insurer_id)
    assert (insurer.department, insurer.address, insurer.fax, insurer.email) == (
        "Appeals Unit",
        "PO Box 9\nAustin, TX",
        "512 555 0100",
        "",
    )
    # A second case against the same insurer reuses it; blank fields keep what is there.
    second = services.claims.open_case(
        ClaimInput("Bo", "erisa_group_health", "health", "US", "acme health plan"),
        OrganisationDetails(email="appeals@acme.example"),
    )
    assert second.insurer_id == insurer_id
    again = services.claims.organisation(insurer_id)
    assert (again.department, again.email) == ("Appeals Unit", "appeals@acme.example")


def test_open_case_with_a_bad_insurer_email_opens_nothing(services: Services) -> None:
    with pytest.raises(ValidationError, match="not an email address"):
        services.claims.open_case(
            ClaimInput("Ann", "erisa_group_health", "health", "US", "Acme"),
            OrganisationDetails(email="appeals(at)acme"),
        )
    assert services.claims.list_claims() == [] and services.claims.organisations() == []


def test_open_case_refuses_a_region_that_is_not_real(services: Services) -> None:
    with pytest.raises(ValidationError, match="'ZZ' is not a state or territory of the United"):
        open_case(services, region="ZZ")
    with pytest.raises(ValidationError, match="province or territory of Canada"):
        open_case(services, country="CA", region="CA")
    assert services.claims.list_claims() == []
    assert services.claims.get(open_case(services, country="CA", region="qc")).region == "QC"
    # A country whose regions ClaimDesk does not list keeps a typed code.
    assert services.claims.get(open_case(services, country="DE", region="BY")).region == "BY"


def test_open_case_checks_the_claimants_email_and_phone(services: Services) -> None:
    with pytest.raises(ValidationError, match="Email"):
        open_case(services, claimant_email="maria@")
    with pytest.raises(ValidationError, match="Phone"):
        open_case(services, claimant_phone="ask her daughter")
    claim = services.claims.get(
        open_case(services, claimant_email="maria@example.org", claimant_phone="(512) 555-0138")
    )
    assert (claim.claimant_email, claim.claimant_phone) == ("maria@example.org", "(512) 555-0138")


@pytest.mark.parametrize(
    "good", ["a@b.co", "first.last+appeals@sub.example.org", "APPEALS@ACME.EXAMPLE"]
)
def test_email_accepts(good: str) -> None:
    assert v.email(good) == good


@pytest.mark.parametrize("bad", ["a@b", "a b@c.org", "a@@b.org", "@b.org", "a@b..org", "a@.org"])
def test_email_refuses(bad: str) -> None:
    with pytest.raises(ValidationError):
        v.email(bad)


@pytest.mark.parametrize(
    "good", ["+91 20 5550 0412", "020 7946 0958", "(312) 555-0144 ext. 12", "1-800-555-0199 x3"]
)
def test_phone_accepts(good: str) -> None:
    assert v.phone(good) == good


@pytest.mark.parametrize("bad", ["555", "call me", "+1 312 555 0144 or 0145", "1" * 21])
def test_phone_refuses(bad: str) -> None:
    with pytest.raises(ValidationError):
        v.phone(bad)

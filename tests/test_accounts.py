"""Who is acting: one principal per session, found by the accounts service, in every unit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from claimdesk import models
from claimdesk.errors import NotFoundError, ValidationError
from claimdesk.models.enums import Role
from claimdesk.services import Services
from claimdesk.storage import Database
from tests.test_schedule import open_case


def count_users(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(models.User)) or 0


def test_the_principal_is_found_once_and_attributes_every_unit(
    db: Database, services: Services
) -> None:
    claim_id = open_case(services)
    principal = services.accounts.principal
    assert principal.name == services.user_name and principal.role is Role.ADMIN
    services.claims.add_note(claim_id, "Called the plan.")
    with db.read() as session:
        actors = set(session.scalars(select(models.AuditEvent.user_id)))
    assert actors == {principal.user_id}
    # A second session under the same name is the same account, not a new one.
    again = Services(db, services.user_name)
    assert again.accounts.principal == principal
    assert count_users(db) == 1


def test_a_failed_first_write_leaves_a_principal_that_exists(
    db: Database, services: Services
) -> None:
    # Refused inside the unit of work (no such case), which rolls back: the principal that
    # session found must not have been made in that transaction.
    with pytest.raises(NotFoundError):
        services.claims.add_note(999_999, "Called the plan.")
    principal = services.accounts.principal
    with db.read() as session:
        assert session.get(models.User, principal.user_id) is not None


def test_assignment_makes_the_account_through_the_accounts_service(services: Services) -> None:
    claim_id = open_case(services)
    services.claims.update_case(claim_id, assigned_to="Ana Ruiz")
    names = {a.name: a for a in services.accounts.accounts()}
    assert set(names) == {services.user_name, "Ana Ruiz"}
    assert names["Ana Ruiz"].active


def test_a_name_is_required_and_bounded(db: Database) -> None:
    with pytest.raises(ValidationError, match="Enter your name"):
        Services(db, "   ")
    with pytest.raises(ValidationError, match="120"):
        Services(db, "x" * 121)
    assert Services(db, "  Ana   Ruiz ").user_name == "Ana Ruiz"

"""Accounts and sign-in: set-up, passwords, the principal every unit of work carries."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from claimdesk import models
from claimdesk.clock import FixedClock
from claimdesk.errors import NotFoundError, PermissionDenied, SignInError, ValidationError
from claimdesk.models.enums import Role
from claimdesk.services import Services
from claimdesk.services.accounts import (
    DatabaseMode,
    database_mode,
    existing_accounts,
    set_up_office,
    set_up_personal,
    sign_in,
    use_hasher,
)
from claimdesk.storage import Database, open_database
from tests.conftest import REPO_ROOT
from tests.signin import FAST_HASHER, TEST_PASSWORD, as_user
from tests.test_schedule import open_case

SAMPLE_0002 = REPO_ROOT / "tests" / "resources" / "schema" / "0002.sqlite"


def count_users(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(models.User)) or 0


def stored_hash(db: Database, name: str) -> str | None:
    with db.read() as session:
        return session.scalar(select(models.User.password_hash).where(models.User.name == name))


# --- set-up and modes ------------------------------------------------------------------------


def test_a_new_database_needs_set_up_and_refuses_sign_in(db: Database) -> None:
    assert database_mode(db) is DatabaseMode.NEW
    with pytest.raises(SignInError, match=r"not set up.*claimdesk setup --personal"):
        sign_in(db, None, TEST_PASSWORD)


def test_a_personal_database_signs_in_with_the_password_alone(
    db: Database, clock: FixedClock
) -> None:
    made = set_up_personal(db, "Maria Lopez", TEST_PASSWORD, clock)
    assert database_mode(db) is DatabaseMode.PERSONAL
    assert made.role is Role.ADMIN and made.name == "Maria Lopez"
    assert sign_in(db, None, TEST_PASSWORD) == made
    assert sign_in(db, "maria lopez", TEST_PASSWORD) == made  # the name, in any case
    with pytest.raises(SignInError, match="Wrong password for 'Maria Lopez'"):
        sign_in(db, None, "not the password")
    stored = stored_hash(db, "Maria Lopez")
    assert stored is not None and stored.startswith("$argon2id$")
    assert TEST_PASSWORD not in stored


def test_set_up_happens_once(db: Database, clock: FixedClock) -> None:
    set_up_office(db, "Office Admin", TEST_PASSWORD, clock)
    with pytest.raises(ValidationError, match="already set up"):
        set_up_personal(db, "Someone", TEST_PASSWORD, clock)
    with pytest.raises(ValidationError, match="already set up"):
        set_up_office(db, "Someone", TEST_PASSWORD, clock)


def test_a_short_password_is_refused_and_nothing_is_set_up(db: Database, clock: FixedClock) -> None:
    with pytest.raises(ValidationError, match="at least 8 characters"):
        set_up_personal(db, "Maria Lopez", "short", clock)
    with pytest.raises(ValidationError, match="empty"):
        set_up_office(db, "Admin", "        ", clock)
    assert database_mode(db) is DatabaseMode.NEW and count_users(db) == 0


# --- sign-in -----------------------------------------------------------------------------------


def test_office_sign_in_ok_wrong_unknown_disabled(db: Database, clock: FixedClock) -> None:
    admin = set_up_office(db, "Office Admin", TEST_PASSWORD, clock, display_name="The Admin")
    services = Services(db, admin, clock=clock)
    services.accounts.add("Ana Ruiz", Role.CASEWORKER, "ana's password")
    ana = sign_in(db, "Ana Ruiz", "ana's password")
    assert ana.role is Role.CASEWORKER and ana.name == "Ana Ruiz"
    with pytest.raises(SignInError, match="Enter your account name"):
        sign_in(db, None, "ana's password")
    with pytest.raises(SignInError, match="Wrong password for 'Ana Ruiz'"):
        sign_in(db, "Ana Ruiz", "Ana's password")
    with pytest.raises(SignInError, match=r"no account 'Bob'.*ask an administrator"):
        sign_in(db, "Bob", "whatever it is")
    services.accounts.disable("Ana Ruiz")
    with pytest.raises(SignInError, match="'Ana Ruiz' is disabled"):
        sign_in(db, "Ana Ruiz", "ana's password")
    # Disabled, never deleted: the row stays, for what it did.
    names = {a.name: a for a in services.accounts.accounts()}
    assert not names["Ana Ruiz"].active and names["Ana Ruiz"].disabled_at == clock.now()
    assert names["Office Admin"].display_name == "The Admin"


def test_a_disabled_account_signed_in_already_can_change_nothing(
    db: Database, clock: FixedClock
) -> None:
    admin = Services(db, set_up_office(db, "Office Admin", TEST_PASSWORD, clock), clock=clock)
    claim_id = open_case(admin)
    admin.accounts.add("Ana Ruiz", Role.CASEWORKER, "ana's password")
    ana = Services(db, sign_in(db, "Ana Ruiz", "ana's password"), clock=clock)
    admin.accounts.disable("Ana Ruiz")
    with pytest.raises(PermissionDenied, match="'Ana Ruiz' has been disabled"):
        ana.claims.add_note(claim_id, "Called the plan.")


def test_the_last_administrator_cannot_be_disabled(db: Database, clock: FixedClock) -> None:
    admin = Services(db, set_up_office(db, "Office Admin", TEST_PASSWORD, clock), clock=clock)
    with pytest.raises(ValidationError, match="only administrator"):
        admin.accounts.disable("Office Admin")
    with pytest.raises(ValidationError, match="only administrator"):
        admin.accounts.set_role("Office Admin", Role.CASEWORKER)


def test_an_account_name_is_not_reused(db: Database, clock: FixedClock) -> None:
    admin = Services(db, set_up_office(db, "Office Admin", TEST_PASSWORD, clock), clock=clock)
    admin.accounts.add("Ana Ruiz", Role.CASEWORKER, "ana's password")
    admin.accounts.disable("Ana Ruiz")
    with pytest.raises(ValidationError, match="already a disabled account called 'Ana Ruiz'"):
        admin.accounts.add("ana ruiz", Role.CASEWORKER, "another password")


def test_a_personal_database_has_one_account(db: Database, clock: FixedClock) -> None:
    me = Services(db, set_up_personal(db, "Maria Lopez", TEST_PASSWORD, clock), clock=clock)
    with pytest.raises(ValidationError, match="personal database has one account"):
        me.accounts.add("Ana Ruiz", Role.CASEWORKER, "ana's password")


# --- passwords ---------------------------------------------------------------------------------


def test_changing_ones_own_password_needs_the_old_one(db: Database, clock: FixedClock) -> None:
    admin = Services(db, set_up_office(db, "Office Admin", TEST_PASSWORD, clock), clock=clock)
    admin.accounts.add("Ana Ruiz", Role.CASEWORKER, "ana's password")
    ana = Services(db, sign_in(db, "Ana Ruiz", "ana's password"), clock=clock)
    with pytest.raises(ValidationError, match="current password"):
        ana.accounts.change_password("Ana Ruiz", "ana's new password")
    with pytest.raises(SignInError, match="current password is not right"):
        ana.accounts.change_password("Ana Ruiz", "ana's new password", "wrong one!")
    ana.accounts.change_password("Ana Ruiz", "ana's new password", "ana's password")
    with pytest.raises(SignInError, match="Wrong password"):
        sign_in(db, "Ana Ruiz", "ana's password")
    assert sign_in(db, "Ana Ruiz", "ana's new password").name == "Ana Ruiz"
    # Someone else's password is an administrator's to reset.
    with pytest.raises(PermissionDenied, match="cannot change other accounts' passwords"):
        ana.accounts.change_password("Office Admin", "taken over now")
    admin.accounts.change_password("Ana Ruiz", "reset by the admin")
    assert sign_in(db, "Ana Ruiz", "reset by the admin").name == "Ana Ruiz"


def test_a_weaker_hash_is_upgraded_at_sign_in(db: Database, clock: FixedClock) -> None:
    set_up_personal(db, "Maria Lopez", TEST_PASSWORD, clock)
    weak = stored_hash(db, "Maria Lopez")
    assert weak is not None and "m=8,t=1,p=1" in weak
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    previous = use_hasher(stronger)
    try:
        sign_in(db, None, TEST_PASSWORD)
        upgraded = stored_hash(db, "Maria Lopez")
        assert upgraded is not None and "m=16,t=2,p=1" in upgraded
        assert not stronger.check_needs_rehash(upgraded)
        sign_in(db, None, TEST_PASSWORD)  # the upgraded hash still signs in
    finally:
        use_hasher(previous)
    assert previous is FAST_HASHER


def test_production_parameters_are_argon2ids_defaults() -> None:
    from claimdesk.services import accounts

    previous = use_hasher(FAST_HASHER)
    use_hasher(previous)
    default = PasswordHasher()
    # The module's own hasher, as installed at import, is argon2-cffi's default argon2id.
    assert accounts.PasswordHasher is PasswordHasher
    assert default.type.name == "ID" and default.memory_cost >= 65536


# --- the principal in every unit ----------------------------------------------------------------


def test_the_principal_attributes_every_unit(db: Database, services: Services) -> None:
    claim_id = open_case(services)
    principal = services.accounts.principal
    assert principal.name == services.user_name and principal.role is Role.ADMIN
    services.claims.add_note(claim_id, "Called the plan.")
    with db.read() as session:
        actors = set(session.scalars(select(models.AuditEvent.user_id)))
    assert actors == {principal.user_id}
    again = as_user(db, services.user_name)
    assert again.accounts.principal == principal
    assert count_users(db) == 1


def test_a_failed_first_write_leaves_the_principal(db: Database, services: Services) -> None:
    with pytest.raises(NotFoundError):
        services.claims.add_note(999_999, "Called the plan.")
    with db.read() as session:
        assert session.get(models.User, services.principal.user_id) is not None


def test_assigned_to_picks_an_existing_account(services: Services) -> None:
    claim_id = open_case(services)
    services.accounts.add("Ana Ruiz", Role.CASEWORKER, "ana's password")
    assert services.claims.update_case(claim_id, assigned_to="Ana Ruiz").assigned_to == "Ana Ruiz"
    with pytest.raises(ValidationError, match="no account 'Bob Smith' to assign"):
        services.claims.update_case(claim_id, assigned_to="Bob Smith")
    assert {a.name for a in services.accounts.accounts()} == {services.user_name, "Ana Ruiz"}
    services.accounts.disable("Ana Ruiz")
    assert [a.name for a in services.accounts.assignable()] == [services.user_name]
    with pytest.raises(ValidationError, match="'Ana Ruiz' is disabled"):
        services.claims.update_case(claim_id, assigned_to="Ana Ruiz")


# --- a database from before sign-in -------------------------------------------------------------


def legacy_copy(tmp_path: Path) -> Database:
    path = tmp_path / "legacy.sqlite"
    shutil.copyfile(SAMPLE_0002, path)
    return open_database(f"sqlite:///{path}")


def claim_authors(db: Database) -> dict[int, int | None]:
    with db.read() as session:
        return dict(session.execute(select(models.Note.id, models.Note.created_by_id)).all())


@pytest.mark.parametrize("office", [False, True])
def test_a_database_from_before_sign_in_is_adopted(
    tmp_path: Path, clock: FixedClock, office: bool
) -> None:
    db = legacy_copy(tmp_path)
    try:
        assert database_mode(db) is DatabaseMode.NEW
        before = existing_accounts(db)
        assert before, "the sample has the account that made it"
        authors = claim_authors(db)
        with db.read() as session:
            claims = session.scalar(select(func.count()).select_from(models.Claim))
        with pytest.raises(SignInError, match="not set up"):
            sign_in(db, before[0], TEST_PASSWORD)
        if office:
            made = set_up_office(db, before[0], TEST_PASSWORD, clock)
        else:
            made = set_up_personal(db, "Maria Lopez", TEST_PASSWORD, clock)
        # The existing row is the account now: same id, so everything it did stays its own.
        with db.read() as session:
            first = session.scalar(select(models.User).where(models.User.name == made.name))
            assert first is not None and first.id == made.user_id
            assert session.scalar(select(func.count()).select_from(models.Claim)) == claims
        assert claim_authors(db) == authors
        assert count_users(db) == len(before)
        signed = sign_in(db, made.name if office else None, TEST_PASSWORD)
        assert signed == made and signed.role is Role.ADMIN
        services = Services(db, signed, clock=clock)
        assert len(services.claims.list_claims()) == claims
    finally:
        db.dispose()


def test_sign_ins_own_columns_match_the_models() -> None:
    """Sign-in reads through Core columns of its own (before the models are built)."""
    from claimdesk.services import accounts
    from tests.test_startup_imports import same_type

    for table in accounts.TABLES:
        mapped = models.Base.metadata.tables[table.name]
        for column in table.columns:
            assert column.name in mapped.columns, f"{table.name}.{column.name}"
            assert same_type(column.type, mapped.columns[column.name].type), column.name

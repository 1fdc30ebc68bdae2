"""Signed-in services for tests: accounts with a known password, hashed cheaply.

Production hashes with argon2-cffi's default argon2id parameters; the suite uses the cheapest
ones (``FAST_HASHER``, installed by conftest.py) so signing in costs nothing measurable. Tests
of sign-in itself use the real functions (services/accounts.py) with ``TEST_PASSWORD``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from claimdesk import models
from claimdesk.errors import ClaimDeskError, ValidationError
from claimdesk.models.enums import Role
from claimdesk.services import Services
from claimdesk.services.accounts import (
    AccountService,
    DatabaseMode,
    Principal,
    database_mode,
    set_up_office,
    set_up_personal,
)
from claimdesk.services.context import ServiceContext
from claimdesk.storage import keys
from tests.pinned import pinned_clock

if TYPE_CHECKING:
    from pathlib import Path

    from claimdesk.clock import Clock
    from claimdesk.storage import Database

TEST_PASSWORD = "test password 1"
# argon2id at its smallest: 1 pass over 8 KiB (the minimum for one lane).
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def principal(db: Database, name: str = "Test Caseworker", role: Role = Role.ADMIN) -> Principal:
    """The principal of the account ``name``: on a database not set up yet, ``name`` becomes
    the administrator of an office; an account not there yet is added with ``role``.

    Processes doing this at once (the concurrency tests' workers) may race to set up or to
    add: the loser finds what the winner made and tries again.

    A test that encrypts with a raw key of its own (conftest.py ``storage_key``) has no key
    file; one is written for it, as set-up writes one, so accounts can add their copies."""
    path = db.sqlite_path
    if db.data_key is not None and path is not None and not keys.keyfile_path(path).exists():
        keys.write_key_file(path, db.data_key, name, TEST_PASSWORD)
    for attempt in range(20):
        try:
            return _principal(db, name, role)
        except (ClaimDeskError, IntegrityError):
            if attempt == 19:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")


def _principal(db: Database, name: str, role: Role) -> Principal:
    if database_mode(db) is DatabaseMode.NEW:
        try:
            return set_up_office(db, name, TEST_PASSWORD, pinned_clock())
        except ValidationError:
            pass  # another process (a test's worker) set it up first: join it
    with db.read() as session:
        user = session.scalar(select(models.User).where(models.User.name == name))
        if user is not None:
            return Principal(user.id, user.name, user.role)
        admin = session.scalar(
            select(models.User)
            .where(models.User.role == Role.ADMIN, models.User.password_hash.is_not(None))
            .order_by(models.User.id)
            .limit(1)
        )
        assert admin is not None, "a set-up database has an administrator"
        acting = Principal(admin.id, admin.name, admin.role)
    account = AccountService(ServiceContext(db, acting, pinned_clock())).add(
        name, role, TEST_PASSWORD
    )
    return Principal(account.id, account.name, account.role)


def as_user(
    db: Database,
    name: str = "Test Caseworker",
    data_dir: Path | None = None,
    *,
    clock: Clock | None = None,
    role: Role = Role.ADMIN,
) -> Services:
    """Services signed in as ``name`` (see ``principal``)."""
    return Services(db, principal(db, name, role), data_dir, clock=clock)


def personal(db: Database, name: str = "Test Claimant") -> Principal:
    """Set ``db`` up as a personal database of ``name`` with ``TEST_PASSWORD``."""
    return set_up_personal(db, name, TEST_PASSWORD, pinned_clock())


def signed_in(name: str) -> Callable[[Database], Principal]:
    """For ``Services.open``: sign in as ``name`` (set up or added as ``principal`` does)."""
    return lambda db: principal(db, name)

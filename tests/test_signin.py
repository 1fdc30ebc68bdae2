"""services/signin.py without a window: a new encrypted database, one password to open it, the
key put away and unwrapped again, the recovery key resetting a password."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimdesk.errors import ClaimDeskError, DatabaseLockedError, SignInError, ValidationError
from claimdesk.services import Services, signin
from claimdesk.services.accounts import DatabaseMode, database_mode
from tests.pinned import pinned_clock
from tests.signin import TEST_PASSWORD

pytestmark = pytest.mark.manual_setup


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'claimdesk.sqlite'}"


def make(url: str, *, office: bool = False) -> str:
    db, _who, recovery = signin.create(
        url, office=office, name="Jordan Reyes", password=TEST_PASSWORD, clock=pinned_clock()
    )
    db.dispose()
    assert recovery is not None
    return recovery


def test_what_is_at_a_url_is_read_without_opening_it(url: str, tmp_path: Path) -> None:
    door = signin.look_at(url)
    assert door.path == tmp_path / "claimdesk.sqlite" and not door.exists
    assert not door.path.exists()  # looking made nothing
    make(url, office=True)
    door = signin.look_at(url)
    assert door.exists and door.encrypted and door.key_accounts == ("Jordan Reyes",)
    assert signin.look_at("sqlite://").path is None


def test_one_password_opens_an_encrypted_database_and_signs_in(url: str) -> None:
    make(url)
    with pytest.raises(ClaimDeskError):
        signin.open_signed_in(url, None, "not it")
    db, who = signin.open_signed_in(url, None, TEST_PASSWORD)
    try:
        assert who.name == "Jordan Reyes"
        assert database_mode(db) is DatabaseMode.PERSONAL
        assert db.data_key is not None
    finally:
        db.dispose()


def test_a_short_password_makes_no_file(url: str) -> None:
    with pytest.raises(ValidationError, match="at least 8"):
        signin.create(url, office=False, name="Me", password="short", clock=pinned_clock())
    door = signin.look_at(url)
    assert door.path is not None and not door.path.exists()
    assert not door.path.with_name(door.path.name + ".keys").exists()


def test_a_key_put_away_refuses_reads_until_a_password_unwraps_it(url: str) -> None:
    make(url, office=True)
    db, who = signin.open_signed_in(url, "Jordan Reyes", TEST_PASSWORD)
    services = Services(db, who)
    try:
        assert signin.forget_key(db)
        assert db.data_key is None and not signin.forget_key(db)  # nothing left to drop
        with pytest.raises(DatabaseLockedError):
            services.claims.list_claims()
        with pytest.raises(ClaimDeskError):
            signin.unlock(db, "Jordan Reyes", "not it")
        assert db.data_key is None
        assert signin.unlock(db, "jordan reyes", TEST_PASSWORD).name == "Jordan Reyes"
        assert services.claims.list_claims() == []
    finally:
        db.dispose()


def test_the_recovery_key_sets_a_new_password(url: str) -> None:
    recovery = make(url, office=True)
    with pytest.raises(ClaimDeskError, match="recovery key is not right"):
        signin.reset_with_recovery(url, "AAAA-BBBB", "Jordan Reyes", "a new password")
    with pytest.raises(SignInError, match="no administrator 'Nobody'"):
        signin.reset_with_recovery(url, recovery, "Nobody", "a new password")
    assert signin.reset_with_recovery(url, recovery, "Jordan Reyes", "a new password") == (
        "Jordan Reyes"
    )
    with pytest.raises(ClaimDeskError):
        signin.open_signed_in(url, "Jordan Reyes", TEST_PASSWORD)
    db, who = signin.open_signed_in(url, "Jordan Reyes", "a new password")
    db.dispose()
    assert who.name == "Jordan Reyes"


def test_a_plain_database_has_no_recovery_key(url: str) -> None:
    db = signin.open_plain(url)
    signin.set_up_plain(db, office=False, name="Me", password=TEST_PASSWORD, clock=pinned_clock())
    db.dispose()
    with pytest.raises(Exception, match="not encrypted, so it has no recovery key"):
        signin.reset_with_recovery(url, "AAAA", None, "a new password")

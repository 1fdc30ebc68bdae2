"""Encryption at rest: converting a plain database (also when interrupted at any step), the
encrypted WAL, backups and pre-upgrade copies holding no readable name, and backups restoring
on another computer with a password or the recovery key."""

from __future__ import annotations

import gc
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from claimdesk import cli
from claimdesk.errors import (
    EncryptedDatabaseError,
    PermissionDenied,
    SignInError,
    StorageError,
)
from claimdesk.models.enums import Role
from claimdesk.paths import sqlite_url
from claimdesk.services import Services
from claimdesk.storage import encrypt, keys, open_database, sqlfile
from claimdesk.storage.backup import backup, inspect_file, restore
from claimdesk.storage.keys import SQLITE_MAGIC
from tests.builders import full_case
from tests.conftest import REPO_ROOT
from tests.signin import TEST_PASSWORD, principal, signed_in

SAMPLE_0002 = REPO_ROOT / "tests" / "resources" / "schema" / "0002.sqlite"
STEPS = [
    "exported",
    "verified",
    "key file written",
    "plain file kept",
    "encrypted file in place",
    "key file in place",
]


class Crash(BaseException):
    """Stops the conversion where a power cut would: no cleanup runs."""


def row_counts(path: Path, key: bytes | None = None) -> dict[str, int]:
    connection = sqlfile.connect(path, key)
    try:
        tables = [
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        return {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        connection.close()


def names_in(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """The unencrypted 0002 sample database (schema 0002, six cases with calls and documents)."""
    path = tmp_path / "office" / "claimdesk.sqlite"
    path.parent.mkdir()
    shutil.copy(SAMPLE_0002, path)
    return path


@pytest.fixture
def after_step() -> Iterator[list[str]]:
    seen: list[str] = []
    encrypt.after_step = seen.append
    yield seen
    encrypt.after_step = lambda _step: None


def test_converting_the_0002_sample_keeps_every_row_then_upgrades_encrypted(
    sample: Path, after_step: list[str]
) -> None:
    before = row_counts(sample)
    with sqlite3.connect(sample) as connection:
        names = [r[0] for r in connection.execute("SELECT claimant_name FROM claims")]
    assert len(names) >= 6 and before["call_log_entries"] > 0 and before["documents"] > 0

    recovery = encrypt.encrypt_database(sample, "Ana Office", "s3cret pass")

    assert after_step == STEPS
    assert sample.read_bytes()[:16] != SQLITE_MAGIC
    assert sorted(p.name for p in sample.parent.iterdir()) == [
        "claimdesk.sqlite",
        "claimdesk.sqlite.keys",
    ]
    data_key = keys.unlock(sample, "Ana Office", "s3cret pass")
    assert keys.unlock_with_recovery(sample, recovery) == data_key
    assert row_counts(sample, data_key) == before
    for name in names:
        assert name.encode() not in sample.read_bytes()

    backups = sample.parent / "backups"
    services = Services.open(
        sqlite_url(sample), signed_in("Ana Office"), backup_dir=backups, key=data_key
    )
    try:
        assert sorted(c.claimant_name for c in services.claims.list_claims()) == sorted(names)
    finally:
        services.close()
    # The copy kept before upgrading from 0002 is encrypted too, with its key file beside it.
    (kept,) = backups.glob("*.sqlite")
    assert kept.read_bytes()[:16] != SQLITE_MAGIC
    assert keys.unlock(kept, "Ana Office", "s3cret pass") == data_key
    assert row_counts(kept, data_key) == before
    for name in names:
        assert name.encode() not in kept.read_bytes()


@pytest.mark.parametrize("step", STEPS)
def test_a_conversion_interrupted_at_any_step_loses_nothing(
    sample: Path, step: str, after_step: list[str]
) -> None:
    before = row_counts(sample)

    def crash(name: str) -> None:
        if name == step:
            raise Crash

    encrypt.after_step = crash
    with pytest.raises(Crash):
        encrypt.encrypt_database(sample, "ana", "pw")
    encrypt.after_step = lambda _step: None

    # The next start: finished if the encrypted file was in place, else the plain file whole.
    if keys.is_encrypted(sample):
        assert STEPS.index(step) >= STEPS.index("encrypted file in place")
        data_key = keys.unlock(sample, "ana", "pw")
        assert row_counts(sample, data_key) == before
        database = open_database(sqlite_url(sample), key=data_key)
    else:
        assert row_counts(sample) == before
        database = open_database(sqlite_url(sample))  # brings it to the code's schema
        database.dispose()
        before = row_counts(sample)
        # And converting again now succeeds.
        encrypt.encrypt_database(sample, "ana", "pw")
        data_key = keys.unlock(sample, "ana", "pw")
        assert row_counts(sample, data_key) == before
        database = open_database(sqlite_url(sample), key=data_key)
    database.dispose()
    assert sorted(p.name for p in sample.parent.iterdir() if not p.is_dir()) == [
        "claimdesk.sqlite",
        "claimdesk.sqlite.keys",
    ]


def test_a_database_open_elsewhere_is_not_converted(sample: Path) -> None:
    other = sqlite3.connect(sample)
    other.execute("PRAGMA journal_mode = WAL")
    other.execute("SELECT count(*) FROM claims").fetchone()
    try:
        with pytest.raises(StorageError, match="open in another ClaimDesk window"):
            encrypt.encrypt_database(sample, "ana", "pw")
    finally:
        other.close()
    assert not keys.is_encrypted(sample)
    assert sorted(p.name for p in sample.parent.iterdir()) == ["claimdesk.sqlite"]
    encrypt.encrypt_database(sample, "ana", "pw")  # now that the other program is gone
    assert keys.is_encrypted(sample)


def test_an_encrypted_database_cannot_be_converted_again(sample: Path) -> None:
    encrypt.encrypt_database(sample, "ana", "pw")
    with pytest.raises(StorageError, match="encrypted already"):
        encrypt.encrypt_database(sample, "ana", "pw")


@pytest.fixture
def encrypted(tmp_path: Path) -> Iterator[Services]:
    path = tmp_path / "office" / "claimdesk.sqlite"
    data_key, _ = keys.create_key_file(path, "ana", "pw")
    services = Services.open(sqlite_url(path), signed_in("ana"), key=data_key)
    yield services
    services.close()


def test_no_claimant_name_is_readable_in_the_file_its_wal_index_or_backup(
    encrypted: Services, tmp_path: Path
) -> None:
    full_case(encrypted, "Gwendolyn Quarterman")
    result = encrypted.search.search("Quarterman")
    assert not result.empty  # the search index holds the name, inside the encrypted file
    db_path = encrypted.sqlite_path
    assert db_path is not None
    wal = db_path.with_name(db_path.name + "-wal")
    # While the database is open its latest pages are in the WAL: encrypted too.
    with encrypted.db.read_connection() as connection:
        connection.exec_driver_sql("SELECT count(*) FROM claims").scalar()
        assert wal.exists() and wal.stat().st_size > 0
        for path in (db_path, wal, keys.keyfile_path(db_path)):
            assert b"Quarterman" not in names_in(path), path.name
    out = tmp_path / "elsewhere" / "backup.sqlite"
    result_backup = encrypted.backups.backup(out)
    assert result_backup.key_file == out.with_name("backup.sqlite.keys")
    assert result_backup.claims == 1
    for path in (out, result_backup.key_file):
        assert b"Quarterman" not in path.read_bytes()
    assert out.read_bytes()[:16] != SQLITE_MAGIC
    with pytest.raises(EncryptedDatabaseError, match="is encrypted"):
        inspect_file(out)


def test_a_backup_restores_on_another_computer_with_a_password_or_the_recovery_key(
    tmp_path: Path,
) -> None:
    office = tmp_path / "office" / "claimdesk.sqlite"
    data_key, recovery = keys.create_key_file(office, "ana", "pw")
    services = Services.open(sqlite_url(office), signed_in("ana"), key=data_key)
    full_case(services, "Gwendolyn Quarterman")
    carried = tmp_path / "usb" / "backup.sqlite"
    services.backups.backup(carried)
    services.close()

    for how in ("password", "recovery key"):
        home = tmp_path / how / "claimdesk.sqlite"
        fresh = Services.open(
            sqlite_url(home), signed_in("someone"), backup_dir=home.parent / "backups"
        )
        try:
            with pytest.raises(EncryptedDatabaseError, match="other keys than this database"):
                fresh.backups.restore(carried, home.parent / "backups")
            key = (
                keys.unlock(carried, "ana", "pw")
                if how == "password"
                else keys.unlock_with_recovery(carried, recovery)
            )
            result = fresh.backups.restore(carried, home.parent / "backups", source_key=key)
            assert result.keys_replaced and result.claims == 1
            names = [c.claimant_name for c in fresh.claims.list_claims()]
            assert names == ["Gwendolyn Quarterman"]
        finally:
            fresh.close()
        # From now on the restored database opens with the backup's keys, as at the office.
        # (full_case added the caseworker its case is assigned to: that account's copy too.)
        assert keys.names(home) == ["Bea Advocate", "ana"]
        assert b"Quarterman" not in home.read_bytes()
        with pytest.raises(EncryptedDatabaseError):
            open_database(sqlite_url(home))
        reopened = Services.open(
            sqlite_url(home), signed_in("ana"), key=keys.unlock(home, "ana", "pw")
        )
        assert len(reopened.claims.list_claims()) == 1
        reopened.close()


def test_a_backup_without_its_key_file_is_refused_before_anything_changes(
    encrypted: Services, tmp_path: Path
) -> None:
    full_case(encrypted)
    carried = tmp_path / "usb" / "backup.sqlite"
    encrypted.backups.backup(carried)
    key = encrypted.db.data_key
    keys.keyfile_path(carried).unlink()
    home = tmp_path / "home" / "claimdesk.sqlite"
    fresh = Services.open(sqlite_url(home), signed_in("someone"))
    try:
        with pytest.raises(EncryptedDatabaseError, match="key file is not beside it"):
            fresh.backups.restore(carried, tmp_path / "kept", source_key=key)
        assert fresh.claims.list_claims() == []
        assert not keys.is_encrypted(home)
    finally:
        fresh.close()


def test_restoring_its_own_backup_needs_no_password_and_a_plain_backup_is_encrypted(
    encrypted: Services, tmp_path: Path
) -> None:
    full_case(encrypted, "Gwendolyn Quarterman")
    own = tmp_path / "own.sqlite"
    backup(encrypted.db, own)
    full_case(encrypted, "Second Person")
    result = restore(encrypted.db, own, tmp_path / "kept")
    assert result.claims == 1 and result.keys_replaced
    assert [c.claimant_name for c in encrypted.claims.list_claims()] == ["Gwendolyn Quarterman"]
    kept = result.previous_kept_at
    assert keys.keyfile_path(kept).exists() and b"Second Person" not in kept.read_bytes()

    plain_home = tmp_path / "plain" / "claimdesk.sqlite"
    plain = Services.open(sqlite_url(plain_home), signed_in("someone"))
    full_case(plain, "Plain Person")
    plain_backup = tmp_path / "plain.sqlite"
    plain.backups.backup(plain_backup)
    plain.close()
    result = restore(encrypted.db, plain_backup, tmp_path / "kept")
    assert not result.keys_replaced
    assert [c.claimant_name for c in encrypted.claims.list_claims()] == ["Plain Person"]
    db_path = encrypted.sqlite_path
    assert db_path is not None
    encrypted.db.dispose()
    assert b"Plain Person" not in db_path.read_bytes()
    assert keys.unlock(db_path, "ana", "pw") == encrypted.db.data_key


def test_cli_encrypt_then_every_command_needs_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert cli.main(["--data-dir", str(data), "--user", "ana", "demo", "--yes"]) == 0
    # ana's own password (conftest set the office up with it) signs in and encrypts.
    password = tmp_path / "password.txt"
    password.write_text(TEST_PASSWORD + "\n")
    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", str(password))
    capsys.readouterr()
    # `demo` ran in this process: its connections close when collected (at exit, in real use);
    # until then they keep the database open and `encrypt` would refuse.
    gc.collect()

    assert cli.main(["--data-dir", str(data), "--user", "ana", "encrypt"]) == 0
    out = capsys.readouterr().out
    recovery = out.split("Recovery key")[1].splitlines()[1].strip()
    assert len(recovery.split("-")) == 8
    assert "cannot be recovered" in out

    assert cli.main(["--data-dir", str(data), "--user", "ana", "claims"]) == 0
    assert "Kowalczyk" in capsys.readouterr().out
    out_file = tmp_path / "b.sqlite"
    backup_command = ["--data-dir", str(data), "--user", "ana", "backup", "--out", str(out_file)]
    assert cli.main(backup_command) == 0
    assert "b.sqlite.keys goes with it" in capsys.readouterr().out
    # `strings` finds none of the demo's claimants in the file, its WAL, the backup or the
    # key files; the search index (built by this search) is inside the file.
    assert cli.main(["--data-dir", str(data), "--user", "ana", "search", "Kowalczyk"]) == 0
    assert "Kowalczyk" in capsys.readouterr().out
    names = [b"Kowalczyk", b"Quintero-Vance", b"Winslow-Pryce", b"Farraday", b"Kelkar"]
    database = data / "claimdesk.sqlite"
    for path in (
        database,
        database.with_name("claimdesk.sqlite-wal"),
        keys.keyfile_path(database),
        out_file,
        keys.keyfile_path(out_file),
    ):
        content = names_in(path)
        assert not any(name in content for name in names), path.name

    password.write_text("wrong password")
    assert cli.main(["--data-dir", str(data), "--user", "ana", "claims"]) == 1
    assert "The password for ana is not right" in capsys.readouterr().err
    monkeypatch.delenv("CLAIMDESK_PASSWORD_FILE")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert cli.main(["--data-dir", str(data), "--user", "ana", "claims"]) == 1
    assert "A password is needed" in capsys.readouterr().err


def test_the_service_sets_the_database_aside_and_opens_it_again_if_encrypting_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "claimdesk.sqlite"
    services = Services.open(sqlite_url(path), signed_in("ana"))
    full_case(services, "Gwendolyn Quarterman")
    signed_in("ben")(services.db)  # another account with a password

    with pytest.raises(SignInError, match="Wrong password"):
        services.backups.encrypt("not the password")

    def full_disk(*_args: object) -> str:
        raise StorageError("The disk is full.")

    monkeypatch.setattr(encrypt, "encrypt_database", full_disk)
    with pytest.raises(StorageError, match="disk is full"):
        services.backups.encrypt(TEST_PASSWORD)
    assert len(services.claims.list_claims()) == 1  # open again, as it was
    assert not keys.is_encrypted(path)
    monkeypatch.undo()

    result = services.backups.encrypt(TEST_PASSWORD)
    assert result.accounts_without_key == ["Bea Advocate", "ben"]  # their passwords unknown
    data_key = keys.unlock(path, "ana", TEST_PASSWORD)
    assert keys.unlock_with_recovery(path, result.recovery_key) == data_key
    # The plain engine is never pointed at the encrypted file: it refuses, in words.
    with pytest.raises(StorageError, match="being encrypted"):
        services.claims.list_claims()
    services.close()


def test_only_an_administrator_may_encrypt(tmp_path: Path) -> None:
    path = tmp_path / "claimdesk.sqlite"
    admin = Services.open(sqlite_url(path), signed_in("ana"))
    volunteer = Services(admin.db, principal(admin.db, "vic", Role.VOLUNTEER))
    assert admin.backups.can_encrypt and not volunteer.backups.can_encrypt
    with pytest.raises(PermissionDenied):
        volunteer.backups.encrypt(TEST_PASSWORD)
    assert not keys.is_encrypted(path)
    admin.close()

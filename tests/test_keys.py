"""The key file: wrapped copies of the data key, one per account and one for the recovery key;
and opening an encrypted database with, without, or with the wrong key."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from claimdesk.errors import (
    EncryptedDatabaseError,
    KeyFileError,
    NotFoundError,
    StorageError,
    WrongPasswordError,
)
from claimdesk.paths import sqlite_url
from claimdesk.storage import keys, open_database
from claimdesk.storage.keys import SQLITE_MAGIC


def test_any_accounts_password_and_the_recovery_key_unwrap_the_same_data_key(
    db_path: Path,
) -> None:
    data_key, recovery = keys.create_key_file(db_path, "ana", "correct horse")
    keys.add_account(db_path, data_key, "ben", "battery staple")
    assert len(data_key) == 32
    assert keys.unlock(db_path, "ana", "correct horse") == data_key
    assert keys.unlock(db_path, "ben", "battery staple") == data_key
    assert keys.unlock_with_recovery(db_path, recovery) == data_key
    assert keys.names(db_path) == ["ana", "ben"]


def test_the_recovery_key_is_typed_in_groups_and_forgives_case_dashes_and_look_alikes(
    db_path: Path,
) -> None:
    data_key, recovery = keys.create_key_file(db_path, "ana", "pw")
    groups = recovery.split("-")
    assert len(groups) == 8 and all(len(g) == 4 for g in groups)
    assert not set(recovery) & set("ILOU")
    typed = " ".join(groups).lower().replace("0", "o").replace("1", "l")
    assert keys.unlock_with_recovery(db_path, typed) == data_key


def test_a_name_is_found_whatever_its_capitals_as_sign_in_finds_it(db_path: Path) -> None:
    data_key, _ = keys.create_key_file(db_path, "Ana Rivera", "pw")
    assert keys.unlock(db_path, "ana  rivera", "pw") == data_key


def test_a_wrong_password_or_unknown_name_is_refused_in_words(db_path: Path) -> None:
    keys.create_key_file(db_path, "ana", "pw")
    with pytest.raises(WrongPasswordError, match="The password for ana is not right"):
        keys.unlock(db_path, "ana", "PW")
    with pytest.raises(WrongPasswordError, match="The password for zoe is not right"):
        keys.unlock(db_path, "zoe", "pw")
    with pytest.raises(WrongPasswordError, match="recovery key is not right"):
        keys.unlock_with_recovery(db_path, "AAAA-BBBB")


def test_a_password_is_the_same_whichever_way_its_accents_were_typed(db_path: Path) -> None:
    data_key, _ = keys.create_key_file(db_path, "José", "café-crème")
    decomposed = "cafe\u0301-cre\u0300me"
    assert keys.unlock(db_path, "Jose\u0301", decomposed) == data_key


def test_changing_a_password_rewraps_one_copy_and_keeps_the_data_key(db_path: Path) -> None:
    data_key, _ = keys.create_key_file(db_path, "ana", "old")
    keys.change_password(db_path, data_key, "ana", "new")
    assert keys.unlock(db_path, "ana", "new") == data_key
    with pytest.raises(WrongPasswordError):
        keys.unlock(db_path, "ana", "old")
    with pytest.raises(NotFoundError):
        keys.change_password(db_path, data_key, "nobody", "x")


def test_removing_an_account_destroys_its_copy(db_path: Path) -> None:
    data_key, _ = keys.create_key_file(db_path, "ana", "pw")
    keys.add_account(db_path, data_key, "ben", "pw2")
    keys.remove_account(db_path, "ben")
    assert keys.names(db_path) == ["ana"]
    assert "ben" not in keys.keyfile_path(db_path).read_text()
    with pytest.raises(WrongPasswordError):
        keys.unlock(db_path, "ben", "pw2")


def test_a_new_recovery_key_replaces_the_old(db_path: Path) -> None:
    data_key, old = keys.create_key_file(db_path, "ana", "pw")
    new = keys.new_recovery(db_path, data_key)
    assert keys.unlock_with_recovery(db_path, new) == data_key
    with pytest.raises(WrongPasswordError):
        keys.unlock_with_recovery(db_path, old)


def test_the_key_file_holds_wrapped_keys_only_and_is_the_users_alone(db_path: Path) -> None:
    data_key, recovery = keys.create_key_file(db_path, "ana", "secret-password")
    path = keys.keyfile_path(db_path)
    assert path == db_path.with_name("claimdesk.sqlite.keys")
    text = path.read_text()
    content = json.loads(text)
    assert content["format"] == "claimdesk-keys" and content["version"] == 1
    entry = content["accounts"]["ana"]
    assert entry["kdf"] == "argon2id" and entry["cipher"] == "aes-256-gcm"
    for secret in (data_key.hex(), "secret-password", recovery, recovery.replace("-", "")):
        assert secret not in text
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # Written whole by a rename: no temporary file is left beside it.
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["claimdesk.sqlite.keys"]


def test_a_key_file_is_never_replaced_by_a_new_one(db_path: Path) -> None:
    data_key, _ = keys.create_key_file(db_path, "ana", "pw")
    with pytest.raises(KeyFileError, match="already exists"):
        keys.create_key_file(db_path, "ben", "pw")
    assert keys.unlock(db_path, "ana", "pw") == data_key


def test_a_missing_or_damaged_key_file_says_what_to_do(db_path: Path) -> None:
    with pytest.raises(KeyFileError, match="is missing"):
        keys.unlock(db_path, "ana", "pw")
    keys.create_key_file(db_path, "ana", "pw")
    path = keys.keyfile_path(db_path)
    path.write_text(path.read_text()[:-40])
    with pytest.raises(KeyFileError, match="is damaged"):
        keys.unlock(db_path, "ana", "pw")
    path.write_text('{"format": "claimdesk-keys", "version": 1, "accounts": []}')
    with pytest.raises(KeyFileError, match="is damaged"):
        keys.names(db_path)


def test_a_failed_write_leaves_the_previous_key_file(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_key, _ = keys.create_key_file(db_path, "ana", "pw")
    before = keys.keyfile_path(db_path).read_bytes()

    def full_disk(fd: int, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(keys.os, "write", full_disk)
    with pytest.raises(KeyFileError, match="previous one, if any, is unchanged"):
        keys.add_account(db_path, data_key, "ben", "pw")
    monkeypatch.undo()
    assert keys.keyfile_path(db_path).read_bytes() == before
    left = sorted(p.name for p in db_path.parent.iterdir())
    assert left == [".claimdesk.sqlite.keys.lock", "claimdesk.sqlite.keys"]  # no partial


def test_an_encrypted_database_opens_with_its_key_only(db_path: Path) -> None:
    data_key, _ = keys.create_key_file(db_path, "ana", "pw")
    database = open_database(sqlite_url(db_path), key=data_key)
    assert database.data_key == data_key and database.is_encrypted
    database.dispose()
    assert db_path.read_bytes()[:16] != SQLITE_MAGIC
    assert keys.is_encrypted(db_path)

    with pytest.raises(EncryptedDatabaseError, match="This database is encrypted; sign in"):
        open_database(sqlite_url(db_path))
    with pytest.raises(EncryptedDatabaseError, match="encrypted with another key"):
        open_database(sqlite_url(db_path), key=keys.new_data_key())
    # Without its key file it is still known to be encrypted, and refused as such.
    keys.keyfile_path(db_path).unlink()
    with pytest.raises(EncryptedDatabaseError, match=r"its key file claimdesk\.sqlite\.keys is"):
        open_database(sqlite_url(db_path))


def test_a_plain_database_is_not_opened_as_an_encrypted_one(db_path: Path) -> None:
    open_database(sqlite_url(db_path)).dispose()
    assert not keys.is_encrypted(db_path)
    with pytest.raises(StorageError, match="is not encrypted"):
        open_database(sqlite_url(db_path), key=keys.new_data_key())


def test_accounts_added_at_once_all_keep_their_copy(db_path: Path) -> None:
    """Two programs adding accounts together: each reads, adds and writes back the whole
    file, so without the lock one would write over the other's copy."""
    data_key, _ = keys.create_key_file(db_path, "ana", "pw")
    added = [f"caseworker {n}" for n in range(8)]
    threads = [
        threading.Thread(target=keys.add_account, args=(db_path, data_key, name, "pw"))
        for name in added
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert keys.names(db_path) == sorted(["ana", *added])

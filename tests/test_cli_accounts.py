"""The command line signs in: setup, users, and a password from a file (never an argument)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from claimdesk.cli import main
from claimdesk.errors import WrongPasswordError
from claimdesk.storage import keys
from tests.conftest import REPO_ROOT

SAMPLE_0002 = REPO_ROOT / "tests" / "resources" / "schema" / "0002.sqlite"
# A recovery key as printed: 8 groups of 4 of Crockford's base32.
RECOVERY = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){7}\b")

pytestmark = pytest.mark.manual_setup  # these tests set their databases up themselves

# A wrong password, said by the key file (encrypted database) or by sign-in (plain).
WRONG = re.compile(r"password for '?[^']+'? is not right|Wrong password for")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def secret(folder: Path, name: str, password: str) -> str:
    path = folder / f"{name}.txt"
    path.write_text(password + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def data(tmp_path: Path) -> list[str]:
    return ["--data-dir", str(tmp_path / "data")]


def test_a_new_database_says_how_to_set_it_up(
    capsys: pytest.CaptureFixture[str], data: list[str]
) -> None:
    code, _, err = run(capsys, *data, "claims")
    assert code == 1
    assert "not set up for sign-in yet" in err and "claimdesk setup --personal" in err


def test_personal_setup_then_every_command_signs_in_with_the_password(
    capsys: pytest.CaptureFixture[str],
    data: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLAIMDESK_NEW_PASSWORD_FILE", secret(tmp_path, "new", "my own words"))
    code, out, err = run(capsys, *data, "--user", "Maria Lopez", "setup", "--personal")
    assert code == 0, err
    assert "personal database" in out and "Maria Lopez" in out
    code, _, err = run(capsys, *data, "setup", "--personal")
    assert code == 1 and "already set up" in err

    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", secret(tmp_path, "right", "my own words"))
    code, out, err = run(capsys, *data, "claims", "--json")
    assert code == 0 and json.loads(out) == [], err

    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", secret(tmp_path, "wrong", "not my words"))
    code, out, err = run(capsys, *data, "claims", "--json")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and WRONG.search(err) and "Maria Lopez" in err


def test_a_password_file_that_cannot_be_read_says_so(
    capsys: pytest.CaptureFixture[str],
    data: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLAIMDESK_NEW_PASSWORD_FILE", secret(tmp_path, "new", "my own words"))
    assert run(capsys, *data, "setup", "--personal")[0] == 0
    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", str(tmp_path / "missing.txt"))
    code, _, err = run(capsys, *data, "claims")
    assert code == 1 and "cannot be read" in err and "CLAIMDESK_PASSWORD_FILE" in err
    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", secret(tmp_path, "empty", ""))
    code, _, err = run(capsys, *data, "claims")
    assert code == 1 and "is empty" in err
    # No file and no terminal: say how to give the password (never an argument).
    monkeypatch.delenv("CLAIMDESK_PASSWORD_FILE")
    code, _, err = run(capsys, *data, "claims")
    assert code == 1 and "set $CLAIMDESK_PASSWORD_FILE" in err


def test_an_office_admin_adds_lists_disables_and_resets_accounts(
    capsys: pytest.CaptureFixture[str],
    data: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin_password = secret(tmp_path, "admin", "admin pass phrase")
    monkeypatch.setenv("CLAIMDESK_NEW_PASSWORD_FILE", admin_password)
    code, out, err = run(capsys, *data, "--user", "Office Admin", "setup", "--office")
    assert code == 0 and "Office Admin is its administrator" in out, err
    as_admin = [*data, "--user", "Office Admin"]
    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", admin_password)

    monkeypatch.setenv("CLAIMDESK_NEW_PASSWORD_FILE", secret(tmp_path, "ana", "ana pass phrase"))
    code, out, err = run(capsys, *as_admin, "users", "add", "Ana Ruiz", "--role", "caseworker")
    assert code == 0 and "Added Ana Ruiz (Caseworker)" in out, err
    code, _, err = run(capsys, *data, "claims")
    assert code == 1 and "say who you are with --user" in err
    monkeypatch.setenv("CLAIMDESK_NEW_PASSWORD_FILE", secret(tmp_path, "vic", "vic pass phrase"))
    code, out, err = run(capsys, *as_admin, "users", "add", "Vic", "--role", "volunteer")
    assert code == 0, err
    code, out, _ = run(capsys, *as_admin, "users", "list")
    listed = out.splitlines()
    assert listed[0].split() == ["Account", "Name", "shown", "Role", "State"]
    assert any(line.startswith("Ana Ruiz") and "Caseworker" in line for line in listed)

    # Ana signs in with her own password, and cannot manage accounts.
    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", secret(tmp_path, "ana-in", "ana pass phrase"))
    code, out, err = run(capsys, *data, "--user", "Ana Ruiz", "users", "list")
    assert code == 1 and "caseworker account cannot list the accounts" in err
    code, out, err = run(capsys, *data, "--user", "Ana Ruiz", "demo", "--json")
    assert code == 0, err

    # Vic, a volunteer, reads but cannot export.
    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", secret(tmp_path, "vic-in", "vic pass phrase"))
    code, out, err = run(capsys, *data, "--user", "Vic", "claims", "--json")
    assert code == 0 and json.loads(out), err
    number = json.loads(out)[0]["case_number"]
    case_file = tmp_path / "case.json"
    code, _, err = run(capsys, *data, "--user", "Vic", "export", number, "--out", str(case_file))
    assert code == 1 and "volunteer account can read and search" in err
    assert not case_file.exists()

    # The admin resets Ana's password and disables Vic.
    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", admin_password)
    monkeypatch.setenv("CLAIMDESK_NEW_PASSWORD_FILE", secret(tmp_path, "reset", "reset phrase"))
    code, out, err = run(capsys, *as_admin, "users", "passwd", "Ana Ruiz")
    assert code == 0 and "password of Ana Ruiz is changed" in out, err
    code, out, err = run(capsys, *as_admin, "users", "disable", "Vic")
    assert code == 0 and "Disabled Vic" in out, err
    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", secret(tmp_path, "vic-in", "vic pass phrase"))
    code, _, err = run(capsys, *data, "--user", "Vic", "claims")
    # Its copy of the key is gone (encrypted), and sign-in would refuse it anyway.
    assert code == 1 and re.search(r"'Vic' is disabled|Vic has no key", err), err
    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", secret(tmp_path, "ana-old", "ana pass phrase"))
    code, _, err = run(capsys, *data, "--user", "Ana Ruiz", "claims")
    assert code == 1 and WRONG.search(err) and "Ana Ruiz" in err
    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", secret(tmp_path, "ana-new", "reset phrase"))
    assert run(capsys, *data, "--user", "Ana Ruiz", "claims")[0] == 0


def test_claimdesk_user_names_an_account_but_signs_nobody_in(
    capsys: pytest.CaptureFixture[str],
    data: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLAIMDESK_NEW_PASSWORD_FILE", secret(tmp_path, "new", "admin pass phrase"))
    assert run(capsys, *data, "--user", "Office Admin", "setup", "--office")[0] == 0
    monkeypatch.setenv("CLAIMDESK_USER", "Office Admin")
    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", secret(tmp_path, "wrong", "a guess at it"))
    code, _, err = run(capsys, *data, "claims")
    assert code == 1 and WRONG.search(err) and "Office Admin" in err
    # A name that is no account is not made into one, as it used to be.
    monkeypatch.setenv("CLAIMDESK_USER", "Somebody New")
    code, _, err = run(capsys, *data, "claims")
    assert code == 1
    assert re.search(r"There is no account 'Somebody New'|Somebody New has no key", err), err


def test_the_office_setting_limits_caseworkers_to_their_cases(
    capsys: pytest.CaptureFixture[str],
    data: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin_password = secret(tmp_path, "admin", "admin pass phrase")
    monkeypatch.setenv("CLAIMDESK_NEW_PASSWORD_FILE", admin_password)
    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", admin_password)
    as_admin = [*data, "--user", "Office Admin"]
    assert run(capsys, *as_admin, "setup", "--office")[0] == 0
    assert run(capsys, *as_admin, "demo", "--json")[0] == 0  # the samples go to the admin
    assert run(capsys, *as_admin, "users", "add", "Ana Ruiz", "--role", "caseworker")[0] == 0
    code, out, err = run(capsys, *as_admin, "users", "only-assigned", "on")
    assert code == 0 and "only the cases assigned to them" in out, err
    code, out, err = run(capsys, *data, "--user", "Ana Ruiz", "claims", "--json")
    assert code == 0 and json.loads(out) == [], err
    code, out, _ = run(capsys, *as_admin, "claims", "--json")
    assert len(json.loads(out)) >= 6


def test_setup_makes_an_encrypted_database_and_shows_the_recovery_key_once(
    capsys: pytest.CaptureFixture[str],
    data: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    password = secret(tmp_path, "admin", "admin pass phrase")
    monkeypatch.setenv("CLAIMDESK_NEW_PASSWORD_FILE", password)
    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", password)
    as_admin = [*data, "--user", "Office Admin"]
    code, out, err = run(capsys, *as_admin, "setup", "--office")
    assert code == 0, err
    path = tmp_path / "data" / "claimdesk.sqlite"
    assert keys.is_encrypted(path) and keys.names(path) == ["Office Admin"]
    recovery = RECOVERY.findall(out)
    assert len(recovery) == 1 and "cannot be recovered" in out
    assert run(capsys, *as_admin, "demo", "--json")[0] == 0
    assert b"Quintero" not in path.read_bytes()  # a sample claimant's name, encrypted
    # The accounts and their copies of the key move together.
    monkeypatch.setenv("CLAIMDESK_NEW_PASSWORD_FILE", secret(tmp_path, "ana", "ana pass phrase"))
    assert run(capsys, *as_admin, "users", "add", "Ana Ruiz", "--role", "caseworker")[0] == 0
    assert keys.names(path) == ["Ana Ruiz", "Office Admin"]
    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", secret(tmp_path, "ana-in", "ana pass phrase"))
    code, out, err = run(capsys, *data, "--user", "Ana Ruiz", "claims", "--json")
    assert code == 0 and len(json.loads(out)) >= 6, err
    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", password)
    monkeypatch.setenv("CLAIMDESK_NEW_PASSWORD_FILE", secret(tmp_path, "new", "ana's new phrase"))
    assert run(capsys, *as_admin, "users", "passwd", "Ana Ruiz")[0] == 0
    with pytest.raises(WrongPasswordError):
        keys.unlock(path, "Ana Ruiz", "ana pass phrase")
    assert keys.unlock(path, "Ana Ruiz", "ana's new phrase") == keys.unlock(
        path, "Office Admin", "admin pass phrase"
    )
    assert run(capsys, *as_admin, "users", "disable", "Ana Ruiz")[0] == 0
    assert keys.names(path) == ["Office Admin"]
    # The recovery key printed at setup opens the file.
    assert keys.unlock_with_recovery(path, recovery[0]) == keys.unlock(
        path, "Office Admin", "admin pass phrase"
    )


def test_setup_encrypts_a_database_from_before_accounts(
    capsys: pytest.CaptureFixture[str],
    data: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "data" / "claimdesk.sqlite"
    path.parent.mkdir()
    shutil.copyfile(SAMPLE_0002, path)
    password = secret(tmp_path, "mine", "my own words")
    monkeypatch.setenv("CLAIMDESK_NEW_PASSWORD_FILE", password)
    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", password)
    code, out, err = run(capsys, *data, "setup", "--personal")
    assert code == 0, err
    assert "work already in it is kept" in out and len(RECOVERY.findall(out)) == 1
    assert keys.is_encrypted(path)
    code, out, err = run(capsys, *data, "claims", "--json")
    assert code == 0 and len(json.loads(out)) == 6, err


def test_a_failed_setup_leaves_no_database_behind(
    capsys: pytest.CaptureFixture[str],
    data: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLAIMDESK_NEW_PASSWORD_FILE", secret(tmp_path, "short", "short"))
    code, _, err = run(capsys, *data, "setup", "--personal")
    assert code == 1 and "at least 8 characters" in err
    assert not (tmp_path / "data" / "claimdesk.sqlite").exists()
    assert not (tmp_path / "data" / "claimdesk.sqlite.keys").exists()


def test_the_recovery_key_resets_an_administrators_password(
    capsys: pytest.CaptureFixture[str],
    data: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    forgotten = secret(tmp_path, "admin", "forgotten phrase")
    monkeypatch.setenv("CLAIMDESK_NEW_PASSWORD_FILE", forgotten)
    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", forgotten)
    as_admin = [*data, "--user", "Office Admin"]
    code, out, _ = run(capsys, *as_admin, "setup", "--office")
    recovery = RECOVERY.findall(out)[0]
    monkeypatch.setenv("CLAIMDESK_NEW_PASSWORD_FILE", secret(tmp_path, "ana", "ana pass phrase"))
    assert run(capsys, *as_admin, "users", "add", "Ana Ruiz", "--role", "caseworker")[0] == 0

    monkeypatch.setenv("CLAIMDESK_RECOVERY_KEY_FILE", secret(tmp_path, "wrong-key", "0" * 32))
    monkeypatch.setenv("CLAIMDESK_NEW_PASSWORD_FILE", secret(tmp_path, "new", "remembered now"))
    code, _, err = run(capsys, *data, "users", "recover", "Office Admin")
    assert code == 1 and "recovery key is not right" in err
    # Typed in lower case with spaces: the key is still read.
    typed = recovery.lower().replace("-", " ")
    monkeypatch.setenv("CLAIMDESK_RECOVERY_KEY_FILE", secret(tmp_path, "key", typed))
    code, _, err = run(capsys, *data, "users", "recover", "Ana Ruiz")
    assert code == 1 and "resets an administrator's password" in err
    code, out, err = run(capsys, *data, "users", "recover", "Office Admin")
    assert code == 0 and "password of Office Admin is changed" in out, err

    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", secret(tmp_path, "in", "remembered now"))
    code, out, err = run(capsys, *as_admin, "users", "list")
    assert code == 0 and "Office Admin" in out, err
    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", forgotten)
    code, _, err = run(capsys, *as_admin, "claims")
    assert code == 1 and WRONG.search(err)


def test_a_plain_database_has_no_recovery_key(
    capsys: pytest.CaptureFixture[str], data: list[str], tmp_path: Path
) -> None:
    from claimdesk.services import connect
    from claimdesk.services.accounts import set_up_personal
    from tests.pinned import pinned_clock

    path = tmp_path / "data" / "claimdesk.sqlite"
    db = connect(f"sqlite:///{path}")
    set_up_personal(db, "Maria Lopez", "my own words", pinned_clock())
    db.dispose()
    code, _, err = run(capsys, *data, "users", "recover")
    assert code == 1 and "not encrypted, so it has no recovery key" in err


def test_setup_takes_the_user_after_the_command_too(
    capsys: pytest.CaptureFixture[str],
    data: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As the README writes it: claimdesk setup --office --user NAME."""
    password = secret(tmp_path, "admin", "admin pass phrase")
    monkeypatch.setenv("CLAIMDESK_NEW_PASSWORD_FILE", password)
    code, out, err = run(capsys, *data, "setup", "--office", "--user", "Office Admin")
    assert code == 0 and "Office Admin is its administrator" in out, err
    monkeypatch.setenv("CLAIMDESK_PASSWORD_FILE", password)
    code, out, err = run(capsys, *data, "--user", "Office Admin", "users", "list")
    assert code == 0 and "Office Admin" in out, err

"""The command line as a user types it: one-line errors, non-zero exits, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from claimdesk import __version__
from claimdesk.cli import main
from tests.conftest import REPO_ROOT


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_version_in_a_real_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "claimdesk", "--version"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.strip() == f"ClaimDesk {__version__}"


def test_claims_on_a_new_data_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "--data-dir", str(tmp_path), "claims", "--json")
    assert code == 0 and json.loads(out) == []
    assert (tmp_path / "claimdesk.sqlite").exists()
    code, out, _ = run(capsys, "--data-dir", str(tmp_path), "claims")
    assert "No cases yet" in out


def test_data_dir_from_the_environment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMDESK_DATA_DIR", str(tmp_path / "env"))
    assert run(capsys, "claims")[0] == 0
    assert (tmp_path / "env" / "claimdesk.sqlite").exists()


def test_db_url_overrides_the_data_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite'}"
    assert run(capsys, "--data-dir", str(tmp_path / "d"), "--db", url, "claims")[0] == 0
    assert (tmp_path / "elsewhere.sqlite").exists()
    assert not (tmp_path / "d" / "claimdesk.sqlite").exists()


def test_demo_export_import_backup_restore(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = ["--data-dir", str(tmp_path / "a"), "--user", "Ana"]
    code, out, err = run(capsys, *data, "demo", "--json")
    assert code == 0, err
    cases = json.loads(out)
    assert len(cases) >= 6
    number = cases[0]["case_number"]
    case_file = tmp_path / "case.json"
    assert run(capsys, *data, "export", number, "--out", str(case_file))[0] == 0
    exported = json.loads(case_file.read_text(encoding="utf-8"))
    assert exported["claim"]["case_number"] == number

    other = ["--data-dir", str(tmp_path / "b")]
    code, out, _ = run(capsys, *other, "import", str(case_file))
    assert code == 0 and number in out
    assert run(capsys, *other, "export", number, "--out", str(tmp_path / "again.json"))[0] == 0
    assert (tmp_path / "again.json").read_text(encoding="utf-8") == case_file.read_text(
        encoding="utf-8"
    )

    backup_file = tmp_path / "backup.sqlite"
    code, out, _ = run(capsys, *data, "backup", "--out", str(backup_file))
    assert code == 0 and f"Backed up {len(cases)} cases" in out
    code, out, _ = run(capsys, *other, "restore", str(backup_file))
    assert code == 0 and f"Restored {len(cases)} cases" in out
    # The backup restored is the office of "Ana": she signs in to it now.
    code, out, _ = run(capsys, *other, "--user", "Ana", "claims", "--json")
    assert len(json.loads(out)) == len(cases)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "CD-1999-0001", "--out", "x.json"], "There is no case 'CD-1999-0001'"),
        (["export", "42", "--out", "x.json"], "There is no case number 42"),
        (["import", "missing.json"], "cannot be read"),
        (["restore", "missing.sqlite"], "There is no file"),
    ],
)
def test_errors_are_one_line_and_exit_non_zero(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    args: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "--data-dir", str(tmp_path), *args)
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("claimdesk: ") and message in err
    assert "Traceback" not in err


def test_malformed_import_names_the_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "claimdesk-case", "version": 1, "claim": {')
    code, _, err = run(capsys, "--data-dir", str(tmp_path), "import", str(bad))
    assert code == 1 and "not valid JSON (line 1" in err
    bad.write_text(json.dumps({"format": "claimdesk-case", "version": 1, "claim": {"x": 1}}))
    code, _, err = run(capsys, "--data-dir", str(tmp_path), "import", str(bad))
    assert code == 1 and "unknown field 'x'" in err
    assert json.loads(run(capsys, "--data-dir", str(tmp_path), "claims", "--json")[1]) == []


def test_a_bug_is_logged_not_shown_as_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimdesk import cli

    def broken(*_: object) -> int:
        raise RuntimeError("secret health detail")

    monkeypatch.setitem(cli.COMMANDS, "claims", broken)
    code, _, err = run(capsys, "--data-dir", str(tmp_path), "claims")
    assert code == 70 and "unexpected error" in err and "Traceback" not in err
    assert "secret" not in err
    log_text = (tmp_path / "logs" / "claimdesk.log").read_text(encoding="utf-8")
    assert "RuntimeError" in log_text


def test_no_screen_is_a_sentence_not_a_crash(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = run(capsys, "--data-dir", str(tmp_path))
    assert code == 1 and "no screen" in err and "claimdesk --help" in err

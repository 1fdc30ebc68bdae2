"""`pip install .` (not editable) gives a working ClaimDesk: migrations, data and forms travel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.signin import TEST_PASSWORD


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO_ROOT)],
        check=True,
        timeout=600,
    )
    (built,) = out.glob("claimdesk-*.whl")
    return built


@pytest.mark.slow
def test_wheel_carries_everything_the_app_reads(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "claimdesk/migrations/env.py",
        "claimdesk/migrations/script.py.mako",
        "claimdesk/migrations/versions/0001_initial_schema.py",
        "claimdesk/migrations/versions/0002_search_index.py",
        *(f"claimdesk/_ui/{form.name}" for form in (REPO_ROOT / "ui").glob("*.ui")),
        "claimdesk/_resources/icons/claimdesk.svg",
        # OCR's English model and the intake's rules: a scan is read with nothing downloaded.
        "claimdesk/_resources/tessdata/eng.traineddata",
        "claimdesk/_resources/intake/rules.json",
        "claimdesk/ocr/reader.py",
        "claimdesk/intake/fields.py",
        # The user guide is read offline from the installed package.
        *(
            f"claimdesk/_resources/guide/{page.name}"
            for page in (REPO_ROOT / "resources" / "guide").glob("*.md")
        ),
    }
    assert expected <= names
    assert any(n.startswith("claimdesk/_resources/demo/") for n in names)
    assert not any(n.startswith("tests/") for n in names)


@pytest.mark.slow
def test_installed_wheel_runs_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        timeout=600,
    )
    script = (
        "import contextlib, io, json, sys, claimdesk, claimdesk.paths as p\n"
        "from claimdesk.cli import main\n"
        "print(json.dumps([claimdesk.__file__, str(p.resources_dir()), str(p.ui_dir()),"
        " str(p.migrations_dir())]))\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    status = main(['--data-dir', sys.argv[1], 'setup', '--personal'])\n"
        "sys.exit(status or main(['--data-dir', sys.argv[1], 'demo', '--json']))\n"
    )
    password = tmp_path / "password"
    password.write_text(TEST_PASSWORD + "\n", encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": str(target),
        "CLAIMDESK_PASSWORD_FILE": str(password),
        "CLAIMDESK_NEW_PASSWORD_FILE": str(password),
    }
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "data")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    first, _, rest = result.stdout.partition("\n")
    located = json.loads(first)
    assert all(path.startswith(str(target)) for path in located), located
    assert len(json.loads(rest)) >= 6

"""The PyInstaller build (build.spec) starts without Python and opens a database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import claimdesk
from claimdesk.paths import sqlite_url
from claimdesk.storage import keys, open_database
from claimdesk.storage.migrate import code_head
from tests.signin import TEST_PASSWORD

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILD_TIMEOUT = 30 * 60
RUN_TIMEOUT = 3 * 60


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the one-folder app once for this module; returns dist/claimdesk."""
    out = tmp_path_factory.mktemp("frozen")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "build.spec",
            "--distpath",
            str(out / "dist"),
            "--workpath",
            str(out / "work"),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
    )
    assert result.returncode == 0, f"PyInstaller failed:\n{result.stderr[-5000:]}"
    return out / "dist" / "claimdesk"


@dataclass(frozen=True)
class FrozenApp:
    """The built program, run as on a machine without Python: no venv, no PYTHONPATH."""

    executable: Path
    workdir: Path

    @property
    def env(self) -> dict[str, str]:
        home = self.workdir / "home"
        home.mkdir(exist_ok=True)
        password = self.workdir / "password.txt"
        password.write_text(TEST_PASSWORD + "\n", encoding="utf-8")
        env = {
            "PATH": os.pathsep.join(["/usr/bin", "/bin"]),
            "HOME": str(home),
            "USERPROFILE": str(home),
            "QT_QPA_PLATFORM": "offscreen",
            # Every command signs in; set-up reads the first account's password here too.
            "CLAIMDESK_PASSWORD_FILE": str(password),
            "CLAIMDESK_NEW_PASSWORD_FILE": str(password),
        }
        if "SYSTEMROOT" in os.environ:  # Windows programs cannot start without it
            env["SYSTEMROOT"] = os.environ["SYSTEMROOT"]
        return env

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.executable), *args],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
        )

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(self.executable), *args],
            cwd=self.workdir,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


@pytest.fixture
def frozen(bundle: Path, tmp_path: Path) -> FrozenApp:
    name = "claimdesk.exe" if sys.platform == "win32" else "claimdesk"
    return FrozenApp(bundle / name, tmp_path)


def schema_revision(database: Path) -> str | None:
    """The Alembic revision stamped in a SQLite file, or None if there is none (yet)."""
    if not database.exists():
        return None
    try:
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1)
        try:
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    return str(rows[0][0]) if len(rows) == 1 else None


def test_version(frozen: FrozenApp) -> None:
    result = frozen.run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"ClaimDesk {claimdesk.__version__}"


def test_opens_and_migrates_a_new_database(frozen: FrozenApp, tmp_path: Path) -> None:
    """Set-up makes an encrypted database (SQLCipher and argon2 bundled), every command signs
    in, and the schema is at its head."""
    data_dir = tmp_path / "data"
    result = frozen.run("--data-dir", str(data_dir), "setup", "--personal", "--user", "Frozen")
    assert result.returncode == 0, result.stderr
    assert "Recovery key" in result.stdout
    result = frozen.run("--data-dir", str(data_dir), "claims", "--json")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"

    database = data_dir / "claimdesk.sqlite"
    assert database.read_bytes()[:16] != b"SQLite format 3\x00"  # encrypted
    assert encrypted_revision(database) == code_head()


def encrypted_revision(database: Path) -> str | None:
    key = keys.unlock(database, "Frozen", TEST_PASSWORD)
    opened = open_database(sqlite_url(database), key=key, migrate=False)
    try:
        with opened.read_connection() as connection:
            return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    finally:
        opened.dispose()


def test_failure_is_one_line_without_traceback(frozen: FrozenApp, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    result = frozen.run(
        "--data-dir", str(data_dir), "export", "NOPE", "--out", str(tmp_path / "y.json")
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("claimdesk:")
    assert not (tmp_path / "y.json").exists()


def test_window_opens(frozen: FrozenApp, tmp_path: Path) -> None:
    """With no command the GUI starts (Qt, the .ui forms load) and waits at the sign-in window
    of the encrypted database set up first."""
    data_dir = tmp_path / "data"
    setup = frozen.run("--data-dir", str(data_dir), "setup", "--personal", "--user", "Frozen")
    assert setup.returncode == 0, setup.stderr
    app = frozen.start("--data-dir", str(data_dir))
    try:
        log_file = data_dir / "logs" / "claimdesk.log"
        deadline = time.monotonic() + RUN_TIMEOUT
        while app.poll() is None and "sign-in window is shown" not in _read(log_file):
            assert time.monotonic() < deadline, "the sign-in window never showed"
            time.sleep(0.2)
        time.sleep(3)  # give it time to fail
        exit_code = app.poll()
    finally:
        app.kill()
        _, stderr = app.communicate(timeout=RUN_TIMEOUT)
    assert exit_code is None, f"the window closed (exit {exit_code}):\n{stderr}"
    assert "Traceback" not in stderr
    log = _read(log_file)
    assert " ERROR " not in log, log


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_bundle_carries_what_is_loaded_at_run_time(bundle: Path) -> None:
    """Migrations are read from disk, and the lazily imported GUI needs Qt's plugins."""
    internal = bundle / "_internal"
    migrations = internal / "claimdesk" / "migrations"
    assert (migrations / "env.py").is_file()
    assert (migrations / "script.py.mako").is_file()
    shipped = {p.name for p in (migrations / "versions").glob("*.py")}
    in_checkout = {p.name for p in (REPO_ROOT / "claimdesk/migrations/versions").glob("*.py")}
    assert shipped == in_checkout

    bundled_files = {p.relative_to(internal).as_posix() for p in internal.rglob("*")}
    for expected in ("ui", "resources"):
        if any(p.is_file() for p in (REPO_ROOT / expected).rglob("*")):
            assert any(f.startswith(f"{expected}/") for f in bundled_files), expected
    for module in ("QtWidgets", "QtUiTools", "QtSvg"):
        assert any(f.startswith(f"PySide6/{module}.") for f in bundled_files), module
    for plugin in ("qoffscreen", "qsvg", "qsvgicon"):
        assert any(Path(f).stem.removeprefix("lib") == plugin for f in bundled_files), plugin
    assert not any("QtWebEngine" in f or "QtQuick" in f for f in bundled_files)


def test_encrypts_and_opens_an_encrypted_database(frozen: FrozenApp, tmp_path: Path) -> None:
    """SQLCipher (sqlcipher3's extension), argon2 and AES-GCM all travel in the bundle."""
    data_dir = tmp_path / "data"
    password = tmp_path / "password.txt"
    password.write_text("frozen password\n")
    env = frozen.env
    env["CLAIMDESK_PASSWORD_FILE"] = env["CLAIMDESK_NEW_PASSWORD_FILE"] = str(password)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(frozen.executable), "--data-dir", str(data_dir), *args],
            cwd=frozen.workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
        )

    for step in (["setup", "--personal"], ["demo", "--yes"]):
        result = run(*step)
        assert result.returncode == 0, result.stderr
    database = data_dir / "claimdesk.sqlite"
    if database.read_bytes()[:16] == b"SQLite format 3\x00":  # not encrypted at setup
        encrypted = run("encrypt")
        assert encrypted.returncode == 0, encrypted.stderr
        assert "Recovery key" in encrypted.stdout
    assert database.read_bytes()[:16] != b"SQLite format 3\x00"
    listed = run("claims", "--json")
    assert listed.returncode == 0, listed.stderr
    assert "Kowalczyk" in listed.stdout
    without = {k: v for k, v in env.items() if not k.endswith("PASSWORD_FILE")}
    refused = subprocess.run(
        [str(frozen.executable), "--data-dir", str(data_dir), "claims"],
        cwd=frozen.workdir,
        env=without,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    assert refused.returncode != 0 and "password" in refused.stderr.lower()

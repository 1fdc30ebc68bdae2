"""Folder and file names with URL syntax in them reach SQLite whole, through the real CLI.

A path pasted into "sqlite:///..." or "file:...?mode=ro" lost everything after '?', turned
'%25' into '%' and stopped at '#'; each run below is a real `claimdesk` process.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from claimdesk.paths import sqlite_url
from claimdesk.storage import keys, open_database
from claimdesk.storage.migrate import code_head
from tests.conftest import REPO_ROOT
from tests.signin import TEST_PASSWORD

OLD_SAMPLE = Path(__file__).parent / "resources" / "schema" / "0001.sqlite"
NAMES = ["Why?", "100%25", "case #2", "Zoë Łódź 相談", "a?b#c%41 d&e=f"]


def claimdesk(data_dir: Path, *args: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), CLAIMDESK_USER="Tester")
    result = subprocess.run(
        [sys.executable, "-m", "claimdesk", "--data-dir", str(data_dir), *args],
        cwd=data_dir.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def case_count(database: Path) -> int:
    connection = sqlite3.connect(database)
    try:
        return int(connection.execute("SELECT count(*) FROM claims").fetchone()[0])
    finally:
        connection.close()


@pytest.mark.parametrize("name", NAMES)
def test_sqlite_url_round_trips(name: str, tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url

    path = tmp_path / name / "claimdesk.sqlite"
    assert make_url(sqlite_url(path)).database == str(path)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["Why? 100%25", "case #2 Zoë Łódź 相談"])
def test_open_backup_restore_and_upgrade_in_a_folder_so_named(name: str, tmp_path: Path) -> None:
    """The database is set up (encrypted, with its key file beside it) and every command signs
    in with the test password (conftest.py names its file in the environment)."""
    root = tmp_path / "cases"
    root.mkdir()
    data = root / name
    claimdesk(data, "setup", "--office")
    claimdesk(data, "demo")
    assert len(json.loads(claimdesk(data, "claims", "--json"))) == 6
    assert sorted(p.name for p in root.iterdir()) == [name]  # no 'Why', no '100%'
    assert (data / "claimdesk.sqlite.keys").exists()

    backup = data / "ClaimDesk backup #2.sqlite"
    assert "Backed up 6 cases" in claimdesk(data, "backup", "--out", str(backup))
    assert backup.exists() and (data / "ClaimDesk backup #2.sqlite.keys").exists()
    assert not (data / "ClaimDesk backup ").exists()  # the name cut at '#', made empty

    out = claimdesk(data, "restore", str(backup))
    assert "Restored 6 cases" in out
    assert len(json.loads(claimdesk(data, "claims", "--json"))) == 6

    # An old database in the folder is upgraded there, with its backup beside it, and set up.
    shutil.copy(OLD_SAMPLE, data / "claimdesk.sqlite")
    for suffix in ("-wal", "-shm", ".keys"):
        (data / f"claimdesk.sqlite{suffix}").unlink(missing_ok=True)
    assert case_count(data / "claimdesk.sqlite") == 6
    claimdesk(data, "setup", "--office")
    assert len(json.loads(claimdesk(data, "claims", "--json"))) == 6
    key = keys.unlock(data / "claimdesk.sqlite", "Tester", TEST_PASSWORD)
    database = open_database(sqlite_url(data / "claimdesk.sqlite"), key=key, migrate=False)
    try:
        with database.read_connection() as connection:
            revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            assert revision.scalar() == code_head()
    finally:
        database.dispose()
    assert len(list((data / "backups").glob("claimdesk-before-upgrade-from-0001-*.sqlite"))) == 1
    assert sorted(p.name for p in root.iterdir()) == [name]

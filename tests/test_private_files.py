"""What ClaimDesk creates is readable by the user only, whatever the umask (POSIX)."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from claimdesk.logs import PrivateRotatingFileHandler, configure_logging
from claimdesk.paths import resolve_paths
from claimdesk.storage import open_database
from claimdesk.storage.backup import backup, restore
from tests.builders import full_case
from tests.signin import as_user

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most permissive umask: any mode not set explicitly would show as 0666/0777."""
    before = os.umask(0)
    try:
        yield
    finally:
        os.umask(before)


@pytest.mark.usefixtures("open_umask")
def test_data_folder_database_and_backups_are_private(tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path / "new" / "data")
    db = open_database(paths.database_url, backup_dir=paths.backup_dir)
    try:
        services = as_user(db, "Tester")
        full_case(services)
        database = paths.database_file
        wal, shm = Path(f"{database}-wal"), Path(f"{database}-shm")
        assert wal.exists() and shm.exists()  # open, so in WAL mode
        assert {mode(p) for p in (tmp_path / "new", paths.data_dir)} == {0o700}
        assert {mode(p) for p in (database, wal, shm)} == {0o600}

        saved = tmp_path / "saved" / "ClaimDesk backup.sqlite"
        backup(db, saved)
        assert mode(saved) == 0o600 and mode(saved.parent) == 0o700
        result = restore(db, saved, paths.backup_dir)
        assert mode(paths.backup_dir) == 0o700 and mode(result.previous_kept_at) == 0o600
        assert mode(database) == 0o600
    finally:
        db.dispose()


@pytest.mark.usefixtures("open_umask")
def test_logs_are_private_after_a_rollover_too(tmp_path: Path) -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        path = configure_logging(tmp_path / "logs")
        assert path is not None
        handler = next(h for h in root.handlers if h not in before)
        assert isinstance(handler, PrivateRotatingFileHandler)
        logging.getLogger("claimdesk.test").info("case 1 saved")
        handler.doRollover()
        logging.getLogger("claimdesk.test").info("case 2 saved")
        assert mode(tmp_path / "logs") == 0o700
        assert {mode(p) for p in (path, path.with_name(path.name + ".1"))} == {0o600}
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
                handler.close()


def test_an_existing_folder_keeps_the_permissions_its_owner_chose(tmp_path: Path) -> None:
    shared = tmp_path / "office share"
    shared.mkdir()
    shared.chmod(0o770)
    open_database(resolve_paths(shared).database_url).dispose()
    assert mode(shared) == 0o770
    assert mode(shared / "claimdesk.sqlite") == 0o600  # the file ClaimDesk made is private

"""Online backup (even while another process writes) and restore that never loses the current."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from claimdesk.errors import NotAClaimDeskDatabaseError, SchemaTooNewError, StorageError
from claimdesk.services import Services
from claimdesk.storage import open_database
from claimdesk.storage.backup import backup, restore
from tests.builders import full_case
from tests.conftest import REPO_ROOT
from tests.signin import as_user

WRITER = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from claimdesk.services import CallInput
    from claimdesk.services.accounts import use_hasher
    from claimdesk.storage import open_database
    from tests.signin import FAST_HASHER, as_user
    use_hasher(FAST_HASHER)
    services = as_user(open_database(sys.argv[1]), "Writer")
    claim_id = int(sys.argv[2])
    end = time.monotonic() + float(sys.argv[3])
    n = 0
    while time.monotonic() < end:
        n += 1
        services.calls.log_call(claim_id, CallInput(
            occurred_at=datetime.now(UTC), person_name="Writer", summary=f"call {n}"))
    print(n)
    """
)


def count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.mark.slow
def test_backup_while_another_process_writes(
    services: Services, db_path: Path, tmp_path: Path
) -> None:
    claim_id = full_case(services)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, f"sqlite:///{db_path}", str(claim_id), "4"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    seen: list[int] = []
    try:
        time.sleep(0.5)
        while writer.poll() is None:
            out = tmp_path / f"backup-{len(seen)}.sqlite"
            result = backup(services.db, out)
            with sqlite3.connect(out) as connection:
                assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert result.claims == 1
            seen.append(count(out, "call_log_entries"))
            time.sleep(0.2)
    finally:
        written = int(writer.communicate(timeout=60)[0])
    assert writer.returncode == 0
    assert len(seen) >= 3 and seen == sorted(seen)  # each backup is a consistent snapshot
    assert written > 10 and seen[-1] <= written + 2
    # A backup opens as a ClaimDesk database and holds the case.
    copy = open_database(f"sqlite:///{tmp_path / f'backup-{len(seen) - 1}.sqlite'}")
    assert as_user(copy, "Reader").claims.get(claim_id).claimant_name == "Maria Lopez"
    copy.dispose()


def test_restore_replaces_and_keeps_the_current(
    services: Services, db_path: Path, tmp_path: Path
) -> None:
    full_case(services, "Before Backup")
    saved = tmp_path / "saved.sqlite"
    backup(services.db, saved)
    full_case(services, "After Backup")
    assert len(services.claims.list_claims()) == 2
    result = restore(services.db, saved, tmp_path / "backups")
    assert result.claims == 1
    assert [c.claimant_name for c in services.claims.list_claims()] == ["Before Backup"]
    # The database as it was before the restore is kept, whole.
    assert count(result.previous_kept_at, "claims") == 2
    # And the restored database keeps working.
    full_case(services, "After Restore")
    assert len(services.claims.list_claims()) == 2


@pytest.mark.sqlite_only
def test_restore_refuses_what_is_not_a_claimdesk_backup(services: Services, tmp_path: Path) -> None:
    full_case(services)
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello")
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    newer = tmp_path / "newer.sqlite"
    backup(services.db, newer)
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'zzzz'")
    truncated = tmp_path / "truncated.sqlite"
    backup(services.db, truncated)
    truncated.write_bytes(truncated.read_bytes()[:5000])

    for bad, error, message in [
        (text_file, NotAClaimDeskDatabaseError, "not a SQLite file"),
        (other, NotAClaimDeskDatabaseError, "not a ClaimDesk one"),
        (newer, SchemaTooNewError, "newer version"),
        (truncated, StorageError, "damaged|cannot be read"),
        (tmp_path / "missing.sqlite", StorageError, "There is no file"),
    ]:
        with pytest.raises(error, match=message):
            restore(services.db, bad, tmp_path / "backups")
    assert len(services.claims.list_claims()) == 1  # untouched
    assert not (tmp_path / "backups").exists()  # nothing was even backed up


def test_backup_refuses_to_overwrite_the_database(services: Services, db_path: Path) -> None:
    with pytest.raises(StorageError, match="other than the database"):
        backup(services.db, db_path)
    with pytest.raises(StorageError, match="is a folder"):
        backup(services.db, db_path.parent)


def test_copies_kept_within_one_second_never_share_a_name(tmp_path: Path) -> None:
    """A restore of the copy a restore just kept, in the same second, wrote its own copy over
    the file being restored (the name is the second's stamp)."""
    from claimdesk.files import unused_stem

    stem = "office-before-restore-20261203T083817Z"
    assert unused_stem(tmp_path, stem) == stem
    (tmp_path / f"{stem}.dump").write_bytes(b"first")
    assert unused_stem(tmp_path, stem) == f"{stem}-2"
    (tmp_path / f"{stem}-2.sqlite").write_bytes(b"second")
    assert unused_stem(tmp_path, stem) == f"{stem}-3"
    assert unused_stem(tmp_path / "not yet made", stem) == stem

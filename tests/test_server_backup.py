"""Backup and restore of a database on the PostgreSQL server: pg_dump's archive when pg_dump can
dump the server, else the portable SQLite export; a restore replaces everything in one
transaction or nothing; the copy kept before an upgrade."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from claimdesk.cli import main
from claimdesk.errors import NotAClaimDeskDatabaseError, StorageError
from claimdesk.services import Services
from claimdesk.storage import audit_chain, open_database
from claimdesk.storage.backup import SQLITE_MAGIC, backup, restore
from claimdesk.storage.migrate import code_head
from tests import postgres
from tests.builders import full_case
from tests.signin import as_user

ADMIN = "Test Caseworker"
SAMPLES = Path(__file__).parent / "resources" / "schema"


@pytest.fixture
def server_url(postgres_server: str) -> Iterator[str]:
    with postgres.fresh_database(postgres_server) as url:
        yield url


@pytest.fixture
def office(server_url: str) -> Iterator[Services]:
    services = as_user(open_database(server_url), ADMIN)
    yield services
    services.db.dispose()


@pytest.fixture
def without_pg_dump(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A workstation without PostgreSQL's client programs."""
    empty = tmp_path / "bin-without-pg"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def fake_program(folder: Path, name: str, says: str) -> None:
    folder.mkdir(exist_ok=True)
    program = folder / name
    program.write_text(f"#!/bin/sh\necho '{says}'\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)


def names(services: Services) -> list[str]:
    return sorted(c.claimant_name for c in services.claims.list_claims())


def chain_ok(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return audit_chain.verify(connection).ok
    finally:
        engine.dispose()


def test_pg_dump_backs_up_and_restore_puts_it_back(office: Services, tmp_path: Path) -> None:
    full_case(office, "Before Backup")
    saved = tmp_path / "office.dump"
    result = backup(office.db, saved)
    assert result.format == "pg_dump" and saved.read_bytes()[:5] == b"PGDMP"
    assert result.claims == 1 and len(result.chain_head) == 64
    full_case(office, "After Backup")
    assert names(office) == ["After Backup", "Before Backup"]

    restored = restore(office.db, saved, tmp_path / "backups")
    assert restored.claims == 1 and names(office) == ["Before Backup"]
    assert restored.previous_kept_at.parent == tmp_path / "backups"
    assert "before-restore" in restored.previous_kept_at.name
    assert chain_ok(str(office.db.engine.url.render_as_string(hide_password=False)))
    # The restored database goes on working: new ids do not collide with restored ones.
    full_case(office, "After Restore")
    assert names(office) == ["After Restore", "Before Backup"]
    # What was there before the restore is in the kept copy, whole.
    again = restore(office.db, restored.previous_kept_at, tmp_path / "backups")
    assert again.claims == 2 and names(office) == ["After Backup", "Before Backup"]


def test_without_pg_dump_the_backup_is_a_claimdesk_sqlite_file(
    office: Services, tmp_path: Path, without_pg_dump: None
) -> None:
    full_case(office, "Before Backup")
    saved = tmp_path / "office-backup.sqlite"
    result = backup(office.db, saved)
    assert result.format == "sqlite" and saved.read_bytes()[:16] == SQLITE_MAGIC
    assert result.claims == 1
    # The export is a whole ClaimDesk database: it opens as one, its trail verifies.
    copy = as_user(open_database(f"sqlite:///{saved}"), ADMIN)
    try:
        assert names(copy) == ["Before Backup"]
        assert copy.audit.verify().ok
    finally:
        copy.db.dispose()
    assert not list(tmp_path.glob("*-wal")) and not list(tmp_path.glob("*.partial"))
    full_case(office, "After Backup")
    restored = restore(office.db, saved, tmp_path / "backups")
    assert restored.claims == 1 and names(office) == ["Before Backup"]
    assert restored.previous_kept_at.suffix == ".sqlite"  # kept by the portable export too


def test_a_pg_dump_older_than_the_server_falls_back_to_the_export(
    office: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "old-client"
    fake_program(folder, "pg_dump", "pg_dump (PostgreSQL) 9.6.24")
    monkeypatch.setenv("PATH", str(folder))
    full_case(office)
    result = backup(office.db, tmp_path / "office.backup")
    assert result.format == "sqlite" and result.claims == 1


def test_a_personal_sqlite_database_restores_onto_the_server(
    office: Services, tmp_path: Path
) -> None:
    personal = as_user(open_database(f"sqlite:///{tmp_path / 'personal.sqlite'}"), ADMIN)
    full_case(personal, "From The Laptop")
    saved = tmp_path / "laptop-backup.sqlite"
    backup(personal.db, saved)
    personal.db.dispose()
    full_case(office, "On The Server")
    restored = restore(office.db, saved, tmp_path / "backups")
    assert restored.claims == 1 and names(office) == ["From The Laptop"]


def test_damaged_or_foreign_backups_are_refused_and_change_nothing(
    office: Services, tmp_path: Path, postgres_server: str
) -> None:
    full_case(office, "Before Backup")
    saved = tmp_path / "office.dump"
    backup(office.db, saved)
    full_case(office, "Still Here")
    whole = saved.read_bytes()
    truncated = tmp_path / "truncated.dump"
    truncated.write_bytes(whole[: len(whole) * 2 // 3])
    # Damaged in the middle of its data: pg_restore reads the table of contents, then fails
    # part way through; the transaction its statements ran in is never committed.
    damaged = tmp_path / "damaged.dump"
    # (The table of contents is most of a small archive; the compressed rows are at its end.)
    middle = len(whole) * 95 // 100
    damaged.write_bytes(whole[:middle] + bytes(400) + whole[middle + 400 :])
    listed = subprocess.run(["pg_restore", "--list", str(damaged)], capture_output=True)
    assert listed.returncode == 0  # its table of contents is whole: the damage is in its data
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello")
    garbage = tmp_path / "garbage.dump"
    garbage.write_bytes(b"PGDMP" + b"\x00" * 200)
    foreign = tmp_path / "foreign.dump"
    with postgres.fresh_database(postgres_server, empty=True) as other:
        engine = create_engine(other)
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE songs (title text)"))
        engine.dispose()
        conninfo, env = _conninfo(other)
        subprocess.run(
            ["pg_dump", "-Fc", f"--file={foreign}", f"--dbname={conninfo}"], env=env, check=True
        )
    for bad, error, message in [
        (truncated, StorageError, "cannot be read as a pg_dump archive"),
        (damaged, StorageError, "failed .*the database is as it was"),
        (garbage, StorageError, "cannot be read as a pg_dump archive"),
        (foreign, NotAClaimDeskDatabaseError, "not of a ClaimDesk database"),
        (text_file, NotAClaimDeskDatabaseError, "not a ClaimDesk database"),
        (tmp_path / "missing.dump", StorageError, "There is no file"),
    ]:
        with pytest.raises(error, match=message):
            restore(office.db, bad, tmp_path / "backups")
        assert names(office) == ["Before Backup", "Still Here"], bad.name


def test_a_pg_dump_archive_needs_pg_restore_to_come_back(
    office: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full_case(office)
    saved = tmp_path / "office.dump"
    backup(office.db, saved)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(StorageError, match="needs PostgreSQL's pg_restore"):
        restore(office.db, saved, tmp_path / "backups")
    assert len(names(office)) == 1


def test_backup_and_restore_on_the_command_line(
    server_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office = ["--data-dir", str(tmp_path / "data"), "--db", server_url, "--user", ADMIN]
    assert main([*office, "demo", "--yes"]) == 0
    saved = tmp_path / "office.dump"
    capsys.readouterr()
    assert main([*office, "backup", "--out", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "Backed up 6 cases" in out and "pg_dump" in out
    assert main([*office, "demo", "--remove"]) == 0
    capsys.readouterr()
    assert main([*office, "restore", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "Restored 6 cases" in out and str(tmp_path / "data" / "backups") in out
    assert main([*office, "audit", "verify"]) == 0


def _conninfo(url: str) -> tuple[str, dict[str, str]]:
    from sqlalchemy.engine import make_url

    from claimdesk.storage.server_backup import libpq_target

    return libpq_target(make_url(url))


@pytest.mark.parametrize("client", ["pg_dump", "portable"])
def test_a_server_database_from_the_previous_revision_upgrades_after_a_backup(
    client: str, postgres_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server database at 0009 holding the sample office (tests/resources/schema/0009.sqlite,
    copied row for row) opens with this ClaimDesk: it is backed up at 0009, upgraded to the
    head, and every case is still there."""
    sample = SAMPLES / "0009.sqlite"
    with sqlite3.connect(sample) as original:
        cases = sorted(r[0] for r in original.execute("SELECT claimant_name FROM claims"))
        calls = original.execute("SELECT count(*) FROM call_log_entries").fetchone()[0]
    assert len(cases) >= 6 and calls > 0
    with postgres.fresh_database(postgres_server, empty=True) as url:
        postgres.load_sample(url, sample, tmp_path)
        if client == "portable":
            monkeypatch.setenv("PATH", str(tmp_path))
        db = open_database(url, backup_dir=tmp_path / "backups")
        try:
            with db.engine.connect() as connection:
                revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
                assert revision.scalar_one() == code_head()
            services = as_user(db, "Upgrader")
            found = services.claims.list_claims()
            assert sorted(c.claimant_name for c in found) == cases
            for case in found:
                exported = services.exchange.export_case(case.id)
                assert exported["claim"]["claimant_name"] == case.claimant_name
            assert services.audit.verify().ok
        finally:
            db.dispose()
    kept = list((tmp_path / "backups").glob("*-before-upgrade-from-0009-*"))
    assert len(kept) == 1
    if client == "portable":
        # The export is at the old revision, with the old rows.
        with sqlite3.connect(kept[0]) as connection:
            assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (
                "0009",
            )
            assert connection.execute("SELECT count(*) FROM claims").fetchone()[0] == len(cases)
    else:
        assert kept[0].suffix == ".dump" and kept[0].read_bytes()[:5] == b"PGDMP"


def test_an_encrypted_backup_restores_onto_the_server_with_its_password(
    office: Services, tmp_path: Path
) -> None:
    from claimdesk.errors import EncryptedDatabaseError
    from claimdesk.storage.backup import unlock_backup
    from claimdesk.storage.keys import new_data_key
    from tests.signin import TEST_PASSWORD

    laptop = as_user(
        open_database(f"sqlite:///{tmp_path / 'laptop.sqlite'}", key=new_data_key()), ADMIN
    )
    full_case(laptop, "Encrypted Case")
    saved = tmp_path / "laptop-backup.sqlite"
    made = backup(laptop.db, saved)
    laptop.db.dispose()
    assert made.key_file is not None and b"Encrypted Case" not in saved.read_bytes()
    full_case(office, "On The Server")
    with pytest.raises(EncryptedDatabaseError, match="password of an account it holds"):
        restore(office.db, saved, tmp_path / "backups")
    assert names(office) == ["On The Server"]
    key = unlock_backup(saved, TEST_PASSWORD)
    restored = restore(office.db, saved, tmp_path / "backups", source_key=key)
    assert restored.claims == 1 and names(office) == ["Encrypted Case"]


def test_the_window_suggests_the_backup_file_the_server_will_get(
    office: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert office.backups.backup_file() == ("claimdesk-backup.dump", "PostgreSQL archive (*.dump)")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert office.backups.backup_file()[0] == "claimdesk-backup.sqlite"


def test_a_user_the_server_does_not_know_is_said_plainly(
    server_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy.engine import make_url

    stranger = make_url(server_url).set(username="nobody_here")
    url = stranger.render_as_string(hide_password=False)
    code = main(["--db", url, "--user", ADMIN, "backup", "--out", str(tmp_path / "x.dump")])
    err = capsys.readouterr().err
    # (The wording of branch pgsetup's connection refusals is accepted too: they merge.)
    assert code == 1
    assert re.search("refused the database user or password|no database user of that name", err)
    assert not (tmp_path / "x.dump").exists()


def test_a_pg_dump_that_fails_falls_back_to_the_export(
    office: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "failing-client"
    folder.mkdir()
    program = folder / "pg_dump"
    program.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--version" ]; then echo "pg_dump (PostgreSQL) 99.1"; exit 0; fi\n'
        'echo "pg_dump: error: password authentication failed for user" >&2\n'
        "exit 1\n"
    )
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    full_case(office)
    kept = tmp_path / "backups"
    from claimdesk.storage.server_backup import keep_copy

    made = keep_copy(office.db, kept, "before-restore")
    assert made.suffix == ".sqlite" and made.read_bytes()[:16] == SQLITE_MAGIC
    assert [p.name for p in kept.iterdir()] == [made.name]  # no partial left behind


def test_a_server_archive_is_not_restored_into_a_file(office: Services, tmp_path: Path) -> None:
    full_case(office)
    saved = tmp_path / "office.dump"
    backup(office.db, saved)
    personal = as_user(open_database(f"sqlite:///{tmp_path / 'personal.sqlite'}"), ADMIN)
    try:
        full_case(personal, "Mine")
        with pytest.raises(NotAClaimDeskDatabaseError, match="restore it onto a server"):
            restore(personal.db, saved, tmp_path / "backups")
        assert names(personal) == ["Mine"]
    finally:
        personal.db.dispose()


WRITER = """
import sys, time
from datetime import UTC, datetime
from claimdesk.services import CallInput
from claimdesk.services.accounts import use_hasher
from claimdesk.storage import open_database
from tests.signin import FAST_HASHER, as_user
use_hasher(FAST_HASHER)
services = as_user(open_database(sys.argv[1]), "Writer")
end = time.monotonic() + float(sys.argv[3])
n = 0
while time.monotonic() < end:
    n += 1
    services.calls.log_call(int(sys.argv[2]), CallInput(
        occurred_at=datetime.now(UTC), person_name="Writer", summary=f"call {n}"))
print(n)
"""


@pytest.mark.slow
def test_backups_taken_while_another_workstation_writes_are_snapshots(
    office: Services, server_url: str, postgres_server: str, tmp_path: Path
) -> None:
    """Each backup holds one moment: the record integrity code printed with it is the head of
    the audit trail it holds, and that trail verifies, whichever kind of backup it is."""
    import sys

    from tests.conftest import REPO_ROOT

    claim_id = full_case(office)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, server_url, str(claim_id), "6"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    made = []
    try:
        time.sleep(1)
        made.append(backup(office.db, tmp_path / "during.dump"))
        saved_path = os.environ["PATH"]
        os.environ["PATH"] = str(tmp_path)
        try:
            made.append(backup(office.db, tmp_path / "during.sqlite"))
        finally:
            os.environ["PATH"] = saved_path
    finally:
        written = int(writer.communicate(timeout=120)[0])
    assert writer.returncode == 0 and written > 5
    assert [m.format for m in made] == ["pg_dump", "sqlite"]
    for result in made:
        with postgres.fresh_database(postgres_server) as url:
            db = open_database(url)
            try:
                restore(db, result.path, tmp_path / "backups")
                with db.engine.connect() as connection:
                    check = audit_chain.verify(connection)
                assert check.ok and check.head == result.chain_head, result.format
            finally:
                db.dispose()


def test_the_portable_export_restores_into_a_personal_file(
    office: Services, tmp_path: Path, without_pg_dump: None
) -> None:
    full_case(office, "From The Office")
    saved = tmp_path / "office-export.sqlite"
    backup(office.db, saved)
    personal = as_user(open_database(f"sqlite:///{tmp_path / 'personal.sqlite'}"), ADMIN)
    try:
        full_case(personal, "Mine")
        restored = restore(personal.db, saved, tmp_path / "backups")
        assert restored.claims == 1 and names(personal) == ["From The Office"]
    finally:
        personal.db.dispose()


def test_a_restore_failing_half_way_leaves_the_server_as_it_was(
    office: Services, tmp_path: Path, without_pg_dump: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Everything was dropped and half the rows copied when the copy is found wrong: the one
    transaction rolls back, and the tables, rows and audit trail are those of before."""
    from claimdesk.storage import transfer

    full_case(office, "Before Backup")
    saved = tmp_path / "office-export.sqlite"
    backup(office.db, saved)
    full_case(office, "Still Here")
    url = office.db.engine.url.render_as_string(hide_password=False)
    head = office.audit.head()
    real = transfer._table_check

    def wrong(connection: object, table: object) -> transfer.TableCheck:
        found = real(connection, table)  # type: ignore[arg-type]
        if table.name == "notes":  # type: ignore[attr-defined]
            return transfer.TableCheck(found.rows + 1, found.sha256)
        return found

    monkeypatch.setattr(transfer, "_table_check", wrong)
    with pytest.raises(StorageError, match="copy of table notes differs"):
        restore(office.db, saved, tmp_path / "backups")
    assert names(office) == ["Before Backup", "Still Here"]
    assert office.audit.head() == head and chain_ok(url)

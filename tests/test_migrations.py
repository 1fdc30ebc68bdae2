"""Schema upgrades on real old files; refusing databases this version must not touch."""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from claimdesk.errors import NotAClaimDeskDatabaseError, SchemaTooNewError, StorageError
from claimdesk.models import Base
from claimdesk.storage import Database, open_database
from claimdesk.storage.migrate import code_head, include_name
from tests.pinned import pinned_clock
from tests.signin import as_user

SAMPLES = sorted((Path(__file__).parent / "resources" / "schema").glob("*.sqlite"))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dump(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def test_migrations_build_exactly_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


@pytest.mark.sqlite_only
def test_sqlite_is_tuned_for_safety(db: Database) -> None:
    with db.engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("synchronous") == 2  # FULL
        assert pragma("busy_timeout") >= 10_000


def test_there_is_a_sample_for_the_current_schema() -> None:
    assert code_head() in {p.stem for p in SAMPLES}, (
        "every schema change commits a sample database: run scripts/make-sample-db"
    )


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_sample_database_upgrades_and_keeps_its_cases(sample: Path, tmp_path: Path) -> None:
    path = tmp_path / "claimdesk.sqlite"
    shutil.copy(sample, path)
    with sqlite3.connect(sample) as original:
        claims_before = original.execute("SELECT count(*) FROM claims").fetchone()[0]
        calls_before = original.execute("SELECT count(*) FROM call_log_entries").fetchone()[0]
    assert claims_before >= 6 and calls_before > 0
    db = open_database(f"sqlite:///{path}", backup_dir=tmp_path / "backups")
    try:
        with db.engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == code_head()
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        services = as_user(db, "Upgrader")
        cases = services.claims.list_claims()
        assert len(cases) == claims_before
        for case in cases:
            exported = services.exchange.export_case(case.id)
            assert exported["claim"]["claimant_name"] == case.claimant_name
        if sample.stem != code_head():
            backups = list((tmp_path / "backups").glob("*.sqlite"))
            # A page-level copy (SQLite's backup API): the same content, not the same bytes.
            assert len(backups) == 1 and dump(backups[0]) == dump(sample)
    finally:
        db.dispose()


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_sample_database_on_the_server_upgrades_and_keeps_its_cases(
    sample: Path, tmp_path: Path, postgres_server: str
) -> None:
    """The PostgreSQL counterpart: a server database built at the sample's revision and
    filled with its rows (storage/transfer.py, as 'migrate-db' copies) opens with this
    ClaimDesk, which backs it up, upgrades it to the head and finds every case."""
    from tests import postgres

    with sqlite3.connect(sample) as original:
        names = sorted(row[0] for row in original.execute("SELECT claimant_name FROM claims"))
    with postgres.fresh_database(postgres_server, empty=True) as url:
        postgres.load_sample(url, sample, tmp_path)
        db = open_database(url, backup_dir=tmp_path / "backups")
        try:
            with db.engine.connect() as connection:
                assert MigrationContext.configure(connection).get_current_revision() == code_head()
            services = as_user(db, "Upgrader")
            cases = services.claims.list_claims()
            assert sorted(c.claimant_name for c in cases) == names
            for case in cases:
                exported = services.exchange.export_case(case.id)
                assert exported["claim"]["claimant_name"] == case.claimant_name
        finally:
            db.dispose()
    kept = list((tmp_path / "backups").glob(f"*-before-upgrade-from-{sample.stem}-*"))
    assert len(kept) == (0 if sample.stem == code_head() else 1)


def test_database_newer_than_the_code_is_refused_untouched(db_path: Path) -> None:
    open_database(f"sqlite:///{db_path}").dispose()
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    before = digest(db_path)
    with pytest.raises(SchemaTooNewError, match="newer version of ClaimDesk"):
        open_database(f"sqlite:///{db_path}")
    assert digest(db_path) == before


def test_someone_elses_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "music.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE songs (title TEXT)")
    with pytest.raises(NotAClaimDeskDatabaseError, match="not a ClaimDesk database"):
        open_database(f"sqlite:///{path}")


def test_a_file_that_is_not_a_database_gets_advice(tmp_path: Path) -> None:
    path = tmp_path / "claimdesk.sqlite"
    path.write_bytes(b"this is a letter, not a database" * 100)
    with pytest.raises(StorageError, match="damaged"):
        open_database(f"sqlite:///{path}")


def test_unwritable_data_folder_gets_advice(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError, match="--data-dir"):
        open_database(f"sqlite:///{blocker / 'sub' / 'claimdesk.sqlite'}")


def test_upgrade_rebuilding_a_parent_table_keeps_every_child_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batch mode copies a table, drops the old one and renames: with foreign keys on, the
    drop would cascade-delete every call, note and document of every case."""
    from claimdesk.storage import migrate
    from tests.builders import full_case

    path = tmp_path / "claimdesk.sqlite"
    db = open_database(f"sqlite:///{path}")
    full_case(as_user(db, "Before", clock=pinned_clock()))
    db.dispose()
    with sqlite3.connect(path) as connection:
        children_before = connection.execute("SELECT count(*) FROM call_log_entries").fetchone()
    seen_foreign_keys: list[int] = []

    def rebuild_claims(config: object, head: str) -> None:
        connection = config.attributes["connection"]  # type: ignore[attr-defined]
        seen_foreign_keys.append(connection.exec_driver_sql("PRAGMA foreign_keys").scalar())
        create = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'claims'"
        ).scalar()
        # A table an earlier batch rebuild renamed into place has its name quoted.
        connection.exec_driver_sql(re.sub(r'CREATE TABLE "?claims"?', "CREATE TABLE _new", create))
        connection.exec_driver_sql("INSERT INTO _new SELECT * FROM claims")
        connection.exec_driver_sql("DROP TABLE claims")
        connection.exec_driver_sql("ALTER TABLE _new RENAME TO claims")
        connection.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{head}'")

    from claimdesk.storage import db as storage_db

    real_head = code_head()
    revisions = migrate.known_revisions() | {"9000_test"}
    monkeypatch.setattr(storage_db, "SCHEMA_HEAD", "9000_test")
    monkeypatch.setattr(migrate, "code_head", lambda: "9000_test")
    monkeypatch.setattr(migrate, "known_revisions", lambda: revisions)
    monkeypatch.setattr(migrate.command, "upgrade", rebuild_claims)
    db = open_database(f"sqlite:///{path}", backup_dir=tmp_path / "backups")
    try:
        assert seen_foreign_keys == [0]
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # back on
            children = connection.exec_driver_sql("SELECT count(*) FROM call_log_entries")
            assert tuple(children.one()) == children_before
        backups = (tmp_path / "backups").glob(f"*-before-upgrade-from-{real_head}-*.sqlite")
        assert len(list(backups)) == 1
    finally:
        db.dispose()


def test_schema_head_constant_is_alembics_head() -> None:
    from claimdesk.storage.db import SCHEMA_HEAD

    assert code_head() == SCHEMA_HEAD, "update SCHEMA_HEAD in claimdesk/storage/db.py"

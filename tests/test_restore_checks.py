"""Restore refuses a copy that lacks a table, a column, a link or a document's true bytes.

Each broken copy starts from a committed sample database (6 cases, 32 documents), at the old
schema and at the current one: an old file is brought to the current schema in a private
folder first, so what is checked is what would be restored.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from claimdesk.errors import StorageError
from claimdesk.partials import new_partial
from claimdesk.services import Services
from claimdesk.storage.backup import restore
from claimdesk.storage.migrate import code_head
from tests.builders import full_case

SAMPLES = sorted((Path(__file__).parent / "resources" / "schema").glob("*.sqlite"))
FIRST_DOCUMENT = "(SELECT min(document_id) FROM document_contents)"
BREAKAGES = {
    "notes dropped": ("DROP TABLE notes", "no 'notes' table"),
    "column dropped": (
        "ALTER TABLE documents DROP COLUMN description",
        "'documents' table has no 'description' column",
    ),
    "document zeroed": (
        f"UPDATE document_contents SET data = zeroblob(length(data)) "
        f"WHERE document_id = {FIRST_DOCUMENT}",
        r"the file of document \d+ of case CD-\d{4}-\d{4} does not match its stored SHA-256",
    ),
    "document bytes gone": (
        f"DELETE FROM document_contents WHERE document_id = {FIRST_DOCUMENT}",
        r"lost the file of document \d+",
    ),
    "broken link": (
        "UPDATE notes SET claim_id = 999999 WHERE id = (SELECT min(id) FROM notes)",
        "a row of 'notes' refers to a missing row of 'claims'",
    ),
    "audit trigger dropped": (
        "DROP TRIGGER audit_events_no_delete",
        "no 'audit_events_no_delete' trigger",
    ),
}


def dump(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def broken_copy(sample: Path, statement: str, folder: Path) -> Path:
    copy = folder / f"ClaimDesk backup #{sample.stem}.sqlite"
    shutil.copy(sample, copy)
    connection = sqlite3.connect(copy)  # foreign keys off: the damage goes in unchecked
    try:
        connection.execute(statement)
        connection.commit()
    finally:
        connection.close()
    return copy


@pytest.mark.parametrize("breakage", BREAKAGES, ids=str)
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_restore_refuses_a_broken_copy_and_touches_nothing(
    breakage: str, sample: Path, services: Services, db_path: Path, tmp_path: Path
) -> None:
    full_case(services, "Still Here")
    statement, message = BREAKAGES[breakage]
    copy = broken_copy(sample, statement, tmp_path)
    before = dump(db_path)

    with pytest.raises(StorageError, match=message) as raised:
        restore(services.db, copy, tmp_path / "backups")

    assert copy.name in str(raised.value)
    assert str(raised.value).endswith("The current database was left untouched.")
    assert dump(db_path) == before
    assert [c.claimant_name for c in services.claims.list_claims()] == ["Still Here"]
    assert not (tmp_path / "backups").exists()  # not even a copy of the current one
    assert not list(tmp_path.glob(".restore-check-*"))  # the checked copy is gone


@pytest.mark.sqlite_only
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_restore_of_an_intact_sample_brings_it_to_the_current_schema(
    sample: Path, services: Services, tmp_path: Path
) -> None:
    full_case(services, "Replaced")
    result = restore(services.db, sample, tmp_path / "backups")
    assert result.claims == 6
    assert result.upgraded == (sample.stem != code_head())
    cases = services.claims.list_claims()
    assert len(cases) == 6 and "Replaced" not in {c.claimant_name for c in cases}
    # Every document reads back (services check each one's SHA-256 on read).
    for case in cases:
        for document in services.documents.documents(case.id):
            assert services.documents.content(document.id)
    assert not list(tmp_path.glob(".restore-check-*"))


@pytest.mark.sqlite_only
@pytest.mark.skipif(os.name != "posix", reason="the lock is flock() on POSIX")
def test_a_killed_restores_folder_goes_at_the_next_restore_and_a_running_ones_stays(
    services: Services, tmp_path: Path
) -> None:
    full_case(services)
    saved = tmp_path / "saved" / "backup.sqlite"
    saved.parent.mkdir()
    shutil.copy(SAMPLES[-1], saved)
    dead = tmp_path / ".restore-check-dead"
    dead.mkdir()
    (dead / "candidate.sqlite").write_bytes(b"someone's health records")
    os.close(new_partial(dead / "restore").fd)  # its process died: the lock went with it
    running = tmp_path / ".restore-check-running"
    running.mkdir()
    marker = new_partial(running / "restore")
    try:
        restore(services.db, saved, tmp_path / "backups")
        assert not dead.exists()
        assert marker.path.exists()
    finally:
        marker.discard()

"""Reading the audit trail (administrators only), its CSV export, and where its head is
printed: `claimdesk audit`, `claimdesk backup` and the packet's exhibit index."""

from __future__ import annotations

import csv
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from claimdesk.cli import main
from claimdesk.errors import PermissionDenied, ValidationError
from claimdesk.models.enums import Role
from claimdesk.services import Services
from claimdesk.services.audit import CSV_HEADER, AuditFilter
from claimdesk.storage import Database
from tests.builders import full_case
from tests.pinned import TODAY, pinned_clock
from tests.signin import as_user

SAMPLE = Path(__file__).parent / "resources" / "schema" / "0009.sqlite"
ADMIN = "Sample Maker"  # the sample's administrator (scripts/make-sample-db), TEST_PASSWORD


def two_people(db: Database) -> tuple[Services, Services, int, int]:
    """Ana opens a case and logs on it; a day later Ben opens another and adds a note."""
    clock = pinned_clock()
    ana = as_user(db, "Ana Admin", clock=clock)
    first = full_case(ana, "First Claimant")
    clock.advance(timedelta(days=1))
    ben = as_user(db, "Ben Caseworker", clock=clock, role=Role.CASEWORKER)
    second = full_case(ben, "Second Claimant")
    ben.claims.add_note(first, "Ben looked at Ana's case too")
    return ana, ben, first, second


def test_the_trail_names_who_did_what_to_which_case_never_values(db: Database) -> None:
    ana, _, first, _ = two_people(db)
    page = ana.audit.trail()
    assert not page.truncated
    assert [e.id for e in page.events] == sorted((e.id for e in page.events), reverse=True)
    opened = next(e for e in page.events if e.entity == "claim" and e.action == "create")
    assert opened.case_number.startswith("CD-") and opened.user in {"Ana Admin", "Ben Caseworker"}
    assert "claimant_name" in opened.fields.split(",")
    for event in page.events:  # field names only: no claimant, no note text, no reason
        assert "Claimant" not in event.fields and "looked at" not in event.fields
    attached = [e for e in page.events if e.sha256]
    assert attached and all(e.entity == "document" for e in attached)
    del first


def test_the_trail_filters_by_person_case_and_days(db: Database) -> None:
    ana, _, first, second = two_people(db)
    people = {p.label: p.id for p in ana.audit.people()}
    bens = ana.audit.trail(AuditFilter(user_id=people["Ben Caseworker"])).events
    assert bens and {e.user for e in bens} == {"Ben Caseworker"}
    on_first = ana.audit.trail(AuditFilter(claim_id=first)).events
    assert {e.claim_id for e in on_first} == {first}
    assert {e.user for e in on_first} == {"Ana Admin", "Ben Caseworker"}
    both = ana.audit.trail(AuditFilter(user_id=people["Ben Caseworker"], claim_id=first)).events
    assert [e.action for e in both] == ["create"] and both[0].entity == "note"
    today = TODAY  # Ana's day; Ben's is the next
    first_day = ana.audit.trail(AuditFilter(start=today, end=today)).events
    assert first_day and {e.user for e in first_day} == {"Ana Admin"}
    next_day = ana.audit.trail(AuditFilter(start=today + timedelta(days=1))).events
    assert {e.user for e in next_day} == {"Ben Caseworker"}
    assert ana.audit.trail(AuditFilter(end=today - timedelta(days=1))).events == []
    cases = {c.id for c in ana.audit.cases()}
    assert {first, second} <= cases
    with pytest.raises(ValidationError, match="swap them"):
        ana.audit.trail(AuditFilter(start=today, end=today - timedelta(days=2)))


def test_the_trail_is_cut_to_the_newest_and_says_so(db: Database) -> None:
    ana, *_ = two_people(db)
    page = ana.audit.trail(limit=5)
    assert len(page.events) == 5 and page.truncated
    newest = ana.audit.trail().events[:5]
    assert page.events == newest


def test_csv_export_holds_every_matching_event_oldest_first(db: Database, tmp_path: Path) -> None:
    ana, _, first, _ = two_people(db)
    out = tmp_path / "audit.csv"
    count = ana.audit.export_csv(out, AuditFilter(claim_id=first))
    with out.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    assert tuple(table[0]) == CSV_HEADER
    assert len(table) == count + 1 == len(ana.audit.trail(AuditFilter(claim_id=first)).events) + 1
    ids = [int(row[0]) for row in table[1:]]
    assert ids == sorted(ids)
    assert {row[7] for row in table[1:]} == {str(first)}
    assert all(len(row[10]) == 64 for row in table[1:])
    assert "Claimant" not in out.read_text(encoding="utf-8-sig")


def test_a_name_starting_like_a_formula_is_written_as_text(db: Database, tmp_path: Path) -> None:
    services = as_user(db, "=HYPERLINK(1)", clock=pinned_clock())
    full_case(services)
    out = tmp_path / "audit.csv"
    services.audit.export_csv(out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        people = {row[2] for row in list(csv.reader(handle))[1:]}
    assert people == {"'=HYPERLINK(1)"}


@pytest.mark.parametrize("role", ["caseworker", "volunteer"])
def test_only_an_administrator_reads_the_trail(db: Database, tmp_path: Path, role: str) -> None:
    ana, *_ = two_people(db)
    ben = as_user(db, f"A {role}", clock=pinned_clock(), role=Role(role))
    for read in (
        ben.audit.trail,
        ben.audit.people,
        ben.audit.cases,
        lambda: ben.audit.export_csv(tmp_path / "x.csv"),
    ):
        with pytest.raises(PermissionDenied, match=f"A {role} account can.*read the audit trail"):
            read()
    assert not (tmp_path / "x.csv").exists()
    # Checking the chain reveals nothing of a case: anyone may.
    assert ben.audit.verify().ok
    assert ana.audit.trail().events


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "claimdesk.sqlite")
    return folder


def test_cli_verify_exit_codes(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "--user", ADMIN, "audit", "verify")
    assert code == 0
    assert out.startswith("audit trail intact: ") and "record integrity: " in out
    printed = out.strip().rsplit(" ", 1)[1]
    assert len(printed) == 16
    code, out, _ = run(
        capsys, "--data-dir", str(data_dir), "--user", ADMIN, "audit", "verify", "--head", printed
    )
    assert code == 0 and "1 printed code found" in out
    code, out, _ = run(
        capsys,
        "--data-dir",
        str(data_dir),
        "--user",
        ADMIN,
        "audit",
        "verify",
        "--head",
        "0123456789abcdef",
    )
    assert code == 1 and "0123456789abcdef is not in the trail" in out
    code, _, err = run(
        capsys, "--data-dir", str(data_dir), "--user", ADMIN, "audit", "verify", "--head", "xyz"
    )
    assert code == 1 and "is not a record integrity code" in err

    connection = sqlite3.connect(data_dir / "claimdesk.sqlite")
    (when,) = connection.execute("SELECT occurred_at FROM audit_events WHERE id = 101").fetchone()
    connection.execute("DROP TRIGGER audit_events_no_update")
    connection.execute("UPDATE audit_events SET action = 'view' WHERE id = 101")
    connection.commit()
    connection.close()
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "--user", ADMIN, "audit", "verify")
    assert code == 1
    assert out.count("\n") == 1  # one line naming the event and its time
    assert out.startswith(f"audit trail broken at event 101 ({when[:19]} UTC): it was altered")


def test_cli_list_and_csv(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(
        capsys,
        "--data-dir",
        str(data_dir),
        "--user",
        ADMIN,
        "audit",
        "list",
        "--case",
        "CD-2026-0002",
    )
    assert code == 0 and out.count("\n") > 5
    assert all("CD-2026-0002" in line for line in out.splitlines())
    csv_file = data_dir / "trail.csv"
    code, out, _ = run(
        capsys,
        "--data-dir",
        str(data_dir),
        "--user",
        ADMIN,
        "audit",
        "list",
        "--csv",
        str(csv_file),
    )
    assert code == 0 and out.startswith("Wrote ") and csv_file.exists()
    code, _, err = run(
        capsys, "--data-dir", str(data_dir), "--user", ADMIN, "audit", "list", "--person", "Nobody"
    )
    assert code == 1 and "there is no account named 'Nobody'" in err


def test_backup_prints_the_chain_head(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "--user", ADMIN, "audit", "verify")
    head = out.strip().rsplit(" ", 1)[1]
    code, out, _ = run(
        capsys,
        "--data-dir",
        str(data_dir),
        "--user",
        ADMIN,
        "backup",
        "--out",
        str(tmp_path / "b.sqlite"),
    )
    assert code == 0 and f"record integrity: {head}\n" in out


def test_the_packet_index_carries_the_record_integrity(services: Services, tmp_path: Path) -> None:
    claim_id = full_case(services)
    documents = services.documents.documents(claim_id)
    services.documents.set_packet_order(claim_id, [d.id for d in documents])
    head = services.audit.short_head()
    out = tmp_path / "packet.pdf"
    # The builder's files are not real PDFs or pictures: left out, as the option says.
    options = services.packets.options(claim_id, omit_unreadable=True)
    services.packets.export(claim_id, out, None, options)
    index = PdfReader(out).pages[0].extract_text()
    assert "Index of exhibits" in index
    assert f"record integrity: {head}" in index

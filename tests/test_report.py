"""`claimdesk report`: the period's figures as JSON, CSV and a PDF read back with pypdf; no
claimant names unless asked; the office's letterhead on every page."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from claimdesk.cli import main
from claimdesk.letters.letterhead import Letterhead, save_letterhead
from claimdesk.services import ClaimInput
from claimdesk.services.dashboard import DashboardFilter
from claimdesk.services.demo import load_demo
from claimdesk.services.report import ReportOptions
from claimdesk.storage import open_database
from tests.pinned import pinned_clock
from tests.signin import as_user

PERIOD = ("--from", "2026-01-01", "--to", "2026-12-31")


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the demo cases, one case that missed an insurer deadline, and a
    letterhead."""
    folder = tmp_path_factory.mktemp("office")
    database = open_database(f"sqlite:///{folder / 'claimdesk.sqlite'}")
    services = as_user(database, "Test Caseworker", folder, clock=pinned_clock())
    load_demo(services)
    late = services.claims.open_case(
        ClaimInput(
            claimant_name="Zelda Latecase",
            plan_type="erisa_disability",
            claim_type="disability",
            country="US",
            insurer_name="Northwind Mutual",
        )
    ).id
    services.appeals.record(
        late, "internal_1", filed_on=date(2026, 8, 27), received_on=date(2026, 9, 1)
    )
    (folder / "templates").mkdir()
    save_letterhead(
        folder / "templates",
        Letterhead(organisation="Riverside Patient Advocacy", address="12 Mill Lane\nSpringfield"),
    )
    database.dispose()
    return folder


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--user", "Test Caseworker", *args])  # the office's administrator
    out, err = capsys.readouterr()
    return code, out, err


def test_the_pdf_has_a_page_per_section_under_the_letterhead(
    capsys: pytest.CaptureFixture[str], office: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.pdf"
    code, said, _ = run(capsys, "--data-dir", str(office), "report", *PERIOD, "--pdf", str(out))
    assert code == 0, said
    assert "1 insurer deadlines missed" in said
    pages = [page.extract_text() for page in PdfReader(out).pages]
    assert len(pages) == 5
    for page, heading in zip(
        pages,
        ("Caseload", "Outcomes", "Insurer behaviour", "Money", "Insurer deadlines missed"),
        strict=True,
    ):
        assert "Riverside Patient Advocacy" in page
        assert heading in page
    assert "Open cases by caseworker and stage" in pages[0]
    assert "Quoted figure" in pages[1] and "illustrative" in pages[1]
    assert "Northwind Mutual" in pages[2]
    whole = " ".join(" ".join(pages).split())
    assert "29 CFR 2560.503-1(i)(3)(i)" in whole
    assert "29 CFR 2560.503-1(l)(2)" in whole
    assert "not legal advice" in whole
    assert "Zelda" not in whole  # no claimant names unless asked

    named = tmp_path / "named.pdf"
    run(capsys, "--data-dir", str(office), "report", *PERIOD, "--pdf", str(named), "--names")
    assert "Zelda Latecase" in " ".join(page.extract_text() for page in PdfReader(named).pages)


def test_json_and_csv_carry_the_same_tables(
    capsys: pytest.CaptureFixture[str], office: Path
) -> None:
    code, out, _ = run(capsys, "--data-dir", str(office), "report", *PERIOD, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["period"] == {"from": "2026-01-01", "to": "2026-12-31"}
    sections = {s["key"]: s for s in data["sections"]}
    assert set(sections) >= {"caseload", "outcome_level", "insurers", "money"}
    [alert] = data["missed_insurer_deadlines"]["listed"]
    assert alert["citation"] == "29 CFR 2560.503-1(i)(3)(i)"
    assert "claimant_name" not in alert
    assert "Zelda" not in out

    code, out, _ = run(capsys, "--data-dir", str(office), "report", *PERIOD, "--csv")
    rows = list(csv.reader(io.StringIO(out)))
    caseload = sections["caseload"]
    start = rows.index([caseload["title"]])
    assert rows[start + 1] == caseload["columns"]
    assert rows[start + 2 : start + 2 + len(caseload["rows"])] == caseload["rows"]


def test_a_period_that_ends_before_it_starts_is_refused(
    capsys: pytest.CaptureFixture[str], office: Path
) -> None:
    code, _, err = run(
        capsys, "--data-dir", str(office), "report", "--from", "2026-12-31", "--to", "2026-01-01"
    )
    assert code == 1 and "swap the dates" in err and err[-1] == "\n" and err.count("\n") == 1
    code, _, err = run(capsys, "--data-dir", str(office), "report", "--from", "31/12/2026")
    assert code == 1 and "write it as 2026-01-31" in err


def test_an_unwritable_pdf_is_one_line_and_nothing_half_written(
    capsys: pytest.CaptureFixture[str], office: Path, tmp_path: Path
) -> None:
    target = tmp_path / "no such folder" / "report.pdf"
    code, _, err = run(capsys, "--data-dir", str(office), "report", "--pdf", str(target))
    assert code == 1 and err.count("\n") == 1
    assert not target.parent.exists()


def test_the_service_renders_what_the_command_writes(office: Path) -> None:
    database = open_database(f"sqlite:///{office / 'claimdesk.sqlite'}")
    services = as_user(database, "Test Caseworker", office, clock=pinned_clock())
    try:
        options = ReportOptions(DashboardFilter(date(2026, 1, 1), date(2026, 12, 31)))
        pdf = services.report.render(options, "pdf")
        assert pdf.startswith(b"%PDF")
    finally:
        database.dispose()


def test_the_plain_text_report_is_a_table_per_section(
    capsys: pytest.CaptureFixture[str], office: Path
) -> None:
    code, out, _ = run(capsys, "--data-dir", str(office), "report", *PERIOD)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Report for 2026-01-01 to 2026-12-31 (as of 2026-11-04)"
    assert "Open cases by caseworker and stage" in lines
    assert not [line for line in lines if line != line.rstrip()]
    assert "Insurer deadlines missed: 1" in out
    assert "Zelda" not in out


def test_a_csv_cell_never_runs_as_a_formula(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'claimdesk.sqlite'}")
    services = as_user(database, "Test Caseworker", tmp_path, clock=pinned_clock())
    try:
        services.claims.open_case(
            ClaimInput(
                claimant_name="Eve Example",
                plan_type="uk_private",
                claim_type="health",
                country="GB",
                insurer_name='=HYPERLINK("http://example.invalid","x")',
            )
        )
        claim_id = services.claims.list_claims()[0].id
        services.appeals.add_event(claim_id, "complaint_sent", date(2026, 8, 3))
        text = services.report.render(ReportOptions(DashboardFilter()), "csv").decode()
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        assert '\'=HYPERLINK("http://example.invalid","x")' in cells
        assert not [cell for cell in cells if cell.startswith("=")]
    finally:
        database.dispose()

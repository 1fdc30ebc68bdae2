"""Hostile case files and arguments: a one-line message, nothing stored, nothing raw on screen.

Each import case below goes through the service and through a real ``claimdesk import``
process. The dates are fixed ones outside any window ClaimDesk accepts, so no test depends on
today's date.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from claimdesk.errors import ImportFormatError
from claimdesk.models import Claim, Document
from claimdesk.services import Services
from claimdesk.storage import open_database
from tests.builders import full_case
from tests.conftest import REPO_ROOT
from tests.signin import as_user

Edit = Callable[[dict[str, Any]], None]


def setter(*path: Any, value: Any) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        target: Any = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return edit


def document_bytes(data: bytes, name: str = "evil.pdf", **fields: Any) -> Edit:
    """Replace the first document's bytes (with a matching sha256) and set other fields."""

    def edit(document: dict[str, Any]) -> None:
        record = document["claim"]["documents"][0]
        record["content_base64"] = base64.b64encode(data).decode()
        record["sha256"] = hashlib.sha256(data).hexdigest()
        record["original_name"] = name
        record.update(fields)

    return edit


# (name, edit, what the one-line message says)
REFUSED: list[tuple[str, Edit, str]] = [
    ("year 1", setter("claim", "denial_letter_date", value="0001-01-01"), "outside the dates"),
    ("year 9999", setter("claim", "claimant_birth_date", value="9999-12-31"), "outside the dates"),
    (
        "time past year 9999 in UTC",
        setter("claim", "calls", 0, "occurred_at", value="9999-12-31T23:00:00-05:00"),
        r"claim\.calls\[0\]\.occurred_at: .*outside the dates",
    ),
    (
        "time before year 1 in UTC",
        setter("claim", "calls", 0, "occurred_at", value="0001-01-01T00:00:00+05:00"),
        "outside the dates",
    ),
    (
        "empty claimant",
        setter("claim", "claimant_name", value="   "),
        r"claim\.claimant_name: Claimant's name is required",
    ),
    (
        "claimant only control characters",
        setter("claim", "claimant_name", value="\x1b\x07\u202e\ud800"),
        "Claimant's name is required",
    ),
    (
        "million-character note",
        setter("claim", "notes", 0, "body", value="x" * 1_000_000),
        r"claim\.notes\[0\]\.body: Note is too long \(1000000 characters; at most 20000\)",
    ),
    (
        "1 MB call summary",
        setter("claim", "calls", 0, "summary", value="word " * 200_000),
        "What was said is too long",
    ),
    ("NUL", setter("claim", "denial_reason", value="a\x00b"), "NUL character"),
    ("huge page count", setter("claim", "documents", 0, "pages", value=10**30), "out of range"),
    ("page count as text", setter("claim", "documents", 0, "pages", value="-5"), "whole number"),
    ("name as a number", setter("claim", "claimant_name", value=5), "expected text"),
    ("text where a list goes", setter("claim", "calls", value="call-1"), "expected a list"),
    (
        "text where promises go",
        setter("claim", "calls", 0, "promises", value="abc"),
        r"claim\.calls\[0\]\.promises: expected a list",
    ),
    ("number in a list of records", setter("claim", "notes", value=[1]), "expected an object"),
    ("list as a date", setter("claim", "denial_letter_date", value=[2026]), "expected a date"),
    ("negative amount", setter("claim", "amount_minor", value=-5), "between 0 and"),
    (
        "three-day call",
        setter("claim", "calls", 0, "duration_minutes", value=10**6),
        "between 0 and 1440",
    ),
    ("unknown zone", setter("claim", "calls", 0, "time_zone", value="Mars/Olympus"), "time zone"),
    (
        "zone long enough to break a path",
        setter("claim", "calls", 0, "time_zone", value="a" * 5000),
        "longer than 64",
    ),
    ("country with ESC", setter("claim", "country", value="\x1bU"), "not a country code"),
    ("packet place 0", setter("claim", "documents", 0, "packet_position", value=0), "between 1"),
    ("user of controls", setter("claim", "notes", 0, "created_by", value="\x1b"), "user's name"),
    ("empty document", document_bytes(b""), "empty"),
    (
        "sha256 not the file's",
        setter("claim", "documents", 0, "sha256", value="0" * 64),
        "does not match",
    ),
    (
        "request due before it was sent",
        setter("claim", "requests", 0, "due_on", value="1990-01-01"),
        r"claim\.requests\[0\]: The due date cannot be before",
    ),
    ("key used twice", setter("claim", "notes", 0, "key", value="doc-1"), "used twice"),
]


def claim_count(services: Services) -> int:
    with services.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Claim)) or 0)


def table_counts(services: Services) -> tuple[int, ...]:
    tables = ("claims", "documents", "call_log_entries", "notes", "users", "organisations")
    with services.db.read() as session:
        return tuple(
            session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables
        )


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("source")
    source = as_user(open_database(f"sqlite:///{folder / 'source.sqlite'}"), "Source")
    return source.exchange.export_case(full_case(source))


def hostile(exported: dict[str, Any], edit: Edit) -> dict[str, Any]:
    document = copy.deepcopy(exported)
    edit(document)
    return document


@pytest.mark.parametrize(("name", "edit", "message"), REFUSED, ids=[c[0] for c in REFUSED])
def test_the_service_refuses_with_a_message_and_stores_nothing(
    services: Services, exported: dict[str, Any], name: str, edit: Edit, message: str
) -> None:
    _ = services.accounts.principal  # the session's own account, made when it begins
    before = table_counts(services)
    with pytest.raises(ImportFormatError, match=message) as caught:
        services.exchange.import_case(hostile(exported, edit))
    assert "\n" not in str(caught.value)
    assert table_counts(services) == before


def run_cli(data_dir: Path, *args: str, user: str = "") -> subprocess.CompletedProcess[str]:
    """``claimdesk`` in its own process, signing in with the test password (conftest.py puts
    it in $CLAIMDESK_PASSWORD_FILE); a new data folder is set up first, as a personal one."""
    command = [sys.executable, "-m", "claimdesk", "--data-dir", str(data_dir)]
    if user:
        command += ["--user", user]
    if not (data_dir / "claimdesk.sqlite").exists():
        subprocess.run(
            [*command, "setup", "--personal"],
            cwd=REPO_ROOT,
            timeout=120,
            check=True,
            capture_output=True,
        )
    return subprocess.run(
        [*command, *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        errors="surrogateescape",
        timeout=120,
        check=False,
    )


def test_the_command_refuses_every_case_in_one_line(
    tmp_path: Path, exported: dict[str, Any]
) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    files = [(deep, "nests lists or objects too deeply")]
    for index, (_, edit, message) in enumerate(REFUSED):
        path = tmp_path / f"case-{index}.json"
        # ensure_ascii keeps a lone surrogate writable (as \ud800), as another program might.
        path.write_text(json.dumps(hostile(exported, edit)), encoding="utf-8")
        files.append((path, message))
    for path, message in files:
        result = run_cli(tmp_path / "data", "import", str(path))
        assert result.returncode == 1, (path.name, result.stderr)
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("claimdesk: ")
        assert re.search(message, result.stderr), (message, result.stderr)
        assert "\x1b" not in result.stderr and "Traceback" not in result.stderr
    listed = run_cli(tmp_path / "data", "claims", "--json")
    assert json.loads(listed.stdout) == []


def test_what_the_services_would_clean_is_stored_clean(
    services: Services, exported: dict[str, Any]
) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["claim"]["claimant_name"] = "Ann\u202e \x1b[2JSmith\ud800\x9b"
        document["claim"]["calls"][0]["person_name"] = "Dana\u2066 Ortiz"
        document["claim"]["notes"][0]["body"] = "line one\nline\x07 two"
        document["claim"]["documents"][1]["original_name"] = "~/.bashrc"
        document["claim"]["documents"][1]["pages"] = -3
        document["claim"]["documents"][1]["size_bytes"] = 1

    new_id = services.exchange.import_case(hostile(exported, edit))
    claim = services.claims.get(new_id)
    assert claim.claimant_name == "Ann [2JSmith"
    assert services.calls.calls(new_id)[0].person_name == "Dana Ortiz"
    assert services.claims.notes(new_id)[0].body == "line one\nline two"
    (image,) = [d for d in services.documents.documents(new_id) if d.media_type == "image/png"]
    assert image.original_name == "bashrc"
    assert image.pages == 1 and image.size_bytes == 8 + 256  # a PNG: from its bytes


@pytest.mark.parametrize(
    ("name", "stored_as"),
    [("../../../../etc/cron.d/evil", "evil"), ("C:\\Windows\\evil.pdf", "evil.pdf")],
)
def test_a_document_keeps_only_a_safe_base_name(
    services: Services, exported: dict[str, Any], name: str, stored_as: str
) -> None:
    new_id = services.exchange.import_case(
        hostile(exported, document_bytes(b"%PDF-1.4\n% fake\n%%EOF", name=name))
    )
    names = {d.original_name for d in services.documents.documents(new_id)}
    assert stored_as in names and not any("/" in n or "\\" in n for n in names)


def test_type_pages_and_checksum_come_from_the_bytes(
    services: Services, exported: dict[str, Any]
) -> None:
    fake = b"not a pdf, 24 bytes long"
    edit = document_bytes(fake, name="report.pdf", media_type="application/pdf", pages=99999)
    new_id = services.exchange.import_case(hostile(exported, edit))
    with services.db.read() as session:
        row = session.scalars(
            select(Document).where(
                Document.claim_id == new_id, Document.original_name == "report.pdf"
            )
        ).one()
        assert (row.media_type, row.pages, row.size_bytes) == ("application/octet-stream", None, 24)
        assert row.sha256 == hashlib.sha256(fake).hexdigest()


# ---- nothing raw reaches the terminal -----------------------------------------------------------

RAW = ("\x1b", "\x9b", "\u202e", "\x07")


@pytest.fixture
def hostile_database(tmp_path: Path) -> Path:
    """A database holding control characters, as one written before they were stripped."""
    data = tmp_path / "data"
    data.mkdir()
    services = as_user(open_database(f"sqlite:///{data / 'claimdesk.sqlite'}"), "Setup")
    claim_id = full_case(services, name="Eve")
    with services.db.write() as session:
        session.execute(
            text("UPDATE claims SET claimant_name = :n WHERE id = :i"),
            {"n": "Eve \x1b[2J\x1b]0;owned\x07\u202eevil\x9b31m", "i": claim_id},
        )
        session.execute(
            text("UPDATE call_log_entries SET summary = :s"), {"s": "word \x1b[31mred\x1b[0m"}
        )
        session.execute(text("UPDATE deadlines SET title = title || ' \x1b[5m'"))
        session.execute(
            text("INSERT OR IGNORE INTO search_pending (claim_id) VALUES (:i)"), {"i": claim_id}
        )
    services.db.dispose()
    return data


@pytest.mark.parametrize(
    "args",
    [
        ["claims"],
        ["claims", "--json"],
        ["search", "word"],
        ["search", "Eve"],
        ["due", "--days", "3660"],
        ["due", "--json", "--days", "3660"],
        ["export", "1", "--out", "OUT"],
    ],
    ids=lambda a: " ".join(a),
)
def test_no_raw_control_character_reaches_the_terminal(
    hostile_database: Path, args: list[str]
) -> None:
    args = [str(hostile_database / "case.json") if a == "OUT" else a for a in args]
    result = run_cli(hostile_database, *args, user="Setup")
    assert result.returncode in (0, 3), result.stderr
    for raw in RAW:
        assert raw not in result.stdout and raw not in result.stderr
    if args[0] in ("claims", "search"):
        assert "\\x1b[2J" in result.stdout or "\\u001b[2J" in result.stdout
    if args[-1] == "--json":
        json.loads(result.stdout)  # escaped, and still JSON


def test_the_import_message_shows_a_hostile_name_escaped(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "claimdesk-case", "version": 1, "claim": {"\x1b[2J": 1}}))
    result = run_cli(tmp_path / "data", "import", str(bad))
    assert result.returncode == 1 and "unknown field '\\x1b[2J'" in result.stderr
    assert "\x1b" not in result.stderr


# ---- arguments ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["search", "--limit", "99999999999999999999", "word"], 1, "between 1 and 10,000"),
        (["search", "--limit", "0", "word"], 1, "between 1 and 10,000"),
        (["search", "--limit", "many", "word"], 2, "invalid int value"),
        (["export", "²", "--out", "x.json"], 1, "There is no case"),
        (["export", "9" * 30, "--out", "x.json"], 1, "There is no case"),
        (["--db", "nonsense", "claims"], 1, "not a database URL"),
        (
            [
                "rules",
                "calc",
                "US-ERISA-appeal-post",
                "--trigger",
                "2026-01-01T10:00",
                "--tz",
                "a" * 5000,
            ],
            1,
            "not a time zone",
        ),
        (
            ["rules", "calc", "US-ERISA-appeal-post", "--trigger", "9999-12-31T23:00:00-05:00"],
            1,
            "Check the year",
        ),
        (["search", "\udcff"], 1, "not valid UTF-8"),
    ],
)
def test_hostile_arguments_get_one_line_and_no_bug_exit(
    tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    result = run_cli(tmp_path / "data", *args)
    assert result.returncode == code, result.stderr
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_letter_for_an_impossible_call_number_is_refused(tmp_path: Path) -> None:
    from claimdesk.cli import record_number
    from claimdesk.errors import ValidationError

    with pytest.raises(ValidationError, match="--call: there is no record number"):
        record_number(10**20, "--call")
    assert record_number(None, "--call") is None and record_number(7, "--call") == 7


@pytest.mark.parametrize("moment", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+05:00"])
def test_logging_a_call_at_the_end_of_time_is_refused_with_a_message(
    services: Services, moment: str
) -> None:
    """The window and the CLI log calls through the service: its check must not overflow."""
    from claimdesk.errors import ValidationError
    from claimdesk.services.calls import CallInput

    claim_id = full_case(services, "Maria Lopez")
    before = len(services.calls.calls(claim_id))
    with pytest.raises(ValidationError, match="outside the dates ClaimDesk accepts"):
        services.calls.log_call(claim_id, CallInput(moment, person_name="Ann", summary="x"))
    assert len(services.calls.calls(claim_id)) == before

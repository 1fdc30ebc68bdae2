"""Whole-case export and import: identical round trips, and malformed files write nothing."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimdesk.errors import ImportFormatError
from claimdesk.services import Services
from claimdesk.services.validate import line
from claimdesk.storage import open_database
from tests.builders import full_case
from tests.pinned import pinned_clock
from tests.signin import as_user


def fresh_services(folder: Path) -> Services:
    return as_user(
        open_database(f"sqlite:///{folder / 'other.sqlite'}"), "Importer", clock=pinned_clock()
    )


def counts(services: Services) -> tuple[int, int, int]:
    with services.db.read() as session:
        from sqlalchemy import text

        return tuple(  # type: ignore[return-value]
            session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("claims", "documents", "call_log_entries")
        )


def test_export_import_export_is_identical(services: Services, tmp_path: Path) -> None:
    claim_id = full_case(services)
    first = services.exchange.export_case(claim_id)
    text = json.dumps(first, indent=2, ensure_ascii=False)
    other = fresh_services(tmp_path)
    new_id = other.exchange.import_case(json.loads(text))
    again = json.dumps(other.exchange.export_case(new_id), indent=2, ensure_ascii=False)
    assert again == text
    # Every kind of record made the trip.
    body = first["claim"]
    for section in (
        "calls",
        "requests",
        "documents",
        "second_opinions",
        "imes",
        "appeals",
        "events",
        "deadlines",
        "letters",
        "notes",
    ):
        assert body[section], section
    assert body["calls"][1]["amends"] == body["calls"][0]["key"]
    by_name = {d.original_name: d.id for d in other.documents.documents(new_id)}
    assert other.documents.content(by_name["denial letter.pdf"]).startswith(b"%PDF")
    assert other.documents.content(by_name["scan.png"]).endswith(bytes(range(256)))


def test_importing_into_the_same_database_gets_a_new_case_number(services: Services) -> None:
    claim_id = full_case(services)
    document = services.exchange.export_case(claim_id)
    new_id = services.exchange.import_case(document)
    assert services.claims.get(new_id).case_number != services.claims.get(claim_id).case_number
    # Shared directories are reused, not duplicated.
    assert len(services.specialists.search("Osei")) == 1


def mutations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], str]]:
    def changed(path: list[Any], value: Any) -> dict[str, Any]:
        result = copy.deepcopy(document)
        target: Any = result
        for step in path[:-1]:
            target = target[step]
        if value is KeyError:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        return result

    yield "format", changed(["format"], "something-else"), "not a ClaimDesk case file"
    yield "newer", changed(["version"], 99), "newer ClaimDesk"
    yield (
        "date",
        changed(["claim", "denial_letter_date"], "04/03/2026"),
        (r"claim\.denial_letter_date: expected a date"),
    )
    yield "enum", changed(["claim", "plan_type"], "platinum"), r"claim\.plan_type: 'platinum'"
    yield (
        "naive time",
        changed(["claim", "calls", 0, "occurred_at"], "2026-01-01T10:00:00"),
        (r"claim\.calls\[0\]\.occurred_at: expected a date and time with its UTC offset"),
    )
    yield "unknown", changed(["claim", "colour"], "blue"), "unknown field 'colour'"
    yield (
        "missing",
        changed(["claim", "claimant_name"], KeyError),
        (r"claim\.claimant_name: this field is missing"),
    )
    yield (
        "reference",
        changed(["claim", "requests", 0, "answered_by"], "doc-99"),
        (r"claim\.requests\[0\]\.answered_by: 'doc-99' does not name a record"),
    )
    yield "checksum", changed(["claim", "documents", 0, "content_base64"], "AAAA"), "does not match"
    yield "base64", changed(["claim", "documents", 0, "content_base64"], "***"), "not valid base64"
    yield "list", changed(["claim", "calls"], {"a": 1}), r"claim\.calls: expected a list"
    yield "bool", changed(["claim", "urgent"], "yes"), r"claim\.urgent: expected true or false"
    yield "huge", changed(["claim", "amount_minor"], 10**30), "out of range"
    yield "long", changed(["claim", "case_number"], "X" * 41), "longer than 40"
    yield "duplicate key", changed(["claim", "notes", 0, "key"], "doc-1"), "used twice"
    yield (
        "required link",
        changed(["claim", "second_opinions", 0, "specialist"], None),
        (r"claim\.second_opinions\[0\]\.specialist: this link is required"),
    )


def test_malformed_files_name_the_problem_and_write_nothing(services: Services) -> None:
    document = services.exchange.export_case(full_case(services))
    before = counts(services)
    for name, broken, message in mutations(document):
        with pytest.raises(ImportFormatError, match=message):
            services.exchange.import_case(broken)
        assert counts(services) == before, name


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def leaf_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        found = [path] if path else []
        for key, item in value.items():
            if key != "content_base64":
                found += leaf_paths(item, (*path, key))
        return found
    if isinstance(value, list):
        found = [path]
        for index, item in enumerate(value):
            found += leaf_paths(item, (*path, index))
        return found
    return [path]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("source")
    source = as_user(
        open_database(f"sqlite:///{folder / 'source.sqlite'}"), "Fuzzer", clock=pinned_clock()
    )
    return source.exchange.export_case(full_case(source))


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Services:
    folder = tmp_path_factory.mktemp("target")
    return as_user(
        open_database(f"sqlite:///{folder / 'target.sqlite'}"), "Fuzzer", clock=pinned_clock()
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_mutated_file_imports_whole_or_not_at_all(
    exported: dict[str, Any], target: Services, data: st.DataObject
) -> None:
    document = copy.deepcopy(exported)
    paths = leaf_paths(document)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        parent: Any = document
        try:
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = data.draw(json_values)
        except (KeyError, IndexError, TypeError):
            continue
    before = counts(target)
    try:
        new_id = target.exchange.import_case(document)
    except ImportFormatError as error:
        assert str(error)  # a message, and nothing written
        assert counts(target) == before
    else:
        assert counts(target)[0] == before[0] + 1
        # Stored as the new-case form would store it: one line, trimmed, no control characters.
        typed = document["claim"]["claimant_name"]
        assert target.claims.get(new_id).claimant_name == line(typed, "name", max_length=200)


@settings(max_examples=100, deadline=None)
@given(value=json_values)
def test_any_json_value_is_refused_cleanly(target: Services, value: Any) -> None:
    with pytest.raises(ImportFormatError):
        target.exchange.import_case(value)


def test_format_documentation_matches_the_code() -> None:
    from claimdesk.services.exchange import reference_tables
    from tests.conftest import REPO_ROOT

    doc = (REPO_ROOT / "docs" / "case-format.md").read_text(encoding="utf-8")
    assert reference_tables() in doc, "regenerate the field reference in docs/case-format.md"

"""Real regions per country: the rules' jurisdictions exist, "ZZ" is refused everywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimdesk import jurisdictions
from claimdesk.cli import main
from claimdesk.errors import ImportFormatError, ValidationError
from claimdesk.services import Services
from claimdesk.services import validate as v
from tests.builders import full_case
from tests.conftest import REPO_ROOT
from tests.test_exchange import fresh_services


def rule_jurisdictions() -> set[str]:
    found = set()
    for path in (REPO_ROOT / "resources" / "rules").glob("*.json"):
        text = path.read_text(encoding="utf-8")
        found |= {
            value
            for key, value in _pairs(json.loads(text))
            if key == "jurisdiction" and isinstance(value, str)
        }
    return found


def _pairs(node: object) -> list[tuple[str, object]]:
    if isinstance(node, dict):
        return [p for k, value in node.items() for p in [(k, value), *_pairs(value)]]
    if isinstance(node, list):
        return [p for item in node for p in _pairs(item)]
    return []


def test_every_rule_jurisdiction_is_a_listed_country_and_region() -> None:
    found = rule_jurisdictions()
    assert {"US", "US-CA", "CA-QC", "GB", "AU", "IN"} <= found
    for code in found:
        country, _, region = code.partition("-")
        assert jurisdictions.knows(country), code
        if region:
            assert jurisdictions.canonical(country, region) == region, code


def test_the_lists_hold_the_real_regions() -> None:
    us = dict(jurisdictions.regions("US"))
    assert len(us) == 57  # 50 states, DC and 6 territories
    assert us["DC"] == "District of Columbia" and us["PR"] == "Puerto Rico"
    assert len(jurisdictions.regions("CA")) == 13
    assert len(jurisdictions.regions("AU")) == 8
    assert {code for code, _ in jurisdictions.regions("GB")} == {"ENG", "SCT", "WLS", "NIR"}
    assert len(jurisdictions.regions("IN")) == 36  # 28 states and 8 union territories
    assert jurisdictions.regions("DE") == []
    assert jurisdictions.region_name("US", "ny") == "New York"


@pytest.mark.parametrize(
    ("country", "typed", "kept"),
    [("US", "ca", "CA"), ("IN", "OR", "OD"), ("GB", "sct", "SCT"), ("AU", "NSW", "NSW"),
     ("DE", "BY", "BY"), ("US", "", "")],
)  # fmt: skip
def test_region_of_accepts_real_codes(country: str, typed: str, kept: str) -> None:
    assert v.region_of(country, typed) == kept


@pytest.mark.parametrize(("country", "typed"), [("US", "ZZ"), ("CA", "CA"), ("AU", "VC"),
                                                ("IN", "XX"), ("GB", "LON")])  # fmt: skip
def test_region_of_refuses_made_up_codes(country: str, typed: str) -> None:
    with pytest.raises(ValidationError, match=r"is not a .* of .*; use its code, such as"):
        v.region_of(country, typed)


def zz_case_file(services: Services) -> dict[str, object]:
    document = services.exchange.export_case(full_case(services))
    document["claim"]["region"] = "ZZ"  # type: ignore[index]
    return document


def test_case_file_import_refuses_zz(services: Services, tmp_path: Path) -> None:
    other = fresh_services(tmp_path)
    with pytest.raises(ImportFormatError, match="'ZZ' is not a state or territory"):
        other.exchange.import_case(zz_case_file(services))
    assert other.claims.list_claims() == []


def test_cli_import_refuses_zz_in_one_line(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case_file = tmp_path / "zz.json"
    case_file.write_text(json.dumps(zz_case_file(services), default=str), encoding="utf-8")
    code = main(["--data-dir", str(tmp_path / "cli"), "import", str(case_file)])
    _, err = capsys.readouterr()
    assert code != 0
    assert "'ZZ' is not a state or territory of the United States" in err
    assert "Traceback" not in err and err.count("\n") <= 2

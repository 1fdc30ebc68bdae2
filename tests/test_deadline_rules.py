"""The rule data: every rule of DOMAIN.md's table is there, well formed, and checked on load."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from claimdesk.deadlines import DeadlineRuleError, load_rules
from claimdesk.deadlines.rules import _OPTIONAL, _REQUIRED, CONFIDENCES, PARTIES
from claimdesk.models.enums import AppealLevel, Confidence, Party, PlanType
from claimdesk.services.schedule import rule_book
from tests.conftest import REPO_ROOT

# The ids of the table in DOMAIN.md, "Deadline rules", in its order.
DOMAIN_IDS = (
    "US-ERISA-appeal-file",
    "US-ERISA-appeal-file-other",
    "US-ERISA-claim-urgent",
    "US-ERISA-claim-pre",
    "US-ERISA-claim-post",
    "US-ERISA-appeal-urgent",
    "US-ERISA-appeal-pre",
    "US-ERISA-appeal-post",
    "US-ERISA-dis-claim",
    "US-ERISA-dis-appeal",
    "US-ERISA-plan-docs",
    "US-HIPAA-records",
    "US-ACA-ext-file",
    "US-ACA-ext-decision",
    "US-ACA-ext-expedited",
    "US-ACA-ext-prelim",
    "US-MA-reconsider-file",
    "US-MA-reconsider-decision",
    "US-MA-reconsider-payment",
    "US-MA-reconsider-expedited",
    "US-PartD-redetermination",
    "US-Medicare-redetermination",
    "US-Medicaid-hearing",
    "US-Medicaid-mc-appeal",
    "US-Medicaid-mc-hearing",
    "US-CA-IMR-file",
    "US-CA-grievance",
    "US-CA-IMR-decision",
    "US-NY-ext-file",
    "US-NY-ext-decision",
    "US-FEHB-reconsider",
    "UK-final-response",
    "UK-FOS-refer",
    "AU-IDR-response",
    "AU-AFCA-lodge",
    "CA-OLHI",
    "CA-QC-AMF",
    "IN-grievance",
    "IN-ombudsman",
)

# The table's confidence column; "V/S" rows are stored as the weaker S.
DOMAIN_CONFIDENCE = {
    "US-ERISA-appeal-file-other": "M",
    "US-ERISA-dis-claim": "V",
    "US-HIPAA-records": "M",
    "US-ACA-ext-prelim": "M",
    "US-MA-reconsider-file": "S",
    "US-MA-reconsider-decision": "V",
    "US-MA-reconsider-payment": "V",
    "US-MA-reconsider-expedited": "V",
    "US-PartD-redetermination": "V",
    "US-Medicare-redetermination": "V",
    "US-Medicaid-hearing": "V",
    "US-Medicaid-mc-appeal": "M",
    "US-CA-IMR-file": "V",
    "US-CA-grievance": "V",
    "US-CA-IMR-decision": "M",
    "US-NY-ext-file": "V",
    "US-NY-ext-decision": "V",
    "US-FEHB-reconsider": "V",
    "UK-final-response": "V",
    "UK-FOS-refer": "V",
    "CA-OLHI": "S",
    "IN-grievance": "S",
}


def test_every_rule_of_the_domain_table_is_in_the_data() -> None:
    book = rule_book()
    assert len(DOMAIN_IDS) == 39
    missing = [rule_id for rule_id in DOMAIN_IDS if rule_id not in book]
    assert missing == []
    for rule_id in DOMAIN_IDS:
        assert book.get(rule_id).confidence == DOMAIN_CONFIDENCE.get(rule_id, "S"), rule_id


def test_variants_are_separate_entries_that_say_so() -> None:
    book = rule_book()
    variants = [r for r in book if r.id not in DOMAIN_IDS]
    assert {r.id for r in variants} == {
        "US-ERISA-appeal-pre-two-level",
        "US-ERISA-appeal-post-two-level",
        "US-CA-grievance-urgent",
        "US-CA-IMR-decision-expedited",
        "US-NY-ext-file-provider",
        "US-NY-ext-decision-expedited",
        "CA-QC-AMF-refer",
    }
    for rule in variants:
        parent = next(i for i in DOMAIN_IDS if rule.id.startswith(i))
        # A variant cites its parent row; no citation is invented.
        assert rule.citation == book.get(parent).citation, rule.id


def test_rules_carry_what_the_app_shows_beside_a_date() -> None:
    book = rule_book()
    kinds = set()
    for rule in book:
        assert rule.title and rule.citation and rule.kind, rule.id
        assert rule.confidence in CONFIDENCES
        assert rule.party in PARTIES
        kinds.add(rule.kind)
        if rule.claimant_acts:
            assert rule.met_by, f"{rule.id}: what meets it?"
    # The calendar summary is "CASE: kind": kinds name no person, insurer or condition.
    assert all(k == k.lower() and len(k) < 40 for k in kinds)


def test_the_engine_vocabularies_match_the_enums() -> None:
    assert set(PARTIES) == {p.value for p in Party}
    assert set(CONFIDENCES) == {c.value for c in Confidence}


def test_only_the_federal_external_review_rolls_forward() -> None:
    assert [r.id for r in rule_book() if r.roll_forward] == ["US-ACA-ext-file"]
    assert rule_book().get("US-ACA-ext-file").month_end == "next_month_first"
    others = [r.id for r in rule_book() if r.month_end != "clamp"]
    assert others == ["US-ACA-ext-file"]


def test_an_unknown_id_suggests_the_nearest() -> None:
    with pytest.raises(DeadlineRuleError, match="Did you mean US-ERISA-appeal-file"):
        rule_book().get("US-ERISA-apeal-file")
    with pytest.raises(DeadlineRuleError, match="'claimdesk rules' lists them"):
        rule_book().get("nothing like it")
    assert rule_book().get("uk-fos-refer").id == "UK-FOS-refer"


def test_the_documentation_describes_every_key() -> None:
    doc = (REPO_ROOT / "docs" / "deadline-rules.md").read_text(encoding="utf-8")
    readme = (REPO_ROOT / "resources" / "rules" / "README.md").read_text(encoding="utf-8")
    for key in (*_REQUIRED, *_OPTIONAL):
        assert f"`{key}`" in doc, key
        assert f"`{key}`" in readme, key


# ---- a malformed file is refused with a message naming the file, the rule and the key -------


def a_rule(**changes: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": "XX-test",
        "title": "Test rule",
        "kind": "test deadline",
        "jurisdiction": "US",
        "trigger": "denial",
        "period": {"days": 10},
        "party": "claimant",
        "citation": "Test 1",
        "confidence": "V",
        "met_by": ["filed:internal_1"],
    }
    rule.update(changes)
    return {key: value for key, value in rule.items() if value is not None}


def write(folder: Path, *rules: dict[str, Any], name: str = "test.json") -> Path:
    (folder / name).write_text(json.dumps({"rules": list(rules)}), encoding="utf-8")
    return folder


def load(folder: Path) -> Any:
    return load_rules(
        folder,
        plan_types=[p.value for p in PlanType],
        appeal_levels=[a.value for a in AppealLevel],
    )


def test_a_minimal_rule_loads_with_the_defaults(tmp_path: Path) -> None:
    rule = load(write(tmp_path, a_rule())).get("XX-test")
    assert (rule.counts_from, rule.limit, rule.month_end, rule.roll_forward, rule.auto) == (
        "receipt",
        "exact",
        "clamp",
        False,
        True,
    )
    assert rule.plan_types == frozenset() and rule.calendar == "US"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"period": {"fortnights": 2}}, "has the unit 'fortnights'"),
        ({"period": {"days": 0}}, "whole, positive amount"),
        ({"period": {"days": 10, "months": 1}}, "one unit and amount"),
        ({"trigger": "moon"}, "'trigger' is 'moon'"),
        ({"party": "nobody"}, "'party' is 'nobody'"),
        ({"confidence": "V/S"}, "'confidence' is 'V/S'"),
        ({"colour": "red"}, "unknown keys \\['colour'\\]"),
        ({"citation": None}, "'citation' is missing"),
        ({"plan_types": ["gold_plan"]}, "unknown plan types \\['gold_plan'\\]"),
        ({"met_by": ["filed:supreme_court"]}, "unknown entry 'filed:supreme_court'"),
        ({"jurisdiction": "usa"}, "country code"),
        ({"period": {"hours": 72}, "roll_forward": True}, "cannot roll forward"),
        ({"presumed_receipt_days": 5}, 'needs "counts_from": "notice"'),
        ({"superseded_by": ["XX-nothing"]}, "unknown rule 'XX-nothing'"),
        ({"when": ["sometimes"]}, "'when' is 'sometimes'"),
    ],
)
def test_malformed_rules_are_refused_by_name(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(DeadlineRuleError, match=message) as caught:
        load(write(tmp_path, a_rule(**changes)))
    assert "Deadline rule 'XX-test' in test.json" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_duplicate_ids_and_broken_files_are_refused(tmp_path: Path) -> None:
    write(tmp_path, a_rule(), name="a.json")
    write(tmp_path, a_rule(), name="b.json")
    with pytest.raises(DeadlineRuleError, match=r"used twice \(a.json and b.json\)"):
        load(tmp_path)
    (tmp_path / "b.json").write_text('{"rules": [', encoding="utf-8")
    with pytest.raises(DeadlineRuleError, match=r"b.json is not valid JSON \(line 1"):
        load(tmp_path)
    with pytest.raises(DeadlineRuleError, match="No deadline rules were found"):
        load(tmp_path / "nowhere")


def test_adding_a_rule_is_editing_data(tmp_path: Path) -> None:
    """A new file in the folder is a new rule: no code changes."""
    from claimdesk.deadlines import TriggerDates, compute

    source = REPO_ROOT / "resources" / "rules"
    for path in source.glob("*.json"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    write(tmp_path, a_rule(id="US-TEST-new", period={"weeks": 3}), name="99-local.json")
    book = load(tmp_path)
    assert len(book) == len(rule_book()) + 1
    result = compute(book.get("US-TEST-new"), TriggerDates(received=date(2026, 3, 2)))
    assert result.due.isoformat() == "2026-03-23"

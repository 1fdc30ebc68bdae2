"""The deadline commands as a user types them: the calculator, the cron check, the calendar."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import ics
import pytest

from claimdesk.cli import main
from claimdesk.cli_deadlines import EXIT_OVERDUE


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_rules_lists_every_rule_without_a_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "--data-dir", str(tmp_path), "rules")
    assert code == 0
    assert "US-ERISA-appeal-file" in out and "at least 180 days" in out
    assert "UK-FOS-refer" in out and "FCA DISP 2.8.2R" in out
    code, out, _ = run(capsys, "--data-dir", str(tmp_path), "rules", "--json")
    rules = json.loads(out)
    assert len(rules) == 46
    fos = next(r for r in rules if r["id"] == "UK-FOS-refer")
    assert (fos["period"], fos["confidence"], fos["party"]) == (
        {"amount": 6, "unit": "months"},
        "V",
        "claimant",
    )
    assert not (tmp_path / "claimdesk.sqlite").exists()  # a calculator needs no database


def test_calc_four_months_from_30_october(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "rules", "calc", "US-ACA-ext-file", "--trigger", "2026-10-30")
    assert code == 0, err
    assert "Due:         Monday 1 Mar 2027" in out
    assert "30 Feb 2027 does not exist" in out
    assert "45 CFR 147.136(d)(2)(i)" in out and "Confidence:  S" in out


def test_calc_as_json_with_a_letter_date(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "rules",
        "calc",
        "US-ERISA-appeal-file",
        "--trigger",
        "2026-03-02",
        "--letter-date",
        "2026-02-26",
        "--json",
    )
    assert code == 0
    result = json.loads(out)
    assert (result["due"], result["outer_limit"], result["confidence"]) == (
        "2026-08-25",
        "2026-08-31",
        "S",
    )
    assert result["derivation"].startswith("Letter dated 26 Feb 2026 + 180 days = 25 Aug 2026")


def test_calc_hours_across_the_clock_change(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["rules", "calc", "US-ERISA-appeal-urgent", "--trigger", "2026-03-07T10:00"]
    code, out, _ = run(capsys, *args, "--tz", "America/New_York", "--json")
    assert code == 0
    assert json.loads(out)["due_at"] == "2026-03-10T11:00:00-04:00"
    code, out, _ = run(capsys, "rules", "calc", "US-ERISA-appeal-urgent", "--trigger",
                       "2026-03-07T10:00-05:00", "--json")  # fmt: skip
    # A fixed offset stays fixed: the same instant, written in the trigger's offset.
    due_at = datetime.fromisoformat(json.loads(out)["due_at"])
    assert due_at == datetime.fromisoformat("2026-03-10T11:00:00-04:00")


def test_calc_shows_an_unchecked_rule_beside_the_date(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "calc", "US-HIPAA-records", "--trigger", "2026-03-02",
                       "--extension")  # fmt: skip
    assert code == 0
    assert "Due:         Friday 1 May 2026   [M (believed, not re-checked)]" in out
    assert "Base date:   Wednesday 1 Apr 2026" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["US-ERISA-apeal-file", "--trigger", "2026-03-02"], "Did you mean US-ERISA-appeal-file"),
        (["US-ERISA-appeal-file", "--trigger", "2062-03-02"], "more than a year from today"),
        (["US-ERISA-appeal-file", "--trigger", "1926-03-02"], "more than 20 years ago"),
        (["US-ERISA-appeal-file", "--trigger", "03/02/2026"], "is not a date or a date and time"),
        (["US-ERISA-appeal-file", "--trigger", "2026-02-30"], "is not a date or a date and time"),
        (["US-ERISA-appeal-urgent", "--trigger", "2026-03-07T10:00"], "no time zone"),
        (["US-ERISA-appeal-urgent", "--trigger", "2026-03-07T10:00", "--tz", "Mars/Base"],
         "not a time zone"),
        (["US-ERISA-appeal-file", "--trigger", "2026-03-02", "--received", "2026-03-04"],
         "use --letter-date"),
        (["US-PartD-redetermination", "--trigger", "2026-03-02", "--received", "soon"],
         "--received: 'soon' is not a date"),
        (["US-ERISA-appeal-file", "--trigger", "2026-03-02", "--letter-date", "2026-03-09"],
         "--letter-date is after --trigger"),
        (["US-PartD-redetermination", "--trigger", "2026-03-02", "--received", "2062-03-09"],
         "more than a year from today"),
    ],
)  # fmt: skip
def test_bad_input_gets_one_clear_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, "rules", "calc", *args)
    assert code == 1 and out == ""
    assert err.startswith("claimdesk: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_due_on_an_empty_office(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "--data-dir", str(tmp_path), "due")
    assert code == 0 and "Nothing is overdue or due within 14 days." in out
    code, _, err = run(capsys, "--data-dir", str(tmp_path), "due", "--days", "-1")
    assert code == 1 and "--days must be" in err


def test_due_and_ics_on_the_demo(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path / "office"), "--user", "Ana"]
    assert run(capsys, *data, "demo")[0] == 0
    code, out, _ = run(capsys, *data, "due", "--days", "30")
    assert code == EXIT_OVERDUE  # the demo has overdue requests: cron must hear of it
    assert "OVERDUE" in out and "plan decision due" in out and " overdue, " in out
    code, out, _ = run(capsys, *data, "due", "--days", "30", "--json")
    items = json.loads(out)
    assert code == EXIT_OVERDUE and any(i["overdue"] for i in items)
    assert {i["source"] for i in items} == {"deadline", "promise", "request"}
    decision = next(i for i in items if i["rule_id"] == "US-ERISA-appeal-pre")
    assert decision["citation"] == "29 CFR 2560.503-1(i)(2)(ii)" and decision["confidence"] == "S"

    out_file = tmp_path / "deadlines.ics"
    code, out, _ = run(capsys, *data, "ics", "--out", str(out_file))
    assert code == 0 and "case numbers and kinds of deadline only" in out
    first = ics.Calendar(out_file.read_text(encoding="utf-8"))
    assert run(capsys, *data, "ics", "--out", str(out_file))[0] == 0
    second = ics.Calendar(out_file.read_text(encoding="utf-8"))
    assert {e.uid for e in first.events} == {e.uid for e in second.events} != set()
    assert all(len(e.alarms) == 4 for e in second.events)
    assert not list(tmp_path.glob("*.partial"))


def test_ics_to_a_folder_that_does_not_exist(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(
        capsys, "--data-dir", str(tmp_path), "ics", "--out", str(tmp_path / "no" / "x.ics")
    )
    assert code == 1 and "could not be written" in err and "nothing was changed" in err

"""The Today page: each row names its case and says where it comes from."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from claimdesk.gui.today_page import CASE, SOURCE, TodayPage
from claimdesk.models.enums import Role
from claimdesk.services import Services
from claimdesk.services.calls import CallInput, PromiseInput
from tests.gui_support import make_env, open_case
from tests.pinned import NOW, TODAY
from tests.signin import principal


def test_rows_name_the_claimant_and_the_source(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    claim_id = open_case(services)
    # The 180-day appeal deadline comes within the 90-day window once the denial is older.
    services.claims.update_case(claim_id, denial_received_date=TODAY - timedelta(days=120))
    number = services.claims.get(claim_id).case_number
    services.deadlines.add_manual(claim_id, "Send the ECG tracings", TODAY + timedelta(days=1))
    services.calls.log_call(
        claim_id,
        CallInput(
            occurred_at=NOW - timedelta(days=3),
            person_name="Dana",
            summary="Promised the claim file.",
            promises=[PromiseInput("Mail the claim file", TODAY + timedelta(days=2))],
        ),
    )
    services.requests.request_document(
        claim_id, "medical_reviewer_report", sent_on=TODAY - timedelta(days=25), method="fax"
    )
    services.requests.request_document(
        claim_id, "ime_report", sent_on=TODAY - timedelta(days=26), method="fax"
    )
    page = TodayPage(make_env(services, tmp_path))
    qtbot.addWidget(page)
    page.horizon.setCurrentIndex(page.horizon.findData(90))
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.refresh()
    model = page.model
    shown = {
        item.title: (
            str(model.index(row, CASE).data()),
            str(model.index(row, SOURCE).data()),
        )
        for row, item in enumerate(model.items)
    }
    case = f"{number} · Maria Lopez"
    assert shown["Send the ECG tracings"] == (case, "Deadline set by hand")
    assert shown["Mail the claim file"] == (case, "Promised on a call by Dana")
    assert shown["Medical reviewer's report"] == (case, "Request: medical reviewer's report")
    assert shown["IME report"] == (case, "Request: IME report")
    # A rule's deadline names its rule.
    appeal = [s for t, (c, s) in shown.items() if s == "US-ERISA-appeal-file"]
    assert appeal, shown


def test_my_cases_shows_only_what_is_due_on_my_cases(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    principal(services.db, "Ana Ruiz", Role.CASEWORKER)
    mine, theirs = open_case(services), open_case(services)
    services.claims.update_case(mine, assigned_to=services.user_name)
    services.claims.update_case(theirs, assigned_to="Ana Ruiz")
    services.deadlines.add_manual(mine, "Mine to send", TODAY + timedelta(days=1))
    services.deadlines.add_manual(theirs, "Ana's to send", TODAY + timedelta(days=1))
    page = TodayPage(make_env(services, tmp_path))
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.refresh()
    titles = {item.title for item in page.model.items}
    assert {"Mine to send", "Ana's to send"} <= titles
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.mine.setChecked(True)
    assert {item.claim_id for item in page.model.items} == {mine}
    assert "Mine to send" in {item.title for item in page.model.items}

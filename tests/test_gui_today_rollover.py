"""Today rolls over at local midnight while the window stays open, by the services' clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from claimdesk.clock import FixedClock
from claimdesk.gui.today_page import AFTER_MIDNIGHT, WHEN, TodayPage
from claimdesk.services import ClaimInput, Services
from tests.gui_support import make_env
from tests.pinned import ZONE

EVENING = datetime(2026, 11, 4, 23, 59, 58, tzinfo=ZONE)


def when(page: TodayPage, title: str) -> str:
    model = page.model
    row = next(i for i, item in enumerate(model.items) if item.title == title)
    return str(model.index(row, WHEN).data())


def evening_page(qtbot: QtBot, services: Services, clock: FixedClock, tmp_path: Path) -> TodayPage:
    """Today at 23:59:58, with one deadline due today and one due tomorrow."""
    clock.set(EVENING)
    claim_id = services.claims.open_case(
        ClaimInput(
            claimant_name="Maria Lopez",
            plan_type="uk_private",
            claim_type="health",
            country="GB",
            insurer_name="Albion",
            currency="GBP",
        )
    ).id
    services.deadlines.add_manual(claim_id, "Send the GP records", date(2026, 11, 4))
    services.deadlines.add_manual(claim_id, "Sign the form", date(2026, 11, 5))
    page = TodayPage(make_env(services, tmp_path))
    qtbot.addWidget(page)
    return page


def test_today_rolls_over_at_midnight(
    qtbot: QtBot, services: Services, clock: FixedClock, tmp_path: Path
) -> None:
    page = evening_page(qtbot, services, clock, tmp_path)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.refresh()
    assert when(page, "Send the GP records") == "today"
    assert when(page, "Sign the form") == "tomorrow"
    assert page.overdue_count() == 0
    assert "Wednesday 04 November 2026" in page.summary.text()
    # Armed for the clock's midnight (two seconds away), not for the wall clock's.
    assert page.midnight.isActive() and page.midnight.isSingleShot()
    assert page.midnight.interval() == (timedelta(seconds=2) + AFTER_MIDNIGHT) // timedelta(
        milliseconds=1
    )

    clock.advance(timedelta(seconds=2) + AFTER_MIDNIGHT)
    page.midnight.stop()
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.midnight.timeout.emit()  # what Qt does when the wait is over
    assert when(page, "Send the GP records") == "1 day overdue"
    assert when(page, "Sign the form") == "today"
    assert page.overdue_count() == 1
    assert "Thursday 05 November 2026" in page.summary.text()
    # And it waits for the next midnight: a whole day from 00:00:02, plus the margin.
    assert page.midnight.isActive()
    assert page.midnight.interval() == timedelta(days=1) // timedelta(milliseconds=1)


def test_a_timer_that_fires_early_reads_the_same_day_and_waits_again(
    qtbot: QtBot, services: Services, clock: FixedClock, tmp_path: Path
) -> None:
    page = evening_page(qtbot, services, clock, tmp_path)
    clock.advance(timedelta(seconds=1))  # 23:59:59: the timer came a second early
    page.midnight.stop()
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.midnight.timeout.emit()
    assert when(page, "Send the GP records") == "today"
    assert "Wednesday 04 November 2026" in page.summary.text()
    assert page.midnight.isActive()
    assert page.midnight.interval() == (timedelta(seconds=1) + AFTER_MIDNIGHT) // timedelta(
        milliseconds=1
    )

"""The office's report for a period: the dashboard's tables as JSON, CSV or a PDF to hand to a
funder, one page per section under the office's letterhead.

Claimant names appear only when asked for (``names``): a funder needs the figures, not who the
office helps. The missed insurer deadlines are listed by case number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from claimdesk.errors import ValidationError
from claimdesk.files import write_atomically
from claimdesk.letters.letterhead import Letterhead, load_letterhead
from claimdesk.services.dashboard import Chart, Dashboard, DashboardFilter, DashboardService

FORMATS = ("json", "csv", "pdf")


@dataclass(frozen=True)
class ReportOptions:
    filter: DashboardFilter
    names: bool = False  # claimant names beside the missed deadlines


class ReportService:
    def __init__(
        self,
        dashboard: DashboardService,
        templates_dir: Path | None,
        guard: Callable[[str], None] | None = None,
    ) -> None:
        """``guard`` refuses an export the signed-in account's role may not make (a
        volunteer reads the dashboard but writes no report out)."""
        self._dashboard = dashboard
        self._templates = templates_dir
        self._guard = guard

    def read(self, options: ReportOptions) -> Dashboard:
        return self._dashboard.read(options.filter)

    def render(self, options: ReportOptions, kind: str, board: Dashboard | None = None) -> bytes:
        """The report as bytes in ``kind`` ('json', 'csv' or 'pdf')."""
        if self._guard is not None:
            self._guard("export reports")
        board = board or self.read(options)
        if kind == "json":
            import json

            text = json.dumps(report_data(board, options.names), indent=2, ensure_ascii=False)
            return (text + "\n").encode("utf-8")
        if kind == "csv":
            return report_csv(board, options.names).encode("utf-8")
        if kind == "pdf":
            return report_pdf(board, load_letterhead(self._templates), options.names)
        raise ValidationError(f"A report is written as {', '.join(FORMATS)}, not '{kind}'.")

    def write(self, options: ReportOptions, kind: str, path: Path) -> Dashboard:
        """Write the report to ``path`` whole, or not at all."""
        board = self.read(options)
        write_atomically(path, self.render(options, kind, board))
        return board


def _title(board: Dashboard) -> str:
    return f"Caseload, outcomes and insurer behaviour: {board.filter.period_text()}"


def _alert_rows(board: Dashboard, names: bool) -> list[dict[str, Any]]:
    rows = []
    for alert in board.alerts:
        row: dict[str, Any] = {
            "case_number": alert.case_number,
            "insurer": alert.who,
            "due_on": alert.due_on.isoformat(),
            "days_late": alert.days_late,
            "rule_id": alert.rule_id,
            "citation": alert.citation,
            "what_it_opens": [
                {"text": c.gives, "citation": c.citation, "confidence": c.confidence}
                for c in alert.consequences
            ],
            "text": alert.text(),
        }
        if alert.penalty is not None:
            row["penalty"] = {
                "per_day": alert.penalty.per_day.amount,
                "currency": alert.penalty.per_day.currency,
                "days_late": alert.penalty.days_late,
                "maximum_so_far": alert.penalty.maximum.amount,
                "citation": alert.penalty.citation,
                "not_legal_advice": True,
            }
        if names:
            row["claimant_name"] = alert.claimant_name
        rows.append(row)
    return rows


def report_data(board: Dashboard, names: bool = False) -> dict[str, Any]:
    """Everything in the report as plain JSON values."""
    return {
        "title": _title(board),
        "period": {
            "from": board.filter.start.isoformat() if board.filter.start else None,
            "to": board.filter.end.isoformat() if board.filter.end else None,
        },
        "caseworker": board.filter.caseworker,
        "as_of": board.today.isoformat(),
        "open_cases": board.open_cases,
        "sections": [
            {
                "key": chart.key,
                "title": chart.title,
                "columns": list(chart.columns),
                "rows": [list(row) for row in chart.rows],
                "note": chart.note,
            }
            for chart in board.charts
        ],
        "missed_insurer_deadlines": {
            "count": board.alert_count,
            "listed": _alert_rows(board, names),
        },
    }


class _SafeWriter:
    """A CSV writer whose text cells cannot run as spreadsheet formulas: an insurer named
    "=HYPERLINK(...)" is written with a leading apostrophe, as spreadsheets expect."""

    def __init__(self, out: io.StringIO) -> None:
        self._writer = csv.writer(out, lineterminator="\n")

    def writerow(self, row: Any) -> None:
        self._writer.writerow([_cell(value) for value in row])

    def writerows(self, rows: Any) -> None:
        for row in rows:
            self.writerow(row)


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def report_csv(board: Dashboard, names: bool = False) -> str:
    """One table per section, each headed by its title, a blank line between."""
    out = io.StringIO()
    writer = _SafeWriter(out)
    writer.writerow([_title(board)])
    writer.writerow(["As of", board.today.isoformat(), "Open cases", board.open_cases])
    for chart in board.charts:
        writer.writerow([])
        writer.writerow([chart.title])
        writer.writerow(chart.columns)
        writer.writerows(chart.rows)
    writer.writerow([])
    writer.writerow([f"Insurer deadlines missed ({board.alert_count})"])
    header = ["Case", "Insurer", "Due", "Days late", "Citation", "What it opens"]
    writer.writerow([*header, "Claimant"] if names else header)
    for row in _alert_rows(board, names):
        cells = [row["case_number"], row["insurer"], row["due_on"], row["days_late"],
                 row["citation"], row["text"]]  # fmt: skip
        writer.writerow([*cells, row["claimant_name"]] if names else cells)
    return out.getvalue()


def report_pdf(board: Dashboard, letterhead: Letterhead, names: bool = False) -> bytes:
    """One page per section, under the office's letterhead."""
    from claimdesk.services.report_pdf import write_report_pdf

    return write_report_pdf(board, letterhead, _title(board), _alert_rows(board, names), names)


def section_charts(board: Dashboard) -> list[Chart]:
    return list(board.charts)


def parse_day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            f"{what}: '{text[:40]}' is not a date; write it as 2026-01-31."
        ) from None

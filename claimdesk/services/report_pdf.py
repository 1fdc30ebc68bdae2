"""The report as a PDF: the office's letterhead, then one page per section, each table with its
note. fpdf2 and the shipped Noto fonts, as the letters use (claimdesk/letters/pdf_writer.py)."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace

from claimdesk.deadlines.missed import NOT_LEGAL_ADVICE
from claimdesk.letters.fonts import SANS, add_fonts, cut_to_latin, needs_devanagari
from claimdesk.letters.letterhead import Letterhead
from claimdesk.services.dashboard import Chart, Dashboard

_INK = (26, 26, 26)
_GREY = (95, 95, 95)
_RED = (179, 38, 30)
_RULE = (150, 150, 150)
_HEAD_FILL = (232, 236, 242)
_MARGIN = 18.0
# The PDF lists this many missed deadlines (the oldest); the JSON and the dashboard list more.
PDF_ALERTS = 40

# The report's sections, each on its own page, and the charts in each.
SECTIONS = (
    ("Caseload", ("caseload", "deadlines", "stale")),
    ("Outcomes", ("outcome_level", "outcome_category", "outcome_insurer")),
    ("Insurer behaviour", ("insurers",)),
    ("Money", ("money",)),
)


class _ReportPdf(FPDF):
    def __init__(self, letterhead: Letterhead, title: str, texts: list[str]) -> None:
        super().__init__(unit="mm", format="A4")
        self.letterhead = letterhead
        self.report_title = title
        self.set_margins(_MARGIN, 16, _MARGIN)
        self.set_auto_page_break(True, margin=18)
        self.set_title(title)
        self.set_author(letterhead.organisation or "ClaimDesk")
        self.set_creator("ClaimDesk")
        add_fonts(self, serif_styles=("",), devanagari=needs_devanagari(texts))

    def header(self) -> None:
        head = self.letterhead
        self.set_font(SANS, "B", 13)
        self.set_text_color(*_INK)
        self.cell(0, 6, head.organisation or "ClaimDesk report", new_x="LMARGIN", new_y="NEXT")
        lines = [" ".join(head.address.split()), head.phone, head.email]
        contact = "  ·  ".join(line for line in lines if line)
        if contact:
            self.set_font(SANS, "", 8)
            self.set_text_color(*_GREY)
            self.multi_cell(0, 4, contact, align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1)
        self.set_draw_color(*_RULE)
        self.set_line_width(0.3)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(5)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(SANS, "", 8)
        self.set_text_color(*_GREY)
        self.cell(0, 5, f"{self.report_title}  ·  page {self.page_no()} of {{nb}}", align="C")


def write_report_pdf(
    board: Dashboard, letterhead: Letterhead, title: str, alerts: list[dict[str, Any]], names: bool
) -> bytes:
    texts = [letterhead.organisation, letterhead.address, title]
    texts += [cell for chart in board.charts for row in chart.rows for cell in row]
    texts += [str(a.get("claimant_name", "")) for a in alerts]
    pdf = _ReportPdf(letterhead, title, texts)
    pdf.alias_nb_pages()
    for index, (section, keys) in enumerate(SECTIONS):
        pdf.add_page()
        _heading(pdf, section, big=True)
        if index == 0:
            _summary(pdf, board)
        for key in keys:
            _table(pdf, board.chart(key))
    pdf.add_page()
    _heading(pdf, "Insurer deadlines missed", big=True)
    _alerts(pdf, board, alerts, names)
    cut_to_latin(pdf)
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str, big: bool = False) -> None:
    pdf.set_font(SANS, "B", 15 if big else 10.5)
    pdf.set_text_color(*_INK)
    pdf.multi_cell(0, 7 if big else 5.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5 if big else 1)


def _paragraph(
    pdf: FPDF, text: str, size: float = 8.5, colour: tuple[int, int, int] = _GREY
) -> None:
    pdf.set_font(SANS, "", size)
    pdf.set_text_color(*colour)
    pdf.multi_cell(0, size * 0.48, text, align="L", new_x="LMARGIN", new_y="NEXT")


def _summary(pdf: FPDF, board: Dashboard) -> None:
    who = board.filter.caseworker or "all caseworkers"
    _paragraph(
        pdf,
        f"Period: {board.filter.period_text()}. Caseworker: {who}. As of "
        f"{board.today.isoformat()}: {board.open_cases:,} open cases; "
        f"{board.alert_count:,} insurer deadlines passed with nothing recorded.",
        size=9.5,
        colour=_INK,
    )
    pdf.ln(3)


def _table(pdf: FPDF, chart: Chart) -> None:
    _heading(pdf, chart.title)
    if not chart.rows:
        _paragraph(pdf, "Nothing to show for this period.")
        pdf.ln(4)
        return
    pdf.set_font(SANS, "", 8)
    pdf.set_text_color(*_INK)
    pdf.set_draw_color(*_RULE)
    first = 2.2 if len(chart.columns) > 4 else 2.0
    widths = (first, *(1.0 for _ in chart.columns[1:]))
    with pdf.table(
        col_widths=widths,
        text_align=("LEFT", *("RIGHT" for _ in chart.columns[1:])),
        line_height=4.6,
        headings_style=FontFace(emphasis="BOLD", fill_color=_HEAD_FILL),
        borders_layout="HORIZONTAL_LINES",
        padding=0.8,
    ) as table:
        table.row(chart.columns)
        for row in chart.rows:
            table.row(row)
    if chart.note:
        pdf.ln(1)
        _paragraph(pdf, chart.note, size=7.5)
    pdf.ln(4)


def _alerts(pdf: FPDF, board: Dashboard, alerts: list[dict[str, Any]], names: bool) -> None:
    if not alerts:
        _paragraph(pdf, "No insurer deadline has passed with nothing recorded.", colour=_INK)
        return
    alerts = alerts[:PDF_ALERTS]
    more = board.alert_count - len(alerts)
    _paragraph(
        pdf,
        f"{board.alert_count:,} insurer deadlines have passed with nothing recorded"
        + (f"; the oldest {len(alerts):,} are listed." if more else ".")
        + " Each says what the rule gives the claimant, with its citation and confidence. "
        + NOT_LEGAL_ADVICE,
        size=8,
    )
    pdf.ln(2)
    for alert in alerts:
        who = f"{alert['case_number']}" + (f" · {alert['claimant_name']}" if names else "")
        pdf.set_font(SANS, "B", 8.5)
        pdf.set_text_color(*_RED)
        pdf.multi_cell(0, 4.4, f"{who} · {alert['days_late']} days late", align="L",
                       new_x="LMARGIN", new_y="NEXT")  # fmt: skip
        _paragraph(pdf, alert["text"], size=8, colour=_INK)
        pdf.ln(1.5)

"""Realistic sample cases for a first look at ClaimDesk (``claimdesk demo``).

The cases are data in ``resources/demo/``: one JSON file per case and a shared specialist
directory. Dates there are offsets from today ("T-41", "T+9", "T-12 14:05" in the claimant's
time zone), so a demo database always looks alive: requests overdue, deadlines next week, calls
in recent weeks. Text may quote the case ("{claimant}", "{insurer}") and dates ("{T-62}").
Every person and organisation in the data is invented.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from claimdesk.errors import ClaimDeskError
from claimdesk.models.enums import DocumentKind, OrganisationKind
from claimdesk.paths import resources_dir
from claimdesk.services import CallInput, ClaimInput, PromiseInput, Services
from claimdesk.services.dto import ClaimDetail

Json = dict[str, Any]

# ---- a minimal PDF writer: Helvetica, WinAnsi text, one or more pages -------------------------

PAGE_LETTER = (612.0, 792.0)
PAGE_A4 = (595.28, 841.89)
MARGIN = 66.0
FOOTER_SPACE = 30.0

# Advance widths (1/1000 em) of ASCII 32-126, from Adobe's Helvetica and Helvetica-Bold AFM files.
_ASCII_WIDTHS = {
    False: "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 "
    "556 556 556 556 556 278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 "
    "667 556 833 722 778 667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 "
    "556 500 556 556 278 556 556 222 222 500 222 833 556 556 556 556 333 500 278 556 500 722 500 "
    "500 500 334 260 334 584",
    True: "278 333 474 556 556 889 722 238 333 333 389 584 278 333 278 278 556 556 556 556 556 "
    "556 556 556 556 556 333 333 584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 "
    "611 833 722 778 667 778 722 667 611 722 667 944 667 667 611 333 278 333 584 556 333 556 611 "
    "556 611 556 333 611 611 278 278 556 278 889 611 611 611 611 389 556 333 611 556 778 556 556 "
    "500 389 280 389 584",
}
_WIDTHS = {
    bold: {chr(32 + i): int(w) for i, w in enumerate(table.split())}
    for bold, table in _ASCII_WIDTHS.items()
}
_WIDE = {"—": 1000, "•": 350, "°": 400, "‘": 222, "’": 222, "“": 333, "”": 333}
_DEFAULT_WIDTH = 556


@dataclass(frozen=True)
class PdfLine:
    """One line to set: text, a table row (``columns``), or a horizontal rule."""

    text: str = ""
    size: float = 10.0
    bold: bool = False
    grey: bool = False
    space_before: float = 0.0
    rule: bool = False
    # A table row: (offset from the left margin in points, text) for each cell.
    columns: tuple[tuple[float, str], ...] = ()
    # Never end a page after this line (headings, the lines of a signature block).
    keep_with_next: bool = False

    @property
    def height(self) -> float:
        return self.space_before + (6.0 if self.rule else self.size * 1.4)


def text_width(text: str, size: float, bold: bool = False) -> float:
    table = _WIDTHS[bold]
    units = sum(table.get(ch) or _WIDE.get(ch, _DEFAULT_WIDTH) for ch in text)
    return units * size / 1000


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Greedy word wrap to ``width`` points (a word longer than the line stays whole)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, size, bold) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current else lines or [""]


def render_pdf(
    title: str,
    lines: Sequence[str | PdfLine],
    page_size: tuple[float, float] = PAGE_LETTER,
) -> bytes:
    """A PDF of these lines (plain strings are wrapped body text), paged, with a footer."""
    page_width, page_height = page_size
    measure = page_width - 2 * MARGIN
    flowing: list[PdfLine] = []
    for line in lines:
        if isinstance(line, str):
            flowing.extend(PdfLine(part) for part in wrap(line, measure, 10.0))
        else:
            flowing.append(line)
    pages = _paginate(flowing, page_height - MARGIN - (MARGIN + FOOTER_SPACE))
    streams = []
    for number, placed in enumerate(pages, start=1):
        footer = PdfLine(f"{title}  |  page {number} of {len(pages)}", size=7.5, grey=True)
        ops = [_draw(MARGIN, page_height - MARGIN - y, line, measure) for y, line in placed]
        ops.append(_draw(MARGIN, MARGIN - 10, footer, measure))
        if number > 1:
            header = PdfLine(f"{title} (continued)", size=7.5, grey=True)
            ops.append(_draw(MARGIN, page_height - MARGIN + 22, header, measure))
        streams.append("\n".join(ops).encode("latin-1"))
    return _assemble(title, streams, page_size)


def _paginate(lines: list[PdfLine], room: float) -> list[list[tuple[float, PdfLine]]]:
    """Lines per page with their baseline depth below the top margin; kept lines stay together."""
    blocks: list[list[PdfLine]] = []
    for i, line in enumerate(lines):
        if i == 0 or not lines[i - 1].keep_with_next:
            blocks.append([])
        blocks[-1].append(line)
    pages: list[list[tuple[float, PdfLine]]] = [[]]
    depth = 0.0
    for block in blocks:
        if pages[-1] and depth + sum(line.height for line in block) > room:
            pages.append([])
            depth = 0.0
        for line in block:
            if pages[-1] and depth + line.height > room:  # a block taller than a page
                pages.append([])
                depth = 0.0
            if not pages[-1]:
                line = replace(line, space_before=0.0)
            depth += line.height
            pages[-1].append((depth, line))
    return pages


def _draw(x: float, y: float, line: PdfLine, measure: float) -> str:
    if line.rule:
        return f"q 0.55 G 0.8 w {x:.2f} {y + 3:.2f} m {x + measure:.2f} {y + 3:.2f} l S Q"
    font = "/F2" if line.bold else "/F1"
    colour = "0.4 g" if line.grey else "0 g"
    cells = line.columns or ((0.0, line.text),)
    shows = " ".join(
        f"1 0 0 1 {x + offset:.2f} {y:.2f} Tm ({_pdf_string(cell)}) Tj" for offset, cell in cells
    )
    return f"BT {font} {line.size:g} Tf {colour} {shows} ET"


def _pdf_string(text: str) -> str:
    """Text as the inside of a PDF literal string in WinAnsi (cp1252); unknown glyphs become ?."""
    raw = text.encode("cp1252", errors="replace").decode("latin-1")
    return raw.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("\r", "")


def _assemble(title: str, streams: list[bytes], page_size: tuple[float, float]) -> bytes:
    """Catalog, page tree, two standard fonts, info, then a page and a content stream each."""
    count = len(streams)
    kids = " ".join(f"{6 + 2 * i} 0 R" for i in range(count))
    font = "<< /Type /Font /Subtype /Type1 /BaseFont /{} /Encoding /WinAnsiEncoding >>"
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        font.format("Helvetica").encode(),
        font.format("Helvetica-Bold").encode(),
        f"<< /Title ({_pdf_string(title)}) /Producer (ClaimDesk demo) >>".encode("latin-1"),
    ]
    media = f"[0 0 {page_size[0]:g} {page_size[1]:g}]"
    for i, stream in enumerate(streams):
        packed = zlib.compress(stream, 9)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox {media} /Resources << /Font "
            f"<< /F1 3 0 R /F2 4 0 R >> >> /Contents {7 + 2 * i} 0 R >>".encode()
        )
        objects.append(
            f"<< /Length {len(packed)} /Filter /FlateDecode >>\nstream\n".encode()
            + packed
            + b"\nendstream"
        )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 5 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def document_lines(spec: Json, dated: str, measure: float) -> list[PdfLine]:
    """A letter or report laid out from its JSON description (see resources/demo/README.md)."""
    head, *address = spec.get("letterhead") or [spec.get("title", "")]
    lines = [PdfLine(head, size=15, bold=True)]
    lines += [PdfLine(t, size=8.5, grey=True) for a in address for t in wrap(a, measure, 8.5)]
    lines.append(PdfLine(rule=True, space_before=4))
    lines.append(PdfLine(dated, space_before=10))
    lines += _block(spec.get("to", []), measure, space_before=12)
    refs = spec.get("refs", [])
    value_tab = max((text_width(f"{k}:", 10, True) for k, _ in refs), default=0) + 10
    for i, (label, value) in enumerate(refs):
        for j, part in enumerate(wrap(value, measure - value_tab, 10)):
            cells = ((0.0, f"{label}:"), (value_tab, part)) if j == 0 else ((value_tab, part),)
            lines.append(PdfLine(columns=cells, space_before=12 if i == j == 0 else 0))
    if spec.get("subject"):
        for i, text in enumerate(wrap(spec["subject"], measure, 10.5, bold=True)):
            lines.append(PdfLine(text, size=10.5, bold=True, space_before=14 if i == 0 else 0))
    tabs = [t * measure for t in spec.get("tabs", [0, 0.42, 0.57, 0.72, 0.86])]
    pair_tab = spec.get("pair_tab", 0.3) * measure
    for item in spec.get("body", []):
        if isinstance(item, str):
            lines += _block([item], measure, space_before=7)
        elif "h" in item:
            lines.append(
                PdfLine(item["h"], size=10.5, bold=True, space_before=11, keep_with_next=True)
            )
        else:
            cells = item.get("head") or item["row"]
            offsets = tabs if len(cells) > 2 else [0.0, pair_tab]
            row = tuple(zip(offsets, cells, strict=False))
            lines.append(PdfLine(columns=row, bold="head" in item))
    closing = _block(spec.get("closing", []), measure, space_before=16)
    if closing:
        # The signature block stays together and never stands alone on a page.
        lines[-1] = replace(lines[-1], keep_with_next=True)
        closing = [replace(line, keep_with_next=True) for line in closing[:-1]] + closing[-1:]
    return lines + closing


def _block(texts: list[str], measure: float, space_before: float) -> list[PdfLine]:
    """Body-size lines, each text wrapped; the space goes above the first line only."""
    parts = [part for text in texts for part in wrap(text, measure, 10)]
    return [
        PdfLine(part, space_before=space_before if i == 0 else 0) for i, part in enumerate(parts)
    ]


# ---- relative dates and text filled in from the case -------------------------------------------

_WHEN = re.compile(r"T([+-]\d+)(?: (\d{1,2}):(\d{2}))?")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def resolve_dates(node: Any, today: date, zone: ZoneInfo) -> Any:
    """Replace every "T-41" with a date and every "T-41 14:05" with a time in ``zone``."""
    if isinstance(node, str):
        match = _WHEN.fullmatch(node)
        if match is None:
            return node
        day = today + timedelta(days=int(match[1]))
        if match[2] is None:
            return day
        return datetime.combine(day, time(int(match[2]), int(match[3])), tzinfo=zone)
    if isinstance(node, list):
        return [resolve_dates(item, today, zone) for item in node]
    if isinstance(node, dict):
        return {key: resolve_dates(value, today, zone) for key, value in node.items()}
    return node


def long_date(day: date, country: str) -> str:
    """'March 2, 2026' in the US, '2 March 2026' elsewhere (independent of the locale)."""
    month = _MONTHS[day.month - 1]
    return f"{month} {day.day}, {day.year}" if country == "US" else f"{day.day} {month} {day.year}"


class _Fields(dict[str, str]):
    """Values for "{claimant}"-style fields; "{T-30}" becomes a written-out date."""

    def __init__(self, values: dict[str, str], today: date, country: str) -> None:
        super().__init__(values)
        self._today = today
        self._country = country

    def __missing__(self, key: str) -> str:
        match = _WHEN.fullmatch(key)
        if match is None or match[2] is not None:
            raise KeyError(key)
        return long_date(self._today + timedelta(days=int(match[1])), self._country)


def fill(node: Any, fields: _Fields) -> Any:
    if isinstance(node, str):
        return node.format_map(fields)
    if isinstance(node, list):
        return [fill(item, fields) for item in node]
    if isinstance(node, dict):
        return {key: fill(value, fields) for key, value in node.items()}
    return node


# ---- loading ------------------------------------------------------------------------------------


class DemoDataError(ClaimDeskError):
    """The bundled demo data is missing or malformed (an installation problem)."""


def demo_dir() -> Path:
    return resources_dir() / "demo"


PACKET_ORDER = (
    DocumentKind.DENIAL_LETTER,
    DocumentKind.DECISION,
    DocumentKind.REVIEWER_REPORT,
    DocumentKind.CLINICAL_CRITERIA,
    DocumentKind.SPECIALIST_REPORT,
    DocumentKind.TREATING_PHYSICIAN_LETTER,
    DocumentKind.IME_REPORT,
    DocumentKind.MEDICAL_RECORD,
    DocumentKind.TEST_RESULT,
    DocumentKind.EOB,
)


def sample_case_count() -> int:
    """How many cases ``load_demo`` adds (for the question asked before adding them)."""
    return len(list((demo_dir() / "cases").glob("*.json")))


def load_demo(services: Services) -> list[int]:
    """Add the sample cases, marked as samples (and any specialists not yet in the directory);
    return the new case ids."""
    folder = demo_dir()
    today = services.clock.today()
    specialists = _load_specialists(services, _read(folder / "specialists.json"), today)
    case_files = sorted((folder / "cases").glob("*.json"))
    if not case_files:
        raise DemoDataError(f"No demo cases were found in {folder / 'cases'}; reinstall ClaimDesk.")
    return [_CaseLoader(services, specialists, today).load(_read(p)) for p in case_files]


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DemoDataError(f"The demo data file {path} cannot be read ({error}).") from None


def _load_specialists(services: Services, entries: list[Json], today: date) -> dict[str, int]:
    """The directory entries by name, reusing a specialist of the same name already there."""
    ids: dict[str, int] = {}
    for entry in resolve_dates(entries, today, ZoneInfo("UTC")):
        values = dict(entry)
        if "fee" in values:
            values["fee_minor"] = values.pop("fee")
        name = values["name"]
        same = [s for s in services.specialists.search(name) if s.name == name]
        ids[name] = same[0].id if same else services.specialists.add(**values).id
    return ids


# Keys in the case files that name another demo record: (loader table, service field).
_REFERENCES = {
    "document": ("documents", "document_id"),
    "report_document": ("documents", "report_document_id"),
    "organisation": ("orgs", "organisation_id"),
    "examiner_organisation": ("orgs", "examiner_organisation_id"),
    "recipient": ("orgs", "recipient_id"),
    "appeal": ("appeals", "appeal_id"),
}


class _CaseLoader:
    """Builds one case from its JSON, in the order a caseworker would have entered it."""

    def __init__(self, services: Services, specialists: dict[str, int], today: date) -> None:
        self.s = services
        self.specialists = specialists
        self.today = today
        self.orgs: dict[str, int | None] = {}
        self.documents: dict[str, int] = {}
        self.calls: dict[str, int] = {}
        self.appeals: dict[str, int] = {}

    def load(self, data: Json) -> int:
        zone = ZoneInfo(data["time_zone"])
        data = resolve_dates(data, self.today, zone)
        claim_data = data.pop("claim")
        country = claim_data["country"]
        dates_only = _Fields({}, self.today, country)
        # The insurer and the plan administrator first, with their departments and addresses:
        # the case then names these records (organisations are found by name and kind), so
        # every demo letter is addressed.
        for org in data.get("organisations", []):
            if org["kind"] in (OrganisationKind.INSURER, OrganisationKind.PLAN_ADMINISTRATOR):
                self._organisation(org)
        # The sample's caseworker is a made-up person, not an account: the cases go to whoever
        # loads them (an account they name that exists keeps them).
        assignable = {a.name for a in self.s.accounts.assignable()}
        if claim_data.get("assigned_to") not in assignable:
            claim_data["assigned_to"] = self.s.user_name
        claim = self.s.claims.open_case(ClaimInput(**fill(claim_data, dates_only)))
        # Marked before anything else is added, so even a load that fails halfway leaves
        # nothing 'claimdesk demo --remove' cannot take out again.
        self.s.samples.mark(claim.id)
        self.orgs = {"insurer": claim.insurer_id, "administrator": claim.plan_administrator_id}
        data = fill(data, _Fields(_case_fields(claim), self.today, country))
        page = PAGE_LETTER if country in ("US", "CA") else PAGE_A4
        for org in data.get("organisations", []):
            self._organisation(org)
        for doc in data.get("documents", []):
            self._document(claim, doc, page)
        self._place_in_packet(claim.id)
        for request in data.get("requests", []):
            self._request(claim.id, request)
        for call in data.get("calls", []):
            self._call(claim.id, call, data["time_zone"])
        for opinion in data.get("opinions", []):
            self._opinion(claim.id, opinion)
        for ime in data.get("imes", []):
            self.s.imes.record(
                claim.id, **self._refs(ime, "examiner_organisation", "report_document")
            )
        for appeal in data.get("appeals", []):
            self._appeal(claim.id, appeal)
        for event in data.get("events", []):
            values = self._refs(event, "appeal")
            self.s.appeals.add_event(
                claim.id, values.pop("kind"), values.pop("occurred_on"), **values
            )
        for deadline in data.get("deadlines", []):
            self._deadline(claim.id, deadline)
        for letter in data.get("letters", []):
            values = self._refs(letter, "document")
            sent_on, method = values.pop("sent_on", None), values.pop("method", None)
            record = self.s.letters.record(claim.id, **values)
            if sent_on is not None:
                self.s.letters.mark_sent(record.id, sent_on, method)
        for note in data.get("notes", []):
            self.s.claims.add_note(claim.id, note)
        self.s.samples.settle(claim.id)
        return claim.id

    def _refs(self, values: Json, *keys: str) -> Json:
        """Swap the names of other demo records ("document": "denial") for their ids."""
        out = dict(values)
        for key in keys:
            if key not in out:
                continue
            table, field = _REFERENCES[key]
            name = out.pop(key)
            known = getattr(self, table)
            if name not in known:
                raise DemoDataError(f"The demo data refers to an unknown {key} '{name}'.")
            out[field] = known[name]
        return out

    def _organisation(self, org: Json) -> None:
        values = dict(org)
        key = values.pop("key")
        kind = OrganisationKind(values["kind"])
        existing = [o for o in self.s.claims.organisations(kind) if o.name == values["name"]]
        self.orgs[key] = existing[0].id if existing else self.s.claims.add_organisation(**values).id

    def _document(self, claim: ClaimDetail, doc: Json, page: tuple[float, float]) -> None:
        measure = page[0] - 2 * MARGIN
        dated = long_date(doc["date"], claim.country)
        pdf = render_pdf(doc["title"], document_lines(doc, dated, measure), page)
        info = self.s.documents.attach(
            claim.id,
            doc["file_name"],
            pdf,
            kind=doc["kind"],
            title=doc["title"],
            document_date=doc["date"],
            description=doc.get("description", ""),
        )
        self.documents[doc["key"]] = info.id

    def _place_in_packet(self, claim_id: int) -> None:
        """The order an advocate would give the appeal's exhibits: the decision and its basis,
        then the evidence against it, then the records."""
        rank = {kind: n for n, kind in enumerate(PACKET_ORDER)}
        chosen = [d for d in self.s.documents.documents(claim_id) if d.kind in rank]
        chosen.sort(key=lambda d: (rank[d.kind], d.document_date or date.min))
        self.s.documents.set_packet_order(claim_id, [d.id for d in chosen])

    def _request(self, claim_id: int, request: Json) -> None:
        values = self._refs(request, "recipient", "document")
        kind = values.pop("kind")
        follow_ups = values.pop("follow_ups", [])
        received_on = values.pop("received_on", None)
        document_id = values.pop("document_id", None)
        record = self.s.requests.request_document(claim_id, kind, **values)
        for follow_up in follow_ups:
            self.s.requests.follow_up(record.id, **follow_up)
        if received_on is not None:
            self.s.requests.mark_received(record.id, received_on, document_id)

    def _call(self, claim_id: int, call: Json, zone: str) -> None:
        values = self._refs(call, "organisation")
        key = values.pop("key", None)
        amends = values.pop("amends", None)
        reason = values.pop("amendment_reason", "")
        promises = values.pop("promises", [])
        data = CallInput(
            **values,
            time_zone=zone,
            promises=tuple(PromiseInput(p["description"], p.get("due_date")) for p in promises),
        )
        if amends is None:
            record = self.s.calls.log_call(claim_id, data)
        else:
            record = self.s.calls.amend_call(self.calls[amends], data, reason)
        for promise, logged in zip(promises, record.promises, strict=True):
            if "status" in promise:
                self.s.calls.set_promise_status(
                    logged.id, promise["status"], promise.get("resolved_on")
                )
        if key is not None:
            self.calls[key] = record.id

    def _opinion(self, claim_id: int, opinion: Json) -> None:
        values = self._refs(opinion, "report_document")
        for cost in ("billed", "allowed", "paid", "owed"):
            if cost in values:
                values[f"{cost}_minor"] = values.pop(cost)
        specialist = values.pop("specialist")
        if specialist not in self.specialists:
            raise DemoDataError(f"The demo specialist '{specialist}' is not in the directory.")
        self.s.opinions.start(claim_id, self.specialists[specialist], **values)

    def _appeal(self, claim_id: int, appeal: Json) -> None:
        values = self._refs(appeal)
        key = values.pop("key", None)
        decision = values.pop("decision", None)
        record = self.s.appeals.record(claim_id, values.pop("level"), **values)
        if decision is not None:
            self.s.appeals.record_decision(record.id, **decision)
        if key is not None:
            self.appeals[key] = record.id

    def _deadline(self, claim_id: int, deadline: Json) -> None:
        values = dict(deadline)
        status = values.pop("status", None)
        completed_on = values.pop("completed_on", None)
        record = self.s.deadlines.add_manual(
            claim_id, values.pop("title"), values.pop("due_on"), **values
        )
        if status is not None:
            self.s.deadlines.set_status(record.id, status, completed_on)


def _case_fields(claim: ClaimDetail) -> dict[str, str]:
    """What demo text may quote: "{claimant}", "{insurer}", "{claim_number}"..."""
    return {
        "claimant": claim.claimant_name,
        "insurer": claim.insurer_name,
        "administrator": claim.plan_administrator_name,
        "plan": claim.plan_name,
        "policy": claim.policy_number,
        "group": claim.group_number,
        "member_id": claim.member_id,
        "claim_number": claim.insurer_claim_number,
        "case_number": claim.case_number,
        "service": claim.disputed_service,
        "reviewer": claim.reviewer_name,
        "reviewer_credentials": claim.reviewer_credentials,
    }

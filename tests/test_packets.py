"""The appeal packet: page order, stamps, index, bookmarks, bad exhibits, split, ZIP, cancel."""

from __future__ import annotations

import errno
import io
import re
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import docx
import pytest
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from claimdesk.errors import ExhibitProblemsError, PacketCancelled, PacketExportError
from claimdesk.packets import (
    ChronologyEntry,
    Exhibit,
    PacketOptions,
    PacketSource,
    check_exhibits,
    exhibit_letter,
    export_packet,
)

PREFIX = "CD-2026-0001"
STAMP = re.compile(re.escape(PREFIX) + r"-(\d{6})")


def text_pdf(pages: int, label: str, *, rotate: int = 0, noise: int = 0) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for n in range(pages):
        pdf.add_page()
        pdf.cell(0, 10, f"{label} page {n + 1}")
        if noise:
            pdf.image(noisy_png(noise), x=20, y=30, w=150)
    data = bytes(pdf.output())
    if not rotate:
        return data
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    for page in writer.pages:
        page.rotate(rotate)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def noisy_png(side: int) -> io.BytesIO:
    import random

    rng = random.Random(side)
    image = Image.frombytes("L", (side, side), bytes(rng.randrange(256) for _ in range(side**2)))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def png_bytes() -> bytes:
    image = Image.new("RGB", (800, 500), "white")
    image.paste((30, 90, 160), (100, 100, 700, 400))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_heading("Letter from Dr Rao", level=1)
    document.add_paragraph("The patient meets the criteria for the requested treatment.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Test"
    table.cell(0, 1).text = "Result"
    table.cell(1, 0).text = "Troponin"
    table.cell(1, 1).text = "0.9 ng/mL"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(1, "Secret"))))
    writer.encrypt(user_password="s3cret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def exhibit(title: str, name: str, media: str, data: bytes) -> Exhibit:
    return Exhibit(title, "2026-01-15", name, media, lambda: data)


def good_exhibits() -> list[Exhibit]:
    return [
        exhibit("Denial letter", "denial.pdf", "application/pdf", text_pdf(3, "Denial")),
        exhibit("Scan of EOB", "eob.png", "image/png", png_bytes()),
        exhibit(
            "Dr Rao's letter",
            "rao.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            docx_bytes(),
        ),
        exhibit("Call notes", "notes.txt", "text/plain", b"Called the plan.\nNo answer."),
        exhibit("Sideways chart", "chart.pdf", "application/pdf", text_pdf(2, "Chart", rotate=90)),
    ]


def source(exhibits: list[Exhibit], letter: bool = True) -> PacketSource:
    entries = [
        ChronologyEntry(date(2026, 1, 2), "Denial", "Acme Health", "CLM-1", "Claim denied."),
        ChronologyEntry(
            datetime(2026, 1, 5, 14, 30), "Call", "Jane Roe (ID 4411)", "REF-77", "Promised file."
        ),
    ]
    return PacketSource(
        PREFIX, "Maria Example", text_pdf(2, "Letter") if letter else None, exhibits, entries
    )


def options(**changes: object) -> PacketOptions:
    return PacketOptions(stamp_prefix=PREFIX, **changes)  # type: ignore[arg-type]


def stamps(path: Path) -> list[int]:
    """The running number found on each page, by extracting its text."""
    found = []
    for page in PdfReader(path).pages:
        numbers = STAMP.findall(page.extract_text() or "")
        found.append(int(numbers[-1]) if numbers else -1)
    return found


def index_ranges(path: Path) -> dict[str, tuple[int, int]]:
    """Exhibit letter -> (first, last) page numbers as the index page prints them."""
    reader = PdfReader(path)
    text = "\n".join(reader.pages[p].extract_text() for p in range(2, 3))
    ranges = {}
    for letter, first, last in re.findall(
        r"\n([A-Z]{1,2}) .*?" + re.escape(PREFIX) + r"-(\d{6})(?:\s*–\s*(\d{6}))?", text, re.S
    ):
        ranges[letter] = (int(first), int(last or first))
    return ranges


def test_packet_is_letter_index_exhibits_stamped_in_order(tmp_path: Path) -> None:
    out = tmp_path / "packet.pdf"
    ticks: list[tuple[int, int, str]] = []
    result = export_packet(source(good_exhibits()), out, options(), lambda *a: ticks.append(a))
    reader = PdfReader(out)
    # letter 2 + index 1 + 3 + 1 image + docx 1 + text 1 + 2 rotated + chronology 1
    assert len(reader.pages) == result.page_count == 2 + 1 + 3 + 1 + 1 + 1 + 2 + 1
    assert stamps(out) == list(range(1, result.page_count + 1))
    assert [e.letter for e in result.exhibits] == ["A", "B", "C", "D", "E", "F"]
    assert result.exhibits[-1].title.startswith("Chronology")
    assert "Denial page 1" in reader.pages[3].extract_text()
    assert "Troponin" in reader.pages[7].extract_text()
    assert ticks and ticks[-1][0] == ticks[-1][1]
    ranges = index_ranges(out)
    for item in result.exhibits:
        assert ranges[item.letter] == (int(item.first_stamp[-6:]), int(item.last_stamp[-6:]))
    # The rotated exhibit starts where the index says, and says so on the page itself.
    first, _ = ranges["E"]
    assert "Chart page 1" in reader.pages[first - 1].extract_text()
    assert "Called the plan" in reader.pages[ranges["D"][0] - 1].extract_text()
    assert "Jane Roe (ID 4411)" in reader.pages[ranges["F"][0] - 1].extract_text()


def test_bookmarks_name_every_part(tmp_path: Path) -> None:
    out = tmp_path / "packet.pdf"
    export_packet(source(good_exhibits()), out, options())
    reader = PdfReader(out)
    marks = {item.title: reader.get_destination_page_number(item) for item in reader.outline}
    assert marks["Appeal letter"] == 0
    assert marks["Index of exhibits"] == 2
    assert marks["Exhibit A – Denial letter"] == 3
    assert marks["Exhibit E – Sideways chart"] == 9
    assert any(t.startswith("Exhibit F – Chronology") for t in marks)


def test_stamp_is_upright_bottom_right_on_a_rotated_page(tmp_path: Path) -> None:
    out = tmp_path / "packet.pdf"
    export_packet(source(good_exhibits()), out, options())
    page = PdfReader(out).pages[9]
    assert page.rotation == 90
    spots: list[tuple[float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if STAMP.search(text):
            matrix = [
                tm[0] * cm[0] + tm[1] * cm[2],
                tm[0] * cm[1] + tm[1] * cm[3],
                0,
                0,
                tm[4] * cm[0] + tm[5] * cm[2] + cm[4],
                tm[4] * cm[1] + tm[5] * cm[3] + cm[5],
            ]
            spots.append((matrix[4], matrix[5]))
            # The text runs along the page's y axis: upright once the page is turned.
            assert abs(matrix[0]) < 1e-6 and matrix[1] > 0

    page.extract_text(visitor_text=visit)
    ((x, y),) = spots
    box = page.mediabox
    # Turned 90° clockwise, the viewed bottom edge is the page's right edge (high x).
    assert x > float(box.right) - 30
    assert y > float(box.top) * 0.6


def test_corrupt_pdf_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    out = tmp_path / "packet.pdf"
    bad = exhibit("MRI report", "mri.pdf", "application/pdf", b"%PDF-1.7\n garbage \x00\x01")
    with pytest.raises(ExhibitProblemsError) as caught:
        export_packet(source([*good_exhibits(), bad]), out, options())
    assert "'MRI report' (mri.pdf)" in str(caught.value)
    assert caught.value.problems[0].file_name == "mri.pdf"
    assert list(tmp_path.iterdir()) == []


def test_encrypted_pdf_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    out = tmp_path / "packet.pdf"
    locked = exhibit("Claim file", "file.pdf", "application/pdf", encrypted_pdf())
    problems = check_exhibits(source([locked]))
    assert [p.file_name for p in problems] == ["file.pdf"]
    assert "password" in problems[0].reason
    with pytest.raises(ExhibitProblemsError, match="password-protected"):
        export_packet(source([*good_exhibits(), locked]), out, options())
    assert list(tmp_path.iterdir()) == []


def test_unreadable_exhibit_left_out_with_consent(tmp_path: Path) -> None:
    out = tmp_path / "packet.pdf"
    locked = exhibit("Claim file", "file.pdf", "application/pdf", encrypted_pdf())
    junk = exhibit("Photo", "photo.jpg", "image/jpeg", b"\xff\xd8\xff not a jpeg")
    exhibits = [*good_exhibits()[:2], locked, junk]
    result = export_packet(source(exhibits), out, options(omit_unreadable=True))
    assert [p.title for p in result.omitted] == ["Claim file", "Photo"]
    assert [e.title for e in result.exhibits][:2] == ["Denial letter", "Scan of EOB"]
    index = PdfReader(out).pages[2].extract_text()
    assert "Scan of EOB" in index and "Claim file" not in index and "Photo" not in index
    assert len(PdfReader(out).pages) == 2 + 1 + 3 + 1 + 1


def test_split_parts_fit_the_limit_and_hold_every_page(tmp_path: Path) -> None:
    big = [
        exhibit(f"Scan {n}", f"scan{n}.pdf", "application/pdf", text_pdf(3, f"S{n}", noise=300))
        for n in range(4)
    ]
    whole = tmp_path / "whole.pdf"
    export_packet(source(big), whole, options())
    limit = int(whole.stat().st_size * 0.6)  # so there is something to split
    result = export_packet(source(big), tmp_path / "p.pdf", options(split_bytes=limit))
    assert len(result.paths) > 1
    assert [p.name for p in result.paths] == [
        f"p-part{n}.pdf" for n in range(1, 1 + len(result.paths))
    ]
    numbers: list[int] = []
    for path in result.paths:
        assert path.stat().st_size <= limit
        assert PdfReader(path).outline  # every part opens with bookmarks
        numbers += stamps(path)
    assert numbers == list(range(1, result.page_count + 1))


def test_split_with_a_page_over_the_limit_names_it(tmp_path: Path) -> None:
    big = [exhibit("Huge scan", "huge.pdf", "application/pdf", text_pdf(1, "H", noise=400))]
    with pytest.raises(PacketExportError, match="Exhibit A – Huge scan"):
        export_packet(source(big), tmp_path / "p.pdf", options(split_bytes=100_000))
    assert list(tmp_path.iterdir()) == []


def test_zip_holds_each_piece_stamped(tmp_path: Path) -> None:
    result = export_packet(source(good_exhibits()), tmp_path / "packet.pdf", options(as_zip=True))
    assert result.paths == [tmp_path / "packet.zip"]
    with zipfile.ZipFile(result.paths[0]) as archive:
        names = archive.namelist()
        assert names[:4] == [
            "01 Appeal letter.pdf",
            "02 Index of exhibits.pdf",
            "03 Exhibit A - Denial letter.pdf",
            "04 Exhibit B - Scan of EOB.pdf",
        ]
        assert len(names) == 2 + 6
        numbers: list[int] = []
        for name in names:
            reader = PdfReader(io.BytesIO(archive.read(name)))
            numbers += [int(STAMP.findall(p.extract_text())[-1]) for p in reader.pages]
    assert numbers == list(range(1, result.page_count + 1))


def counting_cancel(after: int) -> Callable[[], bool]:
    calls = 0

    def cancelled() -> bool:
        nonlocal calls
        calls += 1
        return calls > after

    return cancelled


@pytest.mark.parametrize("mode", [{}, {"as_zip": True}, {"split_bytes": 100_000}])
def test_cancel_leaves_no_file(tmp_path: Path, mode: dict[str, object]) -> None:
    for after in (0, 6, 9):
        with pytest.raises(PacketCancelled):
            export_packet(
                source(good_exhibits()),
                tmp_path / "p.pdf",
                options(**mode),
                None,
                counting_cancel(after),
            )
        assert list(tmp_path.iterdir()) == []


def test_existing_file_survives_a_failed_export(tmp_path: Path) -> None:
    out = tmp_path / "packet.pdf"
    out.write_bytes(b"the packet from yesterday")
    bad = exhibit("Bad", "bad.pdf", "application/pdf", b"not a pdf")
    with pytest.raises(ExhibitProblemsError):
        export_packet(source([bad]), out, options())
    assert out.read_bytes() == b"the packet from yesterday"
    assert list(tmp_path.iterdir()) == [out]


def test_without_letter_or_chronology(tmp_path: Path) -> None:
    out = tmp_path / "packet.pdf"
    result = export_packet(
        source(good_exhibits()[:1], letter=False), out, options(include_chronology=False)
    )
    assert result.page_count == 1 + 3
    assert [e.title for e in result.exhibits] == ["Denial letter"]


def test_exhibit_letters_run_past_z() -> None:
    assert [exhibit_letter(n) for n in (0, 25, 26, 27, 51, 52)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
    ]


def test_long_index_runs_over_pages_and_still_matches_the_stamps(tmp_path: Path) -> None:
    page = text_pdf(1, "One")
    many = [
        exhibit(f"Record {n}: progress note from the treating cardiologist", f"r{n}.pdf",
                "application/pdf", page)
        for n in range(45)
    ]  # fmt: skip
    out = tmp_path / "packet.pdf"
    result = export_packet(source(many, letter=False), out, options(include_chronology=False))
    reader = PdfReader(out)
    index_pages = result.page_count - 45
    assert index_pages >= 2
    assert stamps(out) == list(range(1, result.page_count + 1))
    text = "\n".join(reader.pages[p].extract_text() for p in range(index_pages))
    found = re.findall(
        r"\n([A-Z]{1,2}) Record \d+.*?" + re.escape(PREFIX) + r"-(\d{6})", text, re.S
    )
    assert [(letter, int(n)) for letter, n in found] == [
        (e.letter, int(e.first_stamp[-6:])) for e in result.exhibits
    ]
    assert result.exhibits[26].letter == "AA"


def test_pdf_locked_only_against_editing_goes_in(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(2, "Owner"))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    locked = exhibit("Plan document", "plan.pdf", "application/pdf", buffer.getvalue())
    out = tmp_path / "packet.pdf"
    result = export_packet(source([locked], letter=False), out, options())
    assert result.omitted == [] and result.page_count == 1 + 2 + 1
    assert "Owner page 2" in PdfReader(out).pages[2].extract_text()


def test_exhibit_that_breaks_after_the_check(tmp_path: Path) -> None:
    """A file that reads at the check but not when copied: named, or left out with consent."""
    good = text_pdf(2, "Flaky")
    reads = {"n": 0}

    def flaky() -> bytes:
        reads["n"] += 1
        return good if reads["n"] == 1 else b"%PDF-1.4 truncated"

    def flaky_exhibit() -> Exhibit:
        reads["n"] = 0
        return Exhibit("Flaky scan", "2026-01-01", "flaky.pdf", "application/pdf", flaky)

    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(ExhibitProblemsError, match=r"'Flaky scan' \(flaky.pdf\)"):
        export_packet(source([*good_exhibits()[:1], flaky_exhibit()]), folder / "p.pdf", options())
    assert list(folder.iterdir()) == []
    result = export_packet(
        source([*good_exhibits()[:1], flaky_exhibit()]),
        folder / "p.pdf",
        options(omit_unreadable=True),
    )
    assert [p.title for p in result.omitted] == ["Flaky scan"]
    assert stamps(folder / "p.pdf") == list(range(1, result.page_count + 1))
    assert result.exhibits[0].title == "Denial letter"
    assert list(folder.iterdir()) == [folder / "p.pdf"]  # the first try left nothing behind


def test_split_that_fits_in_one_part_writes_one_file(tmp_path: Path) -> None:
    out = tmp_path / "packet.pdf"
    result = export_packet(source(good_exhibits()), out, options(split_bytes=10_000_000))
    assert result.paths == [out] and list(tmp_path.iterdir()) == [out]
    with pytest.raises(PacketExportError, match="not both"):
        export_packet(source(good_exhibits()), out, options(split_bytes=10**7, as_zip=True))


# ---- the file itself: written object by object as the pages are copied ----------------------


def check_well_formed(path: Path) -> PdfReader:
    """Every in-use cross-reference entry points at its object; pypdf reads it strictly."""
    data = path.read_bytes()
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    found = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data)
    assert found is not None
    start = int(found.group(1))
    table = re.match(rb"xref\n0 (\d+)\n", data[start:])
    assert table is not None
    count, entries = int(table.group(1)), start + table.end()
    assert re.search(rb"/Size %d\b" % count, data[start:])
    for number in range(1, count):
        entry = data[entries + 20 * number : entries + 20 * number + 20]
        assert entry.endswith(b" n\r\n"), (number, entry)
        offset = int(entry[:10])
        assert data[offset:].startswith(b"%d 0 obj" % number), number
    return PdfReader(path, strict=True)


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF from object bodies (object n is objects[n - 1]; 1 is the catalog)."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f\r\n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n\r\n" % o for o in offsets)
    out += b"trailer\n<</Size %d /Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        start,
    )
    return bytes(out)


def stream(data: bytes) -> bytes:
    return b"<</Length %d>>\nstream\n" % len(data) + data + b"\nendstream"


def test_single_packet_is_well_formed(tmp_path: Path) -> None:
    out = tmp_path / "packet.pdf"
    result = export_packet(source(good_exhibits()), out, options())
    reader = check_well_formed(out)
    assert len(reader.pages) == result.page_count
    assert reader.metadata is not None and reader.metadata.title == f"Appeal packet {PREFIX}"
    assert reader.page_mode == "/UseOutlines"
    assert len(reader.outline) == 2 + len(result.exhibits)


def test_inherited_attributes_and_content_arrays_are_kept(tmp_path: Path) -> None:
    """Page size and fonts set on the page tree, an offset media box, content in two parts."""
    font = b"<</Type /Font /Subtype /Type1 /BaseFont /Courier>>"
    shared = b"<</Font <</F1 7 0 R>>>>"
    first = stream(b"BT /F1 12 Tf 150 400 Td (Inherited box) Tj ET")
    second = stream(b"BT /F1 12 Tf 150 380 Td (second part) Tj ET")
    page = b"<</Type /Page /Parent 2 0 R /Contents [%s]>>"
    data = raw_pdf(
        [
            b"<</Type /Catalog /Pages 2 0 R>>",
            b"<</Type /Pages /Kids [3 0 R 4 0 R] /Count 2 /MediaBox [100 100 400 500]"
            b" /Resources 8 0 R>>",
            page % b"5 0 R 6 0 R",
            page % b"",  # an empty page still gets its stamp
            first,
            second,
            font,
            shared,
        ]
    )
    odd = exhibit("Odd scan", "odd.pdf", "application/pdf", data)
    out = tmp_path / "packet.pdf"
    result = export_packet(source([odd], letter=False), out, options(include_chronology=False))
    reader = check_well_formed(out)
    assert stamps(out) == list(range(1, result.page_count + 1))
    page = reader.pages[1]
    assert [float(x) for x in page.mediabox] == [100, 100, 400, 500]
    text = page.extract_text()
    assert "Inherited box" in text and "second part" in text
    spots: list[tuple[float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if STAMP.search(text):
            spots.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    ((x, y),) = spots
    assert 250 < x < 400 and 100 < y < 130  # inside the box, at its bottom right


def link_pdf() -> bytes:
    """Two pages; page 1 links to page 2 by a named destination and by an explicit one."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(2, "Linked"))))
    writer.add_named_destination("results", 1)
    named = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (50, 700, 200, 720)]),
            NameObject("/A"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/GoTo"),
                    NameObject("/D"): TextStringObject("results"),
                }
            ),
        }
    )
    writer.add_annotation(0, named)
    writer.add_annotation(0, Link(rect=(50, 650, 200, 670), target_page_index=1))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_links_inside_an_exhibit_still_land(tmp_path: Path) -> None:
    linked = exhibit("Lab results", "lab.pdf", "application/pdf", link_pdf())
    out = tmp_path / "packet.pdf"
    export_packet(source([linked], letter=False), out, options())
    reader = check_well_formed(out)
    first, second = reader.pages[1], reader.pages[2]
    assert "Linked page 2" in second.extract_text()
    targets = []
    for annotation in first["/Annots"]:
        link = annotation.get_object()
        destination = link["/A"]["/D"] if "/A" in link else link["/Dest"]
        targets.append(reader.get_page_number(destination[0].get_object()))
    assert targets == [2, 2]


def form_pdf() -> bytes:
    """One page with a filled-in text field."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(1, "Form"))))
    helvetica = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    fonts = DictionaryObject({NameObject("/Helv"): writer._add_object(helvetica)})
    appearance = DecodedStreamObject()
    appearance.set_data(b"BT /Helv 10 Tf 2 4 Td (Jane Roe) Tj ET")
    appearance.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([NumberObject(n) for n in (0, 0, 150, 20)]),
            NameObject("/Resources"): DictionaryObject({NameObject("/Font"): fonts}),
        }
    )
    field = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/FT"): NameObject("/Tx"),
            NameObject("/T"): TextStringObject("member_name"),
            NameObject("/V"): TextStringObject("Jane Roe"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (50, 600, 200, 620)]),
            NameObject("/AP"): DictionaryObject({NameObject("/N"): writer._add_object(appearance)}),
        }
    )
    reference = writer._add_object(field)
    writer.pages[0][NameObject("/Annots")] = ArrayObject([reference])
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {
            NameObject("/Fields"): ArrayObject([reference]),
            NameObject("/DR"): DictionaryObject({NameObject("/Font"): fonts}),
            NameObject("/DA"): TextStringObject("/Helv 0 Tf 0 g"),
        }
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_form_fields_come_along(tmp_path: Path) -> None:
    filled = exhibit("Claim form", "form.pdf", "application/pdf", form_pdf())
    out = tmp_path / "packet.pdf"
    export_packet(source([filled, filled]), out, options())
    reader = check_well_formed(out)
    fields = reader.get_fields()
    assert fields is not None and fields["member_name"]["/V"] == "Jane Roe"
    form = reader.root_object["/AcroForm"]
    assert len(form["/Fields"]) == 2  # the same form twice: two fields of that name
    assert form["/DA"] == "/Helv 0 Tf 0 g" and "/Helv" in form["/DR"]["/Font"]


def test_split_parts_and_zip_entries_are_well_formed(tmp_path: Path) -> None:
    big = [
        exhibit(f"Scan {n}", f"scan{n}.pdf", "application/pdf", text_pdf(3, f"S{n}", noise=300))
        for n in range(3)
    ]
    parts = export_packet(source(big), tmp_path / "p.pdf", options(split_bytes=100_000))
    assert len(parts.paths) > 1
    for path in parts.paths:
        assert check_well_formed(path).outline
    zipped = export_packet(source(big), tmp_path / "z.pdf", options(as_zip=True))
    with zipfile.ZipFile(zipped.paths[0]) as archive:
        for name in archive.namelist():
            entry = tmp_path / "entry.pdf"
            entry.write_bytes(archive.read(name))
            assert check_well_formed(entry).outline


def test_full_disk_is_not_blamed_on_an_exhibit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class FullDisk(io.BytesIO):
        def write(self, data: Any, /) -> int:
            if self.tell() > 5_000:
                raise OSError(errno.ENOSPC, "No space left on device")
            return super().write(data)

    opened = Path.open

    def open_(path: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if path.name.endswith(".partial") and "w" in mode:
            path.touch()  # the file is there, and must not stay
            return FullDisk()
        return opened(path, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_)
    with pytest.raises(PacketExportError, match="No space left on device"):
        export_packet(source(good_exhibits()), tmp_path / "p.pdf", options())
    assert list(tmp_path.iterdir()) == []

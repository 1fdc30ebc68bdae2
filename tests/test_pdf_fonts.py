"""Each shipped font face is parsed once per process and shared by every PDF that uses it:
the PDFs must be the very bytes fpdf2 writes when it parses the faces itself, and documents
made at once on several threads must not disturb one another. A document in Latin is subset
from each face's Latin cut, and embeds the very same font bytes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from fpdf import FPDF

from claimdesk.letters.fonts import _FILES, SANS, SERIF, add_face, cut_to_latin, fonts_dir

TEXT = (
    "Dear Ms. Lopez-Müller, the reviewer's report (ref. R-4711) cites criteria ‘fi’ — "
    "Ελληνικά, Кириллица, and a character no face has: \U0001f600. "
) * 12
WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


LATIN_TEXT = (
    "Dear Ms. Lopez-Müller, the reviewer’s report (ref. R-4711, 12 ½ pages) cites “criteria” "
    "– not § 2560.503-1(h)(2)(iii) – at €1,250.00… Ça suffit. "
) * 12


def document(shared: bool, text: str = TEXT, cut: bool = False) -> bytes:
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_creation_date(WHEN)
    for (family, style), name in _FILES.items():
        if family in (SERIF, SANS):
            if shared:
                add_face(pdf, family, style, fonts_dir() / name)
            else:
                pdf.add_font(family, style, str(fonts_dir() / name))
    pdf.add_page()
    for style in ("", "B", "I", "BI"):
        pdf.set_font(SERIF, style, 11)
        # A trial rendering copies the whole document (fpdf2's offset_rendering), as the
        # letters do to keep their closing on one page.
        with pdf.offset_rendering() as trial:
            trial.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(SANS, "B", 9)
    pdf.cell(0, 5, "Page 1", align="C")
    if cut:
        cut_to_latin(pdf)
    return bytes(pdf.output())


def test_a_shared_face_writes_the_same_pdf_as_fpdf2_parsing_it() -> None:
    assert document(shared=True) == document(shared=False)
    # The first document's subset does not leak into the next one's.
    assert document(shared=True, text="Short.") == document(shared=False, text="Short.")


def test_documents_written_at_once_on_threads_are_each_whole() -> None:
    texts = [TEXT, "Short.", TEXT[::-1], "Ελληνικά " * 200]
    expected = [document(shared=False, text=t) for t in texts]
    with ThreadPoolExecutor(4) as pool:
        made = list(pool.map(lambda t: document(shared=True, text=t, cut=True), texts * 3))
    assert made == expected * 3


def test_a_latin_document_subset_from_the_latin_cut_embeds_the_same_bytes() -> None:
    whole = document(shared=False, text=LATIN_TEXT)
    assert document(shared=True, text=LATIN_TEXT, cut=True) == whole
    # A character outside the cut (Greek, Cyrillic) keeps the whole face, the same bytes too.
    assert document(shared=True, cut=True) == document(shared=False)

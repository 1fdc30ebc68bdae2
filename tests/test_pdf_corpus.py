"""Real-world PDFs at attach, in search and in the packet: read as viewers read them, or refused
by name; never a traceback. The files come from tests/pdf_corpus.py."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from pypdf.errors import DependencyError

from claimdesk import pdf
from claimdesk.errors import DocumentError, ExhibitProblemsError
from claimdesk.packets import Exhibit, PacketOptions, PacketSource, export_packet
from claimdesk.services import ClaimInput, Services
from claimdesk.services.dto import DocumentInfo
from claimdesk.services.search import extract_text
from tests.pdf_corpus import CORPUS, Sample, fuzzed

DAY = date(2026, 1, 15)
READABLE = [s for s in CORPUS if s.pages]
REFUSED = [s for s in CORPUS if not s.pages]


def name_of(sample: Sample) -> str:
    return sample.name


@pytest.fixture
def case(services: Services) -> int:
    return services.claims.open_case(
        ClaimInput(
            claimant_name="Maria Lopez",
            plan_type="erisa_group_health",
            claim_type="health",
            country="US",
            region="CA",
            insurer_name="Acme Health Plan",
            denial_received_date=date(2026, 1, 5),
            denial_category="medical_necessity",
        )
    ).id


def attach(services: Services, case: int, tmp_path: Path, sample: Sample) -> DocumentInfo:
    path = tmp_path / sample.name
    path.write_bytes(sample.make())
    return services.documents.attach_file(case, path, document_date=DAY)


def export(services: Services, case: int, document: DocumentInfo, out: Path) -> object:
    services.documents.set_packet_order(case, [document.id])
    packets = services.packets
    return packets.export(case, out, None, packets.options(case, include_chronology=False))


def packet_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.mark.parametrize("sample", READABLE, ids=name_of)
def test_a_file_a_viewer_opens_is_counted_searched_and_goes_into_the_packet(
    services: Services, case: int, tmp_path: Path, sample: Sample
) -> None:
    document = attach(services, case, tmp_path, sample)
    assert document.pages == sample.pages
    hits = services.search.search(f'"{sample.text}"').cases
    assert [(h.kind, h.title) for c in hits for h in c.hits] == [
        ("document", Path(sample.name).stem)
    ]
    out = tmp_path / "packet.pdf"
    result = export(services, case, document, out)
    [exhibit] = result.exhibits  # type: ignore[attr-defined]
    assert int(exhibit.last_stamp[-6:]) - int(exhibit.first_stamp[-6:]) + 1 == sample.pages
    assert result.omitted == []  # type: ignore[attr-defined]
    assert len(PdfReader(out).pages) == 1 + sample.pages  # the index, then the exhibit
    with pdfium.PdfDocument(out) as written:  # what a viewer opens
        assert len(written) == 1 + sample.pages
    assert sample.text in packet_text(out)


@pytest.mark.parametrize("sample", REFUSED, ids=name_of)
def test_a_file_no_engine_reads_is_refused_by_name(
    services: Services, case: int, tmp_path: Path, sample: Sample
) -> None:
    if not sample.make():
        with pytest.raises(DocumentError, match=f"'{sample.name}' is empty"):
            attach(services, case, tmp_path, sample)
        return
    document = attach(services, case, tmp_path, sample)  # kept: it is the claimant's record
    assert document.pages is None
    assert services.search.search("claimant plain text e-mail Locked page").empty
    out = tmp_path / "packet.pdf"
    with pytest.raises(ExhibitProblemsError) as caught:
        export(services, case, document, out)
    [problem] = caught.value.problems
    assert problem.file_name == sample.name and sample.refusal in problem.reason
    assert sample.name in str(caught.value)
    if sample.refusal == "password":
        assert "password-protected" in problem.reason
    if sample.refusal in ("password", "certificate"):
        assert "save an unlocked copy" in problem.reason
    assert not out.exists()


@pytest.mark.parametrize("seed", range(40))
def test_fuzzed_files_are_read_or_refused_never_a_traceback(tmp_path: Path, seed: int) -> None:
    data = fuzzed(seed)
    pages = pdf.page_count(data)
    text = extract_text(data, "application/pdf")
    exhibit = Exhibit("Fuzzed", "", "fuzzed.pdf", "application/pdf", lambda: data)
    out = tmp_path / "packet.pdf"
    result = export_packet(
        PacketSource("CD-1", "Maria Lopez", None, [exhibit], []),
        out,
        PacketOptions("CD-1", include_chronology=False, omit_unreadable=True),
    )
    if pages is None:
        assert text == ""
    if result.omitted:
        # Unreadable from the start, or (a broken stream no engine reads either) found only
        # when its pages are copied: either way named, and the packet written without it.
        [problem] = result.omitted
        assert problem.file_name == "fuzzed.pdf" and problem.reason.startswith("it ")
        assert result.exhibits == [] and len(PdfReader(out).pages) == 1
    else:
        assert pages is not None and result.page_count == 1 + pages
        assert len(PdfReader(out).pages) == 1 + pages


def test_the_fuzzed_files_hold_both_kinds() -> None:
    """The fuzz test above sees files read and files refused, so both branches are tested."""
    counts = [pdf.page_count(fuzzed(seed)) for seed in range(40)]
    assert None in counts and any(counts)


def without_cryptography(monkeypatch: pytest.MonkeyPatch) -> None:
    """pypdf as it was when `cryptography` was not installed: AES raises DependencyError."""
    import pypdf._encryption as encryption
    from pypdf._crypt_providers import _fallback

    for name in ("aes_cbc_decrypt", "aes_cbc_encrypt", "aes_ecb_decrypt", "aes_ecb_encrypt"):
        monkeypatch.setattr(encryption, name, getattr(_fallback, name))
    monkeypatch.setattr(encryption, "CryptAES", _fallback.CryptAES)


def sample(name: str) -> Sample:
    return next(s for s in CORPUS if s.name == name)


def test_aes_without_cryptography_is_opened_through_pdfium(monkeypatch: pytest.MonkeyPatch) -> None:
    data = sample("aes256-empty-password.pdf").make()
    locked = sample("aes256-user-password.pdf").make()
    without_cryptography(monkeypatch)
    with pytest.raises(DependencyError):
        reader = PdfReader(io.BytesIO(data))
        reader.decrypt("")
        reader.pages[0].extract_text()
    opened = pdf.open_pdf(data)
    assert opened.pages == 2 and opened.how == "re-saved" and opened.repaired is not None
    assert "Aes two page 2" in pdf.pdf_text(data, 10, 10_000)
    with pytest.raises(pdf.PdfUnreadable, match="password-protected") as caught:
        pdf.open_pdf(locked)
    assert caught.value.locked


def test_pages_only_pdfium_can_draw_are_drawn(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """When no rebuilt copy reads in pypdf, the pages go in as pictures; search still reads
    the text through PDFium."""
    data = sample("deep-page-tree.pdf").make()
    monkeypatch.setattr(pdf, "_rebuilt", lambda source: data)  # as unreadable as the original
    opened = pdf.open_pdf(data)
    assert opened.how == "drawn" and opened.pages == 3
    page = opened.reader.pages[0]
    assert [round(float(v)) for v in page.mediabox] == [0, 0, 612, 792]
    assert "/XObject" in page["/Resources"]  # the page is a picture of itself
    assert "Deep tree page 3" in pdf.pdf_text(data, 10, 10_000)
    out = tmp_path / "packet.pdf"
    exhibit = Exhibit("Deep", "", "deep.pdf", "application/pdf", lambda: data)
    result = export_packet(
        PacketSource("CD-1", "Maria Lopez", None, [exhibit], []),
        out,
        PacketOptions("CD-1", include_chronology=False),
    )
    assert result.page_count == 1 + 3


def test_short_filter_names_are_written_out_in_the_packet(tmp_path: Path) -> None:
    data = sample("abbreviated-filter.pdf").make()
    exhibit = Exhibit("Fax", "", "fax.pdf", "application/pdf", lambda: data)
    out = tmp_path / "packet.pdf"
    export_packet(
        PacketSource("CD-1", "Maria Lopez", None, [exhibit], []),
        out,
        PacketOptions("CD-1", include_chronology=False),
    )
    written = out.read_bytes()
    assert b"/Fl\n" not in written and b"/Fl " not in written and b"/Fl>" not in written
    assert "Abbreviated filter page 1" in PdfReader(out).pages[1].extract_text()


def test_a_stream_broken_only_for_copying_goes_in_through_pdfium(tmp_path: Path) -> None:
    """pypdf reads this file's pages but not one of its streams (found while copying): the
    packet takes PDFium's copy instead of naming the file as damaged."""
    data = fuzzed(22)
    assert pdf.open_pdf(data).how == "as is"
    with pytest.raises(pdf.PDF_ERRORS):
        for page in PdfReader(io.BytesIO(data)).pages:
            page.get_contents()
    out = tmp_path / "packet.pdf"
    exhibit = Exhibit("Fax", "", "fax.pdf", "application/pdf", lambda: data)
    result = export_packet(
        PacketSource("CD-1", "Maria Lopez", None, [exhibit], []),
        out,
        PacketOptions("CD-1", include_chronology=False),
    )
    assert result.omitted == [] and result.page_count == 1 + 2
    with pdfium.PdfDocument(out) as written:
        assert len(written) == 3
        assert "Fuzzed page 1" in written[1].get_textpage().get_text_range()

"""The closing never stands alone: the last paragraph goes with it to the next page."""

from __future__ import annotations

import io

import pytest
from docx import Document
from pypdf import PdfReader

from claimdesk.letters import pdf_writer
from claimdesk.letters.document import LetterDocument, sign_off
from claimdesk.letters.docx_writer import write_docx
from claimdesk.letters.markup import parse

CLOSING = "Yours faithfully,"


def letter(paragraphs: int, *, name: str = "Maria Lopez") -> LetterDocument:
    body = [f"Paragraph {n} of the body says one short thing." for n in range(1, paragraphs)]
    body.append("Please write to me at the address above with your decision.")
    text = "\n\n".join(["# Request for records", *body, CLOSING, f"{name}\nClaimant"])
    return LetterDocument(
        title="Request for records",
        blocks=tuple(parse(text)),
        sender_name=name,
        sender_lines=("12 High Street, Leeds LS1 4AB", "maria@example.org"),
        running_head=f"{name} · claim 4471",
    )


def pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def alone_on_page_two(name: str = "Maria Lopez") -> LetterDocument:
    """A letter whose sign-off, laid out with no care, would start page 2 on its own."""
    low, high = 5, 80  # one page, three pages: bisect to the first body that needs two
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (
            (low, middle) if len(pages(_unkept(letter(middle, name=name)))) > 1 else (middle, high)
        )
    for count in range(high, high + 6):
        candidate = letter(count, name=name)
        text = pages(_unkept(candidate))
        if len(text) == 2 and "Paragraph" not in text[1] and "Please write" not in text[1]:
            return candidate
    raise AssertionError("no body length puts the sign-off alone on page 2")


def _unkept(document: LetterDocument) -> bytes:
    """The letter laid out with no care for its sign-off."""
    breaks = pdf_writer._breaks
    pdf_writer._breaks = lambda pdf, group: False
    try:
        return pdf_writer.write_pdf(document)
    finally:
        pdf_writer._breaks = breaks


@pytest.mark.parametrize("name", ["Maria Lopez", "अनन्या देशपांडे"])
def test_the_last_paragraph_goes_with_the_closing(name: str) -> None:
    document = alone_on_page_two(name)
    text = pages(pdf_writer.write_pdf(document))
    assert len(text) == 2
    second = text[1]
    assert "Please write to me" in second
    assert second.index("Please write to me") < second.index(CLOSING)
    assert "Please write to me" not in text[0]
    assert second.index(CLOSING) < second.index("Claimant")


def test_a_letter_that_fits_is_not_pushed() -> None:
    text = pages(pdf_writer.write_pdf(letter(8)))
    assert len(text) == 1 and CLOSING in text[0]


def test_the_sign_off_is_the_last_paragraph_closing_and_signature() -> None:
    blocks = letter(4).blocks
    kept = sign_off(blocks)
    assert kept is not None
    assert [b.text for b in blocks[kept]] == [
        "Please write to me at the address above with your decision.",
        CLOSING,
        "Maria Lopez\nClaimant",
    ]
    assert sign_off(tuple(parse("No closing here."))) is None


def test_word_keeps_the_sign_off_together() -> None:
    document = Document(io.BytesIO(write_docx(letter(4))))
    formats = {p.text: p.paragraph_format for p in document.paragraphs}
    last = formats["Please write to me at the address above with your decision."]
    closing = formats[CLOSING]
    signature = next(f for text, f in formats.items() if text.startswith("Maria Lopez"))
    assert last.keep_with_next and closing.keep_with_next
    assert last.keep_together and closing.keep_together and signature.keep_together
    assert not signature.keep_with_next  # what follows may go to another page
    assert not formats["Paragraph 1 of the body says one short thing."].keep_with_next

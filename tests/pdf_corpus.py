"""Hostile and real-world-like PDFs, made on the spot: what insurers, fax servers and scanners send.

Each entry says what a user expects of the file: ``pages`` (and a phrase its text holds) when
some engine can read it, or ``refused`` with a word the refusal must contain. Everything is
built from pypdf, fpdf2 and raw bytes, seeded, so a run never depends on the machine.
"""

from __future__ import annotations

import io
import random
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter


@dataclass(frozen=True)
class Sample:
    """One corpus file and what a user expects of it."""

    name: str
    make: Callable[[], bytes]
    pages: int | None = None  # None: refused
    text: str = ""  # a phrase search must find ("" : no text expected)
    refusal: str = ""  # a word the refusal names (password, empty, damaged...)


def text_pdf(pages: int, label: str) -> bytes:
    """A plain fpdf2 file: one line of text per page."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for n in range(pages):
        pdf.add_page()
        pdf.cell(0, 10, f"{label} page {n + 1}")
    return bytes(pdf.output())


def _encrypted(user: str, algorithm: str, label: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(2, label))))
    writer.encrypt(user_password=user, owner_password="owner-only", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def certificate_protected() -> bytes:
    """Encrypted for a recipient's certificate (/Adobe.PubSec), not with a password."""
    data = _encrypted("", "RC4-128", "Certificate")
    return data.replace(b"/Filter /Standard", b"/Filter /Adobe.PubSec", 1)


def raw_pdf(objects: list[bytes], *, root: int = 1, header: bytes = b"%PDF-1.4") -> bytes:
    """A classic PDF with a correct cross-reference table; object n is ``objects[n - 1]``."""
    out = bytearray(header + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d /Root %d 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        start,
    )
    return bytes(out)


def _content(text: str) -> bytes:
    return b"BT /F1 18 Tf 72 720 Td (" + text.encode("ascii") + b") Tj ET"


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<</Length %d%s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


FONT = b"<</Type /Font /Subtype /Type1 /BaseFont /Helvetica>>"


def deep_page_tree(depth: int = 101, pages: int = 3) -> bytes:
    """Each page at the bottom of its own chain of ``depth`` /Pages nodes (pypdf stops at 100)."""
    # 1 catalog, 2 font, then per page: the chain of nodes, the page, its content.
    objects: list[bytes] = [b"", FONT]
    root_kids: list[int] = []
    for n in range(pages):
        first = len(objects) + 1
        chain = list(range(first, first + depth))
        page, content = first + depth, first + depth + 1
        root_kids.append(chain[0])
        for level in range(depth):
            child = chain[level + 1] if level + 1 < depth else page
            parent_entry = b"" if level == 0 else b" /Parent %d 0 R" % chain[level - 1]
            objects.append(b"<</Type /Pages /Kids [%d 0 R] /Count 1%s>>" % (child, parent_entry))
        objects.append(
            b"<</Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources <</Font <</F1 2 0 R>>>>>>" % (chain[-1], content)
        )
        objects.append(_stream(_content(f"Deep tree page {n + 1}")))
    top = len(objects) + 1
    objects.append(
        b"<</Type /Pages /Kids [%s] /Count %d>>"
        % (b" ".join(b"%d 0 R" % k for k in root_kids), pages)
    )
    # The chains' first nodes hang off the top node.
    for kid in root_kids:
        objects[kid - 1] = objects[kid - 1].replace(b">>", b" /Parent %d 0 R>>" % top, 1)
    objects[0] = b"<</Type /Catalog /Pages %d 0 R>>" % top
    return raw_pdf(objects)


def abbreviated_filter() -> bytes:
    """The page tree in an object stream, it and the page compressed under the short name /Fl.

    pypdf 7 refuses the name outside inline images; PDFium, like most viewers, reads it.
    """
    packed = {  # object number -> body, all in object stream 6
        2: b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
        3: b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R "
        b"/Resources <</Font <</F1 4 0 R>>>>>>",
        4: FONT,
    }
    head, bodies = b"", b""
    for number, body in packed.items():
        head += b"%d %d " % (number, len(bodies))
        bodies += body + b"\n"
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number, body in (
        (1, b"<</Type /Catalog /Pages 2 0 R>>"),
        (5, _stream(zlib.compress(_content("Abbreviated filter page 1")), b" /Filter /Fl")),
        (6, _stream(zlib.compress(head + bodies), b" /Type /ObjStm /N 3 /First %d /Filter /Fl"
                    % len(head))),
    ):  # fmt: skip
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    offsets[7] = len(out)  # the cross-reference stream itself
    # Rows of [type, field 2 (4 bytes), field 3 (1 byte)]: free, in the file at an offset,
    # or in object stream 6 at an index.
    table = bytes([0, 0, 0, 0, 0, 255])
    for number in range(1, 8):
        if number in offsets:
            table += bytes([1]) + offsets[number].to_bytes(4, "big") + bytes([0])
        else:
            table += bytes([2]) + (6).to_bytes(4, "big") + bytes([list(packed).index(number)])
    out += b"7 0 obj\n" + _stream(
        zlib.compress(table), b" /Type /XRef /Size 8 /W [1 4 1] /Root 1 0 R /Filter /Fl"
    )
    out += b"\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[7]
    return bytes(out)


def _one_page(media: bytes, text: str) -> bytes:
    return raw_pdf(
        [
            b"<</Type /Catalog /Pages 2 0 R>>",
            b"<</Type /Pages /Kids [3 0 R] /Count 1>>",
            b"<</Type /Page /Parent 2 0 R%s /Contents 4 0 R /Resources <</Font <</F1 5 0 R>>>>>>"
            % media,
            _stream(_content(text)),
            FONT,
        ]
    )


def null_mediabox() -> bytes:
    return _one_page(b" /MediaBox null", "Null box page 1")


def missing_mediabox() -> bytes:
    return _one_page(b"", "No box page 1")


def broken_xref() -> bytes:
    """Every offset in the cross-reference table off by 7 bytes (a re-saved fax, say)."""
    data = text_pdf(2, "Shifted")
    return re.sub(
        rb"(\d{10}) 00000 n",
        lambda m: b"%010d 00000 n" % (int(m.group(1)) + 7),
        data,
    )


def truncated() -> bytes:
    """A download cut off: the cross-reference table and trailer are gone."""
    data = text_pdf(3, "Truncated")
    return data[: data.rindex(b"xref")]


def fuzzed(seed: int, flips: int = 12) -> bytes:
    """A valid file with a few bytes overwritten at random (seeded)."""
    data = bytearray(text_pdf(2, "Fuzzed"))
    rng = random.Random(seed)
    for _ in range(flips):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def pdf20() -> bytes:
    return (
        text_pdf(2, "Version two")
        .replace(b"%PDF-1.3", b"%PDF-2.0", 1)
        .replace(b"%PDF-1.4", b"%PDF-2.0", 1)
    )


def rotated() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(2, "Rotated"))))
    writer.pages[0].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


CORPUS: list[Sample] = [
    Sample("aes128-empty-password.pdf", lambda: _encrypted("", "AES-128", "Aes one"), 2,
           "Aes one page 2"),
    Sample("aes256-empty-password.pdf", lambda: _encrypted("", "AES-256", "Aes two"), 2,
           "Aes two page 2"),
    Sample("aes256-user-password.pdf", lambda: _encrypted("s3cret", "AES-256", "Locked"),
           refusal="password"),
    Sample("rc4-user-password.pdf", lambda: _encrypted("s3cret", "RC4-128", "Locked"),
           refusal="password"),
    Sample("certificate-protected.pdf", certificate_protected, refusal="certificate"),
    Sample("rc4-empty-password.pdf", lambda: _encrypted("", "RC4-128", "Arcfour"), 2,
           "Arcfour page 2"),
    Sample("rc4-40-empty-password.pdf", lambda: _encrypted("", "RC4-40", "Forty"), 2,
           "Forty page 1"),
    Sample("broken-xref.pdf", broken_xref, 2, "Shifted page 2"),
    Sample("truncated.pdf", truncated, 3, "Truncated page 3"),
    Sample("deep-page-tree.pdf", deep_page_tree, 3, "Deep tree page 3"),
    Sample("abbreviated-filter.pdf", abbreviated_filter, 1, "Abbreviated filter page 1"),
    Sample("null-mediabox.pdf", null_mediabox, 1, "Null box page 1"),
    Sample("missing-mediabox.pdf", missing_mediabox, 1, "No box page 1"),
    Sample("empty.pdf", lambda: b"", refusal="empty"),
    Sample("text-named.pdf", lambda: b"Dear claimant,\nthis is a plain text e-mail.\n" * 20,
           refusal="damaged"),
    Sample("pdf-2.0.pdf", pdf20, 2, "Version two page 2"),
    Sample("350-pages.pdf", lambda: text_pdf(350, "Long file"), 350, "Long file page 117"),
    Sample("rotated.pdf", rotated, 2, "Rotated page 1"),
]  # fmt: skip

"""Exhibits that are not PDFs (images, Word documents, plain text) drawn as PDF pages."""

from __future__ import annotations

import io
from typing import Any

from fpdf import FPDF
from PIL import Image, ImageOps

from claimdesk.letters.fonts import SANS, SERIF, cut_to_latin
from claimdesk.packets.layout import new_document
from claimdesk.packets.model import PAPER_SIZES

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MARGIN = 36.0  # points: half an inch, enough for a fax header and the page stamp

# File name endings that say what a file is when its stored media type is vague.
_BY_SUFFIX = {
    ".pdf": PDF,
    ".docx": DOCX,
    ".txt": "text/plain",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".gif": "image/gif",
    ".bmp": "image/bmp",
    ".webp": "image/webp",
}


def kind_of(media_type: str, file_name: str) -> str:
    """The kind of exhibit ("pdf", "image", "docx", "text"; "" if unsupported)."""
    media = (media_type or "").split(";")[0].strip().lower()
    if media in ("", "application/octet-stream"):
        suffix = file_name[file_name.rfind(".") :].lower() if "." in file_name else ""
        media = _BY_SUFFIX.get(suffix, media)
    if media == PDF:
        return "pdf"
    if media.startswith("image/"):
        return "image"
    if media == DOCX:
        return "docx"
    if media.startswith("text/"):
        return "text"
    return ""


# ---- images ---------------------------------------------------------------------------------


def image_frames(data: bytes) -> int:
    """How many pages an image makes (a multi-page TIFF makes one per frame); raises if bad."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()  # decodes the first frame: a truncated scan fails here, not mid-export
        return max(1, int(getattr(image, "n_frames", 1)))


def image_to_pdf(data: bytes, paper: str) -> bytes:
    """Each frame of the image on its own page, fitted inside the margins, centred."""
    size = PAPER_SIZES.get(paper, PAPER_SIZES["A4"])
    pdf = FPDF(unit="pt", format=size)
    pdf.set_auto_page_break(False)
    pdf.set_creator("ClaimDesk")
    with Image.open(io.BytesIO(data)) as image:
        for frame in range(max(1, int(getattr(image, "n_frames", 1)))):
            image.seek(frame)
            source, width, height = _embeddable(image, data)
            landscape = width > height
            pdf.add_page(orientation="landscape" if landscape else "portrait")
            room_w, room_h = pdf.w - 2 * MARGIN, pdf.h - 2 * MARGIN
            scale = min(room_w / width, room_h / height)
            w, h = width * scale, height * scale
            pdf.image(source, x=(pdf.w - w) / 2, y=(pdf.h - h) / 2, w=w, h=h)
    return bytes(pdf.output())


def _embeddable(image: Image.Image, data: bytes) -> tuple[Any, int, int]:
    """What to hand fpdf2: the original bytes when it can embed them as they are, else a copy."""
    orientation = image.getexif().get(0x0112, 1)  # EXIF: how the camera was held
    frames = int(getattr(image, "n_frames", 1))
    if image.format in ("JPEG", "PNG") and frames == 1 and orientation in (1, None):
        # JPEG goes in untouched (no re-compression loss); PNG keeps its own compression.
        return io.BytesIO(data), image.width, image.height
    picture = ImageOps.exif_transpose(image) if orientation not in (1, None) else image.copy()
    if picture.mode not in ("RGB", "L", "1"):
        picture = picture.convert("RGBA" if "A" in picture.getbands() else "RGB")
    if picture.mode == "RGBA":
        flat = Image.new("RGB", picture.size, "white")
        flat.paste(picture, mask=picture.getchannel("A"))
        picture = flat
    buffer = io.BytesIO()
    if picture.mode in ("L", "1") or image.format in ("PNG", "GIF", "BMP"):
        picture.save(buffer, format="PNG", optimize=False)  # text scans: keep edges sharp
    else:
        picture.save(buffer, format="JPEG", quality=90)
    buffer.seek(0)
    return buffer, picture.width, picture.height


# ---- Word documents and plain text ------------------------------------------------------------


def _heading(pdf: FPDF, text: str, level: int) -> None:
    sizes = {0: 16.0, 1: 14.0, 2: 12.5, 3: 11.5}
    pdf.ln(4)
    pdf.set_font(SANS, "B", sizes.get(level, 11.0))
    pdf.multi_cell(0, sizes.get(level, 11.0) * 1.3, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _body(pdf: FPDF, text: str, indent: float = 0.0) -> None:
    pdf.set_font(SERIF, "", 10.5)
    if indent:
        pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(0, 14, text, new_x="LMARGIN", new_y="NEXT")


def _rendering_note(pdf: FPDF, file_name: str, what: str) -> None:
    """Say at the top that this is the text of a file, not the original's look."""
    pdf.set_font(SANS, "", 8)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(
        0,
        10,
        f"Text of {what} '{file_name}', set out by ClaimDesk; the original's layout is not kept.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_text_color(0, 0, 0)
    pdf.ln(8)


def docx_to_pdf(data: bytes, file_name: str, paper: str) -> bytes:
    """The headings, paragraphs and tables of a .docx, in order, as text pages."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    blocks: list[Paragraph | Table] = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(Paragraph(element, document))
        elif tag == "tbl":
            blocks.append(Table(element, document))
    texts = [b.text if isinstance(b, Paragraph) else _table_text(b) for b in blocks]
    pdf = new_document(paper, [file_name, *texts])
    pdf.add_page()
    _rendering_note(pdf, file_name, "the Word document")
    for block in blocks:
        if isinstance(block, Table):
            _table(pdf, [[cell.text for cell in row.cells] for row in block.rows])
            continue
        text = block.text
        style = (block.style.name if block.style is not None else "") or ""
        if style == "Title":
            _heading(pdf, text, 0)
        elif style.startswith("Heading"):
            level = style.removeprefix("Heading").strip()
            _heading(pdf, text, int(level) if level.isdigit() else 3)
        elif not text.strip():
            pdf.ln(7)
        elif "List" in style:
            _body(pdf, f"•  {text}", indent=14)
        else:
            _body(pdf, text)
    cut_to_latin(pdf)
    return bytes(pdf.output())


def _table_text(table: Any) -> str:
    return " ".join(cell.text for row in table.rows for cell in row.cells)


def _table(pdf: FPDF, rows: list[list[str]]) -> None:
    if not rows or not any(rows):
        return
    width = max(len(r) for r in rows)
    padded = [r + [""] * (width - len(r)) for r in rows]
    pdf.ln(4)
    pdf.set_font(SERIF, "", 9.5)
    try:
        with pdf.table(line_height=12, padding=3, first_row_as_headings=False) as table:
            for row in padded:
                cells = table.row()
                for text in row:
                    cells.cell(text)
    except Exception:
        for row in padded:
            _body(pdf, " | ".join(row))
    pdf.ln(6)


def decode_text(data: bytes) -> str:
    """A text file's characters: UTF-8 (with or without a BOM), else Windows-1252."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def text_to_pdf(data: bytes, file_name: str, paper: str) -> bytes:
    """A plain-text file as pages, its line breaks kept."""
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    text = "".join(ch for ch in text if ch == "\n" or ch >= " ")
    pdf = new_document(paper, [file_name, text])
    pdf.add_page()
    _rendering_note(pdf, file_name, "the text file")
    pdf.set_font(SERIF, "", 10.5)
    pdf.multi_cell(0, 14, text or " ", new_x="LMARGIN", new_y="NEXT")
    cut_to_latin(pdf)
    return bytes(pdf.output())

"""A PDF written as it is made: pages copied from other files object by object, never all held.

pypdf's ``PdfWriter`` keeps every page of the packet (its streams and its Python objects) until
it writes, so its peak memory grows with the whole packet. ``StreamingPdf`` writes each object
the moment it is copied, renumbered, and keeps only the numbers: where each object starts (for
the cross-reference table), the page objects (for the page tree) and the bookmarks, all written
at the end. A ``PageCopier`` copies pages from one reader: it walks each page's references,
gives every object it meets a new number, writes it and lets the reader forget it.
"""

from __future__ import annotations

import binascii
import io
import secrets
from collections import deque
from typing import Protocol

from pypdf import PageObject, PdfReader
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    Destination,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

from claimdesk.packets.stamp import FONT_KEY, OPENING, stamp_content, stamp_font
from claimdesk.pdf import PDF_ERRORS

HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
# Page keys not copied: the source's page tree, and article beads that point into its threads.
_SKIPPED = frozenset(("/Parent", "/B"))
# What a reference may not pull in from the source: its pages outside the copied range (a link
# to one becomes null, as in pypdf's merge), its page tree and its catalog.
_NOT_COPIED = frozenset(("/Page", "/Pages", "/Catalog"))


class Sink(Protocol):
    """Where the file goes: an open file, a ZIP entry, a counter."""

    def write(self, data: bytes, /) -> object: ...


class OutputError(Exception):
    """Writing the output failed (a full disk, say): not the fault of the page being copied."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class ByteCounter:
    """A sink that only counts: how big a file would be."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes, /) -> int:
        self.size += len(data)
        return len(data)


class Own(PdfObject):
    """A reference to an object numbered in the file being written."""

    def __init__(self, number: int) -> None:
        self.number = number

    def write_to_stream(self, stream: object, encryption_key: object = None) -> None:
        stream.write(b"%d 0 R" % self.number)  # type: ignore[attr-defined]


class StreamingPdf:
    """One PDF being written to ``sink``; call ``finish`` to close it off."""

    def __init__(self, sink: Sink, title: str) -> None:
        self._sink = sink
        self._title = title
        self._position = 0
        self._offsets: list[int] = []  # by object number - 1; 0 while not yet written
        self._kids: list[int] = []  # the page objects, in order
        self._marks: list[tuple[str, int]] = []
        self._font = 0
        self._opening = 0
        self._fields: list[int] = []
        self._form: DictionaryObject | None = None
        self._write(HEADER)
        self._pages = self.reserve()  # the page tree, written at the end

    @property
    def page_count(self) -> int:
        return len(self._kids)

    @property
    def pages_root(self) -> int:
        return self._pages

    def copier(self, reader: PdfReader, low: int, high: int) -> PageCopier:
        """A copier for pages ``low`` to ``high - 1`` of ``reader``, to add in that order."""
        return PageCopier(self, reader, low, high)

    def bookmark(self, title: str, page: int) -> None:
        """A top-level bookmark to page ``page`` (0-based) of this file."""
        self._marks.append((title, page))

    def reserve(self) -> int:
        """A new object number, for an object written later."""
        self._offsets.append(0)
        return len(self._offsets)

    def emit(self, number: int, *chunks: bytes) -> None:
        """Write object ``number``, whose body is ``chunks``."""
        self._offsets[number - 1] = self._position
        self._write(b"%d 0 obj\n" % number)
        for chunk in chunks:
            self._write(chunk)
        self._write(b"\nendobj\n")

    def add_page(self, number: int) -> None:
        """Object ``number`` (written or to be) is the next page."""
        self._kids.append(number)

    def add_stream(self, data: bytes) -> int:
        """A new uncompressed stream object holding ``data``; its number."""
        number = self.reserve()
        self.emit(number, b"<</Length %d>>\nstream\n" % len(data), data, b"\nendstream")
        return number

    def stamp_font(self) -> int:
        """The stamp's font, written the first time a page needs it."""
        if not self._font:
            self._font = self.reserve()
            self.emit(self._font, serialize(stamp_font()))
        return self._font

    def opening(self) -> int:
        """The stream that opens every stamped page's content, shared by all of them."""
        if not self._opening:
            self._opening = self.add_stream(OPENING)
        return self._opening

    def add_form(
        self, fields: list[int], resources: int, appearance: PdfObject | None, need: bool
    ) -> None:
        """A copied file's form fields (already written), and its form's defaults if the
        first."""
        if not fields:
            return
        self._fields += fields
        if self._form is None:
            self._form = DictionaryObject()
            if resources:
                self._form[NameObject("/DR")] = Own(resources)
            if isinstance(appearance, (TextStringObject, ByteStringObject)):
                self._form[NameObject("/DA")] = appearance
        if need:
            self._form[NameObject("/NeedAppearances")] = BooleanObject(True)

    def finish(self) -> int:
        """Write the page tree, bookmarks, catalog and cross-reference table; the file's size."""
        kids = self._kids
        catalog = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Catalog"),
                NameObject("/Pages"): Own(self._pages),
                NameObject("/PageMode"): NameObject("/UseOutlines"),
            }
        )
        if self._marks:
            catalog[NameObject("/Outlines")] = Own(self._write_outline())
        if self._form is not None:
            self._form[NameObject("/Fields")] = ArrayObject(Own(n) for n in self._fields)
            form = self.reserve()
            self.emit(form, serialize(self._form))
            catalog[NameObject("/AcroForm")] = Own(form)
        self.emit(
            self._pages,
            b"<</Type /Pages /Count %d /Kids [" % len(kids),
            b" ".join(b"%d 0 R" % n for n in kids),
            b"]>>",
        )
        root = self.reserve()
        self.emit(root, serialize(catalog))
        info = self.reserve()
        details = {"/Title": self._title, "/Creator": "ClaimDesk", "/Producer": "ClaimDesk"}
        self.emit(
            info,
            serialize(
                DictionaryObject(
                    {NameObject(k): TextStringObject(v) for k, v in details.items() if v}
                )
            ),
        )
        start = self._position
        lines = [b"xref\n0 %d\n0000000000 65535 f\r\n" % (len(self._offsets) + 1)]
        # Every number is written by now; a gap would only mean an unused number: mark it free.
        lines += [
            b"%010d 00000 n\r\n" % offset if offset else b"0000000000 00000 f\r\n"
            for offset in self._offsets
        ]
        self._write(b"".join(lines))
        identity = secrets.token_hex(16).encode("ascii")
        self._write(
            b"trailer\n<</Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>]>>\n"
            % (len(self._offsets) + 1, root, info, identity, identity)
            + b"startxref\n%d\n%%%%EOF\n" % start
        )
        return self._position

    def _write_outline(self) -> int:
        outline = self.reserve()
        items = [self.reserve() for _ in self._marks]
        for n, ((title, page), number) in enumerate(zip(self._marks, items, strict=True)):
            item = DictionaryObject(
                {
                    NameObject("/Title"): TextStringObject(title),
                    NameObject("/Parent"): Own(outline),
                    NameObject("/Dest"): ArrayObject([Own(self._kids[page]), NameObject("/Fit")]),
                }
            )
            if n:
                item[NameObject("/Prev")] = Own(items[n - 1])
            if n + 1 < len(items):
                item[NameObject("/Next")] = Own(items[n + 1])
            self.emit(number, serialize(item))
        self.emit(
            outline,
            b"<</Type /Outlines /First %d 0 R /Last %d 0 R /Count %d>>"
            % (items[0], items[-1], len(items)),
        )
        return outline

    def _write(self, data: bytes) -> None:
        try:
            self._sink.write(data)
        except OSError as error:
            raise OutputError(error) from error
        self._position += len(data)


class PageCopier:
    """Copies pages of one reader into a ``StreamingPdf``, each object once."""

    def __init__(self, pdf: StreamingPdf, reader: PdfReader, low: int, high: int) -> None:
        self._pdf = pdf
        self._reader = reader
        self._numbers: dict[tuple[int, int], int] = {}  # (idnum, generation) -> new number
        self._queue: deque[tuple[int, PdfObject]] = deque()
        self._resources: dict[tuple[int, int], int] = {}  # stamped copies of shared ones
        self._names: dict[str, Destination] | None = None  # the file's named destinations
        self._whole = (low, high) == (0, len(reader.pages))
        # Every copied page is numbered first, so a link from one to another lands.
        self._page_numbers: dict[int, int] = {}
        for index in range(low, high):
            number = pdf.reserve()
            self._page_numbers[index] = number
            ref = reader.pages[index].indirect_reference
            if ref is not None:
                # setdefault: a page listed twice in a damaged tree is copied twice.
                self._numbers.setdefault((ref.idnum, ref.generation), number)

    def add(self, index: int, stamp: str | None) -> None:
        """Copy page ``index`` and everything it uses; stamp it with ``stamp`` unless None."""
        page = self._reader.pages[index]
        copy = DictionaryObject({key: value for key, value in page.items() if key not in _SKIPPED})
        copy[NameObject("/Type")] = NameObject("/Page")
        copy[NameObject("/Parent")] = Own(self._pdf.pages_root)
        if stamp is not None:
            self._stamp(page, copy, stamp)
        number = self._page_numbers[index]
        self._pdf.emit(number, self._serialize(copy))
        self._pdf.add_page(number)
        self._drain()

    def close(self) -> None:
        """After the last page: the file's form fields, if it was copied whole (the widgets on
        its pages are copied with them; the form needs the fields listed in the catalog)."""
        if not self._whole:
            return
        form = self._reader.root_object.get("/AcroForm")
        form = form.get_object() if form is not None else None
        fields = form.get("/Fields") if isinstance(form, DictionaryObject) else None
        fields = fields.get_object() if fields is not None else None
        if not isinstance(form, DictionaryObject) or not isinstance(fields, ArrayObject):
            return
        numbers = [self._number(f) for f in fields if isinstance(f, IndirectObject)]
        resources = form.get("/DR")
        if isinstance(resources, DictionaryObject):  # written in place: give it a number
            resources_number = self._pdf.reserve()
            self._queue.append((resources_number, resources))
        elif isinstance(resources, IndirectObject):
            resources_number = self._number(resources)
        else:
            resources_number = 0
        need = form.get("/NeedAppearances")
        need = need.get_object() if need is not None else None
        self._pdf.add_form(
            [n for n in numbers if n],
            resources_number,
            form.get("/DA"),
            isinstance(need, BooleanObject) and bool(need.value),
        )
        self._drain()

    def _drain(self) -> None:
        while self._queue:
            self._write_object(*self._queue.popleft())

    def _stamp(self, page: PageObject, copy: DictionaryObject, stamp: str) -> None:
        pdf = self._pdf
        parts: list[PdfObject] = [Own(pdf.opening())]
        contents = page.get("/Contents")
        resolved = contents.get_object() if contents is not None else None
        if isinstance(resolved, ArrayObject):
            parts += [p for p in resolved if isinstance(p, (IndirectObject, StreamObject))]
        elif isinstance(resolved, StreamObject):
            parts.append(contents if isinstance(contents, IndirectObject) else resolved)
        # An empty page still gets the opening q, which keeps the stamp's leading Q balanced.
        parts.append(Own(pdf.add_stream(stamp_content(page, stamp))))
        copy[NameObject("/Contents")] = ArrayObject(parts)
        copy[NameObject("/Resources")] = self._stamped_resources(page.get("/Resources"))

    def _stamped_resources(self, resources: PdfObject | None) -> PdfObject:
        """The page's resources with the stamp font added: a shared dictionary is copied once
        for all the pages that share it; the source's own copy is left as it was."""
        key = None
        if isinstance(resources, IndirectObject):
            key = (resources.idnum, resources.generation)
            if key in self._resources:
                return Own(self._resources[key])
        own = resources.get_object() if resources is not None else None
        table = DictionaryObject(own) if isinstance(own, DictionaryObject) else DictionaryObject()
        fonts = table.get("/Font")
        resolved = fonts.get_object() if fonts is not None else None
        font_table = DictionaryObject(resolved if isinstance(resolved, DictionaryObject) else {})
        font_table[NameObject(FONT_KEY)] = Own(self._pdf.stamp_font())
        table[NameObject("/Font")] = font_table
        if key is None:
            return table
        number = self._pdf.reserve()
        self._resources[key] = number
        self._queue.append((number, table))
        return Own(number)

    def _number(self, ref: IndirectObject) -> int:
        """The new number of what ``ref`` points to (0: null), queued to be written."""
        key = (ref.idnum, ref.generation)
        number = self._numbers.get(key)
        if number is not None:
            return number
        target = ref.get_object()
        if target is None or (
            isinstance(target, DictionaryObject) and target.get("/Type") in _NOT_COPIED
        ):
            number = 0
        else:
            number = self._pdf.reserve()
            self._queue.append((number, target))
        self._numbers[key] = number
        # The queue holds it until it is written; then nothing does (pypdf caches every object
        # it reads, streams included, for as long as the reader lives).
        self._reader.resolved_objects.pop((ref.generation, ref.idnum), None)
        return number

    def _write_object(self, number: int, target: PdfObject) -> None:
        if isinstance(target, StreamObject):
            data = target._data
            head = io.BytesIO()
            self._put_dictionary(
                full_filter_names(target), head, skip="/Length", tail=b"/Length %d" % len(data)
            )
            self._pdf.emit(number, head.getvalue(), b"\nstream\n", data, b"\nendstream")
        else:
            if isinstance(target, DictionaryObject) and target.get("/Subtype") == "/Link":
                target = self._explicit_link(target)
            self._pdf.emit(number, self._serialize(target))

    def _explicit_link(self, link: DictionaryObject) -> DictionaryObject:
        """A link to a named destination, pointed at its page instead: the names are the
        source file's and do not come along (and would clash between exhibits)."""
        if "/Dest" in link:
            target = self._named(link["/Dest"])
            if target is not None:
                link = DictionaryObject(link)
                link[NameObject("/Dest")] = target
            return link
        action = link.get("/A")
        action = action.get_object() if action is not None else None
        if isinstance(action, DictionaryObject) and action.get("/S") == "/GoTo":
            target = self._named(action.get("/D"))
            if target is not None:
                action = DictionaryObject(action)
                action[NameObject("/D")] = target
                link = DictionaryObject(link)
                link[NameObject("/A")] = action
        return link

    def _named(self, name: PdfObject | None) -> ArrayObject | None:
        name = name.get_object() if name is not None else None
        if not isinstance(name, (str, bytes)):
            return None  # a page and a position already, or nothing
        if self._names is None:
            try:
                self._names = self._reader.named_destinations
            except PDF_ERRORS:
                self._names = {}  # a broken name tree: leave the links as they are
        found = self._names.get(name if isinstance(name, str) else name.decode("latin-1"))
        return found.dest_array if found is not None else None

    def _serialize(self, target: PdfObject) -> bytes:
        out = io.BytesIO()
        self._put(target, out)
        return out.getvalue()

    def _put(self, value: PdfObject, out: io.BytesIO) -> None:
        if isinstance(value, IndirectObject):
            number = self._number(value)
            out.write(b"%d 0 R" % number if number else b"null")
        elif isinstance(value, StreamObject):
            # A stream must be an indirect object: one written inline gets a number of its own.
            number = self._pdf.reserve()
            self._queue.append((number, value))
            out.write(b"%d 0 R" % number)
        elif isinstance(value, DictionaryObject):
            self._put_dictionary(value, out)
        elif isinstance(value, ArrayObject):
            out.write(b"[")
            for n, item in enumerate(value):
                if n:
                    out.write(b" ")
                self._put(item, out)
            out.write(b"]")
        else:
            put_simple(value, out)

    def _put_dictionary(
        self, value: DictionaryObject, out: io.BytesIO, skip: str = "", tail: bytes = b""
    ) -> None:
        out.write(b"<<")
        for key, item in value.items():
            if key == skip or (len(key) > 2 and key[1] == "%" and key[-1] == "%"):
                continue  # pypdf's own bookkeeping keys
            out.write(name_bytes(key))
            out.write(b" ")
            self._put(item, out)
            out.write(b"\n")
        out.write(tail)
        out.write(b">>")


# The short filter names the PDF standard allows only in inline images. Some scanners write them
# on ordinary streams; PDFium and most viewers read them, pypdf 7 and strict readers do not.
_SHORT_FILTERS = {
    "/AHx": "/ASCIIHexDecode",
    "/A85": "/ASCII85Decode",
    "/LZW": "/LZWDecode",
    "/Fl": "/FlateDecode",
    "/RL": "/RunLengthDecode",
    "/CCF": "/CCITTFaxDecode",
    "/DCT": "/DCTDecode",
}


def _short(name: object) -> bool:
    return isinstance(name, NameObject) and name in _SHORT_FILTERS


def full_filter_names(stream: StreamObject) -> DictionaryObject:
    """The stream's dictionary with any short filter name written out in full."""
    filters = stream.get("/Filter")
    if isinstance(filters, NameObject) and filters in _SHORT_FILTERS:
        fixed: PdfObject = NameObject(_SHORT_FILTERS[filters])
    elif isinstance(filters, ArrayObject) and any(_short(f) for f in filters):
        fixed = ArrayObject(NameObject(_SHORT_FILTERS[f]) if _short(f) else f for f in filters)
    else:
        return stream
    copy = DictionaryObject(stream)
    copy[NameObject("/Filter")] = fixed
    return copy


_NAMES: dict[str, bytes] = {}


def name_bytes(name: str) -> bytes:
    """A name as written (pypdf escapes one character at a time; the same few names recur)."""
    written = _NAMES.get(name)
    if written is None:
        written = NameObject(name).renumber()
        if len(_NAMES) < 10_000:
            _NAMES[name] = written
    return written


def put_simple(value: PdfObject, out: io.BytesIO) -> None:
    """A value that holds no reference: a number, name, string, boolean or null."""
    if isinstance(value, TextStringObject):
        # Hex is as good as a literal and pypdf writes literals a byte at a time.
        out.write(b"<" + binascii.hexlify(value.get_encoded_bytes()) + b">")
    else:
        value.write_to_stream(out)


def serialize(value: PdfObject) -> bytes:
    """A value of this file's own (it refers to nothing in another file) as bytes."""
    out = io.BytesIO()
    _put_own(value, out)
    return out.getvalue()


def _put_own(value: PdfObject, out: io.BytesIO) -> None:
    if isinstance(value, DictionaryObject):
        out.write(b"<<")
        for key, item in value.items():
            out.write(name_bytes(key))
            out.write(b" ")
            _put_own(item, out)
            out.write(b"\n")
        out.write(b">>")
    elif isinstance(value, ArrayObject):
        out.write(b"[")
        for n, item in enumerate(value):
            out.write(b" " if n else b"")
            _put_own(item, out)
        out.write(b"]")
    else:
        put_simple(value, out)

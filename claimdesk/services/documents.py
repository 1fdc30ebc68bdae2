"""Documents kept with a case: their bytes live in the database (one file to back up)."""

from __future__ import annotations

import hashlib
import io
import mimetypes
import re
from datetime import date
from pathlib import Path

from sqlalchemy import select

from claimdesk.errors import DocumentAlteredError, DocumentError, NotFoundError
from claimdesk.models import Claim, Document, DocumentContent
from claimdesk.models.enums import DocumentKind
from claimdesk.services import validate as v
from claimdesk.services.claims import touch
from claimdesk.services.context import ServiceContext, Unit, retried
from claimdesk.services.dto import DocumentInfo, copy_into
from claimdesk.storage.audit_chain import attached_sha256

# Large enough for a scanned claim file of a few thousand pages; beyond it, split the scan.
MAX_DOCUMENT_BYTES = 250 * 1024 * 1024


class _Keep:
    """The default of an optional argument that may be set to None ("no date")."""


KEEP = _Keep()

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")


class DocumentService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @retried
    def attach(
        self,
        claim_id: int,
        file_name: str,
        data: bytes,
        *,
        kind: DocumentKind | str = DocumentKind.OTHER,
        title: str = "",
        document_date: date | str | None = None,
        description: str = "",
        media_type: str | None = None,
    ) -> DocumentInfo:
        """Keep a copy of a file with the case."""
        document = build_document(
            claim_id,
            file_name,
            data,
            kind=kind,
            title=title,
            document_date=document_date,
            description=description,
            media_type=media_type,
        )
        with self._ctx.unit("attach documents") as unit:
            store_document(unit, document)
            return copy_into(DocumentInfo, document)

    def check_attachable(self, path: Path) -> list[str]:
        """What stops ``path`` from being attached usefully, each with what to do ([] if fine)."""
        return check_attachable(path)

    def attach_file(self, claim_id: int, path: Path, **metadata: object) -> DocumentInfo:
        """Attach a file from disk, with a clear message when it cannot be read."""
        return self.attach(claim_id, path.name, read_file(path), **metadata)  # type: ignore[arg-type]

    @retried
    def update(
        self,
        document_id: int,
        *,
        kind: DocumentKind | str | None = None,
        title: str | None = None,
        document_date: date | str | _Keep | None = KEEP,
        description: str | None = None,
    ) -> DocumentInfo:
        """Correct what a document is (kind, title, date, description); its file never changes."""
        with self._ctx.unit("change documents") as unit:
            document: Document = unit.get(Document, document_id, "document")
            values: dict[str, object] = {}
            if kind is not None:
                values["kind"] = v.choice(DocumentKind, kind, "Kind of document")
            if title is not None:
                values["title"] = v.line(title, "Title", max_length=300, required=True)
            if not isinstance(document_date, _Keep):
                values["document_date"] = v.parse_date(document_date, "Date of the document")
            if description is not None:
                values["description"] = v.text(description, "Description", max_length=20_000)
            changed = [k for k, value in values.items() if getattr(document, k) != value]
            for key in changed:
                setattr(document, key, values[key])
            if changed:
                touch(unit, document.claim_id)
                unit.record("update", "document", document.id, document.claim_id, changed)
            return copy_into(DocumentInfo, document)

    def documents(self, claim_id: int) -> list[DocumentInfo]:
        with self._ctx.reader() as session:
            rows = session.scalars(
                select(Document)
                .where(Document.claim_id == claim_id)
                .order_by(Document.document_date, Document.id)
            )
            return [copy_into(DocumentInfo, d) for d in rows]

    def get(self, document_id: int) -> DocumentInfo:
        with self._ctx.reader() as session:
            document = session.get(Document, document_id)
            if document is None:
                raise NotFoundError(f"There is no document number {document_id}.")
            return copy_into(DocumentInfo, document)

    def content(self, document_id: int) -> bytes:
        """The file's bytes, checked against the SHA-256 taken when it was attached and kept
        in the audit chain (a file swapped in the database with its stored hash is refused)."""
        with self._ctx.reader() as session:
            row = session.execute(
                select(
                    DocumentContent.data, Document.sha256, Document.original_name, Document.claim_id
                )
                .join(Document, Document.id == DocumentContent.document_id)
                .where(DocumentContent.document_id == document_id)
            ).one_or_none()
            if row is None:
                raise NotFoundError(f"There is no document number {document_id}.")
            data, digest, name, claim_id = row
            attached = attached_sha256(session.connection(), claim_id, document_id)
        if hashlib.sha256(data).hexdigest() != digest:
            raise DocumentError(
                f"The stored copy of '{name}' is damaged (its checksum does not match). "
                "Restore a backup or attach the file again."
            )
        if attached is None or attached.sha256 != digest:
            found = (
                f"is not the file attached on {attached.occurred_at:%Y-%m-%d}: the audit trail "
                "recorded another SHA-256"
                if attached is not None
                else "was never recorded in the audit trail as attached"
            )
            raise DocumentAlteredError(
                f"The stored copy of '{name}' {found}, so it was put in the database outside "
                "ClaimDesk. Do not rely on it: restore a backup made before the change or attach "
                "the original again ('claimdesk audit verify' names the change)."
            )
        return bytes(data)

    @retried
    def set_packet_order(self, claim_id: int, document_ids: list[int]) -> None:
        """Put these documents in the appeal packet in this order; leave the others out."""
        with self._ctx.unit("arrange the packet") as unit:
            documents = unit.session.scalars(
                select(Document).where(Document.claim_id == claim_id)
            ).all()
            by_id = {d.id: d for d in documents}
            missing = [i for i in document_ids if i not in by_id]
            if missing:
                raise NotFoundError(
                    f"Document {missing[0]} does not belong to this case; refresh and try again."
                )
            for document in documents:
                document.packet_position = None
            for position, document_id in enumerate(document_ids, start=1):
                by_id[document_id].packet_position = position
            unit.record("reorder", "document", None, claim_id, ["packet_position"])


def read_file(path: Path) -> bytes:
    """A file's bytes, refused with a message saying what to do when it cannot be kept."""
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise DocumentError(
                f"'{path.name}' is {size / 2**20:.0f} MB; ClaimDesk keeps files up to "
                f"{MAX_DOCUMENT_BYTES // 2**20} MB. Split the scan into parts and attach each."
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(f"'{path}' does not exist; it may have been moved.") from None
    except IsADirectoryError:
        raise DocumentError(f"'{path}' is a folder; choose a file inside it.") from None
    except PermissionError:
        raise DocumentError(
            f"You do not have permission to read '{path}'. Copy it somewhere you can read."
        ) from None
    except OSError as error:
        raise DocumentError(f"'{path}' cannot be read: {error.strerror}.") from None


# A PDF's header may follow a little junk (a mail gateway's, a scanner's); viewers look this far.
_PDF_HEADER_WITHIN = 1024


def check_attachable(path: Path) -> list[str]:
    """Problems that make ``path`` useless to attach, found when the user chooses it.

    Each is a sentence naming the file and saying what to do: a missing, unreadable or empty
    file, one too big to keep, a file named .pdf that is not one (a text e-mail renamed), and a
    PDF locked with a password or too damaged for any engine to open (the appeal packet could
    not include it). An empty list: the file can be attached. Reads the whole file (a PDF is
    opened to be sure), so callers with a window run it off the GUI thread.
    """
    try:
        data = read_file(path)
    except DocumentError as error:
        return [str(error)]
    return attach_problems(path.name, data)


def attach_problems(file_name: str, data: bytes) -> list[str]:
    """What ``check_attachable`` finds, for a file already read (an import, a download)."""
    name = safe_file_name(file_name)
    if not data:
        return [
            f"'{name}' is empty (0 bytes), so there is nothing to keep. Check the file "
            "opens on your computer, then attach it again."
        ]
    if len(data) > MAX_DOCUMENT_BYTES:
        return [
            f"'{name}' is {len(data) / 2**20:.0f} MB; ClaimDesk keeps files up to "
            f"{MAX_DOCUMENT_BYTES // 2**20} MB. Split the scan into parts and attach each."
        ]
    media_type = sniff_media_type(name, data)
    named_pdf = name.lower().endswith(".pdf")
    looks_pdf = b"%PDF-" in data[:_PDF_HEADER_WITHIN]
    if named_pdf and not looks_pdf:
        return [_not_a_pdf(name, data, media_type)]
    if looks_pdf or media_type == "application/pdf":
        from claimdesk.pdf import PdfUnreadable, open_pdf

        try:
            open_pdf(io.BytesIO(data))
        except PdfUnreadable as error:
            if error.locked:
                return [f"'{name}' cannot be attached: {error.reason}."]
            return [
                f"'{name}' cannot be opened as a PDF: {error.reason}. Ask whoever sent it for "
                "a new copy (or download it again), or open it in a PDF viewer and print it to "
                "a new PDF, and attach that."
            ]
    return []


def _not_a_pdf(name: str, data: bytes, media_type: str) -> str:
    """The message for a file whose name says PDF and whose contents say otherwise."""
    if media_type.startswith("image/"):
        extension = {"image/jpeg": ".jpg", "image/tiff": ".tif"}.get(
            media_type, "." + media_type.split("/")[1]
        )
        return (
            f"'{name}' is not a PDF but a picture ({media_type.split('/')[1].upper()}) "
            f"named .pdf. Rename it to end in {extension} and attach it again."
        )
    head = data[:4096]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        # Only a character cut at the end of the sample is forgiven.
        text = head[: error.start].decode("utf-8") if error.start > len(head) - 4 else ""
    if text and all(ch.isprintable() or ch in "\r\n\t" for ch in text.rstrip("\x00")):
        return (
            f"'{name}' is not a PDF: it holds plain text under a .pdf name. Open it to see "
            "what it is; print it to a PDF (or rename it to end in .txt) and attach that."
        )
    return (
        f"'{name}' is not a PDF, though its name ends in .pdf. Open it to see what it really "
        "is, save or print it as a PDF, and attach that."
    )


def store_document(unit: Unit, document: Document) -> None:
    """Save a document from ``build_document`` on its case, within the caller's unit."""
    unit.get(Claim, document.claim_id, "case")
    document.created_by_id = unit.user_id
    unit.session.add(document)
    unit.session.flush()
    touch(unit, document.claim_id)
    # The file's SHA-256 enters the audit chain: a file later swapped in the database with
    # its stored hash no longer matches the chain (services/audit.py).
    unit.record("create", "document", document.id, document.claim_id, sha256=document.sha256)


def build_document(
    claim_id: int,
    file_name: str,
    data: bytes,
    *,
    kind: DocumentKind | str = DocumentKind.OTHER,
    title: str = "",
    document_date: date | str | None = None,
    description: str = "",
    media_type: str | None = None,
) -> Document:
    """A checked, unsaved Document holding ``data`` (the caller adds it in its own unit)."""
    name = safe_file_name(file_name)
    if not data:
        raise DocumentError(
            f"'{name}' is empty (0 bytes), so there is nothing to keep. Check the file "
            "opens on your computer, then attach it again."
        )
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            f"'{name}' is {len(data) / 2**20:.0f} MB; ClaimDesk keeps files up to "
            f"{MAX_DOCUMENT_BYTES // 2**20} MB. Split the scan into parts and attach each."
        )
    chosen_kind = v.choice(DocumentKind, kind, "Kind of document")
    document = Document(
        claim_id=claim_id,
        kind=chosen_kind,
        title=v.line(title, "Title", max_length=300) or Path(name).stem or name,
        original_name=name,
        media_type=media_type or sniff_media_type(name, data),
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        document_date=v.parse_date(document_date, "Date of the document"),
        description=v.text(description, "Description", max_length=20_000),
    )
    document.pages = count_pages(document.media_type, data)
    document.content = DocumentContent(data=data)
    return document


def safe_file_name(name: str) -> str:
    """The last part of a path, without control characters: never a path to write to."""
    last = re.split(r"[\\/]", name or "")[-1]
    cleaned = _UNSAFE_NAME.sub("", last).strip().strip(".") or "document"
    if len(cleaned) > 255:
        # Keep a short extension (it tells the packet how to render the file).
        stem, dot, suffix = cleaned.rpartition(".")
        if dot and stem and len(suffix) <= 10:
            cleaned = stem[: 254 - len(suffix)] + "." + suffix
        else:
            cleaned = cleaned[:255]
    return cleaned


_SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
]


def sniff_media_type(name: str, data: bytes) -> str:
    """What the file really is, by its first bytes, else by its name."""
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature):
            return media_type
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def count_pages(media_type: str, data: bytes) -> int | None:
    """Pages of a PDF (None when no engine can read it: the packet export will say why)."""
    if media_type != "application/pdf":
        return 1 if media_type.startswith("image/") else None
    from claimdesk.pdf import page_count

    return page_count(data)

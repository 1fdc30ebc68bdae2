"""Export one whole case to a versioned JSON document, and import it back (docs/case-format.md).

The format follows the models' columns: every value is checked against its column's type, then
against the rule the service that writes it applies (import_rules), so a malformed or hostile
file is refused with the path of the first bad value, and nothing is written. A document's
size, media type, pages and checksum are taken from its bytes, never from the file's say-so.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Date, Enum, Integer, LargeBinary, String, Text, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import Column

from claimdesk import __version__
from claimdesk.errors import ImportFormatError, NotFoundError, ValidationError
from claimdesk.files import write_atomically
from claimdesk.models import (
    Appeal,
    CallLogEntry,
    CallPromise,
    CaseEvent,
    Claim,
    Contact,
    Deadline,
    Document,
    DocumentContent,
    DocumentRequest,
    IndependentMedicalExam,
    Letter,
    Note,
    Organisation,
    Reminder,
    RequestFollowUp,
    SecondOpinion,
    Specialist,
    User,
)
from claimdesk.models.base import UTCDateTime
from claimdesk.models.enums import OrganisationKind
from claimdesk.services import accounts
from claimdesk.services import validate as v
from claimdesk.services.accounts import Right
from claimdesk.services.claims import last_activity, next_case_number, organisation_lock
from claimdesk.services.context import ServiceContext, retried
from claimdesk.services.documents import (
    _SIGNATURES,
    MAX_DOCUMENT_BYTES,
    count_pages,
    sniff_media_type,
)
from claimdesk.services.import_rules import cross_checks, rule_for
from claimdesk.storage.locks import exclusive

FORMAT_NAME = "claimdesk-case"
FORMAT_VERSION = 1
MAX_TEXT = 1_000_000
_INT_RANGE = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class Section:
    """How one table appears in the file: its key prefix, references and nested lists."""

    name: str
    model: type[Any]
    prefix: str
    parent: str = ""  # the column holding the parent's id, filled in on import
    refs: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # column -> (json, space)
    users: Mapping[str, str] = field(default_factory=dict)  # column -> json field (a user name)
    children: Sequence[Section] = ()
    local: tuple[str, ...] = ()  # columns that stay in this database, not in the file

    def columns(self) -> list[Column[Any]]:
        skip = {"id", self.parent, *self.refs, *self.users, *self.local}
        return [c for c in self.model.__table__.columns if c.key not in skip]


CONTACTS = Section("contacts", Contact, "contact", parent="organisation_id")
ORGANISATIONS = Section("organisations", Organisation, "org", children=(CONTACTS,))
SPECIALISTS = Section("specialists", Specialist, "specialist")

# Order matters on import: a section may refer only to sections listed before it.
CLAIM_SECTIONS: tuple[Section, ...] = (
    Section("documents", Document, "doc", parent="claim_id", users={"created_by_id": "created_by"}),
    Section(
        "calls",
        CallLogEntry,
        "call",
        parent="claim_id",
        refs={"organisation_id": ("organisation", "org"), "amends_id": ("amends", "call")},
        users={"created_by_id": "created_by"},
        children=(Section("promises", CallPromise, "promise", parent="call_id"),),
    ),
    Section(
        "requests",
        DocumentRequest,
        "request",
        parent="claim_id",
        refs={"recipient_id": ("recipient", "org"), "document_id": ("answered_by", "doc")},
        children=(Section("follow_ups", RequestFollowUp, "follow_up", parent="request_id"),),
    ),
    Section(
        "second_opinions",
        SecondOpinion,
        "opinion",
        parent="claim_id",
        refs={
            "specialist_id": ("specialist", "specialist"),
            "report_document_id": ("report_document", "doc"),
        },
    ),
    Section(
        "imes",
        IndependentMedicalExam,
        "ime",
        parent="claim_id",
        refs={
            "examiner_organisation_id": ("examiner_organisation", "org"),
            "report_document_id": ("report_document", "doc"),
        },
    ),
    Section("appeals", Appeal, "appeal", parent="claim_id"),
    Section(
        "events", CaseEvent, "event", parent="claim_id", refs={"appeal_id": ("appeal", "appeal")}
    ),
    Section(
        "deadlines",
        Deadline,
        "deadline",
        parent="claim_id",
        users={"overridden_by_id": "overridden_by"},
        children=(Section("reminders", Reminder, "reminder", parent="deadline_id"),),
    ),
    Section(
        "letters",
        Letter,
        "letter",
        parent="claim_id",
        refs={"document_id": ("document", "doc")},
        users={"generated_by_id": "generated_by"},
    ),
    Section("notes", Note, "note", parent="claim_id", users={"created_by_id": "created_by"}),
)
CLAIM = Section(
    "claim",
    Claim,
    "claim",
    refs={
        "insurer_id": ("insurer", "org"),
        "plan_administrator_id": ("plan_administrator", "org"),
    },
    users={"assigned_user_id": "assigned_to"},
    # Format 1 stays as it was (older ClaimDesks read it); an imported case is the office's own,
    # a new record here at its first version (the version counts this database's saves), and
    # its next deadline the database works out from its deadlines.
    local=("is_sample", "version", "next_due_on"),
)


class ExchangeService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def export_case(self, claim_id: int) -> dict[str, Any]:
        """The whole case, its documents included, as a JSON-ready dict."""
        self._ctx.require(Right.EXPORT, "export cases")
        with self._ctx.reader() as session:
            claim = session.get(Claim, claim_id)
            if claim is None:
                raise NotFoundError(f"There is no case number {claim_id}.")
            return _Exporter(session).export(claim)

    @retried
    def import_case(self, document: Any) -> int:
        """Add the case in ``document`` (as parsed from JSON); return its new id.

        Validates everything before writing; a malformed document writes nothing.
        """
        with self._ctx.unit("import cases") as unit:
            # The case-number lock first, as opening a case takes it before any organisation's
            # (storage/locks.py): two workstations' locks always come in the same order, so
            # an import and a new case wait for each other rather than deadlock.
            exclusive(unit.session, "case-number")
            importer = _Importer(unit.session)
            claim_id = importer.run(document)
            if not document["claim"].get("updated_at"):
                # A file that does not say when the case was last worked on: its latest call,
                # event or sent letter, not the moment of the import.
                unit.session.flush()
                claim = unit.get(Claim, claim_id, "case")
                claim.updated_at = last_activity(unit.session, claim_id, unit.clock.now())
            unit.record("import", "claim", claim_id, claim_id)
            # Each file's SHA-256 enters the audit chain, as when a file is attached.
            unit.session.flush()
            files = unit.session.execute(
                select(Document.id, Document.sha256)
                .where(Document.claim_id == claim_id)
                .order_by(Document.id)
            )
            for document_id, digest in files:
                unit.record("import", "document", document_id, claim_id, sha256=digest)
        return claim_id

    def write_case_file(self, claim_id: int, path: Path) -> str:
        """Write the case to a JSON file, whole or not at all; return its case number."""
        document = self.export_case(claim_id)
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        write_atomically(path, text.encode("utf-8"))
        return str(document["claim"]["case_number"])

    def read_case_file(self, path: Path) -> int:
        """Import the case in a JSON file; a file that is not one is refused, nothing written."""
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise ImportFormatError(f"{path} cannot be read: {error.strerror}.") from None
        try:
            document = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise ImportFormatError(f"{path.name} is not a text (UTF-8) file.") from None
        except RecursionError:
            # No case file nests more than a few levels; thousands are a damaged or hostile one.
            raise ImportFormatError(
                f"{path.name} nests lists or objects too deeply to be a ClaimDesk case file; "
                "nothing was imported."
            ) from None
        except json.JSONDecodeError as error:
            raise ImportFormatError(
                f"{path.name} is not valid JSON (line {error.lineno}, column {error.colno}: "
                f"{error.msg}); nothing was imported."
            ) from None
        return self.import_case(document)


# ---- export -------------------------------------------------------------------------------------


class _Exporter:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.keys: dict[tuple[str, int], str] = {}
        self.counters: dict[str, int] = {}
        self.organisations: dict[int, Organisation] = {}
        self.specialists: dict[int, Specialist] = {}
        self.user_cache: dict[int, str] = {}

    def key(self, space: str, record_id: int) -> str:
        if (space, record_id) not in self.keys:
            self.counters[space] = self.counters.get(space, 0) + 1
            self.keys[(space, record_id)] = f"{space}-{self.counters[space]}"
        return self.keys[(space, record_id)]

    def export(self, claim: Claim) -> dict[str, Any]:
        body = self.record(CLAIM, claim)
        for section in CLAIM_SECTIONS:
            body[section.name] = self.rows(section, section.model.claim_id == claim.id)
        return {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "organisations": [
                self.with_children(ORGANISATIONS, org)
                for org in sorted(self.organisations.values(), key=lambda o: o.id)
            ],
            "specialists": [
                self.record(SPECIALISTS, s)
                for s in sorted(self.specialists.values(), key=lambda s: s.id)
            ],
            "claim": body,
        }

    def rows(self, section: Section, condition: Any) -> list[dict[str, Any]]:
        query = select(section.model).where(condition).order_by(section.model.id)
        return [self.with_children(section, row) for row in self.session.scalars(query)]

    def with_children(self, section: Section, row: Any) -> dict[str, Any]:
        record = self.record(section, row)
        for child in section.children:
            record[child.name] = self.rows(child, getattr(child.model, child.parent) == row.id)
        return record

    def record(self, section: Section, row: Any) -> dict[str, Any]:
        record: dict[str, Any] = {"key": self.key(section.prefix, row.id)}
        for column in section.columns():
            record[column.key] = encode(column, getattr(row, column.key))
        for attribute, (name, space) in section.refs.items():
            target = getattr(row, attribute)
            record[name] = None if target is None else self.reference(space, target)
        for attribute, name in section.users.items():
            record[name] = self.user_name(getattr(row, attribute))
        if section.model is Document:
            data = self.session.get(DocumentContent, row.id)
            record["content_base64"] = base64.b64encode(data.data if data else b"").decode()
        return record

    def reference(self, space: str, target_id: int) -> str:
        if space == "org" and target_id not in self.organisations:
            self.organisations[target_id] = self.session.get_one(Organisation, target_id)
        if space == "specialist" and target_id not in self.specialists:
            self.specialists[target_id] = self.session.get_one(Specialist, target_id)
        return self.key(space, target_id)

    def user_name(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        if user_id not in self.user_cache:
            self.user_cache[user_id] = self.session.get_one(User, user_id).name
        return self.user_cache[user_id]


def encode(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, UTCDateTime):
        return value.astimezone(UTC).isoformat()
    if isinstance(column.type, Date):
        return value.isoformat()
    if isinstance(column.type, Enum):
        return value.value
    return value


# ---- import -------------------------------------------------------------------------------------


class _Importer:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.ids: dict[str, int] = {}  # file key -> new database id
        self.spaces: dict[str, str] = {}  # file key -> its key space
        self.users: dict[str, int] = {}
        self.documents: list[tuple[str, Document]] = []

    def run(self, document: Any) -> int:
        root = obj(document, "the file")
        expect_keys(root, {"format", "version", "organisations", "specialists", "claim"}, "")
        if root.get("format") != FORMAT_NAME:
            raise ImportFormatError(
                "This is not a ClaimDesk case file (its 'format' is not 'claimdesk-case')."
            )
        version = root.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise ImportFormatError("version: expected a whole number.")
        if version > FORMAT_VERSION:
            raise ImportFormatError(
                f"This case file is format version {version}, written by a newer ClaimDesk; "
                f"this one ({__version__}) reads version {FORMAT_VERSION}. Update ClaimDesk."
            )
        if version < 1:
            raise ImportFormatError(f"version: {version} is not a valid format version.")
        for i, item in enumerate(array(root.get("organisations", []), "organisations")):
            self.organisation(item, f"organisations[{i}]")
        for i, item in enumerate(array(root.get("specialists", []), "specialists")):
            self.specialist(item, f"specialists[{i}]")
        claim_doc = obj(root.get("claim"), "claim")
        extra = {s.name for s in CLAIM_SECTIONS}
        claim = self.build(CLAIM, claim_doc, "claim", extra_keys=extra)
        if claim.case_number and self.session.scalar(
            select(Claim.id)
            .where(Claim.case_number == claim.case_number)
            .execution_options(skip_policy=True)  # numbers are unique across the office
        ):
            claim.case_number = next_case_number(self.session)
        if not claim.case_number:
            claim.case_number = next_case_number(self.session)
        self.session.add(claim)
        self.session.flush()
        for section in CLAIM_SECTIONS:
            items = array(claim_doc.get(section.name, []), f"claim.{section.name}")
            for i, item in enumerate(items):
                self.nested(section, item, f"claim.{section.name}[{i}]", claim.id)
        return int(claim.id)

    def organisation(self, item: Any, path: str) -> None:
        record = obj(item, path)
        org = self.build(ORGANISATIONS, record, path, extra_keys={"contacts"}, flush=False)
        # Found or made once, whichever workstation imports it first (claims.py's key).
        exclusive(self.session, organisation_lock(org.name, OrganisationKind(org.kind)))
        existing = self.session.scalar(
            select(Organisation)
            .where(Organisation.name == org.name, Organisation.kind == org.kind)
            .order_by(Organisation.id)
            .limit(1)
        )
        if existing is not None:
            self.remember(record, path, ORGANISATIONS, existing.id)
            contacts = array(record.get("contacts", []), f"{path}.contacts")
            for i, contact in enumerate(contacts):  # validate even when not added
                self.build(CONTACTS, obj(contact, f"{path}.contacts[{i}]"), path, flush=False)
            return
        self.session.add(org)
        self.session.flush()
        self.remember(record, path, ORGANISATIONS, org.id)
        for i, contact in enumerate(array(record.get("contacts", []), f"{path}.contacts")):
            self.nested(CONTACTS, contact, f"{path}.contacts[{i}]", org.id)

    def specialist(self, item: Any, path: str) -> None:
        record = obj(item, path)
        specialist = self.build(SPECIALISTS, record, path, flush=False)
        exclusive(
            self.session,
            "specialist:"
            + "|".join((specialist.name, specialist.specialty, specialist.institution)).lower(),
        )
        existing = self.session.scalar(
            select(Specialist.id)
            .where(
                Specialist.name == specialist.name,
                Specialist.specialty == specialist.specialty,
                Specialist.institution == specialist.institution,
            )
            .order_by(Specialist.id)
            .limit(1)
        )
        if existing is None:
            self.session.add(specialist)
            self.session.flush()
            existing = specialist.id
        self.remember(record, path, SPECIALISTS, existing)

    def nested(self, section: Section, item: Any, path: str, parent_id: int) -> None:
        record = obj(item, path)
        row = self.build(section, record, path, extra_keys={c.name for c in section.children})
        setattr(row, section.parent, parent_id)
        self.session.add(row)
        self.session.flush()
        self.remember(record, path, section, row.id)
        for child in section.children:
            for i, sub in enumerate(array(record.get(child.name, []), f"{path}.{child.name}")):
                self.nested(child, sub, f"{path}.{child.name}[{i}]", row.id)

    def build(
        self,
        section: Section,
        record: dict[str, Any],
        path: str,
        extra_keys: set[str] = frozenset(),  # type: ignore[assignment]
        flush: bool = True,
    ) -> Any:
        columns = section.columns()
        allowed = {"key", *(c.key for c in columns), *(n for n, _ in section.refs.values())}
        allowed |= set(section.users.values()) | extra_keys
        if section.model is Document:
            allowed.add("content_base64")
        expect_keys(record, allowed, path)
        values: dict[str, Any] = {}
        for column in columns:
            where = f"{path}.{column.key}"
            if column.key in record:
                values[column.key] = checked(section, column, record[column.key], where)
            elif not column.nullable and column.default is None:
                raise ImportFormatError(f"{where}: this field is missing.")
        table = section.model.__table__
        for attribute, (name, space) in section.refs.items():
            target = self.resolve(record.get(name), space, f"{path}.{name}")
            if target is None and not table.columns[attribute].nullable:
                raise ImportFormatError(f"{path}.{name}: this link is required (not null).")
            values[attribute] = target
        for attribute, name in section.users.items():
            values[attribute] = self.user(record.get(name), f"{path}.{name}")
        if section.model is Document:
            document_values(values, content(record, path), path)
        row = section.model(**values)
        try:
            cross_checks(row)
        except ValidationError as error:
            raise ImportFormatError(f"{path}: {error}") from None
        return row

    def remember(self, record: dict[str, Any], path: str, section: Section, new_id: int) -> None:
        key = record.get("key")
        if not isinstance(key, str) or not key:
            raise ImportFormatError(f"{path}.key: every record needs a text key.")
        if key in self.ids:
            raise ImportFormatError(f"{path}.key: '{key[:40]}' is used twice.")
        self.ids[key] = new_id
        self.spaces[key] = section.prefix

    def resolve(self, value: Any, space: str, path: str) -> int | None:
        if value is None:
            return None
        if not isinstance(value, str) or value not in self.ids or self.spaces[value] != space:
            raise ImportFormatError(
                f"{path}: '{str(value)[:40]}' does not name a record listed before it."
            )
        return self.ids[value]

    def user(self, value: Any, path: str) -> int | None:
        if value is None:
            return None
        try:
            # The rule of ServiceContext and "Assigned to": one line, at most 120 characters.
            name = v.line(value, "User", max_length=120) if isinstance(value, str) else ""
        except ValidationError:
            name = ""
        if not name:
            raise ImportFormatError(f"{path}: expected a user's name (1 to 120 characters).")
        if name not in self.users:
            self.users[name] = accounts.imported_author(self.session, name).id
        return self.users[name]


def content(record: dict[str, Any], path: str) -> bytes:
    raw = record.get("content_base64")
    if not isinstance(raw, str):
        raise ImportFormatError(f"{path}.content_base64: the document's content is missing.")
    if len(raw) > (MAX_DOCUMENT_BYTES + 2) // 3 * 4:
        raise ImportFormatError(
            f"{path}.content_base64: the file is larger than the "
            f"{MAX_DOCUMENT_BYTES // 2**20} MB ClaimDesk keeps."
        )
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise ImportFormatError(f"{path}.content_base64: not valid base64.") from None
    if not data:
        raise ImportFormatError(f"{path}.content_base64: the file is empty (0 bytes).")
    return data


def document_values(values: dict[str, Any], data: bytes, path: str) -> None:
    """What a document is, from its bytes, as attaching the file would find it."""
    digest = hashlib.sha256(data).hexdigest()
    if digest != values.get("sha256"):
        raise ImportFormatError(
            f"{path}: the file's content does not match its sha256; the case file is "
            "damaged or was edited by hand."
        )
    name = values.get("original_name") or "document"
    values["title"] = values.get("title") or Path(name).stem or name
    values["media_type"] = media_type(name, data)
    values["pages"] = count_pages(values["media_type"], data)
    values["size_bytes"] = len(data)
    values["sha256"] = digest
    values["content"] = DocumentContent(data=data)


def media_type(name: str, data: bytes) -> str:
    """What the bytes are; a name ending .pdf does not make 24 bytes of anything a PDF."""
    by_name = sniff_media_type(name, data)
    claimed = {kind for _, kind in _SIGNATURES}
    if by_name in claimed and not any(data.startswith(sig) for sig, _ in _SIGNATURES):
        return "application/octet-stream"
    return by_name


def checked(section: Section, column: Column[Any], value: Any, path: str) -> Any:
    """A JSON value decoded for its column, then held to the service's rule for the field."""
    decoded = decode(column, value, path)
    rule = rule_for(section.model, column)
    if rule is None or (decoded is None and column.nullable):
        return decoded
    try:
        return rule(decoded)
    except ValidationError as error:
        raise ImportFormatError(f"{path}: {error}") from None


def obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ImportFormatError(f"{path}: expected an object {{...}}.")
    return value


def array(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise ImportFormatError(f"{path}: expected a list [...].")
    return value


def expect_keys(record: dict[str, Any], allowed: set[str], path: str) -> None:
    unknown = sorted(str(k) for k in set(record) - allowed)
    if unknown:
        where = f"{path}: " if path else ""
        raise ImportFormatError(f"{where}unknown field '{unknown[0][:40]}'.")


def decode(column: Column[Any], value: Any, path: str) -> Any:
    """A JSON value -> the column's Python value, or ImportFormatError naming the path."""
    if value is None:
        if not column.nullable:
            raise ImportFormatError(f"{path}: this field cannot be empty (null).")
        return None
    kind = column.type
    for check, convert in _DECODERS:
        if isinstance(kind, check):
            return convert(column, value, path)
    raise ImportFormatError(f"{path}: this field cannot be imported.")


def _text(column: Column[Any], value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise ImportFormatError(f"{path}: expected text.")
    limit = getattr(column.type, "length", None) or MAX_TEXT
    if len(value) > limit:
        raise ImportFormatError(f"{path}: text longer than {limit} characters.")
    if "\x00" in value:
        raise ImportFormatError(f"{path}: text contains a NUL character.")
    return value


def _integer(column: Column[Any], value: Any, path: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ImportFormatError(f"{path}: expected a whole number.")
    if not _INT_RANGE[0] <= value <= _INT_RANGE[1]:
        raise ImportFormatError(f"{path}: number out of range.")
    return value


def _boolean(column: Column[Any], value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise ImportFormatError(f"{path}: expected true or false.")
    return value


def _date(column: Column[Any], value: Any, path: str) -> date:
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise ImportFormatError(f"{path}: expected a date such as 2026-03-02.") from None


def _instant(column: Column[Any], value: Any, path: str) -> datetime:
    try:
        if not isinstance(value, str):
            raise ValueError
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ImportFormatError(
            f"{path}: expected a date and time with its UTC offset, such as "
            "2026-03-02T14:30:00+00:00."
        )
    try:
        return v.utc_instant(parsed, path)
    except ValidationError as error:
        raise ImportFormatError(str(error)) from None


def _choice(column: Column[Any], value: Any, path: str) -> Any:
    enum_class = column.type.enum_class  # type: ignore[attr-defined]
    if isinstance(value, str):
        for member in enum_class:
            if member.value == value:
                return member
    options = ", ".join(m.value for m in enum_class)
    raise ImportFormatError(f"{path}: '{str(value)[:40]}' is not one of: {options}.")


_DECODERS: tuple[tuple[type[Any], Callable[[Column[Any], Any, str], Any]], ...] = (
    (UTCDateTime, _instant),
    (Enum, _choice),
    (Date, _date),
    (Boolean, _boolean),
    (Integer, _integer),
    (String, _text),
    (Text, _text),
    (LargeBinary, lambda c, v, p: _text(c, v, p).encode()),
)


# ---- documentation ------------------------------------------------------------------------------


def reference_tables() -> str:
    """The field reference of docs/case-format.md, generated from the sections above."""
    lines: list[str] = []

    def describe(column: Column[Any]) -> str:
        kind = column.type
        if isinstance(kind, UTCDateTime):
            return "date and time with UTC offset"
        if isinstance(kind, Enum):
            return "one of: " + ", ".join(f"`{m.value}`" for m in kind.enum_class or ())
        if isinstance(kind, Date):
            return "date `YYYY-MM-DD`"
        if isinstance(kind, Boolean):
            return "`true` / `false`"
        if isinstance(kind, Integer):
            return "whole number"
        length = getattr(kind, "length", None)
        return f"text, at most {length} characters" if length else "text"

    def table(section: Section, where: str, lists: Sequence[str] = ()) -> None:
        lines.extend(
            [
                "",
                f"### `{where}`",
                "",
                "| field | value | null allowed |",
                "|---|---|---|",
                "| `key` | text, unique in the file | no |",
            ]
        )
        for column in section.columns():
            nullable = "yes" if column.nullable else "no"
            lines.append(f"| `{column.key}` | {describe(column)} | {nullable} |")
        for attribute, (name, space) in section.refs.items():
            nullable = "yes" if section.model.__table__.columns[attribute].nullable else "no"
            lines.append(
                f"| `{name}` | the `key` of a `{space}-…` record listed before | {nullable} |"
            )
        for name in section.users.values():
            lines.append(f"| `{name}` | a user's name (created on import if new) | yes |")
        if section.model is Document:
            lines.append(
                "| `content_base64` | the file's bytes in base64; must match `sha256` | no |"
            )
        for name in [*(c.name for c in section.children), *lists]:
            lines.append(f"| `{name}` | list of records, below | no |")
        for child in section.children:
            table(child, f"{where}.{child.name}[]")

    table(ORGANISATIONS, "organisations[]")
    table(SPECIALISTS, "specialists[]")
    table(CLAIM, "claim", lists=[s.name for s in CLAIM_SECTIONS])
    for section in CLAIM_SECTIONS:
        table(section, f"claim.{section.name}[]")
    return "\n".join(lines).strip() + "\n"

"""Typed errors whose message a claimant can act on.

The core raises these; the GUI shows the message in a dialog and the CLI prints it as one line.
"""

from __future__ import annotations

from datetime import datetime


class ClaimDeskError(Exception):
    """Base class: ``str(error)`` is a complete sentence telling the user what to do."""


class ValidationError(ClaimDeskError):
    """Input that cannot be saved as given (a bad date, a missing field...)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(ClaimDeskError):
    """A record the user asked for does not exist (any more)."""


class ConflictError(ClaimDeskError):
    """A save made from an older version of a record that someone else saved in between:
    refused, so nothing they saved is silently written over. ``changed_by`` and
    ``changed_at`` (aware, UTC) come from the audit trail's latest change to the record."""

    def __init__(
        self,
        message: str,
        *,
        changed_by: str | None = None,
        changed_at: datetime | None = None,
        version: int | None = None,
    ) -> None:
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.version = version


class StorageError(ClaimDeskError):
    """The database cannot be opened, read or written.

    ``retry_safe``: the transaction it ended wrote nothing (the server rolled it back: a
    deadlock, a serialization failure, a connection lost before the commit was sent), so the
    same call may simply be made again (services/context.py retries it a few times).
    """

    retry_safe = False


class DatabaseLockedError(StorageError):
    """The window is locked and the database key put away (gui/lock.py): a read refused until
    the unlock, after which the window reads everything again."""

    def __init__(self) -> None:
        super().__init__(
            "ClaimDesk is locked and has put its key away: unlock the window with your "
            "password to carry on. Nothing was lost."
        )


class DatabaseBusyError(StorageError):
    """Another ClaimDesk window or process held the database for too long."""


class ServerUnavailableError(StorageError):
    """The PostgreSQL server could not be reached, or the connection to it dropped."""


class SchemaTooNewError(StorageError):
    """The database was written by a newer ClaimDesk than this one."""


class NotAClaimDeskDatabaseError(StorageError):
    """A file that is not a ClaimDesk database was offered as one."""


class EncryptedDatabaseError(StorageError):
    """An encrypted database was opened without its key, or with a key that is not its own."""


class KeyFileError(StorageError):
    """The key file beside an encrypted database is missing, damaged or cannot be written."""


class WrongPasswordError(ClaimDeskError):
    """A password (or recovery key) does not unwrap the database's key."""


class DocumentError(ClaimDeskError):
    """A document cannot be attached or read."""


class DocumentAlteredError(DocumentError):
    """A document's stored file is not the one the audit trail recorded when it was attached."""


class ImportFormatError(ClaimDeskError):
    """A case file to import is malformed; the message names where and what."""


class TemplateRenderError(ClaimDeskError):
    """A letter template could not be rendered; nothing was written."""

    def __init__(self, template: str, line: int | None, detail: str) -> None:
        self.template = template
        self.line = line
        self.detail = detail.rstrip(". ")
        where = f"'{template}', line {line}" if line else f"'{template}'"
        super().__init__(
            f"The letter template {where} has a problem: {self.detail}. Nothing was written. "
            "Correct the template (Tools ▸ Letter templates), or go back to the bundled version."
        )


class LetterCheckError(ClaimDeskError):
    """The language check found something that would weaken the letter."""

    def __init__(self, findings: list[str]) -> None:
        self.findings = findings
        listed = "; ".join(finding.rstrip(". ") for finding in findings)
        super().__init__(
            f"The letter was not generated: {listed}. Fill in the case details or reword the "
            "template, or generate it anyway if you are sure (--force on the command line)."
        )


class PacketExportError(ClaimDeskError):
    """An appeal packet could not be written; no partial file was left."""


# Only for the type checker: packets imports this module, so a runtime import would be a cycle.
import typing  # noqa: E402

if typing.TYPE_CHECKING:
    from claimdesk.packets.model import ExhibitProblem


class PacketCancelled(PacketExportError):
    """The user stopped a packet export; nothing was written."""

    def __init__(self) -> None:
        super().__init__("The packet export was cancelled; no file was written.")


class ExhibitProblemsError(PacketExportError):
    """Some exhibits cannot be read; the packet was not written. ``problems`` lists them."""

    def __init__(self, problems: list[ExhibitProblem]) -> None:
        self.problems = list(problems)
        listed = "; ".join(p.describe() for p in self.problems)
        count = len(self.problems)
        which = "This exhibit" if count == 1 else f"These {count} exhibits"
        super().__init__(
            f"The packet was not written. {which} cannot be used: {listed}. Attach a readable "
            "copy, take it out of the packet, or export again choosing to leave out unreadable "
            "exhibits."
        )


class SearchCancelled(ClaimDeskError):
    """The user stopped a search while the index was catching up (what was indexed is kept)."""

    def __init__(self) -> None:
        super().__init__("The search was stopped; search again to finish indexing.")


class SignInError(ClaimDeskError):
    """Sign-in refused: a wrong password, or an account unknown, disabled or without one."""


class PermissionDenied(ClaimDeskError):
    """The signed-in account's role may not do this; the message names what it cannot do."""


class ReadingError(ClaimDeskError):
    """A file could not be read for its text (not a PDF or picture, locked, damaged)."""


class OcrUnavailable(ReadingError):
    """No OCR engine is installed here; the message says how to add one."""


class ReadingCancelled(ReadingError):
    """The user stopped the reading; nothing was kept."""

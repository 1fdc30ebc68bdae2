"""Typed errors whose message a claimant can act on.

The core raises these; the GUI shows the message in a dialog and the CLI prints it as one line.
"""

from __future__ import annotations


class ClaimDeskError(Exception):
    """Base class: ``str(error)`` is a complete sentence telling the user what to do."""


class ValidationError(ClaimDeskError):
    """Input that cannot be saved as given (a bad date, a missing field...)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(ClaimDeskError):
    """A record the user asked for does not exist (any more)."""


class StorageError(ClaimDeskError):
    """The database cannot be opened, read or written."""


class DatabaseBusyError(StorageError):
    """Another ClaimDesk window or process held the database for too long."""


class SchemaTooNewError(StorageError):
    """The database was written by a newer ClaimDesk than this one."""


class NotAClaimDeskDatabaseError(StorageError):
    """A file that is not a ClaimDesk database was offered as one."""


class DocumentError(ClaimDeskError):
    """A document cannot be attached or read."""


class ImportFormatError(ClaimDeskError):
    """A case file to import is malformed; the message names where and what."""

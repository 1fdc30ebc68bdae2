"""Backing up the database and restoring a backup: the window and the CLI call these."""

from __future__ import annotations

from pathlib import Path

from claimdesk.services.accounts import Right
from claimdesk.services.context import ServiceContext
from claimdesk.storage import backup as copies
from claimdesk.storage.backup import BackupResult, RestoreResult

__all__ = ["BackupResult", "BackupService", "RestoreResult"]


def cases(count: int) -> str:
    """'1 case', '2 cases': how many cases a backup or a restore held, for people."""
    return f"{count} case" if count == 1 else f"{count} cases"


class BackupService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def backup(self, destination: Path) -> BackupResult:
        """A consistent copy of the database, safe while other windows are writing
        (administrators: a backup holds every case)."""
        self._ctx.require(Right.ADMINISTER, "back up the database")
        return copies.backup(self._ctx.db, destination)

    def restore(
        self, source: Path, kept_in: Path, *, source_key: bytes | None = None
    ) -> RestoreResult:
        """Replace the database with a checked copy of ``source``; the current one is kept
        in ``kept_in`` first (storage/backup.py says what is checked). ``source_key`` opens
        an encrypted backup made with other keys (storage/keys.py unwraps it).
        Administrators only."""
        self._ctx.require(Right.ADMINISTER, "restore a backup")
        return copies.restore(self._ctx.db, source, kept_in, source_key=source_key)

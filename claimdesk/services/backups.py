"""Backing up the database and restoring a backup: the window and the CLI call these."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from claimdesk.errors import StorageError
from claimdesk.services.accounts import Right
from claimdesk.services.context import ServiceContext
from claimdesk.storage import backup as copies
from claimdesk.storage import transfer
from claimdesk.storage.backup import BackupResult, RestoreResult
from claimdesk.storage.transfer import TransferResult

__all__ = ["BackupResult", "BackupService", "EncryptResult", "RestoreResult", "TransferResult"]


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

    def move_office(self, target_url: str) -> TransferResult:
        """Copy this whole database (accounts, audit trail, documents) into the empty database
        at ``target_url``, checked by row counts and checksums (storage/transfer.py).
        Administrators only: the copy holds every case."""
        self._ctx.require(Right.ADMINISTER, "move the office to another database")
        return transfer.move(self._ctx.db, target_url)

    def backup_file(self) -> tuple[str, str]:
        """The name to suggest for a backup and its kind, for a file picker: a ClaimDesk
        SQLite file, or PostgreSQL's archive when pg_dump can back up this server."""
        db = self._ctx.db
        if db.sqlite_path is None and db.engine.dialect.name == "postgresql":
            from claimdesk.storage.server_backup import find_tools

            if find_tools(db) is not None:
                return "claimdesk-backup.dump", "PostgreSQL archive (*.dump)"
        return "claimdesk-backup.sqlite", "ClaimDesk database (*.sqlite)"

    def backup_needs_key(self, source: Path) -> bool:
        """Whether ``source`` was encrypted by another setup (its password or recovery key
        opens it: ``unlock_backup``)."""
        return copies.needs_key(self._ctx.db, source)

    def unlock_backup(self, source: Path, secret: str) -> bytes:
        """The key of such a backup, from its recovery key or any of its accounts' password."""
        return copies.unlock_backup(source, secret)

    @property
    def can_encrypt(self) -> bool:
        """Whether File ▸ Encrypt is offered: an unencrypted SQLite file, to an administrator."""
        db = self._ctx.db
        admin = self._ctx.principal.may(Right.ADMINISTER)
        return admin and db.sqlite_path is not None and db.data_key is None

    def encrypt(self, password: str) -> EncryptResult:
        """Encrypt this database in place (storage/encrypt.py); the signed-in administrator's
        ``password`` (checked here) opens it from now on. Returns the recovery key, to be
        shown once, and the other accounts, whose passwords must be set again before they can
        open it (a wrapped key needs the password it is wrapped with).

        The database is set aside first (the conversion needs the file to itself) and stays
        so: the caller starts again with the database's key. If the conversion fails, it
        opens again as it was.
        """
        from claimdesk.services.accounts import AccountService
        from claimdesk.storage.encrypt import encrypt_database

        self._ctx.require(Right.ADMINISTER, "encrypt the database")
        path = self._ctx.db.sqlite_path
        if path is None or self._ctx.db.data_key is not None:
            raise StorageError(
                "Only an unencrypted ClaimDesk SQLite file can be encrypted; this one is "
                "encrypted already or is on a database server."
            )
        me = self._ctx.principal
        accounts = AccountService(self._ctx)
        accounts.verify(me.name, password)
        others = [
            a.name
            for a in accounts.accounts()
            if a.active and a.has_password and a.id != me.user_id
        ]
        with self._ctx.db.set_aside(
            "The database is being encrypted; ClaimDesk starts again when it is done."
        ):
            recovery = encrypt_database(path, me.name, password)
        return EncryptResult(recovery, others)


@dataclass(frozen=True)
class EncryptResult:
    recovery_key: str
    # Accounts whose passwords an administrator must set again before they open the file.
    accounts_without_key: list[str]

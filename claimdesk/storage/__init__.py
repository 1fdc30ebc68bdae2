"""Opening, migrating, backing up and restoring the ClaimDesk database."""

from claimdesk.storage.db import Database, open_database

__all__ = ["Database", "open_database"]

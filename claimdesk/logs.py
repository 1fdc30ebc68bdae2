"""Logging to the platform log folder. Log lines carry ids and counts, never health data."""

from __future__ import annotations

import logging
import logging.handlers
from io import TextIOWrapper
from pathlib import Path

from claimdesk.private import private_dir, private_file

LOG_FILE_NAME = "claimdesk.log"


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log readable by the user only, the new file after each rollover too."""

    # Ids and counts only, but still about someone's health claim: kept private.
    def _open(self) -> TextIOWrapper:
        private_file(Path(self.baseFilename))
        return super()._open()


def configure_logging(log_dir: Path, *, verbose: bool = False) -> Path | None:
    """Send log records to a rotating file in ``log_dir``; return its path (None if unwritable)."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    try:
        private_dir(log_dir)
        path = log_dir / LOG_FILE_NAME
        handler: logging.Handler = PrivateRotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return path

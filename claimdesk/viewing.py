"""Copies written only so another program can show them (a letter opened for viewing).

The database is encrypted; a letter handed to the PDF viewer or the word processor has to be a
plain file. Each one goes into this window's own private folder in the system's temporary
directory, removed when the window closes. A window that dies cannot remove its folder, so it
holds a lock marker in it (claimdesk/partials.py): the next start removes every folder whose
marker is free, that is, every folder of a window no longer running.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

from claimdesk.partials import Partial, new_partial, sweep_stale_partials
from claimdesk.private import open_private

log = logging.getLogger(__name__)

PREFIX = "claimdesk-view-"
_MARKER = "in-use"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


class ViewingCopies:
    """The plain copies one window has written for viewing; ``remove_all`` when it closes."""

    def __init__(self, parent: Path | None = None) -> None:
        self._parent = parent
        self._folder: Path | None = None
        self._marker: Partial | None = None

    @property
    def folder(self) -> Path | None:
        return self._folder

    def write(self, data: bytes, name: str) -> Path:
        """Write ``data`` as a file called ``name`` (made safe) for a viewer; OSError if not."""
        folder = self._own_folder()
        # One subfolder per copy: two letters with the same name do not overwrite each other.
        path = Path(tempfile.mkdtemp(dir=folder)) / _safe_name(name)
        fd = open_private(path)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        return path

    def remove_all(self) -> None:
        """Remove every copy this window wrote (a viewer still showing one keeps its own
        handle on POSIX; on Windows a file open in a viewer stays until the next start)."""
        if self._folder is None:
            return
        if self._marker is not None:
            self._marker.discard()
            self._marker = None
        shutil.rmtree(self._folder, ignore_errors=True)
        self._folder = None

    def _own_folder(self) -> Path:
        if self._folder is None:
            parent = self._parent or Path(tempfile.gettempdir())
            folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))  # 0700
            self._marker = new_partial(folder / _MARKER)
            self._folder = folder
        return self._folder


def sweep_abandoned(parent: Path | None = None) -> int:
    """Remove the viewing folders of windows no longer running; returns how many."""
    parent = parent or Path(tempfile.gettempdir())
    try:
        folders = [p for p in parent.glob(PREFIX + "*") if p.is_dir() and not p.is_symlink()]
    except OSError:
        return 0
    removed = 0
    for folder in folders:
        try:
            if folder.stat().st_uid != os.getuid():
                continue  # another user's: not ours to judge
        except (OSError, AttributeError):
            pass  # Windows has no getuid; the profile's temp folder is the user's own
        # Only a folder whose window is dead: its marker was free to take (and remove).
        if sweep_stale_partials(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    if removed:
        log.info("removed %d folders of letters opened for viewing", removed)
    return removed


def _safe_name(name: str) -> str:
    cleaned = _UNSAFE.sub("_", Path(name).name).strip(". ")
    return cleaned[:120] or "letter"

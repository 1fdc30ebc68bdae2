"""Folders and files only the user can read: ClaimDesk keeps health records in them.

Modes are set with chmod after creating, so a permissive umask (002, or 000 on some shared
machines) cannot widen them. Only what ClaimDesk creates is changed: an existing folder the
user points ClaimDesk at (their home, a shared office folder) keeps the permissions they chose.
On Windows the ACLs of the user's profile already keep others out, and chmod only toggles the
read-only flag, so nothing is changed there.
"""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600
POSIX = os.name == "posix"


def private_dir(path: Path) -> Path:
    """Create ``path`` and its missing parents; each folder created is the user's alone."""
    missing: list[Path] = []
    current = path
    while not current.exists() and current.parent != current:
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            continue  # made meanwhile by another ClaimDesk; not ours to change
        if POSIX:
            os.chmod(folder, FOLDER_MODE)
    if not path.is_dir():
        # Raise what mkdir would (a file in the way, for instance).
        path.mkdir(parents=True, exist_ok=True)
    return path


def open_private(path: Path, flags: int = 0) -> int:
    """Create ``path`` (which must not exist) readable by the user only; return its descriptor."""
    # O_BINARY: on Windows an fd opened without it turns b"\n" into b"\r\n".
    flags |= os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, FILE_MODE)
    if POSIX:
        try:
            os.fchmod(fd, FILE_MODE)
        except BaseException:
            os.close(fd)
            raise
    return fd


def private_file(path: Path) -> bool:
    """Create ``path`` empty and the user's alone unless it exists; True when it was created."""
    try:
        fd = open_private(path)
    except FileExistsError:
        return False
    os.close(fd)
    return True

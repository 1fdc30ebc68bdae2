"""Temporary files beside a file being written: hidden, private, and cleared after a crash.

A file NAME is written as ``.NAME.xxxxxxxx.partial`` in NAME's own folder (the same disk, so
the final rename is atomic), created readable by the user only: it holds health records.

A writer killed outright (SIGKILL, a power cut, the task manager) cannot remove its partials,
so the next writer of NAME does, and only those of NAME. It must not remove the partials of
another window exporting NAME at this moment, so each writer holds a lock on its partials:
the system drops a lock when its process dies, however it dies, so an unlocked partial is a
dead writer's. On POSIX that is flock() on a descriptor kept open beside the one that writes
(flock, not fcntl: closing any other descriptor of the file would drop an fcntl lock). On
Windows a file open in another process cannot be deleted, which serves as the lock.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import secrets
import stat
from pathlib import Path

from claimdesk.private import open_private

log = logging.getLogger(__name__)

SUFFIX = ".partial"
# Any partial ClaimDesk writes: a hidden name, eight hex digits, ".partial".
ANY_PARTIAL = re.compile(r"\..+\.[0-9a-f]{8}\.partial")

if os.name == "posix":
    import fcntl

    def _try_lock(fd: int) -> bool | None:
        """True: locked. False: another process holds it. None: this disk cannot lock."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError as error:
            if error.errno in (errno.EAGAIN, errno.EACCES):
                return False
            return None  # ENOLCK, EOPNOTSUPP: some network shares
        return True

else:  # pragma: no cover - Windows

    def _try_lock(fd: int) -> bool | None:
        return True  # the open descriptor itself keeps the file from being deleted


class Partial:
    """A private temporary file beside its final name, locked while this process writes it."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd = fd
        self._open = True

    def replace(self, final: Path) -> None:
        """Move the finished file to ``final`` (atomic on one disk)."""
        if os.name == "posix":
            os.replace(self.path, final)
            self._close()
        else:  # pragma: no cover - Windows cannot rename a file that is still open
            self._close()
            os.replace(self.path, final)

    def discard(self) -> None:
        """Remove the file if it is still there (it was not finished) and drop the lock."""
        try:
            # Removed before the lock is dropped: no other writer can take it for stale.
            self.path.unlink(missing_ok=True)
        finally:
            self._close()

    def _close(self) -> None:
        if self._open:
            self._open = False
            os.close(self.fd)


def partial_pattern(final: Path) -> re.Pattern[str]:
    return re.compile(re.escape(f".{final.name}.") + r"[0-9a-f]{8}" + re.escape(SUFFIX))


def new_partial(final: Path) -> Partial:
    """Create a locked, private, empty partial file for ``final``; OSError if it cannot."""
    for _ in range(20):
        path = final.with_name(f".{final.name}.{secrets.token_hex(4)}{SUFFIX}")
        try:
            fd = open_private(path)
        except FileExistsError:
            continue
        locked = _try_lock(fd)
        # A cleaner may have taken the new file for a dead writer's in the instant before the
        # lock: then it holds the lock, or has removed the file. Start again under a new name.
        if locked is not False and _still_named(fd, path):
            return Partial(path, fd)
        os.close(fd)
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(final))


def _still_named(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False))
    except OSError:
        return False


def remove_stale_partials(final: Path) -> list[Path]:
    """Remove the partials of ``final`` that crashed or killed writers left; return them."""
    return _remove_matching(final.parent, partial_pattern(final))


def sweep_stale_partials(folder: Path) -> list[Path]:
    """Remove every stale ClaimDesk partial in ``folder`` (not its subfolders); return them."""
    return _remove_matching(folder, ANY_PARTIAL)


def _remove_matching(folder: Path, pattern: re.Pattern[str]) -> list[Path]:
    removed: list[Path] = []
    try:
        with os.scandir(folder) as entries:
            candidates = [Path(e.path) for e in entries if pattern.fullmatch(e.name)]
    except OSError:
        return removed  # an unreadable folder: nothing of ours can be cleared there
    for path in candidates:
        if _remove_if_stale(path):
            removed.append(path)
    if removed:
        log.info("removed %d temporary files left by an interrupted save", len(removed))
    return removed


def _remove_if_stale(path: Path) -> bool:
    if os.name != "posix":  # pragma: no cover - Windows refuses to delete a file open elsewhere
        try:
            if not stat.S_ISREG(path.lstat().st_mode):
                return False
            path.unlink()
        except OSError:
            return False
        return True
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False  # gone already, a symbolic link, or not ours to read
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode) or _try_lock(fd) is not True:
            return False
        if not _still_named(fd, path):
            return False
        os.unlink(path)  # under the lock, so its writer cannot be mid-way through new_partial
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


# Where packets were exported to, so the partials of an export killed outright are removed at
# the next start even if that name is never exported again. Folder paths only, newest first.
MAX_REMEMBERED = 20
EXPORT_FOLDERS_FILE = "export-folders.json"  # in the data folder


def remember_export_folder(record: Path, folder: Path) -> None:
    """Note ``folder`` in ``record`` (a small private JSON list); a failure only costs a sweep."""
    folders = [str(folder.resolve())]
    folders += [f for f in _remembered(record) if f != folders[0]]
    try:
        fresh = record.with_name(record.name + ".new")
        fresh.unlink(missing_ok=True)  # left by a crash between these two steps
        with os.fdopen(open_private(fresh), "wb") as handle:
            handle.write(json.dumps(folders[:MAX_REMEMBERED]).encode())
        os.replace(fresh, record)
    except OSError as error:
        log.warning("could not note the export folder: %s", error.strerror)


def sweep_remembered(record: Path, *also: Path) -> list[Path]:
    """At start: remove stale partials in the folders of ``also`` and those noted in ``record``."""
    removed: list[Path] = []
    for folder in [*also, *(Path(f) for f in _remembered(record))]:
        removed += sweep_stale_partials(folder)
    return removed


def _remembered(record: Path) -> list[str]:
    try:
        folders = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(folders, list):
        return []
    return [f for f in folders if isinstance(f, str)]

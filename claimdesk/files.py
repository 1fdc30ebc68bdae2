"""Writing a file whole or not at all: a full disk or a crash never leaves half a file."""

from __future__ import annotations

import os
from pathlib import Path

from claimdesk.errors import StorageError
from claimdesk.partials import new_partial, remove_stale_partials


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it, then rename it into place.

    On any failure the temporary file is removed and an existing ``path`` is left as it was.
    The file is readable by the user only (it holds health records), as is its temporary.
    """
    path = Path(path)
    remove_stale_partials(path)
    try:
        partial = new_partial(path)
    except OSError as error:
        raise StorageError(_message(path, error)) from None
    try:
        with open(partial.fd, "wb", closefd=False) as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        partial.replace(path)
    except OSError as error:
        partial.discard()
        raise StorageError(_message(path, error)) from None
    except BaseException:
        partial.discard()
        raise


def _message(path: Path, error: OSError) -> str:
    return (
        f"'{path}' could not be written ({error.strerror or error}). Check the folder exists, "
        "that you may write to it and that the disk has room; nothing was changed there."
    )


def unused_stem(folder: Path, stem: str) -> str:
    """``stem``, or ``stem-2``, ``stem-3``… when a file of that name (any extension) is already
    in ``folder``: two copies kept within one second (a restore, then another of the copy just
    kept) never share a name, so neither is written over the other."""
    taken = {p.stem for p in folder.glob(f"{stem}*")} if folder.is_dir() else set()
    if stem not in taken:
        return stem
    n = 2
    while f"{stem}-{n}" in taken:
        n += 1
    return f"{stem}-{n}"

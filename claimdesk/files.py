"""Writing a file whole or not at all: a full disk or a crash never leaves half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from claimdesk.errors import StorageError


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it, then rename it into place.

    On any failure the temporary file is removed and an existing ``path`` is left as it was.
    """
    path = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".claimdesk-",
                                             suffix=".partial")
    except OSError as error:
        raise StorageError(_message(path, error)) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise StorageError(_message(path, error)) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _message(path: Path, error: OSError) -> str:
    return (
        f"'{path}' could not be written ({error.strerror or error}). Check the folder exists, "
        "that you may write to it and that the disk has room; nothing was changed there."
    )

"""What the worker scripts share: printing a line at once, the start signal, the exit protocol.

The scripts run with the repo root on PYTHONPATH (see harness.py), so they import this as
tests.workers.common.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claimdesk.services import ClaimInput
    from claimdesk.storage import Database

GO_TIMEOUT_S = 120.0
# The data key (hex) of an encrypted test database, handed to workers by the test (the
# `storage_key` fixture); unset for a plain database. Only tests pass keys this way.
KEY_ENV = "CLAIMDESK_TEST_DATA_KEY"


def prepare_key_file(db_path: Path, key: bytes | None) -> None:
    """The key file an encrypted test database needs before anyone adds an account to it
    (each account wraps its own copy of the key there); nothing for a plain database."""
    if key is None:
        return
    from claimdesk.storage import keys
    from tests.signin import TEST_PASSWORD

    keys.write_key_file(db_path, key, "Test Caseworker", TEST_PASSWORD)


def open_test_database(url: str) -> Database:
    """open_database, with the key of an encrypted test database if the test gave one."""
    from claimdesk.storage import open_database

    key = os.environ.get(KEY_ENV)
    return open_database(url, key=bytes.fromhex(key) if key else None)


def new_claim(claimant: str, insurer: str = "Acme", administrator: str = "") -> ClaimInput:
    """The new-case form as the workers fill it in: an ERISA health denial."""
    from claimdesk.services import ClaimInput

    return ClaimInput(
        claimant_name=claimant,
        plan_type="erisa_group_health",
        claim_type="health",
        country="US",
        insurer_name=insurer,
        plan_administrator_name=administrator,
    )


def emit(line: str) -> None:
    """Print line and flush it at once, so the parent sees it as soon as it is true."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def wait_for(go_file: Path, poll: float) -> None:
    """Wait until go_file exists (the parent creates it to start every worker together)."""
    deadline = time.monotonic() + GO_TIMEOUT_S
    while not go_file.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{go_file} never appeared")
        time.sleep(poll)


def run(main: Callable[[list[str]], int]) -> None:
    """Exit with main(arguments), or with status 1 after printing the exception.

    The traceback goes to stderr and an ``error TYPE: MESSAGE`` line to stdout.
    """
    from claimdesk.services.accounts import use_hasher
    from tests.signin import FAST_HASHER

    use_hasher(FAST_HASHER)  # as in the test process: accounts made here hash cheaply
    try:
        sys.exit(main(sys.argv[1:]))
    except Exception as error:
        traceback.print_exc()
        emit(f"error {type(error).__name__}: {error}")
        sys.exit(1)

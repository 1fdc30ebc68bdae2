"""Letters opened in another program are plain copies: private, and gone when the window
closes or, after a crash, at the next start."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from claimdesk.viewing import PREFIX, ViewingCopies, sweep_abandoned
from tests.conftest import REPO_ROOT

CRASHING_WINDOW = r"""
import os, sys
from pathlib import Path
from claimdesk.viewing import ViewingCopies
copies = ViewingCopies(Path(sys.argv[1]))
print(copies.write(b"%PDF- a letter about Gwendolyn Quarterman", "letter.pdf"), flush=True)
os._exit(0)  # dies without closing anything, as a crashed window does
"""


def test_a_copy_for_viewing_is_private_and_removed_when_the_window_closes(
    tmp_path: Path,
) -> None:
    copies = ViewingCopies(tmp_path)
    first = copies.write(b"%PDF-1 first", "Appeal letter.pdf")
    second = copies.write(b"%PDF-1 second", "Appeal letter.pdf")
    assert first != second and first.name == second.name == "Appeal letter.pdf"
    assert first.read_bytes() == b"%PDF-1 first"
    if os.name == "posix":
        assert stat.S_IMODE(first.stat().st_mode) == 0o600
        assert stat.S_IMODE(first.parent.parent.stat().st_mode) == 0o700
    # A name from the case cannot put the copy elsewhere.
    odd = copies.write(b"x", "../../outside/Letter: 1/2?.pdf")
    assert odd.parent.parent == copies.folder and "/" not in odd.name

    copies.remove_all()
    assert not first.exists() and list(tmp_path.iterdir()) == []


def test_the_next_start_removes_what_a_crashed_window_left_but_not_a_live_windows(
    tmp_path: Path,
) -> None:
    live = ViewingCopies(tmp_path)
    kept = live.write(b"still being viewed", "open.pdf")
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    out = subprocess.run(
        [sys.executable, "-c", CRASHING_WINDOW, str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    left = Path(out.strip())
    assert left.exists()
    assert len(list(tmp_path.glob(PREFIX + "*"))) == 2

    assert sweep_abandoned(tmp_path) == 1
    assert not left.exists()
    assert kept.read_bytes() == b"still being viewed"
    live.remove_all()
    assert list(tmp_path.iterdir()) == []

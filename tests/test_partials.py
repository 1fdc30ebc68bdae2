"""A killed export leaves partials; the next export of that name removes them, and only them.

The victim is a child process that exports a split packet and, a few pages in, says so and
waits; the test kills it with SIGKILL there, so no cleanup code of its own can run.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from claimdesk.errors import StorageError
from claimdesk.files import write_atomically
from claimdesk.packets import export_packet
from claimdesk.partials import (
    EXPORT_FOLDERS_FILE,
    MAX_REMEMBERED,
    new_partial,
    partial_pattern,
    remember_export_folder,
    remove_stale_partials,
    sweep_remembered,
    sweep_stale_partials,
)
from claimdesk.storage import Database
from tests.builders import full_case
from tests.conftest import REPO_ROOT
from tests.pinned import pinned_clock
from tests.signin import as_user
from tests.test_packet_reexport import LIMIT, scans
from tests.test_packets import options, source

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and SIGKILL")

VICTIM = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from claimdesk.packets import export_packet
    from tests.test_packet_reexport import LIMIT, scans
    from tests.test_packets import options, source

    os.umask(0)  # the partials must be private all the same
    ticks = 0

    def progress(done, total, what):
        global ticks
        ticks += 1
        if ticks == 8:
            print("writing", flush=True)
            time.sleep(600)  # killed here

    export_packet(source(scans(4)), Path(sys.argv[1]), options(split_bytes=LIMIT), progress)
    """
)


def partials_of(folder: Path, name: str) -> set[Path]:
    pattern = partial_pattern(folder / name)
    return {path for path in folder.iterdir() if pattern.fullmatch(path.name)}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def kill_mid_export(out: Path) -> set[Path]:
    victim = subprocess.Popen(
        [sys.executable, "-c", VICTIM, str(out)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert victim.stdout is not None
        line = victim.stdout.readline()
        assert line == "writing\n", victim.stderr.read() if victim.stderr else ""
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=60)
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.wait()
        victim.stdout.close()  # type: ignore[union-attr]
        victim.stderr.close()  # type: ignore[union-attr]
    assert victim.returncode == -signal.SIGKILL
    return partials_of(out.parent, out.name)


@posix_only
@pytest.mark.slow
def test_next_export_removes_the_partials_a_killed_export_left(tmp_path: Path) -> None:
    out = tmp_path / "appeal.pdf"
    left = kill_mid_export(out)
    assert left, "the killed export had partials on disk"
    assert not out.exists()
    # Health records in them, so private even though the victim ran with umask 0.
    assert {mode(path) for path in left} == {0o600}

    other = tmp_path / ".other.pdf.0123abcd.partial"  # another packet's partial
    other.write_bytes(b"other")
    lookalikes = [tmp_path / ".appeal.pdf.notes.partial", tmp_path / "appeal.pdf.partial"]
    for path in lookalikes:
        path.write_bytes(b"the user's")
    another_window = new_partial(out)  # an export of the same name, running right now
    try:
        result = export_packet(source(scans(1)), out, options(split_bytes=LIMIT))
        assert partials_of(tmp_path, "appeal.pdf") == {another_window.path}
        assert other.exists() and all(path.exists() for path in lookalikes)
        assert result.paths and all(mode(path) == 0o600 for path in result.paths)
    finally:
        another_window.discard()
    assert partials_of(tmp_path, "appeal.pdf") == set()


@posix_only
def test_a_failed_or_finished_write_leaves_no_partial(tmp_path: Path) -> None:
    out = tmp_path / "letter.pdf"
    write_atomically(out, b"%PDF-1.7 whole")
    assert out.read_bytes() == b"%PDF-1.7 whole" and mode(out) == 0o600
    assert partials_of(tmp_path, "letter.pdf") == set()
    with pytest.raises(StorageError, match="could not be written"):
        write_atomically(tmp_path / "missing" / "letter.pdf", b"x")
    assert list(tmp_path.iterdir()) == [out]


@posix_only
def test_write_atomically_clears_its_own_names_stale_partials(tmp_path: Path) -> None:
    out = tmp_path / "case.json"
    stale = new_partial(out)
    os.close(stale.fd)  # as a killed process would: the lock goes, the file stays
    write_atomically(out, b"{}")
    assert not stale.path.exists() and out.read_bytes() == b"{}"


@posix_only
def test_a_partial_in_use_is_never_taken_for_stale(tmp_path: Path) -> None:
    out = tmp_path / "packet.zip"
    live = new_partial(out)
    dead = new_partial(out)
    os.close(dead.fd)
    assert remove_stale_partials(out) == [dead.path]
    assert sweep_stale_partials(tmp_path) == []
    assert live.path.exists()
    live.replace(out)
    assert out.exists() and not live.path.exists()


@posix_only
def test_sweep_skips_links_and_folders(tmp_path: Path) -> None:
    target = tmp_path / "precious.pdf"
    target.write_bytes(b"keep")
    (tmp_path / ".a.pdf.0123abcd.partial").symlink_to(target)
    (tmp_path / ".b.pdf.0123abcd.partial").mkdir()
    assert sweep_stale_partials(tmp_path) == []
    assert target.read_bytes() == b"keep"


@posix_only
def test_the_next_start_sweeps_the_folders_packets_went_to(db: Database, tmp_path: Path) -> None:
    """A packet exported once and never again: its killed export's partials still go at start."""
    data = tmp_path / "data"
    data.mkdir()
    services = as_user(db, "Test Caseworker", data, clock=pinned_clock())
    case = full_case(services, "Maria Lopez")
    exports = tmp_path / "Maria's appeal"
    exports.mkdir()
    services.packets.export(case, exports / "packet.pdf", None, services.packets.options(case))
    out = exports / "other name.pdf"
    dead = new_partial(out)
    os.close(dead.fd)  # killed: the lock is gone, the file stays
    in_data = new_partial(data / "case.json")
    os.close(in_data.fd)
    live = new_partial(out)  # another window exporting right now
    try:
        removed = sweep_remembered(data / EXPORT_FOLDERS_FILE, data)
        assert set(removed) == {dead.path, in_data.path}
        assert live.path.exists() and (exports / "packet.pdf").exists()
    finally:
        live.discard()


def test_the_noted_export_folders_survive_damage_and_stay_few(tmp_path: Path) -> None:
    record = tmp_path / EXPORT_FOLDERS_FILE
    record.write_text("not json")
    assert sweep_remembered(record) == []
    for n in range(MAX_REMEMBERED + 5):
        (tmp_path / f"f{n}").mkdir()
        remember_export_folder(record, tmp_path / f"f{n}")
    remember_export_folder(record, tmp_path / "f3")  # again: moves to the front, no duplicate
    noted = json.loads(record.read_text())
    assert len(noted) == MAX_REMEMBERED and noted[0] == str((tmp_path / "f3").resolve())
    assert len(set(noted)) == len(noted)

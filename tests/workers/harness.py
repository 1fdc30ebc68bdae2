"""Run a worker script of this folder as a subprocess and collect what it prints.

Used by tests/test_crash_safety.py, tests/test_concurrent_writers.py and
bench/crash_and_concurrency.py. The worker runs under this Python with the repo root on
PYTHONPATH (so it imports this checkout's claimdesk, and tests.workers.common), from the repo
root, with its stderr in a file and its complete stdout lines gathered by a reader thread.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
WORKERS_DIR = Path(__file__).resolve().parent


class Worker:
    """A worker subprocess whose complete stdout lines are collected as they arrive.

    script is a file name in tests/workers (or a path to a script elsewhere), args its
    command-line arguments; name (default: the script's stem) labels it in report().
    """

    def __init__(
        self,
        script: str | Path,
        args: Sequence[str],
        stderr_path: Path,
        *,
        name: str | None = None,
    ) -> None:
        script_path = WORKERS_DIR / script
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p
        )
        self.name = name if name is not None else script_path.stem
        self._stderr_path = stderr_path
        with stderr_path.open("w") as stderr:
            self.proc = subprocess.Popen(
                [sys.executable, str(script_path), *args],
                cwd=REPO_ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            # A line cut short by a kill was never fully reported: ignore it. The crash test
            # relies on this: half of "committed 7 123" must not count as a committed call.
            if line.endswith("\n"):
                self.lines.append(line.rstrip("\n"))

    def is_ready(self) -> bool:
        return "ready" in self.lines

    def wait_for_line(self, wanted: str, timeout: float) -> bool:
        """Wait until the worker printed the line wanted; False if it exited or timed out first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if wanted in self.lines:
                return True
            if self.proc.poll() is not None:
                self._reader.join(5)
                return wanted in self.lines
            time.sleep(0.005)
        return False

    def finish(self, timeout: float = 60) -> None:
        """Wait up to timeout seconds for the worker to exit, then stop() it either way."""
        try:
            self.proc.wait(timeout)
        finally:
            self.stop()

    def stop(self) -> None:
        """Kill the worker if it still runs, and collect the rest of its output."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(10)
        assert self.proc.stdout is not None
        self.proc.stdout.close()

    @property
    def stderr(self) -> str:
        return self._stderr_path.read_text(errors="replace")

    def error_line(self) -> str:
        """One line saying why the worker failed: its last 'error' line, else stderr's last."""
        errors = [line for line in self.lines if line.startswith("error ")]
        if errors:
            return errors[-1]
        tail = self.stderr.strip().splitlines()
        return tail[-1] if tail else f"exit {self.proc.returncode}"

    def report(self) -> str:
        """The exit status, last lines and stderr, for an assertion message."""
        tail = "\n".join(self.lines[-5:])
        return f"worker {self.name} exited {self.proc.returncode}:\n{tail}\n{self.stderr}"


@contextmanager
def stopped_after(workers: Sequence[Worker]) -> Iterator[None]:
    """Stop every worker when the block ends, however it ends: none is left running."""
    try:
        yield
    finally:
        for worker in workers:
            worker.stop()


def start_together(workers: Sequence[Worker], go: Path, timeout: float = 120.0) -> None:
    """Wait until every worker printed ``ready``, then create ``go`` so they all start at once.

    A worker that exits first, or a wait past ``timeout`` seconds, fails with its report."""
    deadline = time.monotonic() + timeout
    while not all(w.is_ready() for w in workers):
        for w in workers:
            assert w.proc.poll() is None, w.report()
        assert time.monotonic() < deadline, "the workers never got ready"
        time.sleep(0.01)
    go.touch()

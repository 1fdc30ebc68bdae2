"""Timing helpers the benchmarks share."""

from __future__ import annotations

import compileall
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def compiled() -> None:
    """ClaimDesk's bytecode written beforehand, as an installed copy has it (pip compiles on
    install, PyInstaller bundles it): a checkout run with PYTHONDONTWRITEBYTECODE compiles every
    module it imports, each compile holding the GIL, and no user pays that."""
    compileall.compile_dir(ROOT / "claimdesk", quiet=1)


def interleaved(
    first: Callable[[], Any], second: Callable[[], Any], runs: int
) -> tuple[float, float]:
    """Medians (ms) of two workloads timed turn about, so a busy moment slows both alike."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(runs):
        for work, samples in ((first, a), (second, b)):
            started = time.perf_counter()
            work()
            samples.append(time.perf_counter() - started)
    return statistics.median(a) * 1000, statistics.median(b) * 1000

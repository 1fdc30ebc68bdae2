"""Timing helpers the benchmarks share."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


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

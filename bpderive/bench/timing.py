"""Timing: medians of interleaved repeats."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping

import numpy as np


def _per_call(function: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        function()
    return (time.perf_counter() - start) / number


def median_times(
    functions: Mapping[str, Callable[[], object]], repeats: int = 41, budget: float = 0.002
) -> dict[str, float]:
    """Median seconds per call of each function, measured interleaved.

    Each repeat times a loop of ``number`` calls (chosen so one loop takes about ``budget``
    seconds, which keeps timer resolution out of the result) of every function in turn, so slow
    drifts of the machine hit all of them alike; the median over repeats ignores outliers. The
    turn starts one function later each repeat: what a function leaves behind (a cold cache,
    freed temporaries) then falls on each of the others equally often.
    """
    numbers = {}
    for name, function in functions.items():
        function()
        once = _per_call(function, 3)
        numbers[name] = max(1, int(budget / max(once, 1e-9)))
    samples: dict[str, list[float]] = {name: [] for name in functions}
    names = list(functions)
    for repeat in range(repeats):
        turn = repeat % len(names)
        for name in names[turn:] + names[:turn]:
            samples[name].append(_per_call(functions[name], numbers[name]))
    return {name: statistics.median(values) for name, values in samples.items()}


def relative_difference(a: Mapping[str, np.ndarray], b: Mapping[str, np.ndarray]) -> float:
    """``max over arrays of max|a − b| / max|b|``."""
    return max(float(np.max(np.abs(a[k] - b[k])) / np.max(np.abs(b[k]))) for k in b)

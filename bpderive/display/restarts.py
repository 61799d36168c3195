"""Runs from several random starts, summed up for a table: how long they took to reach their
goal (:func:`epochs_to_goal`).

A race of networks or of algorithms trains each from the same seeds
(:func:`bpderive.training.train_seeds`) and compares how many epochs they needed. One slow or
failed start should not decide the comparison, so it is the median over the starts, and only
where every start reached the goal: a median over the runs that got there would flatter a
contestant that often does not. The text that says so follows the language in use
(:mod:`bpderive.language`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from bpderive.training import TrainResult


def epochs_to_goal(
    runs: Mapping[object, TrainResult] | Iterable[TrainResult],
) -> float | tuple[str, str]:
    """The median number of epochs the ``runs`` (a list of what ``train`` returned, or a
    mapping such as :class:`~bpderive.training.Restarts`) took to reach their cost goal, if
    every one reached it; otherwise how many did, as an ``(English, Chinese)`` text for a table
    cell: ``("7 of 10 got there", "10 次中 7 次达到")``."""
    listed = list(runs.values() if isinstance(runs, Mapping) else runs)
    if not listed or not all(isinstance(run, TrainResult) for run in listed):
        raise ValueError(f"runs: expected results of bpderive.train, got {listed!r:.60}")
    reached = [run.epochs for run in listed if run.stop_reason == "goal"]
    if len(reached) == len(listed):
        return float(np.median(reached))
    return f"{len(reached)} of {len(listed)} got there", f"{len(listed)} 次中 {len(reached)} 次达到"

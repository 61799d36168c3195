"""Levenberg–Marquardt against MINPACK's ``lm`` (through SciPy, ``pip install "bpderive[bench]"``).

Both start from the same parameters, use bpderive's own compiled errors and Jacobian, and aim
at the same cost goal. What is counted is iterations: accepted steps, each of which costs one
Jacobian (bpderive's epochs; MINPACK's Jacobian evaluations after the first). MINPACK's ``lm``
has no cost goal, so its Jacobian call stops it at the first point that reaches the goal; its
tolerances are set so that nothing else stops it first.
"""

from __future__ import annotations

import importlib.util
import statistics
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from bpderive.data import mapminmax, sine
from bpderive.network import Network
from bpderive.numeric.compiled import CompiledNetwork
from bpderive.training import train
from bpderive.training.initializers import initialize
from bpderive.training.optimizers import LevenbergMarquardt

#: Starts tried on every problem (``initialize(net, "uniform", seed)``).
SEEDS = range(20)
#: At most this many iterations for either method.
LIMIT = 500


@dataclass(frozen=True)
class Problem:
    """A least-squares fit: the network, its data and the goal of the cost ``E``."""

    name: str
    net: Network
    X: np.ndarray
    T: np.ndarray
    goal: float


def problems() -> list[Problem]:
    """100 samples of ``sin x`` on [−π, π], inputs mapped to [−1, 1], half-SSE cost; 1-8-1 to
    ``E = 10⁻⁵`` with tanh and with logistic hidden units, and the race's 1-5-1 to ``2·10⁻⁴``.
    (MINPACK's ``lm`` needs at least as many errors as parameters, so XOR's 4 samples are out.)"""
    x, t = sine()
    x_norm, _ = mapminmax(x)
    return [
        Problem("sine 1-8-1 tanh", Network((1, 8, 1), ("tanh", "linear")), x_norm, t, 1e-5),
        Problem("sine 1-8-1 logistic", Network((1, 8, 1), ("logistic", "linear")), x_norm, t, 1e-5),
        Problem("sine 1-5-1 tanh", Network((1, 5, 1), ("tanh", "linear")), x_norm, t, 2e-4),
    ]


class _Reached(Exception):
    """Raised from MINPACK's Jacobian call at the first point whose cost meets the goal."""


def minpack_iterations(
    compiled: CompiledNetwork, start: np.ndarray, X: np.ndarray, T: np.ndarray, goal: float
) -> int | None:
    """MINPACK's accepted steps from ``start`` to a cost ``<= goal`` (``None``: it stopped
    elsewhere, at a local minimum, or went past :data:`LIMIT`). It minimises
    ``½Σ(out − target)²``: ``E`` up to a constant factor, which changes none of its steps."""
    from scipy.optimize import least_squares

    views = compiled.layout.views
    jacobians = 0

    def residuals(w: np.ndarray) -> np.ndarray:
        return -compiled.errors_and_jacobian(views(w), X, T, check=False)[0]

    def jacobian(w: np.ndarray) -> np.ndarray:
        nonlocal jacobians
        if compiled.cost(views(w), X, T, check=False) <= goal:
            raise _Reached
        jacobians += 1
        if jacobians > LIMIT:
            raise _Reached
        return -compiled.errors_and_jacobian(views(w), X, T, check=False)[1]

    try:
        least_squares(
            residuals, start, jac=jacobian, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15,
            max_nfev=100 * LIMIT,
        )  # fmt: skip
    except _Reached:
        return jacobians if jacobians <= LIMIT else None
    return None


def lm_table() -> list[dict[str, Any]]:
    """For every problem of :func:`problems` and start of :data:`SEEDS`: bpderive's
    :class:`~bpderive.training.optimizers.LevenbergMarquardt` (MATLAB's defaults) and MINPACK's
    iterations to the goal; the medians, the largest, how many starts bpderive needed no more
    iterations than MINPACK, and the median wall time of each run to the goal."""
    rows = []
    for problem in problems():
        compiled = problem.net.compile()
        ours, theirs, our_times, their_times = [], [], [], []
        for seed in SEEDS:
            start = initialize(problem.net, "uniform", seed)
            t0 = time.perf_counter()
            run = train(
                problem.net, problem.X, problem.T, LevenbergMarquardt(), params=start,
                goal=problem.goal, epochs=LIMIT,
            )  # fmt: skip
            t1 = time.perf_counter()
            flat = compiled.flatten(start)
            steps = minpack_iterations(compiled, flat, problem.X, problem.T, problem.goal)
            t2 = time.perf_counter()
            ours.append(run.epochs if run.stop_reason == "goal" else None)
            theirs.append(steps)
            our_times.append(t1 - t0)
            their_times.append(t2 - t1)
        rows.append(
            {
                "problem": problem.name,
                "starts": len(SEEDS),
                "ours": ours,
                "minpack": theirs,
                "no_more": sum(_le(a, b) for a, b in zip(ours, theirs, strict=True)),
                "ours_ms": statistics.median(our_times) * 1e3,
                "minpack_ms": statistics.median(their_times) * 1e3,
            }
        )
    return rows


def _le(a: int | None, b: int | None) -> bool:
    """``a <= b`` with ``None`` (never reached) above every number."""
    return b is None or (a is not None and a <= b)


def median(values: list[int | None]) -> float:
    """The median, with a start that never reached the goal counted as :data:`LIMIT` + 1."""
    return statistics.median(LIMIT + 1 if v is None else v for v in values)


def available() -> bool:
    """Whether SciPy (and with it MINPACK) is installed."""
    return importlib.util.find_spec("scipy") is not None

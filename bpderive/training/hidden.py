"""The size of the hidden layer (四.3): rules of thumb, and the experiment that decides."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bpderive.checks import as_array, int_scalar, scalar_error
from bpderive.network import Network
from bpderive.training.loop import TrainResult, train


def suggest_hidden(n_inputs: int, n_outputs: int) -> dict[str, int]:
    """Rules of thumb for the hidden-layer size ``h`` (四.3), each labelled, rounded, ``>= 1``.

    * ``sqrt(n+m)+a`` for ``a = 1..10``: the article's rule;
    * ``log2(n)``: grows slowly with the number of inputs;
    * ``sqrt(n*m)``: the geometric mean of input and output sizes.

    They are starting points, not answers (no theory fixes ``h``): too few units under-fit, too
    many cost time and over-fit. Choose by experiment, e.g. with :func:`sweep_hidden`.
    """
    n = int_scalar("n_inputs", n_inputs, 1)
    m = int_scalar("n_outputs", n_outputs, 1)

    def rounded(value: float) -> int:
        return max(1, math.floor(value + 0.5))

    rules = {f"sqrt(n+m)+{a}": rounded(math.sqrt(n + m) + a) for a in range(1, 11)}
    rules["log2(n)"] = rounded(math.log2(n))
    rules["sqrt(n*m)"] = rounded(math.sqrt(n * m))
    return rules


@dataclass(frozen=True)
class SweepRow:
    """One candidate hidden size: its best run over the seeds tried (lowest validation cost)."""

    hidden: int
    val_cost: float
    train_cost: float
    seed: int
    result: TrainResult


@dataclass(frozen=True)
class SweepResult:
    """All candidates in increasing size, and the size with the lowest validation cost."""

    rows: tuple[SweepRow, ...]
    best_hidden: int

    def table(self) -> str:
        """The sweep as a plain-text table."""
        lines = [f"{'hidden':>6}  {'val cost':>12}  {'train cost':>12}  {'seed':>4}  stop"]
        for row in self.rows:
            mark = "  <- best" if row.hidden == self.best_hidden else ""
            lines.append(
                f"{row.hidden:>6}  {row.val_cost:>12.6g}  {row.train_cost:>12.6g}  "
                f"{row.seed:>4}  {row.result.stop_reason}{mark}"
            )
        return "\n".join(lines)


def sweep_hidden(
    X: np.ndarray,
    T: np.ndarray,
    X_val: np.ndarray,
    T_val: np.ndarray,
    *,
    candidates: Iterable[int] | None = None,
    activations: str | Sequence[str] = "logistic",
    loss: str = "half_sse",
    seeds: Iterable[int] = (0,),
    **train_options: Any,
) -> SweepResult:
    """Train an ``n-h-m`` network for every candidate ``h`` and compare validation costs.

    The article leaves the final choice of the hidden size to experiment (四.3); this is that
    experiment. ``candidates`` default to the distinct values of :func:`suggest_hidden`. Each
    size is trained from every seed in ``seeds`` (several random starts guard against a local
    minimum, 五) with ``validation=(X_val, T_val)`` for early stopping; the run with the lowest
    validation cost represents the size. ``train_options`` go to :func:`train` (not ``seed`` or
    ``validation``, which the sweep sets). Keep a separate test set to report the chosen
    network's error: the validation set took part in the choice.
    """
    for reserved in ("seed", "validation"):
        if reserved in train_options:
            raise scalar_error(
                reserved, "not given (sweep_hidden sets it; use seeds=...)", reserved
            )
    X2, T2 = _samples("X", X), _samples("T", T)
    n_inputs, n_outputs = X2.shape[1], T2.shape[1]
    if candidates is None:
        sizes = sorted(set(suggest_hidden(n_inputs, n_outputs).values()))
    else:
        given = _iterable("candidates", candidates, "(2, 4, 8) (hidden sizes)")
        sizes = sorted({int_scalar("candidates", h, 1) for h in given})
        if not sizes:
            raise scalar_error("candidates", "at least one hidden size", candidates)
    seed_list = [int_scalar("seeds", s, 0) for s in _iterable("seeds", seeds, "(0, 1, 2)")]
    if not seed_list:
        raise scalar_error("seeds", "at least one seed", seeds)
    rows = []
    for hidden in sizes:
        net = Network(sizes=(n_inputs, hidden, n_outputs), activations=activations, loss=loss)
        best: SweepRow | None = None
        for s in seed_list:
            result = train(net, X2, T2, seed=s, validation=(X_val, T_val), **train_options)
            row = SweepRow(hidden, result.val_cost, result.cost, s, result)
            if best is None or row.val_cost < best.val_cost:
                best = row
        rows.append(best)
    winner = min(rows, key=lambda r: (not math.isfinite(r.val_cost), r.val_cost))
    return SweepResult(rows=tuple(rows), best_hidden=winner.hidden)


def _samples(name: str, value: object) -> np.ndarray:
    """A data matrix ``(N, n)`` for :func:`sweep_hidden`, which reads the network's sizes from
    the columns: a 1-D array could be one sample or one column, so it is refused here."""
    array = as_array(name, value)
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(
            f"{name}: expected a non-empty 2-D array (N, n), one row per sample (the network's "
            f"sizes are read from the columns), got shape {array.shape}"
        )
    return array


def _iterable(name: str, value: object, example: str) -> list[object]:
    """``value``'s items, or a ``ValueError`` when it is a single value (``seeds=3`` for
    ``seeds=(3,)``) or a string."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise scalar_error(name, f"a sequence such as {example}", value)
    return list(value)

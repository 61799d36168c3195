"""One network trained from several random starts (五: a run can end in a local minimum, so
the article's practice is to train from several starts and compare).

:func:`train_seeds` trains a network from every seed it is given, with the same options, and
returns the runs by seed (:class:`Restarts`, which reads as a mapping ``{seed: TrainResult}``,
so :func:`~bpderive.display.runs.runs_table` shows it as it is), with the network and, where
asked, the parameters the runs passed by: what a comparison of starts, or of networks from the
same starts, needs beside the runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from bpderive.checks import int_scalar, scalar_error
from bpderive.network import Network
from bpderive.training.callbacks import Kept
from bpderive.training.hidden import _iterable
from bpderive.training.loop import TrainResult, train


@dataclass(frozen=True, eq=False)
class Restarts(Mapping[int, TrainResult]):
    """The runs of one network from several seeds, by seed, in the order they were given.

    ``kept`` holds the parameters of every ``keep_every``-th epoch of every run (the start
    included), one run after the other; it is empty when :func:`train_seeds` was not asked to
    keep them."""

    net: Network
    runs: dict[int, TrainResult]
    kept: Kept

    def __getitem__(self, seed: int) -> TrainResult:
        return self.runs[seed]

    def __iter__(self) -> Iterator[int]:
        return iter(self.runs)

    def __len__(self) -> int:
        return len(self.runs)


def train_seeds(
    net: Network,
    X: np.ndarray,
    T: np.ndarray,
    seeds: Iterable[int],
    *,
    keep_every: int | None = None,
    **options: Any,
) -> Restarts:
    """``train(net, X, T, seed=s, **options)`` for every seed ``s`` of ``seeds``, as
    :class:`Restarts`.

    With ``keep_every=k`` the parameters of every ``k``-th epoch of every run are kept
    (:attr:`Restarts.kept`), to look afterwards at what the runs met on their way, such as the
    gradient at each kept point. ``options`` go to ``train``; not ``seed``, which the seeds
    set, nor ``callback``, which keeping uses (:class:`~bpderive.training.callbacks.Kept` is
    the callback to give ``train`` itself)."""
    if not isinstance(net, Network):
        raise scalar_error("net", "a bpderive.Network", type(net).__name__)
    for reserved in ("seed", "callback"):
        if reserved in options:
            raise scalar_error(reserved, "not given (train_seeds sets it)", options[reserved])
    seed_list = [int_scalar("seeds", s, 0) for s in _iterable("seeds", seeds, "range(10)")]
    if not seed_list:
        raise scalar_error("seeds", "at least one seed", seeds)
    if len(set(seed_list)) != len(seed_list):
        raise scalar_error("seeds", "different seeds (each is one run)", seeds)
    if keep_every is not None:
        keep_every = int_scalar("keep_every", keep_every, 1, "None or an int >= 1")
    kept = Kept(every=keep_every or 1)
    callback = kept if keep_every is not None else None
    runs = {s: train(net, X, T, seed=s, callback=callback, **options) for s in seed_list}
    return Restarts(net, runs, kept)

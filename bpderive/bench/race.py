"""The race of the training algorithms: epochs and wall time to the same goal."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import numpy as np

from bpderive.data import mapminmax, sine, xor
from bpderive.network import Network
from bpderive.training import TrainResult, train
from bpderive.training.initializers import initialize
from bpderive.training.optimizers import GradientDescent, LevenbergMarquardt

#: Shared by every racer: seed of the initial weights, η1 for the gradient-descent family (the
#: worked example's η1) and the epoch limit.
RACE_SEED = 1
RACE_ETA1 = 0.5
RACE_EPOCHS = 20000
#: The racers: the optimizer each trains with.
RACERS: dict[str, GradientDescent | LevenbergMarquardt] = {
    "gradient descent": GradientDescent(eta1=RACE_ETA1),
    "momentum 0.9": GradientDescent(eta1=RACE_ETA1, momentum=0.9),
    "adaptive rate": GradientDescent(eta1=RACE_ETA1, adaptive=True),
    "Levenberg-Marquardt": LevenbergMarquardt(),
}


@dataclass(frozen=True)
class Demo:
    """One race track: a network, its training data and the cost goal every racer aims at."""

    name: str
    net: Network
    X: np.ndarray
    T: np.ndarray
    goal: float


def demos() -> list[Demo]:
    """The two tracks.

    * ``sine``: 100 samples of ``sin x`` on [−π, π] (``data.sine``), inputs mapped to [−1, 1]
      (五's normalisation), a 1-5-1 network with tanh hidden and linear output units (五: linear
      outputs for function approximation); goal ``E = 2·10⁻⁴``, an RMS error of 0.02;
    * ``xor``: the four XOR points on a 2-3-1 logistic network; goal ``E = 10⁻³``.

    Both use ``half_sse``, the article's loss, which Levenberg–Marquardt needs (a sum of squares).
    """
    x, t = sine()
    x_norm, _ = mapminmax(x)
    X_xor, T_xor = xor()
    return [
        Demo("sine", Network((1, 5, 1), ("tanh", "linear")), x_norm, t, 2e-4),
        Demo("xor", Network((2, 3, 1), "logistic"), X_xor, T_xor, 1e-3),
    ]


@dataclass(frozen=True)
class RaceRow:
    """One racer on one track: its run (deterministic) and its wall time (median of repeats)."""

    demo: str
    algorithm: str
    result: TrainResult
    seconds: float

    @property
    def epochs(self) -> int:
        return self.result.epochs

    @property
    def cost(self) -> float:
        return self.result.cost

    @property
    def reached(self) -> bool:
        return self.result.stop_reason == "goal"


def race(repeats: int = 1) -> list[RaceRow]:
    """Every racer of :data:`RACERS` on every track of :func:`demos`, from the same initial
    weights, to the same goal, at most :data:`RACE_EPOCHS` epochs.

    ``seconds`` is the median over ``repeats`` runs of one :func:`bpderive.train` call. The
    network is compiled (and its error Jacobian derived) before the clock starts, so the time is
    the training itself. Epochs and costs do not depend on ``repeats``: runs are deterministic.
    """
    rows = []
    for demo in demos():
        compiled = demo.net.compile()
        compiled.jacobian(initialize(demo.net, "uniform", RACE_SEED), demo.X[:1], demo.T[:1])
        for name, optimizer in RACERS.items():
            times = []
            for _ in range(max(1, repeats)):
                start = time.perf_counter()
                result = train(
                    demo.net,
                    demo.X,
                    demo.T,
                    optimizer,
                    seed=RACE_SEED,
                    goal=demo.goal,
                    epochs=RACE_EPOCHS,
                )
                times.append(time.perf_counter() - start)
            rows.append(RaceRow(demo.name, name, result, statistics.median(times)))
    return rows


def race_table(rows: list[RaceRow], times: bool = True) -> str:
    """The race as a plain-text table; ``times=False`` leaves out the wall times (which vary
    from run to run) and keeps what is deterministic."""
    head = f"{'demo':<5} {'algorithm':<20} {'epochs':>7} {'final cost':>11} {'goal':>5}"
    if times:
        head += f" {'time ms':>9} {'ms/epoch':>9}"
    lines = [head]
    for r in rows:
        reached = "yes" if r.reached else "no"
        line = f"{r.demo:<5} {r.algorithm:<20} {r.epochs:>7} {r.cost:>11.3e} {reached:>5}"
        if times:
            line += f" {r.seconds * 1e3:>9.1f} {r.seconds * 1e3 / max(r.epochs, 1):>9.4f}"
        lines.append(line)
    return "\n".join(lines)

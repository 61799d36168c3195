"""The race of the training algorithms: epochs and wall time to the same goal."""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass

import numpy as np

from bpderive.data import mapminmax, sine, xor
from bpderive.language import pick
from bpderive.network import Network
from bpderive.symbolic import wrapping
from bpderive.training import TrainResult, train
from bpderive.training.initializers import initialize
from bpderive.training.optimizers import GradientDescent, LevenbergMarquardt

#: Shared by every racer: the seed of the initial weights and the epoch limit.
RACE_SEED = 1
RACE_EPOCHS = 20000


#: The racers' names, ``(English, Chinese)``.
NAMES = {
    "gd": ("gradient descent", "梯度下降"),
    "momentum": ("momentum 0.9", "动量 0.9"),
    "adaptive": ("adaptive rate", "自适应学习率"),
    "lm": ("Levenberg-Marquardt", "Levenberg-Marquardt"),
}


def racers(eta1: float) -> dict[str, GradientDescent | LevenbergMarquardt]:
    """The racers, by name in the language in use (:data:`NAMES`: the name is what tables,
    legends and :attr:`RaceRow.algorithm` show), with the optimizer each trains with; the
    gradient-descent family starts from the track's rate ``eta1`` (:attr:`Demo.eta1`)."""
    return {
        pick(NAMES["gd"]): GradientDescent(eta1=eta1),
        pick(NAMES["momentum"]): GradientDescent(eta1=eta1, momentum=0.9),
        pick(NAMES["adaptive"]): GradientDescent(eta1=eta1, adaptive=True),
        pick(NAMES["lm"]): LevenbergMarquardt(),
    }


@dataclass(frozen=True)
class Demo:
    """One race track: a network, its training data, the cost goal every racer aims at and
    the rate η1 the gradient-descent family starts from.

    ``eta1`` is the largest of 0.5 (the worked example's), 0.25, 0.125 … at which plain
    gradient descent does not oscillate on the track. An oscillating descent magnifies every
    rounding difference: at 0.5 on the sine its epoch count would change by hundreds with the
    last bit of the arithmetic, that is from one CPU or BLAS library to another."""

    name: str
    net: Network
    X: np.ndarray
    T: np.ndarray
    goal: float
    eta1: float


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
        Demo("sine", Network((1, 5, 1), ("tanh", "linear")), x_norm, t, 2e-4, 0.25),
        Demo("xor", Network((2, 3, 1), "logistic"), X_xor, T_xor, 1e-3, 0.5),
    ]


@dataclass(frozen=True)
class RaceRow:
    """One racer on one track: its run (deterministic on one machine), its wall time (median of
    repeats), and the epochs of the runs from nudged starts (:func:`nudged`), if any."""

    demo: str
    algorithm: str
    optimizer: GradientDescent | LevenbergMarquardt
    result: TrainResult
    seconds: float
    divergence: float = 0.0

    @property
    def reproducible(self) -> bool:
        """Whether the runs from nudged starts ended where this one did (to
        :data:`REPRODUCIBLE`, after the same epochs): a run that settles into its minimum
        forgets a last-bit difference, a chaotic one magnifies it until its path is another,
        and then its numbers differ from machine to machine too (other CPUs and BLAS libraries
        round differently). ``True`` when nothing was nudged."""
        return self.divergence <= REPRODUCIBLE

    @property
    def epochs(self) -> int:
        return self.result.epochs

    @property
    def cost(self) -> float:
        return self.result.cost

    @property
    def reached(self) -> bool:
        return self.result.stop_reason == "goal"

    @property
    def stable_epochs(self) -> int | str:
        """The epochs as every machine computes them: the count of a reproducible run, the
        decade of a chaotic one (``"1,000–10,000 (chaotic)"``, in the language in use): its
        exact count differs from machine to machine, its decade hardly ever does."""
        if self.reproducible:
            return self.epochs
        decade = 10 ** (len(str(self.epochs)) - 1)
        return f"{decade:,}–{10 * decade:,}{pick(CHAOTIC)}"

    def summary(self) -> list[object]:
        """The row of :data:`SUMMARY`: what every machine computes alike. A chaotic run's
        epochs are given as their decade (:attr:`stable_epochs`) and its final cost not at
        all."""
        cost: object = float(f"{self.cost:.4g}") if self.reproducible else "–"
        return [self.demo, self.algorithm, self.stable_epochs, cost, self.result.stop_reason]


#: The largest relative difference of final parameters (:attr:`RaceRow.divergence`) that still
#: counts as the same run. A run that forgets a nudge ends within about 10⁻¹³ of the original;
#: a chaotic one ends 10⁻⁵ to 10⁻² away, or after other epochs.
REPRODUCIBLE = 1e-8

#: The columns of :meth:`RaceRow.summary`, ``(English, Chinese)``: :func:`bpderive.display.table`
#: writes them in the language in use.
SUMMARY = [
    ("demo", "赛道"),
    ("algorithm", "算法"),
    ("epochs to the goal", "达到目标的训练周期数"),
    ("final cost", "最终代价"),
    ("stop", "停止原因"),
]
#: How :attr:`RaceRow.stable_epochs` marks a chaotic run.
CHAOTIC = (" (chaotic)", "（混沌）")


def nudged(params: dict[str, np.ndarray], seed: int) -> dict[str, np.ndarray]:
    """A copy of ``params`` with every parameter moved by one unit in its last place, up or
    down (a pattern drawn from ``seed``): the smallest change a float64 can make, the size of
    the differences another CPU or BLAS library makes to a result. Every parameter moves, so
    that no change is lost to rounding (a weight of a zero input, say)."""
    rng = np.random.default_rng(seed)
    return {
        key: np.nextafter(value, rng.choice([-np.inf, np.inf], size=value.shape))
        for key, value in params.items()
    }


def _divergence(a: TrainResult, b: TrainResult) -> float:
    """The largest difference between the two runs' final parameters, relative to the largest
    parameter; ``inf`` where they needed different numbers of epochs."""
    if a.epochs != b.epochs:
        return math.inf
    scale = max(float(np.max(np.abs(value))) for value in a.params.values())
    return max(float(np.max(np.abs(a.params[k] - b.params[k]))) for k in a.params) / scale


def race(repeats: int = 1, nudges: int = 0) -> list[RaceRow]:
    """Every racer of :func:`racers` on every track of :func:`demos`, from the same initial
    weights, to the same goal, at most :data:`RACE_EPOCHS` epochs.

    ``seconds`` is the median over ``repeats`` runs of one :func:`bpderive.train` call. The
    network is compiled (and its error Jacobian derived) before the clock starts, so the time is
    the training itself. Epochs and costs do not depend on ``repeats``: runs are deterministic.
    ``nudges`` more runs per racer start from :func:`nudged` copies of the initial weights
    (seeds 0, 1, …); how far they end from the run itself (:attr:`RaceRow.divergence`) tells a
    reproducible run from a chaotic one (:attr:`RaceRow.reproducible`).
    """
    rows = []
    for demo in demos():
        compiled = demo.net.compile()
        start = initialize(demo.net, "uniform", RACE_SEED)
        compiled.jacobian(start, demo.X[:1], demo.T[:1])
        for name, optimizer in racers(demo.eta1).items():
            times = []
            for _ in range(max(1, repeats)):
                clock = time.perf_counter()
                result = _run(demo, optimizer, start)
                times.append(time.perf_counter() - clock)
            nudged_runs = [_run(demo, optimizer, nudged(start, k)) for k in range(nudges)]
            divergence = max((_divergence(result, run) for run in nudged_runs), default=0.0)
            median = statistics.median(times)
            rows.append(RaceRow(demo.name, name, optimizer, result, median, divergence))
    return rows


def _run(
    demo: Demo, optimizer: GradientDescent | LevenbergMarquardt, start: dict[str, np.ndarray]
) -> TrainResult:
    """One racer's run on one track, from ``start``."""
    return train(
        demo.net,
        demo.X,
        demo.T,
        optimizer,
        params=start,
        seed=RACE_SEED,
        goal=demo.goal,
        epochs=RACE_EPOCHS,
    )


#: The columns of :func:`race_table`: the header, ``(English, Chinese)``, and the columns it
#: takes at least (a negative number: aligned left); the last two are the wall times.
RACE_TABLE = [
    (("demo", "赛道"), -5),
    (("algorithm", "算法"), -20),
    (("epochs", "训练周期"), 7),
    (("final cost", "最终代价"), 11),
    (("goal", "达到目标"), 5),
    (("time ms", "时间 ms"), 9),
    (("ms/epoch", "ms/训练周期"), 9),
]
#: Whether a run reached the goal, in :func:`race_table`.
REACHED = {True: ("yes", "是"), False: ("no", "否")}


def race_table(rows: list[RaceRow], times: bool = True) -> str:
    """The race as a plain-text table in the language in use; ``times=False`` leaves out the
    wall times (which vary from run to run) and keeps what is deterministic. A column is as
    wide as its header, which in Chinese may be wider than the English one."""
    columns = RACE_TABLE if times else RACE_TABLE[:-2]
    head = [pick(name) for name, _ in columns]
    widths = [max(abs(least), wrapping.columns(pick(name))) for name, least in columns]
    lines = [head]
    for r in rows:
        line = [r.demo, r.algorithm, str(r.epochs), f"{r.cost:.3e}", pick(REACHED[r.reached])]
        line += [f"{r.seconds * 1e3:.1f}", f"{r.seconds * 1e3 / max(r.epochs, 1):.4f}"]
        lines.append(line[: len(columns)])
    return "\n".join(
        " ".join(
            wrapping.pad(cell, width, right=least > 0)
            for cell, width, (_, least) in zip(line, widths, columns, strict=True)
        )
        for line in lines
    )

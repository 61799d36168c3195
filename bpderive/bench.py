"""Benchmark: the compiled derived gradients against hand-written vectorised NumPy backprop.

Run ``python -m bpderive.bench``. For the networks 2-3-2, 4-8-3, 8-16-4 and 16-32-8 (logistic
units, ``E_total = ½Σ(target − out)²``, 1000 samples) it prints:

* the time to build the network (the symbolic derivation) and ``compile()`` it, once, cold;
* the median time of ``compile().gradients`` (argument checks included) against
  :func:`numpy_gradients`, the textbook backprop written by hand below, and their ratio;
* the median time of the unchecked ``cost_and_gradients(..., check=False)`` that
  :func:`bpderive.train` calls in its loop against :func:`numpy_cost_and_gradients` (the same
  backprop plus the cost), and their ratio. The baselines are measured in the same run, so the
  ratios compare like with like on whatever machine runs it;
* the largest relative difference between the two gradients, per parameter array
  ``max|g_compiled − g_numpy| / max|g_numpy|``, the largest over the arrays.

Then the time to derive every parameter's chain (``net.gradient(name)`` for every name) of the
2-3-2 and 16-32-8 networks.

Then the race of the training algorithms (:func:`race`): gradient descent, with momentum, with
an adaptive rate, and Levenberg–Marquardt, each aiming at the same cost goal on the sine and XOR
demos; epochs and wall time to the goal per algorithm.

Last, the answer checker (:func:`check_table`): the time of ``exercises.check`` on right,
wrong and hostile answers up to the length limit, and the slowest of them (the checker's own
limit is :data:`bpderive.exercises.check.LIMIT_SECONDS`).

Times are medians of many repeats of :func:`time.perf_counter` intervals; the benchmark asserts
nothing about speed, it reports.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from bpderive.data import mapminmax, sine, xor
from bpderive.exercises import check
from bpderive.network import Network
from bpderive.training import TrainResult, train
from bpderive.training.initializers import initialize
from bpderive.training.optimizers import GradientDescent, LevenbergMarquardt

SIZES = ((2, 3, 2), (4, 8, 3), (8, 16, 4), (16, 32, 8))
CHAIN_SIZES = ((2, 3, 2), (16, 32, 8))
N_SAMPLES = 1000


def numpy_cost_and_gradients(
    params: Mapping[str, np.ndarray], X: np.ndarray, T: np.ndarray, cost: bool = True
) -> tuple[float, dict[str, np.ndarray]]:
    """Hand-written backprop of the mean half-SSE cost for logistic layers, vectorised.

    Forward ``out_l = 1/(1 + e^(−(out_{l−1}·W_lᵀ + b_l)))``; cost
    ``E = 1/N Σ_n ½Σ_k (out_k − t_k)²`` (NaN when ``cost=False``, to time the gradient alone);
    output ``δ_L = (out_L − T)·out_L·(1 − out_L)``; back
    ``δ_{l−1} = (δ_l·W_l)·out_{l−1}(1 − out_{l−1})``; gradients ``∂E/∂W_l = δ_lᵀ·out_{l−1}/N``
    and ``∂E/∂b_l = Σ_n δ_l/N``.
    """
    n_layers = len(params) // 2
    outs = [X]
    for layer in range(1, n_layers + 1):
        net = outs[-1] @ params[f"W{layer}"].T + params[f"b{layer}"]
        outs.append(1.0 / (1.0 + np.exp(-net)))
    n = X.shape[0]
    out = outs[-1]
    error = out - T
    value = 0.5 * float(np.sum(error * error)) / n if cost else float("nan")
    delta = error * out * (1.0 - out)
    grads: dict[str, np.ndarray] = {}
    for layer in range(n_layers, 0, -1):
        below = outs[layer - 1]
        grads[f"W{layer}"] = delta.T @ below / n
        grads[f"b{layer}"] = delta.sum(axis=0) / n
        if layer > 1:
            delta = (delta @ params[f"W{layer}"]) * below * (1.0 - below)
    return value, grads


def numpy_gradients(
    params: Mapping[str, np.ndarray], X: np.ndarray, T: np.ndarray
) -> dict[str, np.ndarray]:
    """The gradients of :func:`numpy_cost_and_gradients` without the cost."""
    return numpy_cost_and_gradients(params, X, T, cost=False)[1]


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
    drifts of the machine hit all of them alike; the median over repeats ignores outliers.
    """
    numbers = {}
    for name, function in functions.items():
        function()
        once = _per_call(function, 3)
        numbers[name] = max(1, int(budget / max(once, 1e-9)))
    samples: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            samples[name].append(_per_call(function, numbers[name]))
    return {name: statistics.median(values) for name, values in samples.items()}


def relative_difference(a: Mapping[str, np.ndarray], b: Mapping[str, np.ndarray]) -> float:
    """``max over arrays of max|a − b| / max|b|``."""
    return max(float(np.max(np.abs(a[k] - b[k])) / np.max(np.abs(b[k]))) for k in b)


def _label(sizes: tuple[int, ...]) -> str:
    return "-".join(map(str, sizes))


def gradient_table(seed: int = 0) -> list[dict[str, float | str]]:
    """One row per network of :data:`SIZES`: times, ratios and gradient difference."""
    rng = np.random.default_rng(seed)
    rows = []
    for sizes in SIZES:
        start = time.perf_counter()
        net = Network(sizes, activations="logistic", loss="half_sse")
        compiled = net.compile()
        build = time.perf_counter() - start
        params = initialize(net, "uniform", seed)
        X = rng.uniform(-1.0, 1.0, size=(N_SAMPLES, sizes[0]))
        T = rng.uniform(0.0, 1.0, size=(N_SAMPLES, sizes[-1]))
        times = median_times(
            {
                "compiled": lambda c=compiled, p=params, X=X, T=T: c.gradients(p, X, T),
                "unchecked": lambda c=compiled, p=params, X=X, T=T: c.cost_and_gradients(
                    p, X, T, check=False
                ),
                "numpy": lambda p=params, X=X, T=T: numpy_gradients(p, X, T),
                "numpy_cost": lambda p=params, X=X, T=T: numpy_cost_and_gradients(p, X, T),
            }
        )
        rows.append(
            {
                "network": _label(sizes),
                "build": build,
                "compiled": times["compiled"],
                "unchecked": times["unchecked"],
                "numpy": times["numpy"],
                "numpy_cost": times["numpy_cost"],
                "ratio": times["compiled"] / times["numpy"],
                "ratio_unchecked": times["unchecked"] / times["numpy_cost"],
                "difference": relative_difference(
                    compiled.gradients(params, X, T), numpy_gradients(params, X, T)
                ),
            }
        )
    return rows


def chain_table() -> list[dict[str, float | str]]:
    """Time to derive every parameter's chain, on a freshly built network (nothing cached)."""
    rows = []
    for sizes in CHAIN_SIZES:
        net = Network(sizes, activations="logistic", loss="half_sse")
        names = net.parameter_names
        each = []
        start = time.perf_counter()
        for name in names:
            t0 = time.perf_counter()
            net.gradient(name)
            each.append(time.perf_counter() - t0)
        total = time.perf_counter() - start
        rows.append(
            {
                "network": _label(sizes),
                "chains": len(names),
                "total": total,
                "median": statistics.median(each),
                "max": max(each),
            }
        )
    return rows


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


#: Answers for :func:`check_table`: typical ones, and the heaviest the limits let through.
CHECK_CASES: list[tuple[str, str]] = [
    ("w5", "(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1"),
    ("w5", "(out_o1 - target_o1)*out_o1*out_h1"),
    ("w1", "delta_o1*w5*out_h1*(1-out_h1)*x1"),
    ("w1", "(δ_o1·w5 + δ_o2·w6)·out_h1(1 − out_h1)·x1"),
    ("δ_h1", r"\left(\delta_{o1} w_{(1,1)} + \delta_{o2} w_{(1,2)}\right) out_{h1} (1 - out_{h1})"),
    ("w1", "(" + " + ".join(["x1", "x2", "w1", "w5", "w6", "w7", "b1", "b2", "b3", "b4"]) + ")^64"),
    ("w1", "exp(" * 38 + "x1" + ")" * 38),
    ("w1", " + ".join(f"out_h{1 + k % 3}*x{1 + k % 2}*w{5 + k % 3}" for k in range(27))),
    ("w1", "*".join(["(1 + e^(-net_h1))^-64"] * 20)),
]


def check_table(repeats: int = 3) -> list[dict[str, Any]]:
    """``exercises.check`` on :data:`CHECK_CASES` for the article's network: the median time of
    each (after a first call that fills the network's sample points) and the verdict."""
    net = Network()
    check(net, "w5", "x1")
    rows = []
    for target, answer in CHECK_CASES:
        times, verdict = [], None
        for _ in range(repeats):
            start = time.perf_counter()
            verdict = check(net, target, answer)
            times.append(time.perf_counter() - start)
        rows.append(
            {"target": target, "answer": answer, "mistake": verdict.mistake or "right",
             "seconds": statistics.median(times)}
        )  # fmt: skip
    return rows


def main() -> None:
    """Print the tables."""
    print(f"Gradients of the mean half-SSE cost, logistic units, {N_SAMPLES} samples")
    print("  build: Network(...) + compile(), cold. Times: medians per call.")
    print("  gradients: compile().gradients (checks its arguments) vs numpy: hand-written backprop")
    print("  c&g: cost_and_gradients(check=False), the training loop's call, vs numpy c&g")
    print("  diff: max relative difference of the two gradients")
    print(
        f"{'network':>9} {'build s':>8} {'gradients':>10} {'numpy':>10} {'ratio':>6} "
        f"{'c&g':>10} {'numpy c&g':>10} {'ratio':>6} {'diff':>9}"
    )
    for r in gradient_table():
        print(
            f"{r['network']:>9} {r['build']:>8.3f} {r['compiled'] * 1e6:>8.1f}us "
            f"{r['numpy'] * 1e6:>8.1f}us {r['ratio']:>6.2f} {r['unchecked'] * 1e6:>8.1f}us "
            f"{r['numpy_cost'] * 1e6:>8.1f}us {r['ratio_unchecked']:>6.2f} "
            f"{r['difference']:>9.1e}"
        )
    print()
    print("Deriving every chain: net.gradient(name) for each parameter, fresh network")
    print(f"{'network':>9} {'chains':>7} {'total s':>8} {'median ms':>10} {'max ms':>8}")
    for r in chain_table():
        print(
            f"{r['network']:>9} {r['chains']:>7} {r['total']:>8.3f} {r['median'] * 1e3:>10.3f} "
            f"{r['max'] * 1e3:>8.3f}"
        )
    print()
    print(
        f"Race to the goal: seed {RACE_SEED}, η1 = {RACE_ETA1} for the gradient-descent family, "
        f"at most {RACE_EPOCHS} epochs; time: median of 5 runs"
    )
    print(race_table(race(repeats=5)))
    print()
    print("The answer checker: exercises.check on the 2-3-2 network, median of 3")
    rows = check_table()
    for r in rows:
        shown = r["answer"] if len(r["answer"]) <= 48 else r["answer"][:45] + "..."
        print(f"  {r['seconds'] * 1e3:>8.1f} ms  {r['mistake']:<15} {r['target']:<5} {shown}")
    print(f"  slowest: {max(r['seconds'] for r in rows) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()

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
2-3-2 and 16-32-8 networks. Times are medians of many repeats of :func:`time.perf_counter`
intervals; the benchmark asserts nothing about speed, it reports.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping

import numpy as np

from bpderive.initializers import initialize
from bpderive.network import Network

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


def main() -> None:
    """Print both tables."""
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


if __name__ == "__main__":
    main()

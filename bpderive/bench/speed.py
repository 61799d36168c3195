"""The tables: gradients against the hand-written baselines and the peers, whole training runs,
derivation, compile time against width, and the answer checker."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from functools import partial
from typing import Any

import numpy as np

from bpderive.bench import peers
from bpderive.bench.baselines import TightNumpy, numpy_gradients, tight_train
from bpderive.bench.timing import median_times, relative_difference
from bpderive.exercises import check
from bpderive.network import Network
from bpderive.training import train
from bpderive.training.initializers import initialize

#: The networks and batch sizes of the gradient table.
SIZES = ((2, 3, 2), (16, 32, 8), (64, 128, 10))
BATCHES = (32, 1000, 10000)
#: Networks whose derivation is timed chain by chain, and widths whose compile time is.
CHAIN_SIZES = ((2, 3, 2), (16, 32, 8))
#: Networks timed from a fresh process: the small logistic ones, the digits network, and the
#: sizes a learner meets next (MNIST's 784 inputs, a wide hidden layer), each with its
#: activations and loss.
COMPILE_NETWORKS: tuple[tuple[tuple[int, ...], tuple[str, ...] | str, str], ...] = (
    ((2, 3, 2), "logistic", "half_sse"),
    ((16, 32, 8), "logistic", "half_sse"),
    ((64, 128, 10), "logistic", "half_sse"),
    ((64, 30, 10), ("logistic", "softmax"), "cross_entropy"),
    ((784, 256, 10), ("logistic", "softmax"), "cross_entropy"),
    ((784, 512, 256, 10), ("tanh", "tanh", "softmax"), "cross_entropy"),
    ((2, 10000, 2), "logistic", "half_sse"),
)


def _label(sizes: tuple[int, ...]) -> str:
    return "-".join(map(str, sizes))


def _problem(sizes: tuple[int, ...], n: int, seed: int = 0) -> tuple[Network, dict, Any, Any]:
    net = Network(sizes, activations="logistic", loss="half_sse")
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, sizes[0]))
    T = rng.uniform(0.0, 1.0, size=(n, sizes[-1]))
    return net, initialize(net, "uniform", seed), X, T


def gradient_table(repeats: int = 41) -> list[dict[str, Any]]:
    """``compile().gradients`` (the checked call a user makes, with :func:`bpderive.initialize`'s
    parameters) against :class:`TightNumpy` and the straightforward
    :func:`numpy_gradients`, for every network of :data:`SIZES` and batch of :data:`BATCHES`
    (medians of ``repeats`` interleaved repeats)."""
    rows = []
    for sizes in SIZES:
        for n in BATCHES:
            net, params, X, T = _problem(sizes, n)
            compiled, tight = net.compile(), TightNumpy(sizes)
            times = median_times(
                {
                    "bpderive": partial(compiled.gradients, params, X, T),
                    "tight": partial(tight.gradients, params, X, T),
                    "plain": partial(numpy_gradients, params, X, T),
                },
                repeats=repeats,
            )
            rows.append(
                {
                    "network": _label(sizes),
                    "N": n,
                    **times,
                    "ratio": times["bpderive"] / times["tight"],
                    "plain_ratio": times["plain"] / times["tight"],
                    "difference": relative_difference(
                        compiled.gradients(params, X, T), tight.gradients(params, X, T)
                    ),
                }
            )
    return rows


#: Whole training runs: network, samples, epochs, samples per step (``None``: all, one step an
#: epoch).
TRAINING = (
    ((1, 8, 1), 1000, 500, None),
    ((2, 3, 1), 4, 2000, None),
    ((1, 8, 1), 200, 50, 1),
    ((1, 8, 1), 1000, 20, 32),
)


def training_table(repeats: int = 9) -> list[dict[str, Any]]:
    """:func:`bpderive.train` (gradient descent, η1 = η2 = 0.5, every stop rule but the epoch
    limit out of reach) against :func:`tight_train` from the same start, in the same order of
    samples: wall time (median of ``repeats``), time per step, and the largest difference of
    the final parameters."""
    rows = []
    for sizes, n, epochs, batch in TRAINING:
        net, params, X, T = _problem(sizes, n)
        net.compile()
        mode = {None: "batch", 1: "online"}.get(batch, "minibatch")
        options = {"mode": mode} | ({"batch_size": batch} if mode == "minibatch" else {})
        ours = partial(
            train, net, X, T, params=params, eta1=0.5, epochs=epochs, min_grad=0.0, seed=0,
            **options,
        )  # fmt: skip
        theirs = partial(tight_train, sizes, params, X, T, 0.5, epochs, batch, 0)

        times = median_times({"train": ours, "tight": theirs}, repeats=repeats, budget=0.05)
        mine, (by_hand, _) = ours().params, theirs()
        steps = epochs * (1 if batch is None else -(-n // batch))
        rows.append(
            {
                "network": _label(sizes),
                "N": n,
                "mode": mode if batch is None or batch == 1 else f"{mode} {batch}",
                "epochs": epochs,
                **times,
                "step": times["train"] / steps,
                "ratio": times["train"] / times["tight"],
                "difference": max(float(np.max(np.abs(mine[k] - by_hand[k]))) for k in mine),
            }
        )
    return rows


_FRESH = """
import time
start = time.perf_counter()
import numpy as np
import bpderive
times = [time.perf_counter()]
net = bpderive.Network({sizes}, activations={activations!r}, loss={loss!r})
times.append(time.perf_counter())
compiled = net.compile()
times.append(time.perf_counter())
rng = np.random.default_rng(0)
X = rng.uniform(-1, 1, (32, {sizes}[0]))
T = np.eye({sizes}[-1])[rng.integers(0, {sizes}[-1], 32)]
compiled.gradients(bpderive.initialize(net, "uniform", 0), X, T)
times.append(time.perf_counter())
print(*(t - start for t in times))
"""


def compile_table(repeats: int = 3) -> list[dict[str, Any]]:
    """In a fresh Python process for each network of :data:`COMPILE_NETWORKS`: the time to
    ``import bpderive``, then also build ``Network``, ``compile()`` it and take one gradient of
    32 samples, each counted from the start (median of ``repeats`` processes): what a learner
    waits for before the first number (a warm process's caches would hide it)."""
    rows = []
    for sizes, activations, loss in COMPILE_NETWORKS:
        script = _FRESH.format(sizes=sizes, activations=activations, loss=loss)
        runs = []
        for _ in range(repeats):
            done = subprocess.run(
                [sys.executable, "-c", script],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            )
            runs.append(tuple(map(float, done.stdout.split())))
        stages = ("import", "built", "compiled", "gradient")
        rows.append(
            {
                "network": _label(sizes),
                "loss": loss,
                **{stage: statistics.median(r[k] for r in runs) for k, stage in enumerate(stages)},
            }
        )
    return rows


def peer_table(batches: tuple[int, ...] = (32, 1000), repeats: int = 15) -> list[dict[str, Any]]:
    """Each installed peer's gradient time over :class:`TightNumpy`'s (medians of ``repeats``),
    on every network of :data:`SIZES` for ``batches``, with its largest relative difference
    from bpderive."""
    rows = []
    ready = [name for name, ok in peers.available().items() if ok]
    for sizes in SIZES:
        for n in batches:
            net, params, X, T = _problem(sizes, n)
            tight = TightNumpy(sizes)
            expected = net.compile().gradients(params, X, T)
            calls = {"tight": partial(tight.gradients, params, X, T)}
            comparable = {}
            for name in ready:
                calls[name], comparable[name] = peers.setup(name, params, X, T)
            times = median_times(calls, repeats=repeats)
            for name in ready:
                difference = (
                    relative_difference(calls[name](), expected) if comparable[name] else None
                )
                rows.append(
                    {
                        "network": _label(sizes),
                        "N": n,
                        "peer": name,
                        "ratio": times[name] / times["tight"],
                        "difference": difference,
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


#: Answers for :func:`check_table`: typical ones, and the heaviest the limits let through.
CHECK_CASES: list[tuple[str, str]] = [
    ("w5", "(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1"),
    ("w5", "(out_o1 - target_o1)*out_o1*out_h1"),
    ("w1", "delta_o1*w5*out_h1*(1-out_h1)*x1"),
    ("w1", "(δ_o1·w5 + δ_o2·w6)·out_h1(1 − out_h1)·x1"),
    ("δ_h1", r"\left(\delta_{o1} w_{(1,1)} + \delta_{o2} w_{(1,2)}\right) out_{h1} (1 - out_{h1})"),
    ("w1", "(δ_o1·w5 - δ_o2·w_(1,2))·out_h1(1 − out_h1)·x1"),
    ("w5", r"$\delta_{o1} out_{h1}$。"),
    ("w5", "(out_o1 - target_o1)*f'(net_o1)*out_h1"),
    ("w5", "∂E/∂w6 = δ_o1*out_h1"),
    ("w5", "w5 - η1*δ_o1*out_h1"),
    ("w5", "0.073867"),
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

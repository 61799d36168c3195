"""``compile(backend="jax")`` against the NumPy loops: the race's gradient descent to its goal,
and a sweep of hidden sizes, full batch, from the same start (``pip install "bpderive[jax]"``).

JAX's loop is compiled before the clock starts (as the NumPy network is), so what is timed is
the training itself: one jitted ``lax.while_loop`` over the epochs against :func:`bpderive.train`
and the tight hand loop, both of which return to Python every epoch.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from bpderive.bench.baselines import tight_train
from bpderive.bench.race import RACE_EPOCHS, RACE_SEED, demos
from bpderive.bench.timing import median_times
from bpderive.network import Network
from bpderive.training import train
from bpderive.training.initializers import initialize

#: Hidden sizes of the sweep (1-h-1 logistic, 1000 samples, 200 epochs, η = 0.5).
WIDTHS = (2, 8, 32, 128)


def _difference(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> float:
    return max(float(np.max(np.abs(a[k] - b[k])) / np.max(np.abs(b[k]))) for k in b)


def race_rows(repeats: int = 5) -> list[dict[str, Any]]:
    """Plain gradient descent (the track's η1) on each race track to its goal: epochs and time
    (median of ``repeats``) of the JAX loop and of :func:`bpderive.train`, and the largest
    relative difference of the parameters they end at."""
    rows = []
    for demo in demos():
        jax_net = demo.net.compile(backend="jax")
        start = initialize(demo.net, "uniform", RACE_SEED)
        options = {"eta1": demo.eta1, "epochs": RACE_EPOCHS, "goal": demo.goal}
        ours = partial(jax_net.descend, start, demo.X, demo.T, **options)
        numpy = partial(train, demo.net, demo.X, demo.T, params=start, min_grad=0.0, **options)
        ours()
        times = median_times({"jax": ours, "numpy": numpy}, repeats=repeats, budget=0.05)
        run, reference = ours(), numpy()
        rows.append(
            {
                "what": f"race {demo.name}",
                "epochs": f"{run.epochs}/{reference.epochs}",
                "jax": times["jax"],
                "numpy": times["numpy"],
                "tight": None,
                "difference": _difference(run.params, reference.params),
            }
        )
    return rows


def sweep_rows(n: int = 1000, epochs: int = 200, repeats: int = 5) -> list[dict[str, Any]]:
    """1-h-1 logistic networks for every ``h`` of :data:`WIDTHS` on ``n`` samples: ``epochs``
    full-batch epochs in the JAX loop, :func:`bpderive.train` and :func:`tight_train` (medians
    of ``repeats``)."""
    rows = []
    rng = np.random.default_rng(0)
    X = rng.uniform(-1.0, 1.0, size=(n, 1))
    T = 0.5 + 0.4 * np.sin(np.pi * X)
    for h in WIDTHS:
        net = Network((1, h, 1))
        jax_net = net.compile(backend="jax")
        start = initialize(net, "uniform", 0)
        ours = partial(jax_net.descend, start, X, T, eta1=0.5, epochs=epochs)
        numpy = partial(train, net, X, T, params=start, eta1=0.5, epochs=epochs, min_grad=0.0)
        tight = partial(tight_train, (1, h, 1), start, X, T, 0.5, epochs)
        ours()
        calls = {"jax": ours, "numpy": numpy, "tight": tight}
        times = median_times(calls, repeats=repeats, budget=0.05)
        rows.append(
            {
                "what": f"sweep 1-{h}-1",
                "epochs": str(epochs),
                **times,
                "difference": _difference(ours().params, numpy().params),
            }
        )
    return rows

"""The same inputs give the same bits: in a fresh process, in another one, and after unrelated
work in between (other networks compiled, other batch sizes, other arrays allocated).

Workspaces are kept per batch size, arrays land at whatever addresses the allocator gives, BLAS
may split large products between threads: none of that may change a result. The runs compared
include chaotic ones (plain gradient descent oscillating at η1 = 0.5, the adaptive rate), which
magnify any last-bit difference into another epoch count or other weights, so equal fingerprints
mean equal bits all along, not just at the end. Compared with ``==`` on the raw float64 bytes.

Run as a program (``python tests/test_determinism.py``), this file prints the fingerprint, does
unrelated work, and prints it again.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest


def networks() -> dict[str, object]:
    """The networks :func:`fingerprint` uses, built once, so that :func:`unrelated_work` can
    leave its traces in them (workspaces for other batch sizes)."""
    from bpderive import Network

    return {
        "article": Network(),
        "softmax": Network((16, 32, 8), ("tanh", "softmax"), "cross_entropy"),
        "sine": Network((1, 5, 1), ("tanh", "linear")),
        "xor": Network((2, 3, 1), "logistic"),
    }


def fingerprint(nets: dict) -> str:
    """A hash of the bytes of gradients, Jacobians and trained parameters of several networks,
    batch sizes and training modes, with the epoch counts."""
    from bpderive import GradientDescent, LevenbergMarquardt, example, initialize, train
    from bpderive.data import sine, xor

    digest = hashlib.sha256()

    def add(*values: object) -> None:
        for value in values:
            if isinstance(value, dict):
                add(*(value[key] for key in sorted(value)))
            elif isinstance(value, np.ndarray):
                digest.update(np.ascontiguousarray(value, dtype=np.float64).tobytes())
            else:
                digest.update(repr(value).encode())

    ex = example(nets["article"])
    rng = np.random.default_rng(0)
    article = ex.net.compile()
    for n in (1, 7, 64):
        X, T = rng.uniform(-1, 1, (n, 2)), rng.uniform(0.05, 0.95, (n, 2))
        add(*article.cost_and_gradients(ex.params, X, T))
    softmax = nets["softmax"]
    X, T = rng.normal(size=(100, 16)), np.eye(8)[rng.integers(0, 8, 100)]
    add(*softmax.compile().cost_and_gradients(initialize(softmax, "xavier", 0), X, T))
    X_sine, T_sine = sine(n=60, seed=0)
    sine_net = nets["sine"]
    add(sine_net.compile().jacobian(initialize(sine_net, "uniform", 1), X_sine, T_sine))
    X_xor, T_xor = xor()
    xor_net = nets["xor"]
    runs = [
        train(sine_net, X_sine, T_sine, GradientDescent(eta1=0.5), epochs=1500, seed=1),
        train(xor_net, X_xor, T_xor, GradientDescent(adaptive=True), epochs=300, seed=1),
        train(sine_net, X_sine, T_sine, GradientDescent(eta1=0.1, mode="online"), epochs=20),
        train(
            sine_net,
            X_sine,
            T_sine,
            GradientDescent(eta1=0.1, momentum=0.9, mode="minibatch", batch_size=16),
            epochs=30,
        ),
        train(xor_net, X_xor, T_xor, LevenbergMarquardt(), epochs=20, seed=1),
    ]
    for run in runs:
        add(run.epochs, run.stop_reason, run.params, np.asarray(run.history.cost))
    return digest.hexdigest()


def unrelated_work(nets: dict) -> list[np.ndarray]:
    """Everything a notebook might do between two runs: compile other networks, call the same
    networks with other batch sizes (their workspaces are kept per batch size), run a large
    product (BLAS threads), and leave arrays of odd sizes allocated (the next arrays land at
    other addresses)."""
    from bpderive import Network, initialize

    kept = [np.empty(k * 7 + 3) for k in range(1, 200)]
    rng = np.random.default_rng(1)
    others = [Network(sizes, "tanh") for sizes in ((3, 4, 2), (5, 9, 9, 3))]
    for net in [*others, *nets.values()]:
        compiled = net.compile()
        for n in (2, 3, 5, 17, 1000):
            X = rng.uniform(0.1, 0.9, size=(n, net.sizes[0]))
            T = np.eye(net.sizes[-1])[rng.integers(0, net.sizes[-1], n)]
            compiled.gradients(initialize(net, "uniform", n), X, T)
    big = rng.normal(size=(700, 700))
    kept.append(big @ big)
    return kept


def _run_program(hash_seed: str) -> list[str]:
    """This file as a program in a fresh interpreter: its two fingerprints."""
    result = subprocess.run(
        [sys.executable, __file__],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
        cwd=Path(__file__).resolve().parents[1],
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.split()


@pytest.fixture(scope="module")
def fresh() -> list[list[str]]:
    """The fingerprints of two fresh processes with different hash seeds (so that no set or dict
    order of strings can decide an operation's order)."""
    return [_run_program("1"), _run_program("2")]


@pytest.mark.long
def test_a_fresh_process_gets_the_same_bits_before_and_after_unrelated_work(fresh) -> None:
    for before, after in fresh:
        assert before == after


def test_two_fresh_processes_get_the_same_bits(fresh) -> None:
    assert fresh[0] == fresh[1]


def test_this_process_gets_the_bits_of_a_fresh_one(fresh) -> None:
    """Here, after whatever tests ran before in this process (their order is shuffled)."""
    assert fingerprint(networks()) == fresh[0][0]


if __name__ == "__main__":
    nets = networks()
    print(fingerprint(nets))
    kept = unrelated_work(nets)  # its arrays stay allocated while the second fingerprint runs
    print(fingerprint(nets))

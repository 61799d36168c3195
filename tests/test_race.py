"""The race's tools for telling a reproducible run from a chaotic one.

Notebook 08 prints the race; what it may print depends on these: a nudged start moves every
parameter by exactly one unit in the last place, a run that forgets the nudge counts as
reproducible, one that ends elsewhere (or after other epochs) does not, and only a reproducible
run's exact numbers are shown.
"""

from __future__ import annotations

import numpy as np
import pytest

from bpderive import GradientDescent, Network, initialize, train
from bpderive.bench.race import REPRODUCIBLE, SUMMARY, RaceRow, _divergence, nudged
from bpderive.data import xor


def test_a_nudge_moves_every_parameter_by_one_unit_in_the_last_place() -> None:
    params = initialize(Network(), "uniform", 0)
    before = {key: value.copy() for key, value in params.items()}
    moved = nudged(params, 3)
    for key, value in params.items():
        np.testing.assert_array_equal(value, before[key])  # the original is left alone
        step = moved[key] - value
        np.testing.assert_array_equal(np.abs(step), np.spacing(np.abs(value)))
    directions = np.concatenate([np.sign(moved[k] - params[k]).ravel() for k in params])
    assert {-1.0, 1.0} <= set(directions)  # some up, some down
    again = nudged(params, 3)
    assert all(np.array_equal(again[k], moved[k]) for k in params)
    other = nudged(params, 4)
    assert not all(np.array_equal(other[k], moved[k]) for k in params)


def _xor_run(epochs: int, params: dict | None = None) -> object:
    X, T = xor()
    net = Network((2, 3, 1))
    return train(net, X, T, GradientDescent(), epochs=epochs, params=params, min_grad=0.0)


def test_divergence_is_the_largest_relative_difference_of_the_final_parameters() -> None:
    run, other = _xor_run(5), _xor_run(5)
    assert _divergence(run, other) == 0.0
    largest = max(float(np.max(np.abs(value))) for value in run.params.values())
    other.params["W2"][0, 1] += 1e-6 * largest
    assert _divergence(run, other) == pytest.approx(1e-6, rel=1e-6)
    assert _divergence(run, _xor_run(6)) == np.inf  # other epochs: another run


def test_only_a_reproducible_run_shows_its_exact_numbers() -> None:
    run = _xor_run(150)
    optimizer = GradientDescent()
    same = RaceRow("xor", "gradient descent", optimizer, run, 0.1, divergence=1e-14)
    chaotic = RaceRow("xor", "adaptive rate", optimizer, run, 0.1, divergence=np.inf)
    drifted = RaceRow("xor", "adaptive rate", optimizer, run, 0.1, divergence=10 * REPRODUCIBLE)
    assert same.reproducible and not chaotic.reproducible and not drifted.reproducible
    assert len(SUMMARY) == len(same.summary())
    assert same.summary() == ["xor", "gradient descent", 150, float(f"{run.cost:.4g}"), "epochs"]
    assert chaotic.summary() == ["xor", "adaptive rate", "100–1,000 (chaotic)", "–", "epochs"]
    assert (same.stable_epochs, chaotic.stable_epochs) == (150, "100–1,000 (chaotic)")

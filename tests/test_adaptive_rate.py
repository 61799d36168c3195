"""The adaptive rate's rejected steps (MATLAB ``traingda``'s rule), and what training keeps around
them: a step whose cost is NaN is rejected like a rise, and a rejected step that repeats the best
validation cost does not move ``best_epoch``.

Expected values follow from the documented rule (η·eta_dec after a rejection, the parameters
restored) and from the run's own history where the rule is about that history (the first epoch
of the lowest validation cost).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from bpderive import GradientDescent, Network, initialize, train
from bpderive.data import xor


def nan_step_problem() -> tuple[Network, dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """A linear output with large targets and η1 = 1e308: the first step sends weights to ±inf,
    and ``inf·0`` (XOR's zero inputs) makes the next cost NaN, not merely large."""
    X, T = xor()
    net = Network((2, 3, 1), ("logistic", "linear"))
    return net, initialize(net, seed=0), X, 1000.0 * T


def test_plain_descent_meets_a_nan_cost_on_this_step() -> None:
    """The premise of the next test: without the adaptive rate, the step's cost is NaN."""
    net, params, X, T = nan_step_problem()
    result = train(net, X, T, GradientDescent(eta1=1e308), params=params, epochs=1)
    assert math.isnan(result.history.cost[1])
    assert result.stop_reason == "diverged"


def test_the_adaptive_rate_rejects_a_step_whose_cost_is_nan() -> None:
    """``NaN > 1.04·E`` is false, yet a NaN cost is no improvement: the step is undone and the
    rates shrink, as for a rise of more than ``max_perf_inc``; training goes on."""
    net, params, X, T = nan_step_problem()
    start_cost = net.compile().cost(params, X, T)
    seen = {}
    result = train(
        net,
        X,
        T,
        GradientDescent(eta1=1e308, eta2=1e300, adaptive=True),
        params=params,
        epochs=2,
        callback=lambda epoch, p, h: seen.setdefault(epoch, p),
    )
    h = result.history
    assert h.accepted == [True, False, False]
    assert h.cost[0] == pytest.approx(start_cost, rel=1e-12)
    assert h.cost == [h.cost[0]] * 3  # the start's cost, kept
    assert h.eta1[1] == 1e308 * 0.7 and h.eta2[1] == 1e300 * 0.7
    assert h.eta1[2] == 1e308 * 0.7 * 0.7
    for key, value in params.items():
        np.testing.assert_array_equal(seen[1][key], value)
        np.testing.assert_array_equal(result.params[key], value)
    assert result.stop_reason == "epochs"


def test_best_epoch_is_the_first_of_the_lowest_validation_cost() -> None:
    """After a rejected step the parameters, and so the validation cost, are those of the epoch
    before: a tie, which must leave ``best_epoch`` at the first epoch that reached the cost."""
    X, T = xor()
    net = Network((2, 3, 1))
    options = GradientDescent(eta1=5.0, adaptive=True)
    result = train(net, X, T, options, seed=0, epochs=59, validation=(X, T), max_fail=None)
    h = result.history
    lowest = min(h.val_cost)
    first = h.val_cost.index(lowest)
    # the premise: a rejected step repeats the lowest validation cost right after it
    assert not h.accepted[first + 1] and h.val_cost[first + 1] == lowest
    assert result.best_epoch == first
    assert h.val_fail[first + 1] == 0  # a tie is no failure: the cost is at its best
    assert result.val_cost == lowest and result.cost == h.cost[first]


def test_a_rejected_first_step_leaves_the_start_as_best() -> None:
    net, params, X, T = nan_step_problem()
    options = GradientDescent(eta1=1e308, adaptive=True)
    result = train(net, X, T, options, params=params, epochs=3, validation=(X, T), max_fail=None)
    assert result.history.accepted[1:] == [False, False, False]
    assert len(set(result.history.val_cost)) == 1
    assert result.best_epoch == 0

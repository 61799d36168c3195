"""The validation counters and the stop rules at their boundaries, as documented in
:func:`bpderive.train` and :class:`bpderive.training.loop.History`.

The expected counters are computed here from the run's validation costs by their definitions
(``val_fail``: epochs since the lowest cost so far was first reached; ``val_rises``: rises in a
row), independently of how the loop keeps them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from bpderive import Activation, GradientDescent, Network, initialize, train
from bpderive.data import sine, split, xor


def expected_counters(costs: list[float]) -> tuple[list[int], list[int], int]:
    """``val_fail``, ``val_rises`` and the best epoch from the validation costs alone."""
    fails, rises = [], []
    for k, cost in enumerate(costs):
        finite = [c for c in costs[: k + 1] if not math.isnan(c)]
        first_best = costs.index(min(finite)) if finite else -1
        fails.append(k - first_best)
        before = costs[k - 1] if k else math.inf
        rose = cost > before or math.isnan(cost)
        rises.append((rises[-1] if rises else 0) + 1 if rose else 0)
    best = costs.index(min(c for c in costs if not math.isnan(c)))
    return fails, rises, best


def test_the_counters_follow_the_validation_costs() -> None:
    """Online descent on noisy sine data: the validation cost falls and rises irregularly,
    new lows come after long runs without one, and rises are broken by falls."""
    X, T = sine(60, seed=1, noise=0.2)
    data = split(X, T, seed=0)
    net = Network((1, 6, 1), ("tanh", "linear"))
    seen = {}
    result = train(
        net,
        *data.train,
        GradientDescent(eta1=0.3, mode="online"),
        validation=data.validation,
        epochs=40,
        max_fail=None,
        seed=2,
        callback=lambda epoch, params, history: seen.setdefault(epoch, params),
    )
    h = result.history
    fails, rises, best = expected_counters(h.val_cost)
    # the premise: several rises in a row, broken by falls, and a new low after a long wait
    assert max(rises) >= 2 and rises.count(0) >= 5 and max(fails) >= 5 and best > 10
    assert h.val_fail == fails
    assert h.val_rises == rises
    assert result.best_epoch == best
    for key, value in seen[best].items():
        np.testing.assert_array_equal(result.params[key], value)


ROOT = Activation.define("root", lambda x: sp.sqrt(x))


def root_problem() -> tuple[Network, dict, tuple, tuple]:
    """Training nets stay positive; the validation input makes them negative, where √net is
    NaN: a validation cost that is NaN at every epoch while training goes on."""
    net = Network((2, 3, 1), (ROOT, "logistic"))
    params = initialize(net, seed=0)
    params["W1"][:] = 0.5
    params["b1"][:] = 0.1
    return net, params, xor(), (np.array([[-1.0, -1.0]]), np.array([[1.0]]))


def test_a_nan_validation_cost_is_a_failure_and_a_rise() -> None:
    net, params, (X, T), validation = root_problem()
    result = train(net, X, T, params=params, validation=validation, epochs=20)
    h = result.history
    assert all(math.isnan(v) for v in h.val_cost) and all(math.isfinite(c) for c in h.cost)
    assert h.val_fail == [1, 2, 3, 4, 5, 6]
    assert (result.stop_reason, result.epochs) == ("max_fail", 5)
    assert result.best_epoch == 0
    for key, value in params.items():
        np.testing.assert_array_equal(result.params[key], value)
    rises = train(
        net, X, T, params=params, validation=validation, epochs=20, max_fail=None, max_rises=3
    )
    assert rises.history.val_rises == [1, 2, 3]
    assert (rises.stop_reason, rises.epochs) == ("max_rises", 2)


@pytest.fixture(scope="module")
def start() -> tuple[Network, dict, np.ndarray, np.ndarray, float, float]:
    """The XOR problem and its start's cost and gradient norm, as train() records them."""
    X, T = xor()
    net = Network((2, 3, 1))
    params = initialize(net, seed=0)
    first = train(net, X, T, params=params, epochs=0).history
    return net, params, X, T, first.cost[0], first.grad_norm[0]


def test_the_goal_is_reached_at_equality(start) -> None:
    """``"goal"``: cost <= goal."""
    net, params, X, T, cost, _ = start
    at = train(net, X, T, params=params, goal=cost, epochs=5)
    assert (at.stop_reason, at.epochs) == ("goal", 0)
    below = train(net, X, T, params=params, goal=np.nextafter(cost, 0), epochs=1)
    assert below.epochs == 1


def test_min_grad_is_strict(start) -> None:
    """``"min_grad"``: gradient norm < min_grad, so a norm equal to it goes on."""
    net, params, X, T, _, norm = start
    at = train(net, X, T, params=params, min_grad=norm, epochs=1)
    assert at.epochs == 1  # not stopped at the start
    above = train(net, X, T, params=params, min_grad=np.nextafter(norm, math.inf), epochs=1)
    assert (above.stop_reason, above.epochs) == ("min_grad", 0)


def test_a_gradient_whose_norm_overflows_is_not_divergence() -> None:
    """∂E/∂w = 1e200 is a finite gradient, though its norm's square overflows: training has not
    diverged (a NaN or inf cost, gradient or parameter) and stops only by its epochs."""
    net = Network((1, 1, 1), ("linear", "linear"))
    params = {
        "W1": np.array([[1e-200]]),
        "b1": np.zeros(1),
        "W2": np.ones((1, 1)),
        "b2": np.zeros(1),
    }
    result = train(net, np.array([[1e200]]), np.array([[0.0]]), params=params, epochs=0)
    assert result.history.cost == [0.5]  # ½(1e-200·1e200 − 0)²
    assert result.stop_reason == "epochs"


def test_min_grad_by_default_is_the_algorithms_matlab_value() -> None:
    """``min_grad=None`` stands for MATLAB's value for the algorithm: 1e-5 for gradient descent
    (``traingd``, ``traingdm``, ``traingda``, ``traingdx``), 1e-7 for Levenberg–Marquardt
    (``trainlm``). Both runs pass through gradient norms between the two, so where each stops
    tells its threshold: at the first epoch whose norm is below it."""
    X = np.linspace(-1, 1, 9)[:, None]
    T = 0.5 * X + 0.2 + 0.1 * np.sin(5 * X)
    gd = train(Network((1, 1), "linear"), X, T, eta1=0.5)
    X_xor, T_xor = xor()
    lm = train(Network((2, 3, 1), "logistic"), X_xor, T_xor, algorithm="lm", seed=1)
    for run, matlab in ((gd, 1e-5), (lm, 1e-7)):
        norms = run.history.grad_norm
        assert run.stop_reason == "min_grad"
        assert norms[-1] < matlab <= min(norms[:-1])
    assert any(1e-7 <= norm < 1e-5 for norm in lm.history.grad_norm[:-1])
    assert 1e-7 <= gd.history.grad_norm[-1]


def test_levenberg_marquardt_goes_on_past_a_tiny_gradient() -> None:
    """From seed 0 the XOR network's gradient norm falls to about 1.6e-6 after 2 epochs, with
    the cost at 0.125 (one point of four wrong): a saturated start, not a minimum. Gradient
    descent's 1e-5 would stop there; ``trainlm``'s 1e-7 goes on, and the goal is reached."""
    X, T = xor()
    net = Network((2, 3, 1), "logistic")
    run = train(net, X, T, algorithm="lm", seed=0, goal=1e-3)
    norms = run.history.grad_norm
    assert norms[2] < 1e-5 and run.history.cost[2] > 0.12
    assert run.stop_reason == "goal" and run.epochs > 2
    early = train(net, X, T, algorithm="lm", seed=0, goal=1e-3, min_grad=1e-5)
    assert (early.stop_reason, early.epochs) == ("min_grad", 2)

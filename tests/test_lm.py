"""Levenberg–Marquardt training (``train(..., algorithm="lm")``), MATLAB ``trainlm``'s rule.

Reference steps are computed here with NumPy's own solvers (``np.linalg.solve`` on the normal
equations, ``np.linalg.lstsq`` on the augmented system ``[J; √μ·I]·Δw ≈ [−e; 0]``), not with the
SVD that the trainer uses; expected μ sequences follow from the rule as documented.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from bpderive import LevenbergMarquardt, Network, initialize, train
from bpderive.data import mapminmax, sine, split, xor
from bpderive.training import MU_MIN, History, lm_step

Params = dict[str, np.ndarray]


def augmented_step(J: np.ndarray, e: np.ndarray, mu: float) -> np.ndarray:
    """argmin ‖e + J·Δ‖² + μ‖Δ‖², as a plain least-squares problem."""
    P = J.shape[1]
    A = np.vstack([J, math.sqrt(mu) * np.eye(P)])
    b = np.concatenate([-e, np.zeros(P)])
    return np.linalg.lstsq(A, b, rcond=None)[0]


def half_sse(net: Network, params: Params, X: np.ndarray, T: np.ndarray) -> float:
    return net.compile().cost(params, X, T)


@pytest.fixture(scope="module")
def xor_net() -> Network:
    return Network((2, 3, 1), "logistic")


@pytest.fixture(scope="module")
def sine_data() -> tuple[Network, np.ndarray, np.ndarray]:
    x, t = sine()
    x_norm, _ = mapminmax(x)
    return Network((1, 5, 1), ("tanh", "linear")), x_norm, t


# ---------------------------------------------------------------------------- the step


def test_step_solves_the_damped_normal_equations() -> None:
    rng = np.random.default_rng(0)
    J = rng.normal(size=(12, 5))
    e = rng.normal(size=12)
    for mu in (1e-6, 1e-2, 1.0, 1e3):
        expected = np.linalg.solve(J.T @ J + mu * np.eye(5), -J.T @ e)
        np.testing.assert_allclose(lm_step(J, e, mu), expected, rtol=1e-10, atol=1e-14)


def test_step_limits() -> None:
    """μ → 0: the Gauss–Newton (minimum-norm least-squares) step, also when J has more columns
    than rows; μ → ∞: −Jᵀe/μ, a gradient-descent step of length ‖Jᵀe‖/μ."""
    rng = np.random.default_rng(1)
    J = rng.normal(size=(4, 9))
    e = rng.normal(size=4)
    gauss_newton = np.linalg.lstsq(J, -e, rcond=None)[0]
    np.testing.assert_allclose(lm_step(J, e, 1e-12), gauss_newton, rtol=1e-8)
    mu = 1e8
    np.testing.assert_allclose(lm_step(J, e, mu), -J.T @ e / mu, rtol=1e-6)


def test_one_step_solves_a_linear_least_squares_problem() -> None:
    """A network without hidden layer and with a linear output is linear in its parameters,
    y = W·x + b, so the errors are exactly linear and one Gauss–Newton step (μ → 0) lands on the
    least-squares fit, here computed with lstsq on [X, 1]."""
    net = Network((3, 2), "linear")
    rng = np.random.default_rng(2)
    X = rng.normal(size=(20, 3))
    T = X @ rng.normal(size=(3, 2)) + rng.normal(size=2) + 0.1 * rng.normal(size=(20, 2))
    coef = np.linalg.lstsq(np.column_stack([X, np.ones(20)]), T, rcond=None)[0]
    result = train(net, X, T, algorithm="lm", mu=1e-12, epochs=1, min_grad=0.0)
    assert result.epochs == 1 and result.history.accepted == [True, True]
    np.testing.assert_allclose(result.params["W1"], coef[:3].T, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(result.params["b1"], coef[3], rtol=1e-8, atol=1e-10)


def test_linear_hidden_units_take_the_gauss_newton_step() -> None:
    """With linear hidden units y = W2(W1·x + b1) + b2 is bilinear in the parameters, so one step
    is the Gauss–Newton step of the linearised problem, lstsq(J, −e), not the final fit. J here
    comes from finite differences of the forward pass. It has rank 3 (the network can only
    represent affine maps of x), so the step is the minimum-norm one; singular values at the
    level of the finite-difference noise are cut off."""
    net = Network((2, 3, 1), "linear")
    c = net.compile()
    rng = np.random.default_rng(3)
    X = rng.normal(size=(15, 2))
    T = (X @ np.array([0.7, -1.2]) + 0.3)[:, None]
    params = initialize(net, "uniform", 0)
    w = c.flatten(params)

    def e(v: np.ndarray) -> np.ndarray:
        return (T - c.forward(c.unflatten(v), X).output).ravel()

    h = 1e-6
    J = np.column_stack([(e(w + h * d) - e(w - h * d)) / (2 * h) for d in np.eye(w.size)])
    gauss_newton = np.linalg.lstsq(J, -e(w), rcond=1e-8)[0]
    result = train(net, X, T, params=params, algorithm="lm", mu=1e-10, epochs=1, min_grad=0.0)
    assert result.history.mu == pytest.approx([1e-10, 1e-11])  # the first μ tried was kept
    np.testing.assert_allclose(c.flatten(result.params) - w, gauss_newton, rtol=1e-7, atol=1e-8)


# ---------------------------------------------------------------------------- μ


def test_mu_rises_and_falls_as_specified(xor_net: Network) -> None:
    """Replay trainlm's rule with the augmented least-squares step: from μ, try steps with μ,
    μ·10, μ·100, … until the cost falls; keep that step and divide its μ by 10."""
    X, T = xor()
    c = xor_net.compile()
    seen: list[float] = []

    def callback(epoch: int, params: Params, history: History) -> None:
        seen.append(history.mu[-1])

    result = train(xor_net, X, T, algorithm="lm", seed=1, epochs=8, callback=callback)
    assert seen == result.history.mu
    params = initialize(xor_net, "uniform", 1)
    mu = 1e-3
    expected_mu, rises = [mu], 0
    for _ in range(result.epochs):
        e, J = c.errors_and_jacobian(params, X, T)
        w = c.flatten(params)
        cost = half_sse(xor_net, params, X, T)
        while True:
            candidate = c.unflatten(w + augmented_step(J, e, mu))
            if half_sse(xor_net, candidate, X, T) < cost:
                params, mu = candidate, mu * 0.1
                break
            mu *= 10
            rises += 1
        expected_mu.append(mu)
    np.testing.assert_allclose(result.history.mu, expected_mu, rtol=1e-12)
    assert rises >= 1, "this run is chosen to need at least one rise of μ"
    for key in params:
        np.testing.assert_allclose(result.params[key], params[key], rtol=1e-7, atol=1e-10)
    ratios = np.array(result.history.mu[1:]) / np.array(result.history.mu[:-1])
    assert set(np.round(np.log10(ratios)).astype(int)) >= {-1, 1}
    assert np.all(np.diff(result.history.cost) < 0)


def test_mu_never_falls_below_the_floor() -> None:
    net = Network((3, 2), "linear")
    rng = np.random.default_rng(5)
    X, T = rng.normal(size=(10, 3)), rng.normal(size=(10, 2))
    result = train(net, X, T, algorithm="lm", mu=1e-19, mu_dec=0.01, epochs=1, min_grad=0.0)
    assert result.history.mu == [1e-19, MU_MIN]


def test_stops_when_mu_exceeds_mu_max(xor_net: Network) -> None:
    """At these parameters the step with μ = 10⁻⁴ raises the cost (checked here); with
    mu_max = 5·10⁻⁴ the next try, μ = 10⁻³, is beyond the limit, so training stops at once with
    the parameters unchanged."""
    X, T = xor()
    c = xor_net.compile()
    params = train(xor_net, X, T, algorithm="lm", seed=1, epochs=1).params
    e, J = c.errors_and_jacobian(params, X, T)
    tried = c.unflatten(c.flatten(params) + augmented_step(J, e, 1e-4))
    assert half_sse(xor_net, tried, X, T) > half_sse(xor_net, params, X, T)
    result = train(xor_net, X, T, params=params, algorithm="lm", mu=1e-4, mu_max=5e-4)
    assert result.stop_reason == "mu_max"
    assert result.epochs == 1
    assert result.history.accepted == [True, False]
    assert result.history.mu == pytest.approx([1e-4, 1e-3], rel=1e-12)
    for key in params:
        np.testing.assert_array_equal(result.params[key], params[key])


def test_a_step_that_leaves_the_cost_equal_is_not_taken(xor_net: Network) -> None:
    """With μ = mu_max = 10³⁰ the step is about 10⁻³⁰: the cost is exactly the same, which is
    no success ("a step that does not lower the cost is discarded"). μ = mu_max is itself a
    valid start and is tried; then μ·mu_inc passes the limit and training stops."""
    X, T = xor()
    c = xor_net.compile()
    params = initialize(xor_net, "uniform", 0)
    e, J = c.errors_and_jacobian(params, X, T)
    tried = c.unflatten(c.flatten(params) + augmented_step(J, e, 1e30))
    assert half_sse(xor_net, tried, X, T) == half_sse(xor_net, params, X, T)  # the premise
    result = train(xor_net, X, T, LevenbergMarquardt(mu=1e30, mu_max=1e30), params=params)
    assert (result.stop_reason, result.epochs) == ("mu_max", 1)
    assert result.history.accepted == [True, False]
    assert result.history.mu == [1e30, 1e31]
    for key in params:
        np.testing.assert_array_equal(result.params[key], params[key])


# ---------------------------------------------------------------------------- training


def test_lm_reaches_the_sine_goal_in_far_fewer_epochs(sine_data) -> None:
    """1-5-1 tanh/linear on 100 samples of sin x (inputs mapped to [−1, 1]), seed 1, goal
    E = 2·10⁻⁴: Levenberg–Marquardt needs 12 epochs, gradient descent with η = 0.5 thousands
    (the bench's race prints both; the latter moves by hundreds with the last bit of the
    gradient, as η = 0.5 makes the descent oscillate)."""
    net, X, T = sine_data
    lm = train(net, X, T, algorithm="lm", seed=1, goal=2e-4, epochs=100)
    gd = train(net, X, T, eta1=0.5, seed=1, goal=2e-4, epochs=20000)
    assert lm.stop_reason == gd.stop_reason == "goal"
    assert lm.epochs <= 20
    assert gd.epochs > 100 * lm.epochs
    assert lm.cost <= 2e-4


def test_history_format_is_shared(xor_net: Network) -> None:
    X, T = xor()
    lm = train(xor_net, X, T, algorithm="lm", seed=1, epochs=3)
    gd = train(xor_net, X, T, seed=1, epochs=3)
    assert vars(lm.history).keys() == vars(gd.history).keys()
    assert "mu" in lm.history.as_arrays()
    assert all(math.isnan(v) for v in lm.history.eta1 + lm.history.eta2 + gd.history.mu)
    assert lm.history.mu[0] == 1e-3
    assert lm.history.epoch == [0, 1, 2, 3] and lm.stop_reason == "epochs"


def test_min_grad_and_goal_stop_lm(xor_net: Network) -> None:
    X, T = xor()
    result = train(xor_net, X, T, algorithm="lm", seed=1, min_grad=0.02)
    grads = result.history.grad_norm
    assert result.stop_reason == "min_grad"
    assert grads[-1] < 0.02 <= min(grads[:-1])
    result = train(xor_net, X, T, algorithm="lm", seed=1, goal=0.05)
    costs = result.history.cost
    assert result.stop_reason == "goal" and costs[-1] <= 0.05 < min(costs[:-1])


def test_early_stopping_with_validation() -> None:
    """Noisy sine, 15 hidden units: LM over-fits quickly; training stops after the validation
    cost has been above its best 6 times in a row and returns the best validation epoch's
    parameters."""
    x, t = sine(noise=0.3, seed=3)
    x_norm, _ = mapminmax(x)
    parts = split(x_norm, t, (0.5, 0.5, 0.0), seed=0)
    net = Network((1, 15, 1), ("tanh", "linear"))
    result = train(
        net, *parts.train, algorithm="lm", seed=0, validation=parts.validation, epochs=200
    )
    val = np.array(result.history.val_cost)
    assert result.stop_reason == "max_fail"
    assert result.best_epoch == int(np.argmin(val))
    assert result.epochs == result.best_epoch + 6
    assert result.val_cost == pytest.approx(net.compile().cost(result.params, *parts.validation))


def test_mse_loss_is_accepted(sine_data) -> None:
    _, X, T = sine_data
    net = Network((1, 5, 1), ("tanh", "linear"), "mse")
    result = train(net, X, T, algorithm="lm", seed=1, goal=4e-4, epochs=100)
    assert result.stop_reason == "goal"


# ---------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("how", "named"),
    [
        ({"algorithm": "lm"}, "algorithm='lm'"),
        ({"algorithm": "LM"}, "algorithm='lm'"),
        ({"optimizer": LevenbergMarquardt()}, "LevenbergMarquardt()"),
        ({"optimizer": LevenbergMarquardt(mu=0.01)}, "LevenbergMarquardt(mu=0.01)"),
    ],
    ids=["shorthand", "shorthand_upper", "object", "object_with_options"],
)
def test_unsupported_loss_is_refused_naming_the_algorithm_and_why(how: dict, named: str) -> None:
    """The loss and the algorithm are refused together: the message names the algorithm as the
    learner chose it, says why it needs a sum of squares, and what to use instead."""
    net = Network((2, 3, 1), "logistic", "cross_entropy")
    X, T = xor()
    with pytest.raises(ValueError) as info:
        train(net, X, T, **how)
    message = str(info.value)
    assert message.startswith(f"loss: expected a sum-of-squares loss for {named} (")
    assert "Levenberg–Marquardt approximates the Hessian of ½‖e‖² by JᵀJ" in message
    assert "'half_sse', 'mse' or Loss.define(..., sum_of_squares=True)" in message
    assert "use gradient descent" in message
    assert message.endswith("got 'cross_entropy'")


@pytest.mark.parametrize(
    ("options", "name"),
    [
        ({"algorithm": "lm", "mode": "online"}, "mode"),
        ({"algorithm": "lm", "mode": "minibatch", "batch_size": 2}, "mode"),
        ({"algorithm": "lm", "momentum": 0.9}, "momentum"),
        ({"algorithm": "lm", "adaptive": True}, "adaptive"),
        ({"algorithm": "lm", "eta1": 0.1}, "eta1"),
        ({"algorithm": "lm", "eta2": 0.1}, "eta2"),
        ({"algorithm": "lm", "eta_inc": 1.2}, "eta_inc"),
        ({"algorithm": "lm", "mu": 0.0}, "mu"),
        ({"algorithm": "lm", "mu": -1.0}, "mu"),
        ({"algorithm": "lm", "mu": math.nan}, "mu"),
        ({"algorithm": "lm", "mu": 1e11}, "mu"),
        ({"algorithm": "lm", "mu_dec": 1.0}, "mu_dec"),
        ({"algorithm": "lm", "mu_inc": 1.0}, "mu_inc"),
        ({"algorithm": "lm", "mu_max": 0.0}, "mu_max"),
        ({"algorithm": "lm", "mu": "0.01"}, "mu"),
        ({"algorithm": "newton"}, "algorithm"),
        ({"algorithm": None}, "algorithm"),
        ({"mu": 0.01}, "mu"),
        ({"mu_max": 1e5}, "mu_max"),
    ],
)
def test_invalid_options_are_refused(xor_net: Network, options: dict, name: str) -> None:
    X, T = xor()
    with pytest.raises(ValueError, match=rf"^{name}: expected "):
        train(xor_net, X, T, **options)


def test_lm_refusal_messages_say_why(xor_net: Network) -> None:
    X, T = xor()
    why = r"\(Levenberg–Marquardt solves for one step from all samples at once, sized by μ\)"
    with pytest.raises(
        ValueError, match=rf"^mode: expected no mode with algorithm='lm' {why}, got 'online'$"
    ):
        train(xor_net, X, T, algorithm="lm", mode="online")
    with pytest.raises(
        ValueError, match=rf"^eta1: expected no eta1 with algorithm='lm' {why}, got 0.1$"
    ):
        train(xor_net, X, T, algorithm="lm", eta1=0.1)
    with pytest.raises(
        ValueError,
        match=r"^mu: expected no mu with algorithm='gd' \(it is an option of algorithm='lm'\), "
        r"got 0.01$",
    ):
        train(xor_net, X, T, mu=0.01)


# ---------------------------------------------------------------------------- review fixes


@pytest.mark.parametrize("loss", ["half_sse", "mse"])
def test_recorded_gradient_is_the_compiled_gradient(loss: str) -> None:
    """The loop takes ∇E from Jᵀe (1/N for half_sse, 2/(N·m) for mse) instead of a second
    backward pass; every epoch's norm equals the compiled gradient's within 1e-12."""
    net = Network((2, 3, 2), "logistic", loss)
    X, T = xor(one_hot=True)
    c = net.compile()
    seen: dict[int, Params] = {}
    result = train(
        net,
        X,
        T,
        algorithm="lm",
        seed=1,
        epochs=15,
        min_grad=0.0,
        callback=lambda epoch, params, history: seen.__setitem__(epoch, params),
    )
    assert len(seen) == 16
    for epoch, params in seen.items():
        norm = math.sqrt(sum(np.sum(g**2) for g in c.gradients(params, X, T).values()))
        assert result.history.grad_norm[epoch] == pytest.approx(norm, rel=1e-12)
        assert result.history.cost[epoch] == c.cost(params, X, T)


def test_an_lm_epoch_runs_no_backward_pass_for_the_gradient(
    xor_net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    X, T = xor()
    real = xor_net.compile()
    calls: list[str] = []

    class Counting:
        def __getattr__(self, name):
            if name in ("gradients", "cost_and_gradients", "errors_and_jacobian"):
                calls.append(name)
            return getattr(real, name)

    monkeypatch.setattr(xor_net, "compile", lambda: Counting())
    result = train(xor_net, X, T, algorithm="lm", seed=1, epochs=5, min_grad=0.0)
    assert result.history.accepted == [True] * 6  # one Jacobian per accepted step
    assert calls == ["errors_and_jacobian"] * 6


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((np.ones((4, 3)), np.ones(5), 0.1), r"^e: expected a 1-D array of 4 errors .*\(5,\)"),
        ((np.ones((4, 3)), np.ones((4, 1)), 0.1), r"^e: expected a 1-D array of 4 errors"),
        ((np.ones(4), np.ones(4), 0.1), r"^J: expected a non-empty 2-D Jacobian .*\(4,\)"),
        ((np.ones((0, 3)), np.ones(0), 0.1), r"^J: expected a non-empty 2-D Jacobian"),
        (("abc", np.ones(4), 0.1), r"^J: expected numbers, got the string 'abc'"),
        ((np.ones((4, 3)), [["a"]] * 4, 0.1), r"^e: expected numbers"),
        ((np.full((4, 3), np.nan), np.ones(4), 0.1), r"^J: contains NaN or infinite values"),
        ((np.ones((4, 3)), np.ones(4), 0.0), r"^mu: expected a finite damping μ > 0, got 0\.0"),
        ((np.ones((4, 3)), np.ones(4), "1"), r"^mu: expected a finite damping μ > 0"),
    ],
)
def test_lm_step_bad_arguments(args: tuple, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        lm_step(*args)


def test_plot_history_labels_a_failed_lm_epoch_as_such(xor_net: Network) -> None:
    """The epoch in which μ passed mu_max kept no step; the cross says so, not "adaptive rate"
    (which Levenberg–Marquardt does not have)."""
    from matplotlib import figure

    from bpderive.display.plotting import plot_history

    X, T = xor()
    params = train(xor_net, X, T, algorithm="lm", seed=1, epochs=1).params
    result = train(xor_net, X, T, params=params, algorithm="lm", mu=1e-4, mu_max=5e-4)
    assert result.history.accepted == [True, False]  # the premise (see test_stops_when_...)
    labels = [line.get_label() for line in plot_history(result, figure.Figure().subplots()).lines]
    assert "no step lowered the cost (μ > mu_max)" in labels
    assert not any("adaptive" in label for label in labels)

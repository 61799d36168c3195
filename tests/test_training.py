"""Training: the five steps of 四.6, presentation modes, rates, momentum, adaptive rate,
stopping rules, symmetric initialisation, hidden-size helpers and the history plot.

Expected parameters are computed here by hand from the compiled gradients of single samples
(or of the whole set), step by step, not taken from the trainer's own output.
"""

from __future__ import annotations

import math
import sys
import warnings

import numpy as np
import pytest

from bpderive import GradientDescent, Network
from bpderive.data import mapminmax, sine, split, two_class, xor
from bpderive.training import History, suggest_hidden, sweep_hidden, train
from bpderive.training.initializers import initialize

Params = dict[str, np.ndarray]


@pytest.fixture(scope="module")
def xor_net() -> Network:
    return Network((2, 3, 1))


@pytest.fixture(scope="module")
def article_net() -> Network:
    return Network((2, 3, 2))


@pytest.fixture(scope="module")
def sine_net() -> Network:
    return Network((1, 4, 1), activations=("tanh", "linear"))


@pytest.fixture(scope="module")
def linear_net() -> Network:
    return Network((1, 3, 1), activations="linear")


def compiled(net: Network):
    return net.compile()


def single_sample_mean_gradient(net: Network, params: Params, X, T) -> Params:
    """The mean of the per-sample gradients, one compiled call per sample."""
    c = compiled(net)
    grads = [c.gradients(params, X[i : i + 1], T[i : i + 1]) for i in range(len(X))]
    return {k: np.mean([g[k] for g in grads], axis=0) for k in params}


def step(params: Params, grads: Params, eta_w: float, eta_b: float) -> Params:
    return {k: v - (eta_w if k.startswith("W") else eta_b) * grads[k] for k, v in params.items()}


def assert_params_close(a: Params, b: Params, rtol: float = 1e-12) -> None:
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_allclose(a[k], b[k], rtol=rtol, atol=1e-15, err_msg=k)


def recorder() -> tuple[dict[int, Params], object]:
    seen: dict[int, Params] = {}

    def callback(epoch: int, params: Params, history: History) -> None:
        assert len(history) == epoch + 1
        seen[epoch] = params

    return seen, callback


# ---------------------------------------------------------------------------- it learns


def test_article_network_learns_xor(article_net: Network) -> None:
    X, T = xor(one_hot=True)
    result = train(article_net, X, T, eta1=2.0, momentum=0.9, goal=0.01, epochs=3000, seed=0)
    assert result.stop_reason == "goal"
    assert result.cost <= 0.01 < result.history.cost[-2]
    out = article_net.compile().forward(result.params, X).output
    np.testing.assert_array_equal(out.argmax(axis=1), T.argmax(axis=1))
    assert np.all(np.abs(out - T) < 0.25)


def test_xor_online_reaches_its_goal(xor_net: Network) -> None:
    X, T = xor()
    result = train(xor_net, X, T, mode="online", eta1=0.5, goal=0.01, epochs=5000, seed=0)
    assert result.stop_reason == "goal" and result.cost <= 0.01
    out = compiled(xor_net).forward(result.params, X).output
    np.testing.assert_array_equal(out > 0.5, T > 0.5)


def test_sine_approximation_with_a_linear_output(sine_net: Network) -> None:
    X, T = sine(n=50, seed=0)
    result = train(
        sine_net, X, T, eta1=0.1, momentum=0.9, adaptive=True, goal=1e-3, epochs=3000, seed=0
    )
    assert result.stop_reason == "goal" and result.cost <= 1e-3
    grid = np.linspace(-math.pi, math.pi, 201)[:, None]
    error = compiled(sine_net).forward(result.params, grid).output - np.sin(grid)
    assert np.sqrt(np.mean(error**2)) < 0.05 and np.max(np.abs(error)) < 0.15


def test_two_class_demo_with_normalisation_and_early_stopping(article_net: Network) -> None:
    X, T = two_class(n=200, seed=0)
    parts = split(X, T, seed=0)
    X_train, scaler = mapminmax(parts.train[0])
    X_val, X_test = scaler.transform(parts.validation[0]), scaler.transform(parts.test[0])
    result = train(
        article_net,
        X_train,
        parts.train[1],
        eta1=0.5,
        momentum=0.9,
        init="nguyen_widrow",
        epochs=2000,
        validation=(X_val, parts.validation[1]),
        seed=0,
    )
    out = compiled(article_net).forward(result.params, X_test).output
    assert np.mean(out.argmax(axis=1) == parts.test[1].argmax(axis=1)) >= 0.85


# ---------------------------------------------------------------------------- presentation


def test_batch_epoch_is_one_step_with_the_mean_gradient(sine_net: Network) -> None:
    X, T = sine(n=9, seed=1)
    p0 = initialize(sine_net, "uniform", seed=3)
    result = train(sine_net, X, T, seed=3, eta1=0.3, eta2=0.1, epochs=1, min_grad=0)
    expected = step(p0, single_sample_mean_gradient(sine_net, p0, X, T), 0.3, 0.1)
    assert result.epochs == 1 and result.stop_reason == "epochs"
    assert_params_close(result.params, expected)


def test_online_epoch_is_the_sequence_of_single_sample_updates(xor_net: Network) -> None:
    X, T = xor()
    p = initialize(xor_net, "uniform", seed=0)
    result = train(xor_net, X, T, mode="online", shuffle=False, eta1=0.7, eta2=0.3, epochs=1)
    c = compiled(xor_net)
    for i in range(4):
        p = step(p, c.gradients(p, X[i : i + 1], T[i : i + 1]), 0.7, 0.3)
    assert_params_close(result.params, p)
    batch = train(xor_net, X, T, eta1=0.7, eta2=0.3, epochs=1)
    assert not np.allclose(batch.params["W1"], result.params["W1"])


def test_online_shuffles_every_epoch_with_the_documented_stream(xor_net: Network) -> None:
    X, T = xor()
    seed = 5
    p = initialize(xor_net, "uniform", seed=seed)
    result = train(xor_net, X, T, mode="incremental", eta1=0.5, epochs=2, seed=seed)
    rng = np.random.default_rng([seed, 1])
    c = compiled(xor_net)
    orders = [rng.permutation(4), rng.permutation(4)]
    assert not np.array_equal(orders[0], orders[1])
    for order in orders:
        for i in order:
            p = step(p, c.gradients(p, X[i : i + 1], T[i : i + 1]), 0.5, 0.5)
    assert_params_close(result.params, p)
    unshuffled = train(xor_net, X, T, mode="online", shuffle=False, eta1=0.5, epochs=2, seed=seed)
    assert not np.allclose(unshuffled.params["W1"], result.params["W1"])


def test_minibatch_shuffles_every_epoch_with_the_documented_stream(sine_net: Network) -> None:
    """Mini-batches are cut from a new permutation every epoch, drawn from the stream
    ``np.random.default_rng([seed, 1])``, the last batch taking the remainder."""
    X, T = sine(n=5, seed=2)
    seed = 3
    p = initialize(sine_net, "uniform", seed=seed)
    result = train(sine_net, X, T, mode="minibatch", batch_size=2, eta1=0.2, epochs=2, seed=seed)
    rng = np.random.default_rng([seed, 1])
    orders = [rng.permutation(5), rng.permutation(5)]
    assert not np.array_equal(orders[0], orders[1]) and not np.array_equal(orders[0], range(5))
    for order in orders:
        for rows in (order[0:2], order[2:4], order[4:5]):
            p = step(p, single_sample_mean_gradient(sine_net, p, X[rows], T[rows]), 0.2, 0.2)
    assert_params_close(result.params, p)


def softmax_ce_by_hand(params: Params, X: np.ndarray, T: np.ndarray) -> Params:
    """The mean gradient of softmax with the cross-entropy, written by hand: δ = out − target."""
    hidden = np.tanh(X @ params["W1"].T + params["b1"])
    logits = hidden @ params["W2"].T + params["b2"]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    d2 = (e / e.sum(axis=1, keepdims=True) - T) / len(X)
    d1 = (d2 @ params["W2"]) * (1 - hidden**2)
    return {"W1": d1.T @ X, "b1": d1.sum(0), "W2": d2.T @ hidden, "b2": d2.sum(0)}


def test_minibatch_softmax_cross_entropy_takes_the_hand_written_steps() -> None:
    """Three classes in mini-batches of 8 (the last one 6), two epochs from the documented
    shuffle stream: train()'s parameters are those of a hand-written loop whose output δ is
    ``out − target``, the rule the compiled code emits once SymPy has proved it."""
    net = Network((2, 4, 3), ("tanh", "softmax"), "cross_entropy")
    rng = np.random.default_rng(5)
    labels = rng.integers(0, 3, 30)
    X = rng.normal(size=(30, 2)) + 2 * np.eye(3)[labels][:, :2]
    T = np.eye(3)[labels]
    seed = 2
    p = initialize(net, "xavier", seed=seed)
    result = train(
        net, X, T, init="xavier", seed=seed, mode="minibatch", batch_size=8, eta1=0.5, epochs=2,
        min_grad=0.0,
    )  # fmt: skip
    order = np.random.default_rng([seed, 1])
    for _ in range(2):
        permutation = order.permutation(30)
        for start in range(0, 30, 8):
            rows = permutation[start : start + 8]
            p = step(p, softmax_ce_by_hand(p, X[rows], T[rows]), 0.5, 0.5)
    assert_params_close(result.params, p)
    assert result.history.cost[-1] < result.history.cost[0]


def test_a_batch_as_large_as_the_training_set_is_allowed(sine_net: Network) -> None:
    """``batch_size`` is an int in [1, N]: N itself is one batch per epoch, as in batch mode."""
    X, T = sine(n=5, seed=2)
    whole = train(sine_net, X, T, mode="minibatch", batch_size=5, shuffle=False, epochs=2)
    batch = train(sine_net, X, T, epochs=2)
    assert_params_close(whole.params, batch.params)


def test_minibatch_updates_per_group_with_a_smaller_last_batch(sine_net: Network) -> None:
    X, T = sine(n=5, seed=2)
    p = initialize(sine_net, "gaussian", seed=1)
    result = train(
        sine_net,
        X,
        T,
        init="gaussian",
        seed=1,
        mode="minibatch",
        batch_size=2,
        shuffle=False,
        eta1=0.2,
        epochs=1,
    )
    for rows in (slice(0, 2), slice(2, 4), slice(4, 5)):
        p = step(p, single_sample_mean_gradient(sine_net, p, X[rows], T[rows]), 0.2, 0.2)
    assert_params_close(result.params, p)


def test_batch_mode_runs_one_full_batch_pass_per_epoch(
    sine_net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    X, T = sine(n=30, seed=0)
    real = compiled(sine_net)
    rows: list[int] = []

    class Counting:
        def __getattr__(self, name):
            return getattr(real, name)

        def bind(self, params, out):
            gradients = real.bind(params, out)

            def counted(X, T, want_cost):
                rows.append(len(X))
                return gradients(X, T, want_cost)

            return counted

    monkeypatch.setattr(sine_net, "compile", lambda: Counting())
    train(sine_net, X, T, eta1=0.1, epochs=7, min_grad=0)
    assert rows == [30] * 8


def test_frozen_biases_stay_exactly_frozen(xor_net: Network) -> None:
    X, T = xor()
    p0 = initialize(xor_net, "uniform", seed=2)
    for mode in ("batch", "online"):
        result = train(
            xor_net, X, T, mode=mode, seed=2, eta1=0.5, eta2=0.0, momentum=0.5, epochs=30
        )
        assert np.array_equal(result.params["b1"], p0["b1"])
        assert np.array_equal(result.params["b2"], p0["b2"])
        assert not np.allclose(result.params["W1"], p0["W1"])
        assert result.history.eta2 == [0.0] * 31


def test_momentum_two_steps_by_hand(sine_net: Network) -> None:
    X, T = sine(n=12, seed=4)
    c = compiled(sine_net)
    eta_w, eta_b, alpha = 0.1, 0.05, 0.8
    p0 = initialize(sine_net, "uniform", seed=0)
    g0 = c.gradients(p0, X, T)
    d1 = {k: -(eta_w if k[0] == "W" else eta_b) * g0[k] for k in p0}
    p1 = {k: p0[k] + d1[k] for k in p0}
    g1 = c.gradients(p1, X, T)
    d2 = {k: -(eta_w if k[0] == "W" else eta_b) * g1[k] + alpha * d1[k] for k in p0}
    p2 = {k: p1[k] + d2[k] for k in p0}
    seen, callback = recorder()
    result = train(
        sine_net, X, T, eta1=eta_w, eta2=eta_b, momentum=alpha, epochs=2, callback=callback
    )
    assert_params_close(seen[1], p1)
    assert_params_close(result.params, p2)
    plain = train(sine_net, X, T, eta1=eta_w, eta2=eta_b, epochs=2)
    assert not np.allclose(plain.params["W2"], p2["W2"])


# ---------------------------------------------------------------------------- adaptive rate


def test_adaptive_rate_rejects_a_step_that_raises_the_cost_by_more_than_4_percent(
    sine_net: Network,
) -> None:
    X, T = sine(n=40, seed=0)
    c = compiled(sine_net)
    p0 = initialize(sine_net, "uniform", seed=0)
    cost0 = c.cost(p0, X, T)
    too_far = step(p0, c.gradients(p0, X, T), 3.0, 3.0)
    assert c.cost(too_far, X, T) > 1.04 * cost0  # the premise: this step is bad
    result = train(sine_net, X, T, eta1=3.0, adaptive=True, epochs=1)
    h = result.history
    assert h.accepted == [True, False]
    assert h.cost == [cost0, cost0]
    assert h.eta1 == [3.0, pytest.approx(3.0 * 0.7, rel=1e-15)]
    assert all(np.array_equal(result.params[k], p0[k]) for k in p0)


def test_an_epoch_that_leaves_the_cost_unchanged_changes_no_rate() -> None:
    """traingda's rule: η grows only when the cost falls. Zero weights make every gradient but
    the output bias's zero, and η2 = 0 freezes that bias: the step moves nothing, the cost is
    exactly the same, and η1 must stay (the gradient norm is not zero: training goes on)."""
    net = Network((1, 2, 1), "linear")
    params = initialize(net, "zeros")
    X, T = np.array([[1.0], [2.0]]), np.array([[1.0], [1.0]])
    result = train(net, X, T, params=params, eta1=0.5, eta2=0.0, adaptive=True, epochs=3)
    h = result.history
    assert h.cost == [0.5] * 4 and h.accepted == [True] * 4  # ½·mean((0 − 1)²)
    assert h.eta1 == [0.5] * 4
    assert min(h.grad_norm) > 0 and result.stop_reason == "epochs"


def test_max_perf_inc_of_1_rejects_every_rise(sine_net: Network) -> None:
    """``max_perf_inc`` is a ratio >= 1; 1 itself undoes any epoch that raises the cost."""
    X, T = sine(n=40, seed=0)
    h = train(sine_net, X, T, eta1=1.0, adaptive=True, max_perf_inc=1.0, epochs=30).history
    kept = [k for k in range(1, len(h)) if h.accepted[k]]
    assert not all(h.accepted)  # the premise: some epoch rose
    assert all(h.cost[k] <= h.cost[k - 1] for k in kept)


def test_adaptive_rate_follows_traingda_over_a_run(sine_net: Network) -> None:
    X, T = sine(n=40, seed=0)
    h = train(sine_net, X, T, eta1=3.0, adaptive=True, epochs=40).history
    kinds = set()
    for k in range(1, len(h)):
        if not h.accepted[k]:
            kinds.add("rejected")
            assert h.cost[k] == h.cost[k - 1]
            assert h.eta1[k] == pytest.approx(h.eta1[k - 1] * 0.7, rel=1e-14)
        else:
            assert h.cost[k] <= 1.04 * h.cost[k - 1]
            if h.cost[k] < h.cost[k - 1]:
                kinds.add("grown")
                assert h.eta1[k] == pytest.approx(h.eta1[k - 1] * 1.05, rel=1e-14)
        assert h.eta2[k] == pytest.approx(h.eta1[k], rel=1e-14)
    assert kinds == {"rejected", "grown"}
    assert h.cost[-1] < h.cost[0]


def test_adaptive_rate_with_momentum_matches_a_reference_loop(sine_net: Network) -> None:
    # A plain re-statement of the rule, written independently of the trainer: a rejected step
    # restores the parameters and drops the momentum, so the next step is a plain gradient step.
    X, T = sine(n=40, seed=0)
    c = compiled(sine_net)
    p = initialize(sine_net, "uniform", seed=0)
    v = {k: np.zeros_like(a) for k, a in p.items()}
    eta, alpha, costs, rates, resets = 3.0, 0.5, [c.cost(p, X, T)], [3.0], 0
    for _ in range(40):
        g = c.gradients(p, X, T)
        d = {k: -eta * g[k] + alpha * v[k] for k in p}
        q = {k: p[k] + d[k] for k in p}
        new = c.cost(q, X, T)
        if new > 1.04 * costs[-1]:
            eta *= 0.7
            resets += any(np.any(a != 0) for a in v.values())
            v = {k: np.zeros_like(a) for k, a in p.items()}
            costs.append(costs[-1])
        else:
            eta *= 1.05 if new < costs[-1] else 1.0
            p, v = q, d
            costs.append(new)
        rates.append(eta)
    result = train(sine_net, X, T, eta1=3.0, momentum=alpha, adaptive=True, epochs=40)
    assert resets > 0  # the run does drop a non-zero momentum at least once
    np.testing.assert_allclose(result.history.cost, costs, rtol=1e-12)
    np.testing.assert_allclose(result.history.eta1, rates, rtol=1e-12)
    assert_params_close(result.params, p, rtol=1e-10)


def test_adaptive_rate_grows_by_1_05_per_good_step(xor_net: Network) -> None:
    X, T = xor()
    h = train(xor_net, X, T, eta1=0.1, eta2=0.2, adaptive=True, epochs=10).history
    assert all(h.accepted) and all(np.diff(h.cost) < 0)
    np.testing.assert_allclose(h.eta1, 0.1 * 1.05 ** np.arange(11), rtol=1e-13)
    np.testing.assert_allclose(h.eta2, 0.2 * 1.05 ** np.arange(11), rtol=1e-13)


def test_a_step_within_max_perf_inc_is_kept_without_changing_the_rate(sine_net: Network) -> None:
    X, T = sine(n=40, seed=0)
    h = train(sine_net, X, T, eta1=3.0, adaptive=True, max_perf_inc=1e9, epochs=1).history
    assert h.accepted == [True, True] and h.cost[1] > h.cost[0]
    assert h.eta1 == [3.0, 3.0]


def test_adaptive_rate_backs_off_where_a_fixed_rate_diverges(linear_net: Network) -> None:
    X, T = sine(n=40, seed=0)
    assert train(linear_net, X, T, eta1=100.0, epochs=200).stop_reason == "diverged"
    result = train(linear_net, X, T, eta1=100.0, adaptive=True, epochs=200)
    assert result.stop_reason == "epochs"
    assert result.cost < result.history.cost[0]


# ---------------------------------------------------------------------------- stopping


def test_divergence_stops_at_once_and_returns_the_last_finite_params(
    linear_net: Network,
) -> None:
    X, T = sine(n=40, seed=0)
    seen, callback = recorder()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = train(linear_net, X, T, eta1=100.0, epochs=1000, callback=callback)
    h = result.history
    assert result.stop_reason == "diverged"
    assert not math.isfinite(h.cost[-1]) and all(map(math.isfinite, h.cost[:-1]))
    assert result.epochs == len(h) - 1 < 20
    assert result.best_epoch == result.epochs - 1
    assert all(np.array_equal(result.params[k], seen[result.best_epoch][k]) for k in seen[0])


def make_overfitting_case() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Training targets 1, validation targets 0.5 on the same inputs: the output rises from
    about 0 towards 1, so the validation cost falls until the output passes 0.5 and rises after,
    the way it does when a network starts fitting what does not generalise."""
    X = np.linspace(-1.0, 1.0, 20)[:, None]
    return X, np.ones_like(X), np.full_like(X, 0.5)


def test_early_stopping_returns_the_best_validation_params(sine_net: Network) -> None:
    X, T, T_val = make_overfitting_case()
    seen, callback = recorder()
    result = train(
        sine_net,
        X,
        T,
        init="gaussian",
        eta1=0.05,
        epochs=1000,
        validation=(X, T_val),
        callback=callback,
    )
    h = result.history
    best = int(np.argmin(h.val_cost))
    assert result.stop_reason == "max_fail"
    assert 0 < best == result.best_epoch
    assert result.epochs == best + 6 and h.val_fail[-1] == 6
    assert all(v > h.val_cost[best] for v in h.val_cost[best + 1 :])
    assert all(np.array_equal(result.params[k], seen[best][k]) for k in seen[best])
    assert not np.array_equal(result.params["W2"], seen[result.epochs]["W2"])
    assert result.val_cost == h.val_cost[best]
    assert h.cost[-1] < h.cost[best]  # training kept improving while validation got worse


def test_the_articles_rule_stops_after_k_rises_in_a_row(sine_net: Network) -> None:
    """连续6次不降反升: six rises in a row. A noisy validation curve that falls once in between
    resets the article's counter, but not MATLAB's (epochs since the best)."""
    rng = np.random.default_rng(3)
    X = np.linspace(-1.0, 1.0, 20)[:, None]
    T, T_val = np.ones_like(X), 0.5 + rng.normal(0.0, 0.2, X.shape)
    options = {"init": "gaussian", "eta1": 0.05, "epochs": 400, "validation": (X, T_val)}
    result = train(sine_net, X, T, max_fail=None, max_rises=6, **options)
    val = np.array(result.history.val_cost)
    rises, counted = 0, []
    for k in range(len(val)):
        rises = rises + 1 if k and val[k] > val[k - 1] else 0
        counted.append(rises)
    assert result.history.val_rises == counted
    assert result.stop_reason == "max_rises"
    assert counted[-1] == 6 and max(counted[:-1]) < 6
    assert result.epochs == counted.index(6)
    matlab = train(sine_net, X, T, **options)
    assert matlab.stop_reason == "max_fail" and matlab.history.val_fail[-1] == 6


def test_max_fail_none_turns_matlabs_rule_off(sine_net: Network) -> None:
    X, T, T_val = make_overfitting_case()
    options = {"init": "gaussian", "eta1": 0.05, "epochs": 300}
    result = train(sine_net, X, T, validation=(X, T_val), max_fail=None, **options)
    assert result.stop_reason == "epochs" and max(result.history.val_fail) > 6
    assert train(sine_net, X, T, max_fail=None, **options).stop_reason == "epochs"


def test_max_rises_needs_a_validation_set(sine_net: Network) -> None:
    X, T, _ = make_overfitting_case()
    with pytest.raises(ValueError, match=r"^max_rises: expected None: it acts only with"):
        train(sine_net, X, T, max_rises=6)
    with pytest.raises(ValueError, match=r"^max_rises: expected None or an int >= 1"):
        train(sine_net, X, T, max_rises=0, validation=(X, T))


def test_validation_params_are_returned_whatever_stops_training(sine_net: Network) -> None:
    X, T, T_val = make_overfitting_case()
    full = train(sine_net, X, T, init="gaussian", eta1=0.05, epochs=1000, validation=(X, T_val))
    short = train(
        sine_net,
        X,
        T,
        init="gaussian",
        eta1=0.05,
        epochs=full.best_epoch + 3,
        validation=(X, T_val),
        max_fail=50,
    )
    assert short.stop_reason == "epochs" and short.best_epoch == full.best_epoch
    assert all(np.array_equal(short.params[k], full.params[k]) for k in full.params)


def test_goal_min_grad_and_epochs_stops(sine_net: Network) -> None:
    X, T = sine(n=40, seed=0)
    at_start = train(sine_net, X, T, goal=100.0)
    assert (at_start.stop_reason, at_start.epochs, len(at_start.history)) == ("goal", 0, 1)
    p0 = initialize(sine_net, "uniform", seed=0)
    assert all(np.array_equal(at_start.params[k], p0[k]) for k in p0)

    result = train(sine_net, X, T, eta1=0.1, epochs=3000, min_grad=0.01)
    g = result.history.grad_norm
    assert result.stop_reason == "min_grad"
    assert g[-1] < 0.01 and min(g[:-1]) >= 0.01

    result = train(sine_net, X, T, eta1=0.1, epochs=25)
    assert (result.stop_reason, result.epochs, len(result.history)) == ("epochs", 25, 26)
    assert result.history.epoch == list(range(26))


def test_history_records_cost_and_gradient_norm_of_each_epoch(sine_net: Network) -> None:
    X, T = sine(n=20, seed=0)
    seen, callback = recorder()
    result = train(sine_net, X, T, eta1=0.2, epochs=5, callback=callback, mode="online")
    c = compiled(sine_net)
    for k, params in seen.items():
        assert result.history.cost[k] == pytest.approx(c.cost(params, X, T), rel=1e-12)
        norm = math.sqrt(sum(np.sum(g**2) for g in c.gradients(params, X, T).values()))
        assert result.history.grad_norm[k] == pytest.approx(norm, rel=1e-12)
    assert all(math.isnan(v) for v in result.history.val_cost)
    arrays = result.history.as_arrays()
    assert arrays["cost"].shape == (6,) and arrays["accepted"].dtype == bool


def test_training_is_reproducible_and_leaves_given_params_alone(xor_net: Network) -> None:
    X, T = xor()
    given = initialize(xor_net, "xavier", seed=1)
    copy = {k: v.copy() for k, v in given.items()}
    a = train(xor_net, X, T, params=given, mode="online", epochs=20)
    b = train(xor_net, X, T, params=given, mode="online", epochs=20)
    assert all(np.array_equal(given[k], copy[k]) for k in given)
    assert a.history.cost == b.history.cost
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    c = train(xor_net, X, T, params=given, mode="online", epochs=20, seed=1)
    assert c.history.cost != a.history.cost


# ---------------------------------------------------------------------------- symmetry


def unit_spread(params: Params) -> float:
    """How different the hidden units are: 0 when they are copies of each other."""
    return max(
        float(np.ptp(params["W1"], axis=0).max()),
        float(np.ptp(params["b1"])),
        float(np.ptp(params["W2"], axis=1).max()),
    )


@pytest.mark.parametrize(
    ("init", "options"), [("zeros", {}), ("constant", {"value": 0.3, "bias": 0.1})]
)
@pytest.mark.parametrize("mode", ["batch", "online"])
def test_symmetric_init_keeps_hidden_units_identical(
    xor_net: Network, init: str, options: dict, mode: str
) -> None:
    # AND, not XOR: from all-zero weights XOR's targets balance out exactly and no gradient
    # ever moves the weights, which would make "the units stay equal" trivially true.
    X, _ = xor()
    T = X[:, :1] * X[:, 1:]
    start = initialize(xor_net, init, **options)
    result = train(
        xor_net,
        X,
        T,
        init=init,
        init_options=options,
        mode=mode,
        eta1=0.5,
        momentum=0.5,
        epochs=300,
    )
    assert np.abs(result.params["W1"] - start["W1"]).min() > 1e-3  # every weight moved
    assert unit_spread(result.params) < 1e-12  # rows of W1, b1, columns of W2 all equal
    control = train(xor_net, X, T, init="uniform", mode=mode, eta1=0.5, momentum=0.5, epochs=300)
    assert unit_spread(control.params) > 1e-2


# ---------------------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"eta1": 0}, r"^eta1: expected a finite learning rate η1 > 0, got 0$"),
        ({"eta1": -0.5}, r"^eta1: expected .* got -0\.5"),
        ({"eta1": float("nan")}, r"^eta1:"),
        ({"eta1": "0.5"}, r"^eta1:"),
        ({"eta2": -1.0}, r"^eta2: expected None \(η1\) or a finite rate η2 >= 0"),
        ({"epochs": -1}, r"^epochs: expected an int >= 0, got -1"),
        ({"epochs": 10.0}, r"^epochs:"),
        ({"mode": "stochastic"}, r"^mode: expected one of 'batch', 'online'.*got 'stochastic'"),
        ({"batch_size": 2}, r"^batch_size: expected None unless mode='minibatch'"),
        ({"mode": "minibatch"}, r"^batch_size: expected an int >= 1, got None"),
        ({"mode": "minibatch", "batch_size": 0}, r"^batch_size: expected an int >= 1, got 0"),
        (
            {"mode": "minibatch", "batch_size": 5},
            r"^batch_size: expected an int in \[1, 4\] \(the number of samples\) for "
            r"algorithm='gd', got 5$",
        ),
        (
            {"optimizer": GradientDescent(mode="minibatch", batch_size=5)},
            r"^batch_size: .* for GradientDescent\(mode='minibatch', batch_size=5\), got 5$",
        ),
        ({"momentum": 1.0}, r"^momentum: expected a momentum factor α in \[0, 1\), got 1\.0"),
        ({"momentum": -0.1}, r"^momentum:"),
        ({"goal": -1e-3}, r"^goal: expected a finite cost goal >= 0"),
        ({"min_grad": -1}, r"^min_grad:"),
        ({"max_fail": 0}, r"^max_fail: expected None or an int >= 1, got 0"),
        ({"eta_inc": 1.0}, r"^eta_inc: expected a finite factor > 1"),
        ({"eta_dec": 1.5}, r"^eta_dec: expected a factor in \(0, 1\)"),
        ({"max_perf_inc": 0.9}, r"^max_perf_inc: expected a finite ratio >= 1"),
        ({"shuffle": "yes"}, r"^shuffle: expected True or False"),
        ({"adaptive": 1}, r"^adaptive: expected True or False"),
        ({"init": "he"}, r"^init: expected one of 'zeros', .*'nguyen_widrow', got 'he'"),
        ({"init_options": {"std": 1.0}}, r"^init options: 'uniform' does not take std"),
        ({"seed": -1}, r"^seed: expected a non-negative int, got -1"),
        ({"callback": 3}, r"^callback: expected None or a callable"),
        ({"validation": np.ones((4, 2))}, r"^validation: expected None or a pair"),
        ({"validation": (np.ones((4, 3)), np.ones((4, 1)))}, r"^validation: X: expected shape"),
        ({"params": [1, 2]}, r"^params: expected None or a dict"),
        ({"params": {"W1": np.ones((2, 3))}}, r"^params: missing key 'b1'"),
    ],
)
def test_bad_arguments_name_the_argument(xor_net: Network, kwargs: dict, match: str) -> None:
    X, T = xor()
    with pytest.raises(ValueError, match=match):
        train(xor_net, X, T, **kwargs)


def test_bad_data_and_network(xor_net: Network) -> None:
    X, T = xor()
    with pytest.raises(ValueError, match=r"^T: expected shape \(N, 1\)"):
        train(xor_net, X, np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"^X and T: expected the same number of rows"):
        train(xor_net, X, T[:3])
    with pytest.raises(ValueError, match=r"^X: contains NaN"):
        train(xor_net, np.where(X == 1, np.nan, X), T)
    with pytest.raises(ValueError, match=r"^net: expected a bpderive.Network, got 'dict'"):
        train({"sizes": (2, 3, 1)}, X, T)


# ---------------------------------------------------------------------------- hidden size


def test_suggest_hidden_rules() -> None:
    rules = suggest_hidden(2, 2)
    assert [rules[f"sqrt(n+m)+{a}"] for a in range(1, 11)] == list(range(3, 13))
    assert rules["log2(n)"] == 1 and rules["sqrt(n*m)"] == 2
    rules = suggest_hidden(16, 8)  # sqrt(24) = 4.90, log2(16) = 4, sqrt(128) = 11.3
    assert rules["sqrt(n+m)+1"] == 6 and rules["sqrt(n+m)+10"] == 15
    assert rules["log2(n)"] == 4 and rules["sqrt(n*m)"] == 11
    assert suggest_hidden(1, 1)["log2(n)"] == 1
    with pytest.raises(ValueError, match=r"^n_inputs: expected an int >= 1, got 0"):
        suggest_hidden(0, 2)
    with pytest.raises(ValueError, match=r"^n_outputs:"):
        suggest_hidden(2, 1.5)


def test_sweep_hidden_trains_each_size_and_picks_the_best_on_validation() -> None:
    X, T = sine(n=60, seed=0)
    parts = split(X, T, seed=0)
    sweep = sweep_hidden(
        *parts.train,
        *parts.validation,
        candidates=(4, 1),
        activations=("tanh", "linear"),
        seeds=(0, 1),
        eta1=0.1,
        momentum=0.9,
        epochs=300,
        max_fail=50,
    )
    assert [row.hidden for row in sweep.rows] == [1, 4]
    for row in sweep.rows:
        assert row.val_cost == row.result.val_cost
        assert row.seed in (0, 1)
    assert sweep.best_hidden == min(sweep.rows, key=lambda r: r.val_cost).hidden == 4
    assert "<- best" in sweep.table().splitlines()[2]
    with pytest.raises(ValueError, match=r"^seed: expected not given"):
        sweep_hidden(*parts.train, *parts.validation, candidates=(2,), seed=3)
    with pytest.raises(ValueError, match=r"^candidates: expected an int >= 1, got 0"):
        sweep_hidden(*parts.train, *parts.validation, candidates=(0,))


# ---------------------------------------------------------------------------- plotting


def test_plot_history_marks_stop_best_and_rising_epochs(sine_net: Network) -> None:
    from matplotlib import figure

    from bpderive.display.plotting import plot_history

    X, T, T_val = make_overfitting_case()
    result = train(sine_net, X, T, init="gaussian", eta1=0.05, epochs=1000, validation=(X, T_val))
    ax = plot_history(result, ax=figure.Figure().subplots())
    labels = [line.get_label() for line in ax.get_lines()]
    assert "training cost" in labels and "validation cost" in labels
    assert f"stop: max_fail = 6, epoch {result.epochs}" in labels
    assert f"best validation (epoch {result.best_epoch})" in labels
    rising = ax.get_lines()[labels.index("max_fail counts: above its best")]
    np.testing.assert_array_equal(
        rising.get_xdata(), np.arange(result.best_epoch + 1, result.epochs + 1)
    )
    assert ax.get_yscale() == "log"


def test_plot_history_makes_its_own_axes_when_none_given(sine_net: Network) -> None:
    import matplotlib.pyplot as plt

    from bpderive.display.plotting import plot_history

    X, T = sine(n=10)
    result = train(sine_net, X, T, eta1=0.1, epochs=5)
    ax = plot_history(result)
    try:
        assert [line.get_label() for line in ax.get_lines()] == [
            "training cost",
            "stop: epochs, epoch 5",
        ]
        np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), result.history.cost)
    finally:
        plt.close(ax.figure)


def test_plot_history_of_a_diverged_run_draws_without_overflow(sine_net: Network) -> None:
    from matplotlib import figure

    from bpderive.display.plotting import plot_history

    X, T = sine(n=20)
    result = train(sine_net, X, T, eta1=50.0, epochs=500)
    assert result.stop_reason == "diverged"
    ax = plot_history(result, ax=figure.Figure().subplots())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow in the log axis would be a RuntimeWarning
        ax.figure.canvas.draw()
    assert ax.get_yscale() == "log"
    assert ax.get_ylim()[1] <= 1e200


def test_plot_without_matplotlib_says_how_to_install(
    sine_net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bpderive.display.plotting import plot_history

    X, T = sine(n=10)
    result = train(sine_net, X, T, epochs=2)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install bpderive\[plot\]"):
        plot_history(result)


# ---------------------------------------------------------------------------- review fixes


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"init_options": [1, 2]}, r"^init_options: expected None or a mapping .*got \[1, 2\]"),
        ({"init_options": {1: 2}}, r"^init_options: expected None or a mapping"),
        ({"init_options": "sigma=0.1"}, r"^init_options: expected None or a mapping"),
        (
            {"validation": (np.ones((4, 2)), np.ones((4, 1)), np.ones((4, 2)))},
            r"^validation: expected None or a pair \(X_val, T_val\), got a tuple of length 3$",
        ),
        ({"validation": [np.ones((4, 2))]}, r"^validation: .*got a list of length 1$"),
        ({"eta1": True}, r"^eta1: expected a finite learning rate"),
        ({"epochs": True}, r"^epochs: expected an int >= 0, got True"),
        ({"seed": 1.0}, r"^seed: expected a non-negative int, got 1\.0"),
        ({"shuffle": 1}, r"^shuffle: expected True or False, got 1"),
    ],
)
def test_more_bad_arguments_name_the_argument(xor_net: Network, kwargs: dict, match: str) -> None:
    X, T = xor()
    with pytest.raises(ValueError, match=match):
        train(xor_net, X, T, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"eta_inc": 1.2},
            r"^eta_inc: expected its default 1\.05: it acts only with adaptive=True",
        ),
        (
            {"eta_dec": 0.5},
            r"^eta_dec: expected its default 0\.7: it acts only with adaptive=True",
        ),
        ({"max_perf_inc": 1.1}, r"^max_perf_inc: expected its default 1\.04: .*adaptive=True"),
        ({"shuffle": False}, r"^shuffle: expected its default True: .*mode='online' or"),
        (
            {"shuffle": False, "algorithm": "lm"},
            r"^shuffle: expected no shuffle with algorithm='lm'",
        ),
        ({"max_fail": 20}, r"^max_fail: expected its default 6: .*validation=\(X_val, T_val\)"),
        ({"init": "xavier", "params": "start"}, r"^init: expected its default 'uniform': .*params"),
        (
            {"init_options": {"gain": 2.0}, "params": "start"},
            r"^init_options: expected None: it acts only with params=None.*got \{'gain': 2\.0\}",
        ),
    ],
)
def test_options_that_would_be_ignored_are_refused(
    xor_net: Network, kwargs: dict, match: str
) -> None:
    """An option that only acts together with another one, given while that one is off, is an
    error naming both, as the other algorithm's options are: never a silent no-op."""
    X, T = xor()
    if kwargs.get("params") == "start":
        kwargs = dict(kwargs, params=initialize(xor_net, "uniform", seed=0))
    with pytest.raises(ValueError, match=match):
        train(xor_net, X, T, epochs=1, **kwargs)


def test_dependent_options_are_accepted_where_they_act(xor_net: Network) -> None:
    X, T = xor()
    start = initialize(xor_net, "uniform", seed=0)
    train(xor_net, X, T, epochs=1, adaptive=True, eta_inc=1.2, eta_dec=0.5, max_perf_inc=1.1)
    train(xor_net, X, T, epochs=1, mode="online", shuffle=False)
    train(xor_net, X, T, epochs=1, mode="minibatch", batch_size=2, shuffle=False)
    train(xor_net, X, T, epochs=1, validation=(X, T), max_fail=20)
    # Defaults given explicitly, or no options at all, change nothing and pass.
    same = train(xor_net, X, T, epochs=3, params=start, init="uniform", init_options={})
    plain = train(xor_net, X, T, epochs=3, params=start)
    assert same.history.cost == plain.history.cost


def test_numpy_scalars_are_accepted_like_python_ones(xor_net: Network) -> None:
    X, T = xor()
    plain = train(xor_net, X, T, eta1=0.25, epochs=3, seed=2, momentum=0.5, mode="online")
    numpy = train(
        xor_net,
        X,
        T,
        eta1=np.float32(0.25),
        epochs=np.int64(3),
        seed=np.int64(2),
        momentum=np.float64(0.5),
        mode="online",
        shuffle=np.bool_(True),
    )
    assert numpy.history.cost == plain.history.cost


def test_shared_scalar_validators() -> None:
    from bpderive.checks import bool_scalar, int_scalar, real_scalar

    assert real_scalar("x", np.float32(0.5)) == 0.5 and real_scalar("x", np.int8(3)) == 3.0
    assert type(real_scalar("x", np.float32(0.5))) is float
    assert int_scalar("n", np.uint8(4), 1) == 4 and type(int_scalar("n", np.int64(4), 1)) is int
    assert bool_scalar("b", np.bool_(False)) is False
    for bad in (True, "1", None, math.inf, math.nan, np.array([1.0]), 1 + 0j):
        with pytest.raises(ValueError, match=r"^x: expected a finite number, got "):
            real_scalar("x", bad)
    with pytest.raises(ValueError, match=r"^x: expected a number > 2, got 1"):
        real_scalar("x", 1, "a number > 2", lambda v: v > 2)
    for bad in (True, 2.0, "2", 0):
        with pytest.raises(ValueError, match=r"^n: expected an int >= 1, got "):
            int_scalar("n", bad, 1)
    with pytest.raises(ValueError, match=r"^b: expected True or False, got 1"):
        bool_scalar("b", 1)


def test_large_finite_params_are_not_taken_for_divergence(xor_net: Network) -> None:
    """Three weights of 1e308 are finite (each saturates its unit), but their sum is inf: the
    finiteness test looks at every array, never at a sum that can overflow."""
    X, T = xor()
    start = initialize(xor_net, "uniform", seed=0)
    start["W1"] = np.array([[1e308, 0.0], [1e308, 0.0], [1e308, 0.0]])
    with np.errstate(over="ignore"):
        assert not np.isfinite(start["W1"].sum())  # the premise
    result = train(xor_net, X, T, params=start, eta1=0.1, epochs=2, min_grad=0)
    assert result.stop_reason == "epochs" and all(map(math.isfinite, result.history.cost))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"seeds": 3}, r"^seeds: expected a sequence such as \(0, 1, 2\), got 3$"),
        ({"seeds": "01"}, r"^seeds: expected a sequence"),
        ({"seeds": ()}, r"^seeds: expected at least one seed"),
        ({"seeds": (0, -1)}, r"^seeds: expected an int >= 0, got -1"),
        ({"candidates": 3}, r"^candidates: expected a sequence such as \(2, 4, 8\).*got 3$"),
        ({"candidates": ()}, r"^candidates: expected at least one hidden size"),
        ({"candidates": (2.5,)}, r"^candidates: expected an int >= 1, got 2\.5"),
        ({"validation": None}, r"^validation: expected not given"),
    ],
)
def test_sweep_hidden_argument_errors(kwargs: dict, match: str) -> None:
    X, T = sine(n=10, seed=0)
    with pytest.raises(ValueError, match=match):
        sweep_hidden(X, T, X, T, epochs=1, **kwargs)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ((np.array([["a"]]), np.ones((1, 1))), r"^X: expected numbers"),
        (([["a"]], [[1.0]]), r"^X: expected numbers"),
        ((np.ones((3, 1)), "abc"), r"^T: expected numbers, got the string 'abc'"),
        ((np.ones(3), np.ones((3, 1))), r"^X: expected a non-empty 2-D array \(N, n\).*\(3,\)"),
        ((np.ones((3, 1)), np.ones(3)), r"^T: expected a non-empty 2-D array"),
        ((np.ones((0, 1)), np.ones((0, 1))), r"^X: expected a non-empty 2-D array"),
    ],
)
def test_sweep_hidden_data_errors(data: tuple, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        sweep_hidden(*data, *data, candidates=(1,), epochs=1)


def test_plot_history_labels_an_adaptive_rate_rejection(sine_net: Network) -> None:
    from matplotlib import figure

    from bpderive.display.plotting import plot_history

    X, T = sine(n=40, seed=0)
    result = train(sine_net, X, T, eta1=3.0, adaptive=True, epochs=1)
    assert result.history.accepted == [True, False]  # the premise
    ax = plot_history(result, ax=figure.Figure().subplots())
    assert "step rejected (adaptive rate)" in [line.get_label() for line in ax.get_lines()]

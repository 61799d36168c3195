"""Saturated outputs, and targets a loss is not defined for.

A confident, correct network (outputs rounded to exactly 0 or 1) must report a finite cost and
finite gradients: the derived cross-entropy δ is ``out − target``, and ``0·log 0`` is 0 in the
limit. The expected numbers here come from a hand-written NumPy back-propagation.
"""

import mpmath
import numpy as np
import pytest
import sympy as sp

from bpderive import Network


def saturated_params(bias: float) -> dict[str, np.ndarray]:
    return {
        "W1": np.array([[0.5, -0.5], [0.25, 0.75], [-1.0, 0.5]]),
        "b1": np.array([0.1, -0.2, 0.3]),
        "W2": np.array([[1.0, 2.0, 3.0], [-1.0, -2.0, -3.0]]),
        "b2": np.array([bias, -bias]),
    }


def numpy_backprop(params, X, T):
    """Logistic hidden units, output δ = out − target (cross-entropy's, by hand)."""
    with np.errstate(over="ignore"):  # exp(800) is inf, and 1/(1 + inf) the 0 we want
        out1 = 1 / (1 + np.exp(-(X @ params["W1"].T + params["b1"])))
        out2 = 1 / (1 + np.exp(-(out1 @ params["W2"].T + params["b2"])))
    d2 = out2 - T
    d1 = (d2 @ params["W2"]) * out1 * (1 - out1)
    n = X.shape[0]
    return {"W1": d1.T @ X / n, "b1": d1.mean(0), "W2": d2.T @ out1 / n, "b2": d2.mean(0)}


def mpmath_cross_entropy(nets: np.ndarray, T: np.ndarray) -> float:
    """The mean binary cross-entropy from the output nets, as the formula reads, at 2000
    digits: enough for ``1 − out`` to be exact at ``|net|`` up to 4000 (independent of the
    package's log-sigmoid form)."""
    with mpmath.workdps(2000):
        total = mpmath.mpf(0)
        for net_row, t_row in zip(nets, T, strict=True):
            for net, t in zip(net_row, t_row, strict=True):
                out = 1 / (1 + mpmath.exp(-mpmath.mpf(float(net))))
                total -= t * mpmath.log(out) + (1 - t) * mpmath.log(1 - out)
        return float(total / len(nets))


@pytest.mark.parametrize("bias", [750.0, 800.0])
def test_binary_cross_entropy_stays_finite_when_outputs_saturate(bias):
    net = Network(loss="cross_entropy")
    c = net.compile()
    params = saturated_params(bias)
    X = np.array([[0.05, 0.1], [1.0, -1.0]])
    out = c.forward(params, X).output
    assert np.all((out == 0) | (out == 1))  # rounded to exactly 0 or 1 in float64
    right = out.copy()  # targets equal to the outputs: a perfect, confident network
    assert c.cost(params, X, right) == 0.0
    wrong = 1 - out
    # log(out) would be −log 0 = inf; the true cost, from the nets, is finite (about 1500)
    nets = c.forward(params, X).nets[-1]
    assert c.cost(params, X, wrong) == pytest.approx(mpmath_cross_entropy(nets, wrong), 1e-12)
    assert c.cost(params, X, wrong) > 1000
    for T in (right, wrong):
        grads = c.gradients(params, X, T)
        expected = numpy_backprop(params, X, T)
        for key in params:
            np.testing.assert_allclose(grads[key], expected[key], rtol=1e-12, atol=1e-300)


def test_softmax_cross_entropy_stays_finite_when_outputs_saturate():
    net = Network((2, 3, 2), ("logistic", "softmax"), "cross_entropy")
    c = net.compile()
    params = saturated_params(800.0)
    X = np.array([[0.05, 0.1]])
    out = c.forward(params, X).output
    np.testing.assert_array_equal(out, [[1.0, 0.0]])
    T = np.array([[1.0, 0.0]])
    assert c.cost(params, X, T) == 0.0
    nets = c.forward(params, X).nets[-1]
    with mpmath.workdps(60):  # −log softmax of the wrong class: log Σ e^net − net_o2
        lse = mpmath.log(sum(mpmath.exp(mpmath.mpf(float(n))) for n in nets[0]))
        expected = float(lse - mpmath.mpf(float(nets[0, 1])))
    assert c.cost(params, X, 1 - T) == pytest.approx(expected, rel=1e-12)
    grads = c.gradients(params, X, T)
    expected = numpy_backprop(params, X, T)  # softmax + cross-entropy δ is also out − target
    for key in params:
        np.testing.assert_allclose(grads[key], expected[key], rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("hidden", ["logistic", "tanh"])
def test_softmax_cross_entropy_cost_is_finite_at_logits_of_plus_minus_1000(hidden):
    """Ten classes, logits ±1000: every output rounds to 0 or to 1/5, and ``log(out)`` of a
    class at −1000 would be ``log 0``. The cost is taken as ``log Σ e^net − net_k`` instead:
    2000 + log 5 for a sample whose class is at −1000, log 5 for one whose class is at +1000;
    the δ, ``(out − target)/N``, stays finite too."""
    net = Network((3, 4, 10), (hidden, "softmax"), "cross_entropy")
    c = net.compile()
    rng = np.random.default_rng(0)
    logits = np.tile([1000.0, -1000.0], 5)
    params = {
        "W1": rng.normal(size=(4, 3)), "b1": rng.normal(size=4),
        "W2": np.zeros((10, 4)), "b2": logits,
    }  # fmt: skip
    X = rng.normal(size=(2, 3))
    T = np.eye(10)[[1, 0]]  # the first sample's class is at −1000, the second's at +1000
    out = c.forward(params, X).output
    np.testing.assert_array_equal(out, np.tile([0.2, 0.0], (2, 5)))
    with mpmath.workdps(50):
        wrong = mpmath.mpf(2000) + mpmath.log(5)
        expected = float((wrong + mpmath.log(5)) / 2)
    cost, grads = c.cost_and_gradients(params, X, T)
    assert cost == pytest.approx(expected, rel=1e-14)
    assert all(np.isfinite(g).all() for g in grads.values())
    np.testing.assert_allclose(grads["b2"], (out - T).mean(axis=0), rtol=1e-15)


def test_the_displayed_chain_keeps_the_unsimplified_product():
    """The learner reads the derivation as derived; only the compiled rule is simplified."""
    net = Network(loss="cross_entropy")
    first, second = net.delta("o1").factors
    out, target = net.symbol("out_o1"), net.symbol("target_o1")
    assert second.expr == out * (1 - out)
    assert sp.simplify(first.expr * second.expr - (out - target)) == 0


@pytest.mark.parametrize("bad", [[[1.5, 0.0]], [[-0.1, 0.5]]])
def test_cross_entropy_targets_must_be_probabilities(bad):
    net = Network(loss="cross_entropy")
    params = saturated_params(0.0)
    with pytest.raises(ValueError, match=r"^T: cross_entropy needs targets in \[0, 1\]"):
        net.compile().gradients(params, [[0.0, 1.0]], bad)
    with pytest.raises(ValueError, match=r"^target: cross_entropy needs targets in \[0, 1\]"):
        net.gradient("w5").evaluate(params, [0.0, 1.0], bad[0])


def test_softmax_cross_entropy_targets_must_sum_to_one():
    net = Network((2, 3, 2), ("logistic", "softmax"), "cross_entropy")
    with pytest.raises(ValueError, match=r"^T: softmax cross-entropy needs each row to sum to 1"):
        net.compile().cost(saturated_params(0.0), [[0, 1], [1, 0]], [[0.5, 0.5], [0.5, 0.25]])


def test_squared_error_accepts_any_real_targets():
    net = Network((2, 3, 2), ("tanh", "linear"))
    assert np.isfinite(net.compile().cost(saturated_params(0.0), [[0, 1]], [[3.0, -2.0]]))


def test_huge_but_finite_values_pass_the_fast_finiteness_test():
    """Values near the float limit are finite: the checks must not mistake them for infinities
    (as a test that sums an array first would), and must still find a real one."""
    net = Network((2, 3, 2), ("tanh", "linear"))
    params = saturated_params(0.0)
    params["W1"] = np.array([[1e308, 1e308], [0.0, 0.0], [0.0, 0.0]])
    X = np.array([[1e308, 1e308], [0.0, 0.0]])
    out = net.compile().forward(params, X).output
    assert out.shape == (2, 2)
    with pytest.raises(
        ValueError, match=r"^X: contains NaN or infinite values \(first at \[1, 0\]\)"
    ):
        net.compile().forward(params, np.array([[1e308, 1e308], [np.inf, 0.0]]))
    params["b1"] = np.array([0.0, np.nan, 0.0])
    with pytest.raises(ValueError, match=r"^params\['b1'\]: contains NaN .* \[1\]"):
        net.compile().forward(params, X)

"""``compile(backend="jax")``: the derived rules as jitted JAX code.

Checked three ways: against the NumPy network (itself checked against finite differences and
autograd in ``test_gradients.py``), against JAX's own autodiff of the JAX forward pass (the
backward rules are derived, not ``jax.grad``, so this is an independent check of them), and, for
whole training runs, against :func:`bpderive.train` from the same start.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest
from networks import CASES, data

from bpderive import Network, initialize, train
from bpderive.data import sine, xor


def relative(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> float:
    return max(float(np.max(np.abs(a[k] - b[k])) / np.max(np.abs(b[k]))) for k in b)


@pytest.mark.parametrize(("sizes", "activations", "loss"), CASES)
def test_gradients_equal_numpy_and_jax_autodiff(sizes, activations, loss) -> None:  # noqa: ANN001
    net = Network(sizes, activations, loss)
    fast, numpy = net.compile(backend="jax"), net.compile()
    params, X, T = data(net, 40)
    cost, grads = fast.cost_and_gradients(params, X, T)
    assert all(g.dtype == np.float64 for g in grads.values())
    assert cost == pytest.approx(numpy.cost(params, X, T), rel=1e-12)
    assert relative(grads, numpy.gradients(params, X, T)) < 1e-12
    order = list(params)
    arrays = tuple(params[k] for k in order)
    autodiff = jax.grad(lambda p: fast._pass(p, X, T)[0])(arrays)  # noqa: SLF001
    assert relative(grads, {k: np.asarray(g) for k, g in zip(order, autodiff, strict=True)}) < 1e-12


@pytest.mark.parametrize("sizes", [(2, 3, 3), (4, 5, 10), (64, 30, 10)])
@pytest.mark.parametrize("hidden", ["logistic", "tanh"])
def test_softmax_cross_entropy_equals_jax_grad_of_log_softmax(sizes, hidden) -> None:  # noqa: ANN001
    """The proved straight-line δ ``(out − target)/N`` (both backends) against ``jax.grad`` of
    the cost written with JAX's own ``log_softmax``, on random data."""
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    net = Network(sizes, (hidden, "softmax"), "cross_entropy")
    params, X, T = data(net, 50, seed=sum(sizes))
    f = jax.nn.sigmoid if hidden == "logistic" else jnp.tanh

    def cost(p: dict) -> jnp.ndarray:
        logits = f(X @ p["W1"].T + p["b1"]) @ p["W2"].T + p["b2"]
        return -jnp.mean(jnp.sum(T * jax.nn.log_softmax(logits, axis=1), axis=1))

    expected = {k: np.asarray(g) for k, g in jax.grad(cost)(params).items()}
    numpy = net.compile()
    assert "_delta(" not in numpy.source
    assert relative(numpy.gradients(params, X, T), expected) < 1e-12
    assert relative(net.compile(backend="jax").gradients(params, X, T), expected) < 1e-12
    assert numpy.cost(params, X, T) == pytest.approx(float(cost(params)), rel=1e-13)


@pytest.mark.parametrize(
    ("problem", "eta1", "momentum"), [("xor", 0.5, 0.0), ("sine", 0.1, 0.9), ("sine", 0.3, 0.0)]
)
def test_descend_takes_train_s_steps(problem: str, eta1: float, momentum: float) -> None:
    if problem == "xor":
        net, (X, T) = Network((2, 3, 1)), xor()
    else:
        net, (X, T) = Network((1, 5, 1), ("tanh", "linear")), sine()
    start = initialize(net, "uniform", 1)
    options = {"eta1": eta1, "eta2": eta1 / 2, "momentum": momentum, "epochs": 300}
    run = net.compile(backend="jax").descend(start, X, T, **options)
    reference = train(net, X, T, params=start, min_grad=0.0, **options)
    assert run.stop_reason == reference.stop_reason == "epochs"
    assert run.epochs == reference.epochs == 300
    np.testing.assert_allclose(run.costs, reference.history.cost, rtol=1e-12)
    assert relative(run.params, reference.params) < 1e-12
    for key in start:  # the start is the caller's, untouched
        assert not np.array_equal(start[key], run.params[key])


def test_descend_stops_at_the_goal_and_at_divergence_as_train_does() -> None:
    net, (X, T) = Network((2, 3, 1)), xor()
    start = initialize(net, "uniform", 1)
    fast = net.compile(backend="jax")
    run = fast.descend(start, X, T, eta1=0.5, epochs=20000, goal=1e-3)
    reference = train(net, X, T, params=start, eta1=0.5, epochs=20000, goal=1e-3, min_grad=0.0)
    assert (run.stop_reason, run.epochs) == (reference.stop_reason, reference.epochs)
    assert run.costs[-1] <= 1e-3 < run.costs[-2]
    sine_net, (Xs, Ts) = Network((1, 4, 1), ("tanh", "linear")), sine(n=50, seed=0)
    start = initialize(sine_net, "uniform", 0)
    run = sine_net.compile(backend="jax").descend(start, Xs, Ts, eta1=3.0, epochs=500)
    reference = train(sine_net, Xs, Ts, params=start, eta1=3.0, epochs=500, min_grad=0.0)
    assert run.stop_reason == reference.stop_reason == "diverged"
    assert all(np.isfinite(p).all() for p in run.params.values())
    assert np.isfinite(run.costs[:-1]).all() and not np.isfinite(run.costs[-1])


def test_bad_input_is_refused_with_the_numpy_network_s_messages() -> None:
    net = Network()
    fast = net.compile(backend="jax")
    params, X, T = data(net, 4)
    with pytest.raises(ValueError, match=r"^backend: expected 'numpy' or 'jax', got 'torch'"):
        net.compile(backend="torch")
    with pytest.raises(ValueError, match=r"^eta1: expected a finite learning rate >= 0, got -1"):
        fast.descend(params, X, T, eta1=-1)
    with pytest.raises(ValueError, match=r"^momentum: expected a momentum in \[0, 1\), got 1"):
        fast.descend(params, X, T, momentum=1)
    with pytest.raises(ValueError, match=r"^epochs: expected an int >= 0, got 2.5"):
        fast.descend(params, X, T, epochs=2.5)
    with pytest.raises(ValueError, match=r"^T: expected the targets"):
        fast.gradients(params, X, None)
    bad = {**params, "W1": np.zeros((2, 3))}
    with pytest.raises(ValueError) as jax_error:
        fast.gradients(bad, X, T)
    with pytest.raises(ValueError) as numpy_error:
        net.compile().gradients(bad, X, T)
    assert str(jax_error.value) == str(numpy_error.value)
    linear = Network((2, 3, 2), ("tanh", "linear"))
    huge = {**data(linear, 4)[0], "b2": np.full(2, 1e200)}  # out² overflows
    with pytest.raises(FloatingPointError, match=r"^params, X: the cost or the gradient overflow"):
        linear.compile(backend="jax").cost_and_gradients(huge, X, T)
    with pytest.raises(FloatingPointError):
        linear.compile().cost_and_gradients(huge, X, T)

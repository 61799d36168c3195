"""The compiled Jacobian of the errors, ``J = ∂e/∂w`` with ``e = target − out``.

Checked against central finite differences of a forward pass written here in plain NumPy (not
the compiled one), against the chains of ``net.jacobian(o)`` evaluated by SymPy for one sample,
and against the compiled gradient through the scaling relation derived below.
"""

from __future__ import annotations

import numpy as np
import pytest

from bpderive import Network, example, initialize

ACTIVATIONS = {
    "logistic": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
    "elu": lambda z: np.where(z > 0, z, np.expm1(z)),
}


def softmax(z: np.ndarray) -> np.ndarray:
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def layer_nets(net: Network, w: np.ndarray, X: np.ndarray) -> list[np.ndarray]:
    """Every layer's net input, from a flat parameter vector in ``net.parameter_names`` order
    (per layer: W row by row, then b), computed without bpderive's numerics."""
    nets, out, start = [], X, 0
    for layer, name in enumerate((a.name for a in net.activations), start=1):
        n_in, n_out = net.sizes[layer - 1], net.sizes[layer]
        W = w[start : start + n_out * n_in].reshape(n_out, n_in)
        start += n_out * n_in
        b = w[start : start + n_out]
        start += n_out
        z = out @ W.T + b
        nets.append(z)
        out = softmax(z) if name == "softmax" else ACTIVATIONS[name](z)
    return nets + [out]


def errors(net: Network, w: np.ndarray, X: np.ndarray, T: np.ndarray) -> np.ndarray:
    """``e``, sample-major: entry ``n·m + k`` is ``target_k − out_k`` of sample ``n``."""
    return (T - layer_nets(net, w, X)[-1]).ravel()


def finite_differences(net: Network, w: np.ndarray, X: np.ndarray, T: np.ndarray) -> np.ndarray:
    h = 1e-6
    columns = []
    for i in range(w.size):
        up, down = w.copy(), w.copy()
        up[i] += h
        down[i] -= h
        columns.append((errors(net, up, X, T) - errors(net, down, X, T)) / (2 * h))
    return np.column_stack(columns)


def flat(net: Network, params: dict[str, np.ndarray]) -> np.ndarray:
    """Flatten by looking every parameter name up in the mapping (independent of the code's
    own ``flatten``)."""
    return np.array([params[p.key][p.index] for p in net.parameters.values()])


CASES = [
    ((2, 3, 2), "logistic", "half_sse"),
    ((3, 4, 4, 2), ("tanh", "relu", "linear"), "mse"),
    ((3, 4, 4, 2), "logistic", "half_sse"),
    ((2, 4, 2), ("elu", "tanh"), "half_sse"),
    ((2, 3, 3), ("tanh", "softmax"), "half_sse"),
    ((3, 2), "linear", "half_sse"),
]


@pytest.mark.parametrize(("sizes", "activations", "loss"), CASES)
def test_jacobian_matches_finite_differences(sizes, activations, loss) -> None:
    net = Network(sizes, activations, loss)
    rng = np.random.default_rng(7)
    params = initialize(net, "uniform", 3)
    X = rng.normal(size=(6, sizes[0]))
    T = rng.uniform(0.1, 0.9, size=(6, sizes[-1]))
    names = [a.name for a in net.activations]
    if names[-1] == "softmax":
        T = T / T.sum(axis=1, keepdims=True)
    w = flat(net, params)
    if "relu" in names:
        # Finite differences are only valid away from the kink at net = 0.
        relu_layer = names.index("relu")
        assert np.min(np.abs(layer_nets(net, w, X)[relu_layer])) > 1e-3
    J = net.compile().jacobian(params, X, T)
    m = sizes[-1]
    assert J.shape == (6 * m, len(net.parameter_names))
    np.testing.assert_allclose(J, finite_differences(net, w, X, T), atol=1e-8, rtol=1e-6)
    e, J2 = net.compile().errors_and_jacobian(params, X, T)
    np.testing.assert_allclose(e, errors(net, w, X, T), atol=1e-14)
    np.testing.assert_array_equal(J, J2)


@pytest.mark.parametrize("softmax_output", [False, True])
def test_rows_are_the_derived_chains(softmax_output: bool) -> None:
    """Row k of J for one sample is ∂e_ok/∂p for every p, as SymPy evaluates the chains."""
    if softmax_output:
        net = Network((2, 3, 3), ("tanh", "softmax"), "half_sse")
        params = initialize(net, "uniform", 5)
        x, target = np.array([0.3, -0.7]), np.array([0.2, 0.5, 0.3])
    else:
        ex = example()
        net, params, x, target = ex.net, ex.params, ex.x, ex.target
    J = net.compile().jacobian(params, x, target)
    for k, unit in enumerate(net.layers[-1]):
        chains = net.jacobian(unit.name)
        row = [chains[name].evaluate(params, x, target).value for name in net.parameter_names]
        np.testing.assert_allclose(J[k], row, rtol=1e-12, atol=1e-15)


def test_article_row_by_hand() -> None:
    """∂e_o1/∂w5 = −out_o1(1 − out_o1)·out_h1 and ∂e_o2/∂w5 = 0 (w5 does not reach o2), from the
    worked example's numbers computed here."""
    ex = example()
    W1, b1, W2, b2 = (ex.params[k] for k in ("W1", "b1", "W2", "b2"))
    out_h = 1 / (1 + np.exp(-(W1 @ ex.x + b1)))
    out_o = 1 / (1 + np.exp(-(W2 @ out_h + b2)))
    J = ex.net.compile().jacobian(ex.params, ex.x, ex.target)
    column = ex.net.parameter_names.index("w_(1,1)")
    assert J[0, column] == pytest.approx(-out_o[0] * (1 - out_o[0]) * out_h[0], rel=1e-12)
    assert J[1, column] == 0.0


@pytest.mark.parametrize(("loss", "m"), [("half_sse", 2), ("mse", 3)])
def test_gradient_is_scaled_jacobian_transpose_times_errors(loss: str, m: int) -> None:
    """With e = t − y and J = ∂e/∂w:

    half_sse: E = 1/N Σ_n ½ Σ_k e_nk², so ∂E/∂w = 1/N Σ_nk e_nk·∂e_nk/∂w = (1/N)·Jᵀe;
    mse:      E = 1/N Σ_n 1/m Σ_k e_nk², so ∂E/∂w = 2/(N·m)·Jᵀe.

    (In terms of J_y = ∂y/∂w = −J this is the familiar ∇E = −(1/N)·J_yᵀe.)"""
    net = Network((3, 4, m), ("tanh", "logistic"), loss)
    c = net.compile()
    rng = np.random.default_rng(11)
    X = rng.normal(size=(9, 3))
    T = rng.uniform(size=(9, m))
    params = initialize(net, "uniform", 2)
    e, J = c.errors_and_jacobian(params, X, T)
    scale = 1 / 9 if loss == "half_sse" else 2 / (9 * m)
    grads = c.gradients(params, X, T)
    np.testing.assert_allclose(scale * J.T @ e, flat(net, grads), rtol=1e-10, atol=1e-15)


def test_flatten_follows_parameter_names_and_round_trips() -> None:
    net = Network((3, 4, 4, 2))
    c = net.compile()
    params = initialize(net, "uniform", 0)
    vector = c.flatten(params)
    np.testing.assert_array_equal(vector, flat(net, params))
    assert c.n_parameters == vector.size == len(net.parameter_names)
    back = c.unflatten(vector)
    assert list(back) == list(params)
    for key in params:
        np.testing.assert_array_equal(back[key], params[key])
    with pytest.raises(ValueError, match=r"vector: expected shape \(46,\)"):
        c.unflatten(vector[:-1])


def test_jacobian_checks_its_arguments() -> None:
    net = Network()
    c = net.compile()
    params = initialize(net, "uniform", 0)
    with pytest.raises(ValueError, match="X"):
        c.jacobian(params, np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="W1"):
        c.jacobian({**params, "W1": np.zeros((2, 2))}, np.zeros((4, 2)), np.zeros((4, 2)))


def test_flatten_and_unflatten_refuse_bad_input():
    c = Network().compile()
    with pytest.raises(ValueError, match=r"^vector: expected numbers"):
        c.unflatten("abc")
    with pytest.raises(ValueError, match=r"^vector: expected shape \(17,\)"):
        c.unflatten(np.zeros(16))
    with pytest.raises(ValueError, match=r"^params: missing key"):
        c.flatten({"W1": 1})

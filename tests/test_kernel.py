"""The generated kernel: in-place code from the derived rules, its workspaces and its fast path.

The gradients themselves are checked against finite differences and an independent autodiff in
``test_gradients.py``; here: the same numbers whatever path a call takes, no result ever shared
with a later call, and the source a learner can read.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy as sp
from networks import CASES, data

from bpderive import Network, initialize, train
from bpderive.numeric.inplace import InPlace
from bpderive.symbolic.notation import NET, OUT, TARGET
from bpderive.symbolic.rules import _normalised


@pytest.mark.parametrize(("sizes", "activations", "loss"), CASES)
def test_every_path_gives_the_same_numbers(sizes, activations, loss) -> None:  # noqa: ANN001
    """The checked fast path (flat parameters), the same with separate arrays and Fortran-ordered
    data, the full checks (lists), the training loop's unchecked path with ``out=``: bit for
    bit the same."""
    net = Network(sizes, activations, loss)
    c = net.compile()
    params, X, T = data(net, 9)
    flat = c.unflatten(c.flatten(params))
    cost, grads = c.cost_and_gradients(flat, X, T)
    others = [
        c.cost_and_gradients(params, np.asfortranarray(X), np.asfortranarray(T)),
        c.cost_and_gradients(params, X.tolist(), T.tolist()),
    ]
    out = {k: np.empty_like(v) for k, v in params.items()}
    others.append(c.cost_and_gradients(params, X, T, check=False, out=out))
    for other_cost, other in others:
        assert other_cost == cost
        for key in grads:
            np.testing.assert_array_equal(other[key], grads[key])
    assert all(out[k] is others[-1][1][k] for k in out)
    assert c.cost(params, X, T) == cost
    np.testing.assert_array_equal(c.gradients(flat, X, T)["W1"], grads["W1"])


def test_a_result_is_never_overwritten_by_a_later_call() -> None:
    net = Network()
    c = net.compile()
    params, X, T = data(net, 5)
    first = c.gradients(params, X, T)
    kept = {k: v.copy() for k, v in first.items()}
    for n in (5, 7, 5, 1, 2, 3, 4, 5):  # more batch sizes than the workspaces kept
        c.gradients(params, *data(net, n, seed=n)[1:])
    for key in kept:
        np.testing.assert_array_equal(first[key], kept[key])


def test_nan_in_the_data_is_found_by_the_fast_path_and_named() -> None:
    net = Network()
    c = net.compile()
    params, X, T = data(net, 4)
    flat = c.unflatten(c.flatten(params))
    X[2, 1] = np.nan
    with pytest.raises(
        ValueError, match=r"^X: contains NaN or infinite values \(first at \[2, 1\]"
    ):
        c.gradients(flat, X, T)
    X[2, 1], T[0, 0] = 0.0, np.inf
    with pytest.raises(
        ValueError, match=r"^T: contains NaN or infinite values \(first at \[0, 0\]"
    ):
        c.cost_and_gradients(flat, X, T)
    T[0, 0] = 0.5
    flat["b2"][1] = np.nan
    with pytest.raises(ValueError, match=r"^params\['b2'\]: contains NaN"):
        c.gradients(flat, X, T)


@pytest.mark.parametrize("layout", ["one vector", "separate arrays"])
def test_an_infinite_weight_is_refused_though_its_gradient_is_finite(layout: str) -> None:
    # w_(x1,1) = +inf saturates h1 for x1 > 0: out_h1 = 1 exactly, f'(net_h1) = 0, and every
    # gradient stays finite, so only a check of the parameters themselves can catch it.
    net = Network()
    c = net.compile()
    params, X, T = data(net, 4)
    X = np.abs(X) + 0.1
    params = c.unflatten(c.flatten(params)) if layout == "one vector" else dict(params)
    params["W1"] = params["W1"] if layout == "one vector" else params["W1"].copy()
    params["W1"][0, 0] = np.inf
    with np.errstate(all="ignore"):
        assert all(np.isfinite(g).all() for g in c._run(params, X, T, False, False)[1].values())
    for call in (c.gradients, c.cost_and_gradients):
        with pytest.raises(ValueError, match=r"^params\['W1'\]: contains NaN or infinite"):
            call(params, X, T)


def test_out_receives_the_gradients_and_is_checked() -> None:
    net = Network()
    c = net.compile()
    params, X, T = data(net, 4)
    out = {k: np.zeros_like(v) for k, v in params.items()}
    got = c.gradients(params, X, T, out=out)
    assert all(got[k] is out[k] for k in out)
    np.testing.assert_array_equal(out["W2"], c.gradients(params, X, T)["W2"])
    with pytest.raises(ValueError, match=r"^out: expected a dict with keys W1, b1, W2, b2"):
        c.gradients(params, X, T, out={"W1": out["W1"]})
    with pytest.raises(ValueError, match=r"^out\['b1'\]: expected a float array of shape \(3,\)"):
        c.gradients(params, X, T, out={**out, "b1": np.zeros(4)})


def test_unflatten_and_initialize_give_views_of_one_vector() -> None:
    net = Network()
    c = net.compile()
    vector = np.arange(17.0)
    params = c.unflatten(vector)
    vector[0] = 99.0
    assert params["W1"][0, 0] == 99.0
    started = initialize(net, "uniform", seed=0)
    base = started["W1"].base
    assert base is not None and all(v.base is base for v in started.values())
    result = train(net, *data(net, 6)[1:], params=started, epochs=3)
    assert all(v.base is result.params["W1"].base for v in result.params.values())


def test_the_source_is_the_derived_rules_as_code() -> None:
    c = Network().compile()
    gradients = c.source.split("def forward")[0]
    # out = 1/(1 + e^(−net)) in four in-place steps, and δ's local factor out(1 − out)
    for line in ("negative(out1, out1)", "exp(out1, out1)", "divide(1.0, out1, out1)"):
        assert line in gradients
    assert "subtract(1.0, out1, d1_0)" in gradients and "multiply(d1, out1, d1)" in gradients
    assert "matmul(ones, d1, gb1)" in gradients


@pytest.mark.parametrize("classes", [2, 3, 4, 5, 6, 10])
def test_softmax_cross_entropy_delta_is_one_in_place_line_for_any_number_of_classes(
    classes: int,
) -> None:
    """The output δ of softmax with the cross-entropy, proved ``out − target`` for every unit
    (targets summing to one), is two in-place lines like an element-wise layer's; no per-unit
    code is called. With the half-SSE the units' δ stay coupled and the per-unit rules remain."""
    net = Network((2, 3, classes), ("tanh", "softmax"), "cross_entropy")
    assert net.rules.output.shared_delta == OUT - TARGET
    gradients = net.compile().source.split("def forward")[0]
    assert "subtract(out2, T, d2)\n    multiply(d2, inv_n, d2)\n" in gradients
    assert "_delta(" not in gradients
    softmax = "    np.maximum.reduce(net2, 1, None, s2, True)\n    subtract(net2, s2, z2)\n"
    softmax += "    exp(z2, out2)\n    add.reduce(out2, 1, None, s2, True)\n"
    softmax += "    divide(out2, s2, out2)\n"
    assert softmax in gradients and "_softmax" not in gradients
    squares = Network((2, 3, classes), ("tanh", "softmax"), "half_sse")
    assert squares.rules.output.shared_delta is None
    assert "np.copyto(d2, _delta(out2, T, net2))" in squares.compile().source


def test_a_normalised_layer_is_compiled_only_in_the_form_proved() -> None:
    """``g(net_k)/Σ g(net_j)`` with a ``g`` that a shift of every net leaves unchanged: exp
    passes; squares (a shift changes the quotient) and mixed numerators are refused."""
    a, b = sp.symbols("net_a net_b")
    assert _normalised(
        (sp.exp(a) / (sp.exp(a) + sp.exp(b)), sp.exp(b) / (sp.exp(a) + sp.exp(b))), (a, b)
    ) == sp.exp(NET)
    with pytest.raises(RuntimeError, match="a shift of every net changes the quotients"):
        _normalised((a**2 / (a**2 + b**2), b**2 / (a**2 + b**2)), (a, b))
    with pytest.raises(RuntimeError, match=r"is not g\(net\)/Σ g\(net_j\) for one g"):
        _normalised((sp.exp(a) / (sp.exp(a) + b**2), b**2 / (sp.exp(a) + b**2)), (a, b))


def test_in_place_code_computes_its_expression() -> None:
    """Every operation the emitter knows, against SymPy's own lambdify, on one array."""
    x = np.linspace(-3.0, 3.0, 13)
    exprs = [
        1 / (1 + sp.exp(-NET)),
        sp.log(1 + sp.exp(NET)),
        1 - sp.exp(-NET),
        sp.exp(NET) - 1,
        NET**2 / 3 - 2 * NET + 1,
        sp.tanh(NET) * NET - sp.sqrt(NET**2 + 1),
        -(NET**3),
        sp.Piecewise((NET / 4, NET <= 0), (NET, True)),
        2 / (NET**2 + 1) ** 2,
    ]
    for expr in exprs:
        code = InPlace({NET: "x"}, "t")
        code.assign(expr, "out")
        names = {"np": np, "out": np.empty_like(x), "x": x, **code.helpers}
        names.update({f"t{k}": np.empty_like(x) for k in range(code.n_temps)})
        for name in ("add", "subtract", "multiply", "divide", "negative", "square", "sqrt"):
            names[name] = getattr(np, name)
        names.update(exp=np.exp, expm1=np.expm1, logaddexp=np.logaddexp, tanh=np.tanh)
        names.update(power=np.power, log=np.log)
        exec("\n".join(code.lines), names)  # noqa: S102 - code generated from our own expressions
        expected = sp.lambdify(NET, expr, "numpy")(x)
        np.testing.assert_allclose(names["out"], expected, rtol=1e-14, atol=1e-15)


def test_the_generated_source_is_documented_in_the_language_in_use():
    """``compile().source`` is shown to learners (notebook 04): its docstrings follow the
    language at compile time, and the code itself is the same in both."""
    from bpderive.language import set_language

    english = Network().compile().source
    assert '"""∂E/∂W and ∂E/∂b into the g arrays; the cost if want_cost (else NaN)."""' in english
    set_language("zh")
    chinese = Network().compile().source
    assert "写进 g 数组" in chinese and "写进工作区" in chinese
    docstrings = re.compile(r'""".*?"""')
    assert docstrings.sub("", chinese) == docstrings.sub("", english)

"""Every derived gradient checked two independent ways, and the worked example by hand.

* central finite differences of the cost, for several sizes and depths and every valid
  activation/loss combination;
* automatic differentiation by ``autograd`` of a cost written here in ``autograd.numpy`` from the
  article's formulas (``net = a·Wᵀ + b``, the activations, the losses), sharing no code with
  bpderive;
* the worked example's numbers against plain ``math`` (the ``article`` fixture, conftest.py);
* the compiled NumPy gradients against the symbolic chains' own numbers (``ChainRule.evaluate``);
* the LaTeX and text of a chain, and the size of every local expression the derivation uses.
"""

from __future__ import annotations

import functools
import zlib

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
import sympy as sp

from bpderive import Network, example
from bpderive.symbolic.activations import leaky_relu
from bpderive.symbolic.chain import Factor
from bpderive.symbolic.notation import latex

HIDDEN = ["logistic", "tanh", "linear", "relu", "softplus", "elu", "leaky_relu"]
OUTPUT_LOSS = [(out, loss) for out in [*HIDDEN, "softmax"] for loss in ("half_sse", "mse")]
OUTPUT_LOSS += [("logistic", "cross_entropy"), ("softmax", "cross_entropy")]
# the article's, a smaller one, a deep one, and two hidden layers of different widths
SIZES = [(2, 3, 2), (2, 2, 2), (3, 4, 4, 2), (2, 5, 3, 3)]
KINKED = {"relu", "leaky_relu", "elu"}
N_SAMPLES = 4
FD_STEP = 1e-5
FD_RTOL, FD_ATOL = 1e-6, 1e-9
AD_RTOL, AD_ATOL = 1e-10, 1e-14


def activations_for(sizes, hidden, output):
    """One name per weight layer. With two hidden layers the second one takes the next
    activation of the list, so that layers with different activations are covered too."""
    names = [hidden]
    if len(sizes) == 4:
        names.append(HIDDEN[(HIDDEN.index(hidden) + 1) % len(HIDDEN)])
    return (*names, output)


CASES = [
    pytest.param(
        sizes, activations_for(sizes, hidden, out), loss, id=f"{sizes}-{hidden}-{out}-{loss}"
    )
    for sizes in SIZES
    for hidden in HIDDEN
    for out, loss in OUTPUT_LOSS
]


# --------------------------------------------------------------- the independent reference


def ref_activation(name, x, slope=0.25):
    if name == "logistic":
        return 1.0 / (1.0 + anp.exp(-x))
    if name == "tanh":
        return anp.tanh(x)
    if name == "linear":
        return x
    if name == "relu":
        return anp.where(x > 0, x, 0.0 * x)
    if name == "softplus":
        return anp.log(1.0 + anp.exp(x))
    if name == "elu":
        return anp.where(x > 0, x, anp.exp(x) - 1.0)
    if name == "leaky_relu":
        return anp.where(x > 0, x, slope * x)
    if name == "softmax":
        e = anp.exp(x)
        return e / anp.sum(e, axis=1, keepdims=True)
    raise AssertionError(name)


def ref_forward(weights, X, activations, slope=0.25):
    """``weights`` is [W1, b1, W2, b2, ...]; net = a·Wᵀ + b, out = f(net), layer by layer."""
    a, nets = X, []
    for layer, name in enumerate(activations):
        net = anp.dot(a, weights[2 * layer].T) + weights[2 * layer + 1]
        nets.append(net)
        a = ref_activation(name, net, slope)
    return nets, a


def ref_cost(weights, X, T, activations, loss, slope=0.25):
    """The mean over samples of E_total = Σ_k E_ok."""
    _, out = ref_forward(weights, X, activations, slope)
    if loss == "half_sse":
        per_sample = 0.5 * anp.sum((T - out) ** 2, axis=1)
    elif loss == "mse":
        per_sample = anp.sum((T - out) ** 2, axis=1) / T.shape[1]
    elif activations[-1] == "softmax":
        per_sample = -anp.sum(T * anp.log(out), axis=1)
    else:
        per_sample = -anp.sum(T * anp.log(out) + (1.0 - T) * anp.log(1.0 - out), axis=1)
    return anp.mean(per_sample)


def keys(sizes):
    return [k for layer in range(1, len(sizes)) for k in (f"W{layer}", f"b{layer}")]


def random_problem(sizes, activations, seed, n=N_SAMPLES):
    """float64 parameters, inputs and targets; redrawn until every net of a kinked layer is at
    least 1e-3 from 0, so that no finite-difference step crosses a kink."""
    rng = np.random.default_rng(seed)
    for _ in range(1000):
        weights = []
        for layer in range(1, len(sizes)):
            fan_in = sizes[layer - 1]
            weights.append(rng.normal(0.0, 1.0 / np.sqrt(fan_in), (sizes[layer], fan_in)))
            weights.append(rng.normal(0.0, 0.5, sizes[layer]))
        X = rng.uniform(-1.0, 1.0, (n, sizes[0]))
        T = rng.uniform(0.05, 0.95, (n, sizes[-1]))
        if activations[-1] == "softmax":
            T = T / T.sum(axis=1, keepdims=True)
        nets, _ = ref_forward(weights, X, activations)
        if all(
            np.abs(v).min() > 1e-3 for v, a in zip(nets, activations, strict=True) if a in KINKED
        ):
            return dict(zip(keys(sizes), weights, strict=True)), X, T
    raise AssertionError("no draw kept every net away from the kinks")


@functools.cache
def case(sizes, activations, loss):
    net = Network(sizes, activations, loss)
    params, X, T = random_problem(
        sizes, activations, zlib.crc32(repr((sizes, activations, loss)).encode())
    )
    return net, params, X, T


def assert_close(actual, expected, rtol, atol, what):
    actual, expected = np.asarray(actual), np.asarray(expected)
    error = np.abs(actual - expected)
    bound = rtol * np.maximum(np.abs(actual), np.abs(expected)) + atol
    worst = np.unravel_index(np.argmax(error - bound), error.shape)
    assert (error <= bound).all(), f"{what}{list(worst)}: {actual[worst]!r} vs {expected[worst]!r}"


# --------------------------------------------------------------- finite differences, autograd


@pytest.mark.parametrize("sizes, activations, loss", CASES)
def test_gradients_equal_central_finite_differences(sizes, activations, loss):
    net, params, X, T = case(sizes, activations, loss)
    compiled = net.compile()
    cost, grads = compiled.cost_and_gradients(params, X, T)
    reference = ref_cost([params[k] for k in keys(sizes)], X, T, activations, loss)
    assert cost == pytest.approx(reference, rel=1e-12)
    assert list(grads) == keys(sizes)
    for key, value in params.items():
        fd = np.empty_like(value)
        for index in np.ndindex(value.shape):
            shifted = {k: v.copy() for k, v in params.items()}
            shifted[key][index] = value[index] + FD_STEP
            up = compiled.cost(shifted, X, T)
            shifted[key][index] = value[index] - FD_STEP
            down = compiled.cost(shifted, X, T)
            fd[index] = (up - down) / (2 * FD_STEP)
        assert grads[key].shape == value.shape
        assert_close(grads[key], fd, FD_RTOL, FD_ATOL, key)


@pytest.mark.parametrize("sizes, activations, loss", CASES)
def test_gradients_equal_autograd_of_the_articles_formulas(sizes, activations, loss):
    net, params, X, T = case(sizes, activations, loss)
    grads = net.compile().gradients(params, X, T)
    weights = [params[k] for k in keys(sizes)]
    expected = autograd.grad(ref_cost)(weights, X, T, activations, loss)
    for key, value in zip(keys(sizes), expected, strict=True):
        assert_close(grads[key], value, AD_RTOL, AD_ATOL, key)


#: Softmax with the cross-entropy, whose δ the compiled code takes as one proved rule,
#: ``(out − target)/N``, on the article's scale, a wider one and the digits network.
SOFTMAX_CE = [
    pytest.param(sizes, (hidden, "softmax"), id=f"{sizes}-{hidden}")
    for sizes in [(2, 3, 3), (4, 5, 10), (64, 30, 10)]
    for hidden in ("logistic", "tanh")
]


@pytest.mark.parametrize("sizes, activations", SOFTMAX_CE)
def test_softmax_cross_entropy_straight_line_gradients_equal_fd_and_autograd(sizes, activations):
    net, params, X, T = case(sizes, activations, "cross_entropy")
    compiled = net.compile()
    assert "_delta(" not in compiled.source  # the proved straight-line rule, not per-unit code
    cost, grads = compiled.cost_and_gradients(params, X, T)
    weights = [params[k] for k in keys(sizes)]
    assert cost == pytest.approx(ref_cost(weights, X, T, activations, "cross_entropy"), rel=1e-12)
    expected = autograd.grad(ref_cost)(weights, X, T, activations, "cross_entropy")
    for key, value in zip(keys(sizes), expected, strict=True):
        assert_close(grads[key], value, AD_RTOL, AD_ATOL, key)
    flat = compiled.flatten(params)
    fd = np.empty_like(flat)
    for i in range(flat.size):  # every parameter, through one vector (2,260 of them at most)
        shifted = flat.copy()
        shifted[i] += FD_STEP
        up = compiled.cost(compiled.unflatten(shifted), X, T)
        shifted[i] -= 2 * FD_STEP
        down = compiled.cost(compiled.unflatten(shifted), X, T)
        fd[i] = (up - down) / (2 * FD_STEP)
    assert_close(compiled.flatten(grads), fd, FD_RTOL, FD_ATOL, "∂E/∂w")


def test_leaky_relu_with_its_own_slope_equals_autograd():
    sizes, activations = (2, 4, 2), ("leaky_relu", "leaky_relu")
    net = Network(sizes, (leaky_relu(0.1), leaky_relu(0.1)), "half_sse")
    params, X, T = random_problem(sizes, activations, 7)
    grads = net.compile().gradients(params, X, T)
    weights = [params[k] for k in keys(sizes)]
    expected = autograd.grad(ref_cost)(weights, X, T, activations, "half_sse", 0.1)
    assert ref_cost(weights, X, T, activations, "half_sse", 0.1) == pytest.approx(
        net.compile().cost(params, X, T), rel=1e-12
    )
    for key, value in zip(keys(sizes), expected, strict=True):
        assert_close(grads[key], value, AD_RTOL, AD_ATOL, key)


def test_forward_pass_equals_the_articles_formulas():
    sizes, activations = (3, 4, 4, 2), ("elu", "tanh", "softmax")
    net, params, X, _ = case(sizes, activations, "cross_entropy")
    fwd = net.compile().forward(params, X)
    nets, out = ref_forward([params[k] for k in keys(sizes)], X, activations)
    for got, expected in zip(fwd.nets, nets, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(fwd.output, out, rtol=1e-13)


# --------------------------------------------------------------- the worked example by hand


@pytest.fixture(scope="module")
def worked():
    ex = example()
    return ex, ex.net.environment(ex.params, ex.x, ex.target)


def test_example_is_the_described_one(worked, article):
    ex, _ = worked
    for name, value in article.weights.items():
        p = ex.net.resolve(name)
        assert ex.params[p.key][p.index] == value, name
    assert tuple(ex.x) == article.x and tuple(ex.target) == article.target
    assert ex.rate("w5") == article.eta1 and ex.rate("w1") == article.eta1
    assert ex.rate("b4") == article.eta2 and ex.rate("b1") == article.eta2


def test_example_forward_pass_and_error(worked, article):
    ex, env = worked
    net = ex.net
    s = net.symbol
    for k in (1, 2, 3):
        assert float(env[s(f"net_h{k}")]) == pytest.approx(article.net_h[k - 1], rel=1e-14)
        assert float(env[s(f"out_h{k}")]) == pytest.approx(article.out_h[k - 1], rel=1e-14)
    assert float(env[s("out_o1")]) == pytest.approx(article.out_o[0], rel=1e-14)
    assert float(env[s("out_o2")]) == pytest.approx(article.out_o[1], rel=1e-14)
    fwd = net.compile().forward(ex.params, ex.x)
    np.testing.assert_allclose(fwd.output[0], article.out_o, rtol=1e-14)
    assert float(net.error_expr.xreplace(env)) == pytest.approx(article.e_total, rel=1e-14)
    cost = net.compile().cost(ex.params, ex.x, ex.target)
    assert cost == pytest.approx(article.e_total, rel=1e-14)


def test_example_delta_o1(worked, article):
    ex, env = worked
    delta = ex.net.delta("o1")
    assert delta.value(env, {}) == pytest.approx(article.delta_o[0], rel=1e-14)
    assert float(delta.expr.xreplace(env)) == pytest.approx(article.delta_o[0], rel=1e-14)


def test_example_w5_factor_by_factor(worked, article):
    ex, _ = worked
    g = ex.net.gradient("w5")
    values = g.evaluate(ex.params, ex.x, ex.target)
    assert values.value == pytest.approx(article.dE_dw5, rel=1e-14)
    expected = [article.dE_dout_o[0], article.dout_dnet_o[0], article.out_h[0]]
    for factor, number in zip(g.factors, expected, strict=True):
        assert values[factor.label] == pytest.approx(number, rel=1e-14)


def test_example_w1_through_both_outputs(worked, article):
    ex, _ = worked
    g = ex.net.gradient("w1")
    values = g.evaluate(ex.params, ex.x, ex.target)
    assert values.value == pytest.approx(article.dE_dw1, rel=1e-13)
    total, dout_dnet, dnet_dw = g.factors
    assert values[total.label] == pytest.approx(article.dE_dout_h1, rel=1e-13)
    for path, number in zip(total.terms, article.dEo_dout_h1, strict=True):
        assert values[path.label] == pytest.approx(number, rel=1e-14)
    assert values[dout_dnet.label] == pytest.approx(article.dout_dnet_h1, rel=1e-14)
    assert values[dnet_dw.label] == article.x[0]


def test_example_updates(worked, article):
    ex, _ = worked
    net = ex.net
    for name, old, eta_name, expected in [
        ("w5", article.weights["w_(1,1)"], "eta_1", article.w5_new),
        ("b4", article.weights["b4"], "eta_2", article.b4_new),
    ]:
        g = net.gradient(name)
        value = g.evaluate(ex.params, ex.x, ex.target).value
        rule = g.update()
        eta = ex.rate(name)
        new = float(
            rule.rhs.xreplace({g.parameter: old, net.symbol(eta_name): eta, g.label: value})
        )
        assert new == pytest.approx(expected, rel=1e-14), name
    # the compiled gradients give the same step
    grads = net.compile().gradients(ex.params, ex.x, ex.target)
    assert ex.params["W2"][0, 0] - 0.5 * grads["W2"][0, 0] == pytest.approx(article.w5_new)
    assert ex.params["b2"][0] - 0.25 * grads["b2"][0] == pytest.approx(article.b4_new)


# --------------------------------------------------------------- compiled vs symbolic numbers


@pytest.mark.parametrize(
    "sizes, activations, loss",
    [
        ((2, 3, 2), ("logistic", "logistic"), "half_sse"),
        ((2, 3, 2), ("tanh", "softmax"), "cross_entropy"),
        ((3, 4, 4, 2), ("elu", "softplus", "logistic"), "cross_entropy"),
        ((3, 4, 4, 2), ("leaky_relu", "tanh", "linear"), "mse"),
    ],
)
def test_compiled_gradients_equal_the_chains_numbers(sizes, activations, loss):
    net = Network(sizes, activations, loss)
    params, X, T = random_problem(sizes, activations, 11, n=1)
    grads = net.compile().gradients(params, X, T)
    for name, rule in net.chains().items():
        p = net.resolve(name)
        value = rule.evaluate(params, X[0], T[0]).value
        assert grads[p.key][p.index] == pytest.approx(value, rel=1e-10, abs=1e-15), name


# --------------------------------------------------------------- how a chain is written


def test_latex_has_every_label_and_every_number(worked, article):
    ex, _ = worked
    g = ex.net.gradient("w1")
    plain = g.latex()
    labels = {item.label for item in g.walk()}
    assert len(labels) >= 12
    for label in labels:
        assert latex(label) in plain
    assert plain.startswith(r"\begin{aligned}") and plain.endswith(r"\end{aligned}")
    numeric = g.latex(g.evaluate(ex.params, ex.x, ex.target))
    numbers = [
        article.dE_dw1,
        article.dE_dout_h1,
        *article.dEo_dout_h1,
        article.dE_dout_o[0],
        article.dE_dout_o[1],
        article.dout_dnet_o[0],
        article.dout_dnet_o[1],
        article.weights["w_(1,1)"],
        article.weights["w_(1,2)"],
        article.dout_dnet_h1,
        article.x[0],
    ]
    for number in numbers:
        assert f"{number:.6g}" in numeric, number
        assert f"{number:.6g}" not in plain, number


def test_repr_latex_and_text(worked, article):
    ex, _ = worked
    g = ex.net.gradient("w5")
    r = g._repr_latex_()
    assert r.startswith("$") and r.endswith("$") and g.latex() in r
    text = g.text(g.evaluate(ex.params, ex.x, ex.target))
    assert "\\" not in text and "{" not in text
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines)  # broken between terms to fit a terminal
    assert lines[0].startswith("∂E_total/∂w_(1,1) = ∂E_total/∂out_o1")
    assert lines[1].startswith("    = ") and lines[1].endswith(f"= {article.dE_dw5:.6g}")
    assert any(line.startswith("∂out_o1/∂net_o1") for line in lines)
    assert f"{article.dout_dnet_o[0]:.6g}" in text
    # each factor's arithmetic: the formula with the example's numbers in it
    o1 = f"{article.out_o[0]:.6g}"
    assert f"= {o1}(1 − {o1}) = {article.dout_dnet_o[0]:.6g}" in text


@pytest.mark.parametrize(
    "sizes, activations",
    [((2, 3, 2), ("tanh", "softmax")), ((3, 4, 4, 2), ("tanh", "elu", "logistic"))],
)
def test_text_has_no_latex_markup(sizes, activations):
    """``text()`` is for the terminal: no LaTeX may leak into it, in labels or in expressions
    (deep networks typeset their symbols ``w^{(2)}_{(1,1)}``, ``net_{h1,1}`` in LaTeX), and no
    Python operators either (``**``, ``*``, ``exp(``)."""
    net = Network(sizes, activations)
    for name in (net.parameter_names[0], net.parameter_names[-1]):
        text = net.gradient(name).text()
        for mark in ("\\", "{", "}", "^{", "*", "exp(", "eta_", "delta_"):
            assert mark not in text, (name, mark, text)


# --------------------------------------------------------------- local derivation


def test_every_factor_is_a_small_local_expression_on_a_16_32_8_network():
    net = Network((16, 32, 8))
    g = net.gradient("w_(x1,1)")
    factors = [item for item in g.walk() if isinstance(item, Factor)]
    assert len(factors) == 3 * 8 + 2  # three per path through each output, then two
    for factor in factors:
        assert sp.count_ops(factor.expr) <= 3, factor
        assert len(factor.expr.free_symbols) <= 2, factor
        if factor.raw is not None:
            assert sp.count_ops(factor.raw) <= 8, factor
    # one output in inputs and parameters is far larger: the derivation never differentiates it
    assert sp.count_ops(net.expansion[net.symbol("out_o1")]) > 100

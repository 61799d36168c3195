"""Activations of 四.4: their formulas, the derivative rewrites of 三.3.2.1 proved by SymPy, the
output forms of the piecewise ones checked on both sides of 0, and the softmax Jacobian.

Reference values come from ``math`` and NumPy with the textbook formulas, or from SymPy applied
in the test to expressions built here, never from bpderive's own derivatives.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from bpderive import Network
from bpderive.symbolic.activations import ACTIVATIONS, Softmax, get_activation, leaky_relu
from bpderive.symbolic.notation import NET as X
from bpderive.symbolic.notation import OUT

# Each element-wise activation and its derivative, written from the textbook formulas.
REFERENCE = {
    "logistic": (
        lambda x: 1 / (1 + math.exp(-x)),
        lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2,
    ),
    "tanh": (math.tanh, lambda x: 1 / math.cosh(x) ** 2),
    "linear": (lambda x: x, lambda x: 1.0),
    "relu": (lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0),
    "softplus": (lambda x: math.log(1 + math.exp(x)), lambda x: 1 / (1 + math.exp(-x))),
    "elu": (lambda x: x if x > 0 else math.exp(x) - 1, lambda x: 1.0 if x > 0 else math.exp(x)),
    "leaky_relu": (lambda x: x if x > 0 else 0.25 * x, lambda x: 1.0 if x > 0 else 0.25),
}
# Both sides of 0, near and far from it.
POINTS = [-3.0, -1.2, -0.5, -1e-3, 1e-3, 0.5, 1.2, 3.0]


def _at(expr: sp.Expr, symbol: sp.Symbol, value: float) -> float:
    return float(expr.subs(symbol, value))


def test_every_listed_activation_is_available():
    assert set(ACTIVATIONS) == {*REFERENCE, "softmax"}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_forward_formula_and_derivative_match_the_textbook(name):
    act = get_activation(name)
    f, df = REFERENCE[name]
    for x in POINTS:
        assert _at(act.formula, X, x) == pytest.approx(f(x), rel=1e-14, abs=1e-15)
        assert _at(act.derivative, X, x) == pytest.approx(df(x), rel=1e-14, abs=1e-15)


@pytest.mark.parametrize("name", ["logistic", "tanh"])
def test_smooth_output_form_is_proved_by_sympy(name):
    act = get_activation(name)
    in_output = act.derivative_in_output
    assert in_output is not None and in_output.free_symbols == {OUT}
    assert sp.simplify(act.derivative - in_output.subs(OUT, act.formula)) == 0
    # and it is the derivative of f itself, by SymPy's own diff of the formula written here
    f = 1 / (1 + sp.exp(-X)) if name == "logistic" else sp.tanh(X)
    assert sp.simplify(act.derivative - sp.diff(f, X)) == 0


def test_logistic_raw_derivative_is_the_articles_form_and_rewrites_to_out_times_one_minus_out():
    act = get_activation("logistic")
    assert act.derivative == sp.exp(-X) / (1 + sp.exp(-X)) ** 2
    assert sp.expand(act.derivative_in_output - OUT * (1 - OUT)) == 0


def test_tanh_output_form_is_one_minus_out_squared():
    assert sp.expand(get_activation("tanh").derivative_in_output - (1 - OUT**2)) == 0


@pytest.mark.parametrize("name", ["relu", "elu", "leaky_relu", "softplus"])
def test_output_form_agrees_with_the_derivative_on_both_sides_of_zero(name):
    act = get_activation(name)
    f, df = REFERENCE[name]
    in_output = act.derivative_in_output
    assert in_output is not None and X not in in_output.free_symbols
    for x in POINTS:
        assert _at(in_output, OUT, f(x)) == pytest.approx(df(x), rel=1e-13, abs=1e-15), x


def test_linear_derivative_is_one():
    act = get_activation("linear")
    assert act.derivative == 1 and act.derivative_in_output == 1


def test_matlab_aliases():
    assert get_activation("logsig") is ACTIVATIONS["logistic"]
    assert get_activation("tansig") is ACTIVATIONS["tanh"]
    assert get_activation("purelin") is ACTIVATIONS["linear"]
    assert get_activation("LOGSIG") is ACTIVATIONS["logistic"]


def test_leaky_relu_with_its_own_slope():
    act = leaky_relu(0.1)
    for x in POINTS:
        expected = x if x > 0 else 0.1 * x
        assert _at(act.formula, X, x) == pytest.approx(expected, rel=1e-15)
        slope = 1.0 if x > 0 else 0.1
        assert _at(act.derivative_in_output, OUT, expected) == pytest.approx(slope, rel=1e-15)


def test_network_factor_uses_the_output_form_and_keeps_the_raw_derivative():
    net = Network(activations=("tanh", "logistic"))
    factor = net.gradient("w1").factors[1]  # ∂out_h1/∂net_h1
    out_h1, net_h1 = net.symbol("out_h1"), net.symbol("net_h1")
    assert sp.expand(factor.expr - (1 - out_h1**2)) == 0
    assert sp.simplify(factor.raw - sp.diff(sp.tanh(net_h1), net_h1)) == 0


# ----------------------------------------------------------------------------------- softmax


def _softmax_symbols(m: int):
    nets = sp.symbols(f"n1:{m + 1}", real=True)
    outs = sp.symbols(f"s1:{m + 1}", real=True)
    return nets, outs


@pytest.mark.parametrize("m", [2, 3, 4])
def test_softmax_jacobian_equals_sympy_diff_of_the_quotient_and_the_kronecker_formula(m):
    nets, outs = _softmax_symbols(m)
    jac = Softmax().jacobian(nets, outs)
    rng = np.random.default_rng(m)
    values = rng.normal(0.0, 1.5, m)
    e = np.exp(values)
    probabilities = e / e.sum()
    at_nets = dict(zip(nets, values, strict=True))
    at_outs = dict(zip(outs, probabilities, strict=True))
    # the quotient, written here, differentiated by SymPy here
    denominator = sp.Add(*[sp.exp(n) for n in nets])
    for k in range(m):
        quotient = sp.exp(nets[k]) / denominator
        for j in range(m):
            raw, in_out = jac[k][j]
            reference = float(sp.diff(quotient, nets[j]).subs(at_nets))
            kronecker = probabilities[k] * (float(k == j) - probabilities[j])
            assert reference == pytest.approx(kronecker, rel=1e-12, abs=1e-15)
            assert float(raw.subs(at_nets)) == pytest.approx(reference, rel=1e-12, abs=1e-15)
            assert float(in_out.subs(at_outs)) == pytest.approx(kronecker, rel=1e-12, abs=1e-15)
            assert in_out.free_symbols <= set(outs)
    # the off-diagonal terms are really there (treating softmax as element-wise drops them)
    assert all(jac[k][j][1] != 0 for k in range(m) for j in range(m))


def test_softmax_network_delta_sums_over_every_output():
    net = Network((2, 3, 3), ("tanh", "softmax"), "half_sse")
    (total,) = net.delta("o1").factors
    assert len(total.terms) == 3  # via out_o1, out_o2, out_o3
    off_diagonal = total.terms[1].items[1].expr  # ∂out_o2/∂net_o1
    o1, o2 = net.symbol("out_o1"), net.symbol("out_o2")
    assert sp.expand(off_diagonal + o1 * o2) == 0

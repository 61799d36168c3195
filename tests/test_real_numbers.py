"""Real numbers of every kind are numbers: SymPy's own (a ``Matrix`` of ``Float``, ``Integer``,
``Rational``, ``sqrt(2)``), ``Fraction`` and ``Decimal`` are accepted wherever the package takes
numbers (parameters, data, validation data, files, scalar options), and only real numbers are.

The worked example's weights are written here as each kind from their decimal text (``"0.15"``)
and the results compared with the article's numbers computed by hand in conftest.py, so that a
wrong conversion (an entry dropped, rounded or reordered) shows as a wrong number.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from bpderive import GradientDescent, Network, example, load, save, train
from bpderive.checks import real_number
from bpderive.data import mapminmax

NET = Network()

#: Each kind of real number, made from a number's decimal text.
KINDS: dict[str, Callable[[str], object]] = {
    "sympy.Float": sp.Float,
    "sympy.Rational": sp.Rational,
    "Fraction": Fraction,
    "Decimal": Decimal,
}


def weights(article, kind: Callable[[str], object], matrix: bool) -> dict[str, object]:
    """The article's parameters as ``kind`` numbers, in nested lists or, for SymPy, in
    ``sympy.Matrix`` (a bias as a column vector, as the matrix form writes it)."""
    w = {name: kind(repr(value)) for name, value in article.weights.items()}
    rows = {
        "W1": [[w[f"w_(x1,{j})"], w[f"w_(x2,{j})"]] for j in (1, 2, 3)],
        "b1": [w["b1"], w["b2"], w["b3"]],
        "W2": [[w[f"w_({i},{k})"] for i in (1, 2, 3)] for k in (1, 2)],
        "b2": [w["b4"], w["b5"]],
    }
    return {k: sp.Matrix(v) for k, v in rows.items()} if matrix else rows


def sample(article, kind: Callable[[str], object]) -> tuple[list, list]:
    return [[kind(repr(v)) for v in article.x]], [[kind(repr(v)) for v in article.target]]


CASES = [(name, False) for name in KINDS] + [("sympy.Float", True), ("sympy.Rational", True)]
IDS = [f"{name}{' Matrix' if matrix else ' lists'}" for name, matrix in CASES]


@pytest.mark.parametrize(("kind", "matrix"), CASES, ids=IDS)
def test_cost_and_gradients_take_every_kind_of_real_number(article, kind, matrix):
    params = weights(article, KINDS[kind], matrix)
    X, T = sample(article, KINDS[kind])
    cost, grads = NET.compile().cost_and_gradients(params, X, T)
    assert cost == pytest.approx(article.e_total, rel=1e-13)
    assert grads["W2"][0, 0] == pytest.approx(article.dE_dw5, rel=1e-13)
    assert grads["b2"][0] == pytest.approx(article.dE_db4, rel=1e-13)
    assert grads["W1"][0, 0] == pytest.approx(article.dE_dw1, rel=1e-13)
    result = NET.gradient("w5").evaluate(params, X[0], T[0])
    assert result.value == pytest.approx(article.dE_dw5, rel=1e-13)


@pytest.mark.parametrize("kind", KINDS)
def test_train_takes_them_as_start_data_validation_and_rates(article, kind):
    number = KINDS[kind]
    X, T = sample(article, number)
    options = GradientDescent(eta1=number("0.5"), eta2=number("0.25"))
    result = train(
        NET,
        sp.Matrix(X) if kind.startswith("sympy") else X,
        T,
        options,
        params=weights(article, number, kind.startswith("sympy")),
        epochs=sp.Integer(1),
        min_grad=number("0"),
        validation=(X, T),
        max_fail=None,
    )
    assert result.history.cost[0] == pytest.approx(article.e_total, rel=1e-13)
    assert result.history.val_cost[0] == pytest.approx(article.e_total, rel=1e-13)
    assert result.best_epoch == 1  # one step of the article lowers the cost
    assert result.params["W2"][0, 0] == pytest.approx(article.w5_new, rel=1e-13)
    assert result.params["b2"][0] == pytest.approx(article.b4_new, rel=1e-13)


@pytest.mark.parametrize("kind", KINDS)
def test_save_takes_them_and_stores_the_nearest_floats(tmp_path: Path, article, kind):
    path = save(tmp_path / "net.npz", NET, weights(article, KINDS[kind], False))
    _, loaded = load(path)
    assert loaded["W1"][0, 0] == 0.15 and loaded["b2"][1] == 0.65
    assert loaded["W2"].tolist() == [[0.40, 0.45, 0.50], [0.55, 0.60, 0.65]]


def test_numbers_that_are_not_a_fraction_are_rounded_once() -> None:
    """``sqrt(2)`` and ``pi`` are real numbers too; each becomes the float nearest to it (mpmath
    at 50 digits, rounded once), not a float computed from rounded parts."""
    for value in (sp.sqrt(2), sp.pi, sp.Rational(1, 3), -sp.exp(sp.Rational(1, 7))):
        assert real_number(value) == float(sp.N(value, 50))
    Y, _ = mapminmax([[sp.sqrt(2), sp.Integer(0)], [sp.pi, sp.Integer(1)]], (0, 1))
    np.testing.assert_array_equal(Y, [[0.0, 0.0], [1.0, 1.0]])


def test_large_but_finite_numbers_are_not_turned_into_infinity() -> None:
    """``float(sympy.Integer(10**400))`` is ``inf``: a finite number read as infinite would be a
    silently wrong number, so it is refused as a number a float cannot hold."""
    assert real_number(Decimal("1e400")) is None
    assert real_number(sp.Integer(10) ** 400) is None
    assert real_number(10**400) is None
    assert real_number(Fraction(10**400, 3)) is None
    assert real_number(Decimal("1e300")) == 1e300
    assert real_number(sp.oo) == math.inf and real_number(Decimal("-Infinity")) == -math.inf


B1 = [0.35, 0.4, 0.45]
X1 = np.array([[0.05, 0.1]])
T1 = np.array([[0.01, 0.99]])


def cost_with_b1(entry: object) -> float:
    params = {
        "W1": np.full((3, 2), 0.1),
        "b1": [entry, *B1[1:]],
        "W2": np.full((2, 3), 0.1),
        "b2": np.zeros(2),
    }
    return NET.compile().cost(params, X1, T1)


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        (sp.Symbol("x"), ["free symbols (x)", "substitute numbers"]),
        (sp.Symbol("x") * sp.Symbol("y") + 1, ["free symbols (x, y)"]),
        (sp.I, ["complex numbers (such as I)"]),
        (1 + 2 * sp.I, ["complex numbers"]),
        (sp.zoo, ["complex numbers (such as zoo)"]),
        (2j, ["complex numbers"]),
        (sp.true, ["True/False values"]),
        (True, ["True/False values"]),
        (np.True_, ["True/False values"]),
        ("0.35", ["strings (such as '0.35')"]),
        (Decimal("sNaN"), ["Decimal"]),
        (sp.Integer(10) ** 400, ["Integer"]),
        (sp.Eq(sp.Symbol("x"), 1), ["Equality"]),
        (sp.Matrix([1]), ["expected numbers in a rectangular array"]),
        (None, ["NoneType"]),
        (sp.nan, ["contains NaN or infinite values (first at [0])"]),
        (sp.oo, ["contains NaN or infinite values (first at [0])"]),
        (Decimal("NaN"), ["contains NaN or infinite values (first at [0])"]),
        (-Decimal("Infinity"), ["contains NaN or infinite values (first at [0])"]),
    ],
    ids=[
        "symbol",
        "expression",
        "I",
        "complex_sympy",
        "zoo",
        "complex",
        "sympy_true",
        "True",
        "numpy_True",
        "string",
        "signalling_nan",
        "huge_integer",
        "equation",
        "matrix",
        "None",
        "sympy_nan",
        "oo",
        "decimal_nan",
        "decimal_minus_infinity",
    ],
)
def test_what_is_not_a_finite_real_number_is_refused_by_name(entry, words, watch_code):
    NET.compile()  # first: compiling lambdifies the derived rules, which the watch would catch
    with watch_code() as calls, pytest.raises(ValueError) as info:
        cost_with_b1(entry)
    message = str(info.value)
    assert message.startswith("params['b1']: ")
    for word in words:
        assert word in message
    assert calls == []  # nothing was parsed or evaluated as text


@pytest.mark.parametrize(
    ("call", "start"),
    [
        (lambda: GradientDescent(eta1=sp.Symbol("eta")), "eta1: expected a finite learning rate"),
        (lambda: GradientDescent(eta1=sp.I), "eta1: expected a finite learning rate"),
        (lambda: GradientDescent(momentum=sp.true), "momentum: expected a momentum"),
        (lambda: train(NET, X1, T1, epochs=sp.Rational(3, 2)), "epochs: expected an int >= 0"),
        (lambda: train(NET, X1, T1, epochs=Decimal(3)), "epochs: expected an int >= 0"),
        (lambda: mapminmax(X1, (sp.Integer(0), "1")), "feature_range: expected (min, max)"),
        (lambda: mapminmax(X1, (True, 2)), "feature_range: expected (min, max)"),
    ],
    ids=["symbol", "imaginary", "sympy_true", "rational_count", "decimal_count", "str", "bool"],
)
def test_scalar_options_follow_the_same_rule(call: Callable[[], object], start: str) -> None:
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value).startswith(start)


def test_scalar_options_take_real_numbers_of_every_kind() -> None:
    options = GradientDescent(eta1=sp.Rational(1, 2), eta2=Decimal("0.25"), momentum=Fraction(1, 2))
    assert (options.eta1, options.eta2, options.momentum) == (0.5, 0.25, 0.5)
    assert all(type(v) is float for v in (options.eta1, options.eta2, options.momentum))


@pytest.mark.parametrize("kind", ["Fraction", "Decimal"])
def test_a_chains_numbers_take_them_too(article, kind):
    """A chain's values for one sample (``chain.numbers(env)``), each given as ``kind``."""
    env = {s: KINDS[kind](repr(float(v))) for s, v in example().env.items()}
    assert NET.gradient("w5").numbers(env).value == pytest.approx(article.dE_dw5, rel=1e-12)

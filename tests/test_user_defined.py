"""A learner's own activations and losses (``Activation.define``, ``Loss.define``): derived like
the built-in ones, compiled, trained with (Levenberg–Marquardt too, for a sum of squares), saved
and loaded without running code.

Every gradient is checked against ``autograd`` applied to a cost written here in
``autograd.numpy`` (sharing no code with bpderive) and against central finite differences. The
parameters are drawn so that the units' inputs spread over the saturated regions and both sides
of every kink, each at least 1e-3 from a kink so that no finite-difference step crosses one.
"""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
import sympy as sp

from bpderive import Activation, Loss, Network, load, save, train
from bpderive.symbolic import codec
from bpderive.symbolic.notation import NET, OUT, TARGET

HALF = sp.Rational(1, 2)

# name: (the SymPy definition a learner writes, the same function in autograd.numpy, its kinks)
ACTIVATIONS = {
    "swish": (lambda x: x / (1 + sp.exp(-x)), lambda z: z / (1.0 + anp.exp(-z)), ()),
    "hard_sigmoid": (
        lambda x: sp.Piecewise((0, x < -2), (x / 4 + HALF, x <= 2), (1, True)),
        lambda z: anp.where(z < -2, 0.0 * z, anp.where(z <= 2, z / 4 + 0.5, 0.0 * z + 1.0)),
        (-2.0, 2.0),
    ),
    "softsign": (lambda x: x / (1 + sp.Abs(x)), lambda z: z / (1.0 + anp.abs(z)), (0.0,)),
    "bump": (lambda x: sp.exp(-(x**2)), lambda z: anp.exp(-(z**2)), ()),
    "leaky": (
        lambda x: sp.Piecewise((x / 100, x < 0), (x, True)),
        lambda z: anp.where(z < 0, z / 100, z),
        (0.0,),
    ),
}


def defined(name: str) -> Activation:
    return Activation.define(name, ACTIVATIONS[name][0])


def problem(sizes, kinks, seed, n=12, spread=3.0, target=(0.1, 0.9)):
    """Parameters, inputs and targets whose hidden and output nets spread over [−3·spread,
    3·spread] and stay 1e-3 away from every kink."""
    rng = np.random.default_rng(seed)
    for _ in range(2000):
        params, a, nets = {}, rng.normal(0.0, 1.0, (n, sizes[0])), []
        for layer in range(1, len(sizes)):
            W = rng.normal(
                0.0, spread / np.sqrt(sizes[layer - 1]), (sizes[layer], sizes[layer - 1])
            )
            b = rng.normal(0.0, 1.0, sizes[layer])
            params[f"W{layer}"], params[f"b{layer}"] = W, b
            nets.append(a @ W.T + b)
            a = np.tanh(nets[-1])  # only to place the next layer's nets; not the network's
        every = np.concatenate([z.ravel() for z in nets])
        if all(np.min(np.abs(every - k)) > 1e-3 for k in kinks):
            X = rng.normal(0.0, 1.0, (n, sizes[0]))
            T = rng.uniform(*target, (n, sizes[-1]))
            return params, X, T
    raise AssertionError("no problem away from the kinks")


def reference_cost(functions, term):
    """The mean over samples of Σ_k term(out_k, target_k), written in autograd.numpy."""

    def cost(flat, X, T, shapes):
        a, start = X, 0
        for layer, f in enumerate(functions, start=1):
            W_shape, b_shape = shapes[f"W{layer}"], shapes[f"b{layer}"]
            W = anp.reshape(flat[start : start + W_shape[0] * W_shape[1]], W_shape)
            start += W_shape[0] * W_shape[1]
            b = flat[start : start + b_shape[0]]
            start += b_shape[0]
            a = f(anp.dot(a, W.T) + b)
        return anp.mean(anp.sum(term(a, T), axis=1))

    return cost


def flat(net: Network, params):
    return np.concatenate([np.ravel(params[k]) for k in net.parameter_shapes])


def check_against_references(net, functions, term, params, X, T):
    cost = reference_cost(functions, term)
    w = flat(net, params)
    shapes = net.parameter_shapes
    reference = autograd.grad(cost)(w, X, T, shapes)
    compiled = net.compile()
    got = compiled.flatten(compiled.gradients(params, X, T))
    np.testing.assert_allclose(got, reference, rtol=1e-10, atol=1e-13)
    steps = np.eye(w.size) * 1e-6
    differences = [(cost(w + s, X, T, shapes) - cost(w - s, X, T, shapes)) / 2e-6 for s in steps]
    np.testing.assert_allclose(got, differences, rtol=1e-5, atol=1e-8)
    assert compiled.cost(params, X, T) == pytest.approx(cost(w, X, T, shapes), rel=1e-12)


def half_sse(out, T):
    return 0.5 * (T - out) ** 2


# ---------------------------------------------------------------- the reproduction


def test_hard_sigmoid_on_a_2_3_1_network_matches_finite_differences():
    """The reported bug: a branch condition carried over from net to out gave a wrong δ (0.026
    off), and the symbolic chain agreed with the compiled one, so only an independent reference
    could see it."""
    hard = defined("hard_sigmoid")
    net = Network((2, 3, 1), (hard, "linear"))
    params, X, T = problem((2, 3, 1), (-2.0, 2.0), seed=3)
    check_against_references(
        net, [ACTIVATIONS["hard_sigmoid"][1], lambda z: z], half_sse, params, X, T
    )
    chain = net.gradient("w_(x1,1)").evaluate(params, X[0], T[0]).value
    one = net.compile().gradients(params, X[:1], T[:1])["W1"][0, 0]
    assert chain == pytest.approx(one, rel=1e-12)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("where", ["hidden", "output"])
def test_a_defined_activation_matches_autograd_and_finite_differences(name, where):
    act = defined(name)
    f, kinks = ACTIVATIONS[name][1], ACTIVATIONS[name][2]
    layers = (act, "linear") if where == "hidden" else ("tanh", act)
    functions = [f, lambda z: z] if where == "hidden" else [anp.tanh, f]
    net = Network((2, 4, 2), layers)
    params, X, T = problem((2, 4, 2), kinks, seed=11)
    check_against_references(net, functions, half_sse, params, X, T)


def test_the_test_points_cover_saturation_and_both_sides_of_every_kink():
    params, X, _ = problem((2, 4, 2), (-2.0, 2.0), seed=11)
    nets = X @ params["W1"].T + params["b1"]
    assert nets.min() < -2 - 1 and nets.max() > 2 + 1
    assert np.any(np.abs(nets) < 2)


# ---------------------------------------------------------------- what is derived, and proved


def test_output_form_is_used_only_where_each_branch_is_proved():
    assert defined("hard_sigmoid").derivative_in_output is None  # images {0}, [0, 1], {1} overlap
    assert defined("swish").derivative_in_output is None  # would need LambertW: not proved
    assert defined("bump").derivative_in_output is None  # not invertible
    leaky = defined("leaky").derivative_in_output
    assert leaky is not None and leaky.free_symbols == {OUT}
    assert leaky.subs(OUT, -0.5) == sp.Rational(1, 100) and leaky.subs(OUT, 0.5) == 1


def test_a_network_compiles_the_raw_derivative_where_no_output_form_is_proved():
    net = Network((2, 3, 1), (defined("swish"), "linear"))
    assert net.rules.layers[0].local_in_output is False
    assert NET in net.rules.layers[0].local.free_symbols
    assert net.rules.layers[1].local_in_output is True  # linear: the constant 1


def test_output_ranges_are_derived():
    assert defined("hard_sigmoid").output_range == sp.Interval(0, 1)
    assert defined("bump").output_range == sp.Interval.Lopen(0, 1)
    assert defined("leaky").output_range == sp.S.Reals
    assert defined("swish").output_range is None  # SymPy cannot find it


# ---------------------------------------------------------------- losses

LOSSES = {
    "quartic": (lambda o, t: (t - o) ** 4, lambda o, t: (t - o) ** 4, False),
    "log_cosh": (lambda o, t: sp.log(sp.cosh(o - t)), lambda o, t: anp.log(anp.cosh(o - t)), False),
    "tripled": (lambda o, t: 3 * (t - o) ** 2, lambda o, t: 3 * (t - o) ** 2, True),
    "log_ratio": (
        lambda o, t: (sp.log(o) - sp.log(t)) ** 2,
        lambda o, t: (anp.log(o) - anp.log(t)) ** 2,
        True,
    ),
}


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_a_defined_loss_matches_autograd_and_finite_differences(name):
    term, reference, squares = LOSSES[name]
    loss = Loss.define(name, term, sum_of_squares=squares)
    net = Network((2, 3, 2), ("tanh", "logistic"), loss)
    params, X, T = problem((2, 3, 2), (), seed=5)
    logistic = lambda z: 1.0 / (1.0 + anp.exp(-z))  # noqa: E731
    check_against_references(net, [anp.tanh, logistic], reference, params, X, T)


def test_sum_of_squares_is_derived_and_proved():
    c, e = Loss.define("tripled", LOSSES["tripled"][0], sum_of_squares=True).residual
    assert c == 3 and sp.expand(e - (TARGET - OUT)) == 0
    c, e = Loss.define("log_ratio", LOSSES["log_ratio"][0], sum_of_squares=True).residual
    assert c == 1 and sp.simplify(c * e**2 - (sp.log(OUT) - sp.log(TARGET)) ** 2) == 0
    c, e = Loss.define("quartic", LOSSES["quartic"][0], sum_of_squares=True).residual
    assert c == 1 and sp.expand(e - (TARGET - OUT) ** 2) == 0  # (t − o)⁴ is (t − o)² squared
    with pytest.raises(ValueError, match=r"^loss 'log_cosh': declared sum_of_squares=True, but"):
        Loss.define("log_cosh", LOSSES["log_cosh"][0], sum_of_squares=True)


def test_the_jacobian_of_a_defined_sum_of_squares_is_that_of_its_errors():
    """e = log(target) − log(out) for ``log_ratio``; J = ∂e/∂w against finite differences of e
    computed here."""
    loss = Loss.define("log_ratio", LOSSES["log_ratio"][0], sum_of_squares=True)
    net = Network((2, 3, 2), ("tanh", "logistic"), loss)
    params, X, T = problem((2, 3, 2), (), seed=8, n=4)
    logistic = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731

    def errors(w):
        p = net.compile().unflatten(w)
        out = logistic(np.tanh(X @ p["W1"].T + p["b1"]) @ p["W2"].T + p["b2"])
        return (np.log(T) - np.log(out)).ravel()

    w = flat(net, params)
    e, J = net.compile().errors_and_jacobian(params, X, T)
    c, _ = loss.residual
    sign = np.sign(e[0] / errors(w)[0])  # the orientation of e is the derivation's choice
    np.testing.assert_allclose(sign * e, errors(w), rtol=1e-12)
    columns = [(errors(w + s) - errors(w - s)) / 2e-6 for s in np.eye(w.size) * 1e-6]
    np.testing.assert_allclose(sign * J, np.column_stack(columns), rtol=1e-6, atol=1e-9)
    gradient = net.compile().flatten(net.compile().gradients(params, X, T))
    np.testing.assert_allclose(2 * float(c) / len(X) * (J.T @ e), gradient, rtol=1e-10)


def test_levenberg_marquardt_trains_with_a_defined_sum_of_squares():
    """``tripled`` has the errors of half_sse (e = target − out) and a cost six times as large:
    Levenberg–Marquardt takes the same steps on both (its step depends on e and J only)."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    T = np.array([[0.1], [0.9], [0.9], [0.1]])
    tripled = Loss.define("tripled", LOSSES["tripled"][0], sum_of_squares=True)
    options = {"algorithm": "lm", "epochs": 8, "min_grad": 0.0, "seed": 2}
    ours = train(Network((2, 3, 1), "logistic", tripled), X, T, **options)
    article = train(Network((2, 3, 1), "logistic", "half_sse"), X, T, **options)
    for key in ours.params:
        np.testing.assert_allclose(ours.params[key], article.params[key], rtol=1e-10)
    np.testing.assert_allclose(ours.history.cost, 6 * np.array(article.history.cost), rtol=1e-10)
    undeclared = Loss.define("q", LOSSES["quartic"][0])  # a square, but not declared one
    with pytest.raises(ValueError, match=r"^loss: expected a sum-of-squares loss"):
        train(Network((2, 3, 1), "logistic", undeclared), X, T, algorithm="lm")


# ---------------------------------------------------------------- softmax: a δ proved, not named


def softmax(z):
    e = anp.exp(z - anp.max(z, axis=1, keepdims=True))
    return e / anp.sum(e, axis=1, keepdims=True)


def test_a_loss_of_another_name_whose_softmax_chains_cancel_gets_the_straight_line_delta():
    """Label smoothing, ``−(9/10·target + 1/30)·log(out)`` over three classes: with targets that
    sum to one its derived δ is ``out − 9/10·target − 1/30``, one rule for every unit. SymPy
    proves that from the chains, whatever the loss is called, and the code is straight-line."""
    smooth = sp.Rational(9, 10) * TARGET + sp.Rational(1, 30)
    loss = Loss("smoothed", -smooth * sp.log(OUT), target_range=(0.0, 1.0), targets_sum_to_one=True)
    net = Network((2, 3, 3), ("tanh", "softmax"), loss)
    assert sp.expand(net.rules.output.shared_delta - (OUT - smooth)) == 0
    assert "_delta(" not in net.compile().source
    params, X, T = problem((2, 3, 3), (), seed=4)
    T = T / T.sum(axis=1, keepdims=True)
    reference = lambda o, t: -(0.9 * t + 1 / 30) * anp.log(o)  # noqa: E731
    check_against_references(net, [anp.tanh, softmax], reference, params, X, T)


def test_the_same_formula_without_targets_that_sum_to_one_keeps_every_units_own_delta():
    """``−target·log(out)`` defined by a learner is not checked for targets summing to one, so
    ``δ_oj = out_oj·Σ target − target_oj`` stays coupled: the proof needs the constraint, and
    the per-unit code computes the right numbers for any targets."""
    loss = Loss.define("categorical", lambda out, target: -target * sp.log(out))
    net = Network((2, 3, 3), ("tanh", "softmax"), loss)
    assert net.rules.output.shared_delta is None
    assert "_delta(" in net.compile().source
    params, X, T = problem((2, 3, 3), (), seed=6)
    assert not np.allclose(T.sum(axis=1), 1.0)
    reference = lambda o, t: -t * anp.log(o)  # noqa: E731
    check_against_references(net, [anp.tanh, softmax], reference, params, X, T)


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (
            lambda: Activation.define("logistic", sp.tanh),
            r"^activation name: 'logistic' is built in",
        ),
        (lambda: Activation.define("tansig", sp.tanh), r"^activation name: 'tansig' is built in"),
        (lambda: Activation.define("two words", sp.tanh), r"^activation name: expected a word"),
        (lambda: Activation.define("f", "tanh(x)"), r"^activation 'f': expected a function"),
        (
            lambda: Activation.define("f", lambda x: "x"),
            r"^activation 'f': expected a SymPy expression",
        ),
        (lambda: Activation.define("f", lambda x: x + sp.Symbol("a")), r"^activation 'f': uses a;"),
        (lambda: Activation.define("f", lambda x: 1 / 0), r"^activation 'f': f\(net\) raised"),
        (lambda: Activation.define("f", lambda x: sp.zoo * x), r"^activation 'f': .* not finite"),
        (lambda: Loss.define("mse", lambda o, t: o), r"^loss name: 'mse' is built in"),
        (lambda: Loss.define("l", lambda o: o), r"^loss 'l': term\(out, target\) raised"),
        (lambda: Loss.define("l", lambda o, t: o * sp.Symbol("k")), r"^loss 'l': uses k;"),
        (lambda: Loss.define("l", lambda o, t: o, sum_of_squares=1), r"sum_of_squares: expected"),
    ],
)
def test_bad_definitions_are_refused_with_the_reason(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_a_loss_whose_outputs_cannot_be_proved_in_its_domain_is_refused():
    nats = Loss.define("nats", lambda o, t: -t * sp.log(o) - (1 - t) * sp.log(1 - o))
    Network((2, 3, 1), ("tanh", "logistic"), nats)  # (0, 1) lies in (0, 1)
    with pytest.raises(
        ValueError,
        match=r"^loss: 'nats' is defined for outputs in \(0, 1\), but SymPy cannot find the range "
        r"of the output activation 'swish'",
    ):
        Network((2, 3, 1), ("tanh", defined("swish")), nats)


# ---------------------------------------------------------------- saving


def test_save_and_load_round_trip_without_running_code(tmp_path, watch_code):
    hard, log_ratio = (
        defined("hard_sigmoid"),
        Loss.define("log_ratio", LOSSES["log_ratio"][0], True),
    )
    net = Network((2, 3, 2), (hard, "logistic"), log_ratio)
    params, X, _ = problem((2, 3, 2), (-2.0, 2.0), seed=1)
    path = save(tmp_path / "own.bpnet", net, params)

    with watch_code() as calls:
        again, loaded = load(path)
    assert calls == []
    assert again.spec() == net.spec()
    assert again.activations[0].formula == hard.formula and again.loss.formula == log_ratio.formula
    assert again.loss.sum_of_squares
    np.testing.assert_array_equal(
        again.compile().forward(loaded, X).output, net.compile().forward(params, X).output
    )


def test_floats_in_a_formula_keep_their_bits():
    formula = sp.Float("0.1") * NET + sp.Float(2.5e-300) * sp.exp(NET)
    assert codec.decode(codec.encode(formula), {"net": NET}) == formula


def _nested(depth: int) -> list:
    tree: list = ["Symbol", "net"]
    for _ in range(depth):
        tree = ["exp", tree]
    return tree


@pytest.mark.parametrize(
    "tree",
    [
        ["os.system", ["Symbol", "net"]],
        ["__import__", "os"],
        ["Symbol", "x"],
        "net",
        ["Integer", "1" * 500],
        ["Rational", "1", "0"],
        ["Float", "0", "1", "99999999", "53"],
        ["Add"] + [["Integer", "1"]] * 6000,
        _nested(100),
        [["Symbol", "net"]],
    ],
    ids=[
        "unknown head",
        "import",
        "foreign symbol",
        "bare string",
        "huge integer",
        "zero denominator",
        "huge exponent",
        "too many nodes",
        "too deep",
        "no head",
    ],
)
def test_a_hostile_formula_in_a_file_is_refused(tree):
    with pytest.raises(ValueError, match=r"^formula: "):
        codec.decode(tree, {"net": NET})

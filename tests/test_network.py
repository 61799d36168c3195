"""Structure of the article's network (section 三): names, aliases, the forward equations and
their matrix form, the error terms, the shape of each chain, updates, deltas and deep networks.

Expected expressions are built here from ``net.symbol(...)`` and the article's formulas and
compared with SymPy (``expand(a - b) == 0``), so that a wrong term fails and a reordering does not.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from bpderive import Network, example
from bpderive.symbolic.activations import leaky_relu
from bpderive.symbolic.chain import Chain, Factor, Sum
from bpderive.symbolic.notation import NET, latex, text

CANONICAL = [
    "w_(x1,1)",
    "w_(x2,1)",
    "w_(x1,2)",
    "w_(x2,2)",
    "w_(x1,3)",
    "w_(x2,3)",
    "b1",
    "b2",
    "b3",
    "w_(1,1)",
    "w_(2,1)",
    "w_(3,1)",
    "w_(1,2)",
    "w_(2,2)",
    "w_(3,2)",
    "b4",
    "b5",
]


@pytest.fixture(scope="module")
def net() -> Network:
    return Network()


def same(a: sp.Expr, b: sp.Expr) -> bool:
    return sp.expand(a - b) == 0


def f(x: sp.Expr) -> sp.Expr:
    """The article's logistic f(x) = 1/(1 + e^-x)."""
    return 1 / (1 + sp.exp(-x))


# ----------------------------------------------------------------------------------- names


def test_parameter_names_in_canonical_order(net):
    assert net.parameter_names == CANONICAL
    assert len(set(net.parameter_names)) == 17


def test_parameter_places_in_the_mapping(net):
    # row j of W(l) holds the weights into unit j, as the article's W(1)
    assert net.resolve("w_(x2,1)").key == "W1" and net.resolve("w_(x2,1)").index == (0, 1)
    assert net.resolve("w_(x1,3)").index == (2, 0)
    assert net.resolve("w_(3,1)").key == "W2" and net.resolve("w_(3,1)").index == (0, 2)
    assert net.resolve("b5").key == "b2" and net.resolve("b5").index == (1,)
    assert net.parameter_shapes == {"W1": (3, 2), "b1": (3,), "W2": (2, 3), "b2": (2,)}


@pytest.mark.parametrize(
    "alias, canonical",
    [("w1", "w_(x1,1)"), ("w5", "w_(1,1)"), ("w6", "w_(2,1)"), ("w7", "w_(3,1)")],
)
def test_article_aliases(net, alias, canonical):
    assert net.resolve(alias).name == canonical
    assert net.symbol(alias) == net.symbol(canonical)
    assert net.gradient(alias).parameter == net.symbol(canonical)


@pytest.mark.parametrize("name", ["w2", "w3", "w4", "w8", "w9", "w12", "W1"])
def test_other_flat_names_are_key_errors_listing_the_valid_names(net, name):
    with pytest.raises(KeyError) as info:
        net.gradient(name)
    message = info.value.args[0]
    assert repr(name) in message
    for valid in ["w1", "w5", "w6", "w7", *CANONICAL]:
        assert valid in message


def test_aliases_only_on_the_articles_network():
    with pytest.raises(KeyError):
        Network((3, 3, 2)).resolve("w5")
    with pytest.raises(KeyError):
        Network((2, 3, 3, 2)).resolve("w1")


def test_name_table(net):
    rows = {row["name"]: row for row in net.name_table()}
    assert list(rows) == CANONICAL
    assert rows["w_(1,1)"] == {
        "name": "w_(1,1)",
        "alias": "w5",
        "entry": "W2[0, 0]",
        "from": "h1",
        "to": "o1",
    }
    assert rows["w_(x1,1)"]["alias"] == "w1" and rows["w_(x1,1)"]["entry"] == "W1[0, 0]"
    assert rows["w_(x2,3)"]["entry"] == "W1[2, 1]" and rows["w_(x2,3)"]["alias"] == ""
    assert rows["b4"] == {"name": "b4", "alias": "", "entry": "b2[0]", "from": "(bias)", "to": "o1"}


def test_symbol_accepts_the_articles_out_spelling(net):
    assert net.symbol("Out_h1") == net.symbol("out_h1")
    assert net.symbol("delta_o1") == net.delta_symbol("o1")


# ----------------------------------------------------------------------------------- equations


def test_forward_equations_in_reading_order(net):
    s = net.symbol
    expected = ["net_h1", "out_h1", "net_h2", "out_h2", "net_h3", "out_h3"]
    expected += ["net_o1", "out_o1", "net_o2", "out_o2"]
    eqs = net.forward_equations
    assert [eq.lhs for eq in eqs] == [s(n) for n in expected]
    rhs = dict(zip(expected, [eq.rhs for eq in eqs], strict=True))
    assert same(rhs["net_h1"], s("w_(x1,1)") * s("x1") + s("w_(x2,1)") * s("x2") + s("b1"))
    assert same(rhs["net_h3"], s("w_(x1,3)") * s("x1") + s("w_(x2,3)") * s("x2") + s("b3"))
    o1 = s("w_(1,1)") * s("out_h1") + s("w_(2,1)") * s("out_h2") + s("w_(3,1)") * s("out_h3")
    assert same(rhs["net_o1"], o1 + s("b4"))
    o2 = s("w_(1,2)") * s("out_h1") + s("w_(2,2)") * s("out_h2") + s("w_(3,2)") * s("out_h3")
    assert same(rhs["net_o2"], o2 + s("b5"))
    for unit in ["h1", "h2", "h3", "o1", "o2"]:
        assert sp.simplify(rhs[f"out_{unit}"] - f(s(f"net_{unit}"))) == 0


@pytest.mark.parametrize("sizes", [(2, 3, 2), (12, 11, 3), (3, 10, 10, 2)])
def test_local_equations_are_sympys_own_in_any_order_of_lookup(sizes):
    """Each equation, built on demand in SymPy's canonical order without SymPy's sorting, is
    the very expression ``sp.Add``/the activation would build (same arguments, same order),
    whichever unit is looked up first."""
    net = Network(sizes, activations=("tanh",) * (len(sizes) - 2) + ("softmax",))
    keys = list(net.local)
    for symbol in keys[::-1]:  # the last units first
        expr = net.local[symbol]
        n = next(n for n in net.neurons.values() if symbol in (n.net, n.out))
        if symbol == n.net:
            below = net.layers[n.layer - 1]
            terms = [net.weight(n.layer, i, n.index).symbol * m.out for i, m in enumerate(below)]
            expected = sp.Add(*terms, net.bias(n.layer, n.index).symbol)
            assert expr == expected and expr.args == expected.args
        else:
            assert expr.free_symbols <= {m.net for m in net.layers[n.layer]}
    reading = [getattr(n, key) for row in net.layers[1:] for key in ("net", "out") for n in row]
    assert keys == reading


def test_compiling_a_wide_network_builds_few_equations():
    """Compiling derives each hidden layer's rule on its first unit and the output layer's on
    all of its (few) units: of 64-128-10's 276 equations and 9,610 weights, only those are
    made (and the last hidden unit's weights, which check the order of the weighted sums)."""
    net = Network((64, 128, 10))
    net.compile()
    built = net.local._built  # noqa: SLF001 - what was built is the point of the test
    h1, outputs = net.neurons["h1"], net.layers[-1]
    assert set(built) <= {h1.net, h1.out, *(n.net for n in outputs), *(n.out for n in outputs)}
    made = {p.target for p in net.parameters.values() if "symbol" in vars(p)}
    assert made <= {"h1", "h128", *(n.name for n in outputs)}
    assert net.local[h1.net] is built[h1.net] and len(net.local) == 2 * (128 + 10)


def test_matrices_rows_equal_the_forward_net_equations(net):
    s = net.symbol
    nets = {eq.lhs: eq.rhs for eq in net.forward_equations}
    first, second = net.matrices()
    W1 = sp.Matrix([[s(f"w_(x{i},{j})") for i in (1, 2)] for j in (1, 2, 3)])
    W2 = sp.Matrix([[s(f"w_({i},{k})") for i in (1, 2, 3)] for k in (1, 2)])
    assert first.W == W1 and second.W == W2
    assert list(first.a) == [s("x1"), s("x2")]
    assert list(second.a) == [s("out_h1"), s("out_h2"), s("out_h3")]
    assert list(first.b) == [s("b1"), s("b2"), s("b3")] and list(second.b) == [s("b4"), s("b5")]
    for layer in (first, second):
        eq = layer.rows()
        for lhs, rhs in zip(eq.lhs, eq.rhs, strict=True):
            assert same(rhs, nets[lhs])
    # the unevaluated net = W·aᵀ + bᵀ evaluates to the same rows
    assert sp.expand(first.equation().rhs.doit() - first.rows().rhs) == sp.zeros(3, 1)


def test_error_terms_are_half_squared_errors(net):
    s = net.symbol
    error = net.error
    assert error.total.lhs == s("E_total")
    assert same(error.total.rhs, s("E_o1") + s("E_o2"))
    for k, eq in enumerate(error.terms, start=1):
        assert eq.lhs == s(f"E_o{k}")
        assert same(eq.rhs, sp.Rational(1, 2) * (s(f"target_o{k}") - s(f"out_o{k}")) ** 2)


@pytest.mark.parametrize(
    "loss, term",
    [
        ("mse", lambda t, o: (t - o) ** 2 / 3),  # the mean over the 3 outputs
        ("cross_entropy", lambda t, o: -(t * sp.log(o) + (1 - t) * sp.log(1 - o))),
    ],
)
def test_other_losses_terms(loss, term):
    net = Network((2, 3, 3), loss=loss)
    s = net.symbol
    for k, eq in enumerate(net.error.terms, start=1):
        assert same(eq.rhs, term(s(f"target_o{k}"), s(f"out_o{k}")))


def test_categorical_cross_entropy_with_softmax():
    net = Network((2, 3, 3), ("tanh", "softmax"), "cross_entropy")
    s = net.symbol
    for k, eq in enumerate(net.error.terms, start=1):
        assert same(eq.rhs, -s(f"target_o{k}") * sp.log(s(f"out_o{k}")))


# ----------------------------------------------------------------------------------- chains


def test_w5_chain_has_the_articles_three_factors(net):
    s = net.symbol
    g = net.gradient("w5")
    assert len(g.factors) == 3 and all(isinstance(x, Factor) for x in g.factors)
    dE_dout, dout_dnet, dnet_dw = (x.expr for x in g.factors)
    o1 = s("out_o1")
    assert same(dE_dout, -(s("target_o1") - o1))
    assert same(dout_dnet, o1 * (1 - o1))
    assert dout_dnet.free_symbols == {o1}  # written with out_o1, as the article rewrites f'
    assert dnet_dw == s("out_h1")
    labels = [x.label for x in g.factors]
    assert [text(label) for label in labels] == [
        "∂E_total/∂out_o1",
        "∂out_o1/∂net_o1",
        "∂net_o1/∂w_(1,1)",
    ]
    assert latex(labels[0]) == r"\frac{\partial E_{total}}{\partial out_{o1}}"
    assert latex(labels[2]) == r"\frac{\partial net_{o1}}{\partial w_{(1,1)}}"


def test_w1_chain_sums_the_paths_through_both_outputs(net):
    s = net.symbol
    g = net.gradient("w1")
    assert len(g.factors) == 3
    total, dout_dnet, dnet_dw = g.factors
    assert isinstance(total, Sum) and len(total.terms) == 2
    for k, path in enumerate(total.terms, start=1):
        assert isinstance(path, Chain) and len(path.factors) == 3
        ok = s(f"out_o{k}")
        a, b, c = (x.expr for x in path.factors)
        assert same(a, ok - s(f"target_o{k}"))
        assert same(b, ok * (1 - ok))
        assert c == s(f"w_(1,{k})")  # ∂net_ok/∂out_h1
        assert text(path.label) == f"∂E_o{k}/∂out_h1"
    h1 = s("out_h1")
    assert same(dout_dnet.expr, h1 * (1 - h1))
    assert dnet_dw.expr == s("x1")


def test_bias_chain_ends_in_one(net):
    g = net.gradient("b4")
    assert g.factors[-1].expr == 1
    assert g.factors[:2] == net.gradient("w5").factors[:2]


@pytest.mark.parametrize("name", CANONICAL)
def test_update_rule_uses_eta1_for_weights_and_eta2_for_biases(net, name):
    s = net.symbol
    g = net.gradient(name)
    eta = s("eta_2") if name.startswith("b") else s("eta_1")
    rule = g.update()
    assert same(rule.rhs, s(name) - eta * g.label)
    assert rule.rhs.free_symbols == {s(name), eta, g.label}
    assert same(g.update(explicit=True).rhs, s(name) - eta * g.expr)


def test_expanded_has_only_inputs_targets_and_parameters_and_evaluates_the_same(net):
    ex = example()
    s = net.symbol
    values = {s("x1"): 0.05, s("x2"): 0.10, s("target_o1"): 0.01, s("target_o2"): 0.99}
    for p in net.parameters.values():
        values[p.symbol] = float(ex.params[p.key][p.index])
    allowed = set(values)
    for name in CANONICAL:
        g = net.gradient(name)
        expanded = g.expanded()
        assert expanded.free_symbols <= allowed, name
        number = float(expanded.xreplace(values))
        assert number == pytest.approx(g.evaluate(ex.params, ex.x, ex.target).value, rel=1e-12)


def test_delta_o1_is_the_first_two_factors_of_w5(net):
    delta = net.delta("o1")
    assert delta.factors == net.gradient("w5").factors[:2]
    assert delta.factors == net.gradient("b4").factors[:2]


def test_delta_rule_h1_agrees_with_delta_h1(net):
    s = net.symbol
    ex = example()
    rule = net.delta_rule("h1")
    d1, d2, h1 = s("delta_o1"), s("delta_o2"), s("out_h1")
    assert rule.lhs == s("delta_h1")
    assert same(rule.rhs, (d1 * s("w_(1,1)") + d2 * s("w_(1,2)")) * h1 * (1 - h1))
    env = net.environment(ex.params, ex.x, ex.target)
    env[d1] = float(net.delta("o1").expr.xreplace(env))
    env[d2] = float(net.delta("o2").expr.xreplace(env))
    from_rule = float(rule.rhs.xreplace(env))
    assert from_rule == pytest.approx(float(net.delta("h1").expr.xreplace(env)), rel=1e-14)
    assert from_rule == pytest.approx(net.gradient("b1").evaluate(ex.params, ex.x, ex.target).value)


def test_delta_rule_of_an_output_is_its_delta(net):
    rule = net.delta_rule("o2")
    assert same(rule.rhs, net.delta("o2").expr)


def test_environment_follows_the_local_equations(net, article):
    ex = example()
    env = net.environment(ex.params, ex.x, ex.target)
    assert float(env[net.symbol("net_h2")]) == pytest.approx(article.net_h[1], rel=1e-15)
    assert float(env[net.symbol("out_o2")]) == pytest.approx(article.out_o[1], rel=1e-15)


# ----------------------------------------------------------------------------------- deep


@pytest.fixture(scope="module")
def deep() -> Network:
    return Network((3, 4, 4, 2), ("tanh", "elu", "logistic"))


def test_deep_names(deep):
    units = [n for n in deep.neurons if n.startswith("h")]
    assert units == [f"h{layer}_{k}" for layer in (1, 2) for k in (1, 2, 3, 4)]
    names = deep.parameter_names
    assert len(names) == 3 * 4 + 4 + 4 * 4 + 4 + 4 * 2 + 2
    assert names[:4] == ["w(1)_(x1,1)", "w(1)_(x2,1)", "w(1)_(x3,1)", "w(1)_(x1,2)"]
    assert names[16] == "w(2)_(1,1)" and names[17] == "w(2)_(2,1)"
    assert "w(3)_(4,2)" in names
    assert [n for n in names if n.startswith("b")] == [f"b{k}" for k in range(1, 11)]
    p = deep.resolve("w(2)_(3,1)")
    assert (p.key, p.index, p.source, p.target) == ("W2", (0, 2), "h1_3", "h2_1")


def test_deep_chain_goes_through_both_hidden_layers(deep):
    s = deep.symbol
    g = deep.gradient("w(2)_(1,1)")
    assert g.factors[-1].expr == s("out_h1_1")
    total = g.factors[0]
    assert isinstance(total, Sum) and len(total.terms) == 2  # via o1 and o2
    g1 = deep.gradient("w(1)_(x2,1)")
    assert g1.factors[-1].expr == s("x2")
    assert isinstance(g1.factors[0], Sum) and len(g1.factors[0].terms) == 4  # via h2_1..h2_4
    # ∂out/∂net of the tanh layer in output form
    h = s("out_h1_1")
    assert same(g1.factors[1].expr, 1 - h**2)


def test_deep_delta_rule_uses_the_deltas_of_the_layer_above(deep):
    s = deep.symbol
    rule = deep.delta_rule("h1_1")
    deltas = sum(s(f"delta_h2_{k}") * s(f"w(2)_(1,{k})") for k in (1, 2, 3, 4))
    assert same(rule.rhs, deltas * (1 - s("out_h1_1") ** 2))


# ----------------------------------------------------------------------------------- spec


def test_spec_round_trip():
    net = Network((3, 4, 2), ("tanh", "softmax"), "cross_entropy")
    again = Network.from_spec(net.spec())
    assert again.spec() == net.spec()
    assert again.activations == net.activations


def test_spec_round_trip_keeps_a_custom_prelu_slope():
    """A network built with ``leaky_relu(0.1)`` must come back with slope 0.1, not the default 0.25:
    ``save``/``load`` go through ``spec()``, so a lost slope silently changes the network."""
    net = Network(activations=(leaky_relu(0.1), "logistic"))
    again = Network.from_spec(net.spec())
    assert again.activations[0].formula.subs(NET, -1) == net.activations[0].formula.subs(NET, -1)
    assert again.activations[0].formula.subs(NET, -1) == sp.Rational(-1, 10)
    params = {k: np.full(shape, -0.5) for k, shape in net.parameter_shapes.items()}
    X = np.array([[1.0, 2.0]])
    np.testing.assert_array_equal(
        again.compile().forward(params, X).output, net.compile().forward(params, X).output
    )

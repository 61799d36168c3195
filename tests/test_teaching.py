"""What the notebooks teach with: Mazur's example and his published numbers, the backward pass in
matrix form proved against the chains, and ``show`` with every number's arithmetic.

Mazur's numbers are copied from his post ("A Step by Step Backpropagation Example"), not from
bpderive; the matrix form is checked against the scalar chains and, for a batch, against the
compiled gradients computed by NumPy from the four equations written out here.
"""

from __future__ import annotations

import numpy as np
import pytest

from bpderive import Network, example, train
from bpderive.display import show
from bpderive.symbolic.notation import text

# From the post: every published number to the digits it gives.
MAZUR = {
    "out_h1": 0.593269992,
    "out_h2": 0.596884378,
    "net_o1": 1.105905967,
    "out_o1": 0.75136507,
    "out_o2": 0.772928465,
    "E_total": 0.298371109,
    "dE/dw5": 0.082167041,
    "dE/dw1": 0.000438568,
}
MAZUR_UPDATED = {
    "w1": 0.149780716,
    "w2": 0.19956143,
    "w3": 0.24975114,
    "w4": 0.29950229,
    "w5": 0.35891648,
    "w6": 0.408666186,
    "w7": 0.511301270,
    "w8": 0.561370121,
}


@pytest.fixture(scope="module")
def mazur():
    return example("mazur")


def test_mazurs_network_names_every_weight_w1_to_w8(mazur):
    net = mazur.net
    assert net.sizes == (2, 2, 2)
    assert [net.resolve(f"w{k}").name for k in range(1, 9)] == [
        "w_(x1,1)", "w_(x2,1)", "w_(x1,2)", "w_(x2,2)",
        "w_(1,1)", "w_(2,1)", "w_(1,2)", "w_(2,2)",
    ]  # fmt: skip
    assert [mazur.params[p.key][p.index] for p in map(net.resolve, MAZUR_UPDATED)] == pytest.approx(
        [0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55]
    )
    with pytest.raises(KeyError, match="w9"):
        net.resolve("w9")


def test_mazurs_forward_pass_and_error(mazur):
    env, net = mazur.env, mazur.net
    for name in ("out_h1", "out_h2", "net_o1", "out_o1", "out_o2"):
        assert float(env[net.symbol(name)]) == pytest.approx(MAZUR[name], abs=5e-9)
    assert float(net.error_expr.xreplace(env)) == pytest.approx(MAZUR["E_total"], abs=5e-10)


@pytest.mark.parametrize("name", sorted(MAZUR_UPDATED))
def test_mazurs_updated_weights(mazur, name):
    net = mazur.net
    g = net.gradient(name).evaluate(mazur.params, mazur.x, mazur.target).value
    p = net.resolve(name)
    new = mazur.params[p.key][p.index] - mazur.eta1 * g
    assert new == pytest.approx(MAZUR_UPDATED[name], abs=5e-9)


def test_mazurs_gradients_w5_and_w1(mazur):
    net = mazur.net
    values = {
        k: net.gradient(k).evaluate(mazur.params, mazur.x, mazur.target).value for k in ("w5", "w1")
    }
    assert values["w5"] == pytest.approx(MAZUR["dE/dw5"], abs=5e-10)
    assert values["w1"] == pytest.approx(MAZUR["dE/dw1"], abs=5e-10)


def test_mazurs_biases_do_not_move_and_his_10000_rounds(mazur):
    """The correct order of the updates reproduces the 0.0000351085 that some copies of his post
    print after "10,000 times", after 9,999 updates; and its first update lands where his printed
    w1⁺ … w8⁺ do (E_total 0.2910277737, computed here from his digits), not at the 0.291027924
    his post prints, which comes from updating the output layer first (notebook 03)."""
    run = train(
        mazur.net, mazur.x, mazur.target, params=mazur.params, eta1=0.5, eta2=0.0,
        epochs=9999, min_grad=0.0,
    )  # fmt: skip
    assert run.history.cost[-1] == pytest.approx(0.0000351085, abs=5e-11)
    np.testing.assert_array_equal(run.params["b1"], mazur.params["b1"])
    assert mazur.eta2 == 0.0
    printed = {key: value.copy() for key, value in mazur.params.items()}
    for name, value in MAZUR_UPDATED.items():
        p = mazur.net.resolve(name)
        printed[p.key][p.index] = value
    at_his_digits = mazur.net.compile().cost(printed, mazur.x, mazur.target)
    assert run.history.cost[1] == pytest.approx(at_his_digits, abs=1e-10)
    assert at_his_digits == pytest.approx(0.2910277737, abs=5e-11)


# ------------------------------------------------------------------------- matrix form


@pytest.mark.parametrize(
    ("sizes", "activations", "loss", "deltas", "gradients"),
    [
        ((2, 3, 2), "logistic", "half_sse", 5, 17),
        ((2, 3, 3, 2), ("tanh", "logistic", "logistic"), "half_sse", 8, 29),
        ((2, 3, 3), ("tanh", "softmax"), "cross_entropy", 6, 21),
        ((3, 2, 2), ("relu", "linear"), "mse", 4, 14),
    ],
)
def test_the_four_equations_give_back_every_chain(sizes, activations, loss, deltas, gradients):
    proof = Network(sizes, activations, loss).prove_backward()
    assert (proof.deltas, proof.gradients) == (deltas, gradients)


def test_the_matrix_form_with_the_examples_numbers():
    ex = example()
    hidden, output = ex.net.backward()
    shown = show(hidden, ex).text()
    # δ(1) = (W(2)ᵀ δ(2)) ⊙ f′(net(1)): the numbers of the worked example's chains
    deltas = [ex.net.delta(f"h{k}").numbers(ex.env).value for k in (1, 2, 3)]
    assert shown.splitlines()[0] == "[δ_h1; δ_h2; δ_h3]"
    assert f"= [{'; '.join(f'{d:.6g}' for d in deltas)}]" in shown
    assert "ᵀ" in text(hidden.equations()[0].rhs) and "⊙" in text(hidden.equations()[0].rhs)
    latex = show(output, ex).latex()
    assert r"\circ" in latex and r"^{T}" in latex


def test_the_batch_form_is_what_the_compiled_gradients_compute():
    """Δ⁽ᴸ⁾ = ∇_A E ⊙ F′⁽ᴸ⁾, Δ⁽ˡ⁾ = (Δ⁽ˡ⁺¹⁾ W⁽ˡ⁺¹⁾) ⊙ F′⁽ˡ⁾, ∂E/∂W = (1/N) Δᵀ A, ∂E/∂b = (1/N) Δᵀ 1,
    written here in NumPy from the printed equations, against ``compile().gradients``."""
    net = Network((2, 3, 3, 2), ("tanh", "logistic", "logistic"))
    printed = [text(eq) for eq in net.backward_batch()]
    assert printed[:3] == [
        "Δ(3) = ∇_A E ⊙ F′(3)",
        "∂E/∂b(3) = 1/N·Δ(3)ᵀ·1",
        "∂E/∂W(3) = 1/N·Δ(3)ᵀ·A(2)",
    ]
    assert printed[3] == "Δ(2) = (Δ(3)·W(3)) ⊙ F′(2)"
    rng = np.random.default_rng(0)
    params = {k: rng.normal(0, 0.7, shape) for k, shape in net.parameter_shapes.items()}
    X, T = rng.normal(size=(7, 2)), rng.uniform(0.1, 0.9, (7, 2))
    fwd = net.compile().forward(params, X)
    A = [X, *fwd.outs]
    local = [1 - A[1] ** 2, A[2] * (1 - A[2]), A[3] * (1 - A[3])]
    Delta = (A[3] - T) * local[2]
    expected = {}
    for layer in (3, 2, 1):
        expected[f"W{layer}"] = Delta.T @ A[layer - 1] / len(X)
        expected[f"b{layer}"] = Delta.T @ np.ones(len(X)) / len(X)
        if layer > 1:
            Delta = (Delta @ params[f"W{layer}"]) * local[layer - 2]
    got = net.compile().gradients(params, X, T)
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-12)


# ------------------------------------------------------------------------- show


def test_show_a_chain_with_its_arithmetic_and_update():
    ex = example()
    shown = show(ex.net.gradient("b4"), ex, update=True)
    lines = shown.text().splitlines()
    assert lines[-1] == "b4⁺ = b4 − η2·∂E_total/∂b4 = 0.6 − 0.25·0.124508 = 0.568873"
    assert "0.805871(1 − 0.805871)" in shown.text()
    assert r"0.805871 \left(1 - 0.805871\right)" in shown.latex()
    assert repr(shown) == shown.text() and shown._repr_latex_().startswith("$\\displaystyle")


def test_show_equations_and_refusals():
    ex = example()
    forward = show(ex.net.forward_equations[:1], ex).text()
    assert (
        forward == "net_h1 = w_(x1,1)·x1 + w_(x2,1)·x2 + b1 = 0.15·0.05 + 0.2·0.1 + 0.35 = 0.3775"
    )
    assert show(ex.net.gradient("w5")).text().splitlines()[0].startswith("∂E_total/∂w_(1,1) =")
    with pytest.raises(ValueError, match=r"^update: needs a parameter's chain and numbers"):
        show(ex.net.delta("o1"), ex, update=True)
    with pytest.raises(ValueError, match=r"^show: expected a chain, an equation"):
        show(42, ex)
    with pytest.raises(ValueError, match=r"^at: the matrix form's numbers need a WorkedExample"):
        show(ex.net.backward()[0], ex.env)


def test_numbers_side_by_side_get_a_dot_in_latex():
    """``0.4 · 0.59327``: two numbers written next to each other would read as one."""
    ex = example()
    net_o1 = show(ex.net.forward_equations[6:7], ex).latex()
    assert r"0.4 \cdot 0.59327 + 0.45 \cdot 0.608855" in net_o1
    delta_h1 = show(ex.net.gradient("b1"), ex).latex()
    assert r"0.59327 \left(1 - 0.59327\right)" in delta_h1  # none before a parenthesis


def test_a_long_equation_breaks_its_arithmetic_onto_lines_of_its_own():
    ex = example()
    net_o1 = show(ex.net.forward_equations[6:7], ex)
    assert len(net_o1.text().replace("\n", "")) > 80  # too long for one line of text
    assert net_o1.latex().count(r"\\ &= ") == 2  # so the arithmetic and value go under it
    net_h1 = show(ex.net.forward_equations[:1], ex).latex()
    assert r"\\ &=" not in net_h1


def test_a_value_is_written_once_when_there_is_no_arithmetic():
    ex = example()
    hidden = show(ex.net.backward()[0], ex).text()
    bias_line = next(line for line in hidden.splitlines() if line.startswith("[∂E_total/∂b1"))
    assert bias_line.count("0.00969686") == 0  # the numbers are on the next line, once
    value_lines = [
        line
        for line in hidden.splitlines()
        if line.strip() == "= [0.00969686; 0.0108446; 0.0119368]"
    ]
    assert len(value_lines) == 2  # δ's value, then ∂E/∂b = δ's, once
    softmax = Network((2, 3, 2), ("logistic", "softmax"), "cross_entropy")
    first = show(softmax.delta("o1"), example(softmax)).text().splitlines()[0]
    assert first.count("=") == 2, first  # δ_o1 = ∂E_total/∂net_o1 = value


def test_the_examples_numbers_include_the_errors():
    """E_o1, E_o2 and E_total, checked against the compiled cost of the one sample."""
    ex = example()
    env = {symbol.name: float(value) for symbol, value in ex.env.items()}
    outs = ex.net.compile().forward(ex.params, ex.x).output[0]
    assert env["E_o1"] == pytest.approx(0.5 * (ex.target[0] - outs[0]) ** 2, rel=1e-14)
    assert env["E_o2"] == pytest.approx(0.5 * (ex.target[1] - outs[1]) ** 2, rel=1e-14)
    cost = ex.net.compile().cost(ex.params, ex.x, ex.target)
    assert env["E_total"] == pytest.approx(cost, rel=1e-14)


def test_a_derivative_prints_as_the_article_writes_it():
    import sympy as sp

    x = sp.Symbol("x")
    assert text(sp.Derivative(sp.Function("f")(x), x)) == "∂f(x)/∂x"
    assert text(sp.Derivative(x * sp.exp(-x), (x, 2))) == "∂²(x·e^(−x))/∂x²"

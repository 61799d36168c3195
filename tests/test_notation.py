"""The one renderer: the article's names in LaTeX and in terminal text, expressions in the
article's order with Unicode mathematics, and one number format."""

from __future__ import annotations

import pickle

import pytest
import sympy as sp

from bpderive import Network
from bpderive.symbolic.notation import (
    Name,
    Partial,
    latex,
    name_tex,
    name_text,
    number,
    number_latex,
    set_text,
    text,
)


@pytest.mark.parametrize(
    ("name", "tex", "plain"),
    [
        ("net_h1", "net_{h1}", "net_h1"),
        ("out_h1_2", "out_{h1,2}", "out_h1_2"),
        ("w_(x1,1)", "w_{(x1,1)}", "w_(x1,1)"),
        ("w(2)_(1,1)", "w^{(2)}_{(1,1)}", "w(2)_(1,1)"),
        ("x1", "x_{1}", "x1"),
        ("b4", "b_{4}", "b4"),
        ("w5", "w_{5}", "w5"),
        ("delta_o1", r"\delta_{o1}", "δ_o1"),
        ("delta_h1_2", r"\delta_{h1,2}", "δ_h1_2"),
        ("eta_1", r"\eta_{1}", "η1"),
        ("E_total", "E_{total}", "E_total"),
        ("target_o2", "target_{o2}", "target_o2"),
        ("w_(1,1)⁺", "{w_{(1,1)}}^{+}", "w_(1,1)⁺"),
        ("mu", r"\mu", "μ"),
    ],
)
def test_every_kind_of_name_in_latex_and_text(name, tex, plain):
    assert name_tex(name) == tex
    assert name_text(name) == plain
    assert sp.latex(Name(name)) == tex  # any SymPy printer, a notebook's display too


def test_every_symbol_of_a_deep_network_prints_without_latex_in_text():
    net = Network((2, 3, 3, 2))
    for symbol in net.symbols.values():
        assert not set("{}\\^") & set(text(symbol)), symbol


o, t, h, n = (Name(s) for s in ("out_o1", "target_o1", "out_h1", "net_o1"))


@pytest.mark.parametrize(
    ("expr", "plain", "tex"),
    [
        (sp.Rational(1, 2) * (t - o) ** 2, "½(target_o1 − out_o1)²", None),
        (
            sp.Mul(o, 1 - o, evaluate=False),
            "out_o1(1 − out_o1)",
            r"out_{o1} \left(1 - out_{o1}\right)",
        ),
        (o - t, "out_o1 − target_o1", "out_{o1} - target_{o1}"),
        (t - o, "target_o1 − out_o1", "target_{o1} - out_{o1}"),
        (sp.exp(-n) / (1 + sp.exp(-n)) ** 2, "e^(−net_o1)/(1 + e^(−net_o1))²", None),
        (Name("w_(1,1)") * h + Name("b4"), "w_(1,1)·out_h1 + b4", r"w_{(1,1)} out_{h1} + b_{4}"),
        (Name("delta_o1") * Name("w5"), "δ_o1·w5", r"\delta_{o1} w_{5}"),
    ],
)
def test_expressions_in_the_articles_order(expr, plain, tex):
    assert text(expr) == plain
    if tex is not None:
        assert latex(expr) == tex


def test_a_partial_is_a_symbol_built_from_its_parts():
    e, w = Name("E_total"), Name("w_(1,1)")
    p = Partial(e, w)
    assert text(p) == "∂E_total/∂w_(1,1)"
    assert latex(p) == r"\frac{\partial E_{total}}{\partial w_{(1,1)}}"
    via = Partial(e, h, via=n)
    assert text(via) == "∂E_total/∂out_h1 (via net_o1)"
    assert latex(via) == r"\left.\frac{\partial E_{total}}{\partial out_{h1}}\right|_{net_{o1}}"
    assert pickle.loads(pickle.dumps(p)) == p and (p * 2).xreplace({p: 3}) == 6


@pytest.mark.parametrize(
    ("value", "plain", "tex"),
    [
        (0.0738670353, "0.073867", "0.073867"),
        (-0.138381, "−0.138381", "-0.138381"),
        (1.152341e-5, "1.15234×10⁻⁵", r"1.15234 \times 10^{-5}"),
        (-2.5e11, "−2.5×10¹¹", r"-2.5 \times 10^{11}"),
        (float("inf"), "inf", r"\text{inf}"),
        (-0.0, "0", "0"),  # −x·0, as a chain through a ReLU unit that is off gives
    ],
)
def test_one_number_format(value, plain, tex):
    assert number(value) == plain
    assert number_latex(value) == tex


@pytest.mark.parametrize(
    ("values", "plain"),
    [
        (sp.Interval.open(0, 1), "(0, 1)"),
        (sp.Interval(0, sp.oo), "[0, ∞)"),
        (sp.S.Reals, "ℝ"),
        (sp.Interval.Lopen(-1, 0), "(−1, 0]"),
        (sp.FiniteSet(0), "{0}"),
    ],
)
def test_sets_as_a_reader_writes_them(values, plain):
    assert set_text(values) == plain


def test_square_roots_print_as_roots():
    n_in, n_out = sp.symbols("n_in n_out", positive=True)
    assert text(sp.sqrt(6) / sp.sqrt(n_in + n_out)) == "√6/√(n_in + n_out)"
    assert text(sp.sqrt(o)) == "√out_o1"

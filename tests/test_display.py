"""Notebook display helpers: formulas beside numbers, as Markdown/LaTeX and as plain text."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from bpderive import Network, example
from bpderive.display import equations, fmt, table


@pytest.fixture(scope="module")
def net() -> Network:
    return Network()


def test_fmt_rounds_to_six_significant_digits() -> None:
    assert fmt(0.07386703533293223) == "0.073867"
    assert fmt(np.float64(1.4234)) == "1.4234"
    assert fmt(-2.5e-11) == "−2.5×10⁻¹¹"
    assert fmt(sp.Float(0.123456789)) == "0.123457"


def test_table_markdown_and_text(net: Network) -> None:
    g = net.gradient("w5")
    t = table(
        [
            [g.label, g.expr, 0.07386703533293223],
            ["w5", net.symbol("w5"), 0.4],
            ["count | n", None, 17],
            [net.delta_symbol("o1"), "tiny", 1.5e-12],
        ],
        ["term", "expression", "value"],
    )
    assert len(t) == 4
    assert t._repr_markdown_() == "\n".join(
        [
            "| term | expression | value |",
            "|---|---|---|",
            r"| $\frac{\partial E_{total}}{\partial w_{(1,1)}}$ | "
            r"$out_{h1} out_{o1} \left(1 - out_{o1}\right) \left(out_{o1} - target_{o1}\right)$ "
            r"| $7.3867 \times 10^{-2}$ |",
            r"| w5 | $w_{(1,1)}$ | $4 \times 10^{-1}$ |",
            r"| count \| n |  | 17 |",
            r"| $\delta_{o1}$ | tiny | $1.5 \times 10^{-12}$ |",
        ]
    )
    assert (
        repr(t)
        == t.text()
        == "\n".join(
            [
                "term               expression                                     value",
                "-----------------  ---------------------------------------------  -----------",
                "∂E_total/∂w_(1,1)  out_h1·out_o1(1 − out_o1)(out_o1 − target_o1)  7.3867×10⁻²",
                "w5                 w_(1,1)                                        4×10⁻¹",
                "count | n                                                         17",
                "δ_o1               tiny                                           1.5×10⁻¹²",
            ]
        )
    )


def test_numbers_in_a_column_share_one_form() -> None:
    plain = table([[4.5], [0.0072], [1.152e-05]], ["E"])
    assert plain.text().splitlines()[2:] == ["4.5", "0.0072", "0.00001152"]
    powers = table([[0.3292], [2.405e305]], ["cost"])
    assert powers.text().splitlines()[2:] == ["3.292×10⁻¹", "2.405×10³⁰⁵"]
    assert "$3.292 \\times 10^{-1}$" in powers._repr_markdown_()


def test_table_cells_numbers_of_every_kind() -> None:
    t = table([[np.int64(3), np.float32(0.5), sp.Float(2.0), True]], ["a", "b", "c", "d"])
    assert t.text().splitlines()[-1] == "3  0.5  2  True"


def test_table_rejects_bad_shapes_and_cells() -> None:
    with pytest.raises(ValueError, match=r"^headers: expected a non-empty sequence"):
        table([], "term")
    with pytest.raises(ValueError, match=r"^rows: expected a sequence of rows"):
        table(None, ["a"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^rows\[1\]: expected a sequence of 2 cells"):
        table([[1, 2], [3]], ["a", "b"])
    with pytest.raises(TypeError, match=r"^table: a cell must be .* got object"):
        table([[object()]], ["a"])


def test_equations_with_the_environment_as_values(net: Network) -> None:
    ex = example()
    env = net.environment(ex.params, ex.x, ex.target)
    eqs = net.forward_equations[:2]
    shown = equations(eqs, env)
    # the arithmetic, as Mazur writes it: symbols, then the same with the numbers in, then value
    assert shown.text() == "\n".join(
        [
            "net_h1 = w_(x1,1)·x1 + w_(x2,1)·x2 + b1 = 0.15·0.05 + 0.2·0.1 + 0.35 = 0.3775",
            "out_h1 = 1/(1 + e^(−net_h1)) = 1/(1 + e^(−0.3775)) = 0.59327",
        ]
    )
    assert repr(shown) == shown.text()
    assert shown._repr_latex_() == (
        r"$\displaystyle \begin{aligned} net_{h1} &= w_{(x1,1)} x_{1} + w_{(x2,1)} x_{2} + b_{1}"
        r" = 0.15 \cdot 0.05 + 0.2 \cdot 0.1 + 0.35 = 0.3775 \\ "
        r"out_{h1} &= \frac{1}{1 + e^{- net_{h1}}} = \frac{1}{1 + e^{- 0.3775}} = 0.59327"
        r" \end{aligned}$"
    )
    by_name = equations(eqs, {"out_h1": 0.5})
    assert by_name.text().splitlines() == [
        "net_h1 = w_(x1,1)·x1 + w_(x2,1)·x2 + b1",
        "out_h1 = 1/(1 + e^(−net_h1)) = 0.5",
    ]


def test_equations_keep_the_article_order_and_show_matrices(net: Network) -> None:
    layer = net.matrices()[0]
    shown = equations(layer.equation(), [np.array([0.3775, 0.4425, 0.5075])])
    latex = shown.latex()
    # W·a + b and w − η·∂E/∂w as the article writes them, not SymPy's sorted order
    assert latex.index("w_{(x1,1)}") < latex.index("b_{1}")
    assert latex.endswith(
        r"\\ &= \left[\begin{matrix}0.3775 \\ 0.4425 \\ 0.5075\end{matrix}\right] \end{aligned}"
    )  # a matrix equation's value on a line of its own
    assert shown.text().endswith("= [0.3775; 0.4425; 0.5075]")
    update = equations([net.gradient("w5").update()], [0.35])
    assert update.text() == "w_(1,1)⁺ = w_(1,1) − η1·∂E_total/∂w_(1,1) = 0.35"
    assert equations(net.gradient("b4").update()).text() == "b4⁺ = b4 − η2·∂E_total/∂b4"


def test_equations_reject_bad_input(net: Network) -> None:
    eqs = net.forward_equations[:2]
    with pytest.raises(ValueError, match=r"^eqs: expected a sympy.Eq or a non-empty list"):
        equations([])
    with pytest.raises(ValueError, match=r"^eqs\[1\]: expected a sympy.Eq, got Symbol"):
        equations([eqs[0], sp.Symbol("x")])
    with pytest.raises(ValueError, match=r"^values: expected one value per equation \(2\), got 1"):
        equations(eqs, [1.0])
    with pytest.raises(ValueError, match=r"^values: the value for equation 1 \(out_h1\) is not"):
        equations(eqs, [1.0, "high"])
    with pytest.raises(ValueError, match=r"^values: expected None, a mapping"):
        equations(eqs, 3.0)  # type: ignore[arg-type]
    # the package's one rule for numbers: no numeric strings, no True read as 1.0
    for hidden in (["0.5", 0.2], [True, 0.2], True):
        with pytest.raises(ValueError, match=r"^values: the value for equation 0 \(net_h1\)"):
            equations(eqs, [hidden, 0.3])


def test_equations_show_real_numbers_of_every_kind(net: Network) -> None:
    eqs = net.forward_equations[:2]
    shown = str(equations(eqs, [[Decimal("0.25"), sp.Rational(1, 8)], Fraction(1, 4)]))
    assert shown.splitlines() == [
        "net_h1 = w_(x1,1)·x1 + w_(x2,1)·x2 + b1 = [0.25; 0.125]",
        "out_h1 = 1/(1 + e^(−net_h1)) = 0.25",
    ]

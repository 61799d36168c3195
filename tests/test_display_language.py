"""The library's own tables and words follow the language in use (bpderive.set_language).

The Chinese edition prints what the library makes: the headers of its tables, the path of a
chain's term, the cases of a piecewise function, a bias's "from" in the name table and the
race's table. Each is English by default, exactly as the English notebooks store it, and
Chinese after ``set_language("zh")``; a plain-text table lines its columns up although a
Chinese character takes two columns.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sympy as sp

from bpderive import GradientDescent, Network, set_language
from bpderive.bench.race import SUMMARY, RaceRow, race_table, racers
from bpderive.display import equations, show, table
from bpderive.symbolic.activations import ACTIVATIONS
from bpderive.symbolic.notation import Partial, latex, text
from bpderive.symbolic.wrapping import columns, pad

YES = ("yes", "是")


def test_a_header_or_cell_pair_is_written_in_the_language_in_use() -> None:
    rows = [[YES, 1], ["NO", 22]]
    headers = [("answer", "答案"), "n"]
    english = table(rows, headers)
    assert english.headers == ["answer", "n"]
    assert english.text() == "answer  n\n------  --\nyes     1\nNO      22"
    assert english._repr_markdown_().splitlines()[2] == "| yes | 1 |"
    set_language("zh")
    chinese = table(rows, headers)
    assert chinese.headers == ["答案", "n"]
    assert chinese._repr_markdown_().splitlines()[2] == "| 是 | 1 |"


def test_a_plain_text_table_lines_up_chinese_columns() -> None:
    set_language("zh")
    shown = table([[("before", "更新前"), 0.5], ["x", 1]], ["", ("value", "数值")]).text()
    assert shown == "        数值\n------  ----\n更新前  0.5\nx       1"
    assert columns("更新前") == 6 and columns("(−∞, ∞)") == 7  # ∞ and − are one column
    assert pad("是", 4) == "是  " and pad("是", 4, right=True) == "  是"


def test_a_cell_of_any_other_tuple_is_still_refused() -> None:
    with pytest.raises(TypeError, match=r"an \(English, Chinese\) pair of strings"):
        table([[("yes", "是", "oui")]], ["answer"])


@pytest.mark.parametrize(
    ("interval", "written"),
    [
        (sp.Interval.open(0, 1), "(0, 1)"),
        (sp.Interval.open(-1, 1), "(−1, 1)"),
        (sp.Interval.open(sp.Rational(-1, 2), sp.Rational(1, 2)), "(−½, ½)"),
        (sp.Interval(0, sp.oo), "[0, ∞)"),
        (sp.Interval(-sp.oo, sp.oo), "(−∞, ∞)"),
        (sp.Interval(0, 1), "[0, 1]"),
    ],
)
def test_an_interval_is_written_as_a_learner_writes_it(interval, written) -> None:
    assert text(interval) == written
    shown = table([[interval]], ["range of out"])
    assert shown.text().splitlines()[-1] == written
    assert shown._repr_markdown_().splitlines()[-1] == f"| ${latex(interval)}$ |"


def test_the_activations_ranges_read_as_intervals_in_every_form() -> None:
    ranges = table([[a.output_range] for a in ACTIVATIONS.values() if a.elementwise], ["range"])
    assert "Interval" not in ranges.text() and "Interval" not in ranges._repr_markdown_()


def test_a_terms_path_is_named_in_the_language_in_use() -> None:
    e, h, n = (sp.Symbol(name) for name in ("E_total", "out_h1", "net_o1"))
    via = Partial(e, h, via=n)
    assert text(via) == "∂E_total/∂out_h1 (via net_o1)"
    set_language("zh")
    assert text(via) == "∂E_total/∂out_h1（经过 net_o1）"
    assert Partial(e, h, via=n) == via  # a symbol is known by its name: the same in either
    assert via.name == "∂E_total/∂out_h1 (via net_o1)"
    assert latex(via) == r"\left.\frac{\partial E_{total}}{\partial out_{h1}}\right|_{net_{o1}}"


def test_show_writes_the_paths_of_a_softmax_delta_in_chinese() -> None:
    soft = Network(activations=("logistic", "softmax"), loss="cross_entropy")
    assert "(via out_o2) = ∂E_total/∂out_o2" in show(soft.delta("o1")).text()
    set_language("zh")
    shown = show(soft.delta("o1")).text()
    assert "∂E_total/∂net_o1（经过 out_o2） = ∂E_total/∂out_o2" in shown
    assert "via" not in shown


def test_a_piecewise_functions_cases_are_worded_in_the_language_in_use() -> None:
    relu = sp.Eq(sp.Symbol("f"), ACTIVATIONS["relu"].formula)
    english = r"\begin{cases} 0 & \text{for}\: net \leq 0 \\net & \text{otherwise} \end{cases}"
    assert latex(relu.rhs) == english == sp.latex(relu.rhs)  # SymPy's own words, in English
    assert english in equations(relu)._repr_latex_()
    set_language("zh")
    chinese = equations(relu)._repr_latex_()
    assert r"0 & \text{当}\: net \leq 0 \\net & \text{其他情况}" in chinese
    assert "for" not in chinese and "otherwise" not in chinese


def test_a_bias_comes_from_no_unit_in_the_language_in_use() -> None:
    net = Network()
    assert {row["from"] for row in net.name_table() if row["name"] == "b4"} == {"(bias)"}
    set_language("zh")
    assert {row["from"] for row in net.name_table() if row["name"].startswith("b")} == {"（阈值）"}
    assert {row["from"] for row in net.name_table() if row["alias"] == "w5"} == {"h1"}


def _row(algorithm: str, stop: str, divergence: float = 0.0) -> RaceRow:
    """A racer's row with a run's numbers as the race prints them (no training needed)."""
    run = SimpleNamespace(epochs=5 if stop == "epochs" else 150, cost=0.1294, stop_reason=stop)
    return RaceRow("xor", algorithm, GradientDescent(), run, 0.0123, divergence)


def test_the_race_is_english_by_default_exactly_as_before() -> None:
    assert list(racers(0.5)) == [
        "gradient descent",
        "momentum 0.9",
        "adaptive rate",
        "Levenberg-Marquardt",
    ]
    rows = [_row("gradient descent", "epochs"), _row("Levenberg-Marquardt", "goal")]
    assert race_table(rows) == (
        "demo  algorithm             epochs  final cost  goal   time ms  ms/epoch\n"
        "xor   gradient descent           5   1.294e-01    no      12.3    2.4600\n"
        "xor   Levenberg-Marquardt      150   1.294e-01   yes      12.3    0.0820"
    )
    assert race_table(rows, times=False).splitlines()[0] == (
        "demo  algorithm             epochs  final cost  goal"
    )
    summary = table([row.summary() for row in rows], SUMMARY)
    assert summary.headers == ["demo", "algorithm", "epochs to the goal", "final cost", "stop"]
    assert _row("adaptive rate", "goal", float("inf")).stable_epochs == "100–1,000 (chaotic)"


def test_the_race_in_chinese() -> None:
    set_language("zh")
    assert list(racers(0.5)) == ["梯度下降", "动量 0.9", "自适应学习率", "Levenberg-Marquardt"]
    rows = [_row("梯度下降", "epochs"), _row("Levenberg-Marquardt", "goal")]
    assert race_table(rows) == (
        "赛道  算法                 训练周期    最终代价 达到目标   时间 ms ms/训练周期\n"
        "xor   梯度下降                    5   1.294e-01       否      12.3      2.4600\n"
        "xor   Levenberg-Marquardt       150   1.294e-01       是      12.3      0.0820"
    )
    summary = table([row.summary() for row in rows], SUMMARY)
    assert summary.headers == ["赛道", "算法", "达到目标的训练周期数", "最终代价", "停止原因"]
    chaotic = _row("自适应学习率", "goal", float("inf"))
    assert chaotic.stable_epochs == "100–1,000（混沌）"
    assert chaotic.summary()[2:4] == ["100–1,000（混沌）", "–"]

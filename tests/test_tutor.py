"""The checker as a tutor: graded hints, the answers students really type, the mistakes they
really make, in both languages.

Every number a hint or message must quote is computed here from the article's worked example
with plain NumPy (its weights, inputs and targets, as the article prints them), never taken
from the checker.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from bpderive import Network, initialize
from bpderive.exercises import MISTAKES, check
from bpderive.exercises.tutor import term_form
from bpderive.language import set_language
from bpderive.worked_example import example

ARTICLE = Network()
DEEP = Network((2, 3, 3, 2))
MIXED = Network((2, 3, 2), ("tanh", "logistic"))


def _article_numbers() -> dict[str, float]:
    """The worked example's forward pass and δ, by hand in NumPy."""
    ex = example(ARTICLE)
    p = {k: np.asarray(v, dtype=float) for k, v in ex.params.items()}
    x, t = np.asarray(ex.x, dtype=float), np.asarray(ex.target, dtype=float)
    hidden = 1 / (1 + np.exp(-(p["W1"] @ x + p["b1"])))
    out = 1 / (1 + np.exp(-(p["W2"] @ hidden + p["b2"])))
    delta = (out - t) * out * (1 - out)
    return {
        "out_h1": hidden[0],
        "out_h2": hidden[1],
        "dout_o1": out[0] * (1 - out[0]),
        "delta_o1": delta[0],
        "w5": delta[0] * hidden[0],
        "path_o2": delta[1] * p["W2"][1, 0],
    }


NUMBERS = _article_numbers()


def six(value: float) -> str:
    """A number as the messages print it: six significant digits, a true minus sign."""
    return f"{value:.6g}".replace("-", "−")


# ------------------------------------------------------------------------- the hint ladder

#: A mistake with a located cause, the expected expression its last hint gives (and that no
#: earlier text may give), and the number beside it.
LADDER = [
    ("w6", "(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1", "wrong_factor", "out_h2", "out_h2"),
    ("w5", "(out_o1 - target_o1)*out_h1", "missing_factor", "out_o1(1 − out_o1)", "dout_o1"),
    ("w1", "δ_o1*w5*out_h1*(1 - out_h1)*x1", "missing_path", "δ_o2·w_(1,2)", "path_o2"),
    ("w5", "(target_o1 - out_o1)*out_o1*(1 - out_o1)*out_h1", "sign", "out_o1 − target_o1", None),
    ("w5", "2*(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1", "constant_factor", None, "w5"),
]


@pytest.mark.parametrize(("target", "answer", "mistake", "expected", "number"), LADDER)
def test_hints_lead_from_where_to_the_answer(target, answer, mistake, expected, number):
    verdict = check(ARTICLE, target, answer)
    assert verdict.mistake == mistake, verdict.message
    assert len(verdict.hints) >= 2
    if expected is not None:
        assert expected not in verdict.message and expected not in verdict.hints[0]
        assert expected in verdict.hints[-1]
        assert expected in check(ARTICLE, target, answer, reveal=True).message
    if number is not None:
        assert six(NUMBERS[number]) in verdict.hints[-1]
    zh = check(ARTICLE, target, answer, lang="zh")
    assert len(zh.hints) == len(verdict.hints)
    assert all(re.search("[\u4e00-\u9fff]", hint) for hint in zh.hints)


def test_a_factor_s_rule_quotes_its_derived_local_equation():
    verdict = check(ARTICLE, "w5", "(out_o1 - target_o1)*out_h1")
    assert verdict.hints[0].startswith("The chain is ∂E_total/∂w5 = ∂E_total/∂out_o1 · ")
    assert "Your answer has nothing for ∂out_o1/∂net_o1" in verdict.hints[0]
    assert verdict.hints[1] == (
        "∂out_o1/∂net_o1 is the derivative of out_o1's local equation, "
        "out_o1 = 1/(1 + e^(−net_o1)), with respect to net_o1."
    )
    zh = check(ARTICLE, "w5", "(out_o1 - target_o1)*out_h1", lang="zh")
    assert zh.hints[1].startswith(
        "∂out_o1/∂net_o1 是 out_o1 的局部公式 out_o1 = 1/(1 + e^(−net_o1))"
    )


def test_a_missing_path_s_rule_is_the_sum_over_paths():
    verdict = check(ARTICLE, "w1", "δ_o1*w5*out_h1*(1 - out_h1)*x1")
    assert verdict.message == "The path through o2 is missing: ∂E_o2/∂out_h1."
    assert verdict.hints[0] == (
        "out_h1 reaches the error through o1 and o2. Your answer has no term for the path "
        "through o2."
    )
    assert verdict.hints[1] == (
        "The chain rule adds one term per path: ∂E_total/∂out_h1 = ∂E_o1/∂out_h1 + ∂E_o2/∂out_h1."
    )
    assert verdict.marks == {"o2": "missing"}


def test_several_missing_paths_are_each_named():
    answer = "δ_h2_1·w(2)_(1,1)·out_h1_1(1 − out_h1_1)"
    verdict = check(DEEP, "b1", answer)
    assert verdict.mistake == "missing_path"
    assert verdict.message == "The paths through h2_2 and h2_3 are missing."
    assert verdict.marks == {"h2_2": "missing", "h2_3": "missing"}
    zh = check(DEEP, "b1", answer, lang="zh")
    assert zh.message == "缺少经过 h2_2 和 h2_3 的路径。"
    assert "via" not in " ".join(zh.hints + verdict.hints)  # each path as the product it is
    assert "∂E_total/∂net_h2_2 · ∂net_h2_2/∂out_h1_1 = δ_h2_2·w(2)_(1,2)" in zh.hints[-1]
    assert verdict.hints[-1].count("at a sample point") == 2  # each missing term, its number
    assert "δ_h2_2·w(2)_(1,2), " in verdict.hints[-1] and "δ_h2_3·w(2)_(1,3), " in verdict.hints[-1]
    assert zh.hints[-1].count("一组随机数值下为") == 2 and "；" in zh.hints[-1]


def test_a_deep_path_is_named_by_the_product_it_is():
    """Below the last hidden layer every path's label is ∂E_total/∂out_h1_1, told apart only by
    "via net_h2_2": the message writes the missing one as the δ rule multiplies it."""
    answer = "δ_h2_1·w(2)_(1,1)·out_h1_1(1 − out_h1_1)·x1"
    deep = Network((2, 3, 2, 2))
    verdict = check(deep, "w(1)_(x1,1)", answer)
    assert verdict.message == (
        "The path through h2_2 is missing: ∂E_total/∂net_h2_2 · ∂net_h2_2/∂out_h1_1."
    )
    zh = check(deep, "w(1)_(x1,1)", answer, lang="zh")
    assert zh.message == "缺少经过 h2_2 的那条路径：∂E_total/∂net_h2_2 · ∂net_h2_2/∂out_h1_1。"


def test_a_softmax_output_s_paths_are_named_by_their_units():
    """In a softmax layer every output depends on every net: δ_o2 collects a path through each
    output, named o1, o2, o3 like the paths of a hidden unit (not out_o1, …)."""
    softmax = Network((2, 3, 3), ("logistic", "softmax"), "cross_entropy")
    verdict = check(softmax, "delta_o2", "-target_o2/out_o2 * out_o2*(1 - out_o2)")
    assert verdict.message == "The paths through o1 and o3 are missing."
    assert verdict.marks == {"o1": "missing", "o3": "missing"}
    assert verdict.hints[1] == (
        "The chain rule adds one term per path: ∂E_total/∂net_o2 = ∂E_total/∂out_o1 · "
        "∂out_o1/∂net_o2 + ∂E_total/∂out_o2 · ∂out_o2/∂net_o2 + ∂E_total/∂out_o3 · "
        "∂out_o3/∂net_o2."
    )


@pytest.mark.parametrize(
    ("sizes", "activations", "loss", "unit"),
    [
        ((2, 3, 2), ("logistic", "logistic"), "half_sse", "h1"),
        ((2, 3, 3, 2), ("logistic", "tanh", "logistic"), "half_sse", "h1_2"),
        ((2, 3, 3), ("logistic", "softmax"), "cross_entropy", "o2"),
        ((2, 3, 3), ("tanh", "softmax"), "half_sse", "o3"),
    ],
)
def test_a_path_s_term_in_the_last_hint_is_that_path_s_value(sizes, activations, loss, unit):
    """The last hint writes each missing path's term short: δ_o2·w_(1,2) where the path goes
    through a unit's δ, else its factors multiplied (a softmax output's ∂E_total/∂out_o1 ·
    ∂out_o1/∂net_o2, whose first factor is not δ_o1). Each, with the δs' numbers put in, is
    the path's own product of local derivatives at a random sample."""
    net = Network(sizes, activations, loss)
    rng = np.random.default_rng(3)
    params = initialize(net, "uniform", seed=3, r=1.0)
    m = sizes[-1]
    target = np.eye(m)[[1]] if loss == "cross_entropy" else rng.uniform(0, 1, (1, m))
    env = net.environment(params, rng.uniform(-1, 1, (1, sizes[0])), target)
    paths = net.delta(unit).factors[0].terms
    for path in paths:
        deltas = {
            net.delta_symbol(u.name.split("_", 1)[1]): net.delta(u.name.split("_", 1)[1])
            .numbers(env)
            .value
            for u in term_form(net, path).free_symbols
            if u.name.startswith("delta_")
        }
        stated = float(term_form(net, path).subs(deltas).subs(env))
        assert stated == pytest.approx(path.numbers(env).value, rel=1e-9), path.label


def test_a_hint_is_shown_one_at_a_time():
    verdict = check(ARTICLE, "w6", "δ_o1·out_h1")
    shown = verdict._repr_markdown_()
    assert "**Hint 1 of 3:**" in shown and "Next hint: `.hint(2)`." in shown
    assert "out_h2" not in shown  # the expected factor only at the bottom of the ladder
    assert str(verdict.hint(3)).startswith("Hint 3 of 3: ∂net_o1/∂w6 = out_h2, ")
    assert verdict.hint(2)._repr_markdown_().startswith("**Hint 2 of 3:** $")
    with pytest.raises(ValueError, match=r"^k: expected a hint number from 1 to 3, got 4$"):
        verdict.hint(4)
    with pytest.raises(ValueError, match="has no hints"):
        check(ARTICLE, "w6", "δ_o1·out_h2").hint()
    zh = check(ARTICLE, "w6", "δ_o1·out_h1", lang="zh")
    assert (
        "**提示 1/3：**" in zh._repr_markdown_()
        and "下一条提示：`.hint(2)`。" in zh._repr_markdown_()
    )
    assert "\n  下一条提示：`.hint(2)`。" in repr(zh)


# ------------------------------------------------------------------------- what students type

READ_RIGHT = [
    r"$\delta_{o1} out_{h1}$",
    r"$$\delta_{o1} \cdot out_{h1}$$",
    r"\(\delta_{o1} out_{h1}\)",
    "δ_o1*out_h1。",
    "δ_o1*out_h1；",
    "δ_o1*out_h1，",
    "$δ_o1·out_h1$。",
    "(out_o1 - target_o1)*sigmoid(net_o1)*(1 - sigmoid(net_o1))*out_h1",
    "(out_o1 - target_o1)*σ'(net_o1)*out_h1",
    "(out_o1 - target_o1)*f'(net_o1)*out_h1",
    "(out_o1 - target_o1)*f′(net_o1)*out_h1",
    "∂E_total/∂w5 = δ_o1*out_h1",
    "∂E/∂w5 = δ_o1*out_h1",
    r"\frac{\partial E_{total}}{\partial w_{(1,1)}} = \delta_{o1} out_{h1}",
]


@pytest.mark.parametrize("answer", READ_RIGHT)
def test_the_answers_students_type_are_read(answer):
    verdict = check(ARTICLE, "w5", answer)
    assert verdict.correct, verdict.message


def test_f_prime_is_the_unit_s_own_activation_and_never_a_guess():
    assert check(MIXED, "b1", "(δ_o1·w5 + δ_o2·w_(1,2))·f'(net_h1)").correct  # tanh′ there
    assert check(MIXED, "b4", "(out_o1 - target_o1)·f′(net_o1)").correct  # logistic′ there
    verdict = check(MIXED, "b1", "(δ_o1·w5 + δ_o2·w_(1,2))·f'(x1)")
    assert verdict.mistake == "unparseable"
    assert "different activations" in verdict.message and "f′(net_o1)" in verdict.message
    zh = check(MIXED, "b1", "(δ_o1·w5 + δ_o2·w_(1,2))·f'(x1)", lang="zh")
    assert "激活函数" in zh.message


@pytest.mark.parametrize(
    ("answer", "first", "also"),
    [
        ("(o1 - target_o1)*o1*(1 - o1)*out_h1", "out_o1", "net_o1"),
        ("(out_o1 - t1)*out_o1*(1 - out_o1)*out_h1", "target_o1", None),
        ("δ_o1*h1", "out_h1", "net_h1"),
    ],
)
def test_an_unknown_name_is_answered_by_meaning_first(answer, first, also):
    verdict = check(ARTICLE, "w5", answer)
    assert verdict.mistake == "unknown_name"
    suggested = verdict.message.split("Did you mean: ")[1].rstrip("?").split(", ")
    assert suggested[0] == first and (also is None or also in suggested[:2])


# ------------------------------------------------------------------------- the new mistakes


@pytest.mark.parametrize(
    "answer",
    ["δ_o1*out_h1*η1", "eta1*delta_o1*out_h1", "w5 - η1*δ_o1*out_h1", "w5⁺ = w5 − η1·δ_o1·out_h1"],
)
def test_a_learning_rate_in_a_gradient(answer):
    verdict = check(ARTICLE, "w5", answer)
    assert verdict.mistake == "learning_rate", verdict.message
    assert "w5⁺ = w5 − η1·∂E_total/∂w5" in verdict.message or "w_(1,1)⁺" in verdict.message
    zh = check(ARTICLE, "w5", answer, lang="zh")
    assert "学习率" in zh.message or "更新" in zh.message


def test_a_bias_s_learning_rate_is_eta2():
    verdict = check(ARTICLE, "b4", "η2·δ_o1")
    assert verdict.mistake == "learning_rate" and "b4⁺ = b4 − η2·∂E_total/∂b4" in verdict.message


def test_a_left_side_must_name_the_quantity_asked():
    verdict = check(ARTICLE, "w5", "∂E/∂w6 = δ_o1*out_h1")
    assert verdict.mistake == "wrong_target"
    assert verdict.message == (
        "Your left side is ∂E/∂w6, but the exercise asks for ∂E_total/∂w5. Your right side is "
        "right for ∂E_total/∂w5: only the left side names another quantity."
    )
    wrong_both = check(ARTICLE, "w5", "∂E/∂w6 = δ_o1*out_h2")
    assert wrong_both.mistake == "wrong_target" and "right side is right" not in wrong_both.message
    assert check(
        ARTICLE, "delta_o1", "∂E_total/∂net_o1 = (out_o1 - target_o1)*out_o1*(1 - out_o1)"
    ).correct
    assert (
        check(ARTICLE, "delta_o1", "δ_o2 = (out_o1 - target_o1)*out_o1*(1 - out_o1)").mistake
        == "wrong_target"
    )


def test_a_bare_number_is_told_a_formula_is_asked():
    equal = check(ARTICLE, "w5", "0.073867")
    assert equal.mistake == "number_only"
    assert "A formula is asked, not a number" in equal.message
    assert "to the digits you typed" in equal.message and six(NUMBERS["w5"]) in equal.message
    assert "to the digits you typed" in check(ARTICLE, "w5", "0.07").message
    differs = check(ARTICLE, "w5", "0.08")
    assert differs.mistake == "number_only" and "0.08 is not" in differs.message
    assert "题目要的是公式，不是数值" in check(ARTICLE, "w5", "0.073867", lang="zh").message


def test_the_asked_delta_as_its_own_answer():
    output = check(ARTICLE, "delta_o1", "δ_o1")
    assert output.mistake == "circular"
    assert "An output unit's δ is built from the error and the activation's derivative" in (
        output.message
    )
    assert "δ of the layer above" not in output.message
    hidden = check(ARTICLE, "delta_h1", "δ_h1")
    assert hidden.mistake == "circular" and "A hidden unit's δ" in hidden.message
    assert "输出层神经元的 δ" in check(ARTICLE, "delta_o1", "δ_o1", lang="zh").message


# ------------------------------------------------------------------------- the learner's words


def test_the_sign_of_the_whole_answer_is_said_as_such():
    verdict = check(ARTICLE, "w5", "-δ_o1*out_h1")
    assert verdict.mistake == "sign"
    assert verdict.message.startswith("The sign of your whole answer is wrong")
    assert "target_o1 − out_o1" not in verdict.message + " ".join(verdict.hints)
    assert "Haykin" in check(ARTICLE, "w5", "-δ_o1*out_h1", reveal=True).message
    assert any("Haykin" in hint for hint in verdict.hints)
    typed = check(ARTICLE, "w5", "(target_o1 - out_o1)*out_o1*(1 - out_o1)*out_h1")
    assert typed.message.startswith("The sign of ∂E_total/∂out_o1 is wrong: you wrote ")


def test_a_message_echoes_the_names_typed():
    verdict = check(ARTICLE, "w1", "(δ_o1·w5 + δ_o2·w6)·out_h1·(1 − out_h1)·x1")
    assert verdict.mistake == "wrong_factor"
    assert "you wrote w6 (w_(2,1))" in verdict.message


def test_every_new_code_is_listed():
    for code in ("learning_rate", "wrong_target", "number_only", "circular"):
        assert code in MISTAKES


def test_an_unknown_target_in_chinese_names_the_nearest():
    set_language("zh")
    with pytest.raises(KeyError, match=r"delta_o2。你是不是想写：w\d、w\d、w\d？'$"):
        check(ARTICLE, "w9", "x1")
    with pytest.raises(KeyError, match=r"你是不是想写：delta_o2、delta_o1"):
        check(ARTICLE, "delta_o3", "x1")


# ------------------------------------------------------------------------- the paths, drawn


def _dashed(ax) -> set[str]:
    return {
        p.get_gid()
        for p in ax.patches
        if (p.get_gid() or "").startswith("path:") and p.get_linestyle() == "--"
    }


def test_a_verdict_draws_the_path_it_misses():
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    missing = check(ARTICLE, "w1", "δ_o1*w5*out_h1*(1 - out_h1)*x1")
    ax = missing.figure()
    assert _dashed(ax) == {"path:o2:edge:w_(1,2)", "path:o2:edge:E_o2"}
    plt.close(ax.figure)
    wrong = check(ARTICLE, "w1", "(δ_o1·w5 + δ_o2·w6)·out_h1·(1 − out_h1)·x1")
    assert wrong.marks == {"o2": "wrong"}
    ax = wrong.figure()
    assert _dashed(ax) == {"path:o2:edge:w_(1,2)", "path:o2:edge:E_o2"}
    plt.close(ax.figure)
    right = check(ARTICLE, "w1", "(δ_o1·w5 + δ_o2·w_(1,2))·out_h1·(1 − out_h1)·x1")
    ax = right.figure()
    assert right.marks == {} and _dashed(ax) == set()
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="no paths to draw"):
        check(ARTICLE, "delta_o1", "out_o1").figure()


def test_the_box_shows_one_hint_per_press_and_the_figure():
    pytest.importorskip("ipywidgets", reason="ipywidgets is in the notebooks extra")
    from bpderive.exercises.ask import Asker

    asker = Asker(ARTICLE, "w1", "en")
    assert asker.hint_button.disabled  # nothing to hint before a check
    asker.text.value = "δ_o1*w5*out_h1*(1 - out_h1)*x1"
    verdict = asker.on_check()
    shown = [output["data"] for output in asker.output.outputs]
    assert len(shown) == 2 and "text/markdown" in shown[0] and "image/png" in shown[1]
    assert shown[0]["text/plain"].startswith("✗ missing_path: The path through o2 is missing")
    message = asker.output.outputs[0]["data"]["text/markdown"]
    assert "Hint 1" not in message  # in the box, hints come one press at a time
    assert not asker.hint_button.disabled
    for k in range(1, len(verdict.hints) + 1):
        asker.on_hint()
        assert asker.output.outputs[-1]["data"]["text/plain"] == str(verdict.hint(k))
    assert asker.hint_button.disabled and asker.hint_button.description == "Hint"
    asker.text.value = "(δ_o1·w5 + δ_o2·w_(1,2))·out_h1·(1 − out_h1)·x1"
    asker.on_check()
    assert asker.hint_button.disabled and len(asker.output.outputs) == 1
    assert Asker(ARTICLE, "w1", "zh").hint_button.description == "提示"


def test_the_command_line_shows_as_many_hints_as_asked(capsys):
    from bpderive.cli import main

    assert main(["check", "w6", "δ_o1*out_h1"]) == 1
    out = capsys.readouterr().out
    assert "Hint 1 of 3: " in out and out.rstrip().endswith("Next hint: --hints 2.")
    assert "out_h2" not in out
    assert main(["check", "w6", "δ_o1*out_h1", "--hints", "3"]) == 1
    out = capsys.readouterr().out
    assert "Hint 3 of 3: ∂net_o1/∂w6 = out_h2, " in out and "Next hint" not in out
    assert main(["check", "w6", "δ_o1*out_h1", "--reveal", "--hints", "0"]) == 1
    assert "expected out_h2, got out_h1" in capsys.readouterr().out
    assert main(["check", "--lang", "zh", "w6", "δ_o1*out_h1"]) == 1
    assert "下一条提示：--hints 2。" in capsys.readouterr().out
    assert main(["check", "w6", "δ_o1*out_h1", "--hints", "two"]) == 2
    assert "--hints: expected a whole number such as 2, got 'two'" in capsys.readouterr().err

"""The answer checker: right answers in every notation, each mistake code on several targets and
networks, the messages in both languages, hostile input, the answer box and the command line.

The mistaken answers are built here from the derived chain's own factors (one dropped, one
replaced, a sign flipped, a path left out) and printed as text or LaTeX, so each case knows which
factor the checker must name; the expected codes and names are this file's, not the checker's.
"""

from __future__ import annotations

import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sympy as sp

from bpderive import Network
from bpderive.cli import main
from bpderive.exercises import MISTAKES, ask, check, targets
from bpderive.exercises.ask import Asker
from bpderive.language import ENVIRONMENT, get_language, set_language
from bpderive.symbolic.notation import latex, text

ARTICLE = Network()
NETWORKS = {
    "article": ARTICLE,
    "tanh-logistic": Network((2, 3, 2), ("tanh", "logistic")),
    "cross-entropy": Network((2, 3, 2), "logistic", "cross_entropy"),
    "softmax": Network((2, 3, 3), ("tanh", "softmax"), "cross_entropy"),
    "deep": Network((2, 3, 2, 2)),
    "mse": Network((3, 2, 1), ("relu", "linear"), "mse"),
}

# ------------------------------------------------------------------------- right answers

RIGHT = [
    ("w5", "(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1"),
    ("w5", "(Out_o1 − target_o1)·Out_o1(1 − Out_o1)·Out_h1"),
    (
        "w5",
        r"\left(out_{o1} - target_{o1}\right) \cdot out_{o1} \left(1 - out_{o1}\right) out_{h1}",
    ),
    (
        "w5",
        r"(\mathrm{out}_{o1} - \mathrm{target}_{o1}) \times \mathrm{out}_{o1}(1-\mathrm{out}_{o1})"
        r" \mathrm{out}_{h1}",
    ),
    ("w5", r"-(target_{o1} - out_{o1}) \frac{e^{-net_{o1}}}{(1 + e^{-net_{o1}})^2} out_{h1}"),
    ("w5", "δ_o1·out_h1"),
    ("w5", r"\delta_{o1} out_{h1}"),
    ("w5", "(out_o1 - target_o1) sigma(net_o1)(1 - σ(net_o1)) out_h1"),
    ("w5", "∂E_total/∂w5 = delta_o1 * out_h1"),
    ("b4", "(out_o1 - target_o1)*out_o1*(1 - out_o1)"),
    ("b5", "δ_o2"),
    ("w_(2,2)", "delta_o2 out_h2"),
    ("w6", "δ_o1·out_h2"),
    ("delta_o2", "(out_o2 - target_o2) out_o2 (1 - out_o2)"),
    ("δ_h1", "(δ_o1·w5 + δ_o2·w_(1,2))·out_h1(1 − out_h1)"),
    (
        "δ_h1",
        r"\left(\delta_{o1} w_{(1,1)} + \delta_{o2} w_{(1,2)}\right) out_{h1}"
        r" \left(1 - out_{h1}\right)",
    ),
    ("w1", "(δ_o1·w5 + δ_o2·w_(1,2))·out_h1(1 − out_h1)·x1"),
    ("w_(x2,3)", "(delta_o1 w7 + delta_o2 w_(3,2)) out_h3 (1 - out_h3) x2"),
    ("w_(x2,3)", "δ_h3·x2"),
    ("b2", "(δ_o1·w6 + δ_o2·w_(2,2))·out_h2(1 − out_h2)"),
]


@pytest.mark.parametrize(("target", "answer"), RIGHT)
def test_right_answers_in_every_notation(target, answer):
    verdict = check(ARTICLE, target, answer)
    assert verdict.correct and verdict.mistake is None, verdict.message
    assert verdict.message.startswith("Correct:")


@pytest.mark.parametrize("name", ARTICLE.parameter_names)
@pytest.mark.parametrize("printer", [latex, text])
def test_bpderive_s_own_printed_chains_are_right_answers(name, printer):
    """A learner may copy a formula bpderive printed (a notebook's LaTeX, the terminal's text)."""
    verdict = check(ARTICLE, name, printer(ARTICLE.gradient(name).expr))
    assert verdict.correct, verdict.message
    assert verdict.proved


# ------------------------------------------------------------------------- the mistakes


def factors(chain):
    return list(chain.items)


def answer_without(chain, k):
    return sp.Mul(*[item.expr for j, item in enumerate(factors(chain)) if j != k])


def answer_replacing(chain, k, replacement):
    items = [item.expr for item in factors(chain)]
    items[k] = replacement
    return sp.Mul(*items)


@pytest.mark.parametrize("net_name", ["article", "tanh-logistic", "cross-entropy", "deep"])
@pytest.mark.parametrize("printer", [latex, text])
def test_a_missing_factor_is_named(net_name, printer):
    net = NETWORKS[net_name]
    name = net.parameter_names[-2]  # a weight into the last output: three factors
    chain = net.gradient(name)
    k = 1  # ∂out/∂net
    verdict = check(net, name, printer(answer_without(chain, k)))
    assert verdict.mistake == "missing_factor", verdict.message
    assert text(chain.items[k].label) in verdict.message


@pytest.mark.parametrize(
    ("target", "answer", "item", "expected", "given"),
    [
        (
            "w5",
            "(out_o1 - target_o1)*out_o1*out_h1",
            "∂out_o1/∂net_o1",
            "out_o1(1 − out_o1)",
            "out_o1",
        ),
        (
            "w5",
            "(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h2",
            "∂net_o1/∂w5",
            "out_h1",
            "out_h2",
        ),
        (
            "w_(1,1)",
            "(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h2",
            "∂net_o1/∂w_(1,1)",
            "out_h1",
            "out_h2",
        ),
        (
            "w5",
            "(out_o1 - target_o1)*out_o2*(1 - out_o2)*out_h1",
            "∂out_o1/∂net_o1",
            "out_o1(1 − out_o1)",
            "out_o2(1 − out_o2)",
        ),
        ("b4", "(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1", "∂net_o1/∂b4", "1", "out_h1"),
        (
            "w1",
            "(δ_o1·w5 + δ_o2·w_(1,2))·out_h1·x1",
            "∂out_h1/∂net_h1",
            "out_h1(1 − out_h1)",
            "out_h1",
        ),
        ("w1", "(δ_o1·w5 + δ_o2·w_(1,2))·out_h1(1 − out_h1)·x2", "∂net_h1/∂w1", "x1", "x2"),
        (
            "w1",
            "(δ_o1·w5 + δ_o2·w6)·out_h1(1 − out_h1)·x1",
            "∂net_o2/∂out_h1",
            "w_(1,2)",
            "w6 (w_(2,1))",  # the name the learner typed, its full name in brackets
        ),
        (
            "δ_h2",
            "(δ_o1·w6 + δ_o2·w_(2,2))·out_h2",
            "∂out_h2/∂net_h2",
            "out_h2(1 − out_h2)",
            "out_h2",
        ),
        (
            "δ_o1",
            "(out_o1 - target_o1)*(1 - out_o1)",
            "∂out_o1/∂net_o1",
            "out_o1(1 − out_o1)",
            "1 − out_o1",
        ),
        (
            "w_(3,2)",
            "(out_o2 - target_o2)*out_o2*(1 - out_o2)*out_h2",
            "∂net_o2/∂w_(3,2)",
            "out_h3",
            "out_h2",
        ),
    ],
)
def test_a_wrong_factor_is_named_with_what_was_expected_and_given(
    target, answer, item, expected, given
):
    verdict = check(ARTICLE, target, answer, reveal=True)
    assert verdict.mistake == "wrong_factor", verdict.message
    assert f"{item} is wrong" in verdict.message
    assert f"expected {expected}, got {given} (" in verdict.message


@pytest.mark.parametrize(
    ("net_name", "target", "answer", "unit"),
    [
        ("article", "w1", "delta_o1*w5*out_h1*(1-out_h1)*x1", "o2"),
        ("article", "w1", "delta_o2*w_(1,2)*out_h1*(1-out_h1)*x1", "o1"),
        ("article", "δ_h3", "δ_o1·w7·out_h3(1 − out_h3)", "o2"),
        ("article", "b3", r"\delta_{o2} w_{(3,2)} out_{h3} (1 - out_{h3})", "o1"),
        ("tanh-logistic", "w_(x2,2)", "δ_o1·w6·(1 − out_h2²)·x2", "o2"),
        ("deep", "b1", "δ_h2_1·w(2)_(1,1)·out_h1_1(1 − out_h1_1)", "h2_2"),
        # multiplied out: no factor of the answer is the chain's Sum, only the numbers tell
        ("article", "w1", "delta_o1*w5*out_h1*x1 - delta_o1*w5*out_h1^2*x1", "o2"),
        ("article", "w1", "x1·δ_o2·w_(1,2)·out_h1 − x1·δ_o2·w_(1,2)·out_h1·out_h1", "o1"),
        ("article", "δ_h3", "δ_o1·w7·out_h3 − δ_o1·w7·out_h3²", "o2"),
        # a path missing inside a path: named by its own unit, o2, not by the outer one, h2_1
        (
            "deep",
            "w(1)_(x1,1)",
            "(δ_o1·w(3)_(1,1)·out_h2_1(1 − out_h2_1)·w(2)_(1,1) + δ_h2_2·w(2)_(1,2))"
            "·out_h1_1(1 − out_h1_1)·x1",
            "o2",
        ),
    ],
)
def test_a_missing_path_names_the_output(net_name, target, answer, unit):
    verdict = check(NETWORKS[net_name], target, answer)
    assert verdict.mistake == "missing_path", verdict.message
    assert verdict.message.startswith(f"The path through {unit} is missing")


@pytest.mark.parametrize(
    ("net_name", "target", "answer", "item"),
    [
        ("article", "w5", "(target_o1 - out_o1)*out_o1*(1 - out_o1)*out_h1", "∂E_total/∂out_o1"),
        ("article", "b4", "-(out_o1 - target_o1)*out_o1*(1 - out_o1)", None),
        ("article", "δ_o2", "(target_o2 - out_o2) out_o2 (1 - out_o2)", "∂E_total/∂out_o2"),
        # the minus stands before the path's term, not in the factor it flips
        (
            "article",
            "w1",
            "(δ_o1·w5 - δ_o2·w_(1,2))·out_h1(1 − out_h1)·x1",
            "your term for the path through o2",
        ),
        (
            "article",
            "w1",
            "(δ_o1·w5 + (target_o2 - out_o2)·out_o2(1 − out_o2)·w_(1,2))·out_h1(1 − out_h1)·x1",
            "∂E_o2/∂out_o2",
        ),
        ("cross-entropy", "w5", "-(out_o1 - target_o1)*out_h1", None),
        ("mse", "b3", "2*(target_o1 - out_o1)", None),
    ],
)
def test_a_wrong_sign(net_name, target, answer, item):
    verdict = check(NETWORKS[net_name], target, answer)
    assert verdict.mistake == "sign", verdict.message
    if item is not None:
        assert verdict.message.startswith(f"The sign of {item} is wrong")


@pytest.mark.parametrize(
    ("net_name", "target", "answer", "ratio", "hint"),
    [
        ("article", "w5", "2*(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1", "2", True),
        ("article", "b5", "2 δ_o2", "2", True),
        ("article", "w1", "0.5*(δ_o1·w5 + δ_o2·w_(1,2))·out_h1(1 − out_h1)·x1", "½", True),
        ("article", "δ_h1", "3(δ_o1·w5 + δ_o2·w_(1,2))·out_h1(1 − out_h1)", "3", False),
        ("mse", "b3", "(out_o1 - target_o1)", "½", False),
    ],
)
def test_a_constant_factor(net_name, target, answer, ratio, hint):
    verdict = check(NETWORKS[net_name], target, answer, reveal=True)
    assert verdict.mistake == "constant_factor", verdict.message
    assert verdict.message.startswith(f"Your answer is {ratio} times")
    assert ("½Σ(target − out)²" in verdict.message) is hint


@pytest.mark.parametrize(
    ("target", "answer"),
    [
        ("w5", "0.5·x1"),
        ("w5", "out_o1 + out_h1"),
        ("w1", "x1*x2"),
        ("δ_h1", "out_h1"),
        ("b4", "exp(net_o1)"),
        ("w5", "log(out_o1 - 2)"),  # no real value
    ],
)
def test_anything_else_is_not_equivalent_with_both_values(target, answer):
    verdict = check(ARTICLE, target, answer)
    assert verdict.mistake == "not_equivalent", verdict.message
    assert "worked example" in verdict.message


@pytest.mark.parametrize(
    ("net_name", "target", "answer", "mistake"),
    [
        ("cross-entropy", "b4", "out_o1 - target_o1", None),
        ("cross-entropy", "b4", "(out_o1 - target_o1)*out_o1*(1 - out_o1)", "wrong_factor"),
        ("softmax", "b4", "out_o1 - target_o1", None),
        ("softmax", "delta_o2", "out_o2 - target_o2", None),
        ("softmax", "delta_o2", "out_o2*(1 - out_o2)*(out_o2 - target_o2)", "not_equivalent"),
        ("tanh-logistic", "δ_h1", "(δ_o1·w5 + δ_o2·w_(1,2))·(1 − out_h1²)", None),
        ("tanh-logistic", "δ_h1", "(δ_o1·w5 + δ_o2·w_(1,2))·out_h1(1 − out_h1)", "wrong_factor"),
        ("deep", "w(1)_(x1,1)", "δ_h1_1·x1", None),
        (
            "deep",
            "w(2)_(1,2)",
            "(δ_o1 w(3)_(2,1) + δ_o2 w(3)_(2,2)) out_h2_2 (1 - out_h2_2) out_h1_1",
            None,
        ),
        ("mse", "b3", "2/1*(out_o1 - target_o1)", None),
        # ReLU units that are off make the chain exactly 0 at some points: equal there too
        ("mse", "w_(x1,1)", "δ_h1·x1", None),
        # 0.01 % off is not right: agreement is to rounding, 1e-8
        ("article", "w5", "1.0001·δ_o1·out_h1", "constant_factor"),
    ],
)
def test_other_networks_and_losses(net_name, target, answer, mistake):
    verdict = check(NETWORKS[net_name], target, answer)
    assert verdict.mistake == mistake, verdict.message


@pytest.mark.parametrize(
    "answer",
    [
        "(δ_o1·w5 + 2·δ_o2·w_(1,2))·out_h1(1 − out_h1)·x1",
        "(δ_o1·w5 + δ_o2 + w_(1,2))·out_h1(1 − out_h1)·x1",
    ],
    ids=["twice_one_path", "plus_for_times"],
)
def test_a_wrong_path_in_a_sum_names_the_sum(answer):
    """One path doubled, or written as two terms: the sum ∂E_total/∂out_h1 is what is wrong.
    Not "the answer is 2 times the chain" (it is not), nor a factor missing from a term."""
    verdict = check(ARTICLE, "w1", answer, reveal=True)
    assert verdict.mistake == "wrong_factor", verdict.message
    assert verdict.message.startswith("∂E_total/∂out_h1 is wrong: expected ")


@pytest.mark.parametrize(
    "answer",
    ["(out_o1 - 1)^0.5*out_h1", "δ_o1·out_h1·(1 + (out_o1 - 1)^0.5)", "(x1 - 1)^(1/3)"],
)
def test_a_root_of_a_negative_number_has_no_real_value(answer):
    """out_o1 < 1 and x1 < 1 at every point: the powers are complex there, which is no value an
    answer can have (not a complex number carried into the comparison and the message)."""
    verdict = check(ARTICLE, "w5", answer)
    assert verdict.mistake == "not_equivalent", verdict.message
    assert verdict.message.startswith("Your answer has no finite real value at the worked example")


# ------------------------------------------------------------------------- reading errors


@pytest.mark.parametrize(
    ("answer", "mistake", "fragment"),
    [
        ("(out_o1 - target_o1", "unparseable", "character 1"),
        ("out_o1 * * out_h1", "unparseable", "character 10"),
        ("", "unparseable", "empty"),
        ("out_o3*out_h1", "unknown_name", "Did you mean: out_o2, out_o1"),
        ("E_total*out_h1", "unknown_name", "E_total"),
        ("eta_1*out_h1", "learning_rate", "η1 is a learning rate"),
        ("x" * 600, "too_complex", "500 characters"),
        ("out_h1^100", "too_complex", "64"),
        ("(" * 60 + "out_h1" + ")" * 60, "too_complex", "nested"),
    ],
)
def test_unreadable_answers_say_where(answer, mistake, fragment):
    verdict = check(ARTICLE, "w5", answer)
    assert verdict.mistake == mistake and fragment in verdict.message, verdict.message
    assert verdict.read_as is None


def test_the_delta_asked_for_cannot_be_its_own_answer():
    verdict = check(ARTICLE, "δ_h1", "δ_h1")
    assert verdict.mistake == "circular"
    assert verdict.message.startswith("δ_h1 is what you are asked to derive")


def test_an_unknown_target_is_a_usage_error_listing_the_valid_ones():
    with pytest.raises(KeyError, match=r"valid targets: w1, w5, w6, w7, w_\(x1,1\)"):
        check(ARTICLE, "w9", "x1")
    with pytest.raises(KeyError, match="delta_o1"):
        check(ARTICLE, "delta_x1", "x1")
    assert "delta_h1" in targets(ARTICLE) and "b5" in targets(ARTICLE)
    with pytest.raises(ValueError, match=r"^lang: expected 'en' or 'zh'"):
        check(ARTICLE, "w5", "x1", lang="fr")


def test_every_mistake_code_is_covered_here():
    """The codes the tests above assert, one for one with the documented list."""
    covered = {
        "sign", "constant_factor", "missing_factor", "wrong_factor", "missing_path",
        "not_equivalent", "unparseable", "unknown_name", "too_complex",
    }  # fmt: skip
    covered |= {"learning_rate", "circular"}  # above; the rest in test_tutor.py
    covered |= {"wrong_target", "number_only"}
    assert covered == set(MISTAKES)


# ------------------------------------------------------------------------- the messages


def test_messages_in_chinese_use_the_articles_terms():
    zh = check(ARTICLE, "w1", "delta_o1*w5*out_h1*(1-out_h1)*x1", lang="zh", reveal=True)
    assert zh.mistake == "missing_path"
    assert zh.message.startswith("缺少经过 o2 的那条路径") and "链式法则" in zh.message
    assert "例题数值下为 −0.00961754" in zh.message
    wrong = check(ARTICLE, "w5", "(out_o1 - target_o1)*out_o1*out_h1", lang="zh", reveal=True)
    assert wrong.message.startswith(
        "∂out_o1/∂net_o1 错了：应为 out_o1(1 − out_o1)，你写的是 out_o1"
    )
    assert check(ARTICLE, "w5", "out_o3", lang="zh").message.startswith("第 1 个字符处：未知的名称")
    assert check(ARTICLE, "w5", "δ_o1·out_h1", lang="zh").message.startswith("正确：")
    shown = repr(zh)  # as a notebook's text output and the terminal show it: all in Chinese
    assert shown.startswith("✗ 还不对：缺少路径。缺少经过 o2") and "\n  读作：δ_o1·w_(1,1)" in shown
    assert "missing_path" not in shown and zh.mistake == "missing_path"  # the code is for programs
    assert "read as" not in shown.lower() and "读作：$" in zh._repr_markdown_()


#: Words of three or more letters a Chinese verdict may hold: the network's names (out_o1,
#: net_h1, target_o1, E_total), the functions an answer may use, LaTeX's commands.
MATHS = {"out", "net", "target", "total", "exp", "log", "tanh", "sqrt", "frac", "partial"}
MATHS |= {"left", "right", "cdot"}

#: One answer for every kind of verdict, each message template once, on the networks the
#: notebooks use (the deep network's path label carries a "via" in its name; ReLU's derivative
#: is a piecewise function, which SymPy writes with "for" and "otherwise").
RELU = Network((2, 3, 2), ("relu", "logistic"))
EVERY_VERDICT = [
    ("relu", "w1", "(δ_o1·w5 + δ_o2·w_(1,2))·out_h1·x1", "wrong_factor"),
    ("article", "w7", "δ_o1·out_h1", "wrong_factor"),
    ("article", "w1", "delta_o1*w5*out_h1*(1-out_h1)*x1", "missing_path"),
    ("deep", "b1", "δ_h2_1·w(2)_(1,1)·out_h1_1(1 − out_h1_1)", "missing_path"),
    ("article", "w5", "(target_o1 - out_o1)*out_o1*(1 - out_o1)*out_h1", "sign"),
    ("article", "b4", "-(out_o1 - target_o1)*out_o1*(1 - out_o1)", "sign"),
    ("article", "w5", "2*(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1", "constant_factor"),
    ("article", "δ_h2", "δ_o1·w_(2,1) + δ_o2·w_(2,2)", "missing_factor"),
    ("softmax", "δ_o2", "out_o2(1 − out_o2)(out_o2 − target_o2)", "not_equivalent"),
    ("article", "w5", "log(x1 - 1)", "not_equivalent"),
    ("article", "w5", "(x1", "unparseable"),
    ("article", "w5", "out_o3", "unknown_name"),
    ("article", "δ_h1", "δ_h1", "circular"),
    ("article", "w5", "δ_o1·out_h1·η1", "learning_rate"),
    ("article", "w5", "∂E/∂w6 = δ_o1·out_h1", "wrong_target"),
    ("article", "w5", "0.073867", "number_only"),
    ("article", "w5", "x" * 600, "too_complex"),
    ("article", "b4", "δ_o1", None),
]


def english_words(shown: str) -> set[str]:
    """The English left in a verdict once its formulas (``$…$``), code (```.hint(2)```) and
    names are set aside."""
    prose = re.sub(r"\$[^$]*\$|`[^`]*`", " ", shown)
    return {w for w in re.findall(r"[A-Za-z]{3,}", prose) if w not in MATHS}


@pytest.mark.parametrize(("net_name", "target", "answer", "mistake"), EVERY_VERDICT)
def test_a_chinese_verdict_is_chinese_in_every_form(net_name, target, answer, mistake):
    """Text, terminal, Markdown: no English word, the headline included (zh/02 showed
    "✗ wrong_factor: … is wrong: expected … given at the worked example" and "Read as")."""
    net = RELU if net_name == "relu" else NETWORKS[net_name]
    verdict = check(net, target, answer, lang="zh")
    assert verdict.mistake == mistake, verdict.message
    full = check(net, target, answer, lang="zh", reveal=True)  # the expected form at once
    every_hint = [str(verdict.hint(k)) for k in range(1, len(verdict.hints) + 1)]
    every_hint += [verdict.hint(k)._repr_markdown_() for k in range(1, len(verdict.hints) + 1)]
    for shown in (str(verdict), repr(verdict), verdict._repr_markdown_(), str(full), *every_hint):
        assert re.search("[\u4e00-\u9fff]", shown), shown
        assert english_words(shown) == set(), shown
    english = check(net, target, answer, lang="en")
    assert repr(english).startswith(f"✗ {mistake}: " if mistake else "✓ Correct: ")


def test_a_check_speaks_the_language_in_use_unless_told(monkeypatch):
    assert check(ARTICLE, "w6", "δ_o1·out_h1").message.startswith("∂net_o1/∂w6 is wrong")
    monkeypatch.setenv(ENVIRONMENT, "zh")  # a Chinese learner's machine
    assert check(ARTICLE, "w6", "δ_o1·out_h2").message.startswith("正确：")
    monkeypatch.delenv(ENVIRONMENT)
    set_language("zh")
    verdict = check(ARTICLE, "w6", "δ_o1·out_h1", reveal=True)
    assert verdict.lang == "zh"
    assert repr(verdict).startswith("✗ 还不对：因子错误。∂net_o1/∂w6 错了：应为 out_h2")
    english = check(ARTICLE, "w6", "δ_o1·out_h1", lang="en", reveal=True)
    assert repr(english).startswith("✗ wrong_factor: ∂net_o1/∂w6 is wrong: expected out_h2")


def test_a_mistyped_target_is_refused_in_the_learners_language():
    set_language("zh")
    with pytest.raises(KeyError, match=r"^'target：没有 “w9” 这个目标；可以检查的目标：w1、w5、w6"):
        check(ARTICLE, "w9", "x1")
    with pytest.raises(KeyError, match=r"w_\(x1,1\)、w_\(x2,1\)"):
        check(ARTICLE, "delta_x1", "x1")
    with pytest.raises(KeyError, match=r"^\"target: unknown 'w9'; valid targets: w1, w5"):
        check(ARTICLE, "w9", "x1", lang="en")
    with pytest.raises(KeyError, match="可以检查的目标"):
        ask(ARTICLE, "w99")


def test_a_formula_too_large_to_check_is_explained_in_chinese():
    """The reason a LimitError gives is English; the Chinese verdict names the limit instead."""
    deep = Network((2,) + (3,) * 12 + (2,))
    verdict = check(deep, "w(1)_(x1,1)", "x1", lang="zh")
    assert verdict.mistake == "too_complex"
    assert "超过 50,000 个运算和符号" in verdict.message and english_words(repr(verdict)) == set()


def test_a_verdict_renders_in_jupyter():
    verdict = check(ARTICLE, "w5", "(out_o1 - target_o1)*out_o1*out_h1", reveal=True)
    markdown = verdict.summary_markdown()
    assert verdict._repr_markdown_().startswith(markdown)
    assert markdown.startswith(
        r"**✗ Not yet: a wrong factor.** $\frac{\partial out_{o1}}{\partial net_{o1}}$ is wrong: "
        r"expected $out_{o1} \left(1 - out_{o1}\right)$, got $out_{o1}$ (0.156443 expected, "
        "0.805871 given at the worked example)."
    )
    assert markdown.endswith(r"Read as: $out_{h1} out_{o1} \left(out_{o1} - target_{o1}\right)$")
    assert verdict._repr_latex_() == (
        r"$\displaystyle \times\quad out_{h1} out_{o1} \left(out_{o1} - target_{o1}\right)$"
    )
    right = check(ARTICLE, "b4", "δ_o1", lang="zh")
    assert right._repr_markdown_().startswith(
        r"**✓** 正确：$\frac{\partial E_{total}}{\partial b_{4}}$ = $\delta_{o1}$，例题数值下"
    )
    assert repr(right).startswith("✓ 正确")


def test_numbers_come_from_the_worked_example_or_a_sample_point():
    assert "worked example" in check(ARTICLE, "w5", "0").message
    assert "a sample point" in check(NETWORKS["deep"], "b1", "0").message


# ------------------------------------------------------------------------- safety

HOSTILE = [
    "__import__('os').system('touch pwned')",
    "open('pwned', 'w').write('x')",
    "exec('import os')",
    "eval('1+1')",
    "lambda: 0",
    "[x for x in (1,)]",
    "out_o1.__class__",
    "x1; import os",
    r"\input{/etc/passwd}",
    "`touch pwned`",
    "$(touch pwned)",
    "9^9^9^9",
    "2**2**2**2**2**2",
    "(" * 1000,
]


@pytest.mark.parametrize("answer", HOSTILE)
def test_hostile_answers_run_nothing(answer, tmp_path, monkeypatch, watch_code):
    monkeypatch.chdir(tmp_path)
    with watch_code() as calls:
        verdict = check(ARTICLE, "w5", answer)
    assert calls == []
    assert verdict.mistake in ("unparseable", "unknown_name", "too_complex"), verdict.message
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------- the time limit

_SUM, _PART = "(out_h1 - out_h2 - out_h3 - out_o1 - out_o2 - x1)", "(out_h1 - out_h2 - out_h3)"
#: Right, but SymPy proves it only by expanding a tenth power of a six-term sum: about four
#: seconds, four times the proof's limit.
SLOW_RIGHT = f"{RIGHT[0][1]} + {_SUM}^10 - {_SUM}^9*({_PART} - out_o1 - out_o2) + {_SUM}^9*x1"


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="no timer signal (Windows)")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # a finaliser's
def test_the_time_limit_cuts_a_long_proof_short_and_the_numbers_decide():
    verdict = check(ARTICLE, "w5", SLOW_RIGHT)
    assert verdict.correct and not verdict.proved


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="no timer signal (Windows)")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # that is the case
def test_the_time_limit_holds_when_its_signal_lands_in_a_finaliser():
    """Python ignores an exception raised while it runs a finaliser (``__del__``, a weakref
    callback): the timer's exception then never reaches the check, which ran on and proved
    a slow answer under load. The limit must still end the block."""
    from bpderive.exercises.check import _limit, _TooSlow

    class Slow:
        def __del__(self) -> None:
            end = time.monotonic() + 0.3
            while time.monotonic() < end:  # the timer fires in here
                pass

    with pytest.raises(_TooSlow):
        with _limit(0.05):
            Slow()  # dropped at once: its __del__ runs inside the block
    with _limit(1.0):
        pass  # a block that ends in time is left alone


def test_without_a_timer_signal_a_check_runs_to_its_end(monkeypatch):
    """As on Windows, which has no ``setitimer``: no time limit, the same verdict."""
    monkeypatch.delattr(signal, "setitimer", raising=False)
    verdict = check(ARTICLE, "w5", RIGHT[0][1])
    assert verdict.correct and verdict.proved


def test_a_check_outside_the_main_thread_runs_without_the_timer():
    """A signal handler can only be set from the main thread (a widget's callback may run in
    another)."""
    with ThreadPoolExecutor(1) as pool:
        verdict = pool.submit(check, ARTICLE, "w5", RIGHT[0][1]).result(timeout=120)
    assert verdict.correct and verdict.proved


# ------------------------------------------------------------------------- box and command line


def test_the_check_button_shows_the_verdict():
    pytest.importorskip("ipywidgets", reason="ipywidgets is in the notebooks extra")
    asker = Asker(ARTICLE, "w6", "en")
    asker.text.value = "δ_o1·out_h2"
    verdict = asker.on_check()
    assert verdict.correct
    shown = asker.output.outputs[-1]["data"]["text/markdown"]
    assert shown.startswith("**✓** Correct:")
    asker.text.value = "δ_o1·out_h1"
    assert asker.on_check().mistake == "wrong_factor"
    assert len(asker.output.outputs) == 1  # the old verdict is replaced, not appended


def test_the_box_speaks_the_language_it_was_made_in():
    pytest.importorskip("ipywidgets", reason="ipywidgets is in the notebooks extra")
    set_language("zh")
    asker = Asker(ARTICLE, "w6")
    assert asker.button.description == "检查"
    assert asker.widget.children[0].value == "你对 ∂E_total/∂w6 的答案："
    set_language("en")  # a box already on the page keeps its labels' language
    asker.text.value = "δ_o1·out_h1"
    assert asker.on_check().message.startswith("∂net_o1/∂w6 错了")
    assert Asker(ARTICLE, "w6").button.description == "Check"


def test_ask_displays_the_box_or_says_how_to_install(monkeypatch, capsys):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda widget: shown.append(widget))
    assert ask(ARTICLE, "w5") is None
    assert len(shown) == 1 and "Your answer for ∂E_total/∂w5:" in shown[0].children[0].value
    monkeypatch.setitem(__import__("sys").modules, "ipywidgets", None)
    ask(ARTICLE, "w5", lang="zh")
    assert "答案输入框需要 ipywidgets：pip install ipywidgets" in capsys.readouterr().out
    set_language("zh")
    ask(ARTICLE, "w5")
    assert capsys.readouterr().out.startswith("答案输入框需要 ipywidgets")
    with pytest.raises(KeyError):
        ask(ARTICLE, "w99")


def test_the_command_line_speaks_the_language_in_use_unless_told(monkeypatch, capsys):
    monkeypatch.setenv(ENVIRONMENT, "zh")
    assert main(["check", "w5", "δ_o1·out_h2"]) == 1
    assert capsys.readouterr().out.startswith("✗ 还不对：因子错误。∂net_o1/∂w5 错了")
    assert main(["check", "--lang", "en", "w5", "δ_o1·out_h2"]) == 1
    assert capsys.readouterr().out.startswith("✗ wrong_factor: ∂net_o1/∂w5 is wrong")
    monkeypatch.delenv(ENVIRONMENT)
    assert get_language() == "en"  # --lang held for one run only


def test_command_line_exit_status(capsys):
    assert main(["check", "w5", "(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1"]) == 0
    assert capsys.readouterr().out.startswith("✓ Correct: ∂E_total/∂w5")
    assert main(["check", "w1", "delta_o1*w5*out_h1*(1-out_h1)*x1"]) == 1
    assert "The path through o2 is missing" in capsys.readouterr().out
    assert main(["check", "--lang", "zh", "w5", "δ_o1·out_h2"]) == 1
    assert "错了" in capsys.readouterr().out
    assert main(["check", "w9", "x1"]) == 2
    assert "valid targets" in capsys.readouterr().err
    assert main(["check", "--lang", "zh", "w9", "x1"]) == 2
    assert "可以检查的目标" in capsys.readouterr().err
    assert (
        main(["check", "--sizes", "2,2,1", "b3", "--", "-(target_o1 - out_o1)*out_o1*(1 - out_o1)"])
        == 0
    )

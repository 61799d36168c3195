"""The tutor's reading rules: wrappers and closing punctuation, σ and f′, the left side of a
pasted equation, and suggestions by meaning before spelling.

Every parse runs under the traps of :mod:`test_exercise_parse` (``eval``, ``sympify`` …), and so
does every :func:`read_left`.
"""

from __future__ import annotations

import random

import pytest
import sympy as sp
from test_exercise_parse import (
    B4,
    D1,
    H1,
    NAMES,
    NO1,
    O1,
    T1,
    X1,
    X2,
    failure,
    forbidden_calls,
    parse,
    resolve,
    same,
)

from bpderive.exercises import Left, read_left
from bpderive.exercises.lexer import prepare
from bpderive.exercises.messages import PARSE
from bpderive.exercises.parse import MAX_LENGTH, AnswerError, parse_answer


def sigma(x: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-x))


# ------------------------------------------------------------ wrappers and closing punctuation

UNWRAPPED = [
    ("$x1 + x2$", X1 + X2),
    ("$$ x1 + x2 $$", X1 + X2),
    (r"\(x1 + x2\)", X1 + X2),
    (r"\[x1 + x2\]", X1 + X2),
    ("  $x1$  ", X1),
    ("x1 + x2。", X1 + X2),
    ("x1 + x2，", X1 + X2),
    ("x1 + x2；", X1 + X2),
    ("x1 + x2.", X1 + X2),
    ("x1 + x2,", X1 + X2),
    ("x1 + x2;", X1 + X2),
    ("$x1 + x2$。", X1 + X2),
    ("$x1 + x2$ .", X1 + X2),
    ("$x1 + x2.$", X1 + X2),
    ("$δ_o1 = out_o1 - target_o1$.", O1 - T1),
    ("x1 ,;。", X1),
    # a dot after a number: the number stays whole
    ("0.5.", sp.Rational(1, 2)),
    ("2.", sp.Integer(2)),
    ("1.", sp.Integer(1)),
    ("x1 + 1.。", X1 + 1),
    ("$0.25$.", sp.Rational(1, 4)),
    # LaTeX that ends in a comma or a dot of its own
    (r"x1\,", X1),
    (r"x1 \;", X1),
    (r"\left. x1 \right.", X1),
    (r"$\left. x1 \right.$.", X1),
]


@pytest.mark.parametrize(("text", "expected"), UNWRAPPED)
def test_wrappers_and_closing_punctuation_are_ignored(text: str, expected: sp.Expr) -> None:
    assert same(parse(text), expected)


WRAPPED_ERRORS = [
    # positions still count from the original text's first character, wrapper included
    ("$x1 + (x2$", "unparseable", 6),
    ("$$ x1 + foo $$.", "unknown_name", 8),
    (r"\(x1 + \)", "unparseable", 5),
    ("  $x1 / 0$。", "unparseable", 6),
    # only around the whole answer, and a comma inside still separates nothing
    ("$x1$ + $x2$", "unparseable", 3),
    ("x1, x2.", "unparseable", 2),
    ("$", "unparseable", 0),  # one dollar wraps nothing
    ("$$ 。", "unparseable", None),
    ("。", "unparseable", None),
]


@pytest.mark.parametrize(("text", "code", "position"), WRAPPED_ERRORS)
def test_errors_inside_a_wrapper_point_into_the_original(
    text: str, code: str, position: int | None
) -> None:
    error = failure(text)
    assert (error.code, error.position) == (code, position)


@pytest.mark.parametrize("text", ["$x1$。", r"\(x1\)", "$$x1$$，", "x1．", "x1"])
def test_blanking_keeps_the_length(text: str) -> None:
    assert len(prepare(text)) == len(text)


# ------------------------------------------------------------------- σ, sigmoid and their ′

LOGISTIC = [
    "sigmoid(x1)",
    "σ(x1)",
    r"\sigma(x1)",
    r"\sigma\left(x1\right)",
    r"\operatorname{sigmoid}(x1)",
    r"\mathrm{sigmoid}(x1)",
    r"\mathrm{sigmoid}\left(x1\right)",
]


@pytest.mark.parametrize("text", LOGISTIC)
def test_sigmoid_is_the_logistic_function(text: str) -> None:
    assert same(parse(text), sigma(X1))


PRIMES = [
    "σ'(x1)",
    "σ′(x1)",
    "σ’(x1)",  # a Chinese input method's apostrophe
    "sigmoid'(x1)",
    "sigmoid′(x1)",
    r"\sigma'(x1)",
    r"\sigma^{\prime}(x1)",
    r"\sigma^\prime(x1)",
    r"\operatorname{sigmoid}'(x1)",
]


@pytest.mark.parametrize("text", PRIMES)
def test_the_logistic_derivative_without_a_network(text: str) -> None:
    assert same(parse(text), sigma(X1) * (1 - sigma(X1)))


def test_a_prime_in_a_product() -> None:
    expected = (O1 - T1) * sigma(NO1) * (1 - sigma(NO1)) * H1
    assert same(parse("(out_o1 - target_o1) σ'(net_o1) out_h1"), expected)


def reading(text: str, derivative) -> sp.Expr:
    with forbidden_calls() as calls:
        try:
            return parse_answer(text, resolve, NAMES, derivative=derivative)
        finally:
            assert not calls


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("f'(net_o1)", "f"),
        ("f′(net_o1)", "f"),
        ("f^{\\prime}(net_o1)", "f"),
        ("σ'(net_o1)", "logistic"),
        ("sigmoid′(net_o1)", "logistic"),
        (r"\sigma'\left(net_{o1}\right)", "logistic"),
    ],
)
def test_the_network_says_what_a_derivative_is(text: str, kind: str) -> None:
    seen: list[tuple[str, sp.Expr]] = []

    def derivative(which: str, argument: sp.Expr) -> sp.Expr:
        seen.append((which, argument))
        return sp.tanh(argument)

    assert reading(f"2 {text} x1", derivative) == 2 * sp.tanh(NO1) * X1
    assert seen == [(kind, NO1)]


def test_f_prime_needs_the_network() -> None:
    error = failure("out_h1 · f′(net_o1)")
    assert (error.code, error.reason, error.position, error.found) == (
        "unparseable",
        "no_activation",
        9,
        "f′",
    )
    english, chinese = error.message("en"), error.message("zh")
    assert "'f′' at character 10 is the derivative of the activation function" in english
    assert "第 10 个字符处的 “f′” 是激活函数的导数" in chinese


def test_the_networks_error_reaches_the_learner_with_its_place() -> None:
    raised = AnswerError("unparseable", "ambiguous_activation")

    def ambiguous(kind: str, argument: sp.Expr) -> sp.Expr:
        raise raised

    with pytest.raises(AnswerError) as info:
        reading("x1 + f'( out_h1 + x1 )", ambiguous)
    assert info.value is raised
    assert (raised.position, raised.found, raised.argument) == (5, "f'", "out_h1 + x1")
    assert raised.message("en") == (
        "Cannot read the answer: f'(out_h1 + x1) at character 6: the layers of this network use "
        "different activations, so f is ambiguous here; write f′ of a unit's net (f′(net_o1)) or "
        "the derivative itself."
    )
    assert raised.message("zh") == (
        "无法读取答案：第 6 个字符处的 “f'(out_h1 + x1)”：这个网络的各层用了不同的激活函数，"
        "这里的 f 不明确；请对某个神经元的净输入写 f′（如 f′(net_o1)），或直接写出导数本身。"
    )


def test_what_the_network_filled_in_stays() -> None:
    def ambiguous(kind: str, argument: sp.Expr) -> sp.Expr:
        raise AnswerError("unknown_name", "unknown_name", 0, name="f", argument="z")

    with pytest.raises(AnswerError) as info:
        reading("f'(x1)", ambiguous)
    assert (info.value.position, info.value.argument, info.value.found) == (0, "z", "f'")


def test_new_reasons_format_in_both_languages() -> None:
    fields = {"found": "f′", "pos": 3, "argument": "net_h1"}
    for reason in ("no_activation", "ambiguous_activation"):
        for template in PARSE[reason]:
            assert "{" not in template.format_map(fields)
    assert (
        PARSE["ambiguous_activation"][0]
        .format_map(fields)
        .startswith(
            "f′(net_h1) at character 3: the layers of this network use different activations"
        )
    )


def test_a_derivative_that_is_not_sympy_is_the_callers_bug() -> None:
    with pytest.raises(TypeError):
        reading("f'(x1)", lambda kind, argument: 1.5)


PRIME_ERRORS = [
    ("out_o1'", 6),
    ("x1' + x2", 2),
    ("'x1", 0),
    ("σ''(x1)", 2),
    ("exp'(x1)", 3),
    ("f'", 0),  # no network: the missing activation is the first thing to say
]


@pytest.mark.parametrize(("text", "position"), PRIME_ERRORS)
def test_a_prime_is_read_after_sigma_and_f_only(text: str, position: int) -> None:
    error = failure(text)
    assert (error.code, error.position) == ("unparseable", position)


def test_f_prime_needs_an_argument() -> None:
    with pytest.raises(AnswerError) as info:
        reading("x1 f'", lambda kind, argument: argument)
    assert (info.value.reason, info.value.position) == ("no_argument", 3)


# --------------------------------------------------------------------------- the left side

LEFT = [
    # the error's gradient by a parameter, or by a unit's net input
    ("∂E_total/∂w5 = δ_o1 out_h1", "gradient", "w5", "∂E_total/∂w5"),
    ("∂E/∂w6 = x1", "gradient", "w6", "∂E/∂w6"),
    ("dE/dw5 = x1", "gradient", "w5", "dE/dw5"),
    ("dE_total/dw_(1,2) = x1", "gradient", "w_(1,2)", "dE_total/dw_(1,2)"),
    ("∂E_{total}/∂w_{5} = x1", "gradient", "w5", "∂E_{total}/∂w_{5}"),
    (
        r"\frac{\partial E_{total}}{\partial w_5} = x1",
        "gradient",
        "w5",
        r"\frac{\partial E_{total}}{\partial w_5}",
    ),
    (r"\dfrac{\partial E_{\text{total}}}{\partial w_{(1,2)}} = x1", "gradient", "w_(1,2)", None),
    (r"\frac{\mathrm{d}E}{\mathrm{d}w_5} = x1", "gradient", "w5", None),
    (r"\partial E/\partial b_4 = x1", "gradient", "b4", r"\partial E/\partial b_4"),
    ("∂E_total/∂net_o1 = x1", "gradient", "net_o1", "∂E_total/∂net_o1"),
    ("∂E_total / ∂ w5 = x1", "gradient", "w5", "∂E_total / ∂ w5"),
    ("∂E/∂w5 ＝ x1", "gradient", "w5", "∂E/∂w5"),
    ("𝜕E/𝜕w5 = x1", "gradient", "w5", "𝜕E/𝜕w5"),
    ("$\\frac{∂E}{∂w5} = x1$。", "gradient", "w5", "\\frac{∂E}{∂w5}"),
    ("∂E/∂w5 = δ_o1·out_h1 = x1", "gradient", "w5", "∂E/∂w5 = δ_o1·out_h1"),
    # a unit's δ
    ("δ_o1 = x1", "delta", "delta_o1", "δ_o1"),
    ("delta_o1 = x1", "delta", "delta_o1", "delta_o1"),
    (r"\delta_{o1} = x1", "delta", "delta_o1", r"\delta_{o1}"),
    ("δo1 = x1", "delta", "delta_o1", "δo1"),
    ("δ_h1 = x1", "delta", "delta_h1", "δ_h1"),
    (r"\delta_{h1,2} = x1", "delta", "delta_h1_2", None),
    # a parameter after the step
    ("w5⁺ = x1", "update", "w5", "w5⁺"),
    ("w5^+ = x1", "update", "w5", "w5^+"),
    ("w5^{+} = x1", "update", "w5", "w5^{+}"),
    ("w5_new = x1", "update", "w5", "w5_new"),
    ("w5' = x1", "update", "w5", "w5'"),
    ("w5′ = x1", "update", "w5", "w5′"),
    ("w_(1,2)⁺ = x1", "update", "w_(1,2)", "w_(1,2)⁺"),
    (r"w_{5}^{\text{new}} = x1", "update", "w5", None),
    ("b4^+ = x1", "update", "b4", "b4^+"),
    ("{w_{(1,2)}}^{+} = x1", "update", "w_(1,2)", None),
    (r"\frac{\partial E}{\partial {b_4}} = x1", "gradient", "b4", None),
    # anything else
    ("E_total = x1", "other", "", "E_total"),
    ("x = x1", "other", "", "x"),
    ("out_o1' = x1", "other", "", "out_o1'"),
    ("∂E_o1/∂w5 = x1", "other", "", "∂E_o1/∂w5"),
    ("η1⁺ = x1", "other", "", "η1⁺"),
    ("w⁺ = x1", "other", "", "w⁺"),
    ("f(x=1) = x1", "other", "", "f(x=1)"),
]


@pytest.mark.parametrize(("text", "kind", "name", "typed"), LEFT)
def test_the_left_side_names_the_quantity(
    text: str, kind: str, name: str, typed: str | None
) -> None:
    with forbidden_calls() as calls:
        left = read_left(text)
    assert not calls
    assert left == Left(kind, name, typed or left.text)
    assert left.text in text and left.text == left.text.strip()


@pytest.mark.parametrize("text", ["x1", "", "   ", " = x1", "$ = x1$", "f(x=1)", "x" * 500 + "="])
def test_no_left_side(text: str) -> None:
    assert read_left(text) is None


def test_the_answer_is_still_the_right_side() -> None:
    assert same(parse("∂E/∂w5 = δ_o1·out_h1"), D1 * H1)
    assert same(parse("$w5^{+} = w5 - 0.5 x1$."), sp.Symbol("w5", real=True) - X1 / 2)


def test_reading_the_left_never_raises() -> None:
    """Short random texts from the characters the readers treat specially, and the limits."""
    alphabet = list("=∂d/\\{}()[]$'′⁺^_+.,;。 Eewbxδσfo12") + ["frac", "partial", "delta", "new"]
    rng = random.Random(19)
    with forbidden_calls() as calls:
        for _ in range(3000):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
            left = read_left(text)
            assert left is None or left.kind in ("gradient", "delta", "update", "other")
    assert not calls
    assert read_left(42) is None  # type: ignore[arg-type]
    assert read_left("=" * (MAX_LENGTH + 1)) is None


# ------------------------------------------------------------------------------ suggestions

MEANT = [
    ("o1", ("out_o1", "net_o1")),
    ("h1", ("out_h1", "net_h1")),
    ("h1_2", ("out_h1_2", "net_h1_2")),
    ("O1", ("out_o1", "net_o1")),
    ("t1", ("target_o1",)),
    ("t_1", ("target_o1",)),
    ("t_o1", ("target_o1",)),
    ("target1", ("target_o1",)),
    ("δo1", ("delta_o1",)),
    ("deltao1", ("delta_o1",)),
    ("do1", ("delta_o1",)),
    ("OUT_O1", ("out_o1",)),
]


@pytest.mark.parametrize(("text", "first"), MEANT)
def test_suggestions_by_meaning_come_first(text: str, first: tuple[str, ...]) -> None:
    error = failure(text)
    assert error.code == "unknown_name"
    assert error.suggestions[: len(first)] == first
    assert len(set(error.suggestions)) == len(error.suggestions)
    assert len(error.suggestions) <= (4 if len(first) > 1 else 3)


def test_delta_o1_before_delta_o2() -> None:
    error = failure("δo1")
    assert (error.name, error.suggestions[:2]) == ("δo1", ("delta_o1", "delta_o2"))
    assert error.message("zh").endswith("你是不是想写：delta_o1、delta_o2、delta_h1_2？")


def test_only_valid_names_are_meant() -> None:
    assert parse_failure("o1", ["net_o1", "w5"]).suggestions == ("net_o1",)
    assert "target_o2" not in parse_failure("t2", NAMES).suggestions


def test_four_suggestions_only_when_several_names_are_meant() -> None:
    several = parse_failure("o1", ["out_o1", "net_o1", "E_o1", "b_o1", "w1"])
    assert several.suggestions == ("out_o1", "net_o1", "b_o1", "E_o1")
    one = parse_failure("t_1", ["target_o1", "eta_1", "x_1", "w_1", "b1"])
    assert one.suggestions == ("target_o1", "eta_1", "x_1")


def parse_failure(text: str, valid: list[str]) -> AnswerError:
    with pytest.raises(AnswerError) as info:
        parse(text, valid=valid)
    return info.value


def test_spelling_still_suggests_when_nothing_is_meant() -> None:
    assert failure("out_o3").suggestions == ("out_o2", "out_o1", "out_h1")


def test_case_differences_of_the_article_still_resolve() -> None:
    assert parse("Out_o1 + Net_h1") == O1 + sp.Symbol("net_h1", real=True)
    assert parse("b_4") == B4 and parse("x_2") == X2

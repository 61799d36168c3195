"""The exercise parser reads the article's notations (plain, Unicode, LaTeX) and nothing else.

Every expected value is built here with SymPy constructors on the test's own symbols, never by
the parser. Every parse runs with ``eval``, ``exec``, ``compile``, ``sympify``, ``parse_expr`` and
``lambdify`` replaced by traps, so a passing test also shows the learner's text reached none.
"""

from __future__ import annotations

import builtins
import importlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sympy as sp
import sympy.parsing.sympy_parser

from bpderive.exercises.left import read_left
from bpderive.exercises.parse import MAX_LENGTH, AnswerError, parse_answer
from bpderive.language import set_language

NAMES = [
    "out_o1",
    "out_o2",
    "net_o1",
    "net_h1",
    "out_h1",
    "target_o1",
    "x1",
    "x2",
    "w1",
    "w5",
    "b4",
    "w_(1,1)",
    "w_(1,2)",
    "w_(x1,1)",
    "w_(x2,3)",
    "w(2)_(1,1)",
    "delta_o1",
    "delta_o2",
    "delta_h1_2",
    "eta_1",
    "E_total",
    "out_h1_2",
    "net_h1_2",
]
S = {name: sp.Symbol(name, real=True) for name in NAMES}
O1, O2, NO1, NH1, H1, T1 = (
    S[k] for k in ("out_o1", "out_o2", "net_o1", "net_h1", "out_h1", "target_o1")
)
X1, X2, W1, W5, B4 = (S[k] for k in ("x1", "x2", "w1", "w5", "b4"))
W11, W12, WX11, WX23, WD = (
    S[k] for k in ("w_(1,1)", "w_(1,2)", "w_(x1,1)", "w_(x2,3)", "w(2)_(1,1)")
)
D1, D2, DH12, ETA, ET, H12, NH12 = (
    S[k] for k in ("delta_o1", "delta_o2", "delta_h1_2", "eta_1", "E_total", "out_h1_2", "net_h1_2")
)
HALF = sp.Rational(1, 2)


def resolve(name: str) -> sp.Expr | None:
    """Like the caller's lookup: ``Out_``/``Net_`` are the article's spellings of out_/net_."""
    return S.get(re.sub(r"^(Out|Net)_", lambda m: m[1].lower() + "_", name))


@contextmanager
def forbidden_calls() -> Iterator[list[str]]:
    """Replace every evaluating entry point by a trap that records the call and raises."""
    calls: list[str] = []

    def trap(name: str):
        def called(*args, **kwargs):
            calls.append(name)
            raise AssertionError(f"{name} was called")

        return called

    targets = [
        (builtins, "eval"),
        (builtins, "exec"),
        (builtins, "compile"),
        (sp, "sympify"),
        (sp, "parse_expr"),
        (sp, "lambdify"),
        (sympy.parsing.sympy_parser, "parse_expr"),
        # the module, not the function that shadows it as an attribute of sympy.utilities
        (importlib.import_module("sympy.utilities.lambdify"), "lambdify"),
    ]
    with pytest.MonkeyPatch.context() as mp:
        for module, attribute in targets:
            mp.setattr(module, attribute, trap(f"{module.__name__}.{attribute}"))
        yield calls


def parse(text: str, valid=NAMES) -> sp.Expr:
    with forbidden_calls() as calls:
        try:
            return parse_answer(text, resolve, valid)
        finally:
            assert not calls


def failure(text: str) -> AnswerError:
    with pytest.raises(AnswerError) as info:
        parse(text)
    return info.value


def same(a: sp.Expr, b: sp.Expr) -> bool:
    return sp.simplify(a - b) == 0


SPELLINGS = [
    # plain text (with the article's capitalised variants), Unicode and LaTeX, one name per row
    (O1, ["out_o1", "Out_o1", "out_{o1}", r"\mathrm{out}_{o1}", r"\text{out}_{o1}", "{out}_{o1}"]),
    (O1, [r"\operatorname{out}_{o1}", r"\mathit{out}_{o1}", r"\mathrm{Out}_{o1}"]),
    (NH1, ["net_h1", "Net_h1", "net_{h1}"]),
    (T1, ["target_o1", "target_{o1}"]),
    (ET, ["E_total", "E_{total}", r"E_{\text{total}}"]),
    (X1, ["x1", "x_1", "x_{1}"]),
    (B4, ["b4", "b_4", "b_{4}"]),
    (W5, ["w5", "w_5", "w_{5}"]),
    (D1, ["delta_o1", "δ_o1", "δ_{o1}", r"\delta_{o1}", r"\delta_o1"]),
    (ETA, ["eta_1", "η_1", r"\eta_1", r"\eta_{1}", "η1"]),
    (DH12, ["delta_h1_2", r"\delta_{h1,2}", r"\delta_{h1 2}"]),
    (H12, ["out_h1_2", "out_{h1,2}", "out_{h1, 2}"]),
    (NH12, ["net_h1_2", "net_{h1,2}", "Net_{h1,2}"]),
    (W12, ["w_(1,2)", "w_( 1 , 2 )", "w_{(1,2)}", "{w_{(1,2)}}", "{{w_(1,2)}}"]),
    (WX23, ["w_(x2,3)", "w_(x2, 3)", "w_{(x2,3)}"]),
    (WX11, ["w_(x1,1)", "w_{(x1,1)}", "w_{ ( x1 , 1 ) }"]),
    (WD, ["w(2)_(1,1)", "w^{(2)}_{(1,1)}", "w_{(1,1)}^{(2)}", "w(2)_{(1,1)}", "w^(2)_(1,1)"]),
]


@pytest.mark.parametrize(("symbol", "spellings"), SPELLINGS)
def test_every_spelling_of_a_name(symbol: sp.Symbol, spellings: list[str]) -> None:
    assert [parse(text) for text in spellings] == [symbol] * len(spellings)


def test_resolve_gets_plain_spellings_with_the_case_as_typed() -> None:
    seen: list[str] = []

    def recording(name: str) -> sp.Expr:
        seen.append(name)
        return sp.Symbol(name)

    text = r"\delta_{h1,2} w^{(2)}_{(1,1)} Out_{o1} \eta_{1} x_{1} w_(x2,3) net_h1_2"
    parse_answer(text, recording, [])
    assert seen == ["delta_h1_2", "w(2)_(1,1)", "Out_o1", "eta_1", "x1", "w_(x2,3)", "net_h1_2"]


NUMBERS = [
    ("0.5", HALF),
    (".5", HALF),
    ("2.", sp.Integer(2)),
    ("0.1", sp.Rational(1, 10)),
    ("1e-3", sp.Rational(1, 1000)),
    ("2.5E4", sp.Integer(25000)),
    ("½", HALF),
    ("１２", sp.Integer(12)),
]


@pytest.mark.parametrize(("text", "expected"), NUMBERS)
def test_numbers_are_exact(text: str, expected: sp.Rational) -> None:
    value = parse(text)
    assert isinstance(value, sp.Rational)
    assert value == expected


EXPRESSIONS = [
    # operators in every spelling
    ("x1 + x2 - w5", X1 + X2 - W5),
    ("x1 − x2 – w5", X1 - X2 - W5),
    ("x1 * x2·w5⋅b4×w1", X1 * X2 * W5 * B4 * W1),
    (r"x1 \cdot x2 \times w5", X1 * X2 * W5),
    ("x1^2 + x2**2 + w5² + b4³", X1**2 + X2**2 + W5**2 + B4**3),
    ("x1⁻¹ + x2^{-1} + w5^-1", 1 / X1 + 1 / X2 + 1 / W5),
    ("x1^(1/2)", sp.sqrt(X1)),
    (r"\frac{x1}{x2} + \dfrac{w5}{b4} + \tfrac{1}{2}", X1 / X2 + W5 / B4 + HALF),
    ("[x1 + x2] {w5 + b4}^2", (X1 + X2) * (W5 + B4) ** 2),
    (r"\left[x1\right] \big( x2 \big) \Bigl( w5 \Bigr) \left. b4 \right.", X1 * X2 * W5 * B4),
    (r"x1\,x2\;w5\!b4\ w1", X1 * X2 * W5 * B4 * W1),
    ("（x1＋x2）／2", (X1 + X2) / 2),
    # e and exp
    ("e", sp.E),
    ("e^{x1} + e^x2", sp.exp(X1) + sp.exp(X2)),
    ("e^-net_o1", sp.exp(-NO1)),
    ("2e^{x1}", 2 * sp.exp(X1)),
    ("2e-x1", 2 * sp.E - X1),
    # precedence and associativity
    ("-x1^2", -(X1**2)),
    ("-x1²", -(X1**2)),
    ("2^3^2", sp.Integer(512)),
    ("2**3**2", sp.Integer(512)),
    ("x1/x2/w5", X1 / (X2 * W5)),
    ("x1 - -x2 * -w5", X1 - X2 * W5),
    ("--x1 + +x2", X1 + X2),
    ("2^-1", HALF),
    ("x1 x2^2", X1 * X2**2),
    # implicit multiplication
    ("2out_h1", 2 * H1),
    ("2 x1", 2 * X1),
    ("out_o1(1 - out_o1)", O1 * (1 - O1)),
    ("out_o1 (1-out_o1)", O1 * (1 - O1)),
    ("(x1)(x2)", X1 * X2),
    ("1/2(target_o1 - out_o1)", HALF * (T1 - O1)),
    ("1/2 (target_o1 - out_o1)^2", HALF * (T1 - O1) ** 2),
    ("w_(1,2)w_(x2,3)", W12 * WX23),
    ("e^{x1} x2", sp.exp(X1) * X2),
    ("x1/x2 w5", X1 / X2 * W5),
    # functions
    ("exp(x1) + exp[x2]", sp.exp(X1) + sp.exp(X2)),
    ("log(x1) + ln(x2)", sp.log(X1) + sp.log(X2)),
    ("tanh(x1) + sqrt(x2)", sp.tanh(X1) + sp.sqrt(X2)),
    (
        r"sigma(x1) + σ(x2) + \sigma\left(w5\right)",
        sum(1 / (1 + sp.exp(-v)) for v in (X1, X2, W5)),
    ),
    (r"\sqrt{x1} + \exp\left(x2\right) + \exp{w5}", sp.sqrt(X1) + sp.exp(X2) + sp.exp(W5)),
    (r"\ln x1 + \log x2 w5", sp.log(X1) + sp.log(X2) * W5),
    (r"\ln x1^2 + \tanh(x2)^2", sp.log(X1**2) + sp.tanh(X2) ** 2),
    # the article's terms as bpderive prints them
    (
        r"\left(out_{o1} - target_{o1}\right) out_{o1} \left(1 - out_{o1}\right) out_{h1}",
        (O1 - T1) * O1 * (1 - O1) * H1,
    ),
    (
        r"\frac{e^{- net_{o1}}}{\left(1 + e^{- net_{o1}}\right)^{2}}",
        sp.exp(-NO1) / (1 + sp.exp(-NO1)) ** 2,
    ),
    (r"\delta_{o1} w_{(1,1)}", D1 * W11),
    (r"\delta_{o1} w_{(1,1)} + \delta_{o2} w_{(1,2)}", D1 * W11 + D2 * W12),
    ("-(target_o1 − out_o1)·out_o1·(1 − out_o1)·out_h1", -(T1 - O1) * O1 * (1 - O1) * H1),
    # terms as bpderive's terminal output writes them
    ("½(target_o1 − out_o1)²", HALF * (T1 - O1) ** 2),
    ("−η1·δ_o1·out_h1", -ETA * D1 * H1),
    ("e^(−net_o1)", sp.exp(-NO1)),
    ("1.15234×10⁻⁵", sp.Rational(115234, 10**10)),
    # a left-hand side is dropped
    ("δ_o1 = out_o1 - target_o1", O1 - T1),
    (r"\delta_{o1} = \left(out_{o1} - target_{o1}\right)", O1 - T1),
    ("∂E/∂w5 = δ_o1 out_h1", D1 * H1),
    ("f(x=1) = x1", X1),
    ("E_total = w5 = x1 x2", X1 * X2),
]


@pytest.mark.parametrize(("text", "expected"), EXPRESSIONS)
def test_expressions(text: str, expected: sp.Expr) -> None:
    assert same(parse(text), expected)


@pytest.mark.parametrize(
    "expected",
    [
        HALF * (T1 - O1) ** 2,
        -ETA * D1 * H1 + W11,
        1 / (1 + sp.exp(-NO1)),
        sp.sqrt(X1) * sp.log(X2) * sp.tanh(X1),
        X1 ** sp.Rational(-1, 2),
        D1 * WD * H12,
    ],
)
def test_sympy_latex_round_trips(expected: sp.Expr) -> None:
    assert same(parse(sp.latex(expected)), expected)


def test_forty_levels_of_brackets_are_fine() -> None:
    assert parse("(" * 40 + "x1" + ")" * 40) == X1


ERRORS = [
    # empty, or only a left-hand side
    ("", "unparseable", None),
    ("   ", "unparseable", None),
    ("δ_o1 =", "unparseable", None),
    (r"\, \left. \right.", "unparseable", None),
    # unknown names, at the name
    ("out_o3", "unknown_name", 0),
    ("x1 + foo", "unknown_name", 5),
    ("δ_o1 = out_o3", "unknown_name", 7),
    ("δo1", "unknown_name", 0),
    # syntax, at the offending token
    ("x1 + (x2", "unparseable", 5),
    ("x1 + x2)", "unparseable", 7),
    ("(x1]", "unparseable", 3),
    ("x1 +", "unparseable", 3),
    ("x1^", "unparseable", 2),
    ("x1 * / x2", "unparseable", 5),
    ("()", "unparseable", 1),
    ("2 3", "unparseable", 2),
    ("x1, x2", "unparseable", 2),
    ("out_", "unparseable", 3),
    ("exp", "unparseable", 0),
    ("exp + x1", "unparseable", 0),
    (r"x1 + \ln", "unparseable", 5),
    (r"\frac{x1}", "unparseable", 0),
    (r"\frac x1 x2", "unparseable", 0),
    (r"\sqrt[3]{x1}", "unparseable", 5),
    (r"\alpha", "unparseable", 0),
    (r"x1 \left| x2 \right|", "unparseable", 3),
    # division by zero and undefined values
    ("x1 / 0", "unparseable", 3),
    ("x1/(x2 - x2)", "unparseable", 2),
    (r"\frac{1}{0}", "unparseable", 0),
    ("0^-1", "unparseable", 1),
    ("log(0)", "unparseable", None),
    # limits
    ("x" * (MAX_LENGTH + 1), "too_complex", None),
    ("1" * 31, "too_complex", 0),
    ("x1 + 1e65", "too_complex", 5),
    ("(" * 41 + "x1" + ")" * 41, "too_complex", 40),
    ("(" * 250 + ")" * 250, "too_complex", 40),
    ("(" * 1000, "too_complex", None),
    ("x1^65", "too_complex", 2),
    ("9^9^9^9", "too_complex", 3),
    ("2**2**2**2**2**2", "too_complex", 4),
    ("(2^60)^60", "too_complex", 6),
    ("9^64*9^64*9^64*9^64", "too_complex", 14),
    ("(x1*9^30)^64", "too_complex", 9),
]


@pytest.mark.parametrize(("text", "code", "position"), ERRORS)
def test_errors_have_a_code_and_a_position(text: str, code: str, position: int | None) -> None:
    error = failure(text)
    assert (error.code, error.position) == (code, position)
    for lang in ("en", "zh"):
        message = error.message(lang)
        assert message and message == message.strip()
        if position is not None:
            assert str(position + 1) in message


def test_unknown_name_reports_the_spelling_and_suggestions() -> None:
    error = failure(r"x1 + \delta_{o3}")
    assert error.name == r"\delta_{o3}"
    assert error.position == 5
    assert {"delta_o1", "delta_o2"} <= set(error.suggestions)
    assert "delta_o1" in error.message("en") and "delta_o1" in error.message("zh")


def test_suggestions_come_from_valid_even_as_a_generator() -> None:
    with pytest.raises(AnswerError) as info:
        parse("out_o3", valid=(n for n in NAMES if n.startswith("out_o")))
    assert set(info.value.suggestions) == {"out_o1", "out_o2"}


def test_a_resolver_raising_key_error_means_unknown() -> None:
    def strict(name: str) -> sp.Expr:
        return {"x1": X1}[name]

    with pytest.raises(AnswerError) as info:
        parse_answer("x1 + x11", strict, ["x1"])
    assert (info.value.code, info.value.name, info.value.suggestions) == (
        "unknown_name",
        "x11",
        ("x1",),
    )


def test_messages_in_english_and_chinese() -> None:
    unexpected = failure("(x1 + x2) + x1)")
    assert "unexpected ')' at character 15" in unexpected.message("en")
    assert "无法读取答案：第 15 个字符处出现了意外的 “)”。" in unexpected.message("zh")
    assert str(unexpected) == unexpected.message("en")
    assert unexpected.message("zh-CN") == unexpected.message("zh")
    assert unexpected.message("fr") == unexpected.message("en")

    unclosed = failure("x1 (x2 + 1")
    assert "a '(' opened at character 4 is never closed" in unclosed.message("en")

    unknown = failure("out_o3")
    assert "Unknown name 'out_o3'" in unknown.message("en")
    assert "未知的名称 “out_o3”，你是不是想写：out_o2、out_o1、out_h1？" in unknown.message("zh")

    assert failure("").message("en") == "The answer is empty."
    assert failure("x" * 501).message("zh") == "答案过长（超过 500 个字符）。"
    assert "division by zero" in failure("1/0").message("en")


def test_the_message_follows_the_language_in_use() -> None:
    """``message()`` without ``lang`` speaks the language in use; ``str()`` stays English, for
    programs."""
    error = failure("out_o3")
    assert error.message() == error.message("en")
    set_language("zh")
    assert error.message() == error.message("zh")
    assert error.message().startswith("第 1 个字符处：未知的名称 “out_o3”")
    assert str(error).startswith("Unknown name 'out_o3'")
    assert error.message("en").startswith("Unknown name 'out_o3'")


def test_non_text_is_refused() -> None:
    with pytest.raises(AnswerError) as info:
        parse_answer(42, resolve, NAMES)  # type: ignore[arg-type]
    assert info.value.code == "unparseable"


HOSTILE = [
    ("__import__('os').system('touch {path}')", "unparseable"),
    ("eval('1')", "unparseable"),
    ("exec", "unknown_name"),
    ("exec(\"open('{path}', 'w')\")", "unparseable"),
    ("lambda: 0", "unparseable"),
    ("import os", "unknown_name"),
    ("os.system('touch {path}')", "unparseable"),
    ("[x for x in (1,)]", "unparseable"),
    ("a.__class__", "unparseable"),
    ("open('{path}', 'w').write('x')", "unparseable"),
    ("globals()", "unknown_name"),
    ("`touch {path}`", "unparseable"),
    ("x1; import os", "unparseable"),
    (r"\input{{/etc/passwd}}", "unparseable"),
    (r"\def\x{{1}}", "unparseable"),
    ("sympify('x1')", "unparseable"),
]


@pytest.mark.parametrize(("template", "code"), HOSTILE)
def test_hostile_input_runs_nothing(template: str, code: str, tmp_path: Path) -> None:
    path = tmp_path / "pwned"
    assert failure(template.format(path=path)).code == code
    for left in (template, f"{template} = x1", f"$∂E/∂{template}＝x1$。", f"{template}⁺ = x1"):
        with forbidden_calls() as calls:
            read_left(left.format(path=path))  # the left side is read, never run
        assert not calls
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []

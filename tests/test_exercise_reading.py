"""The tutor's reading rules: wrappers and closing punctuation.

Every parse runs under the traps of :mod:`test_exercise_parse` (``eval``, ``sympify`` …).
"""

from __future__ import annotations

import pytest
import sympy as sp
from test_exercise_parse import (
    O1,
    T1,
    X1,
    X2,
    failure,
    parse,
    same,
)

from bpderive.exercises.lexer import prepare

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

"""What is wrong with a number computed by hand, said as a teacher marking it would say it.

"Wrong" alone leaves a student recomputing everything. A teacher sees more: a number with the
right size and the wrong sign, an error twice its size (the ½ left out), an update that climbs
the gradient or leaves out η1, or a number that follows correctly from the student's own wrong
number before it (an error carried forward: the mistake is earlier, not here). Each of these is
found by the derived equations applied to the student's numbers, never by a typed formula:
:func:`formulas` gives each graded number's equation in the quantities before it, and the
quantities before it are the graded numbers among its symbols.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import sympy as sp

from bpderive.classroom.variant import NUMBERS, Variant, close, network
from bpderive.symbolic.notation import Name, Partial, text

#: The codes of a hand-computed number's mistakes, in the order they are looked for after
#: ``not_a_number``: a number that follows from an earlier wrong one is that one's mistake.
CODES = (
    "not_a_number",
    "carried",
    "number_sign",
    "update_sign",
    "no_learning_rate",
    "number_factor",
    "wrong_number",
)
#: Ratios to the right value that a slip explains: the ½ of E_total = ½Σ(target − out)² left
#: out (2) or taken twice (½).
_FACTORS = (2.0, 0.5)


@dataclass(frozen=True)
class NumberMistake:
    """One wrong number: its code (:data:`CODES`), and for ``carried`` the earlier numbers it
    follows from, for ``number_factor`` the ratio to the right value."""

    code: str
    name: str
    given: object
    sources: tuple[str, ...] = ()
    ratio: float | None = None


@cache
def formulas() -> dict[str, sp.Expr]:
    """Each graded number's equation, in the symbols of the quantities it is computed from:
    out_h1 and out_o1 by their local equations (net substituted), E_total the loss, δ_o1 its
    derived chain, ∂E_total/∂w5 as the δ rule writes it (δ_o1 · ∂net_o1/∂w5, the chain's last
    factor), and w5⁺ the derived update rule."""
    net = network()
    gradient = net.gradient("w5")

    def unit(name: str) -> sp.Expr:
        net_symbol = net.symbol(f"net_{name}")
        out = net.local[net.symbol(f"out_{name}")]
        return out.xreplace({net_symbol: net.local[net_symbol]})

    return {
        "out_h1": unit("h1"),
        "out_o1": unit("o1"),
        "E_total": net.error_expr,
        "delta_o1": net.delta("o1").expr,
        "dE_dw5": net.delta_symbol("o1") * gradient.items[-1].expr,
        "w5_new": gradient.update().rhs,
    }


@cache
def symbols() -> dict[sp.Symbol, str]:
    """The symbol each graded number stands for in :func:`formulas`."""
    net = network()
    graded = {net.symbol(name): name for name in ("out_h1", "out_o1", "E_total")}
    return {**graded, net.delta_symbol("o1"): "delta_o1", net.gradient("w5").label: "dE_dw5"}


def before(name: str) -> tuple[str, ...]:
    """The graded numbers ``name`` is computed from (δ_o1 and out_h1 for ∂E_total/∂w5)."""
    free = formulas()[name].free_symbols
    return tuple(label for symbol, label in symbols().items() if symbol in free)


def _value(
    v: Variant,
    name: str,
    yours: Mapping[str, float],
    changed: Mapping[sp.Symbol, sp.Expr] | None = None,
) -> float:
    """``name``'s equation on the variant's numbers, with ``yours`` in place of the right ones
    and ``changed`` in place of the variant's own (such as another η1)."""
    right = {symbol: sp.Float(v.numbers[label]) for symbol, label in symbols().items()}
    theirs = {s: sp.Float(yours[label]) for s, label in symbols().items() if label in yours}
    every = {**v.env, **right, **theirs, **(changed or {})}
    return float(formulas()[name].xreplace(every))


def check_name(name: object) -> None:
    """Refuse a name that is not a graded number's, listing those that are."""
    if name not in NUMBERS:
        raise ValueError(f"name: expected one of {', '.join(NUMBERS)}, got {name!r}")


def is_number(given: object) -> bool:
    """A real, finite number (not a bool, not a string holding one)."""
    if not isinstance(given, numbers.Real) or isinstance(given, bool):
        return False
    return math.isfinite(float(given))


def diagnose(
    v: Variant, name: str, given: object, yours: Mapping[str, object] | None = None
) -> NumberMistake | None:
    """``None`` when ``given`` is the variant's ``name`` within the tolerance, else what is
    wrong with it. ``yours`` holds the student's other numbers, by name, for a mistake carried
    forward (those that are not numbers are left out)."""
    check_name(name)
    if not is_number(given):
        return NumberMistake("not_a_number", name, given)
    value, expected = float(given), v.numbers[name]  # type: ignore[arg-type]
    if close(value, expected):
        return None
    theirs = {k: float(x) for k, x in (yours or {}).items() if k in NUMBERS and is_number(x)}  # type: ignore[arg-type]
    wrong = tuple(k for k in before(name) if k in theirs and not close(theirs[k], v.numbers[k]))
    if wrong and close(value, _value(v, name, theirs)):
        return NumberMistake("carried", name, given, sources=wrong)
    if close(-value, expected):
        return NumberMistake("number_sign", name, given)
    if name == "w5_new":
        rate = v.net.gradient("w5").rate  # the derived rule with −η1, then with η1 left out
        if close(value, _value(v, name, {}, {rate: -v.env[rate]})):
            return NumberMistake("update_sign", name, given)
        if close(value, _value(v, name, {}, {rate: sp.Integer(1)})):
            return NumberMistake("no_learning_rate", name, given)
    for factor in _FACTORS:
        if close(value, factor * expected):
            return NumberMistake("number_factor", name, given, ratio=factor)
    return NumberMistake("wrong_number", name, given)


@cache
def update_rule() -> str:
    """The derived update rule in the article's short name, ``w5⁺ = w5 − η1·∂E_total/∂w5``,
    which the messages on w5⁺ quote."""
    gradient = network().gradient("w5")
    rule, w5 = gradient.update(), Name("w5")
    short = {rule.lhs: Name("w5⁺"), gradient.parameter: w5}
    return text(rule.xreplace({**short, gradient.label: Partial(gradient.label.top, w5)}))

r"""How the article writes things: every name in LaTeX and as terminal text, and every number.

This is the package's one renderer. A quantity is a SymPy symbol named in plain text as the article
names it (``net_h1``, ``out_o1``, ``w_(1,1)``, ``w(2)_(1,1)``, ``b4``, ``delta_o1``, ``eta_1``,
``E_total``), so that code can look it up by the name a reader sees. :func:`name_tex` turns the
name into the article's typesetting (``net_{h1}``, ``w_{(1,1)}``, ``w^{(2)}_{(1,1)}``,
``\delta_{o1}``, ``\eta_{1}``) and :func:`name_text` into terminal text (``δ_o1``, ``η1``).
:class:`Name` symbols print themselves with :func:`name_tex`, so ``sympy.latex`` of any derived
expression, in a notebook or for a slide, already reads like the article.

Expressions print through :func:`latex` (for notebooks and slides) and :func:`text` (Unicode for
the terminal: ``½(target_o1 − out_o1)²``, ``out_o1(1 − out_o1)``, ``e^(−net_o1)``), both in the
order in which a formula was written (``W·a + b``, ``w − η1·∂E/∂w``) rather than SymPy's sorted
order. Numbers have one format, :func:`number`: six significant digits, and powers of ten as
``1.15234×10⁻⁵`` (``1.15234 \times 10^{-5}`` in LaTeX).

The generic symbols :data:`NET`, :data:`OUT` and :data:`TARGET` are one unit's input, output and
target: activations are written in ``net``, losses in ``out`` and ``target``, and a layer puts
its own units' symbols in their place.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from bpderive.language import get_language, pick
from bpderive.symbolic import texts

_GREEK = {"delta": ("δ", r"\delta"), "eta": ("η", r"\eta"), "mu": ("μ", r"\mu")}
_INFINITY = {sp.oo: "∞", -sp.oo: "−∞"}
_SUPERSCRIPT = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")
_VULGAR = {
    sp.Rational(1, 2): "½",
    sp.Rational(1, 3): "⅓",
    sp.Rational(1, 4): "¼",
    sp.Rational(3, 4): "¾",
}


def _unit_tex(unit: str) -> str:
    """A unit's subscript: ``h1`` stays, a deep unit ``h1_2`` (layer 1, unit 2) is ``h1,2``."""
    return re.sub(r"^(h\d+)_(\d+)$", r"\1,\2", unit)


def name_tex(name: str) -> str:
    r"""The article's typesetting of a plain-text name.

    ``net_h1`` → ``net_{h1}``, ``out_h1_2`` → ``out_{h1,2}``, ``w_(x1,1)`` → ``w_{(x1,1)}``,
    ``w(2)_(1,1)`` → ``w^{(2)}_{(1,1)}``, ``x1`` → ``x_{1}``, ``b4`` → ``b_{4}``,
    ``delta_o1`` → ``\delta_{o1}``, ``eta_1`` → ``\eta_{1}``, ``E_total`` → ``E_{total}``,
    ``w_(1,1)⁺`` (after the update) → ``{w_{(1,1)}}^{+}``."""
    if name.endswith("⁺"):
        return f"{{{name_tex(name[:-1])}}}^{{+}}"
    if m := re.fullmatch(r"w\((\d+)\)_\((.+)\)", name):
        return f"w^{{({m[1]})}}_{{({m[2]})}}"
    if m := re.fullmatch(r"([A-Za-z]+)_\((.+)\)", name):
        return f"{m[1]}_{{({m[2]})}}"
    if m := re.fullmatch(r"([A-Za-z]+)_(.+)", name):
        base = _GREEK.get(m[1], (None, m[1]))[1]
        return f"{base}_{{{_unit_tex(m[2])}}}"
    if m := re.fullmatch(r"([A-Za-z]+?)(\d+)", name):
        return f"{_GREEK.get(m[1], (None, m[1]))[1]}_{{{m[2]}}}"
    return _GREEK.get(name, (None, name))[1]


def name_text(name: str) -> str:
    """A plain-text name as the terminal shows it: ``delta_o1`` → ``δ_o1``, ``eta_1`` → ``η1``;
    every other name as it is."""
    if m := re.fullmatch(r"(delta|eta|mu)_(.+)", name):
        letter = _GREEK[m[1]][0]
        return f"{letter}{m[2]}" if m[2].isdigit() else f"{letter}_{m[2]}"
    return _GREEK.get(name, (name, None))[0]


class Name(sp.Symbol):
    """A SymPy symbol named as the article names it, typeset as the article typesets it.

    Its name is the plain-text name (``w_(1,1)``), which is what code looks up and what ``str``
    shows; ``sympy.latex`` (and so Jupyter's display of any expression holding it) gives
    :func:`name_tex` of it. All of the network's quantities are real numbers."""

    __slots__ = ()

    def __new__(cls, name: str, **assumptions: Any) -> Name:
        return super().__new__(cls, name, **({"real": True} | assumptions))

    def _latex(self, printer: object) -> str:
        values = getattr(printer, "values", None)
        return _value_tex(values[self]) if values and self in values else name_tex(self.name)


def _value_tex(value: float) -> str:
    """A number standing for a symbol in LaTeX, in parentheses when negative."""
    shown = number_latex(value)
    return rf"\left({shown}\right)" if shown.startswith("-") else shown


class Partial(Name):
    r"""The label ``∂top/∂bottom`` of one term of a chain, as a symbol, so that it can stand in an
    equation (``w⁺ = w − η1·∂E_total/∂w``) and be printed both ways.

    ``via`` names the path when several meet: ``∂E_total/∂out_h1`` through ``net_o1`` is one
    summand of ``∂E_total/∂out_h1``. The name is the English text form (``… (via net_o1)``),
    the same in every language, since a symbol is known by its name; the parts are kept as
    attributes so that LaTeX and the text in the language in use (``… （经过 net_o1）``) are
    built from them, never parsed back out of a string."""

    __slots__ = ("top", "bottom", "via")

    def __new__(cls, top: sp.Symbol, bottom: sp.Symbol, via: sp.Symbol | None = None) -> Partial:
        obj = super().__new__(cls, _partial_text(top, bottom, via, "en"))
        obj.top, obj.bottom, obj.via = top, bottom, via
        return obj

    def __getnewargs_ex__(self) -> tuple[tuple[sp.Symbol, sp.Symbol, sp.Symbol | None], dict]:
        return (self.top, self.bottom, self.via), {}

    def _latex(self, printer: object) -> str:
        values = getattr(printer, "values", None)
        if values and self in values:
            return _value_tex(values[self])
        top, bottom = name_tex(self.top.name), name_tex(self.bottom.name)
        fraction = rf"\frac{{\partial {top}}}{{\partial {bottom}}}"
        if self.via is None:
            return fraction
        return rf"\left.{fraction}\right|_{{{name_tex(self.via.name)}}}"


#: The path a :class:`Partial` is taken along, in its text form.
VIA = (" (via {unit})", "（经过 {unit}）")


def _partial_text(
    top: sp.Symbol, bottom: sp.Symbol, via: sp.Symbol | None, lang: str | None = None
) -> str:
    """``∂top/∂bottom`` as text, with its path (if any) in ``lang`` (default: the language in
    use)."""
    label = f"∂{name_text(top.name)}/∂{name_text(bottom.name)}"
    return label if via is None else label + pick(VIA, lang).format(unit=name_text(via.name))


#: One unit's input, output and target, in which activations and losses are written.
NET = Name("net")
OUT = Name("out")
TARGET = Name("target")


class _Ordering:
    """The order in which the article writes terms and factors, shared by both printers.

    A sum keeps the order it was built in, except that it does not start with a minus when a
    term without one can go first (``target_o1 − out_o1``, not ``−out_o1 + target_o1``). A product
    built unevaluated keeps the order it was written in (``η1·∂E/∂w``, ``out(1 − out)``); one that
    SymPy built is printed as the article writes products: the number, then δs, rates and
    weights, then the other symbols, then the other factors, sums last (``w_(1,1)·out_h1``,
    ``δ_o1·w5``, ``out_o1(1 − out_o1)``)."""

    _settings: dict[str, Any]
    #: Numbers to print in place of symbols, for an expression with its arithmetic written out
    #: (``0.15·0.05 + 0.2·0.1 + 0.35``); empty for the formula itself.
    values: dict[sp.Symbol, float] = {}

    def _as_ordered_terms(self, expr: sp.Basic, order: str | None = None) -> list[sp.Basic]:
        terms = list(expr.args)
        if terms and terms[0].could_extract_minus_sign():
            first = next((t for t in terms if not t.could_extract_minus_sign()), None)
            if first is not None:
                terms.remove(first)
                terms.insert(0, first)
        return terms

    def _print_Mul(self, expr: sp.Mul) -> str:
        if sp.Mul(*expr.args).args == expr.args:
            expr = sp.Mul(*sorted(expr.args, key=_factor_rank), evaluate=False)
        return super()._print_Mul(expr)  # type: ignore[misc]


def _factor_rank(factor: sp.Basic) -> tuple[int, object]:
    """Where a factor goes in a product SymPy built: see :class:`_Ordering`."""
    if factor.is_Number:
        return (0, 0)
    if isinstance(factor, sp.Symbol):
        kind = re.match(r"delta_|eta_|w[_(\d]|b\d", factor.name)
        return (1 if kind else 2, sp.default_sort_key(factor))
    return (4 if isinstance(factor, sp.Add) else 3, 0)


class _LatexPrinter(_Ordering, LatexPrinter):
    """SymPy's LaTeX printer in the article's order, with its words in the language in use."""

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        if expr in self.values:
            return _value_tex(self.values[expr])
        return super()._print_Symbol(expr, style)

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        """SymPy's cases, their words (for, otherwise) in the language in use."""
        cases = (
            super()._print_Piecewise(expr).replace(r"\text{for}", rf"\text{{{pick(texts.WHEN)}}}")
        )
        return cases.replace(r"\text{otherwise}", rf"\text{{{pick(texts.OTHERWISE)}}}")


class _TextPrinter(_Ordering, StrPrinter):
    """SymPy's plain printer with the article's names and Unicode mathematics: ``·`` for a
    product (left out before a parenthesis, ``out(1 − out)``), ``−``, superscript powers,
    ``e^(…)`` and vulgar fractions (``½``)."""

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        if expr in self.values:
            shown = number(self.values[expr])
            return f"({shown})" if shown.startswith("−") else shown
        if isinstance(expr, Partial):
            return _partial_text(expr.top, expr.bottom, expr.via)
        return name_text(expr.name)

    def _print_Interval(self, expr: sp.Interval) -> str:
        """An interval as a learner writes it, ``(0, 1)`` or ``[0, ∞)``, as in LaTeX; not
        SymPy's ``Interval.open(0, 1)``."""
        low, high = (_INFINITY.get(end) or self._print(end) for end in (expr.start, expr.end))
        left, right = "(" if expr.left_open else "[", ")" if expr.right_open else "]"
        return f"{left}{low}, {high}{right}"

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base = self.parenthesize(expr.base, PRECEDENCE["Pow"], strict=True)
        if expr.exp.is_Integer and 2 <= expr.exp <= 9:
            return base + str(expr.exp).translate(_SUPERSCRIPT)
        if expr.exp == -1:
            return f"1/{base}"
        if abs(expr.exp) == sp.Rational(1, 2):
            root = f"√{base}" if expr.base.is_Atom else f"√({self._print(expr.base)})"
            return root if expr.exp > 0 else f"1/{root}"
        return f"{base}^{self.parenthesize(expr.exp, PRECEDENCE['Pow'], strict=True)}"

    def _print_MatrixBase(self, expr: sp.MatrixBase) -> str:
        """A matrix on one line, rows separated by ``;`` as in MATLAB: ``[w1, w2; w3, w4]``."""
        rows = ["; ".join(", ".join(self._print(v) for v in expr.row(i)) for i in range(expr.rows))]
        return f"[{rows[0]}]"

    _print_ImmutableDenseMatrix = _print_MutableDenseMatrix = _print_MatrixBase

    def _print_HadamardProduct(self, expr: sp.HadamardProduct) -> str:
        return " ⊙ ".join(self.parenthesize(a, PRECEDENCE["Mul"]) for a in expr.args)

    def _print_Transpose(self, expr: sp.Transpose) -> str:
        return self.parenthesize(expr.arg, PRECEDENCE["Pow"], strict=True) + "ᵀ"

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        """``∂f/∂x`` (``∂²f/∂x²``), as the chain labels are written, not SymPy's
        ``Derivative(f, x)``."""
        body = self.parenthesize(expr.expr, PRECEDENCE["Pow"], strict=True)
        order = sum(count for _, count in expr.variable_count)
        top = "∂" if order == 1 else "∂" + str(order).translate(_SUPERSCRIPT)
        bottom = "".join(
            f"∂{self._print(v)}" + ("" if n == 1 else str(n).translate(_SUPERSCRIPT))
            for v, n in expr.variable_count
        )
        return f"{top}{body}/{bottom}"

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        """SymPy's ``Piecewise((0, net <= 0), (1, True))``; in Chinese, in words."""
        if get_language() != "zh":
            return self._print_Function(expr)
        return texts.piecewise(expr.args, self._print)

    def _print_Rational(self, expr: sp.Rational) -> str:
        if abs(expr) in _VULGAR:
            return ("-" if expr < 0 else "") + _VULGAR[abs(expr)]
        return super()._print_Rational(expr)

    def _print_exp(self, expr: sp.exp) -> str:
        argument = self._print(expr.args[0])
        return f"e^{argument}" if expr.args[0].is_Atom else f"e^({argument})"

    def _print_Mul(self, expr: sp.Mul) -> str:
        coefficient, rest = expr.as_coeff_Mul()
        if abs(coefficient) in _VULGAR and rest != 1:
            sign = "-" if coefficient < 0 else ""
            return sign + _VULGAR[abs(coefficient)] + self.parenthesize(rest, PRECEDENCE["Mul"])
        return super()._print_Mul(expr)


_TEXT = _TextPrinter({"order": "none"})
_LATEX = _LatexPrinter({"order": "none"})


def text(expr: sp.Basic, values: Mapping[sp.Symbol, float] | None = None) -> str:
    """An expression (or equation) as terminal text, in the article's order; with ``values``,
    each of those symbols is written as its number, which shows the arithmetic."""
    printer = _TEXT if not values else _TextPrinter({"order": "none"})
    if values:
        printer.values = {s: float(v) for s, v in values.items()}
    printed = printer.doprint(expr).replace("*", "·").replace("-", "−")
    return re.sub(r"(?<=[\w)⁰¹²³⁴⁵⁶⁷⁸⁹])·\(", "(", printed)


def latex(expr: sp.Basic, values: Mapping[sp.Symbol, float] | None = None) -> str:
    """An expression (or equation) as LaTeX, in the article's order; with ``values`` as in
    :func:`text`."""
    if not values:
        return _LATEX.doprint(expr)
    printer = _LatexPrinter({"order": "none", "mul_symbol": "dot"})
    printer.values = {s: float(v) for s, v in values.items()}
    # Numbers side by side need a dot (0.4 · 0.5, not 0.4 0.5); before a parenthesis, as in the
    # text form, none: 0.59327(1 − 0.59327).
    return re.sub(r" \\cdot (?=\\left\()", " ", printer.doprint(expr))


def _formatted(value: float, digits: int, form: str) -> str:
    """``value`` to ``digits`` significant digits: ``"auto"`` as Python's ``g`` (a power of ten
    only for very small or large numbers), ``"plain"`` always without one, ``"scientific"``
    always with one. Zero has no sign: ``−0.0`` (``x·0`` with ``x < 0``) is written ``0``."""
    value = value + 0.0  # −0.0 + 0.0 is 0.0; every other value is unchanged
    if form == "plain":
        return np.format_float_positional(value, precision=digits, fractional=False, trim="-")
    if form == "scientific" and value:
        mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    return f"{value:.{digits}g}"


def number_form(values: list[float]) -> str:
    """One form for a column of numbers, so that they read alike: plain decimals while every
    one of them fits (between 10⁻⁸ and 10⁹), else powers of ten for all."""
    magnitudes = [abs(v) for v in values if v and math.isfinite(v)]
    if all(1e-8 <= m < 1e9 for m in magnitudes):
        return "plain"
    return "scientific"


def number(value: float, digits: int = 6, form: str = "auto") -> str:
    """A number as terminal text: six significant digits (fewer where space is short, as on a
    drawing), ``−`` for a minus, powers of ten as ``×10⁻⁵``; ``form`` as in
    :func:`number_form` (``"auto"``: a power of ten only where Python's ``g`` uses one)."""
    if not math.isfinite(value):
        return str(value).replace("-", "−")
    mantissa, _, exponent = _formatted(value, digits, form).partition("e")
    mantissa = mantissa.replace("-", "−")
    if not exponent:
        return mantissa
    return f"{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def number_latex(value: float, digits: int = 6, form: str = "auto") -> str:
    """The same number as LaTeX: ``1.15234 \\times 10^{-5}``."""
    if not math.isfinite(value):
        return rf"\text{{{value}}}"
    mantissa, _, exponent = _formatted(value, digits, form).partition("e")
    if not exponent:
        return mantissa
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def set_text(values: sp.Set) -> str:
    """A SymPy set as a reader writes it: ``(0, 1)``, ``[0, ∞)``, ``ℝ``, ``{0} ∪ (1, 2]``."""
    if values == sp.S.Reals:
        return "ℝ"
    if isinstance(values, sp.Interval):
        low = "−∞" if values.start == -sp.oo else number(float(values.start))
        high = "∞" if values.end == sp.oo else number(float(values.end))
        return f"{'(' if values.left_open else '['}{low}, {high}{')' if values.right_open else ']'}"
    if isinstance(values, sp.Union):
        return " ∪ ".join(set_text(part) for part in values.args)
    if isinstance(values, sp.FiniteSet):
        return "{" + ", ".join(number(float(v)) for v in values) + "}"
    return text(values)


class OrderedEq(sp.Equality):
    """An equation printed in the order it was written (``w⁺ = w − η1·∂E/∂w``, ``W·a + b``):
    SymPy's default printing sorts sums and products, which scrambles the article's forms."""

    def _latex(self, printer: object) -> str:
        return f"{latex(self.lhs)} = {latex(self.rhs)}"

    def _sympystr(self, printer: object) -> str:
        return f"{text(self.lhs)} = {text(self.rhs)}"

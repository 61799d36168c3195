"""The chain rule as objects a learner can look at.

A gradient such as ``∂E_total/∂w5`` is a :class:`Chain`: an ordered product of *items*. An item
is either a :class:`Factor` (one local derivative, e.g. ``∂out_o1/∂net_o1``, with its SymPy
expression) or a :class:`Sum` (a quantity that collects several paths, e.g.
``∂E_total/∂out_h1 = ∂E_o1/∂out_h1 + ∂E_o2/∂out_h1``, each path itself a :class:`Chain`). The tree
mirrors the article's derivation, so printing it prints the derivation, and evaluating it gives
each term's number beside it.

:class:`ChainRule` is the chain of one parameter, with the update rule and the expansion into
inputs, targets and parameters only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import sympy as sp
from sympy.printing.str import StrPrinter

Values = Mapping[str, float]


def partial(top: str, bottom: str) -> str:
    r"""``\frac{\partial top}{\partial bottom}`` for two LaTeX strings."""
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


def number(value: float) -> str:
    """A number as a learner reads it: six significant digits, powers of ten in LaTeX."""
    if not math.isfinite(value):
        return rf"\text{{{value}}}"
    text = f"{value:.6g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def plain(label: str) -> str:
    r"""LaTeX (a label, or a symbol name that carries LaTeX) as terminal text:
    ``\frac{\partial E_{total}}{\partial w_{(1,1)}}`` becomes ``∂E_total/∂w_(1,1)``,
    ``\delta_{o1}`` ``δ_o1``, ``b_{4}`` ``b4``, ``\eta_{1}`` ``η1``, ``{w_{(1,1)}}^{+}``
    ``w_(1,1)⁺``, ``w^{(2)}_{(1,1)}`` ``w(2)_(1,1)``."""
    text = re.sub(r"\^\{\((\d+)\)\}", r"(\1)", label)
    text = re.sub(r"_\{(\d+)\}", r"\1", text)
    text = re.sub(r"_\{([^{}]*)\}", r"_\1", text)
    text = re.sub(r"\\frac\{\\partial ([^{}]*)\}\{\\partial ([^{}]*)\}", r"∂\1/∂\2", text)
    text = re.sub(r"(∂\S+/∂\S+) (?=∂)", r"\1·", text)  # two fractions side by side: a product
    text = re.sub(r"\\left\.(.*)\\right\|_\{?([^{}\s]*)\}?$", r"\1 (via \2)", text)
    text = re.sub(r"\{([^{}]*)\}\^\{\+\}", r"\1⁺", text)
    text = re.sub(r"\\vec\{([^{}]*)\}", r"\1", text)
    return text.replace(r"\delta", "δ").replace(r"\eta", "η")


class OrderedEq(sp.Equality):
    """An equation printed in the order it was written (``w⁺ = w − η1·∂E/∂w``, ``W·a + b``):
    SymPy's default printing sorts sums and products, which scrambles the article's forms."""

    def _latex(self, printer: object) -> str:
        return f"{sp.latex(self.lhs)} = {sp.latex(self.rhs, order='none')}"

    def _sympystr(self, printer: object) -> str:
        return plain(f"{sp.sstr(self.lhs)} = {sp.sstr(self.rhs, order='none')}")


@dataclass(frozen=True)
class Style:
    """How a chain is written out: LaTeX for notebooks and slides, plain text for the terminal."""

    label: Callable[[str], str]
    expr: Callable[[sp.Expr], str]
    number: Callable[[float], str]
    equals: str
    times: str


LATEX = Style(lambda s: s, sp.latex, number, " &= ", r" \cdot ")


class _TextPrinter(StrPrinter):
    """SymPy's plain printer, with the symbols written as the labels are (``w(2)_(1,1)``, not
    the LaTeX ``w^{(2)}_{(1,1)}`` their names carry on deep networks)."""

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        return plain(expr.name)


TEXT = Style(plain, _TextPrinter().doprint, lambda v: f"{v:.6g}", " = ", " · ")


@dataclass(frozen=True)
class Factor:
    """One local derivative: ``label`` (LaTeX), ``expr`` (SymPy, in the network's symbols).

    ``raw`` is the derivative as ``sympy.diff`` first gives it when the factor is then rewritten
    (the activation's ``f'(net)`` before it is written with ``out``); ``None`` otherwise.
    """

    label: str
    expr: sp.Expr
    raw: sp.Expr | None = None

    def walk(self) -> Iterator[Factor | Sum | Chain]:
        yield self

    def value(self, env: Mapping[sp.Symbol, float], memo: dict[str, float]) -> float:
        if self.label not in memo:
            memo[self.label] = float(self.expr.xreplace(env))
        return memo[self.label]

    def lines(self, values: Values | None, seen: set[str], style: Style) -> list[str]:
        if self.label in seen:
            return []
        seen.add(self.label)
        rhs = [style.expr(self.expr)]
        if self.raw is not None and self.raw != self.expr:
            rhs.insert(0, style.expr(self.raw))
        if self.expr.is_Number:  # a constant needs no second "= value"
            values = None
        return [_line(self.label, rhs, values, style)]


@dataclass(frozen=True)
class Sum:
    """A quantity reached along several paths: the sum of one :class:`Chain` per path."""

    label: str
    terms: tuple[Chain, ...]

    @property
    def expr(self) -> sp.Expr:
        return sp.Add(*[t.expr for t in self.terms])

    def walk(self) -> Iterator[Factor | Sum | Chain]:
        yield self
        for t in self.terms:
            yield from t.walk()

    def value(self, env: Mapping[sp.Symbol, float], memo: dict[str, float]) -> float:
        if self.label not in memo:
            memo[self.label] = math.fsum(t.value(env, memo) for t in self.terms)
        return memo[self.label]

    def lines(self, values: Values | None, seen: set[str], style: Style) -> list[str]:
        if self.label in seen:
            return []
        seen.add(self.label)
        rhs = " + ".join(style.label(t.label) for t in self.terms)
        out = [_line(self.label, [rhs], values, style)]
        for t in self.terms:
            out += t.lines(values, seen, style)
        return out


@dataclass(frozen=True)
class Chain:
    """A product of items, read left to right from the error back to the quantity."""

    label: str
    items: tuple[Factor | Sum, ...]

    @property
    def factors(self) -> tuple[Factor | Sum, ...]:
        """The ordered local derivatives (a :class:`Sum` where several paths meet)."""
        return self.items

    @property
    def expr(self) -> sp.Expr:
        """The product, in the intermediate symbols (``out_*``, ``net_*``) and parameters."""
        return sp.Mul(*[i.expr for i in self.items])

    def walk(self) -> Iterator[Factor | Sum | Chain]:
        yield self
        for i in self.items:
            yield from i.walk()

    def value(self, env: Mapping[sp.Symbol, float], memo: dict[str, float]) -> float:
        if self.label not in memo:
            memo[self.label] = math.prod(i.value(env, memo) for i in self.items)
        return memo[self.label]

    def lines(self, values: Values | None, seen: set[str], style: Style) -> list[str]:
        if self.label in seen:
            return []
        seen.add(self.label)
        product = style.times.join(style.label(i.label) for i in self.items)
        numeric = None
        if values is not None:
            numeric = style.times.join(_paren(values[i.label], style) for i in self.items)
        out = [_line(self.label, [product], values, style, numeric)]
        for i in self.items:
            out += i.lines(values, seen, style)
        return out

    def numbers(self, env: Mapping[sp.Symbol, float]) -> Evaluation:
        """The number of every term for one sample's symbol values (``Network.environment``)."""
        memo: dict[str, float] = {}
        value = self.value(env, memo)
        return Evaluation(value, memo)

    def latex(self, values: Values | None = None) -> str:
        """The chain as an ``aligned`` LaTeX block: the product of labels, then each item's
        expression, each with its number when ``values`` (from ``evaluate``) is given."""
        body = r" \\ ".join(self.lines(values, set(), LATEX))
        return rf"\begin{{aligned}} {body} \end{{aligned}}"

    def text(self, values: Values | None = None) -> str:
        """The same derivation as plain text, one line per term, for the terminal."""
        return "\n".join(self.lines(values, set(), TEXT))

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()}$"


def _paren(value: float, style: Style) -> str:
    text = style.number(value)
    if not text.startswith("-"):
        return text
    return f"\\left({text}\\right)" if style is LATEX else f"({text})"


def _line(
    label: str, rhs: list[str], values: Values | None, style: Style, numeric: str | None = None
) -> str:
    parts = list(rhs)
    if values is not None:
        if numeric is not None:
            parts.append(numeric)
        parts.append(style.number(values[label]))
    return style.label(label) + style.equals + " = ".join(parts)


@dataclass(frozen=True)
class Evaluation(Mapping[str, float]):
    """The number of every term of a chain for one sample, keyed by the term's LaTeX label.

    ``value`` is the gradient itself. It is a mapping so that ``chain.latex(evaluation)`` can put
    each number beside its term, and ``evaluation[label]`` reads one of them.
    """

    value: float
    terms: dict[str, float] = field(repr=False)

    def __getitem__(self, label: str) -> float:
        return self.terms[label]

    def __iter__(self) -> Iterator[str]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)


@dataclass(frozen=True)
class ChainRule(Chain):
    """``∂E_total/∂p`` for one parameter ``p``, as the article derives it.

    Built by :meth:`bpderive.Network.gradient`; ``environment`` turns one sample into the number
    of every symbol, ``expand`` substitutes the forward equations (both from the network).
    """

    parameter: sp.Symbol
    rate: sp.Symbol
    gradient_symbol: sp.Symbol
    environment: Callable[..., dict[sp.Symbol, float]] = field(repr=False, compare=False)
    expand: Callable[[sp.Expr], sp.Expr] = field(repr=False, compare=False)

    def expanded(self) -> sp.Expr:
        """The gradient in inputs, targets and parameters only: every ``out_*`` and ``net_*``
        replaced by its forward equation. Useful to see the whole formula; large for hidden
        parameters, which is why the derivation itself never works on this form."""
        return self.expand(self.expr)

    def update(self, explicit: bool = False) -> OrderedEq:
        """The update rule ``p⁺ = p − η·∂E_total/∂p`` (η1 for weights, η2 for biases).

        With ``explicit=True`` the derivative is replaced by the chain's expression."""
        grad = self.expr if explicit else self.gradient_symbol
        new = sp.Symbol(f"{{{sp.latex(self.parameter)}}}^{{+}}")
        step = sp.Mul(self.rate, grad, evaluate=False)
        return OrderedEq(new, sp.Add(self.parameter, -step, evaluate=False), evaluate=False)

    def evaluate(self, params: Mapping[str, object], x: object, target: object) -> Evaluation:
        """The number of every factor, sum and of the gradient itself for one sample.

        Computed from the chain's own SymPy expressions with the sample's values substituted,
        independently of the compiled NumPy path (the tests compare the two)."""
        return self.numbers(self.environment(params, x, target))

"""The chain rule as objects a learner can look at.

A gradient such as ``∂E_total/∂w5`` is a :class:`Chain`: an ordered product of *items*. An item
is either a :class:`Factor` (one local derivative, e.g. ``∂out_o1/∂net_o1``, with its SymPy
expression) or a :class:`Sum` (a quantity that collects several paths, e.g.
``∂E_total/∂out_h1 = ∂E_o1/∂out_h1 + ∂E_o2/∂out_h1``, each path itself a :class:`Chain`). The tree
mirrors the article's derivation, so printing it prints the derivation, and evaluating it gives
each term's number beside it.

Every item is labelled by a symbol: a :class:`~bpderive.symbolic.notation.Partial` such as
``∂out_o1/∂net_o1``, or a named quantity such as ``δ_o1``. A label is therefore printed by the
one renderer (:mod:`~bpderive.symbolic.notation`), as LaTeX or as text, and can stand in an
equation (the update rule ``w⁺ = w − η1·∂E_total/∂w``).

:class:`ChainRule` is the chain of one parameter, with the update rule and the expansion into
inputs, targets and parameters only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import sympy as sp

from bpderive.checks import bool_scalar, real_number
from bpderive.limits import LimitError, check_formula_size
from bpderive.symbolic import notation, wrapping
from bpderive.symbolic.notation import Name, OrderedEq


@dataclass(frozen=True)
class Style:
    """How a chain is written out: LaTeX for notebooks and slides, text for the terminal."""

    show: Callable[..., str]
    number: Callable[[float], str]
    equals: str
    times: str
    newline: str


LATEX = Style(notation.latex, notation.number_latex, " &= ", r" \cdot ", r" \\ ")
TEXT = Style(notation.text, notation.number, " = ", " · ", "\n")


@dataclass(frozen=True)
class Factor:
    """One local derivative: its ``label`` and ``expr`` (SymPy, in the network's symbols).

    ``raw`` is the derivative as ``sympy.diff`` first gives it when the factor is then rewritten
    (the activation's ``f'(net)`` before it is written with ``out``); ``None`` otherwise.
    """

    label: sp.Symbol
    expr: sp.Expr
    raw: sp.Expr | None = None

    def walk(self) -> Iterator[Factor | Sum | Chain]:
        yield self

    def size(self, memo: dict[int, int]) -> int:
        """Operations and symbols of ``expr`` (see :meth:`Chain.size`)."""
        if id(self) not in memo:
            memo[id(self)] = sum(1 for _ in sp.preorder_traversal(self.expr))
        return memo[id(self)]

    def value(self, env: Mapping[sp.Symbol, sp.Float], memo: dict[sp.Symbol, sp.Expr]) -> sp.Expr:
        if self.label not in memo:
            memo[self.label] = _number(self.expr, env, self.label)
        return memo[self.label]

    def lines(self, values: Mapping | None, seen: set[sp.Symbol], style: Style) -> list[str]:
        if self.label in seen:
            return []
        seen.add(self.label)
        rhs = [style.show(self.expr)]
        if self.raw is not None and self.raw != self.expr:
            rhs.insert(0, style.show(self.raw))
        if self.expr.is_Number:  # a constant needs no second "= value"
            values = None
        env = getattr(values, "env", None)
        if env and not self.expr.is_Symbol:  # the arithmetic: out_o1(1 − out_o1) = 0.81(1 − 0.81)
            rhs.append(style.show(self.expr, env))
        return [_line(self.label, rhs, values, style)]


def path_unit(path: Chain) -> str:
    """The unit a path of a :class:`Sum` goes through: the quantity its last factor
    differentiates, ``∂net_o2/∂out_h1`` → ``o2``, or in a softmax layer, where every output
    depends on every net, ``∂out_o2/∂net_o7`` → ``o2``. The exercises' verdicts and the
    figure of a chain's paths both name a path by it."""
    name = path.items[-1].label.top.name
    return name.split("_", 1)[1] if name.startswith(("net_", "out_")) else name


@dataclass(frozen=True)
class Sum:
    """A quantity reached along several paths: the sum of one :class:`Chain` per path."""

    label: sp.Symbol
    terms: tuple[Chain, ...]

    @property
    def expr(self) -> sp.Expr:
        """The sum of the paths as one formula (refused beyond :data:`~bpderive.limits.MAX_FORMULA`,
        see :attr:`Chain.expr`)."""
        _check_size(self)
        return self._expr()

    def _expr(self) -> sp.Expr:
        return sp.Add(*[t._expr() for t in self.terms])

    def walk(self) -> Iterator[Factor | Sum | Chain]:
        yield self
        for t in self.terms:
            yield from t.walk()

    def size(self, memo: dict[int, int]) -> int:
        """Operations and symbols of ``expr`` (see :meth:`Chain.size`)."""
        if id(self) not in memo:
            memo[id(self)] = 1 + sum(t.size(memo) for t in self.terms)
        return memo[id(self)]

    def value(self, env: Mapping[sp.Symbol, sp.Float], memo: dict[sp.Symbol, sp.Expr]) -> sp.Expr:
        if self.label not in memo:
            memo[self.label] = sp.Add(*[t.value(env, memo) for t in self.terms])
        return memo[self.label]

    def lines(self, values: Mapping | None, seen: set[sp.Symbol], style: Style) -> list[str]:
        if self.label in seen:
            return []
        seen.add(self.label)
        rhs = " + ".join(style.show(t.label) for t in self.terms)
        numeric = None
        if values is not None:
            numeric = " + ".join(_paren(values[t.label], style) for t in self.terms)
        out = [_line(self.label, [rhs], values, style, numeric)]
        for t in self.terms:
            out += t.lines(values, seen, style)
        return out


@dataclass(frozen=True)
class Chain:
    """A product of items, read left to right from the error back to the quantity."""

    label: sp.Symbol
    items: tuple[Factor | Sum, ...]

    @property
    def factors(self) -> tuple[Factor | Sum, ...]:
        """The ordered local derivatives (a :class:`Sum` where several paths meet)."""
        return self.items

    @property
    def expr(self) -> sp.Expr:
        """The product, in the intermediate symbols (``out_*``, ``net_*``) and parameters.

        Written out, a chain repeats every shared part once per path, and the paths multiply
        with the layer widths: a first-layer weight of a network 30 layers deep has 3³⁰ of them.
        So a formula beyond :data:`~bpderive.limits.MAX_FORMULA` is refused (a
        :class:`~bpderive.limits.LimitError`) rather than built; the chain itself, its text and
        its numbers never write it out and work at any size."""
        _check_size(self)
        return self._expr()

    def _expr(self) -> sp.Expr:
        return sp.Mul(*[i._expr() if isinstance(i, Sum) else i.expr for i in self.items])

    def walk(self) -> Iterator[Factor | Sum | Chain]:
        yield self
        for i in self.items:
            yield from i.walk()

    def size(self, memo: dict[int, int] | None = None) -> int:
        """How many operations and symbols :attr:`expr` has, counted without building it: each
        shared part once per path it lies on (``memo`` keeps each part's count)."""
        memo = {} if memo is None else memo
        if id(self) not in memo:
            memo[id(self)] = 1 + sum(i.size(memo) for i in self.items)
        return memo[id(self)]

    def value(self, env: Mapping[sp.Symbol, sp.Float], memo: dict[sp.Symbol, sp.Expr]) -> sp.Expr:
        """The chain's number in SymPy arithmetic, at the precision of ``env``'s numbers;
        ``memo`` collects every term's."""
        if self.label not in memo:
            memo[self.label] = sp.Mul(*[i.value(env, memo) for i in self.items])
        return memo[self.label]

    def lines(self, values: Mapping | None, seen: set[sp.Symbol], style: Style) -> list[str]:
        if self.label in seen:
            return []
        seen.add(self.label)
        product = style.times.join(style.show(i.label) for i in self.items)
        numeric = None
        if values is not None:
            numeric = style.times.join(_paren(values[i.label], style) for i in self.items)
        out = [_line(self.label, [product], values, style, numeric)]
        for i in self.items:
            out += i.lines(values, seen, style)
        return out

    def numbers(self, env: Mapping[sp.Symbol, float]) -> Evaluation:
        """The number of every term for one sample's symbol values (``Network.environment``).

        The arithmetic is SymPy's at the precision of ``env``'s numbers; each term is then
        rounded to a float (a term beyond a float's range, which only a saturated unit gives,
        shows as ``inf`` or 0; the product is still computed from the digits)."""
        return _evaluation(self._exact(env), env)

    def _exact(self, env: Mapping[sp.Symbol, float]) -> dict[sp.Symbol, sp.Expr]:
        if not isinstance(env, Mapping):
            raise ValueError(
                f"env: expected a mapping from symbols to numbers (net.environment(params, x, "
                f"target) or a worked example's env), got {type(env).__name__}"
            )
        exact = {s: _exact_number(s, v) for s, v in env.items()}
        memo: dict[sp.Symbol, sp.Expr] = {}
        self.value(exact, memo)
        return memo

    def _check_values(self, values: Mapping | None) -> None:
        """``values`` must hold a number for every term: an :class:`Evaluation` of this chain."""
        if values is None:
            return
        if not isinstance(values, Mapping):
            raise ValueError(
                f"values: expected the numbers of this chain (chain.evaluate(params, x, target) "
                f"or chain.numbers(env)), got {type(values).__name__}"
            )
        missing = next((i.label for i in self.walk() if i.label not in values), None)
        if missing is not None:
            raise ValueError(
                f"values: expected the numbers of this chain (chain.evaluate(params, x, target) "
                f"or chain.numbers(env)); there is none for {notation.text(missing)}"
            )

    def latex(self, values: Mapping | None = None) -> str:
        """The chain as an ``aligned`` LaTeX block: the product of labels, then each item's
        expression, each with its number when ``values`` (from ``evaluate``) is given."""
        self._check_values(values)
        body = LATEX.newline.join(self.lines(values, set(), LATEX))
        return rf"\begin{{aligned}} {body} \end{{aligned}}"

    def text(self, values: Mapping | None = None, width: int = wrapping.WIDTH) -> str:
        """The same derivation as plain text, one line per term, broken to fit ``width``."""
        self._check_values(values)
        lines = self.lines(values, set(), TEXT)
        return TEXT.newline.join(wrapping.wrap(line, width) for line in lines)

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()}$"


def _check_size(item: Sum | Chain) -> None:
    check_formula_size(
        notation.text(item.label),
        item.size({}),
        "read it as a chain (.text(), .latex()) or get its numbers (.evaluate()), which "
        "never write it out",
    )


def _number(expr: sp.Expr, env: Mapping[sp.Symbol, sp.Float], label: sp.Symbol) -> sp.Expr:
    """The value of one factor for the sample ``env``; a missing symbol is named, in text."""
    value = expr.xreplace(env)
    if not value.is_number:
        missing = ", ".join(sorted(notation.text(s) for s in value.free_symbols))
        raise ValueError(f"env: no value for {missing} (needed by {notation.text(label)})")
    return value


def _exact_number(symbol: object, value: object) -> sp.Expr:
    """One value of an environment as a SymPy number (a SymPy Float keeps its digits, any other
    real number, as :func:`bpderive.checks.real_number` reads it, becomes a Float); a string or
    anything else is refused, never parsed."""
    if isinstance(value, sp.Number):
        return value
    number = real_number(value)
    if number is None:
        name = notation.text(symbol) if isinstance(symbol, sp.Basic) else repr(symbol)
        raise ValueError(f"env[{name}]: expected a number, got {value!r:.60}")
    return sp.Float(number)


def _finite(value: sp.Expr) -> bool:
    """A finite real number (not ``zoo`` from ``1/(1 − out)`` where ``out`` rounded to 1)."""
    return bool(value.is_extended_real and value.is_finite)


def _float(value: sp.Expr) -> float:
    return float(value) if _finite(value) else math.nan


def _evaluation(memo: dict[sp.Symbol, sp.Expr], env: Mapping[sp.Symbol, float]) -> Evaluation:
    terms = {label: _float(v) for label, v in memo.items()}
    value = next(reversed(terms.values()))
    return Evaluation(value, terms, {s: float(v) for s, v in env.items()})


def _paren(value: float, style: Style) -> str:
    text = style.number(value)
    if not text.startswith(("-", "−")):
        return text
    return f"\\left({text}\\right)" if style is LATEX else f"({text})"


def _line(
    label: sp.Symbol,
    rhs: list[str],
    values: Mapping | None,
    style: Style,
    numeric: str | None = None,
) -> str:
    parts = list(rhs)
    if values is not None:
        value = style.number(values[label])
        if numeric is not None and numeric != value:  # one term: its number once
            parts.append(numeric)
        parts.append(value)
    return style.show(label) + style.equals + " = ".join(parts)


@dataclass(frozen=True)
class Evaluation(Mapping[sp.Symbol, float]):
    """The number of every term of a chain for one sample, keyed by the term's label.

    ``value`` is the gradient itself. It is a mapping so that ``chain.latex(evaluation)`` can put
    each number beside its term; ``evaluation[label]`` reads one of them, by the label symbol or
    by its text (``evaluation["∂E_total/∂out_o1"]``). ``env`` is the number of every symbol of
    the sample, so that a factor's arithmetic can be written out.
    """

    value: float
    terms: dict[sp.Symbol, float] = field(repr=False)
    env: dict[sp.Symbol, float] = field(default_factory=dict, repr=False)

    def __getitem__(self, label: sp.Symbol | str) -> float:
        if isinstance(label, str):
            label = next((k for k in self.terms if k.name == label), Name(label))
        return self.terms[label]

    def __iter__(self) -> Iterator[sp.Symbol]:
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
        grad = self.expr if bool_scalar("explicit", explicit) else self.label
        new = Name(f"{self.parameter.name}⁺")
        step = sp.Mul(self.rate, grad, evaluate=False)
        return OrderedEq(new, sp.Add(self.parameter, -step, evaluate=False), evaluate=False)

    def evaluate(self, params: Mapping[str, object], x: object, target: object) -> Evaluation:
        """The number of every factor, sum and of the gradient itself for one sample.

        Computed from the chain's own SymPy expressions with the sample's values substituted,
        independently of the compiled NumPy path (the tests compare the two). The arithmetic
        is SymPy's at 17 significant digits, then at twice as many, until every term agrees
        to 12 digits with the previous round: a saturated unit (``out = 1 − 10⁻⁴³⁵`` at
        ``net = 1000``) makes ``1/(1 − out)`` huge and ``out(1 − out)`` tiny, and only enough
        digits give their product, which the compiled network gets from the simplified rule.
        Beyond :data:`MAX_DIGITS` a :class:`~bpderive.limits.LimitError` says so."""
        digits, previous = 17, None
        while True:
            env = self.environment(params, x, target, digits)
            current = self._exact(env)
            if previous is not None and _settled(previous, current):
                return _evaluation(current, env)
            if digits >= MAX_DIGITS:
                raise LimitError(
                    f"params, x, target: the numbers of {notation.text(self.label)} do not "
                    f"settle even at {MAX_DIGITS:,} significant digits (a unit is saturated "
                    f"far beyond |net| = 18,000); net.compile().gradients gives the gradient"
                )
            previous, digits = current, digits * 2


#: The most significant digits :meth:`ChainRule.evaluate` works with: enough for a unit
#: saturated at ``|net|`` up to about 18,000.
MAX_DIGITS = 17408


def _settled(a: dict[sp.Symbol, sp.Expr], b: dict[sp.Symbol, sp.Expr]) -> bool:
    """Every term finite and equal to 12 significant digits in both rounds."""
    return all(_finite(a[k]) and _finite(b[k]) and abs(a[k] - b[k]) <= 1e-12 * abs(b[k]) for k in b)

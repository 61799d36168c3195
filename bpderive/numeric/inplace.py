"""Element-wise SymPy expressions as straight-line NumPy code, every operation in place.

A derived rule such as the logistic's ``1/(1 + e^(−net))`` or the output ``δ`` is a small
expression tree; :class:`InPlace` writes it as a few ufunc calls, each with its output buffer
given, so that evaluating it on a whole ``(N, units)`` array makes no temporary array at all.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from bpderive.numeric.codegen import lambdify
from bpderive.symbolic.rules import is_stable_log

_UNARY = {
    sp.exp: "exp",
    sp.log: "log",
    sp.tanh: "tanh",
    sp.sinh: "sinh",
    sp.cosh: "cosh",
    sp.sin: "sin",
    sp.cos: "cos",
    sp.atan: "arctan",
    sp.Abs: "absolute",
}


#: The NumPy functions the generated code calls by their bare names.
NUMPY_NAMES = (
    *_UNARY.values(),
    "add",
    "subtract",
    "multiply",
    "divide",
    "negative",
    "square",
    "sqrt",
    "power",
    "expm1",
    "logaddexp",
    "matmul",
)


class InPlace:
    """Straight-line code for element-wise expressions: each operation a ufunc call with
    its output buffer as the last argument (``out`` given by position, which NumPy parses
    faster than the keyword), reusing a dying operand's buffer where it can.

    ``names`` maps the symbols an expression may use to the Python names of their arrays (or
    scalars). Buffers are named ``t0``, ``t1``, …; :attr:`n_temps` says how many a caller must
    provide. What has no in-place form (a ``Piecewise``) is lambdified and copied in."""

    def __init__(self, names: dict[sp.Symbol, str], prefix: str) -> None:
        self.names = dict(names)
        self.prefix = prefix
        self.lines: list[str] = []
        self.free: list[str] = []
        self.n_temps = 0
        self.helpers: dict[str, Callable] = {}

    def _temp(self) -> str:
        if self.free:
            return self.free.pop()
        name = f"{self.prefix}{self.n_temps}"
        self.n_temps += 1
        return name

    def assign(self, expr: sp.Expr, out: str) -> None:
        """Code that leaves the value of ``expr`` in the array ``out``. ``out`` may hold one of
        the expression's own symbols only as a factor of a product (``δ ⊙ f′`` into ``δ``):
        that factor is then used first, before ``out`` is written."""
        if out in {self.names[s] for s in expr.free_symbols if s in self.names} and not (
            isinstance(expr, sp.Mul)
        ):
            raise RuntimeError(f"{out} is both read and written by {expr}")
        replacements, (reduced,) = sp.cse([expr], symbols=sp.numbered_symbols("_cse"))
        held = []
        for symbol, sub in replacements:
            buffer = self._temp()
            self._compute(sub, buffer)
            self.names[symbol] = buffer
            held.append(buffer)
        self._compute(reduced, out)
        self.free.extend(held)

    # ------------------------------------------------------------------ operands

    def _operand(self, expr: sp.Expr) -> tuple[str, str | None]:
        """A Python expression for ``expr``'s value, and the temporary buffer it occupies (to be
        released after use) or ``None`` for a name or a number."""
        if expr in self.names:
            return self.names[expr], None
        if expr.is_Number:
            return repr(float(expr)), None
        buffer = self._temp()
        self._compute(expr, buffer)
        return buffer, buffer

    def _release(self, *buffers: str | None) -> None:
        self.free.extend(b for b in buffers if b is not None)

    def _emit(self, line: str) -> None:
        self.lines.append(line)

    # ------------------------------------------------------------------ expressions

    def _compute(self, expr: sp.Expr, out: str) -> None:
        if expr in self.names:
            self._emit(f"np.copyto({out}, {self.names[expr]})")
        elif expr.is_Number:
            self._emit(f"{out}.fill({float(expr)!r})")
        elif isinstance(expr, sp.Add):
            self._add(expr, out)
        elif isinstance(expr, sp.Mul):
            self._mul(expr, out)
        elif isinstance(expr, sp.Pow):
            self._pow(expr, out)
        elif isinstance(expr, sp.log) and is_stable_log(expr):
            self._stable_log(expr, out)
        elif type(expr) in _UNARY:
            argument = expr.args[0]
            source = self.names.get(argument, out)
            if argument not in self.names:
                self._compute(argument, out)
            self._emit(f"{_UNARY[type(expr)]}({source}, {out})")
        else:
            self._fallback(expr, out)

    def _add(self, expr: sp.Add, out: str) -> None:
        terms = list(expr.args)
        number = [t for t in terms if t.is_Number]
        if len(terms) == 2 and number:  # 1 − e^z and e^z − 1 keep their digits (expm1)
            constant, other = number[0], next(t for t in terms if not t.is_Number)
            if constant == 1 and isinstance(-other, sp.exp):
                self._compute((-other).args[0], out)
                self._emit(f"expm1({out}, {out})")
                self._emit(f"negative({out}, {out})")
                return
            if constant == -1 and isinstance(other, sp.exp):
                self._compute(other.args[0], out)
                self._emit(f"expm1({out}, {out})")
                return
        plus = [t for t in terms if not t.could_extract_minus_sign()]
        minus = [-t for t in terms if t.could_extract_minus_sign()]
        if not plus:
            self._compute(sp.Add(*minus), out)
            self._emit(f"negative({out}, {out})")
            return
        compound = [t for t in plus if t not in self.names and not t.is_Number]
        if compound:  # computed straight into out, which then collects the other terms
            plus.remove(compound[0])
            self._compute(compound[0], out)
            rest = [(t, "add") for t in plus] + [(t, "subtract") for t in minus]
        else:
            first = plus.pop(0)
            rest = [(t, "add") for t in plus] + [(t, "subtract") for t in minus]
            second, op = rest.pop(0)
            a, a_buffer = self._operand(first)
            b, b_buffer = self._operand(second)
            self._emit(f"{op}({a}, {b}, {out})")  # c − x in one call, too
            self._release(a_buffer, b_buffer)
        for term, op in rest:
            value, buffer = self._operand(term)
            self._emit(f"{op}({out}, {value}, {out})")
            self._release(buffer)

    def _mul(self, expr: sp.Mul, out: str) -> None:
        coefficient, rest = expr.as_coeff_mul()
        above = [f for f in rest if not (isinstance(f, sp.Pow) and f.exp.is_negative)]
        below = [f.base ** (-f.exp) for f in rest if isinstance(f, sp.Pow) and f.exp.is_negative]
        if not above:
            value, buffer = self._operand(below[0])
            self._emit(f"divide({float(coefficient)!r}, {value}, {out})")
            self._release(buffer)
            coefficient, below = sp.S.One, below[1:]
        elif len(above) == 1 and above[0] in self.names and coefficient != 1:
            name = self.names[above[0]]
            if coefficient == -1:
                self._emit(f"negative({name}, {out})")
            else:
                self._emit(f"multiply({name}, {float(coefficient)!r}, {out})")
            coefficient = sp.S.One
        elif len(above) == 1:
            self._compute(above[0], out)
        else:
            compound = [f for f in above if f not in self.names]
            aliased = [f for f in above if self.names.get(f) == out]
            first = aliased[0] if aliased else compound[0] if compound else above[0]
            others = [f for f in above if f is not first]
            if first in self.names:
                b, b_buffer = self._operand(others.pop(0))
                self._emit(f"multiply({self.names[first]}, {b}, {out})")
                self._release(b_buffer)
            else:
                self._compute(first, out)
            for factor in others:
                value, buffer = self._operand(factor)
                self._emit(f"multiply({out}, {value}, {out})")
                self._release(buffer)
        for factor in below:
            value, buffer = self._operand(factor)
            self._emit(f"divide({out}, {value}, {out})")
            self._release(buffer)
        if coefficient == -1:
            self._emit(f"negative({out}, {out})")
        elif coefficient != 1:
            self._emit(f"multiply({out}, {float(coefficient)!r}, {out})")

    def _pow(self, expr: sp.Pow, out: str) -> None:
        base, exponent = expr.args
        if exponent.is_negative:
            self._compute(base ** (-exponent), out)
            self._emit(f"divide(1.0, {out}, {out})")
            return
        if exponent == 2:
            value, buffer = self._operand(base)
            self._emit(f"square({value}, {out})")
        elif exponent == sp.S.Half:
            value, buffer = self._operand(base)
            self._emit(f"sqrt({value}, {out})")
        else:
            value, buffer = self._operand(base)
            power, power_buffer = self._operand(exponent)
            self._emit(f"power({value}, {power}, {out})")
            self._release(power_buffer)
        self._release(buffer)

    def _stable_log(self, expr: sp.log, out: str) -> None:
        """``log(1 + e^z)`` as ``logaddexp(0, z)``; a log-sum-exp through the fallback."""
        exponents = [a.args[0] for a in sp.Add.make_args(expr.args[0]) if a != 1]
        if len(exponents) != 1:
            self._fallback(expr, out)
            return
        value, buffer = self._operand(exponents[0])
        self._emit(f"logaddexp(0.0, {value}, {out})")
        self._release(buffer)

    def _fallback(self, expr: sp.Expr, out: str) -> None:
        symbols = sorted(expr.free_symbols, key=lambda s: s.name)
        name = f"_{self.prefix}f{len(self.helpers)}"
        self.helpers[name] = lambdify(symbols, expr)
        args = ", ".join(self.names[s] for s in symbols)
        self._emit(f"np.copyto({out}, {name}({args}))")

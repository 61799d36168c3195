"""A SymPy formula as plain JSON data and back, without ``eval``: how a user's own activation or
loss is saved.

``srepr`` or ``str`` would round-trip too, but reading them back means ``sympify``, which runs
Python: a saved file could then run code when it is loaded. Here a formula is a tree of lists,
``["Add", ["Symbol", "net"], ["Integer", "1"]]``, rebuilt by looking each head up in a fixed
table of SymPy classes; anything else in a file is refused. Floats keep their exact bits (the
mantissa and exponent of SymPy's binary representation), so a formula loads as it was saved.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

#: The SymPy classes a saved formula may use: arithmetic, the elementary functions an
#: activation or loss is made of, and what ``Piecewise`` conditions need.
FUNCTIONS: dict[str, type[sp.Basic]] = {
    cls.__name__: cls
    for cls in (
        sp.Add,
        sp.Mul,
        sp.Pow,
        sp.exp,
        sp.log,
        sp.sin,
        sp.cos,
        sp.tan,
        sp.sinh,
        sp.cosh,
        sp.tanh,
        sp.atan,
        sp.asinh,
        sp.erf,
        sp.Abs,
        sp.sign,
        sp.Heaviside,
        sp.Max,
        sp.Min,
        sp.Piecewise,
        sp.functions.elementary.piecewise.ExprCondPair,
        sp.StrictLessThan,
        sp.LessThan,
        sp.StrictGreaterThan,
        sp.GreaterThan,
        sp.Equality,
        sp.Unequality,
        sp.And,
        sp.Or,
        sp.Not,
    )
}
_CONSTANTS = {"E": sp.E, "pi": sp.pi, "true": sp.true, "false": sp.false}
_MAX_DEPTH = 64
_MAX_NODES = 5000
_MAX_DIGITS = 400
_MAX_PRECISION = 2000
_MAX_EXPONENT = 10**5


def encode(expr: sp.Basic) -> list:
    """``expr`` as nested lists of strings, or a ``ValueError`` saying why it cannot be saved:
    a class outside the table, or a formula beyond the limits :func:`decode` sets (a file that
    could not be loaded again is never written)."""
    count = [0]

    def write(node: sp.Basic, depth: int) -> list:
        count[0] += 1
        if depth > _MAX_DEPTH or count[0] > _MAX_NODES:
            raise ValueError(
                f"the formula is deeper than {_MAX_DEPTH} or has more than {_MAX_NODES} nodes, "
                f"more than a saved formula may hold"
            )
        if isinstance(node, sp.Symbol):
            return ["Symbol", node.name]
        if node.is_Integer:
            return _checked(node, ["Integer", str(int(node))])
        if node.is_Rational:
            return _checked(node, ["Rational", str(node.p), str(node.q)])
        if node.is_Float:
            sign, mantissa, exponent, _ = node._mpf_
            return _checked(node, ["Float", *map(str, (sign, mantissa, exponent, node._prec))])
        for name, constant in _CONSTANTS.items():
            if node is constant:
                return [name]
        name = type(node).__name__
        if FUNCTIONS.get(name) is not type(node):
            raise ValueError(
                f"{name} is not one of the functions a saved formula may use "
                f"({', '.join(FUNCTIONS)}; numbers; the constants E and pi)"
            )
        return [name, *(write(arg, depth + 1) for arg in node.args)]

    return write(expr, 0)


def _checked(number: sp.Number, tree: list) -> list:
    """``tree`` if :func:`decode` rebuilds it as ``number``, else a ``ValueError`` saying why."""
    try:
        _number(tree[0], tree[1:])
    except ValueError:
        shown = str(number)
        shown = shown if len(shown) <= 40 else f"{shown[:20]}… ({len(shown)} characters)"
        raise ValueError(
            f"the number {shown} is beyond what a saved formula keeps (at most "
            f"{_MAX_DIGITS} digits; a Float of at most {_MAX_PRECISION} bits of precision, "
            f"between 2**-{_MAX_EXPONENT} and 2**{_MAX_EXPONENT} in size)"
        ) from None
    return tree


def decode(tree: object, symbols: Mapping[str, sp.Symbol]) -> sp.Basic:
    """The formula :func:`encode` wrote, using only ``symbols`` for its symbols. Every node is
    checked; depth, size and the digits of numbers are bounded, so a hostile file can make this
    neither run code nor exhaust memory."""
    count = [0]

    def build(node: object, depth: int) -> sp.Basic:
        count[0] += 1
        if depth > _MAX_DEPTH or count[0] > _MAX_NODES:
            raise ValueError(f"formula: deeper than {_MAX_DEPTH} or more than {_MAX_NODES} nodes")
        if not isinstance(node, list) or not node or not isinstance(node[0], str):
            raise ValueError(f"formula: expected a list [head, ...], got {node!r:.60}")
        head, args = node[0], node[1:]
        if head in _CONSTANTS and not args:
            return _CONSTANTS[head]
        if head == "Symbol":
            if len(args) != 1 or args[0] not in symbols:
                raise ValueError(f"formula: unknown symbol {args!r:.60}; expected {list(symbols)}")
            return symbols[args[0]]
        if head in ("Integer", "Rational", "Float"):
            return _number(head, args)
        if head not in FUNCTIONS:
            raise ValueError(f"formula: {head!r:.60} is not one of {', '.join(FUNCTIONS)}")
        return FUNCTIONS[head](*(build(arg, depth + 1) for arg in args))

    try:
        return build(tree, 0)
    except (TypeError, ArithmeticError) as error:
        raise ValueError(f"formula: cannot be rebuilt ({error})") from None


def _number(head: str, args: list) -> sp.Number:
    if not all(isinstance(a, str) and a.lstrip("-").isdigit() for a in args):
        raise ValueError(f"formula: {head} needs integer strings, got {args!r:.60}")
    if any(len(a) > _MAX_DIGITS for a in args):
        raise ValueError(f"formula: a number with more than {_MAX_DIGITS} digits")
    values = [int(a) for a in args]
    if head == "Integer" and len(values) == 1:
        return sp.Integer(values[0])
    if head == "Rational" and len(values) == 2 and values[1] != 0:
        return sp.Rational(values[0], values[1])
    if (
        head == "Float"
        and len(values) == 4
        and values[0] in (0, 1)
        and abs(values[2]) < _MAX_EXPONENT
        and 1 <= values[3] <= _MAX_PRECISION
    ):
        sign, mantissa, exponent, precision = values
        return sp.Float._new((sign, mantissa, exponent, mantissa.bit_length()), precision)
    raise ValueError(f"formula: malformed {head} {args!r:.60}")

"""Which chain-rule factor or path a wrong answer gets wrong.

The reference is the derived chain itself (:mod:`bpderive.symbolic.chain`): an ordered product of
items, each a :class:`~bpderive.symbolic.chain.Factor` or a :class:`~bpderive.symbolic.chain.Sum`
of paths, each path a chain again. A learner's answer is compared with it item by item, first by
numbers at many points (which cannot be fooled by the form an answer is written in), then by
structure (which says *what* the learner wrote instead):

1. ``sign``: the answer is −1 times the chain;
2. ``constant_factor``: a constant multiple (a stray 2 from a forgotten ½);
3. ``missing_path``: one summand of a :class:`Sum` is missing, or several (a hidden unit feeds
   several outputs, and the answer follows only some of them);
4. ``missing_factor``: the answer is the chain divided by one of its items;
5. ``wrong_factor``: every other item appears in the answer as a factor, and what is left in its
   place differs from the item; inside a :class:`Sum` the answer's terms are matched to the paths
   and the one unmatched path is diagnosed the same way, recursively.

Anything else is ``not_equivalent``. A finding carries the item, what was expected and what was
given (expressions and values), so the message can name them.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
import sympy as sp

from bpderive.symbolic.chain import Chain, Factor, Sum, path_unit

#: Two numbers agree when they differ by less than this, relative to the larger (with a floor
#: of ``ABSOLUTE`` for values near zero): a derived gradient and a right answer differ only by
#: rounding, a wrong one by far more.
RELATIVE, ABSOLUTE = 1e-8, 1e-12


def close(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two vectors of values at the same points agree everywhere."""
    scale = np.maximum(np.abs(a), np.abs(b))
    return bool(np.all(np.abs(a - b) <= RELATIVE * scale + ABSOLUTE))


def values(expr: sp.Expr, points: list[dict[sp.Symbol, float]]) -> np.ndarray:
    """``expr`` at every point, in floating point (NaN where it has no real value there, such as
    the logarithm of a negative number, or where it overflows)."""
    return np.array([_float(expr, env) for env in points])


_FUNCTIONS = {sp.exp: math.exp, sp.log: math.log, sp.tanh: math.tanh, sp.sqrt: math.sqrt}
_COMPARE = {
    sp.StrictLessThan: float.__lt__,
    sp.LessThan: float.__le__,
    sp.StrictGreaterThan: float.__gt__,
    sp.GreaterThan: float.__ge__,
    sp.Equality: float.__eq__,
}


def _float(expr: sp.Basic, env: dict[sp.Symbol, float]) -> float:
    """One value by walking the tree with Python floats: far faster than SymPy's arbitrary
    precision, and an answer such as ``exp(exp(exp(…)))`` overflows at once instead of growing
    numbers with millions of digits. Node types it does not know are left to SymPy."""
    try:
        if expr.is_Symbol:
            return env[expr]
        if expr.is_Number:
            return float(expr)
        args = [_float(a, env) for a in expr.args] if not isinstance(expr, sp.Piecewise) else []
        if isinstance(expr, sp.Add):
            return math.fsum(args)
        if isinstance(expr, sp.Mul):
            return math.prod(args)
        if isinstance(expr, sp.Pow):
            value = args[0] ** args[1]
            return value if isinstance(value, float) else math.nan
        if type(expr) in _FUNCTIONS:
            return _FUNCTIONS[type(expr)](args[0])
        if type(expr) in _COMPARE:
            return float(_COMPARE[type(expr)](*args))
        if isinstance(expr, sp.And | sp.Or):
            return float((all if isinstance(expr, sp.And) else any)(args))
        if isinstance(expr, sp.Piecewise):
            branch = next(e for e, c in expr.args if c == sp.true or _float(c, env))
            return _float(branch, env)
        return float(complex(expr.xreplace({s: env[s] for s in expr.free_symbols})).real)
    except (OverflowError, ValueError, ZeroDivisionError, TypeError, StopIteration):
        return math.nan


@dataclass(frozen=True)
class Finding:
    """What is wrong: the mistake code, the item it is in (``None`` for the whole answer), what
    was expected and what was given there, and the path (a unit's name) it was found in."""

    mistake: str
    item: Factor | Sum | Chain | None = None
    expected: sp.Expr | None = None
    given: sp.Expr | None = None
    expected_value: float | None = None
    given_value: float | None = None
    ratio: sp.Expr | None = None
    path: str | None = None
    #: For ``missing_path``: the sum the missing path belongs to, and, when several paths of
    #: it are missing, all of them (``item`` is then the sum itself).
    within: Sum | None = None
    missing: tuple[Chain, ...] = ()
    missing_values: tuple[float, ...] = ()
    #: For a factor's ``sign``: whether the learner wrote that factor (``target_o1 − out_o1``) or
    #: its flip comes from a sign written elsewhere (``−δ_o1·out_h1``, where it is inside δ_o1).
    typed: bool = True

    def but(self, mistake: str) -> Finding:
        """The same finding under another code (a factor whose sign alone is wrong)."""
        return Finding(**{**vars(self), "mistake": mistake})


def diagnose(given: sp.Expr, chain: Chain, points: list[dict], depth: int = 0) -> Finding:
    """The first mistake of the list above that explains ``given`` against ``chain``."""
    R = values(chain.expr, points)
    A = values(given, points)
    if close(A, -R):
        flipped = _wrong_item(given, chain, points)
        if flipped is not None and close(
            values(flipped.given, points), -values(flipped.expected, points)
        ):
            return flipped.but("sign")
        return Finding("sign", None, chain.expr, given, R[0], A[0])
    ratio = _constant_ratio(A, R)
    if ratio is not None:
        return Finding("constant_factor", None, chain.expr, given, R[0], A[0], ratio)
    for item in chain.items:
        item_values = values(item.expr, points)
        for path in item.terms if isinstance(item, Sum) else ():
            path_values = values(path.expr, points)
            if close(A, R * (item_values - path_values) / item_values):
                return _missing_path(path, path_values, item)
        if not close(item_values, 1 + 0 * item_values) and close(A * item_values, R):
            return Finding("missing_factor", item, item.expr, None, item_values[0])
    wrong = _wrong_item(given, chain, points)
    if wrong is not None and isinstance(wrong.item, Sum) and depth < 8:
        inner = _inside_sum(wrong.given, wrong.item, points, depth)
        if inner is not None:
            return inner
    if wrong is None or len(chain.items) == 1:  # one item: "that item is wrong" says nothing
        return Finding("not_equivalent", None, chain.expr, given, R[0], A[0])
    return wrong


def _missing_path(path: Chain, path_values: np.ndarray, within: Sum) -> Finding:
    return Finding(
        "missing_path", path, path.expr, None, path_values[0], path=path_unit(path), within=within
    )


def _constant_ratio(A: np.ndarray, R: np.ndarray) -> sp.Expr | None:
    """``A / R`` where it is the same constant (not ±1, not 0) at every point, as a fraction."""
    usable = np.abs(R) > 1e-9
    if usable.sum() < 3:
        return None
    ratios = A[usable] / R[usable]
    c = ratios[0]
    if not np.isfinite(c) or abs(c) < 1e-9 or abs(abs(c) - 1) < 1e-9:
        return None
    if not close(ratios, np.full_like(ratios, c)):
        return None
    return sp.nsimplify(c, rational=True, tolerance=1e-9)


def _factors(expr: sp.Expr) -> Counter:
    """The factors of a product with their multiplicities (a sign counts as the factor −1)."""
    coefficient, rest = expr.as_coeff_Mul()
    found = Counter(f for f in sp.Mul.make_args(rest) if f != 1)
    if coefficient != 1:
        found[coefficient] += 1
    return found


def _wrong_item(given: sp.Expr, chain: Chain, points: list[dict]) -> Finding | None:
    """The one item that ``given`` replaces: every other item is a factor of ``given`` as
    written, and what is left over differs from the item (in its numbers). Where several items
    could be the one (an item that is 1 leaves room), the smallest leftover is the likeliest."""
    have = _factors(given)
    candidates = []
    for k, item in enumerate(chain.items):
        others: Counter = Counter()
        for j, other in enumerate(chain.items):
            if j != k:
                others.update(_factors(other.expr))
        if any(have[f] < n for f, n in others.items()):
            continue
        rest = sp.Mul(*(f**n for f, n in (have - others).items()))
        expected, got = values(item.expr, points), values(rest, points)
        if not close(got, expected):
            candidates.append(Finding("wrong_factor", item, item.expr, rest, expected[0], got[0]))
    return min(candidates, key=lambda f: sp.count_ops(f.given), default=None)


def _inside_sum(given: sp.Expr, total: Sum, points: list[dict], depth: int) -> Finding | None:
    """Match the terms of the learner's sum to the paths: one path left without a term is
    ``missing_path``; one path left with one term is diagnosed as a chain of its own."""
    terms = list(sp.Add.make_args(given))
    term_values = [values(t, points) for t in terms]
    unmatched = []
    for path in total.terms:
        path_values = values(path.expr, points)
        match = next((i for i, v in enumerate(term_values) if close(v, path_values)), None)
        if match is None:
            unmatched.append((path, path_values))
        else:
            del terms[match], term_values[match]
    if unmatched and not terms and len(unmatched) < len(total.terms):
        if len(unmatched) == 1:
            return _missing_path(*unmatched[0], total)
        missing, numbers = zip(*((path, float(v[0])) for path, v in unmatched), strict=True)
        return Finding("missing_path", total, within=total, missing=missing, missing_values=numbers)
    if len(unmatched) != 1 or len(terms) > 1:
        return None
    path, path_values = unmatched[0]
    inner = diagnose(terms[0], path, points, depth + 1)
    if inner.mistake in ("not_equivalent", "constant_factor"):
        return None
    return Finding(**{**vars(inner), "path": inner.path or path_unit(path)})

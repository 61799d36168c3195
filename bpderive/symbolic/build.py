"""SymPy expressions built fast and exactly as SymPy itself would build them: a network has one
activation formula and one weighted sum per unit, and on a wide network SymPy's general
evaluation of each was most of the time spent building it.

* :func:`rename`: an activation's template ``1/(1 + e^(−net))`` with its one symbol renamed;
* :class:`WeightedSums`: each unit's ``Σ w·out + b`` of a layer, in SymPy's canonical order.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy.core.add import _addsort
from sympy.core.mul import _mulsort

#: Per template, renamed symbol and its assumptions: whether renaming without re-evaluation
#: gives exactly what ``xreplace`` gives (checked once, the first time).
_RENAMES_CLEANLY: dict[tuple[sp.Basic, sp.Symbol, frozenset], bool] = {}


def rename(template: sp.Basic, old: sp.Symbol, new: sp.Symbol) -> sp.Basic:
    """``template.xreplace({old: new})`` for a one-symbol template such as an activation's
    ``1/(1 + exp(-net))``, without re-evaluating every node.

    ``xreplace`` rebuilds each node with SymPy's full evaluation, about half a millisecond for
    the logistic; a network builds one per unit, so on a wide layer that was seconds. Renaming
    the one symbol cannot change how an already canonical template evaluates (the order of two
    arguments is decided by the symbol's name only when both are different symbols), so the
    unevaluated rebuild is the same expression. That argument is checked, not trusted: the
    first rename of each template is done both ways and compared, and a template where the two
    differ always takes ``xreplace``."""
    key = (template, old, frozenset(new.assumptions0.items()))
    clean = _RENAMES_CLEANLY.get(key)
    if clean is False:
        return template.xreplace({old: new})
    with sp.core.parameters.evaluate(False):
        fast = template.xreplace({old: new})
    if clean is None:
        canonical = template.xreplace({old: new})
        _RENAMES_CLEANLY[key] = clean = canonical == fast and canonical.args == fast.args
        return canonical
    return fast


class WeightedSums:
    """``Σ_i w_(i,j)·out_i + b_j`` of each unit ``j`` of a layer, the same expression as
    ``sp.Add(*[w * out ...], b)``, built on demand without SymPy's general flattening and
    sorting: on a wide layer that was most of the time of building a network, and compiling
    needs only the first unit's.

    ``weights(j)`` gives unit ``j``'s weight symbols (one per unit below, in order) and
    ``bias(j)`` its bias; they are asked for only when unit ``j`` is built, so a unit that is
    never looked at never has its symbols made. The terms are all distinct (one weight each), so
    there is nothing to collect, only to put in SymPy's canonical order. That order compares the
    names, and weight names differ only in the unit they lead into, after the part that tells
    the terms apart: the order found for the first unit is every unit's. It is checked, not
    trusted: the last unit is sorted too, and if the two differ every unit is left to
    ``sp.Add``."""

    def __init__(
        self,
        weights: Callable[[int], list[sp.Symbol]],
        outs: list[sp.Symbol],
        bias: Callable[[int], sp.Symbol],
        units: int,
    ) -> None:
        self._weights, self._outs, self._bias, self._units = weights, outs, bias, units
        self._swapped: bool | None = None
        self._order: list[int] | None = None

    def _terms(self, j: int) -> list[sp.Expr]:
        pairs = zip(self._weights(j), self._outs, strict=True)
        products = [sp.Mul._from_args((o, w) if self._swapped else (w, o)) for w, o in pairs]
        return [*products, self._bias(j)]

    @staticmethod
    def _order_of(unsorted: list[sp.Expr]) -> list[int]:
        ordered = list(unsorted)
        _addsort(ordered)
        position = {term: k for k, term in enumerate(unsorted)}
        return [position[term] for term in ordered]

    def _find_order(self) -> None:
        first_weights = self._weights(0)
        pair = [first_weights[0], self._outs[0]]
        _mulsort(pair)
        self._swapped = pair[0] is not first_weights[0]
        first = self._terms(0)
        order = self._order_of(first)
        canonical = [w * o for w, o in zip(first_weights, self._outs, strict=True)]
        if self._order_of(self._terms(self._units - 1)) == order and canonical == first[:-1]:
            self._order = order

    def __call__(self, j: int) -> sp.Add:
        """Unit ``j``'s weighted sum."""
        if self._swapped is None:
            self._find_order()
        terms = self._terms(j)
        if self._order is None:
            return sp.Add(*terms)
        return sp.Add._from_args([terms[k] for k in self._order])

"""Renaming the one symbol of a template (``net`` in an activation's ``1/(1 + e^(−net))``) for
each unit of a network, fast and exactly as ``xreplace`` would."""

from __future__ import annotations

import sympy as sp

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

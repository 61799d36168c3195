"""The picture of 三.3.2.0: gradient descent on a cost of one weight, derived by SymPy.

Its legend follows the language in use (:mod:`bpderive.language`); the texts are in
:mod:`bpderive.display.figure_texts`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from bpderive.checks import check_interval, int_scalar, real_scalar
from bpderive.display import figure_texts as texts
from bpderive.display.legends import check_legend, place_legend
from bpderive.display.plotting import _axes
from bpderive.language import pick

if TYPE_CHECKING:
    import sympy as sp
    from matplotlib.axes import Axes


def descent_path(
    cost: sp.Expr, symbol: sp.Symbol, start: float, eta: float, steps: int = 1
) -> np.ndarray:
    """Gradient descent on a one-variable SymPy cost: ``w⁺ = w − eta·dE/dw``, ``steps`` times.

    The derivative is ``sympy.diff(cost, symbol)``. Returns an array of shape ``(steps + 1, 3)``
    whose rows are ``(w_k, E(w_k), E'(w_k))``, ``k = 0 … steps``; a run that overflows keeps its
    non-finite rows (the cost has diverged). ``cost`` must already be a SymPy expression (a
    string is never parsed), ``start`` and ``eta`` finite numbers (``eta`` may be of any sign or
    size: showing a rate that is too large is the point of some plots)."""
    import sympy as sp

    if not isinstance(symbol, sp.Symbol):
        raise ValueError(f"symbol: expected a sympy Symbol, got {symbol!r}")
    if not isinstance(cost, sp.Expr):
        raise ValueError(
            f"cost: expected a SymPy expression of {symbol}, got {type(cost).__name__} {cost!r}"
        )
    if cost.free_symbols - {symbol}:
        extra = ", ".join(sorted(map(str, cost.free_symbols - {symbol})))
        raise ValueError(f"cost: expected a function of {symbol} only, it also has {extra}")
    w = real_scalar("start", start)
    eta = real_scalar("eta", eta)
    steps = int_scalar("steps", steps, 0)
    f = sp.lambdify(symbol, cost, modules="math")
    df = sp.lambdify(symbol, sp.diff(cost, symbol), modules="math")
    rows = []
    for step in range(steps + 1):
        try:
            value, slope = float(f(w)), float(df(w))
        except OverflowError:
            value = slope = float("inf")
        except (ValueError, ZeroDivisionError, TypeError):  # math domain error, 1/0, complex
            where = "start" if step == 0 else "eta"
            reached = "starts" if step == 0 else f"arrives after {step} step(s)"
            raise ValueError(
                f"{where}: the descent {reached} at {symbol} = {w:.6g}, where the cost {cost} "
                f"or its slope is not defined"
                + ("" if step == 0 else "; take a smaller eta or start elsewhere")
            ) from None
        rows.append((w, value, slope))
        w = w - eta * slope
    return np.array(rows)


def plot_descent(
    cost: sp.Expr,
    symbol: sp.Symbol,
    start: float,
    eta: float,
    steps: int = 1,
    ax: Axes | None = None,
    *,
    span: tuple[float, float] | None = None,
    legend: str = "best",
) -> Axes:
    """The picture of 三.3.2.0: a cost curve, a point, its tangent, steps against the slope.

    ``cost`` is a SymPy expression of ``symbol`` (one weight); the derivative is derived by
    ``sympy.diff``. Drawn: ``E(w)`` over ``span`` (default: the points visited, with a margin),
    the tangent at ``start`` (its slope is the gradient), and each step of
    :func:`descent_path` as an arrow from ``(w_k, E(w_k))`` to ``(w_{k+1}, E(w_{k+1}))``.
    ``legend`` is one of :data:`LEGEND_PLACES` (default inside the Axes). Returns the Axes.
    """
    import sympy as sp

    from bpderive.symbolic.notation import number

    path = descent_path(cost, symbol, start, eta, steps)
    path = path[np.isfinite(path).all(axis=1)]
    if span is not None:
        span = check_interval("span", span)
    legend = check_legend(legend)
    ax = _axes(ax)
    if span is None:
        lo, hi = path[:, 0].min(), path[:, 0].max()
        pad = max(0.25 * (hi - lo), 0.5)
        span = (lo - pad, hi + pad)
    f = sp.lambdify(symbol, cost, modules="numpy")
    w = np.linspace(span[0], span[1], 400)
    ax.plot(w, np.broadcast_to(f(w), w.shape), color="C0", label="E(w)")
    w0, e0, g0 = path[0]
    half = 0.15 * (span[1] - span[0])
    tw = np.array([w0 - half, w0 + half])
    tangent = pick(texts.TANGENT).format(slope=number(g0, 4))
    ax.plot(tw, e0 + g0 * (tw - w0), color="C1", label=tangent)
    ax.plot(path[:, 0], path[:, 1], "o", color="C3", markersize=4)
    for (wa, ea, _), (wb, eb, _) in zip(path[:-1], path[1:], strict=True):
        if wb < span[0] or wb > span[1]:
            break
        ax.annotate(
            "",
            xy=(wb, eb),
            xytext=(wa, ea),
            arrowprops={"arrowstyle": "->", "color": "C3"},
        )
    ax.plot([], [], color="C3", label=pick(texts.STEPS).format(eta=f"{eta:g}"))
    ax.set_xlim(*span)
    ax.set_xlabel(str(symbol))
    ax.set_ylabel("E")
    place_legend(ax, legend)
    return ax

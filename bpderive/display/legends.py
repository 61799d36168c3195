"""Where a plot's legend goes: under the Axes by default, so that it never covers a curve.

Shared by every plot of bpderive (:mod:`bpderive.display.plotting`,
:mod:`bpderive.display.descent`) and usable on a notebook's own figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bpderive.checks import int_scalar

if TYPE_CHECKING:
    from matplotlib.axes import Axes


#: Where a plot's legend goes: under the Axes (never over the data), matplotlib's choice inside
#: the Axes, or none.
LEGEND_PLACES = ("below", "best", "none")

#: The legend's font size in points: small enough to keep it compact, large enough to read at
#: 100 % (9 pt).
LEGEND_FONTSIZE = 9


def legend_below(ax: Axes, ncol: int | None = None, fontsize: float = LEGEND_FONTSIZE) -> Any:
    """The Axes' legend under it, below its x tick labels and x label, so that it never covers
    a curve; returns the legend (``None`` if nothing on the Axes has a label).

    Its place is computed whenever the figure is drawn, from where the x axis' labels then are,
    so it stays clear of them after a later ``set_xlabel``, ``set_xscale`` or a layout engine.
    ``ncol=None`` puts the entries in two columns if that fits the Axes' width, else in one.
    Under Axes stacked one above another, give the figure ``layout="constrained"`` (it makes
    room for legends outside the Axes)."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None

    def make(columns: int) -> Any:
        legend = ax.legend(
            handles,
            labels,
            loc="upper center",
            ncol=columns,
            fontsize=fontsize,
            borderaxespad=0.0,
        )
        # Anchored to a box recomputed at every draw (see _under_x_axis); Legend asks its
        # get_bbox_to_anchor() each time it places itself.
        legend.get_bbox_to_anchor = lambda: _under_x_axis(ax)
        return legend

    if ncol is not None:
        return make(int_scalar("ncol", ncol, 1))
    legend = make(2)
    if len(handles) > 1 and legend.get_window_extent().width > ax.get_window_extent().width:
        legend = make(1)
    return legend


def _under_x_axis(ax: Axes) -> Any:
    """A flat box, in display pixels, as wide as the Axes and 4 points below the lowest of the
    Axes and its x axis' tick labels and label."""
    from matplotlib.transforms import Bbox

    box = ax.get_window_extent()
    axis = ax.xaxis.get_tightbbox()
    bottom = box.y0 if axis is None else min(box.y0, axis.y0)
    bottom -= 4 * ax.figure.dpi / 72
    return Bbox.from_extents(box.x0, bottom, box.x1, bottom)


def place_legend(ax: Axes, where: str) -> None:
    """Draw the Axes' legend where the caller asked (one of :data:`LEGEND_PLACES`)."""
    if where == "below":
        legend_below(ax)
    elif where == "best":
        ax.legend(fontsize=LEGEND_FONTSIZE)
    elif ax.get_legend() is not None:
        ax.get_legend().remove()


def check_legend(where: object) -> str:
    """``where`` if it is one of :data:`LEGEND_PLACES`, else a ``ValueError`` naming ``legend``."""
    if not isinstance(where, str) or where not in LEGEND_PLACES:
        raise ValueError(
            f"legend: expected one of {', '.join(map(repr, LEGEND_PLACES))}, got {where!r}"
        )
    return where

"""The network drawn as the article's figure 1: every neuron, weight and bias with its name.

:func:`draw_network` draws a fully connected network (the article's 2-3-2 one by default) with
matplotlib, which is optional (``pip install bpderive[plot]``) and imported only when a drawing
is asked for. Each neuron is a labelled circle (``x1``, ``h1``, ``o1``), each weight an arrow
labelled with its name in the article's notation (``w_(x1,1)``, and the article's flat name
``w1``, ``w5``, ``w6``, ``w7`` where it has one), each bias its name beside its unit; with a
parameter mapping every label also shows the number.

Every label is a matplotlib ``Text`` whose ``gid`` says what it labels (``"neuron:h1"``,
``"weight:w_(1,1)"``, ``"bias:b4"``, ``"layer:1"``), so that a test or a reader can find it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import sympy as sp

from bpderive.checks import check_params
from bpderive.display.plotting import _pyplot
from bpderive.network import Network
from bpderive.symbolic.notation import number

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Layout in data units: distance between layers, between units of a layer, circle radius, and
#: the figure's inches per data unit when draw_network makes the figure itself.
_LAYER_GAP = 4.4
_UNIT_GAP = 1.5
_RADIUS = 0.3
_INCHES = 1.1
#: Above this many weights the weight labels are left out unless asked for (they would overlap).
_MAX_WEIGHT_LABELS = 40
_COLOURS = ("#cfe2f3", "#d9ead3", "#fce5cd")  # input, hidden, output
#: A label's approximate width per character, in inches at 8 points, and height in data units.
_CHAR = 0.068
_HEIGHT = 0.22


def _value(value: float) -> str:
    """A parameter's value as a label shows it: four significant digits."""
    return number(value, 4)


def _positions(sizes: tuple[int, ...]) -> list[list[tuple[float, float]]]:
    """The centre of every unit, layer by layer, the first unit on top."""
    return [
        [(layer * _LAYER_GAP, ((n - 1) / 2 - k) * _UNIT_GAP) for k in range(n)]
        for layer, n in enumerate(sizes)
    ]


def _text_width(text: str, font: float) -> float:
    """A label's approximate width in data units (mathtext markup not counted; subscripts are
    smaller, which the estimate ignores: it errs on the wide side)."""
    visible = len(text) - sum(text.count(c) for c in "${}_^")
    return visible * _CHAR * font / 8 / _INCHES


def _segment_distance(a: tuple, b: tuple) -> float:
    """The distance between two segments ``((x0, y0), (x1, y1))`` in the plane."""

    def point(p: tuple, s: tuple) -> float:
        (x0, y0), (x1, y1) = s
        dx, dy = x1 - x0, y1 - y0
        t = ((p[0] - x0) * dx + (p[1] - y0) * dy) / ((dx * dx + dy * dy) or 1.0)
        t = min(1.0, max(0.0, t))
        return math.hypot(p[0] - x0 - t * dx, p[1] - y0 - t * dy)

    def side(p: tuple, q: tuple, r: tuple) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    (p1, p2), (q1, q2) = a, b
    if side(p1, p2, q1) * side(p1, p2, q2) < 0 and side(q1, q2, p1) * side(q1, q2, p2) < 0:
        return 0.0
    return min(point(p1, b), point(p2, b), point(q1, a), point(q2, a))


def _label_segment(start: tuple, end: tuple, width: float, t: float) -> tuple:
    """The segment a label of ``width`` covers when centred at fraction ``t`` of its edge."""
    (x0, y0), (x1, y1) = start, end
    length = math.hypot(x1 - x0, y1 - y0)
    hx, hy = (x1 - x0) / length * width / 2, (y1 - y0) / length * width / 2
    cx, cy = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
    return ((cx - hx, cy - hy), (cx + hx, cy + hy))


def _place_labels(edges: list[tuple[tuple, tuple, float]]) -> list[float]:
    """Where along each edge ``(start, end, label width)`` its label goes, as a fraction from
    the source.

    Each label is treated as a segment of its estimated width lying on its edge. Edge by edge,
    the fraction is chosen among a few candidates clear of both circles so that the label is as
    far as possible from the labels already placed (ties go to the middle of the edge). The
    result depends only on the layout, so a drawing is the same every time."""
    placed: list[tuple] = []
    fractions = []
    for start, end, width in edges:
        length = math.dist(start, end)
        lo = min(0.5, (_RADIUS + width / 2 + 0.25) / length)
        candidates = [lo + (1 - 2 * lo) * k / 16 for k in range(17)]

        def score(t: float, start: tuple = start, end: tuple = end, width: float = width) -> tuple:
            label = _label_segment(start, end, width, t)
            gap = min((_segment_distance(label, s) for s in placed), default=math.inf)
            return (min(gap, 2 * _HEIGHT), -abs(t - 0.5))

        best = max(candidates, key=score)
        placed.append(_label_segment(start, end, width, best))
        fractions.append(best)
    return fractions


def draw_network(
    net: Network | None = None,
    params: Mapping[str, object] | None = None,
    ax: Axes | None = None,
    *,
    weight_labels: bool | None = None,
) -> Axes:
    """Draw ``net`` (default: the article's 2-3-2 network) and return the Axes.

    ``params`` (the parameter mapping ``{"W1": …, "b1": …, …}``) adds every weight's and bias's
    value to its label. ``ax`` is drawn into, or a new figure is made. ``weight_labels`` chooses
    whether the weights are labelled; by default they are when there are at most 40 of them
    (beyond that the labels cannot be read anyway; the arrows are always drawn).
    """
    if net is None:
        net = Network()
    if not isinstance(net, Network):
        raise TypeError(f"net: expected a bpderive.Network, got {type(net).__name__}")
    checked = None if params is None else check_params(net.sizes, params)
    if weight_labels is not None and not isinstance(weight_labels, bool):
        raise TypeError(f"weight_labels: expected True, False or None, got {weight_labels!r}")
    plt = _pyplot()
    from matplotlib.patches import Circle, FancyArrowPatch

    centres = _positions(net.sizes)
    xs = [x for row in centres for x, _ in row]
    ys = [y for row in centres for _, y in row]
    left, right = min(xs) - 0.8, max(xs) + 0.8
    bottom, top = min(ys) - _RADIUS - 0.6, max(ys) + _RADIUS + 0.5
    if ax is None:
        size = ((right - left) * _INCHES, (top - bottom) * _INCHES + 0.4)
        _, ax = plt.subplots(figsize=size)
    elif not hasattr(ax, "add_patch"):
        raise TypeError(f"ax: expected a matplotlib Axes or None, got {type(ax).__name__}")

    n_weights = sum(a * b for a, b in zip(net.sizes, net.sizes[1:], strict=False))
    if weight_labels is None:
        weight_labels = n_weights <= _MAX_WEIGHT_LABELS
    font = 10 if max(net.sizes) <= 6 else 7
    alias_of = {v: k for k, v in net.aliases.items()}

    for layer in range(1, net.n_layers + 1):
        below, here = centres[layer - 1], centres[layer]
        edges = []
        for j, end in enumerate(here):
            for i, start in enumerate(below):
                p = net.weight(layer, i, j)
                text = f"${sp.latex(p.symbol)}$"
                if p.name in alias_of:
                    text += f" ({alias_of[p.name]})"
                if checked is not None:
                    text += f" = {_value(checked[p.key][p.index])}"
                edges.append((p, start, end, text))
        fractions = _place_labels([(a, b, _text_width(t, font)) for _, a, b, t in edges])
        for (p, (x0, y0), (x1, y1), text), t in zip(edges, fractions, strict=True):
            angle = math.atan2(y1 - y0, x1 - x0)
            dx, dy = _RADIUS * math.cos(angle), _RADIUS * math.sin(angle)
            ax.add_patch(
                FancyArrowPatch(
                    (x0 + dx, y0 + dy),
                    (x1 - dx, y1 - dy),
                    arrowstyle="-|>",
                    mutation_scale=10,
                    color="0.45",
                    linewidth=0.9,
                    shrinkA=0,
                    shrinkB=0,
                    zorder=1,
                    gid=f"edge:{p.name}",
                )
            )
            if not weight_labels:
                continue
            ax.text(
                x0 + t * (x1 - x0),
                y0 + t * (y1 - y0),
                text,
                fontsize=font,
                ha="center",
                va="center",
                rotation=math.degrees(angle),
                rotation_mode="anchor",
                transform_rotates_text=True,
                bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.9},
                zorder=3,
                gid=f"weight:{p.name}",
            )

    for layer, (row, units) in enumerate(zip(centres, net.layers, strict=True)):
        colour = _COLOURS[0 if layer == 0 else 2 if layer == net.n_layers else 1]
        for (x, y), unit in zip(row, units, strict=True):
            ax.add_patch(
                Circle((x, y), _RADIUS, fc=colour, ec="0.2", lw=1.2, zorder=4, gid=unit.name)
            )
            ax.text(
                x,
                y,
                unit.name,
                fontsize=font + 2,
                ha="center",
                va="center",
                zorder=5,
                gid=f"neuron:{unit.name}",
            )
            if layer == 0:
                continue
            bias = net.bias(layer, unit.index)
            text = f"${sp.latex(bias.symbol)}$"
            if checked is not None:
                text += f" = {_value(checked[bias.key][bias.index])}"
            ax.text(
                x,
                y + _RADIUS + 0.08,
                text,
                fontsize=font,
                ha="center",
                va="bottom",
                color="#7f3f00",
                zorder=5,
                gid=f"bias:{bias.name}",
            )

    names = ["input layer"] + [
        "output layer" if layer == net.n_layers else f"hidden layer {layer}"
        for layer in range(1, net.n_layers + 1)
    ]
    if net.n_layers == 2:
        names[1] = "hidden layer"
    for layer, name in enumerate(names):
        ax.text(
            layer * _LAYER_GAP,
            bottom + 0.4,
            name,
            fontsize=font + 1,
            ha="center",
            va="top",
            color="0.3",
            gid=f"layer:{layer}",
        )

    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    ax.set_aspect("equal")
    ax.set_axis_off()
    sizes = "-".join(map(str, net.sizes))
    acts = ", ".join(a.name for a in net.activations)
    ax.set_title(f"{sizes} network ({acts})", fontsize=font + 3)
    return ax

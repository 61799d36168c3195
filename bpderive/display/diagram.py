"""The network drawn as the article's figure 1: every neuron, weight and bias with its name.

:func:`draw_network` draws a fully connected network (the article's 2-3-2 one by default) with
matplotlib, which is optional (``pip install bpderive[plot]``) and imported only when a drawing
is asked for. Each neuron is a labelled circle (``x1``, ``h1``, ``o1``), each weight an arrow
labelled with its name in the article's notation (``w_(x1,1)``, and the article's flat name
``w1``, ``w5``, ``w6``, ``w7`` where it has one), each bias its name beside its unit; with a
parameter mapping every label also shows the number.

No label overlaps another label, a circle or an arrowhead where the layout leaves room (on the
article's network it does, every value shown): each label's size is measured from its glyphs
(:class:`matplotlib.textpath.TextToPath`, no renderer needed), each bias goes above or below
its unit, whichever is clear of the arrows, and each weight's label slides along its arrow to
the place farthest from everything else (:func:`_place_labels`).

Every label is a matplotlib ``Text`` whose ``gid`` says what it labels (``"neuron:h1"``,
``"weight:w_(1,1)"``, ``"bias:b4"``, ``"layer:1"``), so that a test or a reader can find it. The
layers' names and the title follow the language in use (输入层 / 隐含层 / 输出层 in Chinese; the
texts are in :mod:`bpderive.display.figure_texts`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import sympy as sp

from bpderive.checks import check_params
from bpderive.display import figure_texts as texts
from bpderive.display import paths
from bpderive.display.plotting import _pyplot
from bpderive.fonts import write_chinese_in
from bpderive.language import get_language, pick
from bpderive.network import Network
from bpderive.symbolic.notation import number
from bpderive.worked_example import WorkedExample

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from bpderive.symbolic.chain import ChainRule
    from bpderive.symbolic.structure import Parameter

#: Layout in data units: distance between layers, between units of a layer, circle radius.
_LAYER_GAP = 4.4
_UNIT_GAP = 1.6
_RADIUS = 0.3
#: Inches per data unit of a figure draw_network makes: the article's network is 8.1 inches wide,
#: shown at 100% (not shrunk) at 100 dpi; a wider drawing is scaled to at most _WIDEST inches.
_INCHES, _WIDEST = 0.78, 9.2
#: Inches above the drawing for the title, when draw_network makes the figure itself.
_TITLE = 0.45
#: Above this many weights the weight labels are left out unless asked for (they would overlap).
_MAX_WEIGHT_LABELS = 40
_COLOURS = ("#cfe2f3", "#d9ead3", "#fce5cd")  # input, hidden, output
#: The white box behind a weight label: padding as a fraction of the font size.
_PAD = 0.15
#: Clearance wanted around a label, in data units (beyond it a label prefers the middle of its
#: arrow), and the radius kept free around each arrowhead.
_CLEAR = 0.22
_HEAD = 0.12

Point = tuple[float, float]
Polygon = list[Point]
#: An obstacle: a convex polygon (a single point for a circle), its centre, the radius of a
#: circle about the centre that holds it, and the radius to keep clear of it.
Obstacle = tuple[Polygon, Point, float, float]


def _value(value: float) -> str:
    """A parameter's value as a label shows it: four significant digits."""
    return number(value, 4)


def _positions(sizes: tuple[int, ...]) -> list[list[Point]]:
    """The centre of every unit, layer by layer, the first unit on top."""
    return [
        [(layer * _LAYER_GAP, ((n - 1) / 2 - k) * _UNIT_GAP) for k in range(n)]
        for layer, n in enumerate(sizes)
    ]


# ------------------------------------------------------------------------------ geometry


def _box(centre: Point, width: float, height: float, angle: float = 0.0) -> Polygon:
    """The corners of a ``width`` × ``height`` rectangle centred at ``centre``, turned by
    ``angle`` (radians)."""
    c, s = math.cos(angle), math.sin(angle)
    corners = [(-width / 2, -height / 2), (width / 2, -height / 2)]
    corners += [(width / 2, height / 2), (-width / 2, height / 2)]
    return [(centre[0] + c * dx - s * dy, centre[1] + s * dx + c * dy) for dx, dy in corners]


def _point_segment(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    t = ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / ((dx * dx + dy * dy) or 1.0)
    t = min(1.0, max(0.0, t))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def _edges(poly: Polygon) -> list[tuple[Point, Point]]:
    if len(poly) <= 2:
        return [(poly[0], poly[-1])]
    return [(poly[i], poly[(i + 1) % len(poly)]) for i in range(len(poly))]


def _gap(p: Polygon, q: Polygon) -> float:
    """The distance between two convex polygons (or segments, or points), or, where they
    overlap, minus the depth of the overlap (by separating axes)."""
    depth = math.inf
    for (x0, y0), (x1, y1) in _edges(p) + _edges(q):
        norm = math.hypot(x1 - x0, y1 - y0)
        if norm == 0:
            continue
        nx, ny = (y1 - y0) / norm, (x0 - x1) / norm
        ps, qs = [x * nx + y * ny for x, y in p], [x * nx + y * ny for x, y in q]
        separation = max(min(qs) - max(ps), min(ps) - max(qs))
        if separation > 0:
            return min(
                [_point_segment(v, a, b) for v in p for a, b in _edges(q)]
                + [_point_segment(v, a, b) for v in q for a, b in _edges(p)]
            )
        depth = min(depth, -separation)
    return -depth


def _obstacle(poly: Polygon, radius: float = 0.0) -> Obstacle:
    cx, cy = sum(x for x, _ in poly) / len(poly), sum(y for _, y in poly) / len(poly)
    return poly, (cx, cy), max(math.hypot(x - cx, y - cy) for x, y in poly), radius


def _clearance(poly: Polygon, obstacles: list[Obstacle], skip: int | None = None) -> float:
    """The smallest gap between ``poly`` and any obstacle but the one at ``skip`` (the label's
    own previous place), at most :data:`_CLEAR`; far obstacles are not measured."""
    _, (cx, cy), reach, _ = _obstacle(poly)
    best = _CLEAR
    for k, (other, (ox, oy), other_reach, radius) in enumerate(obstacles):
        if k != skip and math.hypot(ox - cx, oy - cy) - reach - other_reach - radius < best:
            best = min(best, _gap(poly, other) - radius)
    return round(best, 9)  # the same choice on every machine


# ------------------------------------------------------------------------------ labels


def _size(text: str, font: float, per_unit: float) -> tuple[float, float]:
    """A label's width and height in data units, measured from its glyphs (mathtext where the
    text has ``$…$``); ``per_unit`` is inches per data unit."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    width, height, _ = TextToPath().get_text_width_height_descent(
        text, FontProperties(size=font), ismath=text.count("$") >= 2
    )
    return width / 72 / per_unit, max(height, 1.2 * font) / 72 / per_unit


def _place_labels(
    edges: Sequence[tuple[Point, Point, float, float]], obstacles: list[Obstacle]
) -> list[float]:
    """Where along each edge ``(start, end, label width, label height)`` its label goes, as a
    fraction of the edge from its start.

    Each label is a rectangle turned with its edge and centred on it, never over either end's
    circle. Label by label, then twice more over all of them with the others in place, the
    fraction is chosen among evenly spaced candidates to be as far as possible (up to
    :data:`_CLEAR`) from every other label, unit, bias and arrowhead; ties go to the middle of
    the edge. The result depends only on the layout, so a drawing is the same every time."""
    shapes: list[list[tuple[float, Polygon]]] = []
    for (x0, y0), (x1, y1), width, height in edges:
        lo = (_RADIUS + width / 2 + 0.05) / math.hypot(x1 - x0, y1 - y0)
        fractions = [0.5] if lo >= 0.5 else [lo + (1 - 2 * lo) * k / 32 for k in range(33)]
        angle = math.atan2(y1 - y0, x1 - x0)
        shapes.append(
            [
                (t, _box((x0 + t * (x1 - x0), y0 + t * (y1 - y0)), width, height, angle))
                for t in fractions
            ]
        )
    fixed, chosen = len(obstacles), [0] * len(shapes)
    for sweep in range(3):
        for k, candidates in enumerate(shapes):
            own = None if sweep == 0 else fixed + k
            chosen[k] = max(
                range(len(candidates)),
                key=lambda i, c=candidates, own=own: (
                    _clearance(c[i][1], obstacles, own),
                    -abs(c[i][0] - 0.5),
                ),
            )
            placed = _obstacle(candidates[chosen[k]][1])
            if own is None:
                obstacles.append(placed)
            else:
                obstacles[own] = placed
    return [shapes[k][i][0] for k, i in enumerate(chosen)]


def _bias_box(unit: Point, size: tuple[float, float], side: int) -> Polygon:
    """A bias label's box above (``side`` 1) or below (−1) its unit."""
    return _box((unit[0], unit[1] + side * (_RADIUS + 0.06 + size[1] / 2)), *size)


def _inches_per_unit(ax: Axes, width: float, height: float) -> float:
    """How many inches one data unit takes in ``ax`` once the aspect is equal: the axes box
    shrinks to fit ``width`` × ``height`` data units."""
    box, (w_in, h_in) = ax.get_position(), ax.figure.get_size_inches()
    return min(box.width * w_in / width, box.height * h_in / height)


#: The most weights a figure draws: 500 arrows take a few seconds to lay out and already fill it.
MAX_WEIGHTS = 500


def draw_network(
    net: Network | None = None,
    params: Mapping[str, object] | WorkedExample | None = None,
    ax: Axes | None = None,
    *,
    weight_labels: bool | None = None,
    chain: ChainRule | None = None,
    marks: Mapping[str, str] | None = None,
    x: object = None,
    target: object = None,
) -> Axes:
    """Draw ``net`` (default: the article's 2-3-2 network) and return the Axes.

    ``params`` (the parameter mapping ``{"W1": …, "b1": …, …}``) adds every weight's and bias's
    value to its label. ``ax`` is drawn into, or a new figure is made (8.1 inches wide for the
    article's network). ``weight_labels`` chooses whether the weights are labelled; by default
    they are when there are at most 40 of them (beyond that the labels cannot be read anyway;
    the arrows are always drawn). ``chain`` (``net.gradient("w1")``) draws its paths, with
    ``marks`` (``{"o2": "missing"}``) a verdict on them, numbered for the sample of a worked
    example given as ``params`` or for ``x=`` and ``target=`` (:mod:`bpderive.display.paths`).
    """
    if net is None:
        net = params.net if isinstance(params, WorkedExample) else Network()
    if not isinstance(net, Network):
        raise TypeError(f"net: expected a bpderive.Network, got {type(net).__name__}")
    params, plan = paths.plan(net, params, chain, marks, x, target)
    checked = None if params is None else check_params(net.sizes, params)
    if weight_labels is not None and not isinstance(weight_labels, bool):
        raise TypeError(f"weight_labels: expected True, False or None, got {weight_labels!r}")
    if ax is not None and not hasattr(ax, "add_patch"):
        raise TypeError(f"ax: expected a matplotlib Axes or None, got {type(ax).__name__}")
    plt = _pyplot()
    from matplotlib.patches import Circle, FancyArrowPatch

    n_weights = sum(a * b for a, b in zip(net.sizes, net.sizes[1:], strict=False))
    if n_weights > MAX_WEIGHTS:
        raise ValueError(
            f"net: the figure draws at most {MAX_WEIGHTS} weights, one arrow each (more cannot "
            f"be told apart, and take minutes to lay out); the {net.sizes} network has "
            f"{n_weights:,}"
        )
    if weight_labels is None:
        weight_labels = n_weights <= _MAX_WEIGHT_LABELS
    font = 10 if max(net.sizes) <= 6 else 7
    alias_of = {v: k for k, v in net.aliases.items()}

    def label(p: Parameter) -> str:
        """A parameter's name, the article's flat name if it has one, and its value if given."""
        text = f"${sp.latex(p.symbol)}$"
        if p.name in alias_of:
            text += f" ({alias_of[p.name]})"
        return text if checked is None else f"{text} = {_value(checked[p.key][p.index])}"

    centres = _positions(net.sizes)
    centre = {n.name: centres[n.layer][n.index] for n in net.neurons.values()}
    xs, ys = [x for x, _ in centre.values()], [y for _, y in centre.values()]
    left, right = min(xs) - 0.8, max(xs) + 0.8
    inches = min(_INCHES, _WIDEST / (right - left + (0 if plan is None else paths.EXTRA)))
    font *= inches / _INCHES  # a wide drawing scaled down whole, its words with it
    # the height before labels are placed (biases, layer names) sizes a new figure; trimmed later
    rough = _size("$b_{1}$ = 0.0", font, inches)[1]
    bottom, top = min(ys) - _RADIUS - 2.5 * rough - 0.3, max(ys) + _RADIUS + rough + 0.2
    own = ax is None
    if own:  # whole hundredths of an inch: whole pixels at the usual dpi
        fig_width = round((right - left) * inches, 2)
        fig_height = round((top - bottom) * inches + _TITLE, 2)
        _, ax = plt.subplots(figsize=(fig_width, fig_height))
        ax.figure.subplots_adjust(left=0, right=1, bottom=0, top=1 - _TITLE / fig_height)
    elif get_language() == "zh":  # an Axes made before the Chinese font was registered
        write_chinese_in([ax.title])
    per_unit = _inches_per_unit(ax, right - left, top - bottom)

    # the arrows from circle to circle; the circles and arrowheads are obstacles to every label
    arrows, obstacles = [], [_obstacle([c], _RADIUS + 0.04) for c in centre.values()]
    for p in net.parameters.values():
        if p.is_bias:
            continue
        (x0, y0), (x1, y1) = centre[p.source], centre[p.target]
        angle = math.atan2(y1 - y0, x1 - x0)
        dx, dy = _RADIUS * math.cos(angle), _RADIUS * math.sin(angle)
        arrows.append((p, (x0 + dx, y0 + dy), (x1 - dx, y1 - dy)))
        obstacles.append(_obstacle([(x1 - dx, y1 - dy)], _HEAD))

    # each bias above its unit, or below where that is farther from the arrows
    biases = []
    for p in (p for p in net.parameters.values() if p.is_bias):
        text, unit = label(p), centre[p.target]
        size = _size(text, font, per_unit)

        def clear(side: int, unit: Point = unit, size: tuple = size) -> float:
            box = _bias_box(unit, size, side)
            arrows_gap = min(_gap(box, [a, b]) for _, a, b in arrows)
            return min(_clearance(box, obstacles), round(arrows_gap, 9))

        side = 1 if clear(1) >= min(clear(-1), _CLEAR) else -1
        obstacles.append(_obstacle(_bias_box(unit, size, side)))
        biases.append((p, unit, text, side))

    # the layer names, under everything
    names = [pick(texts.INPUT_LAYER)] + [
        pick(texts.OUTPUT_LAYER)
        if layer == net.n_layers
        else pick(texts.NTH_HIDDEN_LAYER).format(k=layer)
        for layer in range(1, net.n_layers + 1)
    ]
    if net.n_layers == 2:
        names[1] = pick(texts.HIDDEN_LAYER)
    boxes = [poly for poly, *_ in obstacles[len(centre) + len(arrows) :]]
    name_y = min([y - _RADIUS for y in ys] + [y for box in boxes for _, y in box]) - 0.15
    for layer, name in enumerate(names):
        width, name_height = _size(name, font + 1, per_unit)
        obstacles.append(
            _obstacle(_box((layer * _LAYER_GAP, name_y - name_height / 2), width, name_height))
        )

    # the weights' labels, each slid along its arrow to the clearest place
    if weight_labels:
        pad = 2 * _PAD * font / 72 / per_unit
        labels = [(p, label(p), *_size(label(p), font, per_unit)) for p, _, _ in arrows]
        fractions = _place_labels(
            [(centre[p.source], centre[p.target], w + pad, h + pad) for p, _, w, h in labels],
            obstacles,
        )
        for (p, text, _, _), t in zip(labels, fractions, strict=True):
            (x0, y0), (x1, y1) = centre[p.source], centre[p.target]
            ax.text(
                x0 + t * (x1 - x0),
                y0 + t * (y1 - y0),
                text,
                fontsize=font,
                ha="center",
                va="center",
                rotation=math.degrees(math.atan2(y1 - y0, x1 - x0)),
                rotation_mode="anchor",
                transform_rotates_text=True,
                bbox={"boxstyle": f"round,pad={_PAD}", "fc": "white", "ec": "none", "alpha": 0.9},
                zorder=3,
                gid=f"weight:{p.name}",
            )
    for p, start, end in arrows:
        style = {"arrowstyle": "-|>", "mutation_scale": 10, "color": "0.45", "linewidth": 0.9}
        ax.add_patch(
            FancyArrowPatch(
                start, end, shrinkA=0, shrinkB=0, zorder=1, gid=f"edge:{p.name}", **style
            )
        )
    for layer, units in enumerate(net.layers):
        colour = _COLOURS[0 if layer == 0 else 2 if layer == net.n_layers else 1]
        for unit in units:
            x, y = centre[unit.name]
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
    for p, (x, y), text, side in biases:
        ax.text(
            x,
            y + side * (_RADIUS + 0.06),
            text,
            fontsize=font,
            ha="center",
            va="bottom" if side > 0 else "top",
            color="#7f3f00",
            zorder=5,
            gid=f"bias:{p.name}",
        )
    for layer, name in enumerate(names):
        ax.text(
            layer * _LAYER_GAP,
            name_y,
            name,
            fontsize=font + 1,
            ha="center",
            va="top",
            color="0.3",
            gid=f"layer:{layer}",
        )

    top = max([y + _RADIUS for y in ys] + [y for box in boxes for _, y in box]) + 0.15
    bottom = name_y - name_height - 0.1
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    if own:  # the figure's height to the drawing's, so that no blank band is left
        fig_height = round((top - bottom) * inches + _TITLE, 2)
        ax.figure.set_size_inches(fig_width, fig_height)
        ax.figure.subplots_adjust(top=1 - _TITLE / fig_height)
    ax.set_aspect("equal")
    ax.set_axis_off()
    acts = pick(texts.LIST_SEPARATOR).join(a.name for a in net.activations)
    sizes = "-".join(map(str, net.sizes))
    ax.set_title(pick(texts.NETWORK).format(sizes=sizes, activations=acts), fontsize=font + 3)
    if plan is not None:
        paths.draw(ax, plan, centre, _RADIUS, font, own)
    return ax

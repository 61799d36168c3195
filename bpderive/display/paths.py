r"""The paths of a gradient drawn on the network's figure: where the chain rule's sums come from.

A hidden parameter reaches the error along several routes: ``w1`` moves ``out_h1``, which feeds
both ``o1`` and ``o2``, so ``∂E_total/∂w1`` holds a :class:`~bpderive.symbolic.chain.Sum` of two
paths, ``∂E_o1/∂out_h1 + ∂E_o2/∂out_h1``. Seeing the routes on the figure is what makes the sum
obvious, and what makes a forgotten path visible when a learner's answer leaves one out.

:func:`plan` reads the routes from the chain itself (a path of a sum goes through the unit
:func:`~bpderive.symbolic.chain.path_unit` names; a path whose chain holds a sum again
branches again, as in deeper networks) and checks every argument before anything is drawn;
:func:`draw` then lays each route over the grey arrows: the edges all routes share in dark grey,
every other edge in its top-level path's colour (Okabe and Ito's colour-blind-safe palette), a
short arrow from each output to its error ``E_o1``, and a key below the figure with each path's
term and, given a sample, its number (computed from the chain's own expressions,
:meth:`~bpderive.symbolic.chain.ChainRule.evaluate`).

``marks`` is a verdict on a learner's answer: ``{"o2": "missing"}`` draws that path dashed in
red and says so in the key; the others are then drawn as covered. A mark names a path by its
unit (``"o2"``; in a deeper network ``"h2_1"`` for a top-level path, ``"o2"`` for every nested
path through ``o2``) or by its route from the top (``"h2_1/o2"``); :func:`path_keys` lists them.

The key's words and its formulas are separate texts: matplotlib's mathtext has no Chinese
glyphs, so a Chinese word inside ``$…$`` text would be drawn as a box.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bpderive.display import figure_texts as texts
from bpderive.language import pick
from bpderive.network import Network
from bpderive.symbolic.chain import Chain, ChainRule, Evaluation, Sum, path_unit
from bpderive.symbolic.notation import Partial, latex, number_latex
from bpderive.worked_example import WorkedExample

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: What a mark may say about a path.
STATUSES = ("missing", "wrong")
#: Okabe and Ito's palette without its vermilion (marked paths are red) and yellow (unreadable
#: on white); beyond five top-level paths the colours repeat.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9")
SHARED = "0.15"
MARKED = "#d40000"
#: The arrow from an output to its error, and the room it and the error's name take right of
#: the drawing (the figure grows by it), in data units.
_ERROR_GAP = 0.75
EXTRA = 1.35

Point = tuple[float, float]


@dataclass(frozen=True)
class Path:
    """One path of a sum: its ``route`` of units from the top level down (``("o1",)``,
    ``("h2_1", "o1")``), its ``term`` (the chain the sum adds) and the paths it branches into."""

    route: tuple[str, ...]
    term: Chain
    paths: tuple[Path, ...]

    @property
    def key(self) -> str:
        return "/".join(self.route)

    def leaves(self) -> list[Path]:
        return [leaf for p in self.paths for leaf in p.leaves()] or [self]

    def walk(self) -> list[Path]:
        return [self] + [q for p in self.paths for q in p.walk()]


@dataclass(frozen=True)
class Plan:
    """Everything :func:`draw` needs, checked: the chain, its paths, the marks by path key, and
    the number of every term (``None`` without a sample)."""

    net: Network
    chain: ChainRule
    paths: tuple[Path, ...]
    marks: dict[str, str]
    marked: bool
    values: Evaluation | None


def _paths(chain: Chain, route: tuple[str, ...] = ()) -> tuple[Path, ...]:
    total = next((i for i in chain.items if isinstance(i, Sum)), None)
    if total is None:
        return ()
    return tuple(
        Path(route + (path_unit(t),), t, _paths(t, route + (path_unit(t),))) for t in total.terms
    )


def top_paths(chain: Chain) -> tuple[Path, ...]:
    """The top-level paths of ``chain``; a chain without a sum (an output-layer parameter's) is
    one path, the chain itself, through the unit the parameter feeds."""
    return _paths(chain) or (Path((path_unit(chain),), chain, ()),)


def path_keys(chain: Chain) -> tuple[str, ...]:
    """Every key ``marks`` accepts for ``chain``: each path's route (``"o1"``, ``"h2_1/o1"``),
    then each nested path's unit alone (``"o1"``: every path at that level through it)."""
    every = [p for top in top_paths(chain) for p in top.walk()]
    keys = [p.key for p in every]
    return tuple(dict.fromkeys(keys + [p.route[-1] for p in every]))


def plan(
    net: Network,
    params: Mapping[str, object] | WorkedExample | None,
    chain: object,
    marks: object,
    x: object,
    target: object,
) -> tuple[Mapping[str, object] | None, Plan | None]:
    """The parameter mapping (a worked example's own, given one) and, for a ``chain``, its
    paths with their numbers: every argument checked against ``net`` before anything is drawn.

    A worked example carries its sample; a mapping needs ``x`` and ``target`` for numbers, and
    without them the terms are drawn without numbers. Half a sample, two samples, or a sample
    or marks without a chain are refused by name rather than guessed or ignored."""
    if chain is None and (marks is not None or x is not None or target is not None):
        given = "marks" if marks is not None else "x" if x is not None else "target"
        raise ValueError(f"{given}: only used with chain=, got {given} without a chain")
    if isinstance(params, WorkedExample):
        if x is not None or target is not None:
            raise ValueError(
                f"{'x' if x is not None else 'target'}: the worked example given as params "
                f"carries its own sample; pass either the example alone or a parameter mapping "
                f"with x= and target=, got both"
            )
        params, x, target = params.params, params.x, params.target
    elif (x is None) != (target is None):
        missing, given = ("target", "x") if target is None else ("x", "target")
        raise ValueError(f"{missing}: expected a sample's {missing} with {given}=, got none")
    elif x is not None and params is None:
        raise ValueError("params: x and target give numbers only with the parameters, got none")
    if chain is None:
        return params, None
    if not isinstance(chain, ChainRule):
        raise TypeError(
            f"chain: expected a parameter's chain, net.gradient(name), got {type(chain).__name__}"
        )
    name, sizes = chain.parameter.name, "-".join(map(str, net.sizes))
    if name not in net.parameters or chain != net.gradient(name):
        raise ValueError(
            f"chain: expected a chain of this {sizes} network, net.gradient(name); the chain "
            f"of {name} given was derived for another network"
        )
    values = None if x is None else chain.evaluate(params, x, target)
    return params, Plan(
        net, chain, top_paths(chain), _marks(marks, chain), marks is not None, values
    )


def _marks(marks: object, chain: ChainRule) -> dict[str, str]:
    if marks is None:
        return {}
    if not isinstance(marks, Mapping):
        raise TypeError(
            f"marks: expected a mapping from path units to 'missing' or 'wrong', got "
            f"{type(marks).__name__}"
        )
    keys = path_keys(chain)
    for key, status in marks.items():
        if key not in keys:
            raise ValueError(
                f"marks: expected a path unit of {chain.parameter.name}'s chain "
                f"({', '.join(map(repr, keys))}), got {key!r}"
            )
        if status not in STATUSES:
            raise ValueError(f"marks[{key!r}]: expected 'missing' or 'wrong', got {status!r}")
    return dict(marks)


# ------------------------------------------------------------------------------ drawing


def _status(plan: Plan, path: Path) -> str | None:
    """The mark on ``path`` itself: by its route, or by its unit alone."""
    return plan.marks.get(path.key) or plan.marks.get(path.route[-1])


def _marked(plan: Plan, top: Path, leaf: Path) -> bool:
    """Whether a route is marked anywhere along it (a marked path marks every route below it)."""
    return any(_status(plan, p) for p in top.walk() if leaf.route[: len(p.route)] == p.route)


def _routes(plan: Plan) -> dict[tuple[str, str], list[tuple[int, Path, bool]]]:
    """Every edge a route takes, from the parameter's edge (or, for a bias, the unit it feeds:
    the edge ``(unit, unit)``) to an output's error ``E_o``, with the routes along it: the
    top-level path's index, the route and whether it is marked."""
    p = plan.net.parameters[plan.chain.parameter.name]
    edges: dict[tuple[str, str], list[tuple[int, Path, bool]]] = {}
    for k, top in enumerate(plan.paths):
        for leaf in top.leaves():
            nodes = [p.target, p.target] if p.is_bias else [p.source, p.target]
            nodes += [u for u in leaf.route if u != p.target] + [f"E_{leaf.route[-1]}"]
            for edge in zip(nodes, nodes[1:], strict=False):
                edges.setdefault(edge, []).append((k, leaf, _marked(plan, top, leaf)))
    return edges


def _style(along: list[tuple[int, Path, bool]]) -> tuple[str, str, bool]:
    """An edge's owner (the longest route all its routes share, or ``"shared"``), its colour
    and whether it is dashed: red and dashed where every route along it is marked, the top-level
    path's colour where it is the only one, else the dark grey of what all paths share."""
    routes = [leaf.route for _, leaf, _ in along]
    common = next(
        (n for n in range(min(map(len, routes))) if len({r[n] for r in routes}) > 1), None
    )
    owner = "/".join(routes[0][: min(map(len, routes)) if common is None else common])
    if all(marked for *_, marked in along):
        return owner or "shared", MARKED, True
    tops = {k for k, _, _ in along}
    colour = PALETTE[tops.pop() % len(PALETTE)] if len(tops) == 1 else SHARED
    return owner or "shared", colour, False


def _arrow(ends: tuple[Point, Point], colour: str, width: float, gid: str, dashed: bool = False):
    """An arrow from circle to circle (or to an error) as the diagram draws them."""
    from matplotlib.patches import FancyArrowPatch

    style = {"arrowstyle": "-|>", "shrinkA": 0, "shrinkB": 0, "ls": "--" if dashed else "-"}
    scale, zorder = (14, 2) if width > 1 else (10, 1)
    return FancyArrowPatch(
        *ends, color=colour, lw=width, mutation_scale=scale, zorder=zorder, gid=gid, **style
    )


def draw(
    ax: Axes, plan: Plan, centre: Mapping[str, Point], radius: float, font: float, own: bool
) -> None:
    """Draw ``plan``'s routes over the network already drawn in ``ax`` (``centre``: each unit's
    centre), each output's error to its right, and the key below; a figure ``draw_network``
    made itself grows to hold them, the drawing keeping its scale."""
    from matplotlib.patches import Circle

    figure, ax_box = ax.figure, ax.get_position(original=True)
    left, right = ax.get_xlim()
    per_unit = figure.get_size_inches()[0] * ax_box.width / (right - left)
    ax.set_xlim(left, right + EXTRA)

    def ends(a: str, b: str) -> tuple[Point, Point]:
        (x0, y0) = centre[a]
        if b.startswith("E_"):
            return (x0 + radius, y0), (x0 + radius + _ERROR_GAP, y0)
        (x1, y1) = centre[b]
        angle = math.atan2(y1 - y0, x1 - x0)
        dx, dy = radius * math.cos(angle), radius * math.sin(angle)
        return (x0 + dx, y0 + dy), (x1 - dx, y1 - dy)

    for unit in (n.name for n in plan.net.layers[-1]):  # every output's error, as in the article
        (_, _), (x, y) = ends(unit, f"E_{unit}")
        ax.add_patch(_arrow(ends(unit, f"E_{unit}"), "0.45", 0.9, f"edge:E_{unit}"))
        ax.text(
            x + 0.06, y, f"$E_{{{unit}}}$", fontsize=font + 1, va="center", gid=f"error:E_{unit}"
        )
    names = {(q.source, q.target): q.name for q in plan.net.parameters.values() if not q.is_bias}
    routes = _routes(plan)
    for (a, b), along in routes.items():
        owner, colour, dashed = _style(along)
        if a == b:  # a bias: its paths start at the unit it feeds, outlined
            ring = {"fill": False, "ec": colour, "lw": 2.6, "ls": "--" if dashed else "-"}
            ax.add_patch(
                Circle(centre[a], radius, zorder=4.5, gid=f"path:{owner}:unit:{a}", **ring)
            )
        else:
            gid = f"path:{owner}:edge:{b if b.startswith('E_') else names[a, b]}"
            ax.add_patch(_arrow(ends(a, b), colour, 2.6, gid, dashed))
    key = _key(ax, plan, routes, font)
    ax.add_artist(key)
    if own:  # the figure grows right by the errors and down by the key, the axes' inches kept
        from matplotlib.backends.backend_agg import RendererAgg

        width, height = figure.get_size_inches()
        below = key.get_window_extent(RendererAgg(1, 1, figure.dpi)).height / figure.dpi + 0.1
        above, total = height * (1 - ax_box.y1), round(height + below, 2)
        figure.set_size_inches(round(width + EXTRA * per_unit, 2), total)
        figure.subplots_adjust(bottom=(total - height) / total, top=1 - above / total)


def _plain(label: object) -> object:
    """A path's label without its "via" unit: the key names the path's units in words."""
    return Partial(label.top, label.bottom) if isinstance(label, Partial) and label.via else label


def _term(labels: list, value: float | None) -> str:
    """Labels multiplied, as mathtext (fractions at full size), with their number given one."""
    math = r" \cdot ".join(latex(_plain(label)).replace(r"\frac", r"\dfrac") for label in labels)
    return f"${math}$" if value is None else f"${math} = {number_latex(value, 4)}$"


def _line(
    words: list[str],
    font: float,
    colour: str | None = None,
    dashed: bool = False,
    indent: float = 0,
):
    """One line of the key: a sample of the line drawn (none for the heading), then its words
    and formulas, each its own text: mathtext has no Chinese glyphs, a word in it is a box."""
    from matplotlib.lines import Line2D
    from matplotlib.offsetbox import DrawingArea, HPacker, TextArea

    sample = DrawingArea(indent + 34, font)
    if colour is not None:
        line = {"color": colour, "lw": 2.6, "ls": "--" if dashed else "-"}
        sample.add_artist(Line2D([indent, indent + 28], [font / 2] * 2, **line))
    parts = [TextArea(w, textprops={"fontsize": font}) for w in words if w]
    return HPacker(children=[sample, *parts] if colour else parts, align="center", pad=0, sep=0)


def _key(ax: Axes, plan: Plan, routes: dict, font: float):
    """The key below the figure: the gradient, what every path shares, then each path's term,
    with its mark (and the marked paths nested in it) when there is a verdict."""
    from matplotlib.offsetbox import AnchoredOffsetbox, VPacker

    values, chain = plan.values, plan.chain

    def term(labels: list) -> str:
        return _term(labels, None if values is None else math.prod(values[x] for x in labels))

    heading = pick(texts.PATHS).partition("{term}")
    lines = [_line([heading[0], term([chain.label]), heading[2]], font)]
    shared = [i.label for i in chain.items if not isinstance(i, Sum)]
    if len(shared) < len(chain.items):  # the factors outside the sum, on the routes' first edge
        _, colour, dashed = _style(next(iter(routes.values())))
        before, _, after = pick(texts.PATHS_SHARED).partition("{term}")
        lines.append(_line([before, term(shared), after], font, colour, dashed))
    for k, top in enumerate(plan.paths):
        for path in top.walk():
            status = _status(plan, path)
            if path is not top and status is None:
                continue  # a nested path is listed when it is marked
            below = any(_status(plan, p) for p in path.walk())
            word = status or ("covered" if plan.marked and not below else None)
            words = [pick(texts.PATH_STATUS[word]) if word else "", term([path.term.label])]
            words.append(pick(texts.THROUGH).format(route=" → ".join(path.route)))
            colour = MARKED if status else PALETTE[k % len(PALETTE)]
            lines.append(_line(words, font, colour, bool(status), 16 * (len(path.route) - 1)))
    box = VPacker(children=lines, align="left", pad=0, sep=6)
    key = AnchoredOffsetbox(
        "upper center",
        child=box,
        pad=0.2,
        borderpad=0,
        frameon=False,
        bbox_to_anchor=(0.5, 0),
        bbox_transform=ax.transAxes,
    )
    key.set_gid("paths:key")
    return key

"""The network diagram: every neuron, weight and bias labelled, legibly, in the article's names."""

from __future__ import annotations

import math
import sys

import matplotlib
import numpy as np
import pytest

from bpderive import Network, example
from bpderive.display.diagram import _RADIUS, draw_network

matplotlib.use("Agg")  # a test dependency; the Agg backend needs no screen

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch  # noqa: E402


def _axes():
    figure = Figure(figsize=(9, 5))
    FigureCanvasAgg(figure)
    return figure.subplots()


def _texts(ax, kind: str) -> dict[str, object]:
    """The Text artists of one kind (``neuron``, ``weight``, ``bias``, ``layer``) by name."""
    found = {}
    for t in ax.texts:
        gid = t.get_gid() or ""
        if gid.startswith(f"{kind}:"):
            found[gid.split(":", 1)[1]] = t
    return found


def test_the_article_network_has_every_neuron_weight_and_bias_labelled() -> None:
    ax = draw_network(ax=_axes())
    assert list(_texts(ax, "neuron")) == ["x1", "x2", "h1", "h2", "h3", "o1", "o2"]
    assert [t.get_text() for t in _texts(ax, "neuron").values()] == list(_texts(ax, "neuron"))
    weights = _texts(ax, "weight")
    net = Network()
    assert sorted(weights) == sorted(p.name for p in net.parameters.values() if not p.is_bias)
    assert weights["w_(x1,1)"].get_text() == "$w_{(x1,1)}$ (w1)"
    assert weights["w_(1,1)"].get_text() == "$w_{(1,1)}$ (w5)"
    assert weights["w_(2,1)"].get_text() == "$w_{(2,1)}$ (w6)"
    assert weights["w_(3,1)"].get_text() == "$w_{(3,1)}$ (w7)"
    assert weights["w_(x2,3)"].get_text() == "$w_{(x2,3)}$"
    biases = _texts(ax, "bias")
    assert {k: t.get_text() for k, t in biases.items()} == {
        f"b{k}": f"$b_{{{k}}}$" for k in range(1, 6)
    }
    assert [t.get_text() for t in _texts(ax, "layer").values()] == [
        "input layer",
        "hidden layer",
        "output layer",
    ]
    assert len(ax.texts) == 7 + 12 + 5 + 3
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(circles) == 7 and len(arrows) == 12
    ax.figure.canvas.draw()  # every mathtext label parses


def test_params_put_every_value_beside_its_name() -> None:
    ex = example()
    ax = draw_network(ex.net, ex.params, ax=_axes())
    weights = _texts(ax, "weight")
    assert weights["w_(1,1)"].get_text() == "$w_{(1,1)}$ (w5) = 0.4"
    assert weights["w_(x2,1)"].get_text() == "$w_{(x2,1)}$ = 0.2"
    assert weights["w_(3,2)"].get_text() == "$w_{(3,2)}$ = 0.65"
    for p in ex.net.parameters.values():
        kind = "bias" if p.is_bias else "weight"
        text = _texts(ax, kind)[p.name].get_text()
        assert text.endswith(f" = {ex.params[p.key][p.index]:.4g}"), (p.name, text)
    ax.figure.canvas.draw()


def test_weight_labels_sit_on_their_edge_clear_of_the_circles() -> None:
    net = Network()
    ax = draw_network(net, example().params, ax=_axes())
    ax.figure.canvas.draw()  # applies the equal aspect, which the screen rotation depends on
    centres = {t.get_text(): t.get_position() for t in _texts(ax, "neuron").values()}
    for name, label in _texts(ax, "weight").items():
        p = net.parameters[name]
        (x0, y0), (x1, y1) = centres[p.source], centres[p.target]
        x, y = label.get_position()
        cross = (x1 - x0) * (y - y0) - (y1 - y0) * (x - x0)
        assert abs(cross) < 1e-9, name  # on the line through both units
        t = (x - x0) / (x1 - x0)
        length = math.hypot(x1 - x0, y1 - y0)
        assert _RADIUS / length < t < 1 - _RADIUS / length, name
        assert label.get_rotation() == pytest.approx(
            math.degrees(math.atan2(y1 - y0, x1 - x0)) % 360
        )
    # labels of one weight layer never share a position
    spots = [t.get_position() for t in _texts(ax, "weight").values()]
    assert len({(round(x, 6), round(y, 6)) for x, y in spots}) == len(spots)


def test_the_drawing_is_the_same_every_time() -> None:
    first = draw_network(ax=_axes())
    second = draw_network(ax=_axes())
    assert [(t.get_gid(), t.get_position(), t.get_text()) for t in first.texts] == [
        (t.get_gid(), t.get_position(), t.get_text()) for t in second.texts
    ]


def test_any_sizes_with_layer_numbers_in_deep_names() -> None:
    net = Network((3, 4, 3, 2))
    ax = draw_network(net, ax=_axes())
    assert len(_texts(ax, "neuron")) == 12
    weights = _texts(ax, "weight")
    assert len(weights) == 12 + 12 + 6
    assert weights["w(2)_(1,1)"].get_text() == "$w^{(2)}_{(1,1)}$"
    assert sorted(_texts(ax, "bias"), key=lambda b: int(b[1:])) == [f"b{k}" for k in range(1, 10)]
    assert [t.get_text() for t in _texts(ax, "layer").values()] == [
        "input layer",
        "hidden layer 1",
        "hidden layer 2",
        "output layer",
    ]
    ax.figure.canvas.draw()


def test_many_weights_are_drawn_but_labelled_only_on_request() -> None:
    net = Network((6, 8, 3))
    ax = draw_network(net, ax=_axes())
    assert _texts(ax, "weight") == {}
    assert sum(isinstance(p, FancyArrowPatch) for p in ax.patches) == 6 * 8 + 8 * 3
    assert len(_texts(ax, "bias")) == 11
    labelled = draw_network(net, ax=_axes(), weight_labels=True)
    assert len(_texts(labelled, "weight")) == 72
    small = draw_network(ax=_axes(), weight_labels=False)
    assert _texts(small, "weight") == {}


def test_without_an_axes_a_figure_is_made() -> None:
    import matplotlib.pyplot as plt

    ax = draw_network()
    try:
        assert ax.figure is not None
        assert ax.get_title() == "2-3-2 network (logistic, logistic)"
        assert not ax.axison
    finally:
        plt.close(ax.figure)


def test_bad_arguments_are_reported() -> None:
    with pytest.raises(TypeError, match=r"^net: expected a bpderive.Network, got tuple"):
        draw_network((2, 3, 2))
    with pytest.raises(ValueError, match=r"params\['W2'\]: expected shape \(2, 3\)"):
        params = dict(example().params, W2=np.zeros((3, 2)))
        draw_network(params=params, ax=_axes())
    with pytest.raises(ValueError, match=r"params: missing key 'b2'"):
        draw_network(params={k: v for k, v in example().params.items() if k != "b2"})
    with pytest.raises(TypeError, match=r"^ax: expected a matplotlib Axes or None, got str"):
        draw_network(ax="left")
    with pytest.raises(TypeError, match=r"^weight_labels: expected True, False or None"):
        draw_network(ax=_axes(), weight_labels="yes")


def test_without_matplotlib_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install bpderive\[plot\]"):
        draw_network()


def test_the_diagram_shares_the_plots_matplotlib_import() -> None:
    """One ``_pyplot`` (in plotting) for every drawing, so the install hint cannot drift."""
    from bpderive.display import diagram, plotting

    assert diagram._pyplot is plotting._pyplot


def _ink(ax, artist) -> np.ndarray:
    """The pixels ``artist`` alone paints (its text and its background box), as a mask: every
    other text hidden, the figure rendered by Agg, compared with the render of none."""
    ax.figure.set_facecolor("0.5")  # grey, so that a label's white box paints too
    ax.set_facecolor("0.5")
    texts = [t for t in ax.texts if t.get_gid()]
    others = [t for t in ax.texts if t.get_gid() is None] + list(ax.patches) + list(ax.lines)
    for a in texts + others:
        a.set_visible(False)
    canvas = ax.figure.canvas
    canvas.draw()
    blank = np.asarray(canvas.buffer_rgba()).copy()
    artist.set_visible(True)
    canvas.draw()
    painted = np.any(np.asarray(canvas.buffer_rgba()) != blank, axis=2)
    for a in texts + others:
        a.set_visible(True)
    return painted


@pytest.mark.parametrize("name", ["article", "mazur"])
def test_no_two_labels_overlap_on_the_rendered_figure(name: str) -> None:
    """Rendered, not computed: each weight, bias, neuron and layer label is drawn alone and the
    painted pixels of every pair must be disjoint (the layout's own geometry is not used)."""
    ex = example(name if name == "mazur" else None)
    ax = draw_network(ex.net, ex.params)
    labels = [t for t in ax.texts if t.get_gid()]
    masks = {t.get_gid(): _ink(ax, t) for t in labels}
    clashes = [
        (a, b)
        for i, a in enumerate(masks)
        for b in list(masks)[i + 1 :]
        if np.any(masks[a] & masks[b])
    ]
    assert len(labels) >= 20 and not clashes, clashes

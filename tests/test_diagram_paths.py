"""A gradient's paths on the network's figure: the edges each route takes, each path's term and
number in the key, a verdict's marks, Chinese, and the arguments refused.

Every number a key shows is checked against a plain NumPy forward pass of the worked example,
differentiated by central differences, never against the package's own chain."""

from __future__ import annotations

import logging
import re
import warnings

import matplotlib
import numpy as np
import pytest

import bpderive
from bpderive import Network, example
from bpderive.display.diagram import draw_network
from bpderive.display.paths import MARKED, PALETTE, SHARED, path_keys

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _axes():
    figure = Figure(figsize=(9, 5))
    FigureCanvasAgg(figure)
    return figure.subplots()


def _highlights(ax) -> dict[str, object]:
    """The patches drawn for the paths, by gid (``path:<owner>:edge:<name>``)."""
    return {p.get_gid(): p for p in ax.patches if (p.get_gid() or "").startswith("path:")}


def _edges(ax) -> set[str]:
    """The network's edges a path takes (not the arrows to the errors)."""
    return {gid for gid in _highlights(ax) if ":edge:w" in gid}


def _key(ax) -> list[str]:
    """The key's lines, each the words and formulas it is made of, joined."""
    key = next(a for a in ax.artists if a.get_gid() == "paths:key")
    lines = key.get_child().get_children()
    return ["".join(t.get_text() for t in line.findobj(Text)) for line in lines]


def _number(line: str) -> float:
    """The number after the last ``=`` of a key's formula (``0.01207``, ``1.2 \\times 10^{-5}``)."""
    m = re.search(r"= (-?[\d.]+)(?: \\times 10\^\{(-?\d+)\})?\$", line)
    assert m, line
    return float(m[1]) * 10 ** int(m[2] or 0)


# ------------------------------------------------------------------ the example, by hand


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _forward(ex, W1=None):
    """out_h and out_o of the 2-3-2 logistic network for the example's sample."""
    W1 = ex.params["W1"] if W1 is None else W1
    out_h = _sigmoid(W1 @ ex.x + ex.params["b1"])
    return out_h, _sigmoid(ex.params["W2"] @ out_h + ex.params["b2"])


def _error(ex, out_h, o: int) -> float:
    """E_o = ½(target_o − out_o)² as a function of the hidden outputs."""
    out = _sigmoid(ex.params["W2"][o] @ out_h + ex.params["b2"][o])
    return 0.5 * (ex.target[o] - out) ** 2


def _central(f, h: float = 1e-6) -> float:
    return (f(h) - f(-h)) / (2 * h)


def test_w1_takes_x1_h1_then_h1_o1_and_h1_o2() -> None:
    ex = example()
    ax = draw_network(ex.net, ex, ax=_axes(), chain=ex.net.gradient("w1"))
    assert _edges(ax) == {
        "path:shared:edge:w_(x1,1)",
        "path:o1:edge:w_(1,1)",
        "path:o2:edge:w_(1,2)",
    }
    assert {gid for gid in _highlights(ax) if ":edge:E_" in gid} == {
        "path:o1:edge:E_o1",
        "path:o2:edge:E_o2",
    }
    colours = {gid: to_hex(p.get_edgecolor()) for gid, p in _highlights(ax).items()}
    assert colours["path:shared:edge:w_(x1,1)"] == to_hex(SHARED)
    assert colours["path:o1:edge:w_(1,1)"] == colours["path:o1:edge:E_o1"] == PALETTE[0]
    assert colours["path:o2:edge:w_(1,2)"] == colours["path:o2:edge:E_o2"] == PALETTE[1]
    grey = next(p for p in ax.patches if p.get_gid() == "edge:w_(1,1)")
    for patch in _highlights(ax).values():  # thicker, over the grey arrows, solid
        assert patch.get_linewidth() > 2 * grey.get_linewidth()
        assert patch.get_zorder() > grey.get_zorder()
        assert patch.get_linestyle() == "-"
    key = _key(ax)
    assert len(key) == 4  # the gradient, what the paths share, one line per path
    assert "(through o1)" in key[2] and "(through o2)" in key[3]
    assert r"\dfrac{\partial E_{o1}}{\partial out_{h1}}" in key[2]
    ax.figure.canvas.draw()  # every formula parses


def test_the_key_gives_each_term_its_number() -> None:
    """w1's gradient = (∂E_o1/∂out_h1 + ∂E_o2/∂out_h1) · ∂out_h1/∂w1, each by hand."""
    ex = example()
    ax = draw_network(ex.net, ex, ax=_axes(), chain=ex.net.gradient("w1"))
    heading, shared, via_o1, via_o2 = map(_number, _key(ax))
    out_h, _ = _forward(ex)
    step = np.array([1.0, 0.0, 0.0])
    expected_o1 = _central(lambda h: _error(ex, out_h + h * step, 0))
    expected_o2 = _central(lambda h: _error(ex, out_h + h * step, 1))

    def nudged(h: float) -> np.ndarray:
        W1 = ex.params["W1"].copy()
        W1[0, 0] += h
        return W1

    expected_shared = _central(lambda h: _forward(ex, nudged(h))[0][0])
    expected_total = _central(
        lambda h: sum(_error(ex, _forward(ex, nudged(h))[0], o) for o in (0, 1))
    )
    assert via_o1 == pytest.approx(expected_o1, rel=5e-4)
    assert via_o2 == pytest.approx(expected_o2, rel=5e-4)
    assert shared == pytest.approx(expected_shared, rel=5e-4)
    assert heading == pytest.approx(expected_total, rel=5e-4)
    assert via_o1 == pytest.approx(0.0498, abs=5e-5) and via_o2 < 0


def test_an_output_weight_has_one_path() -> None:
    ex = example()
    ax = draw_network(ex.net, ex, ax=_axes(), chain=ex.net.gradient("w5"))
    assert set(_highlights(ax)) == {"path:o1:edge:w_(1,1)", "path:o1:edge:E_o1"}
    heading, only = _key(ax)
    assert "(through o1)" in only
    out_h, _ = _forward(ex)
    W2 = ex.params["W2"]

    def cost(h: float) -> float:
        ex.params["W2"] = W2 + h * np.array([[1.0, 0, 0], [0, 0, 0]])
        try:
            return _error(ex, out_h, 0) + _error(ex, out_h, 1)
        finally:
            ex.params["W2"] = W2

    assert _number(only) == _number(heading) == pytest.approx(_central(cost), rel=5e-4)


def test_a_bias_path_starts_at_the_unit_it_feeds() -> None:
    ex = example()
    ax = draw_network(ex.net, ex, ax=_axes(), chain=ex.net.gradient("b1"))
    assert set(_highlights(ax)) == {
        "path:shared:unit:h1",
        "path:o1:edge:w_(1,1)",
        "path:o2:edge:w_(1,2)",
        "path:o1:edge:E_o1",
        "path:o2:edge:E_o2",
    }


def test_marks_draw_a_path_dashed_red_and_say_so() -> None:
    ex = example()
    chain = ex.net.gradient("w1")
    ax = draw_network(ex.net, ex, ax=_axes(), chain=chain, marks={"o2": "missing"})
    drawn = _highlights(ax)
    for gid in ("path:o2:edge:w_(1,2)", "path:o2:edge:E_o2"):
        assert drawn[gid].get_linestyle() == "--"
        assert to_hex(drawn[gid].get_edgecolor()) == MARKED
    for gid in ("path:o1:edge:w_(1,1)", "path:shared:edge:w_(x1,1)"):
        assert drawn[gid].get_linestyle() == "-"
        assert to_hex(drawn[gid].get_edgecolor()) != MARKED
    key = _key(ax)
    assert key[2].startswith("covered: ") and "(through o1)" in key[2]
    assert key[3].startswith("missing: ") and "(through o2)" in key[3]
    ax = draw_network(ex.net, ex, ax=_axes(), chain=chain, marks={"o1": "wrong"})
    assert _key(ax)[2].startswith("wrong: ") and _key(ax)[3].startswith("covered: ")
    assert _highlights(ax)["path:o1:edge:w_(1,1)"].get_linestyle() == "--"
    ax = draw_network(ex.net, ex, ax=_axes(), chain=chain)  # no verdict: no word
    assert not any(line.startswith(("covered", "missing")) for line in _key(ax))


def test_a_deeper_network_draws_every_route() -> None:
    net = Network((2, 3, 3, 2))
    chain = net.gradient("w(1)_(x1,1)")
    ax = draw_network(net, ax=_axes(), chain=chain)
    assert "path:shared:edge:w(1)_(x1,1)" in _edges(ax)
    into = {gid.split(":")[1] for gid in _edges(ax) if "w(2)_" in gid}
    assert into == {"h2_1", "h2_2", "h2_3"}
    routes = {gid.split(":")[1] for gid in _edges(ax) if "w(3)_" in gid}
    assert routes == {f"h2_{k}/o{j}" for k in (1, 2, 3) for j in (1, 2)}
    assert len(_edges(ax)) == 1 + 3 + 6
    key = _key(ax)
    assert [line.rpartition("(through ")[2] for line in key[2:]] == ["h2_1)", "h2_2)", "h2_3)"]
    assert not any("=" in line for line in key)  # no sample, no numbers
    ax = draw_network(net, ax=_axes(), chain=chain, marks={"h2_2/o1": "wrong"})
    drawn = _highlights(ax)
    assert drawn["path:h2_2/o1:edge:w(3)_(2,1)"].get_linestyle() == "--"
    assert drawn["path:h2_2:edge:w(2)_(1,2)"].get_linestyle() == "-"
    assert any(line.startswith("wrong: ") and "h2_2 → o1" in line for line in _key(ax))
    ax = draw_network(net, ax=_axes(), chain=chain, marks={"o1": "missing"})
    dashed = {g for g, p in _highlights(ax).items() if p.get_linestyle() == "--"}
    assert dashed == {f"path:h2_{k}/o1:edge:w(3)_({k},1)" for k in (1, 2, 3)} | {
        "path:shared:edge:E_o1"
    }
    assert "h2_1/o2" in path_keys(chain) and "o2" in path_keys(chain)
    ax.figure.canvas.draw()  # \left. … \right| parses


def test_a_mapping_with_x_and_target_gives_the_same_numbers_and_without_none() -> None:
    ex = example()
    chain = ex.net.gradient("w1")
    by_example = _key(draw_network(ex.net, ex, ax=_axes(), chain=chain))
    given = draw_network(ex.net, ex.params, ax=_axes(), chain=chain, x=ex.x, target=ex.target)
    assert _key(given) == by_example
    without = _key(draw_network(ex.net, ex.params, ax=_axes(), chain=chain))
    assert len(without) == 4 and not any("=" in line for line in without)


def test_without_a_chain_nothing_is_added() -> None:
    ex = example()
    plain, chained = draw_network(ex.net, ex.params), draw_network(ex.net, ex.params)
    assert not _highlights(plain) and not plain.artists
    assert draw_network(ex.net, ex).get_xlim() == plain.get_xlim()
    drawn = draw_network(ex.net, ex, chain=ex.net.gradient("w1"))
    scale = [
        ax.figure.get_size_inches()[0] * ax.get_position().width / np.ptp(ax.get_xlim())
        for ax in (chained, drawn)
    ]
    assert scale[0] == pytest.approx(scale[1], rel=1e-3)  # the drawing keeps its size
    import matplotlib.pyplot as plt

    plt.close("all")


def test_the_key_sits_below_the_drawing_inside_the_figure() -> None:
    import matplotlib.pyplot as plt

    ex = example()
    try:
        for name in ("w1", "w5", "b4"):
            ax = draw_network(chain=ex.net.gradient(name), params=ex, marks={})
            figure = ax.figure
            figure.canvas.draw()
            renderer = figure.canvas.get_renderer()
            key = next(a for a in ax.artists if a.get_gid() == "paths:key")
            box = key.get_window_extent(renderer)
            assert box.y0 >= 0 and box.x0 >= 0 and box.x1 <= figure.bbox.width
            for text in ax.texts:
                assert not box.overlaps(text.get_window_extent(renderer)), text.get_text()
    finally:
        plt.close("all")


def test_chinese_keys_are_chinese_with_every_glyph(caplog) -> None:
    bpderive.set_language("zh")
    ex = example()
    ax = draw_network(ex.net, ex, ax=_axes(), chain=ex.net.gradient("w1"), marks={"o2": "wrong"})
    key = _key(ax)
    assert key[0].endswith("的各条路径：") and key[1].startswith("各条路径共有：")
    assert key[2].startswith("已包含：") and key[2].endswith("（经过 o1）")
    assert key[3].startswith("有错：") and key[3].endswith("（经过 o2）")
    ax = draw_network(ex.net, ex, ax=_axes(), chain=ex.net.gradient("w1"), marks={"o1": "missing"})
    assert _key(ax)[2].startswith("缺少：")
    for text in ax.figure.findobj(Text):  # mathtext has no Chinese glyphs: never mixed
        assert not (CHINESE.search(text.get_text()) and "$" in text.get_text())
    with caplog.at_level(logging.WARNING), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax.figure.canvas.draw()
    said = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    assert [m for m in said if "missing from font" in m or "does not have a glyph" in m] == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"chain": "w1"}, "chain: expected a parameter's chain, net.gradient(name), got str"),
        (
            {"chain": Network((2, 3, 3, 2)).gradient("w(1)_(x1,1)")},
            "chain: expected a chain of this 2-3-2 network",
        ),
        (
            {"chain": Network(activations="tanh").gradient("w1")},
            "the chain of w_(x1,1) given was derived for another network",
        ),
        (
            {"marks": {"o3": "missing"}},
            "marks: expected a path unit of w_(x1,1)'s chain ('o1', 'o2'), got 'o3'",
        ),
        ({"marks": {"h1": "missing"}}, "got 'h1'"),
        ({"marks": {"o1": "absent"}}, "marks['o1']: expected 'missing' or 'wrong', got 'absent'"),
        (
            {"marks": ["o1"]},
            "marks: expected a mapping from path units to 'missing' or 'wrong', got list",
        ),
        ({"chain": None, "marks": {"o1": "missing"}}, "marks: only used with chain="),
        ({"chain": None, "x": [0.05, 0.1]}, "x: only used with chain=, got x without a chain"),
        ({"x": [0.05, 0.1]}, "x: the worked example given as params carries its own sample"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict, message: str) -> None:
    ex = example()
    arguments = {"chain": ex.net.gradient("w1"), **kwargs}
    with pytest.raises((TypeError, ValueError)) as raised:
        draw_network(ex.net, ex, ax=_axes(), **arguments)
    assert message in str(raised.value)


def test_half_a_sample_is_refused_not_guessed() -> None:
    ex = example()
    chain = ex.net.gradient("w1")
    with pytest.raises(ValueError, match=r"target: expected a sample's target with x=, got none"):
        draw_network(ex.net, ex.params, ax=_axes(), chain=chain, x=ex.x)
    with pytest.raises(ValueError, match=r"x: expected a sample's x with target=, got none"):
        draw_network(ex.net, ex.params, ax=_axes(), chain=chain, target=ex.target)
    with pytest.raises(ValueError, match=r"params: x and target give numbers only with"):
        draw_network(ex.net, None, ax=_axes(), chain=chain, x=ex.x, target=ex.target)


def test_a_wide_drawing_fits_a_notebook_page_scaled_whole() -> None:
    """A notebook shows a figure up to about 9.2 inches at 100% (wider ones are shrunk, their
    words with them); the article's network keeps its 8.1 inches, its paths' errors included."""
    import matplotlib.pyplot as plt

    article = draw_network(Network())
    assert article.figure.get_size_inches()[0] == pytest.approx(8.11, abs=0.01)
    deep = Network((2, 3, 2, 2))
    wide = draw_network(deep, chain=deep.gradient("w(1)_(x1,1)"))
    assert wide.figure.get_size_inches()[0] <= 9.2
    sizes = {t.get_gid(): t.get_fontsize() for t in wide.texts if t.get_gid()}
    assert sizes["neuron:h1_1"] < 12  # the words scaled with the drawing
    plt.close("all")

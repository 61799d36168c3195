"""What the initial weights do (bpderive.display.starts): each table shows the numbers it
names, to four significant digits, and every header, label and legend entry reads in the
language in use; the figure draws its Chinese with every glyph."""

from __future__ import annotations

import logging
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest

from bpderive import Network, initialize, set_language, train
from bpderive.data import xor
from bpderive.display.starts import (
    plot_hidden_outputs,
    saturation_table,
    spread_table,
    units_table,
)


def cells(shown) -> list[list[str]]:
    return [[text for _, text in row] for row in shown.cells]


def number(text: str) -> float:
    """A table's number as it reads (with a minus sign "−")."""
    return float(text.replace("−", "-"))


def four(value: float) -> float:
    return float(f"{value:.4g}")


@pytest.fixture(scope="module")
def deep() -> tuple[Network, dict, dict]:
    """A 4-5-5-1 tanh network's hidden outputs for 50 inputs from two starts, and the starts."""
    net = Network((4, 5, 5, 1), activations="tanh")
    inputs = np.random.default_rng(0).uniform(-1, 1, size=(50, 4))
    starts = {
        "small": initialize(net, "gaussian", seed=0, sigma=0.1),
        "large": initialize(net, "gaussian", seed=0, sigma=3.0),
    }
    compiled = net.compile()
    outs = {name: compiled.forward(p, inputs).outs[:-1] for name, p in starts.items()}
    return net, starts, outs


def test_an_all_equal_start_leaves_equal_rows_in_the_units_table() -> None:
    net = Network((2, 3, 1))
    X, T = xor()
    runs = {
        init: train(net, X, T, init=init, init_options=options, eta1=0.5, epochs=50)
        for init, options in {"constant": {"value": 0.3}, "uniform": {}}.items()
    }
    shown = units_table(runs, "init")
    assert shown.headers == ["init", "hidden unit", "w_(x1,j)", "w_(x2,j)", "b_j"]
    rows = cells(shown)
    assert [row[:2] for row in rows] == [
        ["constant", "h1"],
        ["", "h2"],
        ["", "h3"],
        ["uniform", "h1"],
        ["", "h2"],
        ["", "h3"],
    ]
    assert rows[0][2:] == rows[1][2:] == rows[2][2:]  # copies of each other
    assert rows[3][2:] != rows[4][2:]
    W, b = runs["uniform"].params["W1"], runs["uniform"].params["b1"]
    assert [number(v) for v in rows[4][2:]] == [four(W[1, 0]), four(W[1, 1]), four(b[1])]
    set_language("zh")
    assert units_table(runs).headers[:2] == ["训练", "隐含神经元"]


def test_a_saturation_table_shows_spread_saturation_and_slope(deep) -> None:
    _, _, outs = deep
    shown = saturation_table(outs, "tanh")
    assert shown.headers == [
        "start",
        "hidden layer",
        "std of out_h",
        "share saturated (|out_h| > 0.99)",
        "mean tanh'(net)",
    ]
    rows = cells(shown)
    assert [row[:2] for row in rows] == [["small", "1"], ["", "2"], ["large", "1"], ["", "2"]]
    out = outs["large"][1]
    assert [number(v) for v in rows[3][2:]] == [
        four(out.std()),
        four(np.mean(np.abs(out) > 0.99)),
        four(np.mean(1 - out**2)),  # tanh's derivative in its output
    ]
    assert number(rows[0][4]) > 0.9 > 0.5 > number(rows[3][4])  # small: linear; large: saturated
    set_language("zh")
    assert saturation_table(outs, "tanh", saturated=0.9).headers[2:] == [
        "out_h 的标准差",
        "饱和的比例（|out_h| > 0.9）",
        "tanh'(net) 的平均值",
    ]
    with pytest.raises(ValueError, match="derivative is written in its output"):
        saturation_table(outs, "softmax")


def test_a_spread_table_splits_the_spread_into_the_input_s_and_the_units_parts(deep) -> None:
    _, starts, outs = deep
    shown = spread_table(outs["small"], starts["small"])
    assert shown.headers == [
        "hidden layer",
        "std of out_h",
        "part that varies with the input",
        "part fixed per unit",
        "std of the layer's biases",
        "gain of its weights",
    ]
    for layer, row in enumerate(cells(shown), start=1):
        out = outs["small"][layer - 1]
        W, b = starts["small"][f"W{layer}"], starts["small"][f"b{layer}"]
        varies, fixed = np.sqrt(out.var(axis=0).mean()), out.mean(axis=0).std()
        assert np.isclose(varies**2 + fixed**2, out.std() ** 2)  # the two parts add up
        expected = [out.std(), varies, fixed, b.std(), np.sqrt((W**2).sum(axis=1).mean())]
        assert [number(v) for v in row] == [layer, *map(four, expected)]
    set_language("zh")
    assert spread_table(outs["small"], starts["small"]).headers[2:4] == [
        "随输入变化的部分",
        "每个神经元固定的部分",
    ]
    with pytest.raises(ValueError, match="W2, b2"):
        spread_table(outs["small"], {"W1": starts["small"]["W1"], "b1": starts["small"]["b1"]})


def drawn(fig, caplog) -> list[str]:
    """Draw ``fig``; the missing-glyph reports that drawing gave."""
    with caplog.at_level(logging.WARNING), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    said = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    return [message for message in said if "missing from font" in message]


def test_the_hidden_outputs_histograms_read_in_either_language(deep, caplog) -> None:
    _, _, outs = deep
    fig = plot_hidden_outputs(outs)
    axes = fig.axes
    assert [ax.get_title() for ax in axes[:2]] == ["small", "large"]
    assert axes[0].get_ylabel() == "count" and axes[0].get_xlabel() == "out_h"
    legend = axes[2].get_legend()  # in the place after the last panel
    assert legend.get_title().get_text() == "50 samples × 5 units"
    assert [t.get_text() for t in legend.get_texts()] == ["hidden layer 1", "hidden layer 2"]
    assert len(axes[1].patches) == 2  # one outline per hidden layer
    plt.close(fig)
    set_language("zh")
    fig = plot_hidden_outputs({"小": outs["small"], "大": outs["large"]}, columns=2)
    assert not fig.axes[3].axison  # two rows of two: one place for the legend, one left empty
    legend = fig.axes[2].get_legend()
    assert legend.get_title().get_text() == "50 个样本 × 5 个神经元"
    assert [t.get_text() for t in legend.get_texts()] == ["第 1 个隐含层", "第 2 个隐含层"]
    assert fig.axes[0].get_ylabel() == "个数"
    assert drawn(fig, caplog) == []
    plt.close(fig)
    fig = plot_hidden_outputs({"窄": [outs["small"][0], outs["small"][1][:, :3]]})
    assert fig.axes[1].get_legend().get_title().get_text() == "50 个样本"  # widths differ
    plt.close(fig)
    with pytest.raises(ValueError, match="one per hidden layer"):
        plot_hidden_outputs({"small": outs["small"][0]})

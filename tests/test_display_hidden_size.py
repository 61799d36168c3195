"""The choice of the hidden layer's size (bpderive.display.hidden_size): the sweep's table
shows each size's costs to four significant digits, and the table and the figure read in the
language in use, the figure's Chinese drawn with every glyph."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from test_display_starts import cells, drawn, four, number

from bpderive import set_language, sweep_hidden
from bpderive.data import sine, split
from bpderive.display.hidden_size import plot_sweep, sweep_table


@pytest.fixture(scope="module")
def sweep():
    X, T = sine(n=40, seed=0, noise=0.1)
    parts = split(X, T, seed=0)
    options = {"candidates": (1, 3), "activations": ("tanh", "linear"), "epochs": 50}
    return sweep_hidden(*parts.train, *parts.validation, eta1=0.2, **options)


def test_a_sweep_reads_as_a_table_and_a_figure_in_either_language(sweep, caplog) -> None:
    shown = sweep_table(sweep)
    assert shown.headers == [
        "hidden units h",
        "training cost",
        "validation cost",
        "best seed",
        "stop_reason",
    ]
    for row, found in zip(cells(shown), sweep.rows, strict=True):
        assert row[0] == str(found.hidden) and row[3:] == ["0", found.result.stop_reason]
        assert [number(v) for v in row[1:3]] == [four(found.train_cost), four(found.val_cost)]
    ax = plot_sweep(sweep, noise_floor=0.005)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "training cost",
        "validation cost",
        "noise floor (expected)",
        f"chosen h = {sweep.best_hidden}",
    ]
    assert ax.get_title() == "Choosing the hidden-layer size on a validation set"
    plt.close(ax.figure)
    set_language("zh")
    assert sweep_table(sweep).headers == [
        "隐含神经元数 h",
        "训练代价",
        "验证集代价",
        "最好的种子",
        "停止原因",
    ]
    ax = plot_sweep(sweep)
    assert ax.get_title() == "在验证集上选择隐含层的大小"
    assert plot_sweep(sweep, ax=ax, title="隐含层的大小") is ax and ax.get_title() == "隐含层的大小"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("隐含神经元数 h", "代价")
    assert [t.get_text() for t in ax.get_legend().get_texts()][-1] == (
        f"选定的 h = {sweep.best_hidden}"
    )
    assert drawn(ax.figure, caplog) == []
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="sweep_hidden"):
        sweep_table(sweep.rows)

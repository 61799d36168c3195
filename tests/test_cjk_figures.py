"""Figures in Chinese: every plot and the network diagram write their own words in Chinese when
the language is Chinese, and the Chinese is drawn with real glyphs (bpderive.fonts), never as
the boxes matplotlib's default font gives with "Glyph … missing from font(s) DejaVu Sans".

Each figure is drawn to pixels (Agg) while warnings and matplotlib's log are recorded, since a
missing glyph is reported only when the text is rendered.
"""

from __future__ import annotations

import logging
import re
import sys
import warnings

import matplotlib
import pytest
import sympy as sp
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import bpderive
from bpderive import LevenbergMarquardt, Network, example, fonts, initialize, train
from bpderive.data import sine, split, two_class
from bpderive.display.descent import plot_descent
from bpderive.display.diagram import draw_network
from bpderive.display.learned import plot_decision_boundary, plot_fits
from bpderive.display.plotting import plot_activation, plot_costs, plot_history

CHINESE = re.compile(r"[\u4e00-\u9fff]")
MISSING = "missing from font"


def _axes():
    figure = Figure(figsize=(7, 4))
    FigureCanvasAgg(figure)
    return figure.subplots()


def _render(figure: Figure, caplog: pytest.LogCaptureFixture) -> list[str]:
    """Draw ``figure`` to pixels; the missing-glyph reports that drawing gave."""
    FigureCanvasAgg(figure)
    with caplog.at_level(logging.WARNING), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.canvas.draw()
    said = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    return [message for message in said if MISSING in message]


def _words(ax) -> dict[str, list[str]]:
    """What the Axes writes: its title, axis labels, legend entries and other texts."""
    legend = ax.get_legend()
    return {
        "title": [ax.get_title()],
        "labels": [ax.get_xlabel(), ax.get_ylabel()],
        "legend": [t.get_text() for t in legend.get_texts()] if legend else [],
        "texts": [t.get_text() for t in ax.texts],
    }


def _chinese(texts: list[str]) -> bool:
    return any(CHINESE.search(text) for text in texts)


@pytest.fixture(scope="module")
def runs() -> dict:
    """A run stopped by max_fail (validation, counted epochs, the adaptive rate's rejected
    steps), one by each other way a plot labels, and a Levenberg–Marquardt run whose last
    epochs found no step."""
    X, T = sine(n=30, seed=0, noise=0.3)
    halves = split(X, T, fractions=(0.5, 0.5, 0.0), seed=0)
    net = Network((1, 15, 1), activations=("tanh", "linear"))
    options = {"eta1": 0.05, "momentum": 0.9, "adaptive": True, "epochs": 3000, "seed": 1}
    small = Network((1, 3, 1), activations=("tanh", "linear"))
    lm = LevenbergMarquardt(mu_max=1e-2)
    return {
        "max_fail": train(net, *halves.train, validation=halves.validation, **options),
        "epochs": train(small, X, T, eta1=0.1, epochs=20),
        "diverged": train(Network((1, 3, 1), activations="linear"), X, T, eta1=100.0, epochs=50),
        "mu_max": train(small, X, T, optimizer=lm, epochs=200, seed=0),
    }


def _no_glyph_missing(ax, caplog: pytest.LogCaptureFixture) -> None:
    assert _render(ax.figure, caplog) == []


def test_plot_history_writes_chinese_with_every_glyph(runs: dict, caplog) -> None:
    bpderive.set_language("zh")
    ax = plot_history(runs["max_fail"], ax=_axes())
    words = _words(ax)
    assert words["title"] == ["训练历史"]
    assert words["labels"] == ["训练周期", "代价 E（E_total 的平均值）"]
    run = runs["max_fail"]
    assert words["legend"] == [
        "训练代价",
        "验证集代价",
        "max_fail 计数：高于此前最低值",
        f"验证集代价最低（第 {run.best_epoch} 个训练周期）",
        "这一步被拒绝（自适应学习率）",
        f"第 {run.epochs} 个训练周期停止：max_fail = 6",
    ]
    _no_glyph_missing(ax, caplog)
    ax = plot_history(runs["mu_max"], ax=_axes(), legend="best")
    assert "没有一步能降低代价（μ > mu_max）" in _words(ax)["legend"]
    assert f"第 {runs['mu_max'].epochs} 个训练周期停止：μ 超过 mu_max" in _words(ax)["legend"]
    _no_glyph_missing(ax, caplog)


def test_plot_costs_writes_chinese_with_every_glyph(runs: dict, caplog) -> None:
    bpderive.set_language("zh")
    ax = plot_costs({"好": runs["epochs"], "坏": runs["diverged"]}, ax=_axes())
    words = _words(ax)
    assert words["title"] == ["训练代价"]
    assert words["labels"] == ["训练周期", "代价 E（E_total 的平均值）"]
    assert words["legend"] == [
        "好（第 20 个训练周期停止：训练周期数已满）",
        f"坏（第 {runs['diverged'].epochs} 个训练周期停止：发散）",
    ]
    _no_glyph_missing(ax, caplog)
    ax = plot_costs({"η1": runs["max_fail"]}, ax=_axes(), column="eta1", title="学习率的变化")
    assert _words(ax)["title"] == ["学习率的变化"]
    assert _words(ax)["labels"][1] == "学习率 η1"
    _no_glyph_missing(ax, caplog)


def test_plot_activation_and_decision_boundary_write_chinese(caplog) -> None:
    bpderive.set_language("zh")
    ax = plot_activation("tanh", ax=_axes())
    assert _words(ax)["legend"] == ["激活函数 f(x)", "导数 f'(x)"]
    _no_glyph_missing(ax, caplog)
    net = Network((2, 3, 2))
    X, T = two_class(n=40, seed=0)
    ax = plot_decision_boundary(net, initialize(net, seed=0), X, T, ax=_axes(), resolution=20)
    words = _words(ax)
    assert words["title"] == ["决策边界"] and words["legend"] == ["类别 0", "类别 1"]
    _no_glyph_missing(ax, caplog)


def test_plot_fits_and_a_goal_write_chinese(runs: dict, caplog) -> None:
    bpderive.set_language("zh")
    grid = [[-1.0], [0.0], [1.0]]
    ax = plot_fits(
        grid, {"网络": [[0.1], [0.2], [0.3]]}, ("sin x", [[-0.8], [0.0], [0.8]]), ax=_axes()
    )
    assert _words(ax)["title"] == ["网络计算出的函数"]
    _no_glyph_missing(ax, caplog)
    ax = plot_costs({"好": runs["epochs"]}, ax=_axes(), log_epochs=True, goal=0.01)
    words = _words(ax)
    assert words["labels"][0] == "训练周期 + 1" and words["legend"][-1] == "目标 goal = 0.01"
    _no_glyph_missing(ax, caplog)


def test_plot_descent_writes_chinese_with_every_glyph(caplog) -> None:
    bpderive.set_language("zh")
    w = sp.Symbol("w")
    ax = plot_descent((w - 1) ** 2 + 0.5, w, start=-1.0, eta=0.2, steps=3, ax=_axes())
    assert _words(ax)["legend"] == ["E(w)", "切线，斜率 dE/dw = −4", "每一步 w⁺ = w − 0.2·dE/dw"]
    _no_glyph_missing(ax, caplog)


def test_the_diagram_names_its_layers_in_chinese(caplog) -> None:
    bpderive.set_language("zh")
    ax = draw_network(Network(), example().params, ax=_axes())
    layers = [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("layer:")]
    assert layers == ["输入层", "隐含层", "输出层"]
    assert ax.get_title() == "2-3-2 网络（logistic、logistic）"
    _no_glyph_missing(ax, caplog)
    ax = draw_network(Network((2, 3, 3, 2)), ax=_axes())
    layers = [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("layer:")]
    assert layers == ["输入层", "第 1 个隐含层", "第 2 个隐含层", "输出层"]
    _no_glyph_missing(ax, caplog)


def test_a_figure_of_its_own_makes_every_figure_chinese(runs: dict, caplog) -> None:
    """Without ``ax`` each function makes its figure (through pyplot) after registering the
    font, and a notebook's own figure, made after set_language("zh"), writes Chinese too."""
    import matplotlib.pyplot as plt

    bpderive.set_language("zh")
    try:
        for ax in (draw_network(), plot_history(runs["epochs"])):
            assert _chinese(sum(_words(ax).values(), []))
            _no_glyph_missing(ax, caplog)
        figure, ax = plt.subplots()
        ax.set_title("误差随训练周期下降")
        ax.plot([0, 1], [1, 0], label="训练代价")
        ax.legend()
        _no_glyph_missing(ax, caplog)
    finally:
        plt.close("all")


def test_the_environment_alone_gives_a_plot_the_font(runs: dict, monkeypatch, caplog) -> None:
    """``BPDERIVE_LANG=zh`` without set_language: the Axes was made before the font was
    registered, and its title and labels get it when the plot draws into it."""
    monkeypatch.setenv("BPDERIVE_LANG", "zh")
    made_before = _axes(), _axes()
    assert fonts.FAMILY not in matplotlib.rcParams["font.family"]
    for ax in (plot_history(runs["epochs"], ax=made_before[0]), draw_network(ax=made_before[1])):
        assert _chinese(_words(ax)["title"] + _words(ax)["labels"])
        _no_glyph_missing(ax, caplog)


CHINESE_TITLE = "输入层 → 隐含层 → 输出层：权值、偏置、误差、学习率 η1"


def _english_pixels() -> bytes:
    ax = _axes()
    ax.plot([0, 1, 2], [3.0, 1.5, 1.0], label="training cost")
    ax.set(title="Training history: cost E (mean of E_total), $w_{(1,1)}$", xlabel="epoch")
    ax.legend()
    ax.figure.canvas.draw()
    return bytes(ax.figure.canvas.buffer_rgba())


def test_chinese_text_is_drawn_with_real_glyphs_and_english_is_unchanged(caplog) -> None:
    ax = _axes()
    ax.set_title(CHINESE_TITLE)
    assert _render(ax.figure, caplog) != []  # matplotlib's own fonts have no Chinese glyphs
    english = _english_pixels()
    before = list(matplotlib.rcParams["font.family"])
    assert fonts.use_chinese_font() == "Noto Sans SC"
    assert fonts.use_chinese_font() == "Noto Sans SC"  # a second call changes nothing
    assert matplotlib.rcParams["font.family"] == [*before, "Noto Sans SC"]
    ax = _axes()
    ax.set_title(CHINESE_TITLE)
    ax.set_xlabel("训练周期 epoch，代价 $E_{total}$")
    assert _render(ax.figure, caplog) == []
    # Latin letters, digits and mathtext keep their fonts: the Chinese one only comes after.
    assert _english_pixels() == english


def test_english_figures_follow_no_font_of_chinese(runs: dict) -> None:
    """In English nothing registers the font, and the English words are those of before."""
    ax = plot_history(runs["epochs"], ax=_axes())
    assert fonts.FAMILY not in matplotlib.rcParams["font.family"]
    assert _words(ax)["title"] == ["Training history"]
    assert _words(ax)["legend"] == ["training cost", "stop: epochs, epoch 20"]
    ax = draw_network(ax=_axes())
    assert ax.get_title() == "2-3-2 network (logistic, logistic)"


def test_without_the_font_package_chinese_figures_say_what_to_install(
    runs: dict, monkeypatch
) -> None:
    monkeypatch.setattr(fonts, "_MODULE", "no_such_font_package")
    monkeypatch.setattr(fonts, "FAMILY", "No Such Family")  # as if it had never been registered
    with pytest.warns(UserWarning, match=r"pip install pylopdf-fonts-zh-cn"):
        bpderive.set_language("zh")  # the language is set all the same: text needs no font
    assert bpderive.get_language() == "zh"
    with pytest.raises(ModuleNotFoundError, match=r"pip install pylopdf-fonts-zh-cn"):
        plot_history(runs["epochs"], ax=_axes())


def test_importing_bpderive_imports_no_matplotlib() -> None:
    import subprocess

    code = "import sys, bpderive, bpderive.fonts; print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


def test_the_font_file_is_the_noto_sans_sc_of_the_font_package() -> None:
    path = fonts.font_file()
    assert path.name == "NotoSansSC-Regular.otf"
    from matplotlib import ft2font

    assert ft2font.FT2Font(str(path)).family_name == fonts.FAMILY

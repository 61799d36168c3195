"""The plots the notebooks use: cost comparisons, activations, decision boundaries, descent.

Each plot is drawn on a ``matplotlib.figure.Figure`` (no pyplot, no window) and checked through
what is on its Axes: the lines' labels and data, which come from bpderive's own derivations.
"""

from __future__ import annotations

import io
import math
import warnings

import numpy as np
import pytest
import sympy as sp
from matplotlib import figure

from bpderive import Network, initialize, train
from bpderive.data import sine, two_class
from bpderive.display.descent import descent_path, plot_descent
from bpderive.display.learned import plot_decision_boundary, plot_fits
from bpderive.display.plotting import plot_activation, plot_costs, plot_history
from bpderive.symbolic.activations import ACTIVATIONS
from bpderive.symbolic.notation import NET as X


def axes():
    return figure.Figure().subplots()


@pytest.fixture(scope="module")
def sine_net() -> Network:
    return Network((1, 3, 1), activations=("tanh", "linear"))


def test_plot_costs_draws_each_run_with_how_it_stopped(sine_net: Network) -> None:
    X_, T = sine(n=20, seed=0)
    good = train(sine_net, X_, T, eta1=0.1, epochs=30)
    bad = train(Network((1, 3, 1), activations="linear"), X_, T, eta1=100.0, epochs=200)
    assert bad.stop_reason == "diverged"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a log axis up to ~1e305 must not overflow its margins
        ax = plot_costs({"good": good, "bad": bad}, ax=axes())
        ax.figure.savefig(io.BytesIO(), format="png")
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[0] == "good (stop: epochs, epoch 30)"
    assert labels[1] == f"bad (stop: diverged, epoch {bad.epochs})"
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), good.history.cost)
    cross = ax.get_lines()[2]  # the last finite cost of the diverged run
    assert cross.get_marker() == "x"
    assert cross.get_ydata()[0] == bad.history.cost[-2] and math.isfinite(bad.history.cost[-2])
    assert ax.get_yscale() == "log"
    low, high = ax.get_ylim()
    assert low < min(good.history.cost)
    assert high == pytest.approx(min(1.5 * max(bad.history.cost[:-1]), 1e200))
    ax = plot_costs([("rate", good)], ax=axes(), column="eta1")
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), good.history.eta1)
    with pytest.raises(ValueError, match=r"^column: expected one of .*got 'costs'"):
        plot_costs({"good": good}, ax=axes(), column="costs")


@pytest.mark.parametrize("name", [n for n, a in ACTIVATIONS.items() if a.elementwise])
def test_plot_activation_draws_the_derived_function_and_derivative(name: str) -> None:
    act = ACTIVATIONS[name]
    ax = plot_activation(name, ax=axes(), xlim=(-2, 3))
    f, df = ax.get_lines()[:2]
    assert (f.get_label(), df.get_label()) == ("f(x)", "f'(x)")
    x = f.get_xdata()
    assert x[0] == -2 and x[-1] == 3
    for k in (0, 57, 200, 400):
        assert f.get_ydata()[k] == pytest.approx(float(act.formula.subs(X, x[k])))
        assert df.get_ydata()[k] == pytest.approx(float(act.derivative.subs(X, x[k])))
    assert ax.get_title() == name


def test_plot_activation_refuses_softmax_and_bad_ranges() -> None:
    with pytest.raises(ValueError, match=r"^activation: 'softmax' is not element-wise"):
        plot_activation("softmax", ax=axes())
    with pytest.raises(ValueError, match=r"^xlim: expected \(low, high\)"):
        plot_activation("tanh", ax=axes(), xlim=(1, 1))


def test_plot_decision_boundary_shades_the_network_classes() -> None:
    net = Network((2, 3, 2))
    X_, T = two_class(n=40, seed=0)
    result = train(net, X_, T, eta1=0.5, momentum=0.9, epochs=200)
    ax = plot_decision_boundary(net, result.params, X_, T, ax=axes(), resolution=30)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["class 0", "class 1"]
    for k, line in enumerate(ax.get_lines()):
        chosen = T.argmax(axis=1) == k
        np.testing.assert_array_equal(line.get_xdata(), X_[chosen, 0])
    # One output: the class is out > 0.5, and the targets may be a column of 0/1.
    single = Network((2, 2, 1))
    _, labels_col = two_class(n=40, seed=0, one_hot=False)
    params = train(single, X_, labels_col, epochs=5).params
    ax = plot_decision_boundary(single, params, X_, labels_col[:, 0], ax=axes(), resolution=20)
    assert [line.get_label() for line in ax.get_lines()] == ["class 0", "class 1"]
    # Three classes: the largest of three outputs; the boundary is the regions' edges.
    three = Network((2, 2, 3))
    T3 = np.eye(3)[np.arange(len(X_)) % 3]
    ax = plot_decision_boundary(three, initialize(three, seed=1), X_, T3, ax=axes(), resolution=20)
    assert [line.get_label() for line in ax.get_lines()] == ["class 0", "class 1", "class 2"]
    assert len(ax.collections) == 2  # shaded regions, boundary
    with pytest.raises(ValueError, match=r"^X: expected an \(N, 2\) array"):
        plot_decision_boundary(net, result.params, X_[:, :1], T, ax=axes())


def test_descent_path_follows_the_derived_slope() -> None:
    w = sp.Symbol("w")
    path = descent_path((w - 1) ** 2, w, start=3.0, eta=0.25, steps=3)
    # E'(w) = 2(w - 1): each step halves the distance to the minimum at 1.
    np.testing.assert_allclose(path[:, 0], [3.0, 2.0, 1.5, 1.25])
    np.testing.assert_allclose(path[:, 1], (path[:, 0] - 1) ** 2)
    np.testing.assert_allclose(path[:, 2], 2 * (path[:, 0] - 1))
    diverging = descent_path((w - 1) ** 2, w, start=3.0, eta=1.5, steps=3)
    np.testing.assert_allclose(diverging[:, 0], [3.0, -3.0, 9.0, -15.0])
    overflow = descent_path(sp.exp(w**2), w, start=3.0, eta=1.0, steps=2)
    assert not np.isfinite(overflow[-1]).all()
    with pytest.raises(ValueError, match=r"^cost: expected a function of w only, it also has v"):
        descent_path(w * sp.Symbol("v"), w, 0.0, 0.1)
    with pytest.raises(ValueError, match=r"^steps: expected an int >= 0"):
        descent_path(w**2, w, 0.0, 0.1, steps=-1)


def test_plot_descent_draws_curve_tangent_and_steps() -> None:
    w = sp.Symbol("w")
    ax = plot_descent((w - 1) ** 2, w, start=3.0, eta=0.25, steps=3, ax=axes())
    curve, tangent, points = ax.get_lines()[:3]
    assert curve.get_label() == "E(w)"
    assert tangent.get_label() == "tangent, slope dE/dw = 4"
    slope = np.diff(tangent.get_ydata()) / np.diff(tangent.get_xdata())
    assert slope[0] == pytest.approx(4.0)
    np.testing.assert_allclose(points.get_xdata(), [3.0, 2.0, 1.5, 1.25])
    assert len(ax.texts) == 3  # one arrow per step
    lo, hi = ax.get_xlim()
    assert lo < 1.25 and hi > 3.0


# ---------------------------------------------------------------------------- review fixes


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("cost", "w", "a", 0.1), r"^start: expected a finite number, got 'a'"),
        (("cost", "w", 0.0, "x"), r"^eta: expected a finite number, got 'x'"),
        (("cost", "w", math.nan, 0.1), r"^start: expected a finite number, got nan"),
        (("cost", "w", 0.0, True), r"^eta: expected a finite number, got True"),
        ((2.0, "w", 0.0, 0.1), r"^cost: expected a SymPy expression of w, got float 2\.0"),
        (("E = w**2", "w", 0.0, 0.1), r"^cost: expected a SymPy expression of w, got str"),
        (("cost", "w_name", 0.0, 0.1), r"^symbol: expected a sympy Symbol, got 'w'"),
    ],
)
def test_descent_path_bad_arguments(args: tuple, match: str) -> None:
    w = sp.Symbol("w")
    cost, symbol, start, eta = args
    cost = (w - 1) ** 2 if cost == "cost" else cost
    symbol = w if symbol == "w" else "w"
    with pytest.raises(ValueError, match=match):
        descent_path(cost, symbol, start, eta)
    with pytest.raises(ValueError, match=match):
        plot_descent(cost, symbol, start, eta, ax=axes())


def test_descent_path_accepts_numpy_numbers() -> None:
    w = sp.Symbol("w")
    path = descent_path((w - 1) ** 2, w, np.float32(3.0), np.float64(0.25), steps=1)
    np.testing.assert_allclose(path[:, 0], [3.0, 2.0])


@pytest.mark.parametrize("xlim", ["ab", 5, (0, 1, 2), ("a", "b"), (0, math.inf), None])
def test_bad_plot_ranges_name_the_argument(xlim: object) -> None:
    with pytest.raises(ValueError, match=r"^xlim: expected \(low, high\), two finite numbers"):
        plot_activation("tanh", ax=axes(), xlim=xlim)
    w = sp.Symbol("w")
    with pytest.raises(ValueError, match=r"^span: expected \(low, high\), two finite numbers"):
        plot_descent(w**2, w, 1.0, 0.1, ax=axes(), span=xlim if xlim is not None else "x")
    ax = plot_activation("tanh", ax=axes(), xlim=np.array([-1.0, 2.0]))
    assert ax.get_lines()[0].get_xdata()[-1] == 2.0


def test_plot_decision_boundary_bad_arguments() -> None:
    net = Network((2, 2, 2))
    params = initialize(net, seed=0)
    X_, T = two_class(n=10, seed=0)
    cases = [
        ((None, params, X_, T), {}, r"^net: expected a bpderive.Network, got NoneType"),
        ((Network((1, 2, 1)), params, X_, T), {}, r"^net: expected a two-input network"),
        ((net, params, [["a", "b"]], T), {}, r"^X: expected numbers"),
        ((net, params, np.where(X_ > 0, np.nan, X_), T), {}, r"^X: contains NaN"),
        ((net, params, X_, T[:4]), {}, r"^T: expected one row of targets per sample of X"),
        ((net, params, X_, T), {"resolution": "fine"}, r"^resolution: expected an int from 2"),
        ((net, params, X_, T), {"margin": -0.1}, r"^margin: expected a finite fraction >= 0"),
    ]
    for args, kwargs, match in cases:
        with pytest.raises(ValueError, match=match):
            plot_decision_boundary(*args, ax=axes(), **kwargs)


def test_descent_steps_accept_a_numpy_int() -> None:
    w = sp.Symbol("w")
    assert descent_path(w**2, w, 1.0, 0.25, steps=np.int64(2)).shape == (3, 3)
    with pytest.raises(ValueError, match=r"^steps: expected an int >= 0, got True"):
        descent_path(w**2, w, 1.0, 0.25, steps=True)


# ------------------------------------------------------------ early stopping and legends


@pytest.fixture(scope="module")
def early_stopped() -> dict:
    """One run stopped by each rule: the validation cost rises five times, falls once while
    still above its best (max_fail counts it, max_rises starts again), later rises six times."""
    from bpderive.data import split

    X_, T = sine(n=30, seed=0, noise=0.3)
    halves = split(X_, T, fractions=(0.5, 0.5, 0.0), seed=0)
    net = Network((1, 15, 1), activations=("tanh", "linear"))
    options = {"eta1": 0.05, "momentum": 0.9, "adaptive": True, "epochs": 3000, "seed": 1}
    return {
        "max_fail": train(net, *halves.train, validation=halves.validation, **options),
        "max_rises": train(
            net, *halves.train, validation=halves.validation, max_fail=10**6, max_rises=6, **options
        ),
    }


def test_plot_history_marks_the_epochs_each_rule_counts(early_stopped: dict) -> None:
    from bpderive.display.plotting import plot_history

    for rule, column in (("max_fail", "val_fail"), ("max_rises", "val_rises")):
        run = early_stopped[rule]
        assert run.stop_reason == rule
        ax = plot_history(run, ax=axes())  # the rule defaults to the one that stopped the run
        lines = {line.get_label(): line for line in ax.get_lines()}
        counts = np.asarray(getattr(run.history, column))
        counted = np.flatnonzero(np.diff(counts, prepend=0) > 0)
        dots = lines[
            f"{rule} counts: " + ("above its best" if rule == "max_fail" else "rose again")
        ]
        np.testing.assert_array_equal(dots.get_xdata(), counted)
        assert [t.get_text() for t in ax.texts] == [str(counts[k]) for k in counted]
        stop = f"stop: {rule} = {counts[-1]}, epoch {run.epochs}"
        assert stop in lines and counts[-1] == 6
    # The same run under the other rule: epoch 10 fell, so max_rises does not count it.
    ax = plot_history(early_stopped["max_fail"], ax=axes(), rule="max_rises")
    dots = next(line for line in ax.get_lines() if line.get_label().startswith("max_rises"))
    assert 10 not in dots.get_xdata() and list(dots.get_xdata()) == [5, 6, 7, 8, 9]
    with pytest.raises(ValueError, match=r"^rule: expected None, 'max_fail' or 'max_rises'"):
        plot_history(early_stopped["max_fail"], ax=axes(), rule="rises")


def test_plot_history_marks_only_the_longest_runs_of_a_long_count() -> None:
    """A run with rises on half its epochs: a dot on each would cover the validation curve, so
    only the longest runs of rises in a row are marked, each epoch with its count."""
    from bpderive.data import split
    from bpderive.display.plotting import plot_history

    X_, T = sine(n=30, seed=0, noise=0.3)
    halves = split(X_, T, fractions=(0.5, 0.5, 0.0), seed=0)
    net = Network((1, 15, 1), activations=("tanh", "linear"))
    options = {"eta1": 0.05, "momentum": 0.9, "epochs": 300, "seed": 1, "max_fail": None}
    run = train(net, *halves.train, validation=halves.validation, mode="online", **options)
    rises = list(run.history.val_rises)
    assert sum(1 for a, b in zip([0, *rises[:-1]], rises, strict=True) if b > a) > 30
    longest = max(rises)
    runs = [k for k, n in enumerate(rises) if n == longest]
    expected = [e for k in runs for e in range(k - longest + 1, k + 1)]
    ax = plot_history(run, ax=axes(), rule="max_rises")
    label = f"max_rises counts: its longest run, {longest} rises in a row"
    dots = next(line for line in ax.get_lines() if line.get_label() == label)
    assert list(dots.get_xdata()) == expected
    assert [t.get_text() for t in ax.texts] == [str(longest)] * len(runs)  # where each peaks
    assert [t.xy[0] for t in ax.texts] == runs


def _drawn(ax):
    ax.figure.savefig(io.BytesIO(), format="png")
    return ax.get_window_extent(), ax.xaxis.get_tightbbox(), ax.get_legend().get_window_extent()


def test_legends_go_under_the_axes_and_its_labels(early_stopped: dict, sine_net: Network) -> None:
    from bpderive.display.legends import legend_below
    from bpderive.display.plotting import plot_history

    run = early_stopped["max_rises"]
    ax = plot_history(run, ax=axes())
    ax.set_xlabel("epoch\n(a label on two lines, set after the legend)")
    box, axis, legend = _drawn(ax)
    assert legend.y1 < min(box.y0, axis.y0)  # under the tick labels and the (new) x label
    assert box.x0 - 1 <= legend.x0 and legend.x1 <= box.x1 + 1
    assert ax.get_legend()._ncols == 2
    # Inside the Axes on request, or none at all.
    ax = plot_history(run, ax=axes(), legend="best")
    box, _, legend = _drawn(ax)
    assert box.y0 <= legend.y0 and legend.y1 <= box.y1
    assert plot_history(run, ax=axes(), legend="none").get_legend() is None
    X_, T = sine(n=20, seed=0)
    good = train(sine_net, X_, T, eta1=0.1, epochs=5)
    ax = plot_costs({"a run with a long name, to need one column": good, "b": good}, ax=axes())
    assert ax.get_legend()._ncols == 1
    with pytest.raises(ValueError, match=r"^legend: expected one of 'below', 'best', 'none'"):
        plot_costs({"good": good}, ax=axes(), legend="above")
    assert legend_below(axes()) is None  # nothing labelled, no legend
    # Every plot takes the same choice.
    w = sp.Symbol("w")
    for ax in (
        plot_activation("tanh", ax=axes(), legend="below"),
        plot_descent((w - 1) ** 2, w, 3.0, 0.25, ax=axes(), legend="below"),
        plot_decision_boundary(
            Network((2, 2, 2)), initialize(Network((2, 2, 2)), seed=0), *two_class(n=10), ax=axes()
        ),
    ):
        box, axis, legend = _drawn(ax)
        assert legend.y1 < min(box.y0, axis.y0)


def test_plot_fits_draws_the_truth_the_samples_and_each_network(sine_net: Network) -> None:
    X_, T = sine(n=20, seed=0)
    grid = np.linspace(-np.pi, np.pi, 50)[:, None]
    run = train(sine_net, X_, T, eta1=0.1, epochs=30)
    out = sine_net.compile().forward(run.params, grid).output
    ax = plot_fits(grid, {"1-3-1": out}, ("sin x", np.sin(grid)), {"samples": (X_, T)}, ax=axes())
    truth, samples, fit = ax.get_lines()
    assert [line.get_label() for line in ax.get_lines()] == ["sin x", "samples", "1-3-1"]
    np.testing.assert_array_equal(truth.get_ydata(), np.sin(grid[:, 0]))
    assert truth.get_linewidth() == 3 and samples.get_linestyle() == "None"
    np.testing.assert_array_equal(fit.get_ydata(), out[:, 0])
    assert ax.get_title() == "What the networks compute" and ax.get_xlabel() == "x"
    with pytest.raises(ValueError, match=r"^fits\['short'\]: expected 50 values"):
        plot_fits(grid, {"short": out[:10]}, ax=axes())
    with pytest.raises(ValueError, match=r"^fits: expected a mapping"):
        plot_fits(grid, [out], ax=axes())


def test_plot_costs_on_log_epochs_with_the_goal(sine_net: Network) -> None:
    X_, T = sine(n=20, seed=0)
    run = train(sine_net, X_, T, eta1=0.1, epochs=30)
    ax = plot_costs({"run": run}, ax=axes(), log_epochs=True, goal=0.05)
    curve, goal = ax.get_lines()
    np.testing.assert_array_equal(curve.get_xdata(), np.arange(31) + 1)  # epoch 0 drawn at 1
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "epoch + 1"
    assert goal.get_label() == "goal = 0.05" and list(goal.get_ydata()) == [0.05, 0.05]
    assert ax.get_ylim()[0] < 0.05  # the goal is on the plot
    with pytest.raises(ValueError, match=r"^goal: expected a finite cost goal > 0"):
        plot_costs({"run": run}, ax=axes(), goal=0)


def test_plot_history_takes_a_title(sine_net: Network) -> None:
    X_, T = sine(n=20, seed=0)
    run = train(sine_net, X_, T, eta1=0.1, epochs=5)
    assert plot_history(run, ax=axes()).get_title() == "Training history"
    assert plot_history(run, ax=axes(), title="Early stopping").get_title() == "Early stopping"

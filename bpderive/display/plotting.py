"""Plots of training runs (matplotlib is optional: ``pip install bpderive[plot]``).

matplotlib is imported inside the functions, never at module import, so the rest of bpderive
works without it and a missing install is reported only when a plot is asked for, with the
command that fixes it. Every title, axis label and legend entry a plot writes by itself follows
the language in use (:mod:`bpderive.language`; the texts are in
:mod:`bpderive.display.figure_texts`); in Chinese the plot first gives matplotlib the Chinese
font (:mod:`bpderive.fonts`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from bpderive.checks import check_interval, real_scalar
from bpderive.display import figure_texts as texts
from bpderive.display.legends import LEGEND_FONTSIZE, check_legend, place_legend
from bpderive.fonts import use_chinese_font, write_chinese_in
from bpderive.language import get_language, pick

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from bpderive.symbolic.activations import Activation
    from bpderive.training import TrainResult

_INSTALL = "bpderive's plots and diagrams need matplotlib: pip install bpderive[plot]"


def _pyplot() -> Any:
    """``matplotlib.pyplot``, or an ``ImportError`` saying how to install it (shared by every
    drawing of bpderive, :mod:`bpderive.display.diagram` too). In Chinese, matplotlib is first
    given the Chinese font, or a ``ModuleNotFoundError`` names the package to install: a figure
    of boxes would say nothing."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(_INSTALL) from error
    if get_language() == "zh":
        use_chinese_font()
    return plt


def _axes(ax: Axes | None) -> Axes:
    """``ax``, or a new Axes for ``None``; anything else is refused by name. In Chinese, an
    ``ax`` made before the font was registered gets it for its title and axis labels too."""
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
        return ax
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise ValueError(f"ax: expected None or a matplotlib Axes, got {type(ax).__name__}")
    if get_language() == "zh":
        write_chinese_in([ax.title, ax.xaxis.label, ax.yaxis.label])
    return ax


def _run(name: str, value: object) -> TrainResult:
    """A :class:`~bpderive.training.TrainResult`, or a ``ValueError`` naming ``name``."""
    from bpderive.training import TrainResult

    if not isinstance(value, TrainResult):
        raise ValueError(
            f"{name}: expected the result of bpderive.train (a TrainResult), got "
            f"{type(value).__name__}"
        )
    return value


#: The two early-stopping rules (四.5) a validation set brings, and the history column that
#: counts for each (what it counts is :data:`~bpderive.display.figure_texts.COUNTED`).
STOP_RULES = {"max_fail": "val_fail", "max_rises": "val_rises"}

#: Above this many counted epochs a dot on each would cover the curve: only the longest runs
#: of the count are marked (how close the rule came to stopping), each with the count it reached.
_MAX_COUNTS_WRITTEN = 30


def _longest_runs(count: np.ndarray) -> np.ndarray:
    """The epochs of every run that reaches the count's largest value: from where the count
    started (1) to where it peaked, as many as fit in :data:`_MAX_COUNTS_WRITTEN`."""
    peaks = np.flatnonzero(count == count.max())
    epochs = [k for peak in peaks for k in range(peak - int(count[peak]) + 1, peak + 1)]
    return np.asarray(epochs[:_MAX_COUNTS_WRITTEN], dtype=int)


def plot_history(
    result: TrainResult,
    ax: Axes | None = None,
    *,
    rule: str | None = None,
    title: str | None = None,
    legend: str = "below",
) -> Axes:
    """Cost curves of a :func:`bpderive.train` run; returns the Axes.

    Drawn: the training cost ``E`` per epoch; the validation cost, if there was a validation
    set, with a star on the best epoch (whose parameters ``train`` returned) and a dot on every
    epoch that the early-stopping ``rule`` counts, its count written beside it (for a run of
    more than 30 counted epochs, only on the longest runs of the count, each with the count it
    reached: how close the rule came to stopping):

    * ``"max_fail"`` (MATLAB): the validation cost is above its best so far, whether or not it
      fell since the epoch before (history column ``val_fail``, the epochs since the best);
    * ``"max_rises"`` (the article's 四.5, 连续6次不降反升): the validation cost rose since the
      epoch before (``val_rises``, the rises in a row; a fall starts the count again).

    ``rule=None`` is the rule that stopped the run, or ``"max_fail"`` (always on with a
    validation set). Also drawn: crosses on epochs whose update was not kept (gradient
    descent: the adaptive rate rejected the step; Levenberg–Marquardt: no step lowered the cost
    before μ passed ``mu_max``); a vertical line at the epoch where training stopped, labelled
    with the reason (for the two rules, with the count that stopped it). The cost axis is
    logarithmic when every cost is positive (see :func:`_log_scale`). ``title=None`` is
    "Training history" in the language in use. ``legend`` is one of :data:`LEGEND_PLACES`
    (default under the Axes, see :func:`legend_below`).
    """
    result = _run("result", result)
    legend = check_legend(legend)
    if rule is None:
        rule = result.stop_reason if result.stop_reason in STOP_RULES else "max_fail"
    if rule not in STOP_RULES:
        raise ValueError(f"rule: expected None, 'max_fail' or 'max_rises', got {rule!r}")
    ax = _axes(ax)
    h = result.history.as_arrays()
    epochs = h["epoch"]
    ax.plot(epochs, h["cost"], color="C0", label=pick(texts.TRAINING_COST))
    has_val = bool(np.isfinite(h["val_cost"]).any())
    if has_val:
        ax.plot(epochs, h["val_cost"], color="C1", label=pick(texts.VALIDATION_COST))
        count = h[STOP_RULES[rule]]
        counted = np.flatnonzero(np.diff(count, prepend=0) > 0)
        label, written = pick(texts.COUNTED[rule]), counted
        if counted.size > _MAX_COUNTS_WRITTEN:
            counted = _longest_runs(count)
            written = counted[count[counted] == count.max()]  # each run's count, where it peaks
            label = pick(texts.LONGEST[rule]).format(count=int(count.max()))
        if counted.size:
            ax.plot(
                epochs[counted], h["val_cost"][counted], "o", color="C3", markersize=4, label=label
            )
            if written.size <= _MAX_COUNTS_WRITTEN:
                for k in written:
                    # On the side of the validation curve away from the training curve.
                    above = not h["val_cost"][k] < h["cost"][k]
                    ax.annotate(
                        str(count[k]),
                        (epochs[k], h["val_cost"][k]),
                        xytext=(0, 4 if above else -4),
                        textcoords="offset points",
                        ha="center",
                        va="bottom" if above else "top",
                        fontsize=LEGEND_FONTSIZE,
                        color="C3",
                        bbox={"boxstyle": "square,pad=0.05", "facecolor": "white", "lw": 0},
                    )
        best = result.best_epoch
        ax.plot(
            [best],
            [h["val_cost"][best]],
            "*",
            color="C2",
            markersize=12,
            label=pick(texts.BEST_EPOCH).format(epoch=best),
        )
    rejected = np.flatnonzero(~h["accepted"].astype(bool))
    if rejected.size:
        # Only Levenberg–Marquardt records μ (gradient descent's column is NaN).
        levenberg_marquardt = bool(np.isfinite(h["mu"]).any())
        ax.plot(
            epochs[rejected],
            h["cost"][rejected],
            "x",
            color="C4",
            label=pick(texts.NO_STEP if levenberg_marquardt else texts.REJECTED),
        )
    reason = _reason(result.stop_reason)
    if result.stop_reason in STOP_RULES:
        reason += f" = {h[STOP_RULES[result.stop_reason]][-1]}"
    ax.axvline(
        result.epochs,
        color="0.4",
        linestyle="--",
        label=pick(texts.STOP).format(reason=reason, epochs=result.epochs),
    )
    _log_scale(ax, np.concatenate([h["cost"], h["val_cost"] if has_val else []]))
    ax.set_xlabel(pick(texts.EPOCH))
    ax.set_ylabel(pick(texts.COLUMNS["cost"]))
    ax.set_title(pick(texts.HISTORY_TITLE) if title is None else title)
    place_legend(ax, legend)
    return ax


def _reason(stop_reason: str) -> str:
    """Why a run stopped, as a legend says it in the language in use."""
    return pick(texts.REASONS[stop_reason]) if stop_reason in texts.REASONS else stop_reason


#: The highest cost a log-scaled comparison plot shows (see :func:`plot_costs`).
_LOG_CEILING = 1e200


def _log_scale(ax: Axes, values: np.ndarray) -> None:
    """A logarithmic cost axis when every finite value is positive (costs fall over orders of
    magnitude; a linear axis hides all but the first epochs).

    Explicit limits: autoscaling a log axis adds a margin, and matplotlib's log ticks need
    headroom too; near 1e308 (a diverged run's last finite cost) both overflow. Above
    ``_LOG_CEILING`` a diverged curve simply leaves through the top of the plot."""
    shown = values[np.isfinite(values)]
    if shown.size and np.all(shown > 0):
        ax.set_ylim(shown.min() / 1.5, min(shown.max() * 1.5, _LOG_CEILING))
        ax.set_yscale("log")


def plot_costs(
    results: Mapping[str, TrainResult] | Iterable[tuple[str, TrainResult]],
    ax: Axes | None = None,
    *,
    column: str = "cost",
    title: str | None = None,
    log_epochs: bool = False,
    goal: float | None = None,
    legend: str = "below",
) -> Axes:
    """Several :func:`bpderive.train` runs on one Axes, to compare them; returns the Axes.

    ``results`` maps a label to a :class:`~bpderive.training.TrainResult` (or is a sequence of
    ``(label, result)`` pairs); curves are drawn in that order. ``column`` is the
    :class:`~bpderive.training.History` column to draw (``"cost"``, ``"val_cost"``,
    ``"grad_norm"``, ``"eta1"``). Each legend entry ends with how the run stopped,
    ``(stop: goal, epoch 129)``; a run that diverged ends in a cross at its last finite value
    (NaN/inf cannot be drawn). The y axis is logarithmic when every finite value is positive,
    and stops at 1e200: a diverging cost passes that on its way to overflow, and leaves the plot
    through the top. ``title=None`` is "Training cost" in the language in use. ``legend`` is one
    of :data:`LEGEND_PLACES` (default under the Axes, see :func:`legend_below`).

    ``log_epochs=True`` draws the epochs on a logarithmic axis too, for runs whose lengths
    differ by orders of magnitude (a dozen epochs against thousands); epoch ``k`` is drawn at
    ``k + 1``, so that the start (epoch 0) is on the plot. ``goal`` draws the cost goal the runs
    aimed at as a dashed horizontal line.
    """
    legend = check_legend(legend)
    if goal is not None:
        goal = real_scalar("goal", goal, "a finite cost goal > 0", lambda v: v > 0)
    pairs = _labelled_runs(results)
    ax = _axes(ax)
    everything = []
    for k, (label, result) in enumerate(pairs):
        h = result.history.as_arrays()
        if column not in h:
            valid = ", ".join(n for n in h if n not in ("epoch", "accepted"))
            raise ValueError(f"column: expected one of {valid}, got {column!r}")
        values = h[column].astype(float)
        epochs = h["epoch"] + 1 if log_epochs else h["epoch"]
        color = f"C{k % 10}"
        ax.plot(
            epochs,
            values,
            color=color,
            label=pick(texts.RUN).format(
                label=label, reason=_reason(result.stop_reason), epochs=result.epochs
            ),
        )
        if result.stop_reason == "diverged":
            finite = np.flatnonzero(np.isfinite(values))
            if finite.size:
                last = finite[-1]
                ax.plot([epochs[last]], [values[last]], "x", color=color, markersize=9)
        everything.append(values)
    if goal is not None:
        label = pick(texts.GOAL).format(goal=goal)
        ax.axhline(goal, color="0.4", linestyle="--", linewidth=0.8, label=label)
        everything.append(np.array([goal]))
    _log_scale(ax, np.concatenate(everything) if everything else np.array([]))
    if log_epochs:
        ax.set_xscale("log")
    ax.set_xlabel(pick(texts.EPOCH_PLUS_ONE if log_epochs else texts.EPOCH))
    ax.set_ylabel(pick(texts.COLUMNS[column]) if column in texts.COLUMNS else column)
    ax.set_title(pick(texts.COSTS_TITLE) if title is None else title)
    place_legend(ax, legend)
    return ax


def _labelled_runs(results: object) -> list[tuple[str, TrainResult]]:
    """``(label, result)`` pairs from a mapping or a sequence of pairs, each checked."""
    expected = "a mapping {label: TrainResult} or a sequence of (label, TrainResult) pairs"
    if isinstance(results, Mapping):
        pairs = list(results.items())
    elif isinstance(results, Iterable) and not isinstance(results, str | bytes):
        pairs = list(results)
        for k, pair in enumerate(pairs):
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise ValueError(
                    f"results[{k}]: expected a (label, TrainResult) pair, got {pair!r:.60}"
                )
    else:
        raise ValueError(f"results: expected {expected}, got {type(results).__name__}")
    return [(str(label), _run(f"results[{label!r}]", run)) for label, run in pairs]


def plot_activation(
    activation: str | Activation,
    ax: Axes | None = None,
    *,
    xlim: tuple[float, float] = (-5.0, 5.0),
    legend: str = "best",
) -> Axes:
    """An activation ``f`` and its derivative ``f'`` on one Axes; returns the Axes.

    ``activation`` is a name (``"logistic"``, ``"tansig"``, …) or an
    :class:`~bpderive.symbolic.activations.Activation`. Both curves are the SymPy expressions
    ``activation.formula`` and ``activation.derivative`` (the latter from ``sympy.diff``),
    lambdified; nothing is typed in here. Softmax is not element-wise and has no such curve.
    ``legend`` is one of :data:`LEGEND_PLACES` (default inside the Axes, where the two curves
    leave room).
    """
    import sympy as sp

    from bpderive.symbolic.activations import get_activation
    from bpderive.symbolic.notation import NET

    act = get_activation(activation)
    if not act.elementwise:
        raise ValueError(f"activation: {act.name!r} is not element-wise; plot its outputs instead")
    lo, hi = check_interval("xlim", xlim)
    legend = check_legend(legend)
    ax = _axes(ax)
    x = np.linspace(lo, hi, 401)
    for expr, label, style in (
        (act.formula, pick(texts.FUNCTION), "-"),
        (act.derivative, pick(texts.DERIVATIVE), "--"),
    ):
        y = np.broadcast_to(sp.lambdify(NET, expr, modules="numpy")(x), x.shape)
        ax.plot(x, y, style, label=label)
    ax.axhline(0.0, color="0.8", linewidth=0.8, zorder=0)
    ax.axvline(0.0, color="0.8", linewidth=0.8, zorder=0)
    ax.set_xlabel("x = net")
    ax.set_title(act.name)
    place_legend(ax, legend)
    return ax

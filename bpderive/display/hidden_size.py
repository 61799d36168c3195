"""The experiment that chooses the hidden layer's size (四.3), as a learner reads it: the sweep
of :func:`bpderive.sweep_hidden` as a table (:func:`sweep_table`) and as a figure
(:func:`plot_sweep`).

The article leaves the number of hidden units to experiment; these show the experiment's
answer, the training and validation cost of every candidate size, without the rows and axes a
notebook would otherwise build. Headers, labels and legend entries follow the language in use
(:mod:`bpderive.language`; the figure's texts are in :mod:`bpderive.display.figure_texts`).
Costs are shown to four significant digits, as every number that comes out of training is
(:mod:`bpderive.display.runs`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpderive.checks import real_scalar
from bpderive.display import figure_texts as texts
from bpderive.display.plotting import _axes, _pyplot
from bpderive.display.runs import COLUMNS
from bpderive.display.tables import Table, table
from bpderive.language import pick
from bpderive.training.hidden import SweepResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def _sweep(value: object) -> SweepResult:
    if not isinstance(value, SweepResult):
        raise ValueError(
            f"sweep: expected what bpderive.sweep_hidden returns, got {type(value).__name__}"
        )
    return value


def sweep_table(sweep: SweepResult) -> Table:
    """One row per candidate size ``h``: the training and validation cost of its best run
    (the seed with the lowest validation cost, named in the row) and why that run stopped."""
    rows = [
        [row.hidden, row.train_cost, row.val_cost, row.seed, row.result.stop_reason]
        for row in _sweep(sweep).rows
    ]
    headers = [
        texts.HIDDEN_UNITS,
        texts.TRAINING_COST,
        texts.VALIDATION_COST,
        ("best seed", "最好的种子"),
        COLUMNS["stop_reason"].header,
    ]
    return table(rows, headers, digits=4)


def plot_sweep(
    sweep: SweepResult,
    noise_floor: float | None = None,
    ax: Axes | None = None,
    *,
    title: str | None = None,
) -> Axes:
    """The training and validation cost of every candidate size (a logarithmic cost axis), the
    chosen size as a dashed line and, where the data's noise is known, the ``noise_floor``: the
    expected cost of the true function on new samples, which no size can beat on average;
    returns the Axes.

    ``title=None`` is "Choosing the hidden-layer size on a validation set" in the language in
    use. The legend stands beside the plot, off the data."""
    rows = _sweep(sweep).rows
    if ax is None:  # wide enough for the legend beside the plot, which the layout makes room for
        _, ax = _pyplot().subplots(figsize=(8, 4), layout="constrained")
    ax = _axes(ax)
    sizes = [row.hidden for row in rows]
    ax.plot(sizes, [row.train_cost for row in rows], "o-", label=pick(texts.TRAINING_COST))
    ax.plot(sizes, [row.val_cost for row in rows], "s-", label=pick(texts.VALIDATION_COST))
    if noise_floor is not None:
        floor = real_scalar("noise_floor", noise_floor, "a finite cost > 0", lambda v: v > 0)
        ax.axhline(floor, color="0.5", linestyle=":", label=pick(texts.NOISE_FLOOR))
    chosen = pick(texts.CHOSEN).format(h=sweep.best_hidden)
    ax.axvline(sweep.best_hidden, color="C2", linestyle="--", label=chosen)
    ax.set(xlabel=pick(texts.HIDDEN_UNITS), ylabel=pick(texts.COST), yscale="log")
    ax.set_title(pick(texts.SWEEP_TITLE) if title is None else title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1))
    return ax

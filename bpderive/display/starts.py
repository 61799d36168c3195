"""What the initial weights do (四.2), as tables and a figure a learner reads at a glance.

* :func:`units_table`: each hidden unit's incoming weights and bias after training, one row per
  unit of each run, where the units of an all-equal start are seen to stay copies of each other;
* :func:`plot_hidden_outputs`: histograms of every hidden layer's outputs right after
  initialisation, one panel per start, where a too small start is seen to squeeze the outputs
  into the middle and a too large one to push them to the ends;
* :func:`saturation_table` and :func:`spread_table`: the numbers behind those histograms.

Built by hand, each is a list of rows with every number rounded, or a grid of Axes set up one
by one, and the comparison is lost in the plumbing. Every header, label and legend entry is an
``(English, Chinese)`` pair written in the language in use (:mod:`bpderive.language`). Numbers
are shown to four significant digits, as the tables of training runs are
(:mod:`bpderive.display.runs`): a trained weight's last digits, and a statistic's over
thousands of outputs, depend on the order in which the machine adds.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import sympy as sp

from bpderive.checks import as_array, check_interval, int_scalar, real_scalar
from bpderive.display import figure_texts as texts
from bpderive.display.plotting import _pyplot
from bpderive.display.tables import Table, Text, table
from bpderive.language import pick
from bpderive.symbolic.activations import get_activation
from bpderive.symbolic.notation import OUT
from bpderive.training import TrainResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from bpderive.symbolic.activations import Activation

#: The significant digits of every number these tables show.
DIGITS = 4

#: One array ``(samples, units)`` per hidden layer, from the first: the hidden layers' ``outs``
#: of a forward pass (``net.compile().forward(params, X).outs[:-1]``).
HiddenOutputs = Sequence[np.ndarray]


def units_table(runs: Mapping[Hashable, TrainResult], label: Text = ("run", "训练")) -> Table:
    """One row per unit of the first hidden layer of each run (``runs`` maps a label, such as
    the name of a start, to what ``train`` returned): the unit's weights from each input,
    ``w_(x1,j)``, ``w_(x2,j)`` …, and its bias ``b_j``. The label, headed ``label``, is written
    on a run's first row only, so each run reads as one block.

    Equal rows within a block are units that compute the same function: what an all-equal start
    leaves after any amount of training (the symmetric-weights problem of 4.2.1)."""
    if not isinstance(runs, Mapping) or not runs:
        raise ValueError(f"runs: expected a mapping {{label: TrainResult}}, got {runs!r:.60}")
    rows: list[list[object]] = []
    for name, run in runs.items():
        if not isinstance(run, TrainResult):
            raise ValueError(f"runs[{name!r}]: expected a TrainResult, got {type(run).__name__}")
        W, b = run.params["W1"], run.params["b1"]
        for j, (weights, bias) in enumerate(zip(W, b, strict=True)):
            rows.append([name if j == 0 else "", f"h{j + 1}", *weights, bias])
    inputs = next(iter(runs.values())).params["W1"].shape[1]
    weights = [f"w_(x{i},j)" for i in range(1, inputs + 1)]
    return table(rows, [label, ("hidden unit", "隐含神经元"), *weights, "b_j"], digits=DIGITS)


def _layers(name: str, layers: object) -> list[np.ndarray]:
    """``layers`` checked: :data:`HiddenOutputs`, a non-empty list of 2-D arrays."""
    if isinstance(layers, np.ndarray) or not isinstance(layers, Sequence) or not layers:
        raise ValueError(
            f"{name}: expected a list of arrays (samples, units), one per hidden layer, "
            f"got {type(layers).__name__}"
        )
    arrays = [as_array(name, out) for out in layers]
    for out in arrays:
        if out.ndim != 2:
            raise ValueError(f"{name}: expected arrays (samples, units), got shape {out.shape}")
    return arrays


def _starts(outputs: object) -> dict[Hashable, list[np.ndarray]]:
    """``outputs`` checked: a non-empty mapping from a start's label to its
    :data:`HiddenOutputs`."""
    if not isinstance(outputs, Mapping) or not outputs:
        raise ValueError(
            f"outputs: expected a mapping {{start: hidden layers' outputs}}, got {outputs!r:.60}"
        )
    return {name: _layers(f"outputs[{name!r}]", layers) for name, layers in outputs.items()}


def plot_hidden_outputs(
    outputs: Mapping[str, HiddenOutputs],
    *,
    xlim: tuple[float, float] = (-1.0, 1.0),
    bins: int = 40,
    columns: int = 3,
) -> Figure:
    """Histograms of the hidden layers' outputs ``out_h``: one panel per start (``outputs``
    maps a start's label, its panel's title, to :data:`HiddenOutputs`), one line per hidden
    layer, every output of every sample and unit counted; returns the Figure.

    The panels share their axes, so the starts compare at a glance: outputs in a narrow peak
    at 0 are a nearly linear network whose signal fades, outputs piled at the ends of ``xlim``
    (tanh's (−1, 1) by default) are saturated units whose derivative is nearly 0. The legend
    fills the place after the last panel, titled with the numbers of samples and units."""
    starts = _starts(outputs)
    lo, hi = check_interval("xlim", xlim)
    bins = int_scalar("bins", bins, 1)
    columns = int_scalar("columns", columns, 1)
    plt = _pyplot()
    rows = math.ceil((len(starts) + 1) / columns)
    fig, axes = plt.subplots(
        rows,
        columns,
        figsize=(8.5, 2.8 * rows),
        sharex=True,
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    edges = np.linspace(lo, hi, bins + 1)
    for ax, (name, layers) in zip(axes.flat, starts.items(), strict=False):
        for layer, out in enumerate(layers, start=1):
            label = pick(texts.NTH_HIDDEN_LAYER).format(k=layer)
            ax.hist(out.ravel(), bins=edges, histtype="step", linewidth=1.5, label=label)
        ax.set(title=str(name), xlabel="out_h")
        ax.xaxis.set_tick_params(labelbottom=True)
    for ax in axes[:, 0]:
        ax.set_ylabel(pick(texts.COUNT))
    for ax in axes.flat[len(starts) :]:
        ax.axis("off")  # the legend's place, and any left empty
    first = next(iter(starts.values()))
    samples, units = first[0].shape
    same_width = all(out.shape[1] == units for out in first)
    title = texts.SAMPLES_UNITS if same_width else texts.SAMPLES
    handles, labels = axes.flat[0].get_legend_handles_labels()
    legend_place = axes.flat[len(starts)]  # the rows leave at least this one free
    legend_place.legend(
        handles, labels, loc="center", title=pick(title).format(n=samples, units=units)
    )
    return fig


def saturation_table(
    outputs: Mapping[Hashable, HiddenOutputs],
    activation: str | Activation,
    saturated: float = 0.99,
) -> Table:
    """One row per hidden layer of each start (``outputs`` maps a start's label to
    :data:`HiddenOutputs`): the standard deviation of its outputs, the share of outputs beyond
    ``±saturated``, and the mean slope of the ``activation`` (a name such as ``"tanh"``, or an
    :class:`~bpderive.symbolic.activations.Activation`) at its units' net inputs.

    The slope is SymPy's derivative written in the unit's own output
    (``activation.derivative_in_output``, tanh's ``1 − out²``), so it is read from the outputs
    alone. A mean slope near 1 is a unit in tanh's nearly linear middle; near 0, a saturated
    unit that passes back almost none of the error."""
    starts = _starts(outputs)
    act = get_activation(activation)
    form = getattr(act, "derivative_in_output", None)
    if form is None:
        raise ValueError(
            f"activation: expected one whose derivative is written in its output (such as "
            f"tanh or logistic), got {act.name!r}"
        )
    limit = real_scalar("saturated", saturated, "a number in (0, 1)", lambda v: 0 < v < 1)
    slope = sp.lambdify(OUT, form, "numpy")
    rows = [
        [
            name if layer == 1 else "",
            layer,
            out.std(),
            np.mean(np.abs(out) > limit),
            np.mean(slope(out)),
        ]
        for name, layers in starts.items()
        for layer, out in enumerate(layers, start=1)
    ]
    headers = [
        ("start", "初值"),
        ("hidden layer", "隐含层"),
        ("std of out_h", "out_h 的标准差"),
        (f"share saturated (|out_h| > {limit:g})", f"饱和的比例（|out_h| > {limit:g}）"),
        (f"mean {act.name}'(net)", f"{act.name}'(net) 的平均值"),
    ]
    return table(rows, headers, digits=DIGITS)


def spread_table(outputs: HiddenOutputs, params: Mapping[str, np.ndarray]) -> Table:
    """Where the spread of one start's hidden outputs comes from, one row per hidden layer:
    the standard deviation of all its outputs, split into the part that varies with the input
    (each unit's standard deviation over the samples, as a root mean square over the units)
    and the part fixed per unit (the standard deviation of the units' mean outputs), whose
    squares add up to the whole's; beside them, the standard deviation of the layer's biases
    and the gain of its weights, the root of the sum of the squares of a unit's incoming
    weights (a root mean square over the units), the factor by which the layer scales the
    spread it receives.

    ``params`` are the start's parameters (``W1``, ``b1``, …, as ``initialize`` returns them).
    A part that varies with the input and shrinks layer after layer is a signal that fades; a
    fixed part is the biases' noise, which no input can change."""
    layers = _layers("outputs", outputs)
    rows = []
    for layer, out in enumerate(layers, start=1):
        missing = {f"W{layer}", f"b{layer}"} - set(params)
        if missing:
            raise ValueError(f"params: expected the start's {', '.join(sorted(missing))}")
        W, b = as_array(f"params['W{layer}']", params[f"W{layer}"]), params[f"b{layer}"]
        b = as_array(f"params['b{layer}']", b)
        rows.append(
            [
                layer,
                out.std(),
                np.sqrt(out.var(axis=0).mean()),
                out.mean(axis=0).std(),
                b.std(),
                np.sqrt((W**2).sum(axis=1).mean()),
            ]
        )
    headers = [
        ("hidden layer", "隐含层"),
        ("std of out_h", "out_h 的标准差"),
        ("part that varies with the input", "随输入变化的部分"),
        ("part fixed per unit", "每个神经元固定的部分"),
        ("std of the layer's biases", "这一层阈值的标准差"),
        ("gain of its weights", "这一层权值的增益"),
    ]
    return table(rows, headers, digits=DIGITS)

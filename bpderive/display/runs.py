"""Tables of training runs: one row per run of :func:`bpderive.train` (:func:`runs_table`), or
one row per epoch of a run (:func:`history_table`).

The notebooks compare runs all the time: four variants of gradient descent, ten random starts,
two early-stopping rules. Built by hand, each such table is a list of rows, every number rounded,
every network's outputs joined into a string, and the comparison is lost in the plumbing. Here a
column is named once, with its header in English and Chinese, and a cell reads as the comparison
it makes: ``runs_table(restarts, ["stop_reason", "epochs", "cost", outputs(net, X)])``.

Numbers that come out of training are shown to four significant digits, a gradient's norm to
two: their last digits depend on the order in which the machine adds, so more would differ from
one computer to another (and the notebooks' stored outputs are compared exactly).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bpderive.checks import as_array, int_scalar
from bpderive.display.tables import Table, Text, table
from bpderive.training import TrainResult

if TYPE_CHECKING:
    from bpderive.network import Network

#: A gradient's norm below this is what rounding leaves of a zero gradient: its digits differ
#: from one machine to another, so it is shown as ``< 1e-12``.
NOISE = 1e-12


@dataclass(frozen=True)
class Column:
    """A column of :func:`runs_table`: its header (a string, or an ``(English, Chinese)`` pair)
    and what it shows for the run in a row, given the row's label and the run; a number is
    shown to ``digits`` significant digits."""

    header: Text
    value: Callable[[Hashable, TrainResult], object]
    digits: int = 4


def _norm(value: float) -> object:
    """A gradient's norm as a table shows it: ``< 1e-12`` where only rounding is left."""
    return f"< {NOISE:g}" if value < NOISE else value


#: The columns :func:`runs_table` knows by name.
COLUMNS = {
    "stop_reason": Column(("stop_reason", "停止原因"), lambda _, run: run.stop_reason),
    "epochs": Column(("epochs", "训练周期"), lambda _, run: run.epochs),
    "best_epoch": Column(("weights of epoch", "权值取自训练周期"), lambda _, run: run.best_epoch),
    "cost": Column(("training cost", "训练代价"), lambda _, run: run.cost),
    "val_cost": Column(("validation cost", "验证集代价"), lambda _, run: run.val_cost),
    "final_eta1": Column(("final η1", "最终的 η1"), lambda _, run: run.history.eta1[-1]),
    "rejected": Column(
        ("rejected steps", "被撤销的步数"), lambda _, run: run.history.accepted.count(False)
    ),
    "grad_norm": Column(
        ("‖∇E‖ at the end", "最后的 ‖∇E‖"), lambda _, run: _norm(run.history.grad_norm[-1]), 2
    ),
    "largest_grad_norm": Column(
        ("largest ‖∇E‖ on the way", "训练中最大的 ‖∇E‖"),
        lambda _, run: _norm(max(run.history.grad_norm)),
        2,
    ),
}

#: The history columns :func:`at_epoch` reads, with their headers.
_AT_EPOCH = {
    "cost": ("cost after {epochs}", "{epochs}后的代价"),
    "val_cost": ("validation cost after {epochs}", "{epochs}后的验证集代价"),
    "grad_norm": ("‖∇E‖ after {epochs}", "{epochs}后的 ‖∇E‖"),
}


def _epochs(count: int) -> tuple[str, str]:
    """``count`` epochs in words, as the notebooks write numbers: a comma in five digits or
    more (``20,000``, but ``3000``)."""
    number = f"{count:,}" if count >= 10_000 else str(count)
    return f"{number} epoch{'' if count == 1 else 's'}", f"{number} 个训练周期"


def at_epoch(column: str, epoch: int) -> Column:
    """A column of a history column's value after ``epoch`` epochs (``"cost"``, ``"val_cost"``
    or ``"grad_norm"``); empty for a run that stopped before. To compare runs on the same
    epoch, whatever happened to them later."""
    if column not in _AT_EPOCH:
        raise ValueError(f"column: expected one of {', '.join(_AT_EPOCH)}, got {column!r}")
    epoch = int_scalar("epoch", epoch, 0)
    header = tuple(
        t.format(epochs=e) for t, e in zip(_AT_EPOCH[column], _epochs(epoch), strict=True)
    )

    def value(_: Hashable, run: TrainResult) -> object:
        if epoch > run.epochs:
            return None
        number = getattr(run.history, column)[epoch]
        return _norm(number) if column == "grad_norm" else number

    return Column(header, value, 2 if column == "grad_norm" else 4)  # type: ignore[arg-type]


#: Inputs for a column: one array for every run, or one per run, by the runs' labels (runs that
#: learned from differently prepared data, such as raw and normalised inputs).
Inputs = np.ndarray | Mapping[Hashable, np.ndarray]


def _for(name: str, data: Inputs, label: Hashable) -> np.ndarray:
    """The row's own array, where ``data`` gives one per run."""
    if isinstance(data, Mapping):
        if label not in data:
            raise ValueError(f"{name}: no data for the run {label!r}")
        return as_array(name, data[label])
    return as_array(name, data)


def _outputs(net: Network, run: TrainResult, X: np.ndarray) -> np.ndarray:
    return net.compile().forward(run.params, X).output


def accuracy(
    net: Network, X: Inputs, T: np.ndarray, header: Text = ("accuracy", "准确率")
) -> Column:
    """A column of each run's accuracy on ``X`` with targets ``T``: the share of samples whose
    largest output is at the target's class (one-hot targets; with one output, whether it is
    on the target's side of 0.5). ``X`` may give each run its own inputs (:data:`Inputs`)."""

    def value(label: Hashable, run: TrainResult) -> float:
        out, target = _outputs(net, run, _for("X", X, label)), as_array("T", T)
        if out.shape[1] == 1:
            return float(np.mean((out[:, 0] > 0.5) == (target.reshape(len(out)) > 0.5)))
        return float(np.mean(out.argmax(axis=1) == target.argmax(axis=1)))

    return Column(header, value)


def cost_on(
    net: Network,
    X: Inputs,
    T: np.ndarray,
    header: Text = ("cost on these samples", "这些样本上的代价"),
) -> Column:
    """A column of each run's cost on samples it may not have trained on (a validation or a
    test set): the cost of the parameters ``train`` returned."""
    return Column(header, lambda label, run: net.compile().cost(run.params, _for("X", X, label), T))


def outputs(net: Network, X: np.ndarray, decimals: int = 2) -> Column:
    """A column of each run's outputs for the few samples ``X`` (XOR's four), side by side to
    ``decimals`` decimals; the header names the inputs. With several outputs, each sample's
    are in parentheses."""
    X = as_array("X", X)
    decimals = int_scalar("decimals", decimals, 0)
    inputs = " ".join("(" + ",".join(f"{v:g}" for v in x) + ")" for x in X)
    header = (f"outputs for {inputs}", f"{inputs} 的输出")

    def value(_: Hashable, run: TrainResult) -> str:
        out = _outputs(net, run, X)
        shown = [", ".join(f"{v:.{decimals}f}" for v in row) for row in out]
        return " ".join(shown if out.shape[1] == 1 else (f"({s})" for s in shown))

    return Column(header, value)


#: A column of a table of runs: a name of :data:`COLUMNS`, a :class:`Column`, or a pair
#: ``(header, function of a run)`` for a number of the notebook's own.
ColumnSpec = str | Column | tuple[Text, Callable[[TrainResult], object]]


def _column(spec: ColumnSpec) -> Column:
    if isinstance(spec, Column):
        return spec
    if isinstance(spec, str):
        if spec not in COLUMNS:
            raise ValueError(f"columns: expected one of {', '.join(COLUMNS)}, got {spec!r}")
        return COLUMNS[spec]
    if isinstance(spec, tuple) and len(spec) == 2 and callable(spec[1]):
        header, function = spec
        return Column(header, lambda _, run: function(run))
    raise ValueError(
        f"columns: expected a column's name, a Column or a (header, function) pair, got {spec!r}"
    )


def runs_table(
    runs: Mapping[Hashable, TrainResult],
    columns: Sequence[ColumnSpec],
    label: Text = ("run", "训练"),
) -> Table:
    """One row per run (``runs`` maps a label, such as a seed or a method, to what ``train``
    returned), one column per entry of ``columns``, after a first column of the labels headed
    ``label``.

    A column is a name of :data:`COLUMNS` (``"stop_reason"``, ``"epochs"``, ``"best_epoch"``,
    ``"cost"``, ``"val_cost"``, ``"final_eta1"``, ``"rejected"``, ``"grad_norm"``,
    ``"largest_grad_norm"``), a column made for some data or epoch (:func:`at_epoch`,
    :func:`accuracy`, :func:`cost_on`, :func:`outputs`), or ``(header, function)`` for a number
    of one's own: ``("times below plain", lambda run: plain / run.cost)``."""
    if not isinstance(runs, Mapping) or not runs:
        raise ValueError(f"runs: expected a mapping {{label: TrainResult}}, got {runs!r:.60}")
    for name, run in runs.items():
        if not isinstance(run, TrainResult):
            raise ValueError(f"runs[{name!r}]: expected a TrainResult, got {type(run).__name__}")
    chosen = [_column(spec) for spec in _listed("columns", columns)]
    rows = [
        [name, *(_shown(c.value(name, run), c.digits) for c in chosen)]
        for name, run in runs.items()
    ]
    return table(rows, [label, *(c.header for c in chosen)])


def _listed(name: str, values: object) -> list:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise ValueError(f"{name}: expected a list, got {values!r:.60}")
    return list(values)


def _shown(value: object, digits: int) -> object:
    """A value to ``digits`` significant digits (an integer or a text as it is)."""
    if isinstance(value, float | np.floating) and np.isfinite(value):
        return float(f"{value:.{digits}g}")
    return value


def restarts_table(
    groups: Mapping[Hashable, Mapping[Hashable, TrainResult]], label: Text = ("runs", "训练")
) -> Table:
    """How many random starts ended each way: ``groups`` maps a label (a setting) to the runs
    from many starts, by seed; one row per setting and way of ending, that is the stop reason
    and, short of the goal, the training cost (four digits, so that starts stuck at the same
    cost are counted together), with the number of starts that ended so and, short of the goal,
    their seeds. To see at a glance whether a setting leaves starts stuck, and which."""
    if not isinstance(groups, Mapping) or not groups:
        raise ValueError(
            f"groups: expected a mapping {{label: {{seed: TrainResult}}}}, got {groups!r:.60}"
        )
    rows = []
    for name, runs in groups.items():
        if not isinstance(runs, Mapping):
            raise ValueError(f"groups[{name!r}]: expected a mapping {{seed: TrainResult}}")
        ends: dict[tuple[str, object], list[Hashable]] = {}
        for seed, run in runs.items():
            if not isinstance(run, TrainResult):
                raise ValueError(
                    f"groups[{name!r}][{seed!r}]: expected a TrainResult, got {type(run).__name__}"
                )
            cost = None if run.stop_reason == "goal" else _shown(run.cost, 4)
            ends.setdefault((run.stop_reason, cost), []).append(seed)
        for (stop, cost), seeds in ends.items():
            listed = "" if stop == "goal" else ", ".join(map(str, seeds))
            rows.append([name, stop, cost, len(seeds), listed])
    headers = [
        label,
        COLUMNS["stop_reason"].header,
        COLUMNS["cost"].header,
        ("starts", "起点数"),
        ("seeds", "种子"),
    ]
    return table(rows, headers)


#: What :func:`history_table` shows for an epoch, by column.
_HISTORY = {
    "cost": ("cost", "代价"),
    "val_cost": ("validation cost", "验证集代价"),
    "val_change": ("since the epoch before", "与上一个训练周期相比"),
    "val_fail": ("val_fail (max_fail)", "val_fail (max_fail)"),
    "val_rises": ("val_rises (max_rises)", "val_rises (max_rises)"),
    "eta1": ("η1", "η1"),
    "mu": ("μ", "μ"),
    "grad_norm": ("‖∇E‖", "‖∇E‖"),
}
_CHANGE = {1: ("rose", "上升"), 0: ("same", "不变"), -1: ("fell", "下降")}


def history_table(run: TrainResult, epochs: Iterable[int], columns: Sequence[str]) -> Table:
    """One row per epoch of ``run`` (each of ``epochs``), one column per history column
    (``"cost"``, ``"val_cost"``, ``"val_fail"``, ``"val_rises"``, ``"eta1"``, ``"mu"``,
    ``"grad_norm"``), and ``"val_change"``: whether the validation cost rose, stayed or fell
    since the epoch before, what the article's early-stopping rule counts."""
    if not isinstance(run, TrainResult):
        raise ValueError(f"run: expected a TrainResult, got {type(run).__name__}")
    for name in _listed("columns", columns):
        if name not in _HISTORY:
            raise ValueError(f"columns: expected one of {', '.join(_HISTORY)}, got {name!r}")
    h = run.history
    rows = []
    for epoch in _listed("epochs", epochs):
        first = 1 if "val_change" in columns else 0  # a change needs an epoch before
        if not first <= int_scalar("epochs", epoch, 0) <= run.epochs:
            raise ValueError(f"epochs: expected epochs {first} to {run.epochs}, got {epoch}")
        row: list[object] = [epoch]
        for name in columns:
            if name == "val_change":
                row.append(_CHANGE[int(np.sign(h.val_cost[epoch] - h.val_cost[epoch - 1]))])
            elif name == "grad_norm":
                row.append(_shown(_norm(h.grad_norm[epoch]), 2))
            else:
                row.append(_shown(getattr(h, name)[epoch], 4))
        rows.append(row)
    return table(rows, [("epoch", "训练周期"), *(_HISTORY[name] for name in columns)])

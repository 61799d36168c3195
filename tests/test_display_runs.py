"""Tables of training runs (bpderive.display.runs) and the table helpers they stand on: every
cell is the number the run holds, to four significant digits (a gradient's norm to two), and
every header reads in the language in use."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bpderive import Network, set_language, train
from bpderive.data import sine, split, xor
from bpderive.display import as_published, table
from bpderive.display.runs import (
    Column,
    accuracy,
    at_epoch,
    cost_on,
    history_table,
    outputs,
    restarts_table,
    runs_table,
)


@pytest.fixture(scope="module")
def xor_runs() -> tuple[Network, dict]:
    """A 2-2-1 network on XOR from two starts: one reaches the goal, one is stopped by the cap."""
    net = Network((2, 2, 1))
    X, T = xor()
    runs = {seed: train(net, X, T, eta1=2.0, goal=0.005, epochs=2000, seed=seed) for seed in (1, 2)}
    return net, runs


@pytest.fixture(scope="module")
def stopped() -> object:
    """A run stopped by the article's rule, with a validation cost that rose and fell."""
    X, T = sine(n=30, seed=0, noise=0.3)
    halves = split(X, T, fractions=(0.5, 0.5, 0.0), seed=0)
    net = Network((1, 15, 1), activations=("tanh", "linear"))
    options = {"eta1": 0.05, "momentum": 0.9, "adaptive": True, "epochs": 3000, "seed": 1}
    return train(
        net, *halves.train, validation=halves.validation, max_fail=None, max_rises=6, **options
    )


def _cells(shown) -> list[list[str]]:
    return [[text for _, text in row] for row in shown.cells]


def test_a_runs_table_shows_each_runs_numbers_by_name(xor_runs) -> None:
    net, runs = xor_runs
    X, T = xor()
    shown = runs_table(runs, ["stop_reason", "epochs", "cost", outputs(net, X)], "seed")
    assert shown.headers == [
        "seed",
        "stop_reason",
        "epochs",
        "training cost",
        "outputs for (0,0) (0,1) (1,0) (1,1)",
    ]
    for row, (seed, run) in zip(_cells(shown), runs.items(), strict=True):
        out = net.compile().forward(run.params, X).output[:, 0]
        assert row[:3] == [str(seed), run.stop_reason, str(run.epochs)]
        assert float(row[3]) == float(f"{run.cost:.4g}")
        assert row[4] == " ".join(f"{v:.2f}" for v in out)
    assert {row[1] for row in _cells(shown)} == {"goal", "epochs"}


def test_a_runs_table_is_chinese_in_chinese(xor_runs) -> None:
    net, runs = xor_runs
    set_language("zh")
    shown = runs_table(
        runs, ["stop_reason", "cost", at_epoch("cost", 1000), outputs(net, xor()[0])]
    )
    assert shown.headers == [
        "训练",
        "停止原因",
        "训练代价",
        "1000 个训练周期后的代价",
        "(0,0) (0,1) (1,0) (1,1) 的输出",
    ]
    assert at_epoch("grad_norm", 20_000).header == (
        "‖∇E‖ after 20,000 epochs",
        "20,000 个训练周期后的 ‖∇E‖",
    )


def test_at_epoch_reads_the_history_and_leaves_a_stopped_run_empty(xor_runs) -> None:
    _, runs = xor_runs
    goal = next(run for run in runs.values() if run.stop_reason == "goal")
    late = at_epoch("cost", goal.epochs + 1)
    assert late.value(1, goal) is None
    assert at_epoch("cost", 10).value(1, goal) == goal.history.cost[10]
    assert at_epoch("cost", 1).header[0] == "cost after 1 epoch"
    with pytest.raises(ValueError, match=r"^column: expected one of cost, val_cost, grad_norm"):
        at_epoch("eta", 3)


def test_a_gradients_norm_keeps_two_digits_and_hides_rounding_noise(xor_runs) -> None:
    _, runs = xor_runs
    run = runs[1]
    shown = runs_table({"run": run}, ["grad_norm"])
    assert float(_cells(shown)[0][1]) == float(f"{run.history.grad_norm[-1]:.2g}")
    norms = [*run.history.grad_norm[:-1], 3e-13]  # a zero gradient, as rounding leaves it
    quiet = replace(run, history=replace(run.history, grad_norm=norms))
    assert _cells(runs_table({"run": quiet}, ["grad_norm"]))[0][1] == "< 1e-12"


def test_columns_for_data_compute_accuracy_and_cost_per_run() -> None:
    net = Network((2, 3, 2))
    X, T = xor(one_hot=True)
    runs = {"raw": train(net, X, T, epochs=50, seed=0), "scaled": train(net, 2 * X, T, epochs=50)}
    compiled = net.compile()
    inputs = {"raw": X, "scaled": 2 * X}
    shown = runs_table(runs, [accuracy(net, inputs, T), cost_on(net, X, T, "cost on X")])
    assert shown.headers == ["run", "accuracy", "cost on X"]
    for row, (name, run) in zip(_cells(shown), runs.items(), strict=True):
        out = compiled.forward(run.params, inputs[name]).output
        assert float(row[1]) == pytest.approx(np.mean(out.argmax(1) == T.argmax(1)))
        assert float(row[2]) == float(f"{compiled.cost(run.params, X, T):.4g}")
    with pytest.raises(ValueError, match=r"^X: no data for the run 'raw'"):
        runs_table(runs, [accuracy(net, {"scaled": X}, T)])


def test_a_column_of_ones_own_is_a_header_and_a_function(xor_runs) -> None:
    _, runs = xor_runs
    shown = runs_table(runs, [(("twice the cost", "代价的两倍"), lambda run: 2 * run.cost)])
    assert shown.headers[1] == "twice the cost"
    assert float(_cells(shown)[0][1]) == float(f"{2 * runs[1].cost:.4g}")
    assert isinstance(runs_table(runs, [Column("n", lambda _, run: 1)]), type(shown))
    with pytest.raises(ValueError, match=r"^columns: expected one of stop_reason, epochs"):
        runs_table(runs, ["final cost"])
    with pytest.raises(ValueError, match=r"^runs\[1\]: expected a TrainResult, got str"):
        runs_table({1: "run"}, ["cost"])


def test_a_history_table_follows_the_article_s_counter(stopped) -> None:
    h = stopped.history
    shown = history_table(
        stopped, range(3, 12), ["val_cost", "val_change", "val_fail", "val_rises"]
    )
    assert shown.headers == [
        "epoch",
        "validation cost",
        "since the epoch before",
        "val_fail (max_fail)",
        "val_rises (max_rises)",
    ]
    for row, k in zip(_cells(shown), range(3, 12), strict=True):
        change = {1: "rose", 0: "same", -1: "fell"}[int(np.sign(h.val_cost[k] - h.val_cost[k - 1]))]
        assert row == [str(k), row[1], change, str(h.val_fail[k]), str(h.val_rises[k])]
        assert float(row[1]) == float(f"{h.val_cost[k]:.4g}")
        assert (row[2] == "rose") == (h.val_rises[k] > 0)  # the article counts rises only
    shown = history_table(stopped, [0, 2], ["cost", "eta1", "grad_norm"])
    assert shown.headers == ["epoch", "cost", "η1", "‖∇E‖"]
    for row, k in zip(_cells(shown), (0, 2), strict=True):
        assert [float(row[1]), float(row[2])] == [float(f"{v[k]:.4g}") for v in (h.cost, h.eta1)]
        assert float(row[3]) == float(f"{h.grad_norm[k]:.2g}")
    set_language("zh")
    assert history_table(stopped, [5], ["val_change"]).headers == [
        "训练周期",
        "与上一个训练周期相比",
    ]
    with pytest.raises(ValueError, match=r"^epochs: expected epochs 1 to"):
        history_table(stopped, [0], ["val_change"])
    with pytest.raises(ValueError, match=r"^columns: expected one of cost"):
        history_table(stopped, [1], ["loss"])


def test_a_table_takes_its_rows_from_zip_and_rounds_training_numbers() -> None:
    names, values = ["a", "b"], [0.123456789, 2.0]
    shown = table(zip(names, values, [3, 4], strict=True), ["name", "value", "n"], digits=4)
    assert _cells(shown) == [["a", "0.1235", "3"], ["b", "2", "4"]]
    assert _cells(table([["a", 0.123456789]], ["name", "value"])) == [["a", "0.123457"]]
    with pytest.raises(ValueError, match=r"^digits: expected an int >= 1"):
        table([["a", 1.5]], ["name", "value"], digits=0)


def test_a_number_is_compared_as_it_was_published() -> None:
    assert as_published("0.35891648", 0.358916479717) == "0.35891648 ✓"
    assert as_published("0.291027924", 0.2910277737) == "0.291027774"
    assert as_published("0.5", 0.5) == "0.5 ✓"
    with pytest.raises(ValueError, match=r"^published: expected a number as printed"):
        as_published("about 0.3", 0.3)


def test_a_restarts_table_counts_the_starts_by_how_they_ended() -> None:
    net = Network((2, 2, 1))
    X, T = xor()
    starts = {
        seed: train(net, X, T, eta1=2.0, goal=0.005, epochs=1500, seed=seed) for seed in range(6)
    }
    shown = runs_table(starts, ["stop_reason", "cost"])
    ends = {}
    for seed, (_, stop, cost) in zip(starts, _cells(shown), strict=True):
        ends.setdefault((stop, "" if stop == "goal" else cost), []).append(str(seed))
    expected = [
        ["2-2-1", stop, cost, str(len(seeds)), "" if stop == "goal" else ", ".join(seeds)]
        for (stop, cost), seeds in ends.items()
    ]
    counted = restarts_table({"2-2-1": starts}, "network")
    assert counted.headers == ["network", "stop_reason", "training cost", "starts", "seeds"]
    assert _cells(counted) == expected
    assert len(expected) >= 2  # some starts reach the goal, some do not
    set_language("zh")
    assert restarts_table({"2-2-1": starts}).headers == [
        "训练",
        "停止原因",
        "训练代价",
        "起点数",
        "种子",
    ]
    with pytest.raises(ValueError, match=r"^groups\['a'\]: expected a mapping"):
        restarts_table({"a": [starts[0]]})


def test_one_output_is_a_class_by_its_side_of_a_half(xor_runs) -> None:
    net, runs = xor_runs
    X, T = xor()
    for row, run in zip(
        _cells(runs_table(runs, [accuracy(net, X, T)])), runs.values(), strict=True
    ):
        out = net.compile().forward(run.params, X).output[:, 0]
        assert float(row[1]) == np.mean((out > 0.5) == (T[:, 0] > 0.5))


def test_several_outputs_are_shown_sample_by_sample() -> None:
    net = Network((2, 2, 2))
    X, T = xor(one_hot=True)
    run = train(net, X, T, epochs=3)
    shown = runs_table({"2-2-2": run}, [outputs(net, X[:2], 1)])
    assert shown.headers[1] == "outputs for (0,0) (0,1)"
    out = net.compile().forward(run.params, X[:2]).output
    assert _cells(shown)[0][1] == " ".join(f"({a:.1f}, {b:.1f})" for a, b in out)

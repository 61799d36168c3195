"""One network from several random starts (bpderive.training.restarts), what a run passes by
(bpderive.training.callbacks.Kept) and how long the starts took to their goal
(bpderive.display.restarts): each is the run ``train`` gives, with what a comparison needs
beside it."""

from __future__ import annotations

import numpy as np
import pytest

from bpderive import Network, set_language, train
from bpderive.data import xor
from bpderive.display import table
from bpderive.display.restarts import epochs_to_goal
from bpderive.display.runs import runs_table
from bpderive.training import Kept, train_seeds

X, T = xor()


def test_kept_keeps_a_measure_or_the_parameters_every_so_many_epochs() -> None:
    net = Network((2, 2, 1))
    cost = net.compile().cost
    curve = Kept(lambda params: cost(params, X, T))
    run = train(net, X, T, eta1=0.5, epochs=20, callback=curve)
    assert np.allclose(curve, run.history.cost, rtol=1e-12)  # the start and every epoch
    kept = Kept(every=5)
    run = train(net, X, T, eta1=0.5, epochs=20, callback=kept)
    assert len(kept) == 5  # epochs 0, 5, 10, 15 and 20
    assert all(np.array_equal(kept[-1][name], run.params[name]) for name in run.params)
    train(net, X, T, eta1=0.5, epochs=4, callback=kept)  # a second run: its values after
    assert len(kept) == 5 + 1
    with pytest.raises(ValueError, match="every"):
        Kept(every=0)
    with pytest.raises(ValueError, match="measure"):
        Kept("cost")


def test_train_seeds_is_train_from_every_seed_with_the_kept_parameters() -> None:
    net = Network((2, 2, 1))
    options = {"eta1": 2.0, "goal": 0.005, "epochs": 300}
    restarts = train_seeds(net, X, T, (3, 1), keep_every=100, **options)
    assert list(restarts) == [3, 1] and restarts.net is net
    for seed, run in restarts.items():
        alone = train(net, X, T, seed=seed, **options)
        assert run.epochs == alone.epochs and run.cost == alone.cost
    kept_per_run = [run.epochs // 100 + 1 for run in restarts.values()]
    assert len(restarts.kept) == sum(kept_per_run)  # run after run, the start included
    start = restarts.kept[kept_per_run[0]]  # the second run's start
    assert np.array_equal(start["W1"], train(net, X, T, seed=1, epochs=0).params["W1"])
    shown = runs_table(restarts, ["epochs"], "seed")  # it reads as {seed: run}
    assert [row[0][1] for row in shown.cells] == ["3", "1"]
    assert train_seeds(net, X, T, [0], epochs=2).kept == []  # kept only when asked
    with pytest.raises(ValueError, match="seed: expected not given"):
        train_seeds(net, X, T, [0], seed=1)
    with pytest.raises(ValueError, match="seeds: expected different seeds"):
        train_seeds(net, X, T, [0, 0])
    with pytest.raises(ValueError, match="seeds: expected a sequence"):
        train_seeds(net, X, T, 3)


def test_epochs_to_goal_is_a_median_only_where_every_start_got_there() -> None:
    net = Network((2, 2, 1))
    restarts = train_seeds(net, X, T, (0, 1, 3, 5), eta1=2.0, goal=0.005, epochs=3000)
    assert all(run.stop_reason == "goal" for run in restarts.values())
    epochs = sorted(run.epochs for run in restarts.values())
    assert epochs_to_goal(restarts) == (epochs[1] + epochs[2]) / 2
    capped = train_seeds(net, X, T, (0, 1, 3, 5), eta1=2.0, goal=0.005, epochs=epochs[1])
    reached = sum(run.stop_reason == "goal" for run in capped.values())
    assert 0 < reached < 4
    assert epochs_to_goal(list(capped.values())) == (
        f"{reached} of 4 got there",
        f"4 次中 {reached} 次达到",
    )
    with pytest.raises(ValueError, match="results of bpderive.train"):
        epochs_to_goal([])


def test_epochs_to_goal_reads_in_the_language_in_use() -> None:
    capped = train_seeds(Network((2, 2, 1)), X, T, range(2), eta1=0.1, goal=1e-6, epochs=3)
    headers = ["epochs to the goal"]
    assert table([[epochs_to_goal(capped)]], headers).text().endswith("0 of 2 got there")
    set_language("zh")
    assert table([[epochs_to_goal(capped)]], headers).text().endswith("2 次中 0 次达到")

"""A real classification task: scikit-learn's handwritten digits, trained by bpderive and peers.

The 1,797 images of 8×8 pixels (``sklearn.datasets.load_digits``, shipped inside scikit-learn,
no download) go to a 64-30-10 network with a softmax output and the cross-entropy, trained by
mini-batch SGD (η 0.5, 32 samples a step, 60 epochs, no momentum, no weight decay) on three
quarters of them; the rest is the test set. Every library starts from the same parameters and
trains on the same split, each in its own sample order (no two libraries shuffle alike). What
is timed is the whole training run; what is compared besides the time is the test accuracy,
which says that each library trained the same kind of network to the same kind of result.
"""

from __future__ import annotations

import importlib.util
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from bpderive.network import Network
from bpderive.training import train
from bpderive.training.initializers import initialize

SIZES = (64, 30, 10)
ETA, BATCH, EPOCHS, SEED = 0.5, 32, 60, 0
#: The hidden activations compared: the name bpderive and scikit-learn share, and PyTorch's.
HIDDEN = (("logistic", "sigmoid"), ("tanh", "tanh"))

Params = dict[str, np.ndarray]


@dataclass(frozen=True)
class Split:
    """Training and test data: pixels scaled to [0, 1], one-hot targets, the test labels."""

    X: np.ndarray
    T: np.ndarray
    labels: np.ndarray
    X_test: np.ndarray
    labels_test: np.ndarray


def available() -> bool:
    """Whether scikit-learn, which holds the data, is installed."""
    return importlib.util.find_spec("sklearn") is not None


def torch_available() -> bool:
    """Whether PyTorch, the second peer, is installed."""
    return importlib.util.find_spec("torch") is not None


def split(seed: int = SEED) -> Split:
    """A quarter of the digits, drawn with ``seed``, held out for testing."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    order = np.random.default_rng(seed).permutation(len(y))
    test, fit = order[: len(y) // 4], order[len(y) // 4 :]
    T = np.eye(SIZES[-1])[y[fit]]
    return Split(X[fit] / 16.0, T, y[fit], X[test] / 16.0, y[test])


def start(hidden: str) -> tuple[Network, Params]:
    """The network and the parameters every library starts from (Glorot's uniform weights)."""
    net = Network(SIZES, (hidden, "softmax"), "cross_entropy")
    return net, initialize(net, "xavier", SEED)


def _accuracy(out: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(np.argmax(out, axis=1) == labels))


#: A training run: ``() -> (seconds of training, test accuracy)``.
Run = Callable[[], tuple[float, float]]


def ours(hidden: str, data: Split) -> Run:
    """A run of :func:`bpderive.train`; the network is compiled before the clock, as a user's
    second run would find it."""
    net, params = start(hidden)
    compiled = net.compile()

    def run() -> tuple[float, float]:
        began = time.perf_counter()
        result = train(
            net, data.X, data.T, params=params, eta1=ETA, epochs=EPOCHS, min_grad=0.0,
            seed=SEED, mode="minibatch", batch_size=BATCH,
        )  # fmt: skip
        seconds = time.perf_counter() - began
        out = compiled.forward(result.params, data.X_test).output
        return seconds, _accuracy(out, data.labels_test)

    return run


def sklearn(hidden: str, data: Split) -> Run:
    """A run of ``MLPClassifier.fit`` with the same settings, from the same parameters.

    Its own setup (a one-epoch fit that builds the label binarizer and the layers) is done
    outside the clock; ``warm_start`` then makes ``fit`` begin from the parameters set in
    ``coefs_`` and ``intercepts_``. ``tol=0`` and ``n_iter_no_change=EPOCHS`` keep it from
    stopping before the last epoch."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    _, params = start(hidden)
    options = dict(
        solver="sgd", hidden_layer_sizes=(SIZES[1],), activation=hidden, learning_rate_init=ETA,
        batch_size=BATCH, momentum=0.0, nesterovs_momentum=False, alpha=0.0, shuffle=True,
        tol=0.0, n_iter_no_change=EPOCHS, random_state=SEED,
    )  # fmt: skip

    def run() -> tuple[float, float]:
        model = MLPClassifier(**options, max_iter=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(data.X, data.labels)
        model.coefs_ = [params["W1"].T.copy(), params["W2"].T.copy()]
        model.intercepts_ = [params["b1"].copy(), params["b2"].copy()]
        model.set_params(warm_start=True, max_iter=EPOCHS)
        with warnings.catch_warnings():  # it warns that 60 epochs did not converge: asked for
            warnings.simplefilter("ignore", ConvergenceWarning)
            began = time.perf_counter()
            model.fit(data.X, data.labels)
            seconds = time.perf_counter() - began
        return seconds, _accuracy(model.predict_proba(data.X_test), data.labels_test)

    return run


def torch(hidden: str, data: Split) -> Run:
    """The same training in PyTorch on the CPU (double precision, one thread): a hand-written
    loop of ``torch.optim.SGD`` steps on ``cross_entropy`` of the logits, which takes the
    log-softmax stably, as bpderive does."""
    import torch as pt

    pt.set_num_threads(1)
    _, params = start(hidden)
    act = getattr(pt, dict(HIDDEN)[hidden])
    X, labels = pt.tensor(data.X), pt.tensor(data.labels)
    X_test = pt.tensor(data.X_test)

    def run() -> tuple[float, float]:
        began = time.perf_counter()
        p = [pt.tensor(params[k], requires_grad=True) for k in ("W1", "b1", "W2", "b2")]
        optimizer = pt.optim.SGD(p, lr=ETA)
        generator = pt.Generator().manual_seed(SEED)
        for _ in range(EPOCHS):
            order = pt.randperm(len(labels), generator=generator)
            for i in range(0, len(labels), BATCH):
                idx = order[i : i + BATCH]
                logits = act(X[idx] @ p[0].T + p[1]) @ p[2].T + p[3]
                optimizer.zero_grad()
                pt.nn.functional.cross_entropy(logits, labels[idx]).backward()
                optimizer.step()
        seconds = time.perf_counter() - began
        with pt.no_grad():
            out = act(X_test @ p[0].T + p[1]) @ p[2].T + p[3]
        return seconds, _accuracy(out.numpy(), data.labels_test)

    return run


def digits_table(repeats: int = 3) -> list[dict[str, Any]]:
    """For each hidden activation of :data:`HIDDEN`: each library's training time (median of
    ``repeats`` runs, interleaved) and test accuracy, and bpderive's time over scikit-learn's."""
    data = split()
    rows = []
    for hidden, _ in HIDDEN:
        runs = {"bpderive": ours(hidden, data), "scikit-learn": sklearn(hidden, data)}
        if torch_available():
            runs["PyTorch"] = torch(hidden, data)
        times: dict[str, list[float]] = {name: [] for name in runs}
        accuracy: dict[str, float] = {}
        for _ in range(repeats):
            for name, run in runs.items():
                seconds, accuracy[name] = run()
                times[name].append(seconds)
        median = {name: statistics.median(values) for name, values in times.items()}
        rows.append(
            {
                "hidden": hidden,
                "seconds": median,
                "accuracy": accuracy,
                "ratio": median["bpderive"] / median["scikit-learn"],
            }
        )
    return rows

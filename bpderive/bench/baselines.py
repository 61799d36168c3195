"""Back-propagation by hand in NumPy, for logistic layers and the half-SSE cost: the baselines.

* :func:`numpy_cost_and_gradients`: the textbook version, each line a formula, every
  intermediate a new array;
* :class:`TightNumpy`: what a careful engineer writes for speed: buffers kept per batch size,
  in-place ufuncs with their outputs given, ``matmul(out=…)``, the mean's ``1/N`` folded into the
  output ``δ``, and the bias sums as a product with a vector of ones;
* :func:`tight_train`: gradient descent with it (full batch, online or mini-batch), the cost and
  the gradient's norm each epoch (what the goal and ``min_grad`` stops need), updates in place.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def numpy_cost_and_gradients(
    params: Mapping[str, np.ndarray], X: np.ndarray, T: np.ndarray, cost: bool = True
) -> tuple[float, dict[str, np.ndarray]]:
    """Hand-written backprop of the mean half-SSE cost for logistic layers, vectorised.

    Forward ``out_l = 1/(1 + e^(−(out_{l−1}·W_lᵀ + b_l)))``; cost
    ``E = 1/N Σ_n ½Σ_k (out_k − t_k)²`` (NaN when ``cost=False``, to time the gradient alone);
    output ``δ_L = (out_L − T)·out_L·(1 − out_L)``; back
    ``δ_{l−1} = (δ_l·W_l)·out_{l−1}(1 − out_{l−1})``; gradients ``∂E/∂W_l = δ_lᵀ·out_{l−1}/N``
    and ``∂E/∂b_l = Σ_n δ_l/N``.
    """
    n_layers = len(params) // 2
    outs = [X]
    for layer in range(1, n_layers + 1):
        net = outs[-1] @ params[f"W{layer}"].T + params[f"b{layer}"]
        outs.append(1.0 / (1.0 + np.exp(-net)))
    n = X.shape[0]
    out = outs[-1]
    error = out - T
    value = 0.5 * float(np.sum(error * error)) / n if cost else float("nan")
    delta = error * out * (1.0 - out)
    grads: dict[str, np.ndarray] = {}
    for layer in range(n_layers, 0, -1):
        below = outs[layer - 1]
        grads[f"W{layer}"] = delta.T @ below / n
        grads[f"b{layer}"] = delta.sum(axis=0) / n
        if layer > 1:
            delta = (delta @ params[f"W{layer}"]) * below * (1.0 - below)
    return value, grads


def numpy_gradients(
    params: Mapping[str, np.ndarray], X: np.ndarray, T: np.ndarray
) -> dict[str, np.ndarray]:
    """The gradients of :func:`numpy_cost_and_gradients` without the cost."""
    return numpy_cost_and_gradients(params, X, T, cost=False)[1]


class TightNumpy:
    """The tight hand-written backprop; see the module's description."""

    def __init__(self, sizes: tuple[int, ...]) -> None:
        self.sizes = tuple(sizes)
        self.layers = len(sizes) - 1
        self._buffers: dict[int, tuple] = {}

    def _for(
        self, n: int
    ) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray], np.ndarray]:
        if n not in self._buffers:
            widths = self.sizes[1:]
            self._buffers[n] = (
                [np.empty((n, w)) for w in widths],
                [np.empty((n, w)) for w in widths],
                [np.empty((n, w)) for w in widths],
                np.ones(n),
            )
        return self._buffers[n]

    def cost_and_gradients(
        self, p: Mapping[str, np.ndarray], X: np.ndarray, T: np.ndarray, cost: bool = True
    ) -> tuple[float, dict[str, np.ndarray]]:
        n = X.shape[0]
        outs, deltas, temps, ones = self._for(n)
        a = X
        for k in range(1, self.layers + 1):
            z = outs[k - 1]
            np.matmul(a, p[f"W{k}"].T, out=z)
            z += p[f"b{k}"]
            np.negative(z, out=z)
            np.exp(z, out=z)
            z += 1.0
            np.divide(1.0, z, out=z)
            a = z
        d, t = deltas[-1], temps[-1]
        np.subtract(a, T, out=d)
        value = 0.5 * float(np.vdot(d, d)) / n if cost else float("nan")
        np.subtract(1.0, a, out=t)
        t *= a
        t *= 1.0 / n
        d *= t
        grads = {}
        for k in range(self.layers, 0, -1):
            below = outs[k - 2] if k > 1 else X
            grads[f"W{k}"] = d.T @ below
            grads[f"b{k}"] = ones @ d
            if k > 1:
                d_below, t = deltas[k - 2], temps[k - 2]
                np.matmul(d, p[f"W{k}"], out=d_below)
                np.subtract(1.0, below, out=t)
                t *= below
                d_below *= t
                d = d_below
        return value, grads

    def gradients(
        self, p: Mapping[str, np.ndarray], X: np.ndarray, T: np.ndarray
    ) -> dict[str, np.ndarray]:
        return self.cost_and_gradients(p, X, T, cost=False)[1]


def tight_train(
    sizes: tuple[int, ...],
    params: Mapping[str, np.ndarray],
    X: np.ndarray,
    T: np.ndarray,
    eta: float,
    epochs: int,
    batch_size: int | None = None,
    seed: int = 0,
) -> tuple[dict[str, np.ndarray], list[float]]:
    """``epochs`` epochs of gradient descent ``w −= η·∂E/∂w`` from ``params``: one step per
    epoch on all samples (``batch_size=None``), or one per batch of ``batch_size`` samples in a
    new random order every epoch (``np.random.default_rng([seed, 1])``, the order
    :func:`bpderive.train` draws; a single sample is a slice, a batch a gathered copy). Each
    epoch ends with the cost and the gradient's norm on all samples (what the goal and
    ``min_grad`` stops need). The parameters and the cost of every epoch (epoch 0 the start)."""
    net = TightNumpy(sizes)
    p = {k: np.array(v) for k, v in params.items()}
    rng = np.random.default_rng([seed, 1])
    n = X.shape[0]
    costs = []
    for epoch in range(epochs + 1):
        cost, g = net.cost_and_gradients(p, X, T)
        costs.append(cost)
        norm = float(np.sqrt(sum(float(np.vdot(v, v)) for v in g.values())))
        if epoch == epochs or not np.isfinite(norm):
            break
        if batch_size is None:
            _descend(p, g, eta)
            continue
        order = rng.permutation(n)
        if batch_size == 1:
            for i in order:
                _descend(p, net.gradients(p, X[i : i + 1], T[i : i + 1]), eta)
        else:
            for start in range(0, n, batch_size):
                idx = order[start : start + batch_size]
                _descend(p, net.gradients(p, X[idx], T[idx]), eta)
    return p, costs


def _descend(p: dict[str, np.ndarray], g: dict[str, np.ndarray], eta: float) -> None:
    for k in p:
        g[k] *= eta
        p[k] -= g[k]

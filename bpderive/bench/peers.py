"""The same gradients in other libraries, where installed (``pip install "bpderive[bench]"``).

Each peer gets the network of the tables (logistic layers, ``E = 1/N Σ ½Σ(out − t)²``) with the
same parameters and data, converted once before the clock starts, in double precision; what is
timed is one gradient, as the library computes it (for PyTorch and autograd the graph is built
by that call; JAX's is compiled once by ``jit`` first). Each result is compared with
bpderive's. scikit-learn's ``MLPRegressor`` has no logistic output and its own loss, so it is
timed on networks of the same shapes (its ``_backprop``) and not compared.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping

import numpy as np

Gradients = Callable[[], dict[str, np.ndarray]]
#: The peers and the module each needs.
PEERS = {"PyTorch": "torch", "JAX": "jax", "autograd": "autograd", "scikit-learn": "sklearn"}


def available() -> dict[str, bool]:
    """Which peers can run here."""
    return {name: importlib.util.find_spec(module) is not None for name, module in PEERS.items()}


def setup(
    name: str, params: Mapping[str, np.ndarray], X: np.ndarray, T: np.ndarray
) -> tuple[Gradients, bool]:
    """``(gradients, comparable)``: a call that computes the peer's gradient (as NumPy arrays
    keyed like ``params``), and whether it is the same network as bpderive's."""
    return {
        "PyTorch": _torch,
        "JAX": _jax,
        "autograd": _autograd,
        "scikit-learn": _sklearn,
    }[name](params, X, T)


def _layers(params: Mapping[str, object]) -> int:
    return len(params) // 2


def _torch(
    params: Mapping[str, np.ndarray], X: np.ndarray, T: np.ndarray
) -> tuple[Gradients, bool]:
    import torch

    torch.set_num_threads(1)
    p = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    Xt, Tt = torch.tensor(X, dtype=torch.float64), torch.tensor(T, dtype=torch.float64)
    keys = list(p)

    def gradients() -> dict[str, np.ndarray]:
        a = Xt
        for k in range(1, _layers(p) + 1):
            a = torch.sigmoid(a @ p[f"W{k}"].T + p[f"b{k}"])
        cost = 0.5 * ((a - Tt) ** 2).sum() / Xt.shape[0]
        grads = torch.autograd.grad(cost, [p[k] for k in keys])
        return {k: g.numpy() for k, g in zip(keys, grads, strict=True)}

    return gradients, True


def _jax(params: Mapping[str, np.ndarray], X: np.ndarray, T: np.ndarray) -> tuple[Gradients, bool]:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    layers = _layers(params)

    def cost(p: dict, X: jnp.ndarray, T: jnp.ndarray) -> jnp.ndarray:
        a = X
        for k in range(1, layers + 1):
            a = jax.nn.sigmoid(a @ p[f"W{k}"].T + p[f"b{k}"])
        return 0.5 * jnp.sum((a - T) ** 2) / X.shape[0]

    grad = jax.jit(jax.grad(cost))
    p = {k: jnp.asarray(v) for k, v in params.items()}
    Xj, Tj = jnp.asarray(X), jnp.asarray(T)
    grad(p, Xj, Tj)  # compiled here, before the clock

    def gradients() -> dict[str, np.ndarray]:
        result = grad(p, Xj, Tj)
        return {k: np.asarray(v.block_until_ready()) for k, v in result.items()}

    return gradients, True


def _autograd(
    params: Mapping[str, np.ndarray], X: np.ndarray, T: np.ndarray
) -> tuple[Gradients, bool]:
    import autograd
    import autograd.numpy as anp

    layers = _layers(params)

    def cost(p: dict) -> float:
        a = X
        for k in range(1, layers + 1):
            a = 1.0 / (1.0 + anp.exp(-(anp.dot(a, p[f"W{k}"].T) + p[f"b{k}"])))
        return 0.5 * anp.sum((a - T) ** 2) / X.shape[0]

    grad = autograd.grad(cost)
    p = dict(params)
    return (lambda: grad(p)), True


def _sklearn(
    params: Mapping[str, np.ndarray], X: np.ndarray, T: np.ndarray
) -> tuple[Gradients, bool]:
    """One step of ``MLPRegressor`` through its ``_backprop`` (a private method, whose
    signature has changed between versions: both known ones are tried)."""
    import inspect
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor

    layers = _layers(params)
    hidden = tuple(params[f"W{k}"].shape[0] for k in range(1, layers))
    model = MLPRegressor(hidden_layer_sizes=hidden, activation="logistic", max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, T)  # sets the model up; its weights are then replaced
    model.coefs_ = [np.array(params[f"W{k}"].T) for k in range(1, layers + 1)]
    model.intercepts_ = [np.array(params[f"b{k}"]) for k in range(1, layers + 1)]
    n = X.shape[0]
    activations = [X] + [np.empty((n, w.shape[1])) for w in model.coefs_]
    deltas = [np.empty_like(a) for a in activations[1:]]
    coef_grads = [np.empty_like(w) for w in model.coefs_]
    intercept_grads = [np.empty_like(b) for b in model.intercepts_]
    weighted = "sample_weight" in inspect.signature(model._backprop).parameters  # noqa: SLF001
    extra = (None,) if weighted else ()

    def gradients() -> dict[str, np.ndarray]:
        model._backprop(X, T, *extra, activations, deltas, coef_grads, intercept_grads)  # noqa: SLF001
        return {}

    return gradients, False

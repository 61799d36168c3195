"""Networks and data shared by the tests of the compiled forms (NumPy kernel, JAX): every
activation and loss family, softmax, and a deeper network."""

from __future__ import annotations

import numpy as np

from bpderive import Network

CASES = [
    ((2, 3, 2), "logistic", "half_sse"),
    ((3, 4, 2), ("tanh", "linear"), "mse"),
    ((2, 5, 3), ("relu", "softmax"), "cross_entropy"),
    ((2, 4, 1), ("softplus", "logistic"), "cross_entropy"),
    ((2, 3, 3, 2), ("elu", "leaky_relu", "logistic"), "half_sse"),
]


def data(net: Network, n: int, seed: int = 0) -> tuple[dict, np.ndarray, np.ndarray]:
    """Random parameters, inputs and targets (rows summing to 1 for a softmax output)."""
    rng = np.random.default_rng(seed)
    params = {k: rng.normal(0, 0.7, s) for k, s in net.parameter_shapes.items()}
    X = rng.normal(size=(n, net.sizes[0]))
    T = rng.uniform(0.05, 0.95, (n, net.sizes[-1]))
    if net.activations[-1].name == "softmax":
        T = T / T.sum(axis=1, keepdims=True)
    return params, X, T

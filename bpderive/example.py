"""The worked example: numbers for the article's 2-3-2 network.

The article derives every formula but gives no numbers. These come from Matt Mazur's "A Step by
Step Backpropagation Example" (inputs 0.05 and 0.10, targets 0.01 and 0.99, weights counting up
from 0.15 in steps of 0.05, learning rate 0.5), extended to the article's third hidden unit.
Three choices make every factor of every chain visibly its own number:

* each bias is different (Mazur shares one per layer), so the five ``∂E_total/∂b`` differ;
* the targets are far from the outputs in opposite directions, so ``δ_o1 > 0`` and ``δ_o2 < 0``
  and the hidden chain's two summands pull against each other;
* the bias rate η2 = 0.25 differs from the weight rate η1 = 0.5, so the two update rules of
  the article (``w⁺ = w − η1·∂E/∂w``, ``b⁺ = b − η2·∂E/∂b``) give visibly different steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bpderive.network import Network


@dataclass(frozen=True)
class WorkedExample:
    """One sample, its target, every weight and bias, and the two learning rates."""

    net: Network
    params: dict[str, np.ndarray]
    x: np.ndarray
    target: np.ndarray
    eta1: float
    eta2: float
    source: str = field(default=__doc__ or "", repr=False)

    def rate(self, name: str) -> float:
        """η1 for a weight, η2 for a bias."""
        return self.eta2 if self.net.resolve(name).is_bias else self.eta1


def example(net: Network | None = None) -> WorkedExample:
    """The worked example for the article's network (2-3-2, any activations and loss).

    Another shape has no worked example: its numbers would be arbitrary, so this refuses it."""
    net = net or Network()
    if net.sizes != (2, 3, 2):
        raise ValueError(
            f"example: the worked example is for the article's 2-3-2 network, got sizes {net.sizes}"
        )
    params = {
        "W1": np.array([[0.15, 0.20], [0.25, 0.30], [0.35, 0.40]]),
        "b1": np.array([0.35, 0.40, 0.45]),
        "W2": np.array([[0.40, 0.45, 0.50], [0.55, 0.60, 0.65]]),
        "b2": np.array([0.60, 0.65]),
    }
    return WorkedExample(
        net=net,
        params=params,
        x=np.array([0.05, 0.10]),
        target=np.array([0.01, 0.99]),
        eta1=0.5,
        eta2=0.25,
    )

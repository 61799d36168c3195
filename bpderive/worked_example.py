"""Worked examples: numbers for the article's 2-3-2 network, and Mazur's for his 2-2-2 network.

The article derives every formula but gives no numbers. Matt Mazur's "A Step by Step
Backpropagation Example" gives numbers for a 2-2-2 logistic network: inputs 0.05 and 0.10,
targets 0.01 and 0.99, weights w1 … w8 counting up from 0.15 in steps of 0.05, one bias of 0.35
shared by the hidden layer and one of 0.60 shared by the output layer, learning rate 0.5, and
biases that are never updated. ``example("mazur")`` is exactly that, so his published numbers
can be reproduced (E_total = 0.298371109, ∂E_total/∂w5 = 0.082167041, w5⁺ = 0.35891648).

``example()`` extends his numbers to the article's third hidden unit, with four choices that
make every factor of every chain visibly its own number, which is why its numbers differ from
his:

* a third hidden unit h3 (weights 0.35 and 0.40 in, 0.50 and 0.65 out): every output receives
  one more term, so ``net_o1`` and all that follows differ from Mazur's;
* the weights count on from 0.15 in steps of 0.05 in the article's order, past h3's weight into
  o1, so those into o2 from h1 and h2 are 0.55 and 0.60 (Mazur's 0.50 and 0.55);
* each bias is different (Mazur shares one per layer), so the five ``∂E_total/∂b`` differ;
* the bias rate η2 = 0.25 differs from the weight rate η1 = 0.5, so the two update rules of
  the article (``w⁺ = w − η1·∂E/∂w``, ``b⁺ = b − η2·∂E/∂b``) give visibly different steps
  (Mazur's biases do not move: η2 = 0).
"""

# Not called ``example.py``: ``bpderive.example`` is the function, and a submodule of that name
# would take its place in the package as soon as anything imported the submodule.

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import sympy as sp

from bpderive.network import Network
from bpderive.symbolic.structure import ETA1, ETA2


@dataclass(frozen=True)
class WorkedExample:
    """One sample, its target, every weight and bias, and the two learning rates."""

    net: Network
    params: dict[str, np.ndarray]
    x: np.ndarray
    target: np.ndarray
    eta1: float
    eta2: float
    name: str = "article"
    source: str = field(default=__doc__ or "", repr=False)

    def rate(self, name: str) -> float:
        """η1 for a weight, η2 for a bias."""
        return self.eta2 if self.net.resolve(name).is_bias else self.eta1

    @cached_property
    def env(self) -> dict[sp.Symbol, sp.Float]:
        """The number of every symbol of this example: inputs, targets, parameters, every
        ``net_*`` and ``out_*`` (:meth:`~bpderive.Network.environment`), each error ``E_o1``, … and
        ``E_total``, and the rates η1, η2."""
        env = self.net.environment(self.params, self.x, self.target)
        errors = {t.lhs: sp.Float(t.rhs.xreplace(env)) for t in self.net.error.terms}
        total = {self.net.error.total.lhs: sp.Add(*errors.values())}
        return {**env, **errors, **total, ETA1: sp.Float(self.eta1), ETA2: sp.Float(self.eta2)}


def example(net: Network | str | None = None) -> WorkedExample:
    """A worked example: ``example()`` or ``example(net)`` for a 2-3-2 network (any activations
    and loss) has the article's numbers; ``example("mazur")``, or ``example(net)`` for a 2-2-2
    network, Mazur's. Another shape has no worked example: its numbers would be arbitrary, so
    this refuses it."""
    if net == "mazur":
        net = Network((2, 2, 2))
    net = net or Network()
    if not isinstance(net, Network):
        raise ValueError(f"example: expected a Network, 'mazur' or None, got {net!r}")
    x, target = np.array([0.05, 0.10]), np.array([0.01, 0.99])
    if net.sizes == (2, 2, 2):
        params = {
            "W1": np.array([[0.15, 0.20], [0.25, 0.30]]),
            "b1": np.array([0.35, 0.35]),
            "W2": np.array([[0.40, 0.45], [0.50, 0.55]]),
            "b2": np.array([0.60, 0.60]),
        }
        return WorkedExample(net, params, x, target, eta1=0.5, eta2=0.0, name="mazur")
    if net.sizes != (2, 3, 2):
        raise ValueError(
            f"example: worked examples exist for the article's 2-3-2 network and Mazur's 2-2-2, "
            f"got sizes {net.sizes}"
        )
    params = {
        "W1": np.array([[0.15, 0.20], [0.25, 0.30], [0.35, 0.40]]),
        "b1": np.array([0.35, 0.40, 0.45]),
        "W2": np.array([[0.40, 0.45, 0.50], [0.55, 0.60, 0.65]]),
        "b2": np.array([0.60, 0.65]),
    }
    return WorkedExample(net, params, x, target, eta1=0.5, eta2=0.25)

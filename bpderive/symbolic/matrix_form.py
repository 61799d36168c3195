"""The matrix form of the network: the forward pass ``net = W·a + b`` layer by layer (三.3.1).

The article writes the forward pass with matrices, ``net = W·aᵀ + bᵀ``, and then each row out;
:func:`forward` gives both, as SymPy matrices of the network's own symbols.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from bpderive.symbolic.notation import OrderedEq
from bpderive.symbolic.structure import NetworkStructure


@dataclass(frozen=True)
class LayerMatrices:
    """The matrix form of one layer, ``net = W·aᵀ + bᵀ``, with SymPy matrices of symbols."""

    layer: int
    W: sp.ImmutableMatrix
    a: sp.ImmutableMatrix
    b: sp.ImmutableMatrix
    net: sp.ImmutableMatrix
    out: sp.ImmutableMatrix

    def equation(self) -> OrderedEq:
        """``net = W·aᵀ + bᵀ`` unevaluated, printed in the article's order."""
        rhs = sp.MatAdd(sp.MatMul(self.W, self.a, evaluate=False), self.b, evaluate=False)
        return OrderedEq(self.net, rhs, evaluate=False)

    def rows(self) -> sp.Eq:
        """The same, each row written out: ``net_h1 = w_(x1,1)·x1 + w_(x2,1)·x2 + b1`` …"""
        return sp.Eq(self.net, self.W * self.a + self.b, evaluate=False)


def forward(s: NetworkStructure) -> list[LayerMatrices]:
    """The matrix form of every weight layer: ``W(l)``, ``a``, ``b(l)``, ``net``, ``out``."""
    result = []
    for layer in range(1, s.n_layers + 1):
        below, here = s.layers[layer - 1], s.layers[layer]
        W = sp.ImmutableMatrix(
            [[s.weight(layer, i, j).symbol for i in range(len(below))] for j in range(len(here))]
        )
        b = sp.ImmutableMatrix([s.bias(layer, j).symbol for j in range(len(here))])
        result.append(
            LayerMatrices(
                layer,
                W,
                sp.ImmutableMatrix([n.out for n in below]),
                b,
                sp.ImmutableMatrix([n.net for n in here]),
                sp.ImmutableMatrix([n.out for n in here]),
            )
        )
    return result

"""The local equations of a network, each built the first time it is looked up.

``net_h1 = w_(x1,1)·x1 + w_(x2,1)·x2 + b1`` and ``out_h1 = f(net_h1)``: one small expression per
quantity, of the layer below. A wide network has many: 64-128-10 has 202 units and 9,610
weights, and compiling it needs only the first unit of each layer and the output layer (the
rules are derived once per layer), so the others' equations, and their weights' symbols, are
made only if something asks for them (the forward equations, one sample's numbers, a chain).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Protocol

import sympy as sp

from bpderive.symbolic.activations import Activation, Softmax
from bpderive.symbolic.build import WeightedSums


class Unit(Protocol):
    """What the equations need of a unit: its place and its ``net``/``out`` symbols."""

    layer: int
    index: int
    net: sp.Symbol | None
    out: sp.Symbol


class LocalEquations(Mapping[sp.Symbol, sp.Expr]):
    """Each ``net_*`` as the weighted sum of the layer below plus its bias, each ``out_*`` as
    the activation of its ``net_*``; keyed by the symbol on the left, in reading order (layer by
    layer, the nets and then the outs). ``weight(layer, i, j)`` and ``bias(layer, j)`` give the
    parameters' symbols, asked for only when their unit's equation is built."""

    def __init__(
        self,
        layers: Sequence[Sequence[Unit]],
        activations: Sequence[Activation | Softmax],
        weight: Callable[[int, int, int], sp.Symbol],
        bias: Callable[[int, int], sp.Symbol],
    ) -> None:
        self._layers, self._activations = layers, activations
        self._weight, self._bias = weight, bias
        self._built: dict[sp.Symbol, sp.Expr] = {}
        self._sums: dict[int, WeightedSums] = {}
        self._order = [getattr(n, key) for row in layers[1:] for key in ("net", "out") for n in row]
        self._where = {
            symbol: (n.layer, n.index, symbol == n.net)
            for row in layers[1:]
            for n in row
            for symbol in (n.net, n.out)
        }

    def __getitem__(self, symbol: sp.Symbol) -> sp.Expr:
        built = self._built.get(symbol)
        if built is not None:
            return built
        layer, index, is_net = self._where[symbol]
        units = self._layers[layer]
        act = self._activations[layer - 1]
        if is_net:
            expr = self._weighted_sums(layer)(index)
        elif isinstance(act, Softmax):  # each output needs the whole layer's nets
            outs = act.outputs([n.net for n in units])
            self._built.update((n.out, out) for n, out in zip(units, outs, strict=True))
            return self._built[symbol]
        else:
            expr = act(units[index].net)
        self._built[symbol] = expr
        return expr

    def _weighted_sums(self, layer: int) -> WeightedSums:
        sums = self._sums.get(layer)
        if sums is None:
            below = [n.out for n in self._layers[layer - 1]]
            sums = self._sums[layer] = WeightedSums(
                lambda j: [self._weight(layer, i, j) for i in range(len(below))],
                below,
                lambda j: self._bias(layer, j),
                len(self._layers[layer]),
            )
        return sums

    def __iter__(self) -> Iterator[sp.Symbol]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

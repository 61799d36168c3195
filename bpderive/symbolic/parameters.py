"""The weights and biases of a network by name, each made only when it is looked up.

A network's parameters follow from its sizes alone: ``w_(a,b)`` (``w(l)_(a,b)`` with several
hidden layers) from unit ``a`` below into unit ``b``, and biases numbered across the network,
``b1 b2 b3`` hidden, ``b4 b5`` output. :class:`ParameterTable` computes each name and place
from its position instead of storing one object per parameter: 784-512-256-10 has 535,818
parameters, and making an object and a name for each took about 1.5 s and a few hundred MB
(measured on a 2-core machine), though compiling the network looks at a few dozen of them.
A parameter once looked up is kept, so its symbol is made once.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate

import sympy as sp

from bpderive.symbolic.notation import Name

_WEIGHT = re.compile(r"w(?:\((\d+)\))?_\((x?)(\d+),(\d+)\)")
_BIAS = re.compile(r"b(\d+)")


@dataclass(frozen=True)
class Parameter:
    """One weight or bias: canonical name, place in the parameter mapping, symbol."""

    name: str
    key: str
    index: tuple[int, ...]
    source: str | None
    target: str

    @property
    def is_bias(self) -> bool:
        return self.source is None

    @cached_property
    def symbol(self) -> sp.Symbol:
        """Made the first time it is needed: a network of 64-128-10 has 9,610 parameters, and
        compiling it looks at a few dozen of their symbols."""
        return Name(self.name)


class ParameterTable(Mapping[str, Parameter]):
    """Every parameter of the network of ``sizes`` by canonical name, in canonical order (layer
    by layer, ``W`` by rows, then ``b``); ``unit(layer, k)`` names unit ``k`` of a layer."""

    def __init__(self, sizes: tuple[int, ...], unit: Callable[[int, int], str]) -> None:
        self._sizes, self._unit = sizes, unit
        self._layers = len(sizes) - 1
        #: Biases before each layer's first (``b1`` is the first layer's first).
        self._bias_start = [0, *accumulate(sizes[1:])]
        self._made: dict[tuple[str, tuple[int, ...]], Parameter] = {}

    def __len__(self) -> int:
        return sum(a * b + b for a, b in zip(self._sizes, self._sizes[1:], strict=False))

    def __iter__(self) -> Iterator[str]:
        for layer in range(1, self._layers + 1):
            below, size = self._sizes[layer - 1], self._sizes[layer]
            for j in range(size):
                for i in range(below):
                    yield self._weight_name(layer, i, j)
            start = self._bias_start[layer - 1]
            for j in range(size):
                yield f"b{start + j + 1}"

    def _weight_name(self, layer: int, i: int, j: int) -> str:
        prefix = "w" if self._layers <= 2 else f"w({layer})"
        source = f"x{i + 1}" if layer == 1 else str(i + 1)
        return f"{prefix}_({source},{j + 1})"

    def __getitem__(self, name: str) -> Parameter:
        place = self._place_of(name) if isinstance(name, str) else None
        if place is None:
            raise KeyError(name)
        return self.place(*place)

    def _place_of(self, name: str) -> tuple[str, tuple[int, ...]] | None:
        """Where the parameter called ``name`` sits, or ``None`` if no parameter has that name
        (the name is rebuilt from the place and compared, so ``w_(x01,1)`` is no name)."""
        bias = _BIAS.fullmatch(name)
        if bias:
            number = int(bias[1])
            if not 1 <= number <= self._bias_start[-1]:
                return None
            layer = bisect_right(self._bias_start, number - 1)
            place = (f"b{layer}", (number - 1 - self._bias_start[layer - 1],))
            return place if f"b{number}" == name else None
        weight = _WEIGHT.fullmatch(name)
        if not weight:
            return None
        layer = int(weight[1]) if weight[1] else (1 if weight[2] else 2)
        i, j = int(weight[3]) - 1, int(weight[4]) - 1
        if not (1 <= layer <= self._layers and 0 <= j < self._sizes[layer]):
            return None
        if not 0 <= i < self._sizes[layer - 1] or self._weight_name(layer, i, j) != name:
            return None
        return (f"W{layer}", (j, i))

    def place(self, key: str, index: tuple[int, ...]) -> Parameter:
        """The parameter at ``params[key][index]`` (``("W1", (j, i))``, ``("b2", (j,))``)."""
        made = self._made.get((key, index))
        if made is None:
            layer = int(key[1:])
            target = self._unit(layer, index[0])
            if key[0] == "W":
                name = self._weight_name(layer, index[1], index[0])
                source = self._unit(layer - 1, index[1])
                made = Parameter(name, key, index, source, target)
            else:
                name = f"b{self._bias_start[layer - 1] + index[0] + 1}"
                made = Parameter(name, key, index, None, target)
            self._made[(key, index)] = made
        return made

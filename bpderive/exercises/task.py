"""What an exercise asks for: a parameter's gradient or a unit's δ, on one network.

:func:`targets` lists what :func:`~bpderive.exercises.check` can ask for; :func:`task` turns a
target into the derived chain it is checked against, and refuses an unknown one in the
learner's language, nearest names first (a mistyped target in a notebook is the learner's to
fix). :func:`points` gives the numbers an answer is compared at.
"""

from __future__ import annotations

import difflib
import re
import weakref
from dataclasses import dataclass

import numpy as np
import sympy as sp

from bpderive import language
from bpderive.exercises.messages import SEPARATOR, UNKNOWN_TARGET
from bpderive.exercises.suggest import suggestions
from bpderive.exercises.tutor_texts import NEW
from bpderive.network import Network
from bpderive.symbolic import notation
from bpderive.symbolic.chain import Chain
from bpderive.symbolic.notation import Name, Partial
from bpderive.worked_example import example

#: Random points (besides the worked example) at which an answer must equal the chain.
N_POINTS = 12


@dataclass(frozen=True)
class Task:
    """What is asked: on which network, by which name and symbol (as the learner asked, alias
    included), the derived chain, and the δ that may not appear in the answer."""

    net: Network
    name: str
    label: sp.Symbol
    chain: Chain
    own: sp.Symbol | None


def targets(net: Network) -> list[str]:
    """Everything :func:`check` can ask for: every parameter (and article alias), every δ."""
    units = [n for n in net.neurons.values() if n.net is not None]
    return [*net.aliases, *net.parameters, *(f"delta_{n.name}" for n in units)]


def task(net: Network, target: object, lang: str | None = None) -> Task:
    """What ``target`` asks for on ``net``; an unknown target is a ``KeyError`` listing the valid
    ones, in ``lang`` (default: the language in use), as a learner who mistyped it reads it."""
    if not isinstance(net, Network):
        raise TypeError(f"net: expected a bpderive.Network, got {type(net).__name__}")
    if isinstance(target, str):
        if m := re.fullmatch(r"(?:delta|δ)_(\w+)", target):
            n = net.neurons.get(m[1])
            if n is not None and n.net is not None:
                own = net.delta_symbol(n.name)
                return Task(net, f"δ_{n.name}", own, net.delta(n.name), own)
        elif target in net.aliases or target in net.parameters:
            label = Partial(net.symbol("E_total"), Name(target))
            return Task(net, notation.text(label), label, net.gradient(target), None)
    every = targets(net)
    valid = language.pick(SEPARATOR, lang).join(every)
    message = language.pick(UNKNOWN_TARGET, lang).format(target=target, valid=valid)
    nearest = suggestions(str(target), every) or difflib.get_close_matches(
        str(target), every, n=3, cutoff=0.4
    )
    if nearest:
        names = language.pick(SEPARATOR, lang).join(nearest)
        message += language.pick((". ", "。"), lang) + language.pick(NEW["nearest"], lang).format(
            names=names
        )
    raise KeyError(message)


class Point(dict):
    """The number of every symbol for one sample, as floats: the inputs, targets and every
    ``net``/``out`` from the compiled forward pass, and each parameter when first looked up.

    A check evaluates only the symbols of one chain and one answer, so the parameters (2,280 of
    them on 64-30-10, 200,000 on 784-256-10) are not all turned into symbols up front; and the
    forward pass is the network's compiled one, in float64, not SymPy's arithmetic: answers are
    compared to 1e-8, far above its rounding."""

    def __init__(self, net: Network, params: dict, x: np.ndarray, target: np.ndarray) -> None:
        forward = net.compile().forward(params, x[None, :])
        known = dict(zip(net.targets, map(float, target), strict=True))
        for unit in net.neurons.values():
            if unit.net is None:
                known[unit.out] = float(x[unit.index])
            else:
                known[unit.net] = float(forward.nets[unit.layer - 1][0, unit.index])
                known[unit.out] = float(forward.outs[unit.layer - 1][0, unit.index])
        super().__init__(known)
        self._net, self._params = net, params

    def __missing__(self, symbol: sp.Symbol) -> float:
        parameter = self._net.parameters.get(getattr(symbol, "name", None))
        if parameter is None:
            raise KeyError(symbol)
        self[symbol] = value = float(self._params[parameter.key][parameter.index])
        return value


_POINTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def points(net: Network) -> list[Point]:
    """The worked example (on the article's network) and :data:`N_POINTS` seeded random points;
    computed once per network."""
    if net not in _POINTS:
        found = []
        if net.sizes == (2, 3, 2):
            ex = example(net)
            found.append(
                Point(net, ex.params, np.asarray(ex.x, float), np.asarray(ex.target, float))
            )
        rng = np.random.default_rng(2024)
        for _ in range(N_POINTS):
            params = {k: rng.uniform(-1, 1, shape) for k, shape in net.parameter_shapes.items()}
            target = rng.uniform(0.05, 0.95, net.sizes[-1])
            if net.loss.targets_sum_to_one:
                target /= target.sum()
            found.append(Point(net, params, rng.uniform(-1, 1, net.sizes[0]), target))
        _POINTS[net] = found
    return _POINTS[net]

"""What a typed answer means beyond its expression, for one exercise.

The parser (:mod:`~bpderive.exercises.parse`) reads text into an expression; what the names and
notations in it *mean* depends on the exercise and its network, and is decided here:

* :class:`Names` looks names up for the parser. It remembers the article's flat names the
  learner typed (``w6`` for ``w_(2,1)``), so that messages can echo them; it stops at a learning
  rate (``η1``, ``eta1``: the update rule mixed into a gradient, :class:`LearningRate`) and at
  the δ being asked for (:class:`Circular`).
* :func:`activation_derivative` reads ``f'(net_o1)`` as the derivative of that unit's activation
  (the same factor ``∂out_o1/∂net_o1`` the chain has), and refuses an ``f'`` the network cannot
  pin down rather than guess.
* :func:`same_quantity` decides whether a left side such as ``∂E/∂w6 = …`` names the quantity
  asked for.
* :func:`typed_digits` says how many decimals a bare number was typed with, so that
  ``0.073867`` can be told to equal the worked example's value to the digits given.
"""

from __future__ import annotations

import re

import sympy as sp

from bpderive.exercises.lexer import AnswerError
from bpderive.exercises.task import Task
from bpderive.network import Network
from bpderive.symbolic.activations import get_activation
from bpderive.symbolic.notation import NET

#: A learning rate as the lexer spells it: ``eta``, ``eta_1`` (η1), ``eta1``, ``eta_2``.
_RATE = re.compile(r"eta_?([0-9]*)")


class LearningRate(Exception):
    """The answer names a learning rate: ``name`` as the learner would read it (``η1``)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class Circular(Exception):
    """The answer uses the δ it is asked to derive."""


class Names:
    """The parser's lookup for one task: the network's names and the article's flat names, less
    the error symbols (not part of a derivative); ``echo`` collects the flat names typed."""

    def __init__(self, task: Task) -> None:
        self.task = task
        net = task.net
        self.hidden = {s for s in net.symbols.values() if s.name.startswith(("E_", "eta_"))}
        self.valid = [*net.aliases, *(n for n, s in net.symbols.items() if s not in self.hidden)]
        self.echo: dict[sp.Symbol, sp.Symbol] = {}

    def __call__(self, name: str) -> sp.Expr | None:
        if m := _RATE.fullmatch(name):
            raise LearningRate(f"η{m[1]}")
        try:
            symbol = self.task.net.symbol(name)
        except KeyError:
            return None
        if symbol == self.task.own:
            raise Circular(name)
        if name in self.task.net.aliases:
            self.echo[symbol] = sp.Symbol(name)
        return None if symbol in self.hidden else symbol


def activation_derivative(net: Network, kind: str, argument: sp.Expr) -> sp.Expr:
    """``σ'(x)`` (``kind`` names the activation, the logistic function) or ``f'(x)``
    (``kind == "f"``) on ``net``.

    ``f'(net_o1)`` is the derivative of the activation of the unit whose net is ``net_o1``,
    written as the chain writes ``∂out_o1/∂net_o1`` (``out_o1(1 − out_o1)`` for the logistic
    function). ``f'`` of anything else is the activation's derivative at it when every layer
    has the same element-wise activation; otherwise ``f`` is ambiguous and the answer is refused
    (an :class:`AnswerError`), never guessed."""
    if kind != "f":  # σ' names its function: that activation's derived f', at the argument
        return get_activation(kind).derivative.xreplace({NET: argument})
    for unit in net.neurons.values():
        if unit.net is not None and unit.net == argument:
            activation = net.activations[unit.layer - 1]
            if activation.elementwise:
                return activation.local_derivative(unit.net, unit.out)[1]
    kinds = {a.name for a in net.activations}
    if len(kinds) == 1 and net.activations[0].elementwise:
        return net.activations[0].derivative.xreplace({NET: argument})
    raise AnswerError("unparseable", "ambiguous_activation")


def same_quantity(task: Task, kind: str, name: str) -> bool | None:
    """Whether a left side (``kind`` ``"gradient"`` of ``name``, or ``"delta"`` of a unit)
    names what ``task`` asks for: ``∂E/∂w5`` and ``∂E_total/∂w_(1,1)`` name the same, and so do
    ``δ_o1`` and ``∂E_total/∂net_o1``. ``None`` when the left side names nothing the network
    has (``∂E/∂w9``): it is another quantity too, but one that cannot be named back."""
    net = task.net
    unit = None
    if kind == "delta":
        unit = name.removeprefix("delta_")
    elif name.startswith("net_"):
        unit = name.removeprefix("net_")
    if unit is not None:
        neuron = net.neurons.get(unit)
        if neuron is None or neuron.net is None:
            return None
        return task.own is not None and net.delta_symbol(unit) == task.own
    try:
        symbol = net.symbol(name)
    except KeyError:
        return None
    if name not in net.aliases and name not in net.parameters:
        return False
    return task.own is None and net.symbol(task.label.bottom.name) == symbol


def typed_digits(number: sp.Rational) -> int | None:
    """The decimals a number was typed with, read off its exact value: 0.073867 → 6, 0.07 → 2,
    3 → 0; ``None`` for a fraction such as 1/3, which has no decimal form."""
    q = int(number.q)
    for digits in range(0, 31):
        if 10**digits % q == 0:
            return digits
    return None

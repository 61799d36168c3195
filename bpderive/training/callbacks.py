"""Callbacks for :func:`~bpderive.training.loop.train`: what a run passes by, kept for later.

``train(..., callback=f)`` calls ``f(epoch, params, history)`` once at the start (epoch 0) and
after every epoch, with a copy of the parameters. What a notebook wants from the way is nearly
always one of two things: the parameters themselves every so many epochs (to look at the
gradients the run met), or a number the history does not hold (the squared-error cost of a
network trained with the cross-entropy, to compare it with one trained with the squared error).
Written as a closure each time, that is a list, a function and a test of the epoch around one
line that matters; :class:`Kept` is that closure, and the list of what it kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bpderive.checks import int_scalar, scalar_error

if TYPE_CHECKING:
    from bpderive.training.loop import History, Params


class Kept(list):
    """A callback for ``train`` that keeps, at the start and every ``every`` epochs,
    ``measure(params)``, or the parameters themselves without a ``measure``.

    It is the list of what it kept, so it is read, indexed and plotted as one:
    ``curve = Kept(lambda params: cost(params, X, T))``, ``train(..., callback=curve)``, then
    ``curve[100]`` is the cost after 100 epochs. Given to several runs, it keeps their values
    one run after the other."""

    def __init__(self, measure: Callable[[Params], object] | None = None, every: int = 1) -> None:
        super().__init__()
        if measure is not None and not callable(measure):
            raise scalar_error("measure", "None or a function of the parameters", measure)
        self.measure = measure
        self.every = int_scalar("every", every, 1)

    def __call__(self, epoch: int, params: Params, history: History) -> None:
        if epoch % self.every == 0:
            self.append(params if self.measure is None else self.measure(params))

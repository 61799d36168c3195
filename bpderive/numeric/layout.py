"""Where each parameter sits: the mapping ``{"W1": …, "b1": …}`` and one flat vector.

Gradient descent works on the mapping, layer by layer; Levenberg–Marquardt works on one vector
``w`` of all ``P`` parameters (its step solves for all of them at once, and the columns of the
Jacobian follow the same order). :class:`ParameterLayout` is the one place that knows the order:
layer by layer, ``W`` row by row, then ``b``, which is ``net.parameter_names``. Its
:meth:`~ParameterLayout.views` are views into the vector, not copies, so a step on the vector is
at once a step on every matrix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from bpderive.checks import as_array, check_params, parameter_shapes


class ParameterLayout:
    """The shapes of a network's parameters and their order in one vector."""

    def __init__(self, sizes: Sequence[int]) -> None:
        self.sizes = tuple(sizes)
        self.shapes = parameter_shapes(self.sizes)
        self.slices: dict[str, slice] = {}
        start = 0
        for key, shape in self.shapes.items():
            size = int(np.prod(shape))
            self.slices[key] = slice(start, start + size)
            start += size
        self.size = start

    def flatten(self, params: Mapping[str, object], check: bool = True) -> np.ndarray:
        """The parameters (or gradients) as one vector of length :attr:`size`. ``params`` is
        checked as everywhere else; ``check=False`` for arrays the caller already checked."""
        if check:
            params = check_params(self.sizes, params)
        return np.concatenate([np.ravel(params[key]) for key in self.shapes])

    def views(self, vector: object) -> dict[str, np.ndarray]:
        """The mapping whose arrays are views into ``vector`` (length :attr:`size`). Not checked
        for finiteness: a trial step of Levenberg–Marquardt may overflow, and the training loop
        reports that as divergence."""
        vector = as_array("vector", vector)
        if vector.shape != (self.size,):
            raise ValueError(
                f"vector: expected shape ({self.size},) (one entry per parameter), "
                f"got {vector.shape}"
            )
        return {key: vector[part].reshape(self.shapes[key]) for key, part in self.slices.items()}

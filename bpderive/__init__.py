"""bpderive: back-propagation derived by SymPy, term by term, beside the article it accompanies.

The stages, each depending only on the ones before it:

* :mod:`bpderive.symbolic`: the article's notation, activations and losses, the network's symbols
  and local equations, the chain-rule objects and their derivation;
* :mod:`bpderive.numeric`: the derived rules compiled to vectorised NumPy;
* :class:`bpderive.Network` (:mod:`bpderive.network`): one network, derived and compiled;
* :mod:`bpderive.training` (with :mod:`bpderive.data`): initialisers, optimisers, the loop;
* :mod:`bpderive.display`, :mod:`bpderive.exercises` and the command line: what a learner sees.

The names below are loaded on first use, so that ``import bpderive`` costs no SymPy import.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Activation": "bpderive.symbolic.activations",
    "Loss": "bpderive.symbolic.losses",
    "Network": "bpderive.network",
    "WorkedExample": "bpderive.example",
    "example": "bpderive.example",
    "initialize": "bpderive.training.initializers",
    "load": "bpderive.persist",
    "save": "bpderive.persist",
    "GradientDescent": "bpderive.training.optimizers",
    "LevenbergMarquardt": "bpderive.training.optimizers",
    "TrainResult": "bpderive.training.loop",
    "train": "bpderive.training.loop",
    "suggest_hidden": "bpderive.training.hidden",
    "sweep_hidden": "bpderive.training.hidden",
}
__all__ = [
    "Activation",
    "GradientDescent",
    "LevenbergMarquardt",
    "Loss",
    "Network",
    "TrainResult",
    "WorkedExample",
    "example",
    "initialize",
    "load",
    "save",
    "suggest_hidden",
    "sweep_hidden",
    "train",
]

if TYPE_CHECKING:  # for type checkers; at run time __getattr__ loads them on first use
    from bpderive.example import WorkedExample, example
    from bpderive.network import Network
    from bpderive.persist import load, save
    from bpderive.symbolic.activations import Activation
    from bpderive.symbolic.losses import Loss
    from bpderive.training.hidden import suggest_hidden, sweep_hidden
    from bpderive.training.initializers import initialize
    from bpderive.training.loop import TrainResult, train
    from bpderive.training.optimizers import GradientDescent, LevenbergMarquardt


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'bpderive' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


class _Package(types.ModuleType):
    """The package, keeping ``bpderive.example`` the function: importing the submodule of the
    same name (``bpderive.example``, which ``bpderive.exercises`` and ``bpderive.display``
    import) makes Python set the package's attribute to the submodule, and ``from bpderive
    import example`` would then give a module, depending on what was imported before."""

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, types.ModuleType) and _EXPORTS.get(name) == value.__name__:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

"""bpderive: back-propagation derived by SymPy, term by term, beside the article it accompanies.

The stages, each depending only on the ones before it:

* :mod:`bpderive.symbolic`: the article's notation, activations and losses, the network's symbols
  and local equations, the chain-rule objects and their derivation;
* :mod:`bpderive.numeric`: the derived rules compiled to vectorised NumPy;
* :class:`bpderive.Network` (:mod:`bpderive.network`): one network, derived and compiled;
* :mod:`bpderive.training` (with :mod:`bpderive.data`): initialisers, optimisers, the loop;
* :mod:`bpderive.display`, :mod:`bpderive.exercises` and the command line: what a learner sees.

The names below are loaded on first use, so that ``import bpderive`` costs no SymPy import.
None of them is also the name of a submodule: importing a submodule sets the package's attribute
of that name to the module, so ``from bpderive import example`` would return the module instead
of the function, depending on what was imported before (the worked example lives in
:mod:`bpderive.worked_example` for that reason).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Activation": "bpderive.symbolic.activations",
    "Loss": "bpderive.symbolic.losses",
    "Network": "bpderive.network",
    "WorkedExample": "bpderive.worked_example",
    "example": "bpderive.worked_example",
    "initialize": "bpderive.training.initializers",
    "load": "bpderive.persist",
    "save": "bpderive.persist",
    "GradientDescent": "bpderive.training.optimizers",
    "LevenbergMarquardt": "bpderive.training.optimizers",
    "TrainResult": "bpderive.training.loop",
    "train": "bpderive.training.loop",
    "suggest_hidden": "bpderive.training.hidden",
    "sweep_hidden": "bpderive.training.hidden",
    "set_language": "bpderive.language",
    "get_language": "bpderive.language",
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
    "get_language",
    "initialize",
    "load",
    "save",
    "set_language",
    "suggest_hidden",
    "sweep_hidden",
    "train",
]

if TYPE_CHECKING:  # for type checkers; at run time __getattr__ loads them on first use
    from bpderive.language import get_language, set_language
    from bpderive.network import Network
    from bpderive.persist import load, save
    from bpderive.symbolic.activations import Activation
    from bpderive.symbolic.losses import Loss
    from bpderive.training.hidden import suggest_hidden, sweep_hidden
    from bpderive.training.initializers import initialize
    from bpderive.training.loop import TrainResult, train
    from bpderive.training.optimizers import GradientDescent, LevenbergMarquardt
    from bpderive.worked_example import WorkedExample, example


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'bpderive' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])

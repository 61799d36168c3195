"""bpderive: back-propagation derived by SymPy, term by term, beside the article it accompanies.

The network and its symbols (:mod:`bpderive.network`), activations and losses, the chain-rule
objects (:mod:`bpderive.chain`), the compiled numerics (:mod:`bpderive.numerics`), training
(:mod:`bpderive.training`, :mod:`bpderive.initializers`, :mod:`bpderive.data`), saving
(:mod:`bpderive.persist`), plots (:mod:`bpderive.plotting`) and the command line.
"""

from .example import WorkedExample, example
from .initializers import initialize
from .network import Network
from .persist import load, save
from .training import TrainResult, suggest_hidden, sweep_hidden, train

__all__ = [
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
__version__ = "0.1.0"

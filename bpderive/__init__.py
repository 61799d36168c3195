"""bpderive: back-propagation derived by SymPy, term by term, beside the article it accompanies.

The network and its symbols (:mod:`bpderive.network`), activations, losses and the chain-rule
objects (:mod:`bpderive.symbolic`), the compiled numerics (:mod:`bpderive.numeric`), training
(:mod:`bpderive.training`, :mod:`bpderive.data`), saving (:mod:`bpderive.persist`), tables and
plots (:mod:`bpderive.display`) and the command line.
"""

from bpderive.example import WorkedExample, example
from bpderive.network import Network
from bpderive.persist import load, save
from bpderive.training import TrainResult, suggest_hidden, sweep_hidden, train
from bpderive.training.initializers import initialize

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

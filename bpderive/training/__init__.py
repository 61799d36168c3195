"""Training with the derived equations: the process of section 四.6 and the improvements of 五.

:mod:`~bpderive.training.initializers` (step 1), :mod:`~bpderive.training.optimizers` (how the
parameters move: gradient descent, Levenberg–Marquardt), :mod:`~bpderive.training.loop`
(:func:`train`: the run, its history and its stop rules), :mod:`~bpderive.training.hidden`
(the size of the hidden layer, 四.3), :mod:`~bpderive.training.restarts` (one network from
several random starts) and :mod:`~bpderive.training.callbacks` (what a run passes by, kept).
"""

from bpderive.training.callbacks import Kept
from bpderive.training.hidden import suggest_hidden, sweep_hidden
from bpderive.training.loop import MIN_GRAD, History, TrainResult, train
from bpderive.training.optimizers import MU_MIN, GradientDescent, LevenbergMarquardt, lm_step
from bpderive.training.restarts import Restarts, train_seeds

__all__ = [
    "MIN_GRAD",
    "MU_MIN",
    "GradientDescent",
    "History",
    "Kept",
    "LevenbergMarquardt",
    "Restarts",
    "TrainResult",
    "lm_step",
    "suggest_hidden",
    "sweep_hidden",
    "train",
    "train_seeds",
]

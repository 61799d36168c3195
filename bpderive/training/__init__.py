"""Training with the derived equations: the process of section 四.6 and the improvements of 五.

:mod:`~bpderive.training.initializers` (step 1), :mod:`~bpderive.training.optimizers` (how the
parameters move: gradient descent, Levenberg–Marquardt), :mod:`~bpderive.training.loop`
(:func:`train`: the run, its history and its stop rules) and :mod:`~bpderive.training.hidden`
(the size of the hidden layer, 四.3).
"""

from bpderive.training.hidden import suggest_hidden, sweep_hidden
from bpderive.training.loop import MIN_GRAD, History, TrainResult, train
from bpderive.training.optimizers import MU_MIN, GradientDescent, LevenbergMarquardt, lm_step

__all__ = [
    "MIN_GRAD",
    "MU_MIN",
    "GradientDescent",
    "History",
    "LevenbergMarquardt",
    "TrainResult",
    "lm_step",
    "suggest_hidden",
    "sweep_hidden",
    "train",
]

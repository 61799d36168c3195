"""Training with the derived equations: the process of section 四.6 and the improvements of 五."""

from bpderive.training.hidden import suggest_hidden, sweep_hidden
from bpderive.training.loop import History, TrainResult, train
from bpderive.training.optimizers import MU_MIN, lm_step

__all__ = [
    "MU_MIN",
    "History",
    "TrainResult",
    "lm_step",
    "suggest_hidden",
    "sweep_hidden",
    "train",
]

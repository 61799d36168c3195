"""Training with the derived equations: the process of section 四.6 and the improvements of 五."""

from bpderive.training.loop import (
    MU_MIN,
    History,
    TrainResult,
    lm_step,
    suggest_hidden,
    sweep_hidden,
    train,
)

__all__ = [
    "MU_MIN",
    "History",
    "TrainResult",
    "lm_step",
    "suggest_hidden",
    "sweep_hidden",
    "train",
]

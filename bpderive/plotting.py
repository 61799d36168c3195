"""Plots of training runs (matplotlib is optional: ``pip install bpderive[plot]``).

matplotlib is imported inside the functions, never at module import, so the rest of bpderive
works without it and a missing install is reported only when a plot is asked for, with the
command that fixes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from bpderive.training import TrainResult

_INSTALL = "bpderive's plots need matplotlib: pip install bpderive[plot]"


def _pyplot() -> Any:
    """``matplotlib.pyplot``, or an ``ImportError`` saying how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(_INSTALL) from error
    return plt


def _axes(ax: Axes | None) -> Axes:
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    return ax


def plot_history(result: TrainResult, ax: Axes | None = None) -> Axes:
    """Cost curves of a :func:`bpderive.train` run; returns the Axes.

    Drawn: the training cost ``E`` per epoch; the validation cost, if there was a validation
    set, with a dot on every epoch where it was above its best so far (the epochs counted by
    early stopping, 四.5) and a star on the best epoch (whose parameters ``train`` returned);
    crosses on epochs whose step the adaptive rate rejected; a vertical line at the epoch where
    training stopped, labelled with the reason. The cost axis is logarithmic when every cost is
    positive, since costs fall over orders of magnitude and a linear axis hides all but the
    first epochs.
    """
    ax = _axes(ax)
    h = result.history.as_arrays()
    epochs = h["epoch"]
    ax.plot(epochs, h["cost"], color="C0", label="training cost")
    has_val = bool(np.isfinite(h["val_cost"]).any())
    if has_val:
        ax.plot(epochs, h["val_cost"], color="C1", label="validation cost")
        fail = h["val_fail"]
        rising = np.flatnonzero(np.diff(fail, prepend=0) > 0)
        if rising.size:
            ax.plot(
                epochs[rising],
                h["val_cost"][rising],
                "o",
                color="C3",
                markersize=3,
                label="validation above its best",
            )
        best = result.best_epoch
        ax.plot(
            [best],
            [h["val_cost"][best]],
            "*",
            color="C2",
            markersize=12,
            label=f"best validation (epoch {best})",
        )
    rejected = np.flatnonzero(~h["accepted"].astype(bool))
    if rejected.size:
        ax.plot(
            epochs[rejected],
            h["cost"][rejected],
            "x",
            color="C4",
            label="step rejected (adaptive rate)",
        )
    ax.axvline(
        result.epochs,
        color="0.4",
        linestyle="--",
        label=f"stop: {result.stop_reason} (epoch {result.epochs})",
    )
    shown = np.concatenate([h["cost"], h["val_cost"] if has_val else []])
    shown = shown[np.isfinite(shown)]
    if shown.size and np.all(shown > 0):
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cost E (mean of E_total)")
    ax.set_title("Training history")
    ax.legend(fontsize="small")
    return ax

"""Handwritten digits as a learner looks at them: the images in a labelled grid
(:func:`plot_digits`), and a classifier's answers against the labels as a confusion matrix
(:func:`confusion_matrix`, :func:`plot_confusion`).

The digits of ``sklearn.datasets.load_digits`` are 8 × 8 images with grey levels 0 to 16, one
row of 64 pixels per sample, and their labels the digits 0 to 9; notebook 10 trains the
article's network on them. Titles and axis labels follow the language in use
(:mod:`bpderive.language`; the texts are in :mod:`bpderive.display.figure_texts`), and in
Chinese the figure is given the Chinese font first. Bad input is refused by name, with what was
expected and what was given.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from bpderive.checks import as_array, int_scalar
from bpderive.display import figure_texts as texts
from bpderive.display.plotting import _axes, _pyplot
from bpderive.language import pick

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _images(images: object) -> np.ndarray:
    """``images`` as an ``(N, side, side)`` array: rows of ``side²`` pixels (one sample per
    row, as the data are given to a network) or images already square."""
    array = as_array("images", images)
    if array.ndim == 2 and array.shape[0] > 0:
        side = math.isqrt(array.shape[1])
        if side > 0 and side * side == array.shape[1]:
            return array.reshape(-1, side, side)
    if array.ndim == 3 and array.shape[0] > 0 and array.shape[1] == array.shape[2] > 0:
        return array
    raise ValueError(
        "images: expected one row of side × side pixels per sample, such as (N, 64) for 8 × 8 "
        f"images, or (N, side, side), got shape {array.shape}"
    )


def _labels(name: str, labels: object, n: int | None, classes: int) -> np.ndarray:
    """``labels`` as a 1-D int array of class numbers 0 to ``classes − 1`` (``n`` of them when
    ``n`` is given): whole numbers only, never one-hot rows, which need ``argmax`` first."""
    array = as_array(name, labels)
    if array.ndim != 1 or array.size == 0:
        hint = " (one-hot targets: take T.argmax(axis=1))" if array.ndim == 2 else ""
        raise ValueError(
            f"{name}: expected a 1-D array of class numbers, one per sample{hint}, "
            f"got shape {array.shape}"
        )
    if n is not None and array.size != n:
        raise ValueError(f"{name}: expected {n} class numbers, one per sample, got {array.size}")
    whole = np.all(array == np.round(array))
    if not whole or array.min() < 0 or array.max() > classes - 1:
        bad = array[(array != np.round(array)) | (array < 0) | (array > classes - 1)][0]
        raise ValueError(f"{name}: expected whole class numbers 0 to {classes - 1}, got {bad:g}")
    return array.astype(int)


def plot_digits(
    images: object,
    labels: object,
    answers: object | None = None,
    *,
    columns: int = 10,
    title: str | None = None,
) -> Figure:
    """The ``images`` in a grid of ``columns`` panels a row, dark ink on white, each titled with
    its label; with the network's ``answers`` (a class number per image) each reads
    "label → answer", for the digits a network got wrong. Returns the Figure.

    ``images`` are rows of pixels, such as ``(N, 64)``, or ``(N, 8, 8)``; ``labels`` and
    ``answers`` whole numbers 0 to 9. The grey levels are drawn on one scale for all panels,
    from the smallest to the largest pixel shown. ``title=None`` says what the grid shows in the
    language in use."""
    pictures = _images(images)
    n = len(pictures)
    label = _labels("labels", labels, n, 10)
    answer = None if answers is None else _labels("answers", answers, n, 10)
    columns = int_scalar("columns", columns, 1)
    columns = min(columns, n)
    rows = math.ceil(n / columns)
    plt = _pyplot()
    fig, axes = plt.subplots(  # wide enough for the title over a short row
        rows,
        columns,
        figsize=(max(0.8 * columns, 6.0), 0.95 * rows + 0.45),
        squeeze=False,
        layout="constrained",
    )
    low, high = float(pictures.min()), float(pictures.max())
    for k, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if k >= n:
            continue
        ax.imshow(pictures[k], cmap="gray_r", vmin=low, vmax=high if high > low else low + 1)
        name = f"{label[k]}" if answer is None else f"{label[k]} → {answer[k]}"
        ax.set_title(name, fontsize=10, pad=2)
    if title is None:
        title = pick(texts.DIGITS_TITLE if answer is None else texts.MISTAKES_TITLE).format(n=n)
    fig.suptitle(title, fontsize=11)
    return fig


def confusion_matrix(labels: object, answers: object, classes: int = 10) -> np.ndarray:
    """How often each class was answered as each class: entry ``[i, j]`` counts the samples of
    label ``i`` that the classifier answered ``j``; the diagonal holds the right answers, the
    rest the mistakes. ``labels`` and ``answers`` are whole class numbers 0 to ``classes − 1``,
    one per sample."""
    classes = int_scalar("classes", classes, 2)
    label = _labels("labels", labels, None, classes)
    answer = _labels("answers", answers, label.size, classes)
    counts = np.zeros((classes, classes), dtype=int)
    np.add.at(counts, (label, answer), 1)
    return counts


def plot_confusion(
    labels: object,
    answers: object,
    classes: int = 10,
    ax: Axes | None = None,
    *,
    title: str | None = None,
) -> Axes:
    """The :func:`confusion_matrix` of ``labels`` and ``answers`` as a grid of counts: labels
    down, answers across, each count written in its cell (an empty cell is 0); the right answers
    on the diagonal in blue, darker with the count, the mistakes in red. ``title=None`` gives
    the number of samples and of mistakes in the language in use; returns the Axes."""
    counts = confusion_matrix(labels, answers, classes)
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(5.6, 5.2), layout="constrained")
    ax = _axes(ax)
    k = counts.shape[0]
    right = np.where(np.eye(k, dtype=bool), np.log1p(counts), np.nan)
    wrong = np.where(~np.eye(k, dtype=bool) & (counts > 0), counts, np.nan)
    ax.imshow(right, cmap="Blues", vmin=0, vmax=max(np.nanmax(right), 1.0))
    ax.imshow(wrong, cmap="Reds", vmin=0, vmax=2.5 * max(counts[~np.eye(k, dtype=bool)].max(), 1))
    for i in range(k):
        for j in range(k):
            if counts[i, j]:
                dark = i == j and right[i, i] > 0.6 * np.nanmax(right)
                color = "darkred" if i != j else ("white" if dark else "black")
                ax.text(j, i, str(counts[i, j]), ha="center", va="center", color=color, fontsize=9)
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set(xlabel=pick(texts.PREDICTED_DIGIT), ylabel=pick(texts.TRUE_DIGIT))
    if title is None:
        wrong = int(counts.sum() - np.trace(counts))
        title = pick(texts.CONFUSION_TITLE).format(wrong=wrong, n=int(counts.sum()))
    ax.set_title(title)
    return ax

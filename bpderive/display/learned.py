"""Pictures of what a trained network computes: the function a one-input network has fitted,
beside the true function and the samples it learned from (:func:`plot_fits`), and the class
regions of a two-input classifier (:func:`plot_decision_boundary`).

Both answer the question a cost curve cannot: *what* has the network learned? Every title,
label and legend entry they write by themselves follows the language in use
(:mod:`bpderive.language`; the texts are in :mod:`bpderive.display.figure_texts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from bpderive.checks import as_array, int_scalar, real_scalar
from bpderive.display import figure_texts as texts
from bpderive.display.legends import check_legend, place_legend
from bpderive.display.plotting import _axes
from bpderive.language import pick

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from bpderive.network import Network

#: The finest grid :func:`plot_decision_boundary` draws: 1000 × 1000 points, a million forward
#: passes, about a second; a finer grid would not show on a screen and would soon exhaust memory.
MAX_RESOLUTION = 1000

#: The markers of the sample sets in :func:`plot_fits`, in order.
_SAMPLE_MARKERS = "os^D"


def plot_fits(
    x: np.ndarray,
    fits: Mapping[str, np.ndarray],
    truth: tuple[str, np.ndarray] | None = None,
    samples: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
    ax: Axes | None = None,
    *,
    title: str | None = None,
    legend: str = "below",
) -> Axes:
    """What one-input networks compute on the grid ``x``, against the function they learn and
    the samples they learned from; returns the Axes.

    ``fits`` maps a label to a network's outputs on ``x`` (``net.compile().forward(params,
    x).output``): one line each, so several networks, or one network's weights after different
    training, are compared on one picture. ``truth`` is ``(label, values on x)``, the function
    the samples come from, drawn as a thick grey line under the networks; ``samples`` maps a
    label to ``(X, T)``, each set drawn as dots (circles, then squares, …), so a learner sees
    where a curve follows the data and where it runs free between them. ``x`` and every curve
    hold one value per point (a column of shape ``(N, 1)`` as the network takes it is fine).
    ``title=None`` is "What the networks compute" in the language in use. ``legend`` is one of
    :data:`~bpderive.display.legends.LEGEND_PLACES` (default under the Axes).
    """
    grid = _column("x", x)
    if not isinstance(fits, Mapping) or not fits:
        raise ValueError(f"fits: expected a mapping {{label: outputs on x}}, got {fits!r:.60}")
    curves = {str(label): _column(f"fits[{label!r}]", y, len(grid)) for label, y in fits.items()}
    legend = check_legend(legend)
    ax = _axes(ax)
    if truth is not None:
        label, values = truth
        ax.plot(grid, _column("truth", values, len(grid)), color="0.6", linewidth=3, label=label)
    sets = dict(samples or {})
    for k, (label, (X, T)) in enumerate(sets.items()):
        marker = _SAMPLE_MARKERS[k % len(_SAMPLE_MARKERS)]
        ax.plot(X, T, marker, color=f"C{k}", markersize=4, linestyle="none", label=label)
    for k, (label, y) in enumerate(curves.items(), start=len(sets)):
        ax.plot(grid, y, color=f"C{k % 10}", label=label)
    ax.set_xlabel("x")
    ax.set_title(pick(texts.FITS_TITLE) if title is None else title)
    place_legend(ax, legend)
    return ax


def _column(name: str, value: object, length: int | None = None) -> np.ndarray:
    """``value`` as one number per point: a 1-D array, or an ``(N, 1)`` column flattened."""
    array = as_array(name, value)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1 or not array.size:
        raise ValueError(f"{name}: expected one value per point of x, got shape {array.shape}")
    if length is not None and len(array) != length:
        raise ValueError(f"{name}: expected {length} values, one per point of x, got {len(array)}")
    return array


def plot_decision_boundary(
    net: Network,
    params: Mapping[str, np.ndarray],
    X: np.ndarray,
    T: np.ndarray,
    ax: Axes | None = None,
    *,
    resolution: int = 200,
    margin: float = 0.25,
    legend: str = "below",
) -> Axes:
    """The class regions of a trained two-input classifier with its samples; returns the Axes.

    The network's output is computed (``net.compile().forward``) on a grid covering ``X`` plus
    ``margin`` (a fraction of each input's span). With several outputs the class is the largest
    output (one-hot targets), with one output ``out > 0.5`` (a logistic output). The regions are
    shaded and the boundary is drawn as a line (where ``out = 0.5``, or where the two outputs are
    equal; with more classes, the regions' edges); each sample is marked with its *target* class
    (circles class 0, triangles class 1, …), so misclassified samples stand out. ``legend`` is
    one of :data:`LEGEND_PLACES` (default under the Axes, see :func:`legend_below`).
    """
    from bpderive.network import Network

    if not isinstance(net, Network):
        raise ValueError(f"net: expected a bpderive.Network, got {type(net).__name__}")
    if net.sizes[0] != 2:
        raise ValueError(f"net: expected a two-input network, got sizes {net.sizes}")
    X = as_array("X", X)
    T = as_array("T", T)
    if T.ndim == 1:
        T = T[:, None]
    if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] == 0:
        raise ValueError(f"X: expected an (N, 2) array for a two-input network, got {X.shape}")
    if not np.isfinite(X).all():
        raise ValueError("X: contains NaN or infinite values")
    if T.ndim != 2 or T.shape[0] != X.shape[0]:
        raise ValueError(
            f"T: expected one row of targets per sample of X ({X.shape[0]} rows), "
            f"got shape {T.shape}"
        )
    resolution = int_scalar("resolution", resolution, 2, f"an int from 2 to {MAX_RESOLUTION}")
    if resolution > MAX_RESOLUTION:
        raise ValueError(
            f"resolution: expected an int from 2 to {MAX_RESOLUTION} (a grid of resolution² "
            f"points), got {resolution}"
        )
    legend = check_legend(legend)
    margin = real_scalar("margin", margin, "a finite fraction >= 0", lambda v: v >= 0)
    ax = _axes(ax)
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = margin * (hi - lo)
    g1 = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    g2 = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    G1, G2 = np.meshgrid(g1, g2)
    grid = np.column_stack([G1.ravel(), G2.ravel()])
    out = net.compile().forward(params, grid).output

    def classes(values: np.ndarray, threshold: float) -> np.ndarray:
        if values.shape[1] == 1:
            return (values[:, 0] > threshold).astype(int)
        return values.argmax(axis=1)

    region = classes(out, 0.5).reshape(G1.shape)
    n_classes = max(out.shape[1], 2)
    levels = np.arange(n_classes + 1) - 0.5
    ax.contourf(G1, G2, region, levels=levels, cmap="coolwarm", alpha=0.25)
    # The boundary as the zero level of a continuous score, so that it is drawn smoothly:
    # out − 0.5 for one output, out_o2 − out_o1 for two; with more classes the regions' edges.
    if out.shape[1] <= 2:
        score = out[:, 0] - 0.5 if out.shape[1] == 1 else out[:, 1] - out[:, 0]
        ax.contour(G1, G2, score.reshape(G1.shape), levels=[0.0], colors="k", linewidths=1.0)
    else:
        ax.contour(G1, G2, region, levels=levels[1:-1], colors="k", linewidths=1.0)
    target = classes(T, 0.5)
    markers = "o^sDv<>p*h"
    for k in range(n_classes):
        chosen = target == k
        if chosen.any():
            ax.plot(
                X[chosen, 0],
                X[chosen, 1],
                markers[k % len(markers)],
                color=f"C{k % 10}",
                markersize=4,
                label=pick(texts.CLASS).format(k=k),
            )
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(pick(texts.BOUNDARY_TITLE))
    place_legend(ax, legend)
    return ax

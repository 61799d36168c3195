"""Demo data made in code, min-max normalisation and a seeded split (sections 四.1, 五).

Nothing is downloaded: every data set is computed, and the random ones come from
``np.random.default_rng(seed)``, so a seed always gives the same samples. Samples are rows:
``X`` is ``(N, n_inputs)``, ``T`` is ``(N, n_outputs)``.

* :func:`xor`: the four XOR points, the classic problem no single-layer network solves;
* :func:`sine`: ``sin`` on ``[−π, π]``, function approximation, for a linear output layer (五);
* :func:`two_class`: two interleaved half-moons in 2-D, classification for a logistic output.

Improvement (3) of 五 is to normalise the data to [0, 1] or [−1, 1] before training:
:class:`MapMinMax` / :func:`mapminmax` do what MATLAB's ``mapminmax`` does, fitted on the
training data only. :func:`split` divides samples into training, validation and test sets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from bpderive.checks import as_array, bool_scalar, int_scalar, real_number, real_scalar

Pair = tuple[np.ndarray, np.ndarray]


def _seed(seed: int) -> np.random.Generator:
    return np.random.default_rng(int_scalar("seed", seed, 0, "a non-negative int"))


def _noise(noise: float) -> float:
    return real_scalar("noise", noise, "a finite number >= 0", lambda v: v >= 0)


def xor(one_hot: bool = False) -> Pair:
    """The XOR truth table: ``X`` (4, 2) of 0/1, ``T`` (4, 1) with ``x1 XOR x2``.

    ``one_hot=True`` gives ``T`` (4, 2) with columns ``[1 − xor, xor]`` (class "false", class
    "true"), which fits the article's two-output 2-3-2 network.
    """
    one_hot = bool_scalar("one_hot", one_hot)
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    t = np.logical_xor(X[:, 0], X[:, 1]).astype(float)[:, None]
    return X, (np.hstack([1.0 - t, t]) if one_hot else t)


def sine(n: int = 100, seed: int = 0, noise: float = 0.0) -> Pair:
    """``n`` samples of ``t = sin(x) (+ noise)`` with ``x`` uniform on ``[−π, π]``, sorted.

    The targets fill [−1, 1], so the output layer should be linear (``purelin``), as 五 advises
    for function approximation; ``noise`` is the standard deviation of added Gaussian noise (for
    over-fitting demonstrations). Shapes ``(n, 1)`` and ``(n, 1)``.
    """
    n = int_scalar("n", n, 1)
    rng = _seed(seed)
    noise = _noise(noise)
    x = np.sort(rng.uniform(-math.pi, math.pi, size=n))
    t = np.sin(x) + (rng.normal(0.0, noise, size=n) if noise > 0 else 0.0)
    return x[:, None], t[:, None]


def two_class(n: int = 200, seed: int = 0, one_hot: bool = True, noise: float = 0.1) -> Pair:
    """Two interleaved half-moons in 2-D: a class boundary no straight line draws.

    Class 0 lies on the upper half-circle ``(cos θ, sin θ)``, class 1 on the lower one shifted to
    ``(1 − cos θ, 0.5 − sin θ)``, ``θ`` uniform on [0, π], plus Gaussian noise of standard
    deviation ``noise``. ``n // 2`` samples are of class 0, the rest of class 1, in a random order.
    ``one_hot=True`` gives ``T`` (n, 2) = ``[is class 0, is class 1]`` for two logistic outputs
    (the 2-3-2 network); ``one_hot=False`` gives ``T`` (n, 1) = class index for one output.
    """
    n = int_scalar("n", n, 2)
    rng = _seed(seed)
    noise = _noise(noise)
    one_hot = bool_scalar("one_hot", one_hot)
    n0 = n // 2
    theta = rng.uniform(0.0, math.pi, size=n)
    labels = np.r_[np.zeros(n0), np.ones(n - n0)]
    x = np.where(labels == 0, np.cos(theta), 1.0 - np.cos(theta))
    y = np.where(labels == 0, np.sin(theta), 0.5 - np.sin(theta))
    X = np.column_stack([x, y]) + rng.normal(0.0, noise, size=(n, 2))
    order = rng.permutation(n)
    X, labels = X[order], labels[order][:, None]
    return X, (np.hstack([1.0 - labels, labels]) if one_hot else labels)


@dataclass(frozen=True)
class MapMinMax:
    """Column-wise min-max map fitted on training data: ``y = ymin + (ymax − ymin)(x − xmin)/span``.

    Fit it with :meth:`fit` (or :func:`mapminmax`) on the *training* set only and apply the same
    map to validation, test and new data: statistics taken from data the network is evaluated on
    would leak that data into training. New data may fall outside ``[ymin, ymax]``; that is
    expected and not clipped.

    A constant column (``xmax == xmin``) carries no information and would divide by zero; as in
    MATLAB's ``mapminmax`` its span is taken as 1, so its training value maps to ``ymin`` and the
    map stays exactly invertible.

    Samples are rows, and a 1-D array is read the way that fits the map: :meth:`fit` reads a
    1-D array of N values as one column of N samples (the natural call for a single feature,
    such as the sine target), and so do :meth:`transform` and :meth:`inverse` when the map has
    one column. With ``n > 1`` columns they read a 1-D array of length ``n`` as *one sample*,
    as the network does (:func:`bpderive.checks.check_rows`). The result is always an
    ``(N, n)`` array.
    """

    xmin: np.ndarray
    xmax: np.ndarray
    ymin: float = -1.0
    ymax: float = 1.0

    @property
    def span(self) -> np.ndarray:
        """``xmax − xmin`` per column, with 1 where a column was constant."""
        span = self.xmax - self.xmin
        return np.where(span > 0, span, 1.0)

    @classmethod
    def fit(cls, X: np.ndarray, feature_range: tuple[float, float] = (-1.0, 1.0)) -> MapMinMax:
        """The map that sends each column's training min and max to ``feature_range``."""
        lo, hi = _range(feature_range)
        X = _matrix("X", X)
        return cls(xmin=X.min(axis=0), xmax=X.max(axis=0), ymin=lo, ymax=hi)

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Normalise ``X`` (rows are samples) with the training statistics."""
        X = self._columns("X", X)
        return self.ymin + (self.ymax - self.ymin) * (X - self.xmin) / self.span

    def inverse(self, Y: np.ndarray) -> np.ndarray:
        """Undo :meth:`transform`, e.g. to read network outputs in the original units."""
        Y = self._columns("Y", Y)
        return self.xmin + (Y - self.ymin) * self.span / (self.ymax - self.ymin)

    def _columns(self, name: str, A: np.ndarray) -> np.ndarray:
        n = self.xmin.shape[0]
        array = as_array(name, A)
        if array.ndim == 1 and n > 1:
            if array.shape[0] != n:
                raise ValueError(
                    f"{name}: expected {n} columns (as fitted; a 1-D array is one sample of "
                    f"length {n}), got shape {array.shape}"
                )
            array = array[np.newaxis, :]
        array = _matrix(name, array)
        if array.shape[1] != n:
            raise ValueError(f"{name}: expected {n} columns (as fitted), got {array.shape[1]}")
        return array


def _range(feature_range: tuple[float, float]) -> tuple[float, float]:
    """``(min, max)`` as two floats: real numbers only (:func:`real_number`), never a numeric
    string such as ``("0", "1")`` or ``True``, which ``float()`` would take."""
    try:
        values = [] if isinstance(feature_range, str | bytes) else list(feature_range)
    except TypeError:
        values = []
    numbers = [real_number(v) for v in values]
    if len(numbers) != 2 or None in numbers:
        raise ValueError(
            f"feature_range: expected (min, max) such as (0, 1) or (-1, 1), got {feature_range!r}"
        )
    lo, hi = numbers
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(
            f"feature_range: expected finite (min, max) with min < max, got {feature_range!r}"
        )
    return lo, hi


def _matrix(name: str, A: object) -> np.ndarray:
    """``A`` as a finite ``(N, n)`` float array; a 1-D array is one column of N samples."""
    A = as_array(name, A)
    if A.ndim == 1:
        A = A[:, None]
    if A.ndim != 2 or A.shape[0] == 0:
        raise ValueError(f"{name}: expected a non-empty (N, n) array, got shape {A.shape}")
    if not np.all(np.isfinite(A)):
        raise ValueError(f"{name}: contains NaN or inf; fix or drop those samples first")
    return A


def mapminmax(
    X: np.ndarray, feature_range: tuple[float, float] = (-1.0, 1.0)
) -> tuple[np.ndarray, MapMinMax]:
    """MATLAB's ``[Y, PS] = mapminmax(X)``: fit on ``X`` and return ``(Y, map)``.

    Use ``map.transform`` for other data and ``map.inverse`` to go back (``'apply'`` and
    ``'reverse'`` in MATLAB). Unlike MATLAB, samples are rows.
    """
    scaler = MapMinMax.fit(X, feature_range)
    return scaler.transform(X), scaler


class Split(NamedTuple):
    """Training, validation and test pairs ``(X, T)`` and the row indices that made them."""

    train: Pair
    validation: Pair
    test: Pair
    indices: tuple[np.ndarray, np.ndarray, np.ndarray]


def split(
    X: np.ndarray,
    T: np.ndarray,
    fractions: tuple[float, float, float] = (0.7, 0.15, 0.15),
    seed: int = 0,
) -> Split:
    """Seeded random division into training, validation and test sets (MATLAB's ``dividerand``).

    The validation set drives early stopping (四.5), the test set is looked at once at the end.
    Rows are permuted by ``np.random.default_rng(seed)``; the counts are ``fraction · N`` rounded
    down, the rows left over go one each to the sets with the largest remainders, so the three
    sets always partition the samples exactly. Fractions must be ``>= 0`` and sum to 1.
    """
    rng = _seed(seed)
    X = np.asarray(X)
    T = np.asarray(T)
    if X.ndim == 0 or T.ndim == 0 or X.shape[0] != T.shape[0]:
        raise ValueError(
            f"X, T: expected the same number of samples (rows), got shapes {X.shape} and {T.shape}"
        )
    try:
        f = as_array("fractions", fractions)
    except ValueError:  # the message below says what fractions must be
        f = np.array([])
    if f.shape != (3,) or not np.all(np.isfinite(f)) or np.any(f < 0) or abs(f.sum() - 1) > 1e-9:
        raise ValueError(
            f"fractions: expected three numbers >= 0 summing to 1 (train, validation, test), "
            f"got {fractions!r}"
        )
    n = X.shape[0]
    exact = f * n
    counts = np.floor(exact).astype(int)
    leftover = n - counts.sum()
    counts[np.argsort(-(exact - counts), kind="stable")[:leftover]] += 1
    order = rng.permutation(n)
    i_train, i_val, i_test = np.split(order, np.cumsum(counts)[:2])
    return Split(
        train=(X[i_train], T[i_train]),
        validation=(X[i_val], T[i_val]),
        test=(X[i_test], T[i_test]),
        indices=(i_train, i_val, i_test),
    )

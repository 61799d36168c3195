"""Demo data, min-max normalisation and the seeded split."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from bpderive.data import MapMinMax, mapminmax, sine, split, two_class, xor


def test_xor_truth_table() -> None:
    X, T = xor()
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert T.tolist() == [[0], [1], [1], [0]]
    _, T2 = xor(one_hot=True)
    assert T2.tolist() == [[1, 0], [0, 1], [0, 1], [1, 0]]


def test_two_class_lies_on_the_documented_half_moons_in_a_random_order() -> None:
    """Without noise every sample is on its curve: class 0 on (cos θ, sin θ), class 1 on
    (1 − cos θ, 0.5 − sin θ), θ in [0, π]; the classes come mixed, not one after the other."""
    X, T = two_class(n=200, seed=3, noise=0.0)
    x, y, one = X[:, 0], X[:, 1], T[:, 1] == 1
    np.testing.assert_allclose(x[~one] ** 2 + y[~one] ** 2, 1.0, rtol=1e-12)
    assert np.all(y[~one] >= 0)
    np.testing.assert_allclose((1 - x[one]) ** 2 + (0.5 - y[one]) ** 2, 1.0, rtol=1e-12)
    assert np.all(y[one] <= 0.5)
    changes = np.count_nonzero(np.diff(T[:, 1]))
    assert changes > 50  # sorted classes would change once


def test_sine_samples_the_interval_and_is_seeded() -> None:
    X, T = sine(n=200, seed=3)
    assert X.shape == T.shape == (200, 1)
    assert X.min() >= -math.pi and X.max() <= math.pi
    assert X.min() < -3.0 and X.max() > 3.0
    assert np.all(np.diff(X[:, 0]) >= 0)
    np.testing.assert_array_equal(T, np.sin(X))
    X2, _ = sine(n=200, seed=3)
    np.testing.assert_array_equal(X, X2)
    assert not np.array_equal(X, sine(n=200, seed=4)[0])


def test_sine_noise_has_the_requested_spread() -> None:
    X, T = sine(n=20000, seed=0, noise=0.2)
    residual = T - np.sin(X)
    assert residual.std() == pytest.approx(0.2, rel=0.03)


def test_two_class_is_balanced_seeded_and_not_linearly_separable() -> None:
    X, T = two_class(n=301, seed=1)
    assert X.shape == (301, 2) and T.shape == (301, 2)
    np.testing.assert_array_equal(T.sum(axis=1), 1.0)
    assert T[:, 0].sum() == 150 and T[:, 1].sum() == 151
    X2, labels = two_class(n=301, seed=1, one_hot=False)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(labels[:, 0], T[:, 1])
    # Least squares on (x, y, 1) is the best a line can do here; the moons interleave, so it
    # misclassifies a good share of the points.
    A = np.column_stack([X, np.ones(len(X))])
    coef, *_ = np.linalg.lstsq(A, labels[:, 0] * 2 - 1, rcond=None)
    errors = np.mean((A @ coef > 0) != (labels[:, 0] == 1))
    assert errors > 0.05


@pytest.mark.parametrize("feature_range", [(0.0, 1.0), (-1.0, 1.0)])
def test_mapminmax_maps_training_extremes_and_inverts(feature_range: tuple[float, float]) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(5.0, 3.0, size=(50, 3)) * [1, 10, 100]
    Y, scaler = mapminmax(X, feature_range)
    lo, hi = feature_range
    np.testing.assert_allclose(Y.min(axis=0), lo, atol=1e-12)
    np.testing.assert_allclose(Y.max(axis=0), hi, atol=1e-12)
    np.testing.assert_allclose(scaler.inverse(Y), X, rtol=1e-13, atol=1e-12)


def test_mapminmax_applies_training_statistics_to_new_data() -> None:
    rng = np.random.default_rng(1)
    train, test = rng.uniform(0, 10, size=(40, 2)), rng.uniform(-5, 15, size=(30, 2))
    scaler = MapMinMax.fit(train, (0, 1))
    expected = (test - train.min(axis=0)) / (train.max(axis=0) - train.min(axis=0))
    np.testing.assert_allclose(scaler.transform(test), expected, rtol=1e-13)
    # Fitting on the test set instead would have given a different map.
    assert not np.allclose(MapMinMax.fit(test, (0, 1)).transform(test), expected)
    assert scaler.transform(test).min() < 0 and scaler.transform(test).max() > 1


def test_mapminmax_constant_column_maps_to_ymin_without_division_by_zero() -> None:
    X = np.array([[1.0, 7.0], [2.0, 7.0], [3.0, 7.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Y, scaler = mapminmax(X)
        np.testing.assert_array_equal(Y[:, 1], -1.0)
        np.testing.assert_array_equal(Y[:, 0], [-1.0, 0.0, 1.0])
        np.testing.assert_array_equal(scaler.inverse(Y), X)
        new = scaler.transform(np.array([[2.0, 8.0]]))
    np.testing.assert_allclose(scaler.inverse(new), [[2.0, 8.0]])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: mapminmax(np.ones((3, 2)), (1, 0)), r"^feature_range: expected finite"),
        (lambda: mapminmax(np.ones((3, 2)), (1, 1)), r"^feature_range: .* min < max, got \(1, 1\)"),
        (lambda: mapminmax(np.ones((3, 2)), (0,)), r"^feature_range: expected \(min, max\)"),
        (lambda: mapminmax(np.array([[np.nan, 1.0]])), r"^X: contains NaN"),
        (lambda: mapminmax(np.ones((0, 2))), r"^X: expected a non-empty"),
        (lambda: mapminmax(np.eye(3))[1].transform(np.ones((2, 2))), r"^X: expected 3 columns"),
        (lambda: mapminmax(np.eye(3))[1].inverse(np.ones((2, 4))), r"^Y: expected 3 columns"),
    ],
)
def test_mapminmax_errors(call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(("n", "counts"), [(100, (70, 15, 15)), (7, (5, 1, 1)), (3, (2, 1, 0))])
def test_split_partitions_exactly(n: int, counts: tuple[int, int, int]) -> None:
    X = np.arange(n * 2, dtype=float).reshape(n, 2)
    T = np.arange(n, dtype=float)[:, None] * 10
    parts = split(X, T, seed=4)
    assert tuple(len(i) for i in parts.indices) == counts
    np.testing.assert_array_equal(np.sort(np.concatenate(parts.indices)), np.arange(n))
    pairs = (parts.train, parts.validation, parts.test)
    for (Xp, Tp), idx in zip(pairs, parts.indices, strict=True):
        np.testing.assert_array_equal(Xp, X[idx])
        np.testing.assert_array_equal(Tp, T[idx])


def test_split_is_seeded() -> None:
    X, T = sine(n=50, seed=0)
    a, b, c = split(X, T, seed=1), split(X, T, seed=1), split(X, T, seed=2)
    assert all(np.array_equal(i, j) for i, j in zip(a.indices, b.indices, strict=True))
    assert not np.array_equal(a.indices[0], c.indices[0])
    assert len(split(X, T, fractions=(0.8, 0.2, 0.0)).test[0]) == 0


def test_split_permutes_the_rows_with_the_seeds_generator() -> None:
    """As documented: the rows are permuted by ``np.random.default_rng(seed)`` and cut by the
    counts in the order training, validation, test."""
    X, T = sine(n=20, seed=0)
    parts = split(X, T, fractions=(0.5, 0.25, 0.25), seed=7)
    order = np.random.default_rng(7).permutation(20)
    expected = (order[:10], order[10:15], order[15:])
    assert all(np.array_equal(i, j) for i, j in zip(parts.indices, expected, strict=True))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"fractions": (0.7, 0.2, 0.2)}, r"^fractions: expected three numbers >= 0 summing to 1"),
        ({"fractions": (0.5, 0.5)}, r"^fractions:"),
        ({"fractions": (1.2, -0.2, 0.0)}, r"^fractions:"),
        ({"fractions": (0.7, 0.15, 0.151)}, r"^fractions:"),  # sums to 1.001
        ({"fractions": "abc"}, r"^fractions:"),
        ({"seed": -3}, r"^seed:"),
    ],
)
def test_split_errors(kwargs: dict, match: str) -> None:
    X, T = sine(n=10)
    with pytest.raises(ValueError, match=match):
        split(X, T, **kwargs)


def test_split_needs_matching_rows() -> None:
    with pytest.raises(ValueError, match=r"^X, T: expected the same number of samples"):
        split(np.ones((5, 2)), np.ones((4, 1)))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: sine(n=0), r"^n: expected an int >= 1"),
        (lambda: sine(noise=-0.1), r"^noise:"),
        (lambda: two_class(n=1), r"^n: expected an int >= 2"),
        (lambda: two_class(seed=-1), r"^seed:"),
        (lambda: two_class(noise=float("inf")), r"^noise:"),
    ],
)
def test_data_argument_errors(call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------------------- review fixes


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: mapminmax([["a", "b"]]), r"^X: expected numbers"),
        (lambda: MapMinMax.fit("abc"), r"^X: expected numbers, got the string 'abc'"),
        (lambda: mapminmax(np.eye(2))[1].transform([["a", "b"]]), r"^X: expected numbers"),
        (lambda: mapminmax(np.eye(2))[1].inverse("ab"), r"^Y: expected numbers, got the string"),
        (lambda: mapminmax(np.eye(2))[1].transform([1 + 2j, 3.0]), r"^X: expected numbers"),
        (
            lambda: mapminmax(np.eye(3))[1].transform(np.ones(2)),
            r"^X: expected 3 columns \(as fitted; a 1-D array is one sample of length 3\), "
            r"got shape \(2,\)",
        ),
        (lambda: mapminmax(np.eye(3))[1].inverse(np.ones(5)), r"^Y: expected 3 columns"),
        (lambda: mapminmax(np.eye(2))[1].transform(np.ones((2, 2, 2))), r"^X: expected a non"),
    ],
)
def test_mapminmax_refuses_non_numbers_and_wrong_lengths(call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_a_1d_array_is_one_sample_for_a_map_of_several_columns() -> None:
    """The network's convention (checks.check_rows): with n > 1 fitted columns a 1-D array of
    length n is one sample; the result is (1, n), like the network's output for it."""
    X = np.array([[0.0, 10.0, -4.0], [2.0, 30.0, 4.0]])
    _, scaler = mapminmax(X)
    row = np.array([1.0, 20.0, 0.0])
    np.testing.assert_array_equal(scaler.transform(row), [[0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(scaler.transform(row), scaler.transform(row[None, :]))
    np.testing.assert_array_equal(scaler.inverse([0.0, 0.0, 0.0]), [row])
    np.testing.assert_array_equal(scaler.inverse(np.array([-1.0, 1.0, 1.0])), [[0.0, 30.0, 4.0]])


def test_a_1d_array_is_one_column_for_a_single_feature() -> None:
    """Fitting on the N values of one feature (the sine target, say) is a natural call: a 1-D
    array is then one column of N samples, for fit, transform and inverse alike."""
    t = np.array([-2.0, 0.0, 2.0, 6.0])
    Y, scaler = mapminmax(t)
    assert scaler.xmin.shape == (1,)
    np.testing.assert_array_equal(Y, [[-1.0], [-0.5], [0.0], [1.0]])
    np.testing.assert_array_equal(scaler.transform(t), Y)
    np.testing.assert_array_equal(scaler.inverse(Y[:, 0]), t[:, None])


def test_data_sizes_accept_numpy_scalars_and_refuse_bool() -> None:
    X, T = sine(n=np.int64(7), seed=np.int64(2), noise=np.float32(0.5))
    X2, T2 = sine(n=7, seed=2, noise=float(np.float32(0.5)))
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(T, T2)
    with pytest.raises(ValueError, match=r"^n: expected an int >= 1, got True"):
        sine(n=True)
    with pytest.raises(ValueError, match=r"^noise: expected a finite number >= 0, got True"):
        sine(noise=True)
    with pytest.raises(ValueError, match=r"^seed: expected a non-negative int, got 1\.0"):
        two_class(seed=1.0)

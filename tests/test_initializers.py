"""Initialisation schemes: shapes, seeding, statistics, Nguyen-Widrow geometry, errors.

The schemes only read ``sizes`` and ``activations``, so large layers (for statistics) are
described by a plain namespace instead of a symbolically derived network.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from bpderive import Network
from bpderive.symbolic.activations import get_activation
from bpderive.training.initializers import SCHEMES, initialize


def shape(sizes: tuple[int, ...], activation: str = "logistic") -> SimpleNamespace:
    return SimpleNamespace(
        sizes=sizes, activations=(get_activation(activation),) * (len(sizes) - 1)
    )


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_every_scheme_gives_the_network_its_parameter_shapes(scheme: str) -> None:
    net = Network((2, 3, 2))
    params = initialize(net, scheme, seed=1)
    assert {k: v.shape for k, v in params.items()} == {
        "W1": (3, 2),
        "b1": (3,),
        "W2": (2, 3),
        "b2": (2,),
    }
    assert all(v.dtype == np.float64 for v in params.values())
    deep = initialize(shape((3, 5, 4, 1)), scheme, seed=1)
    assert [deep[k].shape for k in ("W1", "W2", "W3", "b3")] == [(5, 3), (4, 5), (1, 4), (1,)]


@pytest.mark.parametrize("scheme", ["gaussian", "uniform", "xavier", "nguyen_widrow"])
def test_random_schemes_are_seeded(scheme: str) -> None:
    net = shape((4, 6, 2))
    first, again, other = (initialize(net, scheme, seed=s) for s in (3, 3, 4))
    assert all(np.array_equal(first[k], again[k]) for k in first)
    assert not np.array_equal(first["W1"], other["W1"])
    generator = initialize(net, scheme, seed=np.random.default_rng(3))
    assert all(np.array_equal(first[k], generator[k]) for k in first)


def test_zeros_and_constant_are_symmetric() -> None:
    net = shape((2, 3, 2))
    assert all(not v.any() for v in initialize(net, "zeros").values())
    params = initialize(net, "constant", value=0.3, bias=-0.2)
    assert np.all(params["W1"] == 0.3) and np.all(params["W2"] == 0.3)
    assert np.all(params["b1"] == -0.2) and np.all(params["b2"] == -0.2)


def test_gaussian_statistics() -> None:
    params = initialize(shape((300, 400, 1)), "gaussian", seed=0, sigma=0.05)
    w = params["W1"]
    assert abs(w.mean()) < 0.05 * 0.01
    assert w.std() == pytest.approx(0.05, rel=0.01)
    default = initialize(shape((300, 400, 1)), "gaussian", seed=0)["W1"]
    assert default.std() == pytest.approx(0.1, rel=0.01)


def test_uniform_range_adapts_to_fan_in() -> None:
    params = initialize(shape((400, 100, 300)), "uniform", seed=0)
    for key, fan_in in (("W1", 400), ("W2", 100)):
        r = 1 / math.sqrt(fan_in)
        w = params[key]
        assert np.abs(w).max() <= r
        assert np.abs(w).max() > 0.99 * r
        assert w.var() == pytest.approx(r**2 / 3, rel=0.02)
    fixed = initialize(shape((400, 100, 300)), "uniform", seed=0, r=0.2)
    assert np.abs(fixed["W1"]).max() <= 0.2 and np.abs(fixed["W2"]).max() > 0.199


@pytest.mark.parametrize("distribution", ["uniform", "normal"])
def test_xavier_keeps_variance_two_over_fan_in_plus_fan_out(distribution: str) -> None:
    params = initialize(shape((300, 500, 200)), "xavier", seed=0, distribution=distribution)
    for key, (fan_in, fan_out) in (("W1", (300, 500)), ("W2", (500, 200))):
        assert params[key].var() == pytest.approx(2 / (fan_in + fan_out), rel=0.02)
        if distribution == "uniform":
            assert np.abs(params[key]).max() <= math.sqrt(6 / (fan_in + fan_out))
    assert not params["b1"].any() and not params["b2"].any()


@pytest.mark.parametrize(("activation", "half_width"), [("tanh", 2.0), ("logistic", 4.0)])
def test_nguyen_widrow_magnitude_and_staggered_biases(activation: str, half_width: float) -> None:
    s, r = 8, 3
    params = initialize(shape((r, s, 1), activation), "nguyen_widrow", seed=5)
    beta = 0.7 * s ** (1 / r)
    # Inputs already in [-1, 1]: the rows are β-long directions stretched to the active range.
    norms = np.linalg.norm(params["W1"], axis=1)
    np.testing.assert_allclose(norms, half_width * beta, rtol=1e-12)
    np.testing.assert_allclose(
        np.sort(np.abs(params["b1"])),
        np.sort(np.abs(half_width * beta * np.linspace(-1, 1, s))),
        rtol=1e-12,
        atol=1e-12,
    )
    assert params["b2"].shape == (1,)


def test_nguyen_widrow_spreads_one_input_units_evenly_over_the_input_range() -> None:
    # With one input every unit's centre (where net = 0) is -b/w; Nguyen-Widrow places the
    # centres evenly across the input interval, which is the point of the method.
    s = 7
    params = initialize(shape((1, s, 1), "tanh"), "nguyen_widrow", seed=2)
    centres = -params["b1"] / params["W1"][:, 0]
    np.testing.assert_allclose(np.sort(centres), np.linspace(-1, 1, s), atol=1e-12)
    wide = initialize(
        shape((1, s, 1), "tanh"), "nguyen_widrow", seed=2, input_range=(-math.pi, math.pi)
    )
    centres = -wide["b1"] / wide["W1"][:, 0]
    np.testing.assert_allclose(np.sort(centres), np.linspace(-math.pi, math.pi, s), atol=1e-12)


def test_nguyen_widrow_input_range_is_an_affine_change_of_variable() -> None:
    net = shape((2, 5, 3), "tanh")
    lo, hi = np.array([0.0, -10.0]), np.array([4.0, 30.0])
    plain = initialize(net, "nguyen_widrow", seed=9)
    ranged = initialize(net, "nguyen_widrow", seed=9, input_range=np.column_stack([lo, hi]))
    x = np.random.default_rng(0).uniform(lo, hi, size=(20, 2))
    scaled = 2 * (x - lo) / (hi - lo) - 1
    np.testing.assert_allclose(
        x @ ranged["W1"].T + ranged["b1"], scaled @ plain["W1"].T + plain["b1"], atol=1e-12
    )


def test_nguyen_widrow_single_unit_has_zero_bias_before_the_shift() -> None:
    params = initialize(shape((2, 1), "tanh"), "nguyen_widrow", seed=0)
    assert params["b1"].tolist() == [0.0]


def test_unknown_scheme_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"^scheme: unknown scheme 'he'.*nguyen_widrow"):
        initialize(shape((2, 3, 2)), "he")


def test_unknown_option_lists_the_scheme_options() -> None:
    with pytest.raises(ValueError, match=r"init options: 'gaussian' does not take std.*sigma"):
        initialize(shape((2, 3, 2)), "gaussian", std=0.1)
    with pytest.raises(ValueError, match=r"'zeros' does not take value; its options: none"):
        initialize(shape((2, 3, 2)), "zeros", value=1.0)


@pytest.mark.parametrize(
    ("scheme", "options", "match"),
    [
        ("gaussian", {"sigma": 0.0}, r"^sigma: expected a finite number > 0, got 0\.0"),
        ("gaussian", {"sigma": float("nan")}, r"^sigma:"),
        ("uniform", {"gain": -1.0}, r"^gain:"),
        ("uniform", {"r": 0}, r"^r:"),
        ("xavier", {"distribution": "cauchy"}, r"^distribution: expected 'uniform' or 'normal'"),
        ("constant", {"value": float("inf")}, r"^value: expected a finite number"),
        ("nguyen_widrow", {"input_range": (1.0, -1.0)}, r"^input_range: every max"),
        ("nguyen_widrow", {"input_range": [[0, 1]] * 3}, r"^input_range: expected \(min, max\)"),
    ],
)
def test_bad_options_name_the_option(scheme: str, options: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        initialize(shape((2, 3, 2)), scheme, **options)


@pytest.mark.parametrize("seed", [-1, 1.5, True, "0"])
def test_bad_seed(seed: object) -> None:
    with pytest.raises(ValueError, match=r"^seed: expected a non-negative int"):
        initialize(shape((2, 3, 2)), "gaussian", seed=seed)


# ---------------------------------------------------------------------------- review fixes


@pytest.mark.parametrize(
    "net",
    [None, {"sizes": (2, 3, 2)}, (2, 3, 2), shape((2,)), SimpleNamespace(sizes=(2, 3, 2))],
    ids=["None", "dict", "tuple", "one layer", "no activations"],
)
@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_a_non_network_is_refused_by_name(net: object, scheme: str) -> None:
    with pytest.raises(ValueError, match=r"^net: expected a bpderive.Network .*got "):
        initialize(net, scheme)


@pytest.mark.parametrize("input_range", ["ab", None, [["a", "b"]], (0, 1, 2)])
def test_nguyen_widrow_bad_input_range_names_it(input_range: object) -> None:
    with pytest.raises(ValueError, match=r"^input_range: expected "):
        initialize(shape((2, 3, 1)), "nguyen_widrow", input_range=input_range)


def test_numpy_scalars_are_accepted_and_bool_is_not() -> None:
    net = shape((300, 400, 1))
    params = initialize(net, "gaussian", seed=np.int64(0), sigma=np.float32(0.05))
    assert params["W1"].std() == pytest.approx(0.05, rel=0.01)
    same = initialize(net, "gaussian", seed=0, sigma=float(np.float32(0.05)))
    assert all(np.array_equal(params[k], same[k]) for k in params)
    constant = initialize(shape((2, 3, 1)), "constant", value=np.float64(0.3), bias=np.int32(1))
    assert constant["W1"][0, 0] == 0.3 and constant["b1"][0] == 1.0
    for options in ({"sigma": True}, {"sigma": "0.1"}, {"sigma": np.float32(-1)}):
        with pytest.raises(ValueError, match=r"^sigma: expected a finite number > 0"):
            initialize(net, "gaussian", **options)
    with pytest.raises(ValueError, match=r"^seed: expected a non-negative int or a numpy Gen"):
        initialize(net, "gaussian", seed=np.float64(1.0))


def test_uniform_net_input_variance_counts_the_bias() -> None:
    """Weights and bias uniform on [−r, r], r = gain/√fan_in, inputs uniform on [−1, 1]
    (E[x²] = 1/3): Var(net) = gain²/3·(E[x²] + 1/fan_in), the documented formula. With
    fan_in = 2 the bias's share 1/2 exceeds the weights' 1/3: leaving it out is far off."""
    fan_in, gain = 2, 1.5
    params = initialize(shape((fan_in, 20000, 1)), "uniform", seed=0, gain=gain)
    x = np.random.default_rng(1).uniform(-1, 1, size=(400, fan_in))
    net = x @ params["W1"].T + params["b1"]
    assert net.var() == pytest.approx(gain**2 / 3 * (1 / 3 + 1 / fan_in), rel=0.02)

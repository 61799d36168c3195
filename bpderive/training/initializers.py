"""Initialisation schemes of section 四.2, named and switchable (after Nielsen's ``network2``).

Step (1) of the training process of 四.6 is "initialise the weights and thresholds". How matters:

* all weights equal (``zeros``, ``constant``) make every hidden unit of a layer compute the same
  ``net``, get the same ``δ`` and so the same update: the units stay identical for ever (the
  *symmetric-weights problem*). These two schemes exist to show that, not to train with;
* random weights break the symmetry. Too small a range loses the signal and keeps every sigmoid in
  its linear middle; too large a range saturates it (``f'(net) ≈ 0``, vanishing gradients). The
  other schemes pick the range from the layer's size for that reason.

Every scheme returns a parameter dict ``{"W1": (n1, n0), "b1": (n1,), "W2": (n2, n1), ...}`` (row =
receiving neuron) of float64 arrays and draws from ``np.random.default_rng(seed)``, layer by layer
in order ``W1, b1, W2, b2, ...``, so one seed always gives the same parameters.

The scheme functions take the network (anything with ``sizes`` and ``activations``) and a
seed; :func:`initialize` picks one by name and checks its options.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np
import sympy as sp

from bpderive.checks import as_array, int_scalar, real_scalar
from bpderive.numeric.layout import ParameterLayout
from bpderive.symbolic.activations import Activation, Softmax

Params = dict[str, np.ndarray]


class _Shaped(Protocol):
    sizes: tuple[int, ...]
    activations: tuple[Activation | Softmax, ...]


def _rng(seed: int | np.random.Generator) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    expected = "a non-negative int or a numpy Generator"
    return np.random.default_rng(int_scalar("seed", seed, 0, expected))


def _layers(net: _Shaped) -> list[tuple[int, int, int]]:
    """``(l, fan_in, fan_out)`` for each weight layer ``l = 1..L``, after checking that ``net``
    describes a network (``sizes`` of at least two positive ints, one activation per layer
    after the input), so that ``None`` or a spec dict is refused with the argument's name rather
    than failing on a missing attribute."""
    sizes = getattr(net, "sizes", None)
    acts = getattr(net, "activations", None)
    ok = (
        isinstance(sizes, Sequence)
        and len(sizes) >= 2
        and all(
            not isinstance(n, bool) and isinstance(n, int | np.integer) and n >= 1 for n in sizes
        )
        and isinstance(acts, Sequence)
        and len(acts) == len(sizes) - 1
        and all(isinstance(act, Activation | Softmax) for act in acts)
    )
    if not ok:
        raise ValueError(
            "net: expected a bpderive.Network (or anything with sizes and activations), "
            f"got {type(net).__name__}"
        )
    sizes = tuple(int(n) for n in sizes)
    return [(i + 1, sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)]


def _positive(name: str, value: float) -> float:
    return real_scalar(name, value, "a finite number > 0", lambda v: v > 0)


def zeros(net: _Shaped, seed: int | np.random.Generator = 0) -> Params:
    """Every weight and bias 0: the symmetric-weights problem in its plainest form.

    All hidden units of a layer get the same ``net`` and the same ``δ``, hence the same update;
    they remain copies of each other however long one trains. (With tanh hidden units and zero
    weights even the gradients of the weights are 0: ``Out_h = tanh(0) = 0``.) ``seed`` is
    accepted for a uniform interface and not used.
    """
    _rng(seed)
    params: Params = {}
    for layer, fan_in, fan_out in _layers(net):
        params[f"W{layer}"] = np.zeros((fan_out, fan_in))
        params[f"b{layer}"] = np.zeros(fan_out)
    return params


def constant(
    net: _Shaped,
    seed: int | np.random.Generator = 0,
    *,
    value: float = 0.5,
    bias: float = 0.0,
) -> Params:
    """Every weight ``value``, every bias ``bias``: symmetric like :func:`zeros`, with signal.

    Unlike zeros, the forward pass carries information and every gradient is non-zero, yet the
    hidden units of a layer still receive identical updates and never become different.
    """
    _rng(seed)
    value = real_scalar("value", value)
    bias = real_scalar("bias", bias)
    params: Params = {}
    for layer, fan_in, fan_out in _layers(net):
        params[f"W{layer}"] = np.full((fan_out, fan_in), value)
        params[f"b{layer}"] = np.full(fan_out, bias)
    return params


def gaussian(net: _Shaped, seed: int | np.random.Generator = 0, *, sigma: float = 0.1) -> Params:
    """Weights and biases drawn from ``N(0, σ²)``, σ = 0.1 (the article's variance 0.01).

    Simple, and fine for small layers; the spread of ``net = Σ w·x + b`` grows as
    ``σ·sqrt(fan_in)``, so wide layers want a σ that shrinks with the fan-in (see
    :func:`uniform` and :func:`xavier`).
    """
    rng = _rng(seed)
    sigma = _positive("sigma", sigma)
    params: Params = {}
    for layer, fan_in, fan_out in _layers(net):
        params[f"W{layer}"] = rng.normal(0.0, sigma, size=(fan_out, fan_in))
        params[f"b{layer}"] = rng.normal(0.0, sigma, size=fan_out)
    return params


def uniform(
    net: _Shaped,
    seed: int | np.random.Generator = 0,
    *,
    gain: float = 1.0,
    r: float | None = None,
) -> Params:
    """Weights and biases uniform on ``[−r, r]`` with ``r = gain / sqrt(fan_in)`` (zero mean).

    The rule adapts the range to the number of connections into the neuron (四.2, and 四.6's
    "initial weights uniform with mean 0"): a uniform weight or bias has variance ``r²/3``, so
    with independent zero-mean draws ``Var(net) = fan_in · r²/3 · E[x²] + r²/3
    = gain²/3 · (E[x²] + 1/fan_in)``. The weights' share no longer grows with the fan-in; the
    bias, drawn from the same range, adds ``gain²/(3·fan_in)``, which matters only for the
    narrowest layers (with one input it is as large as the weight's share for ``E[x²] = 1``).
    With inputs in [−1, 1] the net inputs then stay well inside the sigmoid's non-saturated
    region. A fixed ``r`` (the same for every layer) can be given instead of ``gain``.
    """
    rng = _rng(seed)
    gain = _positive("gain", gain)
    fixed = None if r is None else _positive("r", r)
    params: Params = {}
    for layer, fan_in, fan_out in _layers(net):
        bound = gain / math.sqrt(fan_in) if fixed is None else fixed
        params[f"W{layer}"] = rng.uniform(-bound, bound, size=(fan_out, fan_in))
        params[f"b{layer}"] = rng.uniform(-bound, bound, size=fan_out)
    return params


def xavier(
    net: _Shaped,
    seed: int | np.random.Generator = 0,
    *,
    gain: float = 1.0,
    distribution: str = "uniform",
) -> Params:
    """Glorot/Xavier variance-preserving weights, zero biases.

    Keeping each neuron's input and output variance equal (四.2) forward needs
    ``Var(w) = 1/fan_in``, backward ``1/fan_out``; Glorot and Bengio (2010) take the compromise
    ``Var(w) = gain² · 2 / (fan_in + fan_out)``. ``distribution="uniform"`` draws from
    ``U[−a, a]`` with ``a = gain · sqrt(6 / (fan_in + fan_out))`` (variance ``a²/3``),
    ``"normal"`` from ``N(0, gain² · 2 / (fan_in + fan_out))``. The derivation assumes an
    activation with slope 1 at 0 (tanh); for the logistic (slope 1/4) Glorot suggest ``gain=4``.
    """
    rng = _rng(seed)
    gain = _positive("gain", gain)
    if distribution not in ("uniform", "normal"):
        raise ValueError(f"distribution: expected 'uniform' or 'normal', got {distribution!r}")
    params: Params = {}
    for layer, fan_in, fan_out in _layers(net):
        variance = gain**2 * 2.0 / (fan_in + fan_out)
        if distribution == "uniform":
            bound = math.sqrt(3.0 * variance)
            params[f"W{layer}"] = rng.uniform(-bound, bound, size=(fan_out, fan_in))
        else:
            params[f"W{layer}"] = rng.normal(0.0, math.sqrt(variance), size=(fan_out, fan_in))
        params[f"b{layer}"] = np.zeros(fan_out)
    return params


def _input_ranges(input_range: object, n_inputs: int) -> np.ndarray:
    ranges = as_array("input_range", input_range)
    if ranges.shape == (2,):
        ranges = np.tile(ranges, (n_inputs, 1))
    if ranges.shape != (n_inputs, 2) or not np.all(np.isfinite(ranges)):
        raise ValueError(
            f"input_range: expected (min, max) or an ({n_inputs}, 2) array of finite numbers, "
            f"got {input_range!r}"
        )
    if np.any(ranges[:, 1] <= ranges[:, 0]):
        raise ValueError(f"input_range: every max must exceed its min, got {input_range!r}")
    return ranges


def nguyen_widrow(
    net: _Shaped,
    seed: int | np.random.Generator = 0,
    *,
    input_range: Sequence[float] | np.ndarray = (-1.0, 1.0),
) -> Params:
    """Nguyen-Widrow (1990) weights and biases, as MATLAB's ``initnw`` (the ``newff`` default).

    Idea: spread the non-saturated ("active") regions of a layer's S neurons evenly over the
    layer's R-dimensional input space, so that each neuron starts responsible for its own slice
    instead of all of them overlapping near the origin. For each layer, assuming inputs and net
    inputs in [−1, 1]:

    * magnitude ``β = 0.7 · S^(1/R)``;
    * weights ``w_j = β · u_j``, with ``u_j`` a random unit vector (a normal draw, normalised);
    * biases ``b_j = β · c_j · sign(w_j1)``, with ``c_j`` evenly spaced on [−1, 1]
      (``linspace(−1, 1, S)``; ``b = 0`` for a single neuron), so the units' hyperplanes are
      staggered across the input space.

    Then two affine changes of variable make the assumptions true. Inputs: an input known to lie
    in ``[lo, hi]`` is ``x̃ = a·x + c`` on [−1, 1] with ``a = 2/(hi − lo)``,
    ``c = 1 − hi·a``, so ``W ← W·diag(a)`` and ``b ← b + W·c``. Net inputs: [−1, 1] is stretched
    onto the activation's active range ``[n_lo, n_hi]`` (its ``active_range``: logistic
    [−4, 4], tanh [−2, 2], others [−1, 1]): ``W ← h·W``, ``b ← h·b + m`` with
    ``h = (n_hi − n_lo)/2``, ``m = (n_hi + n_lo)/2``.

    ``input_range`` is the range of the network's inputs (``(min, max)`` for all, or one row per
    input); the default [−1, 1] is what :func:`bpderive.data.mapminmax` produces. A hidden layer's
    input range is the previous activation's output range, where it is bounded (logistic
    (0, 1), tanh (−1, 1); others are taken as [−1, 1]).
    """
    layers = _layers(net)
    rng = _rng(seed)
    ranges = _input_ranges(input_range, layers[0][1])
    params: Params = {}
    for layer, fan_in, fan_out in layers:
        magnitude = 0.7 * fan_out ** (1.0 / fan_in)
        directions = rng.normal(size=(fan_out, fan_in))
        directions /= np.linalg.norm(directions, axis=1, keepdims=True)
        w = magnitude * directions
        if fan_out == 1:
            b = np.zeros(1)
        else:
            b = magnitude * np.linspace(-1.0, 1.0, fan_out) * np.sign(w[:, 0])
        scale = 2.0 / (ranges[:, 1] - ranges[:, 0])
        shift = 1.0 - ranges[:, 1] * scale
        b = b + w @ shift
        w = w * scale
        act = net.activations[layer - 1]
        n_lo, n_hi = act.active_range or (-1.0, 1.0)
        half, mid = (n_hi - n_lo) / 2.0, (n_hi + n_lo) / 2.0
        params[f"W{layer}"] = half * w
        params[f"b{layer}"] = half * b + mid
        ranges = np.tile(_bounded(act.output_range), (fan_out, 1))
    return params


def _bounded(outputs: sp.Set | None) -> tuple[float, float]:
    """An activation's output interval where it is bounded, else [−1, 1]."""
    if outputs is None or not (outputs.inf.is_finite and outputs.sup.is_finite):
        return (-1.0, 1.0)
    return (float(outputs.inf), float(outputs.sup))


Scheme = Callable[..., Params]

#: The schemes by name, for :func:`initialize`.
SCHEMES: dict[str, Scheme] = {
    "zeros": zeros,
    "constant": constant,
    "gaussian": gaussian,
    "uniform": uniform,
    "xavier": xavier,
    "nguyen_widrow": nguyen_widrow,
}


def initialize(
    net: _Shaped,
    scheme: str = "uniform",
    seed: int | np.random.Generator = 0,
    **options: Any,
) -> Params:
    """Step (1) of 四.6: the initial parameters of ``net`` by the scheme named ``scheme``.

    ``options`` are the scheme's own keywords (``sigma`` for gaussian, ``gain``/``r`` for
    uniform, ``gain``/``distribution`` for xavier, ``value``/``bias`` for constant,
    ``input_range`` for nguyen_widrow). An unknown scheme or option is a ``ValueError`` that
    lists the valid ones, so a typo never silently falls back to a default. The arrays are
    views into one vector (in ``net.parameter_names`` order), which lets the compiled network
    check them all in one pass.
    """
    if not isinstance(scheme, str) or scheme not in SCHEMES:
        raise ValueError(
            f"scheme: unknown scheme {scheme!r}; valid schemes are {', '.join(SCHEMES)}"
        )
    function = SCHEMES[scheme]
    accepted = [
        p.name
        for p in inspect.signature(function).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        valid = ", ".join(accepted) if accepted else "none"
        raise ValueError(
            f"init options: {scheme!r} does not take {', '.join(unknown)}; its options: {valid}"
        )
    params = function(net, seed, **options)
    layout = ParameterLayout(net.sizes)
    return layout.views(layout.flatten(params, check=False))

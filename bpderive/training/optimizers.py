"""How the parameters move each epoch: gradient descent (五) and Levenberg–Marquardt (四.5's "mu").

Each optimizer is a small frozen object that checks its own options when it is made (a bad value,
or an option that would be ignored, raises ``ValueError`` naming it) and whose :meth:`run`
yields the state after every epoch. :func:`bpderive.train` keeps what is common to all of them:
the start, the stop rules, validation and the history.

**Gradient descent** (:class:`GradientDescent`), the article's rule ``w⁺ = w − η1·∂E/∂w`` for
weights and ``b⁺ = b − η2·∂E/∂b`` for biases, every gradient taken at the *same* parameters (all
δ first, then every update, 四.6 step 4), with

* the presentation mode (五): ``"batch"``, one update per epoch with the gradient of the cost
  ``E = 1/N Σ_n E_total(n)``, stable and without order effects; ``"online"`` (the article's
  增量), one update per sample in a new random order every epoch; ``"minibatch"`` in between;
* momentum ``Δw(t) = −η·∂E/∂w + α·Δw(t−1)``: a run of gradients pointing the same way builds up
  speed (up to ``1/(1 − α)`` times the plain step) while oscillating components cancel;
* MATLAB ``traingda``'s adaptive rate: an epoch whose cost rises by more than ``max_perf_inc``
  is undone and both rates are multiplied by ``eta_dec``; one that lowers the cost multiplies
  them by ``eta_inc``.

**Levenberg–Marquardt** (:class:`LevenbergMarquardt`, MATLAB's default ``trainlm``) is where the
article's "mu" comes from. For a loss that is a sum of squares ``E_ok = c·e_ok²`` it takes the
Jacobian ``J = ∂e/∂w`` of every sample's errors (derived from the chains of ``e_ok`` as the
gradient is from ``E_total``) and steps by ``Δw = −(JᵀJ + μI)⁻¹·Jᵀe`` (:func:`lm_step`): with a
small damping ``μ`` the Gauss–Newton step, which solves the linearised least-squares problem at
once; with a large ``μ`` a short gradient step ``−Jᵀe/μ``. ``μ`` grows after a step that fails to
lower the cost and shrinks after one that succeeds, so the method moves between the two by itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields

import numpy as np

from bpderive.checks import _finite, as_array, bool_scalar, int_scalar, real_scalar, scalar_error
from bpderive.numeric.compiled import CompiledNetwork
from bpderive.symbolic.losses import LOSSES

Params = dict[str, np.ndarray]

#: Accepted ``mode`` names and the mode each means ("incremental" is the article's 增量).
MODES = {
    "batch": "batch",
    "online": "online",
    "incremental": "online",
    "minibatch": "minibatch",
    "mini-batch": "minibatch",
}

#: MATLAB's ``trainlm`` never lets ``μ`` fall below this after a success (it would otherwise
#: underflow to 0 after a few hundred good steps, and ``0·mu_inc`` could never rise again).
MU_MIN = 1e-20


@dataclass(frozen=True)
class Epoch:
    """The state after one epoch (epoch 0: the start), as an optimizer yields it.

    ``gradient`` is the full training cost's gradient at ``params``; ``accepted`` whether the
    epoch's update was kept; ``eta1``, ``eta2`` the rates the next update uses and ``mu`` the
    damping (NaN where the optimizer has none); ``stop`` a stop reason of the optimizer's own
    (``"mu_max"``); ``finite`` false where the optimizer found the state unusable. ``vector``
    is the one vector whose views ``params`` are, and ``slope`` the one of ``gradient``, where
    there are such (they change in place with the next epoch, so the loop copies what it
    keeps)."""

    params: Params
    cost: float
    gradient: Mapping[str, np.ndarray]
    accepted: bool = True
    eta1: float = math.nan
    eta2: float = math.nan
    mu: float = math.nan
    stop: str = ""
    finite: bool = True
    vector: np.ndarray | None = None
    slope: np.ndarray | None = None


def _repr(options: object) -> str:
    """``GradientDescent(eta1=0.1, momentum=0.9)``: only what differs from the defaults, which is
    what a learner chose."""
    chosen = [
        f"{f.name}={getattr(options, f.name)!r}"
        for f in fields(options)
        if getattr(options, f.name) != f.default
    ]
    return f"{type(options).__name__}({', '.join(chosen)})"


def _real(options: object, name: str, expected: str, ok: Callable[[float], bool]) -> None:
    """Check the real-valued option ``name`` of a frozen optimizer and store it as a float."""
    object.__setattr__(options, name, real_scalar(name, getattr(options, name), expected, ok))


def _refuse(options: object, name: str, needs: str) -> None:
    """An option that acts only together with another one that is not in force is an error, not a
    silent no-op: a learner who sets ``eta_dec=0.5`` and forgets ``adaptive=True`` would otherwise
    compare two identical runs and conclude the option does nothing."""
    default = next(f.default for f in fields(options) if f.name == name)
    given = getattr(options, name)
    if given != default:
        raise scalar_error(name, f"its default {default!r}: it acts only with {needs}", given)


@dataclass(frozen=True, repr=False)
class GradientDescent:
    """Gradient descent with the options of 五; see the module's description.

    ``eta1`` is η1 for the weights, ``eta2`` η2 for the biases (``None``: the same as η1; ``0``
    freezes the biases exactly). The article's design rule is ``0 < η < 1``; larger rates are
    allowed (they may diverge, which training detects). ``momentum`` is ``α`` in [0, 1).
    ``mode`` is ``"batch"``, ``"online"`` or ``"minibatch"`` (with ``batch_size``; the last batch
    of an epoch takes the remainder); ``shuffle=False`` presents the samples in the order given.
    ``adaptive=True`` turns on the adaptive rate with ``eta_inc`` (1.05), ``eta_dec`` (0.7) and
    ``max_perf_inc`` (1.04), MATLAB's defaults; a rejected epoch still counts as an epoch. In batch
    mode this is ``traingda``'s rule (with momentum ``traingdx``'s, except that the momentum term
    is the article's ``−η·∂E/∂w + α·Δw(t−1)``); in the other modes the "step" is the whole epoch.
    """

    eta1: float = 0.5
    eta2: float | None = None
    momentum: float = 0.0
    mode: str = "batch"
    batch_size: int | None = None
    shuffle: bool = True
    adaptive: bool = False
    eta_inc: float = 1.05
    eta_dec: float = 0.7
    max_perf_inc: float = 1.04

    def __post_init__(self) -> None:
        _real(self, "eta1", "a finite learning rate η1 > 0", lambda v: v > 0)
        if self.eta2 is not None:
            _real(self, "eta2", "None (η1) or a finite rate η2 >= 0", lambda v: v >= 0)
        _real(self, "momentum", "a momentum factor α in [0, 1)", lambda v: 0 <= v < 1)
        if not isinstance(self.mode, str) or self.mode.lower() not in MODES:
            raise scalar_error("mode", f"one of {', '.join(map(repr, MODES))}", self.mode)
        object.__setattr__(self, "mode", MODES[self.mode.lower()])
        if self.mode == "minibatch":
            object.__setattr__(self, "batch_size", int_scalar("batch_size", self.batch_size, 1))
        elif self.batch_size is not None:
            raise scalar_error("batch_size", "None unless mode='minibatch'", self.batch_size)
        bool_scalar("shuffle", self.shuffle)
        bool_scalar("adaptive", self.adaptive)
        _real(self, "eta_inc", "a finite factor > 1", lambda v: v > 1)
        _real(self, "eta_dec", "a factor in (0, 1)", lambda v: 0 < v < 1)
        _real(self, "max_perf_inc", "a finite ratio >= 1", lambda v: v >= 1)
        if self.mode == "batch":
            _refuse(self, "shuffle", "mode='online' or 'minibatch' (a batch has no order)")
        if not self.adaptive:
            for name in ("eta_inc", "eta_dec", "max_perf_inc"):
                _refuse(self, name, "adaptive=True (it is an option of the adaptive rate)")

    __repr__ = _repr

    def check(self, compiled: CompiledNetwork, n_samples: int, given: str) -> None:
        """Refuse what only the data can tell: a batch larger than the training set; ``given``,
        the optimizer as the learner chose it (``algorithm='gd'`` or a repr), is named."""
        if self.batch_size is not None and self.batch_size > n_samples:
            expected = f"an int in [1, {n_samples}] (the number of samples) for {given}"
            raise scalar_error("batch_size", expected, self.batch_size)

    def run(
        self,
        compiled: CompiledNetwork,
        params: Params,
        X: np.ndarray,
        T: np.ndarray,
        rng: np.random.Generator,
    ) -> Iterator[Epoch]:
        """Epoch after epoch on checked data, without end (the training loop stops it).

        The parameters live in one vector ``w`` whose views are the mapping, and every update
        is a few in-place operations on it: ``w −= r ⊙ g`` with ``r`` holding η1 at each
        weight and η2 at each bias (momentum: ``v ← α·v − r ⊙ g``, ``w += v``). The gradients
        go into two buffers that take turns, so a step the adaptive rate rejects still has
        the gradient it was taken from. A yielded state's arrays change with the next epoch:
        the training loop copies what it keeps."""
        layout = compiled.layout
        w = layout.flatten(params, check=False)
        params = layout.views(w)
        grads = [np.empty(layout.size), np.empty(layout.size)]
        views = [layout.views(g) for g in grads]
        is_bias = np.zeros(layout.size, dtype=bool)
        for key, part in layout.slices.items():
            is_bias[part] = key.startswith("b")
        eta1 = self.eta1
        eta2 = self.eta1 if self.eta2 is None else self.eta2
        rates = np.where(is_bias, eta2, eta1)
        step = np.empty(layout.size)
        velocity = np.zeros(layout.size) if self.momentum else None
        previous = np.empty(layout.size) if self.adaptive else None
        n_samples = X.shape[0]
        size = {"batch": n_samples, "online": 1, "minibatch": self.batch_size}[self.mode]
        fixed = [(X[i : i + size], T[i : i + size]) for i in range(0, n_samples, size)]
        batch_gradient = np.empty(layout.size)
        batch_views = layout.views(batch_gradient)
        at = [compiled.bind(params, v) for v in views]
        batch_at = compiled.bind(params, batch_views)
        current = 0
        with np.errstate(all="ignore"):  # never around a yield: it would leak to the caller
            cost = at[current](X, T, True)
        yield Epoch(params, cost, views[current], eta1=eta1, eta2=eta2, vector=w, slope=grads[0])
        while True:
            if previous is not None:
                np.copyto(previous, w)
            if self.mode == "batch":
                self._step(w, grads[current], rates, step, velocity)
            else:
                batches = fixed
                if self.shuffle and size == 1:  # a slice is a view: no copy per sample
                    batches = [(X[i : i + 1], T[i : i + 1]) for i in rng.permutation(n_samples)]
                elif self.shuffle:
                    order = rng.permutation(n_samples)
                    parts = (order[i : i + size] for i in range(0, n_samples, size))
                    batches = [(X[idx], T[idx]) for idx in parts]
                with np.errstate(all="ignore"):
                    for X_batch, T_batch in batches:
                        batch_at(X_batch, T_batch, False)
                        self._step(w, batch_gradient, rates, step, velocity)
            other = 1 - current
            with np.errstate(all="ignore"):
                new_cost = at[other](X, T, True)
            accepted = True
            if self.adaptive:
                if not new_cost <= self.max_perf_inc * cost:
                    accepted = False
                    np.copyto(w, previous)
                    eta1, eta2 = eta1 * self.eta_dec, eta2 * self.eta_dec
                    if velocity is not None:
                        velocity.fill(0.0)
                elif new_cost < cost:
                    eta1, eta2 = eta1 * self.eta_inc, eta2 * self.eta_inc
                rates = np.where(is_bias, eta2, eta1)
            if accepted:
                cost, current = new_cost, other
            yield Epoch(
                params,
                cost,
                views[current],
                accepted,
                eta1=eta1,
                eta2=eta2,
                vector=w,
                slope=grads[current],
            )

    def _step(
        self,
        w: np.ndarray,
        g: np.ndarray,
        rates: np.ndarray,
        step: np.ndarray,
        velocity: np.ndarray | None,
    ) -> None:
        """One update of every parameter, in place, from gradients taken at the *same*
        parameters: ``Δw(t) = −η·∂E/∂w + α·Δw(t−1)``, ``w ← w + Δw(t)``. A rate of 0 moves
        nothing (``w − 0·g`` is ``w`` exactly), which freezes a parameter."""
        np.multiply(rates, g, step)
        if velocity is None:
            np.subtract(w, step, w)
        else:
            np.multiply(velocity, self.momentum, velocity)
            np.subtract(velocity, step, velocity)
            np.add(w, velocity, w)


@dataclass(frozen=True, repr=False)
class LevenbergMarquardt:
    """Levenberg–Marquardt (MATLAB ``trainlm``); see the module's description.

    ``μ`` starts at ``mu`` (0.001); a step that does not lower the cost is discarded and solved
    again with ``μ·mu_inc`` (10), one that does is kept and ``μ`` becomes ``μ·mu_dec`` (0.1,
    never below :data:`MU_MIN`). If ``μ`` passes ``mu_max`` (1e10) before any step lowers the
    cost, even a tiny gradient step no longer helps and training stops (``"mu_max"``). It
    needs a loss declared as a sum of squares (``JᵀJ`` approximates the Hessian of ``½‖e‖²``)
    and works on all samples at once; each epoch costs one Jacobian (``N·m × P``) and its SVD,
    more than a gradient, but far fewer epochs are needed on small networks."""

    mu: float = 1e-3
    mu_dec: float = 0.1
    mu_inc: float = 10.0
    mu_max: float = 1e10

    def __post_init__(self) -> None:
        _real(self, "mu_max", "a finite μ limit > 0", lambda v: v > 0)
        expected = f"a finite initial μ in (0, mu_max = {self.mu_max:g}]"
        _real(self, "mu", expected, lambda v: 0 < v <= self.mu_max)
        _real(self, "mu_dec", "a factor in (0, 1)", lambda v: 0 < v < 1)
        _real(self, "mu_inc", "a finite factor > 1", lambda v: v > 1)

    __repr__ = _repr

    def check(self, compiled: CompiledNetwork, n_samples: int, given: str) -> None:
        """Refuse a loss that is no sum of squares: it has no errors ``e`` to take ``J`` of; as
        in :meth:`GradientDescent.check`, ``given`` (``algorithm='lm'`` or a repr) is named."""
        if compiled.residual_scale is None:
            squares = ", ".join(repr(n) for n, loss in LOSSES.items() if loss.sum_of_squares)
            raise scalar_error(
                "loss",
                f"a sum-of-squares loss for {given} (Levenberg–Marquardt approximates the Hessian "
                f"of ½‖e‖² by JᵀJ): {squares} or Loss.define(..., sum_of_squares=True); for this "
                "loss use gradient descent (algorithm='gd', GradientDescent())",
                compiled.loss.name,
            )

    def run(
        self,
        compiled: CompiledNetwork,
        params: Params,
        X: np.ndarray,
        T: np.ndarray,
        rng: np.random.Generator,
    ) -> Iterator[Epoch]:
        """Epoch after epoch on checked data, without end (the training loop stops it).

        The parameters live in one vector ``w`` (:class:`~bpderive.numeric.layout.ParameterLayout`
        order, the columns of ``J``) whose views are the parameter mapping. The gradient the
        history records comes from the same ``J`` and ``e``, ``∇E = (2c/N)·Jᵀe``, so an epoch
        needs no backward pass besides the Jacobian's; the cost of an accepted step is the one its
        trial computed."""
        layout = compiled.layout
        scale = 2.0 * compiled.residual_scale / X.shape[0]
        w = layout.flatten(params, check=False)
        params = layout.views(w)
        mu = self.mu
        cost = compiled.cost(params, X, T, check=False)
        e, J = compiled.errors_and_jacobian(params, X, T, check=False)
        slope = scale * (J.T @ e)
        yield Epoch(
            params, cost, layout.views(slope), mu=mu, finite=_finite_all(J), vector=w, slope=slope
        )
        while True:
            U, s, Vt = np.linalg.svd(J, full_matrices=False)
            accepted = False
            while mu <= self.mu_max:
                trial = w + _lm_direction(U, s, Vt, e, mu)
                trial_cost = compiled.cost(layout.views(trial), X, T, check=False)
                if trial_cost < cost:
                    accepted = True
                    mu = max(mu * self.mu_dec, MU_MIN)
                    break
                mu *= self.mu_inc
            if accepted:
                w, cost = trial, trial_cost
                params = layout.views(w)
                e, J = compiled.errors_and_jacobian(params, X, T, check=False)
            slope = scale * (J.T @ e)
            yield Epoch(
                params,
                cost,
                layout.views(slope),
                accepted,
                mu=mu,
                stop="" if mu <= self.mu_max else "mu_max",
                finite=_finite_all(J),
                vector=w,
                slope=slope,
            )


def _finite_all(array: np.ndarray) -> bool:
    return bool(np.isfinite(array).all())


def lm_step(J: np.ndarray, e: np.ndarray, mu: float) -> np.ndarray:
    """The Levenberg–Marquardt step ``Δw = −(JᵀJ + μI)⁻¹·Jᵀe`` for errors ``e`` and their
    Jacobian ``J = ∂e/∂w`` (``μ > 0``), without forming an inverse or ``JᵀJ``.

    ``Δw`` minimises ``‖e + J·Δw‖² + μ‖Δw‖²``: the linearised sum of squared errors plus a
    penalty on the step's length. With the thin singular value decomposition ``J = U·diag(s)·Vᵀ``
    the normal equations become diagonal, and ``Δw = −V·diag(s/(s² + μ))·Uᵀe``.

    Why the SVD rather than the alternatives:

    * Cholesky on ``JᵀJ + μI`` (MATLAB's ``(jj + I*mu) \\ je``) squares the condition number of
      ``J``; network Jacobians are often nearly rank-deficient (more weights than the data
      pin down), and for a small ``μ`` the matrix is then numerically singular;
    * least squares on the augmented system ``[J; √μ·I]·Δw ≈ [−e; 0]`` avoids the squaring, but
      needs a new factorisation for every ``μ`` tried;
    * the SVD works on ``J`` itself, as stably as the augmented system, and one decomposition per
      epoch serves every ``μ`` the epoch tries, at ``O(min(Nm, P)·P)`` each.

    It also shows what ``μ`` does: a direction with ``s² ≫ μ`` gets the Gauss–Newton factor
    ``1/s``, one with ``s² ≪ μ`` only ``s/μ``, a short gradient-descent step (``Jᵀe/μ``).
    """
    J = as_array("J", J)
    if J.ndim != 2 or 0 in J.shape:
        raise ValueError(
            f"J: expected a non-empty 2-D Jacobian (one row per error, one column per "
            f"parameter), got shape {J.shape}"
        )
    e = as_array("e", e)
    if e.shape != (J.shape[0],):
        raise ValueError(
            f"e: expected a 1-D array of {J.shape[0]} errors (one per row of J), "
            f"got shape {e.shape}"
        )
    for name, array in (("J", J), ("e", e)):
        _finite(name, array)
    mu = real_scalar("mu", mu, "a finite damping μ > 0", lambda v: v > 0)
    U, s, Vt = np.linalg.svd(J, full_matrices=False)
    return _lm_direction(U, s, Vt, e, mu)


def _lm_direction(
    U: np.ndarray, s: np.ndarray, Vt: np.ndarray, e: np.ndarray, mu: float
) -> np.ndarray:
    return -(Vt.T @ (s / (s * s + mu) * (U.T @ e)))


#: The optimizers by the name of :func:`bpderive.train`'s ``algorithm`` shorthand.
ALGORITHMS: dict[str, type[GradientDescent] | type[LevenbergMarquardt]] = {
    "gd": GradientDescent,
    "lm": LevenbergMarquardt,
}

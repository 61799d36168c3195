"""The update rules: gradient descent (momentum, the adaptive rate) and Levenberg–Marquardt."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np

from bpderive.checks import _finite, as_array, real_scalar
from bpderive.numeric.compiled import CompiledNetwork

if TYPE_CHECKING:
    from bpderive.training.loop import TrainResult, _Monitor, _Options

Params = dict[str, np.ndarray]

#: MATLAB's ``trainlm`` never lets ``μ`` fall below this after a success (it would otherwise
#: underflow to 0 after a few hundred good steps, and ``0·mu_inc`` could never rise again).
MU_MIN = 1e-20


def _update(
    params: Params,
    grads: Mapping[str, np.ndarray],
    velocity: Params | None,
    eta_w: float,
    eta_b: float,
    alpha: float,
) -> tuple[Params, Params | None]:
    """One update of every parameter from gradients taken at the *same* (pre-update) params.

    ``Δw(t) = −η·∂E/∂w + α·Δw(t−1)`` and ``w ← w + Δw(t)``, with ``η = η1`` for weights and
    ``η2`` for biases. New arrays are made, never written in place, so parameter dicts handed out
    earlier (to a callback, or kept as the best epoch's) stay as they were. A rate of 0 leaves
    the parameter untouched (not even ``+ 0.0``), which freezes it exactly.
    """
    new: Params = {}
    moved: Params | None = {} if velocity is not None else None
    for name, value in params.items():
        eta = eta_w if name.startswith("W") else eta_b
        if eta == 0.0:
            new[name] = value
            if moved is not None:
                moved[name] = velocity[name]
            continue
        delta = -eta * grads[name]
        if velocity is not None:
            delta = delta + alpha * velocity[name]
            moved[name] = delta
        new[name] = value + delta
    return new, moved


def _loop(
    compiled: CompiledNetwork,
    params: Params,
    X: np.ndarray,
    T: np.ndarray,
    o: _Options,
    seed: int,
    monitor: _Monitor,
) -> TrainResult:
    """The epochs of gradient descent, on checked data and options."""
    fast = compiled.cost_and_gradients
    n_samples = X.shape[0]
    step = {"batch": n_samples, "online": 1, "minibatch": o.batch_size}[o.mode]
    rng = np.random.default_rng([seed, 1])
    fixed_batches = [(X[i : i + step], T[i : i + step]) for i in range(0, n_samples, step)]
    eta_w, eta_b = o.lr, o.lr_bias
    velocity: Params | None = (
        {name: np.zeros_like(value) for name, value in params.items()} if o.momentum > 0 else None
    )
    cost, grads = fast(params, X, T, check=False)
    accepted = True
    epoch = 0
    while True:
        stop_reason = monitor.record(epoch, params, cost, grads, accepted, lr=eta_w, lr_bias=eta_b)
        if stop_reason:
            break

        epoch += 1
        if o.mode == "batch":
            candidate, moved = _update(params, grads, velocity, eta_w, eta_b, o.momentum)
        else:
            candidate, moved = params, velocity
            if o.shuffle:
                order = rng.permutation(n_samples)
                batches: Iterable[tuple[np.ndarray, np.ndarray]] = (
                    (X[idx], T[idx])
                    for idx in (order[i : i + step] for i in range(0, n_samples, step))
                )
            else:
                batches = fixed_batches
            for X_batch, T_batch in batches:
                _, g = fast(candidate, X_batch, T_batch, check=False)
                candidate, moved = _update(candidate, g, moved, eta_w, eta_b, o.momentum)
        new_cost, new_grads = fast(candidate, X, T, check=False)
        accepted = True
        if o.adaptive_lr:
            if not new_cost <= o.max_perf_inc * cost:
                accepted = False
                eta_w, eta_b = eta_w * o.lr_dec, eta_b * o.lr_dec
                if velocity is not None:
                    velocity = {name: np.zeros_like(value) for name, value in velocity.items()}
            elif new_cost < cost:
                eta_w, eta_b = eta_w * o.lr_inc, eta_b * o.lr_inc
        if accepted:
            params, velocity, cost, grads = candidate, moved, new_cost, new_grads

    return monitor.result(epoch, stop_reason)


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


def _lm_loop(
    compiled: CompiledNetwork,
    params: Params,
    X: np.ndarray,
    T: np.ndarray,
    o: _Options,
    monitor: _Monitor,
) -> TrainResult:
    """The epochs of Levenberg–Marquardt (MATLAB ``trainlm``), on checked data and options.

    Each epoch tries ``Δw = −(JᵀJ + μI)⁻¹·Jᵀe`` (:func:`lm_step`) from the current ``μ``: if the
    cost falls, the step is kept and ``μ ← max(μ·mu_dec, 1e-20)``; if not, ``μ ← μ·mu_inc`` and
    the step is solved again, until one succeeds or ``μ`` exceeds ``mu_max`` (then training
    stops, "mu_max": even a tiny gradient step no longer lowers the cost).

    The gradient the history records comes from the same ``J`` and ``e``: ``∇E = c·Jᵀe`` with
    ``c = 1/N`` for ``half_sse`` and ``2/(N·m)`` for ``mse``
    (:meth:`~bpderive.numeric.compiled.CompiledNetwork.jacobian`), so an epoch needs no backward
    pass besides the Jacobian's. The cost of an accepted step is the one its trial computed."""
    scale = {"half_sse": 1.0 / T.shape[0], "mse": 2.0 / T.size}[compiled.net.loss_name]

    def gradient(e: np.ndarray, J: np.ndarray) -> Params:
        return compiled.unflatten(scale * (J.T @ e))

    mu = o.mu
    cost = compiled.cost(params, X, T, check=False)
    e, J = compiled.errors_and_jacobian(params, X, T, check=False)
    grads = gradient(e, J)
    accepted = True
    epoch = 0
    while True:
        stop_reason = monitor.record(
            epoch, params, cost, grads, accepted, mu=mu, finite=bool(np.isfinite(J).all())
        )
        if stop_reason:
            break

        epoch += 1
        U, s, Vt = np.linalg.svd(J, full_matrices=False)
        w = compiled.flatten(params, check=False)
        accepted = False
        while mu <= o.mu_max:
            candidate = compiled.unflatten(w + _lm_direction(U, s, Vt, e, mu))
            candidate_cost = compiled.cost(candidate, X, T, check=False)
            if candidate_cost < cost:
                accepted = True
                mu = max(mu * o.mu_dec, MU_MIN)
                break
            mu *= o.mu_inc
        if accepted:
            params, cost = candidate, candidate_cost
            e, J = compiled.errors_and_jacobian(params, X, T, check=False)
            grads = gradient(e, J)

    return monitor.result(epoch, stop_reason)

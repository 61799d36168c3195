"""Training with the derived equations: the process of section 四.6 and the improvements of 五.

:func:`train` runs the five steps of 四.6:

1. initialise the weights and thresholds (:mod:`~bpderive.training.initializers`, or ``params``);
2. present the samples (all at once, one at a time, or in mini-batches, see below);
3. forward pass: ``net = W·a + b``, ``Out = f(net)`` layer by layer;
4. back-propagate the error: every ``δ`` and every gradient ``∂E_total/∂w`` is computed from the
   *pre-update* weights of the whole network, and only then are all parameters updated,
   ``w⁺ = w − η1·∂E_total/∂w`` for weights and ``b⁺ = b − η2·∂E_total/∂b`` for biases
   (三.3.2.1: the biases have their own rate η2). Updating a layer before the δ of the layer
   below it is computed would mix two different networks in one gradient;
5. repeat until a stop rule holds (四.5, 四.6): the cost is small enough (``goal``), the gradient
   has vanished (``min_grad``), the validation cost has risen ``max_fail`` times (early
   stopping), the cost became NaN/inf (divergence), or ``epochs`` epochs have run.

Steps 3 and 4 are the compiled numerics of the network (``net.compile()``), the equations SymPy
derived; this module only decides which samples go in and what to do with the gradient.

Presentation modes (五): ``"batch"`` makes one update per epoch with the gradient of the cost
``E = 1/N Σ_n E_total(n)`` over all N samples: no order problem, stable, for off-line work.
``"online"`` (incremental) updates after each sample, in a new random order every epoch (the
article: incremental learning needs randomly ordered samples); it is noisier and suits on-line
work. ``"minibatch"`` updates after each group of ``batch_size`` samples, between the two.

Improvements (五): momentum ``Δw(t) = −η·∂E/∂w + α·Δw(t−1)`` and an adaptive learning rate
(MATLAB ``traingda``'s rule and defaults); normalising the data lives in :mod:`bpderive.data`.

Levenberg–Marquardt (``algorithm="lm"``, MATLAB's default ``trainlm``) is where the article's
"mu" (四.5) comes from. It needs the Jacobian ``J = ∂e/∂w`` of every sample's output errors
``e = target − out`` (:meth:`~bpderive.numeric.compiled.CompiledNetwork.jacobian`, derived from
the chains of ``e_ok`` as the gradient is from ``E_total``) and steps by
``Δw = −(JᵀJ + μI)⁻¹·Jᵀe``: with a small damping ``μ`` this is the Gauss–Newton step, which
solves the linearised least-squares problem at once, with a large ``μ`` a short gradient-descent
step ``−Jᵀe/μ``. ``μ`` grows after a step that fails to lower the cost and shrinks after one that
succeeds, so the method moves between the two by itself.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bpderive.checks import (
    bool_scalar,
    int_scalar,
    real_scalar,
    scalar_error,
)
from bpderive.network import Network
from bpderive.numeric.compiled import CompiledNetwork
from bpderive.training.initializers import SCHEMES, initialize
from bpderive.training.optimizers import _lm_loop, _loop

Params = dict[str, np.ndarray]

#: Accepted ``mode`` names and the mode each means ("incremental" is the article's 增量).
MODES = {
    "batch": "batch",
    "online": "online",
    "incremental": "online",
    "minibatch": "minibatch",
    "mini-batch": "minibatch",
}

#: Training algorithms: gradient descent (with its options of 五) and Levenberg–Marquardt.
ALGORITHMS = ("gd", "lm")

#: Losses Levenberg–Marquardt accepts: sums of squared errors, whose Hessian ``JᵀJ`` approximates.
LM_LOSSES = ("half_sse", "mse")

#: Why training stopped, as found in :attr:`TrainResult.stop_reason`.
STOP_REASONS = ("epochs", "goal", "min_grad", "max_fail", "diverged", "mu_max")

#: Options of gradient descent that Levenberg–Marquardt has no use for (its step size is set by μ).
_GD_ONLY = ("lr", "lr_bias", "lr_inc", "lr_dec", "max_perf_inc")
#: Options of Levenberg–Marquardt that gradient descent has no use for.
_LM_ONLY = ("mu", "mu_dec", "mu_inc", "mu_max")


@dataclass
class History:
    """One entry per epoch ``k = 0, 1, ..., epochs`` (``k = 0``: the initial parameters).

    ``cost`` is the training cost ``E`` (mean over the training samples of ``E_total``) after
    epoch ``k``; ``val_cost`` the same on the validation set (NaN without one); ``lr`` and
    ``lr_bias`` the rates η1 and η2 in force after epoch ``k`` (what the next update uses; NaN
    for Levenberg–Marquardt, which has none); ``mu`` the same for Levenberg–Marquardt's damping
    ``μ`` (NaN for gradient descent);
    ``grad_norm`` the Euclidean norm of the full training-cost gradient, all parameters
    together; ``val_fail`` the number of consecutive epochs the validation cost has been above
    its best (the early-stopping counter); ``accepted`` whether epoch ``k``'s update was kept
    (always true except for steps the adaptive rate rejects, and for a Levenberg–Marquardt epoch
    that found no step lowering the cost before ``μ`` passed ``mu_max``; true for ``k = 0``).
    """

    epoch: list[int] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    val_cost: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    lr_bias: list[float] = field(default_factory=list)
    mu: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    val_fail: list[int] = field(default_factory=list)
    accepted: list[bool] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.epoch)

    def as_arrays(self) -> dict[str, np.ndarray]:
        """Every column as a NumPy array, e.g. for plotting or a table."""
        return {name: np.asarray(values) for name, values in vars(self).items()}

    def _append(self, **row: Any) -> None:
        for name, value in row.items():
            getattr(self, name).append(value)


@dataclass
class TrainResult:
    """What :func:`train` returns.

    ``params`` are the trained parameters: with a validation set those of the epoch with the
    lowest validation cost (as MATLAB returns), otherwise those of the last epoch (the last one
    with a finite cost if training diverged). ``best_epoch`` is the epoch they come from,
    ``epochs`` the number of epochs run, ``stop_reason`` one of :data:`STOP_REASONS`.
    """

    params: Params
    history: History
    epochs: int
    stop_reason: str
    best_epoch: int

    @property
    def cost(self) -> float:
        """Training cost of the returned parameters."""
        return self.history.cost[self.best_epoch]

    @property
    def val_cost(self) -> float:
        """Validation cost of the returned parameters (NaN without a validation set)."""
        return self.history.val_cost[self.best_epoch]


@dataclass(frozen=True)
class _Options:
    lr: float
    lr_bias: float
    epochs: int
    mode: str
    batch_size: int | None
    shuffle: bool
    momentum: float
    adaptive_lr: bool
    goal: float
    min_grad: float
    max_fail: int
    lr_inc: float
    lr_dec: float
    max_perf_inc: float
    algorithm: str
    mu: float
    mu_dec: float
    mu_inc: float
    mu_max: float


def _options(**given: Any) -> _Options:
    """Check every scalar argument of :func:`train`; the first bad one raises ``ValueError``."""
    lr = real_scalar("lr", given["lr"], "a finite learning rate η1 > 0", lambda v: v > 0)
    lr_bias = given["lr_bias"]
    if lr_bias is None:
        lr_bias = lr
    else:
        expected = "None (same as lr) or a finite rate η2 >= 0"
        lr_bias = real_scalar("lr_bias", lr_bias, expected, lambda v: v >= 0)
    epochs = int_scalar("epochs", given["epochs"], 0)
    mode = given["mode"]
    if not isinstance(mode, str) or mode.lower() not in MODES:
        raise scalar_error("mode", f"one of {', '.join(map(repr, MODES))}", mode)
    mode = MODES[mode.lower()]
    batch_size = given["batch_size"]
    if mode == "minibatch":
        batch_size = int_scalar("batch_size", batch_size, 1)
    elif batch_size is not None:
        raise scalar_error(
            "batch_size",
            f"None with mode={mode!r} (a batch size needs mode='minibatch')",
            batch_size,
        )
    momentum = real_scalar(
        "momentum", given["momentum"], "a momentum factor α in [0, 1)", lambda v: 0 <= v < 1
    )
    goal = real_scalar("goal", given["goal"], "a finite cost goal >= 0", lambda v: v >= 0)
    min_grad = real_scalar(
        "min_grad", given["min_grad"], "a finite gradient norm >= 0", lambda v: v >= 0
    )
    lr_inc = real_scalar("lr_inc", given["lr_inc"], "a finite factor > 1", lambda v: v > 1)
    lr_dec = real_scalar("lr_dec", given["lr_dec"], "a factor in (0, 1)", lambda v: 0 < v < 1)
    max_perf_inc = real_scalar(
        "max_perf_inc", given["max_perf_inc"], "a finite ratio >= 1", lambda v: v >= 1
    )
    mu_max = real_scalar("mu_max", given["mu_max"], "a finite μ limit > 0", lambda v: v > 0)
    mu = real_scalar(
        "mu",
        given["mu"],
        f"a finite initial μ in (0, mu_max = {mu_max:g}]",
        lambda v: 0 < v <= mu_max,
    )
    mu_dec = real_scalar("mu_dec", given["mu_dec"], "a factor in (0, 1)", lambda v: 0 < v < 1)
    mu_inc = real_scalar("mu_inc", given["mu_inc"], "a finite factor > 1", lambda v: v > 1)
    algorithm = _algorithm(given)
    return _Options(
        lr=lr,
        lr_bias=lr_bias,
        epochs=epochs,
        mode=mode,
        batch_size=batch_size,
        shuffle=bool_scalar("shuffle", given["shuffle"]),
        momentum=momentum,
        adaptive_lr=bool_scalar("adaptive_lr", given["adaptive_lr"]),
        goal=goal,
        min_grad=min_grad,
        max_fail=int_scalar("max_fail", given["max_fail"], 1),
        lr_inc=lr_inc,
        lr_dec=lr_dec,
        max_perf_inc=max_perf_inc,
        algorithm=algorithm,
        mu=mu,
        mu_dec=mu_dec,
        mu_inc=mu_inc,
        mu_max=mu_max,
    )


def _defaults() -> dict[str, Any]:
    """The default of every keyword of :func:`train`, read from its signature (one source)."""
    return {name: p.default for name, p in inspect.signature(train).parameters.items()}


def _algorithm(given: Mapping[str, Any]) -> str:
    """The algorithm's name, refusing options that belong to the other algorithm.

    Levenberg–Marquardt solves for one step from all samples at once, sized by μ: a presentation
    mode other than batch, momentum, a learning rate or its adaptation would be silently
    ignored, so they are refused (an option counts as given when it differs from its default).
    Likewise the μ options mean nothing to gradient descent."""
    algorithm = given["algorithm"]
    if not isinstance(algorithm, str) or algorithm.lower() not in ALGORITHMS:
        raise scalar_error("algorithm", f"one of {', '.join(map(repr, ALGORITHMS))}", algorithm)
    algorithm = algorithm.lower()
    defaults = _defaults()
    if algorithm == "gd":
        for name in _LM_ONLY:
            if given[name] != defaults[name]:
                expected = f"its default {defaults[name]!r} (an option of algorithm='lm' only)"
                raise scalar_error(name, expected, given[name])
        return algorithm
    why = "algorithm='lm' solves for one step from all samples at once"
    if MODES[given["mode"].lower()] != "batch":
        raise scalar_error("mode", f"'batch' with algorithm='lm' ({why})", given["mode"])
    momentum = given["momentum"]
    if momentum != 0:
        raise scalar_error("momentum", f"0 with algorithm='lm' ({why}; μ sets its size)", momentum)
    if bool_scalar("adaptive_lr", given["adaptive_lr"]):
        raise scalar_error("adaptive_lr", "False with algorithm='lm' (μ adapts instead)", True)
    for name in _GD_ONLY:
        if given[name] != defaults[name]:
            raise scalar_error(
                name,
                f"its default {defaults[name]!r} with algorithm='lm' (it has no learning rate; "
                "μ sets the step)",
                given[name],
            )
    return algorithm


def _refuse_unused(o: _Options, **given: Any) -> None:
    """Refuse an option that only acts together with another option that is not in force.

    The same rule as for the options of the other algorithm (:func:`_algorithm`): an option
    counts as given when it differs from its default, and one given where it would change
    nothing is an error, not a silent no-op. A learner who sets ``lr_dec=0.5`` and forgets
    ``adaptive_lr=True`` would otherwise compare two identical runs and conclude the option
    does nothing. (``init_options={}`` asks for nothing and passes.)"""
    defaults = _defaults()
    dependencies = (
        ("lr_inc", o.adaptive_lr, "adaptive_lr=True (it is the adaptive rate's growth factor)"),
        ("lr_dec", o.adaptive_lr, "adaptive_lr=True (it is the adaptive rate's cut factor)"),
        ("max_perf_inc", o.adaptive_lr, "adaptive_lr=True (it is the adaptive rate's limit)"),
        ("shuffle", o.mode != "batch", "mode='online' or 'minibatch' (a batch has no order)"),
        (
            "max_fail",
            given["validation"] is not None,
            "validation=(X_val, T_val) (it counts validation failures)",
        ),
        ("init", given["params"] is None, "params=None (given params are the start)"),
    )
    for name, needed_holds, needs in dependencies:
        if not needed_holds and given[name] != defaults[name]:
            raise scalar_error(
                name, f"its default {defaults[name]!r}: it acts only with {needs}", given[name]
            )
    if given["params"] is not None and given["init_options"]:
        raise scalar_error(
            "init_options",
            "None: it acts only with params=None (given params are the start)",
            given["init_options"],
        )


def _norm(grads: Mapping[str, np.ndarray]) -> float:
    return math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))


def _compiled(net: Network) -> CompiledNetwork:
    """``net.compile()`` (kept by the network, so a sweep or a second run pays for it once)."""
    if not isinstance(net, Network):
        raise scalar_error("net", "a bpderive.Network", type(net).__name__)
    return net.compile()


def train(
    net: Network,
    X: np.ndarray,
    T: np.ndarray,
    *,
    params: Mapping[str, np.ndarray] | None = None,
    init: str = "uniform",
    init_options: Mapping[str, Any] | None = None,
    seed: int = 0,
    lr: float = 0.5,
    lr_bias: float | None = None,
    epochs: int = 1000,
    mode: str = "batch",
    batch_size: int | None = None,
    shuffle: bool = True,
    momentum: float = 0.0,
    adaptive_lr: bool = False,
    lr_inc: float = 1.05,
    lr_dec: float = 0.7,
    max_perf_inc: float = 1.04,
    algorithm: str = "gd",
    mu: float = 1e-3,
    mu_dec: float = 0.1,
    mu_inc: float = 10.0,
    mu_max: float = 1e10,
    goal: float = 0.0,
    min_grad: float = 1e-5,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    max_fail: int = 6,
    callback: Callable[[int, Params, History], None] | None = None,
) -> TrainResult:
    """Train ``net`` on samples ``X`` (N, n_inputs) with targets ``T`` (N, n_outputs).

    **Start.** ``params`` (copied, never modified) or ``initialize(net, init, seed,
    **init_options)``; ``init`` and ``init_options`` are refused together with ``params`` (they
    would be ignored). ``seed`` also seeds the per-epoch shuffling, from a separate stream
    (``np.random.default_rng([seed, 1])``), so the same call always gives the same result.

    **Presentation** (``mode``): ``"batch"`` (default; one update per epoch with the mean
    gradient over all samples), ``"online"`` (alias ``"incremental"``; one update per sample)
    or ``"minibatch"`` (one update per ``batch_size`` samples; the last batch of an epoch takes
    the remainder). Online and mini-batch draw a new random order every epoch unless
    ``shuffle=False`` (then samples go in the order given).

    **Rates.** ``lr`` is η1 for the weights, ``lr_bias`` η2 for the biases (default η1;
    ``0`` freezes the biases exactly). The article's design rule is ``0 < η < 1``; larger rates
    are allowed (they may diverge, which is detected).

    **Momentum** ``α = momentum`` in [0, 1): every update is
    ``Δw(t) = −η·∂E/∂w + α·Δw(t−1)`` with ``Δw(0) = 0``, so a run of gradients pointing the same
    way builds up speed (up to ``1/(1 − α)`` times the plain step) while oscillating components
    cancel. The velocity carries over from update to update, across epochs too.

    **Adaptive rate** (``adaptive_lr=True``, MATLAB ``traingda``): after each epoch the new
    training cost ``E_new`` is compared with the old ``E_old``. If ``E_new > max_perf_inc·E_old``
    (default 1.04: the cost rose more than 4 %, or became NaN) the epoch's update is rejected
    (parameters restored, momentum velocity reset) and both rates are multiplied by ``lr_dec``
    (0.7). Otherwise the update is kept, and if ``E_new < E_old`` both rates are multiplied by
    ``lr_inc`` (1.05). The rate thus grows while progress is smooth and backs off from steps
    that overshoot. A rejected epoch still counts as an epoch. In batch mode this is traingda's
    rule (with momentum, traingdx's, except that the momentum term is the article's
    ``−η·∂E/∂w + α·Δw(t−1)`` rather than MATLAB's ``α·Δw(t−1) − (1 − α)·η·∂E/∂w``); in online and
    mini-batch modes the "step" is the whole epoch.

    **Levenberg–Marquardt** (``algorithm="lm"``, MATLAB ``trainlm``; the default ``"gd"`` is
    gradient descent with the options above). Every epoch steps by
    ``Δw = −(JᵀJ + μI)⁻¹·Jᵀe``, with ``e`` every sample's output errors ``target − out`` and
    ``J = ∂e/∂w`` their Jacobian (:func:`lm_step` says how it is solved). ``μ`` starts at
    ``mu`` (0.001); a step that does not lower the cost is discarded and retried with
    ``μ·mu_inc`` (10), a step that does is kept and ``μ`` becomes ``μ·mu_dec`` (0.1, never below
    :data:`MU_MIN`). Small ``μ`` gives the Gauss–Newton step, large ``μ`` a short gradient step
    ``−Jᵀe/μ``. Only the sum-of-squares losses ``half_sse`` and ``mse`` are accepted (``JᵀJ``
    approximates their Hessian; other losses raise ``ValueError``), and only batch mode: a
    presentation mode, momentum, learning rates or their adaptation raise ``ValueError`` rather
    than being silently ignored, as do ``mu`` options with ``algorithm="gd"``. Each epoch costs
    one Jacobian (``N·m × P``) and its SVD, more than a gradient, but far fewer epochs are needed
    on small networks. The history records ``μ`` (``lr`` and ``lr_bias`` are NaN).

    **Stopping** (checked after every epoch, and once before the first, in this order):
    ``"diverged"`` (training cost, gradient or a parameter NaN/inf: stop at once; the
    parameters returned are then the last finite ones), ``"goal"`` (cost
    ``<= goal``), ``"min_grad"`` (gradient norm ``< min_grad``), ``"mu_max"`` (Levenberg–Marquardt
    only: ``μ`` exceeded ``mu_max``, 1e10, before any step lowered the cost), ``"max_fail"`` (with
    ``validation=(X_val, T_val)``: the validation cost has been above its best for ``max_fail``
    consecutive epochs, MATLAB's early stopping, default 6 as in 四.5), ``"epochs"``.
    With a validation set the returned parameters are those of the best validation epoch,
    whatever stopped training: further epochs only fitted the training set more closely.

    ``callback(epoch, params, history)`` is called after every epoch's record (``epoch = 0``
    for the start) with a copy of the parameters; its return value is ignored.

    **Options that act only with another** are refused when they differ from their default
    while that other option is not in force, instead of being silently ignored: ``lr_inc``,
    ``lr_dec`` and ``max_perf_inc`` need ``adaptive_lr=True``, ``shuffle`` needs mode
    ``"online"`` or ``"minibatch"``, ``max_fail`` needs ``validation``, ``init`` and
    ``init_options`` need ``params=None``; the options of the other algorithm likewise (above).

    Every argument is checked before any work; a bad one raises ``ValueError`` naming it with
    what was expected and what was given. The data are checked once by the compiled network;
    the loop then uses its unchecked fast path.
    """
    o = _options(
        lr=lr,
        lr_bias=lr_bias,
        epochs=epochs,
        mode=mode,
        batch_size=batch_size,
        shuffle=shuffle,
        momentum=momentum,
        adaptive_lr=adaptive_lr,
        goal=goal,
        min_grad=min_grad,
        max_fail=max_fail,
        lr_inc=lr_inc,
        lr_dec=lr_dec,
        max_perf_inc=max_perf_inc,
        algorithm=algorithm,
        mu=mu,
        mu_dec=mu_dec,
        mu_inc=mu_inc,
        mu_max=mu_max,
    )
    if callback is not None and not callable(callback):
        raise scalar_error("callback", "None or a callable(epoch, params, history)", callback)
    int_scalar("seed", seed, 0, "a non-negative int")
    if not isinstance(init, str) or init not in SCHEMES:
        raise scalar_error("init", f"one of {', '.join(map(repr, SCHEMES))}", init)
    if init_options is not None and (
        not isinstance(init_options, Mapping) or not all(isinstance(k, str) for k in init_options)
    ):
        raise scalar_error(
            "init_options",
            f"None or a mapping of the {init!r} scheme's option names to values",
            init_options,
        )
    if params is not None and not isinstance(params, Mapping):
        raise scalar_error("params", "None or a dict of parameter arrays", type(params).__name__)
    if validation is not None and (not isinstance(validation, Sequence) or len(validation) != 2):
        given = type(validation).__name__
        if isinstance(validation, Sequence):
            given = f"a {given} of length {len(validation)}"
        raise ValueError(f"validation: expected None or a pair (X_val, T_val), got {given}")
    _refuse_unused(
        o,
        lr_inc=lr_inc,
        lr_dec=lr_dec,
        max_perf_inc=max_perf_inc,
        shuffle=shuffle,
        max_fail=max_fail,
        validation=validation,
        params=params,
        init=init,
        init_options=init_options,
    )

    compiled = _compiled(net)
    if o.algorithm == "lm" and net.loss_name not in LM_LOSSES:
        raise scalar_error(
            "loss",
            f"one of {', '.join(map(repr, LM_LOSSES))} with algorithm='lm' (Levenberg–Marquardt "
            "approximates the Hessian of a sum of squared errors ½‖e‖² by JᵀJ; the network's "
            "loss is not one)",
            net.loss_name,
        )
    if params is None:
        start = initialize(net, init, seed, **dict(init_options or {}))
    else:
        start = dict(params)
    start, X, T = compiled.check(start, X, T)
    # Own copies, so that nothing the caller later does to the arrays it passed changes the run.
    start = {name: np.array(value, dtype=float) for name, value in start.items()}
    X_val = T_val = None
    if validation is not None:
        try:
            _, X_val, T_val = compiled.check(start, validation[0], validation[1])
        except ValueError as error:
            raise ValueError(f"validation: {error}") from None
    n_samples = X.shape[0]
    if o.batch_size is not None and o.batch_size > n_samples:
        raise scalar_error(
            "batch_size", f"an int in [1, {n_samples}] (the number of samples)", batch_size
        )

    monitor = _Monitor(compiled, start, X_val, T_val, o, callback)
    with np.errstate(all="ignore"):
        if o.algorithm == "lm":
            return _lm_loop(compiled, start, X, T, o, monitor)
        return _loop(compiled, start, X, T, o, seed, monitor)


class _Monitor:
    """What every training loop does after an epoch: validation, early-stopping counter, best
    parameters, the history row, the callback, and the stop rules (in their documented order)."""

    def __init__(
        self,
        compiled: CompiledNetwork,
        start: Params,
        X_val: np.ndarray | None,
        T_val: np.ndarray | None,
        o: _Options,
        callback: Callable[[int, Params, History], None] | None,
    ) -> None:
        self.compiled = compiled
        self.X_val, self.T_val = X_val, T_val
        self.o = o
        self.callback = callback
        self.history = History()
        self.best_val, self.fails = math.inf, 0
        self.best_epoch, self.best_params = 0, start

    def record(
        self,
        epoch: int,
        params: Params,
        cost: float,
        grads: Mapping[str, np.ndarray],
        accepted: bool,
        *,
        lr: float = math.nan,
        lr_bias: float = math.nan,
        mu: float = math.nan,
        finite: bool = True,
    ) -> str:
        """Record epoch ``epoch`` and return why training stops now ("" to go on).

        ``finite=False`` marks a state the loop itself found unusable (as a NaN cost would)."""
        o = self.o
        gnorm = _norm(grads)
        # Each array tested on its own: a sum of large finite parameters can overflow to inf.
        finite = (
            finite
            and math.isfinite(cost)
            and math.isfinite(gnorm)
            and all(np.isfinite(value).all() for value in params.values())
        )
        if self.X_val is not None:
            val_cost = (
                self.compiled.cost(params, self.X_val, self.T_val, check=False)
                if finite
                else math.nan
            )
            if val_cost < self.best_val:
                self.best_val, self.fails = val_cost, 0
                self.best_epoch, self.best_params = epoch, params
            elif val_cost > self.best_val or not math.isfinite(val_cost):
                self.fails += 1
        else:
            val_cost = math.nan
            if finite:
                self.best_epoch, self.best_params = epoch, params
        self.history._append(
            epoch=epoch,
            cost=cost,
            val_cost=val_cost,
            lr=lr,
            lr_bias=lr_bias,
            mu=mu,
            grad_norm=gnorm,
            val_fail=self.fails,
            accepted=accepted,
        )
        if self.callback is not None:
            copy = {name: value.copy() for name, value in params.items()}
            self.callback(epoch, copy, self.history)
        if not finite:
            return "diverged"
        if cost <= o.goal:
            return "goal"
        if gnorm < o.min_grad:
            return "min_grad"
        if mu > o.mu_max:
            return "mu_max"
        if self.X_val is not None and self.fails >= o.max_fail:
            return "max_fail"
        if epoch >= o.epochs:
            return "epochs"
        return ""

    def result(self, epochs: int, stop_reason: str) -> TrainResult:
        """The :class:`TrainResult` of a finished run."""
        return TrainResult(
            params={name: value.copy() for name, value in self.best_params.items()},
            history=self.history,
            epochs=epochs,
            stop_reason=stop_reason,
            best_epoch=self.best_epoch,
        )

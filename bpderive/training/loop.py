"""Training with the derived equations: the process of section 四.6.

:func:`train` runs the five steps of 四.6:

1. initialise the weights and thresholds (:mod:`~bpderive.training.initializers`, or ``params``);
2. present the samples (all at once, one at a time, or in mini-batches: the optimizer's mode);
3. forward pass: ``net = W·a + b``, ``Out = f(net)`` layer by layer;
4. back-propagate the error: every ``δ`` and every gradient ``∂E_total/∂w`` is computed from the
   *pre-update* weights of the whole network, and only then are all parameters updated
   (updating a layer before the δ of the layer below it is computed would mix two different
   networks in one gradient);
5. repeat until a stop rule holds (四.5, 四.6).

Steps 3 and 4 are the compiled numerics of the network (``net.compile()``), the equations SymPy
derived; how the parameters move is the optimizer's (:mod:`~bpderive.training.optimizers`); this
module starts the run, validates, keeps the history and decides when to stop.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from bpderive.checks import all_finite, int_scalar, real_scalar, scalar_error
from bpderive.network import Network
from bpderive.training.initializers import SCHEMES, initialize
from bpderive.training.optimizers import ALGORITHMS, Epoch, GradientDescent, LevenbergMarquardt

Params = dict[str, np.ndarray]
Optimizer = GradientDescent | LevenbergMarquardt

#: Why an option of the other algorithm means nothing to this one.
_WHY = {
    "lm": "Levenberg–Marquardt solves for one step from all samples at once, sized by μ",
    "gd": "it is an option of algorithm='lm'",
}

#: ``min_grad=None``: MATLAB's default, 1e-5 for gradient descent (``traingd``, ``traingdx`` …),
#: 1e-7 for ``trainlm``. A descent step ``η·∇E`` dies with the gradient; ``−(JᵀJ + μI)⁻¹Jᵀe`` can
#: stay long where ``Jᵀe`` is tiny (``JᵀJ`` nearly singular: saturated units), so LM waits longer.
MIN_GRAD = {GradientDescent: 1e-5, LevenbergMarquardt: 1e-7}

#: Why training stopped, as found in :attr:`TrainResult.stop_reason`.
STOP_REASONS = ("epochs", "goal", "min_grad", "max_fail", "max_rises", "diverged", "mu_max")


@dataclass
class History:
    """One entry per epoch ``k = 0, 1, ..., epochs`` (``k = 0``: the initial parameters).

    ``cost`` is the training cost ``E`` (mean over the training samples of ``E_total``) after
    epoch ``k``; ``val_cost`` the same on the validation set (NaN without one); ``eta1`` and
    ``eta2`` the rates η1 and η2 in force after epoch ``k`` (what the next update uses; NaN for
    Levenberg–Marquardt, which has none); ``mu`` the same for Levenberg–Marquardt's damping ``μ``
    (NaN for gradient descent); ``grad_norm`` the Euclidean norm of the full training-cost
    gradient, all parameters together; ``val_fail`` the number of epochs since the validation
    cost was last at its best (MATLAB's early-stopping counter); ``val_rises`` the number of
    epochs in a row the validation cost has risen (the article's counter); ``accepted`` whether
    epoch ``k``'s update was kept (always true except for steps the adaptive rate rejects, and
    for a Levenberg–Marquardt epoch that found no step lowering the cost before ``μ`` passed
    ``mu_max``; true for ``k = 0``).
    """

    epoch: list[int] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    val_cost: list[float] = field(default_factory=list)
    eta1: list[float] = field(default_factory=list)
    eta2: list[float] = field(default_factory=list)
    mu: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    val_fail: list[int] = field(default_factory=list)
    val_rises: list[int] = field(default_factory=list)
    accepted: list[bool] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.epoch)

    def as_arrays(self) -> dict[str, np.ndarray]:
        """Every column as a NumPy array, e.g. for plotting or a table."""
        return {name: np.asarray(values) for name, values in vars(self).items()}


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


def train(
    net: Network,
    X: np.ndarray,
    T: np.ndarray,
    optimizer: Optimizer | None = None,
    *,
    params: Mapping[str, np.ndarray] | None = None,
    init: str = "uniform",
    init_options: Mapping[str, Any] | None = None,
    seed: int = 0,
    epochs: int = 1000,
    goal: float = 0.0,
    min_grad: float | None = None,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    max_fail: int | None = 6,
    max_rises: int | None = None,
    callback: Callable[[int, Params, History], None] | None = None,
    **options: Any,
) -> TrainResult:
    """Train ``net`` on samples ``X`` (N, n_inputs) with targets ``T`` (N, n_outputs).

    **How the parameters move** is the ``optimizer``'s: a
    :class:`~bpderive.training.optimizers.GradientDescent` (the default, with η1 = 0.5) or a
    :class:`~bpderive.training.optimizers.LevenbergMarquardt`. As a shorthand its options may be
    given here instead, with ``algorithm="gd"`` (default) or ``"lm"``:
    ``train(net, X, T, eta1=0.1, momentum=0.9)`` is
    ``train(net, X, T, GradientDescent(eta1=0.1, momentum=0.9))``.

    **Start.** ``params`` (copied, never modified) or ``initialize(net, init, seed,
    **init_options)``; ``init`` and ``init_options`` are refused together with ``params`` (they
    would be ignored). ``seed`` also seeds the per-epoch shuffling, from a separate stream
    (``np.random.default_rng([seed, 1])``), so the same call always gives the same result.

    **Stopping** (checked after every epoch, and once before the first, in this order):
    ``"diverged"`` (training cost, gradient or a parameter NaN/inf: stop at once; the parameters
    returned are then the last finite ones), ``"goal"`` (cost ``<= goal``), ``"min_grad"``
    (gradient norm ``< min_grad``; ``None``: the algorithm's MATLAB default, :data:`MIN_GRAD`;
    ``0``: never), ``"mu_max"`` (Levenberg–Marquardt's μ passed its limit),
    ``"max_fail"`` (with ``validation=(X_val, T_val)``: the validation cost has not been at its
    best for ``max_fail`` epochs, however it moved meanwhile: MATLAB's early stopping, default
    6, ``max_fail=None`` to use only the article's rule), ``"max_rises"`` (with a validation
    set and ``max_rises=k``: the validation cost has risen ``k`` epochs in a row, the article's
    rule of 四.5, 连续6次不降反升, with ``k = 6``), ``"epochs"``. With a validation set the returned
    parameters are those of the best validation epoch, whatever stopped training: further epochs
    only fitted the training set more closely.

    ``callback(epoch, params, history)`` is called after every epoch's record (``epoch = 0``
    for the start) with a copy of the parameters; its return value is ignored.

    Every argument is checked before any work; a bad one raises ``ValueError`` naming it with
    what was expected and what was given, and so does one that would be ignored (``max_fail``
    without ``validation``). The data are checked once by the compiled network; the loop then
    uses its unchecked fast path.
    """
    optimizer, given = _optimizer(optimizer, options)
    epochs = int_scalar("epochs", epochs, 0)
    goal = real_scalar("goal", goal, "a finite cost goal >= 0", lambda v: v >= 0)
    if min_grad is None:
        min_grad = next(v for kind, v in MIN_GRAD.items() if isinstance(optimizer, kind))
    min_grad = real_scalar("min_grad", min_grad, "None or a finite norm >= 0", lambda v: v >= 0)
    if max_fail is not None:
        max_fail = int_scalar("max_fail", max_fail, 1, "None or an int >= 1")
    if max_rises is not None:
        max_rises = int_scalar("max_rises", max_rises, 1, "None or an int >= 1")
    int_scalar("seed", seed, 0, "a non-negative int")
    _check_callback(callback)
    if not isinstance(net, Network):
        raise scalar_error("net", "a bpderive.Network", type(net).__name__)
    _check_start(params, init, init_options)
    if validation is None and max_fail not in (None, _default("max_fail")):
        raise scalar_error(
            "max_fail", "its default 6: it acts only with validation=(X_val, T_val)", max_fail
        )
    if validation is None and max_rises is not None:
        expected = "None: it acts only with validation=(X_val, T_val)"
        raise scalar_error("max_rises", expected, max_rises)
    if validation is not None and (not isinstance(validation, Sequence) or len(validation) != 2):
        given = type(validation).__name__
        if isinstance(validation, Sequence):
            given = f"a {given} of length {len(validation)}"
        raise ValueError(f"validation: expected None or a pair (X_val, T_val), got {given}")
    if validation is not None and (validation[0] is None or validation[1] is None):
        missing = "X_val" if validation[0] is None else "T_val"
        raise ValueError(
            f"validation: expected a pair (X_val, T_val) of arrays, got {missing} None"
        )

    compiled = net.compile()
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
    optimizer.check(compiled, X.shape[0], given)

    stops = _Stops(goal, min_grad, max_fail, max_rises, epochs)
    monitor = _Monitor(compiled, start, X_val, T_val, stops, callback)
    rng = np.random.default_rng([seed, 1])
    with np.errstate(all="ignore"):
        for epoch, state in enumerate(optimizer.run(compiled, start, X, T, rng)):
            stop_reason = monitor.record(epoch, state)
            if stop_reason:
                return monitor.result(epoch, stop_reason)
    raise AssertionError("an optimizer's run never ends by itself")


def _default(name: str) -> object:
    return inspect.signature(train).parameters[name].default


def _check_callback(callback: object) -> None:
    """Refuse, before training, a callback that is not callable or cannot take the three
    arguments ``(epoch, params, history)``: otherwise its ``TypeError`` would come from inside
    the first epoch, without a word about the callback."""
    expected = "None or a callable(epoch, params, history)"
    if callback is None:
        return
    if not callable(callback):
        raise scalar_error("callback", expected, callback)
    try:
        signature = inspect.signature(callback)
    except (TypeError, ValueError):  # a builtin without a signature: it will tell for itself
        return
    try:
        signature.bind(0, {}, None)
    except TypeError:
        name = getattr(callback, "__name__", type(callback).__name__)
        raise ValueError(
            f"callback: expected {expected}, got {name}{signature}, which cannot take them"
        ) from None


def _optimizer(optimizer: object, options: dict[str, Any]) -> tuple[Optimizer, str]:
    """The optimizer given, or the one the keyword shorthand describes (``algorithm`` and the
    optimizer's own options), and how the learner named it (its repr, or ``algorithm='lm'``)
    for the optimizer's messages; both at once, or an option no optimizer has, is refused."""
    if optimizer is not None:
        if not isinstance(optimizer, GradientDescent | LevenbergMarquardt):
            raise scalar_error(
                "optimizer", "None, a GradientDescent or a LevenbergMarquardt", optimizer
            )
        if options:
            raise scalar_error(
                next(iter(options)), "not given together with an optimizer (set it there)", "given"
            )
        return optimizer, repr(optimizer)
    algorithm = options.pop("algorithm", "gd")
    if not isinstance(algorithm, str) or algorithm.lower() not in ALGORITHMS:
        raise scalar_error("algorithm", f"one of {', '.join(map(repr, ALGORITHMS))}", algorithm)
    algorithm = algorithm.lower()
    cls = ALGORITHMS[algorithm]
    own = {f.name for f in fields(cls)}
    for name in options:
        if name in own:
            continue
        other = [key for key, c in ALGORITHMS.items() if name in {f.name for f in fields(c)}]
        if other:
            expected = f"no {name} with algorithm={algorithm!r} ({_WHY[algorithm]})"
            raise scalar_error(name, expected, options[name])
        valid = ", ".join(sorted([*own, *inspect.signature(train).parameters][3:]))
        raise TypeError(f"train() got an unexpected keyword {name!r}; valid keywords: {valid}")
    return cls(**options), f"algorithm={algorithm!r}"


def _check_start(params: object, init: object, init_options: object) -> None:
    if not isinstance(init, str) or init not in SCHEMES:
        raise scalar_error("init", f"one of {', '.join(map(repr, SCHEMES))}", init)
    if init_options is not None and (
        not isinstance(init_options, Mapping) or not all(isinstance(k, str) for k in init_options)
    ):
        raise scalar_error(
            "init_options", f"None or a mapping of the {init!r} scheme's options", init_options
        )
    if params is None:
        return
    if not isinstance(params, Mapping):
        raise scalar_error("params", "None or a dict of parameter arrays", type(params).__name__)
    if init != _default("init"):
        expected = f"its default {_default('init')!r}: it acts only with params=None"
        raise scalar_error("init", expected, init)
    if init_options:
        raise scalar_error("init_options", "None: it acts only with params=None", init_options)


@dataclass(frozen=True)
class _Stops:
    """The stop rules' thresholds, checked once."""

    goal: float
    min_grad: float
    max_fail: int | None
    max_rises: int | None
    epochs: int


class _Monitor:
    """What the loop does after every epoch: validation, the early-stopping counter, the best
    parameters, the history row, the callback, and the stop rules (in their documented order)."""

    def __init__(
        self,
        compiled: Any,
        start: Params,
        X_val: np.ndarray | None,
        T_val: np.ndarray | None,
        stops: _Stops,
        callback: Callable[[int, Params, History], None] | None,
    ) -> None:
        self.compiled = compiled
        self.X_val, self.T_val = X_val, T_val
        self.stops = stops
        self.callback = callback
        self.history = History()
        self.best_val, self.fails = math.inf, 0
        self.last_val, self.rises = math.inf, 0
        self.best_epoch, self.best_params = 0, start
        self.best_vector: np.ndarray | None = None

    def record(self, epoch: int, state: Epoch) -> str:
        """Record epoch ``epoch`` and return why training stops now ("" to go on)."""
        params, cost = state.params, state.cost
        if state.slope is not None:
            gnorm = math.sqrt(np.dot(state.slope, state.slope))
        else:
            gnorm = math.sqrt(sum(float(np.vdot(g, g)) for g in state.gradient.values()))
        arrays = [state.vector] if state.vector is not None else list(params.values())
        finite = (
            state.finite
            and math.isfinite(cost)
            and (math.isfinite(gnorm) or all_finite([state.slope]))
            and all_finite(arrays)
        )
        val_cost = math.nan
        if self.X_val is not None:
            if finite:
                val_cost = self.compiled.cost(params, self.X_val, self.T_val, check=False)
            if val_cost < self.best_val:
                self.best_val, self.fails = val_cost, 0
                self.best_epoch = epoch
                self._keep(params, state.vector)
            elif val_cost > self.best_val or not math.isfinite(val_cost):
                self.fails += 1
            rose = val_cost > self.last_val or not math.isfinite(val_cost)
            self.rises = self.rises + 1 if rose else 0
            self.last_val = val_cost
        elif finite:
            self.best_epoch = epoch
            self._keep(params, state.vector)
        h = self.history
        h.epoch.append(epoch)
        h.cost.append(cost)
        h.val_cost.append(val_cost)
        h.eta1.append(state.eta1)
        h.eta2.append(state.eta2)
        h.mu.append(state.mu)
        h.grad_norm.append(gnorm)
        h.val_fail.append(self.fails)
        h.val_rises.append(self.rises)
        h.accepted.append(state.accepted)
        if self.callback is not None:
            self.callback(epoch, {k: np.array(v) for k, v in params.items()}, self.history)
        stops, validating = self.stops, self.X_val is not None
        if not finite:
            return "diverged"
        if cost <= stops.goal:
            return "goal"
        if gnorm < stops.min_grad:
            return "min_grad"
        if state.stop == "mu_max":
            return "mu_max"
        if validating and stops.max_fail is not None and self.fails >= stops.max_fail:
            return "max_fail"
        if validating and stops.max_rises is not None and self.rises >= stops.max_rises:
            return "max_rises"
        return "epochs" if epoch >= stops.epochs else ""

    def _keep(self, params: Params, vector: np.ndarray | None) -> None:
        """Keep these parameters as the best so far: a copy of the optimizer's vector (which
        changes in place) into a buffer of our own, or the mapping itself (made anew)."""
        if vector is None:
            self.best_params, self.best_vector = params, None
            return
        if self.best_vector is None or self.best_vector.shape != vector.shape:
            self.best_vector = np.empty_like(vector)
        np.copyto(self.best_vector, vector)

    def result(self, epochs: int, stop_reason: str) -> TrainResult:
        """The :class:`TrainResult` of a finished run."""
        layout = self.compiled.layout
        best = self.best_vector
        vector = best.copy() if best is not None else layout.flatten(self.best_params, False)
        return TrainResult(
            params=layout.views(vector),  # one vector, a copy: nothing else changes it
            history=self.history,
            epochs=epochs,
            stop_reason=stop_reason,
            best_epoch=self.best_epoch,
        )

"""The derived rules, lambdified once to vectorised NumPy code.

:class:`CompiledNetwork` is built from :class:`~bpderive.symbolic.rules.DerivedRules` alone,
the hand-over the symbolic stage prepares once per layer: ``out = f(net)``, ``∂out/∂net`` (in
``out`` where SymPy proved that form), the output layer's ``δ_o`` and loss term. The sums of the
chain rule are matrix products, which the rules' derivation proved valid (``∂net/∂out = W``). So
a batch costs a handful of NumPy calls per layer and no Python loop over samples; ``subs`` and
``evalf`` never run here, and nothing here calls back into the derivation.

The Jacobian of the errors ``e_k`` (:meth:`CompiledNetwork.jacobian`, for Levenberg–Marquardt
training) reuses the same pieces with a different seed: the reverse pass starts from
``∂e_k/∂net_o``, derived from the symbolic chain of ``e_ok``, instead of from
``δ_o = ∂E_total/∂net_o``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from bpderive.checks import check_data, check_params
from bpderive.numeric.codegen import lambdify
from bpderive.numeric.layout import ParameterLayout
from bpderive.symbolic.notation import NET, OUT, TARGET
from bpderive.symbolic.rules import DerivedRules, LayerRule, OutputRule

Params = Mapping[str, np.ndarray]
Rule = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Forward:
    """Every layer's ``net`` and ``out`` for a batch: ``nets[l-1]`` and ``outs[l-1]`` are
    ``(N, n_l)`` arrays for weight layer ``l``; ``output`` is the network's output."""

    nets: list[np.ndarray]
    outs: list[np.ndarray]

    @property
    def output(self) -> np.ndarray:
        return self.outs[-1]


class CompiledNetwork:
    """The network's forward pass, cost, gradients and error Jacobian as NumPy functions of a
    batch, compiled from the derived rules."""

    def __init__(self, rules: DerivedRules) -> None:
        self.rules = rules
        self.sizes = rules.sizes
        self.n_layers = len(rules.sizes) - 1
        self.loss = rules.loss
        self.layout = ParameterLayout(rules.sizes)
        self._forward_rules = [_forward_rule(layer) for layer in rules.layers]
        self._backward_rules = [
            (layer.local_in_output, lambdify([OUT if layer.local_in_output else NET], layer.local))
            for layer in rules.layers[:-1]
        ]
        out = rules.output
        self._delta_output = _output_rule(out, out.delta)
        self._loss_term = _cost_rule(out)
        #: ``c`` of a sum-of-squares loss ``E_ok = c·e_ok²`` (``None`` for any other loss).
        self.residual_scale: float | None = None
        if out.error_seeds is not None:
            self._error_seed_rule = _error_seed_rule(out, len(out.outs))
            self._residual = lambdify([OUT, TARGET], out.residual)
            self.residual_scale = float(out.residual_scale)

    # ------------------------------------------------------------------ numbers

    def check(
        self, params: Mapping[str, object], X: object, T: object | None = None
    ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray | None]:
        """Validate and convert ``params``, ``X`` and ``T`` (clear ``ValueError`` otherwise)."""
        checked = check_params(self.sizes, params)
        X2, T2 = check_data(self.sizes, X, T)
        if T2 is not None:
            self.loss.check_targets("T", T2)
        return checked, X2, T2

    def _checked(
        self, params: Mapping[str, object], X: object, T: object
    ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """:meth:`check` for a computation that needs the targets."""
        if T is None:
            raise ValueError(
                f"T: expected the targets, an array of shape (N, {self.sizes[-1]}), got None"
            )
        params, X2, T2 = self.check(params, X, T)
        return params, X2, T2  # type: ignore[return-value]

    def _forward(self, params: Params, X: np.ndarray) -> Forward:
        nets, outs = [], []
        out = X
        with np.errstate(over="ignore"):
            for layer, rule in enumerate(self._forward_rules, start=1):
                net = out @ params[f"W{layer}"].T + params[f"b{layer}"]
                out = rule(net)
                nets.append(net)
                outs.append(out)
        return Forward(nets, outs)

    def forward(self, params: Mapping[str, object], X: object) -> Forward:
        """``net`` and ``out`` of every layer for every sample (row) of ``X``."""
        checked, X2, _ = self.check(params, X)
        with np.errstate(all="ignore"):
            fwd = self._forward(checked, X2)
        _finite("the output", fwd.output, checked, X2)
        return fwd

    def _cost(self, fwd: Forward, T: np.ndarray) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = self._loss_term(fwd.output, T, fwd.nets[-1])
        return float(np.sum(terms)) / T.shape[0]

    def cost(self, params: Mapping[str, object], X: object, T: object, check: bool = True) -> float:
        """The cost: the mean over samples of ``E_total``. ``check=False``: as in
        :meth:`cost_and_gradients`."""
        if not check:
            return self._cost(self._forward(params, X), T)
        params, X, T = self._checked(params, X, T)
        with np.errstate(all="ignore"):
            cost = self._cost(self._forward(params, X), T)
        return _finite("the cost", cost, params, X)

    def _local(self, layer: int, fwd: Forward) -> np.ndarray:
        """``∂out/∂net`` of hidden layer ``layer``, from its out (or net where no out-form)."""
        in_output, rule = self._backward_rules[layer - 1]
        return rule(fwd.outs[layer - 1] if in_output else fwd.nets[layer - 1])

    def _backward(self, params: Params, X: np.ndarray, T: np.ndarray, fwd: Forward) -> dict:
        n_samples = X.shape[0]
        delta = self._delta_output(fwd.output, T, fwd.nets[-1])
        if np.ndim(delta) != 2:
            delta = np.broadcast_to(delta, fwd.output.shape)
        grads: dict[str, np.ndarray] = {}
        for layer in range(self.n_layers, 0, -1):
            below = fwd.outs[layer - 2] if layer > 1 else X
            grads[f"W{layer}"] = delta.T @ below / n_samples
            grads[f"b{layer}"] = delta.sum(axis=0) / n_samples
            if layer > 1:
                delta = (delta @ params[f"W{layer}"]) * self._local(layer - 1, fwd)
        return {key: grads[key] for key in params}

    def gradients(
        self, params: Mapping[str, object], X: object, T: object, check: bool = True
    ) -> dict:
        """The gradient of the cost with respect to every parameter, keyed like ``params``.
        ``check=False``: as in :meth:`cost_and_gradients`."""
        if not check:
            return self._backward(params, X, T, self._forward(params, X))
        params, X, T = self._checked(params, X, T)
        with np.errstate(all="ignore"):
            grads = self._backward(params, X, T, self._forward(params, X))
        return _finite("the gradient", grads, params, X)

    def cost_and_gradients(
        self, params: Mapping[str, object], X: object, T: object, check: bool = True
    ) -> tuple[float, dict]:
        """Cost and gradients from one forward pass. ``check=False`` skips validation, for a
        training loop that validated its data once and then only feeds back its own arrays."""
        if not check:
            fwd = self._forward(params, X)
            return self._cost(fwd, T), self._backward(params, X, T, fwd)
        params, X, T = self._checked(params, X, T)
        with np.errstate(all="ignore"):
            fwd = self._forward(params, X)
            cost, grads = self._cost(fwd, T), self._backward(params, X, T, fwd)
        return _finite("the cost", cost, params, X), _finite("the gradient", grads, params, X)

    # ------------------------------------------------------------------ Jacobian of the errors

    @property
    def n_parameters(self) -> int:
        """``P``, the number of weights and biases: the columns of :meth:`jacobian`."""
        return self.layout.size

    def flatten(self, params: Mapping[str, object], check: bool = True) -> np.ndarray:
        """The parameters (or gradients) as one vector in ``net.parameter_names`` order: the
        column order of :meth:`jacobian` (:class:`~bpderive.numeric.layout.ParameterLayout`)."""
        return self.layout.flatten(params, check)

    def unflatten(self, vector: object) -> dict[str, np.ndarray]:
        """The inverse of :meth:`flatten`: a parameter mapping of views into ``vector``."""
        return self.layout.views(vector)

    def _jacobian(self, params: Params, X: np.ndarray, T: np.ndarray, fwd: Forward) -> np.ndarray:
        """Reverse accumulation seeded with every output's error at once.

        ``D[n, k, j] = ∂e_k/∂net_j`` for the units ``j`` of one layer. At the output layer it is
        the derived seed rule; one layer down ``D ← (D·W)·f'(net)``, the same recursion as
        ``δ``, with a batch of ``m`` seeds per sample. Each layer's columns are
        ``∂e_k/∂w_(i,j) = D[n, k, j]·out_i`` and ``∂e_k/∂b_j = D[n, k, j]``."""
        n_samples, m = T.shape
        D = self._error_seed_rule(fwd.output, T, fwd.nets[-1])
        blocks: list[np.ndarray] = []
        for layer in range(self.n_layers, 0, -1):
            below = fwd.outs[layer - 2] if layer > 1 else X
            weights = D[:, :, :, None] * below[:, None, None, :]
            blocks += [D, weights.reshape(n_samples, m, -1)]
            if layer > 1:
                local = np.broadcast_to(self._local(layer - 1, fwd), below.shape)
                D = (D @ params[f"W{layer}"]) * local[:, None, :]
        return np.concatenate(blocks[::-1], axis=2).reshape(n_samples * m, -1)

    def errors_and_jacobian(
        self, params: Mapping[str, object], X: object, T: object, check: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """The errors ``e`` (length ``N·m``) and their Jacobian ``J = ∂e/∂w`` (``(N·m, P)``) from
        one forward pass; see :meth:`jacobian` for the layout. ``e[n·m + k]`` is the error
        ``e_k`` of sample ``n`` (``target_k − out_k`` for the squared errors). ``check=False``: as
        in :meth:`cost_and_gradients`."""
        if self.residual_scale is None:
            raise ValueError(
                f"loss: the Jacobian of the errors needs a sum-of-squares loss, and "
                f"{self.loss.name!r} is not one"
            )
        if check:
            params, X, T = self._checked(params, X, T)
        with np.errstate(all="ignore"):
            fwd = self._forward(params, X)
            jac = self._jacobian(params, X, T, fwd)
            errors = np.broadcast_to(self._residual(fwd.output, T), T.shape)
        if check:
            _finite("the errors", errors, params, X)
            _finite("the Jacobian", jac, params, X)
        return errors.ravel(), jac

    def jacobian(
        self, params: Mapping[str, object], X: object, T: object, check: bool = True
    ) -> np.ndarray:
        """``J = ∂e/∂w``, the Jacobian of every sample's every output error with respect to every
        parameter, shape ``(N·m, P)``.

        A sum-of-squares loss ``E_ok = c·e_k²`` only. Row ``n·m + k`` is ``∂e_k/∂w`` for sample
        ``n``: the numbers of ``net.jacobian(f"o{k + 1}")``, one chain per column. Columns follow
        ``net.parameter_names`` (:meth:`flatten`). The cost ``E = 1/N Σ_n Σ_k c·e_k²`` then has
        the gradient ``∇E = (2c/N)·Jᵀe`` (``c`` is :attr:`residual_scale`: ½ for ``half_sse``,
        ``1/m`` for ``mse``), so no second backward pass is needed for it. Levenberg–Marquardt
        uses ``J`` itself (``JᵀJ`` approximates the Hessian of ``½‖e‖²``). ``check=False``: as in
        :meth:`cost_and_gradients`."""
        return self.errors_and_jacobian(params, X, T, check)[1]


def _finite(what: str, value: object, params: Params, X: np.ndarray) -> object:
    """``value`` (a number, an array or a mapping of arrays) if every number in it is finite,
    else a ``FloatingPointError`` saying where the numbers got too large: an overflow in
    ``e^net`` or ``net²`` gives ``inf``, then ``inf − inf`` gives NaN, and a silent NaN would be
    read as a result."""
    arrays = value.values() if isinstance(value, Mapping) else [value]
    if all(np.isfinite(np.sum(a)) or np.isfinite(a).all() for a in arrays):
        return value
    key, array = max(params.items(), key=lambda item: np.max(np.abs(item[1]), initial=0.0))
    raise FloatingPointError(
        f"params, X: {what} overflowed (inf or NaN) at these parameters and inputs (largest "
        f"|parameter| {np.max(np.abs(array)):.3g}, in {key}; largest |input| "
        f"{np.max(np.abs(X)):.3g}): scale the inputs, or start from smaller weights"
    )


def _forward_rule(layer: LayerRule) -> Callable[[np.ndarray], np.ndarray]:
    """``out = f(net)`` for a whole layer. A softmax layer's own quotients are lambdified, with
    each row's nets shifted by their maximum first: the quotient is unchanged, ``e^x`` finite."""
    if layer.softmax is None:
        return lambdify([NET], layer.activation)
    rule = lambdify(layer.nets, list(layer.softmax))

    def softmax(net: np.ndarray) -> np.ndarray:
        shifted = net - net.max(axis=1, keepdims=True)
        return np.column_stack(rule(*shifted.T))

    return softmax


def _cost_rule(out: OutputRule) -> Rule:
    """Every output's loss term for every sample, from ``(out, target, net)``: in the output nets
    where the derivation wrote it there (:func:`~bpderive.symbolic.rules.derive_rules`: finite
    where ``log(out)`` is not), else in the outputs."""
    if out.cost_in_net is None:
        rule = lambdify([OUT, TARGET], out.loss_term, cse=False)
        return lambda outs, target, nets: rule(outs, target)
    if not out.coupled:
        rule = lambdify([NET, TARGET], out.cost_in_net[0])
        return lambda outs, target, nets: rule(nets, target)
    terms = lambdify([*out.nets, *out.targets], list(out.cost_in_net))

    def coupled(outs: np.ndarray, target: np.ndarray, nets: np.ndarray) -> np.ndarray:
        return np.column_stack(np.broadcast_arrays(*terms(*nets.T, *target.T)))

    return coupled


def _output_rule(out: OutputRule, exprs: tuple) -> Rule:
    """A rule of the output layer as a function of ``(out, target, net)`` arrays ``(N, m)``:
    one generic rule for every unit, or one per unit (softmax), column by column."""
    if not out.coupled:
        return lambdify([OUT, TARGET, NET], exprs[0])
    rule = lambdify([*out.outs, *out.nets, *out.targets], list(exprs))

    def coupled(outs: np.ndarray, target: np.ndarray, nets: np.ndarray) -> np.ndarray:
        return np.column_stack(np.broadcast_arrays(*rule(*outs.T, *nets.T, *target.T)))

    return coupled


def _error_seed_rule(out: OutputRule, m: int) -> Callable[..., np.ndarray]:
    """``∂e_k/∂net_oj`` for every sample, output ``k`` and output unit ``j``: an ``(N, m, m)``
    array from the outputs, targets and output nets. An element-wise output layer has only the
    diagonal (the derivation checked that ``e_o1`` does not reach ``net_o2``); softmax couples
    every unit, so each ``k`` has its own row of rules."""
    seeds = out.error_seeds
    if out.coupled:
        rows = [_output_rule(out, row) for row in seeds]

        def coupled(outs: np.ndarray, target: np.ndarray, nets: np.ndarray) -> np.ndarray:
            return np.stack([row(outs, target, nets) for row in rows], axis=1)

        return coupled
    diagonal = _output_rule(out, seeds[0])
    units = np.arange(m)

    def elementwise(outs: np.ndarray, target: np.ndarray, nets: np.ndarray) -> np.ndarray:
        result = np.zeros((*outs.shape, m))
        result[:, units, units] = diagonal(outs, target, nets)
        return result

    return elementwise

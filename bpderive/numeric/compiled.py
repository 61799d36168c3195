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

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from bpderive.checks import all_finite, check_data, check_params
from bpderive.limits import check_jacobian_size
from bpderive.numeric.codegen import (
    cost_rule,
    error_seed_rule,
    lambdify,
    output_rule,
)
from bpderive.numeric.kernel import generate
from bpderive.numeric.layout import ParameterLayout
from bpderive.symbolic.notation import NET, OUT, TARGET
from bpderive.symbolic.rules import DerivedRules

Params = Mapping[str, np.ndarray]


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
        out = rules.output
        self._kernel = generate(
            rules,
            cost=cost_rule(out),
            workspace=self._workspace,
            coupled_delta=output_rule(out, out.delta) if out.shared_delta is None else None,
        )
        #: The generated NumPy code of the cost and gradients: the derived rules, in place.
        self.source = self._kernel.source
        self._spaces: dict[int, tuple[np.ndarray, ...]] = {}
        self._order = list(self.layout.shapes)
        self._expected = list(self.layout.shapes.items())
        self._views = [
            (key, self.layout.slices[key], shape if len(shape) > 1 else None)
            for key, shape in self._expected
        ]
        self._backward_rules = [
            (layer.local_in_output, lambdify([OUT if layer.local_in_output else NET], layer.local))
            for layer in rules.layers[:-1]
        ]
        #: ``c`` of a sum-of-squares loss ``E_ok = c·e_ok²`` (``None`` for any other loss).
        self.residual_scale: float | None = None
        if out.error_seeds is not None:
            self._error_seed_rule = error_seed_rule(out, len(out.outs))
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

    def _workspace(self, n: int) -> tuple[np.ndarray, ...]:
        """The kernel's buffers for batches of ``n`` samples, kept for the last four sizes."""
        space = self._spaces.get(n)
        if space is None:
            if len(self._spaces) >= 4:
                del self._spaces[next(iter(self._spaces))]
            space = self._spaces[n] = self._kernel.buffers(n)
        return space

    def _run(
        self,
        params: Mapping[str, object],
        X: object,
        T: object,
        want_cost: bool,
        check: bool,
        out: Mapping[str, np.ndarray] | None = None,
    ) -> tuple[float, dict[str, np.ndarray]]:
        """The kernel on checked arguments: the cost (if wanted) and the gradients. Under one
        ``errstate``: a saturated unit's ``e^1000`` is inf on the way to an exact 0 or 1, which
        is no reason for a warning; a result that is not finite is reported instead."""
        if check:
            params, X, T = self._checked(params, X, T)
        arrays = [params[key] for key in self._order]
        with np.errstate(all="ignore"):
            flat, grads = self._outputs(out, check)
            space = self._workspace(X.shape[0])
            cost = self._kernel.gradients(*arrays, X, T, space, *grads.values(), want_cost)
            finite = not check or (
                (
                    math.isfinite(np.dot(flat, flat))
                    if flat is not None
                    else all_finite(list(grads.values()))
                )
                and (not want_cost or math.isfinite(cost))
            )
            if not finite and flat is not None:  # x·x overflowed, or something is not finite
                finite = bool(np.isfinite(flat).all()) and (not want_cost or math.isfinite(cost))
        if not finite:
            named = dict(zip(self._order, arrays, strict=True))
            what = "the cost" if want_cost and not math.isfinite(cost) else "the gradient"
            raise _overflow(what, named, X)
        return cost, grads

    def _outputs(
        self, out: Mapping[str, np.ndarray] | None, check: bool = True
    ) -> tuple[np.ndarray | None, dict[str, np.ndarray]]:
        """Arrays for the gradients: views into one new vector (returned too), or the
        caller's ``out`` (checked, unless the caller is the training loop's own)."""
        if out is not None and not check:
            return None, out  # type: ignore[return-value]
        if out is None:
            flat = np.empty(self.layout.size)
            return flat, {
                key: flat[part] if shape is None else flat[part].reshape(shape)
                for key, part, shape in self._views
            }
        if out.__class__ is not dict or list(out) != self._order:
            raise ValueError(f"out: expected a dict with keys {', '.join(self._order)}")
        for key, shape in self._expected:
            array = out[key]
            if array.__class__ is not np.ndarray or array.dtype is not _F64 or array.shape != shape:
                raise ValueError(f"out[{key!r}]: expected a float array of shape {shape}")
        return None, out

    def forward(self, params: Mapping[str, object], X: object) -> Forward:
        """``net`` and ``out`` of every layer for every sample (row) of ``X``."""
        checked, X2, _ = self.check(params, X)
        fwd = self._forward(checked, X2, copy=True)
        _finite("the output", fwd.output, checked, X2)
        return fwd

    def _forward(self, params: Params, X: np.ndarray, copy: bool = False) -> Forward:
        """The kernel's forward pass; its arrays are the workspace's unless ``copy``."""
        space = self._workspace(X.shape[0])
        with np.errstate(all="ignore"):
            self._kernel.forward(*[params[key] for key in self._order], X, space)
        nets = [space[self._kernel.names.index(f"net{k}")] for k in range(1, self.n_layers + 1)]
        outs = [space[self._kernel.names.index(f"out{k}")] for k in range(1, self.n_layers + 1)]
        if copy:
            nets, outs = [a.copy() for a in nets], [a.copy() for a in outs]
        return Forward(nets, outs)

    def cost(self, params: Mapping[str, object], X: object, T: object, check: bool = True) -> float:
        """The cost: the mean over samples of ``E_total``. ``check=False``: as in
        :meth:`cost_and_gradients`."""
        if check:
            params, X, T = self._checked(params, X, T)
        fwd = self._forward(params, X)
        with np.errstate(all="ignore"):
            cost = float(np.sum(self._kernel.cost(fwd.output, T, fwd.nets[-1]))) / T.shape[0]
        return _finite("the cost", cost, params, X) if check else cost

    def _local(self, layer: int, fwd: Forward) -> np.ndarray:
        """``∂out/∂net`` of hidden layer ``layer``, from its out (or net where no out-form)."""
        in_output, rule = self._backward_rules[layer - 1]
        return rule(fwd.outs[layer - 1] if in_output else fwd.nets[layer - 1])

    def gradients(
        self,
        params: Mapping[str, object],
        X: object,
        T: object,
        check: bool = True,
        out: Mapping[str, np.ndarray] | None = None,
    ) -> dict[str, np.ndarray]:
        """The gradient of the cost with respect to every parameter, keyed like ``params``.

        ``out``, a dict of float arrays shaped like the parameters, receives the gradients
        instead of new arrays (a training loop reuses its own). ``check=False``: as in
        :meth:`cost_and_gradients`."""
        if check and out is None:
            done = self._kernel.checked(params, X, T, False)
            if done is not None:
                return done[1]
        return self._run(params, X, T, False, check, out)[1]

    def bind(
        self, params: Params, out: Mapping[str, np.ndarray]
    ) -> Callable[[np.ndarray, np.ndarray, bool], float]:
        """``f(X, T, want_cost)``: the gradients at ``params`` written into ``out``, and the
        cost if ``want_cost`` (else NaN). The arrays are bound once and read at every call, so
        a loop that updates the parameters in place moves the point without a lookup.

        Nothing is checked and no ``errstate`` is set: for a training loop that checked its
        data once, feeds back its own float arrays, runs under its own ``np.errstate`` (a
        saturated unit's ``e^1000`` is inf on the way to an exact 0 or 1) and checks what it
        keeps."""
        arrays = [params[key] for key in self._order]
        grads = [out[key] for key in self._order]
        kernel, workspace = self._kernel.gradients, self._workspace

        def gradients(X: np.ndarray, T: np.ndarray, want_cost: bool) -> float:
            return kernel(*arrays, X, T, workspace(X.shape[0]), *grads, want_cost)

        return gradients

    def cost_and_gradients(
        self,
        params: Mapping[str, object],
        X: object,
        T: object,
        check: bool = True,
        out: Mapping[str, np.ndarray] | None = None,
    ) -> tuple[float, dict[str, np.ndarray]]:
        """Cost and gradients from one forward pass. ``check=False`` skips validation, for a
        training loop that validated its data once and then only feeds back its own arrays;
        ``out`` as in :meth:`gradients`."""
        if check and out is None:
            done = self._kernel.checked(params, X, T, True)
            if done is not None:
                return done
        return self._run(params, X, T, True, check, out)

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
        in :meth:`cost_and_gradients`. A ``J`` beyond :data:`~bpderive.limits.MAX_JACOBIAN_GIB`
        is refused before anything is computed (Levenberg–Marquardt's training with it too)."""
        if self.residual_scale is None:
            raise ValueError(
                f"loss: the Jacobian of the errors needs a sum-of-squares loss, and "
                f"{self.loss.name!r} is not one"
            )
        if check:
            params, X, T = self._checked(params, X, T)
        check_jacobian_size(X.shape[0] * self.sizes[-1], self.layout.size)
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
    else :func:`_overflow`: an overflow in ``e^net`` or ``net²`` gives ``inf``, then
    ``inf − inf`` gives NaN, and a silent NaN would be read as a result."""
    arrays = list(value.values()) if isinstance(value, Mapping) else [np.asarray(value)]
    with np.errstate(all="ignore"):
        if all_finite(arrays):
            return value
    raise _overflow(what, params, X)


def _overflow(what: str, params: Params, X: np.ndarray) -> FloatingPointError:
    """The error for results that overflowed though every input was finite."""
    key, array = max(params.items(), key=lambda item: np.max(np.abs(item[1]), initial=0.0))
    return FloatingPointError(
        f"params, X: {what} overflowed (inf or NaN) at these parameters and inputs (largest "
        f"|parameter| {np.max(np.abs(array)):.3g}, in {key}; largest |input| "
        f"{np.max(np.abs(X)):.3g}): scale the inputs, or start from smaller weights"
    )


_F64 = np.dtype(np.float64)

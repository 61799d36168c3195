"""The derived equations, lambdified once to vectorised NumPy code.

The symbolic network gives, per layer, three kinds of local derivative:

* ``∂net_j/∂out_i = w_(i,j)`` and ``∂net_j/∂w_(i,j) = out_i``, ``∂net_j/∂b_j = 1``: these make
  the sums of the chain rule matrix products, ``∂E/∂out = δ·W`` and ``∂E/∂W = δᵀ·out``. They
  are derived with ``sympy.diff`` here and checked to have exactly that form before the matrix
  products are trusted with them;
* ``∂out/∂net``, the activation's derivative (in ``out`` where SymPy found that form), and
* ``δ_o = ∂E_total/∂net_o`` of the output layer;

the last two are lambdified as element-wise rules and applied to whole ``(N, units)`` arrays, so
a batch costs a handful of NumPy calls per layer and no Python loop over samples. ``subs`` and
``evalf`` never run here.

The Jacobian of the errors ``e_k = target_k − out_k`` (:meth:`CompiledNetwork.jacobian`, for
Levenberg–Marquardt training) reuses the same pieces with a different seed: the reverse pass
starts from ``∂e_k/∂net_o``, derived from the symbolic chain of ``e_ok``
(``net.gradient(..., of="e_o1")``), instead of from ``δ_o = ∂E_total/∂net_o``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.precedence import PRECEDENCE

from bpderive.checks import as_array, check_data, check_params
from bpderive.symbolic.activations import OUT, Softmax, tidy
from bpderive.symbolic.activations import X as NET

if TYPE_CHECKING:
    from bpderive.network import Network

Params = Mapping[str, np.ndarray]
_TARGET = sp.Symbol("target", real=True)


@dataclass(frozen=True)
class Forward:
    """Every layer's ``net`` and ``out`` for a batch: ``nets[l-1]`` and ``outs[l-1]`` are
    ``(N, n_l)`` arrays for weight layer ``l``; ``output`` is the network's output."""

    nets: list[np.ndarray]
    outs: list[np.ndarray]

    @property
    def output(self) -> np.ndarray:
        return self.outs[-1]


class _Printer(NumPyPrinter):
    """NumPy code as one would write it by hand: ``1/(1 + exp(-x))``, not
    ``(1 + exp(-x))**(-1.0)``, whose ``np.power`` costs several microseconds a call."""

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        if expr.exp == -1:
            return f"1/{self.parenthesize(expr.base, PRECEDENCE['Pow'])}"
        return super()._print_Pow(expr, rational=rational)

    def _print_Mul(self, expr: sp.Mul) -> str:
        """``a·log(b)`` as ``_xlogy(a, b)``: a cross-entropy term whose target is 0 contributes 0
        (the limit of ``a·log(b)``), where IEEE arithmetic would give ``0·(−∞) = NaN`` for an
        output that rounded to exactly 0 or 1."""
        logs = [arg for arg in expr.args if isinstance(arg, sp.log)]
        if len(logs) == 1:
            rest = sp.Mul(*[arg for arg in expr.args if arg is not logs[0]])
            return f"_xlogy({self._print(rest)}, {self._print(logs[0].args[0])})"
        return super()._print_Mul(expr)


def _xlogy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.where(a == 0, 0.0, a * np.log(b))


def _lambdify(args: list[sp.Symbol], expr: object, cse: bool = True) -> Callable[..., np.ndarray]:
    modules = [{"_xlogy": _xlogy}, "numpy"]
    return sp.lambdify(args, expr, modules=modules, printer=_Printer, cse=cse)


def _simplified(expr: sp.Expr) -> sp.Expr:
    """A derived rule with its fractions cancelled before it is compiled (branch by branch for
    piecewise units). The logistic output's cross-entropy δ, derived as
    ``out(1 − out)·((1 − target)/(1 − out) − target/out)``, becomes ``out − target``: the same
    number, but finite when ``out`` rounds to exactly 0 or 1 (0·∞ would be NaN). The chain
    objects keep the unsimplified product, which is what a learner reads."""
    folded = sp.piecewise_fold(expr)
    if isinstance(folded, sp.Piecewise):
        return sp.Piecewise(*[(tidy(sp.factor(e)), c) for e, c in folded.args])
    return tidy(sp.factor(folded))


def _generic(expr: sp.Expr, mapping: dict[sp.Symbol, sp.Symbol], what: str) -> sp.Expr:
    """One unit's rule written with generic symbols, refusing a rule that needs other units."""
    generic = expr.xreplace(mapping)
    stray = generic.free_symbols - set(mapping.values())
    if stray:
        raise RuntimeError(f"{what} depends on other units ({stray}); cannot apply element-wise")
    return generic


class CompiledNetwork:
    """The network's forward pass, cost and gradients as NumPy functions of a batch."""

    def __init__(self, net: Network) -> None:
        self.net = net
        self._forward_rules: list[Callable[[np.ndarray], np.ndarray]] = []
        self._backward_rules: list[tuple[str, Callable[..., np.ndarray]]] = []
        for layer in range(1, net.n_layers + 1):
            self._check_linear_structure(layer)
            act = net.activations[layer - 1]
            if isinstance(act, Softmax):
                self._forward_rules.append(self._softmax_rule(layer))
                continue
            self._forward_rules.append(_lambdify([NET], act.expr))
            if act.derivative_in_output is not None:
                self._backward_rules.append(("out", _lambdify([OUT], act.derivative_in_output)))
            else:
                self._backward_rules.append(("net", _lambdify([NET], act.derivative)))
        self._delta_output = self._output_delta_rule()
        self._loss_term = self._loss_rule()

    # ------------------------------------------------------------------ derivation checks

    def _check_linear_structure(self, layer: int) -> None:
        """Derive ``∂net_j/∂out_i`` and ``∂net_j/∂w_(i,j)`` for the layer and make sure they are
        the weight and the input, which is what lets NumPy do the sums as matrix products."""
        net = self.net
        for j, dst in enumerate(net.layers[layer]):
            d = net.local_derivative
            for i, src in enumerate(net.layers[layer - 1]):
                w = net.weight(layer, i, j).symbol
                if d(dst.net, src.out) != w or d(dst.net, w) != src.out:
                    raise RuntimeError(f"net_{dst.name} is not linear in its inputs and weights")
            if d(dst.net, net.bias(layer, j).symbol) != 1:
                raise RuntimeError(f"net_{dst.name} does not add its bias")

    def _softmax_rule(self, layer: int) -> Callable[[np.ndarray], np.ndarray]:
        """The layer's own quotient ``e^{net_k}/Σ e^{net_j}``, lambdified; the nets are shifted by
        their row maximum first, which leaves the quotient unchanged but keeps ``e^x`` finite."""
        units = self.net.layers[layer]
        nets = [n.net for n in units]
        rule = _lambdify(nets, [self.net.local[n.out] for n in units])

        def softmax(net: np.ndarray) -> np.ndarray:
            shifted = net - net.max(axis=1, keepdims=True)
            return np.column_stack(rule(*shifted.T))

        return softmax

    def _elementwise_rule(self, expr: sp.Expr, what: str) -> Callable[..., np.ndarray]:
        """A rule derived for unit o1, as a function of ``(out, target, net)`` arrays that
        applies to every output unit at once (refused if it involves another unit)."""
        first = self.net.layers[-1][0]
        mapping = {first.out: OUT, self.net.targets[0]: _TARGET, first.net: NET}
        return _lambdify([OUT, _TARGET, NET], _generic(_simplified(expr), mapping, what))

    def _coupled_rule(self, exprs: list[sp.Expr]) -> Callable[..., np.ndarray]:
        """Rules that involve every output unit (softmax), one column each, as a function of
        ``(out, target, net)`` arrays ``(N, m)``."""
        units = self.net.layers[-1]
        args = [n.out for n in units] + [n.net for n in units] + list(self.net.targets)
        rule = _lambdify(args, [_simplified(e) for e in exprs])

        def coupled(out: np.ndarray, target: np.ndarray, nets: np.ndarray) -> np.ndarray:
            return np.column_stack(np.broadcast_arrays(*rule(*out.T, *nets.T, *target.T)))

        return coupled

    def _output_delta_rule(self) -> Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
        """``δ_o`` from the derived chain of the output layer, as a rule on ``(N, m)`` arrays."""
        net = self.net
        units = net.layers[-1]
        if not net.activations[-1].elementwise:
            return self._coupled_rule([net.delta(n.name).expr for n in units])
        return self._elementwise_rule(net.delta(units[0].name).expr, "δ of the output layer")

    def _loss_rule(self) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        """One output's loss term ``E_ok``, applied to all outputs at once. (No common
        subexpressions are pulled out, so that each ``target·log(out)`` stays one term.)"""
        net = self.net
        mapping = {net.layers[-1][0].out: OUT, net.targets[0]: _TARGET}
        term = _generic(net.error_exprs[0], mapping, "E_o1")
        return _lambdify([OUT, _TARGET], term, cse=False)

    @cached_property
    def _error_seed_rule(self) -> Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
        """``∂e_k/∂net_oj`` for every sample, output ``k`` and output unit ``j``: an
        ``(N, m, m)`` array from the outputs, targets and output nets ``(N, m)``.

        Each entry is the chain of ``e_ok`` to the output bias ``b_oj``, derived by
        :meth:`Network.gradient` with ``of="e_ok"``: ``∂e_k/∂b_oj = ∂e_k/∂net_oj · ∂net_oj/∂b_oj``
        and the last factor is 1 (checked by :meth:`_check_linear_structure`). An element-wise
        output layer gives ``∂e_k/∂net_oj = 0`` for ``j ≠ k`` (checked on the derived chains of
        ``e_o1``), so one generic rule fills the diagonal; softmax couples every unit, so each
        ``k`` gets its own row of rules. Built on first use: training by gradient descent never
        needs it.
        """
        net = self.net
        units = net.layers[-1]
        m = len(units)
        last = net.n_layers

        def seed(k: int, j: int) -> sp.Expr:
            return net.gradient(net.bias(last, j).name, of=f"e_{units[k].name}").expr

        if not net.activations[-1].elementwise:
            rows = [self._coupled_rule([seed(k, j) for j in range(m)]) for k in range(m)]

            def coupled(out: np.ndarray, target: np.ndarray, nets: np.ndarray) -> np.ndarray:
                return np.stack([row(out, target, nets) for row in rows], axis=1)

            return coupled
        for j in range(1, m):
            if seed(0, j) != 0:
                raise RuntimeError(f"e_{units[0].name} depends on net_{units[j].name}")
        diagonal = self._elementwise_rule(seed(0, 0), "∂e_o1/∂net_o1")
        units_k = np.arange(m)

        def elementwise(out: np.ndarray, target: np.ndarray, nets: np.ndarray) -> np.ndarray:
            seeds = np.zeros((*out.shape, m))
            seeds[:, units_k, units_k] = diagonal(out, target, nets)
            return seeds

        return elementwise

    # ------------------------------------------------------------------ numbers

    def check(
        self, params: Mapping[str, object], X: object, T: object | None = None
    ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray | None]:
        """Validate and convert ``params``, ``X`` and ``T`` (clear ``ValueError`` otherwise)."""
        checked = check_params(self.net.sizes, params)
        X2, T2 = check_data(self.net.sizes, X, T)
        if T2 is not None:
            self.net.loss.check_targets("T", T2, self.net.activation_names[-1])
        return checked, X2, T2

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
        return self._forward(checked, X2)

    def _cost(self, fwd: Forward, T: np.ndarray) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = self._loss_term(fwd.output, T)
        return float(np.sum(terms)) / T.shape[0]

    def cost(self, params: Mapping[str, object], X: object, T: object, check: bool = True) -> float:
        """The cost: the mean over samples of ``E_total``. ``check=False``: as in
        :meth:`cost_and_gradients`."""
        if check:
            params, X, T = self.check(params, X, T)
        return self._cost(self._forward(params, X), T)

    def _local(self, layer: int, fwd: Forward) -> np.ndarray:
        """``∂out/∂net`` of hidden layer ``layer``, from its out (or net where no out-form)."""
        kind, rule = self._backward_rules[layer - 1]
        return rule(fwd.outs[layer - 1] if kind == "out" else fwd.nets[layer - 1])

    def _backward(self, params: Params, X: np.ndarray, T: np.ndarray, fwd: Forward) -> dict:
        n_samples = X.shape[0]
        delta = self._delta_output(fwd.output, T, fwd.nets[-1])
        if np.ndim(delta) != 2:
            delta = np.broadcast_to(delta, fwd.output.shape)
        grads: dict[str, np.ndarray] = {}
        for layer in range(self.net.n_layers, 0, -1):
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
        if check:
            params, X, T = self.check(params, X, T)
        return self._backward(params, X, T, self._forward(params, X))

    def cost_and_gradients(
        self, params: Mapping[str, object], X: object, T: object, check: bool = True
    ) -> tuple[float, dict]:
        """Cost and gradients from one forward pass. ``check=False`` skips validation, for a
        training loop that validated its data once and then only feeds back its own arrays."""
        if check:
            params, X, T = self.check(params, X, T)
        fwd = self._forward(params, X)
        return self._cost(fwd, T), self._backward(params, X, T, fwd)

    # ------------------------------------------------------------------ Jacobian of the errors

    @property
    def n_parameters(self) -> int:
        """``P``, the number of weights and biases: the columns of :meth:`jacobian`."""
        return sum(int(np.prod(shape)) for shape in self.net.parameter_shapes.values())

    def flatten(self, params: Mapping[str, object], check: bool = True) -> np.ndarray:
        """The parameters (or gradients) as one vector in ``net.parameter_names`` order: layer by
        layer, ``W`` row by row, then ``b``. The column order of :meth:`jacobian`. ``params`` is
        checked as everywhere else; ``check=False``: as in :meth:`cost_and_gradients`."""
        if check:
            params = check_params(self.net.sizes, params)
        return np.concatenate([params[key].ravel() for key in self.net.parameter_shapes])

    def unflatten(self, vector: object) -> dict[str, np.ndarray]:
        """The inverse of :meth:`flatten`: a parameter mapping from a vector of length ``P``.
        (Not checked for finiteness: a trial step of Levenberg–Marquardt may overflow, and the
        training loop reports that as divergence.)"""
        vector = as_array("vector", vector)
        if vector.shape != (self.n_parameters,):
            raise ValueError(
                f"vector: expected shape ({self.n_parameters},) (one entry per parameter), "
                f"got {vector.shape}"
            )
        result, start = {}, 0
        for key, shape in self.net.parameter_shapes.items():
            size = int(np.prod(shape))
            result[key] = vector[start : start + size].reshape(shape)
            start += size
        return result

    def _jacobian(self, params: Params, X: np.ndarray, T: np.ndarray, fwd: Forward) -> np.ndarray:
        """Reverse accumulation seeded with every output's error at once.

        ``D[n, k, j] = ∂e_k/∂net_j`` for the units ``j`` of one layer. At the output layer it is
        the derived seed rule; one layer down ``D ← (D·W)·f'(net)``, the same recursion as
        ``δ``, with a batch of ``m`` seeds per sample. Each layer's columns are
        ``∂e_k/∂w_(i,j) = D[n, k, j]·out_i`` and ``∂e_k/∂b_j = D[n, k, j]``."""
        n_samples, m = T.shape
        D = self._error_seed_rule(fwd.output, T, fwd.nets[-1])
        blocks: list[np.ndarray] = []
        for layer in range(self.net.n_layers, 0, -1):
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
        one forward pass; see :meth:`jacobian` for the layout. ``e[n·m + k]`` is
        ``target_k − out_k`` of sample ``n``. ``check=False``: as in :meth:`cost_and_gradients`."""
        if check:
            params, X, T = self.check(params, X, T)
        fwd = self._forward(params, X)
        with np.errstate(over="ignore", invalid="ignore"):
            jac = self._jacobian(params, X, T, fwd)
        return (T - fwd.output).ravel(), jac

    def jacobian(
        self, params: Mapping[str, object], X: object, T: object, check: bool = True
    ) -> np.ndarray:
        """``J = ∂e/∂w``, the Jacobian of every sample's every output error with respect to every
        parameter, shape ``(N·m, P)``.

        Row ``n·m + k`` is ``∂e_k/∂w`` for sample ``n``, with ``e_k = target_k − out_k``: the
        numbers of ``net.jacobian(f"o{k + 1}")``, one chain per column. Columns follow
        ``net.parameter_names`` (:meth:`flatten`). For the ``half_sse`` cost
        ``E = 1/N Σ_n ½Σ_k e_k²`` the gradient is ``∇E = (1/N)·Jᵀe``, for ``mse``
        (``E_total = 1/m Σ_k e_k²``) ``∇E = 2/(N·m)·Jᵀe``: no second backward pass is needed for
        it. Levenberg–Marquardt training uses ``J`` itself (``JᵀJ`` approximates the Hessian of
        ``½‖e‖²``). ``check=False``: as in :meth:`cost_and_gradients`."""
        return self.errors_and_jacobian(params, X, T, check)[1]

"""The derived rules through SymPy's JAX printer, jitted: ``net.compile(backend="jax")``.

The hand-over is the NumPy kernel's (:class:`~bpderive.symbolic.rules.DerivedRules`):
``out = f(net)``, ``∂out/∂net``, the output layer's ``δ`` and loss term, each printed by SymPy's
:class:`~sympy.printing.numpy.JaxPrinter` with the same stable forms as the NumPy code
(:class:`~bpderive.numeric.codegen.StablePrinting`: softplus as ``logaddexp``, ``a·log b`` as
``xlogy``). The layers are put together as in the article's matrix form (``net = out·Wᵀ + b``,
``δ_below = (δ·W) ⊙ f′``), and ``jax.jit`` compiles forward and backward into one XLA program;
:meth:`JaxNetwork.descend` runs whole epochs of full-batch gradient descent inside one
``lax.while_loop``, with no Python between epochs. No ``jax.grad`` anywhere: the gradient is
the derived one.

JAX computes in float32 unless told otherwise, and bpderive's numbers are float64: making a
:class:`JaxNetwork` turns on JAX's 64-bit mode (``jax_enable_x64``) for the process.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from bpderive.checks import check_data, check_params, int_scalar, real_scalar
from bpderive.numeric.codegen import StablePrinting
from bpderive.numeric.layout import ParameterLayout
from bpderive.symbolic.notation import NET, OUT, TARGET
from bpderive.symbolic.rules import DerivedRules


def available() -> bool:
    """Whether JAX is installed (``pip install "bpderive[jax]"``)."""
    return importlib.util.find_spec("jax") is not None


@dataclass(frozen=True)
class Descent:
    """A run of :meth:`JaxNetwork.descend`: the parameters it ended at, the cost of every
    epoch (epoch 0 the start), the epochs run, and why it stopped (``"goal"``, ``"epochs"``,
    or ``"diverged"``, with the last finite parameters)."""

    params: dict[str, np.ndarray]
    costs: np.ndarray
    epochs: int
    stop_reason: str


class JaxNetwork:
    """The network's cost, gradients and full-batch gradient descent as jitted JAX code,
    compiled from the derived rules (the JAX counterpart of
    :class:`~bpderive.numeric.compiled.CompiledNetwork`)."""

    def __init__(self, rules: DerivedRules) -> None:
        if not available():
            raise ImportError(
                'backend: "jax" needs JAX; pip install "bpderive[jax]" (or use backend="numpy")'
            )
        import jax

        jax.config.update("jax_enable_x64", True)
        self.rules, self.sizes, self.loss = rules, rules.sizes, rules.loss
        self.layout = ParameterLayout(rules.sizes)
        self._order = list(self.layout.shapes)
        self._forward = [_activation(layer) for layer in rules.layers]
        self._local = [
            (layer.local_in_output, _lambdify([OUT if layer.local_in_output else NET], layer.local))
            for layer in rules.layers[:-1]
        ]
        self._delta, self._cost_terms = _output_rules(rules)
        self._cost_and_gradients = jax.jit(self._pass)
        self._descend = jax.jit(self._loop, static_argnames="epochs")

    # ------------------------------------------------------------------ the derived rules

    def _pass(self, params: tuple[Any, ...], X: Any, T: Any) -> tuple[Any, tuple[Any, ...]]:
        """One forward and one backward pass: the mean cost and the gradient of every
        parameter (in :attr:`layout` order), as the article's matrix form computes them."""
        import jax.numpy as jnp

        L = len(self._forward)
        outs, nets = [X], []
        for k in range(L):
            nets.append(outs[-1] @ params[2 * k].T + params[2 * k + 1])
            outs.append(self._forward[k](nets[-1]))
        n = X.shape[0]
        cost = jnp.sum(self._cost_terms(outs[-1], T, nets[-1])) / n
        delta = self._delta(outs[-1], T, nets[-1]) / n
        grads: list[Any] = [None] * (2 * L)
        for k in range(L, 0, -1):
            grads[2 * k - 2] = delta.T @ outs[k - 1]
            grads[2 * k - 1] = jnp.sum(delta, axis=0)
            if k > 1:
                in_output, local = self._local[k - 2]
                delta = (delta @ params[2 * k - 2]) * local(
                    outs[k - 1] if in_output else nets[k - 2]
                )
        return cost, tuple(grads)

    def _loop(
        self,
        params: tuple[Any, ...],
        X: Any,
        T: Any,
        rates: tuple[Any, ...],
        momentum: Any,
        goal: Any,
        epochs: int,
    ) -> tuple[tuple[Any, ...], Any, Any, Any]:
        """``epochs`` steps ``Δw(t) = −η·∂E/∂w + α·Δw(t−1)`` at most, stopping at the first
        cost ``<= goal`` or the first cost that is not finite (then keeping the step before)."""
        import jax
        import jax.numpy as jnp

        cost, grads = self._pass(params, X, T)
        costs = jnp.full(epochs + 1, jnp.nan).at[0].set(cost)
        velocity = tuple(jnp.zeros_like(p) for p in params)

        def going(state: tuple) -> Any:
            _, _, _, cost, epoch, _, _ = state
            return (epoch < epochs) & (cost > goal) & jnp.isfinite(cost)

        def step(state: tuple) -> tuple:
            params, grads, velocity, _, epoch, costs, _ = state
            velocity = tuple(
                momentum * v - r * g for v, r, g in zip(velocity, rates, grads, strict=True)
            )
            moved = tuple(p + v for p, v in zip(params, velocity, strict=True))
            cost, new_grads = self._pass(moved, X, T)
            return (
                moved,
                new_grads,
                velocity,
                cost,
                epoch + 1,
                costs.at[epoch + 1].set(cost),
                params,
            )

        state = (params, grads, velocity, cost, 0, costs, params)
        params, _, _, cost, epoch, costs, before = jax.lax.while_loop(going, step, state)
        finite = jnp.isfinite(cost)
        kept = tuple(jnp.where(finite, p, b) for p, b in zip(params, before, strict=True))
        return kept, costs, epoch, cost

    # ------------------------------------------------------------------ numbers

    def cost_and_gradients(
        self, params: Mapping[str, object], X: object, T: object
    ) -> tuple[float, dict[str, np.ndarray]]:
        """The mean cost and the gradients, checked as the NumPy network checks them."""
        arrays, X2, T2 = self._checked(params, X, T)
        cost, grads = self._cost_and_gradients(arrays, X2, T2)
        result = {key: np.asarray(g) for key, g in zip(self._order, grads, strict=True)}
        if not (np.isfinite(float(cost)) and all(np.isfinite(g).all() for g in result.values())):
            raise FloatingPointError(
                "params, X: the cost or the gradient overflowed (inf or NaN) at these "
                "parameters and inputs: scale the inputs, or start from smaller weights"
            )
        return float(cost), result

    def gradients(
        self, params: Mapping[str, object], X: object, T: object
    ) -> dict[str, np.ndarray]:
        """The gradient of the cost with respect to every parameter, keyed like ``params``."""
        return self.cost_and_gradients(params, X, T)[1]

    def descend(
        self,
        params: Mapping[str, object],
        X: object,
        T: object,
        eta1: float = 0.5,
        eta2: float | None = None,
        momentum: float = 0.0,
        epochs: int = 1000,
        goal: float = 0.0,
    ) -> Descent:
        """Full-batch gradient descent, every epoch inside one jitted loop: ``w⁺ = w −
        η1·∂E/∂w`` for the weights and ``b⁺ = b − η2·∂E/∂b`` for the biases (η2 = η1 unless
        given), with momentum ``α``; the steps of :func:`bpderive.train` with the same options
        (``min_grad=0``), to the same numbers. The loop is compiled once per data shape and
        ``epochs``; the first call pays for that."""
        arrays, X2, T2 = self._checked(params, X, T)
        eta1 = real_scalar("eta1", eta1, "a finite learning rate >= 0", lambda v: v >= 0)
        eta2 = eta1 if eta2 is None else eta2
        eta2 = real_scalar("eta2", eta2, "a finite learning rate >= 0", lambda v: v >= 0)
        momentum = real_scalar("momentum", momentum, "a momentum in [0, 1)", lambda v: 0 <= v < 1)
        epochs = int_scalar("epochs", epochs, 0)
        goal = real_scalar("goal", goal, "a finite cost goal >= 0", lambda v: v >= 0)
        rates = tuple(eta1 if key.startswith("W") else eta2 for key in self._order)
        kept, costs, epoch, cost = self._descend(arrays, X2, T2, rates, momentum, goal, epochs)
        epoch, cost = int(epoch), float(cost)
        reason = "diverged" if not np.isfinite(cost) else "goal" if cost <= goal else "epochs"
        return Descent(
            {key: np.array(p) for key, p in zip(self._order, kept, strict=True)},
            np.asarray(costs)[: epoch + 1],
            epoch,
            reason,
        )

    def _checked(
        self, params: Mapping[str, object], X: object, T: object
    ) -> tuple[tuple[np.ndarray, ...], np.ndarray, np.ndarray]:
        if T is None:
            raise ValueError(
                f"T: expected the targets, an array of shape (N, {self.sizes[-1]}), got None"
            )
        checked = check_params(self.sizes, params)
        X2, T2 = check_data(self.sizes, X, T)
        self.loss.check_targets("T", T2)
        return tuple(checked[key] for key in self._order), X2, T2  # type: ignore[return-value]


# ---------------------------------------------------------------------- the rules as JAX code


def _lambdify(args: list[sp.Symbol], expr: object) -> Callable[..., Any]:
    """``expr`` as a JAX function of ``args``, printed by SymPy's JAX printer with the stable
    forms of :class:`~bpderive.numeric.codegen.StablePrinting`."""
    import jax
    import jax.numpy as jnp
    from jax.scipy.special import xlogy
    from sympy.printing.numpy import JaxPrinter

    def logsumexp(*z: Any) -> Any:
        return jax.scipy.special.logsumexp(jnp.stack(jnp.broadcast_arrays(*z)), axis=0)

    printer = type("_Printer", (StablePrinting, JaxPrinter), {})  # JAX loads only here
    modules = [{"jax": jax, "_xlogy": xlogy, "_logsumexp": logsumexp}, "jax"]
    return sp.lambdify(args, expr, modules=modules, printer=printer, cse=True)


def _activation(layer: Any) -> Callable[[Any], Any]:
    """``out = f(net)`` for a layer; softmax from its derived quotients, each row's nets
    shifted by their maximum first (the quotient is unchanged, ``e^x`` finite)."""
    import jax.numpy as jnp

    if layer.softmax is None:
        return _lambdify([NET], layer.activation)
    rule = _lambdify(list(layer.nets), list(layer.softmax))

    def softmax(net: Any) -> Any:
        shifted = net - jnp.max(net, axis=1, keepdims=True)
        return jnp.stack(rule(*shifted.T), axis=1)

    return softmax


def _output_rules(rules: DerivedRules) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """``δ`` of the output layer and every output's loss term, as functions of
    ``(out, target, net)``: one rule for every unit, or (softmax without a shared ``δ``) one
    per unit."""
    out = rules.output
    if out.cost_in_net is None:  # the loss term is the same rule for every unit
        term = _lambdify([OUT, TARGET], out.loss_term)

        def cost(o: Any, t: Any, n: Any) -> Any:
            return term(o, t)
    elif not out.coupled:
        term = _lambdify([NET, TARGET], out.cost_in_net[0])

        def cost(o: Any, t: Any, n: Any) -> Any:
            return term(n, t)
    else:
        terms = _lambdify([*out.nets, *out.targets], list(out.cost_in_net))

        def cost(o: Any, t: Any, n: Any) -> Any:
            return _columns(terms(*n.T, *t.T))

    if out.shared_delta is not None:  # one rule for every unit (proved for a coupled layer)
        return _lambdify([OUT, TARGET, NET], out.shared_delta), cost
    deltas = _lambdify([*out.outs, *out.nets, *out.targets], list(out.delta))

    def delta(o: Any, t: Any, n: Any) -> Any:
        return _columns(deltas(*o.T, *n.T, *t.T))

    return delta, cost


def _columns(values: list[Any]) -> Any:
    """One rule's value per unit (a number where it is constant), as the columns of an array."""
    import jax.numpy as jnp

    return jnp.stack(jnp.broadcast_arrays(*values), axis=1)

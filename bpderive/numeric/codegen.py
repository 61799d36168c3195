"""SymPy expressions to NumPy functions: the printer, the helpers the generated code calls, and
the derived rules of a layer as functions of whole ``(N, units)`` arrays."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.precedence import PRECEDENCE

from bpderive.symbolic.notation import NET, OUT, TARGET
from bpderive.symbolic.rules import OutputRule, is_stable_log

Rule = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


class StablePrinting:
    """What the derived rules need of a printer of array code, NumPy's or JAX's (the module
    is the printer's own, ``numpy`` or ``jax.numpy``): ``1/(1 + exp(-x))``, not
    ``(1 + exp(-x))**(-1.0)``, whose ``np.power`` costs several microseconds a call; and the
    numerically stable forms below, with ``_xlogy`` and ``_logsumexp`` taken from the
    namespace the code runs in."""

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        if expr.exp == -1:
            return f"1/{self.parenthesize(expr.base, PRECEDENCE['Pow'])}"
        return super()._print_Pow(expr, rational=rational)

    def _print_Mul(self, expr: sp.Mul) -> str:
        """``a·log(b)`` as ``_xlogy(a, b)``: a cross-entropy term whose target is 0 contributes 0
        (the limit of ``a·log(b)``), where IEEE arithmetic would give ``0·(−∞) = NaN`` for an
        output that rounded to exactly 0 or 1."""
        logs = [arg for arg in expr.args if isinstance(arg, sp.log)]
        if len(logs) == 1 and not is_stable_log(logs[0]):
            rest = sp.Mul(*[arg for arg in expr.args if arg is not logs[0]])
            return f"_xlogy({self._print(rest)}, {self._print(logs[0].args[0])})"
        return super()._print_Mul(expr)

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        """``e^z − 1`` as ``expm1(z)`` and ``1 − e^z`` as ``−expm1(z)``: the same number, with
        all its digits when ``e^z`` is close to 1 (softplus's slope written in its output,
        ``1 − e^(−out)``, at ``out = 10⁻²²``), where the subtraction would give 0."""
        if len(expr.args) == 2:
            number, other = sorted(expr.args, key=lambda a: not a.is_Number)
            if number == 1 and isinstance(-other, sp.exp):
                return f"(-{self._module}.expm1({self._print((-other).args[0])}))"
            if number == -1 and isinstance(other, sp.exp):
                return f"{self._module}.expm1({self._print(other.args[0])})"
        return super()._print_Add(expr, order=order)

    def _print_log(self, expr: sp.log) -> str:
        """A softplus ``log(1 + e^z)`` as ``logaddexp(0, z)`` and a log-sum-exp ``log(Σ e^zj)``
        as ``_logsumexp(z1, z2, …)``: the same numbers, finite where ``e^z`` overflows."""
        if not is_stable_log(expr):
            return super()._print_log(expr)
        exponents = [self._print(a.args[0]) for a in sp.Add.make_args(expr.args[0]) if a != 1]
        if len(exponents) == 1:
            return f"{self._module}.logaddexp(0, {exponents[0]})"
        return f"_logsumexp({', '.join(exponents)})"


class _Printer(StablePrinting, NumPyPrinter):
    """NumPy code as one would write it by hand (:class:`StablePrinting`)."""


def _logsumexp(*z: np.ndarray) -> np.ndarray:
    """``log Σ e^zj`` element-wise, with the largest ``zj`` taken out first."""
    top = np.maximum.reduce(np.broadcast_arrays(*z))
    return top + np.log(sum(np.exp(zj - top) for zj in z))


def _xlogy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.where(a == 0, 0.0, a * np.log(b))


def lambdify(
    args: Sequence[sp.Symbol], expr: object, cse: bool = True
) -> Callable[..., np.ndarray]:
    """``expr`` as a NumPy function of ``args`` (arrays), printed by :class:`_Printer`."""
    # The names the printer writes (``numpy.exp``, ``_xlogy``) and nothing else: SymPy's own
    # "numpy" namespace would star-import NumPy, which loads f2py and numpy.testing on first
    # use (a fifth of a second).
    modules = [{"numpy": np, "_xlogy": _xlogy, "_logsumexp": _logsumexp}]
    return sp.lambdify(list(args), expr, modules=modules, printer=_Printer, cse=cse)


def cost_rule(out: OutputRule) -> Rule:
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


def output_rule(out: OutputRule, exprs: tuple) -> Rule:
    """A rule of the output layer as a function of ``(out, target, net)`` arrays ``(N, m)``:
    one generic rule for every unit, or one per unit (softmax), column by column."""
    if not out.coupled:
        return lambdify([OUT, TARGET, NET], exprs[0])
    rule = lambdify([*out.outs, *out.nets, *out.targets], list(exprs))

    def coupled(outs: np.ndarray, target: np.ndarray, nets: np.ndarray) -> np.ndarray:
        return np.column_stack(np.broadcast_arrays(*rule(*outs.T, *nets.T, *target.T)))

    return coupled


def error_seed_rule(out: OutputRule, m: int) -> Callable[..., np.ndarray]:
    """``∂e_k/∂net_oj`` for every sample, output ``k`` and output unit ``j``: an ``(N, m, m)``
    array from the outputs, targets and output nets. An element-wise output layer has only the
    diagonal (the derivation checked that ``e_o1`` does not reach ``net_o2``); softmax couples
    every unit, so each ``k`` has its own row of rules."""
    seeds = out.error_seeds
    if out.coupled:
        rows = [output_rule(out, row) for row in seeds]

        def coupled(outs: np.ndarray, target: np.ndarray, nets: np.ndarray) -> np.ndarray:
            return np.stack([row(outs, target, nets) for row in rows], axis=1)

        return coupled
    diagonal = output_rule(out, seeds[0])
    units = np.arange(m)

    def elementwise(outs: np.ndarray, target: np.ndarray, nets: np.ndarray) -> np.ndarray:
        result = np.zeros((*outs.shape, m))
        result[:, units, units] = diagonal(outs, target, nets)
        return result

    return elementwise

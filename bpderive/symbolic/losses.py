"""Loss functions of sections 三.3.2.0 and 四.5, as small objects (after Nielsen's ``network2``).

A *loss* is the error of one sample, ``E_total = Σ_k E_ok``, one term per output unit; the
*cost* is the mean of the loss over the samples (the article keeps the two apart). A
:class:`Loss` is the formula of one term ``E_ok`` in the generic ``out`` and ``target``
(:mod:`~bpderive.symbolic.notation`); the network puts each output's symbols in and
differentiates the sum, so ``∂E_total/∂out_o1`` is derived, not typed. The loss also carries
what it needs and what it is:

* the outputs it is defined for, derived: the interval of ``out`` on which its formula is
  continuous (the cross-entropy's ``log(out)`` and ``log(1 − out)`` need (0, 1)); a network
  refuses an output activation whose range SymPy cannot prove to lie inside it;
* the targets it is defined for (cross-entropy compares probabilities: targets in [0, 1], and
  with a softmax output each row a distribution);
* whether it is a sum of squares, ``E_ok = c·e_ok²``: Levenberg–Marquardt needs one, and gets
  the error ``e_ok`` from it (:attr:`Loss.residual`, derived and proved);
* its form on a softmax output (the categorical cross-entropy), and how it is saved.

:meth:`Loss.define` makes a new one from any function ``term(out, target)`` of two SymPy symbols.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp
from sympy.calculus.util import continuous_domain

from bpderive.language import pick
from bpderive.symbolic import codec, texts
from bpderive.symbolic.activations import ACTIVATIONS, Activation, Softmax, _formula, _new_name
from bpderive.symbolic.notation import OUT, TARGET, Name, set_text

#: The number of output units, for losses that average over them (``mse``).
M = Name("m", integer=True, positive=True)


@dataclass(frozen=True, eq=False)
class Loss:
    """One loss; see the module's description. Use the built-ins by name (:func:`get_loss`) or
    make one with :meth:`define`."""

    name: str
    formula: sp.Expr
    about: str | tuple[str, str] = ""  # the description as given: see texts.DESCRIPTION
    sum_of_squares: bool = False
    target_range: tuple[float, float] | None = None
    targets_sum_to_one: bool = False
    for_distribution: Loss | None = None
    builtin: bool = False

    description = texts.DESCRIPTION

    @classmethod
    def define(
        cls,
        name: str,
        term: Callable[[sp.Symbol, sp.Symbol], sp.Expr],
        sum_of_squares: bool = False,
        *,
        description: str = "",
    ) -> Loss:
        """A loss from ``term(out, target)``, one output's error as a SymPy expression, e.g.
        ``Loss.define("quartic", lambda out, target: (target - out) ** 4)``.

        ``sum_of_squares=True`` declares ``term = c·e²`` for some error ``e(out, target)``, which
        lets Levenberg–Marquardt train with it; SymPy must find ``c`` and ``e`` and prove the
        identity, or the declaration is refused."""
        name = _new_name("loss", name, LOSSES, {})
        if not callable(term):
            raise ValueError(f"loss {name!r}: expected a function term(out, target), got {term!r}")
        if not isinstance(sum_of_squares, bool):
            raise ValueError(f"loss {name!r}: sum_of_squares: expected True or False")
        try:
            formula = term(OUT, TARGET)
        except Exception as error:  # the user's function: report whatever it raised
            raise ValueError(f"loss {name!r}: term(out, target) raised {error!r}") from None
        formula = _formula(f"loss {name!r}", formula, {OUT, TARGET})
        loss = cls(name, formula, description or texts.user_defined(formula), sum_of_squares)
        if sum_of_squares and loss.residual is None:
            raise ValueError(
                f"loss {name!r}: declared sum_of_squares=True, but SymPy cannot write "
                f"{formula} as c·e(out, target)²"
            )
        return loss

    @classmethod
    def from_spec(cls, entry: Mapping[str, object]) -> Loss:
        """The loss that :meth:`spec` saved (no code is run: see :mod:`.codec`)."""
        if set(entry) - {"name", "formula", "description", "sum_of_squares"} or not {
            "name",
            "formula",
        } <= set(entry):
            raise ValueError(f"expected keys name, formula[, description, sum_of_squares]: {entry}")
        name, squares = entry["name"], entry.get("sum_of_squares", False)
        if not isinstance(name, str) or not isinstance(squares, bool):
            raise ValueError(f"expected a string name and a bool sum_of_squares, got {entry}")
        symbols = {"out": OUT, "target": TARGET}
        formula = _formula(f"loss {name!r}", codec.decode(entry["formula"], symbols), {OUT, TARGET})
        loss = cls(name, formula, str(entry.get("description", "")), squares)
        if squares and loss.residual is None:
            raise ValueError(f"loss {name!r}: not a sum of squares")
        return loss

    def spec(self) -> str | dict[str, object]:
        """How a saved network records this loss: a built-in's name, or the formula as data."""
        if self.builtin:
            return self.name
        return {
            "name": self.name,
            "formula": codec.encode(self.formula),
            "description": texts.saved(self.about),
            "sum_of_squares": self.sum_of_squares,
        }

    def __repr__(self) -> str:
        return f"Loss({self.name!r}: {self.formula})"

    def term(self, out: sp.Symbol, target: sp.Symbol, n_outputs: int) -> sp.Expr:
        """``E_ok`` for the output unit whose output is ``out``."""
        return self.formula.xreplace({OUT: out, TARGET: target, M: sp.Integer(n_outputs)})

    def for_output(self, activation: Activation | Softmax) -> Loss:
        """The loss as it applies to an output layer: its categorical form on a softmax layer
        where it has one (cross-entropy), else itself, after checking that the layer's outputs
        lie where the formula is defined."""
        if activation.distribution and self.for_distribution is not None:
            return self.for_distribution.for_output(activation)
        if self.domain is not None and self.domain != sp.S.Reals:
            if not self._defined_on(activation):
                # a lesson in notebook 05, so in the learner's language
                outputs = activation.output_range
                found = (
                    pick(texts.RANGE_UNKNOWN).format(activation=activation.name)
                    if outputs is None
                    else pick(texts.RANGE_GIVEN).format(
                        activation=activation.name, range=set_text(outputs)
                    )
                )
                fits = [a.name for a in ACTIVATIONS.values() if self._defined_on(a)]
                raise ValueError(
                    pick(texts.LOSS_MISMATCH).format(
                        loss=self.name,
                        domain=set_text(self.domain),
                        found=found,
                        fits=pick(texts.LIST_SEPARATOR).join(fits),
                    )
                )
        return self

    def _defined_on(self, activation: Activation | Softmax) -> bool:
        """Whether every output of ``activation`` lies where the formula is defined (on a
        distribution layer, the categorical form's)."""
        loss = self.for_distribution if activation.distribution and self.for_distribution else self
        outputs = activation.output_range
        return loss.domain is None or (outputs is not None and outputs.is_subset(loss.domain))

    @cached_property
    def domain(self) -> sp.Set | None:
        """The outputs for which the formula is defined and continuous (ℝ for squared errors),
        or ``None`` where SymPy cannot tell (a domain that depends on the target)."""
        try:
            return continuous_domain(self.formula, OUT, sp.S.Reals)
        except (NotImplementedError, ValueError, TypeError):
            return None

    @cached_property
    def residual(self) -> tuple[sp.Expr, sp.Expr] | None:
        """``(c, e)`` with ``E_ok = c·e²`` proved by SymPy, ``e`` a function of ``out`` and
        ``target`` oriented as ``target − out`` where it can be; ``None`` for a loss that is no
        sum of squares.

        The factors of the term that depend on ``out`` or ``target`` must all appear to an even
        power; ``e`` is their product at half the power, ``c`` the rest (½ for ``half_sse``,
        ``1/m`` for ``mse``). Levenberg–Marquardt then minimises ``½‖e‖²``, whose gradient is
        ``Jᵀe`` with ``J = ∂e/∂w``, and the cost's gradient is ``(2c/N)·Jᵀe``."""
        if not self.sum_of_squares:
            return None
        coefficient, dependent = self.formula.as_independent(OUT, TARGET, as_Add=False)
        content, factors = sp.factor_list(dependent)
        if not factors or any(power % 2 for _, power in factors):
            return None
        error = sp.Mul(*[base ** (power // 2) for base, power in factors])
        slope = sp.diff(error, OUT)
        if slope.is_number and slope > 0:
            error = sp.expand(-error)
        c = coefficient * content
        if sp.simplify(c * error**2 - self.formula) != 0:
            return None
        return c, error

    def check_targets(self, name: str, T: np.ndarray) -> None:
        """Refuse targets the loss is not defined for: cross-entropy's targets are probabilities
        in [0, 1] (else the loss can go negative), and on a softmax output each row sums to 1
        (the derived δ is ``out·Σ target − target``, which is ``out − target`` only then)."""
        if self.target_range is not None:
            low, high = self.target_range
            if T.min() < low or T.max() > high:
                raise ValueError(
                    f"{name}: {self.name} needs targets in [{low:g}, {high:g}], got values from "
                    f"{T.min():g} to {T.max():g}"
                )
        if self.targets_sum_to_one:
            sums = T.sum(axis=1)
            bad = np.flatnonzero(np.abs(sums - 1) > 1e-9)
            if bad.size:
                raise ValueError(
                    f"{name}: softmax cross-entropy needs each row to sum to 1 (a distribution "
                    f"over the classes), got {sums[bad[0]]:g} in row {bad[0]}"
                )


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss(
            "half_sse",
            sp.Rational(1, 2) * (TARGET - OUT) ** 2,
            texts.HALF_SSE,
            sum_of_squares=True,
            builtin=True,
        ),
        Loss(
            "mse",
            (TARGET - OUT) ** 2 / M,
            texts.MSE,
            sum_of_squares=True,
            builtin=True,
        ),
        Loss(
            "cross_entropy",
            -(TARGET * sp.log(OUT) + (1 - TARGET) * sp.log(1 - OUT)),
            texts.CROSS_ENTROPY,
            target_range=(0.0, 1.0),
            for_distribution=Loss(
                "cross_entropy",
                -TARGET * sp.log(OUT),
                texts.CATEGORICAL,
                target_range=(0.0, 1.0),
                targets_sum_to_one=True,
                builtin=True,
            ),
            builtin=True,
        ),
    )
}


def get_loss(name: str | Loss) -> Loss:
    """Look a loss up by name, or accept a :class:`Loss` itself."""
    if isinstance(name, Loss):
        return name
    if not isinstance(name, str) or name.lower() not in LOSSES:
        raise ValueError(
            f"loss: unknown name {name!r}; valid names are {', '.join(LOSSES)}, or a Loss"
        )
    return LOSSES[name.lower()]

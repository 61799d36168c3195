"""Loss functions of sections 三.3.2.0 and 四.5, as small objects (after Nielsen's ``network2``).

A *loss* is the error of one sample, ``E_total = Σ_k E_ok``, one term per output unit; the
*cost* is the mean of the loss over the samples (the article keeps the two apart). Each loss
gives the SymPy expression of one term ``E_ok`` in the unit's ``out_ok`` and ``target_ok``; the
network sums them and differentiates the sum, so ``∂E_total/∂out_o1`` is derived, not typed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp


@dataclass(frozen=True)
class Loss:
    """One loss: its name, a sentence on when to use it, and the term ``E_ok``.

    ``needs`` names the output activations the loss is defined for (``None``: any). The binary
    cross-entropy takes ``log(out)`` and ``log(1 - out)``, so it needs outputs in (0, 1);
    the categorical one needs outputs that sum to one.
    """

    name: str
    description: str
    needs: tuple[str, ...] | None = None

    def term(
        self, out: sp.Symbol, target: sp.Symbol, n_outputs: int, output_activation: str
    ) -> sp.Expr:
        """``E_ok`` for the output unit whose output is ``out``."""
        if self.name == "half_sse":
            return sp.Rational(1, 2) * (target - out) ** 2
        if self.name == "mse":
            return (target - out) ** 2 / n_outputs
        if self.name != "cross_entropy":
            valid = ", ".join(LOSSES)
            raise ValueError(f"loss: unknown name {self.name!r}; valid names are {valid}")
        if output_activation == "softmax":
            return -target * sp.log(out)
        return -(target * sp.log(out) + (1 - target) * sp.log(1 - out))

    def check_targets(self, name: str, T: np.ndarray, output_activation: str) -> None:
        """Refuse targets the loss is not defined for. Cross-entropy compares probabilities:
        binary targets must lie in [0, 1] (else the loss can go negative), and with softmax each
        row is a distribution that sums to 1 (the derived δ is ``out·Σ target − target``, which
        is ``out − target`` only then)."""
        if self.name != "cross_entropy":
            return
        if T.min() < 0 or T.max() > 1:
            raise ValueError(
                f"{name}: cross-entropy needs targets in [0, 1], got values from {T.min():g} "
                f"to {T.max():g}"
            )
        if output_activation == "softmax":
            sums = T.sum(axis=1)
            bad = np.flatnonzero(np.abs(sums - 1) > 1e-9)
            if bad.size:
                raise ValueError(
                    f"{name}: softmax cross-entropy needs each row to sum to 1 (a distribution "
                    f"over the classes), got {sums[bad[0]]:g} in row {bad[0]}"
                )

    def check_output(self, output_activation: str) -> None:
        """Refuse a loss that is undefined for the output layer's activation."""
        if self.needs is not None and output_activation not in self.needs:
            raise ValueError(
                f"loss: {self.name!r} needs a {' or '.join(self.needs)} output layer "
                f"(outputs in (0, 1)), got {output_activation!r}"
            )


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("half_sse", "E_total = 1/2 Σ_k (target_k - out_k)^2, the article's (Widrow-Hoff)"),
        Loss("mse", "E_total = 1/m Σ_k (target_k - out_k)^2, the mean over outputs (MATLAB's mse)"),
        Loss(
            "cross_entropy",
            "binary cross-entropy with logistic outputs, categorical with softmax; "
            "cancels the activation's derivative in δ",
            needs=("logistic", "softmax"),
        ),
    )
}


def get_loss(name: str | Loss) -> Loss:
    """Look a loss up by name (or accept one of :data:`LOSSES` itself)."""
    if isinstance(name, Loss):
        if LOSSES.get(name.name) is not name:
            raise ValueError(
                f"loss: expected one of the losses {', '.join(LOSSES)}, got a new Loss "
                f"{name.name!r} (its formula would be unknown)"
            )
        return name
    if not isinstance(name, str) or name.lower() not in LOSSES:
        raise ValueError(f"loss: unknown name {name!r}; valid names are {', '.join(LOSSES)}")
    return LOSSES[name.lower()]

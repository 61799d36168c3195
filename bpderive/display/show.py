"""``show``: one call puts a derivation in a notebook the way the article writes it, with the
worked example's numbers and arithmetic beside every term.

A learner's cell should read like the article, ``show(net.gradient("w5"), ex)``, not like
plumbing (environments, evaluations, LaTeX strings, ``display(Math(…))``). ``show`` takes

* a chain (``net.gradient(name)``, ``net.delta(unit)``): each factor on its own line, with its
  formula, its arithmetic and its number; ``update=True`` adds the update rule
  ``w⁺ = w − η1·∂E_total/∂w`` computed;
* an equation or a list of them (``net.forward_equations``, ``net.error.terms``): each with
  its arithmetic and number;
* a layer of the matrix form (``net.backward()[l]``): its three equations with the example's
  numeric matrices.

``at`` is a :class:`~bpderive.worked_example.WorkedExample` (or the number of every symbol, as
``net.environment`` gives); without it, formulas only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sympy as sp

from bpderive.display.tables import Equations, equations
from bpderive.symbolic import wrapping
from bpderive.symbolic.chain import LATEX, TEXT, Chain, ChainRule, Evaluation
from bpderive.symbolic.matrix_form import BackwardLayer
from bpderive.worked_example import WorkedExample

Values = Mapping[sp.Symbol, float]


class Shown:
    """A chain with its numbers (and perhaps its update rule): aligned LaTeX in Jupyter, lines
    of text in the terminal."""

    def __init__(
        self, chain: Chain, values: Evaluation | None, update: sp.Eq | None, env: Values
    ) -> None:
        self.chain, self.values, self.update, self.env = chain, values, update, env

    def _lines(self, style: object) -> list[str]:
        lines = self.chain.lines(self.values, set(), style)
        if self.update is not None:
            show, equals = style.show, style.equals
            value = float(self.update.rhs.xreplace(self.env))
            lines.append(
                f"{show(self.update.lhs)}{equals}{show(self.update.rhs)} = "
                f"{show(self.update.rhs, self.env)} = {style.number(value)}"
            )
        return lines

    def latex(self) -> str:
        return rf"\begin{{aligned}} {LATEX.newline.join(self._lines(LATEX))} \end{{aligned}}"

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()}$"

    def text(self, width: int = wrapping.WIDTH) -> str:
        return "\n".join(wrapping.wrap(line, width) for line in self._lines(TEXT))

    def __repr__(self) -> str:
        return self.text()


def show(
    obj: Chain | sp.Eq | Sequence[sp.Eq] | BackwardLayer,
    at: WorkedExample | Values | None = None,
    *,
    update: bool = False,
) -> Shown | Equations:
    """``obj`` as the article writes it, with the numbers of ``at``; see the module's
    description."""
    env = at.env if isinstance(at, WorkedExample) else at
    if env is not None and not isinstance(env, Mapping):
        raise ValueError(f"at: expected a WorkedExample, a mapping of symbols or None, got {at!r}")
    if isinstance(obj, Chain):
        values = obj.numbers(env) if env is not None else None
        rule = None
        if update:
            if not isinstance(obj, ChainRule) or values is None:
                raise ValueError("update: needs a parameter's chain and numbers (at=example)")
            rule = obj.update()
            env = {**env, obj.label: values.value}
        return Shown(obj, values, rule, env or {})
    if isinstance(obj, BackwardLayer):
        if not isinstance(at, WorkedExample):
            raise ValueError("at: the matrix form's numbers need a WorkedExample")
        deltas = {
            s: at.net.delta(s.name.removeprefix("delta_")).numbers(env).value
            for s in obj.delta.free_symbols | _symbols(obj.delta_next)
        }
        return equations(obj.equations(), {**env, **deltas})
    if isinstance(obj, sp.Eq) or (
        isinstance(obj, Sequence) and obj and all(isinstance(e, sp.Eq) for e in obj)
    ):
        return equations(obj, env)
    raise ValueError(
        f"show: expected a chain, an equation, a list of equations or a layer of the matrix "
        f"form, got {type(obj).__name__}"
    )


def _symbols(matrix: sp.MatrixBase | None) -> set[sp.Symbol]:
    return set() if matrix is None else matrix.free_symbols

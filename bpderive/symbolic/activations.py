"""Activation functions of section 四.4, each with its derivative derived by SymPy.

Every activation is written once, as a SymPy expression of the unit's input ``x`` (its ``net``).
Its derivative is ``sympy.diff`` of that expression, never typed in. Where the derivative can be
written with the unit's own output ``out = f(x)`` (the article's step
``e^-x / (1 + e^-x)^2 = f(x)(1 - f(x)) = Out(1 - Out)``), :meth:`Activation.derivative_in_output`
finds that form by solving ``out = f(x)`` for ``x`` with SymPy and substituting: the backward pass
then needs only what the forward pass already stored.

Softmax is different: each output depends on every ``net`` of its layer, so its derivative is a
Jacobian, not an element-wise function. It lives in :class:`Softmax` and may only be used on the
output layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import sympy as sp

#: The unit's input (its ``net``) and output, as generic symbols; a layer substitutes its own.
X = sp.Symbol("x", real=True)
OUT = sp.Symbol("out", real=True)


@dataclass(frozen=True)
class Activation:
    """An element-wise activation ``out = f(x)`` given as SymPy branches.

    ``branches`` is a sequence of ``(expression, condition)`` pairs as for ``sympy.Piecewise``;
    a smooth function has one branch with condition ``True``. Piecewise functions keep their
    branches so that the output form of the derivative can be found branch by branch: each of
    them keeps the sign of ``x`` (``f(x) > 0`` exactly when ``x > 0``), so a branch's condition on
    ``x`` carries over to ``out`` unchanged, which :meth:`derivative_in_output` relies on and the
    tests check.
    """

    name: str
    description: str
    branches: tuple[tuple[sp.Expr, sp.Basic], ...]
    aliases: tuple[str, ...] = ()
    parameters: dict[str, float] = field(default_factory=dict)

    elementwise = True

    @cached_property
    def expr(self) -> sp.Expr:
        """``f(x)`` as one SymPy expression (a ``Piecewise`` where there are branches)."""
        if len(self.branches) == 1:
            return self.branches[0][0]
        return sp.Piecewise(*self.branches)

    @cached_property
    def derivative(self) -> sp.Expr:
        """``f'(x)``, derived by ``sympy.diff`` and simplified branch by branch."""
        if len(self.branches) == 1:
            return sp.diff(self.expr, X)
        return sp.Piecewise(*[(sp.diff(e, X), c) for e, c in self.branches])

    @cached_property
    def derivative_in_output(self) -> sp.Expr | None:
        """``f'(x)`` written with ``out = f(x)`` only, or ``None`` where no such form exists.

        For each branch the derivative is first searched for ``f(x)`` itself (tanh's
        ``1 - tanh(x)^2``); otherwise SymPy solves ``out = f(x)`` for ``x`` and substitutes the
        solution into that branch's derivative (the logistic's ``e^-x/(1 + e^-x)^2``). A branch
        whose derivative is constant needs no inverse. When a branch cannot be inverted uniquely
        the whole activation has no output form and the backward pass uses ``f'(net)`` instead.
        """
        pieces = []
        for e, cond in self.branches:
            d = sp.diff(e, X)
            if X in d.free_symbols:
                d = d.subs(e, OUT)
            if X in d.free_symbols:
                solutions = sp.solve(sp.Eq(OUT, e), X)
                if len(solutions) != 1:
                    return None
                d = tidy(sp.factor(sp.expand(sp.cancel(d.subs(X, solutions[0])))))
                if X in d.free_symbols:
                    return None
            pieces.append((d, sp.sympify(cond).subs(X, OUT)))
        if len(pieces) == 1:
            return pieces[0][0]
        return sp.Piecewise(*pieces)

    def local_derivative(self, net: sp.Symbol, out: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
        """``(f'(net), the same in out)`` for one unit: the factor ``∂out/∂net`` of the chain."""
        raw = self.derivative.subs(X, net)
        in_out = self.derivative_in_output
        return raw, (raw if in_out is None else in_out.subs(OUT, out))

    def __call__(self, net: sp.Expr) -> sp.Expr:
        """``f(net)``: the forward equation of one unit."""
        return self.expr.subs(X, net)


class Softmax:
    """``out_k = e^{net_k} / Σ_j e^{net_j}``: an output layer whose units share one denominator.

    Its derivative is the Jacobian ``∂out_k/∂net_j``, derived by ``sympy.diff`` on the quotient and
    rewritten with the layer's outputs (``e^{net_k} = out_k · Σ``), which gives
    ``out_k(δ_kj − out_j)``: the diagonal is the logistic-like ``out_k(1 − out_k)``, the rest is
    ``−out_k·out_j``. Treating softmax as element-wise would drop every off-diagonal term.
    """

    name = "softmax"
    description = "softmax: e^{net_k} / Σ_j e^{net_j}, output layer only"
    aliases: tuple[str, ...] = ()
    elementwise = False

    def outputs(self, nets: Sequence[sp.Symbol]) -> list[sp.Expr]:
        """The forward equations of the layer: one quotient per unit."""
        denominator = sp.Add(*[sp.exp(n) for n in nets])
        return [sp.exp(n) / denominator for n in nets]

    def jacobian(
        self, nets: Sequence[sp.Symbol], outs: Sequence[sp.Symbol]
    ) -> list[list[tuple[sp.Expr, sp.Expr]]]:
        """``J[k][j] = (∂out_k/∂net_j as derived, the same written with outs)``."""
        denominator = sp.Add(*[sp.exp(n) for n in nets])
        total = sp.Dummy("S", positive=True)
        back = {sp.exp(n): o * total for n, o in zip(nets, outs, strict=True)}
        rows = []
        for out_k in self.outputs(nets):
            row = []
            for n_j in nets:
                raw = sp.diff(out_k, n_j)
                in_out = tidy(sp.factor(sp.simplify(raw.subs(denominator, total).subs(back))))
                row.append((raw, in_out))
            rows.append(row)
        return rows


def tidy(expr: sp.Expr) -> sp.Expr:
    """Write ``-out*(out - 1)`` as the article does, ``out*(1 - out)``: SymPy's canonical order
    puts the sign in front; moving it into the first sum changes the look, not the value (and,
    compiled, saves NumPy a negation)."""
    if isinstance(expr, sp.Mul) and expr.args[0] == -1:
        rest = list(expr.args[1:])
        for i, factor in enumerate(rest):
            if isinstance(factor, sp.Add):
                rest[i] = sp.Add(*[-term for term in factor.args])
                return sp.Mul(*rest, evaluate=False)
    return expr


def _relu_like(slope: sp.Expr) -> tuple[tuple[sp.Expr, sp.Basic], ...]:
    return ((slope * X, X <= 0), (X, True))


_ELU_ALPHA = sp.Integer(1)
_PRELU_SLOPE = sp.Rational(1, 4)

ACTIVATIONS: dict[str, Activation | Softmax] = {
    a.name: a
    for a in (
        Activation(
            "logistic",
            "logistic sigmoid 1/(1 + e^-x), range (0, 1) (MATLAB logsig)",
            ((1 / (1 + sp.exp(-X)), sp.true),),
            aliases=("logsig", "sigmoid"),
        ),
        Activation(
            "tanh",
            "hyperbolic tangent, range (-1, 1), zero-centred (MATLAB tansig)",
            ((sp.tanh(X), sp.true),),
            aliases=("tansig",),
        ),
        Activation(
            "linear",
            "identity x, for function-approximation outputs (MATLAB purelin)",
            ((X, sp.true),),
            aliases=("purelin",),
        ),
        Activation("relu", "rectified linear max(0, x)", _relu_like(sp.Integer(0))),
        Activation(
            "softplus", "softplus log(1 + e^x), a smooth ReLU", ((sp.log(1 + sp.exp(X)), sp.true),)
        ),
        Activation(
            "elu",
            "exponential linear unit: x for x > 0, α(e^x − 1) otherwise (α = 1)",
            ((_ELU_ALPHA * (sp.exp(X) - 1), X <= 0), (X, True)),
            parameters={"alpha": float(_ELU_ALPHA)},
        ),
        Activation(
            "prelu",
            "parametric ReLU: x for x > 0, a·x otherwise (slope a = 0.25, He et al.'s start value)",
            _relu_like(_PRELU_SLOPE),
            parameters={"slope": float(_PRELU_SLOPE)},
        ),
        Softmax(),
    )
}

_ALIASES = {alias: a.name for a in ACTIVATIONS.values() for alias in a.aliases}


def prelu(slope: float) -> Activation:
    """A PReLU with its own slope ``a`` for ``x <= 0`` (the article lists PReLU; ``a`` is its
    parameter). The slope is turned into an exact rational so that derivations stay exact."""
    if isinstance(slope, bool) or not isinstance(slope, int | float) or not 0 <= slope < 1:
        raise ValueError(f"prelu slope: expected a number in [0, 1), got {slope!r}")
    exact = sp.nsimplify(slope, rational=True)
    return Activation(
        "prelu",
        f"parametric ReLU with slope a = {slope} for x <= 0",
        _relu_like(exact),
        parameters={"slope": float(slope)},
    )


def get_activation(name: str | Activation | Softmax) -> Activation | Softmax:
    """Look an activation up by name or MATLAB alias (``logsig``, ``tansig``, ``purelin``)."""
    if isinstance(name, Activation | Softmax):
        return name
    if not isinstance(name, str):
        raise ValueError(f"activation: expected a name such as 'logistic', got {name!r}")
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in ACTIVATIONS:
        valid = ", ".join(list(ACTIVATIONS) + sorted(_ALIASES))
        raise ValueError(f"activation: unknown name {name!r}; valid names are {valid}")
    return ACTIVATIONS[key]

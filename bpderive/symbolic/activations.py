"""Activation functions of section 四.4, each an object that carries every fact about itself.

An :class:`Activation` is its formula ``out = f(net)``, written once as a SymPy expression of the
generic unit input :data:`~bpderive.symbolic.notation.NET`. Everything else is derived from the
formula, never typed in:

* its derivative ``f'(net)`` (``sympy.diff``);
* where it holds, the derivative written with the unit's own output (the article's step
  ``e^-x/(1 + e^-x)^2 = Out(1 − Out)``), so that the backward pass needs only what the forward
  pass stored; SymPy must *prove* this form, branch by branch for a piecewise function, or it is
  not used (:meth:`Activation.derivative_in_output`);
* its range of outputs (for initialisers, plots, and for checking that a loss is defined on it).

Two facts cannot be derived and are given: the description (in :mod:`.texts`), and MATLAB's
"active input range" used by the Nguyen–Widrow initialiser (``logsig`` [−4, 4], ``tansig`` [−2, 2]).

:meth:`Activation.define` makes a new one from any function of a SymPy symbol (``Piecewise``
allowed); a network accepts it wherever it accepts a name, derives it like a built-in one, and
:func:`bpderive.save` stores its formula as data (:mod:`bpderive.symbolic.codec`), never as code.

Softmax is different: each output depends on every ``net`` of its layer, so its derivative is a
Jacobian, not an element-wise function; :class:`Softmax`, for the output layer only, holds it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp

from bpderive.checks import real_scalar
from bpderive.symbolic import codec, texts
from bpderive.symbolic.build import rename
from bpderive.symbolic.notation import NET, OUT

Interval = tuple[float, float]


@dataclass(frozen=True, eq=False)
class Activation:
    """An element-wise activation ``out = f(net)``; see the module's description.

    Use the built-ins by name (:func:`get_activation`) or make one with :meth:`define`."""

    name: str
    formula: sp.Expr
    about: str | tuple[str, str] = ""
    aliases: tuple[str, ...] = ()
    active_range: Interval | None = None
    builtin: bool = False

    description = texts.DESCRIPTION  # ``about`` in the language in use
    elementwise = True
    #: Whether the layer's outputs form a probability distribution (sum to 1): softmax only.
    distribution = False

    @classmethod
    def define(
        cls,
        name: str,
        f: Callable[[sp.Symbol], sp.Expr],
        *,
        description: str = "",
        active_range: Interval | None = None,
    ) -> Activation:
        """An activation from ``f``, a function of one SymPy symbol (the unit's ``net``) that
        returns a SymPy expression, e.g. ``Activation.define("swish", lambda x: x /
        (1 + sympy.exp(-x)))`` or a ``sympy.Piecewise`` for a hard sigmoid.

        The derivative and everything else is derived as for a built-in activation. The name
        must not be a built-in one's (a saved network names its activations)."""
        name = _new_name("activation", name, ACTIVATIONS, _ALIASES)
        if not callable(f):
            raise ValueError(f"activation {name!r}: expected a function of one symbol, got {f!r}")
        try:
            formula = f(NET)
        except Exception as error:  # the user's function: report whatever it raised
            raise ValueError(f"activation {name!r}: f(net) raised {error!r}") from None
        formula = _formula(f"activation {name!r}", formula, {NET})
        if active_range is not None:
            active_range = _interval(f"activation {name!r}: active_range", active_range)
        return cls(name, formula, description or texts.user_defined(formula), (), active_range)

    @classmethod
    def from_spec(cls, entry: Mapping[str, object]) -> Activation:
        """The activation that :meth:`spec` saved (no code is run: see :mod:`.codec`)."""
        if (
            set(entry) - {"name", "formula", "description", "active_range"}
            or "formula" not in entry
        ):
            raise ValueError(
                f"expected keys name, formula[, description, active_range], got {entry}"
            )
        name, description = entry.get("name"), entry.get("description", "")
        if not isinstance(name, str) or not isinstance(description, str):
            raise ValueError(f"expected a string name and description, got {name!r}")
        formula = _formula(
            f"activation {name!r}", codec.decode(entry["formula"], {"net": NET}), {NET}
        )
        active = entry.get("active_range")
        active_range = None if active is None else _interval("active_range", active)
        return cls(name, formula, description, (), active_range)

    def spec(self) -> str | dict[str, object]:
        """How a saved network records this activation: a built-in's name, or the formula as
        data for any other."""
        if self.builtin:
            return self.name
        entry: dict[str, object] = {"name": self.name, "formula": codec.encode(self.formula)}
        if self.about:
            entry["description"] = texts.saved(self.about)
        if self.active_range is not None:
            entry["active_range"] = list(self.active_range)
        return entry

    def __repr__(self) -> str:
        return f"Activation({self.name!r}: {self.formula})"

    @cached_property
    def branches(self) -> tuple[tuple[sp.Expr, sp.Basic], ...]:
        """``(expression, condition)`` pairs as in ``sympy.Piecewise``; one ``True`` branch for a
        smooth function."""
        if isinstance(self.formula, sp.Piecewise):
            return tuple((piece.expr, piece.cond) for piece in self.formula.args)
        return ((self.formula, sp.true),)

    @cached_property
    def derivative(self) -> sp.Expr:
        """``f'(net)``, by ``sympy.diff`` (branch by branch for a ``Piecewise``)."""
        return sp.diff(self.formula, NET)

    @cached_property
    def derivative_in_output(self) -> sp.Expr | None:
        """``f'(net)`` written with ``out = f(net)`` only, or ``None`` where SymPy cannot prove
        such a form; the backward pass then uses ``f'(net)``.

        For each branch, the derivative is searched for ``f`` itself (tanh's ``1 − tanh²``), or
        ``out = f(net)`` is solved for ``net`` and the unique solution substituted (the
        logistic's ``e^-net/(1 + e^-net)^2`` becomes ``out(1 − out)``). The candidate is kept
        only if ``candidate(f(net)) − f'(net)`` simplifies to 0.

        A piecewise function needs one more fact: the output must tell which branch the input
        was in. So each branch's image (SymPy's range of the branch over its own interval) is
        computed, and the images must not overlap; the output form then picks its branch by the
        output's own interval. ReLU (images {0} and (0, ∞)) and ELU ((−1, 0] and (0, ∞)) pass;
        a hard sigmoid (images {0}, [0, 1], {1}) does not, so it uses ``f'(net)``.
        """
        pieces = []
        for (expr, _), domain in zip(self.branches, self._domains, strict=True):
            form = _output_form(expr)
            if form is None:
                return None
            pieces.append((form, domain))
        if len(pieces) == 1:
            return pieces[0][0]
        images = [
            _image(expr, domain)
            for (expr, _), domain in zip(self.branches, self._domains, strict=True)
        ]
        if None in images or any(
            a.intersect(b) != sp.EmptySet for a, b in itertools.combinations(images, 2)
        ):
            return None
        conditions = [image.as_relational(OUT) for image in images[:-1]] + [sp.true]
        return sp.Piecewise(*[(form, c) for (form, _), c in zip(pieces, conditions, strict=True)])

    @cached_property
    def output_range(self) -> sp.Set | None:
        """The set of outputs, ``f(ℝ)``, as SymPy finds it (``None`` where it cannot)."""
        images = [_image(e, d) for (e, _), d in zip(self.branches, self._domains, strict=True)]
        return None if None in images else sp.Union(*images)

    @cached_property
    def _domains(self) -> tuple[sp.Set, ...]:
        """Each branch's own interval of ``net``: its condition, minus the earlier branches'."""
        domains, earlier = [], sp.false
        for _, condition in self.branches:
            domains.append(sp.And(condition, sp.Not(earlier)).as_set() & sp.S.Reals)
            earlier = sp.Or(earlier, condition)
        return tuple(domains)

    def local_derivative(self, net: sp.Symbol, out: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
        """``(f'(net), the same in out)`` for one unit: the factor ``∂out/∂net`` of the chain."""
        raw = rename(self.derivative, NET, net)
        in_out = self.derivative_in_output
        return raw, (raw if in_out is None else rename(in_out, OUT, out))

    def __call__(self, net: sp.Expr) -> sp.Expr:
        """``f(net)``: the forward equation of one unit."""
        if isinstance(net, sp.Symbol):
            return rename(self.formula, NET, net)
        return self.formula.xreplace({NET: net})


def _output_form(expr: sp.Expr) -> sp.Expr | None:
    """One branch's derivative written in ``out = expr``, proved by SymPy, or ``None``."""
    d = sp.diff(expr, NET)
    if NET not in d.free_symbols:
        return d
    candidate = d.subs(expr, OUT)
    if NET in candidate.free_symbols:
        try:  # unchecked (fast); the candidate below is proved instead
            solutions = sp.solve(sp.Eq(OUT, expr), NET, check=False, simplify=False)
        except (NotImplementedError, ValueError, TypeError):
            return None
        solutions = [s for s in solutions if not s.has(sp.zoo, sp.nan, sp.oo, -sp.oo)]
        if len(solutions) != 1:
            return None
        expanded = sp.expand(sp.cancel(d.subs(NET, solutions[0])))
        # The shorter of the factored and the expanded form: out(1 − out) for the logistic, but
        # 1 − e^(−out) for softplus, whose factored (e^out − 1)·e^(−out) overflows at out = 710.
        candidate = min(tidy(sp.factor(expanded)), expanded, key=sp.count_ops)
    if NET in candidate.free_symbols or candidate.has(sp.LambertW):
        return None
    difference = candidate.subs(OUT, expr) - d  # cancel: ms, for a rational function of e^net
    if sp.cancel(difference) != 0 and sp.simplify(difference) != 0:
        return None
    return candidate


def _image(expr: sp.Expr, domain: sp.Set) -> sp.Set | None:
    """``expr``'s values over ``domain``, or ``None`` where SymPy cannot tell."""
    from sympy.calculus.util import function_range  # 25 ms of imports, for piecewise only

    try:
        return function_range(expr, NET, domain)
    except (NotImplementedError, ValueError, TypeError):
        return None


def _formula(what: str, formula: object, allowed: set[sp.Symbol]) -> sp.Expr:
    """A user's formula, checked: a SymPy expression in the allowed symbols only."""
    if isinstance(formula, int | np.integer) and not isinstance(formula, bool):
        formula = sp.Integer(int(formula))
    elif isinstance(formula, float | np.floating):
        formula = sp.Float(float(formula))
    if not isinstance(formula, sp.Expr):
        raise ValueError(f"{what}: expected a SymPy expression, got {type(formula).__name__}")
    stray = formula.free_symbols - allowed
    if stray:
        names = ", ".join(sorted(s.name for s in stray))
        expected = ", ".join(sorted(s.name for s in allowed))
        raise ValueError(f"{what}: uses {names}; a formula may use only {expected}")
    if formula.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise ValueError(f"{what}: the formula {formula} is not finite")
    return formula


def _new_name(kind: str, name: object, builtins: Mapping[str, object], aliases: Mapping) -> str:
    """A name for a user's activation or loss: a word, and not one of the built-in names."""
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z][\w-]{0,39}", name):
        raise ValueError(f"{kind} name: expected a word such as 'swish', got {name!r}")
    if name.lower() in builtins or name.lower() in aliases:
        raise ValueError(f"{kind} name: {name!r} is built in; choose another name")
    return name


def _interval(what: str, value: object) -> Interval:
    if (
        isinstance(value, Sequence)
        and len(value) == 2
        and all(isinstance(v, int | float | np.integer | np.floating) for v in value)
        and not any(isinstance(v, bool | np.bool_) for v in value)
        and value[0] < value[1]
    ):
        return (float(value[0]), float(value[1]))
    raise ValueError(f"{what}: expected (low, high) with low < high, got {value!r}")


class Softmax:
    """``out_k = e^{net_k} / Σ_j e^{net_j}``: an output layer whose units share one denominator.

    Its derivative is the Jacobian ``∂out_k/∂net_j``, derived by ``sympy.diff`` on the quotient and
    rewritten with the layer's outputs (``e^{net_k} = out_k · Σ``), which gives
    ``out_k(δ_kj − out_j)``: the diagonal is the logistic-like ``out_k(1 − out_k)``, the rest is
    ``−out_k·out_j``. Treating softmax as element-wise would drop every off-diagonal term.
    """

    name = "softmax"
    about = texts.SOFTMAX
    description = texts.DESCRIPTION
    aliases: tuple[str, ...] = ()
    active_range = None
    builtin = True
    elementwise = False
    distribution = True
    output_range = sp.Interval.open(0, 1)

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
                in_out = tidy(sp.factor(raw.xreplace({denominator: total}).subs(back)))  # cancels Σ
                row.append((raw, in_out))
            rows.append(row)
        return rows

    def spec(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return "Activation('softmax')"


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


def leaky_relu(slope: float) -> Activation:
    """A leaky ReLU with its own fixed slope ``a`` (an exact rational, so derivations stay exact)
    for ``net <= 0``. The article lists PReLU, whose slope is *learned*; held fixed, it is a leaky
    ReLU (notebook 05 derives the gradient ∂E/∂a that learning it would need)."""
    real_scalar("slope", slope, "a number in [0, 1)", lambda a: 0 <= a < 1)
    exact = sp.Rational(str(slope))  # as written: np.float32(0.2) is 1/5, not 0.2000000030
    return Activation(
        "leaky_relu",
        sp.Piecewise((exact * NET, NET <= 0), (NET, True)),
        texts.filled(texts.LEAKY_RELU_SLOPE, slope=slope),
    )


ACTIVATIONS: dict[str, Activation | Softmax] = {
    a.name: a
    for a in (
        Activation(
            "logistic",
            1 / (1 + sp.exp(-NET)),
            texts.LOGISTIC,
            aliases=("logsig", "sigmoid"),
            active_range=(-4.0, 4.0),
            builtin=True,
        ),
        Activation(
            "tanh",
            sp.tanh(NET),
            texts.TANH,
            aliases=("tansig",),
            active_range=(-2.0, 2.0),
            builtin=True,
        ),
        Activation(
            "linear",
            NET,
            texts.LINEAR,
            aliases=("purelin",),
            builtin=True,
        ),
        Activation(
            "relu",
            sp.Piecewise((sp.Integer(0), NET <= 0), (NET, True)),
            texts.RELU,
            builtin=True,
        ),
        Activation(
            "softplus",
            sp.log(1 + sp.exp(NET)),
            texts.SOFTPLUS,
            builtin=True,
        ),
        Activation(
            "elu",
            sp.Piecewise((sp.exp(NET) - 1, NET <= 0), (NET, True)),
            texts.ELU,
            builtin=True,
        ),
        Activation(
            "leaky_relu",
            sp.Piecewise((NET / 4, NET <= 0), (NET, True)),
            texts.LEAKY_RELU,
            aliases=("prelu",),
            builtin=True,
        ),
        Softmax(),
    )
}

_ALIASES = {alias: a.name for a in ACTIVATIONS.values() for alias in a.aliases}


def get_activation(name: str | Activation | Softmax) -> Activation | Softmax:
    """Look an activation up by name or MATLAB alias (``logsig``, ``tansig``, ``purelin``), or
    accept an :class:`Activation` itself."""
    if isinstance(name, Activation | Softmax):
        return name
    if not isinstance(name, str):
        raise ValueError(
            f"activation: expected a name such as 'logistic' or an Activation, got {name!r}"
        )
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in ACTIVATIONS:
        valid = ", ".join(list(ACTIVATIONS) + sorted(_ALIASES))
        raise ValueError(f"activation: unknown name {name!r}; valid names are {valid}")
    return ACTIVATIONS[key]

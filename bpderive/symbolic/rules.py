"""What the compiled network needs, derived once per layer: the hand-over from symbols to NumPy.

A layer's units all share one activation and one shape of local equation, so everything the
numeric code applies to a whole ``(N, units)`` array is derived once, for the layer's first unit,
and written in the generic ``net``/``out``/``target`` (:mod:`~bpderive.symbolic.notation`):

* ``out = f(net)``: the activation's formula;
* ``∂out/∂net``: the activation factor of the unit's chain, in ``out`` where SymPy proved that
  form, else in ``net``;
* the output layer's ``δ_o`` and loss term, from the chain of ``δ_o1`` and ``E_o1`` (a softmax
  layer couples its units, so there every unit's rule is kept in the units' own symbols, and
  one rule in the generic symbols as well where SymPy proves that it gives every unit's δ:
  :func:`_shared_delta`);
* for a sum-of-squares loss, the error ``e_o`` and the seeds ``∂e_ok/∂net_oj`` of the
  Jacobian, from the chains of ``e_ok``.

The sums of the chain rule become matrix products in NumPy (``∂E/∂out = δ·W``,
``∂E/∂W = δᵀ·out``). That is valid because ``∂net_j/∂out_i = w_(i,j)``, ``∂net_j/∂w_(i,j) =
out_i`` and ``∂net_j/∂b_j = 1``; :func:`derive_rules` derives these for the layer's first unit
and refuses to hand over a network whose local equations do not have that form. So the
compiled code is built from the derivation and never calls back into it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from bpderive.symbolic.activations import tidy
from bpderive.symbolic.derivation import Derivation
from bpderive.symbolic.losses import Loss, M
from bpderive.symbolic.notation import NET, OUT, TARGET
from bpderive.symbolic.structure import NetworkStructure


@dataclass(frozen=True)
class LayerRule:
    """One weight layer: ``f`` in ``net`` and ``∂out/∂net`` in ``out`` (``local_in_output``) or
    ``net``; for a softmax layer ``softmax`` holds every unit's quotient in ``nets`` instead, and
    ``numerator`` the ``g(net)`` of ``out_k = g(net_k)/Σ_j g(net_j)`` (:func:`_normalised`)."""

    size: int
    activation: sp.Expr | None
    local: sp.Expr | None
    local_in_output: bool
    softmax: tuple[sp.Expr, ...] | None = None
    nets: tuple[sp.Symbol, ...] = ()
    numerator: sp.Expr | None = None


@dataclass(frozen=True)
class OutputRule:
    """The output layer's rules. Element-wise (``coupled`` false): one expression in the generic
    ``out``, ``target``, ``net`` that holds for every output unit. Coupled (softmax): one per unit,
    in the units' own ``outs``, ``nets`` and ``targets``. ``error_seeds[k][j]`` is
    ``∂e_ok/∂net_oj`` (element-wise: only ``[0][0]``, the diagonal). ``shared_delta`` is one
    ``δ`` rule in the generic symbols that gives every unit's: ``delta[0]`` of an element-wise
    layer, and of a coupled one where SymPy proved it (``None`` where it did not)."""

    coupled: bool
    delta: tuple[sp.Expr, ...]
    loss_term: sp.Expr
    outs: tuple[sp.Symbol, ...]
    nets: tuple[sp.Symbol, ...]
    targets: tuple[sp.Symbol, ...]
    residual: sp.Expr | None
    residual_scale: sp.Expr | None
    error_seeds: tuple[tuple[sp.Expr, ...], ...] | None
    cost_in_net: tuple[sp.Expr, ...] | None = None
    shared_delta: sp.Expr | None = None


@dataclass(frozen=True)
class DerivedRules:
    """Everything :mod:`bpderive.numeric` compiles: the sizes, one rule per weight layer, the
    output rules, and the loss (for its checks of the targets)."""

    sizes: tuple[int, ...]
    layers: tuple[LayerRule, ...]
    output: OutputRule
    loss: Loss


def derive_rules(d: Derivation) -> DerivedRules:
    """The rules of the network behind ``d``; see the module's description."""
    s = d.s
    layers = []
    for layer in range(1, s.n_layers + 1):
        _check_linear(d, layer)
        first = s.layers[layer][0]
        act = s.activations[layer - 1]
        if not act.elementwise:
            units = s.layers[layer]
            quotients, nets = tuple(s.local[n.out] for n in units), tuple(n.net for n in units)
            numerator = _normalised(quotients, nets)
            layers.append(LayerRule(len(units), None, None, False, quotients, nets, numerator))
            continue
        factor = d.activation_factor(first).expr
        in_output = first.net not in factor.free_symbols
        local = _generic(factor, {first.out: OUT, first.net: NET}, f"∂out/∂net of layer {layer}")
        layers.append(LayerRule(len(s.layers[layer]), act.formula, local, in_output))
    return DerivedRules(s.sizes, tuple(layers), _output_rule(d), s.loss)


def _normalised(quotients: tuple[sp.Expr, ...], nets: tuple[sp.Symbol, ...]) -> sp.Expr:
    """``g(net)`` such that every unit's quotient is ``g(net_k)/Σ_j g(net_j)``, and a shift of
    every net by one ``c`` leaves it unchanged (``g(net − c)/g(net)`` is free of ``net``): then
    NumPy computes the layer as ``g`` of the nets less their row maximum, divided by the row
    sum, finite where ``e^net`` alone would overflow. Read off each unit's own quotient and
    checked on all of them; a layer of another form is refused, as :func:`_check_linear` does."""
    g = None
    for quotient, net in zip(quotients, nets, strict=True):
        top, bottom = sp.fraction(quotient)
        own = top.xreplace({net: NET})
        g = own if g is None else g
        total = sp.Add(*[g.xreplace({NET: n}) for n in nets])
        if top.free_symbols != {net} or own != g or sp.expand(bottom - total) != 0:
            raise RuntimeError(f"out of {net} is not g(net)/Σ g(net_j) for one g")
    shift = sp.Dummy("c", real=True)
    if NET in sp.simplify(g.xreplace({NET: NET - shift}) / g).free_symbols:
        raise RuntimeError(f"{g}: a shift of every net changes the quotients")
    return g


def _check_linear(d: Derivation, layer: int) -> None:
    """``net_j = Σ_i w_(i,j)·out_i + b_j`` for the layer's first unit, by ``sympy.diff``: the
    form that lets NumPy do the chain rule's sums as matrix products."""
    s = d.s
    below, first = s.layers[layer - 1], s.layers[layer][0]
    terms = sp.Add.make_args(s.local[first.net])
    for i in sorted({0, len(below) - 1}):
        w = s.weight(layer, i, 0).symbol
        ok = s.local_derivative(first.net, below[i].out) == w
        if not ok or s.local_derivative(first.net, w) != below[i].out:
            raise RuntimeError(f"net_{first.name} is not linear in its inputs and weights")
    if len(terms) != len(below) + 1 or s.local_derivative(first.net, s.bias(layer, 0).symbol) != 1:
        raise RuntimeError(f"net_{first.name} is not a weighted sum plus its bias")


def _output_rule(d: Derivation) -> OutputRule:
    s = d.s
    units = s.layers[-1]
    outs, nets = tuple(n.out for n in units), tuple(n.net for n in units)
    targets = tuple(s.targets)
    first = {units[0].out: OUT, targets[0]: TARGET, units[0].net: NET}
    residual = scale = seeds = None
    if s.loss.residual is not None:
        scale = s.loss.residual[0].xreplace({M: sp.Integer(len(units))})
        residual = s.loss.residual[1]

        def seed(k: int, j: int) -> sp.Expr:
            return d.gradient(s.bias(s.n_layers, j).name, of=f"e_{units[k].name}").expr

    coupled = not s.activations[-1].elementwise
    loss_term = _generic(s.error_exprs[0], first, "E_o1")
    in_net = _cost_in_net(s)
    if coupled:
        delta = tuple(_simplified(sp.Mul(*[i.expr for i in d.delta_items(n)])) for n in units)
        if residual is not None:
            m = len(units)
            seeds = tuple(tuple(_simplified(seed(k, j)) for j in range(m)) for k in range(m))
        shared = _shared_delta(s, delta)
        return OutputRule(
            True, delta, loss_term, outs, nets, targets, residual, scale, seeds, in_net, shared
        )
    delta_o1 = sp.Mul(*[i.expr for i in d.delta_items(units[0])])
    delta = (_generic(_simplified(delta_o1), first, "δ of the output layer"),)
    if residual is not None:
        for j in range(1, len(units)):
            if seed(0, j) != 0:
                raise RuntimeError(f"e_{units[0].name} depends on net_{units[j].name}")
        seeds = ((_generic(_simplified(seed(0, 0)), first, "∂e_o1/∂net_o1"),),)
    if in_net is not None:
        in_net = (_generic(in_net[0], first, "E_o1 in net_o1"),)
    return OutputRule(
        False, delta, loss_term, outs, nets, targets, residual, scale, seeds, in_net, delta[0]
    )


def _shared_delta(s: NetworkStructure, delta: tuple[sp.Expr, ...]) -> sp.Expr | None:
    """One rule in the generic ``out``, ``target``, ``net`` that SymPy proves equal to every
    coupled output unit's derived ``δ``, or ``None``.

    Each ``δ_oj = Σ_k ∂E/∂out_ok · ∂out_ok/∂net_oj`` reaches every unit of the layer. For the
    cross-entropy on softmax it is ``out_oj·Σ_k target_ok − target_oj``: the other units cancel
    where the targets sum to one, which a loss that needs such targets (``targets_sum_to_one``,
    checked on every call) guarantees. There the last target is written as one minus the others,
    which is that constraint exactly; ``δ_o1``, expanded, gives the candidate rule, which must
    name no other unit, and each unit's ``δ`` minus the candidate in its symbols must expand
    (or cancel) to 0. So the rule is proved for this layer, every unit, from its own derived chains,
    and a loss of any name gets it if its chains cancel; none is assumed where they do not
    (half-SSE on softmax keeps every unit's own rule)."""
    units, targets = s.layers[-1], s.targets
    sub = {}
    if s.loss.targets_sum_to_one:
        sub = {targets[-1]: 1 - sp.Add(*targets[:-1])}
    first = {units[0].out: OUT, targets[0]: TARGET, units[0].net: NET}
    candidate = _simplified(sp.expand(delta[0].xreplace(sub)))
    if candidate.free_symbols - set(first):
        return None
    generic = candidate.xreplace(first)
    for unit, target, rule in zip(units, targets, delta, strict=True):
        own = generic.xreplace({OUT: unit.out, TARGET: target, NET: unit.net})
        difference = sp.expand((rule - own).xreplace(sub))  # a polynomial for the built-ins
        if difference != 0 and sp.cancel(difference) != 0:
            return None
    return generic


def _cost_in_net(s: NetworkStructure) -> tuple[sp.Expr, ...] | None:
    """Each output's loss term written in the output nets, where that keeps it finite and
    ``out`` would not; ``None`` where the ``out`` form is as good.

    A cross-entropy on a logistic output takes ``log(out)`` and ``log(1 − out)``; at
    ``net = 1000`` the output rounds to exactly 1 and the cost to ``inf``, though the true cost
    is 1000. With ``out = f(net)`` substituted and each logarithm split into the logarithms of
    its factors, it reads ``−target·(net − log(1 + e^net)) + (1 − target)·log(1 + e^net)``:
    only softplus terms, which NumPy computes without overflow (``logaddexp``); a softmax
    output's ``log(e^net_o1 / Σ e^net_oj)`` likewise becomes ``net_o1 − log Σ e^net_oj``, a
    log-sum-exp. SymPy splits a logarithm only where it proves the factors positive, with the
    nets taken as real numbers (which they are). A loss without logarithms, or whose
    logarithms do not all become softplus or log-sum-exp terms, keeps its ``out`` form."""
    if not s.error_expr.has(sp.log):
        return None
    units = s.layers[-1]
    real = {n.net: sp.Dummy(n.net.name, real=True) for n in units}
    back = {v: k for k, v in real.items()}
    outs = {n.out: s.local[n.out].xreplace(real) for n in units}
    terms = []
    for term in s.error_exprs:
        split = term.xreplace(outs).replace(lambda e: isinstance(e, sp.log), _split_log)
        if not all(is_stable_log(log) for log in split.atoms(sp.log)):
            return None
        terms.append(split.xreplace(back))
    return tuple(terms)


def _split_log(log: sp.log) -> sp.Expr:
    """``log(u)`` as the sum of the logarithms of ``u``'s factors, where SymPy proves them
    positive (``expand_log`` without ``force``): of ``u`` as it is if that gives only stable
    logarithms (``log(1/(1 + e^−net)) = −log(1 + e^−net)``, exact to the last digit), else of
    ``u`` with its fractions cancelled (``log(1 − 1/(1 + e^−net)) = −log(e^net + 1)``)."""
    as_is = sp.expand_log(log)
    if all(is_stable_log(part) for part in as_is.atoms(sp.log)):
        return as_is
    return sp.expand_log(sp.log(sp.factor(sp.cancel(log.args[0]))))


def is_stable_log(log: sp.log) -> bool:
    """Whether ``log`` is a softplus ``log(1 + e^z)`` or a log-sum-exp ``log(Σ e^zj)``: the
    logarithms NumPy can compute without overflow (:mod:`bpderive.numeric.codegen`)."""
    args = sp.Add.make_args(log.args[0])
    exps = [a for a in args if isinstance(a, sp.exp)]
    rest = [a for a in args if not isinstance(a, sp.exp)]
    return len(args) >= 2 and (rest == [] or (rest == [sp.S.One] and len(exps) == 1))


def _simplified(expr: sp.Expr) -> sp.Expr:
    """A derived rule with its fractions cancelled before it is compiled (branch by branch for
    piecewise units). The logistic output's cross-entropy δ, derived as
    ``out(1 − out)·((1 − target)/(1 − out) − target/out)``, becomes ``out − target``: the same
    number, but finite when ``out`` rounds to exactly 0 or 1 (0·∞ would be NaN). The chain
    objects keep the unsimplified product, which is what a learner reads."""
    if not any(isinstance(a, sp.Pow) and a.exp.is_negative for a in sp.preorder_traversal(expr)):
        return expr  # no fraction to cancel: keep the derived form (factoring may lose digits)
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

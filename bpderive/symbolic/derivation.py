"""Reverse accumulation: the chain of every gradient and every δ, derived factor by factor.

Derivation keeps every ``net_*`` and ``out_*`` a symbol. Each factor of a chain is ``sympy.diff``
of one small local equation with respect to one symbol; the chain is assembled by reverse
accumulation (the output layer's δ first, then each hidden layer's from the layer above). No
nested expression of the whole network is ever differentiated, and a unit's δ is derived only
when something asks for it, then kept: every parameter into the unit shares it.

What is differentiated is a *seed*: ``E_total`` (the gradient), or, for a loss that is a sum of
squares ``E_ok = c·e_ok²``, one output's error ``e_ok`` (a row of the Jacobian that
Levenberg–Marquardt uses).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from bpderive.limits import MAX_CONNECTIONS, check_symbolic_work
from bpderive.symbolic.chain import Chain, ChainRule, Factor, Sum
from bpderive.symbolic.notation import OUT, TARGET, Name, Partial
from bpderive.symbolic.structure import E_TOTAL, ETA1, ETA2, NetworkStructure, Neuron

Items = tuple[Factor | Sum, ...]


#: Softmax Jacobians already derived, by the activation and the layer's symbols (read only).
_JACOBIANS: dict[tuple, list[list[tuple[sp.Expr, sp.Expr]]]] = {}


@dataclass(frozen=True)
class Seed:
    """The start of a reverse pass: its symbol, its expression in the outputs, and (for
    ``E_total``) the per-output terms ``E_ok`` that let the article's path labels be used."""

    symbol: sp.Symbol
    expr: sp.Expr
    terms: tuple[sp.Expr, ...] | None


class Derivation:
    """The chains of one network's structure: gradients, deltas and the error Jacobian."""

    def __init__(self, structure: NetworkStructure) -> None:
        self.s = structure
        self._deltas: dict[tuple[str, str], Items] = {}
        self._first: dict[str, Factor] = {}
        self._softmax: list[list[tuple[sp.Expr, sp.Expr]]] | None = None
        self.seeds = {"E_total": Seed(E_TOTAL, structure.error_expr, tuple(structure.error_exprs))}
        residual = structure.loss.residual
        if residual is not None:
            for n, t in zip(structure.layers[-1], structure.targets, strict=True):
                error = residual[1].xreplace({OUT: n.out, TARGET: t})
                self.seeds[f"e_{n.name}"] = Seed(Name(f"e_{n.name}"), error, None)

    def seed(self, of: str) -> Seed:
        """A seed by name: ``"E_total"``, or ``"e_o1"`` … for a sum-of-squares loss."""
        if not isinstance(of, str) or of not in self.seeds:
            hint = ""
            if isinstance(of, str) and of.startswith("e_") and self.s.loss.residual is None:
                hint = f" (the loss {self.s.loss.name!r} is not a sum of squares: it has no e_o)"
            raise KeyError(f"of: expected one of {', '.join(self.seeds)}, got {of!r}{hint}")
        return self.seeds[of]

    # ------------------------------------------------------------------ local factors

    def activation_factor(self, n: Neuron, net: Neuron | None = None) -> Factor:
        """``∂out_n/∂net_m``: element-wise units have only ``m = n``; softmax has the Jacobian."""
        act = self.s.activations[n.layer - 1]
        target = net or n
        label = Partial(n.out, target.net)
        if not act.elementwise:
            raw, in_out = self._softmax_jacobian()[n.index][target.index]
            return Factor(label, in_out, raw)
        raw, in_out = act.local_derivative(n.net, n.out)
        return Factor(label, in_out, raw)

    def _softmax_jacobian(self) -> list[list[tuple[sp.Expr, sp.Expr]]]:
        """The output layer's Jacobian, derived once for each set of symbols: every softmax
        layer named ``net_o1 … net_om`` has the same one, and its ``m²`` simplifications are
        most of the time a softmax network takes to compile."""
        if self._softmax is None:
            units = self.s.layers[-1]
            act = self.s.activations[-1]
            key = (act, tuple(n.net for n in units), tuple(n.out for n in units))
            if key not in _JACOBIANS:
                _JACOBIANS[key] = act.jacobian(list(key[1]), list(key[2]))
            self._softmax = _JACOBIANS[key]
        return self._softmax

    def net_factor(self, top: Neuron, wrt: sp.Symbol) -> Factor:
        """``∂net_top/∂wrt``: ``sympy.diff`` of ``top``'s local net equation."""
        return Factor(Partial(top.net, wrt), self.s.local_derivative(top.net, wrt))

    # ------------------------------------------------------------------ deltas

    def delta_items(self, unit: Neuron, of: str = "E_total") -> Items:
        """The items of ``δ_n = ∂seed/∂net_n``, derived on first use and kept.

        An output unit's δ starts from ``sympy.diff`` of the seed with respect to its output (for
        softmax, a sum over every output it feeds); a hidden unit's collects one path through
        every unit of the layer above that the seed reaches (``e_o1`` does not reach
        ``net_o2``, so that δ is an empty product, 0)."""
        key = (of, unit.name)
        if key not in self._deltas:
            self._deltas[key] = self._derive_delta(unit, self.seed(of), of)
        return self._deltas[key]

    def _derive_delta(self, n: Neuron, seed: Seed, of: str) -> Items:
        s = self.s
        if n.layer == s.n_layers:
            if s.activations[-1].elementwise:
                first = sp.diff(seed.expr, n.out)
                if first == 0:
                    return ()
                return (Factor(Partial(seed.symbol, n.out), first), self.activation_factor(n))
            terms = []
            for k in s.layers[-1]:
                first = sp.diff(seed.expr, k.out)
                if first != 0:
                    items = (
                        Factor(Partial(seed.symbol, k.out), first),
                        self.activation_factor(k, n),
                    )
                    terms.append(Chain(Partial(seed.symbol, n.net, via=k.out), items))
            return (Sum(Partial(seed.symbol, n.net), tuple(terms)),) if terms else ()
        paths = tuple(
            self._path(seed, up, n, of) for up in s.layers[n.layer + 1] if self.delta_items(up, of)
        )
        if not paths:
            return ()
        return (Sum(Partial(seed.symbol, n.out), paths), self.activation_factor(n))

    def _path(self, seed: Seed, up: Neuron, n: Neuron, of: str) -> Chain:
        """One summand of ``∂seed/∂out_n``: the path through ``net_up``.

        Into an element-wise output unit it is the article's ``∂E_o1/∂out_h1``, whose first factor
        is ``∂E_o1/∂out_o1`` (the derivative of the one term ``E_o1``)."""
        link = self.net_factor(up, n.out)
        s = self.s
        if seed.terms and up.layer == s.n_layers and s.activations[-1].elementwise:
            e = s.error_terms[up.index]
            first = self._first.get(up.name)
            if first is None:  # every unit below shares it (and SymPy's own cache forgets it)
                first = Factor(Partial(e, up.out), sp.diff(seed.terms[up.index], up.out))
                self._first[up.name] = first
            return Chain(Partial(e, n.out), (first, self.activation_factor(up), link))
        return Chain(Partial(seed.symbol, n.out, via=up.net), (*self.delta_items(up, of), link))

    def unit(self, name: str) -> Neuron:
        """A hidden or output unit by name (inputs have no δ); ``KeyError`` lists the valid."""
        valid = ", ".join(n for n in self.s.neurons if not n.startswith("x"))
        if not isinstance(name, str) or name not in self.s.neurons:
            raise KeyError(
                f"unknown neuron {name!r}; δ exists for hidden and output units: {valid}"
            )
        n = self.s.neurons[name]
        if n.net is None:
            raise KeyError(f"{name!r} is an input and has no δ; valid units: {valid}")
        return n

    def check_connections(self, n: Neuron, what: str, layers: int | None = None) -> None:
        """Refuse ``what``, which derives ``δ_n``, where that collects more connections than
        :data:`~bpderive.limits.MAX_CONNECTIONS`: the δ of every unit above ``n`` is derived,
        with one local derivative per connection between the layers above it (between the
        next ``layers`` layers only, for a call that goes no further)."""
        sizes = self.s.sizes[n.layer :][: None if layers is None else layers + 1]
        above = sum(a * b for a, b in zip(sizes, sizes[1:], strict=False))
        advice = "the compiled network computes it: net.compile().gradients(params, X, T)"
        check_symbolic_work(what, above, f"connections above {n.name}", MAX_CONNECTIONS, advice)

    def delta(self, neuron: str) -> Chain:
        """``δ_n = ∂E_total/∂net_n`` as a chain, e.g.
        ``δ_o1 = ∂E_total/∂out_o1 · ∂out_o1/∂net_o1``."""
        n = self.unit(neuron)
        self.check_connections(n, f"delta({neuron!r})")
        return Chain(self.s.delta_symbol(n.name), self.delta_items(n))

    def delta_rule(self, neuron: str) -> sp.Eq:
        """``δ_n`` written with the deltas of the layer above: the backward recursion
        ``δ_h1 = (δ_o1·w_(1,1) + δ_o2·w_(1,2))·∂out_h1/∂net_h1``. For an output unit it is the
        delta's own expression."""
        n = self.unit(neuron)
        self.check_connections(n, f"delta_rule({neuron!r})", layers=1)
        lhs = self.s.delta_symbol(n.name)
        if n.layer == self.s.n_layers:
            return sp.Eq(lhs, self.delta(neuron).expr, evaluate=False)
        total = sp.Add(
            *[
                self.s.delta_symbol(up.name) * self.s.local_derivative(up.net, n.out)
                for up in self.s.layers[n.layer + 1]
            ]
        )
        local = sp.Mul.make_args(self.activation_factor(n).expr)
        rhs = sp.Mul(total, *local, evaluate=False)
        return sp.Eq(lhs, rhs, evaluate=False)

    # ------------------------------------------------------------------ gradients

    def gradient(self, name: str, of: str = "E_total") -> ChainRule:
        """``∂seed/∂p`` for a parameter, as the chain of local derivatives the article writes."""
        p = self.s.resolve(name)
        seed = self.seed(of)
        top = self.s.neurons[p.target]
        self.check_connections(top, f"gradient({name!r})")
        head = self.delta_items(top, of) or (Factor(Partial(seed.symbol, top.net), sp.Integer(0)),)
        return ChainRule(
            Partial(seed.symbol, p.symbol),
            (*head, self.net_factor(top, p.symbol)),
            parameter=p.symbol,
            rate=ETA2 if p.is_bias else ETA1,
            environment=self.s.environment,
            expand=self.s.expand,
        )

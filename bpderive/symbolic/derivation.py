"""Reverse accumulation: the chain of every gradient and every δ, derived factor by factor.

Derivation keeps every ``net_*`` and ``out_*`` a symbol. Each factor of a chain is ``sympy.diff``
of one small local equation with respect to one symbol; the chain is assembled by reverse
accumulation (the output layer's δ first, then each hidden layer's from the layer above). No
nested expression of the whole network is ever differentiated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import sympy as sp

from bpderive.symbolic.activations import Softmax
from bpderive.symbolic.chain import Chain, ChainRule, Factor, Sum, partial
from bpderive.symbolic.structure import ETA_BIASES, ETA_WEIGHTS, NetworkStructure, Neuron


@dataclass(frozen=True)
class _Seed:
    """The start of a reverse pass: its LaTeX name, its expression in the outputs, and (for
    ``E_total``) the per-output terms ``E_ok`` that let the article's path labels be used."""

    tex: str
    expr: sp.Expr
    terms: tuple[sp.Expr, ...] | None


class Derivation(NetworkStructure):
    """The derivation methods of :class:`bpderive.Network`."""

    # ---------------------------------------------------------------- derivation

    def _tex(self, symbol: sp.Symbol) -> str:
        return sp.latex(symbol)

    @cached_property
    def _seeds(self) -> dict[str, _Seed]:
        """What reverse accumulation can start from: ``E_total`` (the gradient), or one output's
        error ``e_ok = target_ok − out_ok`` (a row of the Jacobian used by Levenberg–Marquardt)."""
        seeds = {"E_total": _Seed("E_{total}", self.error_expr, tuple(self.error_exprs))}
        for n, t in zip(self.layers[-1], self.targets, strict=True):
            seeds[f"e_{n.name}"] = _Seed(f"e_{{{n.name}}}", t - n.out, None)
        return seeds

    def _seed(self, of: str) -> _Seed:
        if not isinstance(of, str) or of not in self._seeds:
            raise KeyError(f"of: expected one of {', '.join(self._seeds)}, got {of!r}")
        return self._seeds[of]

    def _activation_factor(self, n: Neuron, net: Neuron | None = None) -> Factor:
        """``∂out_n/∂net_m``: element-wise units have only ``m = n``; softmax has the Jacobian."""
        act = self.activations[n.layer - 1]
        target = net or n
        label = partial(self._tex(n.out), self._tex(target.net))
        if isinstance(act, Softmax):
            raw, in_out = self._softmax_jacobian[n.index][target.index]
            return Factor(label, in_out, raw)
        raw, in_out = act.local_derivative(n.net, n.out)
        return Factor(label, in_out, raw)

    @cached_property
    def _softmax_jacobian(self) -> list[list[tuple[sp.Expr, sp.Expr]]]:
        out_layer = self.layers[-1]
        act = self.activations[-1]
        assert isinstance(act, Softmax)
        return act.jacobian([n.net for n in out_layer], [n.out for n in out_layer])

    def _local_factor(self, top: Neuron, wrt: sp.Symbol) -> Factor:
        """``∂net_top/∂wrt``: ``sympy.diff`` of ``top``'s local net equation."""
        label = partial(self._tex(top.net), self._tex(wrt))
        return Factor(label, self.local_derivative(top.net, wrt))

    def _deltas(self, of: str = "E_total") -> dict[str, tuple[Factor | Sum, ...]]:
        """The items of ``δ_n = ∂seed/∂net_n`` for every unit the seed depends on, derived once
        per seed and kept: every parameter into unit ``n`` shares ``δ_n``."""
        if of not in self._delta_tables:
            self._delta_tables[of] = self._derive_deltas(of)
        return self._delta_tables[of]

    def _derive_deltas(self, of: str) -> dict[str, tuple[Factor | Sum, ...]]:
        """The items of ``δ_n = ∂seed/∂net_n`` for every unit that the seed depends on.

        Reverse accumulation: output deltas first, each starting from ``sympy.diff`` of the seed
        with respect to ``out_ok``; then each hidden layer from the one above. Outputs the seed
        does not depend on (``e_o1`` does not involve ``out_o2``) contribute no path."""
        seed = self._seed(of)
        top = self.layers[-1]
        firsts = {}
        for k in top:
            d = sp.diff(seed.expr, k.out)
            if d != 0:
                firsts[k.name] = Factor(partial(seed.tex, self._tex(k.out)), d)
        deltas: dict[str, tuple[Factor | Sum, ...]] = {}
        if isinstance(self.activations[-1], Softmax):
            for n in top:
                terms = tuple(
                    Chain(
                        rf"{partial(seed.tex, self._tex(k.out))} "
                        rf"{partial(self._tex(k.out), self._tex(n.net))}",
                        (firsts[k.name], self._activation_factor(k, n)),
                    )
                    for k in top
                    if k.name in firsts
                )
                deltas[n.name] = (Sum(partial(seed.tex, self._tex(n.net)), terms),)
        else:
            for n in top:
                if n.name in firsts:
                    deltas[n.name] = (firsts[n.name], self._activation_factor(n))
        for layer in range(self.n_layers - 1, 0, -1):
            for n in self.layers[layer]:
                ups = [up for up in self.layers[layer + 1] if up.name in deltas]
                terms = tuple(self._path(seed, up, n, deltas) for up in ups)
                grad_out = Sum(partial(seed.tex, self._tex(n.out)), terms)
                deltas[n.name] = (grad_out, self._activation_factor(n))
        return deltas

    def _path(
        self, seed: _Seed, up: Neuron, n: Neuron, deltas: Mapping[str, tuple[Factor | Sum, ...]]
    ) -> Chain:
        """One summand of ``∂E_total/∂out_n``: the path through ``net_up``.

        Into an element-wise output unit it is the article's ``∂E_o1/∂out_h1``, whose first factor
        is ``∂E_o1/∂out_o1`` (the derivative of the one term ``E_o1``)."""
        link = self._local_factor(up, n.out)
        if seed.terms and up.layer == self.n_layers and self.activations[-1].elementwise:
            e = self.error_terms[up.index]
            first = Factor(
                partial(self._tex(e), self._tex(up.out)),
                sp.diff(seed.terms[up.index], up.out),
            )
            return Chain(
                partial(self._tex(e), self._tex(n.out)),
                (first, self._activation_factor(up), link),
            )
        label = rf"\left.{partial(seed.tex, self._tex(n.out))}\right|_{{{self._tex(up.net)}}}"
        return Chain(label, (*deltas[up.name], link))

    def _neuron(self, name: str) -> Neuron:
        if not isinstance(name, str) or name not in self.neurons:
            valid = ", ".join(n for n in self.neurons if not n.startswith("x"))
            raise KeyError(
                f"unknown neuron {name!r}; δ exists for hidden and output units: {valid}"
            )
        n = self.neurons[name]
        if n.net is None:
            valid = ", ".join(n for n in self.neurons if not n.startswith("x"))
            raise KeyError(f"{name!r} is an input and has no δ; valid units: {valid}")
        return n

    def delta(self, neuron: str) -> Chain:
        """``δ_n = ∂E_total/∂net_n`` as a chain, e.g.
        ``δ_o1 = ∂E_total/∂out_o1 · ∂out_o1/∂net_o1``."""
        n = self._neuron(neuron)
        return Chain(sp.latex(self.delta_symbol(n.name)), self._deltas()[n.name])

    def delta_rule(self, neuron: str) -> sp.Eq:
        """``δ_n`` written with the deltas of the layer above: the backward recursion
        ``δ_h1 = (δ_o1·w_(1,1) + δ_o2·w_(1,2))·∂out_h1/∂net_h1``. For an output unit it is the
        delta's own expression."""
        n = self._neuron(neuron)
        if n.layer == self.n_layers:
            return sp.Eq(self.delta_symbol(n.name), self.delta(neuron).expr, evaluate=False)
        total = sp.Add(
            *[
                self.delta_symbol(up.name) * self.local_derivative(up.net, n.out)
                for up in self.layers[n.layer + 1]
            ]
        )
        rhs = total * self._activation_factor(n).expr
        return sp.Eq(self.delta_symbol(n.name), rhs, evaluate=False)

    def gradient(self, name: str, of: str = "E_total") -> ChainRule:
        """``∂E_total/∂p`` for a parameter, as the chain of local derivatives the article writes.

        ``name`` is a canonical name (``w_(1,1)``, ``b4``) or an article alias (``w5``). ``of``
        picks what is differentiated: ``"E_total"``, or one output's error ``"e_o1"``
        (``target_o1 − out_o1``), whose chains are the rows of the Jacobian that
        Levenberg–Marquardt training uses."""
        p = self.resolve(name)
        seed = self._seed(of)
        top = self.neurons[p.target]
        wrt = p.symbol
        label = partial(seed.tex, self._tex(wrt))
        deltas = self._deltas(of)
        # A seed that does not reach the unit (e_o2 does not involve net_o1) has ∂seed/∂net = 0.
        head = deltas.get(top.name, (Factor(partial(seed.tex, self._tex(top.net)), sp.Integer(0)),))
        return ChainRule(
            label,
            (*head, self._local_factor(top, wrt)),
            parameter=wrt,
            rate=ETA_BIASES if p.is_bias else ETA_WEIGHTS,
            gradient_symbol=sp.Symbol(label),
            environment=self.environment,
            expand=self.expand,
        )

    def gradients(self, of: str = "E_total") -> dict[str, ChainRule]:
        """Every parameter's chain, in canonical order."""
        return {name: self.gradient(name, of) for name in self.parameters}

    def jacobian(self, output: str) -> dict[str, ChainRule]:
        """One row of the error Jacobian for one sample: ``∂e_o/∂p`` for every parameter, where
        ``e_o = target_o − out_o`` (``output`` is ``"o1"``, ``"o2"``, …)."""
        return self.gradients(f"e_{output}")

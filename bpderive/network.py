"""The network of section 三, its symbols, its local equations and their derivatives.

Names follow the article so that code and text can be read side by side:

* neurons: inputs ``x1, x2``, hidden ``h1, h2, h3``, outputs ``o1, o2`` (with several hidden
  layers, ``h1_2`` is unit 2 of hidden layer 1);
* ``net_h1 = w_(x1,1)·x1 + w_(x2,1)·x2 + b1`` and ``out_h1 = f(net_h1)`` for every unit;
* ``w_(a,b)`` is the weight from neuron ``a`` into neuron ``b`` (``w_(x1,1)`` from x1 into h1,
  ``w_(1,1)`` from h1 into o1); with several hidden layers the weight layer is written too,
  ``w(2)_(1,1)``;
* biases are numbered across the network as in the article: ``b1 b2 b3`` hidden, ``b4 b5`` output;
* the article's flat names ``w1`` (x1→h1) and ``w5, w6, w7`` (h1, h2, h3→o1) are accepted as
  aliases on the article's 2-3-2 network. They cannot be extended to all twelve weights without a
  clash (the article calls x1→h1 "W1" and h1→o1 "w5", which leaves four numbers for six
  first-layer weights), so any other ``wN`` is an error that lists the valid names.

Derivation keeps every ``net_*`` and ``out_*`` a symbol. Each factor of a chain is ``sympy.diff``
of one small local equation with respect to one symbol; the chain is assembled by reverse
accumulation (the output layer's δ first, then each hidden layer's from the layer above). No
nested expression of the whole network is ever differentiated.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import sympy as sp

from bpderive.checks import check_params, check_rows, parameter_shapes
from bpderive.numeric.compiled import CompiledNetwork
from bpderive.symbolic.activations import ACTIVATIONS, Activation, Softmax, get_activation, prelu
from bpderive.symbolic.chain import Chain, ChainRule, Factor, OrderedEq, Sum, partial
from bpderive.symbolic.losses import Loss, get_loss

ETA_WEIGHTS = sp.Symbol("eta_1", positive=True)
ETA_BIASES = sp.Symbol("eta_2", positive=True)
E_TOTAL = sp.Symbol("E_total")

_ARTICLE_SIZES = (2, 3, 2)
#: The article's flat names, valid on its 2-3-2 network only.
ARTICLE_ALIASES = {"w1": "w_(x1,1)", "w5": "w_(1,1)", "w6": "w_(2,1)", "w7": "w_(3,1)"}


@dataclass(frozen=True)
class Neuron:
    """One unit: its name, where it sits, and its ``net``/``out`` symbols (an input's ``out`` is
    the input itself)."""

    name: str
    layer: int
    index: int
    net: sp.Symbol | None
    out: sp.Symbol


@dataclass(frozen=True)
class Parameter:
    """One weight or bias: canonical name, symbol, place in the parameter mapping."""

    name: str
    symbol: sp.Symbol
    key: str
    index: tuple[int, ...]
    source: str | None
    target: str

    @property
    def is_bias(self) -> bool:
        return self.source is None


@dataclass(frozen=True)
class _Seed:
    """The start of a reverse pass: its LaTeX name, its expression in the outputs, and (for
    ``E_total``) the per-output terms ``E_ok`` that let the article's path labels be used."""

    tex: str
    expr: sp.Expr
    terms: tuple[sp.Expr, ...] | None


@dataclass(frozen=True)
class LayerMatrices:
    """The matrix form of one layer, ``net = W·aᵀ + bᵀ``, with SymPy matrices of symbols."""

    layer: int
    W: sp.ImmutableMatrix
    a: sp.ImmutableMatrix
    b: sp.ImmutableMatrix
    net: sp.ImmutableMatrix
    out: sp.ImmutableMatrix

    def equation(self) -> OrderedEq:
        """``net = W·aᵀ + bᵀ`` unevaluated, printed in the article's order."""
        rhs = sp.MatAdd(sp.MatMul(self.W, self.a, evaluate=False), self.b, evaluate=False)
        return OrderedEq(self.net, rhs, evaluate=False)

    def rows(self) -> sp.Eq:
        """The same, each row written out: ``net_h1 = w_(x1,1)·x1 + w_(x2,1)·x2 + b1`` …"""
        return sp.Eq(self.net, self.W * self.a + self.b, evaluate=False)


@dataclass(frozen=True)
class ErrorEquations:
    """``E_total = Σ_k E_ok`` and each ``E_ok``: the loss of one sample."""

    total: sp.Eq
    terms: tuple[sp.Eq, ...]


def _check_sizes(sizes: object) -> tuple[int, ...]:
    if isinstance(sizes, str | bytes) or not isinstance(sizes, Sequence):
        raise ValueError(
            f"sizes: expected a sequence of positive integers (inputs, hidden..., outputs) "
            f"such as (2, 3, 2), got {sizes!r}"
        )
    checked = []
    for s in sizes:
        try:
            value = operator.index(s)  # int and NumPy integers; not 2.5, not "2"
        except TypeError:
            value = 0
        checked.append(0 if isinstance(s, bool) else value)
    if len(checked) < 2 or min(checked) < 1:
        raise ValueError(
            f"sizes: expected at least two positive integers (inputs, hidden..., outputs) "
            f"such as (2, 3, 2), got {tuple(sizes)!r}"
        )
    return tuple(checked)


def _activation_spec(act: Activation | Softmax) -> str | dict[str, object]:
    """A name, or for an activation whose parameter differs from the registered one (a PReLU
    with its own slope) the name with that parameter, so that loading restores it exactly."""
    if ACTIVATIONS.get(act.name) is act:
        return act.name
    if act.name == "prelu":
        return {"name": act.name, **act.parameters}
    raise ValueError(
        f"activations: only the built-in activations and prelu(slope) can be saved, got a new "
        f"activation {act.name!r}"
    )


def _activation_from_spec(entry: object) -> str | Activation:
    if isinstance(entry, Mapping):
        if entry.get("name") == "prelu" and set(entry) == {"name", "slope"}:
            return prelu(entry["slope"])  # type: ignore[arg-type]
        raise ValueError(f"spec: unknown parametrised activation {dict(entry)!r}")
    return entry  # type: ignore[return-value]


class Network:
    """A fully connected BP network, derived symbolically.

    ``sizes`` is (inputs, hidden..., outputs); ``activations`` one name for every layer or one
    per weight layer; ``loss`` the per-sample error. The defaults are the article's 2-3-2
    logistic network with ``E_total = ½Σ(target − out)²``.
    """

    def __init__(
        self,
        sizes: Sequence[int] = _ARTICLE_SIZES,
        activations: str | Sequence[str] = "logistic",
        loss: str = "half_sse",
    ) -> None:
        self.sizes = _check_sizes(sizes)
        self.n_layers = len(self.sizes) - 1
        self.activations = self._check_activations(activations)
        self.activation_names = tuple(a.name for a in self.activations)
        self.loss: Loss = get_loss(loss)
        self.loss.check_output(self.activation_names[-1])
        self.loss_name = self.loss.name
        self._delta_tables: dict[str, dict[str, tuple[Factor | Sum, ...]]] = {}
        self._term_index: dict[sp.Symbol, dict[sp.Symbol, list[sp.Expr]]] = {}
        self._build_symbols()

    def _check_activations(self, activations: object) -> tuple[Activation | Softmax, ...]:
        if isinstance(activations, str | Activation | Softmax):
            names = [activations] * self.n_layers
        elif isinstance(activations, Sequence) and len(activations) == self.n_layers:
            names = list(activations)
        else:
            raise ValueError(
                f"activations: expected one name or a sequence of {self.n_layers} names "
                f"(one per weight layer), got {activations!r}"
            )
        found = tuple(get_activation(n) for n in names)
        for layer, act in enumerate(found[:-1], start=1):
            if not act.elementwise:
                raise ValueError(
                    f"activations: softmax is for the output layer only, got it on layer {layer}"
                )
        if not found[-1].elementwise and self.sizes[-1] < 2:
            raise ValueError("activations: softmax needs at least 2 outputs, got 1")
        return found

    def spec(self) -> dict[str, object]:
        """What defines the network, as plain JSON-able data (for saving and loading)."""
        return {
            "sizes": list(self.sizes),
            "activations": [_activation_spec(a) for a in self.activations],
            "loss": self.loss_name,
        }

    @classmethod
    def from_spec(cls, spec: Mapping[str, object]) -> Network:
        """The network that :meth:`spec` describes."""
        try:
            sizes, names, loss = spec["sizes"], spec["activations"], spec["loss"]
        except (KeyError, TypeError):
            raise ValueError(
                f"spec: expected a mapping with keys sizes, activations, loss, got {spec!r}"
            ) from None
        if not isinstance(names, list):
            raise ValueError(f"spec['activations']: expected a list, got {names!r}")
        return cls(sizes, [_activation_from_spec(a) for a in names], loss)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        acts = ", ".join(self.activation_names)
        return f"Network(sizes={self.sizes}, activations=({acts}), loss={self.loss_name!r})"

    # ---------------------------------------------------------------- symbols and equations

    def _neuron_name(self, layer: int, k: int) -> str:
        if layer == 0:
            return f"x{k + 1}"
        if layer == self.n_layers:
            return f"o{k + 1}"
        if self.n_layers == 2:
            return f"h{k + 1}"
        return f"h{layer}_{k + 1}"

    def _build_symbols(self) -> None:
        self.layers: list[list[Neuron]] = []
        for layer, size in enumerate(self.sizes):
            row = []
            for k in range(size):
                name = self._neuron_name(layer, k)
                # A deep hidden unit "h1_2" is written net_{h1,2}: braces keep SymPy from
                # reading the second underscore as a second subscript.
                tex = re.sub(r"^h(\d+)_(\d+)$", r"{h\1,\2}", name)
                if layer == 0:
                    row.append(Neuron(name, 0, k, None, sp.Symbol(name, real=True)))
                else:
                    net = sp.Symbol(f"net_{tex}", real=True)
                    row.append(Neuron(name, layer, k, net, sp.Symbol(f"out_{tex}", real=True)))
            self.layers.append(row)
        self.neurons = {n.name: n for row in self.layers for n in row}
        self.targets = [sp.Symbol(f"target_{n.name}", real=True) for n in self.layers[-1]]
        self.error_terms = [sp.Symbol(f"E_{n.name}") for n in self.layers[-1]]

        self.parameters: dict[str, Parameter] = {}
        bias_number = 0
        deep = self.n_layers > 2
        for layer in range(1, self.n_layers + 1):
            prefix = f"w({layer})" if deep else "w"
            for j, dst in enumerate(self.layers[layer]):
                for i, src in enumerate(self.layers[layer - 1]):
                    a = src.name if layer == 1 else str(i + 1)
                    name = f"{prefix}_({a},{j + 1})"
                    tex = f"w^{{({layer})}}_{{({a},{j + 1})}}" if deep else name
                    self._add(
                        Parameter(
                            name, sp.Symbol(tex, real=True), f"W{layer}", (j, i), src.name, dst.name
                        )
                    )
            for j, dst in enumerate(self.layers[layer]):
                bias_number += 1
                name = f"b{bias_number}"
                self._add(
                    Parameter(name, sp.Symbol(name, real=True), f"b{layer}", (j,), None, dst.name)
                )
        self.aliases = dict(ARTICLE_ALIASES) if self.sizes == _ARTICLE_SIZES else {}

        # The local equations: each net_* and out_* as a small expression of the layer below.
        self.local: dict[sp.Symbol, sp.Expr] = {}
        for layer in range(1, self.n_layers + 1):
            below = self.layers[layer - 1]
            for j, dst in enumerate(self.layers[layer]):
                terms = [self.weight(layer, i, j).symbol * src.out for i, src in enumerate(below)]
                self.local[dst.net] = sp.Add(*terms, self.bias(layer, j).symbol)
            act = self.activations[layer - 1]
            nets = [n.net for n in self.layers[layer]]
            outs = act.outputs(nets) if isinstance(act, Softmax) else [act(n) for n in nets]
            for dst, expr in zip(self.layers[layer], outs, strict=True):
                self.local[dst.out] = expr

        last = self.activation_names[-1]
        m = self.sizes[-1]
        self.error_exprs = [
            self.loss.term(n.out, t, m, last)
            for n, t in zip(self.layers[-1], self.targets, strict=True)
        ]
        self.error_expr = sp.Add(*self.error_exprs)

    def _add(self, p: Parameter) -> None:
        self.parameters[p.name] = p

    def weight(self, layer: int, i: int, j: int) -> Parameter:
        """The weight of weight layer ``layer`` from unit ``i`` below into unit ``j`` (0-based)."""
        return self._by_place[(f"W{layer}", (j, i))]

    def bias(self, layer: int, j: int) -> Parameter:
        """The bias of unit ``j`` (0-based) of layer ``layer``."""
        return self._by_place[(f"b{layer}", (j,))]

    @cached_property
    def _by_place(self) -> dict[tuple[str, tuple[int, ...]], Parameter]:
        return {(p.key, p.index): p for p in self.parameters.values()}

    @property
    def parameter_names(self) -> list[str]:
        """Every weight and bias in canonical order: layer by layer, ``W`` by rows, then ``b``."""
        return list(self.parameters)

    @property
    def parameter_shapes(self) -> dict[str, tuple[int, ...]]:
        """The shapes of the parameter mapping ``{"W1": (n1, n0), "b1": (n1,), ...}``."""
        return parameter_shapes(self.sizes)

    def resolve(self, name: str) -> Parameter:
        """A parameter by canonical name or article alias; a ``KeyError`` lists the valid ones."""
        if not isinstance(name, str):
            raise KeyError(f"parameter name: expected a string such as 'w5', got {name!r}")
        key = self.aliases.get(name, name)
        if key in self.parameters:
            return self.parameters[key]
        hint = ""
        if re.fullmatch(r"[wW]\d+", name):
            hint = (
                " The article's flat names are only w1 (x1→h1) and w5, w6, w7 (h1, h2, h3→o1) on "
                "its 2-3-2 network: the numbering cannot be completed without a clash."
            )
            if name.startswith("W"):
                hint += f" ({name!r} is a key of the parameter mapping, a whole matrix.)"
        valid = ", ".join([*self.aliases, *self.parameters])
        raise KeyError(f"unknown parameter {name!r}.{hint} Valid names: {valid}")

    def name_table(self) -> list[dict[str, str]]:
        """One row per parameter: canonical name, article alias, mapping entry, from, to."""
        alias_of = {v: k for k, v in self.aliases.items()}
        return [
            {
                "name": p.name,
                "alias": alias_of.get(p.name, ""),
                "entry": f"{p.key}[{', '.join(map(str, p.index))}]",
                "from": p.source or "(bias)",
                "to": p.target,
            }
            for p in self.parameters.values()
        ]

    @cached_property
    def _symbols(self) -> dict[str, sp.Symbol]:
        table: dict[str, sp.Symbol] = {}
        for n in self.neurons.values():
            if n.net is None:
                table[n.name] = n.out
            else:
                table[f"net_{n.name}"] = n.net
                table[f"out_{n.name}"] = n.out
                table[f"delta_{n.name}"] = self.delta_symbol(n.name)
        for n, t, e in zip(self.layers[-1], self.targets, self.error_terms, strict=True):
            table[f"target_{n.name}"] = t
            table[f"E_{n.name}"] = e
        table["E_total"] = E_TOTAL
        table["eta_1"] = ETA_WEIGHTS
        table["eta_2"] = ETA_BIASES
        for p in self.parameters.values():
            table[p.name] = p.symbol
        return table

    def symbol(self, name: str) -> sp.Symbol:
        """The SymPy symbol of any named quantity: ``x1``, ``net_h1``, ``out_h1`` (or the
        article's ``Out_h1``), ``target_o1``, ``E_o1``, ``E_total``, ``delta_o1``, ``eta_1``,
        ``eta_2``, a parameter or an alias (``w5``)."""
        if isinstance(name, str):
            key = re.sub(r"^Out_", "out_", name)
            if key in self._symbols:
                return self._symbols[key]
            if key in self.aliases:
                return self.resolve(key).symbol
        valid = ", ".join(self._symbols)
        raise KeyError(f"unknown symbol {name!r}. Valid names: {valid}")

    def delta_symbol(self, neuron: str) -> sp.Symbol:
        """``δ_n`` as a symbol, for writing the backward recursion with named deltas."""
        tex = re.sub(r"^h(\d+)_(\d+)$", r"h\1,\2", neuron)
        return sp.Symbol(rf"\delta_{{{tex}}}")

    @property
    def forward_equations(self) -> list[sp.Eq]:
        """``net_h1 = …``, ``out_h1 = f(net_h1)``, … ``out_o2`` in reading order."""
        eqs = []
        for row in self.layers[1:]:
            for n in row:
                eqs.append(sp.Eq(n.net, self.local[n.net], evaluate=False))
                eqs.append(sp.Eq(n.out, self.local[n.out], evaluate=False))
        return eqs

    def matrices(self) -> list[LayerMatrices]:
        """The matrix form of every weight layer: ``W(l)``, ``a``, ``b(l)``, ``net``, ``out``."""
        result = []
        for layer in range(1, self.n_layers + 1):
            below, here = self.layers[layer - 1], self.layers[layer]
            W = sp.ImmutableMatrix(
                [
                    [self.weight(layer, i, j).symbol for i in range(len(below))]
                    for j in range(len(here))
                ]
            )
            b = sp.ImmutableMatrix([self.bias(layer, j).symbol for j in range(len(here))])
            result.append(
                LayerMatrices(
                    layer,
                    W,
                    sp.ImmutableMatrix([n.out for n in below]),
                    b,
                    sp.ImmutableMatrix([n.net for n in here]),
                    sp.ImmutableMatrix([n.out for n in here]),
                )
            )
        return result

    @property
    def error(self) -> ErrorEquations:
        """``E_total = E_o1 + E_o2`` and each term's formula in ``out_ok`` and ``target_ok``."""
        total = sp.Eq(E_TOTAL, sp.Add(*self.error_terms), evaluate=False)
        terms = tuple(
            sp.Eq(e, expr, evaluate=False)
            for e, expr in zip(self.error_terms, self.error_exprs, strict=True)
        )
        return ErrorEquations(total, terms)

    @cached_property
    def expansion(self) -> dict[sp.Symbol, sp.Expr]:
        """Every ``net_*``/``out_*`` as a formula in inputs and parameters only (by substitution
        of the forward equations, layer by layer; never differentiated)."""
        full: dict[sp.Symbol, sp.Expr] = {}
        for row in self.layers[1:]:
            for n in row:
                full[n.net] = self.local[n.net].xreplace(full)
            for n in row:
                full[n.out] = self.local[n.out].xreplace(full)
        return full

    def expand(self, expr: sp.Expr) -> sp.Expr:
        """``expr`` with every ``net_*``/``out_*`` replaced by its formula in inputs and
        parameters. The expansion is built on first use: a derivation never needs it."""
        return expr.xreplace(self.expansion)

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

    def local_derivative(self, quantity: sp.Symbol, wrt: sp.Symbol) -> sp.Expr:
        """``∂quantity/∂wrt`` of one local equation (``quantity`` is a ``net_*`` or ``out_*``).

        ``sympy.diff`` of the equation's terms that contain ``wrt``; the other terms' derivative
        is zero. On a wide layer this keeps each derivative as small as one term instead of
        re-walking the whole sum ``w·out + … + b`` for every weight."""
        index = self._term_index.get(quantity)
        if index is None:
            index = {}
            for term in sp.Add.make_args(self.local[quantity]):
                for symbol in term.free_symbols:
                    index.setdefault(symbol, []).append(term)
            self._term_index[quantity] = index
        return sp.Add(*[sp.diff(term, wrt) for term in index.get(wrt, ())])

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

    # ---------------------------------------------------------------- numbers for one sample

    def environment(
        self, params: Mapping[str, object], x: object, target: object
    ) -> dict[sp.Symbol, float]:
        """The number of every symbol for one sample: inputs, targets, parameters, and each
        ``net_*``/``out_*`` by evaluating the local equations in order (SymPy arithmetic, not the
        compiled path, so that the two can be checked against each other)."""
        checked = check_params(self.sizes, params)
        X = check_rows("x", x, self.sizes[0], "input")
        T = check_rows("target", target, self.sizes[-1], "output")
        for name, rows in (("x", X), ("target", T)):
            if rows.shape[0] != 1:
                raise ValueError(f"{name}: expected one sample, got {rows.shape[0]} rows")
        self.loss.check_targets("target", T, self.activation_names[-1])
        env: dict[sp.Symbol, float] = {}
        for n, v in zip(self.layers[0], X[0], strict=True):
            env[n.out] = sp.Float(float(v), 17)
        for t, v in zip(self.targets, T[0], strict=True):
            env[t] = sp.Float(float(v), 17)
        for p in self.parameters.values():
            env[p.symbol] = sp.Float(float(checked[p.key][p.index]), 17)
        for row in self.layers[1:]:
            for n in row:
                env[n.net] = sp.Float(self.local[n.net].xreplace(env), 17)
            for n in row:
                env[n.out] = sp.Float(self.local[n.out].xreplace(env), 17)
        return env

    def compile(self) -> CompiledNetwork:
        """Lambdify the derived equations to vectorised NumPy code (:mod:`bpderive.numeric`).

        Compiling costs a fraction of a second, so the result is kept: every later call (from
        training, a sweep, a notebook cell run twice) returns the same compiled network."""
        return self._compiled

    @cached_property
    def _compiled(self) -> CompiledNetwork:
        return CompiledNetwork(self)

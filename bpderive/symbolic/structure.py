"""The network of section 三 as symbols: its names and its local equations.

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
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import sympy as sp

from bpderive.checks import check_params, check_rows, check_sizes, parameter_shapes
from bpderive.language import pick
from bpderive.limits import (
    MAX_EVALUATED,
    MAX_SOFTMAX_OUTPUTS,
    MAX_WRITTEN,
    LimitError,
    check_formula_size,
    check_symbolic_work,
)
from bpderive.symbolic import texts
from bpderive.symbolic.activations import Activation, Softmax, get_activation
from bpderive.symbolic.local import LocalEquations
from bpderive.symbolic.losses import Loss, get_loss
from bpderive.symbolic.notation import Name
from bpderive.symbolic.parameters import Parameter, ParameterTable

#: The article's learning rates: η1 for the weights, η2 for the biases (三.3.2.1).
ETA1 = Name("eta_1", positive=True)
ETA2 = Name("eta_2", positive=True)
E_TOTAL = Name("E_total")
#: Where a bias comes from in :meth:`NetworkStructure.name_table`: no unit.
BIAS_SOURCE = ("(bias)", "（阈值）")

_ARTICLE_SIZES = (2, 3, 2)
#: Networks of at most this many parameters list every valid name in an unknown name's error.
_LISTED = 1_000
_KEEP_SYMBOLS = "keep net_* and out_* as symbols (the chain, its text and its numbers)"
#: Flat weight names by network shape: the article's on its 2-3-2 network (only these four: its
#: numbering cannot be completed without a clash), and Mazur's complete w1 … w8 on his 2-2-2
#: network ("A Step by Step Backpropagation Example").
FLAT_NAMES = {
    (2, 3, 2): {"w1": "w_(x1,1)", "w5": "w_(1,1)", "w6": "w_(2,1)", "w7": "w_(3,1)"},
    (2, 2, 2): {
        "w1": "w_(x1,1)",
        "w2": "w_(x2,1)",
        "w3": "w_(x1,2)",
        "w4": "w_(x2,2)",
        "w5": "w_(1,1)",
        "w6": "w_(2,1)",
        "w7": "w_(1,2)",
        "w8": "w_(2,2)",
    },
}


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
class ErrorEquations:
    """``E_total = Σ_k E_ok`` and each ``E_ok``: the loss of one sample."""

    total: sp.Eq
    terms: tuple[sp.Eq, ...]


def _tree_size(expr: sp.Basic, sizes: Mapping[sp.Basic, int]) -> int:
    """Operations and symbols of ``expr`` with each symbol in ``sizes`` counted as its size."""
    return sum(sizes.get(node, 1) for node in sp.preorder_traversal(expr))


class NetworkStructure:
    """The symbols and local equations of a network (the base of :class:`bpderive.Network`).

    ``sizes`` is (inputs, hidden..., outputs); ``activations`` one activation (a name or an
    :class:`~bpderive.symbolic.activations.Activation`) for every layer or one per weight layer;
    ``loss`` the per-sample error (a name or a :class:`~bpderive.symbolic.losses.Loss`)."""

    def __init__(
        self,
        sizes: Sequence[int],
        activations: str | Activation | Sequence[str | Activation],
        loss: str | Loss,
    ) -> None:
        self.sizes = check_sizes(sizes)
        self.n_layers = len(self.sizes) - 1
        self.activations = self._check_activations(activations)
        self.loss: Loss = get_loss(loss).for_output(self.activations[-1])
        self._term_index: dict[sp.Symbol, dict[sp.Symbol, list[sp.Expr]]] = {}
        self._build_symbols()

    def _check_activations(self, activations: object) -> tuple[Activation | Softmax, ...]:
        if isinstance(activations, str | Activation | Softmax):
            names = [activations] * self.n_layers
        elif isinstance(activations, Sequence) and len(activations) == self.n_layers:
            names = list(activations)
        else:
            raise ValueError(
                f"activations: expected one activation (a name or an Activation) or a sequence "
                f"of {self.n_layers} activations (one per weight layer), got {activations!r}"
            )
        found = tuple(get_activation(n) for n in names)
        for layer, act in enumerate(found[:-1], start=1):
            if not act.elementwise:
                raise ValueError(
                    f"activations: softmax is for the output layer only, got it on layer {layer}"
                )
        if not found[-1].elementwise and self.sizes[-1] < 2:
            raise ValueError("activations: softmax needs at least 2 outputs, got 1")
        if not found[-1].elementwise and self.sizes[-1] > MAX_SOFTMAX_OUTPUTS:
            m = self.sizes[-1]
            raise LimitError(
                f"activations: a softmax output of {m} units has a Jacobian of {m * m:,} "
                f"entries, each derived symbolically; bpderive derives it for at most "
                f"{MAX_SOFTMAX_OUTPUTS} units ({MAX_SOFTMAX_OUTPUTS**2} entries take a few seconds)"
            )
        return found

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
                if layer == 0:
                    row.append(Neuron(name, 0, k, None, Name(name)))
                else:
                    row.append(Neuron(name, layer, k, Name(f"net_{name}"), Name(f"out_{name}")))
            self.layers.append(row)
        self.neurons = {n.name: n for row in self.layers for n in row}
        self.targets = [Name(f"target_{n.name}") for n in self.layers[-1]]
        self.error_terms = [Name(f"E_{n.name}") for n in self.layers[-1]]

        self.parameters = ParameterTable(self.sizes, lambda layer, k: self.layers[layer][k].name)
        self.aliases = dict(FLAT_NAMES.get(self.sizes, {}))

        self.local = LocalEquations(
            self.layers,
            self.activations,
            lambda layer, i, j: self.weight(layer, i, j).symbol,
            lambda layer, j: self.bias(layer, j).symbol,
        )

        m = self.sizes[-1]
        self.error_exprs = [
            self.loss.term(n.out, t, m) for n, t in zip(self.layers[-1], self.targets, strict=True)
        ]
        self.error_expr = sp.Add(*self.error_exprs)

    def weight(self, layer: int, i: int, j: int) -> Parameter:
        """The weight of weight layer ``layer`` from unit ``i`` below into unit ``j`` (0-based)."""
        return self.parameters.place(f"W{layer}", (j, i))

    def bias(self, layer: int, j: int) -> Parameter:
        """The bias of unit ``j`` (0-based) of layer ``layer``."""
        return self.parameters.place(f"b{layer}", (j,))

    def check_work(self, what: str, limit: int, advice: str) -> None:
        """Refuse ``what``, symbolic work for every parameter, on a network of more than
        ``limit`` parameters (:func:`~bpderive.limits.check_symbolic_work`)."""
        check_symbolic_work(what, len(self.parameters), "parameters", limit, advice)

    @property
    def parameter_names(self) -> list[str]:
        """Every weight and bias in canonical order: layer by layer, ``W`` by rows, then ``b``."""
        return list(self.parameters)

    @property
    def parameter_shapes(self) -> dict[str, tuple[int, ...]]:
        """The shapes of the parameter mapping ``{"W1": (n1, n0), "b1": (n1,), ...}``."""
        return parameter_shapes(self.sizes)

    def resolve(self, name: str) -> Parameter:
        """A parameter by canonical name or article alias; a ``KeyError`` lists the valid ones, in
        the learner's language (notebook 01 shows it as a lesson on the article's names)."""
        if not isinstance(name, str):
            raise KeyError(f"parameter name: expected a string such as 'w5', got {name!r}")
        key = self.aliases.get(name, name)
        if key in self.parameters:
            return self.parameters[key]
        hint = ""
        if re.fullmatch(r"[wW]\d+", name):
            hint = pick(texts.FLAT_NAMES)
            if name.startswith("W"):
                hint += pick(texts.MATRIX_KEY).format(name=name)
        valid = pick(texts.LIST_SEPARATOR).join([*self.aliases, *self.parameters])
        raise KeyError(pick(texts.UNKNOWN_PARAMETER).format(name=name, hint=hint, valid=valid))

    def name_table(self) -> list[dict[str, str]]:
        """One row per parameter: canonical name, article alias, mapping entry, from, to. A
        bias comes from no unit: its ``from`` says so, in the language in use (it is printed
        in a learner's table)."""
        self.check_work("name_table()", MAX_WRITTEN, "look up one parameter: net.parameters[name]")
        alias_of = {v: k for k, v in self.aliases.items()}
        return [
            {
                "name": p.name,
                "alias": alias_of.get(p.name, ""),
                "entry": f"{p.key}[{', '.join(map(str, p.index))}]",
                "from": p.source or pick(BIAS_SOURCE),
                "to": p.target,
            }
            for p in self.parameters.values()
        ]

    @cached_property
    def symbols(self) -> dict[str, sp.Symbol]:
        """Every named quantity by its name (each symbol is named as the article names it):
        inputs, targets, ``net_*``, ``out_*``, ``delta_*``, ``E_*``, ``eta_*`` and parameters."""
        self.check_work("symbols", MAX_WRITTEN, "ask for one: net.symbol(name)")
        return {**self._named, **{p.name: p.symbol for p in self.parameters.values()}}

    @cached_property
    def _named(self) -> dict[str, sp.Symbol]:
        """:attr:`symbols` but the parameters, whose symbols are made only when looked up."""
        symbols = [E_TOTAL, ETA1, ETA2, *self.targets, *self.error_terms]
        for n in self.neurons.values():
            symbols += [n.out] if n.net is None else [n.net, n.out, self.delta_symbol(n.name)]
        return {s.name: s for s in symbols}

    def symbol(self, name: str) -> sp.Symbol:
        """The SymPy symbol of any named quantity: ``x1``, ``net_h1``, ``out_h1`` (or the
        article's ``Out_h1``), ``target_o1``, ``E_o1``, ``E_total``, ``delta_o1``, ``eta_1``,
        ``eta_2``, a parameter or an alias (``w5``)."""
        if isinstance(name, str):
            key = re.sub(r"^(Out|Net)_", lambda m: m[1].lower() + "_", name)
            if key in self._named:
                return self._named[key]
            if key in self.parameters or key in self.aliases:
                return self.resolve(key).symbol
        if len(self.parameters) <= _LISTED:
            valid = ", ".join(self.symbols)
        else:  # a list of every parameter would be longer than anyone reads
            valid = f"{', '.join(self._named)} and the parameters (net.parameter_names)"
        raise KeyError(f"unknown symbol {name!r}. Valid names: {valid}")

    def delta_symbol(self, neuron: str) -> sp.Symbol:
        """``δ_n`` as a symbol, for writing the backward recursion with named deltas."""
        return Name(f"delta_{neuron}")

    @property
    def forward_equations(self) -> list[sp.Eq]:
        """``net_h1 = …``, ``out_h1 = f(net_h1)``, … ``out_o2`` in reading order."""
        self.check_work("forward_equations", MAX_WRITTEN, "ask for one: net.local[symbol]")
        eqs = []
        for row in self.layers[1:]:
            for n in row:
                eqs.append(sp.Eq(n.net, self.local[n.net], evaluate=False))
                eqs.append(sp.Eq(n.out, self.local[n.out], evaluate=False))
        return eqs

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
        self.check_work("expansion", MAX_WRITTEN, _KEEP_SYMBOLS)
        full: dict[sp.Symbol, sp.Expr] = {}
        for row in self.layers[1:]:
            for n in row:
                full[n.net] = self.local[n.net].xreplace(full)
            for n in row:
                full[n.out] = self.local[n.out].xreplace(full)
        return full

    def expand(self, expr: sp.Expr) -> sp.Expr:
        """``expr`` with every ``net_*``/``out_*`` replaced by its formula in inputs and
        parameters. The expansion is built on first use: a derivation never needs it.

        Each ``out_*`` of a layer appears in every ``net_*`` of the next, so the expansion grows
        with the product of the widths; beyond :data:`~bpderive.limits.MAX_FORMULA` it is
        refused, by its size counted on the small local equations, before anything is built;
        counting walks every local equation, so on a network beyond
        :data:`~bpderive.limits.MAX_WRITTEN` parameters it is refused before that."""
        self.check_work("expand()", MAX_WRITTEN, _KEEP_SYMBOLS)
        check_formula_size(
            "the expansion into inputs and parameters",
            _tree_size(expr, self._expanded_sizes),
            _KEEP_SYMBOLS,
        )
        return expr.xreplace(self.expansion)

    @cached_property
    def _expanded_sizes(self) -> dict[sp.Symbol, int]:
        """The size of every ``net_*``/``out_*`` written in inputs and parameters."""
        sizes: dict[sp.Symbol, int] = {}
        for row in self.layers[1:]:
            for key in ("net", "out"):
                for n in row:
                    symbol = getattr(n, key)
                    sizes[symbol] = _tree_size(self.local[symbol], sizes)
        return sizes

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

    def environment(
        self, params: Mapping[str, object], x: object, target: object, digits: int = 17
    ) -> dict[sp.Symbol, sp.Float]:
        """The number of every symbol for one sample: inputs, targets, parameters, and each
        ``net_*``/``out_*`` by evaluating the local equations in order (SymPy arithmetic, not the
        compiled path, so that the two can be checked against each other), with ``digits``
        significant digits (the given floats are exact binary numbers, so more digits only
        make the arithmetic more exact). It walks every parameter and unit, so a network beyond
        :data:`~bpderive.limits.MAX_EVALUATED` parameters is refused."""
        self.check_work(
            "environment() (one sample in SymPy arithmetic)",
            MAX_EVALUATED,
            "use the compiled network: net.compile().gradients(params, X, T)",
        )
        checked = check_params(self.sizes, params)
        X = check_rows("x", x, self.sizes[0], "input")
        T = check_rows("target", target, self.sizes[-1], "output")
        for name, rows in (("x", X), ("target", T)):
            if rows.shape[0] != 1:
                raise ValueError(f"{name}: expected one sample, got {rows.shape[0]} rows")
        self.loss.check_targets("target", T)
        env: dict[sp.Symbol, sp.Float] = {}
        for n, v in zip(self.layers[0], X[0], strict=True):
            env[n.out] = sp.Float(float(v), digits)
        for t, v in zip(self.targets, T[0], strict=True):
            env[t] = sp.Float(float(v), digits)
        for p in self.parameters.values():
            env[p.symbol] = sp.Float(float(checked[p.key][p.index]), digits)
        for row in self.layers[1:]:
            for n in row:
                env[n.net] = sp.Float(self.local[n.net].xreplace(env), digits)
            for n in row:
                env[n.out] = sp.Float(self.local[n.out].xreplace(env), digits)
        return env

"""The matrix form of the network: the forward pass ``net = W·a + b`` (三.3.1) and the backward
pass, the four equations of back-propagation (in Nielsen's form), for one sample and for a batch.

The article writes the forward pass with matrices, ``net = W·aᵀ + bᵀ``, and then each row out;
:func:`forward` gives both, as SymPy matrices of the network's own symbols. The backward pass it
writes only as scalar chains; :func:`backward` gathers the same chains into matrices, layer by
layer from the output:

* δ⁽ᴸ⁾ = ∇ₐE ⊙ f′(net⁽ᴸ⁾) (a softmax output layer: J⁽ᴸ⁾ᵀ∇ₐE, its Jacobian not being diagonal);
* δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾ᵀ δ⁽ˡ⁺¹⁾) ⊙ f′(net⁽ˡ⁾);
* ∂E/∂b⁽ˡ⁾ = δ⁽ˡ⁾;
* ∂E/∂W⁽ˡ⁾ = δ⁽ˡ⁾ a⁽ˡ⁻¹⁾ᵀ.

The matrices hold the chains' own pieces (``∇ₐE`` is the derived ``∂E_total/∂out_k``, ``f′`` the
activation factors), and :func:`prove` checks, entry by entry with SymPy, that each equation
gives back the scalar chain of every δ and every gradient. :func:`batch` writes the same four
equations for N samples at once, one row per sample, as the compiled code computes them.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from bpderive.language import pick
from bpderive.symbolic import texts
from bpderive.symbolic.chain import Factor
from bpderive.symbolic.derivation import Derivation
from bpderive.symbolic.notation import OrderedEq, Partial, name_text
from bpderive.symbolic.structure import NetworkStructure, Neuron

Matrix = sp.ImmutableMatrix


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


def forward(s: NetworkStructure) -> list[LayerMatrices]:
    """The matrix form of every weight layer: ``W(l)``, ``a``, ``b(l)``, ``net``, ``out``."""
    result = []
    for layer in range(1, s.n_layers + 1):
        below, here = s.layers[layer - 1], s.layers[layer]
        W = sp.ImmutableMatrix(
            [[s.weight(layer, i, j).symbol for i in range(len(below))] for j in range(len(here))]
        )
        b = sp.ImmutableMatrix([s.bias(layer, j).symbol for j in range(len(here))])
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


#: The batch form's matrices: text and LaTeX of each name (the layer is added as ``(l)``).
_MATRICES = {
    "Delta": ("Δ", r"\Delta"),
    "F'": ("F′", "F'"),
    "A": ("A", "A"),
    "W": ("W", "W"),
    "grad_A E": ("∇_A E", r"\nabla_{A} E"),
    "dE/dW": ("∂E/∂W", r"\frac{\partial E}{\partial W"),
    "dE/db": ("∂E/∂b", r"\frac{\partial E}{\partial b"),
}


class MatrixName(sp.MatrixSymbol):
    """A matrix of the batch form, named in text as ``Delta(2)``, ``W(2)``, ``dE/dW(1)``, printed
    as a reader writes it: ``Δ(2)`` in text, ``\\Delta^{(2)}`` in LaTeX."""

    def _parts(self) -> tuple[str, str]:
        base, _, layer = str(self.name).partition("(")
        return base, layer.rstrip(")")

    def _latex(self, printer: object) -> str:
        base, layer = self._parts()
        tex = _MATRICES[base][1]
        if tex.startswith(r"\frac"):  # ∂E/∂W(l): the layer on W, then close the fraction
            return f"{tex}^{{({layer})}}}}"
        return f"{tex}^{{({layer})}}" if layer else tex

    def _sympystr(self, printer: object) -> str:
        base, layer = self._parts()
        return f"{_MATRICES[base][0]}({layer})" if layer else _MATRICES[base][0]


@dataclass(frozen=True)
class BackwardLayer:
    """The backward pass of one weight layer ``layer`` for one sample: ``delta`` (δ⁽ˡ⁾, a column
    of the units' δ symbols), ``local`` (f′(net⁽ˡ⁾), a column of activation factors; for softmax
    the Jacobian), ``upstream`` (∇ₐE at the output layer, else ``W_next``ᵀ·``delta_next``
    unevaluated), ``below`` (a⁽ˡ⁻¹⁾), and ``grad_W``, ``grad_b``: the labels ∂E/∂w, ∂E/∂b."""

    layer: int
    delta: Matrix
    local: Matrix
    grad_out: Matrix | None
    W_next: Matrix | None
    delta_next: Matrix | None
    below: Matrix
    grad_W: Matrix
    grad_b: Matrix

    @property
    def output(self) -> bool:
        return self.grad_out is not None

    @property
    def coupled(self) -> bool:
        """A softmax layer: ``local`` is the Jacobian, not a column."""
        return self.local.shape[1] != 1

    def rhs_delta(self, evaluate: bool = False) -> sp.MatrixBase:
        """The right-hand side of the δ equation, unevaluated (for display) or evaluated."""
        upstream = self.grad_out if self.output else sp.MatMul(self.W_next.T, self.delta_next)
        if self.coupled:
            product = sp.MatMul(self.local.T, upstream, evaluate=False)
            return product.doit() if evaluate else product
        if not self.output:
            upstream = sp.MatMul(sp.Transpose(self.W_next), self.delta_next, evaluate=False)
        if evaluate:
            return Matrix(upstream.doit()).multiply_elementwise(self.local)
        return sp.HadamardProduct(upstream, self.local, evaluate=False)

    def equations(self) -> list[OrderedEq]:
        """δ⁽ˡ⁾, ∂E/∂b⁽ˡ⁾ and ∂E/∂W⁽ˡ⁾ as equations of matrices, in the article's symbols."""
        outer = sp.MatMul(self.delta, sp.Transpose(self.below), evaluate=False)
        return [
            OrderedEq(self.delta, self.rhs_delta(), evaluate=False),
            OrderedEq(self.grad_b, self.delta, evaluate=False),
            OrderedEq(self.grad_W, outer, evaluate=False),
        ]


def backward(s: NetworkStructure, d: Derivation) -> list[BackwardLayer]:
    """Every weight layer's :class:`BackwardLayer`, output layer last (as ``forward``)."""
    E = s.symbol("E_total")
    layers = []
    for layer in range(1, s.n_layers + 1):
        units = s.layers[layer]
        below = Matrix([n.out for n in s.layers[layer - 1]])
        output = layer == s.n_layers
        if s.activations[layer - 1].elementwise:
            local = Matrix([d.activation_factor(n).expr for n in units])
        else:
            local = Matrix([[d.activation_factor(k, n).expr for n in units] for k in units])
        grad_out = Matrix([sp.diff(s.error_expr, n.out) for n in units]) if output else None
        W_next = delta_next = None
        if not output:
            W_next = forward_weights(s, layer + 1)
            delta_next = Matrix([s.delta_symbol(n.name) for n in s.layers[layer + 1]])
        grad_W = Matrix(
            [
                [Partial(E, s.weight(layer, i, j).symbol) for i in range(below.rows)]
                for j in range(len(units))
            ]
        )
        grad_b = Matrix([Partial(E, s.bias(layer, j).symbol) for j in range(len(units))])
        delta = Matrix([s.delta_symbol(n.name) for n in units])
        layers.append(
            BackwardLayer(layer, delta, local, grad_out, W_next, delta_next, below, grad_W, grad_b)
        )
    return layers


def forward_weights(s: NetworkStructure, layer: int) -> Matrix:
    """``W(l)``: row ``j`` holds the weights into unit ``j``."""
    return Matrix(
        [
            [s.weight(layer, i, j).symbol for i in range(len(s.layers[layer - 1]))]
            for j in range(len(s.layers[layer]))
        ]
    )


@dataclass(frozen=True)
class Proof:
    """What :func:`prove` checked: how many δ and gradient entries, all equal to their chains."""

    deltas: int
    gradients: int

    def __repr__(self) -> str:
        return pick(texts.PROOF).format(deltas=self.deltas, gradients=self.gradients)


def prove(s: NetworkStructure, d: Derivation) -> Proof:
    """Check every entry of every layer's equations against the scalar chains: the δ equation
    must give each unit's δ chain, ``δ`` the bias gradients and ``δ·aᵀ`` the weight gradients.
    Raises ``AssertionError`` naming an entry that differs (none does: the chains are what the
    matrices are built from, and this says so).

    The proof goes one layer at a time, by induction from the output layer down. A hidden
    unit's δ chain is a sum of paths, each path the δ chain of a unit above (the very same
    items, checked here) times ``∂net_up/∂out``; with those δ chains written as their symbols
    ``δ_up`` the chain is a small formula, and it must equal the matrix form's entry, which is
    written in the same symbols. Substituting the chains back would prove the same equality,
    but the written-out chains grow with the product of the layer widths."""
    level = {s.delta_symbol(n.name): _one_level(s, d, n) for row in s.layers[1:] for n in row}
    deltas = gradients = 0
    for layer in backward(s, d):
        rhs = layer.rhs_delta(evaluate=True)
        for j in range(layer.delta.rows):
            _equal(rhs[j], level[layer.delta[j]], f"δ of layer {layer.layer}")
            deltas += 1
        products = {layer.grad_b[j]: layer.delta[j] for j in range(layer.delta.rows)} | {
            layer.grad_W[j, i]: layer.delta[j] * layer.below[i]
            for j in range(layer.grad_W.rows)
            for i in range(layer.grad_W.cols)
        }
        for label, product in products.items():
            p = s.resolve(label.bottom.name)
            chain = d.gradient(p.name)
            top = s.neurons[p.target]
            link = chain.items[-1]
            head = _head(d, top, chain.items[:-1])
            _equal(product, head * link.expr, name_text(label.name))
            gradients += 1
    return Proof(deltas, gradients)


def _head(d: Derivation, up: Neuron, items: tuple) -> sp.Expr:
    """``δ_up`` when ``items`` are the items of ``up``'s δ chain (the same objects, or, for the
    article's path label ``∂E_o1/∂out_o1``, factors of the same formulas); otherwise an
    ``AssertionError``: the chain would not be built from the δ above."""
    own = d.delta_items(up)
    if not own:
        if all(isinstance(i, Factor) and i.expr == 0 for i in items):
            return sp.Integer(0)
    elif len(items) == len(own) and all(a is b for a, b in zip(items, own, strict=True)):
        return d.s.delta_symbol(up.name)
    elif all(isinstance(i, Factor) for i in (*items, *own)) and sp.Mul(
        *[i.expr for i in items]
    ) == sp.Mul(*[i.expr for i in own]):
        return d.s.delta_symbol(up.name)
    raise AssertionError(f"a chain through net_{up.name} does not start with δ_{up.name}")


def _one_level(s: NetworkStructure, d: Derivation, n: Neuron) -> sp.Expr:
    """``δ_n``'s chain with the δ chains of the layer above written as their symbols."""
    items = d.delta_items(n)
    if n.layer == s.n_layers or not items:
        return sp.Mul(*[i.expr for i in items]) if items else sp.Integer(0)
    paths, activation = items
    net_of = {m.net: m for m in s.layers[n.layer + 1]}
    total = sp.Add(
        *[
            _head(d, net_of[path.items[-1].label.top], path.items[:-1]) * path.items[-1].expr
            for path in paths.terms
        ]
    )
    return total * activation.expr


def _equal(a: sp.Expr, b: sp.Expr, what: str) -> None:
    difference = a - b
    if sp.expand(difference) != 0 and sp.simplify(difference) != 0:
        raise AssertionError(f"{what}: the matrix form gives {a}, the chain {b}")


def batch(s: NetworkStructure) -> list[OrderedEq]:
    """The four equations for ``N`` samples at once, one row per sample (the compiled code's
    layout): ``Δ⁽ᴸ⁾ = ∇_A E ⊙ F′⁽ᴸ⁾``, ``Δ⁽ˡ⁾ = (Δ⁽ˡ⁺¹⁾ W⁽ˡ⁺¹⁾) ⊙ F′⁽ˡ⁾``,
    ``∂E/∂b⁽ˡ⁾ = (1/N) Δ⁽ˡ⁾ᵀ 1`` and ``∂E/∂W⁽ˡ⁾ = (1/N) Δ⁽ˡ⁾ᵀ A⁽ˡ⁻¹⁾`` (the cost is the mean over
    the samples), for an element-wise output layer."""
    N = sp.Symbol("N", integer=True, positive=True)
    L = s.n_layers
    ones = sp.OneMatrix(N, 1)
    out = []
    for layer in range(L, 0, -1):
        n_l = s.sizes[layer]
        Delta = MatrixName(f"Delta({layer})", N, n_l)
        F = MatrixName(f"F'({layer})", N, n_l)
        if layer == L:
            upstream = MatrixName("grad_A E", N, n_l)
        else:
            upstream = sp.MatMul(
                MatrixName(f"Delta({layer + 1})", N, s.sizes[layer + 1]),
                MatrixName(f"W({layer + 1})", s.sizes[layer + 1], n_l),
                evaluate=False,
            )
        A = MatrixName(f"A({layer - 1})", N, s.sizes[layer - 1])
        grad_W = MatrixName(f"dE/dW({layer})", n_l, s.sizes[layer - 1])
        grad_b = MatrixName(f"dE/db({layer})", n_l, 1)
        out += [
            OrderedEq(Delta, sp.HadamardProduct(upstream, F, evaluate=False), evaluate=False),
            OrderedEq(grad_b, sp.MatMul(1 / N, Delta.T, ones, evaluate=False), evaluate=False),
            OrderedEq(grad_W, sp.MatMul(1 / N, Delta.T, A, evaluate=False), evaluate=False),
        ]
    return out

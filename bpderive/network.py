"""The network of section 三: its symbols, its derivation, and its compiled form, in one object.

:class:`Network` is where the stages meet for a user: it *is* the network's structure (names,
symbols, local equations: :mod:`bpderive.symbolic.structure`), it asks a
:class:`~bpderive.symbolic.derivation.Derivation` for every chain, and :meth:`Network.compile`
hands the derived per-layer rules (:mod:`bpderive.symbolic.rules`) to :mod:`bpderive.numeric`.
The symbolic stage never imports the numeric one, and the numeric one never calls back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Literal, overload

import sympy as sp

from bpderive.limits import MAX_CHAINS, MAX_EVALUATED, MAX_WRITTEN
from bpderive.numeric.compiled import CompiledNetwork
from bpderive.numeric.jax_backend import JaxNetwork
from bpderive.symbolic import matrix_form
from bpderive.symbolic.activations import Activation
from bpderive.symbolic.chain import Chain, ChainRule
from bpderive.symbolic.derivation import Derivation
from bpderive.symbolic.losses import Loss
from bpderive.symbolic.matrix_form import LayerMatrices
from bpderive.symbolic.rules import DerivedRules, derive_rules
from bpderive.symbolic.structure import _ARTICLE_SIZES, NetworkStructure

#: What to use instead of the matrix form on a network too large to write it out.
_NUMERIC = "the compiled network computes it: net.compile()"


class Network(NetworkStructure):
    """A fully connected BP network, derived symbolically.

    ``sizes`` is (inputs, hidden..., outputs); ``activations`` one activation for every layer or
    one per weight layer, each a name (``"logistic"``, ``"tansig"``, …) or an
    :class:`~bpderive.Activation`; ``loss`` the per-sample error, a name or a
    :class:`~bpderive.Loss`. The defaults are the article's 2-3-2 logistic network with
    ``E_total = ½Σ(target − out)²``.
    """

    def __init__(
        self,
        sizes: Sequence[int] = _ARTICLE_SIZES,
        activations: str | Activation | Sequence[str | Activation] = "logistic",
        loss: str | Loss = "half_sse",
    ) -> None:
        super().__init__(sizes, activations, loss)
        self._derivation = Derivation(self)

    def __repr__(self) -> str:
        acts = ", ".join(a.name for a in self.activations)
        return f"Network(sizes={self.sizes}, activations=({acts}), loss={self.loss.name!r})"

    # ---------------------------------------------------------------- saving

    def spec(self) -> dict[str, object]:
        """What defines the network, as plain JSON-able data (for saving and loading): built-in
        activations and losses by name, any other by its formula as data. A formula that cannot
        be written so is refused with the activation (and its layer) or the loss named: the
        codec alone knows only the formula, and a learner's network may hold several."""
        last = len(self.activations)
        activations = [
            _spec(a, f"activation {a.name!r} of layer {k} ({'output' if k == last else 'hidden'})")
            for k, a in enumerate(self.activations, start=1)
        ]
        return {
            "sizes": list(self.sizes),
            "activations": activations,
            "loss": _spec(self.loss, f"loss {self.loss.name!r}"),
        }

    @classmethod
    def from_spec(cls, spec: Mapping[str, object]) -> Network:
        """The network that :meth:`spec` describes (no code from it is ever run)."""
        try:
            sizes, entries, loss = spec["sizes"], spec["activations"], spec["loss"]
        except (KeyError, TypeError):
            raise ValueError(
                f"spec: expected a mapping with keys sizes, activations, loss, got {spec!r:.200}"
            ) from None
        if not isinstance(entries, list):
            raise ValueError(f"spec['activations']: expected a list, got {entries!r:.200}")
        activations = [Activation.from_spec(e) if isinstance(e, Mapping) else e for e in entries]
        if isinstance(loss, Mapping):
            loss = Loss.from_spec(loss)
        return cls(sizes, activations, loss)  # type: ignore[arg-type]

    # ---------------------------------------------------------------- derivation

    def gradient(self, name: str, of: str = "E_total") -> ChainRule:
        """``∂E_total/∂p`` for a parameter, as the chain of local derivatives the article writes.

        ``name`` is a canonical name (``w_(1,1)``, ``b4``) or an article alias (``w5``). ``of``
        picks what is differentiated: ``"E_total"``, or, for a sum-of-squares loss, one output's
        error ``"e_o1"`` (``target_o1 − out_o1`` for the squared errors), whose chains are the
        rows of the Jacobian that Levenberg–Marquardt training uses."""
        return self._derivation.gradient(name, of)

    def chains(self, of: str = "E_total") -> dict[str, ChainRule]:
        """Every parameter's chain, in canonical order (up to
        :data:`~bpderive.limits.MAX_CHAINS` parameters: each chain is derived)."""
        self.check_work("chains()", MAX_CHAINS, "ask for one: net.gradient(name)")
        return {name: self.gradient(name, of) for name in self.parameters}

    def jacobian(self, output: str) -> dict[str, ChainRule]:
        """One row of the error Jacobian for one sample: ``∂e_o/∂p`` for every parameter
        (``output`` is ``"o1"``, ``"o2"``, …); a sum-of-squares loss only."""
        return self.chains(f"e_{output}")

    def delta(self, neuron: str) -> Chain:
        """``δ_n = ∂E_total/∂net_n`` as a chain, e.g.
        ``δ_o1 = ∂E_total/∂out_o1 · ∂out_o1/∂net_o1``."""
        return self._derivation.delta(neuron)

    def delta_rule(self, neuron: str) -> sp.Eq:
        """``δ_n`` written with the deltas of the layer above: the backward recursion
        ``δ_h1 = (δ_o1·w_(1,1) + δ_o2·w_(1,2))·∂out_h1/∂net_h1``."""
        return self._derivation.delta_rule(neuron)

    def matrices(self) -> list[LayerMatrices]:
        """The matrix form of every weight layer (:func:`bpderive.symbolic.matrix_form.forward`),
        one symbol per parameter (up to :data:`~bpderive.limits.MAX_WRITTEN`)."""
        self.check_work("matrices()", MAX_WRITTEN, _NUMERIC)
        return matrix_form.forward(self)

    def backward(self) -> list[matrix_form.BackwardLayer]:
        """The backward pass in matrix form, layer by layer: δ⁽ˡ⁾, ∂E/∂b⁽ˡ⁾ and ∂E/∂W⁽ˡ⁾
        (:func:`bpderive.symbolic.matrix_form.backward`), up to
        :data:`~bpderive.limits.MAX_EVALUATED` parameters."""
        self.check_work("backward()", MAX_EVALUATED, _NUMERIC)
        return matrix_form.backward(self, self._derivation)

    def prove_backward(self) -> matrix_form.Proof:
        """SymPy's check that the matrix form gives back every scalar chain
        (:func:`bpderive.symbolic.matrix_form.prove`), up to :data:`~bpderive.limits.MAX_CHAINS`
        parameters: every chain is derived."""
        self.check_work("prove_backward()", MAX_CHAINS, "prove it on a smaller network")
        return matrix_form.prove(self, self._derivation)

    def backward_batch(self) -> list[sp.Eq]:
        """The four equations for a batch of N samples, one row per sample
        (:func:`bpderive.symbolic.matrix_form.batch`)."""
        return matrix_form.batch(self)

    # ---------------------------------------------------------------- compiled form

    @cached_property
    def rules(self) -> DerivedRules:
        """The per-layer rules the compiled network is built from (derived once per layer)."""
        return derive_rules(self._derivation)

    @overload
    def compile(self, backend: Literal["numpy"] = "numpy") -> CompiledNetwork: ...

    @overload
    def compile(self, backend: Literal["jax"]) -> JaxNetwork: ...

    def compile(self, backend: str = "numpy") -> CompiledNetwork | JaxNetwork:
        """The derived rules as vectorised NumPy code (:mod:`bpderive.numeric`), or with
        ``backend="jax"`` as jitted JAX code (:mod:`bpderive.numeric.jax_backend`, an optional
        extra: ``pip install "bpderive[jax]"``).

        Compiling costs a fraction of a second, so the result is kept: every later call (from
        training, a sweep, a notebook cell run twice) returns the same compiled network."""
        if backend == "numpy":
            return self._compiled
        if backend == "jax":
            return self._jax
        raise ValueError(f"backend: expected 'numpy' or 'jax', got {backend!r}")

    @cached_property
    def _jax(self) -> JaxNetwork:
        return JaxNetwork(self.rules)

    @cached_property
    def _compiled(self) -> CompiledNetwork:
        return CompiledNetwork(self.rules)


def _spec(part: Activation | Loss, what: str) -> str | dict[str, object]:
    """``part.spec()``, or a ``ValueError`` naming ``what`` cannot be saved, and why."""
    try:
        return part.spec()
    except ValueError as error:
        raise ValueError(
            f"net: {what} cannot be saved: {error}. A user's own formula (here "
            f"{str(part.formula):.80}) is saved as data, never as code, so that loading a file "
            f"runs nothing from it"
        ) from None

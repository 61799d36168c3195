"""The network of section 三: its symbols, its derivation, its numbers and its compiled form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property

import sympy as sp

from bpderive.checks import check_params, check_rows
from bpderive.numeric.compiled import CompiledNetwork
from bpderive.symbolic.activations import ACTIVATIONS, Activation, Softmax, prelu
from bpderive.symbolic.chain import Factor, Sum
from bpderive.symbolic.derivation import Derivation
from bpderive.symbolic.losses import Loss, get_loss
from bpderive.symbolic.structure import _ARTICLE_SIZES, _check_sizes


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


class Network(Derivation):
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

"""Each student's own numbers: the article's 2-3-2 network with weights, inputs and targets drawn
from the student's ID, so that a classmate's numeric answers are of no use to copy.

:func:`variant` seeds NumPy's generator with a hash of the ID and the assignment's seed (SHA-256,
not Python's ``hash``, which changes from one process to the next), so the teacher's autograder,
the student's notebook and the class report all draw the same numbers. Every number has two
decimals, as in the article, so that a student can work by hand. A draw is kept only when every
unit stays out of saturation (:data:`MAX_NET`) and every number graded is at least
:data:`MIN_GRADED` in size, where the tolerance (:data:`TOLERANCE`) would otherwise accept almost
anything; otherwise the next draw of the same generator is taken, so the result stays a function
of the ID and the seed.

The numbers a student computes, :attr:`Variant.numbers`, come from the derived equations: the
forward pass and ``E_total`` from ``Network.environment`` (the local equations evaluated in
order), δ_o1 and ∂E_total/∂w5 from their derived chains, and w5⁺ from the derived update rule.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import groupby

import numpy as np
import sympy as sp

from bpderive import language
from bpderive.classroom.texts import COLON, GIVEN, GROUPS
from bpderive.network import Network
from bpderive.symbolic.notation import text
from bpderive.worked_example import WorkedExample

#: The article's learning rates, the same for every student (η1 for weights, η2 for biases).
ETA1, ETA2 = 0.5, 0.25
#: A unit is out of saturation while |net| ≤ MAX_NET: there out(1 − out) ≥ 0.105, a quarter or
#: more of its largest value, so no factor of a chain is vanishingly small by hand.
MAX_NET = 2.0
#: Each number graded must be at least this large in size, so that the absolute part of the
#: tolerance is a small fraction of it.
MIN_GRADED = 0.01
#: Graded numbers are right within ``math.isclose(given, expected, rel_tol=1e-3, abs_tol=5e-4)``:
#: a student who keeps four decimals in every intermediate result, as the article's readers do,
#: lands within it; a wrong factor or a wrong sign (every number is at least 0.01) does not.
TOLERANCE = {"rel_tol": 1e-3, "abs_tol": 5e-4}
#: What a student computes by hand, by the Python name written in the notebook, with its label.
NUMBERS = {
    "out_h1": "out_h1",
    "out_o1": "out_o1",
    "E_total": "E_total",
    "delta_o1": "δ_o1",
    "dE_dw5": "∂E_total/∂w5",
    "w5_new": "w5⁺",
}
#: Draws tried before giving up (about two in three are kept, so this is never reached).
_DRAWS = 1000


@cache
def network() -> Network:
    """The article's 2-3-2 logistic network, built and derived once per process."""
    return Network()


@dataclass(frozen=True)
class Variant(WorkedExample):
    """A worked example drawn for one student: the article's network, its own numbers."""

    student_id: str = ""
    seed: int = 0

    @cached_property
    def numbers(self) -> dict[str, float]:
        """The hand-computation answers, by the names of :data:`NUMBERS`."""
        net, env = self.net, self.env
        gradient = net.gradient("w5").evaluate(self.params, self.x, self.target)
        rule = net.gradient("w5").update()
        grad_label = net.gradient("w5").label
        new = rule.rhs.xreplace({**env, grad_label: sp.Float(gradient.value)})
        return {
            "out_h1": float(env[net.symbol("out_h1")]),
            "out_o1": float(env[net.symbol("out_o1")]),
            "E_total": float(env[net.symbol("E_total")]),
            "delta_o1": net.delta("o1").numbers(env).value,
            "dE_dw5": gradient.value,
            "w5_new": float(new),
        }

    def rows(self) -> list[tuple[str, list[tuple[str | None, sp.Symbol, float]]]]:
        """The numbers the student starts from, a row per group and unit, as both the notebook
        and the paper sheet show them: the inputs, the targets, the weights into each unit (a
        group, :data:`~bpderive.classroom.texts.GROUPS`, per layer), each layer's biases. A
        cell is (the article's short name or ``None``, the symbol, its value): w5 = w_(1,1)."""
        net, env = self.net, self.env
        short = {name: alias for alias, name in net.aliases.items()}
        rows: dict[tuple[str, str], list[tuple[str | None, sp.Symbol]]] = {
            ("x", ""): [(None, n.out) for n in net.layers[0]],
            ("target", ""): [(None, t) for t in net.targets],
        }
        for p in net.parameters.values():
            row = (p.key, "" if p.is_bias else p.target)
            rows.setdefault(row, []).append((short.get(p.name), p.symbol))
        return [
            (group, [(alias, symbol, float(env[symbol])) for alias, symbol in cells])
            for (group, _), cells in rows.items()
        ]

    def given(self, lang: str | None = None) -> str:
        """The numbers the student starts from, as Markdown in ``lang``: a line per group, and
        a group of weights a line per unit under it, so that a student copies a unit's weights
        from one line."""
        comma, colon = language.pick((", ", "，"), lang), language.pick(COLON, lang)
        lines = []
        for group, rows in groupby(self.rows(), key=lambda row: row[0]):
            units = [
                comma.join(
                    f"{alias + ' = ' if alias else ''}{text(symbol)} = {value:.2f}"
                    for alias, symbol, value in cells
                )
                for _, cells in rows
            ]
            label = language.pick(GROUPS[group], lang)
            if len(units) == 1:
                lines.append(f"* {label}{colon}{units[0]}")
            else:
                lines += [f"* {label}{colon.rstrip()}", *(f"  * {unit}" for unit in units)]
        return language.pick(GIVEN, lang).format(
            student_id=self.student_id, rows="\n".join(lines), eta1=self.eta1, eta2=self.eta2
        )

    def _repr_markdown_(self) -> str:
        return self.given()

    def __str__(self) -> str:
        return self.given()


def _draw(rng: np.random.Generator, low: float, high: float, shape: tuple[int, ...]) -> np.ndarray:
    """Uniform numbers in [low, high], rounded to two decimals like the article's."""
    return np.round(rng.uniform(low, high, shape), 2)


def _fits(candidate: Variant) -> bool:
    """Every unit out of saturation and every graded number large enough to grade."""
    units = [n for n in candidate.net.neurons.values() if n.net is not None]
    if any(abs(float(candidate.env[n.net])) > MAX_NET for n in units):
        return False
    return all(abs(value) >= MIN_GRADED for value in candidate.numbers.values())


def variant(student_id: str, seed: int = 0) -> Variant:
    """The article's network with weights, biases, inputs and targets drawn from ``student_id``
    and ``seed`` (an assignment's seed: a new one gives every student new numbers).

    Weights and biases lie in [0.10, 0.90] and inputs in [0.05, 0.95], like the article's; one
    target is low, in [0.01, 0.30], the other high, in [0.70, 0.99], so that each output is
    pushed its own way; which output gets which is drawn too."""
    if not isinstance(student_id, str) or not student_id.strip():
        raise ValueError(f"student_id: expected a non-empty string, got {student_id!r}")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(f"seed: expected a whole number, got {seed!r}")
    digest = hashlib.sha256(f"{student_id.strip()}\0{seed}".encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:8], "big"))
    net = network()
    for _ in range(_DRAWS):
        params = {key: _draw(rng, 0.10, 0.90, shape) for key, shape in net.parameter_shapes.items()}
        x = _draw(rng, 0.05, 0.95, (2,))
        target = np.array([_draw(rng, 0.01, 0.30, ())[()], _draw(rng, 0.70, 0.99, ())[()]])
        if rng.random() < 0.5:
            target = target[::-1].copy()
        candidate = Variant(
            net, params, x, target, ETA1, ETA2, name="variant",
            source=__doc__ or "", student_id=student_id.strip(), seed=seed,
        )  # fmt: skip
        if _fits(candidate):
            return candidate
    raise RuntimeError(f"variant: no draw in {_DRAWS} fits for {student_id!r}")  # pragma: no cover


def close(given: float, expected: float) -> bool:
    """Whether a hand-computed number is right: within :data:`TOLERANCE` of the expected one."""
    return math.isclose(given, expected, **TOLERANCE)

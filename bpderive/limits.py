"""The sizes bpderive refuses up front, each with the reason, so that every call finishes in
seconds or says at once why it will not.

A symbolic network costs per symbol: every weight and bias is a SymPy symbol with its own term
in a local equation, every unit its own activation formula. Past the limits below, building alone
takes minutes (``Network((2, 10**9, 2))`` would never finish), so the sizes are checked before
anything is built. A formula written out as one expression (a chain's ``expr``, its expansion
into inputs and parameters, the matrix-form proof) grows with the *number of paths*, the product
of the layer widths, so it is refused by its estimated size instead, and the chain, its numbers
and the compiled code, which never write it out, keep working.
"""

from __future__ import annotations

#: Weights and biases of one network: each a symbol and a term of a local equation (about
#: 30 µs each to build), so 100,000 take a few seconds.
MAX_PARAMETERS = 100_000
#: Hidden and output units: each has its own activation formula and δ.
MAX_UNITS = 5_000
#: Weight layers: a chain of the first layer's weight recurses once per layer, and beyond a few
#: hundred layers Python's recursion limit is reached.
MAX_LAYERS = 100
#: Operations and symbols in one formula written out in full (a tree, counted with its repeated
#: parts): printing or simplifying more takes longer than a reader would wait.
MAX_FORMULA = 50_000


class LimitError(ValueError):
    """A request beyond one of the limits above; the message names the argument and the limit."""


def check_network_size(sizes: tuple[int, ...]) -> None:
    """Refuse a network beyond :data:`MAX_LAYERS`, :data:`MAX_UNITS` or :data:`MAX_PARAMETERS`
    before a single symbol is made."""
    shape = "-".join(map(str, sizes)) if len(sizes) <= 8 else f"{len(sizes)}-layer"
    layers = len(sizes) - 1
    if layers > MAX_LAYERS:
        raise LimitError(
            f"sizes: a network of {layers} weight layers is deeper than bpderive builds "
            f"(at most {MAX_LAYERS}: every chain recurses once per layer)"
        )
    units = sum(sizes[1:])
    if units > MAX_UNITS:
        raise LimitError(
            f"sizes: the {shape} network has {units:,} hidden and output units, bpderive builds "
            f"at most {MAX_UNITS:,} (each has its own symbolic equations)"
        )
    parameters = sum(a * b + b for a, b in zip(sizes, sizes[1:], strict=False))
    if parameters > MAX_PARAMETERS:
        raise LimitError(
            f"sizes: the {shape} network has {parameters:,} weights and biases, bpderive builds "
            f"at most {MAX_PARAMETERS:,} (each is a SymPy symbol; more would take minutes)"
        )


def check_formula_size(what: str, size: int, advice: str) -> None:
    """Refuse to write out a formula of ``size`` operations and symbols beyond
    :data:`MAX_FORMULA`; ``advice`` says what to use instead."""
    if size > MAX_FORMULA:
        raise LimitError(
            f"{what}: written out in full it would have about {size:,} operations and symbols, "
            f"more than the {MAX_FORMULA:,} bpderive writes out; {advice}"
        )

"""The sizes bpderive refuses up front, each with the reason, so that every call finishes in
seconds or says at once why it will not.

A limit bounds what is expensive, not what is big. Building a network makes one object and
two symbols per unit, and a parameter only when it is looked up; compiling derives the rules
once per layer. So the numeric path (``Network``, ``compile``, ``gradients``, ``train``) takes
any network whose parameters fit in memory. What is refused is symbolic work written out for
every parameter or unit (all the chains, the table of names, the numbers of one sample, the
matrix form), a chain whose δ collects too many connections, and arrays a user's memory
cannot hold. A formula written out as one expression grows with the *number of paths*, the
product of the layer widths, so it is refused by its estimated size instead.

The costs quoted were measured on a 2-core machine (Python 3.11, the pinned SymPy), on networks
of 1,500 to 50,000 parameters, and each limit keeps its call under about 5 s there;
``python -m bpderive.bench compile`` times what every learner meets first.
"""

from __future__ import annotations

#: Weight layers: a chain of the first layer's weight recurses once per layer, and beyond a few
#: hundred layers Python's recursion limit is reached.
MAX_LAYERS = 100
#: Hidden and output units: each is built with its ``net``/``out`` symbols when the network is
#: (29 ms per 1,000 units, so 100,000 take about 3 s).
MAX_UNITS = 100_000
#: Weights and biases: one vector of them is 8 bytes each, 0.37 GiB at this limit, and training
#: keeps several (the parameters, the gradients, the step, the momentum, the best so far).
MAX_PARAMETERS = 50_000_000
#: Parameters a call writes something symbolic for, one each: every symbol
#: (``net.symbols``, 11 ms per 1,000), the name table (4 ms), the forward equations (21 ms),
#: the sizes of the expansion (23 ms), the matrix form (11 ms).
MAX_WRITTEN = 100_000
#: Parameters a call evaluates or derives something for, one each: one sample's number of every
#: symbol in SymPy arithmetic (``net.environment``, behind a chain's numbers, 190 ms per 1,000)
#: and the backward pass in matrix form (57 ms per 1,000).
MAX_EVALUATED = 20_000
#: Parameters whose whole chain is derived, one each: ``net.chains()`` (640 ms per 1,000) and
#: the proof of the matrix form (770 ms per 1,000).
MAX_CHAINS = 5_000
#: Connections above one unit: its δ derives one local derivative per connection between the
#: layers above it (60 to 110 µs each, so 25,000 take up to about 3 s). A chain into the
#: first layer of 784-512-256-10 has 133,632; one into its last hidden layer, 2,560.
MAX_CONNECTIONS = 25_000
#: Units of a softmax output layer: its Jacobian ``∂out_k/∂net_j`` is derived and simplified
#: entry by entry, m² of them, before the first chain or compile (6.5 ms each: 15 units take
#: 1.5 s, 25 about 4 s, 100 would take a minute).
MAX_SOFTMAX_OUTPUTS = 25
#: The Jacobian of Levenberg–Marquardt, ``N·m × P`` floats in GiB; its SVD holds about as
#: much again, so an epoch needs about twice this.
MAX_JACOBIAN_GIB = 2.0
#: Operations and symbols in one formula written out in full (a tree, counted with its repeated
#: parts): printing or simplifying more takes longer than a reader would wait.
MAX_FORMULA = 50_000


class LimitError(ValueError):
    """A request beyond one of the limits above; the message names the argument and the limit."""


def count_parameters(sizes: tuple[int, ...]) -> int:
    """Weights and biases of the network of ``sizes``."""
    return sum(a * b + b for a, b in zip(sizes, sizes[1:], strict=False))


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
            f"at most {MAX_UNITS:,} (each is built with its symbols; more would take minutes)"
        )
    parameters = count_parameters(sizes)
    if parameters > MAX_PARAMETERS:
        gib = parameters * 8 / 2**30
        raise LimitError(
            f"sizes: the {shape} network has {parameters:,} weights and biases, bpderive builds "
            f"at most {MAX_PARAMETERS:,} (one vector of them takes {gib:.1f} GiB, and "
            f"training keeps several)"
        )


def check_symbolic_work(what: str, count: int, noun: str, limit: int, advice: str) -> None:
    """Refuse ``what``, symbolic work for each of ``count`` ``noun`` (parameters or
    connections), beyond ``limit`` of them (:data:`MAX_WRITTEN`, :data:`MAX_EVALUATED`,
    :data:`MAX_CHAINS`, :data:`MAX_CONNECTIONS`); ``advice`` says what to use instead."""
    if count > limit:
        raise LimitError(
            f"net: {what} works symbolically on each of {count:,} {noun}, and bpderive does so "
            f"for at most {limit:,} (a few seconds' work; this would take {count // limit + 1}"
            f" times as long); {advice}"
        )


def check_jacobian_size(rows: int, columns: int) -> None:
    """Refuse a Jacobian of ``rows × columns`` floats beyond :data:`MAX_JACOBIAN_GIB`."""
    gib = rows * columns * 8 / 2**30
    if gib > MAX_JACOBIAN_GIB:
        raise LimitError(
            f"X: Levenberg–Marquardt's Jacobian for these {rows:,} errors (samples × outputs) "
            f"and {columns:,} parameters would take {gib:,.1f} GiB, and bpderive allocates at "
            f"most {MAX_JACOBIAN_GIB:g} GiB (its SVD needs as much again); train on fewer "
            f"samples or with gradient descent (algorithm='gd')"
        )


def check_formula_size(what: str, size: int, advice: str) -> None:
    """Refuse to write out a formula of ``size`` operations and symbols beyond
    :data:`MAX_FORMULA`; ``advice`` says what to use instead."""
    if size > MAX_FORMULA:
        raise LimitError(
            f"{what}: written out in full it would have about {size:,} operations and symbols, "
            f"more than the {MAX_FORMULA:,} bpderive writes out; {advice}"
        )

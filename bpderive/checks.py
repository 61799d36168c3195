"""Checks of what a user passes in, with messages a learner understands.

Every numeric entry point validates here first, so that a wrong shape or a NaN is reported with
the argument's name, what was expected and what was given, instead of surfacing as a broadcasting
error deep inside NumPy, or worse, as a silently wrong number.
"""

from __future__ import annotations

import decimal
import functools
import math
import numbers
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import sympy as sp

from bpderive.limits import check_network_size


def parameter_shapes(sizes: Sequence[int]) -> dict[str, tuple[int, ...]]:
    """``{"W1": (n1, n0), "b1": (n1,), ...}``: row ``j`` of ``W(l)`` holds the weights *into*
    neuron ``j`` of layer ``l``, as in the article's ``W(1)``."""
    shapes: dict[str, tuple[int, ...]] = {}
    for layer in range(1, len(sizes)):
        shapes[f"W{layer}"] = (sizes[layer], sizes[layer - 1])
        shapes[f"b{layer}"] = (sizes[layer],)
    return shapes


def check_sizes(sizes: object) -> tuple[int, ...]:
    """``sizes`` as a tuple of ints: a list, tuple or 1-D integer NumPy array of positive
    integers (NumPy integers too; not ``2.5``, not ``"2"``, not ``True``), within the limits of
    :mod:`bpderive.limits`."""
    expected = (
        "a sequence of at least two positive integers (inputs, hidden..., outputs) "
        "such as (2, 3, 2)"
    )
    if (
        getattr(sizes, "ndim", 1) != 1
        or isinstance(sizes, str | bytes)
        or not isinstance(sizes, Sequence | np.ndarray)
    ):
        raise ValueError(f"sizes: expected {expected}, got {sizes!r:.200}")
    checked = []
    for s in sizes:
        try:
            value = operator.index(s)  # int and NumPy integers; not 2.5, not "2"
        except TypeError:
            value = 0
        checked.append(0 if isinstance(s, bool | np.bool_) else value)
    if len(checked) < 2 or min(checked) < 1:
        raise ValueError(f"sizes: expected {expected}, got {tuple(sizes)!r:.200}")
    check_network_size(tuple(checked))
    return tuple(checked)


def _finite(name: str, array: np.ndarray) -> None:
    if not np.isfinite(array).all():
        where = np.argwhere(~np.isfinite(array))[0]
        at = ", ".join(str(int(i)) for i in where)
        raise ValueError(f"{name}: contains NaN or infinite values (first at [{at}])")


def as_array(name: str, value: object) -> np.ndarray:
    """``value`` as a float array, or a ValueError naming ``name`` when it is not numeric.

    Only numbers are numbers: NumPy would read ``["0.1", "0.2"]`` as floats and a masked array
    as its data with the masked values in it, so both are refused here, as are booleans (an
    array of ``True``/``False`` is a mask, not data) and complex numbers. Real numbers of any
    kind are numbers, though: a ``sympy.Matrix`` of ``Float``, SymPy's ``Integer`` and
    ``Rational``, ``Fraction`` and ``Decimal`` arrive as an object array, and each entry is
    converted on its own by :func:`real_number` (a SymPy library should accept its own
    numbers), as is a list in which NumPy would silently read ``True`` as ``1.0``. Arrays of
    floats never take that path, so it costs them nothing."""
    if isinstance(value, str | bytes):
        raise ValueError(f"{name}: expected numbers, got the string {value!r:.60}")
    if isinstance(value, np.ma.MaskedArray):
        raise ValueError(
            f"{name}: expected numbers, got a masked array; fill or drop the masked values "
            f"first (value.filled(...) or value.compressed())"
        )
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name}: expected numbers in a rectangular array, got a ragged {type(value).__name__}"
        ) from None
    if raw.dtype.kind in "iuf":
        if value.__class__ is np.ndarray or not _has_bool(value):
            return raw.astype(float, copy=False)
        raw = np.array(value, dtype=object)  # each entry, to say which is not a number
    kinds = {"b": "True/False values", "c": "complex numbers", "U": "strings", "S": "bytes"}
    found = kinds.get(raw.dtype.kind)
    if found is not None:
        example = raw.ravel()[0].item() if raw.size else ""
        raise ValueError(f"{name}: expected numbers, got {found} (such as {example!r:.40})")
    if raw.size == 0:
        raise ValueError(f"{name}: expected numbers, got an empty object array")
    converted = np.empty(raw.shape)
    flat = converted.reshape(-1)
    for i, entry in enumerate(raw.flat):
        number = real_number(entry)
        if number is None:
            raise ValueError(f"{name}: expected numbers, got {_not_a_number(entry)}")
        flat[i] = number
    return converted


def _has_bool(value: object) -> bool:
    """Whether a list NumPy read as numbers held a ``True`` or ``False``: ``[True, 0.4]``
    becomes ``[1.0, 0.4]`` without a word, so the entries themselves are looked at (never for
    an array, only for lists and the like, which NumPy reads entry by entry anyway)."""
    types = set(map(type, np.array(value, dtype=object).flat))
    return bool in types or np.bool_ in types


def real_number(value: object) -> float | None:
    """``value`` as a float when it is a real number, else ``None``.

    Real numbers are Python's and NumPy's, the standard library's ``Fraction`` and ``Decimal``,
    and SymPy's: its ``Float``, ``Integer`` and ``Rational``, and any expression without free
    symbols whose value is real (``sqrt(2)``, ``pi``); ``oo`` and ``nan`` become ``inf`` and
    ``nan``, which the callers that need finite numbers refuse with their own message. Not real
    numbers: ``bool`` (``True`` is an ``int`` to Python, never a weight), complex values
    (``I``, ``zoo``), symbols, and a finite value too large for a float (which would silently
    become ``inf``). Nothing here parses text: a string is not a number."""
    if isinstance(value, float | int | np.floating | np.integer):  # the common case first
        if isinstance(value, bool):
            return None
    elif isinstance(value, sp.Basic):
        if not isinstance(value, sp.Expr) or value.free_symbols:  # sympy.true is no Expr
            return None
    elif not isinstance(value, numbers.Real | decimal.Decimal):  # np.bool_ is neither
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):  # complex, a signalling NaN, a huge int
        return None
    if math.isinf(number) and _finite_number(value):
        return None
    return number


def _finite_number(value: object) -> bool:
    if isinstance(value, sp.Expr):
        return bool(value.is_finite)
    if isinstance(value, decimal.Decimal):
        return value.is_finite()
    return not isinstance(value, float | np.floating)


def _not_a_number(value: object) -> str:
    """What an entry that :func:`real_number` refused is, for the error message."""
    if isinstance(value, bool | np.bool_ | sp.logic.boolalg.BooleanAtom):
        return f"True/False values (such as {value!r})"
    if isinstance(value, str | bytes):
        return f"strings (such as {value!r:.40})"
    if isinstance(value, sp.Expr) and value.free_symbols:
        names = ", ".join(sorted(str(s) for s in value.free_symbols)[:5])
        return (
            f"the SymPy expression {str(value)!r:.60} with free symbols ({names:.60}); "
            f"substitute numbers for them first"
        )
    if isinstance(value, complex | np.complexfloating | sp.Expr) and not (
        isinstance(value, sp.Expr) and value.is_finite and value.is_real
    ):
        return f"complex numbers (such as {value!r:.40})"
    return f"{type(value).__name__} {value!r:.40}"


def check_params(sizes: Sequence[int], params: object) -> dict[str, np.ndarray]:
    """The parameter mapping as float arrays, every key present and shaped as the network needs.

    This runs on every call of the compiled gradients, so the common case (float arrays of the
    right shapes) costs a few microseconds: one finiteness test over all parameters at once."""
    shapes = _shapes(tuple(sizes))
    if params.__class__ is not dict and not isinstance(params, Mapping):
        raise ValueError(
            f"params: expected a mapping with keys {', '.join(shapes)}, got {type(params).__name__}"
        )
    if params.keys() != shapes.keys():
        _report_keys(sizes, shapes, params)
    checked = {}
    for key, shape in shapes.items():
        array = params[key]
        if array.__class__ is not np.ndarray or array.dtype != np.float64:
            array = as_array(f"params[{key!r}]", array)
            if isinstance(params[key], sp.MatrixBase) and array.shape in _vectors(shape):
                array = array.reshape(shape)  # SymPy's vectors are n×1 or 1×n matrices
        if array.shape != shape:
            raise ValueError(
                f"params[{key!r}]: expected shape {shape}, got {array.shape}"
                + (" (W rows are the receiving neurons)" if key.startswith("W") else "")
            )
        checked[key] = array
    if not np.isfinite(np.concatenate([a.ravel() for a in checked.values()])).all():
        for key, array in checked.items():
            _finite(f"params[{key!r}]", array)
    return checked


def _vectors(shape: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """The shapes of a SymPy matrix that stand for a vector of ``shape`` (a bias ``b(l)``, which
    the matrix form writes as a column): SymPy has no 1-D arrays."""
    return ((shape[0], 1), (1, shape[0])) if len(shape) == 1 else ()


@functools.lru_cache(maxsize=64)
def _shapes(sizes: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    return parameter_shapes(sizes)


def _report_keys(sizes: Sequence[int], shapes: Mapping[str, object], params: Mapping) -> None:
    missing = [k for k in shapes if k not in params]
    if missing:
        raise ValueError(
            f"params: missing key {missing[0]!r} (expected keys {', '.join(shapes)}, "
            f"got {', '.join(map(str, params)) or 'none'})"
        )
    extra = [k for k in params if k not in shapes]
    raise ValueError(
        f"params: unexpected key {extra[0]!r} for a {'-'.join(map(str, sizes))} network "
        f"(expected keys {', '.join(shapes)})"
    )


def check_rows(name: str, value: object, width: int, what: str) -> np.ndarray:
    """A data matrix ``(N, width)``; a 1-D array of length ``width`` is one sample."""
    array = value
    if array.__class__ is not np.ndarray or array.dtype != np.float64:
        array = as_array(name, value)
    if array.ndim == 1 and array.shape[0] == width:
        array = array[np.newaxis, :]
    if array.ndim != 2 or array.shape[1] != width or array.shape[0] == 0:
        raise ValueError(
            f"{name}: expected shape (N, {width}) with N >= 1, one column per {what} "
            f"(or a 1-D array of length {width} for one sample), got shape {array.shape}"
        )
    _finite(name, array)
    return array


def check_data(
    sizes: Sequence[int], X: object, T: object | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Inputs ``X`` (N, n_inputs) and targets ``T`` (N, n_outputs) with the same N."""
    X2 = check_rows("X", X, sizes[0], "input")
    if T is None:
        return X2, None
    T2 = check_rows("T", T, sizes[-1], "output")
    if T2.shape[0] != X2.shape[0]:
        raise ValueError(
            f"X and T: expected the same number of rows (samples), got {X2.shape[0]} and "
            f"{T2.shape[0]}"
        )
    return X2, T2


# ------------------------------------------------------------------------------------ scalars
# One rule for every scalar option of training, initialisation and the demo data: real numbers
# of every kind are accepted alike, as in arrays (:func:`real_number`: a value read from an array
# is an ``np.float64``, one computed by SymPy a ``Float`` or a ``Rational``, and refusing it
# would surprise), ``bool`` never is (``True`` is an ``int`` to Python, but ``eta1=True`` is a
# mistake, not a rate of 1), and neither is a numeric string.


def scalar_error(name: str, expected: str, value: object) -> ValueError:
    """The error for a bad scalar: ``"<name>: expected <expected>, got <value!r>"``."""
    return ValueError(f"{name}: expected {expected}, got {value!r}")


def real_scalar(
    name: str,
    value: object,
    expected: str = "a finite number",
    condition: Callable[[float], bool] | None = None,
) -> float:
    """``value`` as a float: a finite real number (:func:`real_number`, so not ``bool``) for
    which ``condition`` holds, or a ``ValueError`` naming ``name`` and saying ``expected``."""
    number = real_number(value)
    if (
        number is None
        or not math.isfinite(number)
        or (condition is not None and not condition(number))
    ):
        raise scalar_error(name, expected, value)
    return number


def int_scalar(name: str, value: object, minimum: int, expected: str | None = None) -> int:
    """``value`` as an int ``>= minimum`` (Python, NumPy or SymPy integer, not ``bool``, not a
    float such as ``10.0``: a count given as a float is usually a computed value gone wrong)."""
    if (
        isinstance(value, bool | np.bool_)
        or not isinstance(value, numbers.Integral | np.integer)
        or value < minimum
    ):
        raise scalar_error(name, expected or f"an int >= {minimum}", value)
    return int(value)


def bool_scalar(name: str, value: object) -> bool:
    """``value`` as a bool: only ``True``/``False`` (or NumPy's), never a truthy ``1`` or
    ``"yes"``, which would hide a misplaced argument."""
    if not isinstance(value, bool | np.bool_):
        raise scalar_error(name, "True or False", value)
    return bool(value)


def check_interval(name: str, value: object) -> tuple[float, float]:
    """``(low, high)`` as two finite floats with ``low < high``, or a ``ValueError`` naming
    ``name`` (for a string, a number or a triple alike)."""
    error = ValueError(
        f"{name}: expected (low, high), two finite numbers with low < high, got {value!r}"
    )
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise error
    items = list(value)
    if len(items) != 2:
        raise error
    try:
        lo, hi = (real_scalar(name, v) for v in items)
    except ValueError:
        raise error from None
    if not lo < hi:
        raise error
    return lo, hi


def all_finite(arrays: list[np.ndarray]) -> bool:
    """Whether every number of ``arrays`` is finite, in one pass where they are all views of
    one vector (the parameters :func:`bpderive.initialize` and :func:`bpderive.train` give,
    and the gradients): ``x·x`` is NaN or inf exactly when some ``x`` is, or so large that its
    square overflows, which the exact test then settles."""
    base = arrays[0].base
    if (
        len(arrays) > 1
        and base is not None
        and base.__class__ is np.ndarray
        and base.ndim == 1
        and all(a.base is base for a in arrays)
    ):
        arrays = [base]
    for array in arrays:
        flat = array.reshape(-1)
        if not math.isfinite(np.dot(flat, flat)) and not np.isfinite(array).all():
            return False
    return True

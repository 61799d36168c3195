"""Small display helpers for the notebooks: formulas and numbers side by side.

* :func:`table` — a Markdown table (``term | expression | value``) whose SymPy cells are LaTeX
  (``$…$``) and whose numbers are rounded to six significant digits; a header or a cell may be
  an ``(English, Chinese)`` pair, written in the language in use, so that one cell of code
  prints either edition's table;
* :func:`as_published` — a computed number written as a paper prints it, to compare the two;
* :func:`equations` — a list of ``sympy.Eq`` as one aligned LaTeX block, each equation with its
  number beside it.

Both return objects that Jupyter renders (``_repr_markdown_``, ``_repr_latex_``) and whose plain
``repr`` is the same content as text. Everything they print is a function of their arguments
only (no addresses, no dictionary order of unordered input), so a notebook's stored outputs can be
compared exactly by ``nbval``.

SymPy expressions are printed with ``order="none"``: terms keep the order in which they were
built where SymPy keeps one (``W·a + b``, ``w − η·∂E/∂w``) instead of SymPy's sorted order.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import sympy as sp

from bpderive.checks import as_array, int_scalar, real_scalar
from bpderive.language import pick
from bpderive.symbolic import notation, wrapping

__all__ = ["Equations", "Table", "Text", "as_published", "equations", "fmt", "table"]

#: A text of a table: a string, or an ``(English, Chinese)`` pair written in the language in use.
Text = str | tuple[str, str]


def fmt(value: float) -> str:
    """A number as plain text, rounded to six significant digits (``0.0738670``→``0.073867``)."""
    return notation.number(float(value))


def _is_number(value: object) -> bool:
    if isinstance(value, bool | np.bool_):
        return False
    if isinstance(value, sp.Basic):
        return bool(value.is_Number)
    return isinstance(value, numbers.Real | np.floating | np.integer)


def _number_latex(value: object, form: str = "auto") -> str:
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return str(int(value))
    return notation.number_latex(float(value), form=form)  # type: ignore[arg-type]


def _number_text(value: object, form: str = "auto") -> str:
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return str(int(value))
    return notation.number(float(value), form=form)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------ tables


def _is_pair(value: object) -> bool:
    """Whether ``value`` is a text in both languages, ``(English, Chinese)``."""
    return isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value)


def _cell(value: object, form: str) -> tuple[str, str]:
    """A table cell as (Markdown, plain text); a number in its column's ``form``, a pair of
    texts in the language in use."""
    if value is None:
        return "", ""
    if _is_pair(value):
        value = pick(value)
    if _is_number(value):
        text = _number_text(value, form)
        return (f"${_number_latex(value, form)}$" if "×10" in text else text), text
    if isinstance(value, sp.Basic | sp.MatrixBase):
        return f"${notation.latex(value)}$", notation.text(value)
    if isinstance(value, bool | np.bool_ | str):
        text = str(value)
        return text.replace("|", r"\|"), text
    raise TypeError(
        f"table: a cell must be a number, a SymPy expression, a string, an (English, Chinese) "
        f"pair of strings or None, got {type(value).__name__}"
    )


class Table:
    """A table of formulas and numbers: Markdown in Jupyter, aligned columns as text."""

    def __init__(self, headers: Sequence[Text], rows: Sequence[Sequence[object]]) -> None:
        self.headers = [pick(h) if _is_pair(h) else str(h) for h in headers]
        forms = [
            notation.number_form([float(row[k]) for row in rows if _is_number(row[k])])
            for k in range(len(self.headers))
        ]
        self.cells = [[_cell(v, f) for v, f in zip(row, forms, strict=True)] for row in rows]

    def __len__(self) -> int:
        return len(self.cells)

    def _repr_markdown_(self) -> str:
        lines = [
            "| " + " | ".join(h.replace("|", r"\|") for h in self.headers) + " |",
            "|" + "---|" * len(self.headers),
        ]
        lines += ["| " + " | ".join(md for md, _ in row) + " |" for row in self.cells]
        return "\n".join(lines)

    def text(self) -> str:
        """The table as plain text, one row a line, columns aligned (a Chinese character takes
        two columns: :func:`~bpderive.symbolic.wrapping.columns`)."""
        grid = [self.headers, *[[t for _, t in row] for row in self.cells]]
        widths = [max(wrapping.columns(r[k]) for r in grid) for k in range(len(self.headers))]
        lines = [
            "  ".join(wrapping.pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in grid
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()


def table(
    rows: Iterable[Sequence[object]], headers: Sequence[Text], *, digits: int | None = None
) -> Table:
    """A table such as ``term | expression | value``.

    Each cell is a number (six significant digits, every number of a column in one form:
    plain decimals, or powers of ten for all where one needs it), a SymPy expression or matrix
    (LaTeX between ``$`` in Markdown), a string (as it is) or ``None`` (empty). Every row must
    have one cell per header. ``rows`` may be any iterable of rows, so a table given by its
    columns is ``table(zip(names, values, errors), headers)``.

    ``digits`` rounds every number that is not an integer to that many significant digits
    first. Numbers that come out of training want 4: their last digits depend on the order in
    which the machine adds, and would differ from one computer to another.

    A header or a string cell may also be an ``(English, Chinese)`` pair, written in the
    language in use (:func:`bpderive.set_language`), so that a cell of code written once prints
    the table of either edition: ``table(rows, [("epochs", "训练周期"), ("final cost",
    "最终代价")])``."""
    if isinstance(headers, str) or not isinstance(headers, Sequence) or not headers:
        raise ValueError(f"headers: expected a non-empty sequence of strings, got {headers!r}")
    if isinstance(rows, str) or not isinstance(rows, Iterable):
        raise ValueError(f"rows: expected a sequence of rows, got {type(rows).__name__}")
    rows = list(rows)
    for k, row in enumerate(rows):
        if isinstance(row, str) or not isinstance(row, Sequence) or len(row) != len(headers):
            raise ValueError(
                f"rows[{k}]: expected a sequence of {len(headers)} cells (one per header), "
                f"got {row!r}"
            )
    if digits is not None:
        digits = int_scalar("digits", digits, 1)
        rows = [[_rounded(value, digits) for value in row] for row in rows]
    return Table(headers, rows)


def _rounded(value: object, digits: int) -> object:
    """A number that is not an integer, to ``digits`` significant digits; anything else as it
    is."""
    if not _is_number(value) or isinstance(value, int | np.integer):
        return value
    if isinstance(value, sp.Basic) and value.is_Integer:
        return value
    return float(f"{float(value):.{digits}g}")  # type: ignore[arg-type]


def as_published(published: str, value: float) -> str:
    """``value`` written with as many decimals as the number ``published`` (a string, as a
    paper or a blog post prints it), then ``" ✓"`` where the two agree.

    A published number is rounded: comparing it with a computed one at full precision would
    call every number wrong. Written to the same decimals, a reader sees at a glance which
    agree (``as_published("0.35891648", 0.358916479717)`` is ``"0.35891648 ✓"``)."""
    if not isinstance(published, str) or not re.fullmatch(r"-?\d+(\.\d+)?", published):
        raise ValueError(f"published: expected a number as printed, got {published!r}")
    decimals = len(published.partition(".")[2])
    ours = f"{real_scalar('value', value):.{decimals}f}"
    return f"{ours} ✓" if ours == published else ours


# ------------------------------------------------------------------------------------ equations


def _shaped(value: object, eq: sp.Eq) -> np.ndarray:
    """The value as an array; for a matrix equation, in the matrix's shape (a row stays a row)."""
    array = np.asarray(value, dtype=float)
    shape = getattr(eq.lhs, "shape", None) or getattr(eq.rhs, "shape", None)
    if shape is not None and array.size == shape[0] * shape[1]:
        return array.reshape(shape)
    if array.ndim == 1:
        return array[:, np.newaxis]
    return array


def _value_latex(value: object, eq: sp.Eq) -> str:
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return _number_latex(value if _is_number(value) else float(array))
    array = _shaped(value, eq)
    rows = r" \\ ".join(" & ".join(notation.number_latex(v) for v in row) for row in array)
    return rf"\left[\begin{{matrix}}{rows}\end{{matrix}}\right]"


def _values_text(value: object, eq: sp.Eq) -> str:
    """A number, or a matrix on one line as the text printer writes matrices: rows separated by
    ``;`` (a column vector is ``[a; b; c]``)."""
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return _number_text(value if _is_number(value) else float(array))
    rows = _shaped(value, eq)
    return "[" + "; ".join(", ".join(_number_text(v) for v in row) for row in rows) + "]"


class Equations:
    """Equations with their numbers: one aligned LaTeX block in Jupyter, lines as text.

    With ``env`` (the number of every symbol), an equation whose right-hand side has a number
    for each of its symbols also shows its arithmetic, the way the article's readers check a
    result by hand: ``net_h1 = w_(x1,1)·x1 + w_(x2,1)·x2 + b1 = 0.15·0.05 + 0.2·0.1 + 0.35 =
    0.3775``."""

    def __init__(
        self,
        eqs: Sequence[sp.Eq],
        values: Sequence[object | None],
        env: Mapping[sp.Symbol, float] | None = None,
    ) -> None:
        self.eqs = list(eqs)
        self.values = list(values)
        self.env = {s: float(v) for s, v in (env or {}).items() if _is_number(v)}

    def __len__(self) -> int:
        return len(self.eqs)

    def _arithmetic(self, rhs: sp.Basic) -> bool:
        """Whether to write ``rhs`` out with its numbers: every symbol has one, and there is
        something to compute (not a lone symbol or number)."""
        return bool(self.env) and not rhs.is_Atom and rhs.free_symbols <= self.env.keys()

    def _lines(
        self, show: Callable[..., str], number: Callable, equals: str, newline: str = ""
    ) -> list[str]:
        """One line per equation; in LaTeX (``newline``), the arithmetic and value of a matrix
        equation, or of one longer than a line of :data:`~bpderive.symbolic.wrapping.WIDTH`
        characters as text, go on lines of their own under it, so that a notebook never needs
        to scroll sideways."""
        lines = []
        for eq, value in zip(self.eqs, self.values, strict=True):
            long = bool(newline) and (
                _is_matrix(eq)
                or len(self._line(eq, value, notation.text, _values_text, " = ")) > wrapping.WIDTH
            )
            again = f" {newline} {equals.strip()} " if long else " = "
            lines.append(self._line(eq, value, show, number, equals, again))
        return lines

    def _line(
        self,
        eq: sp.Eq,
        value: object | None,
        show: Callable[..., str],
        number: Callable,
        equals: str,
        again: str = " = ",
    ) -> str:
        """``lhs = rhs``, then its arithmetic and its value, each after ``again``."""
        line = f"{show(eq.lhs)}{equals}{show(eq.rhs)}"
        arithmetic = show(eq.rhs, self.env) if self._arithmetic(eq.rhs) else None
        if arithmetic is not None:
            line += f"{again}{arithmetic}"
        if value is not None and number(value, eq) != arithmetic:  # nothing computed: once
            line += f"{again}{number(value, eq)}"
        return line

    def latex(self) -> str:
        r"""``\begin{aligned} lhs &= rhs = value \\ … \end{aligned}``."""
        lines = self._lines(notation.latex, _value_latex, " &= ", r"\\")
        return r"\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}"

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()}$"

    def text(self, width: int = wrapping.WIDTH) -> str:
        """One equation a line, ``lhs = rhs = value``, broken to fit ``width`` columns."""
        lines = self._lines(notation.text, _values_text, " = ")
        return "\n".join(wrapping.wrap(line, width) for line in lines)

    def __repr__(self) -> str:
        return self.text()


def _is_matrix(eq: sp.Eq) -> bool:
    return getattr(eq.lhs, "is_Matrix", False) or isinstance(eq.lhs, sp.MatrixExpr)


def _lookup(values: Mapping, eq: sp.Eq) -> object | None:
    """An equation's number: its left-hand side's entry (by symbol or by name), else, where
    every symbol of the right-hand side has a number, the right-hand side computed."""
    if eq.lhs in values:
        return values[eq.lhs]
    if str(eq.lhs) in values:
        return values[str(eq.lhs)]
    rhs = eq.rhs.doit() if isinstance(eq.rhs, sp.MatrixExpr) else eq.rhs
    if not rhs.free_symbols or not rhs.free_symbols <= values.keys():
        return None
    computed = rhs.xreplace({s: sp.Float(values[s]) for s in rhs.free_symbols})
    try:
        return np.array(computed.tolist(), dtype=float) if computed.is_Matrix else float(computed)
    except (TypeError, ValueError):
        return None


def equations(
    eqs: sp.Eq | Sequence[sp.Eq],
    values: Mapping[object, object] | Sequence[object | None] | None = None,
) -> Equations:
    """``eqs`` (one ``sympy.Eq`` or a list) as one aligned block, with numbers beside.

    ``values`` is ``None`` (formulas only); a mapping by symbol, such as
    :meth:`bpderive.Network.environment` or a worked example's ``env``: each equation gets its
    left-hand side's number (a name as a string works too), or its right-hand side computed,
    and its arithmetic written out where every symbol has a number; or a sequence with one
    entry per equation (``None`` for no number). A value is a number, or an array for a matrix
    equation.
    """
    if isinstance(eqs, sp.Eq):
        eqs = [eqs]
    if isinstance(eqs, str) or not isinstance(eqs, Sequence) or not eqs:
        raise ValueError(f"eqs: expected a sympy.Eq or a non-empty list of them, got {eqs!r}")
    for k, eq in enumerate(eqs):
        if not isinstance(eq, sp.Eq):
            raise ValueError(f"eqs[{k}]: expected a sympy.Eq, got {type(eq).__name__}")
    env = None
    if values is None:
        found: list[object | None] = [None] * len(eqs)
    elif isinstance(values, Mapping):
        env = {s: v for s, v in values.items() if isinstance(s, sp.Symbol)}
        for symbol, value in env.items():
            if not _is_number(value):
                raise ValueError(
                    f"values[{notation.text(symbol)}]: expected a number, got {value!r:.60}"
                )
        found = [_lookup(values, eq) for eq in eqs]
    elif isinstance(values, Sequence | np.ndarray) and not isinstance(values, str):
        if len(values) != len(eqs):
            raise ValueError(
                f"values: expected one value per equation ({len(eqs)}), got {len(values)}"
            )
        found = list(values)
    else:
        raise ValueError(
            f"values: expected None, a mapping by left-hand side or a sequence, "
            f"got {type(values).__name__}"
        )
    for k, value in enumerate(found):
        if value is None:
            continue
        try:
            as_array("values", value)  # the package's one rule: no "0.5", no hidden True
        except ValueError:
            raise ValueError(
                f"values: the value for equation {k} ({notation.text(eqs[k].lhs)}) is not a "
                f"number or an array of numbers: {value!r}"
            ) from None
    return Equations(eqs, found, env)

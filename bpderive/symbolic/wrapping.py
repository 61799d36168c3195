"""Lines of text broken to fit the terminal, between terms: never inside a number or a name.

The text forms of equations, chains and tables (:mod:`bpderive.symbolic.notation`'s
:func:`~bpderive.symbolic.notation.text`) can be longer than a terminal or a notebook's output is
wide; :func:`wrap` breaks them where a reader would, at an ``=``, then between terms.
"""

from __future__ import annotations

#: The terminal's width: lines of text are broken to fit it.
WIDTH = 80


def wrap(line: str, width: int = WIDTH, indent: int = 4) -> str:
    """A line of text broken between terms to fit ``width`` columns: first at each ``=`` (the
    continuation lines start with ``=`` under one another), then a part that is still too long
    at ``+``, ``−`` or ``·`` between terms, never inside a number or a name. Leading spaces are
    kept, so an indented line stays indented."""
    if len(line) <= width:
        return line
    lead = line[: len(line) - len(line.lstrip())]
    parts = line.strip().split(" = ")
    pad = lead + " " * indent
    lines = _split_terms(lead + parts[0], width, pad)
    for part in parts[1:]:
        if len(lines[-1]) + 3 + len(part) <= width:
            lines[-1] += f" = {part}"
        else:
            lines += _split_terms(f"{pad}= {part}", width, pad + "  ")
    return "\n".join(lines)


def _split_terms(line: str, width: int, pad: str) -> list[str]:
    """``line`` broken to fit ``width``: before a ``+`` or ``−`` between terms, else after a
    ``·`` between factors, else between the rows of a matrix (``;``), never inside a
    parenthesis or a number."""
    out: list[str] = []
    while len(line) > width:
        cut = _break_point(line, width, len(pad))
        if cut is None:
            break  # one unbreakable term: leave it long rather than cut a number or a name
        out.append(line[:cut].rstrip())
        line = pad + line[cut:].lstrip()
    return [*out, line]


def _break_point(line: str, width: int, start: int) -> int | None:
    depth, found = 0, {}
    for k, c in enumerate(line[:width]):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif k > start and depth == 0 and line.startswith((" + ", " − ", " ⊙ "), k):
            found["term"] = k
        elif k > start and depth == 0 and c == "·":
            found["factor"] = k + 1
        elif k > start and depth == 1 and c == ";":
            found["row"] = k + 1
    return next((found[kind] for kind in ("term", "factor", "row") if kind in found), None)

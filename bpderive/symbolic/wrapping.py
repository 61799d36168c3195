"""Text fitted to the terminal: long lines broken between terms, columns lined up.

The text forms of equations, chains and tables (:mod:`bpderive.symbolic.notation`'s
:func:`~bpderive.symbolic.notation.text`) can be longer than a terminal or a notebook's output is
wide; :func:`wrap` breaks them where a reader would, at an ``=``, then between terms, never
inside a number or a name. A Chinese character takes two columns of a terminal, so a table's
columns are lined up by :func:`columns`, not by the number of characters.
"""

from __future__ import annotations

import unicodedata

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


def columns(text: str) -> int:
    """The columns ``text`` takes in a terminal or a notebook's plain-text output: two for a
    wide character (Chinese, full-width punctuation), one for any other."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int, right: bool = False) -> str:
    """``text`` filled with spaces to ``width`` :func:`columns`: after it (aligned left), or
    before it with ``right=True`` (aligned right, as numbers are)."""
    space = " " * max(0, width - columns(text))
    return space + text if right else text + space

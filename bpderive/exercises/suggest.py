"""The names to suggest for an unknown one: first those that mean what was typed, then those
spelt like it.

Spelling alone misleads where the learner abbreviates the article's notation: ``o1`` is as close
to ``b1`` as to ``out_o1``, and ``δo1`` (one letter from both) used to suggest ``delta_o2`` before
``delta_o1``. A few rules read such abbreviations as the article means them: a bare unit is its
output or its net input, ``t1`` is the first output's target, ``do1`` its δ; a difference of case
alone is the same name. Only names in ``valid`` are suggested.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

_UNIT = re.compile(r"[oh][0-9]+(?:_[0-9]+)*")  # o1, h1, h1_2 (a unit of the second hidden layer)
_TARGET = re.compile(r"(?:t|target)_?o?([0-9]+)")  # t1, t_1, t_o1, target1: the k-th output's
_DELTA = re.compile(r"(?:delta|d)_?([oh][0-9]+(?:_[0-9]+)*)")  # deltao1 (δo1), do1, d_h1


def _meant(name: str) -> list[str]:
    """The names ``name`` abbreviates, most likely first."""
    key = name.lower()
    if _UNIT.fullmatch(key):
        return [f"out_{key}", f"net_{key}"]
    if m := _TARGET.fullmatch(key):
        return [f"target_o{m[1]}"]
    if m := _DELTA.fullmatch(key):
        return [f"delta_{m[1]}"]
    return []


def suggestions(name: str, valid: Iterable[str]) -> tuple[str, ...]:
    """At most three valid names for the unknown ``name`` (a plain spelling), or four when
    several mean it: those it means first, then spelling neighbours, closest first."""
    names = list(valid)
    lower = {}
    for v in names:
        lower.setdefault(v.lower(), v)
    meant = [lower[m] for m in [name.lower(), *_meant(name)] if m in lower]
    limit = 4 if len(meant) > 1 else 3
    spelt = difflib.get_close_matches(name, names, n=limit)
    return tuple(dict.fromkeys([*meant, *spelt]))[:limit]

"""The left side of a pasted equation: which quantity the learner says they derived.

:func:`~bpderive.exercises.parse.parse_answer` reads only the right side of ``∂E/∂w6 = …``, but
the left side tells a caller what the learner meant to derive, so it can say "this is ∂E/∂w6, the
exercise asks for ∂E/∂w5" instead of judging a correct derivation of the wrong quantity. The
left side is untrusted text like the answer: it is matched by regular expressions and read by the
answer's own lexer, never evaluated, and reading it never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bpderive.exercises.lexer import AnswerError, Lexer, Token, equals_signs, prepare
from bpderive.exercises.messages import MAX_LENGTH


@dataclass(frozen=True, slots=True)
class Left:
    """What the left side names: ``kind`` is ``"gradient"`` (∂E_total/∂w5; ``name`` is what
    the error is differentiated by, ``net_o1`` included), ``"delta"`` (δ_o1), ``"update"``
    (w5⁺, the parameter after a step; ``name`` is the parameter) or ``"other"`` (``name`` is
    ``""``). ``name`` is in the plain spelling the lexer gives (``w5``, ``w_(1,2)``,
    ``delta_o1``); ``text`` is the left side as typed, stripped."""

    kind: str
    name: str
    text: str


_PARTIAL = re.compile(r"\\partial(?![A-Za-z])|\U0001d715")  # \partial, and 𝜕 copied from a page
_UPRIGHT_D = re.compile(r"\\(?:mathrm|text|operatorname|mathit)\s*\{\s*d\s*\}")
_GROUP = r"(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*"  # two levels of braces: E_{\text{total}}
_FRAC = re.compile(rf"\s*\\[dt]?frac\s*\{{({_GROUP})\}}\s*\{{({_GROUP})\}}\s*")
_SLASH = re.compile(r"([^/]*)/([^/]*)")
_DIFFERENTIAL = re.compile(r"\s*(?:∂|d)(.*)", re.S)
_NEW = r"(?:new|\\(?:text|mathrm)\s*\{\s*new\s*\})"
_MARK = rf"(?:\+|'|\\prime(?![A-Za-z])|{_NEW}|\(\s*{_NEW}\s*\))"
_UPDATED = re.compile(
    rf"(?:⁺|'|\^\s*{_MARK}|\^\s*\{{\s*{_MARK}\s*\}}|_\s*{_NEW}|_\s*\{{\s*{_NEW}\s*\}})\s*\Z"
)
_PARAMETER = re.compile(r"[wWb](?:\([0-9]+\))?(?:[0-9]+|_.+)")  # w5, b4, w_(1,2), w(2)_(1,1)
_DELTA = re.compile(r"delta(?:_(.+)|([oh][0-9]+(?:_[0-9]+)*))")  # δ_o1, δ_{h1,2}; δo1, deltao1


def read_left(text: str) -> Left | None:
    """The quantity named before the last top-level ``=`` of ``text`` (after the ``$…$`` and
    closing punctuation :func:`~bpderive.exercises.parse.parse_answer` ignores), or ``None``
    when nothing stands there (no ``=``, or only spaces before it) or the text is longer than an
    answer may be. In a chain ``∂E/∂w5 = δ_o1·out_h1 = …`` the first part names the quantity."""
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        return None
    folded = prepare(text)
    signs = equals_signs(folded)
    if not signs:
        return None
    left = folded[: signs[-1]]
    if not left.strip():
        return None
    start, end = len(left) - len(left.lstrip()), len(left.rstrip())
    first = folded[start : signs[0]].strip()
    kind, name = _gradient(first) or _update(first) or _delta(first) or ("other", "")
    return Left(kind, name, text[start:end])


def _gradient(part: str) -> tuple[str, str] | None:
    """``∂E_total/∂w5``, ``dE/dw5``, ``\\frac{\\partial E}{\\partial w_5}``: the error's partial
    derivative by one name."""
    part = _UPRIGHT_D.sub("d", _PARTIAL.sub("∂", part))
    fraction = _FRAC.fullmatch(part) or _SLASH.fullmatch(part)
    if fraction is None:
        return None
    top, bottom = (_DIFFERENTIAL.fullmatch(half) for half in fraction.groups())
    if top is None or bottom is None or _name(top[1]) not in ("E", "E_total"):
        return None
    by = _name(bottom[1])
    return ("gradient", by) if by else None


def _update(part: str) -> tuple[str, str] | None:
    """``w5⁺``, ``w5^{+}``, ``w5_new``, ``w5'``: a parameter after the step."""
    if (m := _UPDATED.search(part)) and (name := _name(part[: m.start()])):
        return ("update", name) if _PARAMETER.fullmatch(name) else None
    return None


def _delta(part: str) -> tuple[str, str] | None:
    """``δ_o1``, ``\\delta_{h1}``, ``delta_o1``; ``δo1`` too, an abbreviation without doubt."""
    if (name := _name(part)) and (m := _DELTA.fullmatch(name)):
        return "delta", f"delta_{m[1] or m[2]}"
    return None


def _name(fragment: str) -> str | None:
    """The plain spelling of ``fragment`` if it is one name (braces around it allowed)."""
    try:
        tokens = Lexer(fragment).tokens()[:-1]
    except AnswerError:
        return None
    while len(tokens) > 2 and _brace(tokens[0], "open", "{") and _brace(tokens[-1], "close", "}"):
        tokens = tokens[1:-1]
    return tokens[0].value if len(tokens) == 1 and tokens[0].kind == "name" else None


def _brace(token: Token, kind: str, brace: str) -> bool:
    return token.kind == kind and token.value == brace  # the kind first: a number's value is SymPy

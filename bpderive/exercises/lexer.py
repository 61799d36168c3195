"""The answer's words: a tokenizer for plain text, Unicode maths and LaTeX, and the error a learner
sees when an answer cannot be read.

Names are read whole, in every spelling of the article's notation (``w_(1,2)``, ``w_{(1,2)}``,
``\\mathrm{out}_{o1}``, ``δ_o1``, ``\\delta_{h1,2}``) and normalised to the plain spelling the
network's symbols carry; numbers become exact SymPy rationals; every other character is an
operator, a bracket, or an error with its position. The maths delimiters and the full stop a
learner pastes around an answer are blanked first (:func:`unwrap`), and a prime is read only after
``σ``/``sigmoid`` and ``f``, as the activation's derivative.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from bpderive.exercises.messages import CANNOT_READ, MAX_EXPONENT, MAX_LITERAL, PARSE, SEPARATOR
from bpderive.language import get_language


@dataclass(eq=False)
class AnswerError(Exception):
    """Why an answer could not be read: a ``code`` for programs, :meth:`message` for learners.

    ``code`` is ``"unparseable"``, ``"unknown_name"`` or ``"too_complex"``; ``reason`` says which
    message explains it. ``position`` is a 0-based offset into the original text (``None`` when
    the problem has no place, e.g. the length); ``found``/``expected`` are quoted in the message.
    """

    code: str
    reason: str
    position: int | None = None
    found: str | None = None
    expected: str | None = None
    name: str | None = None  # for unknown_name: the name as the learner wrote it
    suggestions: tuple[str, ...] = ()  # for unknown_name: the nearest valid names
    argument: str | None = None  # for f'(…): the argument as the learner wrote it

    def __post_init__(self) -> None:
        super().__init__(self.code, self.reason, self.position)  # args, so that it pickles

    def __str__(self) -> str:
        return self.message("en")  # for programs; a learner reads message(), in their language

    def message(self, lang: str | None = None) -> str:
        """One or two sentences for the learner, in ``lang`` (``"en"``, ``"zh"`` or a variant
        such as ``"zh-CN"``; default: the language in use)."""
        zh = (get_language() if lang is None else lang).lower().startswith("zh")
        reason = "unknown_name_hint" if self.suggestions else self.reason
        template = PARSE[reason][zh]
        if self.code == "unparseable" and reason not in ("empty", "not_text"):
            template = CANNOT_READ[zh] + template
        pos = None if self.position is None else self.position + 1
        hint = SEPARATOR[zh].join(self.suggestions)
        return template.format_map({**vars(self), "pos": pos, "hint": hint})


# Look-alike characters typed by a Chinese input method or copied from a rendered formula, folded
# one-for-one to ASCII so that positions in the folded text are positions in the original. A
# Chinese input method types ’ for the prime of σ'(x).
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | str.maketrans(
    "\u2212\u2013\u00b7\u22c5\u00d7\u2217\u00f7\u3000\u2032\u2019", "--****/ ''"
)
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_GREEK = {"delta": "delta", "eta": "eta", "mu": "mu", "δ": "delta", "η": "eta", "μ": "mu"}


def _logistic(x: sp.Expr) -> sp.Expr:
    return sp.Pow(sp.Add(1, sp.exp(sp.Mul(-1, x))), -1)


FUNCTIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "exp": sp.exp,
    "log": sp.log,
    "ln": sp.log,
    "tanh": sp.tanh,
    "sqrt": sp.sqrt,
    "sigma": _logistic,
    "sigmoid": _logistic,
}
LOGISTIC = frozenset({"sigma", "sigmoid"})  # the functions whose derivative σ' is "logistic"
_SINGLE: dict[str, tuple[str, object]] = {
    **{c: ("op", c) for c in "+-*/^"},
    **{c: ("open", c) for c in "([{"},
    **{c: ("close", c) for c in ")]}"},
    **{c: ("num", sp.Rational(p, q)) for c, p, q in ("½12", "⅓13", "⅔23", "¼14", "¾34")},
    "σ": ("func", "sigma"),
}
_COMMANDS: dict[str, tuple[str | None, object]] = {
    **{c: (None, None) for c in (",", ";", ":", "!", " ", "quad", "qquad")},  # spacing
    **{c: ("frac", c) for c in ("frac", "dfrac", "tfrac")},
    **{f: ("func", f) for f in FUNCTIONS},
    "cdot": ("op", "*"),
    "times": ("op", "*"),
    "div": ("op", "/"),
}
CLOSING = {"(": ")", "[": "]", "{": "}"}
STARTS_FACTOR = {"name", "const", "func", "deriv", "frac", "open"}  # not numbers: "2 3"
# A sentence's full stop, comma or semicolon after the answer (， and ； are folded already), and
# the maths delimiters of Markdown and LaTeX around it; none is part of the formula.
_CLOSING_PUNCTUATION = ".,;。"
_WRAPPERS = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"))
_LATEX_END = re.compile(r"\\(?:left|right|[bB]igg?[lrm]?)?\s*\Z")  # \, and \right. are LaTeX

_WORD = r"[A-Za-z][A-Za-z0-9]*"
_GLUED = re.compile(_WORD)
_IDX = r"[A-Za-z0-9]+"
_BASE = re.compile(
    rf"(?P<word>{_WORD})"
    rf"|\\(?:mathrm|text|operatorname|mathit)\s*\{{\s*(?P<cmd>{_WORD})\s*\}}"
    rf"|\{{\s*(?P<braced>{_WORD})\s*\}}(?=\s*_)"
    r"|\\(?P<greek>delta|eta|mu)(?![A-Za-z])|(?P<ugreek>[δημ])"
)
_SUB_PAIR = re.compile(rf"\s*_\s*(\{{\s*)?\(\s*({_IDX})\s*,\s*({_IDX})\s*\)(?(1)\s*\}})")
_SUB_LIST = re.compile(rf"\s*_\s*\{{\s*({_IDX}(?:(?:\s*,\s*|\s+){_IDX})*)\s*\}}")  # h1,2 or h1 2
_SUB_TEXT = re.compile(rf"\s*_\s*\{{\s*\\(?:mathrm|text)\s*\{{\s*({_IDX})\s*\}}\s*\}}")
_SUB_RUN = re.compile(rf"\s*_\s*({_IDX})")
_LAYER_BEFORE = re.compile(r"(?:\s*\^\s*)?(\{\s*)?\(\s*([0-9]+)\s*\)(?(1)\s*\})")
_LAYER_AFTER = re.compile(r"\s*\^\s*\{\s*\(\s*([0-9]+)\s*\)\s*\}")
_DIGITS = re.compile("[0-9]+")
_NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SUPERSCRIPT = re.compile("[⁺⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_COMMAND = re.compile(r"\\([A-Za-z]+|.)", re.S)
_SIZER = re.compile(r"left|right|[bB]igg?[lrm]?")
_PRIME = re.compile(r"'|\s*\^\s*(?:\\prime(?![A-Za-z])|\{\s*(?:\\prime|')\s*\})")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # num, sup, const, name, func, deriv, frac, op, open, close, end
    value: object  # a SymPy number, a normalised name, a function, a derivative's kind ("f" or
    # "logistic"), an operator, a bracket
    pos: int
    text: str  # as the learner wrote it, for messages


def _blank(s: str, start: int, end: int) -> str:
    return s[:start] + " " * (end - start) + s[end:]


def unwrap(folded: str) -> str:
    """``folded`` with ``$…$``, ``$$…$$``, ``\\(…\\)`` or ``\\[…\\]`` around the whole answer and
    the punctuation that ends a sentence (``。``, ``.``, ``,``, ``;``, before or after the closing
    delimiter) blanked to spaces: a learner pastes a formula from Markdown or ends it with a full
    stop, and neither is a mistake in the derivation. Blanking, not removing, keeps every position
    a position in the original text. A dot after a number goes too (``0.5.`` is 0.5, ``2.`` is 2
    either way); the ``\\,`` of LaTeX spacing and the ``.`` of ``\\right.`` stay."""
    s = folded
    while True:
        start, end = len(s) - len(s.lstrip()), len(s.rstrip())
        if end and s[end - 1] in _CLOSING_PUNCTUATION and not _LATEX_END.search(s, 0, end - 1):
            s = _blank(s, end - 1, end)
            continue
        for opening, closing in _WRAPPERS:
            if (
                end - start >= len(opening) + len(closing)
                and s.startswith(opening, start)
                and s.endswith(closing, 0, end)
            ):
                s = _blank(_blank(s, start, start + len(opening)), end - len(closing), end)
                break
        else:
            return s


def prepare(text: str) -> str:
    """The text as the lexer reads it: look-alikes folded, wrappers and closing punctuation
    blanked; as long as ``text``, so that positions carry over."""
    return unwrap(text.translate(_FOLD))


def equals_signs(folded: str) -> list[int]:
    """Where the top-level '=' stand: those of ``f(x=1)`` are inside the formula."""
    depth, found = 0, []
    for k, c in enumerate(folded):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(depth - 1, 0)
        elif c == "=" and depth == 0:
            found.append(k)
    return found


def answer_start(folded: str) -> int:
    """Where the answer starts: after the last top-level '=', so a pasted ``δ_o1 = …`` works."""
    signs = equals_signs(folded)
    return signs[-1] + 1 if signs else 0


class Lexer:
    """Splits the text into tokens; names are read whole, parentheses of ``w_(1,2)`` included."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.s = prepare(text)

    def tokens(self) -> list[Token]:
        out, i = [], answer_start(self.s)
        while i < len(self.s):
            if self.s[i].isspace():
                i += 1
                continue
            kind, value, end = self._one(i)
            # σ'(x), f'(x): a prime is read after these only, so out_o1' stays an error
            primed = kind == "func" and value in LOGISTIC or kind == "name" and value == "f"
            if primed and (pm := _PRIME.match(self.s, end)):
                kind, value, end = "deriv", "logistic" if kind == "func" else "f", pm.end()
            if kind:
                out.append(Token(kind, value, i, self.text[i:end]))
            i = end
        out.append(Token("end", None, len(self.s), ""))
        return out

    def _one(self, i: int) -> tuple[str | None, object, int]:
        s, c = self.s, self.s[i]
        if named := self._name(i):
            return named
        if m := _NUMBER.match(s, i):
            return "num", self._number(m[0], i), m.end()
        if m := _SUPERSCRIPT.match(s, i):
            return "sup", sp.Integer(int(m[0].translate(_SUPERSCRIPTS))), m.end()
        if s.startswith("**", i):
            return "op", "^", i + 2
        if c in _SINGLE:
            return *_SINGLE[c], i + 1
        if c == "\\":
            return self._command(i)
        raise AnswerError("unparseable", "unexpected", i, found=self.text[i])

    def _name(self, i: int) -> tuple[str, object, int] | None:
        m = _BASE.match(self.s, i)
        if m is None:
            return None
        base = m["word"] or m["cmd"] or m["braced"] or _GREEK[m["greek"] or m["ugreek"]]
        end, parts, pair, layer = m.end(), [], None, None
        if (m["greek"] or m["ugreek"]) and (dm := _DIGITS.match(self.s, end)):
            parts, end = [dm[0]], dm.end()  # η1, as bpderive's terminal output writes eta_1
        elif m["ugreek"] and (gm := _GLUED.match(self.s, end)):
            return "name", base + gm[0], gm.end()  # δo1 is one (unknown) name, as deltao1 is
        if base in ("w", "W") and (lm := _LAYER_BEFORE.match(self.s, end)):
            if pm := _SUB_PAIR.match(self.s, lm.end()):
                pair, layer, end = pm, lm[2], pm.end()
        if pair is None and (pm := _SUB_PAIR.match(self.s, end)):
            pair, end = pm, pm.end()
            if base in ("w", "W") and (lm := _LAYER_AFTER.match(self.s, end)):
                layer, end = lm[1], lm.end()
        while pair is None and (
            sm := _SUB_LIST.match(self.s, end)
            or _SUB_TEXT.match(self.s, end)
            or _SUB_RUN.match(self.s, end)
        ):
            parts += re.split(r"[\s,]+", sm[1])
            end = sm.end()
        if pair is not None:
            return "name", f"{base}{f'({layer})' if layer else ''}_({pair[2]},{pair[3]})", end
        if parts:
            joined = len(parts) == 1 and parts[0].isdigit() and base in ("x", "b", "w")
            return "name", base + parts[0] if joined else "_".join([base, *parts]), end
        if not m["braced"] and base in FUNCTIONS:
            return "func", base, end
        if not m["braced"] and base == "e":
            return "const", sp.E, end
        return "name", base, end

    def _number(self, literal: str, pos: int) -> sp.Rational:
        if len(literal) > MAX_LITERAL:
            raise AnswerError("too_complex", "number_too_long", pos)
        mantissa, _, exponent = literal.lower().partition("e")
        if abs(int(exponent or 0)) > MAX_EXPONENT:
            raise AnswerError("too_complex", "too_big", pos)
        whole, _, fraction = mantissa.partition(".")
        scale = int(exponent or 0) - len(fraction)
        digits = int(whole + fraction)
        return sp.Integer(digits * 10**scale) if scale >= 0 else sp.Rational(digits, 10**-scale)

    def _command(self, i: int) -> tuple[str | None, object, int]:
        m = _COMMAND.match(self.s, i)
        if m is None:
            raise AnswerError("unparseable", "unexpected", i, found="\\")
        cmd, end = m[1], m.end()
        if cmd in _COMMANDS:
            return *_COMMANDS[cmd], end
        if _SIZER.fullmatch(cmd):
            while end < len(self.s) and self.s[end].isspace():
                end += 1
            delimiter = self.s[end : end + 1]
            if delimiter == ".":
                return None, None, end + 1
            if delimiter and delimiter in "([)]":
                return "open" if delimiter in "([" else "close", delimiter, end + 1
            raise AnswerError("unparseable", "unexpected", i, found=self.text[i : end + 1])
        raise AnswerError("unparseable", "unknown_command", i, found=self.text[i:end])

"""Read a learner's typed answer (plain text, Unicode maths or LaTeX) into a SymPy expression.

The answer is untrusted text, so it never reaches ``eval``, ``sympify`` or any SymPy parser:
those run Python's ``eval`` on (a rewrite of) the text, and a string such as
``__import__('os').system(...)`` would run. They would also misread the article's notation:
``w_(1,2)`` is one name here, not a call, and ``δ_o1``, ``Out_o1`` or ``\\left(…\\right)`` are not
Python. Instead a small tokenizer turns the text into names, numbers and operators, and a
recursive-descent parser builds the expression with SymPy constructors only. Names are looked up
through the caller's ``resolve``, and every limit (length, nesting, size of numeric powers) is
checked before SymPy gets a chance to do expensive work, since it evaluates numeric powers eagerly.

Grammar, loosest binding first (``^`` and ``**`` are the same operator)::

    answer   := [anything '='] expr
    expr     := term (('+' | '-') term)*
    term     := unary (('*' | '/') unary | power)*       # juxtaposition multiplies
    unary    := ('+' | '-')* power
    power    := postfix ['^' exponent]                   # right-associative
    exponent := ('+' | '-')* power
    postfix  := atom superscript*                        # x², x⁻¹
    atom     := number | name | 'e' | group | function argument | '\\frac' group group
              | derivative argument                  # σ'(x), f'(x): see parse_answer
    group    := '(' expr ')' | '[' expr ']' | '{' expr '}'

Around the answer, ``$…$``, ``\\(…\\)`` and a closing full stop or comma are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sympy as sp

from bpderive.exercises.lexer import (
    CLOSING,
    FUNCTIONS,
    STARTS_FACTOR,
    AnswerError,
    Lexer,
    Token,
)
from bpderive.exercises.messages import MAX_DEPTH, MAX_DIGITS, MAX_EXPONENT, MAX_LENGTH
from bpderive.exercises.suggest import suggestions

#: ``derivative(kind, argument)``: the activation's derivative at ``argument``, for ``f'`` (kind
#: ``"f"``) and ``σ'`` (kind ``"logistic"``); see :func:`parse_answer`.
Derivative = Callable[[str, sp.Expr], sp.Expr]


def _digits(n: sp.Rational) -> float:
    """Decimal digits of the larger of numerator and denominator, from their bit lengths."""
    return max(abs(int(n.p)).bit_length(), int(n.q).bit_length()) * 0.30103


class _Parser:
    """Precedence climbing over the tokens, one method per level of the grammar above."""

    def __init__(
        self,
        lexer: Lexer,
        resolve: Callable[[str], sp.Expr | None],
        valid: Iterable[str],
        derivative: Derivative | None,
    ) -> None:
        self.tokens, self.i, self.text = lexer.tokens(), 0, lexer.text
        self.depth = -1  # brackets, exponents and bare arguments around the current power
        self.resolve, self.valid, self.derivative = resolve, valid, derivative

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        self.i += 1
        return self.tokens[self.i - 1]

    def parse(self) -> sp.Expr:
        if self.peek().kind == "end":
            raise AnswerError("unparseable", "empty")
        value = self.expr()
        if (t := self.peek()).kind != "end":
            raise AnswerError("unparseable", "unexpected", t.pos, found=t.text)
        return value

    def expr(self) -> sp.Expr:
        value = self.term()
        while (t := self.peek()).kind == "op" and t.value in "+-":
            self.take()
            right = self.term()
            value = sp.Add(value, right if t.value == "+" else sp.Mul(-1, right))
        return value

    def term(self) -> sp.Expr:
        value = self.unary()
        while True:
            t = self.peek()
            if t.kind == "op" and t.value in "*/":
                self.take()
                right = self.unary()
                value = self.divide(value, right, t) if t.value == "/" else sp.Mul(value, right)
            elif t.kind in STARTS_FACTOR:
                value = sp.Mul(value, self.power())
            else:
                return value
            # a product of numbers that each passed raise_to can still grow without bound
            if any(_digits(r) > MAX_DIGITS for r in value.atoms(sp.Rational)):
                raise AnswerError("too_complex", "too_big", t.pos)

    def unary(self) -> sp.Expr:
        negative = False
        while (t := self.peek()).kind == "op" and t.value in "+-":
            self.take()
            negative ^= t.value == "-"
        value = self.power()
        return sp.Mul(-1, value) if negative else value

    def power(self) -> sp.Expr:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:  # reported at the bracket, '^' or function that opened it
                raise AnswerError("too_complex", "too_deep", self.tokens[self.i - 1].pos)
            value = self.atom()
            while (t := self.peek()).kind == "sup":
                value = self.raise_to(value, self.take().value, t)
            if (t := self.peek()).kind == "op" and t.value == "^":
                self.take()
                value = self.raise_to(value, self.unary(), t)
            return value
        finally:
            self.depth -= 1

    def atom(self) -> sp.Expr:
        t = self.peek()
        if t.kind == "end":
            raise self.ended()
        self.take()
        if t.kind in ("num", "const"):
            return t.value
        if t.kind == "name":
            return self.lookup(t)
        if t.kind == "open":
            return self.group(t)
        if t.kind == "func":
            return FUNCTIONS[t.value](self.argument(t))
        if t.kind == "deriv":
            return self.derived(t)
        if t.kind == "frac":
            return self.divide(self.braced(t), self.braced(t), t)
        raise AnswerError("unparseable", "unexpected", t.pos, found=t.text)

    def ended(self) -> AnswerError:
        """The error for an answer that stops where an operand was still needed."""
        before = self.tokens[self.i - 1]
        reason = {"open": "unclosed", "func": "no_argument", "frac": "frac_args"}.get(
            before.kind, "missing_operand"
        )
        return AnswerError("unparseable", reason, before.pos, found=before.text)

    def group(self, opening: Token) -> sp.Expr:
        value = self.expr()
        t = self.peek()
        if t.kind == "close" and t.value == CLOSING[opening.value]:
            self.take()
            return value
        if t.kind == "end":
            raise AnswerError("unparseable", "unclosed", opening.pos, found=opening.text)
        expected = CLOSING[opening.value] if t.kind == "close" else None
        reason = "mismatch" if expected else "unexpected"
        raise AnswerError("unparseable", reason, t.pos, found=t.text, expected=expected)

    def argument(self, function: Token) -> sp.Expr:
        """``f(x)``, ``f[x]``, ``f{x}``; LaTeX's ``\\ln x`` also takes the next atom bare."""
        t = self.peek()
        if t.kind == "open":
            if function.value == "sqrt" and t.value == "[":
                raise AnswerError("unparseable", "unexpected", t.pos, found=t.text)
            return self.group(self.take())
        if function.text.startswith("\\") and t.kind in STARTS_FACTOR | {"num"}:
            return self.power()
        raise AnswerError("unparseable", "no_argument", function.pos, found=function.text)

    def derived(self, prime: Token) -> sp.Expr:
        """``σ'(x)`` or ``f'(x)``: which function ``f`` is, only the caller's network knows, so
        its ``derivative`` answers, and its AnswerError (an ``f`` that differs between layers)
        is the learner's, with this place, spelling and argument where it left them out. Without
        a ``derivative``, ``σ'`` is still the logistic function's σ(x)(1 − σ(x))."""
        if self.derivative is None and prime.value == "f":
            raise AnswerError("unparseable", "no_activation", prime.pos, found=prime.text)
        first = self.peek()
        argument = self.argument(prime)
        if self.derivative is None:
            sigma = FUNCTIONS["sigma"](argument)
            return sp.Mul(sigma, sp.Add(1, sp.Mul(-1, sigma)))
        try:
            value = self.derivative(prime.value, argument)
        except AnswerError as error:
            last = self.tokens[self.i - 1]
            if first.kind == "open":  # the argument inside its brackets
                typed = self.text[first.pos + len(first.text) : last.pos]
            else:
                typed = self.text[first.pos : last.pos + len(last.text)]
            error.argument = typed.strip() if error.argument is None else error.argument
            error.found = prime.text if error.found is None else error.found
            if error.position is None:
                error.position = prime.pos
                error.__post_init__()  # the exception's args carry the position too
            raise
        if not isinstance(value, sp.Expr):
            raise TypeError(f"derivative({prime.value!r}, …) returned {value!r}, not SymPy")
        return value

    def braced(self, frac: Token) -> sp.Expr:
        if (t := self.peek()).kind == "open" and t.value == "{":
            return self.group(self.take())
        raise AnswerError("unparseable", "frac_args", frac.pos, found=frac.text)

    def lookup(self, t: Token) -> sp.Expr:
        try:
            value = self.resolve(t.value)
        except KeyError:
            value = None
        if value is None:
            hints = suggestions(t.value, self.valid)
            raise AnswerError("unknown_name", "unknown_name", t.pos, name=t.text, suggestions=hints)
        if not isinstance(value, sp.Expr):
            raise TypeError(f"resolve({t.value!r}) returned {value!r}, not a SymPy expression")
        return value

    @staticmethod
    def divide(numerator: sp.Expr, denominator: sp.Expr, t: Token) -> sp.Expr:
        if denominator == 0:
            raise AnswerError("unparseable", "division_by_zero", t.pos)
        return sp.Mul(numerator, sp.Pow(denominator, -1))

    @staticmethod
    def raise_to(base: sp.Expr, exponent: sp.Expr, t: Token) -> sp.Expr:
        """``base ** exponent``, refused before SymPy would build a huge number eagerly."""
        if exponent.is_Rational:
            if abs(exponent) > MAX_EXPONENT:
                raise AnswerError("too_complex", "exponent_too_big", t.pos)
            if base == 0 and exponent < 0:
                raise AnswerError("unparseable", "division_by_zero", t.pos)
            coefficient = base.as_coeff_Mul()[0]  # SymPy distributes (c·x)^n into c^n·x^n
            if coefficient.is_Rational and abs(exponent) * _digits(coefficient) > MAX_DIGITS:
                raise AnswerError("too_complex", "too_big", t.pos)
        return sp.Pow(base, exponent)


def parse_answer(
    text: str,
    resolve: Callable[[str], sp.Expr | None],
    valid: Iterable[str],
    *,
    derivative: Derivative | None = None,
) -> sp.Expr:
    """Raise AnswerError or return the expression.

    ``resolve(name)`` maps a name in its plain spelling (``out_o1``, ``w_(1,2)``, ``delta_h1_2``,
    ``w(2)_(1,1)``; case as typed) to its symbol, or returns ``None`` (or raises ``KeyError``)
    when it is unknown. ``valid`` lists the plain names, only to suggest near misses.

    ``derivative(kind, argument)`` gives the activation's derivative for ``f'(argument)`` (kind
    ``"f"``) and ``σ'(argument)`` or ``sigmoid'(argument)`` (kind ``"logistic"``), since the
    parser does not know the network; it may raise AnswerError (say, for an ``f`` whose layers
    differ), which reaches the caller with its position, ``found`` and ``argument`` filled in
    from the text where it left them ``None``. Without it, ``σ'(x)`` reads σ(x)(1 − σ(x)) and
    ``f'(x)`` is an AnswerError (reason ``"no_activation"``).
    """
    if not isinstance(text, str):
        raise AnswerError("unparseable", "not_text")
    if len(text) > MAX_LENGTH:
        raise AnswerError("too_complex", "too_long")
    value = _Parser(Lexer(text), resolve, valid, derivative).parse()
    if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise AnswerError("unparseable", "undefined")
    return value

"""The learner derives, bpderive says which chain-rule factor is wrong.

``check(net, "w5", "(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1")`` returns a
:class:`Verdict`: right or wrong, which mistake, a message in the language in use (English or
Chinese, :func:`bpderive.set_language`; ``lang=`` overrides it for one check), and how the
answer was read.

**Targets.** A parameter name that ``net.gradient`` accepts (``w5``, ``w_(x1,1)``, ``b4``),
meaning ∂E_total/∂target, or a unit's δ (``delta_o2``, ``δ_h1``). :func:`targets` lists them.

**Answers** are read by :mod:`~bpderive.exercises.parse` (plain text, Unicode, LaTeX) with the
network's own names, the article's 2-3-2 aliases, and already-derived deltas: δ_h1 may be
written ``(δ_o1·w5 + δ_o2·w_(1,2))·out_h1(1 − out_h1)``; only the δ asked for is not allowed.
The text never reaches ``eval``, ``exec``, ``sympify``, ``parse_expr`` or ``lambdify``.

**Right** means equal to the derived chain as a function of the inputs, targets and parameters,
once every δ is replaced by its chain (``net_*`` and ``out_*`` are functions of the inputs too).
It is decided by the numbers at the worked example (on the article's 2-3-2 network) and at
:data:`~bpderive.exercises.task.N_POINTS` random points, which must agree to 1e-8 relative
(:data:`~bpderive.exercises.diagnose.RELATIVE`); where SymPy can also prove the equality
within the time limit, ``Verdict.proved`` says so.

**Mistake codes** (``Verdict.mistake``), see :mod:`~bpderive.exercises.diagnose`:

* ``sign``: −1 times the chain (the sign of the whole answer), or one factor with the wrong sign;
* ``constant_factor``: a constant multiple, such as a stray 2 from forgetting the ½;
* ``missing_factor``: one whole factor of the chain left out, named;
* ``wrong_factor``: one factor replaced (∂out_o1/∂net_o1 given as out_o1, ∂net_o1/∂w5 as out_h2);
  named, with what was given;
* ``missing_path``: a hidden-layer answer without one output's path (or several), named;
* ``learning_rate``: a learning rate (η1, ``eta1``) or an update rule (``w5⁺ = …``) in a
  gradient: η belongs to the update ``w⁺ = w − η1·∂E/∂w``, not to ∂E/∂w;
* ``wrong_target``: a left side (``∂E/∂w6 = …``) that names another quantity than the one asked;
* ``number_only``: a bare number where a formula is asked; whether it is the value at the worked
  example, to the decimals typed, is said;
* ``circular``: the δ asked for, used in its own answer;
* ``not_equivalent``: anything else, with both values;
* ``unparseable``: the text cannot be read, and where;
* ``unknown_name``: a name the network does not have, with the nearest valid ones (by meaning:
  ``o1`` → out_o1, net_o1; and by spelling);
* ``too_complex``: over the length, exponent or nesting limits, or the time limit
  (:data:`LIMIT_SECONDS`, where a timer signal can enforce it: see :func:`_limit`).

**A tutor, not an answer key.** The message of a located mistake (the first five) says what is
wrong and where, without the expected expression; ``Verdict.hints`` lead to it, least to most
specific, the last giving the expected expression and its number (:mod:`~bpderive.exercises.tutor`).
``check(..., reveal=True)`` puts the expected expression in the message at once.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import sympy as sp

from bpderive import language
from bpderive.exercises.diagnose import Finding, close, diagnose, values
from bpderive.exercises.left import read_left
from bpderive.exercises.messages import MISTAKE_NAMES, VERDICT
from bpderive.exercises.parse import AnswerError, parse_answer
from bpderive.exercises.readings import (
    Circular,
    LearningRate,
    Names,
    activation_derivative,
    same_quantity,
    typed_digits,
)
from bpderive.exercises.task import Task, points, targets, task
from bpderive.exercises.tutor import Said, Speaker, aliased, explain, fields
from bpderive.exercises.tutor_texts import NEW
from bpderive.exercises.verdict import Verdict
from bpderive.limits import MAX_FORMULA, LimitError
from bpderive.network import Network
from bpderive.symbolic import notation
from bpderive.symbolic.chain import Sum, path_unit
from bpderive.symbolic.notation import Name
from bpderive.worked_example import example

#: The time one check may take, parsing, numbers and SymPy's proof together.
LIMIT_SECONDS = 3.0
#: Every mistake code a verdict can carry, in the order the module's description explains them.
MISTAKES = tuple(MISTAKE_NAMES)

__all__ = ["LIMIT_SECONDS", "MISTAKES", "Verdict", "check", "targets"]


class _TooSlow(Exception):
    pass


@contextmanager
def _limit(seconds: float) -> Iterator[None]:
    """Raise :class:`_TooSlow` after ``seconds``, by a timer signal where one is available (the
    main thread on POSIX, where notebooks and the command line run); nested limits restore the
    outer one's remaining time.

    Elsewhere (Windows has no ``setitimer``; Python runs signal handlers in the main thread) the
    block runs to its end, bounded only by the parser's limits on length, exponents and nesting
    and by :func:`_proved`'s cap of 400 operations, not by :data:`LIMIT_SECONDS`: a contrived
    right answer that SymPy must expand (a tenth power of a six-term sum, times more sums) takes
    about four seconds there and is proved, where the timer stops the proof after one second.
    Ordinary answers take the same time either way. The alternatives cost more than they save:
    Python cannot stop a thread, and a process per check would take longer than the check."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    fired = []

    def stop(*_: object) -> None:
        fired.append(True)
        raise _TooSlow

    start = time.monotonic()
    outer, _ = signal.getitimer(signal.ITIMER_REAL)
    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, min(seconds, outer) if outer else seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - start), 1e-3))
    if fired:  # the signal came while Python ran a finaliser, which swallows what it raises
        raise _TooSlow


def check(
    net: Network, target: str, answer: str, lang: str | None = None, *, reveal: bool = False
) -> Verdict:
    """Check the learner's ``answer`` for ``target`` on ``net``; see the module's description.

    ``target`` must be one of :func:`targets` (a ``KeyError`` lists them) and ``lang`` ``"en"``,
    ``"zh"`` or ``None`` (the language in use); any ``answer`` gives a verdict, never an
    exception. The message says what is wrong and where; ``reveal=True`` adds the expected
    expression at once, which the verdict's hints otherwise give last."""
    lang = language.resolve(lang)
    asked = task(net, target, lang)
    zh = lang == "zh"
    names = Names(asked)
    numbers = {"where": VERDICT["example" if net.sizes == (2, 3, 2) else "sample"][zh]}
    speaker = Speaker(net, asked.label, zh, numbers, names.echo)

    def verdict(
        mistake: str | None,
        said: Said | str,
        read_as: sp.Expr | None = None,
        proved: bool = False,
        hints: tuple[Said, ...] = (),
        marks: dict[str, str] | None = None,
    ) -> Verdict:
        said = Said(said, said) if isinstance(said, str) else said
        return Verdict(
            target, str(answer), mistake is None, mistake, said.text, read_as, lang, proved,
            said.markdown, tuple(h.text for h in hints), tuple(h.markdown for h in hints),
            marks or {}, _drawing(asked),
        )  # fmt: skip

    try:
        with _limit(LIMIT_SECONDS), language.using(lang):  # formulas print in lang too
            read_as = parse_answer(
                answer,
                names,
                names.valid,
                derivative=lambda kind, x: activation_derivative(net, kind, x),
            )
            wrong_side = _left_side(asked, answer, speaker)
            if wrong_side is not None:
                mistake, said = wrong_side
                if mistake == "wrong_target" and _is_right(asked, read_as):
                    said += speaker.say(NEW["right_side_right"])
                return verdict(mistake, said, read_as)
            return _judge(asked, read_as, speaker, reveal, verdict)
    except AnswerError as error:
        return verdict(error.code, error.message(lang))
    except LearningRate as rate:
        return verdict("learning_rate", _learning_rate(asked, rate.name, speaker))
    except Circular:
        return verdict("circular", _circular(asked, speaker))
    except _TooSlow:
        return verdict("too_complex", VERDICT["too_slow"][zh].format(seconds=LIMIT_SECONDS))
    except LimitError as error:
        message = VERDICT["too_large"][zh].format(reason=error, limit=MAX_FORMULA)
        return verdict("too_complex", message)


def _update(asked: Task) -> sp.Basic:
    """The update rule that a learning rate belongs to: the asked parameter's own, or for a δ
    the first weight into its unit (derived either way, ``w⁺ = w − η1·∂E_total/∂w``)."""
    chain = asked.chain
    if asked.own is not None:
        unit = asked.own.name.removeprefix("delta_")
        weight = next(p for p in asked.net.parameters.values() if p.target == unit)
        chain = asked.net.gradient(weight.name)
    update = chain.update()
    alias = asked.label.bottom if asked.own is None else None
    if alias is None or alias.name not in asked.net.aliases:
        return update
    canonical = chain.parameter
    return update.xreplace(  # in the name the exercise asked with: w5⁺ = w5 − η1·∂E_total/∂w5
        {
            canonical: alias,
            Name(f"{canonical.name}⁺"): Name(f"{alias.name}⁺"),
            chain.label: asked.label,
        }
    )


def _learning_rate(asked: Task, name: str, speaker: Speaker) -> Said:
    update = _update(asked)
    return speaker.say(NEW["learning_rate"], lambda show: {"name": name, "update": show(update)})


def _circular(asked: Task, speaker: Speaker) -> Said:
    """The asked δ used in its own answer: what that δ is built from, by the kind of unit."""
    unit = asked.net.neurons[asked.own.name.removeprefix("delta_")]
    key = "circular_output" if unit.layer == asked.net.n_layers else "circular_hidden"
    return speaker.say(
        NEW[key],
        lambda show: {"name": show(asked.own), "chain": speaker.product(asked.chain, show)},
    )


def _left_side(asked: Task, answer: str, speaker: Speaker) -> tuple[str, Said] | None:
    """A left side that is not the quantity asked for: an updated parameter (``w5⁺ = …``,
    the mistake ``learning_rate``) or another quantity (``∂E/∂w6 = …`` for w5,
    ``wrong_target``). ``None`` when there is no left side, or it names what is asked."""
    left = read_left(answer)
    if left is None or left.kind == "other":
        return None
    if left.kind == "update":
        update = _update(asked)
        name = left.text
        return "learning_rate", speaker.say(
            NEW["update_left"], lambda show: {"name": name, "update": show(update)}
        )
    if same_quantity(asked, left.kind, left.name):
        return None
    return "wrong_target", speaker.say(NEW["wrong_target"], lambda show: {"left": left.text})


def _expanded(asked: Task, read_as: sp.Expr) -> sp.Expr:
    """The answer with every δ it uses replaced by its chain: a function of the inputs,
    targets and parameters, comparable with the chain asked for."""
    deltas = {
        s: asked.net.delta(s.name.removeprefix("delta_")).expr
        for s in read_as.free_symbols
        if s.name.startswith("delta_")
    }
    return read_as.xreplace(deltas)


def _is_right(asked: Task, read_as: sp.Expr) -> bool:
    at = points(asked.net)
    return close(values(_expanded(asked, read_as), at), values(asked.chain.expr, at))


def _judge(
    asked: Task, read_as: sp.Expr, speaker: Speaker, reveal: bool, verdict: Callable[..., Verdict]
) -> Verdict:
    """The verdict on an answer that was read: right, or the first mistake that explains it."""
    net, at = asked.net, points(asked.net)
    given = _expanded(asked, read_as)
    expected_values, given_values = values(asked.chain.expr, at), values(given, at)
    speaker.numbers["expected_value"] = notation.number(expected_values[0])
    speaker.numbers["given_value"] = notation.number(given_values[0])

    if not np.all(np.isfinite(given_values)):
        return verdict("not_equivalent", speaker.say(VERDICT["undefined"]), read_as)
    if close(given_values, expected_values):
        said = speaker.say(VERDICT["correct"], lambda show: {"expected": show(read_as)})
        return verdict(None, said, read_as, _proved(given - asked.chain.expr, net))
    if not read_as.free_symbols:
        return verdict("number_only", _number_only(read_as, expected_values[0], speaker), read_as)
    finding = diagnose(given, asked.chain, at)
    if finding.mistake == "sign" and finding.item is not None and not read_as.has(finding.given):
        if finding.path is None:  # the learner's minus sign is on the whole answer
            values_at_first = (expected_values[0], given_values[0])
            finding = Finding("sign", None, asked.chain.expr, given, *values_at_first)
        else:  # on one path's term: say so, and name the term rather than the factor
            finding = _term_of(asked, finding, at)
    found = fields(finding, speaker, net.loss.formula.as_coeff_Mul()[0] == sp.Rational(1, 2))
    label = None if finding.item is None else aliased(finding.item.label, asked.label, net)
    said = explain(finding, speaker, asked.chain, read_as, found, label)
    shown = said.full if reveal else said.short
    return verdict(finding.mistake, shown, read_as, False, said.hints, _marks(finding))


def _term_of(asked: Task, finding: Finding, at: list[dict]) -> Finding:
    """A sign found on a factor inside one path, when the learner's minus stands before the
    path's term (``−δ_o2·w_(1,2)``): the finding is then about that term, not the factor."""
    terms = [t for item in asked.chain.items if isinstance(item, Sum) for t in item.terms]
    path = next((t for t in terms if path_unit(t) == finding.path), None)
    if path is None:  # a path nested deeper: the factor is still the best name
        return finding
    value = values(path.expr, at)[0]
    return Finding("sign", path, path.expr, None, value, path=finding.path, typed=False)


def _number_only(number: sp.Rational, expected: float, speaker: Speaker) -> Said:
    """A bare number: a formula is asked. Say whether the number is the asked quantity's value
    at the worked example (or sample point) to the decimals it was typed with."""
    digits = typed_digits(number) if number.is_Rational else None
    tolerance = 0.5 * 10.0**-digits if digits is not None else 1e-8 * abs(expected)
    close_enough = abs(float(number) - expected) <= tolerance * (1 + 1e-9)
    typed = f"{float(number):.{digits}f}" if digits is not None else notation.text(number)
    key = "number_equal" if close_enough else "number_differs"
    return speaker.say(NEW[key], lambda show: {"given": typed})


def _marks(finding: Finding) -> dict[str, str]:
    """The paths of the chain a finding is about, by unit: missing, or wrong inside."""
    marks = {path_unit(path): "missing" for path in finding.missing}
    if finding.mistake == "missing_path" and not finding.missing:
        marks[finding.path] = "missing"
    elif finding.path is not None:
        marks[finding.path] = "wrong"
    return marks


def _drawing(asked: Task) -> Callable | None:
    """How :meth:`Verdict.figure` draws the paths of a parameter's chain on the article's
    figure, at the worked example where there is one; ``None`` for a δ."""
    if asked.own is not None:
        return None

    def draw(ax: object, marks: dict[str, str]) -> object:
        from bpderive.display.diagram import draw_network

        sample = example(asked.net) if asked.net.sizes == (2, 3, 2) else None
        return draw_network(asked.net, sample, ax, chain=asked.chain, marks=marks)

    return draw


def _proved(difference: sp.Expr, net: Network) -> bool:
    """Whether SymPy proves ``difference`` zero: at once, or with every ``out_*`` written as its
    activation of ``net_*`` (an answer may use ``e^(−net_o1)`` where the chain has ``out_o1``).
    A proof that would take too long is skipped: the numbers have already decided."""
    if sp.count_ops(difference) > 400:
        return False
    outs = {n.out: net.local[n.out] for row in net.layers[1:] for n in row}
    try:
        with _limit(1.0):
            return sp.expand(difference) == 0 or sp.simplify(difference.xreplace(outs)) == 0
    except _TooSlow:
        return False

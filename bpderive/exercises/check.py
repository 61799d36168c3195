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
:data:`N_POINTS` random points, which must agree to 1e-8 relative
(:data:`~bpderive.exercises.diagnose.RELATIVE`); where SymPy can also prove the equality
within the time limit, ``Verdict.proved`` says so.

**Mistake codes** (``Verdict.mistake``), see :mod:`~bpderive.exercises.diagnose`:

* ``sign``: −1 times the chain, or one factor with the wrong sign;
* ``constant_factor``: a constant multiple, such as a stray 2 from forgetting the ½;
* ``missing_factor``: one whole factor of the chain left out, named;
* ``wrong_factor``: one factor replaced (∂out_o1/∂net_o1 given as out_o1, ∂net_o1/∂w5 as out_h2);
  named, with what was expected and what was given;
* ``missing_path``: a hidden-layer answer without one output's path, naming that output;
* ``not_equivalent``: anything else, with both values;
* ``unparseable``: the text cannot be read, and where;
* ``unknown_name``: a name the network does not have, with the nearest valid ones;
* ``too_complex``: over the length, exponent or nesting limits, or the time limit
  (:data:`LIMIT_SECONDS`, where a timer signal can enforce it: see :func:`_limit`).
"""

from __future__ import annotations

import math
import re
import signal
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from bpderive import language
from bpderive.exercises.diagnose import Finding, close, diagnose, values
from bpderive.exercises.messages import MISTAKE_NAMES, SEPARATOR, UNKNOWN_TARGET, VERDICT
from bpderive.exercises.parse import AnswerError, parse_answer
from bpderive.limits import MAX_FORMULA, LimitError
from bpderive.network import Network
from bpderive.symbolic import notation
from bpderive.symbolic.chain import Chain
from bpderive.symbolic.notation import Name, Partial
from bpderive.worked_example import example

#: The time one check may take, parsing, numbers and SymPy's proof together.
LIMIT_SECONDS = 3.0
#: Random points (besides the worked example) at which an answer must equal the chain.
N_POINTS = 12

#: Every mistake code a verdict can carry, in the order the module's description explains them.
MISTAKES = tuple(MISTAKE_NAMES)


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`check`: ``correct``, the ``mistake`` code (``None`` when right), the
    ``message`` for the learner, and ``read_as``, the expression the text was read as (``None``
    when it could not be read). ``proved`` is true when SymPy proved a right answer equal to the
    chain, not only the numbers. ``lang`` is the language it speaks: in Chinese every part a
    learner reads is Chinese, the headline included; the mistake code stays for programs."""

    target: str
    answer: str
    correct: bool
    mistake: str | None
    message: str
    read_as: sp.Expr | None
    lang: str = "en"
    proved: bool = False
    markdown: str = field(default="", repr=False)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        zh = self.lang == "zh"
        colon = "：" if zh else ": "  # a full-width colon takes no space after it
        if self.correct:
            mark = "✓ "
        elif zh:  # the headline of _repr_markdown_: a code such as wrong_factor is not Chinese
            mark = f"✗ {VERDICT['wrong'][zh].format(mistake=MISTAKE_NAMES[self.mistake][zh])}"
        else:
            mark = f"✗ {self.mistake}{colon}"
        read_as = f"{VERDICT['read_as'][zh]}{colon}"
        read = "" if self.read_as is None else f"\n  {read_as}{notation.text(self.read_as)}"
        return f"{mark}{self.message}{read}"

    def _repr_markdown_(self) -> str:
        zh = self.lang == "zh"
        head = (
            "**✓**"
            if self.correct
            else f"**✗ {VERDICT['wrong'][zh].format(mistake=MISTAKE_NAMES[self.mistake][zh])}**"
        )
        lines = [f"{head} {self.markdown or self.message}"]
        if self.read_as is not None:
            colon = "：" if zh else ": "
            lines.append(f"{VERDICT['read_as'][zh]}{colon}${notation.latex(self.read_as)}$")
        return "\n\n".join(lines)

    def _repr_latex_(self) -> str:
        shown = self.read_as if self.read_as is not None else sp.Symbol(r"\text{?}")
        mark = r"\checkmark" if self.correct else r"\times"
        return rf"$\displaystyle {mark}\quad {notation.latex(shown)}$"


@dataclass(frozen=True)
class _Task:
    """What is asked: on which network, by which name and symbol (as the learner asked, alias
    included), the derived chain, and the δ that may not appear in the answer."""

    net: Network
    name: str
    label: sp.Symbol
    chain: Chain
    own: sp.Symbol | None


def targets(net: Network) -> list[str]:
    """Everything :func:`check` can ask for: every parameter (and article alias), every δ."""
    units = [n for n in net.neurons.values() if n.net is not None]
    return [*net.aliases, *net.parameters, *(f"delta_{n.name}" for n in units)]


def _task(net: Network, target: object, lang: str | None = None) -> _Task:
    """What ``target`` asks for on ``net``; an unknown target is a ``KeyError`` listing the valid
    ones, in ``lang`` (default: the language in use), as a learner who mistyped it reads it."""
    if not isinstance(net, Network):
        raise TypeError(f"net: expected a bpderive.Network, got {type(net).__name__}")
    if isinstance(target, str):
        if m := re.fullmatch(r"(?:delta|δ)_(\w+)", target):
            n = net.neurons.get(m[1])
            if n is not None and n.net is not None:
                own = net.delta_symbol(n.name)
                return _Task(net, f"δ_{n.name}", own, net.delta(n.name), own)
        elif target in net.aliases or target in net.parameters:
            label = Partial(net.symbol("E_total"), Name(target))
            return _Task(net, notation.text(label), label, net.gradient(target), None)
    valid = language.pick(SEPARATOR, lang).join(targets(net))
    raise KeyError(language.pick(UNKNOWN_TARGET, lang).format(target=target, valid=valid))


_POINTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _points(net: Network) -> list[dict]:
    """The worked example (on the article's network) and :data:`N_POINTS` seeded random points,
    each the number of every symbol for one sample; computed once per network."""
    if net not in _POINTS:
        points = []
        if net.sizes == (2, 3, 2):
            ex = example(net)
            points.append(net.environment(ex.params, ex.x, ex.target))
        rng = np.random.default_rng(2024)
        for _ in range(N_POINTS):
            params = {k: rng.uniform(-1, 1, shape) for k, shape in net.parameter_shapes.items()}
            target = rng.uniform(0.05, 0.95, net.sizes[-1])
            if net.loss.targets_sum_to_one:
                target /= target.sum()
            points.append(net.environment(params, rng.uniform(-1, 1, net.sizes[0]), target))
        _POINTS[net] = [{s: float(v) for s, v in env.items()} for env in points]
    return _POINTS[net]


class _OwnDelta(Exception):
    pass


def _resolver(task: _Task) -> tuple[Callable[[str], sp.Expr | None], list[str]]:
    """The parser's name lookup for this task: the network's names, less the error and rate
    symbols (not part of a derivative) and the δ being asked for; and the valid names."""
    hidden = {s for s in task.net.symbols.values() if s.name.startswith(("E_", "eta_"))}

    def resolve(name: str) -> sp.Expr | None:
        try:
            symbol = task.net.symbol(name)
        except KeyError:
            return None
        if symbol == task.own:
            raise _OwnDelta(name)
        return None if symbol in hidden else symbol

    valid = [*task.net.aliases, *(n for n, s in task.net.symbols.items() if s not in hidden)]
    return resolve, valid


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

    def stop(*_: object) -> None:
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


def check(net: Network, target: str, answer: str, lang: str | None = None) -> Verdict:
    """Check the learner's ``answer`` for ``target`` on ``net``; see the module's description.

    ``target`` must be one of :func:`targets` (a ``KeyError`` lists them) and ``lang`` ``"en"``,
    ``"zh"`` or ``None`` (the language in use); any ``answer`` gives a verdict, never an
    exception."""
    lang = language.resolve(lang)
    task = _task(net, target, lang)
    zh = lang == "zh"

    def verdict(
        mistake: str | None,
        message: str | tuple[str, str],
        read_as: sp.Expr | None = None,
        proved: bool = False,
    ) -> Verdict:
        text, markdown = (message, message) if isinstance(message, str) else message
        correct = mistake is None
        return Verdict(target, str(answer), correct, mistake, text, read_as, lang, proved, markdown)

    resolve, valid = _resolver(task)
    try:
        with _limit(LIMIT_SECONDS), language.using(lang):  # formulas print in lang too
            read_as = parse_answer(answer, resolve, valid)
            return _judge(task, read_as, zh, verdict)
    except AnswerError as error:
        return verdict(error.code, error.message(lang))
    except _OwnDelta:
        return verdict("unknown_name", VERDICT["own_delta"][zh].format(name=task.name))
    except _TooSlow:
        return verdict("too_complex", VERDICT["too_slow"][zh].format(seconds=LIMIT_SECONDS))
    except LimitError as error:
        message = VERDICT["too_large"][zh].format(reason=error, limit=MAX_FORMULA)
        return verdict("too_complex", message)


def _judge(task: _Task, read_as: sp.Expr, zh: bool, verdict: Callable[..., Verdict]) -> Verdict:
    """The verdict on an answer that was read: right, or the first mistake that explains it."""
    net, points = task.net, _points(task.net)
    deltas = {
        s: net.delta(s.name.removeprefix("delta_")).expr
        for s in read_as.free_symbols
        if s.name.startswith("delta_")
    }
    given = read_as.xreplace(deltas)
    expected_values, given_values = values(task.chain.expr, points), values(given, points)
    numbers = {
        "where": VERDICT["example" if net.sizes == (2, 3, 2) else "sample"][zh],
        "expected_value": notation.number(expected_values[0]),
        "given_value": notation.number(given_values[0]),
    }

    def both(key: str, fields: Callable[[Callable[[sp.Basic], str]], dict]) -> tuple[str, str]:
        """The message as text, and as Markdown with its formulas in LaTeX."""
        return tuple(
            VERDICT[key][zh].format(**{**numbers, "target": show(task.label), **fields(show)})
            for show in (lambda expr: _text(expr, zh), _latex_inline)
        )

    if not np.all(np.isfinite(given_values)):
        return verdict("not_equivalent", both("undefined", lambda show: {}), read_as)
    if close(given_values, expected_values):
        message = both("correct", lambda show: {"expected": show(read_as)})
        return verdict(None, message, read_as, _proved(given - task.chain.expr, net))
    finding = diagnose(given, task.chain, points)
    key = "sign_in" if finding.mistake == "sign" and finding.item is not None else finding.mistake
    message = both(key, lambda show: _fields(finding, task, zh, show))
    return verdict(finding.mistake, message, read_as)


def _text(expr: sp.Basic, zh: bool) -> str:
    """An expression as the message's text: :func:`~bpderive.symbolic.notation.text`, except that
    a label of one path of several (``∂E_total/∂out_h1 (via net_o2)``, whose name is English)
    names its path in the message's language."""
    if isinstance(expr, Partial) and expr.via is not None:
        partial = notation.text(Partial(expr.top, expr.bottom))
        return VERDICT["via"][zh].format(partial=partial, unit=notation.name_text(expr.via.name))
    return notation.text(expr)


def _latex_inline(expr: sp.Basic) -> str:
    return f"${notation.latex(expr)}$"


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


def _in_learners_form(finding: Finding) -> sp.Expr:
    """The expected factor as the learner would write it: ``f'(net)`` (the derivative as
    ``sympy.diff`` gives it) where the answer is in ``net``, else the form in ``out``."""
    item, given = finding.item, finding.given
    raw = getattr(item, "raw", None)
    if raw is None or given is None:
        return finding.expected
    uses = given.free_symbols
    return (
        raw if uses & raw.free_symbols and not uses & item.expr.free_symbols else finding.expected
    )


def _aliased(label: sp.Symbol, task: _Task) -> sp.Symbol:
    """A label with the target's canonical parameter replaced by the alias the learner asked with
    (``∂net_o1/∂w_(2,1)`` → ``∂net_o1/∂w6``), so the message speaks the learner's names."""
    alias = task.label.bottom if isinstance(task.label, Partial) else None
    if alias is None or alias.name not in task.net.aliases or not isinstance(label, Partial):
        return label
    canonical = task.net.symbol(alias.name)
    return Partial(label.top, alias, label.via) if label.bottom == canonical else label


def _fields(
    finding: Finding, task: _Task, zh: bool, show: Callable[[sp.Basic], str]
) -> dict[str, str]:
    """The parts of a finding's sentence: the item's label, expressions and numbers."""
    item = finding.item
    fields: dict[str, str] = {}
    if finding.expected_value is not None:
        fields["expected_value"] = notation.number(finding.expected_value)
    if finding.given_value is not None and math.isfinite(finding.given_value):
        fields["given_value"] = notation.number(finding.given_value)
    fields["path"] = VERDICT["in_path"][zh].format(unit=finding.path) if finding.path else ""
    if item is not None:
        fields["item"] = show(_aliased(item.label, task))
        fields["expected"] = show(_in_learners_form(finding))
        fields["given"] = show(finding.given) if finding.given is not None else ""
    if finding.mistake == "constant_factor":
        fields["ratio"] = notation.text(finding.ratio)
        half = task.net.loss.formula.as_coeff_Mul()[0] == sp.Rational(1, 2)
        doubled = half and finding.ratio in (2, sp.Rational(1, 2))
        fields["hint"] = VERDICT["half"][zh] if doubled else ""
    if finding.mistake == "missing_path":
        # the path as the δ rule writes it, δ_o2·w_(1,2): short at any depth
        link = item.items[-1].expr
        fields["expected"] = show(sp.Mul(task.net.delta_symbol(finding.path), link))
        fields["unit"] = finding.path
        fields["path"] = ""
    return fields

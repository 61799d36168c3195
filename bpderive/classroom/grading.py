"""What an assignment's autograder cells call: a wrong answer is an ``AssertionError``
(:class:`NotYet`) whose message is bpderive's verdict, in the assignment's language, shown
without a traceback.

nbgrader scores a test cell by whether it raises, and shows what it raised as the feedback, so
the student reads "∂out_o1/∂net_o1 is wrong: you wrote out_o1", with the first hint and how to
ask for the next, not a bare ``assert``. The derivation is judged by
:func:`~bpderive.exercises.check`, which parses the text and never evaluates it.
"""

from __future__ import annotations

from collections.abc import Mapping

from bpderive import language
from bpderive.classroom.assignment import slug
from bpderive.classroom.hand import NumberMistake, check_name, diagnose, update_rule
from bpderive.classroom.texts import (
    ASK,
    NO_ID,
    NOT_A_NUMBER,
    NOT_ANSWERED,
    NUMBER_FEEDBACK,
    WRONG_NUMBER,
)
from bpderive.classroom.variant import ETA1, NUMBERS, network, variant
from bpderive.exercises import Verdict, check
from bpderive.exercises.tutor_texts import AND
from bpderive.exercises.verdict import Hint


class NotYet(AssertionError):
    """An autograder cell's failure: an ``AssertionError``, since nbgrader scores a cell by
    whether it raises, that Jupyter shows as its message alone. The frames of bpderive's own
    code tell a student nothing, and the paths they print are the grading machine's; IPython
    asks an exception for ``_render_traceback_`` before it formats one."""

    def _render_traceback_(self) -> list[str]:
        return str(self).splitlines()


def verdict(target: str, answer: object, lang: str = "en") -> Verdict:
    """``check`` on the article's network, as the autograder and the class report both use it."""
    return check(network(), target, answer, lang=lang)  # type: ignore[arg-type]


def grade(target: str, answer: object, lang: str = "en") -> None:
    """Pass when ``answer`` is a right derivation of ``target``; else raise ``AssertionError``
    with the verdict: its message, how the answer was read, the first hint, and the call that
    gives the next one in the student's notebook (:func:`hint`)."""
    found = verdict(target, answer, lang)
    if not found.correct:
        ask = language.pick(ASK, lang).format(target=target, answer=f"answer_{slug(target)}")
        raise NotYet(found.report(1, ask))


def hint(target: str, answer: object, k: int = 2, lang: str | None = None) -> Hint | Verdict:
    """Hint ``k`` on the student's ``answer`` to ``target``, in a cell of the assignment, where
    the autograder's feedback gave hint 1 (``lang``: default, the language the assignment's
    setup cell chose). An answer that is right, or whose mistake has no located cause, has no
    hints: its verdict is shown instead, which says as much as can be said."""
    found = verdict(target, answer, language.resolve(lang))
    return found.hint(k) if found.hints else found


def grade_number(
    student_id: object,
    name: str,
    given: object,
    seed: int = 0,
    lang: str = "en",
    before: Mapping[str, object] | None = None,
) -> None:
    """Pass when ``given`` is the number ``name`` (one of :data:`NUMBERS`) of the student's own
    variant within the tolerance; else raise ``AssertionError`` saying what is wrong with it as
    a teacher would (:func:`~bpderive.classroom.hand.diagnose`: the sign, a factor 2, the
    update's direction or its η1, or a mistake carried from the numbers ``before`` it), never
    the expected value, which would hand over the answer."""
    check_name(name)
    if not isinstance(student_id, str) or not student_id.strip():
        raise NotYet(language.pick(NO_ID, lang))
    found = diagnose(variant(student_id, seed), name, given, before)
    if found is not None:
        raise NotYet(number_message(found, student_id, lang))


def number_message(found: NumberMistake, student_id: str, lang: str = "en") -> str:
    """A wrong number's feedback in ``lang``: what is wrong with it, in its label's terms."""
    label = NUMBERS[found.name]
    if found.code == "not_a_number":
        said = NOT_ANSWERED if found.given is None else NOT_A_NUMBER  # None: as released
        return language.pick(said, lang).format(label=label, given=found.given)
    if found.code == "wrong_number":
        wrong = language.pick(WRONG_NUMBER, lang)
        return wrong.format(label=label, given=found.given, student_id=student_id)
    sources = language.pick(AND, lang).join(NUMBERS[k] for k in found.sources)
    ratio = "2" if found.ratio == 2 else "½"
    code = "carried_many" if len(found.sources) > 1 else found.code
    return language.pick(NUMBER_FEEDBACK[code], lang).format(
        label=label, given=found.given, sources=sources, ratio=ratio, rule=update_rule(),
        eta1=ETA1,
    )  # fmt: skip

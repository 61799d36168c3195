"""What an assignment's autograder cells call: a wrong answer is an ``AssertionError`` whose
message is bpderive's verdict, in the assignment's language.

nbgrader scores a test cell by whether it raises, and shows what it raised as the feedback, so
the student reads "∂out_o1/∂net_o1 is wrong: you wrote out_o1", with the first hint and how to
ask for the next, not a bare ``assert``. The derivation is judged by
:func:`~bpderive.exercises.check`, which parses the text and never evaluates it.
"""

from __future__ import annotations

import math
import numbers

from bpderive import language
from bpderive.classroom.texts import ASK, NO_ID, NOT_A_NUMBER, WRONG_NUMBER
from bpderive.classroom.variant import NUMBERS, close, network, variant
from bpderive.exercises import Verdict, check


def verdict(target: str, answer: object, lang: str = "en") -> Verdict:
    """``check`` on the article's network, as the autograder and the class report both use it."""
    return check(network(), target, answer, lang=lang)  # type: ignore[arg-type]


def grade(target: str, answer: object, lang: str = "en") -> None:
    """Pass when ``answer`` is a right derivation of ``target``; else raise ``AssertionError``
    with the verdict: its message, how the answer was read, the first hint, and the command that
    gives the next one."""
    found = verdict(target, answer, lang)
    if not found.correct:
        raise AssertionError(found.report(1, language.pick(ASK, lang).format(target=target)))


def grade_number(
    student_id: object, name: str, given: object, seed: int = 0, lang: str = "en"
) -> None:
    """Pass when ``given`` is the number ``name`` (one of :data:`NUMBERS`) of the student's own
    variant within the tolerance; else raise ``AssertionError`` saying which number is off
    (without the expected value, which would hand over the answer)."""
    if name not in NUMBERS:
        raise ValueError(f"name: expected one of {', '.join(NUMBERS)}, got {name!r}")
    if not isinstance(student_id, str) or not student_id.strip():
        raise AssertionError(language.pick(NO_ID, lang))
    label = NUMBERS[name]
    is_number = isinstance(given, numbers.Real) and not isinstance(given, bool)
    if not is_number or not math.isfinite(float(given)):  # type: ignore[arg-type]
        raise AssertionError(language.pick(NOT_A_NUMBER, lang).format(label=label, given=given))
    expected = variant(student_id, seed).numbers[name]
    if not close(float(given), expected):  # type: ignore[arg-type]
        message = language.pick(WRONG_NUMBER, lang)
        raise AssertionError(message.format(label=label, given=given, student_id=student_id))

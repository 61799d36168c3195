"""Exercises: the learner derives a term, bpderive says which chain-rule factor is wrong.

:func:`check` judges a typed answer (:mod:`~bpderive.exercises.check`), :func:`ask` puts an
answer box in a notebook (:mod:`~bpderive.exercises.ask`); the answer is read by a parser of our
own (:mod:`~bpderive.exercises.parse`), never by ``eval`` or ``sympify``, and a wrong one is
diagnosed against the derived chain (:mod:`~bpderive.exercises.diagnose`).
"""

from bpderive.exercises.ask import ask
from bpderive.exercises.check import MISTAKES, Verdict, check, targets

__all__ = ["MISTAKES", "Verdict", "ask", "check", "targets"]

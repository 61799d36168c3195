"""Exercises: the learner derives a term, bpderive says which chain-rule factor is wrong.

:func:`check` judges a typed answer (:mod:`~bpderive.exercises.check`), :func:`ask` puts an
answer box in a notebook (:mod:`~bpderive.exercises.ask`); the answer is read by a parser of our
own (:mod:`~bpderive.exercises.parse`), never by ``eval`` or ``sympify``, and a wrong one is
diagnosed against the derived chain (:mod:`~bpderive.exercises.diagnose`). :func:`read_left`
says which quantity a pasted ``∂E/∂w5 = …`` names (:mod:`~bpderive.exercises.left`).
"""

from bpderive.exercises.ask import ask
from bpderive.exercises.check import MISTAKES, Verdict, check, targets
from bpderive.exercises.left import Left, read_left

__all__ = ["MISTAKES", "Left", "Verdict", "ask", "check", "read_left", "targets"]

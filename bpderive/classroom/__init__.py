"""Assignments a teacher grades with nbgrader, each student on their own numbers, and the
class's mistakes counted.

* :func:`variant` draws a student's own worked example from the student's ID
  (:mod:`~bpderive.classroom.variant`);
* :func:`write_assignment` writes the nbgrader source notebook
  (:mod:`~bpderive.classroom.assignment`), whose locked test cells call :func:`grade` and
  :func:`grade_number` (:mod:`~bpderive.classroom.grading`), and whose feedback's next hint
  is :func:`hint`;
* :func:`class_report` re-checks the autograded notebooks and :func:`write_report` writes the
  counts by mistake code (:mod:`~bpderive.classroom.report`);
* :func:`write_worksheets` writes each student's paper sheet and the answer key in LaTeX, and
  :func:`typeset` makes their PDFs where TeX is installed (:mod:`~bpderive.classroom.worksheet`).

nbgrader itself (the ``classroom`` extra) is needed by the teacher's commands, not by this
package: the test cells in a student's notebook import only bpderive.
"""

from bpderive.classroom.assignment import write_assignment
from bpderive.classroom.grading import grade, grade_number, hint
from bpderive.classroom.report import class_report, write_report
from bpderive.classroom.variant import NUMBERS, TOLERANCE, Variant, variant
from bpderive.classroom.worksheet import read_students, typeset, write_worksheets

__all__ = [
    "NUMBERS",
    "TOLERANCE",
    "Variant",
    "class_report",
    "grade",
    "grade_number",
    "hint",
    "read_students",
    "typeset",
    "variant",
    "write_assignment",
    "write_report",
    "write_worksheets",
]

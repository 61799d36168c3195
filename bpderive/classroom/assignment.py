"""An nbgrader assignment: the source notebook a teacher releases with ``nbgrader
generate_assignment``.

nbgrader reads the ``nbgrader`` key of each cell's metadata (schema version 3 in nbgrader 0.9:
``grade``, ``solution``, ``locked``, ``grade_id``, ``points``, ``schema_version``). A solution
cell is editable by the student and loses what lies between ``### BEGIN SOLUTION`` and ``###
END SOLUTION`` on release; a grade cell that is locked is an autograder test, worth its points
when it runs without an exception. So each exercise is an answer cell, ``answer_w5 = ""`` before
the teacher's answer in the solution region, then a locked test that calls
:func:`~bpderive.classroom.grading.grade`. A locked first code cell sets the assignment's
language, so that the student's own numbers, and any check the student runs, speak it too.

nbgrader puts its code stub (``# YOUR CODE HERE`` and ``raise NotImplementedError()``) where
the solution region was. The ``nbgrader_config.py`` written here for a new course sets the stub
to an empty line, so that the released answer cell is just ``answer_w5 = ""``; a course with its
own configuration keeps its stub, and :func:`write_assignment` says what line to add.

The notebook is written as plain JSON (nbformat 4.5), so bpderive needs neither nbformat nor
nbgrader to write it; the cells' ``bpderive`` metadata (the target, the language, the seed) lets
the class report read the graded notebooks without guessing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from bpderive import language
from bpderive.classroom import texts
from bpderive.classroom.hand import before
from bpderive.classroom.variant import NUMBERS, network
from bpderive.exercises.task import Task, task
from bpderive.symbolic.notation import text

#: The exercises when none are chosen: the article's 3.2.1 and 3.2.2 in one each, and δ_o1.
DEFAULT_EXERCISES = ("w5", "delta_o1", "w1")
#: Points of one derivation and of one hand-computed number.
POINTS = {"derivation": 2, "number": 1}
#: nbgrader's cell metadata schema (nbgrader 0.9).
SCHEMA_VERSION = 3
#: What the written course configuration sets nbgrader's code stub to (see the description).
STUB_LINE = 'c.ClearSolutions.code_stub = {"python": ""}'
_CONFIG = """\
# Written by `bpderive assignment`: the course's nbgrader configuration.
c = get_config()  # noqa: F821 (nbgrader defines it)
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.root = {root!r}
# A released answer cell is `answer_w5 = ""`, with nothing after it.
{stub}
"""


def slug(target: str) -> str:
    """The target as a Python name's tail and an nbgrader ``grade_id`` (letters, digits, ``_``):
    ``w5``, ``delta_o1``, ``w_(x1,1)`` → ``w_x1_1``."""
    return re.sub(r"[\W_]+", "_", target.replace("δ", "delta")).strip("_")


def _cell(kind: str, source: str, grade_id: str | None = None, **meta: object) -> dict:
    """One cell; with ``grade_id``, nbgrader's metadata (``meta``: grade, solution, locked,
    points, and ``bpderive``, which goes beside nbgrader's key)."""
    mine = meta.pop("bpderive", None)
    metadata: dict = {}
    if grade_id is not None:
        nbgrader = {"grade": False, "solution": False, "locked": False, **meta}
        metadata["nbgrader"] = {**nbgrader, "grade_id": grade_id, "schema_version": SCHEMA_VERSION}
    if mine is not None:
        metadata["bpderive"] = mine
    cell = {"cell_type": kind, "metadata": metadata, "source": source}
    if kind == "code":
        cell |= {"execution_count": None, "outputs": []}
    return cell


def _answer(name: str, blank: str, solution: str) -> str:
    return f"{name} = {blank}\n### BEGIN SOLUTION\n{name} = {solution}\n### END SOLUTION"


def _describe(target: str, lang: str) -> str:
    """What the target is, in words: a weight and its ends, a bias and its unit, or a δ."""
    net = network()
    if target.startswith(("delta_", "δ_")):
        return language.pick(texts.DELTA, lang).format(unit=target.split("_", 1)[1])
    p = net.resolve(target)
    if p.is_bias:
        return language.pick(texts.BIAS, lang).format(name=p.name, target=p.target)
    ends = {"name": p.name, "source": p.source, "target": p.target}
    if target in net.aliases:
        return language.pick(texts.ALIAS, lang).format(alias=target, **ends)
    return language.pick(texts.WEIGHT, lang).format(**ends)


def exercise_tasks(exercises: Sequence[str]) -> list[tuple[str, Task]]:
    """Each exercise's target with what it asks (its derived chain); unknown targets are refused
    together, so that a teacher mends the list once."""
    found, unknown = [], []
    for target in exercises:
        try:
            found.append((target, task(network(), target, "en")))
        except KeyError:
            unknown.append(target)
    if unknown or not exercises:
        raise ValueError(
            f"--exercises: expected targets such as w5, delta_o1, w1, b4, given {list(exercises)}"
            + (f" ({', '.join(unknown)} unknown)" if unknown else "")
        )
    return found


def _exercise(k: int, target: str, asked: Task, lang: str) -> list[dict]:
    """The exercise's text, its answer cell and its locked test."""
    label, name = asked.name, f"answer_{slug(target)}"
    heading = language.pick(texts.EXERCISE, lang).format(k=k, label=label)
    write = language.pick(texts.WRITE, lang).format(label=label, slug=slug(target))
    mine = {"target": target, "lang": lang}
    gap = language.pick((" ", ""), lang)
    return [
        _cell("markdown", f"{heading}\n\n{_describe(target, lang)}{gap}{write}"),
        _cell(
            "code",
            _answer(name, '""', json.dumps(text(asked.chain.expr), ensure_ascii=False)),
            f"answer-{slug(target)}",
            solution=True,
            bpderive=mine,
        ),
        _cell(
            "code",
            f"from bpderive.classroom import grade\n\ngrade({target!r}, {name}, lang={lang!r})",
            f"check-{slug(target)}",
            grade=True,
            locked=True,
            points=POINTS["derivation"],
            bpderive=mine,
        ),
    ]


def _numbers(seed: int, lang: str) -> list[dict]:
    """The hand computation on the student's own variant: what it is, the student's numbers,
    one answer cell for all of them, and a locked test per number."""
    labels = language.pick((", ", "、"), lang).join(NUMBERS.values())
    blanks = "\n".join(f"{name} = None" for name in NUMBERS)
    solution = "\n".join(
        [
            "### BEGIN SOLUTION",
            f"_yours = variant(student_id, seed={seed}).numbers",
            *(f"{name} = round(_yours[{name!r}], 4)" for name in NUMBERS),
            "### END SOLUTION",
        ]
    )
    mine = {"seed": seed, "lang": lang}
    cells = [
        _cell("markdown", language.pick(texts.NUMBERS_HEADING, lang).format(labels=labels)),
        _cell(
            "code",
            f"from bpderive.classroom import variant\n\nvariant(student_id, seed={seed})",
            "your-numbers",
            locked=True,
        ),
        _cell("code", f"{blanks}\n{solution}", "answer-numbers", solution=True, bpderive=mine),
    ]
    for name in NUMBERS:
        earlier = ", ".join(f"{k!r}: {k}" for k in before(name))  # for a mistake carried on
        call = f"grade_number(student_id, {name!r}, {name}, seed={seed}, lang={lang!r}"
        if earlier:  # on its own line, so that the locked cell fits the page
            call += f",\n{' ' * len('grade_number(')}before={{{earlier}}}"
        source = f"from bpderive.classroom import grade_number\n\n{call})"
        cells.append(
            _cell(
                "code",
                source,
                f"number-{name}",
                grade=True,
                locked=True,
                points=POINTS["number"],
                bpderive={**mine, "number": name},
            )
        )
    return cells


def notebook(
    name: str,
    lang: str = "en",
    exercises: tuple[str, ...] = DEFAULT_EXERCISES,
    numbers: bool = False,
    seed: int = 0,
) -> dict:
    """The assignment's source notebook, as nbformat 4 JSON data."""
    lang = language.resolve(lang)
    asked = exercise_tasks(exercises)
    student = _answer("student_id", '""', '"teacher"')
    comment = language.pick(texts.SETUP, lang)
    setup = (
        "from bpderive import set_language\n"
        f"from bpderive.classroom import hint  {language.pick(texts.HINT_COMMENT, lang)}\n\n"
        f"set_language({lang!r})  {comment}"
    )
    cells = [
        _cell("markdown", language.pick(texts.TITLE, lang).format(name=name)),
        _cell("code", setup, "setup", locked=True),
        _cell("markdown", language.pick(texts.STUDENT_ID, lang)),
        _cell("code", student, "student-id", solution=True),
    ]
    for k, (target, exercise) in enumerate(asked, start=1):
        cells += _exercise(k, target, exercise, lang)
    if numbers:
        cells += _numbers(seed, lang)
    for k, cell in enumerate(cells):  # nbformat 4.5 cells have ids: nbgrader's, else their place
        cell["id"] = cell["metadata"].get("nbgrader", {}).get("grade_id", f"cell-{k}")
    kernel = {"display_name": "Python 3", "language": "python", "name": "python3"}
    metadata = {"kernelspec": kernel, "language_info": {"name": "python"}}
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def write_assignment(
    name: str,
    course: Path | str,
    lang: str = "en",
    exercises: tuple[str, ...] = DEFAULT_EXERCISES,
    numbers: bool = False,
    seed: int = 0,
    *,
    force: bool = False,
) -> tuple[Path, str]:
    """Write ``course/source/name/name.ipynb`` (and ``course/nbgrader_config.py`` when the course
    has none); returns the notebook's path and what to tell the teacher.

    A source notebook that is already there is the teacher's: it may have been edited by hand
    since, so only ``force`` replaces one that differs from what these options write."""
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", name or ""):
        raise ValueError(f"name: expected letters, digits, _ or - (a folder name), got {name!r}")
    root = Path(course).resolve()
    if root.exists() and not root.is_dir():
        raise ValueError(f"--course: expected a directory, got the file {str(root)!r}")
    data = notebook(name, lang, tuple(exercises), numbers, seed)
    path = root / "source" / name / f"{name}.ipynb"
    written = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    if path.is_file() and not force and path.read_text(encoding="utf-8") != written:
        raise ValueError(
            f"{path} is already there and differs from what these options write (edited by hand, "
            "or written with other options): --force replaces it"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(written, encoding="utf-8")
    config = root / "nbgrader_config.py"
    said = [f"wrote {path}"]
    if not config.exists():
        config.write_text(
            _CONFIG.format(course_id=root.name, root=str(root), stub=STUB_LINE), encoding="utf-8"
        )
        said.append(f"wrote {config}")
    elif "code_stub" not in config.read_text(encoding="utf-8"):
        said.append(
            f"{config} is kept: add `{STUB_LINE}` to it, or the released answer cells end in "
            "nbgrader's `raise NotImplementedError()`, which each student must delete"
        )
    said.append(f"next: cd {root} && nbgrader generate_assignment {name}")
    return path, "\n".join(said)

"""The class's mistakes: every autograded notebook re-checked, the mistakes counted by code.

nbgrader's gradebook knows each cell's score, not why it was lost; a teacher wants to hear that
18 of 40 students left out the path through o2. :func:`class_report` reads
``course/autograded/<student>/<name>/<name>.ipynb``, takes each answer out of its answer cell,
judges it again with :func:`~bpderive.exercises.check`, and counts the verdicts' codes, with the
commonest wrong answer of each kind as its example. A hand-computed number (exercise
``number:delta_o1``) counts by what is wrong with it against the variant of the ID the notebook
gives: its sign, a factor 2, the update's direction or η1, a mistake carried from an earlier
number, or only ``wrong_number`` (:mod:`~bpderive.classroom.hand`).

The answers are read with :func:`ast.parse` (the text ``answer_w5 = "…"``, taken as the literal
it assigns), never run: a notebook that assigns anything else counts as unreadable.
A notebook whose ``student_id`` is not its folder's student is flagged: its numbers were drawn
for somebody else.
"""

from __future__ import annotations

import ast
import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bpderive import language
from bpderive.classroom import texts
from bpderive.classroom.grading import verdict
from bpderive.classroom.hand import diagnose, is_number
from bpderive.classroom.variant import NUMBERS, network, variant
from bpderive.display.tables import table
from bpderive.exercises.messages import MISTAKE_NAMES
from bpderive.exercises.task import task
from bpderive.fonts import use_chinese_font, write_chinese_in

#: A hand-computed number's exercise in the report: ``number:delta_o1`` (δ_o1 is derived too).
NUMBER = "number:"
#: The columns of ``students.csv``: one row per wrong answer, for programs (codes, in English).
STUDENT_COLUMNS = ("student", "exercise", "mistake", "answer")
#: An exercise left as released (``answer_w5 = ""``, ``out_h1 = None``): counted apart from the
#: mistakes, so that "7 unparseable" does not hide "7 did not answer".
UNANSWERED = "unanswered"
UNANSWERED_NAME = ("not answered", "未作答")
#: The codes of a hand-computed number's mistakes, with their names.
NUMBER_MISTAKES = {
    "not_a_number": ("not a number", "不是数"),
    "carried": ("carried from an earlier number", "前面的数算错，带到这里"),
    "number_sign": ("the sign", "符号错误"),
    "update_sign": ("update up the gradient", "更新方向反了"),
    "no_learning_rate": ("no learning rate", "漏掉学习率"),
    "number_factor": ("a factor 2 or ½", "差 2 或 ½ 倍"),
    "wrong_number": ("a wrong number", "数值错误"),
}


@dataclass(frozen=True)
class Submission:
    """One student's graded notebook: the folder's student, the ID written in it, the answers
    by target, the hand-computed numbers by name (``None`` where none could be read), and the
    exercises left as released (``""``, ``None``): not answered, which is not a mistake made."""

    student: str
    student_id: object
    answers: dict[str, object]
    numbers: dict[str, object] = field(default_factory=dict)
    seed: int = 0
    blank: frozenset[str] = frozenset()


def _literals(source: str) -> dict[str, object]:
    """The constants a cell assigns to plain names (the last assignment of each), read without
    running anything; a cell that does not parse assigns nothing."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    found: dict[str, object] = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign):
            continue
        try:  # a literal only (-0.08, "…"): literal_eval of a parsed node runs nothing
            value = ast.literal_eval(node.value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue
        for aim in node.targets:
            if isinstance(aim, ast.Name):
                found[aim.id] = value
    return found


def read(path: Path, student: str) -> Submission:
    """The answers of one notebook, found by the cells' nbgrader ``grade_id`` and the
    ``bpderive`` metadata :mod:`~bpderive.classroom.assignment` wrote."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    student_id: object = None
    answers: dict[str, object] = {}
    numbers: dict[str, object] = {}
    seed, blank = 0, set()
    for cell in cells:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
        mine = cell["metadata"].get("bpderive", {})
        source = "".join(cell["source"])
        values = _literals(source)
        if grade_id == "student-id":
            student_id = values.get("student_id")
        elif grade_id == "answer-numbers":
            numbers = {name: values.get(name) for name in NUMBERS}
            seed = int(mine.get("seed", 0))
            blank |= {NUMBER + name for name in NUMBERS if name in values and values[name] is None}
        elif grade_id.startswith("answer-") and "target" in mine:
            answer = values.get(grade_id.replace("answer-", "answer_", 1))
            answers[mine["target"]] = answer
            if isinstance(answer, str) and not answer.strip():
                blank.add(mine["target"])
    return Submission(student, student_id, answers, numbers, seed, frozenset(blank))


@dataclass(frozen=True)
class ClassReport:
    """The counts (``rows``: exercise, mistake code, count, commonest wrong answer), the
    submissions read, the flags (IDs that are not their folder's student), and who made each
    mistake (``mistakes``: student, exercise, code, answer), so that a teacher who reads "7
    left out the path through o2" can see the seven."""

    name: str
    lang: str
    submissions: list[Submission]
    rows: list[tuple[str, str, int, str]]
    flags: list[str]
    mistakes: list[tuple[str, str, str, str]] = field(default_factory=list)

    def table(self) -> str:
        """The counts as an aligned text table, headed in the report's language."""
        lang = self.lang
        n = len(self.submissions)
        head = language.pick(texts.REPORT_HEAD, lang).format(name=self.name, n=n)
        if not self.rows:
            return f"{head}\n{language.pick(texts.NONE_WRONG, lang)}"
        named = language.pick(("{} ({})", "{}（{}）"), lang)
        rows = [
            (_label(ex, lang), named.format(code, _mistake_name(code, lang)), count, example)
            for ex, code, count, example in self.rows
        ]
        counts = table(rows, language.pick(texts.COLUMNS, lang)).text()
        return "\n".join([head, counts, *(f"! {flag}" for flag in self.flags)])


def _label(exercise: str, lang: str) -> str:
    """``∂E_total/∂w5`` or ``δ_o1`` for a derivation, ``δ_o1 (by hand)`` for a number."""
    if exercise.startswith(NUMBER):
        label = NUMBERS[exercise.removeprefix(NUMBER)]
        return language.pick(texts.BY_HAND, lang).format(label=label)
    return task(network(), exercise, "en").name


def _mistake_name(code: str, lang: str) -> str:
    names = {**MISTAKE_NAMES, **NUMBER_MISTAKES, UNANSWERED: UNANSWERED_NAME}
    return language.pick(names[code], lang)


def class_report(name: str, course: Path | str, lang: str | None = None) -> ClassReport:
    """Re-check every autograded notebook of assignment ``name`` in ``course``."""
    lang = language.resolve(lang)
    root = Path(course)
    pattern = root / "autograded" / "*" / name / f"{name}.ipynb"
    paths = sorted(root.glob(f"autograded/*/{name}/{name}.ipynb"))
    if not paths:
        raise ValueError(
            language.pick(texts.NO_SUBMISSIONS, lang).format(pattern=pattern, name=name)
        )
    submissions = [read(path, path.parent.parent.name) for path in paths]
    wrong: dict[tuple[str, str], Counter] = {}
    flags, mistakes = [], []
    for sub in submissions:
        if sub.student_id != sub.student:
            flag = language.pick(texts.MISMATCH, lang)
            flags.append(flag.format(folder=sub.student, given=sub.student_id))
        found = [(t, verdict(t, answer, lang).mistake, answer) for t, answer in sub.answers.items()]
        numbers = [(NUMBER + n, code, given) for n, code, given in _number_mistakes(sub)]
        for exercise, code, answer in [*found, *numbers]:
            code, shown = (UNANSWERED, "") if exercise in sub.blank else (code, str(answer))
            if code is not None:
                wrong.setdefault((exercise, code), Counter())[shown] += 1
                mistakes.append((sub.student, exercise, code, shown))
    order = [t for sub in submissions for t in [*sub.answers, *(NUMBER + n for n in sub.numbers)]]
    rows = [
        (exercise, code, sum(answers.values()), answers.most_common(1)[0][0])
        for (exercise, code), answers in wrong.items()
    ]
    rows.sort(key=lambda r: (order.index(r[0]), -r[2], r[1]))
    return ClassReport(name, lang, submissions, rows, flags, mistakes)


def _number_mistakes(sub: Submission) -> list[tuple[str, str, object]]:
    """The hand-computed numbers that are wrong for the notebook's ID, each with its code
    (:func:`~bpderive.classroom.hand.diagnose`, the student's other numbers at hand for a
    mistake carried forward)."""
    if not isinstance(sub.student_id, str) or not sub.student_id.strip():
        return [(n, "not_a_number", g) for n, g in sub.numbers.items() if not is_number(g)]
    mine = variant(sub.student_id, sub.seed)
    found = [
        (name, diagnose(mine, name, given, sub.numbers)) for name, given in sub.numbers.items()
    ]
    return [(name, wrong.code, wrong.given) for name, wrong in found if wrong is not None]


def write_report(report: ClassReport, out: Path | str) -> tuple[Path, Path, Path]:
    """``out/report.csv`` (columns ``exercise, mistake, count, example``: codes, for programs),
    ``out/students.csv`` (``student, exercise, mistake, answer``: who made each mistake) and
    ``out/report.png`` (a bar per exercise and mistake, in the report's language)."""
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"--out: expected a directory, got the file {str(folder)!r}")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for file, header, rows in (
        ("report.csv", language.pick(texts.COLUMNS, "en"), report.rows),
        ("students.csv", STUDENT_COLUMNS, report.mistakes),
    ):
        written.append(folder / file)
        with written[-1].open("w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(header)
            writer.writerows(rows)
    chart = folder / "report.png"
    _chart(report).savefig(chart, dpi=120, bbox_inches="tight")
    return written[0], written[1], chart


def _chart(report: ClassReport):  # -> matplotlib.figure.Figure (matplotlib is optional)
    """Horizontal bars, one per exercise and mistake, longest first within each exercise, each
    labelled with its share of the class ("9 / 24": nine of 24 submissions)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    lang = report.lang
    if lang == "zh":
        use_chinese_font()
    rows = report.rows
    figure = Figure(figsize=(7.5, 0.45 * max(len(rows), 2) + 1.2))
    FigureCanvasAgg(figure)
    ax = figure.subplots()
    labels = [f"{_label(ex, lang)} · {_mistake_name(code, lang)}" for ex, code, _, _ in rows]
    bars = ax.barh(range(len(rows)), [n for _, _, n, _ in rows], color="#c0392b")
    total = len(report.submissions)
    ax.bar_label(bars, [f"{n} / {total}" for _, _, n, _ in rows], padding=3)  # 9 of 24
    ax.set_yticks(range(len(rows)), labels)
    ax.invert_yaxis()
    ax.xaxis.get_major_locator().set_params(integer=True)
    title = language.pick(texts.CHART_TITLE, lang)
    ax.set_title(title.format(name=report.name, n=total))
    ax.set_xlim(0, total * 1.12)  # room for the labels
    ax.set_xlabel(language.pick(texts.CHART_AXIS, lang))
    if lang == "zh":
        write_chinese_in([ax.title, ax.xaxis.label, *ax.get_yticklabels()])
    return figure

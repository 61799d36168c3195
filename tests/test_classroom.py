"""A class graded end to end with the real nbgrader command line: a course in a temporary folder,
four students, ``bpderive assignment`` (Chinese, with the hand computation), ``nbgrader
generate_assignment``, submissions written here, ``nbgrader autograde`` and ``export``, then
``bpderive report``.

nbgrader is in the ``test`` extra, so this runs wherever the README's install command ran (CI
included); it is skipped, saying so, only where nbgrader is not installed.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bpderive.classroom import variant

pytestmark = [
    pytest.mark.long,
    pytest.mark.skipif(
        importlib.util.find_spec("nbgrader") is None,
        reason="nbgrader is not installed: pip install -c constraints.txt -e '.[classroom]'",
    ),
]

RIGHT = {
    "w5": "(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1",
    "delta_o1": "(out_o1 - target_o1)·out_o1(1 − out_o1)",
    "w1": "(δ_o1·w5 + δ_o2·w_(1,2))·out_h1(1 − out_h1)·x1",
}
#: Student folder → (the ID written in the notebook, the answers).
CLASS = {
    "alice": ("alice", RIGHT),
    "bob": (  # a sign error and a missing path
        "bob",
        {
            **RIGHT,
            "delta_o1": "(target_o1 - out_o1)*out_o1*(1 - out_o1)",
            "w1": "delta_o1*w5*out_h1*(1 - out_h1)*x1",
        },
    ),
    "carol": ("alice", RIGHT),  # alice's ID, so alice's numbers: copied
    "dave": ("dave", RIGHT),  # right derivations; by hand, δ_o1's sign slipped and carried on
}


def by_hand(student_id: str) -> dict[str, float]:
    """The six numbers as the student computed them, four decimals kept: dave's δ_o1 with
    (target − out) for (out − target), and ∂E_total/∂w5 and w5⁺ computed right from it."""
    v = variant(student_id)
    numbers = dict(v.numbers)
    if student_id == "dave":
        numbers["delta_o1"] = -numbers["delta_o1"]
        numbers["dE_dw5"] = numbers["delta_o1"] * numbers["out_h1"]
        numbers["w5_new"] = float(v.params["W2"][0, 0]) - v.eta1 * numbers["dE_dw5"]
    return {name: round(value, 4) for name, value in numbers.items()}


def run(*args: str, cwd: Path) -> str:
    """One command, in ``cwd``, in this Python's environment (its scripts first on PATH); its
    output, or the test fails with it."""
    env = {k: v for k, v in os.environ.items() if k != "BPDERIVE_LANG"}
    # nbgrader runs the environment's own `alembic` command: find it without an activated venv
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    done = subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


def submit(course: Path, student: str, student_id: str, answers: dict[str, str]) -> None:
    """The released notebook with the student's ID, answers and numbers (rounded to four
    decimals, as by hand) filled in, as nbgrader collects it."""
    nb = json.loads((course / "release/hw1/hw1.ipynb").read_text(encoding="utf-8"))
    numbers = by_hand(student_id)
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
        if grade_id == "student-id":
            cell["source"] = f'student_id = "{student_id}"'
        elif grade_id == "answer-numbers":
            cell["source"] = "\n".join(f"{k} = {v}" for k, v in numbers.items())
        elif grade_id.startswith("answer-"):
            target = grade_id.removeprefix("answer-")
            assert (
                "".join(cell["source"]).strip() == f'answer_{target} = ""'
            )  # released as it should
            cell["source"] = f"answer_{target} = {json.dumps(answers[target], ensure_ascii=False)}"
    folder = course / "submitted" / student / "hw1"
    folder.mkdir(parents=True)
    (folder / "hw1.ipynb").write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")


def errors(course: Path, student: str, part: str = "evalue") -> dict[str, object]:
    """The autograded notebook's failed test cells: grade_id → the error's message (or the
    traceback the student sees, with ``part="traceback"``)."""
    path = course / "autograded" / student / "hw1" / "hw1.ipynb"
    found = {}
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                found[cell["metadata"]["nbgrader"]["grade_id"]] = output[part]
    return found


def shown_numbers(course: Path, student: str) -> str:
    """What the autograded notebook's your-numbers cell shows the student (its Markdown)."""
    path = course / "autograded" / student / "hw1" / "hw1.ipynb"
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    (cell,) = [
        c for c in cells if c["metadata"].get("nbgrader", {}).get("grade_id") == "your-numbers"
    ]
    (output,) = cell["outputs"]
    return "".join(output["data"]["text/markdown"])


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    course = tmp_path_factory.mktemp("course")
    run(
        "bpderive.cli",
        "assignment",
        "hw1",
        "--course",
        ".",
        "--lang",
        "zh",
        "--numbers",
        cwd=course,
    )
    for student in CLASS:
        run("nbgrader", "db", "student", "add", student, cwd=course)
    run("nbgrader", "generate_assignment", "hw1", cwd=course)
    for student, (student_id, answers) in CLASS.items():
        submit(course, student, student_id, answers)
    run("nbgrader", "autograde", "hw1", cwd=course)
    run("nbgrader", "generate_feedback", "hw1", cwd=course)
    run("nbgrader", "export", cwd=course)
    return course


def test_full_marks_for_right_answers_and_partial_with_chinese_feedback_for_two_mistakes(course):
    with (course / "grades.csv").open(encoding="utf-8") as stream:
        scores = {row["student_id"]: row for row in csv.DictReader(stream)}
    full = float(scores["alice"]["max_score"])
    assert full == 3 * 2 + 6 * 1  # three derivations, six numbers
    assert float(scores["alice"]["score"]) == full
    assert 0 < float(scores["bob"]["score"]) == full - 4 < full
    assert float(scores["carol"]["score"]) == full  # the autograder cannot tell: the report can
    assert errors(course, "alice") == {}
    bob = errors(course, "bob")
    assert bob.keys() == {"check-delta_o1", "check-w1"}
    assert "符号错误" in bob["check-delta_o1"] and "∂E_total/∂out_o1" in bob["check-delta_o1"]
    assert "缺少路径" in bob["check-w1"] and "o2" in bob["check-w1"]
    assert "提示 1/3" in bob["check-w1"]
    assert "在新单元格里运行 hint('w1', answer_w1, 2)" in bob["check-w1"]  # the setup cell's
    for cell, shown in errors(course, "bob", "traceback").items():  # the message, no frames
        assert shown == bob[cell].splitlines(), cell
    shown = shown_numbers(course, "bob")  # the locked setup cell made the notebook Chinese
    assert shown.startswith("**你的数值**（学号 `bob`）") and "权值（输入层 → 隐含层）：" in shown
    feedback = (course / "feedback/bob/hw1/hw1.html").read_text(encoding="utf-8")
    assert "缺少路径" in feedback  # what bob receives: the verdict, no frame of bpderive's code
    assert "grading.py" not in feedback and "AssertionError" not in feedback
    assert float(scores["dave"]["score"]) == full - 3
    dave = errors(course, "dave")
    assert dave.keys() == {"number-delta_o1", "number-dE_dw5", "number-w5_new"}
    assert "符号错了" in dave["number-delta_o1"]
    assert "先改正 δ_o1" in dave["number-dE_dw5"]  # the mistake is earlier, and said so
    assert "先改正 ∂E_total/∂w5" in dave["number-w5_new"]


def test_the_report_counts_the_mistakes_by_code_and_flags_the_copied_id(course):
    out = course / "report"
    printed = run(
        "bpderive.cli",
        "report",
        "hw1",
        "--course",
        ".",
        "--lang",
        "zh",
        "--out",
        "report",
        cwd=course,
    )
    with (out / "report.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["exercise"], r["mistake"], r["count"]) for r in rows] == [
        ("delta_o1", "sign", "1"),
        ("w1", "missing_path", "1"),
        ("number:delta_o1", "number_sign", "1"),
        ("number:dE_dw5", "carried", "1"),
        ("number:w5_new", "carried", "1"),
    ]
    assert rows[1]["example"] == CLASS["bob"][1]["w1"]
    with (out / "students.csv").open(encoding="utf-8") as stream:
        who = [(r["student"], r["exercise"], r["mistake"]) for r in csv.DictReader(stream)]
    assert who == [
        ("bob", "delta_o1", "sign"),
        ("bob", "w1", "missing_path"),
        ("dave", "number:delta_o1", "number_sign"),
        ("dave", "number:dE_dw5", "carried"),
        ("dave", "number:w5_new", "carried"),
    ]
    assert "共 4 份作业" in printed and "missing_path（缺少路径）" in printed
    assert "carol：笔记本里的学号是 'alice'" in printed
    assert "alice：" not in printed and "bob：" not in printed and "dave：" not in printed
    assert (out / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

"""bpderive.classroom without nbgrader: each student's variant (checked against a plain NumPy
forward pass written here, not bpderive's), the autograder's verdicts, the assignment notebook's
nbgrader metadata, and the report read from notebooks written by hand."""

from __future__ import annotations

import json
import logging
import re
import warnings
from types import SimpleNamespace

import numpy as np
import pytest

from bpderive import Network, language
from bpderive.classroom import (
    NUMBERS,
    class_report,
    grade,
    grade_number,
    hint,
    variant,
    write_report,
)
from bpderive.classroom.assignment import STUB_LINE, notebook
from bpderive.classroom.grading import number_message
from bpderive.classroom.hand import CODES, before, diagnose
from bpderive.classroom.report import NUMBER_MISTAKES as NUMBER_NAMES
from bpderive.classroom.report import _chart
from bpderive.classroom.variant import MAX_NET, TOLERANCE
from bpderive.cli import main
from bpderive.exercises import check

RIGHT = {
    "w5": "(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1",
    "delta_o1": "(out_o1 - target_o1)*out_o1*(1 - out_o1)",
    "w1": "(δ_o1·w5 + δ_o2·w_(1,2))·out_h1(1 − out_h1)·x1",
}
STUDENTS = [f"2024{k:03d}" for k in range(25)]


def by_hand(v) -> tuple[dict[str, float], list[float]]:
    """The six numbers and every unit's net input, by NumPy alone (the article's formulas)."""
    W1, b1, W2, b2 = (np.asarray(v.params[k], float) for k in ("W1", "b1", "W2", "b2"))
    x, t = np.asarray(v.x, float), np.asarray(v.target, float)
    net_h = W1 @ x + b1
    h = 1 / (1 + np.exp(-net_h))
    net_o = W2 @ h + b2
    o = 1 / (1 + np.exp(-net_o))
    delta_o1 = (o[0] - t[0]) * o[0] * (1 - o[0])
    numbers = {
        "out_h1": h[0],
        "out_o1": o[0],
        "E_total": 0.5 * np.sum((t - o) ** 2),
        "delta_o1": delta_o1,
        "dE_dw5": delta_o1 * h[0],
        "w5_new": W2[0, 0] - 0.5 * delta_o1 * h[0],
    }
    return numbers, [*net_h, *net_o]


@pytest.mark.parametrize("student", STUDENTS[:8])
def test_a_variants_numbers_are_the_articles_formulas_on_its_own_draw(student):
    v = variant(student)
    numbers, nets = by_hand(v)
    assert v.numbers.keys() == NUMBERS.keys()
    for name, value in numbers.items():
        assert v.numbers[name] == pytest.approx(value, rel=1e-12), name
    assert max(abs(n) for n in nets) <= MAX_NET  # every unit out of saturation
    assert all(0 < t < 1 for t in v.target)
    assert (v.eta1, v.eta2) == (0.5, 0.25)


def test_variants_are_reproducible_two_decimal_and_differ_between_students():
    first = [variant(s) for s in STUDENTS]
    again = [variant(s) for s in STUDENTS]
    for a, b in zip(first, again, strict=True):
        assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
        assert a.numbers == b.numbers
    for v in first:
        drawn = np.concatenate([*(np.ravel(p) for p in v.params.values()), v.x, v.target])
        assert np.allclose(drawn * 100, np.round(drawn * 100), atol=1e-9)  # two decimals
    assert len({tuple(v.params["W2"].ravel()) for v in first}) == len(STUDENTS)
    assert variant(STUDENTS[0], seed=1).numbers != first[0].numbers  # a new seed, new numbers


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_numbers_a_student_reads_give_the_numbers_graded(lang):
    """The notebook shows each given number by the article's name; read back from that text
    alone and run through NumPy, they give exactly the numbers the autograder expects."""
    v = variant("2024002")
    shown = v.given(lang)
    read = {
        name: float(value)
        for name, value in re.findall(r"([A-Za-z][A-Za-z0-9_(),]*) = (\d\.\d\d)", shown)
    }
    assert len(read) == 2 + 2 + 12 + 5  # inputs, targets, weights, biases: each once
    assert "w5 = w_(1,1) = " in shown and "w1 = w_(x1,1) = " in shown  # the article's aliases
    replayed = SimpleNamespace(
        params={
            "W1": [[read[f"w_(x{i},{j})"] for i in (1, 2)] for j in (1, 2, 3)],
            "b1": [read[f"b{j}"] for j in (1, 2, 3)],
            "W2": [[read[f"w_({j},{k})"] for j in (1, 2, 3)] for k in (1, 2)],
            "b2": [read["b4"], read["b5"]],
        },
        x=[read["x1"], read["x2"]],
        target=[read["target_o1"], read["target_o2"]],
    )
    numbers, _ = by_hand(replayed)
    assert numbers == pytest.approx(v.numbers, rel=1e-12)
    if lang == "zh":
        from test_notebooks import _style_slips

        assert _style_slips(shown) == []


@pytest.mark.parametrize("bad", ["", "   ", None, 7])
def test_a_variant_needs_a_student_id(bad):
    with pytest.raises(ValueError, match="student_id: expected a non-empty string"):
        variant(bad)


def test_a_right_derivation_passes_and_a_wrong_one_fails_with_the_verdict():
    for target, answer in RIGHT.items():
        grade(target, answer)
    ask = re.escape("hint('w5', answer_w5, 2) in a new cell")
    with pytest.raises(AssertionError, match=rf"(?s)wrong_factor.*∂out_o1/∂net_o1.*{ask}"):
        grade("w5", "(out_o1 - target_o1)*out_o1*out_h1")
    with pytest.raises(AssertionError, match="缺少路径"):
        grade("w1", "delta_o1*w5*out_h1*(1 - out_h1)*x1", lang="zh")
    with pytest.raises(AssertionError, match="empty"):
        grade("w5", "")


def test_hint_gives_the_next_hint_the_feedback_offers_in_the_assignments_language():
    wrong = "delta_o1*w5*out_h1*(1 - out_h1)*x1"  # the path through o2 left out
    with language.using("zh"), pytest.raises(AssertionError) as failed:
        grade("w_(x1,1)", wrong, lang="zh")
    assert "在新单元格里运行 hint('w_(x1,1)', answer_w_x1_1, 2)" in str(failed.value)
    expected = check(Network(), "w1", wrong, lang="zh").hints
    with language.using("zh"):  # as the setup cell leaves it
        for k in (2, 3):
            shown = hint("w1", wrong, k)
            assert (shown.k, shown.n, str(shown).split("：", 1)[1]) == (k, 3, expected[k - 1])
        right = hint("w1", RIGHT["w1"])  # nothing to hint at: the verdict says it is right
        assert right.correct and repr(right).startswith("✓")
    assert hint("w5", "", 2).mistake == "unparseable"  # no located mistake, no hints
    with pytest.raises(ValueError, match="k: expected a hint number from 1 to 3, got 4"):
        hint("w1", wrong, 4)


def test_a_number_passes_within_the_tolerance_and_fails_outside_it():
    v = variant("s1")
    for name, value in v.numbers.items():
        grade_number("s1", name, round(value, 4))  # four decimals are enough
        off = value + 2 * max(TOLERANCE["abs_tol"], TOLERANCE["rel_tol"] * abs(value))
        with pytest.raises(AssertionError, match=f"{NUMBERS[name]} = .* is not right"):
            grade_number("s1", name, off)
    with pytest.raises(AssertionError, match="out_h1: not answered yet: .* in place of None"):
        grade_number("s1", "out_h1", None)  # as released
    with pytest.raises(AssertionError, match="out_h1：这里应该填一个数，你填的是 '0.78'"):
        grade_number("s1", "out_h1", "0.78", lang="zh")
    with pytest.raises(AssertionError, match="学号"):
        grade_number("", "out_h1", 0.5, lang="zh")


def slips(v) -> dict[str, tuple[str, float, dict[str, float]]]:
    """The slips a teacher sees in hand computations, each made with NumPy on the student's
    own numbers: (the number, its wrong value, the student's numbers before it)."""
    right, _ = by_hand(v)
    W1, b1, W2, b2 = (np.asarray(v.params[k], float) for k in ("W1", "b1", "W2", "b2"))
    x, t = np.asarray(v.x, float), np.asarray(v.target, float)
    h = 1 / (1 + np.exp(-(W1 @ x + b1)))
    h_slip = h.copy()
    h_slip[0] = right["out_h1"] + 0.05  # a wrong out_h1, then out_o1 computed right from it
    o_slip = 1 / (1 + np.exp(-(W2 @ h_slip + b2)))
    o = 1 / (1 + np.exp(-(W2 @ h + b2)))
    delta, w5, g = right["delta_o1"], W2[0, 0], right["dE_dw5"]
    return {
        "carried out_h1": ("out_o1", o_slip[0], {"out_h1": h_slip[0]}),
        "carried δ": ("dE_dw5", -delta * h[0], {"delta_o1": -delta, "out_h1": h[0]}),
        "no ½": ("E_total", np.sum((t - o) ** 2), {}),
        "target − out": ("delta_o1", (t[0] - o[0]) * o[0] * (1 - o[0]), {}),
        "w + η·g": ("w5_new", w5 + 0.5 * g, {"dE_dw5": g}),
        "w − g": ("w5_new", w5 - g, {"dE_dw5": g}),
        "off": ("out_h1", right["out_h1"] + 0.05, {}),
    }


CODES_OF_SLIPS = {
    "carried out_h1": "carried",
    "carried δ": "carried",
    "no ½": "number_factor",
    "target − out": "number_sign",
    "w + η·g": "update_sign",
    "w − g": "no_learning_rate",
    "off": "wrong_number",
}


@pytest.mark.parametrize("student", STUDENTS[:6])
def test_a_wrong_number_is_told_what_is_wrong_with_it(student):
    v = variant(student)
    for slip, (name, given, earlier) in slips(v).items():
        found = diagnose(v, name, float(given), earlier)
        assert found is not None and found.code == CODES_OF_SLIPS[slip], (slip, found)
        message = number_message(found, student)
        echoed = message.replace(str(found.given), "")  # the student's own number echoed
        assert f"{v.numbers[name]:.4f}" not in echoed  # never the right value
    assert diagnose(v, "dE_dw5", -v.numbers["dE_dw5"]).code == "number_sign"  # nothing before
    assert all(diagnose(v, n, round(x, 4)) is None for n, x in v.numbers.items())


def test_a_wrong_numbers_feedback_says_where_to_look():
    v = variant("s1")
    cases = slips(v)
    messages = {}
    for slip in ("carried δ", "no ½", "w + η·g", "w − g", "target − out"):
        name, given, earlier = cases[slip]
        with pytest.raises(AssertionError) as en:
            grade_number("s1", name, float(given), before=earlier)
        with pytest.raises(AssertionError) as zh:
            grade_number("s1", name, float(given), before=earlier, lang="zh")
        messages[slip] = (str(en.value), str(zh.value))
    en = {slip: pair[0] for slip, pair in messages.items()}
    assert "follows from your δ_o1, which is not right: correct δ_o1 first" in en["carried δ"]
    assert "先改正 δ_o1" in messages["carried δ"][1]
    assert "is 2 times the right value" in en["no ½"]
    assert "w5⁺ = w5 − η1·∂E_total/∂w5" in en["w + η·g"]  # the derived rule, short
    assert "leaves out the learning rate" in en["w − g"] and "η1 = 0.5" in en["w − g"]
    assert "wrong sign" in en["target − out"] and "符号错了" in messages["target − out"][1]


def test_a_number_carried_from_two_wrong_numbers_names_both():
    """∂E_total/∂w5 = δ_o1·out_h1 computed right from a wrong δ_o1 and a wrong out_h1: the
    feedback names both, joined as a sentence joins them, and speaks of them in the plural."""
    v = variant("s3")
    theirs = {"out_h1": v.numbers["out_h1"] + 0.05, "delta_o1": -v.numbers["delta_o1"]}
    given = theirs["out_h1"] * theirs["delta_o1"]
    found = diagnose(v, "dE_dw5", given, theirs)
    assert found.code == "carried" and set(found.sources) == {"out_h1", "delta_o1"}
    en, zh = (number_message(found, "s3", lang) for lang in ("en", "zh"))
    assert "your out_h1 and δ_o1, which are not right: correct them first" in en
    assert "你算出的 out_h1 和 δ_o1 推出的，但 out_h1 和 δ_o1 都不对" in zh


def test_each_numbers_equation_is_derived_and_gives_the_variants_number():
    """formulas() on the variant's numbers gives back each number; each names the graded
    numbers it is computed from, so a mistake there can be carried."""
    v = variant("s2")
    assert {n: before(n) for n in NUMBERS} == {
        "out_h1": (), "out_o1": ("out_h1",), "E_total": ("out_o1",),
        "delta_o1": ("out_o1",), "dE_dw5": ("out_h1", "delta_o1"), "w5_new": ("dE_dw5",),
    }  # fmt: skip
    right, _ = by_hand(v)
    for name in NUMBERS:
        shown = {k: right[k] + 0.01 for k in before(name)}  # each before it off by 0.01
        moved = diagnose(v, name, right[name] + 0.2, shown)
        assert moved is not None and moved.code != "carried"  # not what those give
    assert set(CODES) == set(NUMBER_NAMES)


def test_the_notebook_has_nbgraders_cells_in_order():
    nb = notebook("hw1", "zh", ("w5", "w_(x2,3)"), numbers=True)
    meta = [c["metadata"].get("nbgrader") for c in nb["cells"]]
    ids = [m["grade_id"] for m in meta if m]
    assert ids[:6] == [
        "setup", "student-id", "answer-w5", "check-w5", "answer-w_x2_3", "check-w_x2_3"
    ]  # fmt: skip
    assert ids[6:9] == ["your-numbers", "answer-numbers", "number-out_h1"]
    check = next(c for c in nb["cells"] if c["id"] == "check-w5")["metadata"]["nbgrader"]
    assert check == {
        "grade": True, "solution": False, "locked": True, "points": 2,
        "grade_id": "check-w5", "schema_version": 3,
    }  # fmt: skip
    answer = next(c for c in nb["cells"] if c["id"] == "answer-w5")
    assert answer["source"].startswith('answer_w5 = ""\n### BEGIN SOLUTION\nanswer_w5 = "')
    grade("w5", json.loads(answer["source"].split("answer_w5 = ")[2].split("\n")[0]))
    assert "练习 1" in json.dumps(nb, ensure_ascii=False)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_notebook_speaks_its_language_and_its_locked_cells_fit_the_page(lang):
    """The locked setup cell sets the assignment's language, so that what the student's own
    numbers show (and any check the student runs) speaks it; the locked cells, which the student
    reads but cannot change, have no line wider than a notebook page shows."""
    nb = notebook("hw1", lang, ("w5", "w_(x2,3)"), numbers=True)
    setup = next(c for c in nb["cells"] if c["id"] == "setup")
    assert setup["metadata"]["nbgrader"]["locked"]
    assert f"set_language({lang!r})" in setup["source"]  # run for real in test_classroom.py
    with language.using(lang):
        shown = variant("2024001")._repr_markdown_()
    assert shown.startswith({"en": "**Your numbers**", "zh": "**你的数值**"}[lang])
    locked = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("locked")]
    assert max(len(line) for c in locked for line in c["source"].splitlines()) <= 88


def test_the_chinese_assignment_follows_the_notebooks_style_sheet():
    """The same checker as the zh notebooks': no space beside full-width punctuation (an
    exercise's two sentences are joined without one), a space between Chinese and Latin."""
    from test_notebooks import _style_slips

    nb = notebook("hw1", "zh", ("w5", "delta_o1", "w_(x2,3)", "b4"), numbers=True)
    markdown = [c["source"] for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert [slip for text in markdown for slip in _style_slips(text)] == []


def _submission(folder, student_id: str, answers: dict[str, str]) -> None:
    nb = notebook("hw", "en")
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
        if grade_id == "student-id":
            cell["source"] = f"student_id = {student_id!r}"
        elif grade_id.startswith("answer-"):
            target = cell["metadata"]["bpderive"]["target"]
            cell["source"] = f"answer_{target} = {answers[target]!r}"
    folder.mkdir(parents=True)
    (folder / "hw.ipynb").write_text(json.dumps(nb), encoding="utf-8")


def test_the_report_counts_mistakes_by_code_and_flags_a_foreign_id(tmp_path):
    wrong = {**RIGHT, "delta_o1": "(target_o1 - out_o1)*out_o1*(1 - out_o1)"}
    _submission(tmp_path / "autograded/ann/hw", "ann", RIGHT)
    _submission(tmp_path / "autograded/ben/hw", "ben", wrong)
    _submission(tmp_path / "autograded/cat/hw", "ann", wrong)
    report = class_report("hw", tmp_path, "en")
    assert report.rows == [("delta_o1", "sign", 2, wrong["delta_o1"])]
    assert report.mistakes == [  # who: the counts' students, by folder
        ("ben", "delta_o1", "sign", wrong["delta_o1"]),
        ("cat", "delta_o1", "sign", wrong["delta_o1"]),
    ]
    assert report.flags == ["cat: the notebook's student_id is 'ann', not the folder's student"]
    assert "δ_o1" in report.table() and "sign (a sign)" in report.table()


def test_an_exercise_left_as_released_counts_as_unanswered_not_as_a_mistake(tmp_path):
    _submission(tmp_path / "autograded/ann/hw", "ann", {**RIGHT, "w5": "", "w1": "  "})
    nb = notebook("hw", "en", ("w5",), numbers=True)  # ben fills in his ID and nothing else
    for cell in nb["cells"]:  # as released: the solutions cut off
        cell["source"] = cell["source"].split("### BEGIN SOLUTION")[0]
    (ben,) = [c for c in nb["cells"] if c["id"] == "student-id"]
    ben["source"] = 'student_id = "ben"'
    (tmp_path / "autograded/ben/hw").mkdir(parents=True)
    (tmp_path / "autograded/ben/hw/hw.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    report = class_report("hw", tmp_path, "zh")
    assert report.rows == [
        ("w5", "unanswered", 2, ""),
        ("w1", "unanswered", 1, ""),
        *((f"number:{name}", "unanswered", 1, "") for name in NUMBERS),
    ]
    assert "unanswered（未作答）" in report.table()


def test_the_report_reads_answers_without_running_them(tmp_path):
    _submission(tmp_path / "autograded/ann/hw", "ann", RIGHT)
    path = tmp_path / "autograded/ann/hw/hw.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    answer = next(c for c in nb["cells"] if c["id"] == "answer-w5")
    answer["source"] = "answer_w5 = __import__('os').getcwd()"  # not a literal: not read
    path.write_text(json.dumps(nb), encoding="utf-8")
    (row,) = class_report("hw", tmp_path, "en").rows
    assert row[:3] == ("w5", "unparseable", 1)


def test_a_course_without_graded_notebooks_is_named(tmp_path):
    with pytest.raises(ValueError, match="nbgrader autograde hw first"):
        class_report("hw", tmp_path, "en")


def test_the_command_line_writes_the_assignment_and_names_a_bad_argument(tmp_path, capsys):
    assert main(["assignment", "hw1", "--course", str(tmp_path), "--exercises", "w5,b4"]) == 0
    said = capsys.readouterr().out
    assert "nbgrader generate_assignment hw1" in said
    config = (tmp_path / "nbgrader_config.py").read_text(encoding="utf-8")
    assert "c.CourseDirectory.course_id" in config and STUB_LINE in config
    nb = json.loads((tmp_path / "source/hw1/hw1.ipynb").read_text(encoding="utf-8"))
    assert [c["id"] for c in nb["cells"] if c["id"].startswith("check-")] == [
        "check-w5",
        "check-b4",
    ]
    assert main(["assignment", "hw1", "--course", str(tmp_path), "--exercises", "w5,w99"]) == 2
    assert "exercises: expected targets such as w5" in capsys.readouterr().err
    assert main(["report", "hw1", "--course", str(tmp_path), "--out", str(tmp_path / "r")]) == 2
    assert "nbgrader autograde hw1 first" in capsys.readouterr().err


def test_a_courses_own_configuration_is_kept_and_the_stub_line_named(tmp_path, capsys):
    own = "c = get_config()\nc.CourseDirectory.course_id = 'bp101'\n"
    (tmp_path / "nbgrader_config.py").write_text(own, encoding="utf-8")
    assert main(["assignment", "hw1", "--course", str(tmp_path)]) == 0
    assert (tmp_path / "nbgrader_config.py").read_text(encoding="utf-8") == own
    assert f"add `{STUB_LINE}`" in capsys.readouterr().out


def test_a_folder_that_cannot_be_written_is_named_without_a_traceback(tmp_path, capsys):
    _submission(tmp_path / "autograded/ann/hw", "ann", RIGHT)
    a_file = tmp_path / "notes.txt"
    a_file.write_text("", encoding="utf-8")
    for argv, said in [
        (["report", "hw", "--course", str(tmp_path), "--out", str(a_file)], "--out: expected a"),
        (["report", "hw", "--course", str(tmp_path), "--out", str(a_file / "r")], "cannot write"),
        (["assignment", "hw1", "--course", str(a_file / "c")], "cannot write"),
    ]:
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"bpderive: error: {said}") and str(a_file) in err, err


def test_a_teachers_edited_notebook_is_replaced_only_with_force(tmp_path, capsys):
    command = ["assignment", "hw1", "--course", str(tmp_path)]
    source = tmp_path / "source/hw1/hw1.ipynb"
    assert main(command) == 0
    assert main(command) == 0  # the same options again: the same notebook, nothing lost
    edited = source.read_text(encoding="utf-8").replace("2-3-2", "2-3-2 (week 3)")
    source.write_text(edited, encoding="utf-8")
    capsys.readouterr()
    for again in (command, [*command, "--lang", "zh"]):
        assert main(again) == 2
        err = capsys.readouterr().err
        assert "hw1.ipynb is already there" in err and "--force replaces it" in err
        assert source.read_text(encoding="utf-8") == edited
    assert main([*command, "--lang", "zh", "--force"]) == 0
    assert "练习 1" in source.read_text(encoding="utf-8")


def test_the_chinese_chart_draws_real_glyphs(tmp_path, caplog):
    wrong = {**RIGHT, "w1": "delta_o1*w5*out_h1*(1 - out_h1)*x1"}
    _submission(tmp_path / "autograded/ann/hw", "ann", wrong)
    report = class_report("hw", tmp_path, "zh")
    with caplog.at_level(logging.WARNING), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _, _, chart = write_report(report, tmp_path / "out")
    said = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    assert not [message for message in said if "missing from font" in message]
    assert chart.read_bytes()[:4] == b"\x89PNG"
    assert [t.get_text() for t in _chart(report).axes[0].texts] == ["1 / 1"]  # of the class
    rows = (tmp_path / "out/report.csv").read_text(encoding="utf-8").splitlines()
    assert rows == ["exercise,mistake,count,example", f"w1,missing_path,1,{wrong['w1']}"]

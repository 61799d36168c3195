"""``bpderive worksheet`` without TeX: the sheets' numbers (read back from the .tex and run
through a plain NumPy forward pass, not bpderive's), the key's answers, the refused IDs and
arguments, and what the command says and does around the engine.

CI has no TeX, and these tests neither need it nor skip without it. Where an engine is needed,
a small shell script named ``pdflatex`` or ``xelatex`` on a temporary PATH stands in for it: it
records how it was called and writes a stand-in PDF or log. That tests bpderive's invocation
(arguments, folder, passes, what it does with a failure), not TeX; the pages the real engines
make are looked at by hand.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from test_classroom_units import by_hand

from bpderive.classroom import NUMBERS, grade, read_students, typeset, variant, write_worksheets
from bpderive.cli import main

STUDENTS = ["2024001", "2024002", "a_b"]
SEED = 3


def given(tex: str) -> dict[str, float]:
    """The sheet's numbers by their LaTeX name: ``$w_{5} = w_{(1,1)} = 0.11$`` gives
    ``{"w_{(1,1)}": 0.11}`` (the article's name, the last before the number)."""
    cells = re.findall(r"\$([^$]*?) = (-?\d+\.\d+)\$", tex)
    return {names.split(" = ")[-1]: float(value) for names, value in cells}


def from_sheet(numbers: dict[str, float]) -> SimpleNamespace:
    """The weights, inputs and targets as arrays, named as the article names them: W1[j, i] is
    w_(xi,j), W2[k, j] is w_(j,k), b1 is b1..b3 and b2 is b4, b5."""
    return SimpleNamespace(
        params={
            "W1": np.array([[numbers[f"w_{{(x{i},{j})}}"] for i in (1, 2)] for j in (1, 2, 3)]),
            "b1": np.array([numbers[f"b_{{{j}}}"] for j in (1, 2, 3)]),
            "W2": np.array([[numbers[f"w_{{({j},{k})}}"] for j in (1, 2, 3)] for k in (1, 2)]),
            "b2": np.array([numbers[f"b_{{{k}}}"] for k in (4, 5)]),
        },
        x=np.array([numbers["x_{1}"], numbers["x_{2}"]]),
        target=np.array([numbers["target_{o1}"], numbers["target_{o2}"]]),
    )


def key_row(key: str, student_id: str) -> list[float]:
    escaped = student_id.replace("_", r"\_")
    (row,) = [line for line in key.splitlines() if line.startswith(rf"\texttt{{{escaped}}} &")]
    return [float(cell.strip(" $\\")) for cell in row.split(" & ")[1:]]


def test_each_sheet_gives_the_students_numbers_and_the_key_their_answers(tmp_path):
    written = write_worksheets("hw1", STUDENTS, tmp_path, "en", seed=SEED)
    assert written.sheets == [tmp_path / f"hw1-{s}.tex" for s in STUDENTS]
    assert written.key == tmp_path / "hw1-key.tex"
    key = written.key.read_text(encoding="utf-8")
    for student, sheet in zip(STUDENTS, written.sheets, strict=True):
        tex = sheet.read_text(encoding="utf-8")
        numbers = given(tex)
        mine, v = from_sheet(numbers), variant(student, SEED)
        for name in ("W1", "b1", "W2", "b2"):
            assert np.array_equal(mine.params[name], v.params[name]), name
        assert np.array_equal(mine.x, v.x) and np.array_equal(mine.target, v.target)
        assert (numbers[r"\eta_1"], numbers[r"\eta_2"]) == (0.5, 0.25)
        by_numpy, _ = by_hand(mine)
        for name, value in by_numpy.items():
            assert v.numbers[name] == pytest.approx(value, rel=1e-12), name
        assert key_row(key, student) == pytest.approx(list(by_numpy.values()), abs=5.01e-5)
        assert r"$w_{5} = w_{(1,1)} = " in tex and r"$w_{1} = w_{(x1,1)} = " in tex
        assert tex.count(r"\answerspace{") == 3 and tex.count(r"\numberbox") == len(NUMBERS) + 1
        assert [int(k) for k in re.findall(r"Exercise (\d)", tex)] == [1, 2, 3, 4]


def test_the_keys_answers_are_the_derivations_bpderive_accepts(tmp_path):
    exercises = ("w5", "delta_o1", "w1", "b4")
    written = write_worksheets("hw1", ["s1"], tmp_path, "en", exercises)
    lines = written.key.read_text(encoding="utf-8").splitlines()
    answers = [lines[k + 1] for k, line in enumerate(lines) if line == "Answer:"]
    assert len(answers) == len(exercises)
    for target, line in zip(exercises, answers, strict=True):
        expression = line.removeprefix(r"\fitline{").removesuffix("}").split(" = ", 1)[1]
        grade(target, expression)  # bpderive's checker reads LaTeX: it raises when wrong
    assert r"\frac{\partial E_{total}}{\partial w_{5}} = out_{h1} out_{o1}" in answers[0]


def test_two_students_get_different_sheets_and_one_student_the_same_sheet_twice(tmp_path):
    first = write_worksheets("hw1", STUDENTS[:2], tmp_path / "a", "zh")
    again = write_worksheets("hw1", STUDENTS[:2], tmp_path / "b", "zh")
    texts = [p.read_bytes() for p in first.sheets]
    assert texts == [p.read_bytes() for p in again.sheets]
    assert first.key.read_bytes() == again.key.read_bytes()
    assert texts[0] != texts[1]
    assert given(texts[0].decode()) != given(texts[1].decode())


def test_the_chinese_sheet_is_in_chinese(tmp_path):
    tex = write_worksheets("hw1", ["s1"], tmp_path, "zh").sheets[0].read_text(encoding="utf-8")
    assert r"\usepackage[UTF8]{ctex}" in tex
    for words in ("你的数值", "练习 1", "学号", "权值（隐含层 $\\to$ 输出层）", "手算"):
        assert words in tex
    for english in ("Exercise", "Your numbers", "Student ID", "weights", "Derive"):
        assert english not in tex


def test_an_underscore_is_escaped_and_no_id_leaves_the_folder(tmp_path):
    written = write_worksheets("hw_1", ["a_b"], tmp_path / "out", "en")
    tex = written.sheets[0].read_text(encoding="utf-8")
    assert r"\texttt{a\_b}" in tex and r"hw\_1: back-propagation" in tex
    assert "a_b" not in tex.replace(r"a\_b", "") and "hw_1" not in tex
    assert written.sheets[0] == tmp_path / "out" / "hw_1-a_b.tex"


HOSTILE = {
    "{": "'{'",
    r"\input{/etc/passwd}": "'\\\\'",
    "../x": "'.'",
    "a,%": "'%'",
    "a&b": "'&'",
    "a/b": "'/'",
    "a b": "' '",
    "a,,b": "student ID number 2 of 3 is empty",
    "a,": "student ID number 2 of 2 is empty",
    "": "no students",
    "ann,key": "'key' cannot be an ID",
    "ann,Ann": "'Ann' is given twice",
}


@pytest.mark.parametrize("students", HOSTILE, ids=range(len(HOSTILE)))
def test_a_hostile_or_empty_student_id_is_refused_by_name(tmp_path, capsys, students):
    out = tmp_path / "out"
    status = main(["worksheet", "hw1", "--students", students, "--out", str(out), "--no-pdf"])
    captured = capsys.readouterr()
    assert status == 2 and captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith("bpderive: error: --students: ") and HOSTILE[students] in line
    assert not out.exists()  # nothing written, anywhere


def test_students_come_from_a_file_one_a_line(tmp_path):
    roster = tmp_path / "class.txt"
    roster.write_text("\ufeff# class 3B\n2024001\n\n  2024002  \n", encoding="utf-8")
    assert read_students(str(roster)) == ["2024001", "2024002"]
    roster.write_text("# nobody yet\n\n", encoding="utf-8")
    with pytest.raises(ValueError, match="--students: no student IDs in the file"):
        read_students(str(roster))
    with pytest.raises(ValueError, match=r"has '\.'.*there is no file 'clas.txt' either"):
        read_students("clas.txt")
    assert read_students(" 2024001, 2024002 ") == ["2024001", "2024002"]
    many = [f"2024{k:03d}" for k in range(60)]  # longer than a file name may be
    assert read_students(",".join(many)) == many
    roster.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(ValueError, match="--students: .* is not a text file"):
        read_students(str(roster))


def test_an_exercise_may_name_a_weight_with_a_comma(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["worksheet", "hw1", "--students", "a", "--out", str(out), "--no-pdf"]
    assert main([*argv, "--exercises", "w_(x2,3), b4"]) == 0
    tex = (out / "hw1-a.tex").read_text(encoding="utf-8")
    assert r"Exercise 1: $\displaystyle \frac{\partial E_{total}}{\partial w_{(x2,3)}}$" in tex
    assert r"Exercise 2: $\displaystyle \frac{\partial E_{total}}{\partial b_{4}}$" in tex


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--exercises", "w5,w99"], "--exercises: expected targets such as w5"),
        (["--exercises", ","], "--exercises: expected targets such as w5"),
        (["--seed", "-1"], "argument --seed: expected a whole number"),
        (["--lang", "fr"], "argument --lang: invalid choice: 'fr'"),
    ],
)
def test_a_bad_argument_is_named(tmp_path, capsys, argv, words):
    out = str(tmp_path / "out")
    status = main(["worksheet", "hw1", "--students", "a", "--out", out, "--no-pdf", *argv])
    assert status == 2 and words in capsys.readouterr().err


def test_a_bad_name_or_output_folder_is_named(tmp_path, capsys):
    assert main(["worksheet", "../hw", "--students", "a", "--out", str(tmp_path)]) == 2
    assert "name: expected letters, digits, _ or -" in capsys.readouterr().err
    file = tmp_path / "file"
    file.write_text("", encoding="utf-8")
    assert main(["worksheet", "hw1", "--students", "a", "--out", str(file)]) == 2
    assert "--out: expected a directory" in capsys.readouterr().err


# ------------------------------------------------------------------ around the engine


def fake(folder: Path, name: str, body: str) -> None:
    """A program ``name`` in ``folder``: a POSIX shell script, as TeX's engines are called."""
    program = folder / name
    program.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    program.chmod(0o755)


#: The stand-in engine: records its folder and arguments, writes a new log (asking for a second
#: pass on the key's first run, as longtable does) and a PDF-like file beside the .tex it got.
ENGINE = """\
printf '%s\\n' "$PWD" "$@" >> {record}
for last; do :; done
printf 'This is a stand-in.\\n' > "${{last%.tex}}.log"
: > "${{last%.tex}}.aux"
if [ "$last" = hw1-key.tex ] && [ ! -e again ]; then
  : > again
  printf 'LaTeX Warning: Table widths have changed. Rerun LaTeX.\\n' >> hw1-key.log
fi
printf '%%PDF-1.5 stand-in\\n' > "${{last%.tex}}.pdf"
"""


@pytest.fixture
def bin_path(tmp_path, monkeypatch) -> Path:
    """An empty folder as the whole PATH: no TeX, whatever the machine has."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    return folder


@pytest.mark.parametrize(
    "lang, words",
    [
        ("en", ["pdflatex not found", "apt-get install texlive-latex-base", "MiKTeX"]),
        (
            "zh",
            ["找不到 xelatex", "apt-get install texlive-xetex texlive-lang-chinese", "没有生成"],
        ),
    ],
)
def test_without_the_engine_the_tex_files_stay_and_the_message_says_what_to_install(
    tmp_path, capsys, bin_path, lang, words
):
    out = tmp_path / "out"
    argv = ["worksheet", "hw1", "--students", "a,b", "--out", str(out), "--lang", lang]
    assert main(argv) == 0
    said = capsys.readouterr().out
    for word in [*words, str(out)]:
        assert word in said
    assert sorted(p.name for p in out.iterdir()) == ["hw1-a.tex", "hw1-b.tex", "hw1-key.tex"]


def test_without_ctex_xelatex_is_not_run_and_the_message_names_ctex(tmp_path, capsys, bin_path):
    record = tmp_path / "record"
    fake(bin_path, "xelatex", ENGINE.format(record=record))
    fake(bin_path, "kpsewhich", "exit 1")  # finds nothing
    out = tmp_path / "out"
    assert main(["worksheet", "hw1", "--students", "a", "--out", str(out), "--lang", "zh"]) == 0
    said = capsys.readouterr().out
    assert "找不到 LaTeX 宏包 ctex" in said and "texlive-lang-chinese" in said
    assert not record.exists() and not list(out.glob("*.pdf"))


@pytest.mark.parametrize("lang, engine", [("en", "pdflatex"), ("zh", "xelatex")])
def test_the_engine_is_run_on_each_file_in_the_output_folder(
    tmp_path, capsys, bin_path, lang, engine
):
    record = tmp_path / "record"
    fake(bin_path, engine, ENGINE.format(record=record))
    fake(bin_path, "kpsewhich", "echo /texmf/tex/latex/ctex/ctex.sty")
    out = tmp_path / "out"
    argv = ["worksheet", "hw1", "--students", "a,b", "--out", str(out), "--lang", lang]
    assert main(argv) == 0
    assert f"{engine}" in capsys.readouterr().out
    calls = record.read_text(encoding="utf-8").split(f"{out}\n")[1:]
    flags = "-interaction=nonstopmode\n-halt-on-error\n"
    assert calls == [flags + f"{tex}\n" for tex in ("hw1-a.tex", "hw1-b.tex", *["hw1-key.tex"] * 2)]
    for stem in ("hw1-a", "hw1-b", "hw1-key"):
        assert (out / f"{stem}.pdf").read_bytes().startswith(b"%PDF")
    assert not [*out.glob("*.log"), *out.glob("*.aux")]  # a success leaves the .tex and .pdf


def test_a_latex_error_shows_the_logs_first_error_lines_not_a_traceback(tmp_path, capsys, bin_path):
    log = (
        "This is a stand-in.\\n! Undefined control sequence.\\nl.12 \\\\frobnicate\\n\\n"
        "Here is how much of the memory you used:\\n"
    )
    fake(
        bin_path,
        "pdflatex",
        f"for last; do :; done\nprintf '{log}' > \"${{last%.tex}}.log\"\nexit 1",
    )
    assert main(["worksheet", "hw1", "--students", "a", "--out", str(tmp_path)]) == 1
    said = capsys.readouterr()
    assert "pdflatex stopped on hw1-a.tex; the first error lines of hw1-a.log:" in said.out
    assert "! Undefined control sequence.\nl.12 \\frobnicate" in said.out
    assert "This is a stand-in" not in said.out and "memory" not in said.out
    assert "Traceback" not in said.out + said.err
    assert (tmp_path / "hw1-a.tex").exists() and (tmp_path / "hw1-key.tex").exists()


def test_a_run_that_makes_no_pdf_is_a_failure_with_the_engines_last_words(
    tmp_path, capsys, bin_path
):
    fake(bin_path, "pdflatex", "echo 'No pages of output.'\necho 'Transcript written.'")
    assert main(["worksheet", "hw1", "--students", "a", "--out", str(tmp_path)]) == 1
    assert "No pages of output.\nTranscript written." in capsys.readouterr().out


def test_an_engine_that_hangs_is_stopped_after_the_timeout(tmp_path, bin_path):
    fake(bin_path, "pdflatex", "exec /bin/sleep 30")
    written = write_worksheets("hw1", ["a"], tmp_path, "en")
    done = typeset(written, timeout=0.5)
    assert done.failed and done.pdfs == []
    assert done.message.startswith("pdflatex did not finish hw1-a.tex within 0.5 s")


def test_no_pdf_writes_the_tex_files_only(tmp_path, capsys, bin_path):
    record = tmp_path / "record"
    fake(bin_path, "pdflatex", ENGINE.format(record=record))
    argv = ["worksheet", "hw1", "--students", "a", "--out", str(tmp_path / "o"), "--no-pdf"]
    assert main(argv) == 0
    assert "--no-pdf: the PDFs were not made" in capsys.readouterr().out
    assert not record.exists()
    assert sorted(os.listdir(tmp_path / "o")) == ["hw1-a.tex", "hw1-key.tex"]

"""The stored notebooks are complete and reproducible, so that strict nbval checks every output.

nbval re-runs each cell and compares outputs, but it cannot see a cell that was never executed
(it has nothing stored to compare) or tell a deliberate ignore from a lazy one. These checks
read the files themselves.
"""

from __future__ import annotations

import ast
import json
import re
import unicodedata
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parents[1] / "notebooks"
ENGLISH = sorted(FOLDER.glob("*.ipynb"))
CHINESE = sorted((FOLDER / "zh").glob("*.ipynb"))
NOTEBOOKS = ENGLISH + CHINESE


def _code_cells(path: Path) -> list[dict]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return [c for c in notebook["cells"] if c["cell_type"] == "code" and "".join(c["source"])]


def test_the_series_is_there_in_both_editions() -> None:
    assert [p.name[:2] for p in ENGLISH] == ["01", "02", "03", "04", "05", "06", "07", "08", "09"]
    assert [p.name for p in CHINESE] == [p.name for p in ENGLISH]


def _sources(path: Path) -> list[str]:
    return ["".join(c["source"]) for c in _code_cells(path)]


class _Wording(ast.NodeTransformer):
    """Blanks what a translation may change: every string, and the text around an f-string's
    fields. The fields themselves stay, as a sorted list (a Chinese sentence may put them in
    another order); comments are not in the tree at all."""

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        return ast.Constant("…") if isinstance(node.value, str) else node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        fields = sorted(
            ast.dump(self.visit(v)) for v in node.values if not isinstance(v, ast.Constant)
        )
        return ast.Tuple([ast.Constant("f-string"), *map(ast.Constant, fields)], ast.Load())


def _code_without_wording(source: str) -> str:
    """The cell's syntax tree with its wording blanked; an IPython magic line (``%matplotlib
    inline``) is not Python, so it is compared as it stands."""
    lines = source.splitlines()
    magics = [line for line in lines if line.lstrip().startswith("%")]
    python = "\n".join("pass" if line in magics else line for line in lines)
    return repr(magics) + ast.dump(_Wording().visit(ast.parse(python)))


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: str(p.relative_to(FOLDER)))
def test_the_chinese_edition_runs_the_same_code(path: Path) -> None:
    """The two editions' code cells differ only in their strings and comments (titles, table
    headers and labels in the reader's language): their syntax trees are equal once every
    string is blanked, so both editions compute the same numbers in the same way."""
    english, chinese = _sources(path), _sources(FOLDER / "zh" / path.name)
    assert len(chinese) == len(english), "the editions have different numbers of code cells"
    for number, (en, zh) in enumerate(zip(english, chinese, strict=True), start=1):
        assert _code_without_wording(zh) == _code_without_wording(en), f"code cell {number}"


@pytest.mark.parametrize(
    ("english", "chinese", "same"),
    [
        (
            'table(rows, ["epochs", "cost"])  # the race',
            'table(rows, ["训练周期", "代价"])  # 比赛',
            True,
        ),
        ('print(f"epoch {k}: {cost:.4g}")', 'print(f"{cost:.4g}：第 {k} 个周期")', True),
        ('print(f"epoch {k}")', 'print(f"第 {k + 1} 个周期")', False),
        ("train(net, X, T, eta1=0.5)", "train(net, X, T, eta1=0.25)", False),
        ('x = "a"', 'y = "a"', False),
    ],
)
def test_the_code_rule_allows_wording_only(english: str, chinese: str, same: bool) -> None:
    assert (_code_without_wording(english) == _code_without_wording(chinese)) is same


@pytest.mark.parametrize("path", CHINESE, ids=lambda p: str(p.relative_to(FOLDER)))
def test_the_chinese_edition_is_written_in_chinese(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    prose = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown"]
    chinese = [text for text in prose if re.search(r"[\u4e00-\u9fff]", text)]
    assert len(chinese) >= 0.9 * len(prose), f"{path.name}: prose cells without Chinese"


@pytest.mark.parametrize(
    "path", [FOLDER / "01_forward_pass.ipynb", FOLDER / "zh" / "01_forward_pass.ipynb"]
)
def test_notebook_01_has_the_glossary(path: Path) -> None:
    """术语对照表: the article's terms, in English, and as bpderive names them."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    prose = " ".join(
        "".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown"
    )
    assert "术语对照表" in prose
    for term in ("权值", "阈值", "偏置", "误差", "学习率", "链式法则", "隐含层", "输出层"):
        assert term in prose, term


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(FOLDER)))
def test_every_code_cell_ran_in_order_without_error(path: Path) -> None:
    cells = _code_cells(path)
    counts = [cell["execution_count"] for cell in cells]
    assert None not in counts, f"{path.name}: a code cell was never executed"
    assert counts == list(range(1, len(cells) + 1)), f"{path.name}: cells ran out of order"
    for cell in cells:
        kinds = {output["output_type"] for output in cell["outputs"]}
        assert "error" not in kinds, f"{path.name}: a cell stored an error"
        for output in cell["outputs"]:
            if output["output_type"] == "stream":
                assert output["name"] == "stdout", f"{path.name}: a cell wrote to stderr"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(FOLDER)))
def test_outputs_are_machine_independent(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    first = "".join(_code_cells(path)[0]["source"])
    assert "init_printing(num_columns=80)" in first
    for cell in _code_cells(path):
        source = "".join(cell["source"])
        assert "execution" not in cell["metadata"], f"{path.name}: timestamps stored"
        assert not re.search(r"\)\s*;\s*$", source), f"{path.name}: a trailing ';' hides a plot"
        text = json.dumps(cell["outputs"])
        assert not re.search(r"0x[0-9a-f]{6,}", text), f"{path.name}: a memory address"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(FOLDER)))
def test_only_timings_escape_comparison(path: Path) -> None:
    for cell in _code_cells(path):
        source = "".join(cell["source"])
        assert "NBVAL_SKIP" not in source and "NBVAL_RAISES" not in source
        if "NBVAL_IGNORE_OUTPUT" in source:
            comments = " ".join(line for line in source.splitlines() if line.startswith("#"))
            assert re.search(r"\b(wall )?tim(e|es|ing|ings)\b", comments, re.I), (
                f"{path.name}: an ignored output needs a comment saying it is a timing"
            )


ENGLISH_NUMBERS = dict(
    zip("ten eleven twelve thirteen fourteen fifteen sixteen".split(), range(10, 17), strict=True)
)
CHINESE_NUMBERS = dict(zip("十 十一 十二 十三 十四 十五 十六".split(), range(10, 17), strict=True))


@pytest.mark.parametrize(
    ("folder", "exercise", "claim", "numbers"),
    [
        (FOLDER, "Exercise", r"`09_exercises\.ipynb` has (\w+)\s+more", ENGLISH_NUMBERS),
        (FOLDER / "zh", "练习", r"`09_exercises\.ipynb` 里还有(\w+)道练习", CHINESE_NUMBERS),
    ],
)
def test_notebook_02_counts_the_exercises_of_notebook_09(folder, exercise, claim, numbers) -> None:
    """02 sends the reader to 09 with a number; it must be the number of exercises 09 has."""

    def prose(name: str) -> str:
        notebook = json.loads((folder / name).read_text(encoding="utf-8"))
        return " ".join(
            "".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown"
        )

    exercises = {int(n) for n in re.findall(rf"{exercise} (\d+)", prose("09_exercises.ipynb"))}
    assert exercises == set(range(1, len(exercises) + 1))
    stated = re.search(claim, prose("02_output_layer.ipynb"))
    assert stated, "02 no longer says how many exercises 09 has"
    assert numbers[stated.group(1)] == len(exercises)


# ------------------------------------------------------------------ emphasis that never closes

#: Where Markdown is not inline text: fenced code, code spans and math (Jupyter lifts the math
#: out before it parses the Markdown and puts ``@@n@@`` in its place, so that is what the
#: asterisks next to it see).
_FENCE = re.compile(r"^```.*?^```", re.S | re.M)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
_MATH = re.compile(r"\$\$.+?\$\$|(?<!\\)\$[^$\n]+?\$", re.S)
_BLOCK_MARK = re.compile(r"^ {0,3}(?:#{1,6} |> ?|[*+-] +|\d+[.)] +)")


def _punctuation(ch: str) -> bool:
    """CommonMark's Unicode punctuation (general category P or S): ASCII signs and the full-width
    ``。，：（）`` of Chinese prose alike."""
    return unicodedata.category(ch)[0] in "PS"


def _literal_asterisks(markdown: str) -> list[tuple[int, str]]:
    """How many ``*`` a Markdown text shows as literal asterisks, and where, by CommonMark's rules.

    A run of ``*`` can open emphasis only if it is *left-flanking*: not followed by whitespace,
    and, if followed by punctuation, preceded by whitespace or punctuation; it can close only if
    *right-flanking*, the mirror image. So ``*原文。*为什么`` never closes: the second run
    follows ``。`` (punctuation) and precedes ``为``, which is neither. Openers and closers then
    pair up from the inside out, with the rule of three for runs that could do both; whatever is
    left of a run is printed as it is."""
    text = _FENCE.sub("", markdown)
    text = _CODE_SPAN.sub(lambda m: m[1] + "c" + m[1], text)
    text = _MATH.sub("@@0@@", text).replace("\\*", "")
    found = []
    for paragraph in re.split(r"\n\s*\n", text):
        lines = [_BLOCK_MARK.sub("", line) for line in paragraph.split("\n")]
        for segment in re.split(r"\|", "\n".join(lines)):  # table cells parse one by one
            runs = []
            for m in re.finditer(r"\*+", segment):
                before = segment[m.start() - 1] if m.start() else " "
                after = segment[m.end()] if m.end() < len(segment) else " "
                left = not after.isspace() and (
                    not _punctuation(after) or before.isspace() or _punctuation(before)
                )
                right = not before.isspace() and (
                    not _punctuation(before) or after.isspace() or _punctuation(after)
                )
                runs.append(
                    {
                        "at": m.start(),
                        "n": len(m[0]),
                        "size": len(m[0]),
                        "open": left,
                        "close": right,
                    }
                )
            for c, closer in enumerate(runs):
                while closer["close"] and closer["n"]:
                    for o in range(c - 1, -1, -1):
                        opener = runs[o]
                        both = opener["close"] or closer["open"]
                        three = (opener["size"] + closer["size"]) % 3 == 0 and not (
                            opener["size"] % 3 == 0 and closer["size"] % 3 == 0
                        )
                        if opener["open"] and opener["n"] and not (both and three):
                            break
                    else:
                        break
                    used = 2 if opener["n"] >= 2 and closer["n"] >= 2 else 1
                    opener["n"] -= used
                    closer["n"] -= used
                    for between in runs[o + 1 : c]:  # left as text, no longer delimiters
                        between["open"] = between["close"] = False
            for run in runs:
                if run["n"]:
                    at = run["at"]
                    found.append((run["n"], segment[max(0, at - 20) : at + run["size"] + 20]))
    return found


@pytest.mark.parametrize(
    ("markdown", "literal"),
    [
        ("原文：*数据归一化。*为什么？", 2),  # 。*为: the second run cannot close
        ("原文：*数据归一化。* 为什么？", 0),
        ("原文：*数据归一化*。为什么？", 0),
        ("**`max_fail`**：MATLAB的规则", 0),
        ("变量*x*和", 0),
        ("取值为**0.5**的", 0),
        ("取值为**“0.5”**的", 4),  # 为**“ can only close, ”**的 only open: neither pairs
        ("* a list item with *emphasis*\n* and $a * b$ in math, `a*b` in code", 0),
        ("a * b", 1),
        ("*one* and *two", 1),
    ],
)
def test_the_emphasis_checker_follows_commonmark(markdown: str, literal: int) -> None:
    assert sum(n for n, _ in _literal_asterisks(markdown)) == literal


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(FOLDER)))
def test_every_emphasis_closes(path: Path) -> None:
    """No literal asterisks in the prose: an emphasis that does not close shows its ``*`` (in
    Chinese prose typically ``。*`` followed by a character; put the ``*`` before the ``。``)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for k, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "markdown":
            found = _literal_asterisks("".join(cell["source"]))
            assert not found, f"{path.name}, cell {k}: literal * in {found}"

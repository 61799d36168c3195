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
    assert [p.name[:2] for p in ENGLISH] == [f"{k:02d}" for k in range(1, 11)]
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


#: The most lines a code cell may have: a learner reads a cell at a glance, and what would make
#: it longer (table and figure plumbing) belongs in bpderive.display.
LONGEST_CELL = 20


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(FOLDER)))
def test_code_cells_read_at_a_glance(path: Path) -> None:
    long = [s.splitlines()[0] for s in _sources(path) if len(s.splitlines()) > LONGEST_CELL]
    assert not long, f"{path.name}: cells over {LONGEST_CELL} lines, starting {long}"


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
        # every text a reader sees; not an image's base64, where "0x…" can occur by chance
        text = json.dumps(
            [
                {
                    kind: data
                    for kind, data in output.get("data", output).items()
                    if "image" not in kind
                }
                for output in cell["outputs"]
            ]
        )
        assert not re.search(r"\b0x[0-9a-f]{6,}", text), f"{path.name}: a memory address"


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


# ------------------------------------------------------------------ the Chinese style sheet

#: notebooks/zh/STYLE.md, as far as a program can check it in the Chinese edition's prose. Code,
#: math and fenced blocks are out of its reach (each stands in as the Latin letter ``X``, so
#: that Chinese right next to `code` or $math$ still counts as unspaced).
_HAN = "\u4e00-\u9fff"
_LATIN = "A-Za-z0-9α-ωΑ-Ω%"
_FULL_WIDTH = "[，。：；？！（）、“”‘’《》]|……|——"
#: The article's own words, which stay as the article wrote them: quoted in “…” or ‘…’, in
#: italics, in a ``>`` block, and the article's headings repeated as the notebooks' headings
#: (``### 4.2.1 权重初始化的重要性``, ``#### 【偏差更新】``).
_QUOTED = re.compile(
    r"“[^”]*”|‘[^’]*’|(?<![*\\])\*(?![*\s])[^*\n]+?(?<![*\s\\])\*(?!\*)"
    r"|^ {0,3}> ?.*$|^#{1,6} (?:[一二三四五]、|\d+(?:\.\d+)+ ?|【).*$",
    re.M,
)
#: One term per concept: the word on the left is not used outside quotations.
_NOT_THE_TERM = {
    "原文|本文": "文章",
    "算例": "例题",
    "偏置|偏值|偏差": "阈值",
    "单元(?!格)|节点": "神经元",
    "权重": "权值",
    "学习速率": "学习率",
    "隐藏层|隐层": "隐含层",
    "(?<!轮)轮(?!到)|回合|(?<!训练)周期数|(?<!整)个周期": "训练周期",
    "在线学习": "增量学习",
    "早停": "提前停止",
    "第\\s*\\d\\d(?:–\\d\\d)?\\s*本": "笔记本 0N",
}
_TYPOGRAPHY = {
    "Chinese next to Latin text without a space": rf"[{_HAN}]\**[{_LATIN}]|[{_LATIN}]\**[{_HAN}]",
    "a space next to full-width punctuation": rf"(?:{_FULL_WIDTH}) +\S|\S +(?:{_FULL_WIDTH})",
    'a straight quotation mark " (use “…”)': '"',
    "corner brackets 「」 (use “…”)": "[「」]",
    "a space before %": r"\d\s+%",
    "a section written 四.6 or 四、4.6 (write 4.6 节)": r"[一二三四五][.、]\d",
    "a section written 第N节 (write 第N部分)": "第[一二三四五]节",
}


def _zh_prose(markdown: str) -> str:
    """A markdown cell as the style sheet sees it: code and math as ``X``, the marks of a list
    item dropped (a heading's and a quotation's kept, to be recognised), a table's cells one
    per line."""
    text = _FENCE.sub("X", markdown)
    text = _CODE_SPAN.sub("X", text)
    text = _MATH.sub("X", text)
    lines = []
    for line in text.split("\n"):
        quoted = _BLOCK_MARK.match(line)
        keep = line[: quoted.end()] if quoted and line.lstrip().startswith((">", "#")) else ""
        cells = [c.strip() for c in _BLOCK_MARK.sub("", line, count=1).split("|")]
        lines.append(keep + "\n".join(cells))
    return "\n".join(lines)


def _style_slips(markdown: str) -> list[tuple[str, str]]:
    """Every place a markdown text breaks the style sheet, as (rule, the text around it)."""
    prose = _zh_prose(markdown)
    unquoted = _QUOTED.sub("“”", prose)
    bare = re.sub(r"^ {0,3}(?:#{1,6} |> ?)", "", prose, flags=re.M)
    rules = [(pattern, f"write {term}", unquoted) for pattern, term in _NOT_THE_TERM.items()]
    for rule, pattern in _TYPOGRAPHY.items():
        rules.append((pattern, rule, unquoted if rule.startswith("a section") else bare))
    return [
        (f"{m[0]!r}: {rule}", text[max(0, m.start() - 15) : m.end() + 15])
        for pattern, rule, text in rules
        for m in re.finditer(pattern, text)
    ]


@pytest.mark.parametrize(
    ("markdown", "slips"),
    [
        ("文章用 SymPy 推导 $w_5$ 的梯度，见 4.6 节。", 0),
        ("原文用SymPy推导$w_5$的梯度，见四.6。", 5),  # 原文, 用S, y推, 导$w_5$的, 四.6
        ("第 02 本的算例", 2),
        ("笔记本 02 的例题：“第 02 本”是旧写法，*原文*也是。", 0),  # quoted, so left alone
        ("训练 300 个周期，每个周期，周期数", 3),
        ("训练 300 个训练周期；正弦的一整个周期；轮到你了", 0),
        ("### 4.2.1 权重初始化的重要性\n\n权重", 1),  # the article's heading keeps its word
        ("| 阈值（即“偏置”） | bias |\n|---|---|", 0),
        ('学习率增大 5 %，"小"和「大」', 5),  # each mark counts
        ("它对应文章的三处： **3.2.0 前提** （梯度下降法原理）", 2),
        ("### （1）增加动量项\n\n* （2）收敛慢", 0),
        ('`net.delta("o1")`的值', 1),
        ("用**SymPy**推导", 2),  # emphasis does not hide the missing spaces
    ],
)
def test_the_style_checker(markdown: str, slips: int) -> None:
    assert len(_style_slips(markdown)) == slips, _style_slips(markdown)


@pytest.mark.parametrize("path", CHINESE, ids=lambda p: str(p.relative_to(FOLDER)))
def test_the_chinese_prose_follows_the_style_sheet(path: Path) -> None:
    """notebooks/zh/STYLE.md in every markdown cell: the article's terms, one per concept (a
    quotation of the article keeps its own words), a space between Chinese and Latin text and
    none next to full-width punctuation, “…” for quotations, ``70%``, ``4.6 节``."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    slips = [
        (k, *slip)
        for k, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "markdown"
        for slip in _style_slips("".join(cell["source"]))
    ]
    assert not slips, f"{path.name}: {len(slips)} slips, e.g. " + "; ".join(map(str, slips[:8]))


def _language_set_first(path: Path) -> str | None:
    """The language the first code cell sets, if it calls ``set_language("…")``."""
    first = _sources(path)[0]
    python = "\n".join(line for line in first.splitlines() if not line.startswith("%"))
    for node in ast.walk(ast.parse(python)):
        name = getattr(node, "func", None)
        if getattr(name, "id", getattr(name, "attr", None)) == "set_language" and node.args:
            return getattr(node.args[0], "value", None)
    return None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(FOLDER)))
def test_the_first_cell_sets_the_language(path: Path) -> None:
    """Each edition says its language at the top, so that its tables, verdicts and figures
    follow it whatever ``BPDERIVE_LANG`` says on the reader's machine."""
    expected = "zh" if path.parent.name == "zh" else "en"
    assert _language_set_first(path) == expected

"""Paper worksheets: each student's own numbers and exercises as a LaTeX sheet, and one answer
key, from the same variants as the nbgrader assignment.

A class that works on paper still gets numbers no neighbour shares: :func:`write_worksheets`
draws every student's :func:`~bpderive.classroom.variant.variant` (the same one the notebook
would give for the same ID and seed) and writes ``NAME-<id>.tex`` for each and ``NAME-key.tex``
with every student's numbers to four decimals and each derivation as bpderive derives it.
:func:`typeset` runs ``pdflatex`` (English) or ``xelatex`` with ctex (Chinese) where they are
installed; where they are not, the .tex files stay and the message says what to install, since
a teacher can typeset them on another machine.

Student IDs are the user's text and end up in file names and in LaTeX, so only letters, digits,
``_`` and ``-`` are accepted (:data:`SAFE`): no path separator, no ``..``, no brace, backslash
or ``%`` can reach either, and an ID that has one is refused naming the character. ``_``, the
one LaTeX special character left, is escaped where it is typeset.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import sympy as sp

from bpderive import language
from bpderive.classroom import texts
from bpderive.classroom import worksheet_texts as words
from bpderive.classroom.assignment import DEFAULT_EXERCISES, exercise_tasks
from bpderive.classroom.variant import NUMBERS, Variant, network, variant
from bpderive.exercises.task import Task
from bpderive.symbolic.notation import latex

#: What a student ID and a worksheet's name may hold: they become file names and LaTeX.
SAFE = re.compile(r"[A-Za-z0-9_-]+")
#: The answer key's file is ``NAME-key.tex``, so no student may be called ``key``.
KEY = "key"
#: The engine of each language: Chinese needs a Unicode engine and the ctex package.
ENGINES = {"en": "pdflatex", "zh": "xelatex"}
#: The Debian/Ubuntu packages that bring each engine and what its sheets use.
PACKAGES = {
    "pdflatex": "texlive-latex-base texlive-latex-recommended",
    "xelatex": "texlive-xetex texlive-lang-chinese",
}
#: Seconds one engine run may take: a sheet takes a few; a stuck run must not hang the class.
TIMEOUT = 120
#: Runs of the engine on one file while its log asks for another (longtable's column widths).
PASSES = 3
#: Lines of the log shown from its first error on.
ERROR_LINES = 8
#: The hand-computed numbers (:data:`~bpderive.classroom.variant.NUMBERS`) in LaTeX.
LABELS = {
    "out_h1": "out_{h1}",
    "out_o1": "out_{o1}",
    "E_total": "E_{total}",
    "delta_o1": r"\delta_{o1}",
    "dE_dw5": r"\partial E_{total}/\partial w_{5}",
    "w5_new": r"w_{5}^{+}",
}
#: The height of a derivation's frame; the numbers share out their page's height instead.
DERIVATION_ROOM = "6cm"

_PREAMBLE = r"""\documentclass[11pt,a4paper]{article}
%(language)s
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath,array,booktabs,longtable,fancyhdr,graphicx}
\pagestyle{fancy}\fancyhf{}\renewcommand{\headrulewidth}{0pt}
\cfoot{\small %(foot)s}
\setlength{\parindent}{0pt}\setlength{\parskip}{0.5em}
\renewcommand{\arraystretch}{1.35}
\newcommand{\answerspace}[1]{\par\noindent\framebox[\linewidth]{\rule{0pt}{#1}}\par}
\newcommand{\numberbox}{\framebox[4.5cm]{\rule[-0.35cm]{0pt}{1.1cm}}}
\newcommand{\fitline}[1]{\begin{center}%%
\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{$\displaystyle #1$}\end{center}}
\begin{document}
\begin{center}{\LARGE\bfseries %(title)s}\end{center}
"""
#: Chinese needs ctex (which chooses the Chinese fonts); English, pdflatex as it is.
_LANGUAGE = {"en": "", "zh": r"\usepackage[UTF8]{ctex}"}


@dataclass(frozen=True)
class Worksheets:
    """What :func:`write_worksheets` wrote: one sheet per student (in the order given), the
    answer key, and the language they are in (which chooses the engine)."""

    sheets: list[Path]
    key: Path
    lang: str


@dataclass(frozen=True)
class Typeset:
    """What :func:`typeset` made: the PDFs, what to tell the teacher, and whether the engine
    failed (a missing engine is not a failure: the .tex files are the result then)."""

    pdfs: list[Path]
    message: str
    failed: bool = False


def read_students(spec: str) -> list[str]:
    """``--students``: the path of a text file with one ID a line (blank lines and lines that
    start with ``#`` are skipped), or else IDs separated by commas. A file is what a teacher
    exports from a class list; a comma list is for a few students typed by hand."""
    try:
        lines = Path(spec).read_text(encoding="utf-8-sig").splitlines()
    except PermissionError as error:
        raise ValueError(f"--students: cannot read {spec!r}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ValueError(f"--students: {spec!r} is not a text file (UTF-8)") from None
    except OSError:  # no such file, or a class's comma list, too long for a file name
        lines = None
    if lines is not None:
        ids = [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
        if not ids:
            raise ValueError(f"--students: no student IDs in the file {spec!r}")
        return check_students(ids)
    ids = [part.strip() for part in spec.split(",")]
    if ids == [""]:
        raise ValueError("--students: no students: give a file with one ID a line, or IDs a,b,c")
    try:
        return check_students(ids)
    except ValueError as error:
        if len(ids) == 1 and re.search(r"[./\\]", spec):  # perhaps a mistyped file name
            raise ValueError(f"{error.args[0]}; there is no file {spec!r} either") from None
        raise


def check_students(ids: Sequence[str]) -> list[str]:
    """The IDs, each refused by name if it is empty, has a character outside :data:`SAFE`, is
    ``key``, or comes twice (ignoring case, as Windows and macOS file names do)."""
    if not ids:
        raise ValueError("--students: no students: give a file with one ID a line, or IDs a,b,c")
    seen: set[str] = set()
    for k, sid in enumerate(ids, start=1):
        if not sid:
            raise ValueError(f"--students: student ID number {k} of {len(ids)} is empty")
        bad = next((c for c in sid if not SAFE.fullmatch(c)), None)
        if bad is not None:
            raise ValueError(
                f"--students: the ID {sid!r} has {bad!r}: a student ID may hold letters, digits, "
                "_ and - only, as it becomes a file name and LaTeX"
            )
        if sid.lower() == KEY:
            raise ValueError(f"--students: {sid!r} cannot be an ID: NAME-{KEY}.tex is the key")
        if sid.lower() in seen:
            raise ValueError(
                f"--students: the ID {sid!r} is given twice (IDs that differ in case only would "
                "share a file on Windows and macOS)"
            )
        seen.add(sid.lower())
    return list(ids)


def _escape(text: str) -> str:
    """A :data:`SAFE` text for LaTeX: ``_`` is the only special character it can hold."""
    return text.replace("_", r"\_")


def _cell(alias: str | None, symbol: sp.Symbol, value: float) -> str:
    """``$w_{5} = w_{(1,1)} = 0.11$``: a given number with the article's name (and alias)."""
    shown = f"{latex(sp.Symbol(alias))} = " if alias else ""
    return f"${shown}{latex(symbol)} = {value:.2f}$"


def _given(v: Variant, lang: str) -> str:
    """The student's numbers as a table: a row per group and unit (:meth:`Variant.rows`: the
    inputs, targets, the weights into each unit, each layer's biases), then the learning rates;
    three numbers at most a row."""
    rates = [
        language.pick(t, lang).format(eta=eta)
        for t, eta in [(words.ETA1, v.eta1), (words.ETA2, v.eta2)]
    ]
    rows = [
        *((group, [_cell(*cell) for cell in cells]) for group, cells in v.rows()),
        ("eta", rates),
    ]
    lines, previous = [], None
    for group, cells in rows:
        name = language.pick({**texts.GROUPS, "eta": words.RATES}[group], lang)
        label = name.replace("→", r"$\to$") if group != previous else ""
        rule = r"\midrule" + "\n" if previous is not None and group != previous else ""
        lines.append(rule + " & ".join([label, *cells, *[""] * (3 - len(cells))]) + r" \\")
        previous = group
    heading = language.pick(words.NUMBERS, lang)
    table = "\n".join([r"\begin{tabular}{@{}llll@{}}", r"\toprule", *lines, r"\bottomrule"])
    return f"\\section*{{{heading}}}\n{table}\n\\end{{tabular}}\n"


def _describe(target: str, asked: Task, lang: str) -> str:
    """What the target is, in words and the article's LaTeX names."""
    net = network()
    if asked.own is not None:
        unit = target.split("_", 1)[1]
        definition = rf"\partial E_{{total}}/\partial {latex(net.neurons[unit].net)}"
        return language.pick(words.DELTA, lang).format(
            delta=latex(asked.own), definition=definition, unit=unit
        )
    p = net.resolve(target)
    name = f"${latex(p.symbol)}$"
    if p.is_bias:
        return language.pick(texts.BIAS, lang).format(name=name, target=p.target)
    ends = {"name": name, "source": p.source, "target": p.target}
    if target in net.aliases:
        alias = f"${latex(sp.Symbol(target))}$"
        return language.pick(texts.ALIAS, lang).format(alias=alias, **ends)
    return language.pick(texts.WEIGHT, lang).format(**ends)


def _head(lang: str, title: str, foot: str) -> str:
    """The preamble, the running foot and the title of a sheet or the key."""
    return _PREAMBLE % {"language": _LANGUAGE[lang], "foot": foot, "title": title}


def _heading(k: int, asked: Task, lang: str) -> str:
    """``Exercise k: ∂E_total/∂w5``, the fraction full size (a heading's is too small to read)."""
    label = rf"\displaystyle {latex(asked.label)}"
    return language.pick(words.EXERCISE, lang).format(k=k, label=label)


def _sheet(name: str, student_id: str, tasks: list[tuple[str, Task]], seed: int, lang: str) -> str:
    """One student's sheet: who, their numbers, the derivations with a frame to write in, and
    the hand computation, on a page of its own, with a box per number."""
    v = variant(student_id, seed)
    shown = {"name": _escape(name), "student_id": _escape(student_id)}
    title, foot = (language.pick(t, lang).format(**shown) for t in (words.TITLE, words.FOOT))
    parts = [
        _head(lang, title, foot),
        language.pick(words.WHO, lang).format(**shown) + "\n",
        language.pick(words.INTRO, lang) + "\n",
        _given(v, lang),
        language.pick(words.DERIVE, lang) + "\n",
    ]
    for k, (target, asked) in enumerate(tasks, start=1):
        parts.append(
            "\\par\\bigskip\\noindent\\begin{minipage}{\\linewidth}\n"
            f"\\subsection*{{{_heading(k, asked, lang)}}}\n{_describe(target, asked, lang)}\n"
            f"\\answerspace{{{DERIVATION_ROOM}}}\n\\end{{minipage}}\n"
        )
    items = "\n".join(f"\\item ${LABELS[key]}$\\hfill $=$ \\numberbox\\vfill" for key in NUMBERS)
    by_hand = language.pick(words.BY_HAND, lang).format(k=len(tasks) + 1)
    parts.append(
        f"\\clearpage\n\\subsection*{{{by_hand}}}\n"
        f"{language.pick(words.BY_HAND_INTRO, lang)}\n"
        "\\renewcommand{\\labelenumi}{(\\alph{enumi})}\n"
        f"\\begin{{enumerate}}\n{items}\n\\end{{enumerate}}\n\\end{{document}}\n"
    )
    return "\n".join(parts)


def _key(
    name: str, students: list[str], tasks: list[tuple[str, Task]], seed: int, lang: str
) -> str:
    """The answer key: each derivation as bpderive derives it (the chain, then the expression
    the assignment's autograder expects), and a table of every student's numbers. A line wider
    than the page is shrunk to fit (\\fitline): a hidden weight's expression is long."""
    shown = {"name": _escape(name)}
    title, foot = (
        language.pick(t, lang).format(**shown) for t in (words.KEY_TITLE, words.KEY_FOOT)
    )
    parts = [
        _head(lang, title, foot),
        language.pick(words.KEY_INTRO, lang).format(seed=seed, n=len(students)) + "\n",
    ]
    for k, (_, asked) in enumerate(tasks, start=1):
        result = f"{latex(asked.label)} = {latex(asked.chain.expr)}"
        parts.append(
            f"\\subsection*{{{_heading(k, asked, lang)}}}\n\\fitline{{{asked.chain.latex()}}}\n"
            f"{language.pick(words.KEY_RESULT, lang)}\n\\fitline{{{result}}}\n"
        )
    header = [language.pick(words.STUDENT_ID, lang), *(f"${LABELS[k]}$" for k in NUMBERS)]
    rows = [" & ".join(header) + r" \\", r"\midrule", r"\endhead"]
    for sid in students:
        numbers = variant(sid, seed).numbers
        cells = [f"\\texttt{{{_escape(sid)}}}", *(f"${numbers[k]:.4f}$" for k in NUMBERS)]
        rows.append(" & ".join(cells) + r" \\")
    table = "\n".join(rows)
    parts.append(
        f"\\section*{{{language.pick(words.KEY_NUMBERS, lang)}}}\n"
        f"\\begin{{longtable}}{{@{{}}l{'r' * len(NUMBERS)}@{{}}}}\n\\toprule\n{table}\n"
        "\\bottomrule\n\\end{longtable}\n\\end{document}\n"
    )
    return "\n".join(parts)


def write_worksheets(
    name: str,
    students: Sequence[str],
    out: Path | str,
    lang: str | None = None,
    exercises: Sequence[str] = DEFAULT_EXERCISES,
    seed: int = 0,
) -> Worksheets:
    """Write ``out/NAME-<id>.tex`` for each student and ``out/NAME-key.tex``; the numbers are
    those of ``variant(id, seed)``, so a sheet and the notebook of the same ID and seed agree."""
    if not SAFE.fullmatch(name or ""):
        raise ValueError(f"name: expected letters, digits, _ or - (a file name), got {name!r}")
    lang = language.resolve(lang)
    students = check_students(list(students))
    tasks = exercise_tasks(list(exercises))
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"--out: expected a directory, got the file {str(folder)!r}")
    folder.mkdir(parents=True, exist_ok=True)
    sheets = []
    for sid in students:
        path = folder / f"{name}-{sid}.tex"
        path.write_text(_sheet(name, sid, tasks, seed, lang), encoding="utf-8")
        sheets.append(path)
    key = folder / f"{name}-{KEY}.tex"
    key.write_text(_key(name, students, tasks, seed, lang), encoding="utf-8")
    return Worksheets(sheets, key, lang)


def _has_ctex() -> bool:
    """Whether TeX finds ctex.sty; without kpsewhich nothing can be told, and the engine's own
    log will name what is missing."""
    kpsewhich = shutil.which("kpsewhich")
    if kpsewhich is None:
        return True
    found = subprocess.run(
        [kpsewhich, "ctex.sty"], capture_output=True, text=True, timeout=30, check=False
    )
    return bool(found.stdout.strip())


def _errors(log: Path, output: bytes) -> str:
    """The first error of a failed run: the log's first ``!`` line (TeX's mark of an error)
    and the lines after it up to a blank one (where TeX's own chatter starts), else the last
    lines the engine printed."""
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith("!")), None)
    if first is None:
        return "\n".join(output.decode("utf-8", "replace").splitlines()[-ERROR_LINES:])
    shown = lines[first : first + ERROR_LINES]
    end = next((i for i, line in enumerate(shown) if not line.strip()), len(shown))
    return "\n".join(shown[:end])


def typeset(written: Worksheets, timeout: float = TIMEOUT) -> Typeset:
    """Run the language's engine on every sheet and the key, in their folder, where it is on
    PATH (and, for Chinese, where ctex is installed); otherwise say what to install."""
    lang, folder = written.lang, written.key.parent
    engine = ENGINES[lang]
    program = shutil.which(engine)
    if program is None:
        message = language.pick(words.NO_ENGINE, lang)
        return Typeset([], message.format(engine=engine, packages=PACKAGES[engine], out=folder))
    if lang == "zh" and not _has_ctex():
        return Typeset([], language.pick(words.NO_CTEX, lang).format(out=folder))
    pdfs = []
    for tex in [*written.sheets, written.key]:
        said = {"engine": engine, "tex": tex.name, "out": folder}
        for _ in range(PASSES):
            try:
                done = subprocess.run(
                    [program, "-interaction=nonstopmode", "-halt-on-error", tex.name],
                    cwd=folder,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    timeout=timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                message = language.pick(words.TIMED_OUT, lang)
                return Typeset(pdfs, message.format(seconds=timeout, **said), failed=True)
            log, pdf = tex.with_suffix(".log"), tex.with_suffix(".pdf")
            if done.returncode != 0 or not pdf.exists():  # TeX says "No pages of output." and 0
                lines = _errors(log, done.stdout)
                message = language.pick(words.FAILED, lang).format(
                    log=log.name, lines=lines, **said
                )
                return Typeset(pdfs, message, failed=True)
            if not (log.exists() and "Rerun" in log.read_text(encoding="utf-8", errors="replace")):
                break
        for byproduct in (log, tex.with_suffix(".aux")):  # kept only when the run failed
            byproduct.unlink(missing_ok=True)
        pdfs.append(pdf)
    message = language.pick(words.MADE, lang)
    return Typeset(pdfs, message.format(engine=engine, count=len(pdfs), out=folder))

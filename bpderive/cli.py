"""``bpderive``: the worked example in the terminal, and the LaTeX of any derived gradient.

    bpderive show [--lang zh]          the whole worked example, phase by phase
    bpderive show --example mazur      the same on Mazur's 2-2-2 network, with his numbers
    bpderive latex w5 [--numeric]      LaTeX of ∂E_total/∂w5's chain (with numbers)
    bpderive latex --all               every gradient
    bpderive latex b4 --sizes 3,4,2 --activation tanh,logistic --loss cross_entropy
    bpderive check w5 "(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1" [--hints 2]
                                       your derivation checked: exit 0 right, 1 wrong
    bpderive assignment hw1 --course DIR [--lang zh] [--exercises w5,delta_o1,w1] [--numbers]
                                       an nbgrader assignment (then nbgrader generate_assignment)
    bpderive report hw1 --course DIR --out OUTDIR
                                       the class's mistakes, from the autograded notebooks
    bpderive worksheet hw1 --students FILE_OR_IDS --out DIR [--lang zh] [--no-pdf]
                                       paper sheets, one per student, and the answer key

Mistakes (an unknown name, bad sizes) end with exit status 2 and one line saying what was
expected, never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import os
import re
import sys
from collections.abc import Sequence
from typing import TextIO

from bpderive import __version__
from bpderive.classroom import class_report, worksheet, write_assignment, write_report
from bpderive.classroom import worksheet_texts as sheet_words
from bpderive.classroom.assignment import DEFAULT_EXERCISES
from bpderive.display import equations, show
from bpderive.exercises import check
from bpderive.language import pick, resolve, using
from bpderive.network import Network
from bpderive.symbolic.activations import ACTIVATIONS
from bpderive.symbolic.losses import LOSSES
from bpderive.symbolic.notation import number, text
from bpderive.worked_example import WorkedExample, example


class _Parser(argparse.ArgumentParser):
    """argparse prints its usage before the error; a learner needs the one line that matters."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


class _UsageError(Exception):
    pass


class _Done(Exception):
    """An option that answers at once (``--version``): its text, then exit 0."""


class _Version(argparse.Action):
    def __call__(self, *args: object, **kwargs: object) -> None:
        raise _Done(f"bpderive {__version__}\n")


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive integers such as 2,3,2, got {text!r}"
        ) from None
    return sizes


def _targets(text: str) -> tuple[str, ...]:
    """``--exercises``: targets separated by commas, but not the comma inside ``w_(x2,3)``."""
    return tuple(t.strip() for t in re.split(r",(?![^(]*\))", text) if t.strip())


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number such as 2, got {text!r}")
    return int(text)


#: ``--lang``: without it, the language in use (``BPDERIVE_LANG``, else English).
_LANG_HELP = "en or zh (中文); default: $BPDERIVE_LANG, else en"


def _parser() -> _Parser:
    parser = _Parser(
        prog="bpderive",
        description=(__doc__.split("\n\n")[0] + "\n\n" + __doc__.split("\n\n")[1]).replace(
            "``", ""
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="print the version")
    sub = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser, title="commands"
    )
    network_options = _Parser(add_help=False)
    network_options.add_argument(
        "--activation",
        default="logistic",
        help=f"one of {', '.join(ACTIVATIONS)} for every layer, or one per weight layer, "
        "separated by commas",
    )
    network_options.add_argument("--loss", default="half_sse", help=", ".join(LOSSES))
    show_parser = sub.add_parser(
        "show", parents=[network_options], help="the worked example, phase by phase"
    )
    show_parser.add_argument("--lang", choices=("en", "zh"), help=_LANG_HELP)
    show_parser.add_argument(
        "--example",
        choices=("article", "mazur"),
        default="article",
        help="the article's 2-3-2 network, or Mazur's 2-2-2 (his published numbers)",
    )
    latex = sub.add_parser("latex", parents=[network_options], help="LaTeX of a gradient's chain")
    latex.add_argument("name", nargs="?", help="a parameter: w5, w_(1,1), b4, …")
    latex.add_argument(
        "--numeric", action="store_true", help="the example's number beside each term"
    )
    latex.add_argument("--all", action="store_true", help="every parameter's gradient")
    latex.add_argument("--sizes", type=_sizes, default=(2, 3, 2), help="e.g. 2,3,2 (the default)")
    check = sub.add_parser(
        "check",
        parents=[network_options],
        help="check your derivation of a gradient or a δ (exit 0 right, 1 wrong)",
    )
    check.add_argument("target", help="w5, w_(x1,1), b4, delta_o1, δ_h1, …")
    check.add_argument(
        "answer",
        help='your answer, e.g. "(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1" (put -- before '
        "an answer that starts with a minus)",
    )
    check.add_argument("--sizes", type=_sizes, default=(2, 3, 2), help="e.g. 2,3,2 (the default)")
    check.add_argument("--lang", choices=("en", "zh"), help=_LANG_HELP)
    check.add_argument(
        "--hints",
        type=_count,
        default=1,
        help="how many hints to show, least to most specific (default 1; the last: the answer)",
    )
    check.add_argument(
        "--reveal", action="store_true", help="put the expected expression in the message at once"
    )
    _classroom(sub)
    return parser


def _classroom(sub: argparse._SubParsersAction) -> None:
    """``assignment``, ``report`` and ``worksheet``: the teacher's side (bpderive.classroom)."""
    assignment = sub.add_parser("assignment", help="write an nbgrader assignment's source notebook")
    assignment.add_argument("name", help="the assignment's name, e.g. hw1 (a folder name)")
    assignment.add_argument("--course", required=True, help="the nbgrader course directory")
    _exercises(assignment)
    assignment.add_argument(
        "--numbers", action="store_true", help="add the hand computation on each student's numbers"
    )
    assignment.add_argument(
        "--seed", type=_count, default=0, help="a new seed gives every student new numbers"
    )
    assignment.add_argument("--force", action="store_true", help="replace a different notebook")
    report = sub.add_parser("report", help="the class's mistakes, counted by code")
    report.add_argument("name", help="the assignment's name")
    report.add_argument("--course", required=True, help="the nbgrader course directory")
    report.add_argument("--lang", choices=("en", "zh"), help=_LANG_HELP)
    report.add_argument(
        "--out", required=True, help="where report.csv, students.csv and report.png go"
    )
    sheet = sub.add_parser("worksheet", help="paper worksheets, one per student, and the key")
    sheet.add_argument("name", help="the worksheet's name, e.g. hw1 (part of each file name)")
    sheet.add_argument(
        "--students",
        required=True,
        help="a text file with one student ID a line, or IDs separated by commas",
    )
    sheet.add_argument("--out", required=True, help="where the .tex files (and PDFs) go")
    _exercises(sheet)
    sheet.add_argument(
        "--seed", type=_count, default=0, help="the assignment's seed: the same numbers as it"
    )
    sheet.add_argument(
        "--no-pdf", action="store_true", help="write the .tex files only (no pdflatex/xelatex)"
    )


def _exercises(parser: argparse.ArgumentParser) -> None:
    """The language and the derivations asked, as an assignment and a worksheet both take them."""
    parser.add_argument("--lang", choices=("en", "zh"), help=_LANG_HELP)
    parser.add_argument(
        "--exercises",
        type=_targets,
        default=DEFAULT_EXERCISES,
        help=f"targets to derive, separated by commas (default {','.join(DEFAULT_EXERCISES)})",
    )


def _network(sizes: Sequence[int], activation: str, loss: str) -> Network:
    names = activation.split(",")
    return Network(sizes, names[0] if len(names) == 1 else names, loss)


#: The worked example's headings, English and Chinese (the article's terms).
SHOW = {
    "title": (
        "The {sizes} network ({activations}; loss {loss}), worked example",
        "{sizes} 网络（激活函数 {activations}；损失函数 {loss}）例题",
    ),
    "mazur": (
        '  (Matt Mazur\'s numbers, "A Step by Step Backpropagation Example")',
        "  （Matt Mazur《A Step by Step Backpropagation Example》中的数值）",
    ),
    "given": ("Given: ", "已知："),
    "forward": ("1. Forward pass", "1. 前向传播"),
    "error": ("2. Error of this sample", "2. 这个样本的误差"),
    "delta": ("3. Output layer: δ_o1", "3. 输出层误差 δ_o1"),
    "w5": (
        "4. ∂E_total/∂w5 (w5 = w_(1,1), h1 → o1), factor by factor (chain rule)",
        "4. ∂E_total/∂w5（w5 = w_(1,1)，h1 → o1），按链式法则逐个因子",
    ),
    "updates": (
        "5. Updates (every δ above used the weights before any update)",
        "5. 更新权值和阈值（上面所有的 δ 都用更新前的权值计算）",
    ),
    "w1": (
        "6. Hidden layer: ∂E_total/∂w1 (w1 = w_(x1,1), x1 → h1)",
        "6. 隐含层：∂E_total/∂w1（w1 = w_(x1,1)，x1 → h1）",
    ),
}
#: Columns of text the indented blocks may use, so that every line fits 80.
_WIDTH = 78


def _show(ex: WorkedExample, lang: str | None = None) -> str:
    """The worked example, phase by phase, each number with its formula and its arithmetic, in
    lines that fit an 80-column terminal; in ``lang`` (default: the language in use)."""
    zh = resolve(lang) == "zh"
    net, env = ex.net, ex.env
    given = [n.out for n in net.layers[0]] + list(net.targets)
    values = ", ".join(f"{text(s)} = {number(float(env[s]))}" for s in given)
    errors = {eq.lhs: float(eq.rhs.xreplace(env)) for eq in net.error.terms}

    def block(shown: object) -> str:
        return _indent(shown.text(_WIDTH))

    lines = [
        SHOW["title"][zh].format(
            sizes="-".join(map(str, net.sizes)),
            activations=", ".join(a.name for a in net.activations),
            loss=net.loss.name,
        ),
        *([SHOW["mazur"][zh]] if ex.name == "mazur" else []),
        f"  {SHOW['given'][zh]}{values}",
        f"  η1 = {number(ex.eta1)}, η2 = {number(ex.eta2)}",
        "",
        SHOW["forward"][zh],
        block(equations(net.forward_equations, env)),
        "",
        SHOW["error"][zh],
        block(equations([*net.error.terms, net.error.total], {**env, **errors})),
        "",
        SHOW["delta"][zh],
        block(show(net.delta("o1"), ex)),
        "",
        SHOW["w5"][zh],
        block(show(net.gradient("w5"), ex)),
        "",
        SHOW["updates"][zh],
        *(block(show(net.gradient(p), ex, update=True)).splitlines()[-1] for p in ("w5", "b4")),
        "",
        SHOW["w1"][zh],
        block(show(net.gradient("w1"), ex)),
    ]
    return "\n".join(lines)


def _indent(block: str) -> str:
    """Every line of ``block`` two columns in (it was broken at :data:`_WIDTH`)."""
    return "\n".join("  " + line for line in block.splitlines())


def _latex(args: argparse.Namespace) -> str:
    net = _network(args.sizes, args.activation, args.loss)
    if args.all == bool(args.name):
        raise _UsageError("latex: give one parameter name (e.g. w5) or --all, not both or neither")
    ex = example(net) if args.numeric else None
    names = net.parameter_names if args.all else [args.name]
    blocks = []
    for name in names:
        grad = net.gradient(name)
        values = grad.evaluate(ex.params, ex.x, ex.target) if ex else None
        blocks.append(grad.latex(values))
    return "\n\n".join(blocks)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (2 for any mistake in the arguments)."""
    argv = _joined_values(sys.argv[1:] if argv is None else list(argv))
    parser = _parser()
    if not argv:  # a bare ``bpderive``: what it can do
        _write(sys.stdout, parser.format_help())
        return 0
    try:
        args = parser.parse_args(argv)
        with using(getattr(args, "lang", None)):  # show() and the verdict follow --lang
            text, status = _run(args)
    except _Done as done:
        _write(sys.stdout, done.args[0])
        return 0
    except (_UsageError, ValueError, KeyError) as exc:
        message = exc.args[0] if exc.args else str(exc)
        _write(sys.stderr, f"bpderive: error: {message}\n")
        return 2
    except OSError as exc:  # a folder given that cannot be written: the path and the reason
        _write(sys.stderr, f"bpderive: error: cannot write {exc.filename}: {exc.strerror}\n")
        return 2
    _write(sys.stdout, text + "\n")
    return status


def _run(args: argparse.Namespace) -> tuple[str, int]:
    """One command's output and exit status (a check's is 1 for a wrong answer)."""
    if args.command == "show":
        sizes = (2, 2, 2) if args.example == "mazur" else (2, 3, 2)
        return _show(example(_network(sizes, args.activation, args.loss))), 0
    if args.command == "check":
        net = _network(args.sizes, args.activation, args.loss)
        verdict = check(net, args.target, args.answer, reveal=args.reveal)
        return verdict.report(args.hints, "--hints {k}"), 0 if verdict.correct else 1
    if args.command == "assignment":
        _, said = write_assignment(
            args.name, args.course, resolve(args.lang), args.exercises, args.numbers, args.seed,
            force=args.force,
        )  # fmt: skip
        return said, 0
    if args.command == "report":
        report = class_report(args.name, args.course, args.lang)
        written = "\n".join(f"wrote {path}" for path in write_report(report, args.out))
        return f"{report.table()}\n\n{written}", 0
    if args.command == "worksheet":
        return _worksheet(args)
    return _latex(args), 0


def _worksheet(args: argparse.Namespace) -> tuple[str, int]:
    """Write the sheets and the key, then typeset them unless ``--no-pdf``: exit 1 only when
    the engine ran and failed (a missing engine leaves the .tex files, which are the result)."""
    lang, students = resolve(args.lang), worksheet.read_students(args.students)
    written = worksheet.write_worksheets(
        args.name, students, args.out, lang, args.exercises, args.seed
    )
    out = written.key.parent
    said = pick(sheet_words.WROTE, lang).format(count=len(students), key=written.key.name, out=out)
    if args.no_pdf:
        engine = worksheet.ENGINES[lang]
        return f"{said}\n{pick(sheet_words.NOT_TYPESET, lang).format(engine=engine, out=out)}", 0
    done = worksheet.typeset(written)
    return f"{said}\n{done.message}", 1 if done.failed else 0


def _joined_values(argv: list[str]) -> list[str]:
    """``--sizes -1,3`` as ``--sizes=-1,3``: argparse takes a value that starts with ``-`` for an
    option and would say the value is missing, where the learner needs to hear that -1 is not
    a size."""
    joined: list[str] = []
    for arg in argv:
        if joined and joined[-1] == "--sizes" and arg.startswith("-") and arg[1:2].isdigit():
            joined[-1] = f"--sizes={arg}"
        else:
            joined.append(arg)
    return joined


#: Plain-ASCII spellings of the mathematics bpderive prints, for a terminal that cannot show
#: Unicode (``PYTHONIOENCODING=ascii``, an old Windows console).
_ASCII = str.maketrans(
    {
        "δ": "delta", "η": "eta", "∂": "d", "·": "*", "−": "-", "²": "^2", "³": "^3",
        "⁺": "+", "½": "1/2", "¼": "1/4", "Σ": "sum", "→": "->", "ᵀ": "^T", "⊙": "(.)",
        "√": "sqrt", "…": "...", "✓": "OK", "✗": "X", "’": "'", "“": '"', "”": '"',
    }
)  # fmt: skip


def _write(stream: TextIO, text: str) -> None:
    """Write ``text``; in a terminal that cannot encode it, in ASCII spellings (``δ`` as
    ``delta_``, anything else as a ``\\u`` escape) rather than a traceback. A reader that
    closed the pipe (``bpderive latex --all | head``) ends the output quietly."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        text = text.translate(_ASCII).encode(encoding, "backslashreplace").decode(encoding)
    try:
        stream.write(text)
        stream.flush()
    except OSError as error:
        if not _closed_pipe(error):
            raise
        # Python would report the closed pipe again when it flushes at exit: point the stream
        # at nothing first.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        raise SystemExit(0) from None


def _closed_pipe(error: OSError) -> bool:
    """Whether ``error`` says the reader closed the pipe: ``BrokenPipeError``, or on Windows,
    where a write to a closed pipe can fail with ``EINVAL`` instead (CPython issue 79935)."""
    return isinstance(error, BrokenPipeError) or (
        sys.platform == "win32" and error.errno == errno.EINVAL
    )


if __name__ == "__main__":
    sys.exit(main())

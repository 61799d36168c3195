"""The command line: ``bpderive show`` and ``bpderive latex``, and its one-line errors.

Numbers are checked against the ``article`` fixture (plain ``math``, conftest.py), formatted the
way the output promises (six significant digits), never copied from the output itself.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import unicodedata

import pytest

from bpderive.bench.__main__ import SECTIONS, THREAD_VARIABLES
from bpderive.cli import main
from bpderive.language import ENVIRONMENT, get_language


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def g6(value: float) -> str:
    """Six significant digits, with the terminal's minus sign."""
    return f"{value:.6g}".replace("-", "−")


def logical_lines(text: str) -> list[str]:
    """The output's lines with each broken line joined again (a continuation is indented four
    columns or more beyond the line it continues)."""
    joined: list[tuple[int, str]] = []
    for line in text.splitlines():
        indent = len(line) - len(line.lstrip())
        if joined and line.strip() and indent >= joined[-1][0] + 4:
            joined[-1] = (joined[-1][0], f"{joined[-1][1]} {line.strip()}")
        else:
            joined.append((indent, line.strip()))
    return [line for _, line in joined]


def line_of(text: str, start: str) -> str:
    found = [line for line in logical_lines(text) if line.startswith(start)]
    assert found, f"no line starting with {start!r}"
    return found[0]


def width(line: str) -> int:
    """Terminal columns: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


# ----------------------------------------------------------------------------------- show


@pytest.fixture(scope="module")
def shown():
    # capsys is function-scoped; the output of one run is shared by the tests below
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["show"])
    return status, out.getvalue(), err.getvalue()


def test_show_runs_cleanly(shown):
    status, out, err = shown
    assert status == 0 and err == ""
    # the phases in the article's order
    phases = [
        "Forward pass",
        "Error of this sample",
        "δ_o1",
        "∂E_total/∂w5",
        "Updates",
        "∂E_total/∂w1",
    ]
    positions = [out.index(p) for p in phases]
    assert positions == sorted(positions)


def test_show_forward_pass_numbers(shown, article):
    _, out, _ = shown
    for k in (1, 2, 3):
        assert line_of(out, f"net_h{k} =").endswith(f"= {g6(article.net_h[k - 1])}")
        assert line_of(out, f"out_h{k} =").endswith(f"= {g6(article.out_h[k - 1])}")
    for k in (1, 2):
        assert line_of(out, f"net_o{k} =").endswith(f"= {g6(article.net_o[k - 1])}")
        assert line_of(out, f"out_o{k} =").endswith(f"= {g6(article.out_o[k - 1])}")
        assert line_of(out, f"E_o{k} =").endswith(f"= {g6(article.e_terms[k - 1])}")
    assert line_of(out, "E_total =").endswith(f"= {g6(article.e_total)}")


def test_show_delta_w5_chain_updates_and_w1_chain(shown, article):
    _, out, _ = shown
    assert line_of(out, "δ_o1 =").endswith(f"= {g6(article.delta_o[0])}")
    w5 = line_of(out, "∂E_total/∂w_(1,1) =")
    assert w5.endswith(f"= {g6(article.dE_dw5)}")
    factors = [article.dE_dout_o[0], article.dout_dnet_o[0], article.out_h[0]]
    assert " · ".join(g6(v) for v in factors) in w5
    assert line_of(out, "∂out_o1/∂net_o1 =").endswith(f"= {g6(article.dout_dnet_o[0])}")
    assert line_of(out, "w_(1,1)⁺ =").endswith(f"= {g6(article.w5_new)}")
    assert line_of(out, "b4⁺ =").endswith(f"= {g6(article.b4_new)}")
    assert "η1" in line_of(out, "w_(1,1)⁺ =") and "η2" in line_of(out, "b4⁺ =")
    assert line_of(out, "∂E_total/∂w_(x1,1) =").endswith(f"= {g6(article.dE_dw1)}")
    assert line_of(out, "∂E_total/∂out_h1 =").endswith(f"= {g6(article.dE_dout_h1)}")
    assert line_of(out, "∂E_o2/∂out_h1 =").endswith(f"= {g6(article.dEo_dout_h1[1])}")


def test_show_writes_every_numbers_arithmetic_within_80_columns(shown, article):
    _, out, _ = shown
    w = article.weights
    assert line_of(out, "net_h1 =") == (
        f"net_h1 = w_(x1,1)·x1 + w_(x2,1)·x2 + b1 = {w['w_(x1,1)']}·{article.x[0]} + "
        f"{w['w_(x2,1)']}·{article.x[1]} + {w['b1']} = {g6(article.net_h[0])}"
    )
    o1 = g6(article.out_o[0])
    assert line_of(out, "∂out_o1/∂net_o1 =").endswith(
        f"= {o1}(1 − {o1}) = {g6(article.dout_dnet_o[0])}"
    )
    assert line_of(out, "b4⁺ =") == (
        f"b4⁺ = b4 − η2·∂E_total/∂b4 = {w['b4']} − {article.eta2}·{g6(article.dE_db4)} = "
        f"{g6(article.b4_new)}"
    )
    assert max(width(line) for line in out.splitlines()) <= 80
    for forbidden in ("**", "*", "exp(", "eta_", "delta_"):
        assert forbidden not in out


def test_show_in_chinese(capsys, article):
    status, out, _ = run(capsys, "show", "--lang", "zh")
    assert status == 0
    assert out.startswith("2-3-2 网络（激活函数 logistic, logistic；损失函数 half_sse）例题")
    for heading in ("1. 前向传播", "2. 这个样本的误差", "3. 输出层误差 δ_o1", "链式法则", "隐含层"):
        assert heading in out
    assert line_of(out, "E_total =").endswith(f"= {g6(article.e_total)}")
    assert max(width(line) for line in out.splitlines()) <= 80
    assert (
        "  已知：x1 = 0.05" in out and "5. 更新权值和阈值" in out
    )  # full-width, the article's term


def test_show_speaks_the_language_in_use_unless_told(capsys, monkeypatch):
    """``--lang`` defaults to $BPDERIVE_LANG, not to English; it holds for one run only."""
    monkeypatch.setenv(ENVIRONMENT, "zh")
    assert run(capsys, "show")[1].startswith("2-3-2 网络")
    assert run(capsys, "show", "--lang", "en")[1].startswith("The 2-3-2 network")
    assert get_language() == "zh"
    monkeypatch.delenv(ENVIRONMENT)
    status, out, _ = run(capsys, "show")
    assert status == 0 and out.startswith("The 2-3-2 network") and "  Given: x1 = 0.05" in out
    monkeypatch.setenv(ENVIRONMENT, "french")
    assert run(capsys, "show")[2] == (
        "bpderive: error: BPDERIVE_LANG: expected 'en' or 'zh', got 'french'\n"
    )


def test_show_mazurs_example_gives_his_published_numbers(capsys):
    """Mazur's post: E_total = 0.298371109, ∂E_total/∂w5 = 0.082167041, w5⁺ = 0.35891648."""
    status, out, _ = run(capsys, "show", "--example", "mazur")
    assert status == 0 and "2-2-2 network" in out and "Mazur" in out
    assert line_of(out, "E_total =").endswith("= 0.298371")
    assert line_of(out, "∂E_total/∂w_(1,1) =").endswith("= 0.082167")
    assert line_of(out, "w_(1,1)⁺ =").endswith("= 0.358916")
    assert line_of(out, "∂E_total/∂w_(x1,1) =").endswith("= 0.000438568")


def test_show_with_other_activation_and_loss(capsys):
    status, out, err = run(capsys, "show", "--activation", "tanh,logistic", "--loss", "mse")
    assert status == 0 and err == ""
    assert "tanh, logistic" in out and "loss mse" in out


# ----------------------------------------------------------------------------------- latex


def test_latex_w5_numeric(capsys, article):
    status, out, err = run(capsys, "latex", "w5", "--numeric")
    assert status == 0 and err == ""
    assert out.count(r"\begin{aligned}") == 1
    assert r"\frac{\partial E_{total}}{\partial w_{(1,1)}}" in out
    for value in (article.dE_dw5, article.dE_dout_o[0], article.dout_dnet_o[0], article.out_h[0]):
        assert g6(value) in out


def test_latex_w5_without_numbers(capsys, article):
    status, out, _ = run(capsys, "latex", "w5")
    assert status == 0
    assert r"out_{o1} \left(1 - out_{o1}\right)" in out
    assert g6(article.dE_dw5) not in out and g6(article.out_h[0]) not in out


def test_latex_all_has_one_block_per_parameter(capsys):
    status, out, _ = run(capsys, "latex", "--all")
    assert status == 0
    blocks = out.strip().split("\n\n")
    assert len(blocks) == 17 == out.count(r"\begin{aligned}")
    assert r"\partial w_{(x1,1)}}" in blocks[0] and r"\partial b_{5}}" in blocks[-1]


def test_latex_other_network(capsys):
    argv = ["--sizes", "3,4,2", "--activation", "tanh,logistic", "--loss", "cross_entropy"]
    status, out, err = run(capsys, "latex", "--all", *argv)
    assert status == 0 and err == ""
    assert out.count(r"\begin{aligned}") == 3 * 4 + 4 + 4 * 2 + 2
    assert r"\partial w_{(x3,4)}}" in out  # a third input and a fourth hidden unit
    assert r"1 - out_{h1}^{2}" in out  # tanh's derivative, in its output
    assert r"\frac{target_{o1}}{out_{o1}}" in out  # cross-entropy's ∂E/∂out
    status, one, _ = run(capsys, "latex", "b6", *argv)
    assert status == 0 and one.count(r"\begin{aligned}") == 1


# ----------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "argv, words",
    [
        (["latex", "foo"], ["'foo'", "Valid names", "w_(1,1)"]),
        (["latex", "w9"], ["'w9'", "w1", "w5, w6, w7", "Valid names"]),
        (["latex", "w5", "--sizes", "2,x"], ["--sizes", "positive integers", "'2,x'"]),
        (["latex", "w5", "--sizes", "0,3"], ["sizes", "positive integers", "(0, 3)"]),
        (["latex", "w5", "--activation", "foo"], ["'foo'", "logistic", "softmax"]),
        (["latex", "w5", "--loss", "foo"], ["'foo'", "half_sse", "cross_entropy"]),
        (["latex", "w5", "--activation", "softmax,logistic"], ["softmax", "output layer"]),
        (["latex", "b4", "--numeric", "--sizes", "3,4,2"], ["2-3-2", "(3, 4, 2)"]),
        (["latex"], ["name", "--all"]),
        (["latex", "w5", "--all"], ["name", "--all"]),
        (["show", "--loss", "cross_entropy", "--activation", "tanh"], ["cross_entropy", "tanh"]),
        (["frobnicate"], ["'frobnicate'", "show", "latex"]),
    ],
)
def test_errors_exit_2_with_one_line(capsys, argv, words):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bpderive: error: ")
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0]


def test_module_runs_as_a_program():
    done = subprocess.run(
        [sys.executable, "-m", "bpderive.cli", "show"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and done.stderr == ""
    assert "E_total = E_o1 + E_o2" in done.stdout
    failed = subprocess.run(
        [sys.executable, "-m", "bpderive.cli", "latex", "w9"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode == 2 and failed.stdout == ""
    assert len(failed.stderr.strip().splitlines()) == 1 and "Traceback" not in failed.stderr


# ------------------------------------------------------------------------- python -m bpderive.bench


def bench(*argv: str, code: str | None = None) -> subprocess.CompletedProcess:
    """``python -m bpderive.bench argv`` (or ``python -c code``) in a fresh process, with no
    thread count in its environment."""
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    command = ["-c", code] if code is not None else ["-m", "bpderive.bench", *argv]
    return subprocess.run(
        [sys.executable, *command], capture_output=True, text=True, timeout=120, env=env
    )


def test_bench_help_says_what_it_prints_and_runs_nothing():
    """--help explains the ratios and lists the sections, and starts no table."""
    done = bench("--help")
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith(
        "usage: python -m bpderive.bench [-h] [--repeats N] [--threads N]"
    )
    text = " ".join(done.stdout.split())
    assert "the ratio printed beside them" in text and "both timed in this run" in text
    for name in SECTIONS:
        assert f"\n  {name} " in done.stdout
    assert "OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, MKL_NUM_THREADS" in text
    assert not any(line.startswith("BLAS threads:") for line in done.stdout.splitlines())


def test_bench_sections_are_those_it_can_print():
    from bpderive.bench.report import PRINTERS

    assert list(PRINTERS) == list(SECTIONS)


def test_bench_digits_skips_with_a_message_where_scikit_learn_is_missing(monkeypatch, capsys):
    from bpderive.bench import digits, report

    monkeypatch.setattr(digits, "available", lambda: False)
    report.print_digits(1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Digits (scikit-learn's load_digits, 3/4 training, 1/4 test)")
    assert lines[1:] == [
        "  skipped: scikit-learn is not installed (pip install 'bpderive[notebooks]')"
    ]


def test_bench_digits_trains_every_library_to_the_same_kind_of_accuracy():
    """One run each (the timing is the benchmark's to report, not a test's to assert): the
    64-30-10 softmax network reaches at least 95 % on the held-out digits, as scikit-learn's."""
    pytest.importorskip("sklearn")
    from bpderive.bench import digits

    rows = digits.digits_table(repeats=1)
    assert [r["hidden"] for r in rows] == ["logistic", "tanh"]
    for r in rows:
        assert r["accuracy"]["bpderive"] >= 0.95 and r["accuracy"]["scikit-learn"] >= 0.95
        assert r["ratio"] > 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--repeats", "0"], "argument --repeats: expected an int >= 1, got '0'"),
        (["--threads", "two"], "argument --threads: expected an int >= 1, got 'two'"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["gradient"], "unknown section 'gradient' (choose from gradients, training, compile,"),
    ],
    ids=["repeats_0", "threads_word", "unknown_option", "unknown_section"],
)
def test_bench_bad_options_exit_2_naming_them(argv, message):
    done = bench(*argv)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("usage: python -m bpderive.bench")
    assert f"python -m bpderive.bench: error: {message}" in done.stderr
    assert "Traceback" not in done.stderr


def test_bench_threads_are_set_before_numpy_is_loaded():
    """One quick section (the checker, one repeat): the thread count is in the environment when
    the tables start; where NumPy is loaded already it could not take effect, and is refused."""
    done = bench("--threads", "3", "--repeats", "1", "checker")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "BLAS threads: 3 (1 gives the steadiest ratios)"
    assert lines[2] == "The answer checker: exercises.check on the 2-3-2 network, median of 1"
    assert lines[-1].startswith("  slowest: ")
    late = bench(
        code="import numpy\nfrom bpderive.bench.__main__ import main\nmain(['--threads', '3'])"
    )
    assert late.returncode == 2 and late.stdout == ""
    assert "error: --threads: NumPy is already loaded in this process" in late.stderr


def test_the_compile_table_times_each_stage_in_a_fresh_process(monkeypatch):
    """Each stage is counted from the process's start, so the columns grow; the network is
    built with its own activations and loss (a softmax network's loss is named)."""
    from bpderive.bench import speed

    small = (((2, 3, 3), ("logistic", "softmax"), "cross_entropy"),)
    monkeypatch.setattr(speed, "COMPILE_NETWORKS", small)
    (row,) = speed.compile_table(repeats=1)
    assert row["network"] == "2-3-3" and row["loss"] == "cross_entropy"
    assert 0 < row["import"] <= row["built"] <= row["compiled"] <= row["gradient"]

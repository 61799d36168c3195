"""``python -m bpderive.bench``: the benchmark's tables, all of them or the sections named.

The options are read before NumPy is imported (this module imports none of it; the tables are
in :mod:`bpderive.bench.report`, imported afterwards): a BLAS library reads its thread count
from the environment once, when it is loaded, so ``--threads`` has to be in place by then.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

#: The sections in the order they are printed, with what each measures.
SECTIONS = {
    "gradients": "compile().gradients against hand-written NumPy (tight and textbook)",
    "training": "whole train() runs against a tight hand loop, same start and sample order",
    "compile": "import, Network(sizes), compile() and one gradient in fresh processes",
    "peers": "PyTorch, JAX, autograd and scikit-learn gradients, where installed",
    "digits": "64-30-10 softmax training on scikit-learn's digits against MLPClassifier, PyTorch",
    "jax": "compile(backend='jax') epochs in one jitted loop, where JAX is installed",
    "lm": "Levenberg-Marquardt iterations against MINPACK's lm, where SciPy is installed",
    "chains": "deriving every parameter's chain on a fresh network",
    "race": "the training algorithms raced to one goal",
    "checker": "exercises.check on typical and on the heaviest answers",
}

#: The environment variables that set a BLAS library's thread count (OpenBLAS, OpenMP, MKL).
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

DESCRIPTION = """\
Time bpderive against baselines measured in the same run and print the tables.

Absolute times depend on the machine; what carries from one machine to another is the ratio
printed beside them: bpderive's time over a hand-written NumPy baseline (or a peer's over it),
both timed in this run, interleaved, each the median of the repeats. Each table also prints the
largest difference between the results compared, so a fast wrong answer would show."""

EPILOG = "sections (default: all, in this order):\n" + "\n".join(
    f"  {name:<10} {what}" for name, what in SECTIONS.items()
)


def _positive(text: str) -> int:
    """A count option's value: an int >= 1, or argparse's usage error saying so."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an int >= 1, got {text!r}")
    return value


def parser() -> argparse.ArgumentParser:
    """The command line: sections as arguments, ``--repeats`` and ``--threads``."""
    cli = argparse.ArgumentParser(
        prog="python -m bpderive.bench",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cli.add_argument(
        "sections", nargs="*", metavar="SECTION", help="the sections to run (listed below)"
    )
    cli.add_argument(
        "--repeats",
        type=_positive,
        metavar="N",
        help="interleaved repeats each timing takes the median of (default: each table's own, "
        "3 to 41; fewer run faster and scatter more)",
    )
    cli.add_argument(
        "--threads",
        type=_positive,
        metavar="N",
        help=f"BLAS threads: sets {', '.join(THREAD_VARIABLES)} before NumPy is loaded "
        "(default: the environment's; 1 gives the steadiest ratios)",
    )
    return cli


def main(argv: Sequence[str] | None = None) -> None:
    """Read the options, set the thread count, then print the sections asked for."""
    cli = parser()
    args = cli.parse_args(argv)
    unknown = [name for name in args.sections if name not in SECTIONS]
    if unknown:
        cli.error(f"unknown section {unknown[0]!r} (choose from {', '.join(SECTIONS)})")
    if args.threads is not None:
        if "numpy" in sys.modules:
            cli.error(
                "--threads: NumPy is already loaded in this process, and its BLAS keeps the "
                "threads it started with; run python -m bpderive.bench --threads N in a new "
                f"process, or set {' or '.join(THREAD_VARIABLES)} before starting Python"
            )
        for name in THREAD_VARIABLES:
            os.environ[name] = str(args.threads)
    threads = next((os.environ[n] for n in THREAD_VARIABLES if os.environ.get(n)), None)
    print(f"BLAS threads: {threads or 'the library default'} (1 gives the steadiest ratios)")
    from bpderive.bench import report  # NumPy loads here, after the thread count is set

    for name in args.sections or SECTIONS:
        print()
        report.PRINTERS[name](args.repeats)


if __name__ == "__main__":
    main()

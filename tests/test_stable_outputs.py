"""The notebooks' stored outputs hold in other numeric environments, not only where they were
stored.

Strict nbval compares every printed character, so a number that depends on the last bit of the
arithmetic fails on the next machine: another CPU takes other SIMD loops (NumPy's ``exp`` and
``tanh`` are vectorised per instruction set and round differently), another BLAS kernel or thread
count adds in another order. A chaotic demonstration (an oscillating descent, the adaptive rate)
magnifies such a bit into another epoch count. This test changes those last bits on the machine
that runs it and re-runs the notebooks that train under strict nbval, exactly as the main run
does:

* NumPy with every SIMD extension above its baseline turned off (``NPY_DISABLE_CPU_FEATURES``);
* another BLAS thread count.

The Chinese edition runs the same code, so the English one stands for both here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The notebooks that train (01–03 and 09 derive and check, from a handful of exact numbers).
TRAINING = sorted(
    str(path.relative_to(ROOT))
    for pattern in ("notebooks/0[4-8]_*.ipynb", "notebooks/10_*.ipynb")
    for path in ROOT.glob(pattern)
)


def _simd_extensions() -> list[str]:
    """The SIMD targets this NumPy dispatches to on this machine, above its baseline."""
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:  # NumPy 1.x
        from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    return [name for name in __cpu_dispatch__ if __cpu_features__.get(name)]


def _other_thread_count() -> str:
    """A BLAS thread count other than the one this machine uses by default."""
    current = os.environ.get("OPENBLAS_NUM_THREADS") or str(os.cpu_count() or 1)
    return "1" if current != "1" else "2"


def environments() -> dict[str, dict[str, str]]:
    threads = _other_thread_count()
    return {
        "NumPy without SIMD": {"NPY_DISABLE_CPU_FEATURES": " ".join(_simd_extensions())},
        f"{threads} BLAS thread(s)": {
            name: threads for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
        },
    }


def test_numpy_has_simd_loops_to_turn_off() -> None:
    """Otherwise the first environment would be this one, and prove nothing."""
    assert _simd_extensions(), "this NumPy dispatches to no SIMD extension on this machine"


@pytest.mark.long
def test_the_training_notebooks_print_the_same_in_other_numeric_environments() -> None:
    assert len(TRAINING) == 6, TRAINING
    command = [sys.executable, "-m", "pytest", "-q", "-n", "0", *TRAINING]
    runs = {
        name: subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **changes},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name, changes in environments().items()
    }
    failed = {}
    for name, run in runs.items():
        output, _ = run.communicate(timeout=600)
        if run.returncode != 0:
            failed[name] = output[-3000:]
    assert not failed, "\n\n".join(f"--- {name}:\n{output}" for name, output in failed.items())

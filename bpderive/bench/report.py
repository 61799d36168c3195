"""The benchmark's sections as printed tables, one function per section.

Each takes ``repeats``: how many interleaved repeats its timings take the median of, ``None``
for the section's own default (the derivation and Levenberg–Marquardt sections time each run
once and ignore it). Imported by :mod:`bpderive.bench.__main__` only after it has set the BLAS
thread count, since this module imports NumPy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bpderive.bench import digits, jax_speed, minpack, peers
from bpderive.bench.race import RACE_EPOCHS, RACE_SEED, demos, race, race_table
from bpderive.bench.speed import (
    chain_table,
    check_table,
    compile_table,
    gradient_table,
    peer_table,
    training_table,
)
from bpderive.numeric import jax_backend


def _given(repeats: int | None) -> dict[str, Any]:
    """The ``repeats`` keyword for a table function, or none (its own default)."""
    return {} if repeats is None else {"repeats": repeats}


def print_gradients(repeats: int | None) -> None:
    """Gradients against the hand-written NumPy baselines: the ratio is what carries over."""
    print("Gradients of the mean half-SSE cost, logistic units; medians of interleaved repeats")
    print("  bpderive: compile().gradients, the checked call (parameters from initialize)")
    print("  tight: hand-written NumPy, buffers reused, in place; plain: the textbook version")
    print(
        f"{'network':>9} {'N':>6} {'bpderive':>10} {'tight':>10} {'plain':>10} "
        f"{'ratio':>6} {'plain/tight':>11} {'diff':>8}"
    )
    for r in gradient_table(**_given(repeats)):
        print(
            f"{r['network']:>9} {r['N']:>6} {r['bpderive'] * 1e6:>8.1f}us "
            f"{r['tight'] * 1e6:>8.1f}us {r['plain'] * 1e6:>8.1f}us {r['ratio']:>6.2f} "
            f"{r['plain_ratio']:>11.2f} {r['difference']:>8.1e}"
        )


def print_training(repeats: int | None) -> None:
    """Whole runs of train() against a tight hand loop: what the loop around the kernel costs."""
    print("Training: train() (η = 0.5) against a tight hand loop, same start, same sample order")
    print(
        f"{'network':>9} {'N':>6} {'mode':>13} {'epochs':>6} {'train':>9} {'tight':>9} "
        f"{'per step':>9} {'ratio':>6} {'diff':>8}"
    )
    for r in training_table(**_given(repeats)):
        print(
            f"{r['network']:>9} {r['N']:>6} {r['mode']:>13} {r['epochs']:>6} "
            f"{r['train'] * 1e3:>7.1f}ms {r['tight'] * 1e3:>7.1f}ms {r['step'] * 1e6:>7.1f}us "
            f"{r['ratio']:>6.2f} {r['difference']:>8.1e}"
        )


def print_compile(repeats: int | None) -> None:
    """Import and compile time in fresh processes: what a learner waits for before the first
    number (the process's caches would hide it)."""
    shown = "3" if repeats is None else str(repeats)
    print(f"Fresh process, seconds from its start (median of {shown}): import bpderive, then")
    print("Network(sizes) built, compile(), one gradient of 32 samples")
    print(
        f"{'network':>15} {'loss':>13} {'import':>7} {'built':>7} {'compiled':>9} {'gradient':>9}"
    )
    for r in compile_table(**_given(repeats)):
        print(
            f"{r['network']:>15} {r['loss']:>13} {r['import']:>7.2f} {r['built']:>7.2f} "
            f"{r['compiled']:>9.2f} {r['gradient']:>9.2f}"
        )


def print_peers(repeats: int | None) -> None:
    """The installed peers' gradient times over the tight NumPy's, measured in the same run."""
    ready = [name for name, ok in peers.available().items() if ok]
    missing = [name for name, ok in peers.available().items() if not ok]
    print("Peers: the same gradient's time over the tight NumPy's (pip install 'bpderive[bench]')")
    if missing:
        print(f"  not installed: {', '.join(missing)}")
    if ready:
        for r in peer_table(**_given(repeats)):
            diff = "not the same network" if r["difference"] is None else f"{r['difference']:.1e}"
            print(f"{r['network']:>9} {r['N']:>6} {r['peer']:>13} {r['ratio']:>6.2f}  {diff}")


def print_digits(repeats: int | None) -> None:
    """Whole training runs on a real data set against scikit-learn (and PyTorch): the time a
    learner waits, and the test accuracy that says the runs trained alike."""
    d = digits
    sizes = "-".join(map(str, d.SIZES))
    print(
        f"Digits (scikit-learn's load_digits, 3/4 training, 1/4 test): {sizes} softmax/"
        f"cross-entropy, SGD η {d.ETA}, batch {d.BATCH}, {d.EPOCHS} epochs, same start"
    )
    if not d.available():
        print("  skipped: scikit-learn is not installed (pip install 'bpderive[notebooks]')")
        return
    if not d.torch_available():
        print("  not installed: PyTorch (pip install 'bpderive[bench]')")
    runs = 3 if repeats is None else repeats
    print(f"  time: median of {runs} runs, interleaved; ratio: bpderive's over scikit-learn's")
    print(f"{'hidden':>9} {'library':>13} {'seconds':>8} {'accuracy':>9} {'ratio':>6}")
    for r in d.digits_table(repeats=runs):
        for name, seconds in r["seconds"].items():
            ratio = f"{r['ratio']:>6.2f}" if name == "bpderive" else ""
            accuracy = r["accuracy"][name]
            print(f"{r['hidden']:>9} {name:>13} {seconds:>8.3f} {accuracy:>9.3f} {ratio}")


def print_jax(repeats: int | None) -> None:
    """The jitted JAX loop against train() and the tight loop, where JAX is installed."""
    print("compile(backend='jax'): whole epochs of full-batch descent in one jitted loop, against")
    print("train() and the tight hand loop (NumPy), same start; time per run (JAX compiled first)")
    if not jax_backend.available():
        print("  not installed: JAX (pip install 'bpderive[jax]')")
        return
    print(
        f"{'':>15} {'epochs':>11} {'JAX':>9} {'train()':>9} {'tight':>9} {'speed-up':>8} "
        f"{'diff':>8}"
    )
    for r in jax_speed.race_rows(**_given(repeats)) + jax_speed.sweep_rows(**_given(repeats)):
        numpy_best = min(t for t in (r["numpy"], r["tight"]) if t is not None)
        tight = "" if r["tight"] is None else f"{r['tight'] * 1e3:>7.1f}ms"
        print(
            f"{r['what']:>15} {r['epochs']:>11} {r['jax'] * 1e3:>7.1f}ms "
            f"{r['numpy'] * 1e3:>7.1f}ms {tight:>9} {numpy_best / r['jax']:>7.1f}x "
            f"{r['difference']:>8.1e}"
        )
    print("  (speed-up: the faster NumPy loop's time over JAX's; diff: largest relative")
    print("   difference of the parameters from train()'s; epochs: JAX/train() on the race,")
    print("   where η = 0.5 makes the sine descent oscillate: the last bit decides the count)")


def print_lm(repeats: int | None) -> None:
    """Levenberg–Marquardt's iterations against MINPACK's on the same Jacobian (each start run
    once: the iteration counts are the point, and they do not vary)."""
    print(
        f"Levenberg-Marquardt (MATLAB's defaults) against MINPACK's lm, same Jacobian, same "
        f"{len(minpack.SEEDS)} starts: iterations (Jacobians) to the goal"
    )
    if not minpack.available():
        print("  not installed: SciPy (pip install 'bpderive[bench]')")
        return
    print(f"{'problem':>20} {'bpderive':>9} {'MINPACK':>8} {'no more':>8} {'max':>11} {'ms':>11}")
    for r in minpack.lm_table():
        worst = [_most(r["ours"]), _most(r["minpack"])]
        print(
            f"{r['problem']:>20} {minpack.median(r['ours']):>9.1f} "
            f"{minpack.median(r['minpack']):>8.1f} {r['no_more']:>4}/{r['starts']:<3} "
            f"{'/'.join(worst):>11} {r['ours_ms']:>5.1f}/{r['minpack_ms']:<5.1f}"
        )
    print("  (medians over the starts; no more: starts where bpderive needed <= MINPACK's;")
    print("   max and ms: bpderive/MINPACK, ms the median time of one run to the goal;")
    print("   never: a start that stopped elsewhere or passed the limit)")


def _most(counts: list[int | None]) -> str:
    """The largest iteration count, or "never" if some start did not reach the goal."""
    return "never" if None in counts else str(max(counts))


def print_chains(repeats: int | None) -> None:
    """Derivation time of every chain, once on a fresh network (a second derivation would be
    cached, so ``repeats`` does not apply)."""
    print("Deriving every chain: net.gradient(name) for each parameter, fresh network")
    print(f"{'network':>9} {'chains':>7} {'total s':>8} {'median ms':>10} {'max ms':>8}")
    for r in chain_table():
        print(
            f"{r['network']:>9} {r['chains']:>7} {r['total']:>8.3f} {r['median'] * 1e3:>10.3f} "
            f"{r['max'] * 1e3:>8.3f}"
        )


def print_race(repeats: int | None) -> None:
    """The training algorithms raced to one goal: epochs and cost are deterministic, times not."""
    runs = 5 if repeats is None else repeats
    print(
        f"Race to the goal: seed {RACE_SEED}, η1 = "
        f"{', '.join(f'{d.eta1} ({d.name})' for d in demos())} for the gradient-descent family, "
        f"at most {RACE_EPOCHS} epochs; time: median of {runs} runs"
    )
    print(race_table(race(repeats=runs)))


def print_checker(repeats: int | None) -> None:
    """The answer checker's time per answer, the heaviest the limits let through included."""
    runs = 3 if repeats is None else repeats
    print(f"The answer checker: exercises.check on the 2-3-2 network, median of {runs}")
    rows = check_table(repeats=runs)
    for r in rows:
        shown = r["answer"] if len(r["answer"]) <= 48 else r["answer"][:45] + "..."
        print(f"  {r['seconds'] * 1e3:>8.1f} ms  {r['mistake']:<15} {r['target']:<5} {shown}")
    print(f"  slowest: {max(r['seconds'] for r in rows) * 1e3:.1f} ms")


#: The sections by the name ``python -m bpderive.bench`` knows them by, in the order printed.
PRINTERS: dict[str, Callable[[int | None], None]] = {
    "gradients": print_gradients,
    "training": print_training,
    "compile": print_compile,
    "peers": print_peers,
    "digits": print_digits,
    "jax": print_jax,
    "lm": print_lm,
    "chains": print_chains,
    "race": print_race,
    "checker": print_checker,
}

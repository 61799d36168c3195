"""Shared fixtures (the worked example's numbers, computed here with plain ``math``; a watch on
code execution) and the order the tests run in.

The unit tests run in a new random order every time (the seed is printed in the header; repeat
an order with ``--order-seed N``), so that no test passes only because of what ran before it;
tests marked ``long`` start first, so that the others run beside them. The notebooks' cells run
last, each notebook in its own order.

The worked example's numbers: the weights are written out from the example's description
(Mazur's numbers, extended to the third hidden unit: inputs 0.05 and 0.10, targets 0.01 and 0.99,
weights from 0.15 in steps of 0.05, a bias per unit from 0.35 in steps of 0.05, η1 = 0.5,
η2 = 0.25), and every number below is the article's formula of section 三 evaluated by hand, not
taken from bpderive.
"""

from __future__ import annotations

import builtins
import importlib
import math
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import sympy as sp

ORDER_SEED = pytest.StashKey[int]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--order-seed",
        type=int,
        default=None,
        help="the seed of the unit tests' random order (default: a new one every run)",
    )


def pytest_configure(config: pytest.Config) -> None:
    worker = getattr(config, "workerinput", None)
    if worker is not None:  # an xdist worker: every worker must collect the controller's order
        config.stash[ORDER_SEED] = worker["order_seed"]
        return
    seed = config.getoption("order_seed")
    config.stash[ORDER_SEED] = random.randrange(1_000_000) if seed is None else seed
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_SeedForWorkers())


class _SeedForWorkers:
    """Hands the seed to each xdist worker as it starts."""

    def pytest_configure_node(self, node: object) -> None:
        node.workerinput["order_seed"] = node.config.stash[ORDER_SEED]  # type: ignore[attr-defined]


def pytest_report_header(config: pytest.Config) -> str:
    return f"unit tests in random order: --order-seed {config.stash[ORDER_SEED]} repeats it"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Test files in a random order, the tests of each file in a random order; a file's tests
    stay together, so that a module's fixtures are made once."""
    shuffle = random.Random(config.stash[ORDER_SEED]).shuffle
    files: dict[object, list[pytest.Item]] = {}
    for item in items:
        if item.path.suffix != ".ipynb":
            files.setdefault(item.path, []).append(item)
    groups = list(files.values())
    shuffle(groups)
    for group in groups:
        shuffle(group)
    groups.sort(key=lambda group: not any(item.get_closest_marker("long") for item in group))
    cells = [item for item in items if item.path.suffix == ".ipynb"]
    items[:] = [item for group in groups for item in group] + cells


def _f(x: float) -> float:
    """The article's f(x) = 1/(1 + e^-x)."""
    return 1.0 / (1.0 + math.exp(-x))


@pytest.fixture(autouse=True)
def english_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts in English whatever the machine says (a Chinese learner's
    ``BPDERIVE_LANG=zh`` must not fail the suite), and a test that sets the language cannot
    change the language of the tests that run after it."""
    import bpderive.language

    monkeypatch.delenv(bpderive.language.ENVIRONMENT, raising=False)
    monkeypatch.setattr(bpderive.language, "_chosen", None)


@pytest.fixture(autouse=True)
def fonts_as_they_were(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that draws in Chinese gives matplotlib the Chinese font (bpderive.fonts); the
    font families are put back after it, so that each test starts with matplotlib's own."""
    import matplotlib

    monkeypatch.setitem(matplotlib.rcParams, "font.family", matplotlib.rcParams["font.family"])


@pytest.fixture(scope="session")
def article() -> SimpleNamespace:
    x1, x2 = 0.05, 0.10
    t1, t2 = 0.01, 0.99
    w = {
        "w_(x1,1)": 0.15,
        "w_(x2,1)": 0.20,
        "w_(x1,2)": 0.25,
        "w_(x2,2)": 0.30,
        "w_(x1,3)": 0.35,
        "w_(x2,3)": 0.40,
        "b1": 0.35,
        "b2": 0.40,
        "b3": 0.45,
        "w_(1,1)": 0.40,
        "w_(2,1)": 0.45,
        "w_(3,1)": 0.50,
        "w_(1,2)": 0.55,
        "w_(2,2)": 0.60,
        "w_(3,2)": 0.65,
        "b4": 0.60,
        "b5": 0.65,
    }
    # 3.1.2: net_h1 = w_(x1,1)·x1 + w_(x2,1)·x2 + b1, Out_h1 = f(net_h1); likewise h2, h3.
    net_h = [w[f"w_(x1,{j})"] * x1 + w[f"w_(x2,{j})"] * x2 + w[f"b{j}"] for j in (1, 2, 3)]
    out_h = [_f(v) for v in net_h]
    # 3.1.3: net_o1 = w_(1,1)·Out_h1 + w_(2,1)·Out_h2 + w_(3,1)·Out_h3 + b4; likewise o2 with b5.
    net_o = [
        sum(w[f"w_({i},{k})"] * out_h[i - 1] for i in (1, 2, 3)) + w[f"b{3 + k}"] for k in (1, 2)
    ]
    out_o = [_f(v) for v in net_o]
    targets = [t1, t2]
    # 3.2.0: E_total = 1/2 Σ (target − out)²
    e_terms = [0.5 * (t - o) ** 2 for t, o in zip(targets, out_o, strict=True)]
    # 3.2.1: ∂E_total/∂Out_o1 = −(target_o1 − Out_o1); ∂Out_o1/∂net_o1 = Out_o1(1 − Out_o1)
    dE_dout_o = [-(t - o) for t, o in zip(targets, out_o, strict=True)]
    dout_dnet_o = [o * (1 - o) for o in out_o]
    delta_o = [a * b for a, b in zip(dE_dout_o, dout_dnet_o, strict=True)]
    # 3.2.2: ∂E_total/∂Out_h1 = ∂E_o1/∂Out_h1 + ∂E_o2/∂Out_h1, each δ_ok · w_(1,k)
    dEo_dout_h1 = [delta_o[0] * w["w_(1,1)"], delta_o[1] * w["w_(1,2)"]]
    dE_dout_h1 = dEo_dout_h1[0] + dEo_dout_h1[1]
    dout_dnet_h1 = out_h[0] * (1 - out_h[0])
    dE_dw5 = delta_o[0] * out_h[0]
    dE_db4 = delta_o[0]
    dE_dw1 = dE_dout_h1 * dout_dnet_h1 * x1
    eta1, eta2 = 0.5, 0.25
    return SimpleNamespace(
        x=(x1, x2),
        target=(t1, t2),
        weights=w,
        net_h=net_h,
        out_h=out_h,
        net_o=net_o,
        out_o=out_o,
        e_terms=e_terms,
        e_total=sum(e_terms),
        dE_dout_o=dE_dout_o,
        dout_dnet_o=dout_dnet_o,
        delta_o=delta_o,
        dEo_dout_h1=dEo_dout_h1,
        dE_dout_h1=dE_dout_h1,
        dout_dnet_h1=dout_dnet_h1,
        dE_dw5=dE_dw5,
        dE_db4=dE_db4,
        dE_dw1=dE_dw1,
        eta1=eta1,
        eta2=eta2,
        w5_new=w["w_(1,1)"] - eta1 * dE_dw5,
        b4_new=w["b4"] - eta2 * dE_db4,
    )


@pytest.fixture
def watch_code(monkeypatch: pytest.MonkeyPatch) -> Callable:
    """``with watch_code() as calls:`` records every call that could run text as code (``eval``,
    ``sympify`` of a string, ``parse_expr``, ``lambdify``) while the block runs; the hooks are
    undone before pytest reports, so a failure is shown normally."""
    sympify_module = importlib.import_module("sympy.core.sympify")
    parser = importlib.import_module("sympy.parsing.sympy_parser")
    real = sympify_module.sympify

    @contextmanager
    def watching() -> Iterator[list[str]]:
        calls: list[str] = []

        def sympify(value: object, *args: object, **kwargs: object) -> object:
            if isinstance(value, str):
                calls.append(f"sympify({value!r})")
            return real(value, *args, **kwargs)

        def forbidden(name: str) -> Callable:
            return lambda *args, **kwargs: calls.append(name)

        monkeypatch.setattr(builtins, "eval", forbidden("eval"))
        monkeypatch.setattr(sympify_module, "sympify", sympify)
        monkeypatch.setattr(sp, "sympify", sympify)
        monkeypatch.setattr(sp, "lambdify", forbidden("lambdify"))
        monkeypatch.setattr(parser, "parse_expr", forbidden("parse_expr"))
        try:
            yield calls
        finally:
            monkeypatch.undo()

    return watching

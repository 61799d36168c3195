"""The package's shape: data flows one way through its stages, nothing imports back, modules stay
small, only an activation's or a loss's own object knows its name, and every exported name is
the object it names whatever was imported first.

Read from the source files with ``ast`` (every import counts, in a function or a
``TYPE_CHECKING`` block too), so the checks see what a reader sees.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from bpderive.symbolic.activations import ACTIVATIONS
from bpderive.symbolic.losses import LOSSES

PACKAGE = Path(__file__).resolve().parents[1] / "bpderive"

#: The stages, in the order data flows through them. A module may import its own stage and the
#: ones before it, never a later one.
STAGES = [
    ("bpderive.checks", "bpderive.limits", "bpderive.language", "bpderive.fonts"),
    ("bpderive.symbolic",),
    ("bpderive.numeric",),
    ("bpderive.network",),
    ("bpderive.data", "bpderive.worked_example", "bpderive.training", "bpderive.persist"),
    ("bpderive.display", "bpderive.exercises"),
    ("bpderive.cli", "bpderive.bench", "bpderive.classroom"),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path) -> set[str]:
    """The bpderive modules ``path`` imports (``from bpderive.x import y`` counts as ``x.y`` when
    that is a module, else ``x``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in MODULES else node.module)
    return {name for name in found if name in MODULES and name != "bpderive"}


GRAPH = {name: imports(path) for name, path in MODULES.items()}


def stage(module: str) -> int:
    for index, prefixes in enumerate(STAGES):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return index
    raise AssertionError(f"{module} belongs to no stage: add it to STAGES")


def test_the_import_graph_has_no_cycle():
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for other in sorted(GRAPH[module]):
            if state.get(other) == "open":
                raise AssertionError(" → ".join([*path, module, other]))
            if other not in state:
                visit(other, [*path, module])
        state[module] = "done"

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [])


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "bpderive"))
def test_a_module_imports_only_its_own_stage_and_earlier_ones(module):
    later = sorted(other for other in GRAPH[module] if stage(other) > stage(module))
    assert not later, f"{module} (stage {stage(module)}) imports later stages: {later}"


def test_the_compiled_side_never_imports_the_derivation_or_the_network():
    numeric = [m for m in MODULES if m.startswith("bpderive.numeric")]
    for module in numeric:
        assert not GRAPH[module] & {"bpderive.network", "bpderive.symbolic.derivation"}, module


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_much_over_400_lines(module):
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= 420, f"{module}: {lines} lines"


NAMES = {*ACTIVATIONS, *LOSSES}
#: The objects themselves, and the answer lexer, whose ``tanh`` is a function a learner may
#: write in an answer, not the activation.
OWNERS = {"bpderive.symbolic.activations", "bpderive.symbolic.losses", "bpderive.exercises.lexer"}


def name_switches(path: Path) -> list[str]:
    """Comparisons with a built-in activation's or loss's name (``== "softmax"``,
    ``in ("half_sse", "mse")``) and dictionaries keyed by them."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        constants = []
        if isinstance(node, ast.Compare):
            for part in [node.left, *node.comparators]:
                elements = part.elts if isinstance(part, ast.Tuple | ast.List | ast.Set) else [part]
                constants += elements
        elif isinstance(node, ast.Dict):
            constants += [key for key in node.keys if key is not None]
        found += [
            f"line {c.lineno}: {c.value!r}"
            for c in constants
            if isinstance(c, ast.Constant) and c.value in NAMES
        ]
    return found


@pytest.mark.parametrize("module", sorted(set(MODULES) - OWNERS))
def test_nothing_else_switches_on_an_activations_or_a_losss_name(module):
    assert name_switches(MODULES[module]) == []


#: Run in a fresh interpreter: every submodule imported first (as a notebook or a test file may
#: do in any order), then every exported name looked up. Prints each package's exports that are
#: modules, or not the object their module defines, and the worked example's numbers.
_EXPORTS_AFTER_EVERY_IMPORT = """
import importlib, pkgutil, types
import bpderive
import bpderive.display.show
from bpderive import example
print(example().eta2)
for info in [*pkgutil.walk_packages(bpderive.__path__, "bpderive.")]:
    importlib.import_module(info.name)
for name, module in bpderive._EXPORTS.items():
    if getattr(bpderive, name) is not getattr(importlib.import_module(module), name):
        print("bpderive." + name, "is not", module + "." + name)
for info in [*pkgutil.walk_packages(bpderive.__path__, "bpderive."), None]:
    package = importlib.import_module(info.name if info else "bpderive")
    for name in getattr(package, "__all__", []):
        if isinstance(getattr(package, name), types.ModuleType):
            print(package.__name__ + "." + name, "is a module")
"""


def test_every_exported_name_is_what_it_names_whatever_was_imported_first():
    """``from bpderive import example`` is the function even after ``import
    bpderive.display.show`` (which imports the module the function lives in): a submodule named
    like a lazily exported name would replace the package's attribute when first imported."""
    done = subprocess.run(
        [sys.executable, "-c", _EXPORTS_AFTER_EVERY_IMPORT],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["0.25"]

"""The stored notebooks are complete and reproducible, so that strict nbval checks every output.

nbval re-runs each cell and compares outputs, but it cannot see a cell that was never executed
(it has nothing stored to compare) or tell a deliberate ignore from a lazy one. These checks
read the files themselves.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def _code_cells(path: Path) -> list[dict]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return [c for c in notebook["cells"] if c["cell_type"] == "code" and "".join(c["source"])]


def test_the_series_is_there() -> None:
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06", "07", "08", "09"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_only_timings_escape_comparison(path: Path) -> None:
    for cell in _code_cells(path):
        source = "".join(cell["source"])
        assert "NBVAL_SKIP" not in source and "NBVAL_RAISES" not in source
        if "NBVAL_IGNORE_OUTPUT" in source:
            comments = " ".join(line for line in source.splitlines() if line.startswith("#"))
            assert re.search(r"\b(wall )?tim(e|es|ing|ings)\b", comments, re.I), (
                f"{path.name}: an ignored output needs a comment saying it is a timing"
            )

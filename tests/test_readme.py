"""The README's two opening commands are exactly what the clean-checkout check runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.*?)\n```", text, flags=re.S)


def test_readme_opens_with_install_and_test_commands() -> None:
    install, tests = _blocks()[:2]
    assert "pip install" in install and "bpderive show" in install
    assert tests.strip() == "python -m pytest"


def test_ci_runs_the_readme_commands() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    install, tests = _blocks()[:2]
    steps = [step.strip() for step in install.split("&&")]
    # The venv is made fresh by .ci/run itself; every other step must appear verbatim.
    for step in steps[2:]:
        assert step in ci, f"README step missing from .ci/run: {step}"
    assert tests.strip() in ci

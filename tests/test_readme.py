"""The README's two opening commands are exactly what the clean-checkout check runs, and its
Windows (PowerShell) and conda variants install and test the same way."""

import re
import shlex
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _blocks(language: str = "bash") -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)\n```", text, flags=re.S)


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


def _posix() -> tuple[list[str], str]:
    """The POSIX install command's steps, and the test command."""
    install, tests = _blocks()[:2]
    return [step.strip() for step in install.split("&&")], tests.strip()


def test_powershell_installs_shows_and_tests_as_on_posix() -> None:
    """PowerShell 5 has no ``&&``: its steps are joined by ``;``, and only the making and the
    activating of the environment are its own."""
    (powershell,) = _blocks("powershell")
    install, tests = powershell.splitlines()
    steps = [step.strip() for step in install.split(";")]
    posix, posix_tests = _posix()
    assert steps[:2] == ["py -m venv .venv", r".venv\Scripts\Activate.ps1"]
    assert steps[2:] == posix[2:]
    assert tests == posix_tests


def _environment() -> dict[str, list[str] | str]:
    """environment.yml's ``name``, its conda ``dependencies`` and its ``pip`` entries, read
    without a YAML library (the file holds plain lists only)."""
    found: dict[str, list[str] | str] = {"dependencies": [], "pip": []}
    section = ""
    for line in (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            section, _, value = line.partition(":")
            if value.strip():
                found[section] = value.strip()
        elif section == "dependencies" and line.strip() == "- pip:":
            section = "pip"
        elif section in ("dependencies", "pip"):
            found[section].append(line.strip().removeprefix("- "))
    return found


def _pip_options(arguments: list[str]) -> dict[str, str]:
    """``-c``/``--constraint`` and ``-e``/``--editable`` with their values."""
    names = {"-c": "constraint", "--constraint": "constraint"}
    names |= {"-e": "editable", "--editable": "editable"}
    return {names[a]: b for a, b in zip(arguments, arguments[1:], strict=False) if a in names}


def test_conda_installs_shows_and_tests_as_on_posix() -> None:
    (conda,) = [block for block in _blocks() if "conda env create" in block]
    env = _environment()
    posix, posix_tests = _posix()
    assert conda.splitlines() == [
        "conda env create -f environment.yml",
        f"conda activate {env['name']}",
        posix[-1],
        posix_tests,
    ]
    pip_install = shlex.split(posix[2])
    assert pip_install[:4] == ["python", "-m", "pip", "install"]
    pip_lines = [word for entry in env["pip"] for word in shlex.split(entry)]
    assert _pip_options(pip_lines) == _pip_options(pip_install[4:])
    assert len(pip_lines) == len(pip_install[4:]), "environment.yml installs something else"


def test_conda_brings_a_python_that_bpderive_accepts() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    requires = pyproject["project"]["requires-python"]
    pythons = [d for d in _environment()["dependencies"] if re.match(r"python\b", d)]
    assert pythons == [f"python{requires}"]

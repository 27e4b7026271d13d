"""Keep the environment descriptions consistent with each other and with what is installed.

pyproject.toml is the source of truth; environment.yml (conda), requirements/lock.txt (uv),
CITATION.cff, .ci/run and README.md must agree with it.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
TEST_COMMAND = "python3 tasks.py test"
LOCK_COMMAND = (
    "uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 "
    "-o requirements/lock.txt"
)
# environment.yml entries that are tooling, not project dependencies.
CONDA_ONLY = {"python", "pip"}
# Packages whose versions change notebook output; the installed ones must be the locked ones.
OUTPUT_RELEVANT = [
    "pandas",
    "numpy",
    "scipy",
    "matplotlib",
    "seaborn",
    "statsmodels",
    "nbval",
    "ipykernel",
]


def parse_environment_yml(text: str) -> dict[str, list[str]]:
    """Parse the simple YAML shape of environment.yml without needing PyYAML.

    Returns {"name": [...], "channels": [...], "dependencies": [...], "pip": [...]}.
    Only top-level `key: value` / `key:` + `- item` lists and one nested `- pip:` list
    are supported; anything else raises ValueError so the test cannot silently misread.
    """
    result: dict[str, list[str]] = {}
    key = None
    nested_indent = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        stripped = line.strip()
        if indent == 0:
            match = re.fullmatch(r"([A-Za-z_][\w-]*):\s*(.*)", stripped)
            if not match:
                raise ValueError(f"environment.yml:{lineno}: unsupported line {raw!r}")
            key, value = match.groups()
            result[key] = [value] if value else []
            nested_indent = None
        elif stripped.startswith("- ") and key is not None:
            item = stripped[2:].strip()
            if nested_indent is not None and indent >= nested_indent:
                result["pip"].append(item)
            elif item == "pip:":
                result["pip"] = []
                nested_indent = indent + 1
            else:
                nested_indent = None
                result[key].append(item)
        else:
            raise ValueError(f"environment.yml:{lineno}: unsupported line {raw!r}")
    return result


def requirement_map(specs: list[str], where: str) -> dict[str, SpecifierSet]:
    out: dict[str, SpecifierSet] = {}
    for spec in specs:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name not in out, f"{name} is listed twice in {where}"
        out[name] = req.specifier
    return out


def parse_lock(text: str) -> dict[str, list[tuple[str, Marker | None]]]:
    """Map normalised name -> [(version, marker or None)] from a uv pip compile output."""
    pins: dict[str, list[tuple[str, Marker | None]]] = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)\s*(?:;\s*(.+))?$", line)
        if match:
            name, version, marker = match.groups()
            entry = (version, Marker(marker) if marker else None)
            pins.setdefault(canonicalize_name(name), []).append(entry)
    return pins


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pyproject_deps(pyproject) -> dict[str, SpecifierSet]:
    project = pyproject["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs += extra
    return requirement_map(specs, "pyproject.toml")


@pytest.fixture(scope="module")
def conda_env() -> dict[str, list[str]]:
    return parse_environment_yml((ROOT / "environment.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def conda_deps(conda_env) -> dict[str, SpecifierSet]:
    pip_specs = [s for s in conda_env.get("pip", []) if not s.startswith("-e ")]
    deps = requirement_map(conda_env["dependencies"] + pip_specs, "environment.yml")
    return {name: spec for name, spec in deps.items() if name not in CONDA_ONLY}


@pytest.fixture(scope="module")
def lock_pins() -> dict[str, list[tuple[str, Marker | None]]]:
    return parse_lock((ROOT / "requirements" / "lock.txt").read_text(encoding="utf-8"))


def test_environment_yml_parser_handles_pip_sublist():
    parsed = parse_environment_yml(
        "name: x\nchannels:\n  - conda-forge\ndependencies:\n  - a>=1  # c\n"
        "  - pip\n  - pip:\n      - b>=2\n      - -e .\n  - c\n"
    )
    assert parsed == {
        "name": ["x"],
        "channels": ["conda-forge"],
        "dependencies": ["a>=1", "pip", "c"],
        "pip": ["b>=2", "-e ."],
    }
    with pytest.raises(ValueError):
        parse_environment_yml("dependencies:\n  nested: mapping\n")


def test_environment_yml_header(conda_env):
    assert conda_env["name"] == ["tees-analysis"]
    assert conda_env["channels"] == ["conda-forge"]
    assert "-e ." in conda_env.get("pip", []), "environment.yml must install the project (-e .)"


def test_same_package_names(pyproject_deps, conda_deps):
    only_pyproject = sorted(set(pyproject_deps) - set(conda_deps))
    only_conda = sorted(set(conda_deps) - set(pyproject_deps))
    assert not only_pyproject and not only_conda, (
        f"pyproject.toml and environment.yml list different packages: "
        f"only in pyproject.toml: {only_pyproject}; only in environment.yml: {only_conda}"
    )


def test_same_version_specifiers(pyproject_deps, conda_deps):
    differ = {
        name: (str(spec), str(conda_deps[name]))
        for name, spec in pyproject_deps.items()
        if name in conda_deps and spec != conda_deps[name]
    }
    assert not differ, f"version specifiers differ (pyproject.toml, environment.yml): {differ}"


def test_python_lower_bound_matches_requires_python(pyproject, conda_env):
    pythons = [s for s in conda_env["dependencies"] if Requirement(s).name == "python"]
    assert len(pythons) == 1, f"environment.yml must list python exactly once, got {pythons}"
    conda_python = Requirement(pythons[0]).specifier
    requires = SpecifierSet(pyproject["project"]["requires-python"])
    assert conda_python == requires, (
        f"environment.yml has python{conda_python}, pyproject.toml requires-python {requires}"
    )


def test_lock_header_shows_command():
    head = (ROOT / "requirements" / "lock.txt").read_text(encoding="utf-8")[:500]
    assert LOCK_COMMAND in head, f"requirements/lock.txt header must show `{LOCK_COMMAND}`"


def test_lock_pins_every_dependency(pyproject_deps, lock_pins):
    problems = []
    for name, spec in sorted(pyproject_deps.items()):
        if name not in lock_pins:
            problems.append(f"{name} is not pinned")
        for version, _marker in lock_pins.get(name, []):
            if not spec.contains(version, prereleases=True):
                problems.append(f"{name}=={version} does not satisfy {spec}")
    assert not problems, (
        "requirements/lock.txt is out of date with pyproject.toml; run `python3 tasks.py lock`: "
        + "; ".join(problems)
    )


@pytest.mark.parametrize("package", OUTPUT_RELEVANT)
def test_installed_version_matches_lock(package, lock_pins):
    pins = [v for v, marker in lock_pins.get(package, []) if marker is None or marker.evaluate()]
    assert len(pins) == 1, f"expected one pin of {package} for this Python in lock.txt, got {pins}"
    installed = metadata.version(package)
    assert installed == pins[0], (
        f"{package} {installed} is installed but requirements/lock.txt pins {pins[0]}: "
        "notebooks were executed with the versions in requirements/lock.txt; "
        "run `python3 tasks.py setup`"
    )


def test_ci_runs_the_documented_test_command():
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    last = commands[-1].removeprefix("exec ").strip()
    assert last == TEST_COMMAND, f".ci/run must end with `{TEST_COMMAND}`, got `{last}`"
    readme = ROOT / "README.md"
    if readme.exists():
        assert TEST_COMMAND in readme.read_text(encoding="utf-8"), (
            f"README.md must document the test command `{TEST_COMMAND}` that CI runs"
        )


def test_citation_version_matches_pyproject(pyproject):
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    match = re.search(r"^version:\s*[\"']?([^\"'\s]+)[\"']?\s*$", text, flags=re.MULTILINE)
    assert match, "CITATION.cff has no top-level `version:` line"
    assert match.group(1) == pyproject["project"]["version"], (
        f"CITATION.cff version {match.group(1)} != pyproject.toml version "
        f"{pyproject['project']['version']}"
    )

"""The package's architecture: subpackages by stage, layered, without import cycles, small modules.

The layers are declared once, as import-linter contracts in ``pyproject.toml``; these tests run
them, check that every top-level module and subpackage sits in a layer, find import cycles
between modules (function-level imports included), and keep every module under 1,000 lines.
"""

from __future__ import annotations

import ast
import graphlib
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tees_analysis"
MAX_LINES = 1000


def contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["importlinter"]["contracts"]


def lint_imports(cwd: Path, *extra: str) -> subprocess.CompletedProcess:
    """import-linter's command line, run from ``cwd`` (its pyproject.toml), without a cache."""
    script = "from importlinter.cli import lint_imports_command; lint_imports_command()"
    command = [sys.executable, "-c", script, "--no-cache", "--no-logo", *extra]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def import_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the directed graph ``module -> modules it imports``, or ``None``."""
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        return list(error.args[1])
    return None


def module_graph() -> dict[str, set[str]]:
    """Every module of the package and the package modules it imports (at any depth)."""
    graph = grimp.build_graph("tees_analysis")
    return {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}


def test_the_layer_and_cycle_contracts_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_every_top_level_module_and_subpackage_is_in_a_layer():
    layers = next(c for c in contracts() if c["type"] == "layers")["layers"]
    named = {name.removeprefix("tees_analysis.") for name in layers}
    present = {
        p.stem if p.is_file() else p.name
        for p in PACKAGE.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }
    assert present == named, f"not in a layer: {present - named}; gone: {named - present}"


def test_a_lower_layer_importing_a_higher_one_breaks_the_contract(tmp_path):
    """The contract can fail: a throwaway package whose lower layer imports the higher one."""
    package = tmp_path / "layered"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "high.py").write_text("VALUE = 1\n")
    (package / "low.py").write_text("from layered import high\n")
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [tool.importlinter]
            root_package = "layered"

            [[tool.importlinter.contracts]]
            name = "layers"
            type = "layers"
            layers = ["layered.high", "layered.low"]
            """
        )
    )
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "layered.low -> layered.high" in result.stdout


def test_import_cycle_finds_a_cycle_and_accepts_a_layered_graph():
    assert import_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    cycle = import_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
    assert cycle is not None and set(cycle) == {"a", "b", "c"}


def test_no_import_cycle_between_modules():
    graph = module_graph()
    assert len(graph) > 30, "grimp found too few modules: is the package importable?"
    cycle = import_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_no_module_over_1000_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it"


@pytest.mark.parametrize(
    "package", sorted(p.parent for p in PACKAGE.rglob("__init__.py")), ids=lambda p: p.name
)
def test_every_package_says_what_it_does_and_what_it_may_use(package):
    docstring = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8")))
    assert docstring and len(docstring.split()) >= 30, f"{package.name}: one paragraph, please"
    if package != PACKAGE:
        assert "may use" in docstring.casefold(), f"{package.name}: say what it may use"

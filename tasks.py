#!/usr/bin/env python3
"""Task runner for the Tees safeguarding reviews analysis: `python3 tasks.py <command>`.

Standard library only, so it works on a bare machine with Python 3.11+ (no make needed).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shlex
import shutil
import subprocess
import sys
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements" / "lock.txt"
LOCAL_VENV = ROOT / ".venv"
STAMP_NAME = ".tees-install-stamp"
# Bump when the way setup() installs changes, so existing environments are refreshed.
INSTALL_RECIPE = "compileall-1"
LOCK_CMD = "pip compile pyproject.toml --extra dev --universal --python-version 3.11"
LOCK_CMD += " -o requirements/lock.txt"
# axe-core, the accessibility checker run by tests/test_site_browser.py, from the npm registry
# (no Node needed): pinned version and the registry's sha512 of its tarball (`dist.integrity`
# of https://registry.npmjs.org/axe-core/<version>). Bump both together.
AXE_VERSION = "4.14.1"
AXE_INTEGRITY = (
    "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/"
    "pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
)
AXE_URL = f"https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"
# Child processes (notebook kernels included) inherit these, for deterministic output.
CHILD_ENV = {
    **os.environ,
    "PYTHONHASHSEED": "0",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}


def run(cmd: list[str | Path]) -> int:
    """Print a command, run it from the repository root and return its exit code."""
    args = [str(c) for c in cmd]
    print("+ " + shlex.join(args), flush=True)
    return subprocess.run(args, cwd=ROOT, env=CHILD_ENV, check=False).returncode


def venv_dir() -> Path:
    """The active virtual environment if there is one, else the project's .venv."""
    active = os.environ.get("VIRTUAL_ENV")
    return Path(active).resolve() if active else LOCAL_VENV


def venv_python() -> Path:
    venv = venv_dir()
    if Path(sys.prefix).resolve() == venv:
        return Path(sys.executable)
    if os.name == "nt":
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def ensure_venv() -> Path:
    python = venv_python()
    if not python.exists():
        if os.environ.get("VIRTUAL_ENV"):
            sys.exit(f"VIRTUAL_ENV is set but {python} does not exist; deactivate it or fix it")
        if run([sys.executable, "-m", "venv", LOCAL_VENV]) != 0:
            sys.exit("could not create .venv (on Debian/Ubuntu: apt-get install python3-venv)")
    return python


def install_hash() -> str:
    """Changes when the dependencies or the checkout (editable install target) change."""
    content = PYPROJECT.read_bytes() + LOCK.read_bytes() + str(ROOT).encode()
    content += INSTALL_RECIPE.encode()
    return hashlib.sha256(content).hexdigest()


def setup(_args: list[str] | None = None) -> int:
    """Create .venv (or use the active venv), install the locked dependencies and axe-core."""
    python = ensure_venv()
    ensure_axe()
    stamp = venv_dir() / STAMP_NAME
    wanted = install_hash()
    if stamp.exists() and stamp.read_text().strip() == wanted:
        print(f"environment up to date ({python})")
        return 0
    if run([python, "-m", "pip", "install", "--quiet", "uv"]) == 0:
        uv_pip = [python, "-m", "uv", "pip"]
        rc = run([*uv_pip, "install", "--python", python, "-c", LOCK, "-e", ".[dev]"])
    else:
        print("installing uv failed; falling back to plain pip", flush=True)
        rc = run([python, "-m", "pip", "install", "-c", LOCK, "-e", ".[dev]"])
    if rc == 0:
        compile_bytecode(python)
        stamp.write_text(wanted + "\n")
    return rc


def axe_path() -> Path:
    """Where setup puts axe-core's script (tests/test_site_browser.py looks here)."""
    return venv_dir() / "share" / "axe-core" / "axe.min.js"


def ensure_axe() -> bool:
    """Download axe-core's axe.min.js (pinned, sha512-checked) unless it is there already.

    Never fails setup: without network, it says what is missing and what needs it.
    """
    target = axe_path()
    stamp = target.with_name("axe-core.stamp")
    if target.is_file() and stamp.is_file():
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        if stamp.read_text().split() == [AXE_VERSION, AXE_INTEGRITY, digest]:
            return True
    print(f"+ downloading axe-core {AXE_VERSION} from the npm registry", flush=True)
    try:
        with urllib.request.urlopen(AXE_URL, timeout=60) as response:
            tarball = response.read()
    except (urllib.error.URLError, OSError) as err:
        print(
            f"could not download axe-core {AXE_VERSION} ({AXE_URL}): {err}.\n"
            "Everything else is set up; only the browser test's accessibility checks need it. "
            "Run `python3 tasks.py setup` again when the npm registry can be reached.",
            flush=True,
        )
        return False
    algorithm, _, expected = AXE_INTEGRITY.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode()
    if actual != expected:
        print(f"axe-core download rejected: its {algorithm} is not the pinned one", flush=True)
        return False
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        member = archive.extractfile("package/axe.min.js")
        script = member.read() if member else b""
    if not script:
        print("axe-core download rejected: no package/axe.min.js in the tarball", flush=True)
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(script)
    partial.replace(target)
    digest = hashlib.sha256(script).hexdigest()
    stamp.write_text(f"{AXE_VERSION} {AXE_INTEGRITY} {digest}\n")
    print(f"axe-core {AXE_VERSION} installed in {target}", flush=True)
    return True


def compile_bytecode(python: Path) -> None:
    """Write .pyc files for the installed packages and ours, once per install.

    Where PYTHONDONTWRITEBYTECODE is set (it is on our CI machines) and the installer did not
    compile (uv does not by default), every kernel start would recompile pandas, scipy and
    matplotlib from source: about 10 s per notebook instead of 3 s. Failures are harmless
    (a file that does not compile is simply imported from source), so they are not fatal.
    """
    where = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    print("+ compiling bytecode (once per install)", flush=True)
    cmd = [str(python), "-m", "compileall", "-q", "-j0", where, str(ROOT / "tees_analysis")]
    subprocess.run(cmd, cwd=ROOT, env=CHILD_ENV, check=False, stdout=subprocess.DEVNULL)


def run_all(args: list[str]) -> int:
    """Set up, then execute all notebooks and write the figures and the audit table."""
    rc = setup()
    return rc or run([venv_python(), "-m", "tees_analysis.run_all", *args])


def site(args: list[str]) -> int:
    """Set up, then render the notebooks and documents as a static site in reports/site/."""
    rc = setup()
    return rc or run([venv_python(), "-m", "tees_analysis.report.site", *args])


def test(args: list[str]) -> int:
    """Set up, then ruff check, ruff format --check and pytest (extra args go to pytest)."""
    rc = setup()
    if rc:
        return rc
    python = venv_python()
    ruff = [python, "-m", "ruff"]
    for cmd in ([*ruff, "check", "."], [*ruff, "format", "--check", "."]):
        rc = run(cmd)
        if rc:
            print(f"FAILED: ruff exited with {rc}; `python3 tasks.py lint-fix` fixes most of it")
            return rc
    rc = run([python, "-m", "pytest", *parallel(args), *args])
    if rc == 5:
        print("FAILED: pytest collected no tests (exit 5); a test run must run tests")
        return 1
    if rc:
        print(f"FAILED: pytest exited with {rc}")
    return rc


def parallel(args: list[str]) -> list[str]:
    """pytest-xdist options: up to 4 workers, one notebook or test module per worker.

    nbval needs --dist loadscope (a notebook's cells share one kernel, so they must run in
    order on one worker). Measured on 2 cores: 124 s in one process, 91 s with two workers
    (benchmarks/RESULTS.md). Pass -n yourself to override, or -n 0 for one process.
    """
    if any(a.startswith(("-n", "--numprocesses")) for a in args):
        return []
    workers = min(os.cpu_count() or 1, 4)
    # --no-loadscope-reorder: modules in collection order, the longest first (tests/conftest.py)
    if workers == 1:
        return []
    return ["-n", str(workers), "--dist", "loadscope", "--no-loadscope-reorder"]


BENCHMARKS = [
    "bench_reconstruct.py",
    "bench_identified.py",
    "bench_scale.py",
    "bench_export.py",
    "bench_collection.py",
    "bench_validate.py",
    "bench_tests.py",
]


def bench(args: list[str]) -> int:
    """Set up, run the benchmarks (all, or those named) and write benchmarks/RESULTS.md."""
    rc = setup()
    if rc:
        return rc
    python = venv_python()
    for script in BENCHMARKS:
        if not args or any(a in script for a in args):
            rc = run([python, ROOT / "benchmarks" / script])
            if rc:
                return rc
    return run([python, ROOT / "benchmarks" / "report.py"])


def lint_fix(_args: list[str]) -> int:
    """Apply ruff's automatic fixes and format the code and notebooks."""
    python = venv_python()
    return (
        setup()
        or run([python, "-m", "ruff", "check", "--fix", "."])
        or run([python, "-m", "ruff", "format", "."])
    )


def lock(args: list[str]) -> int:
    """Regenerate requirements/lock.txt with uv (extra args go to uv, e.g. --upgrade)."""
    python = ensure_venv()
    rc = run([python, "-m", "pip", "install", "--quiet", "uv"])
    return rc or run([python, "-m", "uv", *LOCK_CMD.split(), *args])


def clean(_args: list[str]) -> int:
    """Remove .venv, caches and build artefacts (never data/ or figures)."""
    targets = [LOCAL_VENV, ROOT / "build", ROOT / "dist", ROOT / ".pytest_cache"]
    targets += [ROOT / ".ruff_cache", *ROOT.glob("*.egg-info")]
    for sub in ("tees_analysis", "tests", "notebooks"):
        targets += (ROOT / sub).rglob("__pycache__")
        targets += (ROOT / sub).rglob(".ipynb_checkpoints")
    for path in targets:
        if path.is_dir():
            print(f"removing {path.relative_to(ROOT)}")
            shutil.rmtree(path)
    return 0


def show_help(_args: list[str] | None = None) -> int:
    """Show this list of commands."""
    print("usage: python3 tasks.py <command> [args...]\n\ncommands:")
    for name, func in COMMANDS.items():
        print(f"  {name:<10} {(func.__doc__ or '').strip().splitlines()[0]}")
    return 0


COMMANDS = {
    "setup": setup,
    "run": run_all,
    "site": site,
    "test": test,
    "bench": bench,
    "lint-fix": lint_fix,
    "lock": lock,
    "clean": clean,
    "help": show_help,
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        return show_help()
    func = COMMANDS.get(argv[0])
    if func is None:
        print(f"unknown command: {argv[0]}\n", file=sys.stderr)
        show_help()
        return 2
    return func(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

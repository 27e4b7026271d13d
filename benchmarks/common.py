"""What every benchmark script shares: writing its record to ``benchmarks/results/``."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def cpu() -> str:
    """The processor's model name (Linux), else what the platform says."""
    try:
        return next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def rounded(value, digits: int):
    """``value`` with every float in it (through nested dicts) rounded to ``digits`` places."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    return value


def save_record(name: str, record: dict) -> Path:
    """Write ``record`` to ``results/<name>.json`` (what ``report.py`` reads) and say so.

    The record gets the processor it ran on (``cpu``, ``cores``), so that the report names the
    machine of each result rather than the machine that writes the report.
    """
    record = {"cpu": cpu(), "cores": os.cpu_count(), **record}
    path = RESULTS / f"{name}.json"
    RESULTS.mkdir(exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n")
    print(f"recorded in {path.relative_to(RESULTS.parent.parent)}")
    return path

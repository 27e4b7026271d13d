"""What every benchmark script shares: writing its record to ``benchmarks/results/``."""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def save_record(name: str, record: dict) -> Path:
    """Write ``record`` to ``results/<name>.json`` (what ``report.py`` reads) and say so."""
    path = RESULTS / f"{name}.json"
    RESULTS.mkdir(exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n")
    print(f"recorded in {path.relative_to(RESULTS.parent.parent)}")
    return path

"""Write ``benchmarks/RESULTS.md`` from the latest ``benchmarks/results/*.json``.

Run ``python benchmarks/report.py`` (``python3 tasks.py bench`` runs every benchmark, then this).
Each section states its target and whether the latest run met it; nothing here measures.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).parent
RESULTS = HERE / "results"
OUT = HERE / "RESULTS.md"
PACKAGES = ["numpy", "pandas", "scipy", "statsmodels", "matplotlib", "seaborn", "nbclient"]


def gap(name: str) -> list[str]:
    """The hand-written explanation of a missed target (``gaps.md``, section ``## name``)."""
    text = (HERE / "gaps.md").read_text(encoding="utf-8")
    sections = {}
    for block in text.split("\n## ")[1:]:
        title, _, body = block.partition("\n")
        sections[title.strip()] = body.strip()
    body = sections.get(name)
    return ["", f"Why the target is missed (`benchmarks/gaps.md`): {body}"] if body else []


def load(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def met_target(record: dict) -> bool | None:
    """Whether a benchmark's latest run met its target(s), from its record."""
    met = record.get("met")
    if isinstance(met, dict):  # several targets: all of them
        return met.get("all")
    if met is None and "median_seconds" in record:  # the reconstruction's record
        return record["median_seconds"]["total"] <= record["target_seconds"]
    return met


def verdict(met: bool | None) -> str:
    return {True: "**met**", False: "**missed**", None: "not run"}[met]


def machine() -> list[str]:
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    records = [load(name) for name in NAMES]
    cpus = sorted({r["cpu"] for r in records if r and r.get("cpu")})
    cpu = " / ".join(cpus) or "not recorded (results older than the machine field)"
    return [
        f"- Machine(s) of the results: {cpu}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.machine()}",
        f"- Python {sys.version.split()[0]}; " + ", ".join(versions),
        "- Shared machine: absolute times vary from run to run; the ratios to a floor measured "
        "in the same run are the figures to compare.",
    ]


def collection(r: dict) -> list[str]:
    lines = [
        "## 1. Whole collection (README's main job) against its floor",
        "",
        f"Target: main job <= {r['target_ratio']} x floor. Latest: {verdict(r['met'])}.",
        "",
        "| measure | median of runs |",
        "|---|---|",
        f"| main job, `python3 tasks.py run` ({r['jobs']} notebooks at a time) | "
        f"{r['main_job_s']:.1f} s |",
        f"| floor: each notebook's imports in a fresh kernel, run the same way | "
        f"{r['floor_s']:.1f} s |",
        f"| **ratio** | **{r['ratio']:.2f}** |",
        "",
        f"Medians of {r['runs']} runs (main job: {', '.join(map(str, r['main_job_runs_s']))} s; "
        f"floor: {', '.join(map(str, r['floor_runs_s']))} s).",
        "",
        f"Where the rest goes: each notebook alone against its own floor "
        f"({r['detail_runs']} run{'s' if r['detail_runs'] != 1 else ''}; sum "
        f"{r['alone_notebooks_s']:.1f} s against {r['alone_floor_s']:.1f} s):",
        "",
        "| notebook | floor s | run s | excess s | slowest cells (s) |",
        "|---|---|---|---|---|",
    ]
    for name, row in r["per_notebook"].items():
        cells = "; ".join(
            f"{c['cell']}: `{c['first_line']}` {c['median_s']:.2f}" for c in row["slowest_cells"]
        )
        lines.append(
            f"| {name} | {row['floor_s']:.2f} | {row['notebook_s']:.2f} | "
            f"{row['excess_s']:.2f} | {cells} |"
        )
    return lines


def _ms(seconds) -> str:
    return "–" if seconds is None else f"{1000 * seconds:,.1f} ms"


def scale(r: dict) -> list[str]:
    met = r.get("met", {})
    lines = [
        "## 2. National scale: figure and co-occurrence tables on synthetic data",
        "",
        f"Synthetic children in reviews of 1-4, {len(r['factors'])} binary factors, grouped by "
        f"{', '.join(r['by'])} (`tees_analysis.analysis.synthetic.synthetic`, seed {r['seed']}). "
        f"Targets at "
        f"1,000,000 children: <= {r['target_seconds']:.0f} s ({verdict(met.get('seconds'))}) "
        f"and <= {r['target_ratio']:.0f} x a `np.bincount` over the same bit-packed factor "
        f"codes ({verdict(met.get('ratio'))}). Medians of {r['runs']} runs.",
        "",
        "| children | reviews | ours | packing | bincounts | tables | floor | ratio "
        "| project's pandas functions |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size in r["sizes"].values():
        parts = size["ours_parts_median_seconds"]
        lines.append(
            f"| {size['n_children']:,} | {size['n_reviews']:,} | "
            f"{_ms(size['ours_median_seconds'])} | {_ms(parts['packing'])} | "
            f"{_ms(parts['bincount'])} | {_ms(parts['derivation'])} | "
            f"{_ms(size['floor_median_seconds'])} | **{size['ratio']:.2f}** | "
            f"{_ms(size.get('existing_median_seconds'))} |"
        )
    growth = r.get("growth_exponent", {})
    if growth:
        lines += [
            "",
            "Growth (exponent b in time ~ n^b between sizes): "
            + "; ".join(
                f"{who} " + ", ".join(f"{k}: {v}" for k, v in steps.items())
                for who, steps in growth.items()
            )
            + ".",
        ]
    if r.get("note"):
        lines += ["", r["note"]]
    return lines


def reconstruct(r: dict) -> list[str]:
    med = r["median_seconds"]
    met = met_target(r)
    return [
        "## 3. Reconstruction: integer programs, conflict sets and bounds",
        "",
        f"Target: <= {r['target_seconds']:.0f} s in total. Latest: {verdict(met)} "
        f"(median of {r['runs']} runs, HiGHS with {r['threads']} threads).",
        "",
        "| part | median s |",
        "|---|---|",
        *(f"| {part} | {seconds:.2f} |" for part, seconds in med.items()),
    ]


def identified(r: dict) -> list[str]:
    med = r["median_seconds"]
    met = met_target(r)
    return [
        "## 4. Identified set: every consistent trio table and every statistic over it",
        "",
        f"Target: <= {r['target_seconds']:.0f} s in total. Latest: {verdict(met)} "
        f"(median of {r['runs']} runs, {r['threads']} threads; {r['programs']} integer "
        f"programs, {r['set_over_floor']} x the time of as many bare feasibility solves).",
        "",
        "| part | median s |",
        "|---|---|",
        *(f"| {part} | {seconds:.2f} |" for part, seconds in med.items()),
    ]


def validate(r: dict) -> list[str]:
    lines = [
        "## 7. `validate` of a national-scale collection",
        "",
        f"{r['n_children']:,} children in {next(iter(r['formats'].values()))['reviews']:,} "
        "reviews, typed as analysts type (synonyms, Y/n/blank), every row valid. Targets on 2 "
        "cores: "
        + ", ".join(f"{fmt} <= {f['target_seconds']:.0f} s" for fmt, f in r["formats"].items())
        + f". Latest: {verdict(met_target(r))} (median of {r['runs']} runs; "
        f"`{r['command']}`).",
        "",
        "| files | validate s | floor s | ratio | peak MB | target |",
        "|---|---|---|---|---|---|",
    ]
    for fmt, f in r["formats"].items():
        lines.append(
            f"| {fmt} ({', '.join(f['files'])}) | {f['validate_median_seconds']:.2f} | "
            f"{f['floor_median_seconds']:.2f} | **{f['ratio']:.1f}** | "
            f"{f['peak_memory_mb']:.0f} | <= {f['target_seconds']:.0f} s: "
            f"{verdict(f['met'])} |"
        )
    return [
        *lines,
        "",
        "The floor reads the same files and does nothing else: `pandas.read_csv` of the text "
        "for CSV; for the workbook, unzipping each sheet and parsing its XML with expat and no "
        "handler. `validate` also types and checks every cell, checks every rule across rows "
        "and tables and builds the tables (see `bench_validate.py`).",
    ]


def tests(r: dict) -> list[str]:
    return [
        "## 5. Test suite (README's test command)",
        "",
        f"Target: <= {r['target_s']:.0f} s on 2 cores. Latest: {verdict(r['met'])} — median "
        f"{r['median_s']:.1f} s of {r['runs']} runs ({', '.join(map(str, r['runs_s']))} s) of "
        f"`{r['command']}` on {r['cores']} cores.",
    ]


def export(r: dict) -> list[str]:
    met = r["met"]
    lines = [
        "## 6. Publication tables: `export --suppress` as the dataset gains years",
        "",
        f"Targets: the command on `data/raw` <= {r['target_command_s']:.0f} s "
        f"({verdict(met['command'])}: median {r['command_s']:.2f} s of {r['runs']} runs, "
        f"{', '.join(map(str, r['command_runs_s']))} s, a fresh process with its imports); "
        f"the suppressed table of 20 years <= {r['target_20_years_s']:.0f} s "
        f"({verdict(met['20_years'])}).",
        "",
        "| years | reviews | children | suppressed s | floor (unsuppressed) s |",
        "|---|---|---|---|---|",
    ]
    for years, row in r["sizes"].items():
        lines.append(
            f"| {years} | {row['reviews']} | {row['children']} | {row['suppressed_s']:.2f} | "
            f"{row['floor_s']:.3f} |"
        )
    growth = ", ".join(f"{k}: {v}" for k, v in r["growth_exponent"].items())
    lines += [
        "",
        f"Growth (exponent b in time ~ years^b between sizes): {growth}. Medians of "
        f"{r['runs']} runs from an empty cache; datasets drawn from `data/raw` (2 to 6 reviews "
        "a year).",
    ]
    return lines


SECTIONS = {
    "collection": collection,
    "scale": scale,
    "reconstruct": reconstruct,
    "identified": identified,
    "tests": tests,
    "export": export,
    "validate": validate,
}
NAMES = tuple(SECTIONS)


def main() -> Path:
    lines = [
        "# Benchmark results",
        "",
        "Written by `python3 tasks.py bench` (`benchmarks/report.py`); do not edit by hand.",
        "",
        *machine(),
        "",
    ]
    for name, section in SECTIONS.items():
        record = load(name)
        if record is None:
            lines += [f"## {name}", "", f"not run (no `results/{name}.json`).", ""]
            continue
        lines += section(record)
        if met_target(record) is False:
            lines += gap(name)
        lines.append("")
    OUT.write_text("\n".join(lines).rstrip("\n") + "\n")
    print(f"wrote {OUT.relative_to(HERE.parent)}")
    return OUT


if __name__ == "__main__":
    main()

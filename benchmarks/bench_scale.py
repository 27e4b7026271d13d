"""Benchmark of the counting engine (:mod:`tees_analysis.analysis.scale`) on synthetic data.

Run ``python benchmarks/bench_scale.py [runs]`` (default 5 runs). For 10,000, 100,000 and
1,000,000 synthetic children (10 yes/no factors, reviews of 1-4 children, 150 partnerships;
:func:`tees_analysis.analysis.synthetic.synthetic` with its fixed seed; generation is not
timed) it takes the median over the runs of:

* ``ours`` -- :func:`tees_analysis.analysis.scale.analyse`: packing children and reviews, the two
  ``bincount`` calls, and deriving every table (category counts with denominators for every
  partnership, theme counts of reviews and children, the 1,024 combinations per partnership,
  the toxic-trio tables, all pairwise counts with Jaccard and P(B | A) for every partnership,
  the pairwise matrices), split into packing, bincount and derivation;
* ``floor`` -- ``np.bincount`` alone over the same packed child codes with the same number of
  bins (the codes are packed once, outside the timing), measured in the same run just before
  ``ours``;
* ``existing`` (10,000 and 100,000 children only; median of 2 runs, as a comparison rather than
  a target) -- the project's pandas functions on the same
  data: :func:`~tees_analysis.published.measures.compute_figures` on the same kinds of figure
  for every partnership (:func:`~tees_analysis.analysis.scale.national_definitions`),
  :func:`~tees_analysis.analysis.cooccurrence.tables_by` for all 10 factors and for the toxic
  trio, and
  :func:`~tees_analysis.analysis.cooccurrence.pairwise` and ``pairwise_matrices`` for everyone. The
  existing pairwise functions are not run per partnership (one table takes the time recorded as
  ``existing_pairwise_one_table_seconds``; ours does all of them).

It reports the ratio ours / floor, the growth exponent between sizes (``log(t2 / t1) /
log(n2 / n1)``: 1 = linear in the number of children), peak memory of one run of ours
(``tracemalloc``, untimed), and checks once per size that ours and the existing functions give
the same figures and tables. Targets at 1,000,000 children: at most 1 s and at most 3 x floor.
Results go to ``benchmarks/results/scale.json``.
"""

from __future__ import annotations

import itertools
import math
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
from common import rounded, save_record

from tees_analysis.analysis import cooccurrence, scale, synthetic
from tees_analysis.analysis.tables import chosen_readings
from tees_analysis.data.schema import TOXIC_TRIO
from tees_analysis.published import measures
from tees_analysis.published.rules import load_rules

SIZES = (10_000, 100_000, 1_000_000)
#: Largest size at which the existing pandas functions are timed.
EXISTING_UP_TO = 100_000
#: Runs of the existing functions: a comparison, not a target, and about 10 s a run at 100,000
#: children; two keep ``python3 tasks.py bench`` within its ten minutes.
EXISTING_RUNS = 2
N_FACTORS = 10
FACTORS = tuple(spec.name for spec in synthetic.FACTOR_SPECS[:N_FACTORS])
BY = ("partnership", "outcome", "age_band")
TARGET_SECONDS = 1.0
#: The steps of :func:`tees_analysis.analysis.scale.analyse` recorded one by one.
STEPS = ("packing_children", "packing_reviews", "bincount_children", "bincount_reviews",
         "derivation")  # fmt: skip
TARGET_RATIO = 3.0


def _timed(function):
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def floor_once(codes: np.ndarray, n_bins: int) -> float:
    """Seconds for the bare ``np.bincount`` over already packed codes."""
    return _timed(lambda: np.bincount(codes, minlength=n_bins))[0]


def ours_once(dataset) -> dict[str, float]:
    """Seconds for the whole engine, by part."""
    return dict(scale.analyse(dataset, FACTORS, BY).timings)


def existing_once(dataset, rules, readings, definitions) -> dict[str, float]:
    """Seconds for the existing pandas functions on the same data, by part."""
    children = dataset.children
    figures, _ = _timed(lambda: measures.compute_figures(dataset, rules, readings, definitions))

    def cooccurrence_tables():
        combos = cooccurrence.tables_by(children, "partnership", FACTORS)
        cooccurrence.tables_by(children, "partnership", TOXIC_TRIO)
        everyone = combos["Tees"]
        cooccurrence.pairwise(everyone)
        cooccurrence.pairwise_matrices(everyone)

    tables, _ = _timed(cooccurrence_tables)
    return {"figures": figures, "cooccurrence": tables, "total": figures + tables}


def agrees(dataset, rules, readings, definitions) -> bool:
    """Whether the engine's figures and tables equal the existing functions' (untimed)."""
    analysis = scale.analyse(dataset, FACTORS, BY)
    ours = scale.figure_table(analysis, rules, readings, definitions)
    theirs = measures.compute_figures(dataset, rules, readings, definitions)
    combos = cooccurrence.tables_by(dataset.children, "partnership", FACTORS)
    trio = cooccurrence.tables_by(dataset.children, "partnership", TOXIC_TRIO)
    try:
        pd.testing.assert_frame_equal(ours, theirs)
        pd.testing.assert_frame_equal(analysis.combinations[combos.columns], combos)
        pd.testing.assert_frame_equal(analysis.trio[trio.columns], trio)
        pd.testing.assert_frame_equal(
            scale.pairwise(analysis.counts), cooccurrence.pairwise(combos["Tees"])
        )
    except AssertionError:
        return False
    return True


def peak_memory_mb(function) -> float:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def median_parts(samples: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(s[key] for s in samples) for key in samples[0]}


def growth(sizes, seconds) -> dict[str, float]:
    """``log(t2 / t1) / log(n2 / n1)`` between consecutive sizes."""
    points = list(zip(sizes, seconds, strict=True))
    return {
        f"{n1}->{n2}": round(math.log(t2 / t1) / math.log(n2 / n1), 2)
        for (n1, t1), (n2, t2) in itertools.pairwise(points)
        if t1 and t2
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def bench_size(n: int, runs: int, rules, readings) -> dict:
    dataset = synthetic.synthetic(n, N_FACTORS)
    packed = scale.pack(dataset.children, FACTORS, BY)
    reviews = scale.pack_reviews(dataset.reviews)
    review_bins = math.prod(reviews.shape)
    scale.analyse(dataset, FACTORS, BY)  # warm-up (imports, caches)
    floor_samples, review_floor_samples, ours_samples = [], [], []
    for _ in range(runs):
        floor_samples.append(floor_once(packed.codes, packed.n_bins))
        review_floor_samples.append(floor_once(reviews.codes, review_bins))
        ours_samples.append(ours_once(dataset))
    floor = statistics.median(floor_samples)
    review_floor = statistics.median(review_floor_samples)
    ours = median_parts(ours_samples)
    ratios = [o["total"] / f for o, f in zip(ours_samples, floor_samples, strict=True)]
    record = {
        "n_children": n,
        "n_reviews": len(dataset.reviews),
        "n_partnerships": int(dataset.children["partnership"].nunique()),
        "n_bins": packed.n_bins,
        "n_review_bins": review_bins,
        "ours_median_seconds": ours["total"],
        "ours_parts_median_seconds": {k: ours[k] for k in ("packing", "bincount", "derivation")},
        "ours_steps_median_seconds": {k: ours[k] for k in STEPS},
        "floor_median_seconds": floor,
        "ratio": ours["total"] / floor,
        "ratio_median_per_run": statistics.median(ratios),
        "floor_reviews_median_seconds": review_floor,
        "ratio_to_both_floors": ours["total"] / (floor + review_floor),
        "ours_peak_memory_mb": peak_memory_mb(lambda: scale.analyse(dataset, FACTORS, BY)),
        "floor_peak_memory_mb": peak_memory_mb(
            lambda: np.bincount(packed.codes, minlength=packed.n_bins)
        ),
    }
    if n <= EXISTING_UP_TO:
        definitions = scale.national_definitions(dataset, rules)
        existing = median_parts(
            [
                existing_once(dataset, rules, readings, definitions)
                for _ in range(min(runs, EXISTING_RUNS))
            ]
        )
        table = cooccurrence.tables_by(dataset.children, "partnership", FACTORS)["Tees"]
        record["existing_definitions"] = len(definitions)
        record["existing_median_seconds"] = existing["total"]
        record["existing_parts_median_seconds"] = {
            k: existing[k] for k in ("figures", "cooccurrence")
        }
        record["existing_pairwise_one_table_seconds"] = _timed(
            lambda: cooccurrence.pairwise(table)
        )[0]
        record["speedup_vs_existing"] = existing["total"] / ours["total"]
        record["agrees_with_existing"] = agrees(dataset, rules, readings, definitions)
    else:
        record["existing_median_seconds"] = None
    return record


def _existing_note(records: list[dict]) -> str:
    """Why the existing functions are not timed at the largest size."""
    timed = [r for r in records if r["existing_median_seconds"]]
    last = timed[-1]
    parts = last["existing_parts_median_seconds"]
    exponent = list(
        growth(
            [r["n_children"] for r in timed], [r["existing_median_seconds"] for r in timed]
        ).values()
    )[-1]
    estimate = last["existing_median_seconds"] * (SIZES[-1] / last["n_children"]) ** exponent
    return (
        f"not timed above {EXISTING_UP_TO:,} children: at {last['n_children']:,} they took "
        f"{last['existing_median_seconds']:.1f} s a run (figures {parts['figures']:.1f} s: "
        "one pass over the whole children table per figure definition; co-occurrence "
        f"{parts['cooccurrence']:.1f} s: tables_by filters the table once per partnership and "
        "walks the children in Python), and that time grows with the number of children "
        f"(growth exponent {exponent} between the sizes timed): about {estimate:.0f} s a run "
        f"at {SIZES[-1]:,} children if it keeps growing so, minutes for the runs"
    )


def main(runs: int = 5) -> dict:
    rules = load_rules()
    readings = rules.check_readings(chosen_readings(rules=rules))
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    results = [bench_size(n, runs, rules, readings) for n in SIZES]
    for r in results:
        if r["existing_median_seconds"] is None:
            r["existing_note"] = _existing_note(results)
    top = results[-1]
    met_seconds = top["ours_median_seconds"] <= TARGET_SECONDS
    met_ratio = top["ratio"] <= TARGET_RATIO
    record = {
        "benchmark": "scale: figure counts and co-occurrence tables on synthetic national data",
        "command": f"python benchmarks/bench_scale.py {runs}",
        "machine": platform.machine(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "load_average_at_start": list(load_before) if load_before else None,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "runs": runs,
        "factors": list(FACTORS),
        "by": list(BY),
        "seed": synthetic.SEED,
        "target_seconds": TARGET_SECONDS,
        "target_ratio": TARGET_RATIO,
        "sizes": {str(r["n_children"]): r for r in results},
        "growth_exponent": {
            "ours": growth(SIZES, [r["ours_median_seconds"] for r in results]),
            "floor": growth(SIZES, [r["floor_median_seconds"] for r in results]),
            "existing": growth(
                [r["n_children"] for r in results if r["existing_median_seconds"]],
                [r["existing_median_seconds"] for r in results if r["existing_median_seconds"]],
            ),
        },
        "met": {
            "seconds": met_seconds,
            "ratio": met_ratio,
            "all": met_seconds and met_ratio,
        },
    }
    record["note"] = note(record)
    _print(record)
    save_record("scale", rounded(record, 6))
    return record


def note(record: dict) -> str:
    """What the numbers mean, with where the time beyond the floor goes at the largest size."""
    top = record["sizes"][str(SIZES[-1])]
    steps = {k: 1000 * v for k, v in top["ours_steps_median_seconds"].items()}
    floor = 1000 * top["floor_median_seconds"]
    text = (
        "Medians of wall-clock seconds on a shared machine (other jobs were running: see "
        "load_average_at_start), floor and ours measured alternately in each run. The floor "
        "is np.bincount alone over the child codes already packed; ours also packs the "
        "children, packs the reviews (one code per review: partnership, number of children, "
        "theme flags), runs a second bincount over the reviews and builds every table. "
        f"The count array has {top['n_bins']:,} bins (150 partnerships x 3 outcomes x 3 age "
        "bands x 1,024 combinations) at every size, so at 10,000 and 100,000 children the "
        "fixed cost of reading it and of building the pandas tables dominates and time grows "
        "far more slowly than n; at 100,000 to 1,000,000 children the growth exponent shows "
        "the part that depends on n. "
    )
    if record["met"]["all"]:
        return text + "Both targets are met at 1,000,000 children."
    beyond = (
        f"At {SIZES[-1]:,} children the floor took {floor:.1f} ms and ours "
        f"{1000 * top['ours_median_seconds']:.1f} ms: packing the children "
        f"{steps['packing_children']:.1f} ms (10 yes/no columns and 3 categorical columns "
        "read and combined, about 30 passes over 1 MB arrays), the reviews "
        f"{steps['packing_reviews']:.1f} ms to pack and {steps['bincount_reviews']:.1f} ms to "
        f"count ({top['n_reviews']:,} reviews), counting the children "
        f"{steps['bincount_children']:.1f} ms (the floor's work), and deriving every table "
        f"{steps['derivation']:.1f} ms (two passes over the {8 * top['n_bins'] / 2**20:.0f} MB "
        "count array, the superset transform, and eight small pandas DataFrames at roughly "
        "0.5 to 1.5 ms of fixed pandas overhead each). Profiling removed what was ours to "
        "remove (uint8 shifts, which numpy does not vectorise, replaced by multiplications; "
        "the group code built in the narrowest integer type; no copy of the review flags; a "
        "superset transform over contiguous rows; categorical instead of string columns); "
        "what is left are memory passes that the floor does not make and pandas construction. "
    )
    seconds = top["ours_median_seconds"]
    beyond += (
        f"The 1 s target is met ({seconds:.3f} s); "
        if record["met"]["seconds"]
        else f"The 1 s target is missed ({seconds:.3f} s); "
    )
    ratio = top["ratio"]
    if record["met"]["ratio"]:
        return text + beyond + f"the ratio, {ratio:.2f}, meets the 3x target."
    return (
        text
        + beyond
        + (
            f"the ratio target is missed: {ratio:.2f} x the child bincount "
            f"({top['ratio_to_both_floors']:.2f} x both bincounts, children and reviews)."
        )
    )


def _print(record: dict) -> None:
    print(f"scale benchmark: median of {record['runs']} runs ({record['cores']} cores)")
    header = (
        f"{'children':>10} {'ours s':>8} {'pack':>7} {'count':>7} {'derive':>7} "
        f"{'floor s':>8} {'ratio':>6} {'existing s':>11} {'speed-up':>9} {'peak MB':>8}"
    )
    print(header)
    for r in record["sizes"].values():
        parts = r["ours_parts_median_seconds"]
        existing = r["existing_median_seconds"]
        print(
            f"{r['n_children']:>10,} {r['ours_median_seconds']:>8.4f} {parts['packing']:>7.4f} "
            f"{parts['bincount']:>7.4f} {parts['derivation']:>7.4f} "
            f"{r['floor_median_seconds']:>8.4f} {r['ratio']:>6.2f} "
            + (f"{existing:>11.3f} {r['speedup_vs_existing']:>8.0f}x" if existing else
               f"{'skipped':>11} {'':>9}")
            + f" {r['ours_peak_memory_mb']:>8.1f}"
        )  # fmt: skip
    for what, values in record["growth_exponent"].items():
        text = ", ".join(f"{k}: {v}" for k, v in values.items())
        print(f"growth exponent ({what}): {text}")
    met = record["met"]
    print(
        f"at {SIZES[-1]:,} children: {'meets' if met['seconds'] else 'misses'} the "
        f"{TARGET_SECONDS:.0f} s target, {'meets' if met['ratio'] else 'misses'} the "
        f"{TARGET_RATIO:.0f}x floor target"
    )


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:2]])

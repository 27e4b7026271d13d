"""The reproduction audit: every published figure beside its recomputed value, with a verdict.

One row per row of ``data/published/figures.csv``. The recomputed figures come from
:func:`.tables.recompute` (counted from the cleaned case-level tables, no published value
used); this module is the separate step that sets the published values beside them and
says, in plain words, why each one does or does not match. The status is one of:

``exact``
    the recomputed value equals the published one (a percent rounded half up);
``rounding``
    a percent that differs only by the report's rounding adjustment: it fails under round half
    up, but the block's published percentages are each the exact percentage rounded down *or*
    up and add up to 100 ("forced to total 100",
    :func:`tees_analysis.published.measures.total_100_matches`);
``inconsistent in source``
    the report's own figures cannot all hold at once: the figure belongs to a minimal
    conflicting set of ``data/reconstruction/conflicts.csv`` whose other figures are all
    reproduced, so this one has to give way in any dataset that keeps them; the conflict ids
    and figures are named;
``not computable``
    there is nothing to count it from (no children or reviews in its population); the note
    says why;
``differs``
    only for case-level data other than the reconstruction: the values differ and no conflict
    of the source explains it.

:func:`headline` sums the table up in one sentence; :func:`write_audit` writes it to
``reports/audit.csv`` (deterministic: integers and text only).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd

from ..data import atomic, pipeline
from ..paths import ROOT
from ..published.figures import load_published
from ..published.measures import total_100_matches
from ..published.rules import Rules, load_rules
from . import tables

REPORTS = ROOT / "reports"
AUDIT_FILE = REPORTS / "audit.csv"
CONFLICTS_FILE = tables.RECONSTRUCTION / "conflicts.csv"
SATISFIED_FILE = tables.RECONSTRUCTION / "satisfied.csv"

EXACT, ROUNDING, INCONSISTENT = "exact", "rounding", "inconsistent in source"
NOT_COMPUTABLE, DIFFERS = "not computable", "differs"
STATUSES = (EXACT, ROUNDING, INCONSISTENT, NOT_COMPUTABLE, DIFFERS)
COLUMNS = [
    "figure_id",
    "partnership",
    "measure",
    "category",
    "unit",
    "published",
    "count",
    "denominator",
    "percent_half_up",
    "recomputed",
    "status",
    "conflicts",
    "note",
]
CONFLICT_COLUMNS = ["conflict", "failed_figure", "size", "figures", "explanation"]


def load_conflicts(path: Path | str = CONFLICTS_FILE) -> pd.DataFrame:
    """The minimal conflicting sets of published figures found by the reconstruction."""
    if not Path(path).is_file():
        return pd.DataFrame(columns=CONFLICT_COLUMNS)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _conflicts_of(conflicts: pd.DataFrame) -> dict[str, list[str]]:
    """Figure id -> ids of the conflicts whose figures include it."""
    found: dict[str, list[str]] = {}
    for row in conflicts.itertuples(index=False):
        for fid in row.figures.split():
            found.setdefault(fid, []).append(row.conflict)
    return found


def _total_100_blocks(table: pd.DataFrame, rules: Rules) -> set[str]:
    """Ids of percent figures in partition blocks whose published percents total 100 validly.

    A block is one partnership's published percents of one partition measure; children in none
    of its categories form one more, unpublished category that must round to 0%.
    """
    holds: set[str] = set()
    percent = table[(table["unit"] == "percent") & (table["denominator"] > 0)]
    for (partnership, name), block in percent.groupby(["partnership", "measure"], sort=False):
        if rules.measures[name].block_for(partnership).kind != "partition":
            continue
        n = int(block["denominator"].iloc[0])
        counts = [int(k) for k in block["count"]]
        printed = [int(p) for p in block["published"]]
        rest = n - sum(counts)
        if rest < 0:
            continue
        if rest:
            counts, printed = [*counts, rest], [*printed, 0]
        if total_100_matches(counts, printed):
            holds.update(block["figure_id"])
    return holds


def audit_table(
    figures: pd.DataFrame,
    rules: Rules | None = None,
    published: pd.DataFrame | None = None,
    conflicts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per published figure: published and recomputed values, status and a note.

    ``figures`` is :func:`.tables.recompute`'s table. ``published`` defaults to
    ``data/published/figures.csv`` and ``conflicts`` to ``data/reconstruction/conflicts.csv``.
    """
    rules = load_rules() if rules is None else rules
    published = load_published() if published is None else published
    conflicts = load_conflicts() if conflicts is None else conflicts
    table = published[["figure_id", "partnership", "measure", "category", "unit", "value"]].merge(
        figures[["figure_id", "partnership_counted", "count", "denominator", "percent_half_up"]]
        .assign(recomputed=figures["value"], counts=figures["counts"])
        .rename(columns={"partnership_counted": "counted"}),
        on="figure_id",
        how="left",
        validate="one_to_one",
    )
    table = table.rename(columns={"value": "published"})
    for column in ("published", "count", "denominator", "percent_half_up", "recomputed"):
        table[column] = table[column].astype("Int64")
    rounding_ok = _total_100_blocks(table.assign(partnership=table["counted"]), rules)
    in_conflicts = _conflicts_of(conflicts)
    explained = conflicts.set_index("conflict")
    matched = set(table.loc[(table["recomputed"] == table["published"]).fillna(False), "figure_id"])
    statuses, notes, named = [], [], []
    for row in table.to_dict("records"):
        fid = row["figure_id"]
        ids = in_conflicts.get(fid, [])
        # A conflict explains a miss when every other figure of it is reproduced: then one of
        # its figures has to give way, and this is the one.
        forcing = [c for c in ids if set(explained.loc[c, "figures"].split()) - {fid} <= matched]
        status, note = _verdict(row, fid in rounding_ok, ids, forcing, explained)
        statuses.append(status)
        notes.append(note)
        named.append(" ".join(ids))
    table["status"] = statuses
    table["conflicts"] = named
    table["note"] = notes
    table["partnership"] = table["counted"].fillna(table["partnership"])
    return table[COLUMNS]


def _what(row) -> str:
    k, n, counts = int(row["count"]), int(row["denominator"]), row["counts"]
    if row["unit"] == "count":
        return f"{k} of {n} {counts}"
    exact = 100 * k / n
    return f"{k} of {n} {counts} = {exact:.1f}%, which rounds half up to {row['percent_half_up']}%"


def _verdict(
    row, total_100: bool, ids: list[str], forcing: list[str], explained: pd.DataFrame
) -> tuple[str, str]:
    """The status of one audit row and its note in plain words."""
    if pd.isna(row["denominator"]) or row["denominator"] == 0:
        who = row["counted"] if pd.notna(row["counted"]) else row["partnership"]
        return NOT_COMPUTABLE, (
            f"Not computable: the data hold no {row.get('counts') or 'cases'} of {who} "
            "in this figure's population, so there is nothing to count."
        )
    printed = tables.fmt_published(row["published"], row["unit"])
    what = _what(row)
    if row["recomputed"] == row["published"]:
        note = f"Reproduced: {what}, as published ({printed})."
        if ids:
            note += (
                f" It belongs to conflict {', '.join(ids)}: those figures cannot all hold, so "
                "another figure of the conflict is not reproduced."
            )
        return EXACT, note
    if total_100:
        return ROUNDING, (
            f"{what}, not the published {printed}. The block's published percentages each "
            "round the exact percentage down or up and add up to 100: the report adjusted its "
            "rounding so the block totals 100%, which moves this figure by one point."
            + (
                f" Under round half up it conflicts with another figure ({', '.join(ids)})."
                if ids
                else ""
            )
        )
    if forcing:
        reasons = " ".join(
            f"{cid} ({explained.loc[cid, 'figures'].replace(' ', ', ')}): "
            f"{explained.loc[cid, 'explanation']}"
            for cid in forcing
        )
        return INCONSISTENT, (
            f"{what}, not the published {printed}. The report's own figures cannot all hold "
            "together, so no dataset reproduces every one of them; here this is the one that "
            f"gives way. {reasons}"
        )
    return DIFFERS, (
        f"{what}, not the published {printed}; no conflict among the published figures "
        "explains the difference"
        + (
            f" (it belongs to {', '.join(ids)}, but other figures of those fail too)."
            if ids
            else "."
        )
    )


def build_audit(dataset=None, rules: Rules | None = None, readings=None) -> pd.DataFrame:
    """The audit of ``dataset`` (default: the case-level files of ``data/raw``)."""
    rules = load_rules() if rules is None else rules
    dataset = pipeline.load() if dataset is None else dataset
    return audit_table(tables.recompute(dataset, rules, readings), rules)


def status_counts(audit: pd.DataFrame) -> pd.DataFrame:
    """How many figures have each status, with their ids."""
    records = []
    for status in STATUSES:
        ids = list(audit.loc[audit["status"] == status, "figure_id"])
        if ids or status != DIFFERS:
            shown = "all the others" if status == EXACT and ids else " ".join(ids)
            records.append({"status": status, "figures": len(ids), "ids": shown})
    out = pd.DataFrame(records)
    total = {"status": "total", "figures": int(out["figures"].sum()), "ids": ""}
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def headline(audit: pd.DataFrame) -> str:
    """The audit in one sentence, e.g. '49 of 57 published figures reproduced exactly; ...'."""
    n = audit["status"].value_counts()
    parts = [f"{n.get(EXACT, 0)} of {len(audit)} published figures reproduced exactly"]
    if n.get(ROUNDING, 0):
        parts.append(f"{n[ROUNDING]} more differ only by rounding forced to total 100%")
    if n.get(INCONSISTENT, 0):
        parts.append(f"{n[INCONSISTENT]} are inconsistent in the source")
    if n.get(NOT_COMPUTABLE, 0):
        parts.append(f"{n[NOT_COMPUTABLE]} are not computable")
    if n.get(DIFFERS, 0):
        parts.append(f"{n[DIFFERS]} differ without an explanation in the source")
    return "; ".join(parts) + "."


def rounding_detail(audit: pd.DataFrame) -> pd.DataFrame:
    """Each block that holds a ``rounding`` figure: exact, half-up and published percents."""
    blocks = audit.loc[audit["status"] == ROUNDING, ["partnership", "measure"]].drop_duplicates()
    rows = audit.merge(blocks, on=["partnership", "measure"])
    rows = rows[rows["unit"] == "percent"]
    exact = 100 * rows["count"].astype(float) / rows["denominator"].astype(float)
    return pd.DataFrame(
        {
            "figure_id": rows["figure_id"],
            "partnership": rows["partnership"],
            "measure": rows["measure"],
            "category": rows["category"],
            "counted": [
                tables.fmt_count(k, n)
                for k, n in zip(rows["count"], rows["denominator"], strict=True)
            ],
            "exact %": [f"{x:.2f}" for x in exact],
            "half up": [f"{p}%" for p in rows["percent_half_up"]],
            "published": [f"{p}%" for p in rows["published"]],
            "status": rows["status"],
        }
    ).reset_index(drop=True)


def rounding_totals(audit: pd.DataFrame) -> pd.DataFrame:
    """For each block with a ``rounding`` figure: its half-up and published percents summed."""
    detail = audit[audit["unit"] == "percent"].merge(
        audit.loc[audit["status"] == ROUNDING, ["partnership", "measure"]].drop_duplicates(),
        on=["partnership", "measure"],
    )
    sums = detail.groupby(["partnership", "measure"], sort=False)[["percent_half_up", "published"]]
    out = sums.sum().reset_index()
    out.columns = ["partnership", "measure", "total half up", "total published"]
    out["children"] = list(
        detail.groupby(["partnership", "measure"], sort=False)["denominator"].first()
    )
    return out


def notes_text(audit: pd.DataFrame, width: int = 100) -> str:
    """The notes of every figure not reproduced exactly, wrapped for reading."""
    blocks = []
    for row in audit[audit["status"] != EXACT].itertuples(index=False):
        text = f"{row.figure_id} ({row.status}): {row.note}"
        blocks.append(textwrap.fill(text, width, subsequent_indent="    "))
    return "\n\n".join(blocks) if blocks else "Every figure is reproduced exactly."


def conflict_table(audit: pd.DataFrame, conflicts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The conflicts of the source, each with the status of the figure given up."""
    conflicts = load_conflicts() if conflicts is None else conflicts
    status = audit.set_index("figure_id")["status"]
    return pd.DataFrame(
        {
            "conflict": conflicts["conflict"],
            "figures that cannot all hold": conflicts["figures"].str.replace(" ", ", "),
            "figure given up": conflicts["failed_figure"],
            "its status": conflicts["failed_figure"].map(status),
            "why": conflicts["explanation"],
        }
    )


def to_csv_text(audit: pd.DataFrame) -> str:
    """The audit table as CSV text (``\\n`` line ends)."""
    return audit[COLUMNS].to_csv(index=False, lineterminator="\n")


def write_audit(audit: pd.DataFrame, path: Path | str = AUDIT_FILE) -> Path:
    """Write the audit table atomically to ``reports/audit.csv`` (or ``path``)."""
    return atomic.write_text(Path(path), to_csv_text(audit))

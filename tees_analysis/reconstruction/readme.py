"""The two generated READMEs of the reconstruction: ``data/raw`` and ``data/reconstruction``.

Both are rendered from a :class:`~.reconstruct.Reconstruction` (passed in, so this module
depends only on the plan): the read-only notice, the provenance of the reconstructed files,
the readings chosen, the fields no figure informs, the neutral construction rules, and the
method's results in tables.
"""

from __future__ import annotations

import pandas as pd

from ..data.schema import CHILDREN, NOT_RECORDED, RECONSTRUCTED
from .plan import (
    Dim,
)

# =========================================================================== READMEs

RAW_REVIEWS = "reconstructed_reviews.csv"
RAW_CHILDREN = "reconstructed_children.csv"


def _markdown(frame: pd.DataFrame) -> str:
    """A frame as a Markdown table (cells with ``|`` escaped)."""

    def cell(value) -> str:
        return "" if value is None or value is pd.NA else str(value).replace("|", "\\|")

    head = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _unpublished(result) -> list[str]:
    """Per partnership, the child fields no figure or reading says anything about."""
    plan, lines = result.model.plan, []
    for p in plan.partnerships:
        missing = [
            f.name
            for f in CHILDREN
            if f.name not in ("child_id", "review_id", "age_months")
            and p
            not in plan.dims.get(
                "under_2" if f.name == "age_band" else f.name, Dim("", "", {}, set())
            ).referenced
        ]
        lines.append(f"- {p}: {', '.join(f'`{m}`' for m in missing) or 'none'}")
    return lines


def _readings_lines(result) -> list[str]:
    lines = []
    for reading in result.rules.readings:
        option = reading.option(result.readings[reading.id])
        lines.append(f"- **{reading.id}** = `{option.id}`: {option.meaning}")
    return lines


def _construction_rules(result) -> list[str]:
    c = result.rules.construction
    first, last = c["years"]
    return [
        "- Which child sits in which review, and how the fields of different components are "
        "paired on one child: a fixed pseudo-random order (SHA-256 of a label), never the data.",
        f"- Review years: spread evenly over {first}-{last} in that order, with published review "
        f"types dealt out first in the order {', '.join(c['type_order'])}.",
        f"- Review type where the partnership's types are unpublished: `{NOT_RECORDED}`.",
        f"- Every review's `provenance` is `{RECONSTRUCTED}`: cleaning refuses to mix these "
        "rows with case records.",
        "- Identifiers: `ST-R01`... / `HS-C14`..., reviews numbered by year; no pseudonyms.",
        "- Children not counted as under 2: age band `not recorded`, age in months blank.",
        "- Fields the report does not publish for a partnership, and the themes without "
        "published counts: `not recorded` (never counted as yes).",
    ]


#: The tables written to ``data/reconstruction/`` and what each holds.
OUTPUT_FILES = (
    ("`satisfied.csv`", "every figure: published and reconstructed value, satisfied or not, "
     "and whether a failed percent holds under an alternative rounding"),
    ("`readings.csv`", "every option of every ambiguous reading, the others at their chosen "
     "option: how many figures can hold"),
    ("`denominators.csv`", "every block of percentages: the numbers of children that reproduce "
     "it, under each rounding rule"),
    ("`conflicts.csv`", "for each failed figure a minimal set of figures that cannot all hold, "
     "explained"),
    ("`bounds.csv`", "exact bounds of the toxic-trio co-occurrence over all consistent "
     "datasets, with witnesses, beside the Frechet bounds"),
    ("`trio_tables.csv`", "the identified set: every consistent DA x PMH x SM table of each "
     "partnership, with its number of labellings (written by `python -m "
     "tees_analysis.analysis.ranges`)"),
    ("`identified_set.csv`", "every co-occurrence statistic of notebook 06 over the identified "
     "set: range, the reconstruction's value, and the weighted mean and central 90% "
     "(same writer)"),
    ("`tees_measures.csv`, `outcome_margins.csv`", "the Tees shares of notebook 07 over every "
     "consistent dataset, and every consistent outcome margin (written by `python -m "
     "tees_analysis.analysis.national`)"),
)  # fmt: skip


def raw_readme(result) -> str:
    """``data/raw/README.md``: read-only notice and the provenance of the reconstructed files."""
    n_sat, n_all = len(result.satisfied_ids), len(result.figures)
    lines = [
        "# Raw case-level data — read-only",
        "",
        "Files here are inputs in the analyst layout (see `data/codebook.md`): a `reviews` table",
        "and a `children` table. **Code never modifies them**: `tees_analysis.data.atomic`",
        "refuses to write here and cleaning only reads. The one writer is the generator of the",
        "two reconstructed files below, `python -m tees_analysis.reconstruction`; a test checks",
        "that the committed files are byte for byte what it regenerates.",
        "",
        f"## `{RAW_REVIEWS}` and `{RAW_CHILDREN}`",
        "",
        "**These files are a reconstruction consistent with the published figures. They are NOT",
        "the partnerships' case records, and no row describes a real review or a real child.**",
        "No case-level data are public: the partnerships published aggregate figures only",
        "(`data/published/figures.csv`). The two files were computed from those figures by an",
        "exact integer program (`tees_analysis/reconstruction/`, counting rules in",
        "`data/config/counting_rules.toml`). The statement is here and in the file names",
        "(`reconstructed_…`) because a CSV file has no room for it without breaking its layout.",
        "",
        f"- {len(result.reviews)} reviews and {len(result.children)} children; {n_sat} of the",
        f"  {n_all} published figures hold exactly in them, and no dataset satisfies more (the",
        f"  other {n_all - n_sat} contradict satisfied figures: "
        "`data/reconstruction/conflicts.csv`).",
        "- Many other datasets satisfy the same figures. Anything the figures do not determine —",
        "  for instance how many children had two or all three of domestic abuse, parental mental",
        "  ill-health and substance misuse — comes from the neutral rules below and is not a",
        "  finding; `data/reconstruction/bounds.csv` gives its range over all consistent datasets.",
        "",
        "### Readings of the ambiguous figures",
        "",
        *_readings_lines(result),
        "",
        "### Fields no published figure informs (written `not recorded` or blank)",
        "",
        *_unpublished(result),
        "",
        "### Neutral construction rules",
        "",
        *_construction_rules(result),
        "",
        "The method, the readings compared, the conflicts and the bounds are described in",
        "`data/reconstruction/README.md`.",
        "",
    ]
    return "\n".join(lines)


def method_readme(result) -> str:
    """``data/reconstruction/README.md``: method, results and the tables written beside it."""
    satisfied = result.satisfied
    failed = satisfied.loc[~satisfied["satisfied"], "figure_id"].tolist()
    stages = pd.DataFrame(
        [(i + 3, name, f"{value:.3f}") for i, (name, value) in enumerate(result.stages)],
        columns=["stage", "objective (minimised)", "optimum"],
    )
    bounds = result.bounds.drop(columns=["witness_min", "witness_max"])
    only_alt = [
        f"`{row.figure_id}` ({rule})"
        for rule in result.rules.alternatives
        for row in satisfied.itertuples(index=False)
        if getattr(row, f"holds_{rule}") is True
    ]
    lines = [
        "# Reconstruction from the published figures",
        "",
        "Generated by `python -m tees_analysis.reconstruction` (do not edit by hand). The method",
        "is documented line by line in `tees_analysis/reconstruction/`; the counting rules are",
        "data in `data/config/counting_rules.toml`.",
        "",
        _markdown(pd.DataFrame(OUTPUT_FILES, columns=["file", "what"])),
        "",
        f"## Result: {len(result.satisfied_ids)} of {len(satisfied)} figures hold",
        "",
        f"Failed: {', '.join(f'`{f}`' for f in failed) or 'none'}.",
        "",
        "Figures that hold only under an alternative rounding (same partnership size, together",
        f"with every satisfied figure): {', '.join(only_alt) or 'none'}.",
        "",
        "## Readings",
        "",
        _markdown(result.readings_table.drop(columns=["question", "meaning"])),
        "",
        "Readings are chosen one at a time (coordinate ascent from the first-listed options) until",
        "none changes; ties go to the option listed first in the rules.",
        "",
        "## Conflicts",
        "",
        _markdown(result.conflicts[["conflict", "figures", "explanation"]]),
        "",
        "## Toxic-trio bounds",
        "",
        _markdown(bounds),
        "",
        "## Choosing one dataset among the optima",
        "",
        "Stages 1-2: most figures satisfied, earlier figures of `figures.csv` preferred. Then:",
        "",
        _markdown(stages),
        "",
    ]
    return "\n".join(lines)

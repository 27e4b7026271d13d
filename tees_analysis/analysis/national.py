"""National reference figures beside the Tees proportions (notebook 07).

``data/external/national_reference.csv`` holds figures from national sources -- serious incident
notifications (Ofsted, then the Department for Education), the Child Safeguarding Practice
Review Panel, Cafcass -- one row each with its source (title, publisher, year, address, place in
the source), value, denominator and definition, and whether it was read in the source itself
(``primary``) or in a summary that reports it (``secondary``). Only figures read in the text of
a source are there; ``data/external/README.md`` says what was searched and left out.

:func:`tees_measures` gives the Tees proportions that the published figures identify -- counts
and denominators from ``data/reconstruction/satisfied.csv`` for figures that hold, and for the
toxic-trio combinations the exact range over every consistent dataset
(``data/reconstruction/bounds.csv``) -- with 95% Wilson intervals. :func:`comparison` sets each
national figure beside the Tees measure it can be read against, saying what differs in the
definitions; :func:`plot_comparison` draws it.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..paths import DATA
from . import stats

NATIONAL_FILE = DATA / "external" / "national_reference.csv"
NATIONAL_README = DATA / "external" / "README.md"
SATISFIED_FILE = DATA / "reconstruction" / "satisfied.csv"
BOUNDS_FILE = DATA / "reconstruction" / "bounds.csv"

#: Columns of the national file, in order, and those that must never be blank.
COLUMNS = (
    "id", "measure", "compare_with", "value", "unit", "numerator", "denominator",
    "denominator_unit", "approximate", "period", "population", "definition", "source_title",
    "publisher", "year", "url", "location", "source_kind", "reports_on", "notes",
)  # fmt: skip
REQUIRED = (
    "id", "measure", "value", "unit", "approximate", "period", "population", "definition",
    "source_title", "publisher", "year", "url", "location", "source_kind",
)  # fmt: skip
UNITS = ("count", "percent")
SOURCE_KINDS = ("primary", "secondary")

#: Tees measures identified by the report: key -> (words, figure ids whose counts add up).
TEES_FIGURES = {
    "died": ("children who died", ("ST-OUT-DIED", "HS-OUT-DIED")),
    "significant_harm": ("children significantly harmed", ("ST-OUT-HARM", "HS-OUT-HARM")),
    "domestic_abuse": ("children with domestic abuse", ("TH-DA-CH",)),
    "parental_mental_ill_health": (
        "children with parental mental ill-health",
        ("TH-PMH-CH",),
    ),
    "substance_misuse": ("children with substance misuse", ("TH-SUBST-CH",)),
    "neglect": ("children with neglect", ("TH-NEGLECT-CH",)),
    "under_2": ("children under 2", ("ST-AGE-U2", "HS-AGE-U2")),
}
#: Tees toxic-trio measures, only partially identified: key -> (words, bounds quantity, flip).
#: ``flip``: the measure is n minus the bounded quantity ("at least one" = n - "none").
TEES_BOUNDED = {
    "all_three": ("children with all three factors", "all_three", False),
    "any_of_three": ("children with at least one of the three", "none", True),
}
TEES_KEYS = (*TEES_FIGURES, *TEES_BOUNDED)

#: How each family of national figures differs from the Tees proportions (own words).
DIFFERENCES = {
    "notifications": (
        "National: notifications of incidents (deaths and serious harm where abuse or neglect "
        "was known or suspected), counted when notified; most never lead to a local review. "
        "Tees: the 27 children of the 24 local reviews completed in 2017-21, a selected subset "
        "of such incidents."
    ),
    "panel_nonfatal": (
        "National: share of the non-fatal notifications only, with the factor as recorded for "
        "the incident. Tees: every child of the reviews (died or harmed), with the factor as a "
        "theme of the child's review."
    ),
    "cafcass": (
        "National: 97 serious case reviews of 2009-16 in which Cafcass took part (families "
        "known to the family courts), counted per case. Tees: the 27 children of 24 local "
        "reviews of 2017-21."
    ),
}
AGE_NOTE = (
    " Different age cut: under 1 nationally, under 2 in Tees; a national under-2 share would "
    "be at least the under-1 share."
)


def family(row) -> str:
    if "CAFCASS" in row["id"]:
        return "cafcass"
    if str(row["denominator_unit"]).startswith("non-fatal"):
        return "panel_nonfatal"
    return "notifications"


# =========================================================================== the national file


def read_national(path: Path | str = NATIONAL_FILE) -> pd.DataFrame:
    """The national file as text columns (blank cells as empty strings)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def problems(frame: pd.DataFrame, known_keys=TEES_KEYS) -> list[str]:
    """Everything wrong with the national table; empty when it is well-formed."""
    out = []
    missing = [c for c in COLUMNS if c not in frame]
    if missing:
        return [f"missing columns: {', '.join(missing)}"]
    if list(frame.columns) != list(COLUMNS):
        out.append("columns are not in the documented order")
    dupes = frame["id"][frame["id"].duplicated()].tolist()
    if dupes:
        out.append(f"duplicate ids: {', '.join(dupes)}")
    for i, row in frame.iterrows():
        where = f"row {i + 2} ({row['id'] or 'no id'})"
        for column in REQUIRED:
            if not str(row[column]).strip():
                out.append(f"{where}: {column} is blank")
        if not str(row["url"]).startswith("https://"):
            out.append(f"{where}: url must start with https://")
        if row["unit"] not in UNITS:
            out.append(f"{where}: unit must be one of {UNITS}")
        if row["source_kind"] not in SOURCE_KINDS:
            out.append(f"{where}: source_kind must be one of {SOURCE_KINDS}")
        if row["source_kind"] == "secondary" and not str(row["reports_on"]).strip():
            out.append(f"{where}: a secondary source must say what it reports on")
        if row["approximate"] not in ("yes", "no"):
            out.append(f"{where}: approximate must be yes or no")
        if row["compare_with"] and row["compare_with"] not in known_keys:
            out.append(f"{where}: compare_with {row['compare_with']!r} is not a Tees measure")
        numbers = {}
        for column in ("value", "numerator", "denominator", "year"):
            text = str(row[column]).strip()
            if not text:
                continue
            try:
                number = float(text)
            except ValueError:
                number = math.nan
            if math.isfinite(number):
                numbers[column] = number
            else:  # also "nan" and "inf", which float() accepts
                out.append(f"{where}: {column} {text!r} is not a number")
        value, num, den = (numbers.get(c) for c in ("value", "numerator", "denominator"))
        if value is not None and value < 0:
            out.append(f"{where}: value must not be negative")
        if row["unit"] == "percent" and value is not None and value > 100:
            out.append(f"{where}: a percent must be at most 100")
        if den is not None and den <= 0:
            out.append(f"{where}: denominator must be positive")
        if num is not None and den is not None and num > den:
            out.append(f"{where}: numerator exceeds denominator")
        if row["unit"] == "count" and den is not None and num != value:
            out.append(f"{where}: a count with a denominator must equal its numerator")
        ratio = num is not None and den is not None and den > 0 and value is not None
        if ratio and row["unit"] == "percent" and abs(100 * num / den - value) >= 0.5:
            out.append(f"{where}: {num:g} of {den:g} does not round to {value:g}%")
        if row["compare_with"] and den is None and row["unit"] == "count":
            out.append(f"{where}: a count compared with a Tees share needs a denominator")
    return out


def load_national(path: Path | str = NATIONAL_FILE) -> pd.DataFrame:
    """The national table, checked, with a numeric ``percent`` column (the printed percent,
    or 100 x numerator / denominator for counts)."""
    frame = read_national(path)
    found = problems(frame)
    if found:
        raise ValueError("the national reference file is not well-formed:\n" + "\n".join(found))
    out = frame.copy()
    for column in ("value", "numerator", "denominator"):
        out[column] = pd.to_numeric(out[column].replace("", np.nan))
    out["year"] = out["year"].astype(int)
    percent = np.where(
        out["unit"] == "percent",
        out["value"],
        100 * out["numerator"] / out["denominator"],
    )
    out["percent"] = pd.Series(percent, index=out.index).astype(float)
    return out


def sources(national: pd.DataFrame) -> pd.DataFrame:
    """One row per source: title, publisher, year, address, kind and the ids it gives."""
    grouped = national.groupby(["source_title", "publisher", "year", "url", "source_kind"],
                               sort=False)["id"]  # fmt: skip
    return grouped.agg(", ".join).rename("figures").reset_index()


# =========================================================================== Tees


def tees_measures(
    satisfied: Path | str = SATISFIED_FILE, bounds: Path | str = BOUNDS_FILE
) -> pd.DataFrame:
    """Tees proportions the report identifies, with 95% Wilson intervals.

    Figure-based measures add up the counts and denominators of figures that hold (from
    ``satisfied.csv``; a figure that fails is refused). The toxic-trio combinations are only
    partially identified: ``count_low``-``count_high`` is the exact range over every dataset
    consistent with the report, and the interval runs from the Wilson lower bound of the
    smallest count to the Wilson upper bound of the largest.
    """
    table = pd.read_csv(satisfied).set_index("figure_id")
    rows = []
    for key, (words, ids) in TEES_FIGURES.items():
        part = table.loc[list(ids)]
        failed = part.index[~part["satisfied"].astype(bool)].tolist()
        if failed:
            raise ValueError(f"{key}: figures {failed} do not hold; no identified count")
        count, n = int(part["count"].sum()), int(part["denominator"].sum())
        rows.append(_row(key, words, count, count, n, "published figures", " + ".join(ids)))
    trio = pd.read_csv(bounds)
    tees = trio[trio["scope"] == "Tees"].set_index("quantity")
    for key, (words, quantity, flip) in TEES_BOUNDED.items():
        row = tees.loc[quantity]
        n = int(str(row["margins"]).rsplit(" of ", 1)[1])
        low, high = int(row["min"]), int(row["max"])
        if flip:
            low, high = n - high, n - low
        kind = "published figures" if low == high else "range over consistent datasets"
        rows.append(_row(key, words, low, high, n, kind, f"bounds.csv Tees {quantity}"))
    return pd.DataFrame(rows)


def _row(key, words, low, high, n, kind, figures) -> dict:
    ci_low = float(stats.proportion_interval(low, n)[0])
    ci_high = float(stats.proportion_interval(high, n)[1])
    return {
        "key": key,
        "measure": words,
        "count_low": low,
        "count_high": high,
        "n": n,
        "percent_low": 100 * low / n,
        "percent_high": 100 * high / n,
        "ci_low": 100 * ci_low,
        "ci_high": 100 * ci_high,
        "identified": kind,
        "from": figures,
    }


def tees_text(row) -> str:
    """``'22 of 27 children (81%; 95% CI 63-92%)'`` or a range for partly identified ones."""
    if row["count_low"] == row["count_high"]:
        share = f"{row['count_low']} of {row['n']} children ({row['percent_low']:.0f}%"
    else:
        share = (
            f"{row['count_low']} to {row['count_high']} of {row['n']} children "
            f"({row['percent_low']:.0f}-{row['percent_high']:.0f}%"
        )
    return f"{share}; 95% CI {row['ci_low']:.0f}-{row['ci_high']:.0f}%)"


def national_text(row) -> str:
    """``'223 of 536 notifications (41.6%)'`` or ``'71% of 97 serious case reviews'``."""
    about = "about " if row["approximate"] == "yes" else ""
    if pd.notna(row["numerator"]) and pd.notna(row["denominator"]):
        return (
            f"{row['numerator']:.0f} of {row['denominator']:.0f} {row['denominator_unit']} "
            f"({about}{row['percent']:.1f}%)"
        )
    if pd.notna(row["denominator"]):
        return f"{about}{row['value']:g}% of {row['denominator']:.0f} {row['denominator_unit']}"
    return f"{about}{row['value']:g}% of {row['denominator_unit']}"


def comparison(national: pd.DataFrame, tees: pd.DataFrame) -> pd.DataFrame:
    """Each national figure that has a Tees counterpart, beside it, with what differs."""
    tees = tees.set_index("key")
    rows = []
    for _, row in national[national["compare_with"] != ""].iterrows():
        t = tees.loc[row["compare_with"]]
        inside = t["ci_low"] <= row["percent"] <= t["ci_high"]
        differs = DIFFERENCES[family(row)]
        if row["compare_with"] == "under_2":
            differs += AGE_NOTE
        rows.append(
            {
                "Tees measure": t["measure"],
                "Tees (identified by the report)": tees_text(t),
                "national figure": row["measure"],
                "national value": national_text(row),
                "period": row["period"],
                "national inside the Tees 95% interval": "yes" if inside else "no",
                "source": f"{row['publisher']} ({row['year']})",
                "source kind": row["source_kind"],
                "what differs": differs,
                "id": row["id"],
            }
        )
    return pd.DataFrame(rows)

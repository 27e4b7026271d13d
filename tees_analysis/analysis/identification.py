"""What the published figures identify about co-occurrence, and what is specific to a dataset.

The report gives how many children had each factor, never how many had two or three.
:func:`load_bounds` reads the exact bounds of every co-occurrence count over *all* datasets
consistent with the report (computed by :func:`tees_analysis.reconstruction.bounds.trio_bounds`,
committed in ``data/reconstruction/bounds.csv``) and :func:`bounds_table` shows them beside the
Frechet bounds from the three totals alone; :func:`witness_tables` rebuilds the trio tables of
the datasets attaining the bounds.

Every statistic over the whole identified set -- not only the bounds -- is in
:mod:`.ranges`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..paths import DATA
from ..reconstruction.bounds import parse_witness
from .cooccurrence import QUANTITY_SHORT, table_from_cells

BOUNDS_FILE = DATA / "reconstruction" / "bounds.csv"
SATISFIED_FILE = DATA / "reconstruction" / "satisfied.csv"
READINGS_FILE = DATA / "reconstruction" / "readings.csv"

# =========================================================================== 1. identified


def load_bounds(path: Path | str = BOUNDS_FILE) -> pd.DataFrame:
    """The committed toxic-trio bounds (one row per scope and quantity), with ``n``."""
    bounds = pd.read_csv(path, dtype={"witness_min": str, "witness_max": str})
    bounds["n"] = bounds["margins"].str.rsplit(" of ", n=1).str[1].astype(int)
    return bounds


def bounds_table(bounds: pd.DataFrame) -> pd.DataFrame:
    """The bounds in words: per scope and quantity, the exact and the Frechet ranges."""
    out = pd.DataFrame(
        {
            "scope": bounds["scope"],
            "children": bounds["n"],
            "quantity": bounds["quantity"].map(QUANTITY_SHORT),
            "exact range (all consistent datasets)": [
                f"{lo} to {hi}" for lo, hi in zip(bounds["min"], bounds["max"], strict=True)
            ],
            "from the three totals alone (Frechet)": [
                f"{lo} to {hi}"
                for lo, hi in zip(bounds["frechet_min"], bounds["frechet_max"], strict=True)
            ],
            "narrower than the totals alone": (
                (bounds["min"] != bounds["frechet_min"]) | (bounds["max"] != bounds["frechet_max"])
            ).map({True: "yes", False: "no"}),
            "reconstruction (a choice, not a finding)": bounds["reconstruction"],
        }
    )
    return out.reset_index(drop=True)


def witness_tables(
    bounds: pd.DataFrame, scope: str = "Tees", quantity: str = "all_three"
) -> dict[str, pd.Series]:
    """The trio tables of the datasets attaining the minimum and the maximum of ``quantity``.

    Witness strings hold each partnership's 8 cells; for a partnership scope only its cells
    are kept, for the all-partnership scope they are added up.
    """
    row = bounds[(bounds["scope"] == scope) & (bounds["quantity"] == quantity)]
    if len(row) != 1:
        raise KeyError(f"no bound for {scope} {quantity}")
    row = row.iloc[0]
    out = {}
    for kind, column in (("minimum", "witness_min"), ("maximum", "witness_max")):
        parsed = parse_witness(row[column])
        partnerships = {p for p, _ in parsed}
        cells: dict[tuple, int] = {}
        for (p, cell), count in parsed.items():
            if scope in partnerships and p != scope:
                continue
            cells[cell] = cells.get(cell, 0) + count
        out[kind] = table_from_cells(cells)
    return out


# --------------------------------------------------------------------------- identification


def chosen_readings(path: Path | str = READINGS_FILE) -> dict[str, str]:
    """The reading options the reconstruction chose (``chosen`` column of readings.csv)."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    chosen = table[table["chosen"].str.casefold() == "true"]
    return dict(zip(chosen["reading"], chosen["option"], strict=True))

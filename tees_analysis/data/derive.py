"""Fields derived from the cleaned tables (under 2, the review's attributes on each child)."""

from __future__ import annotations

import pandas as pd

from .schema import field
from .validate import UNDER_2_MONTHS


def under_2(children: pd.DataFrame) -> pd.Series:
    """Younger than 24 months: from age_months when given, else from age_band; else missing."""
    result = pd.Series(pd.NA, index=children.index, dtype="boolean")
    if "age_band" in children:
        band = children["age_band"].astype("string")
        result = result.mask(band == "under 2", True).mask(band == "2 and over", False)
    if "age_months" in children:
        months = children["age_months"]
        result = result.mask(months.notna(), months < UNDER_2_MONTHS)
    return result.astype("boolean").rename("under_2")


def derive_children(children: pd.DataFrame, reviews: pd.DataFrame) -> pd.DataFrame:
    """Children with ``under_2`` and their review's partnership, type, year and provenance."""
    out = children.copy()
    out["under_2"] = under_2(children)
    review = reviews.set_index("review_id")
    for name in ("partnership", "review_type", "year", "provenance"):
        if name not in review:
            continue
        values = out["review_id"].map(review[name].astype(object))
        if name == "year":
            out[name] = values.astype("Int64")
        else:
            out[name] = pd.Categorical(values, categories=reviews[name].cat.categories)
    return out


def derive_reviews(reviews: pd.DataFrame, children: pd.DataFrame) -> pd.DataFrame:
    """Reviews with ``n_children``."""
    out = reviews.copy()
    counts = children["review_id"].value_counts()
    out["n_children"] = out["review_id"].map(counts).fillna(0).astype("Int64")
    return out


def indicators(children: pd.DataFrame, name: str) -> pd.DataFrame:
    """One yes/no column per category of the multi-valued field ``name``."""
    labels = field("children", name).labels
    values = children[name]
    return pd.DataFrame(
        {label: values.map(lambda v, lab=label: lab in v).astype(bool) for label in labels},
        index=children.index,
    )

"""The co-occurrence analyses of one table repeated on several, side by side.

:func:`sensitivity` takes trio tables by name (e.g. the reconstruction and the datasets with
the fewest and the most children with all three factors) and returns each analysis of
:mod:`.cooccurrence` and :mod:`.loglinear` with one column per table.
"""

from __future__ import annotations

import pandas as pd

from .cooccurrence import combinations, fmt_ratio, label, margins, odds_ratios, pairwise
from .loglinear import loglinear

# =========================================================================== 4. sensitivity


def sensitivity(tables: dict[str, pd.Series]) -> dict[str, pd.DataFrame]:
    """The analyses of one table repeated on several (e.g. chosen, fewest, most all-three).

    Returns ``cells`` (children per combination), ``margins`` (children per factor -- equal
    in all tables when they are consistent with the same report), ``conditional`` (P(B | A)),
    ``odds_ratios`` (odds ratio with exact interval, and p-value), ``loglinear`` (deviance,
    df and p-value of each model) and ``tests`` (each step of the hierarchy), each with one
    column (or block of columns) per table, and ``notes`` (the log-linear notes per table).
    """
    cells = pd.DataFrame({name: combinations(t).set_index("combination")["children"]
                          for name, t in tables.items()})  # fmt: skip
    margin = pd.DataFrame({name: margins(t) for name, t in tables.items()})
    margin.index = [label(f) for f in margin.index]
    conditional = pd.DataFrame(
        {name: pairwise(t).set_index(["A", "B"])["P(B | A)"] for name, t in tables.items()}
    )
    ors, models, tests, notes = {}, {}, {}, []
    for name, t in tables.items():
        o = odds_ratios(t).set_index("pair")
        ors[name] = pd.DataFrame(
            {
                "odds ratio (95% CI)": [
                    f"{fmt_ratio(r)} ({fmt_ratio(lo)} to {fmt_ratio(hi)})"
                    for r, lo, hi in zip(o["odds ratio"], o["ci_low"], o["ci_high"], strict=True)
                ],
                "p": o["p_value"].round(3),
            },
            index=o.index,
        )
        fit = loglinear(t)
        models[name] = fit.models.set_index("model")[["deviance", "df", "p_value"]].round(3)
        tests[name] = fit.tests.set_index("comparison")[["deviance change", "df", "p_value"]]
        tests[name] = tests[name].round(3)
        notes += [{"table": name, "note": note} for note in fit.notes]
    return {
        "cells": cells,
        "margins": margin,
        "conditional": conditional.round(2),
        "odds_ratios": pd.concat(ors, axis=1),
        "loglinear": pd.concat(models, axis=1),
        "tests": pd.concat(tests, axis=1),
        "notes": pd.DataFrame(notes),
    }

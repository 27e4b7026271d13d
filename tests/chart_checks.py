"""What every chart must satisfy, shared by ``test_charts.py`` and ``test_any_dataset.py``.

:func:`every_chart` draws each chart a data notebook draws from a dataset (notebooks 03, 04 and
06); :func:`reader_problems` lists what a reader must never see in a chart's words: an empty
title, subtitle or alt text, a Python repr, alt text past its limit.
"""

from __future__ import annotations

import re

from tees_analysis.analysis import cooccurrence as co
from tees_analysis.analysis import tables
from tees_analysis.report import messages, plots, trio_plots

#: Python's way of writing values, which a reader must never see.
REPRS = re.compile(
    r"\bnan\b|\bNaN\b|<NA>|\bNone\b(?! of)|\binf\b|\bTrue\b|\bFalse\b|\b\d+\.0\b|\('|\['|"
    r"0x[0-9a-f]{6,}|dtype|\bnp\.|\{'"
)


def reprs(text: str) -> list[str]:
    """The Python reprs in ``text``."""
    return REPRS.findall(text)


def reader_problems(chart) -> list[str]:
    """What is wrong with a chart's words: empty parts, Python reprs, alt text too long."""
    problems = []
    for part in ("title", "subtitle", "alt"):
        text = getattr(chart, part)
        if not text.strip():
            problems.append(f"{chart.name}: empty {part}")
        if reprs(text):
            problems.append(f"{chart.name}: {part} shows {reprs(text)}: {text}")
    if len(chart.alt) > messages.ALT_LIMIT:
        problems.append(f"{chart.name}: alt text of {len(chart.alt)} characters")
    return problems


def every_chart(data, figures, context) -> list:
    """Each chart of notebooks 03, 04 and 06 that a dataset alone draws, in notebook order."""
    table = co.trio_table(co.recorded(data.children))
    drawn = [
        plots.block_figure(figures, m, context=context)
        for m in ("review_type", *tables.CHILDREN_BLOCKS)
    ]
    drawn += [
        plots.themes_figure(figures, context=context),
        plots.neglect_figure(figures, context=context),
        plots.babies_figure(figures, context=context),
        trio_plots.plot_upset(table, context=context),
        trio_plots.plot_venn(table, context=context),
        trio_plots.plot_pairwise(table, context=context),
    ]
    return drawn

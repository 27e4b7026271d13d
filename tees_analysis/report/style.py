"""One look for every figure, and saving that gives byte-identical files on every run.

``use_style()`` sets the collection's seaborn/matplotlib style; ``save(fig, name, caption)``
adds the caption line under the figure (saying where the data come from) and writes
``figures/<name>.png`` and ``.svg`` atomically, with the metadata that would otherwise change
between runs (dates, software versions, random SVG ids) fixed or removed.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import seaborn as sns

from ..data import atomic
from ..paths import FIGURES
from . import captions

#: Colours of the two partnerships and Tees as a whole, used by every figure.
PARTNERSHIP_COLOURS = {"STSCP": "#1b6ca8", "HSSCP": "#d1495b", "Tees": "#4d4d4d"}
#: The caption every figure drawn from case-level data carries.
RECONSTRUCTED = captions.RECONSTRUCTED
DPI = 150
_RC = {
    "svg.hashsalt": "tees-analysis",  # fixed seed for SVG element ids
    "svg.fonttype": "path",  # text as paths: no dependence on the reader's fonts
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "font.family": "DejaVu Sans",  # shipped with matplotlib, so identical everywhere
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
}
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
}


def use_style() -> None:
    """Apply the collection's plotting style (idempotent)."""
    sns.set_theme(context="notebook", style="whitegrid", font="DejaVu Sans")
    mpl.rcParams.update(_RC)


def add_caption(fig, caption: str) -> None:
    """A small grey caption line under the axes."""
    fig.text(0.01, 0.005, caption, ha="left", va="bottom", fontsize=7.5, color="#555555", wrap=True)


def save(fig, name: str, caption: str, folder: Path | None = None) -> list[Path]:
    """Write ``name.png`` and ``name.svg`` with ``caption``; byte-identical across runs.

    ``folder`` defaults to the repository's ``figures/``; a notebook that follows the selection
    of ``tees-analysis reproduce`` hands in the selection's folder
    (:attr:`tees_analysis.selection.Selection.figures`).
    """
    folder = FIGURES if folder is None else folder
    add_caption(fig, caption)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    files = {}
    for fmt in ("png", "svg"):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, metadata=_METADATA[fmt])
        files[Path(folder) / f"{name}.{fmt}"] = buffer.getvalue()
    return atomic.write_files(files)


def close(fig) -> None:
    plt.close(fig)

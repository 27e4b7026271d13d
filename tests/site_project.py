"""A small made-up project for the site's tests: three notebooks and their charts' SVG files.

Used by ``tests/test_site.py`` (the pages' markup) and ``tests/test_site_browser.py`` (the same
pages in Chromium, at desktop and phone width). Nothing here is about real children.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pandas as pd

from tees_analysis.paths import FIGURES
from tees_analysis.report import present, site

# A committed chart, to see a real one in a page (its id is a figure name of notebook 03).
REAL_CHART = FIGURES / "03_sex.svg"
# A 1 x 1 PNG.
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5"
    "ErkJggg=="
)
SVG = """<?xml version="1.0" encoding="utf-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="576pt" height="300pt"
     viewBox="0 0 576 300" xmlns="http://www.w3.org/2000/svg" version="1.1">
 {title}
 <metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>
 <defs>
  <style type="text/css">*{{stroke-linejoin: round; stroke-linecap: butt}}</style>
  <clipPath id="clip1"><rect x="0" y="0" width="576" height="300"/></clipPath>
  <path id="glyph-a" d="M 0 0 L 10 10 z"/>
 </defs>
 <g id="figure_1" clip-path="url(#clip1)">
  <use xlink:href="#glyph-a" x="5" y="5"/>
  <use href="#glyph-a" x="15" y="5"/>
 </g>
</svg>
"""
TITLED = "<title>Children by sex</title><desc>Bars of the children by sex.</desc>"


def png_output(metadata: dict | None = None):
    return nbformat.v4.new_output(
        "display_data", data={"image/png": PNG, "text/plain": "<Figure>"}, metadata=metadata or {}
    )


def markdown_output(text: str, metadata: dict | None = None):
    return nbformat.v4.new_output(
        "display_data", data={"text/markdown": text, "text/plain": text}, metadata=metadata or {}
    )


def main_points_cell(cell_id: str, bullets: list[str], metadata: dict | None = None):
    text = "## Main points\n\n" + "\n".join(f"- {b}" for b in bullets) + "\n"
    cell = nbformat.v4.new_code_cell("show_main_points()", id=cell_id)
    cell.metadata["tags"] = ["main-points"]
    cell.outputs = [markdown_output(text, metadata)]
    return cell


def notebook(title: str, cells: list) -> nbformat.NotebookNode:
    first = nbformat.v4.new_markdown_cell(f"# {title}\n\nWhat this notebook shows.", id="title")
    return nbformat.v4.new_notebook(cells=[first, *cells])


def formatted_table(figures: Path) -> nbformat.NotebookNode:
    """A cell whose output is a wide table from the project's formatter, its CSV written."""
    frame = pd.DataFrame(
        {
            "partnership": ["STSCP", "HSSCP"],
            **{f"count_{k}": [k, k + 1] for k in range(1, 9)},
            "p": [0.0004, float("nan")],
        }
    )
    made = present.table(frame, "Made-up counts", name="01_counts", folder=figures)
    cell = nbformat.v4.new_code_cell("present.table(frame)", id="formatted")
    cell.outputs = [
        nbformat.v4.new_output(
            "execute_result", data={"text/html": made.html, "text/plain": made.text}
        )
    ]
    return cell


def alpha(figures: Path) -> nbformat.NotebookNode:
    code = nbformat.v4.new_code_cell("import pandas as pd\nprint('files read')", id="code")
    code.execution_count = 7
    code.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="files read:\n  data/raw/x.csv\n"),
        nbformat.v4.new_output("stream", name="stderr", text="FutureWarning: something moved\n"),
        nbformat.v4.new_output(
            "execute_result",
            data={
                "text/html": "<table><tr><th>a</th><th>b</th><th>c</th><th>d</th></tr>"
                "<tr><td>1</td><td>2</td><td>3</td><td>4</td></tr></table>"
                '<p class="tees-download"><a href="../figures/tables/counts.csv">CSV</a> '
                '<a href="../figures/01_chart.svg">SVG</a></p>',
                "text/plain": "table",
            },
            execution_count=7,
        ),
    ]
    long_note = nbformat.v4.new_code_cell("print(path)", id="long")
    long_note.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="x" * 60 + " is a long word\n")
    ]
    charts = nbformat.v4.new_code_cell("plots.show()", id="charts")
    charts.outputs = [
        png_output({"tees": {"figure": "01_chart", "alt": "Bar chart of children by sex"}}),
        png_output({"tees": {"figure": "01_chart"}}),
        png_output({"tees": {"figure": "01_other", "alt": "Line chart of reviews by year"}}),
        png_output({"tees": {"figure": "01_missing", "alt": "A chart whose SVG is missing"}}),
        png_output({"image/png": {"alt": "A picture described in its own metadata"}}),
        png_output(),
    ]
    real = nbformat.v4.new_code_cell("plots.sex()", id="real")
    real.outputs = [png_output({"tees": {"figure": REAL_CHART.stem, "alt": "Children by sex"}})]
    points = main_points_cell(
        "points",
        ["First alpha point, see [the details](#details)", "Second alpha point", "Third one"],
        {"tees": {"index": 2}},
    )
    details = nbformat.v4.new_markdown_cell('<a id="details"></a>\n## Details', id="details")
    cells = [points, code, long_note, charts, real, formatted_table(figures), details]
    return notebook("Alpha", cells)


def make_project(root: Path) -> Path:
    """A made-up project in ``root``: ``notebooks/`` (01_alpha with every kind of output, 02_beta
    whose main points lift nothing, 03_gamma lifting one) and ``figures/`` (two small SVGs, one
    with a title, and a copy of a committed chart, 03_sex)."""
    (root / "notebooks").mkdir()
    figures = root / "figures"
    (figures / "tables").mkdir(parents=True)
    (figures / "01_chart.svg").write_text(SVG.format(title=TITLED), encoding="utf-8")
    (figures / "01_other.svg").write_text(SVG.format(title=""), encoding="utf-8")
    (figures / "tables" / "counts.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    shutil.copyfile(REAL_CHART, figures / REAL_CHART.name)
    beta = notebook("Beta", [main_points_cell("points", ["Beta point, not lifted"])])
    gamma = notebook(
        "Gamma",
        [
            main_points_cell(
                "points", ["Gamma's first point", "Gamma's second"], {"tees": {"index": 1}}
            )
        ],
    )
    for name, nb in (("01_alpha", alpha(figures)), ("02_beta", beta), ("03_gamma", gamma)):
        nbformat.write(nb, root / "notebooks" / f"{name}.ipynb")
    return root


def build(project: Path, out: Path) -> list[Path]:
    return site.build_site(
        out,
        notebook_dir=project / "notebooks",
        audit_csv=project / "no-audit.csv",
        figures_dir=project / "figures",
    )

"""The report as a static HTML site that readers open without Python.

``python -m tees_analysis.report.site`` (or ``python3 tasks.py site``) renders, into
``reports/site/``:

- ``index.html``: findings first -- the main points lifted from the notebooks
  (:func:`main_points`), then the audit's headline (from ``reports/audit.csv``), then a link to
  every page;
- one page per notebook ``notebooks/NN_*.ipynb``, in reading order, from its *committed*
  outputs (nbconvert's ``HTMLExporter``; nothing is re-executed), its code folded away under
  "Show code", without prompts or error streams, its charts drawn from ``figures/NAME.svg``
  (:mod:`.site_charts`);
- ``audit.html``: the audit table, one row per published figure (``reports/audit.csv``);
- ``methods.html``, ``codebook.html`` and ``assumptions.html``: ``docs/methods.md`` (methods,
  quality and the symbols used), ``data/codebook.md`` and ``docs/assumptions.md``.

Every page is rendered by the same nbconvert template (``site_templates/tees``, an extension of
nbconvert's ``lab`` template) and carries a banner saying that the case-level data are
reconstructed from the published figures, the release's version and date and a contact line
(:mod:`.release`). Markdown pages go through nbconvert's own markdown renderer (mistune), as
one-cell notebooks. Pages are flat files linking to each other by relative links, so the site
works from the file system and from any static web server; it loads nothing from the network,
and the same inputs give byte-identical files (no timestamps).
"""

from __future__ import annotations

import argparse
import csv
import html
import logging
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from ..analysis.audit import from_records
from ..analysis.audit import headline as audit_sentences
from ..paths import CODEBOOK, FIGURES, NOTEBOOKS, ROOT, display
from . import site_charts
from .release import CITATION, release

REPORTS = ROOT / "reports"
AUDIT_CSV = REPORTS / "audit.csv"
SITE = REPORTS / "site"
ASSUMPTIONS = ROOT / "docs" / "assumptions.md"
METHODS = ROOT / "docs" / "methods.md"
TEMPLATES = Path(__file__).resolve().parent / "site_templates"
TEMPLATE_NAME = "tees"
# Written into every site folder; a folder without it is never emptied by build_site.
MARKER = ".tees-site"
# Files linked from the pages but not rendered as pages are copied here, under their repo path.
FILES_DIR = "files"
# The tag of the code cell whose markdown output is a notebook's main points.
MAIN_POINTS_TAG = "main-points"
MAIN_POINTS_ANCHOR = "main-points"

BANNER = (
    "The case-level data behind these tables and figures are reconstructed from the figures "
    "published in the report. They are not the partnerships' case records, and no record of a "
    "real child is in this project."
)
FOOTER = (
    "Rendered from the committed notebooks and documents of the Tees safeguarding reviews "
    "analysis by 'python3 tasks.py site'; nothing was re-executed."
)
NO_MAIN_POINTS = (
    "No notebook has a main-points summary for this page yet. Until one has, the findings are "
    "in the notebooks themselves, listed below, and the reproduction status follows."
)
NBCONVERT_ALT = "No description has been provided for this image"
TABLE_CUE = "Scroll sideways to see the whole table."


@dataclass(frozen=True)
class Page:
    filename: str  # e.g. "01_cleaning.html"
    label: str  # short name in the navigation bar
    title: str  # full title (the <title> and the index)
    source: Path | None  # the notebook or markdown file rendered, None for generated pages


@dataclass(frozen=True)
class MainPoints:
    """A notebook's main points: every bullet (as HTML) and how many of them the index lifts."""

    page: Page
    bullets: tuple[str, ...]
    lift: int

    @property
    def lifted(self) -> tuple[str, ...]:
        return self.bullets[: self.lift]


def notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """The collection's notebooks in reading order (as the main job runs them)."""
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


def plain_title(markdown: str, fallback: str) -> str:
    """The text of the first level-1 heading of a markdown text, without inline markup."""
    match = re.search(r"^#\s+(.+?)\s*#*\s*$", markdown, flags=re.MULTILINE)
    if not match:
        return fallback
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", match.group(1))
    return re.sub(r"[*_`]", "", text).strip() or fallback


def notebook_label(path: Path) -> str:
    """``03_about_our_children.ipynb`` -> ``03 About our children``."""
    number, _, rest = path.stem.partition("_")
    return f"{number} {rest.replace('_', ' ').capitalize()}".strip()


def read_audit(path: Path = AUDIT_CSV) -> list[dict[str, str]] | None:
    """The audit table's rows, or None when the audit has not been written yet."""
    if not path.is_file():
        return None
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def audit_headline(rows: list[dict[str, str]] | None) -> str:
    """The audit's headline for the index, computed from the audit table's rows.

    The same sentence as notebook 05 shows (:func:`tees_analysis.analysis.audit.headline`):
    the status counts, then where the report's figures need different bases.
    """
    if rows is None:
        return "Audit not yet available: run 'python3 tasks.py run' to write reports/audit.csv."
    if not rows:
        return "The audit table is empty (reports/audit.csv)."
    return audit_sentences(from_records(rows)) + " Computed from reports/audit.csv."


def _html_table(rows: list[dict[str, str]]) -> str:
    """The audit table as one HTML block without blank lines (markdown passes it through)."""
    columns = list(rows[0]) if rows else []

    def text(value: str) -> str:  # long names like living_arrangements may break after a _
        return html.escape(value).replace("_", "_<wbr>").replace("\n", "<br>")

    head = "".join(f'<th scope="col">{text(c)}</th>' for c in columns)
    body = []
    for row in rows:
        status = "exact" if row.get("status") == "exact" else "other"
        cells = "".join(f"<td>{text(row.get(c) or '')}</td>" for c in columns)
        body.append(f'<tr class="status-{status}">{cells}</tr>')
    return (
        f'<p class="tees-scroll-cue">{TABLE_CUE}</p>\n'
        '<div class="tees-scroll tees-audit" role="region" aria-label="Audit table" '
        'tabindex="0"><table id="audit-table">\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody></table></div>"
    )


# --------------------------------------------------------------------------- main points


def _bullets(markdown: str) -> list[str]:
    """The items of the first list of a markdown text, each as inline HTML on one line."""
    from bs4 import BeautifulSoup
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    soup = BeautifulSoup(markdown2html_mistune(markdown), features="html.parser")
    first = soup.find(["ul", "ol"])
    if first is None:
        return []
    items = []
    for item in first.find_all("li", recursive=False):
        for paragraph in item.find_all("p", recursive=False):
            paragraph.unwrap()
        items.append(" ".join(item.decode_contents().split()))
    return items


def _lift_count(metadata: dict) -> int:
    value = (metadata.get("tees") or {}).get("index", 0)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _main_points_cell(nb) -> object | None:
    """The notebook's first code cell tagged ``main-points`` that has a markdown output."""
    for cell in nb.cells:
        if cell.cell_type != "code" or MAIN_POINTS_TAG not in cell.metadata.get("tags", []):
            continue
        if any("text/markdown" in o.get("data", {}) for o in cell.get("outputs", [])):
            return cell
    return None


def main_points(nb, page: Page) -> MainPoints | None:
    """The main points of a notebook (:data:`MAIN_POINTS_TAG`), or None when it has none.

    The cell's markdown output is a heading then bullets; its output metadata
    ``{"tees": {"index": k}}`` says how many of the first bullets the index lifts (default 0).
    Links inside the bullets to a place in the notebook (``#...``) point at its page.
    """
    cell = _main_points_cell(nb)
    if cell is None:
        return None
    output = next(o for o in cell.outputs if "text/markdown" in o.get("data", {}))
    source = output["data"]["text/markdown"]
    source = "".join(source) if isinstance(source, list) else source
    bullets = [re.sub(r'href="#', f'href="{page.filename}#', b) for b in _bullets(source)]
    return MainPoints(page, tuple(bullets), _lift_count(output.get("metadata", {})))


def _main_points_html(points: list[MainPoints]) -> str:
    items = [
        f'<li>{bullet} <span class="tees-from">(<a href="{p.page.filename}#{MAIN_POINTS_ANCHOR}">'
        f"{html.escape(p.page.label)}</a>)</span></li>"
        for p in points
        for bullet in p.lifted
    ]
    if not items:
        return f'<p id="main-points-none">{html.escape(NO_MAIN_POINTS)}</p>'
    return '<ul id="main-points-list" class="tees-points">\n' + "\n".join(items) + "\n</ul>"


def index_markdown(
    pages: list[Page], audit: list[dict[str, str]] | None, points: list[MainPoints] = ()
) -> str:
    notebook_items = "\n".join(
        f'<li><a href="{p.filename}">{html.escape(p.title)}</a></li>'
        for p in pages
        if p.source is not None and p.source.suffix == ".ipynb"
    )
    other_items = "\n".join(
        f'<li><a href="{p.filename}">{html.escape(p.title)}</a></li>'
        for p in pages
        if p.filename != "index.html" and (p.source is None or p.source.suffix != ".ipynb")
    )
    return (
        "# Tees safeguarding reviews 2017-21: the reproducible report\n\n"
        "The statistics of the STSCP and HSSCP report on the Tees safeguarding reviews of "
        "2017-21, recomputed from case-level data reconstructed from its figures "
        "([methods and quality](methods.html)).\n\n"
        "## Main points\n\n"
        f"{_main_points_html(list(points))}\n\n"
        "## Reproduction status\n\n"
        f'<p id="audit-headline"><strong>{html.escape(audit_headline(audit))}</strong> '
        'See <a href="audit.html">the audit table</a>.</p>\n\n'
        "## Pages\n\n"
        "### The notebooks, in reading order\n\n"
        f'<ol id="notebook-pages">\n{notebook_items}\n</ol>\n\n'
        "### Reference\n\n"
        f'<ul id="reference-pages">\n{other_items}\n</ul>\n'
    )


def audit_markdown(audit: list[dict[str, str]] | None) -> str:
    text = "# Reproduction audit table\n\n"
    if audit is None:
        return text + "Audit not yet available: `reports/audit.csv` has not been written.\n"
    return (
        text + f"{html.escape(audit_headline(audit))}\n\n"
        "One row per published figure, as written by the reproduction-audit notebook to "
        "`reports/audit.csv`. **published** is the value printed in the report, **recomputed** "
        "the value recomputed from the reconstructed case-level tables; rows whose status is "
        "not `exact` are highlighted in orange. For a figure that does not hold, **block_bases** "
        "and **figure_bases** list the numbers of children (or reviews) that reproduce its "
        "block, or the figure alone, and **explanations** the rival explanations, each with "
        "whether it fits the printed numbers. The notebook explains every status and column.\n\n"
        + _html_table(audit)
        + "\n"
    )


def _exporter():
    """nbconvert's HTML exporter with the site template, without input or output prompts."""
    from nbconvert import HTMLExporter

    # nbconvert warns about every output image without alt text; the site sets alt itself.
    log = logging.getLogger("tees_analysis.report.site.nbconvert")
    log.setLevel(logging.ERROR)
    return HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES)],
        template_name=TEMPLATE_NAME,
        embed_images=True,  # images linked from markdown cells end up inside the page
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        log=log,
    )


def _markdown_notebook(markdown: str, title: str):
    import nbformat

    # A fixed cell id: nbformat would pick a random one, and the page would change every build.
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown, id="page")])
    nb.metadata["title"] = title
    return nb


def _is_relative(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.path) and not (parts.scheme or parts.netloc or url.startswith("/"))


def _columns(table) -> int:
    return max((len(row.find_all(["td", "th"])) for row in table.find_all("tr")), default=0)


class _Linker:
    """Rewrites each page so that it works inside the site, and finishes its markup.

    Links: a link to a file rendered as a page becomes a link to that page; a link to any other
    file under one of ``roots`` (the repository, the notebooks' project) becomes a link to a copy
    under ``files/``, at its path below that root. Anything else is left alone (and the browser
    test reports it as broken).

    Markup: charts whose figure has an SVG in ``figures`` are drawn from it
    (:mod:`.site_charts`); a table that is not in a scroll container gets one (focusable, named,
    with a cue before wide tables); the tab stops nbconvert puts on every cell are removed (the
    scroll containers have their own); images without alt text get a numbered one.
    """

    def __init__(self, pages: list[Page], out_dir: Path, roots: list[Path], figures: Path):
        self.by_source = {p.source.resolve(): p.filename for p in pages if p.source is not None}
        self.out_dir = out_dir
        self.roots = list(dict.fromkeys(r.resolve() for r in roots))
        self.figures = figures
        self.copied: dict[Path, Path] = {}

    def target(self, url: str, base: Path) -> str | None:
        parts = urlsplit(url)
        resolved = (base / unquote(parts.path)).resolve()
        if resolved in self.by_source:
            return urlunsplit(("", "", self.by_source[resolved], parts.query, parts.fragment))
        root = next((r for r in self.roots if r in resolved.parents), None)
        if resolved.is_file() and root is not None:
            rel = resolved.relative_to(root).as_posix()
            self.copied[resolved] = self.out_dir / FILES_DIR / rel
            return urlunsplit(("", "", f"{FILES_DIR}/{quote(rel)}", parts.query, parts.fragment))
        return None

    def _charts(self, soup) -> dict[str, str]:
        """Charts in place of their PNGs; returns the markup behind each placeholder comment."""
        from bs4 import Comment

        charts: dict[str, str] = {}
        seen: dict[str, int] = {}
        for img in soup.select("img[data-tees-figure]"):
            name = img["data-tees-figure"]
            del img["data-tees-figure"]
            svg = self.figures / f"{name}.svg"
            if "/" in name or "\\" in name or not svg.is_file():
                continue
            seen[name] = seen.get(name, 0) + 1
            alt = img.get("alt") if img.get("alt") != NBCONVERT_ALT else None
            key = f"tees-chart-{len(charts) + 1}"
            charts[key] = site_charts.chart_markup(svg, name, seen[name], alt)
            img.replace_with(Comment(key))
        return charts

    @staticmethod
    def _tables(soup) -> None:
        """Every table in a focusable scroll container, named by its caption or its number."""
        loose = [t for t in soup.find_all("table") if not t.find_parent(class_="tees-scroll")]
        for n, table in enumerate(loose, start=1):
            caption = table.find("caption")
            label = " ".join(caption.get_text().split()) if caption else ""
            wrapper = soup.new_tag(
                "div",
                attrs={
                    "class": "tees-scroll",
                    "role": "region",
                    "aria-label": label or f"Table {n}",
                    "tabindex": "0",
                },
            )
            table.wrap(wrapper)
            if _columns(table) >= 4:
                cue = soup.new_tag("p", attrs={"class": "tees-scroll-cue tees-scroll-cue-narrow"})
                cue.string = TABLE_CUE
                wrapper.insert_before(cue)

    def rewrite(self, page_html: str, base: Path | None, title: str) -> str:
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(page_html, features="html.parser")
        for tag, attr in (("a", "href"), ("img", "src")):
            for elem in soup.find_all(tag, attrs={attr: True}):
                url = elem[attr]
                if base is not None and _is_relative(url):
                    new = self.target(url, base)
                    if new is not None:
                        elem[attr] = new
        charts = self._charts(soup)
        self._tables(soup)
        for elem in soup.select("div.jp-Cell-inputWrapper, div.jp-OutputArea-output"):
            elem.attrs.pop("tabindex", None)
        printed = soup.select(".tees-stdout[role=region]")
        for n, elem in enumerate(printed, start=1):
            elem["aria-label"] = f"Printed output {n}" if len(printed) > 1 else "Printed output"
        figures = soup.select(f'img[alt="{NBCONVERT_ALT}"]')
        for n, elem in enumerate(figures, start=1):
            elem["alt"] = f"Figure {n} of {len(figures)} in {title}"
        text = str(soup)
        for key, markup in charts.items():
            text = text.replace(f"<!--{key}-->", markup, 1)
        return text

    def copy_files(self) -> list[Path]:
        for source, dest in sorted(self.copied.items()):
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
        return sorted(self.copied.values())


def site_pages(folder: Path = NOTEBOOKS) -> list[Page]:
    """Every page of the site, in navigation order."""
    import nbformat

    pages = [Page("index.html", "Home", "Tees safeguarding reviews 2017-21", None)]
    for path in notebooks(folder):
        nb = nbformat.read(path, as_version=4)
        first_md = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
        label = notebook_label(path)
        pages.append(Page(f"{path.stem}.html", label, plain_title(first_md, label), path))
    pages.append(Page("audit.html", "Audit table", "Reproduction audit table", None))
    pages.append(Page("methods.html", "Methods and quality", "Methods and quality", METHODS))
    pages.append(Page("codebook.html", "Codebook", "Codebook", CODEBOOK))
    pages.append(
        Page("assumptions.html", "Assumptions and caveats", "Assumptions and caveats", ASSUMPTIONS)
    )
    return pages


def _prepare(out_dir: Path) -> None:
    """Empty a previous build of the site; refuse to touch any other non-empty folder."""
    if out_dir.exists() and any(out_dir.iterdir()):
        if not (out_dir / MARKER).is_file():
            raise FileExistsError(
                f"{out_dir} is not empty and is not a site built by tees_analysis.report.site "
                f"(no {MARKER} file); choose an empty or new folder"
            )
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    marker = "built by python -m tees_analysis.report.site\n"
    (out_dir / MARKER).write_text(marker, encoding="utf-8")


def _is_notebook(page: Page) -> bool:
    return page.source is not None and page.source.suffix == ".ipynb"


def build_site(
    out_dir: Path = SITE,
    *,
    notebook_dir: Path = NOTEBOOKS,
    audit_csv: Path = AUDIT_CSV,
    figures_dir: Path = FIGURES,
) -> list[Path]:
    """Render the site into ``out_dir``; returns the pages written (in navigation order),
    then any repository files the pages link to (copied under ``files/``).

    ``figures_dir`` holds the charts' SVG files (``NAME.svg`` for an output whose metadata names
    figure ``NAME``)."""
    import nbformat

    out_dir = Path(out_dir).resolve()
    notebook_dir = Path(notebook_dir).resolve()
    pages = site_pages(notebook_dir)
    audit = read_audit(audit_csv)
    exporter = _exporter()
    linker = _Linker(pages, out_dir, [ROOT, notebook_dir.parent], Path(figures_dir).resolve())
    about = release()
    shared = {
        "banner": BANNER,
        "footer": FOOTER,
        "version": about.version,
        "released": about.released_text,
        "contact": about.contact_text,
        "addresses": [list(a) for a in about.addresses],
        "citation_href": linker.target(CITATION.name, CITATION.parent) or "index.html",
        "methods_href": "methods.html",
    }
    notebooks_read = {
        p.filename: nbformat.read(p.source, as_version=4) for p in pages if _is_notebook(p)
    }
    points = [
        found
        for p in pages
        if p.filename in notebooks_read
        and (found := main_points(notebooks_read[p.filename], p)) is not None
    ]
    _prepare(out_dir)
    written = []
    for page in pages:
        if page.filename == "index.html":
            markdown = index_markdown(pages, audit, points)
            nb, base = _markdown_notebook(markdown, page.title), notebook_dir
        elif page.filename == "audit.html":
            nb, base = _markdown_notebook(audit_markdown(audit), page.title), None
        elif page.filename in notebooks_read:
            nb, base = notebooks_read[page.filename], notebook_dir
            nb.metadata["title"] = page.title
            cell = _main_points_cell(nb)
            if cell is not None:
                cell.metadata["tees_site"] = {"anchor": MAIN_POINTS_ANCHOR}
        else:
            assert page.source is not None
            text = page.source.read_text(encoding="utf-8")
            nb, base = _markdown_notebook(text, page.title), page.source.parent
        nav = [
            {"href": p.filename, "label": p.label, "current": p is page}
            for p in pages  # the navigation bar, the same on every page
        ]
        resources = {
            "metadata": {"name": page.title, "path": str(base or ROOT)},
            "tees": {**shared, "nav": nav},
        }
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        body = linker.rewrite(body, base, page.title)
        target = out_dir / page.filename
        target.write_text(body.rstrip() + "\n", encoding="utf-8")
        written.append(target)
    return written + linker.copy_files()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SITE, help="folder (default: reports/site)")
    args = parser.parse_args(argv)
    try:
        written = build_site(args.out)
    except FileExistsError as err:
        print(err, file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {display(path)}")
    print(f"open {display(Path(args.out) / 'index.html')} in a web browser")
    return 0


if __name__ == "__main__":
    sys.exit(main())

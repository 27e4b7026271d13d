"""The report as a static HTML site that readers open without Python.

``python -m tees_analysis.report.site`` (or ``python3 tasks.py site``) renders, into
``reports/site/``:

- ``index.html``: the audit's headline (from ``reports/audit.csv``) and a link to every page;
- one page per notebook ``notebooks/NN_*.ipynb``, in reading order, from its *committed*
  outputs (nbconvert's ``HTMLExporter``; nothing is re-executed);
- ``audit.html``: the audit table, one row per published figure (``reports/audit.csv``);
- ``codebook.html`` and ``assumptions.html``: ``data/codebook.md`` and ``docs/assumptions.md``.

Every page is rendered by the same nbconvert template (``site_templates/tees``, an extension of
nbconvert's ``lab`` template) and carries a banner saying that the case-level data are
reconstructed from the published figures. Markdown pages go through nbconvert's own markdown
renderer (mistune), as one-cell notebooks. Pages are flat files linking to each other by
relative links, so the site works from the file system and from any static web server; it
loads nothing from the network, and the same inputs give byte-identical files (no timestamps).
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
from ..paths import CODEBOOK, NOTEBOOKS, ROOT, display

REPORTS = ROOT / "reports"
AUDIT_CSV = REPORTS / "audit.csv"
SITE = REPORTS / "site"
ASSUMPTIONS = ROOT / "docs" / "assumptions.md"
TEMPLATES = Path(__file__).resolve().parent / "site_templates"
TEMPLATE_NAME = "tees"
# Written into every site folder; a folder without it is never emptied by build_site.
MARKER = ".tees-site"
# Files linked from the pages but not rendered as pages are copied here, under their repo path.
FILES_DIR = "files"

BANNER = (
    "The case-level data behind these tables and figures are reconstructed from the figures "
    "published in the report. They are not the partnerships' case records, and no record of a "
    "real child is in this project."
)
FOOTER = (
    "Rendered from the committed notebooks and documents of the Tees safeguarding reviews "
    "analysis by 'python3 tasks.py site'; nothing was re-executed."
)
NBCONVERT_ALT = "No description has been provided for this image"


@dataclass(frozen=True)
class Page:
    filename: str  # e.g. "01_cleaning.html"
    label: str  # short name in the navigation bar
    title: str  # full title (the <title> and the index)
    source: Path | None  # the notebook or markdown file rendered, None for generated pages


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

    head = "".join(f"<th>{text(c)}</th>" for c in columns)
    body = []
    for row in rows:
        status = "exact" if row.get("status") == "exact" else "other"
        cells = "".join(f"<td>{text(row.get(c) or '')}</td>" for c in columns)
        body.append(f'<tr class="status-{status}">{cells}</tr>')
    return (
        '<div class="tees-wide"><table id="audit-table">\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody></table></div>"
    )


def index_markdown(pages: list[Page], audit: list[dict[str, str]] | None) -> str:
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
        "The statistics of *Tees Child Safeguarding Practice Reviews, Serious Case Reviews and "
        "Learning Reviews 2017-21: Learning and Themes* (South Tees STSCP and Hartlepool & "
        "Stockton-on-Tees HSSCP safeguarding children partnerships), recomputed by a "
        "collection of Jupyter notebooks. These pages show the notebooks as they were last "
        "executed, with their tables and figures; reading them needs only a web browser.\n\n"
        "## Headline\n\n"
        f'<p id="audit-headline"><strong>{html.escape(audit_headline(audit))}</strong> '
        'See <a href="audit.html">the audit table</a>.</p>\n\n'
        "## The notebooks, in reading order\n\n"
        f'<ol id="notebook-pages">\n{notebook_items}\n</ol>\n\n'
        "## Reference\n\n"
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


def _exporter(prompts: bool = True):
    """nbconvert's HTML exporter with the site template; ``prompts=False`` for pages that are
    only text (no code cells), which then use the full width of the page."""
    from nbconvert import HTMLExporter

    # nbconvert warns about every output image without alt text; the site sets alt itself.
    log = logging.getLogger("tees_analysis.report.site.nbconvert")
    log.setLevel(logging.ERROR)
    return HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES)],
        template_name=TEMPLATE_NAME,
        embed_images=True,  # images linked from markdown cells end up inside the page
        exclude_input_prompt=not prompts,
        exclude_output_prompt=not prompts,
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


class _Linker:
    """Rewrites the relative links of a page so that they work inside the site.

    A link to a file rendered as a page becomes a link to that page; a link to any other file of
    the repository becomes a link to a copy under ``files/``. Anything else is left alone (and
    the browser test reports it as broken).
    """

    def __init__(self, pages: list[Page], out_dir: Path):
        self.by_source = {p.source.resolve(): p.filename for p in pages if p.source is not None}
        self.out_dir = out_dir
        self.copied: dict[Path, Path] = {}

    def target(self, url: str, base: Path) -> str | None:
        parts = urlsplit(url)
        resolved = (base / unquote(parts.path)).resolve()
        if resolved in self.by_source:
            return urlunsplit(("", "", self.by_source[resolved], parts.query, parts.fragment))
        if resolved.is_file() and ROOT in resolved.parents:
            rel = resolved.relative_to(ROOT).as_posix()
            dest = self.out_dir / FILES_DIR / rel
            self.copied[resolved] = dest
            return urlunsplit(("", "", f"{FILES_DIR}/{quote(rel)}", parts.query, parts.fragment))
        return None

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
        figures = soup.select(f'img[alt="{NBCONVERT_ALT}"]')
        for n, elem in enumerate(figures, start=1):
            elem["alt"] = f"Figure {n} of {len(figures)} in {title}"
        return str(soup)

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


def build_site(
    out_dir: Path = SITE, *, notebook_dir: Path = NOTEBOOKS, audit_csv: Path = AUDIT_CSV
) -> list[Path]:
    """Render the site into ``out_dir``; returns the pages written (in navigation order),
    then any repository files the pages link to (copied under ``files/``)."""
    import nbformat

    out_dir = Path(out_dir).resolve()
    pages = site_pages(notebook_dir)
    audit = read_audit(audit_csv)
    exporter, text_exporter = _exporter(), _exporter(prompts=False)
    linker = _Linker(pages, out_dir)
    _prepare(out_dir)
    written = []
    for page in pages:
        if page.filename == "index.html":
            nb, base = _markdown_notebook(index_markdown(pages, audit), page.title), None
        elif page.filename == "audit.html":
            nb, base = _markdown_notebook(audit_markdown(audit), page.title), None
        elif page.source is not None and page.source.suffix == ".ipynb":
            nb = nbformat.read(page.source, as_version=4)
            nb.metadata["title"] = page.title
            base = page.source.parent
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
            "tees": {"nav": nav, "banner": BANNER, "footer": FOOTER},
        }
        is_notebook = page.source is not None and page.source.suffix == ".ipynb"
        convert = (exporter if is_notebook else text_exporter).from_notebook_node
        body, _ = convert(nb, resources=resources)
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

"""The static site's pages, from small synthetic notebooks (no browser needed).

A made-up project (``tests/site_project.py``: three notebooks, their charts' SVG files) is
rendered by ``tees_analysis.report.site.build_site``; the pages are read back with
BeautifulSoup. What a browser sees (accessibility, phone width) is checked by
``tests/test_site_browser.py`` on the committed notebooks.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from site_project import SVG, TITLED, build, main_points_cell, make_project, notebook

from tees_analysis.report import present, release, site, site_charts
from tees_analysis.report.disclosure import NOT_APPLICABLE, SUPPRESSED

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="module")
def built(project, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build(project, out)
    return out


def page(built: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((built / name).read_text(encoding="utf-8"), features="html.parser")


def test_code_is_folded_away_without_prompts(built):
    soup = page(built, "01_alpha.html")
    cells = soup.select(".jp-CodeCell")
    assert len(cells) == 6
    for cell in cells:
        details = cell.find("details", class_="tees-code")
        assert details is not None and details.summary.get_text(strip=True) == "Show code"
        assert details.find(class_="highlight") is not None  # the code is inside, folded
    text = soup.main.get_text()
    assert "In\xa0[" not in text and "Out[" not in text and "In [" not in text
    assert not soup.select(".jp-InputPrompt, .jp-OutputPrompt")


def test_error_streams_are_never_shown_and_notes_are_prose(built):
    soup = page(built, "01_alpha.html")
    assert "FutureWarning" not in str(soup)
    notes = soup.select(".tees-stdout")
    assert [n.get_text().strip().splitlines()[0] for n in notes][:2] == [
        "files read:",
        "x" * 60 + " is a long word",
    ]
    short, long = notes[0], notes[1]
    assert short.get("tabindex") is None  # wraps between words: no scrolling needed
    assert long["tabindex"] == "0" and long["role"] == "region" and long["aria-label"]


def test_nbconvert_tab_stops_removed_scroll_regions_kept(built):
    soup = page(built, "01_alpha.html")
    assert not soup.select("div.jp-OutputArea-output[tabindex], div.jp-Cell-inputWrapper[tabindex]")
    for region in soup.select(".tees-scroll"):
        assert region["tabindex"] == "0" and region["role"] == "region" and region["aria-label"]


def test_a_table_gets_a_focusable_scroll_container_and_cue(built):
    soup = page(built, "01_alpha.html")
    loose, formatted = soup.find_all("table")
    wrapper = loose.parent
    assert "tees-scroll" in wrapper["class"] and wrapper["aria-label"] == "Table 1"
    cue = wrapper.find_previous_sibling("p")
    assert cue is not None and "tees-scroll-cue" in cue["class"]
    # a table of the project's formatter keeps its own region and cue, not wrapped twice
    assert formatted.parent["aria-label"] == "Made-up counts"
    assert not formatted.parent.find_parent(class_="tees-scroll")
    assert "tees-scroll-cue" in formatted.parent.find_previous_sibling("p")["class"]


def test_downloads_resolve_inside_the_site(built):
    soup = page(built, "01_alpha.html")
    links = [a["href"] for a in soup.select(".tees-download a, a.tees-download")]
    assert links[:2] == ["files/figures/tables/counts.csv", "files/figures/01_chart.svg"]
    assert "files/figures/tables/01_counts.csv" in links  # written by the table formatter
    for link in links:
        assert (built / link).is_file(), link


def test_charts_are_drawn_from_their_svg_files(built):
    soup = page(built, "01_alpha.html")
    charts = soup.select("figure.tees-chart")
    assert len(charts) == 4  # 01_chart twice, 01_other, 03_sex; 01_missing has no SVG
    svgs = [c.find("svg") for c in charts]
    assert all(s["role"] == "img" and "width" not in s.attrs for s in svgs)
    assert all(s.find("metadata") is None and s.get("viewbox") for s in svgs)
    first, second, other, real = svgs
    title = soup.find(id=first["aria-labelledby"])
    assert title.name == "title" and title.get_text() == "Children by sex"
    assert soup.find(id=first["aria-describedby"]).get_text() == "Bars of the children by sex."
    assert second["aria-labelledby"] != first["aria-labelledby"]
    assert other.get("aria-labelledby") is None
    assert other["aria-label"] == "Line chart of reviews by year"
    # The committed chart carries its own <title> (charts.save writes it): named by that.
    real_title = soup.find(id=real["aria-labelledby"])
    assert real_title.name == "title" and real_title.get_text().strip()
    assert real.get("aria-label") is None
    for chart in charts:
        cue = chart.find_previous_sibling("p")
        assert "tees-chart-cue" in cue["class"] and chart["tabindex"] == "0"


def test_inlined_charts_have_no_colliding_ids_and_every_reference_resolves(built):
    soup = page(built, "01_alpha.html")
    ids = [e["id"] for e in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    known = set(ids)
    refs = []
    for svg in soup.select("figure.tees-chart svg"):
        for elem in svg.find_all(True):
            for key, value in elem.attrs.items():
                if key in ("href", "xlink:href") and value.startswith("#"):
                    refs.append(value[1:])
                refs += re.findall(r"url\(#([^)]+)\)", value if isinstance(value, str) else "")
        style = svg.find("style")
        assert style.string.startswith(f"#{svg['id']} *"), style.string  # scoped to its chart
    assert len(refs) > 9 and all(r in known for r in refs), sorted(set(refs) - known)


def test_other_images_keep_alt_text_from_their_metadata(built):
    soup = page(built, "01_alpha.html")
    alts = [img["alt"] for img in soup.select(".jp-OutputArea-output img")]
    assert alts[:2] == [
        "A chart whose SVG is missing",
        "A picture described in its own metadata",
    ]
    assert alts[2].startswith("Figure 1 of 1 in Alpha")  # nothing better is known
    assert not soup.select("[data-tees-figure]")


def test_index_lifts_main_points_in_notebook_order(built):
    soup = page(built, "index.html")
    headings = [h.get_text(strip=True).rstrip("¶") for h in soup.main.find_all("h2")]
    assert headings == ["Main points", "Reproduction status", "Pages"]
    items = soup.select("#main-points-list > li")
    texts = [" ".join(li.get_text().split()) for li in items]
    assert texts == [
        "First alpha point, see the details (01 Alpha)",
        "Second alpha point (01 Alpha)",
        "Gamma's first point (03 Gamma)",
    ]
    sources = [li.select_one(".tees-from a")["href"] for li in items]
    assert sources == ["01_alpha.html#main-points"] * 2 + ["03_gamma.html#main-points"]
    assert items[0].find("a")["href"] == "01_alpha.html#details"
    for target in {s.partition("#")[0] for s in sources}:
        assert page(built, target).find(id="main-points") is not None, target
    assert soup.find(id="main-points-none") is None


def test_index_says_plainly_when_no_notebook_has_main_points():
    pages = [site.Page("index.html", "Home", "Home", None)]
    text = site.index_markdown(pages, None, [])
    assert 'id="main-points-none"' in text and "main-points-list" not in text
    assert text.index("## Main points") < text.index("## Reproduction status")


def test_main_points_lift_count_defaults_to_none_and_caps_at_the_bullets():
    here = site.Page("x.html", "X", "X", Path("x.ipynb"))

    def lifted(metadata):
        nb = notebook("X", [main_points_cell("p", ["one", "two"], metadata)])
        return site.main_points(nb, here).lifted

    assert lifted(None) == ()
    assert lifted({"tees": {"index": 1}}) == ("one",)
    assert lifted({"tees": {"index": 5}}) == ("one", "two")
    assert lifted({"tees": {"index": -1}}) == lifted({"tees": {"index": "2"}}) == ()
    assert site.main_points(notebook("X", []), here) is None


def release_facts() -> tuple[str, str, str]:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    released = dt.date.fromisoformat(re.search(r"^date-released:\s*(\S+)", cff, re.M).group(1))
    author = re.search(r"^authors:\s*\n\s*- name:\s*\"?([^\"\n]+)", cff, re.M).group(1)
    return version["version"], f"{released.day} {released:%B %Y}", author


def test_every_page_shows_version_release_date_contact_and_methods_link(built):
    version, released, author = release_facts()
    pages = sorted(p.name for p in built.glob("*.html"))
    assert "methods.html" in pages
    for name in pages:
        soup = page(built, name)
        text = " ".join(soup.get_text().split())
        assert f"Version {version}, released {released}" in text, name
        assert author in soup.find(id="contact").get_text(), name
        assert soup.select_one("#release a")["href"] == "methods.html"
        assert "methods.html" in [a["href"] for a in soup.select("nav.tees-nav a")]
        assert soup.html["lang"] == "en" and soup.find("main", id="content") is not None
        assert soup.select_one("a.tees-skip")["href"] == "#content"
    assert (built / "files" / "CITATION.cff").is_file()


def test_methods_page_explains_the_symbols(built):
    soup = page(built, "methods.html")
    symbols = soup.find("h2", id=re.compile("Symbols"))
    table = symbols.find_next("table")
    listed = [row.find("td").get_text(strip=True) for row in table.find_all("tr")[1:]]
    # the marks the formatter and disclosure control print are the marks explained
    shown = {present.MISSING, SUPPRESSED, NOT_APPLICABLE, present.p_value(0.0001)}
    assert shown | {"not recorded"} <= set(listed), shown - set(listed)
    assert any(s.startswith(present.INFINITE) for s in listed)
    assert soup.find("a", href="assumptions.html") is not None


def test_citation_and_package_agree_on_the_version():
    cff = release.read_citation()
    assert str(cff["version"]) == release.package_version()
    assert release.release().released is not None


def test_release_reads_addresses_from_the_citation_file(tmp_path):
    cff = tmp_path / "CITATION.cff"
    cff.write_text(
        "cff-version: 1.2.0\nversion: 9.9.9\ndate-released: 2030-01-02\n"
        "authors:\n  - given-names: Ada\n    family-names: Lovelace\n"
        "repository-code: https://github.com/example/tees\n",
        encoding="utf-8",
    )
    about = release.release(cff, tmp_path / "no-pyproject.toml")
    assert about.released_text == "2 January 2030" and about.contact_text == "Ada Lovelace"
    assert dict(about.addresses) == {
        "source code": "https://github.com/example/tees",
        "issue tracker": "https://github.com/example/tees/issues",
    }
    empty = release.release(tmp_path / "none.cff", tmp_path / "no-pyproject.toml")
    assert empty.released_text == "not yet released" and empty.addresses == ()


def test_inline_svg_prefixes_every_id_and_reference():
    markup, name = site_charts.inline_svg(SVG.format(title=TITLED), "p-", None)
    assert name == "Children by sex"
    ids = re.findall(r'\bid="([^"]+)"', markup)
    assert ids and all(i.startswith("p-") for i in ids)
    assert "url(#p-clip1)" in markup and 'href="#p-glyph-a"' in markup
    assert 'xlink:href="#p-glyph-a"' in markup
    _, fallback = site_charts.inline_svg(SVG.format(title=""), "q-", "  An  alt ")
    assert fallback == "An alt"


def test_build_is_deterministic(project, built, tmp_path):
    again = tmp_path / "again"
    build(project, again)
    first = {p.relative_to(built): p.read_bytes() for p in built.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_build_refuses_a_folder_it_did_not_build(project, tmp_path):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError):
        build(project, foreign)
    assert [p.name for p in foreign.iterdir()] == ["keep.txt"]

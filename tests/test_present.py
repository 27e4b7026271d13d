"""The one table formatter and the scalar formatters readers see (tees_analysis.report.present).

Every expected text here is worked out by hand from the made-up input of the test (or, for
counts of rows and columns, from the input frame itself); none is a figure of the report.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from IPython.lib.pretty import pretty
from strategies import examples

from tees_analysis.report import present, table_layout
from tees_analysis.report.present import (
    INFINITE_NOTE,
    LINK_BASE,
    interval,
    is_p_column,
    number,
    p_value,
    percent,
    ratio,
    readable,
    table,
    words,
    yes_no,
)

MISSING_VALUES = [None, float("nan"), np.float64("nan"), pd.NA, pd.NaT, np.datetime64("NaT")]
#: What a reader must never see: Python showing through.
PYTHON = ["<NA>", "NaN", "None", "True", "False", "('", ",)", "NaT"]
WORDS = re.compile(r"\b(?:nan|inf)\b", re.IGNORECASE)
#: What a number cell may show: a number as readers write it, a dash, or words.
NUMBER_CELL = re.compile(r"–|infinite|minus infinite|< 0\.0*1|-?\d{1,3}(?:,\d{3})*(?:\.\d+)?%?")


def soup(t) -> BeautifulSoup:
    return BeautifulSoup(t.html, "html.parser")


def python_in(text: str) -> list[str]:
    """The bits of Python a reader would see in ``text``."""
    return [p for p in PYTHON if p in text] + WORDS.findall(text)


def body_rows(t) -> list[list[str]]:
    return [[c.get_text() for c in tr.find_all(["td", "th"])] for tr in soup(t).tbody("tr")]


def header_width(t, page: BeautifulSoup | None = None) -> list[int]:
    """The number of columns each header row covers (spans included, from above too)."""
    page = page or soup(t)
    rows = page.thead("tr") if page.thead else []
    covered: dict[tuple[int, int], bool] = {}
    widths = []
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr.find_all(["td", "th"]):
            while covered.get((r, c)):
                c += 1
            for dr in range(int(cell.get("rowspan", 1))):
                for dc in range(int(cell.get("colspan", 1))):
                    covered[(r + dr, c + dc)] = True
            c += int(cell.get("colspan", 1))
        widths.append(sum(1 for (row, _) in covered if row == r))
    return widths


def csv_rows(t) -> list[list[str]]:
    return list(csv.reader(io.StringIO(t.csv_path.read_text(encoding="utf-8"))))


# --------------------------------------------------------------------------- scalars


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (433.0, 0, "433"),
        (433.0, 2, "433"),
        (433, 2, "433"),
        (12345, 0, "12,345"),
        (-12345.0, 0, "-12,345"),
        (2.675, 2, "2.68"),  # half up on the decimal a reader sees, not the binary float
        (0.5, 0, "1"),
        (1234.5678, 1, "1,234.6"),
        (-0.0, 0, "0"),
        (-0.001, 2, "0.00"),
        (np.int64(7), 0, "7"),
        (np.float32(1.5), 1, "1.5"),
        (10**30, 0, "1" + ",000" * 10),
        (1e20, 0, "100" + ",000" * 6),
        (float("inf"), 0, "infinite"),
        (-np.inf, 2, "minus infinite"),
    ],
)
def test_number(value, decimals, expected):
    assert number(value, decimals) == expected


@pytest.mark.parametrize("value", MISSING_VALUES)
def test_missing_values_show_a_dash_everywhere(value):
    for formatter in (number, percent, p_value, ratio, yes_no):
        assert formatter(value) == "–"
    assert interval(value, 1.0) == "–"
    assert interval(1.0, value) == "–"


def test_number_refuses_text():
    with pytest.raises(TypeError, match="number"):
        number("12")


def test_percent():
    assert percent(38) == "38%"
    assert percent(38.0) == "38%"
    assert percent(12.5) == "13%"
    assert percent(12.345, 1) == "12.3%"
    assert percent(-0.2) == "0%"


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (0.0, "< 0.001"),
        (0.00099, "< 0.001"),
        (0.001, "0.001"),
        (0.0455, "0.046"),
        (0.05, "0.050"),
        (1, "1.000"),
        (np.float64(0.2), "0.200"),
    ],
)
def test_p_value(p, expected):
    assert p_value(p) == expected


def test_ratio():
    assert ratio(0) == "0"
    assert ratio(0.0) == "0"
    assert ratio(float("inf")) == "infinite"
    assert ratio(1.754) == "1.75"
    assert ratio(2) == "2.00"
    assert ratio(0.001) == "< 0.01"
    assert ratio(0.004, 3) == "0.004"
    assert ratio(1234.5) == "1,234.50"


def test_interval():
    assert interval(0.21, float("inf")) == "0.21 to infinite"
    assert interval(0, 3.5) == "0 to 3.50"
    assert interval(12, 45, kind="percent") == "12% to 45%"
    assert interval(12.25, 45, 1, kind="percent") == "12.3% to 45.0%"
    assert interval(1, 2.5, 1, kind="number") == "1 to 2.5"
    with pytest.raises(ValueError, match="kind"):
        interval(1, 2, kind="odds")


def test_words():
    assert words(("both parents",)) == "both parents"
    assert words(["a", "b"]) == "a and b"
    assert words(("a", "b", "c")) == "a, b and c"
    assert words({"b", "a"}) == "a and b"
    assert words(frozenset({"z", "y", "x"})) == "x, y and z"
    assert words(()) == ""
    assert words((3, 2.5, True, None)) == "3, 2.50, yes and –"
    assert words(("a", ("b", "c"))) == "a and b and c"
    assert words("already text") == "already text"


def test_yes_no():
    assert (yes_no(True), yes_no(False), yes_no(np.bool_(True)), yes_no(0)) == (
        "yes",
        "no",
        "yes",
        "no",
    )


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("percent_half_up", "Percent half up"),
        ("count", "Count"),
        ("p_value", "p-value"),
        ("p_holm", "p (Holm)"),
        ("ci_low", "CI low"),
        ("figure_id", "Figure ID"),
        ("p", "p"),
        ("n", "n"),
        ("Exact p", "Exact p"),
        ("% (half up)", "% (half up)"),
        ("STSCP", "STSCP"),
        ("Already Set_Case", "Already Set_Case"),
        ("count_STSCP", "Count STSCP"),
        ("STSCP_count", "STSCP count"),
        ("or_low", "OR low"),
        (2019, "2019"),
        (None, ""),
    ],
)
def test_readable_headers(label, expected):
    assert readable(label) == expected


def test_a_header_mapping_wins():
    assert readable("percent_half_up", {"percent_half_up": "%"}) == "%"


@pytest.mark.parametrize(
    "label", ["p", "p_value", "p-value", "p (Holm)", "exact p", "Exact p (Holm)", "p_holm",
              "fisher p-value", "p value", ("STSCP", "p")]
)  # fmt: skip
def test_p_columns_found_by_name(label):
    assert is_p_column(label)


@pytest.mark.parametrize("label", ["group_value", "top", "percent", "p_min", "pp", "ratio"])
def test_other_columns_are_not_p_columns(label):
    assert not is_p_column(label)


# --------------------------------------------------------------------------- tables


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "figures"


def mixed() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "partnership": ["STSCP", "HSSCP", "STSCP"],
            "count": [12.0, 12345.0, np.nan],
            "share": [1.0, 1.25, 0.5],
            "odds_ratio": [np.inf, 1.5, 0.0],
            "p_value": [0.0, 0.046, np.nan],
            "who": [("both parents",), ("mother", "father"), ()],
            "flag": [True, False, None],
        }
    )


def test_cells_are_formatted_by_column(folder):
    t = table(mixed(), "Made-up table", ratio_columns="odds_ratio")
    rows = body_rows(t)
    assert rows[0] == ["STSCP", "12", "1.00", "infinite", "< 0.001", "both parents", "yes"]
    assert rows[1] == ["HSSCP", "12,345", "1.25", "1.50", "0.046", "mother and father", "no"]
    assert rows[2] == ["STSCP", "–", "0.50", "0", "–", "–", "–"]
    headers = [th.get_text() for th in soup(t).thead("th")]
    assert headers == ["Partnership", "Count", "Share", "Odds ratio", "p-value", "Who", "Flag"]


def test_classes_scopes_caption_and_region(folder):
    t = table(mixed(), "Made-up & <table>")
    page = soup(t)
    assert page.table["class"] == ["tees-table"]
    assert page.caption.get_text() == "Made-up & <table>" == t.caption
    region = page.find("div", class_="tees-scroll")
    assert region["role"] == "region" and region["tabindex"] == "0"
    assert region["aria-label"] == "Made-up & <table>"
    assert region.table is page.table
    assert {th["scope"] for th in page.thead("th")} == {"col"}
    assert page.tbody.find("th") is None  # no row headers without an index
    classes = [td["class"] for td in page.tbody.tr("td")]
    assert classes == [["text"], ["num"], ["num"], ["num"], ["num"], ["text"], ["text"]]


def test_the_html_has_no_style_or_script_and_no_ids():
    t = table(mixed(), "Sanitizer-safe", name="safe", folder=Path(tempfile.mkdtemp()))
    assert not re.search(r"<style|style=|<script|\bid=|\bon\w+=", t.html)
    used = {c for tag in soup(t).find_all(class_=True) for c in tag["class"]}
    allowed = {"tees-table", "tees-scroll", "tees-scroll-cue", "num", "text"}
    assert used <= allowed | {"tees-table-notes", "tees-download"}


def test_per_column_decimals_missing_and_headers():
    frame = pd.DataFrame({"rate": [1.23456, np.nan], "sex": ["female", None]})
    t = table(
        frame,
        "Options",
        decimals={"rate": 3},
        missing={"sex": "not recorded"},
        headers={"rate": "Rate per child"},
    )
    assert body_rows(t) == [["1.235", "female"], ["–", "not recorded"]]
    assert [th.get_text() for th in soup(t).thead("th")] == ["Rate per child", "Sex"]


def test_text_saying_missing_shows_as_missing():
    t = table(pd.DataFrame({"a": ["nan", "<NA>", "None", "", "  ", "x"]}), "Stringified")
    assert body_rows(t) == [["–"]] * 5 + [["x"]]


def test_a_filtered_frame_loses_its_positions_but_a_named_index_heads_the_rows():
    frame = pd.DataFrame({"n": [1, 2, 3, 4]})
    filtered = table(frame[frame["n"] > 2], "Filtered")
    assert body_rows(filtered) == [["3"], ["4"]]
    kept = table(frame.rename_axis("child"), "Named positions")
    assert body_rows(kept)[0] == ["0", "1"]
    unnamed = table(frame.set_axis(["a", "b", "c", "d"]), "Unnamed labels")
    assert [c.get_text() for c in soup(unnamed).thead.tr.children] == ["", "n"]
    assert body_rows(unnamed)[0] == ["a", "1"]
    named = table(frame.set_axis(pd.Index(["a", "b", "c", "d"], name="group_name")), "Named")
    assert [th.get_text() for th in soup(named).thead("th")] == ["Group name", "n"]
    first = soup(named).tbody.tr
    assert first.th["scope"] == "row" and first.th.get_text() == "a"


def test_multiindex_rows_and_columns():
    rows = pd.MultiIndex.from_product([["STSCP", "HSSCP"], ["yes", "no"]], names=["where", None])
    columns = pd.MultiIndex.from_product([["reviews", "children"], ["n", "percent"]])
    frame = pd.DataFrame(np.arange(16).reshape(4, 4) * 2.5, index=rows, columns=columns)
    t = table(frame, "Two-level", percent_columns=["percent"])
    head = soup(t).thead("tr")
    assert len(head) == 2
    top = [(c.name, c.get_text(), c.get("colspan"), c.get("rowspan")) for c in head[0].children]
    assert top == [("th", "Where", None, "2"), ("td", "", None, None),
                   ("th", "Reviews", "2", None), ("th", "Children", "2", None)]  # fmt: skip
    assert [c.get_text() for c in head[1].children] == ["", "n", "Percent", "n", "Percent"]
    assert set(header_width(t)) == {6}
    body = body_rows(t)
    assert all(len(r) == 6 for r in body)
    assert body[0] == ["STSCP", "yes", "0", "3%", "5", "8%"]
    assert [c["scope"] for c in soup(t).tbody.tr("th")] == ["row", "row"]
    header = csv_rows(table(frame, "Two-level", name="two", folder=Path(tempfile.mkdtemp())))[0]
    assert header == ["Where", "", "Reviews: n", "Reviews: Percent", "Children: n",
                      "Children: Percent"]  # fmt: skip


def test_empty_labels_in_a_two_row_header():
    columns = pd.MultiIndex.from_tuples([("total", ""), ("STSCP", "n"), ("STSCP", "p"), ("", "x")])
    t = table(pd.DataFrame([[1, 2, 0.5, 3]], columns=columns), "Gaps")
    head = soup(t).thead("tr")
    top = [(c.name, c.get_text(), c.get("colspan"), c.get("rowspan")) for c in head[0].children]
    assert top == [("th", "Total", None, "2"), ("th", "STSCP", "2", None), ("td", "", None, None)]
    assert [c.get_text() for c in head[1].children] == ["n", "p", "x"]
    assert header_width(t) == [4, 4]
    assert body_rows(t) == [["1", "2", "0.500", "3"]]


def test_infinity_gets_a_note_unless_the_caller_gave_one():
    frame = pd.DataFrame({"odds_ratio": [np.inf, 2.0]})
    assert table(frame, "Inf").notes == (INFINITE_NOTE,)
    own = "Infinite where a cell is zero."
    assert table(frame, "Inf", notes=own).notes == (own,)
    assert table(frame.iloc[[1]], "Finite").notes == ()
    notes = soup(table(frame, "Inf", notes=["First."])).find(class_="tees-table-notes")
    assert [p.get_text() for p in notes("p")] == ["First.", INFINITE_NOTE]


def test_html_special_characters_and_non_ascii_text(folder):
    text = ["<script>alert(1)</script>", "Stockton-on-Tees & Hartlepool", "naïve – 日本語"]
    frame = pd.DataFrame({"label": text, "n": [1, 22, 333]})
    t = table(frame, "Escaped", name="escaped", folder=folder)
    assert "<script>" not in t.html
    assert [r[0] for r in body_rows(t)] == text
    assert [r[0] for r in csv_rows(t)[1:]] == text
    lines = t.text.splitlines()[2:7]  # header, rule, three rows
    ends = {table_layout.width(line) for line in lines}
    assert len(ends) == 1, lines  # numbers right-aligned to one edge, wide characters counted


def test_a_long_table_without_a_name_raises_and_writes_nothing(folder):
    frame = pd.DataFrame({"i": range(57)})
    with pytest.raises(ValueError, match="name"):
        table(frame, "Long", folder=folder)
    with pytest.raises(ValueError, match="summary"):
        table(frame, "Long", name="long", folder=folder, summary=frame.head(26))
    with pytest.raises(ValueError, match="caption"):
        table(frame.head(3), " ", name="short", folder=folder)
    with pytest.raises(ValueError, match="name"):
        table(frame.head(3), "Bad name", name="../escape", folder=folder)
    assert not folder.exists()


def test_a_long_table_shows_its_head_and_links_the_full_csv(folder):
    frame = pd.DataFrame({"i": range(57), "x": np.linspace(0, 1, 57)})
    t = table(frame, "Long", name="long", folder=folder)
    assert len(body_rows(t)) == 10
    notes = soup(t).find(class_="tees-table-notes").get_text()
    assert f"first 10 of {len(frame)} rows" in notes
    assert f"other {len(frame) - 10} are in" in notes
    link = soup(t).find("a", class_="tees-download")
    assert link["href"] == f"{LINK_BASE}/long.csv" == t.link
    assert link.has_attr("download")
    assert link.get_text() == f"Download this table (CSV, {len(frame)} rows)"
    assert t.csv_path == folder / "tables" / "long.csv"
    assert pd.read_csv(t.csv_path).shape == frame.shape


def test_a_long_table_can_show_a_summary(folder):
    frame = pd.DataFrame({"i": range(57)})
    summary = frame.describe().loc[["min", "max"]].rename_axis("statistic")
    t = table(frame, "Long", name="long", folder=folder, summary=summary)
    assert body_rows(t) == [["min", "0"], ["max", "56"]]
    assert "summary" in soup(t).find(class_="tees-table-notes").get_text()


def test_the_scroll_cue_only_for_wide_tables():
    narrow = table(pd.DataFrame({"a": [1], "b": [2]}), "Narrow")
    assert soup(narrow).find(class_="tees-scroll-cue") is None
    assert soup(narrow).find(class_="tees-scroll") is not None
    frame = pd.DataFrame({f"c{i}": [i] for i in range(9)})
    cue = soup(table(frame, "Wide")).find(class_="tees-scroll-cue")
    assert cue.get_text() == f"Wide table: scroll sideways to see all {frame.shape[1]} columns."
    long_headers = pd.DataFrame({"x" * 50: [1], "y" * 50: [2]})
    assert soup(table(long_headers, "Long headers")).find(class_="tees-scroll-cue")


def test_the_csv_holds_plain_numbers_and_readable_words(folder):
    frame = mixed()
    frame["note"] = ["=1+1", "-5", "@x"]
    t = table(frame, "CSV", name="mixed", folder=folder)
    raw = t.csv_path.read_bytes()
    assert b"\r" not in raw
    rows = csv_rows(t)
    assert rows[0] == ["Partnership", "Count", "Share", "Odds ratio", "p-value", "Who", "Flag",
                       "Note"]  # fmt: skip
    assert rows[1] == ["STSCP", "12", "1", "infinite", "0", "both parents", "yes", "'=1+1"]
    assert rows[2] == ["HSSCP", "12345", "1.25", "1.5", "0.046", "mother and father", "no", "-5"]
    assert rows[3] == ["STSCP", "", "0.5", "0", "", "", "", "'@x"]


def test_output_is_deterministic(folder):
    first = table(mixed(), "Same", name="same", folder=folder)
    written = first.csv_path.read_bytes()
    second = table(mixed(), "Same", name="same", folder=folder)
    assert (first.html, first.text) == (second.html, second.text)
    assert second.csv_path.read_bytes() == written
    assert "0x" not in first.html + first.text


def test_the_default_folder_is_the_figures_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(present.paths, "FIGURES", tmp_path)
    t = table(pd.DataFrame({"a": [1]}), "Default", name="default")
    assert t.csv_path == tmp_path / "tables" / "default.csv"
    assert t.csv_path.exists()


def test_plain_text_fallback():
    t = table(mixed(), "Plain")
    assert repr(t) == str(t) == pretty(t) == t.text
    lines = t.text.splitlines()
    assert lines[0] == "Plain"
    assert lines[2].split() == ["Partnership", "Count", "Share", "Odds", "ratio", "p-value",
                                "Who", "Flag"]  # fmt: skip
    assert set(lines[3]) == {"-", " "}
    assert python_in(t.text) == []


def test_empty_tables(folder):
    empty = table(pd.DataFrame(), "Nothing", name="nothing", folder=folder)
    assert "empty" in empty.text
    assert soup(empty).table is not None
    zero = table(pd.DataFrame(columns=["a_b", "c"]), "No rows", name="zero", folder=folder)
    assert [th.get_text() for th in soup(zero).thead("th")] == ["A b", "c"]
    assert body_rows(zero) == [["This table has no rows."]]
    assert soup(zero).tbody.td["colspan"] == "2"
    assert pd.read_csv(zero.csv_path).shape == (0, 2)


# --------------------------------------------------------------------------- any table

SAFE_TEXT = st.text(alphabet="abcdeéü &<>'\"–日", max_size=8)
NAMES = st.sampled_from(["count", "percent_half_up", "p_value", "odds_ratio", "Exact p",
                         "who", "flag", "group", "n"])  # fmt: skip


@st.composite
def cells(draw, n: int):
    """One column of ``n`` cells, of one of the kinds tables hold (missing values included)."""
    kind = draw(st.sampled_from(["int", "float", "text", "tuples", "bool", "Int64", "mixed"]))
    if kind == "int":
        return draw(st.lists(st.integers(-(10**12), 10**12), min_size=n, max_size=n))
    if kind == "float":
        special = st.sampled_from([np.nan, np.inf, -np.inf, -0.0, 433.0])
        value = st.floats(-1e9, 1e9) | special
        return draw(st.lists(value, min_size=n, max_size=n))
    if kind == "text":
        return draw(st.lists(SAFE_TEXT | st.none(), min_size=n, max_size=n))
    if kind == "tuples":
        seq = st.lists(SAFE_TEXT, max_size=3).map(tuple) | st.lists(SAFE_TEXT, max_size=2)
        return draw(st.lists(seq, min_size=n, max_size=n))
    if kind == "bool":
        return draw(st.lists(st.booleans(), min_size=n, max_size=n))
    if kind == "Int64":
        ints = st.lists(st.integers(0, 500) | st.just(pd.NA), min_size=n, max_size=n)
        return pd.array(draw(ints), dtype="Int64")
    anything = st.one_of(st.integers(0, 99), st.floats(0, 1), SAFE_TEXT, st.just(pd.NA),
                         st.booleans(), st.tuples(SAFE_TEXT))  # fmt: skip
    return pd.Series(draw(st.lists(anything, min_size=n, max_size=n)), dtype=object)


@st.composite
def frames(draw) -> pd.DataFrame:
    n = draw(st.integers(0, 12))
    n_columns = draw(st.integers(1, 8))
    frame = pd.DataFrame({j: draw(cells(n)) for j in range(n_columns)})
    names = [draw(NAMES) for _ in range(n_columns)]
    if draw(st.booleans()) and n_columns >= 2:
        top = [draw(st.sampled_from(["STSCP", "HSSCP", ""])) for _ in range(n_columns)]
        frame.columns = pd.MultiIndex.from_arrays([sorted(top), names])
    else:
        frame.columns = names
    index = draw(st.sampled_from(["range", "named", "multi", "positions"]))
    if index == "named":
        frame.index = pd.Index([f"row {i}" for i in range(n)], name="group_name")
    elif index == "multi":
        frame.index = pd.MultiIndex.from_arrays([[i % 2 for i in range(n)], list(range(n))],
                                                names=["outer", "inner"])  # fmt: skip
    elif index == "positions":
        frame.index = [3 * i for i in range(n)]
    return frame


@settings(max_examples=examples(40))
@given(frame=frames(), max_rows=st.integers(1, 15), show_rows=st.integers(1, 15))
def test_no_python_shows_through_any_table(frame, max_rows, show_rows):
    show_rows = min(show_rows, max_rows)
    with tempfile.TemporaryDirectory() as tmp:
        t = table(frame, "Any table", name="any", folder=Path(tmp), max_rows=max_rows,
                  show_rows=show_rows)  # fmt: skip
        page = BeautifulSoup(t.html, "html.parser")
        assert python_in(page.get_text(" ")) == []
        assert python_in(t.text) == []
        for cell in page.tbody.find_all(class_="num"):
            assert NUMBER_CELL.fullmatch(cell.get_text()), cell
        widths = header_width(t, page)
        assert len(set(widths)) == 1
        for tr in page.tbody("tr"):
            assert sum(int(c.get("colspan", 1)) for c in tr(["td", "th"])) == widths[0]
        n_index = 0 if frame.index.dtype.kind == "i" else frame.index.nlevels
        read = pd.read_csv(t.csv_path)
        assert read.shape == (len(frame), n_index + frame.shape[1])
        shown = len(frame) if len(frame) <= max_rows else show_rows
        assert len(page.tbody("tr")) == max(shown, 1)


def test_the_html_is_well_formed():
    """Every element opened is closed, in order (BeautifulSoup would silently repair it)."""
    from html.parser import HTMLParser

    void = {"br", "hr", "img", "input", "meta", "link", "col", "wbr"}
    stack: list[str] = []

    class Check(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag not in void:
                stack.append(tag)

        def handle_endtag(self, tag):
            assert stack and stack.pop() == tag, (tag, stack)

    rows = pd.MultiIndex.from_product([["a", "b"], ["c", "d"]], names=["x", "y"])
    frame = pd.DataFrame({"p": [0.2, 0.01, 0.0, 1.0], "odds_ratio": np.inf}, index=rows)
    for t in (table(frame, "Well formed", notes="A note."), table(pd.DataFrame(), "Empty")):
        Check().feed(t.html)
        assert stack == []
        assert str(soup(t)).count("<tr>") == t.html.count("<tr>")

"""National reference figures beside the Tees shares (notebook 07).

``data/external/national_reference.csv`` holds figures from national sources -- serious incident
notifications (Ofsted, then the Department for Education), the Child Safeguarding Practice
Review Panel, Cafcass -- one row each with its source (title, publisher, year, address, place in
the source), value, denominator and definition, and whether it was read in the source itself
(``primary``) or in a summary that reports it (``secondary``). Only figures read in the text of
a source are there; ``data/external/README.md`` says what was searched and left out.

:func:`tees_measures` gives the Tees shares over every dataset *consistent with the report*
(one that satisfies as many published figures as any dataset can, 49 of 57 in the report's
case; :func:`tees_analysis.analysis.ranges.consistent_model`). A count that is the same in
every such dataset, with every figure it adds up holding in each of them, is labelled
``published figures``; any other count is given as its range over those datasets
(``range over consistent datasets``), never as the value of one of them. The outcome counts are
such a range: the report's HSSCP outcome counts cannot all hold with its other figures, and
which one gives way is not identified (:func:`outcome_margins`). Intervals are 95% Wilson
intervals, for a range from the lower bound of the smallest count to the upper bound of the
largest.

Shares are per child or per review, and each national figure is set beside the Tees share of
the same unit only (assumption A46): a national share of reviews beside the share of Tees
reviews with the theme, a share of notifications (one per incident) beside a share of Tees
children. :func:`comparison` gives each pair and says what still differs; national figures with
no Tees share of their unit are listed by :func:`not_compared`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..data import atomic
from ..paths import DATA, display
from ..published.figures import load_published
from ..published.rules import Rules, load_rules
from ..reconstruction.identified import maximum_rows
from ..reconstruction.ilp import Expr, Row
from . import ranges, stats
from .identification import READINGS_FILE
from .tables import chosen_readings

NATIONAL_FILE = DATA / "external" / "national_reference.csv"
NATIONAL_README = DATA / "external" / "README.md"
BOUNDS_FILE = DATA / "reconstruction" / "bounds.csv"

#: Columns of the national file, in order, and those that must never be blank.
COLUMNS = (
    "id", "measure", "compare_with", "value", "unit", "numerator", "denominator",
    "denominator_unit", "approximate", "period", "population", "definition", "source_title",
    "publisher", "year", "url", "location", "source_kind", "reports_on", "notes",
)  # fmt: skip
REQUIRED = (
    "id", "measure", "value", "unit", "approximate", "period", "population", "definition",
    "source_title", "publisher", "year", "url", "location", "source_kind",
)  # fmt: skip
UNITS = ("count", "percent")
SOURCE_KINDS = ("primary", "secondary")

CHILDREN, REVIEWS = "children", "reviews"
#: What a national figure counts, from a word of its ``denominator_unit``: a notification is
#: about one incident (one child, or siblings harmed together) and is compared per child.
NATIONAL_UNITS = {"review": REVIEWS, "notification": CHILDREN}
#: The words of a Tees unit in the comparison table.
PER = {CHILDREN: "child (national: notification)", REVIEWS: "review"}

#: Label of a count that is the same in every consistent dataset, every figure holding.
PUBLISHED = "published figures"
#: Label of a count that differs between consistent datasets (or a figure that may fail).
RANGE = "range over consistent datasets"
#: The scope of the two partnerships together.
TEES = "Tees"

#: Outcome categories, in the order of :func:`ranges.context_margins` (died, harmed, rest).
OUTCOMES = ("died", "significant harm", "not recorded")
#: Their column names in :func:`outcome_margins`.
OUTCOME_COLUMNS = ("died", "significantly harmed", "outcome not recorded")
#: Tees outcome measures: key -> (words, outcome category, figures of the two partnerships).
TEES_OUTCOMES = {
    "children_died": ("children who died", "died", ("ST-OUT-DIED", "HS-OUT-DIED")),
    "children_significant_harm": (
        "children significantly harmed",
        "significant harm",
        ("ST-OUT-HARM", "HS-OUT-HARM"),
    ),
    "children_outcome_not_recorded": (
        "children whose outcome is not recorded",
        "not recorded",
        ("ST-OUT-NR", "HS-OUT-NR"),
    ),
}
#: The factors of the theme lines: key -> (words, children figure, reviews figure). The words
#: of the children measure follow the reading of the children counts (:func:`child_words`).
FACTORS = {
    "domestic_abuse": ("domestic abuse", "TH-DA-CH", "TH-DA-RV"),
    "parental_mental_ill_health": ("parental mental ill-health", "TH-PMH-CH", "TH-PMH-RV"),
    "substance_misuse": ("substance misuse", "TH-SUBST-CH", "TH-SUBST-RV"),
    "neglect": ("neglect", "TH-NEGLECT-CH", "TH-NEGLECT-RV"),
}
#: Other Tees measures that add up figures: key -> (words, figure ids).
TEES_FIGURES = {"children_under_2": ("children under 2", ("ST-AGE-U2", "HS-AGE-U2"))}
#: Tees toxic-trio measures, only partially identified: key -> (words, bounds quantity, flip).
#: ``flip``: the measure is n minus the bounded quantity ("at least one" = n - "none").
TEES_BOUNDED = {
    "children_all_three": ("children with all three factors", "all_three", False),
    "children_any_of_three": ("children with at least one of the three", "none", True),
}
#: Every Tees measure and what it counts, in the order of the tables.
TEES_UNITS = {
    **dict.fromkeys(TEES_OUTCOMES, CHILDREN),
    **{f"children_{key}": CHILDREN for key in FACTORS},
    **dict.fromkeys(TEES_FIGURES, CHILDREN),
    **dict.fromkeys(TEES_BOUNDED, CHILDREN),
    **{f"reviews_{key}": REVIEWS for key in FACTORS},
}
TEES_KEYS = tuple(TEES_UNITS)

#: How a children count of a theme line counts, by the ``count`` of its reading's option.
CHILD_WORDS = {
    "children_with_indicator": "children with {factor}",
    "children_in_flagged_reviews": "children of reviews with the {factor} theme",
    "indicator_children_in_flagged_reviews": "children with {factor} in reviews with the theme",
}
AGE_NOTE = (
    " Different age cut: under 1 nationally, under 2 in Tees; a national under-2 share would "
    "be at least the under-1 share."
)


def family(row) -> str:
    """The kind of national source: ``cafcass``, ``panel_nonfatal`` or ``notifications``."""
    if "CAFCASS" in row["id"]:
        return "cafcass"
    if str(row["denominator_unit"]).startswith("non-fatal"):
        return "panel_nonfatal"
    return "notifications"


def national_unit(row) -> str | None:
    """What a national figure counts, as a Tees unit (``children`` or ``reviews``), from its
    ``denominator_unit``; ``None`` when that names neither reviews nor notifications."""
    text = str(row["denominator_unit"]).casefold()
    found = {unit for word, unit in NATIONAL_UNITS.items() if word in text}
    return found.pop() if len(found) == 1 else None


# =========================================================================== the national file


def read_national(path: Path | str = NATIONAL_FILE) -> pd.DataFrame:
    """The national file as text columns (blank cells as empty strings)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def problems(frame: pd.DataFrame, units: Mapping[str, str] = TEES_UNITS) -> list[str]:
    """Everything wrong with the national table; empty when it is well-formed.

    ``units``: the Tees measures a row may be compared with, and what each counts; a row may
    name only a measure that counts what the row counts (reviews or children).
    """
    out = []
    missing = [c for c in COLUMNS if c not in frame]
    if missing:
        return [f"missing columns: {', '.join(missing)}"]
    if list(frame.columns) != list(COLUMNS):
        out.append("columns are not in the documented order")
    dupes = frame["id"][frame["id"].duplicated()].tolist()
    if dupes:
        out.append(f"duplicate ids: {', '.join(dupes)}")
    for i, row in frame.iterrows():
        where = f"row {i + 2} ({row['id'] or 'no id'})"
        for column in REQUIRED:
            if not str(row[column]).strip():
                out.append(f"{where}: {column} is blank")
        if not str(row["url"]).startswith("https://"):
            out.append(f"{where}: url must start with https://")
        if row["unit"] not in UNITS:
            out.append(f"{where}: unit must be one of {UNITS}")
        if row["source_kind"] not in SOURCE_KINDS:
            out.append(f"{where}: source_kind must be one of {SOURCE_KINDS}")
        if row["source_kind"] == "secondary" and not str(row["reports_on"]).strip():
            out.append(f"{where}: a secondary source must say what it reports on")
        if row["approximate"] not in ("yes", "no"):
            out.append(f"{where}: approximate must be yes or no")
        key = row["compare_with"]
        if key and key not in units:
            out.append(f"{where}: compare_with {key!r} is not a Tees measure")
        elif key:
            counted = national_unit(row)
            if counted is None:
                out.append(
                    f"{where}: denominator_unit must say what is counted "
                    f"({' or '.join(NATIONAL_UNITS)}s) to compare it with a Tees share"
                )
            elif counted != units[key]:
                out.append(
                    f"{where}: compare_with {key!r} counts {units[key]}, but the figure counts "
                    f"{row['denominator_unit']} (compared per {counted[:-1]}): not like with like"
                )
        numbers = {}
        for column in ("value", "numerator", "denominator", "year"):
            text = str(row[column]).strip()
            if not text:
                continue
            try:
                number = float(text)
            except ValueError:
                number = math.nan
            if math.isfinite(number):
                numbers[column] = number
            else:  # also "nan" and "inf", which float() accepts
                out.append(f"{where}: {column} {text!r} is not a number")
        value, num, den = (numbers.get(c) for c in ("value", "numerator", "denominator"))
        if value is not None and value < 0:
            out.append(f"{where}: value must not be negative")
        if row["unit"] == "percent" and value is not None and value > 100:
            out.append(f"{where}: a percent must be at most 100")
        if den is not None and den <= 0:
            out.append(f"{where}: denominator must be positive")
        if num is not None and den is not None and num > den:
            out.append(f"{where}: numerator exceeds denominator")
        if row["unit"] == "count" and den is not None and num != value:
            out.append(f"{where}: a count with a denominator must equal its numerator")
        ratio = num is not None and den is not None and den > 0 and value is not None
        if ratio and row["unit"] == "percent" and abs(100 * num / den - value) >= 0.5:
            out.append(f"{where}: {num:g} of {den:g} does not round to {value:g}%")
        if row["compare_with"] and den is None and row["unit"] == "count":
            out.append(f"{where}: a count compared with a Tees share needs a denominator")
    return out


def load_national(path: Path | str = NATIONAL_FILE) -> pd.DataFrame:
    """The national table, checked, with a numeric ``percent`` column (the printed percent,
    or 100 x numerator / denominator for counts)."""
    frame = read_national(path)
    found = problems(frame)
    if found:
        raise ValueError("the national reference file is not well-formed:\n" + "\n".join(found))
    out = frame.copy()
    for column in ("value", "numerator", "denominator"):
        out[column] = pd.to_numeric(out[column].replace("", np.nan))
    out["year"] = out["year"].astype(int)
    percent = np.where(
        out["unit"] == "percent",
        out["value"],
        100 * out["numerator"] / out["denominator"],
    )
    out["percent"] = pd.Series(percent, index=out.index).astype(float)
    return out


def sources(national: pd.DataFrame) -> pd.DataFrame:
    """One row per source: title, publisher, year, address, kind and the ids it gives."""
    grouped = national.groupby(["source_title", "publisher", "year", "url", "source_kind"],
                               sort=False)["id"]  # fmt: skip
    return grouped.agg(", ".join).rename("figures").reset_index()


# =========================================================================== consistent datasets


def _consistent(model, best):
    """The reconstruction's model and its most figures that hold (built when not given)."""
    return ranges.consistent_model() if model is None else (model, best)


def _range(model, extra: list[Row], expr: Expr) -> tuple[int, int]:
    """Smallest and largest value of ``expr`` over the datasets meeting ``extra``."""
    low = model.ilp.solve(expr, extra=extra)
    high = model.ilp.solve(expr, maximize=True, extra=extra)
    if low is None or high is None:
        raise ValueError("no dataset satisfies as many figures as the model says it can")
    return low.count(expr), high.count(expr)


def figure_ranges(ids, model=None, best: int | None = None) -> pd.DataFrame:
    """Per published figure: its count and denominator over every consistent dataset, and
    whether it holds in every one of them.

    A figure that fails in some consistent dataset is one whose satisfied indicator can be 0
    there: with ``best`` the most figures any dataset satisfies, such a dataset cannot satisfy
    it anyway (it would then satisfy ``best + 1``).
    """
    model, best = _consistent(model, best)
    extra = maximum_rows(model, best)
    rows = []
    for fid in ids:
        count = _range(model, extra, model.count[fid])
        n = _range(model, extra, model.denominator[fid])
        z = model.z[fid]
        rows.append(
            {"figure_id": fid, "count_low": count[0], "count_high": count[1],
             "n_low": n[0], "n_high": n[1],
             "holds_always": model.ilp.solve(z, extra=extra).count(z) == 1}
        )  # fmt: skip
    return pd.DataFrame(rows).set_index("figure_id")


def _published_outcomes(published: pd.DataFrame, p: str) -> dict[str, tuple[str, int]]:
    """A partnership's published outcome counts: category -> (figure id, value)."""
    rows = published[(published["measure"] == "outcome") & (published["partnership"] == p)]
    return {r.category: (r.figure_id, int(r.value)) for r in rows.itertuples()}


def outcome_margins(model=None, best: int | None = None) -> pd.DataFrame:
    """Every outcome margin (died, significantly harmed, not recorded) some consistent dataset
    has: one row per margin of each partnership (:func:`ranges.context_margins`), then one per
    combination of the partnerships' margins that one dataset has together (checked by the
    integer program), with their sums (scope ``Tees``).

    ``published counts that do not hold`` names the outcome figures whose published count the
    margin does not have.
    """
    model, best = _consistent(model, best)
    margins = ranges.context_margins(model, best)["outcome"]
    parts = model.plan.partnerships
    published = load_published()
    rows = []
    for p in parts:
        for margin, _ways in margins[p]:
            rows.append(_margin_row(p, margin, [(p, margin)], published))
    extra = maximum_rows(model, best)
    for combo in itertools.product(*(margins[p] for p in parts)):
        chosen = [(p, margin) for p, (margin, _ways) in zip(parts, combo, strict=True)]
        fixed = [
            Row(model.children(p, (("outcome", category),)), k, k)
            for p, margin in chosen
            for category, k in zip(OUTCOMES, margin, strict=True)
        ]
        if len(parts) > 1 and model.ilp.solve(None, extra=[*extra, *fixed]) is None:
            continue
        total = tuple(sum(m[i] for _, m in chosen) for i in range(len(OUTCOMES)))
        rows.append(_margin_row(TEES, total, chosen, published))
    return pd.DataFrame(rows)


def _margin_row(scope: str, margin, chosen, published) -> dict:
    failed = []
    for p, m in chosen:
        for category, k in zip(OUTCOMES, m, strict=True):
            fid, value = _published_outcomes(published, p).get(category, (None, None))
            if fid is not None and k != value:
                failed.append(f"{fid} (published {value}, here {k})")
    return {
        "scope": scope,
        "children": int(sum(margin)),
        **dict(zip(OUTCOME_COLUMNS, (int(k) for k in margin), strict=True)),
        "published counts that do not hold": "; ".join(failed) or "none",
    }


# =========================================================================== Tees


def theme_reading(figure_id: str, rules: Rules | None = None, readings=READINGS_FILE):
    """The option of the reading chosen (``readings.csv``, as notebook 04 shows it) for a
    published figure, such as a theme line's children count; ``None`` when no reading covers
    the figure."""
    rules = load_rules() if rules is None else rules
    figure = load_published().set_index("figure_id").loc[figure_id]
    reading = rules.reading_for(figure["measure"], figure["category"])
    if reading is None:
        return None
    return reading.option(chosen_readings(readings, rules)[reading.id])


def child_words(factor: str, option) -> str:
    """The words of a theme line's children count under its reading's option."""
    count = "children_with_indicator" if option is None else option.params["count"]
    return CHILD_WORDS[count].format(factor=factor)


def tees_measures(
    model=None,
    best: int | None = None,
    bounds: Path | str = BOUNDS_FILE,
    rules: Rules | None = None,
    readings: Path | str = READINGS_FILE,
) -> pd.DataFrame:
    """Tees shares over every dataset consistent with the report, with 95% Wilson intervals.

    One row per measure (:data:`TEES_KEYS`), per child or per review (``unit``):

    * outcomes: the Tees margins of :func:`outcome_margins` (sums of the partnerships'
      consistent margins that one dataset has together);
    * the factors per child and per review, and the under-2s: the range of the sum of the
      figures' counts over the consistent datasets (integer programs);
    * the toxic-trio combinations: the exact range over the consistent datasets
      (``data/reconstruction/bounds.csv``).

    ``identified`` is :data:`PUBLISHED` when the count is the same in every consistent dataset
    and every figure it adds up holds in each of them, else :data:`RANGE`. ``from`` says where
    the count comes from: each figure's count over the consistent datasets and its published
    value. The interval runs from the Wilson lower bound of the smallest count to the Wilson
    upper bound of the largest.
    """
    model, best = _consistent(model, best)
    rules = load_rules() if rules is None else rules
    published = load_published().set_index("figure_id")
    ids = [fid for _, _, fids in TEES_OUTCOMES.values() for fid in fids]
    ids += [fid for _, child, review in FACTORS.values() for fid in (child, review)]
    ids += [fid for _, fids in TEES_FIGURES.values() for fid in fids]
    per_figure = figure_ranges(ids, model, best)
    extra = maximum_rows(model, best)
    rows = []
    margins = outcome_margins(model, best)
    tees = margins[margins["scope"] == TEES]
    sizes = set(tees["children"])
    if len(sizes) != 1:
        raise ValueError(f"the number of children differs between consistent datasets: {sizes}")
    (n_children,) = sizes
    for key, (words, category, fids) in TEES_OUTCOMES.items():
        column = OUTCOME_COLUMNS[OUTCOMES.index(category)]
        low, high = int(tees[column].min()), int(tees[column].max())
        rows.append(_measure(key, words, CHILDREN, low, high, n_children, per_figure, fids,
                             published))  # fmt: skip
    measures = []
    for key, (factor, child, _review) in FACTORS.items():
        option = theme_reading(child, rules, readings)
        measures.append((f"children_{key}", child_words(factor, option), CHILDREN, (child,)))
    for key, (words, fids) in TEES_FIGURES.items():
        measures.append((key, words, CHILDREN, fids))
    reviews = [
        (f"reviews_{key}", f"reviews with the {factor} theme", REVIEWS, (review,))
        for key, (factor, _child, review) in FACTORS.items()
    ]
    for key, words, unit, fids in measures + reviews:
        low, high = _range(model, extra, Expr.total(model.count[f] for f in fids))
        n_low, n_high = _range(model, extra, Expr.total(model.denominator[f] for f in fids))
        if n_low != n_high:
            raise ValueError(f"{key}: the denominator differs between consistent datasets")
        rows.append(_measure(key, words, unit, low, high, n_low, per_figure, fids, published))
    trio = pd.read_csv(bounds)
    by_quantity = trio[trio["scope"] == TEES].set_index("quantity")
    for key, (words, quantity, flip) in TEES_BOUNDED.items():
        row = by_quantity.loc[quantity]
        n = int(str(row["margins"]).rsplit(" of ", 1)[1])
        low, high = int(row["min"]), int(row["max"])
        source = f"exact bounds over consistent datasets (bounds.csv, Tees {quantity})"
        if flip:
            low, high = n - high, n - low
            source = f"{n} minus the {source}"
        kind = PUBLISHED if low == high else RANGE
        rows.append(_row(key, words, CHILDREN, low, high, n, kind, source))
    order = {key: i for i, key in enumerate(TEES_KEYS)}
    frame = pd.DataFrame(rows)
    return frame.sort_values("key", key=lambda s: s.map(order)).reset_index(drop=True)


def _span(low: int, high: int) -> str:
    return f"{low}" if low == high else f"{low} to {high}"


def _figure_source(fid: str, r, published) -> str:
    unit = "%" if published.loc[fid, "unit"] == "percent" else ""
    n = f" of {_span(int(r['n_low']), int(r['n_high']))}"
    value = f"{published.loc[fid, 'value']:g}{unit}"
    return f"{fid}: {_span(int(r['count_low']), int(r['count_high']))}{n} (published {value})"


def _measure(key, words, unit, low, high, n, per_figure, fids, published) -> dict:
    holds = bool(per_figure.loc[list(fids), "holds_always"].all())
    kind = PUBLISHED if low == high and holds else RANGE
    source = " + ".join(_figure_source(f, per_figure.loc[f], published) for f in fids)
    return _row(key, words, unit, low, high, n, kind, source)


def _row(key, words, unit, low, high, n, kind, source) -> dict:
    ci_low = float(stats.proportion_interval(low, n)[0])
    ci_high = float(stats.proportion_interval(high, n)[1])
    return {
        "key": key,
        "measure": words,
        "unit": unit,
        "count_low": low,
        "count_high": high,
        "n": n,
        "percent_low": 100 * low / n,
        "percent_high": 100 * high / n,
        "ci_low": 100 * ci_low,
        "ci_high": 100 * ci_high,
        "identified": kind,
        "from": source,
    }


def tees_text(row) -> str:
    """``'22 of 27 children (81%; 95% CI 63-92%)'``, or a range when it is not identified."""
    if row["count_low"] == row["count_high"]:
        share = f"{row['count_low']} of {row['n']} {row['unit']} ({row['percent_low']:.0f}%"
    else:
        share = (
            f"{row['count_low']} to {row['count_high']} of {row['n']} {row['unit']} "
            f"({row['percent_low']:.0f}-{row['percent_high']:.0f}%"
        )
    return f"{share}; 95% CI {row['ci_low']:.0f}-{row['ci_high']:.0f}%)"


def national_text(row) -> str:
    """``'223 of 536 notifications (41.6%)'`` or ``'71% of 97 serious case reviews'``."""
    about = "about " if row["approximate"] == "yes" else ""
    if pd.notna(row["numerator"]) and pd.notna(row["denominator"]):
        return (
            f"{row['numerator']:.0f} of {row['denominator']:.0f} {row['denominator_unit']} "
            f"({about}{row['percent']:.1f}%)"
        )
    if pd.notna(row["denominator"]):
        return f"{about}{row['value']:g}% of {row['denominator']:.0f} {row['denominator_unit']}"
    return f"{about}{row['value']:g}% of {row['denominator_unit']}"


# =========================================================================== side by side


def totals(tees: pd.DataFrame) -> dict[str, int]:
    """The Tees denominators by unit: ``{'children': 27, 'reviews': 24}``."""
    out = {}
    for unit, n in tees.groupby("unit")["n"]:
        if n.nunique() != 1:
            raise ValueError(f"the Tees {unit} measures have different denominators")
        out[str(unit)] = int(n.iloc[0])
    return out


def report_period(rules: Rules | None = None) -> str:
    """The report's years, ``'2017-21'`` (``[construction] years`` of the counting rules)."""
    rules = load_rules() if rules is None else rules
    first, last = rules.construction["years"]
    return f"{first}-{last % 100:02d}" if first // 100 == last // 100 else f"{first}-{last}"


def _sentence_case(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:]


def tees_population(tees: pd.DataFrame, unit: str, period: str) -> str:
    """``'the 27 children of the 24 local reviews of 2017-21'`` (or of the reviews only)."""
    n = totals(tees)
    reviews = f"the {n[REVIEWS]} local reviews of {period}"
    return reviews if unit == REVIEWS else f"the {n[CHILDREN]} children of {reviews}"


def what_differs(row, t, tees: pd.DataFrame, period: str, rules=None, readings=READINGS_FILE):
    """What differs between a national figure ``row`` and the Tees measure ``t`` beside it,
    in words generated from both (the national row's own definition and population; the
    Tees totals and the reading of the theme lines' children counts)."""
    who = tees_population(tees, t["unit"], period)
    kind = family(row)
    if kind == "cafcass":
        national = f"National: {row['population']}; {row['definition']}."
    elif kind == "panel_nonfatal":
        national = (
            f"National: {row['definition']}, the factor as recorded for the incident; the "
            "fatal notifications are left out."
        )
    else:
        national = (
            f"National: {row['definition']}, among {row['population']}; counted when notified, "
            "and most never lead to a local review."
        )
    factor = next((f for f in FACTORS if t.name in (f"children_{f}", f"reviews_{f}")), None)
    if factor is not None and t["unit"] == REVIEWS:
        words = FACTORS[factor][0]
        tees_words = (
            f"Tees: {who}, a review counted when it identified {words} as a learning theme."
        )
    elif factor is not None:
        option = theme_reading(FACTORS[factor][1], rules, readings)
        reading = (
            f", a child counted as notebook 04 reads the theme line's children count "
            f"({_sentence_case(option.meaning)})"
            if option is not None
            else ""
        )
        tees_words = f"Tees: {who}, whatever their outcome{reading}."
    else:
        tees_words = f"Tees: {who}, a selected subset of such incidents."
    out = f"{national} {tees_words}"
    if t.name == "children_under_2":
        out += AGE_NOTE
    return out


def comparison(
    national: pd.DataFrame, tees: pd.DataFrame, rules: Rules | None = None, readings=READINGS_FILE
) -> pd.DataFrame:
    """Each national figure that has a Tees counterpart of its unit, beside it, with what
    differs. A figure compared with a Tees measure of another unit is refused."""
    rules = load_rules() if rules is None else rules
    period = report_period(rules)
    by_key = tees.set_index("key")
    rows = []
    for _, row in national[national["compare_with"] != ""].iterrows():
        t = by_key.loc[row["compare_with"]]
        if national_unit(row) != t["unit"]:
            raise ValueError(
                f"{row['id']}: counts {row['denominator_unit']}, but {t.name} counts {t['unit']}"
            )
        rows.append(
            {
                "Tees measure": t["measure"],
                "Tees": tees_text(t),
                "how the Tees value is known": t["identified"],
                "national figure": row["measure"],
                "national value": national_text(row),
                "compared per": PER[t["unit"]],
                "period": row["period"],
                "source": f"{row['publisher']}, {row['year']}",
                "source kind": row["source_kind"],
                "what differs": what_differs(row, t, tees, period, rules, readings),
                "id": row["id"],
            }
        )
    return pd.DataFrame(rows)


def not_compared(national: pd.DataFrame) -> pd.DataFrame:
    """National shares set beside no Tees figure (no Tees share counts what they count), with
    their ``notes``, which say why first; totals (no denominator) are context and left out."""
    rows = national[(national["compare_with"] == "") & national["denominator_unit"].ne("")]
    return pd.DataFrame(
        {
            "id": rows["id"],
            "national figure": rows["measure"],
            "national value": [national_text(r) for _, r in rows.iterrows()],
            "notes": rows["notes"],
        }
    ).reset_index(drop=True)


# =========================================================================== sentences


def interval_note(tees: pd.DataFrame) -> str:
    """Why every Tees share has an interval: how far one child, one review moves it."""
    n = totals(tees)
    parts = [
        f"one {unit[:-1] if unit == REVIEWS else 'child'} moves a share of the {k} {unit} by "
        f"{round(100 / k)} percentage points"
        for unit, k in n.items()
    ]
    return (
        "Every Tees share has a 95% interval because the numbers are small: "
        + " and ".join(parts)
        + "."
    )


def _margin_text(row) -> str:
    return ", ".join(f"{column} {row[column]}" for column in OUTCOME_COLUMNS)


def outcome_note(margins: pd.DataFrame, tees: pd.DataFrame) -> str:
    """Why the outcome shares are ranges, from the consistent margins and the published
    counts: which partnership's published counts cannot all hold, and what gives way."""
    published = load_published()
    lines = []
    for scope, part in margins[margins["scope"] != TEES].groupby("scope", sort=False):
        counts = _published_outcomes(published, str(scope))
        n = int(part["children"].iloc[0])
        given = {c: v for c, (_, v) in counts.items()}
        words = ", ".join(
            f"{column} {given[c]}"
            for column, c in zip(OUTCOME_COLUMNS, OUTCOMES, strict=True)
            if c in given
        )
        if len(part) == 1 and part["published counts that do not hold"].iloc[0] == "none":
            lines.append(
                f"{scope}'s published outcome counts ({words}) add up to its {n} children and "
                "hold in every dataset consistent with the report."
            )
            continue
        alternatives = " or ".join(f"({_margin_text(r)})" for _, r in part.iterrows())
        lines.append(
            f"{scope}'s published outcome counts ({words}) add up to {sum(given.values())}, but "
            f"every dataset consistent with the report gives {scope} {n} children, so they "
            f"cannot all hold. The consistent datasets give {scope} {alternatives}; no other "
            "figure of the report decides which count gives way, so it is not identified."
        )
    rows = tees.set_index("key")
    ranges_text = ", ".join(
        f"{_span(rows.loc[key, 'count_low'], rows.loc[key, 'count_high'])} "
        f"{words.removeprefix('children ')}"
        for key, (words, _, _) in TEES_OUTCOMES.items()
    )
    n = totals(tees)[CHILDREN]
    tees_margins = margins[margins["scope"] == TEES]
    worst = int((tees_margins["died"] + tees_margins["outcome not recorded"]).max())
    lines.append(
        f"So the Tees outcome counts are ranges over the consistent datasets, of the {n} "
        f"children: {ranges_text}. A share who died is of all {n} children, not of those with "
        f"a recorded outcome; had every child whose outcome is not recorded died, at most "
        f"{worst} of the {n} ({100 * worst / n:.0f}%) would have died."
    )
    return "\n\n".join(lines)


def unit_note(tees: pd.DataFrame) -> str:
    """Per child and per review shares of the same factor, side by side: why a national share
    of reviews is set beside a Tees share of reviews."""
    rows = tees.set_index("key")
    parts = []
    for key, (factor, _, _) in FACTORS.items():
        child, review = rows.loc[f"children_{key}"], rows.loc[f"reviews_{key}"]
        parts.append(
            f"{factor}: {child['count_low']} of {child['n']} children "
            f"({child['percent_low']:.0f}%), {review['count_low']} of {review['n']} reviews "
            f"({review['percent_low']:.0f}%)"
            if child["count_low"] == child["count_high"]
            and review["count_low"] == review["count_high"]
            else f"{factor}: {tees_text(child)}, {tees_text(review)}"
        )
    differ = any(
        round(rows.loc[f"children_{key}", column]) != round(rows.loc[f"reviews_{key}", column])
        for key in FACTORS
        for column in ("percent_low", "percent_high")
    )
    opening = (
        "The same theme line gives a different share per child than per review, so each "
        "national figure is set beside the Tees share of its own unit"
        if differ
        else "Each theme line gives the same share per child as per review here; each national "
        "figure is still set beside the Tees share of its own unit"
    )
    return f"{opening}: " + "; ".join(parts) + "."


#: How a Tees value is known, in a sentence.
KNOWN = {PUBLISHED: "fixed by the published figures", RANGE: "a range over consistent datasets"}


def comparison_lines(table: pd.DataFrame) -> list[str]:
    """One line per Tees measure compared: the Tees value and every national value beside it."""
    lines = []
    for measure, part in table.groupby("Tees measure", sort=False):
        first = part.iloc[0]
        known = first["how the Tees value is known"]
        national = "; ".join(f"{r['national value']}, {r['source']}" for _, r in part.iterrows())
        lines.append(
            f"**{measure}**, compared per {first['compared per']}: Tees {first['Tees']}, "
            f"{KNOWN.get(known, known)}. National: {national}."
        )
    return lines


# =========================================================================== cached tables

TEES_FILE = DATA / "reconstruction" / "tees_measures.csv"
MARGINS_FILE = DATA / "reconstruction" / "outcome_margins.csv"


def cache_files(model=None, best: int | None = None) -> dict[Path, bytes]:
    """:func:`tees_measures` and :func:`outcome_margins` as CSV bytes, for
    ``data/reconstruction/`` (they solve a few dozen integer programs: notebook 07 reads them
    from there; a test checks they equal a fresh computation)."""
    model, best = _consistent(model, best)
    return cache_bytes(tees_measures(model, best), outcome_margins(model, best))


def cache_bytes(tees: pd.DataFrame, margins: pd.DataFrame) -> dict[Path, bytes]:
    """The cached files' bytes for tables :func:`tees_measures` and :func:`outcome_margins`."""
    frames = {TEES_FILE: tees, MARGINS_FILE: margins}
    return {
        path: frame.to_csv(index=False, lineterminator="\n", float_format="%.10g").encode()
        for path, frame in frames.items()
    }


def load_tees_measures(path: Path | str = TEES_FILE) -> pd.DataFrame:
    """The committed :func:`tees_measures` (``data/reconstruction/tees_measures.csv``)."""
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def load_outcome_margins(path: Path | str = MARGINS_FILE) -> pd.DataFrame:
    """The committed :func:`outcome_margins` (``data/reconstruction/outcome_margins.csv``)."""
    return pd.read_csv(path, keep_default_na=False)


def main() -> None:
    for path in atomic.write_files(cache_files()):
        print(f"wrote {display(path)}")


if __name__ == "__main__":
    main()

"""Sentences computed from the data, shown in notebooks as Markdown.

No sentence in a notebook states a number the code did not compute from the data in hand: where
prose needs a count, a share or a list of groups, it is generated here from the data and shown
as Markdown output (:func:`show`), so that a rerun on other data (``tees-analysis reproduce``)
says what is true of those data. Passages that can only describe the report's own data are
tagged in the notebooks instead, and a rerun on other data leaves them out
(:mod:`tees_analysis.run_all`).

:class:`Markdown` is a string that notebooks display as Markdown and plain-text viewers (and
nbval) see as its own text -- no Python repr, no memory address.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..analysis.stats import small_sample_caveat


class Markdown(str):
    """Text shown as Markdown in a notebook; its plain form is the text itself."""

    def _repr_markdown_(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return str(self)


def show(text: str) -> None:
    """Display ``text`` as Markdown in a notebook (nothing when it is empty)."""
    if text:
        from IPython.display import display

        display(Markdown(text))


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 review``, ``3 reviews``, ``0 children`` (``words``: the irregular plural)."""
    many = words if words is not None else f"{word}s"
    return f"{n} {word if n == 1 else many}"


def children(n: int) -> str:
    """``1 child``, ``27 children``."""
    return plural(n, "child", "children")


def listing(items: Iterable[str], last: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def year_spans(years) -> str:
    """``[2017, 2018, 2019, 2022]`` -> ``"2017–2019, 2022"`` (consecutive years as a range)."""
    years = sorted({int(y) for y in years})
    spans: list[list[int]] = []
    for year in years:
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def bullets(lines: Iterable[str]) -> str:
    """Markdown bullet points, one per line."""
    return "\n".join(f"- {line}" for line in lines)


def one_child_moves(n: int) -> str:
    """How far one child moves a percentage out of ``n``: ``"8 points"``; ``""`` for n = 0."""
    return "" if n <= 0 else f"{round(100 / n)} points"


def table_or(frame, note: str):
    """``frame`` (a DataFrame or a :class:`tees_analysis.report.present.Table`) when it has
    rows, else ``note`` as Markdown (never an empty table)."""
    rows = frame.n_rows if hasattr(frame, "n_rows") else len(frame)
    return frame if rows else Markdown(f"*{note}*")


def sizes_by_partnership(children) -> dict[str, int]:
    """Children per partnership, in the order the data give them (partnerships present only)."""
    counts = children["partnership"].astype(object).value_counts(sort=False)
    return {str(p): int(n) for p, n in counts.items()}


def dataset_summary(data) -> Markdown:
    """The data in one line: reviews, children, and the children of each partnership."""
    sizes = sizes_by_partnership(data.children)
    parts = listing(f"{p} {children(n)}" for p, n in sizes.items())
    return Markdown(
        f"**{plural(len(data.reviews), 'review')} of {children(len(data.children))}** in the "
        f"data analysed here: {parts or 'no partnership'}."
    )


def files_note(data) -> Markdown:
    """The files read, as a sentence (paths as code)."""
    files = [f"`{f}`" for f in data.files]
    return Markdown(f"**Files read:** {listing(files) or 'none'}.")


def interval_note(data) -> Markdown:
    """Why every percentage gets an interval: how far one child moves it, per partnership."""
    sizes = sizes_by_partnership(data.children)
    if not sizes:
        return Markdown("")
    moves = listing(f"{one_child_moves(n)} for {p} ({children(n)})" for p, n in sizes.items())
    return Markdown(
        f"**Why intervals?** One child moves a percentage by {moves}. The intervals are "
        "correspondingly wide: read the percentages as rough sizes, not precise rates."
    )


def comparison_summary(comparisons, data, alpha: float = 0.05) -> Markdown:
    """How many partnership comparisons have a small p-value, with the small-sample caveat."""
    sizes = sizes_by_partnership(data.children)
    if not len(comparisons):
        held = listing(sizes) or "no partnership"
        return Markdown(
            "*No comparison is made: it needs children of both partnerships in the same "
            f"category, and these data hold {held}.*"
        )
    tested = comparisons[comparisons["p_value"].notna()]
    low = int((tested["p_value"] < alpha).sum())
    adjusted = int((tested["p_holm"] < alpha).sum()) if "p_holm" in tested else None
    holm = f"; {adjusted} after Holm's adjustment for the number of comparisons"
    return Markdown(
        f"{low} of {plural(len(tested), 'comparison')} have p < {alpha:g} before adjusting"
        f"{holm if adjusted is not None else ''}. {small_sample_caveat(sizes.values())}"
    )


def cleaning_note(data) -> Markdown:
    """How many cells cleaning rewrote in the files analysed, and in how many columns."""
    changes = data.changes
    if changes.empty:
        return Markdown(
            "Cleaning rewrote **no** cell of the files analysed here: every label was already "
            "written as the schema writes it."
        )
    columns = changes.groupby(["table", "column"]).ngroups
    return Markdown(
        f"Cleaning rewrote **{plural(len(changes), 'cell')}** in "
        f"{plural(columns, 'column')} of the files analysed here; each kind of rewrite is "
        "listed below (what was typed, what the clean table holds, in how many cells)."
    )


def recorded_note(all_children, recorded, factors) -> Markdown:
    """How many children have every factor recorded (the complete cases analysed)."""
    n, k = len(all_children), len(recorded)
    if k == n:
        who = "The only child has" if n == 1 else f"All {children(n)} have"
        return Markdown(f"{who} each of the {len(factors)} factors recorded as yes or no.")
    if n == 1:
        return Markdown(
            "The only child has a factor not recorded: it cannot be placed in a combination, "
            "so the tables and tests below have no child."
        )
    return Markdown(
        f"**{k} of the {children(n)}** have each of the {len(factors)} factors recorded as yes "
        f"or no; the other {n - k} (a factor not recorded) cannot be placed in a combination "
        "and are left out of the tables and tests below."
    )


# --------------------------------------------------------------------------- the toxic trio


def _row(frame, statistic: str, scope: str):
    hit = frame[(frame["statistic"] == statistic) & (frame["scope"] == scope)]
    return None if hit.empty else hit.iloc[0]


def _number(value: float, whole: bool = True) -> str:
    if value == float("inf"):
        return "infinite"
    return f"{value:.0f}" if whole else f"{value:.2g}"


def _span(row, whole: bool = True, joiner: str = "to") -> str:
    """A statistic's identified range in words: ``"5 to 15"`` (or one value)."""
    low, high = row["minimum"], row["maximum"]
    if low == high:
        return _number(low, whole)
    return f"{_number(low, whole)} {joiner} {_number(high, whole)}"


def p_text(value: float) -> str:
    """A p-value in words: three decimals, ``"< 0.001"`` below that."""
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def trio_findings(frame, bounds, distribution: dict[int, float], alpha: float = 0.05) -> Markdown:
    """What the report identifies about the toxic trio, and what it does not, as bullets.

    ``frame``: the identified set's statistics (``data/reconstruction/identified_set.csv``);
    ``bounds``: ``bounds.csv``; ``distribution``: the weighted distribution of the Tees count
    with all three factors. Every number is read from them.
    """
    from ..analysis.ranges import distribution_summary

    lines = []
    margins = {r.scope: r.margins for r in bounds[bounds["quantity"] == "all_three"].itertuples()}
    tees = next(s for s in margins if s not in ("STSCP", "HSSCP"))
    totals = [
        f"{s}: {m.split(' of ')[0].replace('/', ', ')} of {m.split(' of ')[1]}"
        for s, m in margins.items()
    ]
    lines.append(
        "**Identified:** how many children had each factor — domestic abuse, parental mental "
        f"ill-health, substance misuse ({'; '.join(totals)}). These are the same in every "
        "dataset consistent with the report."
    )
    all_three = {s: _row(frame, "children: all three", s) for s in margins}
    parts = "; ".join(
        f"{s} {_span(all_three[s])} of {margins[s].split(' of ')[1]}" for s in margins if s != tees
    )
    lines.append(
        f"**A range, not a number:** between {_span(all_three[tees], joiner='and')} of the "
        f"{margins[tees].split(' of ')[1]} children had all three factors ({parts}). Which "
        "number is true, the published figures do not say."
    )
    scopes = [s for s in margins if s != tees]
    if len(scopes) == 2:
        a, b = (all_three[s] for s in scopes)
        for first, second, x, y in ((scopes[0], scopes[1], a, b), (scopes[1], scopes[0], b, a)):
            if x["minimum"] > y["maximum"]:
                lines.append(
                    f"**Identified:** {first} had more children with all three factors than "
                    f"{second} in every consistent dataset (at least {x['minimum']:.0f} against "
                    f"at most {y['maximum']:.0f})."
                )
    spans = []
    for pair in ("DA and PMH", "DA and SM", "PMH and SM"):
        row = _row(frame, f"odds ratio {pair}", tees)
        if row is not None and row["minimum"] < 1 < row["maximum"]:
            spans.append(f"{pair} {_span(row, whole=False)}")
    if spans:
        lines.append(
            "**Not identified:** whether the factors go together. Over the consistent datasets "
            f"the pooled odds ratios run from below 1 to above 1 ({'; '.join(spans)})."
        )
    fixed = frame[frame["statistic"].str.startswith("context partnership")
                  & frame["statistic"].str.endswith("p-value")
                  & (frame["minimum"] == frame["maximum"])
                  & (frame["minimum"] < alpha)]  # fmt: skip
    for row in fixed.itertuples(index=False):
        what = row.statistic.split("× ", 1)[1].split(":")[0]
        lines.append(
            f"**Identified:** the partnerships differ in {what}: exact p = {p_text(row.minimum)} "
            "in every consistent dataset (before adjusting for the number of tests)."
        )
    context = frame[frame["statistic"].str.startswith(("context outcome", "context neglect",
                                                       "context age"))
                    & frame["statistic"].str.endswith("p-value")]  # fmt: skip
    if len(context):
        lines.append(
            "**Not identified:** any link between the factors and the outcome, neglect or age. "
            "No published figure links them; over the consistent datasets these tests' p-values "
            f"run from {p_text(context['minimum'].min())} to {p_text(context['maximum'].max())}."
        )
    summary = distribution_summary(distribution)
    lines.append(
        "**An assumption, not data:** if every consistent child-level dataset were equally "
        f"likely, about {summary['mean']:.1f} children would have all three factors (most "
        f"often {summary['mode']}; 90% of the weight between {summary['p05']:.0f} and "
        f"{summary['p95']:.0f}). This describes the datasets the report allows, not the "
        "children of Tees."
    )
    return Markdown(bullets(lines))


def census_note(data) -> Markdown:
    """What the intervals and tests mean when the reviews are all the reviews of their years."""
    years = sorted({int(y) for y in data.reviews["year"].dropna()})
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "")
    who = listing(sizes_by_partnership(data.children)) or "no partnership"
    return Markdown(
        f"The {plural(len(data.reviews), 'review')} analysed here are **all** the local reviews "
        f"of {span} in {who}, not a sample of them, and the {children(len(data.children))} are "
        "all the children of those reviews. So the intervals and tests in this collection do "
        "not describe a sampling error in the usual sense — there is no larger set of these "
        "reviews they were drawn from. They answer a different question: **how much could "
        "these counts differ by chance alone**, if the same circumstances produced reviews "
        "again (the reviews as a sample of what the same system could have produced). With so "
        "few children, chance alone moves a percentage by many points, and only large "
        "differences stand out."
    )

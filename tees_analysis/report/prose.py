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


def bullets(lines: Iterable[str]) -> str:
    """Markdown bullet points, one per line."""
    return "\n".join(f"- {line}" for line in lines)


def one_child_moves(n: int) -> str:
    """How far one child moves a percentage out of ``n``: ``"8 points"``; ``""`` for n = 0."""
    return "" if n <= 0 else f"{round(100 / n)} points"


def table_or(frame, note: str):
    """``frame`` when it has rows, else ``note`` as Markdown (never an empty table)."""
    return frame if len(frame) else Markdown(f"*{note}*")


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
    low = int((comparisons["p_value"] < alpha).sum())
    return Markdown(
        f"{low} of {len(comparisons)} comparisons have p < {alpha:g} (without correcting for "
        f"the number of comparisons). {small_sample_caveat(sizes.values())}"
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
    return Markdown(
        f"**{k} of the {children(n)}** have each of the {len(factors)} factors recorded as yes "
        f"or no; the other {n - k} (a factor not recorded) cannot be placed in a combination "
        "and are left out of the tables and tests below."
    )

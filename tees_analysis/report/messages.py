"""The words of a chart, computed from the numbers it draws: titles, subtitles and alt text.

A chart's title states what its data show (the most common category of each group, which group
has the larger share, a tie as a tie, a group with nobody to count as such), its subtitle the
population, place, period and n, and its alt text the kind of chart, what it compares and the
values. Nothing here is typed from the report: every number and category comes from the table
handed in, so a rerun on other data says what is true of those data.

The functions take plain values -- ``(category, count, n)`` rows per group -- and return plain
English: no Python reprs, ``1 child`` and ``2 children``, halves of a percent rounded up as in
the rest of the collection.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ..published.measures import round_half_up
from .prose import listing

#: The partnerships' full names, for subtitles.
PARTNERSHIP_NAMES = {"STSCP": "South Tees", "HSSCP": "Hartlepool & Stockton-on-Tees"}
#: Irregular plurals of the units counted.
_PLURALS = {"child": "children", "children": "children", "review": "reviews"}
_SINGULARS = {"children": "child", "reviews": "review"}
#: Alt text longer than this is summarised.
ALT_LIMIT = 600

Row = tuple[str, int, int]  # category, count, n


def unit_word(n: int, unit: str) -> str:
    """``unit`` (``"children"`` or ``"reviews"``) agreeing with ``n``: ``child``, ``reviews``."""
    singular = _SINGULARS.get(unit, unit)
    return singular if n == 1 else _PLURALS.get(singular, f"{singular}s")


def counted(n: int, unit: str) -> str:
    """``1 child``, ``14 children``, ``0 reviews``."""
    return f"{n} {unit_word(n, unit)}"


def of(k: int, n: int, unit: str = "") -> str:
    """``7 of 13``, with the unit agreeing with ``n``: ``7 of 13 children``, ``1 of 1 child``."""
    return f"{k} of {n}" + (f" {unit_word(n, unit)}" if unit else "")


def percent(k: int, n: int) -> str:
    """``54%`` (halves rounded up); empty when there is nobody to count."""
    return f"{round_half_up(k, n)}%" if n > 0 else ""


def capitalise(text: str) -> str:
    """First letter upper case, the rest as written (``CP plan`` stays ``CP plan``)."""
    return text[:1].upper() + text[1:]


def where(group: str) -> str:
    """Where a group's figures come from, in words: ``in STSCP``, ``among reviews``; nothing
    for Tees as a whole (the subtitle names the place)."""
    if group == "Tees":
        return ""
    if group in ("reviews", "children"):
        return f"among {group}"
    return f"in {group}"


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def place_name(group: str, tees: str = "Tees") -> str:
    """``STSCP (South Tees)``; ``tees`` for Tees as a whole (what the data hold)."""
    if group == "Tees":
        return tees
    name = PARTNERSHIP_NAMES.get(group)
    return f"{group} ({name})" if name else group


# --------------------------------------------------------------------------- titles


def top(rows: Sequence[Row]) -> tuple[list[str], int, int]:
    """The categories with the largest count (several when tied), that count and the n."""
    best = max(k for _, k, _ in rows)
    return [c for c, k, _ in rows if k == best], best, rows[0][2]


def _empty_groups(
    groups: Mapping[str, Sequence[Row]], unit: str, noun: tuple[str, str] = ("category", "")
) -> list[str]:
    """Why a group has no finding: nobody to count, or nobody counted in any category."""
    notes = []
    for group, rows in groups.items():
        n = rows[0][2] if rows else 0
        counts = _unit(group, unit)
        place = f" in {group}" if where(group).startswith("in ") else ""
        if n == 0:
            notes.append(f"no {unit_word(0, counts)} to count{place}")
        elif all(k == 0 for _, k, _ in rows):
            what = noun[0] or "category"
            notes.append(f"no {what} counted for the {counted(n, counts)}{place}")
    return notes


def _with_notes(text: str, notes: list[str]) -> str:
    return "; ".join([text, *notes]) if text else capitalise("; ".join(notes))


def _unit(group: str, unit: str) -> str:
    """What a group counts: reviews or children for those groups, else ``unit``."""
    return group if group in ("reviews", "children") else unit


def _amount(i: int, group: str, k: int, n: int, unit: str, named: bool, each: bool) -> str:
    """``STSCP 7 of 13 children`` (the unit only on the first, unless the group is one)."""
    shown = _unit(group, unit) if i == 0 or group in ("reviews", "children") else ""
    return _join(group if named else "", of(k, n, shown)) + (" each" if each else "")


def most_common(
    groups: Mapping[str, Sequence[Row]],
    noun: tuple[str, str],
    unit: str,
    head: str = "Most common",
) -> str:
    """The most common category of each group, in one title.

    ``groups``: group -> its ``(category, count, n)`` rows; ``noun``: what a category is,
    singular and plural (``("outcome", "outcomes")``); ``unit``: what is counted. One shared
    winner: ``Most common outcome in both partnerships: significant harm (STSCP 7 of 13
    children, HSSCP 7 of 14)``; different winners are named group by group; a tie is stated
    as a tie; a group with nobody to count says so.
    """
    found = {g: top(rows) for g, rows in groups.items() if rows and rows[0][2] > 0}
    found = {g: t for g, t in found.items() if t[1] > 0}
    notes = _empty_groups(groups, unit, noun)
    if not found:
        return _with_notes("", notes) if notes else f"No {noun[1]} to show"
    tied = any(len(cats) > 1 for cats, _, _ in found.values())
    if len({tuple(cats) for cats, _, _ in found.values()}) == 1:
        cats = next(iter(found.values()))[0]
        named = len(found) > 1 and all(where(g).startswith("in ") for g in found)
        amounts = ", ".join(
            _amount(i, g, k, n, unit, named, tied) for i, (g, (_, k, n)) in enumerate(found.items())
        )
        word = noun[1] if tied else noun[0]
        equally = " equally" if tied else ""
        text = f"{_join(head, word, _scope(list(found)))}: {items(cats)}{equally} ({amounts})"
        return _with_notes(text, notes)
    parts = []
    for i, (g, (cats, k, n)) in enumerate(found.items()):
        several = len(cats) > 1
        what = items(cats) + (" equally" if several else "")
        parts.append(f"{_join(what, where(g))} ({_amount(i, g, k, n, unit, False, several)})")
    return _with_notes(f"{_join(head, noun[0])}: " + "; ".join(parts), notes)


def _scope(groups: list[str]) -> str:
    """``in STSCP``, ``in both partnerships``, ``among reviews and children``."""
    if len(groups) == 1:
        return where(groups[0])
    if all(g in ("reviews", "children") for g in groups):
        return f"among {listing(groups)}"
    if all(where(g).startswith("in ") for g in groups):
        return "in both partnerships" if len(groups) == 2 else f"in all {len(groups)} partnerships"
    return f"in {listing(groups)}"


def larger_share(category: str, groups: Mapping[str, Row], unit: str) -> str:
    """One category across groups: which has the larger share, or the same share.

    ``Under 2 years: a larger share of children in STSCP (7 of 13) than in HSSCP (7 of 14)``;
    equal shares are stated as the same share; one group states its count.
    """
    rows = {g: r for g, r in groups.items() if r[2] > 0}
    notes = _empty_groups({g: [r] for g, r in groups.items() if r[2] == 0}, unit)
    head = capitalise(category)
    if not rows:
        return f"{head}: " + "; ".join(notes)
    if len(rows) == 1:
        g, (_, k, n) = next(iter(rows.items()))
        return _with_notes(f"{head}: {_join(of(k, n, unit), where(g))}", notes)
    if len(rows) == 2:
        (a, (_, ka, na)), (b, (_, kb, nb)) = rows.items()
        order = ka * nb - kb * na  # compares ka/na with kb/nb in whole numbers
        if order == 0:
            text = (
                f"{head}: the same share of {unit_word(2, unit)} {where(a)} ({of(ka, na)}) "
                f"and {b} ({of(kb, nb)})"
            )
        else:
            if order < 0:
                (a, ka, na), (b, kb, nb) = (b, kb, nb), (a, ka, na)
            text = (
                f"{head}: a larger share of {unit_word(2, unit)} {where(a)} ({of(ka, na)}) "
                f"than {where(b)} ({of(kb, nb)})"
            )
        return _with_notes(text, notes)
    parts = [_join(of(k, n), where(g)) for g, (_, k, n) in rows.items()]
    return _with_notes(f"{head}: " + ", ".join(parts) + f" {unit_word(2, unit)}", notes)


def nothing_to_draw(what: str) -> str:
    """The title of an empty chart: ``No outcome figures to draw``."""
    return f"No {what} to draw"


def items(names) -> str:
    """``a, b and c``; with semicolons when a name holds ``and`` itself (``both parents;
    mother and partner``), so that the list reads one way only."""
    names = [str(n) for n in names]
    if len(names) > 1 and any(" and " in n for n in names):
        return "; ".join(names)
    return listing(names)


# --------------------------------------------------------------------------- subtitles


def subtitle(population: str, place: str, period: str, sizes: str, provenance: str = "") -> str:
    """``Children in 14 reviews, HSSCP (Hartlepool & Stockton-on-Tees), 2017–2021, n = 14``;
    parts that are unknown (empty) are left out; ``provenance`` ends it after a semicolon."""
    text = ", ".join(p for p in (population, place, period, f"n = {sizes}" if sizes else "") if p)
    return f"{text}; {provenance}" if provenance else text


def sizes(groups: Mapping[str, int], unit: str = "", named: bool = True) -> str:
    """``13 (STSCP) and 14 (HSSCP)``; one group: ``14``; with ``unit``: ``27 children``."""
    items = list(groups.items())
    if len(items) == 1 or not named:
        return listing(counted(n, unit) if unit else str(n) for _, n in items)
    return listing(f"{counted(n, unit) if unit else n} ({g})" for g, n in items)


# --------------------------------------------------------------------------- alt text


def values_text(rows: Iterable[Row], limit: int | None = None) -> str:
    """``male 6 of 13 (46%), female 5 of 13 (38%)``; past ``limit`` rows: ``and 2 more``."""
    rows = list(rows)
    shown = rows if limit is None or len(rows) <= limit else rows[:limit]
    parts = [f"{c} {of(k, n)} ({percent(k, n)})" if n else f"{c}: nobody to count"
             for c, k, n in shown]  # fmt: skip
    if len(shown) < len(rows):
        parts.append(f"and {len(rows) - len(shown)} more")
    return ", ".join(parts)


def bar_alt(what: str, groups: Mapping[str, Sequence[Row]], notes: Sequence[str] = ()) -> str:
    """Alt text of a bar chart: ``what``, then each group's values, summarised to fit
    :data:`ALT_LIMIT` (largest counts first when rows must be left out)."""
    for limit in (None, 4, 2, 1):
        parts = [what]
        for group, rows in groups.items():
            ordered = rows if limit is None else sorted(rows, key=lambda r: -r[1])
            parts.append(f"{capitalise(group)}: {values_text(ordered, limit)}." if rows else "")
        text = " ".join(p for p in [*parts, *notes] if p)
        if len(text) <= ALT_LIMIT:
            return text
    return shorten(text)


def shorten(text: str, limit: int = ALT_LIMIT) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, ending with ``…``."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"

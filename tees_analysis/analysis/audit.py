"""The reproduction audit: every published figure beside its recomputed value, with a verdict.

One row per row of ``data/published/figures.csv``. The recomputed figures come from
:func:`.tables.recompute` (counted from the cleaned case-level tables, no published value
used); this module is the separate step that sets the published values beside them and
says, in plain words, why each one does or does not match.

A figure that does not match is explained from the printed numbers alone: the report prints
no denominators, so each block of figures (one partnership's figures of one measure) can be
asked which *bases* -- numbers of children or reviews -- reproduce it under each rounding rule
(:mod:`.bases`, on :mod:`tees_analysis.published.denominators`). Each such figure gets its
rival explanations, each with whether it fits (:func:`.bases.explain`), and a status saying
which of them fit; none is stated as the report's own. The status is one of:

``exact``
    the recomputed value equals the published one (a percent rounded half up);
``other base``
    the figure cannot hold with the base the data give its block (the partnership's number
    of children), and it holds with another: its whole block does (e.g. a base of 14, one
    more than the partnership's 13 children), or the figure alone does while the block's
    other figures hold with the data's base. The data are not at fault: the figure belongs
    to a minimal conflicting set of ``data/reconstruction/conflicts.csv`` whose other figures
    all hold in the data;
``other base or rounding``
    two readings fit and neither is known to be the report's: another base, as above, or
    the data's base with the block's percentages each rounded down *or* up so that the block
    totals 100 ("forced to total 100",
    :func:`tees_analysis.published.measures.total_100_matches`);
``rounding only``
    only the second reading fits: with the data's base the block holds if rounded to total
    100, and no other base up to the report's number of children reproduces it;
``in conflict``
    the figure belongs to a conflicting set whose other figures hold, and no other base of
    its block explains the miss (a conflict about themes, for example); the conflict is
    named and explained;
``not computable``
    there is nothing to count it from (no children or reviews in its population); the note
    says why;
``differs``
    only for case-level data other than the reconstruction: the values differ and nothing
    in the printed numbers explains it.

The columns of ``reports/audit.csv`` are described in :data:`COLUMN_MEANINGS`.
:func:`headline` sums the table up (the status counts, then where the report's bases
disagree); :func:`write_audit` writes the table (deterministic: integers and text only).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd

from ..data import atomic, pipeline
from ..paths import ROOT
from ..published.figures import load_published
from ..published.measures import round_half_up, total_100_matches
from ..published.rules import Rules, load_rules
from . import bases, tables

REPORTS = ROOT / "reports"
AUDIT_FILE = REPORTS / "audit.csv"
CONFLICTS_FILE = tables.RECONSTRUCTION / "conflicts.csv"
SATISFIED_FILE = tables.RECONSTRUCTION / "satisfied.csv"

EXACT, OTHER_BASE, BASE_OR_ROUNDING = "exact", "other base", "other base or rounding"
ROUNDING_ONLY, IN_CONFLICT = "rounding only", "in conflict"
NOT_COMPUTABLE, DIFFERS = "not computable", "differs"
STATUSES = (
    EXACT,
    OTHER_BASE,
    BASE_OR_ROUNDING,
    ROUNDING_ONLY,
    IN_CONFLICT,
    NOT_COMPUTABLE,
    DIFFERS,
)
#: The statuses of figures that the printed numbers explain (the data are not at fault).
EXPLAINED = (OTHER_BASE, BASE_OR_ROUNDING, ROUNDING_ONLY, IN_CONFLICT)
#: What each status says, in one line (notebook 05 and the site show these).
STATUS_MEANINGS = {
    EXACT: "the recomputed value is the published value (percentages rounded half up)",
    OTHER_BASE: "the figure cannot hold with the data's base for its block (the partnership's "
    "number of children) and holds with another: its whole block does, or the figure alone "
    "does while the rest of the block holds with the data's base",
    BASE_OR_ROUNDING: "two readings fit and neither is known to be the report's: another "
    "base, or the data's base with the block's percentages rounded to total 100%",
    ROUNDING_ONLY: "with the data's base the block holds only if its percentages were rounded "
    "to total 100%; no other base up to the report's number of children fits",
    IN_CONFLICT: "the report's figures cannot all hold together and no other base of the "
    "block explains it; the conflict is named and explained",
    NOT_COMPUTABLE: "there is nothing to count the figure from (for example, no children of "
    "that partnership in the data); the note says why",
    DIFFERS: "only for case-level data other than the reconstruction: the values differ and "
    "nothing in the printed numbers explains it",
}
#: The columns of reports/audit.csv and what each holds.
COLUMN_MEANINGS = {
    "figure_id": "the figure's id in data/published/figures.csv",
    "partnership": "STSCP, HSSCP or Tees: the partnership the figure is counted for",
    "measure": "what is measured (outcome, sex, csc_status, theme_children...)",
    "category": "the category, in the report's words",
    "unit": "count or percent",
    "published": "the value printed in the report",
    "count": "the children (or reviews) counted in the data",
    "denominator": "what they are counted out of in the data: for a partnership's figures, "
    "the partnership's number of children (or reviews) in the data",
    "percent_half_up": "count out of denominator as a whole percent, halves rounded up",
    "recomputed": "what is compared with published: the count for counts, the percent for "
    "percentages",
    "status": "the verdict: " + ", ".join(STATUSES),
    "block_bases": "for a partnership's figures: every base (number of children or reviews) up "
    "to the report's own number at which the figure's whole block holds rounded half up, or "
    "'none up to N'; blank for figures about both partnerships",
    "block_bases_total_100": "the same with the block's percentages rounded to total 100% "
    "(blank where that cannot apply: counts, or percentages that need not total 100)",
    "figure_bases": "for a partnership's percentages: every base up to the report's number at "
    "which this percentage alone holds rounded half up",
    "conflicts": "ids of the conflicts of data/reconstruction/conflicts.csv the figure belongs to",
    "note": "what was counted and the verdict, in plain words",
    "explanations": "for a figure that does not hold and is explained by the printed numbers: "
    "each rival explanation (another base, a child counted in two categories, a child missing "
    "from the block, this figure alone on another base, rounding forced to total 100%), whether "
    "it fits, fits not or does not apply, and why; one per line",
}
COLUMNS = list(COLUMN_MEANINGS)
INTEGER_COLUMNS = ("published", "count", "denominator", "percent_half_up", "recomputed")
CONFLICT_COLUMNS = ["conflict", "failed_figure", "size", "figures", "explanation"]


def load_conflicts(path: Path | str = CONFLICTS_FILE) -> pd.DataFrame:
    """The minimal conflicting sets of published figures found by the reconstruction."""
    if not Path(path).is_file():
        return pd.DataFrame(columns=CONFLICT_COLUMNS)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _conflicts_of(conflicts: pd.DataFrame) -> dict[str, list[str]]:
    """Figure id -> ids of the conflicts whose figures include it."""
    found: dict[str, list[str]] = {}
    for row in conflicts.itertuples(index=False):
        for fid in row.figures.split():
            found.setdefault(fid, []).append(row.conflict)
    return found


def _total_100_blocks(table: pd.DataFrame, rules: Rules) -> set[str]:
    """Ids of percent figures in partition blocks whose published percents total 100 validly.

    A block is one partnership's published percents of one partition measure, checked with the
    data's counts; children in none of its categories form one more, unpublished category that
    must round to 0%.
    """
    holds: set[str] = set()
    percent = table[(table["unit"] == "percent") & (table["denominator"] > 0)]
    for (partnership, name), block in percent.groupby(["partnership", "measure"], sort=False):
        if rules.measures[name].block_for(partnership).kind != "partition":
            continue
        n = int(block["denominator"].iloc[0])
        counts = [int(k) for k in block["count"]]
        printed = [int(p) for p in block["published"]]
        rest = n - sum(counts)
        if rest < 0:
            continue
        if rest:
            counts, printed = [*counts, rest], [*printed, 0]
        if total_100_matches(counts, printed):
            holds.update(block["figure_id"])
    return holds


def _block_counts(table: pd.DataFrame, block: bases.Block) -> tuple[int, ...] | None:
    """The data's counts of the block's figures, in the block's order (None if any is missing)."""
    counts = table.set_index("figure_id").loc[list(block.spec.figure_ids), "count"]
    return None if counts.isna().any() else tuple(int(k) for k in counts)


def audit_table(
    figures: pd.DataFrame,
    rules: Rules | None = None,
    published: pd.DataFrame | None = None,
    conflicts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per published figure: published and recomputed values, status, bases and notes.

    ``figures`` is :func:`.tables.recompute`'s table. ``published`` defaults to
    ``data/published/figures.csv`` and ``conflicts`` to ``data/reconstruction/conflicts.csv``.
    """
    rules = load_rules() if rules is None else rules
    published = load_published() if published is None else published
    conflicts = load_conflicts() if conflicts is None else conflicts
    table = published[["figure_id", "partnership", "measure", "category", "unit", "value"]].merge(
        figures[["figure_id", "partnership_counted", "count", "denominator", "percent_half_up"]]
        .assign(recomputed=figures["value"], counts=figures["counts"])
        .rename(columns={"partnership_counted": "counted"}),
        on="figure_id",
        how="left",
        validate="one_to_one",
    )
    table = table.rename(columns={"value": "published"})
    for column in INTEGER_COLUMNS:
        table[column] = table[column].astype("Int64")
    table["partnership"] = table["counted"].fillna(table["partnership"])
    rounding_ok = _total_100_blocks(table, rules)
    blocks = bases.blocks(table, rules, published)
    block_of = {fid: b for b in blocks.values() for fid in b.spec.figure_ids}
    in_conflicts = _conflicts_of(conflicts)
    explained = conflicts.set_index("conflict")
    matched = set(table.loc[(table["recomputed"] == table["published"]).fillna(False), "figure_id"])
    out = {c: [] for c in ("status", "note", "explanations", "conflicts")}
    out |= {c: [] for c in ("block_bases", "block_bases_total_100", "figure_bases")}
    for row in table.to_dict("records"):
        fid = row["figure_id"]
        block = block_of.get(fid)
        ids = in_conflicts.get(fid, [])
        # A conflict explains a miss when every other figure of it is reproduced: then one of
        # its figures has to give way, and this is the one.
        forcing = [c for c in ids if set(explained.loc[c, "figures"].split()) - {fid} <= matched]
        counts = None if block is None else _block_counts(table, block)
        case = _Case(row, block, counts, fid in rounding_ok, ids, forcing, explained, matched)
        status, note, found = case.verdict()
        out["status"].append(status)
        out["note"].append(note)
        out["explanations"].append("\n".join(e.line() for e in found))
        out["conflicts"].append(" ".join(ids))
        for column, value in _bases_cells(block, fid).items():
            out[column].append(value)
    for column, values in out.items():
        table[column] = values
    return table[COLUMNS]


def _bases_cells(block: bases.Block | None, figure_id: str) -> dict[str, str]:
    """The data-free base columns of one figure: what its block and it alone need."""
    if block is None:
        return {"block_bases": "", "block_bases_total_100": "", "figure_bases": ""}
    forced, alone = block.forced_100_bases(), block.figure_bases(figure_id)
    return {
        "block_bases": bases.bases_text(block.bases(), block.cap),
        "block_bases_total_100": "" if forced is None else bases.bases_text(forced, block.cap),
        "figure_bases": "" if alone is None else bases.bases_text(alone, block.cap),
    }


def _what(row) -> str:
    k, n, counts = int(row["count"]), int(row["denominator"]), row["counts"]
    if row["unit"] == "count":
        return f"{k} of {n} {counts}"
    exact = 100 * k / n
    return f"{k} of {n} {counts} = {exact:.1f}%, which rounds half up to {row['percent_half_up']}%"


class _Case:
    """One audit row being judged: the figure, its block, and what the source says of it."""

    def __init__(self, row, block, counts, total_100, ids, forcing, explained, matched):
        self.row, self.block, self.counts, self.total_100 = row, block, counts, total_100
        self.ids, self.forcing, self.explained, self.matched = ids, forcing, explained, matched

    def verdict(self) -> tuple[str, str, list[bases.Explanation]]:
        """The status of the row, its note in plain words and the explanations listed."""
        row = self.row
        if pd.isna(row["denominator"]) or row["denominator"] == 0:
            return NOT_COMPUTABLE, self._not_computable(), []
        printed = tables.fmt_published(row["published"], row["unit"])
        if row["recomputed"] == row["published"]:
            return EXACT, self._reproduced(printed), []
        head = f"{_what(row)}, not the published {printed}."
        found = []
        if self.block is not None:
            found = bases.explain(self.block, row["figure_id"], self.counts)
        base, forced = bases.base_reading(found), bases.forced_reading(found)
        rounding = self.total_100 or (bool(self.forcing) and forced is not None)
        if rounding and base is not None:
            status, text = BASE_OR_ROUNDING, self._both(base, forced)
        elif rounding:
            status, text = ROUNDING_ONLY, self._rounding_only(forced)
        elif self.forcing and base is not None:
            status, text = OTHER_BASE, self._other_base(base, found)
        elif self.forcing:
            status = IN_CONFLICT
            text = (
                "The report's figures cannot all hold together, and no other base of the "
                "block explains this one."
            )
        else:
            return DIFFERS, f"{head} {self._unexplained()}", []
        return status, " ".join([head, text, *self._taken(base), *self._conflicts()]), found

    def _not_computable(self) -> str:
        row = self.row
        who = row["counted"] if pd.notna(row["counted"]) else row["partnership"]
        return (
            f"Not computable: the data hold no {row.get('counts') or 'cases'} of {who} "
            "in this figure's population, so there is nothing to count."
        )

    def _reproduced(self, printed: str) -> str:
        note = f"Reproduced: {_what(self.row)}, as published ({printed})."
        if self.ids:
            note += (
                f" It belongs to conflict {', '.join(self.ids)}: those figures cannot all "
                "hold, so another figure of the conflict is not reproduced."
            )
        return note

    def _unexplained(self) -> str:
        text = "Nothing in the printed numbers explains the difference"
        if not self.ids:
            return text + "."
        return f"{text} (it belongs to {', '.join(self.ids)}, but other figures of those fail too)."

    # ------------------------------------------------------------------ sentences

    def _alone_clause(self, base: bases.Explanation) -> str:
        p, m = int(self.row["published"]), base.base
        k = next(k for k in range(m + 1) if round_half_up(k, m) == p)
        return f"{k} of {m} = {100 * k / m:.1f}%, which rounds half up to {p}%"

    def _other_base(self, base: bases.Explanation, found) -> str:
        block, m = self.block, base.base
        if base.name == bases.ALONE:
            return (
                f"Other base: {self.row['published']}% alone holds with a base of {m} "
                f"({self._alone_clause(base)}), not with {bases.has_in_data(block)}, with which "
                "the block's other figures hold."
            )
        hints = [e.name for e in found if e.fits and e.base == m and e is not base]
        hint = f" ({hints[0]}?)" if hints else ""
        if block.sums_to_base and not block.percent:
            what = f"the {block.name} counts total {m}"
        else:
            what = f"the {block.name} block holds with a base of {m} {block.noun}"
        where = f"{block.partnership} has {block.size} {block.noun} in the data"
        return f"Other base: {what}, where {where}{hint}."

    def _rounding_clause(self, forced: bases.Explanation | None) -> str:
        n, k = int(self.row["denominator"]), int(self.row["count"])
        if forced is not None and forced.counts is not None:
            k = forced.counts[self.block.spec.figure_ids.index(self.row["figure_id"])]
        p = int(self.row["published"])
        way = "up" if p > round_half_up(k, n) else "down"
        return (
            f"rounding forced to total 100% with the data's base of {n} ({k} of {n} = "
            f"{100 * k / n:.1f}%, rounded {way} to {p}%)"
        )

    def _both(self, base: bases.Explanation, forced: bases.Explanation) -> str:
        block, m = self.block, base.base
        if base.name == bases.ALONE:
            first = (
                f"this figure alone counted out of {m} {block.noun} ({self._alone_clause(base)}), "
                f"while {bases.has_in_data(block)} fit the block's other figures"
            )
        else:
            first = f"the block counted out of {m} {block.noun}"
        return (
            "Two readings fit the printed numbers, and which one the report used is not known: "
            f"{first}; or {self._rounding_clause(forced)}."
        )

    def _rounding_only(self, forced: bases.Explanation) -> str:
        return (
            f"One reading fits: {self._rounding_clause(forced)}; the readings with another base "
            "do not fit. Which rounding the report used is not known."
        )

    def _taken(self, base: bases.Explanation | None) -> list[str]:
        """Which figures of a block with another base hold in the data (this one gives way)."""
        if base is None or base.name != bases.ANOTHER_BASE:
            return []
        held = [f for f in self.block.spec.figure_ids if f in self.matched]
        if not held:
            return []
        return [
            f"In the data the block's other figures ({', '.join(held)}) hold, so this one "
            "takes the difference."
        ]

    def _conflicts(self) -> list[str]:
        return [
            f"Conflict {cid} ({self.explained.loc[cid, 'figures'].replace(' ', ', ')}): "
            f"{self.explained.loc[cid, 'explanation']}"
            for cid in self.forcing
        ]


def build_audit(dataset=None, rules: Rules | None = None, readings=None) -> pd.DataFrame:
    """The audit of ``dataset`` (default: the case-level files of ``data/raw``)."""
    rules = load_rules() if rules is None else rules
    dataset = pipeline.load() if dataset is None else dataset
    return audit_table(tables.recompute(dataset, rules, readings), rules)


def status_counts(audit: pd.DataFrame) -> pd.DataFrame:
    """How many figures have each status (those that occur, and ``exact``), with their ids."""
    records = []
    for status in STATUSES:
        ids = list(audit.loc[audit["status"] == status, "figure_id"])
        if ids or status == EXACT:
            shown = "all the others" if status == EXACT and ids else " ".join(ids)
            records.append({"status": status, "figures": len(ids), "ids": shown})
    out = pd.DataFrame(records)
    total = {"status": "total", "figures": int(out["figures"].sum()), "ids": ""}
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def statuses_table() -> pd.DataFrame:
    """Every status and what it means."""
    return pd.DataFrame(
        {"status": list(STATUS_MEANINGS), "meaning": list(STATUS_MEANINGS.values())}
    )


def columns_table() -> pd.DataFrame:
    """Every column of ``reports/audit.csv`` and what it holds."""
    return pd.DataFrame({"column": COLUMNS, "what it holds": [COLUMN_MEANINGS[c] for c in COLUMNS]})


_PHRASES = {
    OTHER_BASE: "{n} hold only with another base",
    BASE_OR_ROUNDING: "{n} fit another base or rounding forced to total 100%",
    ROUNDING_ONLY: "{n} fit only rounding forced to total 100%",
    IN_CONFLICT: "{n} conflict with other figures, no other base explaining it",
    NOT_COMPUTABLE: "{n} are not computable",
    DIFFERS: "{n} differ without an explanation in the printed numbers",
}


def headline(
    audit: pd.DataFrame, rules: Rules | None = None, published: pd.DataFrame | None = None
) -> str:
    """The audit summed up: the status counts, then where the report's bases disagree.

    E.g. '49 of 57 published figures reproduced exactly; ... Block by block ...' (the second
    part is :func:`base_finding`, left out when no figure needs another base).
    """
    n = audit["status"].value_counts()
    parts = [f"{n.get(EXACT, 0)} of {len(audit)} published figures reproduced exactly"]
    for status, count in n.items():
        if status != EXACT:
            parts.append(_PHRASES.get(status, "{n} " + str(status)).format(n=count))
    text = "; ".join(parts) + "."
    finding = base_finding(audit, rules, published)
    return f"{text} {finding}" if finding else text


def _labels(blocks_: list[bases.Block]) -> str:
    """``"HSSCP's living arrangements and social-care status blocks"``."""
    by_p: dict[str, list[str]] = {}
    for b in blocks_:
        by_p.setdefault(b.partnership, []).append(b.label)
    return bases.and_list(
        [
            f"{p}'s {bases.and_list(labels)} block{'s' if len(labels) > 1 else ''}"
            for p, labels in by_p.items()
        ]
    )


def _discrepancies(audit: pd.DataFrame, mine: list[bases.Block]) -> list[tuple[str, int, set]]:
    """What of a partnership's blocks needs another base: (phrase, base, figure ids)."""
    status = audit.set_index("figure_id")["status"]
    category = audit.set_index("figure_id")["category"]
    items, alone = [], {}
    for block in mine:
        failing = [f for f in block.spec.figure_ids if status[f] in (OTHER_BASE, BASE_OR_ROUNDING)]
        for fid in failing:
            base = bases.base_reading(bases.explain(block, fid))
            if base is None:
                continue
            m = base.base
            if base.name == bases.ANOTHER_BASE:
                if block.sums_to_base and not block.percent:
                    phrase = f"the {block.label} counts total {m}"
                else:
                    others = [b for b in block.bases() if b != block.size]
                    phrase = (
                        f"the {block.label} block needs a base of {bases.or_list(others)} "
                        f"{block.noun}"
                    )
                items.append((phrase, m, set(block.spec.figure_ids)))
                break
            p = block.value(fid)
            alone.setdefault((p, m), []).append((fid, category[fid]))
    for (p, m), found in alone.items():
        k = next(k for k in range(m + 1) if round_half_up(k, m) == p)
        if len(found) == 1:
            what = f"the {p}% figure '{found[0][1]}'"
            verb = "fits"
        else:
            what, verb = f"{bases.number_word(len(found))} {p}% figures", "fit"
        items.append((f"{what} {verb} {m} ({k} of {m})", m, {f for f, _ in found}))
    return items


def base_finding(
    audit: pd.DataFrame, rules: Rules | None = None, published: pd.DataFrame | None = None
) -> str:
    """Where the report's figures need different bases, in one sentence from the data
    (:func:`base_finding_parts` joined)."""
    lead, sentences = base_finding_parts(audit, rules, published)
    return f"{lead}: " + "; ".join(sentences) + "." if sentences else ""


def base_finding_parts(
    audit: pd.DataFrame, rules: Rules | None = None, published: pd.DataFrame | None = None
) -> tuple[str, list[str]]:
    """Where the report's figures need different bases: the lead, then one clause per
    partnership (each beginning "in STSCP ..."); ``("", [])`` when no figure needs another base.

    Within each block: does some base up to the report's number of children reproduce it
    (rounded half up, or only rounded to total 100%)? Across blocks: for each partnership, the
    blocks (or figures) whose figures need a base other than the data's, the base they need,
    and whether every other figure of the partnership holds with the data's base and none of
    its other blocks with that one. Empty when no figure needs another base.
    """
    needed = {"figure_id", "partnership", "measure", "category", "unit", "published"}
    if not needed | {"denominator", "status"} <= set(audit.columns):
        return "", []
    if not audit["status"].isin([OTHER_BASE, BASE_OR_ROUNDING]).any():
        return "", []
    rules = load_rules() if rules is None else rules
    published = load_published() if published is None else published
    blocks = list(bases.blocks(audit, rules, published).values())
    forced_only = [b for b in blocks if not b.bases() and b.forced_100_bases()]
    neither = [b for b in blocks if not b.bases() and not b.forced_100_bases()]
    if neither:
        cap = bases.or_list(sorted({b.cap for b in neither}))
        lead = f"{_labels(neither)} hold with no base up to {cap} under any rounding; across blocks"
    else:
        lead = "Block by block the report's figures are consistent"
        if forced_only:
            lead += f" ({_labels(forced_only)} only with rounding forced to total 100%)"
        lead += "; they contradict each other only across blocks"
    sentences, clean = [], {}
    for p in rules.partnerships:
        for noun in dict.fromkeys(b.noun for b in blocks):
            mine = [b for b in blocks if b.partnership == p and b.noun == noun and b.size]
            found = _partnership_finding(audit, mine, p, noun)
            if found is not None:
                sentences.append(found[0])
                clean[p] = clean.get(p, True) and found[1]
    if not sentences:
        return "", []
    if set(clean) == set(rules.partnerships) and all(clean.values()):
        lead += ", one base discrepancy per partnership"
    return lead, sentences


def _partnership_finding(
    audit: pd.DataFrame, mine: list[bases.Block], p: str, noun: str
) -> tuple[str, bool] | None:
    """One partnership's base discrepancy in words, and whether it is a single clean one.

    Clean: every block or figure that needs another base needs the same one, every other
    figure about the partnership's children (or reviews) holds in the data, and no other block
    holds with that base.
    """
    items = _discrepancies(audit, mine)
    if not items:
        return None
    status = audit.set_index("figure_id")["status"]
    found = {m for _, m, _ in items}
    sentence = f"in {p} " + bases.and_list([phrase for phrase, _, _ in items])
    taken = set().union(*(ids for _, _, ids in items))
    others = [f for b in mine for f in b.spec.figure_ids if f not in taken]
    sizes = {b.size for b in mine}
    if not (others and len(sizes) == 1 and all(status[f] == EXACT for f in others)):
        return sentence, False
    (n,) = sizes
    sentence += f", where every other figure about {p}'s {noun} holds at {n}"
    if len(found) != 1:
        return sentence, False
    (m,) = found
    rests = [s for s in (b.without(taken) for b in mine) if s is not None]
    if any(bases.count_vectors(s, "half_up", m) for s in rests):
        return sentence, False
    return sentence + f" and no other block at {m}", True


def _rounding_blocks(audit: pd.DataFrame) -> pd.DataFrame:
    rows = audit["status"].isin([BASE_OR_ROUNDING, ROUNDING_ONLY])
    return audit.loc[rows, ["partnership", "measure"]].drop_duplicates()


def rounding_detail(audit: pd.DataFrame) -> pd.DataFrame:
    """Each block where rounding forced to total 100% is a reading: exact, half-up, printed."""
    rows = audit.merge(_rounding_blocks(audit), on=["partnership", "measure"])
    rows = rows[rows["unit"] == "percent"]
    exact = 100 * rows["count"].astype(float) / rows["denominator"].astype(float)
    return pd.DataFrame(
        {
            "figure_id": rows["figure_id"],
            "partnership": rows["partnership"],
            "measure": rows["measure"],
            "category": rows["category"],
            "counted": [
                tables.fmt_count(k, n)
                for k, n in zip(rows["count"], rows["denominator"], strict=True)
            ],
            "exact %": [f"{x:.2f}" for x in exact],
            "half up": [f"{p}%" for p in rows["percent_half_up"]],
            "published": [f"{p}%" for p in rows["published"]],
            "status": rows["status"],
        }
    ).reset_index(drop=True)


def rounding_totals(audit: pd.DataFrame) -> pd.DataFrame:
    """For each block of :func:`rounding_detail`: its half-up and published percents summed."""
    detail = audit[audit["unit"] == "percent"].merge(
        _rounding_blocks(audit), on=["partnership", "measure"]
    )
    sums = detail.groupby(["partnership", "measure"], sort=False)[["percent_half_up", "published"]]
    out = sums.sum().reset_index()
    out.columns = ["partnership", "measure", "total half up", "total published"]
    out["children"] = list(
        detail.groupby(["partnership", "measure"], sort=False)["denominator"].first()
    )
    return out


def bases_table(
    audit: pd.DataFrame, rules: Rules | None = None, published: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every partnership block: its printed numbers, the bases that reproduce it, the data's."""
    rows = []
    for block in bases.blocks(audit, rules, published).values():
        half_up, forced = block.bases(), block.forced_100_bases()
        if block.size is None:
            holds = "nothing to count"
        elif block.size in half_up:
            holds = "yes"
        elif forced and block.size in forced:
            holds = "only rounded to total 100%"
        else:
            holds = "no"
        rows.append(
            {
                "partnership": block.partnership,
                "block": block.label,
                "printed": block.printed(),
                "bases, half up": bases.bases_text(half_up, block.cap),
                "bases, forced to total 100%": (
                    "–" if forced is None else bases.bases_text(forced, block.cap)
                ),
                "base in the data": "–" if block.size is None else f"{block.size} {block.noun}",
                "holds with the data's base": holds,
            }
        )
    return pd.DataFrame(rows)


def misses(audit: pd.DataFrame) -> pd.DataFrame:
    """The figures not reproduced: status, the data's base and the bases that would hold."""
    columns = ["figure_id", "partnership", "published", "recomputed", "status", "denominator"]
    columns += ["block_bases", "block_bases_total_100", "figure_bases"]
    out = audit.loc[audit["status"] != EXACT, columns].reset_index(drop=True)
    return out.rename(columns={"denominator": "base in the data"})


def notes_text(audit: pd.DataFrame, width: int = 100) -> str:
    """The notes and explanations of every figure not reproduced exactly, wrapped for reading."""
    blocks = []
    for row in audit[audit["status"] != EXACT].itertuples(index=False):
        text = [textwrap.fill(f"{row.figure_id} ({row.status}): {row.note}", width)]
        for line in filter(None, str(row.explanations).split("\n")):
            text.append(textwrap.fill(line, width, initial_indent="  - ", subsequent_indent="    "))
        blocks.append("\n".join(text))
    return "\n\n".join(blocks) if blocks else "Every figure is reproduced exactly."


def notes_markdown(audit: pd.DataFrame) -> str:
    """:func:`notes_text` as Markdown: one paragraph per figure, its explanations as bullets."""
    blocks = []
    for row in audit[audit["status"] != EXACT].itertuples(index=False):
        text = [f"**{row.figure_id}** (*{row.status}*): {row.note}", ""]
        text += [f"- {line}" for line in filter(None, str(row.explanations).split("\n"))]
        blocks.append("\n".join(text))
    return "\n\n".join(blocks) if blocks else "Every figure is reproduced exactly."


def conflict_table(audit: pd.DataFrame, conflicts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The conflicts of the source, each with the status of the figure given up."""
    conflicts = load_conflicts() if conflicts is None else conflicts
    status = audit.set_index("figure_id")["status"]
    return pd.DataFrame(
        {
            "conflict": conflicts["conflict"],
            "figures that cannot all hold": conflicts["figures"].str.replace(" ", ", "),
            "figure given up": conflicts["failed_figure"],
            "its status": conflicts["failed_figure"].map(status),
            "why": conflicts["explanation"],
        }
    )


def to_csv_text(audit: pd.DataFrame) -> str:
    """The audit table as CSV text (``\\n`` line ends)."""
    return audit[COLUMNS].to_csv(index=False, lineterminator="\n")


def write_audit(audit: pd.DataFrame, path: Path | str = AUDIT_FILE) -> Path:
    """Write the audit table atomically to ``reports/audit.csv`` (or ``path``)."""
    return atomic.write_text(Path(path), to_csv_text(audit))


def from_records(rows: list[dict[str, str]]) -> pd.DataFrame:
    """An audit table from the rows of ``reports/audit.csv`` as text (e.g. ``csv.DictReader``)."""
    table = pd.DataFrame(rows, dtype=str).fillna("")
    for column in INTEGER_COLUMNS:
        if column in table:
            table[column] = pd.to_numeric(table[column], errors="coerce").astype("Int64")
    return table


def read_audit(path: Path | str = AUDIT_FILE) -> pd.DataFrame:
    """``reports/audit.csv`` read back, integers as integers and text as text."""
    rows = pd.read_csv(path, dtype=str, keep_default_na=False).to_dict("records")
    return from_records(rows)

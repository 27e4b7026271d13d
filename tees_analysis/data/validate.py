"""Checks across rows and tables: unique ids, links between children and reviews, ages.

Cell-level checks (types, labels, ranges) happen while cleaning; the rules here need whole
tables or whole rows. Every rule adds :class:`~tees_analysis.data.problems.Problem` entries
naming the file, the spreadsheet row, the column and the value. Contradictions between two
cells of a row that may both be right (a harm category of neglect with the neglect factor
"no", say) are warnings (:func:`check_contradictions`): they are shown, and never stop loading.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .clean import SOURCE_COLUMNS
from .problems import ERROR, WARNING, ProblemLog
from .schema import CASE_RECORDS, KEYS, NOT_RECORDED

#: Age band each age in months falls in.
UNDER_2_MONTHS = 24


def add_problem(
    log: ProblemLog, rec, message: str, column: str, value=None, allowed=None, severity=ERROR
) -> None:
    """Report a problem of record ``rec``, naming the column by its header in the user's file."""
    log.add(
        rec["_file"],
        message,
        sheet=rec["_sheet"],
        row=int(rec["_row"]),
        column=header(rec, column),
        value=None if value is None else str(value),
        allowed=allowed,
        severity=severity,
    )


def header(rec, column: str) -> str:
    """The header of field ``column`` in the file of record ``rec`` (the field name if absent)."""
    return rec["_headers"].get(column, column)


def check_unique(frame: pd.DataFrame, table: str, log: ProblemLog) -> None:
    """Each id appears once; later copies are reported with the row of the first."""
    key = KEYS[table]
    if key not in frame:
        return
    ids = frame[key]
    known = ids.notna()
    again = known & ids.duplicated(keep="first")
    if not again.any():
        return
    firsts = known & ids.duplicated(keep=False) & ~again  # the first of each repeated id
    first = {rec[key]: rec for rec in _records(frame, firsts, key)}
    for rec in _records(frame, again, key):
        seen = first[rec[key]]
        add_problem(
            log,
            rec,
            f"duplicate {key}: also on {seen['_file']} row {seen['_row']}",
            key,
            rec[key],
        )


def _records(frame: pd.DataFrame, mask, *names: str) -> list[dict]:
    """The rows of ``frame`` where ``mask`` is true, as records (none when none is): the
    provenance columns and the fields ``names`` that the frame has (a rule reads no other)."""
    where = np.flatnonzero(np.broadcast_to(np.asarray(mask, dtype=bool), len(frame)))
    if not len(where):
        return []
    columns = [frame.columns.get_loc(n) for n in (*SOURCE_COLUMNS, *names) if n in frame]
    return frame.iloc[where, columns].to_dict("records")


def _ids(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column of ids with everything that is not a text id (missing, invalid) as missing."""
    if name not in frame:
        return pd.Series(None, index=frame.index, dtype=object)
    column = frame[name].astype(object)
    return column.where(column.map(lambda v: isinstance(v, str)), None)


def check_links(reviews: pd.DataFrame, children: pd.DataFrame, log: ProblemLog) -> None:
    """Every child belongs to a known review, and every review has at least one child."""
    review_ids, child_reviews = _ids(reviews, "review_id"), _ids(children, "review_id")
    orphans = child_reviews.notna() & ~child_reviews.isin(set(review_ids.dropna()))
    for rec in _records(children, orphans, "review_id"):
        add_problem(
            log,
            rec,
            "the child's review is not in the reviews table",
            "review_id",
            rec["review_id"],
        )
    childless = review_ids.notna() & ~review_ids.isin(set(child_reviews.dropna()))
    for rec in _records(reviews, childless, "review_id"):
        add_problem(
            log,
            rec,
            "the review has no children in the children table",
            "review_id",
            rec["review_id"],
        )


def check_ages(children: pd.DataFrame, log: ProblemLog) -> None:
    """An age is given, and age in months and age band agree when both are given."""
    if "age_months" not in children and "age_band" not in children:
        log.add(
            str(children["_file"].iloc[0]) if len(children) else "children",
            "an age column is required",
            column="age_months",
            allowed="a column 'age_months' (months) or 'age_band'",
        )
        return
    ages = {"age_months", "age_band"}
    months, band = children.get("age_months"), children.get("age_band")
    no_months = months.isna() if months is not None else True
    no_band = band.isna() if band is not None else True
    suspect = no_months & no_band
    if months is not None and band is not None:
        expected = np.where(months.fillna(0).to_numpy() < UNDER_2_MONTHS, "under 2", "2 and over")
        given = band.astype(object).where(band.notna(), NOT_RECORDED).to_numpy()
        suspect = suspect | (~no_months & (given != NOT_RECORDED) & (given != expected))
    reported = children["_invalid"].map(lambda bad: not ages.isdisjoint(bad))
    rows = np.asarray(suspect, dtype=bool) & ~reported.to_numpy()
    for rec in _records(children, rows, *ages):
        months, band = rec.get("age_months"), rec.get("age_band")
        months = None if months is None or pd.isna(months) else int(months)
        band = None if band is None or pd.isna(band) else str(band)
        if months is None and band is None:
            add_problem(
                log,
                rec,
                f"no age: give age_months or age_band ('{NOT_RECORDED}' if unknown)",
                "age_band",
                "",
            )
        elif months is not None and band not in (None, NOT_RECORDED):
            expected = "under 2" if months < UNDER_2_MONTHS else "2 and over"
            if band != expected:
                add_problem(
                    log,
                    rec,
                    f"age band disagrees with age_months={months}",
                    "age_band",
                    band,
                    f"'{expected}' or blank",
                )


NOT_KNOWN_TO_CSC = "not known to children's social care"
#: Plan categories that say nothing about a child protection plan having existed.
NO_PLAN = ("no plan", NOT_RECORDED)


def _value(rec, name):
    """A cleaned value of a record, ``None`` when missing, absent or invalid."""
    if name in rec["_invalid"] or name not in rec:
        return None
    value = rec[name]
    if value is None or (not isinstance(value, tuple) and pd.isna(value)):
        return None
    return value


def contradictions(rec) -> list[tuple[str, str, str]]:
    """The contradictions between cells of one child's record: (column, value, message).

    Each names the column it is reported on, that column's value, and what contradicts it.
    """
    found = []
    neglect = _value(rec, "neglect")
    for name, what in (("harm_category", "harm category"), ("plan_category", "plan category")):
        if _value(rec, name) == "neglect" and neglect is False:
            found.append(
                (
                    name,
                    "neglect",
                    f"the {what} is neglect, but column '{header(rec, 'neglect')}' says no "
                    "(neglect did not feature); check which is right",
                )
            )
    status = _value(rec, "csc_status") or ()
    if NOT_KNOWN_TO_CSC in status:
        others = [s for s in status if s != NOT_KNOWN_TO_CSC]
        value = "; ".join(status)
        if others:
            listed = " and ".join(f"'{s}'" for s in others)
            found.append(
                (
                    "csc_status",
                    value,
                    f"'{NOT_KNOWN_TO_CSC}' together with {listed}: a child never known to "
                    "children's social care has no other status; check which is right",
                )
            )
        plan = _value(rec, "plan_category")
        if plan is not None and plan not in NO_PLAN:
            found.append(
                (
                    "csc_status",
                    value,
                    f"'{NOT_KNOWN_TO_CSC}', but column '{header(rec, 'plan_category')}' gives "
                    f"a child protection plan category ('{plan}'); check which is right",
                )
            )
    return found


def check_contradictions(children: pd.DataFrame, log: ProblemLog) -> None:
    """Warn about cells of a child's row that contradict each other (see :func:`contradictions`).

    Warnings, not errors: either cell may be the mistake, or the review may say both.
    """

    def has(name, label):
        if name not in children:
            return np.zeros(len(children), dtype=bool)
        column = children[name]
        if column.dtype == object:  # several labels per cell
            return column.map(lambda v: isinstance(v, tuple) and label in v).to_numpy(bool)
        return (column.astype(object) == label).to_numpy(bool)

    neglect_no = (
        (children["neglect"] == False).fillna(False).to_numpy(bool)  # noqa: E712
        if "neglect" in children
        else np.zeros(len(children), dtype=bool)
    )
    candidates = neglect_no & (has("harm_category", "neglect") | has("plan_category", "neglect"))
    candidates |= has("csc_status", NOT_KNOWN_TO_CSC)
    read = ("neglect", "harm_category", "plan_category", "csc_status")  # by contradictions()
    for rec in _records(children, candidates, *read):  # the rows that may hold one
        for column, value, message in contradictions(rec):
            add_problem(log, rec, message, column, value, severity=WARNING)


def provenance_kinds(reviews: pd.DataFrame) -> pd.Series:
    """Each review's provenance, a blank (or a missing column) meaning case records."""
    if "provenance" not in reviews:  # an optional column
        return pd.Series(CASE_RECORDS, index=reviews.index, dtype=object)
    given = reviews["provenance"].astype(object)
    return given.where(given.notna(), CASE_RECORDS)


def check_provenance(reviews: pd.DataFrame, log: ProblemLog) -> None:
    """Reconstructed or fictional reviews are never mixed with case records.

    A blank provenance means case records. When case records and made-up (reconstructed or
    fictional) reviews meet, every made-up row is reported, so that made-up rows cannot be
    analysed as real ones. Reconstructed and fictional rows may be combined (e.g. to try
    adding a fictional year to the reconstruction): neither is real.
    """
    if "provenance" not in reviews:
        return
    kinds = provenance_kinds(reviews)
    if CASE_RECORDS not in set(kinds) or kinds.nunique() < 2:
        return
    made_up = (kinds != CASE_RECORDS).to_numpy()
    for rec, kind in zip(_records(reviews, made_up), kinds[made_up], strict=True):
        if kind != CASE_RECORDS:
            add_problem(
                log,
                rec,
                f"a {kind} review in files that also hold other reviews: keep {kind} data "
                "apart from case records",
                "provenance",
                kind,
            )


def validate(reviews: pd.DataFrame | None, children: pd.DataFrame | None, log: ProblemLog) -> None:
    """Run every cross-row and cross-table rule on the tables that could be read.

    Links between the tables are checked only when both were read: a reviews file that could
    not be read is reported once, not again as an unknown review on every child's row.
    """
    if reviews is not None:
        check_unique(reviews, "reviews", log)
        check_provenance(reviews, log)
    if children is not None:
        check_unique(children, "children", log)
        check_ages(children, log)
        check_contradictions(children, log)
    if reviews is not None and children is not None:
        check_links(reviews, children, log)

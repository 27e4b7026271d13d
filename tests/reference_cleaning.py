"""The cell-by-cell and row-by-row versions of cleaning, validation and sheet reading, kept as
oracles for the faster versions (issue 16, item 6).

These are the implementations that :mod:`tees_analysis.data` had before cleaning parsed each
distinct text once, the cross-row rules became column operations and workbook rows were parsed
by the standard library's XML parser: plain, slow and obviously right. ``tests/test_fast_paths.py``
runs the project both ways (swapping these in) and requires the same frames, change log,
problems and warnings.
"""

from __future__ import annotations

import difflib

import pandas as pd

from tees_analysis.data.clean import (
    CHANGE_COLUMNS,
    CLOSE,
    SOURCE_COLUMNS,
    CleanTable,
    _Invalid,
    absent_value,
    match_headers,
    parse_value,
    written,
)
from tees_analysis.data.problems import WARNING, ProblemLog
from tees_analysis.data.read import DamagedWorkbook, RawTable, _sheet_damage
from tees_analysis.data.schema import FIELDS, HEADERS, KEYS, NOT_RECORDED, Field, header_key
from tees_analysis.data.validate import UNDER_2_MONTHS, add_problem, contradictions


def clean_table(raw: RawTable, log: ProblemLog) -> CleanTable:
    """Clean one raw table, one cell at a time."""
    matched = match_headers(raw, log)
    present = {f.name for f in matched.values()}
    absent = [f for f in FIELDS[raw.table] if f.name not in present and f.not_recorded_if_absent]
    lookups = {pos: f.lookup() for pos, f in matched.items() if f.categories}
    headers = {f.name: raw.headers[pos] for pos, f in matched.items()}
    records, changes = [], []
    for row, cells in raw.rows:
        invalid: set[str] = set()
        record = {"_file": raw.file, "_sheet": raw.sheet, "_row": row, "_headers": headers}
        record["_invalid"] = invalid
        for f in absent:
            record[f.name] = absent_value(f)
        for pos, f in matched.items():
            typed = cells[pos]
            try:
                value = parse_value(f, typed, lookups.get(pos))
            except _Invalid as bad:
                log.add(
                    raw.file,
                    str(bad),
                    sheet=raw.sheet,
                    row=row,
                    column=raw.headers[pos],
                    value=typed,
                    allowed=bad.allowed,
                )
                invalid.add(f.name)
                value = None
            else:
                if written(value, f.kind) != typed:
                    changes.append(
                        {
                            "table": raw.table,
                            "file": raw.file,
                            "row": row,
                            "column": f.name,
                            "typed": typed,
                            "cleaned": written(value, f.kind),
                        }
                    )
            record[f.name] = value
        records.append(record)
    columns = present | {f.name for f in absent}
    return CleanTable(
        raw.table,
        to_frame(raw.table, records, columns),
        pd.DataFrame(changes, columns=CHANGE_COLUMNS),
    )


def to_frame(table: str, records: list[dict], present: set[str]) -> pd.DataFrame:
    """Records to a DataFrame with the schema's column order and dtypes."""
    fields = [f for f in FIELDS[table] if f.name in present]
    columns = [*SOURCE_COLUMNS, *(f.name for f in fields)]
    frame = pd.DataFrame.from_records(records, columns=columns)
    for f in fields:
        frame[f.name] = typed_column(f, frame[f.name])
    return frame


def typed_column(f: Field, column: pd.Series) -> pd.Series:
    if f.kind == "yes_no":
        return column.astype("boolean")
    if f.kind == "integer":
        return column.astype("Int64")
    if f.kind == "category":
        return pd.Categorical(column, categories=list(f.labels))
    if f.kind == "multi_category":
        return column.astype(object)
    return column.astype("string")


def suggest_header(table: str, header: str) -> list[str]:
    """The fields an unknown header probably means, every accepted header compared in full."""
    by_key = HEADERS[table]
    key = header_key(header)
    ratios = {k: difflib.SequenceMatcher(None, key, k).ratio() for k in by_key}
    best = max(ratios.values(), default=0.0)
    close = sorted((k for k, r in ratios.items() if r >= max(CLOSE, best - 0.05)),
                   key=lambda k: -ratios[k])  # fmt: skip
    found = list(dict.fromkeys(by_key[k].name for k in close))
    if not found:
        words = set(key.split())
        overlaps = [
            (-difflib.SequenceMatcher(None, key, k).ratio(), k)
            for k in by_key
            if words and (set(k.split()) <= words or words <= set(k.split()))
        ]
        found = list(dict.fromkeys(by_key[k].name for _, k in sorted(overlaps)))
    return found[:2]


def check_unique(frame: pd.DataFrame, table: str, log: ProblemLog) -> None:
    key = KEYS[table]
    if key not in frame:
        return
    first: dict[str, object] = {}
    for rec in frame.to_dict("records"):
        value = rec[key]
        if value is None or pd.isna(value):
            continue
        if value in first:
            seen = first[value]
            add_problem(
                log,
                rec,
                f"duplicate {key}: also on {seen['_file']} row {seen['_row']}",
                key,
                value,
            )
        else:
            first[value] = rec


def check_links(reviews: pd.DataFrame, children: pd.DataFrame, log: ProblemLog) -> None:
    review_ids = {v for v in reviews.get("review_id", []) if isinstance(v, str)}
    child_reviews = {v for v in children.get("review_id", []) if isinstance(v, str)}
    for rec in children.to_dict("records"):
        rid = rec.get("review_id")
        if isinstance(rid, str) and rid not in review_ids:
            add_problem(
                log, rec, "the child's review is not in the reviews table", "review_id", rid
            )
    for rec in reviews.to_dict("records"):
        rid = rec.get("review_id")
        if isinstance(rid, str) and rid not in child_reviews:
            add_problem(
                log, rec, "the review has no children in the children table", "review_id", rid
            )


def check_ages(children: pd.DataFrame, log: ProblemLog) -> None:
    if "age_months" not in children and "age_band" not in children:
        log.add(
            str(children["_file"].iloc[0]) if len(children) else "children",
            "an age column is required",
            column="age_months",
            allowed="a column 'age_months' (months) or 'age_band'",
        )
        return
    for rec in children.to_dict("records"):
        if rec["_invalid"] & {"age_months", "age_band"}:
            continue
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


def check_contradictions(children: pd.DataFrame, log: ProblemLog) -> None:
    for rec in children.to_dict("records"):
        for column, value, message in contradictions(rec):
            add_problem(log, rec, message, column, value, severity=WARNING)


def sheet_rows(ws):
    """Every row of a sheet by openpyxl's own sheet parser, as ``(row, [(column, value,
    data_type)])``; returns the merged ranges."""
    from openpyxl.worksheet._reader import WorkSheetParser

    book = ws.parent
    try:
        with ws._get_source() as source:
            parser = WorkSheetParser(
                source,
                ws._shared_strings,
                data_only=False,
                epoch=book.epoch,
                date_formats=book._date_formats,
                timedelta_formats=book._timedelta_formats,
            )
            for row, cells in parser.parse():
                yield row, [(c["column"], c["value"], c["data_type"]) for c in cells]
    except Exception as err:
        raise DamagedWorkbook(_sheet_damage(err)) from err
    merged = parser.merged_cells
    return [str(m.ref) for m in merged.mergeCell] if merged is not None else []


#: ``(module attribute, replacement)`` for every function above, to swap in with monkeypatch.
SWAPS = {
    "pipeline.clean_table": clean_table,
    "clean.suggest_header": suggest_header,
    "validate.check_unique": check_unique,
    "validate.check_links": check_links,
    "validate.check_ages": check_ages,
    "validate.check_contradictions": check_contradictions,
    "read._sheet_rows": sheet_rows,
}

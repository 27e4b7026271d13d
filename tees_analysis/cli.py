"""Command-line interface: ``tees-analysis <command> --help``.

Table-driven: ``COMMANDS`` names each subcommand's function, summary and description, and
``ARGUMENTS`` its arguments; :func:`parser` builds argparse from the two tables.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import sys
from pathlib import Path

import pandas as pd

from .data import pipeline
from .data.atomic import RawDataIsReadOnly
from .data.csvsafe import inert
from .data.problems import UnexpectedError, ValidationError, problems_frame, warning_lines
from .paths import PROCESSED, ROOT, display
from .report import codebook

FORMATS = ("text", "table", "csv")


def _report(err: ValidationError, fmt: str) -> int:
    """Print every problem, errors then warnings: as text (stderr), an aligned table or CSV
    (stdout, with a ``severity`` column); return 1."""
    if fmt == "text":
        print(err, file=sys.stderr)
        return 1
    n = len(err.problems)
    print(
        f"{n} problem{'s' if n != 1 else ''} found; nothing was written" + _count(err.warnings),
        file=sys.stderr,
    )
    frame = problems_frame(err.problems + err.warnings, severity=True)
    if fmt == "csv":
        sys.stdout.write(_csv(frame))
    else:
        print(_aligned(frame))
    return 1


def _count(warnings) -> str:
    """``", and 2 warnings"`` (or nothing), to follow a count of problems."""
    n = len(warnings)
    return f", and {n} warning{'s' if n != 1 else ''}" if n else ""


def _say(line: str, fmt: str) -> None:
    """A status line: to stdout, but to stderr with --format csv (stdout is then the CSV)."""
    print(line, file=sys.stderr if fmt == "csv" else sys.stdout)


def _show_warnings(warnings, fmt: str) -> None:
    """The warnings of a valid input, after the line saying there are no problems."""
    if fmt == "text":
        if warnings:
            print("\n".join(warning_lines(warnings)))
        return
    frame = problems_frame(warnings, severity=True)
    if fmt == "csv":
        sys.stdout.write(_csv(frame))
    elif warnings:
        print(warning_lines(warnings)[0])
        print(_aligned(frame))


def _csv(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text for a spreadsheet: a cell that starts like a formula (``=``, ``+``,
    ``-``, ``@``, a tab or carriage return) is written after an apostrophe, so it is shown as
    typed and never run (:mod:`tees_analysis.data.csvsafe`)."""
    return inert(frame).to_csv(index=False, lineterminator="\n")


def _one_line(text) -> str:
    return str(text).replace("\n", " [line break] ")


def _changes(data, args) -> None:
    """What cleaning rewrote: a sentence, then the full list with --changes (every cell) or
    --format table (each rewrite, counted)."""
    changes = data.changes
    sentence = pipeline.change_sentence(changes)
    if changes.empty:
        _say(sentence, args.format)
        return
    if args.changes:
        _say(f"{sentence}; every cell:", args.format)
        cells = changes[["file", "row", "table", "column", "typed", "cleaned"]]
        if args.format == "csv":
            sys.stdout.write(_csv(cells))
        else:
            print(_aligned(cells.map(_one_line)))
    elif args.format == "table":
        print(f"{sentence}; each rewrite (--changes lists every cell):")
        print(_aligned(pipeline.change_summary(changes).map(_one_line)))
    else:
        _say(
            f"{sentence}. To see every rewritten cell, run again with --changes "
            "(or --format table for each rewrite, counted)",
            args.format,
        )


def _aligned(frame) -> str:
    """A table as left-aligned text columns; columns blank on every row are left out."""
    cells = [["" if pd.isna(v) else str(v) for v in row] for row in frame.itertuples(index=False)]
    columns = [k for k, _ in enumerate(frame.columns) if any(row[k] for row in cells)]
    rows = [[str(frame.columns[k]) for k in columns]] + [[r[k] for k in columns] for r in cells]
    widths = [max(len(r[n]) for r in rows) for n in range(len(columns))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
    )


def _validate(args) -> int:
    try:
        data = pipeline.load(args.files)
    except ValidationError as err:
        return _report(err, args.format)
    _say(
        f"no problems: {len(data.reviews)} reviews, {len(data.children)} children"
        + _count(data.warnings),
        args.format,
    )
    if args.changes and args.format == "csv":  # stdout holds the changes
        if data.warnings:
            print("\n".join(warning_lines(data.warnings)), file=sys.stderr)
    else:
        _show_warnings(data.warnings, args.format)
    _changes(data, args)
    return 0


def _build(args) -> int:
    try:
        data = pipeline.load(args.files or None)
    except ValidationError as err:
        print(err, file=sys.stderr)
        return 1
    written = pipeline.write_processed(data, args.out)
    print("wrote " + ", ".join(display(p) for p in written))
    if data.warnings:
        print("\n".join(warning_lines(data.warnings)), file=sys.stderr)
    return 0


def _codebook(_args) -> int:
    return codebook.main([])


def _template(args) -> int:
    from .data import template

    written = template.write_templates(args.out)
    print("wrote " + ", ".join(display(p) for p in written))
    return 0


def _add_year(args) -> int:
    from .data import merge

    try:
        plan = merge.plan(args.files, args.dataset, replace_year=args.replace_year)
        if args.dry_run:
            counts = plan.counts
            replaced = ", ".join(map(str, plan.years_replaced))
            _say(
                f"no problems: add-year would add {counts['reviews_added']} reviews and "
                f"{counts['children_added']} children to {display(plan.folder)} (then "
                f"{counts['reviews']} reviews, {counts['children']} children)"
                + (f", replacing year {replaced}" if replaced else "")
                + (
                    "; the dataset folder is writable"
                    if plan.folder.exists()
                    else "; the dataset folder can be created"
                )
                + "; nothing was written"
                + _count(plan.warnings),
                args.format,
            )
            _show_warnings(plan.warnings, args.format)
            return 0
        result = merge.apply(plan)
    except ValidationError as err:
        return _report(err, args.format)
    except (merge.DatasetBusy, merge.DatasetNotWritable, RawDataIsReadOnly) as err:
        print(err, file=sys.stderr)
        return 1
    for old, new in result.abandoned.items():
        _say(
            f"note: {display(old)} was left unfinished by an interrupted add-year (never marked "
            f"complete, so not current); it is kept as {display(new)}, which you may delete",
            args.format,
        )
    if result.rechecked:
        _say(
            "note: another add-year changed the dataset while this one waited; the files were "
            "checked again against the new current version",
            args.format,
        )
    plan = result.plan
    counts = plan.counts
    years = ", ".join(map(str, plan.years_added))
    years = f"year{'s' if len(plan.years_added) > 1 else ''} {years}" if years else "no reviews"
    _say(
        f"added {counts['reviews_added']} reviews and {counts['children_added']} children "
        f"({years}) to {display(plan.folder)}, now version {result.version.name}: "
        f"{counts['reviews']} reviews, {counts['children']} children" + _count(plan.warnings),
        args.format,
    )
    for year, folder in result.backups.items():
        rows = plan.replaced_counts[year]
        _say(
            f"replaced year {year}: its previous {rows['reviews']} reviews and "
            f"{rows['children']} children are kept in {display(folder)}",
            args.format,
        )
    _show_warnings(plan.warnings, args.format)
    return 0


def _export(args) -> int:
    from .report import disclosure

    if args.suppress == args.unsuppressed:
        print(
            "choose --suppress (tables for publication) or --unsuppressed (internal counts, "
            "not for publication)",
            file=sys.stderr,
        )
        return 2
    if args.threshold < 1:
        print("--threshold must be at least 1", file=sys.stderr)
        return 2
    if args.previous_release and not args.suppress:
        print(
            "--previous-release is for --suppress: it makes the tables for publication safe "
            "beside tables published before; internal counts hide nothing",
            file=sys.stderr,
        )
        return 2
    if Path(args.out).exists() and not Path(args.out).is_dir():
        print(f"export --out: {display(args.out)} is a file, not a folder", file=sys.stderr)
        return 2
    files = _input_files(args)
    if not files:
        print(
            f"no data to export: give the files, or start a dataset with add-year (looked in "
            f"{display(args.dataset)} and data/raw)",
            file=sys.stderr,
        )
        return 1
    try:
        data = pipeline.load(files)
    except ValidationError as err:
        return _report(err, args.format)
    threshold = args.threshold if args.suppress else None
    years = sorted({y for chosen in args.year for y in chosen}) if args.year else None
    earlier = sorted({y for chosen in args.previous_release or () for y in chosen})
    option, problem = "--year", disclosure.year_problem(data.reviews, years, threshold)
    if not problem and earlier:
        option, problem = "--previous-release", disclosure.missing_years(data.reviews, earlier)
    if problem:
        source = ", ".join(data.files)
        print(f"export {option}: {problem} (read {source}); nothing was written", file=sys.stderr)
        return 1
    frame = disclosure.publication_table(data, threshold, years=years, earlier=earlier)
    try:
        written = disclosure.write_export(frame, args.out, threshold)
    except OSError as err:  # a file where the folder should be, no permission, a full disk
        reason = err.strerror or str(err)
        print(
            f"export: cannot write to {display(args.out)}: {reason}; nothing was written",
            file=sys.stderr,
        )
        return 1
    source = ", ".join(data.files) or "no files"
    print(f"from {source}: wrote " + ", ".join(display(p) for p in written))
    if threshold is None:
        print("UNSUPPRESSED counts: not for publication or sharing", file=sys.stderr)
    return 0


def _years(text: str) -> list[int]:
    """An argument of --year: ``2022`` or a range ``2020-2022``."""
    match = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", text)
    if not match:
        raise argparse.ArgumentTypeError(f"a year looks like 2022, or 2020-2022; not '{text}'")
    first, last = int(match[1]), int(match[2] or match[1])
    if last < first:
        raise argparse.ArgumentTypeError(f"the range '{text}' runs backwards")
    return list(range(first, last + 1))


def _input_files(args) -> list:
    """The FILES given, else the dataset folder's current version, else data/raw."""
    from .data import merge

    return args.files or merge.current_files(args.dataset) or pipeline.data_files()


class _Progress:
    """Progress of a rerun: a line per finished notebook, and the cell each one is at.

    On a terminal the cells show on one status line that is rewritten in place; elsewhere
    (a log, a pipe) each cell gets its own line.
    """

    def __init__(self, stream=None):
        self.stream = sys.stdout if stream is None else stream
        self.live = self.stream.isatty()
        self.at: dict[str, str] = {}
        self.width = 0

    def cell(self, name: str, k: int, n: int) -> None:
        if not self.live:
            print(f"  {name}: cell {k} of {n}", file=self.stream, flush=True)
            return
        self.at[name] = f"{name} cell {k}/{n}"
        status = "running: " + " · ".join(self.at.values())
        self.stream.write("\r" + status.ljust(self.width))
        self.stream.flush()
        self.width = len(status)

    def line(self, text: str) -> None:
        if self.live and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.width = 0
        for name in list(self.at):
            if name in text:
                del self.at[name]
        print(text, file=self.stream, flush=True)


def _reproduce(args) -> int:
    from . import run_all, selection

    try:
        years = selection.parse_years(args.years) if args.years else None
        who = selection.parse_partnership(args.partnership) if args.partnership else None
    except ValueError as err:
        print(err, file=sys.stderr)
        return 2
    files = _input_files(args)
    chosen = selection.Selection(tuple(Path(f) for f in files), years, who)
    try:
        full = pipeline.load(chosen.files)
    except ValidationError as err:
        return _report(err, args.format)
    if full.warnings:  # things to check in the files, which did not stop loading
        print("\n".join(warning_lines(full.warnings)), file=sys.stderr)
    why = selection.refusal(full, chosen, args.allow_missing_years)
    if why:
        print(f"nothing was run: {why}", file=sys.stderr)
        return 1
    data = selection.apply(full, chosen)
    about = selection.about(data, chosen)
    label = f"{args.years or 'all-years'}_{who or 'both'}"
    out = Path(args.out) if args.out else ROOT / "reports" / "reproduce" / label
    print(f"the selection holds {selection.holdings(data)}")
    if about.report:
        print("these are the report's own (reconstructed) data: the notebooks rerun in full")
    else:
        print("passages about the report's own data and comparisons with its published figures "
              "are left out of the rerun")  # fmt: skip
    print(f"rerunning into {display(out)}")
    progress = _Progress()
    try:
        written = run_all.reproduce(
            chosen, out, progress=progress.line, jobs=args.jobs, other_data=not about.report,
            on_cell=progress.cell,
        )  # fmt: skip
    except run_all.OutputFolderInUse as err:
        print(err, file=sys.stderr)
        return 1
    except run_all.RunFailed as failed:
        for failure in failed.failures:
            print(failure.message(), file=sys.stderr)
        finished = ", ".join(p.name for p in failed.written) or "none"
        print(f"finished notebooks (in {display(out / 'notebooks')}): {finished}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} notebooks to {display(out / 'notebooks')} and figures to "
          f"{display(out / 'figures')}")  # fmt: skip
    return 0


COMMANDS = {
    "validate": (
        _validate,
        "check case-level files and list every problem (writes nothing)",
        "Clean and validate .csv/.xlsx files; list every problem with file, row, column, value "
        "and allowed values, errors first, then warnings (things to check, such as two cells "
        "that contradict each other or a column the file does not have). Exit status 1 if "
        "there is any error; warnings alone do not change it. When there is no error, say "
        "what cleaning rewrote (--changes lists every cell).",
    ),
    "build": (
        _build,
        "clean data/raw (or the files given) into data/processed",
        "raw -> processed: validate, then write the clean tables and the cleaning log "
        "atomically. Nothing is written if any file has a problem.",
    ),
    "codebook": (
        _codebook,
        "regenerate data/codebook.md from the schema",
        "Render data/codebook.md from tees_analysis/data/schema.py.",
    ),
    "template": (
        _template,
        "write the data-entry templates (.xlsx and .csv) generated from the schema",
        "Write tees_case_data_template.xlsx (README sheet, drop-down lists, checks), "
        "reviews_template.csv and children_template.csv, generated from "
        "tees_analysis/data/schema.py. The output is the same, byte for byte, on every run.",
    ),
    "add-year": (
        _add_year,
        "check new files, then merge them into the dataset folder",
        "Validate new reviews/children files and merge them into the dataset folder "
        "(default data/dataset; started if missing or empty). Refuses ids already in the "
        "dataset, children whose review is in neither, and years already in the dataset "
        "unless --replace-year. Nothing is written while any problem remains; the merge is "
        "crash-safe (a new version folder, then an atomic switch of the CURRENT pointer).",
    ),
    "export": (
        _export,
        "write publication tables (CSV and .xlsx) with disclosure control",
        "Counts, denominators and percents per partnership, measure and category. With "
        "--suppress, counts from 1 to the threshold are shown as 'c', with secondary "
        "suppression so that no such count can be worked out from the totals, nor from the "
        "tables of any other years of the same data (single years, all years, ranges). Reads "
        "the FILES given, else the current version of the dataset folder, else data/raw.",
    ),
    "reproduce": (
        _reproduce,
        "rerun the data notebooks for chosen years/partnership, into a separate folder",
        "Execute, in order, the notebooks that analyse case-level data for the data and "
        "selection given, writing executed copies and figures under --out. The committed "
        "notebooks and figures are not touched. The data are checked first; nothing runs if "
        "they have a problem.",
    ),
}


def _arg(*flags: str, **options) -> tuple[tuple[str, ...], dict]:
    """One row of ``ARGUMENTS``: the flags and options of ``add_argument``."""
    return flags, options


_FORMAT = _arg(
    "--format",
    choices=FORMATS,
    default="text",
    help="how to list problems: text (default, to stderr), table (aligned columns) or csv "
    "(one problem a row: severity, file, sheet, row, column, value, problem, allowed; to "
    "stdout). Errors come first, then warnings (to check; they never stop loading or writing)",
)
_INPUT_FILES = _arg(
    "files",
    nargs="*",
    help="input files (default: the dataset folder's current version, else data/raw)",
)
_DATASET = _arg(
    "--dataset", default=None, metavar="DIR", help="dataset folder (default: data/dataset)"
)

ARGUMENTS = {
    "validate": [
        _arg("files", nargs="+", help="reviews and children files (.csv or .xlsx)"),
        _FORMAT,
        _arg(
            "--changes",
            action="store_true",
            help="when there is no problem, list every cell that cleaning rewrote (file, row, "
            "table, column, typed, cleaned); as CSV to stdout with --format csv",
        ),
    ],
    "build": [
        _arg("files", nargs="*", help="input files (default: every file in data/raw)"),
        _arg("--out", default=PROCESSED, help="output folder (default: data/processed)"),
    ],
    "codebook": [],
    "template": [
        _arg("--out", default=None, metavar="DIR", help="output folder (default: templates/)"),
    ],
    "add-year": [
        _arg("files", nargs="+", help="the new reviews and children (.csv or .xlsx)"),
        _DATASET,
        _arg(
            "--replace-year",
            action="store_true",
            help="replace the reviews (and their children) of any year already in the "
            "dataset; the replaced rows are kept in DIR/replaced/<year>-<n>/",
        ),
        _arg(
            "--dry-run",
            action="store_true",
            help="check the new files against the dataset and say what would be added, "
            "without writing anything",
        ),
        _FORMAT,
    ],
    "export": [
        _INPUT_FILES,
        _arg("--suppress", action="store_true", help="apply disclosure control (publication)"),
        _arg(
            "--unsuppressed",
            action="store_true",
            help="write the raw counts, for internal checking only (files UNSUPPRESSED_...)",
        ),
        _arg(
            "--threshold",
            type=int,
            default=5,
            metavar="N",
            help="suppress counts from 1 to N (default: 5)",
        ),
        _arg(
            "--year",
            type=_years,
            action="append",
            metavar="YEAR",
            help="only the reviews of this year, or of a range such as 2020-2022 (repeat for "
            "several; default: all years). A year the data do not hold is refused; with "
            "--suppress the years must follow one another",
        ),
        _arg(
            "--previous-release",
            type=_years,
            action="append",
            metavar="YEAR",
            help="with --suppress: the last year of an earlier version of the data whose "
            "tables were published (repeat for several); the new tables give nothing away "
            "beside them",
        ),
        _arg(
            "--out",
            default=PROCESSED,
            metavar="DIR",
            help="output folder (default: data/processed)",
        ),
        _DATASET,
        _FORMAT,
    ],
    "reproduce": [
        _INPUT_FILES,
        _arg("--years", metavar="FIRST-LAST", help="e.g. 2017-2022 (default: all years)"),
        _arg("--partnership", metavar="NAME", help="STSCP or HSSCP (default: both)"),
        _arg(
            "--out",
            metavar="DIR",
            help="output folder (default: reports/reproduce/<years>_<partnership>)",
        ),
        _arg(
            "--jobs",
            type=int,
            metavar="N",
            help="notebooks run at once (default: one per core, at most 4; 1 = in order)",
        ),
        _arg(
            "--allow-missing-years",
            action="store_true",
            help="run even when some of the --years have no reviews in the data (a year with "
            "no reviews); by default that is refused, as it usually means missing files",
        ),
        _DATASET,
        _FORMAT,
    ],
}


_DEBUG_HELP = (
    "on an unexpected error, show the full traceback instead of one line (as TEES_DEBUG=1 does)"
)


@functools.cache
def parser() -> argparse.ArgumentParser:
    """The command line's parser, built once from the tables (it is only read)."""
    main = argparse.ArgumentParser(
        prog="tees-analysis", description="Tees safeguarding reviews analysis."
    )
    main.add_argument("--debug", action="store_true", help=_DEBUG_HELP)
    sub = main.add_subparsers(dest="command", required=True)
    for name, (func, summary, description) in COMMANDS.items():
        command = sub.add_parser(name, help=summary, description=description)
        command.set_defaults(func=func)
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                             help=_DEBUG_HELP)  # fmt: skip
        for flags, options in ARGUMENTS.get(name, []):
            command.add_argument(*flags, **options)
    return main


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    _defaults(args)
    debug = args.debug or os.environ.get("TEES_DEBUG") == "1"
    try:
        return args.func(args)
    except KeyboardInterrupt:
        if debug:
            raise
        return 130  # interrupted (Ctrl+C): the shell's status for SIGINT, and nothing printed
    except Exception as err:  # a bug: one line instead of a traceback (--debug shows it)
        if debug:
            raise
        print(unexpected(err), file=sys.stderr)
        return 2


def unexpected(err: Exception) -> str:
    """The one line shown for an exception nobody expected, naming the file being read."""
    cause = err.__cause__ if isinstance(err, UnexpectedError) and err.__cause__ else err
    where = f" reading {display(err.file)}" if isinstance(err, UnexpectedError) else ""
    return (
        f"unexpected error{where}: {type(cause).__name__}: {_one_line(cause)}; please report "
        f"it {report_to()} (run again with --debug, or TEES_DEBUG=1, to see the details)"
    )


def report_to() -> str:
    """Where to report a bug: the issue tracker of CITATION.cff's ``repository-code``."""
    try:
        citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    except OSError:
        citation = ""
    match = re.search(r"^repository-code:\s*[\"']?(https://[^\s\"']+)", citation, re.MULTILINE)
    if match:
        return f"at {match[1].rstrip('/')}/issues"
    return "to the project's maintainers (see README.md), with the command you ran"


def _defaults(args) -> None:
    """Defaults that live in modules imported only when needed."""
    if getattr(args, "dataset", False) is None:
        from .data.merge import DEFAULT_DATASET

        args.dataset = DEFAULT_DATASET
    if args.command == "template" and args.out is None:
        from .data.template import TEMPLATES

        args.out = TEMPLATES


if __name__ == "__main__":
    sys.exit(main())

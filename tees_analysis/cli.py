"""Command-line interface: ``tees-analysis <command> --help``."""

from __future__ import annotations

import argparse
import sys

from . import codebook, pipeline
from .paths import PROCESSED, display
from .problems import ValidationError


def _validate(args) -> int:
    try:
        data = pipeline.load(args.files)
    except ValidationError as err:
        print(err, file=sys.stderr)
        return 1
    print(f"no problems: {len(data.reviews)} reviews, {len(data.children)} children")
    return 0


def _build(args) -> int:
    try:
        written = pipeline.build(args.files or None, args.out)
    except ValidationError as err:
        print(err, file=sys.stderr)
        return 1
    print("wrote " + ", ".join(display(p) for p in written))
    return 0


def _codebook(_args) -> int:
    return codebook.main([])


COMMANDS = {
    "validate": (
        _validate,
        "check case-level files and list every problem (writes nothing)",
        "Clean and validate .csv/.xlsx files; list every problem with file, row, column, value "
        "and allowed values. Exit status 1 if there is any problem.",
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
        "Render data/codebook.md from tees_analysis/schema.py.",
    ),
}


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="tees-analysis", description="Tees safeguarding reviews analysis."
    )
    sub = main.add_subparsers(dest="command", required=True)
    commands = {}
    for name, (func, summary, description) in COMMANDS.items():
        commands[name] = sub.add_parser(name, help=summary, description=description)
        commands[name].set_defaults(func=func)
    commands["validate"].add_argument(
        "files", nargs="+", help="reviews and children files (.csv or .xlsx)"
    )
    commands["build"].add_argument(
        "files", nargs="*", help="input files (default: every file in data/raw)"
    )
    commands["build"].add_argument(
        "--out", default=PROCESSED, help="output folder (default: data/processed)"
    )
    return main


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

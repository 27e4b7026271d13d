"""add-year: merging a new year into a dataset folder, its refusals, backups and crash safety."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import socket
from pathlib import Path

import pytest

from tees_analysis import cli
from tees_analysis.data import atomic, lock, merge, pipeline
from tees_analysis.data.problems import Problem, ValidationError, relative_to
from tees_analysis.data.schema import FIELDS

FIXTURES = Path(__file__).parent / "fixtures"
BASE = [FIXTURES / "fictional_reviews.csv", FIXTURES / "fictional_children.csv"]
NEW = FIXTURES / "fictional_2022.xlsx"
BAD = FIXTURES / "fictional_2022_with_mistakes.xlsx"


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the hash of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def table_text(folder: Path) -> dict[str, str]:
    """The current dataset as clean CSV text, table by table."""
    data = pipeline.load(merge.current_files(folder))
    return {t: pipeline.to_csv_text(getattr(data, t), t) for t in FIELDS}


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def rows_of(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.fixture(scope="module")
def started(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("started") / "dataset"
    merge.add_year(BASE, folder)
    return folder


@pytest.fixture
def dataset(started, tmp_path) -> Path:
    """A dataset folder started from the fictional fixture (years 2018, 2020, 2021)."""
    return Path(shutil.copytree(started, tmp_path / "dataset"))


@pytest.fixture(scope="module")
def new_csv(tmp_path_factory) -> list[Path]:
    """fictional_2022.xlsx as two CSV files (quicker to read than a workbook)."""
    folder = tmp_path_factory.mktemp("new")
    data = pipeline.load([NEW])
    paths = [folder / "reviews.csv", folder / "children.csv"]
    for path, table in zip(paths, ("reviews", "children"), strict=True):
        path.write_text(pipeline.to_csv_text(getattr(data, table), table), encoding="utf-8")
    return paths


def only(err: ValidationError, **expected):
    hits = [p for p in err.problems if all(getattr(p, k) == v for k, v in expected.items())]
    assert hits, f"no problem with {expected}:\n{err}"
    return hits[0]


# --------------------------------------------------------------------------- starting and adding


def test_first_add_year_starts_the_dataset(tmp_path):
    folder = tmp_path / "new" / "dataset"
    result = merge.add_year(BASE, folder)
    assert (folder / "CURRENT").read_text() == "versions/0001\n"
    assert result.version == folder / "versions" / "0001"
    assert (folder / ".gitignore").read_text() == "*\n"  # case-level data never reach git
    assert "add-year" in (folder / "README.md").read_text()
    expected = pipeline.load(BASE)
    assert table_text(folder) == {t: pipeline.to_csv_text(getattr(expected, t), t) for t in FIELDS}
    header = rows_of(folder / "versions" / "0001" / "reviews.csv")[0]
    assert header == [f.name for f in FIELDS["reviews"]]  # analyst layout


def test_empty_existing_folder_is_started(tmp_path):
    (tmp_path / "empty").mkdir()
    merge.add_year(BASE, tmp_path / "empty")
    assert merge.current_files(tmp_path / "empty")


def test_adding_2022_keeps_the_old_version_and_passes_load(dataset):
    old = tree(dataset / "versions" / "0001")
    result = merge.add_year([NEW], dataset)
    assert result.version.name == "0002"
    assert tree(dataset / "versions" / "0001") == old
    data = pipeline.load(merge.current_files(dataset))
    assert sorted(set(data.reviews["year"])) == [2018, 2020, 2021, 2022]
    assert (len(data.reviews), len(data.children)) == (6, 9)
    manifest = json.loads((result.version / "manifest.json").read_text())
    assert manifest["previous"] == "versions/0001"
    assert manifest["years_added"] == [2022]
    assert manifest["files_added"][0]["file"].endswith("fictional_2022.xlsx")
    assert (manifest["reviews_added"], manifest["children_added"]) == (2, 3)


def test_manifest_table_and_snapshot_say_what_a_version_added(dataset):
    assert (dataset / ".lock").read_text() == ""  # kept, empty: no add-year is running
    assert merge.snapshot(dataset) == {k: v for k, v in tree(dataset).items() if k != ".lock"}
    assert merge.snapshot(dataset / "missing") == {}
    merge.add_year([NEW], dataset)
    table = merge.manifest_table(dataset).set_index("item")["value"]
    assert table["version"] == "versions/0002" and table["previous version"] == "versions/0001"
    assert table["files added"] == "tests/fixtures/fictional_2022.xlsx"
    assert (table["years added"], table["years replaced"]) == ("2022", "none")
    assert (table["reviews added"], table["children in the dataset"]) == ("2", "9")
    first = merge.manifest_table(dataset, "versions/0001").set_index("item")["value"]
    assert first["previous version"].startswith("none")
    assert merge.manifest(dataset)["version"] == "versions/0002"
    with pytest.raises(FileNotFoundError, match="not a dataset"):
        merge.manifest(dataset / "missing")


def test_problems_can_be_shown_relative_to_a_temporary_folder(dataset):
    merge.add_year([NEW], dataset)
    with pytest.raises(ValidationError) as caught:
        merge.add_year([NEW], dataset)
    shown = relative_to(caught.value.problems, dataset.parent)
    assert str(dataset.parent) not in "".join(map(str, shown))
    assert any("(dataset/versions/0002/children.csv row " in p.message for p in shown)
    assert {p.file for p in shown} == {"tests/fixtures/fictional_2022.xlsx"}
    assert relative_to([Problem(str(dataset), None, None, None, "x")], dataset)[0].file == "."


def test_children_may_join_a_review_already_in_the_dataset(dataset, tmp_path):
    header = [f.name for f in FIELDS["children"]]
    child = ["FICT-C7", "FICT-R4", "30", "", "male", "died", "mother", "CIN", "neglect",
             "no plan", "", "", "", "", "", ""]  # fmt: skip
    path = write_csv(tmp_path / "children.csv", [header, child])
    merge.add_year([path], dataset)
    kids = pipeline.load(merge.current_files(dataset)).children.set_index("child_id")
    assert kids.loc["FICT-C7", "review_id"] == "FICT-R4"


# --------------------------------------------------------------------------- refusals


def test_existing_year_is_refused_without_replace_year(dataset):
    before = tree(dataset)
    with pytest.raises(ValidationError) as err:
        merge.add_year(BASE, dataset)
    problem = only(err.value, column="Year", value="2018")
    assert "already in the dataset" in problem.message and "--replace-year" in problem.message
    assert tree(dataset) == before


def test_replace_year_keeps_the_replaced_rows(dataset, tmp_path):
    reviews = [
        rows_of(FIXTURES / "fictional_reviews.csv")[0],
        [
            "FICT-R5",
            "HSSCP",
            "CSPR",
            "2021",
            "fictional",
            "",
            "y",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    ]
    children = [
        rows_of(FIXTURES / "fictional_children.csv")[0],
        ["FICT-C9", "FICT-R5", "7", "", "f", "died", "mother", "CP plan", "neglect", "neglect",
         "y", "", "", "y", "", ""],
    ]  # fmt: skip
    paths = [write_csv(tmp_path / "reviews.csv", reviews),
             write_csv(tmp_path / "children.csv", children)]  # fmt: skip
    result = merge.add_year(paths, dataset, replace_year=True)
    backup = dataset / "replaced" / "2021-1"
    assert result.backups == {2021: backup}
    kept = pipeline.load([backup / "reviews.csv", backup / "children.csv"])
    assert sorted(kept.reviews["review_id"]) == ["FICT-R3", "FICT-R4"]
    assert sorted(kept.children["child_id"]) == ["FICT-C4", "FICT-C5", "FICT-C6"]
    data = pipeline.load(merge.current_files(dataset))
    assert sorted(data.reviews.loc[data.reviews.year == 2021, "review_id"]) == ["FICT-R5"]
    assert len(data.children) == 4
    # a second replacement of the same year gets the next backup folder
    merge.add_year(paths, dataset, replace_year=True)
    assert (dataset / "replaced" / "2021-2" / "reviews.csv").is_file()


def test_duplicate_and_conflicting_ids_are_refused(dataset, tmp_path, new_csv):
    merge.add_year(new_csv, dataset)
    before = tree(dataset)
    header = [f.name for f in FIELDS["children"]]
    same = ["FICT22-C3", "FICT22-R2", "30", "", "not recorded", "died", "both parents",
            "not known to children's social care", "neglect", "no plan", "no", "no", "yes",
            "yes", "no", "no"]  # fmt: skip
    other = [*same]
    other[0], other[4] = "FICT22-C2", "male"
    other[1] = "FICT22-R1"
    path = write_csv(tmp_path / "children.csv", [header, same, other])
    with pytest.raises(ValidationError) as err:
        merge.add_year([path], dataset)
    duplicate = only(err.value, row=2, column="child_id", value="FICT22-C3")
    assert duplicate.message.startswith("duplicate child_id: this row is already in the dataset")
    conflict = only(err.value, row=3, column="child_id", value="FICT22-C2")
    assert "conflicting child_id" in conflict.message
    assert "differs in age_months, age_band, sex" in conflict.message
    assert tree(dataset) == before


def test_orphan_child_is_refused(dataset, tmp_path):
    header = [f.name for f in FIELDS["children"]]
    child = ["FICT-C8", "FICT-R99", "30", "", "male", "died", "mother", "CIN", "neglect",
             "no plan", "", "", "", "", "", ""]  # fmt: skip
    path = write_csv(tmp_path / "children.csv", [header, child])
    before = tree(dataset)
    with pytest.raises(ValidationError) as err:
        merge.add_year([path], dataset)
    problem = only(err.value, row=2, column="review_id", value="FICT-R99")
    assert problem.message == "the child's review is neither in the files given nor in the dataset"
    assert tree(dataset) == before


def as_case_records(paths: list[Path], folder: Path) -> list[Path]:
    """The files' tables as CSV with a blank provenance: how an analyst's case records look."""
    folder.mkdir(parents=True, exist_ok=True)
    data = pipeline.load(paths)
    reviews = data.reviews.assign(provenance=None)
    out = [folder / "reviews.csv", folder / "children.csv"]
    out[0].write_text(pipeline.to_csv_text(reviews, "reviews"), encoding="utf-8")
    out[1].write_text(pipeline.to_csv_text(data.children, "children"), encoding="utf-8")
    return out


def test_case_records_never_join_a_made_up_dataset(dataset, tmp_path, new_csv):
    before = tree(dataset)
    with pytest.raises(ValidationError) as err:
        merge.add_year(as_case_records(new_csv, tmp_path / "real"), dataset)
    problems = [p for p in err.value.problems if p.column == "provenance"]
    n_new = len(pipeline.load(new_csv).reviews)
    assert [p.row for p in problems] == list(range(2, 2 + n_new))  # every new review
    assert "holds fictional reviews, not case records" in problems[0].message
    assert tree(dataset) == before


def test_made_up_reviews_never_join_case_records(tmp_path, new_csv):
    folder = tmp_path / "dataset"
    merge.add_year(as_case_records(BASE, tmp_path / "real"), folder)
    before = tree(folder)
    with pytest.raises(ValidationError) as err:
        merge.add_year(new_csv, folder)
    problem = only(err.value, row=2, column="provenance", value="fictional")
    assert "cannot join a dataset of case records" in problem.message
    assert tree(folder) == before
    merge.add_year(as_case_records(new_csv, tmp_path / "real22"), folder)  # real joins real
    assert len(pipeline.load(merge.current_files(folder)).reviews) == len(
        pipeline.load(BASE).reviews
    ) + len(pipeline.load(new_csv).reviews)


def test_every_problem_of_the_bad_workbook_at_once(dataset):
    before = tree(dataset)
    with pytest.raises(ValidationError) as err:
        merge.add_year([BAD], dataset, replace_year=True)
    assert len(err.value.problems) >= 8
    assert tree(dataset) == before


def test_raw_folder_and_loose_files_are_refused(tmp_path, new_csv):
    from tees_analysis.paths import RAW

    with pytest.raises(ValidationError) as err:
        merge.plan(new_csv, RAW)
    assert "read-only" in err.value.problems[0].message
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "reviews.csv").write_text("review_id\n")
    with pytest.raises(ValidationError) as err:
        merge.plan(new_csv, loose)
    assert "not a dataset made by add-year" in err.value.problems[0].message
    assert sorted(p.name for p in loose.iterdir()) == ["reviews.csv"]


def test_pointer_to_a_missing_version_is_reported(dataset, new_csv):
    (dataset / "CURRENT").write_text("versions/0042\n")
    with pytest.raises(ValidationError) as err:
        merge.plan(new_csv, dataset)
    assert "does not exist" in err.value.problems[0].message


# --------------------------------------------------------------------------- crash safety


def fail_after(monkeypatch, calls: int, when=lambda target: True):
    """Make os.replace die after ``calls`` successful renames (among those ``when`` selects)."""
    real = os.replace
    done = []

    def replace(source, target):
        if when(Path(target)):
            if len(done) >= calls:
                raise OSError("simulated crash")
            done.append(target)
        return real(source, target)

    monkeypatch.setattr(os, "replace", replace)
    return done


def assert_recovers(dataset: Path, before_tree: dict, before_tables: dict, new_csv):
    """The dataset reads as before; the next add-year moves the leftover aside and succeeds."""
    assert merge.current_version(dataset) == dataset / "versions" / "0001"
    current = {k: v for k, v in tree(dataset).items() if k in before_tree}
    assert current == before_tree
    assert table_text(dataset) == before_tables
    left = dataset / "versions" / "0002"
    moved = {left: left.with_name("0002.abandoned")} if left.exists() else {}
    result = merge.add_year(new_csv, dataset)
    assert result.version.name == "0003"  # 0002 was made, if never finished: not used twice
    assert result.abandoned == moved
    names = ["0001", "0002.abandoned", "0003"]
    assert sorted(p.name for p in (dataset / "versions").iterdir()) == names
    assert not list(dataset.rglob("*.tmp"))
    assert len(pipeline.load(merge.current_files(dataset)).reviews) == 6


def test_crash_between_reviews_and_children_leaves_the_dataset_as_before(
    dataset, monkeypatch, new_csv
):
    before_tree, before_tables = tree(dataset), table_text(dataset)
    done = fail_after(monkeypatch, 1)
    with pytest.raises(OSError, match="simulated crash"):
        merge.add_year(new_csv, dataset)
    assert [Path(t).name for t in done] == ["reviews.csv"]  # reviews.csv written, children not
    monkeypatch.undo()
    assert_recovers(dataset, before_tree, before_tables, new_csv)


def test_crash_at_the_pointer_switch_leaves_the_dataset_as_before(dataset, monkeypatch, new_csv):
    before_tree, before_tables = tree(dataset), table_text(dataset)
    fail_after(monkeypatch, 0, when=lambda target: target.name == "CURRENT")
    with pytest.raises(OSError, match="simulated crash"):
        merge.add_year(new_csv, dataset)
    monkeypatch.undo()
    assert (dataset / "versions" / "0002" / "children.csv").is_file()  # complete but not current
    assert_recovers(dataset, before_tree, before_tables, new_csv)


def test_crash_after_backups_leaves_the_dataset_as_before(dataset, tmp_path, monkeypatch, new_csv):
    before_tree, before_tables = tree(dataset), table_text(dataset)
    fail_after(monkeypatch, 0, when=lambda target: target.name == "CURRENT")
    with pytest.raises(OSError):
        merge.add_year(BASE, dataset, replace_year=True)
    monkeypatch.undo()
    assert (dataset / "replaced").is_dir()
    removed = merge.recover(dataset)
    assert dataset / "versions" / "0002" in removed
    backups = sorted(p.name for p in (dataset / "replaced").iterdir())
    assert backups == ["2018-1.abandoned", "2020-1.abandoned", "2021-1.abandoned"]
    assert_recovers(dataset, before_tree, before_tables, new_csv)


def test_crash_during_the_first_add_year_leaves_no_dataset(tmp_path, monkeypatch):
    folder = tmp_path / "dataset"
    fail_after(monkeypatch, 1)
    with pytest.raises(OSError):
        merge.add_year(BASE, folder)
    monkeypatch.undo()
    assert merge.current_files(folder) == []
    merge.add_year(BASE, folder)
    assert (folder / "CURRENT").read_text() == "versions/0002\n"  # 0001 was begun
    assert sorted(p.name for p in (folder / "versions").iterdir()) == ["0001.abandoned", "0002"]


class Killed(BaseException):
    """Stands for the end of a process: nothing after it runs but ``finally`` blocks."""


def test_undo_after_a_kill_between_the_switch_and_the_mark_keeps_the_version(dataset, new_csv):
    """Regression (issue 16): add-year killed just after switching CURRENT to 0002, then the
    documented undo (0001 into CURRENT): the next add-year deleted 0002 and reused its number."""
    real = os.replace

    def replace(source, target):
        real(source, target)
        if Path(target).name == "CURRENT":
            raise Killed

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "replace", replace)
        with pytest.raises(Killed):
            merge.add_year(new_csv, dataset)
    assert merge.current_version(dataset) == dataset / "versions" / "0002"
    kept = tree(dataset / "versions" / "0002")
    (dataset / "CURRENT").write_text("versions/0001\n")  # the undo
    result = merge.add_year(new_csv, dataset)
    assert result.version.name == "0003"
    assert tree(dataset / "versions" / "0002") == kept  # as it was, mark included
    assert result.abandoned == {}
    assert merge.manifest(dataset)["previous"] == "versions/0001"


def test_temporary_files_left_by_kills_are_removed(dataset, new_csv):
    """Regression (issue 16): temporary files of killed runs were left for ever."""
    left = [
        "..gitignore.k2j4.tmp",
        ".README.md.x8a1.tmp",
        ".CURRENT.f00d.tmp",
        ".tees-write-check.ab12.tmp",
        "versions/.tees-write-check.cd34.tmp",
        "versions/0001/.COMMITTED.q9z8.tmp",
        "versions/0001/.reviews.csv.w7v6.tmp",
        ".tmp/.children.csv.u5t4.tmp",
    ]
    for name in left:
        (dataset / name).parent.mkdir(exist_ok=True)
        (dataset / name).write_text("partial")
    merge.add_year(new_csv, dataset)
    assert [p for p in dataset.rglob("*") if p.name.endswith(".tmp")] == []
    assert not (dataset / ".tmp").exists()
    assert "versions/0001/reviews.csv" in tree(dataset)


def test_a_running_add_year_holds_the_lock(dataset, new_csv, monkeypatch, capsys):
    before = tree(dataset)
    with lock.hold(dataset / ".lock", wait=0):  # what a running add-year holds
        with pytest.raises(merge.DatasetBusy) as busy:
            merge.add_year(new_csv, dataset, wait=0.1)
        monkeypatch.setattr(merge, "LOCK_WAIT", 0.1)
        args = ["add-year", *map(str, new_csv), "--dataset", str(dataset)]
        assert cli.main(args) == 1
        assert tree(dataset) == {**before, ".lock": tree(dataset)[".lock"]}  # nothing else
    message = str(busy.value)
    assert f"another add-year is running on this dataset (process {os.getpid()} on " in message
    assert "waited 0.1 seconds for it and has changed nothing" in message
    assert "do not delete the lock file" in message
    assert capsys.readouterr().err.startswith(message.split(" since ")[0])
    assert merge.add_year(new_csv, dataset).version.name == "0002"  # free again
    assert (dataset / ".lock").read_text() == ""  # kept, and says nothing once free


@pytest.mark.parametrize(
    "left",
    ["", f"{os.getpid()} {socket.gethostname()}\n", f"999999999 {socket.gethostname()}\n"],
    ids=["empty", "old-format-alive", "old-format-dead"],
)
def test_a_lock_file_nobody_holds_stops_nobody(dataset, new_csv, left, monkeypatch):
    """Regression (issue 16): an empty lock file (a kill between creating and writing it)
    blocked every later add-year until deleted by hand; the content no longer matters."""
    monkeypatch.setattr(merge, "LOCK_WAIT", 0, raising=False)  # not a moment's wait
    (dataset / ".lock").write_text(left)
    assert merge.add_year(new_csv, dataset).version.name == "0002"


def moved_to(year: int, new_csv: list[Path], folder: Path) -> list[Path]:
    """The 2022 files as another year (ids too)."""
    data, paths = pipeline.load(new_csv), []
    for table in ("reviews", "children"):
        text = pipeline.to_csv_text(getattr(data, table), table)
        path = folder / f"{table}_{year}.csv"
        path.write_text(text.replace(",2022,", f",{year},").replace("FICT22-", f"FICT{year}-"))
        paths.append(path)
    return paths


def test_files_are_checked_again_when_the_dataset_changed_meanwhile(dataset, tmp_path, new_csv):
    """Two add-years checked against the same version: the second is checked again under
    the lock against the first's version (never written over it), and refused if it clashes."""
    y2023 = moved_to(2023, new_csv, tmp_path)
    first, second, clash = (merge.plan(p, dataset) for p in (new_csv, y2023, new_csv))
    merge.apply(first)
    result = merge.apply(second)
    assert result.rechecked and result.plan.base == dataset / "versions" / "0002"
    years = pipeline.load(merge.current_files(dataset)).reviews["year"]
    assert sorted(set(years)) == [2018, 2020, 2021, 2022, 2023]
    with pytest.raises(ValidationError, match="already in the dataset"):
        merge.apply(clash)
    assert merge.current_version(dataset).name == "0003"


def test_data_raw_is_never_written(monkeypatch):
    from tees_analysis.paths import RAW

    with pytest.raises(atomic.RawDataIsReadOnly):
        atomic.write_text(RAW / "CURRENT", "versions/0001\n")


# --------------------------------------------------------------------------- command line


def test_add_year_command(tmp_path, capsys):
    folder = tmp_path / "dataset"
    assert cli.main(["add-year", *map(str, BASE), "--dataset", str(folder)]) == 0
    assert cli.main(["add-year", str(NEW), "--dataset", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "added 2 reviews and 3 children (year 2022)" in out
    assert "now version 0002: 6 reviews, 9 children" in out
    assert cli.main(["add-year", str(NEW), "--dataset", str(folder), "--replace-year"]) == 0
    assert "replaced year 2022" in capsys.readouterr().out


def test_add_year_command_notes_leftovers_and_a_second_check(
    dataset, new_csv, tmp_path, monkeypatch, capsys
):
    (dataset / "versions" / "0002").mkdir()  # begun by an add-year that was interrupted
    assert cli.main(["add-year", *map(str, new_csv), "--dataset", str(dataset)]) == 0
    out = capsys.readouterr().out
    assert "0002 was left unfinished by an interrupted add-year" in out
    assert "it is kept as " in out and "0002.abandoned, which you may delete" in out
    assert "now version 0003: 6 reviews" in out
    real, other = merge.apply, merge.plan(moved_to(2023, new_csv, tmp_path), dataset)

    def apply_after_another(plan, **options):  # another add-year finishes meanwhile
        real(other)
        return real(plan, **options)

    monkeypatch.setattr(merge, "apply", apply_after_another)
    args = ["add-year", *map(str, moved_to(2024, new_csv, tmp_path)), "--dataset", str(dataset)]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert "another add-year changed the dataset while this one waited; the files were " in out
    assert "now version 0005: 10 reviews" in out


def test_add_year_command_lists_problems_as_csv(tmp_path, capsys):
    folder = tmp_path / "dataset"
    assert cli.main(["add-year", str(BAD), "--dataset", str(folder), "--format", "csv"]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0] == "severity,file,sheet,row,column,value,problem,allowed"
    assert any(",children,2,living_arrangements,aunt,unknown category," in ln for ln in lines)
    assert all(ln.startswith("error,") for ln in lines[1:])
    assert "nothing was written" in captured.err
    assert not folder.exists()


def test_dry_run_checks_against_the_dataset_and_writes_nothing(dataset, new_csv, capsys):
    before = tree(dataset)
    assert cli.main(["add-year", *map(str, new_csv), "--dataset", str(dataset), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would add 2 reviews and 3 children" in out and "nothing was written" in out
    assert tree(dataset) == before


def test_undo_by_pointer_keeps_the_undone_version(dataset, new_csv):
    merge.add_year(new_csv, dataset)
    (dataset / "CURRENT").write_text("versions/0001\n")  # undo the 2022 add-year
    assert len(pipeline.load(merge.current_files(dataset)).reviews) == 4
    result = merge.add_year(new_csv, dataset)  # the undone version is not taken for a leftover
    assert result.version.name == "0003"
    assert (dataset / "versions" / "0002" / "reviews.csv").is_file()
    manifest = json.loads((result.version / "manifest.json").read_text())
    assert manifest["previous"] == "versions/0001"

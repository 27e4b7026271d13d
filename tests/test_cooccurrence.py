"""Co-occurrence analyses against independent references (notebook 06)."""

from __future__ import annotations

import itertools
import math
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from scipy.stats.contingency import odds_ratio
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.multitest import multipletests
from strategies import examples

from tees_analysis.analysis import context, cooccurrence, identification, loglinear
from tees_analysis.data import pipeline
from tees_analysis.data.schema import TOXIC_TRIO
from tees_analysis.paths import RAW
from tees_analysis.reconstruction import bounds
from tees_analysis.report import trio_plots

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def dataset():
    return pipeline.load(pipeline.data_files(RAW))


@pytest.fixture(scope="module")
def trio_bounds():
    return identification.load_bounds()


def frame_of(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(TOXIC_TRIO)).astype(bool)


binary_rows = st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans()), min_size=1,
                       max_size=60)  # fmt: skip


def table_of(cells: dict) -> pd.Series:
    return cooccurrence.table_from_cells(cells)


# --------------------------------------------------------------------------- tables


@settings(max_examples=examples(30))
@given(binary_rows)
def test_trio_table_counts_every_child_once(rows):
    children = frame_of(rows)
    table = cooccurrence.trio_table(children)
    assert len(table) == 8
    assert table.sum() == len(children)
    margins = cooccurrence.margins(table)
    for f in TOXIC_TRIO:
        assert margins[f] == children[f].sum()
    assert cooccurrence.combinations(table)["children"].sum() == len(children)


@settings(max_examples=examples(10))
@given(binary_rows)
def test_frechet_bounds_contain_the_value_of_any_binary_data(rows):
    children = frame_of(rows)
    table = cooccurrence.trio_table(children)
    margins = tuple(int(children[f].sum()) for f in TOXIC_TRIO)
    sharp = bounds.frechet(margins, len(children))
    for name, test in bounds.QUANTITIES.items():
        value = sum(int(c) for cell, c in table.items() if test(cell))
        low, high = sharp[name]
        assert low <= value <= high, name


def test_missing_factor_values_are_refused():
    children = frame_of([(True, False, True)]).astype("boolean")
    children.iloc[0, 1] = pd.NA
    with pytest.raises(ValueError, match="missing values"):
        cooccurrence.trio_table(children)


def test_cells_by_label_or_tuple_agree():
    by_label = table_of({"101": 2, "000": 1})
    by_tuple = table_of({(True, False, True): 2, (False, False, False): 1})
    assert by_label.equals(by_tuple)
    assert by_label[(True, False, True)] == 2


# --------------------------------------------------------------------------- bounds


def scope_children(children, scope):
    return children if scope == "Tees" else children[children["partnership"] == scope]


def test_exact_bounds_contain_the_reconstruction(dataset, trio_bounds):
    for row in trio_bounds.itertuples():
        table = cooccurrence.trio_table(scope_children(dataset.children, row.scope))
        value = sum(int(c) for cell, c in table.items() if bounds.QUANTITIES[row.quantity](cell))
        assert row.min <= value <= row.max
        assert value == row.reconstruction
        assert row.frechet_min <= row.min <= row.max <= row.frechet_max


def test_witnesses_keep_the_margins_and_attain_the_bounds(dataset, trio_bounds):
    observed = cooccurrence.margins(cooccurrence.trio_table(dataset.children))
    tables = identification.witness_tables(trio_bounds, "Tees", "all_three")
    row = trio_bounds.set_index(["scope", "quantity"]).loc[("Tees", "all_three")]
    assert tables["minimum"][(True, True, True)] == row["min"]
    assert tables["maximum"][(True, True, True)] == row["max"]
    for table in tables.values():
        assert table.sum() == len(dataset.children)
        assert cooccurrence.margins(table).equals(observed)


def test_partnership_witness_keeps_only_that_partnership(trio_bounds):
    tables = identification.witness_tables(trio_bounds, "HSSCP", "all_three")
    n = int(trio_bounds.loc[trio_bounds["scope"] == "HSSCP", "n"].iloc[0])
    assert all(t.sum() == n for t in tables.values())


# --------------------------------------------------------------------------- odds ratios


def test_odds_ratio_matches_r_fisher_test_on_the_tea_tasting_table():
    # Fisher's tea-tasting table [[3, 1], [1, 3]]: R's fisher.test (two-sided) gives the
    # conditional maximum-likelihood odds ratio 6.408309, 95% CI 0.2117329 to 621.9337505 and
    # p = 0.4857 (the table is symmetric, so R's p equals the central p used here). R's root
    # finder stops earlier on the flat upper side, hence the looser check.
    table = table_of({"110": 3, "100": 1, "010": 1, "000": 3})
    row = cooccurrence.odds_ratios(table).set_index("pair").loc["DA and PMH"]
    assert row["odds ratio"] == pytest.approx(6.408309, rel=1e-5)
    assert row["ci_low"] == pytest.approx(0.2117329, rel=1e-4)
    assert row["ci_high"] == pytest.approx(621.9337505, rel=1e-2)
    assert row["p_value"] == pytest.approx(0.4857, abs=5e-5)
    assert row["sample odds ratio"] == pytest.approx(Table2x2([[3, 1], [1, 3]]).oddsratio)


@settings(max_examples=examples(10))
@given(st.lists(st.integers(1, 12), min_size=8, max_size=8))
def test_odds_ratios_match_scipy_and_statsmodels(counts):
    table = table_of(dict(zip(itertools.product((False, True), repeat=3), counts, strict=True)))
    result = cooccurrence.odds_ratios(table).set_index("pair")
    for a, b in itertools.combinations(TOXIC_TRIO, 2):
        t = cooccurrence.two_by_two(table, a, b)
        ref = odds_ratio(t, kind="conditional")
        ci = ref.confidence_interval(0.95)
        row = result.loc[f"{cooccurrence.short(a)} and {cooccurrence.short(b)}"]
        assert row["odds ratio"] == pytest.approx(ref.statistic)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high))
        assert row["sample odds ratio"] == pytest.approx(Table2x2(t).oddsratio)
        # the central p of the same exact conditional test: twice the smaller one-sided p
        less = sps.fisher_exact(t, alternative="less").pvalue
        greater = sps.fisher_exact(t, alternative="greater").pvalue
        assert row["p_value"] == pytest.approx(min(1.0, 2 * min(less, greater)))
        assert (ci.low > 1 or ci.high < 1) == (row["p_value"] < 0.05)
        assert row["both"] + row["A only"] + row["B only"] + row["neither"] == table.sum()
    assert result["p_holm"].tolist() == pytest.approx(
        multipletests(result["p_value"], method="holm")[1].tolist()
    )


# --------------------------------------------------------------------------- log-linear models


def ipf_all_pairs(y: np.ndarray, sweeps: int = 500) -> np.ndarray:
    """Iterative proportional fitting of the three two-way margins (the hand computation)."""
    obs = y.reshape(2, 2, 2)
    fit = np.full_like(obs, obs.sum() / 8, dtype=float)
    for _ in range(sweeps):
        for axis in (2, 1, 0):
            fit *= (obs.sum(axis=axis) / fit.sum(axis=axis))[
                tuple(slice(None) if i != axis else np.newaxis for i in range(3))
            ]
    return fit.ravel()


def g2(observed, fitted) -> float:
    observed, fitted = np.asarray(observed, float), np.asarray(fitted, float)
    nonzero = observed > 0
    return 2 * float(np.sum(observed[nonzero] * np.log(observed[nonzero] / fitted[nonzero])))


KNOWN = [12, 5, 7, 9, 4, 11, 6, 20]  # cells 000, 001, ..., 111


def test_loglinear_deviances_match_a_hand_computation():
    table = table_of(dict(zip(itertools.product((False, True), repeat=3), KNOWN, strict=True)))
    y = np.array(KNOWN, float)
    n = y.sum()
    cube = y.reshape(2, 2, 2)
    pa, pb, pc = cube.sum(axis=(1, 2)) / n, cube.sum(axis=(0, 2)) / n, cube.sum(axis=(0, 1)) / n
    independence = n * np.einsum("i,j,k->ijk", pa, pb, pc).ravel()
    pairs = ipf_all_pairs(y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = loglinear.loglinear(table)
    models = fit.models.set_index("model")
    assert models.loc["mutual independence", "deviance"] == pytest.approx(g2(y, independence))
    assert models.loc["all pairwise associations", "deviance"] == pytest.approx(
        g2(y, pairs), abs=1e-6
    )
    assert models.loc["saturated", "deviance"] == 0
    assert list(models["df"]) == [4, 1, 0]
    assert fit.fitted["mutual independence"].to_numpy() == pytest.approx(independence)
    tests = fit.tests.set_index("comparison")
    step = tests.iloc[0]
    assert step["deviance change"] == pytest.approx(g2(y, independence) - g2(y, pairs), abs=1e-6)
    assert step["p_value"] == pytest.approx(sps.chi2.sf(step["deviance change"], 3))
    assert not any("empty" in note for note in fit.notes)


def test_loglinear_turns_warnings_into_notes_for_sparse_tables():
    sparse = table_of({"000": 0, "001": 0, "010": 2, "011": 2, "100": 4, "101": 4, "110": 5,
                       "111": 9})  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = loglinear.loglinear(sparse)
    assert caught == []
    assert fit.notes[0].startswith("2 of the 8 cells are empty")
    assert any("no finite maximum-likelihood estimate" in note for note in fit.notes)
    assert any("software warned" in note for note in fit.notes)


# --------------------------------------------------------------------------- exact tests


@settings(max_examples=examples(40))
@given(st.lists(st.integers(0, 15), min_size=4, max_size=4))
def test_exact_test_is_fisher_for_two_by_two(cells):
    t = np.array(cells).reshape(2, 2)
    if t.sum(axis=0).min() == 0 or t.sum(axis=1).min() == 0:
        return
    assert context.exact_test(t) == pytest.approx(sps.fisher_exact(t).pvalue, rel=1e-9)


def brute_force_p(t: np.ndarray) -> float:
    """Every 2 x C table with the same margins, weighted by scipy's random_table pmf."""
    rows, cols = t.sum(axis=1), t.sum(axis=0)
    dist = sps.random_table(rows, cols)
    p_obs, total = dist.pmf(t), 0.0
    for first in itertools.product(*(range(c + 1) for c in cols)):
        if sum(first) != rows[0]:
            continue
        other = np.array([cols - np.array(first)])
        candidate = np.vstack([np.array(first), other[0]])
        p = dist.pmf(candidate)
        if p <= p_obs * (1 + 1e-7):
            total += p
    return total


@settings(max_examples=examples(10))
@given(st.lists(st.integers(1, 6), min_size=8, max_size=8))
def test_exact_test_matches_brute_force_for_two_by_four(cells):
    t = np.array(cells).reshape(2, 4)
    assert context.exact_test(t) == pytest.approx(brute_force_p(t), rel=1e-6)
    assert context.exact_test(t.T) == pytest.approx(context.exact_test(t))


# --------------------------------------------------------------------------- context


def test_context_tests_count_every_child(dataset):
    result = context.context_tests(dataset.children)
    assert set(result["context"]) == {c.name for c in context.CONTEXTS}
    assert result["p_value"].between(0, 1).all()
    partnership = result[
        (result["context"] == "partnership") & (result["test"] == context.TWO_BY_TWO)
    ]
    assert len(partnership) == len(context.exposure_names()) - 1  # every yes/no exposure
    for text_a, text_b in zip(partnership["in group"], partnership["in other"], strict=True):
        n_a, n_b = int(text_a.split(" of ")[1].split()[0]), int(text_b.split(" of ")[1].split()[0])
        assert n_a + n_b == len(dataset.children)
    # Holm over the whole call: one family of every table with a p-value.
    assert result["p_holm"].tolist() == pytest.approx(
        multipletests(result["p_value"], method="holm")[1].tolist()
    )
    two_by_two = result[result["test"] == context.TWO_BY_TWO]
    assert all(
        (lo > 1 or hi < 1) == (p < 0.05)
        for lo, hi, p in zip(two_by_two["ci_low"], two_by_two["ci_high"], two_by_two["p_value"],
                             strict=True)
    )  # fmt: skip
    view = context.context_view(result, "age")
    assert list(view.columns[-3:]) == ["p", "p (Holm)", "test"]


def test_context_tests_say_why_a_table_has_no_test():
    # Every child has domestic abuse (no child without it) and no child has all three.
    children = frame_of([(True, False, False), (True, True, False), (True, False, True)])
    children["outcome"] = pd.Categorical(["died", "significant harm", "died"])
    children["neglect"] = [True, False, pd.NA]
    children["under_2"] = [False, False, False]
    children["partnership"] = ["STSCP", "STSCP", "STSCP"]
    result = context.context_tests(children).set_index(["context", "exposure"])
    outcome = result.loc["outcome"]
    assert outcome.loc["domestic abuse", "test"] == "not computed: every child has this exposure"
    assert outcome.loc["all three", "test"] == "not computed: no child has this exposure"
    assert outcome.loc["parental mental ill-health", "test"] == context.TWO_BY_TWO
    assert result.loc[("partnership", "domestic abuse"), "test"] == (
        "not computed: no child among HSSCP"
    )
    untested = result["test"].str.startswith("not computed")
    assert result.loc[untested, ["p_value", "p_holm", "odds ratio"]].isna().all().all()
    assert result.loc[~untested, "p_holm"].notna().all()


def test_low_p_lines_group_by_status_only_when_there_is_one():
    results = pd.DataFrame(
        {
            "context": ["age", "age", "partnership", "outcome"],
            "exposure": ["all three", "DA", "SM", "DA"],
            "p_value": [0.046, 0.5, 0.0213, np.nan],
        }
    )
    assert context.low_p_lines(results, data_label="2017-2022") == [
        "- **2017-2022**: 3 tables tested, 2 with p < 0.05 (uncorrected); 1 not computed",
        "  - age × all three: p = 0.046",
        "  - partnership × SM: p = 0.021",
    ]
    status = [cooccurrence.SPECIFIC, cooccurrence.SPECIFIC, cooccurrence.IDENTIFIED]
    status += [cooccurrence.SPECIFIC]
    assert context.low_p_lines(results.assign(identification=status)) == [
        f"- **{cooccurrence.IDENTIFIED}**: 1 tables tested, 1 with p < 0.05 (uncorrected)",
        "  - partnership × SM: p = 0.021",
        f"- **{cooccurrence.SPECIFIC}**: 2 tables tested, 1 with p < 0.05 (uncorrected); "
        "1 not computed",
        "  - age × all three: p = 0.046",
    ]


def test_figures_draw_without_warnings(dataset):
    import matplotlib.pyplot as plt

    table = cooccurrence.trio_table(dataset.children)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figures = [trio_plots.plot_upset(table), trio_plots.plot_venn(table)]
    assert [str(w.message) for w in caught] == []
    for chart in figures:
        plt.close(chart.figure)


def test_pairwise_matrices_are_consistent(dataset):
    table = cooccurrence.trio_table(dataset.children)
    mats = cooccurrence.pairwise_matrices(table)
    counts = mats["counts"].to_numpy()
    assert (counts == counts.T).all()
    diagonal = np.diag(counts)
    assert list(diagonal) == list(cooccurrence.margins(table))
    assert np.allclose(np.diag(mats["conditional"].to_numpy()), 1)
    assert math.isclose(mats["conditional"].iloc[0, 1], counts[0, 1] / counts[0, 0])

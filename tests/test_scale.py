"""The bit-packed counting engine against the pandas implementation and naive counts; the
synthetic national data against what its documentation says."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

from tees_analysis.analysis import cooccurrence, national, scale, synthetic
from tees_analysis.analysis.tables import chosen_readings
from tees_analysis.data import pipeline
from tees_analysis.data.schema import FACTORS, THEMES, TOXIC_TRIO, theme_field
from tees_analysis.paths import RAW
from tees_analysis.published import measures
from tees_analysis.published.rules import load_rules

#: The measures of the published figures the engine counts, and those it does not pack.
COUNTED = {"outcome", "age", "sex", "harm_category", "risk_factor", "theme_reviews",
           "theme_children"}  # fmt: skip
NOT_COUNTED = {"review_type", "living_arrangements", "csc_status", "neglect_detail"}
RECONSTRUCTED_BY = ("partnership", "outcome", "sex", "under_2", "harm_category")


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture(scope="module")
def dataset():
    return pipeline.load(pipeline.data_files(RAW))


@pytest.fixture(scope="module")
def analysis(dataset):
    return scale.analyse(dataset, FACTORS, RECONSTRUCTED_BY)


@pytest.fixture(scope="module")
def definitions():
    return measures.load_published()


@pytest.fixture(scope="module")
def national_sample():
    return synthetic.synthetic(100_000)


# --------------------------------------------------------------------------- reconstructed data


def _reading_sets(rules):
    """The chosen readings, then every option of the theme readings one at a time."""
    chosen = rules.check_readings(chosen_readings(rules=rules))
    yield chosen
    for reading in rules.readings:
        if reading.kind == "theme_children":
            for option in reading.options:
                yield {**chosen, reading.id: option.id}


def test_figures_equal_compute_figures_on_the_reconstruction(dataset, analysis, rules,
                                                             definitions):  # fmt: skip
    for readings in _reading_sets(rules):
        mask = scale.covers(analysis, rules, readings, definitions)
        assert set(definitions.loc[~mask, "measure"]) <= NOT_COUNTED | {"theme_children"}
        subset = definitions[mask]
        ours = scale.figure_table(analysis, rules, readings, subset)
        theirs = measures.compute_figures(dataset, rules, readings, subset)
        pd.testing.assert_frame_equal(ours, theirs)


def test_engine_covers_the_single_valued_and_yes_no_figures(analysis, rules, definitions):
    readings = rules.check_readings(chosen_readings(rules=rules))
    mask = scale.covers(analysis, rules, readings, definitions)
    assert set(definitions.loc[mask, "measure"]) == COUNTED
    assert set(definitions.loc[~mask, "measure"]) == NOT_COUNTED
    with pytest.raises(scale.NotCovered, match="not counted from packed children"):
        scale.figure_table(analysis, rules, readings, definitions[~mask].head(1))


def test_under_2_in_flagged_reviews_reading_is_refused(analysis, rules, definitions):
    readings = {**rules.check_readings({}), "babies_children": "under_2_in_flagged"}
    babies = definitions[definitions["figure_id"] == "TH-BABIES-CH"]
    assert len(babies) == 1
    assert not scale.covers(analysis, rules, readings, babies).any()


def test_cooccurrence_tables_equal_the_pandas_functions(dataset):
    complete = [f for f in FACTORS if dataset.children[f].notna().all()]
    assert set(TOXIC_TRIO) <= set(complete)
    counts = scale.Counts.of(dataset.children, complete, ("partnership",))
    full = cooccurrence.trio_table(dataset.children, complete)
    pd.testing.assert_series_equal(scale.trio_table(counts, complete), full)
    pd.testing.assert_series_equal(
        scale.trio_table(counts), cooccurrence.trio_table(dataset.children)
    )
    by = cooccurrence.tables_by(dataset.children, "partnership", complete)
    pd.testing.assert_frame_equal(scale.combinations_table(counts)[by.columns], by)
    trio = cooccurrence.tables_by(dataset.children)
    pd.testing.assert_frame_equal(scale.trio_tables(counts)[trio.columns], trio)
    pd.testing.assert_frame_equal(scale.pairwise(counts), cooccurrence.pairwise(full))
    for name, matrix in cooccurrence.pairwise_matrices(full).items():
        pd.testing.assert_frame_equal(scale.pairwise_matrices(counts)[name], matrix)
    for group in ("STSCP", "HSSCP"):
        table = cooccurrence.trio_table(
            dataset.children[dataset.children["partnership"] == group], complete
        )
        pd.testing.assert_frame_equal(scale.pairwise(counts, group), cooccurrence.pairwise(table))
        assert scale.margins(counts)[group].to_dict() == cooccurrence.margins(table).to_dict()


def test_theme_counts_equal_a_direct_count(dataset, analysis):
    reviews, children = dataset.reviews, dataset.children
    themes = analysis.themes.set_index(["group", "theme"])
    for code, name in THEMES:
        for group in ("STSCP", "HSSCP", "Tees"):
            rv = reviews if group == "Tees" else reviews[reviews["partnership"] == group]
            kids = children if group == "Tees" else children[children["partnership"] == group]
            flag = rv[theme_field(code)].fillna(False).astype(bool)
            row = themes.loc[(group, name)]
            assert row["reviews"] == int(flag.sum())
            assert row["reviews_total"] == len(rv)
            assert row["children"] == int(
                kids["review_id"].isin(set(rv.loc[flag, "review_id"])).sum()
            )
            assert row["children_total"] == len(kids)


# --------------------------------------------------------------------------- small random data


@st.composite
def small_datasets(draw):
    """Children in reviews of 1-4, up to 3 partnerships, factors with missing values."""
    k = draw(st.integers(1, 5))
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=12))
    n_reviews, n = len(sizes), sum(sizes)
    partnership = draw(st.lists(st.sampled_from(["A", "B", "C"]), min_size=n_reviews,
                                max_size=n_reviews))  # fmt: skip
    review_of = np.repeat(np.arange(n_reviews), sizes)
    yes_no = st.sampled_from([True, False, None])
    children = pd.DataFrame(
        {
            "review_id": review_of,
            "partnership": pd.Categorical(
                np.array(partnership)[review_of], categories=["A", "B", "C"]
            ),
            "outcome": pd.Categorical(
                draw(st.lists(st.sampled_from(["died", "harm", None]), min_size=n, max_size=n)),
                categories=["died", "harm"],
            ),
            **{
                f"f{i}": pd.array(draw(st.lists(yes_no, min_size=n, max_size=n)), "boolean")
                for i in range(k)
            },
        }
    )
    reviews = pd.DataFrame(
        {
            "review_id": np.arange(n_reviews),
            "partnership": pd.Categorical(partnership, categories=["A", "B", "C"]),
            "n_children": np.array(sizes),
            **{
                theme_field(code): pd.array(
                    draw(st.lists(yes_no, min_size=n_reviews, max_size=n_reviews)), "boolean"
                )
                for code, _ in THEMES[:3]
            },
        }
    )
    return pipeline.Dataset(reviews, children, pd.DataFrame(), ()), [f"f{i}" for i in range(k)]


def _naive_combinations(children, factors) -> pd.Series:
    """Children per combination, by pandas groupby on the yes/no values (missing = no)."""
    values = children[factors].fillna(False).astype(bool)
    sizes = values.groupby(factors).size()
    index = pd.MultiIndex.from_product([[False, True]] * len(factors), names=factors)
    return sizes.reindex(index, fill_value=0)


@settings(max_examples=examples(15))
@given(small_datasets())
def test_engine_equals_naive_counts_on_random_data(data):
    dataset, factors = data
    children = dataset.children
    result = scale.analyse(dataset, factors, ("partnership", "outcome"))
    counts = result.counts
    assert counts.cube.sum() == len(children)
    assert int(counts.combinations[-1].sum()) == len(children)
    naive = _naive_combinations(children, factors)
    assert list(result.combinations["Tees"]) == list(naive)
    yes = children[factors].fillna(False).astype(bool).to_numpy()
    pairs = [(a, b) for a in range(len(factors)) for b in range(len(factors)) if a != b]
    for group in counts.groups:
        rows = yes if group == "Tees" else yes[(children["partnership"] == group).to_numpy()]
        r = counts.row(group)
        assert counts.n[r] == len(rows)
        both = rows.T.astype(int) @ rows.astype(int)  # children with a and b, by matrix product
        assert (counts.with_both[r] == both).all()
        table = result.pairwise[result.pairwise["group"] == group]
        assert list(table["A"]) == [cooccurrence.short(factors[a]) for a, _ in pairs]
        for (a, b), jaccard, given_a in zip(pairs, table["Jaccard"], table["P(B | A)"],
                                            strict=True):  # fmt: skip
            either = int((rows[:, a] | rows[:, b]).sum())
            assert (np.isnan(jaccard) and either == 0) or jaccard == both[a, b] / either
            assert (np.isnan(given_a) and both[a, a] == 0) or given_a == both[a, b] / both[a, a]
    # per-category counts within each partnership; missing outcomes in a slot of their own
    labels = ["died", "harm"] + ([None] if children["outcome"].isna().any() else [])
    cats = result.categories
    for group in counts.groups:
        scope = children if group == "Tees" else children[children["partnership"] == group]
        outcome = cats[(cats["group"] == group) & (cats["field"] == "outcome")]
        expected = {
            label: int(scope["outcome"].isna().sum() if label is None
                       else (scope["outcome"] == label).sum())
            for label in labels
        }  # fmt: skip
        assert dict(zip(outcome["category"], outcome["count"], strict=True)) == expected
        assert (outcome["denominator"] == len(scope)).all()


@settings(max_examples=examples(15))
@given(small_datasets(), st.data())
def test_any_three_factor_table_equals_a_crosstab(data, draw):
    dataset, factors = data
    chosen = draw.draw(st.lists(st.sampled_from(factors), min_size=1, max_size=3, unique=True))
    counts = scale.Counts.of(dataset.children, factors, ("partnership",))
    expected = _naive_combinations(dataset.children, chosen)
    got = scale.trio_table(counts, chosen)
    assert list(got.index.names) == chosen
    assert list(got) == list(expected)
    # and the pandas implementation agrees once missing values are recorded as no
    filled = dataset.children.assign(**{f: dataset.children[f].fillna(False) for f in factors})
    pd.testing.assert_series_equal(got, cooccurrence.trio_table(filled, chosen))


@settings(max_examples=examples(15))
@given(small_datasets())
def test_theme_counts_equal_naive_counts_on_random_data(data):
    dataset, _ = data
    reviews = dataset.reviews
    packed = scale.pack_reviews(reviews)
    table = scale.theme_counts(packed, scale.count_reviews(packed)).set_index(["group", "theme"])
    for code, name in THEMES[:3]:
        flag = reviews[theme_field(code)].fillna(False).astype(bool)
        for group in table.index.get_level_values("group").unique():
            scope = np.ones(len(reviews), bool) if group == "Tees" else (
                reviews["partnership"] == group).to_numpy()  # fmt: skip
            row = table.loc[(group, name)]
            assert row["reviews"] == int((flag & scope).sum())
            assert row["children"] == int(reviews.loc[flag & scope, "n_children"].sum())
            assert row["children_total"] == int(reviews.loc[scope, "n_children"].sum())


@settings(max_examples=examples(6))
@given(st.integers(1, 60), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_figures_equal_compute_figures_on_small_synthetic_data(n, partnerships, seed):
    rules = load_rules()
    readings = rules.check_readings(chosen_readings(rules=rules))
    dataset = synthetic.synthetic(n, 6, seed=seed, n_partnerships=partnerships)
    definitions = scale.national_definitions(dataset, rules)
    result = scale.analyse(dataset, FACTORS, ("partnership", "outcome", "age_band"))
    assert scale.covers(result, rules, readings, definitions).all()
    pd.testing.assert_frame_equal(
        scale.figure_table(result, rules, readings, definitions),
        measures.compute_figures(dataset, rules, readings, definitions),
    )


def test_superset_sums_equal_brute_force():
    rng = np.random.default_rng(3)
    for k in (1, 2, 4):
        table = rng.integers(0, 9, (3, 2, 1 << k))
        sums = scale.superset_sums(table, k)
        for m in range(1 << k):
            expected = sum(table[..., c] for c in range(1 << k) if c & m == m)
            assert (sums[..., m] == expected).all()


def test_missing_factor_is_no_and_missing_group_has_its_own_slot():
    children = pd.DataFrame(
        {
            "p": pd.Categorical(["x", None, "x"], categories=["x", "y"]),
            "a": pd.array([True, None, True], dtype="boolean"),
            "b": [False, True, True],
        }
    )
    packed = scale.pack(children, ["a", "b"], ["p"])
    assert packed.levels == (("x", "y", None),)
    assert list(packed.codes) == [0 * 4 + 2, 2 * 4 + 1, 0 * 4 + 3]
    assert scale.count(packed).shape == (3, 4)
    with pytest.raises(ValueError, match="1 to 16 factors"):
        scale.factor_bits(pd.DataFrame({f"f{i}": [True] for i in range(17)}), list(range(17)))


def test_codes_widen_when_the_bins_do_not_fit():
    small = scale._compose([(np.array([1, 2], np.int8), 3)], np.array([1, 0], np.uint8), 2, 12)
    assert small.dtype == np.uint16 and list(small) == [5, 8]
    big = scale._compose([(np.array([1], np.int16), 40000)], np.array([3], np.uint16), 16,
                         40000 << 16)  # fmt: skip
    assert big.dtype == np.int64 and big[0] == (1 << 16) + 3


# --------------------------------------------------------------------------- the generator


def test_generator_is_deterministic_for_a_seed():
    a, b = synthetic.synthetic(3000, seed=11), synthetic.synthetic(3000, seed=11)
    pd.testing.assert_frame_equal(a.children, b.children)
    pd.testing.assert_frame_equal(a.reviews, b.reviews)
    other = synthetic.synthetic(3000, seed=12)
    assert not a.children["domestic_abuse"].equals(other.children["domestic_abuse"])
    fewer = synthetic.synthetic(3000, n_factors=3, seed=11)
    for name in TOXIC_TRIO:
        assert fewer.children[name].equals(a.children[name])
    assert "neglect" not in fewer.children and "theme_neglect" not in fewer.reviews


def test_reviews_hold_one_to_four_children(national_sample):
    children, reviews = national_sample.children, national_sample.reviews
    assert len(children) == 100_000
    sizes = children["review_id"].value_counts()
    assert sizes.between(1, 4).all()
    assert sizes.sort_index().tolist() == reviews.set_index("review_id")["n_children"].tolist()
    shares = reviews["n_children"].value_counts(normalize=True)
    for size, share in synthetic.REVIEW_SIZES.items():
        assert shares[size] == pytest.approx(share, abs=0.01)
    by_review = reviews.set_index("review_id")["partnership"]
    assert (children["partnership"] == children["review_id"].map(by_review)).all()


def test_marginals_are_within_tolerance_of_the_stated_ones(national_sample):
    children = national_sample.children
    for spec in synthetic.FACTOR_SPECS[:10]:
        assert children[spec.name].mean() == pytest.approx(spec.prevalence, abs=0.01), spec.name
    for column, shares in (("outcome", synthetic.OUTCOMES), ("age_band", synthetic.AGE_BANDS)):
        observed = children[column].value_counts(normalize=True)
        for label, share in shares.items():
            assert observed[label] == pytest.approx(share, abs=0.01), (column, label)
    under_2 = children["under_2"]
    assert under_2.isna().sum() == (children["age_band"] == "not recorded").sum()
    assert (under_2.fillna(False) == (children["age_band"] == "under 2")).all()


def test_factors_are_positively_correlated(national_sample):
    yes = national_sample.children
    for a, b in itertools.combinations(TOXIC_TRIO, 2):
        both = (yes[a] & yes[b]).mean()
        assert both > 1.2 * yes[a].mean() * yes[b].mean(), (a, b)
    all_three = (yes[list(TOXIC_TRIO)].all(axis=1)).mean()
    assert all_three > 2 * np.prod([yes[f].mean() for f in TOXIC_TRIO])


def test_theme_flags_follow_the_children(national_sample):
    children, reviews = national_sample.children, national_sample.reviews
    flags = reviews.set_index("review_id")
    for code, indicator in synthetic.SYNTHETIC_THEMES.items():
        values = children[indicator].fillna(False).astype(bool).groupby(children["review_id"])
        expected = values.all() if code == "vulnerable_babies" else values.any()
        assert (flags[theme_field(code)] == expected).all(), code


def test_synthetic_themes_match_the_counting_rules(rules):
    names = dict(THEMES)
    assert {names[c]: f for c, f in synthetic.SYNTHETIC_THEMES.items()} == dict(rules.themes)


def test_stated_marginals_are_of_the_order_of_the_national_figures():
    reference = national.load_national().set_index("id")["percent"] / 100
    cited = [(s.name, s.prevalence, s.national) for s in synthetic.FACTOR_SPECS if s.national]
    cited += [("died", synthetic.OUTCOMES["died"], synthetic.OUTCOME_SOURCES)]
    assert len(cited) >= 4
    for name, share, ids in cited:
        for source in ids:
            assert 0.5 <= share / reference[source] <= 2, (name, source)
    # under 2 includes every under-1, so its share is at least the national under-1 share
    for source in synthetic.AGE_SOURCES:
        assert synthetic.AGE_BANDS["under 2"] >= reference[source]
    illustrative = [s for s in synthetic.FACTOR_SPECS if not s.national]
    assert all(s.source == "illustrative" for s in illustrative)

"""A bit-packed counting engine for figures and co-occurrence at national scale.

The rest of the project counts the few dozen children of the Tees reviews with pandas, one
figure or one child at a time (:func:`tees_analysis.published.measures.compute_figures`
filters the table once per figure; :func:`.cooccurrence.trio_table` walks the children in
Python).
That is clear and fast enough for one area's reviews, not for a national collection. This
module answers the same counting questions for a million children:

**The engine** -- every count the figures and the co-occurrence tables need is a sum of one
array:

1. :func:`pack` writes the ``k <= 16`` yes/no factors of each child as one ``k``-bit code
   (the first factor in the highest bit, so codes run in the order of
   :func:`~.cooccurrence.trio_table`'s cells) and puts in front of it the child's
   group code, the mixed-radix number of its categories in the ``by`` fields (e.g.
   partnership x outcome x age band);
2. :func:`count` is **one** ``np.bincount`` over those codes: the number of children in every
   combination of the factors within every group cell, a ``(*by sizes, 2**k)`` array;
3. everything else is derived from that array without touching the children again
   (:class:`Counts`): per-category counts with their denominators (:func:`category_counts`),
   the ``2**k`` combinations per partnership (:func:`combinations_table`), any three-factor
   ``2 x 2 x 2`` table (:func:`trio_table`, :func:`trio_tables`), the children with each
   factor, with both of every pair and with all of any subset (a superset-sum transform over
   the ``k`` bits, :attr:`Counts.supersets`), hence Jaccard indices and conditional proportions
   (:func:`pairwise`, :func:`pairwise_by`, :func:`pairwise_matrices`).

Review-level theme counts (reviews with the flag, and the children of those reviews) come from
one more ``np.bincount`` over the reviews (:func:`pack_reviews`, :func:`count_reviews`,
:func:`theme_counts`): each review's code holds its group, its number of children and its theme
flags, so the children of the flagged reviews are a weighted sum of that small array.

Where the engine and the existing pandas functions overlap, the tables have their shape and column
names, and :func:`figure_table` lays the counts out exactly as
:func:`~tees_analysis.published.measures.compute_figures` does (``tests/test_scale.py`` checks they
are equal). The engine counts yes/no factors and single-valued categories; multi-valued fields
(living arrangements, social-care status), the neglect sub-group and the review-type line are not
packed, and :func:`covers` says which figure definitions it can count.

A missing value of a factor never counts as yes (as in :mod:`tees_analysis.published.measures`); a
missing value of a ``by`` field gets a group slot of its own (label ``None``). No published
value enters a count: like ``compute_figures``, :func:`figure_table` reads only the definition
columns of the published-figures file.

Speed: ``benchmarks/bench_scale.py`` times :func:`analyse` on 10,000 to 1,000,000 synthetic
children against ``np.bincount`` alone and against the pandas functions; the latest medians are
in ``benchmarks/results/scale.json``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from functools import cache, cached_property

import numpy as np
import pandas as pd

from ..data.schema import THEMES, TOXIC_TRIO, theme_field
from ..published import measures
from ..published.rules import Rules, figure_partnership
from . import cooccurrence

#: The most factors one 16-bit code holds.
MAX_FACTORS = 16
#: Label of "every child" in the tables (the report's label for both partnerships together).
EVERYONE = "Tees"


# =========================================================================== packing


def _yes(series: pd.Series) -> np.ndarray:
    """A yes/no column as a numpy bool array; a missing value is no (never counted as yes)."""
    if series.dtype == bool:
        return series.to_numpy()
    return series.astype("boolean").fillna(False).to_numpy(dtype=bool)


def _levels(series: pd.Series) -> tuple[np.ndarray, tuple]:
    """Integer codes ``0..m-1`` of a ``by`` column and the label of each code.

    Categorical columns keep every category (empty ones too) in their order; yes/no columns
    have ``(False, True)``; other columns their sorted distinct values. A missing value gets
    the extra code ``m`` with label ``None`` (only when there is one).
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        labels = tuple(series.cat.categories)
    elif series.dtype == bool:
        return series.to_numpy().view(np.uint8), (False, True)
    elif series.dtype == "boolean":
        values = series.array
        codes = np.where(values.isna(), -1, values.fillna(False).to_numpy(dtype=bool))
        labels = (False, True)
    else:
        codes, uniques = pd.factorize(series, sort=True)
        labels = tuple(uniques)
    if len(codes) and codes.min() < 0:
        codes = np.where(codes < 0, len(labels), codes)
        labels = (*labels, None)
    return codes, labels


@dataclass(frozen=True)
class Packed:
    """Children packed into one integer code each: ``group * 2**k + factor bits``.

    ``group`` is the mixed-radix number of the child's labels in the ``by`` fields (first field
    most significant); the factor bits hold ``factors[0]`` in bit ``k - 1`` down to
    ``factors[-1]`` in bit 0. ``levels`` are the labels of each ``by`` field's codes.
    """

    codes: np.ndarray
    factors: tuple[str, ...]
    by: tuple[str, ...]
    levels: tuple[tuple, ...]

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the count array: one axis per ``by`` field, then the ``2**k`` combinations."""
        return (*(len(lv) for lv in self.levels), 1 << len(self.factors))

    @property
    def n_bins(self) -> int:
        return math.prod(self.shape)


def factor_bits(children: pd.DataFrame, factors) -> np.ndarray:
    """The factors of each child as a ``k``-bit code (``uint8`` for ``k <= 8``, else ``uint16``).

    Built a byte at a time with vectorised multiply-and-or on ``uint8`` arrays (numpy's
    ``uint8`` shifts are not vectorised, its multiplications are).
    """
    factors = list(factors)
    k = len(factors)
    if not 1 <= k <= MAX_FACTORS:
        raise ValueError(f"1 to {MAX_FACTORS} factors can be packed, not {k}")
    missing = [f for f in factors if f not in children]
    if missing:
        raise KeyError(f"no column {missing} in the children table")
    parts: list = [None] * ((k + 7) // 8)  # [low byte, high byte]
    for i, name in enumerate(factors):
        bit = k - 1 - i
        weighted = np.multiply(_yes(children[name]).view(np.uint8), np.uint8(1 << (bit % 8)))
        if parts[bit // 8] is None:
            parts[bit // 8] = weighted
        else:
            parts[bit // 8] |= weighted
    if k <= 8:
        return parts[0]
    out = parts[1].astype(np.uint16)
    out <<= 8
    out |= parts[0]
    return out


def pack(children: pd.DataFrame, factors, by=("partnership",)) -> Packed:
    """Pack ``children`` into one code per child (see :class:`Packed`).

    ``factors`` are 1-16 yes/no columns; ``by`` are the categorical columns whose every
    combination is a group (the first is the one co-occurrence tables are given per group of;
    ``by=()`` is one group). Codes are ``uint16``, ``int32`` or ``int64``, the narrowest that
    holds the number of bins.
    """
    factors, by = tuple(factors), tuple(by)
    bits = factor_bits(children, factors)
    coded = [_levels(children[name]) for name in by]
    levels = tuple(lv for _, lv in coded)
    n_bins = math.prod(len(lv) for lv in levels) << len(factors)
    codes = _compose([(v, len(lv)) for v, lv in coded], bits, len(factors), n_bins)
    return Packed(codes, factors, by, levels)


def _compose(parts, bits: np.ndarray, k: int, n_bins: int) -> np.ndarray:
    """``(((c1 * m2 + c2) * m3 + c3) ...) * 2**k + bits`` for ``parts = [(c1, m1), ...]``.

    The group part is computed in the smallest unsigned type that holds it, the code in
    ``uint16``, ``int32`` or ``int64`` (the smallest that holds ``n_bins``): fewer bytes per
    pass over the children.
    """
    if n_bins <= 1 << 16:
        ctype = np.uint16
    elif n_bins <= np.iinfo(np.int32).max:
        ctype = np.int32
    else:
        ctype = np.int64
    if not parts:
        return bits.astype(ctype)
    gtype = np.min_scalar_type(max((n_bins >> k) - 1, 0))
    group = parts[0][0].astype(gtype)
    for values, size in parts[1:]:
        group *= size
        group += values.astype(gtype, copy=False)
    codes = group.astype(ctype, copy=False)
    codes <<= k
    codes |= bits
    return codes


def count(packed: Packed) -> np.ndarray:
    """The one ``np.bincount``: children per group cell and factor combination.

    Shape :attr:`Packed.shape`; entry ``[g1, g2, ..., c]`` is the number of children with
    labels ``g1, g2, ...`` in the ``by`` fields and factor code ``c``.
    """
    return np.bincount(packed.codes, minlength=packed.n_bins).reshape(packed.shape)


# =========================================================================== derived counts


def superset_sums(table: np.ndarray, k: int) -> np.ndarray:
    """For each factor code ``m``: the children whose factors include all bits of ``m``.

    ``table`` has the ``2**k`` combination counts on its last axis; the result has the same
    shape. ``result[..., 0]`` is everyone, ``result[..., 1 << (k-1-i)]`` the children with
    factor ``i``, ``result[..., bit_i | bit_j]`` those with both ``i`` and ``j``. Computed
    with ``k`` passes (the zeta transform over supersets), not ``4**k`` sums.
    """
    table = np.asarray(table)
    lead = table.shape[:-1]
    # Combinations first, everything else last and contiguous: each pass adds long runs. Counts
    # are summed in int32 while the grand total fits (half the memory traffic of int64).
    dtype = np.int32 if table.sum() <= np.iinfo(np.int32).max else np.int64
    out = np.array(np.moveaxis(table, -1, 0), dtype=dtype, order="C", copy=True)
    flat = out.reshape(1 << k, -1)
    for b in range(k):
        view = flat.reshape(1 << (k - 1 - b), 2, -1)
        view[:, 0, :] += view[:, 1, :]
    return np.moveaxis(out.reshape(1 << k, *lead), 0, -1)


class Counts:
    """The count array of :func:`count` with what is derived from it (computed once each).

    ``groups`` are the labels of the first ``by`` field that have children (the groups of the
    per-group tables), then :data:`EVERYONE`.
    """

    def __init__(self, cube: np.ndarray, packed: Packed, everyone: str = EVERYONE):
        self.cube = cube
        self.factors = packed.factors
        self.by = packed.by
        self.levels = packed.levels
        self.k = len(packed.factors)
        self.everyone = everyone

    @classmethod
    def of(cls, children: pd.DataFrame, factors, by=("partnership",), everyone=EVERYONE):
        """Pack, count and wrap in one call."""
        packed = pack(children, factors, by)
        return cls(count(packed), packed, everyone)

    @cached_property
    def cells(self) -> np.ndarray:
        """Children per group cell (all factor combinations added up): shape of the ``by``."""
        return self.cube.sum(axis=-1)

    @cached_property
    def _group_rows(self) -> np.ndarray:
        """Combinations per label of the first ``by`` field, shape ``(m, 2**k)``."""
        if not self.by:
            return self.cube.reshape(1, -1)
        return self.cube.reshape(self.cube.shape[0], -1, self.cube.shape[-1]).sum(axis=1)

    @cached_property
    def _present(self) -> np.ndarray:
        """Indices of the first field's labels that have children (missing label excluded)."""
        if not self.by:
            return np.empty(0, dtype=np.int64)
        sizes = self._group_rows.sum(axis=1)
        labels = self.levels[0]
        return np.array([i for i in np.flatnonzero(sizes) if labels[i] is not None], dtype=int)

    @cached_property
    def groups(self) -> list[str]:
        """Group labels (first ``by`` field, those with children), then :attr:`everyone`."""
        labels = self.levels[0] if self.by else ()
        return [*(str(labels[i]) for i in self._present), self.everyone]

    @cached_property
    def group_index(self) -> pd.Index:
        """:attr:`groups` as a column index."""
        return pd.Index(self.groups)

    @cached_property
    def group_dtype(self) -> pd.CategoricalDtype:
        """Categorical type of the group columns of long tables (:attr:`groups`, in order)."""
        return pd.CategoricalDtype(self.groups)

    @cached_property
    def combinations(self) -> np.ndarray:
        """Combination counts per group (rows: :attr:`groups`), shape ``(groups, 2**k)``."""
        rows = self._group_rows
        return np.vstack([rows[self._present], rows.sum(axis=0, keepdims=True)])

    @cached_property
    def supersets(self) -> np.ndarray:
        """:func:`superset_sums` of :attr:`combinations`: children with all of any subset."""
        return superset_sums(self.combinations, self.k)

    def bit(self, factor: str) -> int:
        """The code bit of ``factor`` (a power of two)."""
        return 1 << (self.k - 1 - self.factors.index(factor))

    def row(self, group=None) -> int:
        """Row of ``group`` in the per-group arrays (``None`` or :attr:`everyone` = everyone)."""
        if group is None or group == self.everyone:
            return len(self._present)
        return self.groups.index(group)

    @cached_property
    def with_factor(self) -> np.ndarray:
        """Children with each factor per group, shape ``(groups, k)``."""
        return self.supersets[:, [self.bit(f) for f in self.factors]].astype(np.int64)

    @cached_property
    def with_both(self) -> np.ndarray:
        """Children with both factors of each pair per group, ``(groups, k, k)``; diagonal =
        children with the factor."""
        bits = np.array([self.bit(f) for f in self.factors])
        return self.supersets[:, bits[:, None] | bits[None, :]].astype(np.int64)

    @cached_property
    def n(self) -> np.ndarray:
        """Children per group."""
        return self.supersets[:, 0].astype(np.int64)


@cache
def _cell_index(factors: tuple[str, ...]) -> pd.MultiIndex:
    return pd.MultiIndex.from_product([[False, True]] * len(factors), names=list(factors))


def combinations_table(counts: Counts) -> pd.DataFrame:
    """Children per combination of all packed factors (rows, ``2**k``), per group (columns).

    The layout of :func:`tees_analysis.analysis.cooccurrence.tables_by` with all the packed factors:
    rows are the cells ``False`` before ``True`` (first factor slowest), columns the groups with
    children in the order of their categories (``tables_by`` orders them as first met), then
    everyone.
    """
    return pd.DataFrame(
        counts.combinations.T,
        index=_cell_index(counts.factors),
        columns=counts.group_index,
    )


def trio_table(counts: Counts, factors=TOXIC_TRIO, group=None) -> pd.Series:
    """The ``2**m`` table of any ``m`` packed factors (default the toxic trio) for one group.

    Same as :func:`.cooccurrence.trio_table` on that group's children: a Series
    named ``children`` on a MultiIndex of booleans named after ``factors``.
    """
    return trio_tables(counts, factors)[counts.groups[counts.row(group)]].rename("children")


def trio_tables(counts: Counts, factors=TOXIC_TRIO) -> pd.DataFrame:
    """:func:`trio_table` for every group and everyone, side by side (like ``tables_by``)."""
    factors = tuple(factors)
    positions = [counts.factors.index(f) for f in factors]
    g = counts.combinations.shape[0]
    cube = counts.combinations.reshape(g, *([2] * counts.k))
    others = tuple(1 + i for i in range(counts.k) if i not in positions)
    kept = sorted(positions)
    small = cube.sum(axis=others) if others else cube
    order = [0, *(1 + kept.index(p) for p in positions)]
    table = np.transpose(small, order).reshape(g, -1)
    out = pd.DataFrame(table.T, index=_cell_index(factors), columns=counts.group_index)
    out.columns.name = None
    return out


def margins(counts: Counts) -> pd.DataFrame:
    """Children with each factor (rows) per group (columns)."""
    index = list(counts.factors)
    return pd.DataFrame(counts.with_factor.T, index=index, columns=counts.group_index)


def _categorical_column(codes: np.ndarray, dtype: pd.CategoricalDtype) -> pd.Categorical:
    """A categorical column from codes known to be valid (no validation pass)."""
    return pd.Categorical.from_codes(codes, dtype=dtype, validate=False)


def _ratios(both: np.ndarray, with_a: np.ndarray, with_b: np.ndarray):
    union = with_a + with_b - both
    with np.errstate(divide="ignore", invalid="ignore"):
        jaccard = np.where(union > 0, both / np.where(union > 0, union, 1), np.nan)
        conditional = np.where(with_a > 0, both / np.where(with_a > 0, with_a, 1), np.nan)
    return jaccard, conditional


def pairwise(counts: Counts, group=None) -> pd.DataFrame:
    """Every ordered pair (A, B) for one group: as :func:`.cooccurrence.pairwise`.

    Children in the group, with A, with B, with both, Jaccard = both / either, P(B | A).
    """
    r = counts.row(group)
    i, j = (np.array(x, dtype=int) for x in zip(*_ordered_pairs(counts.k), strict=True))
    both = counts.with_both[r, i, j]
    with_a, with_b = counts.with_factor[r, i], counts.with_factor[r, j]
    jaccard, conditional = _ratios(both, with_a, with_b)
    names = [cooccurrence.short(f) for f in counts.factors]
    return pd.DataFrame(
        {
            "A": [names[x] for x in i],
            "B": [names[x] for x in j],
            "children": np.full(len(i), counts.n[r], dtype=np.int64),
            "with A": with_a,
            "with B": with_b,
            "with both": both,
            "Jaccard": jaccard,
            "P(B | A)": conditional,
        }
    )


@cache
def _ordered_pairs(k: int) -> tuple[tuple[int, int], ...]:
    return tuple((i, j) for i in range(k) for j in range(k) if i != j)


def pairwise_by(counts: Counts) -> pd.DataFrame:
    """:func:`pairwise` for every group and everyone, long: a ``group`` column first.

    ``group``, ``A`` and ``B`` are categorical (one table of ``groups * k * (k - 1)`` rows).
    """
    pairs = np.array(_ordered_pairs(counts.k), dtype=int).reshape(-1, 2)
    i, j = pairs[:, 0], pairs[:, 1]
    g = counts.combinations.shape[0]
    both = counts.with_both[:, i, j].ravel()
    with_a = counts.with_factor[:, i].ravel()
    with_b = counts.with_factor[:, j].ravel()
    jaccard, conditional = _ratios(both, with_a, with_b)
    names = pd.CategoricalDtype([cooccurrence.short(f) for f in counts.factors])
    return pd.DataFrame(
        {
            "group": _categorical_column(np.repeat(np.arange(g), len(i)), counts.group_dtype),
            "A": _categorical_column(np.tile(i, g), names),
            "B": _categorical_column(np.tile(j, g), names),
            "children": np.repeat(counts.n, len(i)),
            "with A": with_a,
            "with B": with_b,
            "with both": both,
            "Jaccard": jaccard,
            "P(B | A)": conditional,
        }
    )


def pairwise_matrices(counts: Counts, group=None) -> dict[str, pd.DataFrame]:
    """``counts``, ``jaccard`` and ``conditional`` (P(column | row)) matrices for one group,
    as :func:`tees_analysis.analysis.cooccurrence.pairwise_matrices`."""
    r = counts.row(group)
    both = counts.with_both[r]
    with_f = counts.with_factor[r]
    jaccard, conditional = _ratios(both, with_f[:, None], with_f[None, :])
    names = [cooccurrence.short(f) for f in counts.factors]

    def frame(m):
        return pd.DataFrame(m, index=names, columns=names)

    return {
        "counts": frame(both),
        "jaccard": frame(jaccard),
        "conditional": frame(conditional),
    }


def category_counts(counts: Counts, fields=None) -> pd.DataFrame:
    """Children per category of each field, per group and for everyone, with denominators.

    One row per (group, field, category): ``count``, ``denominator`` (the group's children)
    and ``percent_half_up`` (``floor(100 k / n + 1/2)``, blank for an empty group). Fields are
    the ``by`` fields after the first (every label, ``None`` = missing) and the factors
    (category ``True``: children with the factor); ``fields`` restricts them.
    """
    wanted = set(counts.by[1:]) | set(counts.factors) if fields is None else set(fields)
    present = counts._present
    g = len(counts.groups)
    denominators = counts.n
    blocks = []
    names = []
    cats = []
    if counts.by:
        for axis, name in enumerate(counts.by[1:], start=1):
            if name not in wanted:
                continue
            other = tuple(a for a in range(1, len(counts.by)) if a != axis)
            per = counts.cells.sum(axis=other) if other else counts.cells  # (m, labels)
            per = np.vstack([per[present], per.sum(axis=0, keepdims=True)])
            blocks.append(per)
            names += [name] * per.shape[1]
            cats += list(counts.levels[axis])
    chosen = [i for i, f in enumerate(counts.factors) if f in wanted]
    if chosen:
        blocks.append(counts.with_factor[:, chosen])
        names += [counts.factors[i] for i in chosen]
        cats += [True] * len(chosen)
    table = np.hstack(blocks) if blocks else np.zeros((g, 0), dtype=np.int64)
    width = table.shape[1]
    den = np.repeat(denominators, width)
    value = table.ravel()
    empty = den == 0
    percent = (200 * value + den) // np.where(empty, 1, 2 * den)
    field_names = list(dict.fromkeys(names))
    field_codes = np.array([field_names.index(x) for x in names], dtype=np.int64)
    return pd.DataFrame(
        {
            "group": _categorical_column(np.repeat(np.arange(g), width), counts.group_dtype),
            "field": _categorical_column(np.tile(field_codes, g), pd.CategoricalDtype(field_names)),
            "category": np.tile(np.array(cats, dtype=object), g),
            "count": value,
            "denominator": den,
            "percent_half_up": pd.arrays.IntegerArray(percent, empty),
        }
    )


# =========================================================================== review themes


@dataclass(frozen=True)
class PackedReviews:
    """Reviews packed as ``(group * sizes + n_children) * 2**t + theme bits``."""

    codes: np.ndarray
    themes: tuple[str, ...]  # theme codes (schema), first in the highest bit
    levels: tuple  # labels of the group field
    sizes: int  # number of children slots: 0 .. sizes - 1

    @property
    def shape(self) -> tuple[int, int, int]:
        return (len(self.levels), self.sizes, 1 << len(self.themes))


def pack_reviews(reviews: pd.DataFrame, themes=None, by: str | None = "partnership"):
    """Pack each review's group, number of children and theme flags into one code.

    ``themes`` are theme codes of :data:`tees_analysis.data.schema.THEMES` (default: every theme
    with a flag column); a missing flag is no. ``n_children`` (as derived by
    :func:`tees_analysis.data.derive.derive_reviews`) is kept exactly: the codes have one slot per
    number of children up to the largest.
    """
    if themes is None:
        themes = [code for code, _ in THEMES if theme_field(code) in reviews]
    themes = tuple(themes)
    if len(themes) > MAX_FACTORS:
        raise ValueError(f"at most {MAX_FACTORS} themes")
    if themes:
        bits = factor_bits(reviews, [theme_field(c) for c in themes])
    else:
        bits = np.zeros(len(reviews), dtype=np.uint8)
    size = reviews["n_children"].to_numpy(dtype=np.int64)
    slots = int(size.max()) + 1 if len(size) else 1
    if by is None:
        group, levels = np.zeros(len(reviews), dtype=np.int8), (None,)
    else:
        group, levels = _levels(reviews[by])
    n_bins = len(levels) * slots << len(themes)
    codes = _compose([(group, len(levels)), (size, slots)], bits, len(themes), n_bins)
    return PackedReviews(codes, themes, levels, slots)


def count_reviews(packed: PackedReviews) -> np.ndarray:
    """One ``np.bincount`` over the review codes, shape ``(groups, sizes, 2**t)``."""
    n_bins = math.prod(packed.shape)
    return np.bincount(packed.codes, minlength=n_bins).reshape(packed.shape)


def theme_counts(packed: PackedReviews, cube: np.ndarray, everyone: str = EVERYONE):
    """Per group and theme: reviews flagged and children in the flagged reviews, with totals.

    Columns ``group``, ``theme`` (the theme's name in the report's words), ``reviews``,
    ``reviews_total``, ``children`` (children of the flagged reviews) and ``children_total``.
    Groups with reviews in the order of their labels, then ``everyone``.
    """
    t = len(packed.themes)
    nonempty = cube.reshape(cube.shape[0], -1).any(axis=1)
    present = [i for i, lv in enumerate(packed.levels) if lv is not None and nonempty[i]]
    cube = np.concatenate([cube[present], cube.sum(axis=0, keepdims=True)])  # (g, sizes, 2**t)
    codes = np.arange(1 << t)
    has = ((codes[:, None] >> np.arange(t - 1, -1, -1)[None, :]) & 1).astype(np.int64)
    flagged = cube @ has  # (g, sizes, t): reviews with each flag, by number of children
    weights = np.arange(packed.sizes, dtype=np.int64)
    reviews = flagged.sum(axis=1)
    children = np.einsum("gst,s->gt", flagged, weights)
    totals = cube.sum(axis=2)  # (g, sizes)
    names = dict(THEMES)
    labels = [str(packed.levels[i]) for i in present] + [everyone]
    g = len(labels)
    return pd.DataFrame(
        {
            "group": _categorical_column(np.repeat(np.arange(g), t), pd.CategoricalDtype(labels)),
            "theme": _categorical_column(
                np.tile(np.arange(t), g), pd.CategoricalDtype([names[c] for c in packed.themes])
            ),
            "reviews": reviews.ravel(),
            "reviews_total": np.repeat(totals.sum(axis=1), t),
            "children": children.ravel(),
            "children_total": np.repeat(totals @ weights, t),
        }
    )


# =========================================================================== the whole analysis


@dataclass
class Analysis:
    """Every figure count and co-occurrence table of a dataset, from the packed counts.

    ``counts``: the :class:`Counts`; ``categories``: :func:`category_counts`; ``themes``:
    :func:`theme_counts`; ``combinations``: :func:`combinations_table`; ``trio``:
    :func:`trio_tables` of the toxic trio (when packed); ``pairwise``: :func:`pairwise_by`;
    ``matrices``: :func:`pairwise_matrices` for everyone. ``timings``: seconds spent packing,
    in the two ``bincount`` calls and deriving the tables (``packing``, ``bincount``,
    ``derivation``, ``total``), and each step on its own (``packing_children``,
    ``packing_reviews``, ``bincount_children``, ``bincount_reviews``). ``aliases``:
    ``(field, value) -> (packed field, label)`` for a derived field read off a packed one
    (``under_2`` from ``age_band`` where no exact age is recorded).
    """

    counts: Counts
    categories: pd.DataFrame
    themes: pd.DataFrame | None
    combinations: pd.DataFrame
    trio: pd.DataFrame | None
    pairwise: pd.DataFrame
    matrices: dict[str, pd.DataFrame]
    timings: dict[str, float] = field(default_factory=dict)
    aliases: dict[tuple, tuple] = field(default_factory=dict)

    @cached_property
    def lookup(self) -> dict[tuple, tuple[int, int]]:
        """``(group, field, category) -> (count, denominator)`` from :attr:`categories`."""
        c = self.categories
        keys = zip(c["group"], c["field"], c["category"], strict=True)
        values = zip(c["count"].tolist(), c["denominator"].tolist(), strict=True)
        return dict(zip(keys, values, strict=True))

    @cached_property
    def theme_lookup(self) -> dict[str, dict[str, int]]:
        """Theme name -> its counts for everyone (from :attr:`themes`)."""
        if self.themes is None:
            return {}
        rows = self.themes[self.themes["group"] == self.counts.everyone]
        return {
            r["theme"]: {k: int(r[k]) for k in ("reviews", "reviews_total", "children")}
            for r in rows.to_dict("records")
        }


def analyse(
    dataset, factors, by=("partnership", "outcome", "age_band"), themes=None, everyone=EVERYONE
) -> Analysis:
    """Figure counts and co-occurrence tables of ``dataset`` (reviews and children tables).

    Children are packed on ``factors`` and ``by`` (the first ``by`` field, the partnership,
    groups the per-group tables) and counted with one ``bincount``; the reviews are packed on
    their theme flags (``themes``; default every flag column) and counted with another.
    """
    clock = [time.perf_counter()]

    def tick() -> None:
        clock.append(time.perf_counter())

    packed = pack(dataset.children, factors, by)
    tick()
    group = by[0] if by else None
    reviews = pack_reviews(dataset.reviews, themes, group) if dataset.reviews is not None else None
    tick()
    cube = count(packed)
    tick()
    review_cube = count_reviews(reviews) if reviews is not None else None
    tick()
    counts = Counts(cube, packed, everyone)
    result = Analysis(
        counts=counts,
        categories=category_counts(counts),
        themes=theme_counts(reviews, review_cube, everyone) if reviews is not None else None,
        combinations=combinations_table(counts),
        trio=trio_tables(counts) if set(TOXIC_TRIO) <= set(counts.factors) else None,
        pairwise=pairwise_by(counts),
        matrices=pairwise_matrices(counts),
    )
    tick()
    steps = dict(
        zip(
            ("packing_children", "packing_reviews", "bincount_children", "bincount_reviews",
             "derivation"),
            np.diff(clock).tolist(),
            strict=True,
        )
    )  # fmt: skip
    result.timings = {
        "packing": steps["packing_children"] + steps["packing_reviews"],
        "bincount": steps["bincount_children"] + steps["bincount_reviews"],
        "derivation": steps["derivation"],
        "total": clock[-1] - clock[0],
        **steps,
    }
    children = dataset.children
    no_age = "age_months" not in children or children["age_months"].isna().all()
    if "under_2" not in by and "age_band" in by and no_age:
        result.aliases[("under_2", True)] = ("age_band", "under 2")
    return result


# =========================================================================== published layout


class NotCovered(ValueError):
    """A figure definition the engine does not count (see :func:`covers`)."""


def _count(analysis: Analysis, rules: Rules, row, readings) -> tuple[int, int]:
    """``(count, denominator)`` of one figure definition, looked up in ``analysis``."""
    measure = rules.measures[row.measure]
    counts = analysis.counts
    everyone = counts.everyone

    def size(group: str) -> int:
        return int(counts.n[counts.groups.index(group)]) if group in counts.groups else 0

    def lookup(group: str, fld: str, value) -> tuple[int, int]:
        fld, value = analysis.aliases.get((fld, value), (fld, value))
        if fld not in counts.by[1:] and fld not in counts.factors:
            raise NotCovered(f"{row.figure_id}: the field {fld!r} is not packed")
        if group not in counts.groups:
            return 0, 0
        key = (group, fld, value)
        if key not in analysis.lookup:
            raise NotCovered(f"{row.figure_id}: {fld} = {value!r} is not counted")
        return analysis.lookup[key]

    if measure.kind == "theme":
        themes = analysis.themes
        hit = None if themes is None else analysis.theme_lookup.get(row.category)
        if hit is None:
            raise NotCovered(f"{row.figure_id}: the theme {row.category!r} is not packed")
        if measure.table == "reviews":
            return hit["reviews"], hit["reviews_total"]
        reading = rules.reading_for(row.measure, row.category)
        mode = reading.option(readings[reading.id]).params["count"]
        if mode == "children_in_flagged_reviews":
            return hit["children"], size(everyone)
        if mode == "children_with_indicator":
            return lookup(everyone, rules.themes[row.category], True)[0], size(everyone)
        raise NotCovered(f"{row.figure_id}: counting {mode!r} needs each child's review flags")
    if measure.table != "children" or measure.population is not None:
        raise NotCovered(f"{row.figure_id}: {row.measure} is not counted from packed children")
    group = figure_partnership(rules, row, readings)
    group = everyone if group == rules.all_label else group
    target = measure.categories[row.category]
    if target.field is None:
        return size(group), size(group)
    return lookup(group, target.field, target.value)


def covers(analysis: Analysis, rules: Rules, readings: dict, definitions) -> pd.Series:
    """Whether the engine counts each figure definition (single-valued and yes/no fields that
    were packed, theme counts except the under-2-children-of-flagged-reviews reading)."""
    readings = rules.check_readings(readings)
    out = []
    for row in definitions.itertuples(index=False):
        try:
            _count(analysis, rules, row, readings)
        except NotCovered:
            out.append(False)
        else:
            out.append(True)
    return pd.Series(out, index=definitions.index, dtype=bool)


def figure_table(
    analysis: Analysis, rules: Rules, readings: dict | None = None, definitions=None
) -> pd.DataFrame:
    """The figure definitions counted from ``analysis``, laid out as ``compute_figures`` does.

    Same columns, order and values as :func:`tees_analysis.published.measures.compute_figures` on
    the same data; raises :class:`NotCovered` for a definition the engine does not count (filter
    with :func:`covers`).
    """
    readings = rules.check_readings(readings or {})
    return measures.figure_records(
        lambda row: _count(analysis, rules, row, readings), rules, readings, definitions
    )


def national_definitions(dataset, rules: Rules) -> pd.DataFrame:
    """Figure definitions of the published kinds for every partnership of ``dataset``.

    For each partnership with children: every outcome category, under 2 and every risk factor
    the rules know that the children table has (percent figures); for everyone
    (``rules.all_label``): reviews and children of every theme with a flag column (counts).
    Used to time the existing pandas computation on the same work as the engine's.
    """
    rows = []
    children = dataset.children
    per_child = [
        (name, category)
        for name in ("outcome", "age", "risk_factor")
        for category, target in rules.measures[name].categories.items()
        if target.field in children
    ]
    for group in children["partnership"].astype(object).unique():
        for name, category in per_child:
            rows.append((group, name, category, "percent"))
    for code, theme in THEMES:
        if theme_field(code) in dataset.reviews and theme in rules.themes:
            for name in (rules.reviews_measure, rules.children_measure):
                if rules.themes[theme] in children or name == rules.reviews_measure:
                    rows.append((rules.all_label, name, theme, "count"))
    frame = pd.DataFrame(rows, columns=["partnership", "measure", "category", "unit"])
    frame.insert(
        0,
        "figure_id",
        [f"{p}-{m}-{c}" for p, m, c in zip(frame.partnership, frame.measure, frame.category,
                                             strict=True)],
    )  # fmt: skip
    return frame

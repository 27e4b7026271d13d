"""National-scale synthetic case-level data, for the counting engine of :mod:`.scale`.

:func:`synthetic` makes a case-level dataset of the project's shape
(a reviews table and a children table, a :class:`~tees_analysis.data.pipeline.Dataset`) with a
fixed seed: children grouped into reviews of 1 to 4 children, a partnership for every review,
the child's outcome (died / significant harm) and age band, up to 16 correlated yes/no
child-level factors and the review-level theme flags of the six themes the report counts. It is
**not** a model of any real population: where a proportion can be set against a published
national figure it is chosen to be of the same order as that figure (the rows of
``data/external/national_reference.csv`` named in :data:`FACTOR_SPECS`, :data:`OUTCOME_SOURCES`
and :data:`AGE_SOURCES`); every other proportion is illustrative, and says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtri

from ..data.pipeline import Dataset
from ..data.schema import NOT_RECORDED, theme_field
from ..data.schema import field as schema_field
from .scale import MAX_FACTORS

# =========================================================================== synthetic data

#: Default seed of :func:`synthetic` (any fixed integer; the data are a function of it).
SEED = 20170401
#: Partnerships of the synthetic data: of the order of the number of local authority areas in
#: England (illustrative; review shares across them are drawn unequal, see :func:`synthetic`).
N_PARTNERSHIPS = 150


@dataclass(frozen=True)
class FactorSpec:
    """One synthetic yes/no factor.

    ``prevalence`` is the share of children with it (exact in expectation). ``loading`` is its
    weight on the family's latent adversity, shared by all children of a review: two factors
    with loadings ``a`` and ``b`` have latent correlation ``a * b``. ``national`` lists the
    ids of ``data/external/national_reference.csv`` the prevalence is of the same order as
    (empty = illustrative); ``source`` says how it was chosen.
    """

    name: str
    prevalence: float
    loading: float
    national: tuple[str, ...] = ()
    source: str = "illustrative"


#: The factors, in order: ``synthetic(n_factors=k)`` uses the first ``k``. The first six are
#: the schema's factors; the rest are illustrative names of factors often coded in reviews.
FACTOR_SPECS: tuple[FactorSpec, ...] = (
    FactorSpec("domestic_abuse", 0.55, 0.75, ("SUTTON-PANEL-2020-DA", "CAFCASS-2017-DA"),
               "between the Panel's non-fatal notifications (2020) and Cafcass's 97 reviews"),
    FactorSpec("parental_mental_ill_health", 0.40, 0.70, ("SUTTON-PANEL-2020-PMH",),
               "above the Panel's non-fatal notifications (2020), which are a narrower count"),
    FactorSpec("substance_misuse", 0.35, 0.70),
    FactorSpec("neglect", 0.50, 0.60, ("CAFCASS-2017-NEGLECT",),
               "a little below Cafcass's 97 reviews (families known to the courts)"),
    FactorSpec("exploitation", 0.10, 0.20),
    FactorSpec("fii", 0.01, 0.10),
    FactorSpec("parental_criminality", 0.25, 0.60),
    FactorSpec("housing_instability", 0.30, 0.50),
    FactorSpec("parental_childhood_adversity", 0.30, 0.50),
    FactorSpec("child_disability", 0.10, 0.10),
    FactorSpec("young_parent", 0.15, 0.30),
    FactorSpec("social_isolation", 0.20, 0.40),
    FactorSpec("financial_hardship", 0.40, 0.50),
    FactorSpec("child_mental_health", 0.08, 0.20),
    FactorSpec("missing_episodes", 0.05, 0.20),
    FactorSpec("school_absence", 0.15, 0.30),
)  # fmt: skip

#: Share of reviews with 1, 2, 3 and 4 children (illustrative: most reviews concern one child).
REVIEW_SIZES: dict[int, float] = {1: 0.80, 2: 0.13, 3: 0.05, 4: 0.02}
#: Outcome of the child: about half the national notifications are about a death.
OUTCOMES: dict[str, float] = {"died": 0.45, "significant harm": 0.53, NOT_RECORDED: 0.02}
OUTCOME_SOURCES = ("OFSTED-SIN-2016-17-DEATHS", "DFE-SIN-2020-21-DEATHS", "PANEL-2020-DEATHS")
#: Age band: above the national share of notifications about a child under 1 (under-2s are
#: more); the "not recorded" share is illustrative.
AGE_BANDS: dict[str, float] = {"under 2": 0.45, "2 and over": 0.53, NOT_RECORDED: 0.02}
AGE_SOURCES = ("SWT-SIN-2020-21-UNDER1",)
#: Spread of the partnerships' shares of reviews (sigma of a log-normal; illustrative).
PARTNERSHIP_SPREAD = 0.6

#: Review-level theme flags of the synthetic data: theme code -> the children's factor that
#: flags it. A review is flagged when any of its children has the factor, except vulnerable
#: babies: flagged when every child of the review is under 2 (so that all children of a
#: flagged review are babies). Matches the ``[themes]`` of the counting rules.
SYNTHETIC_THEMES: dict[str, str] = {
    "vulnerable_babies": "under_2",
    "substance_misuse": "substance_misuse",
    "neglect": "neglect",
    "risks_outside_home": "exploitation",
    "domestic_abuse": "domestic_abuse",
    "parental_mental_health": "parental_mental_ill_health",
}


def partnership_labels(n: int = N_PARTNERSHIPS) -> list[str]:
    """``P001``, ``P002``, ... -- labels of the synthetic partnerships."""
    width = max(3, len(str(n)))
    return [f"P{i:0{width}d}" for i in range(1, n + 1)]


def _review_sizes(rng: np.random.Generator, n_children: int) -> np.ndarray:
    """Sizes (1-4) of reviews holding exactly ``n_children`` (the last review is cut to fit)."""
    values = np.array(list(REVIEW_SIZES), dtype=np.int64)
    p = np.array(list(REVIEW_SIZES.values()))
    mean = float(values @ p)
    sizes = np.empty(0, dtype=np.int64)
    while sizes.sum() < n_children:
        more = int((n_children - sizes.sum()) / mean * 1.05) + 16
        sizes = np.concatenate([sizes, rng.choice(values, size=more, p=p)])
    cum = np.cumsum(sizes)
    last = int(np.searchsorted(cum, n_children))
    sizes = sizes[: last + 1].copy()
    sizes[-1] -= cum[last] - n_children
    return sizes


def _categorical(rng, n: int, shares: dict[str, float], labels) -> pd.Categorical:
    if list(shares) != list(labels):
        raise ValueError(f"shares {list(shares)} must follow the schema's labels {list(labels)}")
    codes = rng.choice(len(shares), size=n, p=np.array(list(shares.values())))
    return pd.Categorical.from_codes(codes.astype(np.int8), categories=list(labels))


def synthetic(
    n_children: int,
    n_factors: int = 10,
    seed: int = SEED,
    n_partnerships: int = N_PARTNERSHIPS,
) -> Dataset:
    """A synthetic national-scale case-level dataset, the same for the same arguments.

    Reviews hold 1-4 children (:data:`REVIEW_SIZES`) and belong to one of ``n_partnerships``
    partnerships (``P001``...; shares of reviews drawn log-normal, so areas differ in size).
    Each child has an ``outcome`` (:data:`OUTCOMES`), an ``age_band`` (:data:`AGE_BANDS`) with
    the derived ``under_2`` (missing where the band is not recorded, as
    :func:`tees_analysis.data.derive.under_2` would give), and the first ``n_factors`` yes/no
    factors of :data:`FACTOR_SPECS`. A factor is present when a latent normal variable
    ``loading * family + sqrt(1 - loading**2) * own`` is below the ``prevalence`` quantile:
    ``family`` is shared by the children of a review, so factors are positively correlated
    within a child and between siblings, and each prevalence holds exactly in expectation.
    Reviews carry the theme flags of :data:`SYNTHETIC_THEMES` whose factor is generated, and
    ``n_children``. Identifiers are integers (``review_id`` 0.., ``child_id`` 0..); children are
    sorted by review.

    Everything is drawn from ``numpy.random.default_rng(seed)``; factors are drawn last and in
    order, so the first ``k`` factors do not depend on ``n_factors``.
    """
    if n_children < 1:
        raise ValueError("n_children must be at least 1")
    if not 1 <= n_factors <= MAX_FACTORS:
        raise ValueError(f"n_factors must be 1 to {MAX_FACTORS}")
    rng = np.random.default_rng(seed)
    sizes = _review_sizes(rng, n_children)
    n_reviews = len(sizes)
    review_of = np.repeat(np.arange(n_reviews, dtype=np.int64), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])

    weights = rng.lognormal(0.0, PARTNERSHIP_SPREAD, n_partnerships)
    partnership = rng.choice(n_partnerships, size=n_reviews, p=weights / weights.sum())
    labels = partnership_labels(n_partnerships)
    partnership = partnership.astype(np.int16 if n_partnerships < 2**15 else np.int32)

    outcome = _categorical(rng, n_children, OUTCOMES, schema_field("children", "outcome").labels)
    age_band = _categorical(rng, n_children, AGE_BANDS, schema_field("children", "age_band").labels)
    band = np.asarray(age_band.codes)
    under_2 = pd.array(band == 0, dtype="boolean")
    under_2[band == 2] = pd.NA

    family = rng.standard_normal(n_reviews)[review_of]
    factors = {}
    for spec in FACTOR_SPECS[:n_factors]:
        own = rng.standard_normal(n_children)
        latent = spec.loading * family + math.sqrt(1 - spec.loading**2) * own
        factors[spec.name] = latent < ndtri(spec.prevalence)

    children = pd.DataFrame(
        {
            "child_id": np.arange(n_children, dtype=np.int64),
            "review_id": review_of,
            "partnership": pd.Categorical.from_codes(partnership[review_of], categories=labels),
            "outcome": outcome,
            "age_band": age_band,
            "under_2": under_2,
            **factors,
        }
    )
    reviews = pd.DataFrame(
        {
            "review_id": np.arange(n_reviews, dtype=np.int64),
            "partnership": pd.Categorical.from_codes(partnership, categories=labels),
            "n_children": sizes,
        }
    )
    babies = np.asarray(under_2.fillna(False), dtype=bool)
    for code, indicator in SYNTHETIC_THEMES.items():
        if indicator == "under_2":
            reviews[theme_field(code)] = np.logical_and.reduceat(babies, starts)
        elif indicator in factors:
            reviews[theme_field(code)] = np.logical_or.reduceat(factors[indicator], starts)
    return Dataset(
        reviews=reviews,
        children=children,
        changes=pd.DataFrame(columns=["table", "file", "row", "column", "typed", "cleaned"]),
        files=(f"synthetic(n_children={n_children}, n_factors={n_factors}, seed={seed})",),
    )

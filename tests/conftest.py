"""Hypothesis profiles, registered once for the whole suite.

* ``ci`` (the default, used by CI and by ``python3 tasks.py test``): derandomized -- the
  examples are a fixed function of each test's source, so every run (CI, a contributor's, a
  rerun after a failure) tries the same ones -- and no example database is written. Each test's
  number of examples is what the test asks for (``strategies.examples(n)``).
* ``dev``: random examples, ten times as many per test, and the example database kept in
  ``.hypothesis/``, so a failure found once is tried first on the next run. Run it with
  ``HYPOTHESIS_PROFILE=dev python3 tasks.py test`` (or ``pytest --hypothesis-profile dev``).

A property failure is a bug, not noise: shrink it, keep the failing example as a regular test,
then fix the code.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev",
    max_examples=1000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: The longest modules first. pytest-xdist gives each worker whole modules (``--dist
#: loadscope``, which nbval needs) in collection order (``tasks.py`` passes
#: ``--no-loadscope-reorder``; xdist's own order, by number of tests, started the longest module
#: last and left one worker idle for half a minute), so these start at once and the short
#: modules and notebooks fill in the end. Ranked by a full run's ``--durations``; a module not
#: listed keeps its place after them.
SLOWEST_FIRST = (
    "tests/test_site_browser.py",
    "tests/test_reproduce_edges.py",
    "tests/test_identified.py",
    "tests/test_any_dataset.py",
    "notebooks/02_reconstruction.ipynb",
    "tests/test_stats.py",
    "tests/test_national.py",
    "tests/test_reconstruct.py",
    "tests/test_jupyterlab_smoke.py",
    "tests/test_reproduce.py",
)


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))

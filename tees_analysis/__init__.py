"""Helpers for the Tees safeguarding reviews analysis, in subpackages by pipeline stage.

Data flow one way, and each layer imports only the layers below it (checked by the layer
contract in ``pyproject.toml`` and by ``tests/test_architecture.py``):

1. :mod:`tees_analysis.paths` -- where things live in the repository;
2. :mod:`tees_analysis.data` -- read, clean, validate and derive an analyst's case-level files;
3. :mod:`tees_analysis.published.figures` -- the report's figures and how each is counted;
4. :mod:`tees_analysis.reconstruction` -- a case-level dataset rebuilt from the figures;
5. :mod:`tees_analysis.analysis` -- statistics of a dataset, the audit, co-occurrence;
6. :mod:`tees_analysis.report` -- figures, the static site, the codebook, publication tables;
7. on top: :mod:`tees_analysis.selection` (which data a run analyses),
   :mod:`tees_analysis.run_all` (the main job) and :mod:`tees_analysis.cli` (the analysts'
   command line).
"""

__version__ = "0.1.0"

"""Stage 2, published: the report's figures and how each one is counted.

The published values, read only for comparison (:mod:`.figures`); the counting rules of
``data/config/counting_rules.toml`` (:mod:`.rules`); every figure recomputed from a clean
dataset under given readings, with the rounding rules (:mod:`.measures`); and the numbers of
children that could lie behind each block of percentages (:mod:`.denominators`). May use
:mod:`tees_analysis.paths` and :mod:`tees_analysis.data`.
"""

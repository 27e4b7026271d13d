"""Stage 4, analysis: the statistics of a clean dataset, and their comparison with the report.

Intervals, exact tests and Holm's adjustment (:mod:`.stats`, built on the exact conditional
inference for one or several 2 x 2 tables of :mod:`.exact`); the report's tables recomputed
(:mod:`.tables`) and the reproduction audit (:mod:`.audit`, with the bases each block of
published figures needs and the rival explanations of a figure that does not hold,
:mod:`.bases`); the co-occurrence of the toxic-trio factors (:mod:`.cooccurrence`,
:mod:`.loglinear`, :mod:`.context`, :mod:`.identification`), and every
co-occurrence statistic as a range over what the report identifies (:mod:`.ranges`); national
reference figures (:mod:`.national`); and the counting engine for national-scale data with its
synthetic data (:mod:`.scale`, :mod:`.synthetic`). May use :mod:`tees_analysis.paths`,
:mod:`tees_analysis.data`, :mod:`tees_analysis.published` and
:mod:`tees_analysis.reconstruction`; nothing here draws or writes a page.
"""

"""Stage 3, reconstruction: a case-level dataset rebuilt from the published figures.

Turns the report's figures and counting rules (:mod:`tees_analysis.published.figures`) into an exact
integer program and solves it: the plan of what is counted (:mod:`.plan`), the program over
scipy's HiGHS (:mod:`.ilp`, :mod:`.model`), the choice of one dataset among the optima
(:mod:`.solve`), the readings of ambiguous lines (:mod:`.readings`), the records written to
``data/raw`` (:mod:`.build`), the figures that cannot hold together and why
(:mod:`.conflicts`), the exact bounds of the toxic-trio co-occurrence (:mod:`.bounds`), and the
whole flow with its generated READMEs (:mod:`.reconstruct`, :mod:`.readme`). May use
:mod:`tees_analysis.paths`, :mod:`tees_analysis.data` and :mod:`tees_analysis.published.figures`;
never the analysis, report or orchestration layers above it.
"""

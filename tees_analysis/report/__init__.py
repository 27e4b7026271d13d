"""Stage 5, report: what readers see -- figures, the static site, the codebook, publication tables.

Every table and number readers see (:mod:`.present`, laid out by :mod:`.table_layout`); the
figures' look and deterministic saving (:mod:`.style`, captions in :mod:`.captions`); the
charts (:mod:`.plots`, :mod:`.trio_plots`); the static site (:mod:`.site`, its charts drawn from
SVG files by :mod:`.site_charts`, its release line from :mod:`.release`); the codebook rendered
from the schema (:mod:`.codebook`); and the publication tables with disclosure control
(:mod:`.disclosure`: one table suppressed by :mod:`.suppression`, the tables of all years,
single years and ranges made consistent by :mod:`.differencing`). May use every stage below it
(:mod:`tees_analysis.paths`, ``data``, ``published``, ``reconstruction``, ``analysis``); never
the orchestration on top
(:mod:`tees_analysis.selection`, ``run_all``, ``cli``): what a figure needs from the selection
(its caption, its folder) is handed in.
"""

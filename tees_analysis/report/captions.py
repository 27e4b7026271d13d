"""Caption texts shared by the figures and by the description of the data analysed.

Kept apart from :mod:`.style` so that describing the data (:mod:`tees_analysis.selection`)
does not import matplotlib.
"""

#: The caption every figure drawn from the report's (reconstructed) case-level data carries.
RECONSTRUCTED = (
    "Case-level data reconstructed from the published figures (not the partnerships' records)."
)

"""Stage 1, data: an analyst's case-level files turned into clean, validated tables.

The schema is the single source of truth for fields, types and allowed values
(:mod:`.schema`). Files are read as typed text (:mod:`.read`), labels normalised and values
parsed with every rewrite logged (:mod:`.clean`), rules across rows and tables checked
(:mod:`.validate`) with every problem collected at once (:mod:`.problems`), fields derived
(:mod:`.derive`), and the whole flow run with atomic writes (:mod:`.pipeline`,
:mod:`.atomic`), with CSV cells a spreadsheet cannot run as formulas (:mod:`.csvsafe`). The
data-entry template (:mod:`.template`) and the analysts' versioned dataset with ``add-year``
(:mod:`.merge`, kept to one writer at a time by :mod:`.lock`) live here too. May use
:mod:`tees_analysis.paths` only: nothing here knows about the report's figures.
"""

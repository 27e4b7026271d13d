"""Helpers for the Tees safeguarding reviews analysis.

Modules are named by the step they do: ``read`` -> ``clean`` -> ``validate`` -> ``derive``,
tied together by ``pipeline``; ``schema`` is the single source of truth for fields and
``codebook`` renders it; ``published`` reads the report's figures (for comparison only).
"""

__version__ = "0.1.0"

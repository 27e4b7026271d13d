"""``python -m tees_analysis.reconstruction``: regenerate every reconstruction output."""

from .reconstruct import main

main()

"""The ambiguous lines of the report: every combination of readings evaluated, one chosen.

Some published lines can be read in more than one way (the counting rules list the options).
:class:`ReadingSearch` solves the model under combinations of readings (cached, two at a time
in threads), chooses the readings under which most figures hold (coordinate ascent, ties to
the first-listed option) and tabulates every option with, for an option that loses figures,
a minimal conflicting set explaining why (:mod:`.conflicts`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..published.rules import (
    Rules,
)
from .conflicts import explain, minimal_conflict
from .ilp import Solution, parallel_map
from .model import CaseModel
from .plan import (
    build_plan,
)
from .solve import solve_max_satisfied

# =========================================================================== readings


@dataclass
class Evaluation:
    """The best dataset under one combination of readings."""

    readings: dict[str, str]
    model: CaseModel
    solution: Solution

    @property
    def satisfied(self) -> list[str]:
        return self.model.satisfied_ids(self.solution)

    @property
    def failed(self) -> list[str]:
        return [fid for fid in self.model.z if fid not in set(self.satisfied)]


class ReadingSearch:
    """Evaluate combinations of readings (cached), solving two at a time in threads."""

    def __init__(self, rules: Rules, figures: pd.DataFrame, threads: int = 2):
        self.rules, self.figures, self.threads = rules, figures, threads
        self.cache: dict[tuple, Evaluation] = {}

    def _key(self, readings: dict[str, str]) -> tuple:
        return tuple(readings[r.id] for r in self.rules.readings)

    def _solve(self, readings: dict[str, str]) -> Evaluation:
        model = CaseModel(build_plan(self.rules, self.figures, readings))
        return Evaluation(dict(readings), model, solve_max_satisfied(model))

    def evaluate(self, combos: list[dict[str, str]]) -> list[Evaluation]:
        todo = [c for c in combos if self._key(c) not in self.cache]
        todo = list({self._key(c): c for c in todo}.values())
        done = self._map(self._solve, todo)
        for combo, evaluation in zip(todo, done, strict=True):
            self.cache[self._key(combo)] = evaluation
        return [self.cache[self._key(c)] for c in combos]

    def best_option(self, current: dict[str, str], reading) -> str:
        """The option under which most figures hold, the others fixed (ties: listed first)."""
        combos = [{**current, reading.id: o.id} for o in reading.options]
        scores = [len(e.satisfied) for e in self.evaluate(combos)]
        return reading.options[scores.index(max(scores))].id

    def choose(self) -> dict[str, str]:
        """Coordinate ascent: improve one reading at a time until none changes."""
        current = self.rules.default_readings()
        changed = True
        while changed:
            changed = False
            for reading in self.rules.readings:
                best = self.best_option(current, reading)
                if best != current[reading.id]:
                    current[reading.id], changed = best, True
        return current

    def table(self, chosen: dict[str, str]) -> pd.DataFrame:
        """Every option of every reading, the others at their chosen option.

        ``why_not`` explains an option under which fewer figures hold: a minimal conflicting
        set, under that option, for the first figure it loses that the chosen readings keep.
        """
        best = self.evaluate([chosen])[0]
        rows, losers = [], []
        for reading in self.rules.readings:
            combos = [{**chosen, reading.id: o.id} for o in reading.options]
            for option, ev in zip(reading.options, self.evaluate(combos), strict=True):
                rows.append(
                    {
                        "reading": reading.id,
                        "question": reading.question,
                        "option": option.id,
                        "meaning": option.meaning,
                        "figures_satisfied": len(ev.satisfied),
                        "figures_total": len(ev.model.z),
                        "chosen": option.id == chosen[reading.id],
                        "figures_failed": " ".join(ev.failed),
                        "why_not": "",
                    }
                )
                if len(ev.satisfied) < len(best.satisfied):
                    losers.append((len(rows) - 1, ev))
        texts = self._map(lambda job: _why_not(best, job[1]), losers)
        for (i, _), text in zip(losers, texts, strict=True):
            rows[i]["why_not"] = text
        return pd.DataFrame(rows)

    def _map(self, function, items: list) -> list:
        return parallel_map(function, items, self.threads)


def _why_not(best: Evaluation, other: Evaluation) -> str:
    """Why ``other``'s readings satisfy fewer figures than ``best``'s, in plain words."""
    lost = next(fid for fid in other.failed if fid in set(best.satisfied))
    ids = minimal_conflict(other.model, lost, other.satisfied)
    return f"{' '.join(ids)}: {explain(other.model.plan, ids)}"

"""Linear expressions and a small integer-program builder over scipy's HiGHS (``milp``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

INF = float("inf")
#: Tolerance when an optimal objective value is kept as a constraint for later stages.
TOL = 1e-6

# =========================================================================== linear algebra


class Expr:
    """A linear expression: ``sum(coef * x[i]) + const`` over variable indices ``i``."""

    __slots__ = ("const", "terms")

    def __init__(self, terms: dict[int, float] | None = None, const: float = 0.0):
        self.terms = dict(terms or {})
        self.const = const

    @classmethod
    def total(cls, items) -> Expr:
        """The sum of expressions and numbers (linear time, unlike ``sum``)."""
        out = cls()
        for item in items:
            out._add(item, 1)
        return out

    def _add(self, other, sign: float) -> Expr:
        if isinstance(other, Expr):
            for i, c in other.terms.items():
                self.terms[i] = self.terms.get(i, 0.0) + sign * c
            self.const += sign * other.const
        else:
            self.const += sign * other
        return self

    def copy(self) -> Expr:
        return Expr(self.terms, self.const)

    def __add__(self, other) -> Expr:
        return self.copy()._add(other, 1)

    __radd__ = __add__

    def __sub__(self, other) -> Expr:
        return self.copy()._add(other, -1)

    def __rsub__(self, other) -> Expr:
        return (self * -1)._add(other, 1)

    def __mul__(self, k: float) -> Expr:
        return Expr({i: c * k for i, c in self.terms.items()}, self.const * k)

    __rmul__ = __mul__

    def __neg__(self) -> Expr:
        return self * -1


@dataclass(frozen=True)
class Row:
    """A linear constraint ``lo <= expr <= hi``."""

    expr: Expr
    lo: float = -INF
    hi: float = INF


@dataclass
class Solution:
    """Values of the variables at a solution."""

    x: np.ndarray

    def value(self, expr: Expr) -> float:
        return float(sum(c * self.x[i] for i, c in expr.terms.items()) + expr.const)

    def count(self, expr: Expr) -> int:
        """The value of an integer-valued expression."""
        return round(self.value(expr))


def parallel_map(function, items: list, threads: int) -> list:
    """``[function(item) for item in items]``, ``threads`` at a time.

    The solver releases the interpreter lock, so threads run integer programs in parallel;
    results come back in the order of ``items`` whatever the scheduling.
    """
    items = list(items)
    if threads <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(function, items))


def index_of(expr: Expr) -> int:
    """The variable index of an expression that is a single variable."""
    (i,) = expr.terms
    return i


class Ilp:
    """Named variables and linear rows, solved with :func:`scipy.optimize.milp` (HiGHS)."""

    def __init__(self):
        self.names: list[str] = []
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.integer: list[int] = []
        self.rows: list[Row] = []
        self._matrix = None

    def var(self, name: str, lb: float = 0, ub: float = INF, integer: bool = True) -> Expr:
        self.names.append(name)
        self.lb.append(lb)
        self.ub.append(ub)
        self.integer.append(int(integer))
        return Expr({len(self.names) - 1: 1.0})

    def add(self, expr: Expr, lo: float = -INF, hi: float = INF) -> None:
        self.rows.append(Row(expr, lo, hi))
        self._matrix = None

    def eq(self, expr: Expr, value: float = 0) -> None:
        self.add(expr, value, value)

    def _stack(self, rows: list[Row]):
        data, ri, ci, lo, hi = [], [], [], [], []
        for r, row in enumerate(rows):
            for i, c in row.expr.terms.items():
                if c:
                    data.append(c)
                    ri.append(r)
                    ci.append(i)
            lo.append(row.lo - row.expr.const)
            hi.append(row.hi - row.expr.const)
        shape = (len(rows), len(self.names))
        return sparse.csr_array((data, (ri, ci)), shape=shape), lo, hi

    def solve(
        self,
        objective: Expr | None = None,
        maximize: bool = False,
        fix: dict[int, tuple[float, float]] | None = None,
        extra: list[Row] = (),
    ) -> Solution | None:
        """An optimal solution, or ``None`` when the rows (and ``extra`` rows) are infeasible.

        ``fix`` overrides variable bounds; ``objective`` ``None`` asks for feasibility only.
        """
        if self._matrix is None:
            self._matrix = self._stack(self.rows)
        matrix, lo, hi = self._matrix
        if extra:
            more, lo2, hi2 = self._stack(list(extra))
            matrix, lo, hi = sparse.vstack([matrix, more]), [*lo, *lo2], [*hi, *hi2]
        c = np.zeros(len(self.names))
        for i, coef in (objective.terms if objective else {}).items():
            c[i] = -coef if maximize else coef
        lb, ub = np.array(self.lb, float), np.array(self.ub, float)
        for i, (low, high) in (fix or {}).items():
            lb[i], ub[i] = low, high
        res = milp(
            c,
            constraints=LinearConstraint(matrix, lo, hi),
            integrality=np.array(self.integer),
            bounds=Bounds(lb, ub),
            options={"disp": False, "mip_rel_gap": 0, "time_limit": 60},
        )
        if res.status == 2:
            return None
        if res.status != 0 or res.x is None:
            raise RuntimeError(f"the integer program was not solved: {res.message}")
        x = np.where(np.array(self.integer) == 1, np.round(res.x), res.x)
        return Solution(x)

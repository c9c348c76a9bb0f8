"""Spend-plan arithmetic: time elapsed in a fiscal year and the plan-based expected execution.

Pure functions, no database. The SQL engine (``queries/engine/*.sql``) implements the same
formulas with the same operation order; ``tests/test_status_engine.py`` checks they agree.

Time (see :mod:`perfwatch.periods`) is measured in months: day d of month m is ``m - 1 + d / days_in_month``, so the end of July
is 7.0 and 2024-02-29 is 2.0. A plan is a list of cumulative checkpoints ``(month, pct)`` (pct of
the budget spent by the end of that month). Expected execution at time t:

* ``linear`` (default): straight lines through (0, 0%), the checkpoints in month order, and held
  flat after the last checkpoint (a plan that ends at month 10 with 90% expects 90% in Nov/Dec).
* ``step``: the pct of the last checkpoint reached (0% before the first one).

A project without any checkpoint is measured against 序时 (as if planned as (12, 100%)).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from perfwatch.periods import days_in_month, month_end, months_elapsed, time_pct

__all__ = [
    "PLAN_METHODS", "PLAN_METHOD_LABELS", "NO_PLAN", "Checkpoint", "days_in_month", "month_end", "months_elapsed",
    "time_pct", "normalise", "expected_pct_at", "expected_pct", "next_checkpoint", "plan_curve",
]

PLAN_METHODS: tuple[str, ...] = ("linear", "step")
PLAN_METHOD_LABELS: dict[str, str] = {
    "linear": "按计划节点线性插值",
    "step": "按已到达的计划节点（阶梯）",
}

# What a project without a plan is measured against (序时: 100% by the end of December).
NO_PLAN: tuple[tuple[int, float], ...] = ((12, 100.0),)

Checkpoint = tuple[int, float]


def normalise(checkpoints: Iterable[Sequence[float]]) -> list[Checkpoint]:
    """Checkpoints as sorted ``(month, pct)`` floats; an empty plan becomes :data:`NO_PLAN`."""
    points = sorted((int(m), float(p)) for m, p in checkpoints)
    return points or list(NO_PLAN)


def expected_pct_at(checkpoints: Iterable[Sequence[float]], t: float, method: str = "linear") -> float:
    """Expected cumulative pct at ``t`` months (see the module docstring)."""
    if method not in PLAN_METHODS:
        raise ValueError(f"unknown plan method {method!r}; want one of {PLAN_METHODS}")
    points = [(0.0, 0.0)] + [(float(m), p) for m, p in normalise(checkpoints)]
    for (m0, p0), (m1, p1) in zip(points, points[1:] + [(13.0, points[-1][1])], strict=True):
        if m0 <= t < m1:
            if method == "step":
                return p0
            return p0 + (p1 - p0) * (t - m0) / (m1 - m0)
    return points[-1][1]


def expected_pct(
    checkpoints: Sequence[Sequence[float]], as_of: date, method: str = "linear", fiscal_year: int | None = None
) -> float:
    """Plan-based expected execution (percent of budget) at the end of ``as_of``.

    DOMAIN §3: 07-31 on 25/50/75/100 → 56.25; 05-31 on 8/50/75/100 → 36.00.
    """
    return expected_pct_at(checkpoints, months_elapsed(as_of, fiscal_year), method)


def next_checkpoint(
    checkpoints: Sequence[Sequence[float]], as_of: date, fiscal_year: int | None = None
) -> Checkpoint | None:
    """The first checkpoint strictly after ``as_of`` (at 03-31 the next one is June), or None."""
    t = months_elapsed(as_of, fiscal_year)
    for m, p in normalise(checkpoints):
        if m > t:
            return (m, p)
    return None


def plan_curve(checkpoints: Sequence[Sequence[float]], method: str = "linear") -> list[tuple[float, float]]:
    """Points ``(month, pct)`` from 0 to 12 drawing the plan, for charts.

    ``linear``: the checkpoints joined by straight lines; ``step``: a staircase.
    """
    points = normalise(checkpoints)
    if method == "linear":
        curve = [(0.0, 0.0)] + [(float(m), p) for m, p in points]
    elif method == "step":
        curve = [(0.0, 0.0)]
        level = 0.0
        for m, p in points:
            curve += [(float(m), level), (float(m), p)]
            level = p
    else:
        raise ValueError(f"unknown plan method {method!r}; want one of {PLAN_METHODS}")
    if curve[-1][0] < 12:
        curve.append((12.0, curve[-1][1]))
    return curve


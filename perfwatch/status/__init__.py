"""The monitoring engine: spend-pace lights, indicator lights, projections and roll-ups.

The package: :mod:`~perfwatch.status.rules` (pure typed rules, as-of passed in),
:mod:`~perfwatch.status.engine` (the set-based SQL :func:`compute_status`) and
:mod:`~perfwatch.status.serialise` (:func:`to_json`). Public names are importable from here.

Two implementations of one set of rules:

* pure, typed functions (:func:`execution_light`, :func:`indicator_light`,
  :func:`project_projections`, ...) that state the rules and are pinned by boundary tables in the
  unit tests;
* the set-based engine (:func:`compute_status`), which runs ``queries/engine/*.sql`` (every row at
  once in DuckDB; each query's Arrow result is registered as a relation for the next one, so the
  roll-ups are SQL too) and hands back pandas DataFrames. A property test checks the engine agrees
  with the pure functions, light and reason, on generated cases.

Performance (benchmarks/bench_status.py, 2 cores): 5,000 projects / 35,000 indicators ≈ 0.25 s
CPU; 100,000 projects / 700,000 indicators ≈ 2.6 s CPU.

Decisions where the spec is silent (also in ``LIGHT_RULE_TEXT``):

* Lights are decided on the figure the reason shows: the ratio rounded to 1 decimal and the gap to
  2 decimals (half up), so a person recomputing from the reason gets the same light.
* Expected = 0 (nothing planned yet): grey 未到支出节点, green if something was spent already.
  Budget 0: grey. Spending beyond the budget sets ``overspent`` and a note in the reason; it does
  not change the pace light.
* Results: the latest indicator_results row dated up to the as-of date (latest ``as_of``, then
  highest id, so a late correction of an older report does not hide a newer report).
  The owner's 全年预计执行数: the latest project report up to the as-of date that has an amount.
* Count indicators: expected = annual value × months / 12, or the indicator's milestones (linear
  from (0, 0), flat after the last). Expected below one whole event: grey 未到期, or green if
  something was done already. Count/rate indicators with a ``<=`` comparator are ceilings.
* Cost indicators of a project use its spend and projection (owner's 全年预计, else plan-shaped,
  else run-rate). Department-level cost indicators use the entered result (value = spent so far,
  projected_value = 全年预计). Caps in 元 / 亿元 are converted to 万元.
* Deadlines without a parsed date fall due at the end of the fiscal year. Done = a done date on or
  before the as-of date, or the rating 达成.
* Satisfaction indicators (二级指标 服务对象满意度指标 or 三级指标 containing 满意度) without a
  result are grey 待评 (not 未填报); with a result they follow their kind.
* The owner's likelihood only ever worsens a light: 完全不可能 → red; 有可能 → at least yellow
  (green, blue and grey become yellow). It applies to grey too: the owner's own judgement that a
  not-yet-due target is at risk is information.
* Roll-ups: worst light by :data:`perfwatch.vocab.SEVERITY` (red > yellow > green > blue);
  grey counts only when every light is grey (a project without indicators has a grey goal light).
* Scope: without ``department_id`` the departments of ``fiscal_year`` (default: the as-of year).
"""

from __future__ import annotations

from perfwatch.plan import plan_curve
from perfwatch.settings import DEFAULT_RULES, Rules
from perfwatch.status.engine import (
    Status,
    compute_status,
    engine_query,
    last_data_date,
    project_figures,
    spend_series,
)
from perfwatch.status.rules import (
    EPS,
    PROJECTION_SOURCES,
    SATISFACTION_LEVEL2,
    IndicatorFacts,
    apply_likelihood,
    cost_cap_wan,
    count_expected,
    execution_figures,
    execution_light,
    indicator_figures,
    indicator_light,
    is_satisfaction,
    project_projections,
    rule_kind,
    to_next_checkpoint,
)
from perfwatch.status.serialise import to_json
from perfwatch.vocab import worst

__all__ = [
    "DEFAULT_RULES",
    "EPS",
    "PROJECTION_SOURCES",
    "SATISFACTION_LEVEL2",
    "IndicatorFacts",
    "Rules",
    "Status",
    "apply_likelihood",
    "compute_status",
    "cost_cap_wan",
    "count_expected",
    "engine_query",
    "execution_figures",
    "execution_light",
    "indicator_figures",
    "indicator_light",
    "is_satisfaction",
    "last_data_date",
    "plan_curve",
    "project_figures",
    "project_projections",
    "rule_kind",
    "spend_series",
    "to_json",
    "to_next_checkpoint",
    "worst",
]

"""The monitoring engine: spend-pace lights, indicator lights, projections and roll-ups.

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
* Roll-ups: worst light by :data:`perfwatch.settings.SEVERITY` (red > yellow > green > blue);
  grey counts only when every light is grey (a project without indicators has a grey goal light).
* Scope: without ``department_id`` the departments of ``fiscal_year`` (default: the as-of year).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Sequence

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from perfwatch import db
from perfwatch.plan import months_elapsed, next_checkpoint, plan_curve, time_pct
from perfwatch.settings import (
    DEFAULT_RULES,
    LIGHTS,
    SEVERITY,
    Rules,
    load_rules,
    worst,
)

__all__ = [
    "IndicatorFacts",
    "Status",
    "compute_status",
    "cost_cap_wan",
    "engine_query",
    "count_expected",
    "execution_light",
    "indicator_light",
    "is_satisfaction",
    "last_data_date",
    "plan_curve",
    "project_projections",
    "spend_series",
    "to_json",
    "worst",
]

EPS = 1e-9
SATISFACTION_LEVEL2 = "服务对象满意度指标"
PROJECTION_SOURCES = ("负责人预计", "按计划推算", "按月均推算", "填报预计")


# --------------------------------------------------------------------------------------------
# Formatting shared by the reasons (the SQL uses printf with the same formats).


def _num(x: float) -> str:
    """A value without trailing zeros, at most 2 decimals: 30 -> "30", 95.5 -> "95.5"."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _round_half_up(x: float, decimals: int) -> float:
    scale = 10**decimals
    return math.floor(x * scale + 0.5) / scale


# --------------------------------------------------------------------------------------------
# Spend pace


def execution_figures(spent: float, budget: float, expected: float) -> tuple[float | None, float | None, float | None]:
    """(执行率 %, ratio rounded to 1 decimal, gap in pp rounded to 2 decimals); None where undefined."""
    if budget <= 0:
        return None, None, None
    pct = 100.0 * spent / budget
    ratio = _round_half_up(100.0 * pct / expected * 10, 0) / 10 if expected > EPS else None
    gap = _round_half_up((pct - expected) * 100, 0) / 100
    return pct, ratio, gap


def _band(
    value: float, red_below: float, yellow_below: float, *, sep: str = "–", blue_from: float | None = None
) -> tuple[str, str]:
    """The light of ``value`` against ascending thresholds, and the band text its reason quotes."""
    if value < red_below:
        return "red", f"<{_num(red_below)} 红灯"
    if value < yellow_below:
        return "yellow", f"{_num(red_below)}{sep}{_num(yellow_below)} 黄灯"
    if blue_from is None:
        return "green", f"≥{_num(yellow_below)} 绿灯"
    if value < blue_from:
        return "green", f"{_num(yellow_below)}–{_num(blue_from)} 绿灯"
    return "blue", f"≥{_num(blue_from)} 蓝灯，远超进度"


def execution_light(spent: float, budget: float, expected: float, rules: Rules = DEFAULT_RULES) -> tuple[str, str]:
    """The spend-pace light of ``spent`` of ``budget`` (万元) against ``expected`` (%), with its reason.

    >>> execution_light(20.0, 72.0, 56.25)[0]
    'red'
    """
    pct, ratio, gap = execution_figures(spent, budget, expected)
    over = f"；超预算{spent - budget:.2f}万元" if spent > budget + 0.004 else ""
    if pct is None:
        return "grey", "预算数为0，无法计算执行率（灰灯）" + over
    if expected <= EPS:
        if spent > 0:
            return "green", f"未到支出节点：计划应达0.00%，已提前支出，执行率{pct:.2f}%（绿灯）" + over
        return "grey", "未到支出节点：计划应达0.00%，尚无支出（灰灯）" + over
    assert gap is not None
    if rules.execution_rule == "points":
        light, band = _band(gap, rules.points_red_below, rules.points_yellow_below, sep="至")
        return light, f"执行率{pct:.2f}%，计划应达{expected:.2f}%，偏差{gap:+.2f}个百分点（{band}）" + over
    assert ratio is not None
    light, band = _band(ratio, rules.ratio_red_below, rules.ratio_yellow_below)
    return light, f"执行率{pct:.2f}%，计划应达{expected:.2f}%，比值{ratio:.1f}（{band}）" + over


def project_projections(
    spent: float, expected: float, months: float, owner: float | None = None
) -> dict[str, float | str | None]:
    """Year-end projections (万元): plan_shaped, run_rate, owner, and the one used (``projection``).

    plan-shaped = spent ÷ expected share; run-rate = spent × 12 ÷ months; the projection used for
    cost indicators is the owner's when entered, else plan-shaped, else run-rate.
    """
    plan_shaped = 100.0 * spent / expected if expected > EPS else None
    run_rate = spent * 12 / months if months > 0 else None
    if owner is not None:
        projection, source = owner, "负责人预计"
    elif plan_shaped is not None:
        projection, source = plan_shaped, "按计划推算"
    elif run_rate is not None:
        projection, source = run_rate, "按月均推算"
    else:
        projection, source = None, None
    return {
        "plan_shaped": plan_shaped,
        "run_rate": run_rate,
        "owner": owner,
        "projection": projection,
        "projection_source": source,
    }


def to_next_checkpoint(
    checkpoints: Sequence[Sequence[float]], as_of: date, budget: float, spent: float, fiscal_year: int | None = None
) -> tuple[int, float, float] | None:
    """(next checkpoint month, its cumulative amount 万元, amount still to spend ≥ 0), or None."""
    nxt = next_checkpoint(checkpoints, as_of, fiscal_year)
    if nxt is None:
        return None
    amount = budget * nxt[1] / 100
    return nxt[0], amount, max(0.0, amount - spent)


# --------------------------------------------------------------------------------------------
# Indicators


@dataclass(frozen=True)
class IndicatorFacts:
    """What an indicator light depends on.

    ``actual`` etc. come from the latest result up to the as-of date. ``project_spent`` is set for
    project-level indicators (spend to date, 万元) and None for department-level ones.
    """

    kind: str
    comparator: str = ">="
    target: float | None = None
    unit: str | None = None
    target_text: str = ""
    level2: str | None = None
    level3: str = ""
    deadline: date | None = None
    fiscal_year: int | None = None
    milestones: tuple[tuple[int, float], ...] = ()
    actual: float | None = None
    done_date: date | None = None
    rating: str | None = None
    likelihood: str | None = None
    projected_value: float | None = None
    project_spent: float | None = None
    project_projection: float | None = None
    project_projection_source: str | None = None


def rule_kind(kind: str, comparator: str) -> str:
    """The rule an indicator follows: count/rate with a ``<=`` comparator are ceilings."""
    if kind in ("count", "rate") and comparator == "<=":
        return "ceiling"
    return kind


def is_satisfaction(level2: str | None, level3: str | None) -> bool:
    """A satisfaction survey: 二级指标 服务对象满意度指标, or 三级指标 mentioning 满意度."""
    return (level2 or "") == SATISFACTION_LEVEL2 or "满意度" in (level3 or "")


def cost_cap_wan(value: float | None, unit: str | None) -> float | None:
    """A cost cap in 万元 (the unit 元 is divided by 10,000, 亿元 multiplied)."""
    if value is None:
        return None
    u = unit or ""
    if "亿" in u:
        return value * 10000
    if u == "元":
        return value / 10000
    return value


def count_expected(f: IndicatorFacts, as_of: date) -> tuple[float | None, str]:
    """Expected count to date and its basis ("按里程碑" or "按序时")."""
    t = months_elapsed(as_of, f.fiscal_year)
    if f.milestones:
        points = [(0.0, 0.0)] + sorted((float(m), float(v)) for m, v in f.milestones)
        for (m0, v0), (m1, v1) in zip(points, points[1:] + [(13.0, points[-1][1])]):
            if m0 <= t < m1:
                return v0 + (v1 - v0) * (t - m0) / (m1 - m0), "按里程碑"
        return points[-1][1], "按里程碑"
    if f.target is None:
        return None, "按序时"
    return f.target * t / 12, "按序时"


def indicator_figures(f: IndicatorFacts, as_of: date) -> tuple[float | None, float | None]:
    """(actual, expected) as shown beside the light."""
    kind = rule_kind(f.kind, f.comparator)
    if kind == "count":
        return f.actual, count_expected(f, as_of)[0]
    if kind in ("rate", "ceiling"):
        return f.actual, f.target
    if kind == "zero":
        return f.actual, 0.0
    if kind == "cost":
        spent = f.project_spent if f.project_spent is not None else f.actual
        return spent, cost_cap_wan(f.target, f.unit)
    return f.actual, None


def _no_data(f: IndicatorFacts) -> str:
    if is_satisfaction(f.level2, f.level3):
        return "待评：满意度调查尚未开展（灰灯）"
    return "未填报：尚无实际完成值（灰灯）"


def _base_indicator_light(f: IndicatorFacts, as_of: date, rules: Rules) -> tuple[str, str]:
    kind = rule_kind(f.kind, f.comparator)
    u = f.unit or ""
    a = f.actual
    tt = f.target_text
    if kind == "count":
        e, basis = count_expected(f, as_of)
        if e is None:
            return "grey", "指标值未量化，无法按进度评价（灰灯）"
        if e < 1:
            if a is not None and a > 0:
                return "green", f"实际{_num(a)}{u}，{basis}应达{e:.2f}{u}，不足1{u}未到期，已有完成（绿灯）"
            return "grey", f"未到期：{basis}应达{e:.2f}{u}，不足1{u}（灰灯）"
        if a is None:
            return "grey", _no_data(f)
        q = _round_half_up(100.0 * a / e * 10, 0) / 10
        light, band = _band(q, rules.count_red_below, rules.count_yellow_below, blue_from=rules.count_blue_from)
        return light, f"实际{_num(a)}{u}，{basis}应达{e:.1f}{u}，完成{q:.1f}%（{band}）"
    if kind == "rate":
        t = f.target
        if t is None:
            return "grey", "指标值未量化（灰灯）"
        if a is None:
            return "grey", _no_data(f)
        if a >= t - EPS:
            return "green", f"实际{_num(a)}{u}，目标{tt}（达标 绿灯）"
        tol = rules.rate_tolerance_pp
        gap_unit = "个百分点" if u == "%" else u
        head = f"实际{_num(a)}{u}，目标{tt}，低于指标值{_num(t - a)}{gap_unit}"
        if a >= t - tol - EPS:
            return "yellow", f"{head}（容差{_num(tol)}个百分点以内 黄灯）"
        return "red", f"{head}（超出容差{_num(tol)}个百分点 红灯）"
    if kind == "ceiling":
        t = f.target
        if t is None:
            return "grey", "指标值未量化（灰灯）"
        if a is None:
            return "grey", _no_data(f)
        if a <= t + EPS:
            return "green", f"实际{_num(a)}{u}，目标{tt}（未超上限 绿灯）"
        return "red", f"实际{_num(a)}{u}，目标{tt}（超过上限 红灯）"
    if kind == "zero":
        if a is None:
            return "grey", _no_data(f)
        if a <= EPS:
            return "green", f"实际{_num(a)}{u}，目标{tt}（未发生 绿灯）"
        return "red", f"实际{_num(a)}{u}，目标{tt}（已发生 红灯）"
    if kind == "cost":
        cap = cost_cap_wan(f.target, f.unit)
        if cap is None:
            return "grey", "成本上限未量化（灰灯）"
        if f.project_spent is not None:
            spent, proj, source = f.project_spent, f.project_projection, f.project_projection_source
        else:
            spent, proj, source = a, f.projected_value, "填报预计"
            if spent is None:
                return "grey", _no_data(f)
        if spent > cap + EPS:
            return "red", f"已支出{spent:.2f}万元，超过成本上限{cap:.2f}万元（红灯）"
        if proj is not None and proj > cap + EPS:
            return "yellow", f"已支出{spent:.2f}万元，全年预计{proj:.2f}万元（{source}），将超过成本上限{cap:.2f}万元（黄灯）"
        if proj is not None:
            return "green", f"已支出{spent:.2f}万元，全年预计{proj:.2f}万元（{source}），未超成本上限{cap:.2f}万元（绿灯）"
        return "green", f"已支出{spent:.2f}万元，未超成本上限{cap:.2f}万元（绿灯）"
    if kind == "deadline":
        due = f.deadline or date(f.fiscal_year or as_of.year, 12, 31)
        if f.done_date is not None and f.done_date <= as_of:
            return "green", f"已于{f.done_date.isoformat()}完成，期限{due.isoformat()}（绿灯）"
        if f.rating == "达成":
            return "green", f"负责人评价：已完成（达成），期限{due.isoformat()}（绿灯）"
        if as_of <= due:
            return "grey", f"未到期：期限{due.isoformat()}，尚未完成（灰灯）"
        return "red", f"已逾期：期限{due.isoformat()}，尚未完成（红灯）"
    # qualitative
    if f.rating == "达成":
        return "green", "负责人评价：达成（绿灯）"
    if f.rating == "部分达成":
        return "yellow", "负责人评价：部分达成（黄灯）"
    if f.rating == "未达成":
        return "red", "负责人评价：未达成（红灯）"
    if is_satisfaction(f.level2, f.level3):
        return "grey", "待评：满意度调查尚未开展（灰灯）"
    return "grey", "待评：尚无负责人评价（灰灯）"


def apply_likelihood(light: str, reason: str, likelihood: str | None) -> tuple[str, str]:
    """The owner's 完成目标可能性 can only worsen a light (grey included)."""
    if likelihood == "完全不可能" and light != "red":
        return "red", reason + "；负责人判断完成目标可能性为“完全不可能”，调为红灯"
    if likelihood == "有可能" and light in ("green", "blue", "grey"):
        return "yellow", reason + "；负责人判断完成目标可能性为“有可能”，调为黄灯"
    return light, reason


def indicator_light(f: IndicatorFacts, as_of: date, rules: Rules = DEFAULT_RULES) -> tuple[str, str]:
    """The light of one indicator at ``as_of`` with a short Chinese reason a person can recompute."""
    light, reason = _base_indicator_light(f, as_of, rules)
    return apply_likelihood(light, reason, f.likelihood)


# --------------------------------------------------------------------------------------------
# The set-based engine


@dataclass
class Status:
    """Everything the dashboard shows at one as-of date (DataFrames, amounts in 万元, pct 0–100).

    ``projects``: engine/project_status + engine/project_rollup columns (project_id, department_id,
    department_code, code, name, seq, budget, spent, execution_pct, expected_pct, time_pct, ratio,
    gap_pp, execution_light, execution_reason, overspent, plan_shaped, run_rate, owner_projection,
    projection, projection_source, next_checkpoint_month/pct/amount, to_next_checkpoint, plan_text,
    n_red … n_grey, n_indicators, goal_light, combined_light, reason).
    ``indicators``: engine/indicator_status columns (indicator_id, project_id/code/name, sub_goal_seq
    /title, level1–3, target_text, kind, actual, expected, light, reason, likelihood, cause_categories,
    cause_text, measure, result_as_of, ...), department-level first, then by project and seq.
    ``departments``: engine/department_rollup columns plus expected_pct (budget-weighted),
    execution_pct, ratio, gap_pp, light (= execution_light on the totals), execution_reason,
    goal_light, combined_light. ``total``: the same figures across the departments, as a dict.
    """

    as_of: date
    rules: Rules
    departments: pd.DataFrame
    projects: pd.DataFrame
    indicators: pd.DataFrame
    total: dict[str, Any] = field(default_factory=dict)


def engine_query(
    conn: duckdb.DuckDBPyConnection,
    name: str,
    params: dict[str, Any],
    relations: dict[str, pa.Table] | None = None,
) -> pa.Table:
    """Run ``queries/<name>.sql`` and return an Arrow table (see :func:`perfwatch.db.query_arrow`).

    ``relations`` are registered first (engine/indicator_status reads ``project_figures``, the
    result of engine/project_status). Arrow rather than ``.df()``: on 700,000 rows of text
    DuckDB's pandas conversion takes seconds, Arrow a fraction of that.
    """
    return db.query_arrow(conn, name, params, relations)


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    """A DataFrame like DuckDB's ``.df()``: dates as datetime64, integer columns with NULLs as Int64."""
    frame = table.to_pandas(date_as_object=False)
    for fld in table.schema:
        if pa.types.is_integer(fld.type) and table.column(fld.name).null_count > 0:
            frame[fld.name] = frame[fld.name].astype("Int64")
    return frame


def _params(as_of: date, department_id: int | None, fiscal_year: int | None, rules: Rules) -> dict[str, Any]:
    return {
        "as_of": as_of,
        "department_id": department_id,
        "fiscal_year": fiscal_year if fiscal_year is not None else as_of.year,
        **rules.as_params(),
    }


def compute_status(
    conn: duckdb.DuckDBPyConnection,
    as_of: date,
    *,
    department_id: int | None = None,
    rules: Rules | None = None,
    fiscal_year: int | None = None,
) -> Status:
    """Lights, figures and projections of every project and indicator in scope at ``as_of``.

    Five set-based queries, each feeding the next as registered Arrow relations: departments,
    project spend pace, indicator lights (cost indicators read the project figures), project
    roll-up, department roll-up. Only the department totals' light is computed in Python (one
    :func:`execution_light` call per department).
    """
    rules = rules or load_rules(conn)
    params = _params(as_of, department_id, fiscal_year, rules)
    dept_t = engine_query(conn, "engine/departments", params)
    proj_t = engine_query(conn, "engine/project_status", params)
    figures = proj_t.select(["project_id", "spent", "projection", "projection_source"])
    ind_t = engine_query(conn, "engine/indicator_status", params, {"project_figures": figures})
    ind_t = ind_t.take(pc.sort_indices(ind_t, sort_keys=_INDICATOR_ORDER))
    lights = ind_t.select(["project_id", "department_id", "light"])
    proj_t = engine_query(conn, "engine/project_rollup", {}, {"project_rows": proj_t, "indicator_lights": lights})
    dep_t = engine_query(
        conn, "engine/department_rollup", {},
        {"department_rows": dept_t, "rolled_projects": proj_t, "indicator_lights": lights},
    )
    projects = _to_pandas(proj_t)
    projects["overspent"] = projects["overspent"].astype(bool)
    indicators = _to_pandas(ind_t)
    departments = _department_lights(_to_pandas(dep_t), rules)
    total = _total_rollup(departments, as_of, rules)
    return Status(
        as_of=as_of, rules=rules, departments=departments, projects=projects, indicators=indicators, total=total
    )


# Department-level indicators (no project) first, then by project and published order.
_INDICATOR_ORDER = [
    ("department_code", "ascending", "at_start"), ("project_seq", "ascending", "at_start"),
    ("sub_goal_seq", "ascending", "at_start"), ("seq", "ascending", "at_start"), ("indicator_id", "ascending", "at_start"),
]


def _department_figures(spent: float, budget: float, expected: float, rules: Rules) -> dict[str, Any]:
    pct, ratio, gap = execution_figures(spent, budget, expected)
    light, reason = execution_light(spent, budget, expected, rules)
    return {
        "execution_pct": pct,
        "ratio": ratio,
        "gap_pp": gap,
        "light": light,
        "execution_reason": reason,
        "overspent": spent > budget + 0.004,
    }


_FIGURE_COLUMNS = ["execution_pct", "ratio", "gap_pp", "light", "execution_reason", "overspent"]


def _department_lights(out: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Add the budget-weighted expectation and the spend light of each department's totals."""
    # Budget-weighted expectation; a department without budget falls back to 序时.
    budget = out["budget"].astype(float)
    out["expected_pct"] = np.where(
        budget > 0, 100.0 * out["expected_amount"].astype(float) / budget.where(budget > 0, 1.0), out["time_pct"]
    )
    # One pure-function call per department (a few rows per thousand projects): the department
    # light is the project rule applied to the totals.
    figs = [
        _department_figures(sp, b, e, rules)
        for sp, b, e in zip(out["spent"].tolist(), budget.tolist(), out["expected_pct"].tolist())
    ]
    out = pd.concat([out, pd.DataFrame(figs, index=out.index, columns=_FIGURE_COLUMNS)], axis=1)
    out["execution_light"] = out["light"]
    sev = np.maximum(out["light"].map(SEVERITY).fillna(0), out["goal_light"].map(SEVERITY).fillna(0)).astype(int)
    out["combined_light"] = sev.map(_BY_SEVERITY)
    return out


_BY_SEVERITY = {v: k for k, v in SEVERITY.items()}


def _total_rollup(departments: pd.DataFrame, as_of: date, rules: Rules) -> dict[str, Any]:
    """The same figures across all departments in scope."""
    d = departments
    budget = float(d["budget"].sum()) if not d.empty else 0.0
    spent = float(d["spent"].sum()) if not d.empty else 0.0
    years = sorted(set(d["fiscal_year"].tolist())) if not d.empty else [as_of.year]
    tp = time_pct(as_of, years[0]) if len(years) == 1 else time_pct(as_of)
    expected = 100.0 * float(d["expected_amount"].sum()) / budget if budget > 0 else tp
    total: dict[str, Any] = {
        "code": "ALL",
        "name": "合计",
        "n_departments": int(len(d)),
        "n_projects": int(d["n_projects"].sum()) if not d.empty else 0,
        "n_indicators": int(d["n_indicators"].sum()) if not d.empty else 0,
        "budget": budget,
        "spent": spent,
        "expected_amount": float(d["expected_amount"].sum()) if not d.empty else 0.0,
        "expected_pct": expected,
        "time_pct": tp,
        **_department_figures(spent, budget, expected, rules),
    }
    for light in LIGHTS:
        for prefix in ("exec_", "projects_", "indicators_"):
            total[f"{prefix}{light}"] = int(d[f"{prefix}{light}"].sum()) if not d.empty else 0
    total["goal_light"] = worst(d["goal_light"].tolist()) if not d.empty else "grey"
    total["combined_light"] = worst([total["light"], total["goal_light"]])
    return total


# --------------------------------------------------------------------------------------------
# Series for charts and the default as-of date


def spend_series(
    conn: duckdb.DuckDBPyConnection,
    *,
    project_id: int | None = None,
    department_id: int | None = None,
    year: int,
) -> pd.DataFrame:
    """Monthly actual spend (万元) of a project or a department in ``year``.

    Columns: month (1–12), period (first day), month_end, amount (NaN where no figure), cumulative
    (running total; NaN after the last month with data), budget, cumulative_pct (of budget).
    """
    if (project_id is None) == (department_id is None):
        raise ValueError("give exactly one of project_id and department_id")
    return db.query_df(
        conn, "engine/spend_series", {"project_id": project_id, "department_id": department_id, "year": year}
    )


def last_data_date(conn: duckdb.DuckDBPyConnection, department_id: int | None = None) -> date | None:
    """The last month-end with spend, results or a project report (None when there is none)."""
    rows = db.query(conn, "engine/last_data_date", {"department_id": department_id})
    if not rows or rows[0][0] is None:
        return None
    value = rows[0][0]
    return value if isinstance(value, date) else pd.Timestamp(value).date()


# --------------------------------------------------------------------------------------------
# JSON for the CLI and other consumers


def _r2(x: Any) -> float | None:
    if x is None:
        return None
    try:
        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        pass
    return round(float(x), 2)


def _opt(x: Any) -> Any:
    if x is None:
        return None
    if isinstance(x, (list, tuple, np.ndarray)):
        return [str(v) for v in x]
    try:
        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        return x
    if isinstance(x, pd.Timestamp):
        return x.date().isoformat()
    if isinstance(x, date):
        return x.isoformat()
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating,)):
        return float(x)
    return x


def to_json(status: Status) -> dict[str, Any]:
    """A JSON-ready dict: amounts in 万元 and percentages 0–100, both to 2 decimals."""
    deps = [
        {
            "code": r.department_code,
            "name": r.department_name,
            "fiscal_year": int(r.fiscal_year),
            "budget": _r2(r.budget),
            "spent": _r2(r.spent),
            "execution_pct": _r2(r.execution_pct),
            "expected_pct": _r2(r.expected_pct),
            "time_pct": _r2(r.time_pct),
            "light": r.light,
            "goal_light": r.goal_light,
            "combined_light": r.combined_light,
            "reason": r.execution_reason,
            "projects": {l: int(getattr(r, f"projects_{l}")) for l in LIGHTS},
            "indicators": {l: int(getattr(r, f"indicators_{l}")) for l in LIGHTS},
        }
        for r in status.departments.itertuples(index=False)
    ]
    projs = [
        {
            "code": r.code,
            "name": r.name,
            "department_code": r.department_code,
            "budget": _r2(r.budget),
            "spent": _r2(r.spent),
            "execution_pct": _r2(r.execution_pct),
            "expected_pct": _r2(r.expected_pct),
            "time_pct": _r2(r.time_pct),
            "execution_light": r.execution_light,
            "goal_light": r.goal_light,
            "combined_light": r.combined_light,
            "overspent": bool(r.overspent),
            "projections": {
                "plan_shaped": _r2(r.plan_shaped),
                "run_rate": _r2(r.run_rate),
                "owner": _r2(r.owner_projection),
            },
            "next_checkpoint": None
            if pd.isna(r.next_checkpoint_month)
            else {
                "month": int(r.next_checkpoint_month),
                "pct": _r2(r.next_checkpoint_pct),
                "amount": _r2(r.next_checkpoint_amount),
                "to_spend": _r2(r.to_next_checkpoint),
            },
            "reason": r.reason,
            "execution_reason": r.execution_reason,
        }
        for r in status.projects.itertuples(index=False)
    ]
    inds = [
        {
            "id": int(r.indicator_id),
            "project_code": _opt(r.project_code),
            "department_code": r.department_code,
            "sub_goal_seq": None if pd.isna(r.sub_goal_seq) else int(r.sub_goal_seq),
            "level1": _opt(r.level1),
            "level2": _opt(r.level2),
            "level3": r.level3,
            "target_text": r.target_text,
            "kind": r.kind,
            "actual": _r2(r.actual),
            "expected": _r2(r.expected),
            "light": r.light,
            "reason": r.reason,
            "likelihood": _opt(r.likelihood),
            "result_as_of": _opt(r.result_as_of),
        }
        for r in status.indicators.itertuples(index=False)
    ]
    t = status.total
    total = {
        "budget": _r2(t["budget"]),
        "spent": _r2(t["spent"]),
        "execution_pct": _r2(t["execution_pct"]),
        "expected_pct": _r2(t["expected_pct"]),
        "time_pct": _r2(t["time_pct"]),
        "light": t["light"],
        "goal_light": t["goal_light"],
        "combined_light": t["combined_light"],
        "reason": t["execution_reason"],
        "projects": {l: t[f"projects_{l}"] for l in LIGHTS},
        "indicators": {l: t[f"indicators_{l}"] for l in LIGHTS},
    }
    return {
        "as_of": status.as_of.isoformat(),
        "rules": status.rules.as_params(),
        "total": total,
        "departments": deps,
        "projects": projs,
        "indicators": inds,
    }

"""The light rules as pure, typed functions (no database): spend pace, projections, indicator
lights. The as-of date is always passed in. Pinned by boundary tables in tests/test_status_rules.py;
the set-based engine (:mod:`perfwatch.status.engine`) implements the same rules in SQL and a
property test checks they agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from perfwatch.periods import as_of_note, months_elapsed, older_than_month
from perfwatch.plan import next_checkpoint
from perfwatch.settings import DEFAULT_RULES, Rules
from perfwatch.vocab import NATURE_LABELS, OVERSPEND_TOLERANCE_WAN

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


def round2(x: float) -> float:
    """Half up to 2 decimals as a calculator does (20.125 -> 20.13); the SQL uses the same formula.
    The 1e-9 absorbs binary noise (0.285 × 100 = 28.499999999999996)."""
    return math.floor(x * 100 + 0.5 + 1e-9) / 100


# The first plan checkpoint: before the end of March nobody's pace is judged (DOMAIN §5a).
FIRST_CHECKPOINT_MONTHS = 3.0


# --------------------------------------------------------------------------------------------
# Spend pace


def execution_figures(spent: float, budget: float, expected: float) -> tuple[float | None, float | None, float | None]:
    """(执行率 %, ratio to 1 decimal, gap in pp to 2 decimals); None where undefined.

    Hand-checkable (DOMAIN §5a): 执行率 and the expectation are rounded half up to 2 decimals
    first and the ratio and gap come from those rounded figures: 20.50 ÷ 56.25 × 100 = 36.4.
    """
    if budget <= 0:
        return None, None, None
    pct = 100.0 * spent / budget
    pct2, exp2 = round2(pct), round2(expected)
    ratio = _round_half_up(100.0 * pct2 / exp2 * 10 + 1e-7, 0) / 10 if exp2 > 0 else None
    gap = round2(pct2 - exp2)
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


def execution_light(
    spent: float, budget: float, expected: float, rules: Rules = DEFAULT_RULES, *, months: float | None = None
) -> tuple[str, str]:
    """The spend-pace light of ``spent`` of ``budget`` (万元) against ``expected`` (%), with its reason.

    ``months``: months elapsed at the as-of date; before the end of March (< 3.0) the light is grey
    未到首个节点 unless the setting ``grey_before_first_checkpoint`` is off. Overspend is flagged anyway.

    >>> execution_light(20.0, 72.0, 56.25)[0]
    'red'
    """
    pct, ratio, gap = execution_figures(spent, budget, expected)
    over = f"；超预算{spent - budget:.2f}万元" if spent > budget + OVERSPEND_TOLERANCE_WAN else ""
    if pct is None:
        return "grey", "预算数为0，无法计算执行率（灰灯）" + over
    pct2, exp2 = round2(pct), round2(expected)
    if (
        rules.grey_before_first_checkpoint
        and months is not None
        and months < FIRST_CHECKPOINT_MONTHS - EPS
    ):
        return "grey", f"未到首个节点（3月底）：计划应达{exp2:.2f}%，执行率{pct2:.2f}%，暂不评价（灰灯）" + over
    if exp2 <= 0:
        if spent > 0:
            return "green", f"未到支出节点：计划应达0.00%，已提前支出，执行率{pct2:.2f}%（绿灯）" + over
        return "grey", "未到支出节点：计划应达0.00%，尚无支出（灰灯）" + over
    assert gap is not None
    if rules.execution_rule == "points":
        light, band = _band(gap, rules.points_red_below, rules.points_yellow_below, sep="至")
        return light, f"执行率{pct2:.2f}%，计划应达{exp2:.2f}%，偏差{gap:+.2f}个百分点（{band}）" + over
    assert ratio is not None
    light, band = _band(ratio, rules.ratio_red_below, rules.ratio_yellow_below)
    return light, f"执行率{pct2:.2f}%，计划应达{exp2:.2f}%，比值{ratio:.1f}（{band}）" + over


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
    project_budget: float | None = None
    nature: str | None = None
    result_as_of: date | None = None


def is_stale(f: IndicatorFacts, as_of: date) -> bool:
    """A result older than the reporting month (the month of ``as_of``), DOMAIN §5a."""
    return f.result_as_of is not None and older_than_month(f.result_as_of, as_of)


def judged_on(f: IndicatorFacts, as_of: date) -> date:
    """The date a result is judged at: its own date when stale, else the as-of date."""
    return f.result_as_of if f.result_as_of is not None and is_stale(f, as_of) else as_of


def _shown(f: IndicatorFacts, as_of: date) -> str:
    """The actual value with its unit, dated when stale: "30件（截至7月31日）"."""
    text = f"{_num(f.actual or 0.0)}{f.unit or ''}"
    if f.result_as_of is not None and is_stale(f, as_of):
        text += f"（{as_of_note(f.result_as_of)}）"
    return text


# Count natures (DOMAIN §5a, labels in perfwatch.vocab): flow (NULL too) is pro-rated; the others are
# judged on the full target.
# A scheduled count without milestones is judged from the year's last quarter (as-of after 09-30).
SCHEDULED_FROM_MONTHS = 9.0


def full_target_due(f: IndicatorFacts) -> float | None:
    """For a count judged on its full target: months elapsed from which it is due (0 for a stock);
    None when the count is pro-rated or follows milestones (flow, NULL, scheduled with milestones)."""
    if f.nature == "stock":
        return 0.0
    if f.nature == "one_off":
        return float(max(m for m, _ in f.milestones)) if f.milestones else 12.0
    if f.nature == "scheduled" and not f.milestones:
        return SCHEDULED_FROM_MONTHS
    return None


def not_yet_due(nature: str | None, months: float, due: float) -> bool:
    """A one-off is due at the end of its planned month; a scheduled count from 10-01 (after 09-30)."""
    if nature == "scheduled":
        return months <= due + EPS
    return months < due - EPS


def rule_kind(kind: str, comparator: str) -> str:
    """The rule an indicator follows: count/rate with a ``<=`` comparator are ceilings."""
    if kind in ("count", "rate") and comparator == "<=":
        return "ceiling"
    return kind


def is_satisfaction(level2: str | None, level3: str | None) -> bool:
    """A satisfaction survey: 二级指标 服务对象满意度指标, or 三级指标 mentioning 满意度 or 满意率."""
    l3 = level3 or ""
    return (level2 or "") == SATISFACTION_LEVEL2 or "满意度" in l3 or "满意率" in l3


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
    t = months_elapsed(judged_on(f, as_of), f.fiscal_year)
    if full_target_due(f) is not None:
        return f.target, "按全年目标"
    if f.nature == "scheduled" and f.milestones:
        # Scheduled events: the cumulative milestone reached by the as-of date (a step, not a line).
        reached = [float(v) for m, v in f.milestones if m <= t + EPS]
        return (max(reached) if reached else 0.0), "按里程碑"
    if f.milestones:
        points = [(0.0, 0.0)] + sorted((float(m), float(v)) for m, v in f.milestones)
        for (m0, v0), (m1, v1) in zip(points, points[1:] + [(13.0, points[-1][1])], strict=True):
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


def _year_end(f: IndicatorFacts, as_of: date) -> bool:
    """A 12-31 cut-off (or later): the whole fiscal year has passed."""
    return months_elapsed(as_of, f.fiscal_year) >= 12.0


def _no_data(f: IndicatorFacts, as_of: date) -> tuple[str, str]:
    """No result: 待评 for a survey not yet run (red 未开展调查 at a 12-31 cut-off), else 未填报."""
    if is_satisfaction(f.level2, f.level3):
        if _year_end(f, as_of):
            return "red", "未开展调查：截至年底尚无满意度调查结果（红灯）"
        return "grey", "待评：满意度调查尚未开展（灰灯）"
    return "grey", "未填报：尚无实际完成值（灰灯）"


def _base_indicator_light(f: IndicatorFacts, as_of: date, rules: Rules) -> tuple[str, str]:
    kind = rule_kind(f.kind, f.comparator)
    u = f.unit or ""
    a = f.actual
    tt = f.target_text
    if kind == "count" and full_target_due(f) is not None:
        return _full_target_light(f, as_of, rules)
    if kind == "count":
        e, basis = count_expected(f, as_of)
        if e is None:
            return "grey", "指标值未量化，无法按进度评价（灰灯）"
        if e < 1:
            if a is not None and a > 0:
                return "green", f"实际{_shown(f, as_of)}，{basis}应达{e:.2f}{u}，不足1{u}未到期，已有完成（绿灯）"
            return "grey", f"未到期：{basis}应达{e:.2f}{u}，不足1{u}（灰灯）"
        if a is None:
            return _no_data(f, as_of)
        q = _round_half_up(100.0 * a / e * 10, 0) / 10
        light, band = _band(q, rules.count_red_below, rules.count_yellow_below, blue_from=rules.count_blue_from)
        return light, f"实际{_shown(f, as_of)}，{basis}应达{e:.1f}{u}，完成{q:.1f}%（{band}）"
    if kind == "rate":
        t = f.target
        if t is None:
            return "grey", "指标值未量化（灰灯）"
        if a is None:
            return _no_data(f, as_of)
        if a >= t - EPS:
            return "green", f"实际{_shown(f, as_of)}，目标{tt}（达标 绿灯）"
        tol = rules.rate_tolerance_pp
        gap_unit = "个百分点" if u == "%" else u
        head = f"实际{_shown(f, as_of)}，目标{tt}，低于指标值{_num(t - a)}{gap_unit}"
        if a >= t - tol - EPS:
            return "yellow", f"{head}（容差{_num(tol)}个百分点以内 黄灯）"
        return "red", f"{head}（超出容差{_num(tol)}个百分点 红灯）"
    if kind == "ceiling":
        t = f.target
        if t is None:
            return "grey", "指标值未量化（灰灯）"
        if a is None:
            return _no_data(f, as_of)
        if a <= t + EPS:
            return "green", f"实际{_shown(f, as_of)}，目标{tt}（未超上限 绿灯）"
        return "red", f"实际{_shown(f, as_of)}，目标{tt}（超过上限 红灯）"
    if kind == "zero":
        if a is None:
            return _no_data(f, as_of)
        if a <= EPS:
            return "green", f"实际{_shown(f, as_of)}，目标{tt}（未发生 绿灯）"
        return "red", f"实际{_shown(f, as_of)}，目标{tt}（已发生 红灯）"
    if kind == "cost":
        cap = cost_cap_wan(f.target, f.unit)
        if cap is None:
            return "grey", "成本上限未量化（灰灯）"
        spent: float | None
        if f.project_spent is not None:
            spent, proj, source = f.project_spent, f.project_projection, f.project_projection_source
            if proj is not None and source != "负责人预计" and f.project_budget is not None and proj > f.project_budget:
                # A system projection never exceeds the budget: spending ahead of plan is not a cost overrun.
                proj, source = f.project_budget, f"{source}，以预算数为限"
        else:
            spent, proj, source = a, f.projected_value, "填报预计"
            if spent is None:
                return _no_data(f, as_of)
        if spent <= EPS:
            return "grey", f"尚未支出：成本上限{cap:.2f}万元（灰灯）"
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
        if as_of < due:
            return "grey", f"未到期：期限{due.isoformat()}，尚未完成（灰灯）"
        return "red", f"已到期未完成：期限{due.isoformat()}（红灯）"
    # qualitative
    if f.rating == "达成":
        return "green", "负责人评价：达成（绿灯）"
    if f.rating == "部分达成":
        return "yellow", "负责人评价：部分达成（黄灯）"
    if f.rating == "未达成":
        return "red", "负责人评价：未达成（红灯）"
    if is_satisfaction(f.level2, f.level3):
        return _no_data(f, as_of)
    return "grey", "待评：尚无负责人评价（灰灯）"


def _full_target_light(f: IndicatorFacts, as_of: date, rules: Rules) -> tuple[str, str]:
    """A stock, a one-off after its planned month, a scheduled count without milestones from the
    last quarter: actual ÷ full target like a rate (no pro-rating, no blue)."""
    u = f.unit or ""
    a, t = f.actual, f.target
    label = NATURE_LABELS[f.nature or "stock"]
    due = full_target_due(f)
    assert due is not None
    if t is None:
        return "grey", "指标值未量化（灰灯）"
    if not_yet_due(f.nature, months_elapsed(judged_on(f, as_of), f.fiscal_year), due):
        if a is not None and a >= t - EPS:
            return "green", f"实际{_shown(f, as_of)}，{label}目标{_num(t)}{u}，已提前完成（绿灯）"
        if f.nature == "one_off":
            return "grey", f"未到期：一次性指标，计划{int(due)}月完成（灰灯）"
        return "grey", "未到期：集中开展指标，第四季度起评价（灰灯）"
    if a is None:
        return _no_data(f, as_of)
    q = _round_half_up(100.0 * a / t * 10, 0) / 10 if t > EPS else 100.0
    head = f"实际{_shown(f, as_of)}，{label}目标{_num(t)}{u}，完成{q:.1f}%"
    tol = rules.rate_tolerance_pp
    if q >= 100.0 - EPS:
        return "green", f"{head}（达标 绿灯）"
    if q >= 100.0 - tol - EPS:
        return "yellow", f"{head}（容差{_num(tol)}个百分点以内 黄灯）"
    return "red", f"{head}（超出容差{_num(tol)}个百分点 红灯）"


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

"""The light rules as pure functions, pinned by boundary tables (DOMAIN §3 and §4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import duckdb
import pytest

from perfwatch import settings, store
from perfwatch.plan import expected_pct
from perfwatch.settings import DEFAULT_RULES, Rules, load_rules, save_rules, worst
from perfwatch.status import (
    IndicatorFacts,
    apply_likelihood,
    cost_cap_wan,
    execution_figures,
    execution_light,
    indicator_figures,
    indicator_light,
    project_projections,
    to_next_checkpoint,
)

JULY = date(2024, 7, 31)
SLOW = [(3, 8.0), (6, 50.0), (10, 75.0), (12, 100.0)]
POINTS = replace(DEFAULT_RULES, execution_rule="points")


# --------------------------------------------------------------------------------------------
# Execution light, ratio rule (default): r = 执行率 / expected × 100, decided on r to 1 decimal.


@pytest.mark.parametrize(
    ("spent", "budget", "expected", "light", "reason"),
    [
        # issue example: 72.00 budget, 20.00 spent at 07-31 on 8/50/75/100 → 27.78%, ratio 49.4
        (20.0, 72.0, 56.25, "red", "执行率27.78%，计划应达56.25%，比值49.4（<60 红灯）"),
        # issue example: 20% against 56.25% → 35.6
        (20.0, 100.0, 56.25, "red", "执行率20.00%，计划应达56.25%，比值35.6（<60 红灯）"),
        # exactly at 60: yellow
        (30.0, 100.0, 50.0, "yellow", "执行率30.00%，计划应达50.00%，比值60.0（60–80 黄灯）"),
        # 59.94 shows as 59.9: red
        (29.97, 100.0, 50.0, "red", "执行率29.97%，计划应达50.00%，比值59.9（<60 红灯）"),
        # 59.96 shows as 60.0: yellow (the light follows the figure shown)
        (29.98, 100.0, 50.0, "yellow", "执行率29.98%，计划应达50.00%，比值60.0（60–80 黄灯）"),
        # exactly at 80: green
        (40.0, 100.0, 50.0, "green", "执行率40.00%，计划应达50.00%，比值80.0（≥80 绿灯）"),
        # 79.94 → 79.9: yellow
        (39.97, 100.0, 50.0, "yellow", "执行率39.97%，计划应达50.00%，比值79.9（60–80 黄灯）"),
        # far ahead stays green (no blue for spending)
        (90.0, 100.0, 50.0, "green", "执行率90.00%，计划应达50.00%，比值180.0（≥80 绿灯）"),
        # nothing expected yet, nothing spent: grey, never late
        (0.0, 100.0, 0.0, "grey", "未到支出节点：计划应达0.00%，尚无支出（灰灯）"),
        # nothing expected yet but spent: green
        (5.0, 100.0, 0.0, "green", "未到支出节点：计划应达0.00%，已提前支出，执行率5.00%（绿灯）"),
        # zero budget: no 执行率
        (0.0, 0.0, 56.25, "grey", "预算数为0，无法计算执行率（灰灯）"),
        # zero budget with spend: still grey, overspend noted
        (3.0, 0.0, 56.25, "grey", "预算数为0，无法计算执行率（灰灯）；超预算3.00万元"),
        # overspent: the pace light is unchanged, the overspend is its own note
        (110.0, 100.0, 56.25, "green", "执行率110.00%，计划应达56.25%，比值195.6（≥80 绿灯）；超预算10.00万元"),
        # spent exactly the budget: not overspent
        (100.0, 100.0, 100.0, "green", "执行率100.00%，计划应达100.00%，比值100.0（≥80 绿灯）"),
    ],
)
def test_execution_light_ratio(spent: float, budget: float, expected: float, light: str, reason: str) -> None:
    """Test the ratio rule at and around its thresholds, with the exact reasons."""
    assert execution_light(spent, budget, expected) == (light, reason)


@pytest.mark.parametrize(
    ("spent", "light", "gap"),
    [
        (51.25, "green", "-5.00"),    # gap exactly −5: green
        (51.24, "yellow", "-5.01"),   # just below −5: yellow
        (41.25, "yellow", "-15.00"),  # exactly −15: yellow
        (41.24, "red", "-15.01"),     # just below −15: red
        (60.00, "green", "+3.75"),    # ahead
    ],
)
def test_execution_light_points(spent: float, light: str, gap: str) -> None:
    """Test the percentage-point rule (gap ≥ −5 green, −15..−5 yellow, < −15 red) at 56.25% expected."""
    got_light, reason = execution_light(spent, 100.0, 56.25, POINTS)
    assert got_light == light
    assert f"偏差{gap}个百分点" in reason
    assert reason.startswith(f"执行率{spent:.2f}%，计划应达56.25%")


def test_points_reason_bands() -> None:
    assert execution_light(41.24, 100.0, 56.25, POINTS)[1].endswith("（<-15 红灯）")
    assert execution_light(41.25, 100.0, 56.25, POINTS)[1].endswith("（-15至-5 黄灯）")
    assert execution_light(51.25, 100.0, 56.25, POINTS)[1].endswith("（≥-5 绿灯）")


def test_execution_light_custom_thresholds() -> None:
    """Test that thresholds come from the rules (and show in the reason)."""
    strict = replace(DEFAULT_RULES, ratio_red_below=70, ratio_yellow_below=90)
    assert execution_light(34.0, 100.0, 50.0, strict) == ("red", "执行率34.00%，计划应达50.00%，比值68.0（<70 红灯）")
    assert execution_light(40.0, 100.0, 50.0, strict)[0] == "yellow"


def test_execution_figures() -> None:
    pct, ratio, gap = execution_figures(20.0, 72.0, 56.25)
    assert round(pct or 0, 2) == 27.78
    assert ratio == 49.4
    assert gap == -28.47
    assert execution_figures(1.0, 0.0, 50.0) == (None, None, None)


def test_projections() -> None:
    """Test plan-shaped (actual ÷ expected share), run-rate (× 12 / months) and the owner's."""
    p = project_projections(20.0, 56.25, 7.0)
    assert round(p["plan_shaped"] or 0, 2) == 35.56        # 20 / 0.5625
    assert round(p["run_rate"] or 0, 2) == 34.29           # 20 × 12 / 7
    assert p["owner"] is None and p["projection_source"] == "按计划推算"
    p = project_projections(20.0, 56.25, 7.0, owner=70.0)
    assert p["projection"] == 70.0 and p["projection_source"] == "负责人预计"
    p = project_projections(3.0, 0.0, 1.0)                 # nothing expected yet: run-rate
    assert p["plan_shaped"] is None and p["projection"] == 36.0 and p["projection_source"] == "按月均推算"
    assert project_projections(0.0, 0.0, 0.0)["projection"] is None


def test_to_next_checkpoint() -> None:
    """Test the amount still to spend to reach the next checkpoint (never negative)."""
    assert to_next_checkpoint(SLOW, JULY, 72.0, 20.0) == (10, 54.0, 34.0)   # 75% of 72 − 20
    assert to_next_checkpoint(SLOW, JULY, 72.0, 60.0) == (10, 54.0, 0.0)    # already beyond
    assert to_next_checkpoint(SLOW, date(2024, 12, 31), 72.0, 60.0) is None


# --------------------------------------------------------------------------------------------
# Indicators


def count(actual: float | None, target: float = 100, unit: str = "件", **kw: object) -> IndicatorFacts:
    return IndicatorFacts(kind="count", comparator=">=", target=target, unit=unit, target_text=f"≥{target:g} {unit}",
                          level3="办案数量", actual=actual, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("actual", "light", "reason"),
    [
        # issue example: 30 of 100 at 07-31 → expected 58.3, 51.4%
        (30, "red", "实际30件，按序时应达58.3件，完成51.4%（<60 红灯）"),
        (35, "yellow", "实际35件，按序时应达58.3件，完成60.0%（60–80 黄灯）"),        # exactly 60
        (34.99, "yellow", "实际34.99件，按序时应达58.3件，完成60.0%（60–80 黄灯）"),  # 59.98 shows 60.0
        (34.9, "red", "实际34.9件，按序时应达58.3件，完成59.8%（<60 红灯）"),         # just below
        (46.67, "green", "实际46.67件，按序时应达58.3件，完成80.0%（80–120 绿灯）"),  # exactly 80 (shown)
        (46.6, "yellow", "实际46.6件，按序时应达58.3件，完成79.9%（60–80 黄灯）"),    # just below 80
        (70, "blue", "实际70件，按序时应达58.3件，完成120.0%（≥120 蓝灯，远超进度）"),  # exactly 120
        (69.9, "green", "实际69.9件，按序时应达58.3件，完成119.8%（80–120 绿灯）"),   # just below 120
        (0, "red", "实际0件，按序时应达58.3件，完成0.0%（<60 红灯）"),                # reported zero
        (None, "grey", "未填报：尚无实际完成值（灰灯）"),                              # no data
    ],
)
def test_count_indicator(actual: float | None, light: str, reason: str) -> None:
    """Test count indicators pro-rated (annual × months / 12) at their band edges."""
    assert indicator_light(count(actual), JULY) == (light, reason)


@pytest.mark.parametrize(
    ("as_of", "actual", "light", "reason"),
    [
        # ≥2 次 at 01-31: expected 0.17 < 1 → not due
        (date(2024, 1, 31), None, "grey", "未到期：按序时应达0.17次，不足1次（灰灯）"),
        # not due but already done once → green
        (date(2024, 1, 31), 1, "green", "实际1次，按序时应达0.17次，不足1次未到期，已有完成（绿灯）"),
        # 05-31: 0.83 still not due, zero reported → grey
        (date(2024, 5, 31), 0, "grey", "未到期：按序时应达0.83次，不足1次（灰灯）"),
        # 06-30: exactly 1 → due
        (date(2024, 6, 30), 0, "red", "实际0次，按序时应达1.0次，完成0.0%（<60 红灯）"),
        (date(2024, 6, 30), 1, "green", "实际1次，按序时应达1.0次，完成100.0%（80–120 绿灯）"),
    ],
)
def test_count_not_due(as_of: date, actual: float | None, light: str, reason: str) -> None:
    """Test that a count is not due while the pro-rated expectation is below one whole event."""
    assert indicator_light(count(actual, target=2, unit="次"), as_of) == (light, reason)


def test_count_milestones_replace_pro_rating() -> None:
    """Test milestones: linear from (0, 0) through the cumulative values, flat after the last."""
    f = count(0, target=2, unit="次", milestones=((10, 1.0), (12, 2.0)))
    assert indicator_light(f, JULY) == ("grey", "未到期：按里程碑应达0.70次，不足1次（灰灯）")
    assert indicator_light(f, date(2024, 10, 31)) == ("red", "实际0次，按里程碑应达1.0次，完成0.0%（<60 红灯）")
    f = count(1, target=2, unit="次", milestones=((10, 1.0),))
    assert indicator_light(f, date(2024, 12, 31))[0] == "green"  # flat at 1 after October
    assert indicator_figures(f, date(2024, 12, 31)) == (1, 1.0)


def test_count_without_value() -> None:
    assert indicator_light(IndicatorFacts(kind="count", target=None, actual=3), JULY)[0] == "grey"


def rate(actual: float | None, target: float = 98, **kw: object) -> IndicatorFacts:
    return IndicatorFacts(kind="rate", comparator=">=", target=target, unit="%", target_text=f"≥{target:g}%",
                          level2="质量指标", level3="合格率", actual=actual, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("actual", "light", "reason"),
    [
        (98, "green", "实际98%，目标≥98%（达标 绿灯）"),                                            # exactly at target
        (99.5, "green", "实际99.5%，目标≥98%（达标 绿灯）"),                                        # above
        (97.99, "yellow", "实际97.99%，目标≥98%，低于指标值0.01个百分点（容差5个百分点以内 黄灯）"),  # just below
        (93, "yellow", "实际93%，目标≥98%，低于指标值5个百分点（容差5个百分点以内 黄灯）"),          # exactly at tolerance
        (92.99, "red", "实际92.99%，目标≥98%，低于指标值5.01个百分点（超出容差5个百分点 红灯）"),     # beyond
        (None, "grey", "未填报：尚无实际完成值（灰灯）"),
    ],
)
def test_rate_indicator(actual: float | None, light: str, reason: str) -> None:
    """Test rates against the annual value with the 5pp tolerance band."""
    assert indicator_light(rate(actual), JULY) == (light, reason)


def test_rate_tolerance_is_a_setting() -> None:
    wide = replace(DEFAULT_RULES, rate_tolerance_pp=10)
    assert indicator_light(rate(90), JULY, wide)[0] == "yellow"
    assert indicator_light(rate(90), JULY)[0] == "red"


@pytest.mark.parametrize(
    ("target", "unit", "actual", "light"),
    [
        (0.5, "%", 0.5, "green"),     # 脱管 ≤0.5%: exactly at the cap
        (0.5, "%", 0.51, "red"),      # just beyond
        (0.2, "%", 0.0, "green"),     # 再犯罪率 ≤0.2%
        (10, "工作日", 10, "green"),   # ≤10 工作日
        (10, "工作日", 11, "red"),
        (10, "工作日", None, "grey"),
    ],
)
def test_ceiling_indicator(target: float, unit: str, actual: float | None, light: str) -> None:
    """Test ceilings: within green, beyond red."""
    f = IndicatorFacts(kind="ceiling", comparator="<=", target=target, unit=unit, target_text=f"≤{target:g}{unit}",
                       level3="上限", actual=actual)
    assert indicator_light(f, JULY)[0] == light


def test_ceiling_reasons_and_rate_with_ceiling_comparator() -> None:
    f = IndicatorFacts(kind="rate", comparator="<=", target=0.5, unit="%", target_text="≤0.5%", level3="脱管率", actual=0.6)
    assert indicator_light(f, JULY) == ("red", "实际0.6%，目标≤0.5%（超过上限 红灯）")
    assert indicator_light(replace(f, actual=0.5), JULY) == ("green", "实际0.5%，目标≤0.5%（未超上限 绿灯）")


@pytest.mark.parametrize(
    ("actual", "light", "reason"),
    [
        (0, "green", "实际0次，目标0次（未发生 绿灯）"),
        (1, "red", "实际1次，目标0次（已发生 红灯）"),          # any occurrence
        (None, "grey", "未填报：尚无实际完成值（灰灯）"),        # no news is not good news
    ],
)
def test_zero_indicator(actual: float | None, light: str, reason: str) -> None:
    f = IndicatorFacts(kind="zero", comparator="=", target=0, unit="次", target_text="0次", level3="网络安全事件量", actual=actual)
    assert indicator_light(f, JULY) == (light, reason)


def cost(spent: float, projection: float | None, source: str | None = "按计划推算", cap: float = 72.0,
         unit: str = "万元") -> IndicatorFacts:
    return IndicatorFacts(kind="cost", comparator="<=", target=cap, unit=unit, target_text=f"≤{cap:g} {unit}",
                          level2="成本指标", level3="项目成本", project_spent=spent, project_projection=projection,
                          project_projection_source=source)


@pytest.mark.parametrize(
    ("spent", "projection", "light", "reason"),
    [
        (72.0, 72.0, "green", "已支出72.00万元，全年预计72.00万元（按计划推算），未超成本上限72.00万元（绿灯）"),
        (72.01, 80.0, "red", "已支出72.01万元，超过成本上限72.00万元（红灯）"),
        (40.0, 72.01, "yellow", "已支出40.00万元，全年预计72.01万元（按计划推算），将超过成本上限72.00万元（黄灯）"),
        # DOMAIN §5a: nothing spent yet is grey 尚未支出, not green.
        (0.0, None, "grey", "尚未支出：成本上限72.00万元（灰灯）"),
        (0.0, 80.0, "grey", "尚未支出：成本上限72.00万元（灰灯）"),
    ],
)
def test_cost_indicator(spent: float, projection: float | None, light: str, reason: str) -> None:
    """Test cost caps linked to the project's spend (red) and projection (yellow); no result needed."""
    assert indicator_light(cost(spent, projection), JULY) == (light, reason)


def test_cost_units_and_department_level() -> None:
    """Test caps in 元/万/亿元 and department-level cost indicators (entered result)."""
    assert cost_cap_wan(5000, "元") == 0.5
    assert cost_cap_wan(1, "万") == 1
    assert cost_cap_wan(1, "亿元") == 10000
    assert indicator_light(cost(0.6, None, cap=5000, unit="元"), JULY)[0] == "red"
    dept = IndicatorFacts(kind="cost", comparator="<=", target=10, unit="万元", target_text="≤10 万元", level3="成本")
    assert indicator_light(dept, JULY) == ("grey", "未填报：尚无实际完成值（灰灯）")
    assert indicator_light(replace(dept, actual=4, projected_value=11), JULY) == (
        "yellow", "已支出4.00万元，全年预计11.00万元（填报预计），将超过成本上限10.00万元（黄灯）")


def deadline(**kw: object) -> IndicatorFacts:
    return IndicatorFacts(kind="deadline", comparator="deadline", target_text="6 月 30 日前", level3="完成考试",
                          deadline=date(2024, 6, 30), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("as_of", "kw", "light", "reason"),
    [
        # DOMAIN §5a: due at its date. The day before: not due; on the day and after: red.
        (date(2024, 6, 29), {}, "grey", "未到期：期限2024-06-30，尚未完成（灰灯）"),
        (date(2024, 6, 30), {}, "red", "已到期未完成：期限2024-06-30（红灯）"),                # due today, not done
        (date(2024, 7, 1), {}, "red", "已到期未完成：期限2024-06-30（红灯）"),                 # one day after
        (date(2024, 7, 31), {"done_date": date(2024, 5, 10)}, "green", "已于2024-05-10完成，期限2024-06-30（绿灯）"),
        (date(2024, 7, 31), {"done_date": date(2024, 7, 5)}, "green", "已于2024-07-05完成，期限2024-06-30（绿灯）"),  # late but done
        (date(2024, 5, 31), {"done_date": date(2024, 6, 5)}, "grey", "未到期：期限2024-06-30，尚未完成（灰灯）"),   # done after as-of
        (date(2024, 7, 31), {"rating": "达成"}, "green", "负责人评价：已完成（达成），期限2024-06-30（绿灯）"),
        (date(2024, 5, 31), {"likelihood": "有可能"}, "yellow",
         "未到期：期限2024-06-30，尚未完成（灰灯）；负责人判断完成目标可能性为“有可能”，调为黄灯"),
        (date(2024, 5, 31), {"likelihood": "完全不可能"}, "red",
         "未到期：期限2024-06-30，尚未完成（灰灯）；负责人判断完成目标可能性为“完全不可能”，调为红灯"),
        (date(2024, 5, 31), {"likelihood": "确定能"}, "grey", "未到期：期限2024-06-30，尚未完成（灰灯）"),
    ],
)
def test_deadline_indicator(as_of: date, kw: dict[str, object], light: str, reason: str) -> None:
    """Test deadlines: done green, not yet due grey unless the owner judges it at risk, overdue red."""
    assert indicator_light(deadline(**kw), as_of) == (light, reason)


def test_deadline_without_date_is_year_end() -> None:
    """Test that "年底前完成" falls due on 12-31: at a 12-31 cut-off it is red, the day before grey (§5a)."""
    f = IndicatorFacts(kind="deadline", comparator="deadline", target_text="年底前完成", level3="考试", fiscal_year=2024)
    assert indicator_light(f, date(2024, 12, 30)) == ("grey", "未到期：期限2024-12-31，尚未完成（灰灯）")
    assert indicator_light(f, date(2024, 12, 31)) == ("red", "已到期未完成：期限2024-12-31（红灯）")


@pytest.mark.parametrize(
    ("rating", "light", "reason"),
    [
        ("达成", "green", "负责人评价：达成（绿灯）"),
        ("部分达成", "yellow", "负责人评价：部分达成（黄灯）"),
        ("未达成", "red", "负责人评价：未达成（红灯）"),
        (None, "grey", "待评：尚无负责人评价（灰灯）"),
    ],
)
def test_qualitative_indicator(rating: str | None, light: str, reason: str) -> None:
    f = IndicatorFacts(kind="qualitative", comparator="qualitative", target_text="得到提升", level3="执法水平", rating=rating)
    assert indicator_light(f, JULY) == (light, reason)


@pytest.mark.parametrize(
    ("level2", "level3"),
    [
        ("服务对象满意度指标", "服务对象满意度"),   # by 二级指标
        ("社会效益指标", "群众满意度"),             # by 三级指标 mentioning 满意度
        (None, "受援人满意度"),
    ],
)
def test_satisfaction_without_result_is_pending(level2: str | None, level3: str) -> None:
    """Test that a survey not yet run is 待评 (grey), not red and not 未填报."""
    f = IndicatorFacts(kind="rate", comparator=">=", target=90, unit="%", target_text="≥90%", level2=level2, level3=level3)
    assert indicator_light(f, JULY) == ("grey", "待评：满意度调查尚未开展（灰灯）")
    assert indicator_light(replace(f, actual=95), JULY)[0] == "green"
    assert indicator_light(replace(f, actual=80), JULY)[0] == "red"
    q = IndicatorFacts(kind="qualitative", comparator="qualitative", target_text="较高", level2=level2, level3=level3)
    assert indicator_light(q, JULY) == ("grey", "待评：满意度调查尚未开展（灰灯）")


@pytest.mark.parametrize(
    ("light", "likelihood", "expected"),
    [
        ("green", None, "green"),
        ("green", "确定能", "green"),
        ("green", "有可能", "yellow"),
        ("blue", "有可能", "yellow"),
        ("grey", "有可能", "yellow"),
        ("yellow", "有可能", "yellow"),
        ("red", "有可能", "red"),           # never improves
        ("green", "完全不可能", "red"),
        ("blue", "完全不可能", "red"),
        ("grey", "完全不可能", "red"),
        ("red", "完全不可能", "red"),
    ],
)
def test_likelihood_only_worsens(light: str, likelihood: str | None, expected: str) -> None:
    """Test that the owner's likelihood can only worsen a light."""
    assert apply_likelihood(light, "x", likelihood)[0] == expected


def test_likelihood_reason_only_when_changed() -> None:
    assert apply_likelihood("red", "r", "完全不可能") == ("red", "r")
    assert apply_likelihood("green", "g", "有可能") == ("yellow", "g；负责人判断完成目标可能性为“有可能”，调为黄灯")


def test_indicator_figures() -> None:
    assert indicator_figures(count(30), JULY) == (30, pytest.approx(58.333333))
    assert indicator_figures(rate(95), JULY) == (95, 98)
    assert indicator_figures(cost(20.0, None), JULY) == (20.0, 72.0)


# --------------------------------------------------------------------------------------------
# Settings and roll-up order


@pytest.mark.parametrize(
    ("lights", "expected"),
    [
        (["green", "red", "grey"], "red"),
        (["green", "yellow"], "yellow"),
        (["green", "blue"], "green"),      # blue is on track: better than green
        (["blue", "grey"], "blue"),
        (["grey", "grey"], "grey"),        # grey only when all are grey
        ([], "grey"),                      # nothing to judge
    ],
)
def test_worst(lights: list[str], expected: str) -> None:
    assert worst(lights) == expected


def test_rules_defaults_and_round_trip(empty_db: duckdb.DuckDBPyConnection) -> None:
    """Test that rules default in code, save through the audited write path and load back."""
    assert load_rules(empty_db) == DEFAULT_RULES
    new = replace(DEFAULT_RULES, execution_rule="points", rate_tolerance_pp=3, plan_method="step")
    save_rules(empty_db, store.SYSTEM, new)
    assert load_rules(empty_db) == new
    audit = empty_db.execute("SELECT entity, entity_id FROM audit_log WHERE entity = 'settings'").fetchall()
    assert audit == [("settings", "rules")]


def test_partial_stored_rules_take_defaults(empty_db: duckdb.DuckDBPyConnection) -> None:
    store.set_setting(empty_db, store.SYSTEM, settings.SETTING_KEY, {"ratio_red_below": 50, "unknown": 1})
    assert load_rules(empty_db) == replace(DEFAULT_RULES, ratio_red_below=50.0)


@pytest.mark.parametrize(
    "bad",
    [
        {"execution_rule": "vibes"},
        {"ratio_red_below": 90},            # above the yellow threshold
        {"points_yellow_below": 5},         # must not be positive
        {"count_blue_from": 90},            # below 100
        {"plan_method": "cubic"},
    ],
)
def test_invalid_rules_refused(empty_db: duckdb.DuckDBPyConnection, bad: dict[str, object]) -> None:
    with pytest.raises(store.ValidationError):
        save_rules(empty_db, store.SYSTEM, replace(DEFAULT_RULES, **bad))  # type: ignore[arg-type]
    assert load_rules(empty_db) == DEFAULT_RULES


def test_rule_texts_and_colors() -> None:
    assert settings.LIGHT_RULE_TEXT["ratio"] == "执行率÷计划应达进度×100：≥80 绿，60–80 黄，<60 红"
    assert set(settings.LIGHT_COLORS) == set(settings.LIGHTS) == set(settings.LIGHT_LABELS)
    assert settings.rule_text(Rules(ratio_red_below=50))["ratio"].endswith("<50 红")
    assert settings.SEVERITY_ORDER == ("red", "yellow", "green", "blue", "grey")


def test_expected_used_by_example() -> None:
    """The issue's worked example end to end through the pure functions."""
    exp = expected_pct(SLOW, JULY)
    assert execution_light(20.0, 72.0, exp)[0] == "red"

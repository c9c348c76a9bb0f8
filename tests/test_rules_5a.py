"""Boundary tables for the refined rules of DOMAIN.md §5a (issue 12 item 3), pure rules and engine.

Every expected figure is computed by hand in the comment beside it (DOMAIN §3: day d of month m is
m − 1 + d / days in month; plan 25/50/75/100 interpolates linearly between (0,0), (3,25), (6,50),
(10,75), (12,100)).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import duckdb
import pytest

from perfwatch import entry, store
from perfwatch.settings import DEFAULT_RULES, rules_from_dict
from perfwatch.status import IndicatorFacts, compute_status, execution_figures, execution_light, indicator_light

JULY = date(2024, 7, 31)
OFF = replace(DEFAULT_RULES, grey_before_first_checkpoint=False)


# ---------------------------------------------------------------- spend pace before the first checkpoint


@pytest.mark.parametrize(
    ("spent", "budget", "expected", "months", "light", "reason"),
    [
        # 01-15: t = 15/31 = 0.4839; 25/50/75/100 expects 25 × 0.4839 / 3 = 4.03%; nothing spent: grey, not red.
        (0.0, 72.0, 25 * (15 / 31) / 3, 15 / 31, "grey",
         "未到首个节点（3月底）：计划应达4.03%，执行率0.00%，暂不评价（灰灯）"),
        # 03-30: t = 2 + 30/31 = 2.9677 < 3: still grey. Expected 25 × 2.9677 / 3 = 24.73%; 5 ÷ 72 = 6.94%.
        (5.0, 72.0, 25 * (2 + 30 / 31) / 3, 2 + 30 / 31, "grey",
         "未到首个节点（3月底）：计划应达24.73%，执行率6.94%，暂不评价（灰灯）"),
        # 03-31: t = 3.0, the first checkpoint: judged. 6.94 ÷ 25.00 × 100 = 27.76 → 27.8 < 60: red.
        (5.0, 72.0, 25.0, 3.0, "red", "执行率6.94%，计划应达25.00%，比值27.8（<60 红灯）"),
        # 01-31 with 2.50 spent of 2.00: grey, but the overspend is still flagged (0.50 万元).
        (2.5, 2.0, 25 / 3, 1.0, "grey",
         "未到首个节点（3月底）：计划应达8.33%，执行率125.00%，暂不评价（灰灯）；超预算0.50万元"),
    ],
)
def test_pace_is_grey_before_the_end_of_march(
    spent: float, budget: float, expected: float, months: float, light: str, reason: str
) -> None:
    """Test that nobody is red in January: the pace light waits for the first checkpoint (3月底)."""
    assert execution_light(spent, budget, expected, months=months) == (light, reason)


def test_the_setting_switches_the_first_checkpoint_rule_off() -> None:
    """Test that with the setting off, 01-31 is judged: 0.00 ÷ 8.33 → 0.0 < 60, red."""
    assert execution_light(0.0, 72.0, 25 / 3, OFF, months=1.0) == (
        "red", "执行率0.00%，计划应达8.33%，比值0.0（<60 红灯）")
    assert rules_from_dict({"grey_before_first_checkpoint": False}) == OFF
    with pytest.raises(store.ValidationError):
        rules_from_dict({"grey_before_first_checkpoint": "否"})


# ---------------------------------------------------------------- hand-checkable figures


@pytest.mark.parametrize(
    ("spent", "budget", "expected", "ratio", "gap", "reason"),
    [
        # 20.504 of 100 = 20.504% → 20.50; 20.50 ÷ 56.25 × 100 = 36.444 → 36.4 (unrounded 36.45 would give 36.5).
        (20.504, 100.0, 56.25, 36.4, -35.75, "执行率20.50%，计划应达56.25%，比值36.4（<60 红灯）"),
        # 20 of 72 = 27.777…% → 27.78; 27.78 ÷ 56.25 × 100 = 49.386 → 49.4; gap 27.78 − 56.25 = −28.47.
        (20.0, 72.0, 56.25, 49.4, -28.47, "执行率27.78%，计划应达56.25%，比值49.4（<60 红灯）"),
        # 45 of 100 against 56.254% (→ 56.25): 45.00 ÷ 56.25 × 100 = 80.0 exactly: green at the boundary.
        (45.0, 100.0, 56.254, 80.0, -11.25, "执行率45.00%，计划应达56.25%，比值80.0（≥80 绿灯）"),
    ],
)
def test_ratios_come_from_the_rounded_figures(
    spent: float, budget: float, expected: float, ratio: float, gap: float, reason: str
) -> None:
    """Test that the ratio a reason shows is what a calculator gives from the figures it shows."""
    _, r, g = execution_figures(spent, budget, expected)
    assert (r, g) == (ratio, gap)
    assert execution_light(spent, budget, expected, months=7.0)[1] == reason


# ---------------------------------------------------------------- cost indicators


def cost(spent: float, projection: float | None, source: str | None, budget: float = 2.0, cap: float = 2.0) -> IndicatorFacts:
    return IndicatorFacts(kind="cost", comparator="<=", target=cap, unit="万元", target_text=f"≤{cap:g} 万元",
                          level2="成本指标", level3="法律援助工作总成本", project_spent=spent,
                          project_projection=projection, project_projection_source=source, project_budget=budget)


@pytest.mark.parametrize(
    ("facts", "light", "reason"),
    [
        # Nothing spent: grey 尚未支出 (not green).
        (cost(0.0, 0.0, "按计划推算"), "grey", "尚未支出：成本上限2.00万元（灰灯）"),
        # 法律援助经费 ahead of plan: 1.20 ÷ 0.5625 = 2.13 capped at the budget 2.00 → not over the cap: green.
        (cost(1.2, 1.2 / 0.5625, "按计划推算"), "green",
         "已支出1.20万元，全年预计2.00万元（按计划推算，以预算数为限），未超成本上限2.00万元（绿灯）"),
        # The owner's declared 全年预计执行数 2.10 > cap 2.00: yellow (never capped).
        (cost(1.2, 2.1, "负责人预计"), "yellow",
         "已支出1.20万元，全年预计2.10万元（负责人预计），将超过成本上限2.00万元（黄灯）"),
        # Spent 2.01 > cap 2.00: red.
        (cost(2.01, 2.01, "负责人预计"), "red", "已支出2.01万元，超过成本上限2.00万元（红灯）"),
        # A cap below the budget: run-rate 1.5 × 12 / 7 = 2.57 capped at the budget 3.00 stays 2.57 > 2.00: yellow.
        (cost(1.5, 1.5 * 12 / 7, "按月均推算", budget=3.0), "yellow",
         "已支出1.50万元，全年预计2.57万元（按月均推算），将超过成本上限2.00万元（黄灯）"),
    ],
)
def test_cost_rules(facts: IndicatorFacts, light: str, reason: str) -> None:
    """Test the §5a cost rules: 尚未支出 grey, spend over the cap red, declared year end over it yellow,
    a system projection capped at the budget."""
    assert indicator_light(facts, JULY) == (light, reason)


# ---------------------------------------------------------------- satisfaction


def survey(level3: str, actual: float | None = None) -> IndicatorFacts:
    return IndicatorFacts(kind="rate", comparator=">=", target=90.0, unit="%", target_text="≥90%",
                          level2="服务对象满意度指标" if "满意度" in level3 else "社会效益指标", level3=level3,
                          fiscal_year=2024, actual=actual)


@pytest.mark.parametrize(
    ("facts", "as_of", "light", "reason"),
    [
        (survey("服务对象满意度"), JULY, "grey", "待评：满意度调查尚未开展（灰灯）"),
        # 满意率 is a satisfaction survey too (not a plain rate without data).
        (survey("群众满意率"), JULY, "grey", "待评：满意度调查尚未开展（灰灯）"),
        # The day before the 12-31 cut-off: still 待评.
        (survey("群众满意率"), date(2024, 12, 30), "grey", "待评：满意度调查尚未开展（灰灯）"),
        # At a 12-31 cut-off with no result: red 未开展调查.
        (survey("群众满意率"), date(2024, 12, 31), "red", "未开展调查：截至年底尚无满意度调查结果（红灯）"),
        (survey("服务对象满意度"), date(2024, 12, 31), "red", "未开展调查：截至年底尚无满意度调查结果（红灯）"),
        # Surveyed: judged as a rate (95 ≥ 90 green).
        (survey("群众满意率", 95.0), date(2024, 12, 31), "green", "实际95%，目标≥90%（达标 绿灯）"),
    ],
)
def test_satisfaction(facts: IndicatorFacts, as_of: date, light: str, reason: str) -> None:
    """Test that 满意度 and 满意率 are 待评 until surveyed and red 未开展调查 at a 12-31 cut-off."""
    assert indicator_light(facts, as_of) == (light, reason)


# ---------------------------------------------------------------- the engine applies the same rules


def _light(conn: duckdb.DuckDBPyConnection, as_of: date, code: str, level3: str) -> tuple[str, str]:
    st = compute_status(conn, as_of)
    row = st.indicators[(st.indicators["project_code"] == code) & (st.indicators["level3"] == level3)].iloc[0]
    return row.light, row.reason


def test_engine_applies_the_5a_rules_on_the_seed(seed_db: duckdb.DuckDBPyConnection) -> None:
    """Test the engine on the seed: grey in January, 尚未支出, the capped projection, 12-31 deadlines
    and surveys (法律援助经费 13052924P00584012128B: budget 2.00, plan 25/50/75/100, cap ≤2 万元)."""
    pid = seed_db.execute("SELECT id FROM projects WHERE code = '13052924P00584012128B'").fetchone()[0]  # type: ignore[index]
    # January: nothing spent anywhere, every pace light grey 未到首个节点.
    jan = compute_status(seed_db, date(2024, 1, 31))
    assert set(jan.projects["execution_light"]) == {"grey"}
    assert _light(seed_db, JULY, "13052924P00584012128B", "法律援助工作总成本") == ("grey", "尚未支出：成本上限2.00万元（灰灯）")
    # 1.20 spent by July (60.00% vs 56.25%): plan-shaped 2.13 capped at 2.00 → green.
    entry.record_spend(seed_db, store.SYSTEM, pid, date(2024, 7, 1), 1.2)
    assert _light(seed_db, JULY, "13052924P00584012128B", "法律援助工作总成本") == (
        "green", "已支出1.20万元，全年预计2.00万元（按计划推算，以预算数为限），未超成本上限2.00万元（绿灯）")
    # At 12-31: every satisfaction survey without a result is red 未开展调查.
    dec = compute_status(seed_db, date(2024, 12, 31))
    surveys = dec.indicators[dec.indicators["satisfaction"].astype(bool) & dec.indicators["actual"].isna()]
    assert len(surveys) > 0 and set(surveys["light"]) == {"red"}
    assert set(surveys["reason"]) == {"未开展调查：截至年底尚无满意度调查结果（红灯）"}
    # "12 月 31 日前" deadlines not done are due at a 12-31 cut-off: red 已到期未完成.
    due = dec.indicators[(dec.indicators["rule_kind"] == "deadline") & dec.indicators["done_date"].isna()]
    assert len(due) > 0 and set(due["light"]) == {"red"}
    assert all(r.startswith("已到期未完成：期限2024-12-31") for r in due["reason"])


# ---------------------------------------------------------------- count natures


def count(nature: str | None, actual: float | None, target: float = 10.0, unit: str = "套",
          milestones: tuple[tuple[int, float], ...] = ()) -> IndicatorFacts:
    return IndicatorFacts(kind="count", target=target, unit=unit, target_text=f"≥{target:g}{unit}", level2="数量指标",
                          level3="系统维护数量", fiscal_year=2024, actual=actual, nature=nature, milestones=milestones)


@pytest.mark.parametrize(
    ("facts", "as_of", "light", "reason"),
    [
        # stock 10 套, 10 at 07-31: 10 ÷ 10 = 100.0% → green (as flow it would be 10 ÷ (10 × 7/12) = 120/7 = 171.4% blue).
        (count("stock", 10), JULY, "green", "实际10套，存量目标10套，完成100.0%（达标 绿灯）"),
        (count(None, 10), JULY, "blue", "实际10套，按序时应达5.8套，完成171.4%（≥120 蓝灯，远超进度）"),
        (count("flow", 10), JULY, "blue", "实际10套，按序时应达5.8套，完成171.4%（≥120 蓝灯，远超进度）"),
        # stock 12 of 10 = 120.0%: still green, never blue.
        (count("stock", 12), JULY, "green", "实际12套，存量目标10套，完成120.0%（达标 绿灯）"),
        # stock 9.6 of 10 = 96.0% ≥ 100 − 5 tolerance: yellow; 9 of 10 = 90.0% < 95: red.
        (count("stock", 9.6), JULY, "yellow", "实际9.6套，存量目标10套，完成96.0%（容差5个百分点以内 黄灯）"),
        (count("stock", 9), date(2024, 1, 31), "red", "实际9套，存量目标10套，完成90.0%（超出容差5个百分点 红灯）"),
        # one-off without milestones: due in month 12; at 11-30 (t = 11.0 < 12) grey; at 12-31 judged: 0 of 1 = 0.0% red.
        (count("one_off", None, 1, "次"), date(2024, 11, 30), "grey", "未到期：一次性指标，计划12月完成（灰灯）"),
        (count("one_off", 0, 1, "次"), date(2024, 12, 31), "red", "实际0次，一次性目标1次，完成0.0%（超出容差5个百分点 红灯）"),
        # one-off done early (1 of 1 at 07-31): green.
        (count("one_off", 1, 1, "次"), JULY, "green", "实际1次，一次性目标1次，已提前完成（绿灯）"),
        # one-off with a milestone in June: 05-31 (t = 5.0) grey; 06-30 (t = 6.0) due: no result → 未填报.
        (count("one_off", None, 1, "次", ((6, 1.0),)), date(2024, 5, 31), "grey", "未到期：一次性指标，计划6月完成（灰灯）"),
        (count("one_off", None, 1, "次", ((6, 1.0),)), date(2024, 6, 30), "grey", "未填报：尚无实际完成值（灰灯）"),
        # scheduled without milestones: 09-30 (t = 9.0) still grey; 10-01 (t = 9 + 1/31) judged: 1 of 2 = 50.0% red.
        (count("scheduled", 1, 2, "次"), date(2024, 9, 30), "grey", "未到期：集中开展指标，第四季度起评价（灰灯）"),
        (count("scheduled", 1, 2, "次"), date(2024, 10, 1), "red", "实际1次，集中开展目标2次，完成50.0%（超出容差5个百分点 红灯）"),
        # scheduled with milestones 6:1, 12:2: at 07-31 the step reached is 1 (not 1 + 1 × 1/6 = 1.17): 1 ÷ 1 = 100.0% green.
        (count("scheduled", 1, 2, "次", ((6, 1.0), (12, 2.0))), JULY, "green", "实际1次，按里程碑应达1.0次，完成100.0%（80–120 绿灯）"),
        # … at 05-31 (t = 5.0) no milestone reached: 0 < 1 → grey 未到期.
        (count("scheduled", None, 2, "次", ((6, 1.0), (12, 2.0))), date(2024, 5, 31), "grey", "未到期：按里程碑应达0.00次，不足1次（灰灯）"),
    ],
)
def test_count_natures(facts: IndicatorFacts, as_of: date, light: str, reason: str) -> None:
    """Test flow, stock, one-off and scheduled counts against hand-computed lights (DOMAIN §5a)."""
    assert indicator_light(facts, as_of) == (light, reason)


def test_engine_applies_the_natures_on_the_seed(seed_db: duckdb.DuckDBPyConnection) -> None:
    """Test that the engine judges 业务信息化系统维护数量 10套 as a stock: 10 at 07-31 green, not blue at 171%,
    and a one-off and a scheduled count the same way as the pure rules (table above)."""
    # A department-level (部门整体) indicator of the seed: 业务信息化系统维护数量 10套以上.
    ind_id = seed_db.execute("SELECT id FROM indicators WHERE level3 LIKE '业务信息化系统维护数量%'").fetchone()[0]  # type: ignore[index]

    def light_at(as_of: date) -> tuple[str, str]:
        st = compute_status(seed_db, as_of)
        row = st.indicators[st.indicators["indicator_id"] == ind_id].iloc[0]
        return row.light, row.reason

    seed_db.execute("INSERT INTO indicator_results (indicator_id, as_of, value, entered_by) VALUES (?, ?, 10, 't')", [ind_id, JULY])
    seed_db.execute("UPDATE indicators SET nature = NULL WHERE id = ?", [ind_id])
    # flow: 10 ÷ (10 × 7/12) = 120/7 = 171.4% blue
    assert light_at(JULY)[0] == "blue"
    seed_db.execute("UPDATE indicators SET nature = 'stock' WHERE id = ?", [ind_id])
    assert light_at(JULY) == ("green", "实际10套，存量目标10套，完成100.0%（达标 绿灯）")
    seed_db.execute("UPDATE indicators SET nature = 'one_off' WHERE id = ?", [ind_id])
    seed_db.execute("INSERT INTO indicator_milestones VALUES (?, 9, 10)", [ind_id])
    # one-off planned in September: 10 of 10 at 07-31 is done early → green
    assert light_at(JULY) == ("green", "实际10套，一次性目标10套，已提前完成（绿灯）")
    assert light_at(date(2024, 6, 30)) == ("grey", "未到期：一次性指标，计划9月完成（灰灯）")
    seed_db.execute("UPDATE indicators SET nature = 'scheduled' WHERE id = ?", [ind_id])
    # scheduled, milestone 9:10: at 07-31 none reached (0 < 1), but 10 already done → green
    assert light_at(JULY) == ("green", "实际10套，按里程碑应达0.00套，不足1套未到期，已有完成（绿灯）")
    seed_db.execute("DELETE FROM indicator_milestones WHERE indicator_id = ?", [ind_id])
    # without milestones: 09-30 not yet due, but 10 of 10 already reported → done early; the 07-31 result
    # is older than the reporting month, so it is dated and judged at 07-31 (still before the last quarter)
    assert light_at(date(2024, 9, 30)) == ("green", "实际10套（截至7月31日），集中开展目标10套，已提前完成（绿灯）")
    assert light_at(date(2024, 10, 1)) == ("green", "实际10套（截至7月31日），集中开展目标10套，已提前完成（绿灯）")


# ---------------------------------------------------------------- stale results


def flow(actual: float, result_as_of: date) -> IndicatorFacts:
    return IndicatorFacts(kind="count", target=60.0, unit="件", target_text="≥60件", level2="数量指标", level3="办案数量",
                          fiscal_year=2024, actual=actual, result_as_of=result_as_of)


@pytest.mark.parametrize(
    ("facts", "as_of", "light", "reason"),
    [
        # 30 件 reported at 07-31, status at 10-31: judged at its own date: 60 × 7/12 = 35.0 → 30 ÷ 35 = 85.7% green,
        # dated (at October's 60 × 10/12 = 50 it would be 60.0% yellow).
        (flow(30, JULY), date(2024, 10, 31), "green", "实际30件（截至7月31日），按序时应达35.0件，完成85.7%（80–120 绿灯）"),
        # a result within the reporting month (10-15 at 10-31) is current: 60 × 10/12 = 50 → 30 ÷ 50 = 60.0% yellow, not dated.
        (flow(30, date(2024, 10, 15)), date(2024, 10, 31), "yellow", "实际30件，按序时应达50.0件，完成60.0%（60–80 黄灯）"),
        # 09-30 at 10-01: older than October → dated and judged at 09-30: 60 × 9/12 = 45 → 30 ÷ 45 = 66.7% yellow.
        (flow(30, date(2024, 9, 30)), date(2024, 10, 1), "yellow", "实际30件（截至9月30日），按序时应达45.0件，完成66.7%（60–80 黄灯）"),
    ],
)
def test_stale_results_are_judged_at_their_own_date(facts: IndicatorFacts, as_of: date, light: str, reason: str) -> None:
    """Test that a result older than the reporting month is judged at its own date and shown dated (DOMAIN §5a)."""
    assert indicator_light(facts, as_of) == (light, reason)

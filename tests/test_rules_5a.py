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

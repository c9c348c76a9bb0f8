"""The set-based engine (queries/engine/*.sql + roll-ups) on real and generated data.

* every engine SQL file runs on a freshly migrated database;
* the default dataset with a spend-and-results fixture gives the lights and reasons a finance
  officer computes by hand;
* on generated cases the engine agrees with the pure rule functions, light and reason.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from perfwatch import db, entry, store
from perfwatch.plan import expected_pct, months_elapsed, next_checkpoint, time_pct
from perfwatch.settings import DEFAULT_RULES, LIGHTS, Rules, save_rules
from perfwatch.status import (
    IndicatorFacts,
    compute_status,
    engine_query,
    execution_figures,
    execution_light,
    indicator_light,
    last_data_date,
    project_projections,
    spend_series,
    to_json,
)

FIXTURES = Path(__file__).parent / "fixtures"
JULY = date(2024, 7, 31)
P3 = "13052924P00584210790E"   # 72.00 万元, plan 8/50/75/100


# --------------------------------------------------------------------------------------------
# Fixture loading (through the write path)


def load_engine_fixture(conn: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Write the spend, reports and results of an engine fixture through perfwatch.store."""
    data = json.loads(path.read_text(encoding="utf-8"))
    projects = {code: pid for pid, code in conn.execute("SELECT id, code FROM projects").fetchall()}
    indicators: dict[tuple[str, Any, str], int] = {}
    for iid, pcode, sg_seq, level3 in conn.execute(
        "SELECT i.id, p.code, s.seq, i.level3 FROM indicators i LEFT JOIN projects p ON p.id = i.project_id "
        "LEFT JOIN sub_goals s ON s.id = i.sub_goal_id"
    ).fetchall():
        key = ("project", pcode, level3) if pcode else ("sub_goal", sg_seq, level3)
        indicators.setdefault(key, iid)
    for s in data["spend"]:
        # The fixture overspends on purpose (the 超预算 flag): finance confirms it, as on the page.
        entry.record_spend(conn, store.SYSTEM, projects[s["project"]], date(2024, s["month"], 1), s["amount"],
                           note=s.get("note"), confirm_over_budget=True)
    for r in data["reports"]:
        entry.record_project_report(conn, store.SYSTEM, projects[r["project"]], date.fromisoformat(r["as_of"]),
                                    projected_amount=r["projected_amount"])
    for r in data["results"]:
        key = ("project", r["project"], r["level3"]) if "project" in r else ("sub_goal", r["sub_goal"], r["level3"])
        entry.record_result(
            conn, store.SYSTEM, indicators[key], date.fromisoformat(r["as_of"]),
            value=r.get("value"),
            done_date=date.fromisoformat(r["done_date"]) if r.get("done_date") else None,
            rating=r.get("rating"), likelihood=r.get("likelihood"),
            # Filler for what the user path requires of a yellow/red row (a category, 全年预计完成情况);
            # the fixture states its own where a test reads them.
            cause_categories=r.get("cause_categories", ["其他"]), cause_text=r.get("cause_text"), measure=r.get("measure"),
            projected_text=r.get("projected_text", "（测试）全年预计完成情况"),
        )


def _project(status: Any, code: str) -> pd.Series:
    rows = status.projects[status.projects["code"] == code]
    assert len(rows) == 1
    return rows.iloc[0]


def _indicator(status: Any, project_code: str | None, level3: str) -> pd.Series:
    ind = status.indicators
    sel = ind["level3"] == level3
    sel &= ind["project_code"].isna() if project_code is None else ind["project_code"] == project_code
    rows = ind[sel]
    assert len(rows) == 1, (project_code, level3)
    return rows.iloc[0]


# --------------------------------------------------------------------------------------------
# Every SQL file


def _default_params(name: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "as_of": JULY, "department_id": None, "fiscal_year": 2024, "project_id": 1, "year": 2024,
        **DEFAULT_RULES.as_params(),
    }
    return {k: values[k] for k in db.query_params(name)}


def _engine_relations(conn: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The relations the engine queries read, built the way compute_status builds them."""
    dept = engine_query(conn, "engine/departments", _default_params("engine/departments"))
    proj = engine_query(conn, "engine/project_status", _default_params("engine/project_status"))
    figures = proj.select(["project_id", "spent", "projection", "projection_source", "budget"])
    ind = engine_query(conn, "engine/indicator_status", _default_params("engine/indicator_status"),
                       {"project_figures": figures})
    lights = ind.select(["project_id", "department_id", "light"])
    rolled = engine_query(conn, "engine/project_rollup", {}, {"project_rows": proj, "indicator_lights": lights})
    return {"project_figures": figures, "indicator_lights": lights, "department_rows": dept,
            "project_rows": proj, "rolled_projects": rolled}


@pytest.mark.parametrize("path", sorted((db.QUERIES_DIR / "engine").glob("*.sql")), ids=lambda p: p.name)
def test_every_engine_sql_runs(path: Path, empty_db: duckdb.DuckDBPyConnection, mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that each engine query has a header naming its params and runs on a migrated database."""
    name = f"engine/{path.stem}"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"-- {name}:"), "header comment names the query"
    for param in db.query_params(name):
        assert f"${param}" in "\n".join(line for line in text.splitlines() if line.startswith("--")), f"${param} documented"
    relations = _engine_relations(mini_db)
    wanted = {rel: table for rel, table in relations.items() if re.search(rf"\b{rel}\b", text)}
    table = engine_query(mini_db, name, _default_params(name), wanted)
    assert table.num_rows > 0


def test_empty_database(empty_db: duckdb.DuckDBPyConnection) -> None:
    """Test that an empty database gives empty frames and grey totals, not errors."""
    st = compute_status(empty_db, JULY)
    assert st.projects.empty and st.indicators.empty and st.departments.empty
    assert st.total["light"] == "grey" and st.total["budget"] == 0
    assert last_data_date(empty_db) is None
    assert to_json(st)["projects"] == []


# --------------------------------------------------------------------------------------------
# The default dataset with hand-computed figures at 2024-07-31 (7.0 months, 序时 58.33%)

# code: (budget, spent, execution_pct, ratio, light, execution_reason)
PROJECTS = {
    # 法律援助经费 2.00 on 25/50/75/100: 1.20 spent → 60.00%, 60 / 56.25 = 106.7
    "13052924P00584012128B": (2.00, 1.20, 60.00, 106.7, "green", "执行率60.00%，计划应达56.25%，比值106.7（≥80 绿灯）"),
    # 法治工作经费 1.00: 0.45 → 45.00%, exactly 80.0 → green
    "13052924P00584012124W": (1.00, 0.45, 45.00, 80.0, "green", "执行率45.00%，计划应达56.25%，比值80.0（≥80 绿灯）"),
    # the example: 72.00 budget, 5 + 7 + 8 (July corrected from 6) = 20.00 → 27.78%, 49.4 → red
    P3: (72.00, 20.00, 27.78, 49.4, "red", "执行率27.78%，计划应达56.25%，比值49.4（<60 红灯）"),
    # 26.00 on 8/50: 4 + 6 = 10.00 → 38.46%, 68.4 → yellow
    "13052924P00584210795G": (26.00, 10.00, 38.46, 68.4, "yellow", "执行率38.46%，计划应达56.25%，比值68.4（60–80 黄灯）"),
    # 2.90 on 8/50: 3.00 → 103.45%, overspent by 0.10 (pace light stays green)
    "13052924P00584210803P": (2.90, 3.00, 103.45, 183.9, "green",
                              "执行率103.45%，计划应达56.25%，比值183.9（≥80 绿灯）；超预算0.10万元"),
    # 普法工作经费 2.00: nothing spent → 0.0 → red
    "13052924P00584012129Y": (2.00, 0.00, 0.00, 0.0, "red", "执行率0.00%，计划应达56.25%，比值0.0（<60 红灯）"),
    # 人民调解经费 7.00: 1.5 + 2 = 3.50 → 50.00%, 88.9 → green
    "13052924P00584012127P": (7.00, 3.50, 50.00, 88.9, "green", "执行率50.00%，计划应达56.25%，比值88.9（≥80 绿灯）"),
    # 社区矫正经费 10.00: 4.00 → 40.00%, 71.1 → yellow
    "13052924P00584012122M": (10.00, 4.00, 40.00, 71.1, "yellow", "执行率40.00%，计划应达56.25%，比值71.1（60–80 黄灯）"),
}


@pytest.mark.parametrize("code", list(PROJECTS))
def test_project_spend_pace_by_hand(julu: duckdb.DuckDBPyConnection, code: str) -> None:
    """Test each project's 执行率, ratio, light and reason against the hand computation."""
    budget, spent, pct, ratio, light, reason = PROJECTS[code]
    p = _project(compute_status(julu, JULY), code)
    assert round(p.budget, 2) == budget
    assert round(p.spent, 2) == spent
    assert round(p.execution_pct, 2) == pct
    assert round(p.expected_pct, 2) == 56.25       # every plan meets at 56.25% at the end of July
    assert round(p.time_pct, 2) == 58.33
    assert p.ratio == ratio
    assert p.execution_light == light
    assert p.execution_reason == reason
    assert bool(p.overspent) == (spent > budget)


def test_projections_and_next_checkpoint_by_hand(julu: duckdb.DuckDBPyConnection) -> None:
    """Test plan-shaped, run-rate and owner projections and the amount to the October checkpoint."""
    st = compute_status(julu, JULY)
    p = _project(st, P3)
    assert round(p.plan_shaped, 2) == 35.56        # 20 / 56.25%
    assert round(p.run_rate, 2) == 34.29           # 20 × 12 / 7
    assert pd.isna(p.owner_projection)
    assert p.next_checkpoint_month == 10 and p.next_checkpoint_pct == 75.0
    assert round(p.next_checkpoint_amount, 2) == 54.00 and round(p.to_next_checkpoint, 2) == 34.00
    q = _project(st, "13052924P00584210795G")
    assert q.owner_projection == 26.00             # the 07-31 report, not 06-30's 20 nor 08-31's 30
    assert q.projection_source == "负责人预计"
    # a month later: August's 3.00 counts and the 08-31 report is current
    aug = compute_status(julu, date(2024, 8, 31))
    assert round(_project(aug, P3).spent, 2) == 23.00
    assert _project(aug, "13052924P00584210795G").owner_projection == 30.00


# (project code or None for the department part, 三级指标): (light, reason)
INDICATORS = {
    # 30 of ≥100 件: expected 100 × 7/12 = 58.3; the 06-30 correction entered later does not hide 07-31,
    # the 08-15 result is after the as-of date
    (P3, "支持办案（业务）数量"): ("red", "实际30件，按序时应达58.3件，完成51.4%（<60 红灯）"),
    (P3, "案件办结率"): ("yellow", "实际87%，目标≥90%，低于指标值3个百分点（容差5个百分点以内 黄灯）"),
    (P3, "设备购置、办案（业务）开展成本"): (
        "green", "已支出20.00万元，全年预计35.56万元（按计划推算），未超成本上限72.00万元（绿灯）"),
    (P3, "服务对象满意度"): ("grey", "待评：满意度调查尚未开展（灰灯）"),
    (P3, "促进改善办案条件"): ("grey", "未填报：尚无实际完成值（灰灯）"),
    # 150 of ≥210 件: expected 122.5 → 122.4% → blue (target may be too low)
    ("13052924P00584210795G", "支持司法行政机关办案业务数量"): (
        "blue", "实际150件，按序时应达122.5件，完成122.4%（≥120 蓝灯，远超进度）"),
    ("13052924P00584210795G", "办案业务及业务装备总成本"): (
        "green", "已支出10.00万元，全年预计26.00万元（负责人预计），未超成本上限26.00万元（绿灯）"),
    ("13052924P00584210803P", "脱管比例"): ("red", "实际0.6%，目标≤0.5%（超过上限 红灯）"),
    ("13052924P00584210803P", "完成调查评估平均期限"): ("green", "实际8工作日，目标≤10 工作日（未超上限 绿灯）"),
    ("13052924P00584210803P", "社区矫正工作总成本"): ("red", "已支出3.00万元，超过成本上限2.90万元（红灯）"),
    # A training count: 培训 + unit 次 → guessed 集中开展 (scheduled, DOMAIN §5a). No milestones, so it is
    # judged from the last quarter: at 07-31 months = 7.0 ≤ 9 → not due; 1 of ≥2 次 is not yet the full
    # target (1 < 2), so grey 未到期 (as flow it was green: 1 ÷ (2 × 7/12 = 1.17) = 85.7%).
    ("13052924P00584012122M", "社区矫正工作人员培训次数"): (
        "grey", "未到期：集中开展指标，第四季度起评价（灰灯）"),
    # within the ceiling, but the owner says 有可能 → yellow
    ("13052924P00584012122M", "社区矫正对象再犯罪率"): (
        "yellow", "实际0.1%，目标≤0.2%（未超上限 绿灯）；负责人判断完成目标可能性为“有可能”，调为黄灯"),
    # not yet due, but the owner says 完全不可能 → red
    ("13052924P00584012128B", "经费保障及时性"): (
        "red", "未到期：期限2024-12-31，尚未完成（灰灯）；负责人判断完成目标可能性为“完全不可能”，调为红灯"),
    # 1.20 spent of a ≤2 万元 cap, but plan-shaped 1.2 / 56.25% = 2.13 → yellow
    # Ahead of plan (60.00% vs 56.25%): plan-shaped 1.20 ÷ 0.5625 = 2.13 is capped at the budget 2.00,
    # so spending ahead of plan is not a cost overrun (DOMAIN §5a).
    ("13052924P00584012128B", "法律援助工作总成本"): (
        "green", "已支出1.20万元，全年预计2.00万元（按计划推算，以预算数为限），未超成本上限2.00万元（绿灯）"),
    ("13052924P00584012124W", "群众法律意识普及率"): ("green", "实际95%，目标≥95%（达标 绿灯）"),
    # ≥1 次 training → 集中开展 without milestones: 7.0 months ≤ 9 → grey 未到期 (no result entered)
    ("13052924P00584012127P", "人民调解员培训次数"): ("grey", "未到期：集中开展指标，第四季度起评价（灰灯）"),
    # Nothing spent yet: grey 尚未支出, not green (DOMAIN §5a).
    ("13052924P00584012129Y", "普法工作总成本"): ("grey", "尚未支出：成本上限2.00万元（灰灯）"),
    (None, "网络安全事件量 0次"): ("green", "实际0次，目标0次（未发生 绿灯）"),
    (None, "年底前完成行政执法资格考试"): ("green", "已于2024-06-15完成，期限2024-12-31（绿灯）"),
    (None, "参加培训人员的法律知识水平和依法行政能力得到提升"): ("yellow", "负责人评价：部分达成（黄灯）"),
    (None, "组织普法培训 100人次以上"): ("grey", "未填报：尚无实际完成值（灰灯）"),
}


@pytest.mark.parametrize("key", list(INDICATORS), ids=lambda k: k[1])
def test_indicator_lights_by_hand(julu: duckdb.DuckDBPyConnection, key: tuple[str | None, str]) -> None:
    """Test each indicator's light and reason against the hand computation."""
    light, reason = INDICATORS[key]
    row = _indicator(compute_status(julu, JULY), *key)
    assert (row.light, row.reason) == (light, reason)


def test_indicator_result_details(julu: duckdb.DuckDBPyConnection) -> None:
    """Test that the current result's causes, likelihood and measure come along."""
    row = _indicator(compute_status(julu, JULY), P3, "支持办案（业务）数量")
    assert row.actual == 30 and round(row.expected, 2) == 58.33
    assert list(row.cause_categories) == ["人员保障"] and row.cause_text == "办案人员调整"
    assert row.likelihood == "确定能" and row.measure == "下半年集中办案"
    assert pd.Timestamp(row.result_as_of).date() == JULY
    later = _indicator(compute_status(julu, date(2024, 8, 31)), P3, "支持办案（业务）数量")
    assert later.actual == 80
    earlier = _indicator(compute_status(julu, date(2024, 6, 30)), P3, "支持办案（业务）数量")
    assert earlier.actual == 25                    # the correction of 06-30 (highest id for that date)


# code: (goal light, combined light)
ROLLUPS = {
    "13052924P00584012128B": ("red", "red"),       # deadline judged impossible
    "13052924P00584012124W": ("green", "green"),
    P3: ("red", "red"),
    "13052924P00584210795G": ("green", "yellow"),  # blue + green → green (blue is on track); spend yellow
    "13052924P00584210803P": ("red", "red"),
    "13052924P00584012129Y": ("grey", "red"),      # nothing judged yet (cost: 尚未支出); spend red
    "13052924P00584012127P": ("green", "green"),
    "13052924P00584012122M": ("yellow", "yellow"),
}


def test_project_rollups(julu: duckdb.DuckDBPyConnection) -> None:
    """Test goal light = worst indicator, combined = worst of spend and goal, and the counts."""
    st = compute_status(julu, JULY)
    for code, (goal, combined) in ROLLUPS.items():
        p = _project(st, code)
        assert (p.goal_light, p.combined_light) == (goal, combined), code
        assert p.n_indicators == 7
    p = _project(st, P3)
    assert (p.n_red, p.n_yellow, p.n_green, p.n_blue, p.n_grey) == (1, 1, 1, 0, 4)
    assert p.reason == ("支出进度：执行率27.78%，计划应达56.25%，比值49.4（<60 红灯）；"
                        "绩效指标：红灯1个、黄灯1个、绿灯1个、灰灯4个（目标灯红灯）")


def test_department_and_total(julu: duckdb.DuckDBPyConnection) -> None:
    """Test the department totals: 42.15 of 122.90 → 34.30%, against 56.25% → 61.0 → yellow."""
    st = compute_status(julu, JULY)
    assert len(st.departments) == 1
    d = st.departments.iloc[0]
    assert d.department_code == "315001" and d.n_projects == 8
    assert round(d.budget, 2) == 122.90 and round(d.spent, 2) == 42.15
    assert round(d.execution_pct, 2) == 34.30 and round(d.expected_pct, 2) == 56.25
    assert round(d.time_pct, 2) == 58.33 and d.ratio == 61.0
    assert d.light == "yellow" and d.execution_reason == "执行率34.30%，计划应达56.25%，比值61.0（60–80 黄灯）"
    assert (d.projects_red, d.projects_yellow, d.projects_green) == (4, 2, 2)
    # §5a: 法律援助工作总成本 yellow -> green (projection capped at budget), 普法工作总成本 green -> grey, and the
    # count natures: 社区矫正工作人员培训次数 (集中开展, grey until Q4) green -> grey, so 11 - 1 = 10 green and
    # 60 + 1 = 61 grey. The other counts without a result stay grey whatever their nature (宣传/培训/评查 次数
    # 集中开展 未到期, 印刷宣传资料 一次性 未到期 until 12, 系统维护数量 存量 未填报); 4 + 3 + 10 + 1 + 61 = 79.
    assert (d.indicators_red, d.indicators_yellow, d.indicators_green, d.indicators_blue, d.indicators_grey) == (
        4, 3, 10, 1, 61)
    assert d.goal_light == "red" and d.combined_light == "red"
    assert st.total["budget"] == pytest.approx(122.90) and st.total["light"] == "yellow"
    assert st.total["n_indicators"] == 79


def test_budget_weighted_expectation(julu: duckdb.DuckDBPyConnection) -> None:
    """Test that the department expectation is budget-weighted (plans differ before June)."""
    st = compute_status(julu, date(2024, 3, 31))
    p = st.projects
    weighted = (p["budget"] * p["expected_pct"]).sum() / p["budget"].sum()
    # 25% on 2+1+2+7+10 = 22.00, 8% on 72+26+2.9 = 100.90 → (5.5 + 8.072) / 122.9
    assert round(weighted, 2) == round(100 * (22.00 * 0.25 + 100.90 * 0.08) / 122.90, 2) == 11.04
    assert round(st.departments.iloc[0].expected_pct, 2) == 11.04


def test_rules_from_settings_change_the_lights(julu: duckdb.DuckDBPyConnection) -> None:
    """Test that stored settings switch the rule without code: points rule and step reading."""
    save_rules(julu, store.SYSTEM, replace(DEFAULT_RULES, execution_rule="points", plan_method="step"))
    st = compute_status(julu, JULY)
    p = _project(st, P3)
    assert p.expected_pct == 50.0                  # step: June's 50% until October
    assert p.execution_light == "red"
    assert p.execution_reason == "执行率27.78%，计划应达50.00%，偏差-22.22个百分点（<-15 红灯）"
    q = _project(st, "13052924P00584210795G")     # 38.46 − 50 = −11.54 → yellow
    assert q.execution_light == "yellow" and "偏差-11.54个百分点（-15至-5 黄灯）" in q.execution_reason


def test_before_anything_is_expected(julu: duckdb.DuckDBPyConnection) -> None:
    """Test the step reading in February: nothing expected, grey unless something was spent (the
    grey-before-the-first-checkpoint setting switched off, so the step rule itself decides)."""
    rules = replace(DEFAULT_RULES, plan_method="step", grey_before_first_checkpoint=False)
    st = compute_status(julu, date(2024, 2, 29), rules=rules)
    lights = dict(zip(st.projects["code"], st.projects["execution_light"], strict=True))
    assert lights["13052924P00584210795G"] == "green"      # 4.00 spent in February
    assert lights["13052924P00584012127P"] == "green"      # 1.50 in January
    assert lights[P3] == "grey"
    assert _project(st, P3).execution_reason == "未到支出节点：计划应达0.00%，尚无支出（灰灯）"


def test_department_filter_and_fiscal_year(julu: duckdb.DuckDBPyConnection) -> None:
    """Test --department scoping and that another year's departments stay out."""
    dep_id = julu.execute("SELECT id FROM departments WHERE code = '315001'").fetchone()[0]
    st = compute_status(julu, JULY, department_id=dep_id)
    assert len(st.projects) == 8
    assert compute_status(julu, date(2023, 7, 31)).projects.empty
    # explicitly asked for, a 2024 department at an as-of date in 2025 is a full year
    late = compute_status(julu, date(2025, 1, 31), department_id=dep_id)
    assert set(late.projects["expected_pct"]) == {100.0} and set(late.projects["time_pct"]) == {100.0}


def test_retired_projects_are_left_out(julu: duckdb.DuckDBPyConnection) -> None:
    julu.execute("UPDATE projects SET retired = true WHERE code = ?", [P3])
    st = compute_status(julu, JULY)
    assert P3 not in set(st.projects["code"]) and P3 not in set(st.indicators["project_code"].dropna())
    assert round(st.departments.iloc[0].budget, 2) == 50.90


def test_spend_series_and_last_data_date(julu: duckdb.DuckDBPyConnection) -> None:
    pid = julu.execute("SELECT id FROM projects WHERE code = ?", [P3]).fetchone()[0]
    s = spend_series(julu, project_id=pid, year=2024)
    assert list(s["month"]) == list(range(1, 13))
    assert s.loc[s["month"] == 7, "amount"].item() == 8.0           # the corrected figure
    assert s.loc[s["month"] == 7, "cumulative"].item() == 20.0
    assert s.loc[s["month"] == 8, "cumulative"].item() == 23.0
    assert pd.isna(s.loc[s["month"] == 9, "cumulative"].item())     # no data after August
    assert s.loc[s["month"] == 2, "cumulative"].item() == 0.0                # before the first spend
    assert round(s.loc[s["month"] == 7, "cumulative_pct"].item(), 2) == 27.78
    dep_id = julu.execute("SELECT id FROM departments").fetchone()[0]
    d = spend_series(julu, department_id=dep_id, year=2024)
    assert d.loc[d["month"] == 7, "cumulative"].item() == pytest.approx(42.15)
    assert d["budget"].iloc[0] == pytest.approx(122.90)
    assert last_data_date(julu) == date(2024, 8, 31)                # the 08-31 report, 08 spend
    with pytest.raises(ValueError):
        spend_series(julu, year=2024)


def test_indicator_order(julu: duckdb.DuckDBPyConnection) -> None:
    """Test the order: department-level indicators (by sub-goal) first, then projects by seq."""
    ind = compute_status(julu, JULY).indicators
    part = ind["project_seq"].isna()
    assert part.iloc[:23].all() and not part.iloc[23:].any()
    assert list(ind["sub_goal_seq"].iloc[:23]) == sorted(ind["sub_goal_seq"].iloc[:23])
    seqs = list(ind["project_seq"].iloc[23:])
    assert seqs == sorted(seqs) and list(ind["seq"].iloc[23:30]) == list(range(1, 8))


def test_to_json_shape(julu: duckdb.DuckDBPyConnection) -> None:
    """Test the JSON contract: 2-decimal amounts and percentages, light names."""
    out = to_json(compute_status(julu, JULY))
    assert out["as_of"] == "2024-07-31"
    p = next(x for x in out["projects"] if x["code"] == P3)
    assert p["budget"] == 72.0 and p["spent"] == 20.0 and p["execution_pct"] == 27.78
    assert p["expected_pct"] == 56.25 and p["time_pct"] == 58.33
    assert p["projections"] == {"plan_shaped": 35.56, "run_rate": 34.29, "owner": None}
    assert p["execution_light"] == "red" and p["combined_light"] == "red"
    assert {x["light"] for x in out["indicators"]} <= set(LIGHTS)
    dept_level = [x for x in out["indicators"] if x["project_code"] is None]
    assert len(dept_level) == 23
    json.dumps(out, ensure_ascii=False)  # serialisable as is


# --------------------------------------------------------------------------------------------
# Property-style agreement between the SQL engine and the pure functions

PLANS = [
    [(3, 25.0), (6, 50.0), (10, 75.0), (12, 100.0)],
    [(3, 8.0), (6, 50.0), (10, 75.0), (12, 100.0)],
    [(3, 0.0), (6, 30.0), (12, 100.0)],
    [(2, 10.0), (4, 30.0), (8, 60.0), (12, 100.0)],
    [(3, 30.0), (10, 90.0)],                     # ends before December
    [],                                          # no plan: 序时
]
AS_OF = [date(2024, 1, 1), date(2024, 2, 29), date(2024, 3, 31), date(2024, 5, 15), date(2024, 7, 31),
         date(2024, 10, 31), date(2024, 12, 31)]
UNITS = ["件", "次", "%", "人次", "工作日", "万元", "元", None]


def _edge_amount(rng: random.Random, budget: float) -> Decimal:
    """Amounts that tend to land on ratio edges (exact cents)."""
    choice = rng.random()
    if choice < 0.3:
        amount = Decimal(rng.choice([0, 1, 5, 10, 25, 30, 40, 50])) * Decimal(str(budget)) / 100
    else:
        amount = Decimal(str(round(rng.uniform(0, budget / 3), 2)))
    return amount.quantize(Decimal("0.01"))


def _generate(conn: duckdb.DuckDBPyConnection, rng: random.Random) -> dict[str, Any]:
    """Write a random department-year straight into the tables; return what was written."""
    cur = conn.cursor()
    cur.execute("INSERT INTO departments (id, code, name, fiscal_year) VALUES (900, 'G900', '生成部门', 2024)")
    cur.execute("INSERT INTO sub_goals (id, department_id, seq, title) VALUES (900, 900, 1, '分项')")
    truth: dict[str, Any] = {"projects": {}, "indicators": {}}
    spend_id = report_id = result_id = ind_id = 0
    for pid in range(1, 61):
        budget = rng.choice([0.0, 1.0, 2.9, 10.0, 26.0, 72.0, 100.0, 0.5])
        plan = rng.choice(PLANS)
        cur.execute("INSERT INTO projects (id, department_id, seq, code, name, budget) VALUES (?, 900, ?, ?, ?, ?)",
                    [pid, pid, f"G{pid:03d}", f"项目{pid}", budget])
        for m, p in plan:
            cur.execute("INSERT INTO plan_checkpoints VALUES (?, ?, ?)", [pid, m, p])
        spend: list[tuple[int, int, Decimal]] = []
        for month in rng.sample(range(1, 13), rng.randint(0, 6)):
            for _ in range(rng.choice([1, 1, 2])):  # sometimes a correction
                spend_id += 1
                amount = _edge_amount(rng, budget or 10.0)
                cur.execute("INSERT INTO spend_entries (id, project_id, period, amount, entered_by) VALUES (?, ?, ?, ?, 't')",
                            [spend_id, pid, date(2024, month, 1), amount])
                spend.append((spend_id, month, amount))
        reports: list[tuple[int, date, float | None]] = []
        for _ in range(rng.choice([0, 0, 1, 2])):
            report_id += 1
            when = rng.choice(AS_OF)
            amount = rng.choice([None, round(rng.uniform(0, budget * 1.5 + 1), 2)])
            cur.execute("INSERT INTO project_reports (id, project_id, as_of, projected_amount, entered_by) VALUES (?, ?, ?, ?, 't')",
                        [report_id, pid, when, amount])
            reports.append((report_id, when, amount))
        truth["projects"][pid] = {"budget": budget, "plan": plan, "spend": spend, "reports": reports}
    for _ in range(400):
        ind_id += 1
        kind = rng.choice(["count", "count", "rate", "ceiling", "zero", "cost", "deadline", "qualitative"])
        comparator = {"count": ">=", "rate": ">=", "ceiling": "<=", "zero": "=", "cost": "<=",
                      "deadline": "deadline", "qualitative": "qualitative"}[kind]
        if kind in ("count", "rate") and rng.random() < 0.1:
            comparator = "<="
        pid = rng.choice([None] + list(range(1, 61)) * 3)
        target = {"count": rng.choice([1, 2, 3, 12, 100, 210, None]), "rate": rng.choice([80, 90, 98, 100, None]),
                  "ceiling": rng.choice([0.2, 0.5, 10, None]), "zero": 0, "cost": rng.choice([0.5, 2, 2.9, 26, 72, 5000, None]),
                  "deadline": None, "qualitative": None}[kind]
        unit = rng.choice(UNITS)
        level2 = rng.choice(["数量指标", "服务对象满意度指标", "质量指标", None])
        level3 = rng.choice(["办案数量", "群众满意度", "合格率", "成本"])
        deadline = rng.choice([None, date(2024, 6, 30), date(2024, 12, 31), date(2024, 3, 31)]) if kind == "deadline" else None
        target_text = f"≥{target}{unit or ''}"
        nature = rng.choice([None, None, "flow", "stock", "one_off", "scheduled"])
        cur.execute(
            "INSERT INTO indicators (id, department_id, project_id, sub_goal_id, seq, level1, level2, level3, target_text, "
            "comparator, value, unit, deadline, kind, nature) VALUES (?, 900, ?, ?, ?, '产出指标', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [ind_id, pid, 900 if pid is None else None, ind_id, level2, level3, target_text, comparator, target, unit,
             deadline, kind, nature])
        milestones: list[tuple[int, float]] = []
        if kind == "count" and rng.random() < 0.25:
            total = 0.0
            for m in sorted(rng.sample(range(1, 13), rng.randint(1, 4))):
                total += rng.choice([0.5, 1, 2, 10])
                milestones.append((m, total))
                cur.execute("INSERT INTO indicator_milestones VALUES (?, ?, ?)", [ind_id, m, total])
        results: list[dict[str, Any]] = []
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            result_id += 1
            base = target if isinstance(target, (int, float)) else 1
            value = rng.choice([None, 0, base, base - 0.01, base + 0.01, base - 5, base - 5.01, base * 0.6, base * 0.8,
                                base * 0.35, round(rng.uniform(0, base * 1.5 + 1), 2)])
            r = {
                "id": result_id, "as_of": rng.choice(AS_OF), "value": value,
                "done_date": rng.choice([None, None, date(2024, 5, 10), date(2024, 8, 1)]),
                "rating": rng.choice([None, "达成", "部分达成", "未达成"]),
                "likelihood": rng.choice([None, None, "确定能", "有可能", "完全不可能"]),
                "projected_value": rng.choice([None, round(rng.uniform(0, 80), 2)]),
            }
            cur.execute(
                "INSERT INTO indicator_results (id, indicator_id, as_of, value, done_date, rating, likelihood, projected_value, entered_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 't')",
                [r["id"], ind_id, r["as_of"], r["value"], r["done_date"], r["rating"], r["likelihood"], r["projected_value"]])
            results.append(r)
        truth["indicators"][ind_id] = {
            "kind": kind, "comparator": comparator, "target": target, "unit": unit, "target_text": target_text,
            "level2": level2, "level3": level3, "deadline": deadline, "milestones": tuple(milestones),
            "project_id": pid, "results": results, "nature": nature,
        }
    cur.close()
    return truth


def _pure_project(p: dict[str, Any], as_of: date, rules: Rules) -> dict[str, Any]:
    latest: dict[int, tuple[int, Decimal]] = {}
    for sid, month, amount in p["spend"]:
        if date(2024, month, 1) <= as_of and (month not in latest or sid > latest[month][0]):
            latest[month] = (sid, amount)
    spent = float(sum((a for _, a in latest.values()), Decimal(0)))
    expected = expected_pct(p["plan"], as_of, rules.plan_method, 2024)
    owner_rows = [r for r in p["reports"] if r[1] <= as_of and r[2] is not None]
    owner = max(owner_rows, key=lambda r: (r[1], r[0]))[2] if owner_rows else None
    light, reason = execution_light(spent, p["budget"], expected, rules, months=months_elapsed(as_of, 2024))
    pct, ratio, gap = execution_figures(spent, p["budget"], expected)
    proj = project_projections(spent, expected, months_elapsed(as_of, 2024), owner)
    return {"budget": float(p["budget"]), "spent": spent, "expected_pct": expected, "execution_pct": pct, "ratio": ratio, "gap_pp": gap,
            "execution_light": light, "execution_reason": reason, "next": next_checkpoint(p["plan"], as_of, 2024),
            **proj}


def _pure_indicator(i: dict[str, Any], as_of: date, rules: Rules, projects: dict[int, dict[str, Any]]) -> tuple[str, str]:
    rows = [r for r in i["results"] if r["as_of"] <= as_of]
    r = max(rows, key=lambda r: (r["as_of"], r["id"])) if rows else {}
    proj = projects.get(i["project_id"]) if i["project_id"] is not None else None
    facts = IndicatorFacts(
        kind=i["kind"], comparator=i["comparator"], target=None if i["target"] is None else float(i["target"]),
        unit=i["unit"], target_text=i["target_text"], level2=i["level2"], level3=i["level3"], deadline=i["deadline"],
        fiscal_year=2024, milestones=i["milestones"], nature=i["nature"], result_as_of=r.get("as_of"),
        actual=None if r.get("value") is None else float(r["value"]), done_date=r.get("done_date"),
        rating=r.get("rating"), likelihood=r.get("likelihood"), projected_value=r.get("projected_value"),
        project_spent=None if proj is None else proj["spent"],
        project_projection=None if proj is None else proj["projection"],
        project_projection_source=None if proj is None else proj["projection_source"],
        project_budget=None if proj is None else proj["budget"],
    )
    return indicator_light(facts, as_of, rules)


def _same(a: Any, b: Any) -> bool:
    if a is None or (isinstance(a, float) and pd.isna(a)):
        return b is None or (isinstance(b, float) and pd.isna(b))
    return b is not None and not pd.isna(b) and abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize(
    "rules",
    [DEFAULT_RULES, Rules(execution_rule="points", plan_method="step", rate_tolerance_pp=3, count_blue_from=150)],
    ids=["default", "points-step"],
)
def test_engine_agrees_with_pure_functions(empty_db: duckdb.DuckDBPyConnection, seed: int, rules: Rules) -> None:
    """Test that on generated projects and indicators the SQL engine gives the pure functions' answers."""
    rng = random.Random(seed)
    truth = _generate(empty_db, rng)
    checked = 0
    for as_of in AS_OF:
        st = compute_status(empty_db, as_of, rules=rules)
        pure_projects = {pid: _pure_project(p, as_of, rules) for pid, p in truth["projects"].items()}
        assert len(st.projects) == len(pure_projects)
        for row in st.projects.itertuples(index=False):
            want = pure_projects[row.project_id]
            assert row.execution_light == want["execution_light"], (as_of, row.code)
            assert row.execution_reason == want["execution_reason"], (as_of, row.code)
            for col in ("spent", "expected_pct", "execution_pct", "ratio", "gap_pp", "plan_shaped", "run_rate",
                        "projection"):
                assert _same(getattr(row, col), want[col]), (as_of, row.code, col)
            assert row.owner_projection == want["owner"] or (pd.isna(row.owner_projection) and want["owner"] is None)
            assert (None if pd.isna(row.next_checkpoint_month) else (int(row.next_checkpoint_month), row.next_checkpoint_pct)) == want["next"]
            assert row.time_pct == time_pct(as_of)
        assert len(st.indicators) == len(truth["indicators"])
        for row in st.indicators.itertuples(index=False):
            want_light, want_reason = _pure_indicator(truth["indicators"][row.indicator_id], as_of, rules, pure_projects)
            assert (row.light, row.reason) == (want_light, want_reason), (as_of, row.indicator_id, row.kind)
            checked += 1
    assert checked == 400 * len(AS_OF)
    # the generated cases reach every light
    assert set(st.indicators["light"]) | set(st.projects["execution_light"]) >= {"red", "yellow", "green", "grey"}

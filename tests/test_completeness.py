"""填报情况 set-based (issue 15 item 6): every department of a year in one read, with the same
figures as one department at a time, on a hand-made database of three departments (two in 2024,
one in 2025) -- expected values worked out by hand from the rows written below."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd
import pytest

from perfwatch import dataset, declarations, entry, pageviews, review, store
from perfwatch.vocab import CAUSE_CATEGORIES

OWNER = store.Actor("李科长", "owner")
FINANCE = store.Actor("张会计", "finance")
TODAY = dt.date(2024, 8, 15)
JUNE = dt.date(2024, 6, 30)


def _indicator(level3: str, kind: str = "count") -> dict[str, Any]:
    return {"level1": "产出指标", "level2": "数量指标", "level3": level3, "description": level3,
            "target_text": "≥10 件", "comparator": ">=", "value": 10, "unit": "件", "deadline": None,
            "kind": kind, "basis": None}


@pytest.fixture
def county_db(empty_db: duckdb.DuckDBPyConnection, mini_data: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    """The mini dataset (900001: P001 with 3 indicators, P002 with 1, one department-level
    indicator) plus 900002 (2024: Q001 with 2 indicators, Q002 with 1, no department-level one)
    and 900003 (2025: R001 with 1 indicator), all loaded through the one write path."""
    data = copy.deepcopy(mini_data)
    data["departments"] += [
        {"code": "900002", "name": "测试县第二局", "fiscal_year": 2024, "overall_goal": "二局目标",
         "safeguards": None, "sub_goals": []},
        {"code": "900003", "name": "测试县第三局", "fiscal_year": 2025, "overall_goal": "三局目标",
         "safeguards": None, "sub_goals": []},
    ]
    base = data["projects"][1]
    for seq, code, dept, year, inds in ((1, "Q001", "900002", 2024, ["二局甲数", "二局乙数"]),
                                        (2, "Q002", "900002", 2024, ["二局丙数"]),
                                        (1, "R001", "900003", 2025, ["三局数"])):
        data["projects"].append(dict(base, seq=seq, code=code, name=f"{code}项目", department_code=dept,
                                     fiscal_year=year, indicators=[_indicator(n) for n in inds]))
    dataset.load_targets(empty_db, store.SYSTEM, data)
    return empty_db


def _ids(conn: duckdb.DuckDBPyConnection, sql: str) -> dict[str, int]:
    return {str(k): int(v) for k, v in conn.execute(sql).fetchall()}


def _save(conn: duckdb.DuckDBPyConnection, level3: str, value: float, as_of: dt.date) -> None:
    i = next(i for i in entry.indicators_all(conn) if i.level3 == level3)
    entry.save_results(conn, OWNER, [entry.ResultInput(i.id, as_of, value=value)], today=TODAY)


def _submit(conn: duckdb.DuckDBPyConnection, project_id: int) -> None:
    """Declare the June round (with a cause: the project lags its plan) and submit it."""
    declarations.save(conn, FINANCE, [declarations.Declaration(
        project_id, JUNE, "10.00", (CAUSE_CATEGORIES[0],), "进度慢", "加快进度", "按计划推进")])
    review.submit(conn, FINANCE, project_id, JUNE)


def test_every_department_at_once_gives_the_hand_counted_figures(county_db: duckdb.DuckDBPyConnection) -> None:
    """Test that the one set-based read of 2024 at June 30 holds both 2024 departments (not the
    2025 one) with their indicator counts, 未填报/本期未更新 per project, spend missing and review
    states as counted by hand, and that each equals the one-department read."""
    conn = county_db
    depts = _ids(conn, "SELECT code, id FROM departments")
    projects = _ids(conn, "SELECT code, id FROM projects")
    _save(conn, "办案数量", 50.0, JUNE)                  # 900001 P001: current
    _save(conn, "服务对象满意度", 95.0, dt.date(2024, 5, 31))  # 900001 P001: only May -> 本期未更新
    _save(conn, "二局甲数", 8.0, JUNE)                   # 900002 Q001: current
    _save(conn, "二局乙数", 6.0, dt.date(2024, 4, 30))   # 900002 Q001: only April -> 本期未更新
    _save(conn, "二局丙数", 9.0, dt.date(2024, 7, 15))   # 900002 Q002: after June 30 -> 未填报
    entry.save_spend(conn, FINANCE, [entry.SpendChange(projects["Q002"], dt.date(2024, 6, 1), Decimal(1), None)],
                     today=TODAY)
    _submit(conn, projects["Q001"])
    _submit(conn, projects["P002"])
    review.send_back(conn, FINANCE, projects["P002"], JUNE, "请补充佐证")

    every = pageviews.completeness_of_year(conn, 2024, JUNE)
    assert set(every) == {depts["900001"], depts["900002"]}

    # 900001 by hand: 5 indicators (P001: 3, P002: 1, department level: 1), 1 reported (办案数量);
    # owed: 经费保障及时性 and 总成本 and 组织培训 never reported, 服务对象满意度 stale since May;
    # no spend entered for June in either project; P002 returned with its comment.
    one = every[depts["900001"]]
    assert (one.indicators_reported, one.indicators_total, one.spend_missing, one.complete) == (1, 5, 2, False)
    assert (len(one.unreported), len(one.stale)) == (3, 1)
    assert one.projects[["项目编码", "指标已填/总数", "待填指标", "未填报", "本期未更新", "本月支出", "审核状态", "退回意见"]
                        ].values.tolist() == [["P001", "1/3", 2, 1, 1, "未填", "填报中", ""],
                                              ["P002", "0/1", 1, 1, 0, "未填", "已退回", "请补充佐证"]]
    assert dict(zip(one.stale["三级指标"], one.stale["最近结果"], strict=True)) == {"服务对象满意度": "95%（截至5月31日）"}

    # 900002 by hand: 3 indicators, 1 reported (二局甲数); 二局乙数 stale since April, 二局丙数's
    # only result is July's (after June 30) -> never reported; Q002's June spend entered, Q001's not.
    two = every[depts["900002"]]
    assert (two.indicators_reported, two.indicators_total, two.spend_missing) == (1, 3, 1)
    assert two.projects[["项目编码", "指标已填/总数", "未填报", "本期未更新", "本月支出", "审核状态"]].values.tolist() == [
        ["Q001", "1/2", 0, 1, "未填", "已提交"], ["Q002", "0/1", 1, 0, "已填", "填报中"]]
    assert dict(zip(two.missing["三级指标"], two.missing["情况"], strict=True)) == {"二局乙数": "本期未更新",
                                                                               "二局丙数": "未填报"}
    assert two.missing.loc[two.missing["三级指标"] == "二局乙数", "最近结果"].item() == "6 件（截至4月30日）"

    # The same figures as one department at a time (the review columns aside).
    for dept_id, rep in every.items():
        alone = entry.completeness(conn, dept_id, JUNE)
        pd.testing.assert_frame_equal(rep.projects.drop(columns=["审核状态", "退回意见"]), alone.projects)
        pd.testing.assert_frame_equal(rep.missing, alone.missing)
        assert (rep.indicators_reported, rep.indicators_total, rep.spend_missing) == (
            alone.indicators_reported, alone.indicators_total, alone.spend_missing)

    # 2025's department alone: 1 indicator, nothing reported, its spend missing.
    later = pageviews.completeness_of_year(conn, 2025, dt.date(2025, 6, 30))
    assert [(r.indicators_reported, r.indicators_total, r.spend_missing) for r in later.values()] == [(0, 1, 1)]

"""Page decisions moved out of the pages (perfwatch.pageviews): who sees which project, default months,
display tables. Expected values written by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from perfwatch import numfmt, pageviews
from perfwatch.store import Actor


@dataclass(frozen=True)
class _Project:
    id: int
    department_id: int
    code: str
    name: str
    retired: bool = False


PROJECTS = [_Project(1, 10, "P001", "甲项目"), _Project(2, 10, "P002", "乙项目"),
            _Project(3, 10, "P003", "丙项目", retired=True), _Project(4, 11, "P004", "丁项目")]


def test_owner_sees_only_assigned_live_projects_of_the_department() -> None:
    """An owner assigned P002 and P003 (retired) and P004 (other department) may report on P002 only,
    and not on the department-level indicators."""
    choices = pageviews.result_choices(PROJECTS, Actor("zhang", "owner", frozenset({2, 3, 4})), 10)
    assert choices.options == [2]
    assert choices.labels[2] == "P002 乙项目"


def test_admin_sees_every_live_project_and_the_department_part() -> None:
    choices = pageviews.result_choices(PROJECTS, Actor("root", "admin", None), 10)
    assert choices.options == [1, 2, None]
    assert choices.labels[None] == "部门整体绩效目标"
    # an owner without a project limit (development actor) is not limited either
    assert pageviews.result_choices(PROJECTS, Actor("dev", "owner", None), 10).options == [1, 2, None]


def test_report_default_month() -> None:
    """The dashboard's 截至日期 month when it falls in the fiscal year, else December."""
    assert pageviews.report_default_month(dt.date(2024, 7, 31), 2024) == 7
    assert pageviews.report_default_month(dt.date(2025, 1, 31), 2024) == 12


def test_projects_table_formats_money_and_headers() -> None:
    frame = pd.DataFrame([{"id": 1, "seq": 1, "code": "P001", "name": "甲项目", "budget": 12.345,
                           "fiscal_funds": 10.0, "other_funds": 2.345, "purpose": "x", "plan": "6月50%",
                           "indicators": 3}])
    table = pageviews.projects_table(frame)
    assert list(table.columns) == ["序号", "项目编码", "项目名称", "预算数", "财政资金", "其他资金",
                                   "资金支出计划（累计）", "指标数"]
    # 12.345 万元 rounded half-up to 2 decimals by hand: 12.35
    assert table.iloc[0]["预算数"] == "12.35" and table.iloc[0]["其他资金"] == "2.35"


def test_overall_goal_blank_is_none() -> None:
    assert pageviews.overall_goal(pd.DataFrame({"overall_goal": [None]})) is None
    assert pageviews.overall_goal(pd.DataFrame({"overall_goal": ["  "]})) is None
    assert pageviews.overall_goal(pd.DataFrame(columns=["overall_goal"])) is None
    assert pageviews.overall_goal(pd.DataFrame({"overall_goal": ["全年完成"]})) == "全年完成"


def test_as_of_after_the_last_data_is_flagged() -> None:
    """Last data 2024-07-31: 7月底 is fine, 9月底 gets a warning naming both dates; no data, no warning."""
    assert pageviews.as_of_after_data_note(dt.date(2024, 7, 31), dt.date(2024, 7, 31)) is None
    assert pageviews.as_of_after_data_note(dt.date(2024, 6, 30), dt.date(2024, 7, 31)) is None
    # data entered on 7-15 still covers July
    assert pageviews.as_of_after_data_note(dt.date(2024, 7, 31), dt.date(2024, 7, 15)) is None
    note = pageviews.as_of_after_data_note(dt.date(2024, 9, 30), dt.date(2024, 7, 31))
    assert note is not None and "2024-09-30" in note and "2024-07-31" in note and "9 月底" in note
    assert pageviews.as_of_after_data_note(dt.date(2024, 9, 30), None) is None


def test_screen_rounds_half_up_like_excel() -> None:
    """2.175 is 2.17499… in binary; Excel and the PDF show 2.18, so the screen does too (by hand)."""
    shown = pageviews.display_table(pd.DataFrame({"金额": [2.175, 0.5833333, 1234567.005], "比值": [0.35, 1.0, 2.0],
                                                  "行": [12.0, 1.0, 2.0]}), {"比值": 1, "行": 0}).frame
    assert shown["金额"].tolist() == [2.18, 0.58, 1234567.01]
    assert shown["比值"][0] == 0.4 and shown["行"][0] == 12
    assert numfmt.money(1234567.005) == "1,234,567.01"  # the text form, with thousands separators
    assert numfmt.money(None) == "—" and numfmt.money(float("nan")) == "—"


def test_display_table_never_shows_none_or_nan() -> None:
    """Text None → blank, missing dates "—", floats rounded half-up to 2 decimals (row numbers as
    asked) and left numeric, so the table sorts by value; a missing number stays missing (the table's
    placeholder draws it as "—")."""
    frame = pd.DataFrame({"名称": ["甲", None], "金额": [0.3, None], "行": [3.0, None],
                          "日期": [pd.Timestamp("2024-07-31"), pd.NaT], "个数": [1, 2]})
    table = pageviews.display_table(frame, {"行": 0})
    shown = table.frame
    assert shown["名称"].tolist() == ["甲", ""]
    assert shown["日期"].tolist() == ["2024-07-31", "—"]
    assert shown["金额"].dtype.kind == "f" and shown["金额"][0] == 0.3 and pd.isna(shown["金额"][1])
    assert table.places == {"金额": 2, "行": 0}  # the integer column 个数 is shown as it is
    # 2.175 is 2.17499… in binary: half-up on the decimal form gives 2.18 (as Excel), 0.35 at 1 decimal → 0.4
    rounded = pageviews.display_table(pd.DataFrame({"金额": [2.175, 10.0], "比值": [0.35, 2.25]}), {"比值": 1}).frame
    assert rounded["金额"].tolist() == [2.18, 10.0] and rounded["比值"].tolist() == [0.4, 2.3]

def test_decimal_columns_are_shown_as_numbers() -> None:
    """当前应达 comes from DuckDB as Decimal objects: shown with 2 decimals like every amount, not as
    text "2" next to "58.33" (by hand: 58.333 → 58.33, 2 → 2.00 drawn by the number column)."""
    from decimal import Decimal

    table = pageviews.display_table(pd.DataFrame({"当前应达": [Decimal("2"), Decimal("58.333"), None],
                                                  "指标值": ["≥2 次", "100%", None]}))
    assert table.places == {"当前应达": 2}
    assert table.frame["当前应达"].tolist()[:2] == [2.0, 58.33] and pd.isna(table.frame["当前应达"][2])
    assert table.frame["指标值"].tolist() == ["≥2 次", "100%", ""]

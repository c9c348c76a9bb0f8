"""Indicator-result files nobody has seen yet: county exports with titles, 完成值 as text, Excel cells."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest

from perfwatch import entry
from perfwatch.importers.results import interpret_value, parse_results
from perfwatch.importers.spend import RowError

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = dt.date(2024, 8, 15)


def test_county_gb18030_file_with_title_lines() -> None:
    """Test 项目编码/三级指标/截止日期/完成值 under two title lines: 截止日期 as 2024-06-30, 6月末 (year
    from the title), 2024年6月30日 and an Excel serial; 完成值 kept raw."""
    rf = parse_results((FIXTURES / "results_county_gb18030.csv").read_bytes(), "监控表.csv")
    assert rf.errors == [] and not rf.needs_mapping
    assert [(r.row, r.project_code, r.level3, r.as_of, r.value_raw) for r in rf.rows] == [
        (4, "P001", "服务对象满意度", dt.date(2024, 6, 30), "85%"),
        (5, "P001", "办案数量", dt.date(2024, 6, 30), "45"),
        (6, "P001", "经费保障及时性", dt.date(2024, 6, 30), "已于2024年6月28日完成"),
        (7, "P002", "总成本", dt.date(2024, 6, 30), "5"),
    ]
    assert rf.rows[1].cause_categories == ("人员保障",) and rf.rows[1].cause_text == "案件量少于预期"


def test_county_file_plans_every_indicator(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that the county file resolves to the right values: 85% -> 85, the done date found in the text."""
    rf = parse_results((FIXTURES / "results_county_gb18030.csv").read_bytes(), "监控表.csv")
    plan = entry.plan_results_import(mini_db, rf, today=TODAY)
    assert plan.errors == []
    assert [(i.as_of, i.value, i.done_date) for i in plan.inputs] == [
        (dt.date(2024, 6, 30), 85.0, None), (dt.date(2024, 6, 30), 45.0, None),
        (dt.date(2024, 6, 30), None, dt.date(2024, 6, 28)), (dt.date(2024, 6, 30), 5.0, None)]


@pytest.mark.parametrize(
    ("raw", "kind", "percent", "expected"),
    [
        ("85%", "number", True, (85.0, None, None)),
        ("85 ％", "number", True, (85.0, None, None)),
        ("2024年6月30日", "date", False, (None, dt.date(2024, 6, 30), None)),
        ("已于2024年6月28日完成", "date", False, (None, dt.date(2024, 6, 28), None)),
        (dt.datetime(2024, 6, 30), "date", False, (None, dt.date(2024, 6, 30), None)),
        (45473, "date", False, (None, dt.date(2024, 6, 30), None)),        # Excel serial number
        ("尚未完成", "date", False, (None, None, None)),
        ("达成", "rating", False, (None, None, "达成")),
        ("已完成", "rating", False, (None, None, "达成")),
        ("基本完成", "rating", False, (None, None, "部分达成")),
        ("未 完 成", "rating", False, (None, None, "未达成")),
    ],
)
def test_value_spellings(raw: Any, kind: str, percent: bool, expected: tuple[Any, ...]) -> None:
    """Test 完成值 as people write it: 85%, dates in text, serials, and rating words."""
    assert interpret_value(raw, kind, percent) == expected


@pytest.mark.parametrize(
    ("raw", "kind", "percent", "message"),
    [
        ("已完成", "date", False, "时限类指标的完成值须为实际完成日期（如 2024-05-20），“已完成”没有写日期；未完成请留空。"),
        ("达成", "number", False, "完成值不是数字：“达成”不是数字"),
        ("2024年6月30日", "number", False, "完成值不是数字：“2024年6月30日”不是数字"),
        ("85%", "number", False, "该指标不是百分比指标，完成值“85%”不应带 %。"),
        ("很好", "rating", False, "定性指标的完成值须为 达成/部分达成/未达成 之一，收到“很好”。"),
    ],
)
def test_value_spellings_refused(raw: Any, kind: str, percent: bool, message: str) -> None:
    """Test the exact message for a 完成值 that does not fit the indicator's kind."""
    with pytest.raises(ValueError) as info:
        interpret_value(raw, kind, percent)
    assert str(info.value) == message


def test_value_errors_name_file_row_and_column(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that "已完成" for a deadline and "达成" for a count are row errors in the 完成值 column."""
    data = ("项目编码,三级指标,截止日期,完成值\n"
            "P001,经费保障及时性,2024-06-30,已完成\nP001,办案数量,2024-06-30,达成\n"
            "P001,服务对象满意度,2024-06-30,95%\n").encode("gb18030")
    plan = entry.plan_results_import(mini_db, parse_results(data, "r.csv"), today=TODAY)
    assert plan.errors == [
        RowError("r.csv", 2, "完成值", "时限类指标的完成值须为实际完成日期（如 2024-05-20），“已完成”没有写日期；未完成请留空。"),
        RowError("r.csv", 3, "完成值", "完成值不是数字：“达成”不是数字"),
    ]


def test_xlsx_hidden_first_sheet_header_in_row_3_and_date_cells() -> None:
    """Test a workbook with a hidden sheet first, a merged title, the header in row 3, a blank row,
    numeric, full-width and code+name project codes, datetime/serial 截止日期 and a repeated header line."""
    wb = openpyxl.Workbook()
    hidden = wb.active
    hidden.title = "模板"
    hidden.append(["项目编码", "三级指标", "截止日期", "完成值"])
    hidden.append(["PX", "x", "2024-06-30", 1])
    hidden.sheet_state = "hidden"
    ws = wb.create_sheet("监控")
    ws["A1"] = "2024年绩效监控"
    ws.merge_cells("A1:D1")
    for j, h in enumerate(["项目编码", "三级指标", "截止日期", "完成值"], 1):
        ws.cell(row=3, column=j, value=h)
    rows: list[list[Any]] = [
        [1010001, "办案数量", dt.datetime(2024, 6, 30), 45],
        [None, None, None, None],
        ["项目编码", "三级指标", "截止日期", "完成值"],
        ["Ｐ００１", "服务对象满意度", "2024年6月", 0.85],                    # full-width code
        ["[P002]乙项目", "总成本", 45473, 5],                                # code and name in one cell
    ]
    for i, row in enumerate(rows, 4):
        for j, v in enumerate(row, 1):
            if v is not None:
                ws.cell(row=i, column=j, value=v)
    buf = io.BytesIO()
    wb.save(buf)
    rf = parse_results(buf.getvalue(), "监控.xlsx")
    assert rf.errors == []
    assert [(r.row, r.project_code, r.level3, r.as_of, r.value_raw) for r in rf.rows] == [
        (4, "1010001", "办案数量", dt.date(2024, 6, 30), 45),
        (7, "P001", "服务对象满意度", dt.date(2024, 6, 30), 0.85),
        (8, "P002", "总成本", dt.date(2024, 6, 30), 5),
    ]


def test_as_of_without_a_year_and_no_year_in_the_file() -> None:
    """Test that 截止日期 "6月末" in a file naming no year is a row error with the reason."""
    rf = parse_results("项目编码,三级指标,截止日期,完成值\nP001,办案数量,6月末,1\n".encode(), "r.csv")
    assert rf.errors == [RowError("r.csv", 2, "截止日期", "截止日期无效：日期“6月末”没有写年份，文件标题中也没有注明年度"
                                                       "（请写成 2024年3月、2024Q1 这样带年份的形式）。")]

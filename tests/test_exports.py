"""Excel downloads: sheets, headers, 万元 number formats, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd

from perfwatch import exports, views
from perfwatch.status import Status


def _open(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_frames_become_sheets_with_money_and_percent_formats() -> None:
    """Test that each frame is a sheet, the title sits above the header and 万元 cells keep 2 decimals."""
    frame = pd.DataFrame({
        "项目名称": ["法律援助经费", "法治工作经费"],
        "预算数（万元）": [2.0, 1234.5],
        "执行率（%）": [55.0, None],
        "偏差（百分点）": [-1.25, -56.25],
        "截至": [dt.date(2024, 7, 31), dt.date(2024, 7, 31)],
        "原因": [["经费保障", "其他"], None],
    })
    wb = _open(exports.dataframe_to_xlsx({"支出进度": frame, "空表": frame.iloc[:0]}, title="巨鹿县司法局本级 2024年"))
    assert wb.sheetnames == ["支出进度", "空表"]
    ws = wb["支出进度"]
    assert ws["A1"].value == "巨鹿县司法局本级 2024年"
    assert [c.value for c in ws[2]] == list(frame.columns)
    assert ws["A3"].value == "法律援助经费"
    assert ws["B4"].value == 1234.5 and ws["B4"].number_format == exports.MONEY_FORMAT
    assert ws["C3"].value == 55 and ws["C3"].number_format == exports.PCT_FORMAT
    assert ws["C4"].value is None  # missing stays empty, never 0
    assert ws["D4"].value == -56.25 and ws["D4"].number_format == exports.PP_FORMAT
    assert ws["E3"].value == dt.datetime(2024, 7, 31)
    assert ws["F3"].value == "经费保障、其他"
    assert ws.freeze_panes == "A3"
    assert [c.value for c in wb["空表"][2]] == list(frame.columns)


def test_sheet_names_are_made_safe_and_unique() -> None:
    """Test that Excel-invalid characters and over-long or duplicate sheet names are handled."""
    taken: set[str] = set()
    assert exports.sheet_name("a/b:c", taken) == "a_b_c"
    long = "冀财政法2023年49号提前下达2024年中央政法纪检监察转移支付资金-司法局"
    first = exports.sheet_name(long, taken)
    second = exports.sheet_name(long, taken)
    assert len(first) <= 31 and len(second) <= 31 and first != second


def test_variance_table_round_trips_through_excel() -> None:
    """Test that the 支出进度 table exports with its Chinese headers and values."""
    projects = pd.DataFrame({
        "project_id": [1], "seq": [1], "name": ["甲项目"], "code": ["P001"], "budget": [10.0], "spent": [2.5],
        "execution_pct": [25.0], "expected_pct": [50.0], "time_pct": [50.0], "gap_pp": [-25.0], "ratio": [50.0],
        "execution_light": ["red"], "execution_reason": ["执行率25.00%，计划应达50.00%，比值50.0（<60 红灯）"],
        "overspent": [False], "plan_shaped": [5.0], "run_rate": [5.0], "owner_projection": [None],
        "projection": [5.0], "next_checkpoint_month": [10], "next_checkpoint_pct": [75.0],
        "to_next_checkpoint": [5.0],
    })
    s = Status(as_of=dt.date(2024, 6, 30), rules=None, departments=pd.DataFrame(), projects=projects,  # type: ignore[arg-type]
               indicators=pd.DataFrame())
    table = views.drop_internal(views.variance_table(s))
    ws = _open(exports.dataframe_to_xlsx({"支出进度偏差": table})).active
    header = [c.value for c in ws[1]]
    assert "偏差金额（万元）" in header and "light" not in header
    row = dict(zip(header, [c.value for c in ws[2]], strict=False))
    assert row["偏差金额（万元）"] == -2.5 and row["灯"] == "红灯" and row["下一节点"] == "10月底 75%"
    assert row["距下一节点尚需支出（万元）"] == 5

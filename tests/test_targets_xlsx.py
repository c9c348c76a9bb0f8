"""The Excel targets template: DB → xlsx → DB loses nothing; bad workbooks name sheet, row, column."""

from __future__ import annotations

import copy
import io
from typing import Any

import duckdb
import pytest
from openpyxl import load_workbook

from perfwatch import dataset, store
from perfwatch.importers import targets_xlsx as tx


def _edit(content: bytes, sheet: str, cell: str, value: Any) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    wb[sheet][cell] = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_round_trip_of_the_seed_loses_nothing(seed_db: duckdb.DuckDBPyConnection, tmp_path) -> None:
    """Test that the seed exported to the template and read back equals the database's dataset."""
    original = dataset.export_dataset(seed_db)
    content = tx.write_template(original)
    back = tx.read_template(content, "seed.xlsx")
    assert back["departments"] == original["departments"]
    assert back["projects"] == original["projects"]
    # and loading it into the same database changes nothing
    summary = dataset.load_targets(seed_db, store.SYSTEM, back)
    assert (summary.projects_added, summary.projects_updated, summary.indicators_added,
            summary.indicators_updated, summary.indicators_retired) == (0, 0, 0, 0, 0)


def test_template_sheets_and_plan_columns(mini_data: dict) -> None:
    """Test that the template has the documented sheets and the plan as 月底累计% columns."""
    wb = load_workbook(io.BytesIO(tx.write_template(mini_data)))
    assert wb.sheetnames == ["说明", "部门", "分项目标", "项目", "绩效目标", "指标"]
    ws = wb["项目"]
    header = [c.value for c in ws[1]]
    row = dict(zip(header, [c.value for c in ws[2]], strict=False))
    assert row["项目编码"] == "P001" and row["预算数（万元）"] == 10.0
    assert (row["3月底累计%"], row["6月底累计%"], row["10月底累计%"], row["12月底累计%"]) == (25, 50, 75, 100)
    assert row["1月底累计%"] is None
    assert wb["指标"].max_row == 1 + 5


def test_blank_template_reads_as_empty(mini_data: dict) -> None:
    """Test that a blank template is valid and holds no departments or projects."""
    data = tx.read_template(tx.write_template(None))
    assert data["departments"] == [] and data["projects"] == []


def test_blank_parsed_columns_are_filled_by_the_value_parser(mini_data: dict) -> None:
    """Test that a row with only 指标值 gets comparator/kind from the parser it is given."""
    content = tx.write_template(mini_data)
    for col in ("K", "L", "M", "N", "O"):  # 比较符 数值 单位 截止日期 指标类型 of the first indicator row
        content = _edit(content, "指标", f"{col}3", None)

    class TV:
        comparator, value, unit, kind, deadline = ">=", 2.0, "次", "count", None

    data = tx.read_template(content, "t.xlsx", parse_value=lambda text: TV())
    ind = data["departments"][0]["sub_goals"][0]["indicators"][0]
    assert (ind["comparator"], ind["value"], ind["kind"]) == (">=", 2.0, "count")


@pytest.mark.parametrize(
    "sheet, cell, value, message",
    [
        ("项目", "F2", "十万", "工作表“项目”第 2 行“预算数（万元）”列：应为数字"),     # non-numeric budget
        ("项目", "F2", -5, "不能为负数"),                                       # negative budget
        ("项目", "D3", "P001", "项目编码 P001 重复"),                              # duplicate code
        ("指标", "C4", "NOPE", "第 4 行“项目编码”列：项目编码 NOPE 不在“项目”表中"),  # unknown project
        ("指标", "O4", "banana", "第 4 行“指标类型”列"),                           # unknown kind
        ("指标", "N5", "31/12", "第 5 行“截止日期（月-日）”列"),                    # bad deadline
        ("部门", "C2", "二〇二四", "工作表“部门”第 2 行“年度”列"),                   # non-numeric year
        # 性质 and 里程碑 (row 3 = 办案数量, a count; row 4 = 经费保障及时性, a deadline)
        ("指标", "P3", "季度性", "第 3 行“性质”列：须为 流量、存量、一次性、集中开展 之一，收到“季度性”"),
        ("指标", "Q3", "6月:50;3月:20", "第 3 行“里程碑（月:累计值）”列：里程碑月份须逐个递增：6 月之后是 3 月"),
        ("指标", "Q3", "13月:100", "第 3 行“里程碑（月:累计值）”列：里程碑月份 13 超出范围"),
        ("指标", "Q3", "年中50", "第 3 行“里程碑（月:累计值）”列：里程碑“年中50”格式有误"),
        ("指标", "P4", "存量", "第 4 行“性质”列：只有数量指标"),
    ],
)
def test_bad_cells_are_named(mini_data: dict, sheet: str, cell: str, value: Any, message: str) -> None:
    """Test that a wrong cell is refused with a message naming the sheet, row and column."""
    content = _edit(tx.write_template(mini_data), sheet, cell, value)
    with pytest.raises(store.ValidationError, match=message):
        tx.read_template(content, "t.xlsx")


def test_not_an_xlsx() -> None:
    """Test that a text file given as a workbook is refused with a message, not a traceback."""
    with pytest.raises(tx.TemplateError, match="不是有效的 Excel"):
        tx.read_template(b"project_code,amount\nP1,3\n", "spend.csv")


def test_missing_sheet(mini_data: dict) -> None:
    """Test that a workbook without the 指标 sheet names the missing sheet."""
    wb = load_workbook(io.BytesIO(tx.write_template(mini_data)))
    del wb["指标"]
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(tx.TemplateError, match="缺少工作表“指标”"):
        tx.read_template(buf.getvalue(), "t.xlsx")


def _with_natures(mini_data: dict) -> dict:
    data = copy.deepcopy(mini_data)
    training = data["departments"][0]["sub_goals"][0]["indicators"][0]     # 组织培训不少于 2次
    training.update(nature="scheduled", milestones=[{"month": 6, "value": 1.0}, {"month": 12, "value": 2.0}])
    data["projects"][0]["indicators"][0]["nature"] = "flow"                  # 办案数量 ≥100 件
    return data


def test_nature_and_milestone_columns(mini_data: dict) -> None:
    """Test that a count's 性质 is written as its Chinese label and its milestones as "6月:1;12月:2"
    (read here with openpyxl), blank where not set, and that the workbook reads back unchanged."""
    data = _with_natures(mini_data)
    content = tx.write_template(data)
    ws = load_workbook(io.BytesIO(content))["指标"]
    header = [c.value for c in ws[1]]
    assert header[-2:] == ["性质", "里程碑（月:累计值）"]
    assert (ws["G2"].value, ws["P2"].value, ws["Q2"].value) == ("组织培训不少于 2次", "集中开展", "6月:1;12月:2")
    assert (ws["G3"].value, ws["P3"].value, ws["Q3"].value) == ("办案数量", "流量", None)
    assert (ws["G4"].value, ws["P4"].value, ws["Q4"].value) == ("经费保障及时性", None, None)
    back = tx.read_template(content, "t.xlsx")
    assert back["departments"] == data["departments"] and back["projects"] == data["projects"]
    assert any("里程碑" in line[0].value for line in load_workbook(io.BytesIO(content))["说明"].iter_rows())


def test_edited_nature_and_milestones_are_read_and_loaded(mini_data: dict, empty_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a person's 存量 / "3月:30;12月:100" typed into the workbook is read (label or code
    alike) and written to the database with an audit row for the milestones."""
    content = _edit(tx.write_template(mini_data), "指标", "P3", "存量")
    content = _edit(content, "指标", "Q3", "3月:30；12月：100")
    content = _edit(content, "指标", "P2", "one_off")
    data = tx.read_template(content, "t.xlsx")
    case = data["projects"][0]["indicators"][0]
    assert (case["nature"], case["milestones"]) == ("stock", [{"month": 3, "value": 30.0}, {"month": 12, "value": 100.0}])
    assert data["departments"][0]["sub_goals"][0]["indicators"][0]["nature"] == "one_off"
    dataset.load_targets(empty_db, store.SYSTEM, data)
    assert empty_db.execute(
        "SELECT i.nature, m.month, m.value FROM indicators i JOIN indicator_milestones m ON m.indicator_id = i.id "
        "WHERE i.level3 = '办案数量' ORDER BY m.month").fetchall() == [("stock", 3, 30.0), ("stock", 12, 100.0)]
    assert empty_db.execute("SELECT new_value FROM audit_log WHERE action = 'targets.milestones.update'").fetchall() == [
        ("[[3, 30.0], [12, 100.0]]",)]


def test_a_workbook_without_the_new_columns_still_reads(mini_data: dict) -> None:
    """Test that a template saved before 性质 and 里程碑 existed reads as before (no nature, no milestones)."""
    wb = load_workbook(io.BytesIO(tx.write_template(_with_natures(mini_data))))
    wb["指标"].delete_cols(16, 2)
    buf = io.BytesIO()
    wb.save(buf)
    data = tx.read_template(buf.getvalue(), "old.xlsx")
    training = data["departments"][0]["sub_goals"][0]["indicators"][0]
    assert "nature" not in training and "milestones" not in training

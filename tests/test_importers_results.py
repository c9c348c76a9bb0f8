"""Result file reading: headers (English, Chinese, template), cause splitting, value kinds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from perfwatch.importers.results import interpret_value, parse_results, split_cause

FIXTURES = Path(__file__).parent / "fixtures"


def test_english_headers() -> None:
    """Test that project_code,level3,as_of,value,likelihood,cause,measure are recognised."""
    rf = parse_results((FIXTURES / "results_en.csv").read_bytes(), "results_en.csv")
    assert not rf.errors and not rf.needs_mapping
    assert [r.level3 for r in rf.rows] == ["办案数量", "服务对象满意度", "经费保障及时性"]
    last = rf.rows[2]
    assert last.as_of == dt.date(2024, 6, 30) and last.likelihood == "有可能"
    assert last.cause_categories == ("经费保障",) and last.cause_text == "资金尚未下达"


def test_chinese_headers_with_level2() -> None:
    """Test the Chinese headers 项目编码,二级指标,三级指标,截止日期,完成值,完成可能性,偏差原因,纠偏措施."""
    rf = parse_results((FIXTURES / "results_cn.csv").read_bytes(), "results_cn.csv")
    assert not rf.errors
    first = rf.rows[0]
    assert (first.project_code, first.level2, first.level3, first.value_raw) == ("P001", "数量指标", "办案数量", "20")
    assert first.cause_categories == ("人员保障", "其他") and first.cause_text == "案件量少于预期"


def test_indicator_id_header() -> None:
    """Test that indicator_id alone names the indicator."""
    rf = parse_results(b"indicator_id,as_of,value\n3,2024-06,12\n", "ids.csv")
    assert not rf.errors and rf.rows[0].indicator_id == 3 and rf.rows[0].as_of == dt.date(2024, 6, 30)


def test_missing_indicator_columns_need_mapping() -> None:
    """Test that a file naming no indicator (neither id nor code + level3) asks for a mapping."""
    rf = parse_results(b"level3,as_of,value\nx,2024-06-30,1\n", "m.csv")
    assert rf.needs_mapping and "indicator" in rf.missing


def test_row_errors() -> None:
    """Test that a bad date, unknown likelihood and unknown cause category name their row and column."""
    data = ("project_code,level3,as_of,value,likelihood,cause_categories\n"
            "P001,办案数量,someday,1,,\n"
            "P001,办案数量,2024-06-30,1,也许,\n"
            "P001,办案数量,2024-06-30,1,,天气\n").encode()
    rf = parse_results(data, "e.csv")
    assert [(e.row, e.column) for e in rf.errors] == [(2, "as_of"), (3, "likelihood"), (4, "cause_categories")]


def test_split_cause() -> None:
    """Test that leading categories are taken out of the cause text."""
    assert split_cause(None, "经费保障、人员保障：资金未到位") == (("经费保障", "人员保障"), "资金未到位", [])
    assert split_cause("制度保障", "制度未出台") == (("制度保障",), "制度未出台", [])
    assert split_cause(None, "资金未到位") == ((), "资金未到位", [])


@pytest.mark.parametrize(
    ("raw", "kind", "percent", "expected"),
    [
        ("45", "number", False, (45.0, None, None)),
        ("95%", "number", True, (95.0, None, None)),
        (120, "number", False, (120.0, None, None)),          # counts may exceed 100
        ("2024-05-20", "date", False, (None, dt.date(2024, 5, 20), None)),
        (None, "date", False, (None, None, None)),            # deadline not done yet
        ("部分达成", "rating", False, (None, None, "部分达成")),
    ],
)
def test_interpret_value(raw: object, kind: str, percent: bool, expected: tuple[object, ...]) -> None:
    """Test that 完成值 is read as a number, a done date or a rating depending on the indicator."""
    assert interpret_value(raw, kind, percent) == expected


@pytest.mark.parametrize(
    ("raw", "kind", "percent", "message"),
    [
        ("很多", "number", False, "不是数字"),
        ("50%", "number", False, "不是百分比指标"),
        ("2024-05", "date", False, "精确到日"),
        ("好", "rating", False, "达成"),
    ],
)
def test_interpret_value_errors(raw: object, kind: str, percent: bool, message: str) -> None:
    """Test that a value of the wrong form for the indicator is refused with a Chinese message."""
    with pytest.raises(ValueError, match=message):
        interpret_value(raw, kind, percent)

"""Spend file reading: header recognition and mapping, units, periods and row-level errors."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from perfwatch.importers.spend import (
    Period,
    monthly_totals,
    parse_number,
    parse_period,
    parse_spend,
    to_wan,
)

FIXTURES = Path(__file__).parent / "fixtures"


def xlsx(rows: list[list[object]]) -> bytes:
    """An .xlsx file with ``rows`` on its first sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_english_headers_transaction_rows() -> None:
    """Test that project_code,date,amount are recognised, amounts default to 元 and '20,000' is a number."""
    sf = parse_spend((FIXTURES / "spend_transactions.csv").read_bytes(), "spend_transactions.csv")
    assert not sf.errors and not sf.needs_mapping
    assert sf.mapping == {"project_code": "project_code", "date": "date", "amount": "amount"}
    assert sf.unit == "元" and sf.unit_source == "default"
    assert [(r.row, r.project_code, r.amount) for r in sf.rows] == [
        (2, "P001", Decimal("10000")), (3, "P001", Decimal("5000")), (4, "P001", Decimal("2500.50")),
        (5, "P002", Decimal("20000")),
    ]


def test_chinese_headers_below_a_title_with_unit_in_header() -> None:
    """Test that the header row is found under title lines and （万元） in the header sets the unit."""
    sf = parse_spend((FIXTURES / "spend_totals_cn.csv").read_bytes(), "spend_totals_cn.csv")
    assert not sf.errors
    assert sf.mapping == {"project_code": "项目编码", "date": "支出日期", "amount": "支出金额（万元）"}
    assert sf.unit == "万元" and sf.unit_source == "header"
    assert [r.row for r in sf.rows] == [4, 5, 6]  # rows as the spreadsheet numbers them
    assert sf.rows[0].period == Period("month", 2024, 3)


def test_header_unit_contradicting_the_chosen_unit_is_an_error() -> None:
    """Test that choosing 元 for a file whose header says 万元 is refused (off by 10,000)."""
    sf = parse_spend((FIXTURES / "spend_totals_cn.csv").read_bytes(), "f.csv", unit="元")
    assert len(sf.errors) == 1 and "万元" in sf.errors[0].message and sf.errors[0].column == "支出金额（万元）"
    assert not sf.rows


def test_unknown_headers_need_a_mapping_step() -> None:
    """Test that unrecognised headers ask for a mapping, and the mapping makes the file readable."""
    data = "编码X,发生时间,钱\nP001,2024-03-01,100\n".encode()
    sf = parse_spend(data, "odd.csv")
    assert sf.needs_mapping and set(sf.missing) == {"project_code", "date", "amount"}
    assert sf.header == ["编码X", "发生时间", "钱"]
    sf = parse_spend(data, "odd.csv", mapping={"project_code": "编码X", "date": "发生时间", "amount": "钱"})
    assert not sf.needs_mapping and not sf.errors and sf.rows[0].amount == Decimal(100)


def test_xlsx_with_real_dates_and_numbers() -> None:
    """Test that an Excel export with date cells and numeric cells is read."""
    data = xlsx([["项目编码", "支付日期", "支付金额"], ["P001", dt.datetime(2024, 3, 5), 1234.5],
                 ["P002", dt.date(2024, 4, 1), 100]])
    sf = parse_spend(data, "export.xlsx")
    assert not sf.errors
    assert [(r.project_code, r.period.label, r.amount) for r in sf.rows] == [
        ("P001", "2024-03-05", Decimal("1234.5")), ("P002", "2024-04-01", Decimal("100"))]


def test_gbk_encoded_csv() -> None:
    """Test that a CSV saved by Excel on Chinese Windows (GB18030) is read."""
    data = "项目编码,支出日期,支出金额\nP001,2024-03-05,100\n".encode("gb18030")
    sf = parse_spend(data, "gbk.csv")
    assert not sf.errors and sf.rows[0].project_code == "P001"


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        # Negative payment rows (冲销/退回) are allowed now; only a month that totals below zero is
        # refused (the other row is 100, so -200 leaves the month at -100).
        ("-200", "负数"),            # negative amount beyond the month's spend
        ("(200)", "负数"),           # accounting-style negative beyond the month's spend
        ("abc", "不是数字"),          # non-numeric
        ("", "为空"),                # missing
    ],
)
def test_bad_amounts_name_file_row_and_column(cell: str, message: str) -> None:
    """Test that each bad amount is an error naming the file, row and column, and the row is dropped."""
    data = f"project_code,date,amount\nP001,2024-03-05,100\nP001,2024-03-06,{cell}\n".encode()
    sf = parse_spend(data, "bad.csv")
    assert len(sf.errors) == 1
    err = sf.errors[0]
    assert (err.file, err.row, err.column) == ("bad.csv", 3, "amount") and message in err.message
    assert str(err).startswith("bad.csv 第 3 行「amount」列：")
    assert len(sf.rows) == 1


def test_bad_dates_and_empty_codes() -> None:
    """Test that an unreadable date and an empty project code are row errors."""
    data = b"project_code,date,amount\nP001,2024-13-45,100\n,2024-03-01,5\n"
    sf = parse_spend(data, "d.csv")
    assert [(e.row, e.column) for e in sf.errors] == [(2, "date"), (3, "project_code")]
    assert "无法识别的日期" in sf.errors[0].message


def test_duplicate_rows_are_errors() -> None:
    """Test that an identical row, and a second total for the same project and month, are refused."""
    data = (b"project_code,date,amount\nP001,2024-03-05,100\nP001,2024-03-05,100\n"
            b"P002,2024-03,5\nP002,2024-03,6\n")
    sf = parse_spend(data, "dup.csv")
    assert [(e.row, "第 2 行" in e.message or "第 4 行" in e.message) for e in sf.errors] == [(3, True), (5, True)]
    assert [r.row for r in sf.rows] == [2, 4]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-15", Period("day", 2024, 3, 15)),
        ("2024/3/5", Period("day", 2024, 3, 5)),
        ("2024年3月5日", Period("day", 2024, 3, 5)),
        ("20240305", Period("day", 2024, 3, 5)),
        ("2024-03", Period("month", 2024, 3)),
        ("2024年3月", Period("month", 2024, 3)),
        ("202403", Period("month", 2024, 3)),
        ("2024Q2", Period("quarter", 2024, 4)),
        ("2024年第三季度", Period("quarter", 2024, 7)),
        ("2024年4季度", Period("quarter", 2024, 10)),
    ],
)
def test_parse_period(text: str, expected: Period) -> None:
    """Test that days, months and quarters in the usual spellings are understood."""
    assert parse_period(text) == expected


def test_quarter_covers_three_months_and_counts_in_the_last() -> None:
    """Test that a quarter total replaces all three months: 0, 0 and the total in the last month."""
    sf = parse_spend(b"project_code,date,amount\nP001,2024Q1,900\n", "q.csv")
    totals = monthly_totals(sf.rows)
    assert {m.month: v for (_, m), (v, _) in totals.items()} == {1: 0, 2: 0, 3: Decimal(900)}


def test_numbers_and_units() -> None:
    """Test number spellings and the conversion to 万元, exact to the 分 (six decimals)."""
    assert parse_number("¥1,234.50") == Decimal("1234.50")
    assert parse_number("85%") == Decimal(85)
    assert to_wan(Decimal("15000"), "元") == Decimal("1.50")
    assert to_wan(Decimal("1.234"), "万元") == Decimal("1.234")
    assert to_wan(Decimal("2500.50"), "元") == Decimal("0.25005")        # 50 分 kept
    assert to_wan(Decimal("0.004"), "元") == Decimal("0.000000")         # below 1 分: rounded


def test_not_a_spreadsheet() -> None:
    """Test that a broken .xlsx is one file-level error, not a traceback."""
    sf = parse_spend(b"PK\x03\x04garbage", "broken.xlsx")
    assert len(sf.errors) == 1 and sf.errors[0].row is None and "broken.xlsx" in sf.errors[0].message

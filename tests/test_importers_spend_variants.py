"""Spend exports nobody has seen yet: treasury (国库集中支付) and accounting-software variants.

Each variant asserts the exact monthly totals (万元, six decimals) or the exact row errors.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest

from perfwatch import entry
from perfwatch.importers.spend import RowError, SpendFile, monthly_totals, parse_spend, to_wan

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = dt.date(2024, 8, 15)


def wan_totals(sf: SpendFile) -> dict[tuple[str, str], Decimal]:
    """(code, 'YYYY-MM') -> total in 万元 at the store's precision."""
    return {(code, f"{m:%Y-%m}"): to_wan(total, sf.unit) for (code, m), (total, _) in monthly_totals(sf.rows).items()}


def errors(sf: SpendFile) -> list[tuple[int | None, str | None, str]]:
    assert all(e.file == sf.name for e in sf.errors)
    return [(e.row, e.column, e.message) for e in sf.errors]


def workbook(*sheets: tuple[str, list[list[Any]], dict[str, Any]]) -> bytes:
    """An .xlsx with the given sheets: (title, rows, options). Options: hidden, merge (ranges),
    start_row (first row written), formats ({cell: number_format})."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows, opts in sheets:
        ws = wb.create_sheet(title)
        r0 = opts.get("start_row", 1)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is not None:
                    ws.cell(row=r0 + i, column=j + 1, value=value)
        for rng in opts.get("merge", ()):
            ws.merge_cells(rng)
        for ref, fmt in opts.get("formats", {}).items():
            ws[ref].number_format = fmt
        if opts.get("hidden"):
            ws.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------ treasury CSV from Chinese Excel


def test_treasury_gb18030_csv_with_title_subtotals_refunds_and_total() -> None:
    """Test a GB18030 treasury export: two title lines, 预算项目编码/支付日期/支付金额（元）/摘要,
    ¥/元/（…）/- amounts, refund rows inside a month, 小计 per project and a 合计 that is not counted."""
    sf = parse_spend((FIXTURES / "treasury_payments_gb18030.csv").read_bytes(), "国库支付.csv")
    assert errors(sf) == []
    assert sf.mapping == {"project_code": "预算项目编码", "date": "支付日期", "amount": "支付金额（元）"}
    assert (sf.unit, sf.unit_source, sf.layout) == ("元", "header", "rows")
    assert [r.row for r in sf.rows] == [4, 5, 6, 7, 8, 10]
    assert sf.skipped == [9, 11, 12]                       # 小计, "P002 小计", 合计
    assert [r.amount for r in sf.rows] == [Decimal("12345.60"), Decimal("12345.6"), Decimal("-1000.00"),
                                           Decimal("-1000.00"), Decimal("5000.00"), Decimal("300")]
    assert wan_totals(sf) == {
        ("P001", "2024-03"): Decimal("2.369120"),          # 12,345.60 + 12,345.6 - 1,000.00
        ("P001", "2024-04"): Decimal("0.400000"),          # -1,000.00 + 5,000.00
        ("P002", "2024-05"): Decimal("0.030000"),
    }


def test_treasury_csv_imports_into_the_database(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that the treasury export plans exactly the three project-months, in 万元."""
    sf = parse_spend((FIXTURES / "treasury_payments_gb18030.csv").read_bytes(), "国库支付.csv")
    plan = entry.plan_spend_import(mini_db, sf, today=TODAY)
    assert plan.errors == []
    assert sorted((ch.label.split(" ")[0], ch.period, ch.amount, ch.rows) for ch in plan.changes + plan.unchanged) == [
        ("P001", dt.date(2024, 3, 1), Decimal("2.369120"), (4, 5, 6)),
        ("P001", dt.date(2024, 4, 1), Decimal("0.400000"), (7, 8)),
        ("P002", dt.date(2024, 5, 1), Decimal("0.030000"), (10,)),
    ]


def test_a_month_may_not_total_below_zero() -> None:
    """Test that refunds beyond the month's spend are refused on each negative row, other months kept."""
    data = (b"project_code,date,amount\n"
            b"P001,2024-03-01,100\nP001,2024-03-05,-500\nP001,2024-03-06,(50)\n"
            b"P001,2024-04-01,80\nP001,2024-04-02,-80\n")
    sf = parse_spend(data, "neg.csv")
    assert errors(sf) == [
        (3, "amount", "金额不能为负数：本行 -500 冲销/退回后，项目 P001 2024年3月的支出合计为 -450元（冲销/退回不能超过当月支出）。"),
        (4, "amount", "金额不能为负数：本行 (50) 冲销/退回后，项目 P001 2024年3月的支出合计为 -450元（冲销/退回不能超过当月支出）。"),
    ]
    assert wan_totals(sf) == {("P001", "2024-03"): Decimal("0.010000"), ("P001", "2024-04"): Decimal("0.000000")}


def test_a_negative_period_total_is_refused() -> None:
    """Test that a month or quarter total (not a payment) may not be negative at all."""
    sf = parse_spend("项目编码,月份,金额\nP001,2024-03,-5\nP001,2024年第二季度,(7)\n".encode(), "t.csv")
    assert errors(sf) == [
        (2, "金额", "金额不能为负数：-5（2024年3月 是期间合计，合计不能为负数）。"),
        (3, "金额", "金额不能为负数：(7)（2024年第2季度 是期间合计，合计不能为负数）。"),
    ]
    assert sf.rows == []


def test_signature_and_note_lines_below_the_data_are_skipped() -> None:
    """Test that 制表人/审核 and 注： lines under the table are not rows, while a real row with an
    empty amount still is an error."""
    data = ("支付日期,预算项目代码,实付金额,摘要\n2024-03-05,P001,100,购置\n2024-03-06,P001,,漏填\n"
            "制表人：张三,审核人：李四,,打印日期：2024-08-01\n注：本表金额含退回。,,,\n").encode("gb18030")
    sf = parse_spend(data, "foot.csv")
    assert sf.mapping == {"project_code": "预算项目代码", "date": "支付日期", "amount": "实付金额"}
    assert errors(sf) == [(3, "实付金额", "金额无效：数值为空。")]
    assert sf.skipped == [4, 5]
    assert wan_totals(sf) == {("P001", "2024-03"): Decimal("0.010000")}


def test_utf16_tab_separated_unicode_text_export() -> None:
    """Test Excel's "Unicode 文本" save (UTF-16 with BOM, tab-separated)."""
    data = "项目编码\t支付日期\t支付金额\r\nP001\t2024/3/5\t1,000.50\r\n".encode("utf-16")
    sf = parse_spend(data, "unicode.txt")
    assert errors(sf) == [] and wan_totals(sf) == {("P001", "2024-03"): Decimal("0.100050")}


def test_a_unit_word_inside_a_name_is_not_a_unit() -> None:
    """Test that "预算单位：元氏县财政局" in a title is a unit's name, not "单位：元"."""
    data = "预算单位：元氏县财政局\n项目编码,支付日期,支付金额\nP001,2024-03-05,2\n".encode()
    sf = parse_spend(data, "yuanshi.csv", unit="万元")
    assert errors(sf) == [] and (sf.unit, sf.unit_source) == ("万元", "given")
    assert wan_totals(sf) == {("P001", "2024-03"): Decimal("2.000000")}


def test_payments_and_a_total_for_the_same_month_are_refused() -> None:
    """Test that a month given both as payments and as a month/quarter total (double counting) is
    an error on the later row, while other projects and months are kept."""
    data = ("项目编码,日期,金额\nP001,2024-03-05,100\nP001,2024年3月,100\nP001,2024年第一季度,300\n"
            "P002,2024-04,50\nP002,2024-04-09,5\nP002,2024-05-09,5\n").encode()
    sf = parse_spend(data, "mix.csv")
    clash = "同一月份不能既有逐笔支出又有月/季合计，也不能有两个重叠的合计（会重复计算）。"
    assert errors(sf) == [
        (3, "日期", "项目 P001 的 2024年3月已由第 2 行的逐笔支出覆盖；" + clash),
        (4, "日期", "项目 P001 的 2024年3月已由第 2 行的逐笔支出覆盖；" + clash),
        (6, "日期", "项目 P002 的 2024年4月已由第 5 行的期间合计覆盖；" + clash),
    ]
    assert wan_totals(sf) == {("P001", "2024-03"): Decimal("0.010000"), ("P002", "2024-04"): Decimal("0.005000"),
                              ("P002", "2024-05"): Decimal("0.000500")}


# ------------------------------------------------------------------ dates and periods


@pytest.mark.parametrize(
    ("cell", "month"),
    [
        ("2024-03-05", "2024-03"),
        ("2024/3/5", "2024-03"),
        ("2024年3月5日", "2024-03"),
        ("20240305", "2024-03"),
        ("45356", "2024-03"),                  # Excel serial day written out as text
        ("2024/3/5 14:30:00", "2024-03"),
        ("3月5日", "2024-03"),                  # year from the title line
        ("2024年3月", "2024-03"),
        ("2024-03", "2024-03"),
        ("三月", "2024-03"),
        ("2024年第一季度", "2024-03"),           # a quarter counts in its last month
        ("一季度", "2024-03"),
        ("Q1", "2024-03"),
    ],
)
def test_date_spellings(cell: str, month: str) -> None:
    """Test that each date, month or quarter spelling lands in the right month (title gives the year)."""
    data = f"2024年度支出明细\n项目编码,日期,金额\nP001,{cell},\"1,234.56\"\n".encode("gb18030")
    sf = parse_spend(data, "d.csv")
    assert errors(sf) == []
    totals = wan_totals(sf)
    assert totals[("P001", month)] == Decimal("0.123456")
    assert sum(totals.values()) == Decimal("0.123456")


@pytest.mark.parametrize("cell", ["一季度", "Q1", "3月", "3月5日"])
def test_year_less_dates_without_a_year_in_the_file(cell: str) -> None:
    """Test that a period without a year, in a file whose title names none, is a row error."""
    sf = parse_spend(f"项目编码,日期,金额\nP001,{cell},1\n".encode(), "noyear.csv")
    assert errors(sf) == [(2, "日期", f"日期“{cell}”没有写年份，文件标题中也没有注明年度（请写成 2024年3月、2024Q1 这样带年份的形式）")]


def test_xlsx_date_cells_serials_datetimes_and_text() -> None:
    """Test Excel date cells, datetime cells, serial numbers without a date format and text dates."""
    data = workbook(("明细", [
        ["项目编码", "记账日期", "发生额"],
        ["P001", dt.datetime(2024, 3, 5, 9, 30), 1000],
        ["P001", dt.date(2024, 3, 31), 234.5],
        ["P001", 45383, 100.25],                          # 2024-04-01 as a bare serial number
        ["P001", 45383.75, 0.01],                         # serial with a time of day
        ["P001", "2024年4月", None],                       # empty amount: an error
    ], {}))
    sf = parse_spend(data, "d.xlsx")
    assert errors(sf) == [(6, "发生额", "金额无效：数值为空。")]
    assert wan_totals(sf) == {("P001", "2024-03"): Decimal("0.123450"), ("P001", "2024-04"): Decimal("0.010026")}


# ------------------------------------------------------------------ workbook shapes


def test_xlsx_header_in_row_3_merged_title_blank_rows_and_hidden_first_sheet() -> None:
    """Test a workbook whose first sheet is hidden, second is a visible cover page without a header,
    third has a merged title, the header in row 3, blank separator rows and numeric project codes."""
    data = workbook(
        ("隐藏", [["项目编码", "支付日期", "支付金额"], ["PX", "2024-03-01", 999]], {"hidden": True}),
        ("说明", [["本表由财务软件导出"], ["请勿修改"]], {}),
        ("支付明细", [
            ["2024年1-7月国库集中支付明细", None, None, None],
            ["单位：万元", None, None, None],
            ["预算项目编码", "支付日期", "支付金额", "摘要"],
            [" P001\u3000", "2024-03-05", 1.5, "设备"],
            [None, None, None, None],                                  # blank separator row
            [1010001, "2024-03-06", 0.25, "数字编码"],                  # a number cell as the code
            [123, "2024-03-07", 0.125, "000000 格式的编码"],              # shown as 000123
            [None, None, None, None],
            ["合  计", None, 1.875, None],
        ], {"merge": ["A1:D1", "A2:D2"], "formats": {"A7": "000000"}}),
    )
    sf = parse_spend(data, "book.xlsx")
    assert errors(sf) == []
    assert (sf.unit, sf.unit_source) == ("万元", "header")       # from the "单位：万元" title line
    assert [(r.row, r.project_code) for r in sf.rows] == [(4, "P001"), (6, "1010001"), (7, "000123")]
    assert sf.skipped == [9]
    assert wan_totals(sf) == {("P001", "2024-03"): Decimal("1.500000"), ("1010001", "2024-03"): Decimal("0.250000"),
                              ("000123", "2024-03"): Decimal("0.125000")}


def test_code_cells_guarded_or_mangled_by_excel() -> None:
    """Test ="00123" text guards, codes written as 1010001.0, full-width codes, and codes Excel
    turned into 1.01E+11."""
    data = ('项目编码,支付日期,支付金额\n="00123",2024-03-05,10\n1010001.0,2024-03-05,20\n'
            '1.01E+11,2024-03-05,30\nＰ００１,2024-03-05,40\n').encode()
    sf = parse_spend(data, "codes.csv")
    assert errors(sf) == [(4, "项目编码", "项目编码“1.01E+11”是科学计数法：Excel 把长编码当成数字并截断了。"
                                         "请在 Excel 中将该列设为“文本”格式后重新导出。")]
    assert [r.project_code for r in sf.rows] == ["00123", "1010001", "P001"]     # full-width typed code


def test_code_and_name_in_one_cell() -> None:
    """Test 预算项目 cells holding code and name together ("[P001]甲项目", "【P002】乙项目", "P003 丙项目")."""
    data = ("预算项目,支付日期,支付金额\n[P001]甲项目,2024-03-05,1\n【P002】乙项目,2024-03-05,2\n"
            "P003 丙项目,2024-03-05,3\nP-004,2024-03-05,4\n").encode()
    sf = parse_spend(data, "names.csv")
    assert errors(sf) == [] and sf.mapping["project_code"] == "预算项目"
    assert [r.project_code for r in sf.rows] == ["P001", "P002", "P003", "P-004"]


def test_title_unit_contradicting_the_header_unit() -> None:
    """Test that "单位：万元" above a header saying （元） is refused rather than guessed."""
    sf = parse_spend("单位：万元\n项目编码,支付日期,支付金额（元）\nP001,2024-03-05,10\n".encode(), "u.csv")
    assert errors(sf) == [(2, "支付金额（元）", "标题注明“单位：万元”，但表头注明金额单位为元；请确认单位后重试。")]
    assert sf.rows == []


def test_repeated_header_lines_of_a_paged_export_are_skipped() -> None:
    """Test that a printed export repeating its header (and 承前页/过次页 lines) on each page is read."""
    data = ("项目编码,支付日期,支付金额\nP001,2024-03-05,10\n,过次页,10\n"
            "项目编码,支付日期,支付金额\n,承前页,10\nP001,2024-03-06,5\n").encode()
    sf = parse_spend(data, "paged.csv")
    assert errors(sf) == [] and sf.skipped == [3, 4, 5]
    assert wan_totals(sf) == {("P001", "2024-03"): Decimal("0.001500")}


# ------------------------------------------------------------------ wide monthly layouts


def test_wide_monthly_totals_xlsx() -> None:
    """Test 项目名称 + 项目编码 + 1月…12月 (one row per project): empty cells are not data, "-" is 0,
    months after the last month with any spend (8月…12月 shown as 0) are not data, 合计 is skipped."""
    months = [f"{m}月" for m in range(1, 13)]
    data = workbook(("Sheet1", [
        ["2024年项目支出执行情况表"],
        ["单位：元"],
        ["项目名称", "项目编码", *months, "合计"],
        ["甲项目", "P001", 0, "-", "12,000.00", None, 2500.5, 0, 100, 0, 0, 0, 0, 0, 14600.5],
        ["乙项目", " P002 ", 300, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 300],
        ["合计", None, 300, 0, 12000, None, 2500.5, 0, 100, 0, 0, 0, 0, 0, 14900.5],
    ], {"merge": ["A1:O1"]}))
    sf = parse_spend(data, "wide.xlsx")
    assert errors(sf) == []
    assert sf.layout == "wide" and sf.missing == [] and (sf.unit, sf.unit_source) == ("元", "header")
    assert sf.skipped == [6]
    assert wan_totals(sf) == {
        ("P001", "2024-01"): Decimal("0.000000"), ("P001", "2024-02"): Decimal("0.000000"),
        ("P001", "2024-03"): Decimal("1.200000"), ("P001", "2024-05"): Decimal("0.250050"),
        ("P001", "2024-06"): Decimal("0.000000"), ("P001", "2024-07"): Decimal("0.010000"),
        ("P002", "2024-01"): Decimal("0.030000"), ("P002", "2024-02"): Decimal("0.000000"),
        ("P002", "2024-03"): Decimal("0.000000"), ("P002", "2024-04"): Decimal("0.000000"),
        ("P002", "2024-05"): Decimal("0.000000"), ("P002", "2024-06"): Decimal("0.000000"),
        ("P002", "2024-07"): Decimal("0.000000"),
    }


def test_wide_layout_imports_into_the_database(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a wide file with year-bearing month headers (2024年3月支出（万元）) plans its months."""
    data = ("项目编码,项目名称,2024年3月支出（万元）,2024年4月支出（万元）\n"
            "P001,甲项目,1.2,0.3\nP002,乙项目,,2\n").encode("gb18030")
    sf = parse_spend(data, "wide.csv")
    assert errors(sf) == [] and sf.unit == "万元"
    plan = entry.plan_spend_import(mini_db, sf, today=TODAY)
    assert plan.errors == []
    assert sorted((ch.label.split(" ")[0], ch.period.month, ch.amount) for ch in plan.changes + plan.unchanged) == [
        ("P001", 3, Decimal("1.200000")), ("P001", 4, Decimal("0.300000")), ("P002", 4, Decimal("2.000000"))]


def test_wide_quarter_columns_and_row_errors() -> None:
    """Test quarter columns (一季度…四季度) and the errors of a wide file: bad cell, negative, repeated project."""
    data = ("2024年分季度支出\n项目编码,一季度,二季度,三季度,四季度\n"
            "P001,900,abc,,\nP002,-5,10,,\nP001,1,1,,\n").encode()
    sf = parse_spend(data, "q.csv")
    assert errors(sf) == [
        (3, "二季度", "金额无效：“abc”不是数字。"),
        (4, "一季度", "金额不能为负数：-5（2024年第1季度 是期间合计，合计不能为负数）。"),
        (5, "项目编码", "项目 P001 已在第 3 行出现，按月分列的文件每个项目只能有一行。"),
    ]
    assert wan_totals(sf) == {("P001", "2024-01"): Decimal(0), ("P001", "2024-02"): Decimal(0),
                              ("P001", "2024-03"): Decimal("0.090000"),
                              ("P002", "2024-04"): Decimal(0), ("P002", "2024-05"): Decimal(0),
                              ("P002", "2024-06"): Decimal("0.001000")}


def test_wide_quarter_subtotal_columns_next_to_months_are_not_counted() -> None:
    """Test that 一季度 next to 1月/2月/3月 is a subtotal, not a second copy of the quarter."""
    data = "2024年\n项目编码,1月,2月,3月,一季度\nP001,1,2,3,6\n".encode()
    sf = parse_spend(data, "mq.csv")
    assert errors(sf) == []
    assert wan_totals(sf) == {("P001", "2024-01"): Decimal("0.000100"), ("P001", "2024-02"): Decimal("0.000200"),
                              ("P001", "2024-03"): Decimal("0.000300")}


def test_wide_layout_without_a_year() -> None:
    """Test that 1月…12月 columns with no year anywhere are one file-level error at the header."""
    sf = parse_spend("项目编码,1月,2月\nP001,1,2\n".encode(), "wide.csv")
    assert sf.errors == [RowError("wide.csv", 1, None, "按月分列的文件没有注明年度：请在标题中写明（如“2024年项目支出表”）或把列名写成“2024年1月”。")]
    sf = parse_spend("项目编码,1月,2月\nP001,1,2\n".encode(), "巨鹿2024年支出.csv")   # the file name says
    assert sf.errors == [] and wan_totals(sf)[("P001", "2024-02")] == Decimal("0.000200")


# ------------------------------------------------------------------ accounting-software ledgers


def test_per_project_ledger_with_month_day_columns_and_debit_credit() -> None:
    """Test an accounting-software 明细账: project named in a title line, a two-line header whose
    year sits above 月/日, 借方 = spend and 贷方 = refund, 期初余额/本月合计/本年累计 lines skipped."""
    data = workbook(("明细账", [
        ["明细账"],
        ["科目：5201 项目支出", None, None, None, "项目：P001 甲项目"],
        ["2024年", None, "凭证", None, "摘要", "借方", "贷方", "方向", "余额"],
        ["月", "日", "种类", "号数", "摘要", "借方", "贷方", "方向", "余额"],
        [None, None, None, None, "期初余额", None, None, "平", 0],
        [3, 5, "记", 12, "购置设备", 12000, None, "借", 12000],
        [3, 20, "记", 30, "退回多付款", None, 500, "借", 11500],
        [None, None, None, None, "本月合计", 12000, 500, "借", 11500],
        [4, 2, "记", 3, "培训费", "3,000.00", None, "借", 14500],
        [4, 9, "记", 8, "冲销", None, "4,000.00", "借", 10500],
        [None, None, None, None, "本月合计", 3000, 4000, "借", 10500],
        [None, None, None, None, "本年累计", 15000, 4500, "借", 10500],
    ], {"merge": ["A1:I1", "A3:B3", "C3:D3"]}))
    sf = parse_spend(data, "ledger.xlsx")
    assert sf.mapping == {"project_code": "项目编码（标题）", "date": "日期（月/日）", "amount": "借方−贷方"}
    assert errors(sf) == [(10, "借方−贷方", "金额不能为负数：本行 -4000.00 冲销/退回后，项目 P001 2024年4月的支出合计为 "
                                          "-1000.00元（冲销/退回不能超过当月支出）。")]
    assert sf.skipped == [5, 8, 11, 12]
    assert wan_totals(sf) == {("P001", "2024-03"): Decimal("1.150000"), ("P001", "2024-04"): Decimal("0.300000")}


def test_ledger_month_day_columns_need_a_year() -> None:
    """Test that 月/日 columns in a file naming no year are one file-level error."""
    sf = parse_spend("项目编码,月,日,借方\nP001,3,5,100\n".encode(), "ledger.csv")
    assert sf.errors == [RowError("ledger.csv", 1, None, "日期分为“月”“日”两列，但标题中没有注明年度（如“2024年明细账”），无法确定日期。")]


# ------------------------------------------------------------------ .xls that are not binary Excel, grouped headers


HTML_XLS = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>
<table border="1">
<tr><td colspan="5">2024年1-7月国库集中支付明细</td></tr>
<tr><td colspan="5">单位：元</td></tr>
<tr><th rowspan="2">预算项目编码</th><th rowspan="2">支付日期</th><th colspan="2">金额</th><th rowspan="2">摘要</th></tr>
<tr><th>支付金额</th><th>退回金额</th></tr>
<tr><td>P001</td><td>2024-03-05</td><td>1,000.00</td><td></td><td>购置</td></tr>
<tr><td>P001</td><td>2024-03-09</td><td></td><td>200.00</td><td>退回&amp;冲减</td></tr>
<tr><td>P002</td><td>2024-04-01</td><td>50.5</td><td>0.5</td><td>差旅</td></tr>
<tr><th>预算项目编码</th><th>支付日期</th><th>支付金额</th><th>退回金额</th><th>摘要</th></tr>
<tr><td>P002</td><td>2024-04-02</td><td>10</td><td>一百</td><td>退回写成了汉字</td></tr>
<tr><td>合计</td><td></td><td>1,050.50</td><td>200.50</td><td></td></tr>
</table></body></html>"""


def test_html_table_saved_as_xls_with_grouped_header_and_refund_column() -> None:
    """Test an ".xls" that is an HTML table (GB2312), with "金额" grouped over 支付金额/退回金额:
    the amount is payment − refund, the 合计 line is skipped."""
    sf = parse_spend(HTML_XLS.encode("gb18030"), "国库导出.xls")
    assert errors(sf) == [(9, "支付金额−退回金额", "金额无效：“一百”不是数字。")]
    assert sf.header == ["预算项目编码", "支付日期", "支付金额", "退回金额", "摘要", "支付金额−退回金额"]
    assert sf.mapping == {"project_code": "预算项目编码", "date": "支付日期", "amount": "支付金额−退回金额"}
    assert [r.row for r in sf.rows] == [5, 6, 7] and sf.skipped == [8, 10]   # repeated header, 合计
    assert wan_totals(sf) == {("P001", "2024-03"): Decimal("0.080000"), ("P002", "2024-04"): Decimal("0.005000")}


def test_xml_spreadsheet_2003_saved_as_xls() -> None:
    """Test an ".xls" that is Excel 2003 XML (SpreadsheetML): typed cells, skipped rows and columns."""
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="支付明细"><Table>
  <Row><Cell><Data ss:Type="String">2024年支付明细</Data></Cell></Row>
  <Row ss:Index="3"><Cell><Data ss:Type="String">项目编码</Data></Cell><Cell><Data ss:Type="String">支付日期</Data></Cell>
   <Cell><Data ss:Type="String">支付金额（万元）</Data></Cell></Row>
  <Row><Cell><Data ss:Type="String">P001</Data></Cell><Cell><Data ss:Type="DateTime">2024-03-05T00:00:00.000</Data></Cell>
   <Cell><Data ss:Type="Number">1.2345</Data></Cell></Row>
  <Row><Cell><Data ss:Type="String">合计</Data></Cell><Cell ss:Index="3"><Data ss:Type="Number">1.2345</Data></Cell></Row>
 </Table></Worksheet></Workbook>"""
    sf = parse_spend(xml.encode(), "export.xls")
    assert errors(sf) == [] and sf.unit == "万元"
    assert [r.row for r in sf.rows] == [4] and sf.skipped == [5]
    assert wan_totals(sf) == {("P001", "2024-03"): Decimal("1.234500")}


def test_binary_xls_still_asks_for_xlsx() -> None:
    """Test that a real (binary) .xls is one file-level error asking to save as .xlsx or .csv."""
    sf = parse_spend(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "old.xls")
    assert sf.errors == [RowError("old.xls", None, None, "old.xls 是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 .csv 后再导入。")]


def test_xlsx_grouped_header_with_merged_cells() -> None:
    """Test an XLSX whose header is two lines with merged cells (项目 over 编码/名称, 支出 over 日期/金额)."""
    data = workbook(("Sheet1", [
        ["项目编码", None, "支付日期", "支付金额"],
        [None, "项目名称", None, None],
        ["P001", "甲", "2024-03-05", 10],
    ], {"merge": ["A1:A2", "C1:C2", "D1:D2"]}))
    sf = parse_spend(data, "g.xlsx")
    assert errors(sf) == [] and sf.header == ["项目编码", "项目名称", "支付日期", "支付金额"]
    assert [r.row for r in sf.rows] == [3]

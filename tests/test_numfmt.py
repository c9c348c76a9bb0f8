"""One rounding (half-up, 2 decimals) on screen, in Excel and in PDF text."""

from __future__ import annotations

import io
import math

import openpyxl
import pandas as pd
import pytest

from perfwatch import exports, numfmt, views
from perfwatch.reports import data


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Hand-rounded half-up on the decimal people read (Python's round(2.175, 2) gives 2.17).
        (2.175, "2.18"),
        (2.165, "2.17"),
        (-2.175, "-2.18"),
        (1234567.125, "1,234,567.13"),
        (0.3000000004, "0.30"),
        (-0.001, "0.00"),  # no "-0.00"
        (None, "—"),
        (math.nan, "—"),
        (pd.NA, "—"),
    ],
)
def test_money_rounds_half_up_on_the_decimal_people_read(value: object, expected: str) -> None:
    """Test that 万元 figures round half-up (2.175 -> 2.18, as Excel shows it) and missing shows "—"."""
    assert numfmt.money(value) == expected


def test_screen_report_text_and_excel_agree_on_2_175() -> None:
    """Test that the screen (views.money, charts), the PDF/briefing text and an exported workbook all show 2.18."""
    assert views.money(2.175) == "2.18"
    assert views.pct(58.335) == "58.34%"  # hand: 58.335 half-up -> 58.34
    assert data.fmt_amount(2.175) == "2.18"
    assert data.fmt_pct(58.335) == "58.34%"
    frame = pd.DataFrame({"项目": ["甲"], "累计支出（万元）": [2.175], "执行率（%）": [58.335]})
    book = openpyxl.load_workbook(io.BytesIO(exports.dataframe_to_xlsx({"表": frame})))
    values = [c.value for row in book["表"].iter_rows() for c in row if isinstance(c.value, float)]
    assert values == [2.18, 58.34]
    assert numfmt.round_frame(frame)["累计支出（万元）"].tolist() == [2.18]


def test_percentage_points_have_a_sign() -> None:
    """Test that a deviation shows its sign and unit."""
    assert numfmt.pp(-18.125) == "-18.13 个百分点"
    assert numfmt.pp(0) == "+0.00 个百分点"

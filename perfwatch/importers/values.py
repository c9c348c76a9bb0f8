"""Cell values of imported files: periods (dates, months, quarters, Excel serials, Chinese month
names) and numbers (thousands separators, 元/万元, dashes). Pure, no database.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_CN_MONTHS = {name: k for k, name in enumerate(
    ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"), 1)}
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Excel serial day numbers of 1954-10-03 .. 2119-01-05: a number cell in a date column that is
# neither 202403 nor 20240305 is a date cell whose format was lost.
_SERIAL_RANGE = (20000, 80000)


@dataclass(frozen=True)
class Period:
    """What a date cell covers: a day, a whole month, or a whole quarter."""

    kind: str                 # 'day' | 'month' | 'quarter'
    year: int
    month: int                # the day's month; for a quarter its first month
    day: int | None = None

    @property
    def months(self) -> tuple[dt.date, ...]:
        """First days of the months covered."""
        n = 3 if self.kind == "quarter" else 1
        return tuple(dt.date(self.year, self.month + k, 1) for k in range(n))

    @property
    def last_day(self) -> dt.date:
        """The last day the period covers (a day: the day itself)."""
        if self.kind == "day":
            assert self.day is not None
            return dt.date(self.year, self.month, self.day)
        last = self.months[-1]
        nxt = dt.date(last.year + (last.month == 12), last.month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        if self.kind == "day":
            return f"{self.year}-{self.month:02d}-{self.day:02d}"
        if self.kind == "month":
            return f"{self.year}年{self.month}月"
        return f"{self.year}年第{(self.month - 1) // 3 + 1}季度"


def parse_period(value: Any, year: int | None = None) -> Period:
    """A date cell as a :class:`Period`; raises ValueError with a Chinese message.

    Accepts Excel dates and Excel serial day numbers, 2024-03-15, 2024/3/15, 2024.3.15, 20240315,
    2024年3月15日 (days); 2024-03, 2024/3, 202403, 2024年3月(份/末/底) (months); 2024Q1, 2024-Q1,
    2024年第一季度, 2024年1季度 (quarters). With ``year`` (the year the file is about, e.g. from its
    title) also 3月5日, 3月, 三月, 一季度, 第一季度 and Q1.
    """
    if isinstance(value, dt.datetime):
        return Period("day", value.year, value.month, value.day)
    if isinstance(value, dt.date):
        return Period("day", value.year, value.month, value.day)
    if value is None:
        raise ValueError("日期为空")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and _SERIAL_RANGE[0] <= value < _SERIAL_RANGE[1]:
        d = _EXCEL_EPOCH + dt.timedelta(days=int(value))
        return Period("day", d.year, d.month, d.day)
    s = re.sub(r"\s+", " ", str(value)).strip().replace("－", "-").replace("／", "/").replace("．", ".")
    s = re.sub(r"(?<=\d)(?:T| )\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$", "", s).replace(" ", "")  # time of day
    try:
        m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", s)
        if m:
            d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return Period("day", d.year, d.month, d.day)
        m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s)
        if m:
            d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return Period("day", d.year, d.month, d.day)
        m = re.fullmatch(r"\d{5}(?:\.\d+)?", s)
        if m and _SERIAL_RANGE[0] <= float(s) < _SERIAL_RANGE[1]:
            d = _EXCEL_EPOCH + dt.timedelta(days=int(float(s)))
            return Period("day", d.year, d.month, d.day)
        m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})(?:月份?[末底]?)?", s) or re.fullmatch(r"(\d{4})(\d{2})", s)
        if m:
            month = int(m.group(2))
            if not 1 <= month <= 12:
                raise ValueError
            return Period("month", int(m.group(1)), month)
        m = re.fullmatch(r"(\d{4})[-年]?(?:q|Q|第)?([1-4一二三四])(?:季度|季)?", s)
        if m and ("q" in s.lower() or "季" in s):
            q = _CN_DIGITS[m.group(2)]
            return Period("quarter", int(m.group(1)), 3 * (q - 1) + 1)
        # Without a year: the file's year is needed.
        m = re.fullmatch(r"(\d{1,2})月(\d{1,2})日", s)
        if m:
            d = dt.date(_need_year(value, year), int(m.group(1)), int(m.group(2)))
            return Period("day", d.year, d.month, d.day)
        m = re.fullmatch(r"(\d{1,2}|[一二三四五六七八九十]{1,3})月份?[末底]?", s)
        if m:
            month = int(m.group(1)) if m.group(1).isdigit() else _CN_MONTHS.get(m.group(1), 0)
            if not 1 <= month <= 12:
                raise ValueError
            return Period("month", _need_year(value, year), month)
        m = re.fullmatch(r"(?:第?([1-4一二三四])季度?|[qQ]([1-4]))", s)
        if m and ("q" in s.lower() or "季" in s):
            q = _CN_DIGITS[m.group(1) or m.group(2)]
            return Period("quarter", _need_year(value, year), 3 * (q - 1) + 1)
    except _NoYear as exc:
        raise ValueError(str(exc)) from None
    except ValueError:
        pass
    raise ValueError(f"无法识别的日期“{value}”（应为 2024-03-15、2024-03 或 2024Q1 这样的日期、月份或季度）")


class _NoYear(Exception):
    pass


def _need_year(value: Any, year: int | None) -> int:
    if year is None:
        raise _NoYear(f"日期“{value}”没有写年份，文件标题中也没有注明年度（请写成 2024年3月、2024Q1 这样带年份的形式）")
    return year


def parse_number(value: Any) -> Decimal:
    """A numeric cell as Decimal; accepts 1,234.50 / ¥1234 / 1234元 / (100) (= -100) / 85%.

    Raises ValueError with a Chinese message for anything else.
    """
    if isinstance(value, bool):
        raise ValueError(f"“{value}”不是数字")
    if isinstance(value, (int, Decimal)):
        return _bounded(Decimal(value), value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"“{value}”不是数字")
        return _bounded(Decimal(str(value)), value)
    if value is None:
        raise ValueError("数值为空")
    s = re.sub(r"\s+", "", str(value)).replace(",", "").replace("，", "").replace("−", "-").replace("－", "-")
    s = s.replace("¥", "").replace("￥", "").replace("万元", "").replace("元", "").rstrip("%％")
    negative = s.startswith("(") and s.endswith(")") or s.startswith("（") and s.endswith("）")
    if negative:
        s = s[1:-1]
    try:
        number = Decimal(s)
    except InvalidOperation:
        raise ValueError(f"“{value}”不是数字") from None
    if not number.is_finite():
        raise ValueError(f"“{value}”不是数字")
    return _bounded(-number if negative else number, value)


def _bounded(number: Decimal, raw: Any) -> Decimal:
    """Refuse magnitudes no amount or indicator value can have (they would overflow the database)."""
    if not number.is_finite() or abs(number) >= Decimal("1e15"):
        raise ValueError(f"“{str(raw)[:40]}”数值过大（超出系统上限），请检查金额和单位")
    return number

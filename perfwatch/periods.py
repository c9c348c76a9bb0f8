"""Calendar arithmetic of a fiscal year, defined once: month starts and ends, months elapsed,
序时进度, the default reporting month and the reporting date of a month.

Pure functions, no database. The SQL engine uses the same months-elapsed formula through the
``pw_months_elapsed`` macro (migration 0005).

Time is measured in months: day d of month m is ``m - 1 + d / days_in_month``, so the end of July
is 7.0 and 2024-02-29 is 2.0.

The default reporting month (every page, form, brief and CLI): the month of the last data (spend,
result or project report) in the fiscal year; without data, the last full month before today
(January at the earliest; December for a past year). See :func:`default_as_of`.
"""

from __future__ import annotations

import calendar
import datetime as dt


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def month_start(day: dt.date) -> dt.date:
    """The first day of the month of ``day``."""
    return day.replace(day=1)


def month_end(year: int, month: int) -> dt.date:
    """The last day of ``month`` in ``year``."""
    return dt.date(year, month, days_in_month(year, month))


def month_end_of(day: dt.date) -> dt.date:
    """The last day of the month of ``day``."""
    return month_end(day.year, day.month)


def month_ends(fiscal_year: int) -> list[dt.date]:
    """The twelve month-ends of a fiscal year."""
    return [month_end(fiscal_year, m) for m in range(1, 13)]


def month_label(period: dt.date) -> str:
    """"2024年7月"."""
    return f"{period.year}年{period.month}月"


def older_than_month(result_date: dt.date, as_of: dt.date) -> bool:
    """Whether a result dated ``result_date`` is older than the reporting month of ``as_of``
    (本期未更新): a July result in the August round is; any result dated in August is current."""
    return result_date < month_start(as_of)


def as_of_note(day: dt.date) -> str:
    """"截至7月31日": the date a stale result holds at, as printed beside it."""
    return f"截至{day.month}月{day.day}日"


def months_elapsed(as_of: dt.date, fiscal_year: int | None = None) -> float:
    """Months of the fiscal year elapsed at the end of ``as_of`` (0.0–12.0).

    ``fiscal_year`` defaults to ``as_of.year``; a date before that year gives 0, after it 12.
    """
    year = as_of.year if fiscal_year is None else fiscal_year
    if as_of.year < year:
        return 0.0
    if as_of.year > year:
        return 12.0
    return (as_of.month - 1) + as_of.day / days_in_month(as_of.year, as_of.month)


def time_pct(as_of: dt.date, fiscal_year: int | None = None) -> float:
    """序时进度: months elapsed / 12, in percent (end of July = 58.33...)."""
    return 100.0 * months_elapsed(as_of, fiscal_year) / 12


def default_as_of(last_data: dt.date | None, fiscal_year: int, today: dt.date | None = None) -> dt.date:
    """The default 截至 date: the month-end of the last data in the fiscal year; without data the
    last month-end before today inside the fiscal year (its first month-end at the earliest, its
    last for a past year)."""
    if last_data is not None:
        d = min(last_data, dt.date(fiscal_year, 12, 31))
        return month_end(d.year, d.month) if d.year == fiscal_year else dt.date(fiscal_year, 12, 31)
    today = today or dt.date.today()
    if today.year > fiscal_year:
        return dt.date(fiscal_year, 12, 31)
    if today.year < fiscal_year or today.month == 1:
        return month_end(fiscal_year, 1)
    return month_end(fiscal_year, today.month - 1)


def default_month(fiscal_year: int, today: dt.date | None = None, last_data: dt.date | None = None) -> int:
    """The month of :func:`default_as_of` (1–12)."""
    return default_as_of(last_data, fiscal_year, today).month


def reporting_as_of(fiscal_year: int, month: int, today: dt.date | None = None) -> dt.date:
    """The reporting date of ``month``: its last day, or today while the month is running."""
    first = dt.date(fiscal_year, month, 1)
    return min(month_end_of(first), max(today or dt.date.today(), first))

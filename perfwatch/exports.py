"""Excel downloads of dashboard tables (no streamlit): one sheet per DataFrame, money as 万元.

Pages build the frames (columns already named in Chinese) and offer the bytes with
``st.download_button``. Number formats follow the column name: a column whose name mentions
万元 gets ``#,##0.00``; one that mentions 百分点/（pp） gets ``+0.00;-0.00;0.00``; one ending in %
or containing 率/进度 (and holding numbers) gets ``0.00"%"`` (values are 0–100, not fractions).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping

import pandas as pd

from perfwatch import numfmt, xlsx_safe

MONEY_FORMAT = "#,##0.00"
PCT_FORMAT = '0.00"%"'
PP_FORMAT = "+0.00;-0.00;0.00"
MAX_COL_WIDTH = 60

_INVALID_SHEET = re.compile(r"[\[\]:*?/\\]")


def column_format(name: str) -> str | None:
    """The Excel number format for a column, from its (Chinese) name; None = general."""
    if "万元" in name:
        return MONEY_FORMAT
    if "百分点" in name or "pp" in name.lower():
        return PP_FORMAT
    if name.endswith("%") or name.endswith("（%）") or "率" in name or "进度" in name:
        return PCT_FORMAT
    return None


def sheet_name(name: str, taken: set[str]) -> str:
    """An Excel-safe, unique sheet name (≤31 chars, no []:*?/\\)."""
    base = _INVALID_SHEET.sub("_", name).strip() or "Sheet"
    base = base[:31]
    candidate, n = base, 2
    while candidate in taken:
        suffix = f"({n})"
        candidate = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(candidate)
    return candidate


def _display_width(text: str) -> int:
    # CJK characters take about two Latin character widths in Excel.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _cell(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):  # NaN -> blank; numbers rounded like the screen (half-up, 2 decimals)
        return numfmt.round2(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return value


def dataframe_to_xlsx(frames: Mapping[str, pd.DataFrame], *, title: str | None = None) -> bytes:
    """An .xlsx workbook with one sheet per frame (sheet name = key), header row frozen.

    ``title`` (e.g. "巨鹿县司法局本级 2024 年 截至 2024-07-31") goes in row 1 above the table
    when given; the header then starts in row 2.
    """
    buf = io.BytesIO()
    book = xlsx_safe.workbook(buf, {"in_memory": True})  # text never a formula
    try:
        header_fmt = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True,
                                      "valign": "vcenter"})
        title_fmt = book.add_format({"bold": True, "font_size": 12})
        date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
        formats = {f: book.add_format({"num_format": f}) for f in (MONEY_FORMAT, PCT_FORMAT, PP_FORMAT)}
        taken: set[str] = set()
        for name, frame in frames.items():
            ws = book.add_worksheet(sheet_name(name, taken))
            top = 0
            if title:
                ws.write(0, 0, title, title_fmt)
                top = 1
            columns = [str(c) for c in frame.columns]
            for j, col in enumerate(columns):
                ws.write(top, j, col, header_fmt)
            for i, row in enumerate(frame.itertuples(index=False), start=top + 1):
                for j, value in enumerate(row):
                    v = _cell(value)
                    if v is None:
                        continue
                    fmt_name = column_format(columns[j])
                    if isinstance(v, (int, float)) and not isinstance(v, bool) and fmt_name:
                        ws.write_number(i, j, float(v), formats[fmt_name])
                    elif isinstance(v, (dt.datetime, dt.date)):
                        ws.write_datetime(i, j, v if isinstance(v, dt.datetime) else
                                          dt.datetime(v.year, v.month, v.day), date_fmt)
                    elif isinstance(v, bool):
                        ws.write_boolean(i, j, v)
                    elif isinstance(v, (int, float)):
                        ws.write_number(i, j, v)
                    else:
                        ws.write_string(i, j, str(v))
            for j, col in enumerate(columns):
                values = [str(_cell(v) or "") for v in frame.iloc[:, j].tolist()[:200]]
                width = max([_display_width(col)] + [_display_width(v) for v in values]) + 2
                ws.set_column(j, j, min(max(width, 8), MAX_COL_WIDTH))
            ws.freeze_panes(top + 1, 0)
            if len(frame):
                ws.autofilter(top, 0, top + len(frame), max(len(columns) - 1, 0))
        if not frames:
            book.add_worksheet("空")
    finally:
        book.close()
    return buf.getvalue()

"""Spreadsheet cells are data, never formulas (CSV / formula injection, OWASP "CSV Injection").

Every workbook the project writes goes through one of these helpers:

- ``is_risky(text)``: a text a spreadsheet could run as a formula: it starts with ``= + - @``,
  a tab or a carriage return.
- ``csv_safe(value)``: for CSV (no cell types there): a risky text gets a leading apostrophe.
- xlsxwriter: ``workbook(target)`` instead of ``xlsxwriter.Workbook(target, ...)``. Strings are never
  turned into formulas, links or numbers, and a risky text is written as a string cell with Excel's
  *quote prefix* style (the cell shows the text unchanged, Excel and LibreOffice keep it text even
  when the cell is edited, and re-importing the file reads the same text back).
- a pandas frame: ``write_frame(sheet, frame)`` on a sheet of ``workbook(...)`` (pandas ``to_excel``
  makes its own plain workbook; if you must use it pass ``XLSXWRITER_OPTIONS`` as
  ``engine_kwargs={"options": ...}``).
- openpyxl: ``openpyxl_bytes(wb)`` (or ``harden_openpyxl(wb)`` just before ``wb.save``): every text cell becomes a string cell
  (openpyxl makes any text starting with ``=`` a formula) and risky ones get the quote prefix.
- ``formula_cells(xlsx_bytes)``: for tests, every ``<f>`` element in every sheet of a workbook.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import math
import re
import zipfile
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\n")

XLSXWRITER_OPTIONS: dict[str, bool] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def is_risky(value: object) -> bool:
    """True for a text a spreadsheet would read as a formula (or a DDE command) if typed in."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_safe(value: object) -> object:
    """A CSV cell that no spreadsheet runs: a risky text gets a leading apostrophe; others unchanged."""
    if is_risky(value):
        return "'" + str(value)
    return value


class SafeWorksheet(Worksheet):
    """An xlsxwriter worksheet whose every string is a string cell, risky ones quote-prefixed."""

    _safe_book: SafeWorkbook | None = None

    def _write_string(self, row: int, col: int, string: str, cell_format: Format | None = None) -> Any:
        if is_risky(string) and self._safe_book is not None:
            cell_format = self._safe_book.quoted(cell_format)
        return super()._write_string(row, col, string, cell_format)


class SafeWorkbook(xlsxwriter.Workbook):
    """``xlsxwriter.Workbook`` with ``XLSXWRITER_OPTIONS`` forced and ``SafeWorksheet`` sheets."""

    worksheet_class = SafeWorksheet

    def __init__(self, filename: Any = None, options: dict[str, Any] | None = None) -> None:
        super().__init__(filename, {**(options or {}), **XLSXWRITER_OPTIONS})
        self._quoted: dict[int, Format] = {}

    def add_worksheet(self, name: str | None = None, worksheet_class: Any = None) -> Any:
        ws = super().add_worksheet(name, worksheet_class or SafeWorksheet)
        if isinstance(ws, SafeWorksheet):
            ws._safe_book = self
        return ws

    def quoted(self, cell_format: Format | None) -> Format:
        """The same format with the quote prefix on (one copy per format)."""
        key = id(cell_format)
        found = self._quoted.get(key)
        if found is None:
            if cell_format is None:
                found = self.add_format({"quote_prefix": True})
            else:
                found = copy.copy(cell_format)
                found.set_quote_prefix(True)
                self.formats.append(found)
            self._quoted[key] = found
        return found


def workbook(target: Any, options: dict[str, Any] | None = None) -> SafeWorkbook:
    """A safe xlsxwriter workbook (``target``: path or BytesIO; ``options`` as for xlsxwriter)."""
    return SafeWorkbook(target, options)


def write_frame(ws: Any, frame: Any, *, header_format: Format | None = None, top: int = 0) -> None:
    """Write a pandas frame (header row, then values) to a sheet: text as text, numbers as numbers,
    missing values blank."""
    for j, col in enumerate(frame.columns):
        ws.write_string(top, j, str(col), header_format)
    for i, row in enumerate(frame.itertuples(index=False), start=top + 1):
        for j, value in enumerate(row):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            if isinstance(value, bool):
                ws.write_boolean(i, j, value)
            elif isinstance(value, (int, float)):
                ws.write_number(i, j, value)
            elif isinstance(value, dt.datetime):
                ws.write_string(i, j, value.strftime("%Y-%m-%d %H:%M:%S"))
            else:
                text = str(value)
                if text in ("NaT", "<NA>", "nan", "None"):
                    continue
                ws.write_string(i, j, text)


def harden_openpyxl(wb: Any) -> None:
    """Make every text cell of an openpyxl workbook a string cell; quote-prefix the risky ones.

    Call just before ``wb.save``. The project never writes formulas on purpose, so any cell
    openpyxl marked as a formula (a text starting with ``=``) is user text.
    """
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str):
                    cell.data_type = "s"
                    if is_risky(value):
                        cell.quotePrefix = True


_F_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def formula_cells(data: bytes) -> list[str]:
    """Names of the sheet XML parts holding a formula (``<f>``), with the count, e.g. ``['sheet1.xml: 2']``."""
    out: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                n = len(_F_TAG.findall(zf.read(name)))
                if n:
                    out.append(f"{name.rsplit('/', 1)[-1]}: {n}")
    return out


def openpyxl_bytes(wb: Any) -> bytes:
    """An openpyxl workbook hardened (:func:`harden_openpyxl`) and saved, as the bytes of an xlsx file."""
    harden_openpyxl(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

"""Read spend exports (CSV or XLSX): transaction rows or period totals, in 元 or 万元, with Chinese
or English headers mapped to 项目编码 / 日期 / 金额.

Pure file reading and cell checks only -- no database. The result is a :class:`SpendFile`: parsed
rows plus a list of :class:`RowError` (file, row, column, message). Checks that need the database
(unknown project codes, dates outside the project's fiscal year, budgets) are made by
:mod:`perfwatch.entry`. The table helpers here (:func:`read_table`, :func:`find_header`,
:class:`RowError`) are shared with :mod:`perfwatch.importers.results`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from perfwatch.store import SPEND_QUANTUM

UNITS: tuple[str, ...] = ("元", "万元")

# field -> accepted header names (compared after normalising: lower case, no spaces/brackets/units).
SPEND_FIELDS: dict[str, tuple[str, ...]] = {
    "project_code": ("project_code", "projectcode", "code", "project", "项目编码", "项目代码", "项目编号", "预算项目编码", "项目"),
    "date": ("date", "period", "month", "quarter", "支出日期", "日期", "支付日期", "记账日期", "交易日期",
             "月份", "期间", "所属期间", "季度", "会计期间"),
    "amount": ("amount", "spend", "支出金额", "金额", "支付金额", "实际支出", "支出数", "本期支出", "发生额",
               "执行数", "实际支出金额"),
}
FIELD_LABELS: dict[str, str] = {"project_code": "项目编码", "date": "支出日期", "amount": "支出金额"}


@dataclass(frozen=True)
class RowError:
    """A problem in one cell (or row) of an input file, for people: file, row, column, message."""

    file: str
    row: int | None      # row number as the spreadsheet shows it (1 = first line); None = whole file
    column: str | None   # header as written in the file
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" 第 {self.row} 行"
        if self.column:
            where += f"「{self.column}」列"
        return f"{where}：{self.message}"


@dataclass
class Table:
    """A sheet as text: ``header`` (the header row's cells) and data ``rows`` with their line numbers."""

    name: str
    header: list[str]
    header_row: int
    rows: list[tuple[int, list[Any]]]


def normalise_header(text: Any) -> str:
    """Header text for matching: lower case, without spaces, brackets, units and '*' marks."""
    s = str(text or "").strip().lower()
    s = re.sub(r"[（(\[【][^）)\]】]*[）)\]】]", "", s)
    s = re.sub(r"[\s*_：:（）()]", "", s)
    return s.replace("-", "")


def header_unit(text: Any) -> str | None:
    """The unit written in a header, e.g. "支出金额（万元）" -> "万元", "amount(yuan)" -> "元"."""
    s = str(text or "").lower()
    if "万元" in s or "wan" in s or "10k" in s:
        return "万元"
    if re.search(r"[（(\[【]\s*元\s*[）)\]】]", s) or "yuan" in s or "rmb" in s:
        return "元"
    return None


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def read_raw(data: bytes, name: str) -> list[tuple[int, list[Any]]]:
    """All non-empty rows of the first sheet (XLSX) or of the CSV, with 1-based line numbers.

    XLSX cells keep their types (numbers, datetimes); CSV cells are text.
    """
    suffix = Path(name).suffix.lower()
    out: list[tuple[int, list[Any]]] = []
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        import openpyxl

        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise ValueError(f"{name} 不是可读取的 Excel（.xlsx）文件：{exc}") from exc
        try:
            ws = wb.worksheets[0]
            for i, row in enumerate(ws.iter_rows(values_only=True), 1):
                cells = [_cell(v) for v in row]
                if any(c is not None for c in cells):
                    out.append((i, cells))
        finally:
            wb.close()
        return out
    if suffix == ".xls":
        raise ValueError(f"{name} 是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 .csv 后再导入。")
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    for i, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
        cells = [_cell(v) for v in row]
        if any(c is not None for c in cells):
            out.append((i, cells))
    return out


def find_header(raw: Sequence[tuple[int, list[Any]]], fields: Mapping[str, Sequence[str]], *, scan: int = 15) -> int:
    """Index in ``raw`` of the header row: the first of the first ``scan`` rows naming the most
    known fields (exports often put a title and a date line above the header). 0 if none match."""
    best, best_hits = 0, 0
    for k, (_, cells) in enumerate(raw[:scan]):
        names = {normalise_header(c) for c in cells if c is not None}
        hits = sum(1 for aliases in fields.values() if names & {normalise_header(a) for a in aliases})
        if hits > best_hits:
            best, best_hits = k, hits
    return best


def read_table(data: bytes, name: str, fields: Mapping[str, Sequence[str]]) -> Table:
    """The sheet of ``data`` split at its header row (see :func:`find_header`)."""
    raw = read_raw(data, name)
    if not raw:
        return Table(name, [], 1, [])
    k = find_header(raw, fields)
    header_line, header_cells = raw[k]
    header = ["" if c is None else str(c).strip() for c in header_cells]
    return Table(name, header, header_line, list(raw[k + 1:]))


def auto_mapping(header: Sequence[str], fields: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """field -> header for every field whose header is recognised (first match wins)."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    normalised = [(h, normalise_header(h)) for h in header if h]
    for fname, aliases in fields.items():
        wanted = [normalise_header(a) for a in aliases]
        for alias in wanted:  # alias order = preference
            hit = next((h for h, n in normalised if n == alias and h not in used), None)
            if hit is not None:
                mapping[fname] = hit
                used.add(hit)
                break
    return mapping


# ---------------------------------------------------------------------------------------------
# cell parsers (shared with results.py)

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


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


def parse_period(value: Any) -> Period:
    """A date cell as a :class:`Period`; raises ValueError with a Chinese message.

    Accepts Excel dates, 2024-03-15, 2024/3/15, 2024.3.15, 20240315, 2024年3月15日 (days);
    2024-03, 2024/3, 202403, 2024年3月 (months); 2024Q1, 2024-Q1, 2024年第一季度, 2024年1季度 (quarters).
    """
    if isinstance(value, dt.datetime):
        return Period("day", value.year, value.month, value.day)
    if isinstance(value, dt.date):
        return Period("day", value.year, value.month, value.day)
    if value is None:
        raise ValueError("日期为空")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = str(value).strip().replace(" ", "")
    try:
        m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T ]?\d{1,2}:\d{2}(?::\d{2})?)?", s)
        if m:
            d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return Period("day", d.year, d.month, d.day)
        m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s)
        if m:
            d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return Period("day", d.year, d.month, d.day)
        m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})月?", s) or re.fullmatch(r"(\d{4})(\d{2})", s)
        if m:
            month = int(m.group(2))
            if not 1 <= month <= 12:
                raise ValueError
            return Period("month", int(m.group(1)), month)
        m = re.fullmatch(r"(\d{4})[-年]?(?:q|Q|第)?([1-4一二三四])(?:季度|季)?", s)
        if m and ("q" in s.lower() or "季" in s):
            q = _CN_DIGITS[m.group(2)]
            return Period("quarter", int(m.group(1)), 3 * (q - 1) + 1)
    except ValueError:
        pass
    raise ValueError(f"无法识别的日期“{value}”（应为 2024-03-15、2024-03 或 2024Q1 这样的日期、月份或季度）")


def parse_number(value: Any) -> Decimal:
    """A numeric cell as Decimal; accepts 1,234.50 / ¥1234 / 1234元 / (100) (= -100) / 85%.

    Raises ValueError with a Chinese message for anything else.
    """
    if isinstance(value, bool):
        raise ValueError(f"“{value}”不是数字")
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"“{value}”不是数字")
        return Decimal(str(value))
    if value is None:
        raise ValueError("数值为空")
    s = str(value).strip().replace(",", "").replace("，", "").replace(" ", "")
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
    return -number if negative else number


# ---------------------------------------------------------------------------------------------
# spend files


@dataclass(frozen=True)
class SpendRow:
    """One valid data row: amount in the file's unit, for ``period``."""

    row: int
    project_code: str
    period: Period
    amount: Decimal


@dataclass
class SpendFile:
    """A parsed spend export. ``missing`` lists fields no header was mapped to (mapping needed)."""

    name: str
    header: list[str]
    mapping: dict[str, str]
    unit: str
    unit_source: str                 # 'header' | 'given' | 'default'
    rows: list[SpendRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def needs_mapping(self) -> bool:
        return bool(self.missing)


def parse_spend(
    data: bytes,
    name: str,
    *,
    mapping: Mapping[str, str] | None = None,
    unit: str | None = None,
) -> SpendFile:
    """Parse a spend export.

    ``mapping`` (field -> header) overrides the automatic header recognition for the fields it
    names. ``unit`` ('元' | '万元') is used when the amount header does not say; a header that
    states a different unit than ``unit`` is an error (the figures would be off by 10,000).
    Without either the unit is 元 (treasury exports are in 元).
    """
    if unit is not None and unit not in UNITS:
        raise ValueError(f"金额单位须为 元 或 万元，收到：{unit}")
    try:
        table = read_table(data, name, SPEND_FIELDS)
    except ValueError as exc:
        return SpendFile(name, [], {}, unit or "元", "default", errors=[RowError(name, None, None, str(exc))],
                         missing=[])
    auto = auto_mapping(table.header, SPEND_FIELDS)
    chosen = {**auto, **{k: v for k, v in (mapping or {}).items() if v}}
    bad = [v for v in chosen.values() if v not in table.header]
    missing = [f for f in SPEND_FIELDS if f not in chosen or chosen[f] in bad]
    result = SpendFile(name, table.header, {k: v for k, v in chosen.items() if v not in bad}, unit or "元",
                       "given" if unit else "default", missing=missing)
    if not table.header:
        result.errors.append(RowError(name, None, None, "文件是空的，没有表头和数据行。"))
        result.missing = []
        return result
    if missing:
        return result
    amount_header = result.mapping["amount"]
    stated = header_unit(amount_header)
    if stated is not None:
        if unit is not None and unit != stated:
            result.errors.append(RowError(name, table.header_row, amount_header,
                                          f"表头注明金额单位为{stated}，但导入时选择了{unit}；请确认单位后重试。"))
            return result
        result.unit, result.unit_source = stated, "header"
    idx = {f: table.header.index(h) for f, h in result.mapping.items()}
    seen: dict[tuple[Any, ...], int] = {}
    totals_seen: dict[tuple[str, str], int] = {}
    for line, cells in table.rows:
        cells = cells + [None] * (len(table.header) - len(cells))
        fingerprint = tuple(str(c) for c in cells)
        if fingerprint in seen:
            result.errors.append(RowError(name, line, None, f"重复行：与第 {seen[fingerprint]} 行完全相同（同一笔支出不能计两次）。"))
            continue
        seen[fingerprint] = line
        errors_before = len(result.errors)
        code_cell = cells[idx["project_code"]]
        code = "" if code_cell is None else str(code_cell).strip()
        if isinstance(code_cell, float) and code_cell.is_integer():
            code = str(int(code_cell))
        if not code:
            result.errors.append(RowError(name, line, result.mapping["project_code"], "项目编码为空。"))
        try:
            period = parse_period(cells[idx["date"]])
        except ValueError as exc:
            result.errors.append(RowError(name, line, result.mapping["date"], str(exc)))
            period = None
        try:
            amount = parse_number(cells[idx["amount"]])
            if amount < 0:
                result.errors.append(RowError(name, line, amount_header,
                                              f"金额不能为负数：{cells[idx['amount']]}（冲销请在导出前与原支出相抵）。"))
        except ValueError as exc:
            result.errors.append(RowError(name, line, amount_header, f"金额无效：{exc}。"))
            amount = None
        if len(result.errors) > errors_before or period is None or amount is None:
            continue
        if period.kind != "day":
            key = (code, period.label)
            if key in totals_seen:
                result.errors.append(RowError(name, line, result.mapping["date"],
                                              f"项目 {code} 的 {period.label} 合计已在第 {totals_seen[key]} 行出现，同一期间只能有一行合计。"))
                continue
            totals_seen[key] = line
        result.rows.append(SpendRow(line, code, period, amount))
    if not table.rows:
        result.errors.append(RowError(name, None, None, "文件没有数据行。"))
    return result


def to_wan(amount: Decimal, unit: str) -> Decimal:
    """An amount in ``unit`` as 万元 at the store's precision (exact to the 分)."""
    value = amount / Decimal(10000) if unit == "元" else amount
    return value.quantize(SPEND_QUANTUM)


def monthly_totals(rows: Iterable[SpendRow]) -> dict[tuple[str, dt.date], tuple[Decimal, list[int]]]:
    """(project code, month) -> (sum in the file's unit, source rows) for every month a row covers.

    A quarter total counts in the quarter's last month; its other months are covered with 0 (the
    file says what was spent in the whole quarter).
    """
    out: dict[tuple[str, dt.date], tuple[Decimal, list[int]]] = {}
    for r in rows:
        months = r.period.months
        for k, month in enumerate(months):
            share = r.amount if k == len(months) - 1 else Decimal(0)
            total, lines = out.get((r.project_code, month), (Decimal(0), []))
            out[(r.project_code, month)] = (total + share, lines + [r.row])
    return out

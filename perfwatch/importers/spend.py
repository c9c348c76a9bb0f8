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
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from perfwatch.store import SPEND_QUANTUM

UNITS: tuple[str, ...] = ("元", "万元")

# field -> accepted header names (compared after normalising: lower case, no spaces/brackets/units).
SPEND_FIELDS: dict[str, tuple[str, ...]] = {
    "project_code": ("project_code", "projectcode", "code", "project", "项目编码", "项目代码", "项目编号", "预算项目编码",
                     "项目", "预算项目代码", "预算项目编号", "预算项目"),
    "date": ("date", "period", "month", "quarter", "支出日期", "日期", "支付日期", "记账日期", "交易日期",
             "月份", "期间", "所属期间", "季度", "会计期间", "付款日期", "清算日期", "凭证日期", "业务日期",
             "入账日期", "支付时间"),
    "amount": ("amount", "spend", "支出金额", "金额", "支付金额", "实际支出", "支出数", "本期支出", "发生额",
               "执行数", "实际支出金额", "实付金额", "付款金额", "本次支付金额", "实际支付金额", "结算金额",
               "借方金额", "借方发生额", "本期借方", "借方"),
}
# In an accounting ledger (明细账) spend is the debit; a credit on the same account is a refund.
DEBIT_HEADERS: tuple[str, ...] = ("借方金额", "借方发生额", "本期借方", "借方")
CREDIT_HEADERS: tuple[str, ...] = ("贷方金额", "贷方发生额", "本期贷方", "贷方")
# A payment list may give refunds their own column; they are taken off the amount.
REFUND_HEADERS: tuple[str, ...] = ("退回金额", "退款金额", "冲销金额", "收回金额", "支出退回")
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
    above: list[tuple[int, list[Any]]] = field(default_factory=list)  # title lines above the header
    sheet: str = ""


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
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode text": UTF-16 with a BOM
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def _cell(value: Any, number_format: str | None = None) -> Any:
    """A cell as read: text stripped (also of zero-width marks and of Excel's ="0012" text-guard),
    empty text as None; an integer shown with a zero-padding format (000000) as the text shown."""
    if isinstance(value, str):
        value = value.translate(_INVISIBLE).strip()
        if value.startswith('="') and value.endswith('"'):
            value = value[2:-1].strip()
        return value or None
    if (number_format and re.fullmatch(r"0{2,}", number_format) and not isinstance(value, bool)
            and isinstance(value, (int, float)) and float(value).is_integer() and value >= 0):
        return str(int(value)).zfill(len(number_format))
    return value


@dataclass
class Sheet:
    """The non-empty rows of one sheet (or of the CSV), with their 1-based line numbers."""

    name: str
    rows: list[tuple[int, list[Any]]]


def read_sheets(data: bytes, name: str) -> list[Sheet]:
    """The visible sheets of an XLSX (all sheets if none is visible), or the CSV as one sheet.

    XLSX cells keep their types (numbers, datetimes); CSV cells are text. Empty rows are dropped
    but the line numbers stay those the spreadsheet shows.
    """
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        import openpyxl

        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise ValueError(f"{name} 不是可读取的 Excel（.xlsx）文件：{exc}") from exc
        try:
            sheets = [ws for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
            out: list[Sheet] = []
            for ws in sheets or list(wb.worksheets):
                rows: list[tuple[int, list[Any]]] = []
                for i, row in enumerate(ws.iter_rows(), 1):
                    cells = [_cell(getattr(c, "value", None), getattr(c, "number_format", None)) for c in row]
                    if any(c is not None for c in cells):
                        rows.append((i, cells))
                out.append(Sheet(ws.title, rows))
        except ValueError:
            raise
        except Exception as exc:  # a damaged sheet inside a readable zip
            raise ValueError(f"{name} 不是可读取的 Excel（.xlsx）文件：{exc}") from exc
        finally:
            wb.close()
        return out
    text = None if data[:4] == b"\xd0\xcf\x11\xe0" else _decode(data)
    head = (text or "")[:2048].lstrip().lower()
    if text is not None and head.startswith("<") and ("<table" in text.lower() or "<workbook" in text.lower()):
        # Many government systems save an HTML or XML (SpreadsheetML 2003) table under .xls.
        sheets = _markup_sheets(text, name)
        if sheets:
            return sheets
    if suffix == ".xls" or text is None:
        raise ValueError(f"{name} 是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 .csv 后再导入。")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    rows = []
    for i, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
        cells = [_cell(v) for v in row]
        if any(c is not None for c in cells):
            rows.append((i, cells))
    return [Sheet(Path(name).name, rows)]


class _HtmlTables(HTMLParser):
    """The cells of every <table> in an HTML page, colspan/rowspan laid out as empty cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str | None]]] = []
        self._row: list[str | None] | None = None
        self._cell: list[str] | None = None
        self._colspan = 1
        self._spans: dict[int, int] = {}   # column -> rows still covered by a rowspan from above
        self._depth = 0

    def _fill_spans(self) -> None:
        assert self._row is not None
        while self._spans.get(len(self._row), 0) > 0:
            self._spans[len(self._row)] -= 1
            self._row.append(None)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self._depth += 1
            self.tables.append([])
            self._spans = {}
        elif tag == "tr" and self._depth:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._fill_spans()
            self._cell = []
            self._colspan = _int_attr(a.get("colspan"))
            rowspan = _int_attr(a.get("rowspan"))
            if rowspan > 1:
                for k in range(self._colspan):
                    self._spans[len(self._row) + k] = rowspan - 1
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(_cell("".join(self._cell)))
            self._row.extend([None] * (self._colspan - 1))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._fill_spans()
            self.tables[-1].append(self._row)
            self._row = None
        elif tag == "table" and self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _int_attr(value: str | None) -> int:
    try:
        return max(1, int(str(value).strip()))
    except ValueError:
        return 1


def _markup_sheets(text: str, name: str) -> list[Sheet]:
    """The tables of an HTML page or of an XML Spreadsheet 2003 file, as sheets."""
    out: list[Sheet] = []
    if "urn:schemas-microsoft-com:office:spreadsheet" in text[:4096]:
        import xml.etree.ElementTree as ET

        ns = "{urn:schemas-microsoft-com:office:spreadsheet}"
        try:
            root = ET.fromstring(text.encode("utf-8") if not text.lstrip().startswith("<?xml") else
                                 re.sub(r"^\s*<\?xml[^>]*\?>", "", text).encode("utf-8"))
        except ET.ParseError as exc:
            raise ValueError(f"{name} 不是可读取的表格文件：{exc}") from exc
        for ws in root.iter(f"{ns}Worksheet"):
            rows: list[tuple[int, list[Any]]] = []
            line = 0
            for row in ws.iter(f"{ns}Row"):
                line = int(row.get(f"{ns}Index", line + 1))
                cells: list[Any] = []
                for c in row.findall(f"{ns}Cell"):
                    col = int(c.get(f"{ns}Index", len(cells) + 1))
                    cells.extend([None] * (col - 1 - len(cells)))
                    d = c.find(f"{ns}Data")
                    value: Any = None if d is None else "".join(d.itertext())
                    if d is not None and d.get(f"{ns}Type") == "DateTime" and value:
                        value = dt.datetime.fromisoformat(value[:19])
                    cells.append(_cell(value))
                if any(c is not None for c in cells):
                    rows.append((line, cells))
            out.append(Sheet(ws.get(f"{ns}Name", ""), rows))
        return out
    parser = _HtmlTables()
    parser.feed(text)
    for k, table in enumerate(parser.tables, 1):
        rows = [(i, cells) for i, cells in enumerate(table, 1) if any(c is not None for c in cells)]
        out.append(Sheet(f"表{k}", rows))
    return out


def read_raw(data: bytes, name: str) -> list[tuple[int, list[Any]]]:
    """All non-empty rows of the first visible sheet (XLSX) or of the CSV, with 1-based line numbers."""
    sheets = read_sheets(data, name)
    return sheets[0].rows if sheets else []


def field_hits(cells: Sequence[Any], fields: Mapping[str, Sequence[str]]) -> int:
    """How many of ``fields`` a row of cells names (by their accepted header names)."""
    names = {normalise_header(c) for c in cells if c is not None}
    return sum(1 for aliases in fields.values() if names & {normalise_header(a) for a in aliases})


def find_header(raw: Sequence[tuple[int, list[Any]]], fields: Mapping[str, Sequence[str]], *, scan: int = 15,
                score: Callable[[Sequence[Any]], int] | None = None) -> int:
    """Index in ``raw`` of the header row: the first of the first ``scan`` rows naming the most
    known fields (exports often put a title and a date line above the header). 0 if none match."""
    best, best_hits = 0, 0
    for k, (_, cells) in enumerate(raw[:scan]):
        hits = score(cells) if score is not None else field_hits(cells, fields)
        if hits > best_hits:
            best, best_hits = k, hits
    return best


def read_table(data: bytes, name: str, fields: Mapping[str, Sequence[str]], *,
               score: Callable[[Sequence[Any]], int] | None = None) -> Table:
    """The sheet of ``data`` split at its header row (see :func:`find_header`).

    Of a workbook's visible sheets the first whose header names the most fields is used (a
    hidden or cover sheet before the data is skipped); ``score`` replaces the field count.
    """
    best: tuple[int, Sheet, int] | None = None
    for sheet in read_sheets(data, name):
        if not sheet.rows:
            continue
        k = find_header(sheet.rows, fields, score=score)
        cells = sheet.rows[k][1]
        hits = score(cells) if score is not None else field_hits(cells, fields)
        if best is None or hits > best[0]:
            best = (hits, sheet, k)
    if best is None:
        return Table(name, [], 1, [])
    _, sheet, k = best
    header_line, header_cells = sheet.rows[k]
    header = ["" if c is None else str(c).strip() for c in header_cells]
    body = list(sheet.rows[k + 1:])
    if body and _is_sub_header(header, body[0][1]):
        # A grouped header: "金额" merged over "支付金额 | 退回金额" on the line below. Each column
        # is named by its lower cell, or by the upper one where the lower is empty.
        sub = body.pop(0)[1]
        width = max(len(header), len(sub))
        header = [(str(sub[j]).strip() if j < len(sub) and sub[j] is not None else
                   (header[j] if j < len(header) else "")) for j in range(width)]
    return Table(name, header, header_line, body, above=list(sheet.rows[:k]), sheet=sheet.name)


def _is_sub_header(header: Sequence[str], cells: Sequence[Any]) -> bool:
    """Whether the line under a header is the lower half of a grouped header: only text that is
    neither a number nor a date, some of it under an empty (merged) upper cell."""
    texts = [(j, c) for j, c in enumerate(cells) if c is not None]
    if not texts or any(not isinstance(c, str) for _, c in texts):
        return False
    for _, c in texts:
        for parse in (parse_number, parse_period):
            try:
                parse(c)
                return False
            except ValueError:
                pass
    return any(j >= len(header) or not header[j] for j, _ in texts)


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
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"“{value}”不是数字")
        return Decimal(str(value))
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
    """A parsed spend export. ``missing`` lists fields no header was mapped to (mapping needed).

    ``layout`` is 'rows' (a date and an amount column) or 'wide' (one row per project, a column
    per month or quarter); ``skipped`` are the lines left out on purpose (合计/小计 rows, repeated
    header rows).
    """

    name: str
    header: list[str]
    mapping: dict[str, str]
    unit: str
    unit_source: str                 # 'header' | 'given' | 'default'
    rows: list[SpendRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    layout: str = "rows"
    skipped: list[int] = field(default_factory=list)

    @property
    def needs_mapping(self) -> bool:
        return bool(self.missing)


# A cell that is exactly one of these labels marks a total/carry line of an export, not a payment.
_SUMMARY_LABEL = re.compile(
    r"(?:本页|本月|本期|本季|本年|全年|年度|项目|部门|单位|总|累计)?(?:合计|小计|总计|累计|共计)(?:数|金额)?"
    r"|期初余额|年初余额|上年结转|上月结转|承前页|过次页|结转下年")
# Every label and word below contains one of these.
_SUMMARY_HINT = re.compile(r"计|余额|结转|页")
# Words that, inside the project-code or date cell, mark such a line ("P001 小计", "1-7月合计").
_SUMMARY_WORD = re.compile(r"合计|小计|总计|累计|共计")
# Words a month column of a wide layout may carry after the month ("3月支出", "3月金额").
_COLUMN_SUFFIX = re.compile(r"(?:实际)?(?:支出|支付|金额|支出数|执行数|发生额|支出金额|支付金额)(?:数)?$")
# A cell standing for zero in a printed report.
_DASHES = {"-", "—", "–", "--", "——", "－", "/"}


def _plain(cell: Any) -> str:
    return re.sub(r"[\s:：]", "", str(cell)) if isinstance(cell, str) else ""


def is_summary_row(cells: Sequence[Any], key_columns: Iterable[int] = ()) -> bool:
    """Whether a row is a 合计 / 小计 / 承前页 line: some text cell is exactly such a label, or the
    project-code or date cell (``key_columns``) contains 合计/小计/总计/累计."""
    texts = [c for c in cells if isinstance(c, str)]
    if not _SUMMARY_HINT.search("\x00".join(texts)):
        return False  # fast path: no 计/余额/结转/页 anywhere in the row
    if any(_SUMMARY_LABEL.fullmatch(_plain(c)) for c in texts):
        return True
    return any(k < len(cells) and isinstance(cells[k], str) and _SUMMARY_WORD.search(cells[k]) for k in key_columns)


def is_note_row(cells: Sequence[Any], value_columns: Iterable[int]) -> bool:
    """Whether a row is a note or signature line ("制表人：张三  审核：李四", "注：…"): its amount
    cells (``value_columns``) are empty and every filled cell is "label：…" text or a note."""
    if any(k < len(cells) and cells[k] is not None for k in value_columns):
        return False
    texts = [c for c in cells if c is not None]
    return bool(texts) and all(isinstance(c, str) and (re.search(r"[^\d\s:：][:：]", c) or re.match(r"(?:注|说明|备注)", c))
                               for c in texts)


def _title_text(above: Sequence[tuple[int, list[Any]]]) -> str:
    return " ".join(str(c) for _, cells in above for c in cells if c is not None)


def title_unit(above: Sequence[tuple[int, list[Any]]]) -> str | None:
    """The unit a title line states: "单位：元", "金额单位：万元"."""
    # Not "预算单位：元氏县财政局": the unit is not followed by more of a name.
    m = re.search(r"单位\s*[:：]?\s*(万元|元)(?![\u4e00-\u9fff])", _title_text(above))
    return m.group(1) if m else None


def file_year(above: Sequence[tuple[int, list[Any]]], name: str) -> int | None:
    """The one year the title lines name ("2024年1-7月…" -> 2024), else the one year in the file
    name; None when there is none or more than one."""
    for text in (_title_text(above), Path(name).stem):
        with_nian = set(re.findall(r"(?<!\d)((?:19|20)\d{2})\s*年", text))
        years = with_nian or set(re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", text))
        if len(years) == 1:
            return int(years.pop())
        if years:
            return None
    return None


def period_column(header: Any, year: int | None) -> Period | None:
    """The month or quarter a column of a wide layout stands for ("3月", "2024年3月", "三月",
    "3月支出（元）", "一季度", "Q1"), or None. Without ``year`` a placeholder year is used."""
    if header is None:
        return None
    text = re.sub(r"[（(\[【][^）)\]】]*[）)\]】]", "", str(header))
    text = _COLUMN_SUFFIX.sub("", re.sub(r"\s+", "", text))
    if not text or not re.search(r"月|季|[qQ]\d|^\d{4}[-/.]\d{1,2}$", text):
        return None
    try:
        period = parse_period(text, year if year is not None else 2000)
    except ValueError:
        return None
    return period if period.kind in ("month", "quarter") else None


def _spend_score(cells: Sequence[Any]) -> int:
    """Header score for spend files: known fields, or project code + at least two month columns."""
    hits = field_hits(cells, SPEND_FIELDS)
    if {"月", "日"} <= {normalise_header(c) for c in cells if c is not None}:
        hits += 1  # a ledger's date split into 月 and 日
    code_only = field_hits(cells, {"project_code": SPEND_FIELDS["project_code"]})
    periods = sum(1 for c in cells if period_column(c, None) is not None)
    return max(hits, code_only + 2) if code_only and periods >= 2 else hits


def _code_text(cell: Any) -> tuple[str, str | None]:
    """(project code, problem) from a code cell: numbers as written, Excel's 1.01E+11 refused."""
    if cell is None:
        return "", None
    if isinstance(cell, bool):
        return str(cell), None
    if isinstance(cell, float):
        if cell.is_integer():
            return str(int(cell)), None
        return str(cell), None
    text = unicodedata.normalize("NFKC", str(cell)).strip()  # full-width Ｐ００１ typed with a Chinese IME
    if re.fullmatch(r"\d+(?:\.\d+)?[eE]\+?\d+", text):
        return text, (f"项目编码“{text}”是科学计数法：Excel 把长编码当成数字并截断了。"
                      "请在 Excel 中将该列设为“文本”格式后重新导出。")
    if re.fullmatch(r"\d+\.0+", text):  # a numeric code written out by a program as 1010001.0
        text = text.split(".")[0]
    return code_of(text), None


def code_of(text: str) -> str:
    """The code of a cell holding code and name together: "[P001]甲项目", "【P001】甲项目",
    "P001 甲项目" -> "P001"; any other text as it is."""
    m = (re.fullmatch(r"[\[【(（]\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*[\]】)）]\s*\S.*", text)
         or re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s+[\u4e00-\u9fff].*", text))
    return m.group(1) if m else text


def parse_spend(
    data: bytes,
    name: str,
    *,
    mapping: Mapping[str, str] | None = None,
    unit: str | None = None,
) -> SpendFile:
    """Parse a spend export.

    ``mapping`` (field -> header) overrides the automatic header recognition for the fields it
    names. ``unit`` ('元' | '万元') is used when neither the amount header nor a title line
    ("单位：万元") says; a file that states a different unit than ``unit`` is an error (the
    figures would be off by 10,000). Without either the unit is 元 (treasury exports are in 元).

    Two layouts are read: rows with a date and an amount (payments, or month/quarter totals), and
    a wide table with one row per project and a column per month ("1月" … "12月") or quarter.
    Accounting ledgers (明细账) are read too: 月/日 columns, 借方 − 贷方, project named in a title.
    Title lines above the header, 合计/小计 lines, note/signature lines (制表人：…) and repeated
    header lines are skipped. In a payment list a row may be negative (冲销/退回), but no
    project's month may total below zero.
    """
    if unit is not None and unit not in UNITS:
        raise ValueError(f"金额单位须为 元 或 万元，收到：{unit}")
    try:
        table = read_table(data, name, SPEND_FIELDS, score=_spend_score)
    except ValueError as exc:
        return SpendFile(name, [], {}, unit or "元", "default", errors=[RowError(name, None, None, str(exc))],
                         missing=[])
    auto = auto_mapping(table.header, SPEND_FIELDS)
    given = {k: v for k, v in (mapping or {}).items() if v}
    chosen = {**auto, **given}
    year = file_year(table.above, name)
    wide_cols: list[tuple[int, str, Period]] = []
    if "date" not in chosen and "amount" not in chosen:
        for k, h in enumerate(table.header):
            period = period_column(h, year)
            if period is not None:
                wide_cols.append((k, h, period))
        if any(p.kind == "month" for _, _, p in wide_cols):
            # Quarter columns next to month columns are subtotals of those months.
            wide_cols = [c for c in wide_cols if c[2].kind == "month"]
        if len(wide_cols) < 2:
            wide_cols = []
    if not wide_cols:
        problem = _ledger_columns(table, chosen, given, year)
        if problem:
            return SpendFile(name, table.header, chosen, unit or "元", "given" if unit else "default",
                             errors=[RowError(name, table.header_row, None, problem)])
    fields = ("project_code",) if wide_cols else tuple(SPEND_FIELDS)
    bad = [v for v in chosen.values() if v not in table.header]
    missing = [f for f in fields if f not in chosen or chosen[f] in bad]
    result = SpendFile(name, table.header, {k: v for k, v in chosen.items() if v not in bad}, unit or "元",
                       "given" if unit else "default", missing=missing, layout="wide" if wide_cols else "rows")
    if not table.header:
        result.errors.append(RowError(name, None, None, "文件是空的，没有表头和数据行。"))
        result.missing = []
        return result
    if missing:
        return result
    amount_headers = [h for _, h, _ in wide_cols] or [result.mapping["amount"]]
    stated_units = {u for u in (header_unit(h) for h in amount_headers) if u}
    if len(stated_units) > 1:
        result.errors.append(RowError(name, table.header_row, None, "各金额列注明的单位不一致（元/万元混用），请统一后重试。"))
        return result
    stated = stated_units.pop() if stated_units else None
    titled = title_unit(table.above)
    if stated is not None and titled is not None and stated != titled:
        result.errors.append(RowError(name, table.header_row, amount_headers[0],
                                      f"标题注明“单位：{titled}”，但表头注明金额单位为{stated}；请确认单位后重试。"))
        return result
    stated = stated or titled
    if stated is not None:
        if unit is not None and unit != stated:
            result.errors.append(RowError(name, table.header_row, amount_headers[0],
                                          f"表头注明金额单位为{stated}，但导入时选择了{unit}；请确认单位后重试。"))
            return result
        result.unit, result.unit_source = stated, "header"
    if wide_cols:
        if year is None and any(period_column(h, None) != period_column(h, 1999) for _, h, _ in wide_cols):
            result.errors.append(RowError(name, table.header_row, None,
                                          "按月分列的文件没有注明年度：请在标题中写明（如“2024年项目支出表”）或把列名写成“2024年1月”。"))
            return result
        _read_wide(table, result, wide_cols)
    else:
        _read_rows(table, result, year)
    if not table.rows:
        result.errors.append(RowError(name, None, None, "文件没有数据行。"))
    return result


LEDGER_DATE = "日期（月/日）"
LEDGER_CODE = "项目编码（标题）"


def project_code_in_title(above: Sequence[tuple[int, list[Any]]]) -> str | None:
    """The project a per-project ledger names above its header: "项目：P001 甲项目",
    "项目编码：P001", "辅助核算项目：[P001]甲项目"."""
    m = re.search(r"项目(?:编码|代码|编号)?\s*[:：]\s*[\[【(（]?\s*([A-Za-z0-9][A-Za-z0-9._-]*)", _title_text(above))
    return m.group(1) if m else None


def _ledger_columns(table: Table, chosen: dict[str, str], given: Mapping[str, str], year: int | None) -> str | None:
    """Accounting-ledger (明细账) shapes, rewritten in place as ordinary columns added to ``table``:
    the project named in a title line, the date split into 月 and 日 columns (year from the title),
    and 借方/贷方 columns (amount = debit − credit, so a credit is a refund) or a payment list's
    退回金额 column (amount = payment − refund). Returns a problem (for the whole file) or None."""
    norm = [normalise_header(h) for h in table.header]
    extra: list[tuple[str, Callable[[list[Any]], Any]]] = []
    if "project_code" not in chosen:
        code = project_code_in_title(table.above)
        if code is not None:
            extra.append((LEDGER_CODE, lambda cells, code=code: code))
            chosen["project_code"] = LEDGER_CODE
    if "date" not in chosen and "月" in norm and "日" in norm:
        if year is None:
            return "日期分为“月”“日”两列，但标题中没有注明年度（如“2024年明细账”），无法确定日期。"
        m_idx, d_idx = norm.index("月"), norm.index("日")

        def split_date(cells: list[Any]) -> Any:
            mo, dd = cells[m_idx], cells[d_idx]
            if mo is None and dd is None:
                return None
            as_int = [str(int(v)) if isinstance(v, float) and v.is_integer() else str(v or "") for v in (mo, dd)]
            return f"{year}年{as_int[0]}月{as_int[1]}日"

        extra.append((LEDGER_DATE, split_date))
        chosen["date"] = LEDGER_DATE
    amount = chosen.get("amount")
    is_debit = amount is not None and normalise_header(amount) in {normalise_header(d) for d in DEBIT_HEADERS}
    credit = next((table.header[norm.index(normalise_header(c))]
                   for c in (CREDIT_HEADERS if is_debit else REFUND_HEADERS) if normalise_header(c) in norm), None)
    if amount is not None and "amount" not in given and credit is not None:
        a_idx, c_idx = table.header.index(amount), table.header.index(credit)

        def net(cells: list[Any]) -> Any:
            debit, cr = cells[a_idx], cells[c_idx]
            if debit is None and cr is None:
                return None
            values: list[Decimal] = []
            for v in (debit, cr):
                try:
                    values.append(parse_number(v) if v is not None else Decimal(0))
                except ValueError:
                    return v  # reported as it is written
            return values[0] - values[1]

        extra.append((f"{amount}−{credit}", net))
        chosen["amount"] = extra[-1][0]
    if extra:
        width, header = len(table.header), table.header
        rows: list[tuple[int, list[Any]]] = []
        for line, cells in table.rows:
            cells = (cells + [None] * (width - len(cells)))[:width]
            # A repeated header line gets the new columns' names, so it is still seen as one.
            repeat = is_header_repeat(cells, header)
            rows.append((line, cells + [h if repeat else f(cells) for h, f in extra]))
        table.header = header + [h for h, _ in extra]
        table.rows = rows
    return None


def is_header_repeat(cells: Sequence[Any], header: Sequence[str]) -> bool:
    """Whether a line repeats the header (printed exports repeat it on every page)."""
    first = next((c for c in cells if c is not None), None)
    first_header = next((h for h in header if h), None)
    if first is None or first_header is None or normalise_header(first) != normalise_header(first_header):
        return False  # fast path: compare the whole line only when its first cell is the header's
    texts = [normalise_header(c) for c in cells if c is not None]
    return texts == [normalise_header(h) for h in header if h]


def _read_rows(table: Table, result: SpendFile, year: int | None) -> None:
    """Payments or period totals: one row per project and date."""
    name = result.name
    amount_header = result.mapping["amount"]
    idx = {f: table.header.index(h) for f, h in result.mapping.items()}
    seen: dict[tuple[Any, ...], int] = {}
    totals_seen: dict[tuple[str, str], int] = {}
    covered: dict[tuple[str, dt.date], tuple[int, str]] = {}  # (code, month) -> (first line, kind)
    for line, cells in table.rows:
        cells = cells + [None] * (len(table.header) - len(cells))
        if (is_summary_row(cells, (idx["project_code"], idx["date"])) or is_header_repeat(cells, table.header)
                or is_note_row(cells, (idx["amount"],))):
            result.skipped.append(line)
            continue
        fingerprint = tuple(str(c) for c in cells)
        if fingerprint in seen:
            result.errors.append(RowError(name, line, None, f"重复行：与第 {seen[fingerprint]} 行完全相同（同一笔支出不能计两次）。"))
            continue
        seen[fingerprint] = line
        errors_before = len(result.errors)
        code, problem = _code_text(cells[idx["project_code"]])
        if problem:
            result.errors.append(RowError(name, line, result.mapping["project_code"], problem))
        elif not code:
            result.errors.append(RowError(name, line, result.mapping["project_code"], "项目编码为空。"))
        try:
            period: Period | None = parse_period(cells[idx["date"]], year)
        except ValueError as exc:
            result.errors.append(RowError(name, line, result.mapping["date"], str(exc)))
            period = None
        try:
            amount: Decimal | None = parse_number(cells[idx["amount"]])
        except ValueError as exc:
            result.errors.append(RowError(name, line, amount_header, f"金额无效：{exc}。"))
            amount = None
        if amount is not None and amount < 0 and period is not None and period.kind != "day":
            result.errors.append(RowError(name, line, amount_header,
                                          f"金额不能为负数：{cells[idx['amount']]}（{period.label} 是期间合计，合计不能为负数）。"))
        if len(result.errors) > errors_before or period is None or amount is None:
            continue
        if period.kind != "day":
            key = (code, period.label)
            if key in totals_seen:
                result.errors.append(RowError(name, line, result.mapping["date"],
                                              f"项目 {code} 的 {period.label} 合计已在第 {totals_seen[key]} 行出现，同一期间只能有一行合计。"))
                continue
        clash = next(((mo, covered[(code, mo)]) for mo in period.months if (code, mo) in covered
                      and (period.kind != "day" or covered[(code, mo)][1] != "day")), None)
        if clash is not None:
            (mo, (other, kind)) = clash
            what = "逐笔支出" if kind == "day" else "期间合计"
            result.errors.append(RowError(name, line, result.mapping["date"],
                                          f"项目 {code} 的 {mo.year}年{mo.month}月已由第 {other} 行的{what}覆盖；"
                                          "同一月份不能既有逐笔支出又有月/季合计，也不能有两个重叠的合计（会重复计算）。"))
            continue
        if period.kind != "day":
            totals_seen[key] = line
        for mo in period.months:
            covered.setdefault((code, mo), (line, period.kind))
        result.rows.append(SpendRow(line, code, period, amount))
    _refuse_negative_months(result, amount_header, {line: cells[idx["amount"]] for line, cells in table.rows
                                                   if idx["amount"] < len(cells)})


def _refuse_negative_months(result: SpendFile, column: str | None, raw: Mapping[int, Any]) -> None:
    """Negative payment rows (冲销/退回) are allowed, but no project-month may total below zero:
    each negative row of such a month is an error and is dropped."""
    if not any(r.amount < 0 for r in result.rows):
        return
    bad: dict[tuple[str, dt.date], Decimal] = {
        key: total for key, (total, _) in monthly_totals(result.rows).items() if total < 0}
    if not bad:
        return
    kept: list[SpendRow] = []
    for r in result.rows:
        key = (r.project_code, r.period.months[-1])
        if r.amount < 0 and key in bad:
            month = key[1]
            result.errors.append(RowError(
                result.name, r.row, column,
                f"金额不能为负数：本行 {raw.get(r.row, r.amount)} 冲销/退回后，项目 {r.project_code} "
                f"{month.year}年{month.month}月的支出合计为 {bad[key]:f}{result.unit}（冲销/退回不能超过当月支出）。"))
        else:
            kept.append(r)
    result.rows = kept


def _read_wide(table: Table, result: SpendFile, cols: Sequence[tuple[int, str, Period]]) -> None:
    """One row per project, a column per month or quarter. Empty cells are not data; a "-" is 0.
    Zero columns after the last month with any amount are months not yet reached (an export made
    in July shows 8月…12月 as 0) and are not data either."""
    name = result.name
    code_idx = table.header.index(result.mapping["project_code"])
    cells_read: list[tuple[int, str, str, Period, Decimal]] = []
    seen_codes: dict[str, int] = {}
    for line, cells in table.rows:
        cells = cells + [None] * (len(table.header) - len(cells))
        if (is_summary_row(cells, (code_idx,)) or is_header_repeat(cells, table.header)
                or is_note_row(cells, [k for k, _, _ in cols])):
            result.skipped.append(line)
            continue
        errors_before = len(result.errors)
        code, problem = _code_text(cells[code_idx])
        if problem:
            result.errors.append(RowError(name, line, result.mapping["project_code"], problem))
        elif not code:
            result.errors.append(RowError(name, line, result.mapping["project_code"], "项目编码为空。"))
        elif code in seen_codes:
            result.errors.append(RowError(name, line, result.mapping["project_code"],
                                          f"项目 {code} 已在第 {seen_codes[code]} 行出现，按月分列的文件每个项目只能有一行。"))
        else:
            seen_codes[code] = line
        if len(result.errors) > errors_before:
            continue
        for k, header, period in cols:
            cell = cells[k]
            if cell is None:
                continue
            if isinstance(cell, str) and cell in _DASHES:
                amount = Decimal(0)
            else:
                try:
                    amount = parse_number(cell)
                except ValueError as exc:
                    result.errors.append(RowError(name, line, header, f"金额无效：{exc}。"))
                    continue
            if amount < 0:
                result.errors.append(RowError(name, line, header,
                                              f"金额不能为负数：{cell}（{period.label} 是期间合计，合计不能为负数）。"))
                continue
            cells_read.append((line, code, header, period, amount))
    reached = max((p.months[-1] for _, _, _, p, a in cells_read if a != 0), default=None)
    for line, code, _, period, amount in cells_read:
        if amount == 0 and (reached is None or period.months[0] > reached):
            continue
        result.rows.append(SpendRow(line, code, period, amount))


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

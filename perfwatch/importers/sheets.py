"""Reading tables out of uploaded files: XLSX/XLS sheets, HTML/XML tables saved as .xls, CSV and
tab-separated text (any common encoding); finding the header line, mapping columns, and telling
total, note and repeated-header lines from data. Pure, no database; shared by the spend and
results importers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from perfwatch import textsafe
from perfwatch.importers.values import parse_number, parse_period


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

        from perfwatch.errors import ValidationError
        from perfwatch.uploads import check_xlsx_limits

        try:
            check_xlsx_limits(name, data)  # a zip bomb stops here, also for the command line
        except ValidationError as exc:
            raise ValueError(str(exc)) from exc
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
        markup = _markup_sheets(text, name)
        if markup:
            return markup
    if suffix == ".xls" or text is None:
        raise ValueError(f"{name} 是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 .csv 后再导入。")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    if textsafe.looks_binary(text):
        raise ValueError(f"{name} 不是文本表格（CSV）文件：内容像是二进制数据或已损坏。请导出为 .xlsx 或 .csv 后再导入。")
    rows = []
    # newline=None: CR-only (old Mac), LF and CRLF line ends all read as line ends.
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    try:
        for i, record in enumerate(reader, 1):
            cells = [_cell(v) for v in record]
            if any(c is not None for c in cells):
                rows.append((i, cells))
    except csv.Error as exc:
        raise ValueError(f"{name} " + textsafe.csv_error_message(reader.line_num, exc)) from exc
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


# A cell that is exactly one of these labels marks a total/carry line of an export, not a payment.
_SUMMARY_LABEL = re.compile(
    r"(?:本页|本月|本期|本季|本年|全年|年度|项目|部门|单位|总|累计)?(?:合计|小计|总计|累计|共计)(?:数|金额)?"
    r"|期初余额|年初余额|上年结转|上月结转|承前页|过次页|结转下年")
# Every label and word below contains one of these.
_SUMMARY_HINT = re.compile(r"计|余额|结转|页")
# Words that, inside the project-code or date cell, mark such a line ("P001 小计", "1-7月合计").
_SUMMARY_WORD = re.compile(r"合计|小计|总计|累计|共计")
# Words a month column of a wide layout may carry after the month ("3月支出", "3月金额").
COLUMN_SUFFIX = re.compile(r"(?:实际)?(?:支出|支付|金额|支出数|执行数|发生额|支出金额|支付金额)(?:数)?$")
# A cell standing for zero in a printed report.
DASHES = {"-", "—", "–", "--", "——", "－", "/"}


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


def title_text(above: Sequence[tuple[int, list[Any]]]) -> str:
    return " ".join(str(c) for _, cells in above for c in cells if c is not None)


def title_unit(above: Sequence[tuple[int, list[Any]]]) -> str | None:
    """The unit a title line states: "单位：元", "金额单位：万元"."""
    # Not "预算单位：元氏县财政局": the unit is not followed by more of a name.
    m = re.search(r"单位\s*[:：]?\s*(万元|元)(?![\u4e00-\u9fff])", title_text(above))
    return m.group(1) if m else None


def file_year(above: Sequence[tuple[int, list[Any]]], name: str) -> int | None:
    """The one year the title lines name ("2024年1-7月…" -> 2024), else the one year in the file
    name; None when there is none or more than one."""
    for text in (title_text(above), Path(name).stem):
        with_nian = set(re.findall(r"(?<!\d)((?:19|20)\d{2})\s*年", text))
        years = with_nian or set(re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", text))
        if len(years) == 1:
            return int(years.pop())
        if years:
            return None
    return None


def is_header_repeat(cells: Sequence[Any], header: Sequence[str]) -> bool:
    """Whether a line repeats the header (printed exports repeat it on every page)."""
    first = next((c for c in cells if c is not None), None)
    first_header = next((h for h in header if h), None)
    if first is None or first_header is None or normalise_header(first) != normalise_header(first_header):
        return False  # fast path: compare the whole line only when its first cell is the header's
    texts = [normalise_header(c) for c in cells if c is not None]
    return texts == [normalise_header(h) for h in header if h]

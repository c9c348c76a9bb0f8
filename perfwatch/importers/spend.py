"""Read spend exports (CSV or XLSX): transaction rows or period totals, in 元 or 万元, with Chinese
or English headers mapped to 项目编码 / 日期 / 金额.

Pure file reading and cell checks only -- no database. The result is a :class:`SpendFile`: parsed
rows plus a list of :class:`RowError` (file, row, column, message). Checks that need the database
(unknown project codes, dates outside the project's fiscal year, budgets) are made by
:mod:`perfwatch.entry`. Reading the file is :mod:`perfwatch.importers.sheets`, cell values
(periods, numbers) :mod:`perfwatch.importers.values`; this module turns table rows into spend.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from perfwatch.importers.sheets import (
    COLUMN_SUFFIX,
    DASHES,
    RowError,
    Table,
    auto_mapping,
    field_hits,
    file_year,
    header_unit,
    is_header_repeat,
    is_note_row,
    is_summary_row,
    normalise_header,
    read_table,
    title_text,
    title_unit,
)
from perfwatch.importers.values import Period, parse_number, parse_period  # noqa: F401  (Period re-exported)
from perfwatch.vocab import SPEND_QUANTUM

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


def period_column(header: Any, year: int | None) -> Period | None:
    """The month or quarter a column of a wide layout stands for ("3月", "2024年3月", "三月",
    "3月支出（元）", "一季度", "Q1"), or None. Without ``year`` a placeholder year is used."""
    if header is None:
        return None
    text = re.sub(r"[（(\[【][^）)\]】]*[）)\]】]", "", str(header))
    text = COLUMN_SUFFIX.sub("", re.sub(r"\s+", "", text))
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
    m = re.search(r"项目(?:编码|代码|编号)?\s*[:：]\s*[\[【(（]?\s*([A-Za-z0-9][A-Za-z0-9._-]*)", title_text(above))
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

            def project_code(cells: list[Any], code: str = code) -> str:
                return code

            extra.append((LEDGER_CODE, project_code))
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
            if isinstance(cell, str) and cell in DASHES:
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

"""Read indicator-result files (CSV or XLSX, or the downloaded template): one row per indicator
and reporting date.

Indicators are named by ``indicator_id`` (指标编号), or by ``project_code`` + ``level3``
(项目编码 + 三级指标, plus ``level2`` 二级指标 when a project has two indicators of that name).
Then ``as_of`` (截止日期), ``value`` (完成值), and optional ``likelihood`` (完成可能性),
``cause`` (偏差原因), ``cause_categories`` (偏差原因类别), ``measure`` (纠偏措施),
``projected`` (全年预计完成情况), ``note`` (备注).

Pure file reading; resolving indicators and the rules (kinds, required causes) are in
:mod:`perfwatch.entry`. The 完成值 cell is kept raw and interpreted per indicator kind by
:func:`interpret_value`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from perfwatch.importers.sheets import RowError, auto_mapping, file_year, is_header_repeat, read_table
from perfwatch.importers.spend import code_of
from perfwatch.importers.values import parse_number, parse_period
from perfwatch.vocab import CAUSE_CATEGORIES, RATINGS

RESULT_FIELDS: dict[str, tuple[str, ...]] = {
    "indicator_id": ("indicator_id", "indicatorid", "指标编号", "指标ID", "指标id"),
    "project_code": ("project_code", "projectcode", "项目编码", "项目代码", "项目编号"),
    "level2": ("level2", "二级指标"),
    "level3": ("level3", "三级指标", "指标名称"),
    "as_of": ("as_of", "asof", "date", "截止日期", "填报截止日期", "截至日期", "监控截止日期"),
    "value": ("value", "完成值", "执行情况", "1n月执行情况", "实际完成值", "完成情况"),
    "projected": ("projected", "projected_text", "全年预计完成情况", "全年预计", "预计完成情况"),
    "likelihood": ("likelihood", "完成可能性", "完成目标可能性"),
    "cause_categories": ("cause_categories", "causecategories", "偏差原因类别", "原因类别"),
    "cause": ("cause", "cause_text", "偏差原因", "偏差原因分析", "原因说明"),
    "measure": ("measure", "纠偏措施", "整改措施"),
    "note": ("note", "备注"),
}
REQUIRED_ALWAYS: tuple[str, ...] = ("as_of", "value")

_SEPARATORS = re.compile(r"[、,，;；/\s]+")

# Ways people write a rating in a 完成值 cell -> the rating they mean.
RATING_WORDS: dict[str, str] = {
    **{w: "达成" for w in ("已达成", "全部达成", "完成", "已完成", "全部完成", "达标", "已达标", "达到", "已达到")},
    **{w: "部分达成" for w in ("部分完成", "基本完成", "基本达成", "部分达到", "部分达标")},
    **{w: "未达成" for w in ("未完成", "没有完成", "未达到", "未达标", "没有达成")},
}
# 完成值 of a deadline indicator meaning "not done yet".
NOT_DONE_WORDS = ("", "未完成", "尚未完成", "否", "未到期", "进行中", "-", "—", "/")
# 完成值 of a deadline indicator meaning "done", but without the date it was done.
DONE_WORDS = ("已完成", "完成", "是", "达成", "已达成", "按时完成", "如期完成")
_FULL_DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?")


@dataclass(frozen=True)
class ResultRow:
    row: int
    indicator_id: int | None
    project_code: str | None
    level2: str | None
    level3: str | None
    as_of: dt.date | None
    value_raw: Any
    projected_text: str | None
    likelihood: str | None
    cause_categories: tuple[str, ...]
    cause_text: str | None
    measure: str | None
    note: str | None


@dataclass
class ResultsFile:
    name: str
    header: list[str]
    mapping: dict[str, str]
    rows: list[ResultRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def needs_mapping(self) -> bool:
        return bool(self.missing)


def split_cause(categories_cell: Any, cause_cell: Any) -> tuple[tuple[str, ...], str | None, list[str]]:
    """(categories, text, unknown category names) from the 偏差原因类别 and 偏差原因 cells.

    Categories may be listed in their own cell ("经费保障、人员保障") or lead the cause text
    ("经费保障、人员保障：资金未到位"); the rest of the text is the explanation.
    """
    cats: list[str] = []
    unknown: list[str] = []
    if categories_cell is not None and str(categories_cell).strip():
        for part in _SEPARATORS.split(str(categories_cell).strip()):
            if not part:
                continue
            (cats if part in CAUSE_CATEGORIES else unknown).append(part)
    text = None if cause_cell is None else str(cause_cell).strip() or None
    if text:
        alternatives = "|".join(CAUSE_CATEGORIES)
        m = re.match(rf"^((?:(?:{alternatives})[、,，;；/\s]*)+)[：:]?\s*(.*)$", text, re.S)
        if m:
            lead = [p for p in _SEPARATORS.split(m.group(1)) if p]
            if all(p in CAUSE_CATEGORIES for p in lead):
                cats.extend(lead)
                text = m.group(2).strip() or None
    return tuple(dict.fromkeys(cats)), text, unknown


def interpret_value(raw: Any, value_kind: str, is_percent: bool) -> tuple[float | None, dt.date | None, str | None]:
    """(value, done_date, rating) from a 完成值 cell for an indicator whose value is a 'number',
    a 'date' (deadline: done date; empty = not done yet) or a 'rating' (qualitative)."""
    if value_kind == "rating":
        if raw is None:
            return None, None, None
        text = re.sub(r"\s+", "", str(raw))
        text = RATING_WORDS.get(text, text)
        if text not in RATINGS:
            raise ValueError(f"定性指标的完成值须为 {'/'.join(RATINGS)} 之一，收到“{raw}”。")
        return None, None, text
    if value_kind == "date":
        if raw is None or str(raw).strip() in NOT_DONE_WORDS:
            return None, None, None
        if isinstance(raw, str) and raw.strip() in DONE_WORDS:
            raise ValueError(f"时限类指标的完成值须为实际完成日期（如 2024-05-20），“{raw}”没有写日期；未完成请留空。")
        found = _FULL_DATE.findall(raw) if isinstance(raw, str) else []
        try:
            # "已于2024年6月30日完成": the one date in the text.
            period = parse_period(found[0] if len(found) == 1 else raw)
        except ValueError:
            raise ValueError(f"时限类指标的完成值应为完成日期（如 2024-05-20），未完成请留空；收到“{raw}”。") from None
        if period.kind != "day":
            raise ValueError(f"完成日期须精确到日（如 2024-05-20），收到“{raw}”。")
        return None, period.last_day, None
    if raw is None:
        return None, None, None
    if isinstance(raw, (dt.date, dt.datetime)):
        raise ValueError(f"完成值应为数字，收到日期“{raw}”。")
    text = str(raw).strip()
    percent_sign = text.endswith(("%", "％"))
    try:
        number = float(parse_number(raw))
    except ValueError as exc:
        raise ValueError(f"完成值不是数字：{exc}") from None
    if percent_sign and not is_percent:
        raise ValueError(f"该指标不是百分比指标，完成值“{raw}”不应带 %。")
    # An XLSX cell formatted as % holds 0.85 for 85%; the template asks for 85. Values between
    # 0 and 1 of a percentage indicator stay as written (0.5% is a real rate, e.g. 脱管率).
    return number, None, None


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    return s or None


def parse_results(data: bytes, name: str, *, mapping: Mapping[str, str] | None = None) -> ResultsFile:
    """Parse a results file; ``mapping`` (field -> header) overrides recognition for the fields it names."""
    try:
        table = read_table(data, name, RESULT_FIELDS)
    except ValueError as exc:
        return ResultsFile(name, [], {}, errors=[RowError(name, None, None, str(exc))])
    chosen = {**auto_mapping(table.header, RESULT_FIELDS), **{k: v for k, v in (mapping or {}).items() if v}}
    chosen = {k: v for k, v in chosen.items() if v in table.header}
    out = ResultsFile(name, table.header, chosen)
    if not table.header:
        out.errors.append(RowError(name, None, None, "文件是空的，没有表头和数据行。"))
        return out
    missing = [f for f in REQUIRED_ALWAYS if f not in chosen]
    if "indicator_id" not in chosen and not ("project_code" in chosen and "level3" in chosen):
        missing.insert(0, "indicator")
    out.missing = missing
    if missing:
        return out
    idx = {f: table.header.index(h) for f, h in chosen.items()}
    year = file_year(table.above, name)  # for 截止日期 written without a year ("6月末")

    def get(cells: list[Any], f: str) -> Any:
        return cells[idx[f]] if f in idx and idx[f] < len(cells) else None

    for line, cells in table.rows:
        if is_header_repeat(cells, table.header):
            continue  # the header repeated on each printed page
        errs: list[RowError] = []
        ind_id: int | None = None
        raw_id = get(cells, "indicator_id")
        if raw_id is not None:
            try:
                number = parse_number(raw_id)
                if number != int(number) or number <= 0:
                    raise ValueError
                ind_id = int(number)
            except ValueError:
                errs.append(RowError(name, line, chosen["indicator_id"], f"指标编号“{raw_id}”不是正整数。"))
        code, level3 = _text(get(cells, "project_code")), _text(get(cells, "level3"))
        if code is not None:
            code = code_of(unicodedata.normalize("NFKC", code))  # full-width Ｐ００１; "[P001]甲项目"
        if ind_id is None and not errs and (code is None or level3 is None):
            column = chosen.get("project_code") if code is None else chosen.get("level3")
            errs.append(RowError(name, line, column, "请填写指标编号，或项目编码和三级指标。"))
        as_of: dt.date | None = None
        raw_date = get(cells, "as_of")
        try:
            period = parse_period(raw_date, year)
            as_of = period.last_day  # a month (2024-06) means its last day
        except ValueError as exc:
            errs.append(RowError(name, line, chosen["as_of"], f"截止日期无效：{exc}。"))
        cats, cause_text, unknown = split_cause(get(cells, "cause_categories"), get(cells, "cause"))
        if unknown:
            errs.append(RowError(name, line, chosen.get("cause_categories"),
                                 f"偏差原因类别须为 {'/'.join(CAUSE_CATEGORIES)}，收到：{'、'.join(unknown)}。"))
        likelihood = _text(get(cells, "likelihood"))
        if likelihood is not None and likelihood not in ("确定能", "有可能", "完全不可能"):
            errs.append(RowError(name, line, chosen.get("likelihood"),
                                 f"完成可能性须为 确定能/有可能/完全不可能 之一，收到“{likelihood}”。"))
        if errs:
            out.errors.extend(errs)
            continue
        out.rows.append(ResultRow(
            line, ind_id, code, _text(get(cells, "level2")), level3, as_of, get(cells, "value"),
            _text(get(cells, "projected")), likelihood, cats, cause_text, _text(get(cells, "measure")),
            _text(get(cells, "note")),
        ))
    if not table.rows:
        out.errors.append(RowError(name, None, None, "文件没有数据行。"))
    return out

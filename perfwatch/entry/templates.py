"""The results template (Excel) and importing a filled one: a dry-run plan and its commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from perfwatch import xlsx_safe
from perfwatch.entry.common import EntryValidationError, Indicator, SaveResult, indicators_all, indicators_of
from perfwatch.entry.results import (
    CurrentResult,
    ResultInput,
    _blank,
    clean_input,
    current_results,
    indicator_light,
    save_results,
    validate_result,
)
from perfwatch.entry.spend_import import _FIELD_CN
from perfwatch.importers.sheets import RowError
from perfwatch.store import Actor

TEMPLATE_COLUMNS: tuple[str, ...] = (
    "指标编号", "项目编码", "项目名称", "一级指标", "二级指标", "三级指标", "年度指标值", "截止日期",
    "完成值", "全年预计完成情况", "偏差原因类别", "偏差原因", "完成可能性", "纠偏措施", "备注",
)


def results_template(
    conn: duckdb.DuckDBPyConnection, department_id: int, as_of: dt.date, *, project_id: int | None = None
) -> bytes:
    """An .xlsx with one row per active indicator (of the project, or the whole department),
    pre-filled with the current result as of ``as_of``, ready to fill offline and upload."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

    inds = [i for i in indicators_of(conn, department_id) if project_id is None or i.project_id == project_id]
    current = current_results(conn, department_id, as_of)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new workbook opens on one plain worksheet
    ws.title = "指标填报"
    ws.append(list(TEMPLATE_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for ind in inds:
        cur = current.get(ind.id)
        f = cur.fields if cur and cur.in_period else {}
        if ind.value_kind == "rating":
            value: Any = f.get("rating")
        elif ind.value_kind == "date":
            value = f.get("done_date")
        else:
            value = f.get("value")
        ws.append([
            ind.id, ind.project_code or "", ind.project_name or "部门整体", ind.level1, ind.level2, ind.level3,
            ind.target_text, as_of, value, f.get("projected_text"), "、".join(f.get("cause_categories") or []),
            f.get("cause_text"), f.get("likelihood"), f.get("measure"), f.get("note"),
        ])
        for cell in ws[ws.max_row]:  # user text is text, never a formula (spreadsheet injection)
            if isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@"):
                cell.data_type = "s"
        ws.cell(ws.max_row, 8).number_format = "yyyy-mm-dd"
        if ind.value_kind == "date":
            ws.cell(ws.max_row, 9).number_format = "yyyy-mm-dd"
    n = max(ws.max_row, 2)
    dv = DataValidation(type="list", formula1='"确定能,有可能,完全不可能"', allow_blank=True)
    dv.add(f"M2:M{n}")
    ws.add_data_validation(dv)
    widths = [8, 24, 24, 10, 16, 24, 14, 12, 12, 20, 18, 24, 12, 24, 16]
    for k, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(k)].width = w
    ws.freeze_panes = "I2"
    help_ws = wb.create_sheet("填写说明")
    for line in (
        "填写说明",
        "1. 每行一个指标；不要修改“指标编号”“项目编码”“三级指标”列。",
        "2. 完成值：数量类填数字；百分比类填 0–100 的数字（如 85 或 85%）；时限类填完成日期（未完成留空）；"
        "定性类填 达成 / 部分达成 / 未达成。",
        "3. 完成可能性：确定能 / 有可能 / 完全不可能。",
        "4. 偏差原因类别：经费保障、制度保障、人员保障、硬件条件保障、其他（可填多个，用“、”分隔）。",
        "5. 指标为黄灯/红灯，或完成可能性为“有可能”“完全不可能”时，必须填写偏差原因和纠偏措施。",
        "6. 截止日期：本次填报的截止日（如 2024-06-30），不能晚于今天。",
    ):
        help_ws.append([line])
    help_ws.column_dimensions["A"].width = 120
    return xlsx_safe.openpyxl_bytes(wb)  # user text is text, never a formula


@dataclass
class ResultsImportPlan:
    file: str
    inputs: list[ResultInput] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def preview(self) -> pd.DataFrame:
        recs = []
        for inp, label in zip(self.inputs, self.labels, strict=False):
            value = inp.rating or (inp.done_date.isoformat() if inp.done_date else None) or (
                None if inp.value is None else f"{inp.value:g}")
            recs.append({"指标": label, "截止日期": inp.as_of.isoformat(), "完成值": value or "（未完成）",
                         "完成可能性": inp.likelihood, "偏差原因": "、".join(inp.cause_categories) + (
                             ("：" + inp.cause_text) if inp.cause_text else ""), "纠偏措施": inp.measure})
        return pd.DataFrame.from_records(recs, columns=["指标", "截止日期", "完成值", "完成可能性", "偏差原因", "纠偏措施"])

    def error_frame(self) -> pd.DataFrame:
        return pd.DataFrame.from_records(
            [{"文件": e.file, "行": e.row, "列": e.column, "问题": e.message} for e in self.errors],
            columns=["文件", "行", "列", "问题"])


def plan_results_import(
    conn: duckdb.DuckDBPyConnection,
    rf: Any,
    *,
    department_id: int | None = None,
    project_id: int | None = None,
    today: dt.date | None = None,
) -> ResultsImportPlan:
    """Resolve a parsed results file (:class:`perfwatch.importers.results.ResultsFile`) to
    indicators, interpret each 完成值 by the indicator's kind and validate every row."""
    from perfwatch.importers.results import interpret_value

    plan = ResultsImportPlan(rf.name, errors=list(rf.errors))
    if rf.needs_mapping:
        names = "、".join(_FIELD_CN.get(f, f) for f in rf.missing)
        plan.errors.append(RowError(rf.name, None, None,
                                    f"无法识别以下列：{names}。文件的表头为：{'、'.join(h for h in rf.header if h) or '（空）'}。"))
        return plan
    all_inds = indicators_all(conn)
    by_id = {i.id: i for i in all_inds}
    seen: dict[tuple[int, dt.date], int] = {}
    currents: dict[tuple[int, dt.date], dict[int, CurrentResult]] = {}
    for r in rf.rows:
        col = rf.mapping
        if _blank(r.value_raw) and not (r.projected_text or r.likelihood or r.cause_categories or r.cause_text
                                        or r.measure or r.note):
            plan.skipped += 1  # a template row left empty: not reported, not an error
            continue
        # resolve the indicator
        ind: Indicator | None = None
        if r.indicator_id is not None:
            ind = by_id.get(r.indicator_id)
            if ind is None:
                plan.errors.append(RowError(rf.name, r.row, col.get("indicator_id"), f"指标编号 {r.indicator_id} 不存在。"))
                continue
        else:
            cands = [i for i in all_inds if i.project_code == r.project_code and not i.retired]
            if not cands:
                known = any(i.project_code == r.project_code for i in all_inds)
                plan.errors.append(RowError(rf.name, r.row, col.get("project_code"),
                                            f"项目编码 {r.project_code} 没有可填报的指标。" if known else
                                            f"未知的项目编码 {r.project_code}。"))
                continue
            if r.as_of is not None:
                in_year = [i for i in cands if i.fiscal_year == r.as_of.year]
                cands = in_year or cands
            named = [i for i in cands if _norm(i.level3) == _norm(r.level3)]
            if r.level2:
                named = [i for i in named if _norm(i.level2) == _norm(r.level2)]
            if not named:
                plan.errors.append(RowError(rf.name, r.row, col.get("level3"),
                                            f"项目 {r.project_code} 没有三级指标“{r.level3}”"
                                            + (f"（二级指标“{r.level2}”）" if r.level2 else "") + "。"))
                continue
            if len(named) > 1:
                plan.errors.append(RowError(rf.name, r.row, col.get("level3"),
                                            f"项目 {r.project_code} 有 {len(named)} 个三级指标“{r.level3}”，"
                                            "请填写“二级指标”列或使用“指标编号”区分。"))
                continue
            ind = named[0]
        if department_id is not None and ind.department_id != department_id:
            plan.errors.append(RowError(rf.name, r.row, col.get("indicator_id") or col.get("project_code"),
                                        f"{ind.label} 不属于所选部门。"))
            continue
        if project_id is not None and ind.project_id != project_id:
            plan.errors.append(RowError(rf.name, r.row, col.get("indicator_id") or col.get("project_code"),
                                        f"{ind.label} 不属于所选项目。"))
            continue
        if r.as_of is None:
            plan.errors.append(RowError(rf.name, r.row, col.get("as_of"), "截止日期为空或无法识别。"))
            continue
        try:
            value, done_date, rating = interpret_value(r.value_raw, ind.value_kind, ind.is_percent)
        except ValueError as exc:
            plan.errors.append(RowError(rf.name, r.row, col.get("value"), str(exc)))
            continue
        key = (ind.id, r.as_of)
        if key in seen:
            plan.errors.append(RowError(rf.name, r.row, None, f"重复行：{ind.label} 截至 {r.as_of.isoformat()} "
                                                               f"已在第 {seen[key]} 行填报。"))
            continue
        seen[key] = r.row
        cur_key = (ind.department_id, r.as_of)
        if cur_key not in currents:
            currents[cur_key] = current_results(conn, ind.department_id, r.as_of)
        cur = currents[cur_key].get(ind.id)
        base_id = cur.id if cur is not None and cur.as_of == r.as_of else None
        inp = clean_input(ResultInput(ind.id, r.as_of, value=value, done_date=done_date, rating=rating,
                                      projected_text=r.projected_text, cause_categories=tuple(r.cause_categories),
                                      cause_text=r.cause_text, likelihood=r.likelihood, measure=r.measure,
                                      note=r.note, base_id=base_id))
        light = indicator_light(conn, ind, inp)
        bad = validate_result(ind, inp, light=light, today=today)
        for fname, msg in bad:
            plan.errors.append(RowError(rf.name, r.row, _column_for(rf.mapping, fname), msg))
        if bad:
            continue
        plan.inputs.append(inp)
        plan.labels.append(f"{ind.project_name or '部门整体'}「{ind.level3}」")
    if not plan.inputs and not plan.errors:
        plan.errors.append(RowError(rf.name, None, None, "文件没有填写任何指标的完成情况。"))
    return plan


def _norm(text: str | None) -> str:
    return "".join((text or "").split())


def _column_for(mapping: Mapping[str, str], fname: str) -> str | None:
    if fname == "cause_categories" and "cause_categories" in mapping:
        return mapping["cause_categories"]
    key = {"done_date": "value", "rating": "value", "cause_categories": "cause", "cause_text": "cause",
           "projected_text": "projected", "projected_value": "projected", "indicator": "indicator_id"}.get(fname, fname)
    found = mapping.get(key) or mapping.get(fname)
    if found is None and key == "projected":
        return "全年预计完成情况"  # required but absent from the file: name the column to add
    return found


def commit_results_import(
    conn: duckdb.DuckDBPyConnection, actor: Actor, plan: ResultsImportPlan, *, today: dt.date | None = None
) -> SaveResult:
    if plan.errors:
        raise EntryValidationError([f"文件 {plan.file} 有 {len(plan.errors)} 处错误，未导入任何数据。"]
                                   + [str(e) for e in plan.errors])
    return save_results(conn, actor, plan.inputs, source=f"文件:{plan.file}", today=today)

"""The official monitoring form as an Excel workbook (项目支出绩效目标执行监控表, 财预〔2019〕136号).

One sheet per project in the layout of the central form, plus a department summary sheet first.
Every sheet prints on A4 landscape, fitted to the page width, with the indicator header rows
repeated on every printed page. Rates are stored as numbers with a percent format so that
anyone can recompute them in Excel; ticked deviation causes are the character "√".
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from perfwatch import numfmt, xlsx_safe
from perfwatch.reports.data import (
    CAUSES,
    DepartmentReport,
    IndicatorLine,
    ProjectLine,
    light_name,
)
from perfwatch.vocab import LIGHT_COLORS, LIGHT_TEXT_COLORS

FONT = "宋体"  # SimSun: the font of official forms; LibreOffice substitutes a CJK serif
TITLE = "项目支出绩效目标执行监控表"
SUMMARY_SHEET = "部门汇总"
SYSTEM_SHEET = "系统测算"
PENDING = "待填报"
LIKELIHOOD_NOTE = "完成目标可能性：确定能 / 有可能 / 完全不可能"
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET = 31

# Columns of a project sheet (0-based): A–F text, G–K the five cause ticks, L likelihood, M–N 备注.
COL_WIDTHS: tuple[float, ...] = (10, 12, 18, 12, 16, 16, 5.5, 5.5, 5.5, 7, 5.5, 10, 20, 20)
LAST_COL = len(COL_WIDTHS) - 1
CAUSE_COL = 6


def sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (≤31 characters, no []:*?/\\, no edge apostrophes)."""
    base = _FORBIDDEN.sub("_", title).strip().strip("'") or "项目"
    if base.lower() == "history":
        base += "_"
    name = base[:MAX_SHEET]
    n = 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f"({n})"
        name = base[: MAX_SHEET - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def project_sheet_title(project: ProjectLine) -> str:
    """'3.冀财政法2023年49号提前下达…' before :func:`sheet_name` shortens it."""
    return f"{project.seq}.{project.name}"


class _Formats:
    """The workbook's cell formats, built once."""

    def __init__(self, wb: Workbook) -> None:
        base = {"font_name": FONT, "font_size": 10, "valign": "vcenter", "text_wrap": True}
        cell = {**base, "border": 1}

        def fmt(**kw: Any) -> Any:
            return wb.add_format({**cell, **kw})

        self.title = wb.add_format({**base, "font_size": 16, "bold": True, "align": "center"})
        self.subtitle = wb.add_format({**base, "font_size": 11, "align": "center"})
        self.unit = wb.add_format({**base, "font_size": 10, "align": "right"})
        self.note = wb.add_format({**base, "font_size": 9, "align": "left", "valign": "top"})
        self.head = fmt(bold=True, align="center", bg_color="#F2F2F2")
        self.label = fmt(align="center")
        self.text = fmt(align="left")
        self.text_top = fmt(align="left", valign="top")
        self.center = fmt(align="center")
        self.money = fmt(align="right", num_format="#,##0.00")
        self.pct = fmt(align="right", num_format="0.00%")
        self.tick = fmt(align="center", font_size=12)
        self.pending = fmt(align="center", font_color="#C62828")
        self.pending_top = fmt(align="left", valign="top", font_color="#C62828")
        self.subgoal = fmt(align="left", bold=True, bg_color="#E8EEF5")
        self.mark = wb.add_format({**base, "font_size": 11, "bold": True, "align": "center"})
        self.lights = {
            k: fmt(align="center", bold=True, font_color=LIGHT_TEXT_COLORS[k], bg_color=v)
            for k, v in LIGHT_COLORS.items()
        }


def _page_setup(ws: Worksheet, repeat: tuple[int, int] | None) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.fit_to_pages(1, 0)  # fit to the page width, as many pages tall as needed
    ws.center_horizontally()
    ws.set_footer("&C第 &P 页，共 &N 页")
    if repeat is not None:
        ws.repeat_rows(*repeat)


def _lines_height(texts: list[tuple[str, float]], min_height: float = 20) -> float:
    """A row height (points) fitting wrapped text: (text, column width in characters) pairs.

    A CJK character is about two width units of the default font, Latin about one.
    """
    lines = 1
    for text, width in texts:
        n = 0
        for para in str(text or "").split("\n"):
            units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in para)
            n += max(1, -(-units // max(int(width * 1.1), 1)))
        lines = max(lines, n)
    return max(min_height, 14.5 * lines + 4)


def _width(first: int, last: int) -> float:
    return sum(COL_WIDTHS[first : last + 1])


def _m(value: float | None) -> float | None:
    """An amount (万元) as stored in the workbook: two decimals, like the form prints it."""
    return numfmt.round2(value)


def _write_project(ws: Worksheet, f: _Formats, report: DepartmentReport, p: ProjectLine) -> None:
    per = report.period
    for i, w in enumerate(COL_WIDTHS):
        ws.set_column(i, i, w)
    r = 0
    ws.merge_range(r, 0, r, LAST_COL, TITLE, f.title)
    ws.set_row(r, 28)
    r += 1
    ws.merge_range(r, 0, r, LAST_COL - 5, f"（{report.fiscal_year}年度 {per}，截至 {report.as_of:%Y-%m-%d}）", f.subtitle)
    ws.merge_range(r, LAST_COL - 4, r, LAST_COL - 3, f"【{p.mark}】", f.mark)
    ws.merge_range(r, LAST_COL - 2, r, LAST_COL, "金额单位：万元", f.unit)
    r += 1
    # Header: 项目名称 / 主管部门及代码 / 实施单位.
    ws.write(r, 0, "项目名称", f.label)
    ws.merge_range(r, 1, r, 7, p.name, f.text)
    ws.merge_range(r, 8, r, 10, "项目编码", f.label)
    ws.merge_range(r, 11, r, LAST_COL, p.code, f.text)
    ws.set_row(r, _lines_height([(p.name, _width(1, 7))], 22))
    r += 1
    ws.write(r, 0, "主管部门及代码", f.label)
    ws.merge_range(r, 1, r, 7, report.supervisor.label(), f.text)
    ws.merge_range(r, 8, r, 10, "实施单位", f.label)
    ws.merge_range(r, 11, r, LAST_COL, f"{report.name}（{report.code}）", f.text)
    ws.set_row(r, 24)
    r += 1
    # Money block.
    top = r
    ws.merge_range(r, 1, r, 2, "", f.head)
    ws.merge_range(r, 3, r, 4, "年初预算数", f.head)
    ws.merge_range(r, 5, r, 6, f"{per}执行数", f.head)
    ws.merge_range(r, 7, r, 10, f"{per}执行率", f.head)
    ws.merge_range(r, 11, r, LAST_COL, "全年预计执行数", f.head)
    r += 1
    single = p.single_source
    declared: float | str = PENDING if p.projection is None else _m(p.projection)  # type: ignore[assignment]
    rows: list[tuple[str, float, float | None, float | str | None]] = [
        ("年度资金总额", p.budget, _m(p.spent), declared),
        ("其中：财政拨款", p.fiscal_funds, _m(p.spent) if single else None, declared if single else None),
        ("上年结转资金", p.carryover_funds, 0.0 if single else None, 0.0 if single else None),
        ("其他资金", p.other_funds, 0.0 if single else None, 0.0 if single else None),
    ]
    for label, budget, spent, projected in rows:
        ws.merge_range(r, 1, r, 2, label, f.text)
        ws.merge_range(r, 3, r, 4, budget, f.money)
        if spent is None:
            ws.merge_range(r, 5, r, 6, "—", f.center)
            ws.merge_range(r, 7, r, 10, "—", f.center)
        else:
            ws.merge_range(r, 5, r, 6, spent, f.money)
            rate = numfmt.round2(100 * spent / budget) if budget else None
            if rate is not None:
                ws.merge_range(r, 7, r, 10, rate / 100.0, f.pct)
            else:
                ws.merge_range(r, 7, r, 10, "—", f.center)
        if projected is None:
            ws.merge_range(r, 11, r, LAST_COL, "—", f.center)
        elif isinstance(projected, str):
            ws.merge_range(r, 11, r, LAST_COL, projected, f.pending)
        else:
            ws.merge_range(r, 11, r, LAST_COL, projected, f.money)
        ws.set_row(r, 20)
        r += 1
    ws.merge_range(top, 0, r - 1, 0, "项目资金\n（万元）", f.label)
    # 年度总体目标.
    goals = "\n".join(f"{i}. {g}" for i, g in enumerate(p.goals, 1)) or "—"
    ws.merge_range(r, 0, r + 1, 0, "年度总体目标", f.label)
    ws.merge_range(r, 1, r, 6, "预期目标", f.head)
    ws.merge_range(r, 7, r, LAST_COL, f"{per}执行情况", f.head)
    r += 1
    ws.merge_range(r, 1, r, 6, goals, f.text_top)
    ws.merge_range(r, 7, r, LAST_COL, p.progress_text or PENDING, f.text_top if p.progress_text else f.pending_top)
    ws.set_row(r, _lines_height([(goals, _width(1, 6)), (p.progress_text, _width(7, LAST_COL))], 40))
    r += 1
    # Indicator table header (two rows, repeated on every printed page).
    head = r
    for col, label in enumerate(("一级指标", "二级指标", "三级指标", "年度指标值", f"{per}执行情况", "全年预计完成情况")):
        ws.merge_range(r, col, r + 1, col, label, f.head)
    ws.merge_range(r, CAUSE_COL, r, CAUSE_COL + 4, "偏差原因分析", f.head)
    for k, cause in enumerate(CAUSES):
        ws.write(r + 1, CAUSE_COL + k, cause, f.head)
    ws.merge_range(r, 11, r + 1, 11, "完成目标可能性", f.head)
    ws.merge_range(r, 12, r, 13, "备注", f.head)
    ws.write(r + 1, 12, "原因说明", f.head)
    ws.write(r + 1, 13, "纠偏措施", f.head)
    ws.set_row(r, 20)
    ws.set_row(r + 1, 44)
    r += 2
    first_ind = r
    for ind in p.indicators:
        write_indicator_row(ws, f, r, ind)
        r += 1
    if not p.indicators:
        ws.merge_range(r, 0, r, LAST_COL, "（该项目没有绩效指标）", f.center)
        r += 1
    _merge_runs(ws, f, p, first_ind)
    # Notes under the form.
    notes = [
        "注：1. 偏差原因分析在对应类别下打“√”，可多选；原因说明、纠偏措施填写在备注栏。",
        f"2. {LIKELIHOOD_NOTE}。",
        f"3. 执行率=截至{report.as_of.month}月{report.as_of.day}日累计执行数÷年初预算数。",
    ]
    if p.projection is None:
        notes.append(f"{len(notes) + 1}. 全年预计执行数尚未填报（“待填报”）；系统测算数仅供分析，见“{SYSTEM_SHEET}”表，不作为填报数。")
    else:
        notes.append(f"{len(notes) + 1}. 全年预计执行数为填报数（{p.declared_as_of:%Y-%m-%d} 填报），预计结转结余 {p.carryover:,.2f} 万元。")
    if p.cause_categories or p.cause_text or p.measure:
        cause = "；".join(t for t in ("、".join(p.cause_categories), p.cause_text) if t) or PENDING
        notes.append(f"{len(notes) + 1}. 支出偏差原因：{cause}；纠偏措施：{p.measure or PENDING}。")
    if p.attachments:
        notes.append(f"{len(notes) + 1}. 项目填报（全年预计与偏差原因）{attachment_note(p.attachments)}。")
    notes.append(f"{len(notes) + 1}. “未到期”“待评”表示该指标尚未到评价时点或尚待评价；带日期的执行情况为该日期的数值（本期未更新）。")
    if not single:
        notes.append(f"{len(notes) + 1}. 本项目含财政拨款以外的资金，执行数未按资金来源拆分，分来源执行数以“—”表示。")
    r += 1
    for line in notes:
        ws.merge_range(r, 0, r, LAST_COL, line, f.note)
        r += 1
    r += 1
    ws.merge_range(r, 0, r, LAST_COL, "填报单位（盖章）：                    填报人：                    联系电话：                    填报日期：", f.note)
    _page_setup(ws, (head, head + 1))
    ws.print_area(0, 0, r, LAST_COL)


def write_indicator_row(ws: Worksheet, f: _Formats, r: int, ind: IndicatorLine) -> None:
    """One indicator's row of a 监控表 (project or 部门整体): levels, target, execution, projection,
    ticked causes, likelihood, 备注 and 纠偏措施, the row as tall as its longest wrapped text."""
    ws.write(r, 0, ind.level1, f.center)
    ws.write(r, 1, ind.level2, f.center)
    ws.write(r, 2, ind.level3, f.text)
    ws.write(r, 3, ind.target_text, f.center)
    ws.write(r, 4, ind.actual_text, f.text)
    ws.write(r, 5, ind.projected_text, f.text)
    for k, cause in enumerate(CAUSES):
        ws.write(r, CAUSE_COL + k, "√" if cause in ind.causes else "", f.tick)
    ws.write(r, 11, ind.likelihood, f.center)
    ws.write(r, 12, remark(ind), f.text)
    ws.write(r, 13, ind.measure, f.text)
    ws.set_row(r, _lines_height([
        (ind.level3, COL_WIDTHS[2]), (ind.actual_text, COL_WIDTHS[4]), (ind.projected_text, COL_WIDTHS[5]),
        (remark(ind), COL_WIDTHS[12]), (ind.measure, COL_WIDTHS[13]), (ind.level2, COL_WIDTHS[1]),
    ], 24))


def _merge_runs(ws: Worksheet, f: _Formats, p: ProjectLine, first: int) -> None:
    """Merge consecutive equal 一级指标 / 二级指标 cells vertically, as on the printed form."""
    for col, key in ((0, "level1"), (1, "level2")):
        start = 0
        values = [getattr(i, key) for i in p.indicators]
        parents = [i.level1 for i in p.indicators]
        for k in range(1, len(values) + 1):
            end_of_run = k == len(values) or values[k] != values[start] or (col == 1 and parents[k] != parents[start])
            if end_of_run:
                if k - start > 1:
                    ws.merge_range(first + start, col, first + k - 1, col, values[start], f.center)
                start = k


def attachment_note(names: tuple[str, ...]) -> str:
    """"佐证材料：签到表.pdf、台账.xlsx" (empty without files)."""
    return f"佐证材料：{'、'.join(names)}" if names else ""


def remark(ind: IndicatorLine) -> str:
    """备注/原因说明 of an indicator row: the owner's sentence, the import's source finding, then the
    value's 佐证材料 by file name (a reviewer holding the paper knows what was attached)."""
    parts = [t for t in (ind.cause_text, f"来源提示：{ind.quirk}" if ind.quirk else "",
                         attachment_note(ind.attachments)) if t]
    return "\n".join(parts)


def _write_summary(ws: Worksheet, f: _Formats, report: DepartmentReport) -> None:
    per = report.period
    heads = ("序号", "项目编码", "项目名称", "年初预算数", f"{per}执行数", f"{per}执行率", "计划应达进度",
             "序时进度", "支出进度灯", "绩效目标灯", "综合", "全年预计执行数（填报）", "预计结转结余", "状态", "说明")
    widths = (5, 20, 32, 11, 11, 10, 10, 9, 9, 9, 8, 12, 11, 7, 40)
    last = len(heads) - 1
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    ws.merge_range(0, 0, 0, last, f"{report.name} 项目支出执行与绩效目标监控汇总表", f.title)
    ws.set_row(0, 28)
    ws.merge_range(1, 0, 1, last - 3, f"（{report.fiscal_year}年度 {per}，截至 {report.as_of:%Y-%m-%d}）", f.subtitle)
    ws.merge_range(1, last - 2, 1, last, "金额单位：万元", f.unit)
    r = 2
    ws.merge_range(r, 0, r, 2, "主管部门及代码", f.label)
    ws.merge_range(r, 3, r, 7, report.supervisor.label(), f.text)
    ws.merge_range(r, 8, r, 10, "实施单位", f.label)
    ws.merge_range(r, 11, r, last, f"{report.name}（{report.code}）", f.text)
    ws.set_row(r, 22)
    r += 1
    for c, h in enumerate(heads):
        ws.write(r, c, h, f.head)
    ws.set_row(r, 32)
    head = r
    r += 1
    for p in report.projects:
        ws.write(r, 0, p.seq, f.center)
        ws.write_string(r, 1, p.code, f.text)
        ws.write_string(r, 2, p.name, f.text)
        ws.write(r, 3, p.budget, f.money)
        ws.write(r, 4, _m(p.spent), f.money)
        _pct_cell(ws, r, 5, p.execution_pct, f)
        _pct_cell(ws, r, 6, p.expected_pct, f)
        _pct_cell(ws, r, 7, p.time_pct, f)
        for c, light in ((8, p.execution_light), (9, p.goal_light), (10, p.combined_light)):
            ws.write(r, c, light_name(light), f.lights.get(light, f.center))
        _declared_cells(ws, r, 11, p.projection, p.carryover, f)
        ws.write_string(r, 13, p.mark, f.center)
        ws.write_string(r, 14, p.reason, f.text)
        ws.set_row(r, _lines_height([(p.name, widths[2]), (p.reason, widths[14])], 22))
        r += 1
    ws.merge_range(r, 0, r, 2, "合计", f.label)
    ws.write(r, 3, report.budget, f.money)
    ws.write(r, 4, _m(report.spent), f.money)
    _pct_cell(ws, r, 5, report.execution_pct, f)
    _pct_cell(ws, r, 6, report.expected_pct, f)
    _pct_cell(ws, r, 7, report.time_pct, f)
    ws.merge_range(r, 8, r, 10, light_name(report.light), f.lights.get(report.light, f.center))
    total = report.projection_total()
    _declared_cells(ws, r, 11, total, None if total is None else round(report.budget - total, 2), f)
    ws.write(r, 13, "", f.center)
    ws.write_string(r, 14, "" if total is not None else
                    f"{len(report.projects) - report.declared_count()} 个项目尚未填报全年预计执行数，合计待填报", f.text)
    ws.set_row(r, 22)
    r += 2
    counts = report.light_counts()
    ws.merge_range(r, 0, r, last, "综合灯：" + "，".join(
        f"{light_name(k)} {v} 个" for k, v in counts.items() if v) + "。计划应达进度按支出计划节点测算；序时进度=已过月数÷12；"
        f"全年预计执行数只列填报数，系统测算数见“{SYSTEM_SHEET}”表。", f.note)
    _page_setup(ws, (head, head))


def _declared_cells(ws: Worksheet, r: int, c: int, declared: float | None, carry: float | None, f: _Formats) -> None:
    if declared is None:
        ws.write_string(r, c, PENDING, f.pending)
        ws.write_string(r, c + 1, PENDING, f.pending)
    else:
        ws.write(r, c, _m(declared), f.money)
        ws.write(r, c + 1, _m(carry), f.money)


def _write_system(ws: Worksheet, f: _Formats, report: DepartmentReport) -> None:
    """The engine's year-end estimates, on their own sheet: analysis aids, never filed figures."""
    heads = ("序号", "项目名称", "年初预算数", f"{report.period}执行数", "按计划推算", "按月均推算", "全年预计执行数（填报）")
    widths = (5, 40, 11, 11, 12, 12, 16)
    last = len(heads) - 1
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    ws.merge_range(0, 0, 0, last, f"{SYSTEM_SHEET}（仅供分析，不作为填报数）", f.title)
    ws.set_row(0, 28)
    ws.merge_range(1, 0, 1, last, f"（{report.fiscal_year}年度 {report.period}，截至 {report.as_of:%Y-%m-%d}；金额单位：万元）", f.subtitle)
    for c, h in enumerate(heads):
        ws.write(2, c, h, f.head)
    ws.set_row(2, 32)
    r = 3
    for p in report.projects:
        ws.write(r, 0, p.seq, f.center)
        ws.write_string(r, 1, p.name, f.text)
        ws.write(r, 2, p.budget, f.money)
        ws.write(r, 3, _m(p.spent), f.money)
        for c, v in ((4, p.plan_shaped), (5, p.run_rate)):
            if v is None:
                ws.write_string(r, c, "—", f.center)
            else:
                ws.write(r, c, _m(v), f.money)
        if p.projection is None:
            ws.write_string(r, 6, PENDING, f.pending)
        else:
            ws.write(r, 6, _m(p.projection), f.money)
        ws.set_row(r, _lines_height([(p.name, widths[1])], 22))
        r += 1
    r += 1
    ws.merge_range(r, 0, r, last, "注：按计划推算=累计执行数÷计划应达进度；按月均推算=累计执行数×12÷已过月数。"
                   "两者均为系统测算，仅供分析参考；监控表“全年预计执行数”只填写项目单位填报数。", f.note)
    ws.set_row(r, 30)
    _page_setup(ws, (2, 2))


def _pct_cell(ws: Worksheet, r: int, c: int, value: float | None, f: _Formats) -> None:
    rate = numfmt.round2(value)  # None for None and for NaN (which round2 treats as missing)
    if rate is None:
        ws.write(r, c, "—", f.center)
    else:
        ws.write(r, c, rate / 100.0, f.pct)


def new_workbook(target: Any) -> Workbook:
    """A workbook where every text is written as a string (no formula, number or link guessed from it;
    a text starting with = + - @ is quote-prefixed: perfwatch.xlsx_safe)."""
    return xlsx_safe.workbook(target, {"in_memory": True})


def write_workbook(report: DepartmentReport, out: Path | io.BytesIO) -> None:
    """Write the summary sheet and one monitoring form per project to ``out`` (path or buffer)."""
    target: Any = str(out) if isinstance(out, Path) else out
    wb = new_workbook(target)
    wb.set_properties({"title": f"{report.name} {report.fiscal_year}年{report.period} {TITLE}",
                       "author": "perfwatch", "comments": "财预〔2019〕136号 项目支出绩效目标执行监控表"})
    f = _Formats(wb)
    taken: set[str] = set()
    _write_summary(wb.add_worksheet(sheet_name(SUMMARY_SHEET, taken)), f, report)
    for p in report.projects:
        _write_project(wb.add_worksheet(sheet_name(project_sheet_title(p), taken)), f, report, p)
    _write_system(wb.add_worksheet(sheet_name(SYSTEM_SHEET, taken)), f, report)
    wb.close()


def workbook_bytes(report: DepartmentReport) -> bytes:
    """The workbook as bytes (for a download button)."""
    buf = io.BytesIO()
    write_workbook(report, buf)
    return buf.getvalue()


def file_name(report: DepartmentReport) -> str:
    return f"{report.code}_{report.fiscal_year}年{report.period}_绩效目标执行监控表.xlsx"

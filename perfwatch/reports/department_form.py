"""部门整体绩效目标执行监控表 (.xlsx): the overall goal, each 分项目标 with its indicators and the §5b
columns, and the money line (the sum of the unit's projects; the whole budget is not in the database).

Department-level indicators are listed in prose in the targets document; their 一级/二级指标 are
classified from the indicator's kind (see :func:`perfwatch.reports.data.infer_levels`) and the
note under the form says so.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from xlsxwriter.worksheet import Worksheet

from perfwatch.reports.data import CAUSES, DepartmentReport, light_name
from perfwatch.reports.monitoring_form import (
    CAUSE_COL,
    COL_WIDTHS,
    LAST_COL,
    PENDING,
    _Formats,
    _lines_height,
    _m,
    _page_setup,
    _width,
    new_workbook,
    write_indicator_row,
)

TITLE = "部门整体绩效目标执行监控表"


def progress_summary(report: DepartmentReport) -> str:
    """A system line under the overall goal: how many department-level indicators are in each light."""
    counts = report.indicator_light_counts("department")
    total = sum(counts.values())
    parts = "，".join(f"{light_name(k)} {v} 项" for k, v in counts.items() if v)
    return f"系统汇总：部门整体指标 {total} 项（{parts}）。" if total else "系统汇总：暂无部门整体指标。"


def _write(ws: Worksheet, f: _Formats, report: DepartmentReport) -> None:
    per = report.period
    for i, w in enumerate(COL_WIDTHS):
        ws.set_column(i, i, w)
    r = 0
    ws.merge_range(r, 0, r, LAST_COL, TITLE, f.title)
    ws.set_row(r, 28)
    r += 1
    ws.merge_range(r, 0, r, LAST_COL - 3, f"（{report.fiscal_year}年度 {per}，截至 {report.as_of:%Y-%m-%d}）", f.subtitle)
    ws.merge_range(r, LAST_COL - 2, r, LAST_COL, "金额单位：万元", f.unit)
    r += 1
    ws.merge_range(r, 0, r, 1, "主管部门及代码", f.label)
    ws.merge_range(r, 2, r, 7, report.supervisor.label(), f.text)
    ws.merge_range(r, 8, r, 10, "实施单位", f.label)
    ws.merge_range(r, 11, r, LAST_COL, f"{report.name}（{report.code}）", f.text)
    ws.set_row(r, 24)
    r += 1
    # Money line: the sum of the unit's projects.
    ws.merge_range(r, 0, r + 1, 1, "部门预算\n（项目支出合计）", f.label)
    for c0, c1, label in ((2, 3, "年初预算数"), (4, 5, f"{per}执行数"), (6, 10, f"{per}执行率"),
                          (11, 12, "全年预计执行数（填报）"), (13, 13, "预计结转结余")):
        if c0 == c1:
            ws.write_string(r, c0, label, f.head)
        else:
            ws.merge_range(r, c0, r, c1, label, f.head)
    r += 1
    ws.merge_range(r, 2, r, 3, _m(report.budget), f.money)
    ws.merge_range(r, 4, r, 5, _m(report.spent), f.money)
    if report.execution_pct is None:
        ws.merge_range(r, 6, r, 10, "—", f.center)
    else:
        ws.merge_range(r, 6, r, 10, report.execution_pct / 100.0, f.pct)
    total = report.projection_total()
    if total is None:
        ws.merge_range(r, 11, r, 12, PENDING, f.pending)
        ws.write_string(r, 13, PENDING, f.pending)
    else:
        ws.merge_range(r, 11, r, 12, _m(total), f.money)
        ws.write(r, 13, _m(report.budget - total), f.money)
    ws.set_row(r - 1, 30)
    ws.set_row(r, 20)
    r += 1
    # Overall goal and its progress.
    ws.merge_range(r, 0, r + 1, 1, "总体目标", f.label)
    ws.merge_range(r, 2, r, 7, "预期目标", f.head)
    ws.merge_range(r, 8, r, LAST_COL, f"{per}执行情况", f.head)
    r += 1
    goal = report.overall_goal or "—"
    progress = f"{PENDING}\n{progress_summary(report)}"
    ws.merge_range(r, 2, r, 7, goal, f.text_top)
    ws.merge_range(r, 8, r, LAST_COL, progress, f.pending_top)
    ws.set_row(r, _lines_height([(goal, _width(2, 7)), (progress, _width(8, LAST_COL))], 40))
    r += 1
    # Indicator table header.
    head = r
    for col, label in enumerate(("一级指标", "二级指标", "三级指标", "年度指标值", f"{per}执行情况", "全年预计完成情况")):
        ws.merge_range(r, col, r + 1, col, label, f.head)
    ws.merge_range(r, CAUSE_COL, r, CAUSE_COL + 4, "偏差原因分析", f.head)
    for k, cause in enumerate(CAUSES):
        ws.write_string(r + 1, CAUSE_COL + k, cause, f.head)
    ws.merge_range(r, 11, r + 1, 11, "完成目标可能性", f.head)
    ws.merge_range(r, 12, r, 13, "备注", f.head)
    ws.write_string(r + 1, 12, "原因说明", f.head)
    ws.write_string(r + 1, 13, "纠偏措施", f.head)
    ws.set_row(r, 20)
    ws.set_row(r + 1, 44)
    r += 2
    inferred = False
    for sg in report.sub_goals:
        heading = f"分项目标{sg.seq}：{sg.title}" + (f"——{sg.goal}" if sg.goal else "")
        ws.merge_range(r, 0, r, LAST_COL, heading, f.subgoal)
        ws.set_row(r, _lines_height([(heading, _width(0, LAST_COL))], 22))
        r += 1
        for ind in sg.indicators:
            inferred = inferred or ind.levels_inferred
            write_indicator_row(ws, f, r, ind)
            r += 1
        if not sg.indicators:
            ws.merge_range(r, 0, r, LAST_COL, "（该分项目标没有绩效指标）", f.center)
            r += 1
    if not report.sub_goals:
        ws.merge_range(r, 0, r, LAST_COL, "（绩效目标文件中没有部门整体分项目标）", f.center)
        r += 1
    notes = [
        "注：1. 部门预算为本单位各项目支出之和（基本支出未录入）；全年预计执行数为各项目填报数之和，有项目未填报时为“待填报”。",
        "2. 偏差原因分析在对应类别下打“√”，可多选；完成目标可能性：确定能 / 有可能 / 完全不可能。",
    ]
    if inferred:
        notes.append("3. 部门整体指标在绩效目标文件中以文字列出，一级、二级指标按指标内容归类（时限→时效指标，比率→质量指标，"
                     "次数/人次→数量指标，满意度→服务对象满意度指标，定性→效益指标）。")
    r += 1
    for line in notes:
        ws.merge_range(r, 0, r, LAST_COL, line, f.note)
        ws.set_row(r, _lines_height([(line, _width(0, LAST_COL))], 16))
        r += 1
    r += 1
    ws.merge_range(r, 0, r, LAST_COL, "填报单位（盖章）：                    填报人：                    联系电话：                    填报日期：", f.note)
    _page_setup(ws, (head, head + 1))
    ws.print_area(0, 0, r, LAST_COL)


def write_workbook(report: DepartmentReport, out: Path | io.BytesIO) -> None:
    target: Any = str(out) if isinstance(out, Path) else out
    wb = new_workbook(target)
    wb.set_properties({"title": f"{report.name} {report.fiscal_year}年{report.period} {TITLE}", "author": "perfwatch"})
    f = _Formats(wb)
    _write(wb.add_worksheet("部门整体"), f, report)
    wb.close()


def workbook_bytes(report: DepartmentReport) -> bytes:
    buf = io.BytesIO()
    write_workbook(report, buf)
    return buf.getvalue()


def file_name(report: DepartmentReport) -> str:
    return f"{report.code}_{report.fiscal_year}年{report.period}_部门整体绩效目标执行监控表.xlsx"

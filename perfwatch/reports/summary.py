"""汇总表 (.xlsx) for a 主管部门 or the finance bureau: one row per unit and one per project across the
selected units, the §5b columns, sorted by lag (red, yellow, then the rest, each by execution ÷ plan),
with totals. Every figure comes from :func:`perfwatch.status.compute_status` through
:func:`perfwatch.reports.data.build_report`; the totals are the status engine's own department and
total roll-ups, so they equal the dashboard.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from perfwatch.reports.data import (
    LAGGING,
    DepartmentReport,
    ProjectLine,
    build_report,
    light_name,
)
from perfwatch.reports.monitoring_form import (
    PENDING,
    _Formats,
    _lines_height,
    _m,
    _page_setup,
    _pct_cell,
    new_workbook,
)
from perfwatch.vocab import lag_rank

TITLE = "预算绩效运行监控汇总表"
HEADS: tuple[str, ...] = ("序号", "单位", "项目编码", "项目名称", "年初预算数", "{per}执行数", "执行率", "计划应达进度",
                          "序时进度", "全年预计执行数（填报）", "预计结转结余", "支出进度灯", "绩效目标灯", "综合灯",
                          "偏差原因", "状态")
WIDTHS: tuple[float, ...] = (5, 14, 23, 26, 10, 10, 8, 9, 8, 11, 10, 8, 8, 8, 34, 6)


@dataclass
class Summary:
    """The selected units at one as-of date and their totals (a status roll-up)."""

    as_of: dt.date
    units: list[DepartmentReport]
    total: dict[str, Any]        # budget, spent, execution_pct, expected_pct, time_pct, light, combined_light

    @property
    def period(self) -> str:
        return self.units[0].period if self.units else ""

    def projects(self) -> list[tuple[DepartmentReport, ProjectLine]]:
        """Every project of the selected units, most lagging first."""
        rows = [(u, p) for u in self.units for p in u.projects]
        return sorted(rows, key=lambda up: (lag_rank(up[1].combined_light), _ratio(up[1].execution_pct,
                                                                                          up[1].expected_pct),
                                            up[0].code, up[1].seq))

    def units_by_lag(self) -> list[DepartmentReport]:
        return sorted(self.units, key=lambda u: (lag_rank(u.light), _ratio(u.execution_pct, u.expected_pct), u.code))

    def declared_total(self) -> float | None:
        values = [u.projection_total() for u in self.units]
        return None if any(v is None for v in values) else round(sum(v for v in values if v is not None), 2)


def _ratio(pct: float | None, expected: float | None) -> float:
    if pct is None or not expected:
        return float("inf")
    return pct / expected


def build_summary(
    conn: duckdb.DuckDBPyConnection, department_ids: list[int], as_of: dt.date,
    progress: Callable[[float, str], None] | None = None,
) -> Summary:
    """The summary of ``department_ids`` at ``as_of`` (``progress(fraction, text)`` after each unit)."""
    from perfwatch.status import compute_status
    from perfwatch.status.engine import _total_rollup

    units: list[DepartmentReport] = []
    frames = []
    rules = None
    for k, dep_id in enumerate(department_ids):
        st = compute_status(conn, as_of, department_id=dep_id)
        rules = st.rules
        frames.append(st.departments)
        units.append(build_report(conn, dep_id, as_of=as_of, status=st))
        if progress is not None:
            progress((k + 1) / max(len(department_ids), 1), units[-1].name)
    if len(units) == 1:
        u = units[0]
        total = {"budget": u.budget, "spent": u.spent, "execution_pct": u.execution_pct, "expected_pct": u.expected_pct,
                 "time_pct": u.time_pct, "light": u.execution_light, "goal_light": u.goal_light,
                 "combined_light": u.light}
    elif units:
        import pandas as pd

        total = _total_rollup(pd.concat(frames, ignore_index=True), as_of, rules)  # type: ignore[arg-type]
    else:
        total = {"budget": 0.0, "spent": 0.0, "execution_pct": None, "expected_pct": None, "time_pct": None,
                 "light": "grey"}
    return Summary(as_of=as_of, units=units, total=total)


def cause_line(p: ProjectLine) -> str:
    """偏差原因 of a project row: the declared categories and sentence; the engine's reason when lagging
    and nothing was declared."""
    declared = "、".join(p.cause_categories)
    if p.cause_text:
        declared = f"{declared}：{p.cause_text}" if declared else p.cause_text
    if declared:
        return declared
    if p.combined_light in LAGGING:
        return f"原因待填报；判定依据：{p.reason}"
    return ""


def _row(ws: Any, f: _Formats, r: int, cells: list[Any]) -> None:
    money_cols, pct_cols, light_cols = {4, 5, 9, 10}, {6, 7, 8}, {11, 12, 13}
    for c, v in enumerate(cells):
        if c in pct_cols:
            _pct_cell(ws, r, c, v, f)
        elif c in light_cols:
            ws.write_string(r, c, light_name(v), f.lights.get(v, f.center))
        elif c in money_cols:
            if v is None:
                ws.write_string(r, c, PENDING, f.pending)
            elif isinstance(v, str):
                ws.write_string(r, c, v, f.center)
            else:
                ws.write_number(r, c, _m(v), f.money)
        elif isinstance(v, (int, float)):
            ws.write_number(r, c, v, f.center)
        else:
            ws.write_string(r, c, str(v or ""), f.text if c in (1, 3, 14) else f.center)


def _sheet(ws: Any, f: _Formats, s: Summary, title: str, rows: list[list[Any]], total: list[Any]) -> None:
    per = s.period
    last = len(HEADS) - 1
    for i, w in enumerate(WIDTHS):
        ws.set_column(i, i, w)
    ws.merge_range(0, 0, 0, last, title, f.title)
    ws.set_row(0, 28)
    units = "、".join(f"{u.name}（{u.code}）" for u in s.units)
    ws.merge_range(1, 0, 1, last - 2, f"（截至 {s.as_of:%Y-%m-%d}，{per}；单位：{units}）", f.subtitle)
    ws.merge_range(1, last - 1, 1, last, "金额单位：万元", f.unit)
    ws.set_row(1, _lines_height([(units, sum(WIDTHS) - 20)], 20))
    for c, h in enumerate(HEADS):
        ws.write_string(2, c, h.format(per=per), f.head)
    ws.set_row(2, 32)
    r = 3
    for cells in rows:
        _row(ws, f, r, cells)
        ws.set_row(r, _lines_height([(str(cells[3]), WIDTHS[3]), (str(cells[14]), WIDTHS[14]),
                                     (str(cells[1]), WIDTHS[1])], 22))
        r += 1
    _row(ws, f, r, total)
    ws.set_row(r, 22)
    r += 2
    ws.merge_range(r, 0, r, last, "注：按滞后程度排序（红灯、黄灯在前，同色按执行率÷计划应达进度由低到高）。执行率=累计执行数÷年初预算数；"
                   "计划应达进度按支出计划节点测算，合计为按预算加权；序时进度=已过月数÷12。全年预计执行数只列填报数，"
                   "有未填报项目时合计为“待填报”；预计结转结余=年初预算数−全年预计执行数。", f.note)
    ws.set_row(r, 44)
    _page_setup(ws, (2, 2))


def _total_cells(s: Summary, label: str) -> list[Any]:
    t = s.total
    declared = s.declared_total()
    budget = float(t["budget"])
    return ["", label, "", f"{len(s.units)} 个单位，{sum(len(u.projects) for u in s.units)} 个项目", budget,
            float(t["spent"]), t.get("execution_pct"), t.get("expected_pct"), t.get("time_pct"), declared,
            None if declared is None else round(budget - declared, 2), t.get("light", "grey"),
            t.get("goal_light", "grey"), t.get("combined_light", "grey"), "", ""]


def write_workbook(s: Summary, out: Path | io.BytesIO, title: str = TITLE) -> None:
    target: Any = str(out) if isinstance(out, Path) else out
    wb = new_workbook(target)
    wb.set_properties({"title": f"{title}（截至 {s.as_of:%Y-%m-%d}）", "author": "perfwatch"})
    f = _Formats(wb)
    project_rows = []
    for k, (u, p) in enumerate(s.projects(), 1):
        project_rows.append([k, u.name, p.code, p.name, p.budget, p.spent, p.execution_pct, p.expected_pct,
                             p.time_pct, p.projection, p.carryover, p.execution_light, p.goal_light,
                             p.combined_light, cause_line(p), p.mark])
    _sheet(wb.add_worksheet("按项目"), f, s, f"{title}（按项目）", project_rows, _total_cells(s, "合计"))
    unit_rows = []
    for k, u in enumerate(s.units_by_lag(), 1):
        declared = u.projection_total()
        lagging = len(u.lagging)
        unit_rows.append([k, f"{u.name}（{u.code}）", "", f"{len(u.projects)} 个项目，滞后 {lagging} 个", u.budget, u.spent,
                          u.execution_pct, u.expected_pct, u.time_pct, declared,
                          None if declared is None else round(u.budget - declared, 2), u.execution_light,
                          u.goal_light, u.light,
                          "、".join(f"{p.seq}.{p.name}" for p in u.lagging), ""])
    _sheet(wb.add_worksheet("按单位"), f, s, f"{title}（按单位）", unit_rows, _total_cells(s, "合计"))
    wb.close()


def workbook_bytes(s: Summary) -> bytes:
    buf = io.BytesIO()
    write_workbook(s, buf)
    return buf.getvalue()


def file_name(s: Summary) -> str:
    code = s.units[0].code if len(s.units) == 1 else f"{len(s.units)}个单位"
    return f"{code}_{s.as_of:%Y%m%d}_监控汇总表.xlsx"

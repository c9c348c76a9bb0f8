"""Importing a treasury spend export: a dry-run plan (per project and month) and its commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd

from perfwatch import db
from perfwatch.entry.common import EntryValidationError, Project, SaveResult, _dec, _today, _wan, department, projects_all
from perfwatch.entry.locks import locked_months
from perfwatch.entry.spend import SpendChange, save_spend
from perfwatch.importers.spend import RowError, SpendFile, monthly_totals, to_wan
from perfwatch.periods import month_label, month_start
from perfwatch.store import Actor


@dataclass
class SpendImportPlan:
    """What importing a spend file would do; ``errors`` empty = it can be committed."""

    file: str
    unit: str
    rows_read: int
    changes: list[SpendChange] = field(default_factory=list)
    unchanged: list[SpendChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    over_budget: list[str] = field(default_factory=list)
    months: list[dt.date] = field(default_factory=list)
    # The file's total against the budgets of the projects it covers looks like the wrong unit.
    implausible: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def preview(self) -> pd.DataFrame:
        """One line per (project, month) the file covers: old and new figure (万元)."""
        recs = []
        for ch, state in [(c, "更新") for c in self.changes] + [(c, "不变") for c in self.unchanged]:
            recs.append({
                "项目": ch.label.rsplit(" ", 1)[0],
                "月份": month_label(ch.period),
                "原数（万元）": "—" if ch.old_amount is None else f"{_dec(ch.old_amount)}",
                "新数（万元）": f"{_dec(ch.amount)}",
                "状态": state,
                "文件行": "、".join(str(r) for r in ch.rows),
                "_sort": (ch.label, ch.period),
            })
        frame = pd.DataFrame.from_records(recs, columns=["项目", "月份", "原数（万元）", "新数（万元）", "状态", "文件行", "_sort"])
        if not frame.empty:
            frame = frame.sort_values("_sort", key=lambda s: s.map(str))
        return frame.drop(columns="_sort").reset_index(drop=True)

    def error_frame(self) -> pd.DataFrame:
        errors = sorted(self.errors, key=lambda e: (e.row or 0))
        return pd.DataFrame.from_records(
            [{"文件": e.file, "行": e.row, "列": e.column, "问题": e.message} for e in errors],
            columns=["文件", "行", "列", "问题"])


def plan_spend_import(
    conn: duckdb.DuckDBPyConnection,
    sf: SpendFile,
    *,
    department_id: int | None = None,
    today: dt.date | None = None,
) -> SpendImportPlan:
    """Check a parsed spend file against the database and work out the new monthly totals.

    Per project and month the file covers, the new total is the sum of the file's rows for that
    month (converted to 万元); it replaces the current figure, so importing the same file twice,
    or a later export covering the same months, never double-counts. (Project, month) pairs the
    file does not mention keep their figures (listed as warnings for months the file covers).
    """
    t = _today(today)
    plan = SpendImportPlan(sf.name, sf.unit, len(sf.rows), errors=list(sf.errors))
    if sf.needs_mapping:
        names = "、".join(f"{f}（{_FIELD_CN[f]}）" for f in sf.missing)
        plan.errors.append(RowError(sf.name, None, None,
                                    f"无法识别以下列：{names}。文件的表头为：{'、'.join(h for h in sf.header if h) or '（空）'}。"
                                    "请在导入时指定各列对应的表头。"))
        return plan
    by_code: dict[str, list[Project]] = {}
    for p in projects_all(conn):
        by_code.setdefault(p.code, []).append(p)
    dept_name = None
    if department_id is not None:
        _, dcode, dname, _ = department(conn, department_id)
        dept_name = f"{dcode} {dname}"
    locks: dict[int, set[dt.date]] = {}
    # A list, not keyed by line: a wide (1月…12月) file gives several rows per line.
    resolved: list[tuple[Project, Any]] = []
    code_col, date_col = sf.mapping.get("project_code"), sf.mapping.get("date")
    for r in sf.rows:
        candidates = [p for p in by_code.get(r.project_code, []) if not p.retired]
        if department_id is not None:
            in_dept = [p for p in candidates if p.department_id == department_id]
            if candidates and not in_dept:
                plan.errors.append(RowError(sf.name, r.row, code_col, f"项目编码 {r.project_code} 不属于所选部门 {dept_name}。"))
                continue
            candidates = in_dept
        if not candidates:
            retired = by_code.get(r.project_code)
            msg = (f"项目编码 {r.project_code} 对应的项目已停用。" if retired else
                   f"未知的项目编码 {r.project_code}：数据库中没有这个项目。请核对编码（注意是否被截断或多了空格）。")
            plan.errors.append(RowError(sf.name, r.row, code_col, msg))
            continue
        in_year = [p for p in candidates if p.fiscal_year == r.period.year]
        if not in_year:
            years = "、".join(sorted({str(p.fiscal_year) for p in candidates}))
            plan.errors.append(RowError(sf.name, r.row, date_col,
                                        f"日期 {r.period.label} 不在项目 {r.project_code} 的预算年度（{years} 年）内。"))
            continue
        if len(in_year) > 1:
            plan.errors.append(RowError(sf.name, r.row, code_col,
                                        f"项目编码 {r.project_code} 在 {r.period.year} 年度对应多个部门的项目，请在页面上选择部门后导入。"))
            continue
        p = in_year[0]
        if r.period.kind == "day" and r.period.last_day > t:
            plan.errors.append(RowError(sf.name, r.row, date_col, f"日期 {r.period.label} 在未来（今天是 {t.isoformat()}）。"))
            continue
        if r.period.kind != "day" and r.period.months[-1] > month_start(t):
            what = "月份" if r.period.kind == "month" else "季度"
            plan.errors.append(RowError(sf.name, r.row, date_col, f"{what} {r.period.label} 尚未开始或尚未到最后一个月（今天是 {t.isoformat()}）。"))
            continue
        if p.department_id not in locks:
            locks[p.department_id] = locked_months(conn, p.department_id)
        hit = [mo for mo in r.period.months if mo in locks[p.department_id]]
        if hit:
            plan.errors.append(RowError(sf.name, r.row, date_col,
                                        f"{'、'.join(month_label(m) for m in hit)} 已锁定（已上报），不能导入该月支出。"))
            continue
        resolved.append((p, r))
    # Aggregate valid rows per (project, month).
    by_project: dict[int, Project] = {}
    rows_for: dict[str, Any] = {}
    for p, r in resolved:
        by_project[p.id] = p
        rows_for.setdefault(p.code + "\x00" + str(p.id), []).append(r)
    totals: dict[tuple[int, dt.date], tuple[Decimal, list[int]]] = {}
    for p in by_project.values():
        sums = monthly_totals(rows_for[p.code + "\x00" + str(p.id)])
        for (_, month), (amount, lines) in sums.items():
            totals[(p.id, month)] = (to_wan(amount, sf.unit), lines)
    current: dict[tuple[int, dt.date], tuple[int, Decimal]] = {}
    for dep in {p.department_id for p in by_project.values()}:
        for row in db.query(conn, "entry/spend_current_of_department", {"department_id": dep}):
            current[(int(row[0]), row[1])] = (int(row[2]), Decimal(row[3]))
    for (pid, month), (amount, lines) in sorted(totals.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        p = by_project[pid]
        base = current.get((pid, month))
        ch = SpendChange(pid, month, amount, None if base is None else base[0], None if base is None else base[1],
                         f"{p.label} {month_label(month)}", tuple(sorted(set(lines))))
        if base is not None and _dec(base[1]) == amount:
            plan.unchanged.append(ch)
        else:
            plan.changes.append(ch)
    plan.months = sorted({m for (_, m) in totals})
    plan.implausible = unit_plausibility(sum((a for a, _ in totals.values()), Decimal(0)),
                                         sum((Decimal(str(p.budget)) for p in by_project.values()), Decimal(0)), sf.unit)
    # Months the file covers where a project of the same department has a figure but no row.
    deps = {p.department_id for p in by_project.values()}
    for (pid, month), (_, amount) in sorted(current.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if month in plan.months and (pid, month) not in totals and amount:
            other = next((q for q in projects_all(conn) if q.id == pid), None)
            if other is not None and other.department_id in deps:
                plan.warnings.append(f"文件覆盖 {month_label(month)}，但没有项目 {other.label} 的数据；"
                                     f"其当前支出 {_wan(amount)} 万元保持不变。")
    # Budget check on the figures after import.
    for p in by_project.values():
        year_total = sum((amt for (pid, mo), (_, amt) in current.items() if pid == p.id and mo.year == p.fiscal_year),
                         Decimal(0))
        for ch in plan.changes:
            if ch.project_id == p.id:
                year_total += ch.amount - (ch.old_amount or 0)
        if year_total > p.budget:
            plan.over_budget.append(f"{p.label}：导入后全年支出 {_wan(year_total)} 万元，超过预算 {_wan(p.budget)} 万元。"
                                    + ("请确认金额单位（元/万元）是否正确。" if year_total > p.budget * 10 else ""))
    return plan


# A file total below 1/1000 or above 10× the budgets of the projects it covers is not plausible:
# a 万元 file read as 元 is 10,000× too small, a 元 file read as 万元 10,000× too large.
IMPLAUSIBLE_LOW = Decimal("0.001")
IMPLAUSIBLE_HIGH = Decimal(10)


def unit_plausibility(total_wan: Decimal, budget_wan: Decimal, unit: str) -> str | None:
    """A Chinese warning when the file's total (万元, as read in ``unit``) is implausible against
    the budgets of the projects it covers (< 1/1000 or > 10×); None when plausible or unknown."""
    if budget_wan <= 0 or total_wan <= 0:
        return None
    share = total_wan / budget_wan
    if IMPLAUSIBLE_LOW <= share <= IMPLAUSIBLE_HIGH:
        return None
    other = "万元" if unit == "元" else "元"
    as_other = total_wan * 10000 if unit == "元" else total_wan / 10000
    size = "不到千分之一" if share < IMPLAUSIBLE_LOW else "超过 10 倍"
    in_unit = total_wan * 10000 if unit == "元" else total_wan
    return (f"按“{unit}”读取，文件金额合计 {_wan(in_unit)} {unit}，是所涉项目预算合计 {_wan(budget_wan)} 万元的{size}，"
            f"金额单位很可能不对；若单位为“{other}”，合计应为 {_wan(as_other)} 万元。请核对金额单位。")


_FIELD_CN = {"project_code": "项目编码", "date": "支出日期", "amount": "支出金额",
             "indicator": "指标（指标编号或项目编码+三级指标）", "as_of": "截止日期", "value": "完成值"}


def commit_spend_import(
    conn: duckdb.DuckDBPyConnection,
    actor: Actor,
    plan: SpendImportPlan,
    *,
    confirm_over_budget: bool = False,
    today: dt.date | None = None,
) -> SaveResult:
    """Write a checked import plan: all of it or nothing. A plan with errors is refused."""
    if plan.errors:
        raise EntryValidationError([f"文件 {plan.file} 有 {len(plan.errors)} 处错误，未导入任何数据。"]
                                   + [str(e) for e in plan.errors])
    result = save_spend(conn, actor, plan.changes, source=f"文件:{plan.file}",
                        confirm_over_budget=confirm_over_budget, today=today)
    result.unchanged += len(plan.unchanged)
    return result

"""The spend grid: a department's monthly figures as an editable table, and its edits as changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd

from perfwatch import db, limits
from perfwatch.entry.common import (
    MONTH_COLUMNS,
    QUARTER_COLUMNS,
    EntryValidationError,
    Project,
    _dec,
    _today,
    _wan,
    department,
    projects_all,
)
from perfwatch.entry.locks import locked_months
from perfwatch.entry.spend import SpendChange
from perfwatch.periods import month_label, month_start


@dataclass
class SpendGrid:
    """The spend of a department-year as a project × month table, with the rows it was based on."""

    department_id: int
    fiscal_year: int
    projects: list[Project]
    base: dict[tuple[int, dt.date], tuple[int, Decimal]]       # (project, month) -> (row id, amount)
    locked: set[dt.date]

    def amount(self, project_id: int, period: dt.date) -> Decimal | None:
        hit = self.base.get((project_id, period))
        return None if hit is None else hit[1]

    def frame(self, *, quarterly: bool = False) -> pd.DataFrame:
        """Rows: projects. Columns: 项目编码, 项目名称, 预算数, months (or quarters), 合计, 执行率."""
        records = []
        for p in self.projects:
            rec: dict[str, Any] = {"项目编码": p.code, "项目名称": p.name, "预算数": float(p.budget)}
            months = [self.amount(p.id, dt.date(self.fiscal_year, m, 1)) for m in range(1, 13)]
            nan = float("nan")  # empty cell (no figure yet); float columns for the editor
            if quarterly:
                for q, col in enumerate(QUARTER_COLUMNS):
                    part = months[3 * q:3 * q + 3]
                    rec[col] = nan if all(v is None for v in part) else float(sum(v or 0 for v in part))
            else:
                for col, amount in zip(MONTH_COLUMNS, months, strict=True):
                    rec[col] = nan if amount is None else float(amount)
            total = sum((v or Decimal(0)) for v in months)
            rec["合计"] = float(total)
            rec["执行率"] = float("nan") if not p.budget else float(total / p.budget * 100)
            records.append(rec)
        periods = list(QUARTER_COLUMNS if quarterly else MONTH_COLUMNS)
        columns = ["项目编码", "项目名称", "预算数", *periods, "合计", "执行率"]
        frame = pd.DataFrame.from_records(records, columns=columns)
        return frame.astype({c: "float64" for c in [*periods, "预算数", "合计", "执行率"]})

    def editable_columns(self, today: dt.date | None = None, *, quarterly: bool = False) -> list[str]:
        """Month (quarter) columns that may be edited: in the past or current month and not locked."""
        t = month_start(_today(today))
        open_months = [m for m in range(1, 13)
                       if dt.date(self.fiscal_year, m, 1) <= t and dt.date(self.fiscal_year, m, 1) not in self.locked]
        if not quarterly:
            return [MONTH_COLUMNS[m - 1] for m in open_months]
        return [QUARTER_COLUMNS[q] for q in range(4) if any(3 * q < m <= 3 * q + 3 for m in open_months)]


def spend_grid(conn: duckdb.DuckDBPyConnection, department_id: int) -> SpendGrid:
    _, _, _, year = department(conn, department_id)
    projects = [p for p in projects_all(conn) if p.department_id == department_id and not p.retired]
    base = {(int(r[0]), r[1]): (int(r[2]), Decimal(r[3]))
            for r in db.query(conn, "entry/spend_current_of_department", {"department_id": department_id})}
    return SpendGrid(department_id, year, projects, base, locked_months(conn, department_id))


def _cell_amount(value: Any, where: str, problems: list[str]) -> Decimal | None:
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except Exception:
        problems.append(f"{where}：“{value}”不是数字。")
        return None
    if not amount.is_finite():
        problems.append(f"{where}：“{value}”不是数字。")
        return None
    if amount < 0:
        problems.append(f"{where}：支出金额不能为负数（{value}）。")
        return None
    if too_big := limits.amount_problem(amount, "支出金额"):
        problems.append(f"{where}：{too_big}")
        return None
    return amount


def grid_changes(
    grid: SpendGrid, edited: pd.DataFrame, *, quarterly: bool = False, today: dt.date | None = None
) -> list[SpendChange]:
    """The cells of ``edited`` (same rows as ``grid.frame()``) that differ from the grid.

    Monthly: each changed month is a change; a cleared cell means 0. Quarterly: a changed quarter
    total goes to the latest month of the quarter that has begun; the earlier months keep their
    figures, so a total below them is refused. Raises :class:`EntryValidationError` listing every
    bad cell (non-numeric, negative).
    """
    problems: list[str] = []
    changes: list[SpendChange] = []
    t = month_start(_today(today))
    for i, p in enumerate(grid.projects):
        row = edited.iloc[i]
        if str(row["项目编码"]) != p.code:
            raise EntryValidationError(["表格的行与项目不对应（可能已被他人修改），请刷新后重试。"])
        if not quarterly:
            for m, col in enumerate(MONTH_COLUMNS, 1):
                period = dt.date(grid.fiscal_year, m, 1)
                where = f"{p.label} {col}"
                new = _cell_amount(row[col], where, problems)
                old = grid.amount(p.id, period)
                if new is None and old is None:
                    continue
                new_value = _dec(new if new is not None else 0)
                if old is not None and _dec(old) == new_value:
                    continue
                base = grid.base.get((p.id, period))
                changes.append(SpendChange(p.id, period, new_value, None if base is None else base[0], old,
                                           f"{p.label} {month_label(period)}"))
            continue
        for q, col in enumerate(QUARTER_COLUMNS):
            months = [dt.date(grid.fiscal_year, 3 * q + k, 1) for k in (1, 2, 3)]
            where = f"{p.label} {col}"
            new = _cell_amount(row[col], where, problems)
            olds = [grid.amount(p.id, mo) for mo in months]
            old_total = None if all(v is None for v in olds) else sum(v or 0 for v in olds)
            if new is None and old_total is None:
                continue
            new_total = _dec(new if new is not None else 0)
            if old_total is not None and _dec(old_total) == new_total:
                continue
            begun = [mo for mo in months if mo <= t]
            if not begun:
                problems.append(f"{where}：该季度尚未开始，不能录入支出。")
                continue
            target = begun[-1]
            others = sum((grid.amount(p.id, mo) or 0) for mo in months if mo != target)
            later = [mo for mo in months if mo > target and grid.amount(p.id, mo)]
            if later:
                problems.append(f"{where}：季度内未来月份已有数值，请按月录入。")
                continue
            value = new_total - _dec(others)
            if value < 0:
                problems.append(f"{where}：季度合计 {_wan(new_total)} 万元小于本季度其他月份已录入的 {_wan(others)} 万元，"
                                "请切换到“按月”录入修改。")
                continue
            base = grid.base.get((p.id, target))
            changes.append(SpendChange(p.id, target, value, None if base is None else base[0],
                                       grid.amount(p.id, target), f"{p.label} {month_label(target)}"))
    if problems:
        raise EntryValidationError(problems)
    return changes

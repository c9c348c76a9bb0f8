"""Saving monthly spend (万元): checks, locks, conflicts, over-budget confirmation, audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb

from perfwatch import limits
from perfwatch.entry.common import (
    ConflictError,
    EntryValidationError,
    OverBudgetError,
    Project,
    SaveResult,
    _Batches,
    _dec,
    _fmt_time,
    _today,
    _wan,
)
from perfwatch.entry.locks import _check_lock
from perfwatch.periods import month_label, month_start
from perfwatch.store import Actor, WriteTx, transaction


@dataclass(frozen=True)
class SpendChange:
    """New spend (万元) of a project in a month, based on the row ``base_id`` (None = no row);
    ``check_base=False`` skips the conflict check (a single figure set from the CLI or a loader)."""

    project_id: int
    period: dt.date
    amount: Decimal
    base_id: int | None
    old_amount: Decimal | None = None
    label: str = ""
    rows: tuple[int, ...] = ()
    check_base: bool = True
    note: str | None = None


def _project_in_tx(tx: WriteTx, project_id: int, cache: dict[int, Project]) -> Project:
    """The project, read inside the transaction, and the actor authorised for it."""
    if project_id not in cache:
        r = tx.one("entry/project_info", {"project_id": project_id})
        if r is None:
            raise EntryValidationError([f"项目编号 {project_id} 不存在。"])
        tx.authorize_project(project_id)
        cache[project_id] = Project(int(r[0]), int(r[1]), int(r[2]), r[3], r[4], Decimal(r[5]), bool(r[6]))
    return cache[project_id]


def _spend_conflict(p: Project, period: dt.date, current: tuple[Any, ...] | None) -> ConflictError:
    if current is None:
        return ConflictError(f"{p.label} {month_label(period)} 的支出已被他人撤销或更改，你的修改未保存。请刷新后重试。")
    return ConflictError(
        f"{p.label} {month_label(period)} 的支出已被 {current[2]} 于 {_fmt_time(current[3])} 改为 "
        f"{_wan(current[1])} 万元，你的修改未保存。请刷新后核对再保存。",
        current[2], current[3],
    )


def save_spend(
    conn: duckdb.DuckDBPyConnection,
    actor: Actor,
    changes: Sequence[SpendChange],
    *,
    source: str = "grid",
    confirm_over_budget: bool = False,
    today: dt.date | None = None,
) -> SaveResult:
    """Append the changed monthly figures in one transaction: all of them, or none.

    Refuses (nothing written) negative amounts, retired or unknown projects, months outside the
    fiscal year or in the future, locked months and conflicts (the current row is no longer
    ``base_id``). Spend beyond a project's budget raises :class:`OverBudgetError` unless
    ``confirm_over_budget``.
    """
    result = SaveResult()
    if not changes:
        return result
    t = _today(today)
    lim = limits.load(conn)
    with transaction(conn, actor, "spend.record") as tx:
        cache: dict[int, Project] = {}
        batches = _Batches(tx, "spend", source)
        problems: list[str] = []
        touched: list[int] = []
        for ch in changes:
            p = _project_in_tx(tx, ch.project_id, cache)
            period = month_start(ch.period)
            what = f"{p.label} {month_label(period)}"
            if ch.amount < 0:
                problems.append(f"{what}：支出金额不能为负数（{ch.amount}）。")
            elif implausible := limits.spend_problem(ch.amount, p.budget, lim):
                problems.append(f"{what}：{implausible}")
            if p.retired:
                problems.append(f"{what}：项目已停用，不能再录入支出。")
            if period.year != p.fiscal_year:
                problems.append(f"{what}：月份不在项目的预算年度 {p.fiscal_year} 年内。")
            elif period > month_start(t):
                problems.append(f"{what}：月份在未来（今天是 {t.isoformat()}），不能录入尚未发生的支出。")
        if problems:
            raise EntryValidationError(problems)
        for ch in changes:
            p = cache[ch.project_id]
            period = month_start(ch.period)
            _check_lock(tx, p.department_id, period, f"{p.label} {month_label(period)}")
            current = tx.one("entry/current_spend_full", {"project_id": p.id, "period": period})
            current_id = None if current is None else int(current[0])
            if ch.check_base and current_id != ch.base_id:
                raise _spend_conflict(p, period, current)
            amount = _dec(ch.amount)
            if current is not None and _dec(current[1]) == amount:
                result.unchanged += 1
                continue
            row = tx.one("store/insert_spend", {"project_id": p.id, "period": period, "amount": amount,
                                                "source": source, "note": ch.note, "entered_by": actor.username})
            assert row is not None
            tx.audit("spend_entries", row[0],
                     None if current is None else {"project_id": p.id, "period": period, "amount": current[1],
                                                   "id": current_id},
                     {"project_id": p.id, "period": period, "amount": amount, "source": source})
            batches.add(p.department_id, int(row[0]))
            result.row_ids.append(int(row[0]))
            result.written += 1
            if p.id not in touched:
                touched.append(p.id)
        for pid in touched:
            p = cache[pid]
            total_row = tx.one("entry/project_year_total", {"project_id": pid})
            total = _dec(total_row[0] if total_row else 0)
            if implausible := limits.spend_problem(total, p.budget, lim, what="全年支出合计"):
                raise EntryValidationError([f"{p.label}：{implausible}"])
            if total > p.budget:
                result.over_budget.append(
                    f"{p.label}：全年支出合计 {_wan(total)} 万元，超过预算 {_wan(p.budget)} 万元（超出 {_wan(total - _dec(p.budget))} 万元）。")
        if result.over_budget and not confirm_over_budget:
            raise OverBudgetError(result.over_budget + ["如确认无误（例如已追加预算），请勾选“确认超预算”后再保存。"])
        if result.over_budget:
            tx.audit("projects", ",".join(str(p) for p in touched), None,
                     {"over_budget_confirmed": result.over_budget}, "spend.over_budget_confirmed")
        result.batch_ids = sorted(batches.ids.values())
    return result

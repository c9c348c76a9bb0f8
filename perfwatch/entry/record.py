"""One figure at a time through the user path: the CLI, the demo loader, the tests and the
hypothesis property tests write here, and every call runs the same checks as a page save
(authorisation of the project, process write lock, period locks, dates, conflicts, required
causes, audit) because it *is* a page save of one row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import duckdb

from perfwatch import db
from perfwatch.entry.common import EntryValidationError, _today
from perfwatch.entry.locks import _check_lock
from perfwatch.entry.results import ResultInput, save_results
from perfwatch.entry.spend import SpendChange, _project_in_tx, save_spend
from perfwatch.periods import month_start
from perfwatch.store import SPEND_QUANTUM, Actor, finite_number, parse_amount, transaction


def record_spend(
    conn: duckdb.DuckDBPyConnection,
    actor: Actor,
    project_id: int,
    period: dt.date,
    amount: Decimal | float | int | str,
    *,
    source: str = "manual",
    note: str | None = None,
    confirm_over_budget: bool = False,
    today: dt.date | None = None,
) -> int:
    """Set the spend (万元) of ``project_id`` in the month of ``period``; return the current row id.

    The previous figure stays in the table and in the audit row. ``amount`` is parsed by
    :func:`perfwatch.store.parse_amount` ("1,5" refused). Same refusals as :func:`save_spend`.
    """
    value = parse_amount(amount, "支出金额", SPEND_QUANTUM)
    change = SpendChange(project_id, period, value, None, check_base=False, note=note)
    result = save_spend(conn, actor, [change], source=source, confirm_over_budget=confirm_over_budget, today=today)
    if result.row_ids:
        return result.row_ids[0]
    # Unchanged (the same amount again): the current row.
    current = db.query(conn, "entry/current_spend_full", {"project_id": project_id, "period": month_start(period)})
    return int(current[0][0])


def record_result(
    conn: duckdb.DuckDBPyConnection,
    actor: Actor,
    indicator_id: int,
    as_of: dt.date,
    *,
    value: float | None = None,
    done_date: dt.date | None = None,
    rating: str | None = None,
    projected_text: str | None = None,
    projected_value: float | None = None,
    cause_categories: Sequence[str] = (),
    cause_text: str | None = None,
    likelihood: str | None = None,
    measure: str | None = None,
    note: str | None = None,
    source: str = "manual",
    today: dt.date | None = None,
) -> int:
    """Report one indicator result for the reporting date ``as_of``; return the current row id.

    Numbers must be finite (text, NaN and infinity are refused); then the page's validation applies.
    """
    value = finite_number(value, "完成值")
    projected_value = finite_number(projected_value, "全年预计完成值")
    inp = ResultInput(
        indicator_id, as_of, value=value, done_date=done_date, rating=rating, projected_text=projected_text,
        projected_value=projected_value, cause_categories=tuple(cause_categories), cause_text=cause_text,
        likelihood=likelihood, measure=measure, note=note, check_base=False,
    )
    result = save_results(conn, actor, [inp], source=source, today=today)
    if result.row_ids:
        return result.row_ids[0]
    current = db.query(conn, "entry/current_result_full", {"indicator_id": indicator_id, "as_of": as_of})
    return int(current[0][0])


def record_project_report(
    conn: duckdb.DuckDBPyConnection,
    actor: Actor,
    project_id: int,
    as_of: dt.date,
    *,
    projected_amount: Decimal | float | str | None = None,
    progress_text: str | None = None,
    today: dt.date | None = None,
) -> int:
    """Append the owner's 全年预计执行数 (万元) and progress text for ``as_of``; return the row id.

    Refused (nothing written): an actor not responsible for the project, a date outside the
    project's fiscal year or in the future, a locked month.
    """
    amount = None if projected_amount is None else parse_amount(projected_amount, "全年预计执行数")
    t = _today(today)
    with transaction(conn, actor, "round.declare", project_id=project_id) as tx:
        p = _project_in_tx(tx, project_id, {})
        what = f"{p.label} 截至 {as_of.isoformat()} 的项目填报"
        if as_of.year != p.fiscal_year:
            raise EntryValidationError([f"{what}：日期不在项目的预算年度 {p.fiscal_year} 年内。"])
        if as_of > t:
            raise EntryValidationError([f"{what}：日期在未来（今天是 {t.isoformat()}）。"])
        _check_lock(tx, p.department_id, as_of, what)
        row = tx.one(
            "store/insert_project_report",
            {"project_id": project_id, "as_of": as_of, "projected_amount": amount,
             "progress_text": progress_text, "entered_by": actor.username},
        )
        assert row is not None
        tx.audit(
            "project_reports", row[0], None,
            {"project_id": project_id, "as_of": as_of, "projected_amount": amount, "progress_text": progress_text},
        )
        return int(row[0])


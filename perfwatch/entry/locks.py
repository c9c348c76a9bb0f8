"""Period locks: a reported month of a department is locked (finance/admin) and unlocked (admin)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pandas as pd

from perfwatch import db
from perfwatch.audit_labels import actor_label
from perfwatch.entry.common import EntryValidationError, LockedError, _fmt_time, department
from perfwatch.periods import month_label, month_start
from perfwatch.store import Actor, WriteTx, transaction


@dataclass(frozen=True)
class LockState:
    period: dt.date
    locked: bool
    changed_by: str
    changed_at: dt.datetime


def lock_states(conn: duckdb.DuckDBPyConnection, department_id: int) -> dict[dt.date, LockState]:
    """Current lock state per month of a department (months never locked are absent)."""
    return {r[0]: LockState(r[0], bool(r[1]), r[2], r[3])
            for r in db.query(conn, "entry/period_locks_of_department", {"department_id": department_id})}


def locked_months(conn: duckdb.DuckDBPyConnection, department_id: int) -> set[dt.date]:
    return {p for p, s in lock_states(conn, department_id).items() if s.locked}


def lock_history(conn: duckdb.DuckDBPyConnection, department_id: int) -> pd.DataFrame:
    frame = db.query_df(conn, "entry/period_lock_history", {"department_id": department_id})
    return pd.DataFrame({
        "月份": [month_label(p) for p in frame["period"]],
        "操作": ["锁定" if x else "解锁" for x in frame["locked"]],
        "操作人": frame["changed_by"].map(actor_label),
        "时间": [_fmt_time(t) for t in frame["changed_at"]],
        "说明": frame["note"],
    })


def set_lock(
    conn: duckdb.DuckDBPyConnection,
    actor: Actor,
    department_id: int,
    periods: Iterable[dt.date],
    locked: bool,
    *,
    note: str | None = None,
) -> int:
    """Lock (finance/admin) or unlock (admin only) months of a department; return how many changed.

    Months already in the asked state are left alone. Each change is a row in period_locks and
    in audit_log.
    """
    months = sorted({month_start(p) for p in periods})
    if not months:
        raise EntryValidationError(["请选择要" + ("锁定" if locked else "解锁") + "的月份。"])
    _, _, _, year = department(conn, department_id)
    outside = [month_label(p) for p in months if p.year != year]
    if outside:
        raise EntryValidationError([f"{'、'.join(outside)} 不在该部门的预算年度 {year} 年内。"])
    changed = 0
    with transaction(conn, actor, "period.lock" if locked else "period.unlock") as tx:
        for p in months:
            cur = tx.one("entry/period_lock_state", {"department_id": department_id, "period": p})
            was = bool(cur[0]) if cur else False
            if was == locked:
                continue
            row = tx.one("entry/insert_period_lock", {"department_id": department_id, "period": p, "locked": locked,
                                                      "changed_by": actor.username, "note": note})
            assert row is not None
            tx.audit("period_locks", row[0], {"department_id": department_id, "period": p, "locked": was},
                     {"department_id": department_id, "period": p, "locked": locked, "note": note})
            changed += 1
    return changed


def _check_lock(tx: WriteTx, department_id: int, period: dt.date, what: str) -> None:
    state = tx.one("entry/period_lock_state", {"department_id": department_id, "period": month_start(period)})
    if state and state[0]:
        raise LockedError([f"{what}：{month_label(month_start(period))} 已锁定（{state[1]} 于 {_fmt_time(state[2])} 锁定，"
                           "已上报），不能修改。如需更正，请联系管理员解锁。"])

"""History and undo of spend and results: append rows restoring the previous values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb
import pandas as pd

from perfwatch import db, review
from perfwatch.audit_labels import actor_label, source_label
from perfwatch.entry.common import RESULT_FIELDS, EntryValidationError, Project, SaveResult, _Batches, _dec, _fmt_time
from perfwatch.entry.locks import _check_lock
from perfwatch.entry.results import _authorize_indicator, _result_conflict, _same_result
from perfwatch.entry.spend import _project_in_tx, _spend_conflict
from perfwatch.periods import month_label, month_start
from perfwatch.store import Actor, WriteTx, transaction


def spend_history(conn: duckdb.DuckDBPyConnection, department_id: int) -> pd.DataFrame:
    """Every spend figure ever entered for the department, newest first (Chinese columns)."""
    f = db.query_df(conn, "entry/spend_history", {"department_id": department_id})
    return pd.DataFrame({
        "记录号": f["id"].astype("Int64"),
        "项目编码": f["code"],
        "项目名称": f["name"],
        "月份": [month_label(p) for p in f["period"]],
        "原数（万元）": f["previous"].astype("Float64"),
        "新数（万元）": f["amount"].astype("Float64"),
        "来源": f["source"].map(source_label),
        "说明": f["note"],
        "填报人": f["entered_by"].map(actor_label),
        "时间": [_fmt_time(t) for t in f["entered_at"]],
        "当前值": f["is_current"],
    })


def spend_row(conn: duckdb.DuckDBPyConnection, row_id: int) -> tuple[int, int, dt.date, Decimal, str, dt.datetime]:
    """One spend row: (id, project_id, period, amount, entered_by, entered_at)."""
    rows = db.query(conn, "entry/spend_row", {"id": row_id})
    if not rows:
        raise EntryValidationError([f"没有编号为 {row_id} 的支出记录。"])
    r = rows[0]
    return int(r[0]), int(r[1]), r[2], Decimal(r[3]), r[4], r[5]


@dataclass(frozen=True)
class UndoInfo:
    batch_id: int
    source: str | None
    created_by: str
    created_at: dt.datetime
    rows: int

    @property
    def label(self) -> str:
        return (f"{_fmt_time(self.created_at)} {actor_label(self.created_by)} 的保存"
                f"（{source_label(self.source)}，{self.rows} 项）")


def last_undoable(conn: duckdb.DuckDBPyConnection, department_id: int, kind: str) -> UndoInfo | None:
    """The latest save of a department (kind 'spend' or 'result') that can still be undone."""
    rows = db.query(conn, "entry/last_undoable_batch", {"department_id": department_id, "kind": kind})
    if not rows:
        return None
    r = rows[0]
    return UndoInfo(int(r[0]), r[1], r[2], r[3], int(r[4]))


def _undo_spend_row(tx: WriteTx, batches: _Batches, cache: dict[int, Project], row_id: int, project_id: int,
                    period: dt.date, amount: Decimal, note: str) -> None:
    p = _project_in_tx(tx, project_id, cache)
    _check_lock(tx, p.department_id, period, f"{p.label} {month_label(period)}")
    current = tx.one("entry/current_spend_full", {"project_id": project_id, "period": period})
    if current is None or _dec(current[1]) != _dec(amount):
        raise _spend_conflict(p, period, current)
    before = tx.one("entry/spend_before", {"project_id": project_id, "period": period, "id": row_id})
    restored = _dec(before[1]) if before else Decimal("0.00")
    row = tx.one("store/insert_spend", {"project_id": project_id, "period": period, "amount": restored,
                                        "source": "撤销", "note": note, "entered_by": tx.actor.username})
    assert row is not None
    tx.audit("spend_entries", row[0], {"project_id": project_id, "period": period, "amount": current[1], "id": current[0]},
             {"project_id": project_id, "period": period, "amount": restored, "undoes_row": row_id}, "spend.undo")
    batches.add(p.department_id, int(row[0]))


def undo_spend_cell(
    conn: duckdb.DuckDBPyConnection, actor: Actor, project_id: int, period: dt.date, base_id: int
) -> SaveResult:
    """Undo the last change of one cell: append a row restoring the figure before row ``base_id``
    (0 if there was none). ``base_id`` must still be the current row (else ConflictError)."""
    period = month_start(period)
    with transaction(conn, actor, "spend.record") as tx:
        current = tx.one("entry/current_spend_full", {"project_id": project_id, "period": period})
        cache: dict[int, Project] = {}
        if current is None or int(current[0]) != base_id:
            raise _spend_conflict(_project_in_tx(tx, project_id, cache), period, current)
        batches = _Batches(tx, "spend", "撤销")
        _undo_spend_row(tx, batches, cache, base_id, project_id, period, Decimal(current[1]), f"撤销第 {base_id} 号记录")
        return SaveResult(sorted(batches.ids.values()), 1)


def undo_batch(conn: duckdb.DuckDBPyConnection, actor: Actor, batch_id: int) -> SaveResult:
    """Undo one save: for every row it appended, append a row restoring the value before it.

    Refused (ConflictError, nothing written) when any of those figures was changed since, and
    (LockedError) when any month is locked. The undo is itself a batch, audited.
    """
    info = db.query(conn, "entry/batch_info", {"batch_id": batch_id})
    if not info:
        raise EntryValidationError([f"没有编号为 {batch_id} 的保存记录。"])
    _, kind, _, source, _, _, undoes, undone_by = info[0]
    if undoes is not None:
        raise EntryValidationError(["这是一次撤销操作本身，不能再撤销。"])
    if undone_by is not None:
        raise EntryValidationError([f"这次保存已经撤销过（撤销记录 {undone_by}）。"])
    action = "spend.record" if kind == "spend" else "result.record"
    note = f"撤销保存 #{batch_id}（{source or '—'}）"
    if kind == "spend":
        with transaction(conn, actor, action) as tx:
            batches = _Batches(tx, "spend", note, undoes=batch_id)
            cache: dict[int, Project] = {}
            rows_s = tx.run("entry/batch_spend_rows", {"batch_id": batch_id})
            for row_id, project_id, period, amount in rows_s:
                _undo_spend_row(tx, batches, cache, int(row_id), int(project_id), period, Decimal(amount), note)
            return SaveResult(sorted(batches.ids.values()), len(rows_s))
    rows = db.query(conn, "entry/batch_result_rows", {"batch_id": batch_id})
    project_ids = [_authorize_indicator(conn, actor, int(indicator_id)) for _, indicator_id, _ in rows]
    with transaction(conn, actor, action, project_ids=project_ids) as tx:
        batches = _Batches(tx, "result", note, undoes=batch_id)
        for row_id, indicator_id, as_of in rows:
            _undo_result_row(tx, batches, int(row_id), int(indicator_id), as_of, note)
        return SaveResult(sorted(batches.ids.values()), len(rows))


def _undo_result_row(tx: WriteTx, batches: _Batches, row_id: int, indicator_id: int, as_of: dt.date, note: str) -> None:
    ind_row = tx.one("store/indicator_project", {"indicator_id": indicator_id})
    assert ind_row is not None
    tx.authorize_project(None if ind_row[0] is None else int(ind_row[0]))
    label = f"指标 {indicator_id}"
    _check_lock(tx, int(ind_row[1]), as_of, label)
    if ind_row[0] is not None:  # the project's round: submitted (owner) or approved
        review.check_editable(tx, int(ind_row[0]), as_of, f"{label}的填报")
    mine = tx.one("entry/result_row", {"id": row_id})
    current = tx.one("entry/current_result_full", {"indicator_id": indicator_id, "as_of": as_of})
    assert mine is not None
    mine_fields = dict(zip(RESULT_FIELDS, mine[3:13], strict=False))
    if current is None or not _same_result(current, mine_fields):
        raise _result_conflict(label, as_of, current)
    before = tx.one("entry/result_before", {"indicator_id": indicator_id, "as_of": as_of, "id": row_id})
    restored = dict(zip(RESULT_FIELDS, before[1:11], strict=False)) if before else {k: None for k in RESULT_FIELDS}
    row = tx.one("store/insert_result", {"indicator_id": indicator_id, "as_of": as_of, **restored,
                                         "entered_by": tx.actor.username})
    assert row is not None
    tx.audit("indicator_results", row[0], {**dict(zip(RESULT_FIELDS, current[1:11], strict=False)), "id": current[0]},
             {"indicator_id": indicator_id, "as_of": as_of, **restored, "undoes_row": row_id, "note": note},
             "result.undo")
    batches.add(int(ind_row[1]), int(row[0]))


def undo_result_cell(
    conn: duckdb.DuckDBPyConnection, actor: Actor, indicator_id: int, as_of: dt.date, base_id: int
) -> SaveResult:
    """Undo the last change of one indicator result: append the result before row ``base_id``
    (an empty result if there was none). ``base_id`` must still be current (else ConflictError)."""
    project_id = _authorize_indicator(conn, actor, indicator_id)
    with transaction(conn, actor, "result.record", project_id=project_id) as tx:
        current = tx.one("entry/current_result_full", {"indicator_id": indicator_id, "as_of": as_of})
        if current is None or int(current[0]) != base_id:
            raise _result_conflict(f"指标 {indicator_id}", as_of, current)
        batches = _Batches(tx, "result", "撤销")
        _undo_result_row(tx, batches, base_id, indicator_id, as_of, f"撤销第 {base_id} 号记录")
        return SaveResult(sorted(batches.ids.values()), 1)

"""Review of a project's monitoring round before filing: 填报中 -> 已提交 -> 已审核, or 已退回.

A round is one project at one reporting date (``as_of``, a month end). Its state is the latest row
of ``round_states`` for the pair; no row means 填报中 (draft). Transitions, all through
:func:`perfwatch.store.transaction` (authorised, one transaction, audited):

- 提交 (submit): the project's owner or finance, from 填报中 or 已退回; the round must hold a declared
  全年预计执行数;
- 审核通过 (approve): finance, from 已提交;
- 退回 (return): finance, from 已提交 or 已审核, with a comment saying what to fix.

While a round is 已提交 its owner cannot change it; once 已审核 nobody can (finance returns it
first). Writers of round data call :func:`check_editable` inside their transaction. Outputs print
草稿 until :func:`is_approved`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import duckdb
import pandas as pd

from perfwatch import db
from perfwatch.store import (
    PERMISSIONS,
    Actor,
    ValidationError,
    WriteTx,
    authorize,
    transaction,
)

STATES: tuple[str, ...] = ("draft", "submitted", "approved", "returned")
STATE_LABELS: dict[str, str] = {"draft": "填报中", "submitted": "已提交", "approved": "已审核", "returned": "已退回"}
# The write-path permission each step is authorised as (store.PERMISSIONS; owners: assigned projects only).
_PERMISSION: dict[str, str] = {"submitted": "round.submit", "approved": "round.review", "returned": "round.review"}
# Who may review (approve or return) a round: the roles holding round.review.
REVIEWERS: frozenset[str] = PERMISSIONS["round.review"]
_VERBS: dict[str, str] = {"submitted": "提交", "approved": "审核通过", "returned": "退回"}


class RoundLockedError(ValidationError):
    """The round is submitted (for its owner) or approved (for everyone): the write is refused."""


def round_date(day: dt.date) -> dt.date:
    """The reporting date of the round a date belongs to: the end of its month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _date_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _time_text(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, (dt.datetime, pd.Timestamp)) else "—"


def state_of(conn: duckdb.DuckDBPyConnection, project_id: int, as_of: dt.date) -> str:
    """The current state of the round (``draft`` when nothing was recorded)."""
    rows = db.query(conn, "round/state_of_project", {"project_id": project_id, "as_of": round_date(as_of)})
    return str(rows[0][1]) if rows else "draft"


def is_approved(conn: duckdb.DuckDBPyConnection, project_id: int, as_of: dt.date) -> bool:
    """Whether the round of ``project_id`` at ``as_of`` is 已审核 (outputs print 草稿 otherwise)."""
    return state_of(conn, project_id, as_of) == "approved"


def approved_projects(conn: duckdb.DuckDBPyConnection, department_id: int, as_of: dt.date) -> set[int]:
    """Ids of the department's projects whose round at ``as_of`` is 已审核 (the rest print 草稿)."""
    f = states(conn, department_id, as_of)
    return {int(p) for p in f.loc[f["state"] == "approved", "project_id"]}


def states(conn: duckdb.DuckDBPyConnection, department_id: int, as_of: dt.date) -> pd.DataFrame:
    """One row per active project of the department: project_id, code, name, state (draft when
    nothing was recorded), state_label, comment, changed_by, changed_at (None when draft)."""
    f = states_in_scope(conn, as_of, department_id=department_id)
    return f[["project_id", "code", "name", "state", "state_label", "comment", "changed_by", "changed_at"]]


def states_in_scope(conn: duckdb.DuckDBPyConnection, as_of: dt.date, *, department_id: int | None = None,
                    fiscal_year: int | None = None) -> pd.DataFrame:
    """:func:`states` of every active project in scope (one department, or every department of
    ``fiscal_year``; neither = all) in one query, with a ``department_id`` column first."""
    f = db.query_df(conn, "round/states_of_department",
                    {"department_id": department_id, "fiscal_year": fiscal_year, "as_of": round_date(as_of)})
    f["state"] = f["state"].where(f["state"].notna(), "draft").astype(str)
    f["state_label"] = f["state"].map(STATE_LABELS)
    f = f.astype({"comment": object, "changed_by": object, "changed_at": object})
    f = f.where(f.notna(), None)
    f["project_id"] = f["project_id"].astype(int)
    f["department_id"] = f["department_id"].astype(int)
    return f[["department_id", "project_id", "code", "name", "state", "state_label", "comment", "changed_by",
              "changed_at"]]


def with_states(conn: duckdb.DuckDBPyConnection, department_id: int, as_of: dt.date, projects: pd.DataFrame,
                code_column: str = "项目编码", *, states_frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """A per-project table for people with two columns added: 审核状态 and 退回意见 (empty unless returned).
    ``states_frame``: the department's rows of :func:`states_in_scope` when already read (no query)."""
    f = (states(conn, department_id, as_of) if states_frame is None else states_frame).set_index("code")
    codes = projects[code_column]
    comments = codes.map(f["comment"].where(f["state"] == "returned", None))
    return projects.assign(审核状态=codes.map(f["state_label"]).fillna("填报中"),
                           退回意见=[c if isinstance(c, str) else "" for c in comments])


def history(conn: duckdb.DuckDBPyConnection, project_id: int, as_of: dt.date) -> pd.DataFrame:
    """Every review step of the round, oldest first, as a table for people (Chinese headers)."""
    rows = db.query(conn, "round/state_history", {"project_id": project_id, "as_of": round_date(as_of)})
    return pd.DataFrame(
        [{"状态": STATE_LABELS.get(r[1], r[1]), "意见": r[2] or "", "操作人": r[3], "时间": _time_text(r[4])} for r in rows],
        columns=["状态", "意见", "操作人", "时间"],
    )


def check_editable(tx: WriteTx, project_id: int, as_of: dt.date, what: str = "填报") -> None:
    """Inside a write transaction: refuse (RoundLockedError, Chinese) a change to a round that is
    approved, or submitted when the writer is a project owner."""
    when = round_date(as_of)
    row = tx.one("round/state_of_project", {"project_id": project_id, "as_of": when})
    state = str(row[1]) if row else "draft"
    if state == "approved":
        raise RoundLockedError(f"{_date_text(when)}的{what}已审核（{row[3]} 于 {_time_text(row[4])}），不能再修改；"  # type: ignore[index]
                               "如需更正，请财务先退回。")
    if state == "submitted" and tx.actor.role == "owner":
        raise RoundLockedError(f"{_date_text(when)}的{what}已提交审核，不能再修改；如需更正，请财务退回后再改。")


def _step(conn: duckdb.DuckDBPyConnection, actor: Actor, project_id: int, as_of: dt.date, state: str,
          allowed_from: tuple[str, ...], comment: str | None, action: str) -> int:
    when = round_date(as_of)
    with transaction(conn, actor, _PERMISSION[state], project_id=project_id) as tx:
        if tx.one("store/project_exists", {"project_id": project_id}) is None:
            raise ValidationError(f"项目编号 {project_id} 不存在。")
        row = tx.one("round/state_of_project", {"project_id": project_id, "as_of": when})
        current = str(row[1]) if row else "draft"
        if current not in allowed_from:
            wanted = "、".join(STATE_LABELS[s] for s in allowed_from)
            raise ValidationError(f"该项目{_date_text(when)}的填报当前为“{STATE_LABELS[current]}”，"
                                  f"只有“{wanted}”的填报可以{_VERBS[state]}。")
        if state == "submitted":
            decl = tx.one("round/declaration_of_project", {"project_id": project_id, "as_of": when})
            if decl is None or decl[1] < when.replace(day=1) or decl[2] is None:
                raise ValidationError(f"请先填写并保存{when.month}月的全年预计执行数，再提交审核。")
        new_id = tx.one("round/insert_state", {"project_id": project_id, "as_of": when, "state": state,
                                               "comment": comment, "changed_by": actor.username})
        assert new_id is not None
        tx.audit("round_states", new_id[0], {"project_id": project_id, "as_of": when, "state": current},
                 {"project_id": project_id, "as_of": when, "state": state, "comment": comment}, action)
        return int(new_id[0])


def submit(conn: duckdb.DuckDBPyConnection, actor: Actor, project_id: int, as_of: dt.date) -> int:
    """填报中/已退回 -> 已提交 (the project's owner, or finance); returns the state row id."""
    return _step(conn, actor, project_id, as_of, "submitted", ("draft", "returned"), None, "round.submit")


def approve(conn: duckdb.DuckDBPyConnection, actor: Actor, project_id: int, as_of: dt.date,
            comment: str | None = None) -> int:
    """已提交 -> 已审核 (finance); returns the state row id."""
    text = (comment or "").strip() or None
    return _step(conn, actor, project_id, as_of, "approved", ("submitted",), text, "round.approve")


def send_back(conn: duckdb.DuckDBPyConnection, actor: Actor, project_id: int, as_of: dt.date, comment: str) -> int:
    """已提交/已审核 -> 已退回 with a comment saying what to fix (finance); returns the state row id."""
    authorize(actor, "round.review", project_id=project_id)  # who first: an owner is told it is finance's step
    text = (comment or "").strip()
    if not text:
        raise ValidationError("退回时请填写退回意见（需要更正的内容）。")
    return _step(conn, actor, project_id, as_of, "returned", ("submitted", "approved"), text, "round.return")

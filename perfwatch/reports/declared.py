"""What the owners declared for a round and what the admin set for the forms.

- the round's declaration per project (全年预计执行数, 1–N月执行情况 text, 支出偏差原因 and
  纠偏措施): the latest ``project_reports`` row dated on or before the cut-off;
- the review mark of the round (草稿 / 已审核) from :mod:`perfwatch.review` once it exists
  (no review row means a draft);
- the 主管部门 name and code of a department (migration 0008, append-only, audited);
- the report settings: the brief's basis line (the provincial notice the county follows) and the
  threshold of the 调减/收回 suggestion.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb

from perfwatch import db, store
from perfwatch.cells import number_or_none

BASIS_KEY = "report.basis_line"
THRESHOLD_KEY = "report.cut_threshold_pct"
# Only when the admin has entered nothing: the central rule every province's notice refers to.
FALLBACK_BASIS = "依据《中央部门预算绩效运行监控管理暂行办法》（财预〔2019〕136号）"
DEFAULT_CUT_THRESHOLD_PCT = 10.0
PENDING = "待填报"
DRAFT = "草稿"
APPROVED = "已审核"


@dataclass(frozen=True)
class Declaration:
    """One project's declaration for the round (every field may be missing)."""

    as_of: dt.date
    projected_amount: float | None
    progress_text: str
    cause_categories: tuple[str, ...]
    cause_text: str
    measure: str


@dataclass(frozen=True)
class Supervisor:
    """主管部门 of a department-year (empty strings when never entered)."""

    name: str
    code: str

    @property
    def known(self) -> bool:
        return bool(self.name)

    def label(self) -> str:
        if not self.name:
            return PENDING
        return f"{self.name}（{self.code}）" if self.code else self.name



def _str(value: Any) -> str:
    return "" if value is None else str(value).strip()


def declarations(conn: duckdb.DuckDBPyConnection, department_id: int, as_of: dt.date) -> dict[int, Declaration]:
    """The current declaration per project of the department at ``as_of`` (missing: not declared)."""
    out: dict[int, Declaration] = {}
    for project_id, row_as_of, row_json in db.query(conn, "reports/declarations",
                                                    {"department_id": department_id, "as_of": as_of}):
        row = json.loads(row_json) if isinstance(row_json, str) else dict(row_json or {})
        causes = row.get("cause_categories") or []
        out[int(project_id)] = Declaration(
            as_of=row_as_of if isinstance(row_as_of, dt.date) else dt.date.fromisoformat(str(row_as_of)),
            projected_amount=number_or_none(row.get("projected_amount")),
            progress_text=_str(row.get("progress_text")),
            cause_categories=tuple(str(c) for c in causes),
            cause_text=_str(row.get("cause_text")),
            measure=_str(row.get("measure")),
        )
    return out


def review_marks(
    conn: duckdb.DuckDBPyConnection, department_id: int, project_ids: list[int], as_of: dt.date
) -> dict[int, str]:
    """草稿 or 已审核 per project for the round at ``as_of``.

    Read through ``perfwatch.review.approved_projects(conn, department_id, as_of)`` (the
    monitoring-round module); until that module is on this branch every form is a draft.
    """
    try:
        review = importlib.import_module("perfwatch.review")
    except ImportError:
        return dict.fromkeys(project_ids, DRAFT)
    approved = review.approved_projects(conn, department_id, as_of)
    return {pid: APPROVED if pid in approved else DRAFT for pid in project_ids}


def supervisor(conn: duckdb.DuckDBPyConnection, department_id: int) -> Supervisor:
    rows = db.query(conn, "reports/department_attributes", {"department_id": department_id})
    if not rows:
        return Supervisor("", "")
    return Supervisor(_str(rows[0][0]), _str(rows[0][1]))


def set_supervisor(
    conn: duckdb.DuckDBPyConnection, actor: store.Actor, department_id: int, name: str, code: str
) -> None:
    """Record the 主管部门 name and code of a department (one audited, append-only write)."""
    name, code = name.strip(), code.strip()
    if not name:
        raise store.ValidationError("主管部门名称不能为空。")
    if len(name) > 100 or len(code) > 40:
        raise store.ValidationError("主管部门名称不超过100字，代码不超过40字。")
    with store.transaction(conn, actor, "settings.update") as tx:
        if tx.one("reports/department", {"department_id": department_id}) is None:
            raise store.ValidationError(f"部门编号 {department_id} 不存在。")
        old = tx.one("reports/department_attributes", {"department_id": department_id})
        row = tx.one("reports/insert_department_attributes", {
            "department_id": department_id, "supervisor_name": name, "supervisor_code": code or None,
            "changed_by": actor.username,
        })
        assert row is not None
        tx.audit("department_attributes", department_id,
                 None if old is None else {"supervisor_name": old[0], "supervisor_code": old[1]},
                 {"supervisor_name": name, "supervisor_code": code})


def _setting(conn: duckdb.DuckDBPyConnection, key: str) -> Any:
    rows = db.query(conn, "store/get_setting", {"key": key})
    return json.loads(rows[0][0]) if rows else None


def basis_line(conn: duckdb.DuckDBPyConnection) -> str:
    """The brief's 依据 line: the provincial notice text the admin entered, else the 136号 fallback."""
    value = _setting(conn, BASIS_KEY)
    return str(value).strip() if isinstance(value, str) and value.strip() else FALLBACK_BASIS


def cut_threshold_pct(conn: duckdb.DuckDBPyConnection) -> float:
    """Suggest 调减/收回 when the declared year end falls short of the budget by more than this (%)."""
    value = number_or_none(_setting(conn, THRESHOLD_KEY))
    return DEFAULT_CUT_THRESHOLD_PCT if value is None else value


def set_basis_line(conn: duckdb.DuckDBPyConnection, actor: store.Actor, text: str) -> None:
    text = text.strip()
    if len(text) > 300:
        raise store.ValidationError("依据文字不超过300字。")
    store.set_setting(conn, actor, BASIS_KEY, text)


def set_cut_threshold_pct(conn: duckdb.DuckDBPyConnection, actor: store.Actor, value: float | str) -> None:
    number = store.finite_number(value, "调减建议阈值")
    if number is None or not 0 <= number <= 100:
        raise store.ValidationError(f"调减建议阈值须为0–100之间的百分数，收到：{value}")
    store.set_setting(conn, actor, THRESHOLD_KEY, float(Decimal(str(number))))

"""Data entry: actual spend and indicator results, with history, locks, undo and conflict checks.

Every write goes through :func:`perfwatch.store.transaction` (authorised, one transaction, audited)
and appends rows -- nothing is updated or deleted:

- spend per project and month (万元) from the grid or from a file import; a file replaces the totals
  of the (project, month) pairs it covers, so re-importing never double-counts;
- indicator results per reporting date (as_of), from the form or a file;
- period locks per department and month (latest row wins);
- entry batches: one per save, so "undo the last save" appends rows restoring the previous values.

Optimistic concurrency: an edit carries ``base_id``, the id of the current row it was based on
(None = there was none). Inside the write transaction the current row is read again; if it is no
longer that one, :class:`ConflictError` names who changed it and when, and nothing is written.

No streamlit here; pages call these functions and draw the results.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Iterable, Mapping, Sequence

import duckdb
import pandas as pd

from perfwatch import db
from perfwatch.importers.spend import RowError, SpendFile, monthly_totals, to_wan
from perfwatch.periods import default_month, month_label, month_start, reporting_as_of
from perfwatch.store import (
    SPEND_QUANTUM,
    Actor,
    PermissionDenied,
    ValidationError,
    WriteTx,
    authorize,
    transaction,
)
from perfwatch.vocab import (
    AT_RISK_LIKELIHOODS,
    CAUSE_CATEGORIES,
    LIGHT_NAMES,
    LIKELIHOODS,
    RATING_LIGHTS,
    RATINGS,
    is_lagging,
    normalise_light,
)

__all__ = [
    "ConflictError", "LockedError", "OverBudgetError", "EntryValidationError", "PermissionDenied",
    "ValidationError", "needs_explanation", "default_month", "month_label", "month_start", "reporting_as_of",
]

MONTH_COLUMNS: tuple[str, ...] = tuple(f"{m}月" for m in range(1, 13))
QUARTER_COLUMNS: tuple[str, ...] = ("一季度", "二季度", "三季度", "四季度")
LIGHT_LABELS = LIGHT_NAMES  # the pages' historical name for the light names
RESULT_FIELD_LABELS: dict[str, str] = {
    "as_of": "截止日期",
    "value": "完成值",
    "done_date": "完成日期",
    "rating": "完成评价",
    "projected_text": "全年预计完成情况",
    "projected_value": "全年预计完成值",
    "cause_categories": "偏差原因类别",
    "cause_text": "偏差原因",
    "likelihood": "完成目标可能性",
    "measure": "纠偏措施",
    "note": "备注",
}
RESULT_FIELDS: tuple[str, ...] = (
    "value", "done_date", "rating", "projected_text", "projected_value", "cause_categories",
    "cause_text", "likelihood", "measure", "note",
)

# Check-then-append must not interleave between Streamlit sessions (threads of one process).
_WRITE_LOCK = threading.RLock()


# ---------------------------------------------------------------------------------------------
# errors


class ConflictError(Exception):
    """Someone else changed the figure after this edit was loaded; nothing was written."""

    def __init__(self, message: str, changed_by: str | None = None, changed_at: dt.datetime | None = None) -> None:
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at


class EntryValidationError(ValidationError):
    """Input refused before anything was written; ``messages`` lists every problem (Chinese)."""

    def __init__(self, messages: Sequence[str | RowError]) -> None:
        self.messages = [str(m) for m in messages]
        super().__init__("\n".join(self.messages))


class LockedError(EntryValidationError):
    """The month is locked (reported); edits are refused until an admin unlocks it."""


class OverBudgetError(EntryValidationError):
    """Spend would exceed the budget; save again with ``confirm_over_budget=True`` to accept."""


# ---------------------------------------------------------------------------------------------
# small helpers


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _fmt_time(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(SPEND_QUANTUM)


def _wan(value: Any) -> str:
    """An amount in 万元 as shown to people: two decimals."""
    return f"{Decimal(str(value)):,.2f}"


def last_data_date(conn: duckdb.DuckDBPyConnection, department_id: int) -> dt.date | None:
    """The last month-end with spend, results or a project report (the engine's), or None."""
    try:
        from perfwatch.status import last_data_date as engine_last
    except ImportError:
        return None
    return engine_last(conn, department_id)


def needs_explanation(light: str | None, likelihood: str | None) -> bool:
    """The required-cause rule: a yellow or red light, or a likelihood of 有可能 / 完全不可能,
    makes 偏差原因 and 纠偏措施 mandatory."""
    return is_lagging(light) or likelihood in AT_RISK_LIKELIHOODS


# ---------------------------------------------------------------------------------------------
# departments, projects, indicators


@dataclass(frozen=True)
class Project:
    id: int
    department_id: int
    fiscal_year: int
    code: str
    name: str
    budget: Decimal
    retired: bool

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


def projects_all(conn: duckdb.DuckDBPyConnection) -> list[Project]:
    return [Project(int(r[0]), int(r[1]), int(r[2]), r[3], r[4], Decimal(r[5]), bool(r[6]))
            for r in db.query(conn, "entry/projects_all")]


def department(conn: duckdb.DuckDBPyConnection, department_id: int) -> tuple[int, str, str, int]:
    rows = db.query(conn, "entry/department_info", {"department_id": department_id})
    if not rows:
        raise EntryValidationError([f"部门编号 {department_id} 不存在。"])
    r = rows[0]
    return int(r[0]), r[1], r[2], int(r[3])


@dataclass(frozen=True)
class Indicator:
    id: int
    department_id: int
    fiscal_year: int
    project_id: int | None
    project_code: str | None
    project_name: str | None
    level1: str | None
    level2: str | None
    level3: str
    target_text: str
    comparator: str
    value: float | None
    unit: str | None
    deadline: dt.date | None
    kind: str
    retired: bool

    @property
    def is_percent(self) -> bool:
        """A percentage indicator: its value must lie in 0–100 (counts may exceed 100)."""
        return (self.unit or "").strip() in ("%", "％") or "%" in self.target_text and self.kind in ("rate", "ceiling")

    @property
    def label(self) -> str:
        where = self.project_code or "部门整体"
        return f"{where}「{self.level3}」"

    @property
    def value_kind(self) -> str:
        """What the 完成值 is: 'rating' (qualitative), 'date' (deadline) or 'number'."""
        if self.kind == "qualitative":
            return "rating"
        if self.kind == "deadline":
            return "date"
        return "number"


def indicators_all(conn: duckdb.DuckDBPyConnection) -> list[Indicator]:
    out = []
    for r in db.query(conn, "entry/indicators_all"):
        out.append(Indicator(int(r[0]), int(r[1]), int(r[2]), None if r[3] is None else int(r[3]), r[4], r[5],
                             r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], bool(r[15])))
    return out


def indicators_of(conn: duckdb.DuckDBPyConnection, department_id: int, project_id: int | None = None,
                  *, department_level: bool = False) -> list[Indicator]:
    """Active indicators of a department: of one project, or the department-level ones."""
    return [i for i in indicators_all(conn)
            if i.department_id == department_id and not i.retired
            and (i.project_id is None if department_level else project_id is None or i.project_id == project_id)]


# ---------------------------------------------------------------------------------------------
# locks


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
        "操作人": frame["changed_by"],
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
    with _WRITE_LOCK, transaction(conn, actor, "period.lock" if locked else "period.unlock") as tx:
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


# ---------------------------------------------------------------------------------------------
# spend: saving


@dataclass(frozen=True)
class SpendChange:
    """New spend (万元) of a project in a month, based on the row ``base_id`` (None = no row)."""

    project_id: int
    period: dt.date
    amount: Decimal
    base_id: int | None
    old_amount: Decimal | None = None
    label: str = ""
    rows: tuple[int, ...] = ()


@dataclass
class SaveResult:
    """What a save wrote: the batch ids (for undo), rows appended, edits that changed nothing."""

    batch_ids: list[int] = field(default_factory=list)
    written: int = 0
    unchanged: int = 0
    over_budget: list[str] = field(default_factory=list)


class _Batches:
    """Opens one entry batch per department lazily inside a transaction."""

    def __init__(self, tx: WriteTx, kind: str, source: str, undoes: int | None = None) -> None:
        self.tx, self.kind, self.source, self.undoes = tx, kind, source, undoes
        self.ids: dict[int, int] = {}

    def add(self, department_id: int, row_id: int) -> None:
        if department_id not in self.ids:
            row = self.tx.one("entry/insert_batch", {"kind": self.kind, "department_id": department_id,
                                                     "source": self.source, "created_by": self.tx.actor.username,
                                                     "undoes": self.undoes})
            assert row is not None
            self.ids[department_id] = int(row[0])
        self.tx.run("entry/insert_batch_row", {"batch_id": self.ids[department_id], "row_id": row_id})


def _project_in_tx(tx: WriteTx, project_id: int, cache: dict[int, Project]) -> Project:
    if project_id not in cache:
        r = tx.one("entry/project_info", {"project_id": project_id})
        if r is None:
            raise EntryValidationError([f"项目编号 {project_id} 不存在。"])
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
    with _WRITE_LOCK, transaction(conn, actor, "spend.record") as tx:
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
            if current_id != ch.base_id:
                raise _spend_conflict(p, period, current)
            amount = _dec(ch.amount)
            if current is not None and _dec(current[1]) == amount:
                result.unchanged += 1
                continue
            row = tx.one("store/insert_spend", {"project_id": p.id, "period": period, "amount": amount,
                                                "source": source, "note": None, "entered_by": actor.username})
            assert row is not None
            tx.audit("spend_entries", row[0],
                     None if current is None else {"project_id": p.id, "period": period, "amount": current[1],
                                                   "id": current_id},
                     {"project_id": p.id, "period": period, "amount": amount, "source": source})
            batches.add(p.department_id, int(row[0]))
            result.written += 1
            if p.id not in touched:
                touched.append(p.id)
        for pid in touched:
            p = cache[pid]
            total_row = tx.one("entry/project_year_total", {"project_id": pid})
            total = _dec(total_row[0] if total_row else 0)
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


# ---------------------------------------------------------------------------------------------
# spend: the grid


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
                for m, col in enumerate(MONTH_COLUMNS):
                    rec[col] = nan if months[m] is None else float(months[m])
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


# ---------------------------------------------------------------------------------------------
# spend: file import


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
        for r in db.query(conn, "entry/spend_current_of_department", {"department_id": dep}):
            current[(int(r[0]), r[1])] = (int(r[2]), Decimal(r[3]))
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
    # Months the file covers where a project of the same department has a figure but no row.
    deps = {p.department_id for p in by_project.values()}
    for (pid, month), (_, amount) in sorted(current.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if month in plan.months and (pid, month) not in totals and amount:
            p = next((q for q in projects_all(conn) if q.id == pid), None)
            if p is not None and p.department_id in deps:
                plan.warnings.append(f"文件覆盖 {month_label(month)}，但没有项目 {p.label} 的数据；"
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


# ---------------------------------------------------------------------------------------------
# spend: history and undo


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
        "来源": f["source"],
        "说明": f["note"],
        "填报人": f["entered_by"],
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
        return f"{_fmt_time(self.created_at)} {self.created_by} 的保存（{self.source or '—'}，{self.rows} 项）"


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
    with _WRITE_LOCK, transaction(conn, actor, "spend.record") as tx:
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
        with _WRITE_LOCK, transaction(conn, actor, action) as tx:
            batches = _Batches(tx, "spend", note, undoes=batch_id)
            cache: dict[int, Project] = {}
            rows_s = tx.run("entry/batch_spend_rows", {"batch_id": batch_id})
            for row_id, project_id, period, amount in rows_s:
                _undo_spend_row(tx, batches, cache, int(row_id), int(project_id), period, Decimal(amount), note)
            return SaveResult(sorted(batches.ids.values()), len(rows_s))
    rows = db.query(conn, "entry/batch_result_rows", {"batch_id": batch_id})
    project_ids = [_authorize_indicator(conn, actor, int(indicator_id)) for _, indicator_id, _ in rows]
    with _WRITE_LOCK, transaction(conn, actor, action, project_id=project_ids[0] if project_ids else None) as tx:
        batches = _Batches(tx, "result", note, undoes=batch_id)
        for row_id, indicator_id, as_of in rows:
            _undo_result_row(tx, batches, int(row_id), int(indicator_id), as_of, note)
        return SaveResult(sorted(batches.ids.values()), len(rows))


# ---------------------------------------------------------------------------------------------
# indicator results


@dataclass(frozen=True)
class ResultInput:
    """One indicator result as entered. ``base_id``: the current row for (indicator, as_of) the
    entry was based on (None = none); ``check_base=False`` skips the conflict check (CLI)."""

    indicator_id: int
    as_of: dt.date
    value: float | None = None
    done_date: dt.date | None = None
    rating: str | None = None
    projected_text: str | None = None
    projected_value: float | None = None
    cause_categories: tuple[str, ...] = ()
    cause_text: str | None = None
    likelihood: str | None = None
    measure: str | None = None
    note: str | None = None
    base_id: int | None = None
    check_base: bool = True

    def fields(self) -> dict[str, Any]:
        return {
            "value": self.value, "done_date": self.done_date, "rating": self.rating,
            "projected_text": self.projected_text, "projected_value": self.projected_value,
            "cause_categories": list(self.cause_categories) or None, "cause_text": self.cause_text,
            "likelihood": self.likelihood, "measure": self.measure, "note": self.note,
        }


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)


def clean_input(inp: ResultInput) -> ResultInput:
    """Strip text fields and turn empty strings into None."""
    def s(v: str | None) -> str | None:
        return None if _blank(v) else str(v).strip()
    return replace(inp, projected_text=s(inp.projected_text), cause_text=s(inp.cause_text), likelihood=s(inp.likelihood),
                   measure=s(inp.measure), note=s(inp.note), rating=s(inp.rating),
                   cause_categories=tuple(dict.fromkeys(c.strip() for c in inp.cause_categories if c and c.strip())))


def indicator_light(conn: duckdb.DuckDBPyConnection, ind: Indicator, inp: ResultInput | None,
                    as_of: dt.date | None = None) -> str | None:
    """The light the indicator would show with ``inp`` as its result (see :func:`light_and_reason`)."""
    return light_and_reason(conn, ind, inp, as_of)[0]


def light_and_reason(conn: duckdb.DuckDBPyConnection, ind: Indicator, inp: ResultInput | None,
                     as_of: dt.date | None = None) -> tuple[str | None, str | None]:
    """(light, reason) of the indicator at ``as_of`` (default ``inp.as_of``) with ``inp`` as its
    latest result (None = no result), from the monitoring engine :func:`perfwatch.status.indicator_light`.

    Without the engine, qualitative ratings map directly (达成 green / 部分达成 yellow / 未达成 red)
    and everything else is (None, None) = unknown.
    """
    when = as_of or (inp.as_of if inp is not None else None)
    try:
        from perfwatch import status
    except ImportError:
        status = None  # type: ignore[assignment]
    if status is None or when is None or not hasattr(status, "indicator_light"):
        if inp is not None and ind.kind == "qualitative" and inp.rating:
            return RATING_LIGHTS.get(inp.rating), f"负责人评价：{inp.rating}"
        return None, None
    try:
        from perfwatch.settings import load_rules

        rules = load_rules(conn)
    except Exception:  # settings not readable: the engine's defaults
        rules = status.DEFAULT_RULES
    milestones = tuple((int(m), float(v)) for m, v in db.query(conn, "entry/indicator_milestones", {"indicator_id": ind.id}))
    spent = None
    if ind.project_id is not None:
        spent = float(db.query(conn, "entry/project_spent_to", {"project_id": ind.project_id, "as_of": when})[0][0])
    facts = status.IndicatorFacts(
        kind=ind.kind, comparator=ind.comparator, target=ind.value, unit=ind.unit, target_text=ind.target_text,
        level2=ind.level2, level3=ind.level3, deadline=ind.deadline, fiscal_year=ind.fiscal_year,
        milestones=milestones,
        actual=None if inp is None else inp.value,
        done_date=None if inp is None else inp.done_date,
        rating=None if inp is None else inp.rating,
        likelihood=None if inp is None else inp.likelihood,
        projected_value=None if inp is None else inp.projected_value,
        project_spent=spent,
    )
    light, reason = status.indicator_light(facts, when, rules)
    return light, reason


def validate_result(
    ind: Indicator,
    inp: ResultInput,
    *,
    light: str | None = None,
    today: dt.date | None = None,
) -> list[tuple[str, str]]:
    """Every problem of one result as (field, Chinese message); empty = it may be saved.

    ``light`` is the light the indicator shows with this result (see :func:`indicator_light`).
    """
    t = _today(today)
    out: list[tuple[str, str]] = []
    if ind.retired:
        out.append(("indicator", "该指标已停用，不能再填报。"))
    if inp.as_of.year != ind.fiscal_year:
        out.append(("as_of", f"截止日期 {inp.as_of.isoformat()} 不在预算年度 {ind.fiscal_year} 年内。"))
    elif inp.as_of > t:
        out.append(("as_of", f"截止日期 {inp.as_of.isoformat()} 在未来（今天是 {t.isoformat()}）。"))
    kind = ind.value_kind
    if kind == "number":
        if inp.value is None:
            out.append(("value", "请填写截至目前的完成值（数字）。"))
        elif inp.value != inp.value or inp.value in (float("inf"), float("-inf")):
            out.append(("value", "完成值不是有效数字。"))
        elif inp.value < 0:
            out.append(("value", f"完成值不能为负数（{inp.value:g}）。"))
        elif ind.is_percent and inp.value > 100:
            out.append(("value", f"完成值 {inp.value:g}% 超过 100%：百分比指标的完成值须在 0–100 之间"
                                 "（只有数量类指标可以超过 100）。"))
        if inp.rating is not None:
            out.append(("rating", "数值类指标不填写完成评价。"))
    elif kind == "rating":
        if inp.rating is None:
            out.append(("rating", f"定性指标请选择完成评价（{'/'.join(RATINGS)}）。"))
        elif inp.rating not in RATINGS:
            out.append(("rating", f"完成评价须为 {'/'.join(RATINGS)} 之一，收到：{inp.rating}。"))
        if inp.value is not None:
            out.append(("value", "定性指标不填写数值，请选择完成评价。"))
    else:  # deadline
        if inp.done_date is not None:
            if inp.done_date > t:
                out.append(("done_date", f"完成日期 {inp.done_date.isoformat()} 在未来。"))
            elif inp.done_date > inp.as_of:
                out.append(("done_date", f"完成日期 {inp.done_date.isoformat()} 晚于截止日期 {inp.as_of.isoformat()}。"))
            elif inp.done_date.year != ind.fiscal_year:
                out.append(("done_date", f"完成日期 {inp.done_date.isoformat()} 不在预算年度 {ind.fiscal_year} 年内。"))
        elif inp.likelihood is None:
            out.append(("likelihood", "尚未完成的时限类指标，请选择完成目标可能性。"))
    if inp.likelihood is not None and inp.likelihood not in LIKELIHOODS:
        out.append(("likelihood", f"完成目标可能性须为 {'/'.join(LIKELIHOODS)} 之一，收到：{inp.likelihood}。"))
    bad = [c for c in inp.cause_categories if c not in CAUSE_CATEGORIES]
    if bad:
        out.append(("cause_categories", f"偏差原因类别须为 {'/'.join(CAUSE_CATEGORIES)}，收到：{'、'.join(bad)}。"))
    if inp.projected_value is not None and inp.projected_value < 0:
        out.append(("projected_value", "全年预计完成值不能为负数。"))
    if needs_explanation(light, inp.likelihood):
        why = []
        if is_lagging(light):
            why.append(f"指标为{LIGHT_NAMES[normalise_light(light) or 'yellow']}")
        if inp.likelihood in ("有可能", "完全不可能"):
            why.append(f"完成目标可能性为“{inp.likelihood}”")
        reason = "、".join(why)
        if not inp.cause_categories and inp.cause_text is None:
            out.append(("cause_categories", f"{reason}，必须填写偏差原因（选择类别或说明原因）。"))
        if inp.measure is None:
            out.append(("measure", f"{reason}，必须填写纠偏措施。"))
    return out


def _authorize_indicator(conn: duckdb.DuckDBPyConnection, actor: Actor, indicator_id: int) -> int | None:
    """Check the actor may report this indicator (an owner: only assigned projects); return its project."""
    rows = db.query(conn, "store/indicator_project", {"indicator_id": indicator_id})
    if not rows:
        raise EntryValidationError([f"指标编号 {indicator_id} 不存在。"])
    project_id = None if rows[0][0] is None else int(rows[0][0])
    authorize(actor, "result.record", project_id=project_id)
    return project_id


def _same_result(current: tuple[Any, ...], fields: Mapping[str, Any]) -> bool:
    old = dict(zip(RESULT_FIELDS, current[1:11]))
    for k in RESULT_FIELDS:
        a, b = old[k], fields[k]
        if k == "cause_categories":
            a, b = list(a or []), list(b or [])
        if isinstance(a, float) or isinstance(b, float):
            if a is None or b is None or abs(float(a) - float(b)) > 1e-9:
                return False
            continue
        if a != b:
            return False
    return True


def _result_conflict(ind: Indicator | str, as_of: dt.date, current: tuple[Any, ...] | None) -> ConflictError:
    label = ind if isinstance(ind, str) else ind.label
    if current is None:
        return ConflictError(f"{label} 截至 {as_of.isoformat()} 的填报已被他人更改，你的修改未保存。请刷新后重试。")
    return ConflictError(f"{label} 截至 {as_of.isoformat()} 的填报已被 {current[11]} 于 {_fmt_time(current[12])} 修改，"
                         "你的修改未保存。请刷新后核对再保存。", current[11], current[12])


def save_results(
    conn: duckdb.DuckDBPyConnection,
    actor: Actor,
    inputs: Sequence[ResultInput],
    *,
    source: str = "form",
    today: dt.date | None = None,
) -> SaveResult:
    """Validate and append indicator results in one transaction: all of them, or none.

    Refuses (nothing written) anything :func:`validate_result` objects to -- including the
    required-cause rule -- locked months and conflicts.
    """
    result = SaveResult()
    if not inputs:
        return result
    inds = {i.id: i for i in indicators_all(conn)}
    problems: list[str] = []
    cleaned: list[ResultInput] = []
    for raw in inputs:
        inp = clean_input(raw)
        ind = inds.get(inp.indicator_id)
        if ind is None:
            problems.append(f"指标编号 {inp.indicator_id} 不存在。")
            continue
        light = indicator_light(conn, ind, inp)
        for fname, msg in validate_result(ind, inp, light=light, today=today):
            problems.append(f"{ind.label} · {RESULT_FIELD_LABELS.get(fname, fname)}：{msg}")
        cleaned.append(inp)
    if problems:
        raise EntryValidationError(problems)
    project_ids = [_authorize_indicator(conn, actor, inp.indicator_id) for inp in cleaned]
    # Every indicator was authorised above; the transaction checks again for the first one.
    with _WRITE_LOCK, transaction(conn, actor, "result.record", project_id=project_ids[0]) as tx:
        batches = _Batches(tx, "result", source)
        for inp in cleaned:
            ind = inds[inp.indicator_id]
            _check_lock(tx, ind.department_id, inp.as_of, ind.label)
            current = tx.one("entry/current_result_full", {"indicator_id": ind.id, "as_of": inp.as_of})
            current_id = None if current is None else int(current[0])
            if inp.check_base and current_id != inp.base_id:
                raise _result_conflict(ind, inp.as_of, current)
            fields = inp.fields()
            if current is not None and _same_result(current, fields):
                result.unchanged += 1
                continue
            row = tx.one("store/insert_result", {"indicator_id": ind.id, "as_of": inp.as_of, **fields,
                                                 "entered_by": actor.username})
            assert row is not None
            tx.audit("indicator_results", row[0],
                     None if current is None else {**dict(zip(RESULT_FIELDS, current[1:11])), "id": current_id},
                     {"indicator_id": ind.id, "as_of": inp.as_of, **fields, "source": source})
            batches.add(ind.department_id, int(row[0]))
            result.written += 1
        result.batch_ids = sorted(batches.ids.values())
    return result


def _undo_result_row(tx: WriteTx, batches: _Batches, row_id: int, indicator_id: int, as_of: dt.date, note: str) -> None:
    ind_row = tx.one("store/indicator_project", {"indicator_id": indicator_id})
    assert ind_row is not None
    label = f"指标 {indicator_id}"
    _check_lock(tx, int(ind_row[1]), as_of, label)
    mine = tx.one("entry/result_row", {"id": row_id})
    current = tx.one("entry/current_result_full", {"indicator_id": indicator_id, "as_of": as_of})
    assert mine is not None
    mine_fields = dict(zip(RESULT_FIELDS, mine[3:13]))
    if current is None or not _same_result(current, mine_fields):
        raise _result_conflict(label, as_of, current)
    before = tx.one("entry/result_before", {"indicator_id": indicator_id, "as_of": as_of, "id": row_id})
    restored = dict(zip(RESULT_FIELDS, before[1:11])) if before else {k: None for k in RESULT_FIELDS}
    row = tx.one("store/insert_result", {"indicator_id": indicator_id, "as_of": as_of, **restored,
                                         "entered_by": tx.actor.username})
    assert row is not None
    tx.audit("indicator_results", row[0], {**dict(zip(RESULT_FIELDS, current[1:11])), "id": current[0]},
             {"indicator_id": indicator_id, "as_of": as_of, **restored, "undoes_row": row_id, "note": note},
             "result.undo")
    batches.add(int(ind_row[1]), int(row[0]))


def undo_result_cell(
    conn: duckdb.DuckDBPyConnection, actor: Actor, indicator_id: int, as_of: dt.date, base_id: int
) -> SaveResult:
    """Undo the last change of one indicator result: append the result before row ``base_id``
    (an empty result if there was none). ``base_id`` must still be current (else ConflictError)."""
    project_id = _authorize_indicator(conn, actor, indicator_id)
    with _WRITE_LOCK, transaction(conn, actor, "result.record", project_id=project_id) as tx:
        current = tx.one("entry/current_result_full", {"indicator_id": indicator_id, "as_of": as_of})
        if current is None or int(current[0]) != base_id:
            raise _result_conflict(f"指标 {indicator_id}", as_of, current)
        batches = _Batches(tx, "result", "撤销")
        _undo_result_row(tx, batches, base_id, indicator_id, as_of, f"撤销第 {base_id} 号记录")
        return SaveResult(sorted(batches.ids.values()), 1)


@dataclass(frozen=True)
class CurrentResult:
    """The latest result of an indicator on or before the reporting date."""

    id: int
    as_of: dt.date
    fields: dict[str, Any]
    entered_by: str
    entered_at: dt.datetime
    in_period: bool


def current_results(conn: duckdb.DuckDBPyConnection, department_id: int, as_of: dt.date) -> dict[int, CurrentResult]:
    """indicator id -> its latest result dated on or before ``as_of``; ``in_period`` = dated in
    the month of ``as_of`` (the form's base row when its as_of equals the reporting date)."""
    rows = db.query(conn, "entry/results_latest_of_department",
                    {"department_id": department_id, "date_from": month_start(as_of), "as_of": as_of})
    return {int(r[0]): CurrentResult(int(r[1]), r[2], dict(zip(RESULT_FIELDS, r[3:13])), r[13], r[14], bool(r[15]))
            for r in rows}


def result_history(conn: duckdb.DuckDBPyConnection, department_id: int) -> pd.DataFrame:
    f = db.query_df(conn, "entry/result_history", {"department_id": department_id})
    def value_text(r: Any) -> str:
        if r.rating is not None:
            return str(r.rating)
        if r.done_date is not None and not pd.isna(r.done_date):
            return f"完成于 {pd.Timestamp(r.done_date).date().isoformat()}"
        if r.value is not None and not pd.isna(r.value):
            return f"{r.value:g}"
        return "（空）"
    return pd.DataFrame({
        "记录号": f["id"].astype("Int64"),
        "项目": f["project_name"],
        "三级指标": f["level3"],
        "截止日期": [pd.Timestamp(d).date().isoformat() for d in f["as_of"]],
        "完成情况": [value_text(r) for r in f.itertuples()],
        "完成可能性": f["likelihood"],
        "纠偏措施": f["measure"],
        "填报人": f["entered_by"],
        "时间": [_fmt_time(t) for t in f["entered_at"]],
        "当前值": f["is_current"],
    })


# ---------------------------------------------------------------------------------------------
# results: template and file import


TEMPLATE_COLUMNS: tuple[str, ...] = (
    "指标编号", "项目编码", "项目名称", "一级指标", "二级指标", "三级指标", "年度指标值", "截止日期",
    "完成值", "全年预计完成情况", "偏差原因类别", "偏差原因", "完成可能性", "纠偏措施", "备注",
)


def results_template(
    conn: duckdb.DuckDBPyConnection, department_id: int, as_of: dt.date, *, project_id: int | None = None
) -> bytes:
    """An .xlsx with one row per active indicator (of the project, or the whole department),
    pre-filled with the current result as of ``as_of``, ready to fill offline and upload."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    inds = [i for i in indicators_of(conn, department_id) if project_id is None or i.project_id == project_id]
    current = current_results(conn, department_id, as_of)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "指标填报"
    ws.append(list(TEMPLATE_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for ind in inds:
        cur = current.get(ind.id)
        f = cur.fields if cur and cur.in_period else {}
        if ind.value_kind == "rating":
            value: Any = f.get("rating")
        elif ind.value_kind == "date":
            value = f.get("done_date")
        else:
            value = f.get("value")
        ws.append([
            ind.id, ind.project_code or "", ind.project_name or "部门整体", ind.level1, ind.level2, ind.level3,
            ind.target_text, as_of, value, f.get("projected_text"), "、".join(f.get("cause_categories") or []),
            f.get("cause_text"), f.get("likelihood"), f.get("measure"), f.get("note"),
        ])
        for cell in ws[ws.max_row]:  # user text is text, never a formula (spreadsheet injection)
            if isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@"):
                cell.data_type = "s"
        ws.cell(ws.max_row, 8).number_format = "yyyy-mm-dd"
        if ind.value_kind == "date":
            ws.cell(ws.max_row, 9).number_format = "yyyy-mm-dd"
    n = max(ws.max_row, 2)
    dv = DataValidation(type="list", formula1='"确定能,有可能,完全不可能"', allow_blank=True)
    dv.add(f"M2:M{n}")
    ws.add_data_validation(dv)
    widths = [8, 24, 24, 10, 16, 24, 14, 12, 12, 20, 18, 24, 12, 24, 16]
    for k, w in enumerate(widths, 1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(k)].width = w
    ws.freeze_panes = "I2"
    help_ws = wb.create_sheet("填写说明")
    for line in (
        "填写说明",
        "1. 每行一个指标；不要修改“指标编号”“项目编码”“三级指标”列。",
        "2. 完成值：数量类填数字；百分比类填 0–100 的数字（如 85 或 85%）；时限类填完成日期（未完成留空）；"
        "定性类填 达成 / 部分达成 / 未达成。",
        "3. 完成可能性：确定能 / 有可能 / 完全不可能。",
        "4. 偏差原因类别：经费保障、制度保障、人员保障、硬件条件保障、其他（可填多个，用“、”分隔）。",
        "5. 指标为黄灯/红灯，或完成可能性为“有可能”“完全不可能”时，必须填写偏差原因和纠偏措施。",
        "6. 截止日期：本次填报的截止日（如 2024-06-30），不能晚于今天。",
    ):
        help_ws.append([line])
    help_ws.column_dimensions["A"].width = 120
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@dataclass
class ResultsImportPlan:
    file: str
    inputs: list[ResultInput] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def preview(self) -> pd.DataFrame:
        recs = []
        for inp, label in zip(self.inputs, self.labels):
            value = inp.rating or (inp.done_date.isoformat() if inp.done_date else None) or (
                None if inp.value is None else f"{inp.value:g}")
            recs.append({"指标": label, "截止日期": inp.as_of.isoformat(), "完成值": value or "（未完成）",
                         "完成可能性": inp.likelihood, "偏差原因": "、".join(inp.cause_categories) + (
                             ("：" + inp.cause_text) if inp.cause_text else ""), "纠偏措施": inp.measure})
        return pd.DataFrame.from_records(recs, columns=["指标", "截止日期", "完成值", "完成可能性", "偏差原因", "纠偏措施"])

    def error_frame(self) -> pd.DataFrame:
        return pd.DataFrame.from_records(
            [{"文件": e.file, "行": e.row, "列": e.column, "问题": e.message} for e in self.errors],
            columns=["文件", "行", "列", "问题"])


def plan_results_import(
    conn: duckdb.DuckDBPyConnection,
    rf: Any,
    *,
    department_id: int | None = None,
    project_id: int | None = None,
    today: dt.date | None = None,
) -> ResultsImportPlan:
    """Resolve a parsed results file (:class:`perfwatch.importers.results.ResultsFile`) to
    indicators, interpret each 完成值 by the indicator's kind and validate every row."""
    from perfwatch.importers.results import interpret_value

    plan = ResultsImportPlan(rf.name, errors=list(rf.errors))
    if rf.needs_mapping:
        names = "、".join(_FIELD_CN.get(f, f) for f in rf.missing)
        plan.errors.append(RowError(rf.name, None, None,
                                    f"无法识别以下列：{names}。文件的表头为：{'、'.join(h for h in rf.header if h) or '（空）'}。"))
        return plan
    all_inds = indicators_all(conn)
    by_id = {i.id: i for i in all_inds}
    seen: dict[tuple[int, dt.date], int] = {}
    currents: dict[tuple[int, dt.date], dict[int, CurrentResult]] = {}
    for r in rf.rows:
        col = rf.mapping
        if _blank(r.value_raw) and not (r.projected_text or r.likelihood or r.cause_categories or r.cause_text
                                        or r.measure or r.note):
            plan.skipped += 1  # a template row left empty: not reported, not an error
            continue
        # resolve the indicator
        ind: Indicator | None = None
        if r.indicator_id is not None:
            ind = by_id.get(r.indicator_id)
            if ind is None:
                plan.errors.append(RowError(rf.name, r.row, col.get("indicator_id"), f"指标编号 {r.indicator_id} 不存在。"))
                continue
        else:
            cands = [i for i in all_inds if i.project_code == r.project_code and not i.retired]
            if not cands:
                known = any(i.project_code == r.project_code for i in all_inds)
                plan.errors.append(RowError(rf.name, r.row, col.get("project_code"),
                                            f"项目编码 {r.project_code} 没有可填报的指标。" if known else
                                            f"未知的项目编码 {r.project_code}。"))
                continue
            if r.as_of is not None:
                in_year = [i for i in cands if i.fiscal_year == r.as_of.year]
                cands = in_year or cands
            named = [i for i in cands if _norm(i.level3) == _norm(r.level3)]
            if r.level2:
                named = [i for i in named if _norm(i.level2) == _norm(r.level2)]
            if not named:
                plan.errors.append(RowError(rf.name, r.row, col.get("level3"),
                                            f"项目 {r.project_code} 没有三级指标“{r.level3}”"
                                            + (f"（二级指标“{r.level2}”）" if r.level2 else "") + "。"))
                continue
            if len(named) > 1:
                plan.errors.append(RowError(rf.name, r.row, col.get("level3"),
                                            f"项目 {r.project_code} 有 {len(named)} 个三级指标“{r.level3}”，"
                                            "请填写“二级指标”列或使用“指标编号”区分。"))
                continue
            ind = named[0]
        if department_id is not None and ind.department_id != department_id:
            plan.errors.append(RowError(rf.name, r.row, col.get("indicator_id") or col.get("project_code"),
                                        f"{ind.label} 不属于所选部门。"))
            continue
        if project_id is not None and ind.project_id != project_id:
            plan.errors.append(RowError(rf.name, r.row, col.get("indicator_id") or col.get("project_code"),
                                        f"{ind.label} 不属于所选项目。"))
            continue
        if r.as_of is None:
            plan.errors.append(RowError(rf.name, r.row, col.get("as_of"), "截止日期为空或无法识别。"))
            continue
        try:
            value, done_date, rating = interpret_value(r.value_raw, ind.value_kind, ind.is_percent)
        except ValueError as exc:
            plan.errors.append(RowError(rf.name, r.row, col.get("value"), str(exc)))
            continue
        key = (ind.id, r.as_of)
        if key in seen:
            plan.errors.append(RowError(rf.name, r.row, None, f"重复行：{ind.label} 截至 {r.as_of.isoformat()} "
                                                               f"已在第 {seen[key]} 行填报。"))
            continue
        seen[key] = r.row
        cur_key = (ind.department_id, r.as_of)
        if cur_key not in currents:
            currents[cur_key] = current_results(conn, ind.department_id, r.as_of)
        cur = currents[cur_key].get(ind.id)
        base_id = cur.id if cur is not None and cur.as_of == r.as_of else None
        inp = clean_input(ResultInput(ind.id, r.as_of, value=value, done_date=done_date, rating=rating,
                                      projected_text=r.projected_text, cause_categories=tuple(r.cause_categories),
                                      cause_text=r.cause_text, likelihood=r.likelihood, measure=r.measure,
                                      note=r.note, base_id=base_id))
        light = indicator_light(conn, ind, inp)
        bad = validate_result(ind, inp, light=light, today=today)
        for fname, msg in bad:
            plan.errors.append(RowError(rf.name, r.row, _column_for(rf.mapping, fname), msg))
        if bad:
            continue
        plan.inputs.append(inp)
        plan.labels.append(f"{ind.project_name or '部门整体'}「{ind.level3}」")
    if not plan.inputs and not plan.errors:
        plan.errors.append(RowError(rf.name, None, None, "文件没有填写任何指标的完成情况。"))
    return plan


def _norm(text: str | None) -> str:
    return "".join((text or "").split())


def _column_for(mapping: Mapping[str, str], fname: str) -> str | None:
    if fname == "cause_categories" and "cause_categories" in mapping:
        return mapping["cause_categories"]
    key = {"done_date": "value", "rating": "value", "cause_categories": "cause", "cause_text": "cause",
           "projected_text": "projected", "projected_value": "projected", "indicator": "indicator_id"}.get(fname, fname)
    return mapping.get(key) or mapping.get(fname)


def commit_results_import(
    conn: duckdb.DuckDBPyConnection, actor: Actor, plan: ResultsImportPlan, *, today: dt.date | None = None
) -> SaveResult:
    if plan.errors:
        raise EntryValidationError([f"文件 {plan.file} 有 {len(plan.errors)} 处错误，未导入任何数据。"]
                                   + [str(e) for e in plan.errors])
    return save_results(conn, actor, plan.inputs, source=f"文件:{plan.file}", today=today)


# ---------------------------------------------------------------------------------------------
# completeness


@dataclass
class Completeness:
    """What a department still owes for a reporting month."""

    as_of: dt.date
    projects: pd.DataFrame
    missing: pd.DataFrame
    indicators_total: int
    indicators_reported: int
    spend_missing: int

    @property
    def complete(self) -> bool:
        return self.indicators_total == self.indicators_reported and self.spend_missing == 0


def completeness(conn: duckdb.DuckDBPyConnection, department_id: int, as_of: dt.date) -> Completeness:
    """Per project: spend of the month entered? project report filed? indicators reported of total;
    plus every indicator with no result dated in the month of ``as_of``."""
    params = {"department_id": department_id, "date_from": month_start(as_of), "as_of": as_of}
    p = db.query_df(conn, "entry/completeness_projects", params)
    m = db.query_df(conn, "entry/completeness_missing_indicators", params)
    projects = pd.DataFrame({
        "项目编码": p["code"],
        "项目名称": p["name"],
        "负责人": [o if isinstance(o, str) and o else "（未分配）" for o in p["owners"]],
        "本月支出": ["已填" if x else "未填" for x in p["spend_entered"]],
        "项目进展": ["已填" if x else "未填" for x in p["report_entered"]],
        "指标已填/总数": [f"{int(a)}/{int(b)}" for a, b in zip(p["reported"], p["indicators"])],
        "待填指标": [int(b) - int(a) for a, b in zip(p["reported"], p["indicators"])],
    })
    missing = pd.DataFrame({
        "项目": m["project_name"],
        "项目编码": m["project_code"],
        "二级指标": m["level2"],
        "三级指标": m["level3"],
        "年度指标值": m["target_text"],
        "上次填报": [None if pd.isna(d) else pd.Timestamp(d).date().isoformat() for d in m["last_as_of"]],
    })
    total = int(p["indicators"].sum()) + len(indicators_of(conn, department_id, department_level=True))
    reported = total - len(m)
    return Completeness(as_of, projects, missing, total, reported, int((~p["spend_entered"].astype(bool)).sum()))


def error_text(exc: BaseException) -> str:
    """A refused action as markdown for the page: one bullet per problem."""
    messages = getattr(exc, "messages", None) or [str(exc)]
    if len(messages) == 1:
        return messages[0]
    return "\n".join(f"- {m}" for m in messages)


USER_ERRORS: tuple[type[BaseException], ...] = (ValidationError, PermissionDenied, ConflictError)

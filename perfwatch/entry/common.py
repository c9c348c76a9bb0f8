"""Shared pieces of data entry: field names, errors, the project and indicator records, the save
result, entry batches (the unit of undo) and the process write lock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb

from perfwatch import db, numfmt, textsafe
from perfwatch.importers.sheets import RowError
from perfwatch.store import SPEND_QUANTUM, PermissionDenied, ValidationError, WriteTx
from perfwatch.vocab import AT_RISK_LIKELIHOODS, LIGHT_NAMES, is_lagging

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
    return numfmt.money(value)


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
    nature: str | None = None  # count nature: flow/stock/one_off/scheduled (NULL = flow)

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


def indicators_all(conn: duckdb.DuckDBPyConnection, department_id: int | None = None) -> list[Indicator]:
    """Every indicator (retired ones too), or those of one department."""
    out = []
    for r in db.query(conn, "entry/indicators_all", {"department_id": department_id}):
        out.append(Indicator(int(r[0]), int(r[1]), int(r[2]), None if r[3] is None else int(r[3]), r[4], r[5],
                             r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], bool(r[15]), r[17]))
    return out


def indicators_of(conn: duckdb.DuckDBPyConnection, department_id: int, project_id: int | None = None,
                  *, department_level: bool = False) -> list[Indicator]:
    """Active indicators of a department: of one project, or the department-level ones."""
    return [i for i in indicators_all(conn, department_id)
            if i.department_id == department_id and not i.retired
            and (i.project_id is None if department_level else project_id is None or i.project_id == project_id)]


@dataclass
class SaveResult:
    """What a save wrote: the batch ids (for undo), rows appended, edits that changed nothing."""

    batch_ids: list[int] = field(default_factory=list)
    written: int = 0
    unchanged: int = 0
    over_budget: list[str] = field(default_factory=list)
    row_ids: list[int] = field(default_factory=list)


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


def error_text(exc: BaseException) -> str:
    """A refused action as markdown for the page: one bullet per problem."""
    messages = [textsafe.md(m) for m in (getattr(exc, "messages", None) or [str(exc)])]  # file names, cells: text
    if len(messages) == 1:
        return messages[0]
    return "\n".join(f"- {m}" for m in messages)


USER_ERRORS: tuple[type[BaseException], ...] = (ValidationError, PermissionDenied, ConflictError)

"""The one write path: every change names its actor, is authorised, runs in one transaction and
leaves an audit row (who, when, what, old, new).

Use :func:`transaction` for a unit of work; the ``record_*`` functions are the ready-made writes
for actuals. Nothing here deletes data: actuals are append-only and the current figure is the
latest row, so history is the table itself plus ``audit_log``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Iterator, Mapping, Sequence

import duckdb

from perfwatch import audit_chain, db, limits
from perfwatch.periods import month_start
from perfwatch.vocab import CAUSE_CATEGORIES, LIKELIHOODS, RATINGS  # noqa: F401  (re-exported)


ROLE_LABELS: dict[str, str] = {
    "leader": "领导",
    "finance": "财务",
    "owner": "项目负责人",
    "admin": "管理员",
    "system": "系统",
}

# action -> roles allowed. 'system' is the CLI / initial load acting on the file directly.
PERMISSIONS: dict[str, frozenset[str]] = {
    "targets.import": frozenset({"admin", "system"}),
    "spend.record": frozenset({"finance", "system"}),
    "report.record": frozenset({"finance", "owner", "system"}),
    "result.record": frozenset({"owner", "system"}),
    "period.lock": frozenset({"finance", "admin", "system"}),
    "period.unlock": frozenset({"admin", "system"}),
    "settings.update": frozenset({"admin", "system"}),
    "user.manage": frozenset({"admin", "system"}),
    "assignment.manage": frozenset({"admin", "system"}),
}

# Actions an owner may only take on the projects assigned to them.
PROJECT_SCOPED: frozenset[str] = frozenset({"report.record", "result.record"})

# Spend is stored in 万元 with six decimals: exact to the 分 when an export is in 元.
SPEND_QUANTUM = Decimal("0.000001")



class PermissionDenied(Exception):
    """The actor's role may not take this action (message in Chinese)."""


class ValidationError(Exception):
    """Input refused before anything was written (message in Chinese)."""


@dataclass(frozen=True)
class Actor:
    """Who is writing. ``project_ids`` limits an owner to assigned projects (None = no limit)."""

    username: str
    role: str
    project_ids: frozenset[int] | None = field(default=None)

    @property
    def label(self) -> str:
        return f"{self.username}（{ROLE_LABELS.get(self.role, self.role)}）"


SYSTEM = Actor("system", "system")


def authorize(actor: Actor, action: str, *, project_id: int | None = None) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may take ``action`` (on ``project_id``)."""
    allowed = PERMISSIONS.get(action)
    if allowed is None:
        raise PermissionDenied(f"未知操作：{action}")
    if actor.role not in allowed:
        roles = "、".join(ROLE_LABELS[r] for r in sorted(allowed) if r != "system")
        raise PermissionDenied(f"{actor.label} 无权执行“{action}”，该操作仅限：{roles}。")
    if (
        action in PROJECT_SCOPED
        and actor.role == "owner"
        and actor.project_ids is not None
        and project_id not in actor.project_ids
    ):
        raise PermissionDenied(f"{actor.label} 不是该项目的负责人，不能为其填报。")


# Largest amount accepted anywhere, in 万元 (fits DECIMAL(18, 6) with room to add up).
MAX_AMOUNT_WAN = Decimal("1000000000")


def parse_amount(value: Any, what: str, quantum: Decimal = Decimal("0.01")) -> Decimal:
    """``value`` as a non-negative 万元 amount rounded to ``quantum``; ValidationError otherwise.

    Refuses text that is not a number, NaN, infinity, negatives and absurd magnitudes.
    """
    if isinstance(value, bool):
        raise ValidationError(f"{what}应为数字，收到 {value!r}。")
    try:
        dec = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationError(f"{what}应为数字，收到“{value}”。") from exc
    if not dec.is_finite():
        raise ValidationError(f"{what}应为有限的数字，收到“{value}”。")
    if dec < 0:
        raise ValidationError(f"{what}不能为负数：{dec}")
    if dec >= MAX_AMOUNT_WAN:
        raise ValidationError(f"{what}数值过大：{value}（上限 {MAX_AMOUNT_WAN} 万元）。")
    return dec.quantize(quantum)


def finite_number(value: Any, what: str) -> float | None:
    """``value`` as a finite float (None stays None); ValidationError for text, NaN or infinity."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValidationError(f"{what}应为数字，收到 {value!r}。")
    try:
        num = float(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError, OverflowError) as exc:
        raise ValidationError(f"{what}应为数字，收到“{value}”。") from exc
    if not math.isfinite(num) or abs(num) >= 1e15:
        raise ValidationError(f"{what}应为有限的数字，收到“{value}”。")
    return num


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    return value


def to_json(value: Any) -> str | None:
    return None if value is None else json.dumps(_jsonable(value), ensure_ascii=False, sort_keys=True)


class WriteTx:
    """An open write transaction on its own cursor."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, actor: Actor, action: str) -> None:
        self.cur = cur
        self.actor = actor
        self.action = action

    def run(self, name: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Run ``queries/<name>.sql`` inside the transaction."""
        res = self.cur.execute(db.load_query(name), db._bind(name, params))
        try:
            return res.fetchall()
        except duckdb.InvalidInputException:
            return []

    def one(self, name: str, params: Mapping[str, Any] | None = None) -> tuple[Any, ...] | None:
        rows = self.run(name, params)
        return rows[0] if rows else None

    def audit(self, entity: str, entity_id: Any, old: Any, new: Any, action: str | None = None) -> None:
        self.run(
            "store/insert_audit",
            {
                "actor": self.actor.username,
                "action": action or self.action,
                "entity": entity,
                "entity_id": None if entity_id is None else str(entity_id),
                "old_value": to_json(old),
                "new_value": to_json(new),
            },
        )


@contextmanager
def transaction(
    conn: duckdb.DuckDBPyConnection, actor: Actor, action: str, *, project_id: int | None = None
) -> Iterator[WriteTx]:
    """Authorise, then run the body in one transaction: all of it is written, or none."""
    authorize(actor, action, project_id=project_id)
    cur = conn.cursor()
    cur.begin()
    try:
        yield WriteTx(cur, actor, action)
        cur.commit()
    except BaseException:
        cur.rollback()
        raise
    finally:
        cur.close()
    audit_chain.seal_quietly(conn)  # chain the new audit rows (tamper-evident log)


def record_spend(
    conn: duckdb.DuckDBPyConnection,
    actor: Actor,
    project_id: int,
    period: dt.date,
    amount: Decimal | float | int | str,
    *,
    source: str = "manual",
    note: str | None = None,
) -> int:
    """Append the spend (万元) of ``project_id`` in the month of ``period``; return the row id.

    The previous figure for that month stays in the table and in the audit row.
    """
    value = parse_amount(amount, "支出金额", SPEND_QUANTUM)
    with transaction(conn, actor, "spend.record", project_id=project_id) as tx:
        if tx.one("store/project_exists", {"project_id": project_id}) is None:
            raise ValidationError(f"项目编号 {project_id} 不存在。")
        budget = tx.one("limits/project_budget", {"project_id": project_id})
        if implausible := limits.spend_problem(value, budget[0] if budget else None, limits.load(conn)):
            raise ValidationError(implausible)
        month = month_start(period)
        old = tx.one("store/current_spend", {"project_id": project_id, "period": month})
        row = tx.one(
            "store/insert_spend",
            {
                "project_id": project_id,
                "period": month,
                "amount": value,
                "source": source,
                "note": note,
                "entered_by": actor.username,
            },
        )
        assert row is not None
        tx.audit(
            "spend_entries",
            row[0],
            None if old is None else {"project_id": project_id, "period": month, "amount": old[1]},
            {"project_id": project_id, "period": month, "amount": value, "source": source},
        )
        return int(row[0])


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
) -> int:
    """Append an indicator result for the reporting date ``as_of``; return the row id."""
    if rating is not None and rating not in RATINGS:
        raise ValidationError(f"评价须为 {'/'.join(RATINGS)} 之一，收到：{rating}")
    if likelihood is not None and likelihood not in LIKELIHOODS:
        raise ValidationError(f"完成目标可能性须为 {'/'.join(LIKELIHOODS)} 之一，收到：{likelihood}")
    bad = [c for c in cause_categories if c not in CAUSE_CATEGORIES]
    if bad:
        raise ValidationError(f"偏差原因类别须为 {'/'.join(CAUSE_CATEGORIES)}，收到：{'、'.join(bad)}")
    value = finite_number(value, "完成值")
    if implausible := limits.result_problem(value, is_percent=False, target=None):
        raise ValidationError(implausible)
    projected_value = finite_number(projected_value, "全年预计完成值")
    owner = db.query(conn, "store/indicator_project", {"indicator_id": indicator_id})
    if not owner:
        raise ValidationError(f"指标编号 {indicator_id} 不存在。")
    project_id = owner[0][0]
    new = {
        "indicator_id": indicator_id,
        "as_of": as_of,
        "value": value,
        "done_date": done_date,
        "rating": rating,
        "projected_text": projected_text,
        "projected_value": projected_value,
        "cause_categories": list(cause_categories) or None,
        "cause_text": cause_text,
        "likelihood": likelihood,
        "measure": measure,
        "note": note,
    }
    with transaction(conn, actor, "result.record", project_id=project_id) as tx:
        old = tx.one("store/current_result", {"indicator_id": indicator_id, "as_of": as_of})
        row = tx.one("store/insert_result", {**new, "entered_by": actor.username})
        assert row is not None
        tx.audit(
            "indicator_results",
            row[0],
            None if old is None else dict(zip(_RESULT_FIELDS, old[1:])),
            new,
        )
        return int(row[0])


_RESULT_FIELDS = (
    "value", "done_date", "rating", "projected_text", "projected_value", "cause_categories",
    "cause_text", "likelihood", "measure", "note",
)


def record_project_report(
    conn: duckdb.DuckDBPyConnection,
    actor: Actor,
    project_id: int,
    as_of: dt.date,
    *,
    projected_amount: Decimal | float | None = None,
    progress_text: str | None = None,
) -> int:
    """Append the owner's 全年预计执行数 (万元) and progress text for ``as_of``."""
    amount = None if projected_amount is None else parse_amount(projected_amount, "全年预计执行数")
    with transaction(conn, actor, "report.record", project_id=project_id) as tx:
        if tx.one("store/project_exists", {"project_id": project_id}) is None:
            raise ValidationError(f"项目编号 {project_id} 不存在。")
        row = tx.one(
            "store/insert_project_report",
            {
                "project_id": project_id,
                "as_of": as_of,
                "projected_amount": amount,
                "progress_text": progress_text,
                "entered_by": actor.username,
            },
        )
        assert row is not None
        tx.audit(
            "project_reports",
            row[0],
            None,
            {"project_id": project_id, "as_of": as_of, "projected_amount": amount, "progress_text": progress_text},
        )
        return int(row[0])


def set_setting(conn: duckdb.DuckDBPyConnection, actor: Actor, key: str, value: Any) -> None:
    """Set a rule setting (JSON value), keeping the old value in the audit log."""
    with transaction(conn, actor, "settings.update") as tx:
        old = tx.one("store/get_setting", {"key": key})
        tx.run("store/upsert_setting", {"key": key, "value": to_json(value), "updated_by": actor.username})
        tx.audit("settings", key, None if old is None else json.loads(old[0]), value)

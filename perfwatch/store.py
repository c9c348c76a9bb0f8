"""The one write path: every change names its actor, is authorised (for every project it
touches), holds the process write lock, runs in one transaction and leaves an audit row (who,
when, what, old, new).

:func:`transaction` is that path. The writes of actuals built on it (spend, results, project
reports, locks, undo) live in :mod:`perfwatch.entry`, which adds the checks every user save gets:
period locks, edit conflicts, dates inside the fiscal year and not in the future, required causes.
Nothing here deletes data: actuals are append-only and the current figure is the latest row, so
history is the table itself plus ``audit_log``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import duckdb

from perfwatch import audit_chain, db
from perfwatch.errors import ValidationError
from perfwatch.vocab import CAUSE_CATEGORIES, LIKELIHOODS, RATINGS, SPEND_QUANTUM  # noqa: F401  (re-exported)

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
    "indicator.edit": frozenset({"admin", "system"}),
    "spend.record": frozenset({"finance", "system"}),
    "result.record": frozenset({"owner", "system"}),
    # A project's monitoring round (review.py): the declaration, submitting it, finance's review, 佐证材料.
    "round.declare": frozenset({"finance", "owner", "system"}),
    "round.submit": frozenset({"finance", "owner", "system"}),
    "round.review": frozenset({"finance", "system"}),
    "round.attach": frozenset({"finance", "owner", "system"}),
    "period.lock": frozenset({"finance", "admin", "system"}),
    "period.unlock": frozenset({"admin", "system"}),
    "settings.update": frozenset({"admin", "system"}),
    "user.manage": frozenset({"admin", "system"}),
    "assignment.manage": frozenset({"admin", "system"}),
}

# Each permission as people read it (messages, the 角色与权限 table, the 操作日志).
PERMISSION_LABELS: dict[str, str] = {
    "targets.import": "导入绩效目标",
    "indicator.edit": "修改指标属性",
    "spend.record": "录入支出",
    "result.record": "填报指标完成值",
    "round.declare": "填报项目情况（全年预计、偏差原因、纠偏措施）",
    "round.submit": "提交审核",
    "round.review": "审核项目填报（通过或退回）",
    "round.attach": "上传或移除佐证材料",
    "period.lock": "锁定月份",
    "period.unlock": "解锁月份",
    "settings.update": "修改设置",
    "user.manage": "用户管理",
    "assignment.manage": "分配负责项目",
}

# Actions an owner may only take on the projects assigned to them.
PROJECT_SCOPED: frozenset[str] = frozenset({"result.record", "round.declare", "round.submit", "round.attach"})


def permission_label(action: str) -> str:
    """The Chinese name of a permission (the code itself when it has none, never hidden)."""
    return PERMISSION_LABELS.get(action, action)


def may(actor: Actor, action: str) -> bool:
    """Whether the actor's role holds ``action`` at all (pages use it to enable a button)."""
    return actor.role in PERMISSIONS.get(action, frozenset())


def permission_table() -> list[dict[str, str]]:
    """Every permission with the roles holding it, in Chinese: 权限 and 角色 (for the user pages)."""
    rows = []
    for action, roles in PERMISSIONS.items():
        held = "、".join(ROLE_LABELS[r] for r in ROLE_LABELS if r in roles and r != "system")
        rows.append({"权限": permission_label(action), "角色": held or "仅命令行"})
    return rows


class PermissionDenied(Exception):
    """The actor's role may not take this action (message in Chinese)."""


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
        raise PermissionDenied(f"{actor.label} 无权{permission_label(action)}，该操作仅限：{roles}。")
    if (
        action in PROJECT_SCOPED
        and actor.role == "owner"
        and actor.project_ids is not None
        and project_id not in actor.project_ids
    ):
        raise PermissionDenied(f"{actor.label} 不是该项目的负责人，不能为其填报。")


# Largest amount accepted anywhere, in 万元 (fits DECIMAL(18, 6) with room to add up).
MAX_AMOUNT_WAN = Decimal("1000000000")


# Commas are accepted only as thousands separators: 1,500.00 and 1,234,567.89, never 1,5.
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def parse_amount(value: Any, what: str, quantum: Decimal = Decimal("0.01")) -> Decimal:
    """``value`` as a non-negative 万元 amount rounded to ``quantum``; ValidationError otherwise.

    Refuses text that is not a number, NaN, infinity, negatives, absurd magnitudes and commas
    that are not thousands separators ("1,5" could be 1.5 or 15: it is refused, not guessed).
    """
    if isinstance(value, bool):
        raise ValidationError(f"{what}应为数字，收到 {value!r}。")
    text = str(value).strip()
    if "," in text:
        if not _THOUSANDS.match(text):
            raise ValidationError(
                f"{what}“{value}”含义不明：逗号只能作千分位分隔（如 1,500.00），小数请用小数点（如 1.5）。"
            )
        text = text.replace(",", "")
    try:
        dec = Decimal(text)
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
        self.authorised: set[int | None] = set()

    def authorize_project(self, project_id: int | None) -> None:
        """Check the actor may take this action on ``project_id`` (a project found inside the
        transaction, e.g. a row an undo restores); PermissionDenied aborts the whole write."""
        if project_id not in self.authorised:
            authorize(self.actor, self.action, project_id=project_id)
            self.authorised.add(project_id)

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


# Check-then-append must not interleave between Streamlit sessions (threads of one process):
# every write transaction holds this lock. Re-entrant, so a write may call another write helper.
WRITE_LOCK = threading.RLock()


@contextmanager
def transaction(
    conn: duckdb.DuckDBPyConnection,
    actor: Actor,
    action: str,
    *,
    project_id: int | None = None,
    project_ids: Iterable[int | None] = (),
) -> Iterator[WriteTx]:
    """Authorise ``action`` on every project given, take the process write lock, then run the
    body in one transaction: all of it is written, or none.

    Projects discovered inside the body are authorised with :meth:`WriteTx.authorize_project`.
    A failed COMMIT raises its own error (never a "no transaction is active" from a rollback).
    """
    ids = list(dict.fromkeys(project_ids))
    if project_id is not None or not ids:
        ids.insert(0, project_id)
    for pid in ids:
        authorize(actor, action, project_id=pid)
    with WRITE_LOCK:
        cur = conn.cursor()
        try:
            cur.begin()
            tx = WriteTx(cur, actor, action)
            tx.authorised.update(ids)
            try:
                yield tx
            except BaseException:
                db.rollback_quietly(cur)
                raise
            cur.commit()
        finally:
            cur.close()
        audit_chain.seal_quietly(conn)  # chain the new audit rows (tamper-evident log)


def set_setting(conn: duckdb.DuckDBPyConnection, actor: Actor, key: str, value: Any) -> None:
    """Set a rule setting (JSON value), keeping the old value in the audit log."""
    with transaction(conn, actor, "settings.update") as tx:
        old = tx.one("store/get_setting", {"key": key})
        tx.run("store/upsert_setting", {"key": key, "value": to_json(value), "updated_by": actor.username})
        tx.audit("settings", key, None if old is None else json.loads(old[0]), value)

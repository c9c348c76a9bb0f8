"""Writable count natures and milestones (DOMAIN §5a): one indicator at a time, through the one
write path (:func:`perfwatch.store.transaction`, action ``indicator.edit``) with an audit row
holding the old and the new value."""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from perfwatch import db
from perfwatch.dataset import NATURES
from perfwatch.store import Actor, ValidationError, transaction

NATURE_LABELS = {"flow": "流量", "stock": "存量", "one_off": "一次性", "scheduled": "集中开展"}


@dataclass(frozen=True)
class IndicatorRef:
    id: int
    fiscal_year: int
    project_id: int | None
    level3: str
    kind: str
    nature: str | None


def find_indicator(
    conn: duckdb.DuckDBPyConnection, department_code: str, project_code: str | None, seq: int,
    fiscal_year: int | None = None,
) -> IndicatorRef:
    """The live indicator number ``seq`` of a project (or department-level when ``project_code`` is
    None) of a department; the latest fiscal year unless one is given. ValidationError when none or
    several match."""
    rows = db.query(conn, "targets/find_indicator_by_seq", {
        "department_code": department_code, "fiscal_year": fiscal_year, "project_code": project_code, "seq": seq})
    where = f"部门 {department_code}" + (f" 项目 {project_code}" if project_code else "（部门整体）") + f" 第 {seq} 个指标"
    if not rows:
        raise ValidationError(f"找不到{where}（请核对部门编码、项目编码和指标序号）。")
    rows = [r for r in rows if r[1] == rows[0][1]]
    if len(rows) > 1:
        raise ValidationError(f"{where}不唯一（{len(rows)} 个），请指定项目编码。")
    r = rows[0]
    return IndicatorRef(int(r[0]), int(r[1]), None if r[2] is None else int(r[2]), r[3], r[4], r[5])


def set_nature(conn: duckdb.DuckDBPyConnection, actor: Actor, ind: IndicatorRef, nature: str) -> bool:
    """Set the count nature; False when it already had it (nothing written)."""
    if nature not in NATURES:
        raise ValidationError(
            f"未知的指标性质：{nature!r}，应为 " + "、".join(f"{k}（{v}）" for k, v in NATURE_LABELS.items()) + " 之一。")
    if ind.kind != "count":
        raise ValidationError(f"指标“{ind.level3}”不是数量指标，指标性质只适用于数量指标。")
    if ind.nature == nature:
        return False
    with transaction(conn, actor, "indicator.edit", project_id=ind.project_id) as tx:
        tx.run("targets/set_indicator_nature", {"id": ind.id, "nature": nature})
        tx.audit("indicators", ind.id, {"nature": ind.nature}, {"nature": nature}, "indicator.nature.set")
    return True


_PAIR = re.compile(r"^\s*(\d{1,2})\s*[:：]\s*(\d+(?:\.\d+)?)\s*$")


def parse_milestones(text: str) -> tuple[tuple[int, float], ...]:
    """"6:2,12:4" -> ((6, 2.0), (12, 4.0)); months 1–12 and cumulative values both strictly
    increasing; an empty text clears the milestones."""
    if not text.strip():
        return ()
    out: list[tuple[int, float]] = []
    for part in re.split(r"[,，]", text):
        m = _PAIR.match(part)
        if m is None:
            raise ValidationError(f"里程碑“{part.strip()}”格式有误，应为 月份:累计值，如 6:2,12:4。")
        month, value = int(m.group(1)), float(m.group(2))
        if not 1 <= month <= 12:
            raise ValidationError(f"里程碑月份 {month} 超出范围，应为 1–12。")
        if out and month <= out[-1][0]:
            raise ValidationError(f"里程碑月份须逐个递增：{out[-1][0]} 月之后是 {month} 月。")
        if out and value <= out[-1][1]:
            raise ValidationError(
                f"里程碑累计值须逐个递增：{out[-1][0]} 月为 {out[-1][1]:g}，{month} 月为 {value:g}。")
        out.append((month, value))
    return tuple(out)


def set_milestones(
    conn: duckdb.DuckDBPyConnection, actor: Actor, ind: IndicatorRef, milestones: tuple[tuple[int, float], ...]
) -> bool:
    """Replace the indicator's milestones (cumulative values by month end); False when unchanged."""
    if ind.kind != "count":
        raise ValidationError(f"指标“{ind.level3}”不是数量指标，不能设置里程碑。")
    old = tuple((int(m), float(v)) for m, v in db.query(conn, "entry/indicator_milestones", {"indicator_id": ind.id}))
    if old == milestones:
        return False
    with transaction(conn, actor, "indicator.edit", project_id=ind.project_id) as tx:
        tx.run("targets/delete_milestones", {"indicator_id": ind.id})
        for month, value in milestones:
            tx.run("targets/insert_milestone", {"indicator_id": ind.id, "month": month, "value": value})
        tx.audit("indicator_milestones", ind.id, [list(p) for p in old], [list(p) for p in milestones],
                 "indicator.milestones.set")
    return True


def milestones_text(milestones: tuple[tuple[int, float], ...]) -> str:
    """((6, 2.0), (12, 4.0)) -> "6月2，12月4"; "无" when empty."""
    return "，".join(f"{m}月{v:g}" for m, v in milestones) or "无"

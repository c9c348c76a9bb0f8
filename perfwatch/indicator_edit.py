"""Writable count natures and milestones (DOMAIN §5a): one indicator at a time, through the one
write path (:func:`perfwatch.store.transaction`, action ``indicator.edit``) with an audit row
holding the old and the new value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from perfwatch import db, milestones
from perfwatch.store import Actor, ValidationError, WriteTx, transaction
from perfwatch.vocab import NATURE_LABELS, NATURES


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
        _write_nature(tx, ind, nature)
    return True


def _write_nature(tx: WriteTx, ind: IndicatorRef, nature: str) -> None:
    tx.run("targets/set_indicator_nature", {"id": ind.id, "nature": nature})
    tx.audit("indicators", ind.id, {"nature": ind.nature}, {"nature": nature}, "indicator.nature.set")


def parse_milestones(text: str) -> milestones.Milestones:
    """"6:2,12:4" or "6月:2;12月:4" -> ((6, 2.0), (12, 4.0)) (see :mod:`perfwatch.milestones`);
    an empty text clears the milestones."""
    return milestones.parse(text)


def _milestones_of(conn: duckdb.DuckDBPyConnection | WriteTx, indicator_id: int) -> milestones.Milestones:
    params = {"indicator_id": indicator_id}
    rows = conn.run("entry/indicator_milestones", params) if isinstance(conn, WriteTx) else db.query(
        conn, "entry/indicator_milestones", params)
    return tuple((int(m), float(v)) for m, v in rows)


def set_milestones(
    conn: duckdb.DuckDBPyConnection, actor: Actor, ind: IndicatorRef, new: milestones.Milestones
) -> bool:
    """Replace the indicator's milestones (cumulative values by month end); False when unchanged."""
    if ind.kind != "count":
        raise ValidationError(f"指标“{ind.level3}”不是数量指标，不能设置里程碑。")
    new = milestones.check(new)
    if _milestones_of(conn, ind.id) == new:
        return False
    with transaction(conn, actor, "indicator.edit", project_id=ind.project_id) as tx:
        _write_milestones(tx, ind, _milestones_of(tx, ind.id), new)
    return True


def _write_milestones(tx: WriteTx, ind: IndicatorRef, old: milestones.Milestones, new: milestones.Milestones) -> None:
    """The old set is kept in the audit row (old → new); the table holds the current set."""
    tx.run("targets/delete_milestones", {"indicator_id": ind.id})
    for month, value in new:
        tx.run("targets/insert_milestone", {"indicator_id": ind.id, "month": month, "value": value})
    tx.audit("indicator_milestones", ind.id, [list(p) for p in old], [list(p) for p in new], "indicator.milestones.set")


# --------------------------------------------------------------------------------------------
# The targets page: every count indicator of a department with its nature and milestones.

COUNT_COLUMNS = ("indicator_id", "project_id", "owner", "seq", "level3", "target_text", "nature", "milestones")


def count_settings(conn: duckdb.DuckDBPyConnection, department_id: int) -> pd.DataFrame:
    """The department's live count indicators: owner (project name or 分项目标 n), seq, 三级指标,
    指标值, nature (code or None) and milestones as text (:func:`perfwatch.milestones.to_text`)."""
    rows = db.query(conn, "targets/count_indicators_of_department", {"department_id": department_id})
    ms: dict[int, list[tuple[int, float]]] = {}
    for iid, month, value in db.query(conn, "targets/milestones_of_department", {"department_id": department_id}):
        ms.setdefault(int(iid), []).append((int(month), float(value)))
    return pd.DataFrame(
        [(int(r[0]), None if r[1] is None else int(r[1]), r[2], int(r[3]), r[4], r[5], r[6],
          milestones.to_text(ms.get(int(r[0]), []))) for r in rows],
        columns=list(COUNT_COLUMNS),
    )


@dataclass(frozen=True)
class CountEdit:
    """One row of the page's editor: the nature (code, or a Chinese label) and the milestones text."""

    indicator_id: int
    nature: str | None
    milestones: str | None


def save_count_settings(
    conn: duckdb.DuckDBPyConnection, actor: Actor, department_id: int, edits: Sequence[CountEdit]
) -> int:
    """Write the natures and milestones that changed, all in one transaction (audited old → new);
    return how many values were written. Every bad row is refused first, nothing written, with one
    Chinese message per row naming the indicator."""
    current = count_settings(conn, department_id).set_index("indicator_id")
    problems: list[str] = []
    planned: list[tuple[IndicatorRef, str | None, milestones.Milestones | None]] = []
    for e in edits:
        if e.indicator_id not in current.index:
            problems.append(f"指标 {e.indicator_id} 不是本部门的数量指标（可能已停用），请刷新页面。")
            continue
        row = current.loc[e.indicator_id]
        where = f"{row['owner']} 第 {row['seq']} 个指标“{row['level3']}”"
        nature = None
        if e.nature is not None and str(e.nature).strip():
            nature = e.nature if e.nature in NATURES else {v: k for k, v in NATURE_LABELS.items()}.get(str(e.nature).strip())
            if nature is None:
                problems.append(f"{where}：性质须为 {'、'.join(NATURE_LABELS.values())} 之一，收到“{e.nature}”。")
                continue
        try:
            new_ms = milestones.parse(e.milestones)
        except ValidationError as exc:
            problems.append(f"{where}：{exc}")
            continue
        ref = IndicatorRef(int(e.indicator_id), 0, None if pd.isna(row["project_id"]) else int(row["project_id"]),
                           str(row["level3"]), "count", None if pd.isna(row["nature"]) else str(row["nature"]))
        nature_change = nature if nature is not None and nature != ref.nature else None
        ms_change = new_ms if new_ms != milestones.parse(str(row["milestones"])) else None
        if nature_change is not None or ms_change is not None:
            planned.append((ref, nature_change, ms_change))
    if problems:
        raise ValidationError("未保存，请更正：" + "；".join(problems))
    if not planned:
        return 0
    written = 0
    with transaction(conn, actor, "indicator.edit", project_ids=[ref.project_id for ref, _, _ in planned]) as tx:
        for ref, nature_change, ms_change in planned:
            if nature_change is not None:
                _write_nature(tx, ref, nature_change)
                written += 1
            if ms_change is not None:
                _write_milestones(tx, ref, _milestones_of(tx, ref.id), ms_change)
                written += 1
    return written


def milestones_text(pairs: milestones.Milestones) -> str:
    """((6, 2.0), (12, 4.0)) -> "6月:2;12月:4"; "无" when empty."""
    return milestones.to_text(pairs) or "无"

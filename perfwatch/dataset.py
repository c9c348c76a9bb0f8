"""Write a targets dataset (docs/dataset-format.md) into DuckDB through the one write path.

Re-importing the same department and year updates in place: projects match by code, indicators
by their path (project or sub-goal, 一级/二级/三级指标, occurrence). Old versions go to the audit
log; projects and indicators that vanished are marked retired (never deleted), so results already
entered against them stay.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from perfwatch import db, milestones
from perfwatch.store import SYSTEM, Actor, ValidationError, WriteTx, finite_number, parse_amount, transaction
from perfwatch.vocab import NATURE_LABELS, NATURES

DATA_DIR = db.REPO_ROOT / "data"
DEFAULT_DATASET = DATA_DIR / "julu-justice-bureau-2024.targets.json"
FORMAT = "perfwatch-targets/1"

COMPARATORS = {">=", "<=", "=", "deadline", "qualitative"}
KINDS = {"count", "rate", "ceiling", "zero", "cost", "deadline", "qualitative"}


@dataclass
class ImportSummary:
    """What a targets import did, for the CLI and the import page."""

    departments: int = 0
    projects_added: int = 0
    projects_updated: int = 0
    projects_retired: int = 0
    indicators_added: int = 0
    indicators_updated: int = 0
    indicators_retired: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def read_dataset(path: Path | str) -> dict[str, Any]:
    """Read a dataset JSON file; a malformed file raises ValidationError naming it."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"无法读取数据文件 {path}：{exc}") from exc
    except json.JSONDecodeError as exc:
        raise ValidationError(f"数据文件 {path} 第 {exc.lineno} 行第 {exc.colno} 列不是有效的 JSON：{exc.msg}") from exc
    validate_dataset(data, str(path))
    return data


def _need(obj: Any, key: str, where: str, types: type | tuple[type, ...], *, optional: bool = False) -> Any:
    if not isinstance(obj, dict):
        raise ValidationError(f"{where}：应为对象")
    if key not in obj or obj[key] is None:
        if optional:
            return None
        raise ValidationError(f"{where}：缺少字段 {key}")
    value = obj[key]
    if not isinstance(value, types) or isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        raise ValidationError(f"{where}：字段 {key} 的值 {value!r} 类型不对")
    return value


def _validate_indicator(ind: Any, where: str) -> None:
    _need(ind, "level3", where, str)
    for key in ("level1", "level2", "description", "unit", "basis"):
        _need(ind, key, where, str, optional=True)
    _need(ind, "target_text", where, str)
    comp = _need(ind, "comparator", where, str)
    if comp not in COMPARATORS:
        raise ValidationError(f"{where}：comparator 须为 {sorted(COMPARATORS)} 之一，收到 {comp!r}")
    kind = _need(ind, "kind", where, str)
    if kind not in KINDS:
        raise ValidationError(f"{where}：kind 须为 {sorted(KINDS)} 之一，收到 {kind!r}")
    nature = _need(ind, "nature", where, str, optional=True)
    if nature is not None and nature not in NATURES:
        raise ValidationError(
            f"{where}：nature 须为 {list(NATURES)} 之一（{'/'.join(NATURE_LABELS.values())}），收到 {nature!r}")
    if nature is not None and kind != "count":
        raise ValidationError(f"{where}：nature 只适用于数量指标（kind 为 count），此指标 kind 为 {kind!r}")
    if ind.get("milestones") is not None:
        if kind != "count":
            raise ValidationError(f"{where}：milestones 只适用于数量指标（kind 为 count），此指标 kind 为 {kind!r}")
        milestones.from_dataset(ind["milestones"], where)
    finite_number(_need(ind, "value", where, (int, float), optional=True), f"{where}：value ")
    deadline = _need(ind, "deadline", where, str, optional=True)
    if deadline is not None:
        try:
            dt.datetime.strptime(f"2000-{deadline}", "%Y-%m-%d")
        except ValueError as exc:
            raise ValidationError(f"{where}：deadline 应为 MM-DD，收到 {deadline!r}") from exc


def validate_dataset(data: Any, where: str = "数据") -> None:
    """Check the structure of a dataset; raise ValidationError naming the first problem."""
    if not isinstance(data, dict):
        raise ValidationError(f"{where}：顶层应为对象")
    depts = _need(data, "departments", where, list)
    projects = _need(data, "projects", where, list)
    known: set[tuple[str, int]] = set()
    for i, dept in enumerate(depts, 1):
        w = f"{where} 部门#{i}"
        code = _need(dept, "code", w, str)
        year = _need(dept, "fiscal_year", w, int)
        _need(dept, "name", w, str)
        for key in ("overall_goal", "safeguards"):
            _need(dept, key, w, str, optional=True)
        known.add((code, year))
        for j, sg in enumerate(_need(dept, "sub_goals", w, list, optional=True) or [], 1):
            ws = f"{w} 分项目标#{j}"
            _need(sg, "seq", ws, int)
            _need(sg, "title", ws, str)
            _need(sg, "goal", ws, str, optional=True)
            for k, ind in enumerate(_need(sg, "indicators", ws, list, optional=True) or [], 1):
                _validate_indicator(ind, f"{ws} 指标#{k}")
    codes: set[tuple[str, str, int]] = set()
    for i, proj in enumerate(projects, 1):
        w = f"{where} 项目#{i}"
        code = _need(proj, "code", w, str)
        dcode = _need(proj, "department_code", w, str)
        year = _need(proj, "fiscal_year", w, int)
        if (dcode, year) not in known:
            raise ValidationError(f"{w}（{code}）：所属部门 {dcode}/{year} 不在 departments 中")
        if (dcode, code, year) in codes:
            raise ValidationError(f"{w}：项目编码 {code} 重复")
        codes.add((dcode, code, year))
        _need(proj, "name", w, str)
        _need(proj, "purpose", w, str, optional=True)
        _need(proj, "seq", w, int, optional=True)
        for key in ("budget", "fiscal_funds", "other_funds"):
            v = _need(proj, key, w, (int, float), optional=key != "budget")
            if v is not None:
                parse_amount(v, f"{w}（{code}）：{key} ")
        months = []
        for cp in _need(proj, "plan", w, list):
            m = _need(cp, "month", w + " 支出计划", int)
            p = _need(cp, "pct", w + " 支出计划", (int, float))
            if not 1 <= m <= 12 or not 0 <= p <= 100:  # NaN fails this too
                raise ValidationError(f"{w}（{code}）：支出计划 {m} 月 {p}% 超出范围")
            months.append(m)
        if len(set(months)) != len(months):
            raise ValidationError(f"{w}（{code}）：支出计划月份重复")
        for g in _need(proj, "goals", w, list, optional=True) or []:
            if not isinstance(g, str):
                raise ValidationError(f"{w}（{code}）：绩效目标应为文本")
        for k, ind in enumerate(_need(proj, "indicators", w, list, optional=True) or [], 1):
            _validate_indicator(ind, f"{w}（{code}） 指标#{k}")


def _money(v: Any) -> Decimal:
    return Decimal(str(v if v is not None else 0)).quantize(Decimal("0.01"))


def _deadline(ind: dict[str, Any], year: int) -> dt.date | None:
    d = ind.get("deadline")
    return None if not d else dt.date.fromisoformat(f"{year:04d}-{d}")


_IND_COLS = (
    "id", "project_id", "sub_goal_id", "seq", "level1", "level2", "level3", "description",
    "target_text", "comparator", "value", "unit", "deadline", "kind", "basis", "retired", "nature",
)
_IND_MUTABLE = ("seq", "description", "target_text", "comparator", "value", "unit", "deadline", "kind", "basis", "nature")


def _nature(ind: dict[str, Any], old: dict[str, Any] | None) -> str | None:
    """The nature stored: the dataset's, else the one already held (set by a person), else for a
    count the importer's guess (listed in the 目标导入 findings for a person to confirm)."""
    if ind.get("nature"):
        return str(ind["nature"])
    if old is not None and old.get("nature"):
        return str(old["nature"])
    if ind["kind"] != "count":
        return None
    from perfwatch.importers.targets_text import guess_nature

    guess = guess_nature(ind["level3"], ind.get("description"), ind["target_text"], ind.get("unit"))
    return None if guess is None else guess.replace("-", "_")


def _sync_milestones(tx: WriteTx, indicator_id: int, ind: dict[str, Any], kind: str) -> None:
    """The dataset's milestones when it gives them (an empty list clears them); when it gives none,
    the ones already held (set by a person) stay. The old set goes to the audit row."""
    if ind.get("milestones") is None or kind != "count":
        return
    new = milestones.from_dataset(ind["milestones"], str(ind["level3"]))
    old = tuple((int(m), float(v)) for m, v in tx.run("entry/indicator_milestones", {"indicator_id": indicator_id}))
    if old == new:
        return
    tx.run("targets/delete_milestones", {"indicator_id": indicator_id})
    for month, value in new:
        tx.run("targets/insert_milestone", {"indicator_id": indicator_id, "month": month, "value": value})
    tx.audit("indicator_milestones", indicator_id, [list(p) for p in old], [list(p) for p in new],
             "targets.milestones.update")


def _with_occurrence(keys: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Append a running occurrence number so duplicate paths still match one-to-one."""
    seen: dict[tuple[Any, ...], int] = {}
    out = []
    for k in keys:
        seen[k] = seen.get(k, 0) + 1
        out.append((*k, seen[k]))
    return out


def _sync_indicators(
    tx: WriteTx,
    summary: ImportSummary,
    department_id: int,
    owner_col: str,
    owner_id: int,
    year: int,
    incoming: list[dict[str, Any]],
    existing: list[dict[str, Any]],
    where: str,
) -> None:
    mine = [r for r in existing if r[owner_col] == owner_id]
    old_keys = _with_occurrence((r["level1"], r["level2"], r["level3"]) for r in mine)
    by_key = dict(zip(old_keys, mine, strict=False))
    new_keys = _with_occurrence((i.get("level1"), i.get("level2"), i["level3"]) for i in incoming)
    for seq, (key, ind) in enumerate(zip(new_keys, incoming, strict=False), 1):
        fields = {
            "seq": seq,
            "description": ind.get("description"),
            "target_text": ind["target_text"],
            "comparator": ind["comparator"],
            "value": None if ind.get("value") is None else float(ind["value"]),
            "unit": ind.get("unit"),
            "deadline": _deadline(ind, year),
            "kind": ind["kind"],
            "basis": ind.get("basis"),
        }
        old = by_key.pop(key, None)
        fields["nature"] = _nature(ind, old)
        if old is None:
            row = tx.one(
                "targets/insert_indicator",
                {
                    "department_id": department_id,
                    "project_id": owner_id if owner_col == "project_id" else None,
                    "sub_goal_id": owner_id if owner_col == "sub_goal_id" else None,
                    "level1": ind.get("level1"),
                    "level2": ind.get("level2"),
                    "level3": ind["level3"],
                    **fields,
                },
            )
            assert row is not None
            tx.audit("indicators", row[0], None, {"level3": ind["level3"], **fields}, "targets.indicator.add")
            summary.indicators_added += 1
            _sync_milestones(tx, int(row[0]), ind, fields["kind"])
            continue
        before = {k: old[k] for k in _IND_MUTABLE}
        if before != fields or old["retired"]:
            tx.run("targets/update_indicator", {"id": old["id"], **fields})
            tx.audit("indicators", old["id"], before, fields, "targets.indicator.update")
            summary.indicators_updated += 1
        _sync_milestones(tx, int(old["id"]), ind, fields["kind"])
    for old in by_key.values():
        if not old["retired"]:
            tx.run("targets/retire_indicator", {"id": old["id"]})
            tx.audit("indicators", old["id"], {"retired": False}, {"retired": True}, "targets.indicator.retire")
            summary.indicators_retired += 1
            summary.warnings.append(f"{where}：指标“{old['level3']}”在新文件中不存在，已标记为停用（已填报的结果保留）。")


def load_targets(
    conn: duckdb.DuckDBPyConnection, actor: Actor, data: dict[str, Any], *, source: str | None = None,
    corrections: Sequence[dict[str, Any]] = (),
) -> ImportSummary:
    """Write ``data`` (validated first) in one transaction; return what changed.

    ``corrections``: cells the admin corrected in the import preview (project_code, indicator,
    field, old, new); each is audited in the same transaction as ``targets.import.correct``.
    """
    validate_dataset(data, source or "数据")
    summary = ImportSummary()
    src = source or data.get("source")
    with transaction(conn, actor, "targets.import") as tx:
        for c in corrections:
            tx.audit(
                "indicators", None, {"project_code": c.get("project_code"), "indicator": c.get("indicator"),
                                     c["field"]: c.get("old")},
                {"project_code": c.get("project_code"), "indicator": c.get("indicator"), c["field"]: c.get("new"),
                 "source": src}, "targets.import.correct",
            )
        dept_ids: dict[tuple[str, int], int] = {}
        for dept in data["departments"]:
            code, year = dept["code"], dept["fiscal_year"]
            new = {
                "name": dept["name"],
                "overall_goal": dept.get("overall_goal"),
                "safeguards": dept.get("safeguards"),
                "source": src,
            }
            found = tx.one("targets/find_department", {"code": code, "fiscal_year": year})
            if found is None:
                row = tx.one("targets/insert_department", {"code": code, "fiscal_year": year, **new})
                assert row is not None
                dept_id = int(row[0])
                tx.audit("departments", dept_id, None, {"code": code, "fiscal_year": year, **new}, "targets.department.add")
            else:
                dept_id = int(found[0])
                old = dict(zip(("name", "overall_goal", "safeguards", "source"), found[1:], strict=False))
                if old != new:
                    tx.run("targets/update_department", {"id": dept_id, **new})
                    tx.audit("departments", dept_id, old, new, "targets.department.update")
            dept_ids[(code, year)] = dept_id
            summary.departments += 1

            existing_ind = [dict(zip(_IND_COLS, r, strict=False)) for r in tx.run("targets/indicators_of_department", {"department_id": dept_id})]
            old_sgs = {r[1]: r for r in tx.run("targets/sub_goals_of_department", {"department_id": dept_id})}
            for sg in dept.get("sub_goals") or []:
                old_sg = old_sgs.get(sg["seq"])
                if old_sg is None:
                    row = tx.one(
                        "targets/insert_sub_goal",
                        {"department_id": dept_id, "seq": sg["seq"], "title": sg["title"], "goal": sg.get("goal")},
                    )
                    assert row is not None
                    sg_id = int(row[0])
                    tx.audit("sub_goals", sg_id, None, sg["title"], "targets.sub_goal.add")
                else:
                    sg_id = int(old_sg[0])
                    if (old_sg[2], old_sg[3]) != (sg["title"], sg.get("goal")):
                        tx.run("targets/update_sub_goal", {"id": sg_id, "title": sg["title"], "goal": sg.get("goal")})
                        tx.audit("sub_goals", sg_id, {"title": old_sg[2], "goal": old_sg[3]},
                                 {"title": sg["title"], "goal": sg.get("goal")}, "targets.sub_goal.update")
                _sync_indicators(tx, summary, dept_id, "sub_goal_id", sg_id, year, sg.get("indicators") or [],
                                 existing_ind, f"分项目标 {sg['seq']}")

        for dept_key, dept_id in dept_ids.items():
            projects = [p for p in data["projects"] if (p["department_code"], p["fiscal_year"]) == dept_key]
            old_projects = {r[1]: r for r in tx.run("targets/projects_of_department", {"department_id": dept_id})}
            existing_ind = [dict(zip(_IND_COLS, r, strict=False)) for r in tx.run("targets/indicators_of_department", {"department_id": dept_id})]
            for seq, proj in enumerate(projects, 1):
                fields = {
                    "seq": seq if proj.get("seq") is None else proj["seq"],
                    "name": proj["name"],
                    "budget": _money(proj["budget"]),
                    "fiscal_funds": _money(proj.get("fiscal_funds")),
                    "other_funds": _money(proj.get("other_funds")),
                    "carryover_funds": _money(proj.get("carryover_funds")),
                    "purpose": proj.get("purpose"),
                }
                old_row = old_projects.pop(proj["code"], None)
                if old_row is None:
                    row = tx.one("targets/insert_project", {"department_id": dept_id, "code": proj["code"], **fields})
                    assert row is not None
                    pid = int(row[0])
                    tx.audit("projects", pid, None, {"code": proj["code"], **fields}, "targets.project.add")
                    summary.projects_added += 1
                else:
                    pid = int(old_row[0])
                    before = dict(zip(("seq", "name", "budget", "fiscal_funds", "other_funds", "carryover_funds", "purpose"), (old_row[2], *old_row[3:9]), strict=False))
                    if before != fields or old_row[9]:
                        tx.run("targets/update_project", {"id": pid, **fields})
                        tx.audit("projects", pid, before, fields, "targets.project.update")
                        summary.projects_updated += 1
                plan_new = [(int(c["month"]), _money(c["pct"])) for c in sorted(proj["plan"], key=lambda c: c["month"])]
                plan_old = [(int(m), Decimal(p)) for m, p in tx.run("targets/plan_of_project", {"project_id": pid})]
                if plan_old != plan_new:
                    tx.run("targets/delete_plan", {"project_id": pid})
                    for month, pct in plan_new:
                        tx.run("targets/insert_plan_checkpoint", {"project_id": pid, "month": month, "pct": pct})
                    if plan_old:
                        tx.audit("plan_checkpoints", pid, plan_old, plan_new, "targets.plan.update")
                goals_new = list(proj.get("goals") or [])
                goals_old = [t for _, t in tx.run("targets/goals_of_project", {"project_id": pid})]
                if goals_old != goals_new:
                    tx.run("targets/delete_goals", {"project_id": pid})
                    for gseq, text in enumerate(goals_new, 1):
                        tx.run("targets/insert_goal", {"project_id": pid, "seq": gseq, "text": text})
                    if goals_old:
                        tx.audit("goals", pid, goals_old, goals_new, "targets.goals.update")
                _sync_indicators(tx, summary, dept_id, "project_id", pid, dept_key[1], proj.get("indicators") or [],
                                 existing_ind, f"项目 {proj['code']}")
            for code, old_row in old_projects.items():
                if not old_row[9]:
                    tx.run("targets/retire_project", {"id": old_row[0]})
                    tx.audit("projects", old_row[0], {"retired": False}, {"retired": True}, "targets.project.retire")
                    summary.projects_retired += 1
                    summary.warnings.append(f"项目 {code} {old_row[3]} 在新文件中不存在，已标记为停用（已录入的数据保留）。")
    return summary


def load_default_dataset_if_empty(conn: duckdb.DuckDBPyConnection, actor: Actor = SYSTEM) -> ImportSummary | None:
    """On a database with no departments, load the default dataset (the seed targets)."""
    count = db.query(conn, "targets/count_departments")[0][0]
    if count:
        return None
    return load_targets(conn, actor, read_dataset(DEFAULT_DATASET), source=DEFAULT_DATASET.name)


def open_seeded(path: Path | str | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open and migrate the database (:func:`perfwatch.db.open_database`) and, when it is writable
    and holds no department yet, load the default dataset: the app frame's and the CLI's first start."""
    conn = db.open_database(path, read_only=read_only)
    if read_only:
        return conn
    try:
        load_default_dataset_if_empty(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _num(v: Any) -> float | None:
    return None if v is None else float(v)


def export_dataset(conn: duckdb.DuckDBPyConnection, department_id: int | None = None) -> dict[str, Any]:
    """The targets held in the database as a dataset dict (the inverse of :func:`load_targets`)."""
    out: dict[str, Any] = {"format": FORMAT, "source": None, "departments": [], "projects": []}
    for dep_id, code, name, year, overall, safeguards, source in db.query(
        conn, "export/departments", {"department_id": department_id}
    ):
        out["source"] = out["source"] or source
        inds = db.query(conn, "export/indicators", {"department_id": dep_id})
        ms: dict[int, list[tuple[int, float]]] = {}
        for iid, month, value in db.query(conn, "targets/milestones_of_department", {"department_id": dep_id}):
            ms.setdefault(int(iid), []).append((int(month), float(value)))

        def ind_dict(r: tuple[Any, ...], ms: dict[int, list[tuple[int, float]]] = ms) -> dict[str, Any]:
            out = {
                "level1": r[2], "level2": r[3], "level3": r[4], "description": r[5],
                "target_text": r[6], "comparator": r[7], "value": r[8], "unit": r[9],
                "deadline": None if r[10] is None else r[10].strftime("%m-%d"),
                "kind": r[11], "basis": r[12],
            }
            # A count's nature and milestones (DOMAIN §5a) when set; absent keys keep what is held on re-import.
            if r[13] is not None:
                out["nature"] = r[13]
            if ms.get(int(r[14])):
                out["milestones"] = milestones.to_dataset(ms[int(r[14])])
            return out

        out["departments"].append({
            "code": code, "name": name, "fiscal_year": year,
            "overall_goal": overall, "safeguards": safeguards,
            "sub_goals": [
                {"seq": seq, "title": title, "goal": goal,
                 "indicators": [ind_dict(r) for r in inds if r[1] == sg_id]}
                for sg_id, seq, title, goal in db.query(conn, "export/sub_goals", {"department_id": dep_id})
            ],
        })
        plans = db.query(conn, "export/plans", {"department_id": dep_id})
        goals = db.query(conn, "export/goals", {"department_id": dep_id})
        for pid, seq, pcode, pname, budget, fiscal, other, carry, purpose in db.query(
            conn, "export/projects", {"department_id": dep_id}
        ):
            proj: dict[str, Any] = {
                "seq": seq, "code": pcode, "name": pname, "department_code": code, "fiscal_year": year,
                "budget": _num(budget), "fiscal_funds": _num(fiscal), "other_funds": _num(other),
                "purpose": purpose,
                "plan": [{"month": m, "pct": _num(p)} for q, m, p in plans if q == pid],
                "goals": [t for q, _, t in goals if q == pid],
                "indicators": [ind_dict(r) for r in inds if r[0] == pid],
            }
            if carry:
                proj["carryover_funds"] = _num(carry)
            out["projects"].append(proj)
    return out

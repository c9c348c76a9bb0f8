"""``python -m perfwatch status``: the monitoring lights at an as-of date as JSON, CSV or text.

Opens an existing database read-only (so it runs beside the app); a missing one is created with
the default dataset like every other command.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import unicodedata
from datetime import date
from typing import Any, TextIO

import duckdb
import pandas as pd

from perfwatch import dataset, db, xlsx_safe
from perfwatch.cells import as_float, is_missing
from perfwatch.plan import PLAN_METHOD_LABELS
from perfwatch.status import Status, compute_status, last_data_date, to_json
from perfwatch.store import ValidationError
from perfwatch.vocab import LAGGING_LIGHTS, LIGHT_NAMES, LIGHTS

FORMATS = ("text", "json", "csv")
TABLES = ("projects", "indicators", "departments")

# CSV columns per table: (header, column, kind) with kind "amount"/"pct" rounded to 2 decimals.
CSV_COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "projects": [
        ("department_code", "department_code", "text"), ("code", "code", "text"), ("name", "name", "text"),
        ("budget", "budget", "amount"), ("spent", "spent", "amount"), ("execution_pct", "execution_pct", "pct"),
        ("expected_pct", "expected_pct", "pct"), ("time_pct", "time_pct", "pct"), ("ratio", "ratio", "pct"),
        ("gap_pp", "gap_pp", "pct"), ("execution_light", "execution_light", "text"),
        ("goal_light", "goal_light", "text"), ("combined_light", "combined_light", "text"),
        ("overspent", "overspent", "bool"), ("plan_shaped", "plan_shaped", "amount"),
        ("run_rate", "run_rate", "amount"), ("owner_projection", "owner_projection", "amount"),
        ("next_checkpoint_month", "next_checkpoint_month", "int"),
        ("to_next_checkpoint", "to_next_checkpoint", "amount"), ("reason", "reason", "text"),
    ],
    "indicators": [
        ("id", "indicator_id", "int"), ("department_code", "department_code", "text"),
        ("project_code", "project_code", "text"), ("sub_goal_seq", "sub_goal_seq", "int"),
        ("level1", "level1", "text"), ("level2", "level2", "text"), ("level3", "level3", "text"),
        ("target_text", "target_text", "text"), ("kind", "kind", "text"), ("actual", "actual", "pct"),
        ("expected", "expected", "pct"), ("light", "light", "text"), ("reason", "reason", "text"),
        ("likelihood", "likelihood", "text"), ("result_as_of", "result_as_of", "date"),
    ],
    "departments": [
        ("code", "department_code", "text"), ("name", "department_name", "text"), ("budget", "budget", "amount"),
        ("spent", "spent", "amount"), ("execution_pct", "execution_pct", "pct"),
        ("expected_pct", "expected_pct", "pct"), ("time_pct", "time_pct", "pct"), ("light", "light", "text"),
        ("goal_light", "goal_light", "text"), ("combined_light", "combined_light", "text"),
        ("reason", "execution_reason", "text"),
    ],
}


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD 格式，收到：{text}") from exc


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "status",
        parents=[common],
        help="截至某日的支出进度灯、指标灯和全年预计",
        description="按截止日期计算每个项目的支出进度灯（执行率对照计划应达进度）、绩效指标灯、"
        "全年预计执行数，以及部门和全部合计。",
    )
    p.add_argument("--as-of", type=_as_of, metavar="YYYY-MM-DD", help="截止日期（默认：最近有数据的月末）")
    p.add_argument("--department", metavar="CODE", help="只看一个部门（单位代码，如 315001）")
    p.add_argument("--year", type=int, metavar="YYYY", help="预算年度（默认：截止日期所在年度）")
    p.add_argument("--format", choices=FORMATS, default="text", help="输出格式：text（默认）、json、csv")
    p.add_argument("--table", choices=TABLES, default="projects", help="csv 输出哪张表（默认 projects）")
    p.set_defaults(func=cmd_status)


def _open(path_arg: str | None) -> duckdb.DuckDBPyConnection:
    path = db.resolve_db_path(path_arg)
    if path.exists():
        return db.open_database(path, read_only=True)
    return dataset.open_seeded(path)


def _department_id(conn: duckdb.DuckDBPyConnection, code: str, year: int) -> int:
    rows = [r for r in db.query(conn, "departments") if r[1] == code]
    if not rows:
        raise ValidationError(f"没有单位代码为 {code} 的部门。")
    for r in rows:
        if r[3] == year:
            return int(r[0])
    years = "、".join(str(r[3]) for r in rows)
    raise ValidationError(f"部门 {code} 没有 {year} 年度的数据（已有年度：{years}）。")


def cmd_status(args: argparse.Namespace) -> int:
    conn = _open(args.db)
    try:
        as_of: date = args.as_of or last_data_date(conn) or date.today()
        year = args.year or as_of.year
        dep_id = _department_id(conn, args.department, year) if args.department else None
        status = compute_status(conn, as_of, department_id=dep_id, fiscal_year=year)
    finally:
        conn.close()
    out = sys.stdout
    try:
        if args.format == "json":
            json.dump(to_json(status), out, ensure_ascii=False, indent=2)
            out.write("\n")
        elif args.format == "csv":
            write_csv(status, args.table, out)
        else:
            out.write(render_text(status))
        out.flush()
    except BrokenPipeError:  # e.g. piped into head: stop quietly
        sys.stdout = open(os.devnull, "w", encoding="utf-8")
    return 0


def _cell(value: Any, kind: str) -> str:
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return ""
    if kind in ("amount", "pct"):
        return f"{float(value):.2f}"
    if kind == "int":
        return str(int(value))
    if kind == "bool":
        return "true" if bool(value) else "false"
    if kind == "date":
        return pd.Timestamp(value).date().isoformat()
    return str(xlsx_safe.csv_safe(str(value)))  # a spreadsheet opening the CSV runs no formula


def write_csv(status: Status, table: str, out: TextIO) -> None:
    """One table of the status as CSV (amounts and percentages to 2 decimals)."""
    frame = getattr(status, table)
    cols = CSV_COLUMNS[table]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([h for h, _, _ in cols])
    data = [frame[c].tolist() for _, c, _ in cols]
    kinds = [k for _, _, k in cols]
    for row in zip(*data, strict=False):
        writer.writerow([_cell(v, k) for v, k in zip(row, kinds, strict=False)])


# --------------------------------------------------------------------------------------------
# Text


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in s)


def _fit(s: str, width: int) -> str:
    """Cut ``s`` to ``width`` display columns (CJK counts 2) with an ellipsis."""
    if _width(s) <= width:
        return s
    out = ""
    for ch in s:
        if _width(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def _pad(s: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(s))
    return gap + s if right else s + gap


def _table(headers: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    lines = ["  ".join(_pad(h, widths[i], i in right) for i, h in enumerate(headers))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, widths[i], i in right) for i, c in enumerate(r)) for r in rows]
    return lines


def _f(x: Any, suffix: str = "") -> str:
    return "—" if x is None or pd.isna(x) else f"{float(x):.2f}{suffix}"


def _counts(d: dict[str, int] | pd.Series, prefix: str) -> str:
    parts = [f"{LIGHT_NAMES[light]}{int(d[f'{prefix}{light}'])}" for light in LIGHTS if int(d[f"{prefix}{light}"])]
    return " ".join(parts) or "无"


def render_text(status: Status) -> str:
    """An aligned Chinese summary: totals, departments, projects and the lagging indicators."""
    t = status.total
    r = status.rules
    rule = "比值规则" if r.execution_rule == "ratio" else "百分点规则"
    lines = [
        f"绩效运行监控  截至 {status.as_of.isoformat()}  （{rule}；计划应达进度{PLAN_METHOD_LABELS[r.plan_method]}）",
        "",
        f"合计：{t['n_departments']} 个部门，{t['n_projects']} 个项目，预算 {t['budget']:.2f} 万元，"
        f"已支出 {t['spent']:.2f} 万元，执行率 {_f(t['execution_pct'], '%')}，计划应达 {t['expected_pct']:.2f}%，"
        f"序时进度 {t['time_pct']:.2f}%，支出灯 {LIGHT_NAMES[t['light']]}",
        f"      项目综合灯：{_counts(t, 'projects_')}；指标灯：{_counts(t, 'indicators_')}",
        "",
    ]
    if status.departments.empty:
        lines.append("没有符合条件的部门。")
        return "\n".join(lines) + "\n"
    dep_rows = [
        [str(d.department_code), _fit(str(d.department_name), 24), _f(d.budget), _f(d.spent), _f(d.execution_pct, "%"),
         _f(d.expected_pct, "%"), _f(d.time_pct, "%"), LIGHT_NAMES[str(d.light)], LIGHT_NAMES[str(d.goal_light)]]
        for d in status.departments.itertuples(index=False)
    ]
    lines += _table(["单位代码", "部门", "预算(万元)", "已支出", "执行率", "计划应达", "序时进度", "支出灯", "目标灯"],
                    dep_rows, {2, 3, 4, 5, 6})
    lines.append("")
    proj_rows = [
        [str(p.department_code), str(p.seq), _fit(str(p.name), 30), _f(p.budget), _f(p.spent), _f(p.execution_pct, "%"),
         _f(p.expected_pct, "%"), "—" if is_missing(p.ratio) else f"{as_float(p.ratio):.1f}",
         LIGHT_NAMES[str(p.execution_light)] + ("·超预算" if p.overspent else ""), LIGHT_NAMES[str(p.goal_light)],
         LIGHT_NAMES[str(p.combined_light)], _f(p.plan_shaped), _f(p.run_rate), _f(p.owner_projection)]
        for p in status.projects.itertuples(index=False)
    ]
    lines += _table(
        ["单位", "序", "项目", "预算(万元)", "已支出", "执行率", "计划应达", "比值", "支出灯", "目标灯", "综合灯",
         "预计(按计划)", "预计(按月均)", "预计(负责人)"],
        proj_rows, {1, 3, 4, 5, 6, 7, 11, 12, 13},
    )
    lagging = status.indicators[status.indicators["light"].isin(list(LAGGING_LIGHTS))]
    lines.append("")
    lines.append(f"红灯、黄灯指标（{len(lagging)} 个）：")
    for i in lagging.itertuples(index=False):
        owner = i.project_name if isinstance(i.project_name, str) else f"部门整体·{i.sub_goal_title}"
        lines.append(f"  [{LIGHT_NAMES[str(i.light)]}] {_fit(owner, 30)} / {i.level3}（{i.target_text}）：{i.reason}")
    return "\n".join(lines) + "\n"



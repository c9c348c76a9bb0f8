"""``python -m perfwatch import-spend|import-results``: bring actual spend and indicator results in
from CSV or XLSX files.

The command line acts on the file directly with the ``system`` role, named ``cli:<os user>`` in
the audit log (or ``--user NAME``). A file with any error writes nothing (exit 2, one line per
problem naming file, row and column); ``--dry-run`` checks and shows what would change.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from perfwatch import entry
from perfwatch.cli import cli_actor
from perfwatch.cli import open_existing as _open
from perfwatch.importers.results import RESULT_FIELDS, parse_results
from perfwatch.importers.sheets import RowError
from perfwatch.importers.spend import SPEND_FIELDS, UNITS, parse_spend
from perfwatch.store import ValidationError


def _read(path_text: str) -> tuple[bytes, str]:
    path = Path(path_text)
    try:
        return path.read_bytes(), path.name
    except OSError as exc:
        raise ValidationError(f"无法读取文件 {path}：{exc.strerror or exc}") from exc


def _mapping(items: list[str] | None, fields: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, header = item.partition("=")
        key = key.strip()
        if not sep or key not in fields or not header.strip():
            raise ValidationError(f"--map 的格式为 字段=表头，字段为 {'/'.join(fields)} 之一；收到：{item}")
        out[key] = header.strip()
    return out


def _errors(errors: Sequence[RowError]) -> int:
    for e in errors:
        print(f"错误：{e}", file=sys.stderr)
    print(f"共 {len(errors)} 处错误，未导入任何数据。", file=sys.stderr)
    return 2


def _money(v: Decimal | float | None) -> str:
    return "—" if v is None else f"{float(v):.2f}"


def cmd_import_spend(args: argparse.Namespace) -> int:
    data, name = _read(args.file)
    sf = parse_spend(data, name, mapping=_mapping(args.map, SPEND_FIELDS), unit=args.unit)
    conn = _open(args)
    try:
        plan = entry.plan_spend_import(conn, sf)
        unit_from = {"header": "来自表头", "given": "由 --unit 指定", "default": "默认"}[sf.unit_source]
        print(f"文件 {name}：{plan.rows_read} 行有效数据，金额单位 {plan.unit}（{unit_from}）")
        if plan.errors:
            return _errors(sorted(plan.errors, key=lambda e: e.row or 0))
        print(f"覆盖月份：{'、'.join(entry.month_label(m) for m in plan.months) or '—'}；"
              f"更新 {len(plan.changes)} 个项目月份，{len(plan.unchanged)} 个不变")
        for ch in plan.changes:
            print(f"  {ch.label}：{_money(ch.old_amount)} → {_money(ch.amount)} 万元"
                  f"（文件第 {'、'.join(str(r) for r in ch.rows)} 行）")
        for w in plan.warnings:
            print(f"提示：{w}")
        for w in plan.over_budget:
            print(f"警告：{w}")
        if plan.over_budget and not args.confirm_over_budget:
            print("支出超过预算：请核对金额单位；确认无误请加 --confirm-over-budget 重新运行。未导入任何数据。",
                  file=sys.stderr)
            return 2
        if args.dry_run:
            print("试运行（--dry-run）：未写入任何数据。")
            return 0
        result = entry.commit_spend_import(conn, cli_actor(args.user), plan,
                                           confirm_over_budget=args.confirm_over_budget)
    finally:
        conn.close()
    batch = f"，保存批次 #{'、#'.join(str(b) for b in result.batch_ids)}" if result.batch_ids else ""
    print(f"已导入：写入 {result.written} 条，{result.unchanged} 条与现有数值相同{batch}。")
    return 0


def cmd_import_results(args: argparse.Namespace) -> int:
    data, name = _read(args.file)
    rf = parse_results(data, name, mapping=_mapping(args.map, RESULT_FIELDS))
    conn = _open(args)
    try:
        plan = entry.plan_results_import(conn, rf)
        print(f"文件 {name}：{len(rf.rows)} 行数据，{len(plan.inputs)} 行待导入，{plan.skipped} 行未填写（跳过）")
        if plan.errors:
            return _errors(sorted(plan.errors, key=lambda e: e.row or 0))
        for inp, label in zip(plan.inputs, plan.labels, strict=False):
            value = inp.rating or (inp.done_date.isoformat() if inp.done_date else None) or (
                "（未完成）" if inp.value is None else f"{inp.value:g}")
            print(f"  {label} 截至 {inp.as_of.isoformat()}：{value}"
                  + (f"，{inp.likelihood}" if inp.likelihood else ""))
        if args.dry_run:
            print("试运行（--dry-run）：未写入任何数据。")
            return 0
        result = entry.commit_results_import(conn, cli_actor(args.user), plan)
    finally:
        conn.close()
    batch = f"，保存批次 #{'、#'.join(str(b) for b in result.batch_ids)}" if result.batch_ids else ""
    print(f"已导入：写入 {result.written} 条，{result.unchanged} 条与现有填报相同{batch}。")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "import-spend", parents=[common], help="导入实际支出（CSV/XLSX：逐笔或按期合计）",
        description="导入实际支出。表头至少包含 项目编码、支出日期、支出金额（或 project_code,date,amount）。"
                    "日期可为具体日期（逐笔）、月份（2024-03）或季度（2024Q1）。文件覆盖的每个项目月份，"
                    "以文件中该月合计替换原数（原数保留在历史中），重复导入不会重复计算。",
    )
    p.add_argument("file", metavar="FILE", help="CSV 或 XLSX 文件")
    p.add_argument("--unit", choices=UNITS, help="金额单位（表头未注明时使用；默认 元）")
    p.add_argument("--dry-run", action="store_true", help="只检查并显示将要进行的更改，不写入")
    p.add_argument("--confirm-over-budget", action="store_true", help="确认导入后超过预算的支出")
    p.add_argument("--map", action="append", metavar="FIELD=HEADER",
                   help="指定列：project_code/date/amount=文件中的表头（可重复）")
    p.add_argument("--user", metavar="NAME", help="记入审计日志的操作人（默认：操作系统用户）")
    p.set_defaults(func=cmd_import_spend)

    p = subparsers.add_parser(
        "import-results", parents=[common], help="导入指标完成情况（CSV/XLSX 或下载的填报模板）",
        description="导入指标完成情况：每行一个指标和截止日期。用 指标编号（indicator_id）或 项目编码+三级指标"
                    "（同名时加二级指标）定位指标，再加 截止日期、完成值、完成可能性、偏差原因、纠偏措施。",
    )
    p.add_argument("file", metavar="FILE", help="CSV 或 XLSX 文件")
    p.add_argument("--dry-run", action="store_true", help="只检查并显示将要导入的内容，不写入")
    p.add_argument("--map", action="append", metavar="FIELD=HEADER", help="指定列：字段=文件中的表头（可重复）")
    p.add_argument("--user", metavar="NAME", help="记入审计日志的操作人（默认：操作系统用户）")
    p.set_defaults(func=cmd_import_results)

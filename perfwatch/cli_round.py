"""``python -m perfwatch import-declarations|export-declarations``: the owners' round declarations
(全年预计执行数, 支出偏差原因, 纠偏措施, 项目进展) from and to CSV/XLSX files.

Like the other importers the command line acts with the ``system`` role, named ``cli:<os user>``
in the audit log (or ``--user NAME``). A file with any error writes nothing (exit 2, one line per
problem naming file, row and column); ``--dry-run`` checks and shows what would be written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from perfwatch import db, declarations
from perfwatch.cli import cli_actor, open_existing
from perfwatch.store import ValidationError


def _read(path_text: str) -> tuple[bytes, str]:
    path = Path(path_text)
    try:
        return path.read_bytes(), path.name
    except OSError as exc:
        raise ValidationError(f"无法读取文件 {path}：{exc.strerror or exc}") from exc


def cmd_import_declarations(args: argparse.Namespace) -> int:
    data, name = _read(args.file)
    conn = open_existing(args)
    try:
        plan = declarations.plan_import(conn, data, name)
        print(f"文件 {name}：{len(plan.declarations)} 个项目待导入，{plan.skipped} 行空行（跳过）")
        if plan.errors:
            for e in sorted(plan.errors, key=lambda e: e.row or 0):
                print(f"错误：{e}", file=sys.stderr)
            print(f"共 {len(plan.errors)} 处错误，未导入任何数据。", file=sys.stderr)
            return 2
        for d, label in zip(plan.declarations, plan.labels, strict=False):
            causes = "、".join(d.cause_categories)
            print(f"  {label} 截至 {d.as_of.isoformat()}：全年预计执行数 {float(str(d.projected_amount)):.2f} 万元"
                  + (f"；偏差原因：{causes + '：' if causes else ''}{d.cause_text}" if d.cause_text else "")
                  + (f"；纠偏措施：{d.measure}" if d.measure else ""))
        if args.dry_run:
            print("试运行（--dry-run）：未写入任何数据。")
            return 0
        written = declarations.commit_import(conn, cli_actor(args.user), plan)
    finally:
        conn.close()
    print(f"已导入：写入 {len(written)} 条，{len(plan.declarations) - len(written)} 条与现有填报相同。")
    return 0


def _date(text: str) -> dt.date:
    try:
        return declarations.parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from exc


def cmd_export_declarations(args: argparse.Namespace) -> int:
    conn = open_existing(args)
    try:
        rows = db.query(conn, "departments")
        wanted = [r for r in rows if int(r[3]) == args.as_of.year and (args.department is None or r[1] == args.department)]
        if not wanted:
            raise ValidationError(f"没有 {args.as_of.year} 年度的部门" + (f"“{args.department}”" if args.department else "") + "。")
        data = declarations.template(conn, int(wanted[0][0]), args.as_of)
    finally:
        conn.close()
    out = Path(args.out)
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise ValidationError(f"无法写入 {out}：{exc.strerror or exc}") from exc
    print(f"已导出项目填报模板：{out}（部门 {wanted[0][1]} {wanted[0][2]}，截至 {args.as_of.isoformat()}）")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "import-declarations", parents=[common], help="导入项目填报（全年预计执行数、偏差原因、纠偏措施、项目进展）",
        description="导入各项目本期填报：表头 project_code,as_of,projected_amount,cause_categories,cause,measure,"
                    "progress 或 项目编码,截至日期,全年预计执行数,偏差原因类别,偏差原因,纠偏措施,项目进展。"
                    "截至日期为月末；全年预计执行数（万元）在 0 与预算数之间；支出进度为黄灯或红灯时必须填写"
                    "偏差原因类别、偏差原因和纠偏措施。任何一行有错则整个文件不导入。",
    )
    p.add_argument("file", metavar="FILE", help="CSV 或 XLSX 文件（可用 export-declarations 导出的模板）")
    p.add_argument("--dry-run", action="store_true", help="只检查并显示将要导入的内容，不写入")
    p.add_argument("--user", metavar="NAME", help="记入审计日志的操作人（默认：操作系统用户）")
    p.set_defaults(func=cmd_import_declarations)

    p = subparsers.add_parser(
        "export-declarations", parents=[common], help="导出项目填报 Excel 模板（预填当前填报和支出进度灯）",
        description="导出一个部门各项目的项目填报模板（.xlsx），预填截至日期的当前填报和支出进度灯。",
    )
    p.add_argument("--as-of", type=_date, required=True, metavar="YYYY-MM-DD", help="截至日期（月末）")
    p.add_argument("--department", metavar="CODE", help="部门编码（默认：该年度的第一个部门）")
    p.add_argument("--out", required=True, metavar="PATH", help="输出的 .xlsx 文件")
    p.set_defaults(func=cmd_export_declarations)

"""CLI: ``import-targets`` (document text, PDF, .docx, Excel template or sheet) and ``export-targets``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from perfwatch import db, milestones
from perfwatch.cli import cli_actor, open_existing
from perfwatch.dataset import export_dataset, load_targets
from perfwatch.importers.targets import read_targets
from perfwatch.importers.targets_tables import DEFAULT_PLAN
from perfwatch.importers.targets_text import TargetsParseError, to_json
from perfwatch.importers.targets_xlsx import write_template
from perfwatch.indicator_edit import (
    NATURE_LABELS,
    find_indicator,
    milestones_text,
    parse_milestones,
    set_milestones,
    set_nature,
)
from perfwatch.store import ValidationError

SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}


def cmd_import_targets(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"无法读取文件 {path}：{exc.strerror or exc}") from exc
    try:
        result = read_targets(
            path.name, content, fiscal_year=args.fiscal_year, progress=_progress_counter(path.name),
            default_plan=parse_plan_option(args.default_plan),
        )
    except TargetsParseError as exc:
        raise ValidationError(f"{path.name}：{exc}") from exc
    errors = [f for f in result.findings if f.severity == "error"]
    summary: dict[str, Any] | None = None
    if not args.dry_run and not errors:
        conn = db.open_database(args.db)
        try:
            summary = load_targets(conn, cli_actor(args.user), result.data, source=path.name).as_dict()
        finally:
            conn.close()
    if args.format == "json":
        out = to_json(result)
        out["written"] = summary
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        data = result.data
        n_ind = sum(len(p["indicators"]) for p in data["projects"])
        n_sub = sum(len(sg["indicators"]) for d in data["departments"] for sg in d.get("sub_goals") or [])
        total = sum(p["budget"] for p in data["projects"])
        for d in data["departments"]:
            print(f"部门：{d['code']} {d['name']} {d['fiscal_year']} 年度，分项目标 {len(d.get('sub_goals') or [])} 个")
        print(f"项目 {len(data['projects'])} 个，预算合计 {total:.2f} 万元；项目指标 {n_ind} 个，部门整体指标 {n_sub} 个")
        for f in result.findings:
            print(f"  [{SEVERITY_LABELS.get(f.severity, f.severity)}] {f.where}：{f.message}")
        if args.dry_run:
            print("试运行：未写入数据库。")
        elif errors:
            print("存在错误，未写入数据库。")
        elif summary:
            print(
                f"已写入：新增项目 {summary['projects_added']}，更新项目 {summary['projects_updated']}，"
                f"停用项目 {summary['projects_retired']}；新增指标 {summary['indicators_added']}，"
                f"更新指标 {summary['indicators_updated']}，停用指标 {summary['indicators_retired']}"
            )
            for w in summary["warnings"]:
                print(f"  [警告] {w}")
    return 1 if errors else 0


def cmd_export_targets(args: argparse.Namespace) -> int:
    conn = db.open_database(args.db, read_only=True)
    try:
        data = export_dataset(conn)
    finally:
        conn.close()
    out = Path(args.out)
    if out.suffix.lower() == ".json":
        out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    else:
        out.write_bytes(write_template(data if not args.blank else None))
    print(f"已导出：{out}")
    return 0


def _indicator(args: argparse.Namespace, conn: Any) -> Any:
    return find_indicator(conn, args.department, args.project, args.indicator, args.fiscal_year)


def cmd_indicator_set_nature(args: argparse.Namespace) -> int:
    conn = open_existing(args)
    try:
        ind = _indicator(args, conn)
        changed = set_nature(conn, cli_actor(args.user), ind, args.nature)
    finally:
        conn.close()
    label = NATURE_LABELS[args.nature]
    if changed:
        old = NATURE_LABELS.get(ind.nature or "", "未设置")
        print(f"已设置指标“{ind.level3}”的性质：{old} → {label}（已记入操作日志）")
    else:
        print(f"指标“{ind.level3}”的性质已是{label}，未改动。")
    return 0


def cmd_indicator_set_milestones(args: argparse.Namespace) -> int:
    pairs = parse_milestones(args.milestones)
    conn = open_existing(args)
    try:
        ind = _indicator(args, conn)
        changed = set_milestones(conn, cli_actor(args.user), ind, pairs)
    finally:
        conn.close()
    if changed:
        print(f"已设置指标“{ind.level3}”的里程碑（月末累计）：{milestones_text(pairs)}（已记入操作日志）")
    else:
        print(f"指标“{ind.level3}”的里程碑未变：{milestones_text(pairs)}。")
    return 0


def _progress_counter(name: str) -> Callable[[int, int], None]:
    """A page counter on stderr for long PDFs ("读取 x.pdf：第 12/200 页"), overwritten in place."""
    def show(done: int, total: int) -> None:
        if total >= 5:
            end = "\n" if done == total else ""
            print(f"\r读取 {name}：第 {done}/{total} 页", end=end, file=sys.stderr, flush=True)
    return show


def parse_plan_option(text: str | None) -> tuple[tuple[int, float], ...]:
    """"3:25,6:50,9:75,12:100" -> ((3, 25.0), …); the default plan for documents without one."""
    if not text:
        return DEFAULT_PLAN
    try:
        plan = tuple((int(m), float(p)) for m, p in (part.split(":") for part in text.split(",")))
    except ValueError as exc:
        raise ValidationError(f"--default-plan 格式应为“月:累计%”，以逗号分隔，如 3:25,6:50,9:75,12:100，收到“{text}”") from exc
    months = [m for m, _ in plan]
    pcts = [p for _, p in plan]
    if not plan or months != sorted(set(months)) or not all(1 <= m <= 12 for m in months) \
            or pcts != sorted(pcts) or pcts[-1] != 100:
        raise ValidationError(f"--default-plan 应为逐月递增、最后为 100 的累计比例，收到“{text}”")
    return plan


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "import-targets", parents=[common], help="导入绩效目标表（.txt/.pdf/.docx/.xlsx）",
        description="读取绩效目标表（PDF 提取的文本、PDF、Word .docx、Excel 模板或 Excel 表格），显示审核发现，并在一个事务中写入数据库。"
                    "同一部门和年度再次导入时按项目编码和指标路径原位更新，旧版本保留在历史中。",
    )
    p.add_argument("file", metavar="FILE", help="绩效目标文件（.txt / .pdf / .docx / .xlsx）")
    p.add_argument("--dry-run", action="store_true", help="只解析和审核，不写入数据库")
    p.add_argument("--format", choices=["text", "json"], default="text", help="输出格式（默认 text）")
    p.add_argument("--fiscal-year", type=int, help="文件中无法识别年度时指定年度")
    p.add_argument("--default-plan", metavar="PLAN",
                   help="文件没有资金支出计划时使用的累计计划，如 3:25,6:50,9:75,12:100（默认值）")
    p.add_argument("--user", help="记入操作日志的操作人（默认 cli:<系统用户名>）")
    p.set_defaults(func=cmd_import_targets)
    p = sub.add_parser(
        "export-targets", parents=[common], help="导出绩效目标到 Excel 模板或 JSON",
        description="把数据库中的绩效目标导出为 Excel 模板（.xlsx）或数据集（.json），可修改后用 import-targets 导回。",
    )
    p.add_argument("--out", required=True, metavar="PATH", help="输出文件（.xlsx 或 .json）")
    p.add_argument("--blank", action="store_true", help="导出空白模板")
    p.set_defaults(func=cmd_export_targets)

    ind = sub.add_parser("indicator", help="修改指标的性质或里程碑",
                         description="修改数量指标的性质（流量/存量/一次性/集中开展）或里程碑，写入操作日志。")
    isub = ind.add_subparsers(dest="indicator_command", metavar="ACTION")
    isub.required = True
    which = argparse.ArgumentParser(add_help=False)
    which.add_argument("--department", required=True, metavar="CODE", help="部门（实施单位）编码，如 315001")
    which.add_argument("--project", metavar="CODE", help="项目编码（省略则为部门整体指标）")
    which.add_argument("--indicator", required=True, type=int, metavar="SEQ", help="指标序号（项目内第几个指标）")
    which.add_argument("--fiscal-year", type=int, help="年度（默认该部门最新年度）")
    which.add_argument("--user", help="记入操作日志的操作人（默认 cli:<系统用户名>）")
    p = isub.add_parser("set-nature", parents=[common, which], help="设置数量指标的性质",
                        description="设置数量指标的性质：flow 流量（按序时）、stock 存量（按全年目标）、"
                                    "one_off 一次性（计划月份前未到期）、scheduled 集中开展（按里程碑或第四季度起）。")
    p.add_argument("--nature", required=True, metavar="NATURE", help="flow|stock|one_off|scheduled")
    p.set_defaults(func=cmd_indicator_set_nature)
    p = isub.add_parser("set-milestones", parents=[common, which], help="设置数量指标的里程碑",
                        description="设置数量指标的里程碑（月末累计值），如 \"6月:2;12月:4\"（也可写 6:2,12:4）；"
                                    "空字符串清除里程碑。")
    p.add_argument("--milestones", required=True, metavar="TEXT", help=milestones.FORMAT_HELP)
    p.set_defaults(func=cmd_indicator_set_milestones)

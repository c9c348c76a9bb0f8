"""``python -m perfwatch report``: the official outputs from the CLI, and the settings they need.

    python -m perfwatch report --as-of 2024-07-31 --kind form --format xlsx --out 监控表.xlsx [--department 315001]
    python -m perfwatch report --kind department --out 部门整体.xlsx
    python -m perfwatch report --kind summary --departments 315001,315002 --out 汇总表.xlsx
    python -m perfwatch report --kind report --format docx --out 监控报告.docx [--project CODE]
    python -m perfwatch report --kind brief --format pdf --out 简报.pdf
    python -m perfwatch department set --department 315001 --supervisor-name 巨鹿县司法局 --supervisor-code 315
    python -m perfwatch report-settings --basis "依据《…》（冀财绩〔2022〕4号）" --cut-threshold 10
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
from pathlib import Path

import duckdb

from perfwatch import db
from perfwatch.reports import catalog, data, declared
from perfwatch.reports.fonts import FontNotFound
from perfwatch.store import ValidationError

FORMATS: tuple[str, ...] = ("xlsx", "pdf", "docx")
KINDS: tuple[str, ...] = ("form", "department", "summary", "report", "brief")
# Formats each kind is made in (the first is the default).
KIND_FORMATS: dict[str, tuple[str, ...]] = {
    "form": ("xlsx",), "department": ("xlsx",), "summary": ("xlsx",), "report": ("docx", "pdf"), "brief": ("pdf",),
}
KIND_NAMES: dict[str, str] = {
    "form": "项目支出绩效目标执行监控表", "department": "部门整体绩效目标执行监控表", "summary": "监控汇总表",
    "report": "预算绩效运行监控报告", "brief": "运行监控简报",
}
# Without --kind: the format says which output (the original behaviour: xlsx form, pdf brief).
DEFAULT_KIND: dict[str, str] = {"xlsx": "form", "pdf": "brief", "docx": "report"}


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD，收到：{text}") from exc


def pick_department(conn: duckdb.DuckDBPyConnection, code: str | None, year: int | None) -> tuple[int, str, str, int]:
    """The department-year a report is for: ``code`` (or the only department) in ``year``
    (or its newest year). Raises :class:`ValidationError` with the choices when ambiguous."""
    found = data.departments(conn, code)
    if not found:
        raise ValidationError(f"数据库中没有单位代码为 {code} 的部门。" if code else "数据库中还没有部门，请先导入绩效目标。")
    if year is not None:
        in_year = [d for d in found if d[3] == year]
        if not in_year:
            years = "、".join(sorted({str(d[3]) for d in found}))
            raise ValidationError(f"{year} 年度没有{'该' if code else ''}部门的绩效目标（已有年度：{years}）。")
        found = in_year
    else:
        newest = max(d[3] for d in found)
        found = [d for d in found if d[3] == newest]
    if len(found) > 1:
        choices = "、".join(f"{d[1]} {d[2]}" for d in found)
        raise ValidationError(f"数据库中有多个部门，请用 --department 指定单位代码：{choices}")
    return found[0]


def _write_atomic(out: Path, payload: bytes) -> None:
    """Write ``payload`` to ``out`` via a temporary file, so a failure never leaves half a file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".perfwatch-", suffix=out.suffix, dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _kind_and_format(args: argparse.Namespace, out: Path) -> tuple[str, str]:
    fmt = args.format or out.suffix.lower().lstrip(".")
    kind = args.kind
    if fmt not in FORMATS:
        if kind is None:
            raise ValidationError(f"无法判断输出格式：请用 --format {'|'.join(FORMATS)} 指定，或使用 .xlsx/.pdf/.docx 文件名。")
        fmt = KIND_FORMATS[kind][0]
    kind = kind or DEFAULT_KIND[fmt]
    if fmt not in KIND_FORMATS[kind]:
        allowed = "/".join(KIND_FORMATS[kind])
        raise ValidationError(f"{KIND_NAMES[kind]}只提供 {allowed} 格式，收到：{fmt}")
    return kind, fmt


def _summary_departments(conn: duckdb.DuckDBPyConnection, codes: str | None, year: int | None) -> list[tuple[int, str, str, int]]:
    if not codes:
        found = data.departments(conn)
        if not found:
            raise ValidationError("数据库中还没有部门，请先导入绩效目标。")
        newest = year if year is not None else max(d[3] for d in found)
        chosen = [d for d in found if d[3] == newest]
        if not chosen:
            raise ValidationError(f"{newest} 年度没有部门的绩效目标。")
        return chosen
    return [pick_department(conn, c.strip(), year) for c in codes.replace("，", ",").split(",") if c.strip()]


def _project_id(report: data.DepartmentReport, code: str | None) -> int | None:
    if not code:
        return None
    for p in report.projects:
        if p.code == code or str(p.seq) == code:
            return p.project_id
    raise ValidationError(f"{report.name} 没有项目编码为 {code} 的项目。")


def cmd_report(args: argparse.Namespace) -> int:
    out = Path(args.out).expanduser()
    kind, fmt = _kind_and_format(args, out)
    conn = db.open_database(args.db, read_only=True)
    try:
        year = args.as_of.year if args.as_of else None
        if kind == "summary":
            deps = _summary_departments(conn, args.departments or args.department, year)
        else:
            deps = [pick_department(conn, args.department, year)]
        first = deps[0]
        as_of = args.as_of or data.month_end(first[3], data.default_month(conn, first[0], first[3]))
        project_id = None
        try:
            if kind == "report" and args.project:
                project_id = _project_id(data.build_report(conn, first[0], as_of=as_of), args.project)
            result = catalog.generate(conn, kind, fmt, [d[0] for d in deps], as_of, project_id=project_id)
            report = data.build_report(conn, first[0], as_of=as_of)
        except data.ReportError as exc:
            raise ValidationError(str(exc)) from exc
        except FontNotFound as exc:
            raise ValidationError(str(exc)) from exc
    finally:
        conn.close()
    _write_atomic(out, result.payload)
    print(f"已生成{KIND_NAMES[kind]}：{out}")
    if kind == "summary":
        print(f"单位 {len(deps)} 个：" + "、".join(f"{d[1]} {d[2]}" for d in deps) + f"　截至 {as_of:%Y-%m-%d}")
        return 0
    print(f"部门：{report.code} {report.name}　期间：{report.fiscal_year}年{report.period}（截至 {report.as_of:%Y-%m-%d}）")
    print(f"项目 {len(report.projects)} 个，滞后 {len(report.lagging)} 个："
          + ("、".join(f"{p.seq}.{p.name}" for p in report.lagging) or "无"))
    return 0


def cmd_department_set(args: argparse.Namespace) -> int:
    from perfwatch.cli import cli_actor, open_existing

    conn = open_existing(args)
    try:
        dep_id, code, name, year = pick_department(conn, args.department, args.year)
        declared.set_supervisor(conn, cli_actor(args.user), dep_id, args.supervisor_name, args.supervisor_code or "")
        print(f"已设置 {code} {name}（{year}年度）的主管部门：{declared.supervisor(conn, dep_id).label()}")
    finally:
        conn.close()
    return 0


def cmd_report_settings(args: argparse.Namespace) -> int:
    from perfwatch.cli import cli_actor, open_existing

    conn = open_existing(args)
    try:
        actor = cli_actor(args.user)
        if args.basis is not None:
            declared.set_basis_line(conn, actor, args.basis)
        if args.cut_threshold is not None:
            declared.set_cut_threshold_pct(conn, actor, args.cut_threshold)
        print(f"简报和报告的依据：{declared.basis_line(conn)}")
        print(f"调减/收回建议阈值：全年预计执行数低于预算 {declared.cut_threshold_pct(conn):.2f}% 以上")
    finally:
        conn.close()
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "report",
        parents=[common],
        help="生成监控表、部门整体监控表、汇总表（xlsx），监控报告（docx/pdf）或简报（pdf）",
        description="按截止日期生成一个部门的《项目支出绩效目标执行监控表》（form，xlsx）、"
        "《部门整体绩效目标执行监控表》（department，xlsx）、监控汇总表（summary，xlsx，可多个单位）、"
        "预算绩效运行监控报告（report，docx/pdf）或运行监控简报（brief，pdf）。",
    )
    p.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD",
                   help="截止日期（1–N月取月末，如 2024-07-31；默认：最近有数据的月份月末）")
    p.add_argument("--kind", choices=KINDS,
                   help="输出种类：form 监控表 / department 部门整体 / summary 汇总表 / report 监控报告 / brief 简报"
                   "（默认按格式：xlsx→form，pdf→brief，docx→report）")
    p.add_argument("--format", choices=FORMATS, help="输出格式（默认按 --out 的扩展名）")
    p.add_argument("--out", required=True, metavar="PATH", help="输出文件路径")
    p.add_argument("--department", metavar="CODE", help="单位代码，如 315001（数据库中只有一个部门时可省略）")
    p.add_argument("--departments", metavar="CODES", help="汇总表的单位代码，逗号分隔（默认：该年度全部单位）")
    p.add_argument("--project", metavar="CODE", help="监控报告只写一个项目（项目编码或序号）")
    p.set_defaults(func=cmd_report)

    dep = subparsers.add_parser("department", help="部门属性：主管部门名称和代码")
    dsub = dep.add_subparsers(dest="department_command", required=True)
    ds = dsub.add_parser("set", parents=[common], help="设置主管部门名称和代码（保留历史）")
    ds.add_argument("--department", metavar="CODE", help="单位代码（实施单位），如 315001")
    ds.add_argument("--year", type=int, metavar="YYYY", help="预算年度（默认：最新年度）")
    ds.add_argument("--supervisor-name", required=True, metavar="NAME", help="主管部门名称，如 巨鹿县司法局")
    ds.add_argument("--supervisor-code", metavar="CODE", help="主管部门代码")
    ds.add_argument("--user", metavar="NAME", help="操作人（记入审计日志；默认：系统用户名）")
    ds.set_defaults(func=cmd_department_set)

    rs = subparsers.add_parser("report-settings", parents=[common], help="简报和报告的依据文字、调减建议阈值")
    rs.add_argument("--basis", metavar="TEXT", help="依据文字（适用的省级通知），空字符串恢复默认（财预〔2019〕136号）")
    rs.add_argument("--cut-threshold", metavar="PCT", help="全年预计执行数低于预算多少百分比时建议调减/收回（默认10）")
    rs.add_argument("--user", metavar="NAME", help="操作人（记入审计日志；默认：系统用户名）")
    rs.set_defaults(func=cmd_report_settings)

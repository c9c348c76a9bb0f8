"""``python -m perfwatch report``: the monitoring form (.xlsx) or the briefing (.pdf) from the CLI.

    python -m perfwatch report --as-of 2024-07-31 --format xlsx --out 监控表.xlsx [--db PATH] [--department 315001]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
from pathlib import Path

from perfwatch import db
from perfwatch.reports import briefing, data, monitoring_form
from perfwatch.reports.fonts import FontNotFound
from perfwatch.store import ValidationError

FORMATS: tuple[str, ...] = ("xlsx", "pdf")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD，收到：{text}") from exc


def pick_department(conn: object, code: str | None, year: int | None) -> tuple[int, str, str, int]:
    """The department-year a report is for: ``code`` (or the only department) in ``year``
    (or its newest year). Raises :class:`ValidationError` with the choices when ambiguous."""
    found = data.departments(conn, code)  # type: ignore[arg-type]
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


def cmd_report(args: argparse.Namespace) -> int:
    out = Path(args.out).expanduser()
    fmt = args.format or out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValidationError(f"无法判断输出格式：请用 --format {'|'.join(FORMATS)} 指定，或使用 .xlsx/.pdf 文件名。")
    conn = db.open_database(args.db, read_only=True)
    try:
        dep_id, code, name, year = pick_department(conn, args.department, args.as_of.year if args.as_of else None)
        try:
            report = data.build_report(conn, dep_id, as_of=args.as_of)
        except data.ReportError as exc:
            raise ValidationError(str(exc)) from exc
    finally:
        conn.close()
    try:
        payload = monitoring_form.workbook_bytes(report) if fmt == "xlsx" else briefing.build_pdf(report)
    except FontNotFound as exc:
        raise ValidationError(str(exc)) from exc
    _write_atomic(out, payload)
    kind = "绩效目标执行监控表" if fmt == "xlsx" else "运行监控简报"
    print(f"已生成{kind}：{out}")
    print(f"部门：{code} {name}　期间：{year}年{report.period}（截至 {report.as_of:%Y-%m-%d}）")
    print(f"项目 {len(report.projects)} 个，滞后 {len(report.lagging)} 个："
          + ("、".join(f"{p.seq}.{p.name}" for p in report.lagging) or "无"))
    return 0


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "report",
        parents=[common],
        help="生成绩效目标执行监控表（xlsx）或运行监控简报（pdf）",
        description="按截止日期生成一个部门的《项目支出绩效目标执行监控表》（Excel，每个项目一张表另附汇总表）"
        "或运行监控简报（PDF）。",
    )
    p.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD",
                   help="截止日期（1–N月取月末，如 2024-07-31；默认：最近有数据的月份月末）")
    p.add_argument("--format", choices=FORMATS, help="输出格式（默认按 --out 的扩展名）")
    p.add_argument("--out", required=True, metavar="PATH", help="输出文件路径")
    p.add_argument("--department", metavar="CODE", help="单位代码，如 315001（数据库中只有一个部门时可省略）")
    p.set_defaults(func=cmd_report)

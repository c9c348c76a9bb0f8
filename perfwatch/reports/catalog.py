"""Every official output by kind and format, made in one call: the CLI and the 报表导出 page both use
:func:`generate`, so a file downloaded from the page is the file the command line writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pandas as pd

from perfwatch.reports import (
    briefing,
    data,
    department_form,
    monitoring_form,
    report_docx,
    report_pdf,
    summary,
)

Progress = Callable[[float, str], None]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
MIME: dict[str, str] = {"xlsx": XLSX, "docx": DOCX, "pdf": PDF}


@dataclass(frozen=True)
class Kind:
    key: str
    title: str
    formats: tuple[str, ...]
    description: str


KINDS: tuple[Kind, ...] = (
    Kind("form", "项目支出绩效目标执行监控表", ("xlsx",),
         "每个项目一张表（财预〔2019〕136号格式），另附部门汇总表和“系统测算”表；A4 横向打印。"),
    Kind("department", "部门整体绩效目标执行监控表", ("xlsx",),
         "总体目标及执行情况，4 类分项目标及其指标，偏差原因、完成可能性和备注。"),
    Kind("summary", "监控汇总表", ("xlsx",),
         "按项目、按单位各一张，按滞后程度排序，含合计；供主管部门和财政局汇总。"),
    Kind("report", "预算绩效运行监控报告", ("docx", "pdf"),
         "按一至七部分起草的书面报告，数字取自本期监控数据；Word 版可直接修改。"),
    Kind("brief", "运行监控简报", ("pdf",),
         "封面、总体情况、支出进度图、滞后项目、指标完成情况和部门整体目标。"),
)
BY_KEY: dict[str, Kind] = {k.key: k for k in KINDS}


@dataclass(frozen=True)
class Output:
    payload: bytes
    file_name: str
    mime: str


def generate(
    conn: duckdb.DuckDBPyConnection,
    kind: str,
    fmt: str,
    department_ids: list[int],
    as_of: dt.date,
    *,
    project_id: int | None = None,
    progress: Progress | None = None,
) -> Output:
    """Make one output. ``department_ids`` has one unit except for the summary.

    Raises :class:`data.ReportError` (Chinese) for an impossible request and
    :class:`perfwatch.reports.fonts.FontNotFound` when a PDF has no CJK font.
    """
    spec = BY_KEY.get(kind)
    if spec is None or fmt not in spec.formats:
        raise data.ReportError(f"{spec.title if spec else kind}没有 {fmt} 格式。")
    if not department_ids:
        raise data.ReportError("请至少选择一个单位。")
    tick = progress or (lambda _f, _t: None)
    if kind == "summary":
        summ = summary.build_summary(conn, department_ids, as_of,
                                     progress=lambda f, t: tick(0.8 * f, f"已汇总：{t}"))
        tick(0.9, "正在写入 Excel……")
        out = Output(summary.workbook_bytes(summ), summary.file_name(summ), XLSX)
        tick(1.0, "完成")
        return out
    tick(0.1, "正在读取监控数据……")
    report = data.build_report(conn, department_ids[0], as_of=as_of)
    tick(0.6, f"正在生成{spec.title}……")
    if kind == "form":
        out = Output(monitoring_form.workbook_bytes(report), monitoring_form.file_name(report), XLSX)
    elif kind == "department":
        out = Output(department_form.workbook_bytes(report), department_form.file_name(report), XLSX)
    elif kind == "report":
        code = next((p.code for p in report.projects if p.project_id == project_id), None)
        if project_id is not None and code is None:
            raise data.ReportError(f"{report.name} 没有编号为 {project_id} 的项目。")
        if fmt == "docx":
            out = Output(report_docx.document_bytes(report, project_id), report_docx.file_name(report, code), DOCX)
        else:
            out = Output(report_pdf.document_bytes(report, project_id), report_pdf.file_name(report, code), PDF)
    else:
        out = Output(briefing.build_pdf(report), briefing.file_name(report), PDF)
    tick(1.0, "完成")
    return out


def unit_choices(departments: pd.DataFrame, fiscal_year: int) -> dict[int, str]:
    """Units of ``fiscal_year`` for a picker: id -> '315001 巨鹿县司法局本级' (departments.sql rows)."""
    rows = departments[departments["fiscal_year"] == fiscal_year].sort_values("code")
    return {int(i): f"{c} {n}" for i, c, n in zip(rows["id"].tolist(), rows["code"].tolist(), rows["name"].tolist(), strict=False)}


def project_choices(projects: pd.DataFrame) -> dict[int, str]:
    """Projects for a picker: id -> '3. 项目名称' (department_projects.sql rows)."""
    rows = projects.sort_values("seq")
    return {int(i): f"{q}. {n}" for i, q, n in zip(rows["id"].tolist(), rows["seq"].tolist(), rows["name"].tolist(), strict=False)}

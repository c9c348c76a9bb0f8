"""What a project's owner declares each monitoring round (DOMAIN.md §5a "Owner-declared year end").

Per project and reporting date (a month end): **全年预计执行数** (万元, 0 ≤ x ≤ budget; 预计结转结余 =
budget − declared), **项目总体目标 1–N月执行情况** (text), and -- when the project's pace light is
yellow or red -- **支出偏差原因** (one or more §5 categories plus a sentence) and **纠偏措施**. A ticked
category without a sentence is refused whatever the light.

Rows are appended to ``project_reports`` through :func:`perfwatch.store.transaction` (the owner for
their projects, finance for all; audited). The latest row dated on or before a reporting date is
the current declaration. The pace light comes from the monitoring engine
(:func:`perfwatch.status.compute_status`), never recomputed here.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd

from perfwatch import db, review, xlsx_safe
from perfwatch.importers.results import split_cause
from perfwatch.importers.spend import RowError, auto_mapping, code_of, read_table
from perfwatch.store import Actor, ValidationError, authorize, parse_amount, transaction
from perfwatch.uploads import check_upload
from perfwatch.vocab import CAUSE_CATEGORIES, LAGGING, LIGHT_NAMES

FIELD_LABELS: dict[str, str] = {
    "as_of": "截至日期",
    "projected_amount": "全年预计执行数",
    "cause_categories": "支出偏差原因类别",
    "cause_text": "支出偏差原因",
    "measure": "纠偏措施",
    "progress_text": "项目进展",
}
# Accepted headers per import field (first = the template's own header).
IMPORT_FIELDS: dict[str, tuple[str, ...]] = {
    "project_code": ("项目编码", "project_code", "项目代码", "项目"),
    "as_of": ("截至日期", "as_of", "截止日期", "填报日期"),
    "projected_amount": ("全年预计执行数", "projected_amount", "全年预计执行数（万元）", "全年预计执行数(万元)", "全年预计"),
    "cause_categories": ("偏差原因类别", "cause_categories", "支出偏差原因类别"),
    "cause_text": ("偏差原因", "cause", "支出偏差原因", "偏差原因分析", "原因说明"),
    "measure": ("纠偏措施", "measure", "measures"),
    "progress_text": ("项目进展", "progress", "项目总体目标执行情况", "1–N月执行情况"),
}
TEMPLATE_COLUMNS: tuple[str, ...] = (
    "项目编码", "项目名称", "预算数（万元）", "支出进度灯", "截至日期", "全年预计执行数", "偏差原因类别", "偏差原因",
    "纠偏措施", "项目进展",
)
# The pace lights that make 支出偏差原因 and 纠偏措施 required (DOMAIN.md §5a).
NEEDS_CAUSE: frozenset[str] = LAGGING


class DeclarationError(ValidationError):
    """A declaration refused before anything was written; ``messages`` lists every problem."""

    def __init__(self, messages: Sequence[str | RowError]) -> None:
        self.messages = [str(m) for m in messages]
        super().__init__("\n".join(self.messages))


@dataclass(frozen=True)
class Declaration:
    """One project's declaration for the round ``as_of``. ``base_id``: the declaration row the edit
    was based on (None = none); ``check_base=False`` skips that conflict check (file imports)."""

    project_id: int
    as_of: dt.date
    projected_amount: Decimal | float | str | None
    cause_categories: tuple[str, ...] = ()
    cause_text: str | None = None
    measure: str | None = None
    progress_text: str | None = None
    base_id: int | None = None
    check_base: bool = True


@dataclass(frozen=True)
class ProjectFacts:
    """What validation needs to know of a project: budget and the pace light at the round's date."""

    id: int
    department_id: int
    fiscal_year: int
    code: str
    name: str
    budget: Decimal
    light: str | None
    light_reason: str | None


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _wan(value: Decimal | float) -> str:
    return f"{Decimal(str(value)).quantize(Decimal('0.01'))}"


def pace_lights(conn: duckdb.DuckDBPyConnection, department_id: int, as_of: dt.date) -> dict[int, tuple[str, str]]:
    """project id -> (pace light, reason) at ``as_of`` from the monitoring engine."""
    from perfwatch.status import compute_status

    projects = compute_status(conn, as_of, department_id=department_id).projects
    return {int(r["project_id"]): (str(r["execution_light"]), str(r["execution_reason"] or ""))
            for r in projects.to_dict("records")}


def project_facts(conn: duckdb.DuckDBPyConnection, project_id: int, as_of: dt.date) -> ProjectFacts:
    rows = db.query(conn, "entry/project_info", {"project_id": project_id})
    if not rows:
        raise DeclarationError([f"项目编号 {project_id} 不存在。"])
    r = rows[0]
    # The round's light: at its month end, or today while that month is still running.
    light, reason = pace_lights(conn, int(r[1]), min(as_of, dt.date.today())).get(project_id, (None, None))
    return ProjectFacts(int(r[0]), int(r[1]), int(r[2]), str(r[3]), str(r[4]), Decimal(r[5]), light, reason)


def validate(project: ProjectFacts, decl: Declaration) -> tuple[Decimal | None, list[tuple[str, str]]]:
    """(the amount in 万元, every problem as (field, Chinese message)); no problems = may be saved."""
    out: list[tuple[str, str]] = []
    when = decl.as_of
    if when != review.round_date(when):
        out.append(("as_of", (f"截至日期 {when.isoformat()} 不是月末：每期填报截至当月最后一天"
                              f"（例如 {review.round_date(when).isoformat()}）。")))
    if when.year != project.fiscal_year:
        out.append(("as_of", f"截至日期 {when.isoformat()} 不在预算年度 {project.fiscal_year} 年内。"))
    amount: Decimal | None = None
    if _text(decl.projected_amount) is None:
        out.append(("projected_amount", "请填写全年预计执行数（万元）。"))
    else:
        try:
            amount = parse_amount(decl.projected_amount, "全年预计执行数")
        except ValidationError as exc:
            out.append(("projected_amount", str(exc)))
        else:
            if amount > project.budget:
                out.append(("projected_amount", (f"全年预计执行数 {_wan(amount)} 万元超过预算数 "
                                                 f"{_wan(project.budget)} 万元（应在 0 与预算数之间）。")))
    bad = [c for c in decl.cause_categories if c not in CAUSE_CATEGORIES]
    if bad:
        out.append(("cause_categories", f"偏差原因类别须为 {'/'.join(CAUSE_CATEGORIES)}，收到：{'、'.join(bad)}。"))
    cause = _text(decl.cause_text)
    if decl.cause_categories and cause is None:
        out.append(("cause_text", "勾选了偏差原因类别，请用一句话说明具体原因。"))
    if project.light in NEEDS_CAUSE:
        why = f"支出进度为{LIGHT_NAMES[project.light]}"
        if not decl.cause_categories:
            out.append(("cause_categories", f"{why}，请选择支出偏差原因类别。"))
        if cause is None and not decl.cause_categories:
            out.append(("cause_text", f"{why}，请说明支出偏差原因。"))
        if _text(decl.measure) is None:
            out.append(("measure", f"{why}，请填写纠偏措施。"))
    return amount, out


def _clean(decl: Declaration) -> Declaration:
    cats = tuple(dict.fromkeys(c.strip() for c in decl.cause_categories if c and c.strip()))
    return Declaration(decl.project_id, decl.as_of, decl.projected_amount, cats, _text(decl.cause_text),
                       _text(decl.measure), _text(decl.progress_text), decl.base_id, decl.check_base)


def _fields(decl: Declaration, amount: Decimal | None) -> dict[str, Any]:
    return {"projected_amount": amount, "cause_categories": list(decl.cause_categories) or None,
            "cause_text": decl.cause_text, "measure": decl.measure, "progress_text": decl.progress_text}


def _same(current: tuple[Any, ...], fields: Mapping[str, Any]) -> bool:
    old = {"projected_amount": current[2], "progress_text": current[3], "cause_categories": current[4],
           "cause_text": current[5], "measure": current[6]}
    for key, new in fields.items():
        a = old[key]
        if key == "projected_amount":
            if (a is None) != (new is None) or (a is not None and Decimal(str(a)) != Decimal(str(new))):
                return False
        elif key == "cause_categories":
            if list(a or []) != list(new or []):
                return False
        elif a != new:
            return False
    return True


def save(conn: duckdb.DuckDBPyConnection, actor: Actor, declarations: Sequence[Declaration],
         *, source: str = "表单填报") -> list[int]:
    """Validate and append declarations in one transaction: all of them or none. Returns the ids
    of the rows written (an unchanged declaration writes nothing)."""
    if not declarations:
        return []
    cleaned = [_clean(d) for d in declarations]
    for d in cleaned:
        authorize(actor, "round.declare", project_id=d.project_id)
    facts: dict[tuple[int, dt.date], ProjectFacts] = {}
    problems: list[str] = []
    amounts: list[Decimal | None] = []
    for d in cleaned:
        key = (d.project_id, d.as_of)
        if key not in facts:
            facts[key] = project_facts(conn, d.project_id, d.as_of)
        p = facts[key]
        amount, issues = validate(p, d)
        amounts.append(amount)
        problems += [f"{p.code} {p.name} · {FIELD_LABELS.get(f, f)}：{m}" for f, m in issues]
    if problems:
        raise DeclarationError(problems)
    written: list[int] = []
    with transaction(conn, actor, "round.declare", project_id=cleaned[0].project_id) as tx:
        for d, amount in zip(cleaned, amounts, strict=False):
            p = facts[(d.project_id, d.as_of)]
            review.check_editable(tx, d.project_id, d.as_of, "项目填报")
            lock = tx.one("entry/period_lock_state", {"department_id": p.department_id, "period": d.as_of.replace(day=1)})
            if lock and lock[0]:
                raise DeclarationError([(f"{p.code} {p.name}：{d.as_of.year}年{d.as_of.month}月已锁定（已上报），"
                                         "不能修改。如需更正，请联系管理员解锁。")])
            current = tx.one("round/declaration_of_project", {"project_id": d.project_id, "as_of": d.as_of})
            same_round = current if current is not None and current[1] == d.as_of else None
            current_id = None if same_round is None else int(same_round[0])
            if d.check_base and current_id != d.base_id:
                who = "他人" if same_round is None else f"{same_round[7]} 于 {same_round[8]:%Y-%m-%d %H:%M}"
                raise DeclarationError([f"{p.code} {p.name} 的项目填报已被{who}修改，你的修改未保存。请刷新后核对再保存。"])
            fields = _fields(d, amount)
            if same_round is not None and _same(same_round, fields):
                continue
            row = tx.one("round/insert_declaration", {"project_id": d.project_id, "as_of": d.as_of, **fields,
                                                      "entered_by": actor.username})
            assert row is not None
            old = None if current is None else {
                "id": int(current[0]), "as_of": current[1], "projected_amount": current[2], "progress_text": current[3],
                "cause_categories": current[4], "cause_text": current[5], "measure": current[6]}
            tx.audit("project_reports", row[0], old,
                     {"project_id": d.project_id, "as_of": d.as_of, **fields, "source": source}, "declaration.record")
            written.append(int(row[0]))
    return written


def current(conn: duckdb.DuckDBPyConnection, department_id: int, as_of: dt.date) -> pd.DataFrame:
    """One row per active project of the department with its current declaration (the latest row
    dated on or before ``as_of``): project_id, code, name, budget, projected_amount (万元, None =
    待填报), carryover (预计结转结余 = budget − projected), cause_categories (list), cause_text, measure,
    progress_text, as_of (date of the declaration), entered_by, declaration_id."""
    f = db.query_df(conn, "round/declarations_current", {"department_id": department_id, "as_of": as_of})
    out = pd.DataFrame({
        "project_id": f["project_id"].astype(int),
        "code": f["code"],
        "name": f["name"],
        "budget": [float(v) for v in f["budget"]],
        "projected_amount": pd.Series([None if pd.isna(v) else float(v) for v in f["projected_amount"]], dtype=object),
        "carryover": pd.Series([None if pd.isna(v) else float(v) for v in f["carryover"]], dtype=object),
        "cause_categories": [list(v) if isinstance(v, (list, tuple)) or hasattr(v, "tolist") else [] for v in f["cause_categories"]],
        "cause_text": [_text(v) for v in f["cause_text"]],
        "measure": [_text(v) for v in f["measure"]],
        "progress_text": [_text(v) for v in f["progress_text"]],
        "as_of": [None if pd.isna(v) else pd.Timestamp(v).date() for v in f["as_of"]],
        "entered_by": [_text(v) for v in f["entered_by"]],
        "declaration_id": pd.Series([None if pd.isna(v) else int(v) for v in f["declaration_id"]], dtype=object),
    })
    out["cause_categories"] = [list(v) for v in out["cause_categories"]]
    return out


@dataclass(frozen=True)
class Current:
    """The declaration a form starts from: the round's own row if there is one, else the latest
    earlier one (shown as a starting point; ``id`` is then None: nothing of this round yet)."""

    id: int | None
    as_of: dt.date | None
    projected_amount: Decimal | None
    cause_categories: tuple[str, ...]
    cause_text: str | None
    measure: str | None
    progress_text: str | None
    entered_by: str | None
    entered_at: dt.datetime | None


def of_project(conn: duckdb.DuckDBPyConnection, project_id: int, as_of: dt.date) -> Current:
    rows = db.query(conn, "round/declaration_of_project", {"project_id": project_id, "as_of": as_of})
    if not rows:
        return Current(None, None, None, (), None, None, None, None, None)
    r = rows[0]
    return Current(int(r[0]) if r[1] == as_of else None, r[1], None if r[2] is None else Decimal(r[2]),
                   tuple(r[4] or ()), r[5], r[6], r[3], r[7], r[8])


# ------------------------------------------------------------------------------ Excel template


def template(conn: duckdb.DuckDBPyConnection, department_id: int, as_of: dt.date, *,
             project_ids: Sequence[int] | None = None) -> bytes:
    """An .xlsx with one row per active project (or those of ``project_ids``), pre-filled with the
    current declaration and the pace light, for filling offline and importing (网页或命令行)."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

    decl = current(conn, department_id, as_of)
    lights = pace_lights(conn, department_id, as_of)

    wb = openpyxl.Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new workbook opens on one plain worksheet
    ws.title = "项目填报"
    ws.append(list(TEMPLATE_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r in decl.to_dict("records"):
        if project_ids is not None and int(r["project_id"]) not in project_ids:
            continue
        light = lights.get(int(r["project_id"]), ("", ""))[0]
        amount = r["projected_amount"]
        ws.append([
            r["code"], r["name"], round(float(r["budget"]), 2), LIGHT_NAMES.get(light, "—"), as_of,
            None if amount is None else round(float(amount), 2),
            "、".join(r["cause_categories"]) or None, r["cause_text"], r["measure"], r["progress_text"],
        ])
    for row in ws.iter_rows(min_row=2, min_col=5, max_col=5):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    for row in ws.iter_rows(min_row=2, min_col=3, max_col=6):
        for cell in row:
            if cell.column in (3, 6):
                cell.number_format = "0.00"
    for col, width in zip("ABCDEFGHIJ", (24, 30, 12, 10, 12, 14, 20, 30, 30, 40), strict=False):
        ws.column_dimensions[col].width = width
    dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                        error="全年预计执行数应为不小于 0 的数字（万元）。")
    ws.add_data_validation(dv)
    dv.add(f"F2:F{max(ws.max_row, 2)}")
    notes = wb.create_sheet("填写说明")
    for line in (
        "每行一个项目；截至日期为本期填报月份的最后一天。金额单位：万元，保留两位小数。",
        "全年预计执行数：0 至预算数之间；预计结转结余 = 预算数 − 全年预计执行数。",
        f"支出进度为黄灯或红灯时，必须填写偏差原因类别（{'、'.join(CAUSE_CATEGORIES)}，可多选，用顿号分隔）、偏差原因和纠偏措施。",
        "勾选了偏差原因类别时，偏差原因须用一句话说明。",
        "项目名称、预算数、支出进度灯三列仅供参考，导入时不读取。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    return xlsx_safe.openpyxl_bytes(wb)  # names, causes and measures are text, never formulas


# ------------------------------------------------------------------------------ file import


@dataclass
class ImportPlan:
    """A parsed declarations file: the declarations to write, or every error (file/row/column)."""

    file: str
    declarations: list[Declaration] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.declarations)

    def preview(self) -> pd.DataFrame:
        return pd.DataFrame([
            {"项目": label, "截至日期": d.as_of.isoformat(),
             "全年预计执行数（万元）": _text(d.projected_amount) or "", "偏差原因类别": "、".join(d.cause_categories),
             "偏差原因": d.cause_text or "", "纠偏措施": d.measure or "", "项目进展": d.progress_text or ""}
            for label, d in zip(self.labels, self.declarations, strict=False)
        ])

    def error_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"文件": e.file, "行": e.row if e.row is not None else "", "列": e.column or "",
                              "问题": e.message} for e in self.errors])


_DATE_TEXT = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def parse_date(value: Any) -> dt.date:
    """A date cell: an Excel date, 2024-07-31, 2024/7/31 or 2024年7月31日; ValueError otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = _DATE_TEXT.match(str(value or ""))
    if not m:
        raise ValueError(str(value))
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def plan_import(conn: duckdb.DuckDBPyConnection, data: bytes, name: str, *,
                department_id: int | None = None) -> ImportPlan:
    """Read a declarations file (CSV or XLSX, headers in English or Chinese, see IMPORT_FIELDS) and
    check every row against the projects and the rules; nothing is written here."""
    plan = ImportPlan(name)
    try:
        check_upload(name, data, {".csv", ".xlsx"})
        table = read_table(data, name, IMPORT_FIELDS)
    except (ValidationError, ValueError) as exc:
        plan.errors.append(RowError(name, None, None, str(exc)))
        return plan
    mapping = auto_mapping(table.header, IMPORT_FIELDS)
    for required in ("project_code", "as_of", "projected_amount"):
        if required not in mapping:
            plan.errors.append(RowError(name, table.header_row, None,
                                        f"缺少“{IMPORT_FIELDS[required][0]}”列（可用表头：{'、'.join(IMPORT_FIELDS[required][:2])}）。"))
    if plan.errors:
        return plan
    col = {f: table.header.index(h) for f, h in mapping.items()}
    projects = db.query(conn, "entry/projects_all")
    by_code: dict[tuple[str, int], tuple[int, int, str]] = {}
    for p in projects:
        if not p[6]:
            by_code[(str(p[3]), int(p[2]))] = (int(p[0]), int(p[1]), f"{p[3]} {p[4]}")
    seen: dict[tuple[int, dt.date], int] = {}
    facts: dict[tuple[int, dt.date], ProjectFacts] = {}
    for line, cells in table.rows:
        def cell(fname: str, cells: list[Any] = cells) -> Any:
            j = col.get(fname)
            return cells[j] if j is not None and j < len(cells) else None

        if all(_text(c) is None for c in cells):
            plan.skipped += 1
            continue
        header = {f: table.header[j] for f, j in col.items()}
        code = code_of(str(_text(cell("project_code")) or ""))
        if not code:
            plan.errors.append(RowError(name, line, header["project_code"], "项目编码为空。"))
            continue
        try:
            as_of = parse_date(cell("as_of"))
        except ValueError:
            plan.errors.append(RowError(name, line, header["as_of"],
                                        f"截至日期“{_text(cell('as_of')) or ''}”无法识别，请写成 2024-07-31。"))
            continue
        hit = by_code.get((code, as_of.year))
        if hit is None:
            plan.errors.append(RowError(name, line, header["project_code"], f"{as_of.year} 年度没有编码为“{code}”的项目。"))
            continue
        project_id, dept, label = hit
        if department_id is not None and dept != department_id:
            plan.errors.append(RowError(name, line, header["project_code"], f"项目“{label}”不属于当前部门。"))
            continue
        if (project_id, as_of) in seen:
            plan.errors.append(RowError(name, line, header["project_code"],
                                        f"项目“{label}”截至 {as_of.isoformat()} 已在第 {seen[(project_id, as_of)]} 行出现。"))
            continue
        seen[(project_id, as_of)] = line
        cats, cause, unknown = split_cause(cell("cause_categories"), cell("cause_text"))
        if unknown:
            plan.errors.append(RowError(name, line, header.get("cause_categories", "偏差原因类别"),
                                        f"偏差原因类别须为 {'/'.join(CAUSE_CATEGORIES)}，收到：{'、'.join(unknown)}。"))
            continue
        d = Declaration(project_id, as_of, _text(cell("projected_amount")), cats, cause, _text(cell("measure")),
                        _text(cell("progress_text")), check_base=False)
        key = (project_id, as_of)
        if key not in facts:
            facts[key] = project_facts(conn, project_id, as_of)
        _, issues = validate(facts[key], _clean(d))
        for fname, msg in issues:
            column = header.get(fname) or header.get("cause_text" if fname == "cause_categories" else fname) \
                or FIELD_LABELS.get(fname, fname)
            plan.errors.append(RowError(name, line, column, msg))
        if not issues:
            plan.declarations.append(d)
            plan.labels.append(label)
    if not plan.declarations and not plan.errors:
        plan.errors.append(RowError(name, None, None, "文件中没有可导入的项目填报行。"))
    return plan


def commit_import(conn: duckdb.DuckDBPyConnection, actor: Actor, plan: ImportPlan) -> list[int]:
    """Write every declaration of a checked plan in one transaction (all or nothing)."""
    if plan.errors:
        raise DeclarationError(plan.errors)
    return save(conn, actor, plan.declarations, source=plan.file)

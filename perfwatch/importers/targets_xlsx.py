"""The Excel template for targets: write it (blank or filled from a dataset) and read it back.

Sheets: 说明, 部门, 分项目标, 项目 (with the cumulative plan as one column per month), 绩效目标,
指标 (with a count's 性质 and 里程碑, DOMAIN.md §5a). A dataset written and read back is equal to
the original (the round trip loses nothing). Errors name the sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from functools import partial
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from perfwatch import milestones, xlsx_safe
from perfwatch.dataset import COMPARATORS, FORMAT, KINDS, validate_dataset
from perfwatch.errors import ValidationError
from perfwatch.vocab import NATURE_LABELS, nature_code

MONTH_COLS = [f"{m}月底累计%" for m in range(1, 13)]

SHEETS: dict[str, list[tuple[str, str]]] = {
    "部门": [("code", "单位编码"), ("name", "单位名称"), ("fiscal_year", "年度"),
            ("overall_goal", "总体绩效目标"), ("safeguards", "工作保障措施")],
    "分项目标": [("department_code", "单位编码"), ("fiscal_year", "年度"), ("seq", "序号"),
              ("title", "分项目标"), ("goal", "绩效目标")],
    "项目": [("department_code", "单位编码"), ("fiscal_year", "年度"), ("seq", "序号"),
           ("code", "项目编码"), ("name", "项目名称"), ("budget", "预算数（万元）"),
           ("fiscal_funds", "财政资金（万元）"), ("other_funds", "其他资金（万元）"),
           ("carryover_funds", "上年结转资金（万元）"), ("purpose", "资金用途")]
          + [(f"m{m}", MONTH_COLS[m - 1]) for m in range(1, 13)],
    "绩效目标": [("project_code", "项目编码"), ("seq", "序号"), ("text", "绩效目标")],
    "指标": [("department_code", "单位编码"), ("fiscal_year", "年度"), ("project_code", "项目编码"),
           ("sub_goal_seq", "分项目标序号"), ("level1", "一级指标"), ("level2", "二级指标"),
           ("level3", "三级指标"), ("description", "绩效指标描述"), ("target_text", "指标值"),
           ("basis", "指标值确定依据"), ("comparator", "比较符"), ("value", "数值"), ("unit", "单位"),
           ("deadline", "截止日期（月-日）"), ("kind", "指标类型"),
           ("nature", "性质"), ("milestones", "里程碑（月:累计值）")],
}
# Columns a workbook may lack (templates exported before they existed); a missing one reads as blank.
OPTIONAL_COLUMNS = {"carryover_funds", "nature", "milestones"}

README_LINES = [
    "绩效目标导入模板（perfwatch）",
    "1. 每个工作表第一行为表头，请勿修改表头；从第二行起每行一条记录。",
    "2. 金额单位为万元；支出计划填写各月月底的累计支出比例（0–100），非节点月份留空。",
    "3. 指标表中，项目指标填写“项目编码”，部门整体指标填写“分项目标序号”，二者只填其一。",
    "4. 比较符、数值、单位、截止日期、指标类型可留空，导入时按“指标值”自动识别。",
    f"   比较符：{'、'.join(sorted(COMPARATORS))}；指标类型：{'、'.join(sorted(KINDS))}。",
    f"5. 性质（仅数量指标 count）：{'、'.join(NATURE_LABELS.values())}。流量按序时折算应达值；存量从年初起按全年目标；"
    "一次性在计划月份（最后一个里程碑月份，否则 12 月）前未到期；集中开展按里程碑，无里程碑时第四季度起按全年目标。"
    "留空则保留系统中已有的性质，新指标按名称和单位推定（导入预览中列出）。",
    f"6. 里程碑（仅数量指标）：{milestones.FORMAT_HELP}。留空则保留系统中已有的里程碑。",
]

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


class TemplateError(ValidationError):
    """The uploaded workbook does not fit the template; the message names sheet, row and column."""


def _write_sheet(ws: Worksheet, columns: list[tuple[str, str]], rows: list[dict[str, Any]]) -> None:
    ws.append([label for _, label in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in rows:
        ws.append([row.get(key) for key, _ in columns])
    for i, (key, label) in enumerate(columns, 1):
        wide = key in {"overall_goal", "safeguards", "goal", "text", "description", "purpose", "name", "title"}
        ws.column_dimensions[get_column_letter(i)].width = 40 if wide else max(10, len(label) * 2 + 2)
    ws.freeze_panes = "A2"


def write_template(data: dict[str, Any] | None = None) -> bytes:
    """An .xlsx template, blank or filled with ``data`` (a dataset dict)."""
    data = data or {"departments": [], "projects": []}
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in SHEETS}
    for d in data["departments"]:
        rows["部门"].append(d)
        for sg in d.get("sub_goals") or []:
            rows["分项目标"].append({**sg, "department_code": d["code"], "fiscal_year": d["fiscal_year"]})
            for ind in sg.get("indicators") or []:
                rows["指标"].append({**_count_cells(ind), "department_code": d["code"], "fiscal_year": d["fiscal_year"],
                                   "sub_goal_seq": sg["seq"]})
    for p in data["projects"]:
        plan = {f"m{c['month']}": c["pct"] for c in p.get("plan") or []}
        rows["项目"].append({**p, **plan})
        for seq, text in enumerate(p.get("goals") or [], 1):
            rows["绩效目标"].append({"project_code": p["code"], "seq": seq, "text": text})
        for ind in p.get("indicators") or []:
            rows["指标"].append({**_count_cells(ind), "department_code": p["department_code"],
                               "fiscal_year": p["fiscal_year"], "project_code": p["code"]})
    wb = Workbook()
    info = wb.active
    assert isinstance(info, Worksheet)  # a new workbook opens on one plain worksheet
    info.title = "说明"
    for line in README_LINES:
        info.append([line])
    info.column_dimensions["A"].width = 100
    for name, columns in SHEETS.items():
        _write_sheet(wb.create_sheet(name), columns, rows[name])
    return xlsx_safe.openpyxl_bytes(wb)  # names and texts are text, never formulas


def _count_cells(ind: dict[str, Any]) -> dict[str, Any]:
    """An indicator row with its nature as the Chinese label and its milestones as text (3月:2;6月:4)."""
    ms = milestones.from_dataset(ind["milestones"], ind["level3"]) if ind.get("milestones") else ()
    return {**ind, "nature": NATURE_LABELS.get(ind.get("nature") or ""), "milestones": milestones.to_text(ms) or None}


def _cell_text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    return s or None


def _read_sheet(wb: Any, name: str, filename: str) -> list[tuple[int, dict[str, Any]]]:
    if name not in wb.sheetnames:
        raise TemplateError(f"{filename}：缺少工作表“{name}”（请使用 perfwatch 导出的模板）。")
    ws = wb[name]
    columns = SHEETS[name]
    it = ws.iter_rows(values_only=True)
    header = [(_cell_text(h) or "") for h in next(it, ())]
    index: dict[str, int] = {}
    for key, label in columns:
        if label not in header:
            if key in OPTIONAL_COLUMNS or (key.startswith("m") and key[1:].isdigit()):
                continue
            raise TemplateError(f"{filename} 工作表“{name}”：缺少表头列“{label}”。")
        index[key] = header.index(label)
    out = []
    for r, values in enumerate(it, start=2):
        if values is None or all(_cell_text(v) is None for v in values):
            continue
        row = {key: None for key, _ in columns}
        row.update({key: (values[i] if i < len(values) else None) for key, i in index.items()})
        out.append((r, row))
    return out


def _number(v: Any, where: str, *, integer: bool = False, required: bool = False) -> Any:
    if v is None or _cell_text(v) is None:
        if required:
            raise TemplateError(f"{where}：不能为空。")
        return None
    if isinstance(v, bool):
        raise TemplateError(f"{where}：应为数字，收到 {v!r}。")
    try:
        num = float(str(v).replace(",", "").strip())
    except ValueError as exc:
        raise TemplateError(f"{where}：应为数字，收到“{v}”。") from exc
    if integer:
        if not num.is_integer():
            raise TemplateError(f"{where}：应为整数，收到“{v}”。")
        return int(num)
    return num


def read_template(content: bytes, filename: str = "模板.xlsx",
                  parse_value: Callable[[str], Any] | None = None) -> dict[str, Any]:
    """Read a filled template back into a dataset dict; raise TemplateError naming sheet/row/column.

    ``parse_value`` turns a 指标值 text into an object with comparator, value, unit, kind and
    deadline attributes; it fills the parsed columns left blank.
    """
    from perfwatch.uploads import check_xlsx_limits

    try:
        check_xlsx_limits(filename, content)  # a zip bomb stops here, also for the command line
    except ValidationError as exc:
        raise TemplateError(str(exc)) from exc
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a non-xlsx file
        raise TemplateError(f"{filename} 不是有效的 Excel (.xlsx) 文件：{type(exc).__name__}") from exc

    def at(sheet: str, row: int, col_key: str) -> str:
        label = dict(SHEETS[sheet])[col_key]
        return f"{filename} 工作表“{sheet}”第 {row} 行“{label}”列"

    departments: list[dict[str, Any]] = []
    by_dept: dict[tuple[str, int], dict[str, Any]] = {}
    for r, row in _read_sheet(wb, "部门", filename):
        code = _cell_text(row["code"])
        if not code:
            raise TemplateError(f"{at('部门', r, 'code')}：不能为空。")
        year = _number(row["fiscal_year"], at("部门", r, "fiscal_year"), integer=True, required=True)
        d = {"code": code, "name": _cell_text(row["name"]) or "", "fiscal_year": year,
             "overall_goal": _cell_text(row["overall_goal"]), "safeguards": _cell_text(row["safeguards"]),
             "sub_goals": []}
        departments.append(d)
        by_dept[(code, year)] = d
    sub_goals: dict[tuple[str, int, int], dict[str, Any]] = {}
    for r, row in _read_sheet(wb, "分项目标", filename):
        key = (_cell_text(row["department_code"]) or "",
               _number(row["fiscal_year"], at("分项目标", r, "fiscal_year"), integer=True, required=True),
               _number(row["seq"], at("分项目标", r, "seq"), integer=True, required=True))
        dept = by_dept.get(key[:2])
        if dept is None:
            raise TemplateError(f"{at('分项目标', r, 'department_code')}：单位 {key[0]}/{key[1]} 不在“部门”表中。")
        sg = {"seq": key[2], "title": _cell_text(row["title"]) or "", "goal": _cell_text(row["goal"]), "indicators": []}
        dept["sub_goals"].append(sg)
        sub_goals[key] = sg
    projects: list[dict[str, Any]] = []
    by_code: dict[str, dict[str, Any]] = {}
    for r, row in _read_sheet(wb, "项目", filename):
        code = _cell_text(row["code"])
        if not code:
            raise TemplateError(f"{at('项目', r, 'code')}：不能为空。")
        plan = []
        for m in range(1, 13):
            pct = _number(row.get(f"m{m}"), at("项目", r, f"m{m}"))
            if pct is not None:
                plan.append({"month": m, "pct": pct})
        p = {
            "seq": _number(row["seq"], at("项目", r, "seq"), integer=True) or len(projects) + 1,
            "code": code, "name": _cell_text(row["name"]) or "",
            "department_code": _cell_text(row["department_code"]) or "",
            "fiscal_year": _number(row["fiscal_year"], at("项目", r, "fiscal_year"), integer=True, required=True),
            "budget": _number(row["budget"], at("项目", r, "budget"), required=True),
            "fiscal_funds": _number(row["fiscal_funds"], at("项目", r, "fiscal_funds")) or 0.0,
            "other_funds": _number(row["other_funds"], at("项目", r, "other_funds")) or 0.0,
            "purpose": _cell_text(row["purpose"]),
            "plan": plan, "goals": [], "indicators": [],
        }
        carry = _number(row.get("carryover_funds"), at("项目", r, "carryover_funds"))
        if carry:
            p["carryover_funds"] = carry
        if code in by_code:
            raise TemplateError(f"{at('项目', r, 'code')}：项目编码 {code} 重复。")
        projects.append(p)
        by_code[code] = p
    for r, row in _read_sheet(wb, "绩效目标", filename):
        code = _cell_text(row["project_code"]) or ""
        if code not in by_code:
            raise TemplateError(f"{at('绩效目标', r, 'project_code')}：项目编码 {code} 不在“项目”表中。")
        by_code[code]["goals"].append(_cell_text(row["text"]) or "")
    for r, row in _read_sheet(wb, "指标", filename):
        ind = _indicator(row, partial(at, "指标", r), parse_value)
        pcode = _cell_text(row["project_code"])
        sg_seq = _number(row["sub_goal_seq"], at("指标", r, "sub_goal_seq"), integer=True)
        if pcode and sg_seq is None:
            if pcode not in by_code:
                raise TemplateError(f"{at('指标', r, 'project_code')}：项目编码 {pcode} 不在“项目”表中。")
            by_code[pcode]["indicators"].append(ind)
        elif sg_seq is not None and not pcode:
            key = (_cell_text(row["department_code"]) or "",
                   _number(row["fiscal_year"], at("指标", r, "fiscal_year"), integer=True, required=True), sg_seq)
            if key not in sub_goals:
                raise TemplateError(f"{at('指标', r, 'sub_goal_seq')}：分项目标 {sg_seq} 不在“分项目标”表中。")
            sub_goals[key]["indicators"].append(ind)
        else:
            raise TemplateError(f"{at('指标', r, 'project_code')}：“项目编码”和“分项目标序号”须且只能填一个。")
    data = {"format": FORMAT, "source": filename, "departments": departments, "projects": projects}
    validate_dataset(data, filename)
    return data


def _indicator(row: dict[str, Any], at: Callable[[str], str], parse_value: Callable[[str], Any] | None) -> dict[str, Any]:
    level3 = _cell_text(row["level3"])
    target = _cell_text(row["target_text"])
    if not level3:
        raise TemplateError(f"{at('level3')}：不能为空。")
    if not target:
        raise TemplateError(f"{at('target_text')}：不能为空。")
    ind: dict[str, Any] = {
        "level1": _cell_text(row["level1"]), "level2": _cell_text(row["level2"]), "level3": level3,
        "description": _cell_text(row["description"]), "target_text": target,
        "comparator": _cell_text(row["comparator"]), "value": _number(row["value"], at("value")),
        "unit": _cell_text(row["unit"]), "deadline": _deadline_text(row["deadline"], at("deadline")),
        "kind": _cell_text(row["kind"]), "basis": _cell_text(row["basis"]),
    }
    if ind["comparator"] is None or ind["kind"] is None:
        if parse_value is None:
            raise TemplateError(f"{at('comparator')}：比较符和指标类型不能为空。")
        try:
            tv = parse_value(target)
        except ValidationError:
            raise
        except Exception as exc:
            raise TemplateError(f"{at('target_text')}：无法识别指标值“{target}”：{exc}") from exc
        ind.update(comparator=tv.comparator, value=tv.value, unit=tv.unit, kind=tv.kind, deadline=tv.deadline)
    if ind["comparator"] not in COMPARATORS:
        raise TemplateError(f"{at('comparator')}：须为 {'、'.join(sorted(COMPARATORS))} 之一，收到“{ind['comparator']}”。")
    if ind["kind"] not in KINDS:
        raise TemplateError(f"{at('kind')}：须为 {'、'.join(sorted(KINDS))} 之一，收到“{ind['kind']}”。")
    nature_text, ms_text = _cell_text(row.get("nature")), _cell_text(row.get("milestones"))
    for key, text in (("nature", nature_text), ("milestones", ms_text)):
        if text is not None and ind["kind"] != "count":
            raise TemplateError(f"{at(key)}：只有数量指标（指标类型 count）填写性质和里程碑，此指标类型为 {ind['kind']}。")
    if nature_text is not None:
        code = nature_code(nature_text)
        if code is None:
            raise TemplateError(f"{at('nature')}：须为 {'、'.join(NATURE_LABELS.values())} 之一，收到“{nature_text}”。")
        ind["nature"] = code
    if ms_text is not None:
        try:
            ind["milestones"] = milestones.to_dataset(milestones.parse(ms_text))
        except ValidationError as exc:
            raise TemplateError(f"{at('milestones')}：{exc}") from exc
    return ind


def _deadline_text(v: Any, where: str) -> str | None:
    if v is None or _cell_text(v) is None:
        return None
    if isinstance(v, (dt.date, dt.datetime)):
        return v.strftime("%m-%d")
    s = str(v).strip()
    try:
        dt.datetime.strptime(f"2000-{s}", "%Y-%m-%d")
    except ValueError as exc:
        raise TemplateError(f"{where}：应为“月-日”，例如 12-31，收到“{s}”。") from exc
    return s

"""Targets from table structure: ruled PDF tables (pdfplumber), .docx tables and spreadsheet rows.

Every source is reduced to one stream of events in reading order: text lines outside tables
(titles such as "1.××绩效目标表", the unit line "315001 ××局 单位：万元") and table rows (cells,
``None`` where a merged cell spans). ``parse_events`` reads projects from that stream by labels
and by the columns of the indicator header, so it serves the Hebei template and the national
项目支出绩效目标表 family alike:

- merged 一级/二级 cells are carried down;
- a header row repeated after a page break is dropped;
- a row split by a page break (first row on the new page without 三级指标 or without 指标值) is
  joined to the row above cell by cell;
- a document without a monthly spending plan gets the default plan (a setting) and a finding.

Nothing is guessed silently: each decision that is not a plain reading is a finding naming the
page, row and column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from perfwatch.importers.targets_text import (
    FORMAT,
    LEVEL1_TERMS,
    LEVEL2_TO_LEVEL1,
    Finding,
    ParseResult,
    TargetsParseError,
    classify_value,
    guess_nature,
)

# the default cumulative plan for documents without one (月份, 累计%): a setting, see settings.py
DEFAULT_PLAN: tuple[tuple[int, float], ...] = ((3, 25.0), (6, 50.0), (9, 75.0), (12, 100.0))

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class TextLine:
    text: str
    page: int
    line: int  # line number on the page (1-based)


@dataclass(frozen=True)
class Row:
    cells: tuple[str | None, ...]
    page: int
    row: int  # row number within the page's tables (1-based)
    new_page: bool = False  # first table row on its page


Event = TextLine | Row

_TITLE = re.compile(r"^(?:(\d{1,3})\s*[.．、]\s*)?(.*?)\s*(?:项目支出)?绩效目标(?:申报)?表(?:[（(]\d{4}\s*年度?[）)])?$")
_UNIT = re.compile(r"^(\d{3,12})\s*[-—_]?\s*(\S.*?)\s*(?:金额)?单位\s*[:：]\s*(万元|元)\s*$")
_NUM = re.compile(r"^-?\d[\d,]*(?:\.\d+)?$")
_YEAR = re.compile(r"(20\d{2})\s*年")
_MONTH = re.compile(r"(\d{1,2})\s*月")
_PCT = re.compile(r"^(\d+(?:\.\d+)?)\s*[%％]?$")

# header names -> field, longest first
_COLUMNS: tuple[tuple[str, str], ...] = (
    ("指标值确定依据", "basis"), ("确定依据", "basis"), ("评(计)分标准", "basis"),
    ("年度指标值", "value"), ("长期指标值", "long_value"), ("指标性质", "nature"), ("度量单位", "unit"),
    ("计量单位", "unit"), ("一级指标", "level1"), ("二级指标", "level2"), ("三级指标", "level3"),
    ("绩效指标描述", "description"), ("指标描述", "description"), ("指标内容", "description"),
    ("指标值", "value"), ("目标值", "value"),
)


def _clean(cell: str | None) -> str:
    """One cell's text: wrapped lines joined without spaces between CJK characters."""
    if not cell:
        return ""
    parts = [p.strip() for p in str(cell).replace("\r", "\n").split("\n")]
    out = ""
    for p in parts:
        if not p:
            continue
        if out and out[-1].isascii() and out[-1].isalpha() and p[0].isascii() and p[0].isalpha():
            out += " "
        out += p
    return out


def _compact(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _num(s: str) -> float | None:
    s = _compact(s).replace(",", "")
    return float(s) if _NUM.match(s) else None


@dataclass
class _Project:
    seq: int
    title: str
    page: int
    unit: tuple[str, str] | None
    scale: float = 1.0
    code: str = ""
    name: str = ""
    budget: float | None = None
    fiscal: float | None = None
    other: float | None = None
    purpose: list[str] = field(default_factory=list)
    months: list[int] = field(default_factory=list)
    pcts: list[float] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)
    header: tuple[str, ...] = ()
    rows: list[dict[str, Any]] = field(default_factory=list)
    last_label: str = ""


class _EventParser:
    def __init__(self, source: str, fiscal_year: int | None, default_plan: Sequence[tuple[int, float]]) -> None:
        self.source = source
        self.fiscal_year = fiscal_year
        self.default_plan = list(default_plan)
        self.findings: list[Finding] = []
        self.projects: list[_Project] = []
        self.years: list[int] = []
        self.unit: tuple[str, str] | None = None
        self.scale = 1.0
        self.dept_name = ""
        self.dropped_headers: list[str] = []

    def note(self, severity: str, where: str, message: str) -> None:
        self.findings.append(Finding(severity, where, message, None))

    # -- the stream -----------------------------------------------------------------------------

    def run(self, events: Iterable[Event]) -> ParseResult:
        for ev in events:
            if isinstance(ev, TextLine):
                self.text_line(ev)
            else:
                self.row(ev)
        return self.finish()

    def text_line(self, ev: TextLine) -> None:
        t = ev.text.strip()
        self.years += [int(y) for y in _YEAR.findall(t)]
        if (m := _UNIT.match(t)) is not None:
            self.unit = (m.group(1), m.group(2).strip())
            self.scale = 1.0 if m.group(3) == "万元" else 1 / 10000
            if self.projects and self.projects[-1].unit is None and not self.projects[-1].rows:
                self.projects[-1].unit, self.projects[-1].scale = self.unit, self.scale
            return
        if (m := _TITLE.match(_compact(t))) is not None and not t.startswith(("第", "表")):
            seq = int(m.group(1)) if m.group(1) else len(self.projects) + 1
            self.projects.append(_Project(seq, m.group(2), ev.page, None))
            return
        if re.fullmatch(r"[-—\s]*\d{1,3}[-—\s]*|第\s*\d+\s*页.*", t):
            return
        if not self.projects and not self.dept_name:
            self.dept_name = t  # the cover line names the department (used when no unit line is found)
            return
        self.note("info", f"第 {ev.page} 页第 {ev.line} 行", f"表格之外的文本“{t[:40]}”，未导入")

    def row(self, ev: Row) -> None:
        cells = [_clean(c) for c in ev.cells]
        filled = [(k, c) for k, c in enumerate(cells) if c]
        if not filled:
            return
        if not self.projects:
            self.projects.append(_Project(1, "", ev.page, None))
            self.note("warning", f"第 {ev.page} 页第 {ev.row} 行", "表格前未找到“××绩效目标表”标题，按第一个项目读取")
        p = self.projects[-1]
        if p.unit is None and self.unit is not None:
            p.unit, p.scale = self.unit, self.scale
        texts = [c for _, c in filled]
        where = f"第 {ev.page} 页表格第 {ev.row} 行"
        if "一级指标" in texts and any("三级指标" in c for c in texts):
            header = tuple(_compact(c) for c in cells)
            names = tuple(c for c in header if c)
            if p.columns and names == tuple(c for c in p.header if c):
                # the header repeated after a page break; the new page's grid may have other columns
                self.dropped_headers.append(f"第 {ev.page} 页第 {ev.row} 行")
            elif p.columns and p.rows:
                self.note("warning", where, f"项目 {p.seq} 出现第二个不同的指标表头：{' | '.join(names)}")
            p.header = header
            p.columns = {}
            for k, c in enumerate(header):
                for name, fld in _COLUMNS:
                    if name in c and fld not in p.columns:
                        p.columns[fld] = k
                        break
            if "value" not in p.columns or "level3" not in p.columns:
                self.note("error", where, f"指标表头缺少“三级指标”或“指标值”列：{' | '.join(texts)}")
            return
        if p.columns:
            self.indicator_row(p, cells, ev, where)
        else:
            self.block_row(p, filled, ev, where)

    # -- header block (项目编码 … 绩效目标) ---------------------------------------------------------

    def block_row(self, p: _Project, filled: list[tuple[int, str]], ev: Row, where: str) -> None:
        texts = [c for _, c in filled]
        first = _compact(texts[0])
        k = 0
        placed = False
        while k < len(texts):
            label = _compact(texts[k])
            nxt = texts[k + 1] if k + 1 < len(texts) else ""
            if label.startswith("项目编码") or label == "项目代码":
                p.code, k, placed = _compact(nxt), k + 2, True
                p.last_label = "code"
            elif label.startswith("项目名称"):
                p.name, k, placed = _clean(nxt), k + 2, True
                p.last_label = "name"
            elif label in ("主管部门", "实施单位", "预算单位", "主管单位"):
                if label != "实施单位" or not self.dept_name:
                    self.dept_name = _clean(nxt)
                k, placed = k + 2, True
            elif (amount := _num(nxt)) is not None and re.search(r"预算数|资金总额|预算金额|财政|其他", label):
                if re.search(r"财政", label):
                    p.fiscal = amount
                elif "其他" in label:
                    p.other = amount
                else:
                    p.budget = amount
                k, placed = k + 2, True
                p.last_label = "funds"
            elif re.match(r"^(?:预算规模|资金用途|项目资金|资金来源)", label):
                k += 1
                p.last_label = "funds"
                placed = True
            elif re.match(r"^(?:资金)?支出(?:进度)?计划", label):
                p.months = [int(m) for c in texts[k + 1:] for m in _MONTH.findall(c)]
                k, placed = len(texts), True
                p.last_label = "plan"
            elif re.match(r"^(?:年度)?(?:绩效)?目标$|^年度目标|^绩效目标", label) or label == "长期目标":
                if label != "长期目标":
                    p.goals = [g for g in re.split(r"\n|(?<=[。；;])", "\n".join(texts[k + 1:])) if g.strip()]
                    p.goals = _numbered(p.goals)
                k, placed = len(texts), True
                p.last_label = "goals"
            elif label in ("财政拨款", "其中：财政拨款", "其他资金", "年度资金总额"):  # national labels without numbers
                k += 1
            else:
                break
        if placed:
            return
        pcts = [m for m in (_PCT.match(_compact(c)) for c in texts) if m is not None]
        if p.last_label == "plan" and not p.pcts and len(pcts) == len(texts):
            p.pcts = [float(m.group(1)) for m in pcts]
            return
        if p.last_label == "funds" and first and _num(first) is None:
            p.purpose.append(" ".join(texts))
            return
        self.note("warning", where, f"项目 {p.seq} 表头中无法归类的单元格“{' | '.join(texts)[:40]}”，未导入")

    # -- indicator rows -------------------------------------------------------------------------

    def indicator_row(self, p: _Project, cells: list[str], ev: Row, where: str) -> None:
        def col(f: str) -> str:
            k = p.columns.get(f)
            return cells[k] if k is not None and k < len(cells) else ""

        rec: dict[str, Any] = {f: col(f) for f in ("level1", "level2", "level3", "description", "value", "basis", "nature", "unit", "long_value")}
        prev = p.rows[-1] if p.rows else None
        l2_whole = rec["level2"] in LEVEL2_TO_LEVEL1 and prev is not None and prev["level2"] in LEVEL2_TO_LEVEL1
        if prev is not None and ev.page != prev["last_page"] and not rec["level1"] and not l2_whole and (
            not rec["level3"] or not rec["value"] or not prev["value"]
        ):
            for f, v in rec.items():
                if v:
                    prev[f] = prev[f] + v if prev[f] else v
            prev["cont"].append(f"第 {ev.page} 页第 {ev.row} 行")
            prev["source"] += " ‖ " + " | ".join(c for c in cells if c)
            prev["last_page"] = ev.page
            return
        rec["page"], rec["row"], rec["cont"], rec["last_page"] = ev.page, ev.row, [], ev.page
        rec["source"] = " | ".join(c for c in cells if c)
        rec["carried"] = []
        for f in ("level1", "level2"):
            if not rec[f] and prev is not None:
                rec[f] = prev[f]
                rec["carried"].append(f)
        p.rows.append(rec)

    # -- assembling -----------------------------------------------------------------------------

    def finish(self) -> ParseResult:
        if not self.projects:
            raise TargetsParseError("未找到任何项目绩效目标表（表格中应有“项目名称”和“一级指标/二级指标/三级指标”）", None)
        year = self.fiscal_year
        if year is None:
            if not self.years:
                raise TargetsParseError("无法从文档中确定预算年度（如“2025 年”），请指定预算年度", None)
            year = max(set(self.years), key=lambda y: (self.years.count(y), y))
        dept_code, dept_name = self.unit or ("", self.dept_name)
        if not dept_code:
            dept_code = dept_name or "未编码单位"
            self.note("warning", "全文", f"未找到预算单位编码（如“315001 ××局 单位：万元”），暂以单位名称“{dept_code}”作为编码，请核对")
        projects = []
        rows_meta: list[dict[str, Any]] = []
        for p in self.projects:
            projects.append(self.project(p, year, dept_code, rows_meta))
        if self.dropped_headers:
            self.note("info", "全文", f"已去掉分页后重复的指标表头 {len(self.dropped_headers)} 处（{'、'.join(self.dropped_headers)}）")
        departments = [{"code": dept_code, "name": dept_name or dept_code, "fiscal_year": year,
                        "overall_goal": "", "safeguards": "", "sub_goals": []}]
        data = {"format": FORMAT, "source": self.source, "departments": departments, "projects": projects}
        return ParseResult(data, self.findings, rows_meta)

    def project(self, p: _Project, year: int, dept_code: str, rows_meta: list[dict[str, Any]]) -> dict[str, Any]:
        label = f"项目 {p.seq}“{p.name or p.title}”"
        if not p.code:
            self.note("error", f"{label}（第 {p.page} 页）", "缺少“项目编码”")
        if not p.name:
            p.name = p.title
            self.note("warning", f"{label}（第 {p.page} 页）", "表中缺少“项目名称”，按标题取名")
        if p.budget is None:
            self.note("error", f"{label}（第 {p.page} 页）", "缺少“预算数/年度资金总额”")
        budget = (p.budget or 0.0) * p.scale
        other = (p.other or 0.0) * p.scale
        fiscal = p.fiscal * p.scale if p.fiscal is not None else budget - other
        if p.fiscal is None and p.budget is not None:
            self.note("warning", label, f"未找到“其中：财政资金”金额，按预算数减其他资金计为 {fiscal:g}")
        plan = [{"month": m, "pct": x} for m, x in zip(p.months, p.pcts, strict=False)]
        if not p.months and not p.pcts:
            plan = [{"month": m, "pct": x} for m, x in self.default_plan]
            self.note(
                "warning", label,
                "文档没有资金支出计划，按默认计划 " + "/".join(f"{m}月{x:g}%" for m, x in self.default_plan)
                + " 导入；请向项目单位索取实际的分月支出计划后更正",
            )
        elif len(p.months) != len(p.pcts):
            self.note("error", label, f"资金支出计划不完整：{len(p.months)} 个时间节点、{len(p.pcts)} 个比例")
        indicators = []
        if not p.rows:
            self.note("error", label, "没有任何指标行")
        for k, r in enumerate(p.rows):
            indicators.append(self.indicator(p, label, r, k, rows_meta))
        return {
            "seq": p.seq, "code": p.code, "name": p.name, "department_code": dept_code, "fiscal_year": year,
            "budget": round(budget, 6), "fiscal_funds": round(fiscal, 6), "other_funds": round(other, 6),
            "purpose": "".join(p.purpose), "plan": plan, "goals": p.goals, "indicators": indicators,
        }

    def indicator(self, p: _Project, label: str, r: dict[str, Any], k: int, rows_meta: list[dict[str, Any]]) -> dict[str, Any]:
        where = f"{label}第 {r['page']} 页表格第 {r['row']} 行"
        target = r["value"]
        if r["nature"] or r["unit"]:  # national: 指标性质 (≥ = ≤) and 度量单位 in their own columns
            nature = {"大于等于": "≥", "小于等于": "≤", "等于": "=", "定性": ""}.get(r["nature"], r["nature"])
            target = f"{nature}{target}{r['unit']}" if nature not in ("=",) else f"{target}{r['unit']}"
        level2 = r["level2"] or None
        level1 = r["level1"] or (LEVEL2_TO_LEVEL1.get(level2 or "") if level2 else None)
        for f, name, col in (("level3", "三级指标", "level3"), ("value", "指标值", "value")):
            if not r[f]:
                self.note("error", where, f"“{name}”为空（第 {p.columns.get(col, 0) + 1} 列）")
        if level1 is None or level2 is None:
            self.note("error", where, "缺少一级指标或二级指标")
        elif level1 not in LEVEL1_TERMS:
            self.note("warning", where, f"一级指标“{level1}”不在指标体系中")
        description = r["description"] or r["level3"]
        if not r["description"] and "description" in p.columns:
            self.note("warning", where, "绩效指标描述为空，按三级指标名称填写")
        cls = classify_value(target)
        if cls.form == "unknown":
            self.note("warning", where, f"指标值“{target}”无法识别：{cls.note}")
        elif cls.note:
            self.note("info", where, cls.note)
        if r["cont"]:
            self.note("info", where, f"该行跨页，续行（{'、'.join(r['cont'])}）已逐列并入")
        tv = cls.value
        rows_meta.append({
            "project": p.seq, "index": k, "page": r["page"], "row": r["row"], "form": cls.form,
            "nature": guess_nature(r["level3"], description, target, tv.unit), "where": where,
            "carried": r["carried"], "continued": r["cont"], "source": r["source"],
        })
        return {
            "level1": level1, "level2": level2, "level3": r["level3"], "description": description,
            "target_text": target, "comparator": tv.comparator, "value": tv.value, "unit": tv.unit,
            "deadline": tv.deadline, "kind": tv.kind, "basis": r["basis"] or None,
        }


def _numbered(parts: list[str]) -> list[str]:
    """Goal lines wrapped inside a cell: a new goal starts at "1." "2." …, other lines continue."""
    goals: list[str] = []
    for part in parts:
        part = part.strip()
        m = re.match(r"^(\d{1,2})\s*[.．、]\s*(.*)$", part)
        if m and int(m.group(1)) == len(goals) + 1:
            goals.append(m.group(2))
        elif goals:
            goals[-1] += part
        else:
            goals.append(part)
    return goals


def parse_events(
    events: Iterable[Event], source: str = "", fiscal_year: int | None = None,
    default_plan: Sequence[tuple[int, float]] = DEFAULT_PLAN,
) -> ParseResult:
    """Read projects from a stream of text lines and table rows (see the module docstring)."""
    return _EventParser(source, fiscal_year, default_plan).run(events)


def pdf_events(pdf: Any, progress: Progress | None = None, texts: list[str] | None = None) -> list[Event]:
    """Events of an open pdfplumber document: ruled tables as rows, other text as lines, by position.

    ``texts``, when given, receives each page's plain text from the same pass (for the text parser).
    """
    events: list[Event] = []
    total = len(pdf.pages)
    for n, page in enumerate(pdf.pages, 1):
        tables = page.find_tables()
        items: list[tuple[float, int, Event]] = []
        row_no = 0
        first = True
        for t in tables:
            data = t.extract()
            for trow, cells in zip(t.rows, data, strict=False):
                row_no += 1
                items.append((trow.bbox[1], 1, Row(tuple(cells), n, row_no, first)))
                first = False
        boxes = [t.bbox for t in tables]

        def outside(obj: dict[str, Any], boxes: list[tuple[float, float, float, float]] = boxes) -> bool:
            cx = (obj["x0"] + obj["x1"]) / 2
            cy = (obj["top"] + obj["bottom"]) / 2
            return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

        free = page.filter(lambda o: o.get("object_type") != "char" or outside(o))
        for k, ln in enumerate(free.extract_text_lines(return_chars=False), 1):
            items.append((ln["top"], 0, TextLine(ln["text"], n, k)))
        items.sort(key=lambda it: (it[0], it[1]))
        events.extend(ev for _, _, ev in items)
        if texts is not None:
            texts.append(page.extract_text() or "")
        if hasattr(page, "flush_cache"):
            page.flush_cache()  # keep memory flat on long documents
        if progress is not None:
            progress(n, total)
    return events


def has_ruled_tables(events: Sequence[Event]) -> bool:
    return any(isinstance(ev, Row) for ev in events)

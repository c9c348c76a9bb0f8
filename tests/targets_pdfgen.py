"""Generator of 绩效目标 documents for tests and benchmarks (issue 14 item 7).

Random project target tables in the Hebei layout (varied names, wrapped cells, value forms,
merged 一级/二级 cells, rows split by a page break, repeated headers after a break, a table
starting on the page where the previous one ends) rendered to a ruled PDF with fpdf2 and a CJK
TrueType font (perfwatch.reports.fonts). ``expected`` gives what a faithful importer must read.

The text form "in pdfplumber's order" is pdfplumber's own text of the rendered PDF, which is what
the text-line parser receives when table extraction is not possible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from fpdf import FPDF

from perfwatch.reports.fonts import pdf_font

L2_OF = {
    "产出指标": ["数量指标", "质量指标", "时效指标", "成本指标"],
    "效益指标": ["社会效益指标", "经济效益指标", "可持续影响指标"],
    "满意度指标": ["服务对象满意度指标"],
}
NOUNS = ["法律援助", "普法宣传", "低保补助", "食品抽检", "道路养护", "校舍维修", "疫苗接种", "农机补贴",
         "档案管理", "信息系统运维", "社区矫正", "人民调解", "河道清淤", "公共文化服务", "就业培训"]
BASES = ["单位年度工作计划", "文件规定", "问卷调查", "历史数据", "项目实施方案", "行业标准"]
# (target_text, kind) per value form; kinds as the dataset stores them
VALUES: dict[str, list[tuple[str, str]]] = {
    "数量指标": [("≥1 次", "count"), ("≥100 人次", "count"), ("≥1 200 批次", "count"), ("每季度 1 次", "count"),
                 ("0 起", "zero"), ("零投诉", "zero")],
    "质量指标": [("≥80%", "rate"), ("100%", "rate"), ("≤5%", "ceiling"), ("有效保障", "qualitative")],
    "时效指标": [("12 月 31 日前", "deadline"), ("9 月底前完成", "deadline"), ("每月 10 日前", "deadline"),
                 ("按时完成", "qualitative")],
    "社会效益指标": [("明显提升", "qualitative"), ("≥90%", "rate"), ("有效保障", "qualitative")],
    "经济效益指标": [("≥5 万元", "count"), ("≥10%", "rate")],
    "可持续影响指标": [("长期", "qualitative"), ("≥3 年", "count")],
    "服务对象满意度指标": [("≥90%", "rate"), ("≥85%", "rate")],
}
HEADER = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
WIDTHS = [18.0, 22.0, 30.0, 50.0, 26.0, 34.0]  # mm, total 180


@dataclass
class GenIndicator:
    level1: str
    level2: str
    level3: str
    description: str
    target_text: str
    kind: str
    basis: str


@dataclass
class GenProject:
    seq: int
    code: str
    name: str
    budget: float
    fiscal: float
    other: float
    purpose: str
    plan: list[tuple[int, float]]
    goals: list[str]
    indicators: list[GenIndicator] = field(default_factory=list)


@dataclass
class GenDocument:
    year: int
    unit_code: str
    unit_name: str
    projects: list[GenProject]


def random_document(rng: random.Random, n_projects: int = 2, max_rows: int = 9) -> GenDocument:
    year = rng.choice([2024, 2025])
    unit_code = str(rng.randint(300000, 399999))
    unit_name = "巨鹿县" + rng.choice(["民政局", "司法局", "农业农村局", "教育局", "卫生健康局"])
    projects = []
    for seq in range(1, n_projects + 1):
        noun = rng.choice(NOUNS) + rng.choice(["", "专项", "工作"])
        name = noun + rng.choice(["经费", "补助资金", "项目经费"])
        fiscal = round(rng.randint(100, 500000) / 100, 2)
        other = rng.choice([0.0, 0.0, round(rng.randint(100, 50000) / 100, 2)])
        months = rng.choice([[3, 6, 9, 12], [3, 6, 10, 12], [6, 12], [3, 6, 9, 11, 12]])
        pcts = sorted(rng.sample(range(5, 100, 5), len(months) - 1)) + [100]
        p = GenProject(
            seq, f"130529{year % 100}P{rng.randint(10**9, 10**10 - 1)}", name, round(fiscal + other, 2), fiscal, other,
            f"用于{noun}相关支出", [(m, float(x)) for m, x in zip(months, pcts, strict=False)],
            [f"{k}.{rng.choice(['保障', '推进', '完成'])}{noun}{rng.choice(['工作', '任务', '年度目标'])}" for k in range(1, rng.randint(2, 3))],
        )
        n_rows = rng.randint(3, max_rows)
        l1s = ["产出指标"] * max(1, n_rows - 2) + ["效益指标", "满意度指标"][: n_rows - max(1, n_rows - 2)]
        for l1 in l1s:
            l2 = rng.choice(L2_OF[l1])
            if l2 == "成本指标":
                text, kind = f"≤{p.budget:.2f} 万元", "cost"
            else:
                text, kind = rng.choice(VALUES[l2])
            l3 = rng.choice(NOUNS)[: rng.choice([2, 4])] + rng.choice(["次数", "覆盖率", "完成时间", "满意度", "效果", "总成本", "人数"])
            desc = l3 if rng.random() < 0.4 else l3 + rng.choice(
                ["（按年度统计）", "达到预期目标的程度", "", "，以年度工作台账、验收报告和抽查记录为准，按全年累计口径统计"]
            )
            p.indicators.append(GenIndicator(l1, l2, l3, desc, text, kind, rng.choice(BASES)))
        # indicators grouped by level1 then level2, as published tables are
        order = {"产出指标": 0, "效益指标": 1, "满意度指标": 2}
        p.indicators.sort(key=lambda i: (order[i.level1], i.level2))
        projects.append(p)
    return GenDocument(year, unit_code, unit_name, projects)


def expected(doc: GenDocument) -> dict[str, Any]:
    """The fields a faithful importer must read, by project code."""
    return {
        p.code: {
            "name": p.name, "budget": p.budget, "fiscal_funds": p.fiscal, "other_funds": p.other,
            "plan": [{"month": m, "pct": x} for m, x in p.plan],
            "indicators": [
                (i.level1, i.level2, i.level3, i.description, i.target_text, i.kind, i.basis) for i in p.indicators
            ],
        }
        for p in doc.projects
    }


def observed(data: dict[str, Any]) -> dict[str, Any]:
    """The same view of a parsed dataset."""
    return {
        p["code"]: {
            "name": p["name"], "budget": p["budget"], "fiscal_funds": p["fiscal_funds"], "other_funds": p["other_funds"],
            "plan": p["plan"],
            "indicators": [
                (i["level1"], i["level2"], i["level3"], i["description"], i["target_text"], i["kind"], i["basis"])
                for i in p["indicators"]
            ],
        }
        for p in data["projects"]
    }


class _Renderer:
    PAD = 1.2
    LH = 4.2
    TOP = 15.0
    BOTTOM = 282.0
    LEFT = 15.0

    def __init__(self, font_size: float = 8.5) -> None:
        font = pdf_font()
        self.pdf = FPDF(unit="mm", format="A4")
        self.pdf.set_auto_page_break(False)
        self.pdf.add_font("cjk", "", str(font.path))
        self.pdf.set_font("cjk", size=font_size)
        self.pdf.add_page()
        self.y = self.TOP
        self.page_no = 1
        self.pending: tuple[float, float, float] | None = None  # bottom line of the last row drawn

    def close_table(self) -> None:
        if self.pending:
            x0, x1, y = self.pending
            self.pdf.line(x0, y, x1, y)
            self.pending = None

    def wrap(self, text: str, width: float) -> list[str]:
        lines: list[str] = []
        cur = ""
        for ch in text:
            if ch == "\n":
                lines.append(cur)
                cur = ""
                continue
            if cur and self.pdf.get_string_width(cur + ch) > width - 2 * self.PAD:
                lines.append(cur)
                cur = ""
            cur += ch
        lines.append(cur)
        return lines

    def new_page(self) -> None:
        self.close_table()
        self.pdf.set_font_size(8)
        self.pdf.text(100, 290, f"- {self.page_no} -")
        self.pdf.set_font_size(8.5)
        self.pdf.add_page()
        self.page_no += 1
        self.y = self.TOP

    def text_line(self, text: str, x: float | None = None) -> None:
        self.close_table()
        if self.y + 8 > self.BOTTOM:
            self.new_page()
        self.pdf.text(x if x is not None else self.LEFT, self.y + 5, text)
        self.y += 7

    def row(
        self, cells: list[str], widths: list[float], *, open_top: list[bool] | None = None,
        split_ok: bool = True, header: list[str] | None = None,
    ) -> None:
        """One ruled row. open_top[k]: column k continues a merged cell (no line above, no text)."""
        wrapped = [self.wrap(c, w) for c, w in zip(cells, widths, strict=False)]
        n = max(len(w) for w in wrapped)
        height = n * self.LH + 2 * self.PAD
        if self.y + height > self.BOTTOM:
            fit = int((self.BOTTOM - self.y - 2 * self.PAD) // self.LH)
            if split_ok and 1 <= fit < n:
                first = ["\n".join(w[:fit]) for w in wrapped]
                rest = ["\n".join(w[fit:]) for w in wrapped]
                self._draw(first, widths, fit, open_top)
                self.new_page()
                if header:
                    self.row(header, WIDTHS, split_ok=False)
                self.row(rest, widths, split_ok=False)
                return
            self.new_page()
            if header:
                self.row(header, WIDTHS, split_ok=False)
            open_top = None  # a merged cell is closed at the page break
        self._draw(["\n".join(w) for w in wrapped], widths, n, open_top)

    def _draw(self, cells: list[str], widths: list[float], n: int, open_top: list[bool] | None) -> None:
        pdf = self.pdf
        self.pending = None  # this row's top line closes the row above
        height = n * self.LH + 2 * self.PAD
        x = self.LEFT
        for k, (text, w) in enumerate(zip(cells, widths, strict=False)):
            if not (open_top and open_top[k]):
                pdf.line(x, self.y, x + w, self.y)
            pdf.line(x, self.y, x, self.y + height)
            for j, ln in enumerate(text.split("\n") if text else []):
                pdf.text(x + self.PAD, self.y + self.PAD + (j + 0.8) * self.LH, ln)
            x += w
        pdf.line(x, self.y, x, self.y + height)
        self.pending = (self.LEFT, x, self.y + height)  # drawn when the table ends or the page breaks
        self.y += height


def render_pdf(doc: GenDocument, rng: random.Random | None = None, *, page_gap: bool = False) -> bytes:
    """A ruled PDF of the document (project part only, as in a 项目支出绩效目标 file)."""
    rng = rng or random.Random(0)
    r = _Renderer()
    r.text_line(f"{doc.unit_name}{doc.year}年项目支出绩效目标", 60)
    for p in doc.projects:
        if page_gap or r.y > 200:
            r.new_page()
        r.text_line(f"{p.seq}.{p.name}绩效目标表", 50)
        r.text_line(f"{doc.unit_code} {doc.unit_name} 单位：万元")
        r.row(["项目编码", p.code, "项目名称", p.name], [30, 60, 25, 65], split_ok=False)
        r.row(["预算规模及资金用途", "预算数", f"{p.budget:.2f}", "其中：财政资金", f"{p.fiscal:.2f}", "其他资金",
               f"{p.other:.2f}"], [30, 20, 25, 30, 25, 20, 30], split_ok=False)
        r.row(["", p.purpose], [30, 150], open_top=[True, False], split_ok=False)
        w = 150 / len(p.plan)
        r.row(["资金支出计划（%）"] + [f"{m}月底" for m, _ in p.plan], [30] + [w] * len(p.plan), split_ok=False)
        r.row([""] + [f"{x:g}%" for _, x in p.plan], [30] + [w] * len(p.plan),
              open_top=[True] + [False] * len(p.plan), split_ok=False)
        r.row(["绩效目标", "\n".join(p.goals)], [30, 150], split_ok=False)
        r.row(HEADER, WIDTHS, split_ok=False)
        prev: GenIndicator | None = None
        for ind in p.indicators:
            same1 = prev is not None and prev.level1 == ind.level1
            same2 = same1 and prev is not None and prev.level2 == ind.level2
            cells = ["" if same1 else ind.level1, "" if same2 else ind.level2, ind.level3, ind.description,
                     ind.target_text, ind.basis]
            r.row(cells, WIDTHS, open_top=[same1, same2, False, False, False, False], header=HEADER)
            prev = ind
        r.close_table()
        r.y += 6
    r.close_table()
    return bytes(r.pdf.output())


# -- the national 项目支出绩效目标表 family -------------------------------------------------------

NATIONAL_HEADER = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位"]
NATIONAL_WIDTHS = [22.0, 30.0, 50.0, 22.0, 30.0, 26.0]
# (指标性质, 指标值, 度量单位) -> target_text as the importer composes it, and the dataset kind
NATIONAL_VALUES: list[tuple[str, str, str, str, str]] = [
    ("≥", "80", "%", "≥80%", "rate"), ("≥", "100", "人次", "≥100人次", "count"), ("=", "4", "次", "4次", "count"),
    ("≤", "5", "%", "≤5%", "ceiling"), ("定性", "有效保障", "", "有效保障", "qualitative"), ("≥", "90", "%", "≥90%", "rate"),
]


@dataclass
class NationalRow:
    level1: str
    level2: str
    level3: str
    nature: str
    value: str
    unit: str
    target_text: str
    kind: str


def random_national(rng: random.Random, n_rows: int = 8) -> tuple[GenProject, list[NationalRow], str]:
    """One national-format project (no spending plan, no 指标值确定依据 column) and its 主管部门."""
    noun = rng.choice(NOUNS)
    fiscal = round(rng.randint(100, 90000) / 100, 2)
    other = rng.choice([0.0, round(rng.randint(100, 9000) / 100, 2)])
    p = GenProject(1, f"{rng.randint(10**11, 10**12 - 1)}", noun + "项目", round(fiscal + other, 2), fiscal, other,
                   "", [], [f"完成{noun}年度任务"])
    rows = []
    for k in range(n_rows):
        l1 = "产出指标" if k < n_rows - 2 else ("效益指标" if k == n_rows - 2 else "满意度指标")
        l2 = rng.choice(L2_OF[l1][:3] if l1 == "产出指标" else L2_OF[l1])
        nat, val, unit, text, kind = rng.choice(NATIONAL_VALUES)
        rows.append(NationalRow(l1, l2, rng.choice(NOUNS) + rng.choice(["覆盖率", "次数", "效果"]), nat, val, unit, text, kind))
    order = {"产出指标": 0, "效益指标": 1, "满意度指标": 2}
    rows.sort(key=lambda r: (order[r.level1], r.level2))
    return p, rows, "巨鹿县" + rng.choice(["财政局", "民政局", "水利局"])


def national_expected(p: GenProject, rows: list[NationalRow]) -> dict[str, Any]:
    return {
        p.code: {
            "name": p.name, "budget": p.budget, "fiscal_funds": p.fiscal, "other_funds": p.other,
            "plan": [{"month": 3, "pct": 25.0}, {"month": 6, "pct": 50.0}, {"month": 9, "pct": 75.0}, {"month": 12, "pct": 100.0}],
            "indicators": [(r.level1, r.level2, r.level3, r.level3, r.target_text, r.kind, None) for r in rows],
        }
    }


def _national_block(p: GenProject, dept: str, year: int) -> list[tuple[list[str], list[float], list[bool] | None]]:
    return [
        (["项目名称", p.name, "项目编码", p.code], [30, 70, 30, 50], None),
        (["主管部门", dept, "实施单位", dept], [30, 70, 30, 50], None),
        (["项目资金（万元）", "年度资金总额", f"{p.budget:.2f}"], [30, 70, 80], None),
        (["", "其中：财政拨款", f"{p.fiscal:.2f}"], [30, 70, 80], [True, False, False]),
        (["", "其他资金", f"{p.other:.2f}"], [30, 70, 80], [True, False, False]),
        (["年度目标", "\n".join(p.goals)], [30, 150], None),
    ]


def render_national_pdf(p: GenProject, rows: list[NationalRow], dept: str, year: int = 2025) -> bytes:
    r = _Renderer()
    r.text_line(f"项目支出绩效目标表（{year}年度）", 70)
    r.text_line("单位：万元")
    for cells, widths, open_top in _national_block(p, dept, year):
        r.row(cells, widths, open_top=open_top, split_ok=False)
    r.row(NATIONAL_HEADER, NATIONAL_WIDTHS, split_ok=False)
    prev: NationalRow | None = None
    for row in rows:
        same1 = prev is not None and prev.level1 == row.level1
        same2 = same1 and prev is not None and prev.level2 == row.level2
        r.row(["" if same1 else row.level1, "" if same2 else row.level2, row.level3, row.nature, row.value, row.unit],
              NATIONAL_WIDTHS, open_top=[same1, same2, False, False, False, False])
        prev = row
    r.close_table()
    return bytes(r.pdf.output())


def render_national_docx(p: GenProject, rows: list[NationalRow], dept: str, year: int = 2025) -> bytes:
    """The same table as a Word document, 一级/二级 cells merged vertically, labels merged across."""
    import io

    import docx

    d = docx.Document()
    d.add_paragraph(f"项目支出绩效目标表（{year}年度）")
    d.add_paragraph("单位：万元")
    t = d.add_table(rows=6 + 1 + len(rows), cols=6)
    t.style = "Table Grid"

    def put(r: int, c: int, text: str, span: int = 1) -> None:
        cell = t.cell(r, c)
        if span > 1:
            cell = cell.merge(t.cell(r, c + span - 1))
        cell.text = text

    put(0, 0, "项目名称"), put(0, 1, p.name, 2), put(0, 3, "项目编码"), put(0, 4, p.code, 2)
    put(1, 0, "主管部门"), put(1, 1, dept, 2), put(1, 3, "实施单位"), put(1, 4, dept, 2)
    t.cell(2, 0).merge(t.cell(4, 0)).text = "项目资金（万元）"
    for k, (label, amount) in enumerate((("年度资金总额", p.budget), ("其中：财政拨款", p.fiscal), ("其他资金", p.other))):
        put(2 + k, 1, label, 2)
        put(2 + k, 3, f"{amount:.2f}", 3)
    put(5, 0, "年度目标"), put(5, 1, "\n".join(p.goals), 5)
    for c, h in enumerate(NATIONAL_HEADER):
        put(6, c, h)
    start1 = start2 = 7
    for k, row in enumerate(rows):
        r = 7 + k
        for c, v in enumerate([row.level1, row.level2, row.level3, row.nature, row.value, row.unit]):
            if c >= 2:
                put(r, c, v)
        prev = rows[k - 1] if k else None
        if prev is None or prev.level1 != row.level1:
            start1 = r
            put(r, 0, row.level1)
        else:
            t.cell(start1, 0).merge(t.cell(r, 0))
        if prev is None or prev.level1 != row.level1 or prev.level2 != row.level2:
            start2 = r
            put(r, 1, row.level2)
        else:
            t.cell(start2, 1).merge(t.cell(r, 1))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def write_fixtures(folder: str) -> None:
    """Render the committed fixtures (python -m tests.targets_pdfgen tests/fixtures/targets/generated)."""
    import json
    from pathlib import Path

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    doc = random_document(random.Random(9), n_projects=4, max_rows=30)  # seed 9: 2 split rows, repeated headers
    (out / "hebei-ruled-4-projects.pdf").write_bytes(render_pdf(doc))
    (out / "hebei-ruled-4-projects.expected.json").write_text(
        json.dumps(expected(doc), ensure_ascii=False, indent=1), encoding="utf-8")
    p, rows, dept = random_national(random.Random(1))
    (out / "national-1-project.pdf").write_bytes(render_national_pdf(p, rows, dept))
    (out / "national-1-project.docx").write_bytes(render_national_docx(p, rows, dept))
    (out / "national-1-project.expected.json").write_text(
        json.dumps(national_expected(p, rows), ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    import sys

    write_fixtures(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/targets/generated")


def render_national_xlsx(p: GenProject, rows: list[NationalRow], dept: str, year: int = 2025) -> bytes:
    """The national table as an Excel sheet laid out like the PDF (merged ranges for merged cells)."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([f"项目支出绩效目标表（{year}年度）"])
    ws.merge_cells("A1:F1")
    ws.append(["单位：万元"])
    ws.merge_cells("A2:F2")
    ws.append(["项目名称", p.name, None, "项目编码", p.code, None])
    ws.append(["主管部门", dept, None, "实施单位", dept, None])
    ws.append(["项目资金（万元）", "年度资金总额", None, p.budget, None, None])
    ws.append([None, "其中：财政拨款", None, p.fiscal, None, None])
    ws.append([None, "其他资金", None, p.other, None, None])
    ws.merge_cells("A5:A7")
    ws.append(["年度目标", "\n".join(p.goals)])
    ws.append(NATIONAL_HEADER)
    groups: dict[str, list[list[int]]] = {"A": [], "B": []}
    for k, row in enumerate(rows):
        prev = rows[k - 1] if k else None
        new1 = prev is None or prev.level1 != row.level1
        new2 = new1 or prev is None or prev.level2 != row.level2
        ws.append([row.level1 if new1 else None, row.level2 if new2 else None, row.level3, row.nature,
                   row.value, row.unit])
        for col, new in (("A", new1), ("B", new2)):
            if new:
                groups[col].append([10 + k, 10 + k])
            else:
                groups[col][-1][1] = 10 + k
    for col, spans in groups.items():
        for a, b in spans:
            if b > a:
                ws.merge_cells(f"{col}{a}:{col}{b}")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

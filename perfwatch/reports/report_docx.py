"""The 监控报告 as an editable Word document (python-docx), from :func:`narrative.blocks`.

A4 portrait, official-document margins, 仿宋 body text with 黑体/楷体 headings (Word and
LibreOffice substitute an installed CJK face when these are missing), tables with grid lines.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.run import Run

from perfwatch.reports.data import DepartmentReport
from perfwatch.reports.narrative import Block, blocks

BODY_FONT = "仿宋"
H1_FONT = "黑体"
H2_FONT = "楷体"
TITLE_FONT = "宋体"


def _font(run: Run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), name)


def document_bytes(report: DepartmentReport, project_id: int | None = None) -> bytes:
    """The report as .docx bytes (the unit's report, or one project's with ``project_id``)."""
    return render(blocks(report, project_id), f"{report.name} 预算绩效运行监控报告")


def render(bs: list[Block], title: str) -> bytes:
    doc = Document()
    doc.core_properties.title = title
    doc.core_properties.author = "perfwatch"
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(3.0), Cm(2.5)
    sec.left_margin, sec.right_margin = Cm(2.6), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    for b in bs:
        if b.kind == "table":
            _table(doc, b)
            continue
        para = doc.add_paragraph()
        fmt = para.paragraph_format
        fmt.space_after = Pt(4)
        fmt.line_spacing = Pt(26)
        run = para.add_run(b.text)
        if b.kind == "title":
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(run, TITLE_FONT, 20, bold=True)
            fmt.space_after = Pt(6)
        elif b.kind == "note":
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(run, H2_FONT, 12)
        elif b.kind == "h1":
            fmt.first_line_indent = Pt(28)
            _font(run, H1_FONT, 14)
        elif b.kind == "h2":
            fmt.first_line_indent = Pt(28)
            _font(run, H2_FONT, 14, bold=True)
        else:
            fmt.first_line_indent = Pt(28)
            para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            _font(run, BODY_FONT, 14)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _table(doc: DocxDocument, b: Block) -> None:
    table = doc.add_table(rows=1 + len(b.rows), cols=len(b.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, values in enumerate([b.header, *b.rows]):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.text = ""
            para = cell.paragraphs[0]
            para.alignment = WD_ALIGN_PARAGRAPH.LEFT if c == 0 and r > 0 else WD_ALIGN_PARAGRAPH.CENTER
            _font(para.add_run(value), H1_FONT if r == 0 else BODY_FONT, 10.5, bold=False)
    if len(b.header) > 1:
        table.autofit = False
        first = Cm(5.6)
        rest = int((Cm(15.8) - first) / (len(b.header) - 1))
        widths = [first] + [rest] * (len(b.header) - 1)
        for col, w in zip(table.columns, widths, strict=False):
            col.width = w
        for row in table.rows:
            for cell, w in zip(row.cells, widths, strict=False):
                cell.width = w
    doc.add_paragraph()


def file_name(report: DepartmentReport, project_code: str | None = None) -> str:
    who = f"{report.code}_{project_code}" if project_code else report.code
    return f"{who}_{report.fiscal_year}年{report.period}_预算绩效运行监控报告.docx"

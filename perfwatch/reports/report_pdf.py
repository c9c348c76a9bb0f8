"""The 监控报告 as PDF (fpdf2, embedded CJK font), from the same :func:`narrative.blocks` as the
Word document, so both carry the same text and numbers. A4 portrait, page numbers in the footer.
"""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from perfwatch.reports import fonts
from perfwatch.reports.data import DepartmentReport
from perfwatch.reports.narrative import Block, blocks
from perfwatch.reports.typeset import cjk_lines, wrapped

FONT = "cjk"
MARGIN = 22.0
INK = (20, 20, 20)
HEAD_FILL = (238, 241, 245)


class _Doc(FPDF):
    def __init__(self, font: fonts.PdfFont, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font(FONT, "", str(font.path), collection_font_number=font.index)
        self.set_margins(MARGIN, 25, MARGIN)
        self.set_auto_page_break(True, margin=20)
        self.set_title(title)
        self.set_author("perfwatch")
        self.set_lang("zh-CN")

    @property
    def content_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, size=9)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, f"— {self.page_no()} —", align=Align.C)
        self.set_text_color(*INK)

    def lines(self, text: str, size: float, h: float, indent: float = 0.0, align: str = "L") -> None:
        self.set_font(FONT, size=size)
        first = True
        for line in cjk_lines(self, text, self.content_width - indent):
            self.set_x(self.l_margin + (indent if first else 0))
            self.cell(self.content_width - (indent if first else 0), h, line, align=Align.C if align == "C" else Align.L,
                      new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            first = False


def _table(pdf: _Doc, b: Block) -> None:
    n = len(b.header)
    first = 56.0 if n > 2 else pdf.content_width / 2
    rest = (pdf.content_width - first) / max(n - 1, 1)
    widths = [first] + [rest] * (n - 1)
    pdf.set_font(FONT, size=9)
    pdf.set_fill_color(255, 255, 255)
    with pdf.table(col_widths=tuple(widths), headings_style=FontFace(family=FONT, size_pt=9, fill_color=HEAD_FILL),
                   line_height=5, wrapmode=WrapMode.CHAR, text_align=("LEFT",) + ("CENTER",) * (n - 1),
                   repeat_headings=1, padding=1.2, v_align="MIDDLE") as table:
        table.row([wrapped(pdf, h, w) for h, w in zip(b.header, widths, strict=False)])
        for values in b.rows:
            table.row([wrapped(pdf, v, w) for v, w in zip(values, widths, strict=False)])
    pdf.ln(3)


def render(bs: list[Block], title: str, font: fonts.PdfFont | None = None) -> bytes:
    pdf = _Doc(font or fonts.pdf_font(), title)
    pdf.add_page()
    pdf.set_text_color(*INK)
    for b in bs:
        if b.kind == "title":
            pdf.lines(b.text, 18, 10, align="C")
            pdf.ln(1)
        elif b.kind == "note":
            pdf.lines(b.text, 11, 6, align="C")
            pdf.ln(3)
        elif b.kind == "h1":
            if pdf.get_y() > pdf.h - 50:
                pdf.add_page()
            pdf.ln(1.5)
            pdf.lines(b.text, 13, 8, indent=8)
        elif b.kind == "h2":
            if pdf.get_y() > pdf.h - 45:
                pdf.add_page()
            pdf.lines(b.text, 12, 7.5, indent=8)
        elif b.kind == "table":
            _table(pdf, b)
        else:
            pdf.lines(b.text, 11.5, 7.2, indent=8)
    return bytes(pdf.output())


def document_bytes(report: DepartmentReport, project_id: int | None = None, font: fonts.PdfFont | None = None) -> bytes:
    """The report as PDF bytes. Raises :class:`fonts.FontNotFound` without a CJK font."""
    return render(blocks(report, project_id), f"{report.name} 预算绩效运行监控报告", font)


def file_name(report: DepartmentReport, project_code: str | None = None) -> str:
    who = f"{report.code}_{project_code}" if project_code else report.code
    return f"{who}_{report.fiscal_year}年{report.period}_预算绩效运行监控报告.pdf"

"""The printable briefing (运行监控简报, PDF) for leadership and the quarterly meeting.

Pages: a cover, the department summary with KPI figures, the spend chart (drawn with fpdf2
primitives: a bar per project for 执行率, a marker for the plan-based expectation and a dashed
line for 序时进度 -- no browser needed), the lagging projects with causes and corrective measures,
and a table of every indicator with its light. Chinese text uses an embedded CJK font found by
:mod:`perfwatch.reports.fonts`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from perfwatch import numfmt
from perfwatch.reports import fonts
from perfwatch.reports.brief_chart import _spend_chart
from perfwatch.reports.data import (
    DepartmentReport,
    IndicatorLine,
    ProjectLine,
    fmt_amount,
    fmt_pct,
    lagging_indicators,
    light_name,
)
from perfwatch.reports.style import (
    ACCENT,
    FONT,
    HEAD_FILL,
    INK,
    LIGHT_RGB,
    MARGIN,
    MUTED,
    RULE,
)
from perfwatch.reports.typeset import NO_LINE_START, cjk_lines, wrapped
from perfwatch.vocab import LIGHT_LABELS, LIGHTS

__all__ = ["NO_LINE_START", "build_pdf", "cjk_lines", "file_name", "wrapped", "write_pdf"]


class _Briefing(FPDF):
    """A4 portrait with a running header (department, period) and page numbers."""

    def __init__(self, report: DepartmentReport, font: fonts.PdfFont) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report = report
        self.add_font(FONT, "", str(font.path), collection_font_number=font.index)
        # One weight only: bold headings are drawn with a thin outline (see _bold).
        self.add_font(FONT, "B", str(font.path), collection_font_number=font.index)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=16)
        self.set_title(f"{report.name}{report.fiscal_year}年{report.period}预算绩效运行监控简报")
        self.set_author("perfwatch")
        self.set_creator("perfwatch")
        self.set_lang("zh-CN")
        self.cover_done = False

    @property
    def content_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def header(self) -> None:
        if not self.cover_done:
            return
        self.set_font(FONT, size=8.5)
        self.set_text_color(*MUTED)
        self.set_xy(self.l_margin, 8)
        r = self.report
        self.cell(self.content_width / 2, 5, f"{r.name} · {r.fiscal_year}年{r.period}运行监控简报")
        self.cell(self.content_width / 2, 5, f"数据截至 {r.as_of:%Y-%m-%d}", align=Align.R)
        self.set_draw_color(*RULE)
        self.line(self.l_margin, 13.5, self.w - self.r_margin, 13.5)
        self.set_y(MARGIN)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, size=8.5)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align=Align.C)

    def bold(self, width: float = 0.18) -> Any:
        """Faux bold for headings: fill and a thin stroke (in the current draw colour).

        A local graphics context (q … Q), because fpdf2 does not reset the text rendering mode
        after a stroked cell.
        """
        return self.local_context(text_mode="FILL_STROKE", line_width=width)

    def heading(self, text: str, size: float = 15) -> None:
        if self.get_y() > self.h - 50:
            self.add_page()
        self.ln(2)
        self.set_font(FONT, size=size)
        self.set_text_color(*ACCENT)
        self.set_draw_color(*ACCENT)
        with self.bold():
            self.cell(0, size * 0.55, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*ACCENT)
        self.set_line_width(0.6)
        self.line(self.l_margin, self.get_y() + 1, self.l_margin + 16, self.get_y() + 1)
        self.set_line_width(0.2)
        self.ln(4)
        self.set_text_color(*INK)

    def paragraph(self, text: str, size: float = 10.5, color: tuple[int, int, int] = INK, h: float = 6.0) -> None:
        """Wrapped Chinese text that never starts a line with closing punctuation (，。；）etc.)."""
        self.set_font(FONT, size=size)
        self.set_text_color(*color)
        for line in cjk_lines(self, text, self.content_width):
            self.cell(0, h, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)

    def dot(self, x: float, y: float, light: str, d: float = 3.2) -> None:
        """A filled light dot with its top-left corner at (x, y)."""
        self.set_fill_color(*LIGHT_RGB.get(light, LIGHT_RGB["grey"]))
        self.rect(x, y, d, d, style="F", round_corners=True, corner_radius=d / 2)


def _cover(pdf: _Briefing) -> None:
    r = pdf.report
    pdf.add_page()
    pdf.set_fill_color(*ACCENT)
    pdf.rect(0, 0, pdf.w, 92, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_draw_color(255, 255, 255)
    pdf.set_xy(MARGIN, 34)
    pdf.set_font(FONT, size=15)
    pdf.cell(0, 9, f"{r.fiscal_year}年度", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=26)
    with pdf.bold(0.3):
        pdf.multi_cell(0, 13, "预算绩效运行监控简报", wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=14)
    pdf.cell(0, 9, f"（{r.period}“双监控”情况）", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    pdf.set_xy(MARGIN, 112)
    pdf.set_font(FONT, size=18)
    pdf.set_draw_color(*INK)
    with pdf.bold(0.22):
        pdf.multi_cell(0, 10, r.name, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=11)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 7, f"单位代码 {r.code}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(18)
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, size=11.5)
    rows = [
        ("监控期间", f"{r.fiscal_year}年{r.period}（截至 {r.as_of:%Y年%m月%d日}）"),
        ("监控项目", f"{len(r.projects)} 个，资金 {fmt_amount(r.budget)} 万元"),
        ("执行情况", f"已执行 {fmt_amount(r.spent)} 万元，执行率 {fmt_pct(r.execution_pct)}"),
        ("滞后项目", f"{len(r.lagging)} 个（综合红灯 {r.light_counts()['red']} 个，黄灯 {r.light_counts()['yellow']} 个）"),
        ("最近数据", r.last_data_date.strftime("%Y-%m-%d") if r.last_data_date else "尚无实际数据"),
    ]
    for label, value in rows:
        pdf.set_text_color(*MUTED)
        pdf.cell(28, 9, label)
        pdf.set_text_color(*INK)
        pdf.cell(0, 9, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(pdf.h - 40)
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(*MUTED)
    for line in cjk_lines(pdf, f"{r.basis_line}编制。生成时间 {dt.datetime.now():%Y-%m-%d %H:%M}，"
                          "由 perfwatch 绩效运行监控看板自动生成。", pdf.content_width):
        pdf.cell(0, 5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cover_done = True


def _kpi(pdf: _Briefing, x: float, y: float, w: float, h: float, label: str, value: str, sub: str = "") -> None:
    pdf.set_fill_color(*HEAD_FILL)
    pdf.rect(x, y, w, h, style="F", round_corners=True, corner_radius=2)
    pdf.set_xy(x + 4, y + 3)
    pdf.set_font(FONT, size=9.5)
    pdf.set_text_color(*MUTED)
    pdf.cell(w - 8, 5, label)
    pdf.set_xy(x + 4, y + 9)
    pdf.set_font(FONT, size=19)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*INK)
    with pdf.bold(0.15):
        pdf.cell(w - 8, 9, value)
    if sub:
        pdf.set_xy(x + 4, y + h - 7)
        pdf.set_font(FONT, size=8.5)
        pdf.set_text_color(*MUTED)
        pdf.cell(w - 8, 5, sub)
    pdf.set_text_color(*INK)


def _summary(pdf: _Briefing) -> None:
    r = pdf.report
    pdf.add_page()
    pdf.heading("一、总体情况")
    gap = 4.0
    w = (pdf.content_width - 2 * gap) / 3
    h = 26.0
    y = pdf.get_y()
    counts = r.light_counts()
    ind_counts = r.indicator_light_counts("project")
    dep_counts = r.indicator_light_counts("department")
    n_ind = sum(ind_counts.values())
    n_dep = sum(dep_counts.values())
    tiles = [
        ("监控项目数", f"{len(r.projects)} 个", f"其中滞后 {len(r.lagging)} 个"),
        ("监控资金总量", f"{fmt_amount(r.budget)} 万元", "年初预算数"),
        (f"{r.period}执行数", f"{fmt_amount(r.spent)} 万元", f"截至 {r.as_of:%m月%d日}"),
        ("执行率", fmt_pct(r.execution_pct), "累计执行数÷预算数"),
        ("计划应达进度", fmt_pct(r.expected_pct), "按各项目支出计划测算"),
        ("序时进度", fmt_pct(r.time_pct), "已过月数÷12"),
    ]
    for k, (label, value, sub) in enumerate(tiles):
        _kpi(pdf, pdf.l_margin + (k % 3) * (w + gap), y + (k // 3) * (h + gap), w, h, label, value, sub)
    pdf.set_y(y + 2 * (h + gap) + 2)
    # Light counts: projects, then indicators.
    for title, cnt in (("项目综合灯", counts), ("项目指标灯", ind_counts), ("部门整体指标", dep_counts)):
        pdf.set_font(FONT, size=10.5)
        pdf.set_text_color(*MUTED)
        pdf.cell(30, 8, title)
        pdf.set_text_color(*INK)
        for light in LIGHTS:
            if not cnt.get(light):
                continue
            x, yy = pdf.get_x(), pdf.get_y()
            pdf.dot(x, yy + 2.4, light)
            pdf.set_x(x + 4.5)
            pdf.cell(26, 8, f"{light_name(light)} {cnt[light]} 个")
        pdf.ln(8)
    pdf.ln(2)
    gap_pp = None if r.execution_pct is None or r.expected_pct is None else r.execution_pct - r.expected_pct
    text = (
        f"截至{r.as_of.month}月{r.as_of.day}日，{r.name}共监控预算项目 {len(r.projects)} 个，资金总量 "
        f"{fmt_amount(r.budget)} 万元，累计执行 {fmt_amount(r.spent)} 万元，执行率 {fmt_pct(r.execution_pct)}，"
        f"计划应达进度 {fmt_pct(r.expected_pct)}，序时进度 {fmt_pct(r.time_pct)}"
    )
    if gap_pp is not None:
        text += f"，执行率{'低于' if gap_pp < 0 else '高于'}计划应达进度 {numfmt.number(abs(gap_pp))} 个百分点"
    text += (
        f"。项目综合灯：红灯 {counts['red']} 个、黄灯 {counts['yellow']} 个、绿灯 {counts['green'] + counts['blue']} 个"
        + (f"、未评价 {counts['grey']} 个" if counts["grey"] else "")
        + f"；项目绩效指标 {n_ind} 个中红灯 {ind_counts['red']} 个、黄灯 {ind_counts['yellow']} 个"
        + f"，部门整体指标 {n_dep} 个中红灯 {dep_counts['red']} 个、黄灯 {dep_counts['yellow']} 个（两类指标分别统计）。"
    )
    total = r.projection_total()
    if total is not None and r.budget:
        text += f"各项目填报的全年预计执行数合计 {fmt_amount(total)} 万元，预计全年执行率 {fmt_pct(100 * total / r.budget)}。"
    else:
        text += f"全年预计执行数已填报 {r.declared_count()} 个项目，{len(r.projects) - r.declared_count()} 个待填报。"
    pdf.paragraph(text, size=11, h=7)
    pdf.ln(3)
    _spend_chart(pdf)
    _legend(pdf)


def _headings_style() -> FontFace:
    return FontFace(family=FONT, emphasis=None, size_pt=9, color=INK, fill_color=HEAD_FILL)


def _light_style(light: str, size: float = 9) -> FontFace:
    rgb = LIGHT_RGB.get(light, LIGHT_RGB["grey"])
    return FontFace(family=FONT, size_pt=size, color=(0, 0, 0) if light == "yellow" else (255, 255, 255), fill_color=rgb)


def _causes(ind: IndicatorLine) -> str:
    parts = []
    if ind.causes:
        parts.append("、".join(ind.causes))
    if ind.cause_text:
        parts.append(ind.cause_text)
    return "：".join(parts) if parts else "（待填报）"


def _lagging(pdf: _Briefing) -> None:
    r = pdf.report
    pdf.add_page()
    pdf.heading("三、滞后项目、原因及纠偏措施")
    lag = r.lagging
    if not lag:
        pdf.paragraph("本期没有红灯或黄灯项目。")
        return
    for p in lag:
        _lagging_project(pdf, p)


def _lagging_project(pdf: _Briefing, p: ProjectLine) -> None:
    inds = lagging_indicators(p)
    # Keep a project's block on one page: an estimate of its height (title, two text lines, table).
    need = 36 + (14 + 16 * len(inds) if inds else 0)
    if pdf.get_y() + need > pdf.h - pdf.b_margin:
        pdf.add_page()
    y = pdf.get_y()
    pdf.dot(pdf.l_margin, y + 1.8, p.combined_light, 4)
    pdf.set_xy(pdf.l_margin + 6, y)
    pdf.set_font(FONT, size=11.5)
    pdf.set_draw_color(*INK)
    with pdf.bold(0.15):
        pdf.multi_cell(pdf.content_width - 6, 7, wrapped(pdf, f"{p.seq}. {p.name}（{light_name(p.combined_light)}）",
                                                         pdf.content_width - 6),
                       wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    facts = (
        f"预算 {fmt_amount(p.budget)} 万元，已执行 {fmt_amount(p.spent)} 万元，执行率 {fmt_pct(p.execution_pct)}，"
        f"计划应达 {fmt_pct(p.expected_pct)}（支出进度{light_name(p.execution_light)}，绩效目标{light_name(p.goal_light)}）。"
    )
    if p.projection is not None:
        facts += f"全年预计执行 {fmt_amount(p.projection)} 万元（填报数），预计结转结余 {fmt_amount(p.carryover)} 万元。"
    else:
        facts += "全年预计执行数待填报。"
    if p.cause_text or p.cause_categories:
        facts += "支出偏差原因：" + "；".join(t for t in ("、".join(p.cause_categories), p.cause_text) if t) + "。"
    if p.measure:
        facts += f"纠偏措施：{p.measure}。"
    pdf.set_x(pdf.l_margin + 6)
    pdf.set_font(FONT, size=9.5)
    pdf.multi_cell(pdf.content_width - 6, 5.5, wrapped(pdf, facts, pdf.content_width - 6), wrapmode=WrapMode.CHAR,
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if p.reason:
        pdf.set_x(pdf.l_margin + 6)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(pdf.content_width - 6, 5.5, wrapped(pdf, f"判定依据：{p.reason}", pdf.content_width - 6),
                       wrapmode=WrapMode.CHAR,
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*INK)
    if inds:
        pdf.ln(1.5)
        pdf.set_font(FONT, size=9)
        pdf.set_fill_color(255, 255, 255)  # fpdf2 tables start from the current fill colour
        with pdf.table(
            col_widths=(32, 11, 20, 46, 45, 20),
            headings_style=_headings_style(),
            line_height=5,
            wrapmode=WrapMode.CHAR,
            text_align=("LEFT", "CENTER", "LEFT", "LEFT", "LEFT", "CENTER"),
            borders_layout="SINGLE_TOP_LINE",
            padding=1.2,
            v_align="MIDDLE",
        ) as table:
            table.row(("滞后指标", "灯", "执行情况", "偏差原因", "纠偏措施", "完成可能性"))
            for ind in inds:
                row = table.row()
                row.cell(wrapped(pdf, f"{ind.level3}（{ind.target_text}）", 32))
                row.cell(light_name(ind.light), style=_light_style(ind.light, 8.5))
                row.cell(wrapped(pdf, ind.actual_text or "—", 20))
                row.cell(wrapped(pdf, _causes(ind), 46))
                row.cell(wrapped(pdf, ind.measure or "（待填报）", 45))
                row.cell(ind.likelihood or "—")
    pdf.ln(5)


def _indicator_row(pdf: _Briefing, table: Any, ind: IndicatorLine) -> None:
    """One indicator row of the 20/40/22/32/12/48 mm tables (text pre-broken: no line starts with "）")."""
    row = table.row()
    row.cell(wrapped(pdf, ind.level2 or "—", 20, 1))
    row.cell(wrapped(pdf, ind.level3, 40, 1))
    row.cell(wrapped(pdf, ind.target_text, 22, 1))
    row.cell(wrapped(pdf, ind.actual_text or "—", 32, 1))
    row.cell(light_name(ind.light), style=_light_style(ind.light, 8))
    row.cell(wrapped(pdf, ind.reason or "", 48, 1))


def _legend(pdf: _Briefing) -> None:
    """What each of the five lights means (blue included)."""
    pdf.set_font(FONT, size=8.5)
    pdf.set_text_color(*MUTED)
    if pdf.get_y() > pdf.h - pdf.b_margin - 30:
        pdf.add_page()
    pdf.ln(2)
    pdf.cell(0, 5, "图例（灯色含义）：", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for light in LIGHTS:
        x, y = pdf.get_x(), pdf.get_y()
        pdf.dot(x, y + 1.2, light, 2.8)
        pdf.set_x(x + 4)
        pdf.cell(0, 5, LIGHT_LABELS[light], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)


def _department_part(pdf: _Briefing) -> None:
    """部门整体绩效目标: each sub-goal with its indicators and lights (counted apart from projects)."""
    r = pdf.report
    if not r.sub_goals:
        return
    pdf.add_page()
    pdf.heading("五、部门整体绩效目标执行情况")
    counts = r.indicator_light_counts("department")
    pdf.paragraph(f"部门整体指标 {sum(counts.values())} 个（不含项目指标）："
                  + "，".join(f"{light_name(k)} {v} 个" for k, v in counts.items() if v) + "。", size=10)
    pdf.ln(1)
    pdf.set_font(FONT, size=8.5)
    group = FontFace(family=FONT, size_pt=9, color=ACCENT, fill_color=HEAD_FILL)
    with _indicator_grid(pdf) as table:
        for g in r.sub_goals:
            table.row().cell(wrapped(pdf, f"分项目标{g.seq}：{g.title}", 174, 1), colspan=6, style=group, align="LEFT")
            for ind in g.indicators:
                _indicator_row(pdf, table, ind)


@contextmanager
def _indicator_grid(pdf: _Briefing) -> Iterator[Any]:
    """The six-column indicator table of the brief (部门整体 and 项目 alike), its heading row drawn."""
    pdf.set_fill_color(255, 255, 255)  # fpdf2 tables start from the current fill colour
    with pdf.table(
        col_widths=(20, 40, 22, 32, 12, 48),
        headings_style=_headings_style(),
        line_height=4.6,
        wrapmode=WrapMode.CHAR,
        text_align=("LEFT", "LEFT", "CENTER", "LEFT", "CENTER", "LEFT"),
        repeat_headings=1,
        borders_layout="HORIZONTAL_LINES",
        padding=1,
        v_align="MIDDLE",
    ) as table:
        table.row(("二级指标", "三级指标", "年度指标值", f"{pdf.report.period}执行情况", "灯", "说明"))
        yield table


def _indicator_table(pdf: _Briefing) -> None:
    r = pdf.report
    pdf.add_page()
    pdf.heading("四、项目绩效指标完成情况")
    pdf.set_font(FONT, size=8.5)
    group = FontFace(family=FONT, size_pt=9, color=ACCENT, fill_color=HEAD_FILL)
    with _indicator_grid(pdf) as table:
        for p in r.projects:
            table.row().cell(f"{p.seq}. {p.name}", colspan=6, style=group, align="LEFT")
            for ind in p.indicators:
                _indicator_row(pdf, table, ind)
            if not p.indicators:
                table.row().cell("（该项目没有绩效指标）", colspan=6)
    pdf.ln(3)
    pdf.paragraph("指标灯规则：" + "；".join(r.rule_texts[k] for k in ("count", "nature", "stale", "rate",
                                                                     "ceiling", "cost", "deadline",
                                                                     "satisfaction", "likelihood")) + "。",
                  size=8, color=MUTED, h=4.4)


def build_pdf(report: DepartmentReport, font: fonts.PdfFont | None = None) -> bytes:
    """The briefing as PDF bytes. Raises :class:`fonts.FontNotFound` without a CJK font."""
    pdf = _Briefing(report, font or fonts.pdf_font())
    _cover(pdf)
    _summary(pdf)
    _lagging(pdf)
    _indicator_table(pdf)
    _department_part(pdf)
    return bytes(pdf.output())


def write_pdf(report: DepartmentReport, out: Path) -> None:
    out.write_bytes(build_pdf(report))


def file_name(report: DepartmentReport) -> str:
    return f"{report.code}_{report.fiscal_year}年{report.period}_运行监控简报.pdf"

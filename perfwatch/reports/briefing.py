"""The printable briefing (运行监控简报, PDF) for leadership and the quarterly meeting.

Pages: a cover, the department summary with KPI figures, the spend chart (drawn with fpdf2
primitives: a bar per project for 执行率, a marker for the plan-based expectation and a dashed
line for 序时进度 -- no browser needed), the lagging projects with causes and corrective measures,
and a table of every indicator with its light. Chinese text uses an embedded CJK font found by
:mod:`perfwatch.reports.fonts`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from perfwatch import limits
from perfwatch.reports import fonts
from perfwatch.reports.data import (
    DepartmentReport,
    IndicatorLine,
    ProjectLine,
    fmt_amount,
    fmt_pct,
    lagging_indicators,
    light_name,
)
from perfwatch.vocab import LIGHT_COLORS, LIGHTS

FONT = "cjk"
MARGIN = 18.0
INK = (33, 33, 33)
MUTED = (110, 110, 110)
RULE = (200, 200, 200)
HEAD_FILL = (238, 241, 245)
ACCENT = (21, 67, 122)


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


LIGHT_RGB: dict[str, tuple[int, int, int]] = {k: _rgb(v) for k, v in LIGHT_COLORS.items()}


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


# Characters that may not begin a line in Chinese typesetting (行首禁则).
NO_LINE_START = set("，。、；：！？）》」』】”’%‰·…,.;:!?)]")


def cjk_lines(pdf: FPDF, text: str, width: float) -> list[str]:
    """``text`` broken into lines of at most ``width`` mm, pulling a character down whenever a
    line would begin with closing punctuation (fpdf2 breaks anywhere in CJK text)."""
    lines: list[str] = []
    for para in text.split("\n"):
        current = ""
        for ch in para:
            if current and pdf.get_string_width(current + ch) > width:
                if ch in NO_LINE_START and len(current) > 1:
                    lines.append(current[:-1])
                    current = current[-1]
                else:
                    lines.append(current)
                    current = ""
            current += ch
        lines.append(current)
    return lines


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
        ("滞后项目", f"{len(r.lagging)} 个（红灯 {r.light_counts()['red']} 个，黄灯 {r.light_counts()['yellow']} 个）"),
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
    pdf.multi_cell(0, 5, f"依据《中央部门预算绩效运行监控管理暂行办法》（财预〔2019〕136号）编制。"
                         f"生成时间 {dt.datetime.now():%Y-%m-%d %H:%M}，由 perfwatch 绩效运行监控看板自动生成。",
                   wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
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
    ind_counts = r.indicator_light_counts()
    n_ind = sum(ind_counts.values())
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
    for title, cnt in (("项目综合灯", counts), ("绩效指标灯", ind_counts)):
        pdf.set_font(FONT, size=10.5)
        pdf.set_text_color(*MUTED)
        pdf.cell(26, 8, title)
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
        text += f"，执行率{'低于' if gap_pp < 0 else '高于'}计划应达进度 {abs(gap_pp):.2f} 个百分点"
    text += (
        f"。项目综合灯：红灯 {counts['red']} 个、黄灯 {counts['yellow']} 个、绿灯 {counts['green'] + counts['blue']} 个"
        + (f"、未评价 {counts['grey']} 个" if counts["grey"] else "")
        + f"；{n_ind} 个绩效指标中红灯 {ind_counts['red']} 个、黄灯 {ind_counts['yellow']} 个。"
    )
    total = r.projection_total()
    if total is not None and r.budget:
        text += f"按项目全年预计执行数合计 {fmt_amount(total)} 万元，预计全年执行率 {fmt_pct(100 * total / r.budget)}。"
    pdf.paragraph(text, size=11, h=7)
    pdf.ln(3)
    _spend_chart(pdf)


def _fit(pdf: _Briefing, text: str, width: float) -> str:
    """``text`` shortened with '…' to fit ``width`` mm in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _chart_label(pdf: _Briefing, text: str, x: float, y: float, w: float, h: float) -> None:
    """A project name in one line, or two smaller lines (the second shortened) when too long."""
    pdf.set_font(FONT, size=9)
    if pdf.get_string_width(text) <= w:
        pdf.set_xy(x, y)
        pdf.cell(w, h, text)
        return
    pdf.set_font(FONT, size=7.5)
    cut = len(text)
    while cut > 1 and pdf.get_string_width(text[:cut]) > w:
        cut -= 1
    first, rest = text[:cut], text[cut:]
    pdf.set_xy(x, y + h / 2 - 3.6)
    pdf.cell(w, 3.6, first)
    pdf.set_xy(x, y + h / 2)
    pdf.cell(w, 3.6, _fit(pdf, rest, w))


def _spend_chart(pdf: _Briefing) -> None:
    """Horizontal bars of 执行率 per project, coloured by the execution light, with the plan
    expectation as a black marker and 序时进度 as a dashed line."""
    r = pdf.report
    pdf.heading("二、项目支出进度（执行率与计划应达进度）", size=13)
    label_w = 58.0
    value_w = 34.0
    bar_x = pdf.l_margin + label_w
    bar_w = pdf.content_width - label_w - value_w
    scale = max(100.0, *(p.execution_pct or 0 for p in r.projects), *(p.expected_pct or 0 for p in r.projects))
    row_h = 10.0
    need = row_h * len(r.projects) + 26
    if pdf.get_y() + need > pdf.h - 20:
        pdf.add_page()
    top = pdf.get_y() + 6
    # Axis ticks.
    pdf.set_font(FONT, size=8)
    pdf.set_text_color(*MUTED)
    pdf.set_draw_color(*RULE)
    if scale > 400:  # an absurd stored figure: a bounded number of round ticks (never 25-wide steps to 1e15)
        scale, ticks = limits.nice_ticks(scale)
    else:
        ticks = list(range(0, int(scale) + 1, 25))
    for tick in ticks:
        x = bar_x + bar_w * tick / scale
        pdf.line(x, top - 1, x, top + row_h * len(r.projects))
        pdf.set_xy(x - 6, top - 6)
        pdf.cell(12, 4, f"{tick:g}%", align=Align.C)
    for k, p in enumerate(r.projects):
        y = top + k * row_h
        pdf.set_text_color(*INK)
        _chart_label(pdf, f"{p.seq}. {p.name}", pdf.l_margin, y, label_w - 3, row_h)
        ex = p.execution_pct or 0.0
        pdf.set_fill_color(*LIGHT_RGB.get(p.execution_light, LIGHT_RGB["grey"]))
        if ex > 0:
            pdf.rect(bar_x, y + 2, min(max(bar_w * ex / scale, 0.6), bar_w), row_h - 4, style="F")
        if p.expected_pct is not None:
            mx = bar_x + bar_w * p.expected_pct / scale
            pdf.set_fill_color(*INK)
            pdf.set_draw_color(*INK)
            pdf.set_line_width(0.6)
            pdf.line(mx, y + 1, mx, y + row_h - 1)
            pdf.polygon([(mx - 1.5, y), (mx + 1.5, y), (mx, y + 1.8)], style="F")
            pdf.set_line_width(0.2)
        pdf.set_xy(bar_x + bar_w + 2, y)
        pdf.set_font(FONT, size=8.5)
        pdf.cell(value_w - 2, row_h, f"{fmt_pct(p.execution_pct)} / 应达 {fmt_pct(p.expected_pct)}")
    bottom = top + row_h * len(r.projects)
    if r.time_pct is not None:
        tx = bar_x + bar_w * r.time_pct / scale
        pdf.set_draw_color(*ACCENT)
        pdf.set_line_width(0.4)
        pdf.set_dash_pattern(dash=1.2, gap=1.0)
        pdf.line(tx, top - 1, tx, bottom + 1)
        pdf.set_dash_pattern()
        pdf.set_line_width(0.2)
    # Legend.
    y = bottom + 4
    pdf.set_font(FONT, size=8.5)
    pdf.set_text_color(*MUTED)
    x = pdf.l_margin
    for light in ("green", "yellow", "red"):
        pdf.set_fill_color(*LIGHT_RGB[light])
        pdf.rect(x, y + 1.2, 6, 3, style="F")
        pdf.set_xy(x + 7, y)
        pdf.cell(24, 5.5, f"执行率（{light_name(light)}）")
        x += 34
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.6)
    pdf.line(x + 2, y + 0.5, x + 2, y + 5)
    pdf.set_line_width(0.2)
    pdf.set_xy(x + 4, y)
    pdf.cell(26, 5.5, "计划应达进度")
    x += 30
    pdf.set_draw_color(*ACCENT)
    pdf.set_dash_pattern(dash=1.2, gap=1.0)
    pdf.set_line_width(0.4)
    pdf.line(x + 2, y + 0.5, x + 2, y + 5)
    pdf.set_dash_pattern()
    pdf.set_line_width(0.2)
    pdf.set_xy(x + 4, y)
    pdf.cell(40, 5.5, f"序时进度 {fmt_pct(r.time_pct)}")
    pdf.set_y(y + 8)
    pdf.paragraph("支出进度灯规则：" + r.rule_texts["execution"] + "。", size=8.5, color=MUTED, h=4.8)


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
    return "：".join(parts) if parts else "（未填报）"


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
        pdf.multi_cell(pdf.content_width - 6, 7, f"{p.seq}. {p.name}（{light_name(p.combined_light)}）",
                       wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    facts = (
        f"预算 {fmt_amount(p.budget)} 万元，已执行 {fmt_amount(p.spent)} 万元，执行率 {fmt_pct(p.execution_pct)}，"
        f"计划应达 {fmt_pct(p.expected_pct)}（支出进度{light_name(p.execution_light)}，绩效目标{light_name(p.goal_light)}）。"
    )
    if p.projection is not None:
        facts += f"全年预计执行 {fmt_amount(p.projection)} 万元（{'负责人填报' if p.projection_is_owner else '按计划测算'}）。"
    pdf.set_x(pdf.l_margin + 6)
    pdf.set_font(FONT, size=9.5)
    pdf.multi_cell(pdf.content_width - 6, 5.5, facts, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if p.reason:
        pdf.set_x(pdf.l_margin + 6)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(pdf.content_width - 6, 5.5, f"判定依据：{p.reason}", wrapmode=WrapMode.CHAR,
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
                row.cell(f"{ind.level3}（{ind.target_text}）")
                row.cell(light_name(ind.light), style=_light_style(ind.light, 8.5))
                row.cell(ind.actual_text or "—")
                row.cell(_causes(ind))
                row.cell(ind.measure or "（未填报）")
                row.cell(ind.likelihood or "—")
    pdf.ln(5)


def _indicator_table(pdf: _Briefing) -> None:
    r = pdf.report
    pdf.add_page()
    pdf.heading("四、绩效指标完成情况")
    pdf.set_font(FONT, size=8.5)
    pdf.set_fill_color(255, 255, 255)  # fpdf2 tables start from the current fill colour
    group = FontFace(family=FONT, size_pt=9, color=ACCENT, fill_color=HEAD_FILL)
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
        table.row(("二级指标", "三级指标", "年度指标值", f"{r.period}执行情况", "灯", "说明"))
        for p in r.projects:
            table.row().cell(f"{p.seq}. {p.name}", colspan=6, style=group, align="LEFT")
            for ind in p.indicators:
                row = table.row()
                row.cell(ind.level2 or "—")
                row.cell(ind.level3)
                row.cell(ind.target_text)
                row.cell(ind.actual_text or "—")
                row.cell(light_name(ind.light), style=_light_style(ind.light, 8))
                row.cell(ind.reason or "")
            if not p.indicators:
                table.row().cell("（该项目没有绩效指标）", colspan=6)
    pdf.ln(3)
    pdf.paragraph("指标灯规则：" + "；".join(r.rule_texts[k] for k in ("count", "rate", "ceiling", "deadline",
                                                                     "satisfaction", "likelihood")) + "。",
                  size=8, color=MUTED, h=4.4)


def build_pdf(report: DepartmentReport, font: fonts.PdfFont | None = None) -> bytes:
    """The briefing as PDF bytes. Raises :class:`fonts.FontNotFound` without a CJK font."""
    pdf = _Briefing(report, font or fonts.pdf_font())
    _cover(pdf)
    _summary(pdf)
    _lagging(pdf)
    _indicator_table(pdf)
    return bytes(pdf.output())


def write_pdf(report: DepartmentReport, out: Path) -> None:
    out.write_bytes(build_pdf(report))


def file_name(report: DepartmentReport) -> str:
    return f"{report.code}_{report.fiscal_year}年{report.period}_运行监控简报.pdf"

"""The brief's spend chart drawn with fpdf2 primitives: a bar per project for 执行率 (coloured by the
execution light), a marker for the plan-based expectation and a dashed line for 序时进度."""

from __future__ import annotations

from typing import Any

from fpdf.enums import Align

from perfwatch import limits
from perfwatch.reports.data import fmt_pct, light_name
from perfwatch.reports.style import ACCENT, FONT, INK, LIGHT_RGB, MUTED, RULE


def _fit(pdf: Any, text: str, width: float) -> str:
    """``text`` shortened with '…' to fit ``width`` mm in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _chart_label(pdf: Any, text: str, x: float, y: float, w: float, h: float) -> None:
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


def _spend_chart(pdf: Any) -> None:
    """Horizontal bars of 执行率 per project, coloured by the execution light, with the plan
    expectation as a black marker and 序时进度 as a dashed line."""
    r = pdf.report
    # Keep the heading with its chart: a new page unless the whole chart fits below.
    if pdf.get_y() + 40 + 11 * len(r.projects) > pdf.h - pdf.b_margin:
        pdf.add_page()
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
        ticks = [float(t) for t in range(0, int(scale) + 1, 25)]
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

"""The quarterly meeting screen (季度调度会大屏): which screens there are, in which order, how they
advance, and the constant styling of a 1920×1080 wall display. No streamlit here.

Screens: the department summary, one screen per lagging project (in the one lag order,
:data:`perfwatch.vocab.LAG_ORDER_TEXT`), the month-by-month light history (each project's combined
light at each month end since March, from the status engine) and the indicator light matrix
(projects × 二级指标).

Readable at 5 m on 1920×1080, 1366×768 and 1280×720: type scales with the window width (headline
figures ≥ 64 px and chart text ≥ 28 px at 1920), charts take the height left on the screen, and
every chip is a light's colour with black or white text, whichever contrasts more (WCAG AA). Auto-advance for a lobby display is decided by
:func:`auto_step` from monotonic timestamps, so it is testable without a clock.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import plotly.graph_objects as go

from perfwatch.periods import month_end
from perfwatch.reports.data import DepartmentReport, ProjectLine, light_matrix
from perfwatch.views import short_name
from perfwatch.vocab import LIGHT_COLORS, LIGHT_NAMES, LIGHTS, SEVERITY

THEMES: tuple[str, ...] = ("light", "dark")
THEME_LABELS: dict[str, str] = {"light": "浅色", "dark": "深色"}
AUTO_CHOICES: tuple[int, ...] = (0, 15, 30, 60, 120)  # seconds per screen; 0 = manual
MIN_AUTO = 5
MAX_AUTO = 600
CHART_FONT_PX = 28  # chart text on the wall (≈ 32 px needed at 5 m on a 1920 screen; 28 is the floor)


@dataclass(frozen=True)
class Screen:
    """One screen of the meeting sequence."""

    kind: str                   # "summary" | "project" | "history" | "matrix"
    title: str
    project_id: int | None = None


@dataclass(frozen=True)
class MeetingOptions:
    """Display options, from the URL (``?theme=dark&auto=30&screen=2``) or the sidebar."""

    theme: str = "light"
    auto_seconds: int = 0
    screen: int = 0


def build_screens(report: DepartmentReport) -> list[Screen]:
    """Summary, then each lagging project (red first, furthest behind first), then the matrix."""
    screens = [Screen("summary", "部门总体情况")]
    lagging = report.lagging
    for k, p in enumerate(lagging, 1):
        screens.append(Screen("project", f"滞后项目 {k}/{len(lagging)}", p.project_id))
    screens.append(Screen("history", "各项目亮灯变化（逐月）"))
    screens.append(Screen("matrix", "绩效指标亮灯矩阵"))
    return screens


def step(index: int, count: int, delta: int) -> int:
    """The screen ``delta`` away from ``index``, wrapping around (a lobby loop)."""
    if count <= 0:
        return 0
    return (index + delta) % count


def clamp(index: Any, count: int) -> int:
    """A valid screen index from anything (a stale session value, a URL parameter)."""
    try:
        i = int(index)
    except (TypeError, ValueError):
        return 0
    return min(max(i, 0), max(count - 1, 0))


def screen_label(index: int, count: int) -> str:
    return f"第 {index + 1} / {count} 屏"


def auto_step(index: int, count: int, last_change: float | None, now: float, seconds: int) -> tuple[int, float]:
    """Auto-advance: the screen to show at ``now`` and when it was last changed.

    The first call (``last_change`` None) keeps the screen. A screen advances once ``seconds``
    have passed since the last change (a manual click also counts as a change); a little slack
    keeps a timer that fires slightly early from skipping a beat.
    """
    if seconds <= 0 or last_change is None:
        return index, now if last_change is None else last_change
    if now - last_change >= seconds - 0.5:
        return step(index, count, 1), now
    return index, last_change


def _first(value: Any) -> str | None:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return None if value is None else str(value)


def parse_options(params: Mapping[str, Any]) -> MeetingOptions:
    """Options from URL query parameters; anything invalid falls back to the default."""
    theme = (_first(params.get("theme")) or "light").lower()
    if theme not in THEMES:
        theme = "light"
    auto = 0
    raw = _first(params.get("auto"))
    if raw and raw.isdigit():
        auto = int(raw)
        auto = 0 if auto == 0 else min(max(auto, MIN_AUTO), MAX_AUTO)
    screen = 0
    raw = _first(params.get("screen"))
    if raw and raw.isdigit() and int(raw) >= 1:
        screen = int(raw) - 1  # 1-based in the URL, like the label on screen
    return MeetingOptions(theme=theme, auto_seconds=auto, screen=screen)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<$])")


def md_escape(text: str) -> str:
    """User text made literal for ``st.markdown`` (no emphasis, links, headings or HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", "  \n")


# ---------------------------------------------------------------- styling (constants only)

PALETTES: dict[str, dict[str, str]] = {
    "light": {"bg": "#ffffff", "panel": "#f3f5f8", "text": "#1f2933", "muted": "#52606d", "grid": "#e4e7eb"},
    "dark": {"bg": "#0f1722", "panel": "#1b2533", "text": "#f1f5f9", "muted": "#b6c2d1", "grid": "#334155"},
}

# Section headings (h3): Streamlit ends a heading's markdown block 1rem above the bottom of its box
# (a -1rem margin meant for a paragraph's 1rem bottom margin) and the next element follows 0.6rem
# later, so with a small bottom padding the heading overlapped the chips or list under it. The bottom
# padding (0.4rem of it cancels that overlap) leaves air under the heading, the top padding and the
# chips' bottom margin a little more above it; the summary screen still fits 1280×720 with a fifth
# line ("另有 n 个") in the lagging list.
_BASE_CSS = """
[data-testid="stMainBlockContainer"] { padding: 2.6rem 1.5rem 0 1.5rem; max-width: 100%; }
[data-testid="stHeader"] { background: transparent !important; }
[data-testid="stMainBlockContainer"] p, [data-testid="stMainBlockContainer"] li { font-size: clamp(1.1rem, 1.46vw, 1.9rem); line-height: 1.35; }
[data-testid="stMainBlockContainer"] h1 { font-size: clamp(1.45rem, 2.05vw, 2.7rem); padding: 0; }
[data-testid="stMainBlockContainer"] h2 { font-size: clamp(1.35rem, 1.9vw, 2.4rem); padding: 0.1rem 0; }
[data-testid="stMainBlockContainer"] h3 { font-size: clamp(1.15rem, 1.5vw, 1.95rem); padding: 0.2em 0 calc(0.5rem + 0.25em) 0; }
[data-testid="stMetric"] { padding: 0.3rem 0.6rem !important; }
[data-testid="stMetricLabel"] p { font-size: clamp(0.95rem, 1.2vw, 1.6rem) !important; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * { font-size: clamp(2rem, calc(4.2vw - 16px), 4.6rem) !important; line-height: 1.15; font-weight: 700; }
[data-testid="stMetricDelta"] { background: transparent !important; }
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] * { font-size: clamp(1rem, 1.3vw, 1.7rem) !important; }
[data-testid="stCaptionContainer"] p { font-size: clamp(1rem, 1.3vw, 1.7rem) !important; }
[data-testid="stBaseButton-secondary"] p, [data-testid="stBaseButton-primary"] p { font-size: clamp(1rem, 1.3vw, 1.7rem) !important; }
[data-testid="stVerticalBlock"] { gap: 0.6rem; }
.pw-chips { display: flex; flex-wrap: wrap; gap: 0.4em; margin: 0.1em 0 0.25em 0; }
.pw-chip { display: inline-block; border-radius: 0.4em; padding: 0.05em 0.5em; font-weight: 700; font-size: clamp(1.1rem, 1.46vw, 1.9rem); }
.pw-lag { list-style: none; padding: 0 !important; margin: 0; }  /* flush left like the chips above */
.pw-lag li { display: flex; gap: 0.4em; align-items: baseline; white-space: nowrap; overflow: hidden; margin: 0 0 0.1em 0; padding: 0; }
.st-key-wall_summary_chart [data-testid="stPlotlyChart"] { height: calc(100vh - 20.5vw - 60px) !important; min-height: 300px; }
.st-key-wall_project_chart [data-testid="stPlotlyChart"] { height: calc(100vh - 12.5vw - 70px) !important; min-height: 300px; }
.st-key-wall_full_chart [data-testid="stPlotlyChart"] { height: calc(100vh - 7vw - 90px) !important; min-height: 300px; }
"""

_DARK_CSS = """
[data-testid="stApp"], [data-testid="stMain"] { background-color: #0f1722; color: #f1f5f9; }
[data-testid="stMainBlockContainer"] p, [data-testid="stMainBlockContainer"] li,
[data-testid="stMainBlockContainer"] h1, [data-testid="stMainBlockContainer"] h2,
[data-testid="stMainBlockContainer"] h3, [data-testid="stMetricValue"], [data-testid="stMetricLabel"] p,
[data-testid="stMarkdownContainer"] { color: #f1f5f9; }
[data-testid="stCaptionContainer"] p { color: #b6c2d1 !important; }
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] * { color: #f1f5f9 !important; }
[data-testid="stVerticalBlockBorderWrapper"], [data-testid="stMetric"] { border-color: #334155 !important; }
[data-testid="stBaseButton-secondary"] { background-color: #1b2533; color: #f1f5f9; border-color: #475569; }
"""
_LIGHT_CSS = """
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] * { color: #1f2933 !important; }
"""


def theme_css(theme: str) -> str:
    """The constant stylesheet of a theme (large type; dark colours for ``dark``). No user text."""
    css = _BASE_CSS + (_DARK_CSS if theme == "dark" else _LIGHT_CSS)
    return f"<style>{css}</style>"


def style_figure(fig: go.Figure, theme: str, *, height: int | None = None, font_size: int = CHART_FONT_PX) -> go.Figure:
    """A chart restyled for the wall: every text at ``font_size`` px (28: readable at 5 m), the
    theme's colours; ``height`` None lets the chart fill the height the wall CSS gives it."""
    pal = PALETTES.get(theme, PALETTES["light"])
    fig.update_layout(
        height=height,
        autosize=True,
        font={"size": font_size, "color": pal["text"]},
        paper_bgcolor=pal["bg"],
        plot_bgcolor=pal["bg"],
        legend={"font": {"size": font_size, "color": pal["text"]}},
        hoverlabel={"font": {"size": font_size}},
        margin={"l": 10, "r": 40, "t": 40, "b": 10},
    )
    fig.update_xaxes(gridcolor=pal["grid"], tickfont={"size": font_size, "color": pal["text"]},
                     title_font={"size": font_size, "color": pal["muted"]})
    fig.update_yaxes(gridcolor=pal["grid"], tickfont={"size": font_size, "color": pal["text"]},
                     title_font={"size": font_size, "color": pal["muted"]})
    # Annotations and in-chart text (bar values, checkpoint labels) as large as the rest.
    fig.update_traces(textfont={"size": font_size}, selector={"type": "bar"})
    fig.update_traces(textfont={"size": font_size}, selector={"mode": "markers+text"})
    fig.update_traces(textfont={"size": font_size}, selector={"mode": "text"})
    fig.for_each_annotation(lambda a: a.update(font={"size": font_size}))
    if theme == "dark":
        fig.for_each_trace(_lighten)
    return fig


# Dark lines of the shared charts that vanish on a dark background, and their wall replacements.
_DARK_SWAP: dict[str, str] = {"#263238": "#e2e8f0", "#6a1b9a": "#d8b4fe", "#000000": "#f8fafc", "#455a64": "#cbd5e1",
                              "#8d6e63": "#d6b8a8"}


def _swap(colour: Any) -> Any:
    return _DARK_SWAP.get(str(colour).lower(), colour) if isinstance(colour, str) else colour


def _lighten(trace: Any) -> None:
    """Recolour a trace's non-light colours for the dark theme (light colours stay as they are)."""
    line = getattr(trace, "line", None)
    if line is not None and line.color is not None:
        line.color = _swap(line.color)
    marker = getattr(trace, "marker", None)
    if marker is not None:
        if isinstance(marker.color, str):
            marker.color = _swap(marker.color)
        if marker.line is not None and isinstance(marker.line.color, str):
            marker.line.color = _swap(marker.line.color)
    textfont = getattr(trace, "textfont", None)
    if textfont is not None and isinstance(textfont.color, str):
        textfont.color = _swap(textfont.color)


def _light_grid(rows: Sequence[tuple[str, Sequence[str | None]]], columns: Sequence[str], theme: str,
                *, height: int | None, hover: str, names: Sequence[str]) -> go.Figure:
    """A heatmap of lights (rows × columns): each cell filled with its light's colour and labelled
    with its Chinese name in black or white, whichever contrasts more; None = "—" on the panel colour.
    ``names``: each row's full name, for the hover (``%{customdata}``) where the axis label is cut."""
    pal = PALETTES.get(theme, PALETTES["light"])
    order = ["none", *reversed(LIGHTS)]  # best to worst: the colour scale runs grey -> red
    colours = {"none": pal["panel"], **LIGHT_COLORS}
    # Discrete colour scale: value k (0..5) sits in its own band.
    scale: list[list[Any]] = []
    n = len(order)
    for k, name in enumerate(order):
        scale += [[k / n, colours[name]], [(k + 1) / n, colours[name]]]
    labels = [label for label, _ in rows][::-1]  # first row on top
    z = [[order.index(c) if c else 0 for c in cells] for _, cells in rows][::-1]
    text = [[LIGHT_NAMES[c] if c else "—" for c in cells] for _, cells in rows][::-1]
    fig = go.Figure(go.Heatmap(
        z=z, x=list(columns), y=labels, text=text, colorscale=scale, zmin=0, zmax=n, showscale=False,
        xgap=6, ygap=6, hovertemplate=hover, customdata=[[name] * len(columns) for name in names][::-1],
    ))
    for r, (zrow, trow) in enumerate(zip(z, text, strict=True)):
        for c, (k, label) in enumerate(zip(zrow, trow, strict=True)):
            fill = colours[order[k]]
            fig.add_annotation(x=columns[c], y=labels[r], text=label, showarrow=False,
                               font={"size": CHART_FONT_PX, "color": pal["text"] if order[k] == "none" else text_on(fill)})
    fig.update_xaxes(side="top", showgrid=False, type="category")
    fig.update_yaxes(showgrid=False, automargin=True, type="category")
    fig = style_figure(fig, theme, height=height)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 70, "b": 10})
    return fig


def matrix_figure(report: DepartmentReport, theme: str, *, height: int | None = None, name_width: int = 14) -> go.Figure:
    """Projects × 二级指标 groups, each cell coloured by the worst indicator light in it."""
    groups, rows = light_matrix(report)
    lines = [(f"{p.seq}. {short_name(p.name, name_width)}", cells) for p, cells in rows]
    return _light_grid(lines, [g.replace("指标", "") for g in groups], theme, height=height,
                       hover="%{customdata}<br>%{x}：%{text}<extra></extra>", names=[f"{p.seq}. {p.name}" for p, _ in rows])


@dataclass(frozen=True)
class LightHistory:
    """Each project's combined light at each month end (the status engine at that date)."""

    months: list[date]
    rows: list[tuple[int, str, list[str | None]]]   # (seq, name, light per month; None = no project yet)


def history_months(as_of: date) -> list[date]:
    """The month ends from March (the first 节点) to the month of ``as_of`` (at most 10 dates)."""
    return [month_end(as_of.year, m) for m in range(3, as_of.month + 1) if month_end(as_of.year, m) <= as_of]


def light_history(statuses: Mapping[date, Any]) -> LightHistory:
    """The history from one Status per month end (``compute_status`` results keyed by as-of date)."""
    months = sorted(statuses)
    names: dict[int, tuple[int, str]] = {}
    lights: dict[int, dict[date, str]] = {}
    for month in months:
        for r in statuses[month].projects.itertuples(index=False):
            pid = int(r.project_id)
            names[pid] = (int(r.seq), str(r.name))
            lights.setdefault(pid, {})[month] = str(r.combined_light)
    rows = [(seq, name, [lights[pid].get(m) for m in months])
            for pid, (seq, name) in sorted(names.items(), key=lambda kv: kv[1][0])]
    return LightHistory(months, rows)


def history_figure(history: LightHistory, theme: str, *, height: int | None = None, name_width: int = 14) -> go.Figure:
    """Projects × month ends, each cell the project's combined light at that month end."""
    lines = [(f"{seq}. {short_name(name, name_width)}", cells) for seq, name, cells in history.rows]
    return _light_grid(lines, [f"{m.month}月" for m in history.months], theme, height=height,
                       hover="%{customdata}<br>%{x}底：%{text}<extra></extra>",
                       names=[f"{seq}. {name}" for seq, name, _ in history.rows])


# ---------------------------------------------------------------- contrast (WCAG 2.1)


def _channel(c: int) -> float:
    v = c / 255
    return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    """Relative luminance of ``#rrggbb`` (WCAG 2.1)."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def text_on(fill: str) -> str:
    """Black or white text for a fill, whichever contrasts more."""
    return "#000000" if contrast_ratio("#000000", fill) >= contrast_ratio("#ffffff", fill) else "#ffffff"


def chip_html(light: str) -> str:
    """One light as a chip ("红灯") in its colour with readable text (constant text only)."""
    fill = LIGHT_COLORS.get(light, LIGHT_COLORS["grey"])
    return f'<span class="pw-chip" style="background:{fill};color:{text_on(fill)}">{LIGHT_NAMES.get(light, "—")}</span>'


def title_html(light: str, text: str, tag: str = "h2") -> str:
    """A heading with a light chip before the (escaped) user text."""
    return f"<{tag}>{chip_html(light)} {html.escape(text)}</{tag}>"


def chips_html(counts: Mapping[str, int], unit: str) -> str:
    """"红灯 7 黄灯 1 …（个项目）" as chips in the lights' colours with readable text. Constant text
    and numbers only (no user text), so it is safe as HTML."""
    parts = [f'<span class="pw-chip" style="background:{LIGHT_COLORS[k]};color:{text_on(LIGHT_COLORS[k])}">'
             f"{LIGHT_NAMES[k]} {int(counts[k])}</span>" for k in LIGHTS if counts.get(k)]
    if not parts:
        return '<div class="pw-chips"><span>—</span></div>'
    return f'<div class="pw-chips">{"".join(parts)}<span>（{html.escape(unit)}）</span></div>'


def lag_list_html(projects: Sequence[ProjectLine], limit: int) -> str:
    """The lagging projects as a list: a light chip and the (escaped) name, ``limit`` at most."""
    items = []
    for p in projects[:limit]:
        fill = LIGHT_COLORS.get(p.combined_light, LIGHT_COLORS["grey"])
        items.append(f'<li><span class="pw-chip" style="background:{fill};color:{text_on(fill)}">'
                     f"{LIGHT_NAMES.get(p.combined_light, '—')}</span>"
                     f'<span title="{html.escape(p.name)}">{p.seq}. {html.escape(short_name(p.name, 16))}</span></li>')
    if len(projects) > limit:
        items.append(f"<li><span>…… 另有 {len(projects) - limit} 个</span></li>")
    return f'<ul class="pw-lag">{"".join(items) or "<li><span>无</span></li>"}</ul>'


def worst_first(indicators: Sequence[Any]) -> list[Any]:
    """Indicators ordered red, yellow, then the rest (stable)."""
    return sorted(indicators, key=lambda i: -SEVERITY.get(i.light, 0))


def project_facts(p: ProjectLine) -> str:
    """One line of numbers for a project screen (no user text)."""
    from perfwatch.reports.data import fmt_amount, fmt_pct

    text = (f"预算 {fmt_amount(p.budget)} 万元　已执行 {fmt_amount(p.spent)} 万元　执行率 {fmt_pct(p.execution_pct)}"
            f"　计划应达 {fmt_pct(p.expected_pct)}")
    if p.projection is not None:
        text += f"　全年预计 {fmt_amount(p.projection)} 万元（{'填报' if p.projection_is_owner else '测算'}）"
    return text

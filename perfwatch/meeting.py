"""The quarterly meeting screen (季度调度会大屏): which screens there are, in which order, how they
advance, and the constant styling of a 1920×1080 wall display. No streamlit here.

Screens: the department summary, one screen per lagging project (red first), and the indicator
light matrix (projects × 二级指标). Auto-advance for a lobby display is decided by
:func:`auto_step` from monotonic timestamps, so it is testable without a clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import plotly.graph_objects as go

from perfwatch.reports.data import DepartmentReport, ProjectLine, light_matrix
from perfwatch.vocab import LIGHT_COLORS, LIGHT_NAMES, LIGHTS, SEVERITY

THEMES: tuple[str, ...] = ("light", "dark")
THEME_LABELS: dict[str, str] = {"light": "浅色", "dark": "深色"}
AUTO_CHOICES: tuple[int, ...] = (0, 15, 30, 60, 120)  # seconds per screen; 0 = manual
MIN_AUTO = 5
MAX_AUTO = 600


@dataclass(frozen=True)
class Screen:
    """One screen of the meeting sequence."""

    kind: str                   # "summary" | "project" | "matrix"
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

_BASE_CSS = """
[data-testid="stMainBlockContainer"] { padding-top: 3.2rem; padding-bottom: 0.5rem; max-width: 100%; }
[data-testid="stMainBlockContainer"] p, [data-testid="stMainBlockContainer"] li { font-size: 1.55rem; line-height: 1.45; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2.9rem; padding: 0.1rem 0 0.3rem 0; }
[data-testid="stMainBlockContainer"] h2 { font-size: 2.2rem; padding: 0.1rem 0; }
[data-testid="stMainBlockContainer"] h3 { font-size: 1.8rem; padding: 0.1rem 0; }
[data-testid="stMetricLabel"] p { font-size: 1.5rem !important; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * { font-size: 3.1rem !important; line-height: 1.25; font-weight: 600; }
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] * { font-size: 1.3rem !important; }
[data-testid="stCaptionContainer"] p { font-size: 1.3rem !important; }
[data-testid="stBaseButton-secondary"] p, [data-testid="stBaseButton-primary"] p { font-size: 1.4rem !important; }
[data-testid="stBadge"] span, .stBadge p { font-size: 1.5rem !important; }
"""

_DARK_CSS = """
[data-testid="stApp"], [data-testid="stHeader"], [data-testid="stMain"] { background-color: #0f1722; color: #f1f5f9; }
[data-testid="stMainBlockContainer"] p, [data-testid="stMainBlockContainer"] li,
[data-testid="stMainBlockContainer"] h1, [data-testid="stMainBlockContainer"] h2,
[data-testid="stMainBlockContainer"] h3, [data-testid="stMetricValue"], [data-testid="stMetricLabel"] p,
[data-testid="stMarkdownContainer"] { color: #f1f5f9; }
[data-testid="stCaptionContainer"] p { color: #b6c2d1 !important; }
[data-testid="stVerticalBlockBorderWrapper"], [data-testid="stMetric"] { border-color: #334155 !important; }
[data-testid="stBaseButton-secondary"] { background-color: #1b2533; color: #f1f5f9; border-color: #475569; }
"""


def theme_css(theme: str) -> str:
    """The constant stylesheet of a theme (large type; dark colours for ``dark``). No user text."""
    css = _BASE_CSS + (_DARK_CSS if theme == "dark" else "")
    return f"<style>{css}</style>"


def style_figure(fig: go.Figure, theme: str, *, height: int, font_size: int = 20) -> go.Figure:
    """A chart restyled for the wall: large fonts, the theme's colours, a fixed height."""
    pal = PALETTES.get(theme, PALETTES["light"])
    fig.update_layout(
        height=height,
        font={"size": font_size, "color": pal["text"]},
        paper_bgcolor=pal["bg"],
        plot_bgcolor=pal["bg"],
        legend={"font": {"size": font_size - 2, "color": pal["text"]}},
        hoverlabel={"font": {"size": font_size - 2}},
        margin={"l": 10, "r": 30, "t": 40, "b": 10},
    )
    fig.update_xaxes(gridcolor=pal["grid"], tickfont={"size": font_size - 2, "color": pal["text"]},
                     title_font={"size": font_size - 2, "color": pal["muted"]})
    fig.update_yaxes(gridcolor=pal["grid"], tickfont={"size": font_size - 2, "color": pal["text"]},
                     title_font={"size": font_size - 2, "color": pal["muted"]})
    # Annotations and in-chart text (bar values, checkpoint labels) grow too.
    fig.update_traces(textfont={"size": font_size - 2}, selector={"type": "bar"})
    fig.update_traces(textfont={"size": font_size - 4}, selector={"mode": "markers+text"})
    fig.for_each_annotation(lambda a: a.update(font={"size": font_size - 4}))
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


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def matrix_figure(report: DepartmentReport, theme: str, *, height: int = 760, name_width: int = 16) -> go.Figure:
    """Projects × 二级指标 groups, each cell coloured by the worst indicator light in it."""
    pal = PALETTES.get(theme, PALETTES["light"])
    groups, rows = light_matrix(report)
    order = ["none", *reversed(LIGHTS)]  # best to worst: the colour scale runs grey -> red
    colours = {"none": pal["panel"], **LIGHT_COLORS}
    # Discrete colour scale: value k (0..5) sits in its own band.
    scale: list[list[Any]] = []
    n = len(order)
    for k, name in enumerate(order):
        scale += [[k / n, colours[name]], [(k + 1) / n, colours[name]]]
    z: list[list[int]] = []
    text: list[list[str]] = []
    labels: list[str] = []
    for p, cells in rows[::-1]:  # first project on top
        labels.append(f"{p.seq}. {_short(p.name, name_width)}")
        z.append([order.index(c) if c else 0 for c in cells])
        text.append([LIGHT_NAMES[c] if c else "—" for c in cells])
    columns = [g.replace("指标", "") for g in groups]
    fig = go.Figure(go.Heatmap(
        z=z, x=columns, y=labels, text=text, colorscale=scale, zmin=0, zmax=n, showscale=False,
        xgap=6, ygap=6, hovertemplate="%{y}<br>%{x}：%{text}<extra></extra>",
    ))
    # Cell labels as annotations: dark text on yellow and on empty cells, white elsewhere.
    for r, (zrow, trow) in enumerate(zip(z, text)):
        for c, (k, label) in enumerate(zip(zrow, trow)):
            dark = order[k] in ("yellow", "none")
            fig.add_annotation(x=columns[c], y=labels[r], text=label, showarrow=False,
                               font={"size": 24, "color": pal["text"] if order[k] == "none" else
                                     ("#1f2933" if dark else "#ffffff")})
    fig.update_xaxes(side="top", showgrid=False)
    fig.update_yaxes(showgrid=False, automargin=True)
    fig = style_figure(fig, theme, height=height, font_size=24)
    fig.for_each_annotation(lambda a: a.update(font={"size": 24}))
    fig.update_layout(margin={"l": 10, "r": 10, "t": 70, "b": 10})
    return fig


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

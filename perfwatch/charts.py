"""Plotly figures of the dashboard (no streamlit). Every figure takes engine output (Status
frames, spend series, plan curves) and draws it: nothing here decides a light or a number.

Conventions: light colours from :data:`perfwatch.vocab.LIGHT_COLORS` and nowhere else (non-light
lines use neutral colours that cannot be mistaken for a light); Chinese labels; legends horizontal
below the plot; long project names cut on the axis with the full name in the hover; every hover
states the rule behind the light (the engine's reason text).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from perfwatch import numfmt
from perfwatch.periods import months_elapsed
from perfwatch.views import is_missing, short_name, wrap
from perfwatch.vocab import LIGHT_COLORS, LIGHT_LABELS, LIGHT_NAMES
from perfwatch.vocab import LIGHTS as LIGHT_ORDER

FONT_FAMILY = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
ACTUAL_COLOR = "#263238"      # cumulative actual spend (dark slate, not a light colour)
PLAN_COLOR = "#6a1b9a"        # the plan curve (purple)
TIME_COLOR = "#8d6e63"        # 序时进度 (brown)
ASOF_COLOR = "#455a64"
EXPECTED_COLOR = "#000000"    # expected-position marker on bars
MONTH_TICKS = list(range(0, 13))
MONTH_TEXT = ["年初"] + [f"{m}月" for m in range(1, 13)]


def _base_layout(fig: go.Figure, *, height: int, title: str | None = None, legend: bool = True) -> go.Figure:
    fig.update_layout(
        height=height,
        title=None if not title else {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        font={"family": FONT_FAMILY, "size": 13},
        margin={"l": 10, "r": 20, "t": 50 if title else 20, "b": 10},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0, "xanchor": "left",
                "font": {"size": 12}, "title": None},
        hoverlabel={"font": {"family": FONT_FAMILY, "size": 13}, "align": "left"},
        plot_bgcolor="white",
        paper_bgcolor="white",
    )
    return fig


def _months_of(as_of: dt.date, fiscal_year: int) -> float:
    """Months of the fiscal year elapsed at as_of (perfwatch.periods.months_elapsed)."""
    return months_elapsed(as_of, fiscal_year)


# ---------------------------------------------------------------- overview


def execution_chart(projects: pd.DataFrame, time_pct: float | None = None, *, name_width: int = 18) -> go.Figure:
    """Every project's 执行率 (bar, coloured by its spend light) against its plan-based expected
    position (black tick) and the 序时 line; worst (lowest ratio) on top.

    ``projects``: Status.projects (name, seq, budget, spent, execution_pct, expected_pct, ratio,
    execution_light, execution_reason).
    """
    p = projects.copy()
    p["_ratio"] = p["ratio"].fillna(1e9)
    p = p.sort_values(["_ratio", "seq"], ascending=[True, True], kind="stable")
    # Plotly draws the first category at the bottom: reverse so the worst is on top.
    p = p.iloc[::-1]
    labels = [f"{int(s)}. {short_name(n, name_width)}" for s, n in zip(p["seq"], p["name"], strict=True)]
    p["_label"] = labels
    fig = go.Figure()
    hover = (
        "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>"
        "预算 %{customdata[2]:,.2f} 万元，已支出 %{customdata[3]:,.2f} 万元<extra>%{customdata[4]}</extra>"
    )
    for light in LIGHT_ORDER:
        part = p[p["execution_light"] == light]
        if part.empty:
            continue
        fig.add_trace(go.Bar(
            orientation="h",
            x=part["execution_pct"].fillna(0),
            y=part["_label"],
            name=LIGHT_NAMES[light],
            marker={"color": LIGHT_COLORS[light]},
            customdata=list(zip(
                [wrap(n, 24) for n in part["name"]], part["execution_reason"], part["budget"], part["spent"],
                [LIGHT_NAMES[light]] * len(part), strict=False,
            )),
            hovertemplate=hover,
        ))
    # A 0% project has no bar at all: a marker in its light's colour at 0 keeps the worst visible.
    zero = p[p["execution_pct"].fillna(0) <= 0]
    if not zero.empty:
        fig.add_trace(go.Scatter(
            x=[0.0] * len(zero), y=zero["_label"], mode="markers", name="未支出（0%）",
            marker={"symbol": "diamond", "size": 18, "color": [LIGHT_COLORS.get(str(light), LIGHT_COLORS["grey"])
                                                               for light in zero["execution_light"]],
                    "line": {"width": 1.5, "color": "#ffffff"}},
            cliponaxis=False,
            customdata=list(zip([wrap(n, 24) for n in zero["name"]], zero["execution_reason"], strict=True)),
            hovertemplate="<b>%{customdata[0]}</b><br>尚无支出（执行率 0%）<br>%{customdata[1]}<extra>未支出</extra>",
        ))
    fig.add_trace(go.Scatter(
        x=p["expected_pct"],
        y=p["_label"],
        mode="markers",
        name="计划应达进度",
        marker={"symbol": "line-ns", "size": 26, "line": {"width": 3, "color": EXPECTED_COLOR}, "color": EXPECTED_COLOR},
        customdata=list(zip([wrap(n, 24) for n in p["name"]], p["execution_reason"], strict=False)),
        hovertemplate="<b>%{customdata[0]}</b><br>计划应达 %{x:.2f}%<br>%{customdata[1]}<extra>计划应达</extra>",
    ))
    xmax = max(120.0, float(p["execution_pct"].fillna(0).max()) + 25 if len(p) else 120.0)  # room for the rate column
    # The rates in a column at the right edge: a label at the end of a bar ran into the black plan tick
    # (and, at 0%, into the diamond) whenever the two were close.
    fig.add_trace(go.Scatter(
        x=[xmax] * len(p), y=p["_label"], mode="text", text=[numfmt.pct(v) for v in p["execution_pct"]],
        textposition="middle left", cliponaxis=False, showlegend=False, hoverinfo="skip", name="执行率",
    ))
    if time_pct is not None:
        fig.add_shape(type="line", x0=time_pct, x1=time_pct, y0=0, y1=1, yref="paper",
                      line={"color": TIME_COLOR, "width": 2, "dash": "dot"})
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=f"序时进度 {numfmt.pct(time_pct)}",
                                 line={"color": TIME_COLOR, "width": 2, "dash": "dot"}, hoverinfo="skip"))
    # Ticks stop short of the rate column (no "120%" under the rates).
    ticks = list(range(0, int(xmax) - 19, 20))
    fig.update_xaxes(range=[0, xmax], tickvals=ticks, ticktext=[f"{v}%" for v in ticks],
                     title_text="执行率（累计支出÷预算数）",
                     gridcolor="#eeeeee", zeroline=True, zerolinecolor="#bdbdbd")
    fig.update_yaxes(automargin=True, tickfont={"size": 13}, categoryorder="array", categoryarray=labels)
    fig.update_layout(barmode="overlay", bargap=0.35)
    fig = _base_layout(fig, height=max(340, 130 + 44 * len(p)))
    fig.update_layout(legend={"y": -0.2})  # below the axis title
    return fig


def light_count_bars(groups: Mapping[str, Mapping[str, int]]) -> go.Figure:
    """One 100% stacked bar per group (e.g. 项目, 绩效指标): each light's share, its count as text,
    so groups of very different sizes stay readable side by side."""
    fig = go.Figure()
    names = list(groups)[::-1]
    totals = {g: max(1, sum(int(v) for v in groups[g].values())) for g in names}
    for light in LIGHT_ORDER:
        counts = [int(groups[g].get(light, 0)) for g in names]
        fig.add_trace(go.Bar(
            orientation="h",
            y=names,
            x=[100.0 * c / totals[g] for c, g in zip(counts, names, strict=False)],
            name=LIGHT_NAMES[light],
            marker={"color": LIGHT_COLORS[light], "line": {"color": "white", "width": 1}},
            text=[str(c) if c else "" for c in counts],
            textposition="inside",
            insidetextanchor="middle",
            textfont={"color": "#212121" if light in ("yellow", "grey") else "white", "size": 14},
            customdata=counts,
            hovertemplate=f"%{{y}}：{LIGHT_NAMES[light]} %{{customdata}} 个（%{{x:.0f}}%）<br>{LIGHT_LABELS[light]}<extra></extra>",
        ))
    fig.update_layout(barmode="stack", bargap=0.3, uniformtext={"minsize": 10, "mode": "hide"})
    fig.update_xaxes(visible=False, range=[0, 100])
    fig.update_yaxes(automargin=True, tickfont={"size": 14})
    fig = _base_layout(fig, height=110 + 48 * len(names))
    fig.update_layout(legend={"y": -0.05, "traceorder": "normal"}, margin={"b": 0})
    return fig


# ---------------------------------------------------------------- spend


def spend_curve(
    series: pd.DataFrame,
    plan: Sequence[tuple[float, float]],
    *,
    as_of: dt.date,
    budget: float,
    checkpoints: Sequence[tuple[int, float]] = (),
    light: str | None = None,
    reason: str | None = None,
    title: str | None = None,
    height: int = 420,
) -> go.Figure:
    """Cumulative actual spend (% of budget) against the plan curve, with the 3/6/10/12 checkpoints,
    the as-of line and the 序时 line. Hovers give 万元 as well.

    ``series``: rows of :func:`perfwatch.status.spend_series` (month, cumulative, cumulative_pct);
    ``plan``: (month, pct) points, e.g. :func:`perfwatch.plan.plan_curve`;
    ``checkpoints``: (month, pct) markers on the plan.
    """
    t_asof = _months_of(as_of, _year_of(series, as_of))
    fig = go.Figure()
    # 序时 line: 0 → 100% over the year.
    fig.add_trace(go.Scatter(
        x=[0, 12], y=[0, 100], mode="lines", name="序时进度",
        line={"color": TIME_COLOR, "width": 1.5, "dash": "dot"},
        hovertemplate="序时进度：已过月数÷12<extra></extra>",
    ))
    px = [float(x) for x, _ in plan]
    py = [float(y) for _, y in plan]
    fig.add_trace(go.Scatter(
        x=px, y=py, mode="lines", name="支出计划",
        line={"color": PLAN_COLOR, "width": 2.5, "dash": "dash"},
        customdata=[budget * y / 100 for y in py],
        hovertemplate="计划累计 %{y:.2f}%（%{customdata:,.2f} 万元）<extra>支出计划</extra>",
    ))
    if checkpoints:
        cx = [float(m) for m, _ in checkpoints]
        cy = [float(p) for _, p in checkpoints]
        fig.add_trace(go.Scatter(
            x=cx, y=cy, mode="markers+text", name="计划节点",
            marker={"symbol": "diamond", "size": 11, "color": PLAN_COLOR},
            text=[f"{int(m)}月底 {_pct_text(p)}" for m, p in checkpoints],
            textposition="top left",
            textfont={"size": 12, "color": PLAN_COLOR},
            customdata=[budget * p / 100 for p in cy],
            hovertemplate="计划节点 %{x:.0f}月底：累计 %{y:.2f}%（%{customdata:,.2f} 万元）<extra></extra>",
            cliponaxis=False,
        ))
    year = _year_of(series, as_of)
    last_month = 0 if as_of.year < year else (as_of.month if as_of.year == year else 12)
    s = series[(series["month"] <= last_month) & series["cumulative"].notna()]
    ax = [0.0] + [float(m) for m in s["month"]]
    ay = [0.0] + [float(v) if not is_missing(v) else 0.0 for v in s["cumulative_pct"]]
    amounts = [0.0] + [float(v) for v in s["cumulative"]]
    monthly = [0.0] + [0.0 if is_missing(v) else float(v) for v in s["amount"]]
    actual_name = "累计实际支出"
    if len(ax) == 1 and last_month > 0:
        # Nothing entered up to the as-of month: draw the flat zero line the engine counts as spent.
        ax, ay, amounts, monthly = [0.0, float(last_month)], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]
        actual_name = "累计实际支出（尚无支出）"
    fig.add_trace(go.Scatter(
        x=ax, y=ay, mode="lines+markers", name=actual_name,
        line={"color": ACTUAL_COLOR, "width": 3},
        marker={"size": 7, "color": ACTUAL_COLOR},
        customdata=list(zip(amounts, monthly, strict=False)),
        hovertemplate="%{x:.0f}月底累计 %{y:.2f}%（%{customdata[0]:,.2f} 万元；当月 %{customdata[1]:,.2f} 万元）<extra>实际</extra>",
    ))
    if light is not None and len(ax) > 1:  # the current position, coloured by its light
        fig.add_trace(go.Scatter(
            x=[ax[-1]], y=[ay[-1]], mode="markers", name=f"当前：{LIGHT_NAMES.get(light, '')}",
            marker={"size": 16, "color": LIGHT_COLORS.get(light, ACTUAL_COLOR), "line": {"width": 2, "color": "white"}},
            customdata=[[reason or "", wrap(LIGHT_LABELS.get(light, ""), 30)]],
            hovertemplate="%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
        ))
    fig.add_shape(type="line", x0=t_asof, x1=t_asof, y0=0, y1=1, yref="paper",
                  line={"color": ASOF_COLOR, "width": 1.5})
    fig.add_annotation(x=t_asof, y=1, yref="paper", text=f"截至 {as_of.month}月{as_of.day}日", showarrow=False,
                       xanchor="left", yanchor="bottom", font={"size": 12, "color": ASOF_COLOR})
    ymax = max([105.0] + [v + 10 for v in ay])
    fig.update_xaxes(range=[0, 12.3], tickvals=MONTH_TICKS, ticktext=MONTH_TEXT, gridcolor="#eeeeee")
    fig.update_yaxes(range=[0, ymax], ticksuffix="%", title_text="累计支出占预算", gridcolor="#eeeeee")
    return _base_layout(fig, height=height, title=title)


def _pct_text(value: float) -> str:
    """A checkpoint percentage without trailing zeros, at most 2 decimals: 25 -> "25%", 11.0431 -> "11.04%"."""
    return f"{value:.2f}".rstrip("0").rstrip(".") + "%"


def _year_of(series: pd.DataFrame, as_of: dt.date) -> int:
    if "period" in series.columns and len(series):
        first = pd.Timestamp(series["period"].iloc[0])
        return int(first.year)
    return as_of.year


# ---------------------------------------------------------------- departments


def department_chart(ranking: pd.DataFrame, *, name_width: int = 14) -> go.Figure:
    """Departments' deviation from plan (percentage points), worst at top, coloured by light.

    ``ranking``: :func:`perfwatch.views.department_ranking`.
    """
    r = ranking.iloc[::-1]
    labels = [short_name(n, name_width) for n in r["部门名称"]]
    fig = go.Figure()
    for light in LIGHT_ORDER:
        mask = (r["light"] == light).to_numpy()
        if not mask.any():
            continue
        part = r[mask]
        fig.add_trace(go.Bar(
            orientation="h",
            x=part["偏差（百分点）"].fillna(0),
            y=[lab for lab, m in zip(labels, mask, strict=False) if m],
            name=LIGHT_NAMES[light],
            marker={"color": LIGHT_COLORS[light]},
            text=[numfmt.pp(v).removesuffix(" 个百分点") for v in part["偏差（百分点）"]],
            textposition="outside",
            cliponaxis=False,
            customdata=list(zip(part["部门名称"], part["判定依据"], strict=True)),
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
        ))
    # Keep the ranking order on the axis regardless of trace order.
    fig.update_yaxes(categoryorder="array", categoryarray=labels, automargin=True)
    fig.update_xaxes(title_text="执行率与计划应达的偏差（百分点）", ticksuffix="", zeroline=True,
                     zerolinecolor="#9e9e9e", gridcolor="#eeeeee")
    fig.update_layout(barmode="overlay", bargap=0.35)
    return _base_layout(fig, height=max(320, 110 + 40 * len(r)))

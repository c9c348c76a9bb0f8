"""Meeting screen logic: the screen sequence, navigation, auto-advance, URL options, safe text."""

from __future__ import annotations

import re

import duckdb
import pytest

from perfwatch import meeting
from perfwatch.reports import data
from tests.reports_testdata import load_actuals


@pytest.fixture
def report(seed_db: duckdb.DuckDBPyConnection) -> data.DepartmentReport:
    load_actuals(seed_db)
    return data.build_report(seed_db, 1, 7)


def test_screens_are_summary_then_lagging_projects_red_first_then_matrix(report: data.DepartmentReport) -> None:
    """Test the sequence: summary, each red then yellow project (most 万元 behind plan first), the light
    history, the matrix."""
    screens = meeting.build_screens(report)
    assert screens[0].kind == "summary" and screens[-1].kind == "matrix"
    projects = [s for s in screens if s.kind == "project"]
    by_id = {p.project_id: p for p in report.projects}
    lights = [by_id[s.project_id].combined_light for s in projects]  # type: ignore[index]
    assert lights == sorted(lights, key=["red", "yellow"].index)
    # Project 6 (普法工作经费, 70.00% vs 56.25%) is ahead of plan: its cost projection is capped at the
    # budget (DOMAIN §5a), so it no longer lags. Behind plan at 56.25% (hand): red 3: 72×.5625−21 = 19.50,
    # 1: 2×.5625−.35 = 0.775, 2: 1×.5625−.56 = 0.0025; yellow 4: 26×.5625−10.5 = 4.125.
    assert [by_id[s.project_id].seq for s in projects] == [3, 1, 2, 4]  # type: ignore[index]
    assert screens[-2].kind == "history"
    assert projects[0].title == "滞后项目 1/4"


def test_no_lagging_project_gives_two_screens(report: data.DepartmentReport) -> None:
    """Test that when every project is green or grey there are three screens: summary, history, matrix."""
    for k, p in enumerate(report.projects):
        p.combined_light = "green" if k % 2 else "grey"
    screens = meeting.build_screens(report)
    assert [s.kind for s in screens] == ["summary", "history", "matrix"]


@pytest.mark.parametrize(("index", "delta", "expected"), [(0, 1, 1), (6, 1, 0), (0, -1, 6), (3, -1, 2)])
def test_step_wraps_around(index: int, delta: int, expected: int) -> None:
    """Test that 下一屏 after the last screen and 上一屏 before the first wrap around."""
    assert meeting.step(index, 7, delta) == expected


@pytest.mark.parametrize(("value", "expected"), [(None, 0), ("x", 0), (-3, 0), (2, 2), (99, 6), ("4", 4)])
def test_clamp_keeps_stale_indexes_valid(value: object, expected: int) -> None:
    """Test that a stale or bad screen index becomes a valid one."""
    assert meeting.clamp(value, 7) == expected


def test_auto_step_advances_only_after_the_interval() -> None:
    """Test auto-advance: the first run keeps the screen, then one step per interval (slack 0.5 s)."""
    assert meeting.auto_step(0, 3, None, 100.0, 30) == (0, 100.0)      # first run: start the clock
    assert meeting.auto_step(0, 3, 100.0, 120.0, 30) == (0, 100.0)     # not yet
    assert meeting.auto_step(0, 3, 100.0, 129.6, 30) == (1, 129.6)     # timer fired a little early
    assert meeting.auto_step(2, 3, 100.0, 131.0, 30) == (0, 131.0)     # wraps to the summary
    assert meeting.auto_step(1, 3, 100.0, 999.0, 0) == (1, 100.0)      # auto off: never moves


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, meeting.MeetingOptions("light", 0, 0)),
        ({"theme": "dark", "auto": "30", "screen": "2"}, meeting.MeetingOptions("dark", 30, 1)),
        ({"theme": "DARK", "auto": "1"}, meeting.MeetingOptions("dark", meeting.MIN_AUTO, 0)),
        ({"theme": "neon", "auto": "-5", "screen": "0"}, meeting.MeetingOptions("light", 0, 0)),
        ({"auto": "99999", "screen": ["3"]}, meeting.MeetingOptions("light", meeting.MAX_AUTO, 2)),
    ],
)
def test_url_options_are_parsed_defensively(params: dict[str, object], expected: meeting.MeetingOptions) -> None:
    """Test that ?theme/auto/screen are read and anything invalid falls back to the default."""
    assert meeting.parse_options(params) == expected


def test_md_escape_makes_user_text_literal() -> None:
    """Test that markdown and HTML in user text are escaped for st.markdown."""
    out = meeting.md_escape("**加粗** [链接](http://x) <b>x</b> #1 $5")
    assert re.search(r"(?<!\\)[*\[\]()<>#$]", out) is None, out  # every special character escaped
    assert "加粗" in out and "链接" in out


def test_theme_css_is_constant(report: data.DepartmentReport) -> None:
    """Test that the stylesheet is the same whatever the data (it never carries user text)."""
    css = meeting.theme_css("dark")
    assert css.startswith("<style>") and "#0f1722" in css
    assert report.name not in css and meeting.theme_css("light") != css


def test_matrix_has_a_cell_per_project_and_indicator_group(report: data.DepartmentReport) -> None:
    """Test the matrix: 8 projects × 7 二级指标 groups, worst light per cell, as a figure."""
    groups, rows = data.light_matrix(report)
    assert groups[:4] == ["数量指标", "质量指标", "时效指标", "成本指标"] and len(groups) == 7
    assert len(rows) == 8
    cells = {p.seq: dict(zip(groups, c, strict=False)) for p, c in rows}
    assert cells[2]["质量指标"] == "red" and cells[1]["数量指标"] == "yellow"
    fig = meeting.matrix_figure(report, "dark")
    assert len(fig.data[0].y) == 8 and len(fig.layout.annotations) == 8 * 7
    # A long name is cut on the axis ("…"), and its hover (customdata) holds the full name.
    long = next(p for p, _ in rows if len(p.name) > 14)
    row = list(fig.data[0].y).index(f"{long.seq}. {long.name[:13]}…")
    assert fig.data[0].customdata[row][0] == f"{long.seq}. {long.name}" and "%{customdata}" in fig.data[0].hovertemplate


def test_dark_theme_recolours_dark_chart_lines() -> None:
    """Test that the dark theme swaps near-black lines for light ones and keeps light colours."""
    import plotly.graph_objects as go

    fig = go.Figure([go.Scatter(x=[0, 1], y=[0, 1], line={"color": "#263238"}),
                     go.Bar(x=[1], y=["a"], marker={"color": "#c62828"})])
    meeting.style_figure(fig, "dark", height=500)
    assert fig.data[0].line.color == "#e2e8f0" and fig.data[1].marker.color == "#c62828"
    assert fig.layout.paper_bgcolor == meeting.PALETTES["dark"]["bg"] and fig.layout.height == 500


def test_every_light_chip_has_aa_contrast() -> None:
    """Test that black/white chip text on every light colour reaches WCAG AA (4.5:1) and the ratio is WCAG's."""
    from perfwatch.vocab import LIGHT_COLORS

    assert meeting.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert meeting.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # WebAIM's reference pair
    for light, fill in LIGHT_COLORS.items():
        assert meeting.contrast_ratio(meeting.text_on(fill), fill) >= 4.5, light


def test_light_history_is_one_engine_status_per_month_end() -> None:
    """Test that the history has the month ends March..July at 07-31 and each project's light per month."""
    import datetime as dt
    from types import SimpleNamespace

    import pandas as pd

    months = meeting.history_months(dt.date(2024, 7, 31))
    assert months == [dt.date(2024, 3, 31), dt.date(2024, 4, 30), dt.date(2024, 5, 31), dt.date(2024, 6, 30),
                      dt.date(2024, 7, 31)]
    assert meeting.history_months(dt.date(2024, 7, 15))[-1] == dt.date(2024, 6, 30)  # July not ended yet

    def st(lights: list[str]) -> SimpleNamespace:
        return SimpleNamespace(projects=pd.DataFrame({"project_id": [10, 11], "seq": [2, 1], "name": ["乙", "甲"],
                                                      "combined_light": lights}))

    hist = meeting.light_history({months[1]: st(["red", "green"]), months[0]: st(["yellow", "green"])})
    assert hist.months == months[:2]
    assert hist.rows == [(1, "甲", ["green", "green"]), (2, "乙", ["yellow", "red"])]
    fig = meeting.history_figure(hist, "dark")
    assert [a.text for a in fig.layout.annotations][:2] == ["黄灯", "红灯"]  # first row on top is drawn last

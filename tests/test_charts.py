"""Plotly figures: light colours from settings only, the rule in every hover, legends below,
long names cut on the axis with the full name in the hover."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from perfwatch import charts, db, demo, views
from perfwatch.plan import plan_curve
from perfwatch.settings import LIGHT_COLORS
from perfwatch.status import Status, compute_status, spend_series

LONG = "冀财政法2023年49号提前下达2024年中央政法纪检监察转移支付资金-司法局"


@pytest.fixture(scope="module")
def demo_status(tmp_path_factory: pytest.TempPathFactory) -> tuple[Status, Path]:
    """The engine's status of the demo dataset at 2024-07-31 (a realistic mix of lights)."""
    path = demo.ensure_demo_db(tmp_path_factory.mktemp("charts") / "demo.duckdb")
    conn = db.open_database(path, read_only=True)
    try:
        return compute_status(conn, demo.DEMO_AS_OF, department_id=1), path
    finally:
        conn.close()


def test_execution_chart_colours_names_and_hover(demo_status: tuple[Status, Path]) -> None:
    """Test that bars use the light colours, the worst project is on top and hovers state the rule."""
    s, _ = demo_status
    fig = charts.execution_chart(s.projects, s.total["time_pct"])
    bars = [t for t in fig.data if t.type == "bar"]
    assert {t.marker.color for t in bars} <= set(LIGHT_COLORS.values())
    assert {t.name for t in bars} == {"红灯", "黄灯", "绿灯"}
    for t in bars:
        for reason in (c[1] for c in t.customdata):
            assert "计划应达" in reason and "灯" in reason
    # Long names are cut on the axis; the full name is in the hover data.
    labels = list(fig.layout.yaxis.categoryarray)
    assert all(len(label) <= 22 for label in labels)
    assert any("…" in label for label in labels)
    hover_names = [c[0].replace("<br>", "") for t in bars for c in t.customdata]
    assert LONG in hover_names
    # The worst (lowest ratio) is the last category, drawn on top.
    assert labels[-1].startswith("2. 法治工作经费")
    expected = next(t for t in fig.data if t.name == "计划应达进度")
    assert list(expected.x) == list(s.projects.set_index("seq").loc[[int(label.split(".")[0]) for label in labels], "expected_pct"])
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.y < 0


def test_spend_curve_has_plan_checkpoints_asof_and_time_lines(demo_status: tuple[Status, Path]) -> None:
    """Test that the spend chart draws the plan, the 3/6/10/12 checkpoints, the actuals to the as-of
    date, the 序时 line and the as-of line."""
    s, path = demo_status
    conn = db.open_database(path, read_only=True)
    try:
        p = s.projects.set_index("code").loc["13052924P00584210790E"]
        series = spend_series(conn, project_id=int(p["project_id"]), year=2024)
    finally:
        conn.close()
    cps = [(3, 8.0), (6, 50.0), (10, 75.0), (12, 100.0)]
    fig = charts.spend_curve(series, plan_curve(cps), as_of=demo.DEMO_AS_OF, budget=72.0, checkpoints=cps,
                             light=p["execution_light"], reason=p["execution_reason"])
    names = [t.name for t in fig.data]
    assert names[:4] == ["序时进度", "支出计划", "计划节点", "累计实际支出"]
    nodes = fig.data[2]
    assert list(nodes.text) == ["3月底 8%", "6月底 50%", "10月底 75%", "12月底 100%"]
    actual = fig.data[3]
    assert list(actual.x) == [0, 1, 2, 3, 4, 5, 6, 7]
    assert actual.y[-1] == pytest.approx(p["execution_pct"])
    current = fig.data[4]
    assert current.marker.color == LIGHT_COLORS["red"] and current.customdata[0][0] == p["execution_reason"]
    asof_lines = [sh for sh in fig.layout.shapes if sh.x0 == sh.x1]
    assert asof_lines and asof_lines[0].x0 == pytest.approx(7.0)
    assert any("截至 7月31日" in a.text for a in fig.layout.annotations)


def test_spend_curve_stops_at_the_as_of_month(demo_status: tuple[Status, Path]) -> None:
    """Test that an earlier as-of date hides later months' actuals."""
    _, path = demo_status
    conn = db.open_database(path, read_only=True)
    try:
        series = spend_series(conn, department_id=1, year=2024)
    finally:
        conn.close()
    fig = charts.spend_curve(series, [(0, 0), (12, 100)], as_of=dt.date(2024, 3, 31), budget=122.9)
    actual = next(t for t in fig.data if t.name == "累计实际支出")
    assert list(actual.x) == [0, 1, 2, 3]


def test_department_plan_curve_is_budget_weighted() -> None:
    """Test that the department plan at a checkpoint is the budget-weighted project plans."""
    import pandas as pd

    plans = pd.DataFrame({"project_id": [1, 1, 1, 1, 2, 2, 2, 2], "budget": [10.0] * 4 + [30.0] * 4,
                          "month": [3, 6, 10, 12] * 2, "pct": [25, 50, 75, 100, 8, 50, 75, 100]})
    curve = dict(views.department_plan_curve(plans, steps=[3.0, 6.0, 7.0]))
    assert curve[3.0] == pytest.approx((10 * 25 + 30 * 8) / 40)
    assert curve[6.0] == pytest.approx(50.0)
    assert curve[7.0] == pytest.approx(56.25)


def test_light_count_bars_and_department_chart_use_light_colours(demo_status: tuple[Status, Path]) -> None:
    """Test that the light-count bars and the department chart colour by light and explain it on hover."""
    s, _ = demo_status
    fig = charts.light_count_bars({"项目": views.total_counts(s, "projects_"),
                                   "绩效指标": views.total_counts(s, "indicators_")})
    assert [t.marker.color for t in fig.data] == [LIGHT_COLORS[light] for light in views.LIGHT_ORDER]
    assert "红灯：严重滞后" in fig.data[0].hovertemplate
    ranking = views.department_ranking(s)
    dfig = charts.department_chart(ranking)
    assert {t.marker.color for t in dfig.data} <= set(LIGHT_COLORS.values())
    assert dfig.data[0].customdata[0][1] == s.departments.iloc[0]["execution_reason"]


def test_blank_text_leaves_numbers_alone() -> None:
    """Test that history tables show empty cells, not "None", for missing text, and keep numbers."""
    import pandas as pd

    from perfwatch import views

    frame = pd.DataFrame({"note": ["a", None], "amount": [1.5, None]})
    out = views.blank_text(frame)
    assert list(out["note"]) == ["a", ""]
    assert out["amount"].iloc[0] == 1.5 and pd.isna(out["amount"].iloc[1])


def test_zero_percent_project_gets_a_red_marker() -> None:
    """Test that a red project with no spend (0%, no bar) is drawn as a red marker at 0 in the execution chart."""
    import pandas as pd

    from perfwatch import charts as _charts
    from perfwatch.vocab import LIGHT_COLORS as _COLORS

    projects = pd.DataFrame({
        "project_id": [1, 2], "seq": [1, 2], "name": ["零支出项目", "正常项目"], "budget": [72.0, 10.0],
        "spent": [0.0, 5.0], "execution_pct": [0.0, 50.0], "expected_pct": [50.0, 50.0], "ratio": [0.0, 100.0],
        "execution_light": ["red", "green"], "execution_reason": ["r", "g"],
    })
    fig = _charts.execution_chart(projects, 58.33)
    marks = [t for t in fig.data if t.name == "未支出（0%）"]
    assert len(marks) == 1
    assert list(marks[0].x) == [0.0] and list(marks[0].y) == ["1. 零支出项目"]
    assert list(marks[0].marker.color) == [_COLORS["red"]]
    # The rates stand in a column at the right edge (x = max(120, 50 + 25) = 120), clear of the bars, the
    # black plan ticks and the diamond; bars carry no text of their own.
    rates = next(t for t in fig.data if t.name == "执行率")
    assert rates.mode == "text" and set(rates.x) == {120.0}
    assert dict(zip(rates.y, rates.text, strict=True)) == {"1. 零支出项目": "0.00%", "2. 正常项目": "50.00%"}
    assert all(t.text is None for t in fig.data if t.type == "bar")
    assert list(fig.layout.xaxis.tickvals) == [0, 20, 40, 60, 80, 100]  # no tick under the rate column
    assert list(fig.layout.xaxis.ticktext) == ["0%", "20%", "40%", "60%", "80%", "100%"]

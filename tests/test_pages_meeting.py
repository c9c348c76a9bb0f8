"""会议大屏 under AppTest (no browser); 报表导出 is tested in tests/test_pages_reports.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from perfwatch import dataset, db
from tests.reports_testdata import load_actuals

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def app_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, point_app: Callable[[Path], Path]) -> Iterator[Path]:
    """A database with actuals to 2024-07-31 for the app, sign-in off, caches cleared around the test."""
    path = tmp_path / "app.duckdb"
    conn = dataset.open_seeded(path)
    load_actuals(conn)
    conn.close()
    yield point_app(path)


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_meeting_summary_then_next_and_previous(app_db: Path) -> None:
    """Test that the summary shows the KPIs, 下一屏 opens the worst project with cause and measure, 上一屏 returns."""
    at = AppTest.from_file(str(REPO / "pages" / "meeting" / "meeting.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["监控项目数"] == "8 个" and metrics["资金总量（万元）"] == "122.90"
    assert metrics["计划应达进度"] == "56.25%" and metrics["序时进度"] == "58.33%"
    assert "第 1 / 7 屏" in _markdown(at)  # summary, 4 lagging projects, light history, matrix
    assert not at.text_input and not at.number_input and not at.text_area  # nothing to edit on the wall

    at.button(key="meeting_next").click().run()
    assert not at.exception, at.exception
    # Lag order (red first, then 万元 behind plan, by hand): seq 3 (19.50 万元 behind) before seq 1 (0.775).
    assert "第 2 / 7 屏" in _markdown(at) and "预算 72.00 万元" in _markdown(at)
    at.button(key="meeting_next").click().run()
    md = _markdown(at)
    assert "第 3 / 7 屏" in md
    assert "经费拨付滞后，宣传活动推迟" in md and "协调财政加快拨付，10月开展集中宣传" in md
    assert "全年预计 1.80 万元（填报）" in md

    for _ in range(3):
        at.button(key="meeting_prev").click().run()
    assert "第 7 / 7 屏" in _markdown(at)  # wraps to the light matrix
    assert any("最差的指标灯" in c.value for c in at.caption)


def test_meeting_reads_theme_and_screen_from_the_url(app_db: Path) -> None:
    """Test that ?theme=dark&screen=3 starts on screen 3 in the dark theme."""
    at = AppTest.from_file(str(REPO / "pages" / "meeting" / "meeting.py"), default_timeout=60)
    at.query_params["theme"] = "dark"
    at.query_params["screen"] = "3"
    at.run()
    assert not at.exception, at.exception
    assert "第 3 / 7 屏" in _markdown(at)
    assert at.radio(key="meeting_theme").value == "dark"
    assert "#0f1722" in at.markdown[0].value


def test_meeting_without_actuals_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Test that a database with targets but no actuals shows the empty state, not an error."""
    monkeypatch.setenv(db.ENV_DB, str(tmp_path / "empty.duckdb"))
    monkeypatch.setenv("PERFWATCH_AUTH", "off")
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(REPO / "pages" / "meeting" / "meeting.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    assert any("还没有填报" in i.value for i in at.info)

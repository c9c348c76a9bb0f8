"""The meeting screen in a real browser at 1920×1080: every screen fits, reads, and advances."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest
from playwright.sync_api import expect

from perfwatch import dataset, db
from tests.browser.conftest import SCREENSHOTS, AppServer, start_app, stop_app, wait_idle
from tests.reports_testdata import load_actuals

VIEWPORT = {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def meeting_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The app on a database with spend to 2024-07-31 and red/yellow indicators (one server for
    the module: starting Streamlit is the slow part)."""
    tmp = tmp_path_factory.mktemp("meeting")
    path = tmp / "app.duckdb"
    conn = dataset.open_seeded(path)
    load_actuals(conn)
    conn.close()
    server = start_app(path, tmp / "streamlit.log")
    try:
        yield server
    finally:
        stop_app(server.proc)


@pytest.fixture
def wall(browser: Any, meeting_server: AppServer) -> Iterator[Any]:
    """A 1920×1080 page (a meeting-room display)."""
    ctx = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    pg = ctx.new_page()
    yield pg
    ctx.close()


def _open(page: Any, server: AppServer, query: str) -> None:
    page.goto(f"{server.url}/meeting?{query}")
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"第 \d+ / \d+ 屏"))).to_be_visible(timeout=60_000)


def _shot(page: Any, name: str) -> Path:
    """The visible 1920×1080 viewport only: what the room sees without scrolling."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def _fits(page: Any) -> None:
    """Nothing below the fold: the scrolling main area is no taller than the window."""
    sizes = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? [m.scrollHeight, m.clientHeight] : [document.body.scrollHeight, innerHeight]; }"
    )
    assert sizes[0] <= sizes[1] + 4, f"content {sizes[0]}px taller than the screen {sizes[1]}px"


def _no_horizontal_clip(page: Any) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1], widths


def test_summary_screen_fits_1920x1080(wall: Any, meeting_server: AppServer) -> None:
    """Test that the summary screen shows the department KPIs and the project chart within one screen."""
    _open(wall, meeting_server, "embed=true&theme=light")
    expect(wall.locator("[data-testid='stMetricValue']").filter(has_text="122.90")).to_be_visible()
    expect(wall.locator("[data-testid='stMetricValue']").filter(has_text="8 个")).to_be_visible()
    expect(wall.locator(".js-plotly-plot").first).to_be_visible()
    expect(wall.get_by_text("巨鹿县司法局本级 · 2024年1–7月 · 部门总体情况")).to_be_visible()
    assert not wall.get_by_role("textbox").count(), "no editing widgets on the wall"
    _fits(wall)
    _no_horizontal_clip(wall)
    _shot(wall, "meeting-1-summary-light-1920")


def test_next_goes_to_the_worst_project_with_cause_and_measure(wall: Any, meeting_server: AppServer) -> None:
    """Test that 下一屏 shows the first lagging project with its curve, red/yellow indicators, cause and measure."""
    _open(wall, meeting_server, "embed=true&theme=dark")
    wall.get_by_role("button", name="下一屏").click()
    wait_idle(wall)
    expect(wall.get_by_text(re.compile(r"第 2 / \d+ 屏"))).to_be_visible()
    expect(wall.get_by_text("1. 法律援助经费").first).to_be_visible()
    expect(wall.get_by_text("经费拨付滞后，宣传活动推迟", exact=False)).to_be_visible()
    expect(wall.get_by_text("协调财政加快拨付，10月开展集中宣传", exact=False)).to_be_visible()
    expect(wall.locator(".js-plotly-plot").first).to_be_visible()
    _fits(wall)
    _no_horizontal_clip(wall)
    _shot(wall, "meeting-2-project-dark-1920")
    wall.get_by_role("button", name="上一屏").click()
    wait_idle(wall)
    expect(wall.get_by_text(re.compile(r"第 1 / \d+ 屏"))).to_be_visible()


def test_matrix_screen_is_reachable_from_the_url(wall: Any, meeting_server: AppServer) -> None:
    """Test that ?screen= opens the indicator light matrix (the last screen) and it fits."""
    _open(wall, meeting_server, "embed=true&theme=light&screen=99")
    expect(wall.get_by_text("绩效指标亮灯矩阵").first).to_be_visible()
    expect(wall.locator(".js-plotly-plot").first).to_be_visible()
    _fits(wall)
    _shot(wall, "meeting-3-matrix-light-1920")


def test_auto_advance_moves_to_the_next_screen(wall: Any, meeting_server: AppServer) -> None:
    """Test that ?auto=5 advances from screen 1 to screen 2 without a click."""
    _open(wall, meeting_server, "embed=true&auto=5")
    expect(wall.get_by_text(re.compile(r"第 1 / \d+ 屏"))).to_be_visible()
    expect(wall.get_by_text(re.compile(r"第 2 / \d+ 屏"))).to_be_visible(timeout=20_000)

"""The dashboard pages in the real app, in Chromium, at a meeting projector's 1920×1080 and a
laptop's 1366×768: every page renders, charts are drawn, screenshots for a person to look at."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from perfwatch import dataset, db, demo, store
from tests.browser.conftest import REPO, AppServer, screenshot, start_app, stop_app, wait_idle

pytestmark = pytest.mark.browser

VIEWPORTS = {"1920": {"width": 1920, "height": 1080}, "1366": {"width": 1366, "height": 768}}
# url path (with query), expects a chart, a text every render of it shows
PAGES = {
    "overview": ("", True, "需要关注"),  # the default page lives at the root
    "spend": ("spend", True, "偏差分析"),
    "indicators": ("indicators", False, "部门整体绩效目标"),
    "project": ("project?project=13052924P00584210790E", True, "填报记录"),
    "departments": ("departments", True, "测试县测试局"),
}


@pytest.fixture(scope="module")
def populated_server(browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The app on a database holding the demo actuals as real data plus a second department (the
    mini fixture, no actuals), so that 部门汇总 has two departments to rank.

    The first session after a server start is opened at the root, to wait for the menu once."""
    tmp = tmp_path_factory.mktemp("dash-browser")
    built = demo.ensure_demo_db(tmp / "demo.duckdb")
    real = tmp / "real.duckdb"
    shutil.copy(built, real)
    conn = db.open_database(real)
    dataset.load_targets(conn, store.SYSTEM, dataset.read_dataset(REPO / "tests" / "fixtures" / "mini.targets.json"))
    conn.close()
    server = start_app(real, tmp / "streamlit.log", {demo.ENV_DEMO_DB: str(tmp / "demo.duckdb")})
    try:
        ctx = browser.new_context()
        warm = ctx.new_page()
        warm.goto(server.url)
        wait_idle(warm)
        expect(warm.locator("[data-testid='stSidebarNav']").get_by_text("监控看板")).to_be_visible(timeout=30_000)
        ctx.close()
        yield server
    finally:
        stop_app(server.proc)


def _open(browser, server: AppServer, path: str, viewport: dict[str, int]):
    ctx = browser.new_context(viewport=viewport, locale="zh-CN")
    page = ctx.new_page()
    page.goto(f"{server.url}/{path}")
    wait_idle(page)
    # The frame's menu (st.navigation) replaces the initial file list once the first run is done.
    expect(page.locator("[data-testid='stSidebarNav']").get_by_text("监控看板")).to_be_visible(timeout=30_000)
    wait_idle(page)
    return ctx, page


def _full_screenshot(page, name: str, width: int) -> None:
    """A second screenshot with the window as tall as the page (Streamlit scrolls inside its main
    container, so a full-page screenshot of the window would only show the first screen)."""
    height = page.evaluate("document.querySelector(\"[data-testid='stMain']\").scrollHeight")
    page.set_viewport_size({"width": width, "height": max(int(height) + 40, 600)})
    wait_idle(page)
    screenshot(page, name)


# 1366×768 only: the narrower screen is where charts and tables crowd; every page at 1920×1080 is
# opened, checked and screenshotted by tests/browser/test_walk_browser.py (kept out of CI time twice).
@pytest.mark.parametrize("size", ["1366"])
@pytest.mark.parametrize("name", list(PAGES))
def test_dashboard_page_renders(browser, populated_server: AppServer, name: str, size: str) -> None:
    """Test that a dashboard page renders without an exception, draws its charts and is screenshotted."""
    path, chart, text = PAGES[name]
    ctx, page = _open(browser, populated_server, path, VIEWPORTS[size])
    try:
        expect(page.get_by_text(text).first).to_be_visible(timeout=30_000)
        if chart:
            expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
            expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()
        expect(page.locator("[data-testid='stException']")).to_have_count(0)
        expect(page.get_by_text(demo.DEMO_BANNER)).to_have_count(0)
        screenshot(page, f"dashboard-{name}-{size}")
        _full_screenshot(page, f"dashboard-{name}-{size}-full", VIEWPORTS[size]["width"])
        expect(page.locator("[data-testid='stException']")).to_have_count(0)
    finally:
        ctx.close()


def test_newcomer_sees_the_demo_with_its_banner(browser, tmp_path: Path) -> None:
    """Test that on a new database the overview says there are no actuals, and 查看示例数据 shows the
    demo with the banner on every dashboard page while the charts are drawn."""
    server = start_app(tmp_path / "new.duckdb", tmp_path / "streamlit.log",
                       {demo.ENV_DEMO_DB: str(tmp_path / "demo.duckdb")})
    ctx = browser.new_context(viewport=VIEWPORTS["1366"], locale="zh-CN")
    try:
        page = ctx.new_page()
        page.goto(server.url)
        wait_idle(page)
        expect(page.get_by_text("还没有填报任何实际支出").first).to_be_visible(timeout=30_000)
        expect(page.locator(".js-plotly-plot")).to_have_count(0)
        screenshot(page, "dashboard-empty-1366")
        page.get_by_role("button", name="先看看示例数据").click()
        wait_idle(page)
        expect(page.get_by_text(demo.DEMO_BANNER).first).to_be_visible(timeout=60_000)
        expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
        screenshot(page, "dashboard-demo-overview-1366")
        for title in ("支出进度", "绩效指标", "项目详情"):
            page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True).click()
            wait_idle(page)
            expect(page.get_by_text(demo.DEMO_BANNER).first).to_be_visible(timeout=30_000)
            expect(page.locator("[data-testid='stException']")).to_have_count(0)
        screenshot(page, "dashboard-demo-project-1366")
    finally:
        ctx.close()
        stop_app(server.proc)

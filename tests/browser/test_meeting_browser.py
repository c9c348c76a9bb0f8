"""The meeting screen in a real browser at 1920×1080: every screen fits, reads, and advances."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from perfwatch import dataset
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
    """Test that 下一屏 shows the red project furthest behind plan in 万元 first (seq 3: 72 万元 budget,
    19.50 万元 behind), and that the project with entered cause and measure shows them."""
    _open(wall, meeting_server, "embed=true&theme=dark")
    wall.get_by_role("button", name="下一屏").click()
    wait_idle(wall)
    expect(wall.get_by_text(re.compile(r"第 2 / \d+ 屏"))).to_be_visible()
    # Hand: seq 3 is 72×56.25% − 21 = 19.50 万元 behind; seq 1 is 2×56.25% − 0.35 = 0.775 万元 behind.
    expect(wall.get_by_text("3. 冀财政法2023年49号", exact=False).first).to_be_visible()
    expect(wall.locator(".js-plotly-plot").first).to_be_visible()
    _fits(wall)
    _no_horizontal_clip(wall)
    _shot(wall, "meeting-2-project-dark-1920")
    wall.get_by_role("button", name="下一屏").click()
    wait_idle(wall)
    expect(wall.get_by_text(re.compile(r"第 3 / \d+ 屏"))).to_be_visible()
    expect(wall.get_by_text("1. 法律援助经费").first).to_be_visible()
    expect(wall.get_by_text("经费拨付滞后，宣传活动推迟", exact=False)).to_be_visible()
    expect(wall.get_by_text("协调财政加快拨付，10月开展集中宣传", exact=False)).to_be_visible()
    wall.get_by_role("button", name="上一屏").click()
    wait_idle(wall)
    expect(wall.get_by_text(re.compile(r"第 2 / \d+ 屏"))).to_be_visible()


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


# ---------------------------------------------------------------- readable at 5 m, every size and theme

SIZES = {"1920": (1920, 1080), "1366": (1366, 768), "1280": (1280, 720)}

# Every text node of the main area: its colour over its effective background (ancestors' backgrounds
# composited), font size and weight -> WCAG contrast; plus sizes of headline figures and chart text.
_READ_JS = """
() => {
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(',').map(parseFloat); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lin = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const lum = c => 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  const over = (top, base) => ({r: top.r * top.a + base.r * (1 - top.a), g: top.g * top.a + base.g * (1 - top.a),
                                b: top.b * top.a + base.b * (1 - top.a), a: 1});
  const background = el => { const layers = [];
    for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; } }
    let base = {r: 255, g: 255, b: 255, a: 1};
    for (let i = layers.length - 1; i >= 0; i--) base = over(layers[i], base);
    return base; };
  const main = document.querySelector('[data-testid="stMain"]');
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const bad = []; let checked = 0;
  while (walker.nextNode()) {
    const node = walker.currentNode; const text = node.textContent.trim(); if (!text) continue;
    const el = node.parentElement; if (el.closest('svg')) continue;
    const st = getComputedStyle(el); const r = el.getBoundingClientRect();
    if (st.visibility === 'hidden' || st.display === 'none' || r.width === 0 || r.height === 0 || st.opacity === '0') continue;
    const bg = background(el); const fg = over(parse(st.color), bg);
    const l1 = lum(fg), l2 = lum(bg); const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(st.fontSize); const bold = parseInt(st.fontWeight) >= 700;
    const need = (size >= 24 || (size >= 18.66 && bold)) ? 3 : 4.5; checked++;
    if (ratio < need) bad.push(`${text.slice(0, 24)} ${ratio.toFixed(2)}<${need} (${st.color} on rgb(${bg.r|0},${bg.g|0},${bg.b|0}))`);
  }
  const metrics = [...document.querySelectorAll('[data-testid="stMetricValue"]')].map(e => {
    const inner = e.querySelector('div') || e;
    return {text: e.innerText, size: parseFloat(getComputedStyle(inner).fontSize),
            cut: inner.scrollWidth > inner.clientWidth + 1 || e.scrollWidth > e.clientWidth + 1}; });
  const chartText = [...document.querySelectorAll('.js-plotly-plot svg text')]
    .filter(t => t.textContent.trim() && t.getBBox().width > 0)
    .map(t => parseFloat(t.style.fontSize || getComputedStyle(t).fontSize));
  const se = document.scrollingElement;
  const m = document.querySelector('[data-testid="stMain"]');
  return {bad, checked, metrics, chartMin: chartText.length ? Math.min(...chartText) : null, charts: chartText.length,
          scroll: [se.scrollHeight, innerHeight, m.scrollHeight, m.clientHeight]};
}
"""


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("size", list(SIZES))
def test_wall_reads_at_every_size_and_theme(browser: Any, meeting_server: AppServer, size: str, theme: str) -> None:
    """Test that every wall screen (summary, a project, the light history, the matrix) fits the
    window without scrolling, shows no cut headline figure, and every text meets WCAG AA contrast;
    at 1920 wide headline figures are >= 64 px and chart text >= 28 px."""
    width, height = SIZES[size]
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = ctx.new_page()
    try:
        _open(page, meeting_server, f"embed=true&theme={theme}")
        n = int(re.search(r"/ (\d+) 屏", page.get_by_text(re.compile(r"第 \d+ / \d+ 屏")).inner_text()).group(1))
        for screen, name in ((1, "summary"), (2, "project"), (n - 1, "history"), (n, "matrix")):
            if screen > 1:
                _open(page, meeting_server, f"embed=true&theme={theme}&screen={screen}")
            expect(page.get_by_text(f"第 {screen} / {n} 屏")).to_be_visible()
            expect(page.locator(".js-plotly-plot svg text").first).to_be_attached()
            wait_idle(page)
            _shot(page, f"wall-{name}-{theme}-{size}")
            r = page.evaluate(_READ_JS)
            where = f"{name} {theme} {width}×{height}"
            assert r["checked"] >= 4, where
            assert not r["bad"], f"{where}: low contrast: {r['bad']}"
            sh, ih, msh, mch = r["scroll"]
            assert sh <= ih and msh <= mch + 4, f"{where}: scrolls ({r['scroll']})"
            assert not [m for m in r["metrics"] if m["cut"] or "…" in m["text"]], f"{where}: cut figures {r['metrics']}"
            if name == "history":
                expect(page.get_by_text("各项目亮灯变化（逐月）").first).to_be_visible()
            if width == 1920:
                assert all(m["size"] >= 64 for m in r["metrics"]), f"{where}: {r['metrics']}"
                assert r["chartMin"] is not None and r["chartMin"] >= 28, f"{where}: chart text {r['chartMin']} px"
    finally:
        ctx.close()

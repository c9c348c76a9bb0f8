"""A walk of every page as an administrator in a real browser at 1920×1080 and 1366×768 (issue 15):
no Streamlit exception box, no None/nan or raw code in the visible text, a screenshot of each page.

One browser, one server, one sign-in per width; pages are opened from the sidebar menu, as a person does.
The AppTest walk (tests/test_pages_walk.py) covers every role and the table cells (drawn on a canvas here).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from perfwatch import auth, db, demo
from perfwatch.navigation import pages_for
from tests.browser.conftest import AppServer, fill_sign_in, screenshot, start_app, stop_app, wait_idle
from tests.screen_text import bad_tokens

pytestmark = pytest.mark.browser

PASSWORD = "browser-walk-pw"
SIZES = {"1920": (1920, 1080), "1366": (1366, 768)}
# English shown on purpose: the spend file headers the import help names, the account's user name.
ALLOWED = {"project_code", "date", "amount", "admin"}


@pytest.fixture(scope="module")
def walk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The app with sign-in on, on the demo's data (seed targets, spend and results to July 2024) and one admin."""
    tmp = tmp_path_factory.mktemp("walk-browser")
    real = tmp / "walk.duckdb"
    shutil.copy(demo.ensure_demo_db(tmp / "demo.duckdb"), real)
    conn = db.open_database(real)
    auth.create_first_admin(conn, "admin", PASSWORD, "管理员甲")
    conn.close()
    server = start_app(real, tmp / "streamlit.log", {"PERFWATCH_AUTH": "", demo.ENV_DEMO_DB: str(tmp / "demo.duckdb")})
    try:
        yield server
    finally:
        stop_app(server.proc)


def _menu(page: Page) -> object:
    return page.locator("[data-testid='stSidebarNav']")


# The text a person can see: text nodes in rendered, visible elements bigger than a pixel (not the
# visually hidden "skip" links), without Material icon ligatures (the word "dashboard" draws an icon)
# and without text drawn at font size 0 (the uploader's English, replaced by Chinese in CSS).
_VISIBLE_TEXT_JS = """() => {
  const root = document.querySelector("[data-testid='stApp']");
  const out = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!el || el.closest("[data-testid='stIconMaterial'], style, script")) continue;
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    const style = getComputedStyle(el);
    if (style.fontFamily.includes("Material") || parseFloat(style.fontSize) === 0) continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;
    out.push(walker.currentNode.textContent);
  }
  return out.join("\\n");
}"""


def _visible_text(page: Page) -> str:
    return str(page.evaluate(_VISIBLE_TEXT_JS))


def _full_screenshot(page: Page, name: str, width: int, height: int) -> Path:
    """The page as tall as its content (Streamlit scrolls inside its main container), then the window back."""
    tall = page.evaluate("document.querySelector(\"[data-testid='stMain']\").scrollHeight")
    page.set_viewport_size({"width": width, "height": max(int(tall) + 40, height)})
    wait_idle(page)
    path = screenshot(page, name)
    page.set_viewport_size({"width": width, "height": height})
    wait_idle(page)
    return path


@pytest.mark.parametrize("size", list(SIZES))
def test_every_page_as_admin_shows_no_exception_and_no_raw_code(browser: object, walk_server: AppServer, size: str) -> None:
    """Test that every admin page, opened from the menu, shows no exception box and no None/nan or raw code."""
    width, height = SIZES[size]
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")  # type: ignore[attr-defined]
    problems: list[str] = []
    try:
        page = ctx.new_page()
        page.goto(walk_server.url)
        wait_idle(page)
        fill_sign_in(page, "admin", PASSWORD)
        wait_idle(page)
        expect(_menu(page).get_by_text("监控看板")).to_be_visible(timeout=30_000)
        # The meeting screen last: it hides the sidebar while shown.
        specs = [s for group in pages_for("admin").values() for s in group]
        specs = [s for s in specs if s.url_path != "meeting"] + [s for s in specs if s.url_path == "meeting"]
        for spec in specs:
            _menu(page).get_by_text(spec.title, exact=True).click()
            wait_idle(page)
            expect(page).to_have_url(re.compile(rf"/{spec.url_path}(\?.*)?$"), timeout=30_000)
            wait_idle(page)
            expect(page.locator("[data-testid='stException']")).to_have_count(0)
            for token in bad_tokens(_visible_text(page), allowed=ALLOWED):
                problems.append(f"{spec.title} at {size}: {token!r}")
            screenshot(page, f"walk-{spec.url_path}-{size}")
            _full_screenshot(page, f"walk-{spec.url_path}-{size}-full", width, height)
    finally:
        ctx.close()
    assert not problems, "\n".join(problems)

"""Links (issue 15 item 2, issue 11 item 1): every page URL opened by a fresh browser shows sign-in (never
Streamlit's "Page not found"), a signed-out bookmark lands on its page with its parameters after
sign-in, leaving the meeting screen brings the sidebar back, and the public screen keeps 登录 in sight."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from perfwatch import auth, dataset, db, store
from perfwatch.navigation import LOGIN_PAGE, PAGES
from tests.browser.conftest import (
    PAGE_NOT_FOUND,
    AppServer,
    expect_sign_in_page,
    fill_sign_in,
    screenshot,
    start_app,
    stop_app,
    wait_idle,
)

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PASSWORD = "browser-links-pw"


def _server(tmp_path: Path, *, public: bool = False) -> AppServer:
    """The real app with sign-in on, the mini dataset and one admin (optionally the public meeting screen)."""
    path = tmp_path / "links.duckdb"
    conn = db.open_database(path)  # migrated, not seeded: the mini dataset only
    dataset.load_targets(conn, store.SYSTEM, json.loads((FIXTURES / "mini.targets.json").read_text(encoding="utf-8")))
    auth.create_first_admin(conn, "admin", PASSWORD)
    if public:
        store.set_setting(conn, store.SYSTEM, auth.SETTING_PUBLIC_SCREEN, True)
    conn.close()
    return start_app(path, tmp_path / "streamlit.log", extra_env={"PERFWATCH_AUTH": ""})


@pytest.fixture
def links_server(tmp_path: Path) -> Iterator[AppServer]:
    server = _server(tmp_path)
    try:
        yield server
    finally:
        stop_app(server.proc)


def _fresh(browser: object, width: int = 1366, height: int = 768) -> Page:
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")  # type: ignore[attr-defined]
    return ctx.new_page()


def test_every_page_url_first_request_shows_sign_in(browser: object, links_server: AppServer) -> None:
    """Test that a browser opening each page's URL (the first one right after the server starts) sees
    the sign-in form and no "Page not found", and no page content. One browser context for all: each
    address is a new page load and a new Streamlit session (sign-in lives in the session, there is no
    sign-in cookie), and the context keeps the app's script files cached as a returning browser does."""
    page = _fresh(browser)
    try:
        for spec in (*PAGES, LOGIN_PAGE):
            page.goto(f"{links_server.url}/{spec.url_path}")
            wait_idle(page)
            expect_sign_in_page(page)
            expect(page.get_by_role("heading", name=spec.title, exact=True)).to_have_count(0)
            assert urlparse(page.url).path == f"/{spec.url_path}", page.url  # the bookmark is kept
            if spec.url_path in ("spend", "admin_users"):
                screenshot(page, f"links-signed-out-{spec.url_path}")
    finally:
        page.context.close()


def test_signed_out_bookmark_lands_on_its_page_with_parameters(browser: object, links_server: AppServer) -> None:
    """Test that the wall link /meeting?embed=true&theme=dark&auto=15 opened signed out shows sign-in, and
    after sign-in the meeting screen is shown with all three parameters still in the URL; the same for
    /spend (heading 支出进度)."""
    page = _fresh(browser, 1920, 1080)
    try:
        page.goto(f"{links_server.url}/meeting?embed=true&theme=dark&auto=15")
        wait_idle(page)
        expect_sign_in_page(page)
        screenshot(page, "links-meeting-bookmark-signed-out")
        fill_sign_in(page, "admin", PASSWORD)
        expect(page.get_by_text("绩效运行监控看板 · 登录")).to_have_count(0, timeout=60_000)
        wait_idle(page)
        url = urlparse(page.url)
        assert url.path == "/meeting", page.url
        assert parse_qs(url.query) == {"embed": ["true"], "theme": ["dark"], "auto": ["15"]}, page.url
        expect(page.get_by_text(PAGE_NOT_FOUND)).to_have_count(0)
        # the mini dataset has no actuals: the meeting page's own empty state, not 总览
        expect(page.get_by_text("暂无会议大屏内容可显示", exact=False)).to_be_visible()
        screenshot(page, "links-meeting-bookmark-after-sign-in")
    finally:
        page.context.close()

    page = _fresh(browser)
    try:
        page.goto(f"{links_server.url}/spend")
        wait_idle(page)
        expect_sign_in_page(page)
        fill_sign_in(page, "admin", PASSWORD)
        expect(page.get_by_role("heading", name="支出进度")).to_be_visible(timeout=60_000)
        wait_idle(page)
        assert urlparse(page.url).path == "/spend", page.url
        expect(page.get_by_text(PAGE_NOT_FOUND)).to_have_count(0)
        screenshot(page, "links-spend-bookmark-after-sign-in")
    finally:
        page.context.close()


def test_leaving_the_meeting_screen_restores_the_sidebar(browser: object, links_server: AppServer) -> None:
    """Test that after 会议大屏 (which collapses the sidebar) going back to 总览 shows the sidebar menu again."""
    page = _fresh(browser)
    try:
        page.goto(links_server.url)
        wait_idle(page)
        fill_sign_in(page, "admin", PASSWORD)
        nav = page.get_by_test_id("stSidebarNav")
        expect(nav.get_by_text("会议大屏")).to_be_visible(timeout=60_000)
        wait_idle(page)
        # "/" goes on to 总览 at its own URL (a default page would only be reachable as "/")
        expect(page.get_by_role("heading", name="总览")).to_be_visible()
        assert urlparse(page.url).path == "/overview", page.url
        nav.get_by_text("会议大屏").click()
        expect(page.get_by_test_id("stSidebarNav")).not_to_be_in_viewport(timeout=60_000)
        wait_idle(page)
        screenshot(page, "links-meeting-sidebar-collapsed")
        page.go_back()
        wait_idle(page)
        expect(page.get_by_test_id("stSidebarNav").get_by_text("总览")).to_be_in_viewport(timeout=60_000)
        screenshot(page, "links-after-meeting-sidebar-back")
    finally:
        page.context.close()


def test_public_screen_keeps_sign_in_in_sight(browser: object, tmp_path: Path) -> None:
    """Test that with the public meeting screen on, an anonymous visitor on /meeting sees 登录 in the top
    bar, and a bookmark of a non-public page (/spend) shows sign-in, not "Page not found"."""
    server = _server(tmp_path, public=True)
    page = _fresh(browser, 1920, 1080)
    try:
        page.goto(f"{server.url}/meeting?theme=dark")
        wait_idle(page)
        expect(page.get_by_text(PAGE_NOT_FOUND)).to_have_count(0)
        expect(page.get_by_role("link", name="登录")).to_be_in_viewport()
        screenshot(page, "links-public-meeting")
        page.get_by_role("link", name="登录").click()
        wait_idle(page)
        expect_sign_in_page(page)
        page.goto(f"{server.url}/spend")
        wait_idle(page)
        expect_sign_in_page(page)
        screenshot(page, "links-public-spend-signed-out")
    finally:
        page.context.close()
        stop_app(server.proc)

"""Sign-in in a real browser: a 项目负责人 signs in, sees only their projects in 指标填报, and the
admin pages are neither in their menu nor reachable by URL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from perfwatch import auth, dataset, db, store
from perfwatch.store import Actor
from tests.browser.conftest import AppServer, screenshot, start_app, stop_app, wait_idle

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PASSWORD = "browser-test-pw"
ADMIN_TITLES = ("用户管理", "操作日志", "数据备份")


@pytest.fixture
def auth_server(tmp_path: Path) -> Iterator[AppServer]:
    """The real app with sign-in ON (PERFWATCH_AUTH cleared) on the mini dataset, with an admin and
    an owner (张三) of project P001 only."""
    path = tmp_path / "auth.duckdb"
    conn = db.open_database(path)  # migrated, not seeded (was seed=False): the mini dataset only
    dataset.load_targets(conn, store.SYSTEM, json.loads((FIXTURES / "mini.targets.json").read_text(encoding="utf-8")))
    auth.create_first_admin(conn, "admin", PASSWORD)
    auth.create_user(conn, Actor("admin", "admin"), "zhang", "owner", PASSWORD, "张三", ["P001"])
    conn.close()
    server = start_app(path, tmp_path / "streamlit.log", extra_env={"PERFWATCH_AUTH": ""})
    try:
        yield server
    finally:
        stop_app(server.proc)


@pytest.fixture
def owner_page(browser: object, auth_server: AppServer) -> Iterator[Page]:
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")  # type: ignore[attr-defined]
    page = ctx.new_page()
    yield page
    ctx.close()


def _sign_in(page: Page, url: str, username: str, password: str) -> None:
    page.goto(url)
    wait_idle(page)
    expect(page.get_by_text("绩效运行监控看板 · 登录")).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_owner_signs_in_sees_only_own_projects_and_no_admin_pages(owner_page: Page, auth_server: AppServer) -> None:
    """Test that 张三 signs in after a wrong password, gets a menu without 系统管理, only P001 in 指标填报,
    and /admin_users shows no user management."""
    page = owner_page
    _sign_in(page, auth_server.url, "zhang", "wrong-password")
    expect(page.get_by_text(auth.WRONG_CREDENTIALS)).to_be_visible()
    screenshot(page, "auth-wrong-password")

    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("项目负责人")).to_be_visible(timeout=60_000)
    expect(sidebar.get_by_role("button", name="退出登录")).to_be_visible()
    wait_idle(page)
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("指标填报")).to_be_visible()
    for title in ADMIN_TITLES:
        expect(nav.get_by_text(title)).to_have_count(0)
    screenshot(page, "auth-owner-signed-in")

    nav.get_by_text("指标填报").click()
    expect(page.get_by_role("heading", name="指标填报")).to_be_visible(timeout=60_000)
    wait_idle(page)
    main = page.get_by_test_id("stMain")
    project_box = main.get_by_role("combobox", name="项目", exact=True)
    expect(project_box).to_have_value("P001 甲项目")
    project_box.click()
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    texts = options.all_inner_texts()
    assert any("P001" in t for t in texts) and not any("P002" in t or "部门整体" in t for t in texts), texts
    page.keyboard.press("Escape")
    screenshot(page, "auth-owner-entry-results")

    page.goto(f"{auth_server.url}/admin_users")
    wait_idle(page)
    expect(page.get_by_role("heading", name="用户管理")).to_have_count(0)
    expect(page.get_by_text("绩效运行监控看板 · 登录")).to_be_visible()
    screenshot(page, "auth-admin-url-not-reachable")


def test_deep_link_right_after_start_shows_no_data(browser: object, auth_server: AppServer) -> None:
    """Test that the very first request after the server starts, a deep link to a data page, gets the
    sign-in page and no data (the frame runs first: pages live in pages/<section>/, never directly in pages/)."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")  # type: ignore[attr-defined]
    page = ctx.new_page()
    try:
        page.goto(f"{auth_server.url}/targets")
        wait_idle(page)
        main = page.get_by_test_id("stMain")
        expect(main.get_by_text("用户名")).to_be_visible()
        expect(main.get_by_text("甲项目")).to_have_count(0)
        screenshot(page, "auth-deep-link-first-request")
    finally:
        ctx.close()

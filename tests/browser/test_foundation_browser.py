"""The real app in a real browser shows the eight seed projects."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot, wait_idle

SEED_PROJECTS = ["法律援助经费", "法治工作经费", "普法工作经费", "人民调解经费", "社区矫正经费"]


def test_targets_page_lists_the_eight_seed_projects(page, app_server) -> None:
    """Test that the targets page of the running app lists all eight projects and the 122.90 total."""
    page.goto(app_server.url + "/targets")
    wait_idle(page)
    expect(page.get_by_text("项目与绩效目标").first).to_be_visible()
    expect(page.locator("[data-testid='stMetricValue']").filter(has_text="122.90")).to_be_visible()
    expanders = page.locator("[data-testid='stExpander'] summary")
    expect(expanders.filter(has_text="万元")).to_have_count(8)
    for name in SEED_PROJECTS:
        expect(expanders.filter(has_text=name).first).to_be_visible()
    screenshot(page, "foundation-targets-1366")


def test_deep_link_as_first_request_goes_through_the_frame(browser, app_server) -> None:
    """Test that /spend as the very first request after start shows the role menu (the frame ran)."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    pg = ctx.new_page()
    pg.goto(app_server.url + "/spend")
    wait_idle(pg)
    nav = pg.locator("[data-testid='stSidebarNav']")
    expect(nav.get_by_text("监控看板")).to_be_visible(timeout=30_000)
    expect(nav.get_by_text("支出进度")).to_be_visible()
    expect(nav.get_by_text("entry spend")).to_have_count(0)  # never the raw file list
    expect(pg.get_by_role("heading", name="支出进度")).to_be_visible()
    ctx.close()


def test_newcomer_creates_the_admin_and_sees_the_seed_projects(browser, tmp_path) -> None:
    """Test the README's first start with sign-in on: create the admin account, then see the 8 projects."""
    from tests.browser.conftest import start_app, stop_app

    server = start_app(tmp_path / "new.duckdb", tmp_path / "log.txt", {"PERFWATCH_AUTH": "on"})
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    try:
        pg = ctx.new_page()
        pg.goto(server.url)
        wait_idle(pg)
        expect(pg.get_by_role("heading", name="创建管理员账号")).to_be_visible()
        pg.get_by_label("用户名").fill("admin")
        pg.get_by_label("密码（至少 10 个字符，不能是常见密码，不能含账号名）").fill("a-long-password")
        pg.get_by_label("再次输入密码").fill("a-long-password")
        pg.get_by_role("button", name="创建管理员并登录").click()
        nav = pg.locator("[data-testid='stSidebarNav']")
        expect(nav.get_by_text("用户管理")).to_be_visible(timeout=30_000)  # signed in as admin
        nav.get_by_text("项目与绩效目标").click()  # same session: a reload would sign out
        wait_idle(pg)
        expect(pg.locator("[data-testid='stMetricValue']").filter(has_text="122.90")).to_be_visible()
        expect(pg.locator("[data-testid='stExpander'] summary").filter(has_text="万元")).to_have_count(8)
        expect(pg.locator("[data-testid='stDataFrame']").first).to_contain_text("13052924P00584012128B")
        screenshot(pg, "foundation-newcomer-after-admin-1366")
    finally:
        ctx.close()
        stop_app(server.proc)

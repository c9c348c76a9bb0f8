"""报表导出 in a real browser: nothing is made on load; the button shows progress, then the download
is the 监控表 of the chosen month."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import expect

from perfwatch import dataset
from tests.browser.conftest import AppServer, screenshot, start_app, stop_app, wait_idle
from tests.reports_testdata import load_actuals


@pytest.fixture
def reports_server(tmp_path: Path) -> Iterator[AppServer]:
    """The app on a database with spend to 2024-07-31."""
    path = tmp_path / "app.duckdb"
    conn = dataset.open_seeded(path)
    load_actuals(conn)
    conn.close()
    server = start_app(path, tmp_path / "streamlit.log")
    try:
        yield server
    finally:
        stop_app(server.proc)


def test_generate_on_demand_then_download_the_form(browser: Any, reports_server: AppServer, tmp_path: Path) -> None:
    """Test that the page opens without a download, 生成 makes the 1–7月 form and the download opens in Excel."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", accept_downloads=True)
    page = ctx.new_page()
    try:
        page.goto(reports_server.url)
        wait_idle(page)
        page.get_by_role("link", name="报表导出").click()
        wait_idle(page)
        make = page.get_by_role("button", name="生成项目支出绩效目标执行监控表")
        expect(make).to_be_visible(timeout=60_000)
        expect(page.get_by_role("button", name="下载 .xlsx")).to_have_count(0)
        screenshot(page, "reports_before")
        make.click()
        download_button = page.get_by_role("button", name="下载 .xlsx")
        expect(download_button).to_be_visible(timeout=60_000)
        expect(page.get_by_text("已生成：315001_2024年1–7月_绩效目标执行监控表.xlsx")).to_be_visible()
        screenshot(page, "reports_ready")
        with page.expect_download() as info:
            download_button.click()
        out = tmp_path / "form.xlsx"
        info.value.save_as(out)
        wb = openpyxl.load_workbook(out)
        assert wb.sheetnames[0] == "部门汇总" and wb.sheetnames[-1] == "系统测算"
        assert wb["1.法律援助经费"]["L6"].value == pytest.approx(1.80)
    finally:
        ctx.close()

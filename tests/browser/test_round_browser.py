"""Issue 12's walk in a real browser: a project owner fills 项目填报 for a red project (declaration,
causes, measures, an indicator result with 全年预计完成情况, one 佐证材料) and submits; finance sends
it back with a comment, the owner fixes it and submits again, finance approves; the audit log
shows every step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from perfwatch import dataset, db, entry, store
from perfwatch.audit_labels import ACTION_NAMES
from tests.browser.conftest import open_expander, pick_option, screenshot, start_app, stop_app, wait_idle

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def red_file(tmp_path: Path, mini_data: dict[str, Any]) -> Path:
    """The mini dataset where P001 (budget 10.00, plan 25/50/75/100) spent 1.00 by June:
    10.00% against 50.00% planned, ratio 20.0 -> red (by hand)."""
    path = tmp_path / "round-app.duckdb"
    conn = db.open_database(path)
    dataset.load_targets(conn, store.SYSTEM, mini_data)
    p1 = int(conn.execute("SELECT id FROM projects WHERE code = 'P001'").fetchone()[0])
    entry.record_spend(conn, store.SYSTEM, p1, dt.date(2024, 2, 1), "1.00")
    entry.record_spend(conn, store.SYSTEM, p1, dt.date(2024, 6, 1), "0.00")  # June is the last month with data
    conn.close()
    return path


class App:
    """One browser page on a server started as a given role (sign-in off); restarted per role."""

    def __init__(self, browser: Any, db_path: Path, tmp_path: Path) -> None:
        self.browser, self.db_path, self.tmp_path = browser, db_path, tmp_path
        self.server: Any = None
        self.ctx: Any = None
        self.n = 0

    def start(self, role: str) -> Page:
        self.stop()
        self.n += 1
        self.server = start_app(self.db_path, self.tmp_path / f"streamlit-{self.n}-{role}.log",
                                extra_env={"PERFWATCH_ROLE": role, "PERFWATCH_PROJECTS": "P001"})
        self.ctx = self.browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        page: Page = self.ctx.new_page()
        page.goto(self.server.url)
        wait_idle(page)
        return page

    def open(self, page: Page, title: str) -> None:
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
        wait_idle(page)
        expect(page.get_by_role("heading", name=title)).to_be_visible()

    def stop(self) -> None:
        if self.ctx is not None:
            self.ctx.close()
            self.ctx = None
        if self.server is not None:
            stop_app(self.server.proc)
            self.server = None


@pytest.fixture
def app(browser: Any, red_file: Path, tmp_path: Path) -> Iterator[App]:
    a = App(browser, red_file, tmp_path)
    try:
        yield a
    finally:
        a.stop()


def open_round(app: App, page: Page) -> None:
    app.open(page, "项目填报")
    # June: the last month with data is the page's default
    expect(page.get_by_role("combobox", name="填报月份（截至月底）")).to_have_value("2024年1–6月")
    expect(page.get_by_text("审核状态")).to_be_visible()


def click_until(page: Page, button: Any, shown: Any) -> None:
    """Click ``button`` until ``shown`` appears: a click during a rerun can be lost on a loaded
    machine; a refused or repeated click writes nothing twice (forms keep their values)."""
    for attempt in range(3):
        wait_idle(page)
        button.click()
        try:
            expect(shown).to_be_visible(timeout=15_000)
            return
        except AssertionError:
            if attempt == 2:
                raise


def pick(page: Page, label: str, option: str, scope: Any = None) -> None:
    """Choose ``option`` in the Streamlit multiselect labelled ``label``."""
    pick_option(page, (scope or page).get_by_role("combobox", name=label, exact=True), option)


def test_owner_fills_and_submits_finance_returns_then_approves(app: App, tmp_path: Path) -> None:
    """Test the done-when walk of issue 12 end to end, with screenshots of each state."""
    # 1. the owner: the red project's declaration is refused without causes, then saved with them
    page = app.start("owner")
    open_round(app, page)
    expect(page.get_by_text("支出进度为红灯：必须选择偏差原因类别", exact=False)).to_be_visible()
    form = page.locator("[data-testid='stForm']").filter(has_text="全年预计执行数（万元）")
    form.get_by_label("全年预计执行数（万元）").fill("6")
    click_until(page, form.get_by_role("button", name="保存项目填报"),
                page.get_by_text("支出进度为红灯，请填写纠偏措施", exact=False))
    screenshot(page, "round-declaration-refused")
    pick(page, "支出偏差原因类别", "经费保障", form)
    form.get_by_label("支出偏差原因", exact=True).fill("上级资金6月底才下达。")
    form.get_by_label("纠偏措施", exact=True).fill("7月集中支付培训费。")
    form.get_by_label("项目总体目标 1–6月执行情况").fill("已完成上半年培训2次。")
    click_until(page, form.get_by_role("button", name="保存项目填报"), page.get_by_text("已保存项目填报。"))
    expect(page.get_by_text("预计结转结余 4.00 万元", exact=False)).to_be_visible()  # 10.00 − 6.00

    # 2. an indicator result: 办案数量 20 of 50 expected by June (≥100 a year) -> red; 全年预计完成情况 given
    exp = page.locator("[data-testid='stExpander']").filter(has=page.locator("summary", has_text="办案数量"))
    value = exp.get_by_label("截至目前完成值", exact=False)
    open_expander(page, exp, value)
    value.fill("20")
    value.press("Tab")
    exp.get_by_label("全年预计完成情况").fill("预计全年完成80件")
    exp.get_by_text("有可能", exact=True).click()
    pick(page, "偏差原因类别", "人员保障", exp)
    exp.get_by_label("原因说明", exact=True).fill("办案人员3月调离2人。")
    exp.get_by_label("纠偏措施", exact=True).fill("7月起借调人员补充。")
    click_until(page, exp.get_by_role("button", name="保存指标"), page.get_by_text("已保存“办案数量”。"))

    # 3. one 佐证材料 (a PDF) attached to the declaration
    pdf = tmp_path / "签到表.pdf"
    pdf.write_bytes(PDF)
    upload = page.locator("[data-testid='stForm']").filter(has_text="上传佐证材料")
    for attempt in range(3):  # a rerun still running when the file was chosen redraws the uploader empty
        wait_idle(page)
        upload.locator("input[type='file']").set_input_files(str(pdf))
        try:
            expect(upload.get_by_text("签到表.pdf")).to_be_visible(timeout=10_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    click_until(page, upload.get_by_role("button", name="上传佐证材料"), page.get_by_text("已上传佐证材料“签到表.pdf”。"))
    expect(page.get_by_role("button", name="下载")).to_be_visible()
    screenshot(page, "round-owner-filled")

    # 4. submit: the owner's page turns read-only
    click_until(page, page.get_by_role("button", name="提交审核"), page.get_by_text("已提交审核。"))
    expect(page.get_by_text("本期填报已提交审核，等待财务审核", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="保存项目填报")).to_be_disabled()
    screenshot(page, "round-owner-submitted")

    # 5. finance sends it back with a comment
    page = app.start("finance")
    open_round(app, page)
    expect(page.get_by_text("当前状态：已提交")).to_be_visible()
    review = page.locator("[data-testid='stForm']").filter(has_text="审核意见")
    review.get_by_label("审核意见（退回时必填）").fill("纠偏措施请写明完成时间。")
    click_until(page, review.get_by_role("button", name="退回修改"), page.get_by_text("已退回，负责人可修改后重新提交。"))
    screenshot(page, "round-finance-returned")

    # 6. the owner sees the comment, fixes the measure and submits again
    page = app.start("owner")
    open_round(app, page)
    expect(page.get_by_text("财务退回意见：纠偏措施请写明完成时间。")).to_be_visible()
    form = page.locator("[data-testid='stForm']").filter(has_text="全年预计执行数（万元）")
    form.get_by_label("纠偏措施", exact=True).fill("7月15日前集中支付培训费。")
    click_until(page, form.get_by_role("button", name="保存项目填报"), page.get_by_text("已保存项目填报。"))
    click_until(page, page.get_by_role("button", name="提交审核"), page.get_by_text("已提交审核。"))

    # 7. finance approves
    page = app.start("finance")
    open_round(app, page)
    review = page.locator("[data-testid='stForm']").filter(has_text="审核意见")
    click_until(page, review.get_by_role("button", name="审核通过"), page.get_by_text("已审核通过。"))
    expect(page.get_by_text("当前状态：已审核")).to_be_visible()
    screenshot(page, "round-finance-approved")
    app.open(page, "填报情况")
    screenshot(page, "round-completeness")

    # 8. the audit log (admin) shows every step
    page = app.start("admin")
    app.open(page, "操作日志")
    log = page.locator("[data-testid='stDataFrame']").first
    for action in ("declaration.record", "result.record", "attachment.add", "round.submit", "round.return",
                   "round.approve"):
        expect(log).to_contain_text(ACTION_NAMES[action])  # the 操作日志 reads in Chinese
    screenshot(page, "round-audit-log")

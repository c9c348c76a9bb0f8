"""User text is text, in a real browser: a project name, a sub-goal title and an uploaded file name
written as Markdown links and images show as typed; no page showing them has a link to an outside
host or loads an outside image (issue 16 item 5)."""

from __future__ import annotations

import copy
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from perfwatch import dataset, db, entry, store
from tests.browser.conftest import screenshot, start_app, stop_app, wait_idle

pytestmark = pytest.mark.browser

HOSTILE = "[点此重新登录](https://evil.example/login) ![b](http://evil.example/b.png)"
FILE = f"文件:{HOSTILE}.csv"
# "](https://evil.example/login)" as shown, with or without textsafe.md's invisible word joiner after "https:".
LITERAL_LINK = re.compile(r"\]\(https:\u2060?//evil\.example/login\)")


@pytest.fixture
def hostile_file(tmp_path: Path, mini_data: dict[str, Any]) -> Path:
    """The mini dataset with a hostile project name and sub-goal title, and a spend save from a hostile file name."""
    d = copy.deepcopy(mini_data)
    d["projects"][0]["name"] = "甲" + HOSTILE
    d["departments"][0]["sub_goals"][0]["title"] = "分项" + HOSTILE
    path = tmp_path / "hostile-app.duckdb"
    conn = db.open_database(path)  # only the mini department: the app opens it by default
    dataset.load_targets(conn, store.SYSTEM, d)
    pid = conn.execute("SELECT id FROM projects WHERE code = 'P001'").fetchone()[0]
    entry.save_spend(conn, store.SYSTEM, [entry.SpendChange(pid, dt.date(2024, 3, 1), Decimal("1.5"), None)],
                     source=FILE, today=dt.date(2024, 12, 31))
    conn.close()
    return path


def test_hostile_markdown_is_shown_as_text(browser: Any, hostile_file: Path, tmp_path: Path) -> None:
    """Test that 项目与绩效目标, 绩效指标 and 支出填报 show the hostile texts literally, with no outside link or image."""
    server = start_app(hostile_file, tmp_path / "streamlit.log", extra_env={"PERFWATCH_ROLE": "finance"})
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    outside: list[str] = []
    try:
        page: Page = ctx.new_page()
        page.on("request", lambda req: outside.append(req.url) if "evil.example" in req.url else None)
        page.goto(server.url)
        wait_idle(page)
        for title in ("项目与绩效目标", "绩效指标", "支出填报"):
            page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
            wait_idle(page)
            if title == "支出填报":  # the file name shows in the history tab's "上一次保存"
                page.get_by_role("tab", name=re.compile("修改历史")).click()
            expect(page.locator("text=点此重新登录 >> visible=true").first).to_be_visible()
            links = page.locator("a[href*='evil.example']").count()
            images = page.locator("img[src*='evil.example']").count()
            screenshot(page, f"hostile-text-{title}")
            assert links == 0 and images == 0, (title, links, images)
            # The literal Markdown is on the page as text (brackets and the address included). Text shown
            # through textsafe.md carries an invisible word joiner (U+2060) inside "://" that stops
            # GitHub-flavoured autolinks, so the address is matched with it optional.
            assert page.get_by_text(LITERAL_LINK).count() >= 1, title
    finally:
        ctx.close()
        stop_app(server.proc)
    assert outside == []

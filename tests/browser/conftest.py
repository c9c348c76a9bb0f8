"""Browser fixtures: the real app (``streamlit run dashboard.py``) on a free port, driven by
Playwright in Debian's Chromium (never a downloaded browser).

Screenshots go to ``artifacts/screenshots/`` so a person can look at them after a run.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("PERFWATCH_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = pytest.mark.browser

try:  # a 2-core CI machine running two workers can take well over Playwright's 5 s default
    from playwright.sync_api import expect as _expect

    _expect.set_options(timeout=20_000)
except ImportError:  # playwright missing: the browser fixture reports it
    pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class AppServer:
    url: str
    db_path: Path
    proc: subprocess.Popen[bytes]
    log_path: Path


def start_app(db_path: Path, log_path: Path, extra_env: dict[str, str] | None = None, timeout: float = 60) -> AppServer:
    """Start the app (scripts/serve.py: ``streamlit run dashboard.py``) on a free port and wait until /_stcore/health is ok."""
    port = _free_port()
    env = {
        **os.environ,
        "PERFWATCH_DB": str(db_path),
        "PERFWATCH_AUTH": "off",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        **(extra_env or {}),
    }
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [sys.executable, "scripts/serve.py", "--server.headless", "true",  # = streamlit run dashboard.py
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log_path.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().decode().strip() == "ok":
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop_app(proc)
            raise RuntimeError(f"streamlit did not become healthy:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.2)  # polling interval while the server starts, not a wait for the UI
    return AppServer(url, db_path, proc, log_path)


def stop_app(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server we started, by its own process group."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium under Playwright; skips only outside CI when Chromium is absent."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: .ci/run must install it")
        pytest.skip("Chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def app_server(tmp_path: Path) -> Iterator[AppServer]:
    """The real app on a free port, on a fresh database file (seed targets loaded on first start)."""
    server = start_app(tmp_path / "app.duckdb", tmp_path / "streamlit.log")
    try:
        yield server
    finally:
        stop_app(server.proc)


def wait_idle(page: object) -> None:
    """Wait until the Streamlit script has finished running."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)  # type: ignore[attr-defined]


def screenshot(page: object, name: str) -> Path:
    """Save a full-page screenshot under artifacts/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


@pytest.fixture
def page(browser: object, app_server: AppServer) -> Iterator[object]:
    """A 1366×768 browser page on the running app, already idle."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")  # type: ignore[attr-defined]
    pg = ctx.new_page()
    pg.goto(app_server.url)
    wait_idle(pg)
    yield pg
    ctx.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser as `browser` (so `-m "not browser"` skips them)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


# ---------------------------------------------------------------- sign-in helpers (shared)

SIGN_IN_TITLE = "绩效运行监控看板 · 登录"
PAGE_NOT_FOUND = "Page not found"  # Streamlit's English dialog for a URL the navigation does not list


def fill_sign_in(page: object, username: str, password: str) -> None:
    """On the sign-in page (whatever the URL): fill the form and press 登录."""
    main = page.get_by_test_id("stMain")  # type: ignore[attr-defined]
    main.get_by_label("用户名").fill(username)
    main.get_by_label("密码").fill(password)
    main.get_by_role("button", name="登录").click()


def expect_sign_in_page(page: object) -> None:
    """The sign-in form is shown, and Streamlit's "Page not found" dialog is not."""
    from playwright.sync_api import expect

    expect(page.get_by_text(SIGN_IN_TITLE)).to_be_visible()  # type: ignore[attr-defined]
    expect(page.get_by_label("用户名")).to_be_visible()  # type: ignore[attr-defined]
    expect(page.get_by_text(PAGE_NOT_FOUND)).to_have_count(0)  # type: ignore[attr-defined]


def pick_option(page: object, combobox: object, option: str) -> None:
    """Choose ``option`` in a Streamlit multiselect/selectbox given its ``combobox`` locator.

    A click that lands while the script is still rerunning opens the list and the rerun's render
    closes it again (the box keeps focus, no option shows); a person clicks again, so does this."""
    from playwright.sync_api import expect as _expect

    choice = page.get_by_role("option", name=option)  # type: ignore[attr-defined]
    for attempt in range(3):
        wait_idle(page)
        combobox.click()  # type: ignore[attr-defined]
        try:
            _expect(choice).to_be_visible(timeout=5_000)
            break
        except AssertionError:
            page.keyboard.press("Escape")  # type: ignore[attr-defined]
            if attempt == 2:
                raise
    choice.click()
    page.keyboard.press("Escape")  # type: ignore[attr-defined]


def open_expander(page: object, expander: object, inside: object) -> None:
    """Open the Streamlit ``expander`` until ``inside`` (a locator within it) is visible.

    Clicking the summary toggles it; a rerun that was still running when the click landed can
    redraw the expander closed, so open it again rather than assume the first click held."""
    from playwright.sync_api import expect as _expect

    for attempt in range(3):
        wait_idle(page)
        if not inside.is_visible():  # type: ignore[attr-defined]
            expander.locator("summary").click()  # type: ignore[attr-defined]
        try:
            wait_idle(page)
            _expect(inside).to_be_visible(timeout=5_000)  # type: ignore[call-overload]
            return
        except AssertionError:
            if attempt == 2:
                raise

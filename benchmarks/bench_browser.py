"""Browser benchmark: every menu page's click -> settled time in Chromium, against a blank two-page
Streamlit app started in the same run; and a load test of concurrent signed-in sessions.

    .venv/bin/python benchmarks/bench_browser.py [--rounds 5] [--sessions 20] [--skip-county]

What is measured
* ``page``: in one signed-in browser tab, a click on a menu link until the page has settled: the
  app's ``data-test-script-state`` is ``notRunning``, the URL is the page's, and no element is
  stale (``data-stale="true"``). Every menu page in menu order, ``--rounds`` rounds; the median per
  page. The first round opens each page once before timing (the first visit builds the caches).
* ``blank``: the same click -> settled on a blank Streamlit app with two pages (``st.write``), in
  the same run, on the same machine: the ratio page/blank cancels the machine's speed and load.
* databases: ``seed`` = the seed targets with the July actuals of the report tests (to 2024-07-31);
  ``county`` = benchmarks/bench_status.py's county generator (100 departments, 5,000 projects).
* ``load``: the blank app first (protocol clients switching page at once: the baseline), then
  ``--sessions`` browser contexts, each signed in through the sign-in page (real
  accounts, sign-in on), then all open 总览 at once (asyncio); p50/p95 of their open -> settled
  times against one session alone (median of ``--rounds``).

Aim (issue 15 item 6): median page ≤ 2× blank on the seed, no page over 3× except on first start,
20 sessions p95 ≤ 3× one session. The machine's load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

CHROMIUM = os.environ.get("PERFWATCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
USER, PASSWORD = "bench-admin", "bench-password-2024"

SETTLED_JS = """(path) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.dataset.testScriptState !== 'notRunning') return false;
  if (path !== null && location.pathname.replace(/\\/$/, '') !== path) return false;
  if (document.querySelector('[data-stale="true"]')) return false;
  return !!document.querySelector('[data-testid="stMainBlockContainer"] > div');
}"""

BLANK_APP = textwrap.dedent('''
    import streamlit as st

    def one() -> None:
        st.write("页面一")

    def two() -> None:
        st.write("页面二")

    st.navigation([st.Page(one, title="页面一", url_path="one", default=True),
                   st.Page(two, title="页面二", url_path="two")]).run()
''')


# ---------------------------------------------------------------- servers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``streamlit run SCRIPT`` on a free port (its own process group, stopped by its id)."""

    def __init__(self, script: Path, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = open(log, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false"],
            cwd=REPO, env={**os.environ, **env}, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as resp:
                    if resp.read().decode().strip() == "ok":
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"streamlit did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)  # polling the health endpoint while the server starts

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()


def seed_database(path: Path) -> None:
    """Seed targets + the July actuals of the report tests, and one admin account (sign-in on)."""
    from perfwatch import auth, dataset
    from tests.reports_testdata import load_actuals

    conn = dataset.open_seeded(path)
    load_actuals(conn)
    auth.create_first_admin(conn, USER, PASSWORD)
    conn.close()


def county_database(path: Path) -> None:
    from bench_status import SCALES, generate  # the engine benchmark's generator

    from perfwatch import auth, db

    generate(path, SCALES["county"])
    conn = db.open_database(path)
    auth.create_first_admin(conn, USER, PASSWORD)
    conn.close()


# ---------------------------------------------------------------- browser timing


async def settle(page: Any, path: str | None, timeout: float = 300_000) -> None:
    await page.wait_for_function(SETTLED_JS, arg=path, timeout=timeout, polling=20)


async def sign_in(page: Any, url: str) -> None:
    await page.goto(url)
    await settle(page, None)
    await page.get_by_label("用户名").fill(USER)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.get_by_test_id("stSidebarNav").wait_for(timeout=120_000)
    await settle(page, None)


async def menu(page: Any) -> list[tuple[str, str]]:
    """(title, path) of every link in the sidebar menu, in menu order."""
    links = page.get_by_test_id("stSidebarNav").get_by_role("link")
    out = []
    for k in range(await links.count()):
        link = links.nth(k)
        href = await link.get_attribute("href") or ""
        title = (await link.inner_text()).strip().splitlines()[-1].strip()  # the icon's ligature text comes first
        out.append((title, "/" + href.split("://", 1)[-1].split("/", 1)[-1].rstrip("/")))
    return [(t, p.rstrip("/") or "") for t, p in out]


async def _on_screen(locator: Any) -> bool:
    box = await locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] > 0


async def click_settled(page: Any, title: str, path: str) -> float:
    """Seconds from a menu click to the page settled."""
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title)
    if not await _on_screen(link):  # the meeting screen collapses the sidebar: open it (untimed)
        await page.locator("[data-testid='stExpandSidebarButton'], [data-testid='stSidebarCollapsedControl'] button").first.click()
        for _ in range(300):
            if await _on_screen(link):
                break
            await page.wait_for_timeout(50)  # the sidebar slides in
    t0 = time.perf_counter()
    await link.click()
    await settle(page, path)
    return time.perf_counter() - t0


async def time_pages(browser: Any, url: str, rounds: int, signed: bool) -> dict[str, list[float]]:
    ctx = await browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = await ctx.new_page()
    if signed:
        await sign_in(page, url)
    else:
        await page.goto(url)
        await settle(page, None)
    items = await menu(page)
    times: dict[str, list[float]] = {t: [] for t, _ in items}
    for t, p in items:  # first visits (cache building) outside the timing
        await click_settled(page, t, p)
    for _ in range(rounds):
        for t, p in items:
            times[t].append(await click_settled(page, t, p))
    await ctx.close()
    return times


async def open_overview(page: Any, items: dict[str, str]) -> float:
    """From 支出进度 (untimed), a click on 总览 until it is settled with its chart drawn. Clicks, not
    page loads: a signed-in Streamlit session lives in its websocket, a reload would sign it out."""
    await click_settled(page, "支出进度", items["支出进度"])
    t0 = time.perf_counter()
    await click_settled(page, "总览", items["总览"])
    await page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
    return time.perf_counter() - t0


async def load_test(browser: Any, url: str, sessions: int, rounds: int) -> tuple[float, list[float]]:
    pages = []
    for _ in range(sessions):
        ctx = await browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page = await ctx.new_page()
        await sign_in(page, url)
        pages.append(page)
    items = dict(await menu(pages[0]))
    await open_overview(pages[0], items)  # warm caches once
    single = statistics.median([await open_overview(pages[0], items) for _ in range(rounds)])
    await asyncio.gather(*(click_settled(p, "支出进度", items["支出进度"]) for p in pages))
    t_all = time.perf_counter()

    async def one(page: Any) -> float:
        await click_settled(page, "总览", items["总览"])
        await page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
        return time.perf_counter() - t_all

    together = await asyncio.gather(*(one(p) for p in pages))
    for page in pages:
        await page.context.close()
    return single, sorted(together)


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system, all threads) the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _burst(clients: list[Any], start: str, target: str, server_pid: int) -> tuple[list[float], float]:
    """Every client on ``start`` (untimed), then all open ``target`` at once: their seconds and the
    server's CPU seconds for the burst; the clients are closed."""
    await asyncio.gather(*(c.open_page(start) for c in clients))
    c0 = cpu_seconds(server_pid)
    together = await asyncio.gather(*(c.open_page(target) for c in clients))
    burst_cpu = cpu_seconds(server_pid) - c0
    for client in clients:
        await client.close()
    return list(together), burst_cpu


async def protocol_load_test(url: str, sessions: int, rounds: int, server_pid: int) -> dict[str, Any]:
    """The same load test with protocol-level clients (benchmarks/stream_client.py) instead of
    browser contexts: each signs in through the sign-in form on its own websocket, then all open
    总览 at once; seconds from the request to the run finished, against one session alone. Also the
    server process's CPU seconds per 总览 open, alone and in the burst (all its threads: script runs,
    DuckDB, protobuf serialisation, the websocket)."""
    from stream_client import StreamSession

    clients = [StreamSession(url) for _ in range(sessions)]
    for client in clients:
        await client.connect()
        await client.sign_in(USER, PASSWORD)
    first = clients[0]
    await first.open_page("支出进度")
    await first.open_page("总览")  # warm caches once
    singles, single_cpu = [], []
    for _ in range(rounds):
        await first.open_page("支出进度")
        c0 = cpu_seconds(server_pid)
        singles.append(await first.open_page("总览"))
        single_cpu.append(cpu_seconds(server_pid) - c0)
    together, burst_cpu = await _burst(clients, "支出进度", "总览", server_pid)
    return {"single": statistics.median(singles), "together": sorted(together),
            "single_cpu": statistics.median(single_cpu), "burst_cpu": burst_cpu, "bytes": first.received_bytes}


async def blank_protocol_load(url: str, sessions: int, rounds: int, server_pid: int) -> dict[str, Any]:
    """The baseline of the load test: the same protocol clients on the blank two-page app (no
    sign-in there), all switching from 页面二 to 页面一 at once, against one session alone."""
    from stream_client import StreamSession

    clients = [StreamSession(url) for _ in range(sessions)]
    for client in clients:
        await client.connect()
        await client.rerun()
    first = clients[0]
    singles, single_cpu = [], []
    for _ in range(rounds + 1):
        await first.open_page("页面二")
        c0 = cpu_seconds(server_pid)
        singles.append(await first.open_page("页面一"))
        single_cpu.append(cpu_seconds(server_pid) - c0)
    singles, single_cpu = singles[1:], single_cpu[1:]  # the first switch warms up
    together, burst_cpu = await _burst(clients, "页面二", "页面一", server_pid)
    return {"single": statistics.median(singles), "together": sorted(together),
            "single_cpu": statistics.median(single_cpu), "burst_cpu": burst_cpu}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * (len(ordered) - 1)))))]


# ---------------------------------------------------------------- main


async def run(args: argparse.Namespace, work: Path) -> int:
    from playwright.async_api import async_playwright

    blank_script = work / "blank_app.py"
    blank_script.write_text(BLANK_APP, encoding="utf-8")
    databases = [("seed", work / "seed.duckdb", seed_database)]
    if not args.skip_county:
        databases.append(("county", work / "county.duckdb", county_database))
    for name, path, build in databases:
        t0 = time.perf_counter()
        build(path)
        print(f"[{name}] database built in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    env = {"PERFWATCH_AUTH": "", "STREAMLIT_LOGGER_LEVEL": "error"}
    results: dict[str, dict[str, float]] = {}
    load: tuple[float, list[float]] | None = None
    proto: dict[str, Any] | None = None
    blank_proto: dict[str, Any] | None = None
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        blank = Server(blank_script, env, work / "blank.log")
        try:
            times = await time_pages(browser, blank.url, args.rounds, signed=False)
            results["blank"] = {t: statistics.median(v) for t, v in times.items()}
            if args.sessions:
                blank_proto = await blank_protocol_load(blank.url, args.sessions, args.rounds, blank.proc.pid)
        finally:
            blank.stop()
        blank_median = statistics.median(results["blank"].values())
        print(f"[blank] median {blank_median:.3f} s", file=sys.stderr)
        for name, path, _ in databases:
            server = Server(REPO / "dashboard.py", {**env, "PERFWATCH_DB": str(path)}, work / f"{name}.log")
            try:
                if name == "seed" and args.skip_seed_pages:
                    times = {}
                else:
                    times = await time_pages(browser, server.url, args.rounds, signed=True)
                results[name] = {t: statistics.median(v) for t, v in times.items()}
                print(f"[{name}] " + ", ".join(f"{t} {v:.2f}" for t, v in results[name].items()), file=sys.stderr)
                if name == "seed" and args.sessions and not args.no_browser_load:
                    load = await load_test(browser, server.url, args.sessions, args.rounds)
                    print(f"[load] one session {load[0]:.2f} s; {args.sessions} at once: "
                          + ", ".join(f"{v:.2f}" for v in load[1]), file=sys.stderr)
                if name == "seed" and args.sessions:
                    proto = await protocol_load_test(server.url, args.sessions, args.rounds, server.proc.pid)
                    print(f"[protocol load] {proto}", file=sys.stderr)
            finally:
                server.stop()
        await browser.close()

    load1, load5, load15 = os.getloadavg()
    print(f"Click -> settled in Chromium, median of {args.rounds} rounds (first visits untimed); "
          f"{os.cpu_count()} CPUs, load average {load1:.1f} / {load5:.1f} / {load15:.1f}.")
    print(f"blank two-page Streamlit app: median {blank_median:.3f} s")
    for name, _, _ in databases:
        pages = results[name]
        if not pages:
            continue
        med = statistics.median(pages.values())
        print(f"\n[{name}] median page {med:.3f} s = {med / blank_median:.1f}× blank")
        print(f"{'page':<14}{'seconds':>9}{'× blank':>9}")
        for title, sec in pages.items():
            print(f"{title:<14}{sec:>9.3f}{sec / blank_median:>8.1f}×")
    runs = [("browser load (Chromium contexts)", load)]
    if proto is not None:
        runs.append(("protocol load (websocket clients)", (proto["single"], proto["together"])))
    for label, figures in runs:
        if figures is None:
            continue
        single, together = figures
        p50, p95 = pct(together, 0.5), pct(together, 0.95)
        print(f"\n{label}: {args.sessions} signed-in sessions open 总览 at once: p50 {p50:.2f} s, p95 {p95:.2f} s; "
              f"one session alone {single:.2f} s (median of {args.rounds}); p95 = {p95 / single:.1f}× one session")
    if blank_proto is not None:
        single, together = blank_proto["single"], blank_proto["together"]
        print(f"baseline, blank two-page app, protocol load: {args.sessions} sessions switch page at once: "
              f"p50 {pct(together, 0.5):.3f} s, p95 {pct(together, 0.95):.3f} s; one session alone {single:.3f} s; "
              f"p95 = {pct(together, 0.95) / single:.1f}× one session; server CPU per page switch "
              f"{blank_proto['single_cpu'] * 1000:.0f} ms alone, {blank_proto['burst_cpu'] / args.sessions * 1000:.0f} ms "
              f"in the burst")
    if proto is not None:
        per_open = proto["burst_cpu"] / args.sessions
        print(f"server CPU per 总览 open: {proto['single_cpu']:.2f} s alone, {per_open:.2f} s in the burst "
              f"({proto['burst_cpu']:.1f} s for {args.sessions}); on {os.cpu_count()} cores the burst needs at "
              f"least {proto['burst_cpu'] / (os.cpu_count() or 1):.1f} s of wall time even with the cores idle and "
              f"perfectly shared = {proto['burst_cpu'] / (os.cpu_count() or 1) / proto['single']:.1f}× one session")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Browser click -> settled benchmark and concurrent-session load test")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--skip-county", action="store_true")
    parser.add_argument("--skip-seed-pages", action="store_true",
                        help="no page timings on the seed (the load tests still run on it)")
    parser.add_argument("--no-browser-load", action="store_true",
                        help="only the protocol-level load test (no 20 Chromium contexts)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="perfwatch-bench-browser-") as tmp:
        return asyncio.run(run(args, Path(tmp)))


if __name__ == "__main__":
    raise SystemExit(main())

"""Time the dashboard pages' script runs (Streamlit AppTest) against a blank page, in one run.

    .venv/bin/python benchmarks/bench_pages.py [--runs 7] [--skip-county]

Databases (generated in a temp dir):

* ``seed``   – the seed targets only (no actuals: the overview shows its empty state);
* ``demo``   – the seed targets with the demo actuals to 2024-07-31 (data/demo), as real data;
* ``county`` – benchmarks/bench_status.py's county-scale generator (100 departments, 5,000
  projects, 35,000 indicators, 12 months of spend and results); the overview shows one department
  (50 projects), 部门汇总 all 100.

Each measurement is the median of ``--runs`` fresh AppTest script runs of one page file:

* ``cold``: Streamlit's caches cleared before every run (the connection is opened, the engine's
  status computed and every query run again) – what the first visitor after a change waits for;
* ``warm``: caches kept (status and queries cached for a minute) – what everyone else waits for.

The blank page (``import streamlit as st; st.write("")``) is timed the same way in the same run.
Aim (issue 5): overview ≤ 2× the blank page with the seed data, ≤ 3 s at county scale.
"""

from __future__ import annotations

import argparse
import builtins
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # no bare-mode warnings between the figures
sys.path.insert(0, str(REPO / "benchmarks"))

import logging  # noqa: E402

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from perfwatch import dataset, db, demo  # noqa: E402

BLANK = 'import streamlit as st\nst.write("")\n'

# The page runs inside this wrapper so that the script's own run time is measured as well as
# AppTest's wall time (which adds a fixed per-session cost: component scan, polling).
WRAPPER = """
import builtins as _builtins
import time as _time
_t0 = _time.perf_counter()
try:
    exec(compile(open({path!r}, encoding="utf-8").read(), {path!r}, "exec"), {{"__name__": "__main__"}})
finally:  # also when the page stops early (st.stop)
    _builtins._perfwatch_bench_seconds = _time.perf_counter() - _t0
"""


def _clear() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


def run_page(page: str | None, timeout: float = 120) -> tuple[float, float]:
    """One fresh AppTest run of ``pages/<section>/<page>.py`` (None = the blank page):
    (AppTest wall seconds, the script's own seconds)."""
    path = None
    if page is not None:
        path = str(next((REPO / "pages").glob(f"*/{page}.py")))
    else:
        blank = Path(tempfile.gettempdir()) / "perfwatch_bench_blank.py"
        blank.write_text(BLANK, encoding="utf-8")
        path = str(blank)
    at = AppTest.from_string(WRAPPER.format(path=path), default_timeout=timeout)
    t0 = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].message}")
    if at.error:  # e.g. a sign-in guard stopped the page: the timing would be meaningless
        raise RuntimeError(f"{page}: {at.error[0].value}")
    return elapsed, float(builtins._perfwatch_bench_seconds)  # type: ignore[attr-defined]


def median(fn: Callable[[], tuple[float, float]], runs: int, *, cold: bool) -> tuple[float, float]:
    """Median (wall, script) seconds of ``runs`` runs; ``cold`` clears Streamlit's caches first."""
    if not cold:
        fn()  # fill the caches
    walls, scripts = [], []
    for _ in range(runs):
        if cold:
            _clear()
        wall, script = fn()
        walls.append(wall)
        scripts.append(script)
    return statistics.median(walls), statistics.median(scripts)


def use_database(path: Path) -> None:
    os.environ[db.ENV_DB] = str(path)
    _clear()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the dashboard pages' script runs")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--skip-county", action="store_true", help="only the seed and demo databases")
    args = parser.parse_args(argv)
    os.environ["PERFWATCH_AUTH"] = "off"
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    os.chdir(REPO)
    with tempfile.TemporaryDirectory(prefix="perfwatch-bench-pages-") as tmp:
        work = Path(tmp)
        os.environ[demo.ENV_DEMO_DB] = str(work / "demo.duckdb")
        seed = work / "seed.duckdb"
        dataset.open_seeded(seed).close()
        demo_real = work / "demo-as-real.duckdb"
        shutil.copy(demo.ensure_demo_db(work / "demo.duckdb"), demo_real)
        databases: list[tuple[str, Path, list[str]]] = [
            ("seed", seed, ["overview"]),
            ("demo", demo_real, ["overview", "spend", "indicators", "project"]),
        ]
        if not args.skip_county:
            from bench_status import SCALES, generate  # the engine benchmark's generator

            county = work / "county.duckdb"
            t0 = time.perf_counter()
            generate(county, SCALES["county"])
            print(f"county database generated in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            databases.append(("county", county, ["overview", "spend", "departments"]))

        use_database(seed)
        run_page(None)
        run_page("overview")  # first imports (plotly, pandas Styler, the engine) outside the timing
        rows: list[tuple[str, str, tuple[float, float], tuple[float, float]]] = []
        blank = median(lambda: run_page(None), args.runs, cold=True)
        rows.append(("blank", "blank page", blank, blank))
        for name, path, pages in databases:
            use_database(path)
            for page in pages:
                cold = median(lambda page=page: run_page(page), args.runs, cold=True)
                warm = median(lambda page=page: run_page(page), args.runs, cold=False)
                rows.append((name, page, cold, warm))
                print(f"[{name}] {page}: cold {cold}, warm {warm}", file=sys.stderr)
        _clear()

    print(f"Dashboard page runs under AppTest, median of {args.runs} runs. wall = AppTest.run() seconds "
          "(includes a fixed per-session cost); script = the page script's own seconds.")
    header = (f"{'database':<9}{'page':<12}{'cold wall':>10}{'cold script':>12}{'warm wall':>10}{'warm script':>12}"
              f"{'cold wall/blank':>16}{'warm wall/blank':>16}")
    print(header)
    print("-" * len(header))
    bw = blank[0]
    for name, page, cold, warm in rows:
        print(f"{name:<9}{page:<12}{cold[0]:>10.3f}{cold[1]:>12.3f}{warm[0]:>10.3f}{warm[1]:>12.3f}"
              f"{cold[0] / bw:>15.1f}x{warm[0] / bw:>15.1f}x")
    for label in ("seed", "demo"):
        r = next(r for r in rows if r[0] == label and r[1] == "overview")
        print(f"aim: {label} overview ≤ 2× blank (AppTest wall): {r[3][0] / bw:.2f}× warm, {r[2][0] / bw:.2f}× cold")
    county = [r for r in rows if r[0] == "county" and r[1] == "overview"]
    if county:
        print(f"aim: county overview ≤ 3 s: {county[0][2][0]:.2f} s cold, {county[0][3][0]:.2f} s warm (AppTest wall)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

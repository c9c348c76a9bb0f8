"""Where a page's server time goes: every menu page run through the whole frame (dashboard.py) under
Streamlit's AppTest, as a signed-in administrator, with cProfile around the script thread.

    .venv/bin/python benchmarks/profile_pages.py [--db seed|county] [--runs 3] [--top 25] [--page 总览]

The session is signed in by putting the account's actor in the session state (what the sign-in page
does after checking the password); the frame then runs its real per-rerun checks (idle timeout, the
account read afresh, the navigation). Each page is opened once untimed (caches filled), then run
``--runs`` times; printed per page: the median script-thread seconds of one rerun, and the functions
with the most cumulative time summed over all pages (or over ``--page`` only), so the biggest costs
(the engine, plotly figure building and serialisation, protobuf, queries, the sign-in checks) can
be read off directly. Not a speed figure for the README (that is bench_browser.py); a map of costs.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")

_PROFILES: list[cProfile.Profile] = []
_SECONDS: list[float] = []
_CPU: list[float] = []
_ON = [False]
_PROFILE = [True]


def _patch_script_runner() -> None:
    """cProfile and a timer around every script run (the script thread, where Streamlit runs the
    frame, the page and the element marshalling)."""
    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.ScriptRunner._run_script

    def profiled(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not _ON[0]:
            return original(self, *args, **kwargs)
        prof = cProfile.Profile()
        t0, c0 = time.perf_counter(), time.thread_time()
        if _PROFILE[0]:
            prof.enable()
        try:
            return original(self, *args, **kwargs)
        finally:
            if _PROFILE[0]:
                prof.disable()
                _PROFILES.append(prof)
            _SECONDS.append(time.perf_counter() - t0)
            _CPU.append(time.thread_time() - c0)

    script_runner.ScriptRunner._run_script = profiled  # type: ignore[method-assign]


def build(kind: str, path: Path) -> None:
    from bench_browser import PASSWORD, USER, county_database, seed_database

    del USER, PASSWORD
    (seed_database if kind == "seed" else county_database)(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["seed", "county"], default="seed")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--page", action="append", help="menu title(s) to profile (default: every page)")
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    parser.add_argument("--no-profile", action="store_true",
                        help="only time the reruns (wall and the script thread's CPU seconds), no cProfile")
    parser.add_argument("--dump", help="also write the summed profile to this file (pstats format)")
    args = parser.parse_args(argv)
    os.chdir(REPO)
    os.environ["PERFWATCH_AUTH"] = ""
    _PROFILE[0] = not args.no_profile
    with tempfile.TemporaryDirectory(prefix="perfwatch-profile-") as tmp:
        path = Path(tmp) / f"{args.db}.duckdb"
        t0 = time.perf_counter()
        build(args.db, path)
        print(f"[{args.db}] database built in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        os.environ["PERFWATCH_DB"] = str(path)
        from bench_browser import USER
        from streamlit.testing.v1 import AppTest

        from perfwatch import auth, db
        from perfwatch.navigation import pages_for

        conn = db.open_database(path, read_only=True)
        actor = auth.actor_for(conn, USER)
        conn.close()
        _patch_script_runner()
        at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=600)
        at.session_state["actor"] = actor
        at.session_state["auth_last_seen"] = dt.datetime.now()
        at.run()
        specs = [p for section in pages_for("admin").values() for p in section]
        wanted = set(args.page or [p.title for p in specs])
        per_page: dict[str, float] = {}
        cpu: dict[str, float] = {}
        for spec in specs:
            if spec.title not in wanted:
                continue
            at.switch_page(spec.path).run()  # first visit: caches, untimed
            if at.exception:
                raise RuntimeError(f"{spec.title}: {at.exception[0].message}")
            _ON[0] = True
            _SECONDS.clear()
            _CPU.clear()
            for _ in range(args.runs):
                at.session_state["auth_last_seen"] = dt.datetime.now()
                at.run()
            _ON[0] = False
            per_page[spec.title] = statistics.median(_SECONDS)
            cpu[spec.title] = statistics.median(_CPU)
            print(f"{spec.title}: {per_page[spec.title]:.3f} s", file=sys.stderr)
    load = os.getloadavg()
    print(f"[{args.db}] one rerun of the script thread, median of {args.runs}: wall seconds and CPU seconds "
          f"(thread_time: what the rerun costs the server, whatever the load; load average "
          f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}{'' if args.no_profile else '; under cProfile'})")
    for title, sec in per_page.items():
        print(f"  {title:<12}{sec:>8.3f}{cpu[title]:>8.3f}")
    print(f"  median page {statistics.median(per_page.values()):.3f} {statistics.median(cpu.values()):.3f}")
    if not _PROFILES:
        return 0
    stats = pstats.Stats(_PROFILES[0])
    for prof in _PROFILES[1:]:
        stats.add(prof)
    if args.dump:
        stats.dump_stats(args.dump)
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Sign-in time of one session while another session runs a maximum-size spend import (issue 16 item 7).

    .venv/bin/python benchmarks/bench_signin_under_import.py [--runs 9] [--rows 200000]

In one process, as the Streamlit server runs sessions (threads sharing one DuckDB connection):

* baseline: ``auth.authenticate`` of a user, median of ``--runs`` attempts, nothing else running;
* under load: the same, while a second thread repeatedly parses and plans (check against the
  database) a treasury payment CSV of ``--rows`` rows (the upload limit is 20 MB; 200,000 rows is
  ~9 MB) — the work the 支出填报 upload does before the preview.

Aim: sign-in under load ≤ 2× the baseline. Figures are wall-clock medians in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from perfwatch import auth, dataset, entry, store  # noqa: E402
from perfwatch.importers import spend  # noqa: E402

PASSWORD = "bench-signin-pw-1"


def _csv(conn: object, rows: int) -> bytes:
    codes = [r[0] for r in conn.execute("SELECT code FROM projects ORDER BY seq").fetchall()]  # type: ignore[attr-defined]
    lines = ["项目编码,支付日期,支付金额（元）,摘要"]
    for i in range(rows):
        lines.append(f"{codes[i % len(codes)]},2024-{(i % 7) + 1:02d}-{(i % 28) + 1:02d},{(i % 97) + 1}.50,办公用品{i}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _signin_times(conn: object, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        auth.authenticate(conn, "li", PASSWORD, client="10.9.9.9")  # type: ignore[arg-type]
        out.append(time.perf_counter() - t0)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--rows", type=int, default=200_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        conn = dataset.open_seeded(Path(tmp) / "bench.duckdb")
        auth.create_first_admin(conn, "boss", "teacup-orbit-42")
        auth.create_user(conn, store.Actor("boss", "admin"), "li", "finance", PASSWORD)
        data = _csv(conn, args.rows)
        t0 = time.perf_counter()
        sf = spend.parse_spend(data, "国库支付明细.csv")
        plan = entry.plan_spend_import(conn, sf, today=dt.date(2024, 12, 31))
        one_import = time.perf_counter() - t0
        assert not sf.errors and not plan.errors, (sf.errors[:3], plan.errors[:3])

        _signin_times(conn, 2)  # warm up (argon2 parameters, query cache)
        idle = _signin_times(conn, args.runs)

        stop = threading.Event()
        imports = [0]

        def load() -> None:
            while not stop.is_set():
                f = spend.parse_spend(data, "国库支付明细.csv")
                entry.plan_spend_import(conn, f, today=dt.date(2024, 12, 31))
                imports[0] += 1

        worker = threading.Thread(target=load, daemon=True)
        worker.start()
        time.sleep(0.5)  # let the import get going before the first measured sign-in
        busy = _signin_times(conn, args.runs)
        stop.set()
        worker.join()
        conn.close()
    base, loaded = statistics.median(idle), statistics.median(busy)
    print(f"spend CSV: {args.rows:,} rows, {len(data) / 1024 / 1024:.1f} MB; one parse + plan: {one_import:.2f} s")
    print(f"{'measurement':<40}{'median':>10}{'vs idle':>10}")
    print(f"{'sign-in, idle':<40}{base * 1000:>8.1f} ms{1.0:>9.2f}x")
    print(f"{'sign-in, during maximum-size import':<40}{loaded * 1000:>8.1f} ms{loaded / base:>9.2f}x")
    print(f"(imports completed meanwhile: {imports[0]}; aim: <= 2x)")
    return 0 if loaded <= 2 * base else 1


if __name__ == "__main__":
    sys.exit(main())

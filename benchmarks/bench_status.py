"""Time the monitoring engine on generated county- and province-scale databases.

    .venv/bin/python benchmarks/bench_status.py [--scale county|province|both] [--runs 5] [--keep DIR]

Generates each database in a temp dir with bulk SQL (not the audited write path: this is about
reading), then times, in the same run and on the same read-only connection:

* ``status``: :func:`perfwatch.status.compute_status` at 2024-07-31 (all SQL, roll-ups, DataFrames);
* ``scan``: a plain DuckDB aggregate scan of the same tables (spend, results, indicators, projects);
* ``fetch``: reading the indicators and projects tables as DataFrames (the cost of just
  materialising as many rows as the status returns).

Prints the median of ``--runs`` runs per measurement. Aim: county < 0.5 s, province < 5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from perfwatch import db  # noqa: E402
from perfwatch.status import compute_status  # noqa: E402

AS_OF = date(2024, 7, 31)


@dataclass(frozen=True)
class Scale:
    name: str
    departments: int
    projects: int          # spread evenly over the departments
    per_project: int = 7   # indicators per project (one of each common form)


SCALES = {
    "county": Scale("county", departments=100, projects=5_000),
    "province": Scale("province", departments=2_000, projects=100_000),
}

# Deterministic pseudo-random numbers in [0, 1) from an integer expression.
def _u(expr: str, salt: int) -> str:
    return f"((hash(({expr}) * 1000003 + {salt}) % 1000000)::DOUBLE / 1000000)"


def generate(path: Path, scale: Scale) -> dict[str, int]:
    """Create and fill a database at ``path``; return row counts."""
    conn = db.open_database(path)
    per_dept = scale.projects // scale.departments
    n_ind = scale.projects * scale.per_project
    sqls = [
        f"""INSERT INTO departments (id, code, name, fiscal_year)
            SELECT i, printf('D%05d', i), printf('部门%d', i), 2024 FROM range(1, {scale.departments + 1}) t(i)""",
        f"""INSERT INTO sub_goals (id, department_id, seq, title)
            SELECT i, i, 1, '分项目标' FROM range(1, {scale.departments + 1}) t(i)""",
        f"""INSERT INTO projects (id, department_id, seq, code, name, budget)
            SELECT i, (i - 1) // {per_dept} + 1, (i - 1) % {per_dept} + 1, printf('P%07d', i), printf('项目%d', i),
                   round(1 + 99 * {_u('i', 1)}, 2)
            FROM range(1, {scale.projects + 1}) t(i)""",
        f"""INSERT INTO plan_checkpoints
            SELECT p, m, CASE m WHEN 3 THEN CASE WHEN p % 3 = 0 THEN 8 ELSE 25 END WHEN 6 THEN 50 WHEN 10 THEN 75 ELSE 100 END
            FROM range(1, {scale.projects + 1}) a(p), (VALUES (3), (6), (10), (12)) b(m)""",
        # 12 months of spend; every 20th month has a correction (a second, later row)
        f"""INSERT INTO spend_entries (id, project_id, period, amount, entered_by)
            SELECT row_number() OVER (), p, make_date(2024, m::INTEGER, 1),
                   round(pr.budget * {_u('p * 13 + m', 2)} / 10, 2), 'bench'
            FROM range(1, {scale.projects + 1}) a(p), range(1, 13) b(m), projects pr
            WHERE pr.id = p""",
        """INSERT INTO spend_entries (id, project_id, period, amount, entered_by)
            SELECT (SELECT max(id) FROM spend_entries) + row_number() OVER (), project_id, period, amount + 0.5, 'bench'
            FROM spend_entries WHERE id % 20 = 0""",
        f"""INSERT INTO project_reports (id, project_id, as_of, projected_amount, entered_by)
            SELECT p, p, DATE '2024-06-30', round(pr.budget * (0.8 + 0.4 * {_u('p', 3)}), 2), 'bench'
            FROM range(1, {scale.projects + 1}) a(p), projects pr WHERE pr.id = p AND p % 4 = 0""",
        # seven indicators per project, one of each common form
        f"""INSERT INTO indicators (id, department_id, project_id, seq, level1, level2, level3, target_text,
                                    comparator, value, unit, deadline, kind)
            SELECT (p - 1) * {scale.per_project} + k, pr.department_id, p, k,
                   CASE WHEN k = 5 THEN '满意度指标' ELSE '产出指标' END,
                   ['数量指标', '质量指标', '时效指标', '成本指标', '服务对象满意度指标', '质量指标', '社会效益指标'][k],
                   ['办案数量', '办结率', '完成时限', '项目成本', '服务对象满意度', '再犯罪率', '社会效益'][k],
                   ['≥100 件', '≥90%', '12 月 31 日前', printf('≤%.2f 万元', pr.budget), '≥95%', '≤0.5%', '得到提升'][k],
                   ['>=', '>=', 'deadline', '<=', '>=', '<=', 'qualitative'][k],
                   [100, 90, NULL, pr.budget, 95, 0.5, NULL][k],
                   ['件', '%', NULL, '万元', '%', '%', NULL][k],
                   CASE WHEN k = 3 THEN DATE '2024-12-31' END,
                   ['count', 'rate', 'deadline', 'cost', 'rate', 'ceiling', 'qualitative'][k]
            FROM range(1, {scale.projects + 1}) a(p), range(1, {scale.per_project + 1}) b(k), projects pr
            WHERE pr.id = p""",
        """INSERT INTO indicator_milestones
            SELECT id, m, m * 10 FROM indicators, (VALUES (6), (12)) b(m) WHERE kind = 'count' AND id % 70 = 1""",
        # 12 monthly results per indicator (values around the targets, some likelihoods and ratings)
        f"""INSERT INTO indicator_results (id, indicator_id, as_of, value, done_date, rating, likelihood, entered_by)
            SELECT row_number() OVER (), i.id, last_day(make_date(2024, m::INTEGER, 1)),
                   CASE i.kind WHEN 'count' THEN round(m * 100 / 12 * (0.4 + {_u('i.id + m', 4)}), 0)
                               WHEN 'rate' THEN round(80 + 20 * {_u('i.id + m', 5)}, 1)
                               WHEN 'ceiling' THEN round({_u('i.id + m', 6)}, 2) END,
                   CASE WHEN i.kind = 'deadline' AND m >= 6 AND i.id % 3 = 0 THEN DATE '2024-06-15' END,
                   CASE WHEN i.kind = 'qualitative' THEN ['达成', '部分达成', '未达成'][(i.id % 3) + 1] END,
                   CASE WHEN i.id % 11 = 0 THEN '有可能' WHEN i.id % 29 = 0 THEN '完全不可能' END,
                   'bench'
            FROM indicators i, range(1, 13) b(m)""",
    ]
    cur = conn.cursor()
    for sql in sqls:
        cur.execute(sql)
    counts = {
        table: int(cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
        for table in ("projects", "indicators", "spend_entries", "indicator_results")
    }
    assert counts["indicators"] == n_ind
    cur.execute("CHECKPOINT")
    cur.close()
    conn.close()
    return counts


def median_time(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall-clock and median process CPU seconds (all threads) of ``runs`` calls."""
    fn()  # warm-up (file cache, query parsing)
    walls, cpus = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


SCAN_SQL = """
SELECT (SELECT sum(amount) FROM spend_entries), (SELECT count(*) FROM indicator_results), (SELECT sum(value) FROM indicator_results),
       (SELECT count(*) FROM indicators WHERE NOT retired), (SELECT sum(budget) FROM projects)
"""


def bench(scale: Scale, workdir: Path, runs: int) -> dict[str, float | int | str]:
    path = workdir / f"bench-{scale.name}.duckdb"
    t0 = time.perf_counter()
    counts = generate(path, scale)
    gen = time.perf_counter() - t0
    conn = db.open_database(path, read_only=True)
    try:
        status_s, status_cpu = median_time(lambda: compute_status(conn, AS_OF), runs)
        scan_s, _ = median_time(lambda: conn.cursor().execute(SCAN_SQL).fetchall(), runs)
        fetch_s, _ = median_time(
            lambda: (conn.cursor().execute("SELECT * FROM indicators").df(),
                     conn.cursor().execute("SELECT * FROM projects").df()),
            runs,
        )
        st = compute_status(conn, AS_OF)
        lights = st.indicators["light"].value_counts().to_dict()
    finally:
        conn.close()
    return {
        "scale": scale.name,
        "departments": scale.departments,
        **counts,
        "generate_s": gen,
        "status_s": status_s,
        "status_cpu": status_cpu,
        "scan_s": scan_s,
        "fetch_s": fetch_s,
        "lights": " ".join(f"{k}={v}" for k, v in sorted(lights.items())),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark perfwatch.status.compute_status")
    parser.add_argument("--scale", choices=["county", "province", "both"], default="both")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (median reported)")
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and keep the files")
    args = parser.parse_args(argv)
    scales = list(SCALES.values()) if args.scale == "both" else [SCALES[args.scale]]
    with tempfile.TemporaryDirectory(prefix="perfwatch-bench-") as tmp:
        workdir = Path(args.keep) if args.keep else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        rows = []
        for scale in scales:
            for f in workdir.glob(f"bench-{scale.name}.duckdb*"):
                f.unlink()
            rows.append(bench(scale, workdir, args.runs))
            print(f"[{scale.name}] generated and timed", file=sys.stderr)
    header = f"{'scale':<9}{'depts':>7}{'projects':>10}{'indicators':>12}{'spend rows':>12}{'result rows':>13}" \
             f"{'status s':>10}{'cpu s':>8}{'scan s':>9}{'fetch s':>9}{'status/scan':>13}"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"compute_status at {AS_OF.isoformat()}, median of {args.runs} runs (generation not timed); "
          f"{os.cpu_count()} CPUs, load average {load:.1f}")
    print("status s = wall clock; cpu s = process CPU time over all threads (wall on an idle machine ≈ cpu / cores)")
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['scale']:<9}{r['departments']:>7}{r['projects']:>10,}{r['indicators']:>12,}{r['spend_entries']:>12,}"
              f"{r['indicator_results']:>13,}{r['status_s']:>10.3f}{r['status_cpu']:>8.3f}{r['scan_s']:>9.3f}{r['fetch_s']:>9.3f}"
              f"{r['status_s'] / r['scan_s']:>12.1f}x")
    for r in rows:
        print(f"{r['scale']}: generated in {r['generate_s']:.1f} s; indicator lights {r['lights']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

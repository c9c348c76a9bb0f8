"""Actuals for the report and meeting tests: spend to 2024-07-31 on the seed targets, some red and
yellow indicators with causes and measures, and one owner's report, all through perfwatch.store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from perfwatch import entry, store

AS_OF = dt.date(2024, 7, 31)

# Monthly spend (万元, Jan–Jul) per project seq: chosen to give every kind of execution light
# against the plan-based expectation at the end of July (56.25% for all eight plans).
MONTHLY: dict[int, float] = {
    1: 0.05,   # 法律援助经费 2.00: 0.35 = 17.50% -> red
    2: 0.08,   # 法治工作经费 1.00: 0.56 = 56.00% -> green on spend (red on its indicator)
    3: 3.00,   # 72.00: 21.00 = 29.17% -> red
    4: 1.50,   # 26.00: 10.50 = 40.38%, ratio 71.8 -> yellow
    5: 0.20,   # 2.90: 1.40 = 48.28% -> green
    6: 0.20,   # 2.00: 1.40 = 70.00% -> green
    7: 0.50,   # 7.00: 3.50 = 50.00% -> green
    8: 0.80,   # 10.00: 5.60 = 56.00% -> green
}


@dataclass(frozen=True)
class Loaded:
    projects: dict[int, int]       # seq -> project id
    red_indicator: int             # project 2's rate indicator, reported 70% against ≥90%
    yellow_indicator: int          # project 1's first indicator, owner says 有可能


def load_actuals(conn: duckdb.DuckDBPyConnection) -> Loaded:
    """Write the actuals above (department 1 of the seed) and return the ids the tests check."""
    cur = conn.cursor()
    projects = {int(s): int(i) for i, s in cur.execute(
        "SELECT id, seq FROM projects WHERE department_id = 1 AND NOT retired").fetchall()}
    for seq, amount in MONTHLY.items():
        for month in range(1, 8):
            # Some projects overspend on purpose (超预算): confirmed, as finance would on the page.
            entry.record_spend(conn, store.SYSTEM, projects[seq], dt.date(2024, month, 1), amount,
                               confirm_over_budget=True)
    # A correction: July of project 1 first entered too high, then fixed (the latest row counts).
    entry.record_spend(conn, store.SYSTEM, projects[1], dt.date(2024, 7, 1), 0.50)
    entry.record_spend(conn, store.SYSTEM, projects[1], dt.date(2024, 7, 1), 0.05)

    def indicator(seq: int, level2: str) -> int:
        row = cur.execute(
            "SELECT i.id FROM indicators i JOIN projects p ON p.id = i.project_id "
            "WHERE p.seq = $seq AND p.department_id = 1 AND i.level2 = $level2 ORDER BY i.seq LIMIT 1",
            {"seq": seq, "level2": level2},
        ).fetchone()
        assert row is not None, (seq, level2)
        return int(row[0])

    red = indicator(2, "质量指标")
    entry.record_result(conn, store.SYSTEM, red, AS_OF, value=70.0, projected_text="预计全年达到80%",
                        cause_categories=["制度保障", "其他"], cause_text="普法宣传制度修订尚未完成，部分乡镇未覆盖",
                        likelihood="完全不可能", measure="9月底前完成制度修订，组织乡镇专场宣传")
    yellow = indicator(1, "数量指标")
    entry.record_result(conn, store.SYSTEM, yellow, AS_OF, value=0.0, projected_text="预计四季度完成",
                        cause_categories=["经费保障"], cause_text="经费拨付滞后，宣传活动推迟",
                        likelihood="有可能", measure="协调财政加快拨付，10月开展集中宣传")
    entry.record_result(conn, store.SYSTEM, indicator(3, "数量指标"), AS_OF, value=80.0,
                        likelihood="确定能")
    entry.record_project_report(conn, store.SYSTEM, projects[1], AS_OF, projected_amount=1.80,
                                progress_text="已为 45 名困难群众提供法律援助，宣传活动因经费拨付滞后推迟。")
    return Loaded(projects=projects, red_indicator=red, yellow_indicator=yellow)


def add_august_spend(conn: duckdb.DuckDBPyConnection, loaded: Loaded) -> None:
    """A figure after the cut-off: it must not count in a 1–7月 report."""
    entry.record_spend(conn, store.SYSTEM, loaded.projects[3], dt.date(2024, 8, 1), 5.00, confirm_over_budget=True)

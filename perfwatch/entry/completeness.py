"""填报情况: which projects and indicators have reported by a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from perfwatch import db
from perfwatch.entry.common import indicators_of
from perfwatch.periods import month_start


@dataclass
class Completeness:
    """What a department still owes for a reporting month."""

    as_of: dt.date
    projects: pd.DataFrame
    missing: pd.DataFrame
    indicators_total: int
    indicators_reported: int
    spend_missing: int

    @property
    def complete(self) -> bool:
        return self.indicators_total == self.indicators_reported and self.spend_missing == 0


def completeness(conn: duckdb.DuckDBPyConnection, department_id: int, as_of: dt.date) -> Completeness:
    """Per project: spend of the month entered? project report filed? indicators reported of total;
    plus every indicator with no result dated in the month of ``as_of``."""
    params = {"department_id": department_id, "date_from": month_start(as_of), "as_of": as_of}
    p = db.query_df(conn, "entry/completeness_projects", params)
    m = db.query_df(conn, "entry/completeness_missing_indicators", params)
    projects = pd.DataFrame({
        "项目编码": p["code"],
        "项目名称": p["name"],
        "负责人": [o if isinstance(o, str) and o else "（未分配）" for o in p["owners"]],
        "本月支出": ["已填" if x else "未填" for x in p["spend_entered"]],
        "项目进展": ["已填" if x else "未填" for x in p["report_entered"]],
        "指标已填/总数": [f"{int(a)}/{int(b)}" for a, b in zip(p["reported"], p["indicators"], strict=True)],
        "待填指标": [int(b) - int(a) for a, b in zip(p["reported"], p["indicators"], strict=True)],
    })
    missing = pd.DataFrame({
        "项目": m["project_name"],
        "项目编码": m["project_code"],
        "二级指标": m["level2"],
        "三级指标": m["level3"],
        "年度指标值": m["target_text"],
        "上次填报": [None if pd.isna(d) else pd.Timestamp(d).date().isoformat() for d in m["last_as_of"]],
    })
    total = int(p["indicators"].sum()) + len(indicators_of(conn, department_id, department_level=True))
    reported = total - len(m)
    return Completeness(as_of, projects, missing, total, reported, int((~p["spend_entered"].astype(bool)).sum()))

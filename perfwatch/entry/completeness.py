"""填报情况: which projects and indicators have reported by a date.

An indicator owes a result for the reporting month when nothing is dated in that month. It is
未填报 when it never had a result, and 本期未更新 when its latest result is older than the month;
that result is shown with its date ("30 件（截至7月31日）", :func:`latest_result_text`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from perfwatch import db
from perfwatch.cells import is_missing
from perfwatch.entry.common import indicators_of
from perfwatch.numfmt import round2
from perfwatch.periods import as_of_note, month_start, older_than_month
from perfwatch.vocab import STALE, UNREPORTED


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

    @property
    def stale(self) -> pd.DataFrame:
        """The owed indicators that have an older result (本期未更新), with 最近结果."""
        return self.missing[self.missing["情况"] == STALE]

    @property
    def unreported(self) -> pd.DataFrame:
        """The owed indicators that never had a result (未填报)."""
        return self.missing[self.missing["情况"] == UNREPORTED]


def _day(value: Any) -> dt.date | None:
    return None if is_missing(value) else pd.Timestamp(value).date()


def latest_result_text(result_as_of: dt.date, as_of: dt.date, *, value: Any = None, unit: Any = None,
                       done_date: Any = None, rating: Any = None) -> str | None:
    """A result older than the reporting month of ``as_of`` as people read it, with its date, in
    the words of the forms' 1–N月执行情况: "30 件（截至7月31日）", "95%（截至5月31日）",
    "已于5月20日完成（截至5月31日）", "评价：达成（截至6月30日）"; None when the result is current
    (dated in the month). The 填报情况 and 项目填报 pages both print it."""
    if not older_than_month(result_as_of, as_of):
        return None
    parts: list[str] = []
    x = None if is_missing(value) else round2(value)
    if x is not None:
        u = unit.strip() if isinstance(unit, str) else ""
        parts.append(f"{x:.2f}".rstrip("0").rstrip(".") + (u if u in ("", "%", "％") else f" {u}"))
    done = _day(done_date)
    if done is not None:
        parts.append(f"已于{done.month}月{done.day}日完成")
    if isinstance(rating, str) and rating:
        parts.append(f"评价：{rating}")
    return f"{'；'.join(parts) or '已填报'}（{as_of_note(result_as_of)}）"


def completeness(conn: duckdb.DuckDBPyConnection, department_id: int, as_of: dt.date) -> Completeness:
    """Per project: spend of the month entered? project report filed? indicators reported of total,
    and of the rest how many were never reported (未填报) and how many only have an older result
    (本期未更新); plus every indicator with no result dated in the month of ``as_of``."""
    params = {"department_id": department_id, "date_from": month_start(as_of), "as_of": as_of}
    p = db.query_df(conn, "entry/completeness_projects", params)
    m = db.query_df(conn, "entry/completeness_missing_indicators", params)
    last = [_day(d) for d in m["last_as_of"]]
    state = [UNREPORTED if d is None else STALE for d in last]
    latest = [None if d is None else latest_result_text(d, as_of, value=r.last_value, unit=r.unit,
                                                          done_date=r.last_done_date, rating=r.last_rating)
              for d, r in zip(last, m.itertuples(), strict=True)]
    missing = pd.DataFrame({
        "项目": m["project_name"],
        "项目编码": m["project_code"],
        "二级指标": m["level2"],
        "三级指标": m["level3"],
        "年度指标值": m["target_text"],
        "情况": state,
        "最近结果": [t or "—" for t in latest],
        "上次填报": [None if d is None else d.isoformat() for d in last],
    })
    owed = Counter(zip(m["project_code"], state, strict=True))  # (project code, 未填报/本期未更新) -> count
    projects = pd.DataFrame({
        "项目编码": p["code"],
        "项目名称": p["name"],
        "负责人": [o if isinstance(o, str) and o else "（未分配）" for o in p["owners"]],
        "本月支出": ["已填" if x else "未填" for x in p["spend_entered"]],
        "项目进展": ["已填" if x else "未填" for x in p["report_entered"]],
        "指标已填/总数": [f"{int(a)}/{int(b)}" for a, b in zip(p["reported"], p["indicators"], strict=True)],
        "待填指标": [int(b) - int(a) for a, b in zip(p["reported"], p["indicators"], strict=True)],
        UNREPORTED: [owed[(c, UNREPORTED)] for c in p["code"]],
        STALE: [owed[(c, STALE)] for c in p["code"]],
    })
    total = int(p["indicators"].sum()) + len(indicators_of(conn, department_id, department_level=True))
    reported = total - len(m)
    return Completeness(as_of, projects, missing, total, reported, int((~p["spend_entered"].astype(bool)).sum()))

"""填报情况: which projects and indicators have reported by a date.

An indicator owes a result for the reporting month when nothing is dated in that month. It is
未填报 when it never had a result, and 本期未更新 when its latest result is older than the month;
that result is shown with its date ("30 件（截至7月31日）", :func:`latest_result_text`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import duckdb
import pandas as pd

from perfwatch import db
from perfwatch.cells import is_missing
from perfwatch.numfmt import round2
from perfwatch.periods import as_of_note, month_start, older_than_month
from perfwatch.vocab import STALE, UNREPORTED

if TYPE_CHECKING:
    from perfwatch.entry.common import Indicator
    from perfwatch.entry.results import CurrentResult


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


def stale_note(ind: Indicator, cur: CurrentResult | None, as_of: dt.date) -> str | None:
    """"本期未更新，最近一次：40 件（截至5月31日）" when the indicator's current result (the latest on
    or before ``as_of``) is older than the reporting month and holds a value; None otherwise. The one
    rule the 项目填报 and 指标填报 pages print beside an indicator (填报情况 lists the same words)."""
    if cur is None or all(is_missing(cur.fields.get(k)) for k in ("value", "done_date", "rating")):
        return None
    latest = latest_result_text(cur.as_of, as_of, value=cur.fields.get("value"), unit=ind.unit,
                                done_date=cur.fields.get("done_date"), rating=cur.fields.get("rating"))
    return None if latest is None else f"{STALE}，最近一次：{latest}"


def result_to_date(ind: Indicator, cur: CurrentResult | None, as_of: dt.date) -> str:
    """指标填报's 截至目前 of an indicator: 未填报, the :func:`stale_note` when the result is older
    than the reporting month, else the result of the month ("100件", "已于 2024-06-20 完成", "达成")."""
    if cur is None:
        return UNREPORTED
    if note := stale_note(ind, cur, as_of):
        return note
    f = cur.fields
    if f.get("rating"):
        text = str(f["rating"])
    elif not is_missing(f.get("done_date")):
        text = f"已于 {f['done_date'].isoformat()} 完成"
    elif not is_missing(f.get("value")):
        text = f"{f['value']:g}{ind.unit or ''}"
    else:
        text = "未完成" if ind.value_kind == "date" else "（空）"
    return text if not older_than_month(cur.as_of, as_of) else f"{text}（{as_of_note(cur.as_of)}）"


def completeness(conn: duckdb.DuckDBPyConnection, department_id: int, as_of: dt.date) -> Completeness:
    """Per project: spend of the month entered? project report filed? indicators reported of total,
    and of the rest how many were never reported (未填报) and how many only have an older result
    (本期未更新); plus every indicator with no result dated in the month of ``as_of``."""
    found = completeness_by_department(conn, as_of, department_id=department_id)
    return found.get(department_id) or _shape(as_of, pd.DataFrame(columns=_PROJECT_COLUMNS),
                                              pd.DataFrame(columns=_MISSING_COLUMNS), 0)


def completeness_by_department(conn: duckdb.DuckDBPyConnection, as_of: dt.date, *, fiscal_year: int | None = None,
                               department_id: int | None = None) -> dict[int, Completeness]:
    """:func:`completeness` of every department in scope (those of ``fiscal_year``, or the one
    ``department_id``; neither = all), department id -> Completeness, in three set-based queries
    whatever the number of departments (填报情况 shows them all at once)."""
    params = {"department_id": department_id, "fiscal_year": fiscal_year, "date_from": month_start(as_of),
              "as_of": as_of}
    depts = db.query(conn, "entry/completeness_departments", params)
    p = db.query_df(conn, "entry/completeness_projects", params)
    m = db.query_df(conn, "entry/completeness_missing_indicators", params)
    p_of = {int(cast(int, k)): g for k, g in p.groupby("department_id", sort=False)}
    m_of = {int(cast(int, k)): g for k, g in m.groupby("department_id", sort=False)}
    empty_p, empty_m = p.iloc[0:0], m.iloc[0:0]
    return {int(d): _shape(as_of, p_of.get(int(d), empty_p), m_of.get(int(d), empty_m), int(n)) for d, n in depts}


_PROJECT_COLUMNS = ["department_id", "project_id", "seq", "code", "name", "owners", "spend_entered",
                    "report_entered", "indicators", "reported"]
_MISSING_COLUMNS = ["department_id", "indicator_id", "project_code", "project_name", "level1", "level2", "level3",
                    "target_text", "unit", "last_as_of", "last_value", "last_done_date", "last_rating"]


def _shape(as_of: dt.date, p: pd.DataFrame, m: pd.DataFrame, department_indicators: int) -> Completeness:
    """One department's Completeness from its rows of the two queries (display columns in Chinese)."""
    last = [_day(d) for d in m["last_as_of"]]
    state = [UNREPORTED if d is None else STALE for d in last]
    latest = [None if d is None else latest_result_text(d, as_of, value=r.last_value, unit=r.unit,
                                                          done_date=r.last_done_date, rating=r.last_rating)
              for d, r in zip(last, m.itertuples(), strict=True)]
    missing = pd.DataFrame({
        "项目": list(m["project_name"]),
        "项目编码": list(m["project_code"]),
        "二级指标": list(m["level2"]),
        "三级指标": list(m["level3"]),
        "年度指标值": list(m["target_text"]),
        "情况": state,
        "最近结果": [t or "—" for t in latest],
        "上次填报": [None if d is None else d.isoformat() for d in last],
    })
    owed = Counter(zip(m["project_code"], state, strict=True))  # (project code, 未填报/本期未更新) -> count
    projects = pd.DataFrame({
        "项目编码": list(p["code"]),
        "项目名称": list(p["name"]),
        "负责人": [o if isinstance(o, str) and o else "（未分配）" for o in p["owners"]],
        "本月支出": ["已填" if x else "未填" for x in p["spend_entered"]],
        "项目进展": ["已填" if x else "未填" for x in p["report_entered"]],
        "指标已填/总数": [f"{int(a)}/{int(b)}" for a, b in zip(p["reported"], p["indicators"], strict=True)],
        "待填指标": [int(b) - int(a) for a, b in zip(p["reported"], p["indicators"], strict=True)],
        UNREPORTED: [owed[(c, UNREPORTED)] for c in p["code"]],
        STALE: [owed[(c, STALE)] for c in p["code"]],
    })
    total = int(sum(int(x) for x in p["indicators"])) + department_indicators
    reported = total - len(m)
    spend_missing = sum(1 for x in p["spend_entered"] if not x)
    return Completeness(as_of, projects, missing, total, reported, spend_missing)

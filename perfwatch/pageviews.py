"""Display-ready frames and page decisions for the web pages (issue 11 item 5: pages stay thin).

Pure pandas and domain calls, no streamlit: a page reads its widgets, calls one of these, draws.
Rules (lights, plans, periods) stay in their own modules; this only shapes and chooses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, cast

import duckdb
import pandas as pd

from perfwatch import db, entry, review
from perfwatch.audit_labels import actor_label, source_label
from perfwatch.cells import is_missing
from perfwatch.numfmt import MISSING, round_half_up
from perfwatch.periods import month_end_of
from perfwatch.store import Actor
from perfwatch.targets_view import money
from perfwatch.views import blank_text, causes_text

# ---------------------------------------------------------------- 项目与绩效目标

PROJECT_COLUMNS = {"seq": "序号", "code": "项目编码", "name": "项目名称", "budget": "预算数",
                   "fiscal_funds": "财政资金", "other_funds": "其他资金", "plan": "资金支出计划（累计）",
                   "indicators": "指标数"}


def projects_table(projects: pd.DataFrame) -> pd.DataFrame:
    """queries/department_projects.sql as the 预算项目 table: 万元 with 2 decimals, Chinese headers."""
    shown = projects.assign(**{c: projects[c].map(money) for c in ("budget", "fiscal_funds", "other_funds")})
    return shown[list(PROJECT_COLUMNS)].rename(columns=PROJECT_COLUMNS)


def overall_goal(texts: pd.DataFrame) -> str | None:
    """The department's 总体绩效目标 text, or None when there is none."""
    if texts.empty:
        return None
    goal = texts.iloc[0]["overall_goal"]
    return None if goal is None or pd.isna(goal) or not str(goal).strip() else str(goal)


# ---------------------------------------------------------------- 项目详情: entry history

_CURRENT = {True: "当前", False: "已被更正"}


def _who_and_source(hist: pd.DataFrame) -> pd.DataFrame:
    """填报人 and 来源 as people read them ("cli:root" -> "命令行（root）", "manual" -> 手工填报)."""
    out = hist.copy()
    if "entered_by" in out.columns:
        out["entered_by"] = out["entered_by"].map(actor_label)
    if "source" in out.columns:
        out["source"] = out["source"].map(source_label)
    return out


def spend_history_table(hist: pd.DataFrame) -> pd.DataFrame:
    """The project's spend entries (views/project_spend_history.sql) with Chinese headers."""
    hist = blank_text(_who_and_source(hist))
    return hist.assign(period=hist["period"].dt.strftime("%Y-%m"), is_current=hist["is_current"].map(_CURRENT)).rename(
        columns={"period": "月份", "amount": "金额（万元）", "previous": "更正前（万元）", "is_current": "状态",
                 "source": "来源", "note": "备注", "entered_by": "填报人", "entered_at": "填报时间"})


def result_history_table(hist: pd.DataFrame) -> pd.DataFrame:
    """The project's indicator results (views/project_result_history.sql) with causes as one text."""
    hist = hist.assign(cause_categories=[causes_text(c, t) for c, t in zip(hist["cause_categories"], hist["cause_text"], strict=True)])
    hist = blank_text(_who_and_source(hist))
    return hist.drop(columns=["cause_text"]).assign(is_current=hist["is_current"].map(_CURRENT)).rename(columns={
        "level1": "一级指标", "level2": "二级指标", "level3": "三级指标", "as_of": "截至", "value": "完成值",
        "done_date": "完成日期", "rating": "评价", "likelihood": "完成可能性", "cause_categories": "偏差原因",
        "measure": "纠偏措施", "projected_text": "全年预计", "is_current": "状态", "entered_by": "填报人",
        "entered_at": "填报时间"})


def report_history_table(hist: pd.DataFrame) -> pd.DataFrame:
    """The project's projections and progress notes (views/project_report_history.sql)."""
    return blank_text(_who_and_source(hist)).rename(columns={"as_of": "截至", "projected_amount": "全年预计执行数（万元）",
                                            "progress_text": "进展说明", "entered_by": "填报人", "entered_at": "填报时间"})


# ---------------------------------------------------------------- 指标填报: which projects an actor may report on


@dataclass(frozen=True)
class ResultChoices:
    """The 项目 choices of the results page: project ids in order, ``None`` = the department-level
    indicators (部门整体绩效目标), and the label of each."""

    options: list[int | None]
    labels: dict[int | None, str]


DEPARTMENT_PART_LABEL = "部门整体绩效目标"


def result_choices(projects: Iterable[Any], actor: Actor, department_id: int) -> ResultChoices:
    """The department's live projects the actor may report on: an owner with assigned projects sees
    those only, and not the department-level indicators; everyone else sees all and the department part."""
    limited = actor.role == "owner" and actor.project_ids is not None
    mine = [p for p in projects if p.department_id == department_id and not p.retired
            and (not limited or p.id in (actor.project_ids or frozenset()))]
    options: list[int | None] = [p.id for p in mine]
    labels: dict[int | None, str] = {p.id: f"{p.code} {p.name}" for p in mine}
    if not limited:
        options.append(None)
    labels[None] = DEPARTMENT_PART_LABEL
    return ResultChoices(options, labels)


# ---------------------------------------------------------------- default months


def latest_data(conn: duckdb.DuckDBPyConnection, department_ids: Iterable[int]) -> dt.date | None:
    """The latest data date over several departments (None when none has data)."""
    dates = [d for d in (entry.last_data_date(conn, int(i)) for i in department_ids) if d is not None]
    return max(dates, default=None)


def completeness_of_year(conn: duckdb.DuckDBPyConnection, fiscal_year: int,
                         as_of: dt.date) -> dict[int, entry.Completeness]:
    """填报情况 of every department of ``fiscal_year`` at ``as_of`` (department id -> Completeness),
    each project row with its 审核状态 and 退回意见: four set-based queries whatever the number of
    departments."""
    reports = entry.completeness_by_department(conn, as_of, fiscal_year=fiscal_year)
    states = review.states_in_scope(conn, as_of, fiscal_year=fiscal_year)
    of = {int(cast(int, k)): g for k, g in states.groupby("department_id", sort=False)}
    none = states.iloc[0:0]
    return {d: replace(c, projects=review.with_states(conn, d, as_of, c.projects, states_frame=of.get(d, none)))
            for d, c in reports.items()}


def report_default_month(as_of: dt.date, fiscal_year: int) -> int:
    """报表导出's default cut-off month: the dashboard's 截至日期 month in its fiscal year, else December.

    TODO(issue 11): move next to the default reporting month in perfwatch.periods once it lands.
    """
    return as_of.month if as_of.year == fiscal_year else 12


def month_choices() -> Sequence[int]:
    """The reporting months 1..12."""
    return list(range(1, 13))


# ---------------------------------------------------------------- 用户管理


def project_labels(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every project an owner can be assigned, code → "编码　名称（年度）", in the query's order."""
    return {str(code): f"{code}　{name}（{year}）" for code, name, year, _ in db.query(conn, "auth/project_choices")}


# ---------------------------------------------------------------- 截至日期


def as_of_after_data_note(as_of: dt.date, last_data: dt.date | None) -> str | None:
    """A warning when the chosen 截至日期 lies after the month of the last data (None otherwise, and
    when there is no data at all: the page's empty state says that)."""
    if last_data is None or as_of <= month_end_of(last_data):
        return None
    return (f"所选截至日期 {as_of:%Y-%m-%d} 晚于最近数据（{last_data:%Y-%m-%d}）：此后的月份尚无填报，"
            f"执行率、偏差和亮灯均按 {as_of.month} 月底计算，可能偏低。")


# ---------------------------------------------------------------- tables on screen: one formatter

def _date_text(value: Any, with_time: bool) -> str:
    if value is None or pd.isna(value):
        return MISSING
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


@dataclass(frozen=True)
class DisplayTable:
    """A table ready for the screen: ``frame`` with text blanks filled, dates as text and every float
    column already rounded half-up to the decimals in ``places`` (column → decimals). The web layer
    shows those columns with exactly that many decimals and thousands separators: a number already
    rounded half-up keeps its digits (the browser cuts at the decimals, it does not round again), and
    the column stays numeric, so sorting by it sorts by value; a missing number is left missing and
    drawn as "—" by the table's placeholder."""

    frame: pd.DataFrame
    places: dict[str, int]


def _decimal_numbers(series: pd.Series) -> bool:
    """An object column holding only numbers (Decimal, int, float; at least one) and gaps."""
    if series.dtype != object:
        return False
    values = [v for v in series.tolist() if not is_missing(v)]
    return bool(values) and all(isinstance(v, (Decimal, int, float)) and not isinstance(v, bool) for v in values)


def display_table(frame: pd.DataFrame, decimals: Mapping[str, int] | None = None) -> DisplayTable:
    """A table as shown on screen: empty text cells blank, missing dates "—", dates as 2024-07-31,
    floats rounded half-up to 2 decimals (``decimals`` per column otherwise), as Excel and the PDF
    round them (2.175 → 2.18)."""
    numbers = [c for c in frame.columns if _decimal_numbers(frame[c])]  # DuckDB DECIMAL arrives as Decimal objects
    shown = blank_text(frame.astype({c: "float64" for c in numbers})).reset_index(drop=True)
    asked = dict(decimals or {})
    places: dict[str, int] = {}
    for col in shown.columns:
        series = shown[col]
        if pd.api.types.is_datetime64_any_dtype(series):
            with_time = bool((series.dropna() != series.dropna().dt.normalize()).any())
            shown[col] = [_date_text(v, with_time) for v in series]
        elif pd.api.types.is_float_dtype(series):
            n = places[col] = asked.get(col, 2)
            shown[col] = series.map(lambda v, n=n: round_half_up(v, n)).astype("float64")  # None (missing) -> NaN
    return DisplayTable(shown, places)

"""What the reports show, gathered once: the engine's status plus the form's text fields.

Every number (spend, rates, expected progress, lights, projections) comes from
:func:`perfwatch.status.compute_status`; the database adds what the engine does not carry (money
sources, goal lines, the owner's progress text, 全年预计完成情况 and notes) through
``queries/reports/*.sql``. The result is plain dataclasses that the xlsx form, the PDF briefing and
the meeting screens lay out -- none of them touches the database or a rule.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import duckdb
import pandas as pd

from perfwatch import db
from perfwatch import periods
from perfwatch.periods import month_end
from perfwatch.settings import rule_text
from perfwatch.views import is_missing
from perfwatch.vocab import CAUSE_CATEGORIES as CAUSES  # noqa: F401  (re-exported for the forms)
from perfwatch.vocab import LAGGING, LIGHT_NAMES, LIGHTS, lag_rank, worst



class ReportError(Exception):
    """A report that cannot be made from this database (message in Chinese)."""


def _num(value: Any) -> float | None:
    """A float, or None for SQL NULL / NaN / pandas NA."""
    if value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _list(value: Any) -> tuple[str, ...]:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ()
    return tuple(str(v) for v in value)


def period_label(as_of: dt.date) -> str:
    """The form's 1–N月: '1–7月' at a month end ('1月' for January), else '1月1日–7月15日'."""
    if as_of == month_end(as_of.year, as_of.month):
        return "1月" if as_of.month == 1 else f"1–{as_of.month}月"
    return f"1月1日–{as_of.month}月{as_of.day}日"


def fmt_amount(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def fmt_pct(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}%"


def fmt_number(value: float | None) -> str:
    """A reported value without trailing zeros: 120, 98.5."""
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass
class IndicatorLine:
    """One 三级指标 row of the monitoring form, with the engine's light."""

    indicator_id: int
    level1: str
    level2: str
    level3: str
    target_text: str
    actual_text: str          # 1–N月执行情况
    projected_text: str       # 全年预计完成情况
    causes: tuple[str, ...]   # ticked 偏差原因 categories
    cause_text: str           # 原因说明
    likelihood: str           # 完成目标可能性
    measure: str              # 纠偏措施
    note: str
    light: str
    reason: str

    @property
    def lagging(self) -> bool:
        return self.light in LAGGING


@dataclass
class ProjectLine:
    """One project: the money block, its goals, its indicators and the engine's lights."""

    project_id: int
    seq: int
    code: str
    name: str
    budget: float
    fiscal_funds: float
    carryover_funds: float
    other_funds: float
    spent: float
    execution_pct: float | None
    expected_pct: float | None
    time_pct: float | None
    execution_light: str
    goal_light: str
    combined_light: str
    reason: str
    projection: float | None          # 全年预计执行数 shown on the form
    projection_is_owner: bool         # True: the owner's own figure; False: the plan-shaped estimate
    execution_reason: str = ""
    next_checkpoint_month: int | None = None
    to_next_checkpoint: float | None = None   # 万元 still to spend to reach the next plan checkpoint
    goals: list[str] = field(default_factory=list)
    progress_text: str = ""
    indicators: list[IndicatorLine] = field(default_factory=list)

    @property
    def lagging(self) -> bool:
        return self.combined_light in LAGGING

    @property
    def single_source(self) -> bool:
        """All money is 财政拨款, so the spend can be attributed to that row of the form."""
        return self.carryover_funds == 0 and self.other_funds == 0


@dataclass
class DepartmentReport:
    """A department-year at a 1–N月 cut-off."""

    department_id: int
    code: str
    name: str
    fiscal_year: int
    month: int
    as_of: dt.date
    last_data_date: dt.date | None
    budget: float
    spent: float
    execution_pct: float | None
    expected_pct: float | None
    time_pct: float | None
    light: str
    projects: list[ProjectLine]
    plan_text: dict[int, str] = field(default_factory=dict)
    # The rules in force as one Chinese line each ("execution" = the spend-light rule chosen).
    rule_texts: dict[str, str] = field(default_factory=dict)

    @property
    def period(self) -> str:
        return period_label(self.as_of)

    @property
    def lagging(self) -> list[ProjectLine]:
        """Lagging projects, red before yellow, then by execution against plan."""
        lag = [p for p in self.projects if p.lagging]
        return sorted(lag, key=lambda p: (lag_rank(p.combined_light), _ratio(p), p.seq))

    def light_counts(self, which: str = "combined_light") -> dict[str, int]:
        counts = dict.fromkeys(LIGHTS, 0)
        for p in self.projects:
            counts[getattr(p, which)] = counts.get(getattr(p, which), 0) + 1
        return counts

    def indicator_light_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(LIGHTS, 0)
        for p in self.projects:
            for i in p.indicators:
                counts[i.light] = counts.get(i.light, 0) + 1
        return counts

    def projection_total(self) -> float | None:
        values = [p.projection for p in self.projects]
        return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def _ratio(p: ProjectLine) -> float:
    if p.execution_pct is None or not p.expected_pct:
        return math.inf
    return p.execution_pct / p.expected_pct


def light_name(light: str) -> str:
    """'红灯' etc."""
    return LIGHT_NAMES.get(light, light or "—")


def departments(conn: duckdb.DuckDBPyConnection, code: str | None = None) -> list[tuple[int, str, str, int]]:
    """(id, code, name, fiscal_year) of the department-years with ``code`` (all when None)."""
    return [(int(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in db.query(conn, "reports/department_by_code", {"code": code})]


def default_month(conn: duckdb.DuckDBPyConnection, department_id: int, fiscal_year: int) -> int:
    """The default reporting month (:func:`perfwatch.periods.default_month`): the month of the last
    data in the fiscal year; without data the last full month before today."""
    from perfwatch.status import last_data_date

    return periods.default_month(fiscal_year, last_data=last_data_date(conn, department_id))


def actual_text(row: Any) -> str:
    """1–N月执行情况 of an indicator: the engine's actual with its unit, the done date, the rating.

    "未填报" when nothing was reported and the engine has no actual either.
    """
    parts: list[str] = []
    value = _num(row.get("actual"))
    unit = _text(row.get("unit"))
    if value is not None:
        unit_text = unit if unit in ("%", "") else f" {unit}"
        parts.append(f"{fmt_number(value)}{unit_text}")
    done = row.get("done_date")
    if not is_missing(done):
        ts = pd.Timestamp(done)
        parts.append(f"已于{ts.month}月{ts.day}日完成")
    rating = _text(row.get("rating"))
    if rating:
        parts.append(f"评价：{rating}")
    if parts:
        return "；".join(parts)
    return "未填报" if is_missing(row.get("result_as_of")) else ""


def build_report(
    conn: duckdb.DuckDBPyConnection,
    department_id: int,
    month: int | None = None,
    *,
    as_of: dt.date | None = None,
    status: Any = None,
) -> DepartmentReport:
    """Everything the reports show for a department-year at the end of month ``month`` (1–12),
    or at the exact date ``as_of`` (which must fall in the fiscal year).

    ``month`` defaults to the last month with data. ``status`` may be passed when the caller
    already computed it for the same as-of date.
    """
    from perfwatch.status import compute_status, last_data_date

    rows = db.query(conn, "reports/department", {"department_id": department_id})
    if not rows:
        raise ReportError(f"部门编号 {department_id} 不存在。")
    dep_id, code, name, year, _goal = rows[0]
    year = int(year)
    if as_of is not None:
        if as_of.year != year:
            raise ReportError(f"截止日期 {as_of:%Y-%m-%d} 不在 {name} 的 {year} 预算年度内。")
        month = as_of.month
    else:
        if month is None:
            month = default_month(conn, department_id, year)
        if not 1 <= int(month) <= 12:
            raise ReportError(f"截止月份须在 1–12 之间，收到：{month}")
        month = int(month)
        as_of = month_end(year, month)
    st = status if status is not None else compute_status(conn, as_of, department_id=department_id)

    money = db.query_df(conn, "reports/projects", {"department_id": department_id}).set_index("id")
    goals = db.query_df(conn, "reports/goals", {"department_id": department_id})
    reports = db.query_df(conn, "reports/project_reports", {"department_id": department_id, "as_of": as_of})
    reports = reports.set_index("project_id") if not reports.empty else reports
    inds = st.indicators[st.indicators["project_id"].notna()] if not st.indicators.empty else st.indicators
    projects: list[ProjectLine] = []
    plan_text: dict[int, str] = {}
    for prow in st.projects.sort_values(["seq", "project_id"]).to_dict("records"):
        pid = int(prow["project_id"])
        m = money.loc[pid]
        owner = _num(prow.get("owner_projection"))
        projection = owner if owner is not None else _num(prow.get("projection"))
        rep = reports.loc[pid] if not reports.empty and pid in reports.index else None
        lines: list[IndicatorLine] = []
        mine = inds[inds["project_id"] == pid].sort_values(["seq", "indicator_id"]) if not inds.empty else inds
        for r in mine.to_dict("records"):
            lines.append(
                IndicatorLine(
                    indicator_id=int(r["indicator_id"]),
                    level1=_text(r["level1"]),
                    level2=_text(r["level2"]),
                    level3=_text(r["level3"]),
                    target_text=_text(r["target_text"]),
                    actual_text=actual_text(r),
                    projected_text=_text(r["projected_text"]),
                    causes=_list(r["cause_categories"]),
                    cause_text=_text(r["cause_text"]),
                    likelihood=_text(r["likelihood"]),
                    measure=_text(r["measure"]),
                    note=_text(r["note"]),
                    light=_text(r["light"]) or "grey",
                    reason=_text(r["reason"]),
                )
            )
        plan_text[pid] = _text(prow.get("plan_text"))
        projects.append(
            ProjectLine(
                project_id=pid,
                seq=int(prow["seq"]),
                code=str(prow["code"]),
                name=str(prow["name"]),
                budget=float(m["budget"]),
                fiscal_funds=float(m["fiscal_funds"]),
                carryover_funds=float(m["carryover_funds"]),
                other_funds=float(m["other_funds"]),
                spent=_num(prow.get("spent")) or 0.0,
                execution_pct=_num(prow.get("execution_pct")),
                expected_pct=_num(prow.get("expected_pct")),
                time_pct=_num(prow.get("time_pct")),
                execution_light=_text(prow.get("execution_light")) or "grey",
                goal_light=_text(prow.get("goal_light")) or "grey",
                combined_light=_text(prow.get("combined_light")) or "grey",
                reason=_text(prow.get("reason")),
                projection=projection,
                projection_is_owner=owner is not None,
                execution_reason=_text(prow.get("execution_reason")),
                next_checkpoint_month=None if _num(prow.get("next_checkpoint_month")) is None
                else int(_num(prow.get("next_checkpoint_month")) or 0),
                to_next_checkpoint=_num(prow.get("to_next_checkpoint")),
                goals=[str(t) for t in goals.loc[goals["project_id"] == pid, "text"]],
                progress_text=_text(rep["progress_text"]) if rep is not None else "",
                indicators=lines,
            )
        )

    dep = _department_row(st.departments, department_id)
    budget = sum(p.budget for p in projects)
    spent = sum(p.spent for p in projects)
    return DepartmentReport(
        department_id=int(dep_id),
        code=str(code),
        name=str(name),
        fiscal_year=year,
        month=month,
        as_of=as_of,
        last_data_date=last_data_date(conn, department_id),
        budget=_num(dep.get("budget")) if dep else budget,  # type: ignore[arg-type]
        spent=_num(dep.get("spent")) if dep else spent,  # type: ignore[arg-type]
        execution_pct=_num(dep.get("execution_pct")) if dep else (100 * spent / budget if budget else None),
        expected_pct=_num(dep.get("expected_pct")) if dep else None,
        time_pct=_num(dep.get("time_pct")) if dep else None,
        light=_text(dep.get("combined_light")) if dep else worst(p.combined_light for p in projects),
        projects=projects,
        plan_text=plan_text,
        rule_texts=_rule_texts(st.rules),
    )


def _rule_texts(rules: Any) -> dict[str, str]:
    texts = rule_text(rules)
    texts["execution"] = texts[rules.execution_rule]
    return texts


def _department_row(frame: pd.DataFrame, department_id: int) -> dict[str, Any] | None:
    if frame is None or frame.empty:
        return None
    key = "department_id" if "department_id" in frame.columns else "id"
    hit = frame[frame[key] == department_id]
    return hit.iloc[0].to_dict() if not hit.empty else None


def indicator_groups(report: DepartmentReport) -> list[str]:
    """The 二级指标 groups in the order they first appear (columns of the light matrix)."""
    seen: list[str] = []
    for p in report.projects:
        for i in p.indicators:
            if i.level2 and i.level2 not in seen:
                seen.append(i.level2)
    return seen


def light_matrix(report: DepartmentReport) -> tuple[list[str], list[tuple[ProjectLine, list[str | None]]]]:
    """Projects × 二级指标 groups: the worst indicator light per cell (None: no such indicator)."""
    groups = indicator_groups(report)
    rows: list[tuple[ProjectLine, list[str | None]]] = []
    for p in report.projects:
        cells: list[str | None] = []
        for g in groups:
            lights = [i.light for i in p.indicators if i.level2 == g]
            cells.append(worst(lights) if lights else None)
        rows.append((p, cells))
    return groups, rows


def lagging_indicators(project: ProjectLine) -> Sequence[IndicatorLine]:
    """The red and yellow indicators of a project, red first."""
    return sorted((i for i in project.indicators if i.lagging), key=lambda i: (i.light != "red",))

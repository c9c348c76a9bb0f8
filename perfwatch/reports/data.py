"""What the reports show, gathered once: the engine's status plus the form's text fields.

Every number (spend, rates, expected progress, lights, projections) comes from
:func:`perfwatch.status.compute_status`; the database adds what the engine does not carry (money
sources, goal lines, the owner's progress text, 全年预计完成情况 and notes) through
``queries/reports/*.sql``. The result is plain dataclasses that the xlsx form, the PDF briefing and
the meeting screens lay out -- none of them touches the database or a rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from perfwatch import db, periods
from perfwatch.cells import number_or_none
from perfwatch.reports.declared import (
    DRAFT,
    Supervisor,
    basis_line,
    cut_threshold_pct,
    declarations,
    review_marks,
    supervisor,
)
from perfwatch.reports.lines import (  # noqa: F401  (re-exported: the outputs import them from data)
    LAGGING,  # the vocabulary's, through lines
    STATES,
    IndicatorLine,
    _indicator_line,
    _list,
    _text,
    actual_text,
    fmt_amount,
    fmt_number,
    fmt_pct,
    infer_levels,
    month_end,
    period_label,
    row_state,
    source_quirk,
)
from perfwatch.settings import rule_text
from perfwatch.vocab import CAUSE_CATEGORIES as CAUSES  # noqa: F401  (re-exported for the forms)
from perfwatch.vocab import LIGHT_NAMES, LIGHTS, behind_plan_wan, lag_order_key, worst


class ReportError(Exception):
    """A report that cannot be made from this database (message in Chinese)."""


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
    projection: float | None          # declared 全年预计执行数 (None: 待填报); never a system estimate
    system_projection: float | None   # the engine's estimate (系统测算 sheet and analysis only)
    system_projection_source: str
    execution_reason: str = ""
    next_checkpoint_month: int | None = None
    to_next_checkpoint: float | None = None   # 万元 still to spend to reach the next plan checkpoint
    goals: list[str] = field(default_factory=list)
    progress_text: str = ""
    indicators: list[IndicatorLine] = field(default_factory=list)
    plan_shaped: float | None = None
    run_rate: float | None = None
    declared_as_of: dt.date | None = None
    cause_categories: tuple[str, ...] = ()   # declared 支出偏差原因
    cause_text: str = ""
    measure: str = ""                        # declared 纠偏措施
    mark: str = "草稿"                        # 草稿 / 已审核
    attachments: tuple[str, ...] = ()        # 佐证材料 of the declaration (this round), file names

    @property
    def lagging(self) -> bool:
        return self.combined_light in LAGGING

    @property
    def projection_is_owner(self) -> bool:
        """Whether the 全年预计执行数 was declared (the only figure written in official cells)."""
        return self.projection is not None

    @property
    def carryover(self) -> float | None:
        """预计结转结余 = budget − declared year end (None while undeclared)."""
        return None if self.projection is None else round(self.budget - self.projection, 2)

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
    execution_light: str = "grey"   # the spend light of the department's totals (status)
    goal_light: str = "grey"
    overall_goal: str = ""
    sub_goals: list[SubGoalLine] = field(default_factory=list)
    supervisor: Supervisor = field(default_factory=lambda: Supervisor("", ""))
    basis_line: str = ""
    cut_threshold_pct: float = 10.0

    @property
    def period(self) -> str:
        return period_label(self.as_of)

    @property
    def lagging(self) -> list[ProjectLine]:
        """Lagging projects in the one lag order (:data:`perfwatch.vocab.LAG_ORDER_TEXT`): red before
        yellow, then by 万元 behind plan, largest first."""
        lag = [p for p in self.projects if p.lagging]
        return sorted(lag, key=lambda p: lag_order_key(p.combined_light, behind_plan_wan(p.budget, p.expected_pct, p.spent),
                                                       p.seq))

    def light_counts(self, which: str = "combined_light") -> dict[str, int]:
        counts = dict.fromkeys(LIGHTS, 0)
        for p in self.projects:
            counts[getattr(p, which)] = counts.get(getattr(p, which), 0) + 1
        return counts

    def indicator_light_counts(self, scope: str = "project") -> dict[str, int]:
        """Indicator lights counted per scope: "project" (项目指标), "department" (部门整体指标) or "all"."""
        counts = dict.fromkeys(LIGHTS, 0)
        for i in self.indicators(scope):
            counts[i.light] = counts.get(i.light, 0) + 1
        return counts

    def indicators(self, scope: str = "project") -> list[IndicatorLine]:
        out: list[IndicatorLine] = []
        if scope in ("department", "all"):
            out += [i for g in self.sub_goals for i in g.indicators]
        if scope in ("project", "all"):
            out += [i for p in self.projects for i in p.indicators]
        return out

    def projection_total(self) -> float | None:
        """Sum of the declared year ends; None while any project has not declared (待填报)."""
        values = [p.projection for p in self.projects]
        return None if any(v is None for v in values) else round(sum(v for v in values if v is not None), 2)

    def declared_count(self) -> int:
        return sum(1 for p in self.projects if p.projection is not None)

    @property
    def lagging_all(self) -> list[ProjectLine]:
        """Every project, most lagging first, in the one lag order (red, yellow, then the rest; within a
        light by 万元 behind plan, :data:`perfwatch.vocab.LAG_ORDER_TEXT`)."""
        return sorted(self.projects, key=lambda p: lag_order_key(
            p.combined_light, behind_plan_wan(p.budget, p.expected_pct, p.spent), p.seq))


@dataclass
class SubGoalLine:
    """One 分项绩效目标 of the 部门整体 part with its department-level indicators."""

    seq: int
    title: str
    goal: str
    indicators: list[IndicatorLine] = field(default_factory=list)


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
    declared = declarations(conn, department_id, as_of)
    all_inds = st.indicators
    inds = all_inds[all_inds["project_id"].notna()] if not all_inds.empty else all_inds
    pids = [int(x) for x in st.projects["project_id"]] if not st.projects.empty else []
    marks = review_marks(conn, department_id, pids, as_of)
    files = _attachments(conn, department_id, as_of)
    projects: list[ProjectLine] = []
    plan_text: dict[int, str] = {}
    for prow in st.projects.sort_values(["seq", "project_id"]).to_dict("records"):
        pid = int(prow["project_id"])
        m: Any = money.loc[pid]
        dec = declared.get(pid)
        mine = inds[inds["project_id"] == pid].sort_values(["seq", "indicator_id"]) if not inds.empty else inds
        lines = [_indicator_line(r, as_of, attachments=files.of(pid, r, as_of)) for r in mine.to_dict("records")]
        plan_text[pid] = _text(prow.get("plan_text"))
        nxt = number_or_none(prow.get("next_checkpoint_month"))
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
                spent=number_or_none(prow.get("spent")) or 0.0,
                execution_pct=number_or_none(prow.get("execution_pct")),
                expected_pct=number_or_none(prow.get("expected_pct")),
                time_pct=number_or_none(prow.get("time_pct")),
                execution_light=_text(prow.get("execution_light")) or "grey",
                goal_light=_text(prow.get("goal_light")) or "grey",
                combined_light=_text(prow.get("combined_light")) or "grey",
                reason=_text(prow.get("reason")),
                projection=None if dec is None else dec.projected_amount,
                system_projection=_system_projection(prow)[0],
                system_projection_source=_system_projection(prow)[1],
                execution_reason=_text(prow.get("execution_reason")),
                next_checkpoint_month=None if nxt is None else int(nxt),
                to_next_checkpoint=number_or_none(prow.get("to_next_checkpoint")),
                goals=[str(t) for t in goals.loc[goals["project_id"] == pid, "text"]],
                progress_text="" if dec is None else dec.progress_text,
                indicators=lines,
                plan_shaped=number_or_none(prow.get("plan_shaped")),
                run_rate=number_or_none(prow.get("run_rate")),
                declared_as_of=None if dec is None else dec.as_of,
                cause_categories=() if dec is None else dec.cause_categories,
                cause_text="" if dec is None else dec.cause_text,
                measure="" if dec is None else dec.measure,
                mark=marks.get(pid, DRAFT),
                attachments=files.of(pid, None, as_of),
            )
        )

    sub_goals: list[SubGoalLine] = []
    dept_inds = all_inds[all_inds["project_id"].isna()] if not all_inds.empty else all_inds
    for sg_id, seq, title, goal in db.query(conn, "reports/sub_goals", {"department_id": department_id}):
        mine = dept_inds[dept_inds["sub_goal_id"] == sg_id] if not dept_inds.empty else dept_inds
        if not mine.empty:
            mine = mine.sort_values(["seq", "indicator_id"])
        sub_goals.append(SubGoalLine(
            seq=int(seq), title=_text(title), goal=_text(goal),
            indicators=[_indicator_line(r, as_of, department_level=True) for r in mine.to_dict("records")],
        ))

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
        budget=number_or_none(dep.get("budget")) if dep else budget,  # type: ignore[arg-type]
        spent=number_or_none(dep.get("spent")) if dep else spent,  # type: ignore[arg-type]
        execution_pct=number_or_none(dep.get("execution_pct")) if dep else (100 * spent / budget if budget else None),
        expected_pct=number_or_none(dep.get("expected_pct")) if dep else None,
        time_pct=number_or_none(dep.get("time_pct")) if dep else None,
        light=_text(dep.get("combined_light")) if dep else worst(p.combined_light for p in projects),
        projects=projects,
        plan_text=plan_text,
        rule_texts=_rule_texts(st.rules),
        execution_light=(_text(dep.get("execution_light")) or "grey") if dep else "grey",
        goal_light=(_text(dep.get("goal_light")) or "grey") if dep else worst(p.goal_light for p in projects),
        overall_goal=_text(_goal),
        sub_goals=sub_goals,
        supervisor=supervisor(conn, department_id),
        basis_line=basis_line(conn),
        cut_threshold_pct=cut_threshold_pct(conn),
    )


@dataclass(frozen=True)
class _Files:
    """佐证材料 file names by (project, indicator or None, round month end)."""

    names: dict[tuple[int, int | None, dt.date], tuple[str, ...]]

    def of(self, project_id: int, row: Any, as_of: dt.date) -> tuple[str, ...]:
        """The files of a project's declaration (``row`` None) or of an indicator row's value: those
        of the reporting round, and for a value reported in an earlier round (本期未更新), that
        round's too."""
        indicator_id = None if row is None else int(row["indicator_id"])
        rounds = [periods.month_end_of(as_of)]
        reported = None if row is None else row.get("result_as_of")
        if reported is not None and not pd.isna(reported):
            rounds.insert(0, periods.month_end_of(pd.Timestamp(reported).date()))
        out: list[str] = []
        for when in dict.fromkeys(rounds):
            out += [n for n in self.names.get((project_id, indicator_id, when), ()) if n not in out]
        return tuple(out)


def _attachments(conn: duckdb.DuckDBPyConnection, department_id: int, as_of: dt.date) -> _Files:
    names: dict[tuple[int, int | None, dt.date], list[str]] = {}
    for pid, iid, when, name in db.query(conn, "reports/attachments",
                                          {"department_id": department_id, "as_of": periods.month_end_of(as_of)}):
        key = (int(pid), None if iid is None else int(iid), when)
        names.setdefault(key, []).append(str(name))
    return _Files({k: tuple(v) for k, v in names.items()})


def _system_projection(prow: Any) -> tuple[float | None, str]:
    """The engine's own year-end estimate (never the declared figure): plan-shaped, else run-rate."""
    shaped, run = number_or_none(prow.get("plan_shaped")), number_or_none(prow.get("run_rate"))
    if shaped is not None:
        return shaped, "按计划推算"
    if run is not None:
        return run, "按月均推算"
    return None, ""


def _rule_texts(rules: Any) -> dict[str, str]:
    texts = rule_text(rules)
    texts["execution"] = texts[rules.execution_rule]
    return texts


def _department_row(frame: pd.DataFrame, department_id: int) -> dict[str, Any] | None:
    if frame is None or frame.empty:
        return None
    key = "department_id" if "department_id" in frame.columns else "id"
    hit = frame[frame[key] == department_id]
    return {str(k): v for k, v in hit.iloc[0].to_dict().items()} if not hit.empty else None


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

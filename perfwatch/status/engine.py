"""The set-based engine: every project and indicator in scope at once, in DuckDB.

:func:`compute_status` runs ``queries/engine/*.sql``; each query's Arrow result is registered as a
relation for the next one, so the roll-ups are SQL too. Only the department totals' light is
computed in Python, by the pure rule :func:`perfwatch.status.rules.execution_light`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from perfwatch import db
from perfwatch.periods import months_elapsed, time_pct
from perfwatch.settings import Rules, load_rules
from perfwatch.status.rules import execution_figures, execution_light
from perfwatch.vocab import BY_SEVERITY, LIGHTS, OVERSPEND_TOLERANCE_WAN, SEVERITY, worst


@dataclass
class Status:
    """Everything the dashboard shows at one as-of date (DataFrames, amounts in 万元, pct 0–100).

    ``projects``: engine/project_status + engine/project_rollup columns (project_id, department_id,
    department_code, code, name, seq, budget, spent, execution_pct, expected_pct, time_pct, ratio,
    gap_pp, execution_light, execution_reason, overspent, plan_shaped, run_rate, owner_projection,
    projection, projection_source, next_checkpoint_month/pct/amount, to_next_checkpoint, plan_text,
    n_red … n_grey, n_indicators, goal_light, combined_light, reason).
    ``indicators``: engine/indicator_status columns (indicator_id, project_id/code/name, sub_goal_seq
    /title, level1–3, target_text, kind, actual, expected, light, reason, likelihood, cause_categories,
    cause_text, measure, result_as_of, ...), department-level first, then by project and seq.
    ``departments``: engine/department_rollup columns plus expected_pct (budget-weighted),
    execution_pct, ratio, gap_pp, light (= execution_light on the totals), execution_reason,
    goal_light, combined_light. ``total``: the same figures across the departments, as a dict.
    """

    as_of: date
    rules: Rules
    departments: pd.DataFrame
    projects: pd.DataFrame
    indicators: pd.DataFrame
    total: dict[str, Any] = field(default_factory=dict)


def engine_query(
    conn: duckdb.DuckDBPyConnection,
    name: str,
    params: dict[str, Any],
    relations: dict[str, pa.Table] | None = None,
) -> pa.Table:
    """Run ``queries/<name>.sql`` and return an Arrow table (see :func:`perfwatch.db.query_arrow`).

    ``relations`` are registered first (engine/indicator_status reads ``project_figures``, the
    result of engine/project_status). Arrow rather than ``.df()``: on 700,000 rows of text
    DuckDB's pandas conversion takes seconds, Arrow a fraction of that.
    """
    return db.query_arrow(conn, name, params, relations)


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    """A DataFrame like DuckDB's ``.df()``: dates as datetime64, integer columns with NULLs as Int64."""
    frame = table.to_pandas(date_as_object=False)
    for fld in table.schema:
        if pa.types.is_integer(fld.type) and table.column(fld.name).null_count > 0:
            frame[fld.name] = frame[fld.name].astype("Int64")
    return frame


def _params(as_of: date, department_id: int | None, fiscal_year: int | None, rules: Rules) -> dict[str, Any]:
    return {
        "as_of": as_of,
        "department_id": department_id,
        "fiscal_year": fiscal_year if fiscal_year is not None else as_of.year,
        **rules.as_params(),
    }


def compute_status(
    conn: duckdb.DuckDBPyConnection,
    as_of: date,
    *,
    department_id: int | None = None,
    rules: Rules | None = None,
    fiscal_year: int | None = None,
) -> Status:
    """Lights, figures and projections of every project and indicator in scope at ``as_of``.

    Five set-based queries, each feeding the next as registered Arrow relations: departments,
    project spend pace, indicator lights (cost indicators read the project figures), project
    roll-up, department roll-up. Only the department totals' light is computed in Python (one
    :func:`execution_light` call per department).
    """
    rules = rules or load_rules(conn)
    params = _params(as_of, department_id, fiscal_year, rules)
    dept_t = engine_query(conn, "engine/departments", params)
    proj_t = engine_query(conn, "engine/project_status", params)
    figures = proj_t.select(["project_id", "spent", "projection", "projection_source", "budget"])
    ind_t = engine_query(conn, "engine/indicator_status", params, {"project_figures": figures})
    # pyarrow 26 takes (name, order, null_placement) keys; pyarrow-stubs 20 still declares (name, order) only.
    ind_t = ind_t.take(pc.sort_indices(ind_t, sort_keys=_INDICATOR_ORDER))  # type: ignore[arg-type]
    lights = ind_t.select(["project_id", "department_id", "light"])
    proj_t = engine_query(conn, "engine/project_rollup", {}, {"project_rows": proj_t, "indicator_lights": lights})
    dep_t = engine_query(
        conn, "engine/department_rollup", {},
        {"department_rows": dept_t, "rolled_projects": proj_t, "indicator_lights": lights},
    )
    projects = _to_pandas(proj_t)
    projects["overspent"] = projects["overspent"].astype(bool)
    indicators = _to_pandas(ind_t)
    departments = _department_lights(_to_pandas(dep_t), rules)
    total = _total_rollup(departments, as_of, rules)
    return Status(
        as_of=as_of, rules=rules, departments=departments, projects=projects, indicators=indicators, total=total
    )


def project_figures(
    conn: duckdb.DuckDBPyConnection, as_of: date, department_id: int, rules: Rules | None = None
) -> dict[int, dict[str, Any]]:
    """project_id -> spent, projection, projection_source, budget at ``as_of``: exactly the figures
    :func:`compute_status` feeds the cost indicators (engine/project_status), for callers that
    judge one indicator (the entry form) and must agree with the dashboard."""
    rules = rules or load_rules(conn)
    table = engine_query(conn, "engine/project_status", _params(as_of, department_id, None, rules))
    rows = table.select(["project_id", "spent", "projection", "projection_source", "budget"]).to_pylist()
    return {int(r["project_id"]): r for r in rows}


# Department-level indicators (no project) first, then by project and published order.
_INDICATOR_ORDER = [
    ("department_code", "ascending", "at_start"), ("project_seq", "ascending", "at_start"),
    ("sub_goal_seq", "ascending", "at_start"), ("seq", "ascending", "at_start"), ("indicator_id", "ascending", "at_start"),
]


def _department_figures(spent: float, budget: float, expected: float, rules: Rules, months: float) -> dict[str, Any]:
    pct, ratio, gap = execution_figures(spent, budget, expected)
    light, reason = execution_light(spent, budget, expected, rules, months=months)
    return {
        "execution_pct": pct,
        "ratio": ratio,
        "gap_pp": gap,
        "light": light,
        "execution_reason": reason,
        "overspent": spent > budget + OVERSPEND_TOLERANCE_WAN,
    }


_FIGURE_COLUMNS = ["execution_pct", "ratio", "gap_pp", "light", "execution_reason", "overspent"]


def _department_lights(out: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Add the budget-weighted expectation and the spend light of each department's totals."""
    # Budget-weighted expectation; a department without budget falls back to 序时.
    budget = out["budget"].astype(float)
    out["expected_pct"] = np.where(
        budget > 0, 100.0 * out["expected_amount"].astype(float) / budget.where(budget > 0, 1.0), out["time_pct"]
    )
    # One pure-function call per department (a few rows per thousand projects): the department
    # light is the project rule applied to the totals.
    figs = [
        _department_figures(sp, b, e, rules, m)
        for sp, b, e, m in zip(out["spent"].tolist(), budget.tolist(), out["expected_pct"].tolist(), out["months"].tolist(), strict=True)
    ]
    out = pd.concat([out, pd.DataFrame(figs, index=out.index, columns=_FIGURE_COLUMNS)], axis=1)
    out["execution_light"] = out["light"]
    worse = np.maximum(out["light"].map(SEVERITY).fillna(0), out["goal_light"].map(SEVERITY).fillna(0))
    sev = pd.Series(worse, index=out.index).astype(int)
    out["combined_light"] = sev.map(BY_SEVERITY)
    return out



def _total_rollup(departments: pd.DataFrame, as_of: date, rules: Rules) -> dict[str, Any]:
    """The same figures across all departments in scope."""
    d = departments
    budget = float(d["budget"].sum()) if not d.empty else 0.0
    spent = float(d["spent"].sum()) if not d.empty else 0.0
    years = sorted(set(d["fiscal_year"].tolist())) if not d.empty else [as_of.year]
    tp = time_pct(as_of, years[0]) if len(years) == 1 else time_pct(as_of)
    expected = 100.0 * float(d["expected_amount"].sum()) / budget if budget > 0 else tp
    total: dict[str, Any] = {
        "code": "ALL",
        "name": "合计",
        "n_departments": int(len(d)),
        "n_projects": int(d["n_projects"].sum()) if not d.empty else 0,
        "n_indicators": int(d["n_indicators"].sum()) if not d.empty else 0,
        "budget": budget,
        "spent": spent,
        "expected_amount": float(d["expected_amount"].sum()) if not d.empty else 0.0,
        "expected_pct": expected,
        "time_pct": tp,
        **_department_figures(spent, budget, expected, rules, months_elapsed(as_of, years[0] if len(years) == 1 else None)),
    }
    for light in LIGHTS:
        for prefix in ("exec_", "projects_", "indicators_"):
            total[f"{prefix}{light}"] = int(d[f"{prefix}{light}"].sum()) if not d.empty else 0
    total["goal_light"] = worst(d["goal_light"].tolist()) if not d.empty else "grey"
    total["combined_light"] = worst([total["light"], total["goal_light"]])
    return total


# --------------------------------------------------------------------------------------------
# Series for charts and the default as-of date


def spend_series(
    conn: duckdb.DuckDBPyConnection,
    *,
    project_id: int | None = None,
    department_id: int | None = None,
    year: int,
) -> pd.DataFrame:
    """Monthly actual spend (万元) of a project or a department in ``year``.

    Columns: month (1–12), period (first day), month_end, amount (NaN where no figure), cumulative
    (running total; NaN after the last month with data), budget, cumulative_pct (of budget).
    """
    if (project_id is None) == (department_id is None):
        raise ValueError("give exactly one of project_id and department_id")
    return db.query_df(
        conn, "engine/spend_series", {"project_id": project_id, "department_id": department_id, "year": year}
    )


def last_data_date(conn: duckdb.DuckDBPyConnection, department_id: int | None = None) -> date | None:
    """The last month-end with spend, results or a project report (None when there is none)."""
    rows = db.query(conn, "engine/last_data_date", {"department_id": department_id})
    if not rows or rows[0][0] is None:
        return None
    value = rows[0][0]
    return value if isinstance(value, date) else pd.Timestamp(value).date()

"""Named, cached reads for pages: a page asks for "the goals of project 7", never for a SQL file.

Every function goes through :func:`perfwatch.web.data.df` (sign-in guard, one-minute cache cleared by
``after_write``) and returns a DataFrame or plain values; shaping for display lives in
:mod:`perfwatch.pageviews`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pandas as pd

from perfwatch import entry, pageviews
from perfwatch.web.conn import _connection, db_path
from perfwatch.web.data import cached_shared, cached_status, connection, df


def departments() -> pd.DataFrame:
    """Every department-year with its counts and budget (queries/departments.sql)."""
    return df("departments")


def department_projects(department_id: int) -> pd.DataFrame:
    """The department's projects as published (budget, funds, plan text, indicator count)."""
    return df("department_projects", {"department_id": department_id})


def department_texts(department_id: int) -> pd.DataFrame:
    """The department's overall goal text (one row, or none)."""
    return df("department_texts", {"department_id": department_id})


def department_part(department_id: int) -> pd.DataFrame:
    """The department-level part of the targets: sub-goals and their indicators."""
    return df("department_part", {"department_id": department_id})


def department_plans(department_id: int) -> pd.DataFrame:
    """Each project's plan checkpoints and budget, for the department's plan curve."""
    return df("views/department_plans", {"department_id": department_id})


def project_goals(project_id: int) -> pd.DataFrame:
    """The project's goals in order (seq, text)."""
    return df("project_goals", {"project_id": project_id})


def project_indicators(project_id: int) -> pd.DataFrame:
    """The project's indicators as published."""
    return df("project_indicators", {"project_id": project_id})


def plan_checkpoints(project_id: int) -> list[tuple[int, float]]:
    """The project's spending plan as (month, cumulative percent) checkpoints."""
    plan = df("targets/plan_of_project", {"project_id": project_id})
    return [(int(m), float(p)) for m, p in plan.itertuples(index=False)]


def project_spend_history(project_id: int) -> pd.DataFrame:
    """Every spend entry of the project, corrections included."""
    return df("views/project_spend_history", {"project_id": project_id})


def project_result_history(project_id: int) -> pd.DataFrame:
    """Every indicator result entry of the project, corrections included."""
    return df("views/project_result_history", {"project_id": project_id})


def project_report_history(project_id: int) -> pd.DataFrame:
    """The project's full-year projections and progress notes over time."""
    return df("views/project_report_history", {"project_id": project_id})


def progress_texts(department_id: int, as_of: dt.date) -> pd.DataFrame:
    """The latest progress note per project of the department up to ``as_of``."""
    return df("views/project_progress_texts", {"department_id": department_id, "as_of": as_of})


def count_settings(department_id: int) -> pd.DataFrame:
    """The department's count indicators with their nature and milestones (perfwatch.indicator_edit)."""
    from perfwatch.indicator_edit import count_settings as read
    return read(connection(), department_id)


def completeness(fiscal_year: int, as_of: dt.date) -> dict[int, entry.Completeness]:
    """填报情况 of every department of the year at ``as_of`` with each project's review state
    (:func:`perfwatch.pageviews.completeness_of_year`): built once per data version and shared by
    every session, so the caller only reads it."""
    connection()
    path = db_path()
    return cached_shared(path, ("completeness", fiscal_year, as_of),
                         lambda: pageviews.completeness_of_year(_connection(path), fiscal_year, as_of))


def latest_data(department_ids: Iterable[int]) -> dt.date | None:
    """The latest data date over several departments (:func:`perfwatch.pageviews.latest_data`),
    once per data version."""
    connection()
    path = db_path()
    ids = tuple(sorted(int(i) for i in department_ids))
    return cached_shared(path, ("latest_data", ids),
                         lambda: pageviews.latest_data(_connection(path), ids))


def department_status(department_id: int, as_of: dt.date) -> Any:
    """The engine's Status of one department at ``as_of`` (perfwatch.status.compute_status), the
    same cached read as the dashboard pages: computed once per data version."""
    connection()
    return cached_status(db_path(), as_of, department_id, None)


def project_figures(department_id: int, as_of: dt.date) -> dict[int, dict[str, Any]]:
    """The department's project figures the cost indicators are judged with
    (:func:`perfwatch.status.project_figures`), once per data version (for entry.lights_and_reasons)."""
    from perfwatch import status

    connection()
    path = db_path()
    return cached_shared(path, ("project_figures", department_id, as_of),
                         lambda: status.project_figures(_connection(path), as_of, department_id))

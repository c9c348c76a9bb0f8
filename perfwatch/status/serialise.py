"""The status as JSON for the CLI and other consumers: amounts in 万元 and percentages 0–100, both
to 2 decimals."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from perfwatch import numfmt
from perfwatch.cells import as_int, is_missing
from perfwatch.status.engine import Status
from perfwatch.vocab import LIGHTS


def _r2(x: Any) -> float | None:
    if x is None:
        return None
    try:
        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        pass
    return numfmt.round2(x)


def _opt(x: Any) -> Any:
    if x is None:
        return None
    if isinstance(x, (list, tuple, np.ndarray)):
        return [str(v) for v in x]
    try:
        if pd.isna(x):
            return None
    except (TypeError, ValueError):
        return x
    if isinstance(x, pd.Timestamp):
        return x.date().isoformat()
    if isinstance(x, date):
        return x.isoformat()
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating,)):
        return float(x)
    return x


def to_json(status: Status) -> dict[str, Any]:
    """A JSON-ready dict: amounts in 万元 and percentages 0–100, both to 2 decimals."""
    deps = [
        {
            "code": r.department_code,
            "name": r.department_name,
            "fiscal_year": as_int(r.fiscal_year),
            "budget": _r2(r.budget),
            "spent": _r2(r.spent),
            "execution_pct": _r2(r.execution_pct),
            "expected_pct": _r2(r.expected_pct),
            "time_pct": _r2(r.time_pct),
            "light": r.light,
            "goal_light": r.goal_light,
            "combined_light": r.combined_light,
            "reason": r.execution_reason,
            "projects": {light: int(getattr(r, f"projects_{light}")) for light in LIGHTS},
            "indicators": {light: int(getattr(r, f"indicators_{light}")) for light in LIGHTS},
        }
        for r in status.departments.itertuples(index=False)
    ]
    projs = [
        {
            "code": r.code,
            "name": r.name,
            "department_code": r.department_code,
            "budget": _r2(r.budget),
            "spent": _r2(r.spent),
            "execution_pct": _r2(r.execution_pct),
            "expected_pct": _r2(r.expected_pct),
            "time_pct": _r2(r.time_pct),
            "execution_light": r.execution_light,
            "goal_light": r.goal_light,
            "combined_light": r.combined_light,
            "overspent": bool(r.overspent),
            "projections": {
                "plan_shaped": _r2(r.plan_shaped),
                "run_rate": _r2(r.run_rate),
                "owner": _r2(r.owner_projection),
            },
            "next_checkpoint": None
            if is_missing(r.next_checkpoint_month)
            else {
                "month": as_int(r.next_checkpoint_month),
                "pct": _r2(r.next_checkpoint_pct),
                "amount": _r2(r.next_checkpoint_amount),
                "to_spend": _r2(r.to_next_checkpoint),
            },
            "reason": r.reason,
            "execution_reason": r.execution_reason,
        }
        for r in status.projects.itertuples(index=False)
    ]
    inds = [
        {
            "id": as_int(r.indicator_id),
            "project_code": _opt(r.project_code),
            "department_code": r.department_code,
            "sub_goal_seq": None if is_missing(r.sub_goal_seq) else as_int(r.sub_goal_seq),
            "level1": _opt(r.level1),
            "level2": _opt(r.level2),
            "level3": r.level3,
            "target_text": r.target_text,
            "kind": r.kind,
            "actual": _r2(r.actual),
            "expected": _r2(r.expected),
            "light": r.light,
            "reason": r.reason,
            "likelihood": _opt(r.likelihood),
            "result_as_of": _opt(r.result_as_of),
        }
        for r in status.indicators.itertuples(index=False)
    ]
    t = status.total
    total = {
        "budget": _r2(t["budget"]),
        "spent": _r2(t["spent"]),
        "execution_pct": _r2(t["execution_pct"]),
        "expected_pct": _r2(t["expected_pct"]),
        "time_pct": _r2(t["time_pct"]),
        "light": t["light"],
        "goal_light": t["goal_light"],
        "combined_light": t["combined_light"],
        "reason": t["execution_reason"],
        "projects": {light: t[f"projects_{light}"] for light in LIGHTS},
        "indicators": {light: t[f"indicators_{light}"] for light in LIGHTS},
    }
    return {
        "as_of": status.as_of.isoformat(),
        "rules": status.rules.as_params(),
        "total": total,
        "departments": deps,
        "projects": projs,
        "indicators": inds,
    }
